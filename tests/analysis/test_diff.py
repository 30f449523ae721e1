"""Tests for servicebp.diff: structural changes and journey score changes."""

from __future__ import annotations

import pytest

from servicebp import Blueprint, MomentOfTruth, Step, Wait, diff


def coffee() -> Blueprint:
    bp = Blueprint("Coffee", stages=["order", "pay"])
    bp.add_step(Step(id="order", label="Order", lane="customer", stage="order", rating=1))
    bp.add_step(
        Step(
            id="queue",
            label="Queue",
            lane="customer",
            stage="order",
            rating=-2,
            wait=Wait(duration=8, tolerance=5),
        )
    )
    bp.add_step(
        Step(
            id="pay",
            label="Pay",
            lane="customer",
            stage="pay",
            rating=2,
            moment=MomentOfTruth(kind="purchase"),
        )
    )
    bp.add_step(Step(id="till", label="Till", lane="frontstage", stage="pay"))
    bp.connect("order", "queue")
    bp.connect("queue", "pay")
    bp.connect("pay", "till", kind="support")
    return bp


def test_identical_blueprints_have_an_empty_diff() -> None:
    d = diff(coffee(), coffee(), ratings_after={})
    assert not d
    assert d.changed_steps == ()
    # Same journey, same score: listed, with a change of 0.
    [journey] = d.journeys
    assert journey.change is not None
    assert set(journey.change.values()) == {0.0}


def test_redesign_by_hand() -> None:
    before = coffee()
    after = coffee()
    # Redesign: skip the queue with an app, fix the till away, make ordering a moment.
    after.add_step(Step(id="app", label="Order ahead", lane="customer", stage="order", rating=2))
    after.disconnect("order", "queue")
    after.connect("order", "app", label="regulars", probability=0.5)
    after.connect("order", "queue", probability=0.5)
    after.connect("app", "pay")
    after.replace_step(after["queue"].evolve(wait=Wait(duration=4, tolerance=5)))
    after.replace_step(after["order"].evolve(moment=MomentOfTruth(kind="first-contact")))
    after.replace_step(after["pay"].evolve(moment=None))
    after.remove_step("till")
    d = diff(before, after, ratings_before={}, ratings_after={}, strategies=["mean", "worst"])
    assert d
    assert d.added_steps == ("app",)
    assert d.removed_steps == ("till",)
    assert [(c.step, c.fields) for c in d.changed_steps] == [("queue", ("wait",))]
    assert d.added_flows == (("order", "app"), ("app", "pay"))
    # order -> queue was removed and added again with a probability: a change.
    assert [(c.source, c.target, c.fields) for c in d.changed_flows] == [
        ("order", "queue", ("probability",))
    ]
    assert d.removed_flows == (("pay", "till"),)
    assert d.added_moments == ("order",)
    assert d.removed_moments == ("pay",)
    scores = {j.steps: j for j in d.journeys}
    # Old journey order → queue → pay: mean (1 − 2 + 2) / 3 = 1/3, worst −2; unchanged.
    kept = scores["order", "queue", "pay"]
    assert kept.before == pytest.approx({"mean": 1 / 3, "worst": -2})
    assert kept.change == pytest.approx({"mean": 0, "worst": 0})
    # New journey order → app → pay: mean (1 + 2 + 2) / 3 = 5/3, worst 1; no "before".
    new = scores["order", "app", "pay"]
    assert new.before is None
    assert new.change is None
    assert new.after == pytest.approx({"mean": 5 / 3, "worst": 1})


def test_changed_flow_fields() -> None:
    before = coffee()
    after = coffee()
    after.disconnect("queue", "pay")
    after.connect("queue", "pay", label="when called")
    [change] = diff(before, after).changed_flows
    assert (change.source, change.target, change.fields) == ("queue", "pay", ("label",))


def test_changed_moment_tag() -> None:
    after = coffee()
    after.replace_step(after["pay"].evolve(moment=MomentOfTruth(kind="purchase", weight=2)))
    d = diff(coffee(), after)
    assert d.changed_moments == ("pay",)
    assert d.changed_steps == ()
    assert d.journeys == ()


def test_ratings_change_the_score() -> None:
    d = diff(coffee(), coffee(), ratings_after={"queue": 1}, strategies=["worst"])
    [journey] = d.journeys
    # worst: −2 (queue) before, 1 after (order 1, queue 1, pay 2).
    assert journey.change == pytest.approx({"worst": 3})


def test_bank_example_against_itself_with_a_repair(bank: Blueprint) -> None:
    before = bank
    after = before.copy()
    fixed = after["review-kyc"]
    assert fixed.fail_point is not None
    after.replace_step(fixed.evolve(fail_point=None))
    d = diff(before, after)
    assert [(c.step, c.fields) for c in d.changed_steps] == [("review-kyc", ("fail_point",))]
    assert d.added_steps == d.removed_steps == d.added_flows == d.removed_flows == ()
