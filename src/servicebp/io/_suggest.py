"""'Did you mean' for unknown step ids, at a bounded cost per file.

:func:`difflib.get_close_matches` compares the unknown id with every known
one. Run once per unknown flow end, that is steps × unknown ends comparisons:
2,000 flows to missing steps among 2,000 steps took about a minute. Here each
distinct unknown id is searched once; a list of up to :data:`WHOLE` ids is
searched whole (the same suggestion as before); a longer one only among the
ids next to the unknown one in sorted order, by prefix and by suffix (where a
typo leaves the rest of the id alike); and one file spends at most
:data:`BUDGET` comparisons, after which problems are still all reported, but
without a suggestion.
"""

from __future__ import annotations

import bisect
import difflib
from collections.abc import Iterable
from typing import Final

__all__ = ["BUDGET", "NEIGHBOURS", "WHOLE", "CloseIds"]

#: Known ids searched whole (as :func:`difflib.get_close_matches` does) up to this many.
WHOLE: Final = 2_000
#: Beyond :data:`WHOLE`, the ids searched on each side of the unknown one, by prefix and suffix.
NEIGHBOURS: Final = 100
#: Comparisons one file may spend on suggestions (about a second on a slow machine).
BUDGET: Final = 20_000


class CloseIds:
    """Suggest the known id closest to an unknown one, within a budget.

    Parameters
    ----------
    ids : iterable of str
        The known ids.

    Examples
    --------
    >>> close = CloseIds(["order", "pay", "collect"])
    >>> close.hint("pya"), close.hint("zzz")
    ("; did you mean 'pay'?", '')
    """

    def __init__(self, ids: Iterable[str]) -> None:
        self._ids = list(dict.fromkeys(ids))
        self._hints: dict[str, str] = {}
        self._left = BUDGET
        self._by_prefix: list[str] | None = None
        self._by_suffix: list[str] | None = None

    def hint(self, wanted: object) -> str:
        """Return ``"; did you mean 'x'?"``, or ``""`` if none is close or the budget is spent."""
        key = str(wanted)
        found = self._hints.get(key)
        if found is None:
            # What a search may cost, known before the candidates are gathered.
            cost = len(self._ids) if len(self._ids) <= WHOLE else 4 * NEIGHBOURS
            if cost > self._left:
                return ""
            self._left -= cost
            close = difflib.get_close_matches(key, self._candidates(key), n=1)
            found = f"; did you mean {close[0]!r}?" if close else ""
            self._hints[key] = found
        return found

    def _candidates(self, key: str) -> list[str]:
        if len(self._ids) <= WHOLE:
            return self._ids
        if self._by_prefix is None or self._by_suffix is None:
            self._by_prefix = sorted(self._ids)
            self._by_suffix = sorted(i[::-1] for i in self._ids)
        at = bisect.bisect_left(self._by_prefix, key)
        near = self._by_prefix[max(0, at - NEIGHBOURS) : at + NEIGHBOURS]
        backwards = key[::-1]
        at = bisect.bisect_left(self._by_suffix, backwards)
        near += (i[::-1] for i in self._by_suffix[max(0, at - NEIGHBOURS) : at + NEIGHBOURS])
        return list(dict.fromkeys(near))
