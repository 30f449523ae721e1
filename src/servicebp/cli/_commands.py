"""Imports every command module so that each registers itself on the group."""

from servicebp.cli import (  # noqa: F401
    diff,
    discover,
    grid,
    impact,
    journeys,
    lint,
    render,
    report,
    score,
    validate,
)
