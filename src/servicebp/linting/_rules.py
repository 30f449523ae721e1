"""Lint rules for service blueprints: design smells with stable codes.

Every rule has a stable code (``SBP001`` …), a name, a severity (``error``,
``warning`` or ``info``) and a check that yields one :class:`Diagnostic` per
offending step, with a one-line message naming the step. :data:`RULES` is the
single source of truth: :func:`lint`, the ``servicebp lint`` command and
``docs/lint-rules.md`` all read it.

Selecting rules works like ruff: ``select`` and ``ignore`` take codes or
code prefixes (``"SBP"``, ``"SBP00"``, ``"SBP003"``). A rule runs when it
matches a selected prefix and no ignored one. The selection comes from the
call's arguments, else the blueprint's ``lint:`` section
(:class:`~servicebp.LintConfig`), else every rule; ignores from both
are combined. A blueprint file's ``lint`` section is checked when the file
is loaded: an unknown code there is a load problem naming the file and its
position (:func:`code_problem` says what is wrong).
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Iterator, Mapping
from types import MappingProxyType
from typing import Final

import attrs

from servicebp._lint_codes import LINT_CODES, code_problem
from servicebp.analysis import contactless_frontstage
from servicebp.analysis._customer_graph import dependence_graph, reach
from servicebp.errors import UnknownLintRuleError
from servicebp.model import Behaviour, Blueprint, Lane, Step, Wait, lines_between

__all__ = ["RULES", "Diagnostic", "Rule", "Severity", "code_problem", "lint", "select_rules"]


class Severity(enum.StrEnum):
    """How serious a finding is; ``servicebp lint`` exits 1 on an error."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


@attrs.frozen(kw_only=True)
class Diagnostic:
    """One finding of one rule.

    Examples
    --------
    >>> d = Diagnostic(code="SBP003", name="fail-point-without-recovery", severity="error",
    ...                step="kyc", message="fail point 'ID unreadable' has no recovery")
    >>> str(d)
    "SBP003 error step 'kyc': fail point 'ID unreadable' has no recovery"
    """

    code: str
    name: str
    severity: Severity = attrs.field(converter=Severity)
    step: str
    message: str

    def __str__(self) -> str:
        return f"{self.code} {self.severity.value} step {self.step!r}: {self.message}"

    def to_dict(self) -> dict[str, str]:
        """Return the finding as a JSON-compatible mapping."""
        return {
            "code": self.code,
            "name": self.name,
            "severity": self.severity.value,
            "step": self.step,
            "message": self.message,
        }


Check = Callable[[Blueprint], Iterator[tuple[str, str]]]


@attrs.frozen(kw_only=True)
class Rule:
    """A lint rule: code, name, severity, a one-paragraph rationale and its check.

    The check yields ``(step id, message)`` pairs.
    """

    code: str
    name: str
    severity: Severity
    summary: str
    rationale: str
    check: Check = attrs.field(eq=False, repr=False)

    def run(self, bp: Blueprint) -> Iterator[Diagnostic]:
        """Yield this rule's findings on *bp*."""
        for step, message in self.check(bp):
            yield Diagnostic(
                code=self.code, name=self.name, severity=self.severity, step=step, message=message
            )


# --- the checks -------------------------------------------------------------------


def _moment_without_confirm(bp: Blueprint) -> Iterator[tuple[str, str]]:
    for step in bp.moments():
        assert step.moment is not None
        if not step.moment.covers(Behaviour.CONFIRM):
            covered = ", ".join(b.value for b in step.moment.behaviours) or "none"
            yield (
                step.id,
                f"moment of truth {step.label!r} has no Confirm behaviour (covers: {covered})",
            )


def _moment_without_backing(bp: Blueprint) -> Iterator[tuple[str, str]]:
    moments = bp.moments()
    if not moments:
        return
    dependence = dependence_graph(bp)
    lane = {s.id: s.lane for s in bp.steps()}
    # Steps with backstage or support work behind them, by one backward pass
    # from every backstage and support step (linear in steps + flows).
    backed = reach(
        dependence,
        (n for n, ln in lane.items() if ln in (Lane.BACKSTAGE, Lane.SUPPORT)),
        backward=True,
    )
    for step in moments:
        if step.id not in backed:
            yield (
                step.id,
                f"moment of truth {step.label!r} has nothing behind it in backstage or support",
            )


def _fail_point_without_recovery(bp: Blueprint) -> Iterator[tuple[str, str]]:
    for step in bp.steps():
        if step.fail_point is not None and step.fail_point.recovery is None:
            yield step.id, f"fail point {step.fail_point.what!r} has no recovery"


def _waits(bp: Blueprint) -> Iterator[tuple[str, Wait, str]]:
    """Each step's wait, then each persona's own wait there, with whose it is (for a message)."""
    for step in bp.steps():
        if step.wait is not None:
            yield step.id, step.wait, ""
        for persona, values in step.per_persona.items():
            if values.wait is not None:
                yield step.id, values.wait, f" (for persona {persona!r})"


def _wait_without_tolerance(bp: Blueprint) -> Iterator[tuple[str, str]]:
    for step_id, wait, whose in _waits(bp):
        if wait.tolerance is None:
            yield step_id, f"wait of {wait.duration:g} min has no tolerance{whose}"


def _frontstage_without_contact(bp: Blueprint) -> Iterator[tuple[str, str]]:
    for step_id in contactless_frontstage(bp):
        yield step_id, f"frontstage step {bp[step_id].label!r} has no flow to a customer step"


def _customer_to_backstage(bp: Blueprint) -> Iterator[tuple[str, str]]:
    lanes = {s.id: s.lane for s in bp.steps()}
    for flow in bp.flows():
        ends = {flow.source: lanes[flow.source], flow.target: lanes[flow.target]}
        if Lane.CUSTOMER not in ends.values() or len(lines_between(*ends.values())) < 2:
            continue
        customer = next(n for n, ln in ends.items() if ln is Lane.CUSTOMER)
        other = next(n for n, ln in ends.items() if ln is not Lane.CUSTOMER)
        yield (
            customer,
            f"customer step talks directly to {ends[other].value} step {other!r} "
            "across the line of visibility",
        )


#: The step attribute that explains why a stage's channels differ.
CHANNEL_NOTE: Final = "channel_note"


def _channel_profile(steps: Iterable[Step]) -> tuple[int, tuple[str, ...]]:
    listed = list(steps)
    kinds = sorted({s.moment.kind.value for s in listed if s.moment is not None})
    return len(listed), tuple(kinds)


def _channels_differ(bp: Blueprint) -> Iterator[tuple[str, str]]:
    by_stage: dict[str, dict[str, list[Step]]] = {}
    for step in bp.steps(lane=Lane.CUSTOMER):
        if step.channel is not None:
            by_stage.setdefault(step.stage, {}).setdefault(step.channel, []).append(step)
    for stage, channels in by_stage.items():
        if len(channels) < 2:
            continue
        if any(CHANNEL_NOTE in s.attributes for group in channels.values() for s in group):
            continue
        profiles = {channel: _channel_profile(group) for channel, group in channels.items()}
        if len(set(profiles.values())) == 1:
            continue
        shown = "; ".join(
            f"{channel}: {count} steps, moments {list(kinds)}"
            for channel, (count, kinds) in sorted(profiles.items())
        )
        first = next(iter(channels.values()))[0]
        yield (
            first.id,
            f"stage {stage!r} differs across channels without a {CHANNEL_NOTE!r} ({shown})",
        )


def _unreachable(bp: Blueprint) -> Iterator[tuple[str, str]]:
    # Reachable work is what the customer steps depend on, directly or not
    # (dependence follows the flows: a chain of hand-offs serves the customer
    # step it reaches). Physical evidence is placed by its stage, as the
    # canonical blueprint draws it, and needs no arrow.
    customers = (s.id for s in bp.steps(lane=Lane.CUSTOMER))
    reached = reach(dependence_graph(bp), customers)
    for step in bp.steps():
        if step.id not in reached and step.lane is not Lane.PHYSICAL_EVIDENCE:
            yield step.id, f"{step.lane.value} step {step.label!r} serves no customer step"


def _wait_over_tolerance(bp: Blueprint) -> Iterator[tuple[str, str]]:
    for step_id, wait, whose in _waits(bp):
        if wait.over_tolerance:
            yield (
                step_id,
                f"wait of {wait.duration:g} min is over the tolerance of "
                f"{wait.tolerance:g} min{whose}",
            )


def _duration_over_standard(bp: Blueprint) -> Iterator[tuple[str, str]]:
    for step in bp.steps():
        duration, standard = step.duration, step.standard
        if duration is not None and standard is not None and duration > standard:
            yield (
                step.id,
                f"step takes {duration:g} min, over its execution standard of {standard:g} min",
            )


def _rules(*rules: Rule) -> Mapping[str, Rule]:
    return MappingProxyType({rule.code: rule for rule in rules})


#: Every lint rule, by code. The single source of truth for code, docs and CLI.
RULES: Final[Mapping[str, Rule]] = _rules(
    Rule(
        code="SBP001",
        name="moment-without-confirm",
        severity=Severity.WARNING,
        summary="A moment of truth whose design does not cover the Confirm behaviour.",
        rationale="The MOT behaviour model is Explore → Offer → Action → Confirm, and "
        "Confirm is the step people skip (\"we normally don't have the habit of "
        "confirming\", says the MOT training material). Add `confirm` to the moment's "
        "`behaviours` once the design confirms with the customer.",
        check=_moment_without_confirm,
    ),
    Rule(
        code="SBP002",
        name="moment-without-backing",
        severity=Severity.WARNING,
        summary="A moment of truth with nothing behind it in the backstage or support lanes.",
        rationale="A decisive contact that no backstage or support work stands behind is "
        "kept by the contact person alone; the blueprint should show what makes it "
        "possible (systems, other departments, internal customers).",
        check=_moment_without_backing,
    ),
    Rule(
        code="SBP003",
        name="fail-point-without-recovery",
        severity=Severity.ERROR,
        summary="A fail point that names no recovery.",
        rationale="Shostack marks fail points so that each gets a recovery; a known break "
        "with no plan is the gap a blueprint exists to close. Set `fail_point.recovery`.",
        check=_fail_point_without_recovery,
    ),
    Rule(
        code="SBP004",
        name="wait-without-tolerance",
        severity=Severity.WARNING,
        summary="A wait with no customer tolerance.",
        rationale="A wait (Shostack's W) matters against how long customers tolerate "
        "waiting; without `wait.tolerance` no analysis can tell whether it is too long. "
        "A persona's own wait (`per_persona`) is checked too.",
        check=_wait_without_tolerance,
    ),
    Rule(
        code="SBP005",
        name="frontstage-without-contact",
        severity=Severity.WARNING,
        summary="A frontstage step with no flow to or from a customer step.",
        rationale="Frontstage work is the work the customer sees; a frontstage step that "
        "touches no customer step is backstage work in the wrong lane, or a missing flow.",
        check=_frontstage_without_contact,
    ),
    Rule(
        code="SBP006",
        name="customer-to-backstage",
        severity=Severity.INFO,
        summary="A customer step connected straight to the backstage or support lane.",
        rationale="A flow from the customer lane past the frontstage crosses the line of "
        "visibility. That is often right: the phone order-taker the customer hears but "
        "never sees is backstage in Bitner, Ostrom & Morgan's hotel blueprint. It is "
        "noted so that the designer checks the contact is meant: if the customer meets "
        "the person or system, draw that step in the frontstage; ignore SBP006 in the "
        "blueprint's `lint` section where such contacts are the design.",
        check=_customer_to_backstage,
    ),
    Rule(
        code="SBP007",
        name="channels-differ",
        severity=Severity.INFO,
        summary="A stage served on several channels whose customer steps differ unexplained.",
        rationale="Experience must be consistent across channels (the MOT training "
        "material). When a stage's channels differ in how many customer steps they take or "
        "which moments of truth they hold, say why with a `channel_note` attribute on one of "
        "the stage's customer steps.",
        check=_channels_differ,
    ),
    Rule(
        code="SBP008",
        name="unreachable-step",
        severity=Severity.ERROR,
        summary="A step that no customer journey reaches.",
        rationale="Every step behind the line of interaction serves a customer journey, "
        "directly or through a chain of hand-offs: a step that no chain of flows connects "
        "to a customer step is dead, so connect it or remove it. Dependence follows the "
        "flows (a sequence flow hands work on, a support flow's source relies on its "
        "target), so backstage → support → frontstage → customer serves the customer. "
        "Physical evidence needs no arrow: it is placed by its stage.",
        check=_unreachable,
    ),
    Rule(
        code="SBP009",
        name="wait-over-tolerance",
        severity=Severity.WARNING,
        summary="A wait longer than the customer tolerates.",
        rationale="Shostack marks waits against the time customers tolerate; a wait past "
        "its `wait.tolerance` is where patience, and often the relationship, runs out. "
        "Shorten the wait, or raise the tolerance (with a promise, a seat, news of "
        "progress) and say so. A persona's own wait (`per_persona`) is checked too: a "
        "first-time customer may wait longer than a regular.",
        check=_wait_over_tolerance,
    ),
    Rule(
        code="SBP010",
        name="duration-over-standard",
        severity=Severity.WARNING,
        summary="A step that takes longer than its execution standard.",
        rationale="A blueprint sets an execution standard (`standard`, minutes) for the "
        "steps that matter, so that the service can be managed against it; a `duration` "
        "over it is a step that misses its own standard.",
        check=_duration_over_standard,
    ),
)

# The registry below the model names the codes; the rules here must be exactly those.
assert tuple(RULES) == LINT_CODES, "servicebp._lint_codes.LINT_CODES must list every rule's code"


def _check_codes(codes: Iterable[str], where: str) -> tuple[str, ...]:
    if isinstance(codes, str):
        codes = (codes,)
    found = tuple(codes)
    for code in found:
        problem = code_problem(code)
        if problem is not None:
            raise UnknownLintRuleError(f"{where}: {problem}")
    return tuple(c.upper() for c in found)


def select_rules(
    *, select: Iterable[str] | None = None, ignore: Iterable[str] = ()
) -> tuple[Rule, ...]:
    """Return the rules that *select* and *ignore* leave, in code order.

    Examples
    --------
    >>> [r.code for r in select_rules(select=["SBP00"], ignore=["SBP001", "SBP008"])]
    ['SBP002', 'SBP003', 'SBP004', 'SBP005', 'SBP006', 'SBP007', 'SBP009']
    >>> select_rules(select=["E501"])
    Traceback (most recent call last):
    ...
    servicebp.errors.UnknownLintRuleError: select: unknown lint rule code or prefix 'E501' ...
    """
    chosen = ("SBP",) if select is None else _check_codes(select, "select")
    dropped = _check_codes(ignore, "ignore")
    return tuple(
        rule
        for code, rule in sorted(RULES.items())
        if any(code.startswith(c) for c in chosen) and not any(code.startswith(c) for c in dropped)
    )


def lint(
    bp: Blueprint, *, select: Iterable[str] | None = None, ignore: Iterable[str] = ()
) -> tuple[Diagnostic, ...]:
    """Return every finding of the selected rules, by rule code, then blueprint order.

    Parameters
    ----------
    bp : Blueprint
        The blueprint.
    select : iterable of str, optional
        Codes or prefixes to run; default the blueprint's ``lint.select``,
        else every rule.
    ignore : iterable of str
        Codes or prefixes not to run, on top of the blueprint's ``lint.ignore``.

    Raises
    ------
    UnknownLintRuleError
        For a code or prefix that matches no rule.

    Examples
    --------
    >>> from servicebp import Blueprint, Step, Wait
    >>> bp = Blueprint("Coffee", stages=["s"])
    >>> _ = bp.add_step(Step(id="queue", label="Queue", lane="customer", stage="s",
    ...                      wait=Wait(duration=12)))
    >>> for d in lint(bp):
    ...     print(d)
    SBP004 warning step 'queue': wait of 12 min has no tolerance
    >>> lint(bp, ignore=["SBP004"])
    ()
    """
    chosen = bp.lint.select if select is None else tuple(select)
    rules = select_rules(select=chosen, ignore=(*bp.lint.ignore, *ignore))
    order = {s.id: i for i, s in enumerate(bp.steps())}
    found: list[Diagnostic] = []
    for rule in rules:
        found.extend(sorted(rule.run(bp), key=lambda d: order[d.step]))
    return tuple(found)
