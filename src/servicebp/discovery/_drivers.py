"""Key-driver analysis: which step ratings move the overall outcome.

Private: re-exported by :mod:`servicebp.discover`.

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

from servicebp.discovery._importance import (
    LMG_LIMIT,
    lmg,
    relative_weights,
    standardised_betas,
)
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


#: A predictor whose centred sum of squares is below this share of its raw
#: sum of squares is constant (up to rounding) in that sample.
_CONSTANT: Final = 1e-9

#: A correlation matrix with an eigenvalue below minus this share of the largest
#: is not positive semi-definite (beyond rounding).
_NEGATIVE: Final = 1e-12

#: At most this many numbers in one bootstrap batch (resamples × journeys × predictors).
_BATCH: Final = 4_000_000

#: LMG's bootstrap solves ``resamples × 2**p`` subset regressions: at most this many.
_LMG_WORK: Final = 1 << 24

BoolArray = npt.NDArray[np.bool_]


def _centred(x: FloatArray, y: FloatArray) -> tuple[FloatArray, BoolArray]:
    """``[x, y]`` centred on each column's rated mean, 0 where unrated, and the rated mask."""
    a = np.column_stack([x, y])
    rated = np.isfinite(a)
    counts = rated.sum(axis=0)
    sums = np.where(rated, a, 0.0).sum(axis=0)
    means = np.divide(sums, counts, out=np.zeros(a.shape[1]), where=counts > 0)
    return np.where(rated, a - means, 0.0), rated


def _stats(x: FloatArray, y: FloatArray) -> FloatArray:
    """The pairwise sums ``N, S, Q, P`` (shape ``(4, q, q)``) of ``[x, y]`` over all rows.

    For columns *k*, *l* over the rows that rated both: ``N`` counts them,
    ``S[k, l]`` sums column *k*, ``Q[k, l]`` sums its squares and ``P[k, l]``
    sums the products.
    """
    a, rated = _centred(x, y)
    m = rated.astype(np.float64)
    return np.stack([m.T @ m, a.T @ m, (a * a).T @ m, a.T @ a])


def _correlations(stats: FloatArray) -> tuple[FloatArray, BoolArray, FloatArray]:
    """Pairwise correlations ``(..., q, q)``, which columns vary, and the pair counts."""
    n, s, q, p = (stats[..., i, :, :] for i in range(4))
    st = np.swapaxes(s, -1, -2)
    with np.errstate(divide="ignore", invalid="ignore"):
        cov = p - s * st / n
        var = q - s * s / n
        denom = np.sqrt(var * np.swapaxes(var, -1, -2))
        corr = np.where((n >= 2) & (denom > 0), cov / denom, 0.0)
    own_n = np.diagonal(n, axis1=-2, axis2=-1)
    own_var = np.diagonal(np.nan_to_num(var), axis1=-2, axis2=-1)
    raw = np.diagonal(q, axis1=-2, axis2=-1)
    usable = (own_n >= 3) & (own_var > _CONSTANT * np.maximum(raw, np.finfo(np.float64).tiny))
    corr = np.clip(corr, -1.0, 1.0)
    size = corr.shape[-1]
    corr[..., np.arange(size), np.arange(size)] = 1.0
    return corr, usable, n


def _figures(
    corr: FloatArray, usable: BoolArray, method: str
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Coefficients, importances (``(..., p)``) and R² (``(...)``) of correlation matrices.

    The last row and column are the outcome's. A predictor that does not vary
    (or an outcome that does not) gets NaN; it is left out of the fit.
    """
    x_ok = usable[..., :-1] & usable[..., -1:]
    p = x_ok.shape[-1]
    ok = np.concatenate([x_ok, usable[..., -1:]], axis=-1)
    full = np.where(ok[..., :, None] & ok[..., None, :], corr, 0.0)
    full = _positive_semidefinite(full + np.where(ok, 0.0, 1.0)[..., None, :] * np.eye(p + 1))
    rxx = full[..., :-1, :-1]
    rxy = np.where(x_ok, full[..., :-1, -1], 0.0)
    beta, r2 = standardised_betas(rxx, rxy)
    if method == "relative_weights":
        importance = relative_weights(rxx, rxy)
    elif method == "lmg":
        importance = lmg(rxx, rxy)
    else:
        importance = beta
    return (
        np.where(x_ok, beta, np.nan),
        np.where(x_ok, importance, np.nan),
        np.where(x_ok.any(axis=-1), r2, np.nan),
    )


def _positive_semidefinite(corr: FloatArray) -> FloatArray:
    """Correlation matrices with negative eigenvalues made 0 and the diagonal made 1 again.

    A pairwise correlation matrix need not be positive semi-definite (each
    entry rests on other journeys), and then R² could exceed 1. Such a matrix
    is replaced by its eigenvalue-clipped, rescaled counterpart (Rousseeuw &
    Molenberghs 1993); a positive semi-definite one (complete ratings) is
    kept as it is.
    """
    values, vectors = np.linalg.eigh(corr)
    top = np.maximum(values[..., -1:], np.finfo(np.float64).tiny)
    bad = (values < -_NEGATIVE * top).any(axis=-1)
    if not bad.any():
        return corr
    clipped = (vectors * np.maximum(values, 0.0)[..., None, :]) @ np.swapaxes(vectors, -1, -2)
    scale = np.sqrt(np.maximum(np.diagonal(clipped, axis1=-2, axis2=-1), np.finfo(float).tiny))
    clipped = clipped / (scale[..., :, None] * scale[..., None, :])
    result: FloatArray = np.where(bad[..., None, None], clipped, corr)
    return result


def _fit(x: FloatArray, y: FloatArray) -> FloatArray:
    """Standardised coefficients of *y* on the columns of *x* (NaN: unrated), all rows."""
    corr, usable, _ = _correlations(_stats(x, y))
    return _figures(corr, usable, "regression")[0]


def _features(x: FloatArray, y: FloatArray) -> tuple[FloatArray, Any, Any, bool]:
    """Per-journey factors of the pairwise sums, as rows of a matrix to multiply pairwise.

    The sums of a resample are its counts times the products of the factor
    rows *left* and *right*. With every cell rated the sums follow from the
    Gram matrix of ``[1, x, y]`` (fewer products); otherwise ``N, S, Q, P``
    each need their own.
    """
    a, rated = _centred(x, y)
    q = a.shape[1]
    if rated.all():
        columns = np.vstack([np.ones(len(y)), a.T])
        left, right = np.triu_indices(q + 1)
        return np.ascontiguousarray(columns), left, right, True
    m = rated.T.astype(np.float64)
    columns = np.vstack([m, a.T, (a * a).T])
    k, ll = np.triu_indices(q)
    full_k, full_l = (g.ravel() for g in np.indices((q, q)))
    left = np.concatenate([k, q + full_k, 2 * q + full_k, q + k])
    right = np.concatenate([ll, full_l, full_l, q + ll])
    return np.ascontiguousarray(columns), left, right, False


def _unpack(sums: FloatArray, q: int, complete: bool) -> FloatArray:
    """The ``(size, 4, q, q)`` pairwise sums from the products :func:`_features` laid out."""
    size = sums.shape[0]
    if complete:
        upper, lower = np.triu_indices(q + 1)
        gram = np.empty((size, q + 1, q + 1))
        gram[:, upper, lower] = sums
        gram[:, lower, upper] = sums
        n = np.broadcast_to(gram[:, :1, :1], (size, q, q))
        s = np.broadcast_to(gram[:, 0, 1:, None], (size, q, q))
        diag = np.diagonal(gram[:, 1:, 1:], axis1=-2, axis2=-1)
        qq = np.broadcast_to(diag[:, :, None], (size, q, q))
        return np.stack([n, s, qq, gram[:, 1:, 1:]], axis=1)
    k, ll = np.triu_indices(q)
    t = len(k)
    out = np.empty((size, 4, q, q))
    for which, offset in ((0, 0), (3, t + 2 * q * q)):
        out[:, which, k, ll] = sums[:, offset : offset + t]
        out[:, which, ll, k] = sums[:, offset : offset + t]
    out[:, 1] = sums[:, t : t + q * q].reshape(size, q, q)
    out[:, 2] = sums[:, t + q * q : t + 2 * q * q].reshape(size, q, q)
    return out


def _resampled_stats(
    x: FloatArray, y: FloatArray, resamples: int, rng: np.random.Generator
) -> Iterator[FloatArray]:
    """Pairwise sums of *resamples* bootstrap samples of the rows, in batches.

    A resample is a row of counts (how often each journey was drawn), and
    its sums are those counts times each journey's products: so a batch of
    resamples is one matrix product of counts with the journeys' products,
    which BLAS does fast. Batches of resamples, and of journeys for the
    products, keep memory bounded.
    """
    m = len(y)
    columns, left, right, complete = _features(x, y)
    q = x.shape[1] + 1
    chunk = max(1, _BATCH // len(left))

    def products(part: slice) -> FloatArray:
        # Whole rows of the transposed matrix are gathered: much faster than columns.
        block: FloatArray = columns[left, part] * columns[right, part]
        return block

    cached = products(slice(0, m)) if m <= chunk else None
    batch = max(1, _BATCH // m)
    for first in range(0, resamples, batch):
        size = min(batch, resamples - first)
        picks = rng.integers(0, m, size=(size, m))
        picks += np.arange(size)[:, None] * m
        counts = np.bincount(picks.ravel(), minlength=size * m).reshape(size, m)
        weights = counts.astype(np.float64)
        if cached is not None:
            sums = weights @ cached.T
        else:
            sums = np.zeros((size, len(left)))
            for start in range(0, m, chunk):
                part = slice(start, start + chunk)
                sums += weights[:, part] @ products(part).T
        yield _unpack(sums, q, complete)


def _bootstrap(
    x: FloatArray, y: FloatArray, resamples: int, rng: np.random.Generator
) -> FloatArray:
    """Coefficients of *resamples* bootstrap samples of the rows, ``(resamples, p)``."""
    parts = []
    for stats in _resampled_stats(x, y, resamples, rng):
        corr, usable, _ = _correlations(stats)
        parts.append(_figures(corr, usable, "regression")[0])
    return np.concatenate(parts) if parts else np.empty((0, x.shape[1]))


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
    rated = np.isfinite(x)
    stray = np.argwhere(rated & ~went)
    if stray.size:
        row, col = (int(i) for i in stray[0])
        raise ObservedDataError(
            f"ratings[{names[col]!r}][{row}] is a rating, but visited says journey {row} "
            f"did not go through {names[col]!r} ({len(stray)} such cell(s))"
        )
    p = x.shape[1]
    counts = rated.sum(axis=0)
    correlations: list[float | None] = []
    for j in range(p):
        xs, ys = x[rated[:, j], j], y[rated[:, j]]
        if counts[j] < 3 or xs.std() == 0 or ys.std() == 0:
            correlations.append(None)
        else:
            correlations.append(float(np.corrcoef(xs, ys)[0, 1]))
    # Journeys through both steps j and k; k is gone through in every journey
    # through j exactly when together[j, k] == together[j, j].
    together = went.T.astype(np.float64) @ went.astype(np.float64)
    always = together == np.diagonal(together)[:, None]
    found = {
        key: np.full(p, np.nan) for key in ("beta", "low", "high", "imp", "imp_low", "imp_high")
    }
    r_squared = np.full(p, np.nan)
    population = went.sum(axis=0)
    controls: list[tuple[str, ...]] = [()] * p
    rng = np.random.default_rng(seed)
    tail = (1 - confidence) / 2 * 100
    # Steps gone through by exactly the same journeys share one fit: over those
    # journeys, on every step they all went through.
    done: set[int] = set()
    for j in range(p):
        if j in done:
            continue
        group = [k for k in range(p) if always[j, k] and always[k, j]]
        done.update(group)
        predictors = np.flatnonzero(always[j])
        rows = went[:, j]
        xs, ys = x[np.ix_(rows, predictors)], y[rows]
        corr, usable, pairs = _correlations(_stats(xs, ys))
        ok = usable[:-1] & usable[-1]
        if int(population[j]) <= int(ok.sum()) + 1 or not ok.any():
            continue
        _check_pairs(pairs, ok, [names[k] for k in predictors])
        keep = np.flatnonzero(ok)
        chosen = np.r_[keep, len(predictors)]
        if method == "lmg":
            _check_lmg(len(keep), resamples)
        beta, importance, r2 = _figures(corr[np.ix_(chosen, chosen)], usable[chosen], method)
        kept = predictors[keep]
        where = {int(k): i for i, k in enumerate(kept.tolist())}
        members = [k for k in group if k in where]
        for k in members:
            found["beta"][k] = beta[where[k]]
            found["imp"][k] = importance[where[k]]
            r_squared[k] = r2
            controls[k] = tuple(names[c] for c in kept.tolist() if c != k)
        if not resamples or not members:
            continue
        draws_beta, draws_imp = [], []
        for stats in _resampled_stats(xs[:, keep], ys, resamples, rng):
            c, u, _ = _correlations(stats)
            b, i, _ = _figures(c, u, method)
            draws_beta.append(b)
            draws_imp.append(i)
        all_beta, all_imp = np.concatenate(draws_beta), np.concatenate(draws_imp)
        for k in members:
            for key, draws in (("", all_beta), ("imp_", all_imp)):
                column = draws[:, where[k]]
                finite = column[np.isfinite(column)]
                if finite.size:
                    found[key + "low"][k], found[key + "high"][k] = np.percentile(
                        finite, [tail, 100 - tail]
                    )
    drivers = [
        KeyDriver(
            step=name,
            n=int(counts[j]),
            correlation=correlations[j],
            coefficient=_optional(found["beta"][j]),
            ci_low=_optional(found["low"][j]),
            ci_high=_optional(found["high"][j]),
            regression_n=int(population[j]),
            controls=controls[j],
            method=method,
            importance=_optional(found["imp"][j]),
            importance_low=_optional(found["imp_low"][j]),
            importance_high=_optional(found["imp_high"][j]),
            r_squared=_optional(r_squared[j]),
        )
        for j, name in enumerate(names)
    ]
    return tuple(
        sorted(
            drivers,
            key=lambda d: (d.importance is None, -(d.importance or 0.0), d.step),
        )
    )


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
