"""The legend beneath a blueprint picture: a sample of each kind of thing drawn, in a frame.

Samples are laid out like words in a paragraph: left to right, a new row
when the next would pass the lanes' right edge. Step-like samples come
first (a step, a moment of truth, each marker, evidence, then each rating
when the picture is rated), then the two kinds of flow.
"""

from __future__ import annotations

import attrs

from servicebp.rendering._palette import RATING_COLOURS, RATING_TEXT_COLOURS
from servicebp.rendering._scene_shapes import (
    LEGEND_FONT,
    MARKERS,
    SEQUENCE_COLOUR,
    SUPPORT_COLOUR,
    Box,
    Path,
    mot_frame,
    text_box_width,
)
from servicebp.scales import RatingLevel

__all__ = ["legend"]

_PLAIN: dict[str, str] = {"style": "rounded,filled", "fillcolor": "#ffffff"}


@attrs.frozen(kw_only=True)
class _Sample:
    """A sample box: its name, its lines, its style and what sits on it ("mot", a marker or "")."""

    name: str
    lines: tuple[str, ...]
    style: dict[str, str]
    badge: str = ""


def _samples(rated: bool) -> list[_Sample]:
    """The box samples, the ratings' only if the picture is rated."""
    samples = [
        _Sample(name="step", lines=("step",), style=dict(_PLAIN)),
        _Sample(
            name="mot",
            lines=("[MOT: kind]", "moment of truth"),
            style={"style": "filled", "fillcolor": "#ffffff", "penwidth": "1.4"},
            badge="mot",
        ),
        _Sample(name="fail", lines=("fail point",), style=dict(_PLAIN), badge="fail"),
        _Sample(name="wait", lines=("wait",), style=dict(_PLAIN), badge="wait"),
        _Sample(
            name="wait-over",
            lines=("wait over", "tolerance"),
            style=dict(_PLAIN),
            badge="wait-over",
        ),
        _Sample(
            name="evidence",
            lines=("evidence",),
            style={"shape": "note", "style": "filled", "fillcolor": "#ffffff", "color": "#8c8c8c"},
        ),
    ]
    if rated:
        samples.extend(
            _Sample(
                name=f"r{rating + 3}",
                lines=(f"{rating:+d} {RatingLevel(rating).short}",),
                style={
                    "style": "filled",
                    "fillcolor": colour,
                    "fontcolor": RATING_TEXT_COLOURS[rating],
                },
            )
            for rating, colour in RATING_COLOURS.items()
        )
    return samples


@attrs.define
class _Flow:
    """Places samples in rows from *inner_left* up to *limit*, 8 points apart."""

    inner_left: float
    limit: float
    x: float
    y: float
    row_height: float = 0.0
    right: float = 0.0

    def place(self, w: float, h: float) -> tuple[float, float]:
        """The top left corner of the next sample, *w* by *h*."""
        if self.x > self.inner_left and self.x + w > self.limit:
            self.x = self.inner_left
            self.y += self.row_height + 8
            self.row_height = 0.0
        at = (self.x, self.y)
        self.x += w + 8
        self.row_height = max(self.row_height, h)
        self.right = max(self.right, at[0] + w)
        return at


def legend(
    *, top: float, left: float, width: float, rated: bool
) -> tuple[list[Box], list[Path], float, float]:
    """The legend: samples in rows as wide as the lanes, in a frame.

    Returns its boxes (frame and caption first), its paths, its bottom and
    its right edge.
    """
    inner_left = left + 8
    rows = _Flow(
        inner_left=inner_left,
        limit=max(left + width - 8, inner_left + 200),
        x=inner_left,
        y=top + 20,
        right=inner_left,
    )
    boxes: list[Box] = []
    for sample in _samples(rated):
        boxes.extend(_sample_boxes(sample, rows))
    paths: list[Path] = []
    for name, text, colour, head in (
        ("sequence", "sequence flow", SEQUENCE_COLOUR, "normal"),
        ("support", "support flow", SUPPORT_COLOUR, "vee"),
    ):
        path, caption = _flow_sample(rows, name, text, colour, head)
        paths.append(path)
        boxes.append(caption)
    bottom = rows.y + rows.row_height + 8
    frame = Box(
        name="legend",
        ident="sbp-legend",
        role="frame",
        x=left,
        y=top,
        w=rows.right + 8 - left,
        h=bottom - top,
        style={"style": "rounded", "color": "#999999"},
        classes=("sbp-legend-frame",),
    )
    caption = Box(
        name="legend_caption",
        ident="sbp-legend-caption",
        role="legend",
        x=inner_left,
        y=top + 3,
        w=text_box_width(["Legend"], 10.0) + 4,
        h=14,
        lines=("Legend",),
        size=10.0,
        style={"color": "transparent", "fillcolor": "transparent"},
        classes=("sbp-legend",),
    )
    return [frame, caption, *boxes], paths, bottom, frame.x + frame.w


def _sample_boxes(sample: _Sample, rows: _Flow) -> list[Box]:
    """A sample box, with its moment-of-truth frame or its marker, at the next place."""
    pad = 11.0 if sample.badge == "mot" else 7.0
    marker = MARKERS.get(sample.badge)
    if marker is not None:
        pad = 5.0 + marker.width + 4.0
    w = text_box_width(sample.lines, LEGEND_FONT) + 2 * pad
    h = len(sample.lines) * 11.5 + 12 + (8 if sample.badge == "mot" else 0)
    bx, by = rows.place(w, h)
    name = f"legend_{sample.name}"
    boxes = [
        Box(
            name=name,
            ident=f"sbp-legend:{sample.name}",
            role="legend",
            x=bx,
            y=by,
            w=w,
            h=h,
            lines=sample.lines,
            size=LEGEND_FONT,
            style=sample.style,
            classes=("sbp-legend",),
        )
    ]
    if sample.badge == "mot":
        boxes.append(mot_frame(name, sample.name, bx, by, w, h))
    elif marker is not None:
        boxes.append(
            marker.box(
                name=f"{name}_badge",
                ident=f"sbp-legend-badge:{sample.name}",
                owner=name,
                x=bx + 3,
                y=by + 3,
            )
        )
    return boxes


def _flow_sample(rows: _Flow, name: str, text: str, colour: str, head: str) -> tuple[Path, Box]:
    """A short flow of one kind and its caption, at the next place."""
    caption_w = text_box_width([text], LEGEND_FONT) + 6
    bx, by = rows.place(44 + caption_w, 24)
    mid = by + 12
    path = Path(
        ident=f"sbp-legend-flow:{name}",
        role="legend-flow",
        tail=f"legend_{name}_a",
        head=f"legend_{name}_b",
        points=((bx, mid), (bx + 38, mid)),
        arrow=True,
        style={
            "color": colour,
            "arrowhead": head,
            "penwidth": "1.3",
            "class": "sbp-legend-flow",
        },
    )
    caption = Box(
        name=f"legend_{name}",
        ident=f"sbp-legend:{name}",
        role="legend",
        x=bx + 44,
        y=by + 3,
        w=caption_w,
        h=18,
        lines=(text,),
        size=LEGEND_FONT,
        style={"color": "transparent", "fillcolor": "transparent"},
        classes=("sbp-legend",),
    )
    return path, caption
