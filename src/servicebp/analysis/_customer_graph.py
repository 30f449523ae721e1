"""The customer lane as a weighted DAG, and what each customer step depends on.

Private helpers shared by the analyses (journeys, fail-point impact, time):
one pass over the blueprint's graph builds plain dictionaries that the
dynamic programmes then walk in linear time.

Branch probabilities
--------------------
Only sequence flows between two customer steps are branches of a journey.
Out of one step, a branch with a probability keeps it; the probability the
specified branches leave unassigned (``1 - sum``) is split evenly among the
branches without one. When every branch has a probability and they sum to
less than 1, the remainder is the chance that the customer leaves the service
at that step, and belongs to no journey. A journey starts at each entry step
with equal probability.

Dependence follows the flows
----------------------------
Every flow except one between two customer steps (those are the journey
itself) makes one step depend on the other:

- a **contact**, a flow between a customer step and a step of another lane,
  in either direction and of either kind, makes the customer step depend on
  the other one: the provider serves the customer there (and evidence is
  shown to them);
- between two steps of the provider's lanes, whatever their lanes, the flow's
  direction decides: a **support** flow's source relies on its target, and a
  **sequence** flow hands work on, so its target depends on its source.

So a chain of hand-offs serves the customer step it reaches: backstage
*take order* → support *cook* → frontstage *deliver* → customer *eats* makes
*eats* depend on *deliver*, *deliver* on *cook* and *cook* on *take order*,
and a fail point on *take order* reaches the customer. Lane depth plays no
part: a hand-off upwards (support to frontstage) is as real as one downwards.

Waits
-----
A wait blocks every customer step that depends on its step, but a journey
counts it once, at the first of its steps that it blocks
(:class:`servicebp.analysis._waits.Waits`).
"""

from __future__ import annotations

import heapq
from collections.abc import Hashable, Iterable, Iterator, Mapping
from typing import Any, Protocol, TypeVar

import attrs
import networkx as nx

from servicebp.errors import (
    BlueprintValidationError,
    LoopError,
    Problem,
    UnknownStepError,
)
from servicebp.model import Blueprint, Flow, FlowKind, Lane, Step
from servicebp.model._blueprint import PROBABILITY_TOLERANCE

#: A node of a DAG walked by the dynamic programmes: a step id, or a state.
Node = TypeVar("Node", bound=Hashable)
_N = TypeVar("_N", bound=Hashable, covariant=True)


class Dag(Protocol[_N]):
    """What the dynamic programmes walk: :class:`CustomerGraph` or :class:`StateGraph`.

    ``order`` is a topological order, ``successors[v]`` the ``(node, branch
    probability)`` pairs out of *v*, ``start[v]`` the probability that a
    journey starts at *v*.
    """

    @property
    def order(self) -> tuple[_N, ...]: ...
    @property
    def successors(self) -> Mapping[Any, tuple[tuple[_N, float], ...]]: ...
    @property
    def entries(self) -> tuple[_N, ...]: ...
    @property
    def start(self) -> Mapping[Any, float]: ...


__all__ = [
    "CustomerGraph",
    "Dag",
    "Dependents",
    "customer_graph",
    "dependence_edges",
    "dependence_graph",
    "dependent_closure",
    "has_customer_loop",
    "reach",
    "require_fail_point",
    "visits",
]


@attrs.frozen(kw_only=True)
class CustomerGraph:
    """The customer lane's sequence flows, ready for dynamic programming.

    ``order`` is a topological order (ties broken by stage, then insertion);
    ``successors[v]`` and ``predecessors[v]`` list ``(step id, branch
    probability)`` pairs in that order; ``start[v]`` is the probability that a
    journey starts at *v* (0 unless *v* is an entry step).
    """

    steps: Mapping[str, Step]
    order: tuple[str, ...]
    successors: Mapping[str, tuple[tuple[str, float], ...]]
    predecessors: Mapping[str, tuple[tuple[str, float], ...]]
    entries: tuple[str, ...]
    exits: tuple[str, ...]
    start: Mapping[str, float]


def visits(graph: Dag[Node]) -> dict[Node, float]:
    """The probability that a journey passes each node of *graph*."""
    visit: dict[Node, float] = {node: graph.start[node] for node in graph.order}
    for node in graph.order:
        for target, p in graph.successors[node]:
            visit[target] += visit[node] * p
    return visit


def _branch_probabilities(flows: list[Flow]) -> list[float]:
    specified = sum(f.probability for f in flows if f.probability is not None)
    unspecified = sum(1 for f in flows if f.probability is None)
    # add_flow() keeps the sum at most 1 + PROBABILITY_TOLERANCE; only that
    # rounding slack is absorbed here.
    remainder = 1.0 - specified
    if remainder < 0:
        assert remainder >= -PROBABILITY_TOLERANCE
        remainder = 0.0
    share = remainder / unspecified if unspecified else 0.0
    return [f.probability if f.probability is not None else share for f in flows]


def _pairs(flows: list[Flow], key: Mapping[str, tuple[int, int]]) -> tuple[tuple[str, float], ...]:
    """The ``(target, branch probability)`` pairs of a step's *flows*, in time order of targets."""
    if not flows:
        return ()
    if len(flows) == 1:
        # The bulk of a long journey: _branch_probabilities of one flow, without the sums.
        (flow,) = flows
        return ((flow.target, 1.0 if flow.probability is None else flow.probability),)
    flows.sort(key=lambda f: key[f.target])
    return tuple(zip((f.target for f in flows), _branch_probabilities(flows), strict=True))


def customer_graph(bp: Blueprint, *, loops: bool = False) -> CustomerGraph:
    """Build the customer lane's graph ready for dynamic programming.

    With ``loops=False`` it must be a DAG: loops of customer steps (retry,
    rework) raise the one message that this analysis needs journeys without
    loops. With ``loops=True`` loops are kept: ``order`` is then the time
    order (stage, then insertion), not a topological one, and the entries are
    :meth:`Blueprint.entry_steps`.
    """
    if loops:
        return _loop_graph(bp)
    stage_index = {stage: i for i, stage in enumerate(bp.stages)}
    steps: dict[str, Step] = {}
    key: dict[str, tuple[int, int]] = {}
    for i, step in enumerate(bp.steps()):
        if step.lane is Lane.CUSTOMER:
            steps[step.id] = step
            key[step.id] = (stage_index[step.stage], i)
    out_flows: dict[str, list[Flow]] = {n: [] for n in steps}
    for flow in bp.flows():
        if flow.kind is FlowKind.SEQUENCE and flow.source in steps and flow.target in steps:
            out_flows[flow.source].append(flow)
    successors: dict[str, tuple[tuple[str, float], ...]] = {}
    preds: dict[str, list[tuple[str, float]]] = {n: [] for n in steps}
    for node, flows in out_flows.items():
        pairs = _pairs(flows, key)
        successors[node] = pairs
        for target, p in pairs:
            preds[target].append((node, p))
    order = _topological_order(steps, successors, preds, key)
    predecessors = {
        n: tuple(ins) if len(ins) < 2 else tuple(sorted(ins, key=lambda pair: key[pair[0]]))
        for n, ins in preds.items()
    }
    entries = tuple(n for n in order if not predecessors[n])
    exits = tuple(n for n in order if not successors[n])
    start = dict.fromkeys(order, 0.0)
    for entry in entries:
        start[entry] = 1.0 / len(entries)
    return CustomerGraph(
        steps=steps,
        order=order,
        successors=successors,
        predecessors=predecessors,
        entries=entries,
        exits=exits,
        start=start,
    )


def has_customer_loop(bp: Blueprint) -> bool:
    """Whether :func:`customer_graph` (without ``loops``) would raise :class:`LoopError`.

    The same test, a loop of sequence flows between customer steps, without
    building the graph: callers that only choose between the loop analysis
    and the DAG one paid for a whole customer graph to ask.
    """
    customer = {step.id for step in bp.steps(lane=Lane.CUSTOMER)}
    out: dict[str, list[str]] = {}
    indegree = dict.fromkeys(customer, 0)
    for flow in bp.flows(kind=FlowKind.SEQUENCE):
        if flow.source in customer and flow.target in customer:
            out.setdefault(flow.source, []).append(flow.target)
            indegree[flow.target] += 1
    ready = [n for n, d in indegree.items() if d == 0]
    done = 0
    while ready:
        node = ready.pop()
        done += 1
        for target in out.get(node, ()):
            indegree[target] -= 1
            if indegree[target] == 0:
                ready.append(target)
    return done < len(customer)


def _topological_order(
    steps: Mapping[str, Step],
    successors: Mapping[str, tuple[tuple[str, float], ...]],
    preds: Mapping[str, list[tuple[str, float]]],
    key: Mapping[str, tuple[int, int]],
) -> tuple[str, ...]:
    indegree = {n: len(preds[n]) for n in steps}
    ready = [(key[n], n) for n, d in indegree.items() if d == 0]
    heapq.heapify(ready)
    order: list[str] = []
    while ready:
        _, node = heapq.heappop(ready)
        order.append(node)
        for target, _ in successors[node]:
            indegree[target] -= 1
            if indegree[target] == 0:
                heapq.heappush(ready, (key[target], target))
    if len(order) < len(steps):
        left = {n for n, d in indegree.items() if d > 0}
        # Only the error path pays for finding the loop itself (steps after it are stuck too).
        ring = nx.DiGraph((u, t) for u in left for t, _ in successors[u] if t in left)
        loop = min(
            (g for g in nx.strongly_connected_components(ring) if len(g) > 1),
            key=lambda g: min(key[n] for n in g),
        )
        stuck = sorted(loop, key=key.__getitem__)
        raise LoopError(
            [
                Problem(
                    message=f"this analysis needs journeys without loops, and the customer "
                    f"actions loop through {stuck[:5]}; journeys() lists a bounded "
                    "unrolling of the loops and expected_scores() scores them exactly",
                    step=stuck[0],
                    field="flows",
                )
            ]
        )
    return tuple(order)


def _loop_graph(bp: Blueprint) -> CustomerGraph:
    steps = {s.id: s for s in bp.customer_spine()}
    rank = {n: i for i, n in enumerate(steps)}
    out_flows: dict[str, list[Flow]] = {n: [] for n in steps}
    for flow in bp.flows(kind=FlowKind.SEQUENCE):
        if flow.source in steps and flow.target in steps:
            out_flows[flow.source].append(flow)
    successors: dict[str, tuple[tuple[str, float], ...]] = {}
    preds: dict[str, list[tuple[str, float]]] = {n: [] for n in steps}
    for node, flows in out_flows.items():
        flows.sort(key=lambda f: rank[f.target])
        pairs = tuple(zip((f.target for f in flows), _branch_probabilities(flows), strict=True))
        successors[node] = pairs
        for target, p in pairs:
            preds[target].append((node, p))
    entries = tuple(s.id for s in bp.entry_steps())
    start = dict.fromkeys(steps, 0.0)
    for entry in entries:
        start[entry] = 1.0 / len(entries)
    return CustomerGraph(
        steps=steps,
        order=tuple(steps),
        successors=successors,
        predecessors={n: tuple(sorted(preds[n], key=lambda pr: rank[pr[0]])) for n in steps},
        entries=entries,
        exits=tuple(n for n in steps if not successors[n]),
        start=start,
    )


def dependence_edges(bp: Blueprint) -> Iterator[tuple[str, str]]:
    """Yield ``(dependent, depended_on)`` pairs (see the module docstring)."""
    lane = {step.id: step.lane for step in bp.steps()}
    for flow in bp.flows():
        source, target = flow.source, flow.target
        a, b = lane[source], lane[target]
        if a is Lane.CUSTOMER and b is Lane.CUSTOMER:
            continue
        if b is Lane.CUSTOMER:
            yield target, source
        elif a is Lane.CUSTOMER or flow.kind is FlowKind.SUPPORT:
            yield source, target
        else:
            yield target, source


def dependence_graph(bp: Blueprint) -> nx.DiGraph[str]:
    """Return the graph with an edge from each step to each step it depends on."""
    graph: nx.DiGraph[str] = nx.DiGraph()
    graph.add_nodes_from(bp.graph.nodes)
    graph.add_edges_from(dependence_edges(bp))
    return graph


def reach(graph: nx.DiGraph[str], starts: Iterable[str], *, backward: bool = False) -> set[str]:
    """*starts* and every node of *graph* reached from them (against the edges if *backward*).

    networkx's breadth-first :func:`~networkx.bfs_layers` from all of them
    at once: linear in steps + flows.
    """
    view = graph.reverse(copy=False) if backward else graph
    return {node for layer in nx.bfs_layers(view, list(starts)) for node in layer}


class Dependents:
    """Each step's dependents, directly or not, asked of one step at a time.

    The same sets as :func:`dependent_closure` over :func:`dependence_graph`,
    from a plain dictionary of who depends on whom: a blueprint with 10,000
    fail points asked networkx for a reversed view and a layered search per
    fail point, most of them finding the step alone.
    """

    def __init__(self, bp: Blueprint) -> None:
        self._up: dict[str, list[str]] = {}
        for dependent, depended_on in dependence_edges(bp):
            self._up.setdefault(depended_on, []).append(dependent)

    def of(self, node: str) -> set[str]:
        """*node* and every step that depends on it, directly or not."""
        found = {node}
        todo = [node]
        up = self._up
        while todo:
            for dependent in up.get(todo.pop(), ()):
                if dependent not in found:
                    found.add(dependent)
                    todo.append(dependent)
        return found


def dependent_closure(dependence: nx.DiGraph[str], node: str) -> set[str]:
    """*node* and every step that depends on it, directly or not."""
    return reach(dependence, [node], backward=True)


def require_fail_point(bp: Blueprint, step_id: str) -> None:
    """Raise unless *step_id* is a step marked as a fail point."""
    if step_id not in bp:
        raise UnknownStepError(step_id, known=[s.id for s in bp.steps()])
    if bp[step_id].fail_point is None:
        marked = [s.id for s in bp.steps() if s.fail_point is not None]
        raise BlueprintValidationError(
            [
                Problem(
                    message=f"step is not a fail point (the fail points are {marked})",
                    step=step_id,
                    field="fail_point",
                )
            ]
        )
