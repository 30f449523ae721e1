"""Reading CSV files of observed ratings, keeping each value's file line.

Private: :mod:`servicebp.observed` builds the public readers on top of it.
Every value keeps the line it came from so that an error can say
``ratings.csv:7: column 'rating': 'x' is not a number``.
"""

from __future__ import annotations

import csv
import math
import os
from collections.abc import Iterable, Sequence

import attrs

from servicebp.errors import ObservedDataError, Problem

__all__ = ["CsvTable", "observed_error", "parse_rating", "rating_problem", "read_csv"]

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


def parse_rating(text: str) -> float | str:
    """Return *text* as a rating, or the reason it is not one.

    Examples
    --------
    >>> parse_rating("-2"), parse_rating("4"), parse_rating("x")
    (-2.0, '4.0 is outside the rating scale -3…+3', "'x' is not a number")
    """
    if not text:
        return "the rating is missing"
    try:
        value = float(text)
    except ValueError:
        return f"{text!r} is not a number"
    problem = rating_problem(value)
    return value if problem is None else problem


def rating_problem(value: float) -> str | None:
    """Return why the number *value* is not a rating on −3…+3, or None if it is one.

    Examples
    --------
    >>> rating_problem(3.0), rating_problem(-3.5), rating_problem(float("nan"))
    (None, '-3.5 is outside the rating scale -3…+3', 'NaN is not a rating (ratings run from -3 to +3)')
    """  # noqa: E501
    if math.isnan(value):
        return "NaN is not a rating (ratings run from -3 to +3)"
    if not -3.0 <= value <= 3.0:
        return f"{value!r} is outside the rating scale -3…+3"
    return None
