"""The wait model (``Waits``) gives exactly what the pre-issue-18 algorithm gave.

:mod:`tests.analysis._reference_waits` keeps the old, quadratic version as an
oracle; random blueprints (customer DAGs, provider work with loops of its
own, waits everywhere) must get the same waits per step, the same state graph
and the same wait counted at every state and along every journey.
"""

from __future__ import annotations

import contextlib
import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from servicebp import Blueprint, Step, Wait
from servicebp.analysis import _customer_graph, _waits
from servicebp.analysis._customer_graph import customer_graph
from servicebp.analysis._waits import Waits
from servicebp.errors import AnalysisTooLargeError, LoopError
from servicebp.testing._strategies import blueprints
from tests._factories import chain

from ._reference_waits import ReferenceWaits

_LANES = ["frontstage", "backstage", "support"]


@st.composite
def tangled(draw: st.DrawFn) -> Blueprint:
    """A customer DAG over provider work whose flows go any way, loops included."""
    bp = Blueprint("Tangled", stages=["s"])
    n = draw(st.integers(1, 8))
    m = draw(st.integers(0, 7))
    wait = st.integers(0, 6).map(lambda d: Wait(duration=d) if d else None)
    for i in range(n):
        bp.add_step(Step(id=f"c{i}", label=f"c{i}", lane="customer", stage="s", wait=draw(wait)))
    for k in range(m):
        lane = draw(st.sampled_from(_LANES))
        bp.add_step(Step(id=f"p{k}", label=f"p{k}", lane=lane, stage="s", wait=draw(wait)))
    for i in range(n - 1):
        for t in sorted(draw(st.sets(st.integers(i + 1, n - 1), max_size=3))):
            bp.connect(f"c{i}", f"c{t}")
    ids = [f"c{i}" for i in range(n)] + [f"p{k}" for k in range(m)]
    pairs = [(a, b) for a, b in itertools.permutations(ids, 2) if "p" in a[0] + b[0]]
    if pairs:
        for a, b in draw(st.lists(st.sampled_from(pairs), max_size=12, unique=True)):
            if (b, a) not in bp.graph.edges:
                bp.connect(a, b, kind=draw(st.sampled_from(["sequence", "support"])))
    return bp


def _journeys(graph: _customer_graph.CustomerGraph) -> list[list[str]]:
    found: list[list[str]] = []
    stack = [[entry] for entry in graph.entries]
    while stack:
        path = stack.pop()
        following = graph.successors[path[-1]]
        if not following:
            found.append(path)
        stack.extend([*path, target] for target, _ in following)
    return found


def _bits(blocks: dict[str, frozenset[int]]) -> dict[str, int]:
    """The old model's bit sets: bit *i* for the wait of rank *i*."""
    return {node: sum(1 << rank for rank in ranks) for node, ranks in blocks.items()}


def _canonical(waits: Waits | ReferenceWaits) -> list[object]:
    """The state graph with each state named by its place in the order, and its wait.

    The new model numbers the tracked waits among themselves, so the keys
    differ from the old ones while the graph is the same.
    """
    states = waits.state_graph()
    place = {state: i for i, state in enumerate(states.order)}
    return [
        (
            state[0],
            waits.counted(*state),
            states.start[state],
            [(place[target], p) for target, p in states.successors[state]],
        )
        for state in states.order
    ] + [place[entry] for entry in states.entries]


def _same_model(bp: Blueprint) -> None:
    try:
        graph = customer_graph(bp)
    except LoopError:
        graph = customer_graph(bp, loops=True)
        new, old = Waits(bp, graph, walk_only=True), ReferenceWaits(bp, graph, walk_only=True)
        assert _bits(new.blocks) == old.blocks
        for path in (list(graph.order), list(reversed(graph.order))):
            assert new.walk(path) == old.walk(path)
        return
    new, old = Waits(bp, graph), ReferenceWaits(bp, graph)
    assert (new.carriers, new.durations) == (old.carriers, old.durations)
    assert _bits(new.blocks) == old.blocks
    assert _canonical(new) == _canonical(old)
    for path in _journeys(graph):
        assert new.walk(path) == old.walk(path)


@settings(max_examples=300)
@given(tangled())
def test_waits_agree_with_the_reference_on_tangled_work(bp: Blueprint) -> None:
    _same_model(bp)


@settings(max_examples=150)
@given(blueprints(max_steps=12))
def test_waits_agree_with_the_reference_on_valid_blueprints(bp: Blueprint) -> None:
    _same_model(bp)


def test_waits_agree_where_the_states_double(monkeypatch: pytest.MonkeyPatch) -> None:
    from .test_analysis import waits_met_first_anywhere

    bp = waits_met_first_anywhere(6)
    _same_model(bp)
    assert len(Waits(bp, customer_graph(bp)).state_graph().order) > 2**6
    monkeypatch.setattr(_waits, "STATE_LIMIT", 10)
    monkeypatch.setattr(_waits, "STATES_PER_STEP", 1)
    with pytest.raises(AnalysisTooLargeError):
        Waits(bp, customer_graph(bp)).state_graph()


def test_a_wait_behind_a_loop_of_work_blocks_every_step_that_reaches_the_loop() -> None:
    bp = chain(3, name="Loop of work", prefix="c", label="c{i}")
    bp.add_step(Step(id="a", label="a", lane="backstage", stage="s", wait=Wait(duration=4)))
    bp.add_step(Step(id="b", label="b", lane="backstage", stage="s", wait=Wait(duration=9)))
    bp.connect("a", "b")
    bp.connect("b", "a")
    bp.connect("c2", "a", kind="support")
    bp.connect("c0", "b", kind="support")
    waits = Waits(bp, customer_graph(bp))
    # a and b depend on each other: both steps that reach the loop meet both waits.
    assert waits.blocks == {"c0": {0, 1}, "c1": set(), "c2": {0, 1}}
    assert waits.walk(["c0", "c1", "c2"]) == [(9.0, "b"), (0.0, "c1"), (0.0, "c2")]
    _same_model(bp)


def test_a_long_chain_keeps_no_waits_that_span_nothing() -> None:
    bp = Blueprint("Chain", stages=["s"])
    for k in range(2_000):
        wait = Wait(duration=k % 7) if k % 4 == 0 else None
        bp.add_step(Step(id=f"c{k}", label=f"c{k}", lane="customer", stage="s", wait=wait))
        if k:
            bp.connect(f"c{k - 1}", f"c{k}")
    waits = Waits(bp, customer_graph(bp))
    assert _canonical(waits) == _canonical(ReferenceWaits(bp, customer_graph(bp)))
    # No wait blocks two steps of the chain, so none is tracked (one state per step).
    assert len(waits.state_graph().order) == 2_000


@settings(max_examples=150)
@given(tangled())
def test_dependents_are_the_closure_over_the_dependence_graph(bp: Blueprint) -> None:
    from servicebp.analysis._customer_graph import Dependents, dependence_graph, dependent_closure

    dependents, dependence = Dependents(bp), dependence_graph(bp)
    for step in bp.steps():
        assert dependents.of(step.id) == dependent_closure(dependence, step.id)


@st.composite
def customer_tangles(draw: st.DrawFn) -> Blueprint:
    """Customer steps with sequence flows any way, so some loop and some do not."""
    bp = Blueprint("Loops", stages=["s"])
    n = draw(st.integers(1, 7))
    for i in range(n):
        bp.add_step(Step(id=f"c{i}", label=f"c{i}", lane="customer", stage="s"))
    bp.add_step(Step(id="f", label="f", lane="frontstage", stage="s"))
    pairs = st.tuples(st.integers(0, n), st.integers(0, n))
    for a, b in draw(st.lists(pairs, max_size=12, unique=True)):
        names = [f"c{a}" if a < n else "f", f"c{b}" if b < n else "f"]
        if names[0] != names[1] and tuple(reversed(names)) not in bp.graph.edges:
            bp.connect(*names)
    return bp


@settings(max_examples=150)
@given(customer_tangles())
def test_has_customer_loop_says_whether_the_customer_graph_refuses(bp: Blueprint) -> None:
    from servicebp.analysis._customer_graph import has_customer_loop

    try:
        customer_graph(bp)
    except LoopError:
        assert has_customer_loop(bp)
    else:
        assert not has_customer_loop(bp)


def test_journey_times_checks_a_loop_before_the_limit() -> None:
    from servicebp import journey_times
    from servicebp.errors import InvalidArgumentError

    bp = chain(("a", "b"), name="Retry", label="{id}")
    with pytest.raises(InvalidArgumentError, match="limit"):
        journey_times(bp, limit=-1)
    bp.connect("b", "a")
    with pytest.raises(LoopError):
        journey_times(bp, limit=-1)


@settings(max_examples=150)
@given(blueprints(max_steps=12))
def test_journeys_multiply_the_same_probability_as_one_path_at_a_time(bp: Blueprint) -> None:
    from hypothesis import assume

    from servicebp import count_journeys, journeys
    from servicebp.analysis._journeys import _Context

    assume(any(s.lane.value == "customer" for s in bp.steps()))
    assume(count_journeys(bp) <= 300)
    context = _Context(bp)
    for journey in journeys(bp):
        # Exactly equal: the start, then each branch, multiplied left to right.
        assert journey == context.path(journey.steps)


@st.composite
def changed_blueprints(draw: st.DrawFn) -> tuple[Blueprint, dict[str, dict[str, object]]]:
    from hypothesis import assume

    from servicebp import FailPoint, count_journeys

    bp = draw(st.one_of(tangled(), blueprints(max_steps=10)))
    assume(any(s.lane.value == "customer" for s in bp.steps()))
    with contextlib.suppress(LoopError):
        assume(count_journeys(bp) <= 200)
    ids = [s.id for s in bp.steps()]
    field = st.sampled_from(["duration", "wait", "fail_point", "rating", "lane"])
    changes: dict[str, dict[str, object]] = {}
    for step_id in draw(st.lists(st.sampled_from(ids), max_size=3, unique=True)):
        step = bp[step_id]
        name = draw(field)
        if name == "duration":
            changes[step_id] = {"duration": draw(st.integers(0, 9))}
        elif name == "wait":
            changes[step_id] = {"wait": draw(st.integers(0, 9))}
        elif name == "fail_point":
            changes[step_id] = {"fail_point": FailPoint(what="jams", probability=0.5)}
        elif name == "rating" and step.lane.value == "customer":
            changes[step_id] = {"rating": draw(st.integers(-3, 3))}
        elif name == "lane" and step.lane.value != "customer":
            changes[step_id] = {"lane": "support"}
    return bp, changes


@settings(max_examples=150)
@given(changed_blueprints())
def test_what_if_sharing_the_customer_graph_equals_building_it_anew(
    case: tuple[Blueprint, dict[str, dict[str, object]]],
) -> None:
    from servicebp import what_if
    from servicebp.analysis import _journeys
    from servicebp.errors import ServiceBlueprintError

    bp, changes = case

    def answer() -> object:
        try:
            return what_if(bp, changes)
        except ServiceBlueprintError as error:
            return type(error), str(error)

    shared = answer()
    original = _journeys._Context.changed
    try:
        _journeys._Context.changed = lambda *args: None  # type: ignore[method-assign]
        built = answer()
    finally:
        _journeys._Context.changed = original  # type: ignore[method-assign]
    assert shared == built
