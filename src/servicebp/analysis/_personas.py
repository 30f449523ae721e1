"""Personas side by side: one score table per persona, and an as-is / to-be diff per persona.

Journey-mapping tools (UXPressia, Smaply, TheyDo) put several personas on
one map, each with its own ratings and emotion curve, and compare the
service as it is with the service as it is to be. Each function here runs
the single-persona analysis (:func:`servicebp.journey_scores`,
:func:`servicebp.expected_scores`, :func:`servicebp.diff`) once per
persona, on the blueprint as that persona sees it.
"""

from __future__ import annotations

from collections.abc import Iterable

import attrs

from servicebp.analysis._diff import BlueprintDiff, diff
from servicebp.analysis._figures import (
    JourneyScore,
    emotion_curve,
    expected_scores,
    journey_scores,
)
from servicebp.analysis._journeys import DEFAULT_JOURNEY_LIMIT
from servicebp.model import Blueprint

__all__ = ["PersonaScores", "persona_curves", "persona_diffs", "persona_scores"]


@attrs.frozen(kw_only=True)
class PersonaScores:
    """One persona's score table: each journey's score and the expected score, per strategy.

    ``persona`` is ``None`` for the implicit persona of a blueprint that
    declares none (the steps' own values); ``label`` is then the blueprint's name.
    """

    persona: str | None
    label: str
    journeys: tuple[JourneyScore, ...]
    expected: dict[str, float] = attrs.field(hash=False)


def persona_scores(
    bp: Blueprint,
    *,
    strategies: Iterable[str] | None = None,
    limit: int = DEFAULT_JOURNEY_LIMIT,
) -> tuple[PersonaScores, ...]:
    """Return one score table per declared persona, in the order declared.

    A blueprint that declares no personas gets one table, for its implicit
    persona (``persona=None``). Each table holds what
    :func:`servicebp.journey_scores` and :func:`servicebp.expected_scores`
    give with ``persona=`` that persona.

    Parameters
    ----------
    bp : Blueprint
        The blueprint.
    strategies : iterable of str, optional
        Strategy names; default all of :data:`servicebp.STRATEGIES`.
    limit : int
        Passed to :func:`servicebp.journeys`.

    Raises
    ------
    RatingError
        For a persona's journey step with no rating anywhere, as
        :func:`servicebp.journey_scores`.

    Examples
    --------
    >>> from servicebp import Blueprint, PersonaValues, Step
    >>> bp = Blueprint("Coffee", stages=["s"], personas=["new", "regular"])
    >>> _ = bp.add_step(Step(id="order", label="Order", lane="customer", stage="s", rating=1,
    ...                      per_persona={"new": PersonaValues(rating=-1)}))
    >>> [(t.persona, t.expected) for t in persona_scores(bp, strategies=["mean"])]
    [('new', {'mean': -1.0}), ('regular', {'mean': 1.0})]
    """
    names = None if strategies is None else list(strategies)
    personas: list[tuple[str | None, str]] = [(p.id, p.label) for p in bp.personas]
    tables = []
    for persona, label in personas or [(None, bp.name)]:
        seen = bp if persona is None else bp.for_persona(persona)
        tables.append(
            PersonaScores(
                persona=persona,
                label=label,
                journeys=journey_scores(seen, strategies=names, limit=limit),
                expected=expected_scores(seen, strategies=names, limit=limit),
            )
        )
    return tuple(tables)


def persona_curves(bp: Blueprint) -> dict[str, dict[str, float]]:
    """Return each declared persona's ratings of the customer steps, by the persona's label.

    The form :func:`servicebp.emotion_chart` takes as ``curves=``: one curve
    per persona on one chart; a step the persona leaves unrated (and the step
    too) is a gap.

    Examples
    --------
    >>> from servicebp import Blueprint, Persona, PersonaValues, Step
    >>> bp = Blueprint("Coffee", stages=["s"], personas=[Persona(id="new", label="New")])
    >>> _ = bp.add_step(Step(id="order", label="Order", lane="customer", stage="s", rating=1,
    ...                      per_persona={"new": PersonaValues(rating=-1)}))
    >>> persona_curves(bp)
    {'New': {'order': -1.0}}
    """
    return {
        p.label: {
            point.step: point.rating
            for point in emotion_curve(bp, persona=p.id).steps
            if point.rating is not None
        }
        for p in bp.personas
    }


def persona_diffs(
    before: Blueprint,
    after: Blueprint,
    *,
    strategies: Iterable[str] | None = None,
    limit: int = DEFAULT_JOURNEY_LIMIT,
) -> dict[str, BlueprintDiff]:
    """Return, for each persona both versions declare, :func:`servicebp.diff` as that persona.

    Typically *before* is the as-is blueprint and *after* the to-be one;
    each diff scores every journey of both versions as the persona sees
    them. Personas are in *after*'s order; one that only one version
    declares has no diff (nothing to compare it with).

    Examples
    --------
    >>> from servicebp import Blueprint, PersonaValues, Step
    >>> as_is = Blueprint("Coffee", stages=["s"], personas=["new"], scenario="as-is")
    >>> _ = as_is.add_step(Step(id="order", label="Order", lane="customer", stage="s", rating=1,
    ...                         per_persona={"new": PersonaValues(rating=-2)}))
    >>> to_be = as_is.copy()
    >>> to_be.scenario = "to-be"
    >>> _ = to_be.replace_step(to_be["order"].evolve(per_persona={"new": PersonaValues(rating=1)}))
    >>> d = persona_diffs(as_is, to_be, strategies=["mean"])["new"]
    >>> [(c.step, c.fields) for c in d.changed_steps], [j.change for j in d.journeys]
    ([('order', ('rating',))], [{'mean': 3.0}])
    """
    names = None if strategies is None else list(strategies)
    known = {p.id for p in before.personas}
    return {
        p.id: diff(before, after, strategies=names, limit=limit, persona=p.id)
        for p in after.personas
        if p.id in known
    }
