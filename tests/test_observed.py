"""Tests of servicebp.observed: reading and scoring observed journeys."""

from __future__ import annotations

from pathlib import Path

import pytest

from servicebp import Blueprint, ObservedDataError, Step
from servicebp.observed import read_ratings


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
        ("4", "r.csv:3: column 'rating': 4.0 is outside the rating scale"),
        ("-3.5", "r.csv:3: column 'rating': -3.5 is outside the rating scale"),
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
