"""Attribution: conversions and values shared out among the touchpoints of journeys.

Private: re-exported by :mod:`servicebp.discovery`.

:func:`attribute` shares conversions (and values) out in proportion to the
exact Markov removal effects (:mod:`servicebp.discovery._removal`), by
Shapley values of Zhao et al.'s (2018) conversions game, or by the
heuristics first touch, last touch and linear (:data:`ATTRIBUTION_METHODS`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Final

import attrs
import numpy as np
import numpy.typing as npt

from servicebp.discovery._markov import EncodedPaths, encode_paths
from servicebp.discovery._removal import Paths, check_order, solve_model
from servicebp.discovery._shapley import _closed_form as shapley_closed_form
from servicebp.errors import UnknownStrategyError

__all__ = ["ATTRIBUTION_METHODS", "Attribution", "attribute"]

FloatArray = npt.NDArray[np.float64]


# --- attribution --------------------------------------------------------------


@attrs.frozen(kw_only=True)
class Attribution:
    """Conversions (and values) attributed to each touchpoint by one method.

    Attributes
    ----------
    method : str
        One of :data:`ATTRIBUTION_METHODS`.
    conversions : dict of str to float
        Touchpoint to attributed conversions; they sum to the total.
    values : dict of str to float or None
        Touchpoint to attributed value, when values were given.
    """

    method: str
    conversions: dict[str, float]
    values: dict[str, float] | None


def _share(total: float, weights: Mapping[str, float]) -> dict[str, float]:
    whole = sum(weights.values())
    if whole <= 0:
        return dict.fromkeys(weights, 0.0)
    return {k: total * w / whole for k, w in weights.items()}


def _markov_attribution(encoded: EncodedPaths, order: int) -> Attribution:
    model = solve_model(encoded, order)
    values = None
    if encoded.values is not None:
        assert model.value_removal_effects is not None
        values = _share(float(encoded.values.sum()), model.value_removal_effects)
    return Attribution(
        method="markov",
        conversions=_share(float(encoded.conversions.sum()), model.removal_effects),
        values=values,
    )


def _shapley_attribution(encoded: EncodedPaths, order: int) -> Attribution:
    # Zhao et al. (2018)'s game: each journey's conversions (and value) split
    # equally over the distinct touchpoints it met; exact for any number of them.
    def spread(amount: FloatArray) -> dict[str, float]:
        found, _ = shapley_closed_form(encoded, amount, False)
        return {t: float(found[i]) for i, t in enumerate(encoded.touchpoints)}

    values = None if encoded.values is None else spread(encoded.values)
    return Attribution(method="shapley", conversions=spread(encoded.conversions), values=values)


def _heuristic(
    name: str,
    credit: Callable[[EncodedPaths, FloatArray], tuple[npt.NDArray[np.int64], FloatArray]],
) -> Callable[[EncodedPaths, int], Attribution]:
    def run(encoded: EncodedPaths, order: int) -> Attribution:
        size = len(encoded.touchpoints)

        def spread(amount: FloatArray) -> dict[str, float]:
            where, weight = credit(encoded, amount)
            sums = np.bincount(where, weights=weight, minlength=size)
            return {t: float(sums[i]) for i, t in enumerate(encoded.touchpoints)}

        values = None if encoded.values is None else spread(encoded.values)
        return Attribution(method=name, conversions=spread(encoded.conversions), values=values)

    return run


def _first(e: EncodedPaths, amount: FloatArray) -> tuple[npt.NDArray[np.int64], FloatArray]:
    return e.codes[e.offsets[:-1]], amount


def _last(e: EncodedPaths, amount: FloatArray) -> tuple[npt.NDArray[np.int64], FloatArray]:
    return e.codes[e.offsets[1:] - 1], amount


def _linear(e: EncodedPaths, amount: FloatArray) -> tuple[npt.NDArray[np.int64], FloatArray]:
    return e.codes, np.repeat(amount / e.lengths, e.lengths)


#: Attribution methods by name: the single source for :func:`attribute` and the CLI.
ATTRIBUTION_METHODS: Final[Mapping[str, Callable[[EncodedPaths, int], Attribution]]] = {
    "first_touch": _heuristic("first_touch", _first),
    "last_touch": _heuristic("last_touch", _last),
    "linear": _heuristic("linear", _linear),
    "markov": _markov_attribution,
    "shapley": _shapley_attribution,
}


def attribute(
    paths: Paths,
    conversions: Any,
    *,
    method: str = "markov",
    order: int = 1,
    null: Any = None,
    values: Any = None,
    sep: str = ">",
) -> Attribution:
    """Attribute the conversions (and values) of *paths* to their touchpoints.

    Parameters
    ----------
    paths, conversions, order, null, values, sep
        As for :func:`markov_model`.
    method : str
        ``"markov"`` (in proportion to the exact removal effects; values in
        proportion to the value removal effects), ``"first_touch"``,
        ``"last_touch"``, ``"linear"`` (a path's conversions split equally
        over its touches, a touchpoint met twice counted twice) or
        ``"shapley"`` (exact Shapley values of Zhao et al.'s 2018 game: a
        path's conversions split equally over the distinct touchpoints it
        met; see :func:`shapley_values` for the ordered variant and the
        conversion-rate game).

    Returns
    -------
    Attribution

    Raises
    ------
    UnknownStrategyError
        If *method* is not one of :data:`ATTRIBUTION_METHODS`.

    Examples
    --------
    >>> paths = ["a > b", "b > c", "c"]
    >>> attribute(paths, [1, 1, 0], method="first_touch").conversions
    {'a': 1.0, 'b': 1.0, 'c': 0.0}
    >>> attribute(paths, [1, 1, 0], method="linear").conversions
    {'a': 0.5, 'b': 1.0, 'c': 0.5}
    >>> attribute(paths, [1, 1, 0], method="median")
    Traceback (most recent call last):
    ...
    servicebp.errors.UnknownStrategyError: unknown attribution method: 'median' (must be one of ['first_touch', 'last_touch', 'linear', 'markov', 'shapley'])
    """  # noqa: E501
    if method not in ATTRIBUTION_METHODS:
        raise UnknownStrategyError(
            f"unknown attribution method: {method!r} (must be one of {sorted(ATTRIBUTION_METHODS)})"
        )
    order = check_order(order)
    encoded = encode_paths(paths, conversions, null=null, values=values, sep=sep)
    return ATTRIBUTION_METHODS[method](encoded, order)
