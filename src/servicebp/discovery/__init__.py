"""Finding moments of truth in observed data, and checking observed behaviour against the design."""

from servicebp.discovery._attribution import ATTRIBUTION_METHODS, Attribution, attribute
from servicebp.discovery._conformance import (
    CaseDeviation,
    Conformance,
    ObservedEdge,
    ObservedLink,
    SlowWait,
    conformance,
)
from servicebp.discovery._drivers import DRIVER_METHODS, KeyDriver, key_drivers
from servicebp.discovery._event_logs import read_ocel, read_xes
from servicebp.discovery._quadrant_chart import importance_performance_chart
from servicebp.discovery._quadrants import (
    QUADRANTS,
    ImportancePerformance,
    importance_performance,
)
from servicebp.discovery._removal import (
    MarkovModel,
    markov_model,
    removal_effects,
    sequence_removal_effects,
    set_removal_effects,
)
from servicebp.discovery._segments import SegmentScore, compare_segments
from servicebp.discovery._shapley import (
    SHAPLEY_EXACT_LIMIT,
    SHAPLEY_GAMES,
    ShapleyAttribution,
    shapley_values,
)
from servicebp.discovery._suggest import MomentSuggestion, apply_moments, suggest_moments

__all__ = [
    "ATTRIBUTION_METHODS",
    "DRIVER_METHODS",
    "QUADRANTS",
    "SHAPLEY_EXACT_LIMIT",
    "SHAPLEY_GAMES",
    "Attribution",
    "CaseDeviation",
    "Conformance",
    "ImportancePerformance",
    "KeyDriver",
    "MarkovModel",
    "MomentSuggestion",
    "ObservedEdge",
    "ObservedLink",
    "SegmentScore",
    "ShapleyAttribution",
    "SlowWait",
    "apply_moments",
    "attribute",
    "compare_segments",
    "conformance",
    "importance_performance",
    "importance_performance_chart",
    "key_drivers",
    "markov_model",
    "read_ocel",
    "read_xes",
    "removal_effects",
    "sequence_removal_effects",
    "set_removal_effects",
    "shapley_values",
    "suggest_moments",
]
