"""What reading a file gives: :class:`Parsed`, plain data with where each value was."""

from __future__ import annotations

import sys
from typing import Any, Final

from servicebp.errors import Problem
from servicebp.io._positions import JsonPositions, PathKey, Position, format_path

__all__ = ["FLOAT_MAX", "FLOAT_MAX_DIGITS", "NonFinite", "Parsed", "huge_integer"]

FLOAT_MAX: Final = sys.float_info.max
FLOAT_MAX_DIGITS: Final = len(str(int(FLOAT_MAX)))


class NonFinite:
    """Stands for a JSON ``NaN``, ``Infinity`` or an integer beyond float range, until reported."""

    def __init__(self, text: str) -> None:
        self.text = text

    def __repr__(self) -> str:
        return self.text


def huge_integer(text: str) -> NonFinite:
    """Stand for the integer written *text*, beyond float range (shortened when long)."""
    shown = text if len(text) <= 20 else f"{text[:12]}… ({len(text)} digits)"
    return NonFinite(shown)


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

        self._json: JsonPositions | None = None

    def locate(self, path: PathKey, *, key: bool = False) -> Position | None:
        """Return the (line, column) of *path*, or of its nearest located parent.

        With *key*, the position of the mapping key itself, where known.
        """
        if self._positions is None:
            if self._text is None:
                return None
            # JSON: positions are only needed on the error path, and only a few of them.
            if self._json is None:
                self._json = JsonPositions(self._text)
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
