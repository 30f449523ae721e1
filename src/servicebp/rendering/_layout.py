"""Where each step goes in the blueprint's grid: lanes are rows, stages columns.

A stage is as many columns wide as its busiest lane needs. Inside a lane
and stage, steps keep the order of the sequence flows between them (then
insertion order); alternatives (steps of one lane and stage that the
sequence flows reach at the same depth, such as "pays at the till" and "pays
with the app" after "orders") share a column and are stacked in slots.
A step is put in the column of the first step it is connected to in the
same stage when that column is free, so that a customer
action and the frontstage step serving it line up vertically; the unlinked
steps before it in its lane go just left of it (the stage widens to the
left if need be).
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Callable, Mapping
from typing import Final

import attrs

from servicebp.model import Blueprint, FlowKind, Lane, Step

__all__ = ["Grid", "grid_of"]

#: The order in which lanes are placed: the customer's spine first.
_PLACEMENT_ORDER: Final = (
    Lane.CUSTOMER,
    Lane.FRONTSTAGE,
    Lane.BACKSTAGE,
    Lane.SUPPORT,
    Lane.PHYSICAL_EVIDENCE,
)


@attrs.frozen(kw_only=True)
class Grid:
    """Columns of the steps and of the stages.

    Attributes
    ----------
    column : dict
        Step id to its column (0-based, left to right).
    stages : tuple of (stage, first column, width)
        Each stage's columns, in time order.
    order : tuple of str
        Step ids row by row (lanes top to bottom), left to right.
    slot : dict
        Step id to its slot in its column and lane (0 at the top): the place
        of an alternative among the alternatives stacked in one column.
    """

    column: dict[str, int]
    stages: tuple[tuple[str, int, int], ...]
    order: tuple[str, ...]
    slot: dict[str, int] = attrs.field(factory=dict)

    @property
    def width(self) -> int:
        """The number of columns."""
        return sum(width for _, _, width in self.stages)


#: Each step's sequence successors and predecessors.
_Links = tuple[dict[str, list[str]], dict[str, list[str]]]


def _sequence_links(bp: Blueprint) -> _Links:
    """Each step's sequence successors and its sequence predecessors, read once."""
    after: dict[str, list[str]] = {}
    before: dict[str, list[str]] = {}
    for flow in bp.flows():
        if flow.kind is FlowKind.SEQUENCE:
            after.setdefault(flow.source, []).append(flow.target)
            before.setdefault(flow.target, []).append(flow.source)
    return after, before


def _cell_groups(
    steps: tuple[Step, ...], wanted: dict[str, float], links: _Links
) -> list[list[Step]]:
    """Order the steps of one lane and stage by their sequence flows, alternatives grouped.

    A step's depth is the longest chain of sequence flows inside the cell
    leading to it; steps of one chain of flows at the same depth are
    alternatives and form one group. Groups go in the order of the flows,
    then by the column they would like (that of a step they are connected
    to), then by insertion order; a step no flow in the cell touches is a
    group of its own. Plain dicts and heaps, not networkx graphs: a cell
    can hold 100,000 steps.
    """
    rank = {step.id: (wanted[step.id], i) for i, step in enumerate(steps)}
    by_id = {step.id: step for step in steps}
    inner = {step_id: [t for t in links[0].get(step_id, ()) if t in rank] for step_id in rank}
    depth = _depths(inner) if len(steps) >= 2 else None
    if depth is None:
        return [[step] for step in sorted(steps, key=lambda step: rank[step.id])]
    root = _components(inner, rank, links)
    groups: dict[tuple[str, int], list[str]] = {}
    for step_id in rank:
        groups.setdefault((root(step_id), depth[step_id]), []).append(step_id)
    of = {step_id: key for key, members in groups.items() for step_id in members}
    edges = {(of[a], of[b]) for a, targets in inner.items() for b in targets}
    return [
        [by_id[i] for i in sorted(groups[group], key=rank.__getitem__)]
        for group in _in_order(groups, edges, rank)
    ]


def _depths(inner: dict[str, list[str]]) -> dict[str, int] | None:
    """Each step's longest chain of flows in the cell, or None if the flows cycle."""
    indegree = dict.fromkeys(inner, 0)
    for targets in inner.values():
        for target in targets:
            indegree[target] += 1
    depth = dict.fromkeys(inner, 0)
    ready = [step_id for step_id, d in indegree.items() if d == 0]
    seen = 0
    while ready:
        step_id = ready.pop()
        seen += 1
        for target in inner[step_id]:
            depth[target] = max(depth[target], depth[step_id] + 1)
            indegree[target] -= 1
            if indegree[target] == 0:
                ready.append(target)
    return depth if seen == len(inner) else None


def _components(
    inner: dict[str, list[str]], rank: Mapping[str, object], links: _Links
) -> Callable[[str], str]:
    """The finder of each step's component: the cell's flows and a step's branches linked.

    Steps one step branches to are alternatives too when no flow joins them
    in the cell ("pays at the till" and "pays with the app" after "orders"):
    the branches of one step are linked in a star (only the components
    matter), so a fan-out of *n* branches costs *n* links, not *n*².
    """
    parent = {step_id: step_id for step_id in rank}

    def find(step_id: str) -> str:
        while parent[step_id] != step_id:
            parent[step_id] = parent[parent[step_id]]
            step_id = parent[step_id]
        return step_id

    def union(a: str, b: str) -> None:
        parent[find(a)] = find(b)

    for a, targets in inner.items():
        for b in targets:
            union(a, b)
    done: set[str] = set()
    for step_id in rank:
        for before in links[1].get(step_id, ()):
            if before in done:
                continue
            done.add(before)
            siblings = [sibling for sibling in links[0][before] if sibling in rank]
            for sibling in siblings[1:]:
                union(siblings[0], sibling)
    return find


def _in_order(
    groups: dict[tuple[str, int], list[str]],
    edges: set[tuple[tuple[str, int], tuple[str, int]]],
    rank: Mapping[str, tuple[float, int]],
) -> list[tuple[str, int]]:
    """The groups in the order of the flows between them, the least ranked first.

    A topological order that always takes the ready group of least rank
    (its first step's); ranks differ, so the order is one and only one.
    """
    key = {group: min(rank[step_id] for step_id in members) for group, members in groups.items()}
    after: dict[tuple[str, int], list[tuple[str, int]]] = {}
    indegree = dict.fromkeys(groups, 0)
    for a, b in edges:
        after.setdefault(a, []).append(b)
        indegree[b] += 1
    ready = [(key[group], group) for group, d in indegree.items() if d == 0]
    heapq.heapify(ready)
    ordered: list[tuple[str, int]] = []
    while ready:
        _, group = heapq.heappop(ready)
        ordered.append(group)
        for nxt in after.get(group, ()):
            indegree[nxt] -= 1
            if indegree[nxt] == 0:
                heapq.heappush(ready, (key[nxt], nxt))
    return ordered


def _place(steps: list[str], wanted: dict[str, float]) -> dict[str, int]:
    """Columns (relative to the stage, possibly negative) for one lane's groups, in order.

    A step linked to a step placed earlier takes that step's column when the
    steps before it allow; the unlinked steps just before it go right before
    it (left of column 0 if need be), so a sequence in this lane does not push
    it out of line with the step it serves.
    """
    placed: dict[str, int] = {}
    last = -math.inf
    waiting: list[str] = []
    for step in steps:
        if math.isinf(wanted[step]):
            waiting.append(step)
            continue
        at = int(max(wanted[step], last + 1 + len(waiting)))
        for i, step_id in enumerate(waiting):
            placed[step_id] = at - len(waiting) + i
        placed[step] = at
        last, waiting = at, []
    first = 0 if math.isinf(last) else int(last) + 1
    for i, step_id in enumerate(waiting):
        placed[step_id] = first + i
    return placed


def grid_of(bp: Blueprint) -> Grid:
    """Place every step of *bp* in a column.

    Examples
    --------
    >>> from servicebp import Step
    >>> bp = Blueprint("A", stages=["s", "t"])
    >>> for i, lane in [("a", "customer"), ("b", "customer"), ("c", "frontstage")]:
    ...     _ = bp.add_step(Step(id=i, label=i, lane=lane, stage="s"))
    >>> _ = bp.add_step(Step(id="d", label="d", lane="customer", stage="t"))
    >>> _ = bp.connect("b", "c", kind="support")
    >>> grid = grid_of(bp)
    >>> grid.column, grid.stages
    ({'a': 0, 'b': 1, 'c': 1, 'd': 2}, (('s', 0, 2), ('t', 2, 1)))
    """
    graph = bp.graph
    links = _sequence_links(bp)
    by_cell: dict[tuple[Lane, str], list[Step]] = {}
    for step in bp.steps():
        by_cell.setdefault((step.lane, step.stage), []).append(step)
    column: dict[str, int] = {}
    slot: dict[str, int] = {}
    stages: list[tuple[str, int, int]] = []
    start = 0
    for stage in bp.stages:
        local: dict[str, int] = {}
        for lane in _PLACEMENT_ORDER:
            cell = tuple(by_cell.get((lane, stage), ()))
            wanted: dict[str, float] = {}
            for step in cell:
                linked = [
                    local[other]
                    for other in (*graph.predecessors(step.id), *graph.successors(step.id))
                    if other in local
                ]
                wanted[step.id] = min(linked) if linked else math.inf
            groups = _cell_groups(cell, wanted, links)
            # A group goes where the first of its steps linked to a placed step wants.
            heads = {group[0].id: min(wanted[step.id] for step in group) for group in groups}
            at = _place([group[0].id for group in groups], heads)
            for group in groups:
                for i, step in enumerate(group):
                    local[step.id] = at[group[0].id]
                    slot[step.id] = i
        # Steps pulled left of a linked one may sit left of column 0: the
        # whole stage moves right, every lane alike, so alignments hold.
        shift = -min(local.values(), default=0)
        width = max(max(local.values(), default=-1) + shift + 1, 1)
        for step_id, offset in local.items():
            column[step_id] = start + offset + shift
        stages.append((stage, start, width))
        start += width
    order = tuple(
        step.id
        for lane in Lane
        for step in sorted(bp.steps(lane=lane), key=lambda s: (column[s.id], slot[s.id]))
    )
    return Grid(column=column, stages=tuple(stages), order=order, slot=slot)
