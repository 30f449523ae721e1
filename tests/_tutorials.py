"""Run the code of a docs page up to one of its blueprint figures, as the docs build does."""

from __future__ import annotations

import doctest
import os
import re
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
_BLOCK = re.compile(r"^```(python|\{blueprint-figure\}) ?(\S*)\n(.*?)^```", re.M | re.S)

#: Each tutorial's first blueprint figure, and the example file that holds it.
FIGURES = {
    "quickstart_coffee.yaml": ("docs/quickstart.md", "bp"),
    "bus_ride.yaml": ("docs/tutorials/bus-ride.md", "bp"),
    "restaurant_dinner.yaml": ("docs/tutorials/restaurant.md", "bp"),
    "hotel_stay.yaml": ("docs/tutorials/hotel.md", "bp"),
    "e_commerce_order.yaml": ("docs/tutorials/e-commerce.md", "shop"),
    "airline_flight.yaml": ("docs/tutorials/airline.md", "flight"),
}


def blueprint_of_figure(page: str, expression: str) -> Any:
    """Run *page*'s code blocks up to its first figure of *expression*; return its value."""
    text = (ROOT / page).read_text(encoding="utf-8")
    namespace: dict[str, Any] = {"__name__": "tutorial"}
    here = os.getcwd()
    with tempfile.TemporaryDirectory() as folder:
        os.chdir(folder)
        try:
            for kind, argument, body in _BLOCK.findall(text):
                if kind != "python":
                    if argument == expression:
                        return eval(expression, namespace)
                    continue
                if body.lstrip().startswith(">>>"):
                    for example in doctest.DocTestParser().get_examples(body):
                        exec(compile(example.source, page, "single"), namespace)
                else:
                    exec(compile(body, page, "exec"), namespace)
        finally:
            os.chdir(here)
    raise AssertionError(f"{page} has no blueprint figure of {expression!r}")
