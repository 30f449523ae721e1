"""Reports: the emotion curve as a chart, and the whole analysis as one HTML page."""

from servicebp.reporting._chart import ObservedRating, emotion_chart, observed_ratings
from servicebp.reporting._report import report

__all__ = ["ObservedRating", "emotion_chart", "observed_ratings", "report"]
