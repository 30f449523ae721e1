"""``servicebp impact``: fail points ranked by the risk they put on journeys."""

from __future__ import annotations

from pathlib import Path

import click

from servicebp.analysis import fail_point_impact
from servicebp.cli import main
from servicebp.cli._common import INPUT_FILE, echo, format_option, reports_errors
from servicebp.cli._format import json_text, printable
from servicebp.io import load

__all__ = ["impact_command"]


@main.command("impact")
@click.argument("blueprint", type=INPUT_FILE)
@click.option(
    "--min-probability",
    type=click.FloatRange(0, 1),
    default=0.0,
    show_default=True,
    help="Leave out fail points that journeys meet less often than this.",
)
@format_option
@reports_errors
def impact_command(blueprint: Path, min_probability: float, output_format: str) -> None:
    """Rank BLUEPRINT's fail points by risk, riskiest first.

    Risk is how often journeys meet a fail point times how often it fails;
    a fail point with no failure probability counts as failing whenever met.
    """
    bp = load(blueprint)
    found = fail_point_impact(bp, min_probability=min_probability)
    if output_format == "json":
        rows = [
            {
                "step": i.step,
                "lane": i.lane.value,
                "what": i.what,
                "recovery": i.recovery,
                "failure_probability": i.failure_probability,
                "reach_probability": i.reach_probability,
                "risk": i.risk,
                "customer_steps": list(i.customer_steps),
                "moments": list(i.moments),
            }
            for i in found
        ]
        echo(json_text({"fail_points": rows}))
        return
    if not found:
        echo(f"no fail points in {bp.name!r}")
        return
    echo(f"{'risk':>6}  {'reach':>6}  {'fails':>6}  fail point")
    for i in found:
        fails = "?" if i.failure_probability is None else f"{i.failure_probability:.3g}"
        what = printable(i.what)
        echo(f"{i.risk:>6.3g}  {i.reach_probability:>6.3g}  {fails:>6}  {i.step}: {what}")
        echo(f"{'':>24}customer steps: {', '.join(i.customer_steps) or '-'}")
        echo(f"{'':>24}moments endangered: {', '.join(i.moments) or '-'}")
        echo(f"{'':>24}recovery: {printable(i.recovery or 'NONE')}")
