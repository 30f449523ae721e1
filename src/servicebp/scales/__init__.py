"""Rating scales: the -3...+3 moment-of-truth scale, its levels, and
conversions from survey scales.
"""

from servicebp.scales._scale import (
    SCALES,
    RatingLevel,
    Scale,
    check_rating,
    convert,
    get_scale,
    servqual_gap,
)

__all__ = ["SCALES", "RatingLevel", "Scale", "check_rating", "convert", "get_scale", "servqual_gap"]
