"""Stateful property tests: random edits of one blueprint, checked after every step.

A :class:`hypothesis.stateful.RuleBasedStateMachine` adds and removes steps
and stages, connects and disconnects, tags moments of truth, rates steps, and
saves and loads (YAML and JSON, files and strings). After every step:

- the blueprint is locally valid (every flow joins two known steps, no
  self-loop, no second flow between a pair, every step's stage listed, branch
  probabilities out of a step sum to at most 1), and ``problems()`` answers;
- a mutation that must fail raises a servicebp error and leaves the
  blueprint equal to what it was before (the rule predicts the failure);
- it equals itself after a ``dumps``/``loads`` round trip in YAML and JSON
  (when it has whole-blueprint problems, loading names exactly those);
- every registered scoring strategy scores the customer journey's ratings
  within −3…+3.
"""

from __future__ import annotations

import math
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from servicebp import (
    STRATEGIES,
    Blueprint,
    BlueprintValidationError,
    DuplicateStepError,
    Flow,
    FlowKind,
    Journey,
    JourneyStep,
    Lane,
    MomentOfTruth,
    Problem,
    ServiceBlueprintError,
    Step,
    UnknownStepError,
    dumps,
    load,
    loads,
    save,
    score,
)
from servicebp.model._blueprint import PROBABILITY_TOLERANCE

IDS = st.sampled_from([f"s{i}" for i in range(8)])
STAGES = st.sampled_from(["arrive", "order", "pay", "leave"])
LABELS = st.text(
    alphabet=st.characters(exclude_categories=["Cc", "Cs"]), min_size=1, max_size=12
).filter(str.strip)
KINDS = st.sampled_from(["purchase", "usage", "service-support", "first-contact", "follow-up"])
GOOD_RATINGS = st.one_of(st.integers(-3, 3), st.floats(-3, 3, allow_nan=False))
BAD_RATINGS = st.sampled_from([4, -3.5, math.nan, math.inf, 10**400, "2", True])
PROBABILITIES = st.one_of(st.none(), st.floats(0, 1, allow_nan=False))


class BlueprintEdits(RuleBasedStateMachine):
    """Random edits of one blueprint; see the module docstring for the checks."""

    def __init__(self) -> None:
        super().__init__()
        self.bp = Blueprint("Edited", stages=["arrive", "order"])
        self.folder = tempfile.TemporaryDirectory()

    def teardown(self) -> None:
        self.folder.cleanup()

    # -- a mutation that may fail --------------------------------------------------

    def attempt(self, must_fail: bool, change: Any, *errors: type[BaseException]) -> None:
        """Apply *change*; if *must_fail*, it must raise one of *errors* and change nothing."""
        before = self.bp.copy()
        if not must_fail:
            change()
            return
        with pytest.raises(errors or ServiceBlueprintError) as info:
            change()
        assert isinstance(info.value, ServiceBlueprintError)
        assert self.bp == before, f"failed mutation changed the blueprint: {info.value}"

    # -- rules ------------------------------------------------------------------------

    @rule(step_id=IDS, label=LABELS, lane=st.sampled_from(list(Lane)), stage=STAGES)
    def add_step(self, step_id: str, label: str, lane: Lane, stage: str) -> None:
        new = Step(id=step_id, label=label, lane=lane, stage=stage)
        if step_id in self.bp:
            self.attempt(True, lambda: self.bp.add_step(new), DuplicateStepError)
        else:
            self.attempt(stage not in self.bp.stages, lambda: self.bp.add_step(new))

    @rule(step_id=IDS)
    def remove_step(self, step_id: str) -> None:
        self.attempt(step_id not in self.bp, lambda: self.bp.remove_step(step_id), UnknownStepError)

    @rule(stage=STAGES)
    def add_stage(self, stage: str) -> None:
        self.attempt(stage in self.bp.stages, lambda: self.bp.add_stage(stage))

    @rule(stage=STAGES)
    def remove_stage(self, stage: str) -> None:
        in_use = stage not in self.bp.stages or any(s.stage == stage for s in self.bp)
        self.attempt(in_use, lambda: self.bp.remove_stage(stage))

    @rule()
    def tidy(self) -> None:
        # Drops the stages no step uses, so that whole-valid states (which
        # load() accepts) come up often.
        for stage in self.bp.stages:
            if not any(s.stage == stage for s in self.bp):
                self.bp.remove_stage(stage)

    @rule(
        start=IDS,
        end=IDS,
        kind=st.sampled_from(list(FlowKind)),
        probability=PROBABILITIES,
    )
    def connect(self, start: str, end: str, kind: FlowKind, probability: float | None) -> None:
        def change() -> None:
            self.bp.connect(start, end, kind=kind, probability=probability)

        if start not in self.bp or end not in self.bp:
            self.attempt(True, change, UnknownStepError)
            return
        total = (probability or 0.0) + sum(
            f.probability or 0.0 for f in self.bp.outgoing(start, kind=kind)
        )
        must_fail = (
            start == end
            or self.bp.graph.has_edge(start, end)
            or (probability is not None and total > 1 + PROBABILITY_TOLERANCE)
        )
        self.attempt(must_fail, change)

    @rule(start=IDS, end=IDS)
    def disconnect(self, start: str, end: str) -> None:
        exists = start in self.bp and end in self.bp and self.bp.graph.has_edge(start, end)
        self.attempt(not exists, lambda: self.bp.disconnect(start, end))

    @rule(step_id=IDS, kind=KINDS, weight=st.floats(0.1, 5))
    def tag(self, step_id: str, kind: str, weight: float) -> None:
        def change() -> None:
            step = self.bp[step_id]
            self.bp.replace_step(step.evolve(moment=MomentOfTruth(kind=kind, weight=weight)))

        if step_id not in self.bp:
            self.attempt(True, change, UnknownStepError)
        else:
            # a moment of truth never sits on physical evidence (Step refuses it)
            on_evidence = self.bp[step_id].lane is Lane.PHYSICAL_EVIDENCE
            self.attempt(on_evidence, change, BlueprintValidationError)

    @rule(step_id=IDS, rating=GOOD_RATINGS)
    def rate(self, step_id: str, rating: float) -> None:
        def change() -> None:
            self.bp.replace_step(self.bp[step_id].evolve(rating=rating))

        self.attempt(step_id not in self.bp, change, UnknownStepError)

    @rule(step_id=IDS, rating=BAD_RATINGS)
    def rate_off_the_scale(self, step_id: str, rating: object) -> None:
        self.attempt(True, lambda: self.bp.replace_step(self.bp[step_id].evolve(rating=rating)))

    @rule(step_id=IDS, field=st.sampled_from(["id", "label", "stage"]))
    def break_text(self, step_id: str, field: str) -> None:
        self.attempt(True, lambda: self.bp.replace_step(self.bp[step_id].evolve(**{field: "\x00"})))

    @precondition(lambda self: len(self.bp) > 0 and not self.bp.problems())
    @rule(suffix=st.sampled_from(["yaml", "json"]))
    def save_and_load(self, suffix: str) -> None:
        path = Path(self.folder.name) / f"bp.{suffix}"
        save(self.bp, path)
        again = load(path)
        assert again == self.bp
        self.bp = again  # go on editing the loaded copy

    # -- invariants ---------------------------------------------------------------------

    @invariant()
    def locally_valid(self) -> None:
        bp = self.bp
        for step in bp:
            assert step.stage in bp.stages
        seen: set[tuple[str, str]] = set()
        for flow in bp.flows():
            assert isinstance(flow, Flow)
            assert flow.source in bp
            assert flow.target in bp
            assert flow.source != flow.target
            assert (flow.source, flow.target) not in seen
            seen.add((flow.source, flow.target))
        for step in bp:
            for kind in FlowKind:
                total = sum(f.probability or 0.0 for f in bp.outgoing(step.id, kind=kind))
                assert total <= 1 + PROBABILITY_TOLERANCE
        assert all(isinstance(p, Problem) for p in bp.problems())

    @invariant()
    def round_trips(self) -> None:
        # load() runs the whole-blueprint checks, so a blueprint with
        # whole-level problems (a stage no step uses, a customer cycle) is
        # not written at all, with those same problems named; every
        # blueprint that is written loads back equal.
        problems = self.bp.problems()
        for fmt in ("yaml", "json"):
            if not problems:
                assert loads(dumps(self.bp, format=fmt), format=fmt) == self.bp, fmt
                continue
            with pytest.raises(BlueprintValidationError) as info:
                dumps(self.bp, format=fmt)
            assert [p.step for p in info.value.problems] == [p.step for p in problems]
            assert all("not written" in p.message for p in info.value.problems)

    @invariant()
    def scores_stay_on_the_scale(self) -> None:
        # The customer spine's rated steps, with their moment weights, as one journey.
        walk = [
            JourneyStep(
                step=s.id,
                rating=s.rating,
                moment_weight=None if s.moment is None else s.moment.weight,
            )
            for s in self.bp.customer_spine()
            if s.rating is not None
        ]
        if not walk:
            return
        for name in STRATEGIES:
            for journey in (Journey(steps=walk), [step.rating for step in walk]):
                value = score(journey, strategy=name)
                assert -3 <= value <= 3, (name, walk, value)


BlueprintEdits.TestCase.settings = settings(
    max_examples=50,
    stateful_step_count=25,
)
test_blueprint_edits = BlueprintEdits.TestCase
