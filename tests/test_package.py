"""The package's shape: one public namespace, callable verbs, resolvable return types."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
from pathlib import Path

import pytest

import servicebp

SRC = Path(servicebp.__file__).parent

#: The verbs a new user reaches for first (issue 12 found four of them missing
#: or shadowed by a module of the same name).
VERBS = (
    "render",
    "render_bytes",
    "render_svg",
    "lint",
    "diff",
    "conformance",
    "to_dict",
    "from_dict",
    "load",
    "save",
    "score",
)


@pytest.mark.parametrize("name", VERBS)
def test_the_verbs_are_callable_at_the_top_level(name: str) -> None:
    assert callable(getattr(servicebp, name)), name
    assert name in servicebp.__all__


def test_every_name_in_all_exists() -> None:
    missing = [name for name in servicebp.__all__ if not hasattr(servicebp, name)]
    assert not missing


def _public_callables() -> list[tuple[str, object]]:
    return [
        (name, getattr(servicebp, name))
        for name in servicebp.__all__
        if inspect.isfunction(getattr(servicebp, name))
    ]


#: Names a return annotation may use that are not servicebp's.
FOREIGN = frozenset(
    {"None", "FloatArray", "Any", "Iterator", "Iterable", "Mapping", "Sequence", "Path", "Digraph"}
)


@pytest.mark.parametrize(("name", "function"), _public_callables())
def test_every_return_type_of_a_public_function_is_public(name: str, function: object) -> None:
    # The annotation as written (the package uses postponed annotations), so
    # names imported only for type checking are read too.
    annotation = str(inspect.signature(function).return_annotation)  # type: ignore[arg-type]
    names = set(re.findall(r"(?<![\w.])([A-Z]\w*)", annotation)) - FOREIGN
    private = sorted(n for n in names if n not in servicebp.__all__)
    assert not private, f"{name}() -> {annotation}: {private} not in servicebp.__all__"


def test_modules_inside_a_subpackage_are_private() -> None:
    for package in pkgutil.iter_modules(servicebp.__path__):
        if not package.ispkg:
            continue
        module = importlib.import_module(f"servicebp.{package.name}")
        public = [
            info.name
            for info in pkgutil.iter_modules(module.__path__)
            if not info.name.startswith("_") and package.name != "cli"
        ]
        assert not public, f"servicebp.{package.name} has public modules {public}"


def test_no_module_is_named_like_a_function_it_exports() -> None:
    shadowed = [
        name
        for name in servicebp.__all__
        if (SRC / name).is_dir() or (SRC / f"{name}.py").is_file()
    ]
    assert not shadowed
