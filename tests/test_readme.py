"""The README: its links resolve and its two set-up commands are where CI reads them."""

from __future__ import annotations

import re

from tests._paths import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def _command(marker: str) -> str:
    block = re.search(rf"<!-- {marker} -->\s*```\n(.*?)\n```\s*<!-- /{marker} -->", README, re.S)
    assert block is not None, f"README.md has no {marker} block"
    return block.group(1)


def test_every_relative_link_resolves() -> None:
    links = re.findall(r"\]\(([^)#]+)\)", README)
    local = [link for link in links if "://" not in link]
    assert local, "the README links to its docs"
    missing = [link for link in local if not (ROOT / link).exists()]
    assert missing == []


def test_main_command_renders_and_scores_the_bank_example() -> None:
    command = _command("main-command")
    assert "pip install ." in command
    assert "servicebp render examples/bank_account_opening.yaml -o bank.svg" in command
    assert "servicebp score examples/bank_account_opening.yaml" in command
    assert (ROOT / "examples" / "bank_account_opening.yaml").is_file()


def test_test_command_installs_the_dev_extra_and_runs_pytest() -> None:
    command = _command("test-command")
    assert "pip install -e '.[dev]'" in command
    assert command.rstrip().endswith("pytest -q")
