"""The text and id checks' ASCII fast path (issue 18) refuses exactly what the rule refuses."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from servicebp.errors import BlueprintValidationError
from servicebp.model._fields import _check_identifier, _check_text


def _refused(check: object, *args: object, **options: object) -> str | None:
    assert callable(check)
    try:
        check(*args, **options)
    except BlueprintValidationError as error:
        return str(error)
    return None


def _by_rule(value: str, *, multiline: bool, identifier: bool) -> bool:
    """Whether the per-character rule alone refuses *value* (empty text aside)."""
    allowed = "\n\t" if multiline else ""
    for char in value:
        category = unicodedata.category(char)
        if category in ("Cc", "Cs") and char not in allowed:
            return True
        if identifier and category == "Cf":
            return True
    return False


_ascii = st.text(st.characters(max_codepoint=127), min_size=1)
_mixed = st.text(st.characters(max_codepoint=0x206F, blacklist_categories=["Cs"]), min_size=1)


@given(st.one_of(_ascii, _mixed), st.booleans())
def test_text_check_refuses_exactly_control_characters(value: str, multiline: bool) -> None:
    refused = _refused(_check_text, "label", value, multiline=multiline)
    if value.strip():
        assert (refused is not None) == _by_rule(value, multiline=multiline, identifier=False)


@given(st.one_of(_ascii, _mixed))
def test_identifier_check_refuses_control_and_format_characters(value: str) -> None:
    refused = _refused(_check_identifier, "id", value)
    if value.strip() and not any(c.isspace() for c in value) and value.isascii():
        assert (refused is not None) == _by_rule(value, multiline=False, identifier=True)
    if _by_rule(value, multiline=False, identifier=True) and value.strip():
        assert refused is not None


@pytest.mark.parametrize("char", ["\x00", "\x1b", "\x7f", "\r"])
def test_ascii_control_characters_are_still_named(char: str) -> None:
    with pytest.raises(BlueprintValidationError, match="contains the control character"):
        _check_text("label", f"a{char}b", multiline=True)
    assert _refused(_check_text, "label", "a\nb\tc", multiline=True) is None


def test_a_zero_width_space_in_an_id_is_still_refused() -> None:
    with pytest.raises(BlueprintValidationError, match="invisible character"):
        _check_identifier("id", "pay\u200bnow")


@given(_ascii)
def test_an_ascii_id_is_refused_for_white_space_exactly_when_it_holds_some(value: str) -> None:
    refused = _refused(_check_identifier, "id", value)
    if value.strip() and not _by_rule(value, multiline=False, identifier=True):
        spaced = any(c.isspace() for c in value)
        assert (refused is not None and "white space" in refused) == spaced
