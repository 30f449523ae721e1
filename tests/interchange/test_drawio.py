"""diagrams.net (draw.io) export: a valid mxfile, every step and flow present and bound."""

from __future__ import annotations

import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from hypothesis import given, settings

import servicebp as sbp
from servicebp.rendering import grid_of, scene_of
from servicebp.testing import blueprints
from tests._cli import Runner
from tests._paths import EXAMPLES


def check_mxfile(text: str) -> dict[str, ET.Element]:
    """Check the structure diagrams.net reads; return the cells by id."""
    mxfile = ET.fromstring(text)
    assert mxfile.tag == "mxfile"
    diagrams = mxfile.findall("diagram")
    assert len(diagrams) == 1
    models = diagrams[0].findall("mxGraphModel")
    assert len(models) == 1
    roots = models[0].findall("root")
    assert len(roots) == 1
    cells = roots[0].findall("mxCell")
    assert all(child.tag == "mxCell" for child in roots[0])
    ids = [cell.get("id") for cell in cells]
    assert len(ids) == len(set(ids)), "cell ids are unique"
    by_id = {cell.get("id"): cell for cell in cells}
    assert cells[0].attrib == {"id": "0"}
    assert cells[1].attrib == {"id": "1", "parent": "0"}
    for cell in cells[2:]:
        assert cell.get("parent") in by_id, cell.attrib
        assert (cell.get("vertex") == "1") != (cell.get("edge") == "1"), cell.attrib
        geometry = cell.find("mxGeometry")
        assert geometry is not None
        assert geometry.get("as") == "geometry"
        if cell.get("edge") == "1":
            for end in ("source", "target"):
                if cell.get(end) is not None:
                    assert by_id[cell.get(end)].get("vertex") == "1"
        else:
            assert float(geometry.get("width", "0")) > 0
            assert float(geometry.get("height", "0")) > 0
    return {str(key): value for key, value in by_id.items()}


def xml_safe(text: str) -> str:
    return "".join("\ufffd" if char in "\ufffe\uffff" else char for char in text)


def check_blueprint(bp: sbp.Blueprint, text: str) -> dict[str, ET.Element]:
    cells = check_mxfile(text)
    for step in bp.steps():
        cell = cells[f"step:{step.id}"]
        assert cell.get("parent") == f"lane:{step.lane.value}"
        assert xml_safe(step.label) in (cell.get("value") or "")
    edges = [c for c in cells.values() if c.get("edge") == "1" and c.get("source")]
    assert sorted((e.get("source"), e.get("target")) for e in edges) == sorted(
        (f"step:{f.source}", f"step:{f.target}") for f in bp.flows()
    )
    return cells


@pytest.mark.parametrize(
    "load",
    [
        lambda: sbp.load(EXAMPLES / "bank_account_opening.yaml"),
        lambda: sbp.read_grid(EXAMPLES / "hotel_grid.csv").blueprint,
    ],
    ids=["bank", "hotel"],
)
def test_examples_export_with_every_step_and_flow_bound(load: object) -> None:
    bp = load()  # type: ignore[operator]
    cells = check_blueprint(bp, sbp.to_drawio(bp))
    for lane in sbp.Lane:
        assert "swimlane" in (cells[f"lane:{lane.value}"].get("style") or "")
    assert [cells[f"line:{line.value}"].get("value") for line in sbp.Line] == [
        "line of interaction",
        "line of visibility",
        "line of internal interaction",
    ]
    assert [c.get("value") for k, c in cells.items() if k.startswith("stage:")] == list(bp.stages)


def test_steps_sit_in_the_svg_grid_columns_and_keep_its_styling() -> None:
    bp = sbp.load(EXAMPLES / "bank_account_opening.yaml")
    cells = sbp.to_drawio(bp, ratings={"arrive": -3})
    parsed = check_mxfile(cells)
    grid = grid_of(bp)
    xs = {
        step.id: float(parsed[f"step:{step.id}"].find("mxGeometry").get("x"))  # type: ignore[union-attr]
        for step in bp.steps()
    }
    for a in bp.steps():
        for b in bp.steps():
            assert (xs[a.id] < xs[b.id]) == (grid.column[a.id] < grid.column[b.id])
    arrive = parsed["step:arrive"]
    assert "fillColor=#b2182b;" in (arrive.get("style") or "")
    assert "score -3" in (arrive.get("value") or "")
    moment = bp.moments()[0]
    assert "double=1;" in (parsed[f"step:{moment.id}"].get("style") or "")
    assert (parsed[f"step:{moment.id}"].get("value") or "").startswith("[MOT: ")
    failing = next(s for s in bp.steps() if s.fail_point is not None)
    fail = parsed[f"badge:fail:{failing.id}"]
    assert fail.get("value") == "F"
    assert fail.get("parent") == f"step:{failing.id}", "the marker moves with its step"
    assert "octagon" in (fail.get("style") or "")
    assert "fillColor=#000000;" in (fail.get("style") or "")
    assert "(F)" not in (parsed[f"step:{failing.id}"].get("value") or "")
    support = next(f for f in bp.flows() if f.kind is sbp.FlowKind.SUPPORT)
    edge = next(
        c
        for c in parsed.values()
        if c.get("source") == f"step:{support.source}"
        and c.get("target") == f"step:{support.target}"
    )
    assert "dashed=1;" in (edge.get("style") or "")


def test_wait_markers_and_human_times() -> None:
    bp = sbp.Blueprint("Waits", stages=["s"])
    bp.add_step(
        sbp.Step(
            id="q",
            label="Queues",
            lane="customer",
            stage="s",
            wait=sbp.Wait(duration=90, tolerance=60),
        )
    )
    bp.add_step(
        sbp.Step(id="r", label="Rests", lane="frontstage", stage="s", wait=sbp.Wait(duration=2880))
    )
    cells = check_blueprint(bp, sbp.to_drawio(bp))
    assert cells["badge:wait-over:q"].get("value") == "W!"
    assert "fillColor=#000000;" in (cells["badge:wait-over:q"].get("style") or "")
    assert cells["badge:wait:r"].get("value") == "W"
    assert "fillColor=#ffffff;" in (cells["badge:wait:r"].get("style") or "")
    assert (cells["step:q"].get("value") or "").splitlines()[-1] == "W 1 h 30 min > 1 h!"
    assert (cells["step:r"].get("value") or "").splitlines()[-1] == "W 2 d"
    assert "#e66101" not in sbp.to_drawio(bp), "no orange border any more"


def absolute_boxes(text: str) -> dict[str, tuple[float, float, float, float]]:
    """Each step's box in diagram coordinates (its lane's position added).

    Coordinates are written to the hundredth of a point, a step's relative to
    its lane: the sum is within 0.01 of the scene's.
    """
    cells = check_mxfile(text)

    def where(cell_id: str) -> tuple[float, float, float, float]:
        cell = cells[cell_id]
        geometry = cell.find("mxGeometry")
        assert geometry is not None
        x, y = float(geometry.get("x", "0")), float(geometry.get("y", "0"))
        parent = cell.get("parent") or "1"
        if parent not in ("0", "1"):
            px, py, _, _ = where(parent)
            x, y = x + px, y + py
        return (x, y, float(geometry.get("width", "0")), float(geometry.get("height", "0")))

    return {key[5:]: where(key) for key in cells if key.startswith("step:")}


@settings(max_examples=15)
@given(bp=blueprints(max_steps=8))
def test_step_positions_are_the_svg_scenes(bp: sbp.Blueprint) -> None:
    ratings = {s.id: s.rating for s in bp.steps() if s.rating is not None}
    scene = scene_of(bp, ratings=ratings, legend=False)
    svg = {box.ident: (box.x, box.y, box.w, box.h) for box in scene.boxes if box.role == "step"}
    drawio = absolute_boxes(sbp.to_drawio(bp))
    assert drawio.keys() == svg.keys()
    for step_id, (x, y, w, h) in svg.items():
        assert drawio[step_id] == pytest.approx((x, y, w, h), abs=0.011), step_id


def test_bank_positions_are_the_svgs() -> None:
    bp = sbp.load(EXAMPLES / "bank_account_opening.yaml")
    ratings = {s.id: s.rating for s in bp.steps() if s.rating is not None}
    scene = scene_of(bp, ratings=ratings, legend=False)
    drawio = absolute_boxes(sbp.to_drawio(bp))
    for box in scene.boxes:
        if box.role == "step":
            assert drawio[box.ident] == pytest.approx((box.x, box.y, box.w, box.h), abs=0.011)
    # The legend (SVG only) lies below the blueprint: the same scene with it
    # has the same step boxes, so the SVG picture and the file agree.
    with_legend = scene_of(bp, ratings=ratings, legend=True)
    assert [b for b in with_legend.boxes if b.role == "step"] == [
        b for b in scene.boxes if b.role == "step"
    ]


def test_hostile_text_stays_text() -> None:
    bp = sbp.Blueprint("A <b>&amp; \"q\" 's'", stages=["s"])
    label = '</mxCell><mxCell id="x"/> & "quoted"\nline two\t\ufffe'
    bp.add_step(sbp.Step(id='a"<&>', label=label, lane="customer", stage="s"))
    bp.add_step(sbp.Step(id="b", label="B", lane="frontstage", stage="s"))
    bp.connect('a"<&>', "b", kind="support", label="<script>alert(1)</script>")
    cells = check_blueprint(bp, sbp.to_drawio(bp))
    assert cells['step:a"<&>'].get("value") == label.replace("\ufffe", "\ufffd")
    assert "x" not in cells


@settings(max_examples=40)
@given(bp=blueprints(max_steps=8))
def test_any_blueprint_exports_a_valid_bound_mxfile(bp: sbp.Blueprint) -> None:
    text = sbp.to_drawio(bp)
    check_blueprint(bp, text)
    assert text == sbp.to_drawio(bp), "deterministic"


def test_render_route_and_cli(tmp_path: Path, runner: Runner) -> None:
    bp = sbp.load(EXAMPLES / "bank_account_opening.yaml")
    out = sbp.render(bp, tmp_path / "bank.drawio")
    assert out.read_text(encoding="utf-8") == sbp.to_drawio(bp)
    cli_out = tmp_path / "cli.drawio"
    args = ["render", str(EXAMPLES / "bank_account_opening.yaml"), "-o", str(cli_out)]
    result = runner.invoke(args)
    assert result.exit_code == 0, result.output
    check_blueprint(bp, cli_out.read_text(encoding="utf-8"))
    with tempfile.TemporaryDirectory() as folder:
        plain = sbp.render(bp, Path(folder) / "x.xml", format="drawio")
        check_mxfile(plain.read_text(encoding="utf-8"))


def test_unknown_rated_step() -> None:
    bp = sbp.Blueprint("A", stages=["s"])
    bp.add_step(sbp.Step(id="a", label="A", lane="customer", stage="s"))
    with pytest.raises(sbp.UnknownStepError):
        sbp.to_drawio(bp, ratings={"nope": 1})
    with pytest.raises(sbp.RatingError):
        sbp.to_drawio(bp, ratings={"a": 7})
