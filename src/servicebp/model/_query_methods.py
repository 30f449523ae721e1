"""The read-only part of :class:`~servicebp.Blueprint`: steps, moments, flows, lines, the graph.

Every query reads the blueprint's one graph; none keeps an index of its
own, so nothing can fall out of step with it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

from servicebp.errors import BlueprintValidationError, Problem, UnknownStepError
from servicebp.model._graph_view import _read_only
from servicebp.model._lanes import FlowKind, Lane, Line, lines_between
from servicebp.model._moments import ContactMode, MomentKind
from servicebp.model._steps import Flow, Step

if TYPE_CHECKING:
    import networkx as nx

    from servicebp.model._stages import Stage

__all__ = ["QueryMethods"]


class QueryMethods:
    """The read-only part of :class:`~servicebp.Blueprint`: what it holds, filtered and viewed."""

    if TYPE_CHECKING:
        _graph: nx.DiGraph[str]

        def __getitem__(self, step_id: str) -> Step: ...
        def stage(self, key: str) -> Stage: ...

    def _step_items(self) -> Iterator[tuple[str, Step]]:
        for node, data in self._graph.nodes(data=True):
            yield node, data["step"]

    @staticmethod
    def _flows_of(
        edges: Iterable[tuple[str, str, dict[str, Any]]], kind: FlowKind | str | None
    ) -> tuple[Flow, ...]:
        """The flows on *edges* in their order, only those of *kind* unless it is None."""
        wanted = None if kind is None else FlowKind(kind)
        flows = (data["flow"] for _, _, data in edges)
        return tuple(flow for flow in flows if wanted is None or flow.kind is wanted)

    @property
    def graph(self) -> nx.DiGraph[str]:
        """A read-only view of the underlying graph.

        Nodes are step ids with the :class:`Step` under ``"step"``; edges
        carry the :class:`Flow` under ``"flow"``. Neither the graph nor its
        node and edge data can be changed through the view (the data are
        read-only mappings); use the blueprint's methods to change it.
        Every read-only networkx call works on it, and its copies
        (``reverse()``, ``to_undirected()``, ``copy()``, :func:`copy.deepcopy`,
        pickling) are independent of the blueprint.

        Examples
        --------
        >>> bp = Blueprint("A", stages=["s"])
        >>> _ = bp.add_step(Step(id="x", label="X", lane="customer", stage="s"))
        >>> bp.graph.nodes["x"]["step"].label
        'X'
        >>> bp.graph.nodes["x"]["step"] = None
        Traceback (most recent call last):
        ...
        TypeError: Blueprint.graph is read-only (a frozen graph can't be modified): ...
        >>> list(bp.graph.reverse().nodes)
        ['x']
        """
        return _read_only(self._graph)

    def steps(
        self, *, lane: Lane | str | None = None, stage: str | None = None
    ) -> tuple[Step, ...]:
        """Return the steps, optionally of one lane and/or one stage, in insertion order.

        Examples
        --------
        >>> bp = Blueprint("A", stages=["s"])
        >>> _ = bp.add_step(Step(id="x", label="X", lane="backstage", stage="s"))
        >>> [s.id for s in bp.steps(lane="backstage")], bp.steps(lane="customer")
        (['x'], ())
        """
        wanted_lane = None if lane is None else Lane(lane)
        if stage is not None:
            stage = self.stage(stage).id
        return tuple(
            step
            for _, step in self._step_items()
            if (wanted_lane is None or step.lane is wanted_lane)
            and (stage is None or step.stage == stage)
        )

    def moments(
        self,
        *,
        kind: MomentKind | str | None = None,
        contact_mode: ContactMode | str | None = None,
        stage: str | None = None,
    ) -> tuple[Step, ...]:
        """Return the steps tagged as moments of truth, optionally filtered.

        Examples
        --------
        >>> bp = Blueprint("A", stages=["s"])
        >>> _ = bp.add_step(Step(id="x", label="X", lane="customer", stage="s",
        ...                      moment=MomentOfTruth(kind="purchase")))
        >>> [s.id for s in bp.moments(kind="purchase")], bp.moments(kind="usage")
        (['x'], ())
        """
        wanted_kind = None if kind is None else MomentKind(kind)
        wanted_mode = None if contact_mode is None else ContactMode(contact_mode)
        return tuple(
            step
            for step in self.steps(stage=stage)
            if step.moment is not None
            and (wanted_kind is None or step.moment.kind is wanted_kind)
            and (wanted_mode is None or step.moment.contact_mode is wanted_mode)
        )

    def flow(self, source: str, target: str) -> Flow:
        """Return the flow from *source* to *target*."""
        for end in (source, target):
            if end not in self._graph:
                raise UnknownStepError(end, known=list(self._graph))
        try:
            flow: Flow = self._graph.edges[source, target]["flow"]
        except KeyError:
            raise BlueprintValidationError(
                [Problem(message=f"no flow to {target!r}", step=source, field="target")]
            ) from None
        return flow

    def flows(self, *, kind: FlowKind | str | None = None) -> tuple[Flow, ...]:
        """Return the flows, optionally of one kind, in insertion order."""
        return self._flows_of(self._graph.edges(data=True), kind)

    def outgoing(self, step_id: str, *, kind: FlowKind | str | None = None) -> tuple[Flow, ...]:
        """Return the flows out of *step_id*, optionally of one kind."""
        self[step_id]
        return self._flows_of(self._graph.out_edges(step_id, data=True), kind)

    def incoming(self, step_id: str, *, kind: FlowKind | str | None = None) -> tuple[Flow, ...]:
        """Return the flows into *step_id*, optionally of one kind."""
        self[step_id]
        return self._flows_of(self._graph.in_edges(step_id, data=True), kind)

    def lines_crossed(self, flow: Flow) -> tuple[Line, ...]:
        """Return the lines *flow* crosses, top first."""
        return lines_between(self[flow.source].lane, self[flow.target].lane)

    def crossings(self, line: Line | str) -> tuple[Flow, ...]:
        """Return the flows that cross *line*.

        Examples
        --------
        >>> bp = Blueprint("A", stages=["s"])
        >>> _ = bp.add_step(Step(id="c", label="C", lane="customer", stage="s"))
        >>> _ = bp.add_step(Step(id="f", label="F", lane="frontstage", stage="s"))
        >>> _ = bp.connect("c", "f", kind="support")
        >>> [(f.source, f.target) for f in bp.crossings("interaction")]
        [('c', 'f')]
        >>> bp.crossings("visibility")
        ()
        """
        wanted = Line(line)
        return tuple(flow for flow in self.flows() if wanted in self.lines_crossed(flow))
