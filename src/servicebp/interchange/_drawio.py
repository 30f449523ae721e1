"""Blueprints as diagrams.net (draw.io) files: editable shapes where the SVG draws them.

The file is one ``mxfile`` with one ``diagram``: a swimlane container per
lane (its caption on the left), a header bar per stage, the line of
interaction, the line of visibility and the line of internal interaction as
labelled dashed lines between the lanes, every step a shape inside its lane,
every evidence item a note in the physical-evidence lane and every flow a
connector bound to its two steps, so that moving a shape in diagrams.net
drags its flows along. Everything sits where the SVG puts it: positions,
sizes and the flows' bends are taken from the same laid-out scene
(:func:`servicebp.rendering.scene_of`), in the same points. Steps are styled
like the SVG: a moment of truth has a double border and a ``[MOT: kind]``
tag; the markers are the SVG's black-and-white shapes in the step's top
corners (a fail point a black octagon with a white ``F``, a wait a white box
with ``W``, a wait over tolerance a black box with ``W!``), children of the
step so that they move with it; waits read ``W 15 min``, ``W 2 h > 1 h!``;
a rating colours the step on the same ColorBrewer palette.

Cell ids are ``lane:<lane>``, ``stage:<n>``, ``line:<line>``,
``step:<step id>``, ``badge:<fail|wait|wait-over>:<step id>``,
``evidence:<step id>:<n>`` and ``flow:<n>``. All text is written through
:mod:`xml.etree.ElementTree`, which escapes it; characters XML cannot hold
become U+FFFD.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Mapping
from typing import Final

from servicebp._xml_text import coordinate, xml_safe
from servicebp.model import Blueprint, Flow, FlowKind, Lane, Line, Step
from servicebp.rendering import (
    RATING_COLOURS,
    RATING_TEXT_COLOURS,
    Box,
    Path,
    Scene,
    rating_class,
    ratings_shown,
    scene_of,
    score_text,
    seen_by,
    wait_text,
)

__all__ = ["to_drawio"]

_LINE_COLOUR: Final = "#6e6e6e"
_SEQUENCE_COLOUR: Final = "#1a1a1a"
_SUPPORT_COLOUR: Final = "#5e3c99"


def _step_label(step: Step, rating: float | None) -> str:
    """The SVG's text of a step, with the label exactly as written (not wrapped)."""
    lines: list[str] = []
    if step.moment is not None:
        lines.append(f"[MOT: {step.moment.kind.value}]")
    lines.append(step.label)
    if step.wait is not None:
        lines.append(wait_text(step.wait))
    if rating is not None:
        lines.append(f"score {score_text(rating)}")
    return "\n".join(lines)


def _step_style(step: Step, rating: float | None) -> str:
    style: dict[str, object] = {
        "rounded": 0 if step.moment is not None else 1,
        "whiteSpace": "wrap",
        "html": 0,
        "fontFamily": "Helvetica",
        "fontSize": 10,
        "fillColor": "#ffffff",
        "strokeColor": "#000000",
    }
    if step.moment is not None:
        # The SVG's double border.
        style.update(shape="ext", double=1, strokeWidth=1.4)
    if rating is not None:
        whole = rating_class(rating)
        style.update(fillColor=RATING_COLOURS[whole], fontColor=RATING_TEXT_COLOURS[whole])
    return _style(style)


def _style(style: Mapping[str, object]) -> str:
    return "".join(f"{key}={value};" for key, value in style.items())


#: The markers' shapes, as in the SVG: role -> (text, draw.io style).
_BADGES: Final[dict[str, tuple[str, dict[str, object]]]] = {
    "fail": (
        "F",
        {
            "shape": "mxgraph.basic.octagon2",
            "dx": 4,
            "fillColor": "#000000",
            "fontColor": "#ffffff",
        },
    ),
    "wait": ("W", {"fillColor": "#ffffff", "fontColor": "#000000"}),
    "wait-over": ("W!", {"fillColor": "#000000", "fontColor": "#ffffff"}),
}
#: What every marker's style starts with, before its own shape and colours.
_BADGE_STYLE: Final[dict[str, object]] = {
    "rounded": 0,
    "html": 0,
    "fontFamily": "Helvetica",
    "fontSize": 8,
    "fontStyle": 1,
    "strokeColor": "#000000",
    "movable": 0,
    "resizable": 0,
}


def _flow_label(flow: Flow) -> str:
    parts = [flow.label] if flow.label is not None else []
    if flow.probability is not None:
        parts.append(f"p = {flow.probability * 100:g} %")
    return "\n".join(parts)


def _cell(root: ET.Element, cell_id: str, **attributes: str) -> ET.Element:
    cell = ET.SubElement(root, "mxCell", {"id": xml_safe(cell_id)})
    for key, value in attributes.items():
        cell.set(key, xml_safe(value))
    return cell


def _point(parent: ET.Element, x: float, y: float, extra: Mapping[str, str] | None = None) -> None:
    ET.SubElement(parent, "mxPoint", {"x": coordinate(x), "y": coordinate(y), **(extra or {})})


def _geometry(cell: ET.Element, x: float, y: float, width: float, height: float) -> None:
    ET.SubElement(
        cell,
        "mxGeometry",
        {
            "x": coordinate(x),
            "y": coordinate(y),
            "width": coordinate(width),
            "height": coordinate(height),
            "as": "geometry",
        },
    )


def to_drawio(
    bp: Blueprint, *, ratings: Mapping[str, float] | None = None, persona: str | None = None
) -> str:
    """Return *bp* as the text of a diagrams.net (``.drawio``) file.

    Parameters
    ----------
    bp : Blueprint
        The blueprint.
    ratings : mapping of step id to float, optional
        Ratings (−3 … +3) to colour steps with; a step without one falls back
        to its designed rating.
    persona : str, optional
        Draw the blueprint as this declared persona sees it (its ratings,
        its label in the title).

    Raises
    ------
    UnknownStepError
        If *ratings* names a step the blueprint does not have.
    RatingError
        If a rating is not a number on the −3 … +3 scale.

    Examples
    --------
    >>> import xml.etree.ElementTree as ET
    >>> from servicebp import Blueprint, Step
    >>> bp = Blueprint("Coffee & cake", stages=["order"])
    >>> _ = bp.add_step(Step(id="order", label='Orders a "flat white" <large>',
    ...                      lane="customer", stage="order", rating=2))
    >>> root = ET.fromstring(to_drawio(bp))
    >>> root.tag, root.find("diagram").get("name")
    ('mxfile', 'Coffee & cake')
    >>> print(root.find(".//mxCell[@id='step:order']").get("value"))
    Orders a "flat white" <large>
    score +2
    """
    bp = seen_by(bp, persona)
    shown = ratings_shown(bp, ratings)
    scene = scene_of(bp, ratings=shown, legend=False)
    boxes: dict[tuple[str, str], Box] = {(box.role, box.ident): box for box in scene.boxes}
    mxfile = ET.Element("mxfile", {"host": "servicebp", "type": "device"})
    diagram = ET.SubElement(mxfile, "diagram", {"id": "blueprint", "name": xml_safe(bp.name)})
    model = ET.SubElement(diagram, "mxGraphModel", {**_MODEL, **_page(scene)})
    root = ET.SubElement(model, "root")
    _cell(root, "0")
    _cell(root, "1", parent="0")
    _stage_headers(root, bp, boxes)
    band_of = _lanes(root, boxes)
    _lines(root, scene)
    placed: dict[str, Box] = {}
    for box in scene.boxes:
        if box.role == "step":
            placed[box.ident] = box
            _step(root, bp[box.ident], box, band_of, shown.get(box.ident))
            _badges(root, box, boxes)
    _evidence(root, bp, scene, band_of[Lane.PHYSICAL_EVIDENCE])
    traced = {path.ident: path for path in scene.paths if path.role == "flow"}
    for i, flow in enumerate(bp.flows()):
        _flow(root, i, flow, traced[f"sbp-flow:{flow.source}:{flow.target}"], placed)
    ET.indent(mxfile, space="  ")
    return ET.tostring(mxfile, encoding="unicode") + "\n"


#: The graph model's settings, before the page size.
_MODEL: Final = {
    "grid": "1",
    "gridSize": "10",
    "guides": "1",
    "connect": "1",
    "arrows": "1",
    "page": "1",
}


def _page(scene: Scene) -> dict[str, str]:
    return {"pageWidth": coordinate(scene.width), "pageHeight": coordinate(scene.height)}


def _stage_headers(root: ET.Element, bp: Blueprint, boxes: Mapping[tuple[str, str], Box]) -> None:
    for i, stage in enumerate(bp.stages):
        box = boxes["stage", f"sbp-stage:{stage}"]
        header = _cell(
            root,
            f"stage:{i}",
            value=stage,
            style="rounded=0;whiteSpace=wrap;html=0;fillColor=#4d4d4d;strokeColor=#4d4d4d;"
            "fontColor=#ffffff;fontStyle=1;fontSize=11;fontFamily=Helvetica;",
            vertex="1",
            parent="1",
        )
        _geometry(header, box.x, box.y, box.w, box.h)


def _lanes(root: ET.Element, boxes: Mapping[tuple[str, str], Box]) -> dict[Lane, Box]:
    """A swimlane container per lane, over its band; return the bands by lane."""
    band_of: dict[Lane, Box] = {}
    for lane in Lane:
        band = band_of[lane] = boxes["band", f"sbp-lane:{lane.value}"]
        caption = boxes["caption", f"sbp-lane-caption:{lane.value}"]
        fill = band.style["fillcolor"]
        container = _cell(
            root,
            f"lane:{lane.value}",
            value=lane.caption,
            style=f"swimlane;horizontal=0;startSize={caption.w + 8:g};html=0;whiteSpace=wrap;"
            f"fillColor={fill};swimlaneFillColor={fill};"
            "strokeColor=none;fontStyle=1;fontSize=11;fontFamily=Helvetica;collapsible=0;",
            vertex="1",
            parent="1",
        )
        _geometry(container, band.x, band.y, band.w, band.h)
    return band_of


def _lines(root: ET.Element, scene: Scene) -> None:
    lines = {path.ident: path for path in scene.paths if path.role == "line"}
    for line in Line:
        (x0, y0), (x1, y1) = lines[f"sbp-line:{line.value}:0"].points
        edge = _cell(
            root,
            f"line:{line.value}",
            value=line.caption,
            style=f"endArrow=none;dashed=1;html=0;strokeColor={_LINE_COLOUR};strokeWidth=1.2;"
            "fontSize=8;labelBackgroundColor=none;align=left;verticalAlign=bottom;"
            "fontFamily=Helvetica;",
            edge="1",
            parent="1",
        )
        geometry = ET.SubElement(edge, "mxGeometry", {"relative": "1", "as": "geometry"})
        _point(geometry, x0, y0, {"as": "sourcePoint"})
        _point(geometry, x1, y1, {"as": "targetPoint"})


def _step(
    root: ET.Element, step: Step, box: Box, band_of: Mapping[Lane, Box], rating: float | None
) -> None:
    """A step's shape, placed in its lane's container."""
    band = band_of[step.lane]
    shape = _cell(
        root,
        f"step:{step.id}",
        value=_step_label(step, rating),
        style=_step_style(step, rating),
        vertex="1",
        parent=f"lane:{step.lane.value}",
    )
    _geometry(shape, box.x - band.x, box.y - band.y, box.w, box.h)


def _badges(root: ET.Element, box: Box, boxes: Mapping[tuple[str, str], Box]) -> None:
    """The markers the SVG draws on the step of *box*, as children of its shape."""
    step_id = box.ident
    for role, (text, badge_style) in _BADGES.items():
        badge = boxes.get(("badge", f"sbp-badge:{role}:{step_id}"))
        if badge is None:
            continue
        marker = _cell(
            root,
            f"badge:{role}:{step_id}",
            value=text,
            style=_style({**_BADGE_STYLE, **badge_style}),
            vertex="1",
            parent=f"step:{step_id}",
        )
        _geometry(marker, badge.x - box.x, badge.y - box.y, badge.w, badge.h)


def _evidence(root: ET.Element, bp: Blueprint, scene: Scene, pe: Box) -> None:
    """Every evidence item, a note in the physical-evidence lane's container."""
    for box in scene.boxes:
        if box.role != "evidence":
            continue
        step_id, number = box.ident.removeprefix("sbp-evidence:").rsplit(":", 1)
        note = _cell(
            root,
            f"evidence:{step_id}:{number}",
            value=bp[step_id].evidence[int(number)],
            style="shape=note;size=8;whiteSpace=wrap;html=0;fontSize=9;fontFamily=Helvetica;"
            "fillColor=#ffffff;strokeColor=#8c8c8c;",
            vertex="1",
            parent=f"lane:{Lane.PHYSICAL_EVIDENCE.value}",
        )
        _geometry(note, box.x - pe.x, box.y - pe.y, box.w, box.h)


def _flow(root: ET.Element, i: int, flow: Flow, path: Path, placed: Mapping[str, Box]) -> None:
    """A connector bound to the flow's two steps, leaving and entering where the SVG's does."""
    source, target = placed[flow.source], placed[flow.target]
    (sx, sy), (tx, ty) = path.points[0], path.points[-1]
    ends = {
        "exitX": (sx - source.x) / source.w,
        "exitY": (sy - source.y) / source.h,
        "entryX": (tx - target.x) / target.w,
        "entryY": (ty - target.y) / target.h,
    }
    edge = _cell(
        root,
        f"flow:{i}",
        value=_flow_label(flow),
        style="rounded=0;html=0;fontSize=8.5;fontFamily=Helvetica;"
        + "".join(f"{key}={value:.4g};" for key, value in ends.items())
        + "exitPerimeter=0;entryPerimeter=0;"
        + (
            f"strokeColor={_SUPPORT_COLOUR};dashed=1;endArrow=open;"
            if flow.kind is FlowKind.SUPPORT
            else f"strokeColor={_SEQUENCE_COLOUR};endArrow=block;endFill=1;"
        ),
        edge="1",
        parent="1",
        source=f"step:{flow.source}",
        target=f"step:{flow.target}",
    )
    geometry = ET.SubElement(edge, "mxGeometry", {"relative": "1", "as": "geometry"})
    bends = path.points[1:-1]
    if bends:
        array = ET.SubElement(geometry, "Array", {"as": "points"})
        for x, y in bends:
            _point(array, x, y)
