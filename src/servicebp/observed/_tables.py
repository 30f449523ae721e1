"""Tables in, tables out: the generic layer under observed data, discovery and conformance.

Private: turns a CSV file (:func:`read_csv`, every cell keeping its file
line), a mapping of numpy columns, a numpy structured array or a pandas or
polars DataFrame into plain one-dimensional numpy columns
(:func:`read_columns`), names each row in messages (file line, pandas index
label or row number: :func:`row_namer`), reads timestamps as minutes
(:func:`times_in_minutes`) and builds a result table of the kind that came in
(:func:`build_table`). The checks here concern the table as a table —
missing or ragged columns, unreadable files; what a column must hold is the
caller's business (:mod:`servicebp._observed_tables` for ratings, journeys
and outcomes).
"""

from __future__ import annotations

import csv
import datetime as dt
import importlib
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, Literal

import attrs
import numpy as np
import numpy.typing as npt

from servicebp.errors import MissingDependencyError, ObservedDataError, Problem

__all__ = [
    "CsvTable",
    "FloatArray",
    "Kind",
    "Where",
    "build_table",
    "column_names",
    "frame_names",
    "load_table",
    "observed_error",
    "read_columns",
    "read_csv",
    "require_columns",
    "require_module",
    "require_numbers",
    "row_namer",
    "row_number",
    "rows_error",
    "table_kind",
    "times_in_minutes",
]

Kind = Literal["numpy", "structured", "pandas", "polars"]
FloatArray = npt.NDArray[np.float64]
#: Names row *i* of a table in messages: ``row 3``, ``row 'a'`` or ``log.csv:5``.
Where = Callable[[int], str]

#: How many problems an error message lists before it summarises the rest.
SHOWN_PROBLEMS = 10


def observed_error(problems: Sequence[Problem] | Sequence[str]) -> ObservedDataError:
    """Return one :class:`ObservedDataError` listing *problems*.

    Examples
    --------
    >>> print(observed_error(["a", "b"]))
    2 problems:
      a
      b
    """
    lines = [str(p) for p in problems]
    if len(lines) == 1:
        return ObservedDataError(lines[0])
    # A closing "... and N more" line from the caller already counts the rest.
    summary = [line for line in lines if line.startswith("...")]
    real = [line for line in lines if not line.startswith("...")]
    shown = real[:SHOWN_PROBLEMS]
    text = [f"{len(real)} problem{'' if len(real) == 1 else 's'}:", *(f"  {x}" for x in shown)]
    if len(real) > len(shown):
        text.append(f"  ... and {len(real) - len(shown)} more")
    text.extend(f"  {line}" for line in summary)
    return ObservedDataError("\n".join(text))


@attrs.frozen(kw_only=True)
class CsvTable:
    """The cells of a CSV file by column, with the file line of each row."""

    file: str
    header: tuple[str, ...]
    columns: dict[str, list[str]]
    lines: list[int]

    def require(self, names: Iterable[str]) -> None:
        """Raise :class:`ObservedDataError` unless every column in *names* is there."""
        missing = [name for name in names if name not in self.columns]
        if missing:
            raise ObservedDataError(
                f"{self.file}:1: missing column(s) {missing!r} "
                f"(the header has {list(self.header)!r})"
            )


def read_csv(path: str | os.PathLike[str], *, skip_blank_rows: bool = False) -> CsvTable:
    """Read a CSV file with a header row into columns of text cells.

    Blank lines are skipped, and with *skip_blank_rows* also rows whose
    cells are all blank (``,,,``); a row with more or fewer cells than the
    header is an error naming its line. A byte-order mark (Excel) is accepted.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "r.csv"
    >>> _ = p.write_text("step,rating\\nask,2\\n\\npay,-1\\n", encoding="utf-8")
    >>> t = read_csv(p)
    >>> t.columns["step"], t.lines
    (['ask', 'pay'], [2, 4])
    """
    name = os.fspath(path)
    try:
        handle = open(path, encoding="utf-8-sig", newline="")  # noqa: SIM115
    except OSError as error:
        raise ObservedDataError(f"{name}: cannot read: {error.strerror or error}") from error
    with handle:
        reader = csv.reader(handle)
        try:
            header = next(reader, None)
            while skip_blank_rows and header is not None and not any(c.strip() for c in header):
                header = next(reader, None)
            if header is None:
                raise ObservedDataError(f"{name}: the file is empty (a header row is needed)")
            header = [cell.strip() for cell in header]
            duplicates = sorted({h for h in header if header.count(h) > 1})
            if duplicates:
                raise ObservedDataError(f"{name}:1: duplicate column(s) {duplicates!r}")
            columns: dict[str, list[str]] = {h: [] for h in header}
            lines: list[int] = []
            problems: list[Problem] = []
            for row in reader:
                if not row or (len(row) == 1 and not row[0].strip()):
                    continue
                if skip_blank_rows and not any(cell.strip() for cell in row):
                    continue
                if len(row) != len(header):
                    problems.append(
                        Problem(
                            message=f"{len(row)} cells where the header has {len(header)}",
                            file=name,
                            line=reader.line_num,
                        )
                    )
                    continue
                lines.append(reader.line_num)
                for h, cell in zip(header, row, strict=True):
                    columns[h].append(cell.strip())
        except csv.Error as error:
            raise ObservedDataError(f"{name}:{reader.line_num}: {error}") from error
        except UnicodeDecodeError as error:
            raise ObservedDataError(f"{name}: not UTF-8 text ({error.reason})") from error
    if problems:
        raise observed_error(problems)
    if not lines:
        raise ObservedDataError(f"{name}: no data rows below the header")
    return CsvTable(file=name, header=tuple(header), columns=columns, lines=lines)


def require_module(name: Literal["pandas", "polars"]) -> Any:
    """Import an optional DataFrame library or say how to install it.

    Examples
    --------
    >>> require_module("pandas").__name__
    'pandas'
    """
    try:
        return importlib.import_module(name)
    except ImportError as error:
        raise MissingDependencyError(
            f"{name} is needed for this; install it with: pip install 'servicebp[{name}]'"
        ) from error


def table_kind(table: object) -> Kind:
    """Return which kind of table *table* is, or raise :class:`ObservedDataError`.

    Examples
    --------
    >>> import numpy as np
    >>> table_kind({"journey": np.array([1])}), table_kind(np.zeros(1, dtype=[("a", "f8")]))
    ('numpy', 'structured')
    """
    module = type(table).__module__.split(".")[0]
    if module in ("pandas", "polars") and type(table).__name__ == "DataFrame":
        return module  # type: ignore[return-value]
    if isinstance(table, np.ndarray) and table.dtype.names is not None:
        return "structured"
    if isinstance(table, Mapping):
        return "numpy"
    raise ObservedDataError(
        f"an observed-events table must be a mapping of column name to array, a numpy "
        f"structured array, a pandas or polars DataFrame, or a CSV path, "
        f"not {type(table).__name__}"
    )


def load_table(table: object) -> object:
    """Return *table*, a CSV path read into a :class:`CsvTable` (rows of blank cells skipped).

    Examples
    --------
    >>> load_table({"a": [1]})
    {'a': [1]}
    """
    if isinstance(table, str | os.PathLike):
        return read_csv(table, skip_blank_rows=True)
    return table


def column_names(table: object, *, what: str = "table") -> list[str]:
    """Return the column names of *table*, or raise :class:`ObservedDataError`.

    *table* is a :class:`CsvTable`, a numpy structured array, a mapping of
    columns or a DataFrame (anything else with ``columns``).

    Examples
    --------
    >>> column_names({"journey": [], "step": []})
    ['journey', 'step']
    >>> column_names([1, 2], what="event log")
    Traceback (most recent call last):
    ...
    servicebp.errors.ObservedDataError: event log must be a CSV path, a numpy structured array, a pandas or polars DataFrame or a mapping of columns, not list
    """  # noqa: E501
    names = frame_names(table)
    if names is None:
        raise ObservedDataError(
            f"{what} must be a CSV path, a numpy structured array, a pandas or polars "
            f"DataFrame or a mapping of columns, not {type(table).__name__}"
        )
    return names


def frame_names(table: object) -> list[str] | None:
    """Return the column names of an in-memory *table*, or None if it is not a table.

    Examples
    --------
    >>> frame_names(np.zeros(1, dtype=[("a", "f8")])), frame_names("a.csv")
    (['a'], None)
    """
    if isinstance(table, CsvTable):
        return list(table.header)
    if isinstance(table, np.ndarray):
        return None if table.dtype.names is None else list(table.dtype.names)
    if isinstance(table, Mapping):
        return [str(k) for k in table]
    if hasattr(table, "columns"):
        return [str(c) for c in table.columns]
    return None


def read_columns(
    table: object, names: Sequence[str], *, what: str | None = None
) -> tuple[dict[str, npt.NDArray[Any]], Where]:
    """Return the columns *names* of *table* as numpy arrays, and the namer of its rows.

    *table* is anything :func:`column_names` takes, or a CSV path (UTF-8,
    header row; its cells come back as text). Missing columns, columns of
    different lengths and ragged CSV rows are errors; *what* (``"event
    log"``) starts their messages.

    Examples
    --------
    >>> cols, where = read_columns({"a": [1, 2], "b": ["x", "y"], "c": [0, 0]}, ["a", "b"])
    >>> cols["a"].tolist(), cols["b"].tolist(), where(1)
    ([1, 2], ['x', 'y'], 'row 1')
    >>> read_columns({"a": [1]}, ["a", "z"])
    Traceback (most recent call last):
    ...
    servicebp.errors.ObservedDataError: missing column(s) ['z'] (the table has ['a'])
    """
    table = load_table(table)
    available = column_names(table, what=what or "table")
    if isinstance(table, CsvTable):
        table.require(names)
        found = {name: np.array(table.columns[name], dtype=object) for name in names}
        return found, row_namer(table)
    require_columns(names, available, what=what)
    if isinstance(table, np.ndarray | Mapping):
        return _numpy_columns(table, names, what), row_number
    pd = require_module("pandas") if _is_pandas(table) else None
    found = {}
    for name in names:
        series = table[name]  # type: ignore[index]
        if pd is not None and isinstance(series.dtype, pd.DatetimeTZDtype):
            series = series.dt.tz_convert("UTC").dt.tz_localize(None)
        found[name] = np.asarray(series.to_numpy() if hasattr(series, "to_numpy") else series)
    _same_lengths(found, what)
    return found, row_namer(table)


def _is_pandas(table: object) -> bool:
    return type(table).__module__.split(".")[0] == "pandas"


def row_number(i: int) -> str:
    """Name row *i* by its number, for tables whose rows have no better name."""
    return f"row {i}"


def rows_error(
    mask: npt.NDArray[np.bool_], where: Where, column: str, message: str
) -> ObservedDataError:
    """One error naming the first rows flagged in *mask*, and how many more there are.

    Examples
    --------
    >>> print(rows_error(np.array([False, True, True]), row_number, "step", "unknown step"))
    2 problems:
      row 1: column 'step': unknown step
      row 2: column 'step': unknown step
    """
    rows = np.flatnonzero(mask)
    shown = rows[:SHOWN_PROBLEMS].tolist()
    problems = [f"{where(i)}: column {column!r}: {message}" for i in shown]
    if rows.size > len(shown):
        problems.append(f"... and {rows.size - len(shown)} more rows like these")
    return observed_error(problems)


def row_namer(table: object) -> Where:
    """Return how messages name row *i* of *table*: file line, pandas index label or number.

    Examples
    --------
    >>> row_namer({"a": [1, 2]})(1)
    'row 1'
    >>> import pandas as pd
    >>> row_namer(pd.DataFrame({"a": [1, 2]}, index=[10, 11]))(1)
    'row 11'
    """
    if isinstance(table, CsvTable):
        file, lines = table.file, table.lines

        def line(i: int) -> str:
            return f"{file}:{lines[i]}"

        return line
    if _is_pandas(table):
        index = table.index  # type: ignore[attr-defined]

        def label(i: int) -> str:
            value = index[i]
            # numpy scalars would show as np.int64(11): show the plain value.
            return f"row {value.item() if isinstance(value, np.generic) else value!r}"

        return label
    return row_number


def _numpy_columns(
    table: Mapping[str, Any] | npt.NDArray[Any], names: Sequence[str], what: str | None = None
) -> dict[str, npt.NDArray[Any]]:
    found: dict[str, npt.NDArray[Any]] = {}
    for name in names:
        column = table[name]
        column = np.asarray(column.to_numpy() if hasattr(column, "to_numpy") else column)
        if column.ndim != 1:
            raise ObservedDataError(
                f"{_prefix(what)}column {name!r} must be one-dimensional, not {column.shape}"
            )
        found[name] = column
    _same_lengths(found, what)
    return found


def _same_lengths(found: Mapping[str, npt.NDArray[Any]], what: str | None) -> None:
    lengths = {name: len(column) for name, column in found.items()}
    if len(set(lengths.values())) > 1:
        raise ObservedDataError(f"{_prefix(what)}columns have different lengths: {lengths}")


def _prefix(what: str | None) -> str:
    return "" if what is None else f"{what}: "


def require_columns(
    names: Sequence[str], available: Sequence[str], what: str | None = None
) -> None:
    """Raise :class:`ObservedDataError` naming the columns of *names* not in *available*.

    Examples
    --------
    >>> require_columns(["a", "z"], ["a", "b"], what="event log")
    Traceback (most recent call last):
    ...
    servicebp.errors.ObservedDataError: event log: missing column(s) ['z'] (the table has ['a', 'b'])
    """  # noqa: E501
    missing = [name for name in names if name not in available]
    if missing:
        raise ObservedDataError(
            f"{_prefix(what)}missing column(s) {missing!r} (the table has {list(available)!r})"
        )


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
    raise ObservedDataError(
        f"{where(first)}: column {column!r}: {value!r} is not a number but text "
        f"({int(texts.sum())} such cell{'' if texts.sum() == 1 else 's'}); {what} in a "
        f"DataFrame or array must be numbers: convert the column first (pandas: "
        f"pd.to_numeric(df[{column!r}]); polars: pl.col({column!r}).cast(pl.Float64); "
        f"numpy: np.asarray(values, dtype=float))"
    )


def times_in_minutes(
    values: npt.NDArray[Any], *, column: str, where: Where = row_number
) -> FloatArray:
    """Return timestamps as minutes since an epoch (numbers are taken as minutes).

    Accepts numbers, numpy datetimes and ISO 8601 text (with or without a
    UTC offset; naive times are taken as UTC). *where* names a row in
    messages.

    Examples
    --------
    >>> t = times_in_minutes(np.array(["2024-01-01T10:00", "2024-01-01 10:30:00Z",
    ...                                "2024-01-01T12:30+02:00"]), column="t")
    >>> (t - t[0]).tolist()
    [0.0, 30.0, 30.0]
    >>> times_in_minutes(np.array(["soon"]), column="t")
    Traceback (most recent call last):
    ...
    servicebp.errors.ObservedDataError: row 0: column 't': 'soon' is not an ISO 8601 time or a number
    >>> times_in_minutes(np.array(["2024-01-01", "nan"]), column="t")
    Traceback (most recent call last):
    ...
    servicebp.errors.ObservedDataError: row 1: column 't': it has no time
    >>> times_in_minutes(np.array(["2024-01-01", "NaT"], dtype="datetime64[ms]"), column="t")
    Traceback (most recent call last):
    ...
    servicebp.errors.ObservedDataError: row 1: column 't': it has no time
    """  # noqa: E501
    if np.issubdtype(values.dtype, np.datetime64):
        missing = np.flatnonzero(np.isnat(values))
        if missing.size:
            raise ObservedDataError(f"{where(int(missing[0]))}: column {column!r}: it has no time")
        return values.astype("datetime64[ms]").astype(np.float64) / 60_000.0
    if np.issubdtype(values.dtype, np.number):
        result = values.astype(np.float64)
        bad = np.flatnonzero(~np.isfinite(result))
        if bad.size:
            raise ObservedDataError(f"{where(int(bad[0]))}: column {column!r}: it has no time")
        return result
    out = np.empty(len(values), dtype=np.float64)
    for i, value in enumerate(values):
        if isinstance(value, dt.datetime):
            stamp = value
        else:
            text = str(value).strip()
            try:
                number = float(text)
            except ValueError:
                pass
            else:
                if not np.isfinite(number):
                    raise ObservedDataError(f"{where(i)}: column {column!r}: it has no time")
                out[i] = number
                continue
            try:
                stamp = dt.datetime.fromisoformat(text)
            except ValueError:
                raise ObservedDataError(
                    f"{where(i)}: column {column!r}: {text!r} is not an ISO 8601 time or a number"
                ) from None
        if stamp.tzinfo is None:
            stamp = stamp.replace(tzinfo=dt.UTC)
        out[i] = stamp.timestamp() / 60.0
    return out


def build_table(kind: Kind, columns: dict[str, npt.NDArray[Any]]) -> Any:
    """Return *columns* as a table of *kind*.

    Examples
    --------
    >>> import numpy as np
    >>> build_table("structured", {"journey": np.array([1, 2]), "mean": np.array([0.5, 1.0])})
    array([(1, 0.5), (2, 1. )], dtype=[('journey', '<i8'), ('mean', '<f8')])
    """
    if kind == "numpy":
        return columns
    if kind == "structured":
        n = len(next(iter(columns.values()))) if columns else 0
        dtype = [(name, values.dtype) for name, values in columns.items()]
        out = np.empty(n, dtype=dtype)
        for name, values in columns.items():
            out[name] = values
        return out
    if kind == "pandas":
        pd = require_module("pandas")
        return pd.DataFrame(columns)
    pl = require_module("polars")
    return pl.DataFrame({name: pl.Series(name, values) for name, values in columns.items()})
