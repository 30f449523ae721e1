"""The flows of a blueprint picture as points: ports on the boxes, then the polylines.

Each side's flows are spread along it, in the order of their other ends
(left to right on top and bottom, top to bottom on the left and right), so
that they need not cross next to the box; a flow entering on the left has
its label just above it. Each polyline then runs from its source's port
along its route's stretches (:mod:`._scene_routes`) to its target's port.
"""

from __future__ import annotations

import itertools
import math
from collections import defaultdict
from collections.abc import Mapping, Sequence

import attrs

from servicebp.model import FlowKind
from servicebp.rendering._scene_frame import Context, Frame
from servicebp.rendering._scene_routes import Route
from servicebp.rendering._scene_shapes import (
    LABEL_FONT,
    LABEL_LINE,
    SEQUENCE_COLOUR,
    SUPPORT_COLOUR,
    Box,
    Path,
    markers,
    text_box_width,
)

__all__ = ["Rect", "flow_paths"]

#: A box's x, y, width and height.
Rect = tuple[float, float, float, float]
_Points = list[tuple[float, float]]


def flow_paths(
    ctx: Context,
    routes: Sequence[Route],
    frame: Frame,
    labels: Mapping[int, list[str]],
    placed: Mapping[str, Rect],
) -> tuple[list[Path], list[Box]]:
    """Every flow's path, in the routes' order, and the boxes of their labels."""
    port, label_at = _ports(ctx, routes, placed, labels)
    tracer = _Tracer(routes=routes, frame=frame, placed=placed, port=port)
    traced = tracer.settle()
    paths: list[Path] = []
    label_boxes: list[Box] = []
    for number, route in enumerate(routes):
        flow = route.flow
        support = flow.kind is FlowKind.SUPPORT
        paths.append(
            Path(
                ident=f"sbp-flow:{flow.source}:{flow.target}",
                role="flow",
                tail=ctx.names[flow.source],
                head=ctx.names[flow.target],
                points=tuple(traced[number]),
                arrow=True,
                style={
                    "color": SUPPORT_COLOUR if support else SEQUENCE_COLOUR,
                    "penwidth": "1.1" if support else "1.3",
                    "arrowhead": "vee" if support else "normal",
                    "class": "sbp-flow sbp-support" if support else "sbp-flow sbp-sequence",
                },
            )
        )
        if number in labels:
            label_boxes.append(_label_box(number, route, labels[number], label_at[number], placed))
    return paths, label_boxes


def _label_box(
    number: int,
    route: Route,
    text: list[str],
    at: tuple[float, float],
    placed: Mapping[str, Rect],
) -> Box:
    """A flow's label, right-aligned just left of its target, above the flow."""
    flow = route.flow
    top, height = at
    label_w = text_box_width(text, LABEL_FONT) + 4
    support = flow.kind is FlowKind.SUPPORT
    return Box(
        name=f"lab{number}",
        ident=f"sbp-label:{flow.source}:{flow.target}",
        role="label",
        x=placed[flow.target][0] - 4 - label_w,
        y=top,
        w=label_w,
        h=height,
        lines=tuple(text),
        size=LABEL_FONT,
        style={
            "color": "transparent",
            "fillcolor": "transparent",
            "fontcolor": SUPPORT_COLOUR if support else SEQUENCE_COLOUR,
        },
        classes=("sbp-label",),
    )


def _ports(
    ctx: Context,
    routes: Sequence[Route],
    placed: Mapping[str, Rect],
    labels: Mapping[int, list[str]],
) -> tuple[dict[tuple[int, str], float], dict[int, tuple[float, float]]]:
    """Each flow end's place along its side ("src" or "dst"), and each label's (top, height)."""
    port: dict[tuple[int, str], float] = {}
    label_at: dict[int, tuple[float, float]] = {}
    for (step_id, side), users in sorted(_by_side(ctx, routes).items()):
        bx, by, w, h = placed[step_id]
        users.sort()
        ordered = [number for _, number in users]
        roles = ["src" if routes[n].flow.source == step_id else "dst" for n in ordered]
        if side in ("top", "bottom"):
            edge = 26.0 if markers(ctx.step_of[step_id]) and side == "top" else 12.0
            lo, hi = bx + edge, bx + w - edge
            for i, (n, which) in enumerate(zip(ordered, roles, strict=True)):
                port[n, which] = lo + (hi - lo) * (i + 1) / (len(ordered) + 1)
            continue
        # Left and right sides: each label just above its flow.
        heights = [
            len(labels[n]) * LABEL_LINE + 3 if which == "dst" and n in labels else 0.0
            for n, which in zip(ordered, roles, strict=True)
        ]
        block = sum(hh + 8 for hh in heights)
        cursor = by + (h - block) / 2
        for n, which, hh in zip(ordered, roles, heights, strict=True):
            if hh:
                label_at[n] = (cursor, hh)
            port[n, which] = cursor + hh + 4
            cursor += hh + 8
    return port, label_at


def _by_side(
    ctx: Context, routes: Sequence[Route]
) -> dict[tuple[str, str], list[tuple[tuple[int, ...], int]]]:
    """The flow ends on each (step, side), each with the sort key of its other end."""
    by_side: dict[tuple[str, str], list[tuple[tuple[int, ...], int]]] = defaultdict(list)
    for number, route in enumerate(routes):
        la, ca, sa = ctx.where[route.flow.source]
        lb, cb, sb = ctx.where[route.flow.target]
        across = route.exit in ("top", "bottom")
        by_side[route.flow.source, route.exit].append(
            ((cb, lb, sb, number) if across else (lb, sb, cb, number), number)
        )
        across = route.entry in ("top", "bottom")
        by_side[route.flow.target, route.entry].append(
            ((ca, la, sa, number) if across else (la, sa, ca, number), number)
        )
    return by_side


@attrs.frozen(kw_only=True)
class _Tracer:
    """Draws each route's polyline from its ports, and moves ports until no two run along."""

    routes: Sequence[Route]
    frame: Frame
    placed: Mapping[str, Rect]
    port: dict[tuple[int, str], float]

    def trace(self, number: int) -> _Points:
        """Route *number*'s points, from its source's port to its target's."""
        route = self.routes[number]
        keys = self.frame.stretches.keys[number]
        first = _port_point(route.exit, self.placed[route.flow.source], self.port[number, "src"])
        final = _port_point(route.entry, self.placed[route.flow.target], self.port[number, "dst"])
        points: _Points = [first]
        for stretch, (kind, a, b) in zip(keys, route.corridors, strict=True):
            if kind == "t":
                points.append((points[-1][0], self.frame.track_y(stretch, a, b)))
            else:
                points.append((self.frame.gutter_x(stretch, a), points[-1][1]))
        corner = points[-1]
        if route.entry in ("top", "bottom"):
            points.append((final[0], corner[1]))
        else:
            points.append((corner[0], final[1]))
        points.append(final)
        return _simplify(points)

    def settle(self) -> list[_Points]:
        """Every route's points, once no flow runs along another next to a box.

        A flow leaving a box sideways can meet, at the same height, one
        entering the box across the gutter: move the leaving one's port.
        Likewise a flow leaving a box's bottom can run down the same line as
        one entering the box below it from the top: move one of the two ports.
        """
        routes, port = self.routes, self.port
        traced = [self.trace(number) for number in range(len(routes))]
        for _ in range(4):
            conflicts = _conflicting_exits(traced, routes)
            for number in sorted(conflicts):
                box = self.placed[routes[number].flow.source]
                shifted = port[number, "src"] + 5
                if shifted > box[1] + box[3] - 4:
                    shifted = port[number, "src"] - 10
                port[number, "src"] = shifted
                traced[number] = self.trace(number)
            stubs = _conflicting_stubs(traced, routes)
            for number, which in sorted(stubs):
                route = routes[number]
                box = self.placed[route.flow.source if which == "src" else route.flow.target]
                shifted = port[number, which] + 9
                if shifted > box[0] + box[2] - 8:
                    shifted = port[number, which] - 18
                port[number, which] = shifted
                traced[number] = self.trace(number)
            if not conflicts and not stubs:
                break
        return traced


def _port_point(side: str, box: Rect, at: float) -> tuple[float, float]:
    x, y, w, h = box
    if side == "top":
        return (at, y)
    if side == "bottom":
        return (at, y + h)
    if side == "left":
        return (x, at)
    return (x + w, at)


def _conflicting_exits(traced: list[_Points], routes: Sequence[Route]) -> set[int]:
    """The flows whose sideways first leg runs along another flow's horizontal stretch.

    A sweep over the horizontal stretches, by height then from left to right.
    """
    legs: list[tuple[float, float, float, int, bool]] = []
    for number, points in enumerate(traced):
        for i, (p0, p1) in enumerate(itertools.pairwise(points)):
            if abs(p0[1] - p1[1]) < 0.01:
                sideways = i == 0 and routes[number].exit in ("left", "right")
                legs.append((p0[1], min(p0[0], p1[0]), max(p0[0], p1[0]), number, sideways))
    legs.sort()
    found: set[int] = set()
    start = 0
    while start < len(legs):
        end = start + 1
        while end < len(legs) and legs[end][0] - legs[end - 1][0] < 2:
            end += 1
        active: list[tuple[float, float, float, int, bool]] = []
        for leg in sorted(legs[start:end], key=lambda leg: leg[1]):
            active = [other for other in active if other[2] - leg[1] > 0.5]
            for other in active:
                if other[3] != leg[3] and abs(other[0] - leg[0]) < 2 and (other[4] or leg[4]):
                    found.add(leg[3] if leg[4] else other[3])
            active.append(leg)
        start = end
    return found


def _conflicting_stubs(traced: list[_Points], routes: Sequence[Route]) -> set[tuple[int, str]]:
    """The flows whose first or last leg, up or down from a box, runs along another flow.

    Each as the flow's number and the end to move ("src" or "dst"); of two
    such legs on one line, the later flow's moves.
    """
    stubs: list[tuple[int, str, float, float, float]] = []
    uprights: list[tuple[int, float, float, float]] = []
    for number, points in enumerate(traced):
        last = len(points) - 2
        for i, (p0, p1) in enumerate(itertools.pairwise(points)):
            if abs(p0[0] - p1[0]) >= 0.01:
                continue
            lo, hi = min(p0[1], p1[1]), max(p0[1], p1[1])
            uprights.append((number, p0[0], lo, hi))
            if i == 0 and routes[number].exit in ("top", "bottom"):
                stubs.append((number, "src", p0[0], lo, hi))
            elif i == last and routes[number].entry in ("top", "bottom"):
                stubs.append((number, "dst", p0[0], lo, hi))
    # Uprights by x in buckets 3 wide: any within 1.5 of x is in x's bucket or
    # a neighbour, so each stub looks at the few uprights near it, not all.
    near: dict[int, list[tuple[int, float, float, float]]] = defaultdict(list)
    for upright in uprights:
        near[math.floor(upright[1] / 3)].append(upright)
    stub_xs: dict[int, list[float]] = defaultdict(list)
    for stub in stubs:
        stub_xs[stub[0]].append(stub[2])
    found: set[tuple[int, str]] = set()
    for number, which, x, lo, hi in stubs:
        bucket = math.floor(x / 3)
        for k in (bucket - 1, bucket, bucket + 1):
            for other, ox, olo, ohi in near.get(k, ()):
                if other == number or abs(ox - x) >= 1.5 or min(hi, ohi) - max(lo, olo) <= 1:
                    continue
                other_is_stub = any(abs(sx - ox) < 0.01 for sx in stub_xs.get(other, ()))
                if not other_is_stub or number > other:
                    found.add((number, which))
    return found


def _simplify(points: _Points) -> _Points:
    """Drop repeated points and points in the middle of a straight stretch."""
    out: _Points = []
    for point in points:
        point = (round(point[0], 2), round(point[1], 2))
        if out and point == out[-1]:
            continue
        if len(out) >= 2:
            (x0, y0), (x1, y1) = out[-2], out[-1]
            if (x0 == x1 == point[0]) or (y0 == y1 == point[1]):
                out[-1] = point
                continue
        out.append(point)
    return out
