"""What every command shares: reporting problems and the exit status."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import NoReturn, ParamSpec, TypeVar

import click

from servicebp._atomic import same_file
from servicebp.cli._format import json_text, terminal_text
from servicebp.errors import (
    BlueprintValidationError,
    ObservedDataError,
    OutputError,
    Problem,
    ServiceBlueprintError,
)

__all__ = [
    "EXIT_PROBLEMS",
    "EXIT_USAGE",
    "INPUT_FILE",
    "echo",
    "fail",
    "format_option",
    "not_an_input",
    "reports_errors",
]

#: Exit status when the input has problems.
EXIT_PROBLEMS = 1
#: Exit status on usage errors (click uses 2 as well).
EXIT_USAGE = 2

#: An input file argument. Click does not check it: a missing or unreadable
#: file is an input problem (exit status 1, named by the reader that opens
#: it), not a usage error.
INPUT_FILE = click.Path(path_type=Path)

P = ParamSpec("P")
R = TypeVar("R")

format_option = click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="How to print results and problems.",
)

persona_option = click.option(
    "--persona",
    metavar="ID",
    default=None,
    help="As this persona sees it (one the blueprint declares under personas:): its "
    "ratings, moment weights and waits; default the steps' own values.",
)


def echo(message: object = "", *, err: bool = False, nl: bool = True) -> None:
    """Print *message* as :func:`click.echo` does, safe for the terminal it goes to.

    Every command prints through this: a control or bidi character that
    reached the output (a file name, a fail point's text) is escaped, and a
    character the stream's encoding cannot hold (Chinese on a latin-1
    terminal) is written ``\\uXXXX`` instead of ending in UnicodeEncodeError.
    """
    stream = sys.stderr if err else sys.stdout
    click.echo(terminal_text(str(message), getattr(stream, "encoding", None)), err=err, nl=nl)


def fail(problems: Iterable[Problem], *, output_format: str = "text") -> NoReturn:
    """Print one line per problem (or a JSON list) and exit with status 1."""
    found = list(problems)
    if output_format == "json":
        echo(json_text({"problems": [p.to_dict() for p in found]}, indent=None))
    else:
        for problem in found:
            echo(str(problem), err=True)
    raise SystemExit(EXIT_PROBLEMS)


def not_an_input(output: Path | None, *inputs: Path | None) -> None:
    """Refuse, before any work, an output file that is one of the command's inputs.

    ``servicebp render bp.yaml -o bp.yaml`` would replace the blueprint with
    its picture; ``score --output`` naming the ratings file would destroy them.
    """
    if output is None:
        return
    for source in inputs:
        if source is not None and same_file(output, source):
            raise OutputError(
                f"cannot write {str(output)!r}: it is also an input ({str(source)!r}), "
                "and writing would destroy it; choose another output file"
            )


def reports_errors(command: Callable[P, R]) -> Callable[P, R]:
    """Turn servicebp's own errors, and the system's file errors, into lines and exit status 1.

    Wrap a click command's callback with it (below the ``@main.command``
    decorator). A command with a ``output_format`` parameter gets its
    problems in that format.
    """

    @functools.wraps(command)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        output_format = str(kwargs.get("output_format", "text"))
        try:
            return command(*args, **kwargs)
        except BlueprintValidationError as error:
            fail(error.problems, output_format=output_format)
        except ObservedDataError as error:
            # Each problem of a table is one line (or one JSON object) with its row and column;
            # bad rows past the first few are counted, not listed.
            more = [Problem(message=f"... and {error.more} more")] if error.more else []
            fail([*error.problems, *more], output_format=output_format)
        except ServiceBlueprintError as error:
            fail([Problem(message=str(error))], output_format=output_format)
        except OSError as error:  # reading or writing a file the checks above let through
            where = f"{error.filename}: " if error.filename else ""
            problem = Problem(message=where + (error.strerror or str(error)))
            fail([problem], output_format=output_format)

    return wrapper
