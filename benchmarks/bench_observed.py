"""Benchmark: scoring observed journeys in bulk, against pandas, polars and DuckDB peers.

Generates 1,000,000 journeys with 10,000,000 events over a 40-step blueprint
(seeded), in time order with the journeys interleaved as they come out of a
log, then in the same run times

* ``score_observed`` with mean / worst / last,
* the shortest honest peers computing the same three figures per journey from
  the same arrays: a pandas ``groupby``, a polars ``group_by`` and a DuckDB
  SQL ``GROUP BY`` (each frame is built before the clock starts, which
  favours the peers), and a numpy one-pass over arrays presorted by journey
  (the sort not timed: the floor no general code reaches),
* ``score_observed`` with all six built-in strategies,

and prints the times, the ratios of servicebp to each and the peak memory.
Every time is the best of ``--repeat`` runs. Targets (2-core machine): at
most as slow as DuckDB (ratio <= 1.0), all six under 0.5 s, peak memory
under 2 GB.

Run from the repository root::

    python benchmarks/bench_observed.py            # the full size
    python benchmarks/bench_observed.py --small    # 10,000 journeys, a smoke run
"""

from __future__ import annotations

import argparse
import itertools
import resource
import sys
import time
import tracemalloc
from collections.abc import Callable
from typing import Any

import duckdb
import numpy as np
import pandas as pd
import polars as pl

from servicebp import Blueprint, MomentOfTruth, Step, score_observed

BUILTIN = ["mean", "weighted", "worst", "last", "peak_end", "moment_floor"]
STEPS = 40


def blueprint() -> tuple[Blueprint, list[str]]:
    """A 40-step blueprint in 8 stages; every fifth step is a moment of truth."""
    bp = Blueprint("Benchmark", stages=[f"stage{k}" for k in range(8)])
    ids = [f"s{k:02d}" for k in range(STEPS)]
    for k, sid in enumerate(ids):
        moment = MomentOfTruth(kind="usage", weight=1 + k % 3) if k % 5 == 0 else None
        bp.add_step(
            Step(id=sid, label=sid, lane="customer", stage=f"stage{k * 8 // STEPS}", moment=moment)
        )
    for a, b in itertools.pairwise(ids):
        bp.connect(a, b)
    return bp, ids


def events(journeys: int, total: int, seed: int = 20240501) -> dict[str, np.ndarray]:
    """*total* events of *journeys* journeys, time-ordered with journeys interleaved."""
    rng = np.random.default_rng(seed)
    lengths = rng.integers(5, 16, journeys)
    diff = total - int(lengths.sum())
    while diff:
        pick = rng.integers(0, journeys, abs(diff))
        np.add.at(lengths, pick, np.sign(diff))
        lengths = np.maximum(lengths, 1)
        diff = total - int(lengths.sum())
    journey = np.repeat(np.arange(journeys, dtype=np.int64), lengths)
    starts = rng.uniform(0, 30 * 86_400_000, journeys)  # a month, in milliseconds
    gaps = rng.exponential(60_000, total)
    within = np.cumsum(gaps)
    first = np.cumsum(lengths) - lengths
    within -= np.repeat(within[first] - gaps[first], lengths)
    timestamp = (starts[journey] + within).astype(np.int64)
    log_order = np.argsort(timestamp, kind="stable")
    rating_levels = np.arange(-3, 4, dtype=np.float64)
    rating = rng.choice(rating_levels, total, p=[0.03, 0.05, 0.12, 0.3, 0.3, 0.15, 0.05])
    step = rng.integers(0, STEPS, total).astype(np.int16)
    return {
        "journey": journey[log_order],
        "step": step,
        "timestamp": timestamp[log_order],
        "rating": rating,
    }


def best_of(repeat: int, run: Callable[[], Any]) -> tuple[float, Any]:
    best = float("inf")
    result = None
    for _ in range(repeat):
        start = time.perf_counter()
        result = run()
        best = min(best, time.perf_counter() - start)
    return best, result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", action="store_true", help="10,000 journeys, 100,000 events")
    parser.add_argument("--repeat", type=int, default=3, help="best of this many runs")
    args = parser.parse_args(argv)
    journeys, total = (10_000, 100_000) if args.small else (1_000_000, 10_000_000)

    bp, ids = blueprint()
    table = events(journeys, total)
    print(
        f"events: {total:,}  journeys: {journeys:,}  steps: {STEPS}  numpy {np.__version__}  "
        f"pandas {pd.__version__}"
    )

    def ours(strategies: list[str]) -> Any:
        return score_observed(bp, table, strategies=strategies, step_categories=ids)

    t_ours, mwl = best_of(args.repeat, lambda: ours(["mean", "worst", "last"]))

    frame = pd.DataFrame({"journey": table["journey"], "rating": table["rating"]})
    t_pandas, baseline = best_of(
        args.repeat, lambda: frame.groupby("journey")["rating"].agg(["mean", "min", "last"])
    )
    for ours_name, theirs in (("mean", "mean"), ("worst", "min"), ("last", "last")):
        if not np.allclose(mwl[ours_name], baseline[theirs].to_numpy(), rtol=0, atol=1e-12):
            print(f"MISMATCH with pandas in {ours_name}", file=sys.stderr)
            return 1
    peers = {"pandas groupby": t_pandas}
    polars_frame = pl.DataFrame({"journey": table["journey"], "rating": table["rating"]})
    peers["polars group_by"], _ = best_of(
        args.repeat,
        lambda: polars_frame.group_by("journey").agg(
            pl.col("rating").mean().alias("mean"),
            pl.col("rating").min().alias("min"),
            pl.col("rating").last().alias("last"),
        ),
    )
    connection = duckdb.connect()
    connection.register(
        "events",
        pl.DataFrame(
            {"journey": table["journey"], "t": table["timestamp"], "rating": table["rating"]}
        ).to_arrow(),
    )
    peers["DuckDB GROUP BY"], _ = best_of(
        args.repeat,
        lambda: connection.sql(
            "SELECT journey, avg(rating), min(rating), arg_max(rating, t) "
            "FROM events GROUP BY journey"
        ).fetchnumpy(),
    )
    by_journey = np.argsort(table["journey"], kind="stable")
    sorted_journey, sorted_rating = table["journey"][by_journey], table["rating"][by_journey]

    def one_pass() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        starts = np.flatnonzero(np.r_[True, sorted_journey[1:] != sorted_journey[:-1]])
        counts = np.diff(np.r_[starts, len(sorted_journey)])
        mean = np.add.reduceat(sorted_rating, starts) / counts
        return mean, np.minimum.reduceat(sorted_rating, starts), sorted_rating[starts + counts - 1]

    peers["numpy one-pass, presorted"], floor = best_of(args.repeat, one_pass)
    if not np.array_equal(floor[2], mwl["last"]):
        print("MISMATCH with the presorted one-pass in last", file=sys.stderr)
        return 1

    t_six, _ = best_of(args.repeat, lambda: ours(BUILTIN))

    tracemalloc.start()
    tracemalloc.reset_peak()
    ours(BUILTIN)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    max_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # KiB on Linux

    print(f"servicebp mean/worst/last:    {t_ours:.3f} s")
    for name, seconds in peers.items():
        target = " (target <= 1.0)" if name.startswith("DuckDB") else ""
        print(f"{name + ' mean/min/last:':42} {seconds:.3f} s")
        print(f"  ratio servicebp/{name}: {t_ours / seconds:.2f}{target}")
    print(f"servicebp all six strategies: {t_six:.3f} s (target < 0.5 s)")
    print(f"peak memory, all six (tracemalloc): {peak / 2**20:.0f} MiB (target < 2048 MiB)")
    print(f"process max RSS (data, pandas and all runs): {max_rss / 2**20:.0f} MiB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
