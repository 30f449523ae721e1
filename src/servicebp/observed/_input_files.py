"""Checks on an observed-data file before the table layer reads it.

A FIFO or ``/dev/zero`` given as a CSV would block or exhaust memory, a NUL
in the path ends in a raw ``ValueError``, and a header of millions of
columns costs gigabytes before the first row is checked. These are refused
here, at the entry points, with the file named; the table layer then reads
a regular file of a bounded width.
"""

from __future__ import annotations

import csv
import glob
import os
import re
import stat
from typing import Final

from servicebp.errors import ObservedDataError, TableProblem

__all__ = ["MAX_COLUMNS", "MAX_HEADER_BYTES", "check_csv_path", "check_scan_path"]

#: Most columns an observed-data CSV may have.
MAX_COLUMNS: Final = 10_000
#: Longest header row read, in bytes.
MAX_HEADER_BYTES: Final = 1 << 20
#: What makes a path a glob, for DuckDB as for Python.
_GLOB: Final = re.compile(r"[*?\[]")


def check_scan_path(path: str | os.PathLike[str]) -> str:
    """Return the name of *path*, a Parquet file or a glob, if every file it names is regular.

    A glob is expanded here as DuckDB will (``**`` too), so that a FIFO, a
    device or a folder it matches is refused before DuckDB opens it.

    Examples
    --------
    >>> check_scan_path("/dev/zer?")
    Traceback (most recent call last):
    ...
    servicebp.errors.ObservedDataError: /dev/zero: is not a regular file (a pipe or a device)...
    """
    name = _name(path)
    if not _GLOB.search(name):
        if os.path.lexists(name):
            _regular(name)
        return name
    for match in glob.iglob(name, recursive=True):
        _regular(match)
    return name


def _name(path: str | os.PathLike[str]) -> str:
    name = os.fspath(path)
    if isinstance(name, bytes):
        name = os.fsdecode(name)
    if "\0" in name:
        raise _refuse(repr(name), "a file name cannot hold a NUL character")
    return name


def _regular(name: str, what: str = "data file") -> None:
    """Refuse *name* unless it is a regular file (a link to one is fine)."""
    try:
        mode = os.stat(name).st_mode
    except FileNotFoundError:
        raise _refuse(name, "cannot read: No such file or directory") from None
    except OSError as error:
        raise _refuse(name, f"cannot read: {error.strerror or error}") from None
    if stat.S_ISDIR(mode):
        raise _refuse(name, f"is a folder, not a {what}")
    if not stat.S_ISREG(mode):
        raise _refuse(
            name,
            "is not a regular file (a pipe or a device); save the data to a file first",
        )


def check_csv_path(path: str | os.PathLike[str]) -> str:
    """Return the name of *path* if it is a regular file with a header of bounded width.

    Raises
    ------
    ObservedDataError
        For a NUL in the path, a missing file, a pipe, device or folder, or a
        header row over :data:`MAX_COLUMNS` columns or :data:`MAX_HEADER_BYTES`.

    Examples
    --------
    >>> check_csv_path("/dev/zero")
    Traceback (most recent call last):
    ...
    servicebp.errors.ObservedDataError: /dev/zero: is not a regular file (a pipe or a device)...
    """
    name = _name(path)
    _regular(name, "CSV file")
    try:
        with open(name, "rb") as handle:
            head = handle.readline(MAX_HEADER_BYTES + 1)
    except OSError as error:
        raise _refuse(name, f"cannot read: {error.strerror or error}") from None
    if len(head) > MAX_HEADER_BYTES:
        raise _refuse(
            name, f"the header row is longer than {MAX_HEADER_BYTES:,} bytes; is this a CSV file?"
        )
    columns = next(csv.reader([head.decode("utf-8", "replace")]), [])
    if len(columns) > MAX_COLUMNS:
        raise _refuse(
            name,
            f"the header has {len(columns):,} columns, above the limit of {MAX_COLUMNS:,}",
        )
    return name


def _refuse(file: str, message: str) -> ObservedDataError:
    return ObservedDataError([TableProblem(message=message, file=file, line=None)])
