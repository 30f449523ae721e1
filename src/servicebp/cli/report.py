"""``servicebp report``: one self-contained HTML page with the analysis of a blueprint."""

from __future__ import annotations

import csv
from pathlib import Path

import click

from servicebp._atomic import write_atomic
from servicebp.cli import main
from servicebp.cli._common import INPUT_FILE, echo, not_an_input, reports_errors
from servicebp.io import load
from servicebp.observed import read_ratings
from servicebp.rendering import ENGINES
from servicebp.reporting import report

__all__ = ["report_command"]


def _is_journey_table(path: Path) -> bool:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        header = next(csv.reader(handle), [])
    return "journey" in [cell.strip() for cell in header]


@main.command("report")
@click.argument("blueprint", type=INPUT_FILE)
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The HTML file to write (written atomically).",
)
@click.option(
    "--ratings",
    type=INPUT_FILE,
    help="CSV of ratings: step,rating, or an observed-journey table (journey,step,order,"
    "rating…), which also adds the step statistics and observed means.",
)
@click.option(
    "--outcome",
    help="The outcome column of an observed-journey table: adds suggested moments of truth.",
)
@click.option("--title", help="The page's title (default: the blueprint's name).")
@click.option(
    "--engine",
    type=click.Choice(list(ENGINES)),
    default="auto",
    show_default=True,
    help="Graphviz engine for the blueprint picture (see servicebp render).",
)
@reports_errors
def report_command(
    blueprint: Path,
    output: Path,
    ratings: Path | None,
    outcome: str | None,
    title: str | None,
    engine: str,
) -> None:
    """Write one self-contained HTML page about BLUEPRINT into OUTPUT.

    The page holds the blueprint, the emotion chart, the journey scores per
    strategy, the moments of truth, fail points, waits over tolerance and lint
    findings; it loads nothing from the network, reads well on a phone and
    prints.
    """
    not_an_input(output, blueprint, ratings)
    if outcome is not None and ratings is None:
        raise click.UsageError("--outcome needs --ratings with an observed-journey table")
    bp = load(blueprint)
    rated = read_ratings(ratings, bp=bp) if ratings is not None else None
    observed = ratings if ratings is not None and _is_journey_table(ratings) else None
    if outcome is not None and observed is None:
        raise click.UsageError("--outcome needs --ratings with an observed-journey table")
    page = report(bp, ratings=rated, observed=observed, outcome=outcome, title=title, engine=engine)
    write_atomic(output, page)
    echo(f"wrote {output}")
