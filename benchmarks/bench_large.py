"""Benchmark: every analysis and writer on 100,000-step blueprints (issue 18, class 4).

Builds blueprints of three shapes, each at 100,000 steps and, as the baseline
in the same run, at 10,000 steps:

* **chain**: one customer path of rated steps with waits and fail points;
* **fan-out**: one step with 5,000 alternative successors (equal branches),
  each continuing as a short chain to one shared end;
* **support-heavy**: a customer chain where each customer step is backed by a
  frontstage → backstage → support chain with fail points (four of five
  steps are off the customer path).

On each it times journey scores, expected scores, contact counts, journey
times, wait exceedance, ``what_if``, ``diff``, ``to_dot``, ``dumps``,
``save``, ``load``, ``fail_point_impact``, ``repair``, ``expected_ratings``,
``lint`` and ``validate``; then, once per size, 100,000 (10,000) ``connect``
calls from one step, ``removal_effects`` over as many distinct touchpoints,
``conformance`` on a log whose every event is an undesigned jump, and
``render_svg`` with a 5 s bound (the bound is what is measured: the answer
is a picture or a ``RenderTimeoutError``/``AnalysisTooLargeError``).

Each figure is printed with the growth ratio from 10,000 to 100,000 steps
(about 10 for linear, 100 for quadratic). A call that does not finish within
``--timeout`` seconds (SIGALRM) is printed as ``> T s`` and counts as over
target; an error is printed by its class (a bound answering cleanly is a
result, not a failure). Target: each figure < 5 s at 100,000 steps.

Run from the repository root::

    python benchmarks/bench_large.py            # 10,000 and 100,000 steps
    python benchmarks/bench_large.py --small    # 100 and 1,000 steps, a smoke run
"""

from __future__ import annotations

import argparse
import gc
import os
import signal
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from types import FrameType

import servicebp as sbp
from servicebp import Blueprint, FailPoint, MomentOfTruth, Step, Wait

#: Target for each figure at the large size, in seconds.
TARGET = 5.0


class _OvertimeError(Exception):
    """Raised by the alarm when a call runs past the benchmark's timeout."""


def _alarm(signum: int, frame: FrameType | None) -> None:
    raise _OvertimeError


def _step(sid: str, lane: str, k: int) -> Step:
    customer = lane == "customer"
    return Step(
        id=sid,
        label=f"Step {sid}",
        lane=lane,
        stage="run",
        duration=1 + k % 3,
        rating=(k % 5) - 2 if customer else None,
        wait=Wait(duration=k % 7) if k % 4 == 0 else None,
        fail_point=FailPoint(what="stalls", probability=0.05) if k % 10 == 3 else None,
        moment=MomentOfTruth(kind="usage") if customer and k % 50 == 0 else None,
    )


def chain(steps: int) -> Blueprint:
    """One customer path of *steps* steps."""
    bp = Blueprint(f"Chain {steps}", stages=["run"])
    for k in range(steps):
        bp.add_step(_step(f"c{k}", "customer", k))
        if k:
            bp.connect(f"c{k - 1}", f"c{k}")
    return bp


def fan_out(steps: int, width: int) -> Blueprint:
    """A start with *width* alternative branches, short chains joining at one end."""
    bp = Blueprint(f"Fan-out {steps}", stages=["run"])
    bp.add_step(_step("start", "customer", 1))
    bp.add_step(_step("end", "customer", 2))
    length = max(1, (steps - 2) // width)
    for b in range(width):
        previous = "start"
        for k in range(length):
            sid = f"b{b}_{k}"
            bp.add_step(_step(sid, "customer", b + k))
            bp.connect(previous, sid)
            previous = sid
        bp.connect(previous, "end")
    return bp


def support_heavy(steps: int) -> Blueprint:
    """A customer chain, each step backed by a frontstage → backstage → support chain."""
    bp = Blueprint(f"Support {steps}", stages=["run"])
    for k in range(steps // 5):
        bp.add_step(_step(f"c{k}", "customer", k))
        if k:
            bp.connect(f"c{k - 1}", f"c{k}")
        previous = f"c{k}"
        for lane, tag in (
            ("frontstage", "f"),
            ("backstage", "k"),
            ("backstage", "q"),
            ("support", "s"),
        ):
            sid = f"{tag}{k}"
            bp.add_step(_step(sid, lane, k + 3 if tag == "k" else k))
            bp.connect(previous, sid, kind="support")
            previous = sid
    return bp


def a_fail_point(bp: Blueprint) -> str:
    return next(s.id for s in bp.steps() if s.fail_point is not None)


def analyses(folder: Path) -> dict[str, Callable[[Blueprint], object]]:
    """The per-blueprint calls, by name; each takes the blueprint."""

    def changed(bp: Blueprint) -> Blueprint:
        other = bp.copy()
        first = next(iter(other.steps()))
        other.replace_step(first.evolve(duration=9))
        return other

    def save(bp: Blueprint) -> None:
        sbp.save(bp, folder / f"{bp.name}.json")

    def load(bp: Blueprint) -> None:
        sbp.load(folder / f"{bp.name}.json", max_bytes=2**31)

    return {
        "journey_scores": sbp.journey_scores,
        "expected_scores": sbp.expected_scores,
        "contact_counts": sbp.contact_counts,
        "journey_times": sbp.journey_times,
        "wait_exceedance": lambda bp: sbp.wait_exceedance(bp, 10.0),
        "what_if": lambda bp: sbp.what_if(bp, {next(iter(bp.steps())).id: {"duration": 9}}),
        "diff": lambda bp: sbp.diff(bp, changed(bp)),
        "to_dot": lambda bp: sbp.to_dot(bp).source,
        "dumps": lambda bp: sbp.dumps(bp, format="json"),
        "save": save,
        "load": load,
        "fail_point_impact": sbp.fail_point_impact,
        "repair": lambda bp: sbp.repair(bp, a_fail_point(bp)),
        "expected_ratings": sbp.expected_ratings,
        "lint": sbp.lint,
        "validate": lambda bp: bp.validate(),
    }


def connect_many(steps: int) -> object:
    bp = Blueprint("Hub", stages=["run"])
    bp.add_step(_step("hub", "customer", 0))
    for k in range(steps):
        bp.add_step(Step(id=f"t{k}", label=f"T{k}", lane="customer", stage="run"))
    for k in range(steps):
        bp.connect("hub", f"t{k}")
    return bp


def removal_many(steps: int) -> object:
    # Each path visits two of *steps* distinct touchpoints.
    paths = [f"t{k} > t{(k * 7 + 1) % steps}" for k in range(steps)]
    return sbp.removal_effects(paths, [k % 2 for k in range(steps)])


def conformance_jumps(steps: int) -> object:
    import pandas as pd

    bp = chain(steps)
    # Stride 7 through the chain: every directly-follows pair is undesigned.
    order = [f"c{(k * 7) % steps}" for k in range(steps)]
    table = pd.DataFrame(
        {
            "case:concept:name": [f"j{k // 10}" for k in range(steps)],
            "concept:name": order,
            "time:timestamp": pd.date_range("2026-01-01", periods=steps, freq="s"),
        }
    )
    return sbp.conformance(bp, table)


def render_bounded(steps: int) -> object:
    return sbp.render_svg(chain(steps), timeout=TARGET)


def timed(call: Callable[[], object], timeout: float) -> str | float:
    """Seconds taken by *call*, or ``'> T s'``, or the class of the error it raised."""
    gc.collect()
    signal.setitimer(signal.ITIMER_REAL, timeout)
    start = time.perf_counter()
    try:
        answer = call()
        seconds = time.perf_counter() - start
    except _OvertimeError:
        return f"> {timeout:g} s"
    except sbp.ServiceBlueprintError as error:
        return f"{time.perf_counter() - start:.2f} s {type(error).__name__}"
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
    del answer
    return seconds


def row(name: str, small: str | float, large: str | float) -> bool:
    """Print one figure and its growth; return whether it is within target."""
    text = {k: f"{v:.3f}" if isinstance(v, float) else v for k, v in (("s", small), ("l", large))}
    growth = ""
    within = True
    if isinstance(small, float) and isinstance(large, float):
        growth = f"{large / small:.1f}" if small > 1e-3 else "-"
        within = large < TARGET
    elif isinstance(large, str) and large.startswith(">"):
        within = False
    print(f"{name:<34} {text['s']:>22} {text['l']:>22} {growth:>7}{'' if within else '  !'}")
    return within


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", action="store_true", help="100 and 1,000 steps, a smoke run")
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds before a call is cut")
    args = parser.parse_args(argv)
    small, large = (100, 1_000) if args.small else (10_000, 100_000)
    width = 50 if args.small else 5_000
    signal.signal(signal.SIGALRM, _alarm)
    print(f"load average at start: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"{'figure':<34} {f'{small:,} steps':>22} {f'{large:,} steps':>22} {'growth':>7}")
    ok = True
    shapes: dict[str, Callable[[int], Blueprint]] = {
        "chain": chain,
        f"fan-out {width:,}": lambda n: fan_out(n, width),
        "support-heavy": support_heavy,
    }
    with tempfile.TemporaryDirectory() as tmp:
        calls = analyses(Path(tmp))
        for shape, build in shapes.items():
            blueprints = {n: build(n) for n in (small, large)}
            for name, call in calls.items():
                times = [
                    timed(lambda bp=bp, call=call: call(bp), args.timeout)
                    for bp in blueprints.values()
                ]
                ok &= row(f"{shape}: {name}", *times)
            del blueprints
        singles: dict[str, Callable[[int], object]] = {
            "add steps, connect each from one": connect_many,
            "removal_effects, distinct touchpoints": removal_many,
            "conformance, undesigned jumps": conformance_jumps,
            "render_svg of a chain, 5 s bound": render_bounded,
        }
        for name, single in singles.items():
            times = [timed(lambda n=n, f=single: f(n), args.timeout) for n in (small, large)]
            ok &= row(name, *times)
    print(f"load average at end: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print("OK: every figure under 5 s" if ok else "OVER TARGET: figures marked !")
    # The smoke run only checks that the figures print; the verdict is for full size.
    return 0 if ok or args.small else 1


if __name__ == "__main__":
    sys.exit(main())
