"""``--persona`` on score, render and diff."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

import servicebp
from servicebp.cli import main
from tests._paths import EXAMPLES
from tests.analysis.test_personas import hotel, to_be

HOTEL = EXAMPLES / "hotel_personas.yaml"


def test_score_as_a_persona(tmp_path: Path) -> None:
    path = tmp_path / "hotel.yaml"
    servicebp.save(hotel(), path)
    runner = CliRunner()
    result = runner.invoke(
        main,
        ["score", str(path), "--persona", "first-timer", "--strategy", "worst", "--format", "json"],
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["blueprint"] == "Hotel · first-timer"
    assert data["expected"] == {"worst": -2}
    result = runner.invoke(main, ["score", str(path), "--persona", "regular", "--by", "step"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Hotel · regular: 3 customer steps, designed ratings")
    # Without --persona, the steps' own ratings.
    result = runner.invoke(main, ["score", str(path), "--strategy", "worst", "--format", "json"])
    assert json.loads(result.output)["expected"] == {"worst": 0}


def test_an_unknown_persona_fails_with_the_closest(tmp_path: Path) -> None:
    path = tmp_path / "hotel.yaml"
    servicebp.save(hotel(), path)
    result = CliRunner().invoke(main, ["score", str(path), "--persona", "regualr"])
    assert result.exit_code == 1
    assert "unknown persona: 'regualr' (did you mean 'regular'?)" in result.output


def test_render_as_a_persona(tmp_path: Path) -> None:
    out = tmp_path / "first.mmd"
    arguments = ["render", str(HOTEL), "-o", str(out), "--persona", "first-timer"]
    result = CliRunner().invoke(main, arguments)
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    assert "title Hotel stay, two personas · First-time guest" in text
    # The first-timer rates the queue -3: the lowest Mermaid score, 1.
    assert "Queues at the front desk: 1:" in text


def test_diff_as_a_persona(tmp_path: Path) -> None:
    before, after = tmp_path / "as-is.yaml", tmp_path / "to-be.yaml"
    servicebp.save(hotel(), before)
    servicebp.save(to_be(), after)
    runner = CliRunner()
    result = runner.invoke(main, ["diff", str(before), str(after), "--persona", "first-timer"])
    assert result.exit_code == 0, result.output
    assert "~ step check-in: wait, rating" in result.output
    assert "journey arrive > check-in > stay: mean +1," in result.output
    result = runner.invoke(main, ["diff", str(before), str(after), "--persona", "regular"])
    assert result.output.strip() == "no changes"
    result = runner.invoke(main, ["diff", str(before), str(after)])
    assert "~ step check-in: per_persona" in result.output
