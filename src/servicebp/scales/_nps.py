"""The Net Promoter Score: promoters, passives, detractors and the NPS figure.

Private: re-exported by :mod:`servicebp.scales`.

Reichheld (2003, *The One Number You Need to Grow*, Harvard Business Review
81(12)) asks "How likely is it that you would recommend us to a friend or
colleague?" on 0 … 10: 9 and 10 are promoters, 7 and 8 passives, 0 … 6
detractors, and the NPS is the percentage of promoters minus the percentage
of detractors (−100 … +100).
"""

from __future__ import annotations

from typing import Any

import attrs
import numpy as np

from servicebp.scales._scale import SCALES

__all__ = ["NetPromoterScore", "net_promoter_score"]


@attrs.frozen(kw_only=True)
class NetPromoterScore:
    """The NPS of a set of 0–10 answers.

    Attributes
    ----------
    n : int
        Answers (blanks left out).
    promoters, passives, detractors : int
        Answers of 9–10, 7–8 and 0–6.
    score : float
        ``100 · (promoters − detractors) / n``.
    """

    n: int
    promoters: int
    passives: int
    detractors: int
    score: float


def net_promoter_score(answers: Any) -> NetPromoterScore:
    """Classify 0–10 answers and compute the Net Promoter Score.

    Parameters
    ----------
    answers : array_like
        Whole numbers on 0 … 10; NaN for no answer.

    Raises
    ------
    RatingError
        An answer off 0 … 10 (named with its position), or no answer at all.

    Examples
    --------
    >>> nps = net_promoter_score([10, 9, 9, 8, 7, 6, 0, float("nan")])
    >>> nps.promoters, nps.passives, nps.detractors, round(nps.score, 2)
    (3, 2, 2, 14.29)
    """
    from servicebp.errors import RatingError

    values = np.asarray(answers, dtype=np.float64).ravel()
    values = values[~np.isnan(values)]
    if not values.size:
        raise RatingError("no answer to compute a Net Promoter Score from")
    values = SCALES["nps"].check(values)
    promoters = int((values >= 9).sum())
    detractors = int((values <= 6).sum())
    passives = int(values.size) - promoters - detractors
    return NetPromoterScore(
        n=int(values.size),
        promoters=promoters,
        passives=passives,
        detractors=detractors,
        score=100.0 * (promoters - detractors) / values.size,
    )
