"""Tests for servicebp.lint: every rule fires and stays quiet, selection, the docs page."""

from __future__ import annotations

import re

import pytest

from servicebp import Blueprint, FailPoint, LintConfig, MomentOfTruth, Step, Wait
from servicebp.errors import ServiceBlueprintError, UnknownLintRuleError
from servicebp.linting._rules import RULES, Severity, code_problem, lint, select_rules
from tests._paths import DOCS

LINT_RULES = DOCS / "lint-rules.md"


def clean() -> Blueprint:
    """A small blueprint no rule fires on."""
    bp = Blueprint("Clean", stages=["order", "pay"])
    bp.add_step(
        Step(
            id="order",
            label="Order",
            lane="customer",
            stage="order",
            channel="counter",
            moment=MomentOfTruth(kind="purchase", behaviours=["explore", "confirm"]),
            wait=Wait(duration=3, tolerance=5),
        )
    )
    bp.add_step(Step(id="pay", label="Pay", lane="customer", stage="pay", channel="counter"))
    bp.add_step(Step(id="barista", label="Barista", lane="frontstage", stage="order"))
    bp.add_step(
        Step(
            id="pos",
            label="Till system",
            lane="support",
            stage="order",
            fail_point=FailPoint(what="till down", recovery="take cash"),
        )
    )
    bp.add_step(Step(id="prep", label="Prepare", lane="backstage", stage="order"))
    bp.connect("order", "pay")
    bp.connect("order", "barista", kind="support")
    bp.connect("pay", "barista", kind="support")
    bp.connect("barista", "prep", kind="support")
    bp.connect("prep", "pos", kind="support")
    return bp


def codes(bp: Blueprint, **options: object) -> list[tuple[str, str]]:
    return [(d.code, d.step) for d in lint(bp, **options)]  # type: ignore[arg-type]


def test_clean_blueprint_has_no_findings() -> None:
    assert lint(clean()) == ()


def test_sbp001_moment_without_confirm() -> None:
    bp = clean()
    bp.replace_step(bp["order"].evolve(moment=MomentOfTruth(kind="purchase")))
    assert codes(bp) == [("SBP001", "order")]
    assert "no Confirm behaviour (covers: none)" in lint(bp)[0].message


def test_sbp002_moment_without_backing() -> None:
    bp = clean()
    bp.disconnect("barista", "prep")
    found = codes(bp, select=["SBP002"])
    assert found == [("SBP002", "order")]


def test_sbp003_fail_point_without_recovery() -> None:
    bp = clean()
    bp.replace_step(bp["pos"].evolve(fail_point=FailPoint(what="till down")))
    [finding] = lint(bp)
    assert (finding.code, finding.step, finding.severity) == ("SBP003", "pos", Severity.ERROR)
    assert str(finding) == "SBP003 error step 'pos': fail point 'till down' has no recovery"


def test_sbp004_wait_without_tolerance() -> None:
    bp = clean()
    bp.replace_step(bp["order"].evolve(wait=Wait(duration=3)))
    assert codes(bp) == [("SBP004", "order")]


def test_sbp005_frontstage_without_contact() -> None:
    bp = clean()
    bp.add_step(Step(id="tidy", label="Tidy up", lane="frontstage", stage="pay"))
    bp.connect("tidy", "prep", kind="support")
    # tidy serves no customer step either, so SBP008 fires too.
    assert codes(bp) == [("SBP005", "tidy"), ("SBP008", "tidy")]


def test_sbp006_customer_to_backstage() -> None:
    bp = clean()
    bp.connect("pay", "prep", kind="support")
    assert codes(bp) == [("SBP006", "pay")]
    assert "across the line of visibility" in lint(bp)[0].message


def test_sbp006_does_not_fire_on_frontstage_contact() -> None:
    bp = clean()
    assert codes(bp, select=["SBP006"]) == []


def test_sbp007_channels_differ() -> None:
    bp = clean()
    bp.add_step(
        Step(
            id="order-app",
            label="Order in the app",
            lane="customer",
            stage="order",
            channel="app",
        )
    )
    bp.connect("order-app", "pay")
    bp.connect("order-app", "barista", kind="support")
    [finding] = lint(bp)
    assert finding.code == "SBP007"
    assert finding.severity is Severity.INFO
    assert "app: 1 steps, moments []; counter: 1 steps, moments ['purchase']" in finding.message


def test_sbp007_quiet_when_explained_or_alike() -> None:
    bp = clean()
    bp.add_step(
        Step(
            id="order-app",
            label="Order in the app",
            lane="customer",
            stage="order",
            channel="app",
            attributes={"channel_note": "the app confirms by push message"},
        )
    )
    bp.connect("order-app", "pay")
    bp.connect("order-app", "barista", kind="support")
    assert lint(bp) == ()
    bp.replace_step(
        bp["order-app"].evolve(
            attributes={}, moment=MomentOfTruth(kind="purchase", behaviours=["confirm"])
        )
    )
    assert lint(bp) == ()


def test_sbp008_unreachable_step() -> None:
    bp = clean()
    bp.add_step(Step(id="audit", label="Audit", lane="support", stage="pay"))
    assert codes(bp) == [("SBP008", "audit")]


def test_sbp008_reaches_through_the_lanes() -> None:
    # pos is three lanes below the customer and still reached.
    assert codes(clean(), select=["SBP008"]) == []


def test_sbp008_evidence_needs_no_arrow() -> None:
    bp = clean()
    bp.add_step(Step(id="menu", label="Menu board", lane="physical-evidence", stage="order"))
    assert codes(bp) == []


def room_service() -> Blueprint:
    """Bitner, Ostrom & Morgan's room-service chain: the order-taker is behind the line."""
    bp = Blueprint("Hotel", stages=["Room service delivery"])
    for step_id, label, lane in [
        ("call", "Calls room service", "customer"),
        ("eat", "Receives food and eats", "customer"),
        ("take-order", "Takes food order", "backstage"),
        ("cook", "Prepares food", "support"),
        ("deliver", "Delivers food", "frontstage"),
    ]:
        bp.add_step(Step(id=step_id, label=label, lane=lane, stage="Room service delivery"))
    bp.replace_step(
        bp["take-order"].evolve(
            fail_point=FailPoint(what="order taken wrong", recovery="read back the order")
        )
    )
    bp.connect("call", "eat")
    bp.connect("call", "take-order")
    bp.connect("take-order", "cook")
    bp.connect("cook", "deliver")
    bp.connect("deliver", "eat")
    return bp


def test_room_service_chain_serves_the_customer() -> None:
    bp = room_service()
    found = lint(bp)
    assert [(d.code, d.step) for d in found] == [("SBP006", "call")]
    # The phone order-taker behind the line is a note, not a warning.
    assert found[0].severity is Severity.INFO


def test_sbp009_wait_over_tolerance() -> None:
    bp = clean()
    bp.replace_step(bp["order"].evolve(wait=Wait(duration=8, tolerance=5)))
    [finding] = lint(bp)
    assert (finding.code, finding.severity) == ("SBP009", Severity.WARNING)
    assert finding.message == "wait of 8 min is over the tolerance of 5 min"
    bp.replace_step(bp["order"].evolve(wait=Wait(duration=5, tolerance=5)))
    assert lint(bp) == ()


def test_sbp010_duration_over_standard() -> None:
    bp = clean()
    bp.replace_step(bp["barista"].evolve(duration=4.5, standard=3))
    [finding] = lint(bp)
    assert (finding.code, finding.step) == ("SBP010", "barista")
    assert finding.message == "step takes 4.5 min, over its execution standard of 3 min"
    bp.replace_step(bp["barista"].evolve(duration=3))
    assert lint(bp) == ()


def test_select_and_ignore_by_code_and_prefix() -> None:
    assert [r.code for r in select_rules()] == sorted(RULES)
    assert [r.code for r in select_rules(select=["SBP00"], ignore=["SBP0"])] == []
    assert [r.code for r in select_rules(select=["sbp003"])] == ["SBP003"]
    with pytest.raises(
        UnknownLintRuleError, match=r"^ignore: .*'X1' \(the rules are SBP001-SBP010\)$"
    ):
        select_rules(ignore=["X1"])
    with pytest.raises(UnknownLintRuleError, match=r"'SBP04'; did you mean 'SBP004'\?"):
        select_rules(select=["SBP04"])
    assert issubclass(UnknownLintRuleError, ServiceBlueprintError)


def test_blueprint_lint_config_applies_and_call_overrides_select() -> None:
    bp = clean()
    bp.replace_step(bp["order"].evolve(wait=Wait(duration=3)))
    bp.replace_step(bp["pos"].evolve(fail_point=FailPoint(what="till down")))
    assert codes(bp) == [("SBP003", "pos"), ("SBP004", "order")]
    bp.lint = LintConfig(ignore=["SBP004"])
    assert codes(bp) == [("SBP003", "pos")]
    bp.lint = LintConfig(select=["SBP004"])
    assert codes(bp) == [("SBP004", "order")]
    assert codes(bp, select=["SBP003"]) == [("SBP003", "pos")]
    # Ignores add up: the file's and the call's.
    bp.lint = LintConfig(ignore=["SBP004"])
    assert codes(bp, ignore=["SBP003"]) == []


def test_rule_registry_is_consistent() -> None:
    for code, rule in RULES.items():
        assert re.fullmatch(r"SBP\d{3}", code)
        assert rule.code == code
        assert re.fullmatch(r"[a-z]+(-[a-z]+)*", rule.name)
    assert len({r.name for r in RULES.values()}) == len(RULES)


def test_every_rule_has_its_docs_section_as_registered() -> None:
    page = LINT_RULES.read_text(encoding="utf-8")
    sections = re.findall(r"^## (SBP\d{3}) (\S+)$", page, flags=re.MULTILINE)
    assert sections == [(code, rule.name) for code, rule in sorted(RULES.items())]
    for code, rule in RULES.items():
        body = page.split(f"## {code} {rule.name}\n", 1)[1].split("\n## ", 1)[0]
        assert f"Severity: **{rule.severity.value}**." in body
        assert rule.summary in body
        assert rule.rationale in body


def test_bank_example_by_hand(bank: Blueprint) -> None:
    found = codes(bank)
    # show-id is a moment without Confirm; answer-call is a moment with
    # nothing behind it; the KYC review queue has no recovery.
    assert ("SBP001", "show-id") in found
    assert ("SBP003", "review-kyc") in found
    assert any(d.severity is Severity.ERROR for d in lint(bank))


LINT_SECTION = """\
version: "1"
name: Coffee
stages: [order]
steps:
- {id: order, label: Order, lane: customer, stage: order}
lint:
  select: [sbp00, SBP]
  ignore: [SBP999, SBP004, SPB003]
"""


def test_the_files_lint_codes_are_checked_when_it_is_loaded() -> None:
    from servicebp import BlueprintValidationError, loads

    with pytest.raises(BlueprintValidationError) as info:
        loads(LINT_SECTION, format="yaml")
    assert [str(p) for p in info.value.problems] == [
        "<string>:8:12: $.lint.ignore[0]: unknown lint rule code or prefix 'SBP999'; "
        "did you mean 'SBP009'? (the rules are SBP001-SBP010)",
        "<string>:8:28: $.lint.ignore[2]: unknown lint rule code or prefix 'SPB003'; "
        "did you mean 'SBP003'? (the rules are SBP001-SBP010)",
    ]
    # Known codes and prefixes, in any case, load.
    fixed = LINT_SECTION.replace("SBP999, SBP004, SPB003", "SBP004, sbp003")
    assert loads(fixed, format="yaml").lint.ignore == ("SBP004", "sbp003")


def test_code_problem() -> None:
    assert code_problem("SBP") is None
    assert code_problem("sbp008") is None
    assert code_problem("") == "unknown lint rule code or prefix '' (the rules are SBP001-SBP010)"
    assert code_problem(4) == "a lint rule code or prefix must be text, not int (4)"


def test_a_lint_config_made_in_code_checks_its_codes() -> None:
    assert LintConfig(select=["sbp00"], ignore="SBP004").ignore == ("SBP004",)
    with pytest.raises(UnknownLintRuleError, match="ignore: unknown lint rule code or prefix"):
        LintConfig(ignore=["SBP999"])
    with pytest.raises(UnknownLintRuleError, match="must be text"):
        LintConfig(select=[4])
