"""Removal effects from one solve (first passage) against one solve per touchpoint.

The per-touchpoint solve is what ``removal_effects`` did before (issue 18,
class 4) and is kept here as the oracle; exact rational arithmetic is a
second, independent one.
"""

from __future__ import annotations

import itertools
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from servicebp.discovery import _first_passage, _removal, markov_model, removal_effects
from servicebp.discovery._markov import build_chain, encode_paths, solve_conversion
from servicebp.errors import AnalysisTooLargeError

#: Relative agreement asked of the new method (issue 18); absolute below it,
#: where the oracle's ``1 − h'/h`` itself only has absolute accuracy.
REL = 1e-12
ABS = 1e-14


def _oracle(
    paths: list[tuple[str, ...]], conv: list[int], values: list[float] | None
) -> tuple[dict[str, float], dict[str, float] | None]:
    """One solve of the chain without each touchpoint (the previous method)."""
    encoded = encode_paths(paths, conv, values=values)
    chain = build_chain(encoded, order=1)
    out = []
    for use_values in (False, True) if values is not None else (False,):
        base = solve_conversion(chain, values=use_values)
        out.append(
            {
                t: (
                    1.0 - solve_conversion(chain, chain.contains(i), values=use_values) / base
                    if base > 0
                    else 0.0
                )
                for i, t in enumerate(encoded.touchpoints)
            }
        )
    return out[0], out[1] if len(out) > 1 else None


def _exact(paths: list[tuple[str, ...]], conv: list[int]) -> dict[str, Fraction]:
    """Removal effects in rational arithmetic (Gauss–Jordan on I − Q), built independently."""
    names = sorted({t for p in paths for t in p})
    counts: dict[str, dict[str, int]] = {}
    for path, c in zip(paths, conv, strict=True):
        states = ["(start)", *path, "(conversion)" if c else "(null)"]
        for a, b in itertools.pairwise(states):
            counts.setdefault(a, {}).setdefault(b, 0)
            counts[a][b] += 1

    def convert(removed: str | None) -> Fraction:
        states = [s for s in ["(start)", *names] if s != removed]
        at = {s: k for k, s in enumerate(states)}
        n = len(states)
        rows = [[Fraction(int(i == j)) for j in range(n)] + [Fraction(0)] for i in range(n)]
        for s in states:
            total = sum(counts.get(s, {}).values())
            for target, k in counts.get(s, {}).items():
                if target == "(conversion)":
                    rows[at[s]][n] += Fraction(k, total)
                elif target in at:
                    rows[at[s]][at[target]] -= Fraction(k, total)
        for col in range(n):
            pivot = next(r for r in range(col, n) if rows[r][col] != 0)
            rows[col], rows[pivot] = rows[pivot], rows[col]
            for r in range(n):
                if r != col and rows[r][col] != 0:
                    factor = rows[r][col] / rows[col][col]
                    rows[r] = [a - factor * b for a, b in zip(rows[r], rows[col], strict=True)]
        return rows[0][n] / rows[0][0]

    base = convert(None)
    return {t: 1 - convert(t) / base for t in names}


journeys = st.lists(
    st.tuples(
        st.lists(st.sampled_from("abcdef"), min_size=1, max_size=6),
        st.booleans(),
        st.floats(min_value=0.0, max_value=100.0),
    ),
    min_size=1,
    max_size=12,
).filter(lambda rows: any(c for _, c, _ in rows))


@settings(max_examples=150, deadline=None)
@given(journeys)
def test_first_passage_agrees_with_one_solve_per_touchpoint(
    rows: list[tuple[list[str], bool, float]],
) -> None:
    paths = [tuple(p) for p, _, _ in rows]
    conv = [int(c) for _, c, _ in rows]
    values = [v if c else 0.0 for _, c, v in rows]
    model = markov_model(paths, conv, null=[1 - c for c in conv], values=values)
    effects, value_effects = _oracle(paths, conv, values)
    assert model.removal_effects.keys() == effects.keys()
    for name, old in effects.items():
        assert model.removal_effects[name] == pytest.approx(old, rel=REL, abs=ABS)
    assert model.value_removal_effects is not None
    assert value_effects is not None
    for name, old in value_effects.items():
        assert model.value_removal_effects[name] == pytest.approx(old, rel=REL, abs=ABS)


@settings(max_examples=60, deadline=None)
@given(journeys)
def test_first_passage_agrees_with_exact_rational_effects(
    rows: list[tuple[list[str], bool, float]],
) -> None:
    paths = [tuple(p) for p, _, _ in rows]
    conv = [int(c) for _, c, _ in rows]
    exact = _exact(paths, conv)
    ours = removal_effects(paths, conv)
    assert set(ours) == set(exact)
    for name, effect in exact.items():
        # Relative throughout: f_c · h_c / h_s has no cancellation, even for tiny effects.
        assert ours[name] == pytest.approx(float(effect), rel=1e-13, abs=0.0)


def _cyclic(touchpoints: int) -> tuple[list[str], list[int]]:
    """Paths whose touchpoints form cycles (t_k → t_{7k+1}), as in bench_large."""
    paths = [f"t{k} > t{(k * 7 + 1) % touchpoints}" for k in range(touchpoints)]
    return paths, [k % 2 for k in range(touchpoints)]


def test_large_components_by_lu_equal_dense_and_the_oracle(monkeypatch: pytest.MonkeyPatch) -> None:
    paths, conv = _cyclic(400)
    dense = removal_effects(paths, conv)
    monkeypatch.setattr(_first_passage, "DENSE_LIMIT", 1)
    by_lu = removal_effects(paths, conv)
    oracle, _ = _oracle([tuple(p.split(" > ")) for p in paths], conv, None)
    for name, old in oracle.items():
        assert dense[name] == pytest.approx(old, rel=REL, abs=ABS)
        assert by_lu[name] == pytest.approx(old, rel=REL, abs=ABS)


def test_a_two_touchpoint_cycle_agrees_with_the_oracle() -> None:
    # a → b → a: a and b form one component, so the dense inverse gives G[c, c].
    paths = ["a > b > a", "a", "b"]
    ours = removal_effects(paths, [1, 0, 1])
    oracle, _ = _oracle([tuple(p.split(" > ")) for p in paths], [1, 0, 1], None)
    assert ours == pytest.approx(oracle, rel=REL, abs=ABS)
    assert ours["b"] > 0
    assert ours["a"] > 0


def test_too_large_a_cycling_group_is_refused_with_the_remedy(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    paths, conv = _cyclic(400)
    monkeypatch.setattr(_first_passage, "SQUARE_LIMIT", 100)
    with pytest.raises(AnalysisTooLargeError, match="merge rare touchpoints into channels"):
        removal_effects(paths, conv)
    monkeypatch.setattr(_first_passage, "SQUARE_LIMIT", 10**9)
    monkeypatch.setattr(_first_passage, "DENSE_LIMIT", 1)
    monkeypatch.setattr(_first_passage, "WORK_LIMIT", 10)
    with pytest.raises(AnalysisTooLargeError, match="set_removal_effects"):
        removal_effects(paths, conv)


def test_higher_order_over_the_loop_limit_is_refused_with_the_remedy(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    paths, conv = _cyclic(30)
    monkeypatch.setattr(_removal, "LOOP_LIMIT", 29)
    with pytest.raises(AnalysisTooLargeError, match="use order=1"):
        removal_effects(paths, conv, order=2)
    assert len(removal_effects(paths, conv)) == 30
    monkeypatch.setattr(_removal, "LOOP_LIMIT", 30)
    assert len(removal_effects(paths, conv, order=2)) == 30


def test_benchmark_shape_has_effects_between_0_and_1() -> None:
    # bench_large's shape at 5,000 touchpoints: cycles of up to 500, some by LU.
    paths, conv = _cyclic(5_000)
    effects = np.array(list(removal_effects(paths, conv).values()))
    assert ((effects >= 0) & (effects <= 1 + 1e-12)).all()
