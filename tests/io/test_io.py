"""Saving and loading: round trips (YAML, JSON, networkx), determinism, atomic saves."""

from __future__ import annotations

import json
from pathlib import Path

import networkx as nx
import pytest
import yaml
from hypothesis import HealthCheck, given, settings

import servicebp
import servicebp.io._files
from servicebp import (
    Blueprint,
    BlueprintValidationError,
    FailPoint,
    FlowKind,
    MomentOfTruth,
    Step,
    Wait,
    dumps,
    load,
    save,
    to_networkx,
)
from servicebp.io._files import to_node_link
from servicebp.testing._strategies import blueprints
from tests._paths import EXAMPLES

ROUND_TRIPS = settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


def coffee() -> Blueprint:
    bp = Blueprint("咖啡店 Coffee", stages=["order", "pay"], description="Two steps.\nSecond line.")
    bp.add_step(
        Step(
            id="order",
            label="点单\nOrder",
            lane="customer",
            stage="order",
            wait=Wait(duration=4, tolerance=3),
            moment=MomentOfTruth(kind="first-contact", behaviours=["confirm", "explore"]),
            rating=1,
            attributes={"zh": "点单", "b": [1, 2.5, None, True], "a": {"x": "y"}},
        )
    )
    bp.add_step(Step(id="barista", label="Barista", lane="frontstage", stage="order"))
    bp.add_step(
        Step(
            id="pay",
            label="Pay",
            lane="customer",
            stage="pay",
            fail_point=FailPoint(what="Card declined"),
            cost=0.3,
        )
    )
    bp.connect("order", "pay", probability=0.9, label="wants to pay")
    bp.connect("order", "barista", kind="support")
    return bp


# --- round trips (properties) ---------------------------------------------------


@ROUND_TRIPS
@given(blueprints())
def test_yaml_round_trip(bp: Blueprint) -> None:
    text = servicebp.dumps(bp)
    back = servicebp.loads(text)
    assert back == bp
    assert servicebp.dumps(back) == text


@ROUND_TRIPS
@given(blueprints())
def test_json_round_trip(bp: Blueprint) -> None:
    text = servicebp.dumps(bp, format="json")
    back = servicebp.loads(text, format="json")
    assert back == bp
    assert servicebp.dumps(back, format="json") == text


@ROUND_TRIPS
@given(blueprints())
def test_networkx_round_trip(bp: Blueprint) -> None:
    graph = servicebp.to_networkx(bp)
    assert set(graph.nodes) == {step.id for step in bp}
    assert graph.number_of_edges() == len(bp.flows())
    assert servicebp.from_networkx(graph) == bp


@ROUND_TRIPS
@given(blueprints())
def test_node_link_round_trip_through_json(bp: Blueprint) -> None:
    data = json.loads(json.dumps(servicebp.to_node_link(bp), ensure_ascii=False))
    assert "edges" in data
    assert "links" not in data
    assert servicebp.from_node_link(data) == bp


@settings(max_examples=50)
@given(blueprints())
def test_dict_round_trip_and_order_of_keys(bp: Blueprint) -> None:
    document = servicebp.to_dict(bp)
    assert next(iter(document)) == "version"
    assert servicebp.from_dict(document) == bp


# --- determinism ----------------------------------------------------------------


def test_same_blueprint_same_bytes() -> None:
    assert servicebp.dumps(coffee()) == servicebp.dumps(coffee())
    assert servicebp.dumps(coffee(), format="json") == servicebp.dumps(coffee(), format="json")


def test_attribute_order_does_not_change_the_bytes() -> None:
    a, b = coffee(), coffee()
    b.replace_step(b["order"].evolve(attributes=dict(reversed(b["order"].attributes.items()))))
    assert a == b
    assert servicebp.dumps(a) == servicebp.dumps(b)


def test_yaml_output_is_readable() -> None:
    text = servicebp.dumps(coffee())
    assert text.startswith("version: '1'\nname: 咖啡店 Coffee\ndescription: |-\n  Two steps.\n")
    assert "  label: |-\n    点单\n    Order\n" in text
    # Defaults are left out; the flow kind only when it is not "sequence".
    assert "weight" not in text
    assert "- from: order\n  to: pay\n  label: wants to pay\n  probability: 0.9\n" in text
    assert "- from: order\n  to: barista\n  kind: support\n" in text


def test_json_output() -> None:
    text = servicebp.dumps(coffee(), format="json")
    assert text.endswith("}\n")
    data = json.loads(text)
    assert data["steps"][0]["attributes"] == {
        "a": {"x": "y"},
        "b": [1, 2.5, None, True],
        "zh": "点单",
    }
    assert list(data["steps"][0]["attributes"]) == ["a", "b", "zh"]
    assert "点单" in text


def test_words_yaml_would_misread_are_quoted() -> None:
    bp = Blueprint("NO", stages=["yes"])
    bp.add_step(Step(id="1.10", label="on", lane="customer", stage="yes", channel="2024-01-01"))
    text = servicebp.dumps(bp)
    assert "name: 'NO'" in text
    assert "id: '1.10'" in text
    assert servicebp.loads(text) == bp


# --- save and load ----------------------------------------------------------------


@pytest.mark.parametrize("name", ["bp.yaml", "bp.yml", "bp.json", "BP.JSON"])
def test_save_and_load(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    servicebp.save(coffee(), path)
    assert servicebp.load(path) == coffee()
    assert servicebp.load(str(path)) == coffee()
    assert sorted(p.name for p in tmp_path.iterdir()) == [name]


def test_save_json_is_json(tmp_path: Path) -> None:
    servicebp.save(coffee(), tmp_path / "bp.json")
    assert json.loads((tmp_path / "bp.json").read_text(encoding="utf-8"))["version"] == "1"


def test_save_unknown_extension(tmp_path: Path) -> None:
    with pytest.raises(servicebp.BlueprintValidationError, match=r"unknown file extension '\.txt'"):
        servicebp.save(coffee(), tmp_path / "bp.txt")
    assert list(tmp_path.iterdir()) == []


def test_failed_save_keeps_the_old_file(tmp_path: Path) -> None:
    path = tmp_path / "bp.yaml"
    servicebp.save(coffee(), path)
    before = path.read_bytes()
    bad = coffee()
    # Steps refuse such data; a mutable attributes dict can still be changed after.
    bad["pay"].attributes["when"] = {1, 2}
    with pytest.raises(servicebp.BlueprintValidationError, match="cannot be saved"):
        servicebp.save(bad, path)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bp.yaml"]


@pytest.mark.parametrize(
    ("value", "fragment"),
    [(float("nan"), "numbers must be finite"), (object(), "attributes hold JSON data only")],
)
def test_unsaveable_attributes_are_named(value: object, fragment: str) -> None:
    bp = coffee()
    # Steps refuse such data; a mutable attributes dict can still be changed after.
    bp["pay"].attributes["x"] = value
    with pytest.raises(servicebp.BlueprintValidationError) as caught:
        servicebp.dumps(bp)
    (problem,) = caught.value.problems
    assert fragment in problem.message
    assert problem.path == "$.steps[2].attributes.x"


def test_unknown_format() -> None:
    with pytest.raises(
        ValueError, match=r"unknown format 'toml' \(must be one of \['json', 'yaml'\]\)"
    ):
        servicebp.dumps(coffee(), format="toml")
    with pytest.raises(ValueError, match="unknown format 'toml'"):
        servicebp.loads("x", format="toml")


def test_loads_bytes_and_source_name() -> None:
    text = servicebp.dumps(coffee()).encode("utf-8")
    assert servicebp.loads(text) == coffee()
    with pytest.raises(servicebp.BlueprintValidationError) as caught:
        servicebp.loads(text.replace(b"lane: frontstage", b"lane: front"), source="cafe.yaml")
    assert str(caught.value).startswith("cafe.yaml:")


def test_example_file_loads() -> None:
    bp = servicebp.load(EXAMPLES / "bank_account_opening.yaml")
    assert bp.problems() == []
    assert bp.stages == ("apply", "verify", "issue", "follow-up")


# --- networkx -------------------------------------------------------------------


def test_to_networkx_is_plain_data() -> None:
    graph = servicebp.to_networkx(coffee())
    assert graph.graph["name"] == "咖啡店 Coffee"
    assert graph.graph["stages"] == ["order", "pay"]
    assert graph.nodes["order"]["wait"] == {"duration": 4, "tolerance": 3}
    assert graph.edges["order", "pay"] == {
        "kind": "sequence",
        "label": "wants to pay",
        "probability": 0.9,
    }
    # Plain data: YAML's safe dumper can write it.
    yaml.safe_dump(nx.node_link_data(graph, edges="edges"))


def test_from_networkx_checks_like_a_file() -> None:
    graph = servicebp.to_networkx(coffee())
    graph.nodes["pay"]["lane"] = "front"
    graph.nodes["pay"]["colour"] = "red"
    with pytest.raises(servicebp.BlueprintValidationError) as caught:
        servicebp.from_networkx(graph)
    # Without a file there are no lines: problems come by path.
    assert [p.path for p in caught.value.problems] == ["$.steps[2].colour", "$.steps[2].lane"]


def test_from_networkx_refuses_other_graphs() -> None:
    with pytest.raises(TypeError, match=r"takes a networkx\.DiGraph, not an undirected Graph"):
        servicebp.from_networkx(nx.Graph())  # type: ignore[arg-type]


def test_node_link_with_old_links_key() -> None:
    data = servicebp.to_node_link(coffee())
    data["links"] = data.pop("edges")
    assert servicebp.from_node_link(data) == coffee()


def test_node_link_garbage() -> None:
    with pytest.raises(servicebp.BlueprintValidationError, match="'nodes' list"):
        servicebp.from_node_link({"edges": []})


# --- the schema -------------------------------------------------------------------


def test_schema_is_valid_draft_2020_12() -> None:
    import jsonschema

    schema = servicebp.schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["properties"]["version"]["const"] == servicebp.FORMAT_VERSION


def test_schema_enums_match_the_model() -> None:
    from servicebp import Behaviour, ContactMode, ExpectationSource, ExpectationType, MomentKind

    defs = servicebp.schema()["$defs"]
    assert defs["step"]["properties"]["lane"]["enum"] == [v.value for v in servicebp.Lane]
    assert defs["flow"]["properties"]["kind"]["enum"] == [v.value for v in FlowKind]
    moment = defs["moment"]["properties"]
    assert moment["kind"]["enum"] == [v.value for v in MomentKind]
    assert moment["contact_mode"]["enum"] == [v.value for v in ContactMode]
    assert moment["behaviours"]["items"]["enum"] == [v.value for v in Behaviour]
    expectation = defs["expectation"]["properties"]
    assert expectation["type"]["enum"] == [v.value for v in ExpectationType]
    assert expectation["source"]["enum"] == [v.value for v in ExpectationSource]


def test_schema_keys_match_the_model_fields() -> None:
    import attrs

    defs = servicebp.schema()["$defs"]
    for name, cls in [
        ("step", Step),
        ("wait", Wait),
        ("fail_point", FailPoint),
        ("moment", MomentOfTruth),
    ]:
        assert set(defs[name]["properties"]) == {f.name for f in attrs.fields(cls)}, name
    flow_fields = {f.name for f in attrs.fields(servicebp.Flow)} - {"source", "target"}
    assert set(defs["flow"]["properties"]) == flow_fields | {"from", "to"}


def test_a_blueprint_that_would_not_load_back_is_not_written(tmp_path: Path) -> None:
    bp = Blueprint("Half done", stages=["order", "later"])
    bp.add_step(Step(id="order", label="Order", lane="customer", stage="order"))
    target = tmp_path / "bp.yaml"
    target.write_text("old contents\n", encoding="utf-8")
    with pytest.raises(BlueprintValidationError) as info:
        save(bp, target)
    (problem,) = info.value.problems
    assert problem.message.startswith("stage 'later' has no steps")
    assert "not written: a file must load back" in problem.message
    assert target.read_text(encoding="utf-8") == "old contents\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bp.yaml"]
    for write in (dumps, to_networkx, to_node_link):
        with pytest.raises(BlueprintValidationError):
            write(bp)
    bp.remove_stage("later")
    save(bp, target)
    assert load(target) == bp
