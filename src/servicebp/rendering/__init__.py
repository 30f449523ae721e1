"""Drawing blueprints: Graphviz DOT, SVG/PNG/PDF through an engine, Mermaid text."""

from servicebp.rendering._render import (
    ENGINES,
    FORMATS,
    MERMAID_KINDS,
    render,
    render_bytes,
    render_svg,
    to_dot,
    to_mermaid,
)

__all__ = [
    "ENGINES",
    "FORMATS",
    "MERMAID_KINDS",
    "render",
    "render_bytes",
    "render_svg",
    "to_dot",
    "to_mermaid",
]
