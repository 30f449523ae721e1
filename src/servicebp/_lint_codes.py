"""The lint rule codes, and the check that a code or prefix names a rule.

A leaf below the model: a blueprint's :class:`~servicebp.LintConfig` and the
file loader check codes here, without importing the rules themselves (which
analyse blueprints, and so sit above the model). :mod:`servicebp.linting`
asserts that its rules are exactly these codes.
"""

from __future__ import annotations

import difflib
from typing import Final

__all__ = ["LINT_CODES", "code_problem"]

#: Every lint rule's code, in order.
LINT_CODES: Final = (
    "SBP001",
    "SBP002",
    "SBP003",
    "SBP004",
    "SBP005",
    "SBP006",
    "SBP007",
    "SBP008",
    "SBP009",
    "SBP010",
)


def code_problem(code: object) -> str | None:
    """Say what is wrong with one lint rule code or prefix, or None if it matches a rule.

    Codes are matched case-insensitively; the message suggests the closest
    known code when there is one.

    Examples
    --------
    >>> code_problem("sbp00") is None
    True
    >>> code_problem("SBP04")
    "unknown lint rule code or prefix 'SBP04'; did you mean 'SBP004'? (the rules are SBP001-SBP010)"
    """
    if not isinstance(code, str):
        return f"a lint rule code or prefix must be text, not {type(code).__name__} ({code!r})"
    if code and any(rule.startswith(code.upper()) for rule in LINT_CODES):
        return None
    known = sorted(LINT_CODES)
    close = difflib.get_close_matches(code.upper(), known, n=1)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    return f"unknown lint rule code or prefix {code!r}{hint} (the rules are {known[0]}-{known[-1]})"
