"""diagrams.net (draw.io) export: a valid mxfile, every step and flow present and bound."""

from __future__ import annotations

import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings

import servicebp as sbp
from servicebp.cli import main
from servicebp.rendering._layout import grid_of
from servicebp.testing import blueprints
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
    failing = next(s for s in bp.steps() if s.fail_point is not None and s.wait is None)
    assert "strokeColor=#b2182b;" in (parsed[f"step:{failing.id}"].get("style") or "")
    support = next(f for f in bp.flows() if f.kind is sbp.FlowKind.SUPPORT)
    edge = next(
        c
        for c in parsed.values()
        if c.get("source") == f"step:{support.source}"
        and c.get("target") == f"step:{support.target}"
    )
    assert "dashed=1;" in (edge.get("style") or "")


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


def test_render_route_and_cli(tmp_path: Path) -> None:
    bp = sbp.load(EXAMPLES / "bank_account_opening.yaml")
    out = sbp.render(bp, tmp_path / "bank.drawio")
    assert out.read_text(encoding="utf-8") == sbp.to_drawio(bp)
    cli_out = tmp_path / "cli.drawio"
    args = ["render", str(EXAMPLES / "bank_account_opening.yaml"), "-o", str(cli_out)]
    result = CliRunner().invoke(main, args)
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
