"""The JSON-ready rule for free data: what a blueprint's attributes may hold."""

from __future__ import annotations

import math
import sys
from collections.abc import Mapping
from typing import Any, Final

from servicebp.errors import BlueprintValidationError, Problem

__all__ = ["MAX_ATTRIBUTE_DEPTH", "json_ready"]

#: Containers nested in a step's attributes, the attributes mapping included: a file
#: holds 64 levels in all, and the attributes of a step are the fourth
#: (document, steps, step, attributes).
MAX_ATTRIBUTE_DEPTH: Final = 61

_FLOAT_MAX: Final = sys.float_info.max


def json_ready(
    value: Any, where: str, *, max_depth: int = MAX_ATTRIBUTE_DEPTH, sort_keys: bool = True
) -> Any:
    """Return a copy of free data (keys sorted if *sort_keys*), refusing what JSON cannot hold.

    The one rule for a step's free attributes: the model applies it when a
    step is made and the writer when it is saved, so what is accepted can
    always be written and read back equal. Tuples become lists (as a file
    reads them back); NaN and infinities, integers beyond float range, lone
    surrogates, keys that are not text, other objects and nesting deeper than
    *max_depth* (a self-referencing list is that too) are refused. The walk
    uses no recursion, so no input ends in a ``RecursionError``.

    Examples
    --------
    >>> json_ready({"b": 1, "a": (1.5, None)}, "attributes")
    {'a': [1.5, None], 'b': 1}
    >>> json_ready({"x": float("nan")}, "attributes")
    Traceback (most recent call last):
    ...
    servicebp.errors.BlueprintValidationError: attributes.x: nan cannot be saved: ...
    >>> loop: list[object] = []
    >>> loop.append(loop)
    >>> json_ready({"x": loop}, "attributes")
    Traceback (most recent call last):
    ...
    servicebp.errors.BlueprintValidationError: attributes.x[0]...: nested more than 61 levels ...
    """
    root: list[Any] = [None]
    # (container to fill, key in it, value, path, depth of value's container)
    pending: list[tuple[Any, Any, Any, str, int]] = [(root, 0, value, where, 1)]
    while pending:
        parent, key, item, path, depth = pending.pop()
        if item is None or isinstance(item, bool):
            parent[key] = item
        elif isinstance(item, str):
            _check_string(item, path)
            parent[key] = item
        elif isinstance(item, int):
            # Beyond float range from 1,024 bits (2**1024 - 1 is), not only above.
            if item.bit_length() >= 1024 and abs(item) > _FLOAT_MAX:
                raise _refuse("an integer beyond float range cannot be read back", path)
            parent[key] = int(item)
        elif isinstance(item, float):
            if not math.isfinite(item):
                raise _refuse(f"{item!r} cannot be saved: numbers must be finite", path)
            parent[key] = float(item)
        elif isinstance(item, Mapping | list | tuple):
            if depth > max_depth:
                raise _refuse(
                    f"nested more than {max_depth} levels deep (a file holds 64 levels in "
                    "all; a list or mapping holding itself never ends)",
                    path if len(path) < 200 else path[:120] + "…",
                )
            children: list[tuple[Any, Any, Any, str, int]] = []
            out: Any
            if isinstance(item, Mapping):
                keys = list(item)
                for name in keys:
                    if not isinstance(name, str):
                        raise _refuse(f"the key {name!r} is not text", path)
                    _check_string(name, path)
                out = dict.fromkeys(sorted(keys) if sort_keys else keys)
                children = [(out, name, item[name], f"{path}.{name}", depth + 1) for name in out]
            else:
                out = [None] * len(item)
                children = [
                    (out, i, element, f"{path}[{i}]", depth + 1) for i, element in enumerate(item)
                ]
            parent[key] = out
            pending.extend(reversed(children))
        else:
            raise _refuse(
                f"{type(item).__name__} ({_short_repr(item)}) cannot be saved; attributes hold "
                "JSON data only (text, numbers, booleans, null, lists, mappings)",
                path,
            )
    return root[0]


def _check_string(text: str, path: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as error:
        raise _refuse(
            f"the text holds a lone surrogate (U+{ord(text[error.start]):04X}), which is not "
            "a character and cannot be saved as UTF-8",
            path,
        ) from None


def _short_repr(value: object) -> str:
    try:
        shown = repr(value)
    except Exception:  # a hostile __repr__ must not hide the real problem
        shown = f"<{type(value).__name__}>"
    return shown if len(shown) <= 80 else shown[:77] + "..."


def _refuse(message: str, path: str) -> BlueprintValidationError:
    return BlueprintValidationError([Problem(message=message, path=path)])
