"""Rating scales: the −3…+3 moment-of-truth scale, its levels, and survey scales.

The one place the moment-of-truth scale and its rounding rule are written:
every check, message and colour in the package goes through it.
"""

from servicebp.scales._nps import NetPromoterScore, net_promoter_score
from servicebp.scales._scale import (
    RATING_MAX,
    RATING_MIN,
    SCALES,
    RatingLevel,
    Scale,
    check_rating,
    convert,
    get_scale,
    nearest_whole,
    rating_problem,
    servqual_gap,
)

__all__ = [
    "RATING_MAX",
    "RATING_MIN",
    "SCALES",
    "NetPromoterScore",
    "RatingLevel",
    "Scale",
    "check_rating",
    "convert",
    "get_scale",
    "nearest_whole",
    "net_promoter_score",
    "rating_problem",
    "servqual_gap",
]
