"""The vectorised kernels behind :func:`servicebp.score_observed`.

Private. Every per-journey figure is a ``bincount`` or an unbuffered
``ufunc.at`` over integer journey codes: linear in the number of events, no
sort. Only strategies registered by callers are computed journey by journey,
through :func:`servicebp.score`, after one stable ``lexsort``.
"""

from __future__ import annotations

from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from servicebp.observed._journey_tables import Columns
from servicebp.scoring import Journey, JourneyStep, score

__all__ = ["VECTORISED", "Events", "Kernels"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

#: The strategies computed by the vectorised kernels; any other registered
#: strategy is computed journey by journey through :func:`servicebp.score`.
VECTORISED = ("mean", "weighted", "worst", "last", "peak_end", "moment_floor", "share_positive")


@attrs.frozen(kw_only=True, eq=False)
class Events:
    """Validated events mapped onto a blueprint; every journey has at least one."""

    columns: Columns
    journey_ids: npt.NDArray[Any]
    codes: IntArray
    steps: IntArray
    ratings: FloatArray
    order: npt.NDArray[Any]
    outcome: npt.NDArray[Any] | None
    weights: FloatArray
    moments: npt.NDArray[np.bool_]
    step_ids: tuple[str, ...]
    report: Any  # servicebp.UnknownStepReport

    @property
    def journeys(self) -> int:
        return len(self.journey_ids)


class Kernels:
    """Per-journey reductions, each computed once and shared between strategies.

    No sorting: every reduction is an unbuffered ``ufunc.at`` or a
    ``bincount`` over the journey codes, so its cost is linear in the events.
    """

    def __init__(self, events: Events) -> None:
        self.e = events
        self._cache: dict[str, npt.NDArray[Any]] = {}

    def _memo(self, key: str) -> npt.NDArray[Any] | None:
        return self._cache.get(key)

    def count(self) -> IntArray:
        found = self._memo("count")
        if found is None:
            found = np.bincount(self.e.codes, minlength=self.e.journeys)
            self._cache["count"] = found
        return found

    def _reduce(self, key: str, ufunc: np.ufunc, start: float) -> FloatArray:
        found = self._memo(key)
        if found is None:
            found = np.full(self.e.journeys, start, dtype=np.float64)
            ufunc.at(found, self.e.codes, self.e.ratings)
            self._cache[key] = found
        return found

    def worst(self) -> FloatArray:
        return self._reduce("worst", np.minimum, np.inf)

    def best(self) -> FloatArray:
        return self._reduce("best", np.maximum, -np.inf)

    def mean(self) -> FloatArray:
        total = np.bincount(self.e.codes, weights=self.e.ratings, minlength=self.e.journeys)
        mean: FloatArray = total / self.count()
        if self.exact_sums():
            # An exact sum divided once is correctly rounded, so the mean is
            # math.fsum's to the bit and lies within [worst, best] already.
            return mean
        # As in scoring: a mean lies between the lowest and highest rating;
        # keep the rounding of the sum from stepping outside.
        return np.minimum(np.maximum(mean, self.worst()), self.best())

    def exact_sums(self) -> bool:
        """Whether every rating is a multiple of 1/64, so float64 sums of them are exact.

        Ratings on the −3…+3 scale and the usual conversions onto it (halves,
        quarters) are; a sum of up to 2**40 such ratings needs fewer than 53
        significant bits.
        """
        found = self._memo("exact_sums")
        if found is None:
            grid = self.e.ratings * 64.0
            found = np.array(bool(np.array_equal(grid, np.round(grid))))
            self._cache["exact_sums"] = found
        return bool(found)

    def weighted(self) -> FloatArray:
        w = self.e.weights[self.e.steps]
        top = np.bincount(self.e.codes, weights=w * self.e.ratings, minlength=self.e.journeys)
        bottom = np.bincount(self.e.codes, weights=w, minlength=self.e.journeys)
        # As in scoring: a weighted mean lies between the lowest and highest
        # rating; keep the rounding of the products from stepping outside.
        return np.minimum(np.maximum(top / bottom, self.worst()), self.best())

    def last_position(self) -> IntArray:
        """Index of each journey's last event: latest order value, ties to the later row."""
        found = self._memo("last_position")
        if found is None:
            order = self.e.order
            if order.dtype.kind == "M":
                order = order.view(np.int64)
            found = np.full(self.e.journeys, -1, dtype=np.int64)
            if bool((order[1:] >= order[:-1]).all()):
                # Time-ordered already, as out of a log: the last row wins.
                np.maximum.at(found, self.e.codes, np.arange(len(order), dtype=np.int64))
            else:
                lowest = -np.inf if order.dtype.kind == "f" else np.iinfo(order.dtype).min
                latest = np.full(self.e.journeys, lowest, dtype=order.dtype)
                np.maximum.at(latest, self.e.codes, order)
                at_latest = np.flatnonzero(order == latest[self.e.codes])
                np.maximum.at(found, self.e.codes[at_latest], at_latest)
            self._cache["last_position"] = found
        return found

    def last(self) -> FloatArray:
        return self.e.ratings[self.last_position()]

    def peak_end(self) -> FloatArray:
        # The peak is the rating of largest |r|; on a tie the negative one.
        # Its value is the lowest rating when |lowest| >= highest, else the
        # highest; which of equal ratings is the earliest does not change it.
        worst, best = self.worst(), self.best()
        peak = np.where(-worst >= best, worst, best)
        return (peak + self.last()) / 2

    def moment_floor(self) -> FloatArray:
        is_moment = self.e.moments[self.e.steps]
        floor = np.full(self.e.journeys, np.inf, dtype=np.float64)
        np.minimum.at(floor, self.e.codes[is_moment], self.e.ratings[is_moment])
        return np.where(np.isinf(floor), self.worst(), floor)

    def share_positive(self) -> FloatArray:
        # A share of the journey's steps, in [0, 1]: not a rating.
        positive = np.bincount(self.e.codes[self.e.ratings > 0], minlength=self.e.journeys)
        share: FloatArray = positive / self.count()
        return share

    def by_journey(self, name: str) -> FloatArray:
        """Any registered strategy, journey by journey (for custom strategies)."""
        e = self.e
        ordered = np.lexsort((_sortable(e.order), e.codes))
        ends = np.cumsum(self.count())
        starts = ends - self.count()
        step_ids = e.step_ids
        weights = [None if not m else float(w) for w, m in zip(e.weights, e.moments, strict=True)]
        steps = e.steps[ordered].tolist()
        ratings = e.ratings[ordered].tolist()
        out = np.empty(e.journeys, dtype=np.float64)
        for j in range(e.journeys):
            walk = Journey(
                steps=[
                    JourneyStep(step=step_ids[s], rating=r, moment_weight=weights[s])
                    for s, r in zip(
                        steps[starts[j] : ends[j]], ratings[starts[j] : ends[j]], strict=True
                    )
                ]
            )
            out[j] = score(walk, strategy=name)
        return out

    def compute(self, name: str) -> FloatArray:
        if name in VECTORISED:
            result: FloatArray = getattr(self, name)()
            return result
        return self.by_journey(name)


def _sortable(order: npt.NDArray[Any]) -> npt.NDArray[Any]:
    return order.view(np.int64) if order.dtype.kind == "M" else order
