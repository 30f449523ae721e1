"""The command line as the tests run it: in-process, and no traceback let through."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from click.testing import CliRunner, Result

from servicebp.cli import main


class Runner:
    """Run ``servicebp`` in-process with click's test runner.

    Every call checks that the command ended by exiting (any status), not with
    an exception of its own: the command line never shows a traceback.
    """

    def __init__(self, *, charset: str = "utf-8") -> None:
        self._runner = CliRunner(charset=charset)

    def invoke(self, args: Sequence[str], **options: Any) -> Result:
        """Run ``servicebp ARGS``; *options* go to :meth:`click.testing.CliRunner.invoke`."""
        result = self._runner.invoke(main, list(args), **options)
        assert isinstance(result.exception, SystemExit | None), (
            f"servicebp {' '.join(map(str, args))} raised {result.exception!r}\n{result.output}"
        )
        return result
