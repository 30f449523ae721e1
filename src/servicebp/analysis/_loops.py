"""Loops of customer steps (retry, rework) scored exactly as an absorbing Markov chain.

A journey through a loop (pay → card refused → pay → done) may repeat its
steps any number of times, so its journeys cannot all be listed:
:func:`servicebp.journeys` lists them up to a stated bound. The expectations
here count every journey, however long, exactly.

The customer lane is an absorbing Markov chain: its steps are the transient
states, a step's branch probabilities are the transition matrix ``Q``, and a
journey is absorbed when it completes an exit step (or leaves the service
where the branch probabilities sum below 1). The fundamental matrix
``N = (I - Q)^-1`` holds the expected number of visits to each step
(Kemeny & Snell, *Finite Markov Chains*, 1960), so with the entry
distribution ``π`` the expected visits are ``π N`` (:func:`expected_visits`).

Expected scores are over the customers who complete a journey, as for a
blueprint without loops:

- ``worst``, ``last``, ``peak_end`` and ``moment_floor`` depend only on a
  summary of the journey so far (its worst rating, its peak, its worst
  moment) and its last step. The chain over (step, summary) pairs is finite
  and absorbing too; its fundamental matrix gives the probability of ending
  at each exit with each summary, so the expectation is exact (one sparse
  linear solve).
- ``mean``, ``weighted`` and ``share_positive`` (the mean of "rated above
  0") divide by the journey's length (or weight), which
  has no finite summary. Their expectation is the series over journey length
  ``L`` of ``Σ E[Σ w r ; length L] / W``, computed by propagating the chain's
  mass one step at a time (``m_{L+1} = m_L Q``) until the mass left in the
  loops is below ``1e-15`` of the total: exact to the precision of a float.
- A strategy registered by the caller is a function of a whole journey, which
  no finite chain can summarise; scoring it over loops raises
  :class:`~servicebp.errors.LoopError` (score the bounded unrolling from
  :func:`servicebp.journeys` instead).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from typing import Final

import numpy as np
import scipy.sparse as sparse
import scipy.sparse.linalg as sparse_linalg

from servicebp.analysis._customer_graph import CustomerGraph, customer_graph
from servicebp.errors import AnalysisTooLargeError, LoopError, Problem, RatingError
from servicebp.model import Blueprint
from servicebp.model._blueprint import closed_loop_problems

__all__ = ["LOOP_EXACT_STRATEGIES", "expected_visits", "loop_expected_scores"]

#: The built-in strategies scored exactly over loops.
LOOP_EXACT_STRATEGIES: Final = (
    "mean",
    "weighted",
    "worst",
    "last",
    "peak_end",
    "moment_floor",
    "share_positive",
)
#: The most (step, summary) states or series steps an exact loop expectation builds.
LOOP_STATE_LIMIT: Final = 1_000_000
#: The series for mean and weighted stops once this share of the mass is left in the loops.
SERIES_TOLERANCE: Final = 1e-15

#: The summary of a journey so far: its worst rating, its peak, its worst moment (or None).
_Summary = tuple[float, float, float | None]


def _transitions(graph: CustomerGraph) -> tuple[list[str], sparse.csr_matrix, np.ndarray]:
    index = {n: i for i, n in enumerate(graph.order)}
    rows, cols, values = [], [], []
    for node in graph.order:
        for target, p in graph.successors[node]:
            rows.append(index[node])
            cols.append(index[target])
            values.append(p)
    size = len(graph.order)
    q = sparse.csr_matrix((values, (rows, cols)), shape=(size, size))
    start = np.array([graph.start[n] for n in graph.order])
    return list(graph.order), q, start


def expected_visits(bp: Blueprint) -> dict[str, float]:
    """Return how often a customer is expected to pass each customer step: ``π (I - Q)^-1``.

    Exact for loops too (the fundamental matrix of the absorbing chain; see
    the module docstring); without loops it is the probability that a
    journey passes the step. Counted per customer entering, including those
    who leave the service on the way.

    Raises
    ------
    BlueprintValidationError
        If a loop has no way out (see :meth:`Blueprint.validate`).

    Examples
    --------
    A card is refused 30 % of the time and the customer tries again:
    ``pay`` is visited ``1 / (1 - 0.3)`` times on average.

    >>> from servicebp import Blueprint, Step
    >>> bp = Blueprint("Shop", stages=["pay", "done"])
    >>> for i, st in [("pay", "pay"), ("retry", "pay"), ("done", "done")]:
    ...     _ = bp.add_step(Step(id=i, label=i, lane="customer", stage=st))
    >>> _ = bp.connect("pay", "retry", probability=0.3)
    >>> _ = bp.connect("retry", "pay")
    >>> _ = bp.connect("pay", "done")
    >>> {k: round(v, 6) for k, v in expected_visits(bp).items()}
    {'pay': 1.428571, 'retry': 0.428571, 'done': 1.0}
    """
    _check_closed(bp)
    graph = customer_graph(bp, loops=True)
    order, q, start = _transitions(graph)
    if not order:
        return {}
    identity = sparse.identity(len(order), format="csc")
    visits = sparse_linalg.spsolve((identity - q).T.tocsc(), start)
    return {n: float(v) for n, v in zip(order, np.atleast_1d(visits), strict=True)}


def _check_closed(bp: Blueprint) -> None:
    closed = closed_loop_problems(bp)
    if closed:
        raise LoopError(closed)


def _update(summary: _Summary | None, rating: float, moment: bool) -> _Summary:
    if summary is None:
        return rating, rating, rating if moment else None
    worst, peak, floor = summary
    if abs(rating) > abs(peak) or (abs(rating) == abs(peak) and rating < peak):
        peak = rating
    if moment:
        floor = rating if floor is None else min(floor, rating)
    return min(worst, rating), peak, floor


_FINAL: Final[Mapping[str, Callable[[_Summary, float], float]]] = {
    "worst": lambda s, last: s[0],
    "last": lambda s, last: last,
    "peak_end": lambda s, last: (s[1] + last) / 2,
    "moment_floor": lambda s, last: s[2] if s[2] is not None else s[0],
}


def _summary_chain(
    graph: CustomerGraph, table: Mapping[str, float], moments: set[str]
) -> dict[tuple[str, _Summary], float]:
    """The probability of completing at each (exit step, summary), by one sparse solve."""
    index: dict[tuple[str, _Summary], int] = {}
    states: list[tuple[str, _Summary]] = []
    rows: list[int] = []
    cols: list[int] = []
    values: list[float] = []

    def state(node: str, summary: _Summary) -> int:
        key = (node, summary)
        if key not in index:
            if len(states) >= LOOP_STATE_LIMIT:
                raise AnalysisTooLargeError(
                    f"scoring the loops exactly needs more than {LOOP_STATE_LIMIT:,} "
                    "(step, summary) states; score journeys(bp, max_visits=...) instead"
                )
            index[key] = len(states)
            states.append(key)
        return index[key]

    starts = {
        state(e, _update(None, table[e], e in moments)): graph.start[e] for e in graph.entries
    }
    done = 0
    while done < len(states):
        node, summary = states[done]
        for target, p in graph.successors[node]:
            rows.append(done)
            cols.append(state(target, _update(summary, table[target], target in moments)))
            values.append(p)
        done += 1
    size = len(states)
    q = sparse.csr_matrix((values, (rows, cols)), shape=(size, size))
    start = np.zeros(size)
    for i, p in starts.items():
        start[i] = p
    visits = np.atleast_1d(
        sparse_linalg.spsolve((sparse.identity(size, format="csc") - q).T.tocsc(), start)
    )
    return {key: float(visits[i]) for key, i in index.items() if not graph.successors[key[0]]}


def _series(
    graph: CustomerGraph, table: Mapping[str, float], weight: Mapping[str, float]
) -> tuple[float, float]:
    """``(Σ p · Σwr/Σw over completed journeys, completion probability)``, by the series."""
    # State: (step, weight so far) -> (probability mass, expected Σ w r on that mass).
    mass: dict[tuple[str, float], list[float]] = {}
    for e in graph.entries:
        w = weight[e]
        mass[(e, w)] = [graph.start[e], graph.start[e] * w * table[e]]
    total = math.fsum(graph.start[e] for e in graph.entries)
    value: list[float] = []
    completed: list[float] = []
    steps = 0
    while mass:
        nxt: dict[tuple[str, float], list[float]] = {}
        left = 0.0
        for (node, w), (p, s) in mass.items():
            successors = graph.successors[node]
            if not successors:
                completed.append(p)
                value.append(s / w)
                continue
            for target, branch in successors:
                wt = w + weight[target]
                cell = nxt.setdefault((target, wt), [0.0, 0.0])
                cell[0] += p * branch
                cell[1] += (s + p * weight[target] * table[target]) * branch
                left += p * branch
        steps += len(mass)
        if steps > LOOP_STATE_LIMIT:
            raise AnalysisTooLargeError(
                f"scoring the loops exactly needs more than {LOOP_STATE_LIMIT:,} series "
                "states; score journeys(bp, max_visits=...) instead"
            )
        mass = nxt if left > SERIES_TOLERANCE * total else {}
    return math.fsum(value), math.fsum(completed)


def loop_expected_scores(
    bp: Blueprint, table: Mapping[str, float], names: Iterable[str]
) -> dict[str, float]:
    """Expected scores over every journey of a blueprint with loops (see the module docstring).

    *table* maps every customer step to its rating.
    """
    names = list(names)
    custom = [n for n in names if n not in LOOP_EXACT_STRATEGIES]
    if custom:
        raise LoopError(
            [
                Problem(
                    message=f"strategy {custom[0]!r} cannot be scored exactly over loops of "
                    f"customer steps (only {list(LOOP_EXACT_STRATEGIES)} can); score the "
                    "bounded unrolling: expected_scores(bp, journeys=journeys(bp), ...)",
                    field="strategies",
                )
            ]
        )
    _check_closed(bp)
    graph = customer_graph(bp, loops=True)
    moments = {n for n, s in graph.steps.items() if s.moment is not None}
    missing = [n for n in graph.order if n not in table]
    if missing:
        raise RatingError(
            f"no rating for steps {missing} (give one in the ratings or as the step's "
            "designed rating)"
        )
    result: dict[str, float] = {}
    ends: dict[tuple[str, _Summary], float] | None = None
    for name in names:
        if name in ("mean", "weighted", "share_positive"):
            weight = {
                n: 1.0 if name != "weighted" or s.moment is None else float(s.moment.weight)
                for n, s in graph.steps.items()
            }
            # share_positive is the mean of "rated above 0" (1 or 0) over the steps.
            rated = (
                table if name != "share_positive" else {n: float(r > 0) for n, r in table.items()}
            )
            value, completed = _series(graph, rated, weight)
        else:
            if ends is None:
                ends = _summary_chain(graph, table, moments)
            final = _FINAL[name]
            completed = math.fsum(ends.values())
            value = math.fsum(p * final(s, table[node]) for (node, s), p in ends.items())
        if completed <= 0:
            raise RatingError(
                f"blueprint {bp.name!r}: no journey has a probability above 0, "
                "so there is no expected score"
            )
        result[name] = value / completed
    return result
