"""Observed against designed: the directly-follows graph of an event log over a blueprint.

From an event log (one row per event: case id, activity, timestamp, with the
process-mining column names ``case:concept:name``, ``concept:name`` and
``time:timestamp`` by default), this module builds the observed
directly-follows graph over the blueprint's steps, with the number of times
each edge was followed and the median wait on it, and compares it with the
design: flows observed but not designed, designed flows never observed,
steps skipped, and waits over the tolerance in practice. Activities that are
not steps of the blueprint are reported, never dropped silently.
"""

from __future__ import annotations

from typing import Any

import attrs
import networkx as nx
import numpy as np

from servicebp._discover_tables import in_journey_order
from servicebp._tables import read_columns, times_in_minutes
from servicebp.model import Blueprint, Flow, FlowKind

__all__ = ["Conformance", "ObservedEdge", "SlowWait", "conformance"]


@attrs.frozen(kw_only=True)
class ObservedEdge:
    """One directly-follows edge: how often, and the median wait, in minutes."""

    source: str
    target: str
    count: int
    median_wait: float
    designed: bool


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
        Observed directly-follows edges between known steps, most followed first.
    undesigned : tuple of ObservedEdge
        Observed edges with no designed sequence flow.
    unobserved : tuple of Flow
        Designed sequence flows, between steps of lanes seen in the log, never followed.
    skipped : dict of str to tuple of str
        For undesigned edges that jump ahead in the design, ``"a->c"`` to the
        designed steps in between.
    never_observed : tuple of str
        Steps of lanes seen in the log that no case reached.
    slow_waits : tuple of SlowWait
        Steps whose median observed wait exceeds their designed tolerance.
    unknown_activities : dict of str to int
        Activities that are not steps of the blueprint, with their event counts.
    overlay : Blueprint
        A copy of the blueprint whose flows carry observed counts and waits in
        their labels, with undesigned observed flows added (self-loops cannot
        be drawn and are only listed in *edges*).
    """

    cases: int
    edges: tuple[ObservedEdge, ...]
    undesigned: tuple[ObservedEdge, ...]
    unobserved: tuple[Flow, ...]
    skipped: dict[str, tuple[str, ...]]
    never_observed: tuple[str, ...]
    slow_waits: tuple[SlowWait, ...]
    unknown_activities: dict[str, int]
    overlay: Blueprint = attrs.field(eq=False, repr=False)


def conformance(
    bp: Blueprint,
    log: Any,
    *,
    case: str = "case:concept:name",
    activity: str = "concept:name",
    timestamp: str = "time:timestamp",
) -> Conformance:
    """Compare the event *log* with the designed blueprint *bp*.

    Parameters
    ----------
    bp : Blueprint
        The design.
    log : str, os.PathLike, DataFrame or mapping
        The event log: a CSV path, a pandas or polars DataFrame or a mapping
        of columns.
    case, activity, timestamp : str
        The column names (process-mining defaults). Timestamps are ISO 8601
        text, datetimes, or numbers taken as minutes.

    Returns
    -------
    Conformance

    Raises
    ------
    ObservedDataError
        A missing column or a timestamp that cannot be read.

    Examples
    --------
    >>> from servicebp import Blueprint, Step
    >>> bp = Blueprint("Desk", stages=["s"])
    >>> for sid in ("arrive", "queue", "served"):
    ...     _ = bp.add_step(Step(id=sid, label=sid, lane="customer", stage="s"))
    >>> _ = bp.connect("arrive", "queue"); _ = bp.connect("queue", "served")
    >>> log = {"case:concept:name": [1, 1, 1, 2, 2, 2],
    ...        "concept:name": ["arrive", "queue", "served", "arrive", "served", "pay"],
    ...        "time:timestamp": [0, 5, 20, 0, 3, 4]}
    >>> result = conformance(bp, log)
    >>> [(e.source, e.target, e.count, e.median_wait) for e in result.undesigned]
    [('arrive', 'served', 1, 3.0)]
    >>> result.skipped, result.unknown_activities
    ({'arrive->served': ('queue',)}, {'pay': 1})
    """
    cols, where = read_columns(log, [case, activity, timestamp], what="event log")
    names = np.array([str(a).strip() for a in cols[activity]], dtype=object)
    times = times_in_minutes(cols[timestamp], column=timestamp, where=where)
    case_ids, code, order = in_journey_order(cols[case], times)
    names, times = names[order], times[order]
    known = np.array([n in bp for n in names.tolist()], dtype=bool)
    unknown: dict[str, int] = {}
    for n in names[~known].tolist():
        unknown[n] = unknown.get(n, 0) + 1
    code, names, times = code[known], names[known], times[known]
    same = code[1:] == code[:-1]
    sources, targets = names[:-1][same], names[1:][same]
    waits = (times[1:] - times[:-1])[same]
    per_edge: dict[tuple[str, str], list[float]] = {}
    for a, b, w in zip(sources.tolist(), targets.tolist(), waits.tolist(), strict=True):
        per_edge.setdefault((a, b), []).append(w)
    designed = {(f.source, f.target) for f in bp.flows(kind=FlowKind.SEQUENCE)}
    edges = sorted(
        (
            ObservedEdge(
                source=a,
                target=b,
                count=len(w),
                median_wait=float(np.median(w)),
                designed=(a, b) in designed,
            )
            for (a, b), w in per_edge.items()
        ),
        key=lambda e: (-e.count, e.source, e.target),
    )
    seen_steps = set(names.tolist())
    lanes = {bp[s].lane for s in seen_steps}
    in_scope = [s.id for s in bp.steps() if s.lane in lanes]
    unobserved = tuple(
        f
        for f in bp.flows(kind=FlowKind.SEQUENCE)
        if (f.source, f.target) not in per_edge
        and bp[f.source].lane in lanes
        and bp[f.target].lane in lanes
    )
    design = nx.DiGraph(list(designed))
    design.add_nodes_from(s.id for s in bp.steps())
    skipped: dict[str, tuple[str, ...]] = {}
    undesigned = tuple(e for e in edges if not e.designed)
    for e in undesigned:
        if e.source != e.target and nx.has_path(design, e.source, e.target):
            path = nx.shortest_path(design, e.source, e.target)
            skipped[f"{e.source}->{e.target}"] = tuple(path[1:-1])
    slow: list[SlowWait] = []
    arrivals: dict[str, list[float]] = {}
    for b, w in zip(targets.tolist(), waits.tolist(), strict=True):
        arrivals.setdefault(b, []).append(w)
    for step in bp.steps():
        if step.wait is None or step.wait.tolerance is None or step.id not in arrivals:
            continue
        observed = np.asarray(arrivals[step.id])
        median = float(np.median(observed))
        if median > step.wait.tolerance:
            slow.append(
                SlowWait(
                    step=step.id,
                    median_wait=median,
                    tolerance=step.wait.tolerance,
                    share_over=float((observed > step.wait.tolerance).mean()),
                )
            )
    overlay = bp.copy()
    for e in edges:
        text = f"n={e.count}, median wait {e.median_wait:g} min"
        if e.designed:
            old = overlay.disconnect(e.source, e.target)
            label = text if old.label is None else f"{old.label}\n{text}"
            overlay.add_flow(attrs.evolve(old, label=label))
        elif e.source != e.target and not overlay.graph.has_edge(e.source, e.target):
            overlay.connect(e.source, e.target, label=f"not designed: {text}")
    for f in unobserved:
        old = overlay.disconnect(f.source, f.target)
        label = "never observed" if old.label is None else f"{old.label}\nnever observed"
        overlay.add_flow(attrs.evolve(old, label=label))
    return Conformance(
        cases=len(case_ids),
        edges=tuple(edges),
        undesigned=undesigned,
        unobserved=unobserved,
        skipped=skipped,
        never_observed=tuple(s for s in in_scope if s not in seen_steps),
        slow_waits=tuple(slow),
        unknown_activities=dict(sorted(unknown.items())),
        overlay=overlay,
    )
