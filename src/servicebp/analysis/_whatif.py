"""What if: how a redesign changes each journey's expected score and time.

The question a redesign workshop asks: *if we fix this fail point, or cut
this wait, or raise this step's rating, what happens to our customers'
journeys?* :func:`what_if` applies changes to a copy of the blueprint and
compares every journey before and after; :func:`repair` is the change that
removes a fail point.

Expected score
--------------
A journey is scored (by every strategy of :data:`servicebp.STRATEGIES`)
on each customer step's *expected* rating: where the step depends on fail
points (the step itself, or work behind it, see
:mod:`servicebp.impact`), it fails with probability
``q = 1 - Π (1 - p_f)`` over those fail points, and is then rated
``failure_rating`` (default −2, "fails expectations"), or its own rating when
that is lower already (a failure never improves a step); otherwise it keeps
its rating. So the expected rating is
``(1 - q) · rating + q · min(rating, failure_rating)``, and removing a fail
point never lowers it (nor, for the built-in strategies, a journey's score).
A fail point with no probability is taken to fail with
``unknown_failure_probability`` (default 0.5: as likely as not; pass your own).

Ratings come from the ``ratings`` mapping (step id → rating), falling back
to each step's designed ``rating``; a journey step with neither is an error.
Time is the customer's elapsed time (duration + blocking waits, see
:mod:`servicebp.timing`).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

import attrs

from servicebp.analysis._customer_graph import (
    Dependents,
    require_fail_point,
)
from servicebp.analysis._figures import journey_scores
from servicebp.analysis._journeys import (
    DEFAULT_JOURNEY_LIMIT,
    MAX_VISITS,
    JourneyPath,
    _Context,
    check_journey_limits,
    listed,
)
from servicebp.errors import InvalidArgumentError, UnknownStepError
from servicebp.model import Blueprint, Lane, Wait
from servicebp.model._personas import as_persona
from servicebp.scales import check_rating

__all__ = ["JourneyChange", "expected_ratings", "repair", "what_if"]

#: The rating a step gets when a fail point it depends on fails.
DEFAULT_FAILURE_RATING = -2.0
#: How often a fail point with no probability is taken to fail.
DEFAULT_UNKNOWN_FAILURE_PROBABILITY = 0.5


@attrs.frozen(kw_only=True)
class JourneyChange:
    """One journey before and after a change.

    Parameters
    ----------
    steps : tuple of str
        The journey's customer steps.
    probability : float
        Its probability (after the change; changes do not alter branches).
    score_before, score_after : dict of str to float
        Expected score per strategy.
    elapsed_before, elapsed_after : float
        The customer's elapsed time, in minutes.
    """

    steps: tuple[str, ...]
    probability: float
    score_before: dict[str, float] = attrs.field(hash=False)
    score_after: dict[str, float] = attrs.field(hash=False)
    elapsed_before: float
    elapsed_after: float

    @property
    def score_change(self) -> dict[str, float]:
        """After minus before, per strategy."""
        return {name: self.score_after[name] - self.score_before[name] for name in self.score_after}

    @property
    def elapsed_change(self) -> float:
        """After minus before, in minutes."""
        return self.elapsed_after - self.elapsed_before


def expected_ratings(
    bp: Blueprint,
    *,
    ratings: Mapping[str, float] | None = None,
    failure_rating: float = DEFAULT_FAILURE_RATING,
    unknown_failure_probability: float = DEFAULT_UNKNOWN_FAILURE_PROBABILITY,
    persona: str | None = None,
) -> dict[str, float]:
    """Return each rated customer step's expected rating given the fail points behind it.

    Examples
    --------
    >>> from servicebp import Blueprint, Step, FailPoint
    >>> bp = Blueprint("Bank", stages=["s"])
    >>> _ = bp.add_step(Step(id="apply", label="Apply", lane="customer", stage="s", rating=2))
    >>> _ = bp.add_step(Step(id="kyc", label="KYC", lane="support", stage="s",
    ...                      fail_point=FailPoint(what="timeout", probability=0.25)))
    >>> _ = bp.connect("apply", "kyc", kind="support")
    >>> expected_ratings(bp)  # 0.75 × 2 + 0.25 × (−2)
    {'apply': 1.0}

    A step rated below ``failure_rating`` keeps its rating when it fails:

    >>> expected_ratings(bp, ratings={"apply": -3})
    {'apply': -3.0}
    """
    bp = as_persona(bp, persona)
    check_rating(failure_rating, name="failure_rating")
    if not 0 <= unknown_failure_probability <= 1:
        raise InvalidArgumentError(
            f"unknown_failure_probability must lie in [0, 1], got {unknown_failure_probability!r}"
        )
    given = dict(ratings or {})
    for key in given:
        if key not in bp:
            raise UnknownStepError(key, known=[s.id for s in bp.steps()])
    customer = bp.steps(lane=Lane.CUSTOMER)
    # log of the probability that nothing behind the step fails
    survive = {s.id: 0.0 for s in customer}
    dependents = Dependents(bp)
    for step in bp.steps():
        if step.fail_point is None:
            continue
        p = step.fail_point.probability
        p = unknown_failure_probability if p is None else p
        for node in dependents.of(step.id):
            if node in survive:
                survive[node] = survive[node] + math.log1p(-p) if p < 1 else -math.inf
    table: dict[str, float] = {}
    for step in customer:
        base = given.get(step.id, step.rating)
        if base is None:
            continue
        fails = -math.expm1(survive[step.id])
        rating = float(base)
        failed = min(rating, failure_rating)
        # rating - q·(rating - failed) lies in [failed, rating]; max() keeps a
        # rounding error (−3.0000000000000004) off the scale's ends.
        table[step.id] = max(failed, rating - fails * (rating - failed))
    return table


def _apply(bp: Blueprint, changes: Mapping[str, Mapping[str, Any]]) -> Blueprint:
    after = bp.copy()
    for step_id, fields in changes.items():
        step = after[step_id]
        if not isinstance(fields, Mapping):
            raise TypeError(
                f"changes[{step_id!r}] must map field names to new values, "
                f"not {type(fields).__name__}"
            )
        fields = dict(fields)
        wait = fields.get("wait")
        if isinstance(wait, int | float) and not isinstance(wait, bool):
            # A bare number changes the wait's duration and keeps its tolerance.
            tolerance = step.wait.tolerance if step.wait is not None else None
            fields["wait"] = Wait(duration=wait, tolerance=tolerance)
        after.replace_step(step.evolve(**fields))
    return after


def _elapsed(paths: Iterable[JourneyPath]) -> dict[tuple[str, ...], float]:
    return {p.steps: p.elapsed for p in paths}


def what_if(
    bp: Blueprint,
    changes: Mapping[str, Mapping[str, Any]],
    *,
    ratings: Mapping[str, float] | None = None,
    strategies: Iterable[str] | None = None,
    failure_rating: float = DEFAULT_FAILURE_RATING,
    unknown_failure_probability: float = DEFAULT_UNKNOWN_FAILURE_PROBABILITY,
    limit: int = DEFAULT_JOURNEY_LIMIT,
    persona: str | None = None,
) -> tuple[JourneyChange, ...]:
    """Return each journey's expected score and time before and after *changes*.

    Parameters
    ----------
    bp : Blueprint
        The blueprint; it is not modified.
    changes : mapping of str to mapping
        Step id to the fields to change, as for :meth:`Step.evolve`:
        ``{"queue": {"wait": 5}}`` (a bare number changes the wait's
        duration and keeps its tolerance), ``{"kyc": {"fail_point": None}}``,
        ``{"apply": {"rating": 2}}`` (a rating change also overrides
        *ratings* for that step).
    ratings : mapping of str to float, optional
        Step id to rating; other customer steps use their designed rating.
    strategies : iterable of str, optional
        Strategy names; default all registered.
    failure_rating, unknown_failure_probability : float
        See the module docstring.
    limit : int
        The most journeys to compare (see :func:`servicebp.journeys`).
    persona : str, optional
        Whose journey: a persona the blueprint declares (its ratings,
        moment weights and waits); default the steps' own values.

    Examples
    --------
    >>> from servicebp import Blueprint, Step, Wait
    >>> bp = Blueprint("Coffee", stages=["s"])
    >>> _ = bp.add_step(Step(id="queue", label="Queue", lane="customer", stage="s", rating=-1,
    ...                      wait=Wait(duration=12, tolerance=10)))
    >>> _ = bp.add_step(Step(id="pay", label="Pay", lane="customer", stage="s", rating=1))
    >>> _ = bp.connect("queue", "pay")
    >>> [change] = what_if(bp, {"queue": {"wait": 4, "rating": 1}}, strategies=["mean"])
    >>> change.score_change, change.elapsed_change
    ({'mean': 1.0}, -8.0)
    """
    bp = as_persona(bp, persona)
    if not isinstance(changes, Mapping):
        raise TypeError(f"changes must map step ids to field changes, not {type(changes).__name__}")
    after = _apply(bp, changes)
    after_ratings = dict(ratings or {})
    for step_id, fields in changes.items():
        if "rating" in fields:
            after_ratings.pop(step_id, None)
            if fields["rating"] is not None:
                after_ratings[step_id] = fields["rating"]
    names = None if strategies is None else list(strategies)
    options: dict[str, Any] = {
        "failure_rating": failure_rating,
        "unknown_failure_probability": unknown_failure_probability,
    }
    # journeys(bp) and journeys(after), the after's sharing the before's
    # customer graph and wait model when the changes leave them alone.
    check_journey_limits(limit, MAX_VISITS)
    before = _Context(bp, loops=True)
    paths_before = listed(bp, before, limit, MAX_VISITS)
    context = before.changed(bp, after, changes) or _Context(after, loops=True)
    paths_after = listed(after, context, limit, MAX_VISITS)
    scored_before = journey_scores(
        bp,
        ratings=expected_ratings(bp, ratings=ratings, **options),
        strategies=names,
        journeys=paths_before,
    )
    scored_after = journey_scores(
        after,
        ratings=expected_ratings(after, ratings=after_ratings, **options),
        strategies=names,
        journeys=paths_after,
    )
    elapsed_before = _elapsed(paths_before)
    elapsed_after = _elapsed(paths_after)
    return tuple(
        JourneyChange(
            steps=after_score.steps,
            probability=after_score.probability,
            score_before=before_score.scores,
            score_after=after_score.scores,
            elapsed_before=elapsed_before[after_score.steps],
            elapsed_after=elapsed_after[after_score.steps],
        )
        for before_score, after_score in zip(scored_before, scored_after, strict=True)
    )


def repair(
    bp: Blueprint,
    fail_point: str,
    *,
    ratings: Mapping[str, float] | None = None,
    strategies: Iterable[str] | None = None,
    failure_rating: float = DEFAULT_FAILURE_RATING,
    unknown_failure_probability: float = DEFAULT_UNKNOWN_FAILURE_PROBABILITY,
    limit: int = DEFAULT_JOURNEY_LIMIT,
    persona: str | None = None,
) -> tuple[JourneyChange, ...]:
    """Return each journey's change when the fail point at step *fail_point* is removed.

    Same as ``what_if(bp, {fail_point: {"fail_point": None}}, ...)``, after
    checking that the step is a fail point.

    Examples
    --------
    >>> from servicebp import Blueprint, Step, FailPoint
    >>> bp = Blueprint("Bank", stages=["s"])
    >>> _ = bp.add_step(Step(id="apply", label="Apply", lane="customer", stage="s", rating=2))
    >>> _ = bp.add_step(Step(id="kyc", label="KYC", lane="support", stage="s",
    ...                      fail_point=FailPoint(what="timeout", probability=0.25)))
    >>> _ = bp.connect("apply", "kyc", kind="support")
    >>> [change] = repair(bp, "kyc", strategies=["mean"])
    >>> change.score_before, change.score_after  # 0.75 × 2 + 0.25 × (−2) = 1 → 2
    ({'mean': 1.0}, {'mean': 2.0})
    """
    bp = as_persona(bp, persona)
    require_fail_point(bp, fail_point)
    return what_if(
        bp,
        {fail_point: {"fail_point": None}},
        ratings=ratings,
        strategies=strategies,
        failure_rating=failure_rating,
        unknown_failure_probability=unknown_failure_probability,
        limit=limit,
    )
