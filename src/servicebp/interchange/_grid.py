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
import os
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Final

import attrs

from servicebp._csv_cells import restore_cell
from servicebp.errors import BlueprintValidationError, GridError, MissingDependencyError, Problem
from servicebp.interchange._grid_cells import (
    Reader,
    Spec,
    UnmappedCell,
    beyond,
    blame,
    messages,
    read_arrows,
    read_details,
    read_stages,
    read_steps,
    step_ids,
)
from servicebp.interchange._grid_text import (
    ARROWS,
    FIELD_NAMES,
    LANE_NAMES,
    LINE_NAMES,
    Cell,
    column_letter,
    normalize,
)
from servicebp.model import Blueprint, FlowKind, Lane, Stage, Step

__all__ = ["GridImport", "UnmappedCell", "default_flows", "from_grid", "read_grid"]

#: Grids larger than this many bytes are refused before they are read.
MAX_GRID_BYTES: Final = 20_000_000
_XLSX_HINT: Final = "pip install 'servicebp[xlsx]'"


@attrs.frozen(kw_only=True)
class GridImport:
    """What :func:`read_grid` made of a grid: the blueprint and what it left out."""

    blueprint: Blueprint = attrs.field(eq=False)
    unmapped: tuple[UnmappedCell, ...]


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
    reader = Reader(file)
    rows = [row for row in rows if any(cell.text.strip() for cell in row)]
    where = f"{file}: " if file else ""
    if not rows:
        raise GridError([Problem(message=f"{where}the grid is empty (a header row is needed)")])
    header = rows[0]
    labels: dict[str, Stage] = {}
    stage_at = read_stages(reader, header, labels)
    if not stage_at:
        raise GridError(
            [Problem(message=f"{where}the header row {header[0].ref[1:]} names no stages")]
        )
    specs, details, flow_rows = _body(reader, rows[1:], stage_at)
    if arrows is not None:
        if flow_rows is not None:
            raise GridError(
                [Problem(message=f"{where}arrows are given both in the grid and on a sheet")]
            )
        flow_rows = arrows
    ids = step_ids(reader, specs)
    for field, row in details:
        read_details(reader, field, row, stage_at, specs, ids)
    if reader.problems:
        raise GridError(reader.problems)
    bp = _blueprint(
        reader, name or header[0].text.strip() or "Blueprint", header, stage_at, labels, specs, ids
    )
    if flow_rows is None:
        _connect_defaults(bp, specs, ids)
    else:
        read_arrows(reader, bp, flow_rows)
    found = reader.problems + [attrs.evolve(p, file=file) for p in bp.problems()]
    if found:
        raise GridError(found)
    return GridImport(blueprint=bp, unmapped=tuple(reader.unmapped))


def _body(
    reader: Reader, body: list[list[Cell]], stage_at: dict[int, str]
) -> tuple[list[Spec], list[tuple[str, list[Cell]]], list[list[Cell]] | None]:
    """The rows under the header: the lanes' steps, the detail rows, and the arrows section's rows.

    Detail rows are kept for after the steps' ids are known; the arrows
    section is None when the grid has no ``Arrows`` row.
    """
    specs: list[Spec] = []
    details: list[tuple[str, list[Cell]]] = []
    for i, row in enumerate(body):
        key = normalize(row[0].text) if row else ""
        if key in ARROWS:
            beyond(reader, row[1:], "the arrows row only starts the arrows section")
            return specs, details, body[i + 1 :]
        if key in LANE_NAMES:
            read_steps(reader, row, LANE_NAMES[key], stage_at, specs)
        elif key in FIELD_NAMES:
            details.append((FIELD_NAMES[key], row))
        elif key in LINE_NAMES:
            beyond(reader, row[1:], "a line's row holds no steps")
        elif not key:
            beyond(reader, row, "its row has no lane name in column A")
        else:
            reason = (
                f"{row[0].text.strip()!r} is not a lane or a known row (lanes: Physical "
                "evidence, Customer actions, Frontstage, Backstage, Support processes; rows: "
                "Rating, Moment of truth, Fail point, Wait, Channel, Actor, Duration, Cost, "
                "Arrows)"
            )
            beyond(reader, row, reason)
    return specs, details, None


def _blueprint(
    reader: Reader,
    name: str,
    header: list[Cell],
    stage_at: dict[int, str],
    labels: dict[str, Stage],
    specs: list[Spec],
    ids: list[str],
) -> Blueprint:
    """The blueprint of the stages that have steps, with the steps; a stage without is unmapped."""
    used = {spec.stage for spec in specs}
    for cell in header[1:]:
        stage = stage_at.get(cell.column)
        if stage is not None and stage not in used:
            reader.skip(cell, "no step is in this stage")
    try:
        bp = Blueprint(name, stages=[labels[stage] for stage in stage_at.values() if stage in used])
    except BlueprintValidationError as error:
        reader.problem(header[0], messages(error))
        raise GridError(reader.problems) from error
    for spec, step_id in zip(specs, ids, strict=True):
        try:
            bp.add_step(
                Step(id=step_id, label=spec.label, lane=spec.lane, stage=spec.stage, **spec.fields)
            )
        except BlueprintValidationError as error:
            blame(reader, spec, step_id, error)
    if reader.problems:
        raise GridError(reader.problems)
    return bp


def _connect_defaults(bp: Blueprint, specs: list[Spec], ids: list[str]) -> None:
    cells: dict[tuple[Lane, str], list[str]] = {}
    for spec, step_id in zip(specs, ids, strict=True):
        cells.setdefault((spec.lane, spec.stage), []).append(step_id)
    for source, target, kind in default_flows(cells, bp.stages):
        bp.connect(source, target, kind=kind)


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
