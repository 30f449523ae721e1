"""The one table layer under observed scoring, discovery and conformance."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import given
from hypothesis import strategies as st

from servicebp import (
    Blueprint,
    ObservedDataError,
    TableProblem,
    conformance,
    score_observed,
    suggest_moments,
)
from servicebp.observed._cells import factorize, is_missing, parse_ratings, parse_times
from tests._factories import chain


def _shop() -> Blueprint:
    return chain(("browse", "ask", "pay"), name="Shop", label="{id}")


def test_problems_name_pandas_index_labels_and_columns() -> None:
    frame = pd.DataFrame(
        {"journey": ["a", "a", "b"], "step": ["browse", "ask", "pay"], "order": [1, 2, 1]},
        index=["x", "y", "z"],
    )
    frame["rating"] = [1.0, 9.0, -7.0]
    with pytest.raises(ObservedDataError) as info:
        score_observed(_shop(), frame)
    assert [(p.row, p.table_column) for p in info.value.problems] == [
        ("y", "rating"),
        ("z", "rating"),
    ]
    assert all(isinstance(p, TableProblem) for p in info.value.problems)
    assert (
        str(info.value).splitlines()[1]
        == "  row 'y': column 'rating': 9.0 is not on the MOT scale -3…+3"
    )


@pytest.mark.parametrize("cell", ["", " ", None, float("nan"), pd.NA, pd.NaT, np.datetime64("NaT")])
def test_one_missing_cell_rule(cell: Any) -> None:
    assert is_missing(np.array(["x", cell], dtype=object)).tolist() == [False, True]


def test_blank_ids_are_missing_for_scoring_discovery_and_conformance() -> None:
    bp = _shop()
    events = {"journey": ["a", " "], "step": ["browse", "ask"], "order": [1, 2], "rating": [1, 2]}
    for run in (
        lambda: score_observed(bp, events),
        lambda: suggest_moments(bp, {**events, "y": [1, 1]}, outcome="y"),
        lambda: conformance(bp, events, case="journey", activity="step", timestamp="order"),
    ):
        with pytest.raises(
            ObservedDataError, match=r"row 1: column 'journey': the \w+ id is missing"
        ):
            run()


def test_iso_times_with_offsets_read_without_warnings() -> None:
    text = np.array(["2024-05-01T10:00:00+02:00", "2024-05-01T08:30Z", "2024-05-01 08:45"])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        found = parse_times(text, column="t")
    assert (found - found[0]).astype("timedelta64[m]").astype(int).tolist() == [0, 30, 45]


def test_aware_and_pyarrow_backed_times_are_taken_in_utc() -> None:
    bp = _shop()
    utc = pd.to_datetime(["2024-05-01T08:00Z", "2024-05-01T09:00Z", "2024-05-01T08:30Z"])
    local = utc.tz_convert("Asia/Shanghai")
    base = {"journey": ["a", "a", "a"], "step": ["browse", "ask", "pay"], "rating": [1, 2, -1]}
    frames = [
        pd.DataFrame({**base, "timestamp": utc}),
        pd.DataFrame({**base, "timestamp": local}),
        pd.DataFrame(
            {**base, "timestamp": pd.Series(utc, dtype=pd.ArrowDtype(pa.timestamp("us", "UTC")))}
        ),
        pa.table({**base, "timestamp": pa.array(utc.to_pydatetime(), pa.timestamp("ms", "UTC"))}),
    ]
    for frame in frames:
        assert score_observed(bp, frame, strategies="last", output="numpy")["last"].tolist() == [
            2.0
        ]


@given(st.lists(st.sampled_from(["b", "a", "c", "a"]), min_size=1))
def test_factorize_codes_into_sorted_ids(ids: list[str]) -> None:
    distinct, codes = factorize(np.array(ids, dtype=object), column="j", what="journey")
    assert distinct.tolist() == sorted(set(ids))
    assert [distinct[c] for c in codes] == ids


def test_one_rating_parser_blank_is_missing_or_unrated() -> None:
    cells = np.array(["1", "", "-2"], dtype=object)
    with pytest.raises(ObservedDataError, match="row 1: column 'r': the rating is missing"):
        parse_ratings(cells, column="r", text=True)
    assert parse_ratings(cells, column="r", text=True, unrated=True)[[0, 2]].tolist() == [1.0, -2.0]
