"""Run the README's Python example as a test (the docs have their own conftest).

The package's doctests run with its public names in scope, as after
``from servicebp import *``: an example shows the call, not the imports, and
stays right when a name moves between the package's private modules.
"""

from doctest import ELLIPSIS, NORMALIZE_WHITESPACE
from typing import Any

import pytest
from sybil import Sybil
from sybil.parsers.markdown import PythonCodeBlockParser

import servicebp

pytest_collect_file = Sybil(
    parsers=[PythonCodeBlockParser(doctest_optionflags=ELLIPSIS | NORMALIZE_WHITESPACE)],
    patterns=["README.md"],
).pytest()


@pytest.fixture(autouse=True)
def _public_names(doctest_namespace: dict[str, Any]) -> None:
    doctest_namespace.update({name: getattr(servicebp, name) for name in servicebp.__all__})
