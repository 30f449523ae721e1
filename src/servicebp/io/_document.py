"""Blueprints to and from plain data (the file format's document), with checks.

The second half of the one loading path (:mod:`servicebp.io._parse` has the
first): top-level type and version (an older version migrated, see
:mod:`servicebp.io._versions`) → JSON Schema (draft 2020-12, shipped as
``servicebp/io/schemas/blueprint-2.schema.json``; see :mod:`servicebp.io._schema`)
→ strict structuring into the attrs classes (cattrs) → the blueprint built with
``add_stage``, ``add_step`` and ``add_flow`` → its whole-blueprint problems.
Every problem found is collected into one :class:`BlueprintValidationError`.
"""

from __future__ import annotations

import contextlib
import enum
from collections.abc import Mapping
from typing import Any, Final

import attrs
import cattrs
from cattrs.gen import make_dict_structure_fn, override

from servicebp._jsonready import json_ready
from servicebp._lint_codes import code_problem
from servicebp.errors import (
    BlueprintValidationError,
    DuplicateStepError,
    Problem,
    ServiceBlueprintError,
)
from servicebp.io._parse import Parsed, PathKey, format_path
from servicebp.io._personas import add_personas, persona_references
from servicebp.io._schema import SCHEMA_RESOURCE, kind_of, quote_hint, schema, schema_problems
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


def _check_top(parsed: Parsed) -> list[Problem]:
    data = parsed.data
    if not isinstance(data, dict):
        return [
            parsed.problem(
                f"the top level must be a mapping with the keys version, name, stages, "
                f"steps and flows, not {kind_of(data)}",
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
                f'"{FORMAT_VERSION}", not {kind_of(version)}'
                + (quote_hint(parsed, ("version",), version) or f" ({version!r})")
            )
        return [parsed.problem(message, ("version",))]
    found = [parsed.problem(message, path) for path, message in version_problems(data)]
    found.sort(key=lambda p: (p.line or 0, p.column or 0))
    if not found:
        migrate(data)
    return found


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
    _check_document(parsed)
    data: dict[str, Any] = parsed.data
    bp, problems = _new_blueprint(parsed, data)
    problems.extend(_add_stages(parsed, bp, data["stages"]))
    problems.extend(add_personas(parsed, bp, data.get("personas", ())))
    step_problems, index, broken = _add_steps(parsed, bp, data["steps"])
    problems.extend(step_problems)
    problems.extend(_add_flows(parsed, bp, broken, index))
    if problems:
        raise BlueprintValidationError(problems)
    problems = _located_blueprint_problems(parsed, bp, index)
    if problems:
        raise BlueprintValidationError(problems)
    return bp


def _check_document(parsed: Parsed) -> None:
    """Raise with the problems of the top level, the version and the schema, if any."""
    problems = _check_top(parsed)
    if problems:
        raise BlueprintValidationError(problems)
    _canonical_lanes(parsed.data)
    # One pass: a step or flow the schema refuses is left out of the build, so the
    # references among the others (stages, flow ends) are checked in the same round.
    refused = schema_problems(parsed)
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


def _new_blueprint(parsed: Parsed, data: dict[str, Any]) -> tuple[Blueprint, list[Problem]]:
    """The empty blueprint with the document's name, texts and lint settings, and the
    problems of its lint codes (a blueprint is still made, with the default settings)."""
    lint_data: dict[str, Any] = data.get("lint", {})
    # Each code is checked here, before LintConfig checks them all, so that a
    # bad one is named with its place in the file.
    bad_codes = [
        parsed.problem(wrong, ("lint", section, i))
        for section in ("select", "ignore")
        for i, code in enumerate(lint_data.get(section) or ())
        if (wrong := code_problem(code)) is not None
    ]
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
    return bp, bad_codes


def _add_stages(parsed: Parsed, bp: Blueprint, stages: list[Any]) -> list[Problem]:
    """Add the file's stages to *bp*; return the problems of those that cannot be added."""
    problems: list[Problem] = []
    for i, stage in enumerate(stages):
        try:
            bp.add_stage(stage if isinstance(stage, str) else Stage(**stage))
        except BlueprintValidationError as error:
            problems.extend(parsed.problem(p.message, ("stages", i)) for p in error.problems)
        except (TypeError, ValueError) as error:
            problems.append(parsed.problem(str(error), ("stages", i)))
    return problems


def _add_steps(
    parsed: Parsed, bp: Blueprint, steps: list[Any]
) -> tuple[list[Problem], dict[str, int], set[str]]:
    """Add the file's steps to *bp*; return the problems of those that cannot be added,
    the index in the file of each added step, and the ids of the broken ones."""
    problems: list[Problem] = []
    index: dict[str, int] = {}
    broken: set[str] = set()
    for i, step_data in enumerate(steps):
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
    return problems, index, broken


def _located_blueprint_problems(
    parsed: Parsed, bp: Blueprint, index: dict[str, int]
) -> list[Problem]:
    """The whole-blueprint problems of *bp*, each at its place in the file where known."""
    problems: list[Problem] = []
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
    return problems


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
