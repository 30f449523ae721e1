"""Hand-offs across the lines of the blueprint, and contact between the lanes.

A flow that crosses the line of interaction is a contact with the customer;
one that crosses the line of visibility hands work from the frontstage to the
backstage; one that crosses the line of internal interaction is a contact
with an internal customer (colleagues are internal customers too). Counting
them per stage shows where a service passes work from hand to hand.
"""

from __future__ import annotations

from servicebp.model import Blueprint, Lane, Line, lines_between

__all__ = ["contactless_frontstage", "line_crossings"]


def line_crossings(bp: Blueprint) -> dict[str, dict[Line, int]]:
    """Return, per stage, how many flows cross each line (hand-offs).

    A flow counts in the stage of its source step, once for every line it
    crosses (a flow from a customer step straight to the backstage crosses
    two). Stages come in time order, lines top first.

    Examples
    --------
    >>> from servicebp import Blueprint, Step
    >>> bp = Blueprint("Bank", stages=["apply"])
    >>> for i, lane in [("c", "customer"), ("f", "frontstage"), ("b", "backstage")]:
    ...     _ = bp.add_step(Step(id=i, label=i, lane=lane, stage="apply"))
    >>> _ = bp.connect("c", "f", kind="support")
    >>> _ = bp.connect("f", "b", kind="support")
    >>> {line.value: n for line, n in line_crossings(bp)["apply"].items()}
    {'interaction': 1, 'visibility': 1, 'internal-interaction': 0}
    """
    counts = {stage: dict.fromkeys(Line, 0) for stage in bp.stages}
    lanes = {step.id: (step.lane, step.stage) for step in bp.steps()}
    for flow in bp.flows():
        source_lane, stage = lanes[flow.source]
        for line in lines_between(source_lane, lanes[flow.target][0]):
            counts[stage][line] += 1
    return counts


def contactless_frontstage(bp: Blueprint) -> tuple[str, ...]:
    """Return the frontstage steps no flow connects to a customer step.

    Frontstage work is by definition visible to the customer; a frontstage
    step that touches no customer step is either backstage work in the wrong
    lane or a missing flow.

    Examples
    --------
    >>> from servicebp import Blueprint, Step
    >>> bp = Blueprint("Bank", stages=["apply"])
    >>> for i, lane in [("c", "customer"), ("greet", "frontstage"), ("file", "frontstage")]:
    ...     _ = bp.add_step(Step(id=i, label=i, lane=lane, stage="apply"))
    >>> _ = bp.connect("c", "greet", kind="support")
    >>> contactless_frontstage(bp)
    ('file',)
    """
    customer = {step.id for step in bp.steps(lane=Lane.CUSTOMER)}
    touching: set[str] = set()
    for flow in bp.flows():
        if flow.source in customer:
            touching.add(flow.target)
        if flow.target in customer:
            touching.add(flow.source)
    return tuple(s.id for s in bp.steps(lane=Lane.FRONTSTAGE) if s.id not in touching)
