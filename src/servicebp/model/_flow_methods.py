"""The flow part of :class:`~servicebp.Blueprint`: connecting steps, and branch probabilities.

Each flow is the ``"flow"`` data of its edge in the blueprint's graph. The
branch probabilities out of a step, by flow kind, may sum to at most 1; the
sums are kept as flows come and go, so adding a branch costs O(1).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from servicebp.errors import BlueprintTypeError, BlueprintValidationError, Problem, UnknownStepError
from servicebp.model._lanes import FlowKind
from servicebp.model._steps import Flow

if TYPE_CHECKING:
    import networkx as nx

__all__ = ["PROBABILITY_TOLERANCE", "FlowMethods"]

#: Slack allowed when branch probabilities out of one step are summed.
PROBABILITY_TOLERANCE: Final = 1e-9


class FlowMethods:
    """The flow part of :class:`~servicebp.Blueprint`: the mutators of its edges."""

    if TYPE_CHECKING:
        _graph: nx.DiGraph[str]
        _branch_sums: dict[tuple[str, FlowKind], float]

        def flow(self, source: str, target: str) -> Flow: ...
        def outgoing(
            self, step_id: str, *, kind: FlowKind | str | None = None
        ) -> tuple[Flow, ...]: ...

    def connect(
        self,
        source: str,
        target: str,
        *,
        kind: FlowKind | str = FlowKind.SEQUENCE,
        label: str | None = None,
        probability: float | None = None,
    ) -> Flow:
        """Add a flow from *source* to *target* and return it.

        Returns
        -------
        Flow
            The flow put in (as :meth:`add_flow` returns it).

        Examples
        --------
        >>> bp = Blueprint("A", stages=["s"])
        >>> for i in "ab":
        ...     _ = bp.add_step(Step(id=i, label=i, lane="customer", stage="s"))
        >>> bp.connect("a", "b", probability=0.5)
        Flow(source='a', target='b', kind=<FlowKind.SEQUENCE: 'sequence'>,
             label=None, probability=0.5)
        """
        return self.add_flow(
            Flow(source=source, target=target, kind=kind, label=label, probability=probability)
        )

    def add_flow(self, flow: Flow) -> Flow:
        """Add *flow*; both steps must exist, and a pair is connected once at most.

        Returns
        -------
        Flow
            The flow put in (like every adding mutator).

        Raises
        ------
        UnknownStepError
            If either end is not a step of the blueprint.
        BlueprintValidationError
            For a self-loop, a second flow between the same steps, or branch
            probabilities out of the source that would sum above 1.
        """
        if not isinstance(flow, Flow):
            raise BlueprintTypeError(
                f"add_flow() takes a Flow, not {type(flow).__name__}; "
                "use connect(source, target) for a pair of step ids"
            )
        for end in (flow.source, flow.target):
            if end not in self._graph:
                raise UnknownStepError(end, known=list(self._graph))
        if flow.source == flow.target:
            raise BlueprintValidationError(
                [
                    Problem(
                        message="a flow from a step to itself is not allowed",
                        step=flow.source,
                        field="target",
                    )
                ]
            )
        if self._graph.has_edge(flow.source, flow.target):
            raise BlueprintValidationError(
                [
                    Problem(
                        message=f"a flow to {flow.target!r} exists already",
                        step=flow.source,
                        field="target",
                    )
                ]
            )
        branches = (flow.source, flow.kind)
        if flow.probability is not None:
            before = self._branch_sums.get(branches)
            if before is None:
                before = sum(
                    f.probability or 0.0 for f in self.outgoing(flow.source, kind=flow.kind)
                )
                self._branch_sums[branches] = before
            total = flow.probability + before
            if total > 1 + PROBABILITY_TOLERANCE:
                raise BlueprintValidationError(
                    [
                        Problem(
                            message=f"branch probabilities out of the step would sum to "
                            f"{total:g}, above 1",
                            step=flow.source,
                            field="probability",
                        )
                    ]
                )
        self._graph.add_edge(flow.source, flow.target, flow=flow)
        if flow.probability is not None and branches in self._branch_sums:
            self._branch_sums[branches] += flow.probability
        return flow

    def disconnect(self, source: str, target: str) -> Flow:
        """Remove the flow from *source* to *target* and return it.

        Returns
        -------
        Flow
            The flow taken out (like every removing mutator).
        """
        old = self.flow(source, target)
        self._graph.remove_edge(source, target)
        self._branch_sums.pop((old.source, old.kind), None)
        return old
