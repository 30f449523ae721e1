"""The colours of ratings in rendered blueprints.

Ratings on the moment-of-truth scale (−3 … +3) are coloured with
ColorBrewer's 7-class diverging **RdBu** scheme (Cynthia Brewer, colorbrewer2.org),
which stays readable for people with red–green colour blindness: red for
ratings that fail the customer, white for neutral, blue for delight. A rating
is first rounded to the nearest whole point, halves away from zero (so −0.5
counts as −1 and +0.5 as +1); the score itself is always printed in the step's
label as well, so no one has to read the colour alone.
"""

from __future__ import annotations

import math
from typing import Final

from servicebp.errors import RatingError

__all__ = ["RATING_COLOURS", "RATING_TEXT_COLOURS", "rating_class", "rating_colour"]

#: Fill colour of each whole rating from −3 to +3 (ColorBrewer RdBu, 7 classes).
RATING_COLOURS: Final = {
    -3: "#b2182b",
    -2: "#ef8a62",
    -1: "#fddbc7",
    0: "#f7f7f7",
    1: "#d1e5f0",
    2: "#67a9cf",
    3: "#2166ac",
}
#: Text colour readable on each fill (white on the two darkest classes).
RATING_TEXT_COLOURS: Final = {
    rating: "#ffffff" if rating in (-3, 3) else "#000000" for rating in RATING_COLOURS
}


def rating_class(rating: float) -> int:
    """Return the whole rating (−3 … +3) whose colour *rating* takes.

    Raises
    ------
    RatingError
        If *rating* is not a finite number on the −3 … +3 scale.

    Examples
    --------
    >>> rating_class(1.4), rating_class(0.5), rating_class(-0.5), rating_class(-3)
    (1, 1, -1, -3)
    """
    if isinstance(rating, bool) or not isinstance(rating, int | float):
        raise RatingError(f"rating must be a number, not {type(rating).__name__} ({rating!r})")
    if not math.isfinite(rating) or not -3 <= rating <= 3:
        raise RatingError(f"rating {rating!r} is not on the scale -3…+3")
    return int(math.copysign(math.floor(abs(rating) + 0.5), rating))


def rating_colour(rating: float) -> str:
    """Return the fill colour of *rating* as ``#rrggbb``.

    Examples
    --------
    >>> rating_colour(-3), rating_colour(0.2), rating_colour(2.6)
    ('#b2182b', '#f7f7f7', '#2166ac')
    """
    return RATING_COLOURS[rating_class(rating)]
