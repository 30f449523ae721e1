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
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Final

from servicebp._atomic import write_atomic
from servicebp.errors import InvalidArgumentError, RenderTimeoutError
from servicebp.model import Blueprint
from servicebp.rendering._dot import dot_text, seen_by, to_dot
from servicebp.rendering._engines import (
    ENGINES,
    FORMATS,
    check_timeout,
    choose_engine,
    run_engine,
)
from servicebp.rendering._layout_check import LayoutDefect, check_layout
from servicebp.rendering._mermaid import MERMAID_KINDS, mermaid_score, to_mermaid
from servicebp.rendering._palette import (
    RATING_COLOURS,
    RATING_TEXT_COLOURS,
    rating_class,
    rating_colour,
)
from servicebp.rendering._scene_shapes import DETAILS

__all__ = [
    "DETAILS",
    "ENGINES",
    "FORMATS",
    "MERMAID_KINDS",
    "RATING_COLOURS",
    "RATING_TEXT_COLOURS",
    "SUFFIXES",
    "LayoutDefect",
    "check_layout",
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
#: The format :func:`render` writes for each file suffix.
SUFFIXES: Final = {
    ".svg": "svg",
    ".png": "png",
    ".pdf": "pdf",
    ".dot": "dot",
    ".gv": "dot",
    ".mmd": "mermaid",
}
#: Resolution of PNG pictures unless asked otherwise (dots per inch).
DEFAULT_DPI = 96.0


def _format_for(path: Path, format: str | None) -> str:
    """The format to write *path* in: *format*, which must agree with the suffix, or the suffix's.

    Examples
    --------
    >>> _format_for(Path("a.PNG"), None), _format_for(Path("a.svg"), "svg")
    ('png', 'svg')
    >>> _format_for(Path("a.svg"), "png")
    Traceback (most recent call last):
    ...
    servicebp.errors.InvalidArgumentError: a.svg: format='png' disagrees with the suffix '.svg' ...
    """
    suffix = path.suffix.lower()
    suffixes = {**SUFFIXES, **{f".{name}": name for name in TEXT_FORMATS}}
    known = suffixes.get(suffix)
    if format is None:
        if known is None:
            raise InvalidArgumentError(
                f"{path}: cannot tell the format from the suffix {suffix!r} "
                f"(use one of {sorted(suffixes)} or pass format=)"
            )
        return known
    formats = [*FORMATS, "dot", "mermaid", *TEXT_FORMATS]
    if format not in formats:
        raise InvalidArgumentError(f"unknown format: {format!r} (must be one of {formats})")
    if known is not None and known != format:
        raise InvalidArgumentError(
            f"{path}: format={format!r} disagrees with the suffix {suffix!r} (which means "
            f"{known!r}); change one of them"
        )
    return format


def _check_dpi(dpi: float) -> float:
    if isinstance(dpi, bool) or not isinstance(dpi, int | float) or not 10 <= dpi <= 2400:
        raise InvalidArgumentError(f"dpi must be a number from 10 to 2400, got {dpi!r}")
    return float(dpi)


def render_bytes(
    bp: Blueprint,
    *,
    format: str = "svg",
    engine: str = "auto",
    ratings: Mapping[str, float] | None = None,
    legend: bool = True,
    details: Sequence[str] = (),
    dpi: float = DEFAULT_DPI,
    timeout: float = DEFAULT_TIMEOUT,
    emotion: bool = False,
    persona: str | None = None,
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
    resolution = _check_dpi(dpi)
    deadline = time.monotonic() + check_timeout(timeout)
    chosen = choose_engine(engine, format)
    graph = to_dot(
        bp,
        ratings=ratings,
        legend=legend,
        details=tuple(details),
        emotion=emotion,
        persona=persona,
    )
    if format == "png":
        graph.attr("graph", dpi=f"{resolution:g}")
    left = _time_left(deadline, timeout)
    return run_engine(graph.source, engine=chosen, output_format=format, timeout=left)


def _time_left(deadline: float, timeout: float) -> float:
    """Seconds left of a render's time bound once its DOT is built, or RenderTimeoutError."""
    left = deadline - time.monotonic()
    if left <= 0:
        raise RenderTimeoutError(
            f"building the drawing took longer than timeout={timeout:g} s "
            "(raise timeout= or simplify the blueprint)"
        )
    return left


def render_svg(
    bp: Blueprint,
    *,
    engine: str = "auto",
    ratings: Mapping[str, float] | None = None,
    legend: bool = True,
    details: Sequence[str] = (),
    timeout: float = DEFAULT_TIMEOUT,
    emotion: bool = False,
    persona: str | None = None,
) -> str:
    """Return *bp* drawn as SVG text.

    Each step's ``<g class="node sbp-step ...">`` element has the step id as its ``id``.

    Examples
    --------
    >>> from servicebp import Blueprint, Step
    >>> bp = Blueprint("Coffee", stages=["order"])
    >>> _ = bp.add_step(Step(id="order", label="Order", lane="customer", stage="order"))
    >>> '<g id="order" class="node ' in render_svg(bp, engine="embedded")
    True
    """
    data = render_bytes(
        bp,
        format="svg",
        engine=engine,
        ratings=ratings,
        legend=legend,
        details=details,
        timeout=timeout,
        emotion=emotion,
        persona=persona,
    )
    return data.decode("utf-8")


def render(
    bp: Blueprint,
    path: str | os.PathLike[str],
    *,
    format: str | None = None,
    engine: str = "auto",
    ratings: Mapping[str, float] | None = None,
    legend: bool = True,
    details: Sequence[str] = (),
    dpi: float = DEFAULT_DPI,
    timeout: float = DEFAULT_TIMEOUT,
    follow_symlinks: bool = False,
    emotion: bool = False,
    persona: str | None = None,
) -> Path:
    """Draw *bp* into the file *path* (written atomically) and return the path.

    Parameters
    ----------
    bp : Blueprint
        The blueprint.
    path : str or os.PathLike
        The file to write; its folder must exist.
    format : {"svg", "png", "pdf", "dot", "mermaid", "drawio"}, optional
        The format; by default the suffix's (:data:`SUFFIXES`: ``.svg``,
        ``.png``, ``.pdf``, ``.dot`` or ``.gv``, ``.mmd``, and ``.drawio``
        for a diagrams.net file, see :func:`servicebp.to_drawio`). Given
        with a suffix of another format, an error.
    engine : {"auto", "dot", "embedded", "pygraphviz"}
        ``auto`` uses the ``dot`` program when it is on ``PATH``, else the
        embedded renderer for SVG and the ``servicebp[png]`` extra for PNG
        and PDF.
    ratings : mapping of step id to float, optional
        Ratings to colour steps with (see :func:`to_dot`).
    legend : bool
        Whether to draw the legend.
    details : sequence of {"duration", "cost"}
        What else to print on steps (see :func:`to_dot`).
    dpi : float
        Resolution of a PNG picture, in dots per inch (96 by default; 192
        for a sharp picture on a high-density screen or a print).
    timeout : float
        Seconds rendering may take before :class:`RenderTimeoutError`.
    follow_symlinks : bool
        Write through a symbolic link at *path*; by default one is refused.
    emotion : bool
        Draw the emotion curve as a lane beneath the support lane (see
        :func:`to_dot`); for SVG, PNG, PDF and DOT.
    persona : str, optional
        Draw the blueprint as this declared persona sees it (its ratings,
        its emotion curve, its waits; see :func:`to_dot`), in every format.

    Raises
    ------
    InvalidArgumentError
        If the suffix says nothing of the format and *format* is not given,
        or they disagree.
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
    deadline = time.monotonic() + check_timeout(timeout)
    chosen = _format_for(target, format)
    bp = seen_by(bp, persona)
    if chosen in TEXT_FORMATS:
        write_atomic(target, TEXT_FORMATS[chosen](bp, ratings), follow_symlinks=follow_symlinks)
        return target
    if chosen == "dot":
        text = to_dot(
            bp, ratings=ratings, legend=legend, details=tuple(details), emotion=emotion
        ).source
        _time_left(deadline, timeout)
        data = text.encode("utf-8")
    elif chosen == "mermaid":
        data = (to_mermaid(bp, ratings=ratings) + "\n").encode("utf-8")
    else:
        data = render_bytes(
            bp,
            format=chosen,
            engine=engine,
            ratings=ratings,
            legend=legend,
            details=details,
            dpi=dpi,
            timeout=timeout,
            emotion=emotion,
        )
    write_atomic(target, data, follow_symlinks=follow_symlinks)
    return target
