"""Hypothesis strategies that generate valid blueprints and their parts, for downstream tests."""

from servicebp.testing._strategies import (
    blueprints,
    expectations,
    fail_points,
    flows,
    identifiers,
    labels,
    moments,
    persona_values,
    personas,
    steps,
    waits,
)

__all__ = [
    "blueprints",
    "expectations",
    "fail_points",
    "flows",
    "identifiers",
    "labels",
    "moments",
    "persona_values",
    "personas",
    "steps",
    "waits",
]
