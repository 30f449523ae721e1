"""Pairwise (available-case) correlations and the figures solved from them.

Private to :mod:`servicebp.discovery`. Each correlation between two steps (or
a step and the outcome) rests on the journeys that rated both, with those
journeys' own means and standard deviations (Little & Rubin 2019, §3.4); the
standardised coefficients, relative weights or LMG shares and R² are solved
from the matrix (made positive semi-definite where pairwise estimates are
not; Rousseeuw & Molenberghs 1993).
"""

from __future__ import annotations

from typing import Final

import numpy as np
import numpy.typing as npt

from servicebp.discovery._importance import lmg, relative_weights, standardised_betas

__all__ = ["centred", "correlations", "figures", "fit", "pair_sums", "positive_semidefinite"]

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

#: A predictor whose centred sum of squares is below this share of its raw
#: sum of squares is constant (up to rounding) in that sample.
_CONSTANT: Final = 1e-9

#: A correlation matrix with an eigenvalue below minus this share of the largest
#: is not positive semi-definite (beyond rounding).
_NEGATIVE: Final = 1e-12


def centred(x: FloatArray, y: FloatArray) -> tuple[FloatArray, BoolArray]:
    """``[x, y]`` centred on each column's rated mean, 0 where unrated, and the rated mask."""
    a = np.column_stack([x, y])
    rated = np.isfinite(a)
    counts = rated.sum(axis=0)
    sums = np.where(rated, a, 0.0).sum(axis=0)
    means = np.divide(sums, counts, out=np.zeros(a.shape[1]), where=counts > 0)
    return np.where(rated, a - means, 0.0), rated


def pair_sums(x: FloatArray, y: FloatArray) -> FloatArray:
    """The pairwise sums ``N, S, Q, P`` (shape ``(4, q, q)``) of ``[x, y]`` over all rows.

    For columns *k*, *l* over the rows that rated both: ``N`` counts them,
    ``S[k, l]`` sums column *k*, ``Q[k, l]`` sums its squares and ``P[k, l]``
    sums the products.
    """
    a, rated = centred(x, y)
    m = rated.astype(np.float64)
    return np.stack([m.T @ m, a.T @ m, (a * a).T @ m, a.T @ a])


def correlations(stats: FloatArray) -> tuple[FloatArray, BoolArray, FloatArray]:
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


def figures(
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
    full = positive_semidefinite(full + np.where(ok, 0.0, 1.0)[..., None, :] * np.eye(p + 1))
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


def positive_semidefinite(corr: FloatArray) -> FloatArray:
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


def fit(x: FloatArray, y: FloatArray) -> FloatArray:
    """Standardised coefficients of *y* on the columns of *x* (NaN: unrated), all rows."""
    corr, usable, _ = correlations(pair_sums(x, y))
    return figures(corr, usable, "regression")[0]
