"""'Did you mean' for unknown step ids: difflib's answer where the list is short, bounded cost."""

from __future__ import annotations

import difflib
import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import servicebp
from servicebp import BlueprintValidationError
from servicebp.io._suggest import BUDGET, NEIGHBOURS, WHOLE, CloseIds

IDS = st.text(alphabet="abcdeéfg-_0123", min_size=1, max_size=12)


@given(ids=st.lists(IDS, max_size=60), wanted=IDS)
def test_a_short_list_gets_difflibs_suggestion(ids: list[str], wanted: str) -> None:
    close = difflib.get_close_matches(wanted, ids, n=1)
    expected = f"; did you mean {close[0]!r}?" if close else ""
    assert CloseIds(ids).hint(wanted) == expected


def test_a_long_list_is_searched_near_the_unknown_id() -> None:
    ids = [f"step-{i:05d}" for i in range(WHOLE * 5)]
    close = CloseIds(ids)
    # A typo at the end keeps the prefix, one at the start the suffix.
    assert close.hint("step-01234x") == "; did you mean 'step-01234'?"
    assert close.hint("stap-04321") == "; did you mean 'step-04321'?"
    assert close.hint("xxxxxxxxxxxxxxxxxxxx") == ""
    # Each search looks at most at 4 * NEIGHBOURS ids.
    assert len(close._candidates("step-01234x")) <= 4 * NEIGHBOURS


def test_the_budget_bounds_the_searches_and_repeats_are_free() -> None:
    ids = [f"step-{i}" for i in range(WHOLE)]
    close = CloseIds(ids)
    searched = BUDGET // WHOLE
    hints = [close.hint(f"step-{i}x") for i in range(searched + 5)]
    assert all(hint.startswith("; did you mean 'step-") for hint in hints[:searched])
    assert hints[searched:] == [""] * 5
    # An id asked again is answered from what was found, not searched again.
    assert close.hint("step-0x") == hints[0]


def document(steps: int, missing: int) -> dict[str, Any]:
    return {
        "version": "1",
        "name": "Missing",
        "stages": ["s"],
        "steps": [
            {"id": f"step-{i}", "label": f"Step {i}", "lane": "customer", "stage": "s"}
            for i in range(steps)
        ],
        "flows": [{"from": f"step-{i}", "to": f"nostep-{i}"} for i in range(missing)],
    }


@pytest.mark.parametrize("schema_problem", [False, True])
def test_every_unknown_end_is_reported_and_the_first_with_a_suggestion(
    schema_problem: bool,
) -> None:
    data = document(2_000, 2_000)
    if schema_problem:
        # With a schema problem, the references are checked on the plain data.
        data["steps"][0]["lane"] = "front"
    with pytest.raises(BlueprintValidationError) as caught:
        servicebp.loads(json.dumps(data), format="json")
    unknown = [p for p in caught.value.problems if "unknown step" in p.message]
    assert [p.path for p in unknown] == [f"$.flows[{i}].to" for i in range(2_000)]
    assert unknown[0].message == (
        "unknown step 'nostep-0'; did you mean 'step-0'? (no step has this id)"
    )
    assert unknown[-1].message == "unknown step 'nostep-1999' (no step has this id)"


def test_a_flow_with_both_ends_unknown_names_its_start() -> None:
    data = document(3, 0)
    data["flows"] = [{"from": "stpe-1", "to": "nowhere"}]
    with pytest.raises(BlueprintValidationError) as caught:
        servicebp.loads(json.dumps(data), format="json")
    (problem,) = caught.value.problems
    assert problem.path == "$.flows[0].from"
    assert problem.message == "unknown step 'stpe-1'; did you mean 'step-1'? (no step has this id)"
