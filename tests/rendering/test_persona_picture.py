"""The picture of one persona: its ratings on the steps, its emotion curve, its waits, its title."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest

import servicebp
from servicebp import UnknownPersonaError, check_layout, render_svg, to_dot, to_mermaid
from tests.analysis.test_personas import hotel

_POINT = re.compile(r'id="sbp-emotion-point:([^"]+)"[^\n]*? pos="[\d.]+,([\d.]+)!"')


def _levels(persona: str | None) -> dict[str, float]:
    """Each emotion point's height in the DOT (Graphviz's y grows upwards)."""
    source = to_dot(hotel(), emotion=True, persona=persona).source
    return {step: float(y) for step, y in _POINT.findall(source)}


@pytest.mark.parametrize(
    ("persona", "ratings"),
    [("first-timer", [0, -2, 1]), ("regular", [1, 2, 3]), (None, [1, 0, 2])],
)
def test_the_emotion_curve_is_the_personas(persona: str | None, ratings: list[int]) -> None:
    levels = _levels(persona)
    assert list(levels) == ["arrive", "check-in", "stay"]
    heights = list(levels.values())
    # One level a rating apart: the heights differ as the ratings do.
    step = (heights[2] - heights[0]) / (ratings[2] - ratings[0])
    assert step > 0
    for height, rating in zip(heights, ratings, strict=True):
        assert height - heights[0] == pytest.approx(step * (rating - ratings[0]))


def test_two_personas_give_two_pictures_each_titled_and_marked_with_its_own() -> None:
    bp = hotel()
    first = to_dot(bp, persona="first-timer").source
    regular = to_dot(bp, persona="regular").source
    assert 'label="Hotel · first-timer"' in first
    assert 'label="Hotel · regular"' in regular
    # The first-timer waits 20 minutes against a tolerance of 10 at check-in; the regular 5.
    assert "sbp-badge:wait-over:check-in" in first
    assert "sbp-badge:wait-over:check-in" not in regular
    assert re.search(r'id="check-in" label="[^"]*score -2"', first)
    assert re.search(r'id="check-in" label="[^"]*score \+2"', regular)
    # Without a persona, the steps' own values: the picture as it always was.
    own = to_dot(bp).source
    assert 'id="sbp-title" label=Hotel ' in own
    assert re.search(r'id="check-in" label="[^"]*score \+0"', own)
    assert "sbp-badge:wait-over:check-in" not in own


def test_every_output_takes_the_persona(tmp_path: Path) -> None:
    bp = hotel()
    svg = render_svg(bp, engine="embedded", emotion=True, persona="first-timer")
    assert check_layout(svg) == []
    assert "Hotel · first-timer" in html.unescape(svg)
    assert "title Hotel · regular" in to_mermaid(bp, persona="regular")
    assert "Hotel · regular" in servicebp.to_drawio(bp, persona="regular")
    out = servicebp.render(bp, tmp_path / "first.mmd", persona="first-timer")
    assert "title Hotel · first-timer" in out.read_text(encoding="utf-8")
    out = servicebp.render(bp, tmp_path / "first.dot", persona="first-timer", emotion=True)
    assert out.read_text(encoding="utf-8") == to_dot(bp, persona="first-timer", emotion=True).source


def test_an_unknown_persona_in_a_picture_names_the_closest() -> None:
    with pytest.raises(UnknownPersonaError, match=r"did you mean 'regular'\?"):
        to_dot(hotel(), persona="regualr")
