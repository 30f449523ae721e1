"""The Jupyter display hook of :class:`~servicebp.Blueprint`: a notebook shows it drawn.

The one place the model reaches up to the rendering layer, lazily, when a
notebook asks; the import-linter contract names this module as the exception.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:
    from servicebp.model._blueprint import Blueprint

__all__ = ["JupyterDisplay"]


class JupyterDisplay:
    """Jupyter's rich display of :class:`~servicebp.Blueprint`: SVG when it can be drawn."""

    def _repr_svg_(self) -> str | None:
        """The blueprint drawn as SVG, for Jupyter (``None`` if it cannot be drawn)."""
        from servicebp.errors import ServiceBlueprintError
        from servicebp.rendering import render_svg

        try:
            # The mixin is only ever a Blueprint's base.
            return render_svg(cast("Blueprint", self))
        except (ServiceBlueprintError, OSError):
            return None

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, str]:
        """Jupyter's rich display: ``image/svg+xml`` and ``text/plain``.

        Only ``text/plain`` when the blueprint cannot be drawn.
        """
        bundle = {"text/plain": repr(self)}
        wanted = (include is None or "image/svg+xml" in include) and (
            exclude is None or "image/svg+xml" not in exclude
        )
        if wanted:
            svg = self._repr_svg_()
            if svg is not None:
                bundle["image/svg+xml"] = svg
        return bundle
