"""Mermaid's own parser reads every diagram servicebp writes (needs Node and tests/js).

CI installs the parser with ``npm ci --prefix tests/js`` (package.json and
package-lock.json are committed there); without Node or the installed
packages the test is skipped, saying which is missing.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from hypothesis import given, settings

import servicebp as sbp
from servicebp import Blueprint, Step
from servicebp.testing import blueprints
from tests._paths import EXAMPLES, ROOT

JS = ROOT / "tests" / "js"
NODE = shutil.which("node")

pytestmark = [
    pytest.mark.skipif(NODE is None, reason="node is not on PATH"),
    pytest.mark.skipif(
        not (JS / "node_modules" / "mermaid").is_dir(),
        reason="Mermaid is not installed: run `npm ci --prefix tests/js`",
    ),
]

HOSTILE = [
    "Pays: 5, tip; #1 & <b>bold</b>",
    'He said "end"\nsubgraph x',
    "title deed",
    "%% not a comment",
    "accTitle: x",
    "click s0 call alert()",
    "`markdown` **strong**",
    "a --> b ~~~ c",
    "classDef x fill:#f00",
    "section 8",
    "[MOT] already; tagged",
    "括号（全角）：冒号",
]


def diagrams() -> dict[str, str]:
    found: dict[str, str] = {}
    examples = {
        "bank": sbp.load(EXAMPLES / "bank_account_opening.yaml"),
        "hotel": sbp.read_grid(EXAMPLES / "hotel_grid.csv").blueprint,
    }
    hostile = Blueprint("Hostile: #1; <i>x</i>", stages=["title", "visit:2"])
    for i, label in enumerate(HOSTILE):
        stage = hostile.stages[i % 2]
        hostile.add_step(Step(id=f"c{i}", label=label, lane="customer", stage=stage, actor=label))
        hostile.add_step(Step(id=f"f{i}", label=label, lane="frontstage", stage=stage))
        hostile.connect(f"c{i}", f"f{i}", kind="support", label=label, probability=0.5)
        if i:
            hostile.connect(f"c{i - 1}", f"c{i}", label=label)
    examples["hostile"] = hostile
    for name, bp in examples.items():
        found[f"{name}.journey"] = sbp.to_mermaid(bp)
        found[f"{name}.flowchart"] = sbp.to_mermaid(bp, kind="flowchart")

    @settings(max_examples=25, database=None)
    @given(bp=blueprints(max_steps=6))
    def gather(bp: Blueprint) -> None:
        n = len(found)
        found[f"generated{n}.journey"] = sbp.to_mermaid(bp)
        found[f"generated{n}.flowchart"] = sbp.to_mermaid(bp, kind="flowchart")

    gather()
    return found


def test_mermaid_parses_every_diagram(tmp_path: Path) -> None:
    texts = diagrams()
    files = []
    for name, text in texts.items():
        path = tmp_path / f"{name}.mmd"
        path.write_text(text + "\n", encoding="utf-8")
        files.append(str(path))
    # The check can fail: a task whose name holds a raw colon does not parse.
    broken = tmp_path / "broken.mmd"
    broken.write_text("journey\n    section a\n        : x : y\n", encoding="utf-8")
    files.append(str(broken))
    assert NODE is not None
    done = subprocess.run(
        [NODE, str(JS / "parse_mermaid.mjs"), *files],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    results = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    assert len(results) == len(files), done.stderr
    assert done.returncode == 1
    last = results.pop()
    assert (last["file"], last["ok"]) == (str(broken), False)
    failed = [(Path(r["file"]).name, r["error"]) for r in results if not r["ok"]]
    assert not failed, failed
    kinds = {Path(r["file"]).stem.split(".")[1]: r["type"] for r in results}
    assert kinds == {"journey": "journey", "flowchart": "flowchart-v2"}
