"""Tests for ``servicebp discover`` and ``servicebp conformance``."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner, Result

from servicebp import Blueprint, Step
from servicebp.cli import main
from servicebp.io import save


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
    return CliRunner().invoke(
        main, ["discover", str(folder / "shop.yaml"), str(folder / "journeys.csv"), *options]
    )


def test_discover_prints_the_ranking(tmp_path: Path) -> None:
    folder = _files(tmp_path)
    result = _discover(folder, "--outcome", "bought", "--top", "1")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].split()[:3] == ["1", "browse", "removal_effect=1.000"]
    assert "MOT?" in lines[0]
    as_json = _discover(folder, "--outcome", "bought", "--format", "json")
    rows = json.loads(as_json.output)["suggestions"]
    assert [(r["step"], round(r["score"], 3)) for r in rows] == [
        ("browse", 1.0),
        ("ask", 0.75),
        ("pay", 0.5),
    ]


def test_discover_reports_a_missing_column_in_one_line(tmp_path: Path) -> None:
    result = _discover(_files(tmp_path), "--outcome", "churned")
    assert result.exit_code == 1
    assert "missing column(s) ['churned']" in result.output
    assert "Traceback" not in result.output


def test_conformance_prints_the_comparison(tmp_path: Path) -> None:
    folder = _files(tmp_path)
    result = CliRunner().invoke(
        main, ["conformance", str(folder / "shop.yaml"), str(folder / "log.csv")]
    )
    assert result.exit_code == 0, result.output
    assert "browse -> pay: n=1, median wait 9 min  NOT DESIGNED" in result.output
    assert "browse->pay: skips ask" in result.output
    assert "wander: not a step of the blueprint (1 event(s))" in result.output
    as_json = CliRunner().invoke(
        main,
        ["conformance", str(folder / "shop.yaml"), str(folder / "log.csv"), "--format", "json"],
    )
    assert json.loads(as_json.output)["cases"] == 2
