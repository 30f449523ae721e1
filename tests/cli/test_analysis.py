"""Tests for the analysis commands: lint, journeys, impact and diff."""

from __future__ import annotations

import json
from pathlib import Path

from servicebp import Blueprint, FailPoint, LintConfig, Step, Wait
from tests._cli import Runner
from tests._factories import write_blueprint


def small(*, recovery: str | None = "take cash") -> Blueprint:
    bp = Blueprint("Coffee", stages=["order", "pay"])
    bp.add_step(Step(id="order", label="Order", lane="customer", stage="order", rating=1))
    bp.add_step(
        Step(
            id="queue",
            label="Queue",
            lane="customer",
            stage="order",
            rating=-1,
            duration=1,
            wait=Wait(duration=8),
        )
    )
    bp.add_step(Step(id="app", label="App", lane="customer", stage="order", rating=2))
    bp.add_step(Step(id="pay", label="Pay", lane="customer", stage="pay", rating=1))
    bp.add_step(Step(id="till", label="Till", lane="frontstage", stage="pay"))
    bp.add_step(
        Step(
            id="bank",
            label="Card network",
            lane="support",
            stage="pay",
            fail_point=FailPoint(what="card declined", recovery=recovery, probability=0.1),
        )
    )
    bp.connect("order", "queue", probability=0.75)
    bp.connect("order", "app")
    bp.connect("queue", "pay")
    bp.connect("app", "pay")
    bp.connect("pay", "till", kind="support")
    bp.connect("till", "bank", kind="support")
    return bp


def test_lint_warnings_exit_0_errors_exit_1(tmp_path: Path, runner: Runner) -> None:
    result = runner.invoke(["lint", write_blueprint(tmp_path, small())])
    assert result.exit_code == 0
    assert "SBP004 warning step 'queue'" in result.stdout
    result = runner.invoke(["lint", write_blueprint(tmp_path, small(recovery=None))])
    assert result.exit_code == 1
    assert "SBP003 error step 'bank': fail point 'card declined' has no recovery" in result.stdout
    assert "Traceback" not in result.output


def test_lint_select_ignore_and_json(tmp_path: Path, runner: Runner) -> None:
    path = write_blueprint(tmp_path, small(recovery=None))
    result = runner.invoke(["lint", path, "--ignore", "SBP003", "--format", "json"])
    assert result.exit_code == 0
    findings = json.loads(result.stdout)["findings"]
    assert [(f["code"], f["step"], f["severity"]) for f in findings] == [
        ("SBP004", "queue", "warning")
    ]
    result = runner.invoke(["lint", path, "--select", "SBP001,SBP003"])
    assert result.exit_code == 1
    assert "SBP004" not in result.stdout


def test_lint_reads_the_files_lint_section(tmp_path: Path, runner: Runner) -> None:
    bp = small(recovery=None)
    bp.lint = LintConfig(ignore=["SBP003", "SBP004"])
    result = runner.invoke(["lint", write_blueprint(tmp_path, bp)])
    assert result.exit_code == 0
    assert "SBP" not in result.stdout


def test_lint_unknown_code_is_one_line(tmp_path: Path, runner: Runner) -> None:
    result = runner.invoke(["lint", write_blueprint(tmp_path, small()), "--select", "E501"])
    assert result.exit_code == 1
    assert "unknown lint rule code or prefix 'E501'" in result.stderr
    assert "Traceback" not in result.output


def test_an_unknown_code_in_the_files_lint_section_fails_validate_and_lint(
    tmp_path: Path,
    runner: Runner,
) -> None:
    path = write_blueprint(tmp_path, small())
    with open(path, "a", encoding="utf-8") as file:
        file.write("lint:\n  ignore: [QQ1]\n")
    line = Path(path).read_text(encoding="utf-8").splitlines().index("  ignore: [QQ1]") + 1
    for command in ("validate", "lint"):
        result = runner.invoke([command, path])
        assert result.exit_code == 1, command
        assert result.stderr.splitlines() == [
            f"{path}:{line}:12: $.lint.ignore[0]: unknown lint rule code or prefix 'QQ1' "
            "(the rules are SBP001-SBP010)"
        ], command


def test_journeys_by_hand(tmp_path: Path, runner: Runner) -> None:
    result = runner.invoke(["journeys", write_blueprint(tmp_path, small()), "--format", "json"])
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["count"] == 2
    rows = {tuple(j["steps"]): j for j in data["journeys"]}
    queue = rows["order", "queue", "pay"]
    # 0.75; duration 1; wait 8; the most likely and the longest journey.
    assert (queue["probability"], queue["duration"], queue["wait"]) == (0.75, 1, 8)
    assert queue["most_likely"]
    assert queue["critical"]
    assert rows["order", "app", "pay"]["probability"] == 0.25


def test_journeys_limit_is_a_clear_error(tmp_path: Path, runner: Runner) -> None:
    result = runner.invoke(["journeys", write_blueprint(tmp_path, small()), "--limit", "1"])
    assert result.exit_code == 1
    assert "has 2 customer journeys, more than the limit of 1" in result.stderr


def test_impact_text_and_json(tmp_path: Path, runner: Runner) -> None:
    path = write_blueprint(tmp_path, small())
    result = runner.invoke(["impact", path])
    assert result.exit_code == 0
    assert "bank: card declined" in result.stdout
    result = runner.invoke(["impact", path, "--format", "json"])
    [row] = json.loads(result.stdout)["fail_points"]
    # Every journey pays, so reach 1; risk 1 × 0.1.
    assert (row["customer_steps"], row["reach_probability"], row["risk"]) == (["pay"], 1.0, 0.1)


def test_diff_text_and_json(tmp_path: Path, runner: Runner) -> None:
    before = small()
    after = small()
    after.replace_step(after["queue"].evolve(rating=1, wait=Wait(duration=2, tolerance=5)))
    a, b = write_blueprint(tmp_path, before, "a.yaml"), write_blueprint(tmp_path, after, "b.yaml")
    result = runner.invoke(["diff", a, b])
    assert result.exit_code == 0
    assert "~ step queue: wait, rating" in result.stdout
    result = runner.invoke(["diff", a, b, "--format", "json"])
    data = json.loads(result.stdout)
    changes = {tuple(j["steps"]): j["change"] for j in data["journeys"]}
    # queue −1 → 1: the mean of (1, −1, 1) = 1/3 becomes (1, 1, 1) = 1.
    assert abs(changes["order", "queue", "pay"]["mean"] - 2 / 3) < 1e-9
    assert changes["order", "app", "pay"]["mean"] == 0
    assert runner.invoke(["diff", a, a]).stdout == "no changes\n"


def test_bank_example_through_every_command(bank_path: Path, runner: Runner) -> None:
    lint = runner.invoke(["lint", str(bank_path)])
    # The bank example's KYC review queue has no recovery: an error.
    assert lint.exit_code == 1
    assert "SBP003 error step 'review-kyc'" in lint.stdout
    journeys = runner.invoke(["journeys", str(bank_path)])
    assert journeys.exit_code == 0
    assert "2 journey(s)" in journeys.stdout
    impact = runner.invoke(["impact", str(bank_path)])
    assert impact.exit_code == 0
    assert impact.stdout.index("review-kyc") < impact.stdout.index("scan-id")
    assert runner.invoke(["diff", str(bank_path), str(bank_path)]).stdout == "no changes\n"
