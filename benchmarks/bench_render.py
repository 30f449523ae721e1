"""Rendering speed: DOT generation and SVG layout for blueprints of growing size.

Run with ``python benchmarks/bench_render.py`` (``--small`` for a quick smoke
test on 50 steps). The embedded engine is compared in the same run with
pygraphviz and the ``dot`` program where they are installed. Targets: DOT
for 1,000 steps under 0.2 s; SVG of 200 steps with the embedded engine
under 3 s.
"""

from __future__ import annotations

import argparse
import importlib.util
import itertools
import shutil
import time
from collections.abc import Callable

from servicebp import Blueprint, Step, to_dot
from servicebp.rendering._engines import run_engine
from servicebp.rendering._scene import scene_of

LANES = ("physical-evidence", "customer", "frontstage", "backstage", "support")


def blueprint(steps: int) -> Blueprint:
    """A blueprint of *steps* steps: five per stage, one per lane, wired like a service."""
    stages = [f"stage{i}" for i in range((steps + 4) // 5)]
    bp = Blueprint(f"bench {steps}", stages=stages)
    for i in range(steps):
        stage, lane = stages[i // 5], LANES[i % 5]
        bp.add_step(Step(id=f"s{i}", label=f"Step {i} of the service", lane=lane, stage=stage))
        if i % 5 > 1:
            bp.connect(f"s{i - 1}", f"s{i}", kind="support")
    customers = [f"s{i}" for i in range(1, steps, 5)]
    for a, b in itertools.pairwise(customers):
        bp.connect(a, b)
    return bp


def timed(function: Callable[[], object], repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", action="store_true", help="50 steps only (smoke test)")
    small = parser.parse_args().small
    print("Pinned layout: coordinates of every box and flow (best of 3)")
    for n in (50,) if small else (50, 200, 1000):
        bp = blueprint(n)
        seconds = timed(lambda bp=bp: scene_of(bp, ratings={}))
        print(f"  {n:5d} steps: {seconds:.3f} s")
    print("DOT generation, layout included (best of 3)")
    previous = None
    for n in (50,) if small else (50, 200, 1000):
        bp = blueprint(n)
        seconds = timed(lambda bp=bp: to_dot(bp).source)
        growth = (
            ""
            if previous is None
            else f"  x{seconds / previous[1]:.1f} for x{n / previous[0]:.0f} steps"
        )
        target = "  (target < 0.2 s)" if n == 1000 else ""
        print(f"  {n:5d} steps: {seconds:.3f} s{growth}{target}")
        previous = (n, seconds)
    print("SVG rendering (best of 2)")
    run_engine("digraph{a}", engine="embedded", output_format="svg", timeout=60)  # compile once
    for n in (50,) if small else (50, 200):
        source = to_dot(blueprint(n)).source
        embedded = timed(
            lambda s=source: run_engine(s, engine="embedded", output_format="svg", timeout=120), 2
        )
        target = "  (target < 3 s)" if n == 200 else ""
        print(f"  {n:5d} steps, embedded: {embedded:.2f} s{target}")
        if importlib.util.find_spec("pygraphviz") is not None:
            child = timed(
                lambda s=source: run_engine(
                    s, engine="pygraphviz", output_format="svg", timeout=120
                ),
                2,
            )
            print(f"  {n:5d} steps, pygraphviz (child process): {child:.2f} s")
        if shutil.which("dot") is None:
            print(f"  {n:5d} steps, dot: skipped (no 'dot' program on PATH)")
        else:
            dot = timed(
                lambda s=source: run_engine(s, engine="dot", output_format="svg", timeout=120), 2
            )
            print(f"  {n:5d} steps, dot: {dot:.2f} s")


if __name__ == "__main__":
    main()
