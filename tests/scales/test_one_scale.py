"""One rating scale: every range check, message, level and colour agrees with servicebp.scales."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from servicebp import Blueprint, BlueprintValidationError, RatingError, Step, expected_ratings
from servicebp.rendering._palette import RATING_COLOURS, rating_class, rating_colour
from servicebp.rendering._render import to_dot
from servicebp.scales import RatingLevel, check_rating, rating_problem

ratings = st.floats(min_value=-3, max_value=3, allow_nan=False)
#: Exactly halfway between two levels, where rounding rules disagree.
halves = st.sampled_from([-2.5, -1.5, -0.5, 0.5, 1.5, 2.5])


@given(st.one_of(ratings, halves))
def test_the_colour_class_is_the_described_level(rating: float) -> None:
    level = RatingLevel.nearest(rating)
    assert rating_class(rating) == level
    assert rating_colour(rating) == RATING_COLOURS[level]


@given(st.one_of(ratings, halves))
def test_the_level_is_the_nearest_and_halfway_the_worse(rating: float) -> None:
    level = RatingLevel.nearest(rating)
    assert abs(level - rating) <= 0.5
    if abs(level - rating) == 0.5:
        assert level < rating


def test_halfway_examples() -> None:
    assert [RatingLevel.nearest(r).meaning for r in (0.5, -0.5)] == [
        "neutral (no expectation)",
        "partly fails expectations",
    ]
    assert [rating_class(r) for r in (0.5, -0.5, 2.5)] == [0, -1, 2]


def test_the_legend_names_the_levels() -> None:
    bp = Blueprint("A", stages=["s"])
    bp.add_step(Step(id="x", label="X", lane="customer", stage="s", rating=1))
    source = to_dot(bp).source
    for level in RatingLevel:
        assert f"{level:+d} {level.short}" in source


@given(
    st.one_of(st.floats(min_value=3, exclude_min=True), st.floats(max_value=-3, exclude_max=True))
)
def test_every_range_check_says_the_same(rating: float) -> None:
    wording = rating_problem(rating)
    assert wording == f"{rating!r} is not on the MOT scale -3…+3"
    with pytest.raises(RatingError, match=re.escape(f"rating {wording}")):
        check_rating(rating)
    with pytest.raises(RatingError, match=re.escape(f"failure_rating {wording}")):
        expected_ratings(Blueprint("A", stages=["s"]), failure_rating=rating)
    bp = Blueprint("A", stages=["s"])
    bp.add_step(Step(id="x", label="X", lane="customer", stage="s"))
    with pytest.raises(RatingError, match=re.escape(f"rating {wording}")):
        to_dot(bp, ratings={"x": rating})


@pytest.mark.parametrize("rating", [4, -3.5, 10**6])
def test_a_step_off_the_scale_says_the_same(rating: float) -> None:
    with pytest.raises(BlueprintValidationError, match=re.escape(f"rating {float(rating)!r} is")):
        Step(id="x", label="X", lane="customer", stage="s", rating=rating)
    with pytest.raises(BlueprintValidationError, match="is not on the MOT scale -3…\\+3"):
        Step(id="x", label="X", lane="customer", stage="s", rating=rating)
