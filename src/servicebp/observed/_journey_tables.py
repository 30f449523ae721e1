"""Observed journeys from a table: ratings, journeys, steps, order and outcomes, checked.

Private: :func:`extract` reads a table of observed events (anything
:mod:`servicebp._tables` reads) into the validated integer-coded columns of
:class:`Columns` that :mod:`servicebp.observed` scores. Every check of what
the columns hold lives here — empty tables, wrong dtypes, missing values,
ratings off the −3…+3 scale or given as text, one outcome per journey; each
error names the row and the column.
"""

from __future__ import annotations

import math
import numbers
import os
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from servicebp.errors import ObservedDataError
from servicebp.observed._tables import (
    SHOWN_PROBLEMS,
    CsvTable,
    FloatArray,
    Kind,
    Where,
    column_names,
    observed_error,
    read_columns,
    read_csv,
    require_columns,
    require_module,
    require_numbers,
    row_namer,
    rows_error,
    table_kind,
)
from servicebp.scales._scale import MOT, Scale

__all__ = ["Columns", "extract", "parse_rating", "rating_problem"]

IntArray = npt.NDArray[np.int64]

#: Dense integer journey ids are used as codes directly when their range is
#: at most this many times the number of events (memory stays bounded).
DENSE_FACTOR = 4


@attrs.frozen(kw_only=True, eq=False)
class Columns:
    """The events of a table as numpy columns, validated.

    ``journey_codes`` index ``journey_ids``; ``step_codes`` index
    ``step_names`` (the distinct step ids as they appear in the table, not
    yet mapped onto a blueprint); ``order`` holds numbers or datetime64
    values, none missing; ``outcome`` is per journey, or None.
    """

    kind: Kind
    journey_name: str
    order_name: str
    outcome_name: str | None
    journey_ids: npt.NDArray[Any]
    journey_codes: IntArray
    step_names: tuple[str, ...]
    step_codes: IntArray
    order: npt.NDArray[Any]
    ratings: FloatArray
    outcome: npt.NDArray[Any] | None
    where: Callable[[int], str]


def _rows_of(mask: npt.NDArray[np.bool_]) -> list[int]:
    return [int(i) for i in np.flatnonzero(mask)[:SHOWN_PROBLEMS]]


def _is_missing(values: npt.NDArray[Any]) -> npt.NDArray[np.bool_]:
    """Missing cells: None, NaN, NaT, empty strings."""
    kind = values.dtype.kind
    if kind == "f":
        return np.asarray(np.isnan(values), dtype=np.bool_)
    if kind in "mM":
        return np.asarray(np.isnat(values), dtype=np.bool_)
    if kind == "U":
        return np.asarray(values == "", dtype=np.bool_)
    if kind == "O":
        return np.fromiter(
            (v is None or v == "" or (isinstance(v, float) and v != v) for v in values),
            dtype=np.bool_,
            count=len(values),
        )
    return np.zeros(len(values), dtype=np.bool_)


def _check_present(
    values: npt.NDArray[Any], column: str, where: Callable[[int], str], what: str
) -> None:
    missing = _is_missing(values)
    if missing.any():
        raise rows_error(missing, where, column, f"the {what} is missing")


def _ratings(
    values: npt.NDArray[Any], column: str, where: Callable[[int], str], scale: Scale
) -> FloatArray:
    """The rating column as floats on −3…+3: checked on *scale* row by row, then converted."""
    require_numbers(values, column=column, where=where, what="ratings")
    kind = values.dtype.kind
    if kind in "iuf":
        ratings = values.astype(np.float64, copy=False)
    elif kind == "O":
        found: list[float] = []
        bad: list[tuple[int, str]] = []
        for i, value in enumerate(values.tolist()):
            if isinstance(value, bool) or value is None:
                bad.append((i, f"{value!r} is not a number"))
                continue
            if not isinstance(value, numbers.Real):
                bad.append((i, f"{value!r} is not a number"))
                continue
            try:
                found.append(float(value))
            except OverflowError:
                digits = int(math.log10(abs(math.trunc(value)))) + 1
                bad.append((i, f"an integer of about {digits} digits is not a rating"))
        if bad:
            raise observed_error([f"{where(i)}: column {column!r}: {why}" for i, why in bad])
        ratings = np.asarray(found, dtype=np.float64)
    else:
        raise ObservedDataError(
            f"column {column!r}: ratings must be numbers, not dtype {values.dtype}"
        )
    off = ~((ratings >= scale.low) & (ratings <= scale.high))
    if off.any():
        rows = _rows_of(off)
        problems = []
        for i in rows:
            problem = rating_problem(float(ratings[i]), scale)
            problems.append(f"{where(i)}: column {column!r}: {problem}")
        total = int(off.sum())
        if total > len(rows):
            problems.append(f"... and {total - len(rows)} more ratings off the scale")
        raise observed_error(problems)
    if scale == MOT:
        return ratings
    return scale.to_mot(ratings)


def _order(values: npt.NDArray[Any], column: str, where: Callable[[int], str]) -> npt.NDArray[Any]:
    kind = values.dtype.kind
    if kind in "iu":
        return values
    if kind == "f":
        _check_present(values, column, where, "order")
        return values
    if kind == "M":
        _check_present(values, column, where, "timestamp")
        return values
    raise ObservedDataError(
        f"column {column!r}: the order must be numbers or datetimes, not dtype {values.dtype}"
    )


def _factorize_numpy(
    values: npt.NDArray[Any], column: str, where: Callable[[int], str], what: str
) -> tuple[npt.NDArray[Any], IntArray]:
    """Return (sorted distinct values, codes) of an id column."""
    kind = values.dtype.kind
    if kind == "b" or kind in "mMcV":
        raise ObservedDataError(
            f"column {column!r}: {what} ids must be integers or strings, not dtype {values.dtype}"
        )
    _check_present(values, column, where, f"{what} id")
    if kind in "iu" and len(values):
        low, high = int(values.min()), int(values.max())
        if high - low < DENSE_FACTOR * len(values) + 1024:
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
    if kind == "O":
        kinds = {type(v) for v in values.tolist()}
        if not (kinds <= {str} or kinds <= {int, np.int64} or kinds <= {float, int}):
            raise ObservedDataError(
                f"column {column!r}: {what} ids must be all strings or all integers, "
                f"found {sorted(k.__name__ for k in kinds)}"
            )
    ids, codes = np.unique(values, return_inverse=True)
    return ids, codes.astype(np.int64, copy=False).reshape(-1)


def _pick_order(order: str | None, available: Sequence[str]) -> str:
    if order is not None:
        return order
    for candidate in ("order", "timestamp"):
        if candidate in available:
            return candidate
    raise ObservedDataError(
        f"missing column 'order' or 'timestamp' (the table has {list(available)!r}); "
        f"name the column that orders the events with order=..."
    )


def _pick_outcome(outcome: str | None, available: Sequence[str]) -> str | None:
    if outcome is not None:
        require_columns([outcome], available)
        return outcome
    return "outcome" if "outcome" in available else None


def _csv_columns(
    table: CsvTable, names: dict[str, str], outcome: str | None, scale: Scale
) -> tuple[dict[str, npt.NDArray[Any]], Callable[[int], str]]:
    where = row_namer(table)
    problems: list[str] = []
    ratings: list[float] = []
    for i, text in enumerate(table.columns[names["rating"]]):
        value = parse_rating(text, scale)
        if isinstance(value, str):
            problems.append(f"{where(i)}: column {names['rating']!r}: {value}")
        else:
            ratings.append(value)
    order_text = table.columns[names["order"]]
    order: npt.NDArray[Any]
    try:
        order = np.array([float(t) for t in order_text], dtype=np.float64)
        if np.all(order == np.round(order)) and np.all(np.abs(order) < 2**53):
            order = order.astype(np.int64)
    except ValueError:
        stamps: list[np.datetime64] = []
        for i, text in enumerate(order_text):
            try:
                stamps.append(np.datetime64(text, "ns"))
            except ValueError:
                problems.append(
                    f"{where(i)}: column {names['order']!r}: {text!r} is neither a number "
                    f"nor an ISO 8601 timestamp"
                )
        order = np.array(stamps, dtype="datetime64[ns]")
    if problems:
        raise observed_error(problems)
    found: dict[str, npt.NDArray[Any]] = {
        names["journey"]: np.array(table.columns[names["journey"]], dtype=object),
        names["step"]: np.array(table.columns[names["step"]], dtype=object),
        names["order"]: order,
        names["rating"]: np.asarray(ratings, dtype=np.float64),
    }
    if outcome is not None:
        cells = table.columns[outcome]
        try:
            found[outcome] = np.array([float(c) for c in cells], dtype=np.float64)
        except ValueError:
            found[outcome] = np.array(cells, dtype=object)
    return found, where


def extract(
    table: object,
    *,
    journey: str,
    step: str,
    order: str | None,
    rating: str,
    outcome: str | None,
    step_categories: Sequence[str] | None,
    scale: Scale = MOT,
) -> Columns:
    """Validate *table* and return its events as :class:`Columns`, ratings on −3…+3.

    The rating column is read on *scale* and converted onto −3…+3.
    """
    kind: Kind
    if isinstance(table, str | os.PathLike):
        table = read_csv(table)
        kind = "numpy"
    else:
        kind = table_kind(table)
    available = column_names(table)
    order_name = _pick_order(order, available)
    outcome_name = _pick_outcome(outcome, available)
    names = {"journey": journey, "step": step, "order": order_name, "rating": rating}
    wanted = [*names.values(), *([outcome_name] if outcome_name else [])]
    require_columns(wanted, available)

    _check_no_events(table, kind, journey, step, rating)

    raw: dict[str, npt.NDArray[Any]]
    where: Where
    if isinstance(table, CsvTable):
        raw, where = _csv_columns(table, names, outcome_name, scale)
    else:
        raw, where = read_columns(table, wanted)
    journey_ids, journey_codes = _factorize(table, kind, raw, journey, where, "journey")
    step_names: tuple[str, ...]
    if (
        step_categories is not None
        and kind in ("numpy", "structured")
        and not isinstance(table, CsvTable)
    ):
        step_names, step_codes = _coded_steps(raw[step], step, step_categories, where)
    else:
        names_arr, step_codes = _factorize(table, kind, raw, step, where, "step")
        step_names = tuple(str(s) for s in names_arr)

    n = len(raw[rating])
    if n == 0:
        raise ObservedDataError("the table has no events (no rows)")
    ratings = _ratings(raw[rating], rating, where, scale)
    order_values = _order(raw[order_name], order_name, where)
    outcome_values = None
    if outcome_name is not None:
        outcome_values = _per_journey(
            raw[outcome_name], journey_codes, journey_ids, outcome_name, where
        )
    return Columns(
        kind=kind,
        journey_name=journey,
        order_name=order_name,
        outcome_name=outcome_name,
        journey_ids=journey_ids,
        journey_codes=journey_codes,
        step_names=step_names,
        step_codes=step_codes,
        order=order_values,
        ratings=ratings,
        outcome=outcome_values,
        where=where,
    )


def _check_no_events(table: Any, kind: Kind, journey: str, step: str, rating: str) -> None:
    """Rows with neither a step nor a rating: a journey id recorded without events.

    Such rows come from outer joins of a customer list with an event log. A
    journey with only such rows has no events: an error that says so, rather
    than one about a missing rating.
    """
    where = row_namer(table)
    if isinstance(table, CsvTable):
        both = (np.array(table.columns[step]) == "") & (np.array(table.columns[rating]) == "")
        journeys = np.array(table.columns[journey], dtype=object)
    elif kind == "pandas":
        both = (table[step].isna() & table[rating].isna()).to_numpy(dtype=bool)
        journeys = table[journey].to_numpy()
    elif kind == "polars":
        no_rating = table[rating].is_null()
        if table[rating].dtype.is_float():
            no_rating = no_rating | table[rating].is_nan().fill_null(True)
        both = (table[step].is_null() & no_rating).to_numpy()
        journeys = table[journey].to_numpy()
    else:
        steps, ratings = np.asarray(table[step]), np.asarray(table[rating])
        if steps.dtype.kind in "iub" or ratings.dtype.kind in "iub" or steps.shape != ratings.shape:
            return
        both = _is_missing(steps) & _is_missing(ratings)
        journeys = np.asarray(table[journey])
    if not both.any():
        return
    with_events = set(journeys[~both].tolist())
    problems = []
    for i in _rows_of(both):
        journey_id = _py(journeys[i])
        if journey_id in with_events:
            problems.append(
                f"{where(i)}: columns {step!r} and {rating!r}: the row has neither a step "
                f"nor a rating"
            )
        else:
            problems.append(
                f"{where(i)}: column {journey!r}: journey {journey_id!r} has no events "
                f"(its row has neither a step nor a rating)"
            )
    total = int(both.sum())
    if total > len(problems):
        problems.append(f"... and {total - len(problems)} more rows like these")
    raise observed_error(problems)


def _coded_steps(
    codes: npt.NDArray[Any],
    column: str,
    categories: Sequence[str],
    where: Callable[[int], str],
) -> tuple[tuple[str, ...], IntArray]:
    if codes.dtype.kind not in "iu":
        raise ObservedDataError(
            f"column {column!r}: with step_categories the step column holds integer codes, "
            f"not dtype {codes.dtype}"
        )
    if len(codes):
        off = (codes < 0) | (codes >= len(categories))
        if off.any():
            message = (
                f"step code outside 0…{len(categories) - 1} (step_categories has "
                f"{len(categories)} entries)"
            )
            raise rows_error(off, where, column, message)
    return tuple(str(c) for c in categories), codes.astype(np.int64, copy=False)


def _factorize(
    table: Any,
    kind: Kind,
    raw: Mapping[str, npt.NDArray[Any]],
    column: str,
    where: Where,
    what: str,
) -> tuple[npt.NDArray[Any], IntArray]:
    """Return (sorted distinct values, codes) of an id column, natively for DataFrames."""
    if kind == "pandas":
        pd = require_module("pandas")
        dtype = table[column].dtype
        if pd.api.types.is_bool_dtype(dtype) or pd.api.types.is_datetime64_any_dtype(dtype):
            raise ObservedDataError(
                f"column {column!r}: {what} ids must be integers or strings, not dtype {dtype}"
            )
        codes, uniques = pd.factorize(table[column], sort=True)
        missing = codes < 0
        if missing.any():
            raise rows_error(missing, where, column, f"the {what} id is missing")
        return np.asarray(uniques), codes.astype(np.int64, copy=False)
    if kind == "polars":
        pl = require_module("polars")
        series = table[column]
        if series.dtype in (pl.Categorical,) or isinstance(series.dtype, pl.Enum):
            series = series.cast(pl.String)
        if series.dtype == pl.String:
            nulls = series.is_null().to_numpy() | (series == "").fill_null(False).to_numpy()
            if nulls.any():
                raise rows_error(nulls, where, column, f"the {what} id is missing")
            ids = series.unique().sort().to_numpy()
            return ids, (series.rank("dense").to_numpy() - 1).astype(np.int64)
    return _factorize_numpy(raw[column], column, where, what)


def _per_journey(
    values: npt.NDArray[Any],
    journey_codes: IntArray,
    journey_ids: npt.NDArray[Any],
    column: str,
    where: Callable[[int], str],
) -> npt.NDArray[Any]:
    """One outcome per journey; every event of a journey must carry the same one."""
    first = np.full(len(journey_ids), len(values), dtype=np.int64)
    np.minimum.at(first, journey_codes, np.arange(len(values), dtype=np.int64))
    per_journey = values[first]
    spread = per_journey[journey_codes]
    if values.dtype.kind == "f":
        differs = (spread != values) & ~(np.isnan(spread) & np.isnan(values))
    else:
        differs = np.asarray(spread != values, dtype=np.bool_)
    if differs.any():
        problems = []
        for i in _rows_of(differs):
            code = journey_codes[i]
            problems.append(
                f"{where(i)}: column {column!r}: journey {_py(journey_ids[code])!r} has "
                f"outcome {_py(values[i])!r} here but {_py(per_journey[code])!r} on its "
                f"first event (one outcome per journey)"
            )
        raise observed_error(problems)
    return per_journey


def _py(value: object) -> object:
    """A numpy scalar as the Python value, so that messages read ``'j1'``, not ``np.str_``."""
    return value.item() if isinstance(value, np.generic) else value


def parse_rating(text: str, scale: Scale = MOT) -> float | str:
    """Return *text* as a number on *scale* (not converted), or the reason it is not one.

    Examples
    --------
    >>> parse_rating("-2"), parse_rating("4"), parse_rating("x")
    (-2.0, '4.0 is outside the rating scale -3…+3', "'x' is not a number")
    >>> from servicebp.scales._scale import MERMAID
    >>> parse_rating("5", MERMAID), parse_rating("0", MERMAID)
    (5.0, '0.0 is outside the mermaid scale 1…5')
    """
    if not text:
        return "the rating is missing"
    try:
        value = float(text)
    except ValueError:
        return f"{text!r} is not a number"
    problem = rating_problem(value, scale)
    return value if problem is None else problem


def rating_problem(value: float, scale: Scale = MOT) -> str | None:
    """Return why the number *value* is not a rating on *scale* (−3…+3), or None if it is one.

    Examples
    --------
    >>> rating_problem(3.0), rating_problem(-3.5), rating_problem(float("nan"))
    (None, '-3.5 is outside the rating scale -3…+3', 'NaN is not a rating (ratings run from -3 to +3)')
    """  # noqa: E501
    if scale == MOT:
        if math.isnan(value):
            return "NaN is not a rating (ratings run from -3 to +3)"
        if not -3.0 <= value <= 3.0:
            return f"{value!r} is outside the rating scale -3…+3"
        return None
    ends = f"{scale.low:g}…{scale.high:+g}" if scale.low < 0 else f"{scale.low:g}…{scale.high:g}"
    if math.isnan(value):
        return f"NaN is not a rating (the {scale.name} scale runs {ends})"
    if not scale.low <= value <= scale.high:
        return f"{value!r} is outside the {scale.name} scale {ends}"
    return None
