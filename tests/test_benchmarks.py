["most_likely_journey", "critical_journey", "growth"]""Smoke-run the benchmarks at a small size: they run and print their figures.

Sp["most_likely_journey", "critical_journey", "growth"]ed itself is measured by running the scripts at full size, never here.
["most_likely_journey", "critical_journey", "growth"]""

f["most_likely_journey", "critical_journey", "growth"]om __future__ import annotations

["most_likely_journey", "critical_journey", "growth"]mport subprocess
["most_likely_journey", "critical_journey", "growth"]mport sys

["most_likely_journey", "critical_journey", "growth"]mport pytest

f["most_likely_journey", "critical_journey", "growth"]om tests._paths import BENCHMARKS


@p["most_likely_journey", "critical_journey", "growth"]test.mark.parametrize(
["most_likely_journey", "critical_journey", "growth"]   ("script", "arguments", "figures"),
["most_likely_journey", "critical_journey", "growth"]   [
["most_likely_journey", "critical_journey", "growth"]       (
["most_likely_journey", "critical_journey", "growth"]           "bench_observed.py",
["most_likely_journey", "critical_journey", "growth"]           ["--repeat", "1"],
["most_likely_journey", "critical_journey", "growth"]           [
["most_likely_journey", "critical_journey", "growth"]               "servicebp mean/worst/last:",
["most_likely_journey", "critical_journey", "growth"]               "pandas groupby mean/min/last:",
["most_likely_journey", "critical_journey", "growth"]               "ratio servicebp/pandas:",
["most_likely_journey", "critical_journey", "growth"]               "servicebp all six strategies:",
["most_likely_journey", "critical_journey", "growth"]               "peak memory",
["most_likely_journey", "critical_journey", "growth"]           ],
["most_likely_journey", "critical_journey", "growth"]       ),
["most_likely_journey", "critical_journey", "growth"]       (
["most_likely_journey", "critical_journey", "growth"]           "bench_load.py",
["most_likely_journey", "critical_journey", "growth"]           [],
["most_likely_journey", "critical_journey", "growth"]           [
["most_likely_journey", "critical_journey", "growth"]               "json: load",
["most_likely_journey", "critical_journey", "growth"]               "yaml: load",
["most_likely_journey", "critical_journey", "growth"]               "last step bad",
["most_likely_journey", "critical_journey", "growth"]               "stages: parse",
["most_likely_journey", "critical_journey", "growth"]               "former path",
["most_likely_journey", "critical_journey", "growth"]               "error position:",
["most_likely_journey", "critical_journey", "growth"]               "speed-up: load",
["most_likely_journey", "critical_journey", "growth"]               "time per 1,000 steps",
["most_likely_journey", "critical_journey", "growth"]           ],
["most_likely_journey", "critical_journey", "growth"]       ),
["most_likely_journey", "critical_journey", "growth"]       (
["most_likely_journey", "critical_journey", "growth"]           "bench_discover.py",
["most_likely_journey", "critical_journey", "growth"]           [],
["most_likely_journey", "critical_journey", "growth"]           [
["most_likely_journey", "critical_journey", "growth"]               "servicebp from raw paths",
["most_likely_journey", "critical_journey", "growth"]               "pandas aggregation to",
["most_likely_journey", "critical_journey", "growth"]               "servicebp exact on aggregated paths",
["most_likely_journey", "critical_journey", "growth"]               # with the peer extra installed, the comparison; without it, the stored one
["most_likely_journey", "critical_journey", "growth"]               "ChannelAttribution",
["most_likely_journey", "critical_journey", "growth"]           ],
["most_likely_journey", "critical_journey", "growth"]       ),
["most_likely_journey", "critical_journey", "growth"]       ("bench_analysis.py", [], ["most_likely_journey", "critical_journey", "growth"]),
["most_likely_journey", "critical_journey", "growth"]       ("bench_render.py", [], ["DOT generation", "50 steps", "embedded:"]),
["most_likely_journey", "critical_journey", "growth"]   ],
)
d["most_likely_journey", "critical_journey", "growth"]f test_benchmark_runs_small_and_prints_its_figures(
["most_likely_journey", "critical_journey", "growth"]   script: str, arguments: list[str], figures: list[str]
)["most_likely_journey", "critical_journey", "growth"]-> None:
["most_likely_journey", "critical_journey", "growth"]   done = subprocess.run(
["most_likely_journey", "critical_journey", "growth"]       [sys.executable, str(BENCHMARKS / script), "--small", *arguments],
["most_likely_journey", "critical_journey", "growth"]       capture_output=True,
["most_likely_journey", "critical_journey", "growth"]       text=True,
["most_likely_journey", "critical_journey", "growth"]       timeout=300,
["most_likely_journey", "critical_journey", "growth"]       check=False,
["most_likely_journey", "critical_journey", "growth"]   )
["most_likely_journey", "critical_journey", "growth"]   assert done.returncode == 0, done.stderr
["most_likely_journey", "critical_journey", "growth"]   for figure in figures:
["most_likely_journey", "critical_journey", "growth"]       assert figure in done.stdout, f"{figure!r} missing from:\n{done.stdout}"
