"""A directed graph that stays acyclic as edges are offered one by one.

Private to :mod:`servicebp.discovery._conformance`: the overlay draws an
undesigned jump as a sequence flow only when it closes no loop. Asking
networkx's ``has_path`` for each jump searched the whole design every time,
quadratic on a long log of jumps; here a topological order is kept up to
date as edges are added (Pearce and Kelly, "A dynamic topological sort
algorithm for directed acyclic graphs", JEA 2006), so an edge that runs
forward in the order is added at once, and one that runs backward only
searches the steps between its ends.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import networkx as nx

from servicebp.model import Blueprint, FlowKind

__all__ = ["IncrementalDag", "loop_check"]


class IncrementalDag:
    """A DAG over *nodes* with *edges*, and :meth:`add` that refuses an edge closing a loop.

    Raises
    ------
    networkx.NetworkXUnfeasible
        If *edges* already form a loop (the caller then has no order to keep).
    """

    def __init__(self, nodes: Iterable[str], edges: Iterable[tuple[str, str]]) -> None:
        graph: nx.DiGraph[str] = nx.DiGraph()
        graph.add_nodes_from(nodes)
        graph.add_edges_from(edges)
        self._succ: dict[str, set[str]] = {n: set(graph.successors(n)) for n in graph}
        self._pred: dict[str, set[str]] = {n: set(graph.predecessors(n)) for n in graph}
        self._rank = {node: i for i, node in enumerate(nx.topological_sort(graph))}

    def add(self, source: str, target: str) -> bool:
        """Add ``source -> target`` unless a path leads from *target* to *source*; say if added.

        The edge closes a loop exactly when *target* reaches *source*, which
        the order rules out when *source* comes first; otherwise the steps
        between them (in the order) are searched, and reordered if it does not.
        """
        rank = self._rank
        if source == target:
            return False
        low, high = rank[target], rank[source]
        if low < high:
            ahead = self._reach(target, self._succ, lambda n: rank[n] <= high)
            if source in ahead:
                return False
            behind = self._reach(source, self._pred, lambda n: rank[n] >= low)
            # Everything that reaches source moves before everything target reaches.
            moved = sorted(behind, key=rank.__getitem__) + sorted(ahead, key=rank.__getitem__)
            for node, place in zip(moved, sorted(rank[n] for n in moved), strict=True):
                rank[node] = place
        self._succ[source].add(target)
        self._pred[target].add(source)
        return True

    @staticmethod
    def _reach(start: str, step: dict[str, set[str]], within: Callable[[str], bool]) -> set[str]:
        """*start* and the nodes reached from it along *step* while *within* holds."""
        found = {start}
        todo = [start]
        while todo:
            node = todo.pop()
            for following in step[node]:
                if following not in found and within(following):
                    found.add(following)
                    todo.append(following)
        return found


def loop_check(bp: Blueprint) -> Callable[[str, str], bool]:
    """A check that adds ``source -> target`` to the sequence flows unless it closes a loop.

    Kept acyclic incrementally (:class:`IncrementalDag`), so a log of many
    undesigned jumps costs about one pass, not one search of the design per
    jump. A design whose sequence flows loop already has no order to keep,
    and is searched per jump as before.
    """
    nodes = [s.id for s in bp.steps()]
    flows = [(f.source, f.target) for f in bp.flows(kind=FlowKind.SEQUENCE)]
    try:
        return IncrementalDag(nodes, flows).add
    except nx.NetworkXUnfeasible:
        pass
    sequence: nx.DiGraph[str] = nx.DiGraph()
    sequence.add_nodes_from(nodes)
    sequence.add_edges_from(flows)

    def searched(source: str, target: str) -> bool:
        if nx.has_path(sequence, target, source):
            return False
        sequence.add_edge(source, target)
        return True

    return searched
