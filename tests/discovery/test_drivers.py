"""Key drivers with unrated cells, relative importance, and suggestions on a known truth."""

from __future__ import annotations

import itertools
import math
from typing import Any

import numpy as np
import pytest
import statsmodels.api as sm
from hypothesis import given, settings
from hypothesis import strategies as st

from servicebp import Blueprint, Step, key_drivers, suggest_moments
from servicebp.errors import (
    AnalysisTooLargeError,
    InvalidArgumentError,
    ObservedDataError,
    UnknownStrategyError,
)


def _zscores(a: np.ndarray) -> np.ndarray:
    return (a - a.mean(axis=0)) / a.std(axis=0, ddof=1)


def _statsmodels_betas(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Standardised coefficients from statsmodels' OLS on z-scores (rows with a blank dropped)."""
    keep = np.isfinite(x).all(axis=1)
    fit = sm.OLS(_zscores(y[keep]), sm.add_constant(_zscores(x[keep]))).fit()
    return np.asarray(fit.params[1:])


def _issue_case(seed: int = 0, n: int = 5000) -> tuple[dict[str, np.ndarray], np.ndarray]:
    # Issue 17's minimal case: a = z + e1, b = z + e2, y = a + e3.
    rng = np.random.default_rng(seed)
    z, e1, e2, e3 = rng.normal(size=(4, n))
    a, b = z + e1, z + e2
    return {"a": a, "b": b}, a + e3


def test_complete_ratings_equal_statsmodels_ols() -> None:
    ratings, y = _issue_case()
    drivers = {d.step: d for d in key_drivers(ratings, y, resamples=0)}
    x = np.column_stack([ratings["a"], ratings["b"]])
    expected = _statsmodels_betas(x, y)
    assert drivers["a"].coefficient == pytest.approx(expected[0], rel=1e-9)
    assert drivers["b"].coefficient == pytest.approx(expected[1], abs=1e-9)
    fit = sm.OLS(y, sm.add_constant(x)).fit()
    assert drivers["a"].r_squared == pytest.approx(fit.rsquared, rel=1e-9)


def test_two_blank_cells_leave_the_non_driver_near_zero() -> None:
    # The issue: blanking 2 of 10,000 cells made b jump from -0.013 to 0.400
    # (a blank made b's controls vanish: its coefficient became Pearson's r).
    ratings, y = _issue_case()
    ratings["a"][17] = np.nan
    ratings["b"][4242] = np.nan
    drivers = {d.step: d for d in key_drivers(ratings, y, resamples=0)}
    x = np.column_stack([ratings["a"], ratings["b"]])
    expected = _statsmodels_betas(x, y)
    assert drivers["b"].coefficient == pytest.approx(expected[1], abs=2e-3)
    assert drivers["a"].coefficient == pytest.approx(expected[0], abs=2e-3)
    assert abs(drivers["b"].coefficient) < 0.03
    assert drivers["b"].correlation is not None
    assert drivers["b"].correlation > 0.35
    assert drivers["b"].controls == ("a",)
    assert (drivers["a"].n, drivers["a"].regression_n) == (4999, 5000)


def _study(
    seed: int, n: int, missing: float
) -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray, dict[str, float]]:
    """Eight correlated step ratings (a common halo), three drive the outcome, five do not."""
    rng = np.random.default_rng(seed)
    truth = {"s0": 0.6, "s1": 0.0, "s2": 0.4, "s3": 0.0, "s4": 0.0, "s5": 0.3, "s6": 0.0, "s7": 0.0}
    halo = rng.normal(size=n)
    complete = {k: 0.7 * halo + rng.normal(size=n) for k in truth}
    y = sum(b * complete[k] for k, b in truth.items()) + rng.normal(size=n)
    x = np.column_stack([complete[k] for k in truth])
    blanked = {k: np.where(rng.random(n) < missing, np.nan, v) for k, v in complete.items()}
    return blanked, y, x, truth


def test_twenty_percent_missing_at_random_non_drivers_near_zero_as_statsmodels() -> None:
    ratings, y, complete, truth = _study(seed=3, n=20_000, missing=0.2)
    drivers = {d.step: d for d in key_drivers(ratings, y, resamples=0)}
    # The peer: statsmodels OLS on the complete data before the cells were blanked.
    expected = dict(zip(truth, _statsmodels_betas(complete, y), strict=True))
    for step, beta in truth.items():
        d = drivers[step]
        assert d.coefficient == pytest.approx(expected[step], abs=0.02), step
        assert d.n == pytest.approx(16_000, rel=0.02)
        assert d.regression_n == 20_000
        if beta == 0:
            assert abs(d.coefficient) < 0.03, step
            # The halo makes every plain correlation large: they are not drivers.
            assert d.correlation is not None
            assert d.correlation > 0.25
    assert [d.step for d in key_drivers(ratings, y, resamples=0)][:3] == ["s0", "s2", "s5"]


def test_bootstrap_interval_covers_zero_for_non_drivers_with_missing_ratings() -> None:
    ratings, y, _, truth = _study(seed=8, n=3000, missing=0.2)
    drivers = {d.step: d for d in key_drivers(ratings, y, resamples=300, seed=1)}
    for step, beta in truth.items():
        d = drivers[step]
        assert d.ci_low is not None
        assert d.ci_high is not None
        if beta:
            assert d.ci_low > 0, step
        else:
            assert d.ci_low < 0 < d.ci_high, step


def test_a_rating_where_visited_says_no_is_refused() -> None:
    ratings = {"a": [1.0, 2.0, 3.0, 4.0], "b": [1.0, np.nan, 2.0, 0.0]}
    went = {"a": np.array([True, True, True, False]), "b": np.array([True] * 4)}
    with pytest.raises(ObservedDataError, match=r"ratings\['a'\]\[3\] is a rating, but visited"):
        key_drivers(ratings, [1, 2, 3, 4], visited=went, resamples=0)
    with pytest.raises(ObservedDataError, match="visited must be booleans"):
        key_drivers(ratings, [1, 2, 3, 4], visited=np.ones((4, 2)), resamples=0)


def test_unknown_method_is_named() -> None:
    with pytest.raises(UnknownStrategyError, match=r"'dominance' \(must be one of \['lmg'"):
        key_drivers({"a": [1.0, 2.0, 3.0, 5.0]}, [1, 2, 3, 4], method="dominance")


# --- relative importance -----------------------------------------------------------------


def _lmg_by_orderings(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """The peer: LMG as its definition, R² gains averaged over every order of entry (lstsq)."""
    p = x.shape[1]

    def r2(columns: tuple[int, ...]) -> float:
        if not columns:
            return 0.0
        a = np.column_stack([np.ones(len(y)), x[:, list(columns)]])
        fitted = a @ np.linalg.lstsq(a, y, rcond=None)[0]
        return 1 - ((y - fitted) ** 2).sum() / ((y - y.mean()) ** 2).sum()

    total = np.zeros(p)
    orders = list(itertools.permutations(range(p)))
    for order in orders:
        for i, j in enumerate(order):
            total[j] += r2(tuple(sorted(order[: i + 1]))) - r2(tuple(sorted(order[:i])))
    return total / len(orders)


def test_lmg_equals_the_average_over_orderings_by_brute_force() -> None:
    rng = np.random.default_rng(12)
    n = 400
    base = rng.normal(size=(n, 4)) @ np.array(
        [[1, 0.5, 0.2, 0], [0, 1, 0.4, 0.3], [0, 0, 1, 0.6], [0, 0, 0, 1]]
    )
    y = base @ np.array([0.5, 0.3, 0.0, 0.2]) + rng.normal(size=n)
    ratings = {f"s{k}": base[:, k] for k in range(4)}
    drivers = {d.step: d for d in key_drivers(ratings, y, method="lmg", resamples=0)}
    expected = _lmg_by_orderings(base, y)
    for k in range(4):
        assert drivers[f"s{k}"].importance == pytest.approx(expected[k], rel=1e-9, abs=1e-12)
    assert sum(d.importance or 0 for d in drivers.values()) == pytest.approx(
        drivers["s0"].r_squared, rel=1e-12
    )


def test_relative_weights_follow_johnsons_algebra() -> None:
    # Johnson's (2000) algebra on three correlated predictors (a made-up correlation
    # matrix, not a table of the paper): Λ = Rxx^(1/2), β* = Λ⁻¹ r, ε_j = Σ_k λ_jk² β*_k²,
    # computed here independently with scipy's matrix square root. The published
    # peer example (R's rwa on mtcars) is in test_relative_weights_published.py.
    from scipy.linalg import sqrtm

    from servicebp.discovery._importance import lmg, relative_weights

    rxx = np.array([[1.0, 0.5, 0.3], [0.5, 1.0, 0.4], [0.3, 0.4, 1.0]])
    rxy = np.array([0.6, 0.5, 0.3])
    lam = np.real(sqrtm(rxx))
    beta_star = np.linalg.solve(lam, rxy)
    expected = (lam**2) @ beta_star**2
    weights = relative_weights(rxx, rxy)
    np.testing.assert_allclose(weights, expected, rtol=1e-12)
    r2 = rxy @ np.linalg.solve(rxx, rxy)
    assert weights.sum() == pytest.approx(r2, rel=1e-12)
    # Relative weights approximate LMG closely (Johnson 2000; LeBreton et al. 2004).
    np.testing.assert_allclose(weights, lmg(rxx, rxy), atol=0.01)


@settings(max_examples=60)
@given(
    seed=st.integers(0, 2**32 - 1),
    p=st.integers(1, 6),
    rows=st.integers(12, 80),
    missing=st.sampled_from([0.0, 0.15]),
)
def test_relative_weights_and_lmg_sum_to_r_squared(
    seed: int, p: int, rows: int, missing: float
) -> None:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(rows, p)) + rng.normal(size=(rows, 1))
    y = x @ rng.normal(size=p) + rng.normal(size=rows)
    x[rng.random(x.shape) < missing] = np.nan
    x[:3] = np.where(np.isnan(x[:3]), 0.0, x[:3])  # every pair rated together somewhere
    ratings = {f"s{k}": x[:, k] for k in range(p)}
    for method in ("relative_weights", "lmg"):
        drivers = key_drivers(ratings, y, method=method, resamples=0)
        fitted = [d for d in drivers if d.importance is not None]
        if not fitted:
            continue
        r2 = fitted[0].r_squared
        assert r2 is not None
        assert sum(d.importance or 0.0 for d in fitted) == pytest.approx(r2, rel=1e-9, abs=1e-12)
        assert all((d.importance or 0.0) >= -1e-12 for d in fitted)


def test_lmg_refuses_more_than_fifteen_steps_and_too_many_resamples() -> None:
    rng = np.random.default_rng(0)
    ratings = {f"s{k:02}": rng.normal(size=60) for k in range(16)}
    y = rng.normal(size=60)
    with pytest.raises(AnalysisTooLargeError, match="limited to 15 steps; this fit has 16"):
        key_drivers(ratings, y, method="lmg", resamples=0)
    del ratings["s15"]
    with pytest.raises(AnalysisTooLargeError, match="use at most 512 resamples"):
        key_drivers(ratings, y, method="lmg", resamples=1000)


def test_relative_weight_intervals_are_bootstrapped() -> None:
    ratings, y, _, _ = _study(seed=2, n=800, missing=0.2)
    drivers = key_drivers(ratings, y, method="relative_weights", resamples=200, seed=4)
    assert drivers[0].step == "s0"
    for d in drivers:
        assert d.importance_low is not None
        assert d.importance_high is not None
        assert d.importance_low <= d.importance <= d.importance_high  # type: ignore[operator]


# --- suggestions on a study with a known truth -----------------------------------------


def _churn_study(seed: int = 5, n: int = 3000) -> tuple[Blueprint, dict[str, list[Any]], set[str]]:
    """A linear journey every customer passes; churn driven by two of eight step ratings.

    Ratings are integers on -3…3 sharing a halo (so every step correlates with
    churn); 20 % of them are blank at random; timestamps are to the minute and
    tie in a fifth of the journeys.
    """
    steps = ["arrive", "check_in", "lobby", "room", "food", "spa", "bill", "leave"]
    drivers = {"check_in": 0.9, "food": 0.7}
    bp = Blueprint("Hotel", stages=["stay"])
    for sid in steps:
        bp.add_step(Step(id=sid, label=sid, lane="customer", stage="stay"))
    for a, b in itertools.pairwise(steps):
        bp.connect(a, b)
    rng = np.random.default_rng(seed)
    halo = rng.normal(size=n)
    ratings = {sid: np.clip(np.rint(0.8 * halo + rng.normal(size=n)), -3, 3) for sid in steps}
    logit = -1.0 - sum(b * ratings[s] for s, b in drivers.items())
    churned = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int)
    events: dict[str, list[Any]] = {
        "journey": [],
        "step": [],
        "timestamp": [],
        "rating": [],
        "churned": [],
    }
    for j in range(n):
        minute = 0
        tie = rng.random() < 0.2
        for k, sid in enumerate(steps):
            minute += 0 if tie and k == 3 else 1
            rating = ratings[sid][j] if rng.random() >= 0.2 else float("nan")
            for column, value in zip(
                events,
                (f"j{j}", sid, f"2026-01-01T10:{minute:02}", rating, churned[j]),
                strict=True,
            ):
                events[column].append(value)
    return bp, events, set(drivers)


def test_suggested_moments_are_exactly_the_true_drivers_of_churn() -> None:
    bp, events, truth = _churn_study()
    found = suggest_moments(
        bp, events, outcome="churned", higher_is_better=False, top=8, resamples=400
    )
    assert {s.step for s in found if s.suggested} == truth
    assert [s.step for s in found][:2] == ["check_in", "food"]
    assert {s.signal for s in found} == {"key_driver"}
    top = found[0]
    assert top.driver is not None
    assert top.driver.coefficient is not None
    assert top.driver.coefficient < 0
    assert "standard deviations lower" in top.reasons[0]
    assert "Bonferroni over 8 rated steps" in top.reasons[0]
    # Every step is passed by every journey: removal effects say nothing.
    assert all("says nothing about 'churned'" in s.reasons[1] for s in found)


def test_the_same_study_with_relative_weights_suggests_the_same_steps() -> None:
    bp, events, truth = _churn_study(seed=6, n=2000)
    found = suggest_moments(
        bp,
        events,
        outcome="churned",
        higher_is_better=False,
        top=8,
        method="relative_weights",
        resamples=300,
    )
    assert {s.step for s in found if s.suggested} == truth
    assert found[0].driver is not None
    assert found[0].driver.method == "relative_weights"


def test_without_ratings_a_churn_removal_effect_is_said_to_raise_churn() -> None:
    bp = Blueprint("B", stages=["s"])
    for sid in ("start", "queue", "end"):
        bp.add_step(Step(id=sid, label=sid, lane="customer", stage="s"))
    events: dict[str, list[Any]] = {"journey": [], "step": [], "order": [], "churned": []}
    for j in range(40):
        path = ["start", "queue", "end"] if j % 2 else ["start", "end"]
        churned = int(j % 2 == 1 and j % 4 != 1)
        for k, sid in enumerate(path):
            for column, value in zip(events, (j, sid, k, churned), strict=True):
                events[column].append(value)
    found = suggest_moments(bp, events, outcome="churned", higher_is_better=False)
    queue = next(s for s in found if s.step == "queue")
    assert queue.rank == 1
    assert queue.reasons[0].endswith("so the step raises 'churned'")
    # By hand: P(churned) = 10/40; without queue the 20 journeys through it are
    # lost and the rest reach end, where a first-order chain churns 10/40:
    # 1/2 · 1/4 = 1/8, so the removal effect is 1 − (1/8)/(1/4) = 1/2.
    assert math.isclose(queue.removal_effect or 0.0, 0.5)


# --- importance-performance ---------------------------------------------------------------


def test_importance_performance_quadrants_by_hand() -> None:
    from servicebp import KeyDriver, importance_performance

    def driver(step: str, importance: float) -> KeyDriver:
        return KeyDriver(
            step=step, n=3, correlation=None, coefficient=importance, ci_low=None,
            ci_high=None, regression_n=3, importance=importance,
        )  # fmt: skip

    ratings = {"a": [2.0, 2.0, np.nan], "b": [-1.0, -2.0, -3.0], "c": [1.0, 1.0, 1.0],
               "d": [-3.0, -3.0, -3.0]}  # fmt: skip
    drivers = [driver("a", 0.4), driver("b", 0.3), driver("c", 0.1), driver("d", 0.0)]
    # Crosshair: importance mean 0.2; performance mean (2 − 2 + 1 − 3) / 4 = −0.5.
    rows = importance_performance(drivers, ratings)
    assert [(r.step, r.performance, r.quadrant) for r in rows] == [
        ("a", 2.0, "keep up the good work"),
        ("b", -2.0, "concentrate here"),
        ("c", 1.0, "possible overkill"),
        ("d", -3.0, "low priority"),
    ]
    cut = importance_performance(drivers, ratings, importance_cut=0.35, performance_cut=1.5)
    assert [r.quadrant for r in cut] == [
        "keep up the good work", "low priority", "low priority", "low priority",
    ]  # fmt: skip
    with pytest.raises(InvalidArgumentError, match=r"\['e'\] of the drivers are not columns"):
        importance_performance([driver("e", 1.0)], ratings)
