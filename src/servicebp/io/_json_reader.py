"""Reading JSON text into plain data: duplicate keys, NaN, Infinity and deep nesting refused.

Positions are not recorded here: :class:`~servicebp.io._parsed.Parsed` finds
them in the text on demand, for the few problems that need one.
"""

from __future__ import annotations

import itertools
import json
import math
import re
from typing import Any, Final

from servicebp.errors import BlueprintValidationError, Problem
from servicebp.io._limits import too_deep
from servicebp.io._parsed import FLOAT_MAX, FLOAT_MAX_DIGITS, NonFinite, Parsed, huge_integer
from servicebp.io._positions import position_of_index, problem_at
from servicebp.io._yaml_reader import parse_yaml

__all__ = ["parse_json"]

_JSON_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]', re.DOTALL)


_JSON_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_BRACKETS_ONLY: Final = {code: None for code in range(128) if chr(code) not in "[]{}"}
_DEPTH_STEP: Final = {"[": 1, "{": 1, "]": -1, "}": -1}


def _json_int(text: str) -> int | NonFinite:
    # json.loads would raise a bare ValueError beyond 4300 digits. The float range
    # ends in 309 digits, so only longer texts are surely beyond it (300 refused 1e300).
    if len(text.lstrip("-")) > FLOAT_MAX_DIGITS:
        return huge_integer(text)
    value = int(text)
    return huge_integer(text) if abs(value) > FLOAT_MAX else value


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
                where = position_of_index(text, match.start())
                raise BlueprintValidationError([problem_at(too_deep(max_depth), file, where, None)])
        elif token in "]}":
            depth -= 1


def parse_json(text: str, *, file: str | None, max_depth: int) -> Parsed:
    """Read the JSON *text* into plain data (positions are found later, on demand).

    Raises
    ------
    BlueprintValidationError
        Listing what keeps the text from being read.
    """
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
        _refuse_duplicates(text, duplicates, file=file, max_depth=max_depth)
    return Parsed(data, file=file, text=text, all_finite=not unusual)


def _refuse_duplicates(
    text: str, duplicates: list[str], *, file: str | None, max_depth: int
) -> None:
    """Refuse the duplicate keys, with their lines where the YAML reader can find them."""
    try:
        parse_yaml(text, file=file, max_depth=max_depth)
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
