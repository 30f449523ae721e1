"""Atomic file writes: the old file survives any failure, no temp file is left.

The data goes to a temporary file in the target's own folder (so that
:func:`os.replace` is a rename on one file system), is flushed and fsynced,
then replaces the target in one step. On any failure, and on SIGTERM or
SIGINT while writing, the temporary file is removed and the original file,
if there was one, is untouched.

What is refused rather than written (each with an :class:`OutputError`):

- a target that is not a regular file (a folder, a device such as
  ``/dev/stdout``, a pipe), or a path ending in a separator;
- a symbolic link at the target, unless ``follow_symlinks=True`` (a link
  planted there would otherwise redirect the write elsewhere); with it, the
  file the link points to is replaced and the link kept;
- a file the user may not write (mode 444 in a writable folder): replacing
  it would defeat its protection;
- the target being one of *inputs* (``render bp.yaml -o bp.yaml``).

A new file gets the permissions ``0o666`` less the user's umask: the
temporary file is created with that mode by the operating system, which
applies the umask itself, so the process umask is never read or changed (a
file another thread creates meanwhile is not affected). A replaced file keeps
its permission bits except the set-user-id and set-group-id bits, which a
rewritten file must not inherit. A hard link to the old file keeps the old
content: the name is given a new file, as with any atomic replacement.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import stat
import threading
from collections.abc import Iterable, Iterator
from pathlib import Path
from types import FrameType
from typing import Any

from servicebp.errors import OutputError

__all__ = ["same_file", "write_atomic"]

_SET_ID: int = stat.S_ISUID | stat.S_ISGID
#: Temporary files being written now, removed by the signal handler.
_LIVE: set[str] = set()
_LIVE_LOCK = threading.Lock()


def write_atomic(
    path: str | os.PathLike[str],
    data: str | bytes,
    *,
    follow_symlinks: bool = False,
    inputs: Iterable[str | os.PathLike[str]] = (),
) -> None:
    """Write *data* to *path* atomically.

    Text is encoded as UTF-8 with ``\\n`` line endings on every platform.

    Parameters
    ----------
    path : str or os.PathLike
        The file to write; its folder must exist.
    data : str or bytes
        What to write.
    follow_symlinks : bool
        Write through a symbolic link at *path* (replacing the file it points
        to) instead of refusing it.
    inputs : iterable of paths
        Files the output must not be (the files the data was read from).

    Raises
    ------
    OutputError
        If the target's folder does not exist, the target is not a regular
        file, is a symbolic link, is read-only, is one of *inputs*, or the
        system refuses the write (permissions, a full disk); the message
        names the path and the reason.
    TypeError
        If *data* is neither ``str`` nor ``bytes``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = tempfile.TemporaryDirectory()
    >>> target = pathlib.Path(folder.name) / "out.txt"
    >>> write_atomic(target, "hello\\n")
    >>> target.read_text(encoding="utf-8")
    'hello\\n'
    >>> sorted(p.name for p in target.parent.iterdir())
    ['out.txt']
    >>> write_atomic(target, "again\\n", inputs=[target])
    Traceback (most recent call last):
    ...
    servicebp.errors.OutputError: cannot write '...out.txt': it is also an input ...
    >>> folder.cleanup()
    """
    if isinstance(data, str):
        payload = data.encode("utf-8")
    elif isinstance(data, bytes | bytearray | memoryview):
        payload = bytes(data)
    else:
        raise TypeError(f"write_atomic() writes str or bytes, not {type(data).__name__}")
    target = _regular_target(path, follow_symlinks=follow_symlinks)
    for source in inputs:
        if same_file(target, source):
            raise OutputError(
                f"cannot write {str(path)!r}: it is also an input ({os.fspath(source)!r}), "
                "and writing would destroy it; choose another output file"
            )
    folder = target.parent
    if not folder.is_dir():
        raise OutputError(f"cannot write {str(path)!r}: the folder {str(folder)!r} does not exist")
    existing = _existing_mode(target)
    writable = stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH
    # The mode bits too: root may write anything, but a 444 file says "do not replace".
    if existing is not None and (not existing & writable or not os.access(target, os.W_OK)):
        raise OutputError(
            f"cannot write {str(path)!r}: the file is read-only for you "
            f"(mode {stat.filemode(existing)}), so servicebp does not replace it; "
            "make it writable (chmod u+w) or choose another output file"
        )
    with _cleaned_on_signals():
        descriptor, temp_name = _create_temp(path, folder, existing)
        replaced = False
        try:
            with os.fdopen(descriptor, "wb") as handle:
                handle.write(payload)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temp_name, target)
            replaced = True
        except OSError as error:
            raise _refused(path, error) from error
        finally:
            with _LIVE_LOCK:
                _LIVE.discard(temp_name)
            if not replaced:
                with contextlib.suppress(OSError):
                    os.unlink(temp_name)
    _fsync_folder(folder)


def same_file(a: str | os.PathLike[str], b: str | os.PathLike[str]) -> bool:
    """Whether the paths *a* and *b* name one existing file (through links too).

    Examples
    --------
    >>> same_file("no/such/a", "no/such/a")
    False
    """
    try:
        return os.path.samefile(a, b)
    except (OSError, ValueError):
        return False


def _regular_target(path: str | os.PathLike[str], *, follow_symlinks: bool) -> Path:
    """The file to replace: never a device, folder or (by default) a symbolic link."""
    name = os.fspath(path)
    if not isinstance(name, str):
        raise OutputError(f"cannot write {name!r}: give the output path as text")
    if "\0" in name:
        raise OutputError(f"cannot write {name!r}: a path cannot hold a NUL character")
    if name.endswith(("/", os.sep)) or (os.altsep and name.endswith(os.altsep)):
        raise OutputError(
            f"cannot write {name!r}: the path ends in a separator, so it names a folder; "
            "give the path of a file"
        )
    target = Path(name)
    try:
        info = os.lstat(target)
    except OSError:
        return target  # nothing there yet (or unreadable: the write will say)
    if stat.S_ISLNK(info.st_mode):
        if not follow_symlinks:
            raise OutputError(
                f"cannot write {name!r}: it is a symbolic link (to "
                f"{os.readlink(target)!r}), which servicebp does not write through by "
                "default; give the file it points to, or pass follow_symlinks=True"
            )
        resolved = Path(os.path.realpath(target))
        try:
            mode = os.stat(resolved).st_mode
        except OSError:
            return resolved  # a dangling link: the file it names is created
        if not stat.S_ISREG(mode):
            raise _not_regular(name)
        return resolved
    if not stat.S_ISREG(info.st_mode):
        raise _not_regular(name)
    return target


def _not_regular(name: str) -> OutputError:
    return OutputError(
        f"cannot write {name!r}: it is not a regular file (a folder, device or "
        "pipe), and servicebp replaces the whole file; give the path of a file"
    )


def _existing_mode(target: Path) -> int | None:
    try:
        return os.stat(target).st_mode
    except OSError:
        return None


def _create_temp(
    path: str | os.PathLike[str], folder: Path, existing: int | None
) -> tuple[int, str]:
    """Create the temporary file; return its descriptor and name (registered for cleanup).

    The name is short (not derived from the target's), so that a target name
    near the system's limit (255 bytes) still has room for its temporary file.
    """
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    flags |= getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
    # 0o666 lets the system apply the umask (and a folder's default ACL) itself.
    mode = 0o666 if existing is None else 0o600
    for _attempt in range(100):
        name = os.path.join(folder, f".sbp-{secrets.token_hex(6)}.tmp")
        try:
            with _LIVE_LOCK:
                descriptor = os.open(name, flags, mode)
                _LIVE.add(name)
        except FileExistsError:
            continue
        except OSError as error:
            raise _refused(path, error) from error
        if existing is not None:
            try:
                os.fchmod(descriptor, stat.S_IMODE(existing) & ~_SET_ID)
            except BaseException as error:
                os.close(descriptor)
                with contextlib.suppress(OSError):
                    os.unlink(name)
                with _LIVE_LOCK:
                    _LIVE.discard(name)
                if isinstance(error, OSError):
                    raise _refused(path, error) from error
                raise
        return descriptor, name
    raise OutputError(f"cannot write {str(path)!r}: no free temporary file name in its folder")


def _remove_live() -> None:
    with _LIVE_LOCK:
        names = list(_LIVE)
        _LIVE.clear()
    for name in names:
        with contextlib.suppress(OSError):
            os.unlink(name)


def _on_terminate(signum: int, frame: FrameType | None) -> None:
    """SIGTERM while writing: remove the temporary files, then do what was to be done."""
    _remove_live()
    previous = _PREVIOUS.get(signum, signal.SIG_DFL)
    if callable(previous):
        previous(signum, frame)
        return
    if previous == signal.SIG_IGN:
        return
    signal.signal(signum, signal.SIG_DFL)
    os.kill(os.getpid(), signum)


_PREVIOUS: dict[int, Any] = {}


@contextlib.contextmanager
def _cleaned_on_signals() -> Iterator[None]:
    """Remove the temporary file on SIGTERM too (SIGINT raises KeyboardInterrupt, handled).

    Signal handlers can only be set from the main thread; elsewhere the write
    still cleans up on every exception.
    """
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "SIGTERM"):
        yield
        return
    try:
        previous = signal.getsignal(signal.SIGTERM)
    except (ValueError, OSError):
        yield
        return
    if previous is _on_terminate:  # a write within a write (not expected)
        yield
        return
    _PREVIOUS[signal.SIGTERM] = previous
    signal.signal(signal.SIGTERM, _on_terminate)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous if previous is not None else signal.SIG_DFL)


def _refused(path: str | os.PathLike[str], error: OSError) -> OutputError:
    reason = error.strerror or str(error)
    return OutputError(f"cannot write {str(path)!r}: {reason}; the file there is unchanged")


def _fsync_folder(folder: Path) -> None:
    # Makes the rename itself durable; not possible on every platform.
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)
