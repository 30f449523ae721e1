"""Plain-text tables and CSV for the commands' output.

User text (ids and labels from files) is shown through :func:`printable`,
so a control character in it is printed as an escape, never sent to the
terminal.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

__all__ = ["csv_text", "printable", "signed", "table"]


def printable(text: object) -> str:
    """Return *text* with every non-printable character shown as its escape.

    Examples
    --------
    >>> print(printable("j1\\x1b]0;pwned\\x07"))
    j1\\x1b]0;pwned\\x07
    >>> printable("开户 1")
    '开户 1'
    """
    shown = str(text)
    if shown.isprintable():
        return shown
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in shown)


def signed(value: float | None) -> str:
    return "" if value is None else f"{value:+.2f}"


def table(header: Sequence[str], rows: Sequence[Sequence[str]], *, right: set[int]) -> str:
    widths = [max(len(str(cell)) for cell in column) for column in zip(header, *rows, strict=True)]
    lines = []
    for row in (header, *rows):
        cells = [
            cell.rjust(width) if i in right else cell.ljust(width)
            for i, (cell, width) in enumerate(zip(row, widths, strict=True))
        ]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)


def csv_text(rows: Sequence[Sequence[object]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerows(rows)
    return buffer.getvalue()
