"""The colours of ratings in rendered blueprints.

Ratings on the moment-of-truth scale (−3 … +3) are coloured with
ColorBrewer's 7-class diverging **RdBu** scheme (Cynthia Brewer, colorbrewer2.org),
which stays readable for people with red–green colour blindness: red for
ratings that fail the customer, white for neutral, blue for delight. A rating
takes the colour of the level it is described as: the nearest whole level,
halfway to the worse one (so +0.5 is coloured neutral and −0.5 "partly
fails"), the rounding rule of :mod:`servicebp.scales`
(:meth:`~servicebp.scales.RatingLevel.nearest`). The score itself is always
printed in the step's label as well, so no one has to read the colour alone.
"""

from __future__ import annotations

from typing import Final

from servicebp.scales import RatingLevel

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
    """Return the whole rating (−3 … +3) whose colour *rating* takes: its level's.

    Raises
    ------
    RatingError
        If *rating* is not a number on the −3 … +3 scale.

    Examples
    --------
    >>> rating_class(1.4), rating_class(0.5), rating_class(-0.5), rating_class(-3)
    (1, 0, -1, -3)
    """
    return int(RatingLevel.nearest(rating))


def rating_colour(rating: float) -> str:
    """Return the fill colour of *rating* as ``#rrggbb``.

    Examples
    --------
    >>> rating_colour(-3), rating_colour(0.2), rating_colour(2.6)
    ('#b2182b', '#f7f7f7', '#2166ac')
    """
    return RATING_COLOURS[rating_class(rating)]
