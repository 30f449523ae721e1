"""Drawing blueprints: Graphviz DOT, SVG/PNG/PDF through an engine, Mermaid text, a layout check.

Besides the drawing functions, this subpackage offers the layers above it
(interchange, reporting, cli) what they build on: the grid of columns and
slots (:func:`grid_of`), the laid-out scene in points (:func:`scene_of`, with
:class:`Scene`, :class:`Box`, :class:`Path`), the rating palette, the time
and score wording, the table of extra text formats (:data:`TEXT_FORMATS`) and
the engine chooser.
"""

from servicebp.rendering._dot import ratings_shown, seen_by
from servicebp.rendering._engines import MAX_TIMEOUT, choose_engine
from servicebp.rendering._layout import Grid, grid_of
from servicebp.rendering._layout_check import LayoutDefect, check_layout
from servicebp.rendering._palette import RATING_COLOURS, RATING_TEXT_COLOURS, rating_class
from servicebp.rendering._render import (
    DETAILS,
    ENGINES,
    FORMATS,
    MERMAID_KINDS,
    SUFFIXES,
    TEXT_FORMATS,
    render,
    render_bytes,
    render_svg,
    to_dot,
    to_mermaid,
)
from servicebp.rendering._scene import scene_of
from servicebp.rendering._scene_shapes import Box, Path, Scene, human_time, score_text, wait_text

__all__ = [
    "DETAILS",
    "ENGINES",
    "FORMATS",
    "MAX_TIMEOUT",
    "MERMAID_KINDS",
    "RATING_COLOURS",
    "RATING_TEXT_COLOURS",
    "SUFFIXES",
    "TEXT_FORMATS",
    "Box",
    "Grid",
    "LayoutDefect",
    "Path",
    "Scene",
    "check_layout",
    "choose_engine",
    "grid_of",
    "human_time",
    "rating_class",
    "ratings_shown",
    "render",
    "render_bytes",
    "render_svg",
    "scene_of",
    "score_text",
    "seen_by",
    "to_dot",
    "to_mermaid",
    "wait_text",
]
