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

import re
from collections.abc import Sequence
from itertools import repeat
from typing import TYPE_CHECKING, Any, Final

import attrs
import numpy as np
import numpy.typing as npt

from servicebp.errors import InvalidArgumentError, ObservedDataError

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
    "solve_system",
    "without_sequence",
]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

#: The largest state code an int64 holds comfortably.
_CODE_LIMIT: Final = 2**62
#: Names up to this many UTF-8 bytes are split by numpy (see ``_split_bytes``).
_FAST_NAME_BYTES: Final = 64
#: The vocabulary of names is first read from this many leading names.
_SAMPLE: Final = 4096
#: The mask of the first n bytes of a little-endian 64-bit word, for n = 0…8.
_BYTE_MASKS: Final = np.array([2 ** (8 * n) - 1 for n in range(9)], dtype=np.uint64)
#: An odd 64-bit multiplier that folds a name's words into one key.
_MIX: Final = np.uint64(0x9E3779B97F4A7C15)
#: White space that str.strip() would remove (re's \s is str.isspace()).
_SPACE: Final = re.compile(r"\s")
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
    if not isinstance(sep, str) or not sep:
        raise InvalidArgumentError(
            f"sep must be a non-empty text that joins the touchpoints of a path, got {sep!r}"
        )
    size = len(paths)
    if size == 0:
        raise ObservedDataError("no paths given; at least one journey is needed")
    conv, nulls, value = _totals(conversions, null, values, size)
    # Aggregate identical paths first: the rest of the work is per distinct path.
    keys, inv = _distinct(paths, counted=null is not None)
    distinct = len(keys)
    conv_u = np.bincount(inv, weights=conv, minlength=distinct).astype(np.float64)
    null_u = np.bincount(inv, weights=nulls, minlength=distinct).astype(np.float64)
    value_u = (
        None
        if value is None
        else np.bincount(inv, weights=value, minlength=distinct).astype(np.float64)
    )
    journeys = float(conv.sum() + nulls.sum())
    if isinstance(paths[0], str):
        touchpoints, codes, lengths = _split_strings(paths, keys, inv, sep)
    else:
        lengths = np.fromiter(map(len, keys), dtype=np.int64, count=distinct)
        touchpoints, codes = _vocabulary(paths, inv, [t for k in keys for t in k], lengths)
    return _encoded(touchpoints, codes, lengths, conv_u, null_u, value_u, journeys)


def _totals(
    conversions: Any, null: Any, values: Any, size: int
) -> tuple[FloatArray, FloatArray, FloatArray | None]:
    """Each path's conversions, non-conversions and value, checked."""
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
    return conv, nulls, None if values is None else _numbers("values", values, size)


def _distinct(
    paths: Sequence[str] | Sequence[Sequence[str]], *, counted: bool
) -> tuple[list[Any], IntArray]:
    """The distinct paths (hashable), in the order first met, and each path's index among them."""
    # dict.fromkeys and map(dict.__getitem__) keep these passes in C.
    size = len(paths)
    hashable: Sequence[Any] = paths if isinstance(paths[0], str) else list(map(tuple, paths))
    if counted and len(set(hashable)) == size:
        # Counted paths are usually aggregated already; a set tells so cheaply.
        return list(hashable), np.arange(size, dtype=np.int64)
    keys = list(dict.fromkeys(hashable))
    position = dict(zip(keys, range(len(keys)), strict=True))
    return keys, np.fromiter(map(position.__getitem__, hashable), dtype=np.int64, count=size)


def _split_strings(
    paths: Sequence[Any], keys: list[str], inv: IntArray, sep: str
) -> tuple[tuple[str, ...], IntArray, IntArray]:
    """The touchpoints, codes and path lengths of distinct string paths *keys*."""
    try:
        # Either join checks every key is a string, in C.
        split = _split_bytes(keys, sep)
        joined = "" if split is not None else sep.join(keys)
    except TypeError:
        raise ObservedDataError("paths mix strings and sequences; give one kind") from None
    if split is not None:
        return split
    lengths = np.fromiter(map(str.count, keys, repeat(sep)), dtype=np.int64, count=len(keys))
    lengths += 1
    tokens = joined.split(sep)
    if _SPACE.search(joined):
        tokens = [t.strip() for t in tokens]
    touchpoints, codes = _vocabulary(paths, inv, tokens, lengths)
    return touchpoints, codes, lengths


def _vocabulary(
    paths: Sequence[Any], inv: IntArray, tokens: list[Any], lengths: IntArray
) -> tuple[tuple[str, ...], IntArray]:
    """The touchpoints in the order first met and the code of each token; bad names refused.

    A token that is not a non-empty name, or an empty path, is named by the
    first of *paths* (whose distinct index is in *inv*) that holds it.
    """
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
    return tuple(vocabulary), codes


def _encoded(
    touchpoints: tuple[str, ...],
    codes: IntArray,
    lengths: IntArray,
    conversions: FloatArray,
    nulls: FloatArray,
    values: FloatArray | None,
    journeys: float,
) -> EncodedPaths:
    offsets = np.zeros(lengths.size + 1, dtype=np.int64)
    np.cumsum(lengths, out=offsets[1:])
    return EncodedPaths(
        touchpoints=touchpoints,
        codes=codes,
        offsets=offsets,
        conversions=conversions,
        nulls=nulls,
        values=values,
        journeys=journeys,
    )


def _split_bytes(keys: list[str], sep: str) -> tuple[tuple[str, ...], IntArray, IntArray] | None:
    """Split string paths into touchpoint codes with numpy, or return None.

    The exact result of splitting, stripping and numbering in Python (in the
    order touchpoints first appear), found without a Python call per
    touchpoint: about twice as fast on large inputs. The paths are joined by
    a doubled separator and encoded as UTF-8, so a touchpoint is a run of
    bytes between separators and an empty run ends a path. Each run is read
    eight bytes at a time and folded into one 64-bit key; the keys are
    numbered against a sorted vocabulary, and every run is then compared, by
    length and bytes, with the first run numbered the same, so nothing is
    merged by a collision.

    None, for the caller's slower path, when the separator is not one ASCII
    character, a name is empty, longer than :data:`_FAST_NAME_BYTES` bytes
    or has white space to strip, or two different names share a key.

    Examples
    --------
    >>> names, codes, lengths = _split_bytes(["b>a", "a>a>c"], ">")
    >>> names, codes.tolist(), lengths.tolist()
    (('b', 'a', 'c'), [0, 1, 1, 1, 2], [2, 3])
    >>> _split_bytes(["a > b"], ">") is None  # white space to strip
    True
    """
    if len(sep) != 1 or not sep.isascii():
        return None
    try:
        data = (sep + sep).join(keys).encode()
    except UnicodeEncodeError:  # a lone surrogate
        return None
    buffer = np.frombuffer(data, dtype=np.uint8)
    cuts = np.flatnonzero(buffer == ord(sep))
    starts = np.zeros(cuts.size + 1, dtype=np.int64)
    starts[1:] = cuts + 1
    sizes = np.empty_like(starts)
    sizes[:-1] = cuts
    sizes[-1] = buffer.size
    sizes -= starts
    ends = np.flatnonzero(sizes == 0)
    if ends.size != len(keys) - 1:  # an empty name besides the path ends
        return None
    lengths = np.diff(ends, prepend=-1, append=sizes.size) - 1
    named = sizes > 0
    starts, sizes = starts[named], sizes[named]
    if int(sizes.max()) > _FAST_NAME_BYTES:
        return None

    padded = np.zeros(buffer.size + 8, dtype=np.uint8)
    padded[: buffer.size] = buffer
    # Element i of this view is the eight bytes from byte i (little-endian).
    at_byte = np.lib.stride_tricks.as_strided(
        padded[:8].view("<u8"), shape=(buffer.size + 1,), strides=(1,), writeable=False
    )

    def word(w: int) -> npt.NDArray[np.uint64]:
        """The *w*-th eight bytes of every name, zero past its end."""
        # A name shorter than 8w bytes reads (and masks out) the padding instead.
        at = np.minimum(starts + 8 * w, buffer.size)
        return at_byte[at] & _BYTE_MASKS[np.clip(sizes - 8 * w, 0, 8)]

    words = -(-int(sizes.max()) // 8)
    key = word(0)
    for w in range(1, words):
        key = key * _MIX ^ word(w)
    vocabulary = np.unique(key[:_SAMPLE])
    index = _positions(vocabulary, key)
    unseen = vocabulary[index] != key
    if unseen.any():
        vocabulary = np.union1d(vocabulary, key[unseen])
        index = _positions(vocabulary, key)
    first = np.full(vocabulary.size, key.size, dtype=np.int64)
    np.minimum.at(first, index, np.arange(key.size, dtype=np.int64))
    representative = first[index]
    if not np.array_equal(sizes[representative], sizes):
        return None
    # One word is its own key, equal to its representative's by the lookup.
    for w in range(words) if words > 1 else ():
        bytes_w = word(w)
        if not np.array_equal(bytes_w[representative], bytes_w):
            return None
    order = np.argsort(first)
    code = np.empty_like(order)
    code[order] = np.arange(order.size)
    names = tuple(
        data[s : s + n].decode()
        for s, n in zip(starts[first[order]].tolist(), sizes[first[order]].tolist(), strict=True)
    )
    if any(name != name.strip() for name in names):
        return None
    return names, code[index], lengths


def _positions(vocabulary: npt.NDArray[np.uint64], key: npt.NDArray[np.uint64]) -> IntArray:
    """Where each key is (or would go) in the sorted *vocabulary*, kept in range."""
    index = np.searchsorted(vocabulary, key)
    np.minimum(index, vocabulary.size - 1, out=index)
    return index.astype(np.int64, copy=False)


@attrs.frozen(kw_only=True, eq=False)
class Chain:
    """The transient part of the absorbing chain.

    ``q`` holds transition probabilities between transient states (the start
    state is the last one), ``to_conversion`` and ``value_rate`` the one-step
    conversion probability and expected value collected per step, and
    ``members`` the pairs (touchpoint code, state) of which states contain
    which touchpoint (pairs, not a touchpoint × state table, which would
    grow with the square of the touchpoints); ``recent[k][i]``
    is the code of the touchpoint *k* steps back in state *i* (0 the
    latest; −1 where the state is shorter, and for the start state).
    """

    q: sp.csr_matrix
    to_conversion: FloatArray
    value_rate: FloatArray | None
    members: tuple[IntArray, IntArray]
    states: int
    recent: tuple[IntArray, ...] = ()

    def contains(self, *codes: int) -> npt.NDArray[np.bool_]:
        """Which states contain any of the touchpoints *codes*."""
        code, state = self.members
        mask = np.zeros(self.states, dtype=np.bool_)
        mask[state[np.isin(code, np.asarray(codes, dtype=np.int64))]] = True
        return mask


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
    member_codes: list[IntArray] = []
    member_states: list[IntArray] = []
    recent: list[IntArray] = []
    for _ in range(order):
        present = digits % base
        has = present > 0
        member_codes.append(present[has] - 1)
        member_states.append(np.flatnonzero(has))
        recent.append(np.r_[present - 1, -1].astype(np.int64))
        digits //= base
    return Chain(
        q=q,
        to_conversion=converted * scale,
        value_rate=value_rate,
        members=_pairs(member_codes, member_states, n + 1),
        states=n + 1,
        recent=tuple(recent),
    )


def _pairs(codes: list[IntArray], states: list[IntArray], size: int) -> tuple[IntArray, IntArray]:
    """The distinct (code, state) pairs, by code then state (a state may repeat a code)."""
    key = np.unique(np.concatenate(codes).astype(np.int64) * size + np.concatenate(states))
    return key // size, key % size


def without_sequence(chain: Chain, codes: Sequence[int]) -> Chain:
    """The chain with every transition that completes the sequence *codes* sent to null.

    A transition from state *s* to state *t* completes ``c_1 … c_k`` when *t*'s
    latest touchpoint is ``c_k`` and *s*'s last ``k − 1`` are ``c_1 … c_{k−1}``;
    the chain's order must be at least ``k − 1`` for its states to know them.
    """
    import scipy.sparse as sp

    *before, last = codes
    source = np.ones(chain.states, dtype=np.bool_)
    for back, code in enumerate(reversed(before)):
        source &= chain.recent[back] == code
    target = chain.recent[0] == last
    q = chain.q.tocoo()
    cut = source[q.row] & target[q.col]
    kept = sp.csr_matrix((q.data[~cut], (q.row[~cut], q.col[~cut])), shape=chain.q.shape)
    return attrs.evolve(chain, q=kept)


def solve_conversion(
    chain: Chain, removed: npt.NDArray[np.bool_] | None = None, *, values: bool = False
) -> float:
    """Return the conversion probability (or expected value) from the start state.

    States flagged in *removed* lead to null: their rows and columns are
    dropped before solving ``(I − Q) h = r``.

    Examples
    --------
    >>> c = build_chain(encode_paths(["a>b", "b"], [1, 0]), order=1)
    >>> solve_conversion(c), solve_conversion(c, c.contains(0))
    (0.5, 0.25)
    """
    import scipy.sparse as sp

    rate = chain.value_rate if values else chain.to_conversion
    assert rate is not None
    keep = np.arange(chain.states) if removed is None else np.flatnonzero(~removed)
    q = chain.q[keep][:, keep]
    system = sp.csc_matrix(sp.identity(keep.size, format="csc") - q)
    return float(solve_system(system, rate[keep])[-1])


def solve_system(system: sp.csc_matrix, rhs: FloatArray) -> FloatArray:
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
