"""Observed journeys from a table: ratings, journeys, steps, order and outcomes, checked.

Private: :func:`extract` reads a table of observed events (anything
:mod:`._tables` reads) into the validated integer-coded columns of
:class:`Columns` that :mod:`servicebp.observed` scores. What a cell must
hold is :mod:`._cells`' one rule for each kind (missing cells, ids, times,
ratings); this module adds what observed journeys need on top — an order
column, rows with neither step nor rating, one outcome per journey — each
error naming the row and the column.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from servicebp.errors import ObservedDataError
from servicebp.observed._arrow_csv import read_text_table
from servicebp.observed._cells import (
    factorize,
    is_missing,
    parse_rating,
    parse_ratings,
    parse_times,
    rating_problem,
)
from servicebp.observed._input_files import check_csv_path
from servicebp.observed._tables import (
    SHOWN_PROBLEMS,
    CsvTable,
    FloatArray,
    Kind,
    Where,
    column_names,
    observed_error,
    read_columns,
    require_columns,
    rows_error,
    table_kind,
)
from servicebp.scales._scale import MOT, Scale

__all__ = [
    "Columns",
    "csv_outcome",
    "extract",
    "parse_rating",
    "pick_order",
    "pick_outcome",
    "rating_problem",
]

IntArray = npt.NDArray[np.int64]


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
    where: Where
    #: The table that came in, for a result of its own kind (a lazy frame, say).
    source: Any = None


def _rows_of(mask: npt.NDArray[np.bool_]) -> list[int]:
    return [int(i) for i in np.flatnonzero(mask)[:SHOWN_PROBLEMS]]


def pick_order(order: str | None, available: Sequence[str]) -> str:
    """The order column: *order*, else ``order`` or ``timestamp``; an error without one.

    Every reader of event tables (scoring, discovery, conformance) orders a
    journey's events by such a column, never silently by row order.

    Examples
    --------
    >>> pick_order(None, ["journey", "timestamp"])
    'timestamp'
    >>> pick_order(None, ["journey", "step"])
    Traceback (most recent call last):
    ...
    servicebp.errors.ObservedDataError: missing column 'order' or 'timestamp' (the table has ['journey', 'step']); name the column that orders the events with order=...
    """  # noqa: E501
    if order is not None:
        require_columns([order], available)
        return order
    for candidate in ("order", "timestamp"):
        if candidate in available:
            return candidate
    raise ObservedDataError(
        f"missing column 'order' or 'timestamp' (the table has {list(available)!r}); "
        f"name the column that orders the events with order=..."
    )


def pick_outcome(outcome: str | None, available: Sequence[str]) -> str | None:
    if outcome is not None:
        require_columns([outcome], available)
        return outcome
    return "outcome" if "outcome" in available else None


def csv_outcome(cells: npt.NDArray[Any]) -> npt.NDArray[Any]:
    """An outcome column of a CSV file: numbers if every cell is one, else text."""
    try:
        return np.asarray(cells, dtype=str).astype(np.float64)
    except ValueError:
        return np.asarray(cells, dtype=object)


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
        table = read_text_table(check_csv_path(table))
        kind = "numpy"
    else:
        kind = table_kind(table)
    available = column_names(table)
    order_name = pick_order(order, available)
    outcome_name = pick_outcome(outcome, available)
    names = {"journey": journey, "step": step, "order": order_name, "rating": rating}
    wanted = list(dict.fromkeys([*names.values(), *([outcome_name] if outcome_name else [])]))
    require_columns(wanted, available)
    raw, where = read_columns(table, wanted)
    text = isinstance(table, CsvTable)
    _check_no_events(raw, where, journey, step, rating)

    journey_ids, journey_codes = factorize(
        raw[journey], column=journey, what="journey", where=where
    )
    step_names: tuple[str, ...]
    if step_categories is not None and kind in ("numpy", "structured") and not text:
        step_names, step_codes = _coded_steps(raw[step], step, step_categories, where)
    else:
        names_arr, step_codes = factorize(raw[step], column=step, what="step", where=where)
        step_names = tuple(str(s) for s in names_arr)

    n = len(raw[rating])
    if n == 0:
        raise ObservedDataError("the table has no events (no rows)")
    ratings = parse_ratings(raw[rating], column=rating, where=where, scale=scale, text=text)
    order_values = parse_times(raw[order_name], column=order_name, where=where)
    outcome_values = None
    if outcome_name is not None:
        values = csv_outcome(raw[outcome_name]) if text else raw[outcome_name]
        outcome_values = _per_journey(values, journey_codes, journey_ids, outcome_name, where)
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
        source=table,
    )


def _check_no_events(
    raw: dict[str, npt.NDArray[Any]], where: Where, journey: str, step: str, rating: str
) -> None:
    """Rows with neither a step nor a rating: a journey id recorded without events.

    Such rows come from outer joins of a customer list with an event log. A
    journey with only such rows has no events: an error that says so, rather
    than one about a missing rating.
    """
    both = is_missing(raw[step])
    if not both.any():
        return
    both &= is_missing(raw[rating])
    if not both.any():
        return
    journeys = raw[journey]
    with_events = set(journeys[~both].tolist())
    problems = []
    for i in _rows_of(both):
        journey_id = _py(journeys[i])
        if journey_id in with_events:
            problems.append(
                where.problem(i, (step, rating), "the row has neither a step nor a rating")
            )
        else:
            problems.append(
                where.problem(
                    i,
                    journey,
                    f"journey {journey_id!r} has no events "
                    f"(its row has neither a step nor a rating)",
                )
            )
    more = int(both.sum()) - len(problems)
    raise observed_error(problems, more=more, alike="more rows like these")


def _coded_steps(
    codes: npt.NDArray[Any],
    column: str,
    categories: Sequence[str],
    where: Where,
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


def _per_journey(
    values: npt.NDArray[Any],
    journey_codes: IntArray,
    journey_ids: npt.NDArray[Any],
    column: str,
    where: Where,
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
                where.problem(
                    i,
                    column,
                    f"journey {_py(journey_ids[code])!r} has outcome {_py(values[i])!r} here "
                    f"but {_py(per_journey[code])!r} on its first event (one outcome per journey)",
                )
            )
        raise observed_error(problems)
    return per_journey


def _py(value: object) -> object:
    """A numpy scalar as the Python value, so that messages read ``'j1'``, not ``np.str_``."""
    return value.item() if isinstance(value, np.generic) else value
