"""Atomic file writes: the old file survives any failure, no temp file is left.

The data goes to a temporary file in the target's own folder (so that
:func:`os.replace` is a rename on one file system), is flushed and fsynced,
then replaces the target in one step. On any failure the temporary file is
removed and the original file, if there was one, is untouched.

A symbolic link is written through (the file it points to is replaced, the
link kept); a target that is not a regular file (a folder, a device such as
``/dev/stdout``, a pipe) is refused rather than replaced by a file.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from pathlib import Path

from servicebp.errors import OutputError

__all__ = ["write_atomic"]


def write_atomic(path: str | os.PathLike[str], data: str | bytes) -> None:
    """Write *data* to *path* atomically.

    Text is encoded as UTF-8 with ``\\n`` line endings on every platform.

    Parameters
    ----------
    path : str or os.PathLike
        The file to write; its folder must exist.
    data : str or bytes
        What to write.

    Raises
    ------
    OutputError
        If the target's folder does not exist, the target is not a regular
        file, or the system refuses the write (permissions, a full disk);
        the message names the path and the reason.
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
    >>> folder.cleanup()
    """
    if isinstance(data, str):
        payload = data.encode("utf-8")
    elif isinstance(data, bytes | bytearray | memoryview):
        payload = bytes(data)
    else:
        raise TypeError(f"write_atomic() writes str or bytes, not {type(data).__name__}")
    target = _regular_target(Path(path))
    folder = target.parent
    if not folder.is_dir():
        raise OutputError(f"cannot write {str(path)!r}: the folder {str(folder)!r} does not exist")
    mode = _mode_for(target)
    try:
        descriptor, temp_name = tempfile.mkstemp(
            dir=folder, prefix=f".{target.name}.", suffix=".tmp"
        )
    except OSError as error:
        raise _refused(path, error) from error
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp_name, mode)
        os.replace(temp_name, target)
    except BaseException as error:
        with contextlib.suppress(OSError):
            os.unlink(temp_name)
        if isinstance(error, OSError):
            raise _refused(path, error) from error
        raise
    _fsync_folder(folder)


def _regular_target(target: Path) -> Path:
    """The file to replace: through a symbolic link, and never a device or folder."""
    try:
        mode = target.stat().st_mode
    except OSError:
        mode = stat.S_IFREG  # nothing there yet (or unreadable: the write will say)
    if not stat.S_ISREG(mode):
        raise OutputError(
            f"cannot write {str(target)!r}: it is not a regular file (a folder, device or "
            "pipe), and servicebp replaces the whole file; give the path of a file"
        )
    return Path(os.path.realpath(target)) if target.is_symlink() else target


def _refused(path: str | os.PathLike[str], error: OSError) -> OutputError:
    reason = error.strerror or str(error)
    return OutputError(f"cannot write {str(path)!r}: {reason}; the file there is unchanged")


def _mode_for(target: Path) -> int:
    """Keep an existing file's permissions; new files get the umask's default."""
    try:
        return target.stat().st_mode & 0o7777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


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
