"""The one exception hierarchy of servicebp.

Every error servicebp raises on purpose derives from
:class:`ServiceBlueprintError`, and also from the builtin exception it
resembles, so callers may catch either (``except KeyError`` still catches an
unknown step id).

Errors name *where* the problem is (file, line and column where the format
allows, the JSON path, the step id and the field) and, where it is not
obvious, *what would fix it*.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence

import attrs

__all__ = [
    "AnalysisTooLargeError",
    "ArgumentTypeError",
    "BlueprintTypeError",
    "BlueprintValidationError",
    "DuplicateStepError",
    "EmptyJourneyError",
    "GridError",
    "InvalidArgumentError",
    "LoopError",
    "MissingDependencyError",
    "MomentPlacementWarning",
    "ObservedDataError",
    "OutputError",
    "Problem",
    "RatingError",
    "RenderError",
    "RenderTimeoutError",
    "RubricError",
    "ServiceBlueprintError",
    "TableProblem",
    "TooManyJourneysError",
    "UnknownLintRuleError",
    "UnknownPersonaError",
    "UnknownStepError",
    "UnknownStrategyError",
]


@attrs.frozen(kw_only=True)
class Problem:
    """One thing wrong with a blueprint, a file or a table.

    Parameters
    ----------
    message : str
        What is wrong, and where not obvious, what would fix it.
    path : str, optional
        The JSON path of the offending value, e.g. ``$.steps[1].lane``.
    file : str, optional
        The file the value came from.
    line, column : int, optional
        1-based position in *file*, where the format allows.
    step : str, optional
        The id of the step at fault.
    field : str, optional
        The name of the field at fault.

    Examples
    --------
    >>> str(Problem(message="'front' is not a lane", path="$.steps[1].lane",
    ...             file="bank.yaml", line=12, column=5))
    "bank.yaml:12:5: $.steps[1].lane: 'front' is not a lane"
    >>> str(Problem(message="unknown step", step="s9", field="target"))
    "step 's9': target: unknown step"
    >>> str(Problem(message="bad", path="$.name", line=2, column=7))
    '<string>:2:7: $.name: bad'
    """

    message: str
    path: str | None = None
    file: str | None = None
    line: int | None = None
    column: int | None = None
    step: str | None = None
    field: str | None = None

    def __str__(self) -> str:
        where: list[str] = []
        if self.file is not None or self.line is not None:
            # Text parsed from a string has a position but no file: name it as Python does.
            position = "<string>" if self.file is None else self.file
            if self.line is not None:
                position += f":{self.line}"
                if self.column is not None:
                    position += f":{self.column}"
            where.append(position)
        if self.path is not None:
            where.append(self.path)
        else:
            if self.step is not None:
                where.append(f"step {self.step!r}")
            if self.field is not None:
                where.append(self.field)
        return ": ".join([*where, self.message])

    def to_dict(self) -> dict[str, str | int | None]:
        """Return the problem as a JSON-compatible mapping.

        Examples
        --------
        >>> Problem(message="bad", field="lane").to_dict()["field"]
        'lane'
        """
        return attrs.asdict(self)


class ServiceBlueprintError(Exception):
    """Root of every error that servicebp raises on purpose."""


class BlueprintValidationError(ServiceBlueprintError, ValueError):
    """A blueprint, or a file describing one, is not valid.

    All problems found are collected in :attr:`problems`, so that one run
    shows every thing to fix rather than the first.

    Examples
    --------
    >>> err = BlueprintValidationError([Problem(message="a"), Problem(message="b")])
    >>> print(err)
    2 problems:
      a
      b
    >>> len(err.problems)
    2
    """

    problems: tuple[Problem, ...]

    def __init__(self, problems: Iterable[Problem] | str) -> None:
        if isinstance(problems, str):
            problems = [Problem(message=problems)]
        self.problems = tuple(problems)
        super().__init__(self._summary())

    def _summary(self) -> str:
        if len(self.problems) == 1:
            return str(self.problems[0])
        lines = [f"{len(self.problems)} problems:"]
        lines.extend(f"  {p}" for p in self.problems)
        return "\n".join(lines)

    def __str__(self) -> str:
        return self._summary()


class BlueprintTypeError(BlueprintValidationError, TypeError):
    """A value has the wrong type (a number where text belongs, or the reverse).

    Examples
    --------
    >>> err = BlueprintTypeError("label must be a string, not int (3)")
    >>> isinstance(err, TypeError), isinstance(err, ServiceBlueprintError)
    (True, True)
    """


class DuplicateStepError(BlueprintValidationError):
    """A step id is used twice."""


class UnknownStepError(ServiceBlueprintError, KeyError):
    """A step id that the blueprint does not have.

    Examples
    --------
    >>> str(UnknownStepError("s9", known=["a", "b"]))
    "unknown step: 's9' (the blueprint has ['a', 'b'])"
    """

    def __init__(self, step_id: object, *, known: Sequence[str] | None = None) -> None:
        self.step_id = step_id
        message = f"unknown step: {step_id!r}"
        if known is not None:
            shown = sorted(known)
            if len(shown) > 10:
                message += f" (the blueprint has {len(shown)} steps, e.g. {shown[:10]!r})"
            else:
                message += f" (the blueprint has {shown!r})"
        self.message = message
        super().__init__(message)

    def __str__(self) -> str:
        # KeyError.__str__ would repr() the message and add quotes.
        return self.message


class UnknownPersonaError(ServiceBlueprintError, KeyError):
    """A persona id that the blueprint does not declare.

    Examples
    --------
    >>> str(UnknownPersonaError("regluar", known=["first-timer", "regular"]))
    "unknown persona: 'regluar' (did you mean 'regular'?); the blueprint's personas are ['first-timer', 'regular']"
    >>> str(UnknownPersonaError("regular", known=[]))
    "unknown persona: 'regular'; the blueprint declares no personas (add_persona() in code, `personas:` in a file)"
    """  # noqa: E501

    def __init__(self, persona_id: object, *, known: Sequence[str]) -> None:
        self.persona_id = persona_id
        self.message = f"unknown persona: {persona_id!r}{persona_hint(persona_id, known)}"
        super().__init__(self.message)

    def __str__(self) -> str:
        # KeyError.__str__ would repr() the message and add quotes.
        return self.message


def persona_hint(persona_id: object, known: Sequence[str]) -> str:
    """What follows "unknown persona 'x'": the closest declared id, and the declared ones.

    Shared by the lookup error and the model's check of a step's per-persona values.
    """
    if not known:
        return "; the blueprint declares no personas (add_persona() in code, `personas:` in a file)"
    close = difflib.get_close_matches(str(persona_id), list(known), n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    return f"{hint}; the blueprint's personas are {list(known)!r}"


class UnknownStrategyError(ServiceBlueprintError, ValueError):
    """A scoring strategy name that is not registered."""


class RatingError(ServiceBlueprintError, ValueError):
    """A rating is not on its scale (or not a number)."""


class RubricError(ServiceBlueprintError, ValueError):
    """A rubric is malformed (weights not summing to 1) or not registered."""


class EmptyJourneyError(ServiceBlueprintError, ValueError):
    """A journey has no steps, so it has no score."""


class MomentPlacementWarning(UserWarning):
    """A moment-of-truth tag sits on a step where no contact makes it one.

    For instance a backstage step with no flow across the line of internal
    interaction: it meets no customer, internal or external.
    """


@attrs.frozen(kw_only=True)
class TableProblem(Problem):
    """One thing wrong with a table of events: the row and the column at fault.

    A CSV file's rows are named by *file* and *line*; a DataFrame's or an
    array's by *row*: its position, or for pandas its index label.

    Parameters
    ----------
    row : int or str, optional
        The row's position (0-based) or index label.
    table_column : str or tuple of str, optional
        The column (or columns) at fault.

    Examples
    --------
    >>> p = TableProblem(message="'x' is not a number", row=3, table_column="rating")
    >>> str(p)
    "row 3: column 'rating': 'x' is not a number"
    >>> p.to_dict()
    {'message': "'x' is not a number", 'file': None, 'line': None, 'row': 3, 'column': 'rating'}
    >>> str(TableProblem(message="bad", file="log.csv", line=5, table_column=("a", "b")))
    "log.csv:5: columns 'a' and 'b': bad"
    """

    row: int | str | None = None
    table_column: str | tuple[str, ...] | None = None

    def __str__(self) -> str:
        where: list[str] = []
        if self.file is not None:
            where.append(self.file if self.line is None else f"{self.file}:{self.line}")
        elif self.row is not None:
            where.append(f"row {self.row!r}")
        if isinstance(self.table_column, str):
            where.append(f"column {self.table_column!r}")
        elif self.table_column:
            where.append("columns " + " and ".join(repr(c) for c in self.table_column))
        return ": ".join([*where, self.message])

    def to_dict(self) -> dict[str, str | int | None]:
        """Return the problem as a JSON-compatible mapping: message, file, line, row, column."""
        column = self.table_column
        return {
            "message": self.message,
            "file": self.file,
            "line": self.line,
            "row": self.row,
            "column": column if column is None or isinstance(column, str) else ", ".join(column),
        }


class ObservedDataError(ServiceBlueprintError, ValueError):
    """A table of observed journeys or events is malformed.

    Every problem found is in :attr:`problems` (each a :class:`TableProblem`
    naming its row and column where it has them); the message lists the
    first ten and counts the rest.

    Examples
    --------
    >>> err = ObservedDataError([TableProblem(message="the rating is missing", row=i,
    ...                                       table_column="rating") for i in (2, 5)])
    >>> print(err)
    2 problems:
      row 2: column 'rating': the rating is missing
      row 5: column 'rating': the rating is missing
    >>> [p.row for p in err.problems]
    [2, 5]
    >>> ObservedDataError("the table has no events").problems[0].message
    'the table has no events'
    """

    #: How many problems the message lists before it counts the rest.
    SHOWN = 10

    problems: tuple[Problem, ...]

    def __init__(
        self, problems: Iterable[Problem] | str, *, more: int = 0, alike: str = "more"
    ) -> None:
        if isinstance(problems, str):
            problems = [TableProblem(message=problems)]
        self.problems = tuple(problems)
        #: Further problems of the same kind, counted but not listed (millions of bad rows).
        self.more = more
        self._alike = alike
        super().__init__(self._summary())

    def _summary(self) -> str:
        if len(self.problems) == 1 and not self.more:
            return str(self.problems[0])
        total = len(self.problems) + self.more
        shown = self.problems[: self.SHOWN]
        lines = [f"{total} problem{'' if total == 1 else 's'}:", *(f"  {p}" for p in shown)]
        if total > len(shown):
            lines.append(f"  ... and {total - len(shown)} {self._alike}")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self._summary()


class GridError(BlueprintValidationError):
    """A blueprint grid (a CSV or XLSX table of lanes by stages) cannot be read.

    Each problem names the file and the cell (``B3``, or ``arrows!A2`` on a
    second sheet).
    """


class OutputError(ServiceBlueprintError, OSError):
    """An output file could not be written; the file that was there is unchanged.

    Examples
    --------
    >>> import servicebp
    >>> servicebp.save(servicebp.Blueprint("Bank"), "nil/bp.yaml")
    Traceback (most recent call last):
    ...
    servicebp.errors.OutputError: cannot write 'nil/bp.yaml': the folder 'nil' does not exist
    """


class RenderError(ServiceBlueprintError, RuntimeError):
    """Graphviz could not render a blueprint."""


class RenderTimeoutError(RenderError, TimeoutError):
    """Rendering took longer than its time bound."""


class MissingDependencyError(ServiceBlueprintError, ImportError):
    """An optional dependency is needed; the message says what to install."""


class AnalysisTooLargeError(ServiceBlueprintError, ValueError):
    """An exact analysis would grow beyond its bound on this blueprint.

    Raised instead of running for hours: the message says what grew and what
    to do instead.
    """


class LoopError(BlueprintValidationError):
    """An analysis that needs journeys without loops met a loop of customer steps.

    The blueprint is valid (loops with a way out are); only analyses that
    truly need a DAG (the most likely or critical journey, counting journeys,
    per-step timing) raise it. :func:`servicebp.journeys` lists a bounded
    unrolling of the loops and :func:`servicebp.expected_scores` scores them
    exactly.
    """


class TooManyJourneysError(ServiceBlueprintError, ValueError):
    """A blueprint has more customer journeys than the caller's limit.

    Examples
    --------
    >>> err = TooManyJourneysError("Bank", 2**40, 10_000)
    >>> err.count, err.limit
    (1099511627776, 10000)
    """

    def __init__(self, blueprint: str, count: int, limit: int, *, at_least: bool = False) -> None:
        self.blueprint = blueprint
        self.count = count
        self.limit = limit
        how_many = f"at least {count}" if at_least else f"{count}"
        super().__init__(
            f"blueprint {blueprint!r} has {how_many} customer journeys, more than the limit of "
            f"{limit}; raise the limit, or use most_likely_journey() / critical_journey(), "
            "which do not enumerate"
        )


class InvalidArgumentError(ServiceBlueprintError, ValueError):
    """A function's argument is outside what it accepts (a range or a set of choices).

    Examples
    --------
    >>> from servicebp.discovery._removal import removal_effects
    >>> removal_effects(["a > b"], [1], order=0)
    Traceback (most recent call last):
    ...
    servicebp.errors.InvalidArgumentError: order must be a whole number of at least 1, got 0
    """


class UnknownLintRuleError(ServiceBlueprintError, ValueError):
    """A lint rule code or prefix that matches no registered rule."""


class ArgumentTypeError(InvalidArgumentError, TypeError):
    """An argument of the wrong type (text where a number belongs, a number where a journey does).

    Examples
    --------
    >>> err = ArgumentTypeError("ratings must be a sequence of numbers, not str ('123')")
    >>> isinstance(err, TypeError), isinstance(err, InvalidArgumentError)
    (True, True)
    """
