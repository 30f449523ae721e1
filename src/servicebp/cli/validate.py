"""``servicebp validate``: check blueprint files, one line per problem."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import attrs
import click

from servicebp.cli import main
from servicebp.cli._common import EXIT_PROBLEMS, echo, format_option, reports_errors
from servicebp.cli._format import json_text
from servicebp.errors import BlueprintValidationError, Problem, ServiceBlueprintError
from servicebp.io._files import MAX_BYTES, load
from servicebp.model import Blueprint, moment_placement_problems

__all__ = ["validate_command"]


def _check(file: str, max_bytes: int) -> tuple[Blueprint | None, list[Problem]]:
    try:
        return load(file, max_bytes=max_bytes), []
    except BlueprintValidationError as error:
        return None, list(error.problems)
    except ServiceBlueprintError as error:
        return None, [Problem(message=str(error), file=file)]


def _warnings(file: str, bp: Blueprint | None) -> list[Problem]:
    """Doubtful moment tags of a valid blueprint: reported, but the file stays valid."""
    if bp is None:
        return []
    _, warned = moment_placement_problems(bp)
    return [attrs.evolve(problem, file=file) for problem in warned]


def _summary(bp: Blueprint) -> dict[str, Any]:
    return {
        "name": bp.name,
        "stages": len(bp.stages),
        "steps": len(bp),
        "flows": len(bp.flows()),
    }


@main.command("validate")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=True))
@click.option(
    "--max-bytes",
    type=click.IntRange(min=1),
    default=MAX_BYTES,
    show_default=True,
    help="Refuse files larger than this many bytes, unread.",
)
@format_option
@reports_errors
def validate_command(files: Sequence[str], max_bytes: int, output_format: str) -> None:
    """Check each blueprint FILE (.yaml, .yml or .json); exit 1 if any has problems.

    A valid file gets a one-line summary; an invalid one gets one line per
    problem, as FILE:LINE:COL: $.path: message. A moment of truth behind
    the line of interaction that meets nobody gets a "warning:" line; it
    does not change the exit status.
    """
    results = [(file, *_check(file, max_bytes)) for file in files]
    valid = all(not problems for _, _, problems in results)
    warned = {file: _warnings(file, bp) for file, bp, _ in results}
    if output_format == "json":
        report = {
            "valid": valid,
            "files": [
                {
                    "file": file,
                    "valid": not problems,
                    "blueprint": None if bp is None else _summary(bp),
                    "problems": [p.to_dict() for p in problems],
                    "warnings": [p.to_dict() for p in warned[file]],
                }
                for file, bp, problems in results
            ],
        }
        echo(json_text(report))
    else:
        for file, bp, problems in results:
            if bp is not None and not problems:
                echo(f"{file}: ok — {bp!r}")
            for warning in warned[file]:
                echo(f"warning: {warning}", err=True)
            for problem in problems:
                echo(str(problem), err=True)
    if not valid:
        raise SystemExit(EXIT_PROBLEMS)
