"""Finding moments of truth from data: attribution, removal effects, key drivers.

The MOT training material asks that moments of truth be found from customer feedback,
satisfaction surveys and behaviour data, not only by workshop guesswork. This
module offers the methods the field already trusts:

* **Markov-chain removal effects** (:func:`markov_model`,
  :func:`removal_effects`): journeys are paths through touchpoints that end
  in conversion or not; the transition matrix over touchpoints, with a start,
  a conversion and a null state, gives the conversion probability, and a
  touchpoint's raw removal effect is ``1 − P(conversion without it) /
  P(conversion)``. This is the method of ChannelAttribution's
  ``markov_model``, which *simulates* the chain; here the absorbing chain is
  *solved* (sparse linear algebra), so the result is exact and faster.
* **Attribution** (:func:`attribute`): conversions (and values) shared out in
  proportion to the removal effects, or by the heuristics first touch, last
  touch and linear (:data:`ATTRIBUTION_METHODS`).
* **Key-driver analysis** (:func:`key_drivers`): how strongly each step's
  rating moves an overall satisfaction outcome — Pearson correlation and a
  standardised regression coefficient, with a seeded bootstrap interval.
* **Suggested moments** (:func:`suggest_moments`, :func:`apply_moments`):
  the blueprint's customer-facing steps ranked by these signals, with
  suggested :class:`~servicebp.MomentOfTruth` tags and the evidence.
"""

from __future__ import annotations

import itertools
import numbers
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Final

import attrs
import numpy as np
import numpy.typing as npt

from servicebp.discovery._drivers import DRIVER_METHODS as _DRIVER_METHODS
from servicebp.discovery._drivers import KeyDriver, key_drivers
from servicebp.discovery._markov import (
    Chain,
    EncodedPaths,
    build_chain,
    encode_paths,
    solve_conversion,
    without_sequence,
)
from servicebp.discovery._shapley import _closed_form as shapley_closed_form
from servicebp.discovery._tables import in_journey_order
from servicebp.errors import InvalidArgumentError, ObservedDataError, UnknownStrategyError
from servicebp.model import Blueprint, ContactMode, Lane, MomentKind, MomentOfTruth, Step
from servicebp.observed._cells import parse_ratings, times_in_minutes
from servicebp.observed._journey_tables import pick_order
from servicebp.observed._tables import (
    CsvTable,
    Where,
    column_names,
    load_table,
    read_columns,
)

__all__ = [
    "ATTRIBUTION_METHODS",
    "DRIVER_METHODS",
    "Attribution",
    "KeyDriver",
    "MarkovModel",
    "MomentSuggestion",
    "apply_moments",
    "attribute",
    "key_drivers",
    "markov_model",
    "removal_effects",
    "sequence_removal_effects",
    "set_removal_effects",
    "suggest_moments",
]

FloatArray = npt.NDArray[np.float64]

#: Key-driver methods by name, with what each ranks the steps by: the single
#: source for :func:`key_drivers`, :func:`suggest_moments` and the CLI.
DRIVER_METHODS: Final[Mapping[str, str]] = _DRIVER_METHODS

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


def _check_order(order: object) -> int:
    if isinstance(order, bool) or not isinstance(order, int) or order < 1:
        raise InvalidArgumentError(f"order must be a whole number of at least 1, got {order!r}")
    return order


def _model(encoded: EncodedPaths, order: int) -> MarkovModel:
    chain = build_chain(encoded, order=order)
    base = solve_conversion(chain)
    if base <= 0:
        raise ObservedDataError(
            "no journey converted, so removal effects are undefined (every conversion is 0)"
        )
    effects = {
        name: 1.0 - solve_conversion(chain, chain.contains[i]) / base
        for i, name in enumerate(encoded.touchpoints)
    }
    expected = None
    value_effects = None
    if chain.value_rate is not None:
        expected = solve_conversion(chain, values=True)
        if expected > 0:
            value_effects = {
                name: 1.0 - solve_conversion(chain, chain.contains[i], values=True) / expected
                for i, name in enumerate(encoded.touchpoints)
            }
        else:
            value_effects = dict.fromkeys(encoded.touchpoints, 0.0)
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

    Notes
    -----
    Identical paths are aggregated first. Removing a touchpoint sends every
    state containing it to the null state. Chains up to 2 000 states are
    solved by sparse LU; larger (higher-order) ones by BiCGSTAB or GMRES,
    accepted only with a residual below 1e-12.

    Examples
    --------
    >>> m = markov_model(["a > b", "a", "b"], [1, 0, 1])
    >>> round(m.conversion_probability, 6)
    0.666667
    >>> {k: round(v, 6) for k, v in m.removal_effects.items()}
    {'a': 0.5, 'b': 1.0}
    """
    order = _check_order(order)
    encoded = encode_paths(paths, conversions, null=null, values=values, sep=sep)
    return _model(encoded, order)


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
    order = _check_order(order)
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
        gone = np.zeros_like(chain.contains[0])
        for member in members:
            gone = gone | chain.contains[index[str(member)]]
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
    order = _check_order(order)
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
    model = _model(encoded, order)
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
    order = _check_order(order)
    encoded = encode_paths(paths, conversions, null=null, values=values, sep=sep)
    return ATTRIBUTION_METHODS[method](encoded, order)


# --- suggested moments ---------------------------------------------------------


@attrs.frozen(kw_only=True)
class MomentSuggestion:
    """One customer-facing step, ranked by the data, with the evidence.

    Attributes
    ----------
    step : str
        The step id.
    rank : int
        1 for the strongest signal.
    suggested : bool
        Whether the data suggest tagging the step as a *new* moment of truth
        (one of at most ``top``); never for a step tagged already.
    supported : bool
        Whether the evidence clears the bar, tagged or not (for a step tagged
        already, whether the data confirm its tag): with ratings, the
        key-driver coefficient's bootstrap interval (Bonferroni-adjusted over
        the rated steps) lies on the good side of 0; without them, a removal
        effect of at least ``min_removal_effect`` that is not tied with the
        steps every journey passes.
    signal : str
        What ranks the step: ``"key_driver"`` (its ratings), else
        ``"removal_effect"`` (a 0/1 outcome) or ``"none"``.
    score : float or None
        The value of that signal: the driver's importance, signed toward the
        good outcome, times the share of journeys that go through the step
        (its reach); or the removal effect. None without evidence (a removal
        effect tied with every all-pass step is no evidence).
    journeys : int
        Observed journeys that reached the step.
    removal_effect : float or None
        The step's exact removal effect (0/1 outcome).
    driver : KeyDriver or None
        The step's key-driver figures (when ratings were observed).
    moment : MomentOfTruth
        The tag to apply (the step's own tag when it has one already).
    already_tagged : bool
        Whether the blueprint tags the step as a moment already.
    reasons : tuple of str
        The evidence, in words.
    """

    step: str
    rank: int
    suggested: bool
    supported: bool
    signal: str
    score: float | None
    journeys: int
    removal_effect: float | None
    driver: KeyDriver | None
    moment: MomentOfTruth
    already_tagged: bool
    reasons: tuple[str, ...]


#: Channel words that tell the contact mode of a suggested moment.
_CHANNEL_MODES: Final = {
    ContactMode.HUMAN_MACHINE: (
        "app",
        "web",
        "website",
        "atm",
        "kiosk",
        "ivr",
        "machine",
        "online",
    ),
    ContactMode.INTERPERSONAL_INDIRECT: ("phone", "call", "chat", "email", "e-mail", "mail"),
    ContactMode.INTERPERSONAL_DIRECT: ("branch", "desk", "counter", "store", "face-to-face"),
}


def _contact_mode(channel: str | None) -> ContactMode | None:
    if channel is None:
        return None
    words = channel.lower()
    for mode, names in _CHANNEL_MODES.items():
        if any(name in words for name in names):
            return mode
    return None


_TRUE: Final = {"1", "1.0", "true", "yes", "y", "t"}
_FALSE: Final = {"0", "0.0", "false", "no", "n", "f"}


def _outcomes(values: npt.NDArray[Any], column: str, where: Where) -> FloatArray:
    if values.dtype.kind in "biuf":
        return values.astype(np.float64)
    out = np.empty(len(values), dtype=np.float64)
    for i, value in enumerate(values):
        text = str(value).strip().lower()
        if text in _TRUE:
            out[i] = 1.0
        elif text in _FALSE:
            out[i] = 0.0
        else:
            try:
                out[i] = float(text)
            except ValueError:
                raise ObservedDataError(
                    [where.problem(i, column, f"{value!r} is not a number or yes/no")]
                ) from None
    return out


def _customer_facing(bp: Blueprint) -> list[Step]:
    return [*bp.customer_spine(), *bp.steps(lane=Lane.FRONTSTAGE)]


def suggest_moments(
    bp: Blueprint,
    table: Any,
    *,
    outcome: str,
    journey: str = "journey",
    step: str = "step",
    order: str | None = None,
    rating: str | None = None,
    top: int = 3,
    min_removal_effect: float = 0.1,
    kind: MomentKind | str = MomentKind.USAGE,
    higher_is_better: bool = True,
    method: str = "regression",
    resamples: int = 1000,
    confidence: float = 0.95,
    seed: int = 0,
) -> tuple[MomentSuggestion, ...]:
    """Rank the blueprint's customer-facing steps by what the data say decides the outcome.

    Parameters
    ----------
    bp : Blueprint
        The designed service.
    table : str, os.PathLike, DataFrame or mapping
        An observed-journey table, one row per event: journey id, step id,
        order or timestamp, optionally a rating, and the outcome (the same on
        every row of a journey). Read as :func:`servicebp.score_observed`
        reads it; a blank (or NaN) rating means the step was not rated.
    outcome : str
        The outcome column: 0/1 (yes/no, true/false) for conversion or churn,
        any other numbers for satisfaction.
    journey, step : str
        The journey-id and step-id columns.
    order : str, optional
        The column that orders events in a journey (numbers, datetimes or
        ISO 8601 times); by default ``order``, else ``timestamp``. A table
        with neither is an error, as for :func:`servicebp.score_observed`:
        row order is never taken for time order.
    rating : str, optional
        The rating column; by default ``rating`` if present.
    top : int
        At most this many untagged steps are suggested (a whole number ≥ 0);
        steps tagged already do not count toward it.
    min_removal_effect : float
        A step without ratings is suggested on a 0/1 outcome only if removing
        it loses at least this share of the outcome.
    kind : MomentKind or str
        The kind given to suggested moments; entry steps of the customer
        journey are suggested as ``first-contact``.
    higher_is_better : bool
        Whether 1 (or a higher outcome) is the good result: False for churn
        or complaints, so a step whose better ratings go with less churn is a
        driver and a removal effect is said to raise the outcome.
    method : str
        The key-driver method (see :func:`key_drivers`).
    resamples, seed : int
        The key-driver bootstrap (see :func:`key_drivers`); it runs only when
        there are ratings, whose support it decides (with ``resamples=0`` no
        driver is supported).
    confidence : float
        The family-wise confidence of the drivers' intervals: each of the *m*
        rated steps is tested at ``1 − (1 − confidence) / m`` (Bonferroni).

    Returns
    -------
    tuple of MomentSuggestion
        Every customer-facing step (customer and frontstage lanes), best
        first. With ratings, steps are ranked by key-driver importance
        toward the good outcome times reach, for a 0/1 outcome as for any
        other; steps without ratings follow, by removal effect (0/1 outcome),
        then steps without evidence. A removal effect tied with every step all
        journeys pass (each is ≈ 1 on a linear journey) is no evidence. Each
        step's key-driver figures rest on the journeys that went through it
        (``driver.regression_n``), so steps on different branches of the
        blueprint are all ranked.

    Raises
    ------
    InvalidArgumentError
        *top* is not a whole number ≥ 0.
    ObservedDataError
        A missing column, a step the blueprint does not have (all are
        listed), an outcome that is not a number or differs within a
        journey, or no evidence at all (a numeric outcome without ratings).

    Examples
    --------
    >>> from servicebp import Blueprint, Step
    >>> bp = Blueprint("Shop", stages=["s"])
    >>> for sid in ("browse", "ask", "pay"):
    ...     _ = bp.add_step(Step(id=sid, label=sid, lane="customer", stage="s"))
    >>> events = {"journey": [1, 1, 1, 2, 2, 3, 3], "step": ["browse", "ask", "pay",
    ...           "browse", "pay", "browse", "ask"], "order": [1, 2, 3, 1, 2, 1, 2],
    ...           "bought": [1, 1, 1, 0, 0, 1, 1]}
    >>> found = suggest_moments(bp, events, outcome="bought", top=1)
    >>> [(s.step, s.suggested, s.score) for s in found]
    [('ask', True, 0.75), ('pay', False, 0.5), ('browse', False, None)]

    Every journey passes ``browse``, so its removal effect (1, as for any
    such step) is no evidence:

    >>> found[-1].reasons[0][:58]
    'removal effect 1.000, the same as every step all journeys '

    """
    if isinstance(top, bool) or not isinstance(top, numbers.Integral) or top < 0:
        raise InvalidArgumentError(f"top must be a whole number ≥ 0, got {top!r}")
    if not isinstance(higher_is_better, bool):
        raise InvalidArgumentError(
            f"higher_is_better must be True or False, got {higher_is_better!r}"
        )
    if not 0 < confidence < 1:
        raise InvalidArgumentError(f"confidence must lie in (0, 1), got {confidence!r}")
    if method not in DRIVER_METHODS:
        raise UnknownStrategyError(
            f"unknown key-driver method: {method!r} (must be one of {sorted(DRIVER_METHODS)})"
        )
    table = load_table(table)
    names = column_names(table, what="observed journeys")
    order = pick_order(order, names)
    if rating is None and "rating" in names:
        rating = "rating"
    wanted = list(dict.fromkeys([journey, step, outcome, order, *([rating] if rating else [])]))
    cols, where = read_columns(table, wanted, what="observed journeys")
    step_ids = np.array([str(s) for s in cols[step]], dtype=object)
    unknown = sorted(set(step_ids.tolist()) - {s.id for s in bp.steps()})
    if unknown:
        raise ObservedDataError(
            f"column {step!r}: {len(unknown)} step id(s) the blueprint {bp.name!r} does not "
            f"have: {unknown[:10]!r} (its steps are {sorted(s.id for s in bp.steps())[:20]!r})"
        )
    time = times_in_minutes(cols[order], column=order, where=where)
    journey_names, jcode, sort = in_journey_order(cols[journey], time, column=journey, where=where)
    step_ids = step_ids[sort]
    result = _outcomes(cols[outcome], outcome, where)[sort]
    if not np.isfinite(result).all():
        raise ObservedDataError(f"column {outcome!r}: every outcome must be a finite number")
    starts = np.flatnonzero(np.r_[True, jcode[1:] != jcode[:-1]])
    per_journey = result[starts]
    differs = np.flatnonzero(result != np.repeat(per_journey, np.diff(np.r_[starts, len(jcode)])))
    if differs.size:
        bad = journey_names[int(jcode[differs[0]])]
        raise ObservedDataError(
            f"column {outcome!r}: journey {bad!r} has different outcomes on different rows; "
            "the outcome belongs to the whole journey"
        )
    binary = bool(np.isin(per_journey, (0.0, 1.0)).all())
    facing = _customer_facing(bp)
    visits = {s.id: 0 for s in facing}
    for sid in set(zip(jcode.tolist(), step_ids.tolist(), strict=True)):
        if sid[1] in visits:
            visits[sid[1]] += 1

    journeys = len(starts)
    reach = {sid: visits[sid] / journeys for sid in visits}
    effects: dict[str, float] = {}
    if binary:
        bounds = np.r_[starts, len(jcode)]
        paths = [tuple(step_ids[a:b]) for a, b in itertools.pairwise(bounds)]
        if per_journey.any():
            effects = markov_model(paths, per_journey).removal_effects
    drivers: dict[str, KeyDriver] = {}
    tested = 0
    if rating is not None:
        raw = parse_ratings(
            cols[rating],
            column=rating,
            where=where,
            text=isinstance(table, CsvTable),
            unrated=True,
        )
        values = raw[sort]
        rated = [s.id for s in facing if s.id in set(step_ids[np.isfinite(values)].tolist())]
        if rated:
            column_of = {sid: k for k, sid in enumerate(rated)}
            sums = np.zeros((journeys, len(rated)))
            counts = np.zeros_like(sums)
            went = np.zeros((journeys, len(rated)), dtype=np.bool_)
            on = np.array([s in column_of for s in step_ids], dtype=np.bool_)
            went[jcode[on], [column_of[s] for s in step_ids[on]]] = True
            keep = on & np.isfinite(values)
            column = np.fromiter((column_of[s] for s in step_ids[keep]), dtype=np.int64)
            np.add.at(sums, (jcode[keep], column), values[keep])
            np.add.at(counts, (jcode[keep], column), 1.0)
            with np.errstate(invalid="ignore", divide="ignore"):
                means = sums / counts
            tested = len(rated)
            found = key_drivers(
                {sid: means[:, k] for sid, k in column_of.items()},
                per_journey,
                visited=went,
                method=method,
                resamples=resamples,
                # Bonferroni: every rated step is tested, the family at *confidence*.
                confidence=1 - (1 - confidence) / tested,
                seed=seed,
            )
            drivers = {d.step: d for d in found}
    if not binary and not drivers:
        raise ObservedDataError(
            f"outcome {outcome!r} is not 0/1, so the steps need ratings to be ranked; "
            f"give a rating column (the table has {names!r})"
        )
    if binary and not effects and not drivers:
        raise ObservedDataError(
            f"outcome {outcome!r} is 0 in every journey and there are no ratings: "
            "nothing tells the steps apart"
        )
    entries = {s.id for s in bp.entry_steps()}
    default_kind = MomentKind(kind)
    direction = 1.0 if higher_is_better else -1.0

    def tied(sid: str) -> bool:
        # Removing a step every journey passes removes every journey: its removal
        # effect is the same (1, up to rounding) for each such step, whatever it does.
        return visits.get(sid) == journeys

    def score_of(sid: str) -> tuple[int, float] | None:
        d = drivers.get(sid)
        if d is not None and d.importance is not None and d.coefficient is not None:
            sign = np.sign(d.coefficient) * direction
            return 0, float(sign * abs(d.importance) * reach[sid])
        if sid in effects and not tied(sid):
            return 1, effects[sid]
        return None

    def order_key(item: Step) -> tuple[int, float]:
        found = score_of(item.id)
        return (2, 0.0) if found is None else (found[0], -found[1])

    ranked = sorted(facing, key=order_key)
    level = 1 - (1 - confidence) / max(tested, 1)
    suggestions: list[MomentSuggestion] = []
    chosen = 0
    for rank, item in enumerate(ranked, start=1):
        scored = score_of(item.id)
        driver = drivers.get(item.id)
        effect = effects.get(item.id)
        reasons: list[str] = []
        if driver is not None and driver.coefficient is not None:
            reasons.append(_driver_reason(driver, outcome, level, tested, reach[item.id]))
        if effect is not None:
            reasons.append(_removal_reason(effect, outcome, higher_is_better, tied(item.id)))
        if visits[item.id] == 0:
            reasons.append("never observed")
        if scored is not None and scored[0] == 0:
            strong = (
                driver is not None
                and driver.ci_low is not None
                and driver.ci_high is not None
                and (driver.ci_low > 0 if direction > 0 else driver.ci_high < 0)
            )
        else:
            strong = scored is not None and scored[1] >= min_removal_effect
        if item.moment is not None:
            reasons.append(
                "tagged as a moment already"
                + ("; the data confirm it" if strong else "; the data do not single it out")
            )
        suggested = strong and item.moment is None and chosen < top
        chosen += suggested
        moment = item.moment or MomentOfTruth(
            kind=MomentKind.FIRST_CONTACT if item.id in entries else default_kind,
            contact_mode=_contact_mode(item.channel),
        )
        suggestions.append(
            MomentSuggestion(
                step=item.id,
                rank=rank,
                suggested=suggested,
                supported=strong,
                signal=(
                    "key_driver"
                    if scored is not None and scored[0] == 0
                    else "removal_effect"
                    if binary
                    else "none"
                ),
                score=None if scored is None else scored[1],
                journeys=visits[item.id],
                removal_effect=effect,
                driver=driver,
                moment=moment,
                already_tagged=item.moment is not None,
                reasons=tuple(reasons),
            )
        )
    return tuple(suggestions)


def _driver_reason(driver: KeyDriver, outcome: str, level: float, tested: int, reach: float) -> str:
    beta = driver.coefficient
    assert beta is not None
    interval = (
        ""
        if driver.ci_low is None or driver.ci_high is None
        else f", {level:.1%} CI {driver.ci_low:.3f} to {driver.ci_high:.3f}"
        + (f" (Bonferroni over {tested} rated steps)" if tested > 1 else "")
    )
    went = (
        f" of {driver.regression_n} that went through it" if driver.regression_n != driver.n else ""
    )
    controls = f", controlling for {', '.join(driver.controls)}" if driver.controls else ""
    importance = (
        ""
        if driver.method == "regression" or driver.importance is None
        else f"; {DRIVER_METHODS[driver.method]} {driver.importance:.3f}"
    )
    return (
        f"key driver: a rating one standard deviation higher goes with {outcome!r} "
        f"{abs(beta):.2f} standard deviations {'higher' if beta > 0 else 'lower'} "
        f"(standardised coefficient {beta:.3f}{interval}, "
        f"n={driver.n} journeys that rated it{went}{controls}"
        + ("" if driver.correlation is None else f", r={driver.correlation:.3f}")
        + f"){importance}; {reach:.0%} of journeys go through it"
    )


def _removal_reason(effect: float, outcome: str, higher_is_better: bool, tied: bool) -> str:
    if tied:
        return (
            f"removal effect {effect:.3f}, the same as every step all journeys pass "
            f"(removing one removes every journey), so it says nothing about {outcome!r}"
        )
    what = "leads to" if higher_is_better else "raises"
    return (
        f"removal effect {effect:.3f}: without this step P({outcome}) falls by {effect:.1%} "
        f"in the Markov model of the journeys, so the step {what} {outcome!r}"
    )


def apply_moments(bp: Blueprint, suggestions: Sequence[MomentSuggestion]) -> Blueprint:
    """Return a copy of *bp* with the suggested moments tagged (*bp* is unchanged).

    Only suggestions with ``suggested`` set are applied; steps tagged
    already keep their own tag.

    Examples
    --------
    >>> from servicebp import Blueprint, Step
    >>> bp = Blueprint("Shop", stages=["s"])
    >>> for sid in ("browse", "ask"):
    ...     _ = bp.add_step(Step(id=sid, label=sid, lane="customer", stage="s"))
    >>> found = suggest_moments(bp, {"journey": [1, 1, 2], "step": ["browse", "ask", "browse"],
    ...                              "order": [1, 2, 1], "bought": [1, 1, 0]}, outcome="bought")
    >>> tagged = apply_moments(bp, found)
    >>> [s.id for s in tagged.moments()], bp.moments()
    (['ask'], ())
    """
    new = bp.copy()
    for suggestion in suggestions:
        if suggestion.suggested and not suggestion.already_tagged:
            new.replace_step(new[suggestion.step].evolve(moment=suggestion.moment))
    return new
