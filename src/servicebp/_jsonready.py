"""The JSON-ready rule for free data: what a blueprint's attributes may hold."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from servicebp.errors import BlueprintValidationError, Problem

__all__ = ["json_ready"]


def json_ready(value: Any, where: str) -> Any:
    """Return free data with sorted keys, refusing what JSON cannot hold.

    The one rule for a step's free attributes: the model applies it when a
    step is made and the writer when it is saved, so what is accepted can
    always be written.

    Examples
    --------
    >>> json_ready({"b": 1, "a": [1.5, None]}, "attributes")
    {'a': [1.5, None], 'b': 1}
    >>> json_ready({"x": float("nan")}, "attributes")
    Traceback (most recent call last):
    ...
    servicebp.errors.BlueprintValidationError: attributes.x: nan cannot be saved: ...
    """
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise BlueprintValidationError(
                [Problem(message=f"{value!r} cannot be saved: numbers must be finite", path=where)]
            )
        return value
    if isinstance(value, Mapping):
        out = {}
        for key in sorted(value, key=str):
            if not isinstance(key, str):
                raise BlueprintValidationError(
                    [Problem(message=f"the key {key!r} is not text", path=where)]
                )
            out[key] = json_ready(value[key], f"{where}.{key}")
        return out
    if isinstance(value, list | tuple):
        return [json_ready(item, f"{where}[{i}]") for i, item in enumerate(value)]
    raise BlueprintValidationError(
        [
            Problem(
                message=f"{type(value).__name__} ({value!r}) cannot be saved; "
                "attributes hold JSON data only (text, numbers, booleans, null, lists, mappings)",
                path=where,
            )
        ]
    )
