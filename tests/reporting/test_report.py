"""The HTML report: one self-contained page, checked in a real headless browser."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

import servicebp as sbp
from tests._cli import Runner
from tests._paths import BANK

SECTIONS = [
    "blueprint",
    "emotion-curve",
    "journey-scores",
    "moments",
    "fail-points",
    "waits",
    "lint",
    "observed",
]
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


class _Collect(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def tags(page: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = _Collect()
    parser.feed(page)
    return parser.tags


def journeys_csv(bp: sbp.Blueprint, path: Path) -> Path:
    spine = [s.id for s in bp.customer_spine()]
    lines = ["journey,step,order,rating,opened"]
    for j in range(40):
        opened = j % 3 != 0
        for k, step in enumerate(spine):
            rating = (1 if opened else -2) if step == "show-id" else (j + k) % 5 - 2
            lines.append(f"{j},{step},{k},{rating},{int(opened)}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_page_has_every_section_and_nothing_external() -> None:
    bp = sbp.load(BANK)
    page = sbp.report(bp, engine="embedded")
    found = tags(page)
    assert [a["id"] for t, a in found if t == "section"] == SECTIONS
    assert not [t for t, _ in found if t in ("script", "link", "iframe", "img", "object")]
    assert not re.search(r"(?:https?:)?//[a-z]", page.replace("<!DOCTYPE html>", ""))
    assert "<?xml" not in page
    assert page.count("<svg") == 2
    # The moments of truth with their EOAC coverage and expectations.
    assert "Staff greet me and explain the accounts clearly (explicit, promise)" in page
    assert 'title="confirm">C✗' in page
    assert "KYC review queue backs up" in page
    assert "SBP003" in page
    assert "No observed data were given." in page


def test_hostile_text_is_escaped() -> None:
    bp = sbp.Blueprint('<script>alert("x")</script>', stages=["s"], description="<b>&</b>")
    bp.add_step(
        sbp.Step(
            id="a",
            label="</td><img src=x onerror=alert(1)>",
            lane="customer",
            stage="s",
            moment=sbp.MomentOfTruth(kind="usage"),
            fail_point=sbp.FailPoint(what="<i>"),
        )
    )
    page = sbp.report(bp, engine="embedded")
    assert not [t for t, _ in tags(page) if t in ("script", "img", "b", "i")]
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page


def test_observed_data_add_statistics_and_suggestions(tmp_path: Path) -> None:
    bp = sbp.load(BANK)
    table = journeys_csv(bp, tmp_path / "journeys.csv")
    page = sbp.report(bp, observed=table, outcome="opened", engine="embedded")
    assert "Suggested moments of truth (outcome opened)" in page
    assert "observed mean, 95 % interval" in page
    stats = sbp.step_statistics(bp, str(table), output="numpy")
    first = bp[str(stats["step"][0])].label
    assert f'<td>{first}</td><td class="num">40</td>' in page


def test_observed_data_with_an_outcome_add_the_importance_performance_chart(
    tmp_path: Path,
) -> None:
    bp = sbp.load(BANK)
    table = journeys_csv(bp, tmp_path / "journeys.csv")
    page = sbp.report(bp, observed=table, outcome="opened", engine="embedded")
    assert "Importance and performance (Martilla &amp; James 1977)" in page
    found = sbp.suggest_moments(bp, str(table), outcome="opened")
    drivers = [s.driver for s in found if s.driver is not None and s.driver.importance is not None]
    assert drivers
    # Each driver's quadrant as the table computes it appears in the chart's point and row.
    section = page[page.index("Importance and performance") :]
    chart = section[section.index("<svg") : section.index("</svg>")]
    for driver in drivers:
        label = bp[driver.step].label
        assert f">{label}</text>" in chart
    for quadrant in sbp.QUADRANTS.values():
        assert quadrant in chart
    assert (
        "<svg" not in sbp.report(bp, observed=table, engine="embedded").split("Observed data")[-1]
    )


def test_cli_writes_the_page(tmp_path: Path, runner: Runner) -> None:
    out = tmp_path / "report.html"
    table = journeys_csv(sbp.load(BANK), tmp_path / "journeys.csv")
    args = ["report", str(BANK), "--ratings", str(table), "--outcome", "opened"]
    result = runner.invoke([*args, "-o", str(out), "--engine", "embedded"])
    assert result.exit_code == 0, result.output
    assert "Suggested moments of truth" in out.read_text(encoding="utf-8")
    ratings = tmp_path / "ratings.csv"
    ratings.write_text("step,rating\narrive,-3\n", encoding="utf-8")
    args = ["report", str(BANK), "--ratings", str(ratings), "--outcome", "opened", "-o", str(out)]
    assert runner.invoke(args).exit_code == 2
    args = ["report", str(BANK), "--ratings", str(ratings), "-o", str(BANK)]
    assert runner.invoke(args).exit_code == 1


def open_in_chromium(page: Path, profile: Path) -> tuple[str, list[str], list[str]]:
    """Load *page* headless; return its DOM, console messages and page-initiated requests."""
    assert CHROMIUM is not None
    net_log = profile / "net.json"
    done = subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            f"--user-data-dir={profile}",
            "--enable-logging=stderr",
            "--v=0",
            f"--log-net-log={net_log}",
            "--dump-dom",
            page.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    console = [line for line in done.stderr.splitlines() if ":CONSOLE" in line]
    log = json.loads(net_log.read_text(encoding="utf-8"))
    start = log["constants"]["logEventTypes"]["URL_REQUEST_START_JOB"]
    # The browser's own requests (component updates, accounts) have no origin;
    # what the page loads has the page's origin as initiator.
    requests = [
        event["params"]["url"]
        for event in log["events"]
        if event["type"] == start
        and "url" in event.get("params", {})
        and event["params"].get("initiator") != "not an origin"
    ]
    return done.stdout, console, requests


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (apt-get install chromium)")
def test_headless_chromium_loads_the_bank_report_offline(tmp_path: Path, runner: Runner) -> None:
    out = tmp_path / "report.html"
    table = journeys_csv(sbp.load(BANK), tmp_path / "journeys.csv")
    args = ["report", str(BANK), "--ratings", str(table), "--outcome", "opened", "-o", str(out)]
    assert runner.invoke(args).exit_code == 0
    dom, console, requests = open_in_chromium(out, tmp_path / "profile")
    assert console == []
    assert requests == []
    ids = re.findall(r'<section id="([^"]+)"', dom)
    assert ids == SECTIONS
    # the blueprint, the emotion chart and the importance–performance chart
    assert dom.count("<svg") == 3
    # The check can fail: a page that loads something and logs an error is caught.
    bad = tmp_path / "bad.html"
    bad.write_text(
        '<!DOCTYPE html><img src="http://127.0.0.1:9/x.png"><script>console.error("x")</script>',
        encoding="utf-8",
    )
    _, console, requests = open_in_chromium(bad, tmp_path / "profile2")
    assert len(console) == 1
    assert requests == ["http://127.0.0.1:9/x.png"]
