"""The words and the cell syntax of blueprint grids, shared by the reader and the writer.

A cell of a lane row holds steps separated by a line break or ``;``. A step
is its label, optionally followed by ``{#id}`` to give its id; a value in a
row of step details (ratings, waits…) may be preceded by ``{#id}`` to name
the step it belongs to. A backslash keeps the next ``\\``, ``;``, ``{`` or
``}`` or a white-space character literal, and ``\\n`` is a line break inside a
label.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from typing import Final

import attrs

from servicebp.model import Lane, Line

__all__ = [
    "ARROWS",
    "FIELD_NAMES",
    "FIELD_TITLES",
    "LANE_NAMES",
    "LINE_NAMES",
    "Cell",
    "Part",
    "column_letter",
    "escape",
    "normalize",
    "slug",
    "split_cell",
]

_Token = tuple[str, bool]


def normalize(text: str) -> str:
    """A row name as compared: case-folded, punctuation as spaces, spaces collapsed.

    Examples
    --------
    >>> normalize("  Frontstage / ONSTAGE: ")
    'frontstage onstage'
    """
    kept = "".join(char if char.isalnum() else " " for char in text.casefold())
    return " ".join(kept.split())


def _names(pairs: Iterable[tuple[str, Iterable[str]]]) -> dict[str, str]:
    return {normalize(alias): key for key, aliases in pairs for alias in aliases}


#: Row names (normalized) of each lane: the canon's spellings and the usual aliases.
LANE_NAMES: Final[dict[str, Lane]] = {
    alias: Lane(value)
    for alias, value in _names(
        [
            (
                "physical-evidence",
                ["physical evidence", "physical-evidence", "evidence", "physical", "props"],
            ),
            (
                "customer",
                [
                    "customer",
                    "customers",
                    "customer actions",
                    "customer action",
                    "customer journey",
                    "customer steps",
                    "user actions",
                    "user",
                    "guest actions",
                    "guest",
                ],
            ),
            (
                "frontstage",
                [
                    "frontstage",
                    "front stage",
                    "front-stage",
                    "frontstage actions",
                    "onstage",
                    "on stage",
                    "on-stage",
                    "onstage actions",
                    "frontstage onstage",
                    "onstage frontstage",
                    "onstage visible contact employee actions",
                    "frontstage visible contact employee actions",
                    "onstage contact employee actions",
                    "visible contact employee actions",
                    "contact employee actions",
                    "front office",
                ],
            ),
            (
                "backstage",
                [
                    "backstage",
                    "back stage",
                    "back-stage",
                    "backstage actions",
                    "backstage contact employee actions",
                    "invisible contact employee actions",
                    "backstage invisible contact employee actions",
                    "back office",
                ],
            ),
            (
                "support",
                [
                    "support",
                    "support processes",
                    "support process",
                    "supporting processes",
                    "support systems",
                    "systems",
                    "internal support",
                ],
            ),
        ]
    ).items()
}
#: Row names of the three lines: rows that hold no steps.
LINE_NAMES: Final[dict[str, Line]] = {
    alias: Line(value)
    for alias, value in _names(
        [
            ("interaction", ["line of interaction", "interaction line"]),
            ("visibility", ["line of visibility", "visibility line"]),
            (
                "internal-interaction",
                ["line of internal interaction", "internal interaction line"],
            ),
        ]
    ).items()
}
#: Row names of the step details a grid may carry, by the field they set.
FIELD_NAMES: Final[dict[str, str]] = _names(
    [
        ("rating", ["rating", "ratings", "score", "scores", "mot rating"]),
        (
            "moment",
            ["moment of truth", "moments of truth", "moment", "moments", "mot", "mot kind"],
        ),
        ("fail_point", ["fail point", "fail points", "failpoint", "failpoints"]),
        ("wait", ["wait", "waits", "wait minutes"]),
        ("channel", ["channel", "channels"]),
        ("actor", ["actor", "actors"]),
        ("duration", ["duration", "durations", "duration minutes"]),
        ("cost", ["cost", "costs"]),
    ]
)
#: The row name the writer uses for each field.
FIELD_TITLES: Final = {
    "rating": "Rating",
    "moment": "Moment of truth",
    "fail_point": "Fail point",
    "wait": "Wait",
    "channel": "Channel",
    "actor": "Actor",
    "duration": "Duration",
    "cost": "Cost",
}
#: Row names that start the arrows section (explicit flows).
ARROWS: Final = frozenset({"arrows", "arrow", "flows", "connections"})


@attrs.frozen(kw_only=True)
class Cell:
    """One cell of a grid: its reference (``B3``, ``arrows!A2``), position and text."""

    ref: str
    row: int
    column: int
    text: str


def column_letter(column: int) -> str:
    """The spreadsheet letters of a 1-based column number.

    Examples
    --------
    >>> [column_letter(n) for n in (1, 26, 27, 703)]
    ['A', 'Z', 'AA', 'AAA']
    """
    letters = ""
    while column:
        column, rest = divmod(column - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def slug(label: str) -> str:
    """The id a step gets from its label: lower case, words joined by ``-``.

    Examples
    --------
    >>> slug("Checks in at the desk"), slug("办理入住"), slug("?!")
    ('checks-in-at-the-desk', '办理入住', 'step')
    """
    words = "".join(
        char if char.isalnum() and unicodedata.category(char) != "Cf" else " "
        for char in label.lower()
    ).split()
    return "-".join(words) or "step"


_ESCAPED: Final = {"\\": "\\", ";": ";", "{": "{", "}": "}", "n": "\n"}


def escape(text: str) -> str:
    r"""Write *text* so that :func:`split_cell` reads it back as one literal part.

    Examples
    --------
    >>> print(escape("Tea; {hot}\nC:\\x"))
    Tea\; \{hot\}\nC:\\x
    >>> escape(" padded ")
    '\\ padded\\ '
    """
    out = text.replace("\\", "\\\\").replace(";", "\\;")
    out = out.replace("{", "\\{").replace("}", "\\}").replace("\n", "\\n")
    # White space at the ends would be stripped: a backslash keeps it.
    body = out.strip()
    start = len(out) - len(out.lstrip())
    lead, tail = out[:start], out[start + len(body) :]
    return "".join("\\" + c for c in lead) + body + "".join("\\" + c for c in tail)


def _tokens(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    i = 0
    while i < len(text):
        char = text[i]
        if (
            char == "\\"
            and i + 1 < len(text)
            and (text[i + 1] in _ESCAPED or text[i + 1].isspace())
        ):
            tokens.append((_ESCAPED.get(text[i + 1], text[i + 1]), True))
            i += 2
        else:
            tokens.append((char, False))
            i += 1
    return tokens


def _strip(tokens: list[_Token]) -> list[_Token]:
    start, end = 0, len(tokens)
    while start < end and not tokens[start][1] and tokens[start][0].isspace():
        start += 1
    while end > start and not tokens[end - 1][1] and tokens[end - 1][0].isspace():
        end -= 1
    return tokens[start:end]


_ID: Final = re.compile(r"\{#([^{}\s]+)\}")


@attrs.frozen(kw_only=True)
class Part:
    """One step (or one value) of a cell: its text and the id given with ``{#id}``."""

    text: str
    id: str | None


def _plain(tokens: list[_Token]) -> str:
    return "".join(char for char, _ in tokens)


def _marked(tokens: list[_Token]) -> str:
    # Escaped characters become a private-use stand-in, so that an escaped
    # brace never starts or ends an id.
    return "".join("\ue000" if escaped else char for char, escaped in tokens)


def split_cell(text: str, *, id_at: str, keep_empty: bool = False) -> list[Part]:
    r"""Split a cell into its parts, each with the ``{#id}`` at its end or start.

    Parameters
    ----------
    id_at : {"end", "start"}
        Where a part's ``{#id}`` is: after a step's label, before a detail's value.
    keep_empty : bool
        Whether empty parts are kept (their position counts in detail rows).

    Examples
    --------
    >>> for part in split_cell("Checks in {#in}; Pays\\; tips\n\nLeaves", id_at="end"):
    ...     print(part)
    Part(text='Checks in', id='in')
    Part(text='Pays; tips', id=None)
    Part(text='Leaves', id=None)
    >>> split_cell("; {#desk} 2", id_at="start", keep_empty=True)
    [Part(text='', id=None), Part(text='2', id='desk')]
    """
    parts: list[list[_Token]] = [[]]
    for token in _tokens(text):
        if not token[1] and token[0] in ";\n\r":
            parts.append([])
        else:
            parts[-1].append(token)
    found: list[Part] = []
    for tokens in parts:
        tokens = _strip(tokens)
        marked = _marked(tokens)
        step_id = None
        if id_at == "end":
            match = re.search(_ID.pattern + r"$", marked)
            if match:
                step_id = _plain(tokens[match.start(1) : match.end(1)])
                tokens = _strip(tokens[: match.start()])
        else:
            match = _ID.match(marked)
            if match:
                step_id = _plain(tokens[match.start(1) : match.end(1)])
                tokens = _strip(tokens[match.end() :])
        part = Part(text=_plain(tokens), id=step_id)
        if part.text or part.id is not None or keep_empty:
            found.append(part)
    if keep_empty:
        # Trailing empty parts (a cell ending in "; ") mean nothing.
        while found and not found[-1].text and found[-1].id is None:
            found.pop()
    return found
