"""Fail-point impact: who depends on each fail point, and how often journeys meet it.

A fail point (Shostack's F) may sit in any lane. Its impact reaches every
step that depends on it, following the flows towards the customer (see
:mod:`servicebp.analysis._customer_graph` for the rule: a contact makes the
customer step depend on the provider's; between the provider's steps a
sequence flow hands work on and a support flow's source relies on its
target), and so every customer step and moment of truth behind which it works.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import attrs

from servicebp.analysis._customer_graph import (
    CustomerGraph,
    Dependents,
    customer_graph,
    dependence_graph,
    dependent_closure,
    visits,
)
from servicebp.errors import BlueprintValidationError, InvalidArgumentError, Problem
from servicebp.model import Blueprint, Lane

__all__ = ["FailPointImpact", "dependents", "fail_point_impact"]


@attrs.frozen(kw_only=True)
class FailPointImpact:
    """What one fail point puts at risk.

    Parameters
    ----------
    step : str
        The id of the step marked as a fail point.
    lane : Lane
        Its lane.
    what : str
        What fails.
    recovery : str or None
        How the failure is recovered, if the blueprint says.
    failure_probability : float or None
        How often it fails when reached, if the blueprint says.
    customer_steps : tuple of str
        The customer steps that depend on it, in time order (the step itself
        when it is a customer step).
    moments : tuple of str
        The moments of truth it endangers: steps tagged as moments among
        the step itself and every step that depends on it, in time order.
    reach_probability : float
        The probability that a journey meets it (passes at least one of
        ``customer_steps``).
    risk : float
        ``reach_probability`` times ``failure_probability``; a fail point
        whose failure probability is unknown counts as failing whenever
        reached, so that it is not ranked out of sight.
    """

    step: str
    lane: Lane
    what: str
    recovery: str | None
    failure_probability: float | None
    customer_steps: tuple[str, ...]
    moments: tuple[str, ...]
    reach_probability: float
    risk: float


def dependents(bp: Blueprint, step_id: str) -> tuple[str, ...]:
    """Return the steps that depend on *step_id*, directly or not, in blueprint order.

    Examples
    --------
    >>> from servicebp import Blueprint, Step
    >>> bp = Blueprint("Bank", stages=["open"])
    >>> _ = bp.add_step(Step(id="apply", label="Apply", lane="customer", stage="open"))
    >>> _ = bp.add_step(Step(id="teller", label="Teller", lane="frontstage", stage="open"))
    >>> _ = bp.add_step(Step(id="kyc", label="KYC check", lane="support", stage="open"))
    >>> _ = bp.connect("apply", "teller", kind="support")
    >>> _ = bp.connect("teller", "kyc", kind="support")
    >>> dependents(bp, "kyc")
    ('apply', 'teller')
    """
    bp[step_id]
    found = dependent_closure(dependence_graph(bp), step_id) - {step_id}
    return tuple(s.id for s in bp.steps() if s.id in found)


def _meet_probability(
    graph: CustomerGraph,
    visit: Mapping[str, float],
    position: Mapping[str, int],
    targets: set[str],
) -> float:
    """Probability that a journey passes at least one of *targets*.

    One target: its visit probability. Several: the probability of reaching
    each target first, by a forward pass over the part of the customer lane
    between the earliest and the latest target (before the earliest one no
    journey can have met a target yet, so the plain visit probability holds).
    """
    if not targets:
        return 0.0
    if len(targets) == 1:
        return visit[next(iter(targets))]
    first = min(position[t] for t in targets)
    last = max(position[t] for t in targets)
    clean: dict[str, float] = {}
    total = 0.0
    for node in graph.order[first : last + 1]:
        arriving = graph.start[node] + math.fsum(
            (clean[u] if position[u] >= first else visit[u]) * p
            for u, p in graph.predecessors[node]
        )
        if node in targets:
            total += arriving
            clean[node] = 0.0
        else:
            clean[node] = arriving
    return total


def fail_point_impact(
    bp: Blueprint, *, min_probability: float = 0.0
) -> tuple[FailPointImpact, ...]:
    """Return the impact of every fail point, riskiest first.

    Parameters
    ----------
    bp : Blueprint
        The blueprint.
    min_probability : float
        Leave out fail points whose reach probability is below this.

    Returns
    -------
    tuple of FailPointImpact
        Ranked by risk, then by the number of moments endangered, then by
        reach probability, then in blueprint order.

    Notes
    -----
    Cost: one pass to build the customer lane and the dependence graph, then
    per fail point the steps that depend on it; when those include several
    customer steps, the stretch of the customer lane between them.

    Examples
    --------
    >>> from servicebp import Blueprint, Step, FailPoint, MomentOfTruth
    >>> bp = Blueprint("Bank", stages=["open"])
    >>> _ = bp.add_step(Step(id="start", label="Start", lane="customer", stage="open"))
    >>> _ = bp.add_step(Step(id="branch", label="At the branch", lane="customer", stage="open",
    ...                      moment=MomentOfTruth(kind="purchase")))
    >>> _ = bp.add_step(Step(id="app", label="In the app", lane="customer", stage="open"))
    >>> _ = bp.add_step(Step(id="kyc", label="KYC check", lane="support", stage="open",
    ...                      fail_point=FailPoint(what="ID not readable", probability=0.1)))
    >>> _ = bp.connect("start", "branch", probability=0.7)
    >>> _ = bp.connect("start", "app")
    >>> _ = bp.connect("branch", "kyc", kind="support")
    >>> [(i.step, i.customer_steps, i.moments, round(i.reach_probability, 2), round(i.risk, 2))
    ...  for i in fail_point_impact(bp)]
    [('kyc', ('branch',), ('branch',), 0.7, 0.07)]
    """
    if not 0 <= min_probability <= 1:
        raise InvalidArgumentError(f"min_probability must lie in [0, 1], got {min_probability!r}")
    fail_steps = [s for s in bp.steps() if s.fail_point is not None]
    if not fail_steps:
        return ()
    graph = customer_graph(bp)
    if not graph.order:
        raise BlueprintValidationError(
            [Problem(message="the blueprint has no customer steps, so no journey", field="steps")]
        )
    visit = visits(graph)
    position = {n: i for i, n in enumerate(graph.order)}
    order = {s.id: i for i, s in enumerate(bp.steps())}
    dependents = Dependents(bp)
    found: list[FailPointImpact] = []
    for step in fail_steps:
        assert step.fail_point is not None
        affected = dependents.of(step.id)
        customers = {n for n in affected if n in position}
        reach = _meet_probability(graph, visit, position, customers)
        if reach < min_probability:
            continue
        moments = sorted((n for n in affected if bp[n].moment is not None), key=order.__getitem__)
        failure = step.fail_point.probability
        found.append(
            FailPointImpact(
                step=step.id,
                lane=step.lane,
                what=step.fail_point.what,
                recovery=step.fail_point.recovery,
                failure_probability=failure,
                customer_steps=tuple(sorted(customers, key=position.__getitem__)),
                moments=tuple(moments),
                reach_probability=reach,
                risk=reach * (1.0 if failure is None else failure),
            )
        )
    found.sort(key=lambda i: (-i.risk, -len(i.moments), -i.reach_probability, order[i.step]))
    return tuple(found)
