"""Find the example files: in the installed package, or in the clone the package runs from."""

from __future__ import annotations

import difflib
from importlib import resources
from pathlib import Path

from servicebp.errors import ArgumentTypeError, InvalidArgumentError

__all__ = ["PACKAGED", "SUFFIXES", "names", "path"]

#: The folder, inside the package, that a wheel holds the example files in
#: (pyproject's wheel ``sources`` map the clone's ``examples/`` folder to it).
PACKAGED = "files"

#: What an example file is: a blueprint or a grid. The scripts beside them
#: in a clone are programs to run, not examples to load.
SUFFIXES = (".yaml", ".csv")

# A source tree (a clone run with PYTHONPATH=src, or an editable install)
# has no packaged copy: there the files are the clone's own examples/ folder,
# the one the README's commands name. src/servicebp/examples/_files.py is
# three folders below the clone's root.
_CLONE = Path(__file__).resolve().parents[3] / "examples"


def _folder() -> Path | None:
    """The folder of the example files, or None if this installation has none."""
    packaged = resources.files(__package__ or "servicebp.examples") / PACKAGED
    # A package installed by pip is a folder on disk (not a zip), so its
    # files are plain paths that load() and the command line can open.
    if isinstance(packaged, Path) and packaged.is_dir():
        return packaged
    if _CLONE.is_dir():
        return _CLONE
    return None


def _files() -> dict[str, Path]:
    folder = _folder()
    if folder is None:
        return {}
    return {
        file.stem: file
        for file in sorted(folder.iterdir())
        if file.suffix in SUFFIXES and file.is_file()
    }


def names() -> tuple[str, ...]:
    """Return the names of the example files, in alphabetical order.

    Returns
    -------
    tuple of str
        Each a name that :func:`path` takes: the file's name without its
        extension.

    Examples
    --------
    >>> names()
    ('airline_flight', 'bank_account_opening', 'bus_ride', ..., 'restaurant_dinner')
    >>> "hotel_grid" in names()
    True
    """
    return tuple(_files())


def path(name: str) -> Path:
    """Return the file of the example called *name*, to load, render or read.

    Parameters
    ----------
    name : str
        The example's name, as :func:`names` lists it: its file name
        without the extension (``"bank_account_opening"``). The file name
        itself (``"bank_account_opening.yaml"``) is accepted too.

    Returns
    -------
    pathlib.Path
        An existing file: a blueprint (``.yaml``) for :func:`servicebp.load`
        or the command line, or a grid (``.csv``) for
        :func:`servicebp.read_grid`.

    Raises
    ------
    InvalidArgumentError
        If no example has that name; the message lists those that exist.
    ArgumentTypeError
        If *name* is not text.

    See Also
    --------
    names : The names this function takes.

    Examples
    --------
    >>> import servicebp
    >>> servicebp.load(path("bank_account_opening"))
    Blueprint('Bank account opening', stages=4, steps=18, flows=21)
    >>> path("hotel_grid").name
    'hotel_grid.csv'
    >>> path("bank")
    Traceback (most recent call last):
    ...
    servicebp.errors.InvalidArgumentError: no example is called 'bank' (did you mean \
'bank_account_opening'?); the examples are ['airline_flight', 'bank_account_opening', ...]
    """
    if not isinstance(name, str):
        raise ArgumentTypeError(f"an example's name is text, not {type(name).__name__} ({name!r})")
    files = _files()
    stem = Path(name).stem if Path(name).suffix in SUFFIXES else name
    found = files.get(stem)
    if found is not None and (stem == name or found.name == name):
        return found
    if not files:
        raise InvalidArgumentError(
            f"no example is called {name!r}: this installation of servicebp has no example "
            "files (reinstall it with pip, which puts them in the package)"
        )
    hint = _did_you_mean(stem, list(files))
    raise InvalidArgumentError(
        f"no example is called {name!r}{hint}; the examples are {list(files)}"
    )


def _did_you_mean(name: str, known: list[str]) -> str:
    # A reader types the start of a name ("bank", "hotel") as often as a
    # misspelling of it: names that start with the text win, if a few do.
    starts = [k for k in known if name and k.startswith(name.lower())]
    close = starts if len(starts) <= 3 else []
    close = close or difflib.get_close_matches(name, known, n=1)
    return f" (did you mean {' or '.join(map(repr, close))}?)" if close else ""
