"""Shared helpers of the rendering tests: golden files, reading node boxes out of SVG."""

from __future__ import annotations

import os
import re
import xml.etree.ElementTree as ET

from tests._paths import GOLDEN

SVG = "{http://www.w3.org/2000/svg}"
PAIR = re.compile(r"(-?[\d.]+),(-?[\d.]+)")


def boxes(svg: str) -> dict[str, tuple[float, float, float, float]]:
    """Map each node's element id to its box (left, top, right, bottom)."""
    found: dict[str, tuple[float, float, float, float]] = {}
    for g in ET.fromstring(svg).iter(f"{SVG}g"):
        if "node" not in (g.get("class") or "").split():
            continue
        points = [
            (float(x), float(y))
            for el in g
            for key in ("points", "d")
            if el.get(key)
            for x, y in PAIR.findall(el.get(key, ""))
        ]
        if points:
            xs, ys = zip(*points, strict=True)
            found[g.get("id", "")] = (min(xs), min(ys), max(xs), max(ys))
    return found


def texts(svg: str) -> list[str]:
    """Every text element's content."""
    return [t.text or "" for t in ET.fromstring(svg).iter(f"{SVG}text")]


def check_golden(name: str, text: str) -> None:
    """Compare ``text`` with ``tests/golden/<name>``; SERVICEBP_REGEN_GOLDEN=1 rewrites it."""
    path = GOLDEN / name
    if os.environ.get("SERVICEBP_REGEN_GOLDEN"):
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8")
