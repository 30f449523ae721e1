"""Blueprints as Mermaid text: a user-journey diagram or a flowchart.

``journey``: each stage with customer actions becomes a ``section``, each
customer action a task, in time order; a moment of truth is marked
``[MOT] `` before its name. A task's actors are the customer step's actor
(``Customer`` when none is given) and, for each frontstage step it is
connected to, that step's actor, else its label: who or what serves the
customer there. The score is the rating mapped linearly from the
moment-of-truth scale −3 … +3 onto Mermaid's 1 … 5 (``1 + (r + 3) × 2/3``,
to two decimals). Whole scores 1 … 5 cannot hold the scale's seven levels
(+1 and +2 would both be 4), so the scores keep their decimals, and a
``%%`` comment line says so; Mermaid draws a smiling face above 3 and a sad
one below, so the face is the rating's sign. A step without a rating scores
3 (neutral).

======  ====  ====  ====  ====  ====  ====  ====
rating   −3    −2    −1     0    +1    +2    +3
score     1   1.67  2.33    3   3.67  4.33    5
======  ====  ====  ====  ====  ====  ====  ====

Journey text is shown as written (Mermaid does not decode entity codes
there), so nothing is escaped but what would end a name: ``:``, ``;`` and
``#`` are written as their look-alikes ``∶`` (U+2236), ``;`` (U+037E) and
``＃`` (U+FF03), ``<`` and ``>`` as ``＜`` and ``＞`` (so no tag can
form), ``%%`` (which starts a comment) as ``％％`` (U+FF05), a comma
in an actor's name as ``‚`` (U+201A, the comma
separates actors), and a line break as a space. A task or section name that
starts with one of the journey lexer's keywords (``journey``, ``title`` or
``section`` and a space, ``accTitle``, ``accDescr``; matched regardless of
case) has its first character written as an entity code, the one escape
that keeps it a name.

``flowchart``: one subgraph per lane, top to bottom, holding one subgraph
per stage, left to right, with the steps; the three lines are dashed bars
between the lanes; sequence flows are solid arrows and support flows dotted
ones, labelled with their condition and probability. The layout does not
rely on a subgraph's ``direction`` (Mermaid ignores it once a node links
outside the subgraph): invisible links (``~~~``) chain the lanes and lines
from top to bottom and the stages of a lane from left to right. Moments of
truth are subroutine shapes (``[[…]]``) with a ``[MOT: kind]`` tag; ratings,
fail points and waits over tolerance are ``classDef`` classes in the SVG's
colours. All user text is in quoted strings, with ``"``, ``#``, ``<``,
``>``, ``&``, ``%``, ``[``, ``]``, ``|`` and the backtick as entity codes
(which the flowchart decodes), so no keyword, directive, markup or Markdown
in it takes effect; commas and other text stay as written.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Final

from servicebp.errors import InvalidArgumentError
from servicebp.model import Blueprint, Flow, FlowKind, Lane, Line, Step
from servicebp.rendering._dot import ratings_shown, seen_by
from servicebp.rendering._layout import grid_of
from servicebp.rendering._palette import RATING_COLOURS, RATING_TEXT_COLOURS, rating_class
from servicebp.scales._scale import MERMAID

__all__ = ["MERMAID_KINDS", "mermaid_score", "to_mermaid"]

#: The kinds of Mermaid diagram :func:`to_mermaid` writes.
MERMAID_KINDS: Final = ("journey", "flowchart")
#: Characters a journey name cannot hold, and the look-alikes written instead.
_JOURNEY_LOOKALIKES: Final = {
    ":": "\u2236",
    ";": "\u037e",
    "#": "\uff03",
    "<": "\uff1c",
    ">": "\uff1e",
}
#: What Mermaid's journey lexer (case-insensitive) reads as a keyword at the
#: start of a line, before it would read a task name.
_JOURNEY_KEYWORD: Final = re.compile(r"journey|title\s|section\s|acctitle|accdescr", re.IGNORECASE)
_FLOWCHART_SPECIAL: Final = frozenset('"#<>&`%[]|')
_SCALE_NOTE: Final = (
    "    %% scores: ratings -3..+3 mapped onto 1..5 as 1 + (r + 3) x 2/3, keeping all seven "
    "levels apart (-3 1, -2 1.67, -1 2.33, 0 3, +1 3.67, +2 4.33, +3 5); whole scores "
    "1..5 cannot hold them"
)
_FAIL_COLOUR: Final = "#b2182b"
_OVER_WAIT_COLOUR: Final = "#e66101"


def _journey_plain(text: str, *, extra: Mapping[str, str] | None = None) -> str:
    table = {**_JOURNEY_LOOKALIKES, **(extra or {})}
    written = "".join(table.get(char, char) for char in " ".join(text.split()))
    # "%%" anywhere after a character starts a comment in the journey lexer.
    return re.sub(r"%%+", lambda run: "\uff05" * len(run.group()), written)


def _journey_text(text: str) -> str:
    """Write *text* as a journey task or section name.

    Examples
    --------
    >>> [_journey_text(t) for t in ("Title deed", "SECTION 8", "Pay: 5, tip", "Titles")]
    ['#84;itle deed', '#83;ECTION 8', 'Pay∶ 5, tip', 'Titles']
    >>> _journey_text("tip; #1") == "tip\N{GREEK QUESTION MARK} \N{FULLWIDTH NUMBER SIGN}1"
    True
    """
    written = _journey_plain(text)
    if _JOURNEY_KEYWORD.match(written):
        written = f"#{ord(written[0])};{written[1:]}"
    return written


def mermaid_score(rating: float | None) -> float:
    """Return the Mermaid journey score (1 … 5, two decimals) of a rating on −3 … +3.

    Examples
    --------
    >>> [mermaid_score(r) for r in (-3, -2, -1, 0, 1, 2, 3)], mermaid_score(None)
    ([1, 1.67, 2.33, 3, 3.67, 4.33, 5], 3)
    """
    if rating is None:
        return 3
    score = round(MERMAID.from_mot(rating), 2)
    return int(score) if score.is_integer() else score


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
    persona: str | None = None,
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
    persona : str, optional
        Write the blueprint as this declared persona sees it (its ratings,
        its label in the title).

    Raises
    ------
    InvalidArgumentError
        If *kind* is not one of :data:`MERMAID_KINDS`.
    UnknownStepError, RatingError
        For a rating of an unknown step, or off the scale.

    Examples
    --------
    >>> from servicebp import Blueprint, MomentOfTruth, Step
    >>> bp = Blueprint("Coffee: to go", stages=["order"])
    >>> _ = bp.add_step(Step(id="o", label="Orders a latte, oat milk", lane="customer",
    ...                      stage="order", rating=2, moment=MomentOfTruth(kind="purchase")))
    >>> _ = bp.add_step(Step(id="b", label="Takes the order", lane="frontstage",
    ...                      stage="order", actor="barista"))
    >>> _ = bp.connect("o", "b", kind="support")
    >>> print(to_mermaid(bp))  # doctest: +ELLIPSIS
    journey
        title Coffee∶ to go
        %% scores: ratings -3..+3 mapped onto 1..5 as 1 + (r + 3) x 2/3, ...
        section order
            [MOT] Orders a latte, oat milk: 4.33: Customer, barista
    """
    if kind not in MERMAID_KINDS:
        raise InvalidArgumentError(
            f"unknown Mermaid kind: {kind!r} (must be one of {list(MERMAID_KINDS)})"
        )
    bp = seen_by(bp, persona)
    shown = ratings_shown(bp, ratings)
    if kind == "journey":
        return _journey(bp, shown)
    return _flowchart(bp, shown)


def _actors(bp: Blueprint, step: Step) -> list[str]:
    actors = [step.actor or "Customer"]
    graph = bp.graph
    for other in sorted({*graph.successors(step.id), *graph.predecessors(step.id)}):
        served = bp[other]
        if served.lane is not Lane.FRONTSTAGE:
            continue
        who = served.actor or served.label
        if who not in actors:
            actors.append(who)
    return actors


def _journey(bp: Blueprint, shown: dict[str, float]) -> str:
    lines = ["journey", f"    title {_journey_plain(bp.name)}", _SCALE_NOTE]
    spine = bp.customer_spine()
    for stage in bp.stages:
        tasks = [step for step in spine if step.stage == stage]
        if not tasks:
            continue
        lines.append(f"    section {_journey_text(bp.stage(stage).label)}")
        for step in tasks:
            who = ", ".join(
                _journey_plain(actor, extra={",": "\u201a"}) for actor in _actors(bp, step)
            )
            name = ("[MOT] " if step.moment is not None else "") + step.label
            lines.append(
                f"        {_journey_text(name)}: {mermaid_score(shown.get(step.id))}: {who}"
            )
    return "\n".join(lines)


def _quoted(text: str) -> str:
    out: list[str] = []
    for char in text.strip():
        if char == "\n":
            out.append("<br>")
        elif char in _FLOWCHART_SPECIAL or not char.isprintable():
            out.append(f"#{ord(char)};")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def _rating_class_name(whole: int) -> str:
    return f"rating_{'m' if whole < 0 else 'p'}{abs(whole)}"


def _class_defs() -> list[str]:
    lines = [
        f"    classDef {_rating_class_name(whole)} fill:{fill},color:{RATING_TEXT_COLOURS[whole]}"
        for whole, fill in RATING_COLOURS.items()
    ]
    lines.append("    classDef moment stroke-width:3px")
    lines.append(f"    classDef fail stroke:{_FAIL_COLOUR},stroke-width:2.5px")
    lines.append(f"    classDef overwait stroke:{_OVER_WAIT_COLOUR},stroke-width:3px")
    lines.append("    classDef line fill:none,stroke:#555555,stroke-dasharray:6 4,color:#555555")
    lines.append("    classDef lane fill:#f7f7f7,stroke:#bbbbbb")
    return lines


def _node(name: str, step: Step) -> str:
    text = step.label
    if step.wait is not None:
        text += f"\n(W {step.wait.duration:g} min)"
    if step.fail_point is not None:
        text += "\n(F)"
    if step.moment is not None:
        return f"{name}[[{_quoted(f'[MOT: {step.moment.kind.value}]' + chr(10) + text)}]]"
    return f"{name}({_quoted(text)})"


def _flowchart(bp: Blueprint, shown: dict[str, float]) -> str:
    grid = grid_of(bp)
    names = {step_id: f"s{i}" for i, step_id in enumerate(grid.order)}
    lines = ["flowchart TB", f"    %% {_quoted(bp.name)[1:-1]}"]
    rows: list[str] = []
    for lane in Lane:
        lane_name = f"lane{lane.position}"
        lines.append(f"    subgraph {lane_name}[{_quoted(lane.caption)}]")
        stages: list[str] = []
        for i, (stage, _, _) in enumerate(grid.stages):
            steps = [bp[s] for s in grid.order if bp[s].lane is lane and bp[s].stage == stage]
            stage_name = f"{lane_name}_{i}"
            stages.append(stage_name)
            lines.append(f"        subgraph {stage_name}[{_quoted(stage)}]")
            if steps:
                lines.extend(f"            {_node(names[step.id], step)}" for step in steps)
            else:
                # An empty stage still holds its column.
                lines.append(f'            {stage_name}_empty[" "]')
                lines.append(f"            style {stage_name}_empty fill:none,stroke:none")
            lines.append("        end")
        lines.append(f"        {' ~~~ '.join(stages)}" if len(stages) > 1 else "")
        lines.append("    end")
        lines.append(f"    class {lane_name} lane")
        rows.append(lane_name)
        for line in Line:
            if line.above is lane:
                line_name = f"line{list(Line).index(line)}"
                lines.append(f"    {line_name}[{_quoted(line.caption)}]")
                lines.append(f"    class {line_name} line")
                rows.append(line_name)
    lines = [line for line in lines if line]
    lines.append(f"    {' ~~~ '.join(rows)}")
    position = {step_id: i for i, step_id in enumerate(grid.order)}
    for flow in sorted(bp.flows(), key=lambda f: (position[f.source], position[f.target])):
        arrow = "-->" if flow.kind is FlowKind.SEQUENCE else "-.->"
        text = _flow_text(flow)
        label = f"|{_quoted(text)}|" if text else ""
        lines.append(f"    {names[flow.source]} {arrow}{label} {names[flow.target]}")
    lines.extend(_class_defs())
    for step_id in grid.order:
        step = bp[step_id]
        classes: list[str] = []
        if step.id in shown:
            classes.append(_rating_class_name(rating_class(shown[step.id])))
        if step.moment is not None:
            classes.append("moment")
        if step.wait is not None and step.wait.over_tolerance:
            classes.append("overwait")
        elif step.fail_point is not None:
            classes.append("fail")
        if classes:
            lines.append(f"    class {names[step.id]} {','.join(classes)}")
    return "\n".join(lines)
