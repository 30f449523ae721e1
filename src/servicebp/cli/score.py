"""``servicebp score``: journey scores by every strategy, or the rating of every step.

Two kinds of ratings file, told apart by the header. A ``step,rating`` file
rates the blueprint's steps: the designed journeys through its branches are
scored with those ratings. An observed-journey table
(``journey,step,order,rating``) holds what real customers went through: each
observed journey is scored as it happened (:func:`servicebp.score_observed`),
never through per-step averages, and ``--by step`` gives per-step
statistics (:func:`servicebp.step_statistics`). A table can hold millions
of journeys, so the terminal shows a summary over all of them and the first
``--rows`` journeys; ``--output`` writes every one.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click

from servicebp._atomic import write_atomic
from servicebp.analysis import (
    EmotionCurve,
    JourneyScore,
    emotion_curve,
    expected_scores,
    journey_scores,
)
from servicebp.analysis._journeys import DEFAULT_JOURNEY_LIMIT
from servicebp.cli import main
from servicebp.cli._common import (
    INPUT_FILE,
    echo,
    format_option,
    not_an_input,
    persona_option,
    reports_errors,
)
from servicebp.cli._format import csv_text, json_text, score_cell, signed, table
from servicebp.cli._score_observed import is_journey_table, observed_output
from servicebp.model import Blueprint, moment_placement_problems
from servicebp.model._personas import seen_by
from servicebp.scales import SCALES
from servicebp.scoring import STRATEGIES

__all__ = ["score"]

_OUTPUT_SUFFIXES = (".csv", ".json")
#: Observed journeys printed by default; the summary covers all of them.
DEFAULT_ROWS = 20


@main.command()
@click.argument("blueprint", type=INPUT_FILE)
@click.option(
    "--ratings",
    type=INPUT_FILE,
    help="CSV of ratings. A step,rating file rates the designed journeys (steps not in it "
    "keep their designed rating); a journey,step,order,rating table (or with a timestamp "
    "column) is scored journey by journey as observed; so are Parquet files and globs of "
    "files (read through DuckDB: pip install 'servicebp[duckdb]').",
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
    help="Score each journey (designed branches, or observed journeys), or list each "
    "customer step (its rating, or observed statistics).",
)
@click.option(
    "--limit",
    type=click.IntRange(min=1),
    default=DEFAULT_JOURNEY_LIMIT,
    show_default=True,
    help="The most designed journeys to enumerate.",
)
@click.option(
    "--rows",
    "shown",
    type=click.IntRange(min=0),
    default=DEFAULT_ROWS,
    show_default=True,
    help="Observed journeys to print after the summary (0: the summary only); "
    "--output writes all of them.",
)
@click.option(
    "--scale",
    type=click.Choice(list(SCALES)),
    default="mot",
    show_default=True,
    help="The scale of an observed table's rating column; converted onto -3…+3.",
)
@click.option(
    "--output",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="Also write the table to FILE.csv or FILE.json.",
)
@persona_option
@format_option
@reports_errors
def score(
    blueprint: Path,
    ratings: Path | None,
    strategies: Sequence[str],
    by: str,
    limit: int,
    shown: int,
    scale: str,
    output: Path | None,
    persona: str | None,
    output_format: str,
) -> None:
    """Score BLUEPRINT's journeys by each strategy (designed or observed ratings).

    Every journey through the customer lane's branches is scored, with its
    probability, and the expected score over all journeys closes the table.
    With --by step, each customer step's rating and its stage are listed
    (the emotion curve).

    With --ratings TABLE.csv holding observed journeys (a journey column),
    each observed journey is scored as it happened: a summary over all
    journeys (count; mean, min, max and share below 0 per strategy; a share
    strategy such as share_positive is in 0…1 and has no share below 0), then
    the first --rows journeys; --output writes them all. With --by step,
    each customer step's observed count, mean, share of negative ratings and
    share of -3.

    With --persona ID, everything is scored as that persona sees it (its
    ratings, moment weights and waits; observed ratings still win).
    """
    if output is not None and output.suffix.lower() not in _OUTPUT_SUFFIXES:
        raise click.BadParameter(
            f"{str(output)!r} must end in one of {list(_OUTPUT_SUFFIXES)}",
            param_hint="--output",
        )
    not_an_input(output, blueprint, ratings)
    # servicebp.io and servicebp.observed are imported here, not at the top,
    # so that `servicebp --help` stays quick.
    from servicebp.io import load

    bp = seen_by(load(blueprint), persona)
    # load() refuses misplaced moments; the doubtful placements are warnings.
    for problem in moment_placement_problems(bp)[1]:
        echo(f"warning: {problem}", err=True)
    names = list(strategies) if strategies else list(STRATEGIES)
    if ratings is not None and is_journey_table(ratings):
        json_file = output is not None and output.suffix.lower() == ".json"
        printed, observed_text, table_rows, full = observed_output(
            bp, ratings, names, by, shown, scale, full_data=json_file, output=output
        )
        _write_output(output, full if full is not None else printed, table_rows)
        _echo(printed, observed_text, output_format)
        return
    if scale != "mot":
        raise click.BadParameter(
            f"--scale {scale} applies to an observed-journey table (a journey,step,order,rating "
            f"file); ratings in a step,rating file are on -3…+3",
            param_hint="--scale",
        )
    observed = _read_ratings(ratings, bp) if ratings is not None else None
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
        if bp.loops():
            # The table lists the loops unrolled up to a bound; the expectation
            # counts every journey, however often it loops (exact).
            expected = expected_scores(bp, ratings=observed, strategies=names)
        else:
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

    _write_output(output, data, rows)
    _echo(data, text, output_format)


def _write_output(
    output: Path | None, data: dict[str, Any], rows: Sequence[Sequence[object]]
) -> None:
    if output is None:
        return
    if output.suffix.lower() == ".json":
        write_atomic(output, json_text(data) + "\n")
    else:
        write_atomic(output, csv_text(rows))


def _echo(data: dict[str, Any], text: str, output_format: str) -> None:
    if output_format == "json":
        echo(json_text(data, indent=None))
    else:
        echo(text)


def _read_ratings(path: Path, bp: Blueprint) -> dict[str, float]:
    from servicebp.observed import read_ratings

    return read_ratings(path, bp=bp)


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
            *(score_cell(j.scores[n], n) for n in names),
            " → ".join(j.steps),
        ]
        for i, j in enumerate(scored, 1)
    ]
    rows.append(["expected", "", *(score_cell(expected[n], n) for n in names), ""])
    plural = "journey" if len(scored) == 1 else "journeys"
    title = f"{bp.name}: {len(scored)} {plural}, {source}"
    right = set(range(1, 2 + len(names)))
    return f"{title}\n\n{table(header, rows, right=right)}"


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
            signed(p.rating) if p.rating is not None else "unrated",
            RatingLevel.nearest(p.rating).meaning if p.rating is not None else "",
        ]
        for p in curve.steps
    ]
    stage_header = ["stage", "mean", "worst", "rated"]
    stage_rows = [
        [s.stage, signed(s.mean), signed(s.worst), f"{s.rated}/{s.steps}"] for s in curve.stages
    ]
    return (
        f"{bp.name}: {len(curve.steps)} customer steps, {source}\n\n"
        f"{table(header, rows, right={4})}\n\n"
        f"{table(stage_header, stage_rows, right={1, 2, 3})}"
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
