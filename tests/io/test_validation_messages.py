"""Validation in one pass, with "did you mean" and the designer's names (issue 14, item 5)."""

from __future__ import annotations

import pytest

import servicebp as sbp
from servicebp import BlueprintValidationError, ContactMode, Lane, MomentKind

BAD = """\
version: "1"
name: Hotel
stages: [check-in, stay]
steps:
- {id: desk, label: Desk, lane: customer, stage: chek-in}
- {id: clerk, label: Clerk, lane: onstage, stage: check-in}
- {id: phone, label: Phone, lane: Support processes, stage: stay}
- {id: x, label: 3, lane: front, stage: stay}
- {id: m, label: M, lane: customer, stage: stay, moment: {kind: purchse}}
flows:
- {from: desk, to: clerk, kind: suport}
- {from: clerk, to: phon}
"""


def test_schema_and_reference_problems_come_in_one_pass() -> None:
    with pytest.raises(BlueprintValidationError) as info:
        sbp.loads(BAD, format="yaml", source="hotel.yaml")
    found = [str(p) for p in info.value.problems]
    assert found == [
        "hotel.yaml:8:18: $.steps[3].label: 3 is not of type 'string' (YAML reads the unquoted "
        '3 as a number: 3; quote the value, e.g. "3", if you meant text)',
        "hotel.yaml:8:27: $.steps[3].lane: 'front' is not one of ['physical-evidence', "
        "'customer', 'frontstage', 'backstage', 'support']; did you mean 'frontstage'?",
        "hotel.yaml:9:65: $.steps[4].moment.kind: 'purchse' is not one of ['purchase', 'usage', "
        "'service-support', 'repurchase', 'first-contact', 'problem-solving', 'follow-up', "
        "'zmot', 'fmot', 'smot']; did you mean 'purchase'?",
        "hotel.yaml:11:33: $.flows[0].kind: 'suport' is not one of ['sequence', 'support']; "
        "did you mean 'support'?",
        "hotel.yaml:5:50: $.steps[0].stage: stage 'chek-in' (did you mean 'check-in'?) is not "
        "one of the blueprint's stages ['check-in', 'stay']; declare it in the blueprint's "
        "stages (add_stage() in code, `stages:` in a file)",
        "hotel.yaml:12:21: $.flows[1].to: unknown step 'phon'; did you mean 'phone'? "
        "(no step has this id)",
    ]


def test_the_lanes_other_names_are_accepted() -> None:
    fixed = (
        BAD.replace("chek-in", "check-in")
        .replace("label: 3, lane: front", "label: X, lane: frontstage")
        .replace("purchse", "purchase")
        .replace("suport", "support")
        .replace("phon}", "phone}")
    )
    bp = sbp.loads(fixed, format="yaml")
    assert bp["clerk"].lane is Lane.FRONTSTAGE
    assert bp["phone"].lane is Lane.SUPPORT
    # Saved under the canonical names.
    assert "lane: onstage" not in sbp.dumps(bp, format="yaml")


@pytest.mark.parametrize(
    ("name", "lane"),
    [
        ("onstage", Lane.FRONTSTAGE),
        ("Onstage", Lane.FRONTSTAGE),
        ("front stage", Lane.FRONTSTAGE),
        ("offstage", Lane.BACKSTAGE),
        ("support processes", Lane.SUPPORT),
        ("Support_Processes", Lane.SUPPORT),
        ("customer actions", Lane.CUSTOMER),
        ("physical evidence", Lane.PHYSICAL_EVIDENCE),
        ("evidence", Lane.PHYSICAL_EVIDENCE),
    ],
)
def test_lane_aliases(name: str, lane: Lane) -> None:
    assert Lane(name) is lane
    assert sbp.Step(id="a", label="A", lane=name, stage="s").lane is lane


def test_enum_messages_name_the_kind_in_words_and_suggest() -> None:
    with pytest.raises(
        BlueprintValidationError,
        match=r"'purchse' is not a valid moment kind; did you mean 'purchase'\?",
    ):
        MomentKind("purchse")
    with pytest.raises(BlueprintValidationError, match=r"is not a valid contact mode"):
        ContactMode("telepathy")
    with pytest.raises(
        BlueprintValidationError, match=r"'front' is not a valid lane; did you mean 'frontstage'\?"
    ):
        Lane("front")


def test_an_unknown_stage_in_code_suggests_the_closest() -> None:
    bp = sbp.Blueprint("Hotel", stages=["Check in", "stay"])
    with pytest.raises(BlueprintValidationError, match=r"did you mean 'check-in'\?"):
        bp.steps(stage="chek in")
