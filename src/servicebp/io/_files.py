"""Blueprint files: YAML and JSON in and out, and networkx graphs.

Every entry point (:func:`load`, :func:`loads`, :func:`from_networkx`,
:func:`from_node_link`, ``servicebp validate``) goes through one loading
path:

1. a size cap, checked before anything is parsed (``max_bytes``);
2. strict UTF-8 decoding;
3. YAML through a safe loader that refuses anchors and aliases, unknown
   tags (``!!python/object`` is an error, never executed), duplicate keys
   and nesting deeper than :data:`MAX_DEPTH` (counted without recursion), or
   JSON with duplicate keys and NaN/Infinity refused;
4. the JSON Schema of the file format (see :func:`schema`);
5. strict structuring into :class:`~servicebp.Step` and
   :class:`~servicebp.Flow`;
6. the blueprint built step by step, then its whole-blueprint problems.

Every problem found is reported at once in one
:class:`~servicebp.errors.BlueprintValidationError`, each as
``FILE:LINE:COL: $.steps[1].lane: 'front' is not one of [...]``.

Output is deterministic: the same blueprint, built in the same order, gives
the same bytes. Files are written atomically.
"""

from __future__ import annotations

import inspect
import json
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final, Literal

import attrs
import networkx as nx
import yaml

from servicebp._atomic import write_atomic
from servicebp.errors import BlueprintTypeError, BlueprintValidationError, Problem
from servicebp.io._document import FORMAT_VERSION, from_parsed, schema, to_document
from servicebp.io._parse import (
    MAX_BYTES,
    MAX_DEPTH,
    Parsed,
    PathKey,
    format_path,
    parse,
    read_bytes,
    resolves_as_text,
)
from servicebp.model import Blueprint

__all__ = [
    "FORMAT_VERSION",
    "MAX_BYTES",
    "MAX_DEPTH",
    "dumps",
    "format_for",
    "from_dict",
    "from_networkx",
    "from_node_link",
    "load",
    "loads",
    "save",
    "schema",
    "to_dict",
    "to_networkx",
    "to_node_link",
]

Format = Literal["yaml", "json"]

_EXTENSIONS: Final[dict[str, Format]] = {".yaml": "yaml", ".yml": "yaml", ".json": "json"}


def format_for(path: str | os.PathLike[str]) -> Format:
    """Return the file format of *path* from its extension.

    Raises
    ------
    BlueprintValidationError
        For an extension other than ``.yaml``, ``.yml`` or ``.json``.

    Examples
    --------
    >>> format_for("bank.YML")
    'yaml'
    >>> format_for("bank.txt")
    Traceback (most recent call last):
    ...
    servicebp.errors.BlueprintValidationError: bank.txt: unknown file extension '.txt' ...
    """
    suffix = Path(path).suffix.lower()
    try:
        return _EXTENSIONS[suffix]
    except KeyError:
        raise BlueprintValidationError(
            [
                Problem(
                    message=f"unknown file extension {suffix or '(none)'!r} "
                    f"(must be one of {sorted(_EXTENSIONS)})",
                    file=os.fspath(path),
                )
            ]
        ) from None


def _check_format(format: str) -> Format:
    if format == "yaml":
        return "yaml"
    if format == "json":
        return "json"
    raise BlueprintValidationError(f"unknown format {format!r} (must be one of ['json', 'yaml'])")


def load(path: str | os.PathLike[str], *, max_bytes: int = MAX_BYTES) -> Blueprint:
    """Load a blueprint from a YAML (``.yaml``, ``.yml``) or JSON (``.json``) file.

    Parameters
    ----------
    path : str or os.PathLike
        The file.
    max_bytes : int
        Larger files are refused before they are read.

    Returns
    -------
    Blueprint

    Raises
    ------
    BlueprintValidationError
        Listing every problem with the file (also for a missing file, an
        unknown extension or a file that is too large).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = pathlib.Path(folder) / "coffee.yaml"
    ...     _ = path.write_text('version: "1"\\nname: Coffee\\nstages: []\\nsteps: []\\n')
    ...     load(path)
    Blueprint('Coffee', stages=0, steps=0, flows=0)
    """
    file = os.fspath(path)
    file_format = format_for(file)
    data = read_bytes(file, max_bytes=max_bytes)
    return from_parsed(parse(data, format=file_format, file=file, max_bytes=max_bytes))


def loads(
    text: str | bytes,
    *,
    format: str = "yaml",
    source: str | None = None,
    max_bytes: int = MAX_BYTES,
) -> Blueprint:
    """Load a blueprint from YAML or JSON text.

    Parameters
    ----------
    text : str or bytes
        The document; bytes must be UTF-8.
    format : {"yaml", "json"}
        How *text* is written.
    source : str, optional
        A name for *text* (a file name) used in error messages.
    max_bytes : int
        Longer texts are refused before they are parsed.

    Raises
    ------
    BlueprintValidationError
        Listing every problem found.

    Examples
    --------
    >>> text = '''
    ... version: "1"
    ... name: Coffee
    ... stages: [order]
    ... steps:
    ... - {id: order, label: Order, lane: customer, stage: order, chanel: app}
    ... '''
    >>> loads(text, source="coffee.yaml")
    Traceback (most recent call last):
    ...
    servicebp.errors.BlueprintValidationError: coffee.yaml:6:59: $.steps[0].chanel: unknown key 'chanel'; did you mean 'channel'? ...
    >>> loads(text.replace("chanel", "channel"))
    Blueprint('Coffee', stages=1, steps=1, flows=0)
    """  # noqa: E501
    file_format = _check_format(format)
    return from_parsed(parse(text, format=file_format, file=source, max_bytes=max_bytes))


def _writable_document(bp: Blueprint) -> dict[str, Any]:
    """The file-format document of *bp*, refusing a blueprint that loading would refuse.

    Every writer goes through here, so whatever servicebp writes, it reads
    back as an equal blueprint.
    """
    problems = bp.problems()
    if problems:
        raise BlueprintValidationError(
            [
                attrs.evolve(p, message=f"{p.message} (not written: a file must load back)")
                for p in problems
            ]
        )
    return to_document(bp)


def to_dict(bp: Blueprint) -> dict[str, Any]:
    """Return *bp* as the file format's plain data (what :func:`dumps` writes).

    Examples
    --------
    >>> from servicebp import Step
    >>> bp = Blueprint("Coffee", stages=["order"])
    >>> _ = bp.add_step(Step(id="order", label="Order", lane="customer", stage="order"))
    >>> sorted(to_dict(bp))
    ['flows', 'name', 'stages', 'steps', 'version']
    """
    return _writable_document(bp)


def from_dict(data: Mapping[str, Any], *, source: str | None = None) -> Blueprint:
    """Build a blueprint from the file format's plain data, with every check of :func:`load`.

    Examples
    --------
    >>> from_dict({"version": "1", "name": "Empty", "stages": [], "steps": []})
    Blueprint('Empty', stages=0, steps=0, flows=0)
    """
    return from_parsed(Parsed(_plain_copy(data, source=source), file=source))


def _plain_copy(data: Any, *, source: str | None = None, max_depth: int = MAX_DEPTH) -> Any:
    """Copy mappings and lists of *data* (tuples as lists), without recursion.

    Deeper nesting than a file may hold (a structure holding itself is that
    too) is refused as :func:`load` refuses it, so no input ends in a
    ``RecursionError``.
    """
    root: list[Any] = [None]
    pending: list[tuple[Any, Any, Any, PathKey]] = [(root, 0, data, ())]
    while pending:
        parent, key, value, path = pending.pop()
        if isinstance(value, Mapping | list | tuple):
            if len(path) >= max_depth:
                raise BlueprintValidationError(
                    [
                        Problem(
                            message=f"the data is nested more than {max_depth} levels deep "
                            "(or holds itself); a blueprint needs far fewer",
                            path=format_path(path[:8]) + ("…" if len(path) > 8 else ""),
                            file=source,
                        )
                    ]
                )
            items = list(value.items()) if isinstance(value, Mapping) else list(enumerate(value))
            copy: Any = {} if isinstance(value, Mapping) else [None] * len(items)
            for name, item in items:
                if isinstance(copy, dict):
                    copy[name] = None
                child = name if isinstance(name, str | int) else str(name)
                pending.append((copy, name, item, (*path, child)))
            parent[key] = copy
        else:
            parent[key] = value
    return root[0]


def dumps(bp: Blueprint, *, format: str = "yaml") -> str:
    """Return *bp* as YAML or JSON text (deterministic: same blueprint, same text).

    Examples
    --------
    >>> from servicebp import Step
    >>> bp = Blueprint("咖啡", stages=["order"])
    >>> _ = bp.add_step(Step(id="order", label="点单", lane="customer", stage="order"))
    >>> print(dumps(bp), end="")
    version: '1'
    name: 咖啡
    stages:
    - order
    steps:
    - id: order
      label: 点单
      lane: customer
      stage: order
    flows: []
    >>> loads(dumps(bp, format="json"), format="json") == bp
    True
    """
    file_format = _check_format(format)
    document = _writable_document(bp)
    if file_format == "json":
        return json.dumps(document, ensure_ascii=False, indent=2, allow_nan=False) + "\n"
    text: str = yaml.dump(
        document,
        Dumper=_Dumper,
        allow_unicode=True,
        sort_keys=False,
        default_flow_style=False,
        width=100,
    )
    return text


class _Dumper(yaml.SafeDumper):
    """The safe dumper, writing text of several lines as literal blocks where it can."""


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    # The emitter falls back to a quoted style when a block cannot hold the text exactly.
    # The safe dumper quotes what YAML 1.1 would read as something else; quote too what
    # load()'s YAML 1.2 reading would (0o17, 1e3), so that every reader gets the text back.
    # YAML reads NEL, LS, PS and CR as line breaks, folded or turned into "\n" in every
    # style but double quotes, where the emitter escapes them ("a\x85b" came back "a b").
    if _YAML_BREAKS.search(value):
        style: str | None = '"'
    else:
        style = "|" if "\n" in value else None if resolves_as_text(value) else "'"
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_YAML_BREAKS: Final = re.compile("[\r\x85\u2028\u2029]")
_Dumper.add_representer(str, _represent_str)


def save(bp: Blueprint, path: str | os.PathLike[str], *, follow_symlinks: bool = False) -> None:
    """Write *bp* to *path* as YAML or JSON (by extension), atomically.

    The old file, if any, survives any failure, and no temporary file is
    left behind. A symbolic link at *path* is refused unless
    *follow_symlinks* (then the file it points to is replaced), and so is a
    read-only file; see :doc:`/safety` for every rule. A blueprint with
    whole-blueprint problems (see
    :meth:`Blueprint.problems`) is not written, since loading would refuse
    it: :class:`BlueprintValidationError` names them.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from servicebp import Step
    >>> bp = Blueprint("Coffee", stages=["order"])
    >>> _ = bp.add_step(Step(id="order", label="Order", lane="customer", stage="order"))
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     save(bp, pathlib.Path(folder) / "coffee.json")
    ...     load(pathlib.Path(folder) / "coffee.json") == bp
    True
    """
    file_format = format_for(path)
    write_atomic(path, dumps(bp, format=file_format), follow_symlinks=follow_symlinks)


# --- networkx -----------------------------------------------------------------


def to_networkx(bp: Blueprint) -> nx.DiGraph[str]:
    """Return a new :class:`networkx.DiGraph` holding *bp* as plain data.

    Nodes are step ids with the step's fields as attributes (``label``,
    ``lane``, ``stage`` …, as in the file format); edges carry the flow's
    ``kind`` and, when set, ``label`` and ``probability``; the graph's
    attributes hold ``version``, ``name``, ``stages`` and, when set,
    ``description`` and ``lint``.

    Examples
    --------
    >>> from servicebp import Step
    >>> bp = Blueprint("Coffee", stages=["order", "pay"])
    >>> _ = bp.add_step(Step(id="order", label="Order", lane="customer", stage="order"))
    >>> _ = bp.add_step(Step(id="pay", label="Pay", lane="customer", stage="pay"))
    >>> _ = bp.connect("order", "pay")
    >>> graph = to_networkx(bp)
    >>> graph.nodes["pay"]["lane"], list(graph.edges)
    ('customer', [('order', 'pay')])
    >>> from_networkx(graph) == bp
    True
    """
    document = _writable_document(bp)
    graph: nx.DiGraph[str] = nx.DiGraph()
    graph.graph.update(
        {k: v for k, v in document.items() if k not in ("steps", "flows")},
    )
    for step in document["steps"]:
        graph.add_node(step["id"], **{k: v for k, v in step.items() if k != "id"})
    for flow in document["flows"]:
        attributes = {k: v for k, v in flow.items() if k not in ("from", "to")}
        attributes.setdefault("kind", "sequence")
        graph.add_edge(flow["from"], flow["to"], **attributes)
    return graph


def from_networkx(graph: nx.DiGraph[Any]) -> Blueprint:
    """Build a blueprint from a graph laid out as :func:`to_networkx` makes it.

    The graph goes through the same checks as a file.

    Raises
    ------
    BlueprintValidationError
        Listing every problem found.
    BlueprintTypeError
        If *graph* is not a directed graph without parallel edges (also a
        ``TypeError``).
    """
    if not isinstance(graph, nx.Graph):
        raise BlueprintTypeError(
            f"from_networkx() takes a networkx.DiGraph, not {type(graph).__name__}"
        )
    if graph.is_multigraph():
        raise BlueprintTypeError(
            f"from_networkx() takes a networkx.DiGraph, not a {type(graph).__name__}: a "
            "blueprint joins two steps by one flow at most; build a DiGraph from it first"
        )
    if not graph.is_directed():
        raise BlueprintTypeError(
            f"from_networkx() takes a networkx.DiGraph, not an undirected {type(graph).__name__}: "
            "flows have a direction"
        )
    document: dict[str, Any] = dict(graph.graph)
    document.setdefault("version", FORMAT_VERSION)
    document["steps"] = [{"id": node, **data} for node, data in graph.nodes(data=True)]
    document["flows"] = [
        {"from": source, "to": target, **data} for source, target, data in graph.edges(data=True)
    ]
    return from_dict(document)


_EDGES_KEYWORD: Final = (
    "edges" if "edges" in inspect.signature(nx.node_link_data).parameters else "link"
)


def to_node_link(bp: Blueprint) -> dict[str, Any]:
    """Return *bp* as networkx node-link data, with the flows under an explicit ``"edges"`` key.

    networkx changed the default key from ``"links"`` to ``"edges"``; writing
    it explicitly keeps saved data readable by every version.

    Examples
    --------
    >>> from servicebp import Step
    >>> bp = Blueprint("Coffee", stages=["order"])
    >>> _ = bp.add_step(Step(id="order", label="Order", lane="customer", stage="order"))
    >>> data = to_node_link(bp)
    >>> sorted(data)
    ['directed', 'edges', 'graph', 'multigraph', 'nodes']
    >>> from_node_link(data) == bp
    True
    """
    data: dict[str, Any] = nx.node_link_data(to_networkx(bp), **{_EDGES_KEYWORD: "edges"})
    return data


def from_node_link(data: Mapping[str, Any]) -> Blueprint:
    """Build a blueprint from node-link data (``"edges"`` or, from older files, ``"links"``).

    Raises
    ------
    BlueprintValidationError
        If *data* is not node-link data of a blueprint, listing every problem.
    """
    if not isinstance(data, Mapping) or not isinstance(data.get("nodes"), list):
        raise BlueprintValidationError(
            [Problem(message="node-link data must be a mapping with a 'nodes' list", path="$")]
        )
    key = "edges" if "edges" in data or "links" not in data else "links"
    problems = _node_link_problems(data, key)
    if problems:
        raise BlueprintValidationError(problems)
    try:
        graph: Any = nx.node_link_graph(
            dict(data, **{key: data.get(key, [])}),
            directed=True,
            multigraph=False,
            **{_EDGES_KEYWORD: key},
        )
    except (KeyError, TypeError, ValueError, AttributeError, nx.NetworkXError) as error:
        raise BlueprintValidationError(
            [Problem(message=f"not valid node-link data: {error!s}", path="$")]
        ) from None
    return from_networkx(graph)


def _node_link_problems(data: Mapping[str, Any], key: str) -> list[Problem]:
    """What keeps *data* from being a blueprint's node-link data, section by section."""
    problems: list[Problem] = []
    for flag, wanted in (("directed", True), ("multigraph", False)):
        if flag in data and data[flag] is not wanted:
            problems.append(
                Problem(
                    message=f"must be {str(wanted).lower()} for a blueprint, got {data[flag]!r}",
                    path=f"$.{flag}",
                )
            )
    if "graph" in data and not isinstance(data["graph"], Mapping):
        problems.append(
            Problem(
                message=f"must be a mapping of the blueprint's fields, not "
                f"{type(data['graph']).__name__}",
                path="$.graph",
            )
        )
    links = data.get(key, [])
    if not isinstance(links, list):
        problems.append(
            Problem(message=f"must be a list of flows, not {type(links).__name__}", path=f"$.{key}")
        )
        links = []
    for section, items, required in (
        ("nodes", data["nodes"], ("id",)),
        (key, links, ("source", "target")),
    ):
        for i, item in enumerate(items):
            if not isinstance(item, Mapping):
                problems.append(
                    Problem(
                        message=f"must be a mapping, not {type(item).__name__}",
                        path=f"$.{section}[{i}]",
                    )
                )
                continue
            for name in required:
                if name not in item:
                    problems.append(
                        Problem(message=f"missing required key {name!r}", path=f"$.{section}[{i}]")
                    )
                elif not isinstance(item[name], str):
                    problems.append(
                        Problem(
                            message=f"must be a step id (text), not {item[name]!r}",
                            path=f"$.{section}[{i}].{name}",
                        )
                    )
            if len(problems) >= 100:
                return problems
    return problems
