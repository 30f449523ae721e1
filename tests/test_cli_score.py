"""``servicebp score`` through click's test runner."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from servicebp import Blueprint, MomentOfTruth, Step
from servicebp.cli import main
from servicebp.io import dumps
from servicebp.scoring import STRATEGIES


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["score", *args])
    assert not isinstance(result.exception, Exception) or isinstance(
        result.exception, SystemExit
    ), result.exception
    return result.exit_code, result.stdout, result.stderr


def coffee() -> Blueprint:
    bp = Blueprint("Coffee", stages=["order", "pay"])
    bp.add_step(
        Step(
            id="order",
            label="Order",
            lane="customer",
            stage="order",
            rating=2,
            moment=MomentOfTruth(kind="purchase", weight=3),
        )
    )
    bp.add_step(Step(id="cash", label="Pay cash", lane="customer", stage="pay", rating=-2))
    bp.add_step(Step(id="card", label="Pay by card", lane="customer", stage="pay", rating=1))
    bp.connect("order", "cash", probability=0.25)
    bp.connect("order", "card", probability=0.75)
    return bp


def write(bp: Blueprint, folder: Path) -> str:
    path = folder / "bp.yaml"
    path.write_text(dumps(bp), encoding="utf-8")
    return str(path)


def test_bank_example_prints_every_strategy(bank_path: Path) -> None:
    code, out, _ = run(str(bank_path))
    assert code == 0
    header = next(line for line in out.splitlines() if line.startswith("journey"))
    for name in STRATEGIES:
        assert name in header
    assert "expected" in out


def test_scores_by_hand(tmp_path: Path) -> None:
    code, out, _ = run(write(coffee(), tmp_path), "--strategy", "worst", "--strategy", "mean")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "Coffee: 2 journeys, designed ratings"
    # J1 order → cash: worst −2, mean 0; J2 order → card: worst 1, mean 1.5
    # expected worst 0.25 × (−2) + 0.75 × 1 = 0.25; mean 0.25 × 0 + 0.75 × 1.5 = 1.125
    assert lines[2].split() == ["journey", "probability", "worst", "mean", "steps"]
    assert lines[3].split() == ["J1", "0.250", "-2.00", "+0.00", "order", "→", "cash"]
    assert lines[4].split() == ["J2", "0.750", "+1.00", "+1.50", "order", "→", "card"]
    assert lines[5].split() == ["expected", "+0.25", "+1.12"]


def test_observed_ratings_from_csv(tmp_path: Path) -> None:
    ratings = tmp_path / "ratings.csv"
    ratings.write_text("step,rating\ncard,-3\n", encoding="utf-8")
    code, out, _ = run(
        write(coffee(), tmp_path),
        "--ratings",
        str(ratings),
        "--strategy",
        "last",
        "--format",
        "json",
    )
    assert code == 0
    data = json.loads(out)
    assert data["ratings"] == "ratings from ratings.csv"
    assert [j["scores"]["last"] for j in data["journeys"]] == [-2.0, -3.0]
    # 0.25 × (−2) + 0.75 × (−3) = −2.75
    assert data["expected"]["last"] == pytest.approx(-2.75)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("step,rating\ncard,4\n", "ratings.csv:2"),
        ("step,rating\ncard,nan\n", "ratings.csv:2"),
        ("step,rating\nnope,1\n", "nope"),
    ],
)
def test_bad_ratings_file_is_one_line_and_status_1(
    tmp_path: Path, content: str, message: str
) -> None:
    ratings = tmp_path / "ratings.csv"
    ratings.write_text(content, encoding="utf-8")
    code, out, err = run(write(coffee(), tmp_path), "--ratings", str(ratings))
    assert code == 1
    assert message in err
    assert "Traceback" not in err + out


def test_unknown_strategy_is_a_usage_error(bank_path: Path) -> None:
    code, _, err = run(str(bank_path), "--strategy", "median")
    assert code == 2
    assert "'median' is not one of" in err
    assert "'peak_end'" in err


def test_unrated_steps_are_named(tmp_path: Path) -> None:
    bp = coffee()
    bp.replace_step(bp["cash"].evolve(rating=None))
    code, _, err = run(write(bp, tmp_path))
    assert code == 1
    assert "no rating for step 'cash'" in err


def test_per_step_table(tmp_path: Path) -> None:
    bp = coffee()
    bp.replace_step(bp["cash"].evolve(rating=None))
    code, out, _ = run(write(bp, tmp_path), "--by", "step")
    assert code == 0
    rows = {line.split()[0]: line.split() for line in out.splitlines()[3:6]}
    assert rows["order"][:4] == ["order", "order", "MOT", "+2.00"]
    assert rows["cash"] == ["cash", "pay", "unrated"]
    assert rows["card"][-3:] == ["+1.00", "meets", "expectations"]
    # pay: only card (+1) is rated, 1 of 2 steps
    assert "pay    +1.00  +1.00    1/2" in out


def test_csv_output(tmp_path: Path) -> None:
    target = tmp_path / "scores.csv"
    code, _, _ = run(write(coffee(), tmp_path), "--strategy", "worst", "--output", str(target))
    assert code == 0
    with target.open(encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    assert rows == [
        ["journey", "probability", "worst", "steps"],
        ["J1", "0.25", "-2.0", "order cash"],
        ["J2", "0.75", "1.0", "order card"],
        ["expected", "", "0.25", ""],
    ]


def test_json_output_per_step(tmp_path: Path) -> None:
    target = tmp_path / "curve.json"
    code, _, _ = run(write(coffee(), tmp_path), "--by", "step", "--output", str(target))
    assert code == 0
    data = json.loads(target.read_text(encoding="utf-8"))
    assert [(p["step"], p["rating"]) for p in data["steps"]] == [
        ("order", 2.0),
        ("cash", -2.0),
        ("card", 1.0),
    ]
    assert data["stages"][1]["mean"] == pytest.approx(-0.5)


def test_output_must_be_csv_or_json(tmp_path: Path, bank_path: Path) -> None:
    code, _, err = run(str(bank_path), "--output", str(tmp_path / "scores.txt"))
    assert code == 2
    assert ".csv" in err


def test_moment_on_evidence_fails(tmp_path: Path) -> None:
    bp = coffee()
    bp.add_step(
        Step(
            id="cup",
            label="Cup",
            lane="physical-evidence",
            stage="pay",
            moment=MomentOfTruth(kind="usage"),
        )
    )
    code, _, err = run(write(bp, tmp_path))
    assert code == 1
    assert "step 'cup': moment: a moment of truth cannot sit on physical evidence" in err


def test_misplaced_moment_warns_but_scores(tmp_path: Path) -> None:
    bp = coffee()
    bp.add_step(
        Step(
            id="clean",
            label="Clean",
            lane="backstage",
            stage="pay",
            moment=MomentOfTruth(kind="usage"),
        )
    )
    code, out, err = run(write(bp, tmp_path))
    assert code == 0
    assert err.startswith("warning: step 'clean'")
    assert "expected" in out


def test_journey_limit(tmp_path: Path) -> None:
    code, _, err = run(write(coffee(), tmp_path), "--limit", "1")
    assert code == 1
    assert "2 customer journeys" in err
