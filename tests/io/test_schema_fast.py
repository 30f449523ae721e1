"""The schema pre-check: fast, and never changes which problems are reported."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from servicebp.io._parse import format_path
from servicebp.io._schema import document_validator, schema_errors
from servicebp.io._schema_fast import compile_check

# A few right and wrong values of each kind, so that documents are often valid
# and, when not, wrong in one or two places.
ANY = st.sampled_from([None, True, 0, 1, -1, 0.5, 2.5, "", "x", "a b", [], ["x"], {}, {"k": 1}])
IDS = st.sampled_from(["a", "b", "c", "a b", "", 1])
TEXT = st.sampled_from(["Text", "two\nlines", "", 3])
NUMBER = st.sampled_from([0, 1, 2.5, 1.0, -1, -0.5, 4, True, "2"])
LANES = st.sampled_from(["customer", "frontstage", "support", "front", None])


def maybe(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(strategy, strategy, strategy, ANY)


WAIT = st.fixed_dictionaries({"duration": NUMBER}, optional={"tolerance": NUMBER, "extra": ANY})
MOMENT = st.fixed_dictionaries(
    {"kind": st.sampled_from(["usage", "zmot", "none"])},
    optional={
        "weight": NUMBER,
        "contact_mode": st.sampled_from(["human-machine", "robot"]),
        "behaviours": st.lists(st.sampled_from(["explore", "offer", "x", 1, True]), max_size=3),
        "expectations": st.lists(
            st.fixed_dictionaries(
                {"text": TEXT, "type": st.sampled_from(["explicit", "latent", "odd"])},
                optional={"source": st.sampled_from(["promise", "rumour"])},
            ),
            max_size=2,
        ),
        "rubric": TEXT,
    },
)
PERSONA_VALUES = st.fixed_dictionaries(
    {}, optional={"rating": NUMBER, "weight": NUMBER, "wait": maybe(WAIT), "mood": ANY}
)
PERSONA = st.fixed_dictionaries(
    {"id": maybe(IDS), "label": maybe(TEXT)}, optional={"description": TEXT, "age": ANY}
)
JSON_DATA = st.recursive(
    st.none() | st.booleans() | st.integers(-3, 3) | st.floats(-2, 2) | st.text(max_size=3),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner),
    max_leaves=6,
)
STEP = st.fixed_dictionaries(
    {"id": maybe(IDS), "label": maybe(TEXT), "lane": LANES, "stage": maybe(IDS)},
    optional={
        "channel": TEXT,
        "duration": NUMBER,
        "wait": maybe(WAIT),
        "cost": NUMBER,
        "fail_point": st.fixed_dictionaries(
            {"what": TEXT}, optional={"probability": NUMBER, "recovery": TEXT}
        ),
        "evidence": st.lists(TEXT, max_size=2),
        "moment": maybe(MOMENT),
        "rating": NUMBER,
        "attributes": maybe(st.dictionaries(st.text(max_size=3), JSON_DATA, max_size=3)),
        "per_persona": maybe(st.dictionaries(IDS, maybe(PERSONA_VALUES), max_size=2)),
        "chanel": ANY,
    },
)
FLOW = st.fixed_dictionaries(
    {"from": maybe(IDS), "to": maybe(IDS)},
    optional={
        "kind": st.sampled_from(["sequence", "support", "other"]),
        "label": TEXT,
        "probability": NUMBER,
        "weight": ANY,
    },
)
DOCUMENT = st.fixed_dictionaries(
    {
        "version": st.sampled_from(["2", "2", "1"]),
        "name": maybe(TEXT),
        "stages": maybe(st.lists(maybe(IDS), max_size=3)),
        "steps": maybe(st.lists(maybe(STEP), max_size=4)),
    },
    optional={
        "flows": maybe(st.lists(maybe(FLOW), max_size=3)),
        "description": TEXT,
        "lint": st.fixed_dictionaries({}, optional={"select": st.lists(TEXT, max_size=2)}),
        "personas": maybe(st.lists(maybe(PERSONA), max_size=2)),
        "scenario": maybe(TEXT),
        "colour": ANY,
    },
)

#: Right at the top level, so that the items' own checks decide.
ITEMS_DOCUMENT = st.fixed_dictionaries(
    {
        "version": st.just("2"),
        "name": st.just("N"),
        "stages": st.just(["a", "b"]),
        "steps": st.lists(maybe(STEP), min_size=1, max_size=4),
    },
    optional={"flows": st.lists(maybe(FLOW), max_size=3)},
)


def by_path(errors: list[tuple[tuple[Any, ...], str, str]]) -> list[tuple[Any, ...]]:
    # The loader sorts problems by position, then path; the order within one path must hold.
    return sorted(errors, key=lambda error: format_path(error[0]))


@settings(max_examples=300)
@given(st.one_of(DOCUMENT, ITEMS_DOCUMENT))
def test_prechecked_validation_finds_exactly_what_jsonschema_finds(document: Any) -> None:
    full = [
        (tuple(error.absolute_path), error.message, str(error.validator))
        for error in document_validator().iter_errors(document)
    ]
    fast = [
        ((*prefix, *error.absolute_path), error.message, str(error.validator))
        for prefix, error in schema_errors(document)
    ]
    assert by_path(fast) == by_path(full)


def test_a_valid_document_never_reaches_jsonschema() -> None:
    step = {"id": "a", "label": "A", "lane": "customer", "stage": "s", "attributes": {"x": [1]}}
    document = {"version": "2", "name": "N", "stages": ["s"], "steps": [step] * 3, "flows": []}
    assert list(schema_errors(document)) == []


@pytest.mark.parametrize(
    ("schema", "good", "bad"),
    [
        ({"type": "number", "minimum": 0}, [0, 2.5], [-1, True, "1", None]),
        ({"type": "number", "exclusiveMinimum": 0, "maximum": 1}, [1, 0.5], [0, 1.5]),
        ({"enum": ["a", "b"]}, ["a"], ["c", 1, None]),
        ({"const": "1"}, ["1"], [1, "2"]),
        ({"type": "string", "minLength": 1, "pattern": "^\\S+$"}, ["ab"], ["", "a b", 3]),
        ({"type": "array", "items": {"type": "string"}, "uniqueItems": True}, [[], ["a"]], [["a", "a"], [1]]),  # noqa: E501
        (
            {"type": "object", "required": ["a"], "additionalProperties": False,
             "properties": {"a": {"type": "null"}}},
            [{"a": None}],
            [{}, {"a": 1}, {"a": None, "b": 1}, []],
        ),
        ({"type": "object", "additionalProperties": {"type": "boolean"}}, [{"x": True}], [{"x": 1}]),  # noqa: E501
        ({"type": ["null", "string"]}, [None, ""], [0, False]),
    ],
)  # fmt: skip
def test_compiled_checks(schema: dict[str, Any], good: list[Any], bad: list[Any]) -> None:
    check = compile_check(schema, {})
    assert [check(value) for value in good] == [True] * len(good)
    assert [check(value) for value in bad] == [False] * len(bad)


def test_recursive_definitions_and_deep_data() -> None:
    definitions = {"json": {"type": ["array", "number"], "items": {"$ref": "#/$defs/json"}}}
    check = compile_check({"$ref": "#/$defs/json"}, definitions)
    assert check([1, [2, [3]]])
    assert not check([1, ["x"]])
    deep: Any = 1
    for _ in range(100_000):
        deep = [deep]
    assert not check(deep)  # too deep to be sure: left to jsonschema


@pytest.mark.parametrize(
    "schema",
    [
        {"prefixItems": [{"type": "string"}]},
        {"type": "object", "properties": {"a": {"unevaluatedProperties": False}}},
        {"items": [{"dependentRequired": {"a": ["b"]}}]},
        {"$ref": "#/$defs/missing"},
        {"$ref": "other.json"},
    ],
)
def test_keywords_draft_7_lacks_and_foreign_references_are_refused(schema: dict[str, Any]) -> None:
    # fastjsonschema would ignore the first three (passing data jsonschema refuses)
    # and fetch the last over the network.
    with pytest.raises(ValueError, match="cannot pre-check"):
        compile_check(schema, {})


def test_names_of_properties_are_not_taken_for_keywords() -> None:
    check = compile_check({"properties": {"prefixItems": {"type": "string"}}}, {})
    assert check({"prefixItems": "x"})
    assert not check({"prefixItems": 1})


def test_the_check_writes_no_defaults_into_the_data() -> None:
    check = compile_check({"type": "object", "properties": {"a": {"default": 1}}}, {})
    data: dict[str, Any] = {}
    assert check(data)
    assert data == {}
