"""Blueprints from grids: the lanes-by-stages table designers draft in spreadsheets.

The first non-blank row is the header: its first cell names the blueprint
(or is blank), the others are the stages, left to right. Every other row
starts with a name in column A:

* a lane (``Physical evidence``, ``Customer actions``, ``Frontstage`` or
  ``Onstage``, ``Backstage``, ``Support processes``, and the usual
  aliases): each cell holds that lane's steps in that stage, separated by a
  line break or ``;``;
* a line (``Line of visibility``…): a separator, holding nothing;
* a step detail (``Rating``, ``Moment of truth``, ``Fail point``, ``Wait``,
  ``Channel``, ``Actor``, ``Duration``, ``Cost``): values separated by ``;``
  for the customer steps of the stage in order, or for any step named with
  ``{#id}`` before the value;
* ``Arrows``: every row after it is a flow, ``from, to, kind, label,
  probability`` (step ids, or labels that name one step). In an XLSX file a
  sheet named ``arrows`` does the same.

Without an arrows section the flows follow the grid: sequence flows join the
customer steps in stage order (and in cell order within a stage), and each
step of the other lanes gets a support flow from the step above it in its
stage: physical evidence to the customer step, the customer step to the
frontstage, the frontstage to the backstage, the backstage to support (the
k-th step of a cell pairs with the k-th step above it, or the last). With an
arrows section the section lists every flow.

What the reader cannot place (a row that is no lane, a cell under no stage,
a stage with no steps) is listed in :attr:`GridImport.unmapped`, cell by
cell; what it can place but is wrong (a rating that is not a number, an
unknown step in an arrow) raises :class:`~servicebp.errors.GridError`
naming the file and the cell.
"""

from __future__ import annotations

import csv
import io
import itertools
import math
import os
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Final

import attrs

from servicebp._csv_cells import restore_cell
from servicebp.errors import (
    BlueprintValidationError,
    GridError,
    MissingDependencyError,
    Problem,
)
from servicebp.interchange._grid_text import (
    ARROWS,
    FIELD_NAMES,
    LANE_NAMES,
    LINE_NAMES,
    Cell,
    Part,
    column_letter,
    normalize,
    slug,
    split_cell,
)
from servicebp.model import (
    Blueprint,
    FailPoint,
    Flow,
    FlowKind,
    Lane,
    MomentOfTruth,
    Stage,
    Step,
    Wait,
)

__all__ = ["GridImport", "UnmappedCell", "default_flows", "from_grid", "read_grid"]

#: Grids larger than this many bytes are refused before they are read.
MAX_GRID_BYTES: Final = 20_000_000
_XLSX_HINT: Final = "pip install 'servicebp[xlsx]'"


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


@attrs.frozen(kw_only=True)
class GridImport:
    """What :func:`read_grid` made of a grid: the blueprint and what it left out."""

    blueprint: Blueprint = attrs.field(eq=False)
    unmapped: tuple[UnmappedCell, ...]


@attrs.define
class _Spec:
    """A step as read, before its id is final."""

    cell: Cell
    lane: Lane
    stage: str
    label: str
    id: str | None
    fields: dict[str, Any] = attrs.Factory(dict)
    set_by: dict[str, Cell] = attrs.Factory(dict)


class _Reader:
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


def _cells(rows: Sequence[Sequence[object]], sheet: str | None = None) -> list[list[Cell]]:
    prefix = f"{sheet}!" if sheet else ""
    return [
        [
            Cell(
                ref=f"{prefix}{column_letter(j + 1)}{i + 1}",
                row=i + 1,
                column=j + 1,
                text=_cell_text(value),
            )
            for j, value in enumerate(row)
        ]
        for i, row in enumerate(rows)
    ]


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def default_flows(
    cells: dict[tuple[Lane, str], list[str]], stages: Sequence[str]
) -> list[tuple[str, str, FlowKind]]:
    """The flows a grid without arrows gets, from the step ids of each lane and stage.

    Examples
    --------
    >>> cells = {(Lane.CUSTOMER, "a"): ["x", "y"], (Lane.CUSTOMER, "b"): ["z"],
    ...          (Lane.FRONTSTAGE, "a"): ["f"], (Lane.PHYSICAL_EVIDENCE, "b"): ["sign"]}
    >>> for source, target, kind in default_flows(cells, ["a", "b"]):
    ...     print(source, target, kind.value)
    x y sequence
    y z sequence
    x f support
    sign z support
    """
    flows: list[tuple[str, str, FlowKind]] = []
    spine = [step for stage in stages for step in cells.get((Lane.CUSTOMER, stage), [])]
    flows.extend((a, b, FlowKind.SEQUENCE) for a, b in itertools.pairwise(spine))
    for stage in stages:
        below = [lane for lane in Lane if lane is not Lane.PHYSICAL_EVIDENCE]
        evidence = cells.get((Lane.PHYSICAL_EVIDENCE, stage), [])
        under = next((cells[lane, stage] for lane in below if cells.get((lane, stage))), [])
        flows.extend(
            (step, under[min(k, len(under) - 1)], FlowKind.SUPPORT)
            for k, step in enumerate(evidence)
            if under
        )
        above: list[str] = []
        for lane in below:
            steps = cells.get((lane, stage), [])
            if above and lane is not Lane.CUSTOMER:
                flows.extend(
                    (above[min(k, len(above) - 1)], step, FlowKind.SUPPORT)
                    for k, step in enumerate(steps)
                )
            if steps:
                above = steps
    return flows


def from_grid(
    rows: Sequence[Sequence[object]],
    *,
    name: str | None = None,
    arrows: Sequence[Sequence[object]] | None = None,
    file: str | None = None,
) -> GridImport:
    """Make a blueprint from the rows of a grid (see the module's description).

    Parameters
    ----------
    rows : sequence of sequences
        The grid's cells, row by row (``None`` or ``""`` for a blank cell).
    name : str, optional
        The blueprint's name; default: the header's first cell, else ``"Blueprint"``.
    arrows : sequence of sequences, optional
        Rows of flows kept apart (an XLSX ``arrows`` sheet), with or without
        the ``from, to…`` header.
    file : str, optional
        The file the rows came from, for messages.

    Returns
    -------
    GridImport
        The blueprint and the cells it left out.

    Raises
    ------
    GridError
        Naming every bad cell.

    Examples
    --------
    >>> result = from_grid([
    ...     ["Coffee", "order", "pay"],
    ...     ["Customer actions", "Orders a latte", "Pays by card"],
    ...     ["Onstage", "Barista takes the order", ""],
    ...     ["Rating", "1", "-1"],
    ...     ["Notes", "busy at 8", ""],
    ... ])
    >>> bp = result.blueprint
    >>> bp
    Blueprint('Coffee', stages=2, steps=3, flows=2)
    >>> for flow in bp.flows():
    ...     print(flow.source, "->", flow.target, flow.kind.value)
    orders-a-latte -> pays-by-card sequence
    orders-a-latte -> barista-takes-the-order support
    >>> bp["pays-by-card"].rating
    -1
    >>> print(*result.unmapped, sep="\\n")
    cell A5: 'Notes' not imported: 'Notes' is not a lane or a known row ...
    cell B5: 'busy at 8' not imported: 'Notes' is not a lane or a known row ...
    """
    main = _cells(rows)
    extra = _cells(arrows, "arrows") if arrows is not None else None
    return _parse(main, extra, name=name, file=file)


def _parse(
    rows: list[list[Cell]],
    arrows: list[list[Cell]] | None,
    *,
    name: str | None,
    file: str | None,
) -> GridImport:
    reader = _Reader(file)
    rows = [row for row in rows if any(cell.text.strip() for cell in row)]
    where = f"{file}: " if file else ""
    if not rows:
        raise GridError([Problem(message=f"{where}the grid is empty (a header row is needed)")])
    header, body = rows[0], rows[1:]
    labels: dict[str, Stage] = {}
    stage_at = _stages(reader, header, labels)
    if not stage_at:
        raise GridError(
            [Problem(message=f"{where}the header row {header[0].ref[1:]} names no stages")]
        )
    specs: list[_Spec] = []
    details: list[tuple[str, list[Cell]]] = []
    flow_rows: list[list[Cell]] | None = None
    for i, row in enumerate(body):
        key = normalize(row[0].text) if row else ""
        if key in ARROWS:
            flow_rows = body[i + 1 :]
            _beyond(reader, row[1:], "the arrows row only starts the arrows section")
            break
        if key in LANE_NAMES:
            _steps(reader, row, LANE_NAMES[key], stage_at, specs)
        elif key in FIELD_NAMES:
            details.append((FIELD_NAMES[key], row))
        elif key in LINE_NAMES:
            _beyond(reader, row[1:], "a line's row holds no steps")
        elif not key:
            _beyond(reader, row, "its row has no lane name in column A")
        else:
            reason = (
                f"{row[0].text.strip()!r} is not a lane or a known row (lanes: Physical "
                "evidence, Customer actions, Frontstage, Backstage, Support processes; rows: "
                "Rating, Moment of truth, Fail point, Wait, Channel, Actor, Duration, Cost, "
                "Arrows)"
            )
            _beyond(reader, row, reason)
    if arrows is not None:
        if flow_rows is not None:
            raise GridError(
                [Problem(message=f"{where}arrows are given both in the grid and on a sheet")]
            )
        flow_rows = arrows
    ids = _ids(reader, specs)
    for field, row in details:
        _details(reader, field, row, stage_at, specs, ids)
    if reader.problems:
        raise GridError(reader.problems)
    used = {spec.stage for spec in specs}
    for cell in header[1:]:
        stage = stage_at.get(cell.column)
        if stage is not None and stage not in used:
            reader.skip(cell, "no step is in this stage")
    try:
        bp = Blueprint(
            name or header[0].text.strip() or "Blueprint",
            stages=[labels[stage] for stage in stage_at.values() if stage in used],
        )
    except BlueprintValidationError as error:
        reader.problem(header[0], _messages(error))
        raise GridError(reader.problems) from error
    for spec, step_id in zip(specs, ids, strict=True):
        try:
            bp.add_step(
                Step(id=step_id, label=spec.label, lane=spec.lane, stage=spec.stage, **spec.fields)
            )
        except BlueprintValidationError as error:
            _blame(reader, spec, step_id, error)
    if reader.problems:
        raise GridError(reader.problems)
    if flow_rows is None:
        _connect_defaults(bp, specs, ids)
    else:
        _arrows(reader, bp, flow_rows)
    found = reader.problems + [attrs.evolve(p, file=file) for p in bp.problems()]
    if found:
        raise GridError(found)
    return GridImport(blueprint=bp, unmapped=tuple(reader.unmapped))


def _messages(error: BlueprintValidationError) -> str:
    return "; ".join(problem.message for problem in error.problems)


def _blame(reader: _Reader, spec: _Spec, step_id: str, error: BlueprintValidationError) -> None:
    """Report a step the model refuses at the cell of each detail it refuses, else at its own."""
    blamed = False
    for field, value in spec.fields.items():
        try:
            Step(id=step_id, label=spec.label, lane=spec.lane, stage=spec.stage, **{field: value})
        except BlueprintValidationError as alone:
            reader.problem(spec.set_by[field], f"step {step_id!r}: {_messages(alone)}")
            blamed = True
    if not blamed:
        reader.problem(spec.cell, _messages(error))


def _beyond(reader: _Reader, cells: Sequence[Cell], reason: str) -> None:
    for cell in cells:
        if cell.text.strip():
            reader.skip(cell, reason)


def _stages(reader: _Reader, header: list[Cell], labels: dict[str, Stage]) -> dict[int, str]:
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
            reader.problem(cell, _messages(error))
            continue
        seen[stage] = cell
        stage_at[cell.column] = stage
        labels.setdefault(stage, Stage(id=stage))
    return stage_at


def _steps(
    reader: _Reader, row: list[Cell], lane: Lane, stage_at: dict[int, str], specs: list[_Spec]
) -> None:
    for cell in row[1:]:
        if not cell.text.strip():
            continue
        stage = stage_at.get(cell.column)
        if stage is None:
            reader.skip(cell, "no stage is named above it in the header row")
            continue
        for part in split_cell(cell.text, id_at="end"):
            if not part.text:
                reader.problem(cell, f"step {part.id!r} has no label before its {{#id}}")
                continue
            specs.append(_Spec(cell=cell, lane=lane, stage=stage, label=part.text, id=part.id))


def _ids(reader: _Reader, specs: list[_Spec]) -> list[str]:
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


def _details(
    reader: _Reader,
    field: str,
    row: list[Cell],
    stage_at: dict[int, str],
    specs: list[_Spec],
    ids: list[str],
) -> None:
    by_id = dict(zip(ids, specs, strict=True))
    for cell in row[1:]:
        if not cell.text.strip():
            continue
        stage = stage_at.get(cell.column)
        if stage is None:
            reader.skip(cell, "no stage is named above it in the header row")
            continue
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


def _set(reader: _Reader, cell: Cell, field: str, part: Part, target: _Spec) -> None:
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
            message = _messages(error)
        else:
            message = f"{part.text!r} is not {_EXPECTED[field]}"
        reader.problem(cell, message)
        return
    target.set_by[field] = cell


def _connect_defaults(bp: Blueprint, specs: list[_Spec], ids: list[str]) -> None:
    cells: dict[tuple[Lane, str], list[str]] = {}
    for spec, step_id in zip(specs, ids, strict=True):
        cells.setdefault((spec.lane, spec.stage), []).append(step_id)
    for source, target, kind in default_flows(cells, bp.stages):
        bp.connect(source, target, kind=kind)


def _arrows(reader: _Reader, bp: Blueprint, rows: list[list[Cell]]) -> None:
    by_label: dict[str, list[str]] = {}
    for step in bp.steps():
        by_label.setdefault(step.label, []).append(step.id)
    for row in rows:
        cells = [*row, *[Cell(ref="", row=0, column=0, text="")] * (5 - len(row))]
        texts = [cell.text.strip() for cell in cells]
        if not any(texts) or normalize(texts[0]) in ("from", "source"):
            continue
        _beyond(reader, cells[5:], "an arrow has five columns: from, to, kind, label, probability")
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
            reader.problem(row[0], _messages(error))


def _flow(
    reader: _Reader,
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
            reader.problem(cell, _messages(error))
    return None


def _read_csv(path: Path) -> list[list[Cell]]:
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise GridError(
            [
                Problem(
                    message=f"not UTF-8 text (byte {error.start + 1}); save the CSV as UTF-8",
                    file=str(path),
                )
            ]
        ) from error
    # Excel writes ';'-separated CSV in locales with a decimal comma: the
    # header row, outside its quoted cells, tells which separator is used.
    first = re.sub(r'"(?:[^"]|"")*"', "", text.split("\n", 1)[0])
    delimiter = next((d for d in ",;\t" if d in first), ",")
    if path.suffix.lower() == ".tsv":
        delimiter = "\t"
    try:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        # A cell write_grid neutralised against formula injection is read as written.
        rows = [[restore_cell(cell) for cell in row] for row in reader]
    except csv.Error as error:
        raise GridError([Problem(message=f"not a CSV file: {error}", file=str(path))]) from error
    return _cells(rows)


def _read_xlsx(path: Path) -> tuple[list[list[Cell]], list[list[Cell]] | None]:
    try:
        import openpyxl
    except ImportError as error:
        raise MissingDependencyError(
            f"reading {path.name!r} needs openpyxl: {_XLSX_HINT}"
        ) from error
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises zipfile, KeyError, ValueError… on bad files
        raise GridError(
            [Problem(message=f"not an XLSX workbook: {error}", file=str(path))]
        ) from error
    try:
        sheets = book.worksheets
        main = _cells([list(row) for row in sheets[0].iter_rows(values_only=True)])
        arrows = None
        for sheet in sheets[1:]:
            if normalize(sheet.title) in ARROWS:
                arrows = _cells(
                    [list(row) for row in sheet.iter_rows(values_only=True)], sheet.title
                )
        return main, arrows
    finally:
        book.close()


def read_grid(path: str | os.PathLike[str], *, name: str | None = None) -> GridImport:
    """Read a blueprint grid from a CSV (``.csv``, ``.tsv``) or XLSX (``.xlsx``) file.

    Parameters
    ----------
    path : str or os.PathLike
        The file. XLSX needs the ``servicebp[xlsx]`` extra (openpyxl); the
        first sheet is the grid, a sheet named ``arrows`` its flows.
    name : str, optional
        The blueprint's name; default: the header row's first cell, else the
        file's name without its suffix.

    Returns
    -------
    GridImport
        ``.blueprint``, and ``.unmapped``: every cell left out, with why.

    Raises
    ------
    GridError
        For a file that cannot be read, or bad cells (each named).
    MissingDependencyError
        For XLSX without openpyxl.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = tempfile.TemporaryDirectory()
    >>> grid = pathlib.Path(folder.name) / "coffee.csv"
    >>> _ = grid.write_text(",order,pay\\ncustomer,Orders; Waits,Pays\\n", encoding="utf-8")
    >>> result = read_grid(grid)
    >>> result.blueprint, [s.id for s in result.blueprint.customer_spine()]
    (Blueprint('coffee', stages=2, steps=3, flows=2), ['orders', 'waits', 'pays'])
    >>> folder.cleanup()
    """
    file = os.fspath(path)
    source = Path(file)
    suffix = source.suffix.lower()
    if suffix not in (".csv", ".tsv", ".xlsx"):
        raise GridError(
            [
                Problem(
                    message=f"unknown grid format {source.suffix!r} (use .csv, .tsv or .xlsx)",
                    file=file,
                )
            ]
        )
    try:
        size = source.stat().st_size
    except OSError as error:
        raise GridError(
            [Problem(message=f"cannot read: {error.strerror or error}", file=file)]
        ) from error
    if size > MAX_GRID_BYTES:
        raise GridError(
            [Problem(message=f"the file has {size} bytes, more than {MAX_GRID_BYTES}", file=file)]
        )
    arrows = None
    try:
        if suffix == ".xlsx":
            rows, arrows = _read_xlsx(source)
        else:
            rows = _read_csv(source)
    except OSError as error:
        raise GridError(
            [Problem(message=f"cannot read: {error.strerror or error}", file=file)]
        ) from error
    return _parse(rows, arrows, name=name or _header_name(rows) or source.stem, file=file)


def _header_name(rows: list[list[Cell]]) -> str | None:
    for row in rows:
        if any(cell.text.strip() for cell in row):
            return row[0].text.strip() or None
    return None
