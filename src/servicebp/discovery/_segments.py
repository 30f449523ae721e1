"""Journey scores compared across segments (persona, channel, period), with intervals.

Private: re-exported by :mod:`servicebp.discovery`.

Each observed journey is scored with each strategy
(:func:`~servicebp.score_observed`); the journeys are grouped by a segment
column (the same on every event of a journey), and per segment and strategy
the mean journey score gets a percentile bootstrap interval (resampling the
segment's journeys), as does its difference to a baseline segment
(resampling both segments independently, Efron & Tibshirani 1993, §16.2).
The effect size is Cohen's *d*: the difference over the pooled standard
deviation of the two segments' journey scores.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final

import attrs
import numpy as np
import numpy.typing as npt

from servicebp.errors import InvalidArgumentError, ObservedDataError
from servicebp.model import Blueprint
from servicebp.observed import score_observed
from servicebp.observed._tables import read_columns

__all__ = ["SegmentScore", "compare_segments"]

FloatArray = npt.NDArray[np.float64]

#: At most this many numbers in one batch of bootstrap counts.
_BATCH: Final = 4_000_000


@attrs.frozen(kw_only=True)
class SegmentScore:
    """One row of the tidy table of :func:`compare_segments`: a segment under a strategy.

    Attributes
    ----------
    segment : str
        The segment (a value of the *by* column, as text).
    strategy : str
        The scoring strategy.
    journeys : int
        Journeys in the segment.
    mean : float
        Their mean journey score.
    ci_low, ci_high : float or None
        Percentile bootstrap interval of the mean (None without resamples).
    baseline : str
        The segment compared with.
    difference : float
        ``mean − mean of the baseline`` (0 for the baseline itself).
    difference_low, difference_high : float or None
        Its bootstrap interval (None for the baseline, or without resamples).
    effect_size : float or None
        Cohen's *d* against the baseline (None for the baseline, or when the
        pooled standard deviation is 0 or a segment has one journey).
    """

    segment: str
    strategy: str
    journeys: int
    mean: float
    ci_low: float | None
    ci_high: float | None
    baseline: str
    difference: float
    difference_low: float | None
    difference_high: float | None
    effect_size: float | None


def _resampled_means(values: FloatArray, resamples: int, rng: np.random.Generator) -> FloatArray:
    m = len(values)
    out = np.empty(resamples)
    batch = max(1, _BATCH // m)
    for first in range(0, resamples, batch):
        size = min(batch, resamples - first)
        picks = rng.integers(0, m, size=(size, m))
        out[first : first + size] = values[picks].mean(axis=1)
    return out


def _cohen_d(a: FloatArray, b: FloatArray) -> float | None:
    if len(a) < 2 or len(b) < 2:
        return None
    pooled = ((len(a) - 1) * a.var(ddof=1) + (len(b) - 1) * b.var(ddof=1)) / (len(a) + len(b) - 2)
    if pooled <= 0:
        return None
    return float((a.mean() - b.mean()) / np.sqrt(pooled))


def compare_segments(
    bp: Blueprint,
    table: Any,
    *,
    by: str,
    strategies: Sequence[str] | str | None = None,
    baseline: str | None = None,
    journey: str = "journey",
    step: str = "step",
    order: str | None = None,
    rating: str = "rating",
    resamples: int = 1000,
    confidence: float = 0.95,
    seed: int = 0,
) -> tuple[SegmentScore, ...]:
    """Compare the journey scores of segments, per strategy, with bootstrap intervals.

    Parameters
    ----------
    bp : Blueprint
        The blueprint the events belong to.
    table : mapping, DataFrame or path
        Observed events, as for :func:`~servicebp.score_observed`, with a
        segment column *by*.
    by : str
        The segment column (persona, channel, period …), the same on every
        event of a journey.
    strategies : str or sequence of str, optional
        Strategies to score with (default: all of :data:`~servicebp.STRATEGIES`).
    baseline : str, optional
        The segment the others are compared with (default: the one with the
        most journeys, the first in sorted order on a tie).
    journey, step, order, rating : str
        Column names, as for :func:`~servicebp.score_observed`.
    resamples : int
        Bootstrap resamples (0 for no intervals).
    confidence : float
        Level of the intervals, in (0, 1).
    seed : int
        Seed of the bootstrap.

    Returns
    -------
    tuple of SegmentScore
        One row per segment and strategy (segments in sorted order), a tidy
        table.

    Raises
    ------
    ObservedDataError
        A missing column, or a journey whose segment differs between events.
    InvalidArgumentError
        An unknown *baseline*, bad *resamples* or *confidence*.

    Examples
    --------
    >>> from servicebp import Blueprint, Step
    >>> bp = Blueprint("Shop", stages=["s"])
    >>> for sid in ("order", "deliver"):
    ...     _ = bp.add_step(Step(id=sid, label=sid, lane="customer", stage="s"))
    >>> _ = bp.connect("order", "deliver")
    >>> events = {"journey": [1, 1, 2, 2, 3, 3, 4, 4],
    ...           "step": ["order", "deliver"] * 4, "order": [0, 1] * 4,
    ...           "rating": [2, 1, 1, 1, -1, -2, 0, -2],
    ...           "channel": ["app"] * 4 + ["phone"] * 4}
    >>> rows = compare_segments(bp, events, by="channel", strategies="worst",
    ...                         baseline="app", resamples=0)
    >>> [(r.segment, r.mean, r.difference) for r in rows]
    [('app', 1.0, 0.0), ('phone', -2.0, -3.0)]
    """
    if isinstance(resamples, bool) or not isinstance(resamples, int) or resamples < 0:
        raise InvalidArgumentError(f"resamples must be a whole number ≥ 0, got {resamples!r}")
    if not 0 < confidence < 1:
        raise InvalidArgumentError(f"confidence must lie in (0, 1), got {confidence!r}")
    segment_of = _segment_of(table, journey, by)
    scored = score_observed(
        bp,
        table,
        strategies=strategies,
        journey=journey,
        step=step,
        order=order,
        rating=rating,
        output="numpy",
    )
    names = [k for k in scored if k not in (journey, "outcome")]
    segments = np.array([segment_of[str(j)] for j in scored[journey].tolist()], dtype=object)
    kinds, sizes = np.unique(segments, return_counts=True)
    labels = [str(k) for k in kinds.tolist()]
    if baseline is None:
        baseline = labels[int(np.argmax(sizes))]
    elif baseline not in labels:
        raise InvalidArgumentError(
            f"baseline {baseline!r} is not a segment of column {by!r} (they are {labels!r})"
        )
    rng = np.random.default_rng(seed)
    tail = (1 - confidence) / 2 * 100
    rows: list[SegmentScore] = []
    for strategy in names:
        values = np.asarray(scored[strategy], dtype=np.float64)
        groups = {label: values[segments == label] for label in labels}
        rows += _strategy_rows(strategy, groups, baseline, resamples, tail, rng)
    return tuple(rows)


def _segment_of(table: Any, journey: str, by: str) -> dict[str, str]:
    """Each journey's segment, checked to be the same on every event of the journey."""
    cols, where = read_columns(table, [journey, by], what="observed journeys")
    segment_of: dict[str, str] = {}
    for i, (jid, seg) in enumerate(zip(cols[journey].tolist(), cols[by].tolist(), strict=True)):
        key, value = str(jid), str(seg)
        if segment_of.setdefault(key, value) != value:
            raise ObservedDataError(
                f"{where(i)}: column {by!r}: journey {key!r} is in segment "
                f"{segment_of[key]!r} and {value!r}; a journey belongs to one segment"
            )
    return segment_of


def _strategy_rows(
    strategy: str,
    groups: dict[str, FloatArray],
    baseline: str,
    resamples: int,
    tail: float,
    rng: np.random.Generator,
) -> list[SegmentScore]:
    """One strategy's rows: each segment's mean, interval and difference to the baseline."""
    base = groups[baseline]
    base_draws = _resampled_means(base, resamples, rng) if resamples else None
    rows = []
    for label, mine in groups.items():
        low = high = d_low = d_high = None
        if base_draws is not None:
            draws = base_draws if label == baseline else _resampled_means(mine, resamples, rng)
            low, high = (float(v) for v in np.percentile(draws, [tail, 100 - tail]))
            if label != baseline:
                d_low, d_high = (
                    float(v) for v in np.percentile(draws - base_draws, [tail, 100 - tail])
                )
        rows.append(
            SegmentScore(
                segment=label,
                strategy=strategy,
                journeys=len(mine),
                mean=float(mine.mean()),
                ci_low=low,
                ci_high=high,
                baseline=baseline,
                difference=float(mine.mean() - base.mean()),
                difference_low=d_low,
                difference_high=d_high,
                effect_size=None if label == baseline else _cohen_d(mine, base),
            )
        )
    return rows
