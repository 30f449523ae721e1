"""Write src/servicebp/rendering/_metrics_table.py: DejaVu Sans advance widths.

Run from the repository root with fonttools and the DejaVu fonts installed
(``pip install fonttools``; ``apt-get install fonts-dejavu-core``)::

    python tests/data/make_font_metrics.py /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf

Neither is needed at run time: the table is shipped with the package.
"""

from __future__ import annotations

import sys
from pathlib import Path

from fontTools.ttLib import TTFont

RANGES = [(0x20, 0x250), (0x370, 0x530), (0x2000, 0x2070), (0x2190, 0x2200), (0x2212, 0x2213)]


def main() -> None:
    font = TTFont(sys.argv[1])
    units = font["head"].unitsPerEm
    cmap = font.getBestCmap()
    metrics = font["hmtx"].metrics
    rows = []
    for start, stop in RANGES:
        for code in range(start, stop):
            if code in cmap:
                rows.append((code, round(metrics[cmap[code]][0] * 1000 / units)))
    ascent = round(font["hhea"].ascent * 1000 / units)
    descent = round(-font["hhea"].descent * 1000 / units)
    lines = [
        '"""Advance widths of DejaVu Sans, in thousandths of an em (generated file).',
        "",
        "Written by tests/data/make_font_metrics.py from DejaVuSans.ttf (fonts-dejavu-core);",
        "do not edit by hand.",
        '"""',
        "",
        "from typing import Final",
        "",
        '__all__ = ["ASCENT", "DESCENT", "WIDTHS"]',
        "",
        f"ASCENT: Final = {ascent}",
        f"DESCENT: Final = {descent}",
        "WIDTHS: Final[dict[int, int]] = {",
    ]
    line = "   "
    for code, width in rows:
        item = f" {code}: {width},"
        if len(line) + len(item) > 99:
            lines.append(line)
            line = "   "
        line += item
    lines.extend([line, "}", ""])
    out = Path("src/servicebp/rendering/_metrics_table.py")
    out.write_text("\n".join(lines), encoding="utf-8")
    print(f"wrote {len(rows)} widths to {out}")


if __name__ == "__main__":
    main()
