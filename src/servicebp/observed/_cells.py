"""What the cells of an event table hold: the one rule for each kind of cell.

Private, shared by observed scoring, discovery and conformance, so that a
table means the same to all of them:

* a **missing** cell is None, NaN, NaT, pandas' NA, or text that is empty or
  white space (:func:`is_missing`);
* an **id** column (journey, case, step, activity) is coded by
  :func:`factorize`: the distinct ids sorted, every event's code into them;
* a **time** column (order or timestamp) is read by :func:`parse_times`:
  numbers, datetimes (time-zone-aware ones in UTC, pyarrow-backed too) or
  ISO 8601 text with or without a UTC offset;
* a **rating** column is read by :func:`parse_ratings` on a scale, text
  parsed only where the table is text (a CSV file).

Every check runs vectorised first; only when one fails is a second pass made
over the rows, to name them.
"""

from __future__ import annotations

import datetime as dt
import math
import numbers
import warnings
from typing import Any

import numpy as np
import numpy.typing as npt

from servicebp.errors import ObservedDataError
from servicebp.observed._checks import (
    finite_span,
    iso_shaped,
    nanoseconds,
    plain_number_problem,
    unplain_numbers,
    whole_orders,
)
from servicebp.observed._tables import (
    SHOWN_PROBLEMS,
    FloatArray,
    Where,
    observed_error,
    row_number,
    rows_error,
)
from servicebp.scales import rating_problem
from servicebp.scales._scale import MOT, Scale

__all__ = [
    "DENSE_FACTOR",
    "factorize",
    "is_missing",
    "parse_rating",
    "parse_ratings",
    "parse_times",
    "rating_problem",
    "require_numbers",
    "times_in_minutes",
]

IntArray = npt.NDArray[np.int64]

#: Dense integer ids are used as codes directly when their range is at most
#: this many times the number of events (memory stays bounded).
DENSE_FACTOR = 4


def _blank(value: object) -> bool:
    """None, NaN, NaT, pandas' NA, or text that is empty or white space."""
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    try:
        # NaN, NaT (numpy's and pandas') are the values unequal to themselves.
        return bool(value != value)
    except (TypeError, ValueError):
        # pandas.NA: its truth value is ambiguous.
        return type(value).__name__ == "NAType"


def is_missing(values: npt.NDArray[Any]) -> npt.NDArray[np.bool_]:
    """Which cells of *values* are missing: None, NaN, NaT, NA, or blank text.

    Examples
    --------
    >>> is_missing(np.array(["a", " ", None, float("nan")], dtype=object)).tolist()
    [False, True, True, True]
    >>> is_missing(np.array([1.0, np.nan])).tolist(), is_missing(np.array(["", "x"])).tolist()
    ([False, True], [True, False])
    """
    kind = values.dtype.kind
    if kind == "f":
        return np.asarray(np.isnan(values), dtype=np.bool_)
    if kind in "mM":
        return np.asarray(np.isnat(values), dtype=np.bool_)
    if kind == "U":
        return np.asarray(np.char.str_len(np.char.strip(values)) == 0, dtype=np.bool_)
    if kind == "O":
        try:
            # Most columns hold few distinct values: check those, rows only on a find.
            if not any(map(_blank, set(values.tolist()))):
                return np.zeros(len(values), dtype=np.bool_)
        except TypeError:  # an unhashable cell: check every row
            pass
        return np.fromiter(map(_blank, values), dtype=np.bool_, count=len(values))
    return np.zeros(len(values), dtype=np.bool_)


def check_present(
    values: npt.NDArray[Any], *, column: str, what: str, where: Where = row_number
) -> None:
    """Raise :class:`ObservedDataError` naming the rows of *values* whose cell is missing.

    Examples
    --------
    >>> check_present(np.array(["1", " ", "2"], dtype=object), column="case", what="case id")
    Traceback (most recent call last):
    ...
    servicebp.errors.ObservedDataError: row 1: column 'case': the case id is missing
    """
    missing = is_missing(values)
    if missing.any():
        raise rows_error(missing, where, column, f"the {what} is missing")


def factorize(
    values: npt.NDArray[Any], *, column: str, what: str, where: Where = row_number
) -> tuple[npt.NDArray[Any], IntArray]:
    """Return (sorted distinct ids, each row's code into them) of an id column.

    Ids are integers or text, all of one kind; a missing id (:func:`is_missing`)
    is an error naming its rows, since it would otherwise make a journey (or
    a step) named ``''`` or ``'nan'``.

    Examples
    --------
    >>> ids, codes = factorize(np.array(["b", "a", "b"], dtype=object), column="j", what="journey")
    >>> ids.tolist(), codes.tolist()
    (['a', 'b'], [1, 0, 1])
    >>> factorize(np.array([True]), column="j", what="journey")
    Traceback (most recent call last):
    ...
    servicebp.errors.ObservedDataError: column 'j': journey ids must be integers or strings, not dtype bool
    """  # noqa: E501
    kind = values.dtype.kind
    if kind == "b" or kind in "mMcV":
        raise ObservedDataError(
            f"column {column!r}: {what} ids must be integers or strings, not dtype {values.dtype}"
        )
    check_present(values, column=column, what=f"{what} id", where=where)
    if kind in "iu" and len(values):
        dense = _dense(values)
        if dense is not None:
            return dense
    if kind == "O":
        kinds = {type(v) for v in values.tolist()}
        if not (kinds <= {str} or kinds <= {int, np.int64} or kinds <= {float, int}):
            raise ObservedDataError(
                f"column {column!r}: {what} ids must be all strings or all integers, "
                f"found {sorted(k.__name__ for k in kinds)}"
            )
        if kinds <= {str}:
            values = values.astype(str)
    ids, codes = np.unique(values, return_inverse=True)
    if ids.dtype.kind == "U":
        ids = ids.astype(object)
    return ids, codes.astype(np.int64, copy=False).reshape(-1)


def _dense(values: npt.NDArray[Any]) -> tuple[npt.NDArray[Any], IntArray] | None:
    """Integer ids of a small range coded by counting, without a sort."""
    low, high = int(values.min()), int(values.max())
    if high - low >= DENSE_FACTOR * len(values) + 1024:
        return None
    shifted = values.astype(np.int64, copy=False)
    if low:
        shifted = shifted - low
    counts = np.bincount(shifted, minlength=high - low + 1)
    present = counts > 0
    ids = (np.flatnonzero(present) + low).astype(values.dtype)
    if bool(present.all()):
        return ids, shifted
    remap = np.cumsum(present) - 1
    return ids, remap[shifted]


def parse_times(
    values: npt.NDArray[Any], *, column: str, where: Where = row_number, what: str | None = None
) -> npt.NDArray[Any]:
    """Read an order or time column: integers, floats or ``datetime64[ns]`` (UTC), none missing.

    Numbers stay numbers (text that is all whole numbers becomes integers);
    datetimes become ``datetime64[ns]``; ISO 8601 text (``2024-05-01T09:30``,
    ``…Z``, ``…+02:00``) is read as UTC (naive times are taken as UTC). A
    missing cell, or text that is neither, is an error naming its row (the
    missing *what*: by default ``order`` for numbers, ``timestamp`` for times);
    whether text is numbers or times is decided by its first cell.

    Examples
    --------
    >>> parse_times(np.array(["3", "1"], dtype=object), column="order").tolist()
    [3, 1]
    >>> t = parse_times(np.array(["2024-01-01T10:00", "2024-01-01T12:30+02:00"]), column="t")
    >>> t.dtype, (t[1] - t[0]).astype(int) // 60_000_000_000
    (dtype('<M8[ns]'), np.int64(30))
    >>> parse_times(np.array(["soon"]), column="t")
    Traceback (most recent call last):
    ...
    servicebp.errors.ObservedDataError: row 0: column 't': 'soon' is neither a number nor an ISO 8601 time
    >>> parse_times(np.array([1.0, np.nan]), column="order")
    Traceback (most recent call last):
    ...
    servicebp.errors.ObservedDataError: row 1: column 'order': the order is missing
    """  # noqa: E501
    kind = values.dtype.kind
    if kind == "M":
        _no_gaps(values, column, where, what or "timestamp")
        return nanoseconds(values, column, where)
    if kind == "u" and len(values) and int(values.max()) >= 2**63:
        return whole_orders(values.tolist(), column, where)
    if kind in "iu":
        return values.astype(np.int64, copy=False)
    if kind == "f":
        missing = ~np.isfinite(values)
        if missing.any():
            raise rows_error(missing, where, column, f"the {what or 'order'} is missing")
        return values
    if kind not in "OUS":
        raise ObservedDataError(
            f"column {column!r}: the order must be numbers or datetimes, not dtype {values.dtype}"
        )
    _no_gaps(values, column, where, what or "timestamp")
    if kind == "O":
        objects = values.tolist()
        if all(isinstance(v, dt.datetime) for v in objects):
            return nanoseconds(_stamps(objects), column, where)
        if all(isinstance(v, numbers.Real) and not isinstance(v, bool) for v in objects):
            numbers_only = whole_orders(objects, column, where)
            return parse_times(numbers_only, column=column, where=where, what=what)
    text = np.char.strip(np.asarray(values, dtype=str))
    try:
        found = text.astype(np.float64)
    except ValueError:
        if len(text) and _number(str(text[0])):
            raise _mixed(text, column, where) from None
        return _iso_times(text, column, where)
    odd = unplain_numbers(text)
    if odd is not None:
        first = int(np.argmax(odd))
        message = plain_number_problem(str(text[first])) or ""
        raise ObservedDataError([where.problem(first, column, message)])
    missing = ~np.isfinite(found)
    if missing.any():
        raise rows_error(missing, where, column, f"the {what or 'order'} is missing")
    whole = found == np.round(found)
    if bool(whole.all()) and bool((np.abs(found) < 2**53).all()):
        return found.astype(np.int64)
    return found


def _number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _mixed(text: npt.NDArray[np.str_], column: str, where: Where) -> ObservedDataError:
    """The error for a column of numbers with a cell that is not one (an ISO time, say)."""
    bad = ~np.fromiter(map(_number, text.tolist()), dtype=np.bool_, count=len(text))
    first = int(np.argmax(bad))
    if iso_shaped(text[first : first + 1])[0]:
        message = (
            f"{str(text[first])!r} is an ISO 8601 time in a column of numbers "
            f"({str(text[0])!r} first); a column holds numbers or times, not both"
        )
    else:
        message = f"{str(text[first])!r} is neither a number nor an ISO 8601 time"
    return ObservedDataError([where.problem(first, column, message)])


def _no_gaps(values: npt.NDArray[Any], column: str, where: Where, what: str) -> None:
    missing = is_missing(values)
    if missing.any():
        raise rows_error(missing, where, column, f"the {what} is missing")


def _stamps(stamps: list[dt.datetime]) -> npt.NDArray[np.datetime64]:
    """Python datetimes in UTC, in microseconds (their own precision: nothing overflows)."""
    utc = [s if s.tzinfo is None else s.astimezone(dt.UTC).replace(tzinfo=None) for s in stamps]
    return np.array(utc, dtype="datetime64[us]")


def _iso_times(text: npt.NDArray[np.str_], column: str, where: Where) -> npt.NDArray[np.datetime64]:
    """ISO 8601 text as ``datetime64[ns]``: numpy's parser, or per distinct text with offsets.

    Every cell must start ``YYYY-MM-DD``: numpy would read ``5`` as the year 5.
    """
    shaped = iso_shaped(text)
    if not shaped.all():
        first = int(np.argmin(shaped))
        cell = str(text[first])
        message = f"{cell!r} is neither a number nor an ISO 8601 time"
        if _number(cell):
            message = (
                f"{cell!r} is a number in a column of times ({str(text[0])!r} first); "
                "a column holds numbers or times, not both"
            )
        raise ObservedDataError([where.problem(first, column, message)])
    with warnings.catch_warnings():
        # numpy warns on (and drops) an offset or a 'Z': such text goes the slower way.
        warnings.simplefilter("error")
        try:
            parsed = text.astype("datetime64[us]")
        except (ValueError, Warning):
            pass
        else:
            return nanoseconds(parsed, column, where)
    distinct, inverse = np.unique(text, return_inverse=True)
    found = np.empty(len(distinct), dtype="datetime64[us]")
    for k, cell in enumerate(distinct.tolist()):
        try:
            found[k] = _stamps([dt.datetime.fromisoformat(cell)])[0]
        except (ValueError, OverflowError):
            first = int(np.flatnonzero(inverse == k)[0])
            raise ObservedDataError(
                [where.problem(first, column, f"{cell!r} is neither a number nor an ISO 8601 time")]
            ) from None
    return nanoseconds(found[inverse.reshape(-1)], column, where)


def times_in_minutes(
    values: npt.NDArray[Any], *, column: str, where: Where = row_number, what: str | None = None
) -> FloatArray:
    """Return a time column (:func:`parse_times`) as minutes; numbers are taken as minutes.

    Examples
    --------
    >>> t = times_in_minutes(np.array(["2024-01-01T10:00", "2024-01-01 10:30:00Z",
    ...                                "2024-01-01T12:30+02:00"]), column="t")
    >>> (t - t[0]).tolist()
    [0.0, 30.0, 30.0]
    """
    found = parse_times(values, column=column, where=where, what=what)
    if found.dtype.kind == "M":
        return found.view(np.int64) / 60e9
    return finite_span(found.astype(np.float64), column, where)


def require_numbers(
    values: npt.NDArray[Any], *, column: str, where: Where = row_number, what: str = "values"
) -> None:
    """Refuse text in a typed table's numeric column, naming the first such row.

    A CSV file is text, so its cells are parsed; but a DataFrame or array
    column that holds strings (numpy ``str`` dtype, or ``object`` with
    strings, as pandas and polars give for string columns) is refused
    rather than parsed: the table was typed, and text there is a mistake
    to fix where the table is built, not to guess at here.

    Examples
    --------
    >>> require_numbers(np.array([1.5, 2.0]), column="rating")
    >>> require_numbers(np.array([1, "2"], dtype=object), column="rating", what="ratings")
    Traceback (most recent call last):
    ...
    servicebp.errors.ObservedDataError: row 1: column 'rating': '2' is not a number but text (1 such cell); ratings in a DataFrame or array must be numbers: convert the column first (pandas: pd.to_numeric(df['rating']); polars: pl.col('rating').cast(pl.Float64); numpy: np.asarray(values, dtype=float))
    """  # noqa: E501
    kind = values.dtype.kind
    if kind in "US":
        texts = np.ones(len(values), dtype=np.bool_)
    elif kind == "O":
        texts = np.fromiter(
            (isinstance(v, str | bytes) for v in values.tolist()),
            dtype=np.bool_,
            count=len(values),
        )
    else:
        return
    if not texts.any():
        return
    first = int(np.argmax(texts))
    value = values[first]
    value = value.item() if isinstance(value, np.generic) else value
    count = int(texts.sum())
    message = (
        f"{value!r} is not a number but text ({count} such cell{'' if count == 1 else 's'}); "
        f"{what} in a DataFrame or array must be numbers: convert the column first (pandas: "
        f"pd.to_numeric(df[{column!r}]); polars: pl.col({column!r}).cast(pl.Float64); "
        f"numpy: np.asarray(values, dtype=float))"
    )
    raise ObservedDataError([where.problem(first, column, message)])


def parse_ratings(
    values: npt.NDArray[Any],
    *,
    column: str,
    where: Where = row_number,
    scale: Scale = MOT,
    text: bool = False,
    unrated: bool = False,
) -> FloatArray:
    """Read a rating column on *scale* and return it on −3…+3.

    *text* says the table is text (a CSV file), whose cells are parsed; a
    typed column must hold numbers (:func:`require_numbers`). A missing cell
    is an error (``the rating is missing``) unless *unrated*, where it is
    NaN: not rated. Ratings off the scale are errors naming their rows.

    Examples
    --------
    >>> parse_ratings(np.array(["2", "", "-1"], dtype=object), column="r", text=True,
    ...               unrated=True).tolist()
    [2.0, nan, -1.0]
    >>> parse_ratings(np.array(["2", "x", "9"], dtype=object), column="r", text=True)
    Traceback (most recent call last):
    ...
    servicebp.errors.ObservedDataError: 2 problems:
      row 1: column 'r': 'x' is not a number
      row 2: column 'r': 9.0 is not on the MOT scale -3…+3
    """
    if text:
        ratings = _text_ratings(values, column, where, scale, unrated)
    else:
        ratings = _typed_ratings(values, column, where, unrated)
    off = ~((ratings >= scale.low) & (ratings <= scale.high))
    if unrated:
        off &= ~np.isnan(ratings)
    if off.any():
        rows = np.flatnonzero(off)
        problems = [
            where.problem(int(i), column, rating_problem(float(ratings[i]), scale) or "")
            for i in rows[:SHOWN_PROBLEMS]
        ]
        more = int(rows.size - len(problems))
        raise observed_error(problems, more=more, alike="more ratings off the scale")
    return ratings if scale == MOT else scale.to_mot(ratings)


def _text_ratings(
    values: npt.NDArray[Any], column: str, where: Where, scale: Scale, unrated: bool
) -> FloatArray:
    cells = np.char.strip(np.asarray(values, dtype=str))
    missing = np.char.str_len(cells) == 0
    try:
        ratings: FloatArray = np.where(missing, "nan", cells).astype(np.float64)
    except ValueError:
        pass
    else:
        if (unrated or not missing.any()) and unplain_numbers(cells) is None:
            return ratings
    # A second pass, only on a failure, to name every bad row.
    problems = []
    for i, cell in enumerate(cells.tolist()):
        if missing[i] and unrated:
            continue
        value = parse_rating(cell, scale)
        if isinstance(value, str):
            problems.append(where.problem(i, column, value))
    raise observed_error(problems[:SHOWN_PROBLEMS], more=max(len(problems) - SHOWN_PROBLEMS, 0))


def _typed_ratings(
    values: npt.NDArray[Any], column: str, where: Where, unrated: bool
) -> FloatArray:
    require_numbers(values, column=column, where=where, what="ratings")
    kind = values.dtype.kind
    if kind in "iuf":
        return values.astype(np.float64, copy=False)
    if kind != "O":
        raise ObservedDataError(
            f"column {column!r}: ratings must be numbers, not dtype {values.dtype}"
        )
    found = np.empty(len(values), dtype=np.float64)
    problems = []
    for i, value in enumerate(values.tolist()):
        if unrated and _blank(value):
            found[i] = np.nan
        elif isinstance(value, bool) or not isinstance(value, numbers.Real):
            problems.append(where.problem(i, column, f"{value!r} is not a number"))
        else:
            try:
                found[i] = float(value)
            except OverflowError:
                digits = int(math.log10(abs(math.trunc(value)))) + 1
                problems.append(
                    where.problem(i, column, f"an integer of about {digits} digits is not a rating")
                )
    if problems:
        raise observed_error(problems[:SHOWN_PROBLEMS], more=max(len(problems) - SHOWN_PROBLEMS, 0))
    return found


def parse_rating(text: str, scale: Scale = MOT) -> float | str:
    """Return *text* as a number on *scale* (not converted), or the reason it is not one.

    Examples
    --------
    >>> parse_rating("-2"), parse_rating("4"), parse_rating("x")
    (-2.0, '4.0 is not on the MOT scale -3…+3', "'x' is not a number")
    >>> from servicebp.scales._scale import MERMAID
    >>> parse_rating("5", MERMAID), parse_rating("0", MERMAID)
    (5.0, '0.0 is not on the mermaid scale 1…5')
    """
    if not text.strip():
        return "the rating is missing"
    try:
        value = float(text)
    except ValueError:
        return f"{text!r} is not a number"
    odd = plain_number_problem(text.strip())
    if odd is not None:
        return odd
    problem = rating_problem(value, scale)
    return value if problem is None else problem
