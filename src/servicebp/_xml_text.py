"""Text that XML 1.0 can hold, and coordinates written as the DOT of the SVG writes them.

Private leaf shared by the hand-written XML writers (the draw.io export, the
importance–performance chart), so that one rule decides which characters
become U+FFFD, and one the text of a coordinate.
"""

from __future__ import annotations

import re
from typing import Final

__all__ = ["NOT_XML", "coordinate", "xml_safe"]

#: What XML 1.0 cannot hold, even escaped (and U+FFFE/U+FFFF, which it forbids too).
NOT_XML: Final = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_safe(text: str) -> str:
    """*text* with every character XML 1.0 cannot hold replaced by U+FFFD.

    Examples
    --------
    >>> xml_safe("bell\\x07 and \\ufffe")
    'bell\\ufffd and \\ufffd'
    """
    return NOT_XML.sub("\ufffd", text)


def coordinate(value: float) -> str:
    """A coordinate to the hundredth of a point, as the DOT of the SVG has it.

    Examples
    --------
    >>> coordinate(12.0), coordinate(0.125), coordinate(-0.001)
    ('12', '0.12', '0')
    """
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text
