"""Key-driver analysis: which step ratings move the overall outcome.

Private: re-exported by :mod:`servicebp.discovery`.

Unrated cells are handled by **pairwise (available-case) correlation**: each
correlation between two steps (or a step and the outcome) is computed over
the journeys that rated both, with those journeys' own means and standard
deviations, as R's ``cor(use = "pairwise.complete.obs")`` and pandas'
``DataFrame.corr()`` do; the regression and the relative-importance figures
are then solved from that matrix (Little & Rubin 2019, *Statistical Analysis
with Missing Data*, 3rd ed., §3.4, available-case analysis). Under ratings
missing completely at random every entry is consistent, so a step that does
not drive the outcome gets a coefficient near 0 instead of its plain
correlation. Listwise deletion would keep only journeys that rated every
step (none, once a fifth of the cells are blank at random), and a
missing-indicator would bias the coefficients (Jones 1996).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, Final

import attrs
import numpy as np
import numpy.typing as npt

from servicebp.discovery._importance import LMG_LIMIT
from servicebp.discovery._pairwise import correlations, figures, pair_sums
from servicebp.discovery._resampling import resampled_stats
from servicebp.errors import (
    AnalysisTooLargeError,
    ArgumentTypeError,
    InvalidArgumentError,
    ObservedDataError,
    UnknownStrategyError,
)
from servicebp.observed._cells import require_numbers
from servicebp.observed._tables import frame_names, read_columns

__all__ = ["DRIVER_METHODS", "KeyDriver", "key_drivers"]

#: The key-driver methods of :func:`key_drivers`, with what each ranks by.
DRIVER_METHODS: Final[Mapping[str, str]] = {
    "regression": "standardised regression coefficient",
    "relative_weights": "Johnson's relative weight (share of R²)",
    "lmg": "LMG / general dominance (share of R²)",
}

FloatArray = npt.NDArray[np.float64]


@attrs.frozen(kw_only=True)
class KeyDriver:
    """How strongly one step's rating moves the overall outcome.

    Each step is fitted over the journeys that went through it
    (``regression_n`` of them), on its own rating and those of the steps
    every one of those journeys went through too (its ``controls``): in a
    blueprint with branches no journey goes through every step. Unrated
    cells are handled by pairwise (available-case) correlation, so a journey
    that went through the step without rating it still informs the other
    correlations.

    Attributes
    ----------
    step : str
        The step (a column of the ratings).
    n : int
        Journeys that rated this step.
    correlation : float or None
        Pearson correlation of the step's rating with the outcome (None when
        either is constant or n < 3).
    coefficient : float or None
        Standardised regression coefficient (beta) of the step's rating, from
        the standardised outcome regressed on the standardised ratings of
        this step and its ``controls`` (solved from their pairwise
        correlations), over the ``regression_n`` journeys that went through
        the step (None when the step's rating or the outcome is constant
        there, or when there are no more journeys than predictors plus one).
    ci_low, ci_high : float or None
        Percentile bootstrap confidence interval of the coefficient
        (resampling those ``regression_n`` journeys; None without resamples).
    regression_n : int
        Journeys in the step's fit: every journey that went through the step,
        rated or not.
    controls : tuple of str
        The other steps in the step's fit: those every one of its journeys
        went through (and that vary), so the coefficient is the step's
        effect with theirs held fixed.
    method : str
        The method that ranks the steps (one of :data:`DRIVER_METHODS`).
    importance : float or None
        What the method ranks by: the coefficient (``"regression"``), the raw
        relative weight (``"relative_weights"``, Johnson 2000) or the LMG
        share of R² (``"lmg"``); the last two sum to ``r_squared`` over a
        fit's predictors.
    importance_low, importance_high : float or None
        Percentile bootstrap interval of *importance*.
    r_squared : float or None
        R² of the step's fit.
    """

    step: str
    n: int
    correlation: float | None
    coefficient: float | None
    ci_low: float | None
    ci_high: float | None
    regression_n: int
    controls: tuple[str, ...] = ()
    method: str = "regression"
    importance: float | None = None
    importance_low: float | None = None
    importance_high: float | None = None
    r_squared: float | None = None


def _matrix(ratings: Any, what: str) -> tuple[list[str], FloatArray]:
    names = frame_names(ratings)
    if names is None:
        raise ObservedDataError(
            f"{what} must be a mapping of step to ratings or a DataFrame, "
            f"not {type(ratings).__name__}"
        )
    if not names:
        raise ObservedDataError(f"{what} has no columns")
    columns, where = read_columns(ratings, names, what=what)
    for name in names:
        require_numbers(columns[name], column=name, where=where, what=what)
    try:
        matrix = np.column_stack([columns[n].astype(np.float64) for n in names])
    except (TypeError, ValueError) as error:
        raise ObservedDataError(f"{what} must hold numbers (NaN for missing): {error}") from error
    return names, matrix


#: LMG's bootstrap solves ``resamples × 2**p`` subset regressions: at most this many.
_LMG_WORK: Final = 1 << 24

BoolArray = npt.NDArray[np.bool_]


def _visited(visited: Any, names: list[str], shape: tuple[int, int]) -> BoolArray:
    """The journeys × steps matrix of who went through which step."""
    if visited is None:
        return np.ones(shape, dtype=np.bool_)
    if isinstance(visited, np.ndarray) and visited.dtype.names is None:
        matrix = visited
    else:
        if frame_names(visited) is None:
            raise ObservedDataError(
                "visited must be a mapping of step to booleans, a DataFrame or a 2-D array, "
                f"not {type(visited).__name__}"
            )
        columns, _ = read_columns(visited, names, what="visited")
        matrix = np.column_stack([columns[n] for n in names])
    if matrix.shape != shape or matrix.dtype.kind != "b":
        raise ObservedDataError(
            f"visited must be booleans of the ratings' shape {shape}, "
            f"got dtype {matrix.dtype} and shape {matrix.shape}"
        )
    return np.asarray(matrix, dtype=np.bool_)


def _check_pairs(pairs: FloatArray, ok: BoolArray, names: list[str]) -> None:
    """Refuse a fit in which two varying steps were rated together by fewer than 3 journeys."""
    few = np.argwhere((pairs[:-1, :-1] < 3) & ok[:, None] & ok[None, :])
    if few.size:
        a, b = (names[int(i)] for i in few[0])
        raise ObservedDataError(
            f"steps {a!r} and {b!r} are rated together in {int(pairs[few[0][0], few[0][1]])} "
            "journey(s), too few to correlate them; if no journey goes through both "
            "(branches of the blueprint), say which journeys went through which step "
            "with visited="
        )


#: Most bootstrap resamples one call takes; intervals settle long before (1,000 is the default).
MAX_RESAMPLES: Final = 100_000


def _check_arguments(method: str, resamples: object, confidence: float, seed: object = 0) -> None:
    if method not in DRIVER_METHODS:
        raise UnknownStrategyError(
            f"unknown key-driver method: {method!r} (must be one of {sorted(DRIVER_METHODS)})"
        )
    if not 0 < confidence < 1:
        raise InvalidArgumentError(f"confidence must lie in (0, 1), got {confidence!r}")
    if isinstance(resamples, bool) or not isinstance(resamples, int) or resamples < 0:
        raise InvalidArgumentError(f"resamples must be a whole number ≥ 0, got {resamples!r}")
    if resamples > MAX_RESAMPLES:
        raise InvalidArgumentError(
            f"resamples={resamples:,} is above the limit of {MAX_RESAMPLES:,} bootstrap "
            "resamples (the intervals settle long before: 1,000 is the default); use fewer"
        )
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise ArgumentTypeError(
            f"seed must be a whole number ≥ 0, not {type(seed).__name__} ({seed!r})"
        )
    if seed < 0:
        raise InvalidArgumentError(f"seed must be a whole number ≥ 0, got {seed!r}")


def _outcome(outcome: Any, journeys: int) -> FloatArray:
    raw = np.asarray(outcome)
    require_numbers(raw, column="outcome", what="outcomes")
    try:
        y = raw.astype(np.float64)
    except (TypeError, ValueError) as error:
        raise ObservedDataError(f"outcome must be numbers: {error}") from error
    if y.shape != (journeys,):
        raise ObservedDataError(
            f"outcome has shape {y.shape}; one value per journey ({journeys}) is needed"
        )
    bad = np.flatnonzero(~np.isfinite(y))
    if bad.size:
        raise ObservedDataError(f"outcome[{int(bad[0])}] is {y[bad[0]]!r}; it must be finite")
    return y


def _optional(value: float) -> float | None:
    return None if np.isnan(value) else float(value)


def key_drivers(
    ratings: Any,
    outcome: Any,
    *,
    visited: Any = None,
    method: str = "regression",
    resamples: int = 1000,
    confidence: float = 0.95,
    seed: int = 0,
) -> tuple[KeyDriver, ...]:
    """Rank steps by how strongly their ratings move an overall outcome.

    Parameters
    ----------
    ratings : mapping of str to array_like, or DataFrame
        One column per step, one row per journey; NaN where the journey did
        not rate the step.
    outcome : array_like
        The overall outcome per journey (satisfaction, or 0/1); finite.
    visited : mapping of str to array_like of bool, DataFrame or 2-D array, optional
        Which journeys went through which step (the event log says). By
        default every journey went through every step, so a blank is a
        journey that did not rate the step. In a blueprint with branches,
        give it: each step is then fitted over the journeys that went through
        it, controlling for the steps all of them went through.
    method : str
        What ranks the steps (:data:`DRIVER_METHODS`): ``"regression"``
        (standardised coefficient), ``"relative_weights"`` (Johnson 2000)
        or ``"lmg"`` (exact, for fits of up to 15 steps).
    resamples : int
        Bootstrap resamples of the journeys for the intervals (0 for none:
        the bootstrap is the slow part).
    confidence : float
        Confidence level of the intervals, in (0, 1).
    seed : int
        Seed of the bootstrap; the same seed gives the same intervals.

    Returns
    -------
    tuple of KeyDriver
        Highest *importance* first (steps without one last).

    Raises
    ------
    ObservedDataError
        Ratings that are not numbers, an outcome of another length or not
        finite, a rating for a step the journey did not go through, or two
        steps of one fit rated together by fewer than 3 journeys.
    UnknownStrategyError
        An unknown *method*.
    AnalysisTooLargeError
        ``method="lmg"`` on a fit of more than 15 steps, or with more
        resamples than its bound allows.

    Notes
    -----
    Unrated cells are handled by pairwise (available-case) correlation:
    each correlation rests on the journeys that rated both (Little & Rubin
    2019, §3.4), which is consistent when ratings are missing at random.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(1)
    >>> wait, staff = rng.normal(size=(2, 500))
    >>> overall = 0.8 * staff + 0.2 * wait + rng.normal(scale=0.5, size=500)
    >>> drivers = key_drivers({"wait": wait, "staff": staff}, overall, resamples=200)
    >>> [d.step for d in drivers]
    ['staff', 'wait']
    >>> d = drivers[0]
    >>> d.n, d.ci_low < d.coefficient < d.ci_high
    (500, True)

    Relative weights share R² out over the steps:

    >>> weights = key_drivers({"wait": wait, "staff": staff}, overall,
    ...                       method="relative_weights", resamples=0)
    >>> total = sum(d.importance for d in weights)
    >>> round(total, 12) == round(weights[0].r_squared, 12)
    True
    """
    _check_arguments(method, resamples, confidence, seed)
    names, x = _matrix(ratings, "ratings")
    y = _outcome(outcome, x.shape[0])
    went = _visited(visited, names, x.shape)
    _check_rated_went(x, went, names)
    counts = np.isfinite(x).sum(axis=0)
    found = _Found.empty(len(names))
    rng = np.random.default_rng(seed)
    tail = (1 - confidence) / 2 * 100
    for group, predictors in _fits(went):
        fit = _Fit(x=x, y=y, went=went, names=names, group=group, predictors=predictors)
        _solve(fit, method, resamples, tail, rng, found)
    drivers = [
        KeyDriver(
            step=name,
            n=int(counts[j]),
            correlation=_correlation(x[:, j], y),
            coefficient=_optional(found.beta[j]),
            ci_low=_optional(found.low[j]),
            ci_high=_optional(found.high[j]),
            regression_n=int(went[:, j].sum()),
            controls=found.controls[j],
            method=method,
            importance=_optional(found.imp[j]),
            importance_low=_optional(found.imp_low[j]),
            importance_high=_optional(found.imp_high[j]),
            r_squared=_optional(found.r2[j]),
        )
        for j, name in enumerate(names)
    ]
    return tuple(
        sorted(drivers, key=lambda d: (d.importance is None, -(d.importance or 0.0), d.step))
    )


def _check_rated_went(x: FloatArray, went: BoolArray, names: list[str]) -> None:
    stray = np.argwhere(np.isfinite(x) & ~went)
    if stray.size:
        row, col = (int(i) for i in stray[0])
        raise ObservedDataError(
            f"ratings[{names[col]!r}][{row}] is a rating, but visited says journey {row} "
            f"did not go through {names[col]!r} ({len(stray)} such cell(s))"
        )


def _correlation(x: FloatArray, y: FloatArray) -> float | None:
    """Pearson's r of a step's ratings with the outcome over the journeys that rated it."""
    rated = np.isfinite(x)
    xs, ys = x[rated], y[rated]
    if rated.sum() < 3 or xs.std() == 0 or ys.std() == 0:
        return None
    return float(np.corrcoef(xs, ys)[0, 1])


def _fits(went: BoolArray) -> Iterator[tuple[list[int], npt.NDArray[np.intp]]]:
    """Each fit: the steps gone through by the same journeys, and its predictors.

    Journeys through both steps j and k: k is gone through in every journey
    through j exactly when ``together[j, k] == together[j, j]``. Steps gone
    through by exactly the same journeys share one fit: over those journeys,
    on every step they all went through.
    """
    together = went.T.astype(np.float64) @ went.astype(np.float64)
    always = together == np.diagonal(together)[:, None]
    done: set[int] = set()
    for j in range(went.shape[1]):
        if j not in done:
            group = [k for k in range(went.shape[1]) if always[j, k] and always[k, j]]
            done.update(group)
            yield group, np.flatnonzero(always[j])


@attrs.frozen(kw_only=True, eq=False)
class _Fit:
    """One fit: the journeys through its steps, on its predictors."""

    x: FloatArray
    y: FloatArray
    went: BoolArray
    names: list[str]
    group: list[int]
    predictors: npt.NDArray[np.intp]


@attrs.define(kw_only=True, eq=False)
class _Found:
    """The figures of every step, filled in fit by fit (NaN: none)."""

    beta: FloatArray
    low: FloatArray
    high: FloatArray
    imp: FloatArray
    imp_low: FloatArray
    imp_high: FloatArray
    r2: FloatArray
    controls: list[tuple[str, ...]]

    @classmethod
    def empty(cls, p: int) -> _Found:
        def nan() -> FloatArray:
            return np.full(p, np.nan)

        return cls(
            beta=nan(),
            low=nan(),
            high=nan(),
            imp=nan(),
            imp_low=nan(),
            imp_high=nan(),
            r2=nan(),
            controls=[()] * p,
        )


def _solve(
    fit: _Fit, method: str, resamples: int, tail: float, rng: np.random.Generator, found: _Found
) -> None:
    """Fit the steps of *fit* and write their figures (and intervals) into *found*."""
    rows = fit.went[:, fit.group[0]]
    xs, ys = fit.x[np.ix_(rows, fit.predictors)], fit.y[rows]
    corr, usable, pairs = correlations(pair_sums(xs, ys))
    ok = usable[:-1] & usable[-1]
    if int(rows.sum()) <= int(ok.sum()) + 1 or not ok.any():
        return
    _check_pairs(pairs, ok, [fit.names[k] for k in fit.predictors])
    keep = np.flatnonzero(ok)
    chosen = np.r_[keep, len(fit.predictors)]
    if method == "lmg":
        _check_lmg(len(keep), resamples)
    beta, importance, r2 = figures(corr[np.ix_(chosen, chosen)], usable[chosen], method)
    kept = fit.predictors[keep]
    where = {int(k): i for i, k in enumerate(kept.tolist())}
    members = [k for k in fit.group if k in where]
    for k in members:
        found.beta[k], found.imp[k], found.r2[k] = beta[where[k]], importance[where[k]], r2
        found.controls[k] = tuple(fit.names[c] for c in kept.tolist() if c != k)
    if resamples and members:
        draws = _draws(xs[:, keep], ys, method, resamples, rng)
        for k in members:
            for (low, high), column in zip(
                ((found.low, found.high), (found.imp_low, found.imp_high)),
                (draws[0][:, where[k]], draws[1][:, where[k]]),
                strict=True,
            ):
                finite = column[np.isfinite(column)]
                if finite.size:
                    low[k], high[k] = np.percentile(finite, [tail, 100 - tail])


def _draws(
    x: FloatArray, y: FloatArray, method: str, resamples: int, rng: np.random.Generator
) -> tuple[FloatArray, FloatArray]:
    """The coefficients and importances of *resamples* bootstrap samples, ``(resamples, p)``."""
    betas, importances = [], []
    for stats in resampled_stats(x, y, resamples, rng):
        c, u, _ = correlations(stats)
        b, i, _ = figures(c, u, method)
        betas.append(b)
        importances.append(i)
    return np.concatenate(betas), np.concatenate(importances)


def _check_lmg(predictors: int, resamples: int) -> None:
    if predictors > LMG_LIMIT:
        raise AnalysisTooLargeError(
            f"method='lmg' is exact over all 2**p subsets of a fit's steps and is limited to "
            f"{LMG_LIMIT} steps; this fit has {predictors} (use method='relative_weights', "
            "which approximates LMG closely)"
        )
    work = max(1, resamples) << predictors
    if work > _LMG_WORK:
        raise AnalysisTooLargeError(
            f"method='lmg' with {resamples} resamples of a fit of {predictors} steps solves "
            f"{work:,} subset regressions (bound {_LMG_WORK:,}); use at most "
            f"{_LMG_WORK >> predictors} resamples, or method='relative_weights'"
        )
