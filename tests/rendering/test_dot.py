"""DOT of blueprints: golden output, determinism, ratings.

Regenerate the golden files with ``SERVICEBP_REGEN_GOLDEN=1 pytest tests/rendering/test_dot.py
tests/rendering/test_mermaid.py``.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings

import servicebp
from servicebp import Blueprint, RatingError, Step, UnknownStepError
from servicebp.rendering._render import RATING_COLOURS, rating_class, to_dot
from servicebp.testing._strategies import blueprints
from tests._paths import BANK
from tests._render_helpers import check_golden

_EDGE_LABEL = re.compile(r"[\[ ]label=")
_DOT_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')


def test_bank_golden_dot() -> None:
    check_golden("bank_account_opening.dot", to_dot(servicebp.load(BANK)).source)


@settings(max_examples=25)
@given(blueprints(max_steps=10))
def test_dot_is_deterministic(bp: Blueprint) -> None:
    assert to_dot(bp).source == to_dot(bp.copy()).source


def test_ratings_colour_and_label() -> None:
    bp = Blueprint("A", stages=["s"])
    bp.add_step(Step(id="x", label="X", lane="customer", stage="s", rating=1))
    source = to_dot(bp, ratings={"x": -2.6}).source
    assert f'fillcolor="{RATING_COLOURS[-3]}"' in source
    assert "score -2.6" in source
    assert "score +1.21" in to_dot(bp, ratings={"x": 1.20667}).source
    assert "score +1" in to_dot(bp).source


def test_bad_ratings_raise() -> None:
    bp = Blueprint("A", stages=["s"])
    bp.add_step(Step(id="x", label="X", lane="customer", stage="s"))
    with pytest.raises(UnknownStepError, match="'nope'"):
        to_dot(bp, ratings={"nope": 1})
    with pytest.raises(RatingError, match="4"):
        to_dot(bp, ratings={"x": 4})


def test_rating_classes() -> None:
    # halfway goes to the worse level: -2.5 is -3 and +0.5 is 0 (neutral)
    assert [rating_class(r) for r in (-3, -2.5, -0.4, 0.5, 2.49, 3)] == [-3, -3, 0, 0, 2, 3]


def test_legend_is_optional() -> None:
    bp = servicebp.load(BANK)
    assert 'id="sbp-legend"' in to_dot(bp).source
    assert "sbp-legend" not in to_dot(bp, legend=False).source


@settings(max_examples=25)
@given(blueprints(max_steps=10))
def test_no_edge_has_a_label(bp: Blueprint) -> None:
    # One edge ``label`` anywhere makes dot double every rank, which breaks
    # the grid; flows use ``xlabel`` and the legend names its sample edges
    # with nodes.
    for legend in (True, False):
        edges = [line for line in to_dot(bp, legend=legend).source.splitlines() if " -> " in line]
        assert edges
        assert not [line for line in edges if _EDGE_LABEL.search(_DOT_STRING.sub('""', line))]
