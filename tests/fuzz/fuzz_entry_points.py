"""A structure-aware fuzzer of the programmatic entry points (issue 18).

One property for each: whatever it is given, the entry point returns or
raises a :class:`servicebp.ServiceBlueprintError`, never another exception,
and a blueprint it returns is saved and read back equal (what ``save``
writes, ``load`` reads). The inputs are shaped like what each entry point
takes, with hostile values in every place:

- ``from_dict``: trees shaped like the file format, with non-text keys,
  tuples, huge integers, lone surrogates and deep nesting;
- ``from_networkx``: directed, undirected and multi graphs with odd node
  ids and node, edge and graph data;
- ``from_node_link``: node-link data with each section malformed;
- ``score_observed``: observed-journey tables (dicts of columns, pandas and
  polars frames) with odd cell types;
- ``read_observed`` of a CSV file: cells in other digits (``٣``), with
  underscores, ISO times out of range or mixed with numbers, huge numbers,
  control characters; what it accepts must be read as written (a rating is
  the ASCII number in its cell, a time lies within the years it can hold);
- mutation sequences: steps and flows added, replaced and removed with odd
  arguments; after each error the blueprint is unchanged.

Run by hand for longer: ``python tests/fuzz/fuzz_entry_points.py --examples 2000``.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import os
import sys
from typing import Any

import networkx as nx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import servicebp

SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=10**300, max_value=10**400),
    st.floats(),
    st.text(max_size=8),
    st.sampled_from(["\ud800", "\u202e", "café", "cafe\u0301", "ｐａｙ", "s", "customer", ""]),
    st.sampled_from(["customer", "frontstage", "support", "sequence", "a", "b", "s"]),
)
KEYS = st.one_of(
    st.sampled_from(
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
            "from",
            "to",
            "kind",
            "probability",
            "duration",
            "rating",
            "attributes",
            "x",
        ]
    ),
    st.integers(-2, 2),
    st.text(max_size=4),
)
TREES = st.recursive(
    SCALARS,
    lambda children: (
        st.lists(children, max_size=3)
        | st.lists(children, max_size=3).map(tuple)
        | st.dictionaries(KEYS, children, max_size=5)
    ),
    max_leaves=20,
)


def _deep(depth: int) -> Any:
    value: Any = []
    for _ in range(depth):
        value = [value]
    return value


@st.composite
def documents(draw: st.DrawFn) -> Any:
    step = st.fixed_dictionaries(
        {
            "id": st.sampled_from(["a", "b", "c"]) | SCALARS,
            "label": st.just("L") | SCALARS,
            "lane": st.just("customer") | SCALARS,
            "stage": st.just("s") | SCALARS,
        },
        optional={"attributes": TREES, "duration": SCALARS, "rating": SCALARS},
    )
    flow = st.fixed_dictionaries(
        {
            "from": st.sampled_from(["a", "b", "c"]) | SCALARS,
            "to": st.sampled_from(["a", "b", "c"]) | SCALARS,
        },
        optional={"kind": SCALARS, "probability": SCALARS},
    )
    doc: dict[Any, Any] = {
        "version": draw(st.just("1") | SCALARS),
        "name": draw(st.just("N") | SCALARS),
        "stages": draw(st.just(["s"]) | st.lists(SCALARS, max_size=2)),
        "steps": draw(st.lists(step, max_size=4)),
        "flows": draw(st.lists(flow, max_size=4)),
    }
    doc.update(draw(st.dictionaries(KEYS, TREES, max_size=2)))
    if draw(st.integers(0, 9)) == 0:
        doc["description"] = _deep(draw(st.sampled_from([63, 65, 5000])))
    return doc


def _round_trips(bp: servicebp.Blueprint) -> None:
    for fmt in ("yaml", "json"):
        again = servicebp.loads(servicebp.dumps(bp, format=fmt), format=fmt)
        assert again == bp, fmt


def _guarded(call: Any) -> None:
    try:
        result = call()
    except servicebp.ServiceBlueprintError:
        return
    if isinstance(result, servicebp.Blueprint):
        _round_trips(result)


def check_from_dict(doc: Any) -> None:
    _guarded(lambda: servicebp.from_dict(doc))


@st.composite
def graphs(draw: st.DrawFn) -> Any:
    kind = draw(st.sampled_from([nx.DiGraph, nx.DiGraph, nx.DiGraph, nx.Graph, nx.MultiDiGraph]))
    graph = kind()
    graph.graph.update(draw(st.dictionaries(KEYS, TREES, max_size=3)))
    graph.graph.setdefault("name", "N")
    graph.graph.setdefault("stages", ["s"])
    nodes = draw(st.lists(st.sampled_from(["a", "b", "c"]) | SCALARS.filter(_node), max_size=4))
    for node in nodes:
        data = {"label": "L", "lane": "customer", "stage": "s"}
        data.update(
            draw(st.dictionaries(KEYS.filter(lambda k: isinstance(k, str)), TREES, max_size=2))
        )
        graph.add_node(node, **data)
    for _ in range(draw(st.integers(0, 3))):
        if len(nodes) > 1:
            a, b = draw(st.sampled_from(nodes)), draw(st.sampled_from(nodes))
            graph.add_edge(
                a,
                b,
                **draw(
                    st.dictionaries(
                        st.sampled_from(["kind", "probability", "x"]), SCALARS, max_size=2
                    )
                ),
            )
    return graph


def _node(value: Any) -> bool:
    return value is not None and _hashable(value)


def _hashable(value: Any) -> bool:
    try:
        hash(value)
    except TypeError:
        return False
    return True


def check_from_networkx(graph: Any) -> None:
    _guarded(lambda: servicebp.from_networkx(graph))


@st.composite
def node_links(draw: st.DrawFn) -> Any:
    bp = servicebp.Blueprint("N", stages=["s"])
    for name in "ab":
        bp.add_step(servicebp.Step(id=name, label=name, lane="customer", stage="s"))
    bp.connect("a", "b")
    data: dict[str, Any] = servicebp.to_node_link(bp)
    for _ in range(draw(st.integers(0, 3))):
        section = draw(
            st.sampled_from(["graph", "directed", "multigraph", "nodes", "edges", "links"])
        )
        data[section] = draw(
            TREES
            | st.lists(TREES, max_size=3)
            | st.lists(st.dictionaries(KEYS, TREES, max_size=3), max_size=3)
        )
    return data


def check_from_node_link(data: Any) -> None:
    _guarded(lambda: servicebp.from_node_link(data))


@st.composite
def tables(draw: st.DrawFn) -> Any:
    size = draw(st.integers(1, 5))
    column = st.lists(
        SCALARS | st.sampled_from(["j1", "order", "pay", "1", "2"]), min_size=size, max_size=size
    )
    table = {name: draw(column) for name in ("journey", "step", "order", "rating")}
    if draw(st.booleans()):
        del table[draw(st.sampled_from(list(table)))]
    return table


def check_observed(table: Any) -> None:
    bp = _observed_blueprint()
    with contextlib.suppress(servicebp.ServiceBlueprintError):
        servicebp.score_observed(bp, table)
    if "order" in table and len({len(v) for v in table.values()}) == 1:
        # The same columns as a pandas and a polars frame, where either can hold them.
        for frame in _frames(table):
            with contextlib.suppress(servicebp.ServiceBlueprintError):
                servicebp.score_observed(bp, frame)


def _frames(table: dict[str, list[Any]]) -> list[Any]:
    import pandas as pd
    import polars as pl

    made = []
    for build in (pd.DataFrame, pl.DataFrame):
        try:
            made.append(build(table))
        except Exception:  # the library cannot hold these cells: nothing to test
            continue
    return made


@functools.cache
def _observed_blueprint() -> servicebp.Blueprint:
    return servicebp.loads(
        'version: "1"\nname: C\nstages: [s]\nsteps:\n'
        "- {id: order, label: O, lane: customer, stage: s}\n"
        "- {id: pay, label: P, lane: customer, stage: s}\nflows:\n- {from: order, to: pay}\n"
    )


#: CSV cells Python or numpy would misread: other digits, underscores, times out of
#: range, numbers and times mixed, huge numbers, control and invisible characters.
HOSTILE_CELLS = st.sampled_from(
    [
        "\u0663",
        "\uff13",
        "1_0",
        "-2",
        "3",
        "0.5",
        "1e308",
        "-1e308",
        "nan",
        "inf",
        "2024-01-01T10:00",
        "2024-01-01T10:00+05:00",
        "9999-01-01",
        "1600-01-01",
        "5",
        "20240101",
        "2024-13-01",
        "99999999999999999999999",
        "a\x1b[31m",
        "p\u202eay",
        "order",
        "pay",
        "",
        " ",
    ]
) | st.text(max_size=4)


#: Cells each column holds when nothing is wrong with it.
PLAIN_CELLS = {
    "journey": ["j1", "j2"],
    "step": ["order", "pay"],
    "order": ["1", "2", "2.5"],
    "timestamp": ["2024-01-01T10:00", "2024-01-01T11:30Z", "2024-01-02 09:00:00+02:00"],
    "rating": ["-3", "-1", "0", "2", "3", "1.5"],
}


@st.composite
def csv_tables(draw: st.DrawFn) -> str:
    time = draw(st.sampled_from(["order", "timestamp"]))
    names = ["journey", "step", time, "rating"]
    rows = [",".join(names)]
    for _ in range(draw(st.integers(1, 4))):
        cells = [draw(st.sampled_from(PLAIN_CELLS[name])) for name in names]
        if draw(st.booleans()):
            # One hostile cell per row at most, so that most tables are otherwise good.
            cells[draw(st.integers(0, 3))] = draw(HOSTILE_CELLS)
        rows.append(",".join('"' + c.replace('"', '""') + '"' for c in cells))
    return "\n".join(rows) + "\n"


def check_observed_csv(text: str) -> None:
    import csv
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "events.csv")
        with open(path, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
        try:
            found = servicebp.read_observed(path)
        except servicebp.ServiceBlueprintError:
            return
    rows = list(csv.DictReader(text.splitlines()))
    kept = [r for r in rows if any(cell.strip() for cell in r.values())]
    for row, rating in zip(kept, found["rating"].tolist(), strict=True):
        cell = row["rating"].strip()
        assert cell.isascii(), f"{cell!r} was read as {rating}"
        assert "_" not in cell, f"{cell!r} was read as {rating}"
        assert rating == float(cell)
    time = "order" if "order" in found else "timestamp"
    values = found[time]
    if values.dtype.kind == "M":
        years = values.astype("datetime64[Y]").astype(int) + 1970
        assert ((years >= 1678) & (years <= 2261)).all(), values


MUTATIONS = st.lists(
    st.tuples(
        st.sampled_from(
            ["add_step", "replace_step", "remove_step", "connect", "add_flow", "getitem"]
        ),
        st.sampled_from(["a", "b", "x"])
        | SCALARS.filter(_hashable)
        | st.just({"id": "a"})
        | st.just(("a", "b")),
        st.sampled_from(["a", "b", "x"]) | SCALARS.filter(_hashable),
    ),
    max_size=8,
)


def check_mutations(steps: list[tuple[str, Any, Any]]) -> None:
    bp = servicebp.Blueprint("M", stages=["s"])
    for name in "ab":
        bp.add_step(servicebp.Step(id=name, label=name, lane="customer", stage="s"))
    for how, first, second in steps:
        before = bp.copy()
        try:
            if how == "add_step" and isinstance(first, str):
                bp.add_step(servicebp.Step(id=first, label="L", lane="customer", stage="s"))
            elif how in ("add_step", "replace_step", "add_flow"):
                getattr(bp, how)(first)
            elif how == "remove_step":
                bp.remove_step(first)
            elif how == "connect":
                bp.connect(first, second)
            else:
                bp[first]
        except servicebp.ServiceBlueprintError:
            assert bp == before, f"{how}({first!r}) changed the blueprint before failing"
    _round_trips(bp)


PROPERTIES = {
    "from_dict": (documents(), check_from_dict),
    "from_networkx": (graphs(), check_from_networkx),
    "from_node_link": (node_links(), check_from_node_link),
    "observed": (tables(), check_observed),
    "observed_csv": (csv_tables(), check_observed_csv),
    "mutations": (MUTATIONS, check_mutations),
}


def run(examples: int) -> None:
    for strategy, check in PROPERTIES.values():
        settings(
            max_examples=examples,
            deadline=None,
            database=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
        )(given(strategy)(check))()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=500)
    run(parser.parse_args(argv).examples)
    print("no failure")
    return 0


if __name__ == "__main__":
    sys.exit(main())
