"""A CSV file read by pyarrow gives the csv module's cells, lines and errors exactly."""

from __future__ import annotations

import csv
import io
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from servicebp import (
    Blueprint,
    ObservedDataError,
    Step,
    read_observed,
    score_observed,
    step_statistics,
)
from servicebp.observed import _arrow_csv, _scoring
from servicebp.observed._arrow_csv import PY_WHITESPACE, read_text_table
from servicebp.observed._tables import CsvTable, load_table, read_csv

# Awkward content: quotes, commas, line breaks, padding, unicode white space,
# numbers in many spellings, ids with leading zeros.
_PIECES = st.sampled_from(
    [
        "", " ", "  ", "a", "ask", "pay", "007", "1", "-1", "+2", "2.0", " 3 ", "1e0", ".5",
        "-0", "nan", "inf", "0x1", "1_0", "١", "NA", "null", '"', '""', ",", "\n", "\r\n",
        "\r", "\t", "\xa0", "\u3000", "\x1c", "é", "日本", "2024-05-01T09:30", "Z", "+02:00",
    ]
)  # fmt: skip
_CELL = st.lists(_PIECES, max_size=3).map("".join)


@st.composite
def csv_texts(draw: st.DrawFn) -> str:
    """The text of a small CSV file, mostly well formed, now and then not."""
    width = draw(st.integers(1, 4))
    names = ["journey", "step", " order", "rating ", "x", "", "日"]
    header = draw(st.lists(st.sampled_from(names), min_size=width, max_size=width, unique=True))
    rows = draw(st.lists(st.lists(_CELL, min_size=width, max_size=width), max_size=6))
    if rows and draw(st.integers(0, 9)) == 0:  # now and then a ragged row
        rows[draw(st.integers(0, len(rows) - 1))].append(draw(_CELL))
    if rows and draw(st.booleans()):
        rows.insert(draw(st.integers(0, len(rows))), [""] * width)
    out = io.StringIO()
    quoting = draw(st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL]))
    terminator = draw(st.sampled_from(["\n", "\r\n"]))
    writer = csv.writer(out, quoting=quoting, lineterminator=terminator)
    writer.writerow(header)
    for row in rows:
        if draw(st.booleans()) and draw(st.booleans()):
            out.write(terminator)  # a blank line
        writer.writerow(row)
    text = out.getvalue()
    if draw(st.booleans()) and draw(st.booleans()):
        text = text.rstrip("\r\n")  # no line break at the end
    if draw(st.integers(0, 9)) == 0:
        text += draw(st.sampled_from(['"open', "a,b,c\n", "x\n", "  \n", ",,\n"]))
    return ("\ufeff" if draw(st.booleans()) else "") + text


def _table_or_error(read: Callable[[], CsvTable]) -> Any:
    try:
        table = read()
    except ObservedDataError as error:
        return str(error)
    return (
        table.header,
        {name: list(table.columns[name]) for name in table.header},
        list(table.lines),
    )


def _file(text: str | bytes) -> Path:
    folder = Path(tempfile.mkdtemp())
    path = folder / "events.csv"
    if isinstance(text, str):
        path.write_text(text, encoding="utf-8", newline="")
    else:
        path.write_bytes(text)
    return path


def test_the_white_space_stripped_is_str_strip_s() -> None:
    assert "".join(chr(c) for c in range(sys.maxunicode + 1) if chr(c).isspace()) == PY_WHITESPACE


@settings(max_examples=300, deadline=None)
@given(csv_texts(), st.booleans())
def test_pyarrow_reads_the_csv_module_s_cells_lines_and_errors(
    text: str, skip_blank_rows: bool
) -> None:
    path = _file(text)
    slow = _table_or_error(lambda: read_csv(path, skip_blank_rows=skip_blank_rows))
    fast = _table_or_error(lambda: read_text_table(path, skip_blank_rows=skip_blank_rows))
    assert fast == slow


def _shop() -> Blueprint:
    bp = Blueprint("Shop", stages=["s"])
    for sid in ("ask", "pay"):
        bp.add_step(Step(id=sid, label=sid, lane="customer", stage="s"))
    bp.connect("ask", "pay")
    return bp


_EVENT_CELLS = {
    "journey": st.sampled_from(["007", "7", " a", "a ", "b", "", '"q"', "j,1", "é"]),
    "step": st.sampled_from(["ask", "pay", " ask ", "", "paid"]),
    "order": st.sampled_from(
        [
            "1",
            "2",
            "007",
            "1.5",
            "-1",
            "1e3",
            "x",
            "",
            "2024-05-01T09:30",
            "2024-05-01T09:30+02:00",
            "1_0",
        ]
    ),
    "rating": st.sampled_from(
        ["2", "-3", "+1", " 0 ", "2.50", "1e0", ".5", "9", "", "x", "nan", "inf", "١", "0x1"]
    ),
    "outcome": st.sampled_from(["0", "1", "1.0", "yes", ""]),
}


@st.composite
def event_files(draw: st.DrawFn) -> str:
    names = draw(st.sampled_from([list(_EVENT_CELLS), list(_EVENT_CELLS)[:4]]))
    rows = draw(
        st.lists(st.tuples(*(_EVENT_CELLS[name] for name in names)), min_size=1, max_size=8)
    )
    out = io.StringIO()
    writer = csv.writer(out, lineterminator=draw(st.sampled_from(["\n", "\r\n"])))
    writer.writerow(names)
    writer.writerows(rows)
    return out.getvalue()


def _no_duckdb(*args: object, **kwargs: object) -> Any:
    raise ObservedDataError("DuckDB is not used here")


def _outcome(run: Callable[[], Any]) -> Any:
    try:
        found = run()
    except ObservedDataError as error:
        return str(error)
    if isinstance(found, tuple):
        found = found[0]
    # dtype and repr: NaN equals NaN here, and 1 differs from 1.0 and from '1'.
    return {
        name: (np.asarray(values).dtype.str, [repr(v) for v in np.asarray(values).tolist()])
        for name, values in found.items()
    }


@settings(max_examples=150, deadline=None)
@given(event_files())
def test_read_observed_and_scores_are_today_s_with_pyarrow(text: str) -> None:
    path = _file(text)
    calls = {
        "read_observed": lambda: read_observed(path),
        "score_observed": lambda: score_observed(_shop(), path, unknown_steps="report"),
        "step_statistics": lambda: step_statistics(_shop(), path, unknown_steps="report"),
    }
    fast = {name: _outcome(call) for name, call in calls.items()}
    with pytest.MonkeyPatch.context() as patched:
        # Today's path for a CSV file: the csv module, no pyarrow and no DuckDB.
        patched.setattr(_arrow_csv, "arrow_cells", lambda *a, **k: None)
        patched.setattr(_scoring, "scan_events", _no_duckdb)
        slow = {name: _outcome(call) for name, call in calls.items()}
    assert fast == slow


def test_a_bad_cell_is_named_by_its_file_line(tmp_path: Path) -> None:
    path = tmp_path / "events.csv"
    path.write_text('journey,step,order,rating\n"j\n1",ask,1,2\n\nj2,ask,1,x\n', encoding="utf-8")
    table = read_text_table(path)
    assert isinstance(table.columns["rating"], np.ndarray)  # pyarrow read it
    with pytest.raises(ObservedDataError, match=r"events\.csv:5: column 'rating': 'x' is not"):
        read_observed(path)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (b"journey,step\nj1,ask,3\n", "events.csv:2: 3 cells where the header has 2"),
        (b"journey,step\nj1,\xff\n", "not UTF-8 text"),
        (b"journey,journey \nj1,a\n", "duplicate column(s) ['journey']"),
        (b"journey,step\n", "no data rows below the header"),
    ],
)
def test_what_pyarrow_declines_the_csv_module_names(text: bytes, message: str) -> None:
    with pytest.raises(ObservedDataError) as caught:
        read_text_table(_file(text))
    assert message in str(caught.value)


def test_scoring_reads_columns_as_text_ids_keep_their_zeros(tmp_path: Path) -> None:
    path = tmp_path / "events.csv"
    path.write_text("journey,step,order,rating\n007,ask,1,2\n007,pay,2,-1\n", encoding="utf-8")
    assert isinstance(load_table(path), CsvTable)
    assert read_observed(path)["journey"].tolist() == ["007", "007"]


@pytest.mark.parametrize("rating", ["0x1", "0b1"])
def test_duckdb_s_reader_takes_no_hex_or_binary_rating(tmp_path: Path, rating: str) -> None:
    # DuckDB's sniffer read these as the integer 1; the csv module's path refuses them.
    path = tmp_path / "events.csv"
    path.write_text(f"journey,step,order,rating\na,ask,1,{rating}\n", encoding="utf-8")
    message = rf"events\.csv:2: column 'rating': '{rating}' is not a number"
    for call in (score_observed, step_statistics):
        with pytest.raises(ObservedDataError, match=message):
            call(_shop(), path)
