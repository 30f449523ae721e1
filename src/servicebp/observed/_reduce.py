"""Observed scoring as group-bys that run where the data are: DuckDB, polars lazy, Spark.

Private. Every built-in strategy is a function of a few per-journey
reductions — count, sum, lowest and highest rating, weighted sums, the
lowest rating on a moment of truth, and the rating at the latest order value
— and the step statistics of per-step counts and sums. This module writes
those reductions once, against narwhals, so that a lazy frame (a DuckDB
relation over Parquet files larger than memory, a polars LazyFrame, a Spark
DataFrame) computes them itself and hands back one small row per journey (or
per step); :func:`finish_scores` finishes them with the same numpy formulas
as :class:`servicebp.observed._kernels.Kernels`.

The checks run as aggregates too (nulls, blank ids, ratings off the scale,
one outcome per journey, ties at a journey's last order value, steps not in
the blueprint). When one fails, or the table is of a kind these reductions
do not cover, :func:`reduce_journeys` returns None and the caller reads the
table's columns instead: the in-memory path names the bad rows as it always
has.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import attrs
import narwhals.stable.v2 as nw
import numpy as np
import numpy.typing as npt

from servicebp.model import Blueprint, Lane
from servicebp.observed._journey_tables import csv_outcome as _csv_outcome
from servicebp.observed._journey_tables import pick_order, pick_outcome
from servicebp.observed._tables import as_frame
from servicebp.scales._scale import MOT, RATING_MAX, RATING_MIN, Scale

__all__ = [
    "JourneyFigures",
    "finish_scores",
    "is_lazy",
    "lazy_scores",
    "lazy_step_statistics",
    "reduce_journeys",
    "reduce_steps",
]

FloatArray = npt.NDArray[np.float64]

_NUMBER = (nw.Float64, nw.Float32, nw.Int64, nw.Int32, nw.Int16, nw.Int8, nw.UInt64)
_NUMBER_TYPES = (*_NUMBER, nw.UInt32, nw.UInt16, nw.UInt8, nw.Decimal)


@attrs.frozen(kw_only=True, eq=False)
class JourneyFigures:
    """One row per journey, sorted by journey id: what the strategies are made of."""

    journey_ids: npt.NDArray[Any]
    count: FloatArray
    total: FloatArray
    worst: FloatArray
    best: FloatArray
    weighted_top: FloatArray
    weighted_bottom: FloatArray
    moment_floor: FloatArray
    positive: FloatArray
    last: FloatArray
    outcome: npt.NDArray[Any] | None


def is_lazy(table: object) -> bool:
    """Whether *table* is a lazy frame (DuckDB, polars LazyFrame, Spark, …).

    Examples
    --------
    >>> import polars as pl
    >>> is_lazy(pl.LazyFrame({"a": [1]})), is_lazy(pl.DataFrame({"a": [1]})), is_lazy({})
    (True, False, False)
    """
    return isinstance(as_frame(table), nw.LazyFrame)


def _rating_expr(rating: str, scale: Scale) -> nw.Expr:
    """The rating on −3…+3, by the same arithmetic as :meth:`Scale.to_mot`."""
    value = nw.col(rating).cast(nw.Float64)
    if scale == MOT:
        return value
    return RATING_MIN + (RATING_MAX - RATING_MIN) * ((value - scale.low) / (scale.high - scale.low))


def _weight_expr(step: str, bp_steps: Sequence[Any]) -> nw.Expr:
    """Each event's moment weight (1 off the moments), as a CASE over distinct weights."""
    by_weight: dict[float, list[str]] = {}
    for s in bp_steps:
        weight = 1.0 if s.moment is None else float(s.moment.weight)
        by_weight.setdefault(weight, []).append(s.id)
    expr: Any = nw.lit(1.0, dtype=nw.Float64)
    for weight, ids in by_weight.items():
        if weight != 1.0:
            expr = nw.when(nw.col(step).is_in(ids)).then(nw.lit(weight)).otherwise(expr)
    return expr.cast(nw.Float64)  # type: ignore[no-any-return]


def _usable(frame: nw.LazyFrame[Any], names: dict[str, str]) -> bool:
    """Whether the column types suit the reductions (else the in-memory path reads them)."""
    schema = frame.collect_schema()
    if not isinstance(schema[names["journey"]], (nw.String, *_NUMBER)):
        return False
    if not isinstance(schema[names["step"]], nw.String):
        return False
    if not isinstance(schema[names["rating"]], _NUMBER_TYPES):
        return False
    order = schema[names["order"]]
    naive = isinstance(order, nw.Datetime) and order.time_zone is None
    return isinstance(order, _NUMBER) or naive


def _blank(column: str, dtype: Any) -> nw.Expr:
    missing = nw.col(column).is_null()
    if isinstance(dtype, nw.String):
        missing = missing | (nw.col(column).str.strip_chars() == "")
    elif isinstance(dtype, nw.Float64 | nw.Float32):
        missing = missing | nw.col(column).is_nan()
    return missing


def _count(condition: nw.Expr) -> nw.Expr:
    """How many rows meet *condition* (Spark sums no booleans: count them as integers)."""
    return condition.cast(nw.Int64).sum()


def _numpy(frame: nw.DataFrame[Any], name: str, dtype: Any = np.float64) -> npt.NDArray[Any]:
    series = frame[name]
    if dtype is np.float64:
        series = series.cast(nw.Float64)
    return np.asarray(series.to_numpy(), dtype=dtype)


def reduce_journeys(
    bp: Blueprint,
    table: object,
    *,
    journey: str,
    step: str,
    order: str,
    rating: str,
    outcome: str | None,
    scale: Scale,
) -> JourneyFigures | None:
    """The per-journey reductions of a lazy *table*, or None where the in-memory path must run.

    None comes back when a check fails (so that the in-memory path names the
    rows), when the columns' types are not plain numbers, datetimes and text,
    when a step is not a customer step of *bp*, or when a journey has two
    events of different ratings at its latest order value (the rule that the
    later row wins needs the row order, which a lazy source does not keep).
    """
    frame = as_frame(table)
    if not isinstance(frame, nw.LazyFrame):
        return None
    names = {"journey": journey, "step": step, "order": order, "rating": rating}
    columns = list(dict.fromkeys([*names.values(), *([outcome] if outcome else [])]))
    if not set(columns) <= set(frame.columns) or not _usable(frame, names):
        return None
    schema = frame.collect_schema()
    customer = [s.id for s in bp.steps(lane=Lane.CUSTOMER)]
    moments = [s.id for s in bp.steps(lane=Lane.CUSTOMER) if s.moment is not None]
    r = _rating_expr(rating, scale)
    events = frame.select(columns).with_columns(
        __r=r,
        __w=_weight_expr(step, bp.steps(lane=Lane.CUSTOMER)),
        __latest=nw.col(order).max().over(journey),
    )
    at_latest = nw.col(order) == nw.col("__latest")
    rated = nw.col("__r")
    # The checks ride along with the reductions: one pass over the events (and the
    # window that finds each journey's latest order value).
    checks = [
        *(_count(_blank(c, schema[c])).alias(f"__missing_{c}") for c in names.values()),
        _count((rated < RATING_MIN) | (rated > RATING_MAX) | rated.is_nan()).alias("__off"),
        _count(~nw.col(step).is_in(customer)).alias("__unknown"),
    ]
    aggregates = [
        nw.len().alias("__n"),
        rated.sum().alias("__sum"),
        rated.min().alias("__lo"),
        rated.max().alias("__hi"),
        (rated * nw.col("__w")).sum().alias("__top"),
        nw.col("__w").sum().alias("__bottom"),
        nw.when(nw.col(step).is_in(moments)).then(rated).min().alias("__floor"),
        _count(rated > 0).alias("__positive"),
        nw.when(at_latest).then(rated).min().alias("__last_lo"),
        nw.when(at_latest).then(rated).max().alias("__last_hi"),
        *checks,
    ]
    if outcome is not None:
        aggregates += [
            nw.col(outcome).min().alias("__o_lo"),
            nw.col(outcome).max().alias("__o_hi"),
            _count(nw.col(outcome).is_null()).alias("__o_nulls"),
        ]
    per_journey = events.group_by(journey).agg(aggregates).collect()
    bad = [*(f"__missing_{c}" for c in names.values()), "__off", "__unknown"]
    if per_journey.shape[0] == 0 or any(float(per_journey[c].sum()) for c in bad):
        return None
    return _figures(per_journey, journey, outcome)


def _figures(
    per_journey: nw.DataFrame[Any], journey: str, outcome: str | None
) -> JourneyFigures | None:
    ids = np.asarray(per_journey[journey].to_numpy())
    if ids.dtype.kind == "U":
        ids = ids.astype(object)
    by_id = np.argsort(ids, kind="stable")
    ids = ids[by_id]

    def column(name: str) -> FloatArray:
        return _numpy(per_journey, name)[by_id]

    last_lo, last_hi = column("__last_lo"), column("__last_hi")
    if not np.array_equal(last_lo, last_hi):
        return None
    outcome_values = None
    if outcome is not None:
        low = np.asarray(per_journey["__o_lo"].to_numpy())[by_id]
        high = np.asarray(per_journey["__o_hi"].to_numpy())[by_id]
        nulls = _numpy(per_journey, "__o_nulls")[by_id]
        if bool((nulls > 0).any()) or not bool((low == high).all()):
            return None
        outcome_values = low.astype(object) if low.dtype.kind == "U" else low
    return JourneyFigures(
        journey_ids=ids,
        count=column("__n"),
        total=column("__sum"),
        worst=column("__lo"),
        best=column("__hi"),
        weighted_top=column("__top"),
        weighted_bottom=column("__bottom"),
        moment_floor=column("__floor"),
        positive=column("__positive"),
        last=last_lo,
        outcome=outcome_values,
    )


def finish_scores(figures: JourneyFigures, name: str) -> FloatArray:
    """The strategy *name* from the per-journey reductions, by the kernels' formulas.

    Examples
    --------
    >>> one = np.array([1.0])
    >>> f = JourneyFigures(journey_ids=np.array([1]), count=2 * one, total=-one, worst=-2 * one,
    ...                    best=one, weighted_top=-5 * one, weighted_bottom=4 * one,
    ...                    moment_floor=np.array([np.nan]), positive=one, last=-2 * one,
    ...                    outcome=None)
    >>> names = ("mean", "weighted", "peak_end", "moment_floor", "share_positive")
    >>> [float(finish_scores(f, s)[0]) for s in names]
    [-0.5, -1.25, -2.0, -2.0, 0.5]
    """
    worst, best = figures.worst, figures.best
    if name == "mean":
        found = figures.total / figures.count
    elif name == "weighted":
        found = figures.weighted_top / figures.weighted_bottom
    elif name == "worst":
        return worst
    elif name == "last":
        return figures.last
    elif name == "share_positive":
        return np.asarray(figures.positive / figures.count, dtype=np.float64)
    elif name == "peak_end":
        peak = np.where(-worst >= best, worst, best)
        return np.asarray((peak + figures.last) / 2, dtype=np.float64)
    else:
        floor = figures.moment_floor
        return np.where(np.isnan(floor), worst, floor)
    # As the kernels: a mean lies between the lowest and highest rating.
    return np.minimum(np.maximum(found, worst), best)


def reduce_steps(
    bp: Blueprint, table: object, *, journey: str, step: str, order: str, rating: str, scale: Scale
) -> dict[str, npt.NDArray[Any]] | None:
    """Per-step count, sum, negatives and −3s of a lazy *table*, or None (see above).

    The journey and order columns are checked as the in-memory path checks
    them (no missing cell, plain types), though the figures do not use them.
    """
    frame = as_frame(table)
    if not isinstance(frame, nw.LazyFrame):
        return None
    names = {"journey": journey, "step": step, "order": order, "rating": rating}
    columns = list(dict.fromkeys(names.values()))
    if not set(columns) <= set(frame.columns) or not _usable(frame, names):
        return None
    schema = frame.collect_schema()
    customer = [s.id for s in bp.steps(lane=Lane.CUSTOMER)]
    rated = _rating_expr(rating, scale)
    events = frame.select(columns).with_columns(__r=rated)
    r = nw.col("__r")
    found = events.select(
        nw.len().alias("__events"),
        *(_count(_blank(c, schema[c])).alias(f"__missing_{c}") for c in columns),
        _count((r < RATING_MIN) | (r > RATING_MAX) | r.is_nan()).alias("__off"),
        _count(~nw.col(step).is_in(customer)).alias("__unknown"),
    ).collect()
    if any(int(found[n].item()) for n in found.columns if n != "__events"):
        return None
    if int(found["__events"].item()) == 0:
        return None
    per_step = (
        events.group_by(step)
        .agg(
            nw.len().alias("__n"),
            r.sum().alias("__sum"),
            (r < 0).cast(nw.Float64).sum().alias("__negative"),
            (r == -3.0).cast(nw.Float64).sum().alias("__minus_3"),
        )
        .collect()
    )
    ids = [str(s) for s in per_step[step].to_list()]
    position = {sid: k for k, sid in enumerate(customer)}
    k = len(customer)
    at = np.array([position[s] for s in ids], dtype=np.int64)
    out: dict[str, npt.NDArray[Any]] = {}
    for name in ("__n", "__sum", "__negative", "__minus_3"):
        values = np.zeros(k, dtype=np.float64)
        values[at] = _numpy(per_step, name)
        out[name] = values
    return out


def lazy_scores(
    bp: Blueprint,
    table: object,
    names: Sequence[str],
    *,
    journey: str,
    step: str,
    order: str | None,
    rating: str,
    outcome: str | None,
    scale: Scale,
    text: bool = False,
) -> dict[str, npt.NDArray[Any]] | None:
    """:func:`servicebp.score_observed`'s result for a lazy *table*, or None (see above).

    *text* says the table is a CSV file read by DuckDB with its ids and outcome
    as text: ids are trimmed and outcomes become numbers where all are, as the
    CSV reader does.
    """
    frame = as_frame(table)
    if not isinstance(frame, nw.LazyFrame):
        return None
    if text:
        frame = _trimmed(frame, [journey, step])
    available = frame.columns
    order_name = pick_order(order, available)
    outcome_name = pick_outcome(outcome, available)
    if journey in names or (outcome_name is not None and outcome_name in (journey, *names)):
        return None  # the in-memory path says which names clash
    figures = reduce_journeys(
        bp,
        frame,
        journey=journey,
        step=step,
        order=order_name,
        rating=rating,
        outcome=outcome_name,
        scale=scale,
    )
    if figures is None:
        return None
    result: dict[str, npt.NDArray[Any]] = {journey: figures.journey_ids}
    for name in names:
        result[name] = finish_scores(figures, name)
    if outcome_name is not None and figures.outcome is not None:
        result[outcome_name] = _csv_outcome(figures.outcome) if text else figures.outcome
    return result


def _trimmed(frame: nw.LazyFrame[Any], columns: Sequence[str]) -> nw.LazyFrame[Any]:
    """Text columns without surrounding white space, as the CSV reader strips cells."""
    schema = frame.collect_schema()
    strip = [nw.col(c).str.strip_chars() for c in columns if isinstance(schema.get(c), nw.String)]
    return frame.with_columns(strip) if strip else frame


def lazy_step_statistics(
    bp: Blueprint,
    table: object,
    *,
    journey: str,
    step: str,
    order: str | None,
    rating: str,
    scale: Scale,
    text: bool = False,
) -> dict[str, npt.NDArray[Any]] | None:
    """:func:`servicebp.step_statistics`' result for a lazy *table*, or None (see above)."""
    frame = as_frame(table)
    if not isinstance(frame, nw.LazyFrame):
        return None
    if text:
        frame = _trimmed(frame, [journey, step])
    order_name = pick_order(order, frame.columns)
    sums = reduce_steps(
        bp, frame, journey=journey, step=step, order=order_name, rating=rating, scale=scale
    )
    if sums is None:
        return None
    count = sums["__n"]
    with np.errstate(invalid="ignore", divide="ignore"):
        return {
            "step": np.array([s.id for s in bp.steps(lane=Lane.CUSTOMER)], dtype=str),
            "count": count.astype(np.int64),
            "mean": sums["__sum"] / count,
            "share_negative": sums["__negative"] / count,
            "share_minus_3": sums["__minus_3"] / count,
        }
