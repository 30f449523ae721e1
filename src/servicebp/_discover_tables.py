"""Columns out of the tables callers bring: CSV files, DataFrames, dicts of arrays.

Private to :mod:`servicebp.discover` and :mod:`servicebp.conformance`.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from servicebp.errors import ObservedDataError

__all__ = ["Columns", "column_names", "read_columns", "times_in_minutes"]

Columns = dict[str, npt.NDArray[Any]]


def read_columns(table: Any, names: Sequence[str], *, what: str = "table") -> Columns:
    """Return the columns *names* of *table* as numpy arrays of equal length.

    *table* is a CSV path (UTF-8, header row), a pandas or polars DataFrame,
    or a mapping of column name to sequence.

    Examples
    --------
    >>> cols = read_columns({"a": [1, 2], "b": ["x", "y"], "c": [0, 0]}, ["a", "b"])
    >>> cols["a"].tolist(), cols["b"].tolist()
    ([1, 2], ['x', 'y'])
    >>> read_columns({"a": [1]}, ["a", "z"])
    Traceback (most recent call last):
    ...
    servicebp.errors.ObservedDataError: table: missing column(s) ['z'] (it has ['a'])
    """
    if isinstance(table, str | os.PathLike):
        return _read_csv(os.fspath(table), names)
    if hasattr(table, "columns") and not isinstance(table, Mapping):
        available = [str(c) for c in table.columns]
    elif isinstance(table, Mapping):
        available = [str(c) for c in table]
    else:
        raise ObservedDataError(
            f"{what} must be a CSV path, a pandas or polars DataFrame or a mapping of "
            f"columns, not {type(table).__name__}"
        )
    missing = [n for n in names if n not in available]
    if missing:
        raise ObservedDataError(f"{what}: missing column(s) {missing!r} (it has {available!r})")
    columns: Columns = {}
    for name in names:
        column = table[name]
        if hasattr(column, "to_numpy"):
            column = column.to_numpy()
        columns[name] = np.asarray(column)
    sizes = {len(c) for c in columns.values()}
    if len(sizes) > 1:
        raise ObservedDataError(f"{what}: columns have different lengths {sorted(sizes)}")
    return columns


def column_names(table: Any) -> list[str]:
    """Return the column names of *table* (for a CSV path, its header).

    Examples
    --------
    >>> column_names({"journey": [], "step": []})
    ['journey', 'step']
    """
    if isinstance(table, str | os.PathLike):
        try:
            with open(table, encoding="utf-8-sig", newline="") as handle:
                header = next(csv.reader(handle), [])
        except OSError as error:
            raise ObservedDataError(f"{os.fspath(table)}: cannot read: {error.strerror}") from error
        except (UnicodeDecodeError, csv.Error) as error:
            raise ObservedDataError(
                f"{os.fspath(table)}: not a UTF-8 CSV file ({error})"
            ) from error
        return [cell.strip() for cell in header]
    if hasattr(table, "columns") and not isinstance(table, Mapping):
        return [str(c) for c in table.columns]
    if isinstance(table, Mapping):
        return [str(c) for c in table]
    raise ObservedDataError(
        "a table must be a CSV path, a pandas or polars DataFrame or a mapping of columns, "
        f"not {type(table).__name__}"
    )


def _read_csv(path: str, names: Sequence[str]) -> Columns:
    try:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            rows = list(csv.reader(handle))
    except OSError as error:
        raise ObservedDataError(f"{path}: cannot read: {error.strerror or error}") from error
    except (UnicodeDecodeError, csv.Error) as error:
        raise ObservedDataError(f"{path}: not a UTF-8 CSV file ({error})") from error
    rows = [r for r in rows if r and any(cell.strip() for cell in r)]
    if not rows:
        raise ObservedDataError(f"{path}: the file is empty (a header row is needed)")
    header = [cell.strip() for cell in rows[0]]
    missing = [n for n in names if n not in header]
    if missing:
        raise ObservedDataError(
            f"{path}:1: missing column(s) {missing!r} (the header has {header!r})"
        )
    ragged = [i for i, r in enumerate(rows[1:], start=2) if len(r) != len(header)]
    if ragged:
        raise ObservedDataError(
            f"{path}: rows {ragged[:10]} do not have the header's {len(header)} cells"
        )
    if len(rows) == 1:
        raise ObservedDataError(f"{path}: no data rows below the header")
    where = [header.index(n) for n in names]
    return {
        name: np.array([r[i].strip() for r in rows[1:]], dtype=object)
        for name, i in zip(names, where, strict=True)
    }


def times_in_minutes(values: npt.NDArray[Any], *, column: str) -> npt.NDArray[np.float64]:
    """Return timestamps as minutes since an epoch (numbers are taken as minutes).

    Accepts numbers, numpy datetimes and ISO 8601 text (with or without a
    UTC offset; naive times are taken as UTC).

    Examples
    --------
    >>> t = times_in_minutes(np.array(["2024-01-01T10:00", "2024-01-01 10:30:00Z",
    ...                                "2024-01-01T12:30+02:00"]), column="t")
    >>> (t - t[0]).tolist()
    [0.0, 30.0, 30.0]
    """
    if np.issubdtype(values.dtype, np.datetime64):
        return values.astype("datetime64[ms]").astype(np.float64) / 60_000.0
    if np.issubdtype(values.dtype, np.number):
        result = values.astype(np.float64)
        bad = np.flatnonzero(~np.isfinite(result))
        if bad.size:
            raise ObservedDataError(f"column {column!r}: row {int(bad[0])} has no time")
        return result
    out = np.empty(len(values), dtype=np.float64)
    for i, value in enumerate(values):
        if isinstance(value, dt.datetime):
            stamp = value
        else:
            text = str(value).strip()
            try:
                out[i] = float(text)
                continue
            except ValueError:
                pass
            try:
                stamp = dt.datetime.fromisoformat(text)
            except ValueError:
                raise ObservedDataError(
                    f"column {column!r}: row {i}: {text!r} is not an ISO 8601 time or a number"
                ) from None
        if stamp.tzinfo is None:
            stamp = stamp.replace(tzinfo=dt.UTC)
        out[i] = stamp.timestamp() / 60.0
    return out
