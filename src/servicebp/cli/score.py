"""``servicebp score``: journey scores by every strategy, or the rating of every step."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click

from servicebp._atomic import write_atomic
from servicebp.analysis import DEFAULT_JOURNEY_LIMIT
from servicebp.cli import main
from servicebp.cli._common import fail, format_option, reports_errors
from servicebp.journey_figures import (
    EmotionCurve,
    JourneyScore,
    emotion_curve,
    expected_scores,
    journey_scores,
)
from servicebp.model import Blueprint
from servicebp.moments import moment_placement_problems
from servicebp.scoring import STRATEGIES

__all__ = ["score"]

_OUTPUT_SUFFIXES = (".csv", ".json")


@main.command()
@click.argument("blueprint", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--ratings",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="CSV of observed ratings (step,rating or a journey,step,order,rating table); "
    "steps not in it keep their designed rating.",
)
@click.option(
    "--strategy",
    "strategies",
    multiple=True,
    type=click.Choice(list(STRATEGIES)),
    help="A scoring strategy to show (repeat for several); default: all.",
)
@click.option(
    "--by",
    type=click.Choice(["journey", "step"]),
    default="journey",
    show_default=True,
    help="Score each journey through the branches, or list each customer step's rating.",
)
@click.option(
    "--limit",
    type=click.IntRange(min=1),
    default=DEFAULT_JOURNEY_LIMIT,
    show_default=True,
    help="The most journeys to enumerate.",
)
@click.option(
    "--output",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="Also write the table to FILE.csv or FILE.json.",
)
@format_option
@reports_errors
def score(
    blueprint: Path,
    ratings: Path | None,
    strategies: Sequence[str],
    by: str,
    limit: int,
    output: Path | None,
    output_format: str,
) -> None:
    """Score BLUEPRINT's journeys by each strategy (designed or observed ratings).

    Every journey through the customer lane's branches is scored, with its
    probability, and the expected score over all journeys closes the table.
    With --by step, each customer step's rating and its stage are listed
    (the emotion curve).
    """
    if output is not None and output.suffix.lower() not in _OUTPUT_SUFFIXES:
        raise click.BadParameter(
            f"{str(output)!r} must end in one of {list(_OUTPUT_SUFFIXES)}",
            param_hint="--output",
        )
    # servicebp.io and servicebp.observed are imported here, not at the top,
    # so that `servicebp --help` stays quick.
    from servicebp.io import load

    bp = load(blueprint)
    errors, warned = moment_placement_problems(bp)
    if errors:
        fail(errors, output_format=output_format)
    for problem in warned:
        click.echo(f"warning: {problem}", err=True)
    observed = _read_ratings(ratings, bp) if ratings is not None else None
    names = list(strategies) if strategies else list(STRATEGIES)
    source = f"ratings from {ratings.name}" if ratings is not None else "designed ratings"

    if by == "step":
        curve = emotion_curve(bp, ratings=observed)
        data: dict[str, Any] = {"blueprint": bp.name, "ratings": source, **curve.to_dict()}
        text = _step_table(bp, curve, source)
        rows = _step_rows(curve)
    else:
        scored = journey_scores(bp, ratings=observed, strategies=names, limit=limit)
        # A JourneyScore has .steps and .probability, so the journeys are
        # not enumerated twice.
        expected = expected_scores(bp, ratings=observed, strategies=names, journeys=scored)
        data = {
            "blueprint": bp.name,
            "ratings": source,
            "strategies": names,
            "journeys": [
                {
                    "journey": f"J{i}",
                    "steps": list(j.steps),
                    "probability": j.probability,
                    "scores": j.scores,
                }
                for i, j in enumerate(scored, 1)
            ],
            "expected": expected,
        }
        text = _journey_table(bp, scored, expected, names, source)
        rows = _journey_rows(scored, expected, names)

    if output is not None:
        if output.suffix.lower() == ".json":
            write_atomic(output, json.dumps(data, ensure_ascii=False, indent=2) + "\n")
        else:
            write_atomic(output, _csv(rows))
    if output_format == "json":
        click.echo(json.dumps(data, ensure_ascii=False))
    else:
        click.echo(text)


def _read_ratings(path: Path, bp: Blueprint) -> dict[str, float]:
    from servicebp.observed import read_ratings

    return read_ratings(path, bp=bp)


def _signed(value: float | None) -> str:
    return "" if value is None else f"{value:+.2f}"


def _table(header: Sequence[str], rows: Sequence[Sequence[str]], *, right: set[int]) -> str:
    widths = [max(len(str(cell)) for cell in column) for column in zip(header, *rows, strict=True)]
    lines = []
    for row in (header, *rows):
        cells = [
            cell.rjust(width) if i in right else cell.ljust(width)
            for i, (cell, width) in enumerate(zip(row, widths, strict=True))
        ]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)


def _journey_table(
    bp: Blueprint,
    scored: Sequence[JourneyScore],
    expected: dict[str, float],
    names: Sequence[str],
    source: str,
) -> str:
    header = ["journey", "probability", *names, "steps"]
    rows = [
        [
            f"J{i}",
            f"{j.probability:.3f}",
            *(_signed(j.scores[n]) for n in names),
            " → ".join(j.steps),
        ]
        for i, j in enumerate(scored, 1)
    ]
    rows.append(["expected", "", *(_signed(expected[n]) for n in names), ""])
    plural = "journey" if len(scored) == 1 else "journeys"
    title = f"{bp.name}: {len(scored)} {plural}, {source}"
    right = set(range(1, 2 + len(names)))
    return f"{title}\n\n{_table(header, rows, right=right)}"


def _journey_rows(
    scored: Sequence[JourneyScore], expected: dict[str, float], names: Sequence[str]
) -> list[list[object]]:
    rows: list[list[object]] = [["journey", "probability", *names, "steps"]]
    for i, j in enumerate(scored, 1):
        rows.append([f"J{i}", j.probability, *(j.scores[n] for n in names), " ".join(j.steps)])
    rows.append(["expected", "", *(expected[n] for n in names), ""])
    return rows


def _step_table(bp: Blueprint, curve: EmotionCurve, source: str) -> str:
    from servicebp.scales import RatingLevel

    header = ["step", "stage", "channel", "moment", "rating", "meaning"]
    rows = [
        [
            p.step,
            p.stage,
            p.channel or "",
            "MOT" if p.is_moment else "",
            _signed(p.rating) if p.rating is not None else "unrated",
            RatingLevel.nearest(p.rating).meaning if p.rating is not None else "",
        ]
        for p in curve.steps
    ]
    stage_header = ["stage", "mean", "worst", "rated"]
    stage_rows = [
        [s.stage, _signed(s.mean), _signed(s.worst), f"{s.rated}/{s.steps}"] for s in curve.stages
    ]
    return (
        f"{bp.name}: {len(curve.steps)} customer steps, {source}\n\n"
        f"{_table(header, rows, right={4})}\n\n"
        f"{_table(stage_header, stage_rows, right={1, 2, 3})}"
    )


def _step_rows(curve: EmotionCurve) -> list[list[object]]:
    rows: list[list[object]] = [["step", "label", "stage", "channel", "moment", "rating"]]
    for p in curve.steps:
        rows.append(
            [
                p.step,
                p.label,
                p.stage,
                p.channel or "",
                "true" if p.is_moment else "false",
                "" if p.rating is None else p.rating,
            ]
        )
    return rows


def _csv(rows: Sequence[Sequence[object]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerows(rows)
    return buffer.getvalue()
