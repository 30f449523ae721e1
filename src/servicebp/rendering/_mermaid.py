"""Blueprints as Mermaid text: a user-journey diagram or a flowchart.

``journey``: each stage with customer actions becomes a ``section``, each
customer action a task, in time order. A task's actors are the customer
step's actor (``Customer`` when none is given) and the actors of the
frontstage steps it is connected to. Its score is the step's rating mapped
from the moment-of-truth scale −3 … +3 onto Mermaid's 1 … 5 with
:data:`servicebp.scales.MERMAID` (linear, ``(r + 3) × 2/3 + 1``) and rounded
to the nearest whole score, halves up:

======  ====  ====  ====  ====  ====  ====  ====
rating   −3    −2    −1     0    +1    +2    +3
score     1     2     2     3     4     4     5
======  ====  ====  ====  ====  ====  ====  ====

A step without a rating scores 3 (neutral).

``flowchart``: each lane becomes a ``subgraph`` (top to bottom), steps keep
their stage order inside it, sequence flows are solid arrows and support
flows dotted ones, labelled with their condition and probability.

User text is written with Mermaid's numeric entity codes (``#58;`` for
``:``) for every character Mermaid gives a meaning to, so it cannot end a
task, open a comment or become markup. In a journey, a task or section name
that starts with one of the journey lexer's keywords (``journey``, ``title``
or ``section`` and a space, ``accTitle``, ``accDescr``; matched regardless of
case) has its first character written as an entity too, so that it stays a
name. The flowchart puts all user text in quoted strings, where keywords
such as ``end`` or ``subgraph`` have no meaning.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Final

from servicebp.errors import InvalidArgumentError
from servicebp.model import Blueprint, Flow, FlowKind, Lane, Step
from servicebp.rendering._dot import _ratings_of
from servicebp.rendering._layout import grid_of
from servicebp.scales._scale import MERMAID

__all__ = ["MERMAID_KINDS", "mermaid_score", "to_mermaid"]

#: The kinds of Mermaid diagram :func:`to_mermaid` writes.
MERMAID_KINDS: Final = ("journey", "flowchart")
_SPECIAL: Final = frozenset('"#:;%<>&`|[](){}\\=,')
#: What Mermaid's journey lexer (case-insensitive) reads as a keyword at the
#: start of a line, before it would read a task name.
_JOURNEY_KEYWORD: Final = re.compile(r"journey|title\s|section\s|acctitle|accdescr", re.IGNORECASE)


def _text(text: str, *, line_break: str) -> str:
    out: list[str] = []
    for char in text.strip():
        if char == "\n":
            out.append(line_break)
        elif char in _SPECIAL or not char.isprintable():
            out.append(f"#{ord(char)};")
        else:
            out.append(char)
    return "".join(out)


def _journey_text(text: str) -> str:
    """Escape *text* as a journey task or section name.

    Examples
    --------
    >>> [_journey_text(t) for t in ("Title deed", "SECTION 8", "accTitle", "Titles")]
    ['#84;itle deed', '#83;ECTION 8', '#97;ccTitle', 'Titles']
    """
    escaped = _text(text, line_break=" ")
    if _JOURNEY_KEYWORD.match(escaped):
        escaped = f"#{ord(escaped[0])};{escaped[1:]}"
    return escaped


def mermaid_score(rating: float | None) -> int:
    """Return the Mermaid journey score (1 … 5) of a rating on −3 … +3.

    Examples
    --------
    >>> [mermaid_score(r) for r in (-3, -2, -1, 0, 1, 2, 3)], mermaid_score(None)
    ([1, 2, 2, 3, 4, 4, 5], 3)
    """
    if rating is None:
        return 3
    return math.floor(MERMAID.from_mot(rating) + 0.5)


def _flow_text(flow: Flow) -> str:
    parts = [flow.label] if flow.label is not None else []
    if flow.probability is not None:
        parts.append(f"{flow.probability * 100:g} %")
    return " ".join(parts)


def to_mermaid(
    bp: Blueprint,
    *,
    kind: str = "journey",
    ratings: Mapping[str, float] | None = None,
) -> str:
    """Return *bp* as Mermaid text of the given *kind*.

    Parameters
    ----------
    bp : Blueprint
        The blueprint.
    kind : {"journey", "flowchart"}
        The Mermaid diagram to write.
    ratings : mapping of step id to float, optional
        Ratings (−3 … +3) that override the steps' designed ratings.

    Raises
    ------
    ValueError
        If *kind* is not one of :data:`MERMAID_KINDS`.
    UnknownStepError, RatingError
        For a rating of an unknown step, or off the scale.

    Examples
    --------
    >>> from servicebp import Blueprint, Step
    >>> bp = Blueprint("Coffee: to go", stages=["order"])
    >>> _ = bp.add_step(Step(id="o", label="Order", lane="customer", stage="order", rating=2))
    >>> print(to_mermaid(bp))
    journey
        title Coffee#58; to go
        section order
            Order: 4: Customer
    """
    if kind not in MERMAID_KINDS:
        raise InvalidArgumentError(
            f"unknown Mermaid kind: {kind!r} (must be one of {list(MERMAID_KINDS)})"
        )
    shown = _ratings_of(bp, ratings)
    if kind == "journey":
        return _journey(bp, shown)
    return _flowchart(bp)


def _journey(bp: Blueprint, shown: dict[str, float]) -> str:
    lines = ["journey", f"    title {_text(bp.name, line_break=' ')}"]
    spine = bp.customer_spine()
    graph = bp.graph
    for stage in bp.stages:
        tasks = [step for step in spine if step.stage == stage]
        if not tasks:
            continue
        lines.append(f"    section {_journey_text(stage)}")
        for step in tasks:
            actors = [step.actor or "Customer"]
            neighbours = sorted({*graph.successors(step.id), *graph.predecessors(step.id)})
            for other in neighbours:
                served = bp[other]
                if served.lane is Lane.FRONTSTAGE and served.actor and served.actor not in actors:
                    actors.append(served.actor)
            who = ", ".join(_text(actor, line_break=" ") for actor in actors)
            task = _journey_text(step.label)
            lines.append(f"        {task}: {mermaid_score(shown.get(step.id))}: {who}")
    return "\n".join(lines)


def _flowchart(bp: Blueprint) -> str:
    grid = grid_of(bp)
    names = {step_id: f"s{i}" for i, step_id in enumerate(grid.order)}
    lines = ["flowchart TB", f"    %% {_text(bp.name, line_break=' ')}"]
    for lane in Lane:
        steps: list[Step] = [bp[i] for i in grid.order if bp[i].lane is lane]
        if not steps:
            continue
        lines.append(f'    subgraph lane{lane.position}["{_text(lane.caption, line_break=" ")}"]')
        lines.append("        direction LR")
        for step in steps:
            label = _text(step.label, line_break="<br>")
            if step.moment is not None:
                tag = _text(f"[MOT: {step.moment.kind.value}]", line_break=" ")
                lines.append(f'        {names[step.id]}[["{tag}<br>{label}"]]')
            else:
                lines.append(f'        {names[step.id]}("{label}")')
        lines.append("    end")
    position = {step_id: i for i, step_id in enumerate(grid.order)}
    flows = sorted(bp.flows(), key=lambda f: (position[f.source], position[f.target]))
    for flow in flows:
        arrow = "-->" if flow.kind is FlowKind.SEQUENCE else "-.->"
        text = _flow_text(flow)
        label = f'|"{_text(text, line_break="<br>")}"|' if text else ""
        lines.append(f"    {names[flow.source]} {arrow}{label} {names[flow.target]}")
    return "\n".join(lines)
