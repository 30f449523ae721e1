"""The caps on what is read: file size and nesting depth, and their messages.

Both are checked before the data is built: the size before anything is
parsed, the depth as the reader goes down (without recursion).
"""

from __future__ import annotations

from typing import Final

from servicebp.errors import (
    ArgumentTypeError,
    BlueprintValidationError,
    InvalidArgumentError,
    Problem,
)

__all__ = ["EMPTY", "MAX_BYTES", "MAX_DEPTH", "check_max_bytes", "too_big", "too_deep"]

#: Largest file (in bytes) read by default; larger ones are refused unread.
MAX_BYTES: Final = 10 * 1024 * 1024
#: Deepest nesting of mappings and lists accepted in a file.
MAX_DEPTH: Final = 64

#: The message for a file with no data (nothing, or only comments and blanks).
EMPTY: Final = "the file is empty; a blueprint needs at least version, name, stages and steps"


def check_max_bytes(max_bytes: object) -> int:
    """Return *max_bytes* if it is a whole number of at least 0, else raise.

    Examples
    --------
    >>> check_max_bytes("10")
    Traceback (most recent call last):
    ...
    servicebp.errors.ArgumentTypeError: max_bytes must be a whole number of bytes, not str ('10')
    """
    if isinstance(max_bytes, bool) or not isinstance(max_bytes, int):
        raise ArgumentTypeError(
            f"max_bytes must be a whole number of bytes, not {type(max_bytes).__name__} "
            f"({max_bytes!r})"
        )
    if max_bytes < 0:
        raise InvalidArgumentError(f"max_bytes must be at least 0, got {max_bytes}")
    return max_bytes


def too_big(size: int, max_bytes: int, file: str | None) -> BlueprintValidationError:
    """The error for an input of *size* bytes or more, above *max_bytes*."""
    return BlueprintValidationError(
        [
            Problem(
                message=f"the input is {size:,} bytes or more, above the limit of "
                f"{max_bytes:,} bytes; raise the limit to read it (max_bytes= in Python, "
                "--max-bytes for servicebp validate)",
                file=file,
            )
        ]
    )


def too_deep(max_depth: int) -> str:
    """The message for data nested deeper than *max_depth*."""
    return f"the data is nested more than {max_depth} levels deep; a blueprint needs far fewer"
