"""Where everything of a blueprint picture goes, in points, computed from the grid.

The picture is laid out here, not by Graphviz: lanes are bands from top to
bottom, each band a stack of *slots* (alternatives share a column, one slot
each) with a *track* above and below every slot; stages are columns left to
right with a *gutter* before every column. Boxes sit in slots; flows run
only in tracks and gutters, which no box enters, so a flow can cross
nothing but other flows and the lines. Each flow leaves and enters its
boxes at a port of its own, and each stretch of a track or gutter holds a
flow of its own, so no two flows merge or share an arrowhead. A flow with a
label enters its target from the left, and the label sits in the gutter
just left of the target, above the flow, in room the gutter keeps for it.

The work is in phases, each in a module of its own: :mod:`._scene_routes`
chooses each flow's corridors, :mod:`._scene_frame` measures the boxes and
lays out the rows and columns, this module places the boxes,
:mod:`._scene_flows` draws the flows through their ports, and
:mod:`._scene_emotion` and :mod:`._scene_legend` add the emotion lane and
the legend. :mod:`._dot` writes the result as DOT with every position
pinned, so every engine draws the same picture.
"""

from __future__ import annotations

from collections.abc import Mapping

from servicebp.model import Blueprint, Lane, Line, Step
from servicebp.rendering._layout import Grid, grid_of
from servicebp.rendering._palette import RATING_COLOURS, RATING_TEXT_COLOURS, rating_class
from servicebp.rendering._scene_emotion import emotion_lane
from servicebp.rendering._scene_flows import Rect, flow_paths
from servicebp.rendering._scene_frame import (
    Cells,
    Context,
    Frame,
    Sizes,
    cells_of,
    evidence_key,
    frame_of,
    sizes_of,
)
from servicebp.rendering._scene_legend import legend as legend_of
from servicebp.rendering._scene_routes import choose_routes, colour_stretches
from servicebp.rendering._scene_shapes import (
    BAND_FILL,
    CAPTION_FONT,
    DETAILS,
    EVIDENCE_FONT,
    HEADER_FONT,
    LINE_COLOUR,
    LINE_FONT,
    MARGIN,
    SEPARATOR_COLOUR,
    STEP_WIDTH,
    TITLE_FONT,
    Box,
    Path,
    Scene,
    human_time,
    markers,
    mot_frame,
    svg_id,
)

__all__ = ["DETAILS", "Box", "Path", "Scene", "human_time", "scene_of", "svg_id"]


def scene_of(
    bp: Blueprint,
    *,
    ratings: Mapping[str, float],
    legend: bool = True,
    details: tuple[str, ...] = (),
    grid: Grid | None = None,
    emotion: bool = False,
) -> Scene:
    """Lay out *bp* (ratings already checked) and return the scene to draw.

    Boxes and paths are in points, ``y`` growing downwards; a box's
    ``ident`` is the step id for a step (role ``"step"``). With *emotion*,
    a band beneath the support lane draws the emotion curve: the rating of
    each customer step, in its step's column, on the levels −3 … +3.

    Examples
    --------
    >>> from servicebp import Blueprint, Step
    >>> bp = Blueprint("Coffee", stages=["order", "pay"])
    >>> _ = bp.add_step(Step(id="order", label="Order", lane="customer", stage="order", rating=2))
    >>> _ = bp.add_step(Step(id="pay", label="Pay", lane="customer", stage="pay", rating=-1))
    >>> _ = bp.connect("order", "pay")
    >>> scene = scene_of(bp, ratings={"order": 2, "pay": -1}, emotion=True)
    >>> [box.ident for box in scene.boxes if box.role == "step"]
    ['order', 'pay']
    >>> [box.ident for box in scene.boxes if box.role == "emotion-point"]
    ['sbp-emotion-point:order', 'sbp-emotion-point:pay']
    """
    ctx = Context.of(
        bp,
        grid or grid_of(bp),
        ratings=ratings,
        legend=legend,
        details=details,
        emotion=emotion,
    )
    return _scene(ctx)


def _scene(ctx: Context) -> Scene:
    """Route the flows, measure everything, then place the boxes and paths in drawing order."""
    cells = cells_of(ctx)
    position = {step_id: i for i, step_id in enumerate(ctx.grid.order)}
    flows = sorted(ctx.bp.flows(), key=lambda f: (position[f.source], position[f.target]))
    routes = choose_routes(flows, ctx.where, cells.in_column)
    sizes = sizes_of(ctx, cells, routes)
    frame = frame_of(ctx, cells, sizes, colour_stretches(routes, ctx.where))
    boxes = [
        *_bands(frame),
        *_stage_headers(frame),
        *_lane_captions(frame),
        *_line_captions(frame),
        _title(frame),
    ]
    step_boxes, placed = _steps(ctx, frame, sizes)
    boxes.extend(step_boxes)
    boxes.extend(_evidence(ctx, cells, frame, sizes))
    paths: list[Path] = []
    bottom = frame.lane_bottom[-1]
    if ctx.emotion:
        emotion_boxes, emotion_paths, bottom = emotion_lane(
            ctx,
            placed,
            top=bottom,
            left=frame.left0,
            right=frame.grid_right,
            caption_width=frame.caption_width,
        )
        boxes.extend(emotion_boxes)
        paths.extend(emotion_paths)
    drawn, label_boxes = flow_paths(ctx, routes, frame, sizes.labels, placed)
    paths.extend(drawn)
    boxes.extend(label_boxes)
    paths.extend(_lines(frame))
    paths.extend(_separators(frame, bottom))
    width, height = frame.grid_right + MARGIN, bottom + MARGIN
    if ctx.legend:
        legend_boxes, legend_paths, legend_bottom, right = legend_of(
            top=bottom + 14, left=MARGIN, width=frame.lanes_width, rated=bool(ctx.ratings)
        )
        boxes.extend(legend_boxes)
        paths.extend(legend_paths)
        height = legend_bottom + MARGIN
        width = max(width, right + MARGIN)
    return Scene(
        title=ctx.bp.name,
        width=width,
        height=height,
        boxes=tuple(boxes),
        paths=tuple(paths),
    )


def _bands(frame: Frame) -> list[Box]:
    """A band across the picture for each lane, shaded by turns."""
    return [
        Box(
            name=f"band{lane.position}",
            ident=f"sbp-lane:{lane.value}",
            role="band",
            x=MARGIN,
            y=frame.lane_top[lane.position],
            w=frame.grid_right - MARGIN,
            h=frame.lane_bottom[lane.position] - frame.lane_top[lane.position],
            style={"fillcolor": BAND_FILL[lane], "color": BAND_FILL[lane]},
            classes=("sbp-band", f"sbp-lane-{lane.position}"),
        )
        for lane in Lane
    ]


def _stage_headers(frame: Frame) -> list[Box]:
    """Each stage's header above its columns."""
    return [
        Box(
            name=f"h{i}",
            ident=f"sbp-stage:{stage}",
            role="stage",
            x=x0 + 1,
            y=frame.header_y,
            w=x1 - x0 - 2,
            h=frame.header_height,
            lines=tuple(frame.header_lines[stage]),
            size=HEADER_FONT,
            style={"fillcolor": "#4d4d4d", "color": "#4d4d4d", "fontcolor": "#ffffff"},
            classes=("sbp-stage", f"sbp-stage-{i}"),
        )
        for i, (stage, x0, x1) in enumerate(frame.stage_ranges)
    ]


def _lane_captions(frame: Frame) -> list[Box]:
    """Each lane's caption, centred in the captions' column."""
    boxes: list[Box] = []
    for lane in Lane:
        i = lane.position
        lines = frame.captions[lane]
        height = len(lines) * 14 + 4
        boxes.append(
            Box(
                name=f"c{i}",
                ident=f"sbp-lane-caption:{lane.value}",
                role="caption",
                x=MARGIN + 4,
                y=(frame.lane_top[i] + frame.lane_bottom[i] - height) / 2,
                w=frame.caption_width - 8,
                h=height,
                lines=tuple(lines),
                size=CAPTION_FONT,
                style={"color": "transparent", "fillcolor": "transparent"},
                classes=("sbp-caption",),
            )
        )
    return boxes


def _line_captions(frame: Frame) -> list[Box]:
    """Each line's name, on the line in the captions' column."""
    line_y = frame.line_y
    return [
        Box(
            name=f"l{k}",
            ident=f"sbp-line:{line.value}",
            role="caption",
            x=MARGIN + 2,
            y=line_y[line] - 6,
            w=frame.caption_width - 4,
            h=12,
            lines=(line.caption,),
            size=LINE_FONT,
            style={"color": "transparent", "fillcolor": "transparent", "fontcolor": "#444444"},
            classes=("sbp-caption",),
        )
        for k, line in enumerate(Line)
    ]


def _title(frame: Frame) -> Box:
    return Box(
        name="title",
        ident="sbp-title",
        role="title",
        x=MARGIN,
        y=frame.title_y,
        w=frame.lanes_width,
        h=frame.title_height - 4,
        lines=tuple(frame.title_lines),
        size=TITLE_FONT,
        style={"color": "transparent", "fillcolor": "transparent"},
        classes=("sbp-title",),
    )


def _steps(ctx: Context, frame: Frame, sizes: Sizes) -> tuple[list[Box], dict[str, Rect]]:
    """Each step's box, centred in its slot, with its frame and markers; and where each went."""
    stage_of = {stage: i for i, stage in enumerate(ctx.bp.stages)}
    boxes: list[Box] = []
    placed: dict[str, Rect] = {}
    for step_id in ctx.grid.order:
        step = ctx.step_of[step_id]
        name = ctx.names[step_id]
        lane, column, slot = ctx.where[step_id]
        w, h, lines = sizes.step_boxes[step_id]
        bx = frame.column_left[column]
        by = frame.slot_top[lane, slot] + (frame.slot_height[lane, slot] - h) / 2
        placed[step_id] = (bx, by, w, h)
        boxes.append(
            Box(
                name=name,
                ident=svg_id(step_id),
                role="step",
                x=bx,
                y=by,
                w=w,
                h=h,
                lines=tuple(lines),
                style=_step_style(ctx, step),
                classes=("sbp-step", f"sbp-in-lane-{lane}", f"sbp-in-stage-{stage_of[step.stage]}"),
            )
        )
        if step.moment is not None:
            boxes.append(mot_frame(name, step_id, bx, by, w, h))
        boxes.extend(_markers(step, name, placed[step_id]))
    return boxes, placed


def _markers(step: Step, name: str, box: Rect) -> list[Box]:
    """The step's markers: the first in its top left corner, the next in its top right."""
    bx, by, w, _ = box
    inset = 3.0 if step.moment is None else 6.0
    found: list[Box] = []
    for marker in markers(step):
        found.append(
            marker.box(
                name=f"{name}_{marker.role}",
                ident=f"sbp-badge:{marker.role}:{step.id}",
                owner=name,
                x=bx + inset if not found else bx + w - inset - marker.width,
                y=by + inset,
            )
        )
    return found


def _step_style(ctx: Context, step: Step) -> dict[str, str]:
    style = {"style": "rounded,filled" if step.moment is None else "filled"}
    if step.moment is not None:
        style["penwidth"] = "1.4"
    rating = ctx.ratings.get(step.id)
    if rating is not None:
        whole = rating_class(rating)
        style["fillcolor"] = RATING_COLOURS[whole]
        style["fontcolor"] = RATING_TEXT_COLOURS[whole]
    else:
        style["fillcolor"] = "#ffffff"
    return style


def _evidence(ctx: Context, cells: Cells, frame: Frame, sizes: Sizes) -> list[Box]:
    """Each evidence item as a note, centred in its slot of the physical-evidence lane."""
    stage_of = {stage: i for i, stage in enumerate(ctx.bp.stages)}
    boxes: list[Box] = []
    for n, (step, i, _) in enumerate(ctx.evidence):
        key = evidence_key(step, i)
        lane, column, slot = cells.evidence_at[key]
        w, h, lines = sizes.evidence_boxes[key]
        boxes.append(
            Box(
                name=f"ev{n}",
                ident=f"sbp-evidence:{step.id}:{i}",
                role="evidence",
                x=frame.column_left[column] + (STEP_WIDTH - w) / 2,
                y=frame.slot_top[lane, slot] + (frame.slot_height[lane, slot] - h) / 2,
                w=w,
                h=h,
                lines=tuple(lines),
                size=EVIDENCE_FONT,
                style={"shape": "note", "fillcolor": "#ffffff", "color": "#8c8c8c"},
                classes=(
                    "sbp-evidence",
                    f"sbp-in-lane-{lane}",
                    f"sbp-in-stage-{stage_of[step.stage]}",
                ),
            )
        )
    return boxes


def _lines(frame: Frame) -> list[Path]:
    """The three lines between the lanes, dashed, across the columns."""
    line_y = frame.line_y
    return [
        Path(
            ident=f"sbp-line:{line.value}:0",
            role="line",
            tail=f"l{k}_a",
            head=f"l{k}_b",
            points=((frame.left0, line_y[line]), (frame.grid_right, line_y[line])),
            arrow=False,
            style={"style": "dashed", "color": LINE_COLOUR, "penwidth": "1.2", "class": "sbp-line"},
        )
        for k, line in enumerate(Line)
    ]


def _separators(frame: Frame, bottom: float) -> list[Path]:
    """A dotted line down from the headers to *bottom* where each stage after the first starts."""
    top = frame.header_y + frame.header_height
    return [
        Path(
            ident=f"sbp-separator:{i}",
            role="separator",
            tail=f"sep{i}_a",
            head=f"sep{i}_b",
            points=((x0, top), (x0, bottom)),
            arrow=False,
            style={
                "style": "dotted",
                "color": SEPARATOR_COLOUR,
                "penwidth": "1.2",
                "class": "sbp-separator",
            },
        )
        for i, (_, x0, _) in enumerate(frame.stage_ranges[1:], start=1)
    ]
