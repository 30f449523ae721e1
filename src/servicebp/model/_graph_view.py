"""The read-only view of a blueprint's graph, and the cycle finder."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from types import MappingProxyType
from typing import Any

import networkx as nx

# --- the blueprint ----------------------------------------------------------


def _cycle_in(graph: nx.DiGraph[str]) -> list[str]:
    """Return one cycle of *graph* as its nodes in order, or ``[]`` if it has none.

    Kahn's algorithm peels off every node that no cycle feeds; each node left
    has a predecessor left, so walking back from the first one in node order
    must meet itself again. Linear in nodes and edges, and deterministic.

    Examples
    --------
    >>> _cycle_in(nx.DiGraph([("a", "b"), ("b", "c"), ("c", "b")]))
    ['b', 'c']
    >>> _cycle_in(nx.DiGraph([("a", "b")]))
    []
    """
    indegree = dict(graph.in_degree())
    ready = [n for n, d in indegree.items() if d == 0]
    while ready:
        for nxt in graph.successors(ready.pop()):
            indegree[nxt] -= 1
            if indegree[nxt] == 0:
                ready.append(nxt)
    left = {n for n, d in indegree.items() if d > 0}
    if not left:
        return []
    start = next(n for n in graph if n in left)
    walked: dict[str, int] = {}
    node = start
    while node not in walked:
        walked[node] = len(walked)
        node = next(p for p in graph.predecessors(node) if p in left)
    back = list(walked)[walked[node] :]
    return [back[0], *reversed(back[1:])]


class _ReadOnly(Mapping[Any, Any]):
    """A mapping whose values are shown through *wrap* (read-only views)."""

    __slots__ = ("_mapping", "_wrap")

    def __init__(self, mapping: Mapping[Any, Any], wrap: Callable[[Any], Any]) -> None:
        self._mapping = mapping
        self._wrap = wrap

    def __getitem__(self, key: Any) -> Any:
        return self._wrap(self._mapping[key])

    def __iter__(self) -> Iterator[Any]:
        return iter(self._mapping)

    def __len__(self) -> int:
        return len(self._mapping)

    def __contains__(self, key: object) -> bool:
        return key in self._mapping


def _read_only_data(mapping: Mapping[Any, dict[str, Any]]) -> _ReadOnly:
    """Node data, or one node's neighbours' edge data: each a read-only mapping."""
    return _ReadOnly(mapping, MappingProxyType)


def _read_only_adjacency(adjacency: Mapping[Any, Mapping[Any, dict[str, Any]]]) -> _ReadOnly:
    """Node -> neighbour -> edge data, read-only throughout."""
    return _ReadOnly(adjacency, _read_only_data)


def _read_only(graph: nx.DiGraph[str]) -> nx.DiGraph[str]:
    """A frozen view of *graph* whose node and edge data cannot be changed either.

    ``networkx``'s own views share the data dictionaries, so a caller could
    swap a step through them behind the blueprint's back.
    """
    view: nx.DiGraph[str] = nx.freeze(nx.DiGraph())
    view.graph = MappingProxyType(graph.graph)  # type: ignore[assignment]
    view._node = _read_only_data(graph._node)  # type: ignore[attr-defined]
    view._succ = _read_only_adjacency(graph._succ)  # type: ignore[attr-defined]
    view._pred = _read_only_adjacency(graph._pred)  # type: ignore[attr-defined]
    return view
