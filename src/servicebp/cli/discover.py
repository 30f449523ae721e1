"""``servicebp discover`` and ``servicebp conformance``: moments of truth and practice from data."""

from __future__ import annotations

from pathlib import Path

import attrs
import click

from servicebp.cli import main
from servicebp.cli._common import INPUT_FILE, echo, format_option, reports_errors
from servicebp.cli._format import json_text
from servicebp.discovery import DRIVER_METHODS, Conformance, conformance, suggest_moments
from servicebp.io import load

__all__ = ["conformance_command", "discover_command"]


@main.command("discover")
@click.argument("blueprint", type=INPUT_FILE)
@click.argument("events", type=INPUT_FILE)
@click.option("--outcome", required=True, help="Outcome column: 0/1 or a satisfaction number.")
@click.option("--journey", default="journey", show_default=True, help="Journey-id column.")
@click.option("--step", default="step", show_default=True, help="Step-id column.")
@click.option("--order", default=None, help="Order/timestamp column (default: order or timestamp).")
@click.option("--rating", default=None, help="Rating column (default: rating, if present).")
@click.option(
    "--top",
    type=click.IntRange(min=0),
    default=3,
    show_default=True,
    help="Suggest at most this many new moments (steps tagged already do not count).",
)
@click.option(
    "--method",
    type=click.Choice(sorted(DRIVER_METHODS)),
    default="regression",
    show_default=True,
    help="Key-driver method that ranks rated steps.",
)
@click.option(
    "--higher-is-better/--lower-is-better",
    default=True,
    show_default=True,
    help="Whether 1 (or a higher outcome) is good; --lower-is-better for churn.",
)
@click.option(
    "--resamples",
    type=click.IntRange(min=0),
    default=1000,
    show_default=True,
    help="Bootstrap resamples of the key-driver intervals (run only with ratings).",
)
@click.option(
    "--min-removal-effect",
    type=click.FloatRange(min=0.0, max=1.0),
    default=0.1,
    show_default=True,
    help="Without ratings, suggest a step only with at least this removal effect.",
)
@click.option("--seed", default=0, show_default=True, help="Bootstrap seed.")
@format_option
@reports_errors
def discover_command(
    blueprint: Path,
    events: Path,
    outcome: str,
    journey: str,
    step: str,
    order: str | None,
    rating: str | None,
    top: int,
    method: str,
    higher_is_better: bool,
    resamples: int,
    min_removal_effect: float,
    seed: int,
    output_format: str,
) -> None:
    """Rank BLUEPRINT's customer-facing steps by what EVENTS.csv says decides OUTCOME."""
    bp = load(blueprint)
    found = suggest_moments(
        bp,
        events,
        outcome=outcome,
        journey=journey,
        step=step,
        order=order,
        rating=rating,
        top=top,
        method=method,
        higher_is_better=higher_is_better,
        resamples=resamples,
        min_removal_effect=min_removal_effect,
        seed=seed,
    )
    if output_format == "json":
        rows = [
            {
                "rank": s.rank,
                "step": s.step,
                "suggested": s.suggested,
                "supported": s.supported,
                "signal": s.signal,
                "score": s.score,
                "journeys": s.journeys,
                "removal_effect": s.removal_effect,
                "driver": None if s.driver is None else attrs.asdict(s.driver),
                "kind": s.moment.kind.value,
                "already_tagged": s.already_tagged,
                "reasons": list(s.reasons),
            }
            for s in found
        ]
        echo(json_text({"suggestions": rows}))
        return
    for s in found:
        score = "-" if s.score is None else f"{s.score:.3f}"
        mark = "MOT?" if s.suggested else ("MOT" if s.already_tagged else "")
        echo(f"{s.rank:>3}  {s.step:<24} {s.signal}={score:<8} n={s.journeys:<7} {mark}")
        for reason in s.reasons:
            echo(f"       {reason}")


@main.command("conformance")
@click.argument("blueprint", type=INPUT_FILE)
@click.argument("events", type=INPUT_FILE)
@click.option("--case", default="case:concept:name", show_default=True, help="Case-id column.")
@click.option("--activity", default="concept:name", show_default=True, help="Activity column.")
@click.option("--timestamp", default="time:timestamp", show_default=True, help="Time column.")
@format_option
@reports_errors
def conformance_command(
    blueprint: Path, events: Path, case: str, activity: str, timestamp: str, output_format: str
) -> None:
    """Compare the event log EVENTS.csv with the designed BLUEPRINT, lane by lane.

    Within a lane, consecutive events of a case are compared with the
    designed sequence flows; a designed support flow counts as observed when
    both its ends occur in the same case. Waits are timestamp gaps (they
    include the previous step's duration). Activity names from the log are
    printed as Python literals (quoted, control characters escaped).
    """
    bp = load(blueprint)
    result = conformance(bp, events, case=case, activity=activity, timestamp=timestamp)
    if output_format == "json":
        echo(_json_for_terminal(_conformance_report(result)))
    else:
        _echo_conformance(result)


def _conformance_report(result: Conformance) -> dict[str, object]:
    """The JSON of ``servicebp conformance``: every figure of *result*."""
    return {
        "cases": result.cases,
        "edges": [
            {
                "source": e.source,
                "target": e.target,
                "count": e.count,
                "median_wait": e.median_wait,
                "designed": e.designed,
            }
            for e in result.edges
        ],
        "unobserved": [[f.source, f.target] for f in result.unobserved],
        "links": [
            {"source": x.source, "target": x.target, "kind": x.kind.value, "cases": x.cases}
            for x in result.links
        ],
        "unobserved_links": [[f.source, f.target] for f in result.unobserved_links],
        "skipped": {k: list(v) for k, v in result.skipped.items()},
        "never_observed": list(result.never_observed),
        "slow_waits": [
            {
                "step": w.step,
                "median_wait": w.median_wait,
                "tolerance": w.tolerance,
                "share_over": w.share_over,
            }
            for w in result.slow_waits
        ],
        "unknown_activities": result.unknown_activities,
        "fitness": result.fitness,
        "precision": result.precision,
        "transitions": result.transitions,
        "deviations": [
            {
                "case": d.case,
                "fitness": d.fitness,
                "transitions": d.transitions,
                "undesigned": [list(pair) for pair in d.undesigned],
            }
            for d in result.deviations
        ],
    }


def _echo_conformance(result: Conformance) -> None:
    """The text of ``servicebp conformance``, one finding a line."""
    echo(f"{result.cases} case(s)")
    fitness = "-" if result.fitness is None else f"{result.fitness:.3f}"
    precision = "-" if result.precision is None else f"{result.precision:.3f}"
    fitting = len(result.deviations)
    echo(
        f"fitness {fitness} ({result.transitions} within-lane transition(s), "
        f"{fitting} case(s) off the design), precision {precision}"
    )
    for e in result.edges:
        flag = "" if e.designed else "  NOT DESIGNED"
        echo(f"{e.source} -> {e.target}: n={e.count}, median wait {e.median_wait:g} min{flag}")
    for f in result.unobserved:
        echo(f"{f.source} -> {f.target}: designed, never observed")
    for x in result.links:
        echo(f"{x.source} -> {x.target}: {x.kind.value}, both in {x.cases} case(s)")
    for f in result.unobserved_links:
        echo(f"{f.source} -> {f.target}: designed {f.kind.value}, never observed")
    for jump, between in result.skipped.items():
        echo(f"{jump}: skips {', '.join(between)}")
    for sid in result.never_observed:
        echo(f"{sid}: never observed")
    for w in result.slow_waits:
        echo(
            f"{w.step}: median wait {w.median_wait:g} min over tolerance {w.tolerance:g} "
            f"({w.share_over:.0%} of arrivals)"
        )
    for name, count in result.unknown_activities.items():
        # Text from the log, shown as the validate messages show values: repr() escapes it.
        echo(f"{name!r}: not a step of the blueprint ({count} event(s))")


def _json_for_terminal(data: object) -> str:
    r"""JSON text with no character a terminal would act on.

    :func:`json.dumps` escapes the C0 controls; this also escapes the other
    characters Python does not call printable (DEL, the C1 controls such as
    CSI ``\x9b``, bidi overrides, line separators) as ``\uXXXX``, which
    JSON readers decode back to the same text.

    Examples
    --------
    >>> print(_json_for_terminal({"a\x9b": "\u202eb"}))
    {
      "a\u009b": "\u202eb"
    }
    """
    text = json_text(data)
    if text.isprintable():
        return text
    out: list[str] = []
    for char in text:
        if char.isprintable() or char == "\n":
            out.append(char)
        else:
            data16 = char.encode("utf-16-be")
            out.extend(
                f"\\u{int.from_bytes(data16[i : i + 2], 'big'):04x}"
                for i in range(0, len(data16), 2)
            )
    return "".join(out)
