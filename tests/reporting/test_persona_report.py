"""Personas in the report and the emotion chart."""

from __future__ import annotations

import html

import servicebp
from tests.analysis.test_personas import hotel


def test_persona_curves_give_one_curve_per_persona() -> None:
    curves = servicebp.persona_curves(hotel())
    assert curves == {
        "first-timer": {"arrive": 0, "check-in": -2, "stay": 1},
        "regular": {"arrive": 1, "check-in": 2, "stay": 3},
    }
    svg = html.unescape(servicebp.emotion_chart(hotel(), curves=curves))
    assert "first-timer" in svg
    assert "regular" in svg


def test_the_chart_and_the_report_of_one_persona() -> None:
    bp = hotel()
    own = servicebp.emotion_chart(bp)
    first = servicebp.emotion_chart(bp, persona="first-timer")
    assert first != own
    seen = bp.for_persona("first-timer")
    seen.name = "Hotel · first-timer"
    assert first == servicebp.emotion_chart(seen)
    page = html.unescape(servicebp.report(bp, engine="embedded", persona="first-timer"))
    assert "<title>Hotel · first-timer</title>" in page
