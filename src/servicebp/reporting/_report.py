"""One self-contained HTML page with the whole analysis of a blueprint.

The page holds the blueprint picture (inline SVG from the renderer), the
emotion chart, the journey scores per strategy, the moments of truth with
their Explore → Offer → Action → Confirm coverage and expectations, the
fail-point impact, the waits over tolerance and the lint findings; with
observed data also the step statistics and the suggested moments of truth.

It needs nothing from the network: the CSS is inline, there is no script,
and the pictures are inline SVG without an XML prolog, a DOCTYPE or
namespace URLs. Narrow screens get one column and scrolling tables, and
printing drops the colours of the page but not of the pictures. All user
text is escaped with :func:`html.escape`.
"""

from __future__ import annotations

import html
import math
import os
import re
from collections.abc import Mapping, Sequence
from typing import Any, Final

from servicebp.analysis import expected_scores, fail_point_impact, journey_scores
from servicebp.discovery import (
    DRIVER_METHODS,
    MomentSuggestion,
    importance_performance,
    importance_performance_chart,
    suggest_moments,
)
from servicebp.errors import EmptyJourneyError, RatingError, RenderError, TooManyJourneysError
from servicebp.linting import lint
from servicebp.model import Behaviour, Blueprint
from servicebp.model._personas import seen_by
from servicebp.observed import read_observed, step_statistics
from servicebp.rendering import render_svg
from servicebp.reporting._chart import emotion_chart
from servicebp.scoring import STRATEGIES

__all__ = ["report"]

_CSS: Final = """
:root { color-scheme: light; --ink: #1d1d1f; --muted: #5f6368; --rule: #d0d4d9; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Helvetica, Arial,
  sans-serif; color: var(--ink); background: #ffffff; }
header, main { max-width: 1200px; margin: 0 auto; padding: 0 16px; }
header { padding-top: 24px; border-bottom: 1px solid var(--rule); }
h1 { font-size: 1.7em; margin: 0 0 4px; }
h2 { font-size: 1.25em; margin: 32px 0 8px; border-bottom: 1px solid var(--rule); }
p.meta { color: var(--muted); margin: 0 0 16px; }
nav ul { display: flex; flex-wrap: wrap; gap: 4px 16px; list-style: none; padding: 0; }
nav a { color: #1a5fb4; }
section { break-inside: avoid-page; }
figure { margin: 0; overflow-x: auto; }
figure svg { max-width: 100%; height: auto; }
figure.picture svg { min-width: 640px; }
.table { overflow-x: auto; }
table { border-collapse: collapse; min-width: 60%; font-size: 0.92em; }
th, td { text-align: left; padding: 4px 10px 4px 0; border-bottom: 1px solid var(--rule);
  vertical-align: top; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.yes { color: #1b7837; font-weight: bold; }
.no { color: #b2182b; font-weight: bold; }
.error { color: #b2182b; } .warning { color: #a15c00; } .info { color: var(--muted); }
.empty { color: var(--muted); font-style: italic; }
@media (max-width: 640px) {
  body { font-size: 14px; }
  h1 { font-size: 1.35em; }
  table { min-width: 100%; }
}
@media print {
  nav { display: none; }
  body { font-size: 11pt; }
  a { color: inherit; text-decoration: none; }
  h2 { break-after: avoid-page; }
  tr { break-inside: avoid; }
}
"""
_SECTIONS: Final = (
    ("blueprint", "Blueprint"),
    ("emotion-curve", "Emotion curve"),
    ("journey-scores", "Journey scores"),
    ("moments", "Moments of truth"),
    ("fail-points", "Fail points"),
    ("waits", "Waits over tolerance"),
    ("lint", "Lint findings"),
    ("observed", "Observed data"),
)
#: Journeys listed in the score table, most likely first.
MAX_JOURNEYS: Final = 25


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def _number(value: float | None, digits: int = 2) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    return f"{value:+.{digits}f}" if digits else f"{value:g}"


def _score(value: float | None, strategy: str) -> str:
    """A journey score: signed on −3…+3; a share strategy's share in [0, 1] unsigned."""
    if STRATEGIES[strategy].is_rating or value is None or math.isnan(value):
        return _number(value)
    return f"{value:.2f}"


def _inline_svg(svg: str) -> str:
    """An SVG document as an element of the page: no prolog, DOCTYPE or namespace URLs."""
    svg = re.sub(r"<\?xml[^>]*\?>", "", svg)
    svg = re.sub(r"<!DOCTYPE[^>]*>", "", svg, flags=re.IGNORECASE)
    svg = re.sub(r'\s+xmlns(?::\w+)?="[^"]*"', "", svg)
    return svg.strip()


def _table(header: Sequence[str], rows: Sequence[Sequence[str]], numeric: set[int]) -> str:
    if not rows:
        return '<p class="empty">None.</p>'
    head = "".join(
        f'<th class="num">{_e(h)}</th>' if i in numeric else f"<th>{_e(h)}</th>"
        for i, h in enumerate(header)
    )
    body = "".join(
        "<tr>"
        + "".join(
            f'<td class="num">{cell}</td>' if i in numeric else f"<td>{cell}</td>"
            for i, cell in enumerate(row)
        )
        + "</tr>"
        for row in rows
    )
    table = f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
    return f'<div class="table">{table}</div>'


def _section(anchor: str, title: str, body: str) -> str:
    return f'<section id="{anchor}"><h2>{_e(title)}</h2>{body}</section>'


def _picture(bp: Blueprint, ratings: Mapping[str, float] | None, engine: str) -> str:
    try:
        svg = render_svg(bp, ratings=ratings, engine=engine)
    except RenderError as error:
        return f'<p class="empty">The picture could not be drawn: {_e(error)}</p>'
    return f'<figure class="picture">{_inline_svg(svg)}</figure>'


def _scores(bp: Blueprint, ratings: Mapping[str, float] | None) -> str:
    names = list(STRATEGIES)
    try:
        expected = expected_scores(bp, ratings=ratings, strategies=names)
    except (RatingError, EmptyJourneyError, TooManyJourneysError) as error:
        return f'<p class="empty">No journey scores: {_e(error)}.</p>'
    summary = _table(
        ["strategy", "expected score"],
        [[_e(name), _score(expected.get(name), name)] for name in names],
        {1},
    )
    scored = sorted(
        journey_scores(bp, ratings=ratings, strategies=names), key=lambda j: -j.probability
    )
    label = {step.id: step.label for step in bp.steps()}
    rows = [
        [
            " → ".join(_e(label[s]) for s in journey.steps),
            f"{journey.probability:.2f}",
            *(_score(journey.scores.get(name), name) for name in names),
        ]
        for journey in scored[:MAX_JOURNEYS]
    ]
    more = len(scored) - MAX_JOURNEYS
    note = f'<p class="empty">{more} less likely journeys are not listed.</p>' if more > 0 else ""
    each = _table(["journey", "probability", *names], rows, set(range(1, len(names) + 2)))
    return (
        "<p>Expected over the journeys' probabilities, then journey by journey; a "
        "strategy names how a journey's ratings become one score (on −3…+3; "
        "share_positive is the share of steps rated above 0, in 0…1).</p>" + summary + each + note
    )


def _moments(bp: Blueprint) -> str:
    rows = []
    for step in bp.moments():
        moment = step.moment
        assert moment is not None
        covered = set(moment.behaviours)
        eoac = " ".join(
            f'<span class="{"yes" if b in covered else "no"}" title="{_e(b.value)}">'
            f"{_e(b.value[0].upper())}{'✓' if b in covered else '✗'}</span>"
            for b in Behaviour
        )
        expectations = "<br>".join(
            f"{_e(e.text)} ({_e(e.type.value)}"
            + (f", {_e(e.source.value)}" if e.source is not None else "")
            + ")"
            for e in moment.expectations
        )
        rows.append(
            [
                _e(step.label),
                _e(step.stage),
                _e(moment.kind.value),
                _e(moment.contact_mode.value if moment.contact_mode else "—"),
                eoac,
                expectations or '<span class="empty">none given</span>',
            ]
        )
    return (
        "<p>Explore → Offer → Action → Confirm: ✓ covered by the design, ✗ missing "
        "(Confirm is the step people skip).</p>"
        + _table(["step", "stage", "kind", "contact mode", "EOAC", "expectations"], rows, set())
    )


def _fail_points(bp: Blueprint) -> str:
    label = {step.id: step.label for step in bp.steps()}
    rows = [
        [
            _e(label[impact.step]),
            _e(impact.lane.value),
            _e(impact.what),
            _e(impact.recovery) if impact.recovery else '<span class="no">none</span>',
            _number(impact.failure_probability),
            ", ".join(_e(label[s]) for s in impact.customer_steps),
            ", ".join(_e(label[s]) for s in impact.moments) or "—",
            f"{impact.risk:.3f}" if impact.risk is not None else "—",
        ]
        for impact in fail_point_impact(bp)
    ]
    return _table(
        [
            "step",
            "lane",
            "what fails",
            "recovery",
            "probability",
            "customer steps hit",
            "moments endangered",
            "risk",
        ],
        rows,
        {4, 7},
    )


def _waits(bp: Blueprint) -> str:
    rows = []
    for step in bp.steps():
        wait = step.wait
        if wait is None or not wait.over_tolerance or wait.tolerance is None:
            continue
        rows.append(
            [
                _e(step.label),
                _e(step.stage),
                f"{wait.duration:g}",
                f"{wait.tolerance:g}",
                f"{wait.duration - wait.tolerance:g}",
            ]
        )
    return _table(
        ["step", "stage", "wait (min)", "tolerable (min)", "over by (min)"], rows, {2, 3, 4}
    )


def _lint(bp: Blueprint) -> str:
    rows = [
        [
            f'<span class="{_e(d.severity.value)}">{_e(d.code)}</span>',
            _e(d.severity.value),
            _e(d.step),
            _e(d.message),
        ]
        for d in lint(bp)
    ]
    return _table(["rule", "severity", "step", "finding"], rows, set())


def _observed_section(
    bp: Blueprint, table: Any, outcome: str | None
) -> tuple[str, dict[str, list[float]]]:
    label = {step.id: step.label for step in bp.steps()}
    stats = step_statistics(bp, table, output="numpy")
    rows = [
        [
            _e(label.get(str(step), step)),
            f"{int(count)}",
            _number(float(mean)),
            _number(float(negative) * 100, 0) + (" %" if not math.isnan(float(negative)) else ""),
            _number(float(worst) * 100, 0) + (" %" if not math.isnan(float(worst)) else ""),
        ]
        for step, count, mean, negative, worst in zip(
            stats["step"],
            stats["count"],
            stats["mean"],
            stats["share_negative"],
            stats["share_minus_3"],
            strict=True,
        )
    ]
    body = _table(["step", "events", "mean rating", "below 0", "at −3"], rows, {1, 2, 3, 4})
    if outcome is not None:
        found = suggest_moments(bp, table, outcome=outcome)
        suggestion_rows = [
            [
                f"{s.rank}",
                _e(label.get(s.step, s.step)),
                '<span class="yes">yes</span>' if s.suggested else "no",
                "already tagged" if s.already_tagged else "",
                "<br>".join(_e(r) for r in s.reasons),
            ]
            for s in found
        ]
        body += f"<h3>Suggested moments of truth (outcome {_e(outcome)!s})</h3>" + _table(
            ["rank", "step", "suggested", "", "why"], suggestion_rows, {0}
        )
    columns = read_observed(table) if isinstance(table, str | os.PathLike) else table
    per_step: dict[str, list[float]] = {}
    for step, rating in zip(columns["step"], columns["rating"], strict=True):
        value = float(rating)
        if str(step) in bp and not math.isnan(value):
            per_step.setdefault(str(step), []).append(value)
    if outcome is not None:
        body += _importance_performance(bp, found, per_step)
    return body, per_step


def _importance_performance(
    bp: Blueprint, found: Sequence[MomentSuggestion], per_step: Mapping[str, list[float]]
) -> str:
    """Martilla & James's (1977) chart and table of the suggestions' key drivers."""
    drivers = [
        s.driver
        for s in found
        if s.driver is not None and s.driver.importance is not None and s.step in per_step
    ]
    if not drivers:
        return ""
    longest = max(len(per_step[d.step]) for d in drivers)
    # Performance is the step's mean observed rating: columns padded with NaN (unrated).
    ratings = {
        d.step: per_step[d.step] + [math.nan] * (longest - len(per_step[d.step])) for d in drivers
    }
    rows = importance_performance(drivers, ratings)
    label = {step.id: step.label for step in bp.steps()}
    what = DRIVER_METHODS[drivers[0].method]
    svg = importance_performance_chart(rows, labels=label, importance_label=f"importance: {what}")
    table = _table(
        ["step", "importance", "mean rating", "quadrant"],
        [
            [
                _e(label.get(r.step, r.step)),
                f"{r.importance:.3f}",
                _number(r.performance),
                _e(r.quadrant),
            ]
            for r in rows
        ],
        {1, 2},
    )
    return (
        "<h3>Importance and performance (Martilla &amp; James 1977)</h3>"
        f'<figure class="chart">{_inline_svg(svg)}</figure>{table}'
    )


def report(
    bp: Blueprint,
    *,
    ratings: Mapping[str, float] | None = None,
    observed: str | os.PathLike[str] | Mapping[str, Any] | None = None,
    outcome: str | None = None,
    title: str | None = None,
    engine: str = "auto",
    persona: str | None = None,
) -> str:
    """Return one self-contained HTML page with the analysis of *bp*.

    Parameters
    ----------
    bp : Blueprint
        The blueprint.
    ratings : mapping of step id to rating, optional
        Ratings (−3 … +3) that override the designed ones, for the picture,
        the chart and the scores.
    observed : path or table, optional
        An observed-journey table (``journey, step, order, rating``…, as
        :func:`servicebp.score_observed` reads it): adds the step statistics
        and the observed means to the chart.
    outcome : str, optional
        The outcome column of *observed*: adds the suggested moments of truth.
    title : str, optional
        The page's title; default: the blueprint's name.
    engine : str
        The Graphviz engine for the picture (see :func:`servicebp.render`).
    persona : str, optional
        The analysis of this declared persona: its ratings, moment weights
        and waits throughout, its label in the title.

    Examples
    --------
    >>> import servicebp as sbp
    >>> bp = sbp.Blueprint("Coffee <to go>", stages=["order"])
    >>> _ = bp.add_step(sbp.Step(id="o", label="Orders", lane="customer", stage="order",
    ...                          rating=1))
    >>> page = report(bp, engine="embedded")
    >>> page.startswith("<!DOCTYPE html>"), "<title>Coffee &lt;to go&gt;</title>" in page
    (True, True)
    >>> "<script" in page, "http://" in page or "https://" in page
    (False, False)
    """
    bp = seen_by(bp, persona)
    name = title if title is not None else bp.name
    per_step: dict[str, list[float]] = {}
    observed_body = '<p class="empty">No observed data were given.</p>'
    if observed is not None:
        observed_body, per_step = _observed_section(bp, observed, outcome)
    chart = _inline_svg(emotion_chart(bp, ratings=ratings, observed=per_step or None))
    bodies = {
        "blueprint": _picture(bp, ratings, engine),
        "emotion-curve": f'<figure class="chart">{chart}</figure>',
        "journey-scores": _scores(bp, ratings),
        "moments": _moments(bp),
        "fail-points": _fail_points(bp),
        "waits": _waits(bp),
        "lint": _lint(bp),
        "observed": observed_body,
    }
    nav = "".join(f'<li><a href="#{anchor}">{_e(text)}</a></li>' for anchor, text in _SECTIONS)
    sections = "".join(_section(anchor, text, bodies[anchor]) for anchor, text in _SECTIONS)
    counts = (
        f"{len(bp.stages)} stages, {len(bp)} steps, {len(bp.flows())} flows, "
        f"{len(bp.moments())} moments of truth"
    )
    description = f"<p>{_e(bp.description)}</p>" if bp.description else ""
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="generator" content="servicebp">'
        f"<title>{_e(name)}</title><style>{_CSS}</style></head><body>"
        f'<header><h1>{_e(name)}</h1><p class="meta">{_e(counts)}</p>{description}'
        f'<nav aria-label="sections"><ul>{nav}</ul></nav></header>'
        f"<main>{sections}</main></body></html>\n"
    )
