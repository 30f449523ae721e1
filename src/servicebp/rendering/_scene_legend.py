"""The legend beneath a blueprint picture: a sample of each kind of thing drawn, in a frame."""

from __future__ import annotations

from servicebp.rendering._palette import RATING_COLOURS, RATING_TEXT_COLOURS
from servicebp.rendering._scene_shapes import (
    BADGE,
    LEGEND_FONT,
    SEQUENCE_COLOUR,
    SUPPORT_COLOUR,
    Box,
    Path,
    mot_frame,
    text_box_width,
)
from servicebp.scales import RatingLevel

__all__ = ["legend"]


def legend(
    *, top: float, left: float, width: float, rated: bool
) -> tuple[list[Box], list[Path], float, float]:
    """The legend: samples in rows as wide as the lanes, in a frame."""
    items: list[tuple[str, list[str], dict[str, str], str]] = [
        ("step", ["step"], {"style": "rounded,filled", "fillcolor": "#ffffff"}, ""),
        (
            "mot",
            ["[MOT: kind]", "moment of truth"],
            {"style": "filled", "fillcolor": "#ffffff", "penwidth": "1.4"},
            "mot",
        ),
        ("fail", ["fail point"], {"style": "rounded,filled", "fillcolor": "#ffffff"}, "fail"),
        ("wait", ["wait"], {"style": "rounded,filled", "fillcolor": "#ffffff"}, "wait"),
        (
            "wait-over",
            ["wait over", "tolerance"],
            {"style": "rounded,filled", "fillcolor": "#ffffff"},
            "wait-over",
        ),
        (
            "evidence",
            ["evidence"],
            {"shape": "note", "style": "filled", "fillcolor": "#ffffff", "color": "#8c8c8c"},
            "",
        ),
    ]
    if rated:
        for rating, colour in RATING_COLOURS.items():
            items.append(
                (
                    f"r{rating + 3}",
                    [f"{rating:+d} {RatingLevel(rating).short}"],
                    {
                        "style": "filled",
                        "fillcolor": colour,
                        "fontcolor": RATING_TEXT_COLOURS[rating],
                    },
                    "",
                )
            )
    badge_styles = {
        "fail": ("F", {"shape": "octagon", "fillcolor": "#000000", "fontcolor": "#ffffff"}, 14.0),
        "wait": ("W", {"shape": "box", "fillcolor": "#ffffff", "fontcolor": "#000000"}, 14.0),
        "wait-over": ("W!", {"shape": "box", "fillcolor": "#000000", "fontcolor": "#ffffff"}, 19.0),
    }
    boxes: list[Box] = []
    paths: list[Path] = []
    inner_left = left + 8
    limit = max(left + width - 8, inner_left + 200)
    x, y = inner_left, top + 20
    row_height = 0.0
    right = inner_left

    def place(w: float, h: float) -> tuple[float, float]:
        nonlocal x, y, row_height, right
        if x > inner_left and x + w > limit:
            x = inner_left
            y += row_height + 8
            row_height = 0.0
        at = (x, y)
        x += w + 8
        row_height = max(row_height, h)
        right = max(right, at[0] + w)
        return at

    for name, lines, style, badge in items:
        pad = 11.0 if badge == "mot" else 7.0
        if badge in badge_styles:
            pad = 5.0 + badge_styles[badge][2] + 4.0
        w = text_box_width(lines, LEGEND_FONT) + 2 * pad
        h = len(lines) * 11.5 + 12 + (8 if badge == "mot" else 0)
        bx, by = place(w, h)
        boxes.append(
            Box(
                name=f"legend_{name}",
                ident=f"sbp-legend:{name}",
                role="legend",
                x=bx,
                y=by,
                w=w,
                h=h,
                lines=tuple(lines),
                size=LEGEND_FONT,
                style=style,
                classes=("sbp-legend",),
            )
        )
        if badge == "mot":
            boxes.append(mot_frame(f"legend_{name}", name, bx, by, w, h))
        elif badge:
            text, bstyle, bw = badge_styles[badge]
            boxes.append(
                Box(
                    name=f"legend_{name}_badge",
                    ident=f"sbp-legend-badge:{name}",
                    role="badge",
                    x=bx + 3,
                    y=by + 3,
                    w=bw,
                    h=BADGE,
                    lines=(text,),
                    size=8.0,
                    style={**bstyle, "style": "filled", "color": "#000000"},
                    classes=("sbp-badge", f"sbp-badge-of-legend_{name}"),
                )
            )
    for name, text, colour, head in (
        ("sequence", "sequence flow", SEQUENCE_COLOUR, "normal"),
        ("support", "support flow", SUPPORT_COLOUR, "vee"),
    ):
        caption_w = text_box_width([text], LEGEND_FONT) + 6
        bx, by = place(44 + caption_w, 24)
        mid = by + 12
        paths.append(
            Path(
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
        )
        boxes.append(
            Box(
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
        )
    bottom = y + row_height + 8
    frame = Box(
        name="legend",
        ident="sbp-legend",
        role="frame",
        x=left,
        y=top,
        w=right + 8 - left,
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
