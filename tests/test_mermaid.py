"""Mermaid output: golden files for the bank example, the score mapping."""

from __future__ import annotations

import pytest

import servicebp
from servicebp.render import mermaid_score, to_mermaid
from tests.test_render_dot import BANK, check_golden


def test_journey_golden() -> None:
    check_golden("bank_account_opening.journey.mmd", to_mermaid(servicebp.load(BANK)) + "\n")


def test_flowchart_golden() -> None:
    text = to_mermaid(servicebp.load(BANK), kind="flowchart") + "\n"
    check_golden("bank_account_opening.flowchart.mmd", text)


def test_score_mapping() -> None:
    assert [mermaid_score(r) for r in (-3, -1.5, 0, 1.5, 3)] == [1, 2, 3, 4, 5]


def test_unknown_kind() -> None:
    with pytest.raises(servicebp.InvalidArgumentError, match="'gantt'"):
        to_mermaid(servicebp.load(BANK), kind="gantt")
