"""Shared by the test modules: hypothesis settings profiles, the CLI runner and the bank example.

Hypothesis runs under one of two profiles, registered here: ``dev`` (the
default) and ``ci``, chosen when the ``CI`` environment variable is set (as CI
services set it). Both drop the per-example deadline and the too-slow health
check, which only measure the machine (a loaded CI runner is slow, not
wrong); ``ci`` also derandomises, so a CI failure reproduces, and prints the
failing example's blob. A test that needs fewer or more examples than the
default says so with ``@settings(max_examples=...)``; nothing else goes in a
test's own ``@settings`` but what only that test needs (a Monte-Carlo
comparison derandomised, a fixture-using property's health check).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from servicebp import Blueprint, load
from tests._cli import Runner
from tests._paths import EXAMPLES

settings.register_profile("dev", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile(
    "ci",
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    derandomize=True,
    print_blob=True,
)
settings.load_profile("ci" if os.environ.get("CI") else "dev")


@pytest.fixture
def runner() -> Runner:
    """The command line, run in-process; a traceback fails the test."""
    return Runner()


@pytest.fixture
def bank_path() -> Path:
    """The path of ``examples/bank_account_opening.yaml``."""
    return EXAMPLES / "bank_account_opening.yaml"


@pytest.fixture
def bank(bank_path: Path) -> Blueprint:
    """The bank example, freshly loaded for each test (so tests may change it)."""
    return load(bank_path)
