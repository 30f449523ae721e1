"""Blueprint diff: what a redesign changed, and what it did to each journey's score.

Steps are matched by id and flows by their ``(source, target)`` pair. A
moment of truth is a step's tag, so moments are compared separately from
the rest of a step: tagged, untagged, or changed tag.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import attrs

from servicebp.analysis._figures import journey_scores
from servicebp.analysis._journeys import DEFAULT_JOURNEY_LIMIT
from servicebp.model import Blueprint, Flow, Step
from servicebp.model._personas import as_persona

__all__ = ["BlueprintDiff", "FlowChange", "JourneyScoreChange", "StepChange", "diff"]


@attrs.frozen(kw_only=True)
class StepChange:
    """A step present before and after, with the fields that differ."""

    step: str
    fields: tuple[str, ...]
    before: Step
    after: Step


@attrs.frozen(kw_only=True)
class FlowChange:
    """A flow present before and after, with the fields that differ."""

    source: str
    target: str
    fields: tuple[str, ...]
    before: Flow
    after: Flow


@attrs.frozen(kw_only=True)
class JourneyScoreChange:
    """One journey's score per strategy before and after (None where it does not exist)."""

    steps: tuple[str, ...]
    before: dict[str, float] | None = attrs.field(hash=False)
    after: dict[str, float] | None = attrs.field(hash=False)

    @property
    def change(self) -> dict[str, float] | None:
        """After minus before, per strategy, when the journey exists in both."""
        if self.before is None or self.after is None:
            return None
        return {name: self.after[name] - self.before[name] for name in self.after}


@attrs.frozen(kw_only=True)
class BlueprintDiff:
    """The difference between two blueprints.

    Ids are listed in the order of the blueprint they come from (removed ones
    in *before*'s, the others in *after*'s).
    """

    added_steps: tuple[str, ...]
    removed_steps: tuple[str, ...]
    changed_steps: tuple[StepChange, ...]
    added_flows: tuple[tuple[str, str], ...]
    removed_flows: tuple[tuple[str, str], ...]
    changed_flows: tuple[FlowChange, ...]
    added_moments: tuple[str, ...]
    removed_moments: tuple[str, ...]
    changed_moments: tuple[str, ...]
    journeys: tuple[JourneyScoreChange, ...]

    def __bool__(self) -> bool:
        """Whether anything changed, including any journey's score."""
        structural = (
            self.added_steps,
            self.removed_steps,
            self.changed_steps,
            self.added_flows,
            self.removed_flows,
            self.changed_flows,
            self.added_moments,
            self.removed_moments,
            self.changed_moments,
        )
        return any(structural) or any(
            j.change is None or any(j.change.values()) for j in self.journeys
        )


def _fields_changed(
    before: Step | Flow, after: Step | Flow, skip: Iterable[str] = ()
) -> tuple[str, ...]:
    skipped = set(skip)
    return tuple(
        field.name
        for field in attrs.fields(type(before))
        if field.name not in skipped and getattr(before, field.name) != getattr(after, field.name)
    )


def _scores(
    bp: Blueprint,
    ratings: Mapping[str, float] | None,
    strategies: Iterable[str] | None,
    limit: int,
) -> dict[tuple[str, ...], dict[str, float]]:
    scored = journey_scores(bp, ratings=ratings, strategies=strategies, limit=limit)
    return {j.steps: j.scores for j in scored}


def diff(
    before: Blueprint,
    after: Blueprint,
    *,
    ratings_before: Mapping[str, float] | None = None,
    ratings_after: Mapping[str, float] | None = None,
    strategies: Iterable[str] | None = None,
    limit: int = DEFAULT_JOURNEY_LIMIT,
    persona: str | None = None,
) -> BlueprintDiff:
    """Return what changed from *before* to *after*.

    Parameters
    ----------
    before, after : Blueprint
        The two versions.
    ratings_before, ratings_after : mapping of str to float, optional
        Step id to rating for each version. When either is given, every
        journey of both versions is scored (each step falls back to its
        designed ``rating``) and ``journeys`` lists each journey's score per
        strategy before and after; a journey that exists in one version only
        has None on the other side. Without them, ``journeys`` is empty.
    strategies : iterable of str, optional
        Strategy names for the scores; default all registered.
    limit : int
        The most journeys to score per version.
    persona : str, optional
        Compare the two versions as this persona sees them (both must
        declare it): its ratings, moment weights and waits stand in the
        steps' places, and every journey is scored (an as-is / to-be diff
        per persona). :func:`servicebp.persona_diffs` does it for every
        persona.

    Raises
    ------
    UnknownPersonaError
        If *persona* is given and either version does not declare it.

    Examples
    --------
    >>> from servicebp import Blueprint, Step
    >>> old = Blueprint("Coffee", stages=["s"])
    >>> _ = old.add_step(Step(id="order", label="Order", lane="customer", stage="s", rating=1))
    >>> _ = old.add_step(Step(id="queue", label="Queue", lane="customer", stage="s", rating=-2))
    >>> _ = old.connect("order", "queue")
    >>> new = old.copy()
    >>> _ = new.replace_step(new["queue"].evolve(label="Short queue"))
    >>> d = diff(old, new, ratings_after={"queue": 0}, strategies=["mean"])
    >>> [(c.step, c.fields) for c in d.changed_steps]
    [('queue', ('label',))]
    >>> [(j.steps, j.change) for j in d.journeys]  # mean −0.5 → 0.5
    [(('order', 'queue'), {'mean': 1.0})]
    """
    before, after = as_persona(before, persona), as_persona(after, persona)
    old = {s.id: s for s in before.steps()}
    new = {s.id: s for s in after.steps()}
    changed_steps = []
    added_moments, removed_moments, changed_moments = [], [], []
    for step_id, step in new.items():
        if step_id not in old:
            if step.moment is not None:
                added_moments.append(step_id)
            continue
        was = old[step_id]
        fields = _fields_changed(was, step, skip=["moment"])
        if fields:
            changed_steps.append(StepChange(step=step_id, fields=fields, before=was, after=step))
        if was.moment is None and step.moment is not None:
            added_moments.append(step_id)
        elif was.moment is not None and step.moment is None:
            removed_moments.append(step_id)
        elif was.moment != step.moment:
            changed_moments.append(step_id)
    removed_moments.extend(i for i, s in old.items() if i not in new and s.moment is not None)
    old_flows = {(f.source, f.target): f for f in before.flows()}
    new_flows = {(f.source, f.target): f for f in after.flows()}
    changed_flows = [
        FlowChange(
            source=pair[0],
            target=pair[1],
            fields=_fields_changed(old_flows[pair], flow),
            before=old_flows[pair],
            after=flow,
        )
        for pair, flow in new_flows.items()
        if pair in old_flows and old_flows[pair] != flow
    ]
    journeys: list[JourneyScoreChange] = []
    if ratings_before is not None or ratings_after is not None or persona is not None:
        names = None if strategies is None else list(strategies)
        scored_before = _scores(before, ratings_before, names, limit)
        scored_after = _scores(after, ratings_after, names, limit)
        for steps, scores in scored_after.items():
            journeys.append(
                JourneyScoreChange(steps=steps, before=scored_before.get(steps), after=scores)
            )
        journeys.extend(
            JourneyScoreChange(steps=steps, before=scores, after=None)
            for steps, scores in scored_before.items()
            if steps not in scored_after
        )
    return BlueprintDiff(
        added_steps=tuple(i for i in new if i not in old),
        removed_steps=tuple(i for i in old if i not in new),
        changed_steps=tuple(changed_steps),
        added_flows=tuple(p for p in new_flows if p not in old_flows),
        removed_flows=tuple(p for p in old_flows if p not in new_flows),
        changed_flows=tuple(changed_flows),
        added_moments=tuple(added_moments),
        removed_moments=tuple(removed_moments),
        changed_moments=tuple(changed_moments),
        journeys=tuple(journeys),
    )
