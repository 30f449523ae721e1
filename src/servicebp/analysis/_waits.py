"""Which waits block each customer step, and where a journey counts each of them.

Private to the analyses (journeys, time): :class:`Waits` over a
:class:`~servicebp.analysis._customer_graph.CustomerGraph`, and the
:class:`StateGraph` that splits the customer lane where the way in decides
where a wait is counted.

Cost
----
A wait is a number, its rank among the waits (0 for the longest), and a set
of waits a frozenset of ranks, so each set costs what it holds. (Bit sets,
bit *i* for the *i*-th longest wait, cost as much as their highest bit: on a
chain of 100,000 steps every step carried a set of 25,000 bits, and the
model was quadratic in time and memory.) The waits met before a step are
kept only while a later step may still be blocked by them, so on a chain
each step carries only the waits that span it. Only the state graph's keys
stay bit sets, over the tracked waits alone (numbered among themselves, in
rank order), which are few.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import attrs

from servicebp.analysis._customer_graph import CustomerGraph, dependence_edges
from servicebp.errors import AnalysisTooLargeError
from servicebp.model import Blueprint

__all__ = ["STATES_PER_STEP", "STATE_LIMIT", "StateGraph", "Waits"]

#: States the exact wait analysis may build beyond STATES_PER_STEP per step.
STATE_LIMIT = 200_000
#: States allowed per customer step on top of STATE_LIMIT.
STATES_PER_STEP = 20

_NONE: frozenset[int] = frozenset()


class Waits:
    """Which waits block each customer step, and where a journey counts each of them.

    A wait blocks a customer step when it is marked on the step itself or on
    work the step depends on (see :mod:`servicebp.analysis._customer_graph`).
    The rule: **a wait is counted at most once per journey, at the first
    customer step of the journey that it blocks.** Work behind the line, once
    waited for, is done: a frontstage wait that every later contact depends
    on (through the frontstage's sequence flows) keeps the customer waiting
    once, not at every contact. Several waits first met at one step run in
    parallel, so the step counts the longest of them (ties go to the step
    added to the blueprint first).

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

    The state graph is bounded (:data:`STATE_LIMIT` plus
    :data:`STATES_PER_STEP` per customer step); beyond it
    :class:`~servicebp.errors.AnalysisTooLargeError` is raised rather than
    running on for hours.
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
        own = {carrier: frozenset([i]) for i, carrier in enumerate(self.carriers)}
        #: Per customer step, the ranks of the waits that block it.
        self.blocks: dict[str, frozenset[int]] = _wait_closure(
            dependence_edges(bp), own, graph.order
        )
        self._states: StateGraph | None = None
        #: Per customer step, the ranks (ascending) of the waits that block it and
        #: are not met on every way in: the only ones that may be counted there.
        self._fresh: dict[str, tuple[int, ...]] = {}
        #: Per tracked wait, its bit in the state graph's keys.
        self._bit: dict[int, int] = {}
        self._tracked_blocks = dict.fromkeys(graph.order, 0)
        self._later = dict.fromkeys(graph.order, 0)
        if walk_only:
            # A graph with loops has no topological order to share work along:
            # only walk() (one journey at a time) is offered, which needs no more.
            self._fresh = {n: tuple(sorted(b)) for n, b in self.blocks.items()}
            return
        tracked = self._seen_before()
        self._bit = {rank: 1 << i for i, rank in enumerate(sorted(tracked))}
        if tracked:
            self._track()

    def _seen_before(self) -> set[int]:
        """Fill ``_fresh`` and return the tracked waits (met before a step on some way in only).

        The waits met before a step on some and on every way into it are
        kept only while a later step may still be blocked by them: a wait
        expires after the last step (in topological order) that it blocks.
        Each step looks only at the waits that block it, none of which has
        expired yet, so the answers are those of the full sets.
        """
        graph, blocks = self.graph, self.blocks
        # Per place in the order, the waits that block no later step: set
        # operations, not a loop per wait and step (many waits behind a long
        # frontstage chain block every later step).
        expiring: dict[int, frozenset[int]] = {}
        later: set[int] = set()
        for i in range(len(graph.order) - 1, -1, -1):
            block = blocks[graph.order[i]]
            if block:
                new = block.difference(later)
                if new:
                    expiring[i] = new
                    later |= new
        expired: set[int] = set()
        seen_some: dict[str, frozenset[int]] = {}
        seen_every: dict[str, frozenset[int]] = {}
        tracked: set[int] = set()
        for i, node in enumerate(graph.order):
            ins = graph.predecessors[node]
            if len(ins) == 1:
                # One way in (the bulk of a chain): met on some way = met on every way.
                # Along a chain the two are one set object: one union, not two.
                u = ins[0][0]
                some, every = seen_some[u], seen_every[u]
                if blocks[u]:
                    if some is every:
                        some = every = some | blocks[u]
                    else:
                        some, every = some | blocks[u], every | blocks[u]
            else:
                some, every = _met_before(ins, seen_some, seen_every, blocks)
            if some and expired:
                gone = some.intersection(expired)
                if gone:
                    some, every = (
                        (some - gone,) * 2 if some is every else (some - gone, every - gone)
                    )
            seen_some[node], seen_every[node] = some, every
            block = blocks[node]
            self._fresh[node] = tuple(sorted(block - every if every else block)) if block else ()
            if some and block and some is not every:
                tracked |= (block & some) - every
            if i in expiring:
                expired |= expiring[i]
        return tracked

    def _track(self) -> None:
        """Give each step its tracked waits as bits, and those a later step may meet."""
        graph, bit = self.graph, self._bit
        for node in graph.order:
            self._tracked_blocks[node] = sum(bit[r] for r in self.blocks[node] if r in bit)
        for node in reversed(graph.order):
            bits = 0
            for target, _ in graph.successors[node]:
                bits |= self._tracked_blocks[target] | self._later[target]
            self._later[node] = bits

    def counted(self, node: str, seen: int) -> tuple[float, str]:
        """The wait counted at *node* after meeting the tracked waits *seen*, and its carrier.

        *seen* holds the tracked waits met before, as the state graph's nodes
        do: the others are known from the customer lane alone. No wait
        counts ``(0.0, node)``.
        """
        bit = self._bit
        for rank in self._fresh[node]:
            if not bit.get(rank, 0) & seen:
                return self.durations[rank], self.carriers[rank]
        return 0.0, node

    def walk(self, steps: Iterable[str]) -> list[tuple[float, str]]:
        """The wait counted at each step of one journey, and its carrier."""
        seen: set[int] = set()
        found: list[tuple[float, str]] = []
        for node in steps:
            counted = (0.0, node)
            for rank in self._fresh[node]:
                if rank not in seen:
                    counted = (self.durations[rank], self.carriers[rank])
                    break
            found.append(counted)
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
            later, own = self._later[node], self._tracked_blocks[node]
            for seen in states[node]:
                after = (seen | own) & later
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


def _met_before(
    predecessors: Iterable[tuple[str, float]],
    seen_some: Mapping[str, frozenset[int]],
    seen_every: Mapping[str, frozenset[int]],
    blocks: Mapping[str, frozenset[int]],
) -> tuple[frozenset[int], frozenset[int]]:
    """The waits met before a step on some and on every way in from *predecessors*."""
    some: frozenset[int] | None = None
    every: frozenset[int] | None = None
    for u, _ in predecessors:
        block = blocks[u]
        through_some = seen_some[u] | block if block else seen_some[u]
        through_every = seen_every[u] | block if block else seen_every[u]
        if some is None or every is None:
            some, every = through_some, through_every
        else:
            some = some | through_some if through_some else some
            every = every & through_every if every else every
    return (some, every) if some is not None and every is not None else (_NONE, _NONE)


@attrs.frozen(kw_only=True)
class StateGraph:
    """A DAG of ``(customer step, tracked waits met before it)`` states (see :class:`Waits`).

    Same shape as :class:`~servicebp.analysis._customer_graph.CustomerGraph`
    (``order``, ``successors``, ``entries``, ``start``) so the same dynamic
    programmes walk either; each of its paths from an entry to an exit is
    one journey.
    """

    order: tuple[tuple[str, int], ...]
    successors: Mapping[tuple[str, int], tuple[tuple[tuple[str, int], float], ...]]
    entries: tuple[tuple[str, int], ...]
    start: Mapping[tuple[str, int], float]


def _wait_closure(
    edges: Iterable[tuple[str, str]], own: Mapping[str, frozenset[int]], steps: Iterable[str]
) -> dict[str, frozenset[int]]:
    """Per step of *steps*, the union of *own* over itself and every step it depends on.

    *edges* are ``(dependent, depended_on)`` pairs. One iterative Tarjan pass
    from *steps* over the steps they reach (networkx's condensation of the
    whole dependence graph cost more than all the rest of the wait model on
    a 100,000-step chain): Tarjan finishes each strongly connected component
    after every component it depends on, so one union per component settles
    it. Steps without a dependence, the bulk of a customer chain, are only
    looked up.
    """
    out: dict[str, list[str]] = {}
    for source, target in edges:
        out.setdefault(source, []).append(target)
    closure: dict[str, frozenset[int]] = {}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    for root in steps:
        if root in index:
            continue
        if root not in out:
            index[root] = len(index)
            closure[root] = own.get(root, _NONE)
            continue
        index[root] = low[root] = len(index)
        stack.append(root)
        work = [(root, iter(out[root]))]
        while work:
            node, following = work[-1]
            for target in following:
                if target not in index:
                    index[target] = low[target] = len(index)
                    stack.append(target)
                    work.append((target, iter(out.get(target, ()))))
                    break
                if target not in closure:
                    # On the stack: in the component being built.
                    low[node] = min(low[node], index[target])
            else:
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
                if low[node] == index[node]:
                    _settle(stack, node, out, own, closure)
    return {step: closure[step] for step in steps}


def _settle(
    stack: list[str],
    head: str,
    out: Mapping[str, list[str]],
    own: Mapping[str, frozenset[int]],
    closure: dict[str, frozenset[int]],
) -> None:
    """Pop the component headed by *head* off *stack* and give each member its closure.

    A component that adds nothing to the one set it reaches shares that
    set's object, so a chain of hand-offs costs one set, not one per step.
    """
    members: list[str] = []
    while True:
        member = stack.pop()
        members.append(member)
        if member == head:
            break
    parts: dict[int, frozenset[int]] = {}
    for member in members:
        for part in (own.get(member, _NONE), *(closure.get(t, _NONE) for t in out.get(member, ()))):
            # Members of this component have no closure yet; their own sets are in.
            if part:
                parts[id(part)] = part
    found = _NONE
    if len(parts) == 1:
        found = next(iter(parts.values()))
    elif parts:
        found = frozenset().union(*parts.values())
    for member in members:
        closure[member] = found
