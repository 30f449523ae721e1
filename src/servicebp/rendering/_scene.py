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

:mod:`._dot` writes the result as DOT with every position pinned, so every
engine draws the same picture.
"""

from __future__ import annotations

import functools
import itertools
from collections import defaultdict
from collections.abc import Mapping
from typing import Any

import attrs

from servicebp.analysis import emotion_curve
from servicebp.model import Blueprint, Flow, FlowKind, Lane, Line, Step
from servicebp.rendering._layout import Grid, grid_of
from servicebp.rendering._metrics import wrap
from servicebp.rendering._palette import RATING_COLOURS, RATING_TEXT_COLOURS, rating_class
from servicebp.rendering._scene_legend import legend
from servicebp.rendering._scene_shapes import (
    BADGE,
    BAND_FILL,
    CAPTION_FONT,
    DETAILS,
    EDGE_ROOM,
    EMOTION_CAPTION,
    EMOTION_FILL,
    EMOTION_LABEL,
    EMOTION_LEVEL,
    EMOTION_PAD,
    EVIDENCE_FONT,
    HEADER_FONT,
    LABEL_FONT,
    LABEL_LINE,
    LINE_COLOUR,
    LINE_FONT,
    MARGIN,
    SEPARATOR_COLOUR,
    SEQUENCE_COLOUR,
    SPACING,
    STEP_FONT,
    STEP_LINE,
    STEP_WIDTH,
    SUPPORT_COLOUR,
    TITLE_FONT,
    Box,
    Path,
    Scene,
    badges,
    flow_label,
    human_time,
    mot_frame,
    score_text,
    svg_id,
    text_box_width,
)

__all__ = ["DETAILS", "Box", "Path", "Scene", "human_time", "scene_of", "svg_id"]


def _step_lines(
    step: Step, rating: float | None, details: tuple[str, ...], width: float
) -> list[str]:
    lines: list[str] = []
    if step.moment is not None:
        lines.extend(wrap(f"[MOT: {step.moment.kind.value}]", STEP_FONT, width))
    lines.extend(wrap(step.label, STEP_FONT, width))
    if step.wait is not None:
        text = f"W {human_time(step.wait.duration)}"
        if step.wait.tolerance is not None:
            if step.wait.over_tolerance:
                text += f" > {human_time(step.wait.tolerance)}!"
            else:
                text += f" (tolerates {human_time(step.wait.tolerance)})"
        lines.extend(wrap(text, STEP_FONT, width))
    if "duration" in details and (step.duration is not None or step.standard is not None):
        if step.duration is None:
            text = f"standard {human_time(step.standard or 0)}"
        elif step.standard is None:
            text = f"takes {human_time(step.duration)}"
        elif step.duration > step.standard:
            text = f"takes {human_time(step.duration)} > standard {human_time(step.standard)}!"
        else:
            text = f"takes {human_time(step.duration)} (standard {human_time(step.standard)})"
        lines.extend(wrap(text, STEP_FONT, width))
    if "cost" in details and step.cost is not None:
        lines.extend(wrap(f"cost {step.cost:g}", STEP_FONT, width))
    if rating is not None:
        lines.append(f"score {score_text(rating)}")
    return lines


def _colour(intervals: list[tuple[int, int, int]]) -> tuple[dict[int, int], int]:
    """Give each (lo, hi, key) interval the smallest number no overlapping one has."""
    given: dict[int, int] = {}
    active: list[tuple[int, int]] = []
    for lo, hi, key in sorted(intervals):
        active = [(end, c) for end, c in active if end >= lo]
        used = {c for _, c in active}
        colour = next(c for c in itertools.count() if c not in used)
        given[key] = colour
        active.append((hi, colour))
    return given, 1 + max(given.values(), default=-1)


@attrs.define
class _Route:
    """A flow's way: out of its source's *exit* side, along corridors, into *entry*.

    Corridors alternate between tracks (horizontal, keyed by lane and track
    number) and gutters (vertical, keyed by gutter number).
    """

    flow: Flow
    exit: str
    entry: str
    corridors: list[tuple[str, int, int]]
    keys: list[int] = attrs.field(factory=list)


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
    return _Layout(bp, ratings, legend, details, grid or grid_of(bp), emotion).scene()


class _Layout:
    def __init__(
        self,
        bp: Blueprint,
        ratings: Mapping[str, float],
        legend: bool,
        details: tuple[str, ...],
        grid: Grid,
        emotion: bool = False,
    ) -> None:
        self.emotion = emotion
        self.bp = bp
        self.ratings = ratings
        self.legend = legend
        self.details = details
        self.grid = grid
        self.lanes = list(Lane)
        self.names = {step_id: f"s{i}" for i, step_id in enumerate(grid.order)}
        self.step_of = {step.id: step for step in bp.steps()}
        self.where: dict[str, tuple[int, int, int]] = {}
        for step in self.step_of.values():
            self.where[step.id] = (
                step.lane.position,
                grid.column[step.id],
                grid.slot.get(step.id, 0),
            )

    # --- what is in each cell -------------------------------------------------

    @functools.cached_property
    def _evidence_items(self) -> list[tuple[Step, int, str]]:
        """Each evidence item of each step: (step, item number, text), placed in the PE lane."""
        items: list[tuple[Step, int, str]] = []
        for step_id in self.grid.order:
            step = self.step_of[step_id]
            items.extend((step, i, text) for i, text in enumerate(step.evidence))
        return items

    def scene(self) -> Scene:
        bp, grid = self.bp, self.grid
        columns = max(grid.width, 1)
        pe = Lane.PHYSICAL_EVIDENCE.position
        occupied: dict[tuple[int, int, int], str] = {v: k for k, v in self.where.items()}
        # Evidence goes in the physical-evidence lane, in its step's column,
        # below the physical-evidence steps already there.
        evidence_at: dict[str, tuple[int, int, int]] = {}
        next_slot: dict[int, int] = defaultdict(int)
        for (lane, column, slot), _ in occupied.items():
            if lane == pe:
                next_slot[column] = max(next_slot[column], slot + 1)
        for step, i, _ in self._evidence_items:
            column = grid.column[step.id]
            key = f"{step.id}\x00{i}"
            evidence_at[key] = (pe, column, next_slot[column])
            next_slot[column] += 1
        cells = {**{v: k for k, v in evidence_at.items()}, **occupied}
        slots = [1] * len(self.lanes)
        for lane, _, slot in cells:
            slots[lane] = max(slots[lane], slot + 1)

        # --- routes, in abstract coordinates --------------------------------
        position = {step_id: i for i, step_id in enumerate(grid.order)}
        flows = sorted(bp.flows(), key=lambda f: (position[f.source], position[f.target]))

        def level(lane: int, slot: int) -> tuple[int, int]:
            return (lane, 2 * slot + 1)

        def track_level(lane: int, track: int) -> tuple[int, int]:
            return (lane, 2 * track)

        in_column: dict[int, list[tuple[int, int]]] = defaultdict(list)
        for lane_number, col, slot_number in cells:
            in_column[col].append(level(lane_number, slot_number))

        def clear(column: int, upper: tuple[int, int], lower: tuple[int, int]) -> bool:
            return not any(upper < at < lower for at in in_column.get(column, ()))

        routes: list[_Route] = []
        for flow in flows:
            la, ca, sa = self.where[flow.source]
            lb, cb, sb = self.where[flow.target]
            labelled = bool(flow_label(flow))
            down = (la, sa) < (lb, sb)
            if labelled:
                if (la == lb and sa == sb and ca < cb) or (la == lb and ca < cb):
                    corridors = (
                        [("g", cb, 0)]
                        if ca + 1 == cb
                        else [("g", ca + 1, 0), ("t", la, sa), ("g", cb, 0)]
                    )
                    routes.append(
                        _Route(flow=flow, exit="right", entry="left", corridors=corridors)
                    )
                elif down:
                    routes.append(
                        _Route(
                            flow=flow,
                            exit="bottom",
                            entry="left",
                            corridors=[("t", la, sa + 1), ("g", cb, 0)],
                        )
                    )
                else:
                    routes.append(
                        _Route(
                            flow=flow,
                            exit="top",
                            entry="left",
                            corridors=[("t", la, sa), ("g", cb, 0)],
                        )
                    )
                continue
            if la == lb and ca < cb:
                corridors = (
                    [("g", cb, 0)]
                    if ca + 1 == cb
                    else [("g", ca + 1, 0), ("t", la, sa), ("g", cb, 0)]
                )
                routes.append(_Route(flow=flow, exit="right", entry="left", corridors=corridors))
            elif la == lb and ca > cb:
                if sa == sb:
                    corridors = [("t", la, sa)]
                else:
                    corridors = [("t", la, sa), ("g", cb + 1, 0), ("t", lb, sb)]
                routes.append(_Route(flow=flow, exit="top", entry="top", corridors=corridors))
            elif down:
                if ca == cb and clear(ca, level(la, sa), level(lb, sb)):
                    corridors = [("t", lb, sb)]
                else:
                    gutter = cb if ca <= cb else cb + 1
                    corridors = [("t", la, sa + 1), ("g", gutter, 0), ("t", lb, sb)]
                routes.append(_Route(flow=flow, exit="bottom", entry="top", corridors=corridors))
            else:
                if ca == cb and clear(ca, level(lb, sb), level(la, sa)):
                    corridors = [("t", lb, sb + 1)]
                else:
                    gutter = cb if ca <= cb else cb + 1
                    corridors = [("t", la, sa), ("g", gutter, 0), ("t", lb, sb + 1)]
                routes.append(_Route(flow=flow, exit="top", entry="bottom", corridors=corridors))

        # --- colour each corridor's stretches ---------------------------------
        track_intervals: dict[tuple[int, int], list[tuple[int, int, int]]] = defaultdict(list)
        gutter_intervals: dict[int, list[tuple[tuple[int, int], tuple[int, int], int]]] = (
            defaultdict(list)
        )
        stretches: list[tuple[str, int, int]] = []
        for route in routes:
            la, ca, sa = self.where[route.flow.source]
            lb, cb, sb = self.where[route.flow.target]
            # Each corridor's neighbours: the port before it, the corridor after it.
            chain: list[tuple[str, int, int] | tuple[str, int, int, int]] = [
                ("p", la, ca, sa),
                *route.corridors,
                ("p", lb, cb, sb),
            ]
            for before, here, after in zip(chain, chain[1:], chain[2:], strict=False):
                stretch_key = len(stretches)
                stretches.append(here)  # type: ignore[arg-type]
                route.keys.append(stretch_key)
                if here[0] == "t":
                    ends = [self._x_of(before), self._x_of(after)]
                    track_intervals[here[1], here[2]].append((min(ends), max(ends), stretch_key))
                else:
                    vends = [self._y_of(before), self._y_of(after)]
                    gutter_intervals[here[1]].append((min(vends), max(vends), stretch_key))
        offset: dict[int, int] = {}
        track_count: dict[tuple[int, int], int] = {}
        for track, intervals in track_intervals.items():
            given, count = _colour(intervals)
            offset.update(given)
            track_count[track] = count
        gutter_count: dict[int, int] = {}
        for gutter, vintervals in gutter_intervals.items():
            order = sorted(vintervals)
            rank = {
                v: i for i, v in enumerate(sorted({e for lo, hi, _ in order for e in (lo, hi)}))
            }
            given, count = _colour([(rank[lo], rank[hi], key) for lo, hi, key in order])
            offset.update(given)
            gutter_count[gutter] = count

        # --- boxes and their sizes ------------------------------------------
        labels: dict[int, list[str]] = {}
        gutter_label_width: dict[int, float] = defaultdict(float)
        # Room on a box's sides: a label and 8 points per flow entering on the
        # left, 8 points per flow leaving on the right.
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
                gutter = self.where[route.flow.target][1]
                gutter_label_width[gutter] = max(
                    gutter_label_width[gutter], text_box_width(text, LABEL_FONT) + 4
                )
        step_boxes: dict[str, tuple[float, float, list[str], int]] = {}
        for step in bp.steps():
            pad = 7.0 + (4.0 if step.moment is not None else 0.0)
            markers = badges(step)
            if markers:
                inset = 3.0 if step.moment is None else 6.0
                pad = max(pad, inset + max(width for *_, width in markers) + 4.0)
            lines = _step_lines(step, self.ratings.get(step.id), self.details, STEP_WIDTH - 2 * pad)
            height = len(lines) * STEP_LINE + 14 + (8 if step.moment is not None else 0)
            room = max(side_room[step.id])
            step_boxes[step.id] = (STEP_WIDTH, max(36.0, height, room), lines, len(markers))
        evidence_boxes: dict[str, tuple[float, float, list[str]]] = {}
        for step, i, item in self._evidence_items:
            lines = wrap(item, EVIDENCE_FONT, STEP_WIDTH - 36)
            evidence_boxes[f"{step.id}\x00{i}"] = (
                STEP_WIDTH - 16,
                max(24.0, len(lines) * 11.5 + 12),
                lines,
            )

        # --- vertical structure ----------------------------------------------
        slot_height: dict[tuple[int, int], float] = defaultdict(lambda: 22.0)
        for step_id, (lane, _, slot) in self.where.items():
            slot_height[lane, slot] = max(slot_height[lane, slot], step_boxes[step_id][1])
        for key, (lane, _, slot) in evidence_at.items():
            slot_height[lane, slot] = max(slot_height[lane, slot], evidence_boxes[key][1])

        def track_height(lane: int, track: int) -> float:
            count = track_count.get((lane, track), 0)
            edge = track in (0, slots[lane])
            base = 2 * EDGE_ROOM + SPACING * max(count - 1, 0)
            return base if count else (14.0 if edge else 8.0)

        captions = {lane: wrap(lane.caption, CAPTION_FONT, 84) for lane in self.lanes}
        line_captions = {line: line.caption for line in Line}
        caption_width = (
            max(
                max(text_box_width(c, CAPTION_FONT) for c in captions.values()),
                max(text_box_width([c], LINE_FONT) for c in line_captions.values()),
            )
            + 14
        )

        # Horizontal structure.
        def gutter_width(gutter: int) -> float:
            count = gutter_count.get(gutter, 0)
            lanes_room = EDGE_ROOM + SPACING * max(count - 1, 0) if count else 6.0
            label_room = gutter_label_width.get(gutter, 0.0)
            right = (label_room + 8.0) if label_room else EDGE_ROOM + 2
            return max(26.0, lanes_room + right)

        left0 = MARGIN + caption_width
        gutter_left: list[float] = []
        column_left: list[float] = []
        x = left0
        for column in range(columns + 1):
            gutter_left.append(x)
            x += gutter_width(column)
            if column < columns:
                column_left.append(x)
                x += STEP_WIDTH
        grid_right = x

        # Stage headers (wrapped to their width) decide the header row's height.
        stage_ranges: list[tuple[str, float, float]] = []
        for i, (stage, start, width) in enumerate(grid.stages):
            x0 = gutter_left[start] + 4 if start > 0 else left0
            last = i == len(grid.stages) - 1
            x1 = grid_right if last else gutter_left[start + width] + 4
            stage_ranges.append((stage, x0, x1))
        if not stage_ranges:
            stage_ranges.append(("", left0, grid_right))
        # A stage's header shows its display label (its id stays the box's ident).
        header_lines = {
            stage: wrap(bp.stage(stage).label if stage else "", HEADER_FONT, x1 - x0 - 12)
            for stage, x0, x1 in stage_ranges
        }
        header_height = max(len(lines) for lines in header_lines.values()) * 13.5 + 10

        lanes_width = grid_right - MARGIN
        title_lines = wrap(bp.name, TITLE_FONT, max(lanes_width, 200))
        y = MARGIN
        title_height = len(title_lines) * 19 + 8
        title_y = y
        y += title_height
        header_y = y
        y += header_height + 4
        lane_top: list[float] = []
        lane_bottom: list[float] = []
        track_top: dict[tuple[int, int], float] = {}
        track_size: dict[tuple[int, int], float] = {}
        slot_top: dict[tuple[int, int], float] = {}
        for lane in range(len(self.lanes)):
            lane_top.append(y)
            natural = sum(track_height(lane, t) for t in range(slots[lane] + 1)) + sum(
                slot_height[lane, s] for s in range(slots[lane])
            )
            need = len(captions[self.lanes[lane]]) * 14 + 28
            extra = max(0.0, need - natural) / 2
            for s in range(slots[lane] + 1):
                track_top[lane, s] = y
                track_size[lane, s] = track_height(lane, s) + (
                    extra if s in (0, slots[lane]) else 0.0
                )
                y += track_size[lane, s]
                if s < slots[lane]:
                    slot_top[lane, s] = y
                    y += slot_height[lane, s]
            lane_bottom.append(y)

        def track_y(stretch: int, lane: int, track: int) -> float:
            count = track_count.get((lane, track), 1)
            used = 2 * EDGE_ROOM + SPACING * (count - 1)
            top = track_top[lane, track] + (track_size[lane, track] - used) / 2
            return top + EDGE_ROOM + SPACING * offset[stretch]

        def gutter_x(stretch: int, gutter: int) -> float:
            return gutter_left[gutter] + EDGE_ROOM + SPACING * offset[stretch]

        # --- boxes ------------------------------------------------------------
        boxes: list[Box] = []
        paths_before: list[Path] = []
        width_all = grid_right + MARGIN
        for each in self.lanes:
            i = each.position
            boxes.append(
                Box(
                    name=f"band{i}",
                    ident=f"sbp-lane:{each.value}",
                    role="band",
                    x=MARGIN,
                    y=lane_top[i],
                    w=grid_right - MARGIN,
                    h=lane_bottom[i] - lane_top[i],
                    style={"fillcolor": BAND_FILL[each], "color": BAND_FILL[each]},
                    classes=("sbp-band", f"sbp-lane-{i}"),
                )
            )
        for i, (stage, x0, x1) in enumerate(stage_ranges):
            boxes.append(
                Box(
                    name=f"h{i}",
                    ident=f"sbp-stage:{stage}",
                    role="stage",
                    x=x0 + 1,
                    y=header_y,
                    w=x1 - x0 - 2,
                    h=header_height,
                    lines=tuple(header_lines[stage]),
                    size=HEADER_FONT,
                    style={"fillcolor": "#4d4d4d", "color": "#4d4d4d", "fontcolor": "#ffffff"},
                    classes=("sbp-stage", f"sbp-stage-{i}"),
                )
            )
        for each in self.lanes:
            i = each.position
            lines = captions[each]
            height = len(lines) * 14 + 4
            boxes.append(
                Box(
                    name=f"c{i}",
                    ident=f"sbp-lane-caption:{each.value}",
                    role="caption",
                    x=MARGIN + 4,
                    y=(lane_top[i] + lane_bottom[i] - height) / 2,
                    w=caption_width - 8,
                    h=height,
                    lines=tuple(lines),
                    size=CAPTION_FONT,
                    style={"color": "transparent", "fillcolor": "transparent"},
                    classes=("sbp-caption",),
                )
            )
        line_y = {line: lane_bottom[line.above.position] for line in Line}
        for k, line in enumerate(Line):
            boxes.append(
                Box(
                    name=f"l{k}",
                    ident=f"sbp-line:{line.value}",
                    role="caption",
                    x=MARGIN + 2,
                    y=line_y[line] - 6,
                    w=caption_width - 4,
                    h=12,
                    lines=(line_captions[line],),
                    size=LINE_FONT,
                    style={
                        "color": "transparent",
                        "fillcolor": "transparent",
                        "fontcolor": "#444444",
                    },
                    classes=("sbp-caption",),
                )
            )
        title_box = Box(
            name="title",
            ident="sbp-title",
            role="title",
            x=MARGIN,
            y=title_y,
            w=lanes_width,
            h=title_height - 4,
            lines=tuple(title_lines),
            size=TITLE_FONT,
            style={"color": "transparent", "fillcolor": "transparent"},
            classes=("sbp-title",),
        )
        boxes.append(title_box)

        stage_of = {stage: i for i, stage in enumerate(bp.stages)}
        placed: dict[str, tuple[float, float, float, float]] = {}
        for step_id in grid.order:
            step = self.step_of[step_id]
            lane, column, slot = self.where[step_id]
            w, h, lines, _ = step_boxes[step_id]
            bx = column_left[column]
            by = slot_top[lane, slot] + (slot_height[lane, slot] - h) / 2
            placed[step_id] = (bx, by, w, h)
            style = self._step_style(step)
            boxes.append(
                Box(
                    name=self.names[step_id],
                    ident=svg_id(step_id),
                    role="step",
                    x=bx,
                    y=by,
                    w=w,
                    h=h,
                    lines=tuple(lines),
                    style=style,
                    classes=(
                        "sbp-step",
                        f"sbp-in-lane-{lane}",
                        f"sbp-in-stage-{stage_of[step.stage]}",
                    ),
                )
            )
            if step.moment is not None:
                boxes.append(mot_frame(self.names[step_id], step_id, bx, by, w, h))
            inset = 3.0 if step.moment is None else 6.0
            corner_left = True
            for role, badge_text, badge_style, badge_width in badges(step):
                bx0 = bx + inset if corner_left else bx + w - inset - badge_width
                corner_left = False
                boxes.append(
                    Box(
                        name=f"{self.names[step_id]}_{role}",
                        ident=f"sbp-badge:{role}:{step_id}",
                        role="badge",
                        x=bx0,
                        y=by + inset,
                        w=badge_width,
                        h=BADGE,
                        lines=(badge_text,),
                        size=8.0,
                        style={**badge_style, "style": "filled", "color": "#000000"},
                        classes=("sbp-badge", f"sbp-badge-of-{self.names[step_id]}"),
                    )
                )
        for n, (step, i, _) in enumerate(self._evidence_items):
            key = f"{step.id}\x00{i}"
            lane, column, slot = evidence_at[key]
            w, h, lines = evidence_boxes[key]
            boxes.append(
                Box(
                    name=f"ev{n}",
                    ident=f"sbp-evidence:{step.id}:{i}",
                    role="evidence",
                    x=column_left[column] + (STEP_WIDTH - w) / 2,
                    y=slot_top[lane, slot] + (slot_height[lane, slot] - h) / 2,
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

        bottom = lane_bottom[-1]
        if self.emotion:
            bottom = self._emotion_lane(
                boxes,
                paths_before,
                placed,
                top=bottom,
                left=left0,
                right=grid_right,
                caption_width=caption_width,
            )

        # --- ports, then the flows' points --------------------------------------
        # Each side's flows are spread along it, in the order of their other
        # ends (left to right on top and bottom, top to bottom on the left and
        # right), so that they need not cross next to the box.
        by_side: dict[tuple[str, str], list[tuple[tuple[int, ...], int]]] = defaultdict(list)
        for number, route in enumerate(routes):
            la, ca, sa = self.where[route.flow.source]
            lb, cb, sb = self.where[route.flow.target]
            across = route.exit in ("top", "bottom")
            by_side[route.flow.source, route.exit].append(
                ((cb, lb, sb, number) if across else (lb, sb, cb, number), number)
            )
            across = route.entry in ("top", "bottom")
            by_side[route.flow.target, route.entry].append(
                ((ca, la, sa, number) if across else (la, sa, ca, number), number)
            )
        port: dict[tuple[int, str], float] = {}
        label_at: dict[int, tuple[float, float]] = {}
        for (step_id, side), users in sorted(by_side.items()):
            bx, by, w, h = placed[step_id]
            users.sort()
            ordered = [number for _, number in users]
            roles = ["src" if routes[n].flow.source == step_id else "dst" for n in ordered]
            if side in ("top", "bottom"):
                edge = 26.0 if badges(self.step_of[step_id]) and side == "top" else 12.0
                lo, hi = bx + edge, bx + w - edge
                for i, (n, which) in enumerate(zip(ordered, roles, strict=True)):
                    port[n, which] = lo + (hi - lo) * (i + 1) / (len(ordered) + 1)
                continue
            # Left and right sides: each label just above its flow.
            heights = [
                len(labels[n]) * LABEL_LINE + 3 if which == "dst" and n in labels else 0.0
                for n, which in zip(ordered, roles, strict=True)
            ]
            block = sum(hh + 8 for hh in heights)
            cursor = by + (h - block) / 2
            for n, which, hh in zip(ordered, roles, heights, strict=True):
                if hh:
                    label_at[n] = (cursor, hh)
                port[n, which] = cursor + hh + 4
                cursor += hh + 8

        def trace(number: int) -> list[tuple[float, float]]:
            route = routes[number]
            first = self._port_point(route.exit, placed[route.flow.source], port[number, "src"])
            final = self._port_point(route.entry, placed[route.flow.target], port[number, "dst"])
            points: list[tuple[float, float]] = [first]
            for stretch, (kind, a, b) in zip(route.keys, route.corridors, strict=True):
                if kind == "t":
                    points.append((points[-1][0], track_y(stretch, a, b)))
                else:
                    points.append((gutter_x(stretch, a), points[-1][1]))
            corner = points[-1]
            if route.entry in ("top", "bottom"):
                points.append((final[0], corner[1]))
            else:
                points.append((corner[0], final[1]))
            points.append(final)
            return _simplify(points)

        traced = [trace(number) for number in range(len(routes))]
        # A flow leaving a box sideways can meet, at the same height, one
        # entering the box across the gutter: move the leaving one's port.
        # Likewise a flow leaving a box's bottom can run down the same line as
        # one entering the box below it from the top: move one of the two ports.
        for _ in range(4):
            conflicts = _conflicting_exits(traced, routes)
            for number in sorted(conflicts):
                box = placed[routes[number].flow.source]
                shifted = port[number, "src"] + 5
                if shifted > box[1] + box[3] - 4:
                    shifted = port[number, "src"] - 10
                port[number, "src"] = shifted
                traced[number] = trace(number)
            stubs = _conflicting_stubs(traced, routes)
            for number, which in sorted(stubs):
                route = routes[number]
                box = placed[route.flow.source if which == "src" else route.flow.target]
                shifted = port[number, which] + 9
                if shifted > box[0] + box[2] - 8:
                    shifted = port[number, which] - 18
                port[number, which] = shifted
                traced[number] = trace(number)
            if not conflicts and not stubs:
                break

        paths: list[Path] = paths_before
        label_boxes: list[Box] = []
        for number, route in enumerate(routes):
            flow = route.flow
            tx = placed[flow.target][0]
            simple = traced[number]
            support = flow.kind is FlowKind.SUPPORT
            paths.append(
                Path(
                    ident=f"sbp-flow:{flow.source}:{flow.target}",
                    role="flow",
                    tail=self.names[flow.source],
                    head=self.names[flow.target],
                    points=tuple(simple),
                    arrow=True,
                    style={
                        "color": SUPPORT_COLOUR if support else SEQUENCE_COLOUR,
                        "penwidth": "1.1" if support else "1.3",
                        "arrowhead": "vee" if support else "normal",
                        "class": "sbp-flow sbp-support" if support else "sbp-flow sbp-sequence",
                    },
                )
            )
            if number in labels:
                top, height = label_at[number]
                text = labels[number]
                label_w = text_box_width(text, LABEL_FONT) + 4
                label_boxes.append(
                    Box(
                        name=f"lab{number}",
                        ident=f"sbp-label:{flow.source}:{flow.target}",
                        role="label",
                        x=tx - 4 - label_w,
                        y=top,
                        w=label_w,
                        h=height,
                        lines=tuple(text),
                        size=LABEL_FONT,
                        style={
                            "color": "transparent",
                            "fillcolor": "transparent",
                            "fontcolor": SUPPORT_COLOUR if support else SEQUENCE_COLOUR,
                        },
                        classes=("sbp-label",),
                    )
                )
        boxes.extend(label_boxes)

        # --- lines and separators ---------------------------------------------
        for k, line in enumerate(Line):
            yy = line_y[line]
            paths.append(
                Path(
                    ident=f"sbp-line:{line.value}:0",
                    role="line",
                    tail=f"l{k}_a",
                    head=f"l{k}_b",
                    points=((left0, yy), (grid_right, yy)),
                    arrow=False,
                    style={
                        "style": "dashed",
                        "color": LINE_COLOUR,
                        "penwidth": "1.2",
                        "class": "sbp-line",
                    },
                )
            )
        for i, (_, x0, _) in enumerate(stage_ranges[1:], start=1):
            paths.append(
                Path(
                    ident=f"sbp-separator:{i}",
                    role="separator",
                    tail=f"sep{i}_a",
                    head=f"sep{i}_b",
                    points=((x0, header_y + header_height), (x0, bottom)),
                    arrow=False,
                    style={
                        "style": "dotted",
                        "color": SEPARATOR_COLOUR,
                        "penwidth": "1.2",
                        "class": "sbp-separator",
                    },
                )
            )
        height_all = bottom + MARGIN
        if self.legend:
            legend_boxes, legend_paths, legend_bottom, right = legend(
                top=bottom + 14, left=MARGIN, width=lanes_width, rated=bool(self.ratings)
            )
            boxes.extend(legend_boxes)
            paths.extend(legend_paths)
            height_all = legend_bottom + MARGIN
            width_all = max(width_all, right + MARGIN)
        return Scene(
            title=bp.name,
            width=width_all,
            height=height_all,
            boxes=tuple(boxes),
            paths=tuple(paths),
        )

    def _emotion_lane(
        self,
        boxes: list[Box],
        paths: list[Path],
        placed: Mapping[str, tuple[float, float, float, float]],
        *,
        top: float,
        left: float,
        right: float,
        caption_width: float,
    ) -> float:
        """Add the emotion band beneath the lanes to *boxes* and *paths*; return its bottom.

        One level line per whole rating −3 … +3, labelled at the left; the
        curve joins the customer steps' ratings, each at its step's column
        centre, broken where a step has no rating; a moment of truth's point
        is a diamond, any other a dot, coloured on the rating palette.
        """
        bottom = top + 2 * EMOTION_PAD + 6 * EMOTION_LEVEL

        def level_y(rating: float) -> float:
            return top + EMOTION_PAD + (3 - rating) * EMOTION_LEVEL

        boxes.append(
            Box(
                name="emotion_band",
                ident="sbp-emotion",
                role="emotion-band",
                x=MARGIN,
                y=top,
                w=right - MARGIN,
                h=bottom - top,
                style={"fillcolor": EMOTION_FILL, "color": EMOTION_FILL},
                classes=("sbp-emotion-band",),
            )
        )
        room = caption_width - 8 - EMOTION_LABEL - 6
        lines = wrap(EMOTION_CAPTION, CAPTION_FONT, room - 2)
        height = len(lines) * 14 + 4
        boxes.append(
            Box(
                name="emotion_caption",
                ident="sbp-emotion-caption",
                role="caption",
                x=MARGIN + 4,
                y=(top + bottom - height) / 2,
                w=room,
                h=height,
                lines=tuple(lines),
                size=CAPTION_FONT,
                style={"color": "transparent", "fillcolor": "transparent"},
                classes=("sbp-caption",),
            )
        )
        for rating in range(3, -4, -1):
            y = level_y(rating)
            boxes.append(
                Box(
                    name=f"emotion_level{rating + 3}",
                    ident=f"sbp-emotion-level:{rating:+d}",
                    role="caption",
                    x=left - EMOTION_LABEL - 2,
                    y=y - 6,
                    w=EMOTION_LABEL,
                    h=12,
                    lines=(f"{rating:+d}",),
                    size=LINE_FONT,
                    style={
                        "color": "transparent",
                        "fillcolor": "transparent",
                        "fontcolor": "#444444",
                    },
                    classes=("sbp-caption",),
                )
            )
            paths.append(
                Path(
                    ident=f"sbp-emotion-level-line:{rating:+d}",
                    role="emotion-level",
                    tail=f"emotion_level{rating + 3}_a",
                    head=f"emotion_level{rating + 3}_b",
                    points=((left, y), (right, y)),
                    arrow=False,
                    style={
                        "style": "solid" if rating == 0 else "dotted",
                        "color": "#9a9a9a" if rating == 0 else "#c8c8c8",
                        "penwidth": "1",
                        "class": "sbp-emotion-level",
                    },
                )
            )
        # Only customer steps are on the curve (a rated backstage step colours its box only).
        customer = {
            step_id: rating
            for step_id, rating in self.ratings.items()
            if self.step_of[step_id].lane is Lane.CUSTOMER
        }
        curve = emotion_curve(self.bp, ratings=customer)
        pieces: list[list[tuple[float, float]]] = [[]]
        for point in curve.steps:
            if point.rating is None:
                pieces.append([])
                continue
            bx, _, w, _ = placed[point.step]
            x, y = bx + w / 2, level_y(point.rating)
            pieces[-1].append((x, y))
            size = 11.0 if point.is_moment else 8.0
            whole = rating_class(point.rating)
            boxes.append(
                Box(
                    name=f"{self.names[point.step]}_emotion",
                    ident=f"sbp-emotion-point:{point.step}",
                    role="emotion-point",
                    x=x - size / 2,
                    y=y - size / 2,
                    w=size,
                    h=size,
                    style={
                        "shape": "diamond" if point.is_moment else "circle",
                        "fillcolor": RATING_COLOURS[whole],
                        "color": "#000000",
                    },
                    classes=("sbp-emotion-point",),
                )
            )
        for k, piece in enumerate(p for p in pieces if len(p) > 1):
            paths.append(
                Path(
                    ident=f"sbp-emotion-curve:{k}",
                    role="emotion",
                    tail=f"emotion_curve{k}_a",
                    head=f"emotion_curve{k}_b",
                    points=tuple(piece),
                    arrow=False,
                    style={"color": "#1a1a1a", "penwidth": "1.6", "class": "sbp-emotion-curve"},
                )
            )
        return bottom

    def _x_of(self, thing: tuple[Any, ...]) -> int:
        """A thing's place along a track: gutters even, columns odd."""
        if thing[0] == "g":
            return 2 * int(thing[1])
        if thing[0] == "p":
            return 2 * int(thing[2]) + 1
        raise AssertionError(thing)

    def _y_of(self, thing: tuple[Any, ...]) -> tuple[int, int]:
        """A thing's level along a gutter: tracks even, slots odd, lane by lane."""
        if thing[0] == "t":
            return (thing[1], 2 * thing[2])
        if thing[0] == "p":
            return (thing[1], 2 * thing[3] + 1)
        raise AssertionError(thing)

    @staticmethod
    def _port_point(
        side: str, box: tuple[float, float, float, float], at: float
    ) -> tuple[float, float]:
        x, y, w, h = box
        if side == "top":
            return (at, y)
        if side == "bottom":
            return (at, y + h)
        if side == "left":
            return (x, at)
        return (x + w, at)

    def _step_style(self, step: Step) -> dict[str, str]:
        style = {"style": "rounded,filled" if step.moment is None else "filled"}
        if step.moment is not None:
            style["penwidth"] = "1.4"
        rating = self.ratings.get(step.id)
        if rating is not None:
            whole = rating_class(rating)
            style["fillcolor"] = RATING_COLOURS[whole]
            style["fontcolor"] = RATING_TEXT_COLOURS[whole]
        else:
            style["fillcolor"] = "#ffffff"
        return style


def _conflicting_exits(traced: list[list[tuple[float, float]]], routes: list[_Route]) -> set[int]:
    """The flows whose sideways first leg runs along another flow's horizontal stretch.

    A sweep over the horizontal stretches, by height then from left to right.
    """
    legs: list[tuple[float, float, float, int, bool]] = []
    for number, points in enumerate(traced):
        for i, (p0, p1) in enumerate(itertools.pairwise(points)):
            if abs(p0[1] - p1[1]) < 0.01:
                sideways = i == 0 and routes[number].exit in ("left", "right")
                legs.append((p0[1], min(p0[0], p1[0]), max(p0[0], p1[0]), number, sideways))
    legs.sort()
    found: set[int] = set()
    start = 0
    while start < len(legs):
        end = start + 1
        while end < len(legs) and legs[end][0] - legs[end - 1][0] < 2:
            end += 1
        active: list[tuple[float, float, float, int, bool]] = []
        for leg in sorted(legs[start:end], key=lambda leg: leg[1]):
            active = [other for other in active if other[2] - leg[1] > 0.5]
            for other in active:
                if other[3] != leg[3] and abs(other[0] - leg[0]) < 2 and (other[4] or leg[4]):
                    found.add(leg[3] if leg[4] else other[3])
            active.append(leg)
        start = end
    return found


def _conflicting_stubs(
    traced: list[list[tuple[float, float]]], routes: list[_Route]
) -> set[tuple[int, str]]:
    """The flows whose first or last leg, up or down from a box, runs along another flow.

    Each as the flow's number and the end to move ("src" or "dst"); of two
    such legs on one line, the later flow's moves.
    """
    stubs: list[tuple[int, str, float, float, float]] = []
    uprights: list[tuple[int, float, float, float]] = []
    for number, points in enumerate(traced):
        last = len(points) - 2
        for i, (p0, p1) in enumerate(itertools.pairwise(points)):
            if abs(p0[0] - p1[0]) >= 0.01:
                continue
            lo, hi = min(p0[1], p1[1]), max(p0[1], p1[1])
            uprights.append((number, p0[0], lo, hi))
            if i == 0 and routes[number].exit in ("top", "bottom"):
                stubs.append((number, "src", p0[0], lo, hi))
            elif i == last and routes[number].entry in ("top", "bottom"):
                stubs.append((number, "dst", p0[0], lo, hi))
    found: set[tuple[int, str]] = set()
    for number, which, x, lo, hi in stubs:
        for other, ox, olo, ohi in uprights:
            if other == number or abs(ox - x) >= 1.5 or min(hi, ohi) - max(lo, olo) <= 1:
                continue
            other_is_stub = any(s[0] == other and abs(s[2] - ox) < 0.01 for s in stubs)
            if not other_is_stub or number > other:
                found.add((number, which))
    return found


def _simplify(points: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Drop repeated points and points in the middle of a straight stretch."""
    out: list[tuple[float, float]] = []
    for point in points:
        point = (round(point[0], 2), round(point[1], 2))
        if out and point == out[-1]:
            continue
        if len(out) >= 2:
            (x0, y0), (x1, y1) = out[-2], out[-1]
            if (x0 == x1 == point[0]) or (y0 == y1 == point[1]):
                out[-1] = point
                continue
        out.append(point)
    return out
