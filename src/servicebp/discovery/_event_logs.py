"""Event logs in the process-mining standards: XES and OCEL 2.0, read into a flat table.

Private: re-exported by :mod:`servicebp.discovery`.

* **XES** (IEEE 1849-2016, *eXtensible Event Stream*): a ``<log>`` of
  ``<trace>`` elements, each with its attributes (``concept:name``: the case
  id) and its ``<event>`` elements (``concept:name``: the activity,
  ``time:timestamp``, ``lifecycle:transition``, ``org:resource`` …).
* **OCEL 2.0** (Berti et al. 2023, *OCEL (Object-Centric Event Log) 2.0
  Specification*): events related to objects of several types. JSON
  (``objectTypes``, ``eventTypes``, ``objects``, ``events`` with
  ``relationships``), XML (``<log>`` with ``<objects>`` and ``<events>``,
  ``<relationship object-id=… qualifier=…/>``) and SQLite (tables ``event``,
  ``object``, ``event_object``, ``event_map_type`` and ``event_<type>``). An object-centric log has
  no single case notion, so it is *flattened* on one object type (van der
  Aalst 2019, *Object-Centric Process Mining*): each event becomes an event
  of every object of that type it relates to.

Both readers return a table (a mapping of column name to list) with the
process-mining column names :func:`~servicebp.conformance` reads by default,
so ``conformance(bp, read_xes(path))`` compares the log with the design as
the equivalent CSV would. XML is parsed with the standard library, with
document type declarations (and so entity expansion, "billion laughs")
refused, as ``defusedxml`` does. No code of an AGPL tool is used.
"""

from __future__ import annotations

import contextlib
import json
import os
import xml.etree.ElementTree as ET
import xml.parsers.expat as expat
from collections.abc import Mapping
from typing import Any

from servicebp.errors import ObservedDataError
from servicebp.model import Lane

__all__ = ["read_ocel", "read_xes"]

CASE = "case:concept:name"
ACTIVITY = "concept:name"
TIME = "time:timestamp"


def _local(tag: str) -> str:
    """An element's name without its XML namespace."""
    return tag.rsplit("}", 1)[-1]


def _refuse_dtd(*_: object) -> None:
    raise ObservedDataError("XML with a document type declaration (DTD) is refused")


def _parse_xml(source: str | os.PathLike[str]) -> ET.Element:
    builder = ET.TreeBuilder()
    parser = expat.ParserCreate(namespace_separator="}")
    parser.StartElementHandler = builder.start
    parser.EndElementHandler = builder.end
    parser.CharacterDataHandler = builder.data
    # Refuse DTDs, so that no entity is ever declared, let alone expanded.
    parser.StartDoctypeDeclHandler = _refuse_dtd
    parser.EntityDeclHandler = _refuse_dtd
    try:
        with open(source, "rb") as stream:
            parser.ParseFile(stream)
        root: ET.Element = builder.close()
    except expat.ExpatError as error:
        raise ObservedDataError(f"{os.fspath(source)}: not well-formed XML: {error}") from None
    except OSError as error:
        raise ObservedDataError(f"{os.fspath(source)}: {error.strerror or error}") from None
    return root


def _attributes(element: ET.Element) -> dict[str, str]:
    """The XES attributes (``<string key=… value=…/>`` and kin) directly under *element*."""
    return {
        child.attrib["key"]: child.attrib.get("value", "")
        for child in element
        if _local(child.tag) != "event" and "key" in child.attrib
    }


def read_xes(source: str | os.PathLike[str]) -> dict[str, list[str]]:
    """Read an XES event log into a table of events.

    Parameters
    ----------
    source : str or os.PathLike
        The ``.xes`` file (XML; compressed ``.xes.gz`` is not read).

    Returns
    -------
    dict of str to list of str
        One row per event: ``case:concept:name`` (the trace's name),
        ``concept:name``, ``time:timestamp`` (ISO 8601 text, as written) and
        every other event attribute found (blank where an event lacks it).

    Raises
    ------
    ObservedDataError
        A file that cannot be read, is not well-formed XML, carries a DTD,
        has no ``<log>`` root, or a trace or event without ``concept:name``
        (or an event without ``time:timestamp``), naming the trace and event.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "log.xes").write_text(
    ...     '<log xes.version="1.0"><trace><string key="concept:name" value="c1"/>'
    ...     '<event><string key="concept:name" value="arrive"/>'
    ...     '<date key="time:timestamp" value="2024-05-01T09:00:00+02:00"/></event>'
    ...     '</trace></log>', encoding="utf-8")
    >>> read_xes(folder / "log.xes")
    {'case:concept:name': ['c1'], 'concept:name': ['arrive'], 'time:timestamp': ['2024-05-01T09:00:00+02:00']}
    """  # noqa: E501
    root = _parse_xml(source)
    where = os.fspath(source)
    if _local(root.tag) != "log":
        raise ObservedDataError(f"{where}: the root element is <{_local(root.tag)}>, not <log>")
    rows: list[dict[str, str]] = []
    for t, trace in enumerate(e for e in root if _local(e.tag) == "trace"):
        case = _attributes(trace).get(ACTIVITY)
        if case is None:
            raise ObservedDataError(f"{where}: trace {t + 1} has no concept:name (its case id)")
        for k, event in enumerate(e for e in trace if _local(e.tag) == "event"):
            values = _attributes(event)
            for needed in (ACTIVITY, TIME):
                if needed not in values:
                    raise ObservedDataError(
                        f"{where}: trace {case!r}, event {k + 1} has no {needed}"
                    )
            rows.append({CASE: case, **values})
    return _table(rows, [CASE, ACTIVITY, TIME])


def _table(rows: list[dict[str, str]], first: list[str]) -> dict[str, list[str]]:
    names = list(first)
    for row in rows:
        names.extend(k for k in row if k not in names)
    return {name: [row.get(name, "") for row in rows] for name in names}


def _ocel_json(source: str | os.PathLike[str]) -> tuple[list[dict[str, Any]], dict[str, str]]:
    where = os.fspath(source)
    try:
        with open(source, encoding="utf-8") as stream:
            data = json.load(stream)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ObservedDataError(f"{where}: not a readable OCEL 2.0 JSON file: {error}") from None
    if not isinstance(data, dict) or not isinstance(data.get("events"), list):
        raise ObservedDataError(f"{where}: an OCEL 2.0 JSON log has an 'events' list")
    types = {
        str(o["id"]): str(o["type"])
        for o in data.get("objects", [])
        if isinstance(o, dict) and "id" in o and "type" in o
    }
    events = []
    for k, event in enumerate(data["events"]):
        if not isinstance(event, dict) or not {"id", "type", "time"} <= event.keys():
            raise ObservedDataError(f"{where}: events[{k}] needs 'id', 'type' and 'time'")
        related = [
            str(r["objectId"])
            for r in event.get("relationships", [])
            if isinstance(r, dict) and "objectId" in r
        ]
        events.append(
            {"id": str(event["id"]), "type": str(event["type"]), "time": str(event["time"]),
             "objects": related}
        )  # fmt: skip
    return events, types


def _ocel_xml(source: str | os.PathLike[str]) -> tuple[list[dict[str, Any]], dict[str, str]]:
    root = _parse_xml(source)
    where = os.fspath(source)
    types: dict[str, str] = {}
    events: list[dict[str, Any]] = []
    for section in root:
        name = _local(section.tag)
        if name == "objects":
            for obj in section:
                if "id" in obj.attrib and "type" in obj.attrib:
                    types[obj.attrib["id"]] = obj.attrib["type"]
        elif name == "events":
            for k, event in enumerate(section):
                if not {"id", "type", "time"} <= event.attrib.keys():
                    raise ObservedDataError(
                        f"{where}: <event> {k + 1} needs id, type and time attributes"
                    )
                related = [
                    r.attrib["object-id"]
                    for r in event.iter()
                    if _local(r.tag) == "relationship" and "object-id" in r.attrib
                ]
                events.append(
                    {"id": event.attrib["id"], "type": event.attrib["type"],
                     "time": event.attrib["time"], "objects": related}
                )  # fmt: skip
    return events, types


def _ocel_sqlite(source: str | os.PathLike[str]) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """OCEL 2.0 SQLite: ``event``, ``object``, ``event_object``, ``event_map_type`` and
    one ``event_<suffix>`` table per event type holding ``ocel_time``."""
    import sqlite3

    where = os.fspath(source)
    if not os.path.isfile(source):
        raise ObservedDataError(f"{where}: no such file")
    try:
        with contextlib.closing(sqlite3.connect(f"file:{where}?mode=ro", uri=True)) as db:
            types = dict(db.execute("SELECT ocel_id, ocel_type FROM object").fetchall())
            suffix = dict(db.execute("SELECT ocel_type, ocel_type_map FROM event_map_type"))
            kinds = dict(db.execute("SELECT ocel_id, ocel_type FROM event").fetchall())
            times: dict[str, str] = {}
            for kind, table in suffix.items():
                if not str(table).isidentifier():
                    raise ObservedDataError(
                        f"{where}: event type {kind!r} maps to the table name {table!r}"
                    )
                times.update(db.execute(f'SELECT ocel_id, ocel_time FROM "event_{table}"'))
            related: dict[str, list[str]] = {}
            for event, obj in db.execute(
                "SELECT ocel_event_id, ocel_object_id FROM event_object ORDER BY rowid"
            ):
                related.setdefault(str(event), []).append(str(obj))
    except sqlite3.Error as error:
        raise ObservedDataError(f"{where}: not a readable OCEL 2.0 SQLite log: {error}") from None
    events = []
    for event, kind in kinds.items():
        if event not in times:
            raise ObservedDataError(f"{where}: event {event!r} has no ocel_time")
        events.append(
            {"id": str(event), "type": str(kind), "time": str(times[event]),
             "objects": related.get(str(event), [])}
        )  # fmt: skip
    return events, {str(k): str(v) for k, v in types.items()}


def read_ocel(
    source: str | os.PathLike[str],
    *,
    case_type: str,
    lanes: Mapping[str, Lane | str] | None = None,
) -> dict[str, list[str]]:
    """Read an OCEL 2.0 log (JSON, XML or SQLite) flattened on one object type.

    Parameters
    ----------
    source : str or os.PathLike
        An OCEL 2.0 ``.json`` / ``.jsonocel``, ``.xml`` / ``.xmlocel`` or
        ``.sqlite`` file.
    case_type : str
        The object type whose objects are the cases (``"customer"``,
        ``"order"``): each event becomes an event of every object of this type
        it relates to; events related to none are left out.
    lanes : mapping of str to Lane or str, optional
        Object type to blueprint lane: the ``lane`` column then gives, per
        event, the lane of the first of its object types that is mapped (blank
        when none is), so the lanes an object-centric log spans can be
        compared with the blueprint's.

    Returns
    -------
    dict of str to list of str
        One row per (event, case object): ``case:concept:name`` (the object
        id), ``concept:name`` (the event type), ``time:timestamp``,
        ``ocel:eid`` (the event id), ``ocel:types`` (the types of all its
        objects, sorted, joined by ``;``) and, with *lanes*, ``lane``.

    Raises
    ------
    ObservedDataError
        A file that cannot be read or parsed, events without id, type or
        time, an unknown *case_type*, or a lane that is not one.

    Examples
    --------
    >>> import json, pathlib, tempfile
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> log = {"objectTypes": [{"name": "customer", "attributes": []},
    ...                        {"name": "room", "attributes": []}],
    ...        "eventTypes": [], "objects": [{"id": "c1", "type": "customer"},
    ...                                      {"id": "r9", "type": "room"}],
    ...        "events": [{"id": "e1", "type": "arrive", "time": "2024-05-01T09:00:00Z",
    ...                    "relationships": [{"objectId": "c1", "qualifier": "guest"}]},
    ...                   {"id": "e2", "type": "clean", "time": "2024-05-01T09:30:00Z",
    ...                    "relationships": [{"objectId": "r9", "qualifier": "room"}]}]}
    >>> _ = (folder / "log.json").write_text(json.dumps(log), encoding="utf-8")
    >>> table = read_ocel(folder / "log.json", case_type="customer",
    ...                   lanes={"customer": "customer", "room": "backstage"})
    >>> table["case:concept:name"], table["concept:name"], table["lane"]
    (['c1'], ['arrive'], ['customer'])
    """
    where = os.fspath(source)
    suffix = where.lower().rsplit(".", 1)[-1]
    if suffix in ("json", "jsonocel"):
        events, types = _ocel_json(source)
    elif suffix in ("xml", "xmlocel"):
        events, types = _ocel_xml(source)
    elif suffix in ("sqlite", "sqlite3", "db"):
        events, types = _ocel_sqlite(source)
    else:
        raise ObservedDataError(
            f"{where}: an OCEL 2.0 log ends in .json, .jsonocel, .xml, .xmlocel or .sqlite"
        )
    known = sorted(set(types.values()))
    if case_type not in known:
        raise ObservedDataError(
            f"{where}: no object of type {case_type!r} (the log's object types are {known!r})"
        )
    lane_of: dict[str, Lane] = {}
    for object_type, lane in (lanes or {}).items():
        try:
            lane_of[object_type] = Lane(lane)
        except ValueError:
            raise ObservedDataError(
                f"lanes[{object_type!r}]: {lane!r} is not a lane "
                f"(one of {[x.value for x in Lane]!r})"
            ) from None
    rows: list[dict[str, str]] = []
    for event in events:
        related = event["objects"]
        kinds = sorted({types.get(o, "") for o in related} - {""})
        row_lane = next((lane_of[t].value for t in kinds if t in lane_of), "")
        for obj in related:
            if types.get(obj) != case_type:
                continue
            row = {
                CASE: obj,
                ACTIVITY: event["type"],
                TIME: event["time"],
                "ocel:eid": event["id"],
                "ocel:types": ";".join(kinds),
            }
            if lanes:
                row["lane"] = row_lane
            rows.append(row)
    first = [CASE, ACTIVITY, TIME, "ocel:eid", "ocel:types"] + (["lane"] if lanes else [])
    return {name: [row[name] for row in rows] for name in first}
