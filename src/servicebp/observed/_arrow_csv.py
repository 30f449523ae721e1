"""A CSV file's text cells read by pyarrow, for files the csv module would read the same.

Private. :func:`arrow_cells` reads a CSV file with pyarrow's multithreaded
reader, every column as text (no type inference: ``007`` stays ``'007'``),
cells stripped exactly as :meth:`str.strip` strips them, blank lines and
(optionally) all-blank rows dropped — the same cells as
:func:`servicebp.observed._tables.read_csv`, an order of magnitude faster.
Whatever it is unsure of (a ragged row, a header pyarrow reads otherwise, a
decoding error, an empty file) it declines with None, and the caller reads
the file with the csv module, whose messages name the line. Each row's
file line is only needed for a message: :class:`FileLines` finds them with
the csv module when a message first asks.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any, overload

import numpy as np
import numpy.typing as npt

from servicebp.observed._files import csv_header
from servicebp.observed._tables import CsvTable, read_csv

__all__ = ["PY_WHITESPACE", "ArrowColumns", "FileLines", "arrow_cells", "read_text_table"]

#: The characters :meth:`str.strip` strips (``str.isspace``), for pyarrow's trim.
PY_WHITESPACE = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680"
    "\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
    "\u2028\u2029\u202f\u205f\u3000"
)


class FileLines(Sequence[int]):
    """The file line of each data row, found by the csv module on first use.

    Only messages need them, so a file read fast pays for them only when a
    check fails; *find* is the csv-module reader's own count of lines.
    """

    def __init__(self, find: Callable[[], Sequence[int]], rows: int) -> None:
        self._find = find
        self._rows = rows
        self._lines: Sequence[int] | None = None

    def _found(self) -> Sequence[int]:
        if self._lines is None:
            self._lines = self._find()
        return self._lines

    @overload
    def __getitem__(self, i: int) -> int: ...
    @overload
    def __getitem__(self, i: slice) -> Sequence[int]: ...
    def __getitem__(self, i: int | slice) -> int | Sequence[int]:
        return self._found()[i]

    def __len__(self) -> int:
        return self._rows

    def __iter__(self) -> Iterator[int]:
        return iter(self._found())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Sequence):
            return list(self) == list(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]


class ArrowColumns(Mapping[str, npt.NDArray[np.object_]]):
    """Columns of text cells held by pyarrow, each turned into a numpy array when read.

    Python strings take several times the memory of pyarrow's; a reader
    asks for the few columns it needs.
    """

    def __init__(self, columns: dict[str, Any]) -> None:
        self._columns = columns

    def __getitem__(self, name: str) -> npt.NDArray[np.object_]:
        column = self._columns[name]
        return np.asarray(column.to_numpy(zero_copy_only=False), dtype=object)

    def __iter__(self) -> Iterator[str]:
        return iter(self._columns)

    def __len__(self) -> int:
        return len(self._columns)


def read_text_table(path: str | os.PathLike[str], *, skip_blank_rows: bool = False) -> CsvTable:
    """The cells of :func:`read_csv`, read by pyarrow when it is installed and sure of them.

    pyarrow reads every column as text, so the cells are the csv module's;
    each row's file line is found by the csv module only when a message asks
    for it. Whatever pyarrow declines (a ragged row, text that is not
    UTF-8, …) :func:`read_csv` reads, and names the line.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "r.csv"
    >>> _ = p.write_text("step, rating\\nask,007\\n\\npay, -1\\n", encoding="utf-8")
    >>> t = read_text_table(p)
    >>> list(t.columns["rating"]), list(t.lines)
    (['007', '-1'], [2, 4])
    """
    name = os.fspath(path)
    found = arrow_cells(path, csv_header(path), skip_blank_rows=skip_blank_rows)
    if found is None:
        return read_csv(path, skip_blank_rows=skip_blank_rows)
    header, columns, rows = found
    lines = FileLines(lambda: read_csv(path, skip_blank_rows=skip_blank_rows).lines, rows)
    return CsvTable(file=name, header=tuple(header), columns=columns, lines=lines)


def arrow_cells(
    path: str | os.PathLike[str], header: Sequence[str] | None, *, skip_blank_rows: bool
) -> tuple[list[str], ArrowColumns, int] | None:
    """The stripped header, the stripped cells by column and the row count, or None.

    *header* is the first row as the csv module reads it; None, an empty or
    all-blank header, duplicate names, a ragged row, text that is not UTF-8
    or no data row at all decline (the csv-module reader says what is wrong).
    """
    if not header or not any(cell.strip() for cell in header):
        return None
    names = [cell.strip() for cell in header]
    if len(set(names)) != len(names) or importlib.util.find_spec("pyarrow") is None:
        return None
    table = _read(path, len(header))
    if table is None or table.num_rows < 2:
        return None
    return _cells(table, header, names, skip_blank_rows=skip_blank_rows)


def _read(path: str | os.PathLike[str], width: int) -> Any:
    # Imported by name: pyarrow has no type stubs.
    pa = importlib.import_module("pyarrow")
    pacsv = importlib.import_module("pyarrow.csv")

    generated = [f"f{i}" for i in range(width)]
    try:
        return pacsv.read_csv(
            os.fspath(path),
            read_options=pacsv.ReadOptions(column_names=generated, encoding="utf8"),
            parse_options=pacsv.ParseOptions(newlines_in_values=True, ignore_empty_lines=True),
            convert_options=pacsv.ConvertOptions(
                column_types=dict.fromkeys(generated, pa.string()),
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except (pa.ArrowException, OSError, ValueError):
        return None


def _cells(
    table: Any, header: Sequence[str], names: list[str], *, skip_blank_rows: bool
) -> tuple[list[str], ArrowColumns, int] | None:
    pc = importlib.import_module("pyarrow.compute")

    # pyarrow read the header as a data row: it must be the csv module's.
    if [str(column[0]) for column in table.itercolumns()] != list(header):
        return None
    table = table.slice(1)
    trimmed = [pc.utf8_trim(column, characters=PY_WHITESPACE) for column in table.itercolumns()]
    blank = None
    if skip_blank_rows or len(trimmed) == 1:
        # The csv module's reader skips a lone blank cell as a blank line.
        for column in trimmed:
            empty = pc.equal(pc.utf8_length(column), 0)
            blank = empty if blank is None else pc.and_(blank, empty)
    if blank is not None and pc.any(blank).as_py():
        keep = pc.invert(blank)
        trimmed = [pc.filter(column, keep) for column in trimmed]
    rows = len(trimmed[0])
    if rows == 0:
        return None
    return names, ArrowColumns(dict(zip(names, trimmed, strict=True))), rows
