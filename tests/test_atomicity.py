"""Atomicity: a save or a render interrupted midway leaves the previous file intact.

Each test pre-creates the target with known bytes, makes one stage of the
write fail (the rename, the fsync, the write itself, or the serialiser or
engine before any byte is written, with an ``OSError`` or a
``KeyboardInterrupt``), and then finds the previous bytes in place and no
temporary file left in the folder.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import servicebp
import servicebp.io._files
from servicebp import Blueprint, Step

PREVIOUS = b"previous contents \xe5\xbc\x80\xe6\x88\xb7\n"


def small_blueprint() -> Blueprint:
    bp = Blueprint("Atomic", stages=["in", "out"])
    bp.add_step(Step(id="arrive", label="Arrive", lane="customer", stage="in"))
    bp.add_step(Step(id="leave", label="Leave", lane="customer", stage="out"))
    bp.add_step(Step(id="greet", label="Greet", lane="frontstage", stage="in"))
    bp.connect("arrive", "leave")
    bp.connect("arrive", "greet", kind="support")
    return bp


def names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def save_yaml(bp: Blueprint, target: Path) -> None:
    servicebp.save(bp, target)


def render_svg(bp: Blueprint, target: Path) -> None:
    from servicebp import render

    render(bp, target, format="svg", engine="embedded")


WRITERS: dict[str, tuple[Callable[[Blueprint, Path], None], str]] = {
    "save-yaml": (save_yaml, "bp.yaml"),
    "save-json": (save_yaml, "bp.json"),
    "render-svg": (render_svg, "bp.svg"),
}


class WriteInterruptedError(Exception):
    """Stands for a crash, a full disk or a lost connection midway."""


def failing(exc: BaseException) -> Callable[..., Any]:
    def fail(*args: object, **kwargs: object) -> Any:
        raise exc

    return fail


def failing_write(exc: BaseException) -> Callable[..., Any]:
    """An ``os.fdopen`` whose file writes half the data, then fails."""
    real_fdopen = os.fdopen

    def fdopen(fd: int, *args: Any, **kwargs: Any) -> Any:
        handle = real_fdopen(fd, *args, **kwargs)

        class Half:
            def __enter__(self) -> Half:
                return self

            def __exit__(self, *exc_info: object) -> None:
                handle.close()

            def write(self, data: bytes) -> int:
                handle.write(data[: len(data) // 2])
                handle.flush()
                raise exc

            def __getattr__(self, name: str) -> Any:
                return getattr(handle, name)

        return Half()

    return fdopen


INTERRUPTIONS: dict[str, Callable[[pytest.MonkeyPatch, BaseException], None]] = {
    "replace": lambda mp, exc: mp.setattr(os, "replace", failing(exc)),
    "fsync": lambda mp, exc: mp.setattr(os, "fsync", failing(exc)),
    "half-write": lambda mp, exc: mp.setattr(os, "fdopen", failing_write(exc)),
    "chmod": lambda mp, exc: mp.setattr(os, "fchmod", failing(exc)),
}


@pytest.mark.parametrize("writer", list(WRITERS))
@pytest.mark.parametrize("where", list(INTERRUPTIONS))
@pytest.mark.parametrize(
    "exc", [OSError(28, "No space left on device"), KeyboardInterrupt()], ids=["oserror", "ctrl-c"]
)
def test_interrupted_write_keeps_the_previous_file(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    writer: str,
    where: str,
    exc: BaseException,
) -> None:
    write, name = WRITERS[writer]
    target = tmp_path / name
    target.write_bytes(PREVIOUS)
    bp = small_blueprint()
    with monkeypatch.context() as mp:
        INTERRUPTIONS[where](mp, exc)
        with pytest.raises(type(exc)):
            write(bp, target)
    assert target.read_bytes() == PREVIOUS
    assert names(tmp_path) == [name], "a temporary file was left behind"


@pytest.mark.parametrize("writer", list(WRITERS))
def test_interrupted_first_write_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, writer: str
) -> None:
    write, name = WRITERS[writer]
    monkeypatch.setattr(os, "replace", failing(WriteInterruptedError("rename failed")))
    with pytest.raises(WriteInterruptedError):
        write(small_blueprint(), tmp_path / name)
    assert names(tmp_path) == []


def test_a_failing_serialiser_never_opens_the_target(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "bp.yaml"
    target.write_bytes(PREVIOUS)
    monkeypatch.setattr(
        servicebp.io._files, "dumps", failing(WriteInterruptedError("serialiser failed"))
    )
    with pytest.raises(WriteInterruptedError):
        servicebp.save(small_blueprint(), target)
    assert target.read_bytes() == PREVIOUS
    assert names(tmp_path) == ["bp.yaml"]


def test_a_failing_engine_keeps_the_previous_picture(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import servicebp.rendering._render  # noqa: F401 - loads the package into sys.modules

    # The package, not the re-exported function of the same name.
    package = sys.modules["servicebp.rendering._render"]
    target = tmp_path / "bp.svg"
    target.write_bytes(PREVIOUS)
    monkeypatch.setattr(package, "run_engine", failing(WriteInterruptedError("engine crashed")))
    with pytest.raises(WriteInterruptedError):
        render_svg(small_blueprint(), target)
    assert target.read_bytes() == PREVIOUS
    assert names(tmp_path) == ["bp.svg"]


def test_a_successful_write_after_a_failed_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "bp.yaml"
    target.write_bytes(PREVIOUS)
    bp = small_blueprint()
    with monkeypatch.context() as mp:
        mp.setattr(os, "replace", failing(WriteInterruptedError("once")))
        with pytest.raises(WriteInterruptedError):
            servicebp.save(bp, target)
    servicebp.save(bp, target)
    assert servicebp.load(target) == bp
    assert names(tmp_path) == ["bp.yaml"]


def test_permissions_of_the_previous_file_survive(tmp_path: Path) -> None:
    target = tmp_path / "bp.yaml"
    target.write_bytes(PREVIOUS)
    target.chmod(0o640)
    servicebp.save(small_blueprint(), target)
    assert target.stat().st_mode & 0o777 == 0o640
