"""Plain-text tables, JSON and CSV for the commands' output.

User text (ids and labels from files) is shown through :func:`printable`,
so a control character in it is printed as an escape, never sent to the
terminal; :func:`terminal_text` escapes whatever is left over in a whole
output (a bidi override in a file name), :func:`json_text` writes JSON
without NaN or infinities, and :func:`csv_text` neutralises cells a
spreadsheet would run as formulas.
"""

from __future__ import annotations

import csv
import io
import json
import math
import unicodedata
from collections.abc import Sequence
from typing import Any

from servicebp._csv_cells import neutralise_cell, restore_cell

__all__ = [
    "csv_text",
    "json_text",
    "neutralise_cell",
    "printable",
    "restore_cell",
    "score_cell",
    "signed",
    "table",
    "terminal_text",
]


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


def _escape(char: str) -> str:
    # \uXXXX (UTF-16 units): readable, and the same escape in JSON output.
    data16 = char.encode("utf-16-be", "surrogatepass")
    return "".join(
        f"\\u{int.from_bytes(data16[i : i + 2], 'big'):04x}" for i in range(0, len(data16), 2)
    )


def terminal_text(text: str, encoding: str | None = None) -> str:
    r"""Return *text* safe to print: no character a terminal acts on, encodable in *encoding*.

    Line breaks and tabs stay; every other control, format (bidi override,
    zero-width) or separator character is written ``\uXXXX``, and so is any
    character *encoding* cannot hold (a latin-1 terminal shows ``\u5f00``
    for 开 instead of crashing).

    Examples
    --------
    >>> print(terminal_text("ok: a\u202eb.yaml\x07"))
    ok: a\u202eb.yaml\u0007
    >>> print(terminal_text("开户 café", "latin-1"))
    \u5f00\u6237 café
    """
    if not text.isprintable():
        text = "".join(
            c if c.isprintable() or c in "\n\t" or unicodedata.category(c) == "Zs" else _escape(c)
            for c in text
        )
    if encoding:
        try:
            text.encode(encoding)
        except UnicodeEncodeError:
            text = "".join(c if _encodable(c, encoding) else _escape(c) for c in text)
        except LookupError:
            pass
    return text


def _encodable(char: str, encoding: str) -> bool:
    try:
        char.encode(encoding)
    except UnicodeEncodeError:
        return False
    return True


def _finite(value: Any) -> Any:
    """*value* with every NaN and infinity replaced by None, without recursion."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if not isinstance(value, dict | list | tuple):
        return value
    root: list[Any] = [None]
    pending: list[tuple[Any, Any, Any]] = [(root, 0, value)]
    while pending:
        parent, key, item = pending.pop()
        if isinstance(item, float) and not math.isfinite(item):
            parent[key] = None
        elif isinstance(item, dict):
            copy: Any = dict(item)
            parent[key] = copy
            pending.extend((copy, k, v) for k, v in item.items())
        elif isinstance(item, list | tuple):
            copy = list(item)
            parent[key] = copy
            pending.extend((copy, i, v) for i, v in enumerate(item))
        else:
            parent[key] = item
    return root[0]


def json_text(data: object, *, indent: int | None = 2) -> str:
    """JSON for output: a NaN or an infinity (not JSON) is written ``null``.

    Examples
    --------
    >>> json_text({"risk": float("inf"), "steps": [1.5, float("nan")]}, indent=None)
    '{"risk": null, "steps": [1.5, null]}'
    """
    return json.dumps(_finite(data), ensure_ascii=False, indent=indent, allow_nan=False)


def signed(value: float | None) -> str:
    return "" if value is None else f"{value:+.2f}"


def score_cell(value: float | None, strategy: str) -> str:
    """A journey score as text: signed on −3…+3, a plain share for a ``"share"`` strategy.

    Examples
    --------
    >>> score_cell(0.5, "mean"), score_cell(0.5, "share_positive")
    ('+0.50', '0.50')
    """
    from servicebp.scoring import get_strategy

    if value is None or get_strategy(strategy).is_rating:
        return signed(value)
    return f"{value:.2f}"


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
    """CSV text of *rows*, each text cell passed through :func:`neutralise_cell`."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerows([neutralise_cell(cell) for cell in row] for row in rows)
    return buffer.getvalue()
