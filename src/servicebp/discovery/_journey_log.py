"""The observed journeys :func:`~servicebp.suggest_moments` ranks steps from.

Private to :mod:`servicebp.discovery`. One event table (a file, a DataFrame, a
mapping of columns) becomes the journeys in time order with their outcome
(checked to be one finite number per journey) and, when rated, each
journey's mean rating of each step it went through.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Any, Final

import attrs
import numpy as np
import numpy.typing as npt

from servicebp.discovery._tables import in_journey_order
from servicebp.errors import ObservedDataError
from servicebp.model import Blueprint
from servicebp.observed._cells import parse_ratings, times_in_minutes
from servicebp.observed._journey_tables import pick_order
from servicebp.observed._tables import CsvTable, Where, column_names, load_table, read_columns

__all__ = ["JourneyLog", "read_journey_log"]

FloatArray = npt.NDArray[np.float64]

_TRUE: Final = {"1", "1.0", "true", "yes", "y", "t"}
_FALSE: Final = {"0", "0.0", "false", "no", "n", "f"}


@attrs.frozen(kw_only=True, eq=False)
class JourneyLog:
    """Events grouped by journey in time order, with one outcome per journey.

    ``step_ids``, ``codes`` and ``ratings`` are per event (sorted by journey,
    then time); ``starts`` is each journey's first event and ``outcome`` its
    outcome. ``ratings`` is None without a rating column (NaN: unrated).
    """

    columns: list[str]
    step_ids: npt.NDArray[Any]
    codes: npt.NDArray[np.int64]
    starts: npt.NDArray[np.int64]
    outcome: FloatArray
    ratings: FloatArray | None

    @property
    def journeys(self) -> int:
        return len(self.starts)

    @property
    def binary(self) -> bool:
        """Whether the outcome is 0/1 (conversion, churn)."""
        return bool(np.isin(self.outcome, (0.0, 1.0)).all())

    def paths(self) -> list[tuple[str, ...]]:
        """Each journey's steps in time order."""
        bounds = np.r_[self.starts, len(self.codes)]
        return [tuple(self.step_ids[a:b]) for a, b in itertools.pairwise(bounds)]

    def visits(self, steps: Sequence[str]) -> dict[str, int]:
        """How many journeys went through each of *steps*."""
        visits = dict.fromkeys(steps, 0)
        for _, sid in set(zip(self.codes.tolist(), self.step_ids.tolist(), strict=True)):
            if sid in visits:
                visits[sid] += 1
        return visits

    def mean_ratings(
        self, steps: Sequence[str]
    ) -> tuple[list[str], FloatArray, npt.NDArray[np.bool_]]:
        """The rated ones of *steps*, each journey's mean rating of them, and who went through.

        The means are NaN where a journey did not rate a step (it may have
        gone through it: see the went-through matrix).
        """
        values = self.ratings
        if values is None:
            return [], np.zeros((self.journeys, 0)), np.zeros((self.journeys, 0), dtype=np.bool_)
        rated_ids = set(self.step_ids[np.isfinite(values)].tolist())
        rated = [s for s in steps if s in rated_ids]
        column_of = {sid: k for k, sid in enumerate(rated)}
        sums = np.zeros((self.journeys, len(rated)))
        counts = np.zeros_like(sums)
        went = np.zeros((self.journeys, len(rated)), dtype=np.bool_)
        on = np.array([s in column_of for s in self.step_ids], dtype=np.bool_)
        went[self.codes[on], [column_of[s] for s in self.step_ids[on]]] = True
        keep = on & np.isfinite(values)
        column = np.fromiter((column_of[s] for s in self.step_ids[keep]), dtype=np.int64)
        np.add.at(sums, (self.codes[keep], column), values[keep])
        np.add.at(counts, (self.codes[keep], column), 1.0)
        with np.errstate(invalid="ignore", divide="ignore"):
            means = sums / counts
        return rated, means, went


def _outcomes(values: npt.NDArray[Any], column: str, where: Where) -> FloatArray:
    if values.dtype.kind in "biuf":
        return values.astype(np.float64)
    out = np.empty(len(values), dtype=np.float64)
    for i, value in enumerate(values):
        text = str(value).strip().lower()
        if text in _TRUE:
            out[i] = 1.0
        elif text in _FALSE:
            out[i] = 0.0
        else:
            try:
                out[i] = float(text)
            except ValueError:
                raise ObservedDataError(
                    [where.problem(i, column, f"{value!r} is not a number or yes/no")]
                ) from None
    return out


def _known_steps(bp: Blueprint, step_ids: npt.NDArray[Any], step: str) -> None:
    unknown = sorted(set(step_ids.tolist()) - {s.id for s in bp.steps()})
    if unknown:
        raise ObservedDataError(
            f"column {step!r}: {len(unknown)} step id(s) the blueprint {bp.name!r} does not "
            f"have: {unknown[:10]!r} (its steps are {sorted(s.id for s in bp.steps())[:20]!r})"
        )


def _per_journey(
    result: FloatArray, codes: npt.NDArray[np.int64], names: list[str], outcome: str
) -> tuple[npt.NDArray[np.int64], FloatArray]:
    """Each journey's first event and its outcome, checked to be one finite number."""
    if not np.isfinite(result).all():
        raise ObservedDataError(f"column {outcome!r}: every outcome must be a finite number")
    starts = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1]])
    per_journey = result[starts]
    differs = np.flatnonzero(result != np.repeat(per_journey, np.diff(np.r_[starts, len(codes)])))
    if differs.size:
        bad = names[int(codes[differs[0]])]
        raise ObservedDataError(
            f"column {outcome!r}: journey {bad!r} has different outcomes on different rows; "
            "the outcome belongs to the whole journey"
        )
    return starts, per_journey


def read_journey_log(
    bp: Blueprint,
    table: Any,
    *,
    outcome: str,
    journey: str,
    step: str,
    order: str | None,
    rating: str | None,
) -> JourneyLog:
    """Read *table*'s events onto *bp* (see :func:`~servicebp.suggest_moments` for the rules)."""
    table = load_table(table)
    names = column_names(table, what="observed journeys")
    order = pick_order(order, names)
    if rating is None and "rating" in names:
        rating = "rating"
    wanted = list(dict.fromkeys([journey, step, outcome, order, *([rating] if rating else [])]))
    cols, where = read_columns(table, wanted, what="observed journeys")
    step_ids = np.array([str(s) for s in cols[step]], dtype=object)
    _known_steps(bp, step_ids, step)
    time = times_in_minutes(cols[order], column=order, where=where)
    journey_names, codes, sort = in_journey_order(cols[journey], time, column=journey, where=where)
    result = _outcomes(cols[outcome], outcome, where)[sort]
    starts, per_journey = _per_journey(result, codes, journey_names, outcome)
    ratings = None
    if rating is not None:
        text = isinstance(table, CsvTable)
        raw = parse_ratings(cols[rating], column=rating, where=where, text=text, unrated=True)
        ratings = raw[sort]
    return JourneyLog(
        columns=list(names),
        step_ids=step_ids[sort],
        codes=codes,
        starts=starts,
        outcome=per_journey,
        ratings=ratings,
    )
