"""Personas in files: the ``personas:`` section, per-persona step values, version 1 files."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings

import servicebp
from servicebp import Blueprint, PersonaValues, Wait
from servicebp.errors import BlueprintValidationError
from servicebp.testing import blueprints

HOTEL = """\
version: "2"
name: Hotel
scenario: as-is
stages: [arrive, Check in]
personas:
- {id: first-timer, label: First-time guest, description: Has never stayed here}
- {id: regular, label: Regular guest}
steps:
- id: arrive
  label: Arrive
  lane: customer
  stage: arrive
  rating: 1
- id: check-in
  label: Check in
  lane: customer
  stage: Check in
  rating: 0
  moment: {kind: usage, weight: 2}
  per_persona:
    first-timer: {rating: -2, weight: 3, wait: {duration: 20, tolerance: 10}}
    regular: {rating: 2}
flows:
- {from: arrive, to: check-in}
"""


def test_a_file_declares_personas_and_per_persona_values() -> None:
    bp = servicebp.loads(HOTEL)
    assert bp.scenario == "as-is"
    assert [(p.id, p.label) for p in bp.personas] == [
        ("first-timer", "First-time guest"),
        ("regular", "Regular guest"),
    ]
    assert bp.persona("first-timer").description == "Has never stayed here"
    assert bp["check-in"].per_persona == {
        "first-timer": PersonaValues(rating=-2, weight=3, wait=Wait(duration=20, tolerance=10)),
        "regular": PersonaValues(rating=2),
    }


def test_saving_writes_version_2_with_personas_and_loads_back() -> None:
    bp = servicebp.loads(HOTEL)
    for file_format in ("yaml", "json"):
        text = servicebp.dumps(bp, format=file_format)
        assert servicebp.loads(text, format=file_format) == bp
    document = servicebp.to_dict(bp)
    assert document["version"] == "2"
    assert list(document)[:5] == ["version", "name", "scenario", "stages", "personas"]
    assert document["steps"][1]["per_persona"]["regular"] == {"rating": 2}
    assert json.loads(servicebp.dumps(bp, format="json")) == document


def test_a_blueprint_without_personas_is_still_written_as_version_1() -> None:
    # Files of blueprints without personas stay what they were, readable by older versions.
    bp = servicebp.loads(HOTEL)
    plain = Blueprint("Hotel", stages=["arrive"])
    plain.add_step(bp["arrive"])
    assert servicebp.to_dict(plain)["version"] == "1"
    plain.scenario = "to-be"
    assert servicebp.to_dict(plain)["version"] == "2"


def test_a_version_1_file_loads_through_the_migration() -> None:
    old = (
        'version: "1"\nname: Old\nstages: [s]\nsteps: [{id: a, label: A, lane: customer, stage: s}]'
    )
    bp = servicebp.loads(old)
    assert (bp.personas, bp.scenario, bp["a"].per_persona) == ((), None, {})
    saved = servicebp.dumps(bp)
    assert saved.startswith("version: '1'\n")
    assert servicebp.loads(saved) == bp


def test_a_version_1_file_may_not_use_personas() -> None:
    with pytest.raises(BlueprintValidationError) as caught:
        servicebp.loads(HOTEL.replace('version: "2"', 'version: "1"'), format="yaml")
    paths = [p.path for p in caught.value.problems]
    assert paths == ["$.scenario", "$.personas", "$.steps[1].per_persona"]
    assert all('write version: "2"' in p.message for p in caught.value.problems)
    # In file order.
    assert [p.line for p in caught.value.problems] == [3, 6, 21]


def test_an_undeclared_persona_in_a_file_is_named_with_the_closest() -> None:
    text = HOTEL.replace("    regular: {rating: 2}", "    regulr: {rating: 2}")
    with pytest.raises(BlueprintValidationError) as caught:
        servicebp.loads(text)
    (problem,) = caught.value.problems
    assert problem.path == "$.steps[1].per_persona"
    assert "unknown persona 'regulr' (did you mean 'regular'?)" in problem.message
    assert problem.line == 21


def test_persona_problems_come_in_one_round_with_schema_problems() -> None:
    text = HOTEL.replace("lane: customer\n  stage: arrive", "lane: front\n  stage: arrive")
    text = text.replace("    regular: {rating: 2}", "    regulr: {rating: 2}")
    with pytest.raises(BlueprintValidationError) as caught:
        servicebp.loads(text)
    messages = [p.message for p in caught.value.problems]
    assert len(messages) == 2
    assert "did you mean 'frontstage'?" in messages[0]
    assert "unknown persona 'regulr' (did you mean 'regular'?)" in messages[1]
    assert caught.value.problems[1].path == "$.steps[1].per_persona.regulr"


@pytest.mark.parametrize(
    ("old", "new", "path", "words"),
    [
        ("weight: 3", "weight: 0", "$.steps[1].per_persona.first-timer.weight", "minimum"),
        ("rating: -2", "rating: -4", "$.steps[1].per_persona.first-timer.rating", "minimum"),
        (
            "{rating: 2}",
            "{rating: 2, mood: happy}",
            "$.steps[1].per_persona.regular.mood",
            "unknown key",
        ),
        ("- {id: regular, label: Regular guest}", "- {id: regular}", "$.personas[1]", "label"),
        (
            "- {id: regular, label: Regular guest}",
            "- {id: first-timer, label: X}\n- {id: regular, label: R}",
            "$.personas[1]",
            "twice",
        ),
        ("scenario: as-is", "scenario: ''", "$.scenario", "should be non-empty"),
        (
            "description: Has never stayed here",
            "description: 3",
            "$.personas[0].description",
            "string",
        ),
    ],
)
def test_bad_persona_data_is_named_at_its_place(old: str, new: str, path: str, words: str) -> None:
    text = HOTEL.replace(old, new, 1)
    assert text != HOTEL
    with pytest.raises(BlueprintValidationError) as caught:
        servicebp.loads(text)
    assert [p.path for p in caught.value.problems] == [path]
    assert words in caught.value.problems[0].message


def test_a_persona_weight_on_a_step_that_is_no_moment_is_refused() -> None:
    text = HOTEL.replace("  rating: 1\n", "  rating: 1\n  per_persona: {regular: {weight: 2}}\n")
    with pytest.raises(BlueprintValidationError) as caught:
        servicebp.loads(text)
    (problem,) = caught.value.problems
    assert "not a moment of truth" in problem.message
    assert problem.path is not None
    assert problem.path.startswith("$.steps[0]")


def test_the_schema_describes_version_2_and_version_1_is_kept() -> None:
    new, old = servicebp.schema(), servicebp.schema("1")
    assert new["properties"]["version"]["const"] == "2"
    assert old["properties"]["version"]["const"] == "1"
    assert {"personas", "scenario"} <= set(new["properties"]) - set(old["properties"])
    assert set(new["$defs"]["persona_values"]["properties"]) == {"rating", "weight", "wait"}
    with pytest.raises(servicebp.InvalidArgumentError):
        servicebp.schema("3")


@settings(max_examples=60, deadline=None)
@given(blueprints(max_personas=3))
def test_blueprints_with_personas_round_trip(bp: Blueprint) -> None:
    for file_format in ("yaml", "json"):
        assert servicebp.loads(servicebp.dumps(bp, format=file_format), format=file_format) == bp
    assert servicebp.from_node_link(servicebp.to_node_link(bp)) == bp
    for persona in bp.personas:
        seen = bp.for_persona(persona.id)
        assert servicebp.loads(servicebp.dumps(seen)) == seen
