"""Analyses of a blueprint: journeys, figures, fail-point impact, timing, what-
if, diffs and line crossings.
"""

from servicebp.analysis._crossings import contactless_frontstage, line_crossings
from servicebp.analysis._diff import BlueprintDiff, FlowChange, JourneyScoreChange, StepChange, diff
from servicebp.analysis._figures import (
    CurvePoint,
    EmotionCurve,
    JourneyContacts,
    JourneyScore,
    StagePoint,
    StageSpread,
    contact_counts,
    emotion_curve,
    expected_scores,
    journey_scores,
    stage_spread,
)
from servicebp.analysis._impact import FailPointImpact, dependents, fail_point_impact
from servicebp.analysis._journeys import (
    JourneyPath,
    count_journeys,
    critical_journey,
    journeys,
    most_likely_journey,
)
from servicebp.analysis._loops import expected_visits
from servicebp.analysis._personas import (
    PersonaScores,
    persona_curves,
    persona_diffs,
    persona_scores,
)
from servicebp.analysis._timing import (
    JourneyTime,
    StageWait,
    StepDelay,
    StepTime,
    delay_costs,
    journey_times,
    stage_waits,
    step_times,
    wait_exceedance,
)
from servicebp.analysis._whatif import JourneyChange, expected_ratings, repair, what_if

__all__ = [
    "BlueprintDiff",
    "CurvePoint",
    "EmotionCurve",
    "FailPointImpact",
    "FlowChange",
    "JourneyChange",
    "JourneyContacts",
    "JourneyPath",
    "JourneyScore",
    "JourneyScoreChange",
    "JourneyTime",
    "PersonaScores",
    "StagePoint",
    "StageSpread",
    "StageWait",
    "StepChange",
    "StepDelay",
    "StepTime",
    "contact_counts",
    "contactless_frontstage",
    "count_journeys",
    "critical_journey",
    "delay_costs",
    "dependents",
    "diff",
    "emotion_curve",
    "expected_ratings",
    "expected_scores",
    "expected_visits",
    "fail_point_impact",
    "journey_scores",
    "journey_times",
    "journeys",
    "line_crossings",
    "most_likely_journey",
    "persona_curves",
    "persona_diffs",
    "persona_scores",
    "repair",
    "stage_spread",
    "stage_waits",
    "step_times",
    "wait_exceedance",
    "what_if",
]
