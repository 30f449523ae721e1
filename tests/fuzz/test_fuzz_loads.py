"""A brief run of the ``loads`` fuzzer as part of the test suite (see fuzz_loads.py)."""

from __future__ import annotations

from fuzz_loads import check_loads, fuzz_loads
from hypothesis import settings


def test_fuzz_loads_briefly() -> None:
    settings(max_examples=300)(fuzz_loads)()


def test_the_property_accepts_an_error_and_a_blueprint() -> None:
    check_loads(b"", "yaml")
    check_loads(b"\xff", "json")
