"""The emotion curve as a lane beneath the blueprint (journey-map style)."""

from __future__ import annotations

import html
from pathlib import Path

import pytest
from hypothesis import given, settings

import servicebp
from servicebp import Blueprint, MomentOfTruth, Step, check_layout, render_svg, to_dot
from servicebp.rendering import RATING_COLOURS, rating_class, scene_of
from servicebp.testing import blueprints
from tests._cli import Runner
from tests._tutorials import EXAMPLES

BLUEPRINTS = sorted(EXAMPLES.glob("*.yaml"))


@pytest.mark.parametrize("path", BLUEPRINTS, ids=[p.name for p in BLUEPRINTS])
def test_every_example_draws_its_emotion_lane_without_a_defect(path: Path) -> None:
    bp = servicebp.load(path)
    svg = render_svg(bp, engine="embedded", emotion=True)
    assert check_layout(svg) == []
    svg = html.unescape(svg)  # Graphviz writes - as &#45;
    assert 'class="node sbp-emotion-band"' in svg
    rated = [s for s in bp.customer_spine() if s.rating is not None]
    assert svg.count('id="sbp-emotion-point:') == len(rated)


@settings(max_examples=40)
@given(blueprints(max_steps=8, max_stages=4))
def test_generated_blueprints_draw_their_emotion_lane_without_a_defect(bp: Blueprint) -> None:
    assert check_layout(render_svg(bp, engine="embedded", emotion=True)) == []


def _coffee() -> Blueprint:
    bp = Blueprint("Coffee", stages=["order", "wait", "drink"])
    bp.add_step(Step(id="order", label="Orders", lane="customer", stage="order", rating=2))
    bp.add_step(Step(id="wait", label="Waits", lane="customer", stage="wait"))
    bp.add_step(
        Step(
            id="drink",
            label="Drinks",
            lane="customer",
            stage="drink",
            rating=-1,
            moment=MomentOfTruth(kind="usage"),
        )
    )
    bp.add_step(Step(id="brew", label="Brews", lane="backstage", stage="wait", rating=-3))
    bp.connect("order", "wait")
    bp.connect("wait", "drink")
    return bp


def test_points_sit_in_their_steps_columns_at_their_levels() -> None:
    bp = _coffee()
    ratings = {"order": 2.0, "drink": -1.0, "brew": -3.0}
    scene = scene_of(bp, ratings=ratings, emotion=True)
    steps = {b.ident: b for b in scene.boxes if b.role == "step"}
    points = {
        b.ident.removeprefix("sbp-emotion-point:"): b
        for b in scene.boxes
        if b.role == "emotion-point"
    }
    # Only customer steps, only rated ones: "wait" has no rating, "brew" is backstage.
    assert sorted(points) == ["drink", "order"]
    lowest = max(s.y + s.h for s in steps.values())
    levels = {
        b.lines[0]: b.y + b.h / 2 for b in scene.boxes if b.ident.startswith("sbp-emotion-level:")
    }
    assert list(levels) == ["+3", "+2", "+1", "+0", "-1", "-2", "-3"]
    assert all(y > lowest for y in levels.values()), "the lane lies beneath the support lane"
    spacing = levels["+2"] - levels["+3"]
    assert [levels[k] - levels["+3"] for k in levels] == pytest.approx(
        [i * spacing for i in range(7)]
    )
    for step_id, point in points.items():
        step = steps[step_id]
        assert point.x + point.w / 2 == pytest.approx(step.x + step.w / 2)
        assert point.y + point.h / 2 == pytest.approx(levels[f"{ratings[step_id]:+.0f}"])
        assert point.style["fillcolor"] == RATING_COLOURS[rating_class(ratings[step_id])]
    assert points["drink"].style["shape"] == "diamond", "a moment of truth"
    assert points["order"].style["shape"] == "circle"
    # The unrated "wait" breaks the curve: no line joins +2 and -1.
    assert [p for p in scene.paths if p.role == "emotion"] == []


def test_the_curve_joins_consecutive_rated_steps() -> None:
    bp = _coffee()
    ratings = {"order": 2.0, "wait": 0.5, "drink": -1.0}
    scene = scene_of(bp, ratings=ratings, emotion=True)
    (curve,) = [p for p in scene.paths if p.role == "emotion"]
    centres = {
        b.ident.removeprefix("sbp-emotion-point:"): (b.x + b.w / 2, b.y + b.h / 2)
        for b in scene.boxes
        if b.role == "emotion-point"
    }
    expected = [c for s in ("order", "wait", "drink") for c in centres[s]]
    assert [c for point in curve.points for c in point] == pytest.approx(expected)
    # Half a level above neutral, between the +0 and +1 lines.
    levels = {b.lines[0]: b.y + b.h / 2 for b in scene.boxes if b.role == "caption" and b.lines}
    assert centres["wait"][1] == pytest.approx((levels["+0"] + levels["+1"]) / 2)


def test_off_by_default_and_the_rest_unchanged() -> None:
    bp = _coffee()
    plain = to_dot(bp).source
    assert "sbp-emotion" not in plain
    with_lane = scene_of(bp, ratings={"order": 2.0}, emotion=True)
    without = scene_of(bp, ratings={"order": 2.0})
    assert [b for b in with_lane.boxes if b.role == "step"] == [
        b for b in without.boxes if b.role == "step"
    ]
    assert with_lane.height > without.height
    with pytest.raises(servicebp.InvalidArgumentError):
        to_dot(bp, emotion="yes")  # type: ignore[arg-type]


def test_cli_and_render(tmp_path: Path, runner: Runner) -> None:
    source = EXAMPLES / "bank_account_opening.yaml"
    out = tmp_path / "bank.svg"
    result = runner.invoke(
        ["render", str(source), "-o", str(out), "--emotion", "--engine", "embedded"]
    )
    assert result.exit_code == 0, result.output
    svg = out.read_text(encoding="utf-8")
    assert check_layout(svg) == []
    assert "sbp-emotion-curve" in html.unescape(svg)
    dot = servicebp.render(servicebp.load(source), tmp_path / "bank.dot", emotion=True)
    assert "sbp-emotion-band" in dot.read_text(encoding="utf-8")
