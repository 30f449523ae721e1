"""``servicebp diff``: what changed between two versions of a blueprint."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from servicebp.analysis import BlueprintDiff, diff
from servicebp.cli import main
from servicebp.cli._common import INPUT_FILE, echo, format_option, persona_option, reports_errors
from servicebp.cli._format import json_text
from servicebp.io import load
from servicebp.model import Lane

__all__ = ["diff_command"]


def _as_dict(d: BlueprintDiff) -> dict[str, Any]:
    return {
        "added_steps": list(d.added_steps),
        "removed_steps": list(d.removed_steps),
        "changed_steps": [{"step": c.step, "fields": list(c.fields)} for c in d.changed_steps],
        "added_flows": [list(p) for p in d.added_flows],
        "removed_flows": [list(p) for p in d.removed_flows],
        "changed_flows": [
            {"source": c.source, "target": c.target, "fields": list(c.fields)}
            for c in d.changed_flows
        ],
        "added_moments": list(d.added_moments),
        "removed_moments": list(d.removed_moments),
        "changed_moments": list(d.changed_moments),
        "journeys": [
            {"steps": list(j.steps), "before": j.before, "after": j.after, "change": j.change}
            for j in d.journeys
        ],
    }


@main.command("diff")
@click.argument("before", type=INPUT_FILE)
@click.argument("after", type=INPUT_FILE)
@click.option(
    "--scores/--no-scores",
    default=True,
    show_default=True,
    help="Compare each journey's score per strategy when every customer step "
    "has a designed rating.",
)
@persona_option
@format_option
@reports_errors
def diff_command(
    before: Path, after: Path, scores: bool, persona: str | None, output_format: str
) -> None:
    """Show what changed from BEFORE to AFTER: steps, flows, moments and journey scores.

    With --persona ID, both are compared as that persona sees them (both must
    declare it): an as-is / to-be diff for one persona.
    """
    old, new = load(before), load(after)
    if persona is not None:
        old, new = old.for_persona(persona), new.for_persona(persona)
    # Scores need a rating on every customer step; a partly rated pair is
    # compared on structure only.
    rated = scores and all(
        s.rating is not None for bp in (old, new) for s in bp.steps(lane=Lane.CUSTOMER)
    )
    d = diff(old, new, ratings_before={} if rated else None, ratings_after={} if rated else None)
    if output_format == "json":
        echo(json_text(_as_dict(d)))
        return
    if not d:
        echo("no changes")
        return
    for sign, label, items in [
        ("+", "step", d.added_steps),
        ("-", "step", d.removed_steps),
        ("+", "moment", d.added_moments),
        ("-", "moment", d.removed_moments),
        ("~", "moment", d.changed_moments),
    ]:
        for item in items:
            echo(f"{sign} {label} {item}")
    for change in d.changed_steps:
        echo(f"~ step {change.step}: {', '.join(change.fields)}")
    for sign, pairs in [("+", d.added_flows), ("-", d.removed_flows)]:
        for source, target in pairs:
            echo(f"{sign} flow {source} -> {target}")
    for flow in d.changed_flows:
        echo(f"~ flow {flow.source} -> {flow.target}: {', '.join(flow.fields)}")
    for j in d.journeys:
        path = " > ".join(j.steps)
        if j.change is None:
            side = "new" if j.before is None else "gone"
            echo(f"journey {path} ({side})")
        else:
            shown = ", ".join(f"{k} {v:+.3g}" for k, v in j.change.items())
            echo(f"journey {path}: {shown}")
