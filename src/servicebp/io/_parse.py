"""Reading blueprint files safely: bytes → text → plain data with positions.

The first half of the one loading path (:mod:`servicebp.io` has the whole):

1. the size cap, checked before anything is parsed;
2. strict UTF-8 decoding (a bad byte is reported with its offset and line);
3. YAML through PyYAML's safe loader, driven event by event so that
   anchors and aliases (alias bombs), unknown tags (``!!python/object`` is
   refused, never constructed), duplicate mapping keys and non-text keys
   are errors, and nesting depth is counted without recursion; or JSON
   through :mod:`json` with duplicate keys and NaN/Infinity refused.

Every value's position is kept by its path, so later checks can say
``FILE:LINE:COL: $.steps[1].lane: ...``.
"""

from __future__ import annotations

import bisect
import itertools
import json
import json.scanner
import math
import os
import re
import stat
import sys
from collections.abc import Callable, Iterator
from typing import Any, ClassVar, Final

import yaml

from servicebp.errors import (
    ArgumentTypeError,
    BlueprintTypeError,
    BlueprintValidationError,
    InvalidArgumentError,
    Problem,
)

__all__ = [
    "MAX_BYTES",
    "MAX_DEPTH",
    "NonFinite",
    "Parsed",
    "PathKey",
    "check_max_bytes",
    "format_path",
    "parse",
    "read_bytes",
    "resolves_as_text",
]

#: Largest file (in bytes) read by default; larger ones are refused unread.
MAX_BYTES: Final = 10 * 1024 * 1024
#: Deepest nesting of mappings and lists accepted in a file.
MAX_DEPTH: Final = 64

PathKey = tuple[str | int, ...]
Position = tuple[int, int]

_SAFE_TAGS: Final = frozenset(
    f"tag:yaml.org,2002:{name}" for name in ("str", "int", "float", "bool", "null", "seq", "map")
)
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*\Z")

_Base: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _StrictLoader(_Base):  # type: ignore[valid-type, misc]
    """PyYAML's safe loader, used only as an event source, resolver and scalar constructor.

    It never composes a tree (PyYAML's composer recurses and expands
    aliases); :func:`_parse_yaml` walks the events itself.

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
    _StrictLoader.add_implicit_resolver(f"tag:yaml.org,2002:{_tag}", _pattern, list(_first))


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


_StrictLoader.add_constructor("tag:yaml.org,2002:int", _construct_int)
_StrictLoader.add_constructor("tag:yaml.org,2002:float", _construct_float)
_StrictLoader.add_constructor("tag:yaml.org,2002:bool", _construct_bool)


def resolves_as_text(value: str) -> bool:
    """Whether the plain (unquoted) YAML scalar *value* is read back as text.

    Examples
    --------
    >>> resolves_as_text("NO"), resolves_as_text("1e3"), resolves_as_text("2024-01-01")
    (True, False, True)
    """
    candidates = _StrictLoader.yaml_implicit_resolvers.get(value[:1], [])
    return not any(pattern.match(value) for _tag, pattern in candidates)


def format_path(path: PathKey) -> str:
    """Return *path* as a JSON path: ``$.steps[1].lane``.

    Examples
    --------
    >>> format_path(("steps", 1, "lane"))
    '$.steps[1].lane'
    >>> format_path(("steps", 0, "attributes", "zh name"))
    '$.steps[0].attributes["zh name"]'
    """
    parts = ["$"]
    for key in path:
        if isinstance(key, int):
            parts.append(f"[{key}]")
        elif _IDENTIFIER.match(key):
            parts.append(f".{key}")
        else:
            parts.append(f"[{json.dumps(key, ensure_ascii=False)}]")
    return "".join(parts)


class NonFinite:
    """Stands for a JSON ``NaN``, ``Infinity`` or an integer beyond float range, until reported."""

    def __init__(self, text: str) -> None:
        self.text = text

    def __repr__(self) -> str:
        return self.text


class Parsed:
    """Plain data read from a file, with where each value was.

    Parameters
    ----------
    data : object
        The JSON-like data.
    file : str, optional
        The file it came from.
    text : str, optional
        The source text, to find positions in lazily (JSON).
    positions, key_positions : dict, optional
        1-based (line, column) of each value, and of each mapping key.
    raw : dict, optional
        The source text of unquoted YAML scalars that were read as something
        other than text (``NO`` → false, ``1.10`` → 1.1).
    all_finite : bool
        True when the reader saw no value that could be a NaN, an infinity or
        a number beyond float range, so the data need not be searched for one.
    """

    def __init__(
        self,
        data: Any,
        *,
        file: str | None = None,
        text: str | None = None,
        positions: dict[PathKey, Position] | None = None,
        key_positions: dict[PathKey, Position] | None = None,
        raw: dict[PathKey, str] | None = None,
        all_finite: bool = False,
    ) -> None:
        self.data = data
        self.all_finite = all_finite
        self.file = file
        self._text = text
        self._positions = positions
        self._key_positions = key_positions or {}
        self.raw = raw or {}

        self._json: _JsonPositions | None = None

    def locate(self, path: PathKey, *, key: bool = False) -> Position | None:
        """Return the (line, column) of *path*, or of its nearest located parent.

        With *key*, the position of the mapping key itself, where known.
        """
        if self._positions is None:
            if self._text is None:
                return None
            # JSON: positions are only needed on the error path, and only a few of them.
            if self._json is None:
                self._json = _JsonPositions(self._text)
            return self._json.locate(path, key=key)
        positions = self._positions
        if key and path in self._key_positions:
            return self._key_positions[path]
        for end in range(len(path), -1, -1):
            found = positions.get(path[:end])
            if found is not None:
                return found
        return None

    def problem(self, message: str, path: PathKey | None = None, *, key: bool = False) -> Problem:
        """Return a :class:`Problem` at *path* of this file.

        Under ``$.steps[i]`` the problem also names the step's id and the
        field at fault, so that callers can group problems by step.
        """
        where = None if path is None else self.locate(path, key=key)
        step = field = None
        if path and len(path) >= 2 and path[0] == "steps" and isinstance(path[1], int):
            try:
                found = self.data["steps"][path[1]]["id"]
            except (KeyError, IndexError, TypeError):
                found = None
            step = found if isinstance(found, str) else None
            field = next((part for part in path[2:3] if isinstance(part, str)), None)
        return Problem(
            message=message,
            path=None if path is None else format_path(path),
            file=self.file,
            line=None if where is None else where[0],
            column=None if where is None else where[1],
            step=step,
            field=field,
        )


# --- bytes and text -----------------------------------------------------------


def _too_big(size: int, max_bytes: int, file: str | None) -> BlueprintValidationError:
    return BlueprintValidationError(
        [
            Problem(
                message=f"the input is {size:,} bytes or more, above the limit of "
                f"{max_bytes:,} bytes; raise the limit to read it (max_bytes= in Python, "
                "--max-bytes for servicebp validate)",
                file=file,
            )
        ]
    )


def read_bytes(path: str | os.PathLike[str], *, max_bytes: int = MAX_BYTES) -> bytes:
    """Return the bytes of *path*, refusing a file larger than *max_bytes* unread.

    Raises
    ------
    BlueprintValidationError
        If the file does not exist, cannot be read, or is too large.

    Examples
    --------
    >>> read_bytes("no/such/file.yaml")
    Traceback (most recent call last):
    ...
    servicebp.errors.BlueprintValidationError: no/such/file.yaml: no such file
    """
    check_max_bytes(max_bytes)
    file = os.fspath(path)
    try:
        # Opening a named pipe would block until someone writes to it: refuse
        # anything that is not a regular file (or a folder, reported below).
        mode = os.stat(file).st_mode
        if not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):
            raise BlueprintValidationError(
                [
                    Problem(
                        message="is not a regular file (a pipe or a device); "
                        "save the blueprint to a file first",
                        file=file,
                    )
                ]
            )
        with open(file, "rb") as handle:
            info = os.fstat(handle.fileno())
            if stat.S_ISREG(info.st_mode) and info.st_size > max_bytes:
                raise _too_big(info.st_size, max_bytes, file)
            # Read at most one byte past the cap: a growing file cannot exhaust memory.
            chunks: list[bytes] = []
            left = max_bytes + 1
            while left > 0 and (chunk := handle.read(min(left, 1 << 24))):
                chunks.append(chunk)
                left -= len(chunk)
            data = b"".join(chunks)
    except FileNotFoundError:
        raise BlueprintValidationError([Problem(message="no such file", file=file)]) from None
    except IsADirectoryError:
        raise BlueprintValidationError(
            [Problem(message="is a folder, not a blueprint file", file=file)]
        ) from None
    except OSError as error:
        raise BlueprintValidationError(
            [Problem(message=f"cannot read the file: {error.strerror or error}", file=file)]
        ) from None
    if len(data) > max_bytes:
        raise _too_big(len(data), max_bytes, file)
    return data


def _decode(data: bytes, file: str | None) -> str:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        offset = error.start
        line = data.count(b"\n", 0, offset) + 1
        column = offset - (data.rfind(b"\n", 0, offset) + 1) + 1
        raise BlueprintValidationError(
            [
                Problem(
                    message=f"invalid UTF-8 at byte offset {offset} "
                    f"(byte 0x{data[offset]:02x}); save the file as UTF-8",
                    file=file,
                    line=line,
                    column=column,
                )
            ]
        ) from None
    return text.removeprefix("\ufeff")


def _refuse_surrogates(text: str, file: str | None) -> None:
    """Refuse a lone surrogate (no UTF-8 file can hold one) with its position."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as error:
        line, column = _position_of_index(text, error.start)
        raise BlueprintValidationError(
            [
                Problem(
                    message=f"the text holds a lone surrogate (U+{ord(text[error.start]):04X}), "
                    "which is not a character and cannot be saved as UTF-8; remove it",
                    file=file,
                    line=line,
                    column=column,
                )
            ]
        ) from None


def check_max_bytes(max_bytes: object) -> int:
    """Return *max_bytes* if it is a whole number of at least 0, else raise.

    Examples
    --------
    >>> check_max_bytes("10")
    Traceback (most recent call last):
    ...
    servicebp.errors.ArgumentTypeError: max_bytes must be a whole number of bytes, not str ('10')
    """
    if isinstance(max_bytes, bool) or not isinstance(max_bytes, int):
        raise ArgumentTypeError(
            f"max_bytes must be a whole number of bytes, not {type(max_bytes).__name__} "
            f"({max_bytes!r})"
        )
    if max_bytes < 0:
        raise InvalidArgumentError(f"max_bytes must be at least 0, got {max_bytes}")
    return max_bytes


def _position_of_index(text: str, index: int) -> Position:
    index = max(0, min(index, len(text)))
    line = text.count("\n", 0, index) + 1
    return line, index - (text.rfind("\n", 0, index) + 1) + 1


# --- JSON positions -----------------------------------------------------------

_JSON_SPACE = re.compile(r"[ \t\n\r]*")
#: Line breaks as YAML counts them (and as the positions of YAML files are given).
_LINE_BREAKS = re.compile(r"\r\n|[\n\r\x85\u2028\u2029]")


def _skip_number(text: str) -> None:
    return None


# Only skips values (their ends are what counts): numbers are not converted.
_json_scan: Callable[[str, int], tuple[Any, int]] = json.scanner.make_scanner(
    json.JSONDecoder(  # type: ignore[arg-type]
        parse_int=_skip_number, parse_float=_skip_number, parse_constant=_skip_number
    )
)


def _scan_value(text: str, at: int) -> tuple[Any, int]:
    try:
        return _json_scan(text, at)
    except StopIteration:  # no value there; a generator may not let StopIteration out
        raise ValueError(at) from None


class _JsonPositions:
    """Positions in JSON text, found on demand.

    A container on a looked-up path is scanned (by the C scanner of :mod:`json`)
    only as far as the child looked for, and never twice, so locating many
    problems stays linear, and a problem early in a big file is found without
    reading past it. Lines are counted as YAML counts them, so JSON and YAML
    files give the same kind of position.
    """

    def __init__(self, text: str) -> None:
        self._text = text
        self._root = _JSON_SPACE.match(text).end()  # type: ignore[union-attr]
        # Per container: child key or index -> (value offset, key offset or -1).
        self._children: dict[int, dict[str | int, tuple[int, int]]] = {}
        self._pending: dict[int, Iterator[tuple[str | int, tuple[int, int]]]] = {}
        self._breaks: list[int] | None = None

    def locate(self, path: PathKey, *, key: bool = False) -> Position | None:
        offset, key_offset = self._root, -1
        for depth, part in enumerate(path):
            found = self._child(offset, part)
            if found is None:
                return self._position(offset)
            offset, key_offset = found
            if key and depth == len(path) - 1 and key_offset >= 0:
                return self._position(key_offset)
        return self._position(offset)

    def _child(self, start: int, part: str | int) -> tuple[int, int] | None:
        children = self._children.get(start)
        if children is None:
            children = self._children[start] = {}
            self._pending[start] = self._scan(start)
        found = children.get(part)
        pending = self._pending.get(start)
        if found is not None or pending is None:
            return found
        try:
            for name, entry in pending:
                children.setdefault(name, entry)
                found = children.get(part)
                if found is not None:
                    return found
        except (IndexError, ValueError):  # not the JSON that was parsed
            pass
        del self._pending[start]
        return None

    def _scan(self, start: int) -> Iterator[tuple[str | int, tuple[int, int]]]:
        text, space = self._text, _JSON_SPACE.match
        opening = text[start : start + 1]
        if opening not in ("{", "["):
            return
        closing = "}" if opening == "{" else "]"
        at = space(text, start + 1).end()  # type: ignore[union-attr]
        index = 0
        while text[at] != closing:
            key_at = -1
            name: str | int = index
            if opening == "{":
                key_at = at
                name, at = _scan_value(text, at)
                at = space(text, at).end()  # type: ignore[union-attr]
                if text[at] != ":":
                    raise ValueError(at)
                at = space(text, at + 1).end()  # type: ignore[union-attr]
            yield name, (at, key_at)
            at = _scan_value(text, at)[1]
            at = space(text, at).end()  # type: ignore[union-attr]
            if text[at] == ",":
                at = space(text, at + 1).end()  # type: ignore[union-attr]
            index += 1

    def _position(self, offset: int) -> Position:
        if self._breaks is None:
            self._breaks = [found.end() for found in _LINE_BREAKS.finditer(self._text)]
        line = bisect.bisect_right(self._breaks, offset)
        return line + 1, offset - (self._breaks[line - 1] if line else 0) + 1


# --- YAML ---------------------------------------------------------------------


class _Frame:
    __slots__ = ("container", "key", "path", "skip")

    def __init__(self, container: dict[Any, Any] | list[Any], path: PathKey, skip: bool) -> None:
        self.container = container
        self.path = path
        self.key: Any = _NO_KEY
        self.skip = skip


_NO_KEY: Final = object()


def _mark(event: Any) -> Position:
    return event.start_mark.line + 1, event.start_mark.column + 1


def _fatal(message: str, file: str | None, where: Position | None, path: PathKey | None) -> Problem:
    return Problem(
        message=message,
        path=None if path is None else format_path(path),
        file=file,
        line=None if where is None else where[0],
        column=None if where is None else where[1],
    )


def _describe(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int | float):
        return f"the number {value!r}"
    return f"a {type(value).__name__} ({value})"


_NODE_EVENTS: Final = frozenset({yaml.ScalarEvent, yaml.MappingStartEvent, yaml.SequenceStartEvent})


def _parse_yaml(text: str, *, file: str | None, max_depth: int) -> Parsed:
    loader = _StrictLoader(text)
    positions: dict[PathKey, Position] = {}
    key_positions: dict[PathKey, Position] = {}
    raw: dict[PathKey, str] = {}
    problems: list[Problem] = []
    stack: list[_Frame] = []
    root: list[Any] = []
    documents = 0
    all_finite = True
    resolved: dict[str, str] = {}

    def refuse(message: str, event: Any, path: PathKey | None) -> BlueprintValidationError:
        return BlueprintValidationError([*problems, _fatal(message, file, _mark(event), path)])

    try:
        while loader.check_event():
            event = loader.get_event()
            if type(event) not in _NODE_EVENTS:  # none of those below: skip their tests
                if isinstance(event, yaml.DocumentStartEvent):
                    documents += 1
                    if documents > 1:
                        raise refuse(
                            "the file holds more than one YAML document ('---'); "
                            "a file holds one blueprint",
                            event,
                            None,
                        )
                    continue
                if isinstance(event, yaml.StreamStartEvent | yaml.StreamEndEvent):
                    continue
                if isinstance(event, yaml.DocumentEndEvent):
                    continue
                if isinstance(event, yaml.MappingEndEvent | yaml.SequenceEndEvent):
                    stack.pop()
                    continue
            parent = stack[-1] if stack else None
            if parent is not None and isinstance(parent.container, dict):
                path = parent.path
                if isinstance(parent.key, str) and parent.key is not _NO_KEY:
                    path = (*path, parent.key)
            elif parent is not None:
                path = (*parent.path, len(parent.container))
            else:
                path = ()
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
                raise refuse(
                    "YAML anchors and aliases (&name, *name) are not allowed in blueprint "
                    "files (they allow alias bombs); write the value out",
                    event,
                    path,
                )
            tag = event.tag
            if tag is not None and tag != "!" and tag not in _SAFE_TAGS:
                raise refuse(
                    f"the YAML tag {tag!r} is not allowed in blueprint files "
                    "(tags are never executed); remove it",
                    event,
                    path,
                )
            # A mapping key.
            if parent is not None and isinstance(parent.container, dict) and parent.key is _NO_KEY:
                if not isinstance(event, yaml.ScalarEvent):
                    raise refuse("a mapping key must be plain text", event, path)
                key = _scalar(loader, event, resolved)
                key_path = (*parent.path, key) if isinstance(key, str) else parent.path
                if not isinstance(key, str):
                    problems.append(
                        _fatal(
                            f"the key {event.value!r} is read as {_describe(key)}, not text; "
                            f"quote it: {json.dumps(event.value, ensure_ascii=False)}",
                            file,
                            _mark(event),
                            parent.path,
                        )
                    )
                    parent.key = None
                elif key in parent.container:
                    first = key_positions.get(key_path)
                    where = f" (first at line {first[0]})" if first else ""
                    problems.append(
                        _fatal(
                            f"duplicate key {key!r}{where}; each key may appear once",
                            file,
                            _mark(event),
                            key_path,
                        )
                    )
                    parent.key = None
                else:
                    parent.key = key
                    key_positions[key_path] = _mark(event)
                continue
            # A value.
            skip = False
            if parent is not None and isinstance(parent.container, dict):
                skip = parent.skip or parent.key is None
                if not skip:
                    path = (*parent.path, parent.key)
            elif parent is not None:
                skip = parent.skip
            value: Any
            if isinstance(event, yaml.ScalarEvent):
                value = _scalar(loader, event, resolved)
                if type(value) is not str:
                    # A plain scalar: style None (pure-Python parser) or "" (libyaml).
                    if not event.style and event.tag is None:
                        raw[path] = event.value
                    if isinstance(value, NonFinite) or (
                        type(value) is float and not math.isfinite(value)
                    ):
                        all_finite = False
            elif isinstance(event, yaml.MappingStartEvent):
                value = {}
            elif isinstance(event, yaml.SequenceStartEvent):
                value = []
            else:  # pragma: no cover - PyYAML has no other node events
                raise refuse(f"unexpected YAML event {event!r}", event, path)
            if not skip:
                positions.setdefault(path, _mark(event))
                if parent is None:
                    root.append(value)
                elif isinstance(parent.container, dict):
                    parent.container[parent.key] = value
                else:
                    parent.container.append(value)
            if parent is not None and isinstance(parent.container, dict):
                parent.key = _NO_KEY
            if isinstance(value, dict | list) and not isinstance(event, yaml.ScalarEvent):
                if len(stack) >= max_depth:
                    raise refuse(_too_deep(max_depth), event, None)
                stack.append(_Frame(value, path, skip))
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        at = None if mark is None else (mark.line + 1, mark.column + 1)
        detail = " ".join(part for part in (error.context, error.problem) if part)
        message = _too_deep(max_depth) if "nesting depth" in detail else f"not valid YAML: {detail}"
        raise BlueprintValidationError([*problems, _fatal(message, file, at, None)]) from None
    except yaml.YAMLError as error:
        position = getattr(error, "position", None)
        at = None if position is None else _position_of_index(text, position)
        reason = getattr(error, "reason", None) or str(error)
        raise BlueprintValidationError(
            [*problems, _fatal(f"not valid YAML: {reason}", file, at, None)]
        ) from None
    finally:
        loader.dispose()
    if problems:
        raise BlueprintValidationError(problems)
    if not root:
        raise BlueprintValidationError([Problem(message=_EMPTY, file=file)])
    return Parsed(
        root[0],
        file=file,
        positions=positions,
        key_positions=key_positions,
        raw=raw,
        all_finite=all_finite,
    )


def _too_deep(max_depth: int) -> str:
    return f"the data is nested more than {max_depth} levels deep; a blueprint needs far fewer"


_EMPTY: Final = "the file is empty; a blueprint needs at least version, name, stages and steps"


def _scalar(loader: Any, event: yaml.ScalarEvent, resolved: dict[str, str] | None = None) -> Any:
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
        return _huge_integer(event.value)
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > _FLOAT_MAX:
        return _huge_integer(event.value)
    return value


_FLOAT_MAX: Final = sys.float_info.max
_FLOAT_MAX_DIGITS: Final = len(str(int(_FLOAT_MAX)))
_STR_TAG: Final = "tag:yaml.org,2002:str"
#: How many plain scalars' tags one read remembers.
_RESOLVED_KEPT: Final = 4096


def _huge_integer(text: str) -> NonFinite:
    shown = text if len(text) <= 20 else f"{text[:12]}… ({len(text)} digits)"
    return NonFinite(shown)


def _json_int(text: str) -> int | NonFinite:
    # json.loads would raise a bare ValueError beyond 4300 digits. The float range
    # ends in 309 digits, so only longer texts are surely beyond it (300 refused 1e300).
    if len(text.lstrip("-")) > _FLOAT_MAX_DIGITS:
        return _huge_integer(text)
    value = int(text)
    return _huge_integer(text) if abs(value) > _FLOAT_MAX else value


# --- JSON ---------------------------------------------------------------------

_JSON_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]', re.DOTALL)


_JSON_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_BRACKETS_ONLY: Final = {code: None for code in range(128) if chr(code) not in "[]{}"}
_DEPTH_STEP: Final = {"[": 1, "{": 1, "]": -1, "}": -1}


def _json_depth_check(text: str, *, file: str | None, max_depth: int) -> None:
    # The same count as below (strings removed, then the brackets), at C speed; only a
    # file that is too deep is walked token by token, to say where.
    brackets = _JSON_STRING.sub("", text)
    if not brackets.isascii():
        brackets = "".join(char for char in brackets if char in "[]{}")
    brackets = brackets.translate(_BRACKETS_ONLY)
    if max(itertools.accumulate(map(_DEPTH_STEP.__getitem__, brackets)), default=0) > max_depth:
        _json_depth_position(text, file=file, max_depth=max_depth)


def _json_depth_position(text: str, *, file: str | None, max_depth: int) -> None:
    depth = 0
    for match in _JSON_TOKENS.finditer(text):
        token = match.group()
        if token in "[{":
            depth += 1
            if depth > max_depth:
                where = _position_of_index(text, match.start())
                raise BlueprintValidationError([_fatal(_too_deep(max_depth), file, where, None)])
        elif token in "]}":
            depth -= 1


def _parse_json(text: str, *, file: str | None, max_depth: int) -> Parsed:
    _json_depth_check(text, file=file, max_depth=max_depth)
    duplicates: list[str] = []
    unusual: list[str] = []

    def constant(text: str) -> NonFinite:
        unusual.append(text)
        return NonFinite(text)

    def integer(text: str) -> int | NonFinite:
        value = _json_int(text)
        if isinstance(value, NonFinite):
            unusual.append(text)
        return value

    def real(text: str) -> float:
        value = float(text)
        if not math.isfinite(value):
            unusual.append(text)
        return value

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        mapping: dict[str, Any] = {}
        for key, value in items:
            if key in mapping:
                duplicates.append(key)
            else:
                mapping[key] = value
        return mapping

    try:
        data = json.loads(
            text,
            object_pairs_hook=pairs,
            parse_constant=constant,
            parse_int=integer,
            parse_float=real,
        )
    except json.JSONDecodeError as error:
        raise BlueprintValidationError(
            [
                Problem(
                    message=f"not valid JSON: {error.msg}",
                    file=file,
                    line=error.lineno,
                    column=error.colno,
                )
            ]
        ) from None
    if duplicates:
        try:
            _parse_yaml(text, file=file, max_depth=max_depth)
        except BlueprintValidationError as error:
            if any("duplicate key" in p.message for p in error.problems):
                raise BlueprintValidationError(
                    [p for p in error.problems if "duplicate key" in p.message]
                ) from None
        raise BlueprintValidationError(
            [
                Problem(message=f"duplicate key {key!r}; each key may appear once", file=file)
                for key in duplicates
            ]
        )
    return Parsed(data, file=file, text=text, all_finite=not unusual)


# --- both ---------------------------------------------------------------------


def _non_finite(data: Any) -> Iterator[tuple[PathKey, Any]]:
    """Yield (path, value) of every NaN or infinity, without recursion."""
    pending: list[tuple[PathKey, Any]] = [((), data)]
    while pending:
        path, value = pending.pop()
        if isinstance(value, NonFinite) or (
            isinstance(value, float) and (value != value or value in (float("inf"), -float("inf")))
        ):
            yield path, value
        elif isinstance(value, dict):
            pending.extend(((*path, k), v) for k, v in reversed(value.items()))
        elif isinstance(value, list):
            pending.extend(((*path, i), v) for i, v in reversed(list(enumerate(value))))


def parse(
    source: str | bytes,
    *,
    format: str,
    file: str | None = None,
    max_bytes: int = MAX_BYTES,
    max_depth: int = MAX_DEPTH,
) -> Parsed:
    """Parse *source* (YAML or JSON) into plain data with positions.

    Raises
    ------
    BlueprintValidationError
        Listing what keeps the text from being read.

    Examples
    --------
    >>> parsed = parse("steps:\\n- id: a\\n  lane: 010\\n", format="yaml", file="x.yaml")
    >>> parsed.data
    {'steps': [{'id': 'a', 'lane': 10}]}
    >>> parsed.locate(("steps", 0, "lane")), parsed.raw[("steps", 0, "lane")]
    ((3, 9), '010')
    >>> parse("a: NO\\nb: 2024-13-45\\nc: 1:30\\n", format="yaml").data
    {'a': 'NO', 'b': '2024-13-45', 'c': '1:30'}
    >>> parse("a: &x 1\\nb: *x\\n", format="yaml", file="x.yaml")
    Traceback (most recent call last):
    ...
    servicebp.errors.BlueprintValidationError: x.yaml:1:4: $.a: YAML anchors and aliases ...
    """
    check_max_bytes(max_bytes)
    return _parse_source(source, format=format, file=file, max_bytes=max_bytes, max_depth=max_depth)


def _parse_source(
    source: str | bytes, *, format: str, file: str | None, max_bytes: int, max_depth: int
) -> Parsed:
    if format not in ("yaml", "json"):
        raise BlueprintValidationError(
            f"unknown format {format!r} (must be one of ['json', 'yaml'])"
        )
    if not isinstance(source, str | bytes | bytearray | memoryview):
        raise BlueprintTypeError(
            f"a blueprint document is text or bytes, not {type(source).__name__}"
        )
    if isinstance(source, str):
        if len(source) > max_bytes or len(data := source.encode("utf-8", "surrogatepass")) > (
            max_bytes
        ):
            raise _too_big(max_bytes + 1, max_bytes, file)
        del data
        _refuse_surrogates(source, file)
        text = source.removeprefix("\ufeff")
    else:
        if len(source) > max_bytes:
            raise _too_big(len(source), max_bytes, file)
        text = _decode(bytes(source), file)
    if not text.strip():
        raise BlueprintValidationError([Problem(message=_EMPTY, file=file)])
    if format == "yaml":
        parsed = _parse_yaml(text, file=file, max_depth=max_depth)
    else:
        parsed = _parse_json(text, file=file, max_depth=max_depth)
    bad = [
        parsed.problem(
            f"{value!r} is not allowed: numbers must be finite"
            + (f" (the text {parsed.raw[path]!r})" if path in parsed.raw else ""),
            path,
        )
        for path, value in ([] if parsed.all_finite else _non_finite(parsed.data))
    ]
    if bad:
        raise BlueprintValidationError(bad)
    return parsed
