"""Per-step ratings from a CSV file: one row per step, or the mean over observed events.

Private: re-exported by :mod:`servicebp.observed`.
"""

from __future__ import annotations

import os
from collections import defaultdict

from servicebp.errors import Problem, TableProblem
from servicebp.model import Blueprint
from servicebp.model._fields import nfc
from servicebp.observed._cells import parse_rating
from servicebp.observed._checks import step_id_problem
from servicebp.observed._input_files import check_csv_path
from servicebp.observed._tables import observed_error, read_csv

__all__ = ["read_ratings"]


def read_ratings(
    path: str | os.PathLike[str],
    *,
    bp: Blueprint | None = None,
    step: str = "step",
    rating: str = "rating",
    journey: str = "journey",
) -> dict[str, float]:
    """Read per-step ratings from a CSV file.

    Two layouts are accepted, told apart by the header:

    * ``step,rating`` — one row per step, the step's rating;
    * an observed-journey table (``journey,step,order,rating``, or with a
      ``timestamp`` column, and any further columns) — the mean rating of
      each step over all its events is returned.

    Parameters
    ----------
    path : str or os.PathLike
        The CSV file (UTF-8, header row first).
    bp : Blueprint, optional
        When given, every step id must be one of its steps.
    step, rating, journey : str
        The column names.

    Returns
    -------
    dict of str to float
        Step id to rating, in the file's order of first appearance.

    Raises
    ------
    ObservedDataError
        The file is unreadable, empty, lacks a column, repeats a step in the
        ``step,rating`` layout, or holds a rating that is missing, not a
        number, NaN or outside −3…+3. The message names the file, the line
        and the column of every such problem.
        With *bp* given, also a step id that is not in the blueprint (named
        with the line of its first row).

    Examples
    --------
    >>> import pathlib, tempfile
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "ratings.csv"
    >>> _ = p.write_text("step,rating\\nask,2\\npay,-1\\n", encoding="utf-8")
    >>> read_ratings(p)
    {'ask': 2.0, 'pay': -1.0}
    >>> _ = p.write_text("journey,step,order,rating\\nj1,ask,1,3\\nj2,ask,1,2\\n"
    ...                  "j1,pay,2,x\\n", encoding="utf-8")
    >>> read_ratings(p)
    Traceback (most recent call last):
    ...
    servicebp.errors.ObservedDataError: ...ratings.csv:4: column 'rating': 'x' is not a number
    """
    table = read_csv(check_csv_path(path))
    table.require([step, rating])
    per_journey = journey in table.columns
    sums: dict[str, float] = defaultdict(float)
    counts: dict[str, int] = defaultdict(int)
    first_line: dict[str, int] = {}
    problems: list[Problem] = []
    for step_id, text, line in zip(
        table.columns[step], table.columns[rating], table.lines, strict=True
    ):
        odd = step_id_problem(step_id)
        if odd is not None:
            problems.append(
                TableProblem(message=odd, file=table.file, line=line, table_column=step)
            )
            continue
        step_id = str(nfc(step_id))
        value = parse_rating(text)
        if isinstance(value, str):
            problems.append(
                TableProblem(message=value, file=table.file, line=line, table_column=rating)
            )
            continue
        if not per_journey and step_id in first_line:
            problems.append(
                TableProblem(
                    message=f"step {step_id!r} is rated twice (first on line "
                    f"{first_line[step_id]}); a step,rating file has one row per step",
                    file=table.file,
                    line=line,
                    table_column=step,
                )
            )
            continue
        first_line.setdefault(step_id, line)
        sums[step_id] += value
        counts[step_id] += 1
    if problems:
        raise observed_error(problems)
    if bp is not None:
        unknown = [s for s in first_line if s not in bp]
        if unknown:
            raise observed_error(
                [
                    TableProblem(
                        message=f"unknown step {s!r} (not in blueprint {bp.name!r})",
                        file=table.file,
                        line=first_line[s],
                        table_column=step,
                    )
                    for s in unknown
                ]
            )
    return {s: sums[s] / counts[s] for s in first_line}
