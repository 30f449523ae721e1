"""Figures over a blueprint's journeys: scores per journey and expected, curve, contacts, spread."""

from __future__ import annotations

import attrs
import pytest
from hypothesis import assume, given, settings

from servicebp import (
    Blueprint,
    Step,
    contact_counts,
    count_journeys,
    emotion_curve,
    expected_scores,
    journey_scores,
    stage_spread,
)
from servicebp.errors import BlueprintValidationError, RatingError, UnknownStepError
from servicebp.testing._strategies import blueprints
from tests._scoring_helpers import BUILT_IN, branching


def test_journey_scores_by_hand() -> None:
    found = journey_scores(branching(), strategies=["mean", "weighted", "peak_end"])
    assert [(j.steps, j.probability) for j in found] == [
        (("order", "cash", "leave"), 0.25),
        (("order", "card", "leave"), 0.75),
    ]
    cash, card = found
    # cash: ratings 2, −2, 0; weights 3, 1, 1
    #   mean (2 − 2 + 0) / 3 = 0; weighted (6 − 2 + 0) / 5 = 0.8;
    #   peak_end: |2| = |−2| tie → −2, end 0: −1
    assert cash.scores == {"mean": 0.0, "weighted": pytest.approx(0.8), "peak_end": -1.0}
    # card: ratings 2, 1, 0; weights 3, 1, 1 (card's moment weighs 1)
    #   mean 1; weighted (6 + 1 + 0) / 5 = 1.4; peak_end (2 + 0) / 2 = 1
    assert card.scores == {"mean": 1.0, "weighted": pytest.approx(1.4), "peak_end": 1.0}


def test_expected_scores_by_hand() -> None:
    expected = expected_scores(branching())
    # mean: 0.25 × 0 + 0.75 × 1 = 0.75
    assert expected["mean"] == pytest.approx(0.75)
    # worst: 0.25 × (−2) + 0.75 × 0 = −0.5
    assert expected["worst"] == pytest.approx(-0.5)
    # moment_floor: cash journey's moments {order 2} → 2; card's {order 2, card 1} → 1
    #   0.25 × 2 + 0.75 × 1 = 1.25
    assert expected["moment_floor"] == pytest.approx(1.25)
    # share_positive: cash journey 2, −2, 0 → 1/3 above 0; card's 2, 1, 0 → 2/3
    #   0.25 × 1/3 + 0.75 × 2/3 = 7/12
    assert expected["share_positive"] == pytest.approx(7 / 12)
    assert list(expected) == BUILT_IN


@attrs.frozen
class Path:
    steps: tuple[str, ...]
    probability: float


def test_expected_scores_over_given_journeys_normalise_probability() -> None:
    # Two journeys with probabilities 0.2 and 0.2 (the rest left the service):
    # worst (−2 × 0.2 + 0 × 0.2) / 0.4 = −1
    paths = [Path(("order", "cash", "leave"), 0.2), Path(("order", "card", "leave"), 0.2)]
    assert expected_scores(branching(), journeys=paths, strategies=["worst"]) == {
        "worst": pytest.approx(-1.0)
    }


def test_expected_scores_need_some_probability() -> None:
    with pytest.raises(RatingError, match="no journey has a probability above 0"):
        expected_scores(branching(), journeys=[Path(("order",), 0.0)])


def test_unrated_journey_steps_are_named_all_at_once() -> None:
    bp = branching()
    for sid in ("cash", "card"):
        bp.replace_step(bp[sid].evolve(rating=None))
    with pytest.raises(RatingError, match=r"no rating for steps 'cash', 'card'"):
        journey_scores(bp)


def test_ratings_for_unknown_or_non_customer_steps_are_errors() -> None:
    with pytest.raises(UnknownStepError, match="'nope'"):
        expected_scores(branching(), ratings={"nope": 1})
    with pytest.raises(RatingError, match="'teller' is in the frontstage lane"):
        expected_scores(branching(), ratings={"teller": 1})
    with pytest.raises(RatingError, match=r"step 'cash': rating 5.0 is not on"):
        expected_scores(branching(), ratings={"cash": 5})


def test_emotion_curve() -> None:
    curve = emotion_curve(branching(), ratings={"leave": -1})
    assert [(p.step, p.stage, p.rating, p.is_moment) for p in curve.steps] == [
        ("order", "order", 2.0, True),
        ("cash", "pay", -2.0, False),
        ("card", "pay", 1.0, True),
        ("leave", "leave", -1.0, False),
    ]
    # pay: mean (−2 + 1) / 2 = −0.5, worst −2
    assert [(s.stage, s.mean, s.worst, s.rated, s.steps) for s in curve.stages] == [
        ("order", 2.0, 2.0, 1, 1),
        ("pay", -0.5, -2.0, 2, 2),
        ("leave", -1.0, -1.0, 1, 1),
    ]
    data = curve.to_dict()
    assert data["steps"][0]["step"] == "order"
    assert data["stages"][1]["mean"] == -0.5


def test_emotion_curve_keeps_unrated_steps_as_gaps() -> None:
    bp = branching()
    bp.replace_step(bp["leave"].evolve(rating=None))
    curve = emotion_curve(bp)
    assert curve.steps[-1].rating is None
    assert curve.stages[-1].mean is None
    assert curve.stages[-1].rated == 0


def test_contact_counts_by_hand() -> None:
    cash, card = contact_counts(branching())
    # cash journey: order↔teller twice (order→teller, teller→order), cash→till once,
    # receipt→cash crosses no line: 3 contacts. The order's moment is face to face
    # on the counter; cash has no moment and no mode: unspecified.
    assert cash.total == 3
    assert cash.by_mode == {"interpersonal-direct": 2, "unspecified": 1}
    assert cash.by_channel == {"counter": 3}
    # card journey: order 2 + card→till 1 = 3; card is a human-machine moment
    # on the terminal.
    assert card.total == 3
    assert card.by_mode == {"interpersonal-direct": 2, "human-machine": 1}
    assert card.by_channel == {"counter": 2, "terminal": 1}
    assert card.probability == 0.75


def test_contact_counts_without_any_contact() -> None:
    bp = Blueprint("Self service", stages=["s"])
    bp.add_step(Step(id="browse", label="Browse", lane="customer", stage="s"))
    (only,) = contact_counts(bp)
    assert (only.total, only.by_mode, only.by_channel) == (0, {}, {})


def _contacts_one_flow_at_a_time(bp: Blueprint) -> list[tuple[object, ...]]:
    """contact_counts as first written: every flow of every step of every journey."""
    from servicebp import Line, journeys

    found = []
    for path in journeys(bp):
        by_mode: dict[str, int] = {}
        by_channel: dict[str, int] = {}
        for step_id in path.steps:
            step = bp[step_id]
            for flow in (*bp.outgoing(step_id), *bp.incoming(step_id)):
                if Line.INTERACTION not in bp.lines_crossed(flow):
                    continue
                other = bp[flow.target if flow.source == step_id else flow.source]
                modes = [
                    s.moment.contact_mode.value
                    for s in (step, other)
                    if s.moment is not None and s.moment.contact_mode is not None
                ]
                mode = modes[0] if modes else "unspecified"
                channel = step.channel or other.channel or "unspecified"
                by_mode[mode] = by_mode.get(mode, 0) + 1
                by_channel[channel] = by_channel.get(channel, 0) + 1
        found.append(
            (path.steps, sum(by_mode.values()), list(by_mode.items()), list(by_channel.items()))
        )
    return found


@settings(max_examples=80)
@given(blueprints(max_steps=12))
def test_contact_counts_agree_with_counting_every_flow_of_every_journey(bp: Blueprint) -> None:
    assume(any(s.lane.value == "customer" for s in bp.steps()))
    assume(count_journeys(bp) <= 500)
    counted = [
        (c.steps, c.total, list(c.by_mode.items()), list(c.by_channel.items()))
        for c in contact_counts(bp)
    ]
    # Same totals and the same keys in the same (first-met) order.
    assert counted == _contacts_one_flow_at_a_time(bp)


def test_stage_spread_across_channels() -> None:
    spread = stage_spread(branching(), "pay")
    # counter: cash −2; terminal: card 1 → spread 1 − (−2) = 3
    assert spread.by_channel == {"counter": -2.0, "terminal": 1.0}
    assert spread.spread == 3.0
    assert spread.unrated == ()


def test_stage_spread_with_one_channel_or_none_rated() -> None:
    assert stage_spread(branching(), "order").spread == 0.0
    bp = branching()
    bp.replace_step(bp["leave"].evolve(rating=None))
    empty = stage_spread(bp, "leave")
    assert (empty.spread, empty.by_channel, empty.unrated) == (None, {}, ("leave",))


def test_stage_spread_of_an_unknown_stage() -> None:
    with pytest.raises(BlueprintValidationError, match="unknown stage 'nope'"):
        stage_spread(branching(), "nope")
