"""Imports every command module so that each registers itself on the group."""

from servicebp.cli import score  # noqa: F401
