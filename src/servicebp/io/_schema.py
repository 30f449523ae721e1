"""The file format's JSON Schema: loading it, checking documents against it, its errors as problems.

Documents are checked by a compiled fast check first
(:mod:`servicebp.io._schema_fast`); :mod:`jsonschema` runs only where that
check fails, and its messages are what is reported, with the hints below
(the closest allowed key or value, how YAML read an unquoted value).
"""

from __future__ import annotations

import copy
import datetime
import difflib
import functools
import json
import math
from collections.abc import Iterator
from importlib import resources
from typing import Any, Final

import jsonschema

from servicebp.errors import InvalidArgumentError, Problem
from servicebp.io._parse import Parsed, PathKey, format_path
from servicebp.io._schema_fast import Check, compile_check
from servicebp.io._versions import FORMAT_VERSION, READ_VERSIONS

__all__ = [
    "SCHEMA_RESOURCE",
    "document_validator",
    "kind_of",
    "quote_hint",
    "schema",
    "schema_errors",
    "schema_problems",
]

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
def document_validator() -> jsonschema.Draft202012Validator:
    """The :mod:`jsonschema` validator of a whole document (of the newest version)."""
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


def schema_errors(data: Any) -> Iterator[tuple[PathKey, jsonschema.ValidationError]]:
    """Yield every schema error of *data* (exactly :func:`document_validator`'s), with the path of
    the item it was found in (its own ``absolute_path`` is relative to that item)."""
    outer_ok, items = _prechecks()
    if not outer_ok(data):
        for error in document_validator().iter_errors(data):
            yield (), error
        return
    for name, (item_ok, validator) in items.items():
        for i, item in enumerate(data.get(name, ())):
            if not item_ok(item):
                for error in validator.iter_errors(item):
                    yield (name, i), error


def kind_of(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, datetime.date):
        return "a date"
    return f"a {type(value).__name__}"


def quote_hint(parsed: Parsed, path: PathKey, value: Any) -> str:
    raw = parsed.raw.get(path)
    if raw is None:
        return ""
    return (
        f" (YAML reads the unquoted {raw} as {kind_of(value)}: "
        f"{json.dumps(value, default=str)}; quote the value, e.g. {json.dumps(raw)}, "
        "if you meant text)"
    )


def schema_problems(parsed: Parsed) -> list[tuple[PathKey, Problem]]:
    """Every schema problem with its path, in file order."""
    found: list[tuple[tuple[int, int, str], PathKey, Problem]] = []
    for prefix, error in schema_errors(parsed.data):
        for path, problem in _describe_schema_error(parsed, error, prefix):
            where = parsed.locate(path) or (0, 0)
            found.append(((where[0], where[1], format_path(path)), path, problem))
    found.sort(key=lambda item: item[0])
    return [(path, problem) for _, path, problem in found]


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
        hint = quote_hint(parsed, path, instance)
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
