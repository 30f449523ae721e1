"""Benchmark: observed journeys end to end from Parquet files, through DuckDB, at scale.

Generates a seeded event table shaped like a real study — string journey and
step ids, timestamps, persona and channel columns, a 0/1 outcome per journey,
about nine events per journey along 400 distinct paths through a 40-step
blueprint — written to Parquet in chunks of complete journeys (10,000,000
events by default; ``--large`` for 100,000,000), then times, each figure in a
process of its own so that its peak RSS is its own:

* **scoring**: ``score_observed`` with all six strategies on the glob of
  Parquet files (DuckDB runs the per-journey group-bys, out of core, under
  ``--memory-limit``); peers: the same six figures written in polars
  (``scan_parquet``, lazy) and in pandas (``read_parquet``, 10M only);
* **removal effects**: each journey's path aggregated by a DuckDB query
  written here (``string_agg`` in time order, then the distinct paths
  counted) and finished by ``removal_effects`` (the exact chain); peer: the
  same aggregation in polars, finished the same way;
* **directly-follows counts**: consecutive events of a journey counted by a
  DuckDB query (``lag`` over the journey in time order) — what a push-down of
  ``conformance`` would run; servicebp's ``conformance`` still reads its
  columns into memory; peer: polars.

and, at 10M events, **CSV read and scored**: ``score_observed`` on one CSV
file of the same events (DuckDB's reader; and with DuckDB out of the way,
pyarrow's reader and the in-memory path) against ``polars.read_csv`` and the
polars figures; and **CSV read into checked columns**: ``read_observed``
through pyarrow's reader against the csv module's (the path without
pyarrow), next to ``polars.read_csv`` of every column as text.

Prints each time and peak RSS, and with ``--large`` the 10M → 100M ratio of
each. Targets (2 cores): 100M events < 60 s and < 8 GB RSS; linear growth.

Run from the repository root::

    python benchmarks/bench_scale.py            # 10M events
    python benchmarks/bench_scale.py --large    # 10M and 100M events
    python benchmarks/bench_scale.py --small    # 20,000 events, a smoke run
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

STEPS = [f"s{k:02d}" for k in range(40)]
PATHS = 400
CHUNK = 5_000_000
SIX = ["mean", "weighted", "worst", "last", "peak_end", "moment_floor"]


def blueprint() -> Any:
    from servicebp import Blueprint, MomentOfTruth, Step

    bp = Blueprint("Scale", stages=[f"stage{k}" for k in range(8)])
    for k, sid in enumerate(STEPS):
        moment = MomentOfTruth(kind="usage", weight=1 + k % 3) if k % 5 == 0 else None
        bp.add_step(Step(id=sid, label=sid, lane="customer", stage=f"stage{k // 5}", moment=moment))
    for a, b in itertools.pairwise(STEPS):
        bp.connect(a, b)
    return bp


def generate(folder: Path, events: int, seed: int = 20240501) -> None:
    """Write *events* events as Parquet files of complete journeys, in time order."""
    rng = np.random.default_rng(seed)
    templates = [
        np.sort(rng.choice(len(STEPS), size=int(rng.integers(4, 15)), replace=False))
        for _ in range(PATHS)
    ]
    lengths = np.array([len(t) for t in templates])
    odds = rng.uniform(0.1, 0.9, PATHS)
    written, part, first_journey = 0, 0, 0
    while written < events:
        size = min(CHUNK, events - written)
        picks = rng.integers(0, PATHS, size // 9 + 1)
        n = np.cumsum(lengths[picks])
        # Complete journeys up to the first that reaches *size* events.
        picks = picks[: int(np.searchsorted(n, size)) + 1]
        count = lengths[picks]
        total = int(count.sum())
        journey = np.repeat(np.arange(first_journey, first_journey + len(picks)), count)
        step = np.concatenate([templates[p] for p in picks])
        start = rng.integers(0, 365 * 86_400, len(picks)).astype(np.int64) * 1_000_000
        within = np.cumsum(rng.integers(1, 3_600, total)) * 1_000_000
        offsets = np.cumsum(count) - count
        within = within - np.repeat(within[offsets], count)
        stamp = np.repeat(start, count) + within
        rating = rng.choice(np.arange(-3.0, 4.0), total, p=[0.03, 0.05, 0.12, 0.3, 0.3, 0.15, 0.05])
        bought = (rng.random(len(picks)) < odds[picks]).astype(np.int64)
        by_time = np.argsort(stamp, kind="stable")
        ids = np.char.add("c", np.char.zfill(journey.astype(str), 9))
        table = pa.table(
            {
                "journey": pa.array(ids[by_time]),
                "step": pa.array(np.array(STEPS)[step][by_time]),
                "timestamp": pa.array(stamp[by_time], pa.timestamp("us")),
                "rating": pa.array(rating[by_time]),
                "persona": pa.array(np.array(["saver", "spender", "new"])[journey[by_time] % 3]),
                "channel": pa.array(np.array(["app", "web", "phone", "shop"])[step[by_time] % 4]),
                "bought": pa.array(np.repeat(bought, count)[by_time]),
            }
        )
        pq.write_table(table, folder / f"part-{part:04d}.parquet", row_group_size=1_000_000)
        written += total
        part += 1
        first_journey += len(picks)


# --- the figures, each run in a process of its own -------------------------------------


def _servicebp_scoring(glob: str, memory_limit: str) -> int:
    from servicebp import scan_events, score_observed

    result = score_observed(
        blueprint(), scan_events(glob, memory_limit=memory_limit), output="numpy"
    )
    return len(result["journey"])


def _polars_scoring(glob: str, memory_limit: str) -> int:
    import polars as pl

    return _polars_scoring_of(pl.scan_parquet(glob))


def _polars_scoring_of(events: Any) -> int:
    import polars as pl

    bp = blueprint()
    weight = {s.id: float(s.moment.weight) for s in bp.steps() if s.moment is not None}
    w = pl.col("step").replace_strict(weight, default=1.0, return_dtype=pl.Float64)
    r = pl.col("rating")
    moment = pl.col("step").is_in(list(weight))
    found = (
        events.sort("journey", "timestamp")
        .group_by("journey")
        .agg(
            r.mean().alias("mean"),
            ((r * w).sum() / w.sum()).alias("weighted"),
            r.min().alias("worst"),
            r.max().alias("best"),
            r.last().alias("last"),
            r.filter(moment).min().alias("floor"),
        )
        .with_columns(
            pl.when(-pl.col("worst") >= pl.col("best"))
            .then(pl.col("worst"))
            .otherwise(pl.col("best"))
            .add(pl.col("last"))
            .truediv(2)
            .alias("peak_end"),
            pl.col("floor").fill_null(pl.col("worst")).alias("moment_floor"),
        )
        .collect()
    )
    return found.height


def _pandas_scoring(glob: str, memory_limit: str) -> int:
    import pandas as pd

    bp = blueprint()
    weight = {s.id: float(s.moment.weight) for s in bp.steps() if s.moment is not None}
    frame = pd.concat(pd.read_parquet(p) for p in sorted(Path(glob).parent.glob("part-*")))
    frame = frame.sort_values(["journey", "timestamp"], kind="stable")
    frame["w"] = frame["step"].map(weight).fillna(1.0)
    frame["wr"] = frame["w"] * frame["rating"]
    frame["mr"] = frame["rating"].where(frame["step"].isin(list(weight)))
    g = frame.groupby("journey")
    out = g.agg(
        mean=("rating", "mean"),
        worst=("rating", "min"),
        best=("rating", "max"),
        last=("rating", "last"),
        top=("wr", "sum"),
        bottom=("w", "sum"),
        floor=("mr", "min"),
    )
    out["weighted"] = out["top"] / out["bottom"]
    peak = out["worst"].where(-out["worst"] >= out["best"], out["best"])
    out["peak_end"] = (peak + out["last"]) / 2
    out["moment_floor"] = out["floor"].fillna(out["worst"])
    return len(out)


_PATHS_SQL = """
    SELECT path, sum(bought) AS conversions, sum(1 - bought) AS nulls FROM (
        SELECT journey, string_agg(step, '>' ORDER BY timestamp) AS path, max(bought) AS bought
        FROM read_parquet(?) GROUP BY journey
    ) GROUP BY path
"""


def _servicebp_removal(glob: str, memory_limit: str) -> int:
    import duckdb

    from servicebp import removal_effects

    connection = duckdb.connect(config={"memory_limit": memory_limit})
    paths = connection.execute(_PATHS_SQL, [glob]).fetchnumpy()
    effects = removal_effects(
        [p.split(">") for p in paths["path"].tolist()],
        np.asarray(paths["conversions"], dtype=float),
        null=np.asarray(paths["nulls"], dtype=float),
    )
    return len(effects)


def _polars_removal(glob: str, memory_limit: str) -> int:
    import polars as pl

    from servicebp import removal_effects

    paths = (
        pl.scan_parquet(glob)
        .sort("journey", "timestamp")
        .group_by("journey")
        .agg(pl.col("step").str.join(">").alias("path"), pl.col("bought").max())
        .group_by("path")
        .agg(
            pl.col("bought").sum().alias("conversions"), (1 - pl.col("bought")).sum().alias("nulls")
        )
        .collect()
    )
    effects = removal_effects(
        [p.split(">") for p in paths["path"].to_list()],
        paths["conversions"].to_numpy().astype(float),
        null=paths["nulls"].to_numpy().astype(float),
    )
    return len(effects)


def _servicebp_follows(glob: str, memory_limit: str) -> int:
    import duckdb

    connection = duckdb.connect(config={"memory_limit": memory_limit})
    pairs = connection.execute(
        """SELECT source, step AS target, count(*) AS n, median(wait) FROM (
               SELECT step, lag(step) OVER w AS source,
                      epoch(timestamp - lag(timestamp) OVER w) / 60 AS wait
               FROM read_parquet(?) WINDOW w AS (PARTITION BY journey ORDER BY timestamp)
           ) WHERE source IS NOT NULL GROUP BY ALL""",
        [glob],
    ).fetchall()
    return len(pairs)


def _polars_follows(glob: str, memory_limit: str) -> int:
    import polars as pl

    found = (
        pl.scan_parquet(glob)
        .sort("journey", "timestamp")
        .with_columns(
            pl.col("step").shift().over("journey").alias("source"),
            (pl.col("timestamp").diff().over("journey").dt.total_seconds() / 60).alias("wait"),
        )
        .drop_nulls("source")
        .group_by("source", "step")
        .agg(pl.len(), pl.col("wait").median())
        .collect()
    )
    return found.height


def _servicebp_csv(glob: str, memory_limit: str) -> int:
    from servicebp import score_observed

    result = score_observed(blueprint(), str(Path(glob).parent / "events.csv"), outcome="bought")
    return len(result["journey"])


def _servicebp_csv_in_memory(glob: str, memory_limit: str) -> int:
    from servicebp import score_observed
    from servicebp.observed import _scoring

    # DuckDB out of the way: pyarrow reads the file, the in-memory path scores it.
    scan, _scoring.scan_events = _scoring.scan_events, _no_duckdb
    try:
        path = str(Path(glob).parent / "events.csv")
        return len(score_observed(blueprint(), path, outcome="bought")["journey"])
    finally:
        _scoring.scan_events = scan


def _no_duckdb(*args: Any, **kwargs: Any) -> Any:
    from servicebp import ObservedDataError

    raise ObservedDataError("not through DuckDB")


def _read_pyarrow(glob: str, memory_limit: str) -> int:
    from servicebp import read_observed

    return len(read_observed(Path(glob).parent / "events.csv", outcome="bought")["journey"])


def _read_csv_module(glob: str, memory_limit: str) -> int:
    from servicebp.observed import _arrow_csv

    # Without pyarrow's reader: the csv module, as before issue 16's CSV item.
    cells, _arrow_csv.arrow_cells = _arrow_csv.arrow_cells, lambda *args, **kwargs: None
    try:
        return _read_pyarrow(glob, memory_limit)
    finally:
        _arrow_csv.arrow_cells = cells


def _read_polars_text(glob: str, memory_limit: str) -> int:
    import polars as pl

    # Every column as text, as servicebp reads it: the reading alone.
    return pl.read_csv(Path(glob).parent / "events.csv", infer_schema=False).height


def _polars_csv(glob: str, memory_limit: str) -> int:
    import polars as pl

    frame = pl.read_csv(Path(glob).parent / "events.csv", try_parse_dates=True)
    return _polars_scoring_of(frame.lazy())


FIGURES = {
    "CSV read and scored, six strategies": {
        "servicebp (DuckDB reader)": _servicebp_csv,
        "servicebp (pyarrow reader, in memory)": _servicebp_csv_in_memory,
        "polars": _polars_csv,
    },
    "CSV read into checked columns (read_observed)": {
        "servicebp (pyarrow reader)": _read_pyarrow,
        "servicebp (csv module)": _read_csv_module,
        "polars read_csv (all text, no checks)": _read_polars_text,
    },
    "scoring, six strategies": {
        "servicebp (DuckDB)": _servicebp_scoring,
        "polars lazy": _polars_scoring,
        "pandas": _pandas_scoring,
    },
    "removal effects": {"servicebp (DuckDB)": _servicebp_removal, "polars lazy": _polars_removal},
    # servicebp's conformance reads its columns into memory: this figure is the
    # DuckDB query such a push-down would run, against polars.
    "directly-follows counts": {"DuckDB SQL": _servicebp_follows, "polars lazy": _polars_follows},
}
#: Peers too slow or too big past 10M events on this machine.
SMALL_ONLY = {"pandas"}


def _child(figure: str, peer: str, glob: str, memory_limit: str) -> None:
    # Imports (and the blueprint) are not part of any figure.
    import duckdb
    import pandas
    import polars

    import servicebp

    del duckdb, pandas, polars, servicebp
    start = time.perf_counter()
    rows = FIGURES[figure][peer](glob, memory_limit)
    seconds = time.perf_counter() - start
    print(json.dumps({"seconds": seconds, "rss": peak_rss(), "rows": rows}))


def peak_rss() -> int:
    """This process's peak resident memory in bytes (VmHWM: ru_maxrss survives exec)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def measure(
    figure: str, peer: str, glob: str, memory_limit: str, *, alone: bool = True
) -> dict[str, Any]:
    if not alone:  # a smoke run: in this process (its RSS is the whole run's)
        start = time.perf_counter()
        rows = FIGURES[figure][peer](glob, memory_limit)
        return {"seconds": time.perf_counter() - start, "rss": peak_rss(), "rows": rows}
    done = subprocess.run(
        [sys.executable, __file__, "--child", figure, peer, glob, "--memory-limit", memory_limit],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode:
        return {"error": done.stderr.strip().splitlines()[-1] if done.stderr else "failed"}
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def run_size(events: int, folder: Path, memory_limit: str) -> dict[tuple[str, str], dict[str, Any]]:
    start = time.perf_counter()
    if events > 1_000_000:
        # In a process of its own, so that the figures' processes start small.
        command = [sys.executable, __file__, "--generate", str(folder), str(events)]
        subprocess.run(command, check=True)
    else:
        generate(folder, events)
    glob = str(folder / "part-*.parquet")
    import duckdb

    if events <= 10_000_000:
        duckdb.execute(f"COPY (SELECT * FROM read_parquet('{glob}')) TO '{folder / 'events.csv'}'")
    print(f"\n{events:,} events written to {folder} in {time.perf_counter() - start:.1f} s")
    found: dict[tuple[str, str], dict[str, Any]] = {}
    for figure, peers in FIGURES.items():
        print(f"{figure}:")
        for peer in peers:
            if (peer in SMALL_ONLY or figure.startswith("CSV")) and events > 10_000_000:
                continue
            m = measure(figure, peer, glob, memory_limit, alone=events > 1_000_000)
            found[figure, peer] = m
            if "error" in m:
                print(f"  {peer:38} failed: {m['error']}")
            else:
                print(
                    f"  {peer:38} {m['seconds']:8.2f} s  peak RSS {m['rss'] / 2**30:5.2f} GiB  "
                    f"({m['rows']:,} rows)"
                )
        first = next(iter(peers))
        ours = found.get((figure, first), {})
        for peer in peers:
            theirs = found.get((figure, peer), {})
            if peer != first and "seconds" in ours and "seconds" in theirs:
                name = first.split(" ")[0]
                if peer.split(" ")[0] == name:  # two ways of servicebp's: name both
                    name = first
                print(f"  ratio {name}/{peer}: {ours['seconds'] / theirs['seconds']:.2f}")
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", action="store_true", help="20,000 events, a smoke run")
    parser.add_argument("--large", action="store_true", help="also 100,000,000 events")
    parser.add_argument("--memory-limit", default="6GB", help="DuckDB's memory cap")
    parser.add_argument("--dir", type=Path, default=None, help="where the Parquet files go")
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    parser.add_argument("--generate", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.generate:
        generate(Path(args.generate[0]), int(args.generate[1]))
        return 0
    if args.child:
        _child(*args.child, memory_limit=args.memory_limit)
        return 0
    sizes = [20_000] if args.small else [10_000_000, *([100_000_000] if args.large else [])]
    print(f"cores: {os.cpu_count()}  DuckDB memory limit: {args.memory_limit}")
    results = {}
    with tempfile.TemporaryDirectory(dir=args.dir) as root:
        for size in sizes:
            folder = Path(root) / f"events-{size}"
            folder.mkdir()
            results[size] = run_size(size, folder, args.memory_limit)
    failed = [
        k for r in results.values() for k, m in r.items() if "error" in m and k[1] != "pandas"
    ]
    if len(sizes) == 2:
        print("\n10M -> 100M ratio (10 is linear):")
        for key, large in results[sizes[1]].items():
            small = results[sizes[0]].get(key, {})
            if "seconds" in small and "seconds" in large:
                print(f"  {key[0]}, {key[1]}: {large['seconds'] / small['seconds']:.1f}")
        ours = results[sizes[1]].get(("scoring, six strategies", "servicebp (DuckDB)"), {})
        if "seconds" in ours:
            ok = ours["seconds"] < 60 and ours["rss"] < 8 * 2**30
            print(f"100M scoring: {'OK' if ok else 'FAILED'} (target < 60 s and < 8 GiB)")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
