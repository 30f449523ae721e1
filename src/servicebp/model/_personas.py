"""Personas: several customers on one blueprint, each with its own ratings, weights and waits.

Journey-mapping tools (UXPressia, Smaply, TheyDo) put several personas on
one map, each with its own ratings and emotion curve, and compare the
service as it is with the service as it is to be. A blueprint declares its
personas (and, optionally, the scenario it describes: ``"as-is"``,
``"to-be"``); a step gives what a persona sees differently in
:attr:`Step.per_persona`, so the graph stays the single source of truth.
A blueprint that declares none has one implicit persona: the steps' own
values, which is also what ``persona=None`` means everywhere.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import attrs

from servicebp.errors import (
    ArgumentTypeError,
    BlueprintTypeError,
    BlueprintValidationError,
    Problem,
    UnknownPersonaError,
    persona_hint,
)
from servicebp.model._fields import _check_text, _id, _label, _optional_text, _show, nfc
from servicebp.model._steps import Step

if TYPE_CHECKING:
    import networkx as nx

    from servicebp.model._blueprint import Blueprint

__all__ = [
    "Persona",
    "PersonaMethods",
    "as_persona",
    "check_declared",
    "check_scenario",
    "persona_index",
    "seen_by",
    "step_as_persona",
    "undeclared_personas",
]


@attrs.frozen(kw_only=True)
class Persona:
    """One persona: a kind of customer whose journey the blueprint follows.

    Parameters
    ----------
    id : str
        The stable key steps refer to; no white space.
    label : str
        What the picture and reports show.
    description : str, optional
        Who they are, what they need.

    Examples
    --------
    >>> Persona(id="first-timer", label="First-time guest")
    Persona(id='first-timer', label='First-time guest', description=None)
    """

    id: str = attrs.field(converter=nfc, validator=_id)
    label: str = attrs.field(validator=_label)
    description: str | None = attrs.field(default=None, validator=_optional_text)

    @classmethod
    def of(cls, value: Persona | str) -> Persona:
        """Return *value* as a persona: a :class:`Persona` as it is, an id as its own label."""
        if isinstance(value, Persona):
            return value
        if not isinstance(value, str):
            raise BlueprintTypeError(
                f"persona must be a string or a Persona, not {type(value).__name__} "
                f"({_show(value)})"
            )
        return cls(id=value, label=value)


class PersonaMethods:
    """The persona half of :class:`~servicebp.Blueprint`: declaring, finding, removing, viewing."""

    _personas: list[Persona]
    if TYPE_CHECKING:
        _graph: nx.DiGraph[str]

        def copy(self) -> Blueprint: ...

    @property
    def personas(self) -> tuple[Persona, ...]:
        """The declared personas, in the order given (empty: one implicit persona).

        Examples
        --------
        >>> from servicebp import Blueprint
        >>> Blueprint("Hotel", personas=["regular"]).personas
        (Persona(id='regular', label='regular', description=None),)
        """
        return tuple(self._personas)

    def persona(self, persona_id: str) -> Persona:
        """Return the declared persona *persona_id*.

        Raises
        ------
        UnknownPersonaError
            If the blueprint does not declare it (naming the closest id).

        Examples
        --------
        >>> from servicebp import Blueprint
        >>> Blueprint("Hotel", personas=["regular"]).persona("regualr")
        Traceback (most recent call last):
        ...
        servicebp.errors.UnknownPersonaError: unknown persona: 'regualr' (did you mean ...
        """
        return self._personas[persona_index(self._personas, persona_id)]

    def add_persona(self, persona: Persona | str) -> Persona:
        """Declare *persona* (text is an id that is its own label); return it.

        Returns
        -------
        Persona
            The persona put in, as stored.
        """
        new = Persona.of(persona)
        if any(new.id == old.id for old in self._personas):
            raise BlueprintValidationError(
                [Problem(message=f"persona {new.id!r} is listed twice", field="personas")]
            )
        self._personas.append(new)
        return new

    def remove_persona(self, persona_id: str) -> Persona:
        """Remove a persona that no step gives values for; return it.

        Returns
        -------
        Persona
            The persona taken out.
        """
        index = persona_index(self._personas, persona_id)
        key = self._personas[index].id
        users = [n for n, data in self._graph.nodes(data=True) if key in data["step"].per_persona]
        if users:
            raise BlueprintValidationError(
                [
                    Problem(
                        message=f"persona {key!r} still has values on steps {users}",
                        field="personas",
                    )
                ]
            )
        return self._personas.pop(index)

    def for_persona(self, persona_id: str) -> Blueprint:
        """Return the blueprint as persona *persona_id* sees it.

        Each step carries the persona's rating, moment weight and wait where
        it gives one, its own values elsewhere; the copy declares no
        personas (it is one persona's blueprint), so every analysis of it is
        that persona's.

        Raises
        ------
        UnknownPersonaError
            If the blueprint does not declare *persona_id*.

        Examples
        --------
        >>> from servicebp import Blueprint, PersonaValues, Step
        >>> bp = Blueprint("Hotel", stages=["s"], personas=["regular"])
        >>> _ = bp.add_step(Step(id="x", label="X", lane="customer", stage="s", rating=1,
        ...                      per_persona={"regular": PersonaValues(rating=3)}))
        >>> bp.for_persona("regular")["x"].rating, bp["x"].rating
        (3, 1)
        """
        key = self.persona(persona_id).id
        new = self.copy()
        new._personas = []
        for data in new._graph.nodes.values():
            step = data["step"]
            if step.per_persona:
                data["step"] = step_as_persona(step, key)
        return new

    def _persona_ids(self) -> tuple[str, ...]:
        return tuple(p.id for p in self._personas)


def check_scenario(value: object) -> None:
    """Refuse a scenario label that is not one line of text (``None`` is fine)."""
    if value is not None:
        _check_text("scenario", value, multiline=False)


def undeclared_personas(step: Step, declared: tuple[str, ...]) -> list[Problem]:
    """The problems of *step* naming personas the blueprint does not declare."""
    return [
        Problem(
            message=f"unknown persona {key!r}{persona_hint(key, declared)}",
            step=step.id,
            field="per_persona",
        )
        for key in step.per_persona
        if key not in declared
    ]


def check_declared(step: Step, declared: tuple[str, ...]) -> None:
    """Raise for a step whose per-persona values name an undeclared persona."""
    found = undeclared_personas(step, declared)
    if found:
        raise BlueprintValidationError(found)


def step_as_persona(step: Step, persona: str) -> Step:
    """*step* as *persona* sees it: its per-persona values in place of its own, none left."""
    values = step.per_persona.get(persona)
    changes: dict[str, object] = {"per_persona": {}}
    if values is not None:
        if values.rating is not None:
            changes["rating"] = values.rating
        if values.wait is not None:
            changes["wait"] = values.wait
        if values.weight is not None and step.moment is not None:
            changes["moment"] = attrs.evolve(step.moment, weight=values.weight)
    return attrs.evolve(step, **changes)  # type: ignore[arg-type]


def as_persona(bp: Blueprint, persona: str | None) -> Blueprint:
    """*bp* as *persona* sees it (*bp* itself for ``None``, the implicit persona).

    Raises
    ------
    UnknownPersonaError
        If *bp* does not declare *persona*, with the closest declared id.
    """
    if persona is None:
        return bp
    return bp.for_persona(persona)


def seen_by(bp: Blueprint, persona: str | None) -> Blueprint:
    """*bp* as *persona* sees it, for a picture or a report: its values, its label in the title.

    ``None`` (the implicit persona) is *bp* itself.

    Examples
    --------
    >>> from servicebp import Blueprint, Persona
    >>> seen_by(Blueprint("Hotel", personas=[Persona(id="new", label="First stay")]), "new").name
    'Hotel · First stay'
    """
    if persona is None:
        return bp
    label = " ".join(bp.persona(persona).label.split())
    seen = bp.for_persona(persona)
    seen.name = f"{bp.name} · {label}"
    return seen


def persona_index(personas: list[Persona], persona: object) -> int:
    """The position of *persona* (an id) among *personas*, or an :class:`UnknownPersonaError`."""
    if not isinstance(persona, str):
        raise ArgumentTypeError(
            f"persona must be a persona id (text) or None, not {type(persona).__name__} "
            f"({_show(persona)})"
        )
    key = nfc(persona)
    for i, known in enumerate(personas):
        if known.id == key:
            return i
    raise UnknownPersonaError(persona, known=[p.id for p in personas])
