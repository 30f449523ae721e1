"""The importance–performance chart: parsed as XML, points in their named quadrants."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from servicebp import (
    QUADRANTS,
    ImportancePerformance,
    importance_performance,
    importance_performance_chart,
    key_drivers,
)
from servicebp.errors import InvalidArgumentError

SVG = "{http://www.w3.org/2000/svg}"


def _row(step: str, importance: float, performance: float, quadrant: str) -> ImportancePerformance:
    return ImportancePerformance(
        step=step, importance=importance, performance=performance, quadrant=quadrant
    )


# Crosshair at the means: importance (0.4 + 0.3 + 0.1 + 0.0) / 4 = 0.2,
# performance (−1 + 1 − 2 + 2) / 4 = 0.
ROWS = (
    _row("desk", 0.4, -1.0, "concentrate here"),
    _row("room", 0.3, 1.0, "keep up the good work"),
    _row("spa", 0.1, -2.0, "low priority"),
    _row("bar", 0.0, 2.0, "possible overkill"),
)


def _points(root: ET.Element) -> dict[str, tuple[float, float, str]]:
    found = {}
    for group in root.iter(f"{SVG}g"):
        circle = group.find(f"{SVG}circle")
        text = group.find(f"{SVG}text")
        assert circle is not None
        assert text is not None
        found[text.text or ""] = (
            float(circle.get("cx", "nan")),
            float(circle.get("cy", "nan")),
            group.get("data-quadrant", ""),
        )
    return found


def _crosshair(root: ET.Element) -> tuple[float, float]:
    vertical, horizontal = (
        line for line in root.iter(f"{SVG}line") if line.get("class") == "crosshair"
    )
    return float(vertical.get("x1", "nan")), float(horizontal.get("y1", "nan"))


def test_each_step_is_drawn_in_its_named_quadrant() -> None:
    root = ET.fromstring(importance_performance_chart(ROWS))
    names = [t.text for t in root.iter(f"{SVG}text") if t.get("class") == "quadrant-name"]
    assert sorted(names) == sorted(QUADRANTS.values())
    cx, cy = _crosshair(root)
    points = _points(root)
    assert set(points) == {"desk", "room", "spa", "bar"}
    for x, y, quadrant in points.values():
        # Performance across (right is better), importance up (SVG y grows downwards).
        assert quadrant == QUADRANTS[(y <= cy, x >= cx)]
    # desk: the most important and below the performance cut, top left.
    desk, bar = points["desk"], points["bar"]
    assert desk[0] < cx
    assert desk[1] == min(p[1] for p in points.values())
    assert bar[0] == max(p[0] for p in points.values())


def test_the_crosshair_is_the_tables_crosshair() -> None:
    root = ET.fromstring(importance_performance_chart(ROWS))
    # Performance axis from −2.4 to 2.4 (a tenth of the range added each side) over
    # x = 70…610: 0 is at 340. Importance from −0.04 to 0.44 over y = 420…40:
    # 0.2 is at 420 − (0.24 / 0.48) × 380 = 230.
    assert _crosshair(root) == pytest.approx((340.0, 230.0))
    moved = ET.fromstring(importance_performance_chart(ROWS, performance_cut=-2.0))
    assert _crosshair(moved)[0] < 340.0


def test_step_names_are_escaped_and_nothing_is_fetched() -> None:
    hostile = '<script>alert("x")</script> & \x07bell'
    rows = (_row(hostile, 0.5, 1.0, "keep up the good work"), *ROWS)
    svg = importance_performance_chart(rows, labels={"desk": "Front desk & lobby"})
    root = ET.fromstring(svg)  # well-formed XML despite the markup and the control character
    assert "<script" not in svg
    assert not any(e.tag.endswith("script") for e in root.iter())
    assert "href" not in svg
    assert "url(" not in svg
    assert "http" not in svg.replace(SVG[1:-1], "")
    names = set(_points(root))
    assert "Front desk & lobby" in names
    assert '<script>alert("x")</script> & \ufffdbell' in names


def test_the_chart_is_deterministic_and_leaves_out_unrated_steps() -> None:
    rows = (*ROWS, _row("never", 0.3, float("nan"), "keep up the good work"))
    assert importance_performance_chart(rows) == importance_performance_chart(rows)
    assert "never" not in _points(ET.fromstring(importance_performance_chart(rows)))
    with pytest.raises(InvalidArgumentError, match="no row has a finite"):
        importance_performance_chart([_row("never", 0.3, float("nan"), "low priority")])


def test_chart_of_key_drivers_from_ratings() -> None:
    rng = np.random.default_rng(4)
    ratings = {
        "desk": rng.normal(-1, 1, 300),
        "room": rng.normal(1, 1, 300),
        "spa": rng.normal(-1, 1, 300),
    }
    stay = ratings["desk"] + 0.5 * ratings["room"] + rng.normal(size=300)
    rows = importance_performance(
        key_drivers(ratings, stay, method="relative_weights", resamples=0), ratings
    )
    points = _points(ET.fromstring(importance_performance_chart(rows)))
    assert {name: q for name, (_, _, q) in points.items()} == {r.step: r.quadrant for r in rows}


@given(
    st.lists(
        st.tuples(
            st.floats(-1, 1, allow_nan=False),
            st.floats(-3, 3, allow_nan=False),
        ),
        min_size=1,
        max_size=8,
    )
)
def test_every_point_lies_inside_the_frame_in_its_quadrant(
    values: list[tuple[float, float]],
) -> None:
    drawn = [_row(f"s{k}", i, p, "") for k, (i, p) in enumerate(values)]
    i_cut = float(np.mean([i for i, _ in values]))
    p_cut = float(np.mean([p for _, p in values]))
    rows = [
        _row(r.step, r.importance, r.performance, QUADRANTS[(i >= i_cut, p >= p_cut)])
        for r, (i, p) in zip(drawn, values, strict=True)
    ]
    root = ET.fromstring(importance_performance_chart(rows))
    cx, cy = _crosshair(root)
    for x, y, quadrant in _points(root).values():
        assert 70 <= x <= 610
        assert 40 <= y <= 420
        if abs(x - cx) > 0.2 and abs(y - cy) > 0.2:  # coordinates are written to 0.1 px
            assert quadrant == QUADRANTS[(y < cy, x > cx)]
