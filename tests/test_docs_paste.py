"""Every docs page's code runs when pasted into a fresh interpreter (issue 14).

Sybil (docs/conftest.py) checks the pages' output inside pytest; this runs
their code once more as a reader does: in a child Python with nothing of the
test suite loaded (no conftest, no injected names, no pytest), each page in
a namespace of its own and a fresh empty folder as working directory, so a
page that leans on a name it did not define, or on a file of the clone
(``examples/...``), fails here. The example files come from
``servicebp.examples.path``.
"""

from __future__ import annotations

import doctest
import importlib.util
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests._paths import DOCS

#: The child: reads the pages' statements, runs each page in a new namespace
#: and folder, and writes what failed where. Only the standard library and
#: what the pages import themselves.
CHILD = r"""
import contextlib, io, json, os, sys, tempfile, traceback

pages = json.loads(open(sys.argv[1], encoding="utf-8").read())
failures, ran = {}, {}
home = os.getcwd()
for page, blocks in pages.items():
    namespace = {"__name__": "__main__"}
    ran[page] = 0
    with tempfile.TemporaryDirectory() as folder:
        os.chdir(folder)
        try:
            for line, statements in blocks:
                for source, mode, expected_error in statements:
                    where = f"{page}:{line}"
                    problem = None
                    try:
                        with contextlib.redirect_stdout(io.StringIO()):
                            exec(compile(source, where, mode), namespace)
                    except Exception as error:
                        if not (expected_error and type(error).__name__ in expected_error):
                            problem = f"{where}:\n{source}\n" + traceback.format_exc()
                    else:
                        if expected_error:
                            problem = f"{where}: no {expected_error} from\n{source}"
                    if problem is not None:
                        failures[page] = problem
                        break
                    ran[page] += 1
                if page in failures:
                    break
        finally:
            os.chdir(home)
with open(sys.argv[2], "w", encoding="utf-8") as out:
    json.dump({"failures": failures, "ran": ran}, out)
"""


def _docs_extension() -> Any:
    # The build's own reader of a page's blocks, so this runs what the build
    # and Sybil run (and skips the blocks marked "skip: next").
    spec = importlib.util.spec_from_file_location(
        "servicebp_docs", DOCS / "_ext" / "servicebp_docs.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _pages() -> list[Path]:
    return sorted(
        page
        for page in DOCS.rglob("*.md")
        if not any(part.startswith("_") for part in page.relative_to(DOCS).parts)
    )


PAGES = _pages()


def _statements(code: str) -> list[tuple[str, str, str | None]]:
    """A plain block is pasted whole; a ``>>>`` block example by example, as a REPL runs it."""
    examples = doctest.DocTestParser().get_examples(code)
    if not examples:
        return [(code, "exec", None)]
    found: list[tuple[str, str, str | None]] = []
    for example in examples:
        # A shown traceback names the error the example expects: "Type: message".
        expected = None if example.exc_msg is None else example.exc_msg.split(":")[0]
        found.append((example.source, "single", expected))
    return found


@pytest.fixture(scope="module")
def pasted(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    blocks_of = _docs_extension().python_blocks
    pages = {
        str(page.relative_to(DOCS)): [
            (line, _statements(code)) for line, code in blocks_of(page.read_text("utf-8"))
        ]
        for page in PAGES
    }
    folder = tmp_path_factory.mktemp("paste")
    source, result = folder / "pages.json", folder / "result.json"
    source.write_text(json.dumps(pages), encoding="utf-8")
    # cwd is an empty folder: `python -c` puts it first on sys.path, as a
    # REPL started there does, and no file of the clone is within reach.
    work = folder / "cwd"
    work.mkdir()
    run = subprocess.run(
        [sys.executable, "-c", CHILD, str(source), str(result)],
        cwd=work,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert run.returncode == 0, run.stderr
    outcome: dict[str, Any] = json.loads(result.read_text(encoding="utf-8"))
    outcome["pages"] = pages
    return outcome


def test_the_pages_hold_code_to_paste() -> None:
    names = {str(page.relative_to(DOCS)) for page in PAGES}
    assert {"quickstart.md", "tutorials/bank.md", "rendering.md", "cli.md"} <= names


@pytest.mark.parametrize("page", [str(p.relative_to(DOCS)) for p in PAGES])
def test_page_runs_in_a_fresh_interpreter(pasted: dict[str, Any], page: str) -> None:
    assert page not in pasted["failures"], pasted["failures"].get(page)
    wanted = sum(len(statements) for _, statements in pasted["pages"][page])
    assert pasted["ran"][page] == wanted


def test_no_page_names_the_clone_s_example_folder_in_code() -> None:
    # A path into examples/ works only in a clone; code uses servicebp.examples.path().
    blocks_of = _docs_extension().python_blocks
    offenders = [
        f"{page.relative_to(DOCS)}:{line}"
        for page in PAGES
        for line, code in blocks_of(page.read_text("utf-8"))
        if "examples/" in code or "EXAMPLES" in code
    ]
    assert not offenders


def test_a_page_that_leans_on_an_injected_name_fails(tmp_path: Path) -> None:
    # The child itself: a page using a name nobody defined is reported, with its line.
    pages = {"bad.md": [(3, _statements(">>> import servicebp\n>>> servicebp.load(EXAMPLES)\n"))]}
    source, result = tmp_path / "pages.json", tmp_path / "result.json"
    source.write_text(json.dumps(pages), encoding="utf-8")
    subprocess.run(
        [sys.executable, "-c", CHILD, str(source), str(result)],
        cwd=tmp_path,
        check=True,
        timeout=120,
    )
    outcome = json.loads(result.read_text(encoding="utf-8"))
    assert outcome["ran"] == {"bad.md": 1}
    assert "bad.md:3" in outcome["failures"]["bad.md"]
    assert "NameError: name 'EXAMPLES' is not defined" in outcome["failures"]["bad.md"]
