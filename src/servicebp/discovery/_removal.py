"""Markov-chain removal effects of observed journeys, solved exactly.

Private: re-exported by :mod:`servicebp.discovery`.

Journeys are paths through touchpoints that end in conversion or not; the
transition matrix over touchpoints, with a start, a conversion and a null
state, gives the conversion probability, and a touchpoint's raw removal
effect is ``1 − P(conversion without it) / P(conversion)``
(:func:`markov_model`, :func:`removal_effects`). This is the method of
ChannelAttribution's ``markov_model``, which *simulates* the chain; here the
absorbing chain is *solved* (sparse linear algebra), so the result is exact
and faster. Sets and sequences of touchpoints are removed together by
:func:`set_removal_effects` and :func:`sequence_removal_effects`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Final

import attrs
import numpy as np
import numpy.typing as npt

from servicebp.discovery._first_passage import single_state_effects
from servicebp.discovery._markov import (
    Chain,
    EncodedPaths,
    build_chain,
    encode_paths,
    solve_conversion,
    without_sequence,
)
from servicebp.errors import AnalysisTooLargeError, InvalidArgumentError, ObservedDataError

__all__ = [
    "MarkovModel",
    "Paths",
    "check_order",
    "markov_model",
    "removal_effects",
    "sequence_removal_effects",
    "set_removal_effects",
    "solve_model",
]

FloatArray = npt.NDArray[np.float64]

#: A chain of order 2 or more has its touchpoints removed one solve each;
#: above this many touchpoints :class:`AnalysisTooLargeError` is raised.
LOOP_LIMIT: Final = 1_000

Paths = Sequence[str] | Sequence[Sequence[str]]


# --- the Markov model ---------------------------------------------------------


@attrs.frozen(kw_only=True)
class MarkovModel:
    """The absorbing Markov chain of observed journeys, solved exactly.

    Attributes
    ----------
    touchpoints : tuple of str
        The touchpoints, in order of first appearance.
    order : int
        The chain's order (a state is the last *order* touchpoints).
    conversion_probability : float
        The probability that a journey from the start state converts.
    removal_effects : dict of str to float
        Touchpoint to raw removal effect ``1 − P(conversion without it) / P``.
    expected_value : float or None
        The expected conversion value per journey (with *values*).
    value_removal_effects : dict of str to float or None
        The same with expected value in place of probability.
    journeys : float
        How many journeys the paths stand for.
    distinct_paths : int
        How many distinct paths there were after aggregation.
    states : int
        How many transient states the chain has, the start state included.
    """

    touchpoints: tuple[str, ...]
    order: int
    conversion_probability: float
    removal_effects: dict[str, float]
    expected_value: float | None
    value_removal_effects: dict[str, float] | None
    journeys: float
    distinct_paths: int
    states: int


def check_order(order: object) -> int:
    if isinstance(order, bool) or not isinstance(order, int) or order < 1:
        raise InvalidArgumentError(f"order must be a whole number of at least 1, got {order!r}")
    return order


def solve_model(encoded: EncodedPaths, order: int) -> MarkovModel:
    chain = build_chain(encoded, order=order)
    base = solve_conversion(chain)
    if base <= 0:
        raise ObservedDataError(
            "no journey converted, so removal effects are undefined (every conversion is 0)"
        )
    expected = None if chain.value_rate is None else solve_conversion(chain, values=True)
    rates = [(chain.to_conversion, base)]
    if chain.value_rate is not None and expected is not None and expected > 0:
        rates.append((chain.value_rate, expected))
    names = encoded.touchpoints
    fast = single_state_effects(chain, len(names), rates)
    if fast is None:
        fast = _one_solve_each(chain, names, order, [total for _, total in rates])
    effects = dict(zip(names, fast[0].tolist(), strict=True))
    value_effects = None
    if expected is not None:
        value_effects = (
            dict(zip(names, fast[1].tolist(), strict=True))
            if len(fast) > 1
            else dict.fromkeys(names, 0.0)
        )
    return MarkovModel(
        touchpoints=encoded.touchpoints,
        order=order,
        conversion_probability=base,
        removal_effects=effects,
        expected_value=expected,
        value_removal_effects=value_effects,
        journeys=encoded.journeys,
        distinct_paths=encoded.distinct,
        states=chain.states,
    )


def _one_solve_each(
    chain: Chain, names: tuple[str, ...], order: int, totals: list[float]
) -> list[FloatArray]:
    """Each touchpoint's removal effects by one solve per touchpoint (higher orders).

    *totals* are the start values of the conversion and, if given, of the
    expected value, in that order.

    Raises
    ------
    AnalysisTooLargeError
        More than :data:`LOOP_LIMIT` touchpoints.
    """
    if len(names) > LOOP_LIMIT:
        raise AnalysisTooLargeError(
            f"removal effects of a chain of order {order} over {len(names):,} "
            f"touchpoints need one solve of its {chain.states:,} states per touchpoint; above "
            f"{LOOP_LIMIT:,} touchpoints that is refused: use order=1 (all touchpoints from one "
            "solve), merge rare touchpoints into channels, or ask "
            "set_removal_effects for the touchpoints you need"
        )
    return [
        np.array(
            [
                1.0 - solve_conversion(chain, chain.contains(i), values=values) / total
                for i in range(len(names))
            ]
        )
        for values, total in zip((False, True), totals, strict=False)
    ]


def markov_model(
    paths: Paths,
    conversions: Any,
    *,
    order: int = 1,
    null: Any = None,
    values: Any = None,
    sep: str = ">",
) -> MarkovModel:
    """Fit the absorbing Markov chain of *paths* and solve it exactly.

    Parameters
    ----------
    paths : sequence of str or of sequences of str
        One path per row: touchpoints joined by *sep* (``"ad > web > call"``;
        white space around names is ignored) or a sequence of names.
    conversions : array_like
        Without *null*: per journey, 1 if it converted, else 0. With *null*:
        per path, how many journeys along it converted.
    order : int
        The chain's order; a state is the last *order* touchpoints (the
        first states of a path are its shorter prefixes, as in
        ChannelAttribution).
    null : array_like, optional
        Per path, how many journeys along it did not convert.
    values : array_like, optional
        Per path, the total conversion value (revenue).
    sep : str
        The separator in string paths.

    Returns
    -------
    MarkovModel

    Raises
    ------
    ObservedDataError
        No paths, an empty path or touchpoint, a count or value that is
        negative or not finite, a conversion other than 0/1 without *null*,
        or no conversion at all.
    AnalysisTooLargeError
        Touchpoints that journeys cycle among in groups too large to solve
        exactly in seconds (the sum of the groups' squared sizes over 10⁸),
        or more than 1 000 touchpoints with *order* 2 or more; the message
        says what to do instead.

    Notes
    -----
    Identical paths are aggregated first. Removing a touchpoint sends every
    state containing it to the null state. Chains up to 2 000 states are
    solved by sparse LU; larger (higher-order) ones by BiCGSTAB or GMRES,
    accepted only with a residual below 1e-12. A first-order chain gives
    every touchpoint's effect from one solve (the probability of reaching
    it times what it converts from there), so its cost grows
    with the touchpoints only through the groups that journeys cycle among;
    a higher-order chain is solved once per touchpoint, up to 1 000
    touchpoints.

    Examples
    --------
    >>> m = markov_model(["a > b", "a", "b"], [1, 0, 1])
    >>> round(m.conversion_probability, 6)
    0.666667
    >>> {k: round(v, 6) for k, v in m.removal_effects.items()}
    {'a': 0.5, 'b': 1.0}
    """
    order = check_order(order)
    encoded = encode_paths(paths, conversions, null=null, values=values, sep=sep)
    return solve_model(encoded, order)


def _removal_chain(
    paths: Paths, conversions: Any, order: int, null: Any, values: Any, sep: str
) -> tuple[Chain, float, dict[str, int]]:
    """The chain that removals of several steps cut, its conversion, and each touchpoint's index."""
    encoded = encode_paths(paths, conversions, null=null, values=values, sep=sep)
    chain = build_chain(encoded, order=order)
    base = solve_conversion(chain, values=chain.value_rate is not None)
    if base <= 0:
        raise ObservedDataError(
            "no journey converted, so removal effects are undefined (every conversion is 0)"
        )
    return chain, base, {t: i for i, t in enumerate(encoded.touchpoints)}


def set_removal_effects(
    paths: Paths,
    conversions: Any,
    sets: Mapping[str, Sequence[str]],
    *,
    order: int = 1,
    null: Any = None,
    values: Any = None,
    sep: str = ">",
) -> dict[str, float]:
    """Removal effects of *sets* of touchpoints removed together, computed exactly.

    The removal effect of a set is ``1 − P(conversion without any of its
    touchpoints) / P(conversion)``: every state containing one of them goes
    to the null state. A set of one touchpoint gives its ordinary removal
    effect. With *values*, the effects are on the expected value instead.

    Parameters
    ----------
    paths, conversions, order, null, values, sep
        As for :func:`markov_model`.
    sets : mapping of str to sequence of str
        A name for each set, and its touchpoints.

    Raises
    ------
    ObservedDataError
        A touchpoint of a set that no path meets, or no conversion at all.

    Examples
    --------
    ``b`` and ``c`` are each on one of two converting paths; removed together
    they take every conversion:

    >>> paths = ["a > b", "a > c", "a"]
    >>> set_removal_effects(paths, [1, 1, 0], {"b": ["b"], "b+c": ["b", "c"]})
    {'b': 0.5, 'b+c': 1.0}
    """
    order = check_order(order)
    chain, base, index = _removal_chain(paths, conversions, order, null, values, sep)
    use_values = chain.value_rate is not None
    out: dict[str, float] = {}
    for name, members in sets.items():
        missing = sorted({str(m) for m in members} - set(index))
        if missing:
            raise ObservedDataError(
                f"set {name!r}: touchpoint(s) {missing!r} are on no path "
                f"(the paths meet {sorted(index)[:20]!r})"
            )
        gone = chain.contains(*(index[str(member)] for member in members))
        out[name] = 1.0 - solve_conversion(chain, gone, values=use_values) / base
    return out


def sequence_removal_effects(
    paths: Paths,
    conversions: Any,
    sequences: Mapping[str, Sequence[str]],
    *,
    order: int = 1,
    null: Any = None,
    values: Any = None,
    sep: str = ">",
) -> dict[str, float]:
    """Removal effects of *sequences* of touchpoints, computed exactly.

    Removing the sequence ``t_1 > … > t_k`` sends every transition that
    completes it (into ``t_k`` right after ``t_1 … t_{k−1}``) to the null
    state; the touchpoints stay, and every other way through them too. So the
    effect says how much conversion runs through that order of steps. A
    sequence of *k* touchpoints needs a chain of order at least ``k − 1``,
    whose states remember the last ``k − 1`` touchpoints.

    Parameters
    ----------
    paths, conversions, order, null, values, sep
        As for :func:`markov_model`.
    sequences : mapping of str to sequence of str
        A name for each sequence, and its touchpoints in order (at least two).

    Raises
    ------
    ObservedDataError
        A touchpoint on no path, or no conversion at all.
    InvalidArgumentError
        A sequence shorter than two, or longer than the order allows.

    Examples
    --------
    By hand: P(conversion) = 2/3 · 1/2 + 1/3 = 2/3; without ``a > b`` only
    the journeys starting at ``b`` convert (1/3), so the effect is 1/2, while
    removing ``b`` itself loses every conversion:

    >>> paths = ["a > b", "a > c", "b"]
    >>> sequence_removal_effects(paths, [1, 0, 1], {"a>b": ["a", "b"]})
    {'a>b': 0.5}
    >>> removal_effects(paths, [1, 0, 1])["b"]
    1.0
    """
    order = check_order(order)
    chain, base, index = _removal_chain(paths, conversions, order, null, values, sep)
    use_values = chain.value_rate is not None
    out: dict[str, float] = {}
    for name, members in sequences.items():
        steps = [str(m) for m in members]
        if not 2 <= len(steps) <= order + 1:
            raise InvalidArgumentError(
                f"sequence {name!r} has {len(steps)} touchpoint(s); a chain of order {order} "
                f"removes sequences of 2 to {order + 1} (raise order= for longer ones)"
            )
        missing = sorted(set(steps) - set(index))
        if missing:
            raise ObservedDataError(
                f"sequence {name!r}: touchpoint(s) {missing!r} are on no path "
                f"(the paths meet {sorted(index)[:20]!r})"
            )
        cut = without_sequence(chain, [index[t] for t in steps])
        out[name] = 1.0 - solve_conversion(cut, values=use_values) / base
    return out


def removal_effects(
    paths: Paths,
    conversions: Any,
    *,
    order: int = 1,
    null: Any = None,
    values: Any = None,
    sep: str = ">",
) -> dict[str, float]:
    """Return each touchpoint's raw removal effect, computed exactly.

    The raw removal effect of touchpoint *c* is ``1 − P(conversion without
    c) / P(conversion)`` in the absorbing Markov chain of the journeys. The
    parameters are those of :func:`markov_model`.

    Examples
    --------
    Four paths; by hand (see ``tests/test_discover.py``) P = 1/2 and without
    c1 it is 1/3, so c1's removal effect is exactly 1/3:

    >>> effects = removal_effects(
    ...     ["c1 > c2 > c3", "c1", "c2 > c3", "c3"], [1, 0, 0, 1])
    >>> {k: round(v, 12) for k, v in effects.items()}
    {'c1': 0.333333333333, 'c2': 0.666666666667, 'c3': 1.0}
    """
    return markov_model(
        paths, conversions, order=order, null=null, values=values, sep=sep
    ).removal_effects
