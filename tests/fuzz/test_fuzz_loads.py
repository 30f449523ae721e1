"""A brief run of the ``loads`` fuzzer as part of the test suite (see fuzz_loads.py)."""

from __future__ import annotations

import pytest
from fuzz_entry_points import PROPERTIES
from fuzz_loads import check_loads, fuzz_loads
from hypothesis import HealthCheck, given, settings


def test_fuzz_loads_briefly() -> None:
    settings(max_examples=300)(fuzz_loads)()


def test_the_property_accepts_an_error_and_a_blueprint() -> None:
    check_loads(b"", "yaml")
    check_loads(b"\xff", "json")


@pytest.mark.parametrize("name", sorted(PROPERTIES))
def test_fuzz_entry_points_briefly(name: str) -> None:
    # About 1 s each on an idle machine: structure-aware inputs for each programmatic entry point.
    strategy, check = PROPERTIES[name]
    settings(
        max_examples=40,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )(given(strategy)(check))()
