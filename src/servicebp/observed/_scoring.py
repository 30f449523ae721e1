"""Observed journeys: ratings from real customers, scored in bulk.

Researchers arrive with tables of events — journey id, step id, order or
timestamp, rating on the −3…+3 scale, and optionally an outcome per journey
(converted or churned, an overall satisfaction). This module reads them (CSV
files, numpy arrays, pandas or polars DataFrames), maps their steps onto a
blueprint, and scores every journey with every strategy of
:data:`servicebp.STRATEGIES` in one vectorised pass; results come back
as a table of the kind that came in.

Order of events
    Events may arrive interleaved and out of order. Within a journey they are
    ordered by the order (or timestamp) column; events with *equal* order
    values keep their input order (the later row is the later event). This
    is the tie rule for ``last`` and for the earliest-peak rule of
    ``peak_end``.

Customer steps only
    A journey walks the customer lane (as :meth:`servicebp.Journey.from_blueprint`
    requires). An event on a step of another lane (a frontstage "greet", a
    backstage check) is treated like an event on a step the blueprint does
    not have: an :class:`~servicebp.errors.ObservedDataError` naming the
    step, its lane, its event count and first row, or, with
    ``unknown_steps="report"``, left out and listed in the
    :class:`UnknownStepReport`.

Other scales
    ``scale=`` reads the rating column on another declared scale (Mermaid's
    1…5, a 1…10 line, …; see :mod:`servicebp.scales`): it is checked on that
    scale, row by row, and converted onto −3…+3 before scoring.
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Callable, Iterable, Sequence
from typing import Any, Literal, overload

import numpy as np
import numpy.typing as npt

from servicebp.errors import ArgumentTypeError, InvalidArgumentError, ObservedDataError
from servicebp.model import Blueprint
from servicebp.observed._files import csv_header, is_scannable, scan_events
from servicebp.observed._input_files import check_csv_path
from servicebp.observed._journey_tables import extract
from servicebp.observed._kernels import VECTORISED, Events, Kernels
from servicebp.observed._reduce import is_lazy, lazy_scores, lazy_step_statistics
from servicebp.observed._step_mapping import UnknownStepReport, check_arguments, prepare_events
from servicebp.observed._tables import Kind, build_table
from servicebp.scales._scale import MOT, Scale, get_scale
from servicebp.scoring import STRATEGIES, get_strategy

__all__ = ["read_observed", "score_observed", "step_statistics"]

Output = Literal["same", "numpy", "structured", "pandas", "polars", "pyarrow"]
OnUnknown = Literal["error", "report"]


def _strategy_names(strategies: Sequence[str] | str | None) -> list[str]:
    if strategies is None:
        return list(STRATEGIES)
    if isinstance(strategies, str):
        names = [strategies]
    elif isinstance(strategies, Iterable):
        names = list(strategies)
    else:
        raise ArgumentTypeError(
            f"strategies must be a strategy name or a sequence of them, not "
            f"{type(strategies).__name__} ({strategies!r:.60})"
        )
    for name in names:
        get_strategy(name)
    if not names:
        raise InvalidArgumentError("strategies is empty; name at least one (or None for all)")
    return names


def _output_kind(output: str, kind: Kind) -> Kind:
    if output == "same":
        return kind
    if output not in ("numpy", "structured", "pandas", "polars", "pyarrow"):
        raise InvalidArgumentError(
            f"output must be one of ['numpy', 'pandas', 'polars', 'pyarrow', 'same', "
            f"'structured'], not {output!r}"
        )
    return output  # type: ignore[return-value]


def _finish(
    result: dict[str, npt.NDArray[Any]], events: Events, *, output: str, unknown_steps: str
) -> Any:
    """The result as a table of the kind asked for, with the report when one was asked for."""
    kind = _output_kind(output, events.columns.kind)
    built = build_table(kind, result, events.columns.source)
    if unknown_steps == "report":
        return built, events.report
    return built


def _source(
    table: object, output: Output, names: Sequence[str | None], rating: str
) -> tuple[object, object, Output]:
    """The lazy source to reduce, the table for the in-memory path, and the output kind.

    Parquet files and globs are opened through DuckDB; so is one CSV file when
    DuckDB is installed and its header is clean (read at DuckDB's speed, the
    id and outcome columns as text), the file itself staying the in-memory
    path's table so that a bad cell is named by its line. Files give numpy
    results.
    """
    if not isinstance(table, str | os.PathLike):
        return table, table, output
    same: Output = "numpy" if output == "same" else output
    if is_scannable(table):
        scanned = scan_events(table)
        return scanned, scanned, same
    # A FIFO or a device would block or never end in csv_header; refuse it first.
    table = check_csv_path(table)
    header = csv_header(table)
    clean = header is not None and all(h == h.strip() and header.count(h) == 1 for h in header)
    if not clean or importlib.util.find_spec("duckdb") is None:
        return None, table, same
    text = [n for n in names if n is not None and header is not None and n in header]
    if "outcome" in (header or []):
        text.append("outcome")
    # The rating as DOUBLE, not as DuckDB sniffs it: a sniffed integer column
    # takes 0x1 and 0b1 for 1 (the csv module's path says they are not numbers)
    # and drops the sign of -0; DOUBLE refuses the first, so the text path names it.
    numbers = [rating] if header is not None and rating in header else []
    try:
        relation = scan_events(
            table, text_columns=list(dict.fromkeys(text)), number_columns=numbers
        )
        return relation, table, same
    except ObservedDataError:
        return None, table, same


def _fast(
    reduce: Callable[[], dict[str, npt.NDArray[Any]] | None], *, text: bool
) -> dict[str, npt.NDArray[Any]] | None:
    """Run the lazy reductions; for a CSV file read by DuckDB, any failure means the text path.

    DuckDB reading a CSV file is only the fast way to the same result: a
    cell it cannot convert (past the rows it sniffed), a missing column, a
    bad value — whatever it cannot do, the text reader does, and names the
    file line.
    """
    if not text:
        return reduce()
    try:
        return reduce()
    except Exception:
        return None


def _lazy_finish(
    result: dict[str, npt.NDArray[Any]], table: object, *, output: str, unknown_steps: str
) -> Any:
    built = build_table(_output_kind(output, "frame"), result, table)
    if unknown_steps == "report":
        return built, UnknownStepReport()
    return built


@overload
def score_observed(
    bp: Blueprint,
    table: Any,
    *,
    strategies: Sequence[str] | str | None = ...,
    journey: str = ...,
    step: str = ...,
    order: str | None = ...,
    rating: str = ...,
    outcome: str | None = ...,
    step_categories: Sequence[str] | None = ...,
    unknown_steps: Literal["error"] = ...,
    output: Output = ...,
    scale: Scale | str = ...,
) -> Any: ...


@overload
def score_observed(
    bp: Blueprint,
    table: Any,
    *,
    strategies: Sequence[str] | str | None = ...,
    journey: str = ...,
    step: str = ...,
    order: str | None = ...,
    rating: str = ...,
    outcome: str | None = ...,
    step_categories: Sequence[str] | None = ...,
    unknown_steps: Literal["report"],
    output: Output = ...,
    scale: Scale | str = ...,
) -> tuple[Any, UnknownStepReport]: ...


def score_observed(
    bp: Blueprint,
    table: Any,
    *,
    strategies: Sequence[str] | str | None = None,
    journey: str = "journey",
    step: str = "step",
    order: str | None = None,
    rating: str = "rating",
    outcome: str | None = None,
    step_categories: Sequence[str] | None = None,
    unknown_steps: OnUnknown = "error",
    output: Output = "same",
    scale: Scale | str = MOT,
) -> Any:
    """Score every observed journey with every strategy, in one vectorised pass.

    Parameters
    ----------
    bp : Blueprint
        The blueprint the events' steps belong to; moment weights and
        moment-of-truth tags come from it.
    table : mapping of arrays, structured array, DataFrame, or path
        The events, one row each: journey id, step id, order or timestamp,
        rating on −3…+3, and optionally an outcome (the same on every event
        of a journey). A mapping of column name to numpy array (or
        sequence), a numpy structured array, a pandas or polars DataFrame,
        or the path of a CSV file with a header row.
    strategies : str or sequence of str, optional
        Names from :data:`servicebp.STRATEGIES`; default all of
        them. The six built-in strategies are computed by numpy kernels in
        time linear in the events; a strategy you registered yourself is
        computed journey by journey through :func:`servicebp.score`.
    journey, step, rating : str
        Column names.
    order : str, optional
        The column that orders events in a journey (numbers or datetimes);
        default ``"order"``, else ``"timestamp"``. Equal values keep the
        input order.
    outcome : str, optional
        The outcome column, carried through to the result; default
        ``"outcome"`` when the table has one.
    step_categories : sequence of str, optional
        For numpy input only: the step column holds integer codes into this
        sequence of step ids (as pandas' categorical codes do) — the fast
        way to pass millions of events.
    unknown_steps : {"error", "report"}
        What to do with events on steps that are not customer steps of the
        blueprint (not in it, or in another lane): raise (default), or leave
        them out and return an :class:`UnknownStepReport` next to the
        results.
    output : {"same", "numpy", "structured", "pandas", "polars"}
        The kind of table returned; default the kind that came in (a CSV
        path gives ``"numpy"``).
    scale : Scale or str
        The scale of the rating column (:data:`servicebp.SCALES`
        names one); default the MOT scale −3…+3. Ratings are checked on it
        (off-scale rows are named) and converted onto −3…+3 before scoring.

    Returns
    -------
    table, or (table, UnknownStepReport)
        One row per journey, sorted by journey id: the journey id (under the
        input's column name), one float column per strategy, and the outcome
        column if there is one. A numpy mapping gives a dict of arrays; a
        structured array, pandas or polars DataFrame gives the same kind.

    Raises
    ------
    ObservedDataError
        A missing column, an empty table, a wrong dtype, a missing id or
        order, a rating off its scale, NaN or not a number, a journey with
        two outcomes, or a step not in the blueprint or not in its customer
        lane; each names the row (the file line for CSV) and the column.
    UnknownStrategyError
        A strategy that is not registered.
    MissingDependencyError
        ``output="pandas"`` or ``"polars"`` without that library installed.

    See Also
    --------
    servicebp.score : the same strategies on one journey.
    step_statistics : per-step counts and means of the same table.

    Examples
    --------
    >>> import numpy as np
    >>> from servicebp import Blueprint, MomentOfTruth, Step
    >>> bp = Blueprint("Shop", stages=["buy"])
    >>> _ = bp.add_step(Step(id="ask", label="Ask", lane="customer", stage="buy"))
    >>> _ = bp.add_step(Step(id="pay", label="Pay", lane="customer", stage="buy",
    ...                      moment=MomentOfTruth(kind="purchase", weight=3)))
    >>> events = {
    ...     "journey": np.array([1, 2, 1, 2]),
    ...     "step": np.array(["ask", "ask", "pay", "pay"]),
    ...     "order": np.array([1, 1, 2, 2]),
    ...     "rating": np.array([3, -1, -2, 1]),
    ... }
    >>> result = score_observed(bp, events, strategies=["mean", "weighted", "last"])
    >>> {name: values.tolist() for name, values in result.items()}
    {'journey': [1, 2], 'mean': [0.5, 0.0], 'weighted': [-0.75, 0.5], 'last': [-2.0, 1.0]}

    Ratings on Mermaid's 1…5 are converted onto −3…+3 first (5 → +3, 2 → −1.5):

    >>> on_five = {**events, "rating": np.array([5, 2, 1, 4])}
    >>> score_observed(bp, on_five, strategies="last", scale="mermaid")["last"].tolist()
    [-3.0, 1.5]
    """
    names = _strategy_names(strategies)
    lazy, table, output = _source(table, output, [journey, step, outcome], rating)
    if step_categories is None and is_lazy(lazy) and set(names) <= set(VECTORISED):
        # Lazy sources reduce to one row per journey where they are; any check
        # that fails there is named by the in-memory path below.
        check_arguments(bp, unknown_steps)
        scored = _fast(
            lambda: lazy_scores(
                bp,
                lazy,
                names,
                journey=journey,
                step=step,
                order=order,
                rating=rating,
                outcome=outcome,
                scale=get_scale(scale),
                text=lazy is not table,
            ),
            text=lazy is not table,
        )
        if scored is not None:
            return _lazy_finish(scored, lazy, output=output, unknown_steps=unknown_steps)
    events = prepare_events(
        bp,
        table,
        journey=journey,
        step=step,
        order=order,
        rating=rating,
        outcome=outcome,
        step_categories=step_categories,
        unknown_steps=unknown_steps,
        scale=scale,
    )
    kernels = Kernels(events)
    cols = events.columns
    result: dict[str, npt.NDArray[Any]] = {cols.journey_name: events.journey_ids}
    for name in names:
        if name in result:
            raise ObservedDataError(
                f"strategy {name!r} clashes with the journey column's name; rename the column"
            )
        result[name] = kernels.compute(name)
    if cols.outcome_name is not None and events.outcome is not None:
        if cols.outcome_name in result:
            raise ObservedDataError(
                f"outcome column {cols.outcome_name!r} clashes with a strategy's name"
            )
        result[cols.outcome_name] = events.outcome
    return _finish(result, events, output=output, unknown_steps=unknown_steps)


@overload
def step_statistics(
    bp: Blueprint,
    table: Any,
    *,
    journey: str = ...,
    step: str = ...,
    order: str | None = ...,
    rating: str = ...,
    step_categories: Sequence[str] | None = ...,
    unknown_steps: Literal["error"] = ...,
    output: Output = ...,
    scale: Scale | str = ...,
) -> Any: ...


@overload
def step_statistics(
    bp: Blueprint,
    table: Any,
    *,
    journey: str = ...,
    step: str = ...,
    order: str | None = ...,
    rating: str = ...,
    step_categories: Sequence[str] | None = ...,
    unknown_steps: Literal["report"],
    output: Output = ...,
    scale: Scale | str = ...,
) -> tuple[Any, UnknownStepReport]: ...


def step_statistics(
    bp: Blueprint,
    table: Any,
    *,
    journey: str = "journey",
    step: str = "step",
    order: str | None = None,
    rating: str = "rating",
    step_categories: Sequence[str] | None = None,
    unknown_steps: OnUnknown = "error",
    output: Output = "same",
    scale: Scale | str = MOT,
) -> Any:
    """Per-step statistics of observed events, for every step of the blueprint.

    The table and the options (``scale=`` too) are those of
    :func:`score_observed`.

    Returns
    -------
    table, or (table, UnknownStepReport)
        One row per customer step of the blueprint, in its order: ``step`` (the
        id), ``count`` (events), ``mean`` (mean rating), ``share_negative``
        (share of ratings below 0) and ``share_minus_3`` (share of −3,
        "endangers the customer relationship"). A step without events has
        count 0 and NaN for the others.

    Examples
    --------
    >>> import numpy as np
    >>> from servicebp import Blueprint, Step
    >>> bp = Blueprint("Shop", stages=["buy"])
    >>> for sid in ("ask", "pay", "leave"):
    ...     _ = bp.add_step(Step(id=sid, label=sid, lane="customer", stage="buy"))
    >>> events = {"journey": [1, 2, 1, 2], "step": ["ask", "ask", "pay", "pay"],
    ...           "order": [1, 1, 2, 2], "rating": [3, -1, -3, 1]}
    >>> stats = step_statistics(bp, events)
    >>> stats["step"].tolist(), stats["count"].tolist(), stats["share_minus_3"].tolist()
    (['ask', 'pay', 'leave'], [2, 2, 0], [0.0, 0.5, nan])
    """
    lazy, table, output = _source(table, output, [journey, step], rating)
    if step_categories is None and is_lazy(lazy):
        check_arguments(bp, unknown_steps)
        stats = _fast(
            lambda: lazy_step_statistics(
                bp,
                lazy,
                journey=journey,
                step=step,
                order=order,
                rating=rating,
                scale=get_scale(scale),
                text=lazy is not table,
            ),
            text=lazy is not table,
        )
        if stats is not None:
            return _lazy_finish(stats, lazy, output=output, unknown_steps=unknown_steps)
    events = prepare_events(
        bp,
        table,
        journey=journey,
        step=step,
        order=order,
        rating=rating,
        outcome=None,
        step_categories=step_categories,
        unknown_steps=unknown_steps,
        scale=scale,
    )
    k = len(events.step_ids)
    r = events.ratings
    count = np.bincount(events.steps, minlength=k)
    total = np.bincount(events.steps, weights=r, minlength=k)
    negative = np.bincount(events.steps, weights=(r < 0).astype(np.float64), minlength=k)
    endangers = np.bincount(events.steps, weights=(r == -3).astype(np.float64), minlength=k)
    with np.errstate(invalid="ignore", divide="ignore"):
        result = {
            "step": np.array(events.step_ids, dtype=str),
            "count": count.astype(np.int64),
            "mean": total / count,
            "share_negative": negative / count,
            "share_minus_3": endangers / count,
        }
    return _finish(result, events, output=output, unknown_steps=unknown_steps)


def read_observed(
    path: str | os.PathLike[str],
    *,
    journey: str = "journey",
    step: str = "step",
    order: str | None = None,
    rating: str = "rating",
    outcome: str | None = None,
) -> dict[str, npt.NDArray[Any]]:
    """Read a CSV file of observed events into validated numpy columns.

    Numbers in the order column become integers (or floats); anything else
    there must be an ISO 8601 timestamp (``2024-05-01T09:30``), read as
    ``datetime64[ns]``. An outcome column becomes floats if every cell is a
    number, else strings.

    Returns
    -------
    dict of str to numpy.ndarray
        The journey, step, order, rating and (if any) outcome columns, in
        file order, under their names in the file; pass it to
        :func:`score_observed` or :func:`step_statistics`.

    Raises
    ------
    ObservedDataError
        As :func:`score_observed`; positions are ``file:line``.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "events.csv"
    >>> _ = p.write_text("journey,step,timestamp,rating\\n"
    ...                  "a,ask,2024-05-01T09:30,2\\na,pay,2024-05-01T09:35,-1\\n")
    >>> events = read_observed(p)
    >>> events["timestamp"].dtype, events["rating"].tolist()
    (dtype('<M8[ns]'), [2.0, -1.0])
    """
    cols = extract(
        path,
        journey=journey,
        step=step,
        order=order,
        rating=rating,
        outcome=outcome,
        step_categories=None,
    )
    result: dict[str, npt.NDArray[Any]] = {
        journey: cols.journey_ids[cols.journey_codes],
        step: np.array(cols.step_names, dtype=object)[cols.step_codes],
        cols.order_name: cols.order,
        rating: cols.ratings,
    }
    if cols.outcome_name is not None and cols.outcome is not None:
        result[cols.outcome_name] = cols.outcome[cols.journey_codes]
    return result
