"""Mermaid output: golden files for the bank example, the score mapping, escaping."""

from __future__ import annotations

import re
import unicodedata

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import servicebp
from servicebp import Blueprint, Step
from servicebp.rendering._render import mermaid_score, to_mermaid
from tests._paths import BANK
from tests._render_helpers import check_golden


def test_journey_golden() -> None:
    check_golden("bank_account_opening.journey.mmd", to_mermaid(servicebp.load(BANK)) + "\n")


def test_flowchart_golden() -> None:
    text = to_mermaid(servicebp.load(BANK), kind="flowchart") + "\n"
    check_golden("bank_account_opening.flowchart.mmd", text)


def test_score_mapping_keeps_the_seven_levels_apart() -> None:
    scores = [mermaid_score(r) for r in (-3, -2, -1, 0, 1, 2, 3)]
    assert scores == [1, 1.67, 2.33, 3, 3.67, 4.33, 5]
    assert len(set(scores)) == 7
    # Mermaid's faces: sad below 3, neutral at 3, smiling above: the rating's sign.
    assert [(s > 3) - (s < 3) for s in scores] == [-1, -1, -1, 0, 1, 1, 1]
    assert "whole scores 1..5 cannot hold them" in to_mermaid(servicebp.load(BANK))


def test_journey_marks_moments_and_names_who_serves() -> None:
    bp = Blueprint("Coffee", stages=["order"])
    bp.add_step(
        Step(
            id="o",
            label="Orders, then waits",
            lane="customer",
            stage="order",
            moment=servicebp.MomentOfTruth(kind="purchase"),
        )
    )
    bp.add_step(Step(id="b", label="Takes the order", lane="frontstage", stage="order"))
    bp.add_step(Step(id="t", label="Till", lane="frontstage", stage="order", actor="Cashier, M."))
    bp.connect("o", "b", kind="support")
    bp.connect("o", "t", kind="support")
    text = to_mermaid(bp)
    assert "        [MOT] Orders, then waits: 3: Customer, Takes the order, Cashier‚ M." in text
    assert "#44;" not in text


def test_unknown_kind() -> None:
    with pytest.raises(servicebp.InvalidArgumentError, match="'gantt'"):
        to_mermaid(servicebp.load(BANK), kind="gantt")


# Mermaid's journey lexer (user-journey/parser/journey.jison), case-insensitive;
# the first rule that matches wins. Mermaid first replaces entity codes
# (``#58;``) with placeholders, which the rules treat as plain text.
_JOURNEY_RULES = [
    (r"%%(?!\{)[^\n]*", None),
    (r"[^}]%%[^\n]*", None),
    (r"\n+", "NL"),
    (r"\s+", None),
    (r"#[^\n]*", None),
    (r"journey", "journey"),
    (r"title\s[^#\n;]+", "title"),
    (r"accTitle\s*:\s*", "acc_title"),
    (r"accDescr\s*:\s*", "acc_descr"),
    (r"accDescr\s*\{\s*", "acc_descr_multiline"),
    (r"section\s[^#:\n;]+", "section"),
    (r"[^#:\n;]+", "taskName"),
    (r":[^#\n;]+", "taskData"),
    (r":", "colon"),
    (r".", "INVALID"),
]
_PLACEHOLDER = "\ufb02\u00b0\u00b0{}\u00b6\u00df"


def lex_journey(text: str) -> list[tuple[str, str]]:
    """The tokens Mermaid reads from a journey, entity codes decoded in their text."""
    text = re.sub(r"#(\d+);", lambda m: _PLACEHOLDER.format(m.group(1)), text)
    tokens: list[tuple[str, str]] = []
    at = 0
    while at < len(text):
        match, kind = next(
            (found, kind)
            for pattern, kind in _JOURNEY_RULES
            if (found := re.compile(pattern, re.IGNORECASE).match(text, at))
        )
        if kind is not None:
            value = re.sub(
                _PLACEHOLDER.format(r"(\d+)"), lambda m: chr(int(m.group(1))), match.group()
            )
            tokens.append((kind, value))
        at = match.end()
    return tokens


def journey_of(label: str, stage: str = "visit") -> str:
    bp = Blueprint("Keywords", stages=[stage])
    bp.add_step(Step(id="a", label=label, lane="customer", stage=stage))
    return to_mermaid(bp)


_LOOKALIKES = str.maketrans(
    {":": "\u2236", ";": "\u037e", "#": "\uff03", "<": "\uff1c", ">": "\uff1e"}
)


def as_written(text: str) -> str:
    """What a journey shows of *text*: look-alikes for what would end or break a name."""
    return re.sub("%%+", lambda run: "\uff05" * len(run.group()), text.translate(_LOOKALIKES))


def check_journey(label: str, stage: str = "visit") -> None:
    tokens = [t for t in lex_journey(journey_of(label, stage)) if t[0] != "NL"]
    assert [kind for kind, _ in tokens] == ["journey", "title", "section", "taskName", "taskData"]
    # Stage ids are stored in NFC (U+F900 is U+8C48), so the section shows that form.
    assert tokens[2][1] == as_written(f"section {unicodedata.normalize('NFC', stage)}")
    assert tokens[3][1] == as_written(" ".join(label.split()))


KEYWORD_LABELS = [
    "Title deed checked",
    "title\tdeed",
    "TITLE\nof the loan",
    "Section 8 form",
    "section: x",
    "Journey planner",
    "journeys end",
    "JOURNEY",
    "accTitle: hijack",
    "accTitle hijack",
    "accDescr: hijack",
    "AccDescr { hijack",
    "  title  indented",
    "\ntitle after a line break",
]


@pytest.mark.parametrize("label", KEYWORD_LABELS)
def test_journey_keyword_stays_a_task_name(label: str) -> None:
    check_journey(label)


# Stages have no white space, so the section rule takes the whole name anyway;
# a leading keyword is escaped there too.
@pytest.mark.parametrize("stage", ["journey", "Title", "section-2", "accTitle", "AccDescr{x}"])
def test_journey_keyword_stays_a_section_name(stage: str) -> None:
    check_journey("x", stage=stage)


def test_journey_keyword_escape_is_minimal() -> None:
    text = journey_of("Title deed", stage="Journey")
    assert "    section #74;ourney\n" in text
    assert "        #84;itle deed: 3: Customer" in text
    # Keywords elsewhere than at the start, or without their space, stay as they are.
    assert "        Titles of: 3" in journey_of("Titles of")
    assert "        Read the title deed: 3" in journey_of("Read the title deed")


_KEYWORD_STAGES = ["visit", "journey", "Title", "accDescr"]
_KEYWORDS = st.sampled_from(
    ["title ", "Title\n", "section ", "SECTION ", "journey", "accTitle", "accDescr", "acc"]
)


@settings(max_examples=100)
@given(
    prefix=st.one_of(st.just(""), _KEYWORDS),
    rest=st.text(st.characters(blacklist_categories=["Cc", "Cs"]) | st.sampled_from("\n\t")),
    stage=st.text(st.characters(blacklist_categories=["Cc", "Cs", "Cf", "Zs", "Zl", "Zp"])).map(
        lambda text: "".join(text.split())
    ),
)
def test_any_journey_label_stays_one_task(prefix: str, rest: str, stage: str) -> None:
    label = prefix + rest
    assume(label.strip())
    check_journey(label, stage=_KEYWORD_STAGES[len(rest) % len(_KEYWORD_STAGES)] + stage)


@pytest.mark.parametrize(
    "label",
    [
        "end",
        "subgraph x",
        "flowchart LR",
        "style s0 fill:#f00",
        "click s0 call alert()",
        "classDef a",
    ],
)
def test_flowchart_keywords_stay_quoted_text(label: str) -> None:
    bp = Blueprint("Keywords", stages=["visit"])
    bp.add_step(Step(id="a", label=label, lane="customer", stage="visit"))
    bp.add_step(Step(id="b", label=label, lane="frontstage", stage="visit"))
    bp.connect("a", "b", label=label)
    lines = to_mermaid(bp, kind="flowchart").splitlines()
    nodes = [line for line in lines if re.match(r"^ +s\d+[(\[]", line)]
    node = re.compile(r'^            s\d+\("[^"]*"\)$')
    assert len(nodes) == 2
    assert all(node.match(line) for line in nodes), nodes
    edges = [line for line in lines if "-->" in line]
    assert edges == [edges[0]]
    assert re.match(r'^    s0 -->\|"[^"]*"\| s1$', edges[0]), edges
    assert not any("direction" in line for line in lines)
