"""``servicebp score`` through click's test runner."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from servicebp import STRATEGIES, Blueprint, MomentOfTruth, Step, dumps
from tests._cli import Runner
from tests._factories import write_blueprint


def run(*args: str) -> tuple[int, str, str]:
    result = Runner().invoke(["score", *args])
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


def test_bank_example_prints_every_strategy(bank_path: Path) -> None:
    code, out, _ = run(str(bank_path))
    assert code == 0
    header = next(line for line in out.splitlines() if line.startswith("journey"))
    for name in STRATEGIES:
        assert name in header
    assert "expected" in out


def test_scores_by_hand(tmp_path: Path) -> None:
    code, out, _ = run(
        write_blueprint(tmp_path, coffee()), "--strategy", "worst", "--strategy", "mean"
    )
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
        write_blueprint(tmp_path, coffee()),
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
    code, out, err = run(write_blueprint(tmp_path, coffee()), "--ratings", str(ratings))
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
    code, _, err = run(write_blueprint(tmp_path, bp))
    assert code == 1
    assert "no rating for step 'cash'" in err


def test_per_step_table(tmp_path: Path) -> None:
    bp = coffee()
    bp.replace_step(bp["cash"].evolve(rating=None))
    code, out, _ = run(write_blueprint(tmp_path, bp), "--by", "step")
    assert code == 0
    rows = {line.split()[0]: line.split() for line in out.splitlines()[3:6]}
    assert rows["order"][:4] == ["order", "order", "MOT", "+2.00"]
    assert rows["cash"] == ["cash", "pay", "unrated"]
    assert rows["card"][-3:] == ["+1.00", "meets", "expectations"]
    # pay: only card (+1) is rated, 1 of 2 steps
    assert "pay    +1.00  +1.00    1/2" in out


def test_csv_output(tmp_path: Path) -> None:
    target = tmp_path / "scores.csv"
    code, _, _ = run(
        write_blueprint(tmp_path, coffee()), "--strategy", "worst", "--output", str(target)
    )
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
    code, _, _ = run(write_blueprint(tmp_path, coffee()), "--by", "step", "--output", str(target))
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
    # The file is written by hand: servicebp refuses to write such a blueprint.
    text = dumps(coffee()).replace(
        "flows:\n",
        "- id: cup\n  label: Cup\n  lane: physical-evidence\n  stage: pay\n"
        "  moment:\n    kind: usage\nflows:\n",
    )
    path = tmp_path / "bp.yaml"
    path.write_text(text, encoding="utf-8")
    code, _, err = run(str(path))
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
    code, out, err = run(write_blueprint(tmp_path, bp))
    assert code == 0
    assert err.startswith("warning: step 'clean'")
    assert "expected" in out


def test_journey_limit(tmp_path: Path) -> None:
    code, _, err = run(write_blueprint(tmp_path, coffee()), "--limit", "1")
    assert code == 1
    assert "2 customer journeys" in err


# --- observed journeys ----------------------------------------------------------------

#: The audit's reproducer: j1 arrive 3, apply −3, show-id 2; j2 arrive −1, apply 1.
EVENTS = (
    "journey,step,order,rating\n"
    "j1,arrive,1,3\nj1,apply,2,-3\nj1,show-id,3,2\n"
    "j2,arrive,1,-1\nj2,apply,2,1\n"
)


def events_file(folder: Path, text: str = EVENTS) -> str:
    path = folder / "events.csv"
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_observed_journeys_are_scored_as_they_happened(tmp_path: Path, bank_path: Path) -> None:
    code, out, _ = run(str(bank_path), "--ratings", events_file(tmp_path))
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "Bank account opening: 2 observed journeys from events.csv"
    rows = {line.split()[0]: line.split() for line in lines if line.startswith(("j1 ", "j2 "))}
    # the journey table lists the observed journeys, not the design's J1, J2 …
    assert set(rows) == {"j1", "j2"}
    assert not any(line.startswith("J1") for line in lines)
    header = next(line.split() for line in lines if line.startswith("journey"))
    assert header == ["journey", *STRATEGIES]
    j1 = dict(zip(header[1:], rows["j1"][1:], strict=True))
    j2 = dict(zip(header[1:], rows["j2"][1:], strict=True))
    # j1: mean (3 − 3 + 2) / 3; weighted (apply 2, show-id 1.5) (3 − 6 + 3) / 4.5 = 0;
    # worst −3 (kept, not averaged away); last 2; peak −3 (tie with +3: the negative)
    # so peak_end (−3 + 2) / 2; moment floor min(apply −3, show-id 2)
    assert j1 == {
        "mean": "+0.67",
        "weighted": "+0.00",
        "worst": "-3.00",
        "last": "+2.00",
        "peak_end": "-0.50",
        "moment_floor": "-3.00",
        # 3 and 2 of 3, −3, 2 are above 0: a share, printed without a sign
        "share_positive": "0.67",
    }
    # j2: mean 0; weighted (−1 + 2 × 1) / 3; peak −1 (tie) so (−1 + 1) / 2; floor apply 1
    assert j2 == {
        "mean": "+0.00",
        "weighted": "+0.33",
        "worst": "-1.00",
        "last": "+1.00",
        "peak_end": "+0.00",
        "moment_floor": "+1.00",
        "share_positive": "0.50",  # 1 of −1, 1
    }
    # the summary over all journeys: worst mean (−3 − 1) / 2, min −3, both below 0
    summary = next(line.split() for line in lines if line.startswith("worst "))
    assert summary == ["worst", "-2.00", "-3.00", "-1.00", "1.00"]
    # a share is never below 0: no share below 0 is claimed for it
    summary = next(line.split() for line in lines if line.startswith("share_positive "))
    assert summary == ["share_positive", "0.58", "0.50", "0.67", "—"]


def test_observed_strategies_and_json(tmp_path: Path, bank_path: Path) -> None:
    code, out, _ = run(
        str(bank_path),
        "--ratings",
        events_file(tmp_path),
        "--strategy",
        "worst",
        "--strategy",
        "last",
        "--format",
        "json",
    )
    assert code == 0
    data = json.loads(out)
    assert data["strategies"] == ["worst", "last"]
    assert data["count"] == 2
    assert data["shown"] == 2
    assert data["summary"]["worst"] == {
        "mean": -2.0,
        "min": -3.0,
        "max": -1.0,
        "share_negative": 1.0,
    }
    assert data["journeys"] == [
        {"journey": "j1", "scores": {"worst": -3.0, "last": 2.0}},
        {"journey": "j2", "scores": {"worst": -1.0, "last": 1.0}},
    ]


def many_journeys(folder: Path, n: int) -> str:
    lines = ["journey,step,order,rating"]
    for j in range(n):
        lines.append(f"c{j:05d},arrive,1,{j % 7 - 3}")
        lines.append(f"c{j:05d},apply,2,{(j * 3) % 7 - 3}")
    return events_file(folder, "\n".join(lines) + "\n")


def test_many_journeys_do_not_flood_the_terminal(tmp_path: Path, bank_path: Path) -> None:
    path = many_journeys(tmp_path, 500)
    code, out, _ = run(str(bank_path), "--ratings", path)
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "Bank account opening: 500 observed journeys from events.csv"
    journey_rows = [line for line in lines if line.startswith("c0")]
    assert len(journey_rows) == 20  # the default --rows
    assert journey_rows[0].startswith("c00000")
    assert (
        lines[-1]
        == "(20 of 500 journeys shown; --rows N shows more, --output FILE.csv writes them all)"
    )
    assert len(lines) < 40

    code, out, _ = run(str(bank_path), "--ratings", path, "--rows", "3")
    assert len([line for line in out.splitlines() if line.startswith("c0")]) == 3

    code, out, _ = run(str(bank_path), "--ratings", path, "--rows", "0", "--format", "json")
    data = json.loads(out)
    assert data["count"] == 500
    assert data["shown"] == 0
    assert data["journeys"] == []


def test_output_writes_every_observed_journey(tmp_path: Path, bank_path: Path) -> None:
    path = many_journeys(tmp_path, 50)
    target = tmp_path / "scores.csv"
    code, out, _ = run(
        str(bank_path),
        "--ratings",
        path,
        "--rows",
        "2",
        "--strategy",
        "worst",
        "--output",
        str(target),
    )
    assert code == 0
    with target.open(encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    assert out.splitlines()[-1] == (
        "(2 of 50 journeys shown; --rows N shows more, all 50 are written to scores.csv)"
    )
    assert rows[0] == ["journey", "worst"]
    assert len(rows) == 51
    # c00004: arrive 4 % 7 − 3 = 1, apply 12 % 7 − 3 = 2 → worst 1
    assert rows[5] == ["c00004", "1.0"]

    target = tmp_path / "scores.json"
    code, _, _ = run(str(bank_path), "--ratings", path, "--rows", "2", "--output", str(target))
    assert code == 0
    data = json.loads(target.read_text(encoding="utf-8"))
    assert data["count"] == 50
    assert len(data["journeys"]) == 50
    assert "shown" not in data
    assert data["journeys"][4] == {
        "journey": "c00004",
        "scores": {
            "mean": 1.5,
            "weighted": pytest.approx((1 + 2 * 2) / 3),
            "worst": 1.0,
            "last": 2.0,
            "peak_end": 2.0,
            "moment_floor": 2.0,
            "share_positive": 1.0,  # 1 and 2 are both above 0
        },
    }


def test_outcome_column_is_carried(tmp_path: Path, bank_path: Path) -> None:
    text = (
        "journey,step,order,rating,outcome\n"
        "j1,arrive,1,3,churned\nj1,apply,2,-3,churned\nj2,arrive,1,1,stayed\n"
    )
    target = tmp_path / "o.csv"
    code, out, _ = run(
        str(bank_path),
        "--ratings",
        events_file(tmp_path, text),
        "--strategy",
        "last",
        "--output",
        str(target),
    )
    assert code == 0
    assert next(line.split() for line in out.splitlines() if line.startswith("j1")) == [
        "j1",
        "-3.00",
        "churned",
    ]
    assert target.read_text(encoding="utf-8").splitlines() == [
        "journey,last,outcome",
        "j1,-3.0,churned",
        "j2,1.0,stayed",
    ]


def test_observed_step_statistics(tmp_path: Path, bank_path: Path) -> None:
    code, out, _ = run(str(bank_path), "--ratings", events_file(tmp_path), "--by", "step")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "Bank account opening: 6 customer steps, 5 observed events from events.csv"
    rows = {line.split()[0]: line.split() for line in lines[2:]}
    assert rows["step"] == [
        "step",
        "stage",
        "moment",
        "count",
        "mean",
        "share",
        "<",
        "0",
        "share",
        "-3",
    ]
    # arrive: 3 and −1; apply: −3 and 1 (MOT); show-id: 2; the rest: no events
    assert rows["arrive"] == ["arrive", "apply", "2", "+1.00", "0.50", "0.00"]
    assert rows["apply"] == ["apply", "apply", "MOT", "2", "-1.00", "0.50", "0.50"]
    assert rows["show-id"] == ["show-id", "verify", "MOT", "1", "+2.00", "0.00", "0.00"]
    assert rows["bring-documents"] == ["bring-documents", "verify", "0", "no", "events"]
    assert "greet" not in rows  # customer steps only

    target = tmp_path / "steps.json"
    code, _, _ = run(
        str(bank_path), "--ratings", events_file(tmp_path), "--by", "step", "--output", str(target)
    )
    steps = json.loads(target.read_text(encoding="utf-8"))["steps"]
    assert steps[1] == {
        "step": "apply",
        "stage": "apply",
        "moment": True,
        "count": 2,
        "mean": -1.0,
        "share_negative": 0.5,
        "share_minus_3": 0.5,
    }
    assert steps[3]["count"] == 0
    assert steps[3]["mean"] is None

    target = tmp_path / "steps.csv"
    run(str(bank_path), "--ratings", events_file(tmp_path), "--by", "step", "--output", str(target))
    lines = target.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "step,stage,moment,count,mean,share_negative,share_minus_3"
    assert lines[2] == "apply,apply,true,2,-1.0,0.5,0.5"
    assert lines[4] == "bring-documents,verify,false,0,,,"


def test_observed_scale(tmp_path: Path, bank_path: Path) -> None:
    # Mermaid 5 → +3, 1 → −3, 4 → +1.5
    text = "journey,step,order,rating\nj1,arrive,1,5\nj1,apply,2,1\nj1,show-id,3,4\n"
    code, out, _ = run(
        str(bank_path),
        "--ratings",
        events_file(tmp_path, text),
        "--scale",
        "mermaid",
        "--strategy",
        "last",
    )
    assert code == 0
    assert "from events.csv (on the mermaid scale)" in out.splitlines()[0]
    assert next(line.split() for line in out.splitlines() if line.startswith("j1")) == [
        "j1",
        "+1.50",
    ]
    # the same file on the default MOT scale: 5 and 4 are off −3…+3
    code, _, err = run(str(bank_path), "--ratings", events_file(tmp_path, text))
    assert code == 1
    assert "events.csv:2: column 'rating': 5.0 is not on the MOT scale -3…+3" in err


def test_scale_needs_a_journey_table(tmp_path: Path) -> None:
    ratings = tmp_path / "ratings.csv"
    ratings.write_text("step,rating\ncard,4\n", encoding="utf-8")
    code, _, err = run(
        write_blueprint(tmp_path, coffee()), "--ratings", str(ratings), "--scale", "mermaid"
    )
    assert code == 2
    assert "--scale mermaid applies to an observed-journey table" in err


def test_observed_events_on_non_customer_steps_fail(tmp_path: Path, bank_path: Path) -> None:
    text = "journey,step,order,rating\nj1,arrive,1,1\nj1,greet,2,-3\nj1,nowhere,3,1\n"
    code, out, err = run(str(bank_path), "--ratings", events_file(tmp_path, text))
    assert code == 1
    assert "outside the customer lane (a journey walks customer steps): 'greet' (frontstage" in err
    assert "events.csv:3)" in err
    assert "1 step not in blueprint 'Bank account opening': 'nowhere' (1 event" in err
    assert "events.csv:4)" in err
    assert "Traceback" not in err + out
    assert len(err.strip().splitlines()) == 1


def test_observed_bad_rating_is_named(tmp_path: Path, bank_path: Path) -> None:
    code, _, err = run(
        str(bank_path),
        "--ratings",
        events_file(tmp_path, "journey,step,order,rating\nj1,arrive,1,x\n"),
    )
    assert code == 1
    assert "events.csv:2: column 'rating': 'x' is not a number" in err
