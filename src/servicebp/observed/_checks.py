"""Hostile-cell checks of the table layer: what Python or numpy would misread silently.

Private, used by :mod:`._cells` and :mod:`._tables` (issue 18, class 5):

* ``float()`` reads Arabic-Indic (``٣``), fullwidth (``３``) and other
  Unicode digits and underscores (``1_0``) as numbers: a cell of a CSV file
  must be a plain ASCII number (:func:`unplain_numbers`);
* numpy reads ``5`` or ``20240101`` as the year 5 or 20,240,101, and turns
  years outside 1678–2261 into other times when it stores nanoseconds: ISO
  text must start ``YYYY-MM-DD`` (:func:`iso_shaped`) and every time must
  fit nanoseconds (:func:`nanoseconds`);
* times whose span is beyond float range give an infinite wait
  (:func:`finite_span`); integers beyond 64 bits wrap (:func:`whole_orders`);
* nested cells (polars structs, lists) have no order or id (:func:`flat_series`).
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any, Final

import narwhals.stable.v2 as nw
import numpy as np
import numpy.typing as npt

from servicebp.errors import ObservedDataError
from servicebp.model._fields import code_points
from servicebp.observed._tables import FloatArray, Where, rows_error

__all__ = [
    "finite_span",
    "flat_series",
    "iso_shaped",
    "nanoseconds",
    "plain_number_problem",
    "step_id_problem",
    "unplain_numbers",
    "whole_orders",
]

_PLAIN: Final = re.compile(
    r"[+-]?(?:(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?|inf(?:inity)?|nan)\Z",
    re.ASCII | re.IGNORECASE,
)
#: The times ``datetime64[ns]`` holds, with a day of margin on each side.
_LOW: Final = np.datetime64("1677-09-22T00:00:00", "s")
_HIGH: Final = np.datetime64("2262-04-10T23:59:59", "s")
_FINE_UNITS: Final = frozenset({"ns", "ps", "fs", "as"})


def plain_number_problem(text: str) -> str | None:
    """Why *text* (stripped) is not a plain ASCII number ``float()`` reads, or None.

    Examples
    --------
    >>> plain_number_problem("-1.5e2"), plain_number_problem("1_0")
    (None, "'1_0' is not a plain number (digits 0-9, a sign, a point, an exponent)")
    >>> print(plain_number_problem("\u0663"))
    '٣' is not a number in the digits 0-9 (U+0663 ARABIC-INDIC DIGIT THREE)
    """
    if _PLAIN.match(text):
        return None
    odd = "".join(dict.fromkeys(c for c in text if not c.isascii()))
    if odd:
        return f"{text!r} is not a number in the digits 0-9 ({code_points(odd)})"
    return f"{text!r} is not a plain number (digits 0-9, a sign, a point, an exponent)"


def unplain_numbers(cells: npt.NDArray[Any]) -> npt.NDArray[np.bool_] | None:
    """Which of *cells* (stripped text ``float()`` reads) are not plain ASCII numbers, or None.

    Examples
    --------
    >>> unplain_numbers(np.array(["1", "2.5"])), unplain_numbers(np.array(["1", "\uff13"]))
    (None, array([False,  True]))
    """
    distinct = set(cells.tolist())
    joined = "".join(distinct)
    if joined.isascii() and "_" not in joined:
        return None
    bad = [c for c in distinct if c and plain_number_problem(c) is not None]
    return np.isin(cells, np.array(bad, dtype=cells.dtype)) if bad else None


def iso_shaped(text: npt.NDArray[np.str_]) -> npt.NDArray[np.bool_]:
    """Which cells of *text* (numpy ``str``) start with an ASCII date ``YYYY-MM-DD``.

    Examples
    --------
    >>> iso_shaped(np.array(["2024-05-01T09:30", "5", "20240501", "2024-5-1"])).tolist()
    [True, False, False, False]
    """
    width = text.dtype.itemsize // 4
    if width < 10 or not len(text):
        return np.zeros(len(text), dtype=np.bool_)
    chars = np.ascontiguousarray(text).view("U1").reshape(len(text), width)[:, :10]
    digits = (chars >= "0") & (chars <= "9")
    return np.asarray(
        digits[:, [0, 1, 2, 3, 5, 6, 8, 9]].all(axis=1) & (chars[:, [4, 7]] == "-").all(axis=1),
        dtype=np.bool_,
    )


def nanoseconds(
    stamps: npt.NDArray[np.datetime64], column: str, where: Where
) -> npt.NDArray[np.datetime64]:
    """*stamps* (no NaT) as ``datetime64[ns]``, or an error naming the rows that do not fit.

    Examples
    --------
    >>> from servicebp.observed._tables import row_number
    >>> nanoseconds(np.array(["2024-01-01", "9999-01-01"], dtype="datetime64[s]"), "t",
    ...             row_number)
    Traceback (most recent call last):
    ...
    servicebp.errors.ObservedDataError: row 1: column 't': the time is outside the years 1678 to 2261 that times are read in (to the nanosecond)
    """  # noqa: E501
    if np.datetime_data(stamps.dtype)[0] not in _FINE_UNITS and len(stamps):
        outside = (stamps < _LOW.astype(stamps.dtype)) | (stamps > _HIGH.astype(stamps.dtype))
        if outside.any():
            message = "the time is outside the years 1678 to 2261 that times are read in"
            raise rows_error(outside, where, column, f"{message} (to the nanosecond)")
    return stamps.astype("datetime64[ns]")


def finite_span(minutes: FloatArray, column: str, where: Where) -> FloatArray:
    """*minutes*, if the span between any two of them is a finite number; else an error.

    Examples
    --------
    >>> from servicebp.observed._tables import row_number
    >>> finite_span(np.array([1e308, -1e308]), "order", row_number)
    Traceback (most recent call last):
    ...
    servicebp.errors.ObservedDataError: row 0: column 'order': 1e+308 is too far from the column's other times (their difference is beyond float range)
    """  # noqa: E501
    if len(minutes) and not np.isfinite(float(minutes.max()) - float(minutes.min())):
        first = int(np.argmax(np.abs(minutes)))
        message = (
            f"{float(minutes[first]):g} is too far from the column's other times "
            "(their difference is beyond float range)"
        )
        raise ObservedDataError([where.problem(first, column, message)])
    return minutes


def whole_orders(objects: list[Any], column: str, where: Where) -> npt.NDArray[Any]:
    """Python numbers as int64 (all integers) or float64, or an error naming one out of range.

    Examples
    --------
    >>> from servicebp.observed._tables import row_number
    >>> whole_orders([3, 1], "order", row_number).tolist()
    [3, 1]
    >>> whole_orders([2**70, 1], "order", row_number)
    Traceback (most recent call last):
    ...
    servicebp.errors.ObservedDataError: row 0: column 'order': an integer of 22 digits is beyond the 64-bit range of an order
    """  # noqa: E501
    try:
        if all(isinstance(v, int | np.integer) for v in objects):
            return np.asarray(objects, dtype=np.int64)
        return np.asarray(objects, dtype=np.float64)
    except OverflowError:
        first = next(i for i, v in enumerate(objects) if abs(v) >= 2**63)
        value = abs(int(objects[first]))
        size = (
            f"of {len(str(value))} digits"
            if value.bit_length() < 14_000
            else "of over 4,000 digits"
        )
        message = f"an integer {size} is beyond the 64-bit range of an order"
        raise ObservedDataError([where.problem(first, column, message)]) from None


def flat_series(series: nw.Series[Any]) -> None:
    """Refuse a column of nested cells (structs, lists, arrays): no id, order or rating.

    Examples
    --------
    >>> import polars as pl
    >>> flat_series(nw.from_native(pl.Series("journey", [{"a": 1}]), series_only=True))
    Traceback (most recent call last):
    ...
    servicebp.errors.ObservedDataError: column 'journey' holds nested cells (Struct({'a': Int64})); ids, orders and ratings must be plain values: unnest or cast the column first
    """  # noqa: E501
    if series.dtype.is_nested():
        raise ObservedDataError(
            f"column {series.name!r} holds nested cells ({series.dtype}); ids, orders and "
            "ratings must be plain values: unnest or cast the column first"
        )


def step_id_problem(text: str) -> str | None:
    """Why the step id *text* read from a file cannot be one, or None.

    A control character (an escape sequence would reach the terminal) or an
    invisible one (a bidi override) is refused, as in a blueprint's own ids.

    Examples
    --------
    >>> step_id_problem("pay"), step_id_problem("")
    (None, 'the step id is missing')
    >>> print(step_id_problem("a\\x1b[31mb"))
    the step id 'a\\x1b[31mb' contains the control character U+001B
    """
    if not text:
        return "the step id is missing"
    for char in text:
        category = unicodedata.category(char)
        if category in ("Cc", "Cs", "Cf"):
            kind = "invisible" if category == "Cf" else "control"
            return f"the step id {text!r} contains the {kind} character U+{ord(char):04X}"
    return None
