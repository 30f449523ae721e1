"""Event logs as journeys: what discovery and conformance add to the table layer.

Private to :mod:`servicebp.discover` and :mod:`servicebp.conformance`. Reading
the tables (CSV files, DataFrames, mappings of columns) and their times is
:mod:`servicebp._tables`' job; this module groups the events into
journeys in time order.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

__all__ = ["in_journey_order"]


def in_journey_order(
    ids: npt.NDArray[Any], times: npt.NDArray[Any] | None
) -> tuple[list[str], npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Number the journeys and order the events of each by time.

    Journey ids are compared as text and numbered in order of first
    appearance; within a journey events are ordered by *times* (by row
    without them), equal times keeping their row order.

    Returns
    -------
    names : list of str
        The journey ids, by number.
    codes : ndarray of int
        Each event's journey number, in the new order.
    order : ndarray of int
        The permutation that puts the rows in that order.

    Examples
    --------
    >>> names, codes, order = in_journey_order(np.array([7, 5, 7]), np.array([2.0, 0.0, 1.0]))
    >>> names, codes.tolist(), order.tolist()
    (['7', '5'], [0, 0, 1], [2, 0, 1])
    """
    text = [str(j) for j in ids]
    names = list(dict.fromkeys(text))
    number = {j: i for i, j in enumerate(names)}
    codes = np.fromiter(map(number.__getitem__, text), dtype=np.int64, count=len(text))
    rows = np.arange(len(codes))
    order = np.lexsort((rows, rows if times is None else times, codes))
    return names, codes[order], order
