"""``servicebp render``: draw a blueprint as SVG, PNG, PDF, DOT or Mermaid."""

from __future__ import annotations

from pathlib import Path

import click

from servicebp._atomic import write_atomic
from servicebp.cli import main
from servicebp.cli._common import echo, not_an_input, persona_option, reports_errors
from servicebp.interchange import to_drawio
from servicebp.io import load
from servicebp.model._personas import seen_by
from servicebp.observed import read_ratings
from servicebp.rendering import (
    DETAILS,
    ENGINES,
    FORMATS,
    MAX_TIMEOUT,
    choose_engine,
    render_bytes,
    to_dot,
    to_mermaid,
)

__all__ = ["render_command"]

_FORMATS = ("svg", "png", "pdf", "dot", "mermaid", "mermaid-flowchart", "drawio")


@main.command("render")
@click.argument("blueprint", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The file to write (written atomically).",
)
@click.option(
    "--format",
    "image_format",
    type=click.Choice(_FORMATS),
    default=None,
    help="Output format; default: from the output's suffix (.svg, .png, .pdf, .dot, .mmd, "
    ".drawio).",
)
@click.option(
    "--ratings",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="CSV of ratings (step,rating or an observed-journey table) to colour steps with.",
)
@click.option("--no-legend", is_flag=True, help="Leave the legend out.")
@click.option(
    "--emotion",
    is_flag=True,
    help="Draw the emotion curve (each customer step's rating) as a lane beneath the support "
    "lane (SVG, PNG, PDF, DOT).",
)
@click.option(
    "--details",
    "details",
    multiple=True,
    type=click.Choice(DETAILS),
    help="Also print on steps: 'duration' (against the execution standard) or 'cost'; repeatable.",
)
@click.option(
    "--dpi",
    type=click.FloatRange(min=10, max=2400),
    default=96.0,
    show_default=True,
    help="Resolution of a PNG picture, in dots per inch.",
)
@click.option(
    "--engine",
    type=click.Choice(list(ENGINES)),
    default="auto",
    show_default=True,
    help=(
        "Graphviz engine: 'dot' runs Graphviz's dot program (must be on PATH; every format); "
        "'embedded' the WebAssembly Graphviz installed with servicebp (SVG only); "
        "'pygraphviz' the pygraphviz package (needs the extra: pip install "
        "'servicebp[png]'; every format); 'auto' takes dot when on PATH, otherwise "
        "embedded for SVG and pygraphviz for PNG and PDF."
    ),
)
@click.option(
    "--timeout",
    type=click.FloatRange(min=0, min_open=True, max=MAX_TIMEOUT),
    default=60.0,
    show_default=True,
    help="Seconds rendering may take (building the drawing and the engine), at most a day.",
)
@persona_option
@reports_errors
def render_command(
    blueprint: Path,
    output: Path,
    image_format: str | None,
    ratings: Path | None,
    no_legend: bool,
    emotion: bool,
    details: tuple[str, ...],
    dpi: float,
    engine: str,
    timeout: float,
    persona: str | None,
) -> None:
    """Draw BLUEPRINT (YAML or JSON) into OUTPUT.

    Lanes are horizontal bands, stages columns; ratings colour the steps.
    With --persona ID, the picture is that persona's (its ratings, emotion
    curve and waits, its label in the title).
    """
    not_an_input(output, blueprint, ratings)
    chosen = image_format or _format_from_suffix(output)
    if chosen in FORMATS:
        # Resolved here so that a missing engine is explained in the CLI's terms.
        engine = choose_engine(engine, chosen, spelling="--engine {}")
    bp = seen_by(load(blueprint), persona)
    rated = read_ratings(ratings, bp=bp) if ratings is not None else None
    if chosen == "drawio":
        write_atomic(output, to_drawio(bp, ratings=rated))
    elif chosen == "dot":
        write_atomic(
            output,
            to_dot(
                bp, ratings=rated, legend=not no_legend, details=details, emotion=emotion
            ).source,
        )
    elif chosen in ("mermaid", "mermaid-flowchart"):
        kind = "journey" if chosen == "mermaid" else "flowchart"
        write_atomic(output, to_mermaid(bp, kind=kind, ratings=rated) + "\n")
    else:
        # --format wins over the suffix here (render() would refuse the mismatch).
        data = render_bytes(
            bp,
            format=chosen,
            engine=engine,
            ratings=rated,
            legend=not no_legend,
            details=details,
            dpi=dpi,
            timeout=timeout,
            emotion=emotion,
        )
        write_atomic(output, data)
    echo(f"wrote {output}")


def _format_from_suffix(output: Path) -> str:
    suffix = output.suffix.lower().lstrip(".")
    by_suffix = {"svg": "svg", "png": "png", "pdf": "pdf", "dot": "dot", "gv": "dot"}
    by_suffix |= {"mmd": "mermaid", "mermaid": "mermaid", "drawio": "drawio"}
    if suffix not in by_suffix:
        raise click.UsageError(
            f"cannot tell the format from the suffix {output.suffix!r} of {str(output)!r}; "
            f"use --format ({', '.join(_FORMATS)})"
        )
    return by_suffix[suffix]
