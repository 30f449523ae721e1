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

import attrs

__all__ = [
    "Behaviour",
    "ContactMode",
    "Expectation",
    "ExpectationSource",
    "ExpectationType",
    "MomentKind",
    "MomentOfTruth",
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


class Behaviour(enum.StrEnum):
    """The MOT behaviour model: Explore → Offer → Action → Confirm.

    Confirm is the step people skip; a moment without it is a design smell.
    """

    EXPLORE = "explore"
    OFFER = "offer"
    ACTION = "action"
    CONFIRM = "confirm"


class ExpectationType(enum.StrEnum):
    """Whether the customer states an expectation or holds it unspoken."""

    EXPLICIT = "explicit"
    LATENT = "latent"


class ExpectationSource(enum.StrEnum):
    """What sets a customer's expectation."""

    PROMISE = "promise"
    PRICE = "price"
    PAST_EXPERIENCE = "past-experience"


def _finite_positive(instance: object, attribute: attrs.Attribute[float], value: float) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"{attribute.name} must be a number, not {type(value).__name__}")
    if not math.isfinite(value) or value <= 0:
        raise ValueError(f"{attribute.name} must be a finite number above 0, got {value!r}")


@attrs.frozen(kw_only=True)
class Expectation:
    """What a customer expects at a moment, and where the expectation comes from.

    Examples
    --------
    >>> Expectation(text="Card arrives within a week", type="explicit", source="promise")
    Expectation(text='Card arrives within a week', type=<ExpectationType.EXPLICIT: 'explicit'>, source=<ExpectationSource.PROMISE: 'promise'>)
    """  # noqa: E501

    text: str = attrs.field(validator=attrs.validators.instance_of(str))
    type: ExpectationType = attrs.field(converter=ExpectationType)
    source: ExpectationSource | None = attrs.field(
        default=None, converter=attrs.converters.optional(ExpectationSource)
    )


def _behaviours(value: object) -> tuple[Behaviour, ...]:
    if isinstance(value, str):
        raise TypeError("behaviours must be a sequence of behaviour names, not one string")
    found = {Behaviour(v) for v in value}  # type: ignore[attr-defined]
    return tuple(b for b in Behaviour if b in found)


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
    expectations: tuple[Expectation, ...] = attrs.field(
        default=(),
        converter=tuple,
        validator=attrs.validators.deep_iterable(attrs.validators.instance_of(Expectation)),
    )
    behaviours: tuple[Behaviour, ...] = attrs.field(default=(), converter=_behaviours)
    rubric: str | None = attrs.field(
        default=None, validator=attrs.validators.optional(attrs.validators.instance_of(str))
    )

    def covers(self, behaviour: Behaviour | str) -> bool:
        """Return whether the design covers *behaviour* at this moment."""
        return Behaviour(behaviour) in self.behaviours
