"""Drawing blueprints: Graphviz DOT, SVG/PNG/PDF through an engine, Mermaid text, a layout check."""

from servicebp.rendering._layout_check import LayoutDefect, check_layout
from servicebp.rendering._render import (
    DETAILS,
    ENGINES,
    FORMATS,
    MERMAID_KINDS,
    SUFFIXES,
    render,
    render_bytes,
    render_svg,
    to_dot,
    to_mermaid,
)

__all__ = [
    "DETAILS",
    "ENGINES",
    "FORMATS",
    "MERMAID_KINDS",
    "SUFFIXES",
    "LayoutDefect",
    "check_layout",
    "render",
    "render_bytes",
    "render_svg",
    "to_dot",
    "to_mermaid",
]
