"""Atomic writes: the old file survives any failure and no temp file is left."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from servicebp import OutputError, ServiceBlueprintError, _atomic
from servicebp._atomic import write_atomic


def _names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_writes_text_as_utf8(tmp_path: Path) -> None:
    target = tmp_path / "bp.yaml"
    write_atomic(target, "开户\n")
    assert target.read_bytes() == "开户\n".encode()
    assert _names(tmp_path) == ["bp.yaml"]


def test_writes_bytes_and_replaces(tmp_path: Path) -> None:
    target = tmp_path / "bp.json"
    target.write_bytes(b"old")
    write_atomic(target, b"new")
    assert target.read_bytes() == b"new"
    assert _names(tmp_path) == ["bp.json"]


def test_keeps_permissions_of_existing_file(tmp_path: Path) -> None:
    target = tmp_path / "bp.yaml"
    target.write_text("old", encoding="utf-8")
    target.chmod(0o600)
    write_atomic(target, "new")
    assert target.stat().st_mode & 0o777 == 0o600


@pytest.mark.parametrize("broken", ["fsync", "replace"])
def test_failure_leaves_old_file_and_no_temp(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, broken: str
) -> None:
    target = tmp_path / "bp.yaml"
    target.write_text("old content", encoding="utf-8")

    def boom(*args: object) -> None:
        raise OSError("disk on fire")

    monkeypatch.setattr(_atomic.os, broken, boom)
    with pytest.raises(OutputError, match="disk on fire"):
        write_atomic(target, "new content")
    monkeypatch.undo()
    assert target.read_text(encoding="utf-8") == "old content"
    assert _names(tmp_path) == ["bp.yaml"]


def test_interrupted_write_leaves_no_temp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "bp.yaml"
    real_fdopen = os.fdopen

    class Exploding:
        def __init__(self, handle: object) -> None:
            self.handle = handle

        def __enter__(self) -> Exploding:
            return self

        def __exit__(self, *exc: object) -> None:
            self.handle.close()  # type: ignore[attr-defined]

        def write(self, data: bytes) -> None:
            raise KeyboardInterrupt

    monkeypatch.setattr(_atomic.os, "fdopen", lambda fd, mode: Exploding(real_fdopen(fd, mode)))
    with pytest.raises(KeyboardInterrupt):
        write_atomic(target, "data")
    monkeypatch.undo()
    assert _names(tmp_path) == []


def test_missing_folder_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(OutputError, match="does not exist"):
        write_atomic(tmp_path / "nowhere" / "bp.yaml", "x")
    assert _names(tmp_path) == []


def test_rejects_other_types(tmp_path: Path) -> None:
    with pytest.raises(TypeError, match="not int"):
        write_atomic(tmp_path / "x", 3)  # type: ignore[arg-type]
    assert _names(tmp_path) == []


def test_errors_are_output_errors_and_os_errors(tmp_path: Path) -> None:
    with pytest.raises(OutputError) as info:
        write_atomic(tmp_path / "nowhere" / "bp.yaml", "x")
    assert isinstance(info.value, OSError)
    assert isinstance(info.value, ServiceBlueprintError)


def test_a_symbolic_link_is_written_through_when_asked(tmp_path: Path) -> None:
    real = tmp_path / "real.yaml"
    real.write_text("old", encoding="utf-8")
    link = tmp_path / "link.yaml"
    link.symlink_to(real)
    write_atomic(link, "new", follow_symlinks=True)
    assert link.is_symlink()
    assert real.read_text(encoding="utf-8") == "new"
    assert _names(tmp_path) == ["link.yaml", "real.yaml"]


@pytest.mark.parametrize("target", [os.devnull, "folder"])
def test_a_device_or_folder_is_refused_not_replaced(tmp_path: Path, target: str) -> None:
    path = tmp_path / target if target == "folder" else Path(target)
    if target == "folder":
        path.mkdir()
    kind = path.stat().st_mode
    with pytest.raises(OutputError, match="not a regular file"):
        write_atomic(path, "x")
    assert path.stat().st_mode == kind


def test_a_refused_temporary_file_is_an_output_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*_: object) -> int:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(_atomic.os, "open", refuse)
    with pytest.raises(OutputError, match="Permission denied; the file there is unchanged"):
        write_atomic(tmp_path / "bp.yaml", "x")
