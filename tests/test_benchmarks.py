"""Smoke-run the benchmarks at a small size: they run and print their figures.

Speed itself is measured by running the scripts at full size, never here.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests._paths import BENCHMARKS

pytestmark = pytest.mark.benchmark


@pytest.mark.parametrize(
    ("script", "arguments", "figures"),
    [
        (
            "bench_observed.py",
            ["--repeat", "1"],
            [
                "servicebp mean/worst/last:",
                "pandas groupby mean/min/last:",
                "ratio servicebp/pandas groupby:",
                "ratio servicebp/polars group_by:",
                "ratio servicebp/DuckDB GROUP BY:",
                "ratio servicebp/numpy one-pass, presorted:",
                "servicebp all six strategies:",
                "peak memory",
            ],
        ),
        (
            "bench_load.py",
            [],
            [
                "json: load",
                "yaml: load",
                "last step bad",
                "stages: parse",
                "former path",
                "error position:",
                "speed-up: load",
                "time per 1,000 steps",
                "probability branches from one step",
                "flows to missing steps",
            ],
        ),
        (
            "bench_discover.py",
            [],
            [
                "servicebp from raw paths",
                "pandas aggregation to",
                "servicebp exact on aggregated paths",
                # with the peer extra installed, the comparison; without it, the stored one
                "ChannelAttribution",
            ],
        ),
        (
            "bench_scale.py",
            [],
            [
                "scoring, six strategies:",
                "CSV read into checked columns (read_observed):",
                "ratio servicebp (pyarrow reader)/servicebp (csv module):",
                "ratio servicebp/polars lazy:",
                "ratio DuckDB/polars lazy:",
                "removal effects:",
                "directly-follows counts:",
                "peak RSS",
            ],
        ),
        ("bench_analysis.py", [], ["most_likely_journey", "critical_journey", "growth"]),
        (
            "bench_drivers.py",
            [],
            [
                "relative_weights  (20 steps, no bootstrap):",
                "baseline numpy lstsq",
                "regression with 20 bootstrap resamples:",
                "key-driver bootstrap: 5,000 journeys",
                "regression with 100 bootstrap resamples:",
                "baseline numpy lstsq refit per resample:",
                "conformance: 5,000 journeys",
            ],
        ),
        ("bench_render.py", [], ["DOT generation", "50 steps", "embedded:"]),
        (
            "bench_large.py",
            [],
            [
                "chain: journey_scores",
                "fan-out 50: contact_counts",
                "support-heavy: repair",
                "add steps, connect each from one",
                "removal_effects, distinct touchpoints",
                "conformance, undesigned jumps",
                "render_svg of a chain, 5 s bound",
                "load average at end:",
            ],
        ),
    ],
)
def test_benchmark_runs_small_and_prints_its_figures(
    script: str, arguments: list[str], figures: list[str]
) -> None:
    done = subprocess.run(
        [sys.executable, str(BENCHMARKS / script), "--small", *arguments],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    for figure in figures:
        assert figure in done.stdout, f"{figure!r} missing from:\n{done.stdout}"
