"""Validators of the model's fields: text, identifiers, numbers, ratings.

Every value is checked when it is made, so a step, flow or blueprint that
exists is valid; these are the shared rules behind those checks.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, Final

import attrs

from servicebp._jsonready import json_ready
from servicebp.errors import BlueprintTypeError, BlueprintValidationError
from servicebp.scales import rating_problem

# --- validators -------------------------------------------------------------


def _show(value: object) -> str:
    """``repr(value)``, except for an int too long to print (Python refuses beyond 4300 digits)."""
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 64:
        return f"an integer of about {int(value.bit_length() * math.log10(2)) + 1} digits"
    return repr(value)


def _check_text(name: str, value: object, *, multiline: bool) -> None:
    if not isinstance(value, str):
        raise BlueprintTypeError(
            f"{name} must be a string, not {type(value).__name__} ({_show(value)})"
        )
    if not value.strip():
        raise BlueprintValidationError(f"{name} must not be empty")
    if value.isascii() and value.isprintable():
        # The common case, without a look-up per character: ASCII's only
        # control characters (Cc; it has no surrogates) are the unprintable ones.
        return
    allowed = "\n\t" if multiline else ""
    for char in value:
        if unicodedata.category(char) in ("Cc", "Cs") and char not in allowed:
            raise BlueprintValidationError(
                f"{name} {value!r} contains the control character {char!r}"
            )


#: Alphabetic scripts whose letters look alike (Latin "a", Cyrillic "а", Greek "α"):
#: an id mixing two of them is refused. Other mixes (Latin with Chinese) are fine.
_CONFUSABLE_SCRIPTS: Final = frozenset({"LATIN", "CYRILLIC", "GREEK", "ARMENIAN", "CHEROKEE"})


def nfc(value: object) -> object:
    """An id as the boundary stores it: text in Unicode normal form C, anything else as is.

    Examples
    --------
    >>> nfc("cafe\u0301") == "caf\u00e9", nfc(5)
    (True, 5)
    """
    if isinstance(value, str) and not value.isascii():
        try:
            return unicodedata.normalize("NFC", value)
        except UnicodeError:
            return value
    return value


def code_points(text: str) -> str:
    """Name each character of *text*: ``U+0430 CYRILLIC SMALL LETTER A``.

    Examples
    --------
    >>> code_points("pа")
    'U+0070 LATIN SMALL LETTER P, U+0430 CYRILLIC SMALL LETTER A'
    """
    return ", ".join(f"U+{ord(c):04X} {unicodedata.name(c, '?')}" for c in text)


def _script(char: str) -> str | None:
    if not char.isalpha():
        return None
    word = unicodedata.name(char, "").split(" ", 1)[0]
    return word if word in _CONFUSABLE_SCRIPTS else None


def _check_confusable(name: str, value: str) -> None:
    if value.isascii():
        return
    wide = [c for c in value if unicodedata.name(c, "").startswith(("FULLWIDTH", "HALFWIDTH"))]
    if wide:
        plain = unicodedata.normalize("NFKC", value)
        raise BlueprintValidationError(
            f"{name} {value!r} holds fullwidth or halfwidth forms ({code_points(''.join(wide))}), "
            f"which look like other ids; write {plain!r}"
        )
    scripts = {s for s in map(_script, value) if s is not None}
    if len(scripts) > 1:
        minority = (
            [c for c in value if _script(c) not in (None, "LATIN")] if "LATIN" in scripts else []
        )
        shown = code_points("".join(dict.fromkeys(minority or value)))
        raise BlueprintValidationError(
            f"{name} {value!r} mixes {' and '.join(sorted(s.title() for s in scripts))} letters, "
            f"which can look the same as another id ({shown}); write it in one script"
        )


def _check_identifier(name: str, value: object) -> None:
    _check_text(name, value, multiline=False)
    assert isinstance(value, str)
    _check_confusable(name, value)
    # Past _check_text, the only white space ASCII can hold is the space (the
    # rest of ASCII's is control characters, refused already).
    if " " in value if value.isascii() else any(char.isspace() for char in value):
        raise BlueprintValidationError(
            f"{name} {value!r} contains white space; use e.g. {'-'.join(value.split())!r}"
        )
    if value.isascii():
        # ASCII has no format characters (Cf).
        return
    for char in value:
        # Invisible format characters (zero-width space, bidi overrides) would
        # let two different ids look the same.
        if unicodedata.category(char) == "Cf":
            raise BlueprintValidationError(
                f"{name} {value!r} contains the invisible character {char!r}"
            )


def _id(instance: object, attribute: attrs.Attribute[str], value: object) -> None:
    _check_identifier(attribute.name, value)


def _label(instance: object, attribute: attrs.Attribute[str], value: object) -> None:
    _check_text(attribute.name, value, multiline=True)


def _line(instance: object, attribute: attrs.Attribute[str], value: object) -> None:
    _check_text(attribute.name, value, multiline=False)


def _optional_text(instance: object, attribute: attrs.Attribute[str | None], value: object) -> None:
    if value is not None:
        _check_text(attribute.name, value, multiline=True)


def _number(value: object, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise BlueprintTypeError(
            f"{name} must be a number, not {type(value).__name__} ({_show(value)})"
        )
    try:
        finite = math.isfinite(value)
    except OverflowError:
        # An int beyond float range (e.g. 10**400) cannot be computed with.
        finite = False
    if not finite:
        raise BlueprintValidationError(f"{name} must be a finite number, got {_show(value)}")
    return value


#: The largest duration, cost or moment weight a blueprint holds, so that a sum over
#: any journey stays a finite number (1.7e308 twice overflows ``math.fsum``).
MAX_AMOUNT: Final = 1e15


def check_amount(name: str, value: float) -> None:
    """Refuse a duration, cost or weight above :data:`MAX_AMOUNT`.

    Examples
    --------
    >>> check_amount("duration", 1.7e308)
    Traceback (most recent call last):
    ...
    servicebp.errors.BlueprintValidationError: duration must be at most 1e+15, got 1.7e+308 (sums of larger amounts overflow; use a larger unit)
    """  # noqa: E501
    if value > MAX_AMOUNT:
        raise BlueprintValidationError(
            f"{name} must be at most {MAX_AMOUNT:g}, got {_show(value)} "
            "(sums of larger amounts overflow; use a larger unit)"
        )


def _non_negative(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None and _number(value, attribute.name) < 0:
        raise BlueprintValidationError(f"{attribute.name} must not be negative, got {value!r}")
    if value is not None:
        check_amount(attribute.name, value)  # type: ignore[arg-type]


def _probability(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None and not 0 <= _number(value, attribute.name) <= 1:
        raise BlueprintValidationError(f"{attribute.name} must lie in [0, 1], got {value!r}")


def _rating(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    problem = None if value is None else rating_problem(float(_number(value, attribute.name)))
    if problem is not None:
        raise BlueprintValidationError(f"{attribute.name} {problem}")


def _text_tuple(value: str | Iterable[str]) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if not isinstance(value, Iterable):
        raise BlueprintTypeError(
            f"expected a string or a list of strings, not {type(value).__name__} ({value!r})"
        )
    return tuple(value)


def _each_label(instance: object, attribute: attrs.Attribute[Any], value: tuple[Any, ...]) -> None:
    for item in value:
        _check_text(attribute.name, item, multiline=True)


def _attributes(value: Mapping[str, Any] | None) -> dict[str, Any]:
    """The step's own copy of its attributes, as a file would read them back.

    A deep copy (mutating the caller's dict later does not change the step),
    tuples as lists; what cannot be saved is refused here, with the rule the
    writer applies.
    """
    if value is not None and not isinstance(value, Mapping):
        raise BlueprintTypeError(
            f"attributes must be a mapping, not {type(value).__name__} ({value!r})"
        )
    if not value:
        return {}
    for key in value:
        if not isinstance(key, str):
            raise BlueprintTypeError(f"attributes keys must be strings, not {key!r}")
    copied: dict[str, Any] = json_ready(value, "attributes", sort_keys=False)
    return copied


def _optional_instance(cls: type) -> Any:
    def check(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
        if value is not None and not isinstance(value, cls):
            raise BlueprintTypeError(
                f"{attribute.name} must be a {cls.__name__}, not {type(value).__name__} ({value!r})"
            )

    return check


def _json_data(instance: object, attribute: attrs.Attribute[Any], value: Mapping[Any, Any]) -> None:
    """Refuse free data that could not be saved, with the rule the writer applies."""
    for key in value:
        if not isinstance(key, str):
            raise BlueprintTypeError(f"{attribute.name} keys must be strings, not {key!r}")
    # The converter (_attributes) applied the writer's rule already: a step
    # that is accepted can always be written.


class FrozenMap(Mapping[str, Any]):
    """An immutable, hashable mapping with text keys, in insertion order.

    The per-persona values of a step live in one: a frozen step must not
    change under its blueprint, and unlike :class:`types.MappingProxyType`
    it can be hashed, copied and pickled with the step.

    Examples
    --------
    >>> m = FrozenMap({"b": 1, "a": 2})
    >>> m, m == {"b": 1, "a": 2}, hash(m) == hash(FrozenMap({"a": 2, "b": 1}))
    (FrozenMap({'b': 1, 'a': 2}), True, True)
    """

    __slots__ = ("_data",)
    _data: dict[str, Any]

    def __init__(self, data: Mapping[str, Any] | None = None) -> None:
        object.__setattr__(self, "_data", dict(data or {}))

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"{type(self).__name__} is immutable")

    def __getitem__(self, key: str) -> Any:
        return self._data[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __hash__(self) -> int:
        return hash(frozenset(self._data.items()))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._data!r})"

    def __reduce__(self) -> tuple[type[FrozenMap], tuple[dict[str, Any]]]:
        return (type(self), (self._data,))
