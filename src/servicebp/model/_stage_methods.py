"""The stage part of :class:`~servicebp.Blueprint`: the stages in time order, found by id or label.

A stage has an id and a display label, and a step names its stage by
either, so every name must pick out one stage: adding or relabelling a
stage refuses a name another stage has.
"""

from __future__ import annotations

import difflib
from typing import TYPE_CHECKING, Final

import attrs

from servicebp.errors import BlueprintValidationError, Problem
from servicebp.model._stages import Stage

if TYPE_CHECKING:
    from servicebp.model._lanes import Lane
    from servicebp.model._steps import Step

__all__ = ["StageMethods"]

#: How to fix an undeclared stage; the loader reuses the model's message, so
#: it names the fix in code and in a file.
_DECLARE_STAGE: Final = (
    "declare it in the blueprint's stages (add_stage() in code, `stages:` in a file)"
)


class StageMethods:
    """The stage part of :class:`~servicebp.Blueprint`: listing, finding, adding, relabelling."""

    _stages: list[Stage]
    if TYPE_CHECKING:

        def steps(
            self, *, lane: Lane | str | None = None, stage: str | None = None
        ) -> tuple[Step, ...]: ...

    @property
    def stages(self) -> tuple[str, ...]:
        """The stage ids in time order (:meth:`stage` gives each one's label).

        Examples
        --------
        >>> bp = Blueprint("Hotel", stages=["Check in", "stay"])
        >>> bp.stages
        ('check-in', 'stay')
        >>> [bp.stage(s).label for s in bp.stages]
        ['Check in', 'stay']
        """
        return tuple(stage.id for stage in self._stages)

    def stage(self, key: str) -> Stage:
        """Return the stage whose id, or else whose label, is *key*.

        Raises
        ------
        BlueprintValidationError
            If no stage has this id or label.

        Examples
        --------
        >>> bp = Blueprint("Hotel", stages=["Check in"])
        >>> bp.stage("check-in") == bp.stage("Check in") == Stage(id="check-in", label="Check in")
        True
        """
        return self._stages[self._stage_index(key)]

    def add_stage(self, stage: Stage | str, *, before: str | None = None) -> Stage:
        """Add a stage at the end, or just before stage *before*; return it.

        Text is read as in the constructor: ``"Check in"`` is the label of
        the stage ``check-in``.

        Returns
        -------
        Stage
            The stage put in, with its id (like every adding mutator).

        Examples
        --------
        >>> bp = Blueprint("Hotel", stages=["stay"])
        >>> bp.add_stage("Check in", before="stay")
        Stage(id='check-in', label='Check in')
        >>> bp.stages
        ('check-in', 'stay')
        """
        new = Stage.of(stage)
        for old in self._stages:
            if new.id == old.id:
                message = f"stage {new.id!r} is listed twice"
            elif {new.id, new.label} & {old.id, old.label}:
                # A step names its stage by id or label: each name must pick one stage.
                message = (
                    f"stages {old!r} and {new!r} share a name; "
                    "each stage's id and label must differ from every other stage's"
                )
            else:
                continue
            raise BlueprintValidationError([Problem(message=message, field="stages")])
        if before is None:
            self._stages.append(new)
        else:
            self._stages.insert(self._stage_index(before), new)
        return new

    def relabel_stage(self, key: str, label: str) -> Stage:
        """Give the stage *key* (id or label) a new display label; return the new stage.

        Returns
        -------
        Stage
            The stage as stored now, with the new label (not the old one).

        Examples
        --------
        >>> bp = Blueprint("Hotel", stages=["check-in"])
        >>> bp.relabel_stage("check-in", "Check in")
        Stage(id='check-in', label='Check in')
        """
        index = self._stage_index(key)
        new = attrs.evolve(self._stages[index], label=label)
        for i, other in enumerate(self._stages):
            if i != index and label in (other.id, other.label):
                raise BlueprintValidationError(
                    [
                        Problem(
                            message=f"stage {other.id!r} has the name {label!r} already",
                            field="stages",
                        )
                    ]
                )
        self._stages[index] = new
        return new

    def remove_stage(self, stage: str) -> Stage:
        """Remove a stage (by id or label) that no step uses; return it.

        Returns
        -------
        Stage
            The stage taken out (like every removing mutator).

        Examples
        --------
        >>> bp = Blueprint("Hotel", stages=["Check in", "stay"])
        >>> bp.remove_stage("Check in")
        Stage(id='check-in', label='Check in')
        """
        index = self._stage_index(stage)
        users = [s.id for s in self.steps(stage=self._stages[index].id)]
        if users:
            raise BlueprintValidationError(
                [Problem(message=f"stage {stage!r} is still used by steps {users}", field="stages")]
            )
        return self._stages.pop(index)

    def _stage_index(self, stage: str) -> int:
        for i, known in enumerate(self._stages):
            if known.id == stage:
                return i
        for i, known in enumerate(self._stages):
            if known.label == stage:
                return i
        raise BlueprintValidationError(
            [
                Problem(
                    message=f"unknown stage {stage!r}{self._stage_hint(stage)} "
                    f"(stages are {list(self.stages)}); {_DECLARE_STAGE}",
                    field="stage",
                )
            ]
        )

    def _stage_hint(self, stage: object) -> str:
        names = [*self.stages, *(s.label for s in self._stages)]
        close = difflib.get_close_matches(str(stage), names, n=1)
        if not close:
            return ""
        return f" (did you mean {self.stage(close[0]).id!r}?)"

    def _with_stage_id(self, step: Step) -> Step:
        """*step* naming its stage by id (a step may name it by label)."""
        for stage in self._stages:
            if stage.id == step.stage:
                return step
        for stage in self._stages:
            if stage.label == step.stage:
                return attrs.evolve(step, stage=stage.id)
        raise BlueprintValidationError(
            [Problem(message=self._unknown_stage(step.stage), step=step.id, field="stage")]
        )

    def _unknown_stage(self, stage: str) -> str:
        """What to say of a step's stage that is no stage's id or label (the loader says it too)."""
        return (
            f"stage {stage!r}{self._stage_hint(stage)} is not one of "
            f"the blueprint's stages {list(self.stages)}; {_DECLARE_STAGE}"
        )

    def _names_stage(self, stage: str) -> bool:
        return any(stage in (known.id, known.label) for known in self._stages)
