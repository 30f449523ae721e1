"""The blueprint model: lanes and lines, steps, flows, moments of truth, the Blueprint.

A :class:`Blueprint` is one :class:`networkx.DiGraph` whose nodes carry
:class:`Step` s and whose edges carry :class:`Flow` s; the attrs classes are
the typed faces of its nodes and edges.
"""

from servicebp.model._blueprint import Blueprint
from servicebp.model._lanes import FlowKind, Lane, Line, lines_between
from servicebp.model._lint_config import LintConfig
from servicebp.model._moment_queries import (
    candidate_moments,
    check_moment_placement,
    internal_moments,
    is_internal_moment,
    moment_placement_problems,
    moments_by_contact_mode,
    moments_by_kind,
    moments_by_stage,
)
from servicebp.model._moments import (
    FIRST_IMPRESSION,
    RUBRICS,
    Behaviour,
    ContactMode,
    Expectation,
    ExpectationSource,
    ExpectationType,
    MomentKind,
    MomentOfTruth,
    Rubric,
    get_rubric,
    rate_moment,
    register_rubric,
)
from servicebp.model._personas import Persona
from servicebp.model._stages import Stage, stage_id
from servicebp.model._steps import FailPoint, Flow, PersonaValues, Step, Wait

__all__ = [
    "FIRST_IMPRESSION",
    "RUBRICS",
    "Behaviour",
    "Blueprint",
    "ContactMode",
    "Expectation",
    "ExpectationSource",
    "ExpectationType",
    "FailPoint",
    "Flow",
    "FlowKind",
    "Lane",
    "Line",
    "LintConfig",
    "MomentKind",
    "MomentOfTruth",
    "Persona",
    "PersonaValues",
    "Rubric",
    "Stage",
    "Step",
    "Wait",
    "candidate_moments",
    "check_moment_placement",
    "get_rubric",
    "internal_moments",
    "is_internal_moment",
    "lines_between",
    "moment_placement_problems",
    "moments_by_contact_mode",
    "moments_by_kind",
    "moments_by_stage",
    "rate_moment",
    "register_rubric",
    "stage_id",
]
