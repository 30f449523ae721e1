"""The service blueprint: lanes, steps, flows and the graph that holds them.

A :class:`Blueprint` is one :class:`networkx.DiGraph`: every node carries a
:class:`Step` under the ``"step"`` key and every edge a :class:`Flow` under
the ``"flow"`` key. The graph is the single source of truth; the attrs
classes are the typed faces of its nodes and edges.

Lanes run top to bottom (physical evidence, customer actions, frontstage,
backstage, support processes); the three lines between them (interaction,
visibility, internal interaction) are derived from that order. Time runs left
to right in stages.

Durations, waits and tolerances are in minutes.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Iterator
from typing import Any, Final

import attrs
import networkx as nx

from servicebp.errors import (
    BlueprintTypeError,
    BlueprintValidationError,
    DuplicateStepError,
    Problem,
    UnknownStepError,
)
from servicebp.model._fields import _check_text, _show, nfc
from servicebp.model._graph_view import _cyclic_core, _read_only, _strong_groups
from servicebp.model._lanes import FlowKind, Lane, Line, lines_between
from servicebp.model._lint_config import LintConfig
from servicebp.model._moment_queries import moment_placement_problems
from servicebp.model._moments import RUBRICS, ContactMode, MomentKind
from servicebp.model._personas import Persona, PersonaMethods, check_declared, check_scenario
from servicebp.model._stages import Stage
from servicebp.model._steps import Flow, Step

__all__ = ["PROBABILITY_TOLERANCE", "Blueprint", "closed_loop_problems"]

#: How many steps of a customer cycle its problem message names.
RING_SHOWN: Final = 10
#: Slack allowed when branch probabilities out of one step are summed.
PROBABILITY_TOLERANCE: Final = 1e-9
#: How to fix an undeclared stage; the loader reuses the model's message, so
#: it names the fix in code and in a file.
_DECLARE_STAGE: Final = (
    "declare it in the blueprint's stages (add_stage() in code, `stages:` in a file)"
)


class Blueprint(PersonaMethods):
    """A service blueprint: named stages, and steps and flows in one graph.

    Build it step by step; every mutation keeps the blueprint locally valid
    (unique ids, known stages and steps, no self-loops, branch probabilities
    out of a step summing to at most 1) or raises.
    :meth:`validate` checks what only shows on the whole.

    Every mutator returns what it put in (:meth:`add_step`,
    :meth:`replace_step`, :meth:`connect`, :meth:`add_flow`,
    :meth:`add_stage`, :meth:`relabel_stage`, :meth:`add_persona`: the new
    step, flow, stage or persona) or what it took out (:meth:`remove_step`,
    :meth:`disconnect`, :meth:`remove_stage`, :meth:`remove_persona`), so a
    REPL echoes the change just made; in a
    script, ignore it (``_ = bp.add_step(...)``).

    Parameters
    ----------
    name : str
        The service's name.
    stages : iterable of str or Stage
        The stages in time order, left to right. Text without white space is
        its own id and label; text with white space (``"Check in"``) is a
        label whose id is derived (``"check-in"``); a :class:`Stage` gives
        both. Steps name their stage by id or by label.
    description : str, optional
        A longer description.
    lint : LintConfig, optional
        Lint rules this blueprint selects or ignores.
    personas : iterable of Persona or str, optional
        The personas whose journeys the blueprint follows (text is an id
        that is its own label); steps give their per-persona values in
        :attr:`Step.per_persona`. None declared: one implicit persona.
    scenario : str, optional
        Which version of the service the blueprint describes, e.g.
        ``"as-is"`` or ``"to-be"``.

    Examples
    --------
    >>> bp = Blueprint("Coffee", stages=["order", "pay"])
    >>> _ = bp.add_step(Step(id="order", label="Order", lane="customer", stage="order"))
    >>> _ = bp.add_step(Step(id="pay", label="Pay", lane="customer", stage="pay"))
    >>> _ = bp.connect("order", "pay")
    >>> bp
    Blueprint('Coffee', stages=2, steps=2, flows=1)
    >>> [s.id for s in bp.customer_spine()]
    ['order', 'pay']
    """

    def __init__(
        self,
        name: str,
        *,
        stages: Iterable[Stage | str] = (),
        description: str | None = None,
        lint: LintConfig | None = None,
        personas: Iterable[Persona | str] = (),
        scenario: str | None = None,
    ) -> None:
        self.name = name
        self.description = description
        self.lint = lint if lint is not None else LintConfig()
        self.scenario = scenario
        self._stages: list[Stage] = []
        self._personas: list[Persona] = []
        self._graph: nx.DiGraph[str] = nx.DiGraph()
        # The sum of the branch probabilities out of each step, by flow kind, kept as
        # flows are added (and dropped when one is removed), so that adding the n-th
        # branch of a step costs O(1), not O(n): 20,000 branches were quadratic.
        self._branch_sums: dict[tuple[str, FlowKind], float] = {}
        if isinstance(stages, str):
            raise BlueprintTypeError(
                f"stages must be a list of stage names, not one string ({stages!r})"
            )
        for stage in stages:
            self.add_stage(stage)
        if isinstance(personas, str):
            raise BlueprintTypeError(
                f"personas must be a list of personas, not one string ({personas!r})"
            )
        for persona in personas:
            self.add_persona(persona)

    # -- checked attributes ---------------------------------------------------

    @property
    def name(self) -> str:
        """The service's name: one line of non-empty text, checked on every assignment.

        Examples
        --------
        >>> bp = Blueprint("Coffee")
        >>> bp.name = 5
        Traceback (most recent call last):
        ...
        servicebp.errors.BlueprintTypeError: name must be a string, not int (5)
        >>> bp.name
        'Coffee'
        """
        return self._name

    @name.setter
    def name(self, value: str) -> None:
        _check_text("name", value, multiline=False)
        self._name = value

    @property
    def description(self) -> str | None:
        """A longer description (several lines allowed) or ``None``, checked on every assignment.

        Examples
        --------
        >>> bp = Blueprint("Coffee")
        >>> bp.description = "   "
        Traceback (most recent call last):
        ...
        servicebp.errors.BlueprintValidationError: description must not be empty
        """
        return self._description

    @description.setter
    def description(self, value: str | None) -> None:
        if value is not None:
            _check_text("description", value, multiline=True)
        self._description = value

    @property
    def lint(self) -> LintConfig:
        """The lint rules this blueprint selects and ignores, checked on every assignment.

        Examples
        --------
        >>> Blueprint("Coffee").lint = ["SBP001"]
        Traceback (most recent call last):
        ...
        servicebp.errors.BlueprintTypeError: lint must be a LintConfig, not list (['SBP001'])
        """
        return self._lint

    @lint.setter
    def lint(self, value: LintConfig) -> None:
        if not isinstance(value, LintConfig):
            raise BlueprintTypeError(
                f"lint must be a LintConfig, not {type(value).__name__} ({_show(value)})"
            )
        self._lint = value

    @property
    def scenario(self) -> str | None:
        """Which version of the service this is (``"as-is"``, ``"to-be"``) or ``None``.

        Examples
        --------
        >>> Blueprint("Hotel", scenario="to-be").scenario
        'to-be'
        """
        return self._scenario

    @scenario.setter
    def scenario(self, value: str | None) -> None:
        check_scenario(value)
        self._scenario = value

    # -- dunder ---------------------------------------------------------------

    def __repr__(self) -> str:
        # Personas only when declared, so a blueprint without them reads as it always did.
        personas = f", personas={len(self._personas)}" if self._personas else ""
        return (
            f"Blueprint({self.name!r}, stages={len(self._stages)}, "
            f"steps={self._graph.number_of_nodes()}, flows={self._graph.number_of_edges()}"
            f"{personas})"
        )

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Blueprint):
            return NotImplemented
        return (
            self.name == other.name
            and self.description == other.description
            and self.lint == other.lint
            and self.scenario == other.scenario
            and self._stages == other._stages
            and self._personas == other._personas
            and dict(self._step_items()) == dict(other._step_items())
            and set(self.flows()) == set(other.flows())
        )

    __hash__ = None  # type: ignore[assignment]

    def _repr_svg_(self) -> str | None:
        """The blueprint drawn as SVG, for Jupyter (``None`` if it cannot be drawn)."""
        from servicebp.errors import ServiceBlueprintError
        from servicebp.rendering import render_svg

        try:
            return render_svg(self)
        except (ServiceBlueprintError, OSError):
            return None

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, str]:
        """Jupyter's rich display: ``image/svg+xml`` and ``text/plain``.

        Only ``text/plain`` when the blueprint cannot be drawn.
        """
        bundle = {"text/plain": repr(self)}
        wanted = (include is None or "image/svg+xml" in include) and (
            exclude is None or "image/svg+xml" not in exclude
        )
        if wanted:
            svg = self._repr_svg_()
            if svg is not None:
                bundle["image/svg+xml"] = svg
        return bundle

    def __len__(self) -> int:
        return self._graph.number_of_nodes()

    def __iter__(self) -> Iterator[Step]:
        return iter(self.steps())

    def __contains__(self, step_id: object) -> bool:
        return isinstance(step_id, str) and nfc(step_id) in self._graph

    def __getitem__(self, step_id: str) -> Step:
        step_id = nfc(step_id)  # type: ignore[assignment]
        try:
            step: Step = self._graph.nodes[step_id]["step"]
        except (KeyError, TypeError):
            raise UnknownStepError(step_id, known=list(self._graph)) from None
        return step

    # -- read-only views --------------------------------------------------------

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

    def copy(self) -> Blueprint:
        """Return an independent copy.

        Steps and flows are immutable and shared, except that a step's
        ``attributes`` (a mutable mapping) are copied deeply: changing the
        copy's attributes leaves the original's alone.

        Examples
        --------
        >>> from servicebp import Step
        >>> bp = Blueprint("A", stages=["s"])
        >>> _ = bp.add_step(Step(id="a", label="A", lane="customer", stage="s",
        ...                      attributes={"tags": ["x"]}))
        >>> other = bp.copy()
        >>> other["a"].attributes["tags"].append("y")
        >>> bp["a"].attributes, other == bp
        ({'tags': ['x']}, False)
        """
        new = Blueprint(
            self.name,
            stages=self._stages,
            description=self.description,
            lint=self.lint,
            personas=self._personas,
            scenario=self.scenario,
        )
        new._graph = self._graph.copy()
        for data in new._graph.nodes.values():
            step = data["step"]
            if step.attributes:
                data["step"] = attrs.evolve(step, attributes=step.attributes)
        return new

    # -- stages ---------------------------------------------------------------

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

    # -- steps ----------------------------------------------------------------

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

    # -- flows ----------------------------------------------------------------

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

    # -- the customer journey ---------------------------------------------------

    def _customer_sequence(self) -> nx.DiGraph[str]:
        """The customer lane with its sequence flows, as a graph of its own.

        A concrete copy, not a filtered view: the whole-blueprint checks walk
        it several times, and a view re-filters every neighbour on every step
        (10× slower on 100,000 steps).
        """
        sequence: nx.DiGraph[str] = nx.DiGraph()
        sequence.add_nodes_from(n for n, step in self._step_items() if step.lane is Lane.CUSTOMER)
        sequence.add_edges_from(
            (flow.source, flow.target)
            for flow in self.flows(kind=FlowKind.SEQUENCE)
            if flow.source in sequence and flow.target in sequence
        )
        return sequence

    def _time_key(self) -> dict[str, tuple[int, int]]:
        stage_index = {stage.id: i for i, stage in enumerate(self._stages)}
        return {n: (stage_index[step.stage], i) for i, (n, step) in enumerate(self._step_items())}

    def customer_spine(self) -> tuple[Step, ...]:
        """Return the customer actions in time order.

        The order follows the sequence flows between customer steps; steps
        that the flows do not order are taken by stage, then insertion order.
        """
        sequence = self._customer_sequence()
        return tuple(self[n] for n in self._spine_order(sequence))

    def _spine_order(self, sequence: nx.DiGraph[str]) -> list[str]:
        key = self._time_key()
        try:
            return list(nx.lexicographical_topological_sort(sequence, key=key.__getitem__))
        except nx.NetworkXUnfeasible:
            return sorted(sequence, key=key.__getitem__)

    def entry_steps(self) -> tuple[Step, ...]:
        """Return the customer steps journeys start at, in time order.

        A step no customer sequence flow leads into is an entry step. When a
        loop is where journeys start (pay → retry → pay, with nothing before
        pay), its earliest step (by stage, then insertion) is the entry.

        Examples
        --------
        >>> bp = Blueprint("Shop", stages=["pay", "done"])
        >>> for i, st in [("pay", "pay"), ("retry", "pay"), ("done", "done")]:
        ...     _ = bp.add_step(Step(id=i, label=i, lane="customer", stage=st))
        >>> for a, b in [("pay", "retry"), ("retry", "pay"), ("pay", "done")]:
        ...     _ = bp.connect(a, b)
        >>> [s.id for s in bp.entry_steps()], bp.problems()
        (['pay'], [])
        """
        sequence = self._customer_sequence()
        return tuple(self[n] for n in self._entries(sequence))

    def _entries(self, sequence: nx.DiGraph[str]) -> list[str]:
        key = self._time_key()
        condensed = nx.condensation(sequence)
        members: dict[int, set[str]] = nx.get_node_attributes(condensed, "members")
        entries = [
            min(members[c], key=key.__getitem__) for c in condensed if condensed.in_degree(c) == 0
        ]
        return sorted(entries, key=key.__getitem__)

    def loops(self) -> tuple[tuple[str, ...], ...]:
        """Return the loops of the customer lane: each a group of steps a journey may repeat.

        Each loop is a strongly connected group of customer steps (retry,
        rework, coming back with documents), in time order; loops are
        ordered by their first step.

        Examples
        --------
        >>> bp = Blueprint("Shop", stages=["s"])
        >>> for i in ["pay", "retry", "done"]:
        ...     _ = bp.add_step(Step(id=i, label=i, lane="customer", stage="s"))
        >>> for a, b in [("pay", "retry"), ("retry", "pay"), ("pay", "done")]:
        ...     _ = bp.connect(a, b)
        >>> bp.loops()
        (('pay', 'retry'),)
        """
        return self._loop_groups(self._customer_sequence())

    def _loop_groups(self, sequence: nx.DiGraph[str]) -> tuple[tuple[str, ...], ...]:
        core = _cyclic_core(sequence)
        if not core:
            return ()
        key = self._time_key()
        found = [
            tuple(sorted(group, key=key.__getitem__)) for group in _strong_groups(sequence, core)
        ]
        return tuple(sorted(found, key=lambda group: key[group[0]]))

    def _closed_loops(self, sequence: nx.DiGraph[str]) -> list[Problem]:
        """Loops a journey can never leave: no flow out with a probability above 0."""
        found = []
        for group in self._loop_groups(sequence):
            members = set(group)
            if any(self._leaves(step_id, members, sequence) for step_id in group):
                continue
            shown = list(group)
            if len(shown) > RING_SHOWN:
                # A loop through thousands of steps would bury the message.
                shown = [*shown[:RING_SHOWN], f"… ({len(group) - RING_SHOWN} more steps)"]
            found.append(
                Problem(
                    message=f"customer actions loop through {', '.join(shown)} with no way "
                    "out: a journey entering the loop never ends; add a sequence flow out "
                    "of it (with a probability above 0)",
                    step=group[0],
                    field="flows",
                )
            )
        return found

    def _leaves(self, step_id: str, members: set[str], sequence: nx.DiGraph[str]) -> bool:
        """Whether a journey at *step_id* may leave the loop *members* (or the service)."""
        edges = self._graph.succ[step_id]
        flows: list[Flow] = [edges[target]["flow"] for target in sequence.succ[step_id]]
        specified = sum(f.probability for f in flows if f.probability is not None)
        unspecified = [f for f in flows if f.probability is None]
        remainder = max(0.0, 1.0 - specified)
        share = remainder / len(unspecified) if unspecified else 0.0
        if not unspecified and remainder > PROBABILITY_TOLERANCE:
            return True  # the customer may leave the service here
        return any(
            f.target not in members and (f.probability if f.probability is not None else share) > 0
            for f in flows
        )

    def exit_steps(self) -> tuple[Step, ...]:
        """Return the customer steps no customer sequence flow leads out of."""
        sequence = self._customer_sequence()
        return tuple(s for s in self.customer_spine() if sequence.out_degree(s.id) == 0)

    # -- whole-blueprint checks -------------------------------------------------

    def problems(self) -> list[Problem]:
        """Return what is wrong with the blueprint as a whole (empty when valid).

        Checks a stage that no step uses, a loop of customer steps that a
        journey can never leave (loops with a way out are fine:
        :meth:`loops`), a moment of truth
        on physical evidence (see
        :func:`~servicebp.moment_placement_problems`; its warnings are
        not problems) and a moment naming a rubric that is not registered.

        Examples
        --------
        >>> bp = Blueprint("A", stages=["s"])
        >>> _ = bp.add_step(Step(id="x", label="X", lane="customer", stage="s",
        ...                      moment=MomentOfTruth(kind="usage", rubric="nope")))
        >>> [str(p) for p in bp.problems()]
        ["step 'x': moment: unknown rubric 'nope' (the registered rubrics are [...]); ..."]
        """
        found: list[Problem] = []
        used = {step.stage for step in self.steps()}
        for i, stage in enumerate(self.stages):
            if stage not in used:
                found.append(
                    Problem(
                        message=f"stage {stage!r} has no steps; remove it or add steps to it",
                        path=f"$.stages[{i}]",
                        field="stages",
                    )
                )
        found.extend(self._closed_loops(self._customer_sequence()))
        found.extend(self._moment_problems())
        return found

    def _moment_problems(self) -> list[Problem]:
        """Moment tags that can never be right: on physical evidence, or naming an unknown rubric.

        The rubric registry can change after a step is added, so rubric
        names are checked here, on the whole, not when the step is added.
        """
        found, _ = moment_placement_problems(self)
        for step in self.moments():
            assert step.moment is not None
            rubric = step.moment.rubric
            if rubric is not None and rubric not in RUBRICS:
                found.append(
                    Problem(
                        message=f"unknown rubric {rubric!r} (the registered rubrics are "
                        f"{sorted(RUBRICS)}); register it with register_rubric() first, "
                        "or name one of these",
                        step=step.id,
                        field="moment",
                    )
                )
        return found

    def validate(self) -> None:
        """Raise :class:`BlueprintValidationError` listing every whole-blueprint problem.

        Examples
        --------
        >>> bp = Blueprint("A", stages=["s", "unused"])
        >>> _ = bp.add_step(Step(id="x", label="X", lane="customer", stage="s"))
        >>> bp.validate()
        Traceback (most recent call last):
        ...
        servicebp.errors.BlueprintValidationError: $.stages[1]: stage 'unused' has no steps; ...
        """
        found = self.problems()
        if found:
            raise BlueprintValidationError(found)


def closed_loop_problems(bp: Blueprint) -> list[Problem]:
    """The loops of *bp*'s customer steps that a journey can never leave, one problem each.

    For the analyses that walk loops: the one check they cannot do without.
    """
    return bp._closed_loops(bp._customer_sequence())
