"""Run every Python code block of the Markdown docs as a test (with Sybil).

Blocks of one page share a namespace. A block written with ``>>>`` prompts is
a doctest whose output is checked; a plain block must simply run. Each page
runs in a fresh temporary folder, with ``EXAMPLES`` naming the repository's
``examples/`` folder.
"""

from __future__ import annotations

import os
import tempfile
from doctest import ELLIPSIS, NORMALIZE_WHITESPACE
from pathlib import Path
from typing import Any

from sybil import Sybil
from sybil.parsers.markdown import PythonCodeBlockParser, SkipParser

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def _setup(namespace: dict[str, Any]) -> None:
    folder = tempfile.TemporaryDirectory()
    namespace["_folder"] = folder
    namespace["_cwd"] = os.getcwd()
    namespace["EXAMPLES"] = EXAMPLES
    os.chdir(folder.name)


def _teardown(namespace: dict[str, Any]) -> None:
    os.chdir(namespace["_cwd"])
    namespace["_folder"].cleanup()


pytest_collect_file = Sybil(
    parsers=[
        PythonCodeBlockParser(doctest_optionflags=ELLIPSIS | NORMALIZE_WHITESPACE),
        SkipParser(),
    ],
    patterns=["*.md"],
    setup=_setup,
    teardown=_teardown,
).pytest()

# conf.py and the build's helpers are not tests (and --doctest-modules would
# import them); the built site is not a source.
collect_ignore = ["conf.py", "_build", "_ext", "_static"]
