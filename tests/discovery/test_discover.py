"""Tests for servicebp.discover: exact removal effects, attribution, key drivers, suggestions."""

from __future__ import annotations

import importlib.util
import itertools
import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import servicebp.discovery._markov as markov
from servicebp import (
    Blueprint,
    InvalidArgumentError,
    MomentOfTruth,
    ObservedDataError,
    Step,
    UnknownStrategyError,
    apply_moments,
    attribute,
    key_drivers,
    markov_model,
    removal_effects,
    score_observed,
    suggest_moments,
)
from tests._paths import DATA

REFERENCE = json.loads((DATA / "channelattribution_reference.json").read_text(encoding="utf-8"))


def _reference_module() -> Any:
    spec = importlib.util.spec_from_file_location(
        "make_channelattribution_reference", DATA / "make_channelattribution_reference.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# --- hand-solved chains -------------------------------------------------------------

FOUR_PATHS = ["c1 > c2 > c3", "c1", "c2 > c3", "c3"]
FOUR_CONVERSIONS = [1, 0, 0, 1]


def test_four_path_example_is_exactly_one_third() -> None:
    # Transitions (counts → probabilities):
    #   S → c1: 2/4, S → c2: 1/4, S → c3: 1/4
    #   c1 → c2: 1/2, c1 → null: 1/2;  c2 → c3: 1;  c3 → conv: 2/3, c3 → null: 1/3
    # Absorption probabilities h solve h = Q h + r:
    #   h3 = 2/3;  h2 = h3 = 2/3;  h1 = 1/2 h2 = 1/3
    #   hS = 1/2 h1 + 1/4 h2 + 1/4 h3 = 1/6 + 1/6 + 1/6 = 1/2
    # Without c1 (c1 → null): hS = 1/4 · 2/3 + 1/4 · 2/3 = 1/3, so RE(c1) = 1 − (1/3)/(1/2) = 1/3.
    # Without c2: hS = 1/4 · 2/3 = 1/6, RE(c2) = 2/3.  Without c3: hS = 0, RE(c3) = 1.
    model = markov_model(FOUR_PATHS, FOUR_CONVERSIONS)
    assert model.conversion_probability == pytest.approx(0.5, abs=1e-15)
    assert model.removal_effects == pytest.approx({"c1": 1 / 3, "c2": 2 / 3, "c3": 1.0}, abs=1e-14)
    assert (model.journeys, model.distinct_paths, model.states) == (4.0, 4, 4)


def test_four_path_example_channelattribution_simulates_an_approximation() -> None:
    # ChannelAttribution 2.2.5, default settings (stored with how it was produced):
    # its simulated removal effect of c1 is close to, but not, the exact 1/3.
    simulated = REFERENCE["four_path_example"]["removal_effects"]
    exact = removal_effects(FOUR_PATHS, FOUR_CONVERSIONS)
    assert simulated["c1"] != pytest.approx(1 / 3, abs=1e-4)
    assert simulated["c1"] == pytest.approx(exact["c1"], rel=0.1)
    assert sorted(simulated, key=simulated.get) == sorted(exact, key=exact.__getitem__)


def test_loop_chain_by_hand() -> None:
    # Paths with a loop: "a > b > a" converts, "b" does not, "a" converts.
    # Counts: S→a 2, S→b 1; a→b 1, a→conv 2 (paths 1 and 3 end in a); b→a 1, b→null 1.
    #   ha = 1/3 hb + 2/3;  hb = 1/2 ha;  hS = 2/3 ha + 1/3 hb
    #   ha = 1/6 ha + 2/3  ⇒  ha = 4/5, hb = 2/5, hS = 8/15 + 2/15 = 2/3
    # Without b: ha = 2/3 (a→b goes to null), hS = 2/3 · 2/3 = 4/9 ⇒ RE(b) = 1 − (4/9)/(2/3) = 1/3
    # Without a: hb = 0 ⇒ hS = 0 ⇒ RE(a) = 1
    model = markov_model(["a > b > a", "b", "a"], [1, 0, 1])
    assert model.conversion_probability == pytest.approx(2 / 3, abs=1e-14)
    assert model.removal_effects == pytest.approx({"a": 1.0, "b": 1 / 3}, abs=1e-14)


def test_second_order_chain_by_hand() -> None:
    # Order 2 on the four paths: states are (c1), (c1,c2), (c2,c3), (c2), (c3).
    #   S → (c1) 1/2, S → (c2) 1/4, S → (c3) 1/4
    #   (c1) → (c1,c2) 1/2, null 1/2;  (c1,c2) → (c2,c3) 1;  (c2) → (c2,c3) 1
    #   (c2,c3) → conv 1/2 (path 1), null 1/2 (path 3);  (c3) → conv 1
    #   hS = 1/2 · 1/2 · 1/2 + 1/4 · 1/2 + 1/4 · 1 = 1/2
    # Without c1: hS = 1/4 · 1/2 + 1/4 = 3/8 ⇒ RE(c1) = 1/4
    # Without c2: hS = 1/4 ⇒ RE(c2) = 1/2;  without c3: RE(c3) = 1
    model = markov_model(FOUR_PATHS, FOUR_CONVERSIONS, order=2)
    assert model.states == 6
    assert model.removal_effects == pytest.approx({"c1": 0.25, "c2": 0.5, "c3": 1.0}, abs=1e-14)


def test_aggregated_input_with_null_and_values_by_hand() -> None:
    # Aggregated: "a > b": 2 conversions worth 30 in all, 2 nulls; "b": 1 conversion worth 10.
    # S→a 4/5, S→b 1/5; a→b 1; b→conv 3/5, b→null 2/5.  P = 3/5.
    # Value collected when absorbing from b: (30 + 10) / 5 journeys leaving b = 8 per visit.
    # V = 8 (every journey reaches b). Without a: P = 1/5 · 3/5, V = 1/5 · 8 ⇒ both effects 4/5.
    model = markov_model(["a > b", "b"], [2, 1], null=[2, 0], values=[30, 10])
    assert model.conversion_probability == pytest.approx(0.6)
    assert model.expected_value == pytest.approx(8.0)
    assert model.removal_effects == pytest.approx({"a": 0.8, "b": 1.0})
    assert model.value_removal_effects == pytest.approx({"a": 0.8, "b": 1.0})
    shared = attribute(["a > b", "b"], [2, 1], null=[2, 0], values=[30, 10])
    # Shares in proportion 0.8 : 1.0 of 3 conversions and of 40.
    assert shared.conversions == pytest.approx({"a": 3 * 0.8 / 1.8, "b": 3 / 1.8})
    assert shared.values == pytest.approx({"a": 40 * 0.8 / 1.8, "b": 40 / 1.8})


def test_string_and_sequence_paths_agree_and_aggregate() -> None:
    as_text = removal_effects(["a>b", "a > b", " b "], [1, 0, 1])
    as_lists = removal_effects([["a", "b"], ("a", "b"), ["b"]], np.array([True, False, True]))
    assert as_text == pytest.approx(as_lists)
    assert markov_model([["a", "b"], ("a", "b"), ["b"]], [1, 0, 1]).distinct_paths == 2


def _encode_in_python(paths: list[str], monkeypatch: pytest.MonkeyPatch) -> markov.EncodedPaths:
    with monkeypatch.context() as patch:
        patch.setattr(markov, "_split_bytes", lambda keys, sep: None)
        return markov.encode_paths(paths, [1] * len(paths), null=[0] * len(paths))


def _same_encoding(fast: markov.EncodedPaths, slow: markov.EncodedPaths) -> None:
    assert fast.touchpoints == slow.touchpoints
    assert fast.codes.tolist() == slow.codes.tolist()
    assert fast.offsets.tolist() == slow.offsets.tolist()


# Names that share their first eight bytes, differ only by a NUL or by length,
# or run past the splitter's 64-byte limit, and the seeds' Chinese.
_NAMES = st.sampled_from(
    ["a", "a\x00", "b", "abcdefgh", "abcdefghX", "abcdefghY", "x" * 64, "x" * 65, "值机", "咨询 台"]
) | st.text(st.characters(blacklist_characters=">", blacklist_categories=["Cs"]), max_size=12)


@settings(max_examples=300)
@given(st.lists(st.lists(_NAMES, min_size=1, max_size=6).map(">".join), min_size=1, max_size=30))
def test_numpy_split_of_paths_equals_python_split(paths: list[str]) -> None:
    with pytest.MonkeyPatch.context() as monkeypatch:
        try:
            slow = _encode_in_python(paths, monkeypatch)
        except ObservedDataError:  # an empty name: the splitter must step aside too
            with pytest.raises(ObservedDataError):
                markov.encode_paths(paths, [1] * len(paths), null=[0] * len(paths))
            return
    _same_encoding(markov.encode_paths(paths, [1] * len(paths), null=[0] * len(paths)), slow)


def test_numpy_split_by_example(monkeypatch: pytest.MonkeyPatch) -> None:
    split = markov._split_bytes(["a>ab>abcdefghX", "abcdefghY>值机>a"], ">")
    assert split is not None
    names, codes, lengths = split
    assert names == ("a", "ab", "abcdefghX", "abcdefghY", "值机")
    assert codes.tolist() == [0, 1, 2, 3, 4, 0]
    assert lengths.tolist() == [3, 3]
    # A name first seen after the leading sample of names is still numbered in order.
    late = ["a>b"] * 3000 + ["b>late>a"]
    fast = markov.encode_paths(late, [1] * len(late), null=[0] * len(late))
    assert fast.touchpoints == ("a", "b", "late")
    _same_encoding(fast, _encode_in_python(late, monkeypatch))


@pytest.mark.parametrize(
    ("paths", "sep"),
    [
        (["a > b"], ">"),  # white space to strip
        (["a\u00a0>b"], ">"),  # Unicode white space, stripped as str.strip() does
        (["a>b"], "→"),  # a separator outside ASCII
        (["a->b"], "->"),  # a separator of two characters
        (["a>" + "x" * 65], ">"),  # a name past the 64-byte limit
        (["a>\ud800"], ">"),  # a lone surrogate has no UTF-8
        (["a>>b"], ">"),  # an empty name: the Python path names the bad row
        (["a>a\x00"], ">"),  # names that differ only by a trailing NUL share a key
    ],
)
def test_numpy_split_steps_aside(paths: list[str], sep: str) -> None:
    assert markov._split_bytes(paths, sep) is None


def test_names_are_stripped_of_any_unicode_white_space() -> None:
    model = markov_model(["\u3000a\u00a0> b", "b"], [1, 0])
    assert model.touchpoints == ("a", "b")


def test_large_higher_order_chain_is_solved_iteratively_to_the_direct_answer(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    rng = np.random.default_rng(3)
    paths = [tuple(rng.choice(list("abcdef"), rng.integers(1, 7))) for _ in range(3000)]
    conv = (rng.random(3000) < 0.3).astype(int)
    iterative = markov_model(paths, conv, order=3)
    assert iterative.states > 200
    monkeypatch.setattr(markov, "DIRECT_LIMIT", 10**9)
    direct = markov_model(paths, conv, order=3)
    monkeypatch.setattr(markov, "DIRECT_LIMIT", 100)
    forced = markov_model(paths, conv, order=3)
    assert forced.removal_effects == pytest.approx(direct.removal_effects, abs=1e-10)
    assert iterative.removal_effects == pytest.approx(direct.removal_effects, abs=1e-10)


# --- the exact result against a Monte-Carlo simulation of the same chain --------------


def _simulate(
    paths: list[tuple[str, ...]], conv: list[int], removed: str | None, walks: int, seed: int
) -> float:
    """Estimate P(conversion) by walking the first-order chain (an independent build)."""
    counts: dict[str, dict[str, int]] = {}

    def add(a: str, b: str) -> None:
        counts.setdefault(a, {}).setdefault(b, 0)
        counts[a][b] += 1

    for path, c in zip(paths, conv, strict=True):
        states = ["(start)", *path, "(conversion)" if c else "(null)"]
        for a, b in itertools.pairwise(states):
            add(a, b)
    table = {
        a: (list(out), np.array(list(out.values()), dtype=float) / sum(out.values()))
        for a, out in counts.items()
    }
    rng = np.random.default_rng(seed)
    hits = 0
    for _ in range(walks):
        state = "(start)"
        while state not in ("(conversion)", "(null)"):
            if state == removed:
                state = "(null)"
                break
            targets, probabilities = table[state]
            state = targets[rng.choice(len(targets), p=probabilities)]
        hits += state == "(conversion)"
    return hits / walks


@settings(max_examples=10, derandomize=True)
@given(
    st.lists(
        st.tuples(st.lists(st.sampled_from("abc"), min_size=1, max_size=4), st.booleans()),
        min_size=2,
        max_size=8,
    ).filter(lambda rows: any(c for _, c in rows))
)
def test_exact_matches_seeded_monte_carlo_within_standard_error(
    rows: list[tuple[list[str], bool]],
) -> None:
    paths = [tuple(p) for p, _ in rows]
    conv = [int(c) for _, c in rows]
    model = markov_model(paths, conv)
    walks = 2000
    for removed in (None, *model.touchpoints):
        exact = model.conversion_probability
        if removed is not None:
            exact *= 1 - model.removal_effects[removed]
        estimate = _simulate(paths, conv, removed, walks, seed=7)
        standard_error = math.sqrt(max(exact * (1 - exact), 1e-12) / walks)
        assert abs(estimate - exact) <= 4.5 * standard_error + 1e-12


# --- heuristics -----------------------------------------------------------------------


def test_heuristics_by_hand() -> None:
    paths = ["a > b > c", "b > b", "c"]
    conv = [3, 1, 0]
    nulls = [0, 0, 2]
    values = [30, 5, 0]
    first = attribute(paths, conv, null=nulls, values=values, method="first_touch")
    assert first.conversions == {"a": 3.0, "b": 1.0, "c": 0.0}
    assert first.values == {"a": 30.0, "b": 5.0, "c": 0.0}
    last = attribute(paths, conv, null=nulls, values=values, method="last_touch")
    assert last.conversions == {"a": 0.0, "b": 1.0, "c": 3.0}
    linear = attribute(paths, conv, null=nulls, values=values, method="linear")
    # "a > b > c": 1 conversion each; "b > b": 1/2 + 1/2 to b.
    assert linear.conversions == pytest.approx({"a": 1.0, "b": 2.0, "c": 1.0})
    assert linear.values == pytest.approx({"a": 10.0, "b": 15.0, "c": 10.0})


def test_markov_attribution_shares_every_conversion() -> None:
    shared = attribute(FOUR_PATHS, FOUR_CONVERSIONS)
    # Removal effects 1/3 : 2/3 : 1 of 2 conversions.
    assert shared.conversions == pytest.approx({"c1": 1 / 3, "c2": 2 / 3, "c3": 1.0})
    assert shared.values is None
    assert shared.method == "markov"


# --- bad input --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("paths", "conversions", "kwargs", "message"),
    [
        ([], [], {}, "no paths"),
        (["a", "b"], [2, 0], {}, "must be 0 or 1"),
        (["a", "b"], [0, 0], {}, "no journey converted"),
        (["a", "a >  > b"], [1, 0], {}, r"paths\[1\]"),
        (["a", "b"], [1, float("nan")], {}, r"conversions\[1\]"),
        (["a", "b"], [1, 0], {"null": [1, -1]}, r"null\[1\]"),
        (["a", "b"], [1], {}, "one number per path"),
    ],
)
def test_bad_input_is_named(
    paths: list[str], conversions: list[float], kwargs: dict[str, Any], message: str
) -> None:
    with pytest.raises(ObservedDataError, match=message):
        removal_effects(paths, conversions, **kwargs)


def test_bad_method_and_order() -> None:
    with pytest.raises(UnknownStrategyError, match="first_touch"):
        attribute(["a"], [1], method="median")
    with pytest.raises(InvalidArgumentError, match="order"):
        removal_effects(["a"], [1], order=0)


# --- the peer: ChannelAttribution ----------------------------------------------------------


@pytest.mark.oracle
def test_stored_channelattribution_outputs_agree() -> None:
    reference = _reference_module()
    assert REFERENCE["seed"] == reference.SEED
    paths, converted = reference.synthetic_journeys()
    ours = removal_effects(paths, converted)
    theirs = REFERENCE["removal_effects"]
    tolerance = REFERENCE["settings"]["conv_par"]
    assert set(ours) == set(theirs)
    for name, effect in ours.items():
        assert theirs[name] == pytest.approx(effect, rel=tolerance)
    assert sorted(ours, key=ours.__getitem__) == sorted(theirs, key=theirs.__getitem__)


@pytest.mark.oracle
def test_live_channelattribution_agrees() -> None:
    if importlib.util.find_spec("ChannelAttribution") is None:
        pytest.skip(
            "ChannelAttribution is not installed (pip install 'servicebp[peer]'); "
            "its stored outputs are compared by test_stored_channelattribution_outputs_agree"
        )
    if importlib.util.find_spec("matplotlib") is None:
        pytest.skip("ChannelAttribution needs matplotlib, which is not installed")
    reference = _reference_module()
    paths, converted = reference.synthetic_journeys()
    frame = reference.aggregated(paths, converted)
    theirs = reference.run_channelattribution(frame)
    ours = removal_effects(list(frame["path"]), frame["conv"], null=frame["null"])
    tolerance = reference.CA_SETTINGS["conv_par"]
    for name, effect in ours.items():
        assert theirs[name] == pytest.approx(effect, rel=tolerance)
    assert sorted(ours, key=ours.__getitem__) == sorted(theirs, key=theirs.__getitem__)


# --- key drivers ---------------------------------------------------------------------------


def test_key_drivers_find_the_true_driver_and_cover_its_coefficient() -> None:
    rng = np.random.default_rng(11)
    n = 2000
    true_raw = {"greeting": 0.2, "wait": 0.5, "explain": 1.0, "goodbye": 0.0}
    ratings = {name: rng.normal(size=n) for name in true_raw}
    noise = 1.0
    overall = sum(b * ratings[k] for k, b in true_raw.items()) + rng.normal(scale=noise, size=n)
    # With independent standard-normal ratings, the standardised coefficient is
    # b / sd(overall), sd(overall) = sqrt(Σ b² + σ²).
    spread = math.sqrt(sum(b * b for b in true_raw.values()) + noise**2)
    drivers = key_drivers(ratings, overall, resamples=400, seed=5)
    assert [d.step for d in drivers][:3] == ["explain", "wait", "greeting"]
    for d in drivers:
        truth = true_raw[d.step] / spread
        assert d.ci_low is not None
        assert d.ci_high is not None
        assert d.ci_low <= truth <= d.ci_high
        assert d.n == n
        assert d.regression_n == n
    top = drivers[0]
    assert top.correlation == pytest.approx(1.0 / spread, abs=0.05)
    again = key_drivers(ratings, overall, resamples=400, seed=5)
    assert again == drivers


def test_key_drivers_on_branches_find_each_branch_driver_and_cover_it() -> None:
    # arrive → fast | slow → leave: no journey rates every step. Each step is
    # fitted over the journeys that rated it, controlling for the steps rated
    # in all of them:
    #   y = 0.3·arrive + 1.0·fast·[fast] + 0.6·slow·[slow] + 0.2·leave + ε, all ~ N(0, 1)
    # arrive, leave (all journeys; fast/slow terms are independent of them):
    #   var(y) = 0.09 + 0.04 + ½·1 + ½·0.36 + 1 = 1.81, β = b / √1.81
    # fast (fast journeys): var(y) = 0.09 + 1 + 0.04 + 1 = 2.13, β = 1 / √2.13
    # slow (slow journeys): var(y) = 0.09 + 0.36 + 0.04 + 1 = 1.49, β = 0.6 / √1.49
    rng = np.random.default_rng(21)
    n = 4000
    fast = np.arange(n) % 2 == 0
    ratings = {name: rng.normal(size=n) for name in ("arrive", "fast", "slow", "leave")}
    ratings["fast"][~fast] = np.nan
    ratings["slow"][fast] = np.nan
    overall = (
        0.3 * ratings["arrive"]
        + np.where(fast, 1.0 * np.nan_to_num(ratings["fast"]), 0.6 * np.nan_to_num(ratings["slow"]))
        + 0.2 * ratings["leave"]
        + rng.normal(size=n)
    )
    truth = {
        "arrive": 0.3 / math.sqrt(1.81),
        "leave": 0.2 / math.sqrt(1.81),
        "fast": 1.0 / math.sqrt(2.13),
        "slow": 0.6 / math.sqrt(1.49),
    }
    # A blank is "did not rate"; which journeys went through a branch is said apart.
    went = {name: np.isfinite(column) for name, column in ratings.items()}
    drivers = key_drivers(ratings, overall, visited=went, resamples=400, seed=3)
    assert [d.step for d in drivers] == ["fast", "slow", "arrive", "leave"]
    by_step = {d.step: d for d in drivers}
    for name, beta in truth.items():
        d = by_step[name]
        assert d.ci_low is not None
        assert d.ci_high is not None
        assert d.ci_low <= beta <= d.ci_high, name
    assert {name: (d.n, d.regression_n) for name, d in by_step.items()} == {
        "arrive": (n, n),
        "leave": (n, n),
        "fast": (n // 2, n // 2),
        "slow": (n // 2, n // 2),
    }
    assert by_step["fast"].controls == ("arrive", "leave")
    assert by_step["slow"].controls == ("arrive", "leave")
    assert by_step["arrive"].controls == ("leave",)
    assert key_drivers(ratings, overall, visited=went, resamples=400, seed=3) == drivers
    # Without visited= every journey went through every step: fast and slow are
    # never rated together, and the message says what to do.
    with pytest.raises(
        ObservedDataError, match=r"'fast' and 'slow' are rated together in 0 .*visited="
    ):
        key_drivers(ratings, overall, resamples=0)


def test_key_drivers_without_branches_fit_one_regression_on_all_steps() -> None:
    rng = np.random.default_rng(8)
    ratings = {name: rng.normal(size=300) for name in ("a", "b", "c")}
    overall = ratings["a"] - ratings["b"] + rng.normal(size=300)
    drivers = {d.step: d for d in key_drivers(ratings, overall, resamples=0)}
    # The same as one standardised least-squares fit on every step.
    x = np.column_stack([ratings[k] for k in "abc"])
    z = (x - x.mean(axis=0)) / x.std(axis=0, ddof=1)
    beta, *_ = np.linalg.lstsq(z, (overall - overall.mean()) / overall.std(ddof=1), rcond=None)
    for k, expected in zip("abc", beta, strict=True):
        assert drivers[k].coefficient == pytest.approx(expected, rel=1e-9)
        assert drivers[k].controls == tuple(c for c in "abc" if c != k)
        assert drivers[k].ci_low is None


def _lstsq_beta(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """The standardised coefficients by the textbook route: lstsq on z-scores."""
    sx = x.std(axis=0, ddof=1)
    usable = sx > 0
    beta = np.full(x.shape[1], np.nan)
    z = (x[:, usable] - x[:, usable].mean(axis=0)) / sx[usable]
    solution, *_ = np.linalg.lstsq(z, (y - y.mean()) / y.std(ddof=1), rcond=None)
    beta[usable] = solution
    return beta


@settings(max_examples=40)
@given(
    seed=st.integers(0, 2**32 - 1),
    rows=st.integers(6, 60),
    columns=st.integers(1, 4),
    constant=st.booleans(),
)
def test_batched_bootstrap_equals_lstsq_on_each_resample(
    seed: int, rows: int, columns: int, constant: bool
) -> None:
    from servicebp.discovery._pairwise import fit as _fit
    from servicebp.discovery._resampling import bootstrap as _bootstrap

    rng = np.random.default_rng(seed)
    x = rng.integers(-3, 4, size=(rows, columns)).astype(float)
    if constant:
        x[:, 0] = 2.0
    y = x.sum(axis=1) + rng.normal(size=rows)
    np.testing.assert_allclose(_fit(x, y), _lstsq_beta(x, y), rtol=1e-7, atol=1e-9)
    draws = _bootstrap(x, y, 15, np.random.default_rng(seed))
    # Small samples are drawn in one batch: the same index stream as this.
    picks = np.random.default_rng(seed).integers(0, rows, size=(15, rows))
    for b, pick in enumerate(picks):
        xs, ys = x[pick], y[pick]
        if ys.std() == 0:
            assert np.isnan(draws[b]).all()
            continue
        np.testing.assert_allclose(draws[b], _lstsq_beta(xs, ys), rtol=1e-6, atol=1e-8)


def test_bootstrap_in_chunks_of_journeys_equals_one_product(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from servicebp.discovery import _resampling as resampling

    rng = np.random.default_rng(4)
    x = rng.integers(-3, 4, size=(300, 3)).astype(float)
    y = x @ np.array([1.0, -0.5, 0.2]) + rng.normal(size=300)
    whole = resampling.bootstrap(x, y, 25, np.random.default_rng(9))
    # 60 numbers a batch: 1 resample per batch, outer products 6 journeys at a time.
    monkeypatch.setattr(resampling, "_BATCH", 60)
    chunked = resampling.bootstrap(x, y, 25, np.random.default_rng(9))
    np.testing.assert_allclose(chunked, whole, rtol=1e-10, atol=1e-12)
    # Counts of 4 resamples held at once: groups of resamples, the same resamples.
    monkeypatch.setattr(resampling, "_COUNT_BYTES", 4 * 300)
    grouped = resampling.bootstrap(x, y, 25, np.random.default_rng(9))
    np.testing.assert_allclose(grouped, whole, rtol=1e-10, atol=1e-12)


def test_bootstrap_with_blanks_in_float32_blocks_matches_float64(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from servicebp.discovery import _resampling as resampling

    rng = np.random.default_rng(5)
    x = rng.normal(size=(2_000, 4))
    y = x @ np.array([0.6, 0.3, 0.0, -0.2]) + rng.normal(size=2_000)
    x[rng.random(x.shape) < 0.2] = np.nan  # a fifth of the ratings blank
    monkeypatch.setattr(resampling, "_BATCH", 20_000)  # blocks of journeys, not one product
    exact = resampling.bootstrap(x, y, 40, np.random.default_rng(2))
    # Every block multiplied in float32 and summed in float64: the same resamples, the
    # coefficients to well within the resampling noise (their spread is about 0.02).
    monkeypatch.setattr(resampling, "_FLOAT32_FROM", 1)
    single = resampling.bootstrap(x, y, 40, np.random.default_rng(2))
    assert single.dtype == np.float64
    np.testing.assert_allclose(single, exact, atol=1e-5)
    assert not np.array_equal(single, exact)  # the float32 path did run
    assert exact[:, 0].std() > 0.005


def test_key_drivers_a_step_nobody_rated_has_no_figures() -> None:
    ratings = {"a": [1.0, 2.0, 3.0, 1.0, 2.0], "never": [np.nan] * 5}
    drivers = {d.step: d for d in key_drivers(ratings, [1, 2, 3, 1, 3], resamples=10)}
    assert drivers["never"].n == 0
    assert drivers["never"].coefficient is None
    assert drivers["never"].controls == ()
    assert drivers["a"].controls == ()
    assert drivers["a"].coefficient is not None


def test_key_drivers_missing_ratings_and_constant_step() -> None:
    ratings = {
        "a": [1.0, 2.0, 3.0, np.nan, 2.0, 1.0],
        "b": [2.0, 2.0, 2.0, 2.0, 2.0, 2.0],
    }
    drivers = {d.step: d for d in key_drivers(ratings, [1, 2, 3, 2, 2, 1], resamples=20)}
    assert drivers["a"].n == 5
    # Every journey went through a (one did not rate it): all six are in its fit.
    assert drivers["a"].regression_n == 6
    assert drivers["a"].correlation == pytest.approx(1.0)
    assert drivers["b"].correlation is None
    assert drivers["b"].coefficient is None
    with pytest.raises(ObservedDataError, match="outcome"):
        key_drivers(ratings, [1, 2, 3], resamples=0)


# --- suggested moments ---------------------------------------------------------------------


def _bank() -> Blueprint:
    bp = Blueprint("Bank", stages=["apply", "open"])
    for sid, lane, stage, channel in [
        ("visit", "customer", "apply", "branch"),
        ("form", "customer", "apply", "app"),
        ("call", "customer", "apply", "phone"),
        ("sign", "customer", "open", "branch"),
        ("check", "backstage", "open", None),
    ]:
        bp.add_step(Step(id=sid, label=sid.title(), lane=lane, stage=stage, channel=channel))
    bp.connect("visit", "form")
    bp.connect("form", "call")
    bp.connect("call", "sign")
    return bp


def test_suggest_moments_from_a_binary_outcome() -> None:
    rng = np.random.default_rng(2)
    journeys: dict[str, list[Any]] = {"journey": [], "step": [], "order": [], "opened": []}
    for j in range(400):
        path = ["visit", "form"] + (["call"] if rng.random() < 0.5 else []) + ["sign"]
        opened = int(rng.random() < (0.7 if "call" in path else 0.2))
        for k, sid in enumerate(path):
            journeys["journey"].append(f"j{j}")
            journeys["step"].append(sid)
            journeys["order"].append(k)
            journeys["opened"].append(opened)
    found = suggest_moments(_bank(), journeys, outcome="opened", top=2, min_removal_effect=0.3)
    by_step = {s.step: s for s in found}
    # visit, form and sign are passed by every journey: their removal effects are
    # all 1 by construction, no evidence (they used to rank first and be suggested).
    assert next(s.step for s in found) == "call"
    assert {s.signal for s in found} == {"removal_effect"}
    assert "check" not in by_step
    assert by_step["call"].removal_effect is not None
    assert by_step["call"].removal_effect > 0.3
    assert [s.step for s in found if s.suggested] == ["call"]
    assert all(by_step[s].score is None for s in ("visit", "form", "sign"))
    assert "says nothing about 'opened'" in by_step["sign"].reasons[0]
    assert by_step["call"].reasons[0].endswith("so the step leads to 'opened'")
    assert by_step["visit"].moment.kind.value == "first-contact"
    assert by_step["call"].moment.contact_mode is not None
    assert by_step["call"].moment.contact_mode.value == "interpersonal-indirect"
    assert by_step["visit"].journeys == 400
    tagged = apply_moments(_bank(), found)
    assert {s.id for s in tagged.moments()} == {s.step for s in found if s.suggested}


def test_suggest_moments_from_satisfaction_ratings() -> None:
    rng = np.random.default_rng(4)
    rows: dict[str, list[Any]] = {"journey": [], "step": [], "order": [], "rating": [], "csat": []}
    for j in range(300):
        r = {s: float(rng.integers(-3, 4)) for s in ("visit", "form", "call", "sign")}
        csat = 0.9 * r["call"] + 0.1 * r["form"] + rng.normal(scale=0.5)
        for k, (sid, value) in enumerate(r.items()):
            rows["journey"].append(j)
            rows["step"].append(sid)
            rows["order"].append(k)
            rows["rating"].append(value)
            rows["csat"].append(round(csat, 3))
    bp = _bank()
    bp.replace_step(bp["sign"].evolve(moment=MomentOfTruth(kind="purchase")))
    found = suggest_moments(bp, rows, outcome="csat", resamples=200)
    assert found[0].step == "call"
    assert found[0].suggested
    assert found[0].signal == "key_driver"
    assert found[0].driver is not None
    assert found[0].driver.ci_low is not None
    assert any("key driver" in reason for reason in found[0].reasons)
    sign = next(s for s in found if s.step == "sign")
    assert sign.already_tagged
    assert sign.moment.kind.value == "purchase"


def _branching_survey() -> tuple[Blueprint, dict[str, list[Any]]]:
    # arrive → fast | slow → leave; satisfaction = 2·leave + 0.5·arrive + noise.
    bp = Blueprint("B", stages=["s"])
    for sid in ("arrive", "fast", "slow", "leave"):
        bp.add_step(Step(id=sid, label=sid, lane="customer", stage="s"))
    bp.connect("arrive", "fast")
    bp.connect("arrive", "slow")
    bp.connect("fast", "leave")
    bp.connect("slow", "leave")
    rng = np.random.default_rng(0)
    events: dict[str, list[Any]] = {"journey": [], "step": [], "order": [], "rating": [], "sat": []}
    for j in range(400):
        path = ["arrive", "fast" if j % 2 else "slow", "leave"]
        r = {s: int(rng.integers(-3, 4)) for s in path}
        sat = 2 * r["leave"] + 0.5 * r["arrive"] + rng.normal()
        for k, s in enumerate(path):
            for column, value in zip(events, (j, s, k, r[s], sat), strict=True):
                events[column].append(value)
    return bp, events


def test_suggest_moments_on_a_branching_blueprint() -> None:
    # No journey rates every step; each step is still ranked, on the journeys
    # that rated it. Ratings uniform on −3…3 (variance 4):
    #   var(sat) = 4·4 + 0.25·4 + 1 = 18, β(leave) = 2·2/√18, β(arrive) = 0.5·2/√18.
    bp, events = _branching_survey()
    found = suggest_moments(bp, events, outcome="sat", resamples=200)
    assert [(s.step, s.suggested) for s in found] == [
        ("leave", True),
        ("arrive", True),
        ("fast", False),
        ("slow", False),
    ]
    by_step = {s.step: s for s in found}
    assert {s.step: s.driver.n for s in found if s.driver is not None} == {
        "arrive": 400,
        "fast": 200,
        "slow": 200,
        "leave": 400,
    }
    leave = by_step["leave"].driver
    assert leave is not None
    assert leave.ci_low is not None
    assert leave.ci_high is not None
    assert leave.ci_low <= 4 / math.sqrt(18) <= leave.ci_high
    assert by_step["fast"].driver is not None
    assert by_step["fast"].driver.controls == ("arrive", "leave")
    assert (
        "n=200 journeys that rated it, controlling for arrive, leave"
        in (by_step["fast"].reasons[0])
    )


@pytest.mark.parametrize("top", [-1, 1.5, "2", True, None])
def test_suggest_moments_refuses_a_bad_top(top: Any) -> None:
    bp, events = _branching_survey()
    with pytest.raises(InvalidArgumentError, match=r"top must be a whole number ≥ 0, got"):
        suggest_moments(bp, events, outcome="sat", top=top, resamples=0)


def test_suggest_moments_top_counts_only_untagged_steps() -> None:
    rng = np.random.default_rng(6)
    rows: dict[str, list[Any]] = {"journey": [], "step": [], "order": [], "rating": [], "csat": []}
    for j in range(300):
        r = {s: float(rng.integers(-3, 4)) for s in ("visit", "form", "call", "sign")}
        csat = 1.0 * r["call"] + 0.8 * r["form"] + 0.6 * r["visit"] + rng.normal(scale=0.5)
        for k, (sid, value) in enumerate(r.items()):
            for column, cell in zip(rows, (j, sid, k, value, csat), strict=True):
                rows[column].append(cell)
    bp = _bank()
    for sid in ("call", "form"):
        bp.replace_step(bp[sid].evolve(moment=MomentOfTruth(kind="usage")))
    found = suggest_moments(bp, rows, outcome="csat", top=1, resamples=200)
    assert [(s.step, s.already_tagged, s.supported, s.suggested) for s in found] == [
        ("call", True, True, False),
        ("form", True, True, False),
        ("visit", False, True, True),
        ("sign", False, False, False),
    ]
    assert found[0].reasons[-1] == "tagged as a moment already; the data confirm it"
    none = suggest_moments(bp, rows, outcome="csat", top=0, resamples=200)
    assert [s.supported for s in none] == [True, True, True, False]
    assert not any(s.suggested for s in none)
    tagged = apply_moments(bp, found)
    assert {s.id for s in tagged.moments()} == {"call", "form", "visit"}


def test_suggest_moments_reports_bad_tables() -> None:
    bp = _bank()
    with pytest.raises(ObservedDataError, match="'teleport'"):
        suggest_moments(
            bp, {"journey": [1], "step": ["teleport"], "order": [1], "y": [1]}, outcome="y"
        )
    with pytest.raises(ObservedDataError, match="different outcomes"):
        suggest_moments(
            bp,
            {"journey": [1, 1], "step": ["visit", "form"], "order": [1, 2], "y": [1, 0]},
            outcome="y",
        )
    with pytest.raises(ObservedDataError, match="need ratings"):
        suggest_moments(
            bp, {"journey": [1], "step": ["visit"], "order": [1], "y": [4.5]}, outcome="y"
        )
    with pytest.raises(ObservedDataError, match="missing column"):
        suggest_moments(bp, {"journey": [1], "step": ["visit"], "order": [1]}, outcome="y")


def test_suggest_moments_needs_an_order_column_as_scoring_does() -> None:
    """Row order is never taken for time order: without an order column, both refuse alike."""
    bp = _bank()
    events = {"journey": [1, 1], "step": ["visit", "form"], "rating": [1, 2], "y": [1, 1]}
    message = r"missing column 'order' or 'timestamp' \(the table has \['journey', 'step'"
    with pytest.raises(ObservedDataError, match=message):
        suggest_moments(bp, events, outcome="y")
    with pytest.raises(ObservedDataError, match=message):
        score_observed(bp, events)
    found = suggest_moments(bp, {**events, "when": [2, 1]}, outcome="y", order="when")
    assert [s.step for s in found][:2] == ["visit", "form"]


@pytest.mark.parametrize("kind", ["numpy", "object", "pandas", "polars"])
def test_text_ratings_in_a_typed_table_are_refused(kind: str) -> None:
    """A CSV's rating cells are parsed; a DataFrame's or array's rating column must be numbers."""
    events: dict[str, Any] = {
        "journey": [1, 1, 2],
        "step": ["visit", "form", "visit"],
        "order": [1, 2, 1],
        "y": [1, 1, 0],
        "rating": ["1", "2", "3"],
    }
    table: Any
    if kind == "numpy":
        table = {**events, "rating": np.array(events["rating"])}
    elif kind == "object":
        table = {**events, "rating": np.array([1, 2, "3"], dtype=object)}
    elif kind == "pandas":
        table = pytest.importorskip("pandas").DataFrame(events)
    else:
        table = pytest.importorskip("polars").DataFrame(events)
    first = "row 2: column 'rating': '3'" if kind == "object" else "row 0: column 'rating': '1'"
    with pytest.raises(ObservedDataError, match=rf"^{first} is not a number but text"):
        suggest_moments(_bank(), table, outcome="y")
    ratings = {"visit": table["rating"], "form": np.array([1.0, 2.0, 3.0])}
    with pytest.raises(ObservedDataError, match=r"column 'visit': '\d' is not a number but text"):
        key_drivers(ratings, np.array([1.0, 2.0, 3.0]), resamples=0)


def test_suggest_moments_csv_ratings_are_numbers_not_yes_no(tmp_path: Path) -> None:
    path = tmp_path / "journeys.csv"
    path.write_text("journey,step,order,y,rating\n1,visit,1,1,yes\n")
    with pytest.raises(ObservedDataError, match=r"journeys\.csv:2: column 'rating': 'yes' is not"):
        suggest_moments(_bank(), path, outcome="y")


def test_suggest_moments_names_the_csv_line(tmp_path: Path) -> None:
    bp = _bank()
    path = tmp_path / "journeys.csv"
    path.write_text("journey,step,order,y,rating\n1,visit,1,1,1\n\n1,form,2,maybe,2\n")
    with pytest.raises(ObservedDataError, match=r"journeys\.csv:4: column 'y': 'maybe'"):
        suggest_moments(bp, path, outcome="y")
    path.write_text("journey,step,order,y,rating\n1,visit,1,1,1\n1,form,2,1,7\n")
    off = r"journeys\.csv:3: column 'rating': 7.0 is not on the MOT scale"
    with pytest.raises(ObservedDataError, match=off):
        suggest_moments(bp, path, outcome="y")


def test_a_blank_rating_is_unrated_in_discovery_as_nan_is(tmp_path: Path) -> None:
    """One missing-cell rule: a blank rating cell means not rated, like NaN in a DataFrame."""
    bp = _bank()
    rng = np.random.default_rng(3)
    lines = ["journey,step,order,csat,rating"]
    table: dict[str, list[Any]] = {"journey": [], "step": [], "order": [], "csat": [], "rating": []}
    for j in range(60):
        visit, form = int(rng.integers(-3, 4)), int(rng.integers(-3, 4))
        csat = visit + 0.1 * form
        blank = j % 3 == 0
        lines.append(f"j{j:02},visit,1,{csat},{visit}")
        lines.append(f"j{j:02},form,2,{csat},{'' if blank else form}")
        for k, (sid, r) in enumerate((("visit", visit), ("form", np.nan if blank else form))):
            for column, cell in zip(table, (f"j{j:02}", sid, k + 1, csat, r), strict=True):
                table[column].append(cell)
    path = tmp_path / "survey.csv"
    path.write_text("\n".join(lines) + "\n")
    from_csv = suggest_moments(bp, path, outcome="csat", resamples=50)
    from_nan = suggest_moments(bp, table, outcome="csat", resamples=50)
    assert from_csv == from_nan
    form = next(s for s in from_csv if s.step == "form")
    assert form.driver is not None
    assert form.driver.n == 40


def test_key_drivers_refuse_a_text_outcome() -> None:
    import pandas as pd

    ratings = {"wait": [1.0, -1.0, 2.0, 0.0], "staff": [2.0, 1.0, -1.0, 0.0]}
    for outcome in (np.array(["1", "2", "3", "4"]), pd.Series(["1", "2", "3", "4"])):
        with pytest.raises(ObservedDataError, match="column 'outcome': '1' is not a number"):
            key_drivers(ratings, outcome, resamples=0)
