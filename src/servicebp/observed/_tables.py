"""Tables in, tables out: the generic layer under observed data, discovery and conformance.

Private: turns a CSV file (:func:`read_csv`, every cell keeping its file
line), a mapping of numpy columns, a numpy structured array or any DataFrame
that `narwhals <https://narwhals-dev.github.io/narwhals/>`_ reads (pandas,
polars eager and lazy, pyarrow, DuckDB, PySpark, …) into plain
one-dimensional numpy columns (:func:`read_columns`), names each row in
messages (file line, pandas index label or row number: :class:`RowNames`)
and builds a result table of the kind that came in (:func:`build_table`).
The checks here concern the table as a table — missing or ragged columns,
unreadable files; what a cell must hold is :mod:`._cells`' business.
"""

from __future__ import annotations

import csv
import importlib
import os
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Literal

import attrs
import narwhals.stable.v2 as nw
import numpy as np
import numpy.typing as npt

from servicebp.errors import MissingDependencyError, ObservedDataError, Problem, TableProblem
from servicebp.observed._files import is_scannable, scan_events

__all__ = [
    "SHOWN_PROBLEMS",
    "CsvTable",
    "FloatArray",
    "Kind",
    "RowNames",
    "Where",
    "as_frame",
    "build_table",
    "column_names",
    "frame_names",
    "load_table",
    "observed_error",
    "read_columns",
    "read_csv",
    "require_columns",
    "require_module",
    "row_namer",
    "row_number",
    "rows_error",
    "table_kind",
]

#: numpy mapping, structured array, or the DataFrame library the table came from;
#: ``"frame"`` is any other narwhals-readable frame (lazy ones among them).
Kind = Literal["numpy", "structured", "pandas", "polars", "pyarrow", "frame"]
FloatArray = npt.NDArray[np.float64]

#: How many problems an error message lists before it counts the rest.
SHOWN_PROBLEMS = ObservedDataError.SHOWN


@attrs.frozen(kw_only=True, eq=False)
class RowNames:
    """How messages name row *i* of a table: file line, pandas index label or number.

    Calling it gives the text (``log.csv:5``, ``row 'a'``, ``row 3``);
    :meth:`problem` gives the structured :class:`~servicebp.errors.TableProblem`.

    Examples
    --------
    >>> RowNames()(3), RowNames(file="log.csv", lines=[2, 5])(1)
    ('row 3', 'log.csv:5')
    >>> print(RowNames().problem(3, "rating", "'x' is not a number"))
    row 3: column 'rating': 'x' is not a number
    """

    file: str | None = None
    lines: Sequence[int] | None = None
    labels: Any = None

    def row(self, i: int) -> int | str:
        """The row's index label (pandas) or position, as a JSON-ready value."""
        if self.labels is None:
            return int(i)
        value = self.labels[i]
        value = value.item() if isinstance(value, np.generic) else value
        return value if isinstance(value, int | str) else str(value)

    def problem(self, i: int, column: str | tuple[str, ...] | None, message: str) -> TableProblem:
        """The problem *message* in column *column* of row *i*."""
        if self.file is not None and self.lines is not None:
            return TableProblem(
                message=message, file=self.file, line=self.lines[i], table_column=column
            )
        return TableProblem(message=message, row=self.row(i), table_column=column)

    def __call__(self, i: int) -> str:
        if self.file is not None and self.lines is not None:
            return f"{self.file}:{self.lines[i]}"
        return f"row {self.row(i)!r}"


#: Names a row in messages (see :class:`RowNames`).
Where = RowNames
#: Names rows by their number, for tables whose rows have no better name.
row_number = RowNames()


def observed_error(
    problems: Sequence[Problem | str], *, more: int = 0, alike: str = "more"
) -> ObservedDataError:
    """Return one :class:`ObservedDataError` listing *problems* (text becomes a problem).

    Examples
    --------
    >>> print(observed_error(["a", "b"], more=3))
    5 problems:
      a
      b
      ... and 3 more
    """
    found = [TableProblem(message=p) if isinstance(p, str) else p for p in problems]
    return ObservedDataError(found, more=more, alike=alike)


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
    problems = [where.problem(i, column, message) for i in shown]
    return ObservedDataError(
        problems, more=int(rows.size - len(shown)), alike="more rows like these"
    )


@attrs.frozen(kw_only=True)
class CsvTable:
    """The cells of a CSV file by column, with the file line of each row."""

    file: str
    header: tuple[str, ...]
    #: Lists of text, or numpy arrays of it when pyarrow read the file.
    columns: Mapping[str, Sequence[str] | npt.NDArray[np.object_]]
    lines: Sequence[int]

    def require(self, names: Iterable[str]) -> None:
        """Raise :class:`ObservedDataError` unless every column in *names* is there."""
        missing = [name for name in names if name not in self.columns]
        if missing:
            raise ObservedDataError(
                [
                    TableProblem(
                        message=f"missing column(s) {missing!r} "
                        f"(the header has {list(self.header)!r})",
                        file=self.file,
                        line=1,
                    )
                ]
            )


def _file_error(file: str, message: str, line: int | None = None) -> ObservedDataError:
    return ObservedDataError([TableProblem(message=message, file=file, line=line)])


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
        raise _file_error(name, f"cannot read: {error.strerror or error}") from error
    with handle:
        reader = csv.reader(handle)
        try:
            header = next(reader, None)
            while skip_blank_rows and header is not None and not any(c.strip() for c in header):
                header = next(reader, None)
            if header is None:
                raise _file_error(name, "the file is empty (a header row is needed)")
            header = [cell.strip() for cell in header]
            duplicates = sorted({h for h in header if header.count(h) > 1})
            if duplicates:
                raise _file_error(name, f"duplicate column(s) {duplicates!r}", 1)
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
                        TableProblem(
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
            raise _file_error(name, str(error), reader.line_num) from error
        except UnicodeDecodeError as error:
            raise _file_error(name, f"not UTF-8 text ({error.reason})") from error
    if problems:
        raise observed_error(problems)
    if not lines:
        raise _file_error(name, "no data rows below the header")
    return CsvTable(file=name, header=tuple(header), columns=columns, lines=lines)


def require_module(name: str, extra: str | None = None) -> Any:
    """Import an optional library or say how to install it.

    Examples
    --------
    >>> require_module("pandas").__name__
    'pandas'
    """
    try:
        return importlib.import_module(name)
    except ImportError as error:
        raise MissingDependencyError(
            f"{name} is needed for this; install it with: pip install 'servicebp[{extra or name}]'"
        ) from error


def as_frame(table: object) -> nw.DataFrame[Any] | nw.LazyFrame[Any] | None:
    """Return *table* as a narwhals frame, or None if it is no DataFrame narwhals reads.

    Examples
    --------
    >>> import pandas as pd
    >>> type(as_frame(pd.DataFrame({"a": [1]}))).__name__, as_frame({"a": [1]})
    ('DataFrame', None)
    """
    if isinstance(table, np.ndarray | Mapping | CsvTable | str | os.PathLike):
        return None
    try:
        frame = nw.from_native(table, pass_through=True)
    except nw.exceptions.DuplicateError as error:
        # pandas allows two columns of one name; which one is "rating" then?
        detail = ", ".join(line.lstrip("- ") for line in str(error).splitlines()[1:])
        raise ObservedDataError(
            f"the table has duplicate column names ({detail}); rename them first"
        ) from None
    return frame if isinstance(frame, nw.DataFrame | nw.LazyFrame) else None


def table_kind(table: object) -> Kind:
    """Return which kind of table *table* is, or raise :class:`ObservedDataError`.

    Examples
    --------
    >>> import numpy as np
    >>> table_kind({"journey": np.array([1])}), table_kind(np.zeros(1, dtype=[("a", "f8")]))
    ('numpy', 'structured')
    """
    frame = as_frame(table)
    if isinstance(frame, nw.DataFrame):
        name = frame.implementation.name.lower()
        return name if name in ("pandas", "polars", "pyarrow") else "frame"
    if frame is not None:
        return "frame"
    if isinstance(table, np.ndarray) and table.dtype.names is not None:
        return "structured"
    if isinstance(table, Mapping):
        return "numpy"
    raise ObservedDataError(
        f"an observed-events table must be a mapping of column name to array, a numpy "
        f"structured array, a DataFrame (pandas, polars, pyarrow, DuckDB, Spark, …), "
        f"or a CSV path, not {type(table).__name__}"
    )


def load_table(table: object) -> object:
    """Return *table*, a CSV path read into a :class:`CsvTable` (rows of blank cells skipped).

    Parquet files and globs are opened through DuckDB (:func:`scan_events`).

    Examples
    --------
    >>> load_table({"a": [1]})
    {'a': [1]}
    """
    if is_scannable(table):
        return scan_events(table)  # type: ignore[arg-type]
    if isinstance(table, str | os.PathLike):
        from servicebp.observed._arrow_csv import read_text_table
        from servicebp.observed._input_files import check_csv_path

        return read_text_table(check_csv_path(table), skip_blank_rows=True)
    return table


def column_names(table: object, *, what: str = "table") -> list[str]:
    """Return the column names of *table*, or raise :class:`ObservedDataError`.

    *table* is a :class:`CsvTable`, a numpy structured array, a mapping of
    columns or a DataFrame.

    Examples
    --------
    >>> column_names({"journey": [], "step": []})
    ['journey', 'step']
    >>> column_names([1, 2], what="event log")
    Traceback (most recent call last):
    ...
    servicebp.errors.ObservedDataError: event log must be a CSV path, a numpy structured array, a DataFrame (pandas, polars, pyarrow, DuckDB, Spark, …) or a mapping of columns, not list
    """  # noqa: E501
    names = frame_names(table)
    if names is None:
        raise ObservedDataError(
            f"{what} must be a CSV path, a numpy structured array, a DataFrame (pandas, "
            f"polars, pyarrow, DuckDB, Spark, …) or a mapping of columns, "
            f"not {type(table).__name__}"
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
    frame = as_frame(table)
    if frame is not None:
        return [str(c) for c in frame.columns]
    return None


def read_columns(
    table: object, names: Sequence[str], *, what: str | None = None
) -> tuple[dict[str, npt.NDArray[Any]], Where]:
    """Return the columns *names* of *table* as numpy arrays, and the namer of its rows.

    *table* is anything :func:`column_names` takes, or a CSV path (UTF-8,
    header row; its cells come back as text). A lazy frame (polars
    LazyFrame, DuckDB relation, Spark DataFrame) is collected, these
    columns only. Time-zone-aware datetimes come back in UTC, as naive
    ``datetime64``. Missing columns, columns of different lengths and ragged
    CSV rows are errors; *what* (``"event log"``) starts their messages.

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
    frame = eager_frame(table, names)
    found = {name: series_numpy(frame[name]) for name in names}
    _same_lengths(found, what)
    return found, row_namer(table)


def eager_frame(table: object, names: Sequence[str]) -> nw.DataFrame[Any]:
    """The columns *names* of a DataFrame *table*, collected if it is lazy."""
    frame = as_frame(table)
    if frame is None:
        raise ObservedDataError(f"not a DataFrame: {type(table).__name__}")
    picked = frame.select(list(names))
    return picked.collect() if isinstance(picked, nw.LazyFrame) else picked


def series_numpy(series: nw.Series[Any]) -> npt.NDArray[Any]:
    """A narwhals series as a numpy array: aware datetimes in UTC, categories as text."""
    from servicebp.observed._checks import flat_series

    flat_series(series)
    dtype = series.dtype
    if isinstance(dtype, nw.Datetime) and dtype.time_zone is not None:
        series = series.dt.convert_time_zone("UTC").dt.replace_time_zone(None)
    elif isinstance(dtype, nw.Categorical | nw.Enum):
        series = series.cast(nw.String)
    return np.asarray(series.to_numpy())


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
        return RowNames(file=table.file, lines=table.lines)
    frame = as_frame(table)
    if isinstance(frame, nw.DataFrame) and frame.implementation is nw.Implementation.PANDAS:
        return RowNames(labels=frame.to_native().index)
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


def build_table(kind: Kind, columns: dict[str, npt.NDArray[Any]], like: object = None) -> Any:
    """Return *columns* as a table of *kind*; a ``"frame"`` is built like the frame *like*.

    Examples
    --------
    >>> import numpy as np
    >>> build_table("structured", {"journey": np.array([1, 2]), "mean": np.array([0.5, 1.0])})
    array([(1, 0.5), (2, 1. )], dtype=[('journey', '<i8'), ('mean', '<f8')])
    >>> import polars as pl
    >>> build_table("frame", {"a": np.array([1])}, like=pl.LazyFrame({"x": [0]})).collect().shape
    (1, 1)
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
    if kind in ("pandas", "polars", "pyarrow"):
        require_module(kind)
        return nw.from_dict(columns, backend=kind).to_native()
    return _like(columns, like)


def _like(columns: dict[str, npt.NDArray[Any]], like: object) -> Any:
    """A small result table of the lazy kind of *like*: polars LazyFrame, DuckDB, Spark."""
    frame = as_frame(like)
    if frame is None:
        return columns
    implementation = frame.implementation
    if implementation.is_polars():
        return nw.from_dict(columns, backend="polars").lazy().to_native()
    if implementation.is_duckdb():
        arrow = nw.from_dict(columns, backend="pyarrow")
        return arrow.lazy(backend=nw.Implementation.DUCKDB).to_native()
    if implementation.is_pyspark() or implementation.is_pyspark_connect():
        session = frame.to_native().sparkSession
        rows = list(zip(*(values.tolist() for values in columns.values()), strict=True))
        return session.createDataFrame(rows, schema=list(columns))
    if isinstance(frame, nw.DataFrame):
        return nw.from_dict(columns, backend=implementation).to_native()
    return nw.from_dict(columns, backend="pyarrow").to_native()
