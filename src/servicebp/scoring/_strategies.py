"""Journey scores: one number for a walk through customer steps, by a named strategy.

"Customers remember only moments of truth; how a customer feels about the
company is decided not by the average but by the last contact — even by the
worst one", says servicebp's MOT training material (the moment of truth itself
is Carlzon's, *Moments of Truth*, 1987). So a journey's score is never
silently the mean: it is an aggregation of the step ratings (−3…+3) by a *named strategy*. The
strategies live in one registry, :data:`STRATEGIES`, which feeds
:func:`score`, the ``servicebp score`` command and the docs' table; callers
add their own with :func:`register_strategy`.

With ratings ``r_1 … r_n`` in journey order and weights ``w_i`` (a moment's
weight, 1 for any other step):

=================  ==============================================================
strategy           score
=================  ==============================================================
``mean``           ``Σ r_i / n``
``weighted``       ``Σ w_i r_i / Σ w_i``
``worst``          ``min r_i``
``last``           ``r_n``
``peak_end``       ``(peak + r_n) / 2``; peak: largest ``|r_i|``, ties to the
                   negative rating, then to the earliest
``moment_floor``   ``min r_i`` over the moments of truth; ``worst`` without any
=================  ==============================================================

The figures over a whole blueprint's journeys (expected scores, the emotion
curve, contact counts, cross-channel spread) are in
:mod:`servicebp.journey_figures`.
"""

from __future__ import annotations

import math
import re
import reprlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Final

import attrs

from servicebp.errors import (
    ArgumentTypeError,
    BlueprintValidationError,
    EmptyJourneyError,
    InvalidArgumentError,
    RatingError,
    UnknownStepError,
    UnknownStrategyError,
)
from servicebp.scales import check_rating

if TYPE_CHECKING:
    from servicebp.model import Blueprint, Step

__all__ = [
    "STRATEGIES",
    "Journey",
    "JourneyStep",
    "Strategy",
    "get_strategy",
    "register_strategy",
    "score",
    "scores",
    "strategy_names",
    "unregister_strategy",
]

# --- journeys -------------------------------------------------------------------


def _shown(value: object) -> str:
    """The type and a shortened repr of a wrong argument (it may be a huge table)."""
    return f"{type(value).__name__} ({reprlib.repr(value)})"


def _step_id(instance: object, attribute: attrs.Attribute[str], value: object) -> None:
    if not isinstance(value, str):
        raise ArgumentTypeError(f"step must be a step id (a string), not {_shown(value)}")
    if not value:
        raise InvalidArgumentError("step must be a non-empty step id, got ''")


def _moment_weight(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ArgumentTypeError(f"moment_weight must be a number, not {_shown(value)}")
    if not math.isfinite(value) or value <= 0:
        raise InvalidArgumentError(f"moment_weight must be a finite number above 0, got {value!r}")


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
            raise ArgumentTypeError(f"ratings must be a sequence of numbers, not {_shown(ratings)}")
        values = list(ratings)
        if moments is not None and not isinstance(moments, Mapping):
            raise ArgumentTypeError(
                f"moments must map 0-based positions to moment weights, not {_shown(moments)}"
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
        from servicebp.model import Blueprint

        if not isinstance(bp, Blueprint):
            raise ArgumentTypeError(
                f"Journey.from_blueprint() takes a Blueprint, not {type(bp).__name__}"
            )
        table = _rating_table(bp, ratings)
        if steps is None:
            _check_one_journey(bp)
            ids = [s.id for s in bp.customer_spine()]
        elif isinstance(steps, str) or not isinstance(steps, Iterable):
            raise ArgumentTypeError(f"steps must be a sequence of step ids, not {_shown(steps)}")
        else:
            ids = list(steps)
        return _journey_of(bp, ids, table)


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


def _rating_table(bp: Blueprint, ratings: Mapping[str, object] | None) -> dict[str, float]:
    """Check *ratings* against *bp* and return step id → rating, designed ones filled in."""
    from servicebp.model import Lane

    if ratings is not None and not isinstance(ratings, Mapping):
        raise ArgumentTypeError(f"ratings must map step ids to ratings, not {_shown(ratings)}")
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


def _journey_of(bp: Blueprint, ids: Sequence[str], table: Mapping[str, float]) -> Journey:
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


# --- strategies -------------------------------------------------------------------

#: A strategy turns a journey into one score on −3…+3.
StrategyFunction = Callable[[Journey], float]


@attrs.frozen(kw_only=True)
class Strategy:
    """A registered scoring strategy: its name, function, formula and reason.

    Examples
    --------
    >>> STRATEGIES["worst"].formula
    'min r_i'
    """

    name: str
    function: StrategyFunction = attrs.field(eq=False)
    formula: str
    why: str


def _mean(journey: Journey) -> float:
    """The average experience; what the MOT training material warns is *not*
    what customers remember."""
    ratings = journey.ratings
    # Like any mean it lies between the lowest and highest rating; keep the
    # division's rounding from stepping outside.
    return min(max(math.fsum(ratings) / len(ratings), min(ratings)), max(ratings))


def _weighted(journey: Journey) -> float:
    """Moments of truth count by their weight, every other step by 1."""
    ratings = journey.ratings
    value = math.fsum(s.weight * s.rating for s in journey.steps) / math.fsum(journey.weights)
    # A weighted mean lies between the lowest and the highest rating; keep the
    # rounding of the products from stepping outside.
    return min(max(value, min(ratings)), max(ratings))


def _worst(journey: Journey) -> float:
    """The customer's feeling is decided even by the worst contact (MOT training material)."""
    return min(journey.ratings)


def _last(journey: Journey) -> float:
    """The customer's feeling is decided by the last contact (MOT training material)."""
    return journey.ratings[-1]


def _peak(journey: Journey) -> float:
    # Largest absolute value first; on a tie the negative rating (servicebp's
    # convention), then the earliest.
    return min(enumerate(journey.ratings), key=lambda item: (-abs(item[1]), item[1], item[0]))[1]


def _peak_end(journey: Journey) -> float:
    """Kahneman et al.'s (1993) peak-end rule: judged by the most intense moment and the end."""
    return (_peak(journey) + journey.ratings[-1]) / 2


def _moment_floor(journey: Journey) -> float:
    """Every moment of truth must satisfy: a journey is as good as its worst moment."""
    moments = [s.rating for s in journey.steps if s.is_moment]
    return min(moments) if moments else _worst(journey)


_BUILTIN: Final = (
    Strategy(
        name="mean",
        function=_mean,
        formula="Σ r_i / n",
        why="The average experience: a baseline, and what the MOT training material warns "
        "customers do not remember.",
    ),
    Strategy(
        name="weighted",
        function=_weighted,
        formula="Σ w_i r_i / Σ w_i (w_i: moment weight, 1 for other steps)",
        why="Customers remember moments of truth: they count by their importance.",
    ),
    Strategy(
        name="worst",
        function=_worst,
        formula="min r_i",
        why="The feeling is decided 'even by the worst' contact (MOT training material).",
    ),
    Strategy(
        name="last",
        function=_last,
        formula="r_n",
        why="The feeling is decided 'not by the average but by the last contact' "
        "(MOT training material).",
    ),
    Strategy(
        name="peak_end",
        function=_peak_end,
        formula="(peak + r_n) / 2; peak = the r_i of largest |r_i|, ties to the negative, "
        "then the earliest",
        why="Kahneman et al.'s (1993) peak-end rule: memory keeps the most intense moment and "
        "the end (on a tie the negative peak wins: servicebp's convention).",
    ),
    Strategy(
        name="moment_floor",
        function=_moment_floor,
        formula="min r_i over moments of truth; worst when there is none",
        why="Every moment of truth must satisfy: a journey is as good as its worst moment.",
    ),
)
_BUILTIN_NAMES: Final = frozenset(s.name for s in _BUILTIN)
_STRATEGIES: dict[str, Strategy] = {s.name: s for s in _BUILTIN}

#: The registered strategies by name, read-only (add with :func:`register_strategy`).
#: The single source of truth for :func:`score`, the CLI and the docs.
STRATEGIES: Final[Mapping[str, Strategy]] = MappingProxyType(_STRATEGIES)

_NAME: Final = re.compile(r"[a-z][a-z0-9_]*\Z")


def register_strategy(
    name: str,
    function: StrategyFunction,
    *,
    formula: str = "",
    why: str | None = None,
    replace: bool = False,
) -> Strategy:
    """Register *function* as the scoring strategy *name*.

    Parameters
    ----------
    name : str
        Lower-case letters, digits and ``_``, starting with a letter.
    function : callable
        Takes a :class:`Journey`, returns its score on −3…+3.
    formula, why : str
        For the docs' table; *why* defaults to the function's docstring.
    replace : bool
        Allow replacing an earlier registration (never a built-in strategy).

    Raises
    ------
    InvalidArgumentError
        For a malformed name, a built-in name, or a name registered already
        without *replace*.
    ArgumentTypeError
        If *name* is not a string or *function* not callable.

    Examples
    --------
    >>> _ = register_strategy("first", lambda j: j.ratings[0], formula="r_1")
    >>> score([2, -1], strategy="first")
    2.0
    >>> unregister_strategy("first")
    """
    if not isinstance(name, str):
        raise ArgumentTypeError(
            f"a strategy name must be a string, not {type(name).__name__} ({name!r})"
        )
    if not _NAME.match(name):
        raise InvalidArgumentError(
            f"strategy name {name!r} must be lower-case letters, digits and '_', "
            "starting with a letter"
        )
    if not callable(function):
        raise ArgumentTypeError(
            f"strategy {name!r}: {function!r} is not callable (it must take a Journey "
            "and return its score)"
        )
    if name in _BUILTIN_NAMES:
        raise InvalidArgumentError(f"strategy {name!r} is built in and cannot be replaced")
    if name in _STRATEGIES and not replace:
        raise InvalidArgumentError(f"strategy {name!r} is registered already; pass replace=True")
    doc = (function.__doc__ or "").strip().splitlines()
    strategy = Strategy(
        name=name,
        function=function,
        formula=formula,
        why=why if why is not None else (doc or [""])[0],
    )
    _STRATEGIES[name] = strategy
    return strategy


def unregister_strategy(name: str) -> None:
    """Remove a strategy registered with :func:`register_strategy`.

    Raises
    ------
    UnknownStrategyError
        If no such strategy is registered.
    ValueError
        For a built-in strategy.
    """
    if name in _BUILTIN_NAMES:
        raise InvalidArgumentError(f"strategy {name!r} is built in and cannot be removed")
    get_strategy(name)
    del _STRATEGIES[name]


def get_strategy(name: str) -> Strategy:
    """Return the strategy registered as *name*.

    Raises
    ------
    UnknownStrategyError
        If there is none; the message lists the registered names.

    Examples
    --------
    >>> get_strategy("median")
    Traceback (most recent call last):
    ...
    servicebp.errors.UnknownStrategyError: unknown strategy: 'median' (must be one of ['last', 'mean', 'moment_floor', 'peak_end', 'weighted', 'worst'])
    """  # noqa: E501
    try:
        return _STRATEGIES[name]
    except (KeyError, TypeError):
        raise UnknownStrategyError(
            f"unknown strategy: {name!r} (must be one of {sorted(_STRATEGIES)})"
        ) from None


def strategy_names(strategies: Iterable[str] | None = None) -> list[str]:
    """Return the strategy names asked for (default: all registered), each checked.

    Raises
    ------
    UnknownStrategyError
        For a name that is not registered.

    Examples
    --------
    >>> strategy_names(["worst", "last"])
    ['worst', 'last']
    >>> strategy_names() == list(STRATEGIES)
    True
    """
    if isinstance(strategies, str) or not (strategies is None or isinstance(strategies, Iterable)):
        raise ArgumentTypeError(
            f"strategies must be a list of strategy names, not {_shown(strategies)}"
        )
    names = list(STRATEGIES) if strategies is None else list(strategies)
    for name in names:
        get_strategy(name)
    return names


def _as_journey(value: Journey | Iterable[object]) -> Journey:
    if isinstance(value, Journey):
        return value
    if isinstance(value, str | bytes | Mapping) or not isinstance(value, Iterable):
        raise ArgumentTypeError(
            f"score() takes a Journey or a sequence of ratings, not {_shown(value)}"
        )
    return Journey.from_ratings(value)


def score(journey: Journey | Iterable[object], *, strategy: str = "mean") -> float:
    """Return the score of *journey* by the named *strategy*, on −3…+3.

    Parameters
    ----------
    journey : Journey or sequence of float
        The journey, or its ratings in order (then no step is a moment).
    strategy : str
        One of :data:`STRATEGIES`.

    Raises
    ------
    UnknownStrategyError
        For a strategy that is not registered.
    EmptyJourneyError
        For a journey without steps.
    RatingError
        For a rating that is not a number on −3…+3, or a registered strategy
        that returns a score off the scale.
    ArgumentTypeError
        If *journey* is neither a :class:`Journey` nor a sequence of ratings
        (a string or a mapping is refused, not read character by character).

    Examples
    --------
    >>> score([1, -2, 3], strategy="peak_end")  # peak 3, end 3: (3 + 3) / 2
    3.0
    >>> score([1, -2, 3], strategy="worst")
    -2.0
    >>> score([], strategy="mean")
    Traceback (most recent call last):
    ...
    servicebp.errors.EmptyJourneyError: a journey needs at least one rated step; this one has none
    """
    chosen = get_strategy(strategy)
    walk = _as_journey(journey)
    value = chosen.function(walk)
    try:
        return check_rating(value)
    except RatingError as error:
        raise RatingError(
            f"strategy {chosen.name!r} returned a score off the scale: {error}"
        ) from None


def scores(
    journey: Journey | Iterable[object], *, strategies: Iterable[str] | None = None
) -> dict[str, float]:
    """Return the score of *journey* by each strategy (default: all registered).

    Examples
    --------
    >>> scores([1, -2, 3], strategies=["mean", "last"])
    {'mean': 0.6666666666666666, 'last': 3.0}
    """
    names = strategy_names(strategies)
    walk = _as_journey(journey)
    return {name: score(walk, strategy=name) for name in names}
