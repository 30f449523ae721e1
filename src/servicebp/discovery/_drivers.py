"""Key-driver analysis: which step ratings move the overall outcome.

Private: re-exported by :mod:`servicebp.discover`.
"""

from __future__ import annotations

from typing import Any, Final

import attrs
import numpy as np
import numpy.typing as npt

from servicebp.errors import InvalidArgumentError, ObservedDataError
from servicebp.observed._tables import frame_names, read_columns, require_numbers

__all__ = ["KeyDriver", "key_drivers"]

FloatArray = npt.NDArray[np.float64]


@attrs.frozen(kw_only=True)
class KeyDriver:
    """How strongly one step's rating moves the overall outcome.

    Both figures rest on the journeys that rated the step (``n`` of them):
    in a blueprint with branches no journey rates every step, so each step
    gets its own regression over the journeys that went through it.

    Attributes
    ----------
    step : str
        The step (a column of the ratings).
    n : int
        Journeys that rated this step: the correlation, the coefficient and
        its interval all rest on these journeys.
    correlation : float or None
        Pearson correlation of the step's rating with the outcome (None when
        either is constant or n < 3).
    coefficient : float or None
        Standardised regression coefficient (beta) of the step's rating, from
        a least-squares fit of the standardised outcome on the standardised
        ratings of this step and its ``controls``, over the ``n`` journeys
        that rated the step (None when the step's rating or the outcome is
        constant there, or when there are no more journeys than predictors
        plus one).
    ci_low, ci_high : float or None
        Percentile bootstrap confidence interval of the coefficient
        (resampling those ``n`` journeys).
    regression_n : int
        Journeys in the step's regression: every journey that rated the step
        (the same as ``n``; none is left out).
    controls : tuple of str
        The other steps in the step's regression: those rated in every one
        of its ``n`` journeys (the steps always experienced with it), so the
        coefficient is the step's effect with theirs held fixed.
    """

    step: str
    n: int
    correlation: float | None
    coefficient: float | None
    ci_low: float | None
    ci_high: float | None
    regression_n: int
    controls: tuple[str, ...] = ()


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


#: A predictor whose centred sum of squares is below this share of its raw
#: sum of squares is constant (up to rounding) in that sample.
_CONSTANT: Final = 1e-9

#: Eigenvalues of a predictors' correlation matrix below this share of the
#: largest are zero: those predictors are collinear in that sample.
_RANK: Final = 1e-10
#: At most this many numbers in one bootstrap batch (resamples × journeys × predictors).
_BATCH: Final = 4_000_000


def _betas(gram: FloatArray, raw: FloatArray) -> FloatArray:
    """Standardised coefficients from Gram matrices of ``[1, x_1 … x_p, y]``.

    *gram* has shape ``(..., p + 2, p + 2)``; *raw* holds the uncentred sums of
    squares (``(..., p + 2)``) that tell a constant column from rounding. A
    constant predictor is left out of its fit (its coefficient is NaN), as a
    constant outcome leaves all out. Collinear predictors share their effect
    (the minimum-norm solution, as ``numpy.linalg.lstsq`` gives).
    """
    n = gram[..., 0, 0]
    sums = gram[..., 0, 1:]
    cov = gram[..., 1:, 1:] - sums[..., :, None] * sums[..., None, :] / n[..., None, None]
    var = np.diagonal(cov, axis1=-2, axis2=-1)
    usable = var > _CONSTANT * np.maximum(raw[..., 1:], np.finfo(np.float64).tiny)
    x_ok = usable[..., :-1] & usable[..., -1:]
    scale = np.sqrt(np.where(usable, var, 1.0))
    corr = cov / (scale[..., :, None] * scale[..., None, :])
    rxx = np.where(x_ok[..., :, None] & x_ok[..., None, :], corr[..., :-1, :-1], 0.0)
    p = rxx.shape[-1]
    rxx = rxx + np.where(x_ok, 0.0, 1.0)[..., None, :] * np.eye(p)
    rxy = np.where(x_ok, corr[..., :-1, -1], 0.0)
    beta = (_pseudo_inverse(rxx) @ rxy[..., None])[..., 0]
    return np.where(x_ok, beta, np.nan)


def _pseudo_inverse(matrices: FloatArray) -> FloatArray:
    """Pseudo-inverses of symmetric positive semi-definite matrices ``(..., p, p)``.

    Eigenvalues below :data:`_RANK` of the largest count as zero. A
    correlation matrix built from sums carries rounding of about 1e-16, far
    above the cut-off numpy's ``pinv`` uses (1e-15 of the largest singular
    value of a matrix whose eigenvalues are squares), so collinear predictors
    in a resample would otherwise get an arbitrary split instead of the
    minimum-norm one.
    """
    values, vectors = np.linalg.eigh(matrices)
    kept = values > _RANK * values[..., -1:]
    inverse = np.where(kept, 1.0 / np.where(kept, values, 1.0), 0.0)
    result: FloatArray = (vectors * inverse[..., None, :]) @ np.swapaxes(vectors, -1, -2)
    return result


def _fit(x: FloatArray, y: FloatArray) -> FloatArray:
    """Standardised coefficients of *y* on the columns of *x* (all rows)."""
    a = np.column_stack([np.ones(len(y)), x - x.mean(axis=0), y - y.mean()])
    gram = a.T @ a
    return _betas(gram, np.diagonal(gram).copy())


def _bootstrap(
    x: FloatArray, y: FloatArray, resamples: int, rng: np.random.Generator
) -> FloatArray:
    """Coefficients of *resamples* bootstrap samples of the rows, ``(resamples, p)``.

    A resample is a row of counts (how often each journey was drawn), and
    its Gram matrix is those counts times each journey's outer product: so
    a batch of resamples is one matrix product of counts with the journeys'
    outer products (their upper triangles), which BLAS does fast. Batches of
    resamples, and of journeys for the outer products, keep memory bounded.
    """
    m = len(y)
    a = np.column_stack([np.ones(m), x - x.mean(axis=0), y - y.mean()])
    q = a.shape[1]
    upper, lower = np.triu_indices(q)
    columns = np.ascontiguousarray(a.T)
    chunk = max(1, _BATCH // len(upper))

    def products(part: slice) -> FloatArray:
        # Whole rows of the transposed matrix are gathered: much faster than columns.
        block: FloatArray = columns[upper, part] * columns[lower, part]
        return block

    cached = products(slice(0, m)) if m <= chunk else None
    batch = max(1, _BATCH // m)
    out = np.empty((resamples, x.shape[1]))
    gram = np.empty((min(batch, resamples), q, q))
    for first in range(0, resamples, batch):
        size = min(batch, resamples - first)
        picks = rng.integers(0, m, size=(size, m))
        picks += np.arange(size)[:, None] * m
        counts = np.bincount(picks.ravel(), minlength=size * m).reshape(size, m)
        weights = counts.astype(np.float64)
        if cached is not None:
            sums = weights @ cached.T
        else:
            sums = np.zeros((size, len(upper)))
            for start in range(0, m, chunk):
                part = slice(start, start + chunk)
                sums += weights[:, part] @ products(part).T
        gram[:size, upper, lower] = sums
        gram[:size, lower, upper] = sums
        out[first : first + size] = _betas(
            gram[:size], np.diagonal(gram[:size], axis1=-2, axis2=-1)
        )
    return out


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
        has = np.isfinite(x[:, j])
        counts.append(int(has.sum()))
        xs, ys = x[has, j], y[has]
        if has.sum() < 3 or xs.std() == 0 or ys.std() == 0:
            correlations.append(None)
        else:
            correlations.append(float(np.corrcoef(xs, ys)[0, 1]))
    rated = np.isfinite(x)
    # Journeys rating both steps j and k; k is rated in every journey that
    # rated j exactly when together[j, k] == together[j, j].
    together = rated.T.astype(np.float64) @ rated.astype(np.float64)
    always = together == np.diagonal(together)[:, None]
    beta = np.full(x.shape[1], np.nan)
    low = np.full(x.shape[1], np.nan)
    high = np.full(x.shape[1], np.nan)
    rng = np.random.default_rng(seed)
    tail = (1 - confidence) / 2 * 100
    # Steps rated by exactly the same journeys share one regression: over those
    # journeys, on every step they all rated.
    done: set[int] = set()
    for j in range(x.shape[1]):
        if j in done:
            continue
        group = [k for k in range(x.shape[1]) if always[j, k] and always[k, j]]
        done.update(group)
        predictors = np.flatnonzero(always[j])
        rows = rated[:, j]
        m = counts[j]
        if m <= predictors.size + 1:
            continue
        xs, ys = x[np.ix_(rows, predictors)], y[rows]
        fitted = _fit(xs, ys)
        where = [int(np.flatnonzero(predictors == k)[0]) for k in group]
        beta[group] = fitted[where]
        if not resamples or not np.isfinite(beta[group]).any():
            continue
        draws = _bootstrap(xs, ys, resamples, rng)
        for k, column in zip(group, where, strict=True):
            finite = draws[np.isfinite(draws[:, column]), column]
            if np.isfinite(beta[k]) and finite.size:
                low[k], high[k] = np.percentile(finite, [tail, 100 - tail])
    drivers = [
        KeyDriver(
            step=name,
            n=counts[j],
            correlation=correlations[j],
            coefficient=None if np.isnan(beta[j]) else float(beta[j]),
            ci_low=None if np.isnan(beta[j]) or np.isnan(low[j]) else float(low[j]),
            ci_high=None if np.isnan(beta[j]) or np.isnan(high[j]) else float(high[j]),
            regression_n=counts[j],
            controls=tuple(
                names[k] for k in np.flatnonzero(always[j]).tolist() if k != j and counts[j]
            ),
        )
        for j, name in enumerate(names)
    ]
    return tuple(
        sorted(
            drivers,
            key=lambda d: (d.coefficient is None, -(d.coefficient or 0.0), d.step),
        )
    )
