"""A hypothesis-driven fuzzer for :func:`servicebp.loads`.

The contract under test: for *any* bytes or text, ``loads`` either returns a
:class:`~servicebp.Blueprint` or raises a
:class:`~servicebp.ServiceBlueprintError` — never another exception, never a
hang — and whatever it returns survives a ``dumps``/``loads`` round trip
unchanged.

Inputs come from four generators, mixed:

- valid documents (generated blueprints dumped as YAML and JSON) mutated by
  byte flips, truncation, line deletion, duplication and swaps, and by
  splicing in hostile tokens (anchors and aliases, ``!!python`` tags, merge
  keys, NUL, a BOM, invalid UTF-8, NaN/Infinity, huge numbers, deep brackets,
  YAML 1.1 booleans ...);
- plain-data trees shaped like the file format, with wrong types and odd
  values in every field, serialised as JSON or YAML;
- arbitrary text;
- arbitrary bytes.

``tests/fuzz/test_fuzz_loads.py`` runs a few hundred examples as part of the
normal test suite. Run it longer by hand (see ``tests/fuzz/README.md``)::

    python tests/fuzz/fuzz_loads.py --examples 20000
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from typing import Any

import yaml
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

import servicebp
from servicebp import Blueprint, ServiceBlueprintError

#: Seconds one call of loads may take (a robustness bound, not a speed test).
TIME_BOUND = 10.0

TOKENS = [
    b"&a ",
    b"*a",
    b"&a [*a, *a, *a]",
    b"<<: *a",
    b"!!python/object/apply:os.system ['echo pwned']",
    b"!!python/name:builtins.print",
    b"!!binary aGVsbG8=",
    b"!!set {a}",
    b"!custom x",
    b"%YAML 1.1\n",
    b"%TAG ! tag:evil,2000:\n",
    b"---\n",
    b"\n...\n",
    b"? complex\n",
    b"\x00",
    b"\xff\xfe",
    b"\xef\xbb\xbf",
    b"\xc3\x28",
    b"\xed\xa0\x80",  # an encoded surrogate
    b"\t",
    b"\r",
    b"\r\n",
    b"\x1b[31m",
    b"\xe2\x80\xae",  # right-to-left override
    b"NaN",
    b".nan",
    b"Infinity",
    b"-.inf",
    b"1e999",
    b"1" * 400,
    b"9" * 5000,  # past int()'s 4300-digit limit
    b"0x1F",
    b"0o17",
    b"1_000",
    b"12:30:00",
    b"2024-01-01",
    b"yes",
    b"NO",
    b"~",
    b"null",
    b"true",
    b"1.10",
    b'"',
    b"'",
    b"\\u0000",
    b"\\ud800",
    b"{",
    b"}",
    b"[",
    b"]",
    b"[" * 200,
    b"{a: " * 200,
    b"- " * 200,
    b": ",
    b"- ",
    b", ",
    b"#",
    b"|\n",
    b">-\n",
    b'"steps": [{}]',
    b'"flows": [{"source": "a", "target": "a"}]',
    b'"lane": "front"',
    b'"duration": "5"',
    b'"rating": 4',
    b'"label": 3',
    b'"version": 999',
]

SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=10**300, max_value=10**400),
    st.floats(),
    st.text(max_size=10),
    st.sampled_from(["customer", "frontstage", "sequence", "support", "a", "s", "", " ", "a b"]),
)
FIELDS = st.sampled_from(
    [
        "version",
        "name",
        "stages",
        "steps",
        "flows",
        "id",
        "label",
        "lane",
        "stage",
        "source",
        "target",
        "kind",
        "probability",
        "duration",
        "rating",
        "wait",
        "fail_point",
        "moment",
        "evidence",
        "attributes",
        "colour",
    ]
)
TREES = st.recursive(
    SCALARS,
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(FIELDS | st.text(max_size=5), children, max_size=6)
    ),
    max_leaves=25,
)


def _seed_documents() -> st.SearchStrategy[tuple[bytes, str]]:
    """Valid documents: generated blueprints dumped as YAML or JSON."""
    from servicebp.testing._strategies import blueprints

    return st.tuples(blueprints(), st.sampled_from(["yaml", "json"])).map(
        lambda pair: (servicebp.dumps(pair[0], format=pair[1]).encode("utf-8"), pair[1])
    )


@st.composite
def mutated(draw: st.DrawFn) -> tuple[bytes, str]:
    data, fmt = draw(_seed_documents())
    for _ in range(draw(st.integers(1, 4))):
        how = draw(st.sampled_from(["flip", "truncate", "insert", "delete", "dup", "swap"]))
        lines = data.split(b"\n")
        if how == "flip" and data:
            i = draw(st.integers(0, len(data) - 1))
            data = data[:i] + bytes([data[i] ^ draw(st.integers(1, 255))]) + data[i + 1 :]
        elif how == "truncate":
            data = data[: draw(st.integers(0, len(data)))]
        elif how == "insert":
            i = draw(st.integers(0, len(data)))
            data = data[:i] + draw(st.sampled_from(TOKENS)) + data[i:]
        elif how == "delete" and lines:
            del lines[draw(st.integers(0, len(lines) - 1))]
            data = b"\n".join(lines)
        elif how == "dup" and lines:
            i = draw(st.integers(0, len(lines) - 1))
            lines.insert(i, lines[i])
            data = b"\n".join(lines)
        elif how == "swap" and len(lines) > 1:
            i = draw(st.integers(0, len(lines) - 2))
            lines[i], lines[i + 1] = lines[i + 1], lines[i]
            data = b"\n".join(lines)
    return data, fmt


@st.composite
def shaped(draw: st.DrawFn) -> tuple[bytes, str]:
    """Plain data shaped like a blueprint file, with odd values anywhere."""
    tree: dict[str, Any] = {
        "version": draw(st.sampled_from([1, "1", 1.0, 2, None])),
        "name": draw(SCALARS),
        "stages": draw(st.lists(SCALARS, max_size=3)),
        "steps": draw(st.lists(st.dictionaries(FIELDS, TREES, max_size=8), max_size=4)),
        "flows": draw(st.lists(st.dictionaries(FIELDS, TREES, max_size=5), max_size=3)),
    }
    extra = draw(st.dictionaries(FIELDS, TREES, max_size=2))
    tree.update(extra)
    fmt = draw(st.sampled_from(["yaml", "json"]))
    if fmt == "json":
        return json.dumps(tree, allow_nan=True).encode("utf-8"), fmt
    return yaml.safe_dump(tree, allow_unicode=True).encode("utf-8"), fmt


INPUTS = st.one_of(
    mutated(),
    shaped(),
    st.tuples(st.text(max_size=200).map(str.encode), st.sampled_from(["yaml", "json"])),
    st.tuples(st.binary(max_size=200), st.sampled_from(["yaml", "json"])),
)


def check_loads(data: bytes, fmt: str) -> None:
    """The property: a Blueprint or a ServiceBlueprintError, quickly; round trip."""
    start = time.perf_counter()
    for source in (data, _as_text(data)):
        if source is None:
            continue
        try:
            bp = servicebp.loads(source, format=fmt)
        except ServiceBlueprintError as error:
            message = str(error)
        else:
            message = None
        if message is not None:
            assert message.strip(), "an error without a message"
            continue
        assert isinstance(bp, Blueprint)
        for out in ("yaml", "json"):
            again = servicebp.loads(servicebp.dumps(bp, format=out), format=out)
            assert again == bp, f"round trip through {out} changed the blueprint"
    elapsed = time.perf_counter() - start
    assert elapsed < TIME_BOUND, f"loads took {elapsed:.1f} s"


def _as_text(data: bytes) -> str | None:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


@given(case=INPUTS)
def fuzz_loads(case: tuple[bytes, str]) -> None:
    check_loads(*case)


def run(examples: int, *, seed: int | None = None) -> None:
    """Run the fuzzer for *examples* inputs (no example database, no shrinking limit)."""
    test = settings(
        max_examples=examples,
        deadline=None,
        database=None,
        derandomize=seed is not None,
        suppress_health_check=list(HealthCheck),
        phases=[Phase.generate, Phase.target, Phase.shrink, Phase.explain],
    )(fuzz_loads)
    test()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--examples", type=int, default=10_000, help="inputs to try")
    parser.add_argument("--seed", type=int, default=None, help="derandomise the run")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    run(args.examples, seed=args.seed)
    print(f"{args.examples} inputs, no failure, {time.perf_counter() - start:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
