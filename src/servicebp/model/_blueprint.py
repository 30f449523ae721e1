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

This module holds the class itself: construction, the checked attributes,
equality, copying and the whole-blueprint checks. Its methods are grouped
by concept in mixins, one module each, all over the same graph:
``_stage_methods`` (stages), ``_step_methods`` (adding and removing steps),
``_flow_methods`` (connecting steps, branch probabilities),
``_query_methods`` (steps, moments, flows, lines, the graph view),
``_journey_methods`` (customer spine, entries, exits, loops),
``_personas`` (personas) and ``_jupyter_display`` (the notebook hook).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import attrs
import networkx as nx

from servicebp.errors import (
    BlueprintTypeError,
    BlueprintValidationError,
    Problem,
    UnknownStepError,
)
from servicebp.model._fields import _check_text, _show, nfc
from servicebp.model._flow_methods import PROBABILITY_TOLERANCE, FlowMethods
from servicebp.model._journey_methods import JourneyMethods, closed_loop_problems
from servicebp.model._jupyter_display import JupyterDisplay
from servicebp.model._lanes import FlowKind
from servicebp.model._lint_config import LintConfig
from servicebp.model._moment_queries import moment_placement_problems
from servicebp.model._moments import RUBRICS
from servicebp.model._personas import Persona, PersonaMethods, check_scenario
from servicebp.model._query_methods import QueryMethods
from servicebp.model._stage_methods import StageMethods
from servicebp.model._stages import Stage
from servicebp.model._step_methods import StepMethods
from servicebp.model._steps import Step

__all__ = ["PROBABILITY_TOLERANCE", "Blueprint", "closed_loop_problems"]


class Blueprint(
    StageMethods,
    StepMethods,
    FlowMethods,
    QueryMethods,
    JourneyMethods,
    PersonaMethods,
    JupyterDisplay,
):
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
