"""Tests of servicebp.observed: reading and scoring observed journeys."""

from __future__ import annotations

import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from servicebp import (
    STRATEGIES,
    Blueprint,
    Journey,
    JourneyStep,
    MissingDependencyError,
    MomentOfTruth,
    ObservedDataError,
    Step,
    UnknownStepReport,
    UnknownStrategyError,
    read_observed,
    read_ratings,
    register_strategy,
    score,
    score_observed,
    step_statistics,
    unregister_strategy,
)


def _bp() -> Blueprint:
    bp = Blueprint("Shop", stages=["buy"])
    for sid in ("ask", "pay"):
        bp.add_step(Step(id=sid, label=sid, lane="customer", stage="buy"))
    return bp


def _write(tmp_path: Path, text: str, name: str = "r.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# -- read_ratings ---------------------------------------------------------------


def test_read_ratings_step_layout(tmp_path: Path) -> None:
    path = _write(tmp_path, "step,rating\nask,2\n\npay,-1.5\n")
    assert read_ratings(path) == {"ask": 2.0, "pay": -1.5}


def test_read_ratings_journey_layout_gives_per_step_mean(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "journey,step,timestamp,rating,outcome\n"
        "j1,ask,1,3,yes\nj2,ask,1,-2,no\nj1,pay,2,1,yes\nj2,ask,2,2,no\n",
    )
    assert read_ratings(path) == {"ask": 1.0, "pay": 1.0}


def test_read_ratings_accepts_byte_order_mark(tmp_path: Path) -> None:
    path = tmp_path / "bom.csv"
    path.write_bytes("step,rating\nask,1\n".encode("utf-8-sig"))
    assert read_ratings(path) == {"ask": 1.0}


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("x", "r.csv:3: column 'rating': 'x' is not a number"),
        ("nan", "r.csv:3: column 'rating': NaN is not a rating"),
        ("4", "r.csv:3: column 'rating': 4.0 is not on the MOT scale"),
        ("-3.5", "r.csv:3: column 'rating': -3.5 is not on the MOT scale"),
        ("", "r.csv:3: column 'rating': the rating is missing"),
    ],
)
def test_read_ratings_bad_rating_names_file_line_column(
    tmp_path: Path, cell: str, expected: str
) -> None:
    path = _write(tmp_path, f"step,rating\nask,1\npay,{cell}\n")
    with pytest.raises(ObservedDataError) as info:
        read_ratings(path)
    assert expected in str(info.value)


def test_read_ratings_lists_every_problem(tmp_path: Path) -> None:
    path = _write(tmp_path, "step,rating\nask,9\npay,x\n")
    with pytest.raises(ObservedDataError, match="2 problems") as info:
        read_ratings(path)
    assert "r.csv:2:" in str(info.value)
    assert "r.csv:3:" in str(info.value)


def test_read_ratings_duplicate_step(tmp_path: Path) -> None:
    path = _write(tmp_path, "step,rating\nask,1\nask,2\n")
    with pytest.raises(
        ObservedDataError, match=r"r.csv:3: column 'step': step 'ask' is rated twice"
    ):
        read_ratings(path)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "the file is empty"),
        ("step,rating\n", "no data rows"),
        ("step,score\nask,1\n", r"missing column\(s\) \['rating'\]"),
        ("step,rating\nask,1,2\n", "r.csv:2: 3 cells where the header has 2"),
        ("step,step\nask,1\n", "duplicate column"),
        ("step,rating\n,1\n", "r.csv:2: column 'step': the step id is missing"),
    ],
)
def test_read_ratings_bad_files(tmp_path: Path, text: str, expected: str) -> None:
    with pytest.raises(ObservedDataError, match=expected):
        read_ratings(_write(tmp_path, text))


def test_read_ratings_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ObservedDataError, match="cannot read"):
        read_ratings(tmp_path / "nope.csv")


def test_read_ratings_unknown_steps_against_blueprint(tmp_path: Path) -> None:
    path = _write(tmp_path, "step,rating\nask,1\nfly,2\nswim,0\n")
    with pytest.raises(ObservedDataError) as info:
        read_ratings(path, bp=_bp())
    message = str(info.value)
    assert "r.csv:3: column 'step': unknown step 'fly'" in message
    assert "r.csv:4: column 'step': unknown step 'swim'" in message
    assert read_ratings(_write(tmp_path, "step,rating\nask,1\n"), bp=_bp()) == {"ask": 1.0}


# -- observed journeys: the hand-computed example ------------------------------------


def _shop() -> Blueprint:
    bp = Blueprint("Shop", stages=["visit"])
    bp.add_step(Step(id="a", label="A", lane="customer", stage="visit"))
    bp.add_step(
        Step(
            id="b",
            label="B",
            lane="customer",
            stage="visit",
            moment=MomentOfTruth(kind="purchase", weight=2),
        )
    )
    bp.add_step(Step(id="c", label="C", lane="customer", stage="visit"))
    bp.add_step(Step(id="d", label="D", lane="customer", stage="visit"))
    return bp


#: Interleaved and out of order. Rows 3 and 6 of j2 share order 5: input
#: order decides, so d (-3) is j2's last event.
ROWS = [
    ("j2", "a", 1, 1.0, "stayed"),
    ("j1", "b", 2, -2.0, "left"),
    ("j1", "a", 1, 3.0, "left"),
    ("j2", "b", 5, 2.0, "stayed"),
    ("j1", "c", 3, 0.0, "left"),
    ("j3", "d", 7, -1.0, "stayed"),
    ("j2", "d", 5, -3.0, "stayed"),
]

#: By hand. j1 in order: a 3, b -2 (moment, weight 2), c 0.
#: j2: a 1, b 2 (moment), d -3. j3: d -1 (no moment: floor falls back to worst).
EXPECTED = {
    "journey": ["j1", "j2", "j3"],
    "mean": [1 / 3, 0.0, -1.0],
    "weighted": [(3 - 4 + 0) / 4, (1 + 4 - 3) / 4, -1.0],
    "worst": [-2.0, -3.0, -1.0],
    "last": [0.0, -3.0, -1.0],
    "peak_end": [(3 + 0) / 2, (-3 - 3) / 2, -1.0],
    "moment_floor": [-2.0, 2.0, -1.0],
    # the share of steps above 0: j1 3 of (3, −2, 0); j2 1 and 2 of (1, 2, −3); j3 none
    "share_positive": [1 / 3, 2 / 3, 0.0],
    "outcome": ["left", "stayed", "stayed"],
}
BUILTIN = ["mean", "weighted", "worst", "last", "peak_end", "moment_floor", "share_positive"]


def _numpy_table(rows: list[tuple[Any, ...]] = ROWS) -> dict[str, np.ndarray]:
    journey, step, order, rating, outcome = zip(*rows, strict=True)
    return {
        "journey": np.array(journey),
        "step": np.array(step),
        "order": np.array(order),
        "rating": np.array(rating),
        "outcome": np.array(outcome),
    }


def _as_lists(result: Any) -> dict[str, list[Any]]:
    if isinstance(result, dict):
        return {k: np.asarray(v).tolist() for k, v in result.items()}
    if isinstance(result, np.ndarray):
        return {k: result[k].tolist() for k in result.dtype.names or ()}
    return {str(k): list(result[k].to_list()) for k in result.columns}


def test_score_observed_hand_computed() -> None:
    result = score_observed(_shop(), _numpy_table(), strategies=BUILTIN)
    assert isinstance(result, dict)
    assert list(result) == ["journey", *BUILTIN, "outcome"]
    assert _as_lists(result) == EXPECTED


def test_score_observed_matches_scoring_score_per_journey() -> None:
    bp = _shop()
    walks = {
        "j1": Journey(
            steps=[
                JourneyStep(step="a", rating=3),
                JourneyStep(step="b", rating=-2, moment_weight=2),
                JourneyStep(step="c", rating=0),
            ]
        ),
        "j3": Journey(steps=[JourneyStep(step="d", rating=-1)]),
    }
    result = score_observed(bp, _numpy_table(), strategies=BUILTIN)
    for position, name in ((0, "j1"), (2, "j3")):
        for strategy in BUILTIN:
            assert result[strategy][position] == score(walks[name], strategy=strategy)


@pytest.mark.parametrize(
    ("ratings", "peak_end"),
    [
        ([3.0, -3.0, 1.0], (-3 + 1) / 2),  # |3| tie goes to the negative
        ([-3.0, 3.0, 3.0], (-3 + 3) / 2),
        ([2.0, 2.0, -1.0], (2 - 1) / 2),  # equal peaks: either is 2
        ([0.0, 0.0], 0.0),
        ([-0.5, 0.5, 0.25], (-0.5 + 0.25) / 2),
    ],
)
def test_peak_end_tie_rules(ratings: list[float], peak_end: float) -> None:
    n = len(ratings)
    table = {"journey": [7] * n, "step": ["a"] * n, "order": list(range(n)), "rating": ratings}
    result = score_observed(_shop(), table, strategies="peak_end")
    assert result["peak_end"].tolist() == [peak_end]
    assert peak_end == score(ratings, strategy="peak_end")


def test_equal_timestamps_keep_input_order() -> None:
    table = {
        "journey": ["x", "y", "x", "x", "y"],
        "step": ["a", "a", "b", "c", "b"],
        "timestamp": np.array(
            [
                "2024-05-01T10:00",
                "2024-05-01T09:00",
                "2024-05-01T11:00",
                "2024-05-01T11:00",
                "2024-05-01T09:00",
            ],
            dtype="datetime64[m]",
        ),
        "rating": [1, -1, 2, -2, 3],
    }
    result = score_observed(_shop(), table, strategies=["last", "peak_end"])
    # x: 1 @10:00, then 2 and -2 both @11:00 -> -2 (the later row) is last.
    # y: -1 and 3 both @09:00 -> 3 is last.
    assert result["last"].tolist() == [-2.0, 3.0]
    assert result["peak_end"].tolist() == [(-2 - 2) / 2, (3 + 3) / 2]
    reversed_rows = {k: np.asarray(v)[::-1] for k, v in table.items()}
    again = score_observed(_shop(), reversed_rows, strategies=["last"])
    assert again["last"].tolist() == [2.0, -1.0]


def test_results_sorted_by_journey_id_with_integer_ids() -> None:
    table = {
        "journey": [10, 3, 10, 7],
        "step": ["a"] * 4,
        "order": [1, 1, 2, 1],
        "rating": [1, 2, 3, -1],
    }
    result = score_observed(_shop(), table, strategies=["mean", "last"])
    assert result["journey"].tolist() == [3, 7, 10]
    assert result["mean"].tolist() == [2.0, -1.0, 2.0]
    assert result["last"].tolist() == [2.0, -1.0, 3.0]


def test_custom_strategy_falls_back_to_per_journey_loop() -> None:
    register_strategy("first", lambda j: j.ratings[0], formula="r_1")
    try:
        result = score_observed(_shop(), _numpy_table(), strategies=["first", "mean"])
    finally:
        unregister_strategy("first")
    assert result["first"].tolist() == [3.0, 1.0, -1.0]
    assert result["mean"].tolist() == EXPECTED["mean"]


def test_default_strategies_are_all_registered() -> None:
    result = score_observed(_shop(), _numpy_table())
    assert list(result) == ["journey", *STRATEGIES, "outcome"]


def test_step_categories_codes() -> None:
    table = _numpy_table()
    categories = ["d", "c", "b", "a", "zzz"]
    codes = np.array([categories.index(s) for s in table["step"]], dtype=np.int8)
    result = score_observed(
        _shop(), {**table, "step": codes}, strategies=BUILTIN, step_categories=categories
    )
    assert _as_lists(result) == EXPECTED


def test_custom_column_names() -> None:
    table = _numpy_table()
    renamed = {
        "session": table["journey"],
        "touchpoint": table["step"],
        "seq": table["order"],
        "score": table["rating"],
        "churn": table["outcome"],
    }
    result = score_observed(
        _shop(),
        renamed,
        journey="session",
        step="touchpoint",
        order="seq",
        rating="score",
        outcome="churn",
        strategies=["worst"],
    )
    assert list(result) == ["session", "worst", "churn"]
    assert result["worst"].tolist() == EXPECTED["worst"]


# -- kinds of tables -----------------------------------------------------------------


def test_structured_array_in_and_out() -> None:
    table = _numpy_table()
    structured = np.empty(
        len(ROWS),
        dtype=[
            ("journey", "U4"),
            ("step", "U4"),
            ("order", "i8"),
            ("rating", "f8"),
            ("outcome", "U8"),
        ],
    )
    for name, values in table.items():
        structured[name] = values
    result = score_observed(_shop(), structured, strategies=BUILTIN)
    assert isinstance(result, np.ndarray)
    assert result.dtype.names == ("journey", *BUILTIN, "outcome")
    assert _as_lists(result) == EXPECTED


def test_pandas_in_and_out() -> None:
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame(_numpy_table(), index=[f"r{i}" for i in range(len(ROWS))])
    frame["step"] = frame["step"].astype("category")
    result = score_observed(_shop(), frame, strategies=BUILTIN)
    assert isinstance(result, pd.DataFrame)
    assert list(result.columns) == ["journey", *BUILTIN, "outcome"]
    assert _as_lists(result) == EXPECTED


def test_pandas_timezone_aware_timestamps() -> None:
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame(
        {
            "journey": [1, 1],
            "step": ["a", "b"],
            "timestamp": pd.to_datetime(
                ["2024-05-01T10:00+02:00", "2024-05-01T09:30Z"], utc=True
            ).tz_convert("Asia/Shanghai"),
            "rating": [2, -1],
        }
    )
    # 10:00+02:00 is 08:00 UTC, before 09:30 UTC: -1 is last.
    assert score_observed(_shop(), frame, strategies="last")["last"].tolist() == [-1.0]


def test_polars_in_and_out() -> None:
    pl = pytest.importorskip("polars")
    frame = pl.DataFrame(_numpy_table()).with_columns(pl.col("step").cast(pl.Categorical))
    result = score_observed(_shop(), frame, strategies=BUILTIN)
    assert isinstance(result, pl.DataFrame)
    assert result.columns == ["journey", *BUILTIN, "outcome"]
    assert _as_lists(result) == EXPECTED


def test_output_option_converts_kind() -> None:
    pd = pytest.importorskip("pandas")
    result = score_observed(_shop(), _numpy_table(), strategies=["mean"], output="pandas")
    assert isinstance(result, pd.DataFrame)
    structured = score_observed(_shop(), _numpy_table(), strategies=["mean"], output="structured")
    assert structured.dtype.names == ("journey", "mean", "outcome")


def test_missing_dataframe_library_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "polars", None)
    with pytest.raises(MissingDependencyError, match=r"pip install 'servicebp\[polars\]'"):
        score_observed(_shop(), _numpy_table(), strategies=["mean"], output="polars")


def test_csv_path_in_gives_numpy_and_lines_in_errors(tmp_path: Path) -> None:
    header = "journey,step,order,rating,outcome\n"
    body = "".join(f"{j},{s},{o},{r},{out}\n" for j, s, o, r, out in ROWS)
    path = _write(tmp_path, header + body, "events.csv")
    assert _as_lists(score_observed(_shop(), path, strategies=BUILTIN)) == EXPECTED
    bad = _write(tmp_path, header + body + "j4,zz,1,2,left\n", "bad.csv")
    with pytest.raises(ObservedDataError, match=r"'zz' \(1 event, first at \S*bad.csv:9\)"):
        score_observed(_shop(), bad)


def test_read_observed_timestamps(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "journey,step,timestamp,rating,outcome\n"
        "a,a,2024-05-01T09:30,2,0.5\na,b,2024-05-01T09:35,-1,0.5\nb,a,2024-05-01T08:00,1,1\n",
    )
    events = read_observed(path)
    assert list(events) == ["journey", "step", "timestamp", "rating", "outcome"]
    assert events["timestamp"].dtype == np.dtype("datetime64[ns]")
    assert events["outcome"].tolist() == [0.5, 0.5, 1.0]
    result = score_observed(_shop(), events, strategies=["last"])
    assert result["last"].tolist() == [-1.0, 1.0]
    assert result["outcome"].tolist() == [0.5, 1.0]


# -- per-step statistics -----------------------------------------------------------------


def test_step_statistics_hand_computed() -> None:
    stats = step_statistics(_shop(), _numpy_table())
    assert stats["step"].tolist() == ["a", "b", "c", "d"]
    assert stats["count"].tolist() == [2, 2, 1, 2]
    assert stats["mean"].tolist() == [2.0, 0.0, 0.0, -2.0]
    assert stats["share_negative"].tolist() == [0.0, 0.5, 0.0, 1.0]
    assert stats["share_minus_3"].tolist() == [0.0, 0.0, 0.0, 0.5]


def test_step_statistics_unobserved_step_is_nan_and_kinds() -> None:
    pd = pytest.importorskip("pandas")
    pl = pytest.importorskip("polars")
    table = {k: v[:3] for k, v in _numpy_table().items()}  # steps a and b only
    stats = step_statistics(_shop(), pd.DataFrame(table))
    assert isinstance(stats, pd.DataFrame)
    assert stats["count"].tolist() == [2, 1, 0, 0]
    assert np.isnan(stats["mean"].to_numpy()[2:]).all()
    assert isinstance(step_statistics(_shop(), pl.DataFrame(table)), pl.DataFrame)


# -- unknown steps ------------------------------------------------------------------------


def test_unknown_steps_are_an_error_listing_counts() -> None:
    table = _numpy_table(
        [
            *ROWS,
            ("j4", "zz", 1, 1.0, "x"),
            ("j1", "zz", 9, 1.0, "left"),
            ("j1", "yy", 9, 1.0, "left"),
        ]
    )
    with pytest.raises(ObservedDataError) as info:
        score_observed(_shop(), table)
    message = str(info.value)
    assert "2 steps not in blueprint 'Shop'" in message
    assert "'zz' (2 events, first at row 7)" in message
    assert "'yy' (1 event, first at row 9)" in message
    assert "unknown_steps='report'" in message


def test_unknown_steps_report_mode() -> None:
    table = _numpy_table([*ROWS, ("j4", "zz", 1, 1.0, "x"), ("j1", "zz", 9, 1.0, "left")])
    result, report = score_observed(_shop(), table, strategies=BUILTIN, unknown_steps="report")
    assert _as_lists(result) == EXPECTED  # j4 had only an unknown step: not scored
    assert report == UnknownStepReport(steps={"zz": 2}, events=2, empty_journeys=("j4",))
    assert "journeys left without events: ['j4']" in str(report)
    stats, report2 = step_statistics(_shop(), table, unknown_steps="report")
    assert report2.steps == {"zz": 2}
    assert stats["count"].tolist() == [2, 2, 1, 2]


def test_report_mode_without_unknown_steps_gives_empty_report() -> None:
    _, report = score_observed(_shop(), _numpy_table(), unknown_steps="report")
    assert not report
    assert str(report) == "no unknown steps"


def test_only_unknown_steps_is_an_error_even_in_report_mode() -> None:
    table = {"journey": [1], "step": ["zz"], "order": [1], "rating": [1]}
    with pytest.raises(
        ObservedDataError, match="no event is on a customer step of blueprint 'Shop'"
    ):
        score_observed(_shop(), table, unknown_steps="report")


# -- bad input -------------------------------------------------------------------------------


def _with(**changes: Any) -> dict[str, Any]:
    table: dict[str, Any] = {
        "journey": np.array(["j1", "j1", "j2"]),
        "step": np.array(["a", "b", "a"]),
        "order": np.array([1, 2, 1]),
        "rating": np.array([1.0, 2.0, 3.0]),
    }
    table.update(changes)
    return table


@pytest.mark.parametrize(
    ("table", "expected"),
    [
        (
            _with(rating=np.array([1.0, 4.0, 3.0])),
            r"row 1: column 'rating': 4.0 is not on the MOT scale",
        ),
        (
            _with(rating=np.array([1.0, -3.5, 3.0])),
            r"row 1: column 'rating': -3.5 is not on the MOT scale",
        ),
        (
            _with(rating=np.array([1.0, 2.0, np.nan])),
            r"row 2: column 'rating': NaN is not a rating",
        ),
        (_with(rating=np.array([1, "x", 2], dtype=object)), r"row 1: column 'rating': 'x' is not"),
        (_with(rating=np.array(["1", "2", "bad"])), r"row 0: column 'rating': '1' is not a number"),
        (_with(rating=np.array([1, None, 2], dtype=object)), r"row 1: column 'rating': None"),
        (_with(rating=np.array([True, False, True])), r"column 'rating': ratings must be numbers"),
        (
            _with(journey=np.array(["j1", None, "j2"], dtype=object)),
            r"row 1: column 'journey': the journey id is missing",
        ),
        (
            _with(journey=np.array([1.0, np.nan, 2.0])),
            r"row 1: column 'journey': the journey id is missing",
        ),
        (
            _with(journey=np.array([True, True, False])),
            r"column 'journey': journey ids must be integers or strings",
        ),
        (_with(journey=np.array(["j1", 2, "j2"], dtype=object)), "all strings or all integers"),
        (_with(step=np.array(["a", "", "a"])), r"row 1: column 'step': the step id is missing"),
        (
            _with(order=np.array(["x", "y", "z"])),
            r"row 0: column 'order': 'x' is neither a number nor an ISO 8601 time",
        ),
        (_with(order=np.array([1.0, np.nan, 2.0])), r"row 1: column 'order': the order is missing"),
        (
            _with(order=np.array(["2024-01-01", "NaT", "2024-01-02"], dtype="datetime64[D]")),
            r"row 1: column 'order': the timestamp is missing",
        ),
        (_with(rating=np.array([1.0, 2.0])), "columns have different lengths"),
        (_with(rating=np.ones((3, 2))), "must be one-dimensional"),
        ({k: v[:0] for k, v in _with().items()}, "the table has no events"),
        ({"journey": [1], "step": ["a"], "order": [1]}, r"missing column\(s\) \['rating'\]"),
        ({"journey": [1], "step": ["a"], "rating": [1]}, "missing column 'order' or 'timestamp'"),
        ([1, 2, 3], "must be a mapping of column name to array"),
        (
            _with(outcome=np.array(["won", "lost", "won"])),
            r"row 1: column 'outcome': journey 'j1' has outcome 'lost' here but 'won'",
        ),
    ],
)
def test_bad_tables(table: Any, expected: str) -> None:
    with pytest.raises(ObservedDataError, match=expected):
        score_observed(_shop(), table)


def test_many_bad_ratings_are_summarised() -> None:
    n = 50
    table = {
        "journey": np.arange(n),
        "step": np.array(["a"] * n),
        "order": np.zeros(n),
        "rating": np.full(n, 9.0),
    }
    with pytest.raises(ObservedDataError, match="and 40 more ratings off the scale"):
        score_observed(_shop(), table)


def test_bad_step_codes_and_options() -> None:
    table = _with(step=np.array([0, 5, 1]))
    with pytest.raises(ObservedDataError, match=r"row 1: column 'step': step code outside 0…1"):
        score_observed(_shop(), table, step_categories=["a", "b"])
    with pytest.raises(ObservedDataError, match="holds integer codes"):
        score_observed(_shop(), _with(), step_categories=["a", "b"])
    with pytest.raises(UnknownStrategyError, match="unknown strategy: 'median'"):
        score_observed(_shop(), _with(), strategies=["median"])
    with pytest.raises(ValueError, match="unknown_steps must be"):
        score_observed(_shop(), _with(), unknown_steps="drop")  # type: ignore[call-overload]
    with pytest.raises(ValueError, match="output must be one of"):
        score_observed(_shop(), _with(), output="excel")  # type: ignore[call-overload]
    with pytest.raises(ValueError, match="strategies is empty"):
        score_observed(_shop(), _with(), strategies=[])
    with pytest.raises(TypeError, match="bp must be a Blueprint"):
        score_observed("shop", _with())  # type: ignore[call-overload]


TEXT_HINT = (
    r"is not a number but text \(3 such cells\); ratings in a DataFrame or array must be "
    r"numbers: convert the column first"
)


def _text_ratings(kind: str) -> Any:
    """The _with() table, its ratings the text '1', '2', '3', as a table of *kind*."""
    texts = ["1", "2", "3"]
    if kind == "numpy":
        return _with(rating=np.array(texts))
    if kind == "object":
        return _with(rating=np.array(texts, dtype=object))
    if kind == "structured":
        rows = list(zip(["j1", "j1", "j2"], ["a", "b", "a"], [1, 2, 1], texts, strict=True))
        dtype = [("journey", "U2"), ("step", "U1"), ("order", "i8"), ("rating", "U1")]
        return np.array(rows, dtype=dtype)
    if kind == "pandas":
        pd = pytest.importorskip("pandas")
        return pd.DataFrame({**_with(), "rating": texts}, index=["x", "y", "z"])
    if kind == "pandas-string":
        pd = pytest.importorskip("pandas")
        return pd.DataFrame({**_with(), "rating": pd.array(texts, dtype="string")})
    if kind == "pandas-category":
        pd = pytest.importorskip("pandas")
        return pd.DataFrame({**_with(), "rating": pd.Categorical(texts)})
    pl = pytest.importorskip("polars")
    if kind == "polars":
        return pl.DataFrame({**_with(), "rating": texts})
    return pl.DataFrame({**_with(), "rating": pl.Series(texts, dtype=pl.Categorical)})


@pytest.mark.parametrize(
    ("kind", "first_row"),
    [
        ("numpy", "row 0"),
        ("object", "row 0"),
        ("structured", "row 0"),
        ("pandas", "row 'x'"),
        ("pandas-string", "row 0"),
        ("pandas-category", "row 0"),
        ("polars", "row 0"),
        ("polars-category", "row 0"),
    ],
)
def test_text_ratings_in_a_typed_table_are_refused_for_every_kind(
    kind: str, first_row: str
) -> None:
    """A CSV is text and its cells are parsed; a typed table's rating column must be numbers."""
    table = _text_ratings(kind)
    expected = rf"^{first_row}: column 'rating': '1' {TEXT_HINT}"
    with pytest.raises(ObservedDataError, match=expected):
        score_observed(_shop(), table)
    with pytest.raises(ObservedDataError, match=expected):
        step_statistics(_shop(), table)


def test_text_ratings_name_the_first_text_row_and_the_csv_still_parses(tmp_path: Path) -> None:
    table = _with(rating=np.array([1.0, 2, "3"], dtype=object))
    with pytest.raises(ObservedDataError, match=r"^row 2: column 'rating': '3' is not a number"):
        score_observed(_shop(), table)
    path = tmp_path / "events.csv"
    path.write_text("journey,step,order,rating\nj1,a,1,1\nj1,b,2,2\nj2,a,1,3\n")
    from_csv = score_observed(_shop(), path, strategies="mean")
    from_numbers = score_observed(_shop(), _with(), strategies="mean")
    assert from_csv["mean"].tolist() == from_numbers["mean"].tolist() == [1.5, 3.0]


@pytest.mark.parametrize("kind", ["numpy", "pandas", "polars"])
def test_text_outcomes_are_labels_for_every_kind(kind: str) -> None:
    """An outcome may be any label ('converted'); text stays text, the same for every kind."""
    outcome = ["1", "1", "0"]
    table: Any = {**_with(), "outcome": np.array(outcome)}
    if kind == "pandas":
        table = pytest.importorskip("pandas").DataFrame(table)
    elif kind == "polars":
        table = pytest.importorskip("polars").DataFrame({**_with(), "outcome": outcome})
    result = score_observed(_shop(), table, strategies="mean", output="numpy")
    assert result["outcome"].tolist() == ["1", "0"]


def test_bad_pandas_and_polars_rows_are_named() -> None:
    pd = pytest.importorskip("pandas")
    pl = pytest.importorskip("polars")
    frame = pd.DataFrame(_with(rating=np.array([1.0, 2.0, 7.0])), index=["x", "y", "z"])
    with pytest.raises(
        ObservedDataError, match=r"row 'z': column 'rating': 7.0 is not on the MOT scale"
    ):
        score_observed(_shop(), frame)
    frame = pd.DataFrame(_with(journey=np.array(["j1", None, "j2"], dtype=object)))
    with pytest.raises(
        ObservedDataError, match=r"row 1: column 'journey': the journey id is missing"
    ):
        score_observed(_shop(), frame)
    polars_frame = pl.DataFrame({**_with(), "step": ["a", None, "a"]})
    with pytest.raises(ObservedDataError, match=r"row 1: column 'step': the step id is missing"):
        score_observed(_shop(), polars_frame)
    with pytest.raises(ObservedDataError, match=r"row 0: column 'rating': NaN is not a rating"):
        score_observed(_shop(), pl.DataFrame({**_with(), "rating": [None, 1.0, 2.0]}))


# -- the vectorised pass equals scoring.score journey by journey --------------------------

HALF_STEPS = [k / 2 for k in range(-6, 7)]
STEP_IDS = ["a", "b", "c", "d"]


def _reference(bp: Blueprint, table: dict[str, list[Any]], strategy: str) -> dict[Any, float]:
    """Per journey: sort its rows by order (ties: input order), score with scoring.score."""
    rows: dict[Any, list[tuple[Any, int, str, float]]] = {}
    for i, (j, s, o, r) in enumerate(
        zip(table["journey"], table["step"], table["order"], table["rating"], strict=True)
    ):
        rows.setdefault(j, []).append((o, i, s, r))
    out = {}
    for j, events in rows.items():
        events.sort(key=lambda e: (e[0], e[1]))
        walk = Journey(
            steps=[
                JourneyStep(
                    step=s,
                    rating=r,
                    moment_weight=None if bp[s].moment is None else bp[s].moment.weight,
                )
                for _, _, s, r in events
            ]
        )
        out[j] = score(walk, strategy=strategy)
    return out


@st.composite
def _tables(draw: st.DrawFn, ratings: st.SearchStrategy[float]) -> dict[str, list[Any]]:
    n = draw(st.integers(1, 40))
    journeys = draw(st.lists(st.integers(0, 6), min_size=n, max_size=n))
    return {
        "journey": [f"j{k}" for k in journeys],
        "step": draw(st.lists(st.sampled_from(STEP_IDS), min_size=n, max_size=n)),
        "order": draw(st.lists(st.integers(0, 3), min_size=n, max_size=n)),  # many ties
        "rating": draw(st.lists(ratings, min_size=n, max_size=n)),
    }


def _weighted_shop() -> Blueprint:
    bp = _shop()
    bp.replace_step(bp["c"].evolve(moment=MomentOfTruth(kind="usage", weight=0.5)))
    return bp


@settings(max_examples=150)
@given(_tables(st.sampled_from(HALF_STEPS)))
def test_vectorised_equals_per_journey_score_exactly(table: dict[str, list[Any]]) -> None:
    # Ratings on the half-step grid and weights 1, 2, 0.5 keep every sum exact,
    # so the vectorised figures equal scoring.score's bit for bit.
    bp = _weighted_shop()
    result = score_observed(bp, table, strategies=BUILTIN)
    for strategy in BUILTIN:
        expected = _reference(bp, table, strategy)
        assert result["journey"].tolist() == sorted(expected)
        assert result[strategy].tolist() == [expected[j] for j in sorted(expected)], strategy


@settings(max_examples=100)
@given(_tables(st.floats(-3, 3, allow_nan=False)))
def test_vectorised_equals_per_journey_score_any_floats(table: dict[str, list[Any]]) -> None:
    # With arbitrary floats the sums of mean and weighted may round differently
    # (math.fsum there, sequential sums here) in the last bits; the rest is exact.
    bp = _weighted_shop()
    result = score_observed(bp, table, strategies=BUILTIN)
    for strategy in BUILTIN:
        expected = _reference(bp, table, strategy)
        wanted = [expected[j] for j in sorted(expected)]
        if strategy in ("mean", "weighted"):
            assert result[strategy].tolist() == pytest.approx(wanted, rel=1e-12, abs=1e-12)
        else:
            assert result[strategy].tolist() == wanted, strategy


@settings(max_examples=50)
@given(_tables(st.sampled_from(HALF_STEPS)), st.randoms(use_true_random=False))
def test_row_order_does_not_matter_without_ties(table: dict[str, list[Any]], rnd: Any) -> None:
    table = {**table, "order": list(range(len(table["rating"])))}  # no ties
    rows = list(zip(*table.values(), strict=True))
    rnd.shuffle(rows)
    shuffled = {k: list(v) for k, v in zip(table, zip(*rows, strict=True), strict=True)}
    a = score_observed(_shop(), table, strategies=BUILTIN)
    b = score_observed(_shop(), shuffled, strategies=BUILTIN)
    for name in a:
        assert a[name].tolist() == b[name].tolist()


def test_kinds_agree_on_random_table() -> None:
    pd = pytest.importorskip("pandas")
    pl = pytest.importorskip("polars")
    rng = np.random.default_rng(3)
    n = 500
    table = {
        "journey": rng.integers(0, 60, n),
        "step": rng.choice(STEP_IDS, n),
        "order": rng.integers(0, 5, n),
        "rating": rng.integers(-3, 4, n).astype(float),
    }
    base = _as_lists(score_observed(_shop(), table, strategies=BUILTIN))
    assert _as_lists(score_observed(_shop(), pd.DataFrame(table), strategies=BUILTIN)) == base
    assert _as_lists(score_observed(_shop(), pl.DataFrame(table), strategies=BUILTIN)) == base


def test_journey_without_events_is_named(tmp_path: Path) -> None:
    # An outer join of customers with events leaves customers with no events
    # as rows with neither a step nor a rating.
    table = {
        "journey": np.array(["j1", "j1", "j9"], dtype=object),
        "step": np.array(["a", "b", None], dtype=object),
        "order": np.array([1, 2, 1]),
        "rating": np.array([1.0, 2.0, np.nan]),
    }
    expected = r"row 2: column 'journey': journey 'j9' has no events"
    with pytest.raises(ObservedDataError, match=expected):
        score_observed(_shop(), table)
    pd = pytest.importorskip("pandas")
    with pytest.raises(ObservedDataError, match=expected):
        score_observed(_shop(), pd.DataFrame(table))
    pl = pytest.importorskip("polars")
    with pytest.raises(ObservedDataError, match=expected):
        score_observed(_shop(), pl.DataFrame(table))
    path = _write(tmp_path, "journey,step,order,rating\nj1,a,1,1\nj9,,,\nj1,b,2,-1\nj1,,3,\n")
    with pytest.raises(ObservedDataError) as info:
        score_observed(_shop(), path)
    message = str(info.value)
    assert "r.csv:3: column 'journey': journey 'j9' has no events" in message
    assert "r.csv:5: columns 'step' and 'rating': the row has neither a step nor a rating" in (
        message
    )


# -- steps outside the customer lane ------------------------------------------------------


def _shop_with_staff() -> Blueprint:
    bp = _shop()
    bp.add_step(Step(id="greet", label="Greet", lane="frontstage", stage="visit"))
    bp.add_step(Step(id="check", label="Check", lane="backstage", stage="visit"))
    return bp


def test_events_on_non_customer_steps_are_an_error_naming_lane_and_rows() -> None:
    table = _numpy_table(
        [*ROWS, ("j1", "greet", 4, 1.0, "left"), ("j2", "greet", 9, 2.0, "stayed")]
    )
    with pytest.raises(ObservedDataError) as info:
        score_observed(_shop_with_staff(), table)
    message = str(info.value)
    assert "1 step of blueprint 'Shop' outside the customer lane" in message
    assert "a journey walks customer steps" in message
    assert "'greet' (frontstage lane; 2 events, first at row 7)" in message
    assert "unknown_steps='report'" in message
    with pytest.raises(ObservedDataError, match="'greet' \\(frontstage lane"):
        step_statistics(_shop_with_staff(), table)


def test_non_customer_and_unknown_steps_are_named_together() -> None:
    table = _numpy_table([*ROWS, ("j1", "zz", 4, 1.0, "left"), ("j2", "check", 9, 2.0, "stayed")])
    with pytest.raises(ObservedDataError) as info:
        score_observed(_shop_with_staff(), table)
    message = str(info.value)
    assert "1 step not in blueprint 'Shop': 'zz' (1 event, first at row 7)" in message
    assert "its customer steps are ['a', 'b', 'c', 'd']" in message
    assert "'check' (backstage lane; 1 event, first at row 8)" in message


def test_non_customer_steps_in_report_mode_score_like_journey_from_blueprint() -> None:
    table = _numpy_table([*ROWS, ("j1", "greet", 4, -3.0, "left"), ("j5", "check", 1, 1.0, "x")])
    result, report = score_observed(
        _shop_with_staff(), table, strategies=BUILTIN, unknown_steps="report"
    )
    # the frontstage −3 does not touch j1: the scores are those without it
    assert _as_lists(result) == EXPECTED
    assert report == UnknownStepReport(
        steps={"check": 1, "greet": 1},
        events=2,
        empty_journeys=("j5",),
        lanes={"check": "backstage", "greet": "frontstage"},
    )
    assert "'greet' (1, frontstage lane, not a customer step)" in str(report)
    stats, _ = step_statistics(_shop_with_staff(), table, unknown_steps="report")
    # one row per customer step only
    assert stats["step"].tolist() == ["a", "b", "c", "d"]


# -- ratings on other scales -----------------------------------------------------------


def _on_scale(scale_values: Sequence[float]) -> dict[str, np.ndarray]:
    table = _numpy_table()
    table["rating"] = np.array(scale_values)
    return table


def test_scale_converts_ratings_before_scoring() -> None:
    # Mermaid 1…5 onto −3…+3: (v − 3) × 1.5. ROWS' ratings 1, −2, 3, 2, 0, −1, −3
    # are Mermaid 3.666…, so use values whose conversion is exact instead:
    # Mermaid 5 → 3, 1 → −3, 3 → 0, 4 → 1.5, 2 → −1.5.
    values = [4, 2, 5, 5, 3, 2, 1]
    mot = [1.5, -1.5, 3.0, 3.0, 0.0, -1.5, -3.0]
    on_mermaid = score_observed(_shop(), _on_scale(values), scale="mermaid")
    on_mot = score_observed(_shop(), _on_scale(mot))
    assert _as_lists(on_mermaid) == _as_lists(on_mot)
    # j1 in order: a 3, b −1.5, c 0: worst −1.5, last 0
    assert on_mermaid["worst"][0] == -1.5
    assert on_mermaid["last"][0] == 0.0


@settings(max_examples=30)
@given(st.lists(st.integers(1, 10), min_size=len(ROWS), max_size=len(ROWS)))
def test_scale_option_equals_converting_the_column_first(values: list[int]) -> None:
    from servicebp.scales._scale import TEN_POINT

    converted = TEN_POINT.to_mot(np.array(values))
    assert _as_lists(score_observed(_shop(), _on_scale(values), scale=TEN_POINT)) == _as_lists(
        score_observed(_shop(), _on_scale(converted.tolist()))
    )
    stats = step_statistics(_shop(), _on_scale(values), scale="ten-point")
    expected = step_statistics(_shop(), _on_scale(converted.tolist()))
    # every step of _shop has events in ROWS, so no NaN: exact equality
    assert _as_lists(stats) == _as_lists(expected)


def test_step_statistics_on_a_scale_counts_minus_3_after_conversion() -> None:
    stats = step_statistics(_shop(), _on_scale([4, 2, 5, 5, 3, 2, 1]), scale="mermaid")
    # d: j3 Mermaid 2 (−1.5), j2 Mermaid 1 (−3)
    assert stats["count"].tolist() == [2, 2, 1, 2]
    assert stats["mean"].tolist()[3] == -2.25
    assert stats["share_minus_3"].tolist() == [0.0, 0.0, 0.0, 0.5]


def test_ratings_off_the_declared_scale_name_row_and_scale() -> None:
    with pytest.raises(ObservedDataError) as info:
        score_observed(_shop(), _on_scale([4, 0, 5, 5, 6, 2, 1]), scale="mermaid")
    message = str(info.value)
    assert "row 1: column 'rating': 0.0 is not on the mermaid scale 1…5" in message
    assert "row 4: column 'rating': 6.0 is not on the mermaid scale 1…5" in message
    # on the MOT scale −3 is fine; on Mermaid's it is not — and never clamped
    with pytest.raises(ObservedDataError, match=r"-3\.0 is not on the mermaid scale"):
        score_observed(_shop(), _numpy_table(), scale="mermaid")


def test_scale_on_a_csv_file(tmp_path: Path) -> None:
    path = _write(tmp_path, "journey,step,order,rating\nj1,a,1,10\nj1,b,2,1\nj2,a,1,11\n")
    with pytest.raises(
        ObservedDataError,
        match=r"r\.csv:4: column 'rating': 11\.0 is not on the ten-point scale 1…10",
    ):
        score_observed(_shop(), path, scale="ten-point")
    path = _write(tmp_path, "journey,step,order,rating\nj1,a,1,10\nj1,b,2,1\n")
    result = score_observed(_shop(), path, scale="ten-point", strategies=["mean", "last"])
    assert result["mean"].tolist() == [0.0]
    assert result["last"].tolist() == [-3.0]


def test_unknown_scale_is_named() -> None:
    from servicebp.errors import RatingError

    with pytest.raises(RatingError, match="unknown scale: 'likert'"):
        score_observed(_shop(), _numpy_table(), scale="likert")


# -- arguments of the wrong type ----------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: score_observed(None, _numpy_table()), "bp must be a Blueprint, not NoneType"),  # type: ignore[call-overload]
        (lambda: step_statistics("shop", _numpy_table()), "bp must be a Blueprint, not str"),  # type: ignore[call-overload]
        (
            lambda: score_observed(_shop(), _numpy_table(), strategies=5),  # type: ignore[call-overload]
            "strategies must be a strategy name or a sequence of them, not int",
        ),
        (
            lambda: score_observed(_shop(), _numpy_table(), scale=5),  # type: ignore[call-overload]
            "scale must be a Scale or the name of one",
        ),
        (
            lambda: score_observed(_shop(), _numpy_table(), step_categories="abcd"),
            "step_categories must be a sequence of step ids (str), not str",
        ),
        (
            lambda: score_observed(_shop(), _numpy_table(), step_categories=[1, 2]),  # type: ignore[list-item]
            "step_categories must be a sequence of step ids (str), not list",
        ),
    ],
)
def test_wrong_argument_types_are_argument_type_errors(call: Any, message: str) -> None:
    from servicebp.errors import ArgumentTypeError, InvalidArgumentError

    with pytest.raises(ArgumentTypeError, match=re.escape(message)) as info:
        call()
    # still a TypeError for callers that catch the builtin
    assert isinstance(info.value, TypeError)
    assert isinstance(info.value, InvalidArgumentError)
