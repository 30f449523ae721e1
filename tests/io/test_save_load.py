"""What save() writes, load() reads (issue 18, class 9): a round trip over the writer's domain.

The writer's domain is every blueprint the model lets one build, then
change through its mutable parts (a step's attributes are a dict). Values
are drawn near each edge the file format has: integers at float range,
nesting at the file's 64 levels, text with lone surrogates, control and
YAML-special characters, floats at their extremes. For each, either the
writer refuses the blueprint up front with an error of servicebp's
hierarchy that names the step and field, or the file it writes loads back
as an equal blueprint: never a file that load() refuses.
"""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import servicebp
from servicebp import Blueprint, BlueprintValidationError, ServiceBlueprintError, Step
from servicebp.io._parse import MAX_DEPTH
from servicebp.testing._strategies import blueprints

FLOAT_MAX = sys.float_info.max
#: Integers either side of float range (2**1024 - 1 has 1,024 bits and is beyond it).
EDGE_INTEGERS = [
    int(FLOAT_MAX),
    int(FLOAT_MAX) + 1,
    2**1023,
    2**1024 - 1,
    2**1024,
    -(2**1024 - 1),
    10**308,
    10**309,
]
INTEGERS = st.one_of(st.integers(), st.sampled_from(EDGE_INTEGERS), st.integers(-(2**64), 2**64))
FLOATS = st.one_of(
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from([-0.0, 5e-324, FLOAT_MAX, -FLOAT_MAX, 1e15, 0.1]),
)
#: Text near what YAML reads as something else, and characters no UTF-8 file holds.
TRICKY = st.sampled_from(
    [
        *("NO", "~", "null", "1e3", "0o17", "0x1F", "1:30", "2024-13-45", "=", "<<", "-", "? x"),
        *("#", ": x", "\ufeffBOM", " lead", "trail ", "\t", "a\x85b", "a\u2028b", "\ud800"),
        "x\udfff",
    ]
)
TEXT = st.one_of(st.text(max_size=6), TRICKY)
SCALARS = st.one_of(st.none(), st.booleans(), INTEGERS, FLOATS, TEXT)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.lists(inner, max_size=2).map(tuple),
        st.dictionaries(TEXT, inner, max_size=3),
    ),
    max_leaves=6,
)


def nested(depth: int, leaf: Any) -> Any:
    """*leaf* inside *depth* lists and mappings, alternating."""
    value = leaf
    for level in range(depth):
        value = [value] if level % 2 else {"k": value}
    return value


DEEP = st.builds(nested, st.integers(MAX_DEPTH - 8, MAX_DEPTH + 2), SCALARS)
ATTRIBUTES = st.dictionaries(TEXT, st.one_of(VALUES, DEEP), max_size=3)


@st.composite
def writable(draw: st.DrawFn) -> Blueprint:
    """A blueprint the model accepts, with hostile text and attributes, then mutated."""
    bp = draw(blueprints(max_steps=4))
    step = draw(st.sampled_from(list(bp)))
    changes: dict[str, Any] = {}
    for field in ("label", "channel", "actor"):
        if draw(st.booleans()):
            changes[field] = draw(TEXT)
    if draw(st.booleans()):
        changes["attributes"] = draw(ATTRIBUTES)
    # What the model refuses is outside the writer's domain: the blueprint stays as drawn.
    with contextlib.suppress(ServiceBlueprintError):
        bp.replace_step(step.evolve(**changes))
    if draw(st.booleans()):
        with contextlib.suppress(ServiceBlueprintError):
            bp.name = draw(TEXT)
    # The attributes dict is mutable: what is put in it later is the writer's to check.
    if draw(st.booleans()):
        target = draw(st.sampled_from(list(bp)))
        target.attributes[draw(TEXT)] = draw(st.one_of(VALUES, DEEP))
    return bp


@pytest.mark.parametrize("suffix", ["yaml", "json"])
@given(bp=writable())
def test_what_save_writes_load_reads(tmp_path_factory: Any, suffix: str, bp: Blueprint) -> None:
    path = Path(tmp_path_factory.mktemp("save")) / f"bp.{suffix}"
    try:
        servicebp.save(bp, path)
    except BlueprintValidationError as error:
        assert not path.exists()
        for problem in error.problems:
            assert problem.step in bp, problem
            assert problem.field is not None, problem
        return
    # Compared as the file format's data: a tuple put into the attributes after the
    # step was made is written (and read back) as a list, as the model stores one given
    # when a step is made; everything else compares equal as blueprints too.
    written = servicebp.to_dict(bp)
    assert servicebp.to_dict(servicebp.load(path)) == written
    text = servicebp.dumps(bp, format=suffix)
    again = servicebp.loads(text, format=suffix)
    assert servicebp.to_dict(again) == written
    assert again == servicebp.from_dict(written)


def one_step(**attributes: Any) -> Blueprint:
    bp = Blueprint("A", stages=["s"])
    bp.add_step(Step(id="a", label="A", lane="customer", stage="s", attributes=attributes))
    return bp


@pytest.mark.parametrize(
    "number",
    [2**1024 - 1, -(2**1024 - 1), int(FLOAT_MAX) + 1],
    ids=["2**1024-1", "-(2**1024-1)", "float-max+1"],
)
def test_an_integer_just_beyond_float_range_is_refused_at_the_model(number: int) -> None:
    with pytest.raises(BlueprintValidationError, match="integer beyond float range"):
        one_step(n=number)


def test_the_largest_integer_in_float_range_round_trips() -> None:
    # Integers of 301 to 309 digits are within float range (JSON refused them before).
    bp = one_step(n=int(FLOAT_MAX), m=-int(FLOAT_MAX))
    for file_format in ("yaml", "json"):
        back = servicebp.loads(servicebp.dumps(bp, format=file_format), format=file_format)
        assert back["a"].attributes == {"m": -int(FLOAT_MAX), "n": int(FLOAT_MAX)}


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (2**1100, "integer beyond float range"),
        (nested(70, 1), "nested more than 61 levels"),
        ("x\ud800", "lone surrogate"),
        (float("nan"), "numbers must be finite"),
    ],
    ids=["2**1100", "nested-70", "surrogate", "nan"],
)
def test_attributes_changed_after_the_step_was_made_are_refused_naming_step_and_field(
    value: Any, message: str, tmp_path: Path
) -> None:
    bp = one_step()
    bp["a"].attributes["later"] = value
    path = tmp_path / "bp.yaml"
    with pytest.raises(BlueprintValidationError, match=message) as caught:
        servicebp.save(bp, path)
    (problem,) = caught.value.problems
    assert (problem.step, problem.field) == ("a", "attributes")
    assert problem.path is not None
    assert problem.path.startswith("$.steps[0].attributes.later")
    assert "not written" in problem.message
    assert not path.exists()


@pytest.mark.parametrize("text", ["a\x85b", "a\u2028b", "a\u2029b", "a\rb", "x\x85\ny"])
def test_text_with_what_yaml_reads_as_a_line_break_round_trips(text: str) -> None:
    # NEL (U+0085) written plain came back as a space.
    bp = one_step(**{text: text})
    back = servicebp.loads(servicebp.dumps(bp))
    assert back["a"].attributes == {text: text}
