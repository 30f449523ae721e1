"""Moments of truth: the decisive contacts between a customer and a provider.

A moment of truth (MOT, 关键时刻) is an instantaneous, decisive contact: a
turning point in the customer's relationship with the provider. This module
holds the tag a step carries when it is one: its :class:`MomentKind`, its
:class:`ContactMode`, its weight, the customer's :class:`Expectation` s and
which of the MOT behaviours Explore → Offer → Action → Confirm the design
covers.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Final

import attrs

from servicebp.errors import (
    ArgumentTypeError,
    BlueprintTypeError,
    BlueprintValidationError,
    RatingError,
    RubricError,
)
from servicebp.model._fields import check_amount
from servicebp.model._lanes import _reject_unknown
from servicebp.scales import RATING_MAX, RATING_MIN, check_rating

if TYPE_CHECKING:
    from servicebp.model._steps import Step

__all__ = [
    "FIRST_IMPRESSION",
    "RUBRICS",
    "Behaviour",
    "ContactMode",
    "Expectation",
    "ExpectationSource",
    "ExpectationType",
    "MomentKind",
    "MomentOfTruth",
    "Rubric",
    "get_rubric",
    "rate_moment",
    "register_rubric",
]


class MomentKind(enum.StrEnum):
    """What a moment of truth is about.

    The first four follow the customer's relationship (purchase, usage,
    service support, repurchase); the next three the contacts of leaders and
    customer communication (first contact, problem solving, follow-up); the
    last three are the industry's zero, first and second moments of truth.
    """

    PURCHASE = "purchase"
    USAGE = "usage"
    SERVICE_SUPPORT = "service-support"
    REPURCHASE = "repurchase"
    FIRST_CONTACT = "first-contact"
    PROBLEM_SOLVING = "problem-solving"
    FOLLOW_UP = "follow-up"
    ZMOT = "zmot"
    FMOT = "fmot"
    SMOT = "smot"

    _missing_ = classmethod(_reject_unknown)


class ContactMode(enum.StrEnum):
    """How the customer meets the provider, and so what decides the moment.

    * ``human-machine`` (ATM, vending machine, hotline menu): the quality of
      the technology decides.
    * ``interpersonal-indirect`` (phone, chat, e-mail): the person decides.
    * ``interpersonal-direct`` (face to face): appearance, behaviour and
      communication decide.
    """

    HUMAN_MACHINE = "human-machine"
    INTERPERSONAL_INDIRECT = "interpersonal-indirect"
    INTERPERSONAL_DIRECT = "interpersonal-direct"

    _missing_ = classmethod(_reject_unknown)


class Behaviour(enum.StrEnum):
    """The MOT behaviour model: Explore → Offer → Action → Confirm.

    Confirm is the step people skip; a moment without it is a design smell.
    """

    EXPLORE = "explore"
    OFFER = "offer"
    ACTION = "action"
    CONFIRM = "confirm"

    _missing_ = classmethod(_reject_unknown)


class ExpectationType(enum.StrEnum):
    """Whether the customer states an expectation or holds it unspoken."""

    EXPLICIT = "explicit"
    LATENT = "latent"

    _missing_ = classmethod(_reject_unknown)


class ExpectationSource(enum.StrEnum):
    """What sets a customer's expectation."""

    PROMISE = "promise"
    PRICE = "price"
    PAST_EXPERIENCE = "past-experience"

    _missing_ = classmethod(_reject_unknown)


def _finite_positive(instance: object, attribute: attrs.Attribute[float], value: float) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise BlueprintTypeError(f"{attribute.name} must be a number, not {type(value).__name__}")
    try:
        finite = math.isfinite(value)
    except OverflowError:  # an int beyond float range, e.g. 10**400
        finite = False
    if not finite or value <= 0:
        shown = "an integer beyond float range" if not finite and isinstance(value, int) else value
        raise BlueprintValidationError(
            f"{attribute.name} must be a finite number above 0, got {shown!r}"
        )
    check_amount(attribute.name, value)


def _text(instance: object, attribute: attrs.Attribute[str], value: object) -> None:
    if not isinstance(value, str):
        raise BlueprintTypeError(
            f"{attribute.name} must be a string, not {type(value).__name__} ({value!r})"
        )


@attrs.frozen(kw_only=True)
class Expectation:
    """What a customer expects at a moment, and where the expectation comes from.

    Examples
    --------
    >>> Expectation(text="Card arrives within a week", type="explicit", source="promise")
    Expectation(text='Card arrives within a week', type=<ExpectationType.EXPLICIT: 'explicit'>, source=<ExpectationSource.PROMISE: 'promise'>)
    """  # noqa: E501

    text: str = attrs.field(validator=_text)
    type: ExpectationType = attrs.field(converter=ExpectationType)
    source: ExpectationSource | None = attrs.field(
        default=None, converter=attrs.converters.optional(ExpectationSource)
    )


def _behaviours(value: object) -> tuple[Behaviour, ...]:
    if isinstance(value, str):
        raise BlueprintTypeError("behaviours must be a sequence of behaviour names, not one string")
    if not isinstance(value, Iterable):
        raise BlueprintTypeError(
            f"behaviours must be a sequence of behaviour names, not {type(value).__name__}"
        )
    found = {Behaviour(v) for v in value}
    return tuple(b for b in Behaviour if b in found)


def _expectations(value: object) -> tuple[Expectation, ...]:
    if isinstance(value, str | Mapping) or not isinstance(value, Iterable):
        raise BlueprintTypeError(
            f"expectations must be a sequence of Expectations, not {type(value).__name__}"
        )
    found = tuple(value)
    for item in found:
        if not isinstance(item, Expectation):
            raise BlueprintTypeError(
                f"expectations must be Expectations, not {type(item).__name__} ({item!r})"
            )
    return found


def _rubric_name(instance: object, attribute: attrs.Attribute[str | None], value: object) -> None:
    if value is not None and not isinstance(value, str):
        raise BlueprintTypeError(
            f"{attribute.name} must be a rubric name (a string), not {type(value).__name__} "
            f"({value!r})"
        )


@attrs.frozen(kw_only=True)
class MomentOfTruth:
    """The tag of a step that is a moment of truth.

    Parameters
    ----------
    kind : MomentKind or str
        What the moment is about.
    contact_mode : ContactMode or str, optional
        How the customer meets the provider there.
    weight : float
        Importance of the moment in weighted journey scores (default 1).
    expectations : sequence of Expectation
        What the customer expects there.
    behaviours : sequence of Behaviour or str
        Which of Explore / Offer / Action / Confirm the design covers, kept
        in the model's order.
    rubric : str, optional
        Name of a rubric that turns sub-ratings into this moment's rating.

    Examples
    --------
    >>> m = MomentOfTruth(kind="first-contact", contact_mode="interpersonal-direct",
    ...                   behaviours=["confirm", "explore"])
    >>> m.behaviours
    (<Behaviour.EXPLORE: 'explore'>, <Behaviour.CONFIRM: 'confirm'>)
    >>> m.covers(Behaviour.OFFER)
    False
    """

    kind: MomentKind = attrs.field(converter=MomentKind)
    contact_mode: ContactMode | None = attrs.field(
        default=None, converter=attrs.converters.optional(ContactMode)
    )
    weight: float = attrs.field(default=1.0, validator=_finite_positive)
    expectations: tuple[Expectation, ...] = attrs.field(default=(), converter=_expectations)
    behaviours: tuple[Behaviour, ...] = attrs.field(default=(), converter=_behaviours)
    rubric: str | None = attrs.field(default=None, validator=_rubric_name)

    def covers(self, behaviour: Behaviour | str) -> bool:
        """Return whether the design covers *behaviour* at this moment."""
        return Behaviour(behaviour) in self.behaviours


# --- rubrics ------------------------------------------------------------------

#: Slack allowed when a rubric's weights are summed.
WEIGHT_TOLERANCE: Final = 1e-9


def _criteria(value: object) -> tuple[tuple[str, float], ...]:
    if isinstance(value, Mapping):
        return tuple(value.items())
    if isinstance(value, str):
        raise RubricError("criteria must map criterion names to weights, not be one string")
    try:
        return tuple((name, weight) for name, weight in value)  # type: ignore[attr-defined]
    except (TypeError, ValueError):
        raise RubricError(
            f"criteria must map criterion names to weights, not {type(value).__name__}"
        ) from None


@attrs.frozen(kw_only=True)
class Rubric:
    """Weighted criteria that turn sub-ratings into one rating on −3…+3.

    A face-to-face moment is judged on several things at once; a rubric
    rates each (all on −3…+3) and weighs them. The weights are positive and
    sum to 1, so the rating is a weighted mean and stays on the scale.

    Parameters
    ----------
    name : str
        The name moments refer to (``MomentOfTruth(rubric=...)``).
    criteria : mapping of str to float
        Criterion name to weight, in the order they are shown.

    Raises
    ------
    RubricError
        No criteria, a criterion named twice or not by a non-empty string, a
        weight that is not a finite positive number, or weights whose sum is
        not 1. All problems are named in one message.

    Examples
    --------
    >>> r = Rubric(name="phone", criteria={"tone": 0.6, "accuracy": 0.4})
    >>> round(r.rate({"tone": 2, "accuracy": -1}), 9)  # 0.6 × 2 + 0.4 × (−1) = 0.8
    0.8
    >>> Rubric(name="bad", criteria={"a": 0.5, "b": 0.4})
    Traceback (most recent call last):
    ...
    servicebp.errors.RubricError: rubric 'bad': weights sum to 0.9, not 1 ({'a': 0.5, 'b': 0.4})
    """

    name: str = attrs.field()
    criteria: tuple[tuple[str, float], ...] = attrs.field(converter=_criteria)

    @name.validator
    def _check_name(self, attribute: attrs.Attribute[str], value: object) -> None:
        if not isinstance(value, str) or not value.strip():
            raise RubricError(f"a rubric's name must be a non-empty string, got {value!r}")

    @criteria.validator
    def _check_criteria(
        self, attribute: attrs.Attribute[tuple[tuple[str, float], ...]], value: object
    ) -> None:
        criteria: tuple[tuple[object, object], ...] = value  # type: ignore[assignment]
        found: list[str] = []
        if not criteria:
            found.append("has no criteria")
        seen: set[object] = set()
        for name, weight in criteria:
            if not isinstance(name, str) or not name.strip():
                found.append(f"criterion name {name!r} is not a non-empty string")
            elif name in seen:
                found.append(f"criterion {name!r} is listed twice")
            seen.add(name)
            if (
                isinstance(weight, bool)
                or not isinstance(weight, int | float)
                or not math.isfinite(weight)
                or weight <= 0
            ):
                found.append(f"weight of {name!r} must be a finite number above 0, got {weight!r}")
        if not found:
            total = math.fsum(w for _, w in criteria)  # type: ignore[misc]
            if abs(total - 1) > WEIGHT_TOLERANCE:
                found.append(f"weights sum to {total:g}, not 1 ({dict(criteria)})")
        if found:
            raise RubricError("; ".join(f"rubric {self.name!r}: {f}" for f in found))

    @property
    def weights(self) -> dict[str, float]:
        """Criterion name to weight, in the rubric's order."""
        return dict(self.criteria)

    def rate(self, sub_ratings: Mapping[str, object]) -> float:
        """Return the weighted rating of *sub_ratings*, one per criterion, on −3…+3.

        Parameters
        ----------
        sub_ratings : mapping of str to float
            Criterion name to its rating on −3…+3; every criterion exactly once.

        Raises
        ------
        RatingError
            A criterion missing or not in the rubric, or a sub-rating that is
            not a number on −3…+3.

        Examples
        --------
        >>> FIRST_IMPRESSION.rate({"appearance": 3, "behaviour": 1, "communication": -1})
        1.74
        """
        if not isinstance(sub_ratings, Mapping):
            raise RatingError(
                f"rubric {self.name!r}: sub-ratings must map criteria to ratings, "
                f"not {type(sub_ratings).__name__}"
            )
        weights = self.weights
        missing = [c for c in weights if c not in sub_ratings]
        extra = [c for c in sub_ratings if c not in weights]
        if missing or extra:
            parts = []
            if missing:
                parts.append(f"missing {missing}")
            if extra:
                parts.append(f"not criteria of the rubric {extra}")
            raise RatingError(
                f"rubric {self.name!r}: sub-ratings {' and '.join(parts)} "
                f"(the criteria are {list(weights)})"
            )
        ratings = {
            c: check_rating(sub_ratings[c], where=f"rubric {self.name!r}: criterion {c!r}")
            for c in weights
        }
        value = math.fsum(weights[c] * ratings[c] for c in weights)
        # A weighted mean lies between the lowest and highest sub-rating; the
        # weights sum to 1 only up to WEIGHT_TOLERANCE, so keep the rounding
        # from stepping outside (the inputs themselves were checked above).
        low, high = min(ratings.values()), max(ratings.values())
        return min(max(value, low, RATING_MIN), high, RATING_MAX)


#: The first-impression rubric for face-to-face moments (MOT training material):
#: appearance 52 %, behaviour 33 %, communication 15 %.
FIRST_IMPRESSION: Final = Rubric(
    name="first-impression",
    criteria={"appearance": 0.52, "behaviour": 0.33, "communication": 0.15},
)

_RUBRICS: dict[str, Rubric] = {FIRST_IMPRESSION.name: FIRST_IMPRESSION}
#: The registered rubrics by name (read-only; add with :func:`register_rubric`).
RUBRICS: Final[Mapping[str, Rubric]] = MappingProxyType(_RUBRICS)


def register_rubric(rubric: Rubric, *, replace: bool = False) -> Rubric:
    """Register *rubric* under its name, so moments can refer to it.

    Raises
    ------
    RubricError
        If a rubric of that name exists and *replace* is false.
    ArgumentTypeError
        If *rubric* is not a :class:`Rubric`.

    Examples
    --------
    >>> _ = register_rubric(Rubric(name="doc-phone", criteria={"tone": 1}))
    >>> get_rubric("doc-phone").weights
    {'tone': 1}
    """
    if not isinstance(rubric, Rubric):
        raise ArgumentTypeError(
            f"register_rubric() takes a Rubric, not {type(rubric).__name__} ({rubric!r}); "
            "build one with Rubric(name=..., criteria={...})"
        )
    if rubric.name in _RUBRICS and not replace and _RUBRICS[rubric.name] != rubric:
        raise RubricError(
            f"a rubric named {rubric.name!r} is registered already; pass replace=True"
        )
    _RUBRICS[rubric.name] = rubric
    return rubric


def get_rubric(name: str) -> Rubric:
    """Return the registered rubric called *name*.

    Raises
    ------
    RubricError
        If none is; the message lists the registered names.

    Examples
    --------
    >>> get_rubric("first-impression").weights["appearance"]
    0.52
    """
    try:
        return _RUBRICS[name]
    except (KeyError, TypeError):
        raise RubricError(f"unknown rubric: {name!r} (must be one of {sorted(_RUBRICS)})") from None


def rate_moment(
    step: Step, sub_ratings: Mapping[str, object], *, rubric: Rubric | str | None = None
) -> float:
    """Rate a moment-of-truth step from sub-ratings, through its rubric.

    The rubric is *rubric* when given, else the one the step's moment names.

    Raises
    ------
    RubricError
        If the step is no moment, or neither names a registered rubric.
    RatingError
        If the sub-ratings do not fit the rubric.

    Examples
    --------
    >>> from servicebp import Step
    >>> s = Step(id="greet", label="Greeting", lane="customer", stage="arrive",
    ...          moment=MomentOfTruth(kind="first-contact", rubric="first-impression"))
    >>> rate_moment(s, {"appearance": 1, "behaviour": 1, "communication": 1})
    1.0
    """
    if rubric is None:
        if step.moment is None or step.moment.rubric is None:
            raise RubricError(
                f"step {step.id!r}: no rubric given and "
                + (
                    "the step is not a moment of truth"
                    if step.moment is None
                    else "its moment names none"
                )
            )
        rubric = step.moment.rubric
    chosen = rubric if isinstance(rubric, Rubric) else get_rubric(rubric)
    return chosen.rate(sub_ratings)
