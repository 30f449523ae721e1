"""Key-driver analysis: which step ratings move the overall outcome.

Private: re-exported by :mod:`servicebp.discover`.
"""

from __future__ import annotations

from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from servicebp._tables import frame_names, read_columns, require_numbers
from servicebp.errors import InvalidArgumentError, ObservedDataError

__all__ = ["KeyDriver", "key_drivers"]

FloatArray = npt.NDArray[np.float64]


@attrs.frozen(kw_only=True)
class KeyDriver:
    """How strongly one step's rating moves the overall outcome.

    Attributes
    ----------
    step : str
        The step (a column of the ratings).
    n : int
        Journeys with both this step's rating and the outcome (used for the
        correlation).
    correlation : float or None
        Pearson correlation of the step's rating with the outcome (None when
        either is constant or n < 3).
    coefficient : float or None
        Standardised regression coefficient (beta) from a least-squares fit
        of the standardised outcome on all standardised step ratings, over
        the journeys that rated every step (None when the step's rating is
        constant there).
    ci_low, ci_high : float or None
        Percentile bootstrap confidence interval of the coefficient.
    regression_n : int
        Journeys used by the regression (those that rated every step).
    """

    step: str
    n: int
    correlation: float | None
    coefficient: float | None
    ci_low: float | None
    ci_high: float | None
    regression_n: int


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


def _standardised_beta(x: FloatArray, y: FloatArray) -> FloatArray:
    sx = x.std(axis=0, ddof=1)
    sy = y.std(ddof=1)
    usable = sx > 0
    beta = np.full(x.shape[1], np.nan)
    if sy == 0 or not usable.any():
        return beta
    z = (x[:, usable] - x[:, usable].mean(axis=0)) / sx[usable]
    solution, *_ = np.linalg.lstsq(z, (y - y.mean()) / sy, rcond=None)
    beta[usable] = solution
    return beta


def key_drivers(
    ratings: Any,
    outcome: Any,
    *,
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
    resamples : int
        Bootstrap resamples of the journeys for the interval (0 for none).
    confidence : float
        Confidence level of the interval, in (0, 1).
    seed : int
        Seed of the bootstrap; the same seed gives the same interval.

    Returns
    -------
    tuple of KeyDriver
        Highest standardised coefficient first (steps without one last).

    Raises
    ------
    ObservedDataError
        Ratings that are not numbers, an outcome of another length or not
        finite.

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
    """
    if not 0 < confidence < 1:
        raise InvalidArgumentError(f"confidence must lie in (0, 1), got {confidence!r}")
    if isinstance(resamples, bool) or not isinstance(resamples, int) or resamples < 0:
        raise InvalidArgumentError(f"resamples must be a whole number ≥ 0, got {resamples!r}")
    names, x = _matrix(ratings, "ratings")
    raw = np.asarray(outcome)
    require_numbers(raw, column="outcome", what="outcomes")
    try:
        y = raw.astype(np.float64)
    except (TypeError, ValueError) as error:
        raise ObservedDataError(f"outcome must be numbers: {error}") from error
    if y.shape != (x.shape[0],):
        raise ObservedDataError(
            f"outcome has shape {y.shape}; one value per journey ({x.shape[0]}) is needed"
        )
    bad = np.flatnonzero(~np.isfinite(y))
    if bad.size:
        raise ObservedDataError(f"outcome[{int(bad[0])}] is {y[bad[0]]!r}; it must be finite")
    counts: list[int] = []
    correlations: list[float | None] = []
    for j in range(x.shape[1]):
        rated = np.isfinite(x[:, j])
        counts.append(int(rated.sum()))
        xs, ys = x[rated, j], y[rated]
        if rated.sum() < 3 or xs.std() == 0 or ys.std() == 0:
            correlations.append(None)
        else:
            correlations.append(float(np.corrcoef(xs, ys)[0, 1]))
    complete = np.isfinite(x).all(axis=1)
    xc, yc = x[complete], y[complete]
    m = xc.shape[0]
    enough = m > x.shape[1] + 1
    beta = _standardised_beta(xc, yc) if enough else np.full(x.shape[1], np.nan)
    low = np.full(x.shape[1], np.nan)
    high = np.full(x.shape[1], np.nan)
    if resamples and np.isfinite(beta).any():
        rng = np.random.default_rng(seed)
        draws = np.empty((resamples, x.shape[1]))
        for b in range(resamples):
            pick = rng.integers(0, m, m)
            draws[b] = _standardised_beta(xc[pick], yc[pick])
        tail = (1 - confidence) / 2 * 100
        for j in np.flatnonzero(np.isfinite(beta)).tolist():
            finite = draws[np.isfinite(draws[:, j]), j]
            if finite.size:
                low[j], high[j] = np.percentile(finite, [tail, 100 - tail])
    drivers = [
        KeyDriver(
            step=name,
            n=counts[j],
            correlation=correlations[j],
            coefficient=None if np.isnan(beta[j]) else float(beta[j]),
            ci_low=None if np.isnan(beta[j]) or np.isnan(low[j]) else float(low[j]),
            ci_high=None if np.isnan(beta[j]) or np.isnan(high[j]) else float(high[j]),
            regression_n=m,
        )
        for j, name in enumerate(names)
    ]
    return tuple(
        sorted(
            drivers,
            key=lambda d: (d.coefficient is None, -(d.coefficient or 0.0), d.step),
        )
    )
