"""Journeys and the pluggable strategies that score them."""

from servicebp.scoring._strategies import (
    STRATEGIES,
    Journey,
    JourneyStep,
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
