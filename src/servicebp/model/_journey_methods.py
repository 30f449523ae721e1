"""The customer-journey part of :class:`~servicebp.Blueprint`: spine, entries, exits, loops.

The journey is the customer lane and the sequence flows between its steps,
ordered in time by those flows, then by stage, then by insertion.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Final

import networkx as nx

from servicebp.errors import Problem
from servicebp.model._flow_methods import PROBABILITY_TOLERANCE
from servicebp.model._graph_view import _cyclic_core, _strong_groups
from servicebp.model._lanes import FlowKind, Lane
from servicebp.model._steps import Flow, Step

if TYPE_CHECKING:
    from servicebp.model._blueprint import Blueprint
    from servicebp.model._stages import Stage

__all__ = ["RING_SHOWN", "JourneyMethods", "closed_loop_problems"]

#: How many steps of a customer cycle its problem message names.
RING_SHOWN: Final = 10


class JourneyMethods:
    """The customer-journey part of :class:`~servicebp.Blueprint`: its lane read in time order."""

    if TYPE_CHECKING:
        _graph: nx.DiGraph[str]
        _stages: list[Stage]

        def __getitem__(self, step_id: str) -> Step: ...
        def _step_items(self) -> Iterator[tuple[str, Step]]: ...
        def flows(self, *, kind: FlowKind | str | None = None) -> tuple[Flow, ...]: ...

    def _customer_sequence(self) -> nx.DiGraph[str]:
        """The customer lane with its sequence flows, as a graph of its own.

        A concrete copy, not a filtered view: the whole-blueprint checks walk
        it several times, and a view re-filters every neighbour on every step
        (10× slower on 100,000 steps).
        """
        sequence: nx.DiGraph[str] = nx.DiGraph()
        sequence.add_nodes_from(n for n, step in self._step_items() if step.lane is Lane.CUSTOMER)
        sequence.add_edges_from(
            (flow.source, flow.target)
            for flow in self.flows(kind=FlowKind.SEQUENCE)
            if flow.source in sequence and flow.target in sequence
        )
        return sequence

    def _time_key(self) -> dict[str, tuple[int, int]]:
        stage_index = {stage.id: i for i, stage in enumerate(self._stages)}
        return {n: (stage_index[step.stage], i) for i, (n, step) in enumerate(self._step_items())}

    def customer_spine(self) -> tuple[Step, ...]:
        """Return the customer actions in time order.

        The order follows the sequence flows between customer steps; steps
        that the flows do not order are taken by stage, then insertion order.
        """
        sequence = self._customer_sequence()
        return tuple(self[n] for n in self._spine_order(sequence))

    def _spine_order(self, sequence: nx.DiGraph[str]) -> list[str]:
        key = self._time_key()
        try:
            return list(nx.lexicographical_topological_sort(sequence, key=key.__getitem__))
        except nx.NetworkXUnfeasible:
            return sorted(sequence, key=key.__getitem__)

    def entry_steps(self) -> tuple[Step, ...]:
        """Return the customer steps journeys start at, in time order.

        A step no customer sequence flow leads into is an entry step. When a
        loop is where journeys start (pay → retry → pay, with nothing before
        pay), its earliest step (by stage, then insertion) is the entry.

        Examples
        --------
        >>> bp = Blueprint("Shop", stages=["pay", "done"])
        >>> for i, st in [("pay", "pay"), ("retry", "pay"), ("done", "done")]:
        ...     _ = bp.add_step(Step(id=i, label=i, lane="customer", stage=st))
        >>> for a, b in [("pay", "retry"), ("retry", "pay"), ("pay", "done")]:
        ...     _ = bp.connect(a, b)
        >>> [s.id for s in bp.entry_steps()], bp.problems()
        (['pay'], [])
        """
        sequence = self._customer_sequence()
        return tuple(self[n] for n in self._entries(sequence))

    def _entries(self, sequence: nx.DiGraph[str]) -> list[str]:
        key = self._time_key()
        condensed = nx.condensation(sequence)
        members: dict[int, set[str]] = nx.get_node_attributes(condensed, "members")
        entries = [
            min(members[c], key=key.__getitem__) for c in condensed if condensed.in_degree(c) == 0
        ]
        return sorted(entries, key=key.__getitem__)

    def loops(self) -> tuple[tuple[str, ...], ...]:
        """Return the loops of the customer lane: each a group of steps a journey may repeat.

        Each loop is a strongly connected group of customer steps (retry,
        rework, coming back with documents), in time order; loops are
        ordered by their first step.

        Examples
        --------
        >>> bp = Blueprint("Shop", stages=["s"])
        >>> for i in ["pay", "retry", "done"]:
        ...     _ = bp.add_step(Step(id=i, label=i, lane="customer", stage="s"))
        >>> for a, b in [("pay", "retry"), ("retry", "pay"), ("pay", "done")]:
        ...     _ = bp.connect(a, b)
        >>> bp.loops()
        (('pay', 'retry'),)
        """
        return self._loop_groups(self._customer_sequence())

    def _loop_groups(self, sequence: nx.DiGraph[str]) -> tuple[tuple[str, ...], ...]:
        core = _cyclic_core(sequence)
        if not core:
            return ()
        key = self._time_key()
        found = [
            tuple(sorted(group, key=key.__getitem__)) for group in _strong_groups(sequence, core)
        ]
        return tuple(sorted(found, key=lambda group: key[group[0]]))

    def _closed_loops(self, sequence: nx.DiGraph[str]) -> list[Problem]:
        """Loops a journey can never leave: no flow out with a probability above 0."""
        found = []
        for group in self._loop_groups(sequence):
            members = set(group)
            if any(self._leaves(step_id, members, sequence) for step_id in group):
                continue
            shown = list(group)
            if len(shown) > RING_SHOWN:
                # A loop through thousands of steps would bury the message.
                shown = [*shown[:RING_SHOWN], f"… ({len(group) - RING_SHOWN} more steps)"]
            found.append(
                Problem(
                    message=f"customer actions loop through {', '.join(shown)} with no way "
                    "out: a journey entering the loop never ends; add a sequence flow out "
                    "of it (with a probability above 0)",
                    step=group[0],
                    field="flows",
                )
            )
        return found

    def _leaves(self, step_id: str, members: set[str], sequence: nx.DiGraph[str]) -> bool:
        """Whether a journey at *step_id* may leave the loop *members* (or the service)."""
        edges = self._graph.succ[step_id]
        flows: list[Flow] = [edges[target]["flow"] for target in sequence.succ[step_id]]
        specified = sum(f.probability for f in flows if f.probability is not None)
        unspecified = [f for f in flows if f.probability is None]
        remainder = max(0.0, 1.0 - specified)
        share = remainder / len(unspecified) if unspecified else 0.0
        if not unspecified and remainder > PROBABILITY_TOLERANCE:
            return True  # the customer may leave the service here
        return any(
            f.target not in members and (f.probability if f.probability is not None else share) > 0
            for f in flows
        )

    def exit_steps(self) -> tuple[Step, ...]:
        """Return the customer steps no customer sequence flow leads out of."""
        sequence = self._customer_sequence()
        return tuple(s for s in self.customer_spine() if sequence.out_degree(s.id) == 0)


def closed_loop_problems(bp: Blueprint) -> list[Problem]:
    """The loops of *bp*'s customer steps that a journey can never leave, one problem each.

    For the analyses that walk loops: the one check they cannot do without.
    """
    return bp._closed_loops(bp._customer_sequence())
