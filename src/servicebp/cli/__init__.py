"""The ``servicebp`` command line: one module per command under this package.

Exit status: 0 when all is well, 1 when the input has problems (one readable
line per problem, no traceback), 2 on usage errors.
"""

from __future__ import annotations

import click

from servicebp import __version__

__all__ = ["main"]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="servicebp")
def main() -> None:
    """Service blueprints and customer journeys: validate, score, render, analyse."""


# Each command lives in its own module and registers itself on `main`.
# Keep the imports below the group's definition (they import `main`).
from servicebp.cli import _commands  # noqa: E402, F401
