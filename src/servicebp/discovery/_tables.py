"""Event logs as journeys: what discovery and conformance add to the table layer.

Private to :mod:`servicebp.discovery`. Reading the tables (CSV files,
DataFrames, mappings of columns), their cells and times is the observed
layer's job (:mod:`servicebp.observed._tables`, :mod:`servicebp.observed._cells`),
so that a table means the same to scoring, discovery and conformance; this
module groups the events into journeys in time order.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from servicebp.observed._cells import factorize
from servicebp.observed._tables import Where, row_number

__all__ = ["in_journey_order"]


def in_journey_order(
    ids: npt.NDArray[Any],
    times: npt.NDArray[Any],
    *,
    column: str = "journey",
    what: str = "journey",
    where: Where = row_number,
) -> tuple[list[str], npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Number the journeys and order the events of each by time.

    Journeys are coded as every reader codes ids
    (:func:`servicebp.observed._cells.factorize`: sorted, a missing id an
    error naming its row); within a journey events are ordered by *times*,
    equal times keeping their row order.

    Returns
    -------
    names : list of str
        The journey ids, by number.
    codes : ndarray of int
        Each event's journey number, in the new order.
    order : ndarray of int
        The permutation that puts the rows in that order.

    Raises
    ------
    ObservedDataError
        A row whose id is missing: ``"row 2: column 'journey': the journey id is missing"``.

    Examples
    --------
    >>> names, codes, order = in_journey_order(np.array([7, 5, 7]), np.array([2.0, 0.0, 1.0]))
    >>> names, codes.tolist(), order.tolist()
    (['5', '7'], [0, 1, 1], [1, 2, 0])
    >>> in_journey_order(np.array(["a", ""], dtype=object), np.zeros(2), column="case",
    ...                  what="case")
    Traceback (most recent call last):
    ...
    servicebp.errors.ObservedDataError: row 1: column 'case': the case id is missing
    """
    distinct, codes = factorize(ids, column=column, what=what, where=where)
    rows = np.arange(len(codes))
    order = np.lexsort((rows, times, codes))
    return [str(j) for j in distinct.tolist()], codes[order], order
