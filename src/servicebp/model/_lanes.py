"""Lanes and the lines between them, and the kinds of flow.

Lanes run top to bottom (physical evidence, customer actions, frontstage,
backstage, support processes); the three lines between them (interaction,
visibility, internal interaction) are derived from that order.
"""

from __future__ import annotations

import enum
from typing import Final

from servicebp.errors import BlueprintValidationError

__all__ = ["FlowKind", "Lane", "Line", "lines_between"]


def _reject_unknown(cls: type[enum.StrEnum], value: object) -> None:
    """Make ``Lane("front")`` raise servicebp's own error, naming the allowed values."""
    allowed = [member.value for member in cls]
    raise BlueprintValidationError(
        f"{value!r} is not a valid {cls.__name__.lower()} (must be one of {allowed})"
    )


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

    _missing_ = classmethod(_reject_unknown)

    @property
    def position(self) -> int:
        """Position from the top, 0 for physical evidence."""
        return _LANE_ORDER.index(self)

    @property
    def caption(self) -> str:
        """The lane's name as blueprints print it."""
        return _LANE_TITLES[self]


_LANE_ORDER: Final = tuple(Lane)
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
