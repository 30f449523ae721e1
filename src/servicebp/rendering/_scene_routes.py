"""Which corridors each flow of a blueprint picture runs along, in grid terms.

A place in the grid is ``(lane, column, slot)``. Each lane is a stack of
slots with a *track* above and below every slot (track ``s`` above slot
``s``); each column has a *gutter* before it (gutter ``c`` left of column
``c``). A route leaves its source at one side, runs along tracks and
gutters in turn and enters its target at one side; it never crosses a box.
Within one corridor each stretch of a route gets a number of its own
(:func:`colour_stretches`), so no two flows run on top of each other.
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import attrs

from servicebp.model import Flow
from servicebp.rendering._scene_shapes import flow_label

__all__ = ["Corridor", "Route", "Stretches", "Where", "choose_routes", "colour_stretches"]

#: A place in the grid: lane position, column, slot.
Where = tuple[int, int, int]
#: A track ``("t", lane, track)`` or a gutter ``("g", gutter, 0)``.
Corridor = tuple[str, int, int]


@attrs.frozen(kw_only=True)
class Route:
    """A flow's way: out of its source's *exit* side, along corridors, into *entry*.

    Corridors alternate between tracks (horizontal, keyed by lane and track
    number) and gutters (vertical, keyed by gutter number).
    """

    flow: Flow
    exit: str
    entry: str
    corridors: list[Corridor]


@attrs.frozen(kw_only=True)
class Stretches:
    """Each route's stretches, numbered, and where in its corridor each one runs.

    ``keys[n]`` holds the stretch numbers of route *n*, one per corridor;
    ``offset`` gives each stretch its place in its corridor (0 nearest the
    corridor's top or left); the counts say how many places each track and
    gutter needs.
    """

    keys: list[list[int]]
    offset: dict[int, int]
    track_count: dict[tuple[int, int], int]
    gutter_count: dict[int, int]


def choose_routes(
    flows: Sequence[Flow],
    where: Mapping[str, Where],
    in_column: Mapping[int, Sequence[tuple[int, int]]],
) -> list[Route]:
    """The route of each flow, in the order given.

    *in_column* holds, for each column, the levels ``(lane, 2 * slot + 1)``
    taken by a box; a flow straight down or up its column goes only where
    none is in the way.
    """

    def clear(column: int, upper: tuple[int, int], lower: tuple[int, int]) -> bool:
        return not any(upper < at < lower for at in in_column.get(column, ()))

    return [_route(flow, where, clear) for flow in flows]


def _route(
    flow: Flow,
    where: Mapping[str, Where],
    clear: Callable[[int, tuple[int, int], tuple[int, int]], bool],
) -> Route:
    la, ca, sa = where[flow.source]
    lb, cb, sb = where[flow.target]
    if la == lb and ca < cb:
        corridors = (
            [("g", cb, 0)] if ca + 1 == cb else [("g", ca + 1, 0), ("t", la, sa), ("g", cb, 0)]
        )
        return Route(flow=flow, exit="right", entry="left", corridors=corridors)
    down = (la, sa) < (lb, sb)
    # A labelled flow enters from the left, its label in the gutter before the target.
    if flow_label(flow):
        if down:
            return Route(
                flow=flow, exit="bottom", entry="left", corridors=[("t", la, sa + 1), ("g", cb, 0)]
            )
        return Route(flow=flow, exit="top", entry="left", corridors=[("t", la, sa), ("g", cb, 0)])
    if la == lb and ca > cb:
        if sa == sb:
            corridors = [("t", la, sa)]
        else:
            corridors = [("t", la, sa), ("g", cb + 1, 0), ("t", lb, sb)]
        return Route(flow=flow, exit="top", entry="top", corridors=corridors)
    gutter = cb if ca <= cb else cb + 1
    if down:
        if ca == cb and clear(ca, (la, 2 * sa + 1), (lb, 2 * sb + 1)):
            corridors = [("t", lb, sb)]
        else:
            corridors = [("t", la, sa + 1), ("g", gutter, 0), ("t", lb, sb)]
        return Route(flow=flow, exit="bottom", entry="top", corridors=corridors)
    if ca == cb and clear(ca, (lb, 2 * sb + 1), (la, 2 * sa + 1)):
        corridors = [("t", lb, sb + 1)]
    else:
        corridors = [("t", la, sa), ("g", gutter, 0), ("t", lb, sb + 1)]
    return Route(flow=flow, exit="top", entry="bottom", corridors=corridors)


def colour_stretches(routes: Sequence[Route], where: Mapping[str, Where]) -> Stretches:
    """Number every stretch and give each a place in its corridor no overlapping one has."""
    track_intervals: dict[tuple[int, int], list[tuple[int, int, int]]] = defaultdict(list)
    gutter_intervals: dict[int, list[tuple[tuple[int, int], tuple[int, int], int]]] = defaultdict(
        list
    )
    keys: list[list[int]] = []
    stretch_key = 0
    for route in routes:
        keys.append([])
        # Each corridor's neighbours: the port before it, the corridor after it.
        chain: list[tuple[Any, ...]] = [
            ("p", *where[route.flow.source]),
            *route.corridors,
            ("p", *where[route.flow.target]),
        ]
        for before, here, after in zip(chain, chain[1:], chain[2:], strict=False):
            keys[-1].append(stretch_key)
            if here[0] == "t":
                ends = [_x_of(before), _x_of(after)]
                track_intervals[here[1], here[2]].append((min(ends), max(ends), stretch_key))
            else:
                vends = [_y_of(before), _y_of(after)]
                gutter_intervals[here[1]].append((min(vends), max(vends), stretch_key))
            stretch_key += 1
    offset: dict[int, int] = {}
    track_count: dict[tuple[int, int], int] = {}
    for track, intervals in track_intervals.items():
        given, count = _colour(intervals)
        offset.update(given)
        track_count[track] = count
    gutter_count: dict[int, int] = {}
    for gutter, vintervals in gutter_intervals.items():
        order = sorted(vintervals)
        rank = {v: i for i, v in enumerate(sorted({e for lo, hi, _ in order for e in (lo, hi)}))}
        given, count = _colour([(rank[lo], rank[hi], key) for lo, hi, key in order])
        offset.update(given)
        gutter_count[gutter] = count
    return Stretches(keys=keys, offset=offset, track_count=track_count, gutter_count=gutter_count)


def _colour(intervals: list[tuple[int, int, int]]) -> tuple[dict[int, int], int]:
    """Give each (lo, hi, key) interval the smallest number no overlapping one has.

    The numbers of the intervals that ended are kept in a heap, so the
    smallest free one costs a logarithm, not a scan of every open interval
    (thousands share a gutter in a wide fan-out).
    """
    given: dict[int, int] = {}
    active: list[tuple[int, int]] = []  # a heap of (end, number)
    free: list[int] = []  # a heap of the numbers no open interval has
    count = 0
    for lo, hi, key in sorted(intervals):
        while active and active[0][0] < lo:
            heapq.heappush(free, heapq.heappop(active)[1])
        if free:
            colour = heapq.heappop(free)
        else:
            colour, count = count, count + 1
        given[key] = colour
        heapq.heappush(active, (hi, colour))
    return given, count


def _x_of(thing: tuple[Any, ...]) -> int:
    """A thing's place along a track: gutters even, columns odd."""
    if thing[0] == "g":
        return 2 * int(thing[1])
    if thing[0] == "p":
        return 2 * int(thing[2]) + 1
    raise AssertionError(thing)


def _y_of(thing: tuple[Any, ...]) -> tuple[int, int]:
    """A thing's level along a gutter: tracks even, slots odd, lane by lane."""
    if thing[0] == "t":
        return (thing[1], 2 * thing[2])
    if thing[0] == "p":
        return (thing[1], 2 * thing[3] + 1)
    raise AssertionError(thing)
