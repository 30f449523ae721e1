"""Figures over a blueprint's journeys: scores per journey and expected, emotion curve, contacts.

:mod:`servicebp.scoring` scores one journey; the functions here walk the
journeys through a whole blueprint's branches (:func:`journey_scores`,
:func:`expected_scores`, :func:`contact_counts`), follow the customer spine
(:func:`emotion_curve`) or compare channels within a stage
(:func:`stage_spread`). They take ratings as a mapping of step id to rating
and fall back to each step's designed ``rating``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, Final, Protocol

import attrs

from servicebp.analysis._journeys import DEFAULT_JOURNEY_LIMIT
from servicebp.errors import RatingError
from servicebp.model._personas import as_persona
from servicebp.scoring import score, strategy_names
from servicebp.scoring._journey import journey_of, rating_table

if TYPE_CHECKING:
    from servicebp.model import Blueprint

__all__ = [
    "UNSPECIFIED",
    "CurvePoint",
    "EmotionCurve",
    "JourneyContacts",
    "JourneyScore",
    "PathLike",
    "StagePoint",
    "StageSpread",
    "contact_counts",
    "emotion_curve",
    "expected_scores",
    "journey_scores",
    "stage_spread",
]


class PathLike(Protocol):
    """A journey through a blueprint: step ids in order and a probability.

    :class:`servicebp.JourneyPath` is one.
    """

    @property
    def steps(self) -> tuple[str, ...]: ...  # pragma: no cover

    @property
    def probability(self) -> float: ...  # pragma: no cover


def _paths(bp: Blueprint, paths: Iterable[PathLike] | None, limit: int) -> tuple[PathLike, ...]:
    if paths is not None:
        return tuple(paths)
    # analysis.py may build on scoring (what-if scores), so import it late.
    from servicebp.analysis._journeys import journeys

    return tuple(journeys(bp, limit=limit))


def _expectation(pairs: Iterable[tuple[float, float]]) -> float | None:
    weighted = list(pairs)
    total = math.fsum(p for p, _ in weighted)
    if total <= 0:
        return None
    return math.fsum(p * v for p, v in weighted) / total


@attrs.frozen(kw_only=True)
class JourneyScore:
    """One journey through a blueprint with its probability and its score by strategy."""

    steps: tuple[str, ...]
    probability: float
    scores: dict[str, float] = attrs.field(hash=False)


def journey_scores(
    bp: Blueprint,
    *,
    ratings: Mapping[str, object] | None = None,
    strategies: Iterable[str] | None = None,
    journeys: Iterable[PathLike] | None = None,
    limit: int = DEFAULT_JOURNEY_LIMIT,
    persona: str | None = None,
) -> tuple[JourneyScore, ...]:
    """Score every journey through the blueprint's branches by each strategy.

    Parameters
    ----------
    bp : Blueprint
        The blueprint.
    ratings : mapping of str to float, optional
        Step id to rating (observed); other customer steps use their
        designed ``rating``.
    strategies : iterable of str, optional
        Strategy names; default all of :data:`STRATEGIES`.
    journeys : iterable of PathLike, optional
        The journeys to score; default :func:`servicebp.journeys`.
    limit : int
        Passed to :func:`servicebp.journeys`.
    persona : str, optional
        Whose journey: a persona the blueprint declares (its ratings,
        moment weights and waits); default the steps' own values.

    Raises
    ------
    RatingError
        For a journey step with no rating anywhere (all such steps named), a
        rated step that is not a customer step, or a rating off the scale.
    UnknownStepError
        For a rated step the blueprint does not have.
    UnknownStrategyError
        For an unknown strategy name.

    Examples
    --------
    >>> from servicebp import Blueprint, Step
    >>> bp = Blueprint("Coffee", stages=["order", "pay"])
    >>> for sid, stage, r in [("order", "order", 2), ("cash", "pay", -2), ("card", "pay", 1)]:
    ...     _ = bp.add_step(Step(id=sid, label=sid, lane="customer", stage=stage, rating=r))
    >>> _ = bp.connect("order", "cash", probability=0.25)
    >>> _ = bp.connect("order", "card")
    >>> for j in journey_scores(bp, strategies=["mean", "worst"]):
    ...     print(j.steps, j.probability, j.scores)
    ('order', 'cash') 0.25 {'mean': 0.0, 'worst': -2.0}
    ('order', 'card') 0.75 {'mean': 1.5, 'worst': 1.0}
    """
    bp = as_persona(bp, persona)
    names = strategy_names(strategies)
    table = rating_table(bp, ratings)
    paths = _paths(bp, journeys, limit)
    missing = sorted(
        {i for path in paths for i in path.steps if i in bp and i not in table},
        key=[s.id for s in bp].index,
    )
    if missing:
        # One message naming every unrated step, not one per journey.
        journey_of(bp, missing, table)
    result = []
    for path in paths:
        walk = journey_of(bp, path.steps, table)
        result.append(
            JourneyScore(
                steps=tuple(path.steps),
                probability=float(path.probability),
                scores={name: score(walk, strategy=name) for name in names},
            )
        )
    return tuple(result)


def expected_scores(
    bp: Blueprint,
    *,
    ratings: Mapping[str, object] | None = None,
    strategies: Iterable[str] | None = None,
    journeys: Iterable[PathLike] | None = None,
    limit: int = DEFAULT_JOURNEY_LIMIT,
    persona: str | None = None,
) -> dict[str, float]:
    """Return the expected journey score per strategy: ``Σ p_j s_j / Σ p_j``.

    The journeys' probabilities need not sum to 1 (customers may leave the
    service at a step); the expectation is over the customers who complete
    a journey. Parameters as for :func:`journey_scores`.

    When the customer steps loop (retry, rework) and *journeys* is not given,
    every journey is counted however often it loops, exactly, as an
    absorbing Markov chain (see :func:`servicebp.expected_visits`); a
    strategy registered by the caller then raises
    :class:`~servicebp.errors.LoopError` (pass ``journeys=journeys(bp)`` to
    score the bounded unrolling).

    Raises
    ------
    RatingError
        If no journey has a probability above 0, or as :func:`journey_scores`.

    Examples
    --------
    >>> from servicebp import Blueprint, Step
    >>> bp = Blueprint("Coffee", stages=["order", "pay"])
    >>> for sid, stage, r in [("order", "order", 2), ("cash", "pay", -2), ("card", "pay", 1)]:
    ...     _ = bp.add_step(Step(id=sid, label=sid, lane="customer", stage=stage, rating=r))
    >>> _ = bp.connect("order", "cash", probability=0.25)
    >>> _ = bp.connect("order", "card")
    >>> expected_scores(bp, strategies=["worst"])  # 0.25 × (−2) + 0.75 × 1
    {'worst': 0.25}
    """
    bp = as_persona(bp, persona)
    if journeys is None:
        from servicebp.analysis._customer_graph import has_customer_loop
        from servicebp.analysis._loops import loop_expected_scores

        if has_customer_loop(bp):
            # Every journey, however often it loops: the absorbing chain is exact.
            return loop_expected_scores(bp, rating_table(bp, ratings), strategy_names(strategies))
    scored = journey_scores(
        bp, ratings=ratings, strategies=strategies, journeys=journeys, limit=limit
    )
    names = strategy_names(strategies)
    result: dict[str, float] = {}
    for name in names:
        value = _expectation((j.probability, j.scores[name]) for j in scored)
        if value is None:
            raise RatingError(
                f"blueprint {bp.name!r}: no journey has a probability above 0, "
                "so there is no expected score"
            )
        result[name] = value
    return result


@attrs.frozen(kw_only=True)
class CurvePoint:
    """One customer step on the emotion curve (``rating`` is ``None`` when unrated)."""

    step: str
    label: str
    stage: str
    channel: str | None
    rating: float | None
    is_moment: bool


@attrs.frozen(kw_only=True)
class StagePoint:
    """One stage on the emotion curve: mean and worst rating of its rated customer steps."""

    stage: str
    mean: float | None
    worst: float | None
    rated: int
    steps: int


@attrs.frozen(kw_only=True)
class EmotionCurve:
    """The rating per customer step (in time order) and per stage, for a plot."""

    steps: tuple[CurvePoint, ...]
    stages: tuple[StagePoint, ...]

    def to_dict(self) -> dict[str, list[dict[str, Any]]]:
        """Return the curve as plain JSON-compatible data (lists of records).

        Examples
        --------
        >>> EmotionCurve(steps=(), stages=()).to_dict()
        {'steps': [], 'stages': []}
        """
        return {
            "steps": [attrs.asdict(p) for p in self.steps],
            "stages": [attrs.asdict(p) for p in self.stages],
        }


def emotion_curve(
    bp: Blueprint, *, ratings: Mapping[str, object] | None = None, persona: str | None = None
) -> EmotionCurve:
    """Return the emotion curve: the rating of each customer step and of each stage.

    Steps come in the order of the customer spine; a step without any
    rating is kept with ``rating=None`` (a gap in the curve, not a zero).
    A stage's figure is the mean and the worst of its rated customer steps,
    ``None`` when none is rated. With *persona*, the curve is that
    persona's (its ratings where it gives them): personas on one blueprint
    have one curve each.

    Examples
    --------
    >>> from servicebp import Blueprint, Step
    >>> bp = Blueprint("Coffee", stages=["order", "pay"])
    >>> _ = bp.add_step(Step(id="order", label="Order", lane="customer", stage="order", rating=2))
    >>> _ = bp.add_step(Step(id="pay", label="Pay", lane="customer", stage="pay"))
    >>> _ = bp.connect("order", "pay")
    >>> curve = emotion_curve(bp, ratings={"pay": -1})
    >>> [(p.step, p.rating) for p in curve.steps]
    [('order', 2.0), ('pay', -1.0)]
    >>> [(s.stage, s.mean) for s in curve.stages]
    [('order', 2.0), ('pay', -1.0)]
    """
    bp = as_persona(bp, persona)
    table = rating_table(bp, ratings)
    points = tuple(
        CurvePoint(
            step=s.id,
            label=s.label,
            stage=s.stage,
            channel=s.channel,
            rating=table.get(s.id),
            is_moment=s.is_moment,
        )
        for s in bp.customer_spine()
    )
    stages = []
    for stage in bp.stages:
        here = [p for p in points if p.stage == stage]
        rated = [p.rating for p in here if p.rating is not None]
        stages.append(
            StagePoint(
                stage=stage,
                mean=math.fsum(rated) / len(rated) if rated else None,
                worst=min(rated) if rated else None,
                rated=len(rated),
                steps=len(here),
            )
        )
    return EmotionCurve(steps=points, stages=tuple(stages))


#: The key used for a contact whose mode or channel the blueprint does not give.
UNSPECIFIED: Final = "unspecified"


@attrs.frozen(kw_only=True)
class JourneyContacts:
    """The contacts of one journey, in total and by contact mode and by channel."""

    steps: tuple[str, ...]
    probability: float
    total: int
    by_mode: dict[str, int] = attrs.field(hash=False)
    by_channel: dict[str, int] = attrs.field(hash=False)


def contact_counts(
    bp: Blueprint,
    *,
    journeys: Iterable[PathLike] | None = None,
    limit: int = DEFAULT_JOURNEY_LIMIT,
) -> tuple[JourneyContacts, ...]:
    """Count each journey's contacts, by contact mode and by channel.

    A contact is a flow across the line of interaction into or out of one
    of the journey's customer steps (Disney counted 74 face-to-face contacts
    per park visit, as the MOT training material reports). Its contact mode
    is the one of the customer step's moment tag, else of the other end's; its channel the customer
    step's, else the other end's; else ``"unspecified"``.

    Examples
    --------
    >>> from servicebp import Blueprint, Step, MomentOfTruth
    >>> bp = Blueprint("Bank", stages=["open"])
    >>> _ = bp.add_step(Step(id="apply", label="Apply", lane="customer", stage="open",
    ...                      channel="branch",
    ...                      moment=MomentOfTruth(kind="purchase",
    ...                                           contact_mode="interpersonal-direct")))
    >>> _ = bp.add_step(Step(id="teller", label="Teller", lane="frontstage", stage="open"))
    >>> _ = bp.add_step(Step(id="form", label="Form", lane="physical-evidence", stage="open"))
    >>> _ = bp.connect("apply", "teller", kind="support")
    >>> _ = bp.connect("form", "apply", kind="support")
    >>> (c,) = contact_counts(bp)
    >>> c.total, c.by_mode, c.by_channel
    (1, {'interpersonal-direct': 1}, {'branch': 1})
    """
    # Each step's contacts are counted once (a start with 5,000 branches was
    # recounted on each of its 5,000 journeys), then added up per journey in
    # the order met, so the dictionaries keep their first-met key order.
    own: dict[str, _StepContacts] = {}
    result = []
    for path in _paths(bp, journeys, limit):
        by_mode: dict[str, int] = {}
        by_channel: dict[str, int] = {}
        total = 0
        for step_id in path.steps:
            found = own.get(step_id)
            if found is None:
                found = own[step_id] = _step_contacts(bp, step_id)
            total += found.total
            for mode, n in found.by_mode.items():
                by_mode[mode] = by_mode.get(mode, 0) + n
            for channel, n in found.by_channel.items():
                by_channel[channel] = by_channel.get(channel, 0) + n
        result.append(
            JourneyContacts(
                steps=tuple(path.steps),
                probability=float(path.probability),
                total=total,
                by_mode=by_mode,
                by_channel=by_channel,
            )
        )
    return tuple(result)


@attrs.frozen(kw_only=True)
class _StepContacts:
    total: int
    by_mode: dict[str, int]
    by_channel: dict[str, int]


def _step_contacts(bp: Blueprint, step_id: str) -> _StepContacts:
    """The contacts of one customer step, by mode and by channel, in the order of its flows."""
    from servicebp.model import Line

    step = bp[step_id]
    by_mode: dict[str, int] = {}
    by_channel: dict[str, int] = {}
    total = 0
    for flow in (*bp.outgoing(step_id), *bp.incoming(step_id)):
        if Line.INTERACTION not in bp.lines_crossed(flow):
            continue
        other = bp[flow.target if flow.source == step_id else flow.source]
        mode = next(
            (
                s.moment.contact_mode.value
                for s in (step, other)
                if s.moment is not None and s.moment.contact_mode is not None
            ),
            UNSPECIFIED,
        )
        channel = step.channel or other.channel or UNSPECIFIED
        total += 1
        by_mode[mode] = by_mode.get(mode, 0) + 1
        by_channel[channel] = by_channel.get(channel, 0) + 1
    return _StepContacts(total=total, by_mode=by_mode, by_channel=by_channel)


@attrs.frozen(kw_only=True)
class StageSpread:
    """How one stage's ratings differ across channels (cross-channel consistency).

    ``by_channel`` maps each channel to the mean rating of the stage's rated
    customer steps on it; ``spread`` is the highest minus the lowest of
    those means (0 for one channel, ``None`` when nothing is rated);
    ``unrated`` names the customer steps without a rating.
    """

    stage: str
    by_channel: dict[str, float] = attrs.field(hash=False)
    spread: float | None
    unrated: tuple[str, ...]


def stage_spread(
    bp: Blueprint,
    stage: str,
    *,
    ratings: Mapping[str, object] | None = None,
    persona: str | None = None,
) -> StageSpread:
    """Return the score spread of *stage* across channels.

    The MOT training material asks for an experience consistent across channels; a stage
    served well in the branch and badly in the app shows a large spread.

    Raises
    ------
    BlueprintValidationError
        If *stage* is not a stage of the blueprint.

    Examples
    --------
    >>> from servicebp import Blueprint, Step
    >>> bp = Blueprint("Bank", stages=["apply"])
    >>> for sid, ch, r in [("b", "branch", 2), ("a1", "app", -1), ("a2", "app", 0)]:
    ...     _ = bp.add_step(Step(id=sid, label=sid, lane="customer", stage="apply",
    ...                          channel=ch, rating=r))
    >>> s = stage_spread(bp, "apply")
    >>> s.by_channel, s.spread  # app: (−1 + 0) / 2 = −0.5; 2 − (−0.5) = 2.5
    ({'branch': 2.0, 'app': -0.5}, 2.5)
    """
    from servicebp.model import Lane

    bp = as_persona(bp, persona)
    table = rating_table(bp, ratings)
    rated: dict[str, list[float]] = {}
    unrated: list[str] = []
    for step in bp.steps(lane=Lane.CUSTOMER, stage=stage):
        if step.id in table:
            rated.setdefault(step.channel or UNSPECIFIED, []).append(table[step.id])
        else:
            unrated.append(step.id)
    means = {channel: math.fsum(values) / len(values) for channel, values in rated.items()}
    spread = max(means.values()) - min(means.values()) if means else None
    return StageSpread(stage=stage, by_channel=means, spread=spread, unrated=tuple(unrated))
