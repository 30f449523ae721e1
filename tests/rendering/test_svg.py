"""Geometry of rendered blueprints, read from the SVG (embedded engine)."""

from __future__ import annotations

import concurrent.futures
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from hypothesis import given, settings

import servicebp
from servicebp import Blueprint, Lane, RenderError, RenderTimeoutError, Step, render, render_svg
from servicebp.rendering._engines import run_engine
from servicebp.testing._strategies import blueprints
from tests._paths import BANK
from tests._render_helpers import PAIR, SVG, boxes


def check_geometry(bp: Blueprint, svg: str) -> None:
    box = boxes(svg)
    steps = bp.steps()
    for step in steps:
        assert step.id in box, step.id
    for upper in steps:
        for lower in steps:
            if upper.lane.position < lower.lane.position:
                assert box[upper.id][3] < box[lower.id][1], (upper.id, lower.id)
            stage_order = bp.stages.index(upper.stage) < bp.stages.index(lower.stage)
            if upper.lane is lower.lane and stage_order:
                assert box[upper.id][2] < box[lower.id][0], (upper.id, lower.id)
    graph = bp.graph
    for stage in bp.stages:
        customers = bp.steps(lane=Lane.CUSTOMER, stage=stage)
        front = bp.steps(lane=Lane.FRONTSTAGE, stage=stage)
        pairs = [
            (c, f)
            for c in customers
            for f in front
            if graph.has_edge(c.id, f.id) or graph.has_edge(f.id, c.id)
        ]
        if not pairs and len(customers) == 1 and len(front) == 1:
            pairs = [(customers[0], front[0])]
        # The first frontstage step (in its lane's order) linked to a customer
        # step takes that step's column; later pairs may find it taken (when
        # the two lanes' orders cross), so at least one pair shares a column.
        if pairs:
            assert any(
                box[c.id][0] < box[f.id][2] and box[f.id][0] < box[c.id][2] for c, f in pairs
            ), stage


def line_labels(svg: str) -> dict[str, float]:
    """The y of each line's label (a node whose element id is ``sbp-line:<line>``)."""
    found = {}
    for g in ET.fromstring(svg).iter(f"{SVG}g"):
        ident = g.get("id", "")
        if "node" in (g.get("class") or "").split() and ident.startswith("sbp-line:"):
            ys = [float(t.get("y", "nan")) for t in g.iter(f"{SVG}text")]
            assert ys, ident
            found[ident.removeprefix("sbp-line:")] = sum(ys) / len(ys)
    return found


def line_strokes(svg: str) -> dict[str, list[tuple[float, float]]]:
    """Every point of each line's drawn path (edges ``sbp-line:<line>:<segment>``)."""
    found: dict[str, list[tuple[float, float]]] = {}
    for g in ET.fromstring(svg).iter(f"{SVG}g"):
        ident = g.get("id", "")
        if "edge" in (g.get("class") or "").split() and ident.startswith("sbp-line:"):
            line = ident.removeprefix("sbp-line:").rsplit(":", 1)[0]
            for path in g.iter(f"{SVG}path"):
                found.setdefault(line, []).extend(
                    (float(x), float(y)) for x, y in PAIR.findall(path.get("d", ""))
                )
    return found


def check_lines(bp: Blueprint, svg: str) -> None:
    """Each line is one horizontal stroke between its two bands, across every step."""
    box = boxes(svg)
    labels = line_labels(svg)
    strokes = line_strokes(svg)
    assert set(labels) == set(strokes) == {line.value for line in servicebp.Line}
    lefts = [box[s.id][0] for s in bp.steps()]
    rights = [box[s.id][2] for s in bp.steps()]
    for line in servicebp.Line:
        points = strokes[line.value]
        xs = [x for x, _ in points]
        ys = [y for _, y in points]
        assert max(ys) - min(ys) < 0.5, (line, ys)
        assert min(xs) <= min(lefts, default=min(xs)), line
        assert max(xs) >= max(rights, default=max(xs)), line
        above = [box[s.id][3] for s in bp.steps(lane=line.above)]
        below = [box[s.id][1] for s in bp.steps(lane=line.below)]
        for y in (labels[line.value], ys[0]):
            assert max(above, default=-1e9) < y < min(below, default=1e9), line
        assert max(xs) > min(xs)


def test_bank_example_geometry() -> None:
    bp = servicebp.load(BANK)
    svg = render_svg(bp, engine="embedded")
    check_geometry(bp, svg)
    check_lines(bp, svg)


@settings(max_examples=15)
@given(blueprints(max_steps=8, max_stages=3))
def test_generated_blueprints_geometry(bp: Blueprint) -> None:
    check_with_and_without_legend(bp)


def check_with_and_without_legend(bp: Blueprint) -> None:
    for legend in (True, False):
        svg = render_svg(bp, engine="embedded", legend=legend)
        check_geometry(bp, svg)
        check_lines(bp, svg)


@settings(max_examples=8)
@given(blueprints(max_steps=40, max_stages=6))
def test_large_blueprints_keep_the_grid_with_and_without_the_legend(bp: Blueprint) -> None:
    # The legend once broke the grid of about half of these (its labelled
    # sample edges made dot double every rank).
    check_with_and_without_legend(bp)


def test_a_frontstage_sequence_does_not_push_the_serving_step_out_of_line() -> None:
    # Found by the property above: frontstage f0 -> f1, and f1 serves customer c.
    # f1 once took the column after f0, away from c; now f0 moves left instead.
    bp = Blueprint("Line-up", stages=["s"])
    for step_id, lane in [("f0", "frontstage"), ("c", "customer"), ("f1", "frontstage")]:
        bp.add_step(Step(id=step_id, label=step_id, lane=lane, stage="s"))
    bp.connect("f0", "f1")
    bp.connect("c", "f1", kind="support")
    svg = render_svg(bp, engine="embedded")
    check_geometry(bp, svg)
    box = boxes(svg)
    assert box["f0"][2] < box["c"][0] < box["f1"][2]


def test_legend_does_not_move_the_grid() -> None:
    # The audit's reproducer: with the legend, the customer step of st0 was
    # drawn right of the backstage step of st1.
    bp = Blueprint("legend breaks grid", stages=["st0", "st1"])
    for step_id, lane, stage in [
        ("n0", "frontstage", "st0"),
        ("n1", "physical-evidence", "st0"),
        ("n2", "support", "st0"),
        ("n3", "support", "st0"),
        ("n4", "customer", "st0"),
        ("n5", "backstage", "st1"),
    ]:
        bp.add_step(Step(id=step_id, label=f"{step_id} {lane} {stage}", lane=lane, stage=stage))
    bp.connect("n0", "n4", kind="support")
    bp.connect("n1", "n0", kind="support")
    bp.connect("n4", "n3", kind="support")
    bp.connect("n5", "n4", kind="support")
    with_legend = boxes(render_svg(bp, engine="embedded"))
    without = boxes(render_svg(bp, engine="embedded", legend=False))
    steps = [f"n{i}" for i in range(6)]
    # The legend may shift the whole grid; each step keeps its place relative to n0.
    shift = with_legend["n0"][0] - without["n0"][0]
    for step_id in steps:
        assert with_legend[step_id][0] - without[step_id][0] == pytest.approx(shift), step_id
    assert with_legend["n4"][2] < with_legend["n5"][0]


def test_render_writes_file(tmp_path: Path) -> None:
    bp = servicebp.load(BANK)
    out = render(bp, tmp_path / "bank.svg", engine="embedded")
    ET.fromstring(out.read_bytes())
    assert [p.name for p in tmp_path.iterdir()] == ["bank.svg"]


def test_png_without_engine_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    bp = Blueprint("A", stages=["s"])
    bp.add_step(Step(id="x", label="X", lane="customer", stage="s"))
    monkeypatch.setattr("shutil.which", lambda name: None)
    monkeypatch.setattr("servicebp.rendering._engines._has_pygraphviz", lambda: False)
    with pytest.raises(servicebp.MissingDependencyError, match="apt-get install graphviz"):
        servicebp.render_bytes(bp, format="png")
    with pytest.raises(servicebp.MissingDependencyError, match=r"servicebp\[png\]"):
        servicebp.render_bytes(bp, format="pdf", engine="embedded")


def test_embedded_timeout_and_recovery() -> None:
    n = 60
    dense = "digraph{" + " ".join(f"n{i}->n{j};" for i in range(n) for j in range(n) if i != j)
    with pytest.raises(RenderTimeoutError, match=r"0\.05 s"):
        run_engine(dense + "}", engine="embedded", output_format="svg", timeout=0.05)
    assert run_engine("digraph{a->b}", engine="embedded", output_format="svg", timeout=10)


def test_embedded_syntax_error_is_render_error() -> None:
    with pytest.raises(RenderError, match="rejected"):
        run_engine("digraph{a->", engine="embedded", output_format="svg", timeout=10)


def test_embedded_is_safe_from_threads() -> None:
    bp = servicebp.load(BANK)
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda _: render_svg(bp, engine="embedded"), range(4)))
    assert len(set(results)) == 1


def test_jupyter_bundle() -> None:
    bp = servicebp.load(BANK)
    bundle = bp._repr_mimebundle_()
    assert bundle["text/plain"] == repr(bp)
    assert bundle["image/svg+xml"].startswith("<?xml")
    assert set(bp._repr_mimebundle_(exclude=["image/svg+xml"])) == {"text/plain"}


def test_jupyter_bundle_falls_back_to_text(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object, **kwargs: object) -> str:
        raise RenderError("no")

    monkeypatch.setattr("servicebp.rendering.render_svg", broken)
    bp = Blueprint("A", stages=["s"])
    assert bp._repr_mimebundle_() == {"text/plain": repr(bp)}
