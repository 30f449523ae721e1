"""``servicebp grid``: a blueprint from a spreadsheet grid, or a grid from a blueprint."""

from __future__ import annotations

from pathlib import Path

import click

from servicebp.cli import main
from servicebp.cli._common import EXIT_PROBLEMS, INPUT_FILE, echo, reports_errors
from servicebp.interchange import read_grid, write_grid
from servicebp.io import load, save

__all__ = ["grid_command"]

_GRIDS = (".csv", ".tsv", ".xlsx")
_BLUEPRINTS = (".yaml", ".yml", ".json")


@main.command("grid")
@click.argument("source", type=INPUT_FILE)
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The file to write (written atomically): a blueprint (.yaml, .yml, .json) from a "
    "grid, or a grid (.csv, .tsv, .xlsx) from a blueprint.",
)
@click.option("--name", help="The blueprint's name (default: the grid's top-left cell).")
@click.option(
    "--strict", is_flag=True, help="Exit with status 1 when some cells could not be imported."
)
@reports_errors
def grid_command(source: Path, output: Path, name: str | None, strict: bool) -> None:
    """Turn the grid SOURCE (.csv, .tsv, .xlsx) into a blueprint file, or the reverse.

    A grid has the stages in its header row and the lanes in its first
    column; cells hold steps separated by line breaks or ';'. Every cell
    that is not imported is listed, with why; a blueprint field that a grid
    has no place for is listed when writing a grid.
    """
    if source.suffix.lower() in _GRIDS:
        if output.suffix.lower() not in _BLUEPRINTS:
            raise click.UsageError(f"write the blueprint as {', '.join(_BLUEPRINTS)}")
        result = read_grid(source, name=name)
        save(result.blueprint, output)
        for cell in result.unmapped:
            echo(f"warning: {cell}", err=True)
        echo(f"wrote {output} ({len(result.blueprint)} steps)")
        if strict and result.unmapped:
            raise SystemExit(EXIT_PROBLEMS)
        return
    if source.suffix.lower() not in _BLUEPRINTS:
        raise click.UsageError(
            f"SOURCE must be a grid ({', '.join(_GRIDS)}) or a blueprint ({', '.join(_BLUEPRINTS)})"
        )
    if output.suffix.lower() not in _GRIDS:
        raise click.UsageError(f"write the grid as {', '.join(_GRIDS)}")
    bp = load(source)
    if name is not None:
        bp.name = name
    written = write_grid(bp, output)
    for problem in written.lost:
        echo(f"warning: not in the grid: {problem}", err=True)
    echo(f"wrote {output}")
    if strict and written.lost:
        raise SystemExit(EXIT_PROBLEMS)
