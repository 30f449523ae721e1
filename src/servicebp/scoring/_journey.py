"""Journeys: ordered walks through customer steps, each step with its rating (−3…+3).

Private: :class:`Journey` and :class:`JourneyStep` are what the strategies of
:mod:`servicebp.scoring` score; :meth:`Journey.from_blueprint` builds one from a
blueprint's customer lane with observed or designed ratings.
"""

from __future__ import annotations

import math
import reprlib
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final

import attrs

from servicebp.errors import (
    ArgumentTypeError,
    BlueprintValidationError,
    EmptyJourneyError,
    InvalidArgumentError,
    RatingError,
    UnknownStepError,
)
from servicebp.model._fields import MAX_AMOUNT
from servicebp.model._personas import as_persona
from servicebp.scales import check_rating

if TYPE_CHECKING:
    from servicebp.model import Blueprint, Step

__all__ = ["Journey", "JourneyStep", "journey_of", "rating_table", "shown"]


def shown(value: object) -> str:
    """The type and a shortened repr of a wrong argument (it may be a huge table)."""
    return f"{type(value).__name__} ({reprlib.repr(value)})"


def _step_id(instance: object, attribute: attrs.Attribute[str], value: object) -> None:
    if not isinstance(value, str):
        raise ArgumentTypeError(f"step must be a step id (a string), not {shown(value)}")
    if not value:
        raise InvalidArgumentError("step must be a non-empty step id, got ''")


def _moment_weight(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ArgumentTypeError(f"moment_weight must be a number, not {shown(value)}")
    if not 0 < value < math.inf:
        raise InvalidArgumentError(
            f"moment_weight must be a finite number above 0, got {shown(value)}"
        )
    if value > MAX_AMOUNT:
        raise InvalidArgumentError(
            f"moment_weight must be at most {MAX_AMOUNT:g}, got {shown(value)} "
            "(a sum would overflow)"
        )


@attrs.frozen(kw_only=True)
class JourneyStep:
    """One step of a journey: which step, its rating, and its weight if it is a moment.

    Parameters
    ----------
    step : str
        The step id.
    rating : float
        The rating on −3…+3.
    moment_weight : float, optional
        The step's moment-of-truth weight; ``None`` when it is no moment.

    Raises
    ------
    RatingError
        If *rating* is not a number on −3…+3.

    Examples
    --------
    >>> JourneyStep(step="apply", rating=2, moment_weight=3).weight
    3
    >>> JourneyStep(step="apply", rating=7)
    Traceback (most recent call last):
    ...
    servicebp.errors.RatingError: step 'apply': rating 7.0 is not on the MOT scale -3…+3
    """

    step: str = attrs.field(validator=_step_id)
    rating: float = attrs.field()
    moment_weight: float | None = attrs.field(default=None, validator=_moment_weight)

    def __attrs_post_init__(self) -> None:
        checked = check_rating(self.rating, where=f"step {self.step!r}")
        object.__setattr__(self, "rating", checked)

    @property
    def is_moment(self) -> bool:
        """Whether the step is a moment of truth."""
        return self.moment_weight is not None

    @property
    def weight(self) -> float:
        """The weight in the ``weighted`` strategy: the moment weight, else 1."""
        return 1.0 if self.moment_weight is None else self.moment_weight


def _journey_steps(value: Iterable[JourneyStep]) -> tuple[JourneyStep, ...]:
    if isinstance(value, str | bytes | Mapping) or not isinstance(value, Iterable):
        raise ArgumentTypeError(
            f"a journey's steps must be a sequence of JourneySteps, not {type(value).__name__}"
        )
    steps = tuple(value)
    for i, item in enumerate(steps):
        if not isinstance(item, JourneyStep):
            raise ArgumentTypeError(
                f"a journey's steps are JourneySteps, not {type(item).__name__} "
                f"({item!r} at position {i}); Journey.from_ratings() builds one from ratings"
            )
    if not steps:
        raise EmptyJourneyError("a journey needs at least one rated step; this one has none")
    return steps


@attrs.frozen(kw_only=True)
class Journey:
    """An ordered walk through customer steps, each with a rating.

    Parameters
    ----------
    steps : sequence of JourneyStep
        The steps in the order the customer goes through them; at least one.

    Raises
    ------
    EmptyJourneyError
        If there is no step.
    ArgumentTypeError
        If *steps* is not a sequence of :class:`JourneyStep`.

    Examples
    --------
    >>> j = Journey.from_ratings([1, -2, 3], moments={1: 2.0})
    >>> j.ratings, j.weights
    ((1.0, -2.0, 3.0), (1.0, 2.0, 1.0))
    >>> Journey(steps=[])
    Traceback (most recent call last):
    ...
    servicebp.errors.EmptyJourneyError: a journey needs at least one rated step; this one has none
    """

    steps: tuple[JourneyStep, ...] = attrs.field(converter=_journey_steps)

    def __len__(self) -> int:
        return len(self.steps)

    @property
    def ratings(self) -> tuple[float, ...]:
        """The ratings in journey order."""
        return tuple(s.rating for s in self.steps)

    @property
    def weights(self) -> tuple[float, ...]:
        """The weights in journey order (moment weight, else 1)."""
        return tuple(s.weight for s in self.steps)

    @property
    def step_ids(self) -> tuple[str, ...]:
        """The step ids in journey order."""
        return tuple(s.step for s in self.steps)

    @classmethod
    def from_ratings(
        cls, ratings: Iterable[object], *, moments: Mapping[int, float] | None = None
    ) -> Journey:
        """Build a journey from plain ratings; steps are named ``"1"``, ``"2"`` …

        Parameters
        ----------
        ratings : iterable of float
            The ratings in order.
        moments : mapping of int to float, optional
            0-based position of each moment of truth to its weight.

        Raises
        ------
        RatingError
            For a rating that is not a number on −3…+3 (named by position).
        EmptyJourneyError
            If there are no ratings.
        ArgumentTypeError
            If *ratings* is not a sequence, or *moments* not a mapping of
            whole numbers.
        InvalidArgumentError
            For a moment position outside the ratings.

        Examples
        --------
        >>> Journey.from_ratings([0, "x"])
        Traceback (most recent call last):
        ...
        servicebp.errors.RatingError: step '2': rating must be a number, not str ('x')
        """
        if isinstance(ratings, str | bytes | Mapping) or not isinstance(ratings, Iterable):
            raise ArgumentTypeError(f"ratings must be a sequence of numbers, not {shown(ratings)}")
        values = list(ratings)
        if moments is not None and not isinstance(moments, Mapping):
            raise ArgumentTypeError(
                f"moments must map 0-based positions to moment weights, not {shown(moments)}"
            )
        moments = dict(moments or {})
        for position in moments:
            if isinstance(position, bool) or not isinstance(position, int):
                raise ArgumentTypeError(
                    f"moment position {position!r} must be a whole number (0-based), "
                    f"not {type(position).__name__}"
                )
            if not 0 <= position < len(values):
                raise InvalidArgumentError(
                    f"moment position {position!r} is not a position of the "
                    f"{len(values)} ratings (0-based: 0 to {len(values) - 1})"
                )
        return cls(
            steps=[
                JourneyStep(
                    step=str(i + 1),
                    rating=check_rating(value, where=f"step {str(i + 1)!r}"),
                    moment_weight=moments.get(i),
                )
                for i, value in enumerate(values)
            ]
        )

    @classmethod
    def from_blueprint(
        cls,
        bp: Blueprint,
        steps: Iterable[str] | None = None,
        *,
        ratings: Mapping[str, object] | None = None,
        persona: str | None = None,
    ) -> Journey:
        """Build the journey through *steps* of *bp* with their ratings and moment weights.

        Parameters
        ----------
        bp : Blueprint
            The blueprint.
        steps : iterable of str, optional
            Customer step ids in journey order; default: the customer spine,
            when it is one journey (no branches).
        ratings : mapping of str to float, optional
            Step id to rating; a step not in it uses its designed ``rating``.
        persona : str, optional
            Whose journey: a persona the blueprint declares (its ratings,
            moment weights and waits); default the steps' own values.

        Raises
        ------
        UnknownStepError
            For a step id the blueprint does not have (in *steps* or *ratings*).
        RatingError
            For a step that is not a customer step, a step with no rating
            anywhere, or a rating not on −3…+3. All such steps are named.
        BlueprintValidationError
            If *steps* is not given and the customer lane branches (name the
            steps of one journey; :func:`servicebp.journeys` lists them).
        ArgumentTypeError
            If *bp* is not a blueprint, *steps* not a sequence of ids, or
            *ratings* not a mapping.

        Examples
        --------
        >>> from servicebp import Blueprint, Step, MomentOfTruth
        >>> bp = Blueprint("Coffee", stages=["order", "pay"])
        >>> _ = bp.add_step(Step(id="order", label="Order", lane="customer", stage="order",
        ...                      rating=1, moment=MomentOfTruth(kind="purchase", weight=2)))
        >>> _ = bp.add_step(Step(id="pay", label="Pay", lane="customer", stage="pay"))
        >>> _ = bp.connect("order", "pay")
        >>> Journey.from_blueprint(bp, ratings={"pay": -1}).weights
        (2.0, 1.0)
        >>> Journey.from_blueprint(bp)
        Traceback (most recent call last):
        ...
        servicebp.errors.RatingError: no rating for step 'pay' (give one in the ratings or as the step's designed rating)
        """  # noqa: E501
        bp = as_persona(bp, persona)
        from servicebp.model import Blueprint

        if not isinstance(bp, Blueprint):
            raise ArgumentTypeError(
                f"Journey.from_blueprint() takes a Blueprint, not {type(bp).__name__}"
            )
        table = rating_table(bp, ratings)
        if steps is None:
            _check_one_journey(bp)
            ids = [s.id for s in bp.customer_spine()]
        elif isinstance(steps, str) or not isinstance(steps, Iterable):
            raise ArgumentTypeError(f"steps must be a sequence of step ids, not {shown(steps)}")
        else:
            ids = list(steps)
        return journey_of(bp, ids, table)


def _check_one_journey(bp: Blueprint) -> None:
    from servicebp.model import FlowKind, Lane

    customer = {s.id for s in bp.steps(lane=Lane.CUSTOMER)}
    branching = [
        step_id
        for step_id in customer
        if sum(f.target in customer for f in bp.outgoing(step_id, kind=FlowKind.SEQUENCE)) > 1
    ]
    entries = bp.entry_steps()
    if branching or len(entries) > 1:
        where = (
            f"step {sorted(branching)[0]!r} branches"
            if branching
            else f"it has {len(entries)} entry steps"
        )
        raise BlueprintValidationError(
            f"blueprint {bp.name!r} has more than one journey ({where}); "
            "name the steps of one journey (servicebp.journeys lists them)"
        )


def rating_table(bp: Blueprint, ratings: Mapping[str, object] | None) -> dict[str, float]:
    """Check *ratings* against *bp* and return step id → rating, designed ones filled in."""
    from servicebp.model import Lane

    if ratings is not None and not isinstance(ratings, Mapping):
        raise ArgumentTypeError(f"ratings must map step ids to ratings, not {shown(ratings)}")
    given = dict(ratings or {})
    unknown = [key for key in given if key not in bp]
    if unknown:
        raise UnknownStepError(
            unknown[0] if len(unknown) == 1 else unknown, known=[s.id for s in bp]
        )
    problems: list[str] = []
    table: dict[str, float] = {}
    for step_id, value in given.items():
        step = bp[step_id]
        if step.lane is not Lane.CUSTOMER:
            problems.append(
                f"step {step_id!r} is in the {step.lane.value} lane; only customer steps are rated"
            )
            continue
        try:
            table[step_id] = check_rating(value, where=f"step {step_id!r}")
        except RatingError as error:
            problems.append(str(error))
    if problems:
        raise RatingError("; ".join(problems))
    for step in bp.steps(lane=Lane.CUSTOMER):
        if step.id not in table and step.rating is not None:
            table[step.id] = float(step.rating)
    return table


#: Step ids a "no rating" message names before "and N more".
_NAMED: Final = 10


def journey_of(bp: Blueprint, ids: Sequence[str], table: Mapping[str, float]) -> Journey:
    from servicebp.model import Lane

    problems: list[str] = []
    missing: list[str] = []
    for step_id in ids:
        step = bp[step_id]
        if step.lane is not Lane.CUSTOMER:
            problems.append(
                f"step {step_id!r} is in the {step.lane.value} lane; a journey walks customer steps"
            )
        elif step_id not in table:
            missing.append(step_id)
    if missing:
        # A report names the first few; a million unknown steps make one short line.
        names = ", ".join(repr(m) for m in missing[:_NAMED])
        if len(missing) > _NAMED:
            names += f" and {len(missing) - _NAMED:,} more"
        problems.append(
            f"no rating for step{'s' if len(missing) > 1 else ''} {names} "
            "(give one in the ratings or as the step's designed rating)"
        )
    if problems:
        raise RatingError("; ".join(problems))
    return Journey(
        steps=[JourneyStep(step=i, rating=table[i], moment_weight=_weight_of(bp[i])) for i in ids]
    )


def _weight_of(step: Step) -> float | None:
    return None if step.moment is None else float(step.moment.weight)
