"""The measures of a blueprint picture: what fills each cell, each box's size, each row and column.

Three phases, each a frozen value built from the ones before it:
:class:`Cells` (which slot each step and evidence item takes),
:class:`Sizes` (each box's size, each flow label, each slot's height) and
:class:`Frame` (the x of every gutter and column, the y of every track and
slot, the title and the stage headers, in points).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence

import attrs

from servicebp.model import Blueprint, Lane, Line, Step
from servicebp.rendering._layout import Grid
from servicebp.rendering._metrics import wrap
from servicebp.rendering._scene_routes import Route, Stretches, Where
from servicebp.rendering._scene_shapes import (
    CAPTION_FONT,
    EDGE_ROOM,
    EVIDENCE_FONT,
    HEADER_FONT,
    LABEL_FONT,
    LABEL_LINE,
    LINE_FONT,
    MARGIN,
    SPACING,
    STEP_FONT,
    STEP_LINE,
    STEP_WIDTH,
    TITLE_FONT,
    flow_label,
    human_time,
    markers,
    score_text,
    text_box_width,
    wait_text,
)

__all__ = ["Cells", "Context", "Frame", "Sizes", "cells_of", "frame_of", "sizes_of"]


@attrs.frozen(kw_only=True)
class Context:
    """What a layout starts from: the blueprint, its grid and the drawing options.

    ``names`` gives each step its DOT node name, ``where`` its place
    ``(lane, column, slot)``; ``evidence`` lists each evidence item of each
    step, in the grid's order, as (step, item number, text).
    """

    bp: Blueprint
    grid: Grid
    ratings: Mapping[str, float]
    legend: bool
    details: tuple[str, ...]
    emotion: bool
    names: dict[str, str]
    step_of: dict[str, Step]
    where: dict[str, Where]
    evidence: list[tuple[Step, int, str]]

    @classmethod
    def of(
        cls,
        bp: Blueprint,
        grid: Grid,
        *,
        ratings: Mapping[str, float],
        legend: bool,
        details: tuple[str, ...],
        emotion: bool,
    ) -> Context:
        """The context of *bp* laid out on *grid*."""
        step_of = {step.id: step for step in bp.steps()}
        where = {
            step.id: (step.lane.position, grid.column[step.id], grid.slot.get(step.id, 0))
            for step in step_of.values()
        }
        return cls(
            bp=bp,
            grid=grid,
            ratings=ratings,
            legend=legend,
            details=details,
            emotion=emotion,
            names={step_id: f"s{i}" for i, step_id in enumerate(grid.order)},
            step_of=step_of,
            where=where,
            evidence=[
                (step_of[step_id], i, text)
                for step_id in grid.order
                for i, text in enumerate(step_of[step_id].evidence)
            ],
        )


def evidence_key(step: Step, item: int) -> str:
    """The key of a step's evidence item in the cells' and the sizes' tables."""
    return f"{step.id}\x00{item}"


@attrs.frozen(kw_only=True)
class Cells:
    """Where each evidence item goes, how many slots each lane has, what fills each column.

    ``in_column`` holds, for each column, the levels ``(lane, 2 * slot + 1)``
    a box takes.
    """

    evidence_at: dict[str, Where]
    slots: list[int]
    in_column: dict[int, list[tuple[int, int]]]


def cells_of(ctx: Context) -> Cells:
    """Place the evidence and count the slots."""
    pe = Lane.PHYSICAL_EVIDENCE.position
    occupied: dict[Where, str] = {v: k for k, v in ctx.where.items()}
    # Evidence goes in the physical-evidence lane, in its step's column,
    # below the physical-evidence steps already there.
    evidence_at: dict[str, Where] = {}
    next_slot: dict[int, int] = defaultdict(int)
    for lane, column, slot in occupied:
        if lane == pe:
            next_slot[column] = max(next_slot[column], slot + 1)
    for step, i, _ in ctx.evidence:
        column = ctx.grid.column[step.id]
        evidence_at[evidence_key(step, i)] = (pe, column, next_slot[column])
        next_slot[column] += 1
    cells = {**{v: k for k, v in evidence_at.items()}, **occupied}
    slots = [1] * len(Lane)
    in_column: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for lane, column, slot in cells:
        slots[lane] = max(slots[lane], slot + 1)
        in_column[column].append((lane, 2 * slot + 1))
    return Cells(evidence_at=evidence_at, slots=slots, in_column=in_column)


@attrs.frozen(kw_only=True)
class Sizes:
    """The size of every box and slot, and the lines of every labelled flow.

    ``step_boxes`` holds (width, height, lines) by step id;
    ``evidence_boxes`` (width, height, lines) by :func:`evidence_key`;
    ``labels`` the lines of each labelled route, by its number;
    ``gutter_label_width`` the widest label entering each gutter's column.
    """

    labels: dict[int, list[str]]
    gutter_label_width: dict[int, float]
    step_boxes: dict[str, tuple[float, float, list[str]]]
    evidence_boxes: dict[str, tuple[float, float, list[str]]]
    slot_height: dict[tuple[int, int], float]


def sizes_of(ctx: Context, cells: Cells, routes: Sequence[Route]) -> Sizes:
    """Measure every box, then every slot as the tallest box in it."""
    labels, gutter_label_width, side_room = _flow_room(ctx, routes)
    step_boxes = _step_boxes(ctx, side_room)
    evidence_boxes: dict[str, tuple[float, float, list[str]]] = {}
    for step, i, item in ctx.evidence:
        lines = wrap(item, EVIDENCE_FONT, STEP_WIDTH - 36)
        evidence_boxes[evidence_key(step, i)] = (
            STEP_WIDTH - 16,
            max(24.0, len(lines) * 11.5 + 12),
            lines,
        )
    slot_height: dict[tuple[int, int], float] = defaultdict(lambda: 22.0)
    for step_id, (lane, _, slot) in ctx.where.items():
        slot_height[lane, slot] = max(slot_height[lane, slot], step_boxes[step_id][1])
    for key, (lane, _, slot) in cells.evidence_at.items():
        slot_height[lane, slot] = max(slot_height[lane, slot], evidence_boxes[key][1])
    return Sizes(
        labels=labels,
        gutter_label_width=gutter_label_width,
        step_boxes=step_boxes,
        evidence_boxes=evidence_boxes,
        slot_height=slot_height,
    )


def _flow_room(
    ctx: Context, routes: Sequence[Route]
) -> tuple[dict[int, list[str]], dict[int, float], dict[str, list[float]]]:
    """The flow labels, the room each gutter keeps for them, the room on each box's sides.

    A box's left side needs a label and 8 points per flow entering there, its
    right side 8 points per flow leaving there.
    """
    labels: dict[int, list[str]] = {}
    gutter_label_width: dict[int, float] = defaultdict(float)
    side_room: dict[str, list[float]] = defaultdict(lambda: [8.0, 8.0])
    for number, route in enumerate(routes):
        text = flow_label(route.flow)
        if route.entry == "left":
            extra = len(text) * LABEL_LINE + 3 if text else 0.0
            side_room[route.flow.target][0] += extra + 8
        if route.exit == "right":
            side_room[route.flow.source][1] += 8
        if text:
            labels[number] = text
            gutter = ctx.where[route.flow.target][1]
            gutter_label_width[gutter] = max(
                gutter_label_width[gutter], text_box_width(text, LABEL_FONT) + 4
            )
    return labels, gutter_label_width, side_room


def _step_boxes(
    ctx: Context, side_room: Mapping[str, list[float]]
) -> dict[str, tuple[float, float, list[str]]]:
    """Each step's box: (width, height, lines), tall enough for its sides' flows."""
    step_boxes: dict[str, tuple[float, float, list[str]]] = {}
    for step in ctx.bp.steps():
        pad = 7.0 + (4.0 if step.moment is not None else 0.0)
        drawn = markers(step)
        if drawn:
            inset = 3.0 if step.moment is None else 6.0
            pad = max(pad, inset + max(marker.width for marker in drawn) + 4.0)
        lines = _step_lines(step, ctx.ratings.get(step.id), ctx.details, STEP_WIDTH - 2 * pad)
        height = len(lines) * STEP_LINE + 14 + (8 if step.moment is not None else 0)
        room = max(side_room[step.id])
        step_boxes[step.id] = (STEP_WIDTH, max(36.0, height, room), lines)
    return step_boxes


def _step_lines(
    step: Step, rating: float | None, details: tuple[str, ...], width: float
) -> list[str]:
    lines: list[str] = []
    if step.moment is not None:
        lines.extend(wrap(f"[MOT: {step.moment.kind.value}]", STEP_FONT, width))
    lines.extend(wrap(step.label, STEP_FONT, width))
    if step.wait is not None:
        lines.extend(wrap(wait_text(step.wait), STEP_FONT, width))
    if "duration" in details and (step.duration is not None or step.standard is not None):
        lines.extend(wrap(_duration_text(step), STEP_FONT, width))
    if "cost" in details and step.cost is not None:
        lines.extend(wrap(f"cost {step.cost:g}", STEP_FONT, width))
    if rating is not None:
        lines.append(f"score {score_text(rating)}")
    return lines


def _duration_text(step: Step) -> str:
    if step.duration is None:
        return f"standard {human_time(step.standard or 0)}"
    if step.standard is None:
        return f"takes {human_time(step.duration)}"
    if step.duration > step.standard:
        return f"takes {human_time(step.duration)} > standard {human_time(step.standard)}!"
    return f"takes {human_time(step.duration)} (standard {human_time(step.standard)})"


@attrs.frozen(kw_only=True)
class Frame:
    """Where every row and column of the picture goes, in points.

    Left to right: the lane captions (``caption_width``), then from
    ``left0`` a gutter before each column and one after the last, up to
    ``grid_right``. Top to bottom: the title, the stage headers, then each
    lane from ``lane_top`` to ``lane_bottom``, a track above and below each
    slot. ``stage_ranges`` holds each stage's (id, left, right).
    """

    captions: dict[Lane, list[str]]
    caption_width: float
    left0: float
    gutter_left: list[float]
    column_left: list[float]
    grid_right: float
    stage_ranges: list[tuple[str, float, float]]
    header_lines: dict[str, list[str]]
    header_height: float
    title_lines: list[str]
    title_y: float
    title_height: float
    header_y: float
    lane_top: list[float]
    lane_bottom: list[float]
    track_top: dict[tuple[int, int], float]
    track_size: dict[tuple[int, int], float]
    slot_top: dict[tuple[int, int], float]
    slot_height: dict[tuple[int, int], float]
    stretches: Stretches

    @property
    def lanes_width(self) -> float:
        """The width of the lane bands."""
        return self.grid_right - MARGIN

    @property
    def line_y(self) -> dict[Line, float]:
        """The height of each line: the bottom of the lane above it."""
        return {line: self.lane_bottom[line.above.position] for line in Line}

    def track_y(self, stretch: int, lane: int, track: int) -> float:
        """The height of *stretch* in its track, the track's flows centred in it."""
        count = self.stretches.track_count.get((lane, track), 1)
        used = 2 * EDGE_ROOM + SPACING * (count - 1)
        top = self.track_top[lane, track] + (self.track_size[lane, track] - used) / 2
        return top + EDGE_ROOM + SPACING * self.stretches.offset[stretch]

    def gutter_x(self, stretch: int, gutter: int) -> float:
        """The x of *stretch* in its gutter."""
        return self.gutter_left[gutter] + EDGE_ROOM + SPACING * self.stretches.offset[stretch]


def frame_of(ctx: Context, cells: Cells, sizes: Sizes, stretches: Stretches) -> Frame:
    """Lay the columns out from the left, then the rows from the top."""
    captions = {lane: wrap(lane.caption, CAPTION_FONT, 84) for lane in Lane}
    caption_width = (
        max(
            max(text_box_width(c, CAPTION_FONT) for c in captions.values()),
            max(text_box_width([line.caption], LINE_FONT) for line in Line),
        )
        + 14
    )
    left0 = MARGIN + caption_width
    gutter_left, column_left, grid_right = _columns(
        max(ctx.grid.width, 1), left0, stretches, sizes.gutter_label_width
    )
    stage_ranges = _stage_ranges(ctx.grid, gutter_left, left0, grid_right)
    # A stage's header shows its display label (its id stays the box's ident).
    header_lines = {
        stage: wrap(ctx.bp.stage(stage).label if stage else "", HEADER_FONT, x1 - x0 - 12)
        for stage, x0, x1 in stage_ranges
    }
    header_height = max(len(lines) for lines in header_lines.values()) * 13.5 + 10
    title_lines = wrap(ctx.bp.name, TITLE_FONT, max(grid_right - MARGIN, 200))
    title_height = len(title_lines) * 19 + 8
    header_y = MARGIN + title_height
    rows = _Rows(cells.slots, sizes.slot_height, stretches.track_count)
    rows.stack(header_y + (header_height + 4), captions)
    return Frame(
        captions=captions,
        caption_width=caption_width,
        left0=left0,
        gutter_left=gutter_left,
        column_left=column_left,
        grid_right=grid_right,
        stage_ranges=stage_ranges,
        header_lines=header_lines,
        header_height=header_height,
        title_lines=title_lines,
        title_y=MARGIN,
        title_height=title_height,
        header_y=header_y,
        lane_top=rows.lane_top,
        lane_bottom=rows.lane_bottom,
        track_top=rows.track_top,
        track_size=rows.track_size,
        slot_top=rows.slot_top,
        slot_height=sizes.slot_height,
        stretches=stretches,
    )


def _columns(
    columns: int, left0: float, stretches: Stretches, gutter_label_width: Mapping[int, float]
) -> tuple[list[float], list[float], float]:
    """The left of every gutter and column, and the right of the last gutter."""

    def gutter_width(gutter: int) -> float:
        count = stretches.gutter_count.get(gutter, 0)
        lanes_room = EDGE_ROOM + SPACING * max(count - 1, 0) if count else 6.0
        label_room = gutter_label_width.get(gutter, 0.0)
        right = (label_room + 8.0) if label_room else EDGE_ROOM + 2
        return max(26.0, lanes_room + right)

    gutter_left: list[float] = []
    column_left: list[float] = []
    x = left0
    for column in range(columns + 1):
        gutter_left.append(x)
        x += gutter_width(column)
        if column < columns:
            column_left.append(x)
            x += STEP_WIDTH
    return gutter_left, column_left, x


def _stage_ranges(
    grid: Grid, gutter_left: Sequence[float], left0: float, grid_right: float
) -> list[tuple[str, float, float]]:
    """Each stage's (id, left, right); one nameless stage over everything if there are none."""
    stage_ranges: list[tuple[str, float, float]] = []
    for i, (stage, start, width) in enumerate(grid.stages):
        x0 = gutter_left[start] + 4 if start > 0 else left0
        last = i == len(grid.stages) - 1
        x1 = grid_right if last else gutter_left[start + width] + 4
        stage_ranges.append((stage, x0, x1))
    if not stage_ranges:
        stage_ranges.append(("", left0, grid_right))
    return stage_ranges


@attrs.define
class _Rows:
    """The lanes stacked from the top, each a track, a slot, a track, … a track."""

    slots: list[int]
    slot_height: dict[tuple[int, int], float]
    track_count: dict[tuple[int, int], int]
    lane_top: list[float] = attrs.field(factory=list)
    lane_bottom: list[float] = attrs.field(factory=list)
    track_top: dict[tuple[int, int], float] = attrs.field(factory=dict)
    track_size: dict[tuple[int, int], float] = attrs.field(factory=dict)
    slot_top: dict[tuple[int, int], float] = attrs.field(factory=dict)

    def track_height(self, lane: int, track: int) -> float:
        """Room for the track's flows; an empty track at a lane's edge keeps a little more."""
        count = self.track_count.get((lane, track), 0)
        edge = track in (0, self.slots[lane])
        base = 2 * EDGE_ROOM + SPACING * max(count - 1, 0)
        return base if count else (14.0 if edge else 8.0)

    def stack(self, y: float, captions: Mapping[Lane, list[str]]) -> None:
        """Stack every lane from *y* down; a lane is at least as tall as its caption."""
        for lane in range(len(self.slots)):
            slots = self.slots[lane]
            self.lane_top.append(y)
            natural = sum(self.track_height(lane, t) for t in range(slots + 1)) + sum(
                self.slot_height[lane, s] for s in range(slots)
            )
            need = len(captions[list(Lane)[lane]]) * 14 + 28
            extra = max(0.0, need - natural) / 2
            for s in range(slots + 1):
                self.track_top[lane, s] = y
                self.track_size[lane, s] = self.track_height(lane, s) + (
                    extra if s in (0, slots) else 0.0
                )
                y += self.track_size[lane, s]
                if s < slots:
                    self.slot_top[lane, s] = y
                    y += self.slot_height[lane, s]
            self.lane_bottom.append(y)
