"""The pieces of a laid-out picture and the sizes, colours and words they share.

:mod:`._scene` places them, :mod:`._scene_legend` draws the legend from the
same markers, :mod:`._dot` and the draw.io writer read them back.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Final

import attrs

from servicebp.model import Flow, Lane, Step, Wait
from servicebp.rendering._metrics import SAFETY, text_width, wrap

__all__ = [
    "ARROW",
    "BADGE",
    "BAND_FILL",
    "CAPTION_FONT",
    "DETAILS",
    "EDGE_ROOM",
    "EVIDENCE_FONT",
    "HEADER_FONT",
    "LABEL_FONT",
    "LABEL_LINE",
    "LABEL_WIDTH",
    "LEGEND_FONT",
    "LINE_COLOUR",
    "LINE_FONT",
    "MARGIN",
    "MARKERS",
    "SEPARATOR_COLOUR",
    "SEQUENCE_COLOUR",
    "SPACING",
    "STEP_FONT",
    "STEP_LINE",
    "STEP_WIDTH",
    "SUPPORT_COLOUR",
    "TITLE_FONT",
    "Box",
    "Marker",
    "Path",
    "Scene",
    "flow_label",
    "human_time",
    "markers",
    "mot_frame",
    "score_text",
    "svg_id",
    "text_box_width",
]


def svg_id(step_id: str) -> str:
    """The SVG element id of a step: its own id, unless that could be one of ours.

    The drawing's own elements have ids starting ``sbp-`` (``sbp-graph``,
    ``sbp-legend``, ``sbp-lane:customer``), never ``sbp-step:``; a step id
    starting ``sbp-`` is written ``sbp-step:<id>``, so no step box can collide
    with them or with another step's.

    Examples
    --------
    >>> svg_id("order"), svg_id("sbp-legend")
    ('order', 'sbp-step:sbp-legend')
    """
    return f"sbp-step:{step_id}" if step_id.startswith("sbp-") else step_id


#: What :func:`scene_of` can print on steps besides the label and markers.
DETAILS: Final = ("duration", "cost")

STEP_WIDTH: Final = 136.0
STEP_FONT: Final = 10.0
STEP_LINE: Final = 12.5
LABEL_FONT: Final = 8.5
LABEL_LINE: Final = 10.5
LABEL_WIDTH: Final = 104.0
EVIDENCE_FONT: Final = 9.0
HEADER_FONT: Final = 11.0
CAPTION_FONT: Final = 11.0
LINE_FONT: Final = 8.0
TITLE_FONT: Final = 16.0
LEGEND_FONT: Final = 9.0
#: Distance from a corridor's edge to its first flow, room for an arrowhead.
EDGE_ROOM: Final = 11.0
#: Distance between two flows side by side in a corridor.
SPACING: Final = 6.0
MARGIN: Final = 10.0
BADGE: Final = 14.0
ARROW: Final = 7.0

SEQUENCE_COLOUR: Final = "#1a1a1a"
SUPPORT_COLOUR: Final = "#5e3c99"
LINE_COLOUR: Final = "#6e6e6e"
SEPARATOR_COLOUR: Final = "#b0b0b0"
BAND_FILL: Final = {
    Lane.PHYSICAL_EVIDENCE: "#f2f2f2",
    Lane.CUSTOMER: "#fafafa",
    Lane.FRONTSTAGE: "#f2f2f2",
    Lane.BACKSTAGE: "#fafafa",
    Lane.SUPPORT: "#f2f2f2",
}


@attrs.frozen(kw_only=True)
class Box:
    """A rectangle of the picture, with the lines of text centred in it.

    ``x, y`` is the top left corner, ``y`` growing downwards.
    """

    name: str
    ident: str
    role: str
    x: float
    y: float
    w: float
    h: float
    lines: tuple[str, ...] = ()
    size: float = STEP_FONT
    style: Mapping[str, str] = attrs.field(factory=dict)
    classes: tuple[str, ...] = ()


@attrs.frozen(kw_only=True)
class Path:
    """A polyline from the node *tail* to the node *head*, with an arrowhead at its end or not."""

    ident: str
    role: str
    tail: str
    head: str
    points: tuple[tuple[float, float], ...]
    arrow: bool
    style: Mapping[str, str] = attrs.field(factory=dict)


@attrs.frozen(kw_only=True)
class Scene:
    """A laid-out picture: boxes in drawing order, then paths."""

    title: str
    width: float
    height: float
    boxes: tuple[Box, ...]
    paths: tuple[Path, ...]


def human_time(minutes: float) -> str:
    """Return a duration in minutes as people write it: min, h or d.

    Examples
    --------
    >>> [human_time(m) for m in (0.5, 12, 60, 90, 135, 1440, 2880, 2160, 20160)]
    ['0.5 min', '12 min', '1 h', '1 h 30 min', '2 h 15 min', '1 d', '2 d', '1.5 d', '14 d']
    """
    if minutes < 60:
        return f"{minutes:g} min"
    if minutes < 1440:
        hours, rest = divmod(round(minutes), 60)
        return f"{hours} h" if rest == 0 else f"{hours} h {rest} min"
    return f"{round(minutes / 1440, 1):g} d"


def wait_text(wait: Wait) -> str:
    """A step's wait as its box says it: the time, and its tolerance or that it is over.

    Examples
    --------
    >>> from servicebp import Wait
    >>> wait_text(Wait(duration=15, tolerance=10)), wait_text(Wait(duration=8, tolerance=10))
    ('W 15 min > 10 min!', 'W 8 min (tolerates 10 min)')
    """
    text = f"W {human_time(wait.duration)}"
    if wait.tolerance is not None:
        if wait.over_tolerance:
            text += f" > {human_time(wait.tolerance)}!"
        else:
            text += f" (tolerates {human_time(wait.tolerance)})"
    return text


def score_text(rating: float) -> str:
    """A rating with its sign and at most two decimals.

    Examples
    --------
    >>> [score_text(r) for r in (1, 0, -2.6, 1.20667, 0.004)]
    ['+1', '+0', '-2.6', '+1.21', '+0']
    """
    text = f"{rating:+.2f}".rstrip("0").rstrip(".")
    return "+0" if text in ("-0", "+0") else text


@attrs.frozen(kw_only=True)
class Marker:
    """A marker drawn in a step's top corner (and as a sample in the legend).

    Markers are black and white shapes, never a colour of the rating scale.
    """

    role: str
    text: str
    shape: str
    fill: str
    ink: str
    width: float

    def box(self, *, name: str, ident: str, owner: str, x: float, y: float) -> Box:
        """The marker as a box at (*x*, *y*), on the box named *owner*."""
        return Box(
            name=name,
            ident=ident,
            role="badge",
            x=x,
            y=y,
            w=self.width,
            h=BADGE,
            lines=(self.text,),
            size=8.0,
            style={
                "shape": self.shape,
                "fillcolor": self.fill,
                "fontcolor": self.ink,
                "style": "filled",
                "color": "#000000",
            },
            classes=("sbp-badge", f"sbp-badge-of-{owner}"),
        )


#: Every marker by role: a fail point is a black octagon with a white F; a
#: wait a white box with a black W, a wait over tolerance a black box with a
#: white W!.
MARKERS: Final = {
    "fail": Marker(
        role="fail", text="F", shape="octagon", fill="#000000", ink="#ffffff", width=14.0
    ),
    "wait": Marker(role="wait", text="W", shape="box", fill="#ffffff", ink="#000000", width=14.0),
    "wait-over": Marker(
        role="wait-over", text="W!", shape="box", fill="#000000", ink="#ffffff", width=19.0
    ),
}


def markers(step: Step) -> list[Marker]:
    """The markers of *step*, in the order drawn: its top left corner first, then its top right."""
    found: list[Marker] = []
    if step.fail_point is not None:
        found.append(MARKERS["fail"])
    if step.wait is not None:
        found.append(MARKERS["wait-over" if step.wait.over_tolerance else "wait"])
    return found


def flow_label(flow: Flow) -> list[str]:
    """The lines written beside a flow: its label and its probability."""
    lines = wrap(flow.label, LABEL_FONT, LABEL_WIDTH) if flow.label is not None else []
    if flow.probability is not None:
        lines.append(f"p = {flow.probability * 100:g} %")
    return lines


def text_box_width(lines: Iterable[str], size: float) -> float:
    return max((text_width(line, size) for line in lines), default=0.0) * SAFETY


def mot_frame(name: str, ident: str, x: float, y: float, w: float, h: float) -> Box:
    """The inner line of a moment of truth's double border.

    Drawn as a box of its own: Graphviz versions disagree on whether a
    second periphery goes inside or outside a node's size.
    """
    return Box(
        name=f"{name}_mot",
        ident=f"sbp-mot:{ident}",
        role="mot",
        x=x + 4,
        y=y + 4,
        w=w - 8,
        h=h - 8,
        style={"fillcolor": "transparent", "penwidth": "1.2"},
        classes=("sbp-mot", f"sbp-badge-of-{name}"),
    )
