"""Journeys and the pluggable strategies that score them."""

from servicebp.scoring._journey import Journey, JourneyStep
from servicebp.scoring._strategies import (
    STRATEGIES,
    UNITS,
    Strategy,
    get_strategy,
    register_strategy,
    score,
    scores,
    strategy_names,
    unregister_strategy,
)

__all__ = [
    "STRATEGIES",
    "UNITS",
    "Journey",
    "JourneyStep",
    "Strategy",
    "get_strategy",
    "register_strategy",
    "score",
    "scores",
    "strategy_names",
    "unregister_strategy",
]
