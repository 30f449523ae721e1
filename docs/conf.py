"""Sphinx configuration for the servicebp documentation.

Build with ``sphinx-build -W -b html docs docs/_build/html`` (a warning fails
the build). Pages are CommonMark Markdown read by MyST; the API reference
comes from the numpydoc docstrings, the CLI reference from click itself, and
the blueprint pictures are rendered by the build from the pages' own code
(see ``_ext/servicebp_docs.py``).
"""

from __future__ import annotations

import sys
from pathlib import Path

import servicebp

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "_ext"))

from servicebp_docs import bases_not_documented  # noqa: E402 (found on the path just set)

project = "servicebp"
author = "The servicebp developers"
copyright = "2026, The servicebp developers"
release = servicebp.__version__
version = ".".join(release.split(".")[:2])

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "sphinx_click",
    "servicebp_docs",
]

source_suffix = {".md": "markdown"}
root_doc = "index"
exclude_patterns = ["_build", "_static", "conftest.py", "Thumbs.db", ".DS_Store"]
templates_path: list[str] = []

# MyST: plain CommonMark plus the few extensions the pages use.
myst_enable_extensions = ["colon_fence", "deflist"]
myst_heading_anchors = 3

# autodoc + napoleon read the numpydoc docstrings.
autodoc_member_order = "bysource"
autodoc_typehints = "description"
autodoc_default_options = {
    "members": True,
    "show-inheritance": True,
    # The Blueprint's methods live in mixins; list them on the Blueprint.
    "inherited-members": bases_not_documented(),
}
napoleon_google_docstring = False
napoleon_numpy_docstring = True
napoleon_use_rtype = False

# No network during the build.
intersphinx_mapping: dict[str, tuple[str, str | None]] = {}

html_theme = "furo"
html_title = f"servicebp {release}"
