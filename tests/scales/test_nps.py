"""The Net Promoter Score and the survey scales (NPS, CSAT, CES)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from servicebp import SCALES, convert, net_promoter_score
from servicebp.errors import RatingError


@given(st.lists(st.integers(0, 10), min_size=1, max_size=60))
def test_nps_counts_add_up_and_the_score_is_their_difference(answers: list[int]) -> None:
    nps = net_promoter_score(answers)
    assert nps.promoters + nps.passives + nps.detractors == nps.n == len(answers)
    assert nps.promoters == sum(a >= 9 for a in answers)
    assert nps.detractors == sum(a <= 6 for a in answers)
    assert -100 <= nps.score <= 100
    assert nps.score == pytest.approx(100 * (nps.promoters - nps.detractors) / nps.n)


def test_nps_refuses_answers_off_the_scale_and_no_answer() -> None:
    with pytest.raises(RatingError, match="not on the nps scale 0…10"):
        net_promoter_score([9, 11])
    with pytest.raises(RatingError, match="no answer"):
        net_promoter_score([float("nan")])


def test_survey_scales_map_their_ends_onto_the_mot_scale() -> None:
    assert convert(0, source="nps") == -3.0
    assert convert(10, source="nps") == 3.0
    assert convert(3, source="csat-5") == 0.0
    assert convert(4, source="csat-7") == 0.0
    assert SCALES["ces"].to_mot(7) == 3.0
