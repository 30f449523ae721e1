"""``servicebp score`` on an observed-journey table: each journey scored as it happened.

A table can hold millions of journeys, so the terminal shows a summary over
all of them and the first ``--rows`` journeys; the full table is built only
when a file is written.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from servicebp.cli._format import printable, score_cell, signed, table
from servicebp.model import Blueprint
from servicebp.observed._files import is_scannable

__all__ = ["is_journey_table", "observed_output"]


def is_journey_table(path: Path) -> bool:
    """Whether the CSV's header has a journey column (an observed-journey table).

    Only the header is read. A file that cannot be read as CSV is left to
    the reader, whose error names it. Parquet files and globs (read through
    DuckDB) are always observed-journey tables.
    """
    if is_scannable(path):
        return True
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            header = next(csv.reader(handle), None)
    except (OSError, UnicodeError, csv.Error):
        return False
    return header is not None and "journey" in (cell.strip() for cell in header)


def observed_output(
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
    summary = _summary(result, names)

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


def _summary(result: Any, names: Sequence[str]) -> dict[str, dict[str, float | None]]:
    """Mean, min, max and share below 0 of each strategy's scores over all journeys."""
    return {
        n: {
            "mean": float(np.mean(result[n])),
            "min": float(np.min(result[n])),
            "max": float(np.max(result[n])),
            # A share strategy (share_positive) is in [0, 1]: no score is below 0.
            "share_negative": float(np.mean(result[n] < 0)) if _is_rating(n) else None,
        }
        for n in names
    }


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
            score_cell(summary[n]["mean"], n),
            score_cell(summary[n]["min"], n),
            score_cell(summary[n]["max"], n),
            "—" if summary[n]["share_negative"] is None else f"{summary[n]['share_negative']:.2f}",
        ]
        for n in names
    ]
    parts = [
        title,
        table(["strategy", "mean", "min", "max", "share < 0"], summary_rows, right={1, 2, 3, 4}),
    ]
    if shown:
        header = ["journey", *names, *(["outcome"] if outcome is not None else [])]
        rows = [
            [
                printable(ids[i]),
                *(score_cell(scores[n][i], n) for n in names),
                *([printable(outcome[i])] if outcome is not None else []),
            ]
            for i in range(shown)
        ]
        parts.append(table(header, rows, right=set(range(1, 1 + len(names)))))
    if shown < count:
        more = "--rows N shows more" if shown else "--rows N shows journeys"
        written = (
            "--output FILE.csv writes them all"
            if output is None
            else f"all {count} are written to {output.name}"
        )
        parts.append(f"({shown} of {count} journeys shown; {more}, {written})")
    return "\n\n".join(parts)


def _is_rating(strategy: str) -> bool:
    from servicebp.scoring import get_strategy

    return get_strategy(strategy).is_rating


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
            signed(s["mean"]) if s["count"] else "no events",
            _share(s["share_negative"]),
            _share(s["share_minus_3"]),
        ]
        for s in steps
    ]
    title = (
        f"{bp.name}: {len(steps)} customer steps, {events} observed events "
        f"{source.removeprefix('observed journeys ')}"
    )
    return f"{title}\n\n{table(header, rows, right={3, 4, 5, 6})}"


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
