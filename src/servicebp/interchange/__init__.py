"""Blueprints in and out of other tools: spreadsheet grids (CSV, TSV, XLSX)."""

from servicebp.interchange._grid import GridImport, UnmappedCell, from_grid, read_grid
from servicebp.interchange._grid_write import GridExport, grid_losses, to_grid, write_grid

__all__ = [
    "GridExport",
    "GridImport",
    "UnmappedCell",
    "from_grid",
    "grid_losses",
    "read_grid",
    "to_grid",
    "write_grid",
]
