"""Which lint rules a blueprint selects and ignores."""

from __future__ import annotations

from typing import Any

import attrs

from servicebp._lint_codes import code_problem
from servicebp.errors import UnknownLintRuleError
from servicebp.model._fields import _text_tuple

__all__ = ["LintConfig"]


def _lint_codes(
    instance: object, attribute: attrs.Attribute[Any], value: tuple[str, ...] | None
) -> None:
    for code in value or ():
        wrong = code_problem(code)
        if wrong is not None:
            raise UnknownLintRuleError(f"{attribute.name}: {wrong}")


@attrs.frozen(kw_only=True)
class LintConfig:
    """Which lint rules a blueprint selects and ignores (codes or prefixes).

    ``select=None`` means the default rule set. Every code must match a rule.

    Examples
    --------
    >>> LintConfig(ignore=["SBP004"]).ignore
    ('SBP004',)
    >>> LintConfig(select=["SPB00"])
    Traceback (most recent call last):
    ...
    servicebp.errors.UnknownLintRuleError: select: unknown lint rule code or prefix 'SPB00'; did you mean 'SBP010'? (the rules are SBP001-SBP010)
    """  # noqa: E501

    select: tuple[str, ...] | None = attrs.field(
        default=None, converter=attrs.converters.optional(_text_tuple), validator=_lint_codes
    )
    ignore: tuple[str, ...] = attrs.field(default=(), converter=_text_tuple, validator=_lint_codes)
