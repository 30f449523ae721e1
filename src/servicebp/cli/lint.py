"""``servicebp lint``: design smells of a blueprint, by rule code."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import click

from servicebp.cli import main
from servicebp.cli._common import EXIT_PROBLEMS, INPUT_FILE, echo, format_option, reports_errors
from servicebp.cli._format import json_text
from servicebp.io import load
from servicebp.linting import Severity, lint

__all__ = ["lint_command"]


def _codes(values: Sequence[str]) -> tuple[str, ...]:
    # Accept both repeated options and comma-separated lists, as ruff does.
    return tuple(code.strip() for value in values for code in value.split(",") if code.strip())


@main.command("lint")
@click.argument("blueprint", type=INPUT_FILE)
@click.option(
    "--select",
    multiple=True,
    help="Rule codes or prefixes to run (repeat or comma-separate); "
    "default: the file's lint.select, else every rule.",
)
@click.option(
    "--ignore",
    multiple=True,
    help="Rule codes or prefixes not to run, on top of the file's lint.ignore.",
)
@format_option
@reports_errors
def lint_command(
    blueprint: Path, select: Sequence[str], ignore: Sequence[str], output_format: str
) -> None:
    """Check BLUEPRINT for design smells; exit 1 when an error-level rule fires.

    See docs/lint-rules.md for every rule.
    """
    bp = load(blueprint)
    found = lint(bp, select=_codes(select) or None, ignore=_codes(ignore))
    if output_format == "json":
        echo(
            json_text(
                {"file": str(blueprint), "findings": [d.to_dict() for d in found]},
            )
        )
    else:
        for diagnostic in found:
            echo(f"{blueprint}: {diagnostic}")
        errors = sum(d.severity is Severity.ERROR for d in found)
        echo(f"{len(found)} finding(s), {errors} error(s)", err=True)
    if any(d.severity is Severity.ERROR for d in found):
        raise SystemExit(EXIT_PROBLEMS)
