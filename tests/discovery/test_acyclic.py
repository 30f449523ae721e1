"""The conformance overlay's loop check (issue 18) decides as networkx's has_path did."""

from __future__ import annotations

import networkx as nx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from servicebp import conformance
from servicebp.discovery._acyclic import IncrementalDag, loop_check
from servicebp.discovery._conformance import OVERLAY_KEY
from tests._factories import chain


@st.composite
def offers(draw: st.DrawFn) -> tuple[int, list[tuple[int, int]], list[tuple[int, int]]]:
    n = draw(st.integers(1, 12))
    pair = st.tuples(st.integers(0, n - 1), st.integers(0, n - 1))
    forward = [(a, b) for a, b in draw(st.lists(pair, max_size=15)) if a < b]
    return n, forward, draw(st.lists(pair, max_size=40))


@given(offers())
def test_an_edge_is_added_exactly_when_it_closes_no_loop(
    case: tuple[int, list[tuple[int, int]], list[tuple[int, int]]],
) -> None:
    n, edges, offered = case
    nodes = [f"s{i}" for i in range(n)]
    named = [(f"s{a}", f"s{b}") for a, b in edges]
    dag = IncrementalDag(nodes, named)
    mirror: nx.DiGraph[str] = nx.DiGraph(named)
    mirror.add_nodes_from(nodes)
    for a, b in offered:
        source, target = f"s{a}", f"s{b}"
        expected = source != target and not nx.has_path(mirror, target, source)
        assert dag.add(source, target) == expected
        if expected:
            mirror.add_edge(source, target)
        assert nx.is_directed_acyclic_graph(mirror)


def test_edges_that_loop_already_have_no_order() -> None:
    with pytest.raises(nx.NetworkXUnfeasible):
        IncrementalDag(["a", "b"], [("a", "b"), ("b", "a")])


@pytest.mark.parametrize("loop", [False, True])
def test_the_overlay_draws_forward_jumps_and_notes_the_ones_that_loop(loop: bool) -> None:
    bp = chain(30, prefix="c", label="c{i}", back=(29, 0) if loop else None)
    check = loop_check(bp)
    assert check("c0", "c5") is not loop
    assert check("c9", "c2") is False
    order = [f"c{(k * 7) % 30}" for k in range(30)]
    log = {
        "case:concept:name": [k // 10 for k in range(30)],
        "concept:name": order,
        "time:timestamp": list(range(30)),
    }
    result = conformance(bp, log)
    drawn = {(f.source, f.target) for f in result.overlay.flows()} - {
        (f.source, f.target) for f in bp.flows()
    }
    noted = {
        (sid, e["to"])
        for sid in result.overlay.graph.nodes
        for e in result.overlay[sid].attributes.get(OVERLAY_KEY, {}).get("undesigned", [])
    }
    undesigned = {(e.source, e.target) for e in result.undesigned}
    assert drawn | noted == undesigned
    assert not drawn & noted
    assert (
        nx.is_directed_acyclic_graph(
            nx.DiGraph(
                (f.source, f.target) for f in result.overlay.flows() if f.kind.value == "sequence"
            )
        )
        is not loop
    )
    # A forward jump in a chain skips the steps between its ends.
    assert result.skipped["c0->c7"] == tuple(f"c{k}" for k in range(1, 7))
