"""Spreadsheet-safe CSV cells: OWASP's rule against formula injection, and its inverse.

Private leaf shared by every CSV writer (the CLI's outputs, the grid export)
and the grid reader, so that one rule neutralises and restores cells.
"""

from __future__ import annotations

__all__ = ["neutralise_cell", "restore_cell"]

#: What makes a spreadsheet read a cell as a formula (OWASP's CSV injection list).
_FORMULA_START = frozenset("=+-@\t\r")


def neutralise_cell(cell: object) -> object:
    """Prefix ``'`` to a text cell a spreadsheet would run as a formula (OWASP's rule).

    Text starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
    return gets a leading single quote, and so does text that already starts
    with quotes before one of those, so that :func:`restore_cell` undoes it
    exactly. Numbers, and text that is a plain number (``-1.5``), stay as
    they are.

    Examples
    --------
    >>> neutralise_cell("=HYPERLINK(1)"), neutralise_cell("-1.5"), neutralise_cell(-2)
    ("'=HYPERLINK(1)", '-1.5', -2)
    >>> restore_cell(neutralise_cell("'@SUM(1+9)")) == "'@SUM(1+9)"
    True
    """
    if not isinstance(cell, str) or not cell:
        return cell
    first = cell.lstrip("'")[:1]
    if first not in _FORMULA_START:
        return cell
    if cell[0] != "'" and _is_number(cell):
        return cell
    return "'" + cell


def restore_cell(cell: str) -> str:
    """Undo :func:`neutralise_cell` on a cell read back from a CSV file.

    Examples
    --------
    >>> restore_cell("'=HYPERLINK(1)"), restore_cell("'quoted"), restore_cell("''-x")
    ('=HYPERLINK(1)', "'quoted", "'-x")
    """
    if cell.startswith("'") and cell.lstrip("'")[:1] in _FORMULA_START:
        return cell[1:]
    return cell


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return text.strip() == text
