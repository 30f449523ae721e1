"""Two personas on one blueprint: two emotion curves, two score tables, a diff per persona.

Every figure below is computed by hand from the ratings in :func:`hotel`.
"""

from __future__ import annotations

import pytest

import servicebp
from servicebp import (
    Blueprint,
    MomentOfTruth,
    PersonaValues,
    Step,
    UnknownPersonaError,
    Wait,
)

STRATEGIES = ["mean", "weighted", "worst", "last", "peak_end", "moment_floor", "share_positive"]


def hotel(*, scenario: str = "as-is") -> Blueprint:
    """Arrive → check in (a moment, weight 2) → stay; first-timers and regulars see it differently.

    =============  ======  ==========  =======
    step           own     first-timer regular
    =============  ======  ==========  =======
    arrive         +1      0           (+1)
    check-in       0       −2, w 3,    +2
                           wait 20/10
    stay           +2      +1          +3
    =============  ======  ==========  =======
    """
    bp = Blueprint(
        "Hotel",
        stages=["arrive", "Check in", "stay"],
        personas=["first-timer", "regular"],
        scenario=scenario,
    )
    bp.add_step(
        Step(
            id="arrive",
            label="Arrive",
            lane="customer",
            stage="arrive",
            rating=1,
            per_persona={"first-timer": PersonaValues(rating=0)},
        )
    )
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
    bp.add_step(
        Step(
            id="stay",
            label="Stay",
            lane="customer",
            stage="stay",
            rating=2,
            per_persona={
                "first-timer": PersonaValues(rating=1),
                "regular": PersonaValues(rating=3),
            },
        )
    )
    bp.connect("arrive", "check-in")
    bp.connect("check-in", "stay")
    return bp


def test_two_personas_have_two_emotion_curves() -> None:
    bp = hotel()
    curves = {p: servicebp.emotion_curve(bp, persona=p) for p in (None, "first-timer", "regular")}
    assert [pt.rating for pt in curves["first-timer"].steps] == [0, -2, 1]
    assert [pt.rating for pt in curves["regular"].steps] == [1, 2, 3]
    # The implicit persona: the steps' own ratings, as before personas existed.
    assert [pt.rating for pt in curves[None].steps] == [1, 0, 2]
    assert [(s.stage, s.mean) for s in curves["first-timer"].stages] == [
        ("arrive", 0),
        ("check-in", -2),
        ("stay", 1),
    ]


def test_two_personas_have_two_score_tables() -> None:
    tables = servicebp.persona_scores(hotel(), strategies=STRATEGIES)
    assert [(t.persona, t.label) for t in tables] == [
        ("first-timer", "first-timer"),
        ("regular", "regular"),
    ]
    first, regular = tables
    assert first.expected == pytest.approx(
        {
            "mean": (0 - 2 + 1) / 3,
            "weighted": (0 * 1 - 2 * 3 + 1 * 1) / (1 + 3 + 1),  # the first-timer's weight 3
            "worst": -2,
            "last": 1,
            "peak_end": (-2 + 1) / 2,
            "moment_floor": -2,
            "share_positive": 1 / 3,
        }
    )
    assert regular.expected == pytest.approx(
        {
            "mean": 2,
            "weighted": (1 * 1 + 2 * 2 + 3 * 1) / (1 + 2 + 1),  # the step's own weight 2
            "worst": 1,
            "last": 3,
            "peak_end": 3,
            "moment_floor": 2,
            "share_positive": 1,
        }
    )
    assert [(j.steps, j.probability) for j in first.journeys] == [
        (("arrive", "check-in", "stay"), 1.0)
    ]
    assert first.journeys[0].scores == first.expected


def test_every_score_function_takes_the_persona() -> None:
    bp = hotel()
    assert servicebp.expected_scores(bp, strategies=["mean"], persona="regular") == {"mean": 2}
    assert servicebp.expected_scores(bp, strategies=["mean"]) == {"mean": 1}
    (scored,) = servicebp.journey_scores(bp, strategies=["worst"], persona="first-timer")
    assert scored.scores == {"worst": -2}
    journey = servicebp.Journey.from_blueprint(bp, persona="first-timer")
    assert journey.ratings == (0, -2, 1)
    assert journey.weights == (1, 3, 1)
    # Observed ratings still win over the persona's designed ones.
    assert (
        servicebp.emotion_curve(bp, ratings={"stay": -3}, persona="regular").steps[2].rating == -3
    )
    spread = servicebp.stage_spread(bp, "check-in", persona="regular")
    assert spread.by_channel == {"unspecified": 2}


def test_a_personas_waits_are_its_own() -> None:
    bp = hotel()
    first = servicebp.step_times(bp, persona="first-timer")["check-in"]
    regular = servicebp.step_times(bp, persona="regular")["check-in"]
    assert (first.wait, first.over_tolerance) == (20, True)
    assert (regular.wait, regular.over_tolerance) == (5, False)
    (times,) = servicebp.journey_times(bp, persona="first-timer")
    assert times.wait == 20
    assert servicebp.wait_exceedance(bp, 10, persona="first-timer") == 1.0
    assert servicebp.wait_exceedance(bp, 10, persona="regular") == 0.0
    assert servicebp.critical_journey(bp, persona="first-timer").elapsed == 20


def test_a_blueprint_without_personas_has_one_table_for_the_implicit_persona() -> None:
    bp = hotel()
    plain = Blueprint("Plain", stages=bp.stages)
    for step in bp.steps():
        plain.add_step(step.evolve(per_persona={}))
    for flow in bp.flows():
        plain.add_flow(flow)
    (table,) = servicebp.persona_scores(plain, strategies=["mean"])
    assert (table.persona, table.label, table.expected) == (None, "Plain", {"mean": 1})


def to_be() -> Blueprint:
    """The to-be hotel: the first-timer's check-in is fixed (rating +1, five minutes' wait)."""
    bp = hotel(scenario="to-be")
    step = bp["check-in"]
    fixed = dict(step.per_persona)
    fixed["first-timer"] = PersonaValues(rating=1, weight=3, wait=Wait(duration=5, tolerance=10))
    bp.replace_step(step.evolve(per_persona=fixed))
    return bp


def test_an_as_is_to_be_diff_per_persona() -> None:
    diffs = servicebp.persona_diffs(hotel(), to_be(), strategies=["mean", "weighted"])
    assert list(diffs) == ["first-timer", "regular"]
    first, regular = diffs["first-timer"], diffs["regular"]
    assert [(c.step, c.fields) for c in first.changed_steps] == [("check-in", ("wait", "rating"))]
    (journey,) = first.journeys
    # Mean (0 + 1 + 1) / 3 after, (0 − 2 + 1) / 3 before; weighted (0 + 3 + 1) / 5 against −1.
    assert journey.change == pytest.approx({"mean": 1.0, "weighted": 1.8})
    # Nothing changed for the regular: no step change, every score the same.
    assert regular.changed_steps == ()
    assert regular.journeys[0].change == {"mean": 0.0, "weighted": 0.0}
    assert not regular
    # Without a persona the steps' own values did not change either.
    own = servicebp.diff(hotel(), to_be())
    assert [(c.step, c.fields) for c in own.changed_steps] == [("check-in", ("per_persona",))]


def test_an_unknown_persona_is_named_with_the_closest() -> None:
    bp = hotel()
    for call in (
        lambda: servicebp.expected_scores(bp, persona="regualr"),
        lambda: servicebp.emotion_curve(bp, persona="regualr"),
        lambda: servicebp.diff(bp, bp, persona="regualr"),
        lambda: servicebp.step_times(bp, persona="regualr"),
    ):
        with pytest.raises(UnknownPersonaError) as caught:
            call()
        assert "unknown persona: 'regualr' (did you mean 'regular'?)" in str(caught.value)
        assert isinstance(caught.value, KeyError)
        assert isinstance(caught.value, servicebp.ServiceBlueprintError)


def test_a_persona_is_named_by_its_id() -> None:
    with pytest.raises(servicebp.ArgumentTypeError, match="persona must be a persona id"):
        servicebp.expected_scores(hotel(), persona=1)  # type: ignore[arg-type]


def test_lint_checks_each_personas_waits() -> None:
    found = [
        (d.code, d.step, d.message) for d in servicebp.lint(hotel(), select=["SBP004", "SBP009"])
    ]
    assert found == [
        (
            "SBP009",
            "check-in",
            "wait of 20 min is over the tolerance of 10 min (for persona 'first-timer')",
        )
    ]
