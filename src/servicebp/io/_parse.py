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

This module puts the steps together; each lives in its own module:
:mod:`~servicebp.io._limits` (the caps), :mod:`~servicebp.io._reading` (bytes
and text), :mod:`~servicebp.io._yaml_loader` (the restricted loader and its
scalars), :mod:`~servicebp.io._yaml_reader` (YAML events to data),
:mod:`~servicebp.io._json_reader` (JSON), :mod:`~servicebp.io._positions`
(paths and positions) and :mod:`~servicebp.io._parsed` (the result).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from servicebp.errors import BlueprintTypeError, BlueprintValidationError, Problem
from servicebp.io._json_reader import parse_json
from servicebp.io._limits import EMPTY, MAX_BYTES, MAX_DEPTH, check_max_bytes, too_big
from servicebp.io._parsed import NonFinite, Parsed
from servicebp.io._positions import PathKey, format_path
from servicebp.io._reading import decode, read_bytes, refuse_surrogates
from servicebp.io._yaml_loader import resolves_as_text
from servicebp.io._yaml_reader import parse_yaml

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
            raise too_big(max_bytes + 1, max_bytes, file)
        del data
        refuse_surrogates(source, file)
        text = source.removeprefix("\ufeff")
    else:
        if len(source) > max_bytes:
            raise too_big(len(source), max_bytes, file)
        text = decode(bytes(source), file)
    if not text.strip():
        raise BlueprintValidationError([Problem(message=EMPTY, file=file)])
    if format == "yaml":
        parsed = parse_yaml(text, file=file, max_depth=max_depth)
    else:
        parsed = parse_json(text, file=file, max_depth=max_depth)
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
