"""Benchmark: servicebp.load on big generated blueprints, by stage, against the former path.

    python benchmarks/bench_load.py            # 1,000, 10,000 and 100,000 steps
    python benchmarks/bench_load.py --small    # 100, 1,000 and 2,000 steps: a smoke test

Each blueprint has steps in all five lanes over ten stages, sequence flows
through the customer steps and support flows from the others, a wait on every
20th step, a duration on every 7th and a moment of truth on every 50th customer
step. It is saved as JSON (as ``servicebp.save`` writes it) and as YAML, and
loaded whole; then a copy whose last step is in an unknown lane times the
error path. Times are the best of three calls below 100,000 steps, one call
at 100,000.

The stages are timed on their own: reading (``parse``), the schema check as
now (pre-check, jsonschema only for failing items) and as before (jsonschema
over the whole document), the rest of ``from_parsed`` (structuring with
cattrs, building the blueprint, its whole-blueprint checks), and, for the
error path in JSON, finding the error's line as now (on demand) and as
before (the whole file read again as YAML). The baseline is the former
loading path put together from these stages in the same run (its reading
stage is today's, so it leaves out the smaller gains made there).
Targets (2-core machine): 100,000 steps in JSON under 10 s, valid or with its
last step bad; 2,000 steps under 0.3 s.

Then shapes that were super-linear (issue 18, class 9), each loaded at a
tenth of its size in the same run as the baseline (growth about 10 is
linear, 100 quadratic): one step with 20,000 probability branches (2,000 as
the baseline), and 20,000 steps with a flow from each to a missing step (the
error path: each unknown end gets its "did you mean"). Target: growth under 15.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import yaml

import servicebp
from servicebp import BlueprintValidationError
from servicebp.io._document import from_parsed
from servicebp.io._parse import MAX_DEPTH, Parsed, parse
from servicebp.io._schema import document_validator, schema_errors
from servicebp.io._yaml_reader import parse_yaml

LANES = ["frontstage", "backstage", "support", "physical-evidence"]
STAGES = [f"stage-{i}" for i in range(10)]
#: Generated files pass 10 MB at 100,000 steps: the cap is raised for the benchmark.
MAX_BYTES = 1 << 30


def document(steps: int, *, last_bad: bool = False) -> dict[str, Any]:
    """A valid blueprint document of *steps* steps (or with its last step's lane unknown)."""
    per_stage = -(-steps // len(STAGES))
    out_steps: list[dict[str, Any]] = []
    flows: list[dict[str, Any]] = []
    for i in range(steps):
        lane = "customer" if i % 2 == 0 else LANES[(i // 2) % len(LANES)]
        step: dict[str, Any] = {
            "id": f"s{i}",
            "label": f"Step {i}",
            "lane": lane,
            "stage": STAGES[i // per_stage],
        }
        if i % 7 == 0:
            step["duration"] = 2.5
        if i % 20 == 0:
            step["wait"] = {"duration": 5, "tolerance": 10}
        if i % 100 == 0:
            step["moment"] = {"kind": "usage", "weight": 2.0, "behaviours": ["explore", "confirm"]}
        out_steps.append(step)
        if lane == "customer" and i >= 2:
            flows.append({"from": f"s{i - 2}", "to": f"s{i}"})
        elif lane != "customer":
            flows.append({"from": f"s{i}", "to": f"s{i - 1}", "kind": "support"})
    if last_bad:
        out_steps[-1]["lane"] = "front"
    return {
        "version": "1",
        "name": "Generated",
        "stages": STAGES,
        "steps": out_steps,
        "flows": flows,
    }


def write(folder: Path, name: str, data: dict[str, Any]) -> dict[str, Path]:
    """Save *data* as JSON (as servicebp writes it) and YAML; return the paths by format."""
    json_path = folder / f"{name}.json"
    json_path.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    yaml_path = folder / f"{name}.yaml"
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    text = yaml.dump(
        data,
        Dumper=dumper,
        allow_unicode=True,
        sort_keys=False,
        default_flow_style=False,
        width=100,
    )
    yaml_path.write_text(text, encoding="utf-8")
    return {"json": json_path, "yaml": yaml_path}


def best(run: Callable[[], Any], repeat: int) -> float:
    seconds = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        seconds = min(seconds, time.perf_counter() - start)
    return seconds


def load_fails(path: Path) -> None:
    try:
        servicebp.load(path, max_bytes=MAX_BYTES)
    except BlueprintValidationError as error:
        message = str(error)
    else:  # pragma: no cover - the generated file is bad
        raise AssertionError(f"{path} loaded")
    if "'front' is not one of" not in message:  # pragma: no cover
        raise AssertionError(message)


def stages(path: Path, file_format: str, repeat: int) -> dict[str, float]:
    """Seconds of each loading stage of a valid file, as now and as before."""
    data = path.read_bytes()
    parsed = parse(data, format=file_format, file=str(path), max_bytes=MAX_BYTES)
    out = {"parse": best(lambda: parse(data, format=file_format, max_bytes=MAX_BYTES), repeat)}
    out["schema"] = best(lambda: list(schema_errors(parsed.data)), repeat)
    out["schema before"] = best(lambda: list(document_validator().iter_errors(parsed.data)), repeat)
    out["build"] = max(0.0, best(lambda: from_parsed(parsed), repeat) - out["schema"])
    return out


def error_positions(path: Path, repeat: int) -> tuple[float, float]:
    """Seconds to locate the last step's lane in a JSON file: now, and before."""
    text = path.read_text(encoding="utf-8")
    where = ("steps", len(json.loads(text)["steps"]) - 1, "lane")

    def now() -> Any:
        return Parsed(None, text=text).locate(where)

    def before() -> Any:
        return parse_yaml(text, file=None, max_depth=MAX_DEPTH).locate(where)

    assert now() == before(), (now(), before())
    return best(now, repeat), best(before, repeat)


def branches(count: int) -> dict[str, Any]:
    """One step with *count* sequence flows out, each with its branch probability."""
    steps = [{"id": "start", "label": "Start", "lane": "customer", "stage": STAGES[0]}]
    steps += [
        {"id": f"b{i}", "label": f"Branch {i}", "lane": "customer", "stage": STAGES[1]}
        for i in range(count)
    ]
    flows = [{"from": "start", "to": f"b{i}", "probability": 1 / count} for i in range(count)]
    stages = STAGES[:2]
    return {"version": "1", "name": "Branches", "stages": stages, "steps": steps, "flows": flows}


def missing_ends(count: int) -> dict[str, Any]:
    """*count* steps, each with a flow to a step that does not exist."""
    steps = [
        {"id": f"step-{i}", "label": f"Step {i}", "lane": "customer", "stage": STAGES[0]}
        for i in range(count)
    ]
    flows = [{"from": f"step-{i}", "to": f"nostep-{i}"} for i in range(count)]
    stages = STAGES[:1]
    return {"version": "1", "name": "Missing", "stages": stages, "steps": steps, "flows": flows}


#: Shapes timed against a tenth of their size: name, document maker, whether it loads.
SHAPES: list[tuple[str, Callable[[int], dict[str, Any]], bool]] = [
    ("probability branches from one step", branches, True),
    ("flows to missing steps", missing_ends, False),
]


def shape_seconds(make: Callable[[int], dict[str, Any]], count: int, loads: bool) -> float:
    """Seconds to load (or to fail to load) the JSON text of ``make(count)``."""
    text = json.dumps(make(count))

    def run() -> None:
        try:
            servicebp.loads(text, format="json", max_bytes=MAX_BYTES)
        except BlueprintValidationError:
            if loads:  # pragma: no cover - the generated document is valid
                raise
        else:
            if not loads:  # pragma: no cover - the generated document is bad
                raise AssertionError("loaded")

    return best(run, 1)


def shapes(small: bool) -> None:
    """Print each super-linear shape's load time at its size and a tenth of it."""
    count = 2_000 if small else 20_000
    print(f"\nshapes at {count:,} against {count // 10:,} (growth about 10 is linear):")
    for name, make, loads in SHAPES:
        baseline = shape_seconds(make, count // 10, loads)
        seconds = shape_seconds(make, count, loads)
        print(
            f"  {count:,} {name}: {seconds:.3f} s ({count // 10:,}: {baseline:.3f} s, "
            f"growth {seconds / max(baseline, 1e-9):.1f})"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", action="store_true", help="100, 1,000 and 2,000 steps")
    args = parser.parse_args()
    sizes = [100, 1_000, 2_000] if args.small else [1_000, 10_000, 100_000]
    per_k: dict[tuple[str, str], list[float]] = {}
    with tempfile.TemporaryDirectory() as folder_name:
        folder = Path(folder_name)
        for size in sizes:
            repeat = 1 if size >= 100_000 else 3
            good = write(folder, f"good-{size}", document(size))
            bad = write(folder, f"bad-{size}", document(size, last_bad=True))
            mib = good["json"].stat().st_size / 2**20
            print(f"\n{size:,} steps (JSON {mib:.1f} MiB), best of {repeat}:")
            for file_format in ("json", "yaml"):
                good_path, bad_path = good[file_format], bad[file_format]
                load_s = best(partial(servicebp.load, good_path, max_bytes=MAX_BYTES), repeat)
                bad_s = best(partial(load_fails, bad_path), repeat)
                parts = stages(good[file_format], file_format, repeat)
                was = parts["parse"] + parts["schema before"] + parts["build"]
                print(
                    f"  {file_format}: load {load_s:.3f} s ({1000 * load_s / size * 1000:.1f} ms "
                    f"per 1,000 steps), last step bad {bad_s:.3f} s"
                )
                print(
                    f"    stages: parse {parts['parse']:.3f} s, schema {parts['schema']:.3f} s "
                    f"(before: {parts['schema before']:.3f} s), build {parts['build']:.3f} s"
                )
                line = f"    former path (parse + whole-document jsonschema + build): {was:.3f} s"
                if file_format == "json":
                    located, located_before = error_positions(bad["json"], repeat)
                    bad_was = was + located_before
                    line += f"; last step bad {bad_was:.3f} s"
                    print(
                        f"    error position: {located:.3f} s (before: the file read again "
                        f"as YAML, {located_before:.3f} s)"
                    )
                print(line)
                print(
                    f"    speed-up: load {was / load_s:.1f}x"
                    + (f", last step bad {bad_was / bad_s:.1f}x" if file_format == "json" else "")
                )
                per_k.setdefault(("load", file_format), []).append(load_s / size * 1000)
                per_k.setdefault(("last bad", file_format), []).append(bad_s / size * 1000)
    print("\ntime per 1,000 steps (growth: ratio to the smallest size; 1.0 is linear):")
    for (what, file_format), figures in per_k.items():
        shown = ", ".join(
            f"{size:,}: {figure * 1000:.1f} ms" for size, figure in zip(sizes, figures, strict=True)
        )
        growth = figures[-1] / figures[0]
        print(f"  {what} {file_format}: {shown} (growth {growth:.2f})")
    shapes(args.small)


if __name__ == "__main__":
    main()
