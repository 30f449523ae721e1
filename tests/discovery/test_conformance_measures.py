"""Fitness, precision and per-case deviations; XES and OCEL 2.0 logs read like the CSV."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from servicebp import Blueprint, Step, conformance, read_ocel, read_xes
from servicebp.errors import ObservedDataError
from tests._factories import chain


def _desk() -> Blueprint:
    bp = chain(("a", "b", "c"), name="Desk", label="{id}")
    for sid in ("x", "y"):
        bp.add_step(Step(id=sid, label=sid, lane="frontstage", stage="s"))
    bp.connect("x", "y")
    bp.connect("a", "x", kind="support")
    return bp


#: case, activity, minute: case 1 follows the design; case 2 skips b; case 3 repeats b.
_EVENTS = [
    ("1", "a", 0), ("1", "x", 1), ("1", "b", 2), ("1", "y", 3), ("1", "c", 4),
    ("2", "a", 0), ("2", "c", 5),
    ("3", "a", 0), ("3", "b", 1), ("3", "b", 2),
]  # fmt: skip


def _log(events: list[tuple[str, str, int]]) -> dict[str, list[Any]]:
    return {
        "case:concept:name": [e[0] for e in events],
        "concept:name": [e[1] for e in events],
        "time:timestamp": [f"2024-05-01T09:{e[2]:02}:00+00:00" for e in events],
    }


def test_fitness_precision_and_deviations_by_hand() -> None:
    result = conformance(_desk(), _log(_EVENTS))
    # Within-lane transitions: case 1 a→b, b→c, x→y (all designed); case 2 a→c
    # (not); case 3 a→b (designed), b→b (not): 4 of 6 fit.
    assert result.transitions == 6
    assert result.fitness == pytest.approx(4 / 6)
    # Designed within-lane flows a→b, b→c, x→y: all followed by some case.
    assert result.precision == 1.0
    assert [
        (d.case, d.transitions, d.fitting, d.fitness, d.undesigned) for d in result.deviations
    ] == [
        ("2", 1, 0, 0.0, (("a", "c"),)),
        ("3", 2, 1, 0.5, (("b", "b"),)),
    ]
    # Cases 2 and 3 only: no frontstage event, so only a→b and b→c are judged;
    # case 3 follows a→b, nobody b→c: precision 1/2.
    alone = conformance(_desk(), _log([e for e in _EVENTS if e[0] != "1"]))
    assert alone.precision == pytest.approx(1 / 2)


def test_a_log_without_transitions_has_no_fitness() -> None:
    result = conformance(_desk(), _log([("1", "a", 0), ("2", "b", 0)]))
    assert (result.fitness, result.transitions, result.deviations) == (None, 0, ())
    # The frontstage lane is not in the log: only the customer flows are judged.
    assert result.precision == 0.0


@st.composite
def _designs_and_logs(draw: st.DrawFn) -> tuple[Blueprint, dict[str, list[Any]], set[str]]:
    """A blueprint of a few lanes, each a random DAG of sequence flows, and cases walked on it."""
    lanes = draw(st.lists(st.sampled_from(["customer", "frontstage", "backstage"]), min_size=1,
                          max_size=3, unique=True))  # fmt: skip
    bp = Blueprint("Walk", stages=["s"])
    successors: dict[str, list[str]] = {}
    for lane in lanes:
        size = draw(st.integers(1, 5))
        ids = [f"{lane[0]}{i}" for i in range(size)]
        for sid in ids:
            bp.add_step(Step(id=sid, label=sid, lane=lane, stage="s"))
            successors[sid] = []
        for i in range(size):
            for j in range(i + 1, size):
                if draw(st.booleans()):
                    bp.connect(ids[i], ids[j])
                    successors[ids[i]].append(ids[j])
    events: list[tuple[str, str, int]] = []
    followed: set[str] = set()
    for case in range(draw(st.integers(1, 6))):
        for lane in lanes:
            # Each lane's clock starts afresh, so lanes interleave in time; within
            # a lane times rise strictly (equal times would keep the row order).
            clock = draw(st.integers(0, 3))
            here = draw(st.sampled_from([s.id for s in bp.steps(lane=lane)]))
            while True:
                events.append((f"c{case}", here, clock))
                clock += draw(st.integers(1, 3))
                if not successors[here] or draw(st.booleans()):
                    break
                nxt = draw(st.sampled_from(successors[here]))
                followed.add(f"{here}->{nxt}")
                here = nxt
    # Shuffle the rows: the timestamps keep each lane's order.
    shuffled = draw(st.permutations(events))
    log = {
        "case:concept:name": [e[0] for e in shuffled],
        "concept:name": [e[1] for e in shuffled],
        "time:timestamp": [e[2] for e in shuffled],
    }
    return bp, log, followed


@settings(max_examples=40)
@given(_designs_and_logs())
def test_logs_generated_from_the_blueprint_have_fitness_one(
    case: tuple[Blueprint, dict[str, list[Any]], set[str]],
) -> None:
    bp, log, followed = case
    result = conformance(bp, log)
    if result.transitions:
        assert result.fitness == 1.0
    assert result.deviations == ()
    designed = {f"{f.source}->{f.target}" for f in bp.flows()}
    if designed:
        assert result.precision == pytest.approx(len(followed) / len(designed))


def _xes(events: list[tuple[str, str, int]]) -> str:
    traces: dict[str, list[str]] = {}
    for case, activity, minute in events:
        traces.setdefault(case, []).append(
            f'<event><string key="concept:name" value="{activity}"/>'
            f'<date key="time:timestamp" value="2024-05-01T09:{minute:02}:00+00:00"/></event>'
        )
    body = "".join(
        f'<trace><string key="concept:name" value="{case}"/>{"".join(items)}</trace>'
        for case, items in traces.items()
    )
    return f'<?xml version="1.0" encoding="UTF-8"?><log xes.version="1.0" xmlns="http://www.xes-standard.org/">{body}</log>'


def _ocel(events: list[tuple[str, str, int]]) -> dict[str, Any]:
    cases = sorted({e[0] for e in events})
    return {
        "objectTypes": [{"name": "guest", "attributes": []}, {"name": "desk", "attributes": []}],
        "eventTypes": [{"name": a, "attributes": []} for a in sorted({e[1] for e in events})],
        "objects": [{"id": c, "type": "guest"} for c in cases] + [{"id": "d1", "type": "desk"}],
        "events": [
            {
                "id": f"e{k}",
                "type": activity,
                "time": f"2024-05-01T09:{minute:02}:00+00:00",
                "attributes": [],
                "relationships": [
                    {"objectId": case, "qualifier": "guest"},
                    {"objectId": "d1", "qualifier": "at"},
                ],
            }
            for k, (case, activity, minute) in enumerate(events)
        ],
    }


def _ocel_xml(data: dict[str, Any]) -> str:
    objects = "".join(f'<object id="{o["id"]}" type="{o["type"]}"/>' for o in data["objects"])
    events = "".join(
        f'<event id="{e["id"]}" type="{e["type"]}" time="{e["time"]}"><objects>'
        + "".join(
            f'<relationship object-id="{r["objectId"]}" qualifier="{r["qualifier"]}"/>'
            for r in e["relationships"]
        )
        + "</objects></event>"
        for e in data["events"]
    )
    return f'<?xml version="1.0"?><log><objects>{objects}</objects><events>{events}</events></log>'


def _ocel_sqlite(data: dict[str, Any], path: Path) -> None:
    """The OCEL 2.0 SQLite layout: one table of events per event type, through event_map_type."""
    import contextlib
    import sqlite3

    with contextlib.closing(sqlite3.connect(path)) as db, db:
        db.execute("CREATE TABLE event (ocel_id TEXT, ocel_type TEXT)")
        db.execute("CREATE TABLE object (ocel_id TEXT, ocel_type TEXT)")
        db.execute("CREATE TABLE event_object (ocel_event_id, ocel_object_id, ocel_qualifier)")
        db.execute("CREATE TABLE event_map_type (ocel_type TEXT, ocel_type_map TEXT)")
        kinds = sorted({e["type"] for e in data["events"]})
        for k, kind in enumerate(kinds):
            db.execute("INSERT INTO event_map_type VALUES (?, ?)", (kind, f"T{k}"))
            db.execute(f"CREATE TABLE event_T{k} (ocel_id TEXT, ocel_time TEXT)")
        for e in data["events"]:
            db.execute("INSERT INTO event VALUES (?, ?)", (e["id"], e["type"]))
            table = f"event_T{kinds.index(e['type'])}"
            db.execute(f"INSERT INTO {table} VALUES (?, ?)", (e["id"], e["time"]))
            for r in e["relationships"]:
                db.execute(
                    "INSERT INTO event_object VALUES (?, ?, ?)",
                    (e["id"], r["objectId"], r["qualifier"]),
                )
        for o in data["objects"]:
            db.execute("INSERT INTO object VALUES (?, ?)", (o["id"], o["type"]))


def _summary(result: Any) -> tuple[Any, ...]:
    return (
        result.cases,
        result.edges,
        result.links,
        result.fitness,
        result.precision,
        result.deviations,
        result.unknown_activities,
    )


def test_xes_and_ocel_give_the_conformance_of_the_csv(tmp_path: Path) -> None:
    bp = _desk()
    csv = tmp_path / "log.csv"
    rows = _log(_EVENTS)
    csv.write_text(
        "case:concept:name,concept:name,time:timestamp\n"
        + "".join(f"{c},{a},{t}\n" for c, a, t in zip(*rows.values(), strict=True)),
        encoding="utf-8",
    )
    expected = _summary(conformance(bp, csv))
    (tmp_path / "log.xes").write_text(_xes(_EVENTS), encoding="utf-8")
    assert _summary(conformance(bp, read_xes(tmp_path / "log.xes"))) == expected
    data = _ocel(_EVENTS)
    (tmp_path / "log.jsonocel").write_text(json.dumps(data), encoding="utf-8")
    (tmp_path / "log.xmlocel").write_text(_ocel_xml(data), encoding="utf-8")
    _ocel_sqlite(data, tmp_path / "log.sqlite")
    for name in ("log.jsonocel", "log.xmlocel", "log.sqlite"):
        table = read_ocel(tmp_path / name, case_type="guest", lanes={"guest": "customer"})
        assert set(table["ocel:types"]) == {"desk;guest"}
        assert set(table["lane"]) == {"customer"}
        assert _summary(conformance(bp, table)) == expected, name


def test_bad_event_logs_are_named(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.xes"
    bomb.write_text(
        '<?xml version="1.0"?><!DOCTYPE log [<!ENTITY a "aaaa">]><log>&a;</log>', encoding="utf-8"
    )
    with pytest.raises(ObservedDataError, match="document type declaration"):
        read_xes(bomb)
    broken = tmp_path / "broken.xes"
    broken.write_text("<log><trace>", encoding="utf-8")
    with pytest.raises(ObservedDataError, match=r"broken\.xes: not well-formed XML"):
        read_xes(broken)
    nameless = tmp_path / "nameless.xes"
    nameless.write_text("<log><trace><event/></trace></log>", encoding="utf-8")
    with pytest.raises(ObservedDataError, match="trace 1 has no concept:name"):
        read_xes(nameless)
    ocel = tmp_path / "log.json"
    ocel.write_text(json.dumps(_ocel(_EVENTS)), encoding="utf-8")
    with pytest.raises(ObservedDataError, match=r"no object of type 'order' .*\['desk', 'guest'\]"):
        read_ocel(ocel, case_type="order")
    with pytest.raises(ObservedDataError, match=r"lanes\['guest'\]: 'lobby' is not a lane"):
        read_ocel(ocel, case_type="guest", lanes={"guest": "lobby"})
    with pytest.raises(ObservedDataError, match=r"ends in \.json"):
        read_ocel(tmp_path / "log.parquet", case_type="guest")
    (tmp_path / "bad.sqlite").write_bytes(b"not a database")
    with pytest.raises(ObservedDataError, match=r"not a readable OCEL 2\.0 SQLite log"):
        read_ocel(tmp_path / "bad.sqlite", case_type="guest")
