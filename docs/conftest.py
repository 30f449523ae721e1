"""Run every Python code block of the Markdown docs as a test (with Sybil).

Blocks of one page share a namespace. A block written with ``>>>`` prompts is
a doctest whose output is checked; a plain block must simply run. Each page
runs in a fresh temporary folder and a namespace with nothing put in it, as a
reader pasting the page has: a page finds the example files with
``servicebp.examples.path()``. (tests/test_docs_paste.py runs every page once
more, in a fresh interpreter.)
"""

from __future__ import annotations

import os
import tempfile
from doctest import ELLIPSIS, NORMALIZE_WHITESPACE
from typing import Any

from sybil import Sybil
from sybil.parsers.markdown import PythonCodeBlockParser, SkipParser

# Each page's temporary folder and the folder to go back to, by the page's
# namespace: kept out of the namespace itself, which holds only the page's names.
_FOLDERS: dict[int, tuple[tempfile.TemporaryDirectory[str], str]] = {}


def _setup(namespace: dict[str, Any]) -> None:
    folder = tempfile.TemporaryDirectory()
    _FOLDERS[id(namespace)] = (folder, os.getcwd())
    os.chdir(folder.name)


def _teardown(namespace: dict[str, Any]) -> None:
    folder, cwd = _FOLDERS.pop(id(namespace))
    os.chdir(cwd)
    folder.cleanup()


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
