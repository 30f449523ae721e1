"""The MOT rating scale and the conversions from researchers' scales."""

from __future__ import annotations

import math
import re
from decimal import Decimal
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from servicebp.errors import RatingError
from servicebp.scales._scale import (
    MERMAID,
    MOT,
    SCALES,
    SERVQUAL_GAP,
    SMAPLY,
    TEN_POINT,
    RatingLevel,
    Scale,
    check_rating,
    convert,
    get_scale,
    servqual_gap,
)

ALL_SCALES = list(SCALES.values())


def on(scale: Scale) -> st.SearchStrategy[float]:
    return st.floats(min_value=scale.low, max_value=scale.high, allow_nan=False)


# --- the MOT scale --------------------------------------------------------------


def test_levels_follow_the_seeds_table() -> None:
    assert [(int(level), level.meaning) for level in RatingLevel] == [
        (3, "delights the customer"),
        (2, "exceeds expectations"),
        (1, "meets expectations"),
        (0, "neutral (no expectation)"),
        (-1, "partly fails expectations"),
        (-2, "fails expectations"),
        (-3, "endangers the customer relationship"),
    ]


@pytest.mark.parametrize(
    ("rating", "level"),
    [
        (3, RatingLevel.DELIGHTS),
        (2.4, RatingLevel.EXCEEDS),
        (0.5, RatingLevel.NEUTRAL),  # halfway between 0 and 1: the worse
        (-0.5, RatingLevel.PARTLY_FAILS),  # halfway between 0 and −1: the worse
        (-2.6, RatingLevel.ENDANGERS),
    ],
)
def test_nearest_level_breaks_ties_to_the_worse(rating: float, level: RatingLevel) -> None:
    assert RatingLevel.nearest(rating) is level


@pytest.mark.parametrize("value", [-3, 0, 3, 2.5, np.float64(1.5), np.int64(-2), Fraction(1, 2)])
def test_ratings_on_the_scale_are_accepted(value: object) -> None:
    assert check_rating(value) == float(value)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (3.0001, "rating 3.0001 is not on the MOT scale -3…+3"),
        (-4, "rating -4.0 is not on the MOT scale -3…+3"),
        (math.inf, "rating inf is not on the MOT scale"),
        (math.nan, "rating is NaN"),
        (np.float64("nan"), "rating is NaN"),
        ("2", "rating must be a number, not str ('2')"),
        (None, "rating must be a number, not NoneType"),
        (True, "rating must be a number, not bool"),
        (Decimal("1"), "rating must be a number, not Decimal"),
        (1j, "rating must be a number, not complex"),
    ],
)
def test_bad_ratings_are_rejected_never_clamped(value: object, message: str) -> None:
    with pytest.raises(RatingError, match=re.escape(message)):
        check_rating(value)


def test_rating_errors_say_where() -> None:
    with pytest.raises(RatingError, match=r"^step 'pay': rating 9.0 is not"):
        check_rating(9, where="step 'pay'")


def test_rating_error_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="NaN"):
        check_rating(float("nan"))


# --- declared scales: hand-computed conversions -----------------------------------------


@pytest.mark.parametrize(
    ("scale", "value", "mot"),
    [
        (MERMAID, 1, -3.0),
        (MERMAID, 2, -1.5),  # (2 − 3) × 1.5
        (MERMAID, 3, 0.0),
        (MERMAID, 5, 3.0),
        (SMAPLY, -2, -3.0),
        (SMAPLY, 1, 1.5),  # 1 × 1.5
        (TEN_POINT, 1, -3.0),
        (TEN_POINT, 7, 1.0),  # (7 − 5.5) × 6 / 9 = 1
        (TEN_POINT, 10, 3.0),
        (SERVQUAL_GAP, -6, -3.0),
        (SERVQUAL_GAP, -1, -0.5),  # −1 / 2
        (SERVQUAL_GAP, 6, 3.0),
        (MOT, -2, -2.0),
    ],
)
def test_conversions_onto_mot(scale: Scale, value: float, mot: float) -> None:
    assert scale.to_mot(value) == pytest.approx(mot, abs=1e-12)
    assert scale.from_mot(mot) == pytest.approx(value, abs=1e-12)


def test_convert_between_two_scales() -> None:
    # Mermaid 4 → MOT 1.5 → Smaply 1.5 / 1.5 = 1; ten-point 10 → Mermaid 5.
    assert convert(4, source="mermaid", target="smaply") == pytest.approx(1.0)
    assert convert(10, source=TEN_POINT, target=MERMAID) == 5.0


def test_servqual_gap() -> None:
    # perception 4, expectation 6: gap −2, on MOT −1 ("partly fails").
    gap = servqual_gap(4, 6)
    assert gap == -2.0
    assert RatingLevel.nearest(SERVQUAL_GAP.to_mot(gap)) is RatingLevel.PARTLY_FAILS


@pytest.mark.parametrize(("perception", "expectation"), [(0, 4), (4, 8), (float("nan"), 3)])
def test_servqual_items_must_lie_on_1_to_7(perception: float, expectation: float) -> None:
    with pytest.raises(RatingError, match="SERVQUAL item"):
        servqual_gap(perception, expectation)


@pytest.mark.parametrize(
    ("scale", "value"),
    [(MERMAID, 0), (MERMAID, 5.5), (SMAPLY, 3), (TEN_POINT, 0), (SERVQUAL_GAP, 7), (MOT, -3.5)],
)
def test_out_of_range_on_any_scale_is_an_error(scale: Scale, value: float) -> None:
    with pytest.raises(RatingError, match=f"not on the {scale.name} scale"):
        scale.to_mot(value)


@pytest.mark.parametrize("scale", ALL_SCALES, ids=[s.name for s in ALL_SCALES])
@pytest.mark.parametrize("value", [float("nan"), "3", None, True])
def test_nan_and_non_numbers_on_any_scale(scale: Scale, value: object) -> None:
    with pytest.raises(RatingError):
        scale.to_mot(value)


def test_from_mot_checks_the_rating() -> None:
    with pytest.raises(RatingError, match="MOT scale"):
        MERMAID.from_mot(4)


def test_unknown_scale_names_the_known_ones() -> None:
    with pytest.raises(RatingError, match=r"unknown scale: 'likert'.*'mermaid'"):
        get_scale("likert")


def test_a_scale_needs_low_below_high() -> None:
    with pytest.raises(ValueError, match="low < high"):
        Scale(name="flat", low=1, high=1)


# --- properties -------------------------------------------------------------------


@settings(max_examples=60)
@given(st.data())
def test_round_trip_from_any_scale(data: st.DataObject) -> None:
    scale = data.draw(st.sampled_from(ALL_SCALES))
    value = data.draw(on(scale))
    assert scale.from_mot(scale.to_mot(value)) == pytest.approx(value, abs=1e-9)


@settings(max_examples=60)
@given(st.data())
def test_round_trip_from_mot(data: st.DataObject) -> None:
    scale = data.draw(st.sampled_from(ALL_SCALES))
    rating = data.draw(on(MOT))
    assert scale.to_mot(scale.from_mot(rating)) == pytest.approx(rating, abs=1e-9)


@settings(max_examples=60)
@given(st.data())
def test_conversion_stays_within_bounds_and_keeps_order(data: st.DataObject) -> None:
    scale = data.draw(st.sampled_from(ALL_SCALES))
    a, b = sorted([data.draw(on(scale)), data.draw(on(scale))])
    low, high = scale.to_mot(a), scale.to_mot(b)
    assert -3 <= low <= high <= 3
    back_low, back_high = scale.from_mot(low), scale.from_mot(high)
    assert scale.low <= back_low <= back_high <= scale.high


@pytest.mark.parametrize("scale", ALL_SCALES, ids=[s.name for s in ALL_SCALES])
def test_ends_and_midpoint_map_exactly(scale: Scale) -> None:
    assert scale.to_mot(scale.low) == -3.0
    assert scale.to_mot(scale.high) == 3.0
    assert scale.to_mot((scale.low + scale.high) / 2) == pytest.approx(0.0, abs=1e-12)


# --- columns: arrays and sequences ------------------------------------------------


def test_array_conversion_hand_computed() -> None:
    converted = MERMAID.to_mot(np.array([1, 5]))
    assert isinstance(converted, np.ndarray)
    assert converted.dtype == np.float64
    assert converted.tolist() == [-3.0, 3.0]
    assert MERMAID.to_mot([2, 3, 4]).tolist() == [-1.5, 0.0, 1.5]
    assert TEN_POINT.to_mot((1, 7, 10)).tolist() == pytest.approx([-3.0, 1.0, 3.0])
    assert SMAPLY.from_mot(np.array([-3.0, 1.5])).tolist() == [-2.0, 1.0]
    assert convert(np.array([4, 5]), source="mermaid", target="smaply").tolist() == [1.0, 2.0]
    assert servqual_gap(np.array([4, 7]), np.array([6, 1])).tolist() == [-2.0, 6.0]


def test_array_keeps_its_shape_and_names_positions_in_it() -> None:
    table = np.array([[1, 2], [3, 5]])
    assert MERMAID.to_mot(table).shape == (2, 2)
    with pytest.raises(RatingError, match=re.escape("the first is 9.0 at position (1, 0)")):
        MERMAID.to_mot(np.array([[1, 2], [9, 5]]))


def test_empty_column_gives_an_empty_array() -> None:
    assert MERMAID.to_mot([]).tolist() == []


def test_array_out_of_range_names_first_position_value_and_count() -> None:
    values = np.array([1, 6, 3, 0, 7])
    with pytest.raises(
        RatingError,
        match=re.escape(
            "3 values are not on the mermaid scale 1…5; the first is 6.0 at position 1"
        ),
    ):
        MERMAID.to_mot(values)
    with pytest.raises(RatingError, match=re.escape("1 value is not on the MOT scale -3…+3")):
        MERMAID.from_mot([0, 3.5])
    # never clamped: the input is untouched and nothing is returned
    assert values.tolist() == [1, 6, 3, 0, 7]


@pytest.mark.parametrize(
    ("values", "message"),
    [
        (np.array([1.0, np.nan, np.nan]), "NaN at position 1 (2 NaN values)"),
        (np.array([1.0, np.inf]), "the first is inf at position 1"),
        ([1, None], "must be numbers, not NoneType (None) at position 1"),
        ([1, "2", "3"], "must be numbers, not str ('2') at position 1 (2 such values)"),
        ([1, True], "must be numbers, not bool (True) at position 1"),
        (np.array(["1", "2"]), "must be numbers, not dtype <U1"),
        (np.array([True, False]), "must be numbers, not dtype bool"),
        (np.array([1j]), "must be numbers, not dtype complex128"),
        ([[1, 2], [3]], "must be numbers, not list ([1, 2]) at position 0"),
    ],
)
def test_bad_columns_are_rating_errors(values: object, message: str) -> None:
    with pytest.raises(RatingError, match=re.escape(message)):
        MERMAID.to_mot(values)


def test_a_string_is_one_bad_value_not_a_column() -> None:
    with pytest.raises(RatingError, match=re.escape("must be a number, not str ('3')")):
        MERMAID.to_mot("3")


@settings(max_examples=60)
@given(st.data())
def test_array_round_trip_equals_elementwise_scalar_conversion(data: st.DataObject) -> None:
    scale = data.draw(st.sampled_from(ALL_SCALES))
    values = data.draw(st.lists(on(scale), max_size=20))
    to_mot = scale.to_mot(np.array(values, dtype=np.float64))
    assert to_mot.tolist() == [scale.to_mot(v) for v in values]
    assert scale.to_mot(values).tolist() == to_mot.tolist()
    back = scale.from_mot(to_mot)
    assert back.tolist() == [scale.from_mot(r) for r in to_mot.tolist()]
    assert back.tolist() == pytest.approx(values, abs=1e-9)


def test_a_scale_that_is_not_a_name_is_an_argument_type_error() -> None:
    from servicebp.errors import ArgumentTypeError

    with pytest.raises(ArgumentTypeError, match=r"scale must be a Scale or the name of one"):
        get_scale(5)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        convert(1, source=None)  # type: ignore[call-overload]
