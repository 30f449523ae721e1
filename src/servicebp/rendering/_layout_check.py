"""A layout checker: what is wrong with a rendered blueprint, read from its SVG.

:func:`check_layout` reads the SVG Graphviz drew from :func:`~servicebp.to_dot`
(any engine) and lists each defect a reader would see:

``overlap``
    Two boxes with text (steps, evidence, flow labels, markers, headers,
    captions, legend entries) on top of each other.
``crossing``
    A flow that passes through a box that is not one of its ends.
``shared-arrowhead``
    Two flows whose arrowheads touch, so that a reader counts one.
``merged``
    Two flows drawn along the same stretch, so that they read as one.
``along-line``
    A flow drawn along one of the three dashed lines.
``outside-lane`` / ``outside-stage``
    A step or evidence box out of its lane's band or its stage's column.
``text-overflow``
    A line of text wider or taller than its box, measured with DejaVu Sans,
    the font the picture names first.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import Final

import attrs

from servicebp.rendering._metrics import ascent, descent, text_width

__all__ = ["LayoutDefect", "check_layout"]

_SVG: Final = "{http://www.w3.org/2000/svg}"
_PAIR: Final = re.compile(r"(-?[\d.]+),(-?[\d.]+)")
_SOLID: Final = (
    "sbp-step",
    "sbp-evidence",
    "sbp-badge",
    "sbp-label",
    "sbp-stage",
    "sbp-caption",
    "sbp-title",
    "sbp-legend",
)
#: How far two shapes may touch before it counts (points).
_SLACK: Final = 0.75

Rect = tuple[float, float, float, float]


@attrs.frozen
class LayoutDefect:
    """One thing wrong with a picture.

    Attributes
    ----------
    kind : str
        What is wrong (see :mod:`servicebp.rendering._layout_check`).
    subject : str
        The element id it is wrong with, or two ids with a slash between them.
    detail : str
        A sentence for people.
    """

    kind: str
    subject: str
    detail: str


@attrs.frozen
class _Node:
    name: str
    ident: str
    classes: tuple[str, ...]
    rect: Rect
    texts: tuple[tuple[float, float, str, float, str, str], ...]

    def has(self, cls: str) -> bool:
        return cls in self.classes


@attrs.frozen
class _Edge:
    ident: str
    classes: tuple[str, ...]
    tail: str
    head: str
    points: tuple[tuple[float, float], ...]
    arrowhead: Rect | None


def _points(element: ET.Element) -> list[tuple[float, float]]:
    found: list[tuple[float, float]] = []
    for key in ("points", "d"):
        value = element.get(key)
        if value:
            found.extend((float(x), float(y)) for x, y in _PAIR.findall(value))
    return found


def _rect(points: list[tuple[float, float]]) -> Rect:
    xs = [x for x, _ in points]
    ys = [y for _, y in points]
    return (min(xs), min(ys), max(xs), max(ys))


def _parse(svg: str) -> tuple[list[_Node], list[_Edge]]:
    root = ET.fromstring(svg)
    nodes: list[_Node] = []
    edges: list[_Edge] = []
    for g in root.iter(f"{_SVG}g"):
        classes = tuple((g.get("class") or "").split())
        title = g.find(f"{_SVG}title")
        name = (title.text or "") if title is not None else ""
        if "node" in classes:
            shapes = [p for el in g if el.tag != f"{_SVG}text" for p in _points(el)]
            if not shapes:
                continue
            texts = tuple(
                (
                    float(t.get("x", "0")),
                    float(t.get("y", "0")),
                    t.get("text-anchor", "start"),
                    float(t.get("font-size", "14")),
                    t.text or "",
                    t.get("font-family", ""),
                )
                for t in g.iter(f"{_SVG}text")
            )
            nodes.append(_Node(name, g.get("id", ""), classes, _rect(shapes), texts))
        elif "edge" in classes:
            path = g.find(f"{_SVG}path")
            head = g.find(f"{_SVG}polygon")
            tail_name, _, head_name = name.partition("->")
            edges.append(
                _Edge(
                    g.get("id", ""),
                    classes,
                    tail_name,
                    head_name,
                    tuple(_points(path)) if path is not None else (),
                    _rect(_points(head)) if head is not None else None,
                )
            )
    return nodes, edges


def _overlap(a: Rect, b: Rect, slack: float = _SLACK) -> bool:
    return (
        a[0] < b[2] - slack and b[0] < a[2] - slack and a[1] < b[3] - slack and b[1] < a[3] - slack
    )


def _segment_hits(p: tuple[float, float], q: tuple[float, float], r: Rect) -> bool:
    """Whether the segment p-q enters the rectangle *r* shrunk by the slack (Liang-Barsky)."""
    x0, y0, x1, y1 = r[0] + _SLACK, r[1] + _SLACK, r[2] - _SLACK, r[3] - _SLACK
    if x0 >= x1 or y0 >= y1:
        return False
    dx, dy = q[0] - p[0], q[1] - p[1]
    lo, hi = 0.0, 1.0
    for step, distance in ((-dx, p[0] - x0), (dx, x1 - p[0]), (-dy, p[1] - y0), (dy, y1 - p[1])):
        if step == 0:
            if distance < 0:
                return False
            continue
        t = distance / step
        if step < 0:
            lo = max(lo, t)
        else:
            hi = min(hi, t)
        if lo > hi:
            return False
    return hi - lo > 1e-9


def _owner(node: _Node) -> str:
    for cls in node.classes:
        if cls.startswith("sbp-badge-of-"):
            return cls.removeprefix("sbp-badge-of-")
    return node.name


def _segments(edge: _Edge) -> list[tuple[tuple[float, float], tuple[float, float]]]:
    return [(a, b) for a, b in zip(edge.points, edge.points[1:], strict=False) if a != b]


def check_layout(svg: str) -> list[LayoutDefect]:
    """Return every layout defect of the blueprint picture *svg* (none when it reads right).

    Parameters
    ----------
    svg : str
        SVG drawn by Graphviz from :func:`~servicebp.to_dot`, as
        :func:`~servicebp.render_svg` returns it.

    Returns
    -------
    list of LayoutDefect
        In the order found; empty for a clean picture.

    Examples
    --------
    >>> from servicebp import Blueprint, Step, render_svg
    >>> bp = Blueprint("Coffee", stages=["order", "pay"])
    >>> _ = bp.add_step(Step(id="order", label="Orders a latte", lane="customer", stage="order"))
    >>> _ = bp.add_step(Step(id="pay", label="Pays", lane="customer", stage="pay"))
    >>> _ = bp.connect("order", "pay", probability=0.7)
    >>> check_layout(render_svg(bp, engine="embedded"))
    []
    """
    nodes, edges = _parse(svg)
    solid = [n for n in nodes if any(n.has(c) for c in _SOLID)]
    return [
        *_overlaps(solid),
        *_flow_defects(edges, solid),
        *_placement_defects(nodes),
        *_text_defects(nodes, solid),
    ]


def _overlaps(solid: list[_Node]) -> list[LayoutDefect]:
    """Boxes on top of each other (a marker on its own step is meant to be)."""
    defects: list[LayoutDefect] = []
    ordered = sorted(solid, key=lambda n: n.rect[0])
    for i, a in enumerate(ordered):
        for b in ordered[i + 1 :]:
            if b.rect[0] >= a.rect[2]:
                break
            if _owner(a) == _owner(b) or a.has("sbp-legend-frame") or b.has("sbp-legend-frame"):
                continue
            if _overlap(a.rect, b.rect):
                defects.append(
                    LayoutDefect(
                        "overlap", f"{a.ident} / {b.ident}", "two boxes are drawn on each other"
                    )
                )
    return defects


def _flow_defects(edges: list[_Edge], solid: list[_Node]) -> list[LayoutDefect]:
    """Flows through boxes or along the lines, then flows merged or sharing an arrowhead."""
    defects: list[LayoutDefect] = []
    flows = [e for e in edges if "sbp-flow" in e.classes or "sbp-legend-flow" in e.classes]
    line_ys = [e.points[0][1] for e in edges if "sbp-line" in e.classes and e.points]
    for edge in flows:
        ends = {edge.tail, edge.head}
        for segment in _segments(edge):
            for node in solid:
                if _owner(node) in ends:
                    continue
                if _segment_hits(*segment, node.rect):
                    defects.append(
                        LayoutDefect(
                            "crossing", f"{edge.ident} / {node.ident}", "a flow runs through a box"
                        )
                    )
            (x0, y0), (x1, y1) = segment
            if abs(y0 - y1) < 0.01:
                for y in line_ys:
                    if abs(y0 - y) < 3 and abs(x1 - x0) > 4:
                        defects.append(
                            LayoutDefect(
                                "along-line", edge.ident, "a flow runs along a dashed line"
                            )
                        )
    for i, one in enumerate(flows):
        for other in flows[i + 1 :]:
            pair = f"{one.ident} / {other.ident}"
            if one.arrowhead and other.arrowhead and _overlap(one.arrowhead, other.arrowhead, -0.5):
                defects.append(LayoutDefect("shared-arrowhead", pair, "arrowheads touch"))
            if _collinear(one, other):
                defects.append(LayoutDefect("merged", pair, "two flows share a stretch"))
    return defects


def _rects_by_class(nodes: list[_Node], prefix: str, kind: str) -> dict[str, Rect]:
    """The rectangle of each node of class *kind*, by the rest of its class starting *prefix*."""
    return {
        c.removeprefix(prefix): n.rect
        for n in nodes
        for c in n.classes
        if c.startswith(prefix) and n.has(kind)
    }


def _placement_defects(nodes: list[_Node]) -> list[LayoutDefect]:
    """Boxes out of their lane's band or their stage's column."""
    defects: list[LayoutDefect] = []
    bands = _rects_by_class(nodes, "sbp-lane-", "sbp-band")
    stages = _rects_by_class(nodes, "sbp-stage-", "sbp-stage")
    for node in nodes:
        for cls in node.classes:
            if cls.startswith("sbp-in-lane-"):
                band = bands.get(cls.removeprefix("sbp-in-lane-"))
                if (
                    band is None
                    or not band[1] - _SLACK <= node.rect[1] <= node.rect[3] <= band[3] + _SLACK
                ):
                    defects.append(
                        LayoutDefect("outside-lane", node.ident, "a box is out of its lane")
                    )
            if cls.startswith("sbp-in-stage-"):
                column = stages.get(cls.removeprefix("sbp-in-stage-"))
                if (
                    column is None
                    or not column[0] - _SLACK <= node.rect[0] <= node.rect[2] <= column[2] + _SLACK
                ):
                    defects.append(
                        LayoutDefect("outside-stage", node.ident, "a box is out of its stage")
                    )
    return defects


def _text_defects(nodes: list[_Node], solid: list[_Node]) -> list[LayoutDefect]:
    """Text outside its box, in a font not measured, or under a marker on its box."""
    defects: list[LayoutDefect] = []
    badges: dict[str, list[Rect]] = {}
    for node in nodes:
        if node.has("sbp-badge"):
            badges.setdefault(_owner(node), []).append(node.rect)
    for node in solid:
        left, top, right, bottom = node.rect
        for x, y, anchor, size, content, family in node.texts:
            width = text_width(content, size)
            start = {"middle": x - width / 2, "end": x - width}.get(anchor, x)
            extent = (start, y - ascent(size), start + width, y + descent(size))
            if not family.startswith("DejaVu Sans"):
                defects.append(
                    LayoutDefect("text-overflow", node.ident, f"unmeasured font {family!r}")
                )
            inside = (
                left + 0.5 <= extent[0]
                and extent[2] <= right - 0.5
                and top - _SLACK <= extent[1]
                and extent[3] <= bottom + _SLACK
            )
            if not inside:
                defects.append(
                    LayoutDefect("text-overflow", node.ident, f"{content!r} does not fit its box")
                )
            if not node.has("sbp-badge") and any(
                _overlap(extent, badge) for badge in badges.get(node.name, [])
            ):
                defects.append(
                    LayoutDefect("overlap", node.ident, f"{content!r} runs under a marker")
                )
    return defects


def _collinear(a: _Edge, b: _Edge) -> bool:
    for p0, p1 in _segments(a):
        for q0, q1 in _segments(b):
            if abs(p0[1] - p1[1]) < 0.01 and abs(q0[1] - q1[1]) < 0.01 and abs(p0[1] - q0[1]) < 1.5:
                lo = max(min(p0[0], p1[0]), min(q0[0], q1[0]))
                hi = min(max(p0[0], p1[0]), max(q0[0], q1[0]))
                if hi - lo > 1:
                    return True
            if abs(p0[0] - p1[0]) < 0.01 and abs(q0[0] - q1[0]) < 0.01 and abs(p0[0] - q0[0]) < 1.5:
                lo = max(min(p0[1], p1[1]), min(q0[1], q1[1]))
                hi = min(max(p0[1], p1[1]), max(q0[1], q1[1]))
                if hi - lo > 1:
                    return True
    return False
