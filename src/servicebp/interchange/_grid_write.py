"""Blueprints written as grids: the table :func:`~servicebp.read_grid` reads back.

The header row is the blueprint's name and its stages; then one row per lane
(all five, so that the file is a template to fill in), one row per step
detail that some step has, and an ``arrows`` section only when the
blueprint's flows are not the ones the grid implies. A step whose id is not
the one its label gives is written ``label {#id}``.
"""

from __future__ import annotations

import io
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, Final

import attrs

from servicebp._atomic import write_atomic
from servicebp._csv_cells import neutralise_cell
from servicebp.errors import GridError, MissingDependencyError, Problem
from servicebp.interchange._grid import default_flows
from servicebp.interchange._grid_text import FIELD_TITLES, escape, slug
from servicebp.model import Blueprint, Flow, Lane, LintConfig, Stage, Step

__all__ = ["GridExport", "grid_losses", "to_grid", "write_grid"]

_ARROW_HEADER: Final = ["from", "to", "kind", "label", "probability"]


@attrs.frozen(kw_only=True)
class GridExport:
    """What :func:`write_grid` wrote, and what a grid cannot hold (``lost``)."""

    path: Path
    lost: tuple[Problem, ...]


def _stage_header(stage: Stage) -> str:
    """The header cell of *stage*: its id, or its label with ``{#id}`` when they differ."""
    if stage.label == stage.id:
        return stage.id
    return f"{escape(stage.label)} {{#{stage.id}}}"


def _number(value: float) -> str:
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return str(int(value))
    return repr(value)


def _wait(step: Step) -> str | None:
    if step.wait is None:
        return None
    text = _number(step.wait.duration)
    if step.wait.tolerance is not None:
        text += f"/{_number(step.wait.tolerance)}"
    return text


#: How each step detail is written, None when the step has none.
_WRITERS: Final[dict[str, Callable[[Step], str | None]]] = {
    "rating": lambda s: None if s.rating is None else _number(s.rating),
    "moment": lambda s: None if s.moment is None else s.moment.kind.value,
    "fail_point": lambda s: None if s.fail_point is None else s.fail_point.what,
    "wait": _wait,
    "channel": lambda s: s.channel,
    "actor": lambda s: s.actor,
    "duration": lambda s: None if s.duration is None else _number(s.duration),
    "cost": lambda s: None if s.cost is None else _number(s.cost),
}


def _cells(bp: Blueprint) -> dict[tuple[Lane, str], list[Step]]:
    cells: dict[tuple[Lane, str], list[Step]] = {}
    for step in bp.customer_spine():
        cells.setdefault((Lane.CUSTOMER, step.stage), []).append(step)
    for step in bp.steps():
        if step.lane is not Lane.CUSTOMER:
            cells.setdefault((step.lane, step.stage), []).append(step)
    return cells


def _step_text(step: Step) -> str:
    text = escape(step.label)
    return text if step.id == slug(step.label) else f"{text} {{#{escape(step.id)}}}"


def _implied(bp: Blueprint, cells: dict[tuple[Lane, str], list[Step]]) -> set[Flow]:
    ids = {key: [step.id for step in steps] for key, steps in cells.items()}
    return {
        Flow(source=source, target=target, kind=kind)
        for source, target, kind in default_flows(ids, bp.stages)
    }


def to_grid(bp: Blueprint) -> list[list[str]]:
    """Return *bp* as the rows of a grid (see :func:`read_grid`).

    Examples
    --------
    >>> from servicebp import Step
    >>> bp = Blueprint("Coffee", stages=["order"])
    >>> _ = bp.add_step(Step(id="orders", label="Orders", lane="customer", stage="order",
    ...                      rating=1))
    >>> _ = bp.add_step(Step(id="take", label="Takes the order", lane="frontstage",
    ...                      stage="order"))
    >>> _ = bp.connect("orders", "take", kind="support")
    >>> for row in to_grid(bp):
    ...     print(row)
    ['Coffee', 'order']
    ['Physical evidence', '']
    ['Customer actions', 'Orders']
    ['Frontstage', 'Takes the order {#take}']
    ['Backstage', '']
    ['Support processes', '']
    ['Rating', '1']
    """
    cells = _cells(bp)
    rows: list[list[str]] = [[bp.name, *(_stage_header(bp.stage(s)) for s in bp.stages)]]
    for lane in Lane:
        rows.append(
            [
                lane.caption,
                *(
                    "\n".join(_step_text(s) for s in cells.get((lane, stage), []))
                    for stage in bp.stages
                ),
            ]
        )
    for field, write in _WRITERS.items():
        if not any(write(step) is not None for step in bp.steps()):
            continue
        row = [FIELD_TITLES[field]]
        for stage in bp.stages:
            customers = [write(step) for step in cells.get((Lane.CUSTOMER, stage), [])]
            while customers and customers[-1] is None:
                customers.pop()
            parts = [escape(value) if value is not None else "" for value in customers]
            parts.extend(
                f"{{#{escape(step.id)}}} {escape(value)}"
                for lane in Lane
                if lane is not Lane.CUSTOMER
                for step in cells.get((lane, stage), [])
                if (value := write(step)) is not None
            )
            row.append("; ".join(parts))
        rows.append(row)
    if set(bp.flows()) != _implied(bp, cells):
        # In the order the reader adds the steps: a grid read and written again is the same.
        position = {
            step.id: i
            for i, step in enumerate(
                step
                for lane in Lane
                for stage in bp.stages
                for step in cells.get((lane, stage), [])
            )
        }
        flows = sorted(bp.flows(), key=lambda f: (position[f.source], position[f.target]))
        rows.append(["arrows"])
        rows.append(list(_ARROW_HEADER))
        rows.extend(
            [
                flow.source,
                flow.target,
                flow.kind.value,
                flow.label or "",
                "" if flow.probability is None else _number(flow.probability),
            ]
            for flow in flows
        )
    return rows


def grid_losses(bp: Blueprint) -> tuple[Problem, ...]:
    """What a grid of *bp* cannot hold, one problem per step and field.

    Examples
    --------
    >>> from servicebp import Step
    >>> bp = Blueprint("Coffee", stages=["order"], description="Morning rush")
    >>> _ = bp.add_step(Step(id="o", label="Orders", lane="customer", stage="order",
    ...                      evidence=["menu"]))
    >>> [str(p) for p in grid_losses(bp)]
    ['description: a grid has no place for it', "step 'o': evidence: a grid has no place for it"]
    """
    why = "a grid has no place for it"
    lost: list[Problem] = []
    if bp.description is not None:
        lost.append(Problem(message=why, field="description"))
    if bp.lint != LintConfig():
        lost.append(Problem(message=why, field="lint"))
    # One row per lane and step: a grid holds the steps' own values, no persona's.
    lost.extend(
        Problem(message=why, field=name) for name in ("scenario", "personas") if getattr(bp, name)
    )
    ends = "white space at its ends is dropped"
    if bp.name != bp.name.strip():
        lost.append(Problem(message=ends, field="name"))
    for flow in bp.flows():
        if flow.label is not None and flow.label != flow.label.strip():
            lost.append(Problem(message=ends, step=flow.source, field=f"flow to {flow.target!r}"))
    for step in bp.steps():
        dropped: list[str] = []
        if step.moment is not None:
            moment = step.moment
            extra: dict[str, Any] = {
                "contact_mode": moment.contact_mode,
                "weight": moment.weight != 1.0 or None,
                "expectations": moment.expectations or None,
                "behaviours": moment.behaviours or None,
                "rubric": moment.rubric,
            }
            dropped.extend(f"moment.{name}" for name, value in extra.items() if value is not None)
        if step.fail_point is not None:
            if step.fail_point.recovery is not None:
                dropped.append("fail_point.recovery")
            if step.fail_point.probability is not None:
                dropped.append("fail_point.probability")
        if step.standard is not None:
            dropped.append("standard")
        dropped.extend(
            name for name in ("evidence", "attributes", "per_persona") if getattr(step, name)
        )
        lost.extend(Problem(message=why, step=step.id, field=name) for name in dropped)
    return tuple(lost)


def write_grid(bp: Blueprint, path: str | os.PathLike[str]) -> GridExport:
    """Write *bp* as a grid to *path* (``.csv``, ``.tsv`` or ``.xlsx``), atomically.

    Reading the file with :func:`read_grid` gives *bp* back, but for what
    :attr:`GridExport.lost` lists (a moment's contact mode, a step's
    attributes…: the fields a grid has no row for).

    Raises
    ------
    GridError
        For an unknown suffix.
    MissingDependencyError
        For XLSX without openpyxl (``pip install 'servicebp[xlsx]'``).
    OutputError
        If the file cannot be written.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from servicebp import Step, read_grid
    >>> bp = Blueprint("Coffee", stages=["order"])
    >>> _ = bp.add_step(Step(id="orders", label="Orders", lane="customer", stage="order"))
    >>> folder = tempfile.TemporaryDirectory()
    >>> out = write_grid(bp, pathlib.Path(folder.name) / "coffee.csv")
    >>> out.lost, read_grid(out.path).blueprint == bp
    ((), True)
    >>> folder.cleanup()
    """
    target = Path(path)
    suffix = target.suffix.lower()
    rows = to_grid(bp)
    if suffix in (".csv", ".tsv"):
        import csv

        buffer = io.StringIO(newline="")
        # Cells a spreadsheet would run as formulas get a leading quote (OWASP's
        # rule), which read_grid takes off again.
        csv.writer(
            buffer, delimiter="\t" if suffix == ".tsv" else ",", lineterminator="\r\n"
        ).writerows([neutralise_cell(cell) for cell in row] for row in rows)
        # With a byte-order mark, as spreadsheets expect of UTF-8 text; the
        # reader strips exactly one, so text that itself starts with U+FEFF
        # (a name of one BOM) survives the round trip.
        write_atomic(target, buffer.getvalue().encode("utf-8-sig"))
    elif suffix == ".xlsx":
        write_atomic(target, _xlsx(rows))
    else:
        raise GridError(
            [
                Problem(
                    message=f"unknown grid format {target.suffix!r} (use .csv, .tsv or .xlsx)",
                    file=str(target),
                )
            ]
        )
    return GridExport(path=target, lost=grid_losses(bp))


def _xlsx(rows: list[list[str]]) -> bytes:
    try:
        import openpyxl
        from openpyxl.styles import Alignment, Font
    except ImportError as error:
        raise MissingDependencyError(
            "writing XLSX needs openpyxl: pip install 'servicebp[xlsx]'"
        ) from error
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "blueprint"
    arrows_at = next((i for i, row in enumerate(rows) if row == ["arrows"]), len(rows))
    for row in rows[:arrows_at]:
        # A leading '=' would make the cell a formula: store every value as text.
        sheet.append(row)
    wrap = Alignment(wrap_text=True, vertical="top")
    for line in sheet.iter_rows():
        for cell in line:
            cell.alignment = wrap
            cell.data_type = "s"
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.column_dimensions["A"].width = 20
    if arrows_at < len(rows):
        arrows = book.create_sheet("arrows")
        for row in rows[arrows_at + 1 :]:
            arrows.append(row)
        for line in arrows.iter_rows():
            for cell in line:
                cell.data_type = "s"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
