"""Observed events mapped onto a blueprint's customer steps; the other events refused or reported.

Private: the preparation every in-memory path of :func:`servicebp.score_observed`
and :func:`servicebp.step_statistics` shares. A journey walks the customer
lane, so an event on a step of another lane is treated like one on a step
the blueprint does not have: an :class:`~servicebp.errors.ObservedDataError`
naming each such step, its lane, its event count and first row, or, with
``unknown_steps="report"``, left out and listed in an :class:`UnknownStepReport`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from servicebp.errors import ArgumentTypeError, InvalidArgumentError, ObservedDataError
from servicebp.model import Blueprint, Lane
from servicebp.observed._journey_tables import Columns, extract
from servicebp.observed._kernels import Events
from servicebp.scales._scale import Scale, get_scale

__all__ = ["UnknownStepReport", "check_arguments", "prepare_events"]

IntArray = npt.NDArray[np.int64]


@attrs.frozen(kw_only=True)
class UnknownStepReport:
    """Events whose step is not a customer step of the blueprint, left out of the results.

    Such a step is either not in the blueprint at all, or in another lane
    than the customer's (a journey walks customer steps). Returned next to
    the results when the caller passes ``unknown_steps="report"``; with the
    default ``"error"`` such events are an
    :class:`~servicebp.errors.ObservedDataError` instead. Nothing is dropped
    silently.

    Attributes
    ----------
    steps : dict of str to int
        Each such step id and how many events name it, most frequent first.
    events : int
        How many events were left out.
    empty_journeys : tuple
        Journeys left without any event (all theirs were left out); they are
        not in the results.
    lanes : dict of str to str
        The steps of *steps* that are in the blueprint, but not in the
        customer lane, with their lane.

    Examples
    --------
    >>> report = UnknownStepReport(steps={"fly": 2}, events=2, empty_journeys=("j9",))
    >>> print(report)
    2 events on 1 unknown step left out: 'fly' (2); journeys left without events: ['j9']
    >>> print(UnknownStepReport(steps={"greet": 1}, events=1, lanes={"greet": "frontstage"}))
    1 events on 1 unknown step left out: 'greet' (1, frontstage lane, not a customer step)
    >>> bool(UnknownStepReport())
    False
    """

    steps: dict[str, int] = attrs.field(factory=dict, hash=False)
    events: int = 0
    empty_journeys: tuple[Any, ...] = ()
    lanes: dict[str, str] = attrs.field(factory=dict, hash=False)

    def __bool__(self) -> bool:
        return bool(self.steps)

    def __str__(self) -> str:
        if not self.steps:
            return "no unknown steps"
        plural = "" if len(self.steps) == 1 else "s"
        listed = ", ".join(
            f"{step!r} ({count}, {self.lanes[step]} lane, not a customer step)"
            if step in self.lanes
            else f"{step!r} ({count})"
            for step, count in self.steps.items()
        )
        text = f"{self.events} events on {len(self.steps)} unknown step{plural} left out: {listed}"
        if self.empty_journeys:
            text += f"; journeys left without events: {list(self.empty_journeys)!r}"
        return text


def prepare_events(
    bp: Blueprint,
    table: object,
    *,
    journey: str,
    step: str,
    order: str | None,
    rating: str,
    outcome: str | None,
    step_categories: Sequence[str] | None,
    unknown_steps: str,
    scale: Scale | str,
) -> Events:
    """The events of *table*, checked, on *bp*'s customer steps; the others refused or reported."""
    check_arguments(bp, unknown_steps)
    _check_step_categories(step_categories)
    cols = extract(
        table,
        journey=journey,
        step=step,
        order=order,
        rating=rating,
        outcome=outcome,
        step_categories=step_categories,
        scale=get_scale(scale),
    )
    # A journey walks customer steps: events elsewhere are reported like unknown steps.
    bp_steps = bp.steps(lane=Lane.CUSTOMER)
    position = {s.id: k for k, s in enumerate(bp_steps)}
    lookup = np.array([position.get(name, -1) for name in cols.step_names], dtype=np.int64)
    if np.array_equal(lookup, np.arange(len(lookup))):
        steps = cols.step_codes
    else:
        steps = lookup[cols.step_codes]
    events = Events(
        columns=cols,
        journey_ids=cols.journey_ids,
        codes=cols.journey_codes,
        steps=steps,
        ratings=cols.ratings,
        order=cols.order,
        outcome=cols.outcome,
        weights=np.array(
            [1.0 if s.moment is None else float(s.moment.weight) for s in bp_steps],
            dtype=np.float64,
        ),
        moments=np.array([s.moment is not None for s in bp_steps], dtype=np.bool_),
        step_ids=tuple(s.id for s in bp_steps),
        report=UnknownStepReport(),
    )
    if not (lookup < 0).any():
        return events
    counts = np.bincount(cols.step_codes, minlength=len(cols.step_names))
    unknown = sorted(
        (int(k) for k in np.flatnonzero(lookup < 0) if counts[k] > 0),
        key=lambda k: (-counts[k], cols.step_names[k]),
    )
    if unknown and unknown_steps == "error":
        raise _unknown_steps_error(bp, cols, unknown, counts)
    return _leave_out(bp, events, unknown, counts) if unknown else events


def _check_step_categories(step_categories: object) -> None:
    if step_categories is not None and (
        isinstance(step_categories, str)
        or not isinstance(step_categories, Sequence)
        or not all(isinstance(c, str) for c in step_categories)
    ):
        raise ArgumentTypeError(
            f"step_categories must be a sequence of step ids (str), not "
            f"{type(step_categories).__name__} ({step_categories!r:.60})"
        )


def _leave_out(bp: Blueprint, events: Events, unknown: list[int], counts: IntArray) -> Events:
    """*events* without those on the *unknown* step codes, and the report of them.

    A journey left without events is left out too (and named in the
    report); no event left at all is an error.
    """
    cols = events.columns
    keep = events.steps >= 0
    kept_codes = events.codes[keep]
    ids = events.journey_ids
    present = np.bincount(kept_codes, minlength=len(ids)) > 0
    report = UnknownStepReport(
        steps={cols.step_names[k]: int(counts[k]) for k in unknown},
        events=int((~keep).sum()),
        empty_journeys=tuple(ids[~present].tolist()),
        lanes={
            cols.step_names[k]: bp[cols.step_names[k]].lane.value
            for k in unknown
            if cols.step_names[k] in bp
        },
    )
    if not present.any():
        raise ObservedDataError(
            f"no event is on a customer step of blueprint {bp.name!r}: {report}"
        )
    remap = np.cumsum(present) - 1
    return attrs.evolve(
        events,
        journey_ids=ids[present],
        codes=remap[kept_codes],
        steps=events.steps[keep],
        ratings=events.ratings[keep],
        order=events.order[keep],
        outcome=None if events.outcome is None else events.outcome[present],
        report=report,
    )


def _unknown_steps_error(
    bp: Blueprint, cols: Columns, unknown: Sequence[int], counts: IntArray
) -> ObservedDataError:
    missing = [k for k in unknown if cols.step_names[k] not in bp]
    off_lane = [k for k in unknown if cols.step_names[k] in bp]

    def listed(codes: list[int]) -> str:
        # At most SHOWN steps are described (the first row of each is a scan).
        shown = []
        for k in codes[: ObservedDataError.SHOWN]:
            name, n = cols.step_names[k], int(counts[k])
            first = cols.where(int(np.flatnonzero(cols.step_codes == k)[0]))
            lane = f"{bp[name].lane.value} lane; " if name in bp else ""
            shown.append(f"{name!r} ({lane}{n} event{'' if n == 1 else 's'}, first at {first})")
        more = len(codes) - len(shown)
        return ", ".join(shown) + (f" and {more:,} more" if more else "")

    parts = []
    if missing:
        known = sorted(s.id for s in bp.steps(lane=Lane.CUSTOMER))
        shown = known if len(known) <= 10 else [*known[:10], "..."]
        plural = "" if len(missing) == 1 else "s"
        parts.append(
            f"{len(missing):,} step{plural} not in blueprint {bp.name!r}: {listed(missing)} "
            f"(its customer steps are {shown})"
        )
    if off_lane:
        plural = "" if len(off_lane) == 1 else "s"
        parts.append(
            f"{len(off_lane):,} step{plural} of blueprint {bp.name!r} outside the customer lane "
            f"(a journey walks customer steps): {listed(off_lane)}"
        )
    return ObservedDataError(
        "; ".join(parts) + "; pass unknown_steps='report' to score the other "
        "events and get these back as a report"
    )


def check_arguments(bp: object, unknown_steps: str) -> None:
    """Refuse a bad *unknown_steps* or a *bp* that is not a blueprint."""
    if unknown_steps not in ("error", "report"):
        raise InvalidArgumentError(
            f"unknown_steps must be 'error' or 'report', not {unknown_steps!r}"
        )
    if not isinstance(bp, Blueprint):
        raise ArgumentTypeError(f"bp must be a Blueprint, not {type(bp).__name__} ({bp!r:.60})")
