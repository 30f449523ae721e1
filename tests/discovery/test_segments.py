"""compare_segments: journey scores per segment and strategy, with bootstrap intervals."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

from servicebp import Blueprint, compare_segments
from servicebp.errors import InvalidArgumentError, ObservedDataError
from tests._factories import chain


def _shop() -> Blueprint:
    return chain(("order", "deliver"), name="Shop", label="{id}")


def _events(ratings: dict[str, list[tuple[float, float]]]) -> dict[str, list[Any]]:
    events: dict[str, list[Any]] = {"journey": [], "step": [], "order": [], "rating": [],
                                    "channel": []}  # fmt: skip
    j = 0
    for channel, journeys in ratings.items():
        for pair in journeys:
            for k, (sid, r) in enumerate(zip(("order", "deliver"), pair, strict=True)):
                for column, value in zip(events, (j, sid, k, r, channel), strict=True):
                    events[column].append(value)
            j += 1
    return events


def test_means_differences_and_cohen_d_by_hand() -> None:
    # Mean score per journey: app 1.5, 0.5, 1.0 (mean 1); phone -1.5, -0.5 (mean -1).
    events = _events({"app": [(2, 1), (1, 0), (1, 1)], "phone": [(-1, -2), (0, -1)]})
    rows = compare_segments(_shop(), events, by="channel", strategies="mean", resamples=0)
    assert [(r.segment, r.journeys, r.mean, r.difference, r.baseline) for r in rows] == [
        ("app", 3, 1.0, 0.0, "app"),
        ("phone", 2, -1.0, -2.0, "app"),
    ]
    # Pooled variance: (2 · 0.25 + 1 · 0.5) / 3 = 1/3, so d = -2 / sqrt(1/3).
    assert rows[1].effect_size == pytest.approx(-2 / math.sqrt(1 / 3))
    assert rows[0].effect_size is None
    assert rows[0].ci_low is None


def test_bootstrap_intervals_cover_the_true_difference() -> None:
    rng = np.random.default_rng(5)
    good = [tuple(np.clip(np.rint(rng.normal(1, 1, 2)), -3, 3)) for _ in range(300)]
    bad = [tuple(np.clip(np.rint(rng.normal(0, 1, 2)), -3, 3)) for _ in range(200)]
    events = _events({"app": good, "phone": bad})
    rows = compare_segments(_shop(), events, by="channel", resamples=400, seed=2)
    assert {r.strategy for r in rows} >= {"mean", "worst", "last"}
    for r in rows:
        assert r.ci_low is not None
        assert r.ci_high is not None
        assert r.ci_low <= r.mean <= r.ci_high
        if r.segment == "phone":
            assert r.difference_low is not None
            assert r.difference_high is not None
            assert r.difference_low <= r.difference <= r.difference_high
    mean_phone = next(r for r in rows if r.strategy == "mean" and r.segment == "phone")
    assert mean_phone.baseline == "app"  # the larger segment
    assert mean_phone.difference_high is not None
    assert mean_phone.difference_high < 0
    assert rows == compare_segments(_shop(), events, by="channel", resamples=400, seed=2)


def test_bad_segments_are_named() -> None:
    events = _events({"app": [(1, 1)], "phone": [(0, 0)]})
    with pytest.raises(InvalidArgumentError, match=r"baseline 'web' is not a segment"):
        compare_segments(_shop(), events, by="channel", baseline="web", resamples=0)
    events["channel"][1] = "phone"
    with pytest.raises(ObservedDataError, match=r"journey '0' is in segment 'app' and 'phone'"):
        compare_segments(_shop(), events, by="channel", resamples=0)
    with pytest.raises(ObservedDataError, match="missing column"):
        compare_segments(_shop(), events, by="persona", resamples=0)
