"""Stages as an id and a display label (issue 14, item 1)."""

from __future__ import annotations

import pytest
from hypothesis import given

import servicebp as sbp
from servicebp import Blueprint, BlueprintValidationError, Stage, Step
from servicebp.testing import blueprints


def hotel() -> Blueprint:
    bp = Blueprint("Hotel", stages=["Check in", "Room service delivery"])
    bp.add_step(Step(id="arrive", label="Arrive at the desk", lane="customer", stage="Check in"))
    bp.add_step(
        Step(id="order", label="Order food", lane="customer", stage="room-service-delivery")
    )
    bp.connect("arrive", "order")
    return bp


def test_text_with_white_space_is_a_label_with_a_derived_id() -> None:
    bp = hotel()
    assert bp.stages == ("check-in", "room-service-delivery")
    assert bp.stage("check-in") == Stage(id="check-in", label="Check in")
    assert bp.stage("Room service delivery").id == "room-service-delivery"
    # A step named its stage by label; the blueprint stores the id.
    assert bp["arrive"].stage == "check-in"
    assert [s.id for s in bp.steps(stage="Check in")] == ["arrive"]


def test_text_without_white_space_is_its_own_id_and_label() -> None:
    assert Stage.of("Arrive") == Stage(id="Arrive", label="Arrive")
    assert Stage.of("办理入住") == Stage(id="办理入住", label="办理入住")
    assert sbp.stage_id("退房 结账") == "退房-结账"


def test_hotel_saves_reloads_and_renders_its_labels(tmp_path: object) -> None:
    bp = hotel()
    text = sbp.dumps(bp, format="yaml")
    assert "label: Check in" in text
    again = sbp.loads(text, format="yaml")
    assert again == bp
    assert again.stage("check-in").label == "Check in"
    dot = sbp.to_dot(bp).source
    assert "Check in" in dot
    assert "Room service delivery" in dot
    assert "room-service-delivery" not in dot.replace("sbp-stage:room-service-delivery", "")
    assert "section Check in" in sbp.to_mermaid(bp, kind="journey")


def test_file_stages_may_be_text_or_id_and_label() -> None:
    text = """
version: "1"
name: Hotel
stages: [arrive, Check in, {id: stay, label: 住宿}]
steps:
- {id: a, label: A, lane: customer, stage: arrive}
- {id: b, label: B, lane: customer, stage: Check in}
- {id: c, label: C, lane: customer, stage: 住宿}
"""
    bp = sbp.loads(text, format="yaml")
    assert [bp.stage(s) for s in bp.stages] == [
        Stage(id="arrive"),
        Stage(id="check-in", label="Check in"),
        Stage(id="stay", label="住宿"),
    ]
    assert [s.stage for s in bp.steps()] == ["arrive", "check-in", "stay"]


def test_bad_stage_names_are_refused() -> None:
    bp = hotel()
    with pytest.raises(BlueprintValidationError, match="share a name"):
        bp.add_stage(Stage(id="Check in".replace(" ", "_"), label="check-in"))
    with pytest.raises(BlueprintValidationError, match="did you mean 'check-in'"):
        bp.add_step(Step(id="x", label="X", lane="customer", stage="chek-in"))
    with pytest.raises(BlueprintValidationError, match="has the name"):
        bp.relabel_stage("check-in", "Room service delivery")
    assert bp.relabel_stage("check-in", "Arrival") == Stage(id="check-in", label="Arrival")


def test_unknown_stage_in_a_file_is_named_with_a_suggestion() -> None:
    text = """
version: "1"
name: Hotel
stages: [{id: check-in, label: Check in}]
steps:
- {id: a, label: A, lane: customer, stage: chek-in}
"""
    with pytest.raises(BlueprintValidationError, match="did you mean 'check-in'"):
        sbp.loads(text, format="yaml")


@given(blueprints())
def test_labels_survive_a_round_trip(bp: Blueprint) -> None:
    again = sbp.loads(sbp.dumps(bp, format="yaml"), format="yaml")
    assert [again.stage(s) for s in again.stages] == [bp.stage(s) for s in bp.stages]
