"""The emotion lane beneath a blueprint picture: the customer's ratings as a curve on −3 … +3.

One level line per whole rating −3 … +3, labelled at the left; the curve
joins the customer steps' ratings, each at its step's column centre, broken
where a step has no rating; a moment of truth's point is a diamond, any
other a dot, coloured on the rating palette.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

import attrs

from servicebp.analysis import emotion_curve
from servicebp.model import Lane
from servicebp.rendering._metrics import wrap
from servicebp.rendering._palette import RATING_COLOURS, rating_class
from servicebp.rendering._scene_frame import Context
from servicebp.rendering._scene_shapes import CAPTION_FONT, LINE_FONT, MARGIN, Box, Path

__all__ = ["emotion_lane"]

#: The emotion band: room above +3 and below −3, distance between levels, fill.
EMOTION_PAD: Final = 12.0
EMOTION_LEVEL: Final = 13.0
EMOTION_FILL: Final = "#ffffff"
EMOTION_LABEL: Final = 18.0
EMOTION_CAPTION: Final = "expected emotion"

_Rect = tuple[float, float, float, float]


@attrs.frozen(kw_only=True)
class _Band:
    """The band's top, and the left and right of its level lines."""

    top: float
    left: float
    right: float

    @property
    def bottom(self) -> float:
        return self.top + 2 * EMOTION_PAD + 6 * EMOTION_LEVEL

    def level_y(self, rating: float) -> float:
        """The height of *rating* in the band."""
        return self.top + EMOTION_PAD + (3 - rating) * EMOTION_LEVEL


def emotion_lane(
    ctx: Context,
    placed: Mapping[str, _Rect],
    *,
    top: float,
    left: float,
    right: float,
    caption_width: float,
) -> tuple[list[Box], list[Path], float]:
    """The emotion band from *top* down: its boxes, its paths and its bottom."""
    band = _Band(top=top, left=left, right=right)
    boxes = _band_boxes(band, caption_width)
    level_boxes, paths = _levels(band)
    point_boxes, curve = _curve(ctx, placed, band)
    return [*boxes, *level_boxes, *point_boxes], [*paths, *curve], band.bottom


def _band_boxes(band: _Band, caption_width: float) -> list[Box]:
    """The band's background and its caption, in the lane captions' column."""
    room = caption_width - 8 - EMOTION_LABEL - 6
    lines = wrap(EMOTION_CAPTION, CAPTION_FONT, room - 2)
    height = len(lines) * 14 + 4
    return [
        Box(
            name="emotion_band",
            ident="sbp-emotion",
            role="emotion-band",
            x=MARGIN,
            y=band.top,
            w=band.right - MARGIN,
            h=band.bottom - band.top,
            style={"fillcolor": EMOTION_FILL, "color": EMOTION_FILL},
            classes=("sbp-emotion-band",),
        ),
        Box(
            name="emotion_caption",
            ident="sbp-emotion-caption",
            role="caption",
            x=MARGIN + 4,
            y=(band.top + band.bottom - height) / 2,
            w=room,
            h=height,
            lines=tuple(lines),
            size=CAPTION_FONT,
            style={"color": "transparent", "fillcolor": "transparent"},
            classes=("sbp-caption",),
        ),
    ]


def _levels(band: _Band) -> tuple[list[Box], list[Path]]:
    """Each whole rating's label and line, +3 at the top; the 0 line solid, the others dotted."""
    boxes: list[Box] = []
    paths: list[Path] = []
    for rating in range(3, -4, -1):
        y = band.level_y(rating)
        boxes.append(
            Box(
                name=f"emotion_level{rating + 3}",
                ident=f"sbp-emotion-level:{rating:+d}",
                role="caption",
                x=band.left - EMOTION_LABEL - 2,
                y=y - 6,
                w=EMOTION_LABEL,
                h=12,
                lines=(f"{rating:+d}",),
                size=LINE_FONT,
                style={"color": "transparent", "fillcolor": "transparent", "fontcolor": "#444444"},
                classes=("sbp-caption",),
            )
        )
        paths.append(
            Path(
                ident=f"sbp-emotion-level-line:{rating:+d}",
                role="emotion-level",
                tail=f"emotion_level{rating + 3}_a",
                head=f"emotion_level{rating + 3}_b",
                points=((band.left, y), (band.right, y)),
                arrow=False,
                style={
                    "style": "solid" if rating == 0 else "dotted",
                    "color": "#9a9a9a" if rating == 0 else "#c8c8c8",
                    "penwidth": "1",
                    "class": "sbp-emotion-level",
                },
            )
        )
    return boxes, paths


def _curve(ctx: Context, placed: Mapping[str, _Rect], band: _Band) -> tuple[list[Box], list[Path]]:
    """A point per rated customer step and the curve through them, in pieces between gaps."""
    # Only customer steps are on the curve (a rated backstage step colours its box only).
    customer = {
        step_id: rating
        for step_id, rating in ctx.ratings.items()
        if ctx.step_of[step_id].lane is Lane.CUSTOMER
    }
    boxes: list[Box] = []
    pieces: list[list[tuple[float, float]]] = [[]]
    for point in emotion_curve(ctx.bp, ratings=customer).steps:
        if point.rating is None:
            pieces.append([])
            continue
        bx, _, w, _ = placed[point.step]
        x, y = bx + w / 2, band.level_y(point.rating)
        pieces[-1].append((x, y))
        size = 11.0 if point.is_moment else 8.0
        boxes.append(
            Box(
                name=f"{ctx.names[point.step]}_emotion",
                ident=f"sbp-emotion-point:{point.step}",
                role="emotion-point",
                x=x - size / 2,
                y=y - size / 2,
                w=size,
                h=size,
                style={
                    "shape": "diamond" if point.is_moment else "circle",
                    "fillcolor": RATING_COLOURS[rating_class(point.rating)],
                    "color": "#000000",
                },
                classes=("sbp-emotion-point",),
            )
        )
    paths = [
        Path(
            ident=f"sbp-emotion-curve:{k}",
            role="emotion",
            tail=f"emotion_curve{k}_a",
            head=f"emotion_curve{k}_b",
            points=tuple(piece),
            arrow=False,
            style={"color": "#1a1a1a", "penwidth": "1.6", "class": "sbp-emotion-curve"},
        )
        for k, piece in enumerate(p for p in pieces if len(p) > 1)
    ]
    return boxes, paths
