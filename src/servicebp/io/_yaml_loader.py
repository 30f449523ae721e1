"""The restricted YAML loader: safe tags only, YAML 1.2 core scalars, one scalar at a time.

PyYAML's safe loader serves as the event source, the resolver of plain
scalars' tags and the constructor of scalars; :mod:`servicebp.io._yaml_reader`
builds the data from the events itself.
"""

from __future__ import annotations

import math
import re
from typing import Any, ClassVar, Final

import yaml

from servicebp.io._parsed import FLOAT_MAX, huge_integer

__all__ = ["SAFE_TAGS", "StrictLoader", "resolves_as_text", "scalar"]

#: The only tags a blueprint file may hold (and ``!``, which only marks text).
SAFE_TAGS: Final = frozenset(
    f"tag:yaml.org,2002:{name}" for name in ("str", "int", "float", "bool", "null", "seq", "map")
)

_Base: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class StrictLoader(_Base):  # type: ignore[valid-type, misc]
    """PyYAML's safe loader, used only as an event source, resolver and scalar constructor.

    It never composes a tree (PyYAML's composer recurses and expands
    aliases); :func:`servicebp.io._yaml_reader.parse_yaml` walks the events itself.

    Plain scalars are resolved only to the types a blueprint holds, as YAML
    1.2's core schema reads them: null (``~``, ``null``, empty), booleans
    (``true`` and ``false`` only: ``NO`` and ``on`` stay text), integers in
    decimal (``010`` is ten, not YAML 1.1's octal eight), ``0o`` octal and
    ``0x`` hexadecimal, and floats. Timestamps (``2024-13-45`` would end in a
    raw ``ValueError``), sexagesimal numbers (``1:30``), the ``=`` value tag,
    ``<<`` merge keys and ``1_000`` stay text.
    """

    yaml_implicit_resolvers: ClassVar[dict[str, list[tuple[str, re.Pattern[str]]]]] = {}


_INT_12 = re.compile(r"[-+]?[0-9]+\Z|0o[0-7]+\Z|0x[0-9a-fA-F]+\Z")
_FLOAT_12 = re.compile(
    r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?\Z"
    r"|[-+]?\.(?:inf|Inf|INF)\Z|\.(?:nan|NaN|NAN)\Z"
)
for _tag, _pattern, _first in (
    ("bool", re.compile(r"(?:true|True|TRUE|false|False|FALSE)\Z"), "tTfF"),
    ("null", re.compile(r"(?:~|null|Null|NULL|)\Z"), ["~", "n", "N", ""]),
    ("int", _INT_12, "-+0123456789"),
    ("float", _FLOAT_12, "-+.0123456789"),
):
    StrictLoader.add_implicit_resolver(f"tag:yaml.org,2002:{_tag}", _pattern, list(_first))


def _construct_int(loader: Any, node: yaml.ScalarNode) -> int:
    text = str(node.value)
    if not _INT_12.match(text):
        raise yaml.constructor.ConstructorError(
            None, None, f"{text!r} is not an integer", node.start_mark
        )
    if text.startswith("0o"):
        return int(text[2:], 8)
    if text.startswith("0x"):
        return int(text[2:], 16)
    return int(text)


def _construct_float(loader: Any, node: yaml.ScalarNode) -> float:
    text = str(node.value)
    if not _FLOAT_12.match(text) and not _INT_12.match(text):
        raise yaml.constructor.ConstructorError(
            None, None, f"{text!r} is not a number", node.start_mark
        )
    lowered = text.lower()
    if lowered.lstrip("+-") == ".inf":
        return -math.inf if text.startswith("-") else math.inf
    if lowered == ".nan":
        return math.nan
    if _INT_12.match(text) and text[:2] in ("0o", "0x"):
        return float(_construct_int(loader, node))
    return float(text)


def _construct_bool(loader: Any, node: yaml.ScalarNode) -> bool:
    text = str(node.value).lower()
    if text not in ("true", "false"):
        raise yaml.constructor.ConstructorError(
            None, None, f"{node.value!r} is not true or false", node.start_mark
        )
    return text == "true"


StrictLoader.add_constructor("tag:yaml.org,2002:int", _construct_int)
StrictLoader.add_constructor("tag:yaml.org,2002:float", _construct_float)
StrictLoader.add_constructor("tag:yaml.org,2002:bool", _construct_bool)


def resolves_as_text(value: str) -> bool:
    """Whether the plain (unquoted) YAML scalar *value* is read back as text.

    Examples
    --------
    >>> resolves_as_text("NO"), resolves_as_text("1e3"), resolves_as_text("2024-01-01")
    (True, False, True)
    """
    candidates = StrictLoader.yaml_implicit_resolvers.get(value[:1], [])
    return not any(pattern.match(value) for _tag, pattern in candidates)


_STR_TAG: Final = "tag:yaml.org,2002:str"
#: How many plain scalars' tags one read remembers.
_RESOLVED_KEPT: Final = 4096


def scalar(loader: Any, event: yaml.ScalarEvent, resolved: dict[str, str] | None = None) -> Any:
    """The value of the scalar *event*; *resolved* caches plain scalars' tags by their text."""
    tag = event.tag
    if tag is None and event.implicit[0] and resolved is not None:
        # An untagged plain scalar's tag depends on its text alone (no path resolvers
        # are registered), and big files repeat the same keys and words.
        tag = resolved.get(event.value)
        if tag is None:
            tag = loader.resolve(yaml.ScalarNode, event.value, event.implicit)
            if len(resolved) < _RESOLVED_KEPT:
                resolved[event.value] = tag
    elif tag is None or tag == "!":
        tag = loader.resolve(yaml.ScalarNode, event.value, event.implicit)
    if tag == _STR_TAG:
        return event.value  # what the constructor would return, without its bookkeeping
    # With the event's marks, a value its tag refuses (!!int 1:30) is reported at its line.
    marks: Any = (event.start_mark, event.end_mark)  # libyaml's marks are duck-typed alike
    node = yaml.ScalarNode(tag, event.value, marks[0], marks[1], event.style or None)
    try:
        value = loader.construct_object(node, deep=True)
    except ValueError:
        # int() refuses more than 4300 digits.
        if tag != "tag:yaml.org,2002:int":
            raise
        return huge_integer(event.value)
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > FLOAT_MAX:
        return huge_integer(event.value)
    return value
