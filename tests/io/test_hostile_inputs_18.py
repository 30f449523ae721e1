"""Hostile input beyond the first catalogue (issue 18), one section per class.

Each section is numbered as the issue's classes are. Every case here failed
(a raw exception, a silent misreading, a hang, lost data or an unsafe write)
before the fix it tests; each must finish well within
:data:`tests.test_hostile_inputs.TIME_BOUND`.
"""

from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from servicebp import (
    ArgumentTypeError,
    BlueprintValidationError,
    InvalidArgumentError,
    OutputError,
    dumps,
    load,
    loads,
    save,
)
from tests._cli import Runner
from tests.io.test_hostile_inputs import GOOD_DOC, GOOD_YAML, yaml_doc

# --- 1. YAML scalars the safe loader resolved by itself -------------------------------------

#: Unquoted labels that YAML 1.1 reads as dates, numbers or tags: they stay text.
TEXT_LABELS = [
    "2024-13-45",  # month 13
    "2024-02-30",
    "2024-01-01 99:00:00",  # hour 99
    "2024-01-01T10:00:00+25:00",  # a 25-hour offset
    "2024-01-01",
    "190:20:30:15:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00",  # sexagesimal overflow
    "1:30",
    "=",  # the value tag
    "NO",
    "on",
    "1_000",
]


@pytest.mark.parametrize("label", TEXT_LABELS)
def test_c1_yaml_1_1_scalars_stay_text(label: str) -> None:
    bp = loads(yaml_doc("label: Pay", f"label: {label}"))
    assert bp["pay"].label == label


@pytest.mark.parametrize("channel", TEXT_LABELS)
def test_c1_yaml_1_1_scalars_stay_text_as_channels_and_attributes(channel: str) -> None:
    bp = loads(
        yaml_doc("stage: pay}", f"stage: pay, channel: {channel}, attributes: {{x: {channel}}}}}")
    )
    assert bp["pay"].channel == channel
    assert bp["pay"].attributes == {"x": channel}


def test_c1_a_leading_zero_is_decimal_as_in_yaml_1_2() -> None:
    bp = loads(yaml_doc("stage: pay}", "stage: pay, duration: 010}"))
    assert bp["pay"].duration == 10


def test_c1_a_tag_its_text_cannot_have_is_refused_with_its_line() -> None:
    with pytest.raises(
        BlueprintValidationError, match=r"^<string>:6:20: .*'1:30' is not an integer"
    ):
        loads(yaml_doc("label: Pay", "label: !!int 1:30"), source="<string>")


@pytest.mark.parametrize("text", ["0o17", "1e3", "0x1F", ".5", "+1", "~", "True"])
def test_c1_what_yaml_1_2_reads_as_a_number_is_written_quoted(text: str) -> None:
    bp = loads(GOOD_YAML)
    bp.replace_step(attrs_evolve(bp["pay"], label=text, channel=text))
    assert loads(dumps(bp)) == bp


def attrs_evolve(value: object, **changes: object) -> object:
    import attrs

    return attrs.evolve(value, **changes)  # type: ignore[misc]


def test_c1_a_lone_surrogate_is_refused_with_its_line() -> None:
    with pytest.raises(BlueprintValidationError, match=r"6:21: .*lone surrogate \(U\+D800\)"):
        loads(GOOD_YAML.replace("Pay", "P\ud800y"))


def test_c1_memoryview_and_bytearray_are_read() -> None:
    data = GOOD_YAML.encode("utf-8")
    assert loads(memoryview(data)) == loads(data) == loads(bytearray(data))


@pytest.mark.parametrize("max_bytes", ["10", None, 1.5, True])
def test_c1_max_bytes_of_the_wrong_type_is_a_library_error(
    max_bytes: object, tmp_path: Path
) -> None:
    with pytest.raises(ArgumentTypeError, match="max_bytes must be a whole number"):
        loads(GOOD_YAML, max_bytes=max_bytes)  # type: ignore[arg-type]
    (tmp_path / "bp.yaml").write_text(GOOD_YAML, encoding="utf-8")
    with pytest.raises(ArgumentTypeError, match="max_bytes must be a whole number"):
        load(tmp_path / "bp.yaml", max_bytes=max_bytes)  # type: ignore[arg-type]


def test_c1_negative_and_huge_max_bytes(tmp_path: Path) -> None:
    with pytest.raises(InvalidArgumentError, match="at least 0"):
        loads(GOOD_YAML, max_bytes=-1)
    (tmp_path / "bp.yaml").write_text(GOOD_YAML, encoding="utf-8")
    assert load(tmp_path / "bp.yaml", max_bytes=10**30) == loads(GOOD_YAML)


# --- 6. outputs that destroy or endanger data -------------------------------------------------


@pytest.fixture
def bp_file(tmp_path: Path) -> Path:
    path = tmp_path / "bp.yaml"
    path.write_text(GOOD_YAML, encoding="utf-8")
    return path


def _invoke(*args: str) -> tuple[int, str]:
    result = Runner().invoke(list(args), catch_exceptions=True)
    return result.exit_code, result.output + (result.stderr if result.stderr_bytes else "")


@pytest.mark.parametrize("fmt", ["dot", "mermaid", "svg"])
def test_c6_render_refuses_to_overwrite_its_blueprint(bp_file: Path, fmt: str) -> None:
    code, output = _invoke("render", str(bp_file), "--format", fmt, "-o", str(bp_file))
    assert code == 1
    assert "it is also an input" in output
    assert bp_file.read_text(encoding="utf-8") == GOOD_YAML


def test_c6_score_refuses_to_overwrite_its_ratings(bp_file: Path) -> None:
    ratings = bp_file.parent / "ratings.csv"
    ratings.write_text("step,rating\norder,1\n", encoding="utf-8")
    code, output = _invoke(
        "score", str(bp_file), "--ratings", str(ratings), "--output", str(ratings)
    )
    assert code == 1
    assert "it is also an input" in output
    assert ratings.read_text(encoding="utf-8") == "step,rating\norder,1\n"


def test_c6_a_planted_link_is_not_written_through(bp_file: Path, tmp_path: Path) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("precious", encoding="utf-8")
    link = tmp_path / "out.yaml"
    link.symlink_to(victim)
    with pytest.raises(OutputError, match="is a symbolic link"):
        save(load(bp_file), link)
    assert victim.read_text(encoding="utf-8") == "precious"
    assert link.is_symlink()


def test_c6_a_dangling_link_creates_nothing_elsewhere(bp_file: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere.yaml"
    link = tmp_path / "out.yaml"
    link.symlink_to(elsewhere)
    with pytest.raises(OutputError, match="is a symbolic link"):
        save(load(bp_file), link)
    assert not elsewhere.exists()


def test_c6_a_link_loop_is_refused_not_replaced(bp_file: Path, tmp_path: Path) -> None:
    link = tmp_path / "out.yaml"
    link.symlink_to(link)
    with pytest.raises(OutputError, match="is a symbolic link"):
        save(load(bp_file), link)
    assert link.is_symlink()


def test_c6_following_a_link_is_an_explicit_option(bp_file: Path, tmp_path: Path) -> None:
    real = tmp_path / "real.yaml"
    link = tmp_path / "out.yaml"
    link.symlink_to(real)
    save(load(bp_file), link, follow_symlinks=True)
    assert link.is_symlink()
    assert load(real) == load(bp_file)


def test_c6_a_read_only_file_is_not_replaced(bp_file: Path, tmp_path: Path) -> None:
    target = tmp_path / "out.yaml"
    target.write_text("read only", encoding="utf-8")
    target.chmod(0o444)
    with pytest.raises(OutputError, match="read-only"):
        save(load(bp_file), target)
    assert target.read_text(encoding="utf-8") == "read only"


def test_c6_set_id_bits_are_dropped(bp_file: Path, tmp_path: Path) -> None:
    target = tmp_path / "out.yaml"
    target.write_text("old", encoding="utf-8")
    target.chmod(0o6754)
    save(load(bp_file), target)
    assert stat.S_IMODE(target.stat().st_mode) == 0o754


def test_c6_a_new_file_gets_the_umask_without_changing_it(
    bp_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bp = load(bp_file)
    previous = os.umask(0o027)
    try:

        def flip(mask: int) -> int:
            raise AssertionError("the process umask was changed")

        monkeypatch.setattr(os, "umask", flip)
        save(bp, tmp_path / "new.yaml")
    finally:
        monkeypatch.undo()
        os.umask(previous)
    assert stat.S_IMODE((tmp_path / "new.yaml").stat().st_mode) == 0o640


def test_c6_a_250_byte_file_name_is_written(bp_file: Path, tmp_path: Path) -> None:
    target = tmp_path / ("b" * 245 + ".yaml")
    save(load(bp_file), target)
    assert load(target) == load(bp_file)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["bp.yaml", target.name])


def test_c6_a_path_ending_in_a_separator_is_refused(bp_file: Path, tmp_path: Path) -> None:
    with pytest.raises(OutputError, match="ends in a separator"):
        save(load(bp_file), str(tmp_path / "out.yaml") + "/")
    assert not (tmp_path / "out.yaml").exists()


@pytest.mark.skipif(not hasattr(signal, "SIGTERM") or os.name != "posix", reason="POSIX signals")
def test_c6_sigterm_while_writing_leaves_no_temporary_file(tmp_path: Path) -> None:
    script = textwrap.dedent(
        f"""
        import os, signal
        import servicebp
        bp = servicebp.loads({GOOD_YAML!r})
        def fsync(fd):
            os.kill(os.getpid(), signal.SIGTERM)
        os.fsync = fsync
        servicebp.save(bp, {str(tmp_path / "out.yaml")!r})
        """
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, timeout=60)
    assert done.returncode == -signal.SIGTERM, done.stderr
    assert list(tmp_path.iterdir()) == []


def test_c6_writes_are_still_loadable(bp_file: Path, tmp_path: Path) -> None:
    save(loads(GOOD_YAML), tmp_path / "again.json")
    assert load(tmp_path / "again.json") == load(bp_file)


# --- 7. output that a reader's tools execute --------------------------------------------------

FORMULAS = ["=HYPERLINK(1)", "@SUM(1+9)*cmd|' /C calc'!A0", "+1+cmd", "-2+3", "\tx"]


def _ratings_file(folder: Path, rows: str) -> Path:
    path = folder / "events.csv"
    path.write_text("journey,step,order,rating\n" + rows, encoding="utf-8")
    return path


def test_c7_csv_cells_are_neutralised_against_formulas(bp_file: Path, tmp_path: Path) -> None:
    import csv as csv_module

    rows = "".join(f'"{j}",order,1,1\n"{j}",pay,2,-1\n' for j in FORMULAS)
    ratings = _ratings_file(tmp_path, rows.replace('"\tx"', '"\tx"'))
    out = tmp_path / "out.csv"
    code, output = _invoke("score", str(bp_file), "--ratings", str(ratings), "--output", str(out))
    assert code == 0, output
    text = out.read_text(encoding="utf-8")
    cells = [cell for row in csv_module.reader(text.splitlines()) for cell in row]
    assert not [cell for cell in cells if cell[:1] in ("=", "+", "@", "\t", "\r")]
    # Our own numbers stay numbers; only text that is not a number is quoted.
    assert (
        "-1" in cells
        or "-1.0" in cells
        or any(c.startswith("-") and c[1:2].isdigit() for c in cells)
    )
    assert "'=HYPERLINK(1)" in cells
    assert "'-2+3" in cells


def test_c7_neutralising_is_reversible() -> None:
    from servicebp._csv_cells import neutralise_cell, restore_cell

    for text in [*FORMULAS, "'=x", "''@y", "plain", "-1.5", "'", ""]:
        assert restore_cell(str(neutralise_cell(text))) == text


@pytest.mark.parametrize("suffix", [".csv", ".tsv"])
def test_c7_grid_cells_are_neutralised_and_read_back_as_written(
    tmp_path: Path, suffix: str
) -> None:
    import csv

    from servicebp import read_grid, write_grid

    text = GOOD_YAML.replace("label: Pay", 'label: "=HYPERLINK(\\"http://x\\")"').replace(
        "label: Order", 'label: "@SUM(1+9)*cmd|"'
    )
    bp = loads(text)
    path = tmp_path / f"grid{suffix}"
    write_grid(bp, path)
    delimiter = "\t" if suffix == ".tsv" else ","
    with open(path, encoding="utf-8-sig", newline="") as handle:
        cells = [cell for row in csv.reader(handle, delimiter=delimiter) for cell in row]
    assert not [c for c in cells if c[:1] in ("=", "@", "+")]
    assert any(c.startswith("'=HYPERLINK") for c in cells)
    back = read_grid(path).blueprint
    assert back["pay"].label == bp["pay"].label
    assert back["order"].label == bp["order"].label


def _fail_point_yaml(what: str) -> str:
    return yaml_doc(
        "stage: pay}", f'stage: pay, fail_point: {{what: "{what}", recovery: "r\\u202e"}}}}'
    )


def test_c7_impact_escapes_control_bidi_and_newlines(tmp_path: Path) -> None:
    path = tmp_path / "bp.yaml"
    path.write_text(_fail_point_yaml("P\\u202eay\\nrisk 1.0  fake row"), encoding="utf-8")
    code, output = _invoke("impact", str(path))
    assert code == 0, output
    assert "\u202e" not in output
    assert "fake row" in output
    assert "\nrisk 1.0" not in output


@pytest.mark.parametrize("command", ["validate"])
def test_c7_file_names_with_control_characters_are_escaped(tmp_path: Path, command: str) -> None:
    path = tmp_path / "a\u202eb\x07.yaml"
    path.write_text(GOOD_YAML, encoding="utf-8")
    _, output = _invoke(command, str(path))
    assert not any(ord(c) < 32 and c not in "\n\t" for c in output), repr(output)
    assert "\u202e" not in output


def test_c7_render_escapes_the_output_name(bp_file: Path, tmp_path: Path) -> None:
    code, output = _invoke("render", str(bp_file), "-o", str(tmp_path / "x\x07\u202e.dot"))
    assert code == 0, output
    assert "\x07" not in output
    assert "\u202e" not in output


@pytest.mark.parametrize("command", ["validate", "journeys"])
def test_c7_a_latin_1_terminal_gets_escapes_not_a_crash(tmp_path: Path, command: str) -> None:
    path = tmp_path / "bp.yaml"
    path.write_text(GOOD_YAML.replace("name: Coffee", "name: 开户"), encoding="utf-8")
    result = Runner(charset="latin-1").invoke([command, str(path)])
    assert result.exit_code == 0, (result.output, result.exception)
    assert "\\u5f00" in result.output


def test_c7_json_output_never_holds_infinity() -> None:
    from servicebp.cli._format import json_text

    text = json_text({"wait": float("inf"), "rows": [[float("-inf"), float("nan"), 1.0]]})
    assert "Infinity" not in text
    assert "NaN" not in text
    assert json.loads(text) == {"wait": None, "rows": [[None, None, 1.0]]}


@pytest.mark.parametrize("step_id", ["sbp-graph", "sbp-legend", "sbp-lane:customer", "sbp-step:a"])
def test_c7_svg_element_ids_are_unique_whatever_the_step_ids(step_id: str) -> None:
    import xml.etree.ElementTree as ET

    from servicebp import Step, render_bytes

    bp = loads(GOOD_YAML)
    bp.add_step(Step(id=step_id, label="Hostile", lane="customer", stage="pay"))
    bp.add_step(Step(id="a", label="A", lane="customer", stage="pay"))
    svg = render_bytes(bp, format="svg", engine="embedded")
    ids = [e.get("id") for e in ET.fromstring(svg).iter() if e.get("id") is not None]
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)


# --- 3. programmatic entry points as guarded as files ---------------------------------------


def _deep(depth: int) -> dict[str, object]:
    root: dict[str, object] = {}
    current = root
    for _ in range(depth):
        child: dict[str, object] = {}
        current["a"] = child
        current = child
    return root


def _self_referencing() -> dict[str, object]:
    loop: dict[str, object] = {}
    loop["x"] = loop
    return loop


def _doc_with(**step_changes: object) -> dict[str, object]:
    import copy

    doc = copy.deepcopy(GOOD_DOC)
    doc["steps"][0].update(step_changes)
    return doc


@pytest.mark.parametrize(
    "make",
    [
        lambda: _doc_with(attributes=_deep(100_000)),
        lambda: _doc_with(attributes=_self_referencing()),
        lambda: dict(GOOD_DOC, description=[_deep(100_000)]),
        lambda: dict(GOOD_DOC, extra=_self_referencing()),
    ],
    ids=["deep-attributes", "self-attributes", "deep-top", "self-top"],
)
def test_c3_from_dict_refuses_deep_and_self_referencing_data(make: object) -> None:
    from servicebp import from_dict

    with pytest.raises(BlueprintValidationError, match="nested more than 64 levels"):
        from_dict(make())  # type: ignore[operator]


@pytest.mark.parametrize(
    "attributes",
    [_deep(100_000), _self_referencing(), {"x": [_self_referencing()]}],
    ids=["deep", "self", "self-in-list"],
)
def test_c3_step_attributes_deep_or_self_referencing_are_refused(attributes: object) -> None:
    from servicebp import Step

    with pytest.raises(BlueprintValidationError, match="nested more than 61 levels"):
        Step(id="a", label="A", lane="customer", stage="s", attributes=attributes)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "graph",
    [
        lambda g: __import__("networkx").MultiDiGraph(g),
        lambda g: __import__("networkx").Graph(g),
        lambda g: {"nodes": []},
    ],
    ids=["multidigraph", "undirected", "dict"],
)
def test_c3_from_networkx_refuses_other_graphs_with_a_library_error(graph: object) -> None:
    from servicebp import BlueprintTypeError, from_networkx, to_networkx

    with pytest.raises(BlueprintTypeError, match=r"takes a networkx\.DiGraph"):
        from_networkx(graph(to_networkx(loads(GOOD_YAML))))  # type: ignore[operator]


@pytest.mark.parametrize(
    ("section", "value", "fragment"),
    [
        ("graph", None, "$.graph: must be a mapping"),
        ("graph", 5, "$.graph: must be a mapping"),
        ("graph", "x", "$.graph: must be a mapping"),
        ("graph", [1], "$.graph: must be a mapping"),
        ("directed", False, "$.directed: must be true"),
        ("directed", None, "$.directed: must be true"),
        ("multigraph", True, "$.multigraph: must be false"),
        ("multigraph", "x", "$.multigraph: must be false"),
        ("nodes", [1], "$.nodes[0]: must be a mapping"),
        ("nodes", [{"label": "x"}], "$.nodes[0]: missing required key 'id'"),
        ("nodes", [{"id": 5}], "$.nodes[0].id: must be a step id"),
        ("edges", 5, "$.edges: must be a list"),
        ("edges", [None], "$.edges[0]: must be a mapping"),
        ("edges", [{"source": "order"}], "$.edges[0]: missing required key 'target'"),
    ],
)
def test_c3_malformed_node_link_sections_are_named(
    section: str, value: object, fragment: str
) -> None:
    from servicebp import from_node_link, to_node_link

    data = to_node_link(loads(GOOD_YAML))
    data[section] = value
    with pytest.raises(BlueprintValidationError) as info:
        from_node_link(data)
    assert fragment in str(info.value)


def test_c3_replace_step_and_add_flow_take_their_types() -> None:
    from servicebp import BlueprintTypeError

    bp = loads(GOOD_YAML)
    before = bp.copy()
    with pytest.raises(BlueprintTypeError, match="replace_step\\(\\) takes a Step, not dict"):
        bp.replace_step({"id": "pay"})  # type: ignore[arg-type]
    with pytest.raises(BlueprintTypeError, match="add_flow\\(\\) takes a Flow, not tuple"):
        bp.add_flow(("order", "till"))  # type: ignore[arg-type]
    assert bp == before


def test_c3_copy_does_not_share_attribute_containers() -> None:
    from servicebp import Step

    bp = loads(GOOD_YAML)
    bp.add_step(Step(id="x", label="X", lane="customer", stage="pay", attributes={"tags": ["a"]}))
    other = bp.copy()
    other["x"].attributes["tags"].append("b")
    other["x"].attributes["new"] = 1
    assert bp["x"].attributes == {"tags": ["a"]}


def test_c3_a_step_owns_its_attributes() -> None:
    from servicebp import Step

    given = {"tags": ["a"]}
    step = Step(id="x", label="X", lane="customer", stage="s", attributes=given)
    given["tags"].append("b")
    assert step.attributes == {"tags": ["a"]}


def test_c3_tuple_attributes_survive_dumps_and_loads() -> None:
    from servicebp import Step

    bp = loads(GOOD_YAML)
    bp.add_step(
        Step(id="x", label="X", lane="customer", stage="pay", attributes={"t": (1, (2, 3))})
    )
    assert bp["x"].attributes == {"t": [1, [2, 3]]}
    for fmt in ("yaml", "json"):
        assert loads(dumps(bp, format=fmt), format=fmt) == bp


@pytest.mark.parametrize(
    ("argument", "error"),
    [
        ({"seed": -1}, InvalidArgumentError),
        ({"seed": 1.5}, ArgumentTypeError),
        ({"resamples": 10**7}, InvalidArgumentError),
    ],
)
def test_c3_seed_and_resamples_are_checked(
    argument: dict[str, object], error: type[Exception]
) -> None:
    from servicebp import key_drivers

    ratings = {"a": [1.0, 2.0, 3.0, 1.0], "b": [2.0, 1.0, 3.0, 2.0]}
    with pytest.raises(error, match=r"seed|resamples"):
        key_drivers(ratings, [1.0, 2.0, 3.0, 1.5], **argument)  # type: ignore[arg-type]


def test_c3_an_empty_path_separator_is_refused() -> None:
    from servicebp import markov_model

    with pytest.raises(InvalidArgumentError, match="sep must be a non-empty text"):
        markov_model(["a>b"], [1], sep="")


# --- 4. bounded cost ---------------------------------------------------------------------------


def test_c4_a_report_of_missing_ratings_is_capped() -> None:
    from servicebp import RatingError, journey_scores
    from tests._factories import chain

    bp = chain(5_000, label="S")
    with pytest.raises(RatingError, match="and 4,990 more") as info:
        journey_scores(bp)
    assert len(str(info.value)) < 500


def test_c4_journeys_of_a_long_chain_are_enumerated_in_order() -> None:
    from servicebp import Blueprint, Step, journeys

    bp = Blueprint("Fork", stages=["s"])
    for name in ["a", "b", "c", "d"]:
        bp.add_step(Step(id=name, label=name, lane="customer", stage="s"))
    bp.connect("a", "b", probability=0.5)
    bp.connect("a", "c", probability=0.5)
    bp.connect("b", "d")
    bp.connect("c", "d")
    assert [j.steps for j in journeys(bp)] == [("a", "b", "d"), ("a", "c", "d")]


# --- 5. observed data: files the readers must not open -----------------------------------------


def _alarm(signum: int, frame: object) -> None:
    raise TimeoutError("the reader blocked")


def _bounded(call: object) -> object:
    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(10)
    try:
        return call()  # type: ignore[operator]
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="POSIX named pipes")
@pytest.mark.parametrize("reader", ["read_ratings", "read_observed", "score_observed"])
def test_c5_a_fifo_is_refused_not_opened(tmp_path: Path, reader: str) -> None:
    import servicebp

    fifo = tmp_path / "events.csv"
    os.mkfifo(fifo)
    call = getattr(servicebp, reader)
    args = (loads(GOOD_YAML), fifo) if reader == "score_observed" else (fifo,)
    with pytest.raises(servicebp.ObservedDataError, match="is not a regular file"):
        _bounded(lambda: call(*args))


def test_c5_dev_zero_is_refused() -> None:
    from servicebp import ObservedDataError, read_ratings

    with pytest.raises(ObservedDataError, match="/dev/zero: is not a regular file"):
        _bounded(lambda: read_ratings("/dev/zero"))


def test_c5_a_nul_in_the_path_is_a_library_error() -> None:
    from servicebp import ObservedDataError, read_ratings

    with pytest.raises(ObservedDataError, match="cannot hold a NUL"):
        read_ratings("ratings\0.csv")


def test_c5_a_header_of_too_many_columns_is_refused(tmp_path: Path) -> None:
    from servicebp import ObservedDataError, read_ratings

    path = tmp_path / "wide.csv"
    path.write_text(",".join(f"c{i}" for i in range(20_001)) + "\n1\n", encoding="utf-8")
    with pytest.raises(ObservedDataError, match="20,001 columns, above the limit of 10,000"):
        read_ratings(path)


# --- 5. observed data read wrongly without a word ---------------------------------------------

EVENTS_HEADER = "journey,step,order,rating\n"


def _events_file(tmp_path: Path, rows: str, header: str = EVENTS_HEADER) -> Path:
    path = tmp_path / "events.csv"
    path.write_text(header + rows, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("digit", "name"),
    [
        ("\u0663", "ARABIC-INDIC DIGIT THREE"),
        ("\uff13", "FULLWIDTH DIGIT THREE"),
        ("\u09e9", "BENGALI DIGIT THREE"),
    ],
)
def test_c5_ratings_in_other_digits_are_refused_not_read_as_3(
    tmp_path: Path, digit: str, name: str
) -> None:
    from servicebp import ObservedDataError, read_observed, read_ratings, score_observed

    ratings = tmp_path / "ratings.csv"
    ratings.write_text(f"step,rating\npay,{digit}\n", encoding="utf-8")
    with pytest.raises(ObservedDataError, match=rf"ratings.csv:2: column 'rating': .*{name}"):
        read_ratings(ratings)
    events = _events_file(tmp_path, f"j,order,1,1\nj,pay,2,{digit}\n")
    with pytest.raises(ObservedDataError, match=rf"events.csv:3: column 'rating': .*{name}"):
        score_observed(loads(GOOD_YAML), events)
    events = _events_file(tmp_path, f"j,order,1,1\nj,pay,{digit},2\n")
    with pytest.raises(ObservedDataError, match=rf"events.csv:3: column 'order': .*{name}"):
        read_observed(events)


def test_c5_a_number_with_underscores_is_not_read_as_another() -> None:
    from servicebp import ObservedDataError, read_observed

    table = {"journey": ["j"], "step": ["pay"], "order": ["1_0"], "rating": [1]}
    with pytest.raises(ObservedDataError, match="'1_0' is not a plain number"):
        read_observed(table)


@pytest.mark.parametrize("year", ["9999", "1600", "0001"])
def test_c5_times_beyond_nanoseconds_are_refused_not_wrapped(tmp_path: Path, year: str) -> None:
    import datetime as dt

    import numpy as np

    from servicebp import ObservedDataError, read_observed

    stamp = f"{year}-01-01T00:00"
    text = {
        "journey": ["j", "j"],
        "step": ["order", "pay"],
        "rating": [1, 2],
        "timestamp": np.array([stamp, "2024-01-01T00:00"]),
    }
    typed = {**text, "timestamp": np.array([stamp, "2024-01-01"], dtype="datetime64[s]")}
    objects = {**text, "timestamp": [dt.datetime.fromisoformat(stamp), dt.datetime(2024, 1, 1)]}
    for table in (text, typed, objects):
        with pytest.raises(ObservedDataError, match=r"row 0: column 'timestamp': .*1678 to 2261"):
            read_observed(table)


def test_c5_a_time_zone_offset_is_read_in_utc_without_a_warning() -> None:
    import numpy as np

    from servicebp import read_observed

    table = {
        "journey": ["j", "j"],
        "step": ["order", "pay"],
        "rating": [1, 2],
        "timestamp": np.array(["2024-01-01T10:00+05:00", "2024-01-01T04:30Z"]),
    }
    found = read_observed(table)["timestamp"]
    assert (found[1] - found[0]).astype("timedelta64[m]").astype(int) == -30


@pytest.mark.parametrize(
    ("cells", "message"),
    [
        (["2024-01-01T00:00", "5"], "'5' is a number in a column of times"),
        (["2024-01-01T00:00", "20240102"], "'20240102' is a number in a column of times"),
        (
            ["5", "2024-01-01T00:00"],
            "'2024-01-01T00:00' is an ISO 8601 time in a column of numbers",
        ),
    ],
)
def test_c5_numbers_and_times_mixed_in_one_column_are_refused(
    tmp_path: Path, cells: list[str], message: str
) -> None:
    from servicebp import ObservedDataError, read_observed

    rows = f"j,order,{cells[0]},1\nj,pay,{cells[1]},2\n"
    events = _events_file(tmp_path, rows, header="journey,step,timestamp,rating\n")
    with pytest.raises(ObservedDataError, match=rf"events.csv:3: column 'timestamp': {message}"):
        read_observed(events)


def test_c5_orders_beyond_64_bits_are_refused_not_wrapped() -> None:
    import numpy as np

    from servicebp import ObservedDataError, read_observed

    base = {"journey": ["j", "j"], "step": ["order", "pay"], "rating": [1, 2]}
    with pytest.raises(ObservedDataError, match="row 0: column 'order': an integer of 22 digits"):
        read_observed({**base, "order": np.array([2**70, 1], dtype=object)})
    with pytest.raises(ObservedDataError, match="row 0: column 'order': an integer of 20 digits"):
        read_observed({**base, "order": np.array([2**64 - 1, 1], dtype=np.uint64)})


def test_c5_times_whose_span_overflows_are_refused_not_an_infinite_wait() -> None:
    from servicebp import ObservedDataError, conformance

    log = {"case": ["c", "c"], "activity": ["order", "pay"], "timestamp": [1e308, -1e308]}
    with pytest.raises(ObservedDataError, match="beyond float range"):
        conformance(loads(GOOD_YAML), log, case="case", activity="activity", timestamp="timestamp")


def test_c5_read_ratings_refuses_control_characters_in_ids_and_reads_nfd_as_nfc(
    tmp_path: Path,
) -> None:
    from servicebp import ObservedDataError, read_ratings

    path = tmp_path / "ratings.csv"
    path.write_text('step,rating\n"a\x1b[31mb",1\n"p\u202eay",2\n', encoding="utf-8")
    with pytest.raises(ObservedDataError) as caught:
        read_ratings(path)
    assert "control character U+001B" in str(caught.value)
    assert "invisible character U+202E" in str(caught.value)
    path.write_text("step,rating\ncafe\u0301,1\n", encoding="utf-8")
    assert read_ratings(path) == {"caf\u00e9": 1.0}


def test_c5_pandas_duplicate_columns_are_named() -> None:
    import pandas as pd

    from servicebp import ObservedDataError, score_observed

    frame = pd.DataFrame([["j", "pay", 1, 1]], columns=["journey", "step", "rating", "rating"])
    with pytest.raises(ObservedDataError, match="duplicate column names \\('rating' 2 times\\)"):
        score_observed(loads(GOOD_YAML), frame)


@pytest.mark.parametrize("column", ["journey", "step", "order", "rating"])
def test_c5_nested_polars_columns_are_refused(column: str) -> None:
    import polars as pl

    from servicebp import ObservedDataError, score_observed

    table = {"journey": ["j", "j"], "step": ["order", "pay"], "order": [1, 2], "rating": [1, 2]}
    table[column] = [{"x": 1}, {"x": 2}]  # type: ignore[list-item]
    with pytest.raises(ObservedDataError, match=f"column '{column}' holds nested cells"):
        score_observed(loads(GOOD_YAML), pl.DataFrame(table))


def test_c5_list_and_dict_journey_ids_are_refused() -> None:
    import pandas as pd

    from servicebp import ObservedDataError, score_observed

    for ids in ([["a"], ["a"]], [{"a": 1}, {"a": 1}]):
        frame = pd.DataFrame(
            {"journey": ids, "step": ["order", "pay"], "order": [1, 2], "rating": [1, 2]}
        )
        with pytest.raises(ObservedDataError, match="journey ids must be all strings"):
            score_observed(loads(GOOD_YAML), frame)


@pytest.mark.parametrize("path", ["a\0.csv", "a\0*.csv", "a\0.parquet"])
def test_c5_a_nul_in_any_path_is_a_library_error(path: str) -> None:
    from servicebp import ObservedDataError, score_observed

    with pytest.raises(ObservedDataError, match="cannot hold a NUL"):
        score_observed(loads(GOOD_YAML), path)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="POSIX named pipes")
def test_c5_every_file_a_glob_expands_to_must_be_regular(tmp_path: Path) -> None:
    from servicebp import ObservedDataError, score_observed

    _events_file(tmp_path, "j,order,1,1\n")
    os.mkfifo(tmp_path / "pipe.csv")
    with pytest.raises(ObservedDataError, match=r"pipe\.csv: is not a regular file"):
        _bounded(lambda: score_observed(loads(GOOD_YAML), str(tmp_path / "*.csv")))
    os.remove(tmp_path / "pipe.csv")
    os.symlink("/dev/zero", tmp_path / "zero.csv")
    with pytest.raises(ObservedDataError, match=r"zero\.csv: is not a regular file"):
        _bounded(lambda: score_observed(loads(GOOD_YAML), str(tmp_path / "*.csv")))
    with pytest.raises(ObservedDataError, match="/dev/zero: is not a regular file"):
        _bounded(lambda: score_observed(loads(GOOD_YAML), "/dev/zer?"))


def test_c5_a_report_of_many_unknown_steps_is_capped(tmp_path: Path) -> None:
    from servicebp import ObservedDataError, score_observed

    rows = "".join(f"j{i},nowhere{i},1,1\n" for i in range(5000))
    with pytest.raises(ObservedDataError) as caught:
        score_observed(loads(GOOD_YAML), _events_file(tmp_path, rows))
    assert "5,000 steps not in blueprint" in str(caught.value)
    assert "and 4,990 more" in str(caught.value)
    assert len(str(caught.value)) < 3000


#: A hostile cell in each column: other digits, a year beyond nanoseconds, an escape.
HOSTILE_CELLS = [("order", "\u0663"), ("9999-01-01T00:00", "1"), ("1", '"or\x1bder"')]


@pytest.mark.parametrize(("time", "cell"), HOSTILE_CELLS)
@pytest.mark.parametrize("command", ["score", "discover", "conformance"])
def test_c5_the_cli_answers_hostile_events_without_a_traceback(
    bp_file: Path,
    tmp_path: Path,
    time: str,
    cell: str,
    command: str,
    runner: Runner,
) -> None:
    rating, step = (cell, "order") if cell != '"or\x1bder"' else ("1", cell)
    time = "1" if time == "order" else time
    header = "journey,step,timestamp,rating,outcome\n"
    events = _events_file(tmp_path, f"j,{step},{time},{rating},1\n", header=header)
    args = {
        "score": ["score", str(bp_file), "--ratings", str(events)],
        "discover": ["discover", str(bp_file), str(events), "--outcome", "outcome"],
        "conformance": [
            "conformance",
            str(bp_file),
            str(events),
            "--case",
            "journey",
            "--activity",
            "step",
            "--timestamp",
            "timestamp",
        ],
    }[command]
    result = runner.invoke(args)
    assert "Traceback" not in result.output
    assert "\x1b" not in result.output
    if cell == "\u0663" and command != "conformance":
        assert result.exit_code == 1
        assert "not a number in the digits 0-9" in result.output


# --- 8. arguments of the render and CLI layer -------------------------------------------------


@pytest.mark.parametrize(
    ("timeout", "error", "fragment"),
    [
        (float("inf"), InvalidArgumentError, "got inf"),
        (1e10, InvalidArgumentError, "at most 86,400"),
        (10**400, InvalidArgumentError, "an integer of about 401 digits"),
        ("5", ArgumentTypeError, "not str"),
        (None, ArgumentTypeError, "not NoneType"),
        (True, ArgumentTypeError, "not bool"),
    ],
)
def test_c8_a_render_time_bound_out_of_range_is_a_clear_error(
    tmp_path: Path, timeout: object, error: type[Exception], fragment: str
) -> None:
    from servicebp import render, render_bytes

    bp = loads(GOOD_YAML)
    with pytest.raises(error, match=fragment):
        render_bytes(bp, engine="embedded", timeout=timeout)  # type: ignore[arg-type]
    for suffix in (".svg", ".dot", ".mmd"):
        with pytest.raises(error, match=fragment):
            render(bp, tmp_path / f"bp{suffix}", engine="embedded", timeout=timeout)  # type: ignore[arg-type]
        assert not (tmp_path / f"bp{suffix}").exists()


def test_c8_the_time_bound_covers_building_the_drawing(monkeypatch: pytest.MonkeyPatch) -> None:
    import time

    from servicebp import RenderTimeoutError, render_bytes
    from servicebp.rendering import _render

    real = _render.to_dot

    def slow(*args: object, **kwargs: object) -> object:
        time.sleep(0.3)
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(_render, "to_dot", slow)
    with pytest.raises(
        RenderTimeoutError, match=r"building the drawing took longer than timeout=0\.1"
    ):
        render_bytes(loads(GOOD_YAML), engine="embedded", timeout=0.1)


@pytest.mark.parametrize("value", ["inf", "1e10", "nan", "0"])
def test_c8_the_cli_refuses_a_time_bound_out_of_range(
    bp_file: Path,
    tmp_path: Path,
    value: str,
    runner: Runner,
) -> None:
    result = runner.invoke(
        ["render", str(bp_file), "-o", str(tmp_path / "bp.svg"), "--timeout", value]
    )
    assert result.exit_code in (1, 2), result.output
    assert "timeout" in result.output


@pytest.mark.parametrize("ratings", [{1: 2.0, "pay": 1.0}, {None: 1, "pay": 1}, [("pay", 1)]])
def test_c8_ratings_with_keys_that_are_not_step_ids_are_a_clear_error(ratings: object) -> None:
    from servicebp import render_svg, to_dot, to_drawio, to_mermaid

    bp = loads(GOOD_YAML)
    for draw in (to_dot, to_mermaid, to_drawio):
        with pytest.raises(ArgumentTypeError, match="ratings must"):
            draw(bp, ratings=ratings)  # type: ignore[operator]
    with pytest.raises(ArgumentTypeError, match="ratings must"):
        render_svg(bp, engine="embedded", ratings=ratings)  # type: ignore[arg-type]


def test_c8_ratings_keyed_in_nfd_colour_the_nfc_step() -> None:
    from servicebp import to_dot

    bp = loads(
        GOOD_YAML.replace("id: pay", "id: caf\u00e9")
        .replace("to: pay", "to: caf\u00e9")
        .replace("from: pay", "from: caf\u00e9")
    )
    assert (
        to_dot(bp, ratings={"cafe\u0301": -3}).source
        == to_dot(bp, ratings={"caf\u00e9": -3}).source
    )


def test_c8_max_bytes_huge_on_the_cli_is_read_or_refused_cleanly(
    bp_file: Path, runner: Runner
) -> None:
    for value in (str(10**30), "9" * 5000, "1e400"):
        result = runner.invoke(["validate", "--max-bytes", value, str(bp_file)])
        assert "Traceback" not in result.output


@pytest.mark.parametrize("field", ["duration", "cost"])
def test_c8_amounts_whose_sums_overflow_are_refused_with_their_line(field: str) -> None:
    text = GOOD_YAML.replace("stage: order}", f"stage: order, {field}: 1.7e308}}").replace(
        "stage: pay}", f"stage: pay, {field}: 1.7e308}}"
    )
    with pytest.raises(
        BlueprintValidationError, match=rf":5:\d+: .*{field} must be at most 1e\+15"
    ):
        loads(text)


def test_c8_a_moment_weight_whose_sums_overflow_is_refused_with_its_path() -> None:
    from servicebp import InvalidArgumentError as Invalid
    from servicebp import JourneyStep

    text = GOOD_YAML.replace(
        "stage: pay}", "stage: pay, moment: {kind: purchase, weight: 1.7e308}}"
    )
    with pytest.raises(BlueprintValidationError, match=r"moment\.weight: weight must be at most"):
        loads(text)
    with pytest.raises(Invalid, match="moment_weight must be at most"):
        JourneyStep(step="pay", rating=1, moment_weight=1.7e308)
    with pytest.raises(Invalid, match="moment_weight must be at most"):
        JourneyStep(step="pay", rating=1, moment_weight=10**400)


def test_c8_the_largest_amounts_still_sum() -> None:
    from servicebp import expected_scores, journey_times

    text = GOOD_YAML.replace("stage: order}", "stage: order, duration: 1e15, rating: 1}").replace(
        "stage: pay}",
        "stage: pay, duration: 1e15, rating: 3, moment: {kind: purchase, weight: 1e15}}",
    )
    bp = loads(text)
    assert [j.duration for j in journey_times(bp)] == [2e15]
    assert expected_scores(bp) is not None


# --- loader consistency: references compared as the model stores ids -------------------------


def test_loader_references_compare_nfc_ids_even_beside_other_problems() -> None:
    nfc, nfd = "caf\u00e9", "cafe\u0301"
    text = (
        f'version: "1"\nname: C\nstages: [{nfc}]\nsteps:\n'
        f"- {{id: {nfc}, label: O, lane: customer, stage: {nfd}}}\n"
        f"- {{id: pay, label: P, lane: front, stage: {nfc}}}\n"
        f"flows:\n- {{from: {nfd}, to: pay}}\n"
    )
    with pytest.raises(BlueprintValidationError) as caught:
        loads(text)
    assert len(caught.value.problems) == 1, str(caught.value)
    assert "'front' is not one of" in str(caught.value)


# --- 2. ids that look the same ----------------------------------------------------------------


def test_c2_ids_are_stored_in_nfc_so_nfd_and_nfc_cannot_coexist() -> None:
    from servicebp import DuplicateStepError, Step

    bp = loads(GOOD_YAML)
    bp.add_step(Step(id="caf\u00e9", label="NFC", lane="customer", stage="pay"))
    with pytest.raises(DuplicateStepError):
        bp.add_step(Step(id="cafe\u0301", label="NFD", lane="customer", stage="pay"))
    assert bp["cafe\u0301"].id == "caf\u00e9"
    assert "cafe\u0301" in bp
    bp.connect("pay", "cafe\u0301")
    assert bp.remove_step("cafe\u0301").label == "NFC"


def test_c2_stage_ids_are_stored_in_nfc() -> None:
    from servicebp import Blueprint, BlueprintValidationError, Step

    bp = Blueprint("B", stages=["cafe\u0301"])
    assert bp.stages == ("caf\u00e9",)
    with pytest.raises(BlueprintValidationError, match="listed twice"):
        bp.add_stage("caf\u00e9")
    bp.add_step(Step(id="a", label="A", lane="customer", stage="cafe\u0301"))
    assert bp["a"].stage == "caf\u00e9"


@pytest.mark.parametrize(
    ("step_id", "fragment"),
    [
        (
            "p\u0430y",
            "mixes Cyrillic and Latin letters, which can look the same as another id "
            "(U+0430 CYRILLIC SMALL LETTER A)",
        ),
        ("\u0440ay", "U+0440 CYRILLIC SMALL LETTER ER"),
        ("p\u03b1y", "mixes Greek and Latin letters"),
        (
            "\uff50\uff41\uff59",
            "fullwidth or halfwidth forms (U+FF50 FULLWIDTH LATIN SMALL LETTER P",
        ),
    ],
)
def test_c2_confusable_ids_are_refused_with_their_code_points(step_id: str, fragment: str) -> None:
    from servicebp import Step

    with pytest.raises(BlueprintValidationError) as info:
        Step(id=step_id, label="X", lane="customer", stage="s")
    assert fragment in str(info.value)


@pytest.mark.parametrize("step_id", ["点单-order", "αβγ", "заказ", "café", "s-1"])
def test_c2_ids_in_one_script_or_with_chinese_are_fine(step_id: str) -> None:
    from servicebp import Step

    assert Step(id=step_id, label="X", lane="customer", stage="s").id == step_id


def test_c2_a_confusable_stage_is_refused_when_loading() -> None:
    with pytest.raises(BlueprintValidationError, match="U\\+0430 CYRILLIC SMALL LETTER A"):
        loads(GOOD_YAML.replace("stages: [order, pay]", "stages: [order, p\u0430y]"))
