"""Benchmark: key drivers with missing ratings, relative weights, and conformance at scale.

    python benchmarks/bench_drivers.py              # 100,000 and 1,000,000 journeys
    python benchmarks/bench_drivers.py --small      # 5,000 journeys: a smoke test
    python benchmarks/bench_drivers.py --bootstrap  # only the 1M-journey bootstrap

Key drivers: 20 steps, ratings sharing a halo, 20 % blank at random. The
baseline in the same run is one least-squares fit (numpy ``lstsq``, and
statsmodels' OLS when installed) on the journeys that rated every step —
what listwise deletion would do (with 20 % of cells blank, about 1 % of the
journeys). Target: relative weights on 20 steps × 100,000 journeys in under
2 s without the bootstrap. Conformance: journeys of three customer steps and
two frontstage steps through a small blueprint, with a share of them off the
design. Each time is the best of three calls.

The bootstrap: key drivers with 1,000 resamples at 1,000,000 journeys, 20 %
of the ratings blank (target < 30 s, issues 16 and 17), against a bootstrap
by refitting (numpy ``lstsq`` on each resample) timed on a few resamples in
the same run and scaled to 1,000.
"""

from __future__ import annotations

import argparse
import importlib.util
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from servicebp import Blueprint, Step, conformance, key_drivers

SEED = 2024


def ratings(n: int, steps: int = 20, seed: int = SEED) -> tuple[dict[str, Any], Any, Any]:
    """Seeded ratings of *steps* steps (20 % blank) and an outcome driven by three of them."""
    rng = np.random.default_rng(seed)
    halo = rng.normal(size=n)
    complete = 0.7 * halo[:, None] + rng.normal(size=(n, steps))
    truth = np.zeros(steps)
    truth[[0, 3, 7]] = [0.6, 0.4, 0.3]
    outcome = complete @ truth + rng.normal(size=n)
    blanked = np.where(rng.random((n, steps)) < 0.2, np.nan, complete)
    return {f"s{k:02}": blanked[:, k] for k in range(steps)}, outcome, blanked


def best(run: Callable[[], Any], repeat: int = 3) -> tuple[float, Any]:
    seconds, result = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        result = run()
        seconds = min(seconds, time.perf_counter() - start)
    return seconds, result


def bench_drivers(n: int) -> None:
    table, outcome, matrix = ratings(n)
    print(f"key drivers: {n:,} journeys x 20 steps, 20 % of ratings blank (seed {SEED})")
    for method in ("regression", "relative_weights", "lmg"):
        if method == "lmg" and n > 100_000:
            continue
        subset = table if method != "lmg" else {k: table[k] for k in list(table)[:12]}
        seconds, found = best(
            lambda m=method, t=subset: key_drivers(t, outcome, method=m, resamples=0)
        )
        top = ", ".join(d.step for d in found[:3])
        steps = len(subset)
        print(f"  {method:17} ({steps} steps, no bootstrap): {seconds:.3f} s; top 3: {top}")
    complete = np.isfinite(matrix).all(axis=1)
    x = np.column_stack([np.ones(int(complete.sum())), matrix[complete]])
    seconds, _ = best(lambda: np.linalg.lstsq(x, outcome[complete], rcond=None))
    print(
        f"  baseline numpy lstsq on the {int(complete.sum()):,} complete journeys: {seconds:.3f} s"
    )
    full = np.column_stack([np.ones(n), np.nan_to_num(matrix)])
    seconds, _ = best(lambda: np.linalg.lstsq(full, outcome, rcond=None))
    print(f"  baseline numpy lstsq on all {n:,} journeys (blanks as 0): {seconds:.3f} s")
    if importlib.util.find_spec("statsmodels") is not None:
        import statsmodels.api as sm

        seconds, _ = best(lambda: sm.OLS(outcome[complete], x).fit())
        print(f"  baseline statsmodels OLS on the complete journeys: {seconds:.3f} s")
    resamples = 20
    seconds, _ = best(lambda: key_drivers(table, outcome, resamples=resamples, seed=1), repeat=1)
    print(f"  regression with {resamples} bootstrap resamples: {seconds:.3f} s")


def bench_bootstrap(n: int, resamples: int) -> None:
    """The key-driver bootstrap with blanks (issue 16/17 target: 1,000 resamples at 1M < 30 s)."""
    table, outcome, matrix = ratings(n)
    print(f"key-driver bootstrap: {n:,} journeys x 20 steps, 20 % of ratings blank")
    seconds, found = best(
        lambda: key_drivers(table, outcome, resamples=resamples, seed=1), repeat=1
    )
    widest = max(d.ci_high - d.ci_low for d in found if d.ci_low is not None)
    print(
        f"  regression with {resamples:,} bootstrap resamples: {seconds:.1f} s "
        f"(target at 1,000,000 journeys and 1,000 resamples: < 30 s); widest interval {widest:.4f}"
    )
    # Baseline in the same run: a bootstrap by refitting, numpy lstsq on each resample
    # of all journeys (blanks as 0), timed on a few resamples and scaled up.
    rng = np.random.default_rng(1)
    full = np.column_stack([np.ones(n), np.nan_to_num(matrix)])
    few = 3

    def refits() -> None:
        for _ in range(few):
            pick = rng.integers(0, n, n)
            np.linalg.lstsq(full[pick], outcome[pick], rcond=None)

    each, _ = best(refits, repeat=1)
    print(
        f"  baseline numpy lstsq refit per resample: {each / few:.3f} s each, "
        f"{each / few * resamples:.1f} s for {resamples:,} (scaled from {few})"
    )


def bench_conformance(n: int) -> None:
    bp = Blueprint("Desk", stages=["s"])
    for sid, lane in [("arrive", "customer"), ("queue", "customer"), ("served", "customer"),
                      ("greet", "frontstage"), ("serve", "frontstage")]:  # fmt: skip
        bp.add_step(Step(id=sid, label=sid, lane=lane, stage="s"))
    bp.connect("arrive", "queue")
    bp.connect("queue", "served")
    bp.connect("greet", "serve")
    bp.connect("arrive", "greet", kind="support")
    rng = np.random.default_rng(SEED)
    steps = np.array(["arrive", "greet", "queue", "serve", "served"])
    per_case = np.tile(np.arange(5), n)
    skip = rng.random(n) < 0.1  # a tenth skip the queue
    keep = ~(np.repeat(skip, 5) & (per_case == 2))
    log = {
        "case:concept:name": np.repeat(np.arange(n), 5)[keep],
        "concept:name": steps[per_case][keep],
        "time:timestamp": (per_case * 3.0 + rng.random(5 * n))[keep],
    }
    events = int(keep.sum())
    seconds, result = best(lambda: conformance(bp, log), repeat=2)
    print(
        f"conformance: {n:,} journeys, {events:,} events: {seconds:.3f} s; "
        f"fitness {result.fitness:.4f}, precision {result.precision:.3f}, "
        f"{len(result.deviations):,} journeys off the design"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", action="store_true", help="5,000 journeys (smoke test)")
    parser.add_argument("--bootstrap", action="store_true", help="only the 1M bootstrap")
    args = parser.parse_args()
    if args.small:
        bench_drivers(5_000)
        bench_bootstrap(5_000, 100)
        bench_conformance(5_000)
        return
    if args.bootstrap:
        bench_bootstrap(1_000_000, 1_000)
        return
    bench_drivers(100_000)
    bench_drivers(1_000_000)
    bench_bootstrap(1_000_000, 1_000)
    bench_conformance(1_000_000)


if __name__ == "__main__":
    main()
