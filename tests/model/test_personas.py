"""Personas in the model: declaring them, per-persona step values, one persona's view."""

from __future__ import annotations

import copy
import pickle

import attrs
import pytest
from hypothesis import given, settings

from servicebp import (
    Blueprint,
    MomentOfTruth,
    Persona,
    PersonaValues,
    Step,
    UnknownPersonaError,
    Wait,
)
from servicebp.errors import BlueprintTypeError, BlueprintValidationError
from servicebp.testing import blueprints


def _hotel() -> Blueprint:
    bp = Blueprint(
        "Hotel",
        stages=["arrive", "Check in"],
        personas=[Persona(id="first-timer", label="First-time guest"), "regular"],
        scenario="as-is",
    )
    bp.add_step(Step(id="arrive", label="Arrive", lane="customer", stage="arrive", rating=1))
    bp.add_step(
        Step(
            id="check-in",
            label="Check in",
            lane="customer",
            stage="Check in",
            rating=0,
            wait=Wait(duration=5, tolerance=10),
            moment=MomentOfTruth(kind="usage", weight=2),
            per_persona={
                "first-timer": PersonaValues(
                    rating=-2, weight=3, wait=Wait(duration=20, tolerance=10)
                ),
                "regular": PersonaValues(rating=2),
            },
        )
    )
    bp.connect("arrive", "check-in")
    return bp


def test_a_blueprint_without_personas_has_the_implicit_one() -> None:
    bp = Blueprint("A", stages=["s"])
    assert bp.personas == ()
    assert bp.scenario is None
    step = Step(id="x", label="X", lane="customer", stage="s")
    assert step.per_persona == {}
    assert "per_persona" not in repr(step)


def test_declared_personas_keep_their_order_and_labels() -> None:
    bp = _hotel()
    assert [p.id for p in bp.personas] == ["first-timer", "regular"]
    assert bp.persona("regular") == Persona(id="regular", label="regular")
    assert bp.scenario == "as-is"
    assert repr(bp) == "Blueprint('Hotel', stages=2, steps=2, flows=1, personas=2)"


def test_for_persona_puts_the_personas_values_in_place() -> None:
    bp = _hotel()
    first = bp.for_persona("first-timer")
    step = first["check-in"]
    assert (step.rating, step.wait, step.per_persona) == (-2, Wait(duration=20, tolerance=10), {})
    assert step.moment is not None
    assert step.moment.weight == 3
    assert first.personas == ()
    regular = bp.for_persona("regular")["check-in"]
    # Only the rating is the regular's own; wait and weight are the step's.
    assert (regular.rating, regular.wait) == (2, Wait(duration=5, tolerance=10))
    assert regular.moment is not None
    assert regular.moment.weight == 2
    assert first["arrive"] == bp["arrive"]
    # The original is untouched.
    assert bp["check-in"].rating == 0


def test_an_unknown_persona_names_the_closest() -> None:
    bp = _hotel()
    with pytest.raises(UnknownPersonaError, match=r"did you mean 'regular'\?") as caught:
        bp.for_persona("regualr")
    assert isinstance(caught.value, KeyError)
    assert "['first-timer', 'regular']" in str(caught.value)
    with pytest.raises(UnknownPersonaError, match="declares no personas"):
        Blueprint("A").persona("regular")


def test_a_step_naming_an_undeclared_persona_is_refused() -> None:
    bp = _hotel()
    step = Step(
        id="pay",
        label="Pay",
        lane="customer",
        stage="arrive",
        per_persona={"regulr": PersonaValues(rating=1)},
    )
    with pytest.raises(BlueprintValidationError) as caught:
        bp.add_step(step)
    (problem,) = caught.value.problems
    assert (problem.step, problem.field) == ("pay", "per_persona")
    assert "did you mean 'regular'?" in problem.message
    assert "pay" not in bp
    with pytest.raises(BlueprintValidationError, match="regulr"):
        bp.replace_step(bp["arrive"].evolve(per_persona={"regulr": PersonaValues(rating=1)}))


def test_a_persona_weight_needs_a_moment() -> None:
    with pytest.raises(BlueprintValidationError, match="not a moment of truth"):
        Step(
            id="x",
            label="X",
            lane="customer",
            stage="s",
            per_persona={"p": PersonaValues(weight=2)},
        )
    with pytest.raises(BlueprintValidationError, match="above 0"):
        PersonaValues(weight=0)
    with pytest.raises(BlueprintValidationError, match="rating"):
        PersonaValues(rating=4)


def test_per_persona_values_are_checked_and_frozen() -> None:
    with pytest.raises(BlueprintTypeError, match="PersonaValues"):
        Step(id="x", label="X", lane="customer", stage="s", per_persona={"p": {"rating": 1}})
    with pytest.raises(BlueprintTypeError, match="per_persona must map"):
        Step(id="x", label="X", lane="customer", stage="s", per_persona=[1])  # type: ignore[arg-type]
    with pytest.raises(BlueprintValidationError, match="white space"):
        Step(id="x", label="X", lane="customer", stage="s", per_persona={"a b": PersonaValues()})
    step = _hotel()["check-in"]
    with pytest.raises(TypeError):
        step.per_persona["regular"] = PersonaValues()  # type: ignore[index]


def test_personas_are_declared_once_and_removed_only_when_unused() -> None:
    bp = _hotel()
    with pytest.raises(BlueprintValidationError, match="listed twice"):
        bp.add_persona("regular")
    with pytest.raises(BlueprintValidationError, match="still has values on steps"):
        bp.remove_persona("regular")
    bp.add_persona("business")
    assert bp.remove_persona("business") == Persona(id="business", label="business")
    with pytest.raises(BlueprintTypeError, match="one string"):
        Blueprint("A", personas="regular")


def test_scenario_is_one_line_of_text() -> None:
    with pytest.raises(BlueprintValidationError, match="empty"):
        Blueprint("A", scenario=" ")
    with pytest.raises(BlueprintTypeError):
        Blueprint("A", scenario=3)  # type: ignore[arg-type]


def test_personas_and_scenario_take_part_in_equality_and_copies() -> None:
    bp = _hotel()
    assert bp.copy() == bp
    assert pickle.loads(pickle.dumps(bp)) == bp
    assert copy.deepcopy(bp) == bp
    other = bp.copy()
    other.scenario = "to-be"
    assert other != bp
    other = bp.copy()
    other.add_persona("business")
    assert other != bp
    assert hash(bp["check-in"]) == hash(pickle.loads(pickle.dumps(bp["check-in"])))


@settings(max_examples=60, deadline=None)
@given(blueprints(max_personas=3))
def test_a_persona_sees_its_own_values_and_the_steps_own_elsewhere(bp: Blueprint) -> None:
    for persona in bp.personas:
        seen = bp.for_persona(persona.id)
        assert seen.personas == ()
        assert list(seen.graph.edges) == list(bp.graph.edges)
        for step in bp.steps():
            values = step.per_persona.get(persona.id, PersonaValues())
            got = seen[step.id]
            assert got.per_persona == {}
            assert got.rating == (step.rating if values.rating is None else values.rating)
            assert got.wait == (step.wait if values.wait is None else values.wait)
            if step.moment is not None:
                assert got.moment is not None
                wanted = step.moment.weight if values.weight is None else values.weight
                assert got.moment.weight == wanted
            assert attrs.evolve(got, rating=None, wait=None, moment=None) == attrs.evolve(
                step, rating=None, wait=None, moment=None, per_persona={}
            )
