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

Dependence across the lines
---------------------------
Any flow between two different lanes, and any support flow or sequence flow
inside one non-customer lane, makes one step depend on the other: across
lanes the step nearer the customer depends on the farther one (customer on
frontstage and physical evidence, frontstage on backstage, backstage on
support); inside a lane a support flow's source depends on its target and a
sequence flow's target on its source. Flows between two customer steps are
the journey itself, not dependence.
"""

from __future__ import annotations

import heapq
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping

import attrs
import networkx as nx

from servicebp.errors import BlueprintValidationError, Problem, UnknownStepError
from servicebp.model import PROBABILITY_TOLERANCE, Blueprint, Flow, FlowKind, Lane, Step

__all__ = [
    "CustomerGraph",
    "blocking_waits",
    "customer_graph",
    "dependence_graph",
    "dependent_closure",
    "depth",
    "reach",
    "require_fail_point",
]

_DEPTH: Mapping[Lane, int] = {
    Lane.CUSTOMER: 0,
    Lane.PHYSICAL_EVIDENCE: 1,
    Lane.FRONTSTAGE: 1,
    Lane.BACKSTAGE: 2,
    Lane.SUPPORT: 3,
}


def depth(lane: Lane) -> int:
    """How far *lane* lies from the customer (0 for the customer lane)."""
    return _DEPTH[lane]


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

    def visit_probabilities(self) -> dict[str, float]:
        """Return, for each customer step, the probability a journey passes it."""
        visit: dict[str, float] = {}
        for node in self.order:
            visit[node] = self.start[node] + sum(visit[u] * p for u, p in self.predecessors[node])
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


def customer_graph(bp: Blueprint) -> CustomerGraph:
    """Build the customer lane's DAG, raising if the sequence flows form a cycle."""
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
        flows.sort(key=lambda f: key[f.target])
        pairs = tuple(zip((f.target for f in flows), _branch_probabilities(flows), strict=True))
        successors[node] = pairs
        for target, p in pairs:
            preds[target].append((node, p))
    order = _topological_order(steps, successors, preds, key)
    predecessors = {n: tuple(sorted(preds[n], key=lambda pair: key[pair[0]])) for n in steps}
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
        stuck = sorted((n for n, d in indegree.items() if d > 0), key=key.__getitem__)
        raise BlueprintValidationError(
            [
                Problem(
                    message="customer actions form a cycle in time through "
                    f"{stuck[:5]}; a journey must move forward (model a retry as a new step)",
                    step=stuck[0],
                    field="flows",
                )
            ]
        )
    return tuple(order)


def _dependence_edges(bp: Blueprint) -> Iterator[tuple[str, str]]:
    """Yield ``(dependent, depended_on)`` pairs (see the module docstring)."""
    lane = {step.id: step.lane for step in bp.steps()}
    for flow in bp.flows():
        source, target = flow.source, flow.target
        a, b = lane[source], lane[target]
        if a is Lane.CUSTOMER and b is Lane.CUSTOMER:
            continue
        if a is not b:
            if depth(a) < depth(b):
                yield source, target
            elif depth(a) > depth(b):
                yield target, source
            elif flow.kind is FlowKind.SUPPORT:
                yield source, target
            else:
                yield target, source
        elif flow.kind is FlowKind.SUPPORT:
            yield source, target
        else:
            yield target, source


def dependence_graph(bp: Blueprint) -> nx.DiGraph[str]:
    """Return the graph with an edge from each step to each step it depends on."""
    graph: nx.DiGraph[str] = nx.DiGraph()
    graph.add_nodes_from(bp.graph.nodes)
    graph.add_edges_from(_dependence_edges(bp))
    return graph


def blocking_waits(bp: Blueprint, dependence: nx.DiGraph[str]) -> dict[str, tuple[float, str]]:
    """Return, per customer step, the longest wait that blocks it and the step carrying it.

    A customer step waits for its own wait and for every wait of the work it
    depends on; those waits run in parallel, so the customer waits for the
    longest of them, not their sum. Linear in steps + flows (the maximum is
    carried over the condensation of the dependence graph).
    """
    steps = {step.id: step for step in bp.steps()}
    condensed = nx.condensation(dependence)
    members: Mapping[int, set[str]] = nx.get_node_attributes(condensed, "members")
    best: dict[int, tuple[float, str]] = {}
    # Reverse topological order: every component's successors are settled first.
    for component in reversed(list(nx.topological_sort(condensed))):
        here = (0.0, "")
        for node in sorted(members[component]):
            wait = steps[node].wait
            if wait is not None and wait.duration > here[0]:
                here = (wait.duration, node)
        for successor in condensed.successors(component):
            if best[successor][0] > here[0]:
                here = best[successor]
        best[component] = here
    mapping: Mapping[str, int] = condensed.graph["mapping"]
    result: dict[str, tuple[float, str]] = {}
    for node, step in steps.items():
        if step.lane is Lane.CUSTOMER:
            duration, carrier = best[mapping[node]]
            result[node] = (duration, carrier or node)
    return result


def reach(starts: Iterable[str], neighbours: Callable[[str], Iterable[str]]) -> set[str]:
    """*starts* and every step reached from them through *neighbours*, breadth first.

    Linear in steps + flows: each step is queued once.
    """
    seen = set(starts)
    queue = deque(seen)
    while queue:
        for step in neighbours(queue.popleft()):
            if step not in seen:
                seen.add(step)
                queue.append(step)
    return seen


def dependent_closure(dependence: nx.DiGraph[str], node: str) -> set[str]:
    """*node* and every step that depends on it, directly or not."""
    return reach([node], dependence.predecessors)


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
