"""Blueprints in and out of other tools: spreadsheet grids (CSV, TSV, XLSX) and diagrams.net."""

from collections.abc import Mapping

from servicebp.interchange._drawio import to_drawio
from servicebp.interchange._grid import GridImport, UnmappedCell, from_grid, read_grid
from servicebp.interchange._grid_write import GridExport, grid_losses, to_grid, write_grid
from servicebp.model import Blueprint
from servicebp.rendering import TEXT_FORMATS

__all__ = [
    "GridExport",
    "GridImport",
    "UnmappedCell",
    "from_grid",
    "grid_losses",
    "read_grid",
    "to_drawio",
    "to_grid",
    "write_grid",
]


def _drawio(bp: Blueprint, ratings: Mapping[str, float] | None) -> str:
    return to_drawio(bp, ratings=ratings)


# render(bp, "x.drawio") writes the diagrams.net file: rendering sits below
# this layer, so it looks the format up instead of importing it.
TEXT_FORMATS["drawio"] = _drawio
