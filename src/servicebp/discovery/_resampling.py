"""The bootstrap of the key drivers: resamples of the journeys as one matrix product.

Private to :mod:`servicebp.discovery`. A bootstrap resample draws the journeys
with replacement; the pairwise sums of :func:`~servicebp.discovery._pairwise.pair_sums`
over a resample are the journeys' products weighted by how often each was
drawn, so a batch of resamples is a matrix product of their counts with the
journeys' products (Efron & Tibshirani 1993, *An Introduction to the
Bootstrap*, ch. 6, for the percentile interval these feed).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Final

import numpy as np
import numpy.typing as npt

from servicebp.discovery._pairwise import centred, correlations, figures

__all__ = ["bootstrap", "resampled_stats"]

FloatArray = npt.NDArray[np.float64]

#: At most this many numbers in one bootstrap batch (resamples × journeys × predictors).
_BATCH: Final = 4_000_000

#: From this many products per resample (journeys × sums) the bootstrap multiplies in float32.
_FLOAT32_FROM: Final = 100_000_000

#: The counts of a group of resamples held at once, in bytes (one byte per journey and resample).
_COUNT_BYTES: Final = 1_000_000_000


def features(x: FloatArray, y: FloatArray) -> tuple[FloatArray, Any, Any, bool]:
    """Per-journey factors of the pairwise sums, as rows of a matrix to multiply pairwise.

    The sums of a resample are its counts times the products of the factor
    rows *left* and *right*. With every cell rated the sums follow from the
    Gram matrix of ``[1, x, y]`` (fewer products); otherwise ``N, S, Q, P``
    each need their own.
    """
    a, rated = centred(x, y)
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


def unpack(sums: FloatArray, q: int, complete: bool) -> FloatArray:
    """The ``(size, 4, q, q)`` pairwise sums from the products :func:`features` laid out."""
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


def _counts(rng: np.random.Generator, size: int, m: int) -> npt.NDArray[np.int64]:
    """How often each of *m* journeys is drawn in each of *size* resamples, ``(size, m)``."""
    picks = rng.integers(0, m, size=(size, m))
    picks += np.arange(size)[:, None] * m
    return np.bincount(picks.ravel(), minlength=size * m).reshape(size, m)


def resampled_stats(
    x: FloatArray, y: FloatArray, resamples: int, rng: np.random.Generator
) -> Iterator[FloatArray]:
    """Pairwise sums of *resamples* bootstrap samples of the rows, in batches.

    A resample is a row of counts (how often each journey was drawn), and
    its sums are those counts times each journey's products: so a batch of
    resamples is one matrix product of counts with the journeys' products,
    which BLAS does fast. The indices are drawn ``_BATCH // m`` resamples at
    a time whatever the path, so a seed gives the same resamples.

    When the journeys' products do not fit one block, a group of resamples
    (their counts held as bytes) is multiplied with the products one block of
    journeys at a time: each block is built once per group and the product
    is ``group × block`` wide, which keeps BLAS efficient. From
    ``_FLOAT32_FROM`` products per resample the blocks are multiplied in
    float32 and summed in float64: sums of a million journeys then carry
    relative errors near 1e-6, far below the resampling noise.
    """
    m = len(y)
    columns, left, right, complete = features(x, y)
    q = x.shape[1] + 1
    chunk = max(1, _BATCH // len(left))
    draw = max(1, _BATCH // m)
    if m <= chunk:
        cached = columns[left] * columns[right]
        for first in range(0, resamples, draw):
            weights = _counts(rng, min(draw, resamples - first), m).astype(np.float64)
            yield unpack(weights @ cached.T, q, complete)
        return
    dtype = np.float32 if m * len(left) >= _FLOAT32_FROM else np.float64
    # Journeys as rows: a block of products is built contiguous as BLAS wants it.
    rows: npt.NDArray[Any] = np.ascontiguousarray(columns.T, dtype=dtype)
    del columns
    group = max(draw, min(resamples, _COUNT_BYTES // m) // draw * draw)
    for first in range(0, resamples, group):
        size = min(group, resamples - first)
        counts = np.concatenate(
            [_narrow(_counts(rng, min(draw, size - k), m)) for k in range(0, size, draw)]
        )
        sums = np.zeros((size, len(left)))
        for start in range(0, m, chunk):
            part = slice(start, start + chunk)
            block: npt.NDArray[Any] = rows[part][:, left] * rows[part][:, right]
            drawn: npt.NDArray[Any] = counts[:, part].astype(dtype)
            sums += drawn @ block
        yield unpack(sums, q, complete)


def _narrow(counts: npt.NDArray[np.int64]) -> npt.NDArray[np.unsignedinteger[Any]]:
    """Counts as bytes, or as 16-bit numbers should a journey be drawn more than 255 times."""
    wide = counts.size > 0 and int(counts.max()) > np.iinfo(np.uint8).max
    return counts.astype(np.uint16 if wide else np.uint8)


def bootstrap(x: FloatArray, y: FloatArray, resamples: int, rng: np.random.Generator) -> FloatArray:
    """Coefficients of *resamples* bootstrap samples of the rows, ``(resamples, p)``."""
    parts = []
    for stats in resampled_stats(x, y, resamples, rng):
        corr, usable, _ = correlations(stats)
        parts.append(figures(corr, usable, "regression")[0])
    return np.concatenate(parts) if parts else np.empty((0, x.shape[1]))
