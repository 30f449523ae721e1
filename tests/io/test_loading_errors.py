"""Every bad input of issue 2 gets a clear error naming the problem and where it is."""

from __future__ import annotations

import gc
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import servicebp
from servicebp import BlueprintValidationError, Problem
from servicebp.io._files import MAX_BYTES, MAX_DEPTH
from servicebp.io._parse import Parsed
from servicebp.io._yaml_reader import parse_yaml

GOOD = """\
version: "1"
name: Coffee
stages: [order, pay]
steps:
  - id: order
    label: Order
    lane: customer
    stage: order
  - id: pay
    label: Pay
    lane: customer
    stage: pay
flows:
  - {from: order, to: pay}
"""


def problems(
    text: str | bytes, *, format: str = "yaml", max_bytes: int = MAX_BYTES
) -> list[Problem]:
    """Load *text* expecting failure; return its problems."""
    with pytest.raises(BlueprintValidationError) as caught:
        servicebp.loads(text, format=format, source="bp.yaml", max_bytes=max_bytes)
    assert caught.value.problems, "an error must carry at least one problem"
    return list(caught.value.problems)


def only(text: str | bytes, *, format: str = "yaml", max_bytes: int = MAX_BYTES) -> Problem:
    found = problems(text, format=format, max_bytes=max_bytes)
    assert len(found) == 1, [str(p) for p in found]
    return found[0]


def edit(old: str, new: str) -> str:
    assert old in GOOD
    return GOOD.replace(old, new, 1)


def test_good_document_loads() -> None:
    bp = servicebp.loads(GOOD)
    assert repr(bp) == "Blueprint('Coffee', stages=2, steps=2, flows=1)"


# --- reading ------------------------------------------------------------------


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nope.yaml"
    with pytest.raises(BlueprintValidationError) as caught:
        servicebp.load(path)
    (problem,) = caught.value.problems
    assert problem.file == str(path)
    assert "no such file" in problem.message


def test_folder_instead_of_file(tmp_path: Path) -> None:
    folder = tmp_path / "bp.yaml"
    folder.mkdir()
    with pytest.raises(BlueprintValidationError, match="is a folder"):
        servicebp.load(folder)


def test_unknown_extension(tmp_path: Path) -> None:
    path = tmp_path / "bp.txt"
    path.write_text(GOOD, encoding="utf-8")
    with pytest.raises(BlueprintValidationError) as caught:
        servicebp.load(path)
    (problem,) = caught.value.problems
    assert "unknown file extension '.txt'" in problem.message
    assert "'.json', '.yaml', '.yml'" in problem.message
    assert problem.file == str(path)


@pytest.mark.parametrize("text", ["", "   \n\n", "# only a comment\n"])
def test_empty_file(tmp_path: Path, text: str) -> None:
    path = tmp_path / "bp.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(BlueprintValidationError) as caught:
        servicebp.load(path)
    (problem,) = caught.value.problems
    assert "the file is empty" in problem.message
    assert problem.file == str(path)


def test_empty_json_file(tmp_path: Path) -> None:
    path = tmp_path / "bp.json"
    path.write_bytes(b"")
    with pytest.raises(BlueprintValidationError, match="the file is empty"):
        servicebp.load(path)


def test_not_yaml() -> None:
    problem = only("version: '1'\nname: a: b\n")
    assert problem.message.startswith("not valid YAML:")
    assert (problem.file, problem.line, problem.column) == ("bp.yaml", 2, 8)


def test_not_json() -> None:
    problem = only('{"version": "1",\n "name": }', format="json")
    assert problem.message.startswith("not valid JSON: Expecting value")
    assert (problem.line, problem.column) == (2, 10)


def test_yaml_is_not_json() -> None:
    problem = only(GOOD, format="json")
    assert problem.message.startswith("not valid JSON")
    assert problem.line == 1


def test_invalid_utf8() -> None:
    data = GOOD.replace("Pay", "P\xe4y").encode("latin-1")
    problem = only(data)
    assert "invalid UTF-8 at byte offset" in problem.message
    assert "0xe4" in problem.message
    assert (problem.line, problem.column) == (10, 13)


def test_utf8_byte_order_mark_is_fine() -> None:
    assert servicebp.loads(b"\xef\xbb\xbf" + GOOD.encode()).name == "Coffee"


@pytest.mark.parametrize(
    ("text", "kind"),
    [("- a\n- b\n", "a list"), ("just text\n", "a str"), ("42\n", "a number")],
)
def test_wrong_top_level_type(text: str, kind: str) -> None:
    problem = only(text)
    assert "the top level must be a mapping" in problem.message
    assert kind in problem.message
    assert (problem.path, problem.line) == ("$", 1)


def test_wrong_top_level_type_json() -> None:
    problem = only("[1, 2]", format="json")
    assert "the top level must be a mapping" in problem.message


def test_more_than_one_document() -> None:
    problem = only(GOOD + "---\n" + GOOD)
    assert "more than one YAML document" in problem.message
    assert problem.line == 15


# --- the format ---------------------------------------------------------------


def test_unknown_format_version() -> None:
    problem = only(edit('version: "1"', 'version: "3"'))
    assert problem.message == "unknown format version '3'; this servicebp reads versions '1', '2'"
    assert (problem.path, problem.line, problem.column) == ("$.version", 1, 10)


def test_unquoted_version_is_caught() -> None:
    # YAML 1.1 reads 1.10 as the float 1.1.
    problem = only(edit('version: "1"', "version: 1.10"))
    assert "must be a quoted string" in problem.message
    assert "YAML reads the unquoted 1.10 as a number: 1.1" in problem.message
    assert '"1.10"' in problem.message
    assert (problem.path, problem.line) == ("$.version", 1)


@pytest.mark.parametrize(
    ("written", "shown"),
    [("'1e3'", "1000"), ('"2"', "2"), ("'-1.5'", "-1.5"), ("2.5e-1x", None)],
)
def test_a_number_read_as_text_says_why(written: str, shown: str | None) -> None:
    # A quoted number is text anywhere.
    problem = only(edit("    stage: pay\n", f"    stage: pay\n    duration: {written}\n"))
    assert "is not of type 'number'" in problem.message
    assert problem.path == "$.steps[1].duration"
    if shown is None:
        assert "(it is text" not in problem.message
    else:
        assert "a quoted number is text" in problem.message
        assert problem.message.endswith(f"write the number unquoted, e.g. {shown})")


def test_missing_version() -> None:
    problem = only(edit('version: "1"\n', ""))
    assert problem.message == "missing required key 'version'"
    assert problem.path == "$"


def test_missing_required_field() -> None:
    problem = only(edit("    lane: customer\n    stage: pay\n", "    stage: pay\n"))
    assert problem.message == "missing required key 'lane'"
    assert (problem.path, problem.line, problem.column) == ("$.steps[1]", 9, 5)


def test_unknown_key() -> None:
    problem = only(edit("    stage: order\n", "    stage: order\n    colour: red\n"))
    assert problem.message.startswith("unknown key 'colour'")
    assert "allowed keys: actor, attributes, channel" in problem.message
    assert (problem.path, problem.line, problem.column) == ("$.steps[0].colour", 9, 5)


def test_unknown_key_suggests_the_closest() -> None:
    problem = only(edit("    stage: order\n", "    stage: order\n    chanel: app\n"))
    assert "unknown key 'chanel'; did you mean 'channel'?" in problem.message


def test_unknown_top_level_key() -> None:
    problem = only(GOOD + "stagse: [x]\n")
    assert "unknown key 'stagse'; did you mean 'stages'?" in problem.message
    assert (problem.path, problem.line, problem.column) == ("$.stagse", 15, 1)


def test_attributes_take_any_key() -> None:
    text = edit("    stage: order\n", "    stage: order\n    attributes: {colour: red, zh: 点单}\n")
    assert servicebp.loads(text)["order"].attributes == {"colour": "red", "zh": "点单"}


def test_unknown_lane() -> None:
    problem = only(
        edit("    lane: customer\n    stage: order", "    lane: front\n    stage: order")
    )
    assert problem.message == (
        "'front' is not one of ['physical-evidence', 'customer', 'frontstage', "
        "'backstage', 'support']; did you mean 'frontstage'?"
    )
    assert (problem.path, problem.line, problem.column) == ("$.steps[0].lane", 7, 11)
    assert str(problem).startswith("bp.yaml:7:11: $.steps[0].lane: 'front' is not one of [")
    # The problem also names the step and the field, for callers grouping by step.
    assert (problem.step, problem.field) == ("order", "lane")


def test_an_exponent_without_a_dot_is_a_number_as_in_yaml_1_2() -> None:
    text = edit("    stage: pay\n", "    stage: pay\n    duration: 1e3\n")
    assert servicebp.loads(text)["pay"].duration == 1000


def test_lane_no_is_text_not_a_yaml_1_1_boolean() -> None:
    problem = only(edit("    lane: customer\n    stage: order", "    lane: NO\n    stage: order"))
    assert problem.message.startswith("'NO' is not one of [")
    assert problem.path == "$.steps[0].lane"


def test_lane_true_is_a_boolean_with_a_quote_hint() -> None:
    problem = only(edit("    lane: customer\n    stage: order", "    lane: true\n    stage: order"))
    assert problem.message.startswith("True is not one of [")
    assert "YAML reads the unquoted true as a boolean: true" in problem.message
    assert "quote the value" in problem.message


def test_duplicate_step_id() -> None:
    extra = "  - id: order\n    label: Again\n    lane: backstage\n    stage: pay\nflows:"
    problem = only(edit("flows:", extra))
    assert problem.message == (
        "duplicate step id 'order' (first at line 5); step ids must be unique"
    )
    assert (problem.path, problem.line, problem.column) == ("$.steps[2].id", 13, 9)


def test_duplicate_mapping_key() -> None:
    problem = only(edit("    label: Order\n", "    label: Order\n    label: Again\n"))
    assert problem.message == "duplicate key 'label' (first at line 6); each key may appear once"
    assert (problem.path, problem.line, problem.column) == ("$.steps[0].label", 7, 5)


def test_duplicate_json_key() -> None:
    text = json.dumps(servicebp.to_dict(servicebp.loads(GOOD)), indent=1)
    text = text.replace('"name": "Coffee",', '"name": "Coffee",\n "name": "Tea",')
    problem = only(text, format="json")
    assert problem.message.startswith("duplicate key 'name'")
    assert (problem.path, problem.line) == ("$.name", 4)


def test_flow_to_unknown_step() -> None:
    problem = only(edit("{from: order, to: pay}", "{from: order, to: pya}"))
    assert problem.message == "unknown step 'pya'; did you mean 'pay'? (no step has this id)"
    assert (problem.path, problem.line, problem.column) == ("$.flows[0].to", 14, 23)


def test_flow_from_unknown_step() -> None:
    problem = only(edit("{from: order, to: pay}", "{from: nobody, to: pay}"))
    assert problem.message.startswith("unknown step 'nobody'")
    assert problem.path == "$.flows[0].from"


def test_self_loop() -> None:
    problem = only(edit("{from: order, to: pay}", "{from: pay, to: pay}"))
    assert problem.message == "a flow from a step to itself is not allowed"
    assert (problem.path, problem.line) == ("$.flows[0].to", 14)


def test_negative_duration() -> None:
    problem = only(edit("    stage: order\n", "    stage: order\n    duration: -5\n"))
    assert problem.message == "-5 is less than the minimum of 0"
    assert (problem.path, problem.line, problem.column) == ("$.steps[0].duration", 9, 15)


def test_negative_wait() -> None:
    text = edit("    stage: order\n", "    stage: order\n    wait: {duration: -1, tolerance: 5}\n")
    problem = only(text)
    assert problem.message == "-1 is less than the minimum of 0"
    assert (problem.path, problem.line) == ("$.steps[0].wait.duration", 9)


@pytest.mark.parametrize("value", [".nan", ".inf", "-.inf", ".NaN"])
def test_nan_and_infinity_in_yaml(value: str) -> None:
    problem = only(edit("    stage: order\n", f"    stage: order\n    cost: {value}\n"))
    assert "is not allowed: numbers must be finite" in problem.message
    assert (problem.path, problem.line, problem.column) == ("$.steps[0].cost", 9, 11)


@pytest.mark.parametrize("value", ["NaN", "Infinity", "-Infinity"])
def test_nan_and_infinity_in_json(value: str) -> None:
    document = servicebp.to_dict(servicebp.loads(GOOD))
    document["steps"][0]["cost"] = "@@"
    text = json.dumps(document, indent=1).replace('"@@"', value)
    problem = only(text, format="json")
    assert problem.message == f"{value} is not allowed: numbers must be finite"
    assert problem.path == "$.steps[0].cost"
    assert problem.line is not None


@pytest.mark.parametrize("value", ["1.5", "-0.1"])
def test_probability_outside_0_1(value: str) -> None:
    problem = only(
        edit("{from: order, to: pay}", f"{{from: order, to: pay, probability: {value}}}")
    )
    assert "the maximum of 1" in problem.message or "the minimum of 0" in problem.message
    assert (problem.path, problem.line) == ("$.flows[0].probability", 14)


def test_fail_point_probability_outside_0_1() -> None:
    text = edit(
        "    stage: order\n", "    stage: order\n    fail_point: {what: x, probability: 2}\n"
    )
    problem = only(text)
    assert problem.message == "2 is greater than the maximum of 1"
    assert problem.path == "$.steps[0].fail_point.probability"


def test_branch_probabilities_above_1() -> None:
    text = GOOD.replace("stages: [order, pay]", "stages: [order, pay]") + (
        "  - {from: order, to: tea, probability: 0.6}\n"
    )
    text = text.replace(
        "flows:\n  - {from: order, to: pay}", "flows:\n  - {from: order, to: pay, probability: 0.5}"
    )
    text = text.replace(
        "flows:", "  - id: tea\n    label: Tea\n    lane: customer\n    stage: pay\nflows:"
    )
    problem = only(text)
    assert problem.message == "branch probabilities out of the step would sum to 1.1, above 1"
    assert (problem.path, problem.line) == ("$.flows[1].probability", 19)


def test_stage_named_by_a_step_but_not_listed() -> None:
    problem = only(edit("    stage: pay\n", "    stage: checkout\n"))
    assert problem.message.startswith(
        "stage 'checkout' is not one of the blueprint's stages ['order', 'pay']"
    )
    assert (problem.path, problem.line, problem.column) == ("$.steps[1].stage", 12, 12)


def test_unused_stage_is_a_whole_blueprint_problem() -> None:
    problem = only(edit("stages: [order, pay]", "stages: [order, pay, later]"))
    assert problem.message == "stage 'later' has no steps; remove it or add steps to it"
    assert (problem.path, problem.line, problem.column) == ("$.stages[2]", 3, 22)


def test_customer_loop_without_a_way_out_is_a_whole_blueprint_problem() -> None:
    first, *rest = problems(GOOD + "  - {from: pay, to: order}\n")
    assert first.message.startswith("customer actions loop through order, pay with no way out")
    assert (first.file, first.line, first.column, first.step) == ("bp.yaml", 5, 5, "order")
    assert str(first).startswith("bp.yaml:5:5: step 'order': flows: customer actions loop")
    # The loop is the one problem: its steps are not reported again as unreachable.
    assert rest == []
    # A loop with a way out (a retry) loads.
    done = "  - {id: done, label: Done, lane: customer, stage: pay}\n"
    retry = GOOD.replace("flows:\n", done + "flows:\n")
    retry += "  - {from: pay, to: order, probability: 0.2}\n  - {from: pay, to: done}\n"
    assert servicebp.loads(retry, format="yaml").loops() == (("order", "pay"),)


def test_non_string_id() -> None:
    problem = only(edit("  - id: pay", "  - id: 7"))
    assert problem.message.startswith("7 is not of type 'string'")
    assert "quote the value" in problem.message
    assert (problem.path, problem.line, problem.column) == ("$.steps[1].id", 9, 9)


def test_non_string_label() -> None:
    problem = only(edit("    label: Pay", "    label: 3"))
    assert problem.message.startswith("3 is not of type 'string'")
    assert 'YAML reads the unquoted 3 as a number: 3; quote the value, e.g. "3"' in (
        problem.message
    )
    assert (problem.path, problem.line, problem.column) == ("$.steps[1].label", 10, 12)


def test_non_string_label_in_json() -> None:
    document = servicebp.to_dict(servicebp.loads(GOOD))
    document["steps"][1]["label"] = 3
    problem = only(json.dumps(document, indent=1), format="json")
    assert problem.message == "3 is not of type 'string'"
    assert problem.path == "$.steps[1].label"
    assert problem.line is not None


def test_blank_label() -> None:
    problem = only(edit("    label: Pay", "    label: '   '"))
    assert problem.message == "label must not be empty"
    assert (problem.path, problem.line) == ("$.steps[1].label", 10)


def test_non_text_key() -> None:
    problem = only(edit("    stage: order\n", "    stage: order\n    attributes: {1: x}\n"))
    assert "the key '1' is read as the number 1, not text" in problem.message
    assert problem.line == 9


def test_python_tag_is_refused_never_executed(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    text = edit("    label: Order", f"    label: !!python/object/apply:os.mkdir [{str(marker)!r}]")
    problem = only(text)
    assert "the YAML tag 'tag:yaml.org,2002:python/object/apply:os.mkdir' is not allowed" in (
        problem.message
    )
    assert (problem.path, problem.line, problem.column) == ("$.steps[0].label", 6, 12)
    assert not marker.exists()


def test_python_name_tag_is_refused() -> None:
    problem = only("!!python/name:os.system\n")
    assert "is not allowed" in problem.message


def test_standard_tags_are_fine() -> None:
    text = edit("    label: Pay", "    label: !!str 3")
    assert servicebp.loads(text)["pay"].label == "3"


def test_alias_bomb_is_refused_at_the_first_anchor() -> None:
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for i in range(1, 30):
        refs = ", ".join([f"*a{i - 1}"] * 9)
        lines.append(f"a{i}: &a{i} [{refs}]")
    problem = only("\n".join(lines) + "\n")
    assert "YAML anchors and aliases (&name, *name) are not allowed" in problem.message
    assert (problem.path, problem.line, problem.column) == ("$.a0", 1, 5)


def test_alias_alone_is_refused() -> None:
    problem = only(edit("    label: Order", "    label: &x Order") + "extra: *x\n")
    assert "anchors and aliases" in problem.message
    assert problem.line == 6


@pytest.mark.parametrize(
    ("text", "format"),
    [
        ("[" * 5000 + "]" * 5000, "yaml"),
        ("{a: " * 5000 + "1" + "}" * 5000, "yaml"),
        ("- " * 5000 + "x\n", "yaml"),
        ("".join(f"{'  ' * i}a:\n" for i in range(5000)), "yaml"),
        ("[" * 5000 + "]" * 5000, "json"),
        ('{"a": ' * 5000 + "1" + "}" * 5000, "json"),
    ],
    ids=[
        "yaml-flow-lists",
        "yaml-flow-maps",
        "yaml-block-lists",
        "yaml-block-maps",
        "json-lists",
        "json-maps",
    ],
)
def test_5000_levels_of_nesting(text: str, format: str) -> None:
    # 5,000 indented block levels take 25 MB; the cap is raised so the depth check answers.
    problem = only(text, format=format, max_bytes=len(text))
    assert problem.message == (
        f"the data is nested more than {MAX_DEPTH} levels deep; a blueprint needs far fewer"
    )
    assert problem.line is not None


def test_nesting_at_the_limit_is_fine() -> None:
    # Top mapping, steps list, step mapping, attributes mapping: 4 levels before the lists.
    levels = MAX_DEPTH - 4
    nested = "[" * levels + "]" * levels
    text = edit("    stage: order\n", f"    stage: order\n    attributes: {{deep: {nested}}}\n")
    value = servicebp.loads(text)["order"].attributes["deep"]
    depth = 0
    while value:
        (value,) = value
        depth += 1
    assert depth == levels - 1
    assert "nested more than" in only(text.replace(nested, f"[{nested}]")).message


def test_50_megabyte_file_is_refused_unread(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    chunk = b"# padding padding padding padding padding padding padding padding\n" * 16384
    with path.open("wb") as handle:
        while handle.tell() < 50 * 1024 * 1024:
            handle.write(chunk)
    with pytest.raises(BlueprintValidationError) as caught:
        servicebp.load(path)
    (problem,) = caught.value.problems
    assert f"above the limit of {MAX_BYTES:,} bytes" in problem.message
    assert "max_bytes" in problem.message
    assert problem.file == str(path)


def test_50_megabyte_string_is_refused() -> None:
    with pytest.raises(BlueprintValidationError, match="above the limit"):
        servicebp.loads("#" * (50 * 1024 * 1024))


def test_size_cap_is_configurable(tmp_path: Path) -> None:
    path = tmp_path / "bp.yaml"
    path.write_text(GOOD, encoding="utf-8")
    with pytest.raises(BlueprintValidationError, match="above the limit of 100 bytes"):
        servicebp.load(path, max_bytes=100)
    assert servicebp.load(path, max_bytes=len(GOOD)).name == "Coffee"


def test_every_problem_is_reported_at_once() -> None:
    text = GOOD.replace("lane: customer\n    stage: order", "lane: front\n    stage: order")
    text = text.replace("label: Pay", "label: 3").replace(
        "    stage: pay\n", "    stage: pay\n    colour: red\n"
    )
    found = problems(text)
    assert [p.path for p in found] == ["$.steps[0].lane", "$.steps[1].label", "$.steps[1].colour"]
    assert [p.line for p in found] == [7, 10, 13]


def test_model_problems_are_all_reported() -> None:
    text = edit("  - id: pay", "  - id: order").replace(
        "{from: order, to: pay}", "{from: order, to: order}"
    )
    found = problems(text)
    messages = [p.message for p in found]
    assert any(m.startswith("duplicate step id 'order'") for m in messages)
    assert "a flow from a step to itself is not allowed" in messages


# --- fast loading keeps the same answers ----------------------------------------------------

JSON_TEXT = st.text(
    alphabet=st.sampled_from('ab é😀"\\/\t\n\u2028\u2029\x85{}[]:,') | st.characters(codec="utf-8"),
    max_size=4,
)
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | JSON_TEXT,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(JSON_TEXT, inner, max_size=3),
    max_leaves=12,
)


def all_paths(data: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [path]
    if isinstance(data, dict):
        for key, value in data.items():
            found += all_paths(value, (*path, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            found += all_paths(value, (*path, index))
    return found


@settings(max_examples=200)
@given(
    JSON_VALUES,
    st.sampled_from([None, 0, 2, "\t"]),
    st.booleans(),
    st.sampled_from(["\n", "\r\n"]),
)
def test_json_positions_are_those_yaml_gives(
    data: Any, indent: int | str | None, ascii_only: bool, newline: str
) -> None:
    # JSON errors used to be located by parsing the whole file again as YAML; the
    # positions found on demand must be the same, for values and for mapping keys.
    text = json.dumps({"top": data}, indent=indent, ensure_ascii=ascii_only)
    text = text.replace("\n", newline)
    try:
        yaml_parsed = parse_yaml(text, file=None, max_depth=MAX_DEPTH)
    except BlueprintValidationError:
        assume(False)
    json_parsed = Parsed(json.loads(text), text=text)
    for path in all_paths({"top": data}):
        if path in yaml_parsed._positions:  # YAML reads some escaped keys differently
            assert json_parsed.locate(path) == yaml_parsed.locate(path), path
            assert json_parsed.locate(path, key=True) == yaml_parsed.locate(path, key=True), path
    missing = ("top", "no such key", 3)
    assert json_parsed.locate(missing) == yaml_parsed.locate(missing)


def test_json_error_positions_with_unusual_line_breaks() -> None:
    document = json.loads(
        json.dumps({"version": "1", "name": "a\u2028b", "stages": [], "steps": []})
    )
    document["steps"] = [{"id": "x", "label": "\u2029", "lane": "front", "stage": "s"}]
    text = json.dumps(document, indent=1, ensure_ascii=False)
    (problem,) = problems(text, format="json")
    # Lines counted as YAML counts them (as the former YAML reading of JSON files did).
    assert (problem.path, problem.line, problem.column) == ("$.steps[0].lane", 11, 12)


@pytest.mark.parametrize(
    ("text", "format", "message"),
    [
        ('{"duration": 1e400}', "json", "inf is not allowed: numbers must be finite"),
        ('{"duration": -1E+999}', "json", "-inf is not allowed: numbers must be finite"),
        (
            "{duration: 1.0e+400}",
            "yaml",
            "inf is not allowed: numbers must be finite (the text '1.0e+400')",
        ),
        ('{duration: !!float "-.inf"}', "yaml", "-inf is not allowed: numbers must be finite"),
    ],
)
def test_numbers_beyond_float_range_are_found(text: str, format: str, message: str) -> None:
    step = '{"id": "a", "label": "A", "lane": "customer", "stage": "s", ' + text[1:]
    document = '{"version": "1", "name": "N", "stages": ["s"], "steps": [' + step + "]}"
    (problem,) = problems(document, format=format)
    assert (problem.path, problem.message) == ("$.steps[0].duration", message)


def test_one_bad_step_among_many_is_reported_like_one_among_few() -> None:
    # Positions checked against the former way of finding them (the whole file read as YAML).
    steps = [{"id": f"s{i}", "label": "S", "lane": "customer", "stage": "s"} for i in range(3000)]
    steps[-1]["lane"] = "front"
    steps[5]["colour"] = "red"
    text = json.dumps({"version": "1", "name": "N", "stages": ["s"], "steps": steps}, indent=1)
    found = problems(text, format="json")
    assert [(p.path, p.line, p.column) for p in found] == [
        ("$.steps[5].colour", 43, 4),
        ("$.steps[2999].lane", 18006, 12),
    ]
    assert found[0].message.startswith("unknown key 'colour'")
    assert found[1].message.startswith("'front' is not one of ['physical-evidence', 'customer'")


def test_loading_never_switches_the_garbage_collector(monkeypatch: pytest.MonkeyPatch) -> None:
    # Issue 12: no process-wide GC switch, so another thread's collections go on.
    def refused(*args: object) -> None:
        raise AssertionError("the loader switched the process-wide garbage collector")

    for name in ("disable", "enable", "freeze", "set_threshold"):
        monkeypatch.setattr(gc, name, refused)
    big = "\n".join(
        [GOOD.rstrip().removesuffix("  - {from: order, to: pay}").rstrip()]
        + [f"  - {{id: s{i}, label: S, lane: customer, stage: pay}}" for i in range(3000)]
    ).replace("flows:\n", "")
    big = big.replace("steps:", "flows:\n  - {from: order, to: pay}\nsteps:")
    assert len(servicebp.loads(big)) == 3002
    problems(GOOD.replace("lane: customer", "lane: front"))


def test_loading_leaves_the_garbage_collector_as_it_was() -> None:
    assert gc.isenabled()
    servicebp.loads(GOOD)
    assert gc.isenabled()
    problems(GOOD.replace("lane: customer", "lane: front"))
    assert gc.isenabled()
    gc.disable()
    try:
        servicebp.loads(GOOD)
        assert not gc.isenabled()
    finally:
        gc.enable()
