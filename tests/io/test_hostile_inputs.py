"""A catalogue of hostile inputs, one case a row, across every entry point.

Every row names an entry point, builds its input, and says which of
servicebp's own errors it must raise (for CLI rows: exit status 1 with the
problem on one line and no traceback) and a fragment of the message that
names the place. Each case must also finish within :data:`TIME_BOUND` seconds
(a robustness bound against hangs, not a speed test) and leave every file in
its working folder untouched: a sentinel output file is pre-created with
known bytes, and CLI commands that write are pointed at it.

Entry points
------------
``api``
    The Python API: constructors of Step, Flow, Blueprint and its values.
``mutation``
    A mutation of a small valid blueprint; after the error the blueprint
    must still equal its copy taken before.
``loads:yaml`` / ``loads:json``
    :func:`servicebp.loads` on text or bytes.
``load``
    :func:`servicebp.load` on a file; the message names the file.
``observed``
    The observed-journey tables (:mod:`servicebp.observed`).
``cli:COMMAND``
    ``servicebp COMMAND`` through :class:`click.testing.CliRunner`.
"""

from __future__ import annotations

import functools
import json
import math
import os
import signal
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import attrs
import numpy as np
import pandas as pd
import polars as pl
import pytest

from servicebp import (
    AnalysisTooLargeError,
    Blueprint,
    BlueprintTypeError,
    BlueprintValidationError,
    DuplicateStepError,
    Expectation,
    FailPoint,
    Flow,
    MomentOfTruth,
    ObservedDataError,
    OutputError,
    ServiceBlueprintError,
    Step,
    UnknownStepError,
    Wait,
    critical_journey,
    load,
    loads,
    read_observed,
    read_ratings,
    save,
    score_observed,
)
from tests import _factories
from tests._cli import Runner
from tests.analysis.test_analysis import waits_met_first_anywhere

#: Seconds each case may take. Generous: the machine is shared.
TIME_BOUND = 10.0
#: Seconds after which a hung case is interrupted (so a hang fails, never blocks).
HANG_GUARD = 60
#: What the sentinel output file holds before every case.
SENTINEL = b"previous output \xe2\x9c\x93\n"


@attrs.frozen
class Case:
    """One row of the catalogue."""

    id: str
    entry: str
    make: Callable[[Path], Any]
    error: type[BaseException]
    fragment: str
    #: Untimed preparation (builds a large blueprint once, outside the time bound).
    setup: Callable[[], object] = lambda: None


CASES: list[Case] = []


def case(
    id: str,
    entry: str,
    error: type[BaseException],
    fragment: str,
    *,
    setup: Callable[[], object] = lambda: None,
) -> Callable[..., Any]:
    """Register the decorated input builder as one row of the table."""

    def register(make: Callable[[Path], Any]) -> Callable[[Path], Any]:
        CASES.append(
            Case(id=id, entry=entry, make=make, error=error, fragment=fragment, setup=setup)
        )
        return make

    return register


def row(
    id: str, entry: str, make: Callable[[], Any], error: type[BaseException], fragment: str
) -> None:
    """Register a row whose input needs no folder."""
    CASES.append(Case(id=id, entry=entry, make=lambda _: make(), error=error, fragment=fragment))


# --- helpers -----------------------------------------------------------------


def step(**changes: Any) -> Step:
    fields: dict[str, Any] = {"id": "a", "label": "A", "lane": "customer", "stage": "s"}
    fields.update(changes)
    return Step(**fields)


def small_blueprint() -> Blueprint:
    """Two customer steps and two frontstage steps, connected; valid as a whole."""
    bp = Blueprint("Small", stages=["s", "t"])
    bp.add_step(Step(id="a", label="A", lane="customer", stage="s"))
    bp.add_step(Step(id="b", label="B", lane="customer", stage="t"))
    bp.add_step(Step(id="f", label="F", lane="frontstage", stage="s"))
    bp.add_step(Step(id="g", label="G", lane="frontstage", stage="t"))
    bp.connect("a", "b", probability=0.6)
    bp.connect("a", "f", kind="support")
    bp.connect("f", "g", kind="support")
    return bp


#: Cached, so that a timed row's ``setup`` builds the long chain its timed call then gets.
chain = functools.cache(_factories.chain)


# --- the Python API: constructors ---------------------------------------------

E, T = BlueprintValidationError, BlueprintTypeError

row("api-step-id-space", "api", lambda: step(id="a b"), E, "id 'a b' contains white space")
row("api-step-id-tab", "api", lambda: step(id="a\tb"), E, "id 'a\\tb' contains the control")
row("api-step-id-newline", "api", lambda: step(id="a\nb"), E, "contains the control character")
row("api-step-id-nul", "api", lambda: step(id="a\x00b"), E, "id 'a\\x00b' contains the control")
row("api-step-id-nbsp", "api", lambda: step(id="a\u00a0b"), E, "contains white space")
row("api-step-id-zero-width", "api", lambda: step(id="a\u200bb"), E, "invisible character")
row("api-step-id-bidi-override", "api", lambda: step(id="a\u202eb"), E, "invisible character")
row("api-step-id-only-space", "api", lambda: step(id="   "), E, "id must not be empty")
row("api-step-id-int", "api", lambda: step(id=3), T, "id must be a string, not int")
row("api-step-id-none", "api", lambda: step(id=None), T, "id must be a string, not NoneType")
row("api-step-label-number", "api", lambda: step(label=3.5), T, "label must be a string, not float")
row("api-step-label-enormous-int", "api", lambda: step(label=10**5000), T, "label must be a string")
row("api-step-label-empty", "api", lambda: step(label=""), E, "label must not be empty")
row("api-step-label-ansi-escape", "api", lambda: step(label="\x1b[31mred"), E, "control character")
row("api-step-label-lone-surrogate", "api", lambda: step(label="x\ud800"), E, "control character")
row("api-step-lane-unknown", "api", lambda: step(lane="front"), E, "'front' is not a valid lane")
row("api-step-lane-number", "api", lambda: step(lane=2), E, "2 is not a valid lane")
row("api-step-stage-newline", "api", lambda: step(stage="check\nin"), E, "control character")
row("api-step-duration-string", "api", lambda: step(duration="5"), T, "duration must be a number")
row("api-step-duration-bool", "api", lambda: step(duration=True), T, "duration must be a number")
row("api-step-duration-nan", "api", lambda: step(duration=math.nan), E, "duration must be a finite")
row("api-step-duration-inf", "api", lambda: step(duration=math.inf), E, "duration must be a finite")
row("api-step-duration-negative", "api", lambda: step(duration=-1), E, "duration must not be neg")
row("api-step-cost-10e400", "api", lambda: step(cost=10**400), E, "cost must be a finite number")
row("api-step-rating-10e400", "api", lambda: step(rating=10**400), E, "rating must be a finite")
row(
    "api-step-rating-minus-inf", "api", lambda: step(rating=-math.inf), E, "rating must be a finite"
)
row("api-step-rating-4", "api", lambda: step(rating=4), E, "rating 4.0 is not on the MOT scale")
row("api-step-rating-string", "api", lambda: step(rating="+2"), T, "rating must be a number")
row("api-step-wait-number", "api", lambda: step(wait=5), T, "wait must be a Wait, not int")
row("api-step-fail-point-str", "api", lambda: step(fail_point="x"), T, "fail_point must be a")
row("api-step-evidence-int", "api", lambda: step(evidence=7), T, "a list of strings, not int")
row("api-step-evidence-empty-item", "api", lambda: step(evidence=["ok", " "]), E, "evidence must")
row("api-step-attributes-int-key", "api", lambda: step(attributes={1: 2}), T, "attributes keys")
row("api-step-attributes-list", "api", lambda: step(attributes=[1]), T, "attributes must be a map")
row("api-wait-negative", "api", lambda: Wait(duration=-5), E, "duration must not be negative")
row("api-wait-tolerance-nan", "api", lambda: Wait(duration=1, tolerance=math.nan), E, "tolerance")
row("api-fail-point-probability-2", "api", lambda: FailPoint(what="x", probability=2), E, "[0, 1]")
row(
    "api-flow-probability-nan",
    "api",
    lambda: Flow(source="a", target="b", probability=math.nan),
    E,
    "probability must be a finite",
)
row(
    "api-flow-kind-unknown",
    "api",
    lambda: Flow(source="a", target="b", kind="x"),
    E,
    "'x' is not a valid flow kind",
)
row("api-flow-source-space", "api", lambda: Flow(source="a b", target="c"), E, "source 'a b'")
row("api-blueprint-name-empty", "api", lambda: Blueprint(" "), E, "name must not be empty")
row(
    "api-blueprint-name-newline",
    "api",
    lambda: Blueprint("a\nb"),
    E,
    "name 'a\\nb' contains the control",
)
row(
    "api-blueprint-stages-one-string",
    "api",
    lambda: Blueprint("x", stages="abc"),
    T,
    "stages must be a list",
)
row(
    "api-blueprint-stage-twice",
    "api",
    lambda: Blueprint("x", stages=["a", "a"]),
    E,
    "stage 'a' is listed twice",
)
row(
    "api-blueprint-stage-int",
    "api",
    lambda: Blueprint("x", stages=[1]),
    T,
    "stage must be a string",
)

# fmt: off
row("api-moment-kind-unknown", "api", lambda: MomentOfTruth(kind="purchasex"), E, "'purchasex' is not a valid moment kind; did you mean 'purchase'? (must be one of ['purchase'")  # noqa: E501
row("api-moment-contact-mode-unknown", "api", lambda: MomentOfTruth(kind="usage", contact_mode="telepathy"), E, "'telepathy' is not a valid contact mode")  # noqa: E501
row("api-moment-behaviour-unknown", "api", lambda: MomentOfTruth(kind="usage", behaviours=["apologise"]), E, "'apologise' is not a valid behaviour (must be one of ['explore', 'offer', 'action', 'confirm'])")  # noqa: E501
row("api-moment-behaviours-one-string", "api", lambda: MomentOfTruth(kind="usage", behaviours="confirm"), T, "behaviours must be a sequence")  # noqa: E501
row("api-moment-weight-negative", "api", lambda: MomentOfTruth(kind="usage", weight=-1), E, "weight must be a finite number above 0, got -1")  # noqa: E501
row("api-moment-weight-10e400", "api", lambda: MomentOfTruth(kind="usage", weight=10**400), E, "weight must be a finite number above 0")  # noqa: E501
row("api-expectation-text-number", "api", lambda: Expectation(text=3, type="explicit"), T, "text must be a string, not int (3)")  # noqa: E501
row("api-expectation-type-unknown", "api", lambda: Expectation(text="x", type="implicit"), E, "'implicit' is not a valid expectation type")  # noqa: E501
# fmt: on

# --- the Python API: mutations of a valid blueprint ------------------------------

MUTATIONS: dict[str, Callable[[Blueprint], Any]] = {}


def mutation(id: str, error: type[BaseException], fragment: str) -> Callable[..., Any]:
    """Register a mutation of :func:`small_blueprint` that must fail and change nothing."""

    def register(change: Callable[[Blueprint], Any]) -> Callable[[Blueprint], Any]:
        MUTATIONS[id] = change
        CASES.append(
            Case(id=id, entry="mutation", make=lambda _: None, error=error, fragment=fragment)
        )
        return change

    return register


@mutation("mut-add-duplicate-step", DuplicateStepError, "step 'a': id: a step with this id exists")
def _(bp: Blueprint) -> Any:
    return bp.add_step(step(id="a", label="again"))


@mutation("mut-add-step-unknown-stage", E, "stage 'zz' is not one of the blueprint's stages")
def _(bp: Blueprint) -> Any:
    return bp.add_step(step(id="c", stage="zz"))


@mutation("mut-add-step-dict", T, "add_step() takes a Step, not dict")
def _(bp: Blueprint) -> Any:
    return bp.add_step({"id": "c"})  # type: ignore[arg-type]


@mutation("mut-replace-unknown-step", UnknownStepError, "unknown step: 'ghost'")
def _(bp: Blueprint) -> Any:
    return bp.replace_step(step(id="ghost"))


@mutation("mut-replace-step-unknown-stage", E, "stage 'zz' is not one of")
def _(bp: Blueprint) -> Any:
    return bp.replace_step(step(id="a", stage="zz"))


@mutation("mut-remove-unknown-step", UnknownStepError, "unknown step: 'ghost'")
def _(bp: Blueprint) -> Any:
    return bp.remove_step("ghost")


@mutation("mut-getitem-unhashable", UnknownStepError, "unknown step: ['a']")
def _(bp: Blueprint) -> Any:
    return bp[["a"]]  # type: ignore[index]


@mutation("mut-connect-dangling-target", UnknownStepError, "unknown step: 'ghost'")
def _(bp: Blueprint) -> Any:
    return bp.connect("a", "ghost")


@mutation("mut-connect-dangling-source", UnknownStepError, "unknown step: 'ghost'")
def _(bp: Blueprint) -> Any:
    return bp.connect("ghost", "a")


@mutation("mut-connect-self-loop", E, "step 'b': target: a flow from a step to itself")
def _(bp: Blueprint) -> Any:
    return bp.connect("b", "b")


@mutation("mut-connect-twice", E, "step 'a': target: a flow to 'b' exists already")
def _(bp: Blueprint) -> Any:
    return bp.connect("a", "b")


@mutation("mut-connect-probability-sum", E, "step 'a': probability: branch probabilities")
def _(bp: Blueprint) -> Any:
    return bp.connect("a", "g", probability=0.5)


@mutation("mut-connect-kind-unknown", E, "'loop' is not a valid flow kind")
def _(bp: Blueprint) -> Any:
    return bp.connect("b", "f", kind="loop")


@mutation("mut-disconnect-missing", E, "step 'b': target: no flow to 'a'")
def _(bp: Blueprint) -> Any:
    return bp.disconnect("b", "a")


@mutation("mut-add-stage-twice", E, "stage 's' is listed twice")
def _(bp: Blueprint) -> Any:
    return bp.add_stage("s")


@mutation("mut-add-stage-before-unknown", E, "unknown stage 'zz'")
def _(bp: Blueprint) -> Any:
    return bp.add_stage("u", before="zz")


@mutation("mut-remove-stage-in-use", E, "stage 's' is still used by steps ['a', 'f']")
def _(bp: Blueprint) -> Any:
    return bp.remove_stage("s")


@mutation("mut-steps-lane-unknown", E, "'front' is not a valid lane")
def _(bp: Blueprint) -> Any:
    return bp.steps(lane="front")


@mutation("mut-crossings-line-unknown", E, "'visible' is not a valid line")
def _(bp: Blueprint) -> Any:
    return bp.crossings("visible")


@mutation("mut-validate-customer-loop", E, "customer actions loop through a, b with no way out")
def _(bp: Blueprint) -> Any:
    old = bp.disconnect("a", "b")
    bp.connect("a", "b")
    bp.connect("b", "a")
    try:
        return bp.validate()
    finally:
        bp.disconnect("b", "a")
        bp.disconnect("a", "b")
        bp.add_flow(old)


# --- the model at scale -----------------------------------------------------------


@case(
    "api-100k-steps-cycle",
    "api",
    E,
    "step 's1': flows: customer actions loop through s1, s2, s3",
    setup=lambda: chain(100_000, back=(99_999, 1)),
)
def _(folder: Path) -> Any:
    return chain(100_000, back=(99_999, 1)).validate()


@case(
    "api-waits-met-first-in-2-to-the-24-ways",
    "api",
    AnalysisTooLargeError,
    "counting each wait once per journey needs more than",
)
def _(folder: Path) -> Any:
    return critical_journey(waits_met_first_anywhere(24))


@case(
    "api-100k-steps-dangling-flow",
    "api",
    UnknownStepError,
    "unknown step: 'ghost' (the blueprint has 100000 steps",
    setup=lambda: chain(100_000),
)
def _(folder: Path) -> Any:
    return chain(100_000).connect("s99999", "ghost")


# --- files: loads (YAML and JSON) ------------------------------------------------------

#: A valid document; the rows below break it in one place.
GOOD_YAML = """\
version: "1"
name: Coffee
stages: [order, pay]
steps:
- {id: order, label: Order, lane: customer, stage: order}
- {id: pay, label: Pay, lane: customer, stage: pay}
- {id: till, label: Till, lane: frontstage, stage: pay}
flows:
- {from: order, to: pay}
- {from: pay, to: till, kind: support}
"""
GOOD_DOC: dict[str, Any] = {
    "version": "1",
    "name": "Coffee",
    "stages": ["order", "pay"],
    "steps": [
        {"id": "order", "label": "Order", "lane": "customer", "stage": "order"},
        {"id": "pay", "label": "Pay", "lane": "customer", "stage": "pay"},
    ],
    "flows": [{"from": "order", "to": "pay"}],
}


def yaml_doc(old: str, new: str) -> str:
    assert old in GOOD_YAML, old
    return GOOD_YAML.replace(old, new, 1)


def json_doc(**step_changes: Any) -> str:
    doc = json.loads(json.dumps(GOOD_DOC))
    doc["steps"][1].update(step_changes)
    return json.dumps(doc)


def loads_yaml(source: str | bytes) -> Callable[[], Any]:
    return lambda: loads(source, format="yaml", source="bp.yaml")


def loads_json(source: str | bytes) -> Callable[[], Any]:
    return lambda: loads(source, format="json", source="bp.json")


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


BILLION_LAUGHS = "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 9)}]\n" for i in range(8)
)

Y, J = "loads:yaml", "loads:json"
LANES = "['physical-evidence', 'customer', 'frontstage', 'backstage', 'support']"
# fmt: off
row("yaml-empty", Y, loads_yaml(""), E, "bp.yaml: the file is empty")
row("yaml-only-comments", Y, loads_yaml("# nothing\n"), E, "bp.yaml: the file is empty")
row("yaml-truncated", Y, loads_yaml(GOOD_YAML[:150]), E, "bp.yaml:7:1: not valid YAML")
row("yaml-truncated-mid-key", Y, loads_yaml(GOOD_YAML[:-25]), E, "bp.yaml:")
row("yaml-not-a-mapping", Y, loads_yaml("- a\n- b\n"), E, "bp.yaml:1:1: $: the top level must be a mapping")  # noqa: E501
row("yaml-scalar", Y, loads_yaml("just text"), E, "$: the top level must be a mapping")
row("yaml-utf16", Y, loads_yaml(GOOD_YAML.encode("utf-16")), E, "bp.yaml:1:1: invalid UTF-8")
row("yaml-latin1", Y, loads_yaml(GOOD_YAML.replace("Pay,", "Payé,").encode("latin-1")), E, "bp.yaml:6:23: invalid UTF-8 at byte offset 134 (byte 0xe9)")  # noqa: E501
row("yaml-invalid-utf8", Y, loads_yaml(GOOD_YAML.encode() + b"\xc3\x28\n"), E, "invalid UTF-8")
row("yaml-encoded-surrogate", Y, loads_yaml(b"name: \xed\xa0\x80\n"), E, "bp.yaml:1:7: invalid UTF-8")  # noqa: E501
row("yaml-bom-then-bad-lane", Y, loads_yaml(b"\xef\xbb\xbf" + yaml_doc("lane: frontstage", "lane: front").encode()), E, "bp.yaml:7:33: $.steps[2].lane: 'front' is not one of")  # noqa: E501
row("yaml-nul-byte", Y, loads_yaml(yaml_doc("label: Pay", "label: P\x00ay")), E, "bp.yaml:6:")
row("yaml-escaped-nul", Y, loads_yaml(yaml_doc("label: Pay", 'label: "P\\0ay"')), E, "$.steps[1].label: label 'P\\x00ay' contains the control character")  # noqa: E501
row("yaml-tab-indent", Y, loads_yaml("version: '1'\n\tname: x\n"), E, "bp.yaml:2:1: not valid YAML")
row("yaml-billion-laughs", Y, loads_yaml(BILLION_LAUGHS), E, "bp.yaml:1:4: $.a: YAML anchors and aliases")  # noqa: E501
row("yaml-merge-key", Y, loads_yaml(GOOD_YAML + "x: &m {a: 1}\ny: {<<: *m}\n"), E, "anchors and aliases")  # noqa: E501
row("yaml-python-tag", Y, loads_yaml("!!python/object/apply:os.system ['echo pwned']\n"), E, "is not allowed in blueprint files (tags are never executed)")  # noqa: E501
row("yaml-nested-100k-flow", Y, loads_yaml(nested(100_000)), E, "bp.yaml:1:1001: the data is nested more than 64 levels")  # noqa: E501
row("yaml-nested-100k-block", Y, loads_yaml("- " * 100_000 + "x"), E, "nested more than 64 levels")
row("yaml-duplicate-key", Y, loads_yaml(GOOD_YAML + "name: Tea\n"), E, "bp.yaml:11:1: $.name: duplicate key 'name' (first at line 2)")  # noqa: E501
row("yaml-duplicate-step-id", Y, loads_yaml(yaml_doc("id: till", "id: pay")), E, "$.steps[2].id: duplicate step id 'pay'")  # noqa: E501
row("yaml-number-as-string", Y, loads_yaml(yaml_doc("stage: pay}", "stage: pay, duration: '5'}")), E, "$.steps[1].duration: '5' is not of type 'number'")  # noqa: E501
row("yaml-string-as-number", Y, loads_yaml(yaml_doc("label: Pay", "label: 3")), E, "bp.yaml:6:20: $.steps[1].label: 3 is not of type 'string' (YAML reads the unquoted 3 as a number")  # noqa: E501
row("yaml-version-1.10", Y, loads_yaml(yaml_doc('version: "1"', "version: 1.10")), E, "$.version: the format version must be a quoted string")  # noqa: E501
row("yaml-lane-NO", Y, loads_yaml(yaml_doc("lane: frontstage", "lane: NO")), E, f"$.steps[2].lane: 'NO' is not one of {LANES}")  # noqa: E501
row("yaml-nan", Y, loads_yaml(yaml_doc("stage: pay}", "stage: pay, duration: .nan}")), E, "$.steps[1].duration: nan is not allowed: numbers must be finite")  # noqa: E501
row("yaml-infinity", Y, loads_yaml(yaml_doc("stage: pay}", "stage: pay, rating: -.inf}")), E, "$.steps[1].rating: -inf is not allowed")  # noqa: E501
row("yaml-int-10e400", Y, loads_yaml(yaml_doc("stage: pay}", "stage: pay, cost: 1" + "0" * 400 + "}")), E, "$.steps[1].cost: 100000000000… (401 digits) is not allowed: numbers must be finite")  # noqa: E501
row("yaml-int-5000-digits", Y, loads_yaml(yaml_doc("stage: pay}", "stage: pay, cost: " + "9" * 5000 + "}")), E, "(5000 digits) is not allowed")  # noqa: E501
row("yaml-id-whitespace", Y, loads_yaml(yaml_doc("id: till", "id: 'ti ll'")), E, "$.steps[2].id:")
row("yaml-id-control", Y, loads_yaml(yaml_doc("id: till", 'id: "ti\\x07ll"')), E, "$.steps[2].id: id 'ti\\x07ll' contains the control character")  # noqa: E501
row("yaml-id-bidi-override", Y, loads_yaml(yaml_doc("id: till", "id: ti\u202ell")), E, "$.steps[2].id: id 'ti\\u202ell' contains the invisible character")  # noqa: E501
row("yaml-id-integer", Y, loads_yaml(yaml_doc("id: till", "id: 42")), E, "$.steps[2].id: 42 is not of type 'string'")  # noqa: E501
row("yaml-unknown-key", Y, loads_yaml(yaml_doc("stage: pay}", "stage: pay, colour: red}")), E, "$.steps[1].colour: unknown key 'colour'")  # noqa: E501
row("yaml-unknown-lane", Y, loads_yaml(yaml_doc("lane: frontstage", "lane: front")), E, f"$.steps[2].lane: 'front' is not one of {LANES}")  # noqa: E501
row("yaml-customer-cycle", Y, loads_yaml(GOOD_YAML + "- {from: pay, to: order}\n"), E, "customer actions loop through order, pay with no way out")  # noqa: E501
row("yaml-dangling-flow", Y, loads_yaml(GOOD_YAML + "- {from: pay, to: ghost}\n"), E, "bp.yaml:11:19: $.flows[2].to: unknown step 'ghost' (no step has this id)")  # noqa: E501
row("yaml-self-loop", Y, loads_yaml(GOOD_YAML + "- {from: pay, to: pay}\n"), E, "$.flows[2].to: a flow from a step to itself is not allowed")  # noqa: E501
row("yaml-stage-not-listed", Y, loads_yaml(yaml_doc("stage: pay}", "stage: leave}")), E, "$.steps[1].stage: stage 'leave' is not one of the blueprint's stages")  # noqa: E501
row("yaml-probabilities-above-1", Y, loads_yaml(yaml_doc("- {from: order, to: pay}", "- {from: order, to: pay, probability: 0.7}\n- {from: order, to: till, probability: 0.5}")), E, "branch probabilities out of the step would sum to 1.2")  # noqa: E501
row("yaml-empty-steps-list-item", Y, loads_yaml(yaml_doc("- {id: order", "- \n- {id: order")), E, "$.steps[0]")  # noqa: E501
row("yaml-100mb-text", Y, lambda: loads("x" * (100 * 1024 * 1024), format="yaml", source="bp.yaml"), E, "bp.yaml: the input is 10,485,761 bytes or more, above the limit")  # noqa: E501
row("loads-unknown-format", Y, lambda: loads(GOOD_YAML, format="xml"), E, "unknown format 'xml' (must be one of ['json', 'yaml'])")  # noqa: E501
row("loads-none", Y, lambda: loads(None), T, "a blueprint document is text or bytes, not NoneType")
row("json-truncated", J, loads_json(json.dumps(GOOD_DOC)[:100]), E, "bp.json:1:")
row("json-trailing-garbage", J, loads_json(json.dumps(GOOD_DOC) + "]"), E, "not valid JSON: Extra data")  # noqa: E501
row("json-nan", J, loads_json(json_doc(duration=math.nan)), E, "$.steps[1].duration: NaN is not allowed: numbers must be finite")  # noqa: E501
row("json-infinity", J, loads_json(json_doc(rating=-math.inf)), E, "$.steps[1].rating: -Infinity is not allowed")  # noqa: E501
row("json-1e999", J, loads_json(json_doc(cost=1).replace('"cost": 1', '"cost": 1e999')), E, "$.steps[1].cost: inf is not allowed")  # noqa: E501
row("json-int-10e400", J, loads_json(json_doc(cost=10**400)), E, "$.steps[1].cost: 100000000000… (401 digits) is not allowed")  # noqa: E501
row("json-int-5000-digits", J, loads_json(json_doc(cost=1).replace('"cost": 1', '"cost": 1' + "0" * 5000)), E, "(5001 digits) is not allowed")  # noqa: E501
row("json-number-as-string", J, loads_json(json_doc(rating="2")), E, "$.steps[1].rating: '2' is not of type 'number'")  # noqa: E501
row("json-string-as-number", J, loads_json(json_doc(label=7)), E, "$.steps[1].label: 7 is not of type 'string'")  # noqa: E501
row("json-bool-as-number", J, loads_json(json_doc(duration=True)), E, "$.steps[1].duration: True is not of type 'number'")  # noqa: E501
row("json-duplicate-key", J, loads_json(json.dumps(GOOD_DOC)[:-1] + ', "name": "Tea"}'), E, "$.name: duplicate key 'name'")  # noqa: E501
row("json-nested-100k", J, loads_json(nested(100_000)), E, "bp.json:1:65: the data is nested more than 64 levels")  # noqa: E501
row("json-escaped-nul", J, loads_json(json_doc(label="P\x00ay")), E, "$.steps[1].label: label 'P\\x00ay' contains the control character")  # noqa: E501
row("json-raw-nul", J, loads_json(json_doc(label="Pay").replace('"Pay"', '"P\x00ay"')), E, "not valid JSON: Invalid control character")  # noqa: E501
row("json-lone-surrogate", J, loads_json(json_doc(label="\ud800")), E, "label '\\ud800' contains the control character")  # noqa: E501
row("json-bom-utf8", J, loads_json(b"\xef\xbb\xbf" + json_doc(lane="front").encode()), E, "$.steps[1].lane: 'front' is not one of")  # noqa: E501
row("json-utf16", J, loads_json(json.dumps(GOOD_DOC).encode("utf-16-le")), E, "bp.json:1:2: not valid JSON")  # noqa: E501
row("json-top-list", J, loads_json("[]"), E, "$: the top level must be a mapping")
row("json-steps-null", J, loads_json(json.dumps({**GOOD_DOC, "steps": None})), E, "$.steps: None is not of type 'array'")  # noqa: E501
# fmt: on


# --- files: load ----------------------------------------------------------------------------


def write_input(folder: Path, name: str, data: str | bytes) -> Path:
    path = folder / name
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


@case("load-missing-file", "load", E, "input.yaml: no such file")
def _(folder: Path) -> Any:
    return load(folder / "input.yaml")


@case("load-folder", "load", E, "input.yaml: is a folder, not a blueprint file")
def _(folder: Path) -> Any:
    (folder / "input.yaml").mkdir()
    return load(folder / "input.yaml")


@case("load-unknown-extension", "load", E, "unknown file extension '.txt'")
def _(folder: Path) -> Any:
    return load(write_input(folder, "input.txt", GOOD_YAML))


@case("load-100mb-file", "load", E, "input.yaml: the input is 104,857,601 bytes or more")
def _(folder: Path) -> Any:
    path = folder / "input.yaml"
    with path.open("wb") as handle:
        handle.truncate(100 * 1024 * 1024 + 1)  # sparse: 100 MB without writing them
    return load(path)


@case("load-named-pipe", "load", E, "input.yaml: is not a regular file (a pipe or a device)")
def _(folder: Path) -> Any:
    os.mkfifo(folder / "input.yaml")
    return load(folder / "input.yaml")


@case("load-dev-zero", "load", E, "input.yaml: is not a regular file")
def _(folder: Path) -> Any:
    os.symlink("/dev/zero", folder / "input.yaml")
    return load(folder / "input.yaml")


@case("load-symlink-loop", "load", E, "input.yaml: cannot read the file")
def _(folder: Path) -> Any:
    os.symlink(folder / "input.yaml", folder / "input.yaml")
    return load(folder / "input.yaml")


@case("load-truncated-file-names-it", "load", E, "input.json:1:")
def _(folder: Path) -> Any:
    return load(write_input(folder, "input.json", json.dumps(GOOD_DOC)[:80]))


@case(
    "load-bad-lane-names-file-line-column", "load", E, "input.yaml:7:33: $.steps[2].lane: 'front'"
)
def _(folder: Path) -> Any:
    return load(write_input(folder, "input.yaml", yaml_doc("lane: frontstage", "lane: front")))


@case("load-100k-steps-last-bad", "load", E, "$.steps[99999].lane: 'front' is not one of")
def _(folder: Path) -> Any:
    # Known and reported: correct, but 17-30 s here (jsonschema over 100,000
    # steps, then a second parse to find the error's line and column).
    return load(write_input(folder, "input.json", big_document()))


def big_document() -> str:
    """100,000 steps (about 7.5 MB of JSON), the last in an unknown lane."""
    steps = [
        {"id": f"s{i}", "label": f"Step {i}", "lane": "customer", "stage": "s"}
        for i in range(100_000)
    ]
    steps[-1]["lane"] = "front"
    return json.dumps({"version": "1", "name": "Big", "stages": ["s"], "steps": steps})


# --- observed-journey tables ----------------------------------------------------------------


def events(**columns: Any) -> dict[str, Any]:
    table: dict[str, Any] = {
        "journey": np.array(["j1", "j1", "j2"]),
        "step": np.array(["order", "pay", "order"]),
        "order": np.array([1, 2, 1]),
        "rating": np.array([1.0, -2.0, 3.0]),
    }
    table.update(columns)
    return {k: v for k, v in table.items() if v is not None}


def observed(table: Any) -> Callable[[], Any]:
    return lambda: score_observed(loads(GOOD_YAML), table)


OBS, D = "observed", ObservedDataError
# fmt: off
row("obs-empty-table", OBS, observed(events(**{k: np.array([]) for k in ("journey", "step", "order", "rating")})), D, "the table has no events (no rows)")  # noqa: E501
row("obs-empty-dataframe", OBS, observed(pd.DataFrame({k: [] for k in ("journey", "step", "order", "rating")})), D, "the table has no events")  # noqa: E501
row("obs-missing-column", OBS, observed(events(rating=None)), D, "missing column(s) ['rating']")
row("obs-ragged-columns", OBS, observed(events(rating=np.array([1.0]))), D, "columns have different lengths")  # noqa: E501
row("obs-rating-off-scale", OBS, observed(events(rating=np.array([1.0, 4.0, 0.0]))), D, "row 1: column 'rating': 4.0 is not on the MOT scale -3…+3")  # noqa: E501
row("obs-rating-nan", OBS, observed(events(rating=np.array([np.nan, 1.0, 0.0]))), D, "row 0: column 'rating': NaN is not a rating")  # noqa: E501
row("obs-rating-inf", OBS, observed(events(rating=np.array([1.0, 1.0, -np.inf]))), D, "row 2: column 'rating': -inf is not on the MOT scale")  # noqa: E501
row("obs-rating-text", OBS, observed(events(rating=np.array(["good", "bad", "ok"]))), D, "row 0: column 'rating': 'good' is not a number")  # noqa: E501
row("obs-rating-10e400", OBS, observed(events(rating=np.array([10**400, 1, 2], dtype=object))), D, "row 0: column 'rating': an integer of about 401 digits is not a rating")  # noqa: E501
row("obs-rating-bool-polars", OBS, observed(pl.DataFrame({"journey": ["j1"], "step": ["order"], "order": [1], "rating": [True]})), D, "column 'rating': ratings must be numbers, not dtype bool")  # noqa: E501
row("obs-rating-2d", OBS, observed(events(rating=np.ones((3, 1)))), D, "column 'rating' must be one-dimensional")  # noqa: E501
row("obs-order-text", OBS, observed(events(order=np.array(["a", "b", "c"]))), D, "row 0: column 'order': 'a' is neither a number nor an ISO 8601 time")  # noqa: E501
row("obs-journey-missing", OBS, observed(events(journey=np.array([None, "j1", "j2"], dtype=object))), D, "row 0: column 'journey': the journey id is missing")  # noqa: E501
row("obs-unknown-step", OBS, observed(events(step=np.array(["order", "ghost", "pay"]))), D, "1 step not in blueprint 'Coffee': 'ghost' (1 event, first at row 1)")  # noqa: E501
row("obs-not-a-table", OBS, observed([1, 2, 3]), D, "an observed-events table must be a mapping")
# fmt: on


@case("obs-csv-nul-byte", OBS, D, "input.csv:2: column 'rating': '\\x001' is not a number")
def _(folder: Path) -> Any:
    return read_observed(
        write_input(folder, "input.csv", b"journey,step,order,rating\nj1,order,1,\x001\n")
    )


@case("obs-csv-invalid-utf8", OBS, D, "input.csv: not UTF-8 text")
def _(folder: Path) -> Any:
    return read_observed(
        write_input(folder, "input.csv", b"journey,step,order,rating\nj1,ord\xffer,1,1\n")
    )


@case("obs-csv-short-row", OBS, D, "input.csv:3: 3 cells where the header has 4")
def _(folder: Path) -> Any:
    return read_observed(
        write_input(folder, "input.csv", "journey,step,order,rating\nj1,order,1,1\nj1,pay,2\n")
    )


@case("obs-csv-header-only", OBS, D, "input.csv: no data rows below the header")
def _(folder: Path) -> Any:
    return read_observed(write_input(folder, "input.csv", "journey,step,order,rating\n"))


@case("obs-csv-empty", OBS, D, "input.csv: the file is empty (a header row is needed)")
def _(folder: Path) -> Any:
    return read_observed(write_input(folder, "input.csv", ""))


@case("obs-csv-huge-cell", OBS, D, "input.csv:2: field larger than field limit")
def _(folder: Path) -> Any:
    cell = b'"' + b"x" * 200_000 + b'"'
    return read_observed(
        write_input(folder, "input.csv", b"journey,step,order,rating\nj1,order,1," + cell + b"\n")
    )


@case(
    "obs-ratings-duplicate-step", OBS, D, "input.csv:3: column 'step': step 'order' is rated twice"
)
def _(folder: Path) -> Any:
    return read_ratings(
        write_input(folder, "input.csv", "step,rating\norder,1\norder,2\n"), bp=loads(GOOD_YAML)
    )


# --- the command line ---------------------------------------------------------------------------

#: Output files that commands are pointed at; each must keep its bytes.
OUTPUTS = ("out.svg", "out.csv", "out.json", "out.mmd")


def cli(
    command: str, *args: str, files: dict[str, str | bytes] | None = None
) -> Callable[[Path], list[str]]:
    """A CLI row: write *files* into the folder, then run ``servicebp COMMAND ARGS``."""

    def make(folder: Path) -> list[str]:
        for name, data in (files or {}).items():
            write_input(folder, name, data)
        return [command, *args]

    return make


def cli_row(
    id: str, make: Callable[[Path], list[str]], error: type[BaseException], fragment: str
) -> None:
    CASES.append(Case(id=id, entry="cli", make=make, error=error, fragment=fragment))


def diamonds(n: int) -> str:
    """A blueprint whose customer lane has 2**n journeys (n diamonds in a row)."""
    lines = ['version: "1"', "name: Diamonds", "stages: [s]", "steps:"]
    ids = [f"a{i}" for i in range(n + 1)] + [f"{x}{i}" for i in range(n) for x in "bc"]
    lines += [f"- {{id: {i}, label: {i}, lane: customer, stage: s}}" for i in ids]
    lines.append("flows:")
    for i in range(n):
        for x in "bc":
            lines += [f"- {{from: a{i}, to: {x}{i}}}", f"- {{from: {x}{i}, to: a{i + 1}}}"]
    return "\n".join(lines) + "\n"


DIAMONDS = diamonds(40)
BAD_LANE = yaml_doc("lane: frontstage", "lane: front")
BAD_LANE_MSG = "input.yaml:7:33: $.steps[2].lane: 'front' is not one of"
EVENTS = "journey,step,order,rating,outcome\nj1,order,1,1,1\nj1,pay,2,-1,1\nj2,order,1,2,0\n"
# fmt: off
cli_row("cli-validate-bad-lane", cli("validate", "input.yaml", files={"input.yaml": BAD_LANE}), E, BAD_LANE_MSG)  # noqa: E501
cli_row("cli-validate-json-format", cli("validate", "--format", "json", "input.yaml", files={"input.yaml": BAD_LANE}), E, '"path": "$.steps[2].lane"')  # noqa: E501
cli_row("cli-validate-invalid-utf8", cli("validate", "input.yaml", files={"input.yaml": b"name: \xff\n"}), E, "input.yaml:1:7: invalid UTF-8")  # noqa: E501
cli_row("cli-validate-alias-bomb", cli("validate", "input.yaml", files={"input.yaml": BILLION_LAUGHS}), E, "input.yaml:1:4: $.a: YAML anchors and aliases")  # noqa: E501
cli_row("cli-validate-nested-100k", cli("validate", "input.json", files={"input.json": nested(100_000)}), E, "input.json:1:65: the data is nested more than 64")  # noqa: E501
cli_row("cli-validate-missing-file", cli("validate", "input.yaml"), E, "input.yaml: no such file")
cli_row("cli-journeys-missing-file", cli("journeys", "input.yaml"), E, "input.yaml: no such file")
cli_row("cli-impact-missing-file", cli("impact", "input.yaml"), E, "input.yaml: no such file")
cli_row("cli-lint-missing-file", cli("lint", "input.yaml"), E, "input.yaml: no such file")
cli_row("cli-diff-missing-file", cli("diff", "input.yaml", "input-2.yaml", files={"input.yaml": GOOD_YAML}), E, "input-2.yaml: no such file")  # noqa: E501
cli_row("cli-validate-max-bytes", cli("validate", "--max-bytes", "100", "input.yaml", files={"input.yaml": GOOD_YAML}), E, "above the limit of 100 bytes")  # noqa: E501
cli_row("cli-validate-one-bad-of-two", cli("validate", "input.yaml", "input-2.json", files={"input.yaml": GOOD_YAML, "input-2.json": "{"}), E, "input-2.json:1:2: not valid JSON")  # noqa: E501
cli_row("cli-score-bad-blueprint", cli("score", "input.yaml", "--output", "out.csv", files={"input.yaml": BAD_LANE}), E, BAD_LANE_MSG)  # noqa: E501
cli_row("cli-score-ratings-off-scale", cli("score", "input.yaml", "--ratings", "input.csv", "--output", "out.json", files={"input.yaml": GOOD_YAML, "input.csv": "step,rating\norder,7\n"}), D, "input.csv:2: column 'rating': 7.0 is not on the MOT scale")  # noqa: E501
cli_row("cli-score-ratings-unknown-step", cli("score", "input.yaml", "--ratings", "input.csv", "--output", "out.csv", files={"input.yaml": GOOD_YAML, "input.csv": "step,rating\nghost,1\n"}), D, "input.csv:2: column 'step': unknown step 'ghost'")  # noqa: E501
cli_row("cli-score-ratings-text", cli("score", "input.yaml", "--ratings", "input.csv", files={"input.yaml": GOOD_YAML, "input.csv": "step,rating\norder,great\n"}), D, "input.csv:2: column 'rating': 'great' is not a number")  # noqa: E501
cli_row("cli-score-ratings-empty", cli("score", "input.yaml", "--ratings", "input.csv", files={"input.yaml": GOOD_YAML, "input.csv": ""}), D, "input.csv: the file is empty")  # noqa: E501
cli_row("cli-render-bad-blueprint", cli("render", "input.yaml", "-o", "out.svg", files={"input.yaml": BAD_LANE}), E, BAD_LANE_MSG)  # noqa: E501
cli_row("cli-render-bad-ratings", cli("render", "input.yaml", "-o", "out.svg", "--ratings", "input.csv", files={"input.yaml": GOOD_YAML, "input.csv": "step,rating\norder,-4\n"}), D, "input.csv:2: column 'rating': -4.0 is not on the MOT scale")  # noqa: E501
cli_row("cli-render-mermaid-bad-blueprint", cli("render", "input.yaml", "-o", "out.mmd", files={"input.yaml": "{"}), E, "input.yaml:")  # noqa: E501
cli_row("cli-lint-bad-blueprint", cli("lint", "input.yaml", files={"input.yaml": BAD_LANE}), E, BAD_LANE_MSG)  # noqa: E501
cli_row("cli-journeys-cycle", cli("journeys", "input.yaml", files={"input.yaml": GOOD_YAML + "- {from: pay, to: order}\n"}), E, "customer actions loop through order, pay with no way out")  # noqa: E501
cli_row("cli-impact-python-tag", cli("impact", "input.yaml", files={"input.yaml": "!!python/object/apply:os.system ['echo pwned']\n"}), E, "tags are never executed")  # noqa: E501
cli_row("cli-diff-one-bad", cli("diff", "input.yaml", "input-2.yaml", files={"input.yaml": GOOD_YAML, "input-2.yaml": GOOD_YAML + "name: Tea\n"}), E, "input-2.yaml:11:1: $.name: duplicate key 'name'")  # noqa: E501
cli_row("cli-discover-missing-outcome", cli("discover", "input.yaml", "input.csv", "--outcome", "churn", files={"input.yaml": GOOD_YAML, "input.csv": EVENTS}), D, "churn")  # noqa: E501
cli_row("cli-discover-bad-rating", cli("discover", "input.yaml", "input.csv", "--outcome", "outcome", files={"input.yaml": GOOD_YAML, "input.csv": EVENTS.replace("j1,pay,2,-1", "j1,pay,2,-9")}), D, "input.csv:3: column 'rating': -9.0 is not on the MOT scale")  # noqa: E501
cli_row("cli-conformance-missing-columns", cli("conformance", "input.yaml", "input.csv", files={"input.yaml": GOOD_YAML, "input.csv": EVENTS}), D, "case:concept:name")  # noqa: E501
cli_row("cli-conformance-blank-case-id", cli("conformance", "input.yaml", "input.csv", files={"input.yaml": GOOD_YAML, "input.csv": "case:concept:name,concept:name,time:timestamp\n,order,2024-05-01T09:00\n"}), D, "input.csv:2: column 'case:concept:name': the case id is missing")  # noqa: E501
cli_row("cli-conformance-terminal-escape-time", cli("conformance", "input.yaml", "input.csv", files={"input.yaml": GOOD_YAML, "input.csv": "case:concept:name,concept:name,time:timestamp\n1,\x1b]0;pwned\x07evil,\x1b[2J\n"}), D, "input.csv:2: column 'time:timestamp': '\\x1b[2J' is neither a number nor an ISO 8601 time")  # noqa: E501
cli_row("cli-journeys-2-to-the-40", cli("journeys", "input.yaml", files={"input.yaml": DIAMONDS}), E, "has 1099511627776 customer journeys, more than the limit of 10000")  # noqa: E501
cli_row("cli-score-2-to-the-40", cli("score", "input.yaml", "--output", "out.csv", files={"input.yaml": DIAMONDS}), E, "has 1099511627776 customer journeys, more than the limit of 10000")  # noqa: E501
cli_row("cli-validate-terminal-escape-label", cli("validate", "input.yaml", files={"input.yaml": yaml_doc("label: Pay", 'label: "P\\e[2J\\e]0;pwned\\aay"')}), E, "label 'P\\x1b[2J\\x1b]0;pwned\\x07ay' contains the control character")  # noqa: E501
cli_row("cli-validate-terminal-escape-key", cli("validate", "input.yaml", files={"input.yaml": yaml_doc("stage: pay}", 'stage: pay, "x\\e[2J": 1}')}), E, "unknown key 'x\\x1b[2J'")  # noqa: E501
cli_row("cli-render-missing-output-folder", cli("render", "input.yaml", "-o", "nowhere/out.svg", files={"input.yaml": GOOD_YAML}), OutputError, "cannot write 'nowhere/out.svg': the folder 'nowhere' does not exist")  # noqa: E501
cli_row("cli-render-output-is-a-device", cli("render", "input.yaml", "--format", "dot", "-o", os.devnull, files={"input.yaml": GOOD_YAML}), OutputError, "is not a regular file")  # noqa: E501
row("api-save-missing-folder", "api", lambda: save(loads(GOOD_YAML), "/no-such-folder/bp.yaml"), OutputError, "cannot write '/no-such-folder/bp.yaml': the folder '/no-such-folder' does not exist")  # noqa: E501
# fmt: on


# --- hostile but valid: text that must stay text ---------------------------------------------

#: Labels a user may legitimately write; they load, and render as text only.
HOSTILE_LABELS = {
    "dot-injection": '] ; evil -> x [color=red label="pwned"',
    "dot-keywords": "subgraph digraph node edge strict",
    "dot-escapes": 'C:\\temp\\ a\\"b \\N \\G \\l \\n',
    "html-label": "<<b>bold</b>>",
    "script-tag": "<script>alert(1)</script>",
    "svg-element": '<svg onload="alert(1)"><rect/></svg>',
    "xml-entities": "&amp; &lt; &#x3C; ]]> <![CDATA[x]]>",
    "mermaid-syntax": 'A --> B; click A call alert() %%{init: {"theme": "dark"}}%%',
    "mermaid-journey": "Ask: 5: Me, You\nsection Evil",
    "right-to-left": "\u202edlrow olleh \u05e2\u05d1\u05e8\u05d9\u05ea \u0639\u0631\u0628\u064a",
    "combining": "Z\u0351\u0363\u0364a\u0300\u0301l\u0302g\u0303o",
    "chinese": "开户申请 · 关键时刻",
}


@pytest.mark.parametrize("label", list(HOSTILE_LABELS.values()), ids=list(HOSTILE_LABELS))
def test_hostile_but_valid_labels_load_and_render_as_text(
    label: str, folder: Path, runner: Runner
) -> None:
    source = yaml_doc("label: Pay", f"label: {json.dumps(label)}")
    write_input(folder, "input.yaml", source)
    assert loads(source)["pay"].label == label
    for out in ("input-picture.svg", "input-journey.mmd"):
        result = runner.invoke(["render", "input.yaml", "-o", out, "--engine", "embedded"])
        assert result.exit_code == 0, result.output
    svg = ET.fromstring((folder / "input-picture.svg").read_bytes())
    tags = {element.tag.rsplit("}", 1)[-1] for element in svg.iter()}
    assert not tags & {"script", "rect", "foreignObject", "iframe"}, tags
    assert not [a for e in svg.iter() for a in e.attrib if a.lower().startswith("on")]
    mermaid = (folder / "input-journey.mmd").read_text(encoding="utf-8")
    assert "%%{" not in mermaid
    assert "<script" not in mermaid.lower()


def test_a_utf8_bom_is_accepted() -> None:
    # Decided: Windows editors write a BOM; it is skipped, never an error, and
    # positions in later errors still count from the first real character
    # (see the row yaml-bom-then-bad-lane).
    assert loads(b"\xef\xbb\xbf" + GOOD_YAML.encode(), format="yaml") == loads(GOOD_YAML)
    assert loads("\ufeff" + GOOD_YAML, format="yaml") == loads(GOOD_YAML)
    assert loads(b"\xef\xbb\xbf" + json.dumps(GOOD_DOC).encode(), format="json") == loads(
        json.dumps(GOOD_DOC), format="json"
    )


# --- running the table ----------------------------------------------------------------


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A working folder holding only the sentinel output; checked untouched afterwards."""
    for name in OUTPUTS:
        (tmp_path / name).write_bytes(SENTINEL)
    monkeypatch.chdir(tmp_path)
    before = sorted(p.name for p in tmp_path.iterdir())
    yield tmp_path
    for name in OUTPUTS:
        assert (tmp_path / name).read_bytes() == SENTINEL, f"{name} was changed"
    leftovers = sorted(p.name for p in tmp_path.iterdir() if p.name not in before)
    inputs = [name for name in leftovers if name.startswith("input")]
    assert leftovers == inputs, f"files left behind: {leftovers}"


class CliFailureError(Exception):
    """What a CLI row produced: exit status 1 and this output."""


def _on_alarm(signum: int, frame: object) -> None:
    raise TimeoutError(f"hung for {HANG_GUARD} s")


def _run(case: Case, folder: Path) -> tuple[BaseException, float]:
    previous = signal.signal(signal.SIGALRM, _on_alarm)
    signal.alarm(HANG_GUARD)
    case.setup()
    start = time.perf_counter()
    try:
        if case.entry == "mutation":
            bp = small_blueprint()
            before = bp.copy()
            with pytest.raises(ServiceBlueprintError) as info:
                MUTATIONS[case.id](bp)
            assert bp == before, "a failed mutation changed the blueprint"
            assert bp.problems() == before.problems()
        elif case.entry == "cli":
            args = case.make(folder)
            start = time.perf_counter()
            result = Runner().invoke(args, catch_exceptions=True)
            elapsed = time.perf_counter() - start
            output = result.output + (result.stderr if result.stderr_bytes else "")
            assert result.exit_code == 1, f"exit {result.exit_code}: {output}"
            assert isinstance(result.exception, SystemExit), repr(result.exception)
            assert "Traceback" not in output
            # User text is shown escaped: no raw terminal control sequence gets through.
            assert not any(ord(c) < 32 and c not in "\n\t" for c in output), repr(output)
            return CliFailureError(output), elapsed
        else:
            with pytest.raises(ServiceBlueprintError) as info:
                case.make(folder)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    return info.value, time.perf_counter() - start


#: Rows that give the right error but not yet within the time bound (reported).
#: None at present; load-100k-steps-last-bad was here until loading got linear.
SLOW: set[str] = set()


@pytest.mark.parametrize(
    "case",
    [
        pytest.param(
            c,
            id=c.id,
            marks=pytest.mark.xfail(
                c.id in SLOW,
                reason="right error, but slower than the time bound (reported)",
                raises=AssertionError,
                strict=False,
            ),
        )
        for c in CASES
    ],
)
def test_hostile_input(case: Case, folder: Path) -> None:
    error, elapsed = _run(case, folder)
    if not isinstance(error, CliFailureError):
        assert isinstance(error, case.error), f"{type(error).__name__}: {error}"
    assert case.fragment in str(error)
    assert elapsed < TIME_BOUND, f"took {elapsed:.1f} s"


def test_the_catalogue_is_well_formed() -> None:
    ids = [c.id for c in CASES]
    assert len(ids) == len(set(ids)), "case ids must be unique"
    for c in CASES:
        assert issubclass(c.error, ServiceBlueprintError), c.id
        assert c.fragment, c.id
