"""The documentation site builds without a single warning, and its pictures are there.

The build runs in a child process (as CI runs it), so Sphinx's own warnings
are judged by ``-W`` and not by pytest's warning filters.
"""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from tests._paths import DOCS

pytestmark = pytest.mark.docs


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("html")
    result = subprocess.run(
        [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-b", "html", DOCS, out],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr + result.stdout
    return out


def test_every_page_is_built(site: Path) -> None:
    sources = {p.relative_to(DOCS).with_suffix("") for p in DOCS.rglob("*.md")}
    sources = {p for p in sources if not p.parts[0].startswith("_")}
    built = {p.relative_to(site).with_suffix("") for p in site.rglob("*.html")}
    assert sources <= built


def test_cli_reference_comes_from_click(site: Path) -> None:
    from servicebp.cli import main

    page = (site / "cli.html").read_text(encoding="utf-8")
    for name in main.commands:
        assert f'id="servicebp-{name}"' in page, f"no section for servicebp {name}"


def test_api_reference_documents_every_public_name(site: Path) -> None:
    import servicebp

    page = (site / "api.html").read_text(encoding="utf-8")
    documented = set(re.findall(r'id="servicebp\.[\w.]*?\.?(\w+)"', page))
    missing = [
        name
        for name in servicebp.__all__
        if not name.startswith("_") and name not in documented and name[0].isalpha()
    ]
    assert not missing, f"not on the API page: {missing}"


def test_api_reference_lists_every_blueprint_method(site: Path) -> None:
    # The Blueprint's methods live in private mixins, one module per concept;
    # the reference must still list each of them on the Blueprint itself.
    import servicebp

    page = (site / "api.html").read_text(encoding="utf-8")
    documented = set(re.findall(r'id="servicebp\.model\.Blueprint\.(\w+)"', page))
    public = {name for name in dir(servicebp.Blueprint) if not name.startswith("_")}
    assert public - documented == set()
    assert {"add_stage", "connect", "loops", "for_persona"} <= documented


@pytest.mark.parametrize("name", ["quickstart", "discovery"])
def test_shell_sessions_print_what_the_page_shows(
    monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    # The page's Python blocks write its files (coffee.yaml; bank.yaml and
    # journeys.csv); then each `$ servicebp ...` line of its console blocks
    # must print exactly the lines shown under it.
    monkeypatch.syspath_prepend(str(DOCS / "_ext"))
    from click.testing import CliRunner
    from servicebp_docs import PageRun, console_sessions

    from servicebp.cli import main

    path = DOCS / f"{name}.md"
    page = PageRun(name, path)
    try:
        page.run_until(10**9)
        sessions = console_sessions(path.read_text(encoding="utf-8"))
        assert sessions, f"{path.name} shows no shell session"
        monkeypatch.chdir(page.folder.name)
        for line, command, expected in sessions:
            where = f"{path.name}:{line}: {command}"
            program, *args = shlex.split(command)
            assert program == "servicebp", where
            result = CliRunner().invoke(main, args)
            assert result.exit_code == 0, f"{where}\n{result.output}"
            shown = [text.rstrip() for text in result.output.strip("\n").splitlines()]
            wanted = [text.rstrip() for text in expected.strip("\n").splitlines()]
            assert wanted, f"{where}: no output shown"
            assert shown == wanted, where
    finally:
        page.close()


def test_pictures_appear_on_the_pages(site: Path) -> None:
    pages = [p for p in site.rglob("*.html") if "blueprint-figure" in p.read_text("utf-8")]
    assert pages, "no page shows a blueprint picture"
    for page in pages:
        html = page.read_text(encoding="utf-8")
        for src in re.findall(r'<img [^>]*src="([^"]+\.svg)"', html):
            picture = (page.parent / src).resolve()
            assert picture.is_file(), f"{page.name}: {src} is missing"
            assert b"<svg" in picture.read_bytes()[:2000]
