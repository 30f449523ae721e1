"""Write src/servicebp/rendering/_metrics_table.py: DejaVu Sans advance widths.

Run from the repository root with fonttools and the DejaVu fonts installed
(``pip install fonttools``; ``apt-get install fonts-dejavu-core``)::

    python tests/data/make_font_metrics.py /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf

Neither is needed at run time: the table is shipped with the package. Each
block of code points is written as rows of 16 widths (``-`` where the font
has no glyph), so that the table stays a short module ruff format leaves as
it is; a dict literal would be formatted one entry a line.
"""

from __future__ import annotations

import sys
from pathlib import Path

from fontTools.ttLib import TTFont

#: The blocks measured: (constant, first code point, end, what it holds).
BLOCKS = [
    ("_LATIN", 0x20, 0x250, "Basic Latin to IPA Extensions"),
    ("_GREEK_CYRILLIC", 0x370, 0x530, "Greek and Coptic, Cyrillic, Cyrillic Supplement"),
    ("_PUNCTUATION", 0x2000, 0x2070, "General Punctuation"),
    ("_ARROWS", 0x2190, 0x2200, "Arrows"),
    ("_MINUS", 0x2212, 0x2213, "The minus sign"),
]
ROW = 16

HEAD = '''"""Advance widths of DejaVu Sans, in thousandths of an em (generated file).

Written by tests/data/make_font_metrics.py from DejaVuSans.ttf (fonts-dejavu-core);
do not edit by hand. Each block is rows of 16 widths, one per code point from
the block's first on, with ``-`` where the font has no glyph.
"""

from typing import Final

__all__ = ["ASCENT", "DESCENT", "WIDTHS"]

'''

TAIL = """

def _block(first: int, widths: str) -> dict[int, int]:
    return {{first + i: int(w) for i, w in enumerate(widths.split()) if w != "-"}}


WIDTHS: Final[dict[int, int]] = {{
{entries}
}}
"""


def main() -> None:
    font = TTFont(sys.argv[1])
    units = font["head"].unitsPerEm
    cmap = font.getBestCmap()
    metrics = font["hmtx"].metrics
    ascent = round(font["hhea"].ascent * 1000 / units)
    descent = round(-font["hhea"].descent * 1000 / units)
    lines = [HEAD + f"ASCENT: Final = {ascent}", f"DESCENT: Final = {descent}"]
    count = 0
    for name, start, stop, what in BLOCKS:
        cells = []
        for code in range(start, stop):
            if code in cmap:
                cells.append(str(round(metrics[cmap[code]][0] * 1000 / units)))
                count += 1
            else:
                cells.append("-")
        rows = [
            f'"{" ".join(cells[row : row + ROW])} "  # U+{start + row:04X}'
            for row in range(0, len(cells), ROW)
        ]
        lines += ["", f"#: {what}, U+{start:04X} to U+{stop - 1:04X}."]
        if len(rows) == 1:
            lines.append(f"{name}: Final = {rows[0]}")
        else:
            lines += [f"{name}: Final = (", *(f"    {row}" for row in rows), ")"]
    entries = "\n".join(f"    **_block(0x{start:04X}, {name})," for name, start, *_ in BLOCKS)
    out = Path("src/servicebp/rendering/_metrics_table.py")
    out.write_text("\n".join(lines) + "\n" + TAIL.format(entries=entries), encoding="utf-8")
    print(f"wrote {count} widths to {out}")


if __name__ == "__main__":
    main()
