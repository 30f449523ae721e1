"""``servicebp render`` on the command line."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from click.testing import CliRunner

from servicebp.cli import main
from tests.test_render_dot import BANK


def test_render_svg(tmp_path: Path) -> None:
    out = tmp_path / "bank.svg"
    result = CliRunner().invoke(main, ["render", str(BANK), "-o", str(out), "--engine", "embedded"])
    assert result.exit_code == 0, result.output
    ET.fromstring(out.read_bytes())


def test_render_dot_mermaid_and_ratings(tmp_path: Path) -> None:
    ratings = tmp_path / "r.csv"
    ratings.write_text("step,rating\narrive,-3\n", encoding="utf-8")
    dot = tmp_path / "bank.dot"
    args = ["render", str(BANK), "-o", str(dot), "--ratings", str(ratings), "--no-legend"]
    assert CliRunner().invoke(main, args).exit_code == 0
    assert "score -3" in dot.read_text(encoding="utf-8")
    assert "cluster_legend" not in dot.read_text(encoding="utf-8")
    mmd = tmp_path / "bank.mmd"
    assert CliRunner().invoke(main, ["render", str(BANK), "-o", str(mmd)]).exit_code == 0
    assert mmd.read_text(encoding="utf-8").startswith("journey")


def test_png_with_embedded_engine_fails_cleanly(tmp_path: Path) -> None:
    out = tmp_path / "bank.png"
    args = ["render", str(BANK), "-o", str(out), "--engine", "embedded"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 1
    assert "SVG only" in result.output
    assert "Traceback" not in result.output
    assert not out.exists()
