"""servicebp: service blueprints and customer journeys.

A graph model of customer actions, frontstage, backstage and support lanes
(plus physical evidence) in which callers tag moments of truth, compute
journey scores, analyse the service and export Graphviz blueprints.
"""

from servicebp.errors import (
    BlueprintTypeError,
    BlueprintValidationError,
    DuplicateStepError,
    MissingDependencyError,
    ObservedDataError,
    Problem,
    RatingError,
    RenderError,
    RenderTimeoutError,
    ServiceBlueprintError,
    UnknownStepError,
    UnknownStrategyError,
)
from servicebp.model import (
    Blueprint,
    FailPoint,
    Flow,
    FlowKind,
    Lane,
    Line,
    LintConfig,
    Step,
    Wait,
    lines_between,
)
from servicebp.moments import (
    Behaviour,
    ContactMode,
    Expectation,
    ExpectationSource,
    ExpectationType,
    MomentKind,
    MomentOfTruth,
)

__version__ = "0.1.0"

__all__ = [
    "Behaviour",
    "Blueprint",
    "BlueprintTypeError",
    "BlueprintValidationError",
    "ContactMode",
    "DuplicateStepError",
    "Expectation",
    "ExpectationSource",
    "ExpectationType",
    "FailPoint",
    "Flow",
    "FlowKind",
    "Lane",
    "Line",
    "LintConfig",
    "MissingDependencyError",
    "MomentKind",
    "MomentOfTruth",
    "ObservedDataError",
    "Problem",
    "RatingError",
    "RenderError",
    "RenderTimeoutError",
    "ServiceBlueprintError",
    "Step",
    "UnknownStepError",
    "UnknownStrategyError",
    "Wait",
    "__version__",
    "lines_between",
]
