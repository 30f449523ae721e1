"""A fast yes/no pre-check of data against the file format's JSON Schema.

:mod:`jsonschema` gives the messages servicebp reports, but walking a
100,000-step document with it takes seconds. :func:`compile_check` compiles
the schema with :mod:`fastjsonschema` (which turns it into Python code) into
a predicate that answers only "surely valid?". A ``True`` means
:mod:`jsonschema` would find no error; a ``False`` (also for data nested
deeper than the stack allows) only sends the data to :mod:`jsonschema` for
its verdict and its messages.

fastjsonschema implements drafts 4, 6 and 7, and the file format's schema
is written in draft 2020-12 using only keywords the two drafts share. A
keyword that draft 7 lacks would be ignored by the pre-check, which would
then pass data that :mod:`jsonschema` refuses, so :func:`compile_check`
refuses such a keyword, and any reference that is not to a local
definition (fastjsonschema would fetch it over the network).
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator, Mapping
from typing import Any, Final

import fastjsonschema

__all__ = ["Check", "compile_check"]

#: A predicate: True only for data that is surely valid.
Check = Callable[[Any], bool]

#: Keywords of draft 2020-12 (and 2019-09) that draft 7 does not have.
_NOT_IN_DRAFT_7: Final = frozenset(
    {
        "$anchor",
        "$dynamicAnchor",
        "$dynamicRef",
        "$recursiveAnchor",
        "$recursiveRef",
        "$vocabulary",
        "dependentRequired",
        "dependentSchemas",
        "maxContains",
        "minContains",
        "prefixItems",
        "unevaluatedItems",
        "unevaluatedProperties",
    }
)
#: Keywords whose value maps names (of properties or definitions) to schemas.
_SCHEMA_MAPS: Final = frozenset({"properties", "patternProperties", "$defs", "definitions"})


def _keywords(node: Any) -> Iterator[tuple[str, Any]]:
    """Yield every keyword of the schema *node* and its value, nested ones included."""
    if isinstance(node, list):
        for item in node:
            yield from _keywords(item)
    elif isinstance(node, Mapping):
        for name, value in node.items():
            yield name, value
            if name in _SCHEMA_MAPS and isinstance(value, Mapping):
                for schema in value.values():
                    yield from _keywords(schema)
            elif name not in {"enum", "const", "default", "examples"}:
                yield from _keywords(value)


def compile_check(schema: Mapping[str, Any], definitions: Mapping[str, Any]) -> Check:
    """Return a predicate that is True only for data that *schema* surely accepts.

    *definitions* resolve local references (``{"$ref": "#/$defs/name"}``).

    Raises
    ------
    ValueError
        For a keyword that draft 7 lacks, or a reference that is not to one of
        *definitions*.

    Examples
    --------
    >>> check = compile_check({"type": "string", "minLength": 1}, {})
    >>> check("a"), check(""), check(1)
    (True, False, False)
    """
    whole = {**schema, "$defs": dict(definitions)}
    for name, value in _keywords(whole):
        if name in _NOT_IN_DRAFT_7:
            raise ValueError(f"cannot pre-check the keyword {name!r}: draft 7 lacks it")
        if name == "$ref" and not (
            isinstance(value, str)
            and value.startswith("#/$defs/")
            and value.removeprefix("#/$defs/") in definitions
        ):
            raise ValueError(f"cannot pre-check the reference {value!r}: no such definition")
    # Formats are annotations in draft 2020-12 (jsonschema does not assert them by
    # default), and defaults must not be written into the caller's data. The copy:
    # fastjsonschema rewrites the references of the schema it is given in place.
    validate = fastjsonschema.compile(copy.deepcopy(whole), use_default=False, use_formats=False)

    def surely_valid(data: Any) -> bool:
        try:
            validate(data)
        except (fastjsonschema.JsonSchemaException, RecursionError):
            return False
        return True

    return surely_valid
