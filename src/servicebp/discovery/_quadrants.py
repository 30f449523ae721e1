"""Importance–performance analysis: each step placed by how much it matters and how it does.

Private: re-exported by :mod:`servicebp.discovery`.

Martilla & James (1977, *Importance-Performance Analysis*, Journal of
Marketing 41(1)) plot each attribute by its importance and its performance
and split the plane into four quadrants with a crosshair. Here importance is
the key-driver figure of :func:`~servicebp.key_drivers` (the method's
*importance*: a coefficient, a relative weight or an LMG share) and
performance the step's mean rating over the journeys that rated it. The
crosshair lies by default at the means over the steps (the data-centred
crosshair; Bacon 2003, *A comparison of approaches to importance-performance
analysis*, International Journal of Market Research 45(1)).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final

import attrs
import numpy as np

from servicebp.discovery._drivers import KeyDriver, _matrix
from servicebp.errors import InvalidArgumentError

__all__ = ["QUADRANTS", "ImportancePerformance", "crosshair", "importance_performance"]

#: Martilla & James's (1977) quadrants, by (importance high, performance high).
QUADRANTS: Final = {
    (True, False): "concentrate here",
    (True, True): "keep up the good work",
    (False, False): "low priority",
    (False, True): "possible overkill",
}


@attrs.frozen(kw_only=True)
class ImportancePerformance:
    """One step of the importance–performance table.

    Attributes
    ----------
    step : str
        The step.
    importance : float
        Its key-driver importance.
    performance : float
        Its mean rating over the journeys that rated it.
    quadrant : str
        One of the values of :data:`QUADRANTS`.
    """

    step: str
    importance: float
    performance: float
    quadrant: str


def importance_performance(
    drivers: Sequence[KeyDriver],
    ratings: Any,
    *,
    importance_cut: float | None = None,
    performance_cut: float | None = None,
) -> tuple[ImportancePerformance, ...]:
    """Place each step with a key-driver importance in Martilla & James's quadrants.

    Parameters
    ----------
    drivers : sequence of KeyDriver
        From :func:`~servicebp.key_drivers`; steps without an importance are
        left out.
    ratings : mapping of str to array_like, or DataFrame
        The ratings the drivers came from (NaN: unrated), for performance.
    importance_cut, performance_cut : float, optional
        The crosshair; by default the mean over the steps placed.

    Returns
    -------
    tuple of ImportancePerformance
        In the order of *drivers* (most important first). A value equal to
        its cut counts as high.

    Raises
    ------
    InvalidArgumentError
        A driver's step that is not a column of *ratings*, or no step with
        an importance.

    Examples
    --------
    >>> from servicebp import key_drivers
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> ratings = {"desk": rng.normal(-1, 1, 400), "room": rng.normal(1, 1, 400),
    ...            "bar": rng.normal(1, 1, 400), "spa": rng.normal(-1, 1, 400)}
    >>> stay = 0.9 * ratings["desk"] + 0.8 * ratings["room"] + rng.normal(size=400)
    >>> found = key_drivers(ratings, stay, method="relative_weights", resamples=0)
    >>> for row in importance_performance(found, ratings):
    ...     print(f"{row.step:5} {row.quadrant}")
    desk  concentrate here
    room  keep up the good work
    spa   low priority
    bar   possible overkill
    """
    placed = [d for d in drivers if d.importance is not None]
    if not placed:
        raise InvalidArgumentError("no driver has an importance to place")
    names, matrix = _matrix(ratings, "ratings")
    column = {name: k for k, name in enumerate(names)}
    missing = [d.step for d in placed if d.step not in column]
    if missing:
        raise InvalidArgumentError(
            f"step(s) {missing!r} of the drivers are not columns of the ratings ({names!r})"
        )
    performance = []
    for d in placed:
        values = matrix[:, column[d.step]]
        values = values[np.isfinite(values)]
        performance.append(float(values.mean()) if values.size else float("nan"))
    importance = [float(d.importance or 0.0) for d in placed]
    i_cut, p_cut = _cuts(importance, performance, importance_cut, performance_cut)
    return tuple(
        ImportancePerformance(
            step=d.step,
            importance=i,
            performance=p,
            quadrant=QUADRANTS[(i >= i_cut, p >= p_cut)],
        )
        for d, i, p in zip(placed, importance, performance, strict=True)
    )


def _cuts(
    importance: Sequence[float],
    performance: Sequence[float],
    importance_cut: float | None,
    performance_cut: float | None,
) -> tuple[float, float]:
    i_cut = float(np.mean(importance)) if importance_cut is None else float(importance_cut)
    finite = [p for p in performance if np.isfinite(p)]
    p_cut = float(np.mean(finite)) if performance_cut is None else float(performance_cut)
    return i_cut, p_cut


def crosshair(
    rows: Sequence[ImportancePerformance],
    importance_cut: float | None = None,
    performance_cut: float | None = None,
) -> tuple[float, float]:
    """The importance and performance cuts of *rows*: as given, else the means over the rows.

    The same crosshair :func:`importance_performance` placed the rows with.

    Examples
    --------
    >>> rows = [ImportancePerformance(step="a", importance=0.2, performance=1.0, quadrant=""),
    ...         ImportancePerformance(step="b", importance=0.4, performance=-2.0, quadrant="")]
    >>> crosshair(rows), crosshair(rows, performance_cut=0.0)
    ((0.30000000000000004, -0.5), (0.30000000000000004, 0.0))
    """
    return _cuts(
        [r.importance for r in rows],
        [r.performance for r in rows],
        importance_cut,
        performance_cut,
    )
