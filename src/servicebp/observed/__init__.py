"""Observed journeys: reading event tables and scoring them in bulk."""

from servicebp.observed._files import scan_events
from servicebp.observed._scoring import (
    UnknownStepReport,
    read_observed,
    read_ratings,
    score_observed,
    step_statistics,
)

__all__ = [
    "UnknownStepReport",
    "read_observed",
    "read_ratings",
    "scan_events",
    "score_observed",
    "step_statistics",
]
