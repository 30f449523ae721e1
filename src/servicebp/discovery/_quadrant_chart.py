"""The importance–performance chart: Martilla & James's (1977) grid, drawn as SVG.

Private: re-exported by :mod:`servicebp.discovery`.

Martilla & James (1977, *Importance-Performance Analysis*, Journal of
Marketing 41(1)) plot performance across and importance up, and split the
plane with a crosshair into four named quadrants: high importance and low
performance, top left, is "concentrate here". The chart draws the rows of
:func:`~servicebp.importance_performance` with the same crosshair. It is
written by hand (no plotting library): one self-contained SVG document, no
script, no external resource; step names are escaped as XML text.
"""

from __future__ import annotations

import html
import math
from collections.abc import Mapping, Sequence
from typing import Final

from servicebp._xml_text import xml_safe
from servicebp.discovery._quadrants import QUADRANTS, ImportancePerformance, crosshair
from servicebp.errors import InvalidArgumentError

__all__ = ["importance_performance_chart"]

_WIDTH: Final = 640
_HEIGHT: Final = 480
#: The plot area inside the margins (left, top, right, bottom).
_LEFT, _TOP, _RIGHT, _BOTTOM = 70, 40, 610, 420
_TICKS: Final = 5
#: Light fills for the four quadrants, keyed like QUADRANTS (colour-blind safe hues).
_FILLS: Final = {
    (True, False): "#fde0c5",
    (True, True): "#d4eed1",
    (False, False): "#eeeeee",
    (False, True): "#dbe7f5",
}


def _text(value: object) -> str:
    """*value* as XML text: invalid characters replaced, markup characters escaped."""
    return html.escape(xml_safe(str(value)), quote=True)


def _span(values: Sequence[float]) -> tuple[float, float]:
    """An axis range holding *values* with a margin of a tenth on each side."""
    low, high = min(values), max(values)
    pad = (high - low) / 10 if high > low else max(abs(low), 1.0) / 10
    return low - pad, high + pad


def _scale(low: float, high: float, start: int, end: int) -> tuple[float, float]:
    """The slope and offset mapping [low, high] onto [start, end] pixels."""
    slope = (end - start) / (high - low)
    return slope, start - slope * low


def _f(value: float) -> str:
    return f"{value:.1f}"


def importance_performance_chart(
    rows: Sequence[ImportancePerformance],
    *,
    importance_cut: float | None = None,
    performance_cut: float | None = None,
    labels: Mapping[str, str] | None = None,
    importance_label: str = "importance",
    performance_label: str = "performance (mean rating)",
) -> str:
    """Draw the importance–performance table as an SVG chart with its four quadrants named.

    Parameters
    ----------
    rows : sequence of ImportancePerformance
        From :func:`~servicebp.importance_performance`.
    importance_cut, performance_cut : float, optional
        The crosshair, as given to :func:`~servicebp.importance_performance`;
        by default the means over the rows (the table's default).
    labels : mapping of str to str, optional
        A display name per step (a blueprint's labels); the step id otherwise.
    importance_label, performance_label : str
        The axis titles.

    Returns
    -------
    str
        A standalone SVG document (performance across, importance up, the
        quadrant names in their corners, one labelled point per step). A step
        without a performance (never rated) is left out of the picture.

    Raises
    ------
    InvalidArgumentError
        If no row has a finite importance and performance.

    Examples
    --------
    >>> rows = (ImportancePerformance(step="desk", importance=0.4, performance=-1.0,
    ...                               quadrant="concentrate here"),
    ...         ImportancePerformance(step="bar", importance=0.1, performance=1.0,
    ...                               quadrant="possible overkill"))
    >>> svg = importance_performance_chart(rows)
    >>> svg.startswith("<svg") and "concentrate here" in svg and ">desk</text>" in svg
    True
    """
    shown = [r for r in rows if math.isfinite(r.importance) and math.isfinite(r.performance)]
    if not shown:
        raise InvalidArgumentError("no row has a finite importance and performance to draw")
    i_cut, p_cut = crosshair(rows, importance_cut, performance_cut)
    x_low, x_high = _span([r.performance for r in shown] + [p_cut])
    y_low, y_high = _span([r.importance for r in shown] + [i_cut])
    xs, x0 = _scale(x_low, x_high, _LEFT, _RIGHT)
    ys, y0 = _scale(y_low, y_high, _BOTTOM, _TOP)
    cx, cy = xs * p_cut + x0, ys * i_cut + y0
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{_WIDTH}" height="{_HEIGHT}" '
        f'viewBox="0 0 {_WIDTH} {_HEIGHT}" role="img" font-family="DejaVu Sans, sans-serif" '
        'font-size="12" class="sbp-ipa">',
        "<title>Importance–performance chart (Martilla &amp; James 1977)</title>",
        *_quadrants(cx, cy),
        *_axes(x_low, x_high, y_low, y_high, importance_label, performance_label),
        f'<line x1="{_f(cx)}" y1="{_TOP}" x2="{_f(cx)}" y2="{_BOTTOM}" stroke="#555" '
        'stroke-dasharray="4 3" class="crosshair"/>',
        f'<line x1="{_LEFT}" y1="{_f(cy)}" x2="{_RIGHT}" y2="{_f(cy)}" stroke="#555" '
        'stroke-dasharray="4 3" class="crosshair"/>',
    ]
    for row in shown:
        x, y = xs * row.performance + x0, ys * row.importance + y0
        name = (labels or {}).get(row.step, row.step)
        # Near the right edge the name goes left of its point, inside the frame.
        anchor, tx = ("end", x - 6) if x > _RIGHT - 120 else ("start", x + 6)
        parts.append(
            f'<g class="step" data-quadrant="{_text(row.quadrant)}">'
            f"<title>{_text(name)}: importance {row.importance:.3g}, "
            f"performance {row.performance:+.2f} ({_text(row.quadrant)})</title>"
            f'<circle cx="{_f(x)}" cy="{_f(y)}" r="4" fill="#333"/>'
            f'<text x="{_f(tx)}" y="{_f(y - 6)}" text-anchor="{anchor}">{_text(name)}</text></g>'
        )
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def _quadrants(cx: float, cy: float) -> list[str]:
    """The four quadrant backgrounds, each named in its outer corner."""
    out = []
    for (high_importance, high_performance), name in QUADRANTS.items():
        left, right = (cx, _RIGHT) if high_performance else (_LEFT, cx)
        top, bottom = (_TOP, cy) if high_importance else (cy, _BOTTOM)
        anchor, tx = ("end", right - 6) if high_performance else ("start", left + 6)
        ty = top + 16 if high_importance else bottom - 8
        out.append(
            f'<rect x="{_f(left)}" y="{_f(top)}" width="{_f(right - left)}" '
            f'height="{_f(bottom - top)}" fill="{_FILLS[high_importance, high_performance]}" '
            f'class="quadrant"/><text x="{_f(tx)}" y="{_f(ty)}" text-anchor="{anchor}" '
            f'font-weight="bold" fill="#444" class="quadrant-name">{name}</text>'
        )
    return out


def _axes(
    x_low: float, x_high: float, y_low: float, y_high: float, y_title: str, x_title: str
) -> list[str]:
    """The frame, five ticks on each axis with their values, and the axis titles."""
    out = [
        f'<rect x="{_LEFT}" y="{_TOP}" width="{_RIGHT - _LEFT}" height="{_BOTTOM - _TOP}" '
        'fill="none" stroke="#333"/>'
    ]
    for k in range(_TICKS):
        t = k / (_TICKS - 1)
        x, value = _LEFT + t * (_RIGHT - _LEFT), x_low + t * (x_high - x_low)
        out.append(f'<text x="{_f(x)}" y="{_BOTTOM + 16}" text-anchor="middle">{value:+.2f}</text>')
        y, value = _BOTTOM - t * (_BOTTOM - _TOP), y_low + t * (y_high - y_low)
        out.append(f'<text x="{_LEFT - 6}" y="{_f(y + 4)}" text-anchor="end">{value:.2f}</text>')
    middle_x, middle_y = (_LEFT + _RIGHT) / 2, (_TOP + _BOTTOM) / 2
    out.append(
        f'<text x="{_f(middle_x)}" y="{_HEIGHT - 20}" text-anchor="middle">{_text(x_title)}</text>'
    )
    out.append(
        f'<text x="16" y="{_f(middle_y)}" text-anchor="middle" '
        f'transform="rotate(-90 16 {_f(middle_y)})">{_text(y_title)}</text>'
    )
    return out
