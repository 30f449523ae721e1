"""Bytes and text: reading a file within the size cap, strict UTF-8, no lone surrogates."""

from __future__ import annotations

import os
import stat

from servicebp.errors import BlueprintValidationError, Problem
from servicebp.io._limits import MAX_BYTES, check_max_bytes, too_big
from servicebp.io._positions import position_of_index

__all__ = ["decode", "read_bytes", "refuse_surrogates"]


def read_bytes(path: str | os.PathLike[str], *, max_bytes: int = MAX_BYTES) -> bytes:
    """Return the bytes of *path*, refusing a file larger than *max_bytes* unread.

    Raises
    ------
    BlueprintValidationError
        If the file does not exist, cannot be read, or is too large.

    Examples
    --------
    >>> read_bytes("no/such/file.yaml")
    Traceback (most recent call last):
    ...
    servicebp.errors.BlueprintValidationError: no/such/file.yaml: no such file
    """
    check_max_bytes(max_bytes)
    file = os.fspath(path)
    try:
        # Opening a named pipe would block until someone writes to it: refuse
        # anything that is not a regular file (or a folder, reported below).
        mode = os.stat(file).st_mode
        if not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):
            raise BlueprintValidationError(
                [
                    Problem(
                        message="is not a regular file (a pipe or a device); "
                        "save the blueprint to a file first",
                        file=file,
                    )
                ]
            )
        with open(file, "rb") as handle:
            info = os.fstat(handle.fileno())
            if stat.S_ISREG(info.st_mode) and info.st_size > max_bytes:
                raise too_big(info.st_size, max_bytes, file)
            # Read at most one byte past the cap: a growing file cannot exhaust memory.
            chunks: list[bytes] = []
            left = max_bytes + 1
            while left > 0 and (chunk := handle.read(min(left, 1 << 24))):
                chunks.append(chunk)
                left -= len(chunk)
            data = b"".join(chunks)
    except FileNotFoundError:
        raise BlueprintValidationError([Problem(message="no such file", file=file)]) from None
    except IsADirectoryError:
        raise BlueprintValidationError(
            [Problem(message="is a folder, not a blueprint file", file=file)]
        ) from None
    except OSError as error:
        raise BlueprintValidationError(
            [Problem(message=f"cannot read the file: {error.strerror or error}", file=file)]
        ) from None
    if len(data) > max_bytes:
        raise too_big(len(data), max_bytes, file)
    return data


def decode(data: bytes, file: str | None) -> str:
    """Return *data* as text (UTF-8, without a byte order mark), or refuse it with its line."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        offset = error.start
        line = data.count(b"\n", 0, offset) + 1
        column = offset - (data.rfind(b"\n", 0, offset) + 1) + 1
        raise BlueprintValidationError(
            [
                Problem(
                    message=f"invalid UTF-8 at byte offset {offset} "
                    f"(byte 0x{data[offset]:02x}); save the file as UTF-8",
                    file=file,
                    line=line,
                    column=column,
                )
            ]
        ) from None
    return text.removeprefix("\ufeff")


def refuse_surrogates(text: str, file: str | None) -> None:
    """Refuse a lone surrogate (no UTF-8 file can hold one) with its position."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as error:
        line, column = position_of_index(text, error.start)
        raise BlueprintValidationError(
            [
                Problem(
                    message=f"the text holds a lone surrogate (U+{ord(text[error.start]):04X}), "
                    "which is not a character and cannot be saved as UTF-8; remove it",
                    file=file,
                    line=line,
                    column=column,
                )
            ]
        ) from None
