"""Fixtures shared by the test modules: the bank example blueprint."""

from __future__ import annotations

from pathlib import Path

import pytest

from servicebp import Blueprint, load
from tests._paths import EXAMPLES


@pytest.fixture
def bank_path() -> Path:
    """The path of ``examples/bank_account_opening.yaml`` (seed 002)."""
    return EXAMPLES / "bank_account_opening.yaml"


@pytest.fixture
def bank(bank_path: Path) -> Blueprint:
    """The bank example, freshly loaded for each test (so tests may change it)."""
    return load(bank_path)
