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
``share_positive`` ``#{i : r_i > 0} / n``: the share of rated steps above 0
=================  ==============================================================

Every strategy states its :attr:`Strategy.unit`: ``"rating"`` scores lie on
the −3…+3 scale like the ratings themselves; ``share_positive`` (TheyDo's
journey "happiness", the share of steps with a positive mood) is a
``"share"`` in [0, 1] and is never shown, checked or coloured as a rating
(:data:`UNITS`).

The figures over a whole blueprint's journeys (expected scores, the emotion
curve, contact counts, cross-channel spread) are in
:mod:`servicebp.journey_figures`.
"""

from __future__ import annotations

import math
import numbers
import re
from collections.abc import Callable, Iterable, Mapping
from types import MappingProxyType
from typing import Final

import attrs

from servicebp.errors import (
    ArgumentTypeError,
    InvalidArgumentError,
    RatingError,
    UnknownStrategyError,
)
from servicebp.scales import check_rating
from servicebp.scoring._journey import Journey, shown

__all__ = [
    "STRATEGIES",
    "Strategy",
    "get_strategy",
    "register_strategy",
    "score",
    "scores",
    "strategy_names",
    "unregister_strategy",
]

# --- strategies -------------------------------------------------------------------

#: A strategy turns a journey into one score (on the range of its unit).
StrategyFunction = Callable[[Journey], float]

#: What a strategy's score is, and the range it lies in: a rating on the MOT
#: scale (−3…+3) or a share of the journey's steps (0…1).
UNITS: Final[Mapping[str, tuple[float, float]]] = MappingProxyType(
    {"rating": (-3.0, 3.0), "share": (0.0, 1.0)}
)


def _unit(instance: object, attribute: attrs.Attribute[str], value: object) -> None:
    if value not in UNITS:
        raise InvalidArgumentError(f"unit must be one of {list(UNITS)}, got {value!r}")


@attrs.frozen(kw_only=True)
class Strategy:
    """A registered scoring strategy: its name, function, formula and reason.

    ``unit`` says what the score is (a key of :data:`UNITS`): ``"rating"``
    on −3…+3, or ``"share"`` in [0, 1].

    Examples
    --------
    >>> STRATEGIES["worst"].formula
    'min r_i'
    >>> STRATEGIES["share_positive"].unit, STRATEGIES["share_positive"].bounds
    ('share', (0.0, 1.0))
    """

    name: str
    function: StrategyFunction = attrs.field(eq=False)
    formula: str
    why: str
    unit: str = attrs.field(default="rating", validator=_unit)

    @property
    def bounds(self) -> tuple[float, float]:
        """The lowest and highest score the strategy may return."""
        return UNITS[self.unit]

    @property
    def is_rating(self) -> bool:
        """Whether the score is on the −3…+3 rating scale (not a share)."""
        return self.unit == "rating"


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


def _share_positive(journey: Journey) -> float:
    """TheyDo's journey "happiness": the share of rated steps with a positive mood."""
    ratings = journey.ratings
    return sum(r > 0 for r in ratings) / len(ratings)


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
    Strategy(
        name="share_positive",
        function=_share_positive,
        formula="#{i : r_i > 0} / n, a share in [0, 1] (not a rating)",
        why="TheyDo's journey 'happiness': the share of steps with a positive mood "
        "(0 is neutral, not positive).",
        unit="share",
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
    unit: str = "rating",
    replace: bool = False,
) -> Strategy:
    """Register *function* as the scoring strategy *name*.

    Parameters
    ----------
    name : str
        Lower-case letters, digits and ``_``, starting with a letter.
    function : callable
        Takes a :class:`Journey`, returns its score on the range of *unit*.
    formula, why : str
        For the docs' table; *why* defaults to the function's docstring.
    unit : {"rating", "share"}
        What the score is: a rating on −3…+3 (default) or a share in [0, 1].
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
        unit=unit,
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
    servicebp.errors.UnknownStrategyError: unknown strategy: 'median' (must be one of ['last', 'mean', 'moment_floor', 'peak_end', 'share_positive', 'weighted', 'worst'])
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
            f"strategies must be a list of strategy names, not {shown(strategies)}"
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
            f"score() takes a Journey or a sequence of ratings, not {shown(value)}"
        )
    return Journey.from_ratings(value)


def score(journey: Journey | Iterable[object], *, strategy: str = "mean") -> float:
    """Return the score of *journey* by the named *strategy*, on the range of its unit.

    A ``"rating"`` strategy scores on −3…+3; ``share_positive`` (unit
    ``"share"``) returns a share in [0, 1].

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
        that returns a score off the range of its unit.
    ArgumentTypeError
        If *journey* is neither a :class:`Journey` nor a sequence of ratings
        (a string or a mapping is refused, not read character by character).

    Examples
    --------
    >>> score([1, -2, 3], strategy="peak_end")  # peak 3, end 3: (3 + 3) / 2
    3.0
    >>> score([1, -2, 3], strategy="worst")
    -2.0
    >>> score([1, -2, 3, 0], strategy="share_positive")  # 2 of 4 steps above 0
    0.5
    >>> score([], strategy="mean")
    Traceback (most recent call last):
    ...
    servicebp.errors.EmptyJourneyError: a journey needs at least one rated step; this one has none
    """
    chosen = get_strategy(strategy)
    walk = _as_journey(journey)
    value = chosen.function(walk)
    if not chosen.is_rating:
        return _check_share(value, chosen.name)
    try:
        return check_rating(value)
    except RatingError as error:
        raise RatingError(
            f"strategy {chosen.name!r} returned a score off the scale: {error}"
        ) from None


def _check_share(value: object, name: str) -> float:
    """*value* as a float if it is a share in [0, 1], else a RatingError naming *name*."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise RatingError(
            f"strategy {name!r} returned {shown(value)}, not a share (a number in [0, 1])"
        )
    share = float(value)
    if not 0.0 <= share <= 1.0:  # NaN fails too
        raise RatingError(f"strategy {name!r} returned {share!r}, not a share in [0, 1]")
    return share


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
