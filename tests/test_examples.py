"""Every example runs: scripts from a temporary folder, blueprint files validate."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import servicebp
from tests._paths import EXAMPLES

SCRIPTS = sorted(EXAMPLES.glob("*.py"))
BLUEPRINTS = sorted([*EXAMPLES.glob("*.yaml"), *EXAMPLES.glob("*.yml"), *EXAMPLES.glob("*.json")])


def run(script: Path, *arguments: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(script), *arguments],
        cwd=cwd,
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=False,
        timeout=300,
    )


def test_there_are_examples() -> None:
    assert EXAMPLES / "bank_account_opening.yaml" in BLUEPRINTS
    assert EXAMPLES / "build_blueprint.py" in SCRIPTS


@pytest.mark.parametrize("script", SCRIPTS, ids=[s.name for s in SCRIPTS])
def test_script_runs_from_another_folder(script: Path, tmp_path: Path) -> None:
    result = run(script, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip(), "an example should say what it did"
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("blueprint", BLUEPRINTS, ids=[b.name for b in BLUEPRINTS])
def test_blueprint_file_validates(blueprint: Path) -> None:
    bp = servicebp.load(blueprint)
    assert bp.problems() == []
    assert len(bp) > 0


def test_build_blueprint_writes_restaurant_yaml(tmp_path: Path) -> None:
    result = run(EXAMPLES / "build_blueprint.py", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    saved = tmp_path / "restaurant.yaml"
    lines = result.stdout.splitlines()
    assert (
        lines[0] == f"saved Blueprint('Restaurant dinner', stages=3, steps=7, flows=7) to {saved}"
    )
    assert lines[1] == (
        "customer spine: Orders dishes 点餐 → Is served and eats 上菜 → "
        "Asks for the bill and pays 结账"
    )
    assert lines[2] == "moments of truth: ['order', 'eat', 'pay']"
    bp = servicebp.load(saved)
    assert [s.id for s in bp.customer_spine()] == ["order", "eat", "pay"]
    assert bp["eat"].wait is not None
    assert bp["eat"].wait.over_tolerance


def test_build_blueprint_writes_where_told(tmp_path: Path) -> None:
    target = tmp_path / "out" / "dinner.json"
    target.parent.mkdir()
    result = run(EXAMPLES / "build_blueprint.py", str(target), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert servicebp.load(target).name == "Restaurant dinner"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_bank_example_has_what_the_issue_asks_for() -> None:
    bp = servicebp.load(EXAMPLES / "bank_account_opening.yaml")
    assert bp.stages == ("apply", "verify", "issue", "follow-up")
    assert {step.lane.value for step in bp} == {
        "physical-evidence",
        "customer",
        "frontstage",
        "backstage",
        "support",
    }
    assert {flow.kind.value for flow in bp.flows()} == {"sequence", "support"}
    branches = [f for f in bp.outgoing("show-id") if f.probability is not None]
    assert sorted(f.probability for f in branches) == [0.2, 0.8]
    waits = [s for s in bp if s.wait is not None]
    assert any(s.wait.over_tolerance for s in waits if s.wait)
    assert any(s.wait.tolerance is not None for s in waits if s.wait)
    fail_points = [s.fail_point for s in bp if s.fail_point is not None]
    assert any(fp.recovery is None for fp in fail_points)
    assert any(fp.recovery is not None for fp in fail_points)
    assert any(s.cost is not None for s in bp)
    assert any(s.duration is not None for s in bp)
    assert all(s.rating is not None for s in bp.steps(lane="customer"))
    moments = bp.moments()
    assert len(moments) >= 3
    assert any(not s.moment.covers("confirm") for s in moments if s.moment)
    assert all(s.moment.contact_mode is not None for s in moments if s.moment)
    assert any(e.source is not None for s in moments if s.moment for e in s.moment.expectations)
    assert any("开户" in s.label for s in bp)
