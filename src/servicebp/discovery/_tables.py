"""Event logs as journeys: what discovery and conformance add to the table layer.

Private to :mod:`servicebp.discover` and :mod:`servicebp.conformance`. Reading
the tables (CSV files, DataFrames, mappings of columns) and their times is
:mod:`servicebp._tables`' job; this module checks that every event names its
journey (and its activity), and groups the events into journeys in time order.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from servicebp.observed._tables import Where, row_number, rows_error

__all__ = ["check_present", "in_journey_order"]


def _blank(value: object) -> bool:
    """None, NaN, NaT, pandas' NA, or text that is empty or white space."""
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    try:
        # NaN, NaT (numpy's and pandas') are the values unequal to themselves.
        return bool(value != value)
    except (TypeError, ValueError):
        # pandas.NA: its truth value is ambiguous.
        return type(value).__name__ == "NAType"


def check_present(
    values: npt.NDArray[Any], *, column: str, what: str, where: Where | None = None
) -> None:
    """Raise :class:`~servicebp.errors.ObservedDataError` if a cell of *values* is missing.

    Missing means None, NaN, NaT, or text that is empty or only white space
    (such a cell would otherwise become a journey, or an activity, named
    ``''``, ``'None'`` or ``'nan'``). The message names each bad row with
    *where* (``log.csv:5``, ``row 3``), the column and *what* is missing.

    Examples
    --------
    >>> check_present(np.array(["1", " ", "2"], dtype=object), column="case", what="case id")
    Traceback (most recent call last):
    ...
    servicebp.errors.ObservedDataError: row 1: column 'case': the case id is missing
    """
    if values.dtype.kind in "iub":
        return
    if values.dtype.kind == "f":
        missing = np.isnan(values)
    elif values.dtype.kind in "mM":
        missing = np.isnat(values)
    elif values.dtype.kind == "U":
        missing = np.char.strip(values) == ""
    else:
        try:
            # Most columns hold few distinct values: check those, rows only on a find.
            if not any(map(_blank, set(values.tolist()))):
                return
        except TypeError:  # an unhashable cell: check every row
            pass
        missing = np.fromiter(map(_blank, values), dtype=np.bool_, count=len(values))
    if missing.any():
        raise rows_error(missing, where or row_number, column, f"the {what} is missing")


def in_journey_order(
    ids: npt.NDArray[Any],
    times: npt.NDArray[Any] | None,
    *,
    column: str = "journey",
    what: str = "journey",
    where: Where | None = None,
) -> tuple[list[str], npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Number the journeys and order the events of each by time.

    Journey ids are compared as text and numbered in order of first
    appearance; within a journey events are ordered by *times* (by row
    without them), equal times keeping their row order. A missing id (blank,
    None, NaN) is an error naming the row (with *where*, as the table names
    its rows) and *column*: it would otherwise make a journey of its own.

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
    (['7', '5'], [0, 0, 1], [2, 0, 1])
    >>> in_journey_order(np.array(["a", ""], dtype=object), None, column="case", what="case")
    Traceback (most recent call last):
    ...
    servicebp.errors.ObservedDataError: row 1: column 'case': the case id is missing
    """
    check_present(ids, column=column, what=f"{what} id", where=where)
    text = [str(j) for j in ids]
    names = list(dict.fromkeys(text))
    number = {j: i for i, j in enumerate(names)}
    codes = np.fromiter(map(number.__getitem__, text), dtype=np.int64, count=len(text))
    rows = np.arange(len(codes))
    order = np.lexsort((rows, rows if times is None else times, codes))
    return names, codes[order], order
