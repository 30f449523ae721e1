"""The layout check, and the eleven defects of issue 13 it and these tests guard against."""

from __future__ import annotations

import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from hypothesis import given, settings

import servicebp
from servicebp import Blueprint, FailPoint, Step, Wait, check_layout, render, render_svg, to_dot
from servicebp.rendering._layout import grid_of
from servicebp.rendering._palette import RATING_COLOURS
from servicebp.rendering._scene import human_time
from servicebp.testing._strategies import blueprints
from tests._render_helpers import PAIR, SVG, boxes
from tests._tutorials import EXAMPLES, FIGURES, blueprint_of_figure

BLUEPRINTS = sorted(EXAMPLES.glob("*.yaml"))


@pytest.mark.parametrize("path", BLUEPRINTS, ids=[p.name for p in BLUEPRINTS])
def test_every_example_draws_without_a_defect(path: Path) -> None:
    bp = servicebp.load(path)
    assert check_layout(render_svg(bp, engine="embedded")) == []
    assert check_layout(render_svg(bp, engine="embedded", legend=False)) == []


@pytest.mark.parametrize("name", sorted(FIGURES))
def test_example_files_hold_the_tutorials_blueprints(name: str) -> None:
    # So the pictures the docs show are the ones checked above
    # (regenerate with python tests/data/make_tutorial_examples.py).
    assert servicebp.load(EXAMPLES / name) == blueprint_of_figure(*FIGURES[name])


@settings(max_examples=200)
@given(blueprints(max_steps=10, max_stages=4))
def test_generated_blueprints_draw_without_a_defect(bp: Blueprint) -> None:
    # Branches, support flows, long and CJK labels, evidence: whatever the strategy makes.
    assert check_layout(render_svg(bp, engine="embedded")) == []


def test_a_flow_down_from_a_box_does_not_run_along_one_into_the_box_below() -> None:
    # Found by the property above: 1 -> 4 leaves 1's bottom where 0 -> 4 came
    # down into 4's top, on one line for a few points.
    bp = Blueprint("开户申请", stages=["0"])
    bp.add_step(Step(id="0", label="开户申请", lane="physical-evidence", stage="0"))
    bp.add_step(Step(id="1", label="开户申请", lane="frontstage", stage="0"))
    bp.add_step(Step(id="4", label="开户申请", lane="frontstage", stage="0"))
    bp.connect("0", "1")
    bp.connect("0", "4")
    bp.connect("1", "4", kind="support", label="开户申请")
    assert check_layout(render_svg(bp, engine="embedded")) == []


def coffee() -> Blueprint:
    bp = Blueprint("Coffee", stages=["order", "pay", "pick-up"])
    for step_id, label, lane, stage in [
        ("order", "Orders a latte", "customer", "order"),
        ("till", "Pays at the till", "customer", "pay"),
        ("app", "Pays with the app", "customer", "pay"),
        ("pick", "Picks up the drink", "customer", "pick-up"),
        ("f1", "Barista takes the order", "frontstage", "order"),
        ("f2", "Barista takes the payment", "frontstage", "pay"),
        ("f3", "App confirms the order", "frontstage", "pay"),
        ("orders", "Till and app orders", "support", "pay"),
    ]:
        bp.add_step(Step(id=step_id, label=label, lane=lane, stage=stage))
    bp.connect("order", "till", probability=0.7, label="pays in cash or by card")
    bp.connect("order", "app", probability=0.3)
    bp.connect("till", "pick")
    bp.connect("app", "pick")
    for front in ("f1", "f2", "f3"):
        bp.connect(front, "orders", kind="support")
    return bp


def test_1_branch_labels_clear_of_boxes_and_flows() -> None:
    svg = render_svg(coffee(), engine="embedded")
    box = boxes(svg)
    labels = [ident for ident in box if ident.startswith("sbp-label:")]
    assert len(labels) == 2
    assert [d for d in check_layout(svg) if d.kind in ("overlap", "crossing")] == []


def test_2_one_arrowhead_per_flow() -> None:
    svg = render_svg(coffee(), engine="embedded")
    root = ET.fromstring(svg)
    heads = [
        g.find(f"{SVG}polygon")
        for g in root.iter(f"{SVG}g")
        if "sbp-flow" in (g.get("class") or "").split()
    ]
    tips = {h.get("points") for h in heads if h is not None}
    assert len(tips) == len(coffee().flows())
    kinds = {d.kind for d in check_layout(svg)}
    assert not kinds & {"shared-arrowhead", "merged"}


def test_3_flows_are_styled_apart_from_the_dashed_lines() -> None:
    source = to_dot(coffee()).source
    flows = [line for line in source.splitlines() if "sbp-flow" in line and " -> " in line]
    assert flows
    assert not [line for line in flows if "dashed" in line]


def test_4_alternatives_are_stacked_in_one_column() -> None:
    bp = coffee()
    grid = grid_of(bp)
    assert grid.column["till"] == grid.column["app"]
    assert {grid.slot["till"], grid.slot["app"]} == {0, 1}
    box = boxes(render_svg(bp, engine="embedded"))
    assert box["till"][3] < box["app"][1]


def test_5_markers_are_shapes_out_of_the_rating_palette() -> None:
    bp = Blueprint("Markers", stages=["s"])
    for rating in RATING_COLOURS:
        bp.add_step(
            Step(
                id=f"x{rating + 3}",
                label="Waits and fails",
                lane="customer",
                stage="s",
                rating=rating,
                fail_point=FailPoint(what="breaks"),
                wait=Wait(duration=20, tolerance=10),
            )
        )
    svg = render_svg(bp, engine="embedded")
    box = boxes(svg)
    for rating in RATING_COLOURS:
        assert f"sbp-badge:fail:x{rating + 3}" in box
        assert f"sbp-badge:wait-over:x{rating + 3}" in box
    badge_colours = set(re.findall(r'fill="(#[0-9a-f]{6})"', _badges_svg(svg)))
    assert badge_colours <= {"#000000", "#ffffff"}
    assert not badge_colours & set(RATING_COLOURS.values())
    assert check_layout(svg) == []


def _badges_svg(svg: str) -> str:
    root = ET.fromstring(svg)
    return "".join(
        ET.tostring(g, encoding="unicode")
        for g in root.iter(f"{SVG}g")
        if "sbp-badge" in (g.get("class") or "").split()
    )


def test_6_text_is_measured_with_the_font_it_names() -> None:
    bp = Blueprint("Long words " * 8, stages=["a-very-long-stage-name-without-spaces" * 2])
    bp.add_step(
        Step(id="c", label="乘客在登机口等待航班延误" * 3, lane="customer", stage=bp.stages[0])
    )
    bp.add_step(Step(id="d", label="W" * 60, lane="support", stage=bp.stages[0]))
    svg = render_svg(bp, engine="embedded")
    families = set(re.findall(r'font-family="([^"]*)"', svg))
    assert families == {"DejaVu Sans,Verdana,sans-serif"}
    assert check_layout(svg) == []


def test_7_time_in_human_units_and_details() -> None:
    assert human_time(2880) == "2 d"
    bp = Blueprint("T", stages=["s"])
    bp.add_step(
        Step(
            id="x",
            label="Waits",
            lane="customer",
            stage="s",
            wait=Wait(duration=2880, tolerance=1440),
            duration=12,
            standard=10,
            cost=4.5,
        )
    )
    plain = render_svg(bp, engine="embedded")
    assert "W 2 d &gt; 1 d!" in plain
    assert "2880" not in plain
    assert "takes" not in plain
    detailed = render_svg(bp, engine="embedded", details=["duration", "cost"])
    assert "takes 12 min &gt;" in detailed
    assert "standard 10" in detailed
    assert "cost 4.5" in detailed


def test_8_evidence_is_drawn_above_its_step() -> None:
    bp = Blueprint("E", stages=["s"])
    bp.add_step(Step(id="x", label="Pays", lane="customer", stage="s", evidence=["receipt"]))
    box = boxes(render_svg(bp, engine="embedded"))
    evidence, step = box["sbp-evidence:x:0"], box["x"]
    assert evidence[3] < step[1]
    assert step[0] <= evidence[0]
    assert evidence[2] <= step[2]


def test_9_legend_fits_and_stages_are_separated() -> None:
    bp = servicebp.load(EXAMPLES / "airline_flight.yaml")
    svg = render_svg(bp, engine="embedded")
    box = boxes(svg)
    bands = [b for ident, b in box.items() if ident.startswith("sbp-lane:")]
    legend = box["sbp-legend"]
    assert legend[2] - legend[0] <= max(b[2] for b in bands) - min(b[0] for b in bands)
    ids = {g.get("id", "") for g in ET.fromstring(svg).iter(f"{SVG}g")}
    assert len([i for i in ids if i.startswith("sbp-separator:")]) == len(bp.stages) - 1
    small = Blueprint("S", stages=["s"])
    small.add_step(Step(id="x", label="X", lane="customer", stage="s"))
    tiny = boxes(render_svg(small, engine="embedded"))
    band = tiny["sbp-lane:customer"]
    assert tiny["sbp-legend"][2] - tiny["sbp-legend"][0] <= 2.2 * (band[2] - band[0])
    # No hollow circles (point nodes) in the legend's sample arrows.
    assert "ellipse" not in svg


def test_10_render_takes_the_format_from_the_suffix(tmp_path: Path) -> None:
    bp = coffee()
    with pytest.raises(servicebp.InvalidArgumentError, match="disagrees"):
        render(bp, tmp_path / "x.svg", format="png")
    with pytest.raises(servicebp.InvalidArgumentError, match="suffix"):
        render(bp, tmp_path / "x.txt")
    assert render(bp, tmp_path / "x.mmd").read_text(encoding="utf-8").startswith("journey")
    assert "layout=nop2" in render(bp, tmp_path / "x.dot").read_text(encoding="utf-8")
    if shutil.which("dot") is None and not servicebp.rendering._engines._has_pygraphviz():
        with pytest.raises(servicebp.MissingDependencyError, match=r"servicebp\[png\]"):
            render(bp, tmp_path / "x.png")
    else:
        small = render(bp, tmp_path / "x.png", dpi=72).read_bytes()
        large = render(bp, tmp_path / "y.png", dpi=144).read_bytes()
        assert small[:8] == large[:8] == b"\x89PNG\r\n\x1a\n"
        assert int.from_bytes(large[16:20], "big") > 1.9 * int.from_bytes(small[16:20], "big")
    with pytest.raises(servicebp.InvalidArgumentError, match="dpi"):
        render(bp, tmp_path / "z.png", dpi=0)


def test_11_every_position_is_pinned() -> None:
    source = to_dot(coffee()).source
    assert "layout=nop2" in source
    nodes = [
        line
        for line in source.splitlines()
        if re.match(r"\s+\w+ \[", line) and not re.match(r"\s+(graph|node|edge) \[", line)
    ]
    assert nodes
    assert all('pos="' in line and '!"' in line for line in nodes)
    edges = [line for line in source.splitlines() if " -> " in line]
    assert edges
    assert all('pos="' in line for line in edges)
    if shutil.which("dot") is not None:
        embedded = boxes(render_svg(coffee(), engine="embedded"))
        system = boxes(render_svg(coffee(), engine="dot"))
        for ident in ("order", "till", "app", "orders"):
            assert embedded[ident] == pytest.approx(system[ident], abs=0.5)


def test_check_layout_finds_defects() -> None:
    svg = render_svg(coffee(), engine="embedded")
    # Move the "app" step onto "till": the checker sees the overlap.
    root = ET.fromstring(svg)
    for g in root.iter(f"{SVG}g"):
        if g.get("id") == "app":
            till = boxes(svg)["till"]
            app = boxes(svg)["app"]
            dy = till[1] - app[1]
            for shape in g:
                for key in ("points", "d"):
                    if shape.get(key):
                        shape.set(
                            key,
                            PAIR.sub(
                                lambda m, dy=dy: f"{m[1]},{float(m[2]) + dy}", shape.get(key, "")
                            ),
                        )
    moved = ET.tostring(root, encoding="unicode")
    assert "overlap" in {d.kind for d in check_layout(moved)}


def test_drawio_stacks_alternatives_as_the_picture_does() -> None:
    root = ET.fromstring(servicebp.to_drawio(coffee()))
    geometry = {
        cell.get("id"): cell.find("mxGeometry")
        for cell in root.iter("mxCell")
        if cell.get("id", "").startswith("step:")
    }
    till, app = geometry["step:till"], geometry["step:app"]
    assert till is not None
    assert app is not None
    assert till.get("x") == app.get("x")
    assert float(app.get("y", "0")) >= float(till.get("y", "0")) + float(till.get("height", "0"))
