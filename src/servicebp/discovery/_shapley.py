"""Shapley-value attribution of conversions to touchpoints.

Private: re-exported by :mod:`servicebp.discovery`.

The touchpoints are the players of a cooperative game whose worth ``v(S)``
says what the coalition *S* of touchpoints achieves; a touchpoint's Shapley
value (Shapley 1953) is its marginal contribution ``v(S ∪ {j}) − v(S)``
averaged over every order in which the touchpoints could join. Two games:

``"conversions"`` (Zhao, Mahboobi & Bagheri 2018, *Shapley Value Methods for
Attribution Modeling in Online Advertising*, arXiv:1804.05327, §3)
    ``v(S)`` is the conversions of the journeys whose touchpoints all lie in
    *S*. This game is a sum of unanimity games, one per set of touchpoints a
    journey met, so its Shapley values have a closed form (Zhao et al.'s
    "simplified Shapley value"): each journey's conversions split equally
    over the distinct touchpoints it met. Exact for any number of
    touchpoints. The *ordered* variant (their §4) also says at which
    position (of first occurrence) each touchpoint earned its credit; the
    positions sum to the unordered value.
``"rate"``
    ``v(S)`` is the conversion rate of the journeys whose touchpoints all
    lie in *S* (0 when there are none): a touchpoint met mostly by journeys
    that do not convert lowers it, and gets a negative value. Not additive,
    so the values are computed over all ``2**n`` coalitions, exactly up to
    :data:`SHAPLEY_EXACT_LIMIT` touchpoints; above that by sampling orders
    of the touchpoints (Castro, Gómez & Tejada 2009), with a standard error.
    The values are scaled so that they sum to the conversions.
"""

from __future__ import annotations

import math
from typing import Any, Final

import attrs
import numpy as np
import numpy.typing as npt

from servicebp.discovery._markov import EncodedPaths, encode_paths
from servicebp.errors import InvalidArgumentError

__all__ = ["SHAPLEY_EXACT_LIMIT", "SHAPLEY_GAMES", "ShapleyAttribution", "shapley_values"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

#: The ``"rate"`` game is exact over all ``2**n`` coalitions up to this many touchpoints.
SHAPLEY_EXACT_LIMIT: Final = 20

#: The games :func:`shapley_values` plays.
SHAPLEY_GAMES: Final = ("conversions", "rate")


@attrs.frozen(kw_only=True)
class ShapleyAttribution:
    """Shapley values of the touchpoints, in conversions.

    Attributes
    ----------
    game : str
        ``"conversions"`` or ``"rate"`` (see :func:`shapley_values`).
    ordered : bool
        Whether *by_position* was computed (Zhao et al.'s ordered variant).
    exact : bool
        Whether the values are exact (False: sampled orders).
    values : dict of str to float
        Touchpoint to its Shapley value; they sum to the conversions.
    standard_errors : dict of str to float or None
        Monte Carlo standard errors of sampled values (None when exact).
    by_position : dict of str to tuple of float, or None
        With *ordered*: the touchpoint's credit at positions 1, 2, …
    samples : int
        Orders sampled (0 when exact).
    """

    game: str
    ordered: bool
    exact: bool
    values: dict[str, float]
    standard_errors: dict[str, float] | None
    by_position: dict[str, tuple[float, ...]] | None
    samples: int


def _sets(encoded: EncodedPaths) -> tuple[IntArray, IntArray, IntArray]:
    """Distinct touchpoints of each distinct path in order of first occurrence.

    Returns the codes, the path each belongs to, and each one's position.
    """
    paths = np.repeat(np.arange(encoded.distinct), encoded.lengths)
    pairs = paths * len(encoded.touchpoints) + encoded.codes
    _, first = np.unique(pairs, return_index=True)
    first = np.sort(first)
    owner = paths[first]
    starts = np.r_[0, np.flatnonzero(np.diff(owner)) + 1]
    position = np.arange(len(first)) - np.repeat(starts, np.diff(np.r_[starts, len(first)]))
    return encoded.codes[first], owner, position


def _closed_form(
    encoded: EncodedPaths, amount: FloatArray, ordered: bool
) -> tuple[FloatArray, FloatArray | None]:
    codes, owner, position = _sets(encoded)
    size = np.bincount(owner, minlength=encoded.distinct)
    share = amount[owner] / size[owner]
    n = len(encoded.touchpoints)
    values: FloatArray = np.bincount(codes, weights=share, minlength=n).astype(np.float64)
    if not ordered:
        return values, None
    width = int(position.max()) + 1 if position.size else 0
    grid = np.zeros((n, width))
    np.add.at(grid, (codes, position), share)
    return values, grid


def _masks(encoded: EncodedPaths) -> IntArray:
    codes, owner, _ = _sets(encoded)
    masks = np.zeros(encoded.distinct, dtype=np.int64)
    np.bitwise_or.at(masks, owner, np.left_shift(1, codes))
    return masks


def _rate_exact(encoded: EncodedPaths) -> FloatArray:
    """Shapley values of the rate game over all ``2**n`` coalitions."""
    n = len(encoded.touchpoints)
    masks = _masks(encoded)
    conv = np.bincount(masks, weights=encoded.conversions, minlength=1 << n)
    seen = np.bincount(masks, weights=encoded.conversions + encoded.nulls, minlength=1 << n)
    # Sums over subsets (the zeta transform): conv[S] = Σ_{T ⊆ S} conv[T].
    for bit in range(n):
        for table in (conv, seen):
            view = table.reshape(-1, 2, 1 << bit)
            view[:, 1, :] += view[:, 0, :]
    worth = np.divide(conv, seen, out=np.zeros_like(conv), where=seen > 0)
    sizes = np.zeros(1 << n, dtype=np.int64)
    for bit in range(n):
        sizes.reshape(-1, 2, 1 << bit)[:, 1, :] += 1
    weight = np.exp(
        [math.lgamma(s + 1) + math.lgamma(n - s) - math.lgamma(n + 1) for s in range(n)]
    )
    values = np.empty(n)
    for j in range(n):
        view = worth.reshape(-1, 2, 1 << j)
        gains = view[:, 1, :] - view[:, 0, :]
        values[j] = (gains * weight[sizes.reshape(-1, 2, 1 << j)[:, 0, :]]).sum()
    return values


def _rate_sampled(
    encoded: EncodedPaths, samples: int, rng: np.random.Generator
) -> tuple[FloatArray, FloatArray]:
    """Mean marginal contributions over random orders, and their standard errors.

    A journey's set lies inside the first *k* touchpoints of an order exactly
    when its latest member comes before position *k*, so each order's worths
    are cumulative sums over the sets' latest positions.
    """
    n = len(encoded.touchpoints)
    codes, owner, _ = _sets(encoded)
    starts = np.r_[0, np.flatnonzero(np.diff(owner)) + 1]
    journeys = encoded.conversions + encoded.nulls
    total = np.zeros(n)
    squares = np.zeros(n)
    for _ in range(samples):
        order = rng.permutation(n)
        rank = np.empty(n, dtype=np.int64)
        rank[order] = np.arange(n)
        latest = np.maximum.reduceat(rank[codes], starts)
        conv = np.cumsum(np.bincount(latest, weights=encoded.conversions, minlength=n))
        seen = np.cumsum(np.bincount(latest, weights=journeys, minlength=n))
        worth = np.divide(conv, seen, out=np.zeros(n), where=seen > 0)
        gains = np.diff(np.r_[0.0, worth])
        marginal = np.empty(n)
        marginal[order] = gains
        total += marginal
        squares += marginal * marginal
    mean = total / samples
    spread = np.sqrt(np.maximum(squares / samples - mean * mean, 0.0) / max(samples - 1, 1))
    return mean, spread


def _check_options(game: str, ordered: bool, exact_limit: object, samples: object) -> None:
    if game not in SHAPLEY_GAMES:
        raise InvalidArgumentError(
            f"unknown Shapley game: {game!r} (must be one of {list(SHAPLEY_GAMES)})"
        )
    if ordered and game != "conversions":
        raise InvalidArgumentError("ordered Shapley values are defined for game='conversions'")
    if isinstance(exact_limit, bool) or not isinstance(exact_limit, int):
        raise InvalidArgumentError(f"exact_limit must be a whole number, got {exact_limit!r}")
    if not 1 <= exact_limit <= SHAPLEY_EXACT_LIMIT:
        raise InvalidArgumentError(
            f"exact_limit must lie in 1…{SHAPLEY_EXACT_LIMIT}, got {exact_limit!r}"
        )
    if isinstance(samples, bool) or not isinstance(samples, int) or samples < 2:
        raise InvalidArgumentError(f"samples must be a whole number ≥ 2, got {samples!r}")


def shapley_values(
    paths: Any,
    conversions: Any,
    *,
    game: str = "conversions",
    ordered: bool = False,
    null: Any = None,
    values: Any = None,
    sep: str = ">",
    exact_limit: int = SHAPLEY_EXACT_LIMIT,
    samples: int = 2000,
    seed: int = 0,
) -> ShapleyAttribution:
    """Shapley values of the touchpoints of *paths* in the game *game*.

    Parameters
    ----------
    paths, conversions, null, sep
        As for :func:`~servicebp.markov_model`.
    game : str
        ``"conversions"``: ``v(S)`` is the conversions (or, with *values*,
        the value) of the journeys whose touchpoints all lie in *S*; exact
        for any number of touchpoints. ``"rate"``: ``v(S)`` is their
        conversion rate; exact up to *exact_limit* touchpoints, sampled above.
    ordered : bool
        Also split each touchpoint's credit by its position of first
        occurrence in the journeys (``by_position``; game ``"conversions"``).
    values : array_like, optional
        Per path, the conversion value: the ``"conversions"`` game then
        shares out value instead of conversions.
    exact_limit : int
        Most touchpoints for which the ``"rate"`` game is computed over all
        ``2**n`` coalitions (at most 20: a million coalitions).
    samples, seed : int
        Orders sampled above *exact_limit*, and the seed that draws them.

    Returns
    -------
    ShapleyAttribution

    Raises
    ------
    InvalidArgumentError
        An unknown *game*, *ordered* with the rate game, *exact_limit*
        outside 1…20, or *samples* below 2.

    Examples
    --------
    Two journeys converted: one met only ``a``, one met ``a`` and ``b``; a
    third met only ``b`` and did not convert. In the conversions game ``a``
    earns the first conversion alone and half of the second:

    >>> paths = ["a", "a > b", "b"]
    >>> shapley_values(paths, [1, 1, 0]).values
    {'a': 1.5, 'b': 0.5}

    In the rate game ``v({a}) = 1``, ``v({b}) = 0`` and ``v({a, b}) = 2/3``, so
    ``a`` gets (1 + 2/3) / 2 and ``b`` (0 − 1/3) / 2 of the rate 2/3, scaled to
    the 2 conversions:

    >>> {k: round(v, 12) for k, v in shapley_values(paths, [1, 1, 0], game="rate").values.items()}
    {'a': 2.5, 'b': -0.5}
    """
    _check_options(game, ordered, exact_limit, samples)
    encoded = encode_paths(paths, conversions, null=null, values=values, sep=sep)
    names = encoded.touchpoints
    if game == "conversions":
        amount = encoded.conversions if encoded.values is None else encoded.values
        found, grid = _closed_form(encoded, amount, ordered)
        return ShapleyAttribution(
            game=game,
            ordered=ordered,
            exact=True,
            values={t: float(found[i]) for i, t in enumerate(names)},
            standard_errors=None,
            by_position=None
            if grid is None
            else {t: tuple(float(v) for v in grid[i]) for i, t in enumerate(names)},
            samples=0,
        )
    exact = len(names) <= exact_limit
    if exact:
        found, errors = _rate_exact(encoded), None
    else:
        found, errors = _rate_sampled(encoded, samples, np.random.default_rng(seed))
    journeys = encoded.conversions + encoded.nulls
    rate = encoded.conversions.sum() / journeys.sum()
    scale = encoded.conversions.sum() / rate if rate > 0 else 0.0
    return ShapleyAttribution(
        game=game,
        ordered=False,
        exact=exact,
        values={t: float(found[i] * scale) for i, t in enumerate(names)},
        standard_errors=None
        if errors is None
        else {t: float(errors[i] * scale) for i, t in enumerate(names)},
        by_position=None,
        samples=0 if exact else samples,
    )
