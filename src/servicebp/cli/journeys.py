"""``servicebp journeys``: every customer journey with its probability and time."""

from __future__ import annotations

from pathlib import Path

import click

from servicebp.analysis._journeys import (
    DEFAULT_JOURNEY_LIMIT,
    count_journeys,
    critical_journey,
    journeys,
    most_likely_journey,
)
from servicebp.cli import main
from servicebp.cli._common import INPUT_FILE, echo, format_option, reports_errors
from servicebp.cli._format import json_text
from servicebp.io import load

__all__ = ["journeys_command"]


@main.command("journeys")
@click.argument("blueprint", type=INPUT_FILE)
@click.option(
    "--limit",
    type=click.IntRange(min=0),
    default=DEFAULT_JOURNEY_LIMIT,
    show_default=True,
    help="The most journeys to list; more is an error (the most likely and the "
    "critical journey are still found without listing).",
)
@format_option
@reports_errors
def journeys_command(blueprint: Path, limit: int, output_format: str) -> None:
    """List the customer journeys through BLUEPRINT's branches.

    Probability is the product of branch probabilities (unspecified branches
    share what the specified ones leave); elapsed time is duration plus the
    waits that block the customer.
    """
    bp = load(blueprint)
    likely = most_likely_journey(bp)
    critical = critical_journey(bp)
    found = journeys(bp, limit=limit)
    if output_format == "json":
        echo(
            json_text(
                {
                    "count": count_journeys(bp),
                    "journeys": [
                        {
                            "steps": list(j.steps),
                            "probability": j.probability,
                            "duration": j.duration,
                            "wait": j.wait,
                            "most_likely": j.steps == likely.steps,
                            "critical": j.steps == critical.steps,
                        }
                        for j in found
                    ],
                },
            )
        )
        return
    echo(f"{len(found)} journey(s) through {bp.name!r}")
    echo(f"{'probability':>11}  {'duration':>8}  {'wait':>6}  steps")
    for j in found:
        marks = ("  [most likely]" if j.steps == likely.steps else "") + (
            "  [critical]" if j.steps == critical.steps else ""
        )
        echo(
            f"{j.probability:>11.4g}  {j.duration:>8g}  {j.wait:>6g}  {' > '.join(j.steps)}{marks}"
        )
