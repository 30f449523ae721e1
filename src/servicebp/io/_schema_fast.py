"""A fast yes/no pre-check of data against the file format's JSON Schema.

:mod:`jsonschema` gives the messages servicebp reports, but walking a
100,000-step document with it takes seconds. :func:`compile_check` turns
the schema into plain Python predicates that answer only "surely valid?".
They are at least as strict as the schema: a ``True`` means
:mod:`jsonschema` would find no error, while a ``False`` (also for data the
predicates are unsure about, such as a :class:`decimal.Decimal` where a
number is expected) only sends the data to :mod:`jsonschema` for its verdict
and its messages. A keyword the predicates do not know makes
:func:`compile_check` fail, so the schema cannot grow past them unnoticed.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any, Final

__all__ = ["Check", "compile_check"]

#: A predicate: True only for data that is surely valid.
Check = Callable[[Any], bool]

#: Keywords that do not constrain the data.
_ANNOTATIONS: Final = frozenset(
    {"$schema", "$id", "$defs", "$comment", "title", "description", "default", "examples"}
)
_TYPES: Final[dict[str, tuple[type, ...]]] = {
    "null": (type(None),),
    "boolean": (bool,),
    "number": (int, float),
    "string": (str,),
    "array": (list,),
    "object": (dict,),
}


def _always(_: Any) -> bool:
    return True


def _guarded(check: Check) -> Check:
    """Answer "not sure" (False) where the data nests deeper than the stack allows."""

    def guarded(value: Any) -> bool:
        try:
            return check(value)
        except RecursionError:
            return False

    return guarded


def compile_check(schema: Mapping[str, Any], definitions: Mapping[str, Any]) -> Check:
    """Return a predicate that is True only for data that *schema* surely accepts.

    *definitions* resolve local references (``{"$ref": "#/$defs/name"}``).

    Raises
    ------
    ValueError
        For a keyword or a form of one that the predicates do not implement.

    Examples
    --------
    >>> check = compile_check({"type": "string", "minLength": 1}, {})
    >>> check("a"), check(""), check(1)
    (True, False, False)
    """
    compiled: dict[str, Check] = {}

    def reference(name: str) -> Check:
        if name not in definitions:
            raise ValueError(f"cannot pre-check the reference to {name!r}: no such definition")

        def by_name(value: Any) -> bool:
            return compiled[name](value)

        return by_name

    def build(node: Any) -> Check:
        if node is True or node == {}:
            return _always
        if not isinstance(node, Mapping):
            raise ValueError(f"cannot pre-check the schema {node!r}")
        unknown = set(node) - _ANNOTATIONS - set(_KEYWORDS)
        if unknown:
            raise ValueError(f"cannot pre-check the keywords {sorted(unknown)}")
        checks = [_keyword(name, node, build, reference) for name in _KEYWORDS if name in node]
        return _all(checks)

    # A reference is looked up when called, so definitions may refer to themselves.
    for name, node in definitions.items():
        compiled[name] = build(node)
    return _guarded(build(schema))


def _all(checks: list[Check]) -> Check:
    if not checks:
        return _always
    if len(checks) == 1:
        return checks[0]
    if len(checks) == 2:
        first, second = checks
        return lambda value: first(value) and second(value)
    return lambda value: all(check(value) for check in checks)


_Build = Callable[[Any], Check]


def _keyword(
    name: str, node: Mapping[str, Any], build: _Build, ref: Callable[[str], Check]
) -> Check:
    value = node[name]
    if name == "$ref":
        if not isinstance(value, str) or not value.startswith("#/$defs/"):
            raise ValueError(f"cannot pre-check the reference {value!r}")
        return ref(value.removeprefix("#/$defs/"))
    if name == "type":
        return _type_check([value] if isinstance(value, str) else value)
    if name in ("enum", "const"):
        allowed = [value] if name == "const" else value
        if not all(isinstance(item, str) for item in allowed):
            raise ValueError(f"cannot pre-check {name} {value!r} (text values only)")
        texts = frozenset(allowed)
        return lambda data: type(data) is str and data in texts
    if name == "minLength":
        return lambda data: type(data) is not str or len(data) >= value
    if name == "pattern":
        search = re.compile(value).search
        return lambda data: type(data) is not str or search(data) is not None
    if name in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        return _bound(name, value)
    if name == "uniqueItems":
        if value is not True:
            return _always
        # Only lists of text are surely unique by set(); anything else is left to jsonschema.
        return lambda data: (
            type(data) is not list
            or (all(type(item) is str for item in data) and len(set(data)) == len(data))
        )
    if name == "items":
        item = build(value)
        return lambda data: type(data) is not list or all(item(x) for x in data)
    if name == "required":
        needed = frozenset(value)
        return lambda data: type(data) is not dict or needed <= data.keys()
    if name == "properties":
        return _properties(node, build)
    if name == "additionalProperties":
        if "properties" in node:
            return _always  # checked with the properties
        other = build(value) if value is not False else None
        if other is None:
            return lambda data: type(data) is not dict or not data
        return lambda data: type(data) is not dict or all(other(v) for v in data.values())
    raise AssertionError(name)  # pragma: no cover - _KEYWORDS lists the cases above


_KEYWORDS: Final = (
    "$ref",
    "type",
    "const",
    "enum",
    "minLength",
    "pattern",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "uniqueItems",
    "items",
    "required",
    "properties",
    "additionalProperties",
)


def _type_check(names: list[str]) -> Check:
    unknown = [name for name in names if name not in _TYPES]
    if unknown:
        raise ValueError(f"cannot pre-check the types {unknown}")
    kinds = frozenset(kind for name in names for kind in _TYPES[name])
    return lambda data: type(data) in kinds


def _bound(name: str, limit: float) -> Check:
    def number(data: Any) -> bool:
        return type(data) is int or type(data) is float

    if name == "minimum":
        return lambda data: not number(data) or data >= limit
    if name == "maximum":
        return lambda data: not number(data) or data <= limit
    if name == "exclusiveMinimum":
        return lambda data: not number(data) or data > limit
    return lambda data: not number(data) or data < limit


def _properties(node: Mapping[str, Any], build: _Build) -> Check:
    checks = {key: build(sub) for key, sub in node["properties"].items()}
    extra = node.get("additionalProperties", True)
    if extra is False:
        allowed = frozenset(checks)

        def closed(data: Any) -> bool:
            if type(data) is not dict:
                return True
            if not data.keys() <= allowed:
                return False
            for key, value in data.items():  # noqa: SIM110 - a plain loop is faster than all()
                if not checks[key](value):
                    return False
            return True

        return closed
    other = build(extra)

    def open_(data: Any) -> bool:
        if type(data) is not dict:
            return True
        for key, value in data.items():
            check = checks.get(key, other)
            if not check(value):
                return False
        return True

    return open_
