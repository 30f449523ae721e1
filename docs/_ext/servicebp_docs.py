"""Sphinx helpers for the servicebp docs: pictures from the pages' own code, and the API page.

``blueprint-figure``
    Renders a blueprint that the page's own Python code built. The build runs
    the page's ```` ```python ```` blocks that come before the directive (the
    same blocks the test suite runs with Sybil, in the same kind of namespace:
    a fresh one with nothing put in it, and a fresh temporary folder as
    working directory, as a reader who pastes the page has; the example
    files come from :func:`servicebp.examples.path`), evaluates the
    directive's argument in that namespace, renders the blueprint with
    :func:`servicebp.render` to SVG under ``_static/generated/`` and shows
    it. So a picture can never drift from the code beside it.

``servicebp-api``
    One section per public module of the package, each an ``automodule``, so
    a module added to the package appears in the API reference without
    anyone editing the page.
"""

from __future__ import annotations

import contextlib
import doctest
import hashlib
import importlib
import io
import os
import pkgutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

from docutils import nodes
from docutils.parsers.rst import directives
from docutils.statemachine import StringList
from markdown_it import MarkdownIt
from sphinx.application import Sphinx
from sphinx.errors import ExtensionError
from sphinx.util.docutils import SphinxDirective
from sphinx.util.nodes import nested_parse_with_titles

__all__ = ["SKIP_NEXT", "PageRun", "console_sessions", "python_blocks", "setup"]

DOCS = Path(__file__).resolve().parent.parent
GENERATED = DOCS / "_static" / "generated"

#: Modules listed first on the API page, in this order; any other public
#: module follows in alphabetical order.
API_ORDER = (
    "model",
    "scales",
    "scoring",
    "io",
    "analysis",
    "linting",
    "observed",
    "discovery",
    "rendering",
    "interchange",
    "testing",
    "examples",
    "errors",
)
#: Public modules that are not Python API (documented on the CLI page).
API_SKIP = frozenset({"cli"})

#: The topic guides, in reading order. Each is written with the feature it
#: describes; the guides' table of contents lists those that exist.
TOPIC_PAGES = (
    "file-format",
    "scoring",
    "observed-data",
    "rendering",
    "analysis",
    "lint-rules",
    "discovery",
    "grid",
    "safety",
    "drawio",
    "mermaid",
    "report",
)
TOPIC_MARKER = "<!-- topic-pages -->"


# --- running a page's code ---------------------------------------------------


#: The comment before a block that the tests do not run (Sybil's SkipParser
#: reads the same one): code that needs what a test machine lacks, a cluster.
SKIP_NEXT = "<!-- skip: next -->"


def python_blocks(source: str) -> list[tuple[int, str]]:
    """Return ``(first line, code)`` of each ```` ```python ```` fence, in page order.

    A fence just after a ``<!-- skip: next -->`` comment is left out, as the
    test suite's Sybil leaves it out.
    """
    tokens = MarkdownIt("commonmark").parse(source)
    found = []
    skip = False
    for token in tokens:
        info = token.info.strip().split()
        if token.type == "html_block":
            skip = token.content.strip() == SKIP_NEXT
        elif token.type == "fence" and info[:1] == ["python"] and token.map is not None:
            if not skip:
                found.append((token.map[0] + 1, token.content))
            skip = False
    return found


def console_sessions(source: str) -> list[tuple[int, str, str]]:
    """Return ``(line, command, expected output)`` per ``$`` line of ``console`` fences."""
    tokens = MarkdownIt("commonmark").parse(source)
    found: list[tuple[int, str, str]] = []
    for token in tokens:
        if token.type != "fence" or token.info.strip() != "console" or token.map is None:
            continue
        current: list[Any] | None = None
        for offset, line in enumerate(token.content.splitlines()):
            if line.startswith("$ "):
                if current is not None:
                    found.append((current[0], current[1], "\n".join(current[2])))
                current = [token.map[0] + 2 + offset, line[2:], []]
            elif current is not None:
                current[2].append(line)
        if current is not None:
            found.append((current[0], current[1], "\n".join(current[2])))
    return found


def _statements(code: str) -> Iterator[str]:
    """A plain block runs whole; a ``>>>`` block runs example by example."""
    examples = doctest.DocTestParser().get_examples(code)
    if not examples:
        yield code
        return
    for example in examples:
        yield example.source


class PageRun:
    """The namespace of one page, advanced block by block as figures ask for it."""

    def __init__(self, docname: str, path: Path) -> None:
        self.docname = docname
        self.path = path
        self.blocks = python_blocks(path.read_text(encoding="utf-8"))
        self.done = 0
        self.folder = tempfile.TemporaryDirectory(prefix="servicebp-docs-")
        # Nothing but what a fresh interpreter has: a page that leans on a
        # name it did not define fails here as it would for a reader.
        self.namespace: dict[str, Any] = {"__name__": "__main__"}

    @contextlib.contextmanager
    def _inside(self) -> Iterator[None]:
        cwd = os.getcwd()
        os.chdir(self.folder.name)
        try:
            with contextlib.redirect_stdout(io.StringIO()):
                yield
        finally:
            os.chdir(cwd)

    def run_until(self, line: int) -> None:
        """Run the blocks that start before *line*, not run yet."""
        with self._inside():
            while self.done < len(self.blocks) and self.blocks[self.done][0] < line:
                first, code = self.blocks[self.done]
                for statement in _statements(code):
                    try:
                        exec(compile(statement, f"{self.path}:{first}", "exec"), self.namespace)
                    except Exception as error:
                        raise ExtensionError(
                            f"{self.path}:{first}: the code block failed while the build ran "
                            f"it for a figure: {type(error).__name__}: {error}"
                        ) from error
                self.done += 1

    def evaluate(self, expression: str) -> Any:
        with self._inside():
            return eval(expression, self.namespace)

    def close(self) -> None:
        self.folder.cleanup()


_RUNS: dict[str, PageRun] = {}


def _page_run(directive: SphinxDirective) -> PageRun:
    docname = directive.env.docname
    run = _RUNS.get(docname)
    if run is None:
        run = _RUNS[docname] = PageRun(docname, Path(directive.env.doc2path(docname)))
    return run


def _forget_page(app: Sphinx, doctree: nodes.document) -> None:
    run = _RUNS.pop(app.env.docname, None)
    if run is not None:
        run.close()


def render_svg(blueprint: Any, target: Path, *, ratings: Any = None) -> None:
    """Render *blueprint* to the SVG file *target* with servicebp's own renderer."""
    # The module, not the name ``servicebp.render``, which the package's
    # top level may bind to the render() function.
    rendering = importlib.import_module("servicebp.rendering._render")
    target.parent.mkdir(parents=True, exist_ok=True)
    data: bytes = rendering.render_bytes(blueprint, format="svg", ratings=ratings)
    if target.exists() and target.read_bytes() == data:
        return
    temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    temporary.write_bytes(data)
    os.replace(temporary, target)


class BlueprintFigure(SphinxDirective):
    """``blueprint-figure``: show a blueprint the page's code built before this point.

    The argument is a Python expression evaluated in the page's namespace
    (usually a variable name); the content, if any, is the caption. The
    ``:ratings:`` option, another expression, gives ratings (step id to
    rating) to colour the steps with instead of their designed ones.
    """

    required_arguments = 1
    final_argument_whitespace = True
    has_content = True
    option_spec: ClassVar[dict[str, Any]] = {
        "alt": directives.unchanged,
        "width": directives.length_or_percentage_or_unitless,
        "name": directives.unchanged,
        "ratings": directives.unchanged,
    }

    def run(self) -> list[nodes.Node]:
        page = _page_run(self)
        page.run_until(self.lineno)
        expression = self.arguments[0]
        ratings_expression = self.options.get("ratings")
        try:
            blueprint = page.evaluate(expression)
            ratings = None if ratings_expression is None else page.evaluate(ratings_expression)
        except Exception as error:
            raise self.error(
                f"blueprint-figure: {expression!r} failed in the page's namespace: "
                f"{type(error).__name__}: {error}"
            ) from error
        key = f"{self.env.docname}:{expression}:{ratings_expression}"
        digest = hashlib.sha256(key.encode()).hexdigest()[:10]
        slug = self.env.docname.replace("/", "-")
        target = GENERATED / f"{slug}-{digest}.svg"
        try:
            render_svg(blueprint, target, ratings=ratings)
        except Exception as error:
            raise self.error(
                f"blueprint-figure: rendering {expression!r} failed: "
                f"{type(error).__name__}: {error}"
            ) from error
        self.env.note_dependency(str(target))
        source_dir = Path(self.env.doc2path(self.env.docname)).parent
        uri = os.path.relpath(target, source_dir).replace(os.sep, "/")
        alt = self.options.get(
            "alt", f"Service blueprint: {getattr(blueprint, 'name', expression)}"
        )
        image = nodes.image(uri=uri, alt=alt, candidates={"*": str(target)})
        # A width makes Sphinx link the picture to its full-size file: the
        # blueprints are wide, and a reader zooms in by clicking.
        image["width"] = self.options.get("width", "100%")
        figure = nodes.figure("", image, classes=["blueprint-figure"])
        if self.content:
            caption_text = " ".join(self.content)
            parsed, _ = self.state.inline_text(caption_text, self.lineno)
            figure += nodes.caption(caption_text, "", *parsed)
        self.add_name(figure)
        return [figure]


# --- the API page --------------------------------------------------------------


def public_modules() -> list[str]:
    """The package's public modules, in :data:`API_ORDER` then alphabetical order."""
    import servicebp

    names = {
        info.name
        for info in pkgutil.iter_modules(servicebp.__path__)
        if not info.name.startswith("_") and info.name not in API_SKIP
    }
    ordered = [name for name in API_ORDER if name in names]
    return ordered + sorted(names - set(ordered))


def _constants(name: str) -> list[str]:
    """``py:data`` entries for a subpackage's constants.

    autodoc finds a constant's ``#:`` comment only in the module that defines
    it, so the constants a subpackage re-exports are listed one by one, each
    with the comment read from its defining module.
    """
    from sphinx.pycode import ModuleAnalyzer

    package = importlib.import_module(f"servicebp.{name}")
    comments: dict[str, list[str]] = {}
    for info in pkgutil.iter_modules(getattr(package, "__path__", [])):
        analyzer = ModuleAnalyzer.for_module(f"servicebp.{name}.{info.name}")
        for (scope, attr), text in analyzer.find_attr_docs().items():
            if not scope:
                comments.setdefault(attr, list(text))
    lines: list[str] = []
    for constant in getattr(package, "__all__", ()):
        if constant.isupper():
            body = [f"   {line}" if line else "" for line in comments.get(constant, [])]
            lines += [f".. py:data:: servicebp.{name}.{constant}", "", *body, ""]
    return lines


def bases_not_documented() -> str:
    """autodoc's ``inherited-members``: every base class of the API's classes but the mixins.

    :class:`~servicebp.Blueprint` keeps its methods in private mixin
    classes (one module per concept); the reference lists them on the
    Blueprint. autodoc documents an inherited member unless the class it
    comes from is named here, so naming every other base (``object``,
    ``Exception``, ``str``, the library's own bases) keeps the other
    classes' entries as they were: their own members only.
    """
    import servicebp

    mixins = {
        cls.__name__
        for cls in servicebp.Blueprint.__mro__[1:]
        if cls.__module__.startswith("servicebp.model._")
    }
    names: set[str] = {"object"}
    for module_name in public_modules():
        module = importlib.import_module(f"servicebp.{module_name}")
        for value in vars(module).values():
            if isinstance(value, type):
                names.update(cls.__name__ for cls in value.__mro__)
    return ",".join(sorted(names - mixins))


class ServicebpApi(SphinxDirective):
    """``servicebp-api``: one section with an ``automodule`` per public module."""

    has_content = False

    def run(self) -> list[nodes.Node]:
        lines: list[str] = []
        for name in public_modules():
            # Imported here so that a module that fails to import fails the build.
            importlib.import_module(f"servicebp.{name}")
            title = f"``servicebp.{name}``"
            lines += [title, "-" * len(title), "", f".. automodule:: servicebp.{name}", ""]
            lines += _constants(name)
        content = StringList(lines, source="<servicebp-api>")
        container = nodes.section()
        container.document = self.state.document
        nested_parse_with_titles(self.state, content, container)
        return list(container.children)


# --- the guides' table of contents -------------------------------------------


def _insert_topic_pages(app: Sphinx, docname: str, source: list[str]) -> None:
    if TOPIC_MARKER not in source[0]:
        return
    # The documents this build found, so the list agrees with the build even
    # if a page appears while it runs.
    pages = [name for name in TOPIC_PAGES if name in app.env.found_docs]
    if pages:
        toctree = "\n".join(["```{toctree}", ":hidden:", ":caption: Guides", "", *pages, "```"])
    else:
        toctree = ""
    source[0] = source[0].replace(TOPIC_MARKER, toctree)


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_directive("blueprint-figure", BlueprintFigure)
    app.add_directive("servicebp-api", ServicebpApi)
    app.connect("doctree-read", _forget_page)
    app.connect("source-read", _insert_topic_pages)
    return {"version": "1", "parallel_read_safe": False, "parallel_write_safe": True}
