"""Where values are: paths (``$.steps[1].lane``), line and column, and JSON positions.

YAML positions are recorded as the file is read; JSON ones are found on
demand by :class:`JsonPositions`, since only the error path needs them.
"""

from __future__ import annotations

import bisect
import json
import json.scanner
import re
from collections.abc import Callable, Iterator
from typing import Any

from servicebp.errors import Problem

__all__ = ["JsonPositions", "PathKey", "Position", "format_path", "position_of_index", "problem_at"]

PathKey = tuple[str | int, ...]
Position = tuple[int, int]

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*\Z")


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


def position_of_index(text: str, index: int) -> Position:
    """The 1-based (line, column) of the character at *index* of *text*."""
    index = max(0, min(index, len(text)))
    line = text.count("\n", 0, index) + 1
    return line, index - (text.rfind("\n", 0, index) + 1) + 1


def problem_at(
    message: str, file: str | None, where: Position | None, path: PathKey | None
) -> Problem:
    """A :class:`Problem` at a position and path known without a :class:`Parsed`."""
    return Problem(
        message=message,
        path=None if path is None else format_path(path),
        file=file,
        line=None if where is None else where[0],
        column=None if where is None else where[1],
    )


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


class JsonPositions:
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
        """Return the (line, column) of *path*, or of its nearest found parent."""
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
