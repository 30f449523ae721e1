"""Blueprints as diagrams.net (draw.io) files: editable shapes on the SVG's grid.

The file is one ``mxfile`` with one ``diagram``: a swimlane container per
lane (its caption on the left), a header bar per stage, the line of
interaction, the line of visibility and the line of internal interaction as
labelled dashed lines between the lanes, every step a shape inside its lane
and every flow a connector bound to its two steps, so that moving a shape in
diagrams.net drags its flows along. Steps sit in the columns the SVG
renderer computes (:func:`servicebp.rendering._layout.grid_of`), so both
pictures agree, and are styled like it: a moment of truth has a double
border and a ``[MOT: kind]`` tag, a fail point ``(F)`` and a red border, a
wait ``(W 15 min)`` (thick orange border over tolerance), and a rating
colours the step on the same ColorBrewer palette.

Cell ids are ``lane:<lane>``, ``stage:<n>``, ``line:<line>``,
``step:<step id>`` and ``flow:<n>``. All text is written through
:mod:`xml.etree.ElementTree`, which escapes it; characters XML cannot hold
become U+FFFD.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from typing import Final

from servicebp.errors import UnknownStepError
from servicebp.model import Blueprint, Flow, FlowKind, Lane, Line, Step
from servicebp.rendering._layout import grid_of
from servicebp.rendering._palette import RATING_COLOURS, RATING_TEXT_COLOURS, rating_class

__all__ = ["to_drawio"]

_CAPTION: Final = 120
_COLUMN: Final = 170
_STEP_WIDTH: Final = 150
_STEP_HEIGHT: Final = 70
_LANE_HEIGHT: Final = 110
_HEADER: Final = 40
_BAND_FILL: Final = {
    Lane.PHYSICAL_EVIDENCE: "#f4f4f4",
    Lane.CUSTOMER: "#fbfbfb",
    Lane.FRONTSTAGE: "#f4f4f4",
    Lane.BACKSTAGE: "#fbfbfb",
    Lane.SUPPORT: "#f4f4f4",
}
_LINE_COLOUR: Final = "#555555"
_FAIL_COLOUR: Final = "#b2182b"
_OVER_WAIT_COLOUR: Final = "#e66101"
#: What XML 1.0 cannot hold (and U+FFFE/U+FFFF, which it forbids too).
_NOT_XML: Final = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _xml_text(text: str) -> str:
    return _NOT_XML.sub("\ufffd", text)


def _minutes(value: float) -> str:
    return f"{value:g} min"


def _score(rating: float) -> str:
    text = f"{rating:+.2f}".rstrip("0").rstrip(".")
    return "+0" if text in ("-0", "+0") else text


def _step_label(step: Step, rating: float | None) -> str:
    lines: list[str] = []
    if step.moment is not None:
        lines.append(f"[MOT: {step.moment.kind.value}]")
    lines.append(step.label)
    markers: list[str] = []
    if step.fail_point is not None:
        markers.append("(F)")
    if step.wait is not None:
        wait = f"(W {_minutes(step.wait.duration)}"
        if step.wait.over_tolerance and step.wait.tolerance is not None:
            wait += f" > {_minutes(step.wait.tolerance)}!"
        markers.append(wait + ")")
    if markers:
        lines.append(" ".join(markers))
    if rating is not None:
        lines.append(f"score {_score(rating)}")
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
        # The SVG's double border (Graphviz peripheries=2).
        style.update(shape="ext", double=1, strokeWidth=1.5)
    if rating is not None:
        whole = rating_class(rating)
        style.update(fillColor=RATING_COLOURS[whole], fontColor=RATING_TEXT_COLOURS[whole])
    if step.wait is not None and step.wait.over_tolerance:
        style.update(strokeColor=_OVER_WAIT_COLOUR, strokeWidth=3)
    elif step.fail_point is not None:
        style.update(strokeColor=_FAIL_COLOUR, strokeWidth=2.5)
    return "".join(f"{key}={value};" for key, value in style.items())


def _flow_label(flow: Flow) -> str:
    parts = [flow.label] if flow.label is not None else []
    if flow.probability is not None:
        parts.append(f"p = {flow.probability * 100:g} %")
    return "\n".join(parts)


def _shown(bp: Blueprint, ratings: Mapping[str, float] | None) -> dict[str, float]:
    given = dict(ratings or {})
    for step_id in sorted(given):
        if step_id not in bp:
            raise UnknownStepError(step_id, known=[s.id for s in bp.steps()])
        rating_class(given[step_id])
    shown: dict[str, float] = {}
    for step in bp.steps():
        value = given.get(step.id, step.rating)
        if value is not None:
            shown[step.id] = value
    return shown


def _cell(root: ET.Element, cell_id: str, **attributes: str) -> ET.Element:
    cell = ET.SubElement(root, "mxCell", {"id": _xml_text(cell_id)})
    for key, value in attributes.items():
        cell.set(key, _xml_text(value))
    return cell


def _geometry(cell: ET.Element, x: float, y: float, width: float, height: float) -> None:
    ET.SubElement(
        cell,
        "mxGeometry",
        {
            "x": f"{x:g}",
            "y": f"{y:g}",
            "width": f"{width:g}",
            "height": f"{height:g}",
            "as": "geometry",
        },
    )


def to_drawio(bp: Blueprint, *, ratings: Mapping[str, float] | None = None) -> str:
    """Return *bp* as the text of a diagrams.net (``.drawio``) file.

    Parameters
    ----------
    bp : Blueprint
        The blueprint.
    ratings : mapping of step id to float, optional
        Ratings (−3 … +3) to colour steps with; a step without one falls back
        to its designed rating.

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
    shown = _shown(bp, ratings)
    grid = grid_of(bp)
    width = _CAPTION + max(grid.width, 1) * _COLUMN
    # Alternatives share a column, stacked in slots (Grid.slot): a lane is as
    # tall as its most slots.
    slots = dict.fromkeys(Lane, 1)
    for step in bp.steps():
        slots[step.lane] = max(slots[step.lane], grid.slot.get(step.id, 0) + 1)
    lane_top: dict[Lane, float] = {}
    top = float(_HEADER)
    for lane in Lane:
        lane_top[lane] = top
        top += slots[lane] * _LANE_HEIGHT
    mxfile = ET.Element("mxfile", {"host": "servicebp", "type": "device"})
    diagram = ET.SubElement(mxfile, "diagram", {"id": "blueprint", "name": _xml_text(bp.name)})
    height = top
    model = ET.SubElement(
        diagram,
        "mxGraphModel",
        {
            "grid": "1",
            "gridSize": "10",
            "guides": "1",
            "connect": "1",
            "arrows": "1",
            "page": "1",
            "pageWidth": f"{width + 40}",
            "pageHeight": f"{height + 40}",
        },
    )
    root = ET.SubElement(model, "root")
    _cell(root, "0")
    _cell(root, "1", parent="0")
    for i, (stage, start, span) in enumerate(grid.stages):
        header = _cell(
            root,
            f"stage:{i}",
            value=stage,
            style="rounded=0;whiteSpace=wrap;html=0;fillColor=#dddddd;strokeColor=#dddddd;"
            "fontStyle=1;fontSize=12;fontFamily=Helvetica;",
            vertex="1",
            parent="1",
        )
        _geometry(header, _CAPTION + start * _COLUMN + 5, 0, span * _COLUMN - 10, _HEADER - 10)
    for lane in Lane:
        container = _cell(
            root,
            f"lane:{lane.value}",
            value=lane.caption,
            style=f"swimlane;horizontal=0;startSize={_CAPTION};html=0;whiteSpace=wrap;"
            f"fillColor={_BAND_FILL[lane]};swimlaneFillColor={_BAND_FILL[lane]};"
            "strokeColor=none;fontStyle=1;fontSize=12;fontFamily=Helvetica;collapsible=0;",
            vertex="1",
            parent="1",
        )
        _geometry(container, 0, lane_top[lane], width, slots[lane] * _LANE_HEIGHT)
    for line in Line:
        y = lane_top[line.below]
        edge = _cell(
            root,
            f"line:{line.value}",
            value=line.caption,
            style=f"endArrow=none;dashed=1;html=0;strokeColor={_LINE_COLOUR};strokeWidth=1.2;"
            "fontSize=9;labelBackgroundColor=none;align=left;verticalAlign=bottom;"
            "fontFamily=Helvetica;",
            edge="1",
            parent="1",
        )
        geometry = ET.SubElement(edge, "mxGeometry", {"relative": "1", "as": "geometry"})
        ET.SubElement(geometry, "mxPoint", {"x": "0", "y": f"{y}", "as": "sourcePoint"})
        ET.SubElement(geometry, "mxPoint", {"x": f"{width}", "y": f"{y}", "as": "targetPoint"})
    for step_id in grid.order:
        step = bp[step_id]
        rating = shown.get(step.id)
        shape = _cell(
            root,
            f"step:{step.id}",
            value=_step_label(step, rating),
            style=_step_style(step, rating),
            vertex="1",
            parent=f"lane:{step.lane.value}",
        )
        x = _CAPTION + grid.column[step.id] * _COLUMN + (_COLUMN - _STEP_WIDTH) / 2
        y = grid.slot.get(step.id, 0) * _LANE_HEIGHT + (_LANE_HEIGHT - _STEP_HEIGHT) / 2
        _geometry(shape, x, y, _STEP_WIDTH, _STEP_HEIGHT)
    for i, flow in enumerate(bp.flows()):
        dashed = flow.kind is FlowKind.SUPPORT
        edge = _cell(
            root,
            f"flow:{i}",
            value=_flow_label(flow),
            style="edgeStyle=orthogonalEdgeStyle;rounded=0;html=0;fontSize=9;"
            "fontFamily=Helvetica;strokeColor=#333333;"
            + ("dashed=1;endArrow=open;" if dashed else "endArrow=block;endFill=1;"),
            edge="1",
            parent="1",
            source=f"step:{flow.source}",
            target=f"step:{flow.target}",
        )
        ET.SubElement(edge, "mxGeometry", {"relative": "1", "as": "geometry"})
    ET.indent(mxfile, space="  ")
    return ET.tostring(mxfile, encoding="unicode") + "\n"
