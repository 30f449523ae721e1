"""Hostile input beyond the first catalogue (issue 18), one section per class.

Each section is numbered as the issue's classes are. Every case here failed
(a raw exception, a silent misreading, a hang, lost data or an unsafe write)
before the fix it tests; each must finish well within
:data:`tests.test_hostile_inputs.TIME_BOUND`.
"""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

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
from servicebp.cli import main
from tests.io.test_hostile_inputs import GOOD_YAML, yaml_doc

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
    result = CliRunner().invoke(main, list(args), catch_exceptions=True)
    assert isinstance(result.exception, SystemExit | None), repr(result.exception)
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
