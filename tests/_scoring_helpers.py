"""Shared by the scoring tests: the built-in strategy names and a branching blueprint."""

from __future__ import annotations

from servicebp import Blueprint, MomentOfTruth, Step

__all__ = ["BUILT_IN", "RATING_STRATEGIES", "branching"]

BUILT_IN = ["mean", "weighted", "worst", "last", "peak_end", "moment_floor", "share_positive"]
#: The built-in strategies whose score is a rating on −3…+3 (share_positive is a share).
RATING_STRATEGIES = [name for name in BUILT_IN if name != "share_positive"]


def branching() -> Blueprint:
    """order → (cash 0.25 | card 0.75) → leave; a teller serves the order and the cash."""
    bp = Blueprint("Coffee", stages=["order", "pay", "leave"])
    bp.add_step(
        Step(
            id="order",
            label="Order",
            lane="customer",
            stage="order",
            channel="counter",
            rating=2,
            moment=MomentOfTruth(kind="purchase", contact_mode="interpersonal-direct", weight=3),
        )
    )
    bp.add_step(
        Step(
            id="cash", label="Pay cash", lane="customer", stage="pay", channel="counter", rating=-2
        )
    )
    bp.add_step(
        Step(
            id="card",
            label="Pay by card",
            lane="customer",
            stage="pay",
            channel="terminal",
            rating=1,
            moment=MomentOfTruth(kind="purchase", contact_mode="human-machine"),
        )
    )
    bp.add_step(Step(id="leave", label="Leave", lane="customer", stage="leave", rating=0))
    bp.add_step(Step(id="teller", label="Teller", lane="frontstage", stage="order"))
    bp.add_step(Step(id="till", label="Till", lane="frontstage", stage="pay", channel="counter"))
    bp.add_step(Step(id="receipt", label="Receipt", lane="physical-evidence", stage="pay"))
    bp.connect("order", "cash", probability=0.25)
    bp.connect("order", "card", probability=0.75)
    bp.connect("cash", "leave")
    bp.connect("card", "leave")
    bp.connect("order", "teller", kind="support")
    bp.connect("teller", "order", kind="sequence")  # the teller answers: two contacts
    bp.connect("cash", "till", kind="support")
    bp.connect("card", "till", kind="support")
    bp.connect("receipt", "cash", kind="support")  # evidence: no line crossed
    return bp
