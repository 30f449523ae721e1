"""The emotion chart: hand-written SVG of the emotion curve."""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET

import pytest
from hypothesis import given, settings

import servicebp as sbp
from servicebp.testing import blueprints
from tests._paths import BANK

SVG = "{http://www.w3.org/2000/svg}"


def coffee() -> sbp.Blueprint:
    bp = sbp.Blueprint("Coffee", stages=["order", "pay"])
    for step_id, stage, rating in [("o", "order", 2), ("w", "order", None), ("p", "pay", -1)]:
        bp.add_step(
            sbp.Step(
                id=step_id,
                label=step_id.upper(),
                lane="customer",
                stage=stage,
                rating=rating,
                moment=sbp.MomentOfTruth(kind="purchase") if step_id == "p" else None,
            )
        )
    bp.connect("o", "w")
    bp.connect("w", "p")
    return bp


def test_bands_carry_the_seeds_meanings_top_down() -> None:
    root = ET.fromstring(sbp.emotion_chart(coffee()))
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert texts[:7] == [
        "+3 delights the customer",
        "+2 exceeds expectations",
        "+1 meets expectations",
        "+0 neutral (no expectation)",
        "-1 partly fails expectations",
        "-2 fails expectations",
        "-3 endangers the customer relationship",
    ]
    assert len(root.findall(f".//{SVG}rect[@class='sbp-band']")) == 7


def test_an_unrated_step_is_a_gap_and_moments_are_marked() -> None:
    root = ET.fromstring(sbp.emotion_chart(coffee()))
    lines = root.findall(f".//{SVG}polyline")
    # o is rated, w is not, p is: two pieces, not a line through zero.
    assert [len(line.get("points", "").split()) for line in lines] == [1, 1]
    assert len(root.findall(f".//{SVG}path[@class='sbp-moment']")) == 1
    assert [t.text for t in root.iter(f"{SVG}text") if t.text in ("order", "pay")] == [
        "order",
        "pay",
    ]


def test_one_curve_per_persona_and_the_observed_interval() -> None:
    svg = sbp.emotion_chart(
        coffee(),
        curves={"tourist": {"o": 1, "w": 0, "p": 1}, "commuter": {"p": -3}},
        observed={"p": [-2, -1, 0, -1]},
    )
    root = ET.fromstring(svg)
    assert len(root.findall(f".//{SVG}polyline")) == 2 + 1 + 1
    legend = [t.text for t in root.iter(f"{SVG}text")][-4:]
    assert legend == ["expected", "tourist", "commuter", "observed mean, 95 % interval"]
    # Hand-computed: mean -1, sd sqrt(2/3), t(0.975, 3) = 3.182446...
    summary = sbp.observed_ratings({"p": [-2, -1, 0, -1]})["p"]
    half = 3.182446305284263 * math.sqrt(2 / 3) / 2
    assert summary.mean == -1
    assert summary.low == pytest.approx(-1 - half)
    assert summary.high == pytest.approx(-1 + half)
    assert "mean -1.00, 95 % interval -2.30 … +0.30, n = 4" in svg


def test_hostile_text_and_bad_input() -> None:
    bp = sbp.Blueprint('<script>alert("x")</script> & co', stages=["s"])
    bp.add_step(sbp.Step(id="a", label="</text><a href='x'>", lane="customer", stage="s"))
    root = ET.fromstring(sbp.emotion_chart(bp, curves={"<b>": {"a": 1}}))
    assert not root.findall(f".//{SVG}script")
    assert not root.findall(f".//{SVG}a")
    assert root.find(f"{SVG}title").text == '<script>alert("x")</script> & co: emotion curve'  # type: ignore[union-attr]
    with pytest.raises(sbp.UnknownStepError):
        sbp.emotion_chart(bp, curves={"x": {"nope": 1}})
    with pytest.raises(sbp.UnknownStepError):
        sbp.emotion_chart(bp, observed={"nope": [1]})
    with pytest.raises(sbp.RatingError):
        sbp.emotion_chart(bp, curves={"x": {"a": 9}})
    with pytest.raises(sbp.ArgumentTypeError):
        sbp.emotion_chart(bp, curves={"x": [1]})  # type: ignore[dict-item]


def test_bank_example() -> None:
    bp = sbp.load(BANK)
    root = ET.fromstring(sbp.emotion_chart(bp))
    assert len(root.findall(f".//{SVG}circle")) == sum(
        1 for s in bp.customer_spine() if s.rating is not None
    )
    assert len(root.findall(f".//{SVG}path[@class='sbp-moment']")) == len(
        [s for s in bp.customer_spine() if s.is_moment]
    )


@settings(max_examples=30)
@given(bp=blueprints(max_steps=8))
def test_any_blueprint_gives_well_formed_svg(bp: sbp.Blueprint) -> None:
    root = ET.fromstring(sbp.emotion_chart(bp))
    rated = [s for s in bp.customer_spine() if s.rating is not None]
    assert len(root.findall(f".//{SVG}circle")) == len(rated)
