"""Tests for servicebp.conformance: observed directly-follows graph against the design."""

from __future__ import annotations

from pathlib import Path

import pytest

from servicebp import Blueprint, ObservedDataError, Step, Wait
from servicebp.conformance import conformance


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
    with pytest.raises(ObservedDataError, match="column 'time:timestamp': it has no time"):
        conformance(_desk(), frame)
    path = tmp_path / "log.csv"
    path.write_text("case:concept:name,concept:name,time:timestamp\n1,arrive,0\n1,queue,nan\n")
    with pytest.raises(ObservedDataError, match=r"log\.csv:3: column 'time:timestamp': it has no"):
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
