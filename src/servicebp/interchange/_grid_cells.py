"""The cells of a grid read into stages, steps, step details and flows.

Private: the parts of :func:`servicebp.read_grid` that read one kind of
row each (the header's stages, a lane's steps, a detail row, the arrows),
over a :class:`Reader` that collects every problem (at its cell) and every
cell it cannot place (an :class:`UnmappedCell`), so that one
:class:`~servicebp.errors.GridError` names them all.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Sequence
from typing import Any, Final

import attrs

from servicebp.errors import BlueprintValidationError, Problem
from servicebp.interchange._grid_text import Cell, Part, normalize, slug, split_cell
from servicebp.model import (
    Blueprint,
    FailPoint,
    Flow,
    Lane,
    MomentOfTruth,
    Stage,
    Step,
    Wait,
)

__all__ = [
    "Reader",
    "Spec",
    "UnmappedCell",
    "beyond",
    "blame",
    "messages",
    "read_arrows",
    "read_details",
    "read_stages",
    "read_steps",
    "step_ids",
]


@attrs.frozen(kw_only=True)
class UnmappedCell:
    """A cell of a grid that the reader could not place in the blueprint.

    Attributes
    ----------
    cell : str
        Its reference, ``B7`` (or ``arrows!C2`` on a second sheet).
    text : str
        What it holds.
    reason : str
        Why it was left out.
    file : str or None
        The grid's file.
    """

    cell: str
    text: str
    reason: str
    file: str | None = None

    def __str__(self) -> str:
        where = f"{self.file}: " if self.file is not None else ""
        return f"{where}cell {self.cell}: {self.text!r} not imported: {self.reason}"


@attrs.define
class Spec:
    """A step as read, before its id is final."""

    cell: Cell
    lane: Lane
    stage: str
    label: str
    id: str | None
    fields: dict[str, Any] = attrs.Factory(dict)
    set_by: dict[str, Cell] = attrs.Factory(dict)


class Reader:
    def __init__(self, file: str | None) -> None:
        self.file = file
        self.problems: list[Problem] = []
        self.unmapped: list[UnmappedCell] = []

    def problem(self, cell: Cell, message: str) -> None:
        self.problems.append(
            Problem(
                message=f"cell {cell.ref}: {message}",
                file=self.file,
                line=cell.row,
                column=cell.column,
            )
        )

    def skip(self, cell: Cell, reason: str) -> None:
        self.unmapped.append(
            UnmappedCell(cell=cell.ref, text=cell.text, reason=reason, file=self.file)
        )


def _number(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(text)
    return int(value) if value.is_integer() and abs(value) < 2**53 else value


def _wait(text: str) -> Wait:
    duration, _, tolerance = text.partition("/")
    return Wait(
        duration=_number(duration.strip()),
        tolerance=_number(tolerance.strip()) if tolerance.strip() else None,
    )


#: How the text of each step detail becomes the field's value.
_PARSERS: Final[dict[str, Callable[[str], Any]]] = {
    "rating": _number,
    "moment": lambda text: MomentOfTruth(kind=text),
    "fail_point": lambda text: FailPoint(what=text),
    "wait": _wait,
    "channel": str,
    "actor": str,
    "duration": _number,
    "cost": _number,
}


_EXPECTED: Final = {
    "rating": "a number from -3 to +3",
    "wait": "minutes, or minutes/tolerable minutes (e.g. 15/5)",
    "duration": "a number of minutes",
    "cost": "a number",
}


def messages(error: BlueprintValidationError) -> str:
    return "; ".join(problem.message for problem in error.problems)


def blame(reader: Reader, spec: Spec, step_id: str, error: BlueprintValidationError) -> None:
    """Report a step the model refuses at the cell of each detail it refuses, else at its own."""
    blamed = False
    for field, value in spec.fields.items():
        try:
            Step(id=step_id, label=spec.label, lane=spec.lane, stage=spec.stage, **{field: value})
        except BlueprintValidationError as alone:
            reader.problem(spec.set_by[field], f"step {step_id!r}: {messages(alone)}")
            blamed = True
    if not blamed:
        reader.problem(spec.cell, messages(error))


def beyond(reader: Reader, cells: Sequence[Cell], reason: str) -> None:
    for cell in cells:
        if cell.text.strip():
            reader.skip(cell, reason)


def read_stages(reader: Reader, header: list[Cell], labels: dict[str, Stage]) -> dict[int, str]:
    stage_at: dict[int, str] = {}
    seen: dict[str, Cell] = {}
    for cell in header[1:]:
        text = cell.text.strip()
        if not text:
            continue
        stage = "-".join(text.split())
        # "Label {#id}" gives a stage its id and display label (as the writer does).
        parts = split_cell(text, id_at="end")
        if len(parts) == 1 and parts[0].id is not None:
            stage = parts[0].id
            labels[stage] = Stage(id=stage, label=parts[0].text or stage)
        if stage in seen:
            reader.problem(cell, f"stage {stage!r} is named twice (also in {seen[stage].ref})")
            continue
        try:
            Blueprint("check", stages=[stage])
        except BlueprintValidationError as error:
            reader.problem(cell, messages(error))
            continue
        seen[stage] = cell
        stage_at[cell.column] = stage
        labels.setdefault(stage, Stage(id=stage))
    return stage_at


def staged_cells(
    reader: Reader, row: list[Cell], stage_at: dict[int, str]
) -> Iterator[tuple[Cell, str]]:
    """The non-blank cells of a lane's *row* with the stage above each; a cell under no
    stage is skipped with its reason."""
    for cell in row[1:]:
        if not cell.text.strip():
            continue
        stage = stage_at.get(cell.column)
        if stage is None:
            reader.skip(cell, "no stage is named above it in the header row")
            continue
        yield cell, stage


def read_steps(
    reader: Reader, row: list[Cell], lane: Lane, stage_at: dict[int, str], specs: list[Spec]
) -> None:
    for cell, stage in staged_cells(reader, row, stage_at):
        for part in split_cell(cell.text, id_at="end"):
            if not part.text:
                reader.problem(cell, f"step {part.id!r} has no label before its {{#id}}")
                continue
            specs.append(Spec(cell=cell, lane=lane, stage=stage, label=part.text, id=part.id))


def step_ids(reader: Reader, specs: list[Spec]) -> list[str]:
    """Each step's id: the one given with ``{#id}``, else one made from its label."""
    given: dict[str, Cell] = {}
    for spec in specs:
        if spec.id is None:
            continue
        if spec.id in given:
            reader.problem(
                spec.cell, f"step id {spec.id!r} is given twice (also in {given[spec.id].ref})"
            )
        given.setdefault(spec.id, spec.cell)
    taken = set(given)
    ids: list[str] = []
    for spec in specs:
        if spec.id is not None:
            ids.append(spec.id)
            continue
        base = slug(spec.label)
        made, n = base, 1
        while made in taken:
            n += 1
            made = f"{base}-{n}"
        taken.add(made)
        ids.append(made)
    return ids


def read_details(
    reader: Reader,
    field: str,
    row: list[Cell],
    stage_at: dict[int, str],
    specs: list[Spec],
    ids: list[str],
) -> None:
    by_id = dict(zip(ids, specs, strict=True))
    for cell, stage in staged_cells(reader, row, stage_at):
        customers = [
            (i, s)
            for i, s in zip(ids, specs, strict=True)
            if s.stage == stage and s.lane is Lane.CUSTOMER
        ]
        position = 0
        for part in split_cell(cell.text, id_at="start", keep_empty=True):
            if part.id is None:
                if part.text and position >= len(customers):
                    reader.problem(
                        cell,
                        f"{part.text!r} is value {position + 1} but stage {stage!r} has "
                        f"{len(customers)} customer step(s); name the step with {{#id}}",
                    )
                    break
                target = customers[position][1] if part.text else None
                position += 1
            elif part.id in by_id:
                target = by_id[part.id]
            else:
                reader.problem(cell, f"no step has the id {part.id!r}")
                continue
            if target is None:
                continue
            _set(reader, cell, field, part, target)


def _set(reader: Reader, cell: Cell, field: str, part: Part, target: Spec) -> None:
    if not part.text:
        reader.problem(cell, f"{{#{part.id}}} has no value after it")
        return
    if field in target.fields:
        reader.problem(
            cell,
            f"{field} of step {target.label!r} is given twice (also in {target.set_by[field].ref})",
        )
        return
    try:
        target.fields[field] = _PARSERS[field](part.text)
    except ValueError as error:
        if isinstance(error, BlueprintValidationError):
            message = messages(error)
        else:
            message = f"{part.text!r} is not {_EXPECTED[field]}"
        reader.problem(cell, message)
        return
    target.set_by[field] = cell


def read_arrows(reader: Reader, bp: Blueprint, rows: list[list[Cell]]) -> None:
    by_label: dict[str, list[str]] = {}
    for step in bp.steps():
        by_label.setdefault(step.label, []).append(step.id)
    for row in rows:
        cells = [*row, *[Cell(ref="", row=0, column=0, text="")] * (5 - len(row))]
        texts = [cell.text.strip() for cell in cells]
        if not any(texts) or normalize(texts[0]) in ("from", "source"):
            continue
        beyond(reader, cells[5:], "an arrow has five columns: from, to, kind, label, probability")
        ends: list[str] = []
        for cell, text in zip(cells[:2], texts[:2], strict=True):
            if text in bp:
                ends.append(text)
            elif len(by_label.get(text, [])) == 1:
                ends.append(by_label[text][0])
            else:
                many = len(by_label.get(text, [])) > 1
                why = "names several steps; use an id" if many else "is no step's id or label"
                reader.problem(cell if cell.ref else row[0], f"{text!r} {why}")
        if len(ends) < 2:
            continue
        kind = texts[2] or (
            "sequence"
            if bp[ends[0]].lane is Lane.CUSTOMER and bp[ends[1]].lane is Lane.CUSTOMER
            else "support"
        )
        try:
            probability = _number(texts[4]) if texts[4] else None
        except ValueError:
            reader.problem(cells[4], f"{texts[4]!r} is not a probability (a number from 0 to 1)")
            continue
        flow = _flow(reader, cells, ends, kind, texts[3] or None, probability)
        if flow is None:
            continue
        try:
            bp.add_flow(flow)
        except BlueprintValidationError as error:
            reader.problem(row[0], messages(error))


def _flow(
    reader: Reader,
    cells: list[Cell],
    ends: list[str],
    kind: str,
    label: str | None,
    probability: float | None,
) -> Flow | None:
    """The flow of one arrow row, or None with each bad field reported at its cell."""
    try:
        return Flow(source=ends[0], target=ends[1], kind=kind, label=label, probability=probability)
    except BlueprintValidationError:
        pass
    fields: dict[str, tuple[Cell, Any]] = {
        "kind": (cells[2], kind),
        "label": (cells[3], label),
        "probability": (cells[4], probability),
    }
    for field, (cell, value) in fields.items():
        try:
            Flow(source=ends[0], target=ends[1], **{field: value})
        except BlueprintValidationError as error:
            reader.problem(cell, messages(error))
    return None
