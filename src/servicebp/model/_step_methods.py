"""The step part of :class:`~servicebp.Blueprint`: adding, replacing and removing steps.

Each step is the ``"step"`` data of its node in the blueprint's graph; a
step stored names its stage by id, whichever name it was given.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from servicebp.errors import BlueprintTypeError, DuplicateStepError, Problem
from servicebp.model._personas import check_declared
from servicebp.model._steps import Step

if TYPE_CHECKING:
    import networkx as nx

    from servicebp.model._lanes import FlowKind

__all__ = ["StepMethods"]


class StepMethods:
    """The step part of :class:`~servicebp.Blueprint`: the mutators of its nodes."""

    if TYPE_CHECKING:
        _graph: nx.DiGraph[str]
        _branch_sums: dict[tuple[str, FlowKind], float]

        def __getitem__(self, step_id: str) -> Step: ...
        def _with_stage_id(self, step: Step) -> Step: ...
        def _persona_ids(self) -> tuple[str, ...]: ...

    def add_step(self, step: Step) -> Step:
        """Add *step*; its id must be new and its stage listed; return it as stored.

        Returns
        -------
        Step
            The step put in, naming its stage by id (a step may name it by
            label), so the REPL shows what the blueprint holds.

        Raises
        ------
        DuplicateStepError
            If a step with the same id exists.
        BlueprintValidationError
            If the step's stage is not one of the blueprint's stages.

        Examples
        --------
        >>> bp = Blueprint("Hotel", stages=["Check in"])
        >>> bp.add_step(Step(id="desk", label="Desk", lane="customer", stage="Check in"))
        Step(id='desk', label='Desk', lane=<Lane.CUSTOMER: 'customer'>, stage='check-in')
        """
        if not isinstance(step, Step):
            raise BlueprintTypeError(f"add_step() takes a Step, not {type(step).__name__}")
        if step.id in self._graph:
            raise DuplicateStepError(
                [
                    Problem(
                        message="a step with this id exists already; step ids must be unique",
                        step=step.id,
                        field="id",
                    )
                ]
            )
        step = self._with_stage_id(step)
        check_declared(step, self._persona_ids())
        self._graph.add_node(step.id, step=step)
        return step

    def replace_step(self, step: Step) -> Step:
        """Replace the step with the same id, keeping its flows; return the new step as stored.

        Like every mutator, it returns what it put in the blueprint (the step
        naming its stage by id), so a REPL echoes the change just made.

        Returns
        -------
        Step
            The new step as stored, not the one it replaced.

        Examples
        --------
        >>> bp = Blueprint("A", stages=["s"])
        >>> _ = bp.add_step(Step(id="x", label="X", lane="customer", stage="s"))
        >>> bp.replace_step(bp["x"].evolve(rating=2))
        Step(id='x', label='X', lane=<Lane.CUSTOMER: 'customer'>, stage='s', rating=2)
        """
        if not isinstance(step, Step):
            raise BlueprintTypeError(f"replace_step() takes a Step, not {type(step).__name__}")
        self[step.id]
        step = self._with_stage_id(step)
        check_declared(step, self._persona_ids())
        self._graph.nodes[step.id]["step"] = step
        return step

    def remove_step(self, step_id: str) -> Step:
        """Remove a step and every flow into or out of it; return the step.

        Returns
        -------
        Step
            The step taken out (like every removing mutator).

        Examples
        --------
        >>> bp = Blueprint("A", stages=["s"])
        >>> _ = bp.add_step(Step(id="x", label="X", lane="customer", stage="s"))
        >>> bp.remove_step("x").id, "x" in bp
        ('x', False)
        """
        old = self[step_id]
        self._graph.remove_node(old.id)
        # Its flows in are branches of other steps: their sums are found again when needed.
        self._branch_sums.clear()
        return old
