"""Customer journeys through a blueprint: enumerate them, or find the extreme ones.

A journey is a path of customer steps from an entry step (no customer
sequence flow leads into it) to an exit step (none leads out), following the
sequence flows of the customer lane.

Probabilities
-------------
A journey's probability is the product of its branch probabilities, times
the probability of starting at its entry step:

* a branch (a sequence flow between customer steps) with a probability keeps
  it;
* the probability that a step's specified branches leave unassigned
  (``1 - sum``) is split evenly among its branches without one; so a single
  unlabelled branch has probability 1, and two unlabelled branches 0.5 each;
* when every branch out of a step has a probability and they sum to less
  than 1, the remainder is the chance that the customer leaves the service
  there; it belongs to no journey, and the journeys' probabilities then sum
  to less than 1;
* a journey starts at each entry step with equal probability.

Time
----
A journey's ``duration`` is the sum of its customer steps' durations (a
missing duration counts 0). A wait blocks a customer step when it is marked
on the step itself or on the frontstage, backstage or support work the step
depends on. A journey's ``wait`` counts **each wait at most once, at the
first customer step of the journey that it blocks**: work behind the line,
once waited for, is done, so a frontstage wait that every later contact
depends on keeps the customer waiting once. Several waits first met at one
step run in parallel, and the step counts the longest. Work behind the line
of interaction runs in parallel with the customer, so its durations are not
added (see :func:`servicebp.journey_times`).

The number of journeys grows exponentially with the branches (40 two-way
branches in a row make 2**40 journeys), so :func:`journeys` counts them by
dynamic programming before it enumerates any, and refuses more than its
``limit``. :func:`most_likely_journey` and :func:`critical_journey` never
enumerate: each is one pass over the customer lane, linear in steps + flows.
Where a wait is first met at a step on some journeys and earlier on others,
:func:`critical_journey` tells those ways in apart (see
:class:`servicebp.analysis._waits.Waits`), which stays exact and costs one
pass per distinct set of such waits met.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterable
from typing import TypeVar

import attrs

from servicebp.analysis._customer_graph import CustomerGraph, Dag, customer_graph
from servicebp.analysis._waits import Waits
from servicebp.errors import (
    BlueprintValidationError,
    InvalidArgumentError,
    LoopError,
    Problem,
    TooManyJourneysError,
)
from servicebp.model import Blueprint
from servicebp.model._blueprint import closed_loop_problems
from servicebp.model._personas import as_persona

__all__ = [
    "JourneyPath",
    "count_journeys",
    "critical_journey",
    "journeys",
    "most_likely_journey",
]

_K = TypeVar("_K", str, tuple[str, int])

#: How many journeys :func:`journeys` enumerates at most unless told otherwise.
DEFAULT_JOURNEY_LIMIT = 10_000
#: How often :func:`journeys` lets a journey pass one step of a loop unless told otherwise:
#: a first try and two retries.
MAX_VISITS = 3


@attrs.frozen(kw_only=True)
class JourneyPath:
    """One journey through the customer lane, from an entry to an exit step.

    Parameters
    ----------
    steps : tuple of str
        The customer step ids in time order.
    probability : float
        The probability that a customer takes this journey.
    duration : float
        Total duration of the customer steps, in minutes.
    wait : float
        Total wait that blocks the customer along the way, in minutes: each
        wait counted once, at the first step it blocks.

    Examples
    --------
    >>> JourneyPath(steps=("a", "b"), probability=0.5, duration=3.0, wait=1.0).elapsed
    4.0
    """

    steps: tuple[str, ...]
    probability: float
    duration: float
    wait: float

    @property
    def elapsed(self) -> float:
        """The customer's elapsed time: duration plus wait, in minutes."""
        return self.duration + self.wait

    @property
    def entry(self) -> str:
        """The entry step's id."""
        return self.steps[0]

    @property
    def exit(self) -> str:
        """The exit step's id."""
        return self.steps[-1]


class _Context:
    """The customer DAG with each step's own duration and the waits that block it."""

    def __init__(
        self,
        bp: Blueprint,
        *,
        loops: bool = False,
        graph: CustomerGraph | None = None,
        waits: Waits | None = None,
    ) -> None:
        self.loops = False
        try:
            # A caller that built the customer graph already passes it (it is the big part).
            self.graph: CustomerGraph = customer_graph(bp) if graph is None else graph
        except LoopError:
            if not loops:
                raise
            closed = closed_loop_problems(bp)
            if closed:
                raise BlueprintValidationError(closed) from None
            self.graph = customer_graph(bp, loops=True)
            self.loops = True
        if not self.graph.order:
            raise BlueprintValidationError(
                [
                    Problem(
                        message="the blueprint has no customer steps, so no journey",
                        field="steps",
                    )
                ]
            )
        self.waits = Waits(bp, self.graph, walk_only=self.loops) if waits is None else waits
        self.duration = {n: s.duration or 0.0 for n, s in self.graph.steps.items()}
        self._branch: dict[str, dict[str, float]] = {}

    def changed(self, bp: Blueprint, after: Blueprint, ids: Iterable[str]) -> _Context | None:
        """The context of *after*, *bp* (this context's blueprint) with the steps *ids* replaced.

        When no replaced step moves lane or stage or changes its wait, and
        the customer steps do not loop, the customer graph's structure and
        the wait model are *bp*'s (they depend on the flows, the lanes, the
        stages and the waits only), so only the steps and their durations
        are taken anew; otherwise None, and the caller builds the context.
        """
        if self.loops:
            return None
        steps = dict(self.graph.steps)
        for step_id in ids:
            old, new = bp[step_id], after[step_id]
            if (old.lane, old.stage, old.wait) != (new.lane, new.stage, new.wait):
                return None
            if new.id in steps:
                steps[new.id] = new
        graph = attrs.evolve(self.graph, steps=steps)
        return _Context(after, graph=graph, waits=self.waits)

    def _branches(self, source: str) -> dict[str, float]:
        # Built once per step (a fan-out of thousands was rebuilt per journey).
        found = self._branch.get(source)
        if found is None:
            found = self._branch[source] = dict(self.graph.successors[source])
        return found

    def path(self, steps: tuple[str, ...], probability: float | None = None) -> JourneyPath:
        """The journey along *steps*; *probability* when the caller multiplied it already.

        The caller's product must be the one computed here: the start
        probability times each branch's, left to right.
        """
        if probability is None:
            probability = self.graph.start[steps[0]]
            for source, target in itertools.pairwise(steps):
                probability *= self._branches(source)[target]
        return JourneyPath(
            steps=steps,
            probability=probability,
            duration=math.fsum(self.duration[n] for n in steps),
            wait=math.fsum(wait for wait, _ in self.waits.walk(steps)),
        )


def _path_counts(graph: CustomerGraph) -> dict[str, int]:
    """Number of paths from each step to an exit (exact Python integers)."""
    count: dict[str, int] = {}
    for node in reversed(graph.order):
        successors = graph.successors[node]
        count[node] = sum(count[t] for t, _ in successors) if successors else 1
    return count


def count_journeys(bp: Blueprint) -> int:
    """Return how many journeys the blueprint has, without enumerating them.

    Linear in steps + flows (dynamic programming over the customer lane).

    Examples
    --------
    >>> from servicebp import Blueprint, Step
    >>> bp = Blueprint("Fork", stages=["s"])
    >>> for i in "abcd":
    ...     _ = bp.add_step(Step(id=i, label=i, lane="customer", stage="s"))
    >>> for u, v in ["ab", "ac", "bd", "cd"]:
    ...     _ = bp.connect(u, v)
    >>> count_journeys(bp)
    2
    """
    graph = customer_graph(bp)
    count = _path_counts(graph)
    return sum(count[entry] for entry in graph.entries)


def journeys(
    bp: Blueprint,
    *,
    limit: int = DEFAULT_JOURNEY_LIMIT,
    max_visits: int = MAX_VISITS,
    persona: str | None = None,
) -> tuple[JourneyPath, ...]:
    """Return every customer journey, in time order of their branches.

    Parameters
    ----------
    bp : Blueprint
        The blueprint.
    limit : int
        The most journeys to produce. The journeys are counted first (in
        linear time); if there are more, nothing is enumerated.
    max_visits : int
        With loops of customer steps (retry, rework): the most times a
        journey passes one step. The journeys listed are the loops unrolled
        up to that bound, so their probabilities sum to less than 1 by the
        chance of looping more often; :func:`servicebp.expected_scores`
        and :func:`servicebp.expected_visits` count every journey exactly
        (absorbing Markov chain). Without loops it changes nothing.
    persona : str, optional
        Whose journey: a persona the blueprint declares (its ratings,
        moment weights and waits); default the steps' own values.

    Returns
    -------
    tuple of JourneyPath
        Depth-first from each entry step, earlier branches (by stage, then
        insertion) first. See the module docstring for how probability,
        duration and wait are computed.

    Raises
    ------
    TooManyJourneysError
        If the blueprint has more than *limit* journeys.
    BlueprintValidationError
        If the blueprint has no customer step, or its customer steps form a
        cycle in time.

    Examples
    --------
    >>> from servicebp import Blueprint, Step, Wait
    >>> bp = Blueprint("Coffee", stages=["order", "pay"])
    >>> _ = bp.add_step(Step(id="order", label="Order", lane="customer", stage="order",
    ...                      duration=2, wait=Wait(duration=5, tolerance=4)))
    >>> _ = bp.add_step(Step(id="cash", label="Pay cash", lane="customer", stage="pay",
    ...                      duration=1))
    >>> _ = bp.add_step(Step(id="card", label="Pay by card", lane="customer", stage="pay",
    ...                      duration=0.5))
    >>> _ = bp.connect("order", "cash", probability=0.25)
    >>> _ = bp.connect("order", "card")
    >>> for j in journeys(bp):
    ...     print(j.steps, j.probability, j.duration, j.wait)
    ('order', 'cash') 0.25 3.0 5.0
    ('order', 'card') 0.75 2.5 5.0
    >>> journeys(bp, limit=1)
    Traceback (most recent call last):
    ...
    servicebp.errors.TooManyJourneysError: blueprint 'Coffee' has 2 customer journeys, ...
    """
    bp = as_persona(bp, persona)
    check_journey_limits(limit, max_visits)
    return listed(bp, _Context(bp, loops=True), limit, max_visits)


def check_journey_limits(limit: object, max_visits: object) -> None:
    """Raise unless *limit* and *max_visits* are what :func:`journeys` accepts."""
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 0:
        raise InvalidArgumentError(f"limit must be a whole number >= 0, got {limit!r}")
    if isinstance(max_visits, bool) or not isinstance(max_visits, int) or max_visits < 1:
        raise InvalidArgumentError(f"max_visits must be a whole number >= 1, got {max_visits!r}")


def listed(
    bp: Blueprint, context: _Context, limit: int, max_visits: int
) -> tuple[JourneyPath, ...]:
    """The journeys of :func:`journeys`, over a context already built."""
    if context.loops:
        return _unrolled(bp, context, limit, max_visits)
    graph = context.graph
    count = _path_counts(graph)
    total = sum(count[entry] for entry in graph.entries)
    if total > limit:
        raise TooManyJourneysError(bp.name, total, limit)
    found: list[JourneyPath] = []
    successors = graph.successors
    for entry in graph.entries:
        # Iterative depth-first search (a blueprint may be deeper than Python's
        # recursion limit) over one path that grows and shrinks in place: the
        # path is copied only when a journey ends, so the cost is linear in
        # the output, not in the output times the journeys' length.
        # The probability of each prefix of the path, multiplied as it grows, in
        # the order path() multiplies (a dict of branches per step, per journey,
        # was most of the cost of one journey of 100,000 steps).
        path = [entry]
        chance = [graph.start[entry]]
        branches = [iter(successors[entry])]
        if not successors[entry]:
            found.append(context.path(tuple(path), chance[-1]))
        while branches:
            following = next(branches[-1], None)
            if following is None:
                branches.pop()
                path.pop()
                chance.pop()
                continue
            target, p = following
            path.append(target)
            chance.append(chance[-1] * p)
            if successors[target]:
                branches.append(iter(successors[target]))
            else:
                found.append(context.path(tuple(path), chance[-1]))
                path.pop()
                chance.pop()
    return tuple(found)


def _unrolled(
    bp: Blueprint, context: _Context, limit: int, max_visits: int
) -> tuple[JourneyPath, ...]:
    """The journeys of a graph with loops, each step passed at most *max_visits* times."""
    graph = context.graph
    found: list[tuple[str, ...]] = []
    for entry in graph.entries:
        stack: list[tuple[str, ...]] = [(entry,)]
        while stack:
            path = stack.pop()
            successors = graph.successors[path[-1]]
            if not successors:
                found.append(path)
                if len(found) > limit:
                    raise TooManyJourneysError(bp.name, len(found), limit, at_least=True)
            for target, _ in reversed(successors):
                if path.count(target) < max_visits:
                    stack.append((*path, target))
    return tuple(context.path(path) for path in found)


def _best_path(
    graph: Dag[_K],
    gain: Callable[[_K], float],
    edge: Callable[[float], float],
) -> list[_K]:
    """The path maximising the sum of *gain* per node and *edge* per branch.

    One backward pass over the DAG (the customer lane, or its state graph,
    whose nodes are keyed *K*); ties go to the earlier branch and entry.
    """
    successors, order, entries, start = graph.successors, graph.order, graph.entries, graph.start
    value: dict[_K, float] = {}
    choice: dict[_K, _K | None] = {}
    for node in reversed(order):
        best, pick = -math.inf, None
        for target, p in successors[node]:
            candidate = edge(p) + value[target]
            if candidate > best:
                best, pick = candidate, target
        value[node] = gain(node) + (best if successors[node] else 0.0)
        choice[node] = pick
    rank = {entry: i for i, entry in enumerate(entries)}
    first = max(entries, key=lambda e: (edge(start[e]) + value[e], -rank[e]))
    path = [first]
    while (following := choice[path[-1]]) is not None:
        path.append(following)
    return path


def _log(p: float) -> float:
    return math.log(p) if p > 0 else -math.inf


def most_likely_journey(bp: Blueprint) -> JourneyPath:
    """Return the journey with the highest probability, without enumerating.

    The probabilities are multiplied in log space, so a journey of thousands
    of branches is still compared correctly even when its probability
    underflows to 0.0. Linear in steps + flows.

    Examples
    --------
    >>> from servicebp import Blueprint, Step
    >>> bp = Blueprint("Coffee", stages=["order", "pay"])
    >>> for i in ("order", "cash", "card"):
    ...     _ = bp.add_step(Step(id=i, label=i, lane="customer",
    ...                          stage="order" if i == "order" else "pay"))
    >>> _ = bp.connect("order", "cash", probability=0.25)
    >>> _ = bp.connect("order", "card")
    >>> most_likely_journey(bp).steps
    ('order', 'card')
    """
    context = _Context(bp)
    steps: list[str] = _best_path(context.graph, lambda n: 0.0, _log)
    return context.path(tuple(steps))


def critical_journey(bp: Blueprint, *, persona: str | None = None) -> JourneyPath:
    """Return the journey with the longest elapsed time (duration + wait).

    Linear in steps + flows; ties go to the earlier branch. Each wait counts
    once per journey, at the first step it blocks (see the module docstring):
    where that step depends on the way in, the pass runs over the customer
    lane's state graph (:class:`servicebp.analysis._waits.Waits`), so the
    answer is still the longest of all journeys.

    Examples
    --------
    >>> from servicebp import Blueprint, Step, Wait
    >>> bp = Blueprint("Coffee", stages=["order", "pay"])
    >>> _ = bp.add_step(Step(id="order", label="Order", lane="customer", stage="order"))
    >>> _ = bp.add_step(Step(id="cash", label="Cash", lane="customer", stage="pay", duration=1))
    >>> _ = bp.add_step(Step(id="card", label="Card", lane="customer", stage="pay",
    ...                      duration=0.5, wait=Wait(duration=2)))
    >>> _ = bp.connect("order", "cash")
    >>> _ = bp.connect("order", "card")
    >>> j = critical_journey(bp)
    >>> j.steps, j.elapsed
    (('order', 'card'), 2.5)
    """
    bp = as_persona(bp, persona)
    context = _Context(bp)
    waits = context.waits

    def gain(state: tuple[str, int]) -> float:
        node, seen = state
        return context.duration[node] + waits.counted(node, seen)[0]

    path = _best_path(waits.state_graph(), gain, lambda p: 0.0)
    return context.path(tuple(node for node, _ in path))
