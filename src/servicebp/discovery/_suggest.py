"""Suggested moments of truth: the customer-facing steps ranked by what the data say.

Private: re-exported by :mod:`servicebp.discovery`.

The MOT training material asks that moments of truth be found from customer
feedback, satisfaction surveys and behaviour data, not only by workshop
guesswork. :func:`suggest_moments` ranks the blueprint's customer-facing steps
by the evidence of an observed-journey table (key drivers of the ratings
toward the outcome, times reach; exact Markov removal effects for a 0/1
outcome) and suggests :class:`~servicebp.MomentOfTruth` tags with the reasons;
:func:`apply_moments` applies them to a copy of the blueprint.
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence
from typing import Any, Final

import attrs
import numpy as np

from servicebp.discovery._drivers import DRIVER_METHODS, KeyDriver, key_drivers
from servicebp.discovery._journey_log import JourneyLog, read_journey_log
from servicebp.discovery._removal import markov_model
from servicebp.errors import InvalidArgumentError, ObservedDataError, UnknownStrategyError
from servicebp.model import Blueprint, ContactMode, Lane, MomentKind, MomentOfTruth, Step

__all__ = ["MomentSuggestion", "apply_moments", "suggest_moments"]


@attrs.frozen(kw_only=True)
class MomentSuggestion:
    """One customer-facing step, ranked by the data, with the evidence.

    Attributes
    ----------
    step : str
        The step id.
    rank : int
        1 for the strongest signal.
    suggested : bool
        Whether the data suggest tagging the step as a *new* moment of truth
        (one of at most ``top``); never for a step tagged already.
    supported : bool
        Whether the evidence clears the bar, tagged or not (for a step tagged
        already, whether the data confirm its tag): with ratings, the
        key-driver coefficient's bootstrap interval (Bonferroni-adjusted over
        the rated steps) lies on the good side of 0; without them, a removal
        effect of at least ``min_removal_effect`` that is not tied with the
        steps every journey passes.
    signal : str
        What ranks the step: ``"key_driver"`` (its ratings), else
        ``"removal_effect"`` (a 0/1 outcome) or ``"none"``.
    score : float or None
        The value of that signal: the driver's importance, signed toward the
        good outcome, times the share of journeys that go through the step
        (its reach); or the removal effect. None without evidence (a removal
        effect tied with every all-pass step is no evidence).
    journeys : int
        Observed journeys that reached the step.
    removal_effect : float or None
        The step's exact removal effect (0/1 outcome).
    driver : KeyDriver or None
        The step's key-driver figures (when ratings were observed).
    moment : MomentOfTruth
        The tag to apply (the step's own tag when it has one already).
    already_tagged : bool
        Whether the blueprint tags the step as a moment already.
    reasons : tuple of str
        The evidence, in words.
    """

    step: str
    rank: int
    suggested: bool
    supported: bool
    signal: str
    score: float | None
    journeys: int
    removal_effect: float | None
    driver: KeyDriver | None
    moment: MomentOfTruth
    already_tagged: bool
    reasons: tuple[str, ...]


#: Channel words that tell the contact mode of a suggested moment.
_CHANNEL_MODES: Final = {
    ContactMode.HUMAN_MACHINE: (
        "app",
        "web",
        "website",
        "atm",
        "kiosk",
        "ivr",
        "machine",
        "online",
    ),
    ContactMode.INTERPERSONAL_INDIRECT: ("phone", "call", "chat", "email", "e-mail", "mail"),
    ContactMode.INTERPERSONAL_DIRECT: ("branch", "desk", "counter", "store", "face-to-face"),
}


def _contact_mode(channel: str | None) -> ContactMode | None:
    if channel is None:
        return None
    words = channel.lower()
    for mode, names in _CHANNEL_MODES.items():
        if any(name in words for name in names):
            return mode
    return None


def _customer_facing(bp: Blueprint) -> list[Step]:
    return [*bp.customer_spine(), *bp.steps(lane=Lane.FRONTSTAGE)]


def suggest_moments(
    bp: Blueprint,
    table: Any,
    *,
    outcome: str,
    journey: str = "journey",
    step: str = "step",
    order: str | None = None,
    rating: str | None = None,
    top: int = 3,
    min_removal_effect: float = 0.1,
    kind: MomentKind | str = MomentKind.USAGE,
    higher_is_better: bool = True,
    method: str = "regression",
    resamples: int = 1000,
    confidence: float = 0.95,
    seed: int = 0,
) -> tuple[MomentSuggestion, ...]:
    """Rank the blueprint's customer-facing steps by what the data say decides the outcome.

    Parameters
    ----------
    bp : Blueprint
        The designed service.
    table : str, os.PathLike, DataFrame or mapping
        An observed-journey table, one row per event: journey id, step id,
        order or timestamp, optionally a rating, and the outcome (the same on
        every row of a journey). Read as :func:`servicebp.score_observed`
        reads it; a blank (or NaN) rating means the step was not rated.
    outcome : str
        The outcome column: 0/1 (yes/no, true/false) for conversion or churn,
        any other numbers for satisfaction.
    journey, step : str
        The journey-id and step-id columns.
    order : str, optional
        The column that orders events in a journey (numbers, datetimes or
        ISO 8601 times); by default ``order``, else ``timestamp``. A table
        with neither is an error, as for :func:`servicebp.score_observed`:
        row order is never taken for time order.
    rating : str, optional
        The rating column; by default ``rating`` if present.
    top : int
        At most this many untagged steps are suggested (a whole number ≥ 0);
        steps tagged already do not count toward it.
    min_removal_effect : float
        A step without ratings is suggested on a 0/1 outcome only if removing
        it loses at least this share of the outcome.
    kind : MomentKind or str
        The kind given to suggested moments; entry steps of the customer
        journey are suggested as ``first-contact``.
    higher_is_better : bool
        Whether 1 (or a higher outcome) is the good result: False for churn
        or complaints, so a step whose better ratings go with less churn is a
        driver and a removal effect is said to raise the outcome.
    method : str
        The key-driver method (see :func:`key_drivers`).
    resamples, seed : int
        The key-driver bootstrap (see :func:`key_drivers`); it runs only when
        there are ratings, whose support it decides (with ``resamples=0`` no
        driver is supported).
    confidence : float
        The family-wise confidence of the drivers' intervals: each of the *m*
        rated steps is tested at ``1 − (1 − confidence) / m`` (Bonferroni).

    Returns
    -------
    tuple of MomentSuggestion
        Every customer-facing step (customer and frontstage lanes), best
        first. With ratings, steps are ranked by key-driver importance
        toward the good outcome times reach, for a 0/1 outcome as for any
        other; steps without ratings follow, by removal effect (0/1 outcome),
        then steps without evidence. A removal effect tied with every step all
        journeys pass (each is ≈ 1 on a linear journey) is no evidence. Each
        step's key-driver figures rest on the journeys that went through it
        (``driver.regression_n``), so steps on different branches of the
        blueprint are all ranked.

    Raises
    ------
    InvalidArgumentError
        *top* is not a whole number ≥ 0.
    ObservedDataError
        A missing column, a step the blueprint does not have (all are
        listed), an outcome that is not a number or differs within a
        journey, or no evidence at all (a numeric outcome without ratings).

    Examples
    --------
    >>> from servicebp import Blueprint, Step
    >>> bp = Blueprint("Shop", stages=["s"])
    >>> for sid in ("browse", "ask", "pay"):
    ...     _ = bp.add_step(Step(id=sid, label=sid, lane="customer", stage="s"))
    >>> events = {"journey": [1, 1, 1, 2, 2, 3, 3], "step": ["browse", "ask", "pay",
    ...           "browse", "pay", "browse", "ask"], "order": [1, 2, 3, 1, 2, 1, 2],
    ...           "bought": [1, 1, 1, 0, 0, 1, 1]}
    >>> found = suggest_moments(bp, events, outcome="bought", top=1)
    >>> [(s.step, s.suggested, s.score) for s in found]
    [('ask', True, 0.75), ('pay', False, 0.5), ('browse', False, None)]

    Every journey passes ``browse``, so its removal effect (1, as for any
    such step) is no evidence:

    >>> found[-1].reasons[0][:58]
    'removal effect 1.000, the same as every step all journeys '

    """
    _check_options(top, higher_is_better, confidence, method)
    log = read_journey_log(
        bp, table, outcome=outcome, journey=journey, step=step, order=order, rating=rating
    )
    facing = _customer_facing(bp)
    evidence = _Evidence(
        visits=log.visits([s.id for s in facing]),
        journeys=log.journeys,
        effects=_removal_effects(log),
        direction=1.0 if higher_is_better else -1.0,
        drivers=_drivers(log, facing, method, resamples, confidence, seed),
    )
    _check_evidence(log, evidence, outcome)
    tags = _Tagging(
        entries=frozenset(s.id for s in bp.entry_steps()),
        kind=MomentKind(kind),
        outcome=outcome,
        higher_is_better=higher_is_better,
        level=1 - (1 - confidence) / max(len(evidence.drivers), 1),
        min_removal_effect=min_removal_effect,
        binary=log.binary,
    )
    suggestions: list[MomentSuggestion] = []
    chosen = 0
    for rank, item in enumerate(sorted(facing, key=evidence.order_key), start=1):
        suggestion = _suggestion(item, rank, evidence, tags, room=chosen < top)
        chosen += suggestion.suggested
        suggestions.append(suggestion)
    return tuple(suggestions)


def _check_options(top: object, higher_is_better: object, confidence: float, method: str) -> None:
    if isinstance(top, bool) or not isinstance(top, numbers.Integral) or top < 0:
        raise InvalidArgumentError(f"top must be a whole number ≥ 0, got {top!r}")
    if not isinstance(higher_is_better, bool):
        raise InvalidArgumentError(
            f"higher_is_better must be True or False, got {higher_is_better!r}"
        )
    if not 0 < confidence < 1:
        raise InvalidArgumentError(f"confidence must lie in (0, 1), got {confidence!r}")
    if method not in DRIVER_METHODS:
        raise UnknownStrategyError(
            f"unknown key-driver method: {method!r} (must be one of {sorted(DRIVER_METHODS)})"
        )


def _removal_effects(log: JourneyLog) -> dict[str, float]:
    """The exact Markov removal effects of a 0/1 outcome (none for another outcome)."""
    if not log.binary or not log.outcome.any():
        return {}
    return markov_model(log.paths(), log.outcome).removal_effects


def _drivers(
    log: JourneyLog,
    facing: Sequence[Step],
    method: str,
    resamples: int,
    confidence: float,
    seed: int,
) -> dict[str, KeyDriver]:
    """The key drivers of the rated customer-facing steps, over the journeys that went through."""
    rated, means, went = log.mean_ratings([s.id for s in facing])
    if not rated:
        return {}
    found = key_drivers(
        {sid: means[:, k] for k, sid in enumerate(rated)},
        log.outcome,
        visited=went,
        method=method,
        resamples=resamples,
        # Bonferroni: every rated step is tested, the family at *confidence*.
        confidence=1 - (1 - confidence) / len(rated),
        seed=seed,
    )
    return {d.step: d for d in found}


def _check_evidence(log: JourneyLog, evidence: _Evidence, outcome: str) -> None:
    if not log.binary and not evidence.drivers:
        raise ObservedDataError(
            f"outcome {outcome!r} is not 0/1, so the steps need ratings to be ranked; "
            f"give a rating column (the table has {log.columns!r})"
        )
    if log.binary and not evidence.effects and not evidence.drivers:
        raise ObservedDataError(
            f"outcome {outcome!r} is 0 in every journey and there are no ratings: "
            "nothing tells the steps apart"
        )


@attrs.frozen(kw_only=True)
class _Evidence:
    """What the data say of each customer-facing step: reach, removal effect, key driver."""

    visits: dict[str, int]
    journeys: int
    effects: dict[str, float]
    drivers: dict[str, KeyDriver]
    direction: float

    def reach(self, sid: str) -> float:
        return self.visits[sid] / self.journeys

    def tied(self, sid: str) -> bool:
        # Removing a step every journey passes removes every journey: its removal
        # effect is the same (1, up to rounding) for each such step, whatever it does.
        return self.visits.get(sid) == self.journeys

    def score_of(self, sid: str) -> tuple[int, float] | None:
        d = self.drivers.get(sid)
        if d is not None and d.importance is not None and d.coefficient is not None:
            sign = np.sign(d.coefficient) * self.direction
            return 0, float(sign * abs(d.importance) * self.reach(sid))
        if sid in self.effects and not self.tied(sid):
            return 1, self.effects[sid]
        return None

    def order_key(self, item: Step) -> tuple[int, float]:
        found = self.score_of(item.id)
        return (2, 0.0) if found is None else (found[0], -found[1])

    def strong(self, sid: str, min_removal_effect: float) -> bool:
        """Whether the evidence clears the bar (see :attr:`MomentSuggestion.supported`)."""
        scored = self.score_of(sid)
        if scored is not None and scored[0] == 0:
            driver = self.drivers[sid]
            return (
                driver.ci_low is not None
                and driver.ci_high is not None
                and (driver.ci_low > 0 if self.direction > 0 else driver.ci_high < 0)
            )
        return scored is not None and scored[1] >= min_removal_effect


@attrs.frozen(kw_only=True)
class _Tagging:
    """The options that turn evidence into a suggestion and its words."""

    entries: frozenset[str]
    kind: MomentKind
    outcome: str
    higher_is_better: bool
    level: float
    min_removal_effect: float
    binary: bool


def _reasons(item: Step, evidence: _Evidence, tags: _Tagging, strong: bool) -> tuple[str, ...]:
    driver = evidence.drivers.get(item.id)
    effect = evidence.effects.get(item.id)
    reasons: list[str] = []
    if driver is not None and driver.coefficient is not None:
        tested = len(evidence.drivers)
        reach = evidence.reach(item.id)
        reasons.append(_driver_reason(driver, tags.outcome, tags.level, tested, reach))
    if effect is not None:
        tied = evidence.tied(item.id)
        reasons.append(_removal_reason(effect, tags.outcome, tags.higher_is_better, tied))
    if evidence.visits[item.id] == 0:
        reasons.append("never observed")
    if item.moment is not None:
        reasons.append(
            "tagged as a moment already"
            + ("; the data confirm it" if strong else "; the data do not single it out")
        )
    return tuple(reasons)


def _suggestion(
    item: Step, rank: int, evidence: _Evidence, tags: _Tagging, *, room: bool
) -> MomentSuggestion:
    """The suggestion for *item* at *rank*; *room* says fewer than ``top`` are suggested so far."""
    scored = evidence.score_of(item.id)
    strong = evidence.strong(item.id, tags.min_removal_effect)
    by_driver = scored is not None and scored[0] == 0
    return MomentSuggestion(
        step=item.id,
        rank=rank,
        suggested=strong and item.moment is None and room,
        supported=strong,
        signal="key_driver" if by_driver else "removal_effect" if tags.binary else "none",
        score=None if scored is None else scored[1],
        journeys=evidence.visits[item.id],
        removal_effect=evidence.effects.get(item.id),
        driver=evidence.drivers.get(item.id),
        moment=item.moment
        or MomentOfTruth(
            kind=MomentKind.FIRST_CONTACT if item.id in tags.entries else tags.kind,
            contact_mode=_contact_mode(item.channel),
        ),
        already_tagged=item.moment is not None,
        reasons=_reasons(item, evidence, tags, strong),
    )


def _driver_reason(driver: KeyDriver, outcome: str, level: float, tested: int, reach: float) -> str:
    beta = driver.coefficient
    assert beta is not None
    interval = (
        ""
        if driver.ci_low is None or driver.ci_high is None
        else f", {level:.1%} CI {driver.ci_low:.3f} to {driver.ci_high:.3f}"
        + (f" (Bonferroni over {tested} rated steps)" if tested > 1 else "")
    )
    went = (
        f" of {driver.regression_n} that went through it" if driver.regression_n != driver.n else ""
    )
    controls = f", controlling for {', '.join(driver.controls)}" if driver.controls else ""
    importance = (
        ""
        if driver.method == "regression" or driver.importance is None
        else f"; {DRIVER_METHODS[driver.method]} {driver.importance:.3f}"
    )
    return (
        f"key driver: a rating one standard deviation higher goes with {outcome!r} "
        f"{abs(beta):.2f} standard deviations {'higher' if beta > 0 else 'lower'} "
        f"(standardised coefficient {beta:.3f}{interval}, "
        f"n={driver.n} journeys that rated it{went}{controls}"
        + ("" if driver.correlation is None else f", r={driver.correlation:.3f}")
        + f"){importance}; {reach:.0%} of journeys go through it"
    )


def _removal_reason(effect: float, outcome: str, higher_is_better: bool, tied: bool) -> str:
    if tied:
        return (
            f"removal effect {effect:.3f}, the same as every step all journeys pass "
            f"(removing one removes every journey), so it says nothing about {outcome!r}"
        )
    what = "leads to" if higher_is_better else "raises"
    return (
        f"removal effect {effect:.3f}: without this step P({outcome}) falls by {effect:.1%} "
        f"in the Markov model of the journeys, so the step {what} {outcome!r}"
    )


def apply_moments(bp: Blueprint, suggestions: Sequence[MomentSuggestion]) -> Blueprint:
    """Return a copy of *bp* with the suggested moments tagged (*bp* is unchanged).

    Only suggestions with ``suggested`` set are applied; steps tagged
    already keep their own tag.

    Examples
    --------
    >>> from servicebp import Blueprint, Step
    >>> bp = Blueprint("Shop", stages=["s"])
    >>> for sid in ("browse", "ask"):
    ...     _ = bp.add_step(Step(id=sid, label=sid, lane="customer", stage="s"))
    >>> found = suggest_moments(bp, {"journey": [1, 1, 2], "step": ["browse", "ask", "browse"],
    ...                              "order": [1, 2, 1], "bought": [1, 1, 0]}, outcome="bought")
    >>> tagged = apply_moments(bp, found)
    >>> [s.id for s in tagged.moments()], bp.moments()
    (['ask'], ())
    """
    new = bp.copy()
    for suggestion in suggestions:
        if suggestion.suggested and not suggestion.already_tagged:
            new.replace_step(new[suggestion.step].evolve(moment=suggestion.moment))
    return new
