"""Journey scores: hand-computed strategies, properties, the registry, journeys from blueprints."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from servicebp import (
    STRATEGIES,
    Journey,
    JourneyStep,
    get_strategy,
    register_strategy,
    score,
    scores,
    unregister_strategy,
)
from servicebp.errors import (
    ArgumentTypeError,
    BlueprintValidationError,
    EmptyJourneyError,
    InvalidArgumentError,
    RatingError,
    ServiceBlueprintError,
    UnknownStrategyError,
)
from tests._scoring_helpers import BUILT_IN, RATING_STRATEGIES, branching


def journey(*steps: tuple[float, float | None]) -> Journey:
    """A journey from (rating, moment weight or None) pairs."""
    return Journey(
        steps=[
            JourneyStep(step=f"s{i}", rating=r, moment_weight=w) for i, (r, w) in enumerate(steps)
        ]
    )


# One journey for the hand computations: ratings 2, −1, 3, 0 where −1 is a
# moment of weight 3 and 3 is a moment of weight 2.
SAMPLE = journey((2, None), (-1, 3.0), (3, 2.0), (0, None))


# --- every strategy by hand ------------------------------------------------------------


def test_mean_by_hand() -> None:
    # (2 − 1 + 3 + 0) / 4 = 4 / 4 = 1
    assert score(SAMPLE, strategy="mean") == 1.0


def test_weighted_by_hand() -> None:
    # weights 1, 3, 2, 1: (1×2 + 3×(−1) + 2×3 + 1×0) / (1 + 3 + 2 + 1) = 5 / 7
    assert score(SAMPLE, strategy="weighted") == pytest.approx(5 / 7)


def test_weighted_without_moments_is_the_mean() -> None:
    # all weights 1: (1 − 2 + 3) / 3 = 2 / 3
    assert score([1, -2, 3], strategy="weighted") == pytest.approx(2 / 3)


def test_worst_by_hand() -> None:
    # min(2, −1, 3, 0) = −1
    assert score(SAMPLE, strategy="worst") == -1.0


def test_last_by_hand() -> None:
    # the last rating is 0
    assert score(SAMPLE, strategy="last") == 0.0


def test_peak_end_by_hand() -> None:
    # peak = 3 (largest |r|), end = 0: (3 + 0) / 2 = 1.5
    assert score(SAMPLE, strategy="peak_end") == 1.5
    # the example: [1, −2, 3] → peak 3, end 3: (3 + 3) / 2 = 3
    assert score([1, -2, 3], strategy="peak_end") == 3.0


def test_peak_end_tie_goes_to_the_negative_rating() -> None:
    # |2| = |−2|: the peak is −2 (negative moments weigh more); end 1:
    # (−2 + 1) / 2 = −0.5. Order of the tied ratings does not matter.
    assert score([2, -2, 1], strategy="peak_end") == -0.5
    assert score([-2, 2, 1], strategy="peak_end") == -0.5


def test_peak_end_tie_of_equal_ratings_goes_to_the_earliest() -> None:
    # peaks −3, −3: the earliest is chosen (same value, so same score); end 1:
    # (−3 + 1) / 2 = −1
    assert score([-3, 0, -3, 1], strategy="peak_end") == -1.0


def test_peak_end_single_step() -> None:
    # peak and end are the one rating: (−2 + −2) / 2 = −2
    assert score([-2], strategy="peak_end") == -2.0


def test_moment_floor_by_hand() -> None:
    # moments are −1 (weight 3) and 3 (weight 2): min(−1, 3) = −1
    assert score(SAMPLE, strategy="moment_floor") == -1.0
    # the worst step (−2) is no moment: the floor is the worst moment, 1
    assert score(journey((1, 1.0), (-2, None), (2, 1.0)), strategy="moment_floor") == 1.0


def test_share_positive_by_hand() -> None:
    # 2 and 3 are above 0; −1 is not, and 0 is neutral, not positive: 2 / 4
    assert score(SAMPLE, strategy="share_positive") == 0.5
    assert score([0, 0], strategy="share_positive") == 0.0
    assert score([0.5, 3, 1], strategy="share_positive") == 1.0
    # two of three steps above 0: a share, not a rating on −3…+3
    assert score([-3, 0.25, 2], strategy="share_positive") == 2 / 3


def test_share_positive_is_a_share_not_a_rating() -> None:
    strategy = STRATEGIES["share_positive"]
    assert (strategy.unit, strategy.bounds, strategy.is_rating) == ("share", (0.0, 1.0), False)
    assert all(STRATEGIES[name].unit == "rating" for name in RATING_STRATEGIES)


def test_a_share_strategy_returning_off_its_range_is_an_error() -> None:
    # 1.5 is on the rating scale but not a share: checked against the share's own range.
    register_strategy("over", lambda j: 1.5, unit="share")
    try:
        with pytest.raises(
            RatingError, match=r"strategy 'over' returned 1.5, not a share in \[0, 1\]"
        ):
            score([1], strategy="over")
    finally:
        unregister_strategy("over")
    with pytest.raises(InvalidArgumentError, match="unit must be one of"):
        register_strategy("odd", lambda j: 0.0, unit="percent")


def test_moment_floor_falls_back_to_worst_without_moments() -> None:
    # no moment: worst = min(1, −2, 3) = −2
    assert score([1, -2, 3], strategy="moment_floor") == -2.0


def test_scores_gives_every_strategy_in_registry_order() -> None:
    assert scores(SAMPLE) == {
        "mean": 1.0,
        "weighted": pytest.approx(5 / 7),
        "worst": -1.0,
        "last": 0.0,
        "peak_end": 1.5,
        "moment_floor": -1.0,
        "share_positive": 0.5,
    }


def test_default_strategy_is_mean() -> None:
    assert score([3, 0]) == 1.5


# --- bad input -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("ratings", "message"),
    [
        ([1, 4], r"step '2': rating 4.0 is not on the MOT scale"),
        ([-3.5], r"step '1': rating -3.5 is not on the MOT scale"),
        ([0, math.nan], r"step '2': rating is NaN"),
        (["1"], r"step '1': rating must be a number, not str"),
        ([None], r"step '1': rating must be a number, not NoneType"),
    ],
)
def test_bad_ratings_are_errors(ratings: list[object], message: str) -> None:
    with pytest.raises(RatingError, match=message):
        score(ratings)


def test_journey_step_rejects_a_bad_rating() -> None:
    with pytest.raises(RatingError, match="step 'pay'"):
        JourneyStep(step="pay", rating=math.inf)


@pytest.mark.parametrize("empty", [[], (), iter([])])
def test_empty_journey_is_a_clear_error(empty: object) -> None:
    with pytest.raises(EmptyJourneyError, match="at least one rated step"):
        score(empty, strategy="worst")  # type: ignore[arg-type]


def test_empty_journey_cannot_be_built() -> None:
    with pytest.raises(EmptyJourneyError):
        Journey(steps=())


@pytest.mark.parametrize("value", ["123", {"a": 1}, {1: 2}, 3, b"12"])
def test_score_takes_a_journey_or_a_sequence(value: object) -> None:
    with pytest.raises(ArgumentTypeError, match="Journey or a sequence of ratings") as caught:
        score(value)  # type: ignore[arg-type]
    # Inside the hierarchy, and still the builtin callers may catch.
    assert isinstance(caught.value, ServiceBlueprintError)
    assert isinstance(caught.value, TypeError)
    assert type(value).__name__ in str(caught.value)
    with pytest.raises(ArgumentTypeError):
        scores(value)  # type: ignore[arg-type]


def test_a_huge_wrong_argument_is_not_printed_whole() -> None:
    with pytest.raises(ArgumentTypeError) as caught:
        score({i: i for i in range(100_000)})  # type: ignore[arg-type]
    assert len(str(caught.value)) < 200


def test_unknown_strategy_lists_the_allowed_ones() -> None:
    with pytest.raises(UnknownStrategyError) as caught:
        score([1], strategy="median")
    assert str(caught.value) == (
        "unknown strategy: 'median' (must be one of "
        "['last', 'mean', 'moment_floor', 'peak_end', 'share_positive', 'weighted', 'worst'])"
    )
    assert isinstance(caught.value, ValueError)


def test_moment_weight_must_be_positive() -> None:
    with pytest.raises(ValueError, match="moment_weight"):
        JourneyStep(step="a", rating=1, moment_weight=0)


def test_from_ratings_moment_positions_are_checked() -> None:
    with pytest.raises(
        InvalidArgumentError,
        match=r"moment position 5 is not a position of the 2 ratings \(0-based: 0 to 1\)",
    ):
        Journey.from_ratings([1, 2], moments={5: 2.0})
    with pytest.raises(InvalidArgumentError, match="moment position -1"):
        Journey.from_ratings([1], moments={-1: 2.0})


@pytest.mark.parametrize(
    ("call", "fragment"),
    [
        (lambda: Journey.from_ratings([1], moments={"0": 2.0}), "moment position '0' must be"),
        (lambda: Journey.from_ratings([1], moments={True: 2.0}), "must be a whole number"),
        (lambda: Journey.from_ratings([1], moments=[0]), "moments must map 0-based positions"),
        (lambda: Journey.from_ratings(5), "ratings must be a sequence of numbers, not int (5)"),
        (lambda: Journey.from_ratings("12"), "ratings must be a sequence of numbers, not str"),
        (lambda: JourneyStep(step=1, rating=0), "step must be a step id (a string), not int (1)"),
        (lambda: JourneyStep(step="a", rating=0, moment_weight="2"), "moment_weight must be a"),
        (
            lambda: Journey(steps=[1]),
            "a journey's steps are JourneySteps, not int (1 at position 0)",
        ),
        (lambda: Journey(steps=5), "a journey's steps must be a sequence of JourneySteps, not int"),
        (
            lambda: Journey(steps="ab"),
            "a journey's steps must be a sequence of JourneySteps, not str",
        ),
        (lambda: register_strategy("x", 5), "strategy 'x': 5 is not callable"),  # type: ignore[arg-type]
        (lambda: register_strategy(5, len), "a strategy name must be a string, not int"),  # type: ignore[arg-type]
        (lambda: scores([1], strategies="mean"), "strategies must be a list of strategy names"),
    ],
)
def test_arguments_of_the_wrong_type(call: Callable[[], object], fragment: str) -> None:
    with pytest.raises(ArgumentTypeError) as caught:
        call()
    assert fragment in str(caught.value)
    assert isinstance(caught.value, TypeError)


def test_empty_step_id_is_an_invalid_argument() -> None:
    with pytest.raises(InvalidArgumentError, match="non-empty step id"):
        JourneyStep(step="", rating=0)


def test_from_blueprint_arguments_of_the_wrong_type() -> None:
    bp = branching()
    with pytest.raises(
        ArgumentTypeError, match=r"ratings must map step ids to ratings, not list \(\[1\]\)"
    ):
        Journey.from_blueprint(bp, ["order"], ratings=[1])  # type: ignore[arg-type]
    with pytest.raises(ArgumentTypeError, match="takes a Blueprint, not str"):
        Journey.from_blueprint("bp.yaml")  # type: ignore[arg-type]
    with pytest.raises(ArgumentTypeError, match="steps must be a sequence of step ids, not str"):
        Journey.from_blueprint(bp, "order")
    with pytest.raises(ArgumentTypeError, match="steps must be a sequence of step ids, not int"):
        Journey.from_blueprint(bp, 5)  # type: ignore[arg-type]


# --- the registry ---------------------------------------------------------------------------


def test_registry_holds_the_seven_strategies_with_formulas() -> None:
    assert list(STRATEGIES) == BUILT_IN
    for strategy in STRATEGIES.values():
        assert strategy.formula
        assert strategy.why


def test_registry_is_read_only() -> None:
    with pytest.raises(TypeError):
        STRATEGIES["x"] = STRATEGIES["mean"]  # type: ignore[index]


@pytest.fixture
def median() -> Iterator[None]:
    def _median(j: Journey) -> float:
        """The middle rating."""
        ordered = sorted(j.ratings)
        return ordered[len(ordered) // 2]

    register_strategy("median", _median, formula="middle of sorted r_i")
    yield
    unregister_strategy("median")


@pytest.mark.usefixtures("median")
def test_callers_register_their_own_strategy() -> None:
    # sorted (−2, 1, 3): the middle is 1
    assert score([3, -2, 1], strategy="median") == 1.0
    assert STRATEGIES["median"].why == "The middle rating."
    assert "median" in scores([1])


def test_unregistered_strategy_is_gone() -> None:
    register_strategy("tmp", lambda j: 0.0)
    unregister_strategy("tmp")
    with pytest.raises(UnknownStrategyError):
        get_strategy("tmp")


def test_built_ins_cannot_be_replaced_or_removed() -> None:
    with pytest.raises(ValueError, match="built in"):
        register_strategy("mean", lambda j: 0.0, replace=True)
    with pytest.raises(ValueError, match="built in"):
        unregister_strategy("worst")


@pytest.mark.usefixtures("median")
def test_a_second_registration_needs_replace() -> None:
    with pytest.raises(ValueError, match="replace=True"):
        register_strategy("median", lambda j: 0.0)
    register_strategy("median", lambda j: 0.0, replace=True)
    assert score([3], strategy="median") == 0.0


@pytest.mark.parametrize("name", ["", "Median", "two words", "9lives"])
def test_strategy_names_are_checked(name: str) -> None:
    with pytest.raises(ValueError, match="strategy name"):
        register_strategy(name, lambda j: 0.0)


def test_a_strategy_returning_off_scale_is_an_error() -> None:
    register_strategy("broken", lambda j: 7.0)
    try:
        with pytest.raises(RatingError, match="strategy 'broken' returned a score off the scale"):
            score([1], strategy="broken")
    finally:
        unregister_strategy("broken")


# --- properties ------------------------------------------------------------------------------

rating = st.floats(min_value=-3, max_value=3, allow_nan=False)
weight = st.none() | st.floats(min_value=0.01, max_value=100)
steps = st.lists(st.tuples(rating, weight), min_size=1, max_size=12)

ORDER_FREE = ["mean", "weighted", "worst", "moment_floor", "share_positive"]
MONOTONE = ["mean", "weighted", "worst", "last", "peak_end", "moment_floor", "share_positive"]


@settings(max_examples=80)
@given(steps, st.sampled_from(RATING_STRATEGIES))
def test_every_score_lies_on_the_scale(pairs: list[tuple[float, float | None]], name: str) -> None:
    value = score(journey(*pairs), strategy=name)
    assert -3 <= value <= 3
    ratings = [r for r, _ in pairs]
    assert min(ratings) <= value <= max(ratings)


@given(steps)
def test_share_positive_is_the_share_of_steps_above_zero(
    pairs: list[tuple[float, float | None]],
) -> None:
    value = score(journey(*pairs), strategy="share_positive")
    assert 0 <= value <= 1
    assert value == sum(r > 0 for r, _ in pairs) / len(pairs)


@settings(max_examples=80)
@given(steps, st.randoms(use_true_random=False), st.sampled_from(ORDER_FREE))
def test_mean_worst_weighted_do_not_depend_on_order(
    pairs: list[tuple[float, float | None]], rng: object, name: str
) -> None:
    shuffled = list(pairs)
    rng.shuffle(shuffled)  # type: ignore[attr-defined]
    assert score(journey(*shuffled), strategy=name) == score(journey(*pairs), strategy=name)


@pytest.mark.parametrize(
    ("name", "ratings", "reordered"),
    [
        # last: the same ratings in another order end differently
        ("last", [3, -3], [-3, 3]),
        # peak_end: peak −3 both times, end 0 vs end −3: −1.5 vs −3
        ("peak_end", [-3, 1, 0], [1, 0, -3]),
    ],
)
def test_last_and_peak_end_depend_on_order(
    name: str, ratings: list[float], reordered: list[float]
) -> None:
    assert sorted(ratings) == sorted(reordered)
    assert score(ratings, strategy=name) != score(reordered, strategy=name)


@settings(max_examples=100)
@given(steps, st.data(), st.sampled_from(MONOTONE))
def test_raising_one_rating_never_lowers_the_score(
    pairs: list[tuple[float, float | None]], data: st.DataObject, name: str
) -> None:
    index = data.draw(st.integers(min_value=0, max_value=len(pairs) - 1))
    old, w = pairs[index]
    new = data.draw(st.floats(min_value=old, max_value=3, allow_nan=False))
    raised = list(pairs)
    raised[index] = (new, w)
    before = score(journey(*pairs), strategy=name)
    after = score(journey(*raised), strategy=name)
    assert after >= before


@settings(max_examples=50)
@given(st.lists(rating, min_size=1, max_size=10))
def test_plain_sequence_equals_a_journey_without_moments(ratings: list[float]) -> None:
    plain = journey(*[(r, None) for r in ratings])
    for name in BUILT_IN:
        assert score(ratings, strategy=name) == score(plain, strategy=name)


@settings(max_examples=50)
@given(st.lists(rating, min_size=1, max_size=10))
def test_worst_never_above_mean(ratings: list[float]) -> None:
    assert score(ratings, strategy="worst") <= score(ratings, strategy="mean")


# --- blueprints ---------------------------------------------------------------------------------


def test_journey_from_a_blueprint_uses_designed_ratings_and_moment_weights() -> None:
    bp = branching()
    walk = Journey.from_blueprint(bp, ["order", "card", "leave"])
    assert walk.ratings == (2.0, 1.0, 0.0)
    assert walk.weights == (3.0, 1.0, 1.0)


def test_the_default_journey_needs_an_unbranched_blueprint() -> None:
    with pytest.raises(BlueprintValidationError, match="step 'order' branches"):
        Journey.from_blueprint(branching())
    bp = branching()
    bp.remove_step("cash")
    assert Journey.from_blueprint(bp).step_ids == ("order", "card", "leave")


def test_observed_ratings_override_designed_ones() -> None:
    walk = Journey.from_blueprint(branching(), ["order", "card"], ratings={"card": -3})
    assert walk.ratings == (2.0, -3.0)


def test_a_journey_through_a_non_customer_step_is_an_error() -> None:
    with pytest.raises(RatingError, match="walks customer steps"):
        Journey.from_blueprint(branching(), ["order", "teller"])
