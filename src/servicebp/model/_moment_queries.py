"""Moments of truth in a blueprint: candidates, internal moments, grouping, placement.

Functions over a :class:`~servicebp.Blueprint` that read the moment-of-truth
tags its steps carry (:mod:`servicebp.model._moments` holds the tag itself).
"""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING

from servicebp.errors import BlueprintValidationError, MomentPlacementWarning, Problem
from servicebp.model._lanes import Lane, Line
from servicebp.model._moments import ContactMode, MomentKind

if TYPE_CHECKING:
    from servicebp.model._blueprint import Blueprint
    from servicebp.model._steps import Step

__all__ = [
    "candidate_moments",
    "check_moment_placement",
    "internal_moments",
    "is_internal_moment",
    "moment_placement_problems",
    "moments_by_contact_mode",
    "moments_by_kind",
    "moments_by_stage",
]


def _crosses(bp: Blueprint, step_id: str, line: str) -> bool:
    flows = (*bp.outgoing(step_id), *bp.incoming(step_id))
    return any(line in bp.lines_crossed(flow) for flow in flows)


def candidate_moments(bp: Blueprint) -> tuple[Step, ...]:
    """Return the untagged customer steps where the line of interaction is crossed.

    The textbook rule: a moment of truth happens where customer and provider
    meet, i.e. where a flow crosses the line of interaction. The steps
    returned (in time order) have such a flow but no moment tag yet, for a
    designer to review.

    Examples
    --------
    >>> from servicebp import Blueprint, Step
    >>> bp = Blueprint("Coffee", stages=["order"])
    >>> for sid, lane in [("order", "customer"), ("look", "customer"), ("take", "frontstage")]:
    ...     _ = bp.add_step(Step(id=sid, label=sid, lane=lane, stage="order"))
    >>> _ = bp.connect("order", "take", kind="support")
    >>> [s.id for s in candidate_moments(bp)]
    ['order']
    """

    return tuple(
        step
        for step in bp.customer_spine()
        if step.moment is None and _crosses(bp, step.id, Line.INTERACTION)
    )


def is_internal_moment(bp: Blueprint, step_id: str) -> bool:
    """Return whether *step_id* is an internal moment of truth.

    Colleagues are internal customers and the same MOT behaviour applies to
    them (the MOT training material). An internal moment is a tagged step behind the line of
    interaction (frontstage, backstage or support) with a flow across the
    line of internal interaction.

    Raises
    ------
    UnknownStepError
        If the blueprint has no such step.

    Examples
    --------
    >>> from servicebp import Blueprint, Step
    >>> bp = Blueprint("Bank", stages=["open"])
    >>> _ = bp.add_step(Step(id="check", label="Check ID", lane="backstage", stage="open",
    ...                      moment=MomentOfTruth(kind="service-support")))
    >>> _ = bp.add_step(Step(id="kyc", label="KYC system", lane="support", stage="open"))
    >>> is_internal_moment(bp, "check")
    False
    >>> _ = bp.connect("check", "kyc", kind="support")
    >>> is_internal_moment(bp, "check"), [s.id for s in internal_moments(bp)]
    (True, ['check'])
    """

    step = bp[step_id]
    return (
        step.moment is not None
        and step.lane in (Lane.FRONTSTAGE, Lane.BACKSTAGE, Lane.SUPPORT)
        and _crosses(bp, step_id, Line.INTERNAL_INTERACTION)
    )


def internal_moments(bp: Blueprint) -> tuple[Step, ...]:
    """Return the internal moments of truth (see :func:`is_internal_moment`).

    Examples
    --------
    >>> from servicebp import Blueprint
    >>> internal_moments(Blueprint("Empty"))
    ()
    """
    return tuple(step for step in bp.moments() if is_internal_moment(bp, step.id))


def moments_by_kind(bp: Blueprint) -> dict[MomentKind, tuple[Step, ...]]:
    """Return the moments grouped by kind (kinds in declaration order; only kinds present).

    Examples
    --------
    >>> from servicebp import Blueprint, Step
    >>> bp = Blueprint("A", stages=["s"])
    >>> _ = bp.add_step(Step(id="x", label="X", lane="customer", stage="s",
    ...                      moment=MomentOfTruth(kind="usage")))
    >>> {k.value: [s.id for s in v] for k, v in moments_by_kind(bp).items()}
    {'usage': ['x']}
    """
    found = bp.moments()
    grouped = {
        kind: tuple(s for s in found if s.moment and s.moment.kind is kind) for kind in MomentKind
    }
    return {kind: steps for kind, steps in grouped.items() if steps}


def moments_by_contact_mode(bp: Blueprint) -> dict[ContactMode | None, tuple[Step, ...]]:
    """Return the moments grouped by contact mode (``None``: not given; only modes present).

    Examples
    --------
    >>> from servicebp import Blueprint, Step
    >>> bp = Blueprint("A", stages=["s"])
    >>> _ = bp.add_step(Step(id="x", label="X", lane="customer", stage="s",
    ...                      moment=MomentOfTruth(kind="usage", contact_mode="human-machine")))
    >>> list(moments_by_contact_mode(bp))
    [<ContactMode.HUMAN_MACHINE: 'human-machine'>]
    """
    found = bp.moments()
    modes: tuple[ContactMode | None, ...] = (*ContactMode, None)
    grouped = {
        mode: tuple(s for s in found if s.moment and s.moment.contact_mode is mode)
        for mode in modes
    }
    return {mode: steps for mode, steps in grouped.items() if steps}


def moments_by_stage(bp: Blueprint) -> dict[str, tuple[Step, ...]]:
    """Return the moments grouped by stage: every stage in time order, possibly empty.

    A stage without a moment of truth is worth seeing, so it is kept.

    Examples
    --------
    >>> from servicebp import Blueprint, Step
    >>> bp = Blueprint("A", stages=["s", "t"])
    >>> _ = bp.add_step(Step(id="x", label="X", lane="customer", stage="t",
    ...                      moment=MomentOfTruth(kind="usage")))
    >>> {k: [s.id for s in v] for k, v in moments_by_stage(bp).items()}
    {'s': [], 't': ['x']}
    """
    return {stage: bp.moments(stage=stage) for stage in bp.stages}


def moment_placement_problems(bp: Blueprint) -> tuple[list[Problem], list[Problem]]:
    """Return the moment tags placed where they make no sense, as ``(errors, warnings)``.

    The rule, by lane of the tagged step:

    * **physical evidence**: an error. Evidence is a thing the customer sees
      or holds, not a contact; tag the customer step it belongs to.
      :class:`~servicebp.Step` refuses such a tag when it is made, so
      this reports only a step built with attrs' validators switched off.
    * **customer actions**: always fine (a self-service moment such as a ZMOT
      search may involve no contact at all).
    * **frontstage**: a warning unless a flow crosses the line of interaction
      (it is the provider's side of a customer contact) or the line of
      internal interaction (an internal moment).
    * **backstage / support**: a warning unless a flow crosses the line of
      internal interaction, i.e. the step meets an internal customer.

    Misplaced tags on the lanes behind the line are warnings, not errors,
    because the flow that justifies them is often drawn after the tag while
    a blueprint is being built; a tag on evidence can never be right.

    Examples
    --------
    >>> from servicebp import Blueprint, Step
    >>> bp = Blueprint("A", stages=["s"])
    >>> _ = bp.add_step(Step(id="idle", label="Idle clerk", lane="frontstage", stage="s",
    ...                      moment=MomentOfTruth(kind="usage")))
    >>> errors, warnings_ = moment_placement_problems(bp)
    >>> errors, [str(p) for p in warnings_]
    ([], ["step 'idle': moment: frontstage moment of truth with no flow across the line of interaction or of internal interaction: it meets no customer"])
    """  # noqa: E501

    errors: list[Problem] = []
    warned: list[Problem] = []
    for step in bp.moments():
        if step.lane is Lane.PHYSICAL_EVIDENCE:
            errors.append(
                Problem(
                    message="a moment of truth cannot sit on physical evidence; "
                    "tag the customer step it belongs to",
                    step=step.id,
                    field="moment",
                )
            )
        elif step.lane is Lane.FRONTSTAGE:
            if not (
                _crosses(bp, step.id, Line.INTERACTION)
                or _crosses(bp, step.id, Line.INTERNAL_INTERACTION)
            ):
                warned.append(
                    Problem(
                        message="frontstage moment of truth with no flow across the line of "
                        "interaction or of internal interaction: it meets no customer",
                        step=step.id,
                        field="moment",
                    )
                )
        elif step.lane in (Lane.BACKSTAGE, Lane.SUPPORT) and not _crosses(
            bp, step.id, Line.INTERNAL_INTERACTION
        ):
            warned.append(
                Problem(
                    message=f"{step.lane.value} moment of truth with no flow across the line "
                    "of internal interaction: it meets no internal customer",
                    step=step.id,
                    field="moment",
                )
            )
    return errors, warned


def check_moment_placement(bp: Blueprint) -> None:
    """Raise on impossible moment tags and warn on doubtful ones.

    See :func:`moment_placement_problems` for the rule.

    Raises
    ------
    BlueprintValidationError
        For a moment tag on physical evidence (all such problems at once).

    Warns
    -----
    MomentPlacementWarning
        For each frontstage, backstage or support moment that meets nobody.

    Examples
    --------
    >>> from servicebp import Blueprint
    >>> check_moment_placement(Blueprint("Empty"))
    """
    errors, warned = moment_placement_problems(bp)
    for problem in warned:
        warnings.warn(str(problem), MomentPlacementWarning, stacklevel=2)
    if errors:
        raise BlueprintValidationError(errors)
