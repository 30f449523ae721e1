"""Loops of customer steps: retry and rework, validated, drawn and scored exactly (issue 14)."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import servicebp as sbp
from servicebp import Blueprint, LoopError, MomentOfTruth, Step


def retry(p: float = 0.3) -> Blueprint:
    """pay (-1) -> retry (-2) with p -> pay again; pay -> done (+2) otherwise."""
    bp = Blueprint("Shop", stages=["pay", "done"])
    bp.add_step(Step(id="pay", label="Pays by card", lane="customer", stage="pay", rating=-1))
    bp.add_step(
        Step(id="retry", label="Card refused, tries again", lane="customer", stage="pay", rating=-2)
    )
    bp.add_step(
        Step(id="done", label="Leaves with the goods", lane="customer", stage="done", rating=2)
    )
    bp.connect("pay", "retry", probability=p)
    bp.connect("retry", "pay")
    bp.connect("pay", "done")
    return bp


def test_a_retry_loop_validates_with_one_entry() -> None:
    bp = retry()
    bp.validate()
    assert [s.id for s in bp.entry_steps()] == ["pay"]
    assert bp.loops() == (("pay", "retry"),)


def test_a_loop_without_a_way_out_is_one_problem() -> None:
    bp = retry(1.0)
    bp.disconnect("pay", "done")
    bp.add_step(Step(id="start", label="Start", lane="customer", stage="pay", rating=0))
    bp.connect("start", "pay")
    # One message, about the loop; no false "not reachable" for anything.
    [problem] = bp.problems()
    assert "loop through pay, retry with no way out" in problem.message
    # A way out with probability 0 is no way out either.
    bp.connect("pay", "done", probability=0.0)
    assert ["no way out" in p.message for p in bp.problems()] == [True]
    # Where the branch probabilities sum below 1 the customer may leave: a way out.
    assert retry(0.3).problems() == []
    with pytest.raises(LoopError, match="no way out"):
        sbp.expected_visits(bp)


def test_a_loop_saves_loads_and_renders() -> None:
    bp = retry()
    again = sbp.loads(sbp.dumps(bp, format="yaml"), format="yaml")
    assert again == bp
    svg = sbp.render_svg(bp)
    assert "Card refused" in svg
    assert "journey" in sbp.to_mermaid(bp, kind="journey")


def test_journeys_are_the_bounded_unrolling() -> None:
    bp = retry()
    found = [(j.steps, round(j.probability, 12)) for j in sbp.journeys(bp)]
    assert found == [
        (("pay", "retry", "pay", "retry", "pay", "done"), round(0.3 * 0.3 * 0.7, 12)),
        (("pay", "retry", "pay", "done"), round(0.3 * 0.7, 12)),
        (("pay", "done"), 0.7),
    ]
    assert len(sbp.journeys(bp, max_visits=1)) == 1
    # The unrolling leaves out the journeys that loop more often: 0.3**3 of them.
    assert math.fsum(j.probability for j in sbp.journeys(bp)) == pytest.approx(1 - 0.3**3)
    with pytest.raises(sbp.TooManyJourneysError, match="at least 3"):
        sbp.journeys(bp, limit=2)


def test_expected_scores_are_exact_by_hand() -> None:
    bp = retry()
    exact = sbp.expected_scores(bp)
    # k retries happen with probability 0.7 * 0.3**k.
    # worst: -1 without a retry, -2 with one.
    assert exact["worst"] == pytest.approx(0.7 * -1 + 0.3 * -2)
    assert exact["last"] == pytest.approx(2.0)
    # peak_end: peak +2 (no retry: (2 + 2) / 2 = 2); with a retry the peak ties at |2| and
    # goes to -2: (-2 + 2) / 2 = 0.
    assert exact["peak_end"] == pytest.approx(0.7 * 2)
    # mean with k retries: ((k + 1)(-1) + k(-2) + 2) / (2k + 2) = 2/j - 3/2 with j = k + 1,
    # so E = (0.7 / 0.3) Σ_j 0.3**j (2/j - 3/2) = (7/3) (-2 ln 0.7 - 1.5 · 0.3 / 0.7).
    assert exact["mean"] == pytest.approx((7 / 3) * (-2 * math.log(0.7) - 1.5 * 0.3 / 0.7))
    assert exact["weighted"] == pytest.approx(exact["mean"])
    # share_positive with j = k + 1 tries: only done (+2) of the 2j steps is above 0, 1 / (2j),
    # so E = Σ_j 0.7 · 0.3**(j-1) / (2j) = (7/6) (-ln 0.7).
    assert exact["share_positive"] == pytest.approx((7 / 6) * -math.log(0.7))


def test_moment_floor_and_weighted_over_a_loop() -> None:
    bp = retry()
    bp.replace_step(bp["done"].evolve(moment=MomentOfTruth(kind="purchase", weight=3)))
    exact = sbp.expected_scores(bp, strategies=["moment_floor", "weighted"])
    assert exact["moment_floor"] == pytest.approx(2.0)
    # weighted with j = k + 1 tries: (j(-1) + (j-1)(-2) + 3·2) / (j + (j-1) + 3)
    #   = (8 - 3j) / (2j + 2).
    series = math.fsum(0.7 * 0.3 ** (j - 1) * (8 - 3 * j) / (2 * j + 2) for j in range(1, 200))
    assert exact["weighted"] == pytest.approx(series)


def test_expected_visits_is_the_fundamental_matrix() -> None:
    visits = sbp.expected_visits(retry(0.3))
    assert visits["pay"] == pytest.approx(1 / 0.7)
    assert visits["retry"] == pytest.approx(0.3 / 0.7)
    assert visits["done"] == pytest.approx(1.0)


@settings(max_examples=25)
@given(st.floats(min_value=0.0, max_value=0.6))
def test_exact_expectation_is_the_limit_of_the_unrolling(p: float) -> None:
    bp = retry(p)
    names = ["worst", "mean", "share_positive"]
    exact = sbp.expected_scores(bp, strategies=names)
    listed = sbp.journeys(bp, max_visits=50, limit=10**6)
    bounded = sbp.expected_scores(bp, strategies=names, journeys=listed)
    for name in names:
        assert exact[name] == pytest.approx(bounded[name], abs=1e-9)


def test_only_what_needs_a_dag_refuses_with_one_message() -> None:
    bp = retry()
    for analysis in (sbp.most_likely_journey, sbp.critical_journey, sbp.count_journeys):
        with pytest.raises(LoopError, match=r"needs journeys without loops.*\['pay', 'retry'\]"):
            analysis(bp)
    sbp.register_strategy("first", lambda j: j.ratings[0], formula="r_1", why="test")
    try:
        with pytest.raises(LoopError, match="'first' cannot be scored exactly over loops"):
            sbp.expected_scores(bp, strategies=["first"])
        bounded = sbp.expected_scores(bp, strategies=["first"], journeys=sbp.journeys(bp))
        assert bounded["first"] == -1
    finally:
        sbp.unregister_strategy("first")
    assert sbp.lint(bp) == ()
