"""The shipped DejaVu Sans widths, read back from the rows they are stored in."""

from __future__ import annotations

from servicebp.rendering._metrics import text_width
from servicebp.rendering._metrics_table import WIDTHS


def test_the_table_holds_the_fonts_widths_at_their_code_points() -> None:
    # Values read from DejaVuSans.ttf with fontTools (hmtx advance * 1000 / unitsPerEm):
    # the first and last cell of each block, a zero width and a mid-row one.
    assert WIDTHS[0x20] == 318  # first cell of the Latin block
    assert WIDTHS[ord("A")] == 684
    assert WIDTHS[ord("W")] == 989
    assert WIDTHS[0x24F] == 592  # last cell of the Latin block
    assert WIDTHS[0x3A9] == 764  # Ω
    assert WIDTHS[0x416] == 1077  # Ж
    assert WIDTHS[0x525] == 683  # last glyph of the Cyrillic Supplement
    assert WIDTHS[0x200B] == 0  # zero width space: a width of 0, not a missing glyph
    assert WIDTHS[0x21FF] == 838
    assert WIDTHS[0x2212] == 838  # the one-cell block


def test_code_points_without_a_glyph_are_not_in_the_table() -> None:
    # DEL, the C1 controls and the unassigned end of Cyrillic Supplement have no glyph,
    # so text_width falls back to 0.7 em for them.
    assert not {0x7F, 0x80, 0x9F, 0x378, 0x52F, 0x2065} & WIDTHS.keys()
    assert len(WIDTHS) == 1176
    assert text_width("\x7f", 10) == 7.0
