"""Blueprint.graph: read-only, yet every read-only networkx call (copies included) works."""

from __future__ import annotations

import copy
import pickle

import networkx as nx
import pytest
from hypothesis import given

from servicebp import Blueprint, FlowKind, Step
from servicebp.testing import blueprints
from tests.model.test_blueprint import bank

_READ_ONLY = "Blueprint.graph is read-only"


def _plain(graph: nx.DiGraph[str]) -> tuple[dict[str, dict[str, object]], set[tuple[str, str]]]:
    nodes = {n: dict(d) for n, d in graph.nodes(data=True)}
    return nodes, {(u, v) for u, v in graph.edges}


def test_reverse_and_to_undirected_work() -> None:
    bp = bank()
    reverse = bp.graph.reverse()
    assert set(reverse.edges) == {(v, u) for u, v in bp.graph.edges}
    assert reverse.nodes["apply"]["step"] == bp["apply"]
    undirected = bp.graph.to_undirected()
    assert undirected.has_edge("show-id", "apply")
    # the copies are ordinary graphs, independent of the blueprint
    reverse.add_node("extra")
    reverse.nodes["apply"]["step"] = None
    undirected.remove_node("apply")
    assert "extra" not in bp
    assert bp["apply"].id == "apply"


def test_deepcopy_and_pickle_work() -> None:
    bp = bank()
    for twin in (copy.deepcopy(bp.graph), pickle.loads(pickle.dumps(bp.graph))):
        assert _plain(twin) == _plain(bp.graph)
        assert twin.edges["apply", "show-id"]["flow"] == bp.flow("apply", "show-id")
    assert copy.copy(bp.graph).nodes["apply"]["step"] is bp["apply"]


def test_copies_and_conversions_work() -> None:
    bp = bank()
    plain = bp.graph.copy()
    assert _plain(plain) == _plain(bp.graph)
    plain.nodes["apply"]["step"] = None  # a copy's data are its own
    assert bp.graph.nodes["apply"]["step"] is bp["apply"]
    assert _plain(nx.DiGraph(bp.graph)) == _plain(bp.graph)
    relabelled = nx.relabel_nodes(bp.graph, {"apply": "APPLY"})
    assert "APPLY" in relabelled
    assert "apply" not in relabelled
    sub = bp.graph.subgraph(["apply", "show-id"])
    assert set(sub.edges) == {("apply", "show-id")}
    assert nx.is_frozen(bp.graph)
    assert list(nx.topological_sort(nx.DiGraph(bp.graph.edges))) != []


def test_the_view_refuses_every_change() -> None:
    graph = bank().graph
    with pytest.raises(nx.NetworkXError, match="frozen graph can't be modified"):
        graph.add_node("x")
    with pytest.raises(nx.NetworkXError, match=_READ_ONLY):
        graph.remove_edge("apply", "show-id")
    with pytest.raises(TypeError, match=_READ_ONLY):
        graph.nodes["apply"]["step"] = None
    with pytest.raises(TypeError, match=_READ_ONLY):
        graph.edges["apply", "show-id"]["flow"] = None
    with pytest.raises(TypeError, match=_READ_ONLY):
        graph.adj["apply"]["show-id"]["flow"] = None
    with pytest.raises(TypeError, match=_READ_ONLY):
        graph.pred["show-id"]["apply"]["flow"] = None
    with pytest.raises(TypeError, match=_READ_ONLY):
        del graph.nodes["apply"]["step"]
    with pytest.raises(TypeError, match=_READ_ONLY):
        graph.graph["name"] = "x"
    with pytest.raises(TypeError, match=_READ_ONLY):
        nx.set_node_attributes(graph, {"apply": "x"}, "step")
    with pytest.raises(TypeError, match=_READ_ONLY):
        nx.set_node_attributes(graph, {"apply": {"step": None}})


def test_the_view_follows_the_blueprint() -> None:
    bp = Blueprint("A", stages=["s"])
    bp.add_step(Step(id="x", label="X", lane="customer", stage="s"))
    graph = bp.graph
    bp.add_step(Step(id="y", label="Y", lane="customer", stage="s"))
    bp.connect("x", "y")
    assert graph.edges["x", "y"]["flow"].kind is FlowKind.SEQUENCE
    bp.replace_step(bp["x"].evolve(label="Changed"))
    assert graph.nodes["x"]["step"].label == "Changed"


@given(blueprints(max_steps=8))
def test_every_copy_holds_the_blueprint(bp: Blueprint) -> None:
    steps = {s.id: s for s in bp.steps()}
    flows = {(f.source, f.target): f for f in bp.flows()}
    for twin in (
        copy.deepcopy(bp.graph),
        pickle.loads(pickle.dumps(bp.graph)),
        bp.graph.copy(),
        bp.graph.reverse().reverse(),
    ):
        assert {n: d["step"] for n, d in twin.nodes(data=True)} == steps
        assert {(u, v): d["flow"] for u, v, d in twin.edges(data=True)} == flows
