"""The wait model as it was before issue 18 (quadratic bit sets), kept as a test oracle.

The analyses' :class:`servicebp.analysis._customer_graph.Waits` must give the
same state graph and the same waits counted as this copy, which is the
algorithm the by-hand and enumeration tests were first written against.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import networkx as nx

from servicebp.analysis import _waits
from servicebp.analysis._customer_graph import CustomerGraph, dependence_graph
from servicebp.analysis._waits import StateGraph
from servicebp.errors import AnalysisTooLargeError
from servicebp.model import Blueprint

STATE_LIMIT = _waits.STATE_LIMIT
STATES_PER_STEP = _waits.STATES_PER_STEP


class ReferenceWaits:
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
