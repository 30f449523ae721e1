"""Tests for servicebp.conformance: observed directly-follows graph against the design."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from servicebp import Blueprint, ObservedDataError, Step, Wait, load, render_svg, save, to_dot
from servicebp.discovery._conformance import OVERLAY_KEY, conformance


def _desk() -> Blueprint:
    bp = Blueprint("Desk", stages=["s"])
    bp.add_step(Step(id="arrive", label="Arrive", lane="customer", stage="s"))
    bp.add_step(
        Step(
            id="queue",
            label="Queue",
            lane="customer",
            stage="s",
            wait=Wait(duration=5, tolerance=10),
        )
    )
    bp.add_step(
        Step(
            id="served",
            label="Served",
            lane="customer",
            stage="s",
            wait=Wait(duration=5, tolerance=10),
        )
    )
    bp.add_step(Step(id="leave", label="Leave", lane="customer", stage="s"))
    bp.add_step(Step(id="file", label="File", lane="backstage", stage="s"))
    bp.connect("arrive", "queue", label="walk in")
    bp.connect("queue", "served")
    bp.connect("served", "leave")
    return bp


LOG = {
    "case:concept:name": ["a", "a", "a", "b", "b", "b", "c", "c", "c"],
    "concept:name": [
        "arrive",
        "queue",
        "served",
        "arrive",
        "served",
        "coffee",
        "served",
        "arrive",
        "queue",
    ],
    # Case c is out of order in the table; timestamps order it.
    "time:timestamp": [0, 4, 24, 0, 2, 3, 30, 0, 6],
}


def test_counts_waits_and_differences_by_hand() -> None:
    result = conformance(_desk(), LOG)
    assert result.cases == 3
    edges = {(e.source, e.target): (e.count, e.median_wait, e.designed) for e in result.edges}
    # arrive→queue: a (4 min), c (6 min): median 5.  queue→served: a 20, c 24: median 22.
    assert edges == {
        ("arrive", "queue"): (2, 5.0, True),
        ("queue", "served"): (2, 22.0, True),
        ("arrive", "served"): (1, 2.0, False),
    }
    assert [(e.source, e.target) for e in result.undesigned] == [("arrive", "served")]
    assert [(f.source, f.target) for f in result.unobserved] == [("served", "leave")]
    assert result.skipped == {"arrive->served": ("queue",)}
    assert result.never_observed == ("leave",)
    assert result.unknown_activities == {"coffee": 1}
    # Arrivals into served: 20, 2, 24 → median 20 > tolerance 10, 2 of 3 over.
    (slow,) = result.slow_waits
    assert (slow.step, slow.median_wait, slow.tolerance) == ("served", 20.0, 10)
    assert slow.share_over == pytest.approx(2 / 3)


def test_overlay_carries_observations_and_leaves_the_design_alone() -> None:
    bp = _desk()
    overlay = conformance(bp, LOG).overlay
    assert overlay.flow("arrive", "queue").label == "walk in\nn=2, median wait 5 min"
    assert overlay.flow("arrive", "served").label == "not designed: n=1, median wait 2 min"
    assert overlay.flow("served", "leave").label == "never observed"
    assert bp.flow("arrive", "queue").label == "walk in"
    assert not bp.graph.has_edge("arrive", "served")


def test_csv_with_iso_timestamps_and_custom_columns(tmp_path: Path) -> None:
    path = tmp_path / "log.csv"
    path.write_text(
        "case,step,at\n"
        "1,arrive,2024-05-01T09:00:00\n"
        "1,queue,2024-05-01T09:03:00\n"
        "1,served,2024-05-01 09:30:00+00:00\n",
        encoding="utf-8",
    )
    result = conformance(_desk(), path, case="case", activity="step", timestamp="at")
    assert [(e.source, e.target, e.median_wait) for e in result.edges] == [
        ("arrive", "queue", 3.0),
        ("queue", "served", 27.0),
    ]
    assert [s.step for s in result.slow_waits] == ["served"]


def test_pandas_and_polars_logs() -> None:
    import pandas as pd
    import polars as pl

    for frame in (pd.DataFrame(LOG), pl.DataFrame(LOG)):
        assert conformance(_desk(), frame).cases == 3


def test_bad_logs_are_named(tmp_path: Path) -> None:
    with pytest.raises(ObservedDataError, match="missing column"):
        conformance(_desk(), {"case:concept:name": [1]})
    path = tmp_path / "log.csv"
    path.write_text("case:concept:name,concept:name,time:timestamp\n1,arrive,soon\n")
    with pytest.raises(ObservedDataError, match="'soon'"):
        conformance(_desk(), path)


def test_missing_times_are_errors_not_numbers(tmp_path: Path) -> None:
    import pandas as pd

    frame = pd.DataFrame(
        {
            "case:concept:name": [1, 1],
            "concept:name": ["arrive", "queue"],
            "time:timestamp": pd.to_datetime(["2024-01-01 10:00", None]),
        }
    )
    missing = "column 'time:timestamp': the timestamp is missing"
    with pytest.raises(ObservedDataError, match=f"row 1: {missing}"):
        conformance(_desk(), frame)
    path = tmp_path / "log.csv"
    path.write_text("case:concept:name,concept:name,time:timestamp\n1,arrive,0\n1,queue,nan\n")
    with pytest.raises(ObservedDataError, match=rf"log\.csv:3: {missing}"):
        conformance(_desk(), path)


def test_csv_errors_name_the_file_line(tmp_path: Path) -> None:
    path = tmp_path / "log.csv"
    path.write_text(
        "case:concept:name,concept:name,time:timestamp\n1,arrive,0\n\n,,\n1,queue,soon\n"
    )
    with pytest.raises(ObservedDataError, match=r"log\.csv:5: column 'time:timestamp': 'soon'"):
        conformance(_desk(), path)
    path.write_text("case:concept:name,concept:name,time:timestamp,concept:name\n1,a,0,b\n")
    with pytest.raises(ObservedDataError, match=r"log\.csv:1: duplicate column"):
        conformance(_desk(), path)
    path.write_text("case:concept:name,concept:name,time:timestamp\n1,arrive\n")
    with pytest.raises(ObservedDataError, match=r"log\.csv:2: 2 cells where the header has 3"):
        conformance(_desk(), path)


def test_rows_of_blank_cells_are_skipped_and_structured_arrays_read(tmp_path: Path) -> None:
    import numpy as np

    path = tmp_path / "log.csv"
    path.write_text(
        ",,\ncase:concept:name,concept:name,time:timestamp\n1,arrive,0\n,,\n1,queue,4\n"
    )
    assert [(e.source, e.target, e.median_wait) for e in conformance(_desk(), path).edges] == [
        ("arrive", "queue", 4.0)
    ]
    log = np.array(
        [(1, "arrive", 0.0), (1, "queue", 4.0)],
        dtype=[("case:concept:name", "i8"), ("concept:name", "U8"), ("time:timestamp", "f8")],
    )
    assert conformance(_desk(), log).edges[0].median_wait == 4.0


# --- lanes: a log interleaves them, the design orders each and joins them -----------------


def _counter() -> Blueprint:
    """Customer arrive -> apply -> leave; frontstage greet -> open; backstage check."""
    bp = Blueprint("Counter", stages=["s"])
    for sid, lane in [
        ("arrive", "customer"),
        ("apply", "customer"),
        ("leave", "customer"),
        ("greet", "frontstage"),
        ("open", "frontstage"),
        ("check", "backstage"),
    ]:
        bp.add_step(Step(id=sid, label=sid.title(), lane=lane, stage="s"))
    bp.connect("arrive", "apply")
    bp.connect("apply", "leave")
    bp.connect("greet", "open")
    bp.connect("arrive", "greet", kind="support")
    bp.connect("apply", "open", kind="support")
    bp.connect("leave", "open", kind="support")
    bp.connect("open", "check", kind="support")
    return bp


def _log(*cases: list[str]) -> dict[str, list[object]]:
    log: dict[str, list[object]] = {
        "case:concept:name": [],
        "concept:name": [],
        "time:timestamp": [],
    }
    for c, steps in enumerate(cases):
        for k, sid in enumerate(steps):
            log["case:concept:name"].append(c)
            log["concept:name"].append(sid)
            log["time:timestamp"].append(10 * k)
    return log


def test_an_interleaved_log_that_follows_the_design_conforms() -> None:
    # Both lanes of each case, interleaved in time as they happen.
    walk = ["arrive", "greet", "apply", "open", "leave"]
    result = conformance(_counter(), _log(walk, walk, walk))
    # Per lane: customer arrive(0) apply(20) leave(40); frontstage greet(10) open(30).
    assert {(e.source, e.target): (e.count, e.median_wait) for e in result.edges} == {
        ("arrive", "apply"): (3, 20.0),
        ("apply", "leave"): (3, 20.0),
        ("greet", "open"): (3, 20.0),
    }
    assert all(e.designed for e in result.edges)
    assert result.undesigned == ()
    assert result.unobserved == ()
    assert result.skipped == {}
    assert result.never_observed == ()  # the backstage lane is not in the log
    # Support flows: both ends in all three cases; open -> check is out of the log's lanes.
    assert [(x.source, x.target, x.cases) for x in result.links] == [
        ("arrive", "greet", 3),
        ("apply", "open", 3),
        ("leave", "open", 3),
    ]
    assert result.unobserved_links == ()


def test_support_flows_never_observed_are_reported_apart() -> None:
    # Case 0: the customer leaves without the teller opening anything.
    result = conformance(_counter(), _log(["arrive", "greet", "apply", "leave"]))
    assert [(x.source, x.target) for x in result.links] == [("arrive", "greet")]
    assert [(f.source, f.target) for f in result.unobserved_links] == [
        ("apply", "open"),
        ("leave", "open"),
    ]
    assert [(f.source, f.target) for f in result.unobserved] == [("greet", "open")]
    assert result.undesigned == ()
    assert result.never_observed == ("open",)
    overlay = result.overlay
    assert overlay.flow("arrive", "greet").label == "both in 1 case(s)"
    assert overlay.flow("apply", "open").label == "never observed"


def test_cross_lane_pairs_are_never_undesigned_flows() -> None:
    # Frontstage greet happens before the customer arrives and after she leaves:
    # cross-lane neighbours (greet -> arrive, leave -> greet) are no flows.
    result = conformance(_counter(), _log(["greet", "arrive", "apply", "leave", "open"]))
    assert result.undesigned == ()
    assert {(e.source, e.target) for e in result.edges} == {
        ("arrive", "apply"),
        ("apply", "leave"),
        ("greet", "open"),
    }
    # greet(0) -> open(40): the wait spans every customer event in between.
    assert result.edges[-1].median_wait == 40.0


def test_a_designed_sequence_flow_between_lanes_counts_as_a_link() -> None:
    bp = _counter()
    bp.connect("open", "leave")  # sequence, frontstage -> customer
    both = conformance(bp, _log(["arrive", "apply", "open", "leave"]))
    assert ("open", "leave", 1) in [(x.source, x.target, x.cases) for x in both.links]
    assert all((f.source, f.target) != ("open", "leave") for f in both.unobserved)
    one = conformance(bp, _log(["arrive", "apply", "leave", "greet"]))
    assert ("open", "leave") in [(f.source, f.target) for f in one.unobserved_links]


def test_waits_are_gaps_within_the_lane_including_the_previous_step() -> None:
    bp = _desk()  # served: wait tolerance 10, designed wait duration 5
    bp.replace_step(bp["queue"].evolve(duration=30))
    bp.add_step(Step(id="help", label="Help", lane="frontstage", stage="s"))
    log = {
        "case:concept:name": ["a"] * 4,
        "concept:name": ["arrive", "queue", "help", "served"],
        "time:timestamp": [0, 2, 5, 14],
    }
    result = conformance(bp, log)
    # queue(2) -> served(14): 12 min, frontstage help in between does not break it,
    # and queue's designed 30-minute duration is not subtracted.
    assert [(e.source, e.target, e.median_wait) for e in result.edges] == [
        ("arrive", "queue", 2.0),
        ("queue", "served", 12.0),
    ]
    ((slow),) = result.slow_waits
    assert (slow.step, slow.median_wait, slow.share_over) == ("served", 12.0, 1.0)


# --- the overlay stays a blueprint ----------------------------------------------------------

REWORK = {
    "case:concept:name": [1, 1, 1, 1, 1, 2, 2, 2],
    "concept:name": ["arrive", "queue", "arrive", "queue", "served", "arrive", "arrive", "queue"],
    "time:timestamp": [0, 5, 7, 9, 20, 0, 1, 3],
}


def test_rework_is_written_on_the_step_and_the_overlay_saves_and_renders(
    tmp_path: Path,
) -> None:
    result = conformance(_desk(), REWORK)
    edges = {(e.source, e.target): (e.count, e.designed) for e in result.edges}
    assert edges[("queue", "arrive")] == (1, False)
    assert edges[("arrive", "arrive")] == (1, False)
    assert {(e.source, e.target) for e in result.undesigned} == {
        ("queue", "arrive"),
        ("arrive", "arrive"),
    }
    overlay = result.overlay
    assert not overlay.graph.has_edge("queue", "arrive")
    assert overlay.problems() == []
    assert overlay["queue"].label == "Queue\nnot designed: -> arrive, n=1, median wait 2 min"
    assert overlay["queue"].attributes[OVERLAY_KEY] == {
        "undesigned": [{"to": "arrive", "count": 1, "median_wait": 2.0}]
    }
    assert overlay["arrive"].attributes[OVERLAY_KEY]["undesigned"][0]["to"] == "arrive"
    path = tmp_path / "overlay.yaml"
    save(overlay, path)
    back = load(path)
    assert back == overlay
    dot = to_dot(back).source
    # The label is wrapped to the step's width (DejaVu metrics); its words are all there.
    assert 'label="Queue\\nnot designed: ->' in dot
    assert "median" in dot
    assert "wait 2 min" in dot.replace("\\n", " ")
    svg = render_svg(back, engine="embedded")
    assert svg.count("not designed: &#45;&gt;") == 2
    assert 'id="queue"' in svg


def test_an_undesigned_edge_that_closes_no_cycle_is_drawn_as_a_flow() -> None:
    overlay = conformance(_desk(), LOG).overlay
    assert overlay.flow("arrive", "served").label == "not designed: n=1, median wait 2 min"
    assert OVERLAY_KEY not in overlay["arrive"].attributes


_DESK_STEPS = ["arrive", "queue", "served", "leave", "file"]


@settings(max_examples=60)
@given(
    st.lists(st.lists(st.sampled_from(_DESK_STEPS), min_size=1, max_size=8), min_size=1, max_size=6)
)
def test_every_overlay_is_a_valid_blueprint_that_round_trips(cases: list[list[str]]) -> None:
    from servicebp import dumps, loads

    result = conformance(_desk(), _log(*cases))
    assert result.overlay.problems() == []
    assert loads(dumps(result.overlay)) == result.overlay
    # Each undesigned edge is drawn as a flow or written on its source step, never lost.
    for e in result.undesigned:
        drawn = result.overlay.graph.has_edge(e.source, e.target)
        noted = result.overlay[e.source].attributes.get(OVERLAY_KEY, {}).get("undesigned", [])
        assert drawn or e.target in [n["to"] for n in noted]
    # Counts are the per-lane consecutive pairs.
    pairs = sum(
        sum(1 for a in c if a != "file") - 1 if any(a != "file" for a in c) else 0 for c in cases
    ) + sum(max(c.count("file") - 1, 0) for c in cases)
    assert sum(e.count for e in result.edges) == pairs


# --- blank ids and activities -----------------------------------------------------------------


def test_blank_case_ids_and_activities_are_errors_naming_the_line(tmp_path: Path) -> None:
    path = tmp_path / "log.csv"
    path.write_text(
        "case:concept:name,concept:name,time:timestamp\n1,arrive,0\n,queue,2024-05-01T09:00\n"
    )
    with pytest.raises(
        ObservedDataError, match=r"log\.csv:3: column 'case:concept:name': the case id is missing"
    ):
        conformance(_desk(), path)
    path.write_text("case:concept:name,concept:name,time:timestamp\n1,arrive,0\n1, ,1\n")
    with pytest.raises(
        ObservedDataError, match=r"log\.csv:3: column 'concept:name': the activity is missing"
    ):
        conformance(_desk(), path)


def test_missing_ids_in_frames_and_arrays_are_errors() -> None:
    import pandas as pd

    frame = pd.DataFrame(
        {
            "case:concept:name": ["a", None, "b"],
            "concept:name": ["arrive", "queue", "served"],
            "time:timestamp": [0, 1, 2],
        },
        index=[10, 11, 12],
    )
    with pytest.raises(ObservedDataError, match=r"row .*11.*: column 'case:concept:name'"):
        conformance(_desk(), frame)
    log = {
        "case:concept:name": np.array([1.0, np.nan]),
        "concept:name": ["arrive", "queue"],
        "time:timestamp": [0, 1],
    }
    with pytest.raises(ObservedDataError, match=r"row 1: .*the case id is missing"):
        conformance(_desk(), log)
    log = {"case:concept:name": [1, 1], "concept:name": ["arrive", None], "time:timestamp": [0, 1]}
    with pytest.raises(ObservedDataError, match=r"row 1: .*the activity is missing"):
        conformance(_desk(), log)


def test_blank_journey_ids_are_errors_in_discovery_tables_too() -> None:
    from servicebp import suggest_moments

    events = {
        "journey": ["1", "", "2"],
        "step": ["arrive", "queue", "arrive"],
        "order": [1, 2, 1],
        "ok": [1, 1, 0],
    }
    with pytest.raises(ObservedDataError, match="column 'journey': the journey id is missing"):
        suggest_moments(_desk(), events, outcome="ok")


def test_many_missing_ids_are_summarised() -> None:
    log = {
        "case:concept:name": [""] * 25,
        "concept:name": ["arrive"] * 25,
        "time:timestamp": list(range(25)),
    }
    with pytest.raises(ObservedDataError) as info:
        conformance(_desk(), log)
    text = str(info.value)
    assert text.startswith("25 problems:")
    assert "and 15 more rows like these" in text
    assert [p.row for p in info.value.problems] == list(range(10))
    assert info.value.more == 15


@settings(max_examples=40)
@given(
    st.lists(
        st.lists(st.sampled_from(["arrive", "apply", "leave", "greet", "open", "check", "x"])),
        min_size=1,
        max_size=5,
    )
)
def test_links_count_the_cases_holding_both_ends(cases: list[list[str]]) -> None:
    from servicebp import dumps, loads

    result = conformance(_counter(), _log(*cases))
    assert result.overlay.problems() == []
    assert loads(dumps(result.overlay)) == result.overlay
    lanes = {"arrive": 1, "apply": 1, "leave": 1, "greet": 2, "open": 2, "check": 3}
    seen_lanes = {lanes[a] for c in cases for a in c if a in lanes}
    for f in _counter().flows(kind="support"):
        together = sum(1 for c in cases if f.source in c and f.target in c)
        links = {(x.source, x.target): x.cases for x in result.links}
        in_scope = {lanes[f.source], lanes[f.target]} <= seen_lanes
        assert links.get((f.source, f.target), 0) == together
        assert (f in result.unobserved_links) == (together == 0 and in_scope)
    # No undesigned pair joins two lanes.
    assert all(lanes[e.source] == lanes[e.target] for e in result.edges)


def test_a_log_of_unknown_activities_only() -> None:
    result = conformance(_desk(), _log(["coffee", "tea"]))
    assert (result.cases, result.edges, result.links, result.never_observed) == (1, (), (), ())
    assert result.unknown_activities == {"coffee": 1, "tea": 1}
    assert result.overlay == _desk()
