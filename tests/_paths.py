"""Where the tests find the repository's files, wherever the test module sits."""

from __future__ import annotations

from pathlib import Path

__all__ = ["BANK", "BENCHMARKS", "DATA", "DOCS", "EXAMPLES", "GOLDEN", "ROOT"]

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
DOCS = ROOT / "docs"
BENCHMARKS = ROOT / "benchmarks"
BANK = EXAMPLES / "bank_account_opening.yaml"
GOLDEN = ROOT / "tests" / "golden"
DATA = ROOT / "tests" / "data"
