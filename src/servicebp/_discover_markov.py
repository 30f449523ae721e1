"""The absorbing Markov chain behind removal effects, solved exactly.

Private: :mod:`servicebp.discover` builds the public functions on top of it.

Paths are first aggregated (identical paths counted once, with their
conversions, non-conversions and values summed), then encoded as one flat
integer array of touchpoint codes with offsets, so every later step is a
vectorised numpy operation over distinct paths rather than a Python loop over
journeys.

The chain has a start state, one transient state per observed k-tuple of
touchpoints (for order k; the first k−1 states of a path are its shorter
prefixes, as in ChannelAttribution) and two absorbing states, conversion and
null. With Q the transient-to-transient transition probabilities and r the
one-step conversion probabilities, the absorption probabilities h solve
``(I − Q) h = r``; the conversion probability is h at the start state.
Removing a touchpoint sends every state that contains it to null, i.e. drops
those rows and columns from the system.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import repeat
from typing import TYPE_CHECKING, Any, Final

import attrs
import numpy as np
import numpy.typing as npt

from servicebp.errors import ObservedDataError

if TYPE_CHECKING:
    # scipy costs a third of ``import servicebp``; only solving a chain needs it.
    import scipy.sparse as sp

__all__ = [
    "DIRECT_LIMIT",
    "RESIDUAL_LIMIT",
    "Chain",
    "EncodedPaths",
    "build_chain",
    "encode_paths",
    "solve_conversion",
]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

#: The largest state code an int64 holds comfortably.
_CODE_LIMIT: Final = 2**62
#: Up to this many possible states (or transitions) a dense table is used.
_LOOKUP_LIMIT: Final = 4_000_000
#: Chains up to this many states are solved by sparse LU (spsolve); larger
#: ones, whose LU fills in badly, by a Krylov solver checked to this residual.
DIRECT_LIMIT: Final = 2_000
RESIDUAL_LIMIT: Final = 1e-12


@attrs.frozen(kw_only=True, eq=False)
class EncodedPaths:
    """Distinct paths as a flat array of touchpoint codes, with their totals.

    ``codes[offsets[i]:offsets[i + 1]]`` is distinct path *i*.
    """

    touchpoints: tuple[str, ...]
    codes: IntArray
    offsets: IntArray
    conversions: FloatArray
    nulls: FloatArray
    values: FloatArray | None
    journeys: float

    @property
    def lengths(self) -> IntArray:
        """The length of each distinct path."""
        return np.diff(self.offsets)

    @property
    def distinct(self) -> int:
        """How many distinct paths there are."""
        return len(self.offsets) - 1


def _numbers(name: str, values: Any, size: int) -> FloatArray:
    try:
        array = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise ObservedDataError(f"{name} must be numbers: {error}") from error
    if array.shape != (size,):
        raise ObservedDataError(
            f"{name} has shape {array.shape}; one number per path ({size}) is needed"
        )
    bad = np.flatnonzero(~np.isfinite(array) | (array < 0))
    if bad.size:
        i = int(bad[0])
        raise ObservedDataError(
            f"{name}[{i}] is {array[i]!r}; counts and values must be finite and not negative "
            f"({bad.size} such rows)"
        )
    return array


def encode_paths(
    paths: Sequence[str] | Sequence[Sequence[str]],
    conversions: Any,
    *,
    null: Any = None,
    values: Any = None,
    sep: str = ">",
) -> EncodedPaths:
    """Aggregate identical paths and encode them as integer codes.

    A path is a string of touchpoints joined by *sep* (white space around
    each touchpoint is ignored) or a sequence of touchpoint names. Without
    *null*, every path is one journey and *conversions* says whether it
    converted (0 or 1); with *null*, *conversions* and *null* count the
    journeys along the path that did and did not convert.

    Examples
    --------
    >>> e = encode_paths(["a > b", "a > b", "b"], [1, 0, 1])
    >>> e.touchpoints, e.codes.tolist(), e.offsets.tolist()
    (('a', 'b'), [0, 1, 1], [0, 2, 3])
    >>> e.conversions.tolist(), e.nulls.tolist()
    ([1.0, 1.0], [1.0, 0.0])
    """
    size = len(paths)
    if size == 0:
        raise ObservedDataError("no paths given; at least one journey is needed")
    conv = _numbers("conversions", conversions, size)
    if null is None:
        not_binary = np.flatnonzero((conv != 0) & (conv != 1))
        if not_binary.size:
            i = int(not_binary[0])
            raise ObservedDataError(
                f"conversions[{i}] is {conv[i]!r}: without null= each path is one journey and "
                "its conversion must be 0 or 1; pass null= (journeys that did not convert) "
                "for aggregated paths"
            )
        nulls = 1.0 - conv
    else:
        nulls = _numbers("null", null, size)
    value = None if values is None else _numbers("values", values, size)

    # Aggregate identical paths first: the rest of the work is per distinct path.
    # dict.fromkeys and map(dict.__getitem__) keep these passes in C.
    first = paths[0]
    hashable: Sequence[Any] = paths if isinstance(first, str) else list(map(tuple, paths))
    position = dict(zip(hashable, range(size), strict=True))
    if len(position) == size:
        # Already aggregated (every path distinct): no second pass over the paths.
        keys = list(position)
        inv = np.arange(size, dtype=np.int64)
    else:
        keys = list(dict.fromkeys(hashable))
        position = dict(zip(keys, range(len(keys)), strict=True))
        inv = np.fromiter(map(position.__getitem__, hashable), dtype=np.int64, count=size)
    distinct = len(keys)
    conv_u = np.bincount(inv, weights=conv, minlength=distinct).astype(np.float64)
    null_u = np.bincount(inv, weights=nulls, minlength=distinct).astype(np.float64)
    value_u = (
        None
        if value is None
        else np.bincount(inv, weights=value, minlength=distinct).astype(np.float64)
    )

    if isinstance(first, str):
        try:
            # join() checks every key is a string, in C.
            joined = sep.join(keys)
        except TypeError:
            raise ObservedDataError("paths mix strings and sequences; give one kind") from None
        lengths = np.fromiter(map(str.count, keys, repeat(sep)), dtype=np.int64, count=distinct)
        lengths += 1
        tokens = joined.split(sep)
        if any(space in joined for space in " \t\n\r"):
            tokens = [t.strip() for t in tokens]
    else:
        lengths = np.fromiter(map(len, keys), dtype=np.int64, count=distinct)
        tokens = [t for k in keys for t in k]
    vocabulary = {t: i for i, t in enumerate(dict.fromkeys(tokens))}
    codes = np.fromiter(map(vocabulary.__getitem__, tokens), dtype=np.int64, count=len(tokens))
    problems = [t for t in vocabulary if not isinstance(t, str) or not t]
    if problems or (lengths == 0).any():
        empty = np.flatnonzero(lengths == 0)
        if empty.size:
            culprit = int(empty[0])
        else:
            bad = np.flatnonzero(np.isin(codes, [vocabulary[t] for t in problems]))
            culprit = int(np.searchsorted(np.cumsum(lengths), bad[0], "right"))
        where = int(np.flatnonzero(inv == culprit)[0])
        raise ObservedDataError(
            f"paths[{where}] is {paths[where]!r}: every touchpoint must be a non-empty name "
            "and every path must have at least one touchpoint"
        )
    offsets = np.zeros(distinct + 1, dtype=np.int64)
    np.cumsum(lengths, out=offsets[1:])
    return EncodedPaths(
        touchpoints=tuple(vocabulary),
        codes=codes,
        offsets=offsets,
        conversions=conv_u,
        nulls=null_u,
        values=value_u,
        journeys=float(conv.sum() + nulls.sum()),
    )


@attrs.frozen(kw_only=True, eq=False)
class Chain:
    """The transient part of the absorbing chain.

    ``q`` holds transition probabilities between transient states (the start
    state is the last one), ``to_conversion`` and ``value_rate`` the one-step
    conversion probability and expected value collected per step, and
    ``contains[c]`` which states contain touchpoint *c*.
    """

    q: sp.csr_matrix
    to_conversion: FloatArray
    value_rate: FloatArray | None
    contains: list[npt.NDArray[np.bool_]]
    states: int


def _state_keys(paths: EncodedPaths, order: int) -> IntArray:
    """Give each position the code of its state: the last *order* touchpoints."""
    base = len(paths.touchpoints) + 1
    if base**order >= _CODE_LIMIT:
        raise ObservedDataError(
            f"order {order} with {len(paths.touchpoints)} touchpoints has too many possible "
            "states to encode; use a lower order"
        )
    codes = paths.codes + 1
    position = np.arange(codes.size, dtype=np.int64) - np.repeat(paths.offsets[:-1], paths.lengths)
    keys = codes.copy()
    scale = 1
    for back in range(1, order):
        scale *= base
        earlier = np.zeros_like(codes)
        earlier[back:] = codes[:-back]
        earlier[position < back] = 0
        keys += earlier * scale
    return keys


def build_chain(paths: EncodedPaths, *, order: int) -> Chain:
    """Count the transitions of every distinct path and normalise them.

    Examples
    --------
    >>> e = encode_paths(["a>b", "b"], [1, 0])
    >>> c = build_chain(e, order=1)
    >>> c.states, c.q.toarray().tolist(), c.to_conversion.tolist()
    (3, [[0.0, 1.0, 0.0], [0.0, 0.0, 0.0], [0.5, 0.5, 0.0]], [0.0, 0.5, 0.0])
    """
    import scipy.sparse as sp

    keys = _state_keys(paths, order)
    possible = (len(paths.touchpoints) + 1) ** order
    if possible <= _LOOKUP_LIMIT:
        # Few possible states: a lookup table numbers them without sorting.
        seen = np.zeros(possible, dtype=bool)
        seen[keys] = True
        unique = np.flatnonzero(seen)
        number = np.cumsum(seen) - 1
        state = number[keys]
    else:
        unique, state = np.unique(keys, return_inverse=True)
    n = unique.size
    start = n
    journeys = paths.conversions + paths.nulls
    weight = np.repeat(journeys, paths.lengths)
    first = np.zeros(state.size, dtype=bool)
    first[paths.offsets[:-1]] = True
    source = np.empty_like(state)
    source[1:] = state[:-1]
    source[first] = start
    if (n + 1) ** 2 <= _LOOKUP_LIMIT:
        dense = np.bincount(source * (n + 1) + state, weights=weight, minlength=(n + 1) ** 2)
        q: sp.csr_matrix = sp.csr_matrix(dense.reshape(n + 1, n + 1).astype(np.float64))
    else:
        q = sp.coo_matrix((weight, (source, state)), shape=(n + 1, n + 1)).tocsr()
    last = state[paths.offsets[1:] - 1]
    converted = np.bincount(last, weights=paths.conversions, minlength=n + 1).astype(np.float64)
    out = np.asarray(q.sum(axis=1)).ravel() + converted
    out += np.bincount(last, weights=paths.nulls, minlength=n + 1)
    scale = np.divide(1.0, out, out=np.zeros_like(out), where=out > 0)
    q = sp.csr_matrix(sp.diags(scale) @ q)
    value_rate: FloatArray | None = None
    if paths.values is not None:
        value_rate = np.bincount(last, weights=paths.values, minlength=n + 1).astype(np.float64)
        value_rate *= scale
    base = len(paths.touchpoints) + 1
    digits = unique.copy()
    member = np.zeros((len(paths.touchpoints), n + 1), dtype=bool)
    for _ in range(order):
        present = digits % base
        has = present > 0
        member[present[has] - 1, np.flatnonzero(has)] = True
        digits //= base
    return Chain(
        q=q,
        to_conversion=converted * scale,
        value_rate=value_rate,
        contains=list(member),
        states=n + 1,
    )


def solve_conversion(
    chain: Chain, removed: npt.NDArray[np.bool_] | None = None, *, values: bool = False
) -> float:
    """Return the conversion probability (or expected value) from the start state.

    States flagged in *removed* lead to null: their rows and columns are
    dropped before solving ``(I − Q) h = r``.

    Examples
    --------
    >>> c = build_chain(encode_paths(["a>b", "b"], [1, 0]), order=1)
    >>> solve_conversion(c), solve_conversion(c, c.contains[0])
    (0.5, 0.25)
    """
    import scipy.sparse as sp

    rate = chain.value_rate if values else chain.to_conversion
    assert rate is not None
    keep = np.arange(chain.states) if removed is None else np.flatnonzero(~removed)
    q = chain.q[keep][:, keep]
    system = sp.csc_matrix(sp.identity(keep.size, format="csc") - q)
    return float(_solve(system, rate[keep])[-1])


def _solve(system: sp.csc_matrix, rhs: FloatArray) -> FloatArray:
    """Solve ``system @ h = rhs`` exactly up to rounding.

    Sparse LU for small systems. Large higher-order chains fill their LU
    factors in badly (8 000 states: 20 million non-zeros, seconds per
    solve), so they go to BiCGSTAB and then GMRES, each accepted only when
    the residual is below :data:`RESIDUAL_LIMIT`, with LU as the last resort.
    """
    import scipy.sparse.linalg as spla

    if system.shape[0] > DIRECT_LIMIT:
        for method in (spla.bicgstab, spla.gmres):
            h, info = method(system, rhs, rtol=1e-14, atol=0.0, maxiter=10_000)
            if info == 0 and np.abs(system @ h - rhs).max() <= RESIDUAL_LIMIT:
                return np.asarray(h, dtype=np.float64)
    return np.atleast_1d(np.asarray(spla.spsolve(system, rhs), dtype=np.float64))
