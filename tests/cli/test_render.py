"""``servicebp render`` on the command line."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

import servicebp
from servicebp.rendering._render import ENGINES
from tests._cli import Runner
from tests._paths import BANK


def test_render_svg(tmp_path: Path, runner: Runner) -> None:
    out = tmp_path / "bank.svg"
    result = runner.invoke(["render", str(BANK), "-o", str(out), "--engine", "embedded"])
    assert result.exit_code == 0, result.output
    ET.fromstring(out.read_bytes())


def test_render_dot_mermaid_and_ratings(tmp_path: Path, runner: Runner) -> None:
    ratings = tmp_path / "r.csv"
    ratings.write_text("step,rating\narrive,-3\n", encoding="utf-8")
    dot = tmp_path / "bank.dot"
    args = ["render", str(BANK), "-o", str(dot), "--ratings", str(ratings), "--no-legend"]
    assert runner.invoke(args).exit_code == 0
    assert "score -3" in dot.read_text(encoding="utf-8")
    assert "sbp-legend" not in dot.read_text(encoding="utf-8")
    mmd = tmp_path / "bank.mmd"
    assert runner.invoke(["render", str(BANK), "-o", str(mmd)]).exit_code == 0
    assert mmd.read_text(encoding="utf-8").startswith("journey")


def test_png_with_embedded_engine_fails_cleanly(tmp_path: Path, runner: Runner) -> None:
    out = tmp_path / "bank.png"
    args = ["render", str(BANK), "-o", str(out), "--engine", "embedded"]
    result = runner.invoke(args)
    assert result.exit_code == 1
    assert "SVG only" in result.output
    assert "Traceback" not in result.output
    assert not out.exists()


def test_engine_hints_use_cli_spelling(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, runner: Runner
) -> None:
    monkeypatch.setattr("shutil.which", lambda name: None)
    monkeypatch.setattr("servicebp.rendering._engines._has_pygraphviz", lambda: False)
    for suffix, engine, hint in [
        ("png", "embedded", "use --engine auto"),
        ("svg", "dot", "--engine dot: the 'dot' program is not on PATH"),
        ("svg", "dot", "or use --engine embedded (SVG only)"),
        ("pdf", "pygraphviz", "--engine pygraphviz: pygraphviz is not installed"),
        ("pdf", "pygraphviz", "pip install 'servicebp[png]'"),
        ("png", "auto", "pip install 'servicebp[png]'"),
    ]:
        out = tmp_path / f"bank.{suffix}"
        result = runner.invoke(["render", str(BANK), "-o", str(out), "--engine", engine])
        assert result.exit_code == 1, result.output
        assert hint in result.output
        assert "engine=" not in result.output
        assert "Traceback" not in result.output
        assert not out.exists()


def test_engine_help_names_every_engine_and_the_extra(runner: Runner) -> None:
    result = runner.invoke(["render", "--help"], terminal_width=1000)
    assert result.exit_code == 0
    for name in ENGINES:
        assert f"'{name}'" in result.output
    assert "servicebp[png]" in result.output


def test_python_hints_use_python_spelling(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("shutil.which", lambda name: None)
    bp = servicebp.load(BANK)
    with pytest.raises(servicebp.MissingDependencyError, match="use engine='auto'"):
        servicebp.render_bytes(bp, format="png", engine="embedded")
    with pytest.raises(servicebp.MissingDependencyError, match="or use engine='embedded'"):
        servicebp.render_bytes(bp, engine="dot")


def test_render_details_in_the_picture(tmp_path: Path, runner: Runner) -> None:
    dot = tmp_path / "bank.dot"
    args = ["render", str(BANK), "-o", str(dot), "--details", "duration", "--details", "cost"]
    result = runner.invoke(args)
    assert result.exit_code == 0, result.output
    plain = tmp_path / "plain.dot"
    assert runner.invoke(["render", str(BANK), "-o", str(plain)]).exit_code == 0
    assert "takes 10" in dot.read_text(encoding="utf-8")
    assert "takes 10" not in plain.read_text(encoding="utf-8")
    bad = runner.invoke(["render", str(BANK), "-o", str(dot), "--dpi", "0"])
    assert bad.exit_code == 2
