"""Write examples/*.yaml from the tutorials' first blueprint figures.

Run from the repository root: ``python tests/data/make_tutorial_examples.py``.
tests/test_layout_check.py checks that each file still holds its tutorial's
blueprint, so the pictures the docs show are the ones the layout check sees.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests._tutorials import EXAMPLES, FIGURES, blueprint_of_figure

import servicebp

for name, (page, expression) in FIGURES.items():
    bp = blueprint_of_figure(page, expression)
    servicebp.save(bp, EXAMPLES / name)
    print(f"wrote {EXAMPLES / name}: {bp!r}")
