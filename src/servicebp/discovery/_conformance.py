"""Observed against designed: the directly-follows graph of an event log over a blueprint.

From an event log (one row per event: case id, activity, timestamp, with the
process-mining column names ``case:concept:name``, ``concept:name`` and
``time:timestamp`` by default), this module builds the observed
directly-follows graph over the blueprint's steps, lane by lane, with the
number of times each edge was followed and the median wait on it, and
compares it with the design: flows observed but not designed, designed flows
never observed, steps skipped, and waits over the tolerance in practice.
Activities that are not steps of the blueprint are reported, never dropped
silently.

The comparison is lane-aware, because a blueprint's sequence flows order the
steps of one lane and its support flows join lanes, while a log interleaves
the lanes of a case (the customer arrives, the lobby manager greets, the
customer applies, the teller opens the application …):

* **Within a lane.** The directly-follows relation of a case is taken per
  lane: step *b* directly follows step *a* when they are consecutive events
  of the case among its events in the lane of both (events in other lanes
  in between do not break the pair). These pairs are compared with the
  designed sequence flows between steps of the same lane.
* **Across lanes.** A designed support flow, or a designed sequence flow
  whose ends lie in different lanes, counts as observed in a case when both
  its ends occur in that case, in any order. Cross-lane pairs of events are
  never reported as undesigned flows.

Observed waits are timestamp gaps: the wait on ``a -> b`` is the time from
*a*'s event to *b*'s, so it includes *a*'s own duration (a log has one time
per event) and whatever happened in other lanes meanwhile. A step's designed
``duration`` is not subtracted: the log does not say whether its times mark
the start or the end of a step, and taking a designed figure away from an
observed one would mix design into practice.
"""

from __future__ import annotations

from typing import Any

import attrs
import networkx as nx
import numpy as np
import numpy.typing as npt

from servicebp.discovery._tables import in_journey_order
from servicebp.model import Blueprint, Flow, FlowKind, Lane
from servicebp.observed._cells import check_present, times_in_minutes
from servicebp.observed._tables import read_columns

__all__ = ["OVERLAY_KEY", "Conformance", "ObservedEdge", "ObservedLink", "SlowWait", "conformance"]

#: The key under which the overlay stores, in a step's ``attributes``, the
#: observed undesigned edges out of it that cannot be drawn as flows.
OVERLAY_KEY = "conformance"

_LANES = tuple(Lane)


@attrs.frozen(kw_only=True)
class ObservedEdge:
    """One directly-follows edge within a lane: how often, and the median wait, in minutes."""

    source: str
    target: str
    count: int
    median_wait: float
    designed: bool


@attrs.frozen(kw_only=True)
class ObservedLink:
    """A designed cross-lane flow (support, or sequence between lanes): cases with both ends."""

    source: str
    target: str
    kind: FlowKind
    cases: int


@attrs.frozen(kw_only=True)
class SlowWait:
    """A step whose observed median wait is over its designed tolerance."""

    step: str
    median_wait: float
    tolerance: float
    share_over: float


@attrs.frozen(kw_only=True)
class Conformance:
    """The comparison of an event log with a blueprint.

    Attributes
    ----------
    cases : int
        Cases in the log.
    edges : tuple of ObservedEdge
        Observed directly-follows edges between steps of one lane (consecutive
        events of a case within that lane), most followed first.
    undesigned : tuple of ObservedEdge
        Observed edges with no designed sequence flow.
    unobserved : tuple of Flow
        Designed sequence flows within a lane seen in the log, never followed.
    links : tuple of ObservedLink
        Designed cross-lane flows (every support flow, and sequence flows
        whose ends lie in different lanes) with both ends in at least one
        case, and in how many cases.
    unobserved_links : tuple of Flow
        Designed cross-lane flows between lanes seen in the log whose ends
        never occur in the same case.
    skipped : dict of str to tuple of str
        For undesigned edges that jump ahead in the design, ``"a->c"`` to the
        designed steps in between.
    never_observed : tuple of str
        Steps of lanes seen in the log that no case reached.
    slow_waits : tuple of SlowWait
        Steps whose median observed wait (the gap since the previous event of
        the case in the step's lane) exceeds their designed tolerance.
    unknown_activities : dict of str to int
        Activities that are not steps of the blueprint, with their event counts.
    overlay : Blueprint
        A valid copy of the blueprint whose flows carry observed counts and
        waits in their labels, with undesigned observed edges added as
        sequence flows where they can be: an edge that would close a cycle
        of sequence flows (rework, such as ``queue -> arrive``), a self-loop
        (a step repeated), or a pair already joined by a support flow is
        instead written on its source step, as a line of its label and under
        ``attributes["conformance"]["undesigned"]`` (a list of ``{"to",
        "count", "median_wait"}``), so the overlay still saves, loads and
        renders.
    """

    cases: int
    edges: tuple[ObservedEdge, ...]
    undesigned: tuple[ObservedEdge, ...]
    unobserved: tuple[Flow, ...]
    links: tuple[ObservedLink, ...]
    unobserved_links: tuple[Flow, ...]
    skipped: dict[str, tuple[str, ...]]
    never_observed: tuple[str, ...]
    slow_waits: tuple[SlowWait, ...]
    unknown_activities: dict[str, int]
    overlay: Blueprint = attrs.field(eq=False, repr=False)


def _groups(
    keys: npt.NDArray[np.int64], values: npt.NDArray[np.float64]
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.float64]]:
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


def conformance(
    bp: Blueprint,
    table: Any,
    *,
    case: str = "case:concept:name",
    activity: str = "concept:name",
    timestamp: str = "time:timestamp",
) -> Conformance:
    """Compare the event log *table* with the designed blueprint *bp*, lane by lane.

    The events of each case are put in time order (equal times keep their
    row order). Within each lane, consecutive events of a case make a
    directly-follows pair, compared with the designed sequence flows of that
    lane; a designed cross-lane flow (support, or sequence between lanes)
    counts as observed in every case holding both its ends. The wait on a
    pair is the gap between its two timestamps, so it includes the first
    step's own duration; a designed ``duration`` is not subtracted (see the
    module's notes). The work is a few numpy passes and sorts over the
    events.

    Parameters
    ----------
    bp : Blueprint
        The design.
    table : str, os.PathLike, DataFrame or mapping
        The event log: a CSV path, a DataFrame (pandas, polars, pyarrow,
        DuckDB, Spark, …) or a mapping of columns, read as
        :func:`servicebp.score_observed` reads a table.
    case, activity, timestamp : str
        The column names (process-mining defaults). Timestamps are ISO 8601
        text, datetimes, or numbers taken as minutes.

    Returns
    -------
    Conformance

    Raises
    ------
    ObservedDataError
        A missing column, a missing case id or activity (blank, None, NaN),
        or a timestamp that cannot be read; the message names the row.

    Examples
    --------
    >>> from servicebp import Blueprint, Step
    >>> bp = Blueprint("Desk", stages=["s"])
    >>> for sid in ("arrive", "queue", "served"):
    ...     _ = bp.add_step(Step(id=sid, label=sid, lane="customer", stage="s"))
    >>> _ = bp.add_step(Step(id="greet", label="greet", lane="frontstage", stage="s"))
    >>> _ = bp.connect("arrive", "queue"); _ = bp.connect("queue", "served")
    >>> _ = bp.connect("arrive", "greet", kind="support")
    >>> log = {"case:concept:name": [1, 1, 1, 1, 2, 2, 2],
    ...        "concept:name": ["arrive", "greet", "queue", "served", "arrive", "served", "pay"],
    ...        "time:timestamp": [0, 1, 5, 20, 0, 3, 4]}
    >>> result = conformance(bp, log)
    >>> [(e.source, e.target, e.count, e.median_wait) for e in result.undesigned]
    [('arrive', 'served', 1, 3.0)]
    >>> [(x.source, x.target, x.cases) for x in result.links]
    [('arrive', 'greet', 1)]
    >>> result.skipped, result.unknown_activities
    ({'arrive->served': ('queue',)}, {'pay': 1})
    """
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
    # At least 1, so that pair keys (source * n_steps + target) can be taken apart.
    n_steps = max(len(ids), 1)
    lane_of = np.array([_LANES.index(s.lane) for s in steps], dtype=np.int64)
    step = np.fromiter((index.get(n, -1) for n in names.tolist()), dtype=np.int64, count=len(names))
    known = step >= 0
    unknown: dict[str, int] = {}
    for n in names[~known].tolist():
        unknown[n] = unknown.get(n, 0) + 1
    code, step, times = code[known], step[known], times[known]
    lane = lane_of[step]

    # Directly-follows pairs within each lane: a boolean mask keeps the time order.
    pair_parts: list[tuple[npt.NDArray[np.int64], ...]] = []
    wait_parts: list[npt.NDArray[np.float64]] = []
    lanes_seen = np.flatnonzero(np.bincount(lane, minlength=len(_LANES))).tolist()
    for lane_code in lanes_seen:
        at = np.flatnonzero(lane == lane_code)
        c, s, t = code[at], step[at], times[at]
        same = c[1:] == c[:-1]
        pair_parts.append((s[:-1][same], s[1:][same]))
        wait_parts.append((t[1:] - t[:-1])[same])
    sources = np.concatenate([p[0] for p in pair_parts] or [np.zeros(0, np.int64)])
    targets = np.concatenate([p[1] for p in pair_parts] or [np.zeros(0, np.int64)])
    waits = np.concatenate(wait_parts or [np.zeros(0, np.float64)])

    designed: set[tuple[str, str]] = set()
    crossing: list[Flow] = []
    for f in bp.flows():
        if f.kind is FlowKind.SEQUENCE and bp[f.source].lane is bp[f.target].lane:
            designed.add((f.source, f.target))
        else:
            crossing.append(f)
    keys, counts, medians = _groups(sources * n_steps + targets, waits)
    edges = sorted(
        (
            ObservedEdge(
                source=ids[k // n_steps],
                target=ids[k % n_steps],
                count=n,
                median_wait=m,
                designed=(ids[k // n_steps], ids[k % n_steps]) in designed,
            )
            for k, n, m in zip(keys.tolist(), counts.tolist(), medians.tolist(), strict=True)
        ),
        key=lambda e: (-e.count, e.source, e.target),
    )
    followed = {(e.source, e.target) for e in edges}
    seen = np.zeros(n_steps, dtype=np.bool_)
    seen[step] = True
    lanes = {_LANES[i] for i in lanes_seen}
    unobserved = tuple(
        f
        for f in bp.flows(kind=FlowKind.SEQUENCE)
        if (f.source, f.target) in designed
        and (f.source, f.target) not in followed
        and bp[f.source].lane in lanes
    )

    # Cross-lane flows: the cases in which each step occurs, once per case, by step.
    by_step = np.lexsort((code, step))
    present_step, present_case = step[by_step], code[by_step]
    first = np.ones(step.size, dtype=np.bool_)
    first[1:] = (present_step[1:] != present_step[:-1]) | (present_case[1:] != present_case[:-1])
    present_step, cases_of = present_step[first], present_case[first]
    bounds = np.searchsorted(present_step, np.arange(n_steps + 1))
    links: list[ObservedLink] = []
    unobserved_links: list[Flow] = []
    for f in crossing:
        a, b = index[f.source], index[f.target]
        together = np.intersect1d(
            cases_of[bounds[a] : bounds[a + 1]],
            cases_of[bounds[b] : bounds[b + 1]],
            assume_unique=True,
        ).size
        if together:
            links.append(
                ObservedLink(source=f.source, target=f.target, kind=f.kind, cases=together)
            )
        elif bp[f.source].lane in lanes and bp[f.target].lane in lanes:
            unobserved_links.append(f)

    design = nx.DiGraph(list(designed))
    design.add_nodes_from(ids)
    skipped: dict[str, tuple[str, ...]] = {}
    undesigned = tuple(e for e in edges if not e.designed)
    for e in undesigned:
        if e.source != e.target and nx.has_path(design, e.source, e.target):
            path = nx.shortest_path(design, e.source, e.target)
            skipped[f"{e.source}->{e.target}"] = tuple(path[1:-1])

    # Waits on arrival into each step, against its tolerance.
    tolerance = np.array(
        [np.inf if s.wait is None or s.wait.tolerance is None else s.wait.tolerance for s in steps],
        dtype=np.float64,
    )
    arrived, arrivals, arrival_median = _groups(targets, waits)
    over = np.bincount(
        targets, weights=(waits > tolerance[targets]).astype(np.float64), minlength=n_steps
    )
    slow: list[SlowWait] = []
    for k, n, m in zip(arrived.tolist(), arrivals.tolist(), arrival_median.tolist(), strict=True):
        if m > tolerance[k]:
            slow.append(
                SlowWait(
                    step=ids[k],
                    median_wait=m,
                    tolerance=float(tolerance[k]),
                    share_over=float(over[k] / n),
                )
            )
    slow.sort(key=lambda w: index[w.step])

    overlay = _overlay(bp, edges, unobserved, links, unobserved_links)
    return Conformance(
        cases=len(case_ids),
        edges=tuple(edges),
        undesigned=undesigned,
        unobserved=unobserved,
        links=tuple(links),
        unobserved_links=tuple(unobserved_links),
        skipped=skipped,
        never_observed=tuple(
            sid for i, sid in enumerate(ids) if steps[i].lane in lanes and not seen[i]
        ),
        slow_waits=tuple(slow),
        unknown_activities=dict(sorted(unknown.items())),
        overlay=overlay,
    )


def _seen(edge: ObservedEdge) -> str:
    return f"n={edge.count}, median wait {edge.median_wait:g} min"


def _relabel(bp: Blueprint, flow: Flow | ObservedLink, text: str) -> None:
    old = bp.disconnect(flow.source, flow.target)
    bp.add_flow(attrs.evolve(old, label=text if old.label is None else f"{old.label}\n{text}"))


def _overlay(
    bp: Blueprint,
    edges: list[ObservedEdge],
    unobserved: tuple[Flow, ...],
    links: list[ObservedLink],
    unobserved_links: list[Flow],
) -> Blueprint:
    """The design with the observations written on it, kept a valid blueprint."""
    overlay = bp.copy()
    sequence: nx.DiGraph[str] = nx.DiGraph()
    sequence.add_nodes_from(s.id for s in bp.steps())
    sequence.add_edges_from((f.source, f.target) for f in bp.flows(kind=FlowKind.SEQUENCE))
    notes: dict[str, list[ObservedEdge]] = {}
    for e in edges:  # most followed first: the commoner of two opposite edges is drawn
        text = _seen(e)
        if e.designed:
            _relabel(overlay, overlay.flow(e.source, e.target), text)
        elif (
            e.source != e.target
            and not overlay.graph.has_edge(e.source, e.target)
            and not nx.has_path(sequence, e.target, e.source)
        ):
            overlay.connect(e.source, e.target, label=f"not designed: {text}")
            sequence.add_edge(e.source, e.target)
        else:
            notes.setdefault(e.source, []).append(e)
    for f in unobserved:
        _relabel(overlay, f, "never observed")
    for link in links:
        _relabel(overlay, link, f"both in {link.cases} case(s)")
    for f in unobserved_links:
        _relabel(overlay, f, "never observed")
    for sid, found in notes.items():
        step = overlay[sid]
        lines = [f"not designed: -> {e.target}, {_seen(e)}" for e in found]
        extra = dict(step.attributes)
        extra[OVERLAY_KEY] = {
            "undesigned": [
                {"to": e.target, "count": e.count, "median_wait": e.median_wait} for e in found
            ]
        }
        overlay.replace_step(step.evolve(label="\n".join([step.label, *lines]), attributes=extra))
    return overlay
