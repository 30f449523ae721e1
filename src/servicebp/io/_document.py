"""Blueprints to and from plain data (the file format's document), with checks.

The second half of the one loading path (:mod:`servicebp._parse` has the
first): top-level type and version (an older version migrated, see
:mod:`servicebp.io._versions`) → JSON Schema (draft 2020-12, shipped as
``servicebp/io/schemas/blueprint-2.schema.json``) → strict structuring into the
attrs classes (cattrs) → the blueprint built with ``add_stage``,
``add_step`` and ``add_flow`` → its whole-blueprint problems. Every problem
found is collected into one :class:`BlueprintValidationError`.
"""

from __future__ import annotations

import contextlib
import copy
import datetime
import difflib
import enum
import functools
import json
import math
from collections.abc import Iterator, Mapping
from importlib import resources
from typing import Any, Final

import attrs
import cattrs
import jsonschema
from cattrs.gen import make_dict_structure_fn, override

from servicebp._jsonready import json_ready
from servicebp._lint_codes import code_problem
from servicebp.errors import (
    BlueprintValidationError,
    DuplicateStepError,
    InvalidArgumentError,
    Problem,
    ServiceBlueprintError,
)
from servicebp.io._parse import Parsed, PathKey, format_path
from servicebp.io._personas import add_personas, persona_references
from servicebp.io._schema_fast import Check, compile_check
from servicebp.io._suggest import CloseIds
from servicebp.io._versions import (
    FORMAT_VERSION,
    READ_VERSIONS,
    migrate,
    version_problems,
    written_version,
)
from servicebp.model import Blueprint, Flow, Lane, LintConfig, Stage, Step
from servicebp.model._fields import nfc

__all__ = ["FORMAT_VERSION", "SCHEMA_RESOURCE", "from_parsed", "schema", "to_document"]

#: Where the JSON Schema of the newest version lives inside the package.
SCHEMA_RESOURCE: Final = f"schemas/blueprint-{FORMAT_VERSION}.schema.json"


@functools.cache
def _schema_text(version: str) -> str:
    resource = f"schemas/blueprint-{version}.schema.json"
    return resources.files("servicebp.io").joinpath(resource).read_text(encoding="utf-8")


def schema(version: str = FORMAT_VERSION) -> dict[str, Any]:
    """Return the JSON Schema (draft 2020-12) of a file format version, as a new dict.

    Parameters
    ----------
    version : str
        ``"2"`` (the newest, the default) or ``"1"``, for files written as version 1.

    Examples
    --------
    >>> schema()["$schema"], schema("1")["properties"]["version"]["const"]
    ('https://json-schema.org/draft/2020-12/schema', '1')
    """
    if version not in READ_VERSIONS:
        raise InvalidArgumentError(
            f"unknown format version {version!r} (known: {list(READ_VERSIONS)})"
        )
    loaded: dict[str, Any] = json.loads(_schema_text(version))
    return loaded


def _inline_refs(node: Any, definitions: dict[str, Any]) -> Any:
    """Replace each local ``$ref`` by what it names (except recursive ones).

    The schema is written with ``$defs`` for readability; resolving the
    references once, here, saves about a quarter of the validation time.
    """
    if isinstance(node, list):
        return [_inline_refs(item, definitions) for item in node]
    if not isinstance(node, dict):
        return node
    reference = node.get("$ref")
    if isinstance(reference, str) and reference.startswith("#/$defs/"):
        name = reference.removeprefix("#/$defs/")
        if name != "json":  # the only recursive definition stays a reference
            siblings = {k: v for k, v in node.items() if k != "$ref"}
            return {**_inline_refs(definitions[name], definitions), **siblings}
    return {key: _inline_refs(value, definitions) for key, value in node.items()}


@functools.cache
def _inlined_schema() -> dict[str, Any]:
    full = schema()
    inlined: dict[str, Any] = _inline_refs(
        {k: v for k, v in full.items() if k != "$defs"}, full["$defs"]
    )
    inlined["$defs"] = {"json": full["$defs"]["json"]}
    return inlined


@functools.cache
def _validator() -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(_inlined_schema())


#: The lists whose items are pre-checked one by one (all others, with the top level, at once).
_ITEM_LISTS: Final = ("steps", "flows")


@functools.cache
def _prechecks() -> tuple[Check, dict[str, tuple[Check, jsonschema.Draft202012Validator]]]:
    """Return the fast check of the document without the items of its long lists, and
    the fast check and :mod:`jsonschema` validator of each such list's items.

    A document that passes the first check has no schema error outside those
    items, so only the items that fail their fast check need :mod:`jsonschema`
    (whose messages are reported): one bad step among 100,000 costs one step's
    full validation, not the whole document's.
    """
    inlined = _inlined_schema()
    definitions = inlined["$defs"]
    outer = copy.deepcopy(inlined)
    items: dict[str, tuple[Check, jsonschema.Draft202012Validator]] = {}
    for name in _ITEM_LISTS:
        item_schema = inlined["properties"][name]["items"]
        outer["properties"][name]["items"] = {}
        items[name] = (
            compile_check(item_schema, definitions),
            jsonschema.Draft202012Validator(
                {"$schema": inlined["$schema"], **item_schema, "$defs": definitions}
            ),
        )
    return compile_check(outer, definitions), items


def _schema_errors(data: Any) -> Iterator[tuple[PathKey, jsonschema.ValidationError]]:
    """Yield every schema error of *data* (exactly :func:`_validator`'s), with the path of
    the item it was found in (its own ``absolute_path`` is relative to that item)."""
    outer_ok, items = _prechecks()
    if not outer_ok(data):
        for error in _validator().iter_errors(data):
            yield (), error
        return
    for name, (item_ok, validator) in items.items():
        for i, item in enumerate(data.get(name, ())):
            if not item_ok(item):
                for error in validator.iter_errors(item):
                    yield (name, i), error


# --- strict structuring (cattrs) ----------------------------------------------


def _strict_str(value: object, _: object) -> str:
    if not isinstance(value, str):
        raise TypeError(f"expected text, not {type(value).__name__} ({value!r})")
    return value


def _strict_float(value: object, _: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"expected a number, not {type(value).__name__} ({value!r})")
    return value


def _make_converter() -> cattrs.Converter:
    converter = cattrs.Converter(forbid_extra_keys=True, detailed_validation=True)
    converter.register_structure_hook(str, _strict_str)
    converter.register_structure_hook(float, _strict_float)
    converter.register_structure_hook(
        Flow,
        make_dict_structure_fn(
            Flow,
            converter,
            _cattrs_forbid_extra_keys=True,
            source=override(rename="from"),
            target=override(rename="to"),
        ),
    )
    return converter


_CONVERTER: Final = _make_converter()


# --- plain data out -----------------------------------------------------------


def _plain(value: Any) -> Any:
    """Return *value* as JSON-ready data: attrs instances without their defaults."""
    if attrs.has(type(value)):
        out: dict[str, Any] = {}
        for field in attrs.fields(type(value)):
            item = getattr(value, field.name)
            default = field.default
            if isinstance(default, attrs.Factory):  # type: ignore[arg-type]
                default = default.factory()
            if item == default:
                continue
            out[field.name] = _plain(item)
        return out
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, tuple | list):
        return [_plain(item) for item in value]
    if isinstance(value, Mapping):
        return {key: _plain(item) for key, item in value.items()}
    return value


def to_document(bp: Blueprint) -> dict[str, Any]:
    """Return *bp* as the file format's plain data (keys in a fixed order).

    Examples
    --------
    >>> bp = Blueprint("Coffee", stages=["order"])
    >>> _ = bp.add_step(Step(id="order", label="Order", lane="customer", stage="order"))
    >>> to_document(bp)
    {'version': '1', 'name': 'Coffee', 'stages': ['order'], 'steps': [{'id': 'order', 'label': 'Order', 'lane': 'customer', 'stage': 'order'}], 'flows': []}
    """  # noqa: E501
    document: dict[str, Any] = {"version": written_version(bp), "name": bp.name}
    if bp.description is not None:
        document["description"] = bp.description
    if bp.scenario is not None:
        document["scenario"] = bp.scenario
    document["stages"] = [bp.stage(stage).to_data() for stage in bp.stages]
    if bp.personas:
        document["personas"] = [_plain(persona) for persona in bp.personas]
    steps = []
    refused: list[Problem] = []
    for i, step in enumerate(bp.steps()):
        data = _plain(step)
        if "attributes" in data:
            # Checked again here: the attributes dict may have been changed since the
            # step was made, and a file must load back.
            try:
                data["attributes"] = json_ready(step.attributes, f"$.steps[{i}].attributes")
            except BlueprintValidationError as error:
                refused.extend(
                    attrs.evolve(
                        p,
                        message=f"{p.message} (not written: a file must load back)",
                        step=step.id,
                        field="attributes",
                    )
                    for p in error.problems
                )
        steps.append(data)
    if refused:
        raise BlueprintValidationError(refused)
    document["steps"] = steps
    flows = []
    for flow in bp.flows():
        data = {"from": flow.source, "to": flow.target}
        data.update({k: v for k, v in _plain(flow).items() if k not in ("source", "target")})
        flows.append(data)
    document["flows"] = flows
    lint = _plain(bp.lint)
    if lint:
        document["lint"] = lint
    return document


# --- plain data in ------------------------------------------------------------


def _kind_of(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, datetime.date):
        return "a date"
    return f"a {type(value).__name__}"


def _quote_hint(parsed: Parsed, path: PathKey, value: Any) -> str:
    raw = parsed.raw.get(path)
    if raw is None:
        return ""
    return (
        f" (YAML reads the unquoted {raw} as {_kind_of(value)}: "
        f"{json.dumps(value, default=str)}; quote the value, e.g. {json.dumps(raw)}, "
        "if you meant text)"
    )


def _check_top(parsed: Parsed) -> list[Problem]:
    data = parsed.data
    if not isinstance(data, dict):
        return [
            parsed.problem(
                f"the top level must be a mapping with the keys version, name, stages, "
                f"steps and flows, not {_kind_of(data)}",
                (),
            )
        ]
    version = data.get("version")
    if "version" in data and version not in READ_VERSIONS:
        if isinstance(version, str):
            message = (
                f"unknown format version {version!r}; this servicebp reads versions "
                f"{', '.join(repr(v) for v in READ_VERSIONS)}"
            )
        else:
            message = (
                f"the format version must be a quoted string such as "
                f'"{FORMAT_VERSION}", not {_kind_of(version)}'
                + (_quote_hint(parsed, ("version",), version) or f" ({version!r})")
            )
        return [parsed.problem(message, ("version",))]
    found = [parsed.problem(message, path) for path, message in version_problems(data)]
    found.sort(key=lambda p: (p.line or 0, p.column or 0))
    if not found:
        migrate(data)
    return found


def _schema_problems(parsed: Parsed) -> list[tuple[PathKey, Problem]]:
    """Every schema problem with its path, in file order."""
    found: list[tuple[tuple[int, int, str], PathKey, Problem]] = []
    for prefix, error in _schema_errors(parsed.data):
        for path, problem in _describe_schema_error(parsed, error, prefix):
            where = parsed.locate(path) or (0, 0)
            found.append(((where[0], where[1], format_path(path)), path, problem))
    found.sort(key=lambda item: item[0])
    return [(path, problem) for _, path, problem in found]


def _canonical_lanes(data: dict[str, Any]) -> None:
    """Write the lanes' other names (``onstage``, ``support processes``) as the lanes they mean."""
    steps = data.get("steps")
    if not isinstance(steps, list):
        return
    known = {lane.value for lane in Lane}
    for step in steps:
        lane = step.get("lane") if isinstance(step, dict) else None
        if isinstance(lane, str) and lane not in known:
            # An unknown name is left for the schema to name, with the closest lane.
            with contextlib.suppress(ValueError):
                step["lane"] = Lane(lane).value


def _describe_schema_error(
    parsed: Parsed, error: jsonschema.ValidationError, prefix: PathKey = ()
) -> list[tuple[PathKey, Problem]]:
    path: PathKey = (*prefix, *error.absolute_path)
    instance = error.instance
    if error.validator == "additionalProperties" and isinstance(instance, dict):
        rule: Any = error.schema
        allowed = sorted(rule.get("properties", {}))
        out = []
        for key in instance:
            if key in allowed:
                continue
            close = difflib.get_close_matches(str(key), allowed, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            key_path = (*path, key)
            out.append(
                (
                    key_path,
                    parsed.problem(
                        f"unknown key {key!r}{hint} (allowed keys: {', '.join(allowed)})",
                        key_path,
                        key=True,
                    ),
                )
            )
        return out
    if error.validator == "required":
        missing = error.message.removesuffix(" is a required property")
        return [(path, parsed.problem(f"missing required key {missing}", path))]
    message = error.message
    if error.validator == "enum":
        allowed_values: list[Any] = list(error.validator_value)  # type: ignore[arg-type]
        close = difflib.get_close_matches(str(instance), [str(v) for v in allowed_values], n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        message = f"{instance!r} is not one of {error.validator_value!r}{hint}"
    wanted: Any = error.validator_value
    wants_text = (error.validator == "type" and "string" in wanted) or (
        error.validator in ("enum", "const")
        and any(isinstance(v, str) for v in (wanted if isinstance(wanted, list) else [wanted]))
    )
    if wants_text:
        hint = _quote_hint(parsed, path, instance)
    elif error.validator == "type" and isinstance(instance, str):
        hint = _text_number_hint(instance)
    else:
        hint = ""
    return [(path, parsed.problem(message + hint, path))]


def _text_number_hint(text: str) -> str:
    """Why a number was read as text: it was quoted."""
    try:
        number = float(text)
    except ValueError:
        return ""
    if not math.isfinite(number):
        return ""
    shown = int(number) if number.is_integer() and abs(number) < 1e15 else number
    return f" (it is text: a quoted number is text; write the number unquoted, e.g. {shown!r})"


def _field_of(message: str, data: Mapping[str, Any]) -> str | None:
    first = message.split(" ", 1)[0]
    return first if first in data else None


def _structure_problems(
    parsed: Parsed, error: Exception, path: PathKey, data: Mapping[str, Any]
) -> list[Problem]:
    if isinstance(error, cattrs.ClassValidationError):
        own = [e for e in error.exceptions if isinstance(e, ServiceBlueprintError)]
        if own:
            # The model's own check (raised in the constructor): keep its message,
            # which cattrs would reduce to "invalid value".
            return [_structure_problems(parsed, e, path, data)[0] for e in own]
        nested = _nested_model_problems(parsed, error, path, data)
        if nested:
            return nested
        out = []
        for line in cattrs.transform_error(error, path=format_path(path)):
            message, _, where = line.rpartition(" @ ")
            out.append(Problem(message=message or line, path=where or format_path(path)))
        located = []
        for problem in out:
            position = parsed.locate(path)
            located.append(
                attrs.evolve(
                    problem,
                    file=parsed.file,
                    line=None if position is None else position[0],
                    column=None if position is None else position[1],
                )
            )
        return located
    field = _field_of(str(error), data)
    at = path if field is None else (*path, field)
    return [parsed.problem(str(error), at)]


def _nested_model_problems(
    parsed: Parsed, error: cattrs.ClassValidationError, path: PathKey, data: Mapping[str, Any]
) -> list[Problem]:
    """The model's own checks in a nested value (a step's moment), at that value's path."""
    found: list[Problem] = []
    for inner, note in error.group_exceptions()[0]:
        value = data.get(note.name) if isinstance(data, Mapping) else None
        if isinstance(inner, cattrs.ClassValidationError) and isinstance(value, Mapping):
            found += _structure_problems(parsed, inner, (*path, note.name), value)
    return [p for p in found if p.message != "invalid value"]


def from_parsed(parsed: Parsed) -> Blueprint:
    """Check parsed data and build the blueprint it describes.

    Raises
    ------
    BlueprintValidationError
        Listing every problem found.

    Examples
    --------
    >>> from servicebp.io._parse import parse
    >>> text = '''
    ... version: "1"
    ... name: Coffee
    ... stages: [order]
    ... steps:
    ... - {id: order, label: Order, lane: front, stage: order}
    ... '''
    >>> from_parsed(parse(text, format="yaml", file="coffee.yaml"))
    Traceback (most recent call last):
    ...
    servicebp.errors.BlueprintValidationError: coffee.yaml:6:35: $.steps[0].lane: 'front' is not one of [...]; did you mean 'frontstage'?
    """  # noqa: E501
    return _build(parsed)


def _build(parsed: Parsed) -> Blueprint:
    problems = _check_top(parsed)
    if problems:
        raise BlueprintValidationError(problems)
    _canonical_lanes(parsed.data)
    # One pass: a step or flow the schema refuses is left out of the build, so the
    # references among the others (stages, flow ends) are checked in the same round.
    refused = _schema_problems(parsed)
    skipped = {
        path[:2]
        for path, _ in refused
        if len(path) >= 2 and path[0] in ("steps", "flows") and isinstance(path[1], int)
    }
    problems = [problem for _, problem in refused]
    if any(path[:2] not in skipped for path, _ in refused):
        raise BlueprintValidationError(problems)
    if problems:
        problems.extend(_reference_problems(parsed, skipped))
        raise BlueprintValidationError(problems)
    data: dict[str, Any] = parsed.data

    lint_data: dict[str, Any] = data.get("lint", {})
    # Each code is checked here, before LintConfig checks them all, so that a
    # bad one is named with its place in the file.
    bad_codes = [
        parsed.problem(wrong, ("lint", section, i))
        for section in ("select", "ignore")
        for i, code in enumerate(lint_data.get(section) or ())
        if (wrong := code_problem(code)) is not None
    ]
    problems.extend(bad_codes)
    try:
        bp = Blueprint(
            data["name"],
            description=data.get("description"),
            scenario=data.get("scenario"),
            lint=LintConfig()
            if bad_codes
            else LintConfig(select=lint_data.get("select"), ignore=lint_data.get("ignore", ())),
        )
    except (TypeError, ValueError) as error:
        field = _field_of(str(error), data) or "name"
        raise BlueprintValidationError([parsed.problem(str(error), (field,))]) from None

    for i, stage in enumerate(data["stages"]):
        try:
            bp.add_stage(stage if isinstance(stage, str) else Stage(**stage))
        except BlueprintValidationError as error:
            problems.extend(parsed.problem(p.message, ("stages", i)) for p in error.problems)
        except (TypeError, ValueError) as error:
            problems.append(parsed.problem(str(error), ("stages", i)))
    problems.extend(add_personas(parsed, bp, data.get("personas", ())))

    index: dict[str, int] = {}
    broken: set[str] = set()
    for i, step_data in enumerate(data["steps"]):
        path: PathKey = ("steps", i)
        try:
            step = _CONVERTER.structure(step_data, Step)
        except (cattrs.BaseValidationError, TypeError, ValueError) as error:
            problems.extend(_structure_problems(parsed, error, path, step_data))
            broken.add(step_data["id"])
            continue
        try:
            bp.add_step(step)
        except DuplicateStepError:
            first = parsed.locate(("steps", index[step.id]))
            where = f" (first at line {first[0]})" if first else ""
            problems.append(
                parsed.problem(
                    f"duplicate step id {step.id!r}{where}; step ids must be unique",
                    (*path, "id"),
                )
            )
        except BlueprintValidationError as error:
            broken.add(step.id)
            problems.extend(
                parsed.problem(p.message, (*path, p.field) if p.field else path)
                for p in error.problems
            )
        else:
            index[step.id] = i

    problems.extend(_add_flows(parsed, bp, broken, index))
    if problems:
        raise BlueprintValidationError(problems)
    for problem in bp.problems():
        if problem.path is not None:
            located = parsed.problem(problem.message, _path_key(problem.path))
            problems.append(located)
        elif problem.step is not None and problem.step in index:
            position = parsed.locate(("steps", index[problem.step]))
            problems.append(
                attrs.evolve(
                    problem,
                    file=parsed.file,
                    line=None if position is None else position[0],
                    column=None if position is None else position[1],
                )
            )
        else:
            problems.append(attrs.evolve(problem, file=parsed.file))
    if problems:
        raise BlueprintValidationError(problems)
    return bp


def _add_flows(
    parsed: Parsed, bp: Blueprint, broken: set[str], index: dict[str, int]
) -> list[Problem]:
    """Add the file's flows to *bp*; return the problems of those that cannot be added."""
    problems: list[Problem] = []
    close = CloseIds(index)
    for i, flow_data in enumerate(parsed.data.get("flows", [])):
        path: PathKey = ("flows", i)
        if flow_data["from"] in broken or flow_data["to"] in broken:
            continue
        try:
            flow = _CONVERTER.structure(flow_data, Flow)
        except (cattrs.BaseValidationError, TypeError, ValueError) as error:
            problems.extend(_structure_problems(parsed, error, path, flow_data))
            continue
        # Checked here rather than left to add_flow, whose error lists the known ids.
        ends = (("from", flow.source), ("to", flow.target))
        missing = next(((end, sid) for end, sid in ends if sid not in index), None)
        if missing is not None:
            end, step_id = missing
            problems.append(
                parsed.problem(
                    f"unknown step {step_id!r}{close.hint(step_id)} (no step has this id)",
                    (*path, end),
                )
            )
            continue
        try:
            bp.add_flow(flow)
        except BlueprintValidationError as error:
            for p in error.problems:
                key = {"target": "to", "source": "from"}.get(p.field or "", p.field)
                problems.append(parsed.problem(p.message, (*path, key) if key else path))
    return problems


def _reference_problems(parsed: Parsed, skipped: set[PathKey]) -> list[Problem]:
    """The stage and flow-end references among the items the schema accepted.

    A cheap pass over the plain data (no steps are built), so that a file with
    schema problems has its broken references named in the same round.
    """
    data: dict[str, Any] = parsed.data
    stages = Blueprint("references")
    for stage in data["stages"]:
        with contextlib.suppress(ServiceBlueprintError, TypeError, ValueError):
            stages.add_stage(stage if isinstance(stage, str) else Stage(**stage))
    found: list[Problem] = []
    declared = [
        str(nfc(p["id"]))
        for p in data.get("personas", ())
        if isinstance(p, dict) and isinstance(p.get("id"), str)
    ]
    ids: list[str] = []
    blurred = False  # a refused step whose id is not text: its flows cannot be told apart
    for i, step in enumerate(data["steps"]):
        step_id = step.get("id") if isinstance(step, dict) else None
        if not isinstance(step_id, str):
            blurred = True
            continue
        # Compared as the model stores them (NFC), so NFD "café" names the step "café".
        ids.append(str(nfc(step_id)))
        stage = nfc(step.get("stage"))
        checked = ("steps", i) not in skipped
        if checked and isinstance(stage, str) and not stages._names_stage(stage):
            found.append(parsed.problem(stages._unknown_stage(stage), ("steps", i, "stage")))
        if checked:
            found.extend(persona_references(parsed, declared, step, i))
    known = set(ids)
    close = CloseIds(ids)
    for i, flow in enumerate(data.get("flows", [])):
        if ("flows", i) in skipped or blurred:
            continue
        for end in ("from", "to"):
            if nfc(flow[end]) not in known:
                hint = close.hint(flow[end])
                found.append(
                    parsed.problem(
                        f"unknown step {flow[end]!r}{hint} (no step has this id)", ("flows", i, end)
                    )
                )
    return found


def _path_key(path: str) -> PathKey:
    """Parse the simple JSON paths the model writes (``$.stages[1]``)."""
    out: list[str | int] = []
    for part in path.removeprefix("$").replace("[", ".[").split("."):
        if not part:
            continue
        if part.startswith("[") and part.endswith("]") and part[1:-1].isdigit():
            out.append(int(part[1:-1]))
        else:
            out.append(part)
    return tuple(out)
