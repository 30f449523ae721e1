"""Every single-state removal of an absorbing chain from one solve (first passage).

Private: :mod:`servicebp.discovery._removal` uses it for first-order chains,
where each touchpoint is exactly one transient state.

With ``G = (I − Q)⁻¹`` and ``h = G r`` the absorption values, making state
*c* lead to null changes the value from the start state *s* by exactly what
the walks that reach *c* would have collected from there on:

``h'_s = h_s − f_c · h_c``  with  ``f_c = G[s, c] / G[c, c]``,

the probability of reaching *c* from *s* (strong Markov property at the first
visit to *c*; the same identity is Sherman–Morrison for the rank-one change
that zeroes row *c* of ``I − Q``). So the removal effect ``1 − h'_s / h_s``
is ``f_c · h_c / h_s``, computed without the cancellation of ``1 − h'/h``.
``G[s, :]`` is one solve with the transpose. ``G[c, c]`` needs only the
strongly connected component of *c*, since a walk that returns to *c* never
leaves it: a singleton gives ``1 / (1 − Q[c, c])``, a small component the
diagonal of its dense inverse, a large one solves with one LU factorisation
of its block. The cost is the square of each component's size, summed;
above :data:`SQUARE_LIMIT` (one component of 10,000 touchpoints) or
:data:`WORK_LIMIT` (a component whose LU fills in) the analysis is refused.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Final

import numpy as np
import numpy.typing as npt

from servicebp.discovery._markov import Chain, solve_system
from servicebp.errors import AnalysisTooLargeError

if TYPE_CHECKING:
    import scipy.sparse as sp

__all__ = ["DENSE_LIMIT", "SQUARE_LIMIT", "WORK_LIMIT", "inverse_diagonal", "single_state_effects"]

FloatArray = npt.NDArray[np.float64]

#: Components up to this many states have the diagonal of a dense inverse
#: (larger sparse ones are cheaper by LU, and dense ones cost the same).
DENSE_LIMIT: Final = 64
#: The most entries of the components' inverses (the sum of their sizes
#: squared) computed, a few seconds; beyond it the analysis is refused.
SQUARE_LIMIT: Final = 100_000_000
#: The most ``states × non-zeros of the LU`` a larger component may cost
#: (about 10 s); beyond it :class:`AnalysisTooLargeError` is raised.
WORK_LIMIT: Final = 10_000_000_000
_REMEDY: Final = (
    "merge rare touchpoints into channels (fewer distinct touchpoints), or ask "
    "set_removal_effects for the touchpoints you need"
)
#: Right-hand sides solved together against a large component's LU.
_CHUNK: Final = 1024


def single_state_effects(
    chain: Chain, touchpoints: int, rates: Sequence[tuple[FloatArray, float]]
) -> list[FloatArray] | None:
    """Each touchpoint's removal effect for each ``(rate, h_s)`` of *rates*, or None.

    The chain has *touchpoints* codes; ``h_s`` is the rate's (positive)
    value from the start state, as the caller solved it. None when some
    touchpoint is not exactly one state (a higher-order chain): the caller
    then solves one system per touchpoint. Entry *c* of each result is ``f_c · h_c / h_s``.
    """
    code, state = chain.members
    if not np.array_equal(code, np.arange(touchpoints)):
        return None
    system = _system(chain.q)
    start = chain.states - 1
    unit = np.zeros(chain.states)
    unit[start] = 1.0
    # G[s, :] solves (I − Q)ᵀ y = e_s: the expected visits to each state.
    visits = solve_system(system.T.tocsc(), unit)
    reach = visits[state] / inverse_diagonal(chain.q, system)[state]
    out: list[FloatArray] = []
    for rate, base in rates:
        out.append(reach * solve_system(system, rate)[state] / base)
    return out


def _system(q: sp.csr_matrix) -> sp.csc_matrix:
    import scipy.sparse as sp

    return sp.csc_matrix(sp.identity(q.shape[0], format="csc") - q)


def inverse_diagonal(q: sp.csr_matrix, system: sp.csc_matrix) -> FloatArray:
    """The diagonal of ``(I − Q)⁻¹``, component by strongly connected component.

    Raises
    ------
    AnalysisTooLargeError
        Components whose squared sizes sum past :data:`SQUARE_LIMIT`, or one so
        dense that its diagonal would cost more than :data:`WORK_LIMIT`.
    """
    import scipy.sparse as sp
    from scipy.sparse.csgraph import connected_components

    count, label = connected_components(q, directed=True, connection="strong")
    sizes = np.bincount(label, minlength=count)
    squares = int((sizes[sizes > 1].astype(np.float64) ** 2).sum())
    if squares > SQUARE_LIMIT:
        raise AnalysisTooLargeError(
            f"removal effects: journeys cycle among touchpoints in groups as large as "
            f"{int(sizes.max()):,} touchpoints; solving them exactly costs {squares:.2g} "
            f"entries (the bound is {SQUARE_LIMIT:.2g}); " + _REMEDY
        )
    # Singletons (most states of most chains): 1 / (1 − Q[c, c]) at once.
    diagonal = 1.0 / (1.0 - q.diagonal())
    members = np.argsort(label, kind="stable")
    bounds = np.r_[0, np.cumsum(sizes)]
    for component in np.flatnonzero(sizes > 1).tolist():
        index = members[bounds[component] : bounds[component + 1]]
        diagonal[index] = _block_diagonal(sp.csc_matrix(system[index][:, index]))
    return np.asarray(diagonal, dtype=np.float64)


def _block_diagonal(block: sp.csc_matrix) -> FloatArray:
    """The diagonal of the inverse of one component's block of ``I − Q``."""
    import scipy.sparse.linalg as spla

    size = block.shape[0]
    if size <= DENSE_LIMIT:
        return np.asarray(np.diag(np.linalg.inv(block.toarray())), dtype=np.float64)
    lu = spla.splu(block)
    work = size * (lu.L.nnz + lu.U.nnz)
    if work > WORK_LIMIT:
        raise AnalysisTooLargeError(
            f"removal effects: {size:,} touchpoints that journeys move among in cycles form "
            f"one group whose exact solution would cost {work:.2g} operations (the bound is "
            f"{WORK_LIMIT:.2g}); " + _REMEDY
        )
    out = np.empty(size)
    for first in range(0, size, _CHUNK):
        last = min(size, first + _CHUNK)
        unit = np.zeros((size, last - first))
        unit[np.arange(first, last), np.arange(last - first)] = 1.0
        solved = lu.solve(unit)
        out[first:last] = solved[np.arange(first, last), np.arange(last - first)]
    return out
