"""Shared by the test modules: blueprints built the same way in many tests, and writing one out.

A test that needs a blueprint of its own shape still builds it in place, where
the reader sees it; what lives here is only what several modules built alike:
a straight customer chain, and a blueprint written to a file for the command
line.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from pathlib import Path

from servicebp import Blueprint, Step, dumps

__all__ = ["chain", "write_blueprint"]


def chain(
    steps: int | Sequence[str],
    *,
    name: str = "Chain",
    prefix: str = "s",
    label: str = "Step {i}",
    back: tuple[int, int] | None = None,
) -> Blueprint:
    """Customer steps in one stage ``s``, each followed by the next.

    Parameters
    ----------
    steps : int or sequence of str
        How many steps, with ids ``{prefix}0`` upwards; or the
        steps' ids, in order. Steps are added first, then the flows from each
        to the next.
    name : str
        The blueprint's name.
    prefix : str
        With a number of *steps*: what each step id starts with, before its
        number.
    label : str
        Each step's label, formatted with ``i`` (its place, from 0) and ``id``.
    back : tuple of int, optional
        ``(i, j)`` adds one more flow, from step *i* to step *j*, after the
        chain's own: with ``j <= i`` it closes a loop.

    Returns
    -------
    Blueprint
        A new blueprint each call (the caller may change it).
    """
    bp = Blueprint(name, stages=["s"])
    ids = [f"{prefix}{i}" for i in range(steps)] if isinstance(steps, int) else list(steps)
    for i, step_id in enumerate(ids):
        bp.add_step(
            Step(id=step_id, label=label.format(i=i, id=step_id), lane="customer", stage="s")
        )
    for a, b in itertools.pairwise(ids):
        bp.connect(a, b)
    if back is not None:
        bp.connect(ids[back[0]], ids[back[1]])
    return bp


def write_blueprint(folder: Path, bp: Blueprint, name: str = "bp.yaml") -> str:
    """Write *bp* as YAML to ``folder / name``; its path, as a string the command line takes.

    Parameters
    ----------
    folder : Path
        Where the file goes (a test's ``tmp_path``).
    bp : Blueprint
        What is written, with :func:`servicebp.dumps`.
    name : str
        The file's name.

    Returns
    -------
    str
        The file's path.
    """
    path = folder / name
    path.write_text(dumps(bp), encoding="utf-8")
    return str(path)
