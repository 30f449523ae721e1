"""The read-only view of a blueprint's graph, and the finder of its cycles."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any, NoReturn

import networkx as nx
import numpy as np
import scipy.sparse as sparse
from scipy.sparse import csgraph

#: What a change through ``Blueprint.graph`` is told.
_READ_ONLY = (
    "Blueprint.graph is read-only (a frozen graph can't be modified): change the blueprint "
    "through its methods (add_step, replace_step, remove_step, connect, disconnect), or "
    "work on a copy (bp.graph.copy())"
)

# --- the blueprint ----------------------------------------------------------


def _cyclic_core(graph: nx.DiGraph[str]) -> set[str]:
    """Return the nodes of *graph* on a cycle or after one (empty when it has no cycle).

    Kahn's algorithm peels off every node that no cycle feeds; linear in
    nodes and edges. Loops need a strongly connected components pass only
    over what is left, so a graph without cycles (the common case) pays for
    the peeling alone.

    Examples
    --------
    >>> sorted(_cyclic_core(nx.DiGraph([("a", "b"), ("b", "c"), ("c", "b"), ("c", "d")])))
    ['b', 'c', 'd']
    >>> _cyclic_core(nx.DiGraph([("a", "b")]))
    set()
    """
    indegree = dict(graph.in_degree())
    ready = [n for n, d in indegree.items() if d == 0]
    while ready:
        for nxt in graph.successors(ready.pop()):
            indegree[nxt] -= 1
            if indegree[nxt] == 0:
                ready.append(nxt)
    return {n for n, d in indegree.items() if d > 0}


def _strong_groups(graph: nx.DiGraph[str], nodes: set[str]) -> list[list[str]]:
    """The strongly connected groups of two or more of *nodes* in *graph*.

    scipy's compiled components pass: networkx's own takes seconds on
    100,000 steps.

    Examples
    --------
    >>> g = nx.DiGraph([("a", "b"), ("b", "a"), ("b", "c")])
    >>> _strong_groups(g, {"a", "b", "c"})
    [['a', 'b']]
    """
    names = [n for n in graph if n in nodes]
    index = {n: i for i, n in enumerate(names)}
    rows, cols = [], []
    for n in names:
        for t in graph.succ[n]:
            if t in index:
                rows.append(index[n])
                cols.append(index[t])
    matrix = sparse.csr_matrix(
        (np.ones(len(rows), dtype=np.int8), (rows, cols)), shape=(len(names), len(names))
    )
    _, labels = csgraph.connected_components(matrix, directed=True, connection="strong")
    groups: dict[int, list[str]] = {}
    for n, label in zip(names, labels.tolist(), strict=True):
        groups.setdefault(label, []).append(n)
    return [group for group in groups.values() if len(group) > 1]


def _frozen(*args: object, **kwargs: object) -> NoReturn:
    """What every mutating method of the view is (module-level, so the view pickles)."""
    raise nx.NetworkXError(_READ_ONLY)


class _Data(Mapping[str, Any]):
    """One node's or edge's data (or the graph's), read-only over the blueprint's own.

    A copy of it (``.copy()``, :func:`copy.deepcopy`, pickling) is a plain
    dict, so networkx's copying calls (``reverse()``, ``to_undirected()``,
    ``copy()``) give ordinary graphs.
    """

    __slots__ = ("_data",)

    def __init__(self, data: Mapping[str, Any]) -> None:
        self._data = data

    def __getitem__(self, key: str) -> Any:
        return self._data[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __contains__(self, key: object) -> bool:
        return key in self._data

    def __repr__(self) -> str:
        return repr(self._data)

    def __setitem__(self, key: str, value: object) -> NoReturn:
        raise TypeError(_READ_ONLY)

    def __delitem__(self, key: str) -> NoReturn:
        raise TypeError(_READ_ONLY)

    def update(self, *args: object, **kwargs: object) -> NoReturn:
        """Refused: the data are read-only."""
        raise TypeError(_READ_ONLY)

    def copy(self) -> dict[str, Any]:
        """A plain, independent dict of the data."""
        return dict(self._data)

    def __reduce__(self) -> tuple[type[dict[str, Any]], tuple[dict[str, Any]]]:
        return dict, (dict(self._data),)


class _ReadOnly(Mapping[Any, Any]):
    """A mapping whose values are shown through *wrap* (read-only views).

    Like :class:`_Data`, it copies (and pickles) as a plain dict of copies.
    """

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

    def __repr__(self) -> str:
        return repr(dict(self.items()))

    def copy(self) -> dict[Any, Any]:
        """A plain dict of the (read-only) values."""
        return dict(self.items())

    def __reduce__(self) -> tuple[type[dict[Any, Any]], tuple[dict[Any, Any]]]:
        return dict, (dict(self.items()),)


def _read_only_data(mapping: Mapping[Any, dict[str, Any]]) -> _ReadOnly:
    """Node data, or one node's neighbours' edge data: each a read-only mapping."""
    return _ReadOnly(mapping, _Data)


def _read_only_adjacency(adjacency: Mapping[Any, Mapping[Any, dict[str, Any]]]) -> _ReadOnly:
    """Node -> neighbour -> edge data, read-only throughout."""
    return _ReadOnly(adjacency, _read_only_data)


def _read_only(graph: nx.DiGraph[str]) -> nx.DiGraph[str]:
    """A frozen view of *graph* whose node and edge data cannot be changed either.

    ``networkx``'s own views share the data dictionaries, so a caller could
    swap a step through them behind the blueprint's back. Every read-only
    networkx call works on the view, copies included (``reverse()``,
    ``to_undirected()``, ``copy()``, :func:`copy.deepcopy`, pickling): a
    copy's data are plain dicts.
    """
    view: nx.DiGraph[str] = nx.freeze(nx.DiGraph())
    for name in _MUTATORS:
        setattr(view, name, _frozen)
    view.graph = _Data(graph.graph)  # type: ignore[assignment]
    view._node = _read_only_data(graph._node)  # type: ignore[attr-defined]
    view._succ = _read_only_adjacency(graph._succ)  # type: ignore[attr-defined]
    view._pred = _read_only_adjacency(graph._pred)  # type: ignore[attr-defined]
    return view


#: The methods nx.freeze replaces, given the view's own message instead.
_MUTATORS = (
    "add_node",
    "add_nodes_from",
    "remove_node",
    "remove_nodes_from",
    "add_edge",
    "add_edges_from",
    "add_weighted_edges_from",
    "remove_edge",
    "remove_edges_from",
    "clear",
    "clear_edges",
)
