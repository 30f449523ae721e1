"""The values a blueprint holds: steps with their waits and fail points, and flows.

Durations, waits and tolerances are in minutes.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from servicebp.errors import BlueprintTypeError, BlueprintValidationError, Problem
from servicebp.model._fields import (
    FrozenMap,
    _attributes,
    _check_identifier,
    _each_label,
    _id,
    _json_data,
    _label,
    _line,
    _non_negative,
    _optional_instance,
    _optional_text,
    _probability,
    _rating,
    _text_tuple,
    nfc,
)
from servicebp.model._lanes import FlowKind, Lane
from servicebp.model._moments import MomentOfTruth, _finite_positive

__all__ = ["FailPoint", "Flow", "PersonaValues", "Step", "Wait"]


def _placeable_moment(instance: Step, attribute: attrs.Attribute[Any], value: object) -> None:
    # Evidence is a thing the customer sees or holds, never a contact.
    if value is not None and instance.lane is Lane.PHYSICAL_EVIDENCE:
        raise BlueprintValidationError(
            [
                Problem(
                    message="a moment of truth cannot sit on physical evidence; "
                    "tag the customer step it belongs to",
                    step=instance.id,
                    field="moment",
                )
            ]
        )


# --- values -----------------------------------------------------------------


@attrs.frozen(kw_only=True)
class Wait:
    """A wait the customer goes through (Shostack's W marker).

    Parameters
    ----------
    duration : float
        How long the customer waits, in minutes.
    tolerance : float, optional
        The longest wait the customer tolerates, in minutes.

    Examples
    --------
    >>> Wait(duration=12, tolerance=10).over_tolerance
    True
    """

    duration: float = attrs.field(validator=_non_negative)
    tolerance: float | None = attrs.field(default=None, validator=_non_negative)

    @property
    def over_tolerance(self) -> bool:
        """Whether the wait is longer than the customer tolerates."""
        return self.tolerance is not None and self.duration > self.tolerance


@attrs.frozen(kw_only=True)
class FailPoint:
    """Where the service often breaks (Shostack's F marker).

    Parameters
    ----------
    what : str
        What fails.
    recovery : str, optional
        How the failure is recovered; a fail point without one is a risk.
    probability : float, optional
        How often it fails when the step is reached, in [0, 1].

    Examples
    --------
    >>> FailPoint(what="ID scan unreadable", recovery="Teller checks ID by hand")
    FailPoint(what='ID scan unreadable', recovery='Teller checks ID by hand', probability=None)
    """

    what: str = attrs.field(validator=_label)
    recovery: str | None = attrs.field(default=None, validator=_optional_text)
    probability: float | None = attrs.field(default=None, validator=_probability)


def _optional_weight(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None:
        _finite_positive(instance, attribute, value)  # type: ignore[arg-type]


@attrs.frozen(kw_only=True)
class PersonaValues:
    """What one persona sees differently at a step; an unset field keeps the step's own.

    Journey-mapping tools (UXPressia, Smaply, TheyDo) put several personas
    on one map, each with its own ratings and emotion curve: a first-time
    customer and a regular rate the same check-in differently, wait
    differently long and weigh the moment differently.

    Parameters
    ----------
    rating : float, optional
        The persona's rating of the step, on the −3…+3 scale.
    weight : float, optional
        The weight of the step's moment of truth for the persona (the step
        must be a moment).
    wait : Wait, optional
        The wait the persona goes through at the step.

    Examples
    --------
    >>> PersonaValues(rating=-2, wait=Wait(duration=20, tolerance=10))
    PersonaValues(rating=-2, weight=None, wait=Wait(duration=20, tolerance=10))
    """

    rating: float | None = attrs.field(default=None, validator=_rating)
    weight: float | None = attrs.field(default=None, validator=_optional_weight)
    wait: Wait | None = attrs.field(default=None, validator=_optional_instance(Wait))


def _per_persona(value: object) -> FrozenMap:
    """The step's per-persona values as a frozen mapping, ids in NFC."""
    if value is None:
        return FrozenMap()
    if not isinstance(value, Mapping):
        raise BlueprintTypeError(
            f"per_persona must map persona ids to PersonaValues, not "
            f"{type(value).__name__} ({value!r})"
        )
    out: dict[str, PersonaValues] = {}
    for key, values in value.items():
        if not isinstance(values, PersonaValues):
            raise BlueprintTypeError(
                f"per_persona[{key!r}] must be a PersonaValues, not "
                f"{type(values).__name__} ({values!r})"
            )
        out[nfc(key)] = values  # type: ignore[index]
    return FrozenMap(out)


def _persona_keys(instance: Step, attribute: attrs.Attribute[Any], value: FrozenMap) -> None:
    for key, values in value.items():
        _check_identifier("persona id", key)
        if values.weight is not None and instance.moment is None:
            raise BlueprintValidationError(
                [
                    Problem(
                        message=f"persona {key!r} gives a moment weight, but the step is "
                        "not a moment of truth; tag it with a MomentOfTruth first",
                        step=instance.id,
                        field="per_persona",
                    )
                ]
            )


@attrs.frozen(kw_only=True)
class Step:
    """One step of a service, in one lane and one stage.

    Parameters
    ----------
    id : str
        Stable identifier, unique in the blueprint, without white space.
    label : str
        What people read; any Unicode text, several lines allowed.
    lane : Lane or str
        The swimlane the step lives in.
    stage : str
        The stage (phase, column) the step belongs to, by id or by label; a
        blueprint stores the id.
    channel : str, optional
        Where it happens: ``"branch"``, ``"phone"``, ``"app"`` …
    actor : str, optional
        Who does it (a role).
    duration : float, optional
        How long the step takes, in minutes.
    standard : float, optional
        The execution standard: how long the step should take, in minutes.
    wait : Wait, optional
        The wait the customer goes through at the step.
    cost : float, optional
        What the step costs the provider.
    fail_point : FailPoint, optional
        Marks the step as a fail point.
    evidence : tuple of str
        Physical evidence shown at the step (sign, app screen, receipt).
    moment : MomentOfTruth, optional
        Marks the step as a moment of truth; not on physical evidence (a
        thing the customer sees or holds is not a contact).
    rating : float, optional
        A designed or expected rating on the −3…+3 scale.
    attributes : dict
        Free data for the caller's own tools: JSON data only (text, finite
        numbers, booleans, ``None``, lists and mappings with text keys),
        checked here with the rule saving applies.
    per_persona : mapping of str to PersonaValues
        Persona id to what that persona sees differently here (rating,
        moment weight, wait); the blueprint must declare each persona. A
        persona without an entry sees the step's own values.

    Examples
    --------
    >>> Step(id="apply", label="开户申请", lane="customer", stage="apply")
    Step(id='apply', label='开户申请', lane=<Lane.CUSTOMER: 'customer'>, stage='apply')
    """

    id: str = attrs.field(converter=nfc, validator=_id)
    label: str = attrs.field(validator=_label)
    lane: Lane = attrs.field(converter=Lane)
    stage: str = attrs.field(converter=nfc, validator=_line)
    channel: str | None = attrs.field(default=None, validator=_optional_text)
    actor: str | None = attrs.field(default=None, validator=_optional_text)
    duration: float | None = attrs.field(default=None, validator=_non_negative)
    standard: float | None = attrs.field(default=None, validator=_non_negative)
    wait: Wait | None = attrs.field(default=None, validator=_optional_instance(Wait))
    cost: float | None = attrs.field(default=None, validator=_non_negative)
    fail_point: FailPoint | None = attrs.field(
        default=None,
        validator=_optional_instance(FailPoint),
    )
    evidence: tuple[str, ...] = attrs.field(
        default=(), converter=_text_tuple, validator=_each_label
    )
    moment: MomentOfTruth | None = attrs.field(
        default=None,
        validator=[_optional_instance(MomentOfTruth), _placeable_moment],
    )
    rating: float | None = attrs.field(default=None, validator=_rating)
    attributes: dict[str, Any] = attrs.field(
        factory=dict, converter=_attributes, validator=_json_data, hash=False
    )
    per_persona: Mapping[str, PersonaValues] = attrs.field(
        factory=FrozenMap, converter=_per_persona, validator=_persona_keys
    )

    def __repr__(self) -> str:
        # Only the fields that are set, so a REPL line stays readable.
        shown = [f"id={self.id!r}", f"label={self.label!r}", f"lane={self.lane!r}"]
        shown.append(f"stage={self.stage!r}")
        for field in attrs.fields(Step)[4:]:
            value = getattr(self, field.name)
            empty = isinstance(field.default, attrs.Factory) and not value  # type: ignore[arg-type]
            if value != field.default and not empty:
                shown.append(f"{field.name}={value!r}")
        return f"Step({', '.join(shown)})"

    @property
    def is_moment(self) -> bool:
        """Whether the step is tagged as a moment of truth."""
        return self.moment is not None

    @property
    def is_fail_point(self) -> bool:
        """Whether the step is marked as a fail point."""
        return self.fail_point is not None

    def evolve(self, **changes: Any) -> Step:
        """Return a copy with *changes* applied (validated like a new step).

        Examples
        --------
        >>> s = Step(id="a", label="A", lane="customer", stage="s")
        >>> s.evolve(rating=2).rating
        2
        """
        return attrs.evolve(self, **changes)


@attrs.frozen(kw_only=True)
class Flow:
    """A flow between two steps.

    Parameters
    ----------
    source, target : str
        Step ids.
    kind : FlowKind or str
        ``"sequence"`` (target follows source in time) or ``"support"``
        (source serves or depends on target across lanes).
    label : str, optional
        A label or branch condition.
    probability : float, optional
        For a branch, how likely the customer takes it, in [0, 1].

    Examples
    --------
    >>> Flow(source="a", target="b", probability=0.25)
    Flow(source='a', target='b', kind=<FlowKind.SEQUENCE: 'sequence'>, label=None, probability=0.25)
    """

    source: str = attrs.field(converter=nfc, validator=_id)
    target: str = attrs.field(converter=nfc, validator=_id)
    kind: FlowKind = attrs.field(default=FlowKind.SEQUENCE, converter=FlowKind)
    label: str | None = attrs.field(default=None, validator=_optional_text)
    probability: float | None = attrs.field(default=None, validator=_probability)
