"""The laid-out scene: each marker drawn as its legend sample, the legend inside its frame."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from servicebp import Blueprint
from servicebp.rendering import Box, ratings_shown, scene_of
from servicebp.testing import blueprints


def _look(box: Box) -> tuple[object, ...]:
    return (box.lines, dict(box.style), box.w, box.h, box.size, box.role)


@settings(max_examples=40, deadline=None)
@given(blueprints(max_steps=10))
def test_each_step_has_its_markers_each_drawn_as_its_legend_sample(bp: Blueprint) -> None:
    scene = scene_of(bp, ratings=ratings_shown(bp, None))
    prefix = "sbp-legend-badge:"
    samples = {b.ident.removeprefix(prefix): b for b in scene.boxes if b.ident.startswith(prefix)}
    assert sorted(samples) == ["fail", "wait", "wait-over"]
    drawn: set[tuple[str, str]] = set()
    for box in scene.boxes:
        if box.ident.startswith("sbp-badge:"):
            _, role, step_id = box.ident.split(":", 2)
            drawn.add((role, step_id))
            assert _look(box) == _look(samples[role])
    expected = {("fail", s.id) for s in bp.steps() if s.fail_point is not None} | {
        ("wait-over" if s.wait.over_tolerance else "wait", s.id)
        for s in bp.steps()
        if s.wait is not None
    }
    assert drawn == expected


@settings(max_examples=30, deadline=None)
@given(blueprints(max_steps=6), st.booleans(), st.booleans())
def test_the_legend_sits_below_the_lanes_and_holds_all_its_samples(
    bp: Blueprint, rated: bool, emotion: bool
) -> None:
    ratings = {s.id: 1.0 for s in bp.steps()} if rated else {}
    scene = scene_of(bp, ratings=ratings, emotion=emotion)
    frame = next(b for b in scene.boxes if b.ident == "sbp-legend")
    above = [b for b in scene.boxes if b.role in ("band", "emotion-band")]
    assert frame.y >= max(b.y + b.h for b in above)
    inside = [b for b in scene.boxes if b.name.startswith("legend_")]
    # 6 kinds of box, a frame and 3 markers on them, 2 flow captions, the caption; 7 ratings.
    assert len(inside) == 13 + (7 if rated else 0)
    for box in inside:
        assert frame.x < box.x < box.x + box.w < frame.x + frame.w, box.name
        assert frame.y < box.y < box.y + box.h < frame.y + frame.h, box.name
    for path in scene.paths:
        if path.role == "legend-flow":
            assert all(frame.x < x < frame.x + frame.w for x, _ in path.points)
            assert all(frame.y < y < frame.y + frame.h for _, y in path.points)
    assert scene.height == pytest.approx(frame.y + frame.h + 10)
