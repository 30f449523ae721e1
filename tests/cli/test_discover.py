"""Tests for ``servicebp discover`` and ``servicebp conformance``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import Result

from servicebp import Blueprint, Step, save
from tests._cli import Runner


def _files(tmp_path: Path) -> Path:
    bp = Blueprint("Shop", stages=["s"])
    for sid in ("browse", "ask", "pay"):
        bp.add_step(Step(id=sid, label=sid.title(), lane="customer", stage="s"))
    bp.connect("browse", "ask")
    bp.connect("ask", "pay")
    save(bp, tmp_path / "shop.yaml")
    (tmp_path / "journeys.csv").write_text(
        "journey,step,order,bought\n"
        "1,browse,1,1\n1,ask,2,1\n1,pay,3,1\n"
        "2,browse,1,0\n2,pay,2,0\n"
        "3,browse,1,1\n3,ask,2,1\n",
        encoding="utf-8",
    )
    (tmp_path / "log.csv").write_text(
        "case:concept:name,concept:name,time:timestamp\n"
        "1,browse,0\n1,ask,3\n1,pay,5\n2,browse,0\n2,pay,9\n2,wander,10\n",
        encoding="utf-8",
    )
    return tmp_path


def _discover(folder: Path, *options: str) -> Result:
    return Runner().invoke(
        ["discover", str(folder / "shop.yaml"), str(folder / "journeys.csv"), *options]
    )


def test_discover_prints_the_ranking(tmp_path: Path) -> None:
    folder = _files(tmp_path)
    result = _discover(folder, "--outcome", "bought", "--top", "1")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    # browse is passed by every journey: its removal effect (1) is no evidence.
    assert lines[0].split()[:3] == ["1", "ask", "removal_effect=0.750"]
    assert "MOT?" in lines[0]
    as_json = _discover(folder, "--outcome", "bought", "--format", "json")
    rows = json.loads(as_json.output)["suggestions"]
    assert [(r["step"], r["score"] and round(r["score"], 3)) for r in rows] == [
        ("ask", 0.75),
        ("pay", 0.5),
        ("browse", None),
    ]
    last = rows[-1]
    assert (last["supported"], last["removal_effect"], last["driver"]) == (False, 1.0, None)
    strict = _discover(folder, "--outcome", "bought", "--min-removal-effect", "0.8")
    assert "MOT?" not in strict.output
    churn = _discover(folder, "--outcome", "bought", "--lower-is-better")
    assert "so the step raises 'bought'" in churn.output


def test_discover_json_carries_the_key_driver_evidence(tmp_path: Path) -> None:
    folder = _files(tmp_path)
    rated = "journey,step,order,rating,happy\n" + "".join(
        f"{j},browse,1,{r},{h}\n{j},pay,2,{r},{h}\n"
        for j, (r, h) in enumerate([(-2, 1), (-1, 2), (0, 3), (1, 5), (2, 6), (3, 7)])
    )
    (folder / "journeys.csv").write_text(rated, encoding="utf-8")
    result = _discover(folder, "--outcome", "happy", "--format", "json")
    assert result.exit_code == 0, result.output
    driver = json.loads(result.output)["suggestions"][0]["driver"]
    assert driver["n"] == 6
    assert driver["correlation"] > 0.95
    assert driver["ci_low"] <= driver["coefficient"] <= driver["ci_high"]


@pytest.mark.parametrize("options", [["--top", "-1"], ["--top", "x"]])
def test_discover_top_must_be_a_whole_number_of_at_least_0(
    tmp_path: Path, options: list[str]
) -> None:
    result = _discover(_files(tmp_path), "--outcome", "bought", *options)
    assert result.exit_code == 2
    assert "--top" in result.output


def test_discover_missing_input_is_an_input_problem(tmp_path: Path, runner: Runner) -> None:
    result = runner.invoke(
        ["discover", str(tmp_path / "none.yaml"), str(tmp_path / "x.csv"), "--outcome", "o"]
    )
    assert result.exit_code == 1
    assert "none.yaml: no such file" in result.output


def test_discover_reports_a_missing_column_in_one_line(tmp_path: Path) -> None:
    result = _discover(_files(tmp_path), "--outcome", "churned")
    assert result.exit_code == 1
    assert "missing column(s) ['churned']" in result.output
    assert "Traceback" not in result.output


def test_conformance_prints_the_comparison(tmp_path: Path, runner: Runner) -> None:
    folder = _files(tmp_path)
    result = runner.invoke(["conformance", str(folder / "shop.yaml"), str(folder / "log.csv")])
    assert result.exit_code == 0, result.output
    assert "browse -> pay: n=1, median wait 9 min  NOT DESIGNED" in result.output
    assert "browse->pay: skips ask" in result.output
    assert "'wander': not a step of the blueprint (1 event(s))" in result.output
    # browse→ask, ask→pay designed; browse→pay not: 2 of 3; both designed flows followed.
    assert (
        "fitness 0.667 (3 within-lane transition(s), 1 case(s) off the design), precision 1.000"
        in result.output
    )
    as_json = runner.invoke(
        ["conformance", str(folder / "shop.yaml"), str(folder / "log.csv"), "--format", "json"],
    )
    report = json.loads(as_json.output)
    assert report["cases"] == 2
    assert report["deviations"] == [
        {"case": "2", "fitness": 0.0, "transitions": 1, "undesigned": [["browse", "pay"]]}
    ]


def _conformance(folder: Path, log: str, *options: str) -> Result:
    (folder / "events.csv").write_text(log, encoding="utf-8")
    return Runner().invoke(
        ["conformance", str(folder / "shop.yaml"), str(folder / "events.csv"), *options]
    )


HEADER = "case:concept:name,concept:name,time:timestamp\n"


def test_conformance_escapes_activity_names_from_the_log(tmp_path: Path) -> None:
    folder = _files(tmp_path)
    log = HEADER + "1,\x1b]0;pwned\x07evil,5\n1,browse,6\n1,\x1b[2J\u202ex\x9b,7\n"
    result = _conformance(folder, log)
    assert result.exit_code == 0, result.output
    assert "'\\x1b]0;pwned\\x07evil': not a step of the blueprint (1 event(s))" in result.output
    assert "'\\x1b[2J\\u202ex\\x9b': not a step" in result.output
    assert result.output.isascii()
    as_json = _conformance(folder, log, "--format", "json")
    assert as_json.exit_code == 0, as_json.output
    assert all(c.isprintable() or c == "\n" for c in as_json.output), repr(as_json.output)
    assert json.loads(as_json.output)["unknown_activities"] == {
        "\x1b]0;pwned\x07evil": 1,
        "\x1b[2J\u202ex\x9b": 1,
    }


def test_conformance_json_keeps_readable_text(tmp_path: Path) -> None:
    folder = _files(tmp_path)
    result = _conformance(folder, HEADER + "1,browse,0\n1,开户,1\n", "--format", "json")
    assert '"开户": 1' in result.output


def test_conformance_rejects_a_blank_case_id(tmp_path: Path) -> None:
    result = _conformance(_files(tmp_path), HEADER + ",browse,2024-05-01T09:00\n")
    assert result.exit_code == 1
    assert "events.csv:2: column 'case:concept:name': the case id is missing" in result.output
    assert "case(s)" not in result.output


def test_conformance_prints_support_flows_by_case(tmp_path: Path) -> None:
    bp = Blueprint("Shop", stages=["s"])
    bp.add_step(Step(id="browse", label="Browse", lane="customer", stage="s"))
    bp.add_step(Step(id="pay", label="Pay", lane="customer", stage="s"))
    bp.add_step(Step(id="advise", label="Advise", lane="frontstage", stage="s"))
    bp.add_step(Step(id="till", label="Till", lane="frontstage", stage="s"))
    bp.connect("browse", "pay")
    bp.connect("browse", "advise", kind="support")
    bp.connect("pay", "till", kind="support")
    save(bp, tmp_path / "shop.yaml")
    result = _conformance(tmp_path, HEADER + "1,browse,0\n1,advise,1\n1,pay,3\n")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "1 case(s)",
        "fitness 1.000 (1 within-lane transition(s), 0 case(s) off the design), precision 1.000",
        "browse -> pay: n=1, median wait 3 min",
        "browse -> advise: support, both in 1 case(s)",
        "pay -> till: designed support, never observed",
        "till: never observed",
    ]
    # Only lanes seen in the log are in scope: with the customer lane alone, no link is missed.
    alone = _conformance(tmp_path, HEADER + "1,browse,0\n", "--format", "json")
    assert json.loads(alone.output)["unobserved_links"] == []
    rows = json.loads(
        _conformance(tmp_path, HEADER + "1,browse,0\n2,till,0\n", "--format", "json").output
    )
    assert rows["links"] == []
    assert rows["unobserved_links"] == [["browse", "advise"], ["pay", "till"]]


def test_json_lists_each_table_problem_with_its_row_and_column(
    tmp_path: Path, runner: Runner
) -> None:
    """score, discover and conformance: every bad cell is one problem, with its line and column."""
    folder = _files(tmp_path)
    (folder / "journeys.csv").write_text(
        "journey,step,order,bought,rating\n1,browse,1,1,x\n1,ask,2,1,2\n2,browse,1,0,9\n",
        encoding="utf-8",
    )
    bad_log = HEADER + "1,browse,0\n,ask,3\n,pay,5\n"
    runs = {
        "score": runner.invoke(
            [
                "score",
                str(folder / "shop.yaml"),
                "--ratings",
                str(folder / "journeys.csv"),
                "--format",
                "json",
            ],
        ),
        "discover": _discover(folder, "--outcome", "bought", "--format", "json"),
        "conformance": _conformance(folder, bad_log, "--format", "json"),
    }
    for command, result in runs.items():
        assert result.exit_code == 1, (command, result.output)
    for command in ("score", "discover"):
        problems = json.loads(runs[command].stdout)["problems"]
        assert [(p["line"], p["column"], p["message"]) for p in problems] == [
            (2, "rating", "'x' is not a number"),
            (4, "rating", "9.0 is not on the MOT scale -3…+3"),
        ], command
        assert all(p["file"].endswith("journeys.csv") for p in problems)
    problems = json.loads(runs["conformance"].stdout)["problems"]
    assert [(p["line"], p["column"], p["message"]) for p in problems] == [
        (3, "case:concept:name", "the case id is missing"),
        (4, "case:concept:name", "the case id is missing"),
    ]
    text = runner.invoke(["conformance", str(folder / "shop.yaml"), str(folder / "events.csv")])
    assert text.stderr.splitlines() == [
        f"{folder / 'events.csv'}:3: column 'case:concept:name': the case id is missing",
        f"{folder / 'events.csv'}:4: column 'case:concept:name': the case id is missing",
    ]
