"""Shapley attribution against a published worked example (Facebook, Organic, LinkedIn)."""

from __future__ import annotations

import pytest

from servicebp import attribute, shapley_values

#: The worked example of "Data-Driven Marketing Attribution" (Towards Data Science,
#: 2019, https://towardsdatascience.com/data-driven-marketing-attribution-1a28d2e613a0):
#: 100 converting users, grouped by the set of channels each met (Facebook, Organic,
#: LinkedIn). The article's conversion ratio of a coalition is its share of the 100;
#: its worth v(S) adds the ratios of every coalition inside S, which is the
#: conversions game of servicebp (journeys whose touchpoints all lie in S).
CONVERTED_BY_CHANNELS = {
    "Facebook": 20,
    "Organic": 10,
    "LinkedIn": 17,
    "Facebook > Organic": 17,
    "Facebook > LinkedIn": 30,
    "LinkedIn > Organic": 0,
    "Facebook > LinkedIn > Organic": 6,
}


def _journeys() -> tuple[list[str], list[int]]:
    paths = [path for path, users in CONVERTED_BY_CHANNELS.items() for _ in range(users)]
    return paths, [1] * len(paths)


def test_shapley_values_reproduce_the_published_example() -> None:
    # Published: worth [0.2, 0.1, 0.17, 0.47, 0.67, 0.27, 1.0] for F, O, L, F+O, F+L,
    # L+O, F+L+O, and Shapley values F 0.455, O 0.205, L 0.34 (shares of the 100).
    paths, conversions = _journeys()
    assert len(paths) == 100
    found = shapley_values(paths, conversions)
    assert found.exact
    shares = {channel: value / 100 for channel, value in found.values.items()}
    assert shares == pytest.approx({"Facebook": 0.455, "Organic": 0.205, "LinkedIn": 0.34})
    # Efficiency: the 100 conversions are shared out, no more and no less.
    assert sum(found.values.values()) == pytest.approx(100)


def test_order_within_a_journey_does_not_change_the_unordered_game() -> None:
    # The article groups users by the set of channels; reversing every path must
    # give the same values, and attribute(method="shapley") reports the same credit.
    paths, conversions = _journeys()
    reversed_paths = [" > ".join(reversed(path.split(" > "))) for path in paths]
    assert shapley_values(reversed_paths, conversions).values == pytest.approx(
        shapley_values(paths, conversions).values
    )
    credit = attribute(paths, conversions, method="shapley").conversions
    assert credit == pytest.approx({"Facebook": 45.5, "Organic": 20.5, "LinkedIn": 34.0})
