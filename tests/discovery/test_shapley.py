"""Shapley-value attribution and removal effects of sets of touchpoints."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from servicebp import (
    attribute,
    removal_effects,
    set_removal_effects,
    shapley_values,
)
from servicebp.errors import InvalidArgumentError, ObservedDataError


def _brute_force(paths: list[str], conversions: list[int], game: str) -> dict[str, float]:
    """The peer: Shapley's definition, marginal contributions over every order (Shapley 1953)."""
    sets = [frozenset(t.strip() for t in p.split(">")) for p in paths]
    players = list(dict.fromkeys(t.strip() for p in paths for t in p.split(">")))

    def worth(coalition: frozenset[str]) -> float:
        inside = [c for s, c in zip(sets, conversions, strict=True) if s <= coalition]
        if game == "conversions":
            return float(sum(inside))
        return sum(inside) / len(inside) if inside else 0.0

    total = dict.fromkeys(players, 0.0)
    orders = list(itertools.permutations(players))
    for order in orders:
        for i, player in enumerate(order):
            total[player] += worth(frozenset(order[: i + 1])) - worth(frozenset(order[:i]))
    return {p: v / len(orders) for p, v in total.items()}


def test_hand_computed_conversions_and_rate_games() -> None:
    # Conversions game: "a" converts alone (1 to a), "a > b" converts (½ each).
    # Rate game: v(a) = 1, v(b) = 0, v(ab) = 2/3; φ_a = (1 + 2/3)/2 = 5/6,
    # φ_b = (0 − 1/3)/2 = −1/6; scaled by 2 conversions / (2/3) = 3.
    paths = ["a", "a > b", "b"]
    assert shapley_values(paths, [1, 1, 0]).values == {"a": 1.5, "b": 0.5}
    rate = shapley_values(paths, [1, 1, 0], game="rate")
    assert rate.exact
    assert rate.values["a"] == pytest.approx(2.5, abs=1e-12)
    assert rate.values["b"] == pytest.approx(-0.5, abs=1e-12)
    assert attribute(paths, [1, 1, 0], method="shapley").conversions == {"a": 1.5, "b": 0.5}


def test_ordered_variant_splits_credit_by_position_and_sums_to_unordered() -> None:
    # Zhao et al. (2018), §4: "a > b" (2 conversions) gives a 1 at position 1 and
    # b 1 at position 2; "b > a > b" (1) gives b ½ at 1 and a ½ at 2 (first occurrences).
    found = shapley_values(["a > b", "b > a > b"], [2, 1], null=[0, 0], ordered=True)
    assert found.by_position == {"a": (1.0, 0.5), "b": (0.5, 1.0)}
    assert found.values == {"a": 1.5, "b": 1.5}
    with pytest.raises(InvalidArgumentError, match="ordered"):
        shapley_values(["a"], [1], game="rate", ordered=True)


def test_value_based_shapley_shares_the_value() -> None:
    found = attribute(["a > b", "b"], [1, 1], null=[0, 0], values=[30.0, 10.0], method="shapley")
    assert found.values == {"a": 15.0, "b": 25.0}


_PATHS = st.lists(
    st.lists(st.sampled_from("abcde"), min_size=1, max_size=4).map(" > ".join),
    min_size=1,
    max_size=8,
)


@settings(max_examples=60)
@given(paths=_PATHS, data=st.data())
def test_both_games_equal_the_definition_and_are_efficient(
    paths: list[str], data: st.DataObject
) -> None:
    conversions = data.draw(st.lists(st.integers(0, 1), min_size=len(paths), max_size=len(paths)))
    if not any(conversions):
        conversions[0] = 1
    for game in ("conversions", "rate"):
        found = shapley_values(paths, conversions, game=game).values
        expected = _brute_force(paths, conversions, game)
        if game == "rate":
            sets = [frozenset(t.strip() for t in p.split(">")) for p in paths]
            scale = sum(conversions) / (sum(conversions) / len(sets))
            expected = {k: v * scale for k, v in expected.items()}
        assert found.keys() == expected.keys()
        for k, v in expected.items():
            assert found[k] == pytest.approx(v, rel=1e-9, abs=1e-9), (game, k)
        # Efficiency: the values share out exactly the conversions.
        assert sum(found.values()) == pytest.approx(sum(conversions), rel=1e-9, abs=1e-9)


def test_symmetric_touchpoints_get_equal_values() -> None:
    # b and c always appear together: any game treats them alike.
    paths = ["a > b > c", "c > b", "a", "b > c > d", "d"]
    for game in ("conversions", "rate"):
        found = shapley_values(paths, [1, 0, 1, 1, 0], game=game).values
        assert found["b"] == pytest.approx(found["c"], rel=1e-12)


def test_above_the_bound_orders_are_sampled_with_a_standard_error() -> None:
    rng = np.random.default_rng(3)
    names = list("abcdefg")
    paths = [" > ".join(rng.choice(names, size=rng.integers(1, 5))) for _ in range(300)]
    conversions = (rng.random(300) < 0.3).astype(int).tolist()
    exact = shapley_values(paths, conversions, game="rate")
    sampled = shapley_values(paths, conversions, game="rate", exact_limit=5, samples=3000)
    assert exact.exact
    assert not sampled.exact
    assert sampled.samples == 3000
    assert sampled.standard_errors is not None
    for k, v in exact.values.items():
        error = sampled.standard_errors[k]
        assert 0 < error < 0.02 * sum(conversions)
        assert abs(sampled.values[k] - v) < 4 * error, k
    # Every sampled order shares out v(N) exactly, so the estimate is efficient too.
    assert sum(sampled.values.values()) == pytest.approx(sum(conversions), rel=1e-9)
    again = shapley_values(paths, conversions, game="rate", exact_limit=5, samples=3000)
    assert again == sampled


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"game": "banzhaf"}, "unknown Shapley game: 'banzhaf'"),
        ({"exact_limit": 21}, r"exact_limit must lie in 1…20"),
        ({"samples": 1}, "samples must be a whole number ≥ 2"),
    ],
)
def test_bad_options_are_named(options: dict[str, object], message: str) -> None:
    with pytest.raises(InvalidArgumentError, match=message):
        shapley_values(["a"], [1], **options)  # type: ignore[arg-type]


def test_set_removal_effects_by_hand_and_singletons_agree() -> None:
    paths = ["a > b", "a > c", "a", "c"]
    conversions = [1, 1, 0, 1]
    # A set of one is the ordinary removal effect.
    single = removal_effects(paths, conversions)
    sets = set_removal_effects(paths, conversions, {"b": ["b"], "c": ["c"], "bc": ["b", "c"]})
    assert sets["b"] == pytest.approx(single["b"], abs=1e-15)
    assert sets["c"] == pytest.approx(single["c"], abs=1e-15)
    # Without b and c no path converts.
    assert sets["bc"] == pytest.approx(1.0, abs=1e-15)
    assert math.isclose(set_removal_effects(paths, conversions, {"x": []})["x"], 0.0, abs_tol=1e-15)
    with pytest.raises(ObservedDataError, match=r"set 'z': touchpoint\(s\) \['zz'\]"):
        set_removal_effects(paths, conversions, {"z": ["zz"]})


def test_sequence_removal_by_hand_in_a_second_order_chain() -> None:
    from servicebp import sequence_removal_effects

    # Order 2: "a > b > c" converts, "x > b > c" does not, "a > b" does not.
    # States: a, x, (a,b), (x,b), (b,c); (b,c) converts 1/2 of its arrivals
    # (the chain pools them). P = 2/3 · 1/2 · 1/2 + 1/3 · 1/2 = 1/3.
    # Cutting (a,b) → (b,c) leaves 1/6, as does cutting (x,b) → (b,c): each 1/2.
    # Removing b > c cuts both: nothing converts.
    paths = ["a > b > c", "x > b > c", "a > b"]
    found = sequence_removal_effects(
        paths,
        [1, 0, 0],
        {"abc": ["a", "b", "c"], "xbc": ["x", "b", "c"], "bc": ["b", "c"]},
        order=2,
    )
    assert found == pytest.approx({"abc": 0.5, "xbc": 0.5, "bc": 1.0}, abs=1e-15)
    with pytest.raises(InvalidArgumentError, match=r"removes sequences of 2 to 2 \(raise order="):
        sequence_removal_effects(paths, [1, 0, 0], {"abc": ["a", "b", "c"]})
    with pytest.raises(ObservedDataError, match=r"sequence 'q': touchpoint\(s\) \['q'\]"):
        sequence_removal_effects(paths, [1, 0, 0], {"q": ["a", "q"]})


@settings(max_examples=40)
@given(paths=_PATHS, data=st.data())
def test_removing_a_sequence_loses_no_more_than_removing_its_last_step(
    paths: list[str], data: st.DataObject
) -> None:
    from servicebp import sequence_removal_effects

    conversions = data.draw(st.lists(st.integers(0, 1), min_size=len(paths), max_size=len(paths)))
    if not any(conversions):
        conversions[0] = 1
    names = list(dict.fromkeys(t.strip() for p in paths for t in p.split(">")))
    first, last = data.draw(st.sampled_from(names)), data.draw(st.sampled_from(names))
    single = removal_effects(paths, conversions)
    found = sequence_removal_effects(paths, conversions, {"s": [first, last]})["s"]
    assert -1e-12 <= found <= single[last] + 1e-12
