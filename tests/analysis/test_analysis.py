"""Tests for servicebp.analysis: journeys, the most likely and the critical journey."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from servicebp import (
    Blueprint,
    BlueprintValidationError,
    InvalidArgumentError,
    JourneyPath,
    Step,
    Wait,
    count_journeys,
    critical_journey,
    journeys,
    most_likely_journey,
)
from servicebp.analysis import _waits
from servicebp.errors import AnalysisTooLargeError, ServiceBlueprintError, TooManyJourneysError


def branchy() -> Blueprint:
    """A blueprint with branches, hand-checked below.

    ::

        arrive ─0.6─> queue ───────────┐
               └0.4─> app ─0.3─> help ─┴─> done
                          └───(0.7)────────┘

    ``app`` has two branches: ``help`` with 0.3, and ``done`` unspecified,
    which gets the remainder 1 - 0.3 = 0.7.
    """
    bp = Blueprint("Branchy", stages=["arrive", "serve", "leave"])
    bp.add_step(Step(id="arrive", label="Arrive", lane="customer", stage="arrive", duration=1))
    bp.add_step(
        Step(
            id="queue",
            label="Queue",
            lane="customer",
            stage="serve",
            duration=5,
            wait=Wait(duration=10, tolerance=8),
        )
    )
    bp.add_step(Step(id="app", label="Use the app", lane="customer", stage="serve", duration=3))
    bp.add_step(Step(id="help", label="Ask for help", lane="customer", stage="serve", duration=4))
    bp.add_step(Step(id="done", label="Leave", lane="customer", stage="leave", duration=0.5))
    # The app's back end makes the customer wait 6 minutes at "app"; its
    # duration (20) is parallel work and is not added to the customer's time.
    bp.add_step(Step(id="api", label="App back end", lane="frontstage", stage="serve"))
    bp.add_step(
        Step(
            id="db",
            label="Core banking",
            lane="support",
            stage="serve",
            duration=20,
            wait=Wait(duration=6),
        )
    )
    bp.connect("arrive", "queue", probability=0.6)
    bp.connect("arrive", "app", probability=0.4)
    bp.connect("queue", "done")
    bp.connect("app", "help", probability=0.3)
    bp.connect("app", "done")
    bp.connect("help", "done")
    bp.connect("app", "api", kind="support")
    bp.connect("api", "db", kind="support")
    return bp


def chain_of_diamonds(n: int) -> Blueprint:
    """``n`` two-way branches in a row: 2**n journeys, 3n + 1 steps."""
    bp = Blueprint("Diamonds", stages=["s"])
    bp.add_step(Step(id="j0", label="j0", lane="customer", stage="s"))
    for i in range(n):
        for side in "ab":
            bp.add_step(Step(id=f"{side}{i}", label=side, lane="customer", stage="s"))
            bp.connect(f"j{i}", f"{side}{i}")
        bp.add_step(Step(id=f"j{i + 1}", label="j", lane="customer", stage="s", duration=1))
        for side in "ab":
            bp.connect(f"{side}{i}", f"j{i + 1}")
    return bp


def test_journeys_of_the_branchy_blueprint_by_hand() -> None:
    found = {j.steps: j for j in journeys(branchy())}
    assert set(found) == {
        ("arrive", "queue", "done"),
        ("arrive", "app", "help", "done"),
        ("arrive", "app", "done"),
    }
    queue = found["arrive", "queue", "done"]
    # 0.6 * 1; duration 1 + 5 + 0.5; wait 10 at the queue.
    assert queue.probability == pytest.approx(0.6)
    assert queue.duration == pytest.approx(6.5)
    assert queue.wait == pytest.approx(10)
    helped = found["arrive", "app", "help", "done"]
    # 0.4 * 0.3 = 0.12; duration 1 + 3 + 4 + 0.5 = 8.5; the support wait of 6
    # blocks the customer at "app" (the support duration 20 is not added).
    assert helped.probability == pytest.approx(0.12)
    assert helped.duration == pytest.approx(8.5)
    assert helped.wait == pytest.approx(6)
    direct = found["arrive", "app", "done"]
    # 0.4 * 0.7 = 0.28 (the unspecified branch takes the remainder).
    assert direct.probability == pytest.approx(0.28)
    assert direct.elapsed == pytest.approx(1 + 3 + 0.5 + 6)
    assert math.fsum(j.probability for j in found.values()) == pytest.approx(1)


def test_journeys_come_in_branch_order() -> None:
    steps = [j.steps for j in journeys(branchy())]
    assert steps[0] == ("arrive", "queue", "done")


def test_most_likely_and_critical_journey_by_hand() -> None:
    bp = branchy()
    # 0.6 > 0.28 > 0.12.
    assert most_likely_journey(bp).steps == ("arrive", "queue", "done")
    # Elapsed: queue path 6.5 + 10 = 16.5; help path 8.5 + 6 = 14.5; direct 10.5.
    critical = critical_journey(bp)
    assert critical.steps == ("arrive", "queue", "done")
    assert critical.elapsed == pytest.approx(16.5)


def test_critical_journey_follows_the_waits_behind_the_line() -> None:
    bp = branchy()
    bp.replace_step(bp["db"].evolve(wait=Wait(duration=30)))
    # help path: 8.5 + 30 = 38.5 beats the queue's 16.5.
    assert critical_journey(bp).steps == ("arrive", "app", "help", "done")


def test_unspecified_branches_split_the_remainder_evenly() -> None:
    bp = Blueprint("Split", stages=["s"])
    for i in "abcd":
        bp.add_step(Step(id=i, label=i, lane="customer", stage="s"))
    bp.connect("a", "b", probability=0.4)
    bp.connect("a", "c")
    bp.connect("a", "d")
    found = {j.steps: j.probability for j in journeys(bp)}
    # (1 - 0.4) / 2 = 0.3 each.
    assert found == pytest.approx({("a", "b"): 0.4, ("a", "c"): 0.3, ("a", "d"): 0.3})


def test_fully_specified_branches_below_one_leave_the_rest_unassigned() -> None:
    bp = Blueprint("Leak", stages=["s"])
    for i in "abc":
        bp.add_step(Step(id=i, label=i, lane="customer", stage="s"))
    bp.connect("a", "b", probability=0.5)
    bp.connect("a", "c", probability=0.3)
    assert math.fsum(j.probability for j in journeys(bp)) == pytest.approx(0.8)


def test_several_entries_start_evenly() -> None:
    bp = Blueprint("Two doors", stages=["s"])
    for i in "abc":
        bp.add_step(Step(id=i, label=i, lane="customer", stage="s"))
    bp.connect("a", "c")
    bp.connect("b", "c")
    assert [(j.steps, j.probability) for j in journeys(bp)] == [
        (("a", "c"), 0.5),
        (("b", "c"), 0.5),
    ]


def test_two_to_the_forty_journeys_fail_fast() -> None:
    bp = chain_of_diamonds(40)
    assert count_journeys(bp) == 2**40
    with pytest.raises(TooManyJourneysError, match=r"1099511627776 customer journeys") as info:
        journeys(bp)
    assert isinstance(info.value, ServiceBlueprintError)
    assert isinstance(info.value, ValueError)
    assert info.value.limit == 10_000


def test_extremes_of_two_to_the_forty_journeys_without_enumerating() -> None:
    bp = chain_of_diamonds(40)
    likely = most_likely_journey(bp)
    assert len(likely.steps) == 81
    assert likely.probability == pytest.approx(2.0**-40)
    assert critical_journey(bp).duration == 40


def test_limit_is_inclusive_and_checked() -> None:
    assert len(journeys(chain_of_diamonds(3), limit=8)) == 8
    with pytest.raises(TooManyJourneysError):
        journeys(chain_of_diamonds(3), limit=7)
    with pytest.raises(InvalidArgumentError, match="limit"):
        journeys(branchy(), limit=-1)


def test_no_customer_steps_is_an_error() -> None:
    bp = Blueprint("Empty", stages=["s"])
    bp.add_step(Step(id="x", label="x", lane="backstage", stage="s"))
    with pytest.raises(BlueprintValidationError, match="no customer steps"):
        journeys(bp)


def test_a_loop_without_a_way_out_is_an_error_not_a_hang() -> None:
    bp = Blueprint("Loop", stages=["s"])
    for i in "ab":
        bp.add_step(Step(id=i, label=i, lane="customer", stage="s"))
    bp.add_step(Step(id="c", label="c", lane="customer", stage="s"))
    bp.connect("c", "a")
    bp.connect("a", "b")
    bp.connect("b", "a")
    with pytest.raises(BlueprintValidationError, match="loop through a, b with no way out"):
        journeys(bp)
    with pytest.raises(BlueprintValidationError, match="needs journeys without loops"):
        most_likely_journey(bp)


def test_journey_path_is_frozen() -> None:
    path = JourneyPath(steps=("a",), probability=1.0, duration=0.0, wait=0.0)
    with pytest.raises(AttributeError):
        path.probability = 0.5  # type: ignore[misc]
    assert (path.entry, path.exit) == ("a", "a")


@st.composite
def random_dags(draw: st.DrawFn) -> Blueprint:
    n = draw(st.integers(1, 9))
    bp = Blueprint("Random", stages=["s"])
    for i in range(n):
        bp.add_step(
            Step(
                id=f"s{i}",
                label=f"s{i}",
                lane="customer",
                stage="s",
                duration=draw(st.integers(0, 5)),
                wait=Wait(duration=draw(st.integers(0, 5))),
            )
        )
    for i in range(n):
        targets = draw(st.sets(st.integers(i + 1, n - 1), max_size=3)) if i < n - 1 else set()
        for t in sorted(targets):
            bp.connect(f"s{i}", f"s{t}")
    return bp


@settings(max_examples=60)
@given(random_dags())
def test_extremes_agree_with_enumeration(bp: Blueprint) -> None:
    everything = journeys(bp)
    assert len(everything) == count_journeys(bp)
    assert math.fsum(j.probability for j in everything) == pytest.approx(1)
    assert most_likely_journey(bp).probability == pytest.approx(
        max(j.probability for j in everything)
    )
    assert critical_journey(bp).elapsed == pytest.approx(max(j.elapsed for j in everything))


# --- fail-point impact, time, crossings, what-if ------------------------------------------

from servicebp import (  # noqa: E402
    FailPoint,
    Line,
    MomentOfTruth,
    contactless_frontstage,
    delay_costs,
    dependents,
    expected_ratings,
    fail_point_impact,
    journey_times,
    line_crossings,
    repair,
    stage_waits,
    step_times,
    wait_exceedance,
    what_if,
)


def with_fail_points() -> Blueprint:
    """The branchy blueprint with fail points in three lanes and two moments.

    * ``db`` (support, p=0.2) sits behind ``api`` behind ``app``: journeys
      through ``app`` meet it, 0.4.
    * ``queue`` (customer, p unknown) is met by 0.6 of journeys.
    * ``printer`` (backstage, p=0.5) is behind both ``help`` and ``done``:
      every journey ends at ``done``, so it is met with probability 1.
    """
    bp = branchy()
    bp.replace_step(bp["db"].evolve(fail_point=FailPoint(what="timeout", probability=0.2)))
    bp.replace_step(
        bp["queue"].evolve(fail_point=FailPoint(what="queue jams", recovery="open a desk"))
    )
    bp.replace_step(bp["app"].evolve(moment=MomentOfTruth(kind="usage")))
    bp.replace_step(bp["done"].evolve(moment=MomentOfTruth(kind="follow-up")))
    bp.add_step(
        Step(
            id="printer",
            label="Print the receipt",
            lane="backstage",
            stage="leave",
            fail_point=FailPoint(what="out of paper", probability=0.5),
        )
    )
    bp.add_step(Step(id="desk", label="Desk", lane="frontstage", stage="leave"))
    bp.connect("done", "desk", kind="support")
    bp.connect("help", "desk", kind="support")
    bp.connect("desk", "printer", kind="support")
    return bp


def test_fail_point_impact_by_hand() -> None:
    impacts = {i.step: i for i in fail_point_impact(with_fail_points())}
    db = impacts["db"]
    assert db.customer_steps == ("app",)
    assert db.moments == ("app",)
    assert db.reach_probability == pytest.approx(0.4)
    assert db.risk == pytest.approx(0.4 * 0.2)
    queue = impacts["queue"]
    # Unknown failure probability: risk = reach (0.6 × 1).
    assert queue.risk == pytest.approx(0.6)
    assert queue.recovery == "open a desk"
    printer = impacts["printer"]
    # help and done both depend on it; every journey passes done, so P = 1
    # (not 0.12 + 1, which double-counts the journeys through help).
    assert printer.customer_steps == ("help", "done")
    assert printer.reach_probability == pytest.approx(1.0)
    assert printer.moments == ("done",)
    # Ranked by risk: queue 0.6 > printer 0.5 > db 0.08.
    assert [i.step for i in fail_point_impact(with_fail_points())] == ["queue", "printer", "db"]


def test_fail_point_impact_filters_by_reach() -> None:
    found = fail_point_impact(with_fail_points(), min_probability=0.5)
    assert [i.step for i in found] == ["queue", "printer"]


def test_fail_point_behind_nothing_reaches_no_one() -> None:
    bp = branchy()
    bp.add_step(
        Step(id="lone", label="Lone", lane="support", stage="serve", fail_point=FailPoint(what="x"))
    )
    [impact] = fail_point_impact(bp)
    assert (impact.customer_steps, impact.reach_probability, impact.risk) == ((), 0.0, 0.0)


def test_dependents_follow_support_flows_up() -> None:
    assert dependents(branchy(), "db") == ("app", "api")


def room_service() -> Blueprint:
    """A hand-off chain: backstage take-order -> support cook -> frontstage deliver -> eat."""
    bp = Blueprint("Hotel", stages=["Room service delivery"])
    for step_id, lane in [
        ("call", "customer"),
        ("eat", "customer"),
        ("take-order", "backstage"),
        ("cook", "support"),
        ("deliver", "frontstage"),
    ]:
        bp.add_step(Step(id=step_id, label=step_id, lane=lane, stage="room-service-delivery"))
    bp.replace_step(
        bp["take-order"].evolve(fail_point=FailPoint(what="order taken wrong", probability=0.1))
    )
    bp.connect("call", "eat")
    bp.connect("take-order", "cook")
    bp.connect("cook", "deliver")
    bp.connect("deliver", "eat")
    return bp


def test_dependence_follows_the_hand_offs() -> None:
    bp = room_service()
    # Each hand-off passes the work on, whatever the lanes' depth.
    assert dependents(bp, "take-order") == ("eat", "cook", "deliver")
    assert dependents(bp, "cook") == ("eat", "deliver")
    assert dependents(bp, "deliver") == ("eat",)
    [impact] = fail_point_impact(bp)
    assert impact.customer_steps == ("eat",)
    # Every journey (call -> eat) passes eat: reached with probability 1, risk 0.1.
    assert impact.reach_probability == pytest.approx(1.0)
    assert impact.risk == pytest.approx(0.1)


def test_a_support_flow_up_the_lanes_relies_on_its_target() -> None:
    bp = room_service()
    bp.add_step(
        Step(id="stock", label="Stock check", lane="support", stage="room-service-delivery")
    )
    # The stock check relies on the order taken (support flow: source relies on target),
    # so it depends on take-order; nothing the customer does depends on it.
    bp.connect("stock", "take-order", kind="support")
    assert "stock" in dependents(bp, "take-order")
    assert dependents(bp, "stock") == ()


def test_step_times_by_hand() -> None:
    times = step_times(branchy())
    assert times["app"].wait == 6
    assert times["app"].wait_at == "db"
    assert times["queue"].over_tolerance  # 10 > 8
    assert times["arrive"].elapsed == 1


def test_journey_times_by_hand() -> None:
    found = {t.steps: t for t in journey_times(branchy())}
    queue = found["arrive", "queue", "done"]
    assert (queue.elapsed, queue.tolerance, queue.over_tolerance) == (16.5, 8.0, ("queue",))
    # The wait at app (6) has no tolerance, so the journey's tolerance is unknown.
    assert found["arrive", "app", "done"].tolerance is None


def test_stage_waits_by_hand() -> None:
    # serve: 0.6 × 10 (queue) + 0.4 × 6 (app) = 8.4; the others wait 0.
    ranked = stage_waits(branchy())
    assert ranked[0].stage == "serve"
    assert ranked[0].expected_wait == pytest.approx(8.4)
    assert ranked[0].longest_wait == 10


def test_wait_exceedance_by_hand() -> None:
    bp = branchy()
    # Waits: queue journey 10, app journeys 6 each.
    assert wait_exceedance(bp, 7) == pytest.approx(0.6)
    assert wait_exceedance(bp, 5) == pytest.approx(1.0)
    assert wait_exceedance(bp, 10) == 0
    with pytest.raises(InvalidArgumentError, match="threshold"):
        wait_exceedance(bp, -1)


def test_delay_costs_by_hand() -> None:
    bp = branchy()
    bp.replace_step(bp["help"].evolve(standard=2, cost=8))
    # help takes 4 against a standard of 2: half its cost 8 is delay.
    assert [(d.step, d.over_by, d.cost) for d in delay_costs(bp)] == [("help", 2.0, 4.0)]


def test_line_crossings_by_hand() -> None:
    crossings = line_crossings(with_fail_points())
    # serve: app -> api and help -> desk cross the line of interaction (a flow
    # counts in its source's stage); api -> db crosses visibility and internal.
    assert crossings["serve"] == {
        Line.INTERACTION: 2,
        Line.VISIBILITY: 1,
        Line.INTERNAL_INTERACTION: 1,
    }
    # leave: done -> desk (interaction), desk -> printer (visibility).
    assert crossings["leave"] == {
        Line.INTERACTION: 1,
        Line.VISIBILITY: 1,
        Line.INTERNAL_INTERACTION: 0,
    }
    assert set(crossings["arrive"].values()) == {0}


def test_contactless_frontstage() -> None:
    bp = branchy()
    assert contactless_frontstage(bp) == ()
    bp.add_step(Step(id="file", label="File papers", lane="frontstage", stage="leave"))
    assert contactless_frontstage(bp) == ("file",)


def test_expected_ratings_by_hand() -> None:
    bp = with_fail_points()
    ratings = {"arrive": 1, "queue": -1, "app": 2, "help": 1, "done": 3}
    table = expected_ratings(bp, ratings=ratings)
    # app depends on db (p = 0.2): 0.8 × 2 + 0.2 × (−2) = 1.2
    assert table["app"] == pytest.approx(1.2)
    # queue: unknown probability, taken as 0.5: 0.5 × (−1) + 0.5 × (−2) = −1.5
    assert table["queue"] == pytest.approx(-1.5)
    assert table["arrive"] == 1


def test_repair_by_hand() -> None:
    bp = with_fail_points()
    ratings = {"arrive": 1, "queue": -1, "app": 2, "help": 1, "done": 3}
    changes = {c.steps: c for c in repair(bp, "db", ratings=ratings, strategies=["mean"])}
    direct = changes["arrive", "app", "done"]
    # done depends on printer (0.5): 0.5 × 3 + 0.5 × (−2) = 0.5
    # before: (1 + 1.2 + 0.5) / 3 = 0.9; after: (1 + 2 + 0.5) / 3 = 3.5 / 3
    assert direct.score_before["mean"] == pytest.approx(0.9)
    assert direct.score_after["mean"] == pytest.approx(3.5 / 3)
    assert direct.elapsed_change == 0
    assert changes["arrive", "queue", "done"].score_change["mean"] == pytest.approx(0)


def test_repair_needs_a_fail_point() -> None:
    with pytest.raises(BlueprintValidationError, match="not a fail point"):
        repair(with_fail_points(), "arrive")
    with pytest.raises(KeyError):
        repair(with_fail_points(), "nope")


def test_what_if_cuts_a_wait_behind_the_line() -> None:
    bp = with_fail_points()
    ratings = {"arrive": 1, "queue": -1, "app": 2, "help": 1, "done": 3}
    changes = {c.steps: c for c in what_if(bp, {"db": {"wait": 1}}, ratings=ratings)}
    # app's blocking wait drops from 6 to 1.
    assert changes["arrive", "app", "done"].elapsed_change == pytest.approx(-5)
    assert changes["arrive", "queue", "done"].elapsed_change == 0
    assert bp["db"].wait == Wait(duration=6)  # the blueprint itself is untouched


# --- the bank example, by hand ----------------------------------------------------------


def test_bank_journeys_by_hand(bank: Blueprint) -> None:
    bp = bank
    found = {j.steps: j for j in journeys(bp)}
    short = found["arrive", "apply", "show-id", "receive-card", "answer-call"]
    long = found["arrive", "apply", "show-id", "bring-documents", "receive-card", "answer-call"]
    # show-id branches 0.8 (identity confirmed) / 0.2 (needs documents).
    assert (short.probability, long.probability) == (0.8, 0.2)
    # Durations: apply 10 + show-id 3 + receive-card 5 + answer-call 4 = 22, plus
    # bring-documents 20 = 42 (the 30 minutes of KYC review run backstage).
    assert (short.duration, long.duration) == (22, 42)
    # Waits: arrive 8 + show-id 15 = 23.
    assert short.wait == long.wait == 23
    assert most_likely_journey(bp).steps == short.steps
    assert critical_journey(bp).steps == long.steps


def test_bank_fail_point_impact_by_hand(bank: Blueprint) -> None:
    ranked = fail_point_impact(bank)
    # Both fail points sit behind show-id, which every journey passes (reach 1);
    # the KYC queue fails 0.1 of the time, the ID scan 0.05.
    assert [(i.step, i.customer_steps, i.reach_probability, i.risk) for i in ranked] == [
        ("review-kyc", ("show-id",), 1.0, 0.1),
        ("scan-id", ("show-id",), 1.0, 0.05),
    ]
    assert ranked[0].moments == ("show-id",)


def test_bank_times_by_hand(bank: Blueprint) -> None:
    bp = bank
    times = step_times(bp)
    assert times["show-id"].over_tolerance  # 15 > 10
    assert not times["arrive"].over_tolerance  # 8 <= 10
    # Every journey waits 23 minutes.
    assert wait_exceedance(bp, 22) == pytest.approx(1.0)
    assert wait_exceedance(bp, 23) == 0


# --- a wait behind the line counts once per journey ------------------------------------


def frontstage_chain() -> Blueprint:
    """Three contacts in a row, each with its frontstage step; the first one waits.

    ::

        c1 ──> c2 ──> c3        (customer, 5 minutes each)
        │      │      │
        f1 ──> f2 ──> f3        (frontstage; f1 waits 20, tolerance 30)

    c2 and c3 depend on f1 through the frontstage sequence, but the wait at f1
    is over once c1 is done: the customer waits 20 minutes once.
    """
    bp = Blueprint("Chain", stages=["s1", "s2", "s3"])
    for i in (1, 2, 3):
        bp.add_step(Step(id=f"c{i}", label=f"c{i}", lane="customer", stage=f"s{i}", duration=5))
        bp.add_step(
            Step(
                id=f"f{i}",
                label=f"f{i}",
                lane="frontstage",
                stage=f"s{i}",
                wait=Wait(duration=20, tolerance=30) if i == 1 else None,
            )
        )
        bp.connect(f"c{i}", f"f{i}", kind="support")
    for a, b in [("c1", "c2"), ("c2", "c3"), ("f1", "f2"), ("f2", "f3")]:
        bp.connect(a, b)
    return bp


def test_a_wait_behind_the_line_counts_once_per_journey() -> None:
    bp = frontstage_chain()
    [journey] = journeys(bp)
    # 3 × 5 minutes, and the wait of 20 once (not 3 × 20).
    assert (journey.duration, journey.wait, journey.elapsed) == (15, 20, 35)
    assert critical_journey(bp).elapsed == 35
    assert most_likely_journey(bp).wait == 20
    times = step_times(bp)
    assert [(times[c].wait, times[c].wait_at) for c in ("c1", "c2", "c3")] == [
        (20, "f1"),
        (0, "c2"),
        (0, "c3"),
    ]
    assert [(s.stage, s.expected_wait) for s in stage_waits(bp)] == [
        ("s1", 20),
        ("s2", 0),
        ("s3", 0),
    ]
    [timed] = journey_times(bp)
    # The tolerance of the one wait met, 30, not 3 × 30.
    assert (timed.wait, timed.tolerance, timed.over_tolerance) == (20, 30, ())
    assert wait_exceedance(bp, 19) == 1
    assert wait_exceedance(bp, 20) == 0
    [change] = what_if(bp, {"f1": {"wait": 5}}, ratings={"c1": 1, "c2": 1, "c3": 1})
    assert change.elapsed_change == -15


def first_met_depends_on_the_way_in() -> Blueprint:
    """A wait first met at b on one branch and at d on the other.

    ::

        a ─0.5─> b ──> d        b and d depend on fb (wait 20) through fb ──> fd
          └0.5─> c ──┘

    Through b the customer waits 20 at b and not again at d; through c, at d.
    """
    bp = Blueprint("Ways in", stages=["start", "middle", "end"])
    bp.add_step(Step(id="a", label="a", lane="customer", stage="start", duration=1))
    bp.add_step(Step(id="b", label="b", lane="customer", stage="middle", duration=1))
    bp.add_step(Step(id="c", label="c", lane="customer", stage="middle", duration=2))
    bp.add_step(Step(id="d", label="d", lane="customer", stage="end", duration=1))
    bp.add_step(
        Step(id="fb", label="fb", lane="frontstage", stage="middle", wait=Wait(duration=20))
    )
    bp.add_step(Step(id="fd", label="fd", lane="frontstage", stage="end"))
    for a, b in [("a", "b"), ("a", "c"), ("b", "d"), ("c", "d"), ("fb", "fd")]:
        bp.connect(a, b)
    bp.connect("b", "fb", kind="support")
    bp.connect("d", "fd", kind="support")
    return bp


def test_a_wait_first_met_where_the_way_in_decides() -> None:
    bp = first_met_depends_on_the_way_in()
    found = {j.steps: (j.duration, j.wait) for j in journeys(bp)}
    assert found == {("a", "b", "d"): (3, 20), ("a", "c", "d"): (4, 20)}
    # 4 + 20 = 24 beats 3 + 20: counting the wait only where every way in
    # meets it first (at b) would pick a-b-d; counting it at every step it
    # blocks would give a-b-d 43.
    critical = critical_journey(bp)
    assert (critical.steps, critical.elapsed) == (("a", "c", "d"), 24)
    times = step_times(bp)
    # d counts 20 on the way through c, 0 through b: the longest is reported.
    assert (times["b"].wait, times["d"].wait, times["d"].wait_at) == (20, 20, "fb")
    # middle: 0.5 × 20 at b; end: 0.5 × 20 at d (the journeys through c).
    assert {(s.stage, s.expected_wait, s.longest_wait) for s in stage_waits(bp)} == {
        ("start", 0, 0),
        ("middle", 10, 20),
        ("end", 10, 20),
    }
    assert wait_exceedance(bp, 19) == 1


@st.composite
def blueprints_with_waits_behind_the_line(draw: st.DrawFn) -> Blueprint:
    """A random customer DAG, with frontstage sequences behind it that wait."""
    bp = Blueprint("Behind", stages=["s"])
    n = draw(st.integers(1, 7))
    m = draw(st.integers(0, 5))
    for i in range(n):
        own = draw(st.integers(0, 4))
        bp.add_step(
            Step(
                id=f"c{i}",
                label=f"c{i}",
                lane="customer",
                stage="s",
                duration=draw(st.integers(0, 5)),
                wait=Wait(duration=own) if own else None,
            )
        )
    for k in range(m):
        wait = draw(st.integers(0, 30))
        bp.add_step(
            Step(
                id=f"f{k}",
                label=f"f{k}",
                lane=draw(st.sampled_from(["frontstage", "backstage"])),
                stage="s",
                wait=Wait(duration=wait) if wait else None,
            )
        )
    for i in range(n - 1):
        for t in sorted(draw(st.sets(st.integers(i + 1, n - 1), max_size=3))):
            bp.connect(f"c{i}", f"c{t}")
    for k in range(m - 1):
        for t in sorted(draw(st.sets(st.integers(k + 1, m - 1), max_size=2))):
            bp.connect(f"f{k}", f"f{t}")
    if m:
        for i in range(n):
            for k in sorted(draw(st.sets(st.integers(0, m - 1), max_size=2))):
                bp.connect(f"c{i}", f"f{k}", kind="support")
    return bp


@settings(max_examples=80)
@given(blueprints_with_waits_behind_the_line())
def test_a_journey_waits_for_each_wait_it_touches_at_most_once(bp: Blueprint) -> None:
    from servicebp.analysis._customer_graph import dependence_graph

    dependence = dependence_graph(bp)
    everything = journeys(bp)
    for journey in everything:
        touched: set[str] = set()
        for step in journey.steps:
            touched |= {step} | dependence_descendants(dependence, step)
        waits = [bp[s].wait.duration for s in touched if bp[s].wait is not None]  # type: ignore[union-attr]
        assert journey.wait <= math.fsum(waits) + 1e-9
        # The longest wait touched is met somewhere, and counted there.
        assert journey.wait >= max(waits, default=0.0) - 1e-9
    # The dynamic programmes agree with enumerating every journey.
    assert critical_journey(bp).elapsed == pytest.approx(max(j.elapsed for j in everything))
    expected = math.fsum(s.expected_wait for s in stage_waits(bp))
    assert expected == pytest.approx(math.fsum(j.probability * j.wait for j in everything))
    assert most_likely_journey(bp).wait == next(
        j.wait for j in everything if j.steps == most_likely_journey(bp).steps
    )


def dependence_descendants(dependence: object, step: str) -> set[str]:
    import networkx as nx

    assert isinstance(dependence, nx.DiGraph)
    return set(nx.descendants(dependence, step))


# --- a repair never makes a journey worse ---------------------------------------------


def test_a_failure_never_raises_a_rating_below_the_failure_rating() -> None:
    bp = Blueprint("Bank", stages=["s"])
    bp.add_step(Step(id="apply", label="Apply", lane="customer", stage="s", rating=-3))
    bp.add_step(
        Step(
            id="kyc",
            label="KYC",
            lane="support",
            stage="s",
            fail_point=FailPoint(what="timeout", probability=0.5),
        )
    )
    bp.connect("apply", "kyc", kind="support")
    # Failing keeps −3 (min(−3, −2)): 0.5 × (−3) + 0.5 × (−3), not 0.5 × (−3) + 0.5 × (−2).
    assert expected_ratings(bp) == {"apply": -3.0}
    [change] = repair(bp, "kyc", strategies=["mean"])
    assert (change.score_before, change.score_after) == ({"mean": -3.0}, {"mean": -3.0})
    # Rated −1, a failure still drags it to −2: 0.5 × (−1) + 0.5 × (−2) = −1.5.
    [change] = repair(bp, "kyc", ratings={"apply": -1}, strategies=["mean"])
    assert (change.score_before, change.score_after) == ({"mean": -1.5}, {"mean": -1.0})
    # A failure_rating of −3 lowers even a −3 no further.
    assert expected_ratings(bp, failure_rating=-3) == {"apply": -3.0}
    # Rounding never leaves the scale: 0.7 × 0.1 + 0.3 × (−3) stays within −3…+3.
    assert expected_ratings(bp, ratings={"apply": 0.1}, failure_rating=-3)["apply"] >= -3
    bp.replace_step(bp["kyc"].evolve(fail_point=FailPoint(what="timeout", probability=1)))
    assert expected_ratings(bp, ratings={"apply": 0.1}, failure_rating=-3) == {"apply": -3.0}


@st.composite
def repairable(draw: st.DrawFn) -> tuple[Blueprint, dict[str, float], str]:
    from hypothesis import assume

    from servicebp import Lane
    from servicebp.testing._strategies import blueprints

    bp = draw(blueprints(max_steps=8))
    customer = [s.id for s in bp.steps(lane=Lane.CUSTOMER)]
    marked = [s.id for s in bp.steps() if s.fail_point is not None]
    assume(customer and marked)
    assume(count_journeys(bp) <= 200)
    rating = st.integers(-6, 6).map(lambda twice: twice / 2)
    ratings = {step: draw(rating) for step in customer}
    return bp, ratings, draw(st.sampled_from(marked))


@settings(max_examples=60)
@given(repairable(), st.integers(-6, 6).map(lambda twice: twice / 2))
def test_repair_never_lowers_an_expected_score(
    case: tuple[Blueprint, dict[str, float], str], failure_rating: float
) -> None:
    bp, ratings, fail_point = case
    for change in repair(bp, fail_point, ratings=ratings, failure_rating=failure_rating):
        for name, delta in change.score_change.items():
            assert delta >= -1e-9, (name, change)


def waits_met_first_anywhere(k: int) -> Blueprint:
    """k diamonds; the wait behind branch b_i also blocks the last step z (2**k states at z)."""
    bp = Blueprint("Exponential", stages=["s"])
    customer = [f"a{i}" for i in range(k + 1)] + ["z"]
    for i in customer:
        bp.add_step(Step(id=i, label=i, lane="customer", stage="s"))
    for i in range(k):
        for x in "bc":
            bp.add_step(Step(id=f"{x}{i}", label=f"{x}{i}", lane="customer", stage="s"))
            bp.connect(f"a{i}", f"{x}{i}")
            bp.connect(f"{x}{i}", f"a{i + 1}")
        bp.add_step(
            Step(id=f"w{i}", label=f"w{i}", lane="frontstage", stage="s", wait=Wait(duration=5))
        )
        bp.add_step(Step(id=f"e{i}", label=f"e{i}", lane="frontstage", stage="s"))
        bp.connect(f"w{i}", f"e{i}")
        bp.connect(f"b{i}", f"w{i}", kind="support")
        bp.connect("z", f"e{i}", kind="support")
    bp.connect(f"a{k}", "z")
    return bp


def test_the_exact_wait_analysis_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    bp = waits_met_first_anywhere(10)
    # Within the bound: exact (every wait counted once: b_i's waits, the rest at z).
    assert critical_journey(bp).wait == 50
    monkeypatch.setattr(_waits, "STATE_LIMIT", 100)
    monkeypatch.setattr(_waits, "STATES_PER_STEP", 1)
    with pytest.raises(AnalysisTooLargeError, match=r"journeys\(bp, limit=\.\.\.\)"):
        critical_journey(bp)
    with pytest.raises(AnalysisTooLargeError):
        stage_waits(bp)
