"""A catalogue of hostile inputs, one case a row, across every entry point.

Every row names an entry point, builds its input, and says which of
servicebp's own errors it must raise (for CLI rows: exit status 1 with the
problem on one line and no traceback) and a fragment of the message that
names the place. Each case must also finish within :data:`TIME_BOUND` seconds
(a robustness bound against hangs, not a speed test) and leave every file in
its working folder untouched: a sentinel output file is pre-created with
known bytes, and CLI commands that write are pointed at it.

Entry points
------------
``api``
    The Python API: constructors of Step, Flow, Blueprint and its values.
``mutation``
    A mutation of a small valid blueprint; after the error the blueprint
    must still equal its copy taken before.
``loads:yaml`` / ``loads:json``
    :func:`servicebp.loads` on text or bytes.
``load``
    :func:`servicebp.load` on a file; the message names the file.
``observed``
    The observed-journey tables (:mod:`servicebp.observed`).
``cli:COMMAND``
    ``servicebp COMMAND`` through :class:`click.testing.CliRunner`.
"""

from __future__ import annotations

import math
import signal
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import attrs
import pytest

from servicebp import (
    Blueprint,
    BlueprintTypeError,
    BlueprintValidationError,
    DuplicateStepError,
    FailPoint,
    Flow,
    ServiceBlueprintError,
    Step,
    UnknownStepError,
    Wait,
)

#: Seconds each case may take. Generous: the machine is shared.
TIME_BOUND = 10.0
#: Seconds after which a hung case is interrupted (so a hang fails, never blocks).
HANG_GUARD = 60
#: What the sentinel output file holds before every case.
SENTINEL = b"previous output \xe2\x9c\x93\n"


@attrs.frozen
class Case:
    """One row of the catalogue."""

    id: str
    entry: str
    make: Callable[[Path], Any]
    error: type[BaseException]
    fragment: str


CASES: list[Case] = []


def case(id: str, entry: str, error: type[BaseException], fragment: str) -> Callable[..., Any]:
    """Register the decorated input builder as one row of the table."""

    def register(make: Callable[[Path], Any]) -> Callable[[Path], Any]:
        CASES.append(Case(id=id, entry=entry, make=make, error=error, fragment=fragment))
        return make

    return register


def row(
    id: str, entry: str, make: Callable[[], Any], error: type[BaseException], fragment: str
) -> None:
    """Register a row whose input needs no folder."""
    CASES.append(Case(id=id, entry=entry, make=lambda _: make(), error=error, fragment=fragment))


# --- helpers -----------------------------------------------------------------


def step(**changes: Any) -> Step:
    fields: dict[str, Any] = {"id": "a", "label": "A", "lane": "customer", "stage": "s"}
    fields.update(changes)
    return Step(**fields)


def small_blueprint() -> Blueprint:
    """Two customer steps and two frontstage steps, connected; valid as a whole."""
    bp = Blueprint("Small", stages=["s", "t"])
    bp.add_step(Step(id="a", label="A", lane="customer", stage="s"))
    bp.add_step(Step(id="b", label="B", lane="customer", stage="t"))
    bp.add_step(Step(id="f", label="F", lane="frontstage", stage="s"))
    bp.add_step(Step(id="g", label="G", lane="frontstage", stage="t"))
    bp.connect("a", "b", probability=0.6)
    bp.connect("a", "f", kind="support")
    bp.connect("f", "g", kind="support")
    return bp


def chain(n: int, *, back: tuple[int, int] | None = None) -> Blueprint:
    """*n* customer steps in one stage, each followed by the next."""
    bp = Blueprint("Chain", stages=["s"])
    for i in range(n):
        bp.add_step(Step(id=f"s{i}", label=f"Step {i}", lane="customer", stage="s"))
    for i in range(n - 1):
        bp.connect(f"s{i}", f"s{i + 1}")
    if back is not None:
        bp.connect(f"s{back[0]}", f"s{back[1]}")
    return bp


# --- the Python API: constructors ---------------------------------------------

E, T = BlueprintValidationError, BlueprintTypeError

row("api-step-id-space", "api", lambda: step(id="a b"), E, "id 'a b' contains white space")
row("api-step-id-tab", "api", lambda: step(id="a\tb"), E, "id 'a\\tb' contains the control")
row("api-step-id-newline", "api", lambda: step(id="a\nb"), E, "contains the control character")
row("api-step-id-nul", "api", lambda: step(id="a\x00b"), E, "id 'a\\x00b' contains the control")
row("api-step-id-nbsp", "api", lambda: step(id="a\u00a0b"), E, "contains white space")
row("api-step-id-zero-width", "api", lambda: step(id="a\u200bb"), E, "invisible character")
row("api-step-id-bidi-override", "api", lambda: step(id="a\u202eb"), E, "invisible character")
row("api-step-id-only-space", "api", lambda: step(id="   "), E, "id must not be empty")
row("api-step-id-int", "api", lambda: step(id=3), T, "id must be a string, not int")
row("api-step-id-none", "api", lambda: step(id=None), T, "id must be a string, not NoneType")
row("api-step-label-number", "api", lambda: step(label=3.5), T, "label must be a string, not float")
row("api-step-label-enormous-int", "api", lambda: step(label=10**5000), T, "label must be a string")
row("api-step-label-empty", "api", lambda: step(label=""), E, "label must not be empty")
row("api-step-label-ansi-escape", "api", lambda: step(label="\x1b[31mred"), E, "control character")
row("api-step-label-lone-surrogate", "api", lambda: step(label="x\ud800"), E, "control character")
row("api-step-lane-unknown", "api", lambda: step(lane="front"), E, "'front' is not a valid lane")
row("api-step-lane-number", "api", lambda: step(lane=2), E, "2 is not a valid lane")
row("api-step-stage-space", "api", lambda: step(stage="check in"), E, "stage 'check in'")
row("api-step-duration-string", "api", lambda: step(duration="5"), T, "duration must be a number")
row("api-step-duration-bool", "api", lambda: step(duration=True), T, "duration must be a number")
row("api-step-duration-nan", "api", lambda: step(duration=math.nan), E, "duration must be a finite")
row("api-step-duration-inf", "api", lambda: step(duration=math.inf), E, "duration must be a finite")
row("api-step-duration-negative", "api", lambda: step(duration=-1), E, "duration must not be neg")
row("api-step-cost-10e400", "api", lambda: step(cost=10**400), E, "cost must be a finite number")
row("api-step-rating-10e400", "api", lambda: step(rating=10**400), E, "rating must be a finite")
row(
    "api-step-rating-minus-inf", "api", lambda: step(rating=-math.inf), E, "rating must be a finite"
)
row("api-step-rating-4", "api", lambda: step(rating=4), E, "rating must lie on the scale -3…+3")
row("api-step-rating-string", "api", lambda: step(rating="+2"), T, "rating must be a number")
row("api-step-wait-number", "api", lambda: step(wait=5), T, "wait must be a Wait, not int")
row("api-step-fail-point-str", "api", lambda: step(fail_point="x"), T, "fail_point must be a")
row("api-step-evidence-int", "api", lambda: step(evidence=7), T, "a list of strings, not int")
row("api-step-evidence-empty-item", "api", lambda: step(evidence=["ok", " "]), E, "evidence must")
row("api-step-attributes-int-key", "api", lambda: step(attributes={1: 2}), T, "attributes keys")
row("api-step-attributes-list", "api", lambda: step(attributes=[1]), T, "attributes must be a map")
row("api-wait-negative", "api", lambda: Wait(duration=-5), E, "duration must not be negative")
row("api-wait-tolerance-nan", "api", lambda: Wait(duration=1, tolerance=math.nan), E, "tolerance")
row("api-fail-point-probability-2", "api", lambda: FailPoint(what="x", probability=2), E, "[0, 1]")
row(
    "api-flow-probability-nan",
    "api",
    lambda: Flow(source="a", target="b", probability=math.nan),
    E,
    "probability must be a finite",
)
row(
    "api-flow-kind-unknown",
    "api",
    lambda: Flow(source="a", target="b", kind="x"),
    E,
    "'x' is not a valid flowkind",
)
row("api-flow-source-space", "api", lambda: Flow(source="a b", target="c"), E, "source 'a b'")
row("api-blueprint-name-empty", "api", lambda: Blueprint(" "), E, "name must not be empty")
row(
    "api-blueprint-name-newline",
    "api",
    lambda: Blueprint("a\nb"),
    E,
    "name 'a\\nb' contains the control",
)
row(
    "api-blueprint-stages-one-string",
    "api",
    lambda: Blueprint("x", stages="abc"),
    T,
    "stages must be a list",
)
row(
    "api-blueprint-stage-twice",
    "api",
    lambda: Blueprint("x", stages=["a", "a"]),
    E,
    "stage 'a' is listed twice",
)
row(
    "api-blueprint-stage-int",
    "api",
    lambda: Blueprint("x", stages=[1]),
    T,
    "stage must be a string",
)


# --- the Python API: mutations of a valid blueprint ------------------------------

MUTATIONS: dict[str, Callable[[Blueprint], Any]] = {}


def mutation(id: str, error: type[BaseException], fragment: str) -> Callable[..., Any]:
    """Register a mutation of :func:`small_blueprint` that must fail and change nothing."""

    def register(change: Callable[[Blueprint], Any]) -> Callable[[Blueprint], Any]:
        MUTATIONS[id] = change
        CASES.append(
            Case(id=id, entry="mutation", make=lambda _: None, error=error, fragment=fragment)
        )
        return change

    return register


@mutation("mut-add-duplicate-step", DuplicateStepError, "step 'a': id: a step with this id exists")
def _(bp: Blueprint) -> Any:
    return bp.add_step(step(id="a", label="again"))


@mutation("mut-add-step-unknown-stage", E, "stage 'zz' is not one of the blueprint's stages")
def _(bp: Blueprint) -> Any:
    return bp.add_step(step(id="c", stage="zz"))


@mutation("mut-add-step-dict", T, "add_step() takes a Step, not dict")
def _(bp: Blueprint) -> Any:
    return bp.add_step({"id": "c"})  # type: ignore[arg-type]


@mutation("mut-replace-unknown-step", UnknownStepError, "unknown step: 'ghost'")
def _(bp: Blueprint) -> Any:
    return bp.replace_step(step(id="ghost"))


@mutation("mut-replace-step-unknown-stage", E, "stage 'zz' is not one of")
def _(bp: Blueprint) -> Any:
    return bp.replace_step(step(id="a", stage="zz"))


@mutation("mut-remove-unknown-step", UnknownStepError, "unknown step: 'ghost'")
def _(bp: Blueprint) -> Any:
    return bp.remove_step("ghost")


@mutation("mut-getitem-unhashable", UnknownStepError, "unknown step: ['a']")
def _(bp: Blueprint) -> Any:
    return bp[["a"]]  # type: ignore[index]


@mutation("mut-connect-dangling-target", UnknownStepError, "unknown step: 'ghost'")
def _(bp: Blueprint) -> Any:
    return bp.connect("a", "ghost")


@mutation("mut-connect-dangling-source", UnknownStepError, "unknown step: 'ghost'")
def _(bp: Blueprint) -> Any:
    return bp.connect("ghost", "a")


@mutation("mut-connect-self-loop", E, "step 'b': target: a flow from a step to itself")
def _(bp: Blueprint) -> Any:
    return bp.connect("b", "b")


@mutation("mut-connect-twice", E, "step 'a': target: a flow to 'b' exists already")
def _(bp: Blueprint) -> Any:
    return bp.connect("a", "b")


@mutation("mut-connect-probability-sum", E, "step 'a': probability: branch probabilities")
def _(bp: Blueprint) -> Any:
    return bp.connect("a", "g", probability=0.5)


@mutation("mut-connect-kind-unknown", E, "'loop' is not a valid flowkind")
def _(bp: Blueprint) -> Any:
    return bp.connect("b", "f", kind="loop")


@mutation("mut-disconnect-missing", E, "step 'b': target: no flow to 'a'")
def _(bp: Blueprint) -> Any:
    return bp.disconnect("b", "a")


@mutation("mut-add-stage-twice", E, "stage 's' is listed twice")
def _(bp: Blueprint) -> Any:
    return bp.add_stage("s")


@mutation("mut-add-stage-before-unknown", E, "unknown stage 'zz'")
def _(bp: Blueprint) -> Any:
    return bp.add_stage("u", before="zz")


@mutation("mut-remove-stage-in-use", E, "stage 's' is still used by steps ['a', 'f']")
def _(bp: Blueprint) -> Any:
    return bp.remove_stage("s")


@mutation("mut-steps-lane-unknown", E, "'front' is not a valid lane")
def _(bp: Blueprint) -> Any:
    return bp.steps(lane="front")


@mutation("mut-crossings-line-unknown", E, "'visible' is not a valid line")
def _(bp: Blueprint) -> Any:
    return bp.crossings("visible")


@mutation("mut-validate-customer-cycle", E, "customer actions form a cycle in time: a -> b -> a")
def _(bp: Blueprint) -> Any:
    bp.connect("b", "a")
    try:
        return bp.validate()
    finally:
        bp.disconnect("b", "a")


# --- the model at scale -----------------------------------------------------------


@case(
    "api-100k-steps-cycle",
    "api",
    E,
    "step 's1': flows: customer actions form a cycle",
)
def _(folder: Path) -> Any:
    return chain(100_000, back=(99_999, 1)).validate()


@case(
    "api-100k-steps-dangling-flow",
    "api",
    UnknownStepError,
    "unknown step: 'ghost' (the blueprint has 100000 steps",
)
def _(folder: Path) -> Any:
    return chain(100_000).connect("s99999", "ghost")


# --- running the table ----------------------------------------------------------------


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A working folder holding only the sentinel output; checked untouched afterwards."""
    sentinel = tmp_path / "out.bin"
    sentinel.write_bytes(SENTINEL)
    monkeypatch.chdir(tmp_path)
    before = sorted(p.name for p in tmp_path.iterdir())
    yield tmp_path
    assert sentinel.read_bytes() == SENTINEL, "the output file was changed"
    leftovers = sorted(p.name for p in tmp_path.iterdir() if p.name not in before)
    inputs = [name for name in leftovers if name.startswith("input")]
    assert leftovers == inputs, f"files left behind: {leftovers}"


def _on_alarm(signum: int, frame: object) -> None:
    raise TimeoutError(f"hung for {HANG_GUARD} s")


def _run(case: Case, folder: Path) -> tuple[BaseException, float]:
    previous = signal.signal(signal.SIGALRM, _on_alarm)
    signal.alarm(HANG_GUARD)
    start = time.perf_counter()
    try:
        if case.entry == "mutation":
            bp = small_blueprint()
            before = bp.copy()
            with pytest.raises(ServiceBlueprintError) as info:
                MUTATIONS[case.id](bp)
            assert bp == before, "a failed mutation changed the blueprint"
            assert bp.problems() == before.problems()
        else:
            with pytest.raises(ServiceBlueprintError) as info:
                case.make(folder)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    return info.value, time.perf_counter() - start


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_hostile_input(case: Case, folder: Path) -> None:
    error, elapsed = _run(case, folder)
    assert isinstance(error, case.error), f"{type(error).__name__}: {error}"
    assert case.fragment in str(error)
    assert elapsed < TIME_BOUND, f"took {elapsed:.1f} s"


def test_the_catalogue_is_well_formed() -> None:
    ids = [c.id for c in CASES]
    assert len(ids) == len(set(ids)), "case ids must be unique"
    for c in CASES:
        assert issubclass(c.error, ServiceBlueprintError), c.id
        assert c.fragment, c.id
