"""Time through the customer's eyes (Shostack): durations, standards, waits, tolerances.

Each step may carry a ``duration`` (how long it takes), an execution
``standard`` (how long it should take), a ``wait`` with the customer's
``tolerance``, and a ``cost``. Durations, waits and tolerances are minutes.

The customer's elapsed time follows the customer lane: each customer step
adds its own duration and the waits that block it, whether a wait is marked
on the step itself or on the frontstage, backstage or support work it
depends on. That work runs in parallel behind the line of interaction, so
its durations are not added to the customer's time. A wait is counted at
most once per journey, at the first customer step of the journey that it
blocks (work once waited for is done: a frontstage wait that every later
contact depends on keeps the customer waiting once), and several waits first
met at one step overlap (the customer waits for the slowest, not the sum).
"""

from __future__ import annotations

import math

import attrs

from servicebp.analysis._customer_graph import customer_graph, visits
from servicebp.analysis._journeys import (
    DEFAULT_JOURNEY_LIMIT,
    MAX_VISITS,
    _Context,
    check_journey_limits,
    journeys,
    listed,
)
from servicebp.analysis._waits import Waits
from servicebp.errors import InvalidArgumentError
from servicebp.model import Blueprint, Step
from servicebp.model._personas import as_persona

__all__ = [
    "JourneyTime",
    "StageWait",
    "StepDelay",
    "StepTime",
    "delay_costs",
    "journey_times",
    "stage_waits",
    "step_times",
    "wait_exceedance",
]


@attrs.frozen(kw_only=True)
class StepTime:
    """The time one customer step takes the customer.

    Parameters
    ----------
    step : str
        The customer step's id.
    duration : float
        Its duration (0 when the blueprint does not say).
    standard : float or None
        Its execution standard.
    wait : float
        The longest wait first met at the step: one that blocks it and no
        earlier step of the journey. When that depends on the way in (see
        :class:`servicebp.analysis._waits.Waits`), the longest over the
        journeys through the step.
    wait_at : str
        The step that carries that wait (the step itself, or work behind it).
    tolerance : float or None
        The customer's tolerance for that wait, if the blueprint says.
    """

    step: str
    duration: float
    standard: float | None
    wait: float
    wait_at: str
    tolerance: float | None

    @property
    def elapsed(self) -> float:
        """Duration plus wait."""
        return self.duration + self.wait

    @property
    def over_standard(self) -> bool:
        """Whether the step takes longer than its execution standard."""
        return self.standard is not None and self.duration > self.standard

    @property
    def over_tolerance(self) -> bool:
        """Whether the customer waits longer than they tolerate."""
        return self.tolerance is not None and self.wait > self.tolerance


def step_times(bp: Blueprint, *, persona: str | None = None) -> dict[str, StepTime]:
    """Return the time of each customer step, in time order.

    A wait counts at the first customer step that it blocks, not again at
    later steps that depend on the same work.

    Examples
    --------
    >>> from servicebp import Blueprint, Step, Wait
    >>> bp = Blueprint("Bank", stages=["open"])
    >>> _ = bp.add_step(Step(id="apply", label="Apply", lane="customer", stage="open",
    ...                      duration=10, standard=8, wait=Wait(duration=5, tolerance=10)))
    >>> _ = bp.add_step(Step(id="check", label="Credit check", lane="backstage", stage="open",
    ...                      duration=60, wait=Wait(duration=15, tolerance=10)))
    >>> _ = bp.connect("apply", "check", kind="support")
    >>> t = step_times(bp)["apply"]
    >>> t.elapsed, t.wait_at, t.over_standard, t.over_tolerance
    (25.0, 'check', True, True)
    """
    bp = as_persona(bp, persona)
    graph = customer_graph(bp)
    waits = Waits(bp, graph)
    longest: dict[str, tuple[float, str]] = {}
    for node, seen in waits.state_graph().order:
        wait, carrier = waits.counted(node, seen)
        if node not in longest or wait > longest[node][0]:
            longest[node] = (wait, carrier)
    result: dict[str, StepTime] = {}
    for node in graph.order:
        step = graph.steps[node]
        wait, carrier = longest[node]
        carried = bp[carrier].wait
        result[node] = StepTime(
            step=node,
            duration=float(step.duration or 0.0),
            standard=step.standard,
            wait=float(wait),
            wait_at=carrier,
            tolerance=carried.tolerance if carried is not None else None,
        )
    return result


@attrs.frozen(kw_only=True)
class JourneyTime:
    """One journey's time against the customer's tolerance.

    Parameters
    ----------
    steps : tuple of str
        The journey's customer steps.
    probability : float
        The journey's probability.
    duration, wait : float
        Totals over the journey, in minutes.
    tolerance : float or None
        The sum of the tolerances of the waits met (each once, like the
        waits), when every wait met (above 0) has one; otherwise None.
    over_tolerance : tuple of str
        The customer steps where the wait counted there exceeds its tolerance.
    over_standard : tuple of str
        The customer steps that take longer than their execution standard.
    """

    steps: tuple[str, ...]
    probability: float
    duration: float
    wait: float
    tolerance: float | None
    over_tolerance: tuple[str, ...]
    over_standard: tuple[str, ...]

    @property
    def elapsed(self) -> float:
        """Duration plus wait."""
        return self.duration + self.wait


def journey_times(
    bp: Blueprint, *, limit: int = DEFAULT_JOURNEY_LIMIT, persona: str | None = None
) -> tuple[JourneyTime, ...]:
    """Return the time of every journey against tolerance and standards.

    Raises :class:`~servicebp.errors.TooManyJourneysError` past *limit*
    journeys, as :func:`servicebp.journeys` does.

    Examples
    --------
    >>> from servicebp import Blueprint, Step, Wait
    >>> bp = Blueprint("Coffee", stages=["s"])
    >>> _ = bp.add_step(Step(id="queue", label="Queue", lane="customer", stage="s",
    ...                      wait=Wait(duration=12, tolerance=10)))
    >>> _ = bp.add_step(Step(id="pay", label="Pay", lane="customer", stage="s", duration=1))
    >>> _ = bp.connect("queue", "pay")
    >>> [(t.elapsed, t.tolerance, t.over_tolerance) for t in journey_times(bp)]
    [(13.0, 10.0, ('queue',))]
    """
    bp = as_persona(bp, persona)
    # One customer graph and wait model for the journeys and their waits, in
    # the order journeys() checked things (a loop, the limit, no customer step).
    graph = customer_graph(bp)
    check_journey_limits(limit, MAX_VISITS)
    context = _Context(bp, loops=True, graph=graph)
    waits = context.waits
    result: list[JourneyTime] = []
    for path in listed(bp, context, limit, MAX_VISITS):
        counted = waits.walk(path.steps)
        tolerances: list[float | None] = []
        over_tolerance: list[str] = []
        for node, (wait, carrier) in zip(path.steps, counted, strict=True):
            if wait > 0:
                carried = bp[carrier].wait
                tolerance = carried.tolerance if carried is not None else None
                tolerances.append(tolerance)
                if tolerance is not None and wait > tolerance:
                    over_tolerance.append(node)
        result.append(
            JourneyTime(
                steps=path.steps,
                probability=path.probability,
                duration=path.duration,
                wait=path.wait,
                tolerance=math.fsum(t for t in tolerances if t is not None)
                if None not in tolerances
                else None,
                over_tolerance=tuple(over_tolerance),
                over_standard=tuple(n for n in path.steps if _over_standard(bp[n])),
            )
        )
    return tuple(result)


def _over_standard(step: Step) -> bool:
    return step.standard is not None and (step.duration or 0.0) > step.standard


@attrs.frozen(kw_only=True)
class StageWait:
    """How long a stage makes the customer wait.

    Parameters
    ----------
    stage : str
        The stage.
    expected_wait : float
        The wait a customer meets in the stage, averaged over journeys
        (the wait counted at each customer step times the probability of
        counting it there; each wait counts once per journey, at the first
        step it blocks).
    longest_wait : float
        The longest wait counted at one customer step in the stage.
    """

    stage: str
    expected_wait: float
    longest_wait: float


def stage_waits(bp: Blueprint, *, persona: str | None = None) -> tuple[StageWait, ...]:
    """Return the stages by how long they make the customer wait, longest first.

    Linear in steps + flows (no journey is enumerated). Ties keep the stage
    order.

    Examples
    --------
    >>> from servicebp import Blueprint, Step, Wait
    >>> bp = Blueprint("Hotel", stages=["check-in", "stay", "check-out"])
    >>> _ = bp.add_step(Step(id="in", label="In", lane="customer", stage="check-in",
    ...                      wait=Wait(duration=10)))
    >>> _ = bp.add_step(Step(id="out", label="Out", lane="customer", stage="check-out",
    ...                      wait=Wait(duration=4)))
    >>> _ = bp.connect("in", "out")
    >>> [(s.stage, s.expected_wait) for s in stage_waits(bp)]
    [('check-in', 10.0), ('check-out', 4.0), ('stay', 0.0)]
    """
    bp = as_persona(bp, persona)
    graph = customer_graph(bp)
    waits = Waits(bp, graph)
    states = waits.state_graph()
    visit = visits(states)
    expected = dict.fromkeys(bp.stages, 0.0)
    longest = dict.fromkeys(bp.stages, 0.0)
    for node, seen in states.order:
        stage = graph.steps[node].stage
        wait = waits.counted(node, seen)[0]
        expected[stage] += visit[node, seen] * wait
        longest[stage] = max(longest[stage], wait)
    ranked = sorted(bp.stages, key=lambda s: -expected[s])
    return tuple(
        StageWait(stage=s, expected_wait=expected[s], longest_wait=longest[s]) for s in ranked
    )


def wait_exceedance(
    bp: Blueprint,
    threshold: float,
    *,
    limit: int = DEFAULT_JOURNEY_LIMIT,
    persona: str | None = None,
) -> float:
    """Return the share of journey probability whose total wait exceeds *threshold*.

    Examples
    --------
    >>> from servicebp import Blueprint, Step, Wait
    >>> bp = Blueprint("Coffee", stages=["s"])
    >>> _ = bp.add_step(Step(id="order", label="Order", lane="customer", stage="s"))
    >>> _ = bp.add_step(Step(id="queue", label="Queue", lane="customer", stage="s",
    ...                      wait=Wait(duration=12)))
    >>> _ = bp.add_step(Step(id="app", label="App", lane="customer", stage="s"))
    >>> _ = bp.connect("order", "queue", probability=0.3)
    >>> _ = bp.connect("order", "app")
    >>> wait_exceedance(bp, 10)
    0.3
    """
    bp = as_persona(bp, persona)
    if isinstance(threshold, bool) or not isinstance(threshold, int | float):
        raise TypeError(f"threshold must be a number of minutes, not {threshold!r}")
    if not math.isfinite(threshold) or threshold < 0:
        raise InvalidArgumentError(
            f"threshold must be a finite number of minutes >= 0, got {threshold!r}"
        )
    return math.fsum(j.probability for j in journeys(bp, limit=limit) if j.wait > threshold)


@attrs.frozen(kw_only=True)
class StepDelay:
    """What a step's overrun of its execution standard costs.

    Parameters
    ----------
    step : str
        The step's id (any lane).
    over_by : float
        Minutes beyond the standard.
    cost : float
        The part of the step's cost spent beyond the standard:
        ``cost * over_by / duration`` (the step's cost accrues evenly over
        its duration).
    """

    step: str
    over_by: float
    cost: float


def delay_costs(bp: Blueprint, *, persona: str | None = None) -> tuple[StepDelay, ...]:
    """Return the cost of delay of every step that overruns its standard, costliest first.

    Only steps with a duration, a standard and a cost count; a duration of 0
    cannot overrun.

    Examples
    --------
    >>> from servicebp import Blueprint, Step
    >>> bp = Blueprint("Bank", stages=["s"])
    >>> _ = bp.add_step(Step(id="kyc", label="KYC", lane="backstage", stage="s",
    ...                      duration=40, standard=30, cost=20))
    >>> delay_costs(bp)
    (StepDelay(step='kyc', over_by=10.0, cost=5.0),)
    """
    bp = as_persona(bp, persona)
    found: list[StepDelay] = []
    for step in bp.steps():
        if step.duration is None or step.standard is None or step.cost is None:
            continue
        over = float(step.duration - step.standard)
        if over > 0:
            found.append(
                StepDelay(step=step.id, over_by=over, cost=step.cost * over / step.duration)
            )
    found.sort(key=lambda d: -d.cost)
    return tuple(found)
