"""The shared XML leaf: any text becomes text XML 1.0 holds; coordinates as DOT writes them."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from hypothesis import given
from hypothesis import strategies as st

from servicebp._xml_text import NOT_XML, coordinate, xml_safe


@given(st.text())
def test_any_text_survives_an_xml_round_trip(text: str) -> None:
    safe = xml_safe(text)
    assert len(safe) == len(text)
    assert NOT_XML.search(safe) is None
    element = ET.fromstring(ET.tostring(ET.Element("t", {"v": safe}), encoding="unicode"))
    # ElementTree writes tab and line breaks in attributes as character references.
    assert element.get("v") == safe


@given(st.text(st.characters(codec="utf-8", exclude_categories=("Cc", "Cs"))))
def test_text_xml_holds_is_left_alone(text: str) -> None:
    clean = "".join(c for c in text if c not in "\ufffe\uffff")
    assert xml_safe(clean) == clean


def test_what_xml_cannot_hold() -> None:
    assert (
        xml_safe("a\x00b\x07c\x1f\ud800\ufffe\uffff\t\n\r")
        == "a\ufffdb\ufffdc" + "\ufffd" * 4 + "\t\n\r"
    )


@given(st.floats(-1e6, 1e6))
def test_coordinates_are_hundredths_without_trailing_zeros(value: float) -> None:
    text = coordinate(value)
    assert float(text) == round(value, 2) or abs(float(text) - value) <= 0.005
    assert text != "-0"
    assert not (("." in text) and text.endswith(("0", ".")))


def test_coordinate_examples() -> None:
    assert [coordinate(v) for v in (12.0, 3.14159, -0.004, 0.5, -2.25)] == [
        "12",
        "3.14",
        "0",
        "0.5",
        "-2.25",
    ]
