"""Smoke-run the benchmarks at a small size: they run and print their figures.

Speed itself is measured by running the scripts at full size, never here.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"


def test_bench_observed_small_prints_its_figures() -> None:
    done = subprocess.run(
        [sys.executable, str(BENCHMARKS / "bench_observed.py"), "--small", "--repeat", "1"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    for figure in (
        "servicebp mean/worst/last:",
        "pandas groupby mean/min/last:",
        "ratio servicebp/pandas:",
        "servicebp all six strategies:",
        "peak memory",
    ):
        assert figure in done.stdout


def test_bench_load_small_prints_its_figures() -> None:
    done = subprocess.run(
        [sys.executable, str(BENCHMARKS / "bench_load.py"), "--small"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    for figure in (
        "json: load",
        "yaml: load",
        "last step bad",
        "stages: parse",
        "former path",
        "error position:",
        "speed-up: load",
        "time per 1,000 steps",
    ):
        assert figure in done.stdout
