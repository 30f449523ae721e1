"""The emotion curve as an SVG chart, written by hand (no plotting library needed).

Customer steps run left to right in time order, grouped under their stages;
the vertical axis is the moment-of-truth scale, −3 … +3, drawn as seven
bands, each labelled with its meaning from the MOT rating sheet
("+3 delights the customer" … "−3 endangers the customer relationship").
Each curve is a line through the rated steps (an unrated step is a gap, not
a zero); moments of truth are marked with a diamond and a dashed guide.
Observed ratings, when given, are drawn as their mean with a 95 % interval
(Student's t) per step.

All user text goes through :func:`xml.sax.saxutils.escape` (with quotes), so
a label cannot become markup.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Final
from xml.sax.saxutils import escape

import attrs
from scipy import stats

from servicebp.analysis import CurvePoint, StagePoint, emotion_curve
from servicebp.errors import ArgumentTypeError, UnknownStepError
from servicebp.model import Blueprint
from servicebp.model._personas import seen_by
from servicebp.rendering import RATING_COLOURS
from servicebp.scales import RatingLevel, check_rating

__all__ = ["ObservedRating", "emotion_chart", "observed_ratings"]

_LEFT: Final = 230
_TOP: Final = 40
_BAND: Final = 34
_STEP: Final = 110
_BOTTOM: Final = 110
#: Colours of the curves, in order (Okabe & Ito's palette, safe for colour blindness).
_CURVE_COLOURS: Final = ("#000000", "#0072b2", "#d55e00", "#009e73", "#cc79a7", "#e69f00")
_OBSERVED_COLOUR: Final = "#555555"


@attrs.frozen(kw_only=True)
class ObservedRating:
    """The observed ratings of one step: their count, mean and 95 % interval."""

    step: str
    count: int
    mean: float
    low: float
    high: float


def observed_ratings(
    ratings: Mapping[str, Sequence[float]], *, confidence: float = 0.95
) -> dict[str, ObservedRating]:
    """Summarize observed ratings per step: mean and Student's-t interval.

    A step with one rating has an interval of that rating alone.

    Examples
    --------
    >>> summary = observed_ratings({"pay": [-1, 1, 0, 2]})["pay"]
    >>> summary.count, summary.mean, round(summary.low, 2), round(summary.high, 2)
    (4, 0.5, -1.55, 2.55)
    """
    found: dict[str, ObservedRating] = {}
    for step, values in ratings.items():
        checked = [check_rating(v, where=f"observed rating of step {step!r}") for v in values]
        if not checked:
            continue
        n = len(checked)
        mean = math.fsum(checked) / n
        half = 0.0
        if n > 1:
            sd = math.sqrt(math.fsum((v - mean) ** 2 for v in checked) / (n - 1))
            half = float(stats.t.ppf(0.5 + confidence / 2, n - 1)) * sd / math.sqrt(n)
        found[step] = ObservedRating(
            step=step, count=n, mean=mean, low=max(mean - half, -3), high=min(mean + half, 3)
        )
    return found


#: The bottom of the plot (seven bands below the top) and the top of the legend.
_PLOT_BOTTOM: Final = _TOP + 7 * _BAND
_LEGEND_TOP: Final = _PLOT_BOTTOM + _BOTTOM


@attrs.frozen(kw_only=True)
class _Frame:
    """The chart's size and coordinates: a column per customer step, a legend row per entry."""

    columns: int
    legend_rows: int

    @property
    def width(self) -> int:
        return _LEFT + self.columns * _STEP + 40

    @property
    def height(self) -> int:
        return _LEGEND_TOP + 22 * self.legend_rows + 20

    @property
    def plot_right(self) -> int:
        return _LEFT + self.columns * _STEP

    def x(self, i: int) -> float:
        """The middle of column *i*."""
        return _LEFT + (i + 0.5) * _STEP

    def y(self, rating: float) -> float:
        """The height of *rating*, the middle of its band for a whole one."""
        return _TOP + (3 - rating + 0.5) * _BAND


def _text(value: object) -> str:
    return escape(str(value), {'"': "&quot;", "'": "&#39;"})


def _short(label: str, width: int = 18) -> list[str]:
    words = label.split()
    lines: list[str] = []
    for word in words:
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
        if len(lines) == 3:
            break
    if len(lines) == 3 and " ".join(lines) != " ".join(words):
        lines[-1] = lines[-1][: width - 1] + "…"
    return lines or [""]


def emotion_chart(
    bp: Blueprint,
    *,
    ratings: Mapping[str, object] | None = None,
    curves: Mapping[str, Mapping[str, object]] | None = None,
    observed: Mapping[str, Sequence[float]] | None = None,
    title: str | None = None,
    persona: str | None = None,
) -> str:
    """Return the emotion curve of *bp* as SVG text.

    Parameters
    ----------
    bp : Blueprint
        The blueprint; its customer steps, in time order, are the x axis.
    ratings : mapping of step id to rating, optional
        The expected ratings (default: the steps' designed ratings), drawn as
        the curve named "expected".
    curves : mapping of name to (mapping of step id to rating), optional
        More curves, one per persona or scenario, each with its own colour and
        a legend entry; a step a curve does not rate is a gap in it
        (:func:`servicebp.persona_curves` gives one per declared persona).
    observed : mapping of step id to ratings, optional
        Observed ratings per step: their mean is drawn with a 95 % interval.
    title : str, optional
        The chart's title; default: the blueprint's name.
    persona : str, optional
        Draw the "expected" curve as this declared persona rates the steps
        (default: the steps' own ratings).

    Raises
    ------
    UnknownStepError
        If a curve or *observed* names a step the blueprint does not have.
    RatingError
        For a rating off the −3 … +3 scale.

    Examples
    --------
    >>> import xml.etree.ElementTree as ET
    >>> from servicebp import Blueprint, MomentOfTruth, Step
    >>> bp = Blueprint("Coffee <to go>", stages=["order", "pay"])
    >>> _ = bp.add_step(Step(id="o", label="Orders", lane="customer", stage="order",
    ...                      rating=2, moment=MomentOfTruth(kind="purchase")))
    >>> _ = bp.add_step(Step(id="p", label="Pays", lane="customer", stage="pay", rating=-1))
    >>> _ = bp.connect("o", "p")
    >>> svg = emotion_chart(bp, curves={"in a hurry": {"o": 0, "p": -3}},
    ...                     observed={"p": [-2, -1, 0]})
    >>> root = ET.fromstring(svg)
    >>> root.find("{http://www.w3.org/2000/svg}title").text
    'Coffee <to go>: emotion curve'
    >>> len(root.findall(".//{http://www.w3.org/2000/svg}polyline"))
    2
    >>> "+3 delights the customer" in svg and "moment of truth (1)" in svg
    True
    """
    bp = seen_by(bp, persona)
    curve = emotion_curve(bp, ratings=ratings)
    points = curve.steps
    named: list[tuple[str, dict[str, float]]] = [
        ("expected", {p.step: p.rating for p in points if p.rating is not None}),
        *_checked_curves(bp, curves or {}),
    ]
    for step_id in observed or {}:
        if step_id not in bp:
            raise UnknownStepError(step_id, known=[s.id for s in bp.steps()])
    seen = observed_ratings(observed or {})
    frame = _Frame(columns=max(len(points), 1), legend_rows=len(named) + (1 if seen else 0))
    name = title if title is not None else f"{bp.name}: emotion curve"
    out: list[str] = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="sbp-emotion-chart" '
        f'viewBox="0 0 {frame.width} {frame.height}" width="{frame.width}" '
        f'height="{frame.height}" role="img" '
        f'font-family="Helvetica, Arial, sans-serif" font-size="11">',
        f"<title>{_text(name)}</title>",
        *_bands(frame),
        *_moments_note(points),
        *_stages(curve.stages),
        *_columns(frame, points),
    ]
    for k, (curve_name, values) in enumerate(named):
        out.extend(_curve(frame, k, curve_name, values, points))
    if seen:
        out.extend(_observed(frame, points, seen, legend_row=len(named)))
    out.append("</svg>")
    return "\n".join(out) + "\n"


def _checked_curves(
    bp: Blueprint, curves: Mapping[str, Mapping[str, object]]
) -> list[tuple[str, dict[str, float]]]:
    """The extra curves by name, each step known and each rating on the scale."""
    named: list[tuple[str, dict[str, float]]] = []
    known = [s.id for s in bp.steps()]
    for name, values in curves.items():
        if not isinstance(values, Mapping):
            raise ArgumentTypeError(
                f"curve {name!r} must map step ids to ratings, not {type(values).__name__}"
            )
        checked: dict[str, float] = {}
        for step_id, value in values.items():
            if step_id not in bp:
                raise UnknownStepError(step_id, known=known)
            checked[step_id] = check_rating(value, where=f"curve {name!r}, step {step_id!r}")
        named.append((str(name), checked))
    return named


def _bands(frame: _Frame) -> list[str]:
    """A band per rating level, labelled with its meaning, and the zero line."""
    out: list[str] = []
    for level in RatingLevel:
        top = frame.y(level.value) - _BAND / 2
        out.append(
            f'<rect class="sbp-band" x="{_LEFT}" y="{top:g}" width="{frame.columns * _STEP}" '
            f'height="{_BAND}" fill="{RATING_COLOURS[level.value]}" fill-opacity="0.35"/>'
        )
        out.append(
            f'<text x="{_LEFT - 8}" y="{frame.y(level.value) + 4:g}" text-anchor="end">'
            f"{level.value:+d} {_text(level.meaning)}</text>"
        )
    out.append(
        f'<line x1="{_LEFT}" x2="{frame.plot_right}" y1="{frame.y(0):g}" y2="{frame.y(0):g}" '
        'stroke="#999999"/>'
    )
    return out


def _moments_note(points: Sequence[CurvePoint]) -> list[str]:
    moments = sum(1 for p in points if p.is_moment)
    if not moments:
        return []
    return [f'<text x="{_LEFT}" y="{_TOP - 22}">◆ moment of truth ({moments})</text>']


def _stages(stages: Sequence[StagePoint]) -> list[str]:
    """A divider and a name over the columns of each stage with customer steps."""
    out: list[str] = []
    start = 0
    for stage in stages:
        if stage.steps == 0:
            continue
        left = _LEFT + start * _STEP
        out.append(
            f'<line x1="{left}" x2="{left}" y1="{_TOP}" y2="{_PLOT_BOTTOM + 70}" stroke="#bbbbbb"/>'
        )
        out.append(
            f'<text class="sbp-stage" x="{left + stage.steps * _STEP / 2:g}" '
            f'y="{_PLOT_BOTTOM + 66}" text-anchor="middle" font-weight="bold">'
            f"{_text(stage.stage)}</text>"
        )
        start += stage.steps
    return out


def _columns(frame: _Frame, points: Sequence[CurvePoint]) -> list[str]:
    """Each step's label under its column, and a guide and diamond over a moment of truth."""
    out: list[str] = []
    for i, point in enumerate(points):
        x = frame.x(i)
        for j, line in enumerate(_short(point.label)):
            out.append(
                f'<text x="{x:g}" y="{_PLOT_BOTTOM + 16 + 13 * j}" text-anchor="middle">'
                f"{_text(line)}</text>"
            )
        if point.is_moment:
            out.append(
                f'<line x1="{x:g}" x2="{x:g}" y1="{_TOP}" y2="{_PLOT_BOTTOM}" '
                'stroke="#000000" stroke-dasharray="3 3" stroke-opacity="0.5"/>'
            )
            out.append(
                f'<path class="sbp-moment" d="M{x:g} {_TOP - 14} l6 6 l-6 6 l-6 -6 z" '
                f'fill="#000000"><title>moment of truth: {_text(point.label)}</title></path>'
            )
    return out


def _curve(
    frame: _Frame,
    k: int,
    name: str,
    values: Mapping[str, float],
    points: Sequence[CurvePoint],
) -> list[str]:
    """Curve *k*: a line through each run of rated steps, a dot per rating, its legend entry."""
    colour = _CURVE_COLOURS[k % len(_CURVE_COLOURS)]
    segment: list[str] = []
    segments: list[list[str]] = []
    for i, point in enumerate(points):
        if point.step in values:
            segment.append(f"{frame.x(i):g},{frame.y(values[point.step]):g}")
        elif segment:
            segments.append(segment)
            segment = []
    if segment:
        segments.append(segment)
    dash = "" if k == 0 else f' stroke-dasharray="{4 + 2 * k} 3"'
    out = [
        f'<polyline class="sbp-curve" fill="none" stroke="{colour}" stroke-width="2"'
        f'{dash} points="{" ".join(part)}"/>'
        for part in segments
    ]
    for i, point in enumerate(points):
        if point.step in values:
            value = values[point.step]
            out.append(
                f'<circle cx="{frame.x(i):g}" cy="{frame.y(value):g}" r="4" fill="{colour}">'
                f"<title>{_text(name)}: {_text(point.label)} {value:+g}</title></circle>"
            )
    legend_y = _LEGEND_TOP + 22 * k
    out.append(
        f'<line x1="{_LEFT}" x2="{_LEFT + 30}" y1="{legend_y}" y2="{legend_y}" '
        f'stroke="{colour}" stroke-width="2"{dash}/>'
    )
    out.append(f'<text x="{_LEFT + 38}" y="{legend_y + 4}">{_text(name)}</text>')
    return out


def _observed(
    frame: _Frame,
    points: Sequence[CurvePoint],
    seen: Mapping[str, ObservedRating],
    *,
    legend_row: int,
) -> list[str]:
    """Each observed step's mean and interval beside its column, and their legend entry."""
    out: list[str] = []
    for i, point in enumerate(points):
        summary = seen.get(point.step)
        if summary is None:
            continue
        x = frame.x(i)
        out.append(
            f'<g class="sbp-observed"><line x1="{x + 8:g}" x2="{x + 8:g}" '
            f'y1="{frame.y(summary.high):g}" y2="{frame.y(summary.low):g}" '
            f'stroke="{_OBSERVED_COLOUR}" stroke-width="2"/><rect x="{x + 4:g}" '
            f'y="{frame.y(summary.mean) - 4:g}" width="8" height="8" fill="{_OBSERVED_COLOUR}">'
            f"<title>observed: {_text(point.label)}: mean {summary.mean:+.2f}, 95 % interval "
            f"{summary.low:+.2f} … {summary.high:+.2f}, n = {summary.count}</title></rect></g>"
        )
    legend_y = _LEGEND_TOP + 22 * legend_row
    out.append(
        f'<rect x="{_LEFT + 11}" y="{legend_y - 4}" width="8" height="8" '
        f'fill="{_OBSERVED_COLOUR}"/>'
    )
    out.append(f'<text x="{_LEFT + 38}" y="{legend_y + 4}">observed mean, 95 % interval</text>')
    return out
