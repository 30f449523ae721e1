"""Lanes and the lines between them, and the kinds of flow.

Lanes run top to bottom (physical evidence, customer actions, frontstage,
backstage, support processes); the three lines between them (interaction,
visibility, internal interaction) are derived from that order.
"""

from __future__ import annotations

import difflib
import enum
import re
from typing import Final

from servicebp.errors import BlueprintValidationError

__all__ = ["LANE_ALIASES", "FlowKind", "Lane", "Line", "lines_between"]


def _words(name: str) -> str:
    """``"MomentKind"`` → ``"moment kind"``."""
    return re.sub(r"(?<!^)(?=[A-Z])", " ", name).lower()


def _reject_unknown(cls: type[enum.StrEnum], value: object) -> None:
    """Make ``Lane("front")`` raise servicebp's own error, naming the allowed values.

    Examples
    --------
    >>> from servicebp.model import MomentKind
    >>> MomentKind("purchse")
    Traceback (most recent call last):
    ...
    servicebp.errors.BlueprintValidationError: 'purchse' is not a valid moment kind; did you mean 'purchase'? (must be one of [...])
    """  # noqa: E501
    allowed = [member.value for member in cls]
    close = difflib.get_close_matches(str(value), allowed, n=1)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    raise BlueprintValidationError(
        f"{value!r} is not a valid {_words(cls.__name__)}{hint} (must be one of {allowed})"
    )


def _lane_alias(cls: type[Lane], value: object) -> Lane:
    """The lane a designer's other name stands for (``onstage``, ``support processes``)."""
    if isinstance(value, str):
        key = re.sub(r"[\s_]+", "-", value.strip().lower())
        if key in _LANE_ALIASES:
            return _LANE_ALIASES[key]
        for lane in cls:
            if lane.value == key:
                return lane
    _reject_unknown(cls, value)
    raise AssertionError  # pragma: no cover - _reject_unknown raises


class Lane(enum.StrEnum):
    """A swimlane of the blueprint, in top-to-bottom order.

    Examples
    --------
    >>> Lane("frontstage").position
    2
    >>> [lane.value for lane in Lane]
    ['physical-evidence', 'customer', 'frontstage', 'backstage', 'support']
    """

    PHYSICAL_EVIDENCE = "physical-evidence"
    CUSTOMER = "customer"
    FRONTSTAGE = "frontstage"
    BACKSTAGE = "backstage"
    SUPPORT = "support"

    # Bitner's and Shostack's other names for the lanes are accepted too:
    # Lane("onstage") is Lane.FRONTSTAGE (see LANE_ALIASES).
    _missing_ = classmethod(_lane_alias)

    @property
    def position(self) -> int:
        """Position from the top, 0 for physical evidence."""
        return _LANE_ORDER.index(self)

    @property
    def caption(self) -> str:
        """The lane's name as blueprints print it."""
        return _LANE_TITLES[self]


_LANE_ORDER: Final = tuple(Lane)
#: Other names designers give the lanes (Bitner, Ostrom & Morgan say onstage and
#: offstage), lower case with words joined by ``-``; ``Lane(name)`` accepts them.
LANE_ALIASES: Final = {
    "evidence": Lane.PHYSICAL_EVIDENCE,
    "physical": Lane.PHYSICAL_EVIDENCE,
    "customer-actions": Lane.CUSTOMER,
    "customer-action": Lane.CUSTOMER,
    "onstage": Lane.FRONTSTAGE,
    "on-stage": Lane.FRONTSTAGE,
    "front-stage": Lane.FRONTSTAGE,
    "onstage-contact": Lane.FRONTSTAGE,
    "onstage-actions": Lane.FRONTSTAGE,
    "frontstage-actions": Lane.FRONTSTAGE,
    "offstage": Lane.BACKSTAGE,
    "off-stage": Lane.BACKSTAGE,
    "back-stage": Lane.BACKSTAGE,
    "backstage-actions": Lane.BACKSTAGE,
    "backstage-contact": Lane.BACKSTAGE,
    "support-processes": Lane.SUPPORT,
    "support-process": Lane.SUPPORT,
    "support-processes-lane": Lane.SUPPORT,
}
_LANE_ALIASES: Final = LANE_ALIASES
_LANE_TITLES: Final = {
    Lane.PHYSICAL_EVIDENCE: "Physical evidence",
    Lane.CUSTOMER: "Customer actions",
    Lane.FRONTSTAGE: "Frontstage",
    Lane.BACKSTAGE: "Backstage",
    Lane.SUPPORT: "Support processes",
}


class Line(enum.StrEnum):
    """A line between two adjacent lanes.

    Examples
    --------
    >>> Line.VISIBILITY.above, Line.VISIBILITY.below
    (<Lane.FRONTSTAGE: 'frontstage'>, <Lane.BACKSTAGE: 'backstage'>)
    """

    INTERACTION = "interaction"
    VISIBILITY = "visibility"
    INTERNAL_INTERACTION = "internal-interaction"

    _missing_ = classmethod(_reject_unknown)

    @property
    def above(self) -> Lane:
        """The lane just above the line."""
        return _LINE_ABOVE[self]

    @property
    def below(self) -> Lane:
        """The lane just below the line."""
        return _LANE_ORDER[_LINE_ABOVE[self].position + 1]

    @property
    def caption(self) -> str:
        """The line's name as blueprints print it."""
        return f"line of {self.value.replace('-', ' ')}"


_LINE_ABOVE: Final = {
    Line.INTERACTION: Lane.CUSTOMER,
    Line.VISIBILITY: Lane.FRONTSTAGE,
    Line.INTERNAL_INTERACTION: Lane.BACKSTAGE,
}


def lines_between(a: Lane | str, b: Lane | str) -> tuple[Line, ...]:
    """Return the lines a flow between lanes *a* and *b* crosses, top first.

    Examples
    --------
    >>> lines_between("customer", "backstage")
    (<Line.INTERACTION: 'interaction'>, <Line.VISIBILITY: 'visibility'>)
    >>> lines_between("support", "support")
    ()
    """
    top, bottom = sorted((Lane(a).position, Lane(b).position))
    return tuple(line for line in Line if top <= line.above.position < bottom)


class FlowKind(enum.StrEnum):
    """What a flow means: one step follows another in time, or supports it."""

    SEQUENCE = "sequence"
    SUPPORT = "support"

    _missing_ = classmethod(_reject_unknown)
