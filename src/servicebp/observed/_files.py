"""Event files read where they lie: Parquet and CSV files, globs too, through DuckDB.

Private. :func:`scan_events` opens a file or a glob of files as a DuckDB
relation — lazy, so that the scoring reductions run inside DuckDB, which
streams the files and spills to disk past its memory cap, and only one small
row per journey comes back. A single CSV file is read by the CSV reader of
:mod:`._tables` instead, which names the file line of every bad cell.
"""

from __future__ import annotations

import csv
import importlib
import os
from collections.abc import Sequence
from typing import Any

from servicebp.errors import MissingDependencyError, ObservedDataError, TableProblem

__all__ = ["csv_header", "is_scannable", "scan_events"]

_PARQUET = (".parquet", ".pq", ".parq")
_GLOB = frozenset("*?[")


def is_scannable(path: object) -> bool:
    """Whether *path* names Parquet files, or a glob of files, to be read through DuckDB.

    Examples
    --------
    >>> is_scannable("events.parquet"), is_scannable("logs/*.csv"), is_scannable("log.csv")
    (True, True, False)
    """
    if not isinstance(path, str | os.PathLike):
        return False
    name = os.fspath(path)
    return name.lower().endswith(_PARQUET) or any(c in _GLOB for c in name)


def csv_header(path: str | os.PathLike[str]) -> list[str] | None:
    """The header cells of a CSV file as written, or None if it cannot be read.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "e.csv"
    >>> _ = p.write_text("journey, step\\n1,a\\n")
    >>> csv_header(p), csv_header(p.with_name("none.csv"))
    (['journey', ' step'], None)
    """
    try:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            return next(csv.reader(handle), None)
    except (OSError, UnicodeError, csv.Error):
        return None


def scan_events(
    path: str | os.PathLike[str],
    *,
    memory_limit: str | None = None,
    threads: int | None = None,
    text_columns: Sequence[str] = (),
    number_columns: Sequence[str] = (),
) -> Any:
    """Open Parquet or CSV files as a lazy DuckDB relation, for out-of-core scoring.

    Parameters
    ----------
    path : str or os.PathLike
        A file or a glob (``"events/*.parquet"``, ``"logs/2024-*.csv"``). Files
        ending in ``.parquet`` (``.pq``) are read as Parquet, others as CSV
        (DuckDB detects the column types).
    memory_limit : str, optional
        DuckDB's memory cap (``"4GB"``); past it DuckDB spills to disk.
        Default: DuckDB's own (80 % of the machine's memory).
    threads : int, optional
        DuckDB's threads; default all cores.
    text_columns : sequence of str
        CSV columns to read as text whatever they look like (ids such as
        ``007`` stay ``'007'``).
    number_columns : sequence of str
        CSV columns to read as floating-point numbers (``DOUBLE``), not as
        DuckDB's sniffer guesses (which reads ``0x1`` as the integer 1).

    Returns
    -------
    duckdb.DuckDBPyRelation
        Pass it to :func:`servicebp.score_observed`, :func:`servicebp.step_statistics`,
        :func:`servicebp.suggest_moments` or :func:`servicebp.conformance`; it
        keeps its own DuckDB connection.

    Raises
    ------
    MissingDependencyError
        DuckDB is not installed (``pip install 'servicebp[duckdb]'``).
    ObservedDataError
        No file matches, or DuckDB cannot read them.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> for day in (1, 2):
    ...     text = f"journey,step,order,rating\\nj{day},ask,1,2\\n"
    ...     _ = (folder / f"day{day}.csv").write_text(text)
    >>> events = scan_events(folder / "*.csv", memory_limit="1GB")
    >>> sorted(events.columns), len(events.fetchall())
    (['journey', 'order', 'rating', 'step'], 2)
    """
    try:
        duckdb = importlib.import_module("duckdb")
    except ImportError as error:
        raise MissingDependencyError(
            "duckdb is needed to read Parquet files and globs; install it with: "
            "pip install 'servicebp[duckdb]'"
        ) from error
    from servicebp.observed._input_files import check_scan_path

    name = check_scan_path(path)
    config: dict[str, Any] = {}
    if memory_limit is not None:
        config["memory_limit"] = memory_limit
    if threads is not None:
        config["threads"] = threads
    try:
        connection = duckdb.connect(config=config)
    except duckdb.Error as error:
        raise ObservedDataError(f"cannot open DuckDB with {config!r}: {error}") from error
    try:
        if name.lower().endswith(_PARQUET):
            return connection.read_parquet(name)
        types = {
            **dict.fromkeys(number_columns, "DOUBLE"),
            **dict.fromkeys(text_columns, "VARCHAR"),
        }
        return connection.read_csv(name, header=True, dtype=types or None)
    except (duckdb.Error, OSError) as error:
        message = str(error).splitlines()[0]
        raise ObservedDataError(
            [TableProblem(message=f"cannot read: {message}", file=name)]
        ) from None
