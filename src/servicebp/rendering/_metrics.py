"""Text measured with the font the pictures name: DejaVu Sans.

Blueprints name the font stack :data:`FONT` (DejaVu Sans, then Verdana, whose
widths are within a few per cent of it, then any sans-serif). Text is laid
out with DejaVu Sans's advance widths (shipped in :mod:`._metrics_table`, so
no font file is needed at run time) times :data:`SAFETY`, so that a viewer
falling back to Verdana still keeps each line inside its box. Characters
outside the table: East Asian wide and full-width ones (CJK) take one em,
as in every CJK font; combining marks none; anything else 0.7 em, wider than
most letters of DejaVu Sans.
"""

from __future__ import annotations

import functools
import unicodedata
from typing import Final

from servicebp.rendering._metrics_table import ASCENT, DESCENT, WIDTHS

__all__ = ["FONT", "SAFETY", "ascent", "descent", "text_width", "wrap"]

#: The font stack every text of a picture names.
FONT: Final = "DejaVu Sans,Verdana,sans-serif"
#: Layout measures text this much wider than DejaVu Sans draws it.
SAFETY: Final = 1.07


@functools.lru_cache(maxsize=4096)
def _char_width(char: str) -> int:
    width = WIDTHS.get(ord(char))
    if width is not None:
        return width
    if unicodedata.east_asian_width(char) in ("W", "F"):
        return 1000
    if unicodedata.combining(char) or unicodedata.category(char) in ("Mn", "Me", "Cf"):
        return 0
    return 700


def text_width(text: str, size: float) -> float:
    """Return the width of one line of *text* in DejaVu Sans at *size* points.

    Examples
    --------
    >>> text_width("Hi", 10), text_width("开户", 10)
    (10.3, 20.0)
    """
    return round(sum(_char_width(char) for char in text) * size / 1000, 2)


def ascent(size: float) -> float:
    """Return how far DejaVu Sans rises above the baseline at *size* points."""
    return ASCENT * size / 1000


def descent(size: float) -> float:
    """Return how far DejaVu Sans drops below the baseline at *size* points."""
    return DESCENT * size / 1000


def _fits(text: str, size: float, width: float) -> bool:
    return text_width(text, size) * SAFETY <= width


def _break_word(word: str, size: float, width: float) -> list[str]:
    """Split a word wider than *width* between characters (CJK text has no spaces)."""
    pieces: list[str] = []
    current = ""
    for char in word:
        if current and not _fits(current + char, size, width):
            pieces.append(current)
            current = char
        else:
            current += char
    pieces.append(current)
    return pieces


def wrap(text: str, size: float, width: float) -> list[str]:
    """Break *text* into lines no wider than *width* points at *size* points.

    Lines break at spaces; a word too wide for a line breaks between its
    characters. The text's own line breaks are kept.

    Examples
    --------
    >>> wrap("Checks in the bag at the desk", 10, 90)
    ['Checks in the', 'bag at the desk']
    >>> wrap("乘客在登机口等待航班", 10, 50)
    ['乘客在登', '机口等待', '航班']
    """
    lines: list[str] = []
    space = _char_width(" ") * size / 1000 * SAFETY
    for paragraph in text.splitlines() or [""]:
        current, used = "", 0.0
        for word in paragraph.split():
            wide = text_width(word, size) * SAFETY
            if current and used + space + wide <= width:
                current, used = f"{current} {word}", used + space + wide
                continue
            if current:
                lines.append(current)
            if wide <= width:
                current, used = word, wide
            else:
                *done, current = _break_word(word, size, width)
                lines.extend(done)
                used = text_width(current, size) * SAFETY
        lines.append(current)
    return lines
