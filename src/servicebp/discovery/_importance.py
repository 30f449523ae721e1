"""Relative importance of correlated predictors, from their correlation matrix.

Private: used by :func:`servicebp.key_drivers`. Every function takes a
predictors' correlation matrix ``rxx`` (shape ``(..., p, p)``) and their
correlations with the outcome ``rxy`` (``(..., p)``), so a batch of bootstrap
resamples is one call, and pairwise (available-case) correlations from
incomplete ratings plug in as they are.

* :func:`standardised_betas`: ``β = Rxx⁺ rxy`` and ``R² = rxyᵀ β``.
* :func:`relative_weights`: Johnson's (2000) relative weights. The
  predictors are replaced by their closest orthonormal counterparts
  ``Z = X Rxx^(−1/2)`` (Johnson 1966), so ``Λ = Rxx^(1/2)`` relates the two;
  the outcome is regressed on ``Z`` (``β* = Λ⁺ rxy``) and predictor *j*'s
  raw weight is ``ε_j = Σ_k Λ_jk² β*_k²``. The raw weights sum to ``R²``.
* :func:`lmg`: the LMG decomposition of ``R²`` (Lindeman, Merenda & Gold
  1980; Grömping 2006, relaimpo), the same as general dominance (Budescu 1993;
  Azen & Budescu 2003): each predictor's increase in ``R²`` averaged over
  every order of entry, i.e. its Shapley value in the game ``v(S) = R²(S)``.
  Exact, over all ``2^p`` subsets, so bounded by :data:`LMG_LIMIT`.

Johnson, J. W. (2000). A heuristic method for estimating the relative weight
of predictor variables in multiple regression. *Multivariate Behavioral
Research*, 35(1), 1–19.
"""

from __future__ import annotations

import itertools
import math
from typing import Final

import numpy as np
import numpy.typing as npt

from servicebp.errors import AnalysisTooLargeError

__all__ = [
    "LMG_LIMIT",
    "all_subset_r2",
    "lmg",
    "pseudo_inverse",
    "relative_weights",
    "standardised_betas",
]

FloatArray = npt.NDArray[np.float64]

#: LMG is exact over all ``2**p`` subsets of predictors: at most this many.
LMG_LIMIT: Final = 15

#: Eigenvalues below this share of the largest are zero: those predictors are
#: collinear (or the pairwise matrix is not positive definite there).
_RANK: Final = 1e-10


def pseudo_inverse(matrices: FloatArray) -> FloatArray:
    """Pseudo-inverses of symmetric matrices ``(..., p, p)``, negative eigenvalues dropped.

    Eigenvalues below :data:`_RANK` of the largest count as zero. A
    correlation matrix built from sums carries rounding of about 1e-16, far
    above the cut-off numpy's ``pinv`` uses, so collinear predictors get the
    minimum-norm split instead of an arbitrary one. A pairwise correlation
    matrix can be indefinite; dropping its negative eigenvalues uses the
    closest positive semi-definite matrix (in the spectral sense).

    Examples
    --------
    >>> pseudo_inverse(np.array([[2.0, 0.0], [0.0, 4.0]])).tolist()
    [[0.5, 0.0], [0.0, 0.25]]
    """
    values, vectors = np.linalg.eigh(matrices)
    top = np.maximum(values[..., -1:], np.finfo(np.float64).tiny)
    kept = values > _RANK * top
    inverse = np.where(kept, 1.0 / np.where(kept, values, 1.0), 0.0)
    result: FloatArray = (vectors * inverse[..., None, :]) @ np.swapaxes(vectors, -1, -2)
    return result


def standardised_betas(rxx: FloatArray, rxy: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Standardised coefficients ``Rxx⁺ rxy`` and ``R²`` (shapes ``(..., p)`` and ``(...)``).

    Examples
    --------
    Two uncorrelated predictors: each coefficient is its correlation.

    >>> beta, r2 = standardised_betas(np.eye(2), np.array([0.6, 0.3]))
    >>> beta.tolist(), round(float(r2), 12)
    ([0.6, 0.3], 0.45)
    """
    beta = (pseudo_inverse(rxx) @ rxy[..., None])[..., 0]
    r2: FloatArray = np.einsum("...i,...i->...", beta, rxy)
    return beta, r2


def relative_weights(rxx: FloatArray, rxy: FloatArray) -> FloatArray:
    """Johnson's (2000) raw relative weights, shape ``(..., p)``; they sum to ``R²``.

    Examples
    --------
    Uncorrelated predictors: each weight is the squared correlation.

    >>> [round(float(w), 12) for w in relative_weights(np.eye(2), np.array([0.6, 0.3]))]
    [0.36, 0.09]
    """
    values, vectors = np.linalg.eigh(rxx)
    top = np.maximum(values[..., -1:], np.finfo(np.float64).tiny)
    kept = values > _RANK * top
    root = np.sqrt(np.where(kept, values, 0.0))
    # Λ = Rxx^(1/2) and its pseudo-inverse share the eigenvectors.
    lam = (vectors * root[..., None, :]) @ np.swapaxes(vectors, -1, -2)
    inverse_root = np.where(kept, 1.0 / np.where(kept, root, 1.0), 0.0)
    lam_pinv = (vectors * inverse_root[..., None, :]) @ np.swapaxes(vectors, -1, -2)
    beta_z = (lam_pinv @ rxy[..., None])[..., 0]
    weights: FloatArray = (lam**2 @ (beta_z**2)[..., None])[..., 0]
    return weights


def _subsets(p: int, size: int) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """The subsets of ``range(p)`` of one *size*: their members and bit masks."""
    members = np.array(list(itertools.combinations(range(p), size)), dtype=np.int64)
    masks = (1 << members).sum(axis=1)
    return members.reshape(-1, size), masks


def all_subset_r2(rxx: FloatArray, rxy: FloatArray) -> FloatArray:
    """``R²`` of every subset of the predictors, shape ``(..., 2**p)``, indexed by bit mask.

    Examples
    --------
    >>> r2 = all_subset_r2(np.eye(2), np.array([0.6, 0.3]))
    >>> [round(float(v), 12) for v in r2]
    [0.0, 0.36, 0.09, 0.45]
    """
    p = rxx.shape[-1]
    out = np.zeros((*rxx.shape[:-2], 1 << p))
    for size in range(1, p + 1):
        members, masks = _subsets(p, size)
        sub = rxx[..., members[:, :, None], members[:, None, :]]
        r = rxy[..., members]
        out[..., masks] = np.einsum("...i,...ij,...j->...", r, pseudo_inverse(sub), r)
    return out


def lmg(rxx: FloatArray, rxy: FloatArray) -> FloatArray:
    """The LMG share of ``R²`` of each predictor, shape ``(..., p)``; they sum to ``R²``.

    Predictor *j*'s share is ``Σ_S |S|! (p − |S| − 1)! / p! · (R²(S ∪ {j}) −
    R²(S))`` over the subsets *S* of the other predictors: its gain in
    ``R²`` averaged over the ``p!`` orders of entry.

    Raises
    ------
    AnalysisTooLargeError
        More than :data:`LMG_LIMIT` predictors (``2**p`` subsets).

    Examples
    --------
    Uncorrelated predictors: each share is the squared correlation.

    >>> [round(float(v), 12) for v in lmg(np.eye(2), np.array([0.6, 0.3]))]
    [0.36, 0.09]
    """
    p = rxx.shape[-1]
    if p > LMG_LIMIT:
        raise AnalysisTooLargeError(
            f"LMG is exact over all 2**p subsets of the predictors and is limited to "
            f"{LMG_LIMIT} predictors; this fit has {p} (use method='relative_weights', "
            "which approximates LMG closely, or fewer steps)"
        )
    r2 = all_subset_r2(rxx, rxy)
    masks = np.arange(1 << p)
    sizes = np.array([m.bit_count() for m in masks.tolist()], dtype=np.int64)
    weight = np.array(
        [math.factorial(s) * math.factorial(p - s - 1) / math.factorial(p) for s in range(p)]
    )
    out = np.empty((*rxx.shape[:-2], p))
    for j in range(p):
        without = masks[(masks >> j) & 1 == 0]
        gains = r2[..., without | (1 << j)] - r2[..., without]
        out[..., j] = gains @ weight[sizes[without]]
    return out
