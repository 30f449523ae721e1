"""File format versions: which this servicebp reads, which it writes, and the migrations.

Version 2 adds personas (``personas:``), a scenario label (``scenario:``)
and per-persona step values (``per_persona:``) to version 1. A version-1
document is migrated to version 2 before it is checked (it is a version-2
document without personas), so old files load unchanged. Saving writes the
oldest version that holds the blueprint: version 1 while it declares no
personas and no scenario, so files of blueprints without personas stay
byte for byte what they were, and readable by a servicebp that knows
version 1 only.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Final

from servicebp.io._parse import PathKey
from servicebp.model import Blueprint

__all__ = ["FORMAT_VERSION", "READ_VERSIONS", "migrate", "version_problems", "written_version"]

#: The newest file format version: the one this servicebp checks against its schema.
FORMAT_VERSION: Final = "2"


def _from_1(data: dict[str, Any]) -> None:
    # Version 2 only adds keys: a version-1 document is a version-2 one as it stands.
    data["version"] = "2"


#: Each older version this servicebp reads, with the step that brings it one version on.
_MIGRATIONS: Final[Mapping[str, Callable[[dict[str, Any]], None]]] = {"1": _from_1}
#: Every version this servicebp reads, oldest first.
READ_VERSIONS: Final = (*_MIGRATIONS, FORMAT_VERSION)
#: The top-level keys and step keys that version 2 added, which a version-1 file may not use.
_ADDED_IN_2: Final = ("personas", "scenario")
_STEP_ADDED_IN_2: Final = ("per_persona",)


def version_problems(data: Mapping[str, Any]) -> list[tuple[PathKey, str]]:
    """What a document of an older version uses that its version does not have.

    Examples
    --------
    >>> version_problems({"version": "1", "personas": [], "steps": []})
    [(('personas',), 'personas are format version 2; write version: "2" to use them')]
    """
    if data.get("version") != "1":
        return []
    found: list[tuple[PathKey, str]] = [
        ((key,), f'{key} {_verb(key)} format version 2; write version: "2" to use {_it(key)}')
        for key in _ADDED_IN_2
        if key in data
    ]
    steps = data.get("steps")
    for i, step in enumerate(steps if isinstance(steps, list) else ()):
        for key in _STEP_ADDED_IN_2:
            if isinstance(step, dict) and key in step:
                found.append(
                    (("steps", i, key), f'{key} is format version 2; write version: "2" to use it')
                )
    return found


def _verb(key: str) -> str:
    return "are" if key.endswith("s") else "is"


def _it(key: str) -> str:
    return "them" if key.endswith("s") else "it"


def migrate(data: dict[str, Any]) -> None:
    """Bring *data* (a document of a version in :data:`READ_VERSIONS`) to the newest, in place.

    Examples
    --------
    >>> data = {"version": "1", "name": "Coffee", "stages": [], "steps": []}
    >>> migrate(data)
    >>> data["version"]
    '2'
    """
    while data.get("version") in _MIGRATIONS:
        _MIGRATIONS[data["version"]](data)


def written_version(bp: Blueprint) -> str:
    """The oldest version that holds *bp*: ``"1"`` unless it uses personas or a scenario.

    Examples
    --------
    >>> written_version(Blueprint("Coffee")), written_version(Blueprint("Coffee", scenario="as-is"))
    ('1', '2')
    """
    # A step gives per-persona values only for declared personas.
    if bp.personas or bp.scenario is not None:
        return FORMAT_VERSION
    return "1"
