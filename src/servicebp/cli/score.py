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

import csv
import io
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click
import numpy as np

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
from servicebp.scales import SCALES
from servicebp.scoring import STRATEGIES

__all__ = ["score"]

_OUTPUT_SUFFIXES = (".csv", ".json")
#: Observed journeys printed by default; the summary covers all of them.
DEFAULT_ROWS = 20


@main.command()
@click.argument("blueprint", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--ratings",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="CSV of ratings. A step,rating file rates the designed journeys (steps not in it "
    "keep their designed rating); a journey,step,order,rating table (or with a timestamp "
    "column) is scored journey by journey as observed.",
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
    output_format: str,
) -> None:
    """Score BLUEPRINT's journeys by each strategy (designed or observed ratings).

    Every journey through the customer lane's branches is scored, with its
    probability, and the expected score over all journeys closes the table.
    With --by step, each customer step's rating and its stage are listed
    (the emotion curve).

    With --ratings TABLE.csv holding observed journeys (a journey column),
    each observed journey is scored as it happened: a summary over all
    journeys (count; mean, min, max and share below 0 per strategy), then
    the first --rows journeys; --output writes them all. With --by step,
    each customer step's observed count, mean, share of negative ratings and
    share of -3.
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
    names = list(strategies) if strategies else list(STRATEGIES)
    if ratings is not None and _is_journey_table(ratings):
        json_file = output is not None and output.suffix.lower() == ".json"
        printed, observed_text, table_rows, full = _observed(
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
        write_atomic(output, json.dumps(data, ensure_ascii=False, indent=2) + "\n")
    else:
        write_atomic(output, _csv(rows))


def _echo(data: dict[str, Any], text: str, output_format: str) -> None:
    if output_format == "json":
        click.echo(json.dumps(data, ensure_ascii=False))
    else:
        click.echo(text)


def _is_journey_table(path: Path) -> bool:
    """Whether the CSV's header has a journey column (an observed-journey table).

    Only the header is read. A file that cannot be read as CSV is left to
    the reader, whose error names it.
    """
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            header = next(csv.reader(handle), None)
    except (OSError, UnicodeError, csv.Error):
        return False
    return header is not None and "journey" in (cell.strip() for cell in header)


# --- observed journeys ---------------------------------------------------------------


def _observed(
    bp: Blueprint,
    path: Path,
    names: Sequence[str],
    by: str,
    shown: int,
    scale: str,
    *,
    full_data: bool,
    output: Path | None,
) -> tuple[dict[str, Any], str, list[list[object]], dict[str, Any] | None]:
    """Data and text for the terminal, rows for a CSV, and the full data for a JSON file.

    The full data and the CSV rows cover every journey (millions, perhaps),
    so they are built only when a file is written.
    """
    from servicebp.observed import score_observed, step_statistics

    source = f"observed journeys from {path.name}"
    if scale != "mot":
        source += f" (on the {scale} scale)"
    if by == "step":
        stats = step_statistics(bp, path, scale=scale)
        steps = _step_statistics_records(bp, stats)
        data: dict[str, Any] = {"blueprint": bp.name, "ratings": source, "steps": steps}
        return data, _step_statistics_table(bp, steps, source), _step_statistics_rows(steps), None

    result = score_observed(bp, path, strategies=list(names), scale=scale)
    ids = result["journey"].tolist()
    outcome = result["outcome"].tolist() if "outcome" in result else None
    scores = {n: result[n].tolist() for n in names}
    summary = {
        n: {
            "mean": float(np.mean(result[n])),
            "min": float(np.min(result[n])),
            "max": float(np.max(result[n])),
            "share_negative": float(np.mean(result[n] < 0)),
        }
        for n in names
    }

    def records(count: int) -> list[dict[str, Any]]:
        out = []
        for i in range(min(count, len(ids))):
            record: dict[str, Any] = {"journey": ids[i], "scores": {n: scores[n][i] for n in names}}
            if outcome is not None:
                record["outcome"] = outcome[i]
            out.append(record)
        return out

    head = {
        "blueprint": bp.name,
        "ratings": source,
        "strategies": list(names),
        "count": len(ids),
        "summary": summary,
    }
    data = {**head, "shown": min(shown, len(ids)), "journeys": records(shown)}
    full = {**head, "journeys": records(len(ids))} if full_data else None
    header: list[object] = ["journey", *names, *(["outcome"] if outcome is not None else [])]
    table_rows: list[list[object]] = [header]
    if output is not None and not full_data:
        columns = [ids, *(scores[n] for n in names), *([outcome] if outcome is not None else [])]
        table_rows.extend(list(row) for row in zip(*columns, strict=True))
    text = _observed_table(bp, names, data, scores, ids, outcome, source, output)
    return data, text, table_rows, full


def _observed_table(
    bp: Blueprint,
    names: Sequence[str],
    data: dict[str, Any],
    scores: dict[str, list[float]],
    ids: Sequence[object],
    outcome: Sequence[object] | None,
    source: str,
    output: Path | None,
) -> str:
    count, shown, summary = data["count"], data["shown"], data["summary"]
    plural = "journey" if count == 1 else "journeys"
    title = f"{bp.name}: {count} observed {plural} {source.removeprefix('observed journeys ')}"
    summary_rows = [
        [
            n,
            _signed(summary[n]["mean"]),
            _signed(summary[n]["min"]),
            _signed(summary[n]["max"]),
            f"{summary[n]['share_negative']:.2f}",
        ]
        for n in names
    ]
    parts = [
        title,
        _table(["strategy", "mean", "min", "max", "share < 0"], summary_rows, right={1, 2, 3, 4}),
    ]
    if shown:
        header = ["journey", *names, *(["outcome"] if outcome is not None else [])]
        rows = [
            [
                str(ids[i]),
                *(_signed(scores[n][i]) for n in names),
                *([str(outcome[i])] if outcome is not None else []),
            ]
            for i in range(shown)
        ]
        parts.append(_table(header, rows, right=set(range(1, 1 + len(names)))))
    if shown < count:
        more = "--rows N shows more" if shown else "--rows N shows journeys"
        written = (
            "--output FILE.csv writes them all"
            if output is None
            else f"all {count} are written to {output.name}"
        )
        parts.append(f"({shown} of {count} journeys shown; {more}, {written})")
    return "\n\n".join(parts)


def _nan_to_none(value: float) -> float | None:
    return None if value != value else value


def _step_statistics_records(bp: Blueprint, stats: dict[str, Any]) -> list[dict[str, Any]]:
    records = []
    for i, step_id in enumerate(stats["step"].tolist()):
        step = bp[step_id]
        records.append(
            {
                "step": step_id,
                "stage": step.stage,
                "moment": step.moment is not None,
                "count": int(stats["count"][i]),
                "mean": _nan_to_none(float(stats["mean"][i])),
                "share_negative": _nan_to_none(float(stats["share_negative"][i])),
                "share_minus_3": _nan_to_none(float(stats["share_minus_3"][i])),
            }
        )
    return records


def _share(value: float | None) -> str:
    return "" if value is None else f"{value:.2f}"


def _step_statistics_table(bp: Blueprint, steps: Sequence[dict[str, Any]], source: str) -> str:
    events = sum(s["count"] for s in steps)
    header = ["step", "stage", "moment", "count", "mean", "share < 0", "share -3"]
    rows = [
        [
            s["step"],
            s["stage"],
            "MOT" if s["moment"] else "",
            str(s["count"]),
            _signed(s["mean"]) if s["count"] else "no events",
            _share(s["share_negative"]),
            _share(s["share_minus_3"]),
        ]
        for s in steps
    ]
    title = (
        f"{bp.name}: {len(steps)} customer steps, {events} observed events "
        f"{source.removeprefix('observed journeys ')}"
    )
    return f"{title}\n\n{_table(header, rows, right={3, 4, 5, 6})}"


def _step_statistics_rows(steps: Sequence[dict[str, Any]]) -> list[list[object]]:
    figures = ("mean", "share_negative", "share_minus_3")
    rows: list[list[object]] = [["step", "stage", "moment", "count", *figures]]
    for s in steps:
        rows.append(
            [
                s["step"],
                s["stage"],
                "true" if s["moment"] else "false",
                s["count"],
                *("" if s[k] is None else s[k] for k in figures),
            ]
        )
    return rows


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
