"""Reading YAML text into plain data with positions, event by event.

PyYAML's composer is not used: it recurses (a deep file would overflow the
stack) and expands aliases (an alias bomb would exhaust memory). Walking the
events instead, anchors and aliases, unknown tags (``!!python/object`` is
refused, never constructed), duplicate mapping keys and non-text keys are
errors, and nesting depth is counted without recursion.
"""

from __future__ import annotations

import json
import math
from typing import Any, Final

import yaml

from servicebp.errors import BlueprintValidationError, Problem
from servicebp.io._limits import EMPTY, too_deep
from servicebp.io._parsed import NonFinite, Parsed
from servicebp.io._positions import PathKey, Position, position_of_index, problem_at
from servicebp.io._yaml_loader import SAFE_TAGS, StrictLoader, scalar

__all__ = ["parse_yaml"]


class _Frame:
    """A mapping or list being filled, with its path; *skip* when its values are not kept."""

    __slots__ = ("container", "key", "path", "skip")

    def __init__(self, container: dict[Any, Any] | list[Any], path: PathKey, skip: bool) -> None:
        self.container = container
        self.path = path
        self.key: Any = _NO_KEY
        self.skip = skip


#: A mapping's frame waits for a key (a key refused as duplicate or non-text is None).
_NO_KEY: Final = object()

_NODE_EVENTS: Final = frozenset({yaml.ScalarEvent, yaml.MappingStartEvent, yaml.SequenceStartEvent})


def _mark(event: Any) -> Position:
    return event.start_mark.line + 1, event.start_mark.column + 1


def _describe(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int | float):
        return f"the number {value!r}"
    return f"a {type(value).__name__} ({value})"


def _path_in(parent: _Frame | None) -> PathKey:
    """The path of the next node under *parent* (a mapping's own path while it waits for a key)."""
    if parent is None:
        return ()
    if isinstance(parent.container, dict):
        path = parent.path
        if isinstance(parent.key, str) and parent.key is not _NO_KEY:
            path = (*path, parent.key)
        return path
    return (*parent.path, len(parent.container))


def parse_yaml(text: str, *, file: str | None, max_depth: int) -> Parsed:
    """Read the YAML *text* (one document) into plain data with positions.

    Raises
    ------
    BlueprintValidationError
        Listing what keeps the text from being read.
    """
    return _YamlReader(text, file=file, max_depth=max_depth).read()


class _YamlReader:
    """One read of a YAML text: the data built from its events, and where each value was."""

    def __init__(self, text: str, *, file: str | None, max_depth: int) -> None:
        self.text = text
        self.file = file
        self.max_depth = max_depth
        self.loader = StrictLoader(text)
        self.positions: dict[PathKey, Position] = {}
        self.key_positions: dict[PathKey, Position] = {}
        self.raw: dict[PathKey, str] = {}
        self.problems: list[Problem] = []
        self.stack: list[_Frame] = []
        self.root: list[Any] = []
        self.documents = 0
        self.all_finite = True
        self.resolved: dict[str, str] = {}

    def read(self) -> Parsed:
        """Walk every event; return the data, or raise with every problem found."""
        try:
            self._walk()
        except yaml.MarkedYAMLError as error:
            raise self._marked_error(error) from None
        except yaml.YAMLError as error:
            raise self._stream_error(error) from None
        finally:
            self.loader.dispose()
        if self.problems:
            raise BlueprintValidationError(self.problems)
        if not self.root:
            raise BlueprintValidationError([Problem(message=EMPTY, file=self.file)])
        return Parsed(
            self.root[0],
            file=self.file,
            positions=self.positions,
            key_positions=self.key_positions,
            raw=self.raw,
            all_finite=self.all_finite,
        )

    def refuse(self, message: str, event: Any, path: PathKey | None) -> BlueprintValidationError:
        """The error that ends the read: the problems so far and *message* at *event*."""
        return BlueprintValidationError(
            [*self.problems, problem_at(message, self.file, _mark(event), path)]
        )

    def _walk(self) -> None:
        loader, stack = self.loader, self.stack
        while loader.check_event():
            event = loader.get_event()
            if type(event) not in _NODE_EVENTS and self._structural(event):
                continue
            parent = stack[-1] if stack else None
            path = _path_in(parent)
            self._refuse_unsafe(event, path)
            if parent is not None and isinstance(parent.container, dict) and parent.key is _NO_KEY:
                self._key(event, parent, path)
            else:
                self._value(event, parent, path)

    def _structural(self, event: Any) -> bool:
        """Handle an event that is not a node (the ends of things); False for an alias."""
        if isinstance(event, yaml.DocumentStartEvent):
            self.documents += 1
            if self.documents > 1:
                raise self.refuse(
                    "the file holds more than one YAML document ('---'); "
                    "a file holds one blueprint",
                    event,
                    None,
                )
            return True
        if isinstance(event, yaml.StreamStartEvent | yaml.StreamEndEvent):
            return True
        if isinstance(event, yaml.DocumentEndEvent):
            return True
        if isinstance(event, yaml.MappingEndEvent | yaml.SequenceEndEvent):
            self.stack.pop()
            return True
        return False

    def _refuse_unsafe(self, event: Any, path: PathKey) -> None:
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
            raise self.refuse(
                "YAML anchors and aliases (&name, *name) are not allowed in blueprint "
                "files (they allow alias bombs); write the value out",
                event,
                path,
            )
        tag = event.tag
        if tag is not None and tag != "!" and tag not in SAFE_TAGS:
            raise self.refuse(
                f"the YAML tag {tag!r} is not allowed in blueprint files "
                "(tags are never executed); remove it",
                event,
                path,
            )

    def _key(self, event: Any, parent: _Frame, path: PathKey) -> None:
        """Take a mapping key; a non-text or duplicate one is a problem, its value skipped."""
        if not isinstance(event, yaml.ScalarEvent):
            raise self.refuse("a mapping key must be plain text", event, path)
        key = scalar(self.loader, event, self.resolved)
        key_path = (*parent.path, key) if isinstance(key, str) else parent.path
        if not isinstance(key, str):
            self.problems.append(
                problem_at(
                    f"the key {event.value!r} is read as {_describe(key)}, not text; "
                    f"quote it: {json.dumps(event.value, ensure_ascii=False)}",
                    self.file,
                    _mark(event),
                    parent.path,
                )
            )
            parent.key = None
        elif key in parent.container:
            first = self.key_positions.get(key_path)
            where = f" (first at line {first[0]})" if first else ""
            self.problems.append(
                problem_at(
                    f"duplicate key {key!r}{where}; each key may appear once",
                    self.file,
                    _mark(event),
                    key_path,
                )
            )
            parent.key = None
        else:
            parent.key = key
            self.key_positions[key_path] = _mark(event)

    def _value(self, event: Any, parent: _Frame | None, path: PathKey) -> None:
        """Take a value: store it (unless skipped) and, for a mapping or list, go into it."""
        skip = False
        if parent is not None and isinstance(parent.container, dict):
            skip = parent.skip or parent.key is None
            if not skip:
                path = (*parent.path, parent.key)
        elif parent is not None:
            skip = parent.skip
        value = self._node_value(event, path)
        if not skip:
            self.positions.setdefault(path, _mark(event))
            if parent is None:
                self.root.append(value)
            elif isinstance(parent.container, dict):
                parent.container[parent.key] = value
            else:
                parent.container.append(value)
        if parent is not None and isinstance(parent.container, dict):
            parent.key = _NO_KEY
        if isinstance(value, dict | list) and not isinstance(event, yaml.ScalarEvent):
            if len(self.stack) >= self.max_depth:
                raise self.refuse(too_deep(self.max_depth), event, None)
            self.stack.append(_Frame(value, path, skip))

    def _node_value(self, event: Any, path: PathKey) -> Any:
        if isinstance(event, yaml.ScalarEvent):
            value = scalar(self.loader, event, self.resolved)
            if type(value) is not str:
                # A plain scalar: style None (pure-Python parser) or "" (libyaml).
                if not event.style and event.tag is None:
                    self.raw[path] = event.value
                if isinstance(value, NonFinite) or (
                    type(value) is float and not math.isfinite(value)
                ):
                    self.all_finite = False
            return value
        if isinstance(event, yaml.MappingStartEvent):
            return {}
        if isinstance(event, yaml.SequenceStartEvent):
            return []
        raise self.refuse(  # pragma: no cover - PyYAML has no other node events
            f"unexpected YAML event {event!r}", event, path
        )

    def _marked_error(self, error: yaml.MarkedYAMLError) -> BlueprintValidationError:
        mark = error.problem_mark or error.context_mark
        at = None if mark is None else (mark.line + 1, mark.column + 1)
        detail = " ".join(part for part in (error.context, error.problem) if part)
        message = (
            too_deep(self.max_depth) if "nesting depth" in detail else f"not valid YAML: {detail}"
        )
        return BlueprintValidationError([*self.problems, problem_at(message, self.file, at, None)])

    def _stream_error(self, error: yaml.YAMLError) -> BlueprintValidationError:
        position = getattr(error, "position", None)
        at = None if position is None else position_of_index(self.text, position)
        reason = getattr(error, "reason", None) or str(error)
        return BlueprintValidationError(
            [*self.problems, problem_at(f"not valid YAML: {reason}", self.file, at, None)]
        )
