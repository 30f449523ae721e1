"""``servicebp validate``: exit codes, one line per problem, JSON, no traceback."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests._cli import Runner
from tests._paths import EXAMPLES

BANK = EXAMPLES / "bank_account_opening.yaml"

GOOD = """\
version: "1"
name: Coffee
stages: [order]
steps:
  - {id: order, label: Order, lane: customer, stage: order}
"""

BAD = {
    "unknown-lane.yaml": GOOD.replace("lane: customer", "lane: front"),
    "two-problems.yaml": GOOD.replace("label: Order", "label: 3, colour: red"),
    "empty.yaml": "",
    "not-yaml.yaml": "a: b: c\n",
    "bad-utf8.yaml": b"name: \xff\n",
    "alias.yaml": "a: &x [1]\nb: *x\n",
    "python-tag.yaml": "a: !!python/object/apply:os.getcwd []\n",
    "deep.json": "[" * 5000 + "]" * 5000,
    "nan.json": '{"version": "1", "name": "a", "stages": [], "steps": [], "x": NaN}',
    "version.yaml": GOOD.replace('"1"', "1.10"),
    "list.yaml": "- 1\n",
    "wrong.txt": GOOD,
}


def write(folder: Path, name: str, content: str | bytes) -> Path:
    path = folder / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def test_valid_file_exits_0_with_a_summary(runner: Runner) -> None:
    result = runner.invoke(["validate", str(BANK)])
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        f"{BANK}: ok — Blueprint('Bank account opening', stages=4, steps=18, flows=21)\n"
    )


def test_several_valid_files(tmp_path: Path, runner: Runner) -> None:
    other = write(tmp_path, "coffee.yaml", GOOD)
    result = runner.invoke(["validate", str(BANK), str(other)])
    assert result.exit_code == 0
    assert result.stdout.splitlines()[1] == (
        f"{other}: ok — Blueprint('Coffee', stages=1, steps=1, flows=0)"
    )


@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_file_exits_1_without_traceback(tmp_path: Path, name: str, runner: Runner) -> None:
    path = write(tmp_path, name, BAD[name])
    result = runner.invoke(["validate", str(path)])
    assert result.exit_code == 1
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert lines
    assert all(line.startswith(f"{path}") for line in lines), lines
    assert "Traceback" not in result.output


def test_one_line_per_problem(tmp_path: Path, runner: Runner) -> None:
    path = write(tmp_path, "bp.yaml", BAD["two-problems.yaml"])
    result = runner.invoke(["validate", str(path)])
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith(f"{path}:5:24: $.steps[0].label: 3 is not of type 'string'")
    assert lines[1].startswith(f"{path}:5:27: $.steps[0].colour: unknown key 'colour'")


def test_missing_file_exits_1(tmp_path: Path, runner: Runner) -> None:
    result = runner.invoke(["validate", str(tmp_path / "nope.yaml")])
    assert result.exit_code == 1
    assert result.stderr == f"{tmp_path / 'nope.yaml'}: no such file\n"


def test_mixed_files_report_all_and_exit_1(tmp_path: Path, runner: Runner) -> None:
    bad = write(tmp_path, "bad.yaml", BAD["unknown-lane.yaml"])
    result = runner.invoke(["validate", str(bad), str(BANK)])
    assert result.exit_code == 1
    assert result.stdout.startswith(f"{BANK}: ok")
    assert result.stderr.startswith(f"{bad}:5:")


@pytest.mark.parametrize(
    "arguments",
    [["validate"], ["validate", "--format", "xml", "x.yaml"], ["validate", "--nope", "x.yaml"]],
)
def test_usage_errors_exit_2(arguments: list[str], runner: Runner) -> None:
    result = runner.invoke(arguments)
    assert result.exit_code == 2
    assert "Usage:" in result.stderr


def test_json_format_valid(runner: Runner) -> None:
    result = runner.invoke(["validate", "--format", "json", str(BANK)])
    assert result.exit_code == 0
    report = json.loads(result.stdout)
    assert report == {
        "valid": True,
        "files": [
            {
                "file": str(BANK),
                "valid": True,
                "blueprint": {
                    "name": "Bank account opening",
                    "stages": 4,
                    "steps": 18,
                    "flows": 21,
                },
                "problems": [],
                "warnings": [],
            }
        ],
    }


def test_json_format_problems(tmp_path: Path, runner: Runner) -> None:
    path = write(tmp_path, "bp.yaml", BAD["unknown-lane.yaml"])
    result = runner.invoke(["validate", "--format", "json", str(path)])
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["valid"] is False
    (problem,) = report["files"][0]["problems"]
    assert problem["file"] == str(path)
    assert problem["path"] == "$.steps[0].lane"
    assert (problem["line"], problem["column"]) == (5, 37)
    assert problem["message"].startswith("'front' is not one of [")


def test_max_bytes_option(tmp_path: Path, runner: Runner) -> None:
    path = write(tmp_path, "bp.yaml", GOOD)
    result = runner.invoke(["validate", "--max-bytes", "10", str(path)])
    assert result.exit_code == 1
    assert "above the limit of 10 bytes" in result.stderr


def test_python_dash_m() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "servicebp", "validate", str(BANK)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"{BANK}: ok — Blueprint('Bank account opening'")


# --- moments of truth: placement errors and warnings, rubric names ---------------------------

EVIDENCE = """\
version: "1"
name: Coffee
stages: [order]
steps:
  - {id: order, label: Order, lane: customer, stage: order}
  - id: cup
    label: Cup
    lane: physical-evidence
    stage: order
    moment: {kind: usage, rubric: nope}
"""

BACKSTAGE = (
    GOOD
    + """\
  - id: clean
    label: Clean
    lane: backstage
    stage: order
    moment: {kind: usage}
"""
)


def test_moment_on_evidence_and_unknown_rubric_fail(tmp_path: Path, runner: Runner) -> None:
    path = write(tmp_path, "bp.yaml", EVIDENCE)
    result = runner.invoke(["validate", str(path)])
    assert result.exit_code == 1
    assert result.stdout == ""
    # The step refuses the tag as it is made, so that is the one problem.
    assert result.stderr.splitlines() == [
        f"{path}:6:5: $.steps[1]: step 'cup': moment: a moment of truth cannot sit on physical "
        "evidence; tag the customer step it belongs to"
    ]
    rubric = write(tmp_path, "rubric.yaml", EVIDENCE.replace("physical-evidence", "customer"))
    result = runner.invoke(["validate", str(rubric)])
    assert result.exit_code == 1
    (line,) = result.stderr.splitlines()
    assert line.startswith(
        f"{rubric}:6:5: step 'cup': moment: unknown rubric 'nope' (the registered rubrics are ["
    )
    assert "'first-impression'" in line


def test_misplaced_moment_warns_and_stays_valid(tmp_path: Path, runner: Runner) -> None:
    path = write(tmp_path, "bp.yaml", BACKSTAGE)
    result = runner.invoke(["validate", str(path)])
    assert result.exit_code == 0
    assert result.stdout.startswith(f"{path}: ok")
    assert result.stderr == (
        f"warning: {path}: step 'clean': moment: backstage moment of truth with no flow "
        "across the line of internal interaction: it meets no internal customer\n"
    )


def test_json_format_lists_warnings(tmp_path: Path, runner: Runner) -> None:
    path = write(tmp_path, "bp.yaml", BACKSTAGE)
    result = runner.invoke(["validate", "--format", "json", str(path)])
    assert result.exit_code == 0
    report = json.loads(result.stdout)
    (warning,) = report["files"][0]["warnings"]
    assert (warning["file"], warning["step"], warning["field"]) == (str(path), "clean", "moment")
    assert report["files"][0]["problems"] == []


def test_undeclared_stage_says_how_to_fix_it_in_a_file(tmp_path: Path, runner: Runner) -> None:
    path = write(tmp_path, "bp.yaml", GOOD.replace("stage: order}", "stage: pay}"))
    result = runner.invoke(["validate", str(path)])
    assert result.exit_code == 1
    assert result.stderr == (
        f"{path}:5:54: $.steps[0].stage: stage 'pay' is not one of the blueprint's stages "
        "['order']; declare it in the blueprint's stages (add_stage() in code, `stages:` in a "
        "file)\n"
    )
