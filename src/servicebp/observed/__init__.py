"""Observed journeys: reading event tables and scoring them in bulk."""

from servicebp.observed._files import scan_events
from servicebp.observed._ratings import read_ratings
from servicebp.observed._scoring import read_observed, score_observed, step_statistics
from servicebp.observed._step_mapping import UnknownStepReport

__all__ = [
    "UnknownStepReport",
    "read_observed",
    "read_ratings",
    "scan_events",
    "score_observed",
    "step_statistics",
]
