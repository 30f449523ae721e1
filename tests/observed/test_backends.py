"""Every backend gives what the in-memory numpy path gives: pandas, polars, pyarrow, DuckDB, files.

The lazy ones (polars LazyFrame, DuckDB relations, Parquet and CSV globs) are
scored by group-bys inside the backend (``servicebp.observed._reduce``); the
eager ones are read into numpy columns. Spark has its own marked module,
``tests/test_spark.py``.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb
import narwhals.stable.v2 as nw
import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from servicebp import (
    STRATEGIES,
    Blueprint,
    MomentOfTruth,
    ObservedDataError,
    Step,
    conformance,
    read_observed,
    scan_events,
    score_observed,
    step_statistics,
    suggest_moments,
)

STEPS = ("browse", "ask", "pay", "leave")
FIXTURE = HealthCheck.function_scoped_fixture


def shop() -> Blueprint:
    bp = Blueprint("Shop", stages=["s"])
    for sid in STEPS:
        moment = MomentOfTruth(kind="purchase", weight=3) if sid == "pay" else None
        bp.add_step(Step(id=sid, label=sid, lane="customer", stage="s", moment=moment))
    for a, b in itertools.pairwise(STEPS):
        bp.connect(a, b)
    return bp


@st.composite
def event_tables(draw: st.DrawFn) -> dict[str, np.ndarray[Any, Any]]:
    """Events of a few journeys, interleaved; distinct order values within a journey."""
    journeys = draw(st.integers(1, 8))
    rows: dict[str, list[Any]] = {"journey": [], "step": [], "order": [], "rating": [], "won": []}
    for j in range(journeys):
        n = draw(st.integers(1, 6))
        won = draw(st.integers(0, 1))
        orders = draw(st.permutations(range(n)))
        for k in range(n):
            rows["journey"].append(f"j{j}")
            rows["step"].append(draw(st.sampled_from(STEPS)))
            rows["order"].append(orders[k])
            rows["rating"].append(draw(st.sampled_from([-3.0, -2.5, -1.0, 0.0, 0.5, 2.0, 3.0])))
            rows["won"].append(won)
    shuffle = draw(st.permutations(range(len(rows["journey"]))))
    return {k: np.array(v)[list(shuffle)] for k, v in rows.items()}


def _frames(events: dict[str, Any], folder: Path) -> dict[str, Callable[[], Any]]:
    frame = pd.DataFrame(events)
    pq.write_table(pa.Table.from_pandas(frame), folder / "events.parquet")
    frame.to_csv(folder / "part-1.csv", index=False)
    return {
        "pandas": lambda: frame,
        "polars": lambda: pl.DataFrame(frame),
        "polars-lazy": lambda: pl.DataFrame(frame).lazy(),
        "pyarrow": lambda: pa.Table.from_pandas(frame),
        "duckdb": lambda: duckdb.from_arrow(pa.Table.from_pandas(frame)),
        "parquet": lambda: str(folder / "events.parquet"),
        "csv-glob": lambda: str(folder / "part-*.csv"),
        "scan": lambda: scan_events(folder / "events.parquet", memory_limit="512MB"),
    }


def _columns(result: Any) -> dict[str, list[Any]]:
    if isinstance(result, dict):
        return {k: np.asarray(v).tolist() for k, v in result.items()}
    frame = nw.from_native(result)
    if isinstance(frame, nw.LazyFrame):
        frame = frame.collect()
    return {name: frame[name].to_list() for name in frame.columns}


@settings(max_examples=8, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(events=event_tables())
def test_every_backend_scores_as_numpy(events: dict[str, Any], tmp_path: Path) -> None:
    bp = shop()
    expected = score_observed(bp, events, outcome="won")
    stats = step_statistics(bp, events)
    for name, make in _frames(events, tmp_path).items():
        found = _columns(score_observed(bp, make(), outcome="won", output="numpy"))
        assert found == _columns(expected), name
        same = _columns(step_statistics(bp, make(), output="numpy"))
        np.testing.assert_equal(same, _columns(stats), err_msg=name)


@settings(max_examples=4, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(events=event_tables())
def test_every_backend_gives_the_same_conformance_and_removal_effects(
    events: dict[str, Any], tmp_path: Path
) -> None:
    bp = shop()
    log = {"case": events["journey"], "activity": events["step"], "t": events["order"]}
    expected = conformance(bp, log, case="case", activity="activity", timestamp="t")
    suggested = suggest_moments(bp, events, outcome="won", resamples=0)
    for name, make in _frames(events, tmp_path).items():
        found = conformance(bp, make(), case="journey", activity="step", timestamp="order")
        assert (found.cases, found.edges, found.links) == (
            expected.cases,
            expected.edges,
            expected.links,
        ), name
        assert suggest_moments(bp, make(), outcome="won", resamples=0) == suggested, name


def test_lazy_results_come_back_as_the_callers_kind() -> None:
    bp = shop()
    events = {"journey": ["a", "a"], "step": ["browse", "pay"], "order": [1, 2], "rating": [2, -1]}
    frame = pl.DataFrame(events)
    assert isinstance(score_observed(bp, frame.lazy()), pl.LazyFrame)
    relation = duckdb.from_arrow(frame.to_arrow())
    scored = score_observed(bp, relation, strategies=["last", "mean"])
    assert isinstance(scored, duckdb.DuckDBPyRelation)
    assert scored.fetchall() == [("a", -1.0, 0.5)]
    assert isinstance(score_observed(bp, frame.to_arrow()), pa.Table)


@pytest.mark.parametrize("backend", ["polars-lazy", "duckdb", "parquet"])
def test_bad_input_on_lazy_backends_is_named_as_in_memory(backend: str, tmp_path: Path) -> None:
    bp = shop()
    events = {
        "journey": np.array(["a", "a", "b"]),
        "step": np.array(["browse", "pay", "teleport"]),
        "order": np.array([1, 2, 1]),
        "rating": np.array([2.0, 9.0, 1.0]),
    }
    with pytest.raises(ObservedDataError) as expected:
        score_observed(bp, {**events, "step": np.array(["browse", "pay", "ask"])})
    table = _frames(events | {"step": np.array(["browse", "pay", "ask"])}, tmp_path)[backend]()
    with pytest.raises(ObservedDataError) as found:
        score_observed(bp, table)
    assert str(found.value) == str(expected.value)
    assert str(found.value).startswith("row 1: column 'rating': 9.0 is ")
    unknown = _frames({**events, "rating": np.array([2.0, 1.0, 1.0])}, tmp_path)[backend]()
    with pytest.raises(ObservedDataError, match="1 step not in blueprint 'Shop': 'teleport'"):
        score_observed(bp, unknown)


def test_every_strategy_has_a_lazy_reduction() -> None:
    from servicebp.observed._kernels import VECTORISED

    assert set(VECTORISED) <= set(STRATEGIES)


def test_a_csv_file_read_by_duckdb_means_what_the_text_reader_reads(tmp_path: Path) -> None:
    """Ids stay text ('007'), cells are trimmed, outcomes are numbers where all are."""
    bp = shop()
    path = tmp_path / "events.csv"
    path.write_text(
        "journey,step,order,rating,outcome\n007, browse,1,2,1\n007,pay,2,-1,1\n8,ask,1,3,0.5\n"
    )
    expected = score_observed(bp, read_observed(path))
    found = score_observed(bp, path)
    assert _columns(found) == _columns(expected)
    assert found["journey"].tolist() == ["007", "8"]
    assert found["outcome"].tolist() == [1.0, 0.5]
    path.write_text(path.read_text() + "8,pay,2,x,0.5\n")
    with pytest.raises(
        ObservedDataError, match=r"events\.csv:5: column 'rating': 'x' is not a number"
    ):
        score_observed(bp, path)
