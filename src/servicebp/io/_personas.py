"""The personas of a file: declaring them on the blueprint, and checking the steps' references.

Version 2 of the format (see :mod:`servicebp.io._versions`) lists personas
under ``personas:`` and gives a step's per-persona values under
``per_persona:``.
"""

from __future__ import annotations

from typing import Any

from servicebp.errors import BlueprintValidationError, Problem, persona_hint
from servicebp.io._parse import Parsed
from servicebp.model import Blueprint, Persona
from servicebp.model._fields import nfc

__all__ = ["add_personas", "persona_references"]


def _field_of(message: str, data: Any) -> str | None:
    first = message.split(" ", 1)[0]
    return first if isinstance(data, dict) and first in data else None


def add_personas(parsed: Parsed, bp: Blueprint, personas: list[Any]) -> list[Problem]:
    """Declare the file's personas on *bp*; the problems, each at its persona."""
    found: list[Problem] = []
    for i, persona in enumerate(personas):
        try:
            bp.add_persona(Persona(**persona))
        except BlueprintValidationError as error:
            found.extend(parsed.problem(p.message, ("personas", i)) for p in error.problems)
        except (TypeError, ValueError) as error:
            field = _field_of(str(error), persona)
            found.append(parsed.problem(str(error), ("personas", i, *([field] if field else []))))
    return found


def persona_references(
    parsed: Parsed, declared: list[str], step: dict[str, Any], index: int
) -> list[Problem]:
    """The persona ids *step* gives values for that the document does not declare."""
    per_persona = step.get("per_persona")
    if not isinstance(per_persona, dict):
        return []
    return [
        parsed.problem(
            f"unknown persona {key!r}{persona_hint(key, declared)}",
            ("steps", index, "per_persona", key),
        )
        for key in per_persona
        if nfc(key) not in declared
    ]
