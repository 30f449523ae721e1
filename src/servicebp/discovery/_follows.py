"""An event log over a blueprint's steps as integer codes, and its directly-follows pairs.

Private: the numpy passes behind :func:`servicebp.conformance`. The log is
read once into codes in time order (case, step, time of each event whose
activity is a step); every later pass is an array operation over them: the
directly-follows pairs of a case within each lane, the distinct values of a
key with their counts and medians, and the cases in which each step occurs.
"""

from __future__ import annotations

from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from servicebp.discovery._tables import in_journey_order
from servicebp.model import Blueprint, Lane, Step
from servicebp.observed._cells import check_present, times_in_minutes
from servicebp.observed._tables import read_columns

__all__ = ["LANES", "EventCodes", "Pairs", "cases_by_step", "groups", "lane_pairs", "read_events"]

LANES = tuple(Lane)

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]


@attrs.frozen(kw_only=True, eq=False)
class EventCodes:
    """The events of a log whose activity is a step, as codes in time order.

    Attributes
    ----------
    case_ids : list of str
        The cases of the log; ``case`` holds indices into it.
    steps : tuple of Step
        The blueprint's steps; ``step`` holds indices into it.
    ids, index
        The steps' ids, and each id's index.
    n_steps : int
        ``len(steps)``, but at least 1, so that pair keys
        (``source * n_steps + target``) can be taken apart.
    case, step, lane, times : arrays
        Per event: its case, its step, its step's lane (an index in
        :data:`LANES`) and its time in minutes.
    unknown : dict of str to int
        Activities that are not steps, with their event counts (in the
        order first met).
    lanes_seen : list of int
        The indices in :data:`LANES` of the lanes that have events.
    """

    case_ids: list[str]
    steps: tuple[Step, ...]
    ids: list[str]
    index: dict[str, int]
    n_steps: int
    case: IntArray
    step: IntArray
    lane: IntArray
    times: FloatArray
    unknown: dict[str, int]
    lanes_seen: list[int]

    @property
    def lanes(self) -> set[Lane]:
        """The lanes that have events."""
        return {LANES[i] for i in self.lanes_seen}


@attrs.frozen(kw_only=True, eq=False)
class Pairs:
    """Directly-follows pairs within each lane: two consecutive events of a case in the lane.

    ``at`` is the position of a pair's second event among the events, which
    puts the pairs of one case in time order; ``wait`` the gap between the
    pair's times.
    """

    source: IntArray
    target: IntArray
    case: IntArray
    at: IntArray
    wait: FloatArray


def read_events(
    bp: Blueprint, table: Any, *, case: str, activity: str, timestamp: str
) -> EventCodes:
    """Read the event log *table* into codes over *bp*'s steps, in time order per case."""
    cols, where = read_columns(table, [case, activity, timestamp], what="event log")
    check_present(cols[case], column=case, what="case id", where=where)
    check_present(cols[activity], column=activity, what="activity", where=where)
    names = np.array([str(a).strip() for a in cols[activity]], dtype=object)
    times = times_in_minutes(cols[timestamp], column=timestamp, where=where, what="timestamp")
    case_ids, code, order = in_journey_order(
        cols[case], times, column=case, what="case", where=where
    )
    names, times = names[order], times[order]

    steps = bp.steps()
    ids = [s.id for s in steps]
    index = {sid: i for i, sid in enumerate(ids)}
    lane_of = np.array([LANES.index(s.lane) for s in steps], dtype=np.int64)
    step = np.fromiter((index.get(n, -1) for n in names.tolist()), dtype=np.int64, count=len(names))
    known = step >= 0
    unknown: dict[str, int] = {}
    for n in names[~known].tolist():
        unknown[n] = unknown.get(n, 0) + 1
    step = step[known]
    lane = lane_of[step]
    return EventCodes(
        case_ids=case_ids,
        steps=steps,
        ids=ids,
        index=index,
        n_steps=max(len(ids), 1),
        case=code[known],
        step=step,
        lane=lane,
        times=times[known],
        unknown=unknown,
        lanes_seen=np.flatnonzero(np.bincount(lane, minlength=len(LANES))).tolist(),
    )


def lane_pairs(events: EventCodes) -> Pairs:
    """The directly-follows pairs of each case within each lane, lane by lane."""
    parts: list[tuple[IntArray, ...]] = []
    waits: list[FloatArray] = []
    for lane_code in events.lanes_seen:
        # A boolean mask keeps the time order.
        at = np.flatnonzero(events.lane == lane_code)
        c, s, t = events.case[at], events.step[at], events.times[at]
        same = c[1:] == c[:-1]
        parts.append((s[:-1][same], s[1:][same], c[1:][same], at[1:][same]))
        waits.append((t[1:] - t[:-1])[same])
    empty = np.zeros(0, np.int64)
    return Pairs(
        source=np.concatenate([p[0] for p in parts] or [empty]),
        target=np.concatenate([p[1] for p in parts] or [empty]),
        case=np.concatenate([p[2] for p in parts] or [empty]),
        at=np.concatenate([p[3] for p in parts] or [empty]),
        wait=np.concatenate(waits or [np.zeros(0, np.float64)]),
    )


def groups(keys: IntArray, values: FloatArray) -> tuple[IntArray, IntArray, FloatArray]:
    """The distinct *keys*, how many values each has, and the median of them."""
    # Values in order, then keys stably: one lexsort, ~1.5x faster on floats.
    by_value = np.argsort(values)
    order = by_value[np.argsort(keys[by_value], kind="stable")]
    keys, values = keys[order], values[order]
    start = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]]) if keys.size else keys
    distinct = keys[start]
    count = np.diff(np.r_[start, keys.size])
    median = (values[start + (count - 1) // 2] + values[start + count // 2]) / 2
    return distinct, count, median


def cases_by_step(events: EventCodes) -> tuple[IntArray, IntArray]:
    """The cases in which each step occurs, once per case, by step, and each step's bounds.

    The cases of step *k* are ``cases[bounds[k] : bounds[k + 1]]``, sorted.
    """
    step, code = events.step, events.case
    by_step = np.lexsort((code, step))
    present_step, present_case = step[by_step], code[by_step]
    first = np.ones(step.size, dtype=np.bool_)
    first[1:] = (present_step[1:] != present_step[:-1]) | (present_case[1:] != present_case[:-1])
    present_step, cases = present_step[first], present_case[first]
    return cases, np.searchsorted(present_step, np.arange(events.n_steps + 1))
