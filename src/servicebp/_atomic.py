"""Atomic file writes: the old file survives any failure, no temp file is left.

The data goes to a temporary file in the target's own folder (so that
:func:`os.replace` is a rename on one file system), is flushed and fsynced,
then replaces the target in one step. On any failure the temporary file is
removed and the original file, if there was one, is untouched.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

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
    FileNotFoundError
        If the target's folder does not exist.
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
    target = Path(path)
    folder = target.parent
    if not folder.is_dir():
        raise FileNotFoundError(f"{str(target)!r}: the folder {str(folder)!r} does not exist")
    mode = _mode_for(target)
    descriptor, temp_name = tempfile.mkstemp(dir=folder, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp_name, mode)
        os.replace(temp_name, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp_name)
        raise
    _fsync_folder(folder)


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
