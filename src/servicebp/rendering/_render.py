"""Pictures of blueprints: Graphviz DOT, SVG/PNG/PDF files, Mermaid text.

* :func:`to_dot` builds the :class:`graphviz.Digraph` (lanes as bands, stages
  as columns, the three lines, markers, ratings, a legend).
* :func:`render_svg` and :func:`render` lay it out with the ``dot`` program
  when it is on ``PATH``, and otherwise with the embedded WebAssembly build
  of Graphviz (SVG) or the ``servicebp[png]`` extra (PNG, PDF).
* :func:`to_mermaid` writes a Mermaid ``journey`` or ``flowchart``.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from pathlib import Path

from servicebp._atomic import write_atomic
from servicebp.model import Blueprint
from servicebp.rendering._dot import dot_text, to_dot
from servicebp.rendering._engines import ENGINES, FORMATS, choose_engine, run_engine
from servicebp.rendering._mermaid import MERMAID_KINDS, mermaid_score, to_mermaid
from servicebp.rendering._palette import (
    RATING_COLOURS,
    RATING_TEXT_COLOURS,
    rating_class,
    rating_colour,
)

__all__ = [
    "ENGINES",
    "FORMATS",
    "MERMAID_KINDS",
    "RATING_COLOURS",
    "RATING_TEXT_COLOURS",
    "dot_text",
    "mermaid_score",
    "rating_class",
    "rating_colour",
    "render",
    "render_bytes",
    "render_svg",
    "to_dot",
    "to_mermaid",
]

#: Formats written as text by a layer above this one (interchange registers
#: ``drawio``), by name: each takes the blueprint and the ratings.
TEXT_FORMATS: dict[str, Callable[[Blueprint, Mapping[str, float] | None], str]] = {}

#: Default bound on the time one rendering may take, in seconds.
DEFAULT_TIMEOUT = 60.0


def render_bytes(
    bp: Blueprint,
    *,
    format: str = "svg",
    engine: str = "auto",
    ratings: Mapping[str, float] | None = None,
    legend: bool = True,
    timeout: float = DEFAULT_TIMEOUT,
) -> bytes:
    """Render *bp* and return the image's bytes (see :func:`render`).

    Examples
    --------
    >>> from servicebp import Blueprint, Step
    >>> bp = Blueprint("Coffee", stages=["order"])
    >>> _ = bp.add_step(Step(id="order", label="Order", lane="customer", stage="order"))
    >>> render_bytes(bp, engine="embedded")[:5]
    b'<?xml'
    """
    chosen = choose_engine(engine, format)
    source = to_dot(bp, ratings=ratings, legend=legend).source
    return run_engine(source, engine=chosen, output_format=format, timeout=timeout)


def render_svg(
    bp: Blueprint,
    *,
    engine: str = "auto",
    ratings: Mapping[str, float] | None = None,
    legend: bool = True,
    timeout: float = DEFAULT_TIMEOUT,
) -> str:
    """Return *bp* drawn as SVG text.

    Each step's ``<g class="node">`` element has the step id as its ``id``.

    Examples
    --------
    >>> from servicebp import Blueprint, Step
    >>> bp = Blueprint("Coffee", stages=["order"])
    >>> _ = bp.add_step(Step(id="order", label="Order", lane="customer", stage="order"))
    >>> '<g id="order" class="node">' in render_svg(bp, engine="embedded")
    True
    """
    data = render_bytes(
        bp, format="svg", engine=engine, ratings=ratings, legend=legend, timeout=timeout
    )
    return data.decode("utf-8")


def render(
    bp: Blueprint,
    path: str | os.PathLike[str],
    *,
    format: str = "svg",
    engine: str = "auto",
    ratings: Mapping[str, float] | None = None,
    legend: bool = True,
    timeout: float = DEFAULT_TIMEOUT,
    follow_symlinks: bool = False,
) -> Path:
    """Draw *bp* into the file *path* (written atomically) and return the path.

    Parameters
    ----------
    bp : Blueprint
        The blueprint.
    path : str or os.PathLike
        The file to write; its folder must exist.
    format : {"svg", "png", "pdf", "drawio"}
        The image format; a path ending in ``.drawio`` writes a diagrams.net
        file (see :func:`servicebp.to_drawio`) unless *format* says otherwise.
    engine : {"auto", "dot", "embedded", "pygraphviz"}
        ``auto`` uses the ``dot`` program when it is on ``PATH``, else the
        embedded renderer for SVG and the ``servicebp[png]`` extra for PNG
        and PDF.
    ratings : mapping of step id to float, optional
        Ratings to colour steps with (see :func:`to_dot`).
    legend : bool
        Whether to draw the legend.
    timeout : float
        Seconds rendering may take before :class:`RenderTimeoutError`.
    follow_symlinks : bool
        Write through a symbolic link at *path*; by default one is refused.

    Raises
    ------
    MissingDependencyError
        If no installed engine makes *format*; the message says what to install.
    RenderError
        If Graphviz fails.
    RenderTimeoutError
        If rendering takes longer than *timeout*.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from servicebp import Blueprint, Step
    >>> bp = Blueprint("Coffee", stages=["order"])
    >>> _ = bp.add_step(Step(id="order", label="Order", lane="customer", stage="order"))
    >>> folder = tempfile.TemporaryDirectory()
    >>> out = render(bp, pathlib.Path(folder.name) / "coffee.svg", engine="embedded")
    >>> out.read_bytes()[:5], out.name
    (b'<?xml', 'coffee.svg')
    >>> folder.cleanup()
    """
    target = Path(path)
    suffix = target.suffix.lower().lstrip(".")
    if format == "svg" and suffix in TEXT_FORMATS:
        format = suffix
    if format in TEXT_FORMATS:
        write_atomic(target, TEXT_FORMATS[format](bp, ratings), follow_symlinks=follow_symlinks)
        return target
    data = render_bytes(
        bp, format=format, engine=engine, ratings=ratings, legend=legend, timeout=timeout
    )
    write_atomic(target, data, follow_symlinks=follow_symlinks)
    return target
