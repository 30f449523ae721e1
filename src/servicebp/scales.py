"""Rating scales: the moment-of-truth scale −3…+3 and the scales research data arrive on.

The seeds' MOT rating table (seed 003, 关键时刻评分表) rates every moment on
seven levels, from +3 (delights the customer) to −3 (endangers the
relationship). Every rating servicebp scores lives on that scale.

Researchers bring data on other scales, so each is a declared :class:`Scale`
with a linear conversion onto −3…+3 and back that maps the scale's ends onto
−3 and +3 (and so its midpoint onto 0, "neutral"):

=================  ===========  =======================================
scale              range        onto −3…+3
=================  ===========  =======================================
``mot``            −3…+3        identity
``mermaid``        1…5          ``(v − 3) × 1.5``
``smaply``         −2…+2        ``v × 1.5``
``ten-point``      1…10         ``(v − 5.5) × 6 / 9``
``servqual-gap``   −6…+6        ``gap / 2`` (gap = perception − expectation)
=================  ===========  =======================================

A value outside its scale, NaN, an infinity or anything that is not a real
number raises :class:`~servicebp.errors.RatingError`; nothing is clamped.
"""

from __future__ import annotations

import enum
import math
import numbers
from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

import attrs

from servicebp.errors import InvalidArgumentError, RatingError

__all__ = [
    "MERMAID",
    "MOT",
    "RATING_MAX",
    "RATING_MIN",
    "SCALES",
    "SERVQUAL_GAP",
    "SMAPLY",
    "TEN_POINT",
    "RatingLevel",
    "Scale",
    "check_rating",
    "convert",
    "get_scale",
    "servqual_gap",
]

#: Lowest rating on the moment-of-truth scale: endangers the relationship.
RATING_MIN: Final = -3.0
#: Highest rating on the moment-of-truth scale: delights the customer.
RATING_MAX: Final = 3.0


class RatingLevel(enum.IntEnum):
    """The seven named levels of the moment-of-truth scale (seed 003).

    Examples
    --------
    >>> RatingLevel(-1).meaning
    'partly fails expectations'
    >>> RatingLevel.nearest(1.4)
    <RatingLevel.MEETS: 1>
    >>> RatingLevel.nearest(-1.5)  # halfway: the worse level
    <RatingLevel.FAILS: -2>
    """

    DELIGHTS = 3
    EXCEEDS = 2
    MEETS = 1
    NEUTRAL = 0
    PARTLY_FAILS = -1
    FAILS = -2
    ENDANGERS = -3

    @property
    def meaning(self) -> str:
        """What the level means, in the words of the seeds' rating table."""
        return _MEANINGS[self]

    @classmethod
    def nearest(cls, rating: object) -> RatingLevel:
        """Return the level nearest to *rating*; halfway goes to the worse level.

        A fractional rating (a mean, a rubric result) is described by its
        nearest level. At exactly halfway the worse level wins (servicebp's
        convention: never the more flattering description).
        """
        value = check_rating(rating)
        return cls(math.ceil(value - 0.5))


_MEANINGS: Final = {
    RatingLevel.DELIGHTS: "delights the customer",
    RatingLevel.EXCEEDS: "exceeds expectations",
    RatingLevel.MEETS: "meets expectations",
    RatingLevel.NEUTRAL: "neutral (no expectation)",
    RatingLevel.PARTLY_FAILS: "partly fails expectations",
    RatingLevel.FAILS: "fails expectations",
    RatingLevel.ENDANGERS: "endangers the customer relationship",
}


def _real(value: object, *, what: str) -> float:
    # bool is an int to Python, but True is not a rating anybody meant.
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise RatingError(f"{what} must be a number, not {type(value).__name__} ({value!r})")
    number = float(value)
    if math.isnan(number):
        raise RatingError(f"{what} is NaN; a missing rating must be left out, not NaN")
    return number


def _within(number: float, low: float, high: float, *, what: str, scale: str) -> float:
    if not low <= number <= high:
        ends = f"{low:g}…{high:+g}" if low < 0 else f"{low:g}…{high:g}"
        raise RatingError(f"{what} {number!r} is not on the {scale} scale {ends}")
    return number


def check_rating(value: object, *, where: str | None = None) -> float:
    """Return *value* as a float if it is a rating on −3…+3, else raise.

    Parameters
    ----------
    value : object
        The rating.
    where : str, optional
        Where the rating comes from, for the message (e.g. ``"step 'apply'"``).

    Raises
    ------
    RatingError
        If *value* is not a real number, is NaN, or lies outside −3…+3.

    Examples
    --------
    >>> check_rating(2)
    2.0
    >>> check_rating(4, where="step 'apply'")
    Traceback (most recent call last):
    ...
    servicebp.errors.RatingError: step 'apply': rating 4.0 is not on the MOT scale -3…+3
    """
    what = "rating" if where is None else f"{where}: rating"
    return _within(_real(value, what=what), RATING_MIN, RATING_MAX, what=what, scale="MOT")


@attrs.frozen(kw_only=True)
class Scale:
    """A declared rating scale with a linear conversion onto −3…+3 and back.

    The scale's *low* end maps onto −3 and its *high* end onto +3.

    Parameters
    ----------
    name : str
        The name the scale is registered under.
    low, high : float
        The ends of the scale, ``low < high``.
    description : str
        Where the scale comes from.

    Examples
    --------
    >>> scale = Scale(name="percent", low=0, high=100, description="a percentage")
    >>> scale.to_mot(50), scale.from_mot(3)
    (0.0, 100.0)
    """

    name: str = attrs.field(validator=attrs.validators.instance_of(str))
    low: float = attrs.field(converter=float)
    high: float = attrs.field(converter=float)
    description: str = attrs.field(default="", validator=attrs.validators.instance_of(str))

    @high.validator
    def _check_range(self, attribute: attrs.Attribute[float], value: float) -> None:
        if not (math.isfinite(self.low) and math.isfinite(value) and self.low < value):
            raise InvalidArgumentError(
                f"scale {self.name!r} needs finite ends with low < high, got {self.low!r}…{value!r}"
            )

    def check(self, value: object) -> float:
        """Return *value* as a float if it lies on this scale, else raise :class:`RatingError`.

        Examples
        --------
        >>> MERMAID.check(0)
        Traceback (most recent call last):
        ...
        servicebp.errors.RatingError: value 0.0 is not on the mermaid scale 1…5
        """
        number = _real(value, what=f"value on the {self.name} scale")
        return _within(number, self.low, self.high, what="value", scale=self.name)

    def to_mot(self, value: object) -> float:
        """Convert *value* on this scale onto the MOT scale −3…+3.

        Examples
        --------
        >>> MERMAID.to_mot(1), MERMAID.to_mot(3), MERMAID.to_mot(5)
        (-3.0, 0.0, 3.0)
        """
        number = self.check(value)
        return RATING_MIN + (RATING_MAX - RATING_MIN) * ((number - self.low) / self.span)

    def from_mot(self, rating: object) -> float:
        """Convert a rating on −3…+3 onto this scale.

        Examples
        --------
        >>> TEN_POINT.from_mot(-3), TEN_POINT.from_mot(0), TEN_POINT.from_mot(3)
        (1.0, 5.5, 10.0)
        """
        value = check_rating(rating)
        return self.low + self.span * ((value - RATING_MIN) / (RATING_MAX - RATING_MIN))

    @property
    def span(self) -> float:
        """The width of the scale, ``high − low``."""
        return self.high - self.low


#: The moment-of-truth scale itself (seed 003).
MOT: Final = Scale(name="mot", low=RATING_MIN, high=RATING_MAX, description="seed 003's MOT table")
#: Mermaid journey diagrams' task scores, 1 (worst) … 5 (best).
MERMAID: Final = Scale(name="mermaid", low=1, high=5, description="Mermaid journey task score")
#: Smaply's emotion lines, −2 … +2.
SMAPLY: Final = Scale(name="smaply", low=-2, high=2, description="Smaply emotion line")
#: Experience lines rated 1 … 10.
TEN_POINT: Final = Scale(name="ten-point", low=1, high=10, description="1–10 experience line")
#: SERVQUAL gaps: perception − expectation, each on a 1…7 item scale, so −6 … +6.
SERVQUAL_GAP: Final = Scale(
    name="servqual-gap", low=-6, high=6, description="SERVQUAL perception − expectation (1–7 items)"
)

#: The declared scales by name.
SCALES: Final[Mapping[str, Scale]] = MappingProxyType(
    {scale.name: scale for scale in (MOT, MERMAID, SMAPLY, TEN_POINT, SERVQUAL_GAP)}
)

_SERVQUAL_ITEM: Final = Scale(name="SERVQUAL item", low=1, high=7)


def get_scale(scale: Scale | str) -> Scale:
    """Return the scale named *scale* (or *scale* itself).

    Raises
    ------
    RatingError
        If no scale has that name; the message lists the declared ones.

    Examples
    --------
    >>> get_scale("smaply").high
    2.0
    """
    if isinstance(scale, Scale):
        return scale
    try:
        return SCALES[scale]
    except (KeyError, TypeError):
        raise RatingError(f"unknown scale: {scale!r} (must be one of {sorted(SCALES)})") from None


def convert(value: object, *, source: Scale | str, target: Scale | str = MOT) -> float:
    """Convert *value* from scale *source* to scale *target*, through −3…+3.

    Examples
    --------
    >>> convert(4, source="mermaid")
    1.5
    >>> convert(4, source="mermaid", target="smaply")
    1.0
    >>> convert(6, source="mermaid")
    Traceback (most recent call last):
    ...
    servicebp.errors.RatingError: value 6.0 is not on the mermaid scale 1…5
    """
    return get_scale(target).from_mot(get_scale(source).to_mot(value))


def servqual_gap(perception: object, expectation: object) -> float:
    """Return the SERVQUAL gap *perception* − *expectation*, both on a 1…7 item scale.

    The gap lies on −6…+6; :data:`SERVQUAL_GAP` converts it onto −3…+3.

    Examples
    --------
    >>> servqual_gap(5, 6)
    -1.0
    >>> SERVQUAL_GAP.to_mot(servqual_gap(7, 1))
    3.0
    >>> servqual_gap(8, 1)
    Traceback (most recent call last):
    ...
    servicebp.errors.RatingError: value 8.0 is not on the SERVQUAL item scale 1…7
    """
    return _SERVQUAL_ITEM.check(perception) - _SERVQUAL_ITEM.check(expectation)
