"""servicebp.examples: the example files by name, from a clone and from an installed package."""

from __future__ import annotations

import fnmatch
import json
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

import servicebp
from servicebp.errors import ArgumentTypeError, InvalidArgumentError, ServiceBlueprintError
from servicebp.examples import names, path
from servicebp.examples._files import PACKAGED, SUFFIXES
from tests._paths import EXAMPLES, ROOT

#: The clone's example files: what the package must offer, no more, no less.
CLONE_FILES = sorted(f for f in EXAMPLES.iterdir() if f.suffix in SUFFIXES)


def test_names_are_the_clone_s_example_files() -> None:
    assert names() == tuple(f.stem for f in CLONE_FILES)
    assert "bank_account_opening" in names()
    assert "hotel_grid" in names()
    assert "build_blueprint" not in names()


@pytest.mark.parametrize("file", CLONE_FILES, ids=[f.name for f in CLONE_FILES])
def test_each_example_is_found_by_name_and_opens(file: Path) -> None:
    found = path(file.stem)
    assert found.read_bytes() == file.read_bytes()
    assert path(file.name) == found
    if file.suffix == ".csv":
        assert len(servicebp.read_grid(found).blueprint) > 0
    else:
        assert servicebp.load(found).problems() == []


def test_the_package_namespace_reaches_the_helper() -> None:
    # What the docs pages write after `import servicebp`.
    assert servicebp.examples.path("bank_account_opening") == path("bank_account_opening")


@pytest.mark.parametrize(
    ("name", "hint"),
    [
        ("bank", "did you mean 'bank_account_opening'?"),
        ("bank_acount_opening", "did you mean 'bank_account_opening'?"),
        ("hotel", "did you mean 'hotel_grid' or 'hotel_personas' or 'hotel_stay'?"),
        ("bank_account_opening.csv", "did you mean 'bank_account_opening'?"),
        ("examples/bank_account_opening.yaml", "did you mean 'bank_account_opening'?"),
        ("zzz", None),
        ("", None),
    ],
)
def test_an_unknown_name_is_refused_listing_the_examples(name: str, hint: str | None) -> None:
    with pytest.raises(InvalidArgumentError) as caught:
        path(name)
    message = str(caught.value)
    assert message.startswith(f"no example is called {name!r}")
    assert f"the examples are {list(names())}" in message
    if hint is None:
        assert "did you mean" not in message
    else:
        assert hint in message
    assert isinstance(caught.value, ServiceBlueprintError)
    assert isinstance(caught.value, ValueError)


def test_a_name_that_is_not_text_is_a_type_error() -> None:
    with pytest.raises(ArgumentTypeError, match=r"an example's name is text, not PosixPath"):
        path(EXAMPLES / "bank_account_opening.yaml")  # type: ignore[arg-type]


# --- as installed from a wheel -------------------------------------------------

#: What the child prints: where the files are found, and what they are.
PROBE = """
import json, servicebp
from servicebp import examples
report = {"names": list(examples.names()), "file": None, "error": None}
try:
    found = examples.path("bank_account_opening")
    report["file"] = str(found)
    report["steps"] = len(servicebp.load(found))
except servicebp.ServiceBlueprintError as error:
    report["error"] = str(error)
print(json.dumps(report))
"""


def _wheel_config() -> dict[str, object]:
    with (ROOT / "pyproject.toml").open("rb") as file:
        config: dict[str, object] = tomllib.load(file)["tool"]["hatch"]["build"]["targets"]["wheel"]
    return config


def _install_as_the_wheel_would(site: Path, *, with_examples: bool = True) -> None:
    """Lay out *site* as the wheel's file selection says (no build tool needed offline)."""
    config = _wheel_config()
    sources = config["sources"]
    assert isinstance(sources, dict)
    excluded = config.get("exclude", [])
    assert isinstance(excluded, list)
    for source, target in sources.items():
        if source == "examples" and not with_examples:
            continue
        for file in sorted((ROOT / source).rglob("*")):
            relative = file.relative_to(ROOT).as_posix()
            if file.is_dir() or "__pycache__" in relative:
                continue
            if any(fnmatch.fnmatch(relative, pattern) for pattern in excluded):
                continue
            placed = site / target / file.relative_to(ROOT / source)
            placed.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(file, placed)


def _probe(site: Path, cwd: Path) -> dict[str, object]:
    # -I: neither PYTHONPATH (the clone's src) nor the working folder; only
    # the site laid out here and the interpreter's own packages (the deps).
    code = f"import sys; sys.path.insert(0, {str(site)!r})\n" + PROBE
    run = subprocess.run(
        [sys.executable, "-I", "-c", code],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr
    report: dict[str, object] = json.loads(run.stdout)
    return report


def test_the_wheel_maps_the_examples_into_the_package() -> None:
    config = _wheel_config()
    assert config["sources"] == {
        "src/servicebp": "servicebp",
        "examples": f"servicebp/examples/{PACKAGED}",
    }
    assert set(config["only-include"]) == {"src/servicebp", "examples"}  # type: ignore[arg-type]


def test_an_installed_package_finds_its_own_files(tmp_path: Path) -> None:
    site = tmp_path / "site-packages"
    _install_as_the_wheel_would(site)
    packaged = site / "servicebp" / "examples" / PACKAGED
    assert sorted(f.name for f in packaged.iterdir()) == [f.name for f in CLONE_FILES]
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    report = _probe(site, elsewhere)
    assert report["error"] is None
    assert report["names"] == list(names())
    assert report["file"] == str(packaged / "bank_account_opening.yaml")
    assert report["steps"] == len(servicebp.load(EXAMPLES / "bank_account_opening.yaml"))


def test_an_installation_without_the_files_says_so(tmp_path: Path) -> None:
    site = tmp_path / "site-packages"
    _install_as_the_wheel_would(site, with_examples=False)
    report = _probe(site, tmp_path)
    assert report["names"] == []
    assert report["error"] == (
        "no example is called 'bank_account_opening': this installation of servicebp has no "
        "example files (reinstall it with pip, which puts them in the package)"
    )
