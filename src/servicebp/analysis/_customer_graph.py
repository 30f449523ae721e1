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
counts it once, at the first of its steps that it blocks (:class:`Waits`).
"""

from __future__ import annotations

import heapq
from collections.abc import Hashable, Iterable, Iterator, Mapping
from typing import Any, Protocol, TypeVar

import attrs
import networkx as nx

from servicebp.errors import (
    AnalysisTooLargeError,
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


#: States the exact wait analysis may build beyond STATES_PER_STEP per step.
STATE_LIMIT = 200_000
#: States allowed per customer step on top of STATE_LIMIT.
STATES_PER_STEP = 20

__all__ = [
    "STATES_PER_STEP",
    "STATE_LIMIT",
    "CustomerGraph",
    "Dag",
    "StateGraph",
    "Waits",
    "customer_graph",
    "dependence_graph",
    "dependent_closure",
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


def _dependence_edges(bp: Blueprint) -> Iterator[tuple[str, str]]:
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
    graph.add_edges_from(_dependence_edges(bp))
    return graph


class Waits:
    """Which waits block each customer step, and where a journey counts each of them.

    A wait blocks a customer step when it is marked on the step itself or on
    work the step depends on (see the module docstring). The rule: **a wait is
    counted at most once per journey, at the first customer step of the
    journey that it blocks.** Work behind the line, once waited for, is done:
    a frontstage wait that every later contact depends on (through the
    frontstage's sequence flows) keeps the customer waiting once, not at every
    contact. Several waits first met at one step run in parallel, so the step
    counts the longest of them (ties go to the step added to the blueprint
    first).

    Whether a wait is first met at a step can depend on the journey: with
    ``a -> {b, c} -> d`` and a wait that blocks ``b`` and ``d``, the journey
    through ``b`` counts it at ``b``, the one through ``c`` at ``d``. Such
    waits break the optimal substructure of a dynamic programme over customer
    steps (the best continuation from ``d`` depends on the way in), so
    :meth:`state_graph` tracks them: its nodes are pairs (customer step, the
    tracked waits met before it), on which every step's counted wait is well
    defined and the dynamic programmes are exact. A tracked wait is dropped
    from the state once no later step can meet it, so a blueprint without
    such waits has exactly one state per step, and the state graph is the
    customer lane itself.

    The number of states is not bounded by a polynomial in general: finding
    the journey that touches the most waits, each counted once, is a
    maximum-coverage problem (NP-hard), so no exact method is linear on every
    blueprint. Tracked waits behind sequence chains nest (meeting a later
    one implies the earlier ones), which keeps the states few in practice;
    independent waits that each block one branch and a common later step
    double the states at that step per such wait.

    Waits are kept as bit sets, bit *i* for the *i*-th longest wait. The
    state graph is bounded (:data:`STATE_LIMIT` plus :data:`STATES_PER_STEP`
    per customer step); beyond it :class:`~servicebp.errors.AnalysisTooLargeError`
    is raised rather than running on for hours.
    """

    def __init__(self, bp: Blueprint, graph: CustomerGraph, *, walk_only: bool = False) -> None:
        self.graph = graph
        all_steps = bp.steps()
        position = {step.id: i for i, step in enumerate(all_steps)}
        carried = sorted(
            (s for s in all_steps if s.wait is not None and s.wait.duration > 0),
            key=lambda s: (-s.wait.duration if s.wait is not None else 0.0, position[s.id]),
        )
        self.carriers: tuple[str, ...] = tuple(s.id for s in carried)
        self.durations: tuple[float, ...] = tuple(
            float(s.wait.duration) for s in carried if s.wait is not None
        )
        bit = {carrier: 1 << i for i, carrier in enumerate(self.carriers)}
        condensed = nx.condensation(dependence_graph(bp))
        members: Mapping[int, set[str]] = nx.get_node_attributes(condensed, "members")
        closure: dict[int, int] = {}
        # Reverse topological order: every component's successors are settled first.
        for component in reversed(list(nx.topological_sort(condensed))):
            bits = 0
            for node in members[component]:
                bits |= bit.get(node, 0)
            for successor in condensed.successors(component):
                bits |= closure[successor]
            closure[component] = bits
        mapping: Mapping[str, int] = condensed.graph["mapping"]
        #: Per customer step, the waits that block it.
        self.blocks: dict[str, int] = {n: closure[mapping[n]] for n in graph.order}
        self._states: StateGraph | None = None
        if walk_only:
            # A graph with loops has no topological order to share work along:
            # only walk() (one journey at a time) is offered, which needs no more.
            self._seen_every = dict.fromkeys(graph.order, 0)
            self._later = dict.fromkeys(graph.order, 0)
            return
        # Waits met before a step on some / on every way into it.
        seen_some: dict[str, int] = {}
        seen_every: dict[str, int] = {}
        for node in graph.order:
            some, every = 0, -1 if graph.predecessors[node] else 0
            for u, _ in graph.predecessors[node]:
                some |= seen_some[u] | self.blocks[u]
                every &= seen_every[u] | self.blocks[u]
            seen_some[node], seen_every[node] = some, every
        self._seen_every = seen_every
        tracked = 0
        for node in graph.order:
            tracked |= self.blocks[node] & seen_some[node] & ~seen_every[node]
        # Tracked waits that a step after each step may still meet.
        later: dict[str, int] = {}
        for node in reversed(graph.order):
            bits = 0
            for target, _ in graph.successors[node]:
                bits |= self.blocks[target] | later[target]
            later[node] = bits & tracked
        self._later = later

    def counted(self, node: str, seen: int) -> tuple[float, str]:
        """The wait counted at *node* after meeting the waits *seen*, and its carrier.

        *seen* may hold every wait met before (as :meth:`walk` passes) or only
        the tracked ones (as the state graph's nodes hold): the others are
        known from the customer lane alone. No wait counts ``(0.0, node)``.
        """
        new = self.blocks[node] & ~self._seen_every[node] & ~seen
        if not new:
            return 0.0, node
        i = (new & -new).bit_length() - 1
        return self.durations[i], self.carriers[i]

    def walk(self, steps: Iterable[str]) -> list[tuple[float, str]]:
        """The wait counted at each step of one journey, and its carrier."""
        seen = 0
        found: list[tuple[float, str]] = []
        for node in steps:
            found.append(self.counted(node, seen))
            seen |= self.blocks[node]
        return found

    def state_graph(self) -> StateGraph:
        """The customer lane with each step split by the tracked waits met before it."""
        if self._states is None:
            self._states = self._build_states()
        return self._states

    def _build_states(self) -> StateGraph:
        graph = self.graph
        bound = STATE_LIMIT + STATES_PER_STEP * len(graph.order)
        count = len(graph.entries)
        # Per step, its states' tracked waits, in the order found (a dict as an ordered set).
        states: dict[str, dict[int, None]] = {node: {} for node in graph.order}
        for entry in graph.entries:
            states[entry][0] = None
        successors: dict[tuple[str, int], tuple[tuple[tuple[str, int], float], ...]] = {}
        order: list[tuple[str, int]] = []
        for node in graph.order:
            for seen in states[node]:
                after = (seen | self.blocks[node]) & self._later[node]
                pairs = []
                for target, p in graph.successors[node]:
                    if after not in states[target]:
                        states[target][after] = None
                        count += 1
                        if count > bound:
                            raise AnalysisTooLargeError(
                                f"counting each wait once per journey needs more than {bound:,} "
                                "journey states on this blueprint: waits behind the line that "
                                "many branches meet first at different steps; journeys(bp, "
                                "limit=...) scores the journeys one by one instead"
                            )
                    pairs.append(((target, after), p))
                order.append((node, seen))
                successors[node, seen] = tuple(pairs)
        entries = tuple((entry, 0) for entry in graph.entries)
        start = dict.fromkeys(order, 0.0)
        for state in entries:
            start[state] = graph.start[state[0]]
        return StateGraph(order=tuple(order), successors=successors, entries=entries, start=start)


@attrs.frozen(kw_only=True)
class StateGraph:
    """A DAG of ``(customer step, tracked waits met before it)`` states (see :class:`Waits`).

    Same shape as :class:`CustomerGraph` (``order``, ``successors``,
    ``entries``, ``start``) so the same dynamic programmes walk either; each
    of its paths from an entry to an exit is one journey.
    """

    order: tuple[tuple[str, int], ...]
    successors: Mapping[tuple[str, int], tuple[tuple[tuple[str, int], float], ...]]
    entries: tuple[tuple[str, int], ...]
    start: Mapping[tuple[str, int], float]


def reach(graph: nx.DiGraph[str], starts: Iterable[str], *, backward: bool = False) -> set[str]:
    """*starts* and every node of *graph* reached from them (against the edges if *backward*).

    networkx's breadth-first :func:`~networkx.bfs_layers` from all of them
    at once: linear in steps + flows.
    """
    view = graph.reverse(copy=False) if backward else graph
    return {node for layer in nx.bfs_layers(view, list(starts)) for node in layer}


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
