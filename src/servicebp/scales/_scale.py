"""Rating scales: the moment-of-truth scale −3…+3 and the scales research data arrive on.

The moment-of-truth rating sheet (关键时刻评分表) of servicebp's MOT training
material rates every moment on
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

This module is the one place the moment-of-truth scale's rules are written:

* the range check, :func:`check_rating` (or :func:`rating_problem` where the
  caller raises its own error), with one wording:
  ``rating 4.0 is not on the MOT scale -3…+3``;
* the rounding rule, :func:`nearest_whole`: a fractional rating (a mean, a
  rubric result, an expected rating) is described *and* coloured as the
  nearest whole level, and at exactly halfway as the **worse** one (+0.5 is
  "neutral", −0.5 "partly fails"). The training material judges a service
  even by its worst contact, so a rating is never described more flatteringly than
  it is; :meth:`RatingLevel.nearest`, the renderers' colour classes and
  Mermaid's journey scores all round this way.

:meth:`Scale.to_mot`, :meth:`Scale.from_mot`, :meth:`Scale.check` and
:func:`convert` take one number or a whole column (a numpy array or a
sequence of numbers): a column is checked in one vectorised pass and comes
back as a float array of the same shape; the error for a bad column names
the first bad position, its value and how many values are bad.
"""

from __future__ import annotations

import enum
import math
import numbers
from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import Any, Final, TypeAlias, overload

import attrs
import numpy as np
import numpy.typing as npt

from servicebp.errors import ArgumentTypeError, InvalidArgumentError, RatingError

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
    "nearest_whole",
    "rating_problem",
    "servqual_gap",
]

FloatArray: TypeAlias = npt.NDArray[np.float64]
#: One number: what the scalar overloads of the conversions take.
Number: TypeAlias = float | np.integer[Any] | np.floating[Any]
#: A column of numbers: what the vectorised overloads take.
Column: TypeAlias = npt.NDArray[Any] | Sequence[object]

#: Lowest rating on the moment-of-truth scale: endangers the relationship.
RATING_MIN: Final = -3.0
#: Highest rating on the moment-of-truth scale: delights the customer.
RATING_MAX: Final = 3.0


class RatingLevel(enum.IntEnum):
    """The seven named levels of the moment-of-truth scale (the MOT rating sheet).

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
        """What the level means, in the words of the MOT rating sheet."""
        return _MEANINGS[self]

    @property
    def short(self) -> str:
        """The level's name in a word or two, as a legend shows it.

        Examples
        --------
        >>> RatingLevel.PARTLY_FAILS.short, RatingLevel(3).short
        ('partly fails', 'delights')
        """
        return self.name.lower().replace("_", " ")

    @classmethod
    def nearest(cls, rating: object) -> RatingLevel:
        """Return the level nearest to *rating*; halfway goes to the worse level.

        A fractional rating (a mean, a rubric result) is described by its
        nearest level, by the scale's one rounding rule (:func:`nearest_whole`).

        Raises
        ------
        RatingError
            If *rating* is not a number on −3…+3.

        Examples
        --------
        >>> RatingLevel.nearest(0.5), RatingLevel.nearest(0.51)
        (<RatingLevel.NEUTRAL: 0>, <RatingLevel.MEETS: 1>)
        """
        return cls(nearest_whole(check_rating(rating)))


def nearest_whole(value: float) -> int:
    """Return the whole number nearest to *value*; at exactly halfway, the lower one.

    The one rounding rule of the rating scales: on every scale servicebp
    uses, lower is worse, so a value halfway between two levels takes the
    worse level, never the more flattering one.

    Examples
    --------
    >>> [nearest_whole(v) for v in (1.4, 1.5, 1.6, 0.5, -0.5, -1.5, -2.6)]
    [1, 1, 2, 0, -1, -2, -3]
    """
    return math.ceil(value - 0.5)


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


def _ends(low: float, high: float) -> str:
    return f"{low:g}…{high:+g}" if low < 0 else f"{low:g}…{high:g}"


def _off_scale(number: float, low: float, high: float, scale: str) -> str | None:
    """The one wording of a number off a scale: ``4.0 is not on the MOT scale -3…+3``."""
    if low <= number <= high:
        return None
    return f"{number!r} is not on the {scale} scale {_ends(low, high)}"


def _within(number: float, low: float, high: float, *, what: str, scale: str) -> float:
    problem = _off_scale(number, low, high, scale)
    if problem is not None:
        raise RatingError(f"{what} {problem}")
    return number


def _is_column(value: object) -> bool:
    """Whether *value* is an array or a sequence of values rather than one value."""
    if isinstance(value, np.ndarray):
        return True
    return isinstance(value, Sequence) and not isinstance(value, str | bytes | bytearray)


def _position(array: npt.NDArray[Any], flat: int) -> str:
    if array.ndim <= 1:
        return str(flat)
    return str(tuple(int(i) for i in np.unravel_index(flat, array.shape)))


def _real_array(values: object, *, what: str) -> FloatArray:
    """*values* as a float64 array: numbers only, no NaN (named by position, with a count)."""
    try:
        # A sequence is read cell by cell (as objects), so that True or "2"
        # in a list is named rather than turned into 1 or text by numpy.
        array = values if isinstance(values, np.ndarray) else np.array(values, dtype=object)
    except ValueError as error:  # a ragged sequence
        raise RatingError(
            f"{what} must be an array or a sequence of numbers of one shape: {error}"
        ) from None
    kind = array.dtype.kind
    if kind == "O":
        cells = array.reshape(-1).tolist()
        bad = [
            i for i, v in enumerate(cells) if isinstance(v, bool) or not isinstance(v, numbers.Real)
        ]
        if bad:
            first = cells[bad[0]]
            more = f" ({len(bad)} such values)" if len(bad) > 1 else ""
            raise RatingError(
                f"{what} must be numbers, not {type(first).__name__} ({first!r}) at position "
                f"{_position(array, bad[0])}{more}"
            )
        try:
            numbers_array = np.array(cells, dtype=np.float64).reshape(array.shape)
        except OverflowError:
            raise RatingError(f"{what} hold an integer too large to be a rating") from None
    elif kind in "iuf":
        numbers_array = array.astype(np.float64)
    else:
        raise RatingError(f"{what} must be numbers, not dtype {array.dtype}")
    nan = np.isnan(numbers_array)
    if nan.any():
        flat = np.flatnonzero(nan)
        more = f" ({len(flat)} NaN values)" if len(flat) > 1 else ""
        raise RatingError(
            f"{what}: NaN at position {_position(array, int(flat[0]))}{more}; "
            f"a missing rating must be left out, not NaN"
        )
    return numbers_array


def _within_array(array: FloatArray, low: float, high: float, *, scale: str) -> FloatArray:
    off = ~((array >= low) & (array <= high))
    if off.any():
        flat = np.flatnonzero(off)
        first = int(flat[0])
        ends = _ends(low, high)
        count = f"{len(flat)} values are" if len(flat) > 1 else "1 value is"
        raise RatingError(
            f"{count} not on the {scale} scale {ends}; the first is "
            f"{float(array.reshape(-1)[first])!r} at position {_position(array, first)}"
        )
    return array


def check_rating(value: object, *, where: str | None = None, name: str = "rating") -> float:
    """Return *value* as a float if it is a rating on −3…+3, else raise.

    The one range check of the moment-of-truth scale.

    Parameters
    ----------
    value : object
        The rating.
    where : str, optional
        Where the rating comes from, for the message (e.g. ``"step 'apply'"``).
    name : str, default "rating"
        What the message calls the value (e.g. ``"failure_rating"``).

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
    >>> check_rating(-3.5, name="failure_rating")
    Traceback (most recent call last):
    ...
    servicebp.errors.RatingError: failure_rating -3.5 is not on the MOT scale -3…+3
    """
    what = name if where is None else f"{where}: {name}"
    return _within(_real(value, what=what), RATING_MIN, RATING_MAX, what=what, scale="MOT")


def rating_problem(number: float, scale: Scale | None = None) -> str | None:
    """Return why the number *number* is off *scale* (default −3…+3), or None if it is on it.

    For callers that raise their own error (a file's row, a step's field)
    with the wording :func:`check_rating` uses.

    Examples
    --------
    >>> rating_problem(3.0), rating_problem(-3.5)
    (None, '-3.5 is not on the MOT scale -3…+3')
    >>> rating_problem(0.0, MERMAID)
    '0.0 is not on the mermaid scale 1…5'
    >>> rating_problem(float("nan")), rating_problem(float("nan"), MERMAID)
    ('NaN is not a rating (ratings run from -3 to +3)', 'NaN is not a rating (the mermaid scale runs 1…5)')
    """  # noqa: E501
    if scale is None or scale == MOT:
        if math.isnan(number):
            return "NaN is not a rating (ratings run from -3 to +3)"
        return _off_scale(number, RATING_MIN, RATING_MAX, "MOT")
    if math.isnan(number):
        return f"NaN is not a rating (the {scale.name} scale runs {_ends(scale.low, scale.high)})"
    return _off_scale(number, scale.low, scale.high, scale.name)


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

    @overload
    def check(self, value: Number) -> float: ...
    @overload
    def check(self, value: Column) -> FloatArray: ...
    @overload
    def check(self, value: object) -> float | FloatArray: ...

    def check(self, value: object) -> float | FloatArray:
        """Return *value* as floats if it lies on this scale, else raise :class:`RatingError`.

        *value* is one number (a float comes back) or a numpy array or
        sequence of numbers (a float array of the same shape comes back).

        Examples
        --------
        >>> MERMAID.check(0)
        Traceback (most recent call last):
        ...
        servicebp.errors.RatingError: value 0.0 is not on the mermaid scale 1…5
        >>> MERMAID.check([1, 7, 5, 0])
        Traceback (most recent call last):
        ...
        servicebp.errors.RatingError: 2 values are not on the mermaid scale 1…5; the first is 7.0 at position 1
        """  # noqa: E501
        if _is_column(value):
            return _within_array(
                _real_array(value, what=f"values on the {self.name} scale"),
                self.low,
                self.high,
                scale=self.name,
            )
        number = _real(value, what=f"value on the {self.name} scale")
        return _within(number, self.low, self.high, what="value", scale=self.name)

    @overload
    def to_mot(self, value: Number) -> float: ...
    @overload
    def to_mot(self, value: Column) -> FloatArray: ...
    @overload
    def to_mot(self, value: object) -> float | FloatArray: ...

    def to_mot(self, value: object) -> float | FloatArray:
        """Convert *value* on this scale onto the MOT scale −3…+3.

        *value* is one number, or a numpy array or sequence of numbers
        converted in one vectorised pass (a float array of the same shape
        comes back). Values off the scale are an error, never clamped.

        Examples
        --------
        >>> MERMAID.to_mot(1), MERMAID.to_mot(3), MERMAID.to_mot(5)
        (-3.0, 0.0, 3.0)
        >>> import numpy as np
        >>> MERMAID.to_mot(np.array([1, 4, 5])).tolist()
        [-3.0, 1.5, 3.0]
        """
        checked = self.check(value)
        return RATING_MIN + (RATING_MAX - RATING_MIN) * ((checked - self.low) / self.span)

    @overload
    def from_mot(self, rating: Number) -> float: ...
    @overload
    def from_mot(self, rating: Column) -> FloatArray: ...
    @overload
    def from_mot(self, rating: object) -> float | FloatArray: ...

    def from_mot(self, rating: object) -> float | FloatArray:
        """Convert a rating on −3…+3 (or an array or sequence of them) onto this scale.

        Examples
        --------
        >>> TEN_POINT.from_mot(-3), TEN_POINT.from_mot(0), TEN_POINT.from_mot(3)
        (1.0, 5.5, 10.0)
        >>> TEN_POINT.from_mot([-3, 0, 3]).tolist()
        [1.0, 5.5, 10.0]
        """
        if _is_column(rating):
            checked: float | FloatArray = _within_array(
                _real_array(rating, what="ratings"), RATING_MIN, RATING_MAX, scale="MOT"
            )
        else:
            checked = check_rating(rating)
        return self.low + self.span * ((checked - RATING_MIN) / (RATING_MAX - RATING_MIN))

    @property
    def span(self) -> float:
        """The width of the scale, ``high − low``."""
        return self.high - self.low


#: The moment-of-truth scale itself (the MOT training material's rating sheet).
MOT: Final = Scale(name="mot", low=RATING_MIN, high=RATING_MAX, description="the MOT rating sheet")
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

#: Net Promoter Score's likelihood to recommend, 0 … 10 (Reichheld 2003).
NPS: Final = Scale(name="nps", low=0, high=10, description="likelihood to recommend (NPS)")
#: Customer satisfaction, 1 (very dissatisfied) … 5 (very satisfied).
CSAT5: Final = Scale(name="csat-5", low=1, high=5, description="customer satisfaction 1–5")
#: Customer satisfaction on seven points.
CSAT7: Final = Scale(name="csat-7", low=1, high=7, description="customer satisfaction 1–7")
#: Customer Effort Score 2.0: agreement, 1 … 7, that the company made it easy (higher: less effort).
CES: Final = Scale(name="ces", low=1, high=7, description="customer effort score 2.0 (7: easy)")

#: The declared scales by name.
SCALES: Final[Mapping[str, Scale]] = MappingProxyType(
    {
        scale.name: scale
        for scale in (MOT, MERMAID, SMAPLY, TEN_POINT, SERVQUAL_GAP, NPS, CSAT5, CSAT7, CES)
    }
)

_SERVQUAL_ITEM: Final = Scale(name="SERVQUAL item", low=1, high=7)


def get_scale(scale: Scale | str) -> Scale:
    """Return the scale named *scale* (or *scale* itself).

    Raises
    ------
    RatingError
        If no scale has that name; the message lists the declared ones.
    ArgumentTypeError
        If *scale* is neither a :class:`Scale` nor a name.

    Examples
    --------
    >>> get_scale("smaply").high
    2.0
    """
    if isinstance(scale, Scale):
        return scale
    if not isinstance(scale, str):
        raise ArgumentTypeError(
            f"scale must be a Scale or the name of one (one of {sorted(SCALES)}), "
            f"not {type(scale).__name__} ({scale!r:.60})"
        )
    try:
        return SCALES[scale]
    except (KeyError, TypeError):
        raise RatingError(f"unknown scale: {scale!r} (must be one of {sorted(SCALES)})") from None


@overload
def convert(value: Number, *, source: Scale | str, target: Scale | str = ...) -> float: ...
@overload
def convert(value: Column, *, source: Scale | str, target: Scale | str = ...) -> FloatArray: ...
@overload
def convert(
    value: object, *, source: Scale | str, target: Scale | str = ...
) -> float | FloatArray: ...


def convert(value: object, *, source: Scale | str, target: Scale | str = MOT) -> float | FloatArray:
    """Convert *value* from scale *source* to scale *target*, through −3…+3.

    *value* is one number, or a numpy array or sequence of numbers (a float
    array comes back).

    Examples
    --------
    >>> convert(4, source="mermaid")
    1.5
    >>> convert(4, source="mermaid", target="smaply")
    1.0
    >>> convert([1, 10], source="ten-point", target="mermaid").tolist()
    [1.0, 5.0]
    >>> convert(6, source="mermaid")
    Traceback (most recent call last):
    ...
    servicebp.errors.RatingError: value 6.0 is not on the mermaid scale 1…5
    """
    return get_scale(target).from_mot(get_scale(source).to_mot(value))


@overload
def servqual_gap(perception: Number, expectation: Number) -> float: ...
@overload
def servqual_gap(perception: Column, expectation: Column | Number) -> FloatArray: ...
@overload
def servqual_gap(perception: Number, expectation: Column) -> FloatArray: ...
@overload
def servqual_gap(perception: object, expectation: object) -> float | FloatArray: ...


def servqual_gap(perception: object, expectation: object) -> float | FloatArray:
    """Return the SERVQUAL gap *perception* − *expectation*, both on a 1…7 item scale.

    The gap lies on −6…+6; :data:`SERVQUAL_GAP` converts it onto −3…+3.
    Arrays (or sequences) of item scores give an array of gaps.

    Examples
    --------
    >>> servqual_gap(5, 6)
    -1.0
    >>> SERVQUAL_GAP.to_mot(servqual_gap(7, 1))
    3.0
    >>> servqual_gap([7, 4], [1, 6]).tolist()
    [6.0, -2.0]
    >>> servqual_gap(8, 1)
    Traceback (most recent call last):
    ...
    servicebp.errors.RatingError: value 8.0 is not on the SERVQUAL item scale 1…7
    """
    return _SERVQUAL_ITEM.check(perception) - _SERVQUAL_ITEM.check(expectation)
