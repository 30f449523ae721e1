"""Moments of truth: rubrics, candidate and internal moments, queries, placement rule."""

from __future__ import annotations

import math
import warnings

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from servicebp import (
    FIRST_IMPRESSION,
    RUBRICS,
    Blueprint,
    ContactMode,
    MomentKind,
    MomentOfTruth,
    Rubric,
    Step,
    candidate_moments,
    check_moment_placement,
    get_rubric,
    internal_moments,
    is_internal_moment,
    moment_placement_problems,
    moments_by_contact_mode,
    moments_by_kind,
    moments_by_stage,
    rate_moment,
    register_rubric,
)
from servicebp.errors import (
    BlueprintTypeError,
    BlueprintValidationError,
    MomentPlacementWarning,
    RatingError,
    RubricError,
    UnknownStepError,
)

# --- rubrics -----------------------------------------------------------------------------


def test_first_impression_is_built_in_with_the_seed_weights() -> None:
    assert RUBRICS["first-impression"] is FIRST_IMPRESSION
    assert FIRST_IMPRESSION.weights == {
        "appearance": 0.52,
        "behaviour": 0.33,
        "communication": 0.15,
    }


def test_first_impression_by_hand() -> None:
    # 0.52 × (−2) + 0.33 × 3 + 0.15 × 3 = −1.04 + 0.99 + 0.45 = 0.40:
    # a sloppy appearance outweighs good behaviour and communication.
    rating = FIRST_IMPRESSION.rate({"appearance": -2, "behaviour": 3, "communication": 3})
    assert rating == pytest.approx(0.40)


@pytest.mark.parametrize(
    ("criteria", "message"),
    [
        ({"a": 0.5, "b": 0.4}, "weights sum to 0.9, not 1"),
        ({"a": 0.6, "b": 0.6}, "weights sum to 1.2, not 1"),
        ({}, "has no criteria"),
        ({"a": -0.5, "b": 1.5}, "weight of 'a' must be a finite number above 0"),
        ({"a": math.nan}, "weight of 'a'"),
        ({"a": "1"}, "weight of 'a'"),
        ([("a", 0.5), ("a", 0.5)], "criterion 'a' is listed twice"),
        ({"": 1.0}, "is not a non-empty string"),
    ],
)
def test_malformed_rubrics_are_errors(criteria: object, message: str) -> None:
    with pytest.raises(RubricError, match=message):
        Rubric(name="r", criteria=criteria)  # type: ignore[arg-type]


def test_rubric_error_is_a_value_error_naming_the_rubric() -> None:
    with pytest.raises(ValueError, match=r"^rubric 'phone': weights sum"):
        Rubric(name="phone", criteria={"tone": 0.7})


def test_weights_summing_to_one_within_rounding_are_fine() -> None:
    third = 1 / 3
    assert Rubric(name="thirds", criteria={"a": third, "b": third, "c": third}).rate(
        {"a": 3, "b": 3, "c": 3}
    ) == pytest.approx(3)


@pytest.mark.parametrize(
    ("sub", "message"),
    [
        ({"appearance": 1, "behaviour": 1}, r"missing \['communication'\]"),
        (
            {"appearance": 1, "behaviour": 1, "communication": 1, "smell": 0},
            r"not criteria of the rubric \['smell'\]",
        ),
        ({"appearance": 4, "behaviour": 1, "communication": 1}, "criterion 'appearance': rating 4"),
        ({"appearance": math.nan, "behaviour": 1, "communication": 1}, "NaN"),
        ({"appearance": "good", "behaviour": 1, "communication": 1}, "must be a number"),
    ],
)
def test_bad_sub_ratings_are_errors(sub: dict[str, object], message: str) -> None:
    with pytest.raises(RatingError, match=message):
        FIRST_IMPRESSION.rate(sub)


@settings(max_examples=60)
@given(
    st.fixed_dictionaries(
        {
            c: st.floats(min_value=-3, max_value=3, allow_nan=False)
            for c in ("appearance", "behaviour", "communication")
        }
    )
)
def test_rubric_ratings_land_on_the_scale(sub: dict[str, float]) -> None:
    value = FIRST_IMPRESSION.rate(sub)
    assert -3 <= value <= 3
    assert min(sub.values()) <= value <= max(sub.values())


def test_registry_of_rubrics() -> None:
    phone = Rubric(name="test-phone", criteria={"tone": 0.5, "accuracy": 0.5})
    register_rubric(phone)
    assert get_rubric("test-phone") is phone
    register_rubric(phone)  # the same rubric again is harmless
    with pytest.raises(RubricError, match="registered already"):
        register_rubric(Rubric(name="test-phone", criteria={"tone": 1}))
    register_rubric(Rubric(name="test-phone", criteria={"tone": 1}), replace=True)
    assert get_rubric("test-phone").weights == {"tone": 1}


def test_unknown_rubric_lists_the_known() -> None:
    with pytest.raises(RubricError, match=r"unknown rubric: 'nope' \(must be one of \[.*'first"):
        get_rubric("nope")


def test_rubrics_mapping_is_read_only() -> None:
    with pytest.raises(TypeError):
        RUBRICS["x"] = FIRST_IMPRESSION  # type: ignore[index]


def test_rate_a_moment_through_its_rubric() -> None:
    step = Step(
        id="greet",
        label="Greet",
        lane="customer",
        stage="s",
        moment=MomentOfTruth(kind="first-contact", rubric="first-impression"),
    )
    # 0.52 × 3 + 0.33 × 0 + 0.15 × 0 = 1.56
    assert rate_moment(step, {"appearance": 3, "behaviour": 0, "communication": 0}) == (
        pytest.approx(1.56)
    )
    plain = Step(id="x", label="X", lane="customer", stage="s")
    with pytest.raises(RubricError, match="not a moment of truth"):
        rate_moment(plain, {})
    # an explicit rubric works on any step
    assert rate_moment(
        plain, {"appearance": 1, "behaviour": 1, "communication": 1}, rubric=FIRST_IMPRESSION
    ) == pytest.approx(1)


# --- a bank blueprint ------------------------------------------------------------------------


def bank() -> Blueprint:
    bp = Blueprint("Bank", stages=["arrive", "apply", "confirm"])
    add = bp.add_step
    add(Step(id="enter", label="Enter branch", lane="customer", stage="arrive", channel="branch"))
    add(Step(id="sign", label="Queue ticket", lane="physical-evidence", stage="arrive"))
    add(
        Step(
            id="apply",
            label="Apply",
            lane="customer",
            stage="apply",
            channel="branch",
            moment=MomentOfTruth(kind="purchase", contact_mode="interpersonal-direct"),
        )
    )
    add(Step(id="app", label="Apply in app", lane="customer", stage="apply", channel="app"))
    add(
        Step(
            id="sms",
            label="Read SMS",
            lane="customer",
            stage="confirm",
            moment=MomentOfTruth(kind="follow-up", contact_mode="human-machine"),
        )
    )
    add(Step(id="greet", label="Greeter", lane="frontstage", stage="arrive"))
    add(Step(id="teller", label="Teller", lane="frontstage", stage="apply"))
    add(
        Step(
            id="check",
            label="Check ID",
            lane="backstage",
            stage="apply",
            moment=MomentOfTruth(kind="service-support"),
        )
    )
    add(Step(id="kyc", label="KYC system", lane="support", stage="apply"))
    bp.connect("enter", "apply", probability=0.5)
    bp.connect("enter", "app", probability=0.5)
    bp.connect("apply", "sms")
    bp.connect("app", "sms")
    bp.connect("sign", "enter", kind="support")
    bp.connect("enter", "greet", kind="support")
    bp.connect("apply", "teller", kind="support")
    bp.connect("teller", "check", kind="support")
    bp.connect("check", "kyc", kind="support")
    return bp


def test_candidate_moments_are_untagged_customer_steps_across_the_line() -> None:
    # enter meets the greeter (crosses the line); apply is tagged already; app and
    # sms meet nobody; the queue ticket is evidence and crosses no line.
    assert [s.id for s in candidate_moments(bank())] == ["enter"]


def test_candidate_moments_empty_once_tagged() -> None:
    bp = bank()
    bp.replace_step(bp["enter"].evolve(moment=MomentOfTruth(kind="first-contact")))
    assert candidate_moments(bp) == ()


def test_internal_moments() -> None:
    bp = bank()
    assert is_internal_moment(bp, "check")  # backstage ↔ support: an internal customer
    assert not is_internal_moment(bp, "apply")  # external
    assert not is_internal_moment(bp, "kyc")  # not tagged
    assert [s.id for s in internal_moments(bp)] == ["check"]
    with pytest.raises(UnknownStepError):
        is_internal_moment(bp, "nope")


def test_moment_queries() -> None:
    bp = bank()
    assert {k: [s.id for s in v] for k, v in moments_by_kind(bp).items()} == {
        MomentKind.PURCHASE: ["apply"],
        MomentKind.SERVICE_SUPPORT: ["check"],
        MomentKind.FOLLOW_UP: ["sms"],
    }
    assert {k: [s.id for s in v] for k, v in moments_by_contact_mode(bp).items()} == {
        ContactMode.HUMAN_MACHINE: ["sms"],
        ContactMode.INTERPERSONAL_DIRECT: ["apply"],
        None: ["check"],
    }
    assert {k: [s.id for s in v] for k, v in moments_by_stage(bp).items()} == {
        "arrive": [],
        "apply": ["apply", "check"],
        "confirm": ["sms"],
    }


# --- placement: a moment tag where it makes no sense ---------------------------------------------


def test_well_placed_moments_pass_silently() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        check_moment_placement(bank())
    assert moment_placement_problems(bank()) == ([], [])


def test_moment_on_physical_evidence_is_refused_when_the_step_is_made() -> None:
    bp = bank()
    with pytest.raises(
        BlueprintValidationError,
        match="step 'sign': moment: a moment of truth cannot sit on physical evidence",
    ):
        bp["sign"].evolve(moment=MomentOfTruth(kind="usage"))
    assert bp["sign"].moment is None


def _tag_evidence_around_the_checks(bp: Blueprint) -> None:
    """Tag the evidence step 'sign' as a moment with attrs' validators off."""
    with attrs.validators.disabled():
        bp.replace_step(bp["sign"].evolve(moment=MomentOfTruth(kind="usage")))


def test_moment_on_physical_evidence_made_around_the_checks_is_an_error() -> None:
    bp = bank()
    _tag_evidence_around_the_checks(bp)
    with pytest.raises(
        BlueprintValidationError,
        match="step 'sign': moment: a moment of truth cannot sit on physical evidence",
    ):
        check_moment_placement(bp)


def test_backstage_moment_meeting_no_internal_customer_warns() -> None:
    bp = bank()
    bp.disconnect("check", "kyc")
    with pytest.warns(MomentPlacementWarning, match="step 'check'.*no internal customer"):
        check_moment_placement(bp)


def test_support_moment_meeting_no_internal_customer_warns() -> None:
    bp = bank()
    bp.add_step(
        Step(
            id="batch",
            label="Nightly batch",
            lane="support",
            stage="apply",
            moment=MomentOfTruth(kind="usage"),
        )
    )
    errors, warned = moment_placement_problems(bp)
    assert errors == []
    assert [p.step for p in warned] == ["batch"]


def test_frontstage_moment_needs_a_contact() -> None:
    bp = bank()
    bp.replace_step(bp["teller"].evolve(moment=MomentOfTruth(kind="purchase")))
    # teller ↔ apply crosses the line of interaction: fine
    assert moment_placement_problems(bp) == ([], [])
    bp.add_step(
        Step(
            id="idle",
            label="Idle clerk",
            lane="frontstage",
            stage="apply",
            moment=MomentOfTruth(kind="usage"),
        )
    )
    with pytest.warns(MomentPlacementWarning, match="step 'idle'.*meets no customer"):
        check_moment_placement(bp)


def test_customer_moment_without_contact_is_fine() -> None:
    # sms is a self-service moment with no flow across any line
    errors, warned = moment_placement_problems(bank())
    assert "sms" not in [p.step for p in errors + warned]


def test_errors_and_warnings_together() -> None:
    bp = bank()
    _tag_evidence_around_the_checks(bp)
    bp.disconnect("check", "kyc")
    with pytest.warns(MomentPlacementWarning), pytest.raises(BlueprintValidationError):
        check_moment_placement(bp)


# --- placement and rubric names in the whole-blueprint check ------------------------------------


def test_moment_on_physical_evidence_is_a_blueprint_problem() -> None:
    bp = bank()
    _tag_evidence_around_the_checks(bp)
    (problem,) = bp.problems()
    assert (problem.step, problem.field) == ("sign", "moment")
    assert "cannot sit on physical evidence" in problem.message
    with pytest.raises(BlueprintValidationError, match="step 'sign': moment: a moment of truth"):
        bp.validate()


def test_misplaced_moment_behind_the_line_is_no_blueprint_problem() -> None:
    # Only a warning (the justifying flow is often drawn later): the blueprint stays valid.
    bp = bank()
    bp.disconnect("check", "kyc")
    assert moment_placement_problems(bp)[1]
    assert bp.problems() == []


def test_unknown_rubric_is_a_blueprint_problem_naming_the_known_ones() -> None:
    bp = bank()
    bp.replace_step(
        bp["apply"].evolve(moment=MomentOfTruth(kind="purchase", rubric="nope")),
    )
    (problem,) = bp.problems()
    assert (problem.step, problem.field) == ("apply", "moment")
    assert problem.message.startswith("unknown rubric 'nope' (the registered rubrics are [")
    assert "'first-impression'" in problem.message
    with pytest.raises(BlueprintValidationError, match="unknown rubric 'nope'"):
        bp.validate()


def test_a_registered_rubric_makes_the_blueprint_valid() -> None:
    bp = bank()
    bp.replace_step(
        bp["apply"].evolve(moment=MomentOfTruth(kind="purchase", rubric="test-valid-rubric")),
    )
    assert len(bp.problems()) == 1
    register_rubric(Rubric(name="test-valid-rubric", criteria={"tone": 1}))
    assert bp.problems() == []


def test_placement_error_and_unknown_rubric_refused_on_save_and_load() -> None:
    from servicebp import dumps, loads

    bp = bank()
    with attrs.validators.disabled():
        bp.replace_step(bp["sign"].evolve(moment=MomentOfTruth(kind="usage", rubric="nope")))
    with pytest.raises(BlueprintValidationError) as caught:
        dumps(bp)
    messages = [p.message for p in caught.value.problems]
    assert len(messages) == 2
    assert "cannot sit on physical evidence" in messages[0]
    assert messages[1].startswith("unknown rubric 'nope'")
    text = dumps(bank()).replace(
        "  lane: physical-evidence\n",
        "  lane: physical-evidence\n  moment:\n    kind: usage\n    rubric: nope\n",
    )
    with pytest.raises(BlueprintValidationError) as caught:
        loads(text, source="bank.yaml")
    (shown,) = [str(p) for p in caught.value.problems]
    line = text.splitlines().index("  lane: physical-evidence") + 1
    # The step itself refuses the tag, so the file names the step's position.
    assert shown.startswith(f"bank.yaml:{line - 2}:"), shown
    assert "step 'sign': moment: a moment of truth cannot sit on physical evidence" in shown
    rubric_only = dumps(bank()).replace(
        "  lane: customer\n", "  lane: customer\n  moment:\n    kind: usage\n    rubric: nope\n", 1
    )
    with pytest.raises(BlueprintValidationError, match="moment: unknown rubric 'nope'"):
        loads(rubric_only, source="bank.yaml")


# --- arguments of the wrong type stay inside the hierarchy --------------------------------------


def test_register_rubric_takes_a_rubric() -> None:
    from servicebp.errors import ArgumentTypeError

    with pytest.raises(
        ArgumentTypeError, match=r"register_rubric\(\) takes a Rubric, not str"
    ) as e:
        register_rubric("x")  # type: ignore[arg-type]
    assert isinstance(e.value, TypeError)
    assert "x" not in RUBRICS


@pytest.mark.parametrize(
    ("fields", "fragment"),
    [
        ({"expectations": ["on time"]}, "expectations must be Expectations, not str"),
        ({"expectations": 5}, "expectations must be a sequence of Expectations, not int"),
        ({"behaviours": 5}, "behaviours must be a sequence of behaviour names, not int"),
        ({"rubric": 5}, "rubric must be a rubric name (a string), not int (5)"),
    ],
)
def test_moment_fields_of_the_wrong_type(fields: dict[str, object], fragment: str) -> None:
    with pytest.raises(BlueprintTypeError) as caught:
        MomentOfTruth(kind="usage", **fields)  # type: ignore[arg-type]
    assert fragment in str(caught.value)
