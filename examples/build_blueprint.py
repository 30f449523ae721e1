"""Build a restaurant blueprint in code and save it as YAML.

Usage: python build_blueprint.py [OUTPUT]   (default: ./restaurant.yaml)

The restaurant comes from the MOT training material (ordering, serving, paying — 点餐, 上菜,
结账): the waiter taking the order is a face-to-face moment of truth, the
kitchen works behind the line of visibility, and the bill is a wait the
customer tolerates only so long.
"""

from __future__ import annotations

import sys
from pathlib import Path

import servicebp
from servicebp import Blueprint, FailPoint, MomentOfTruth, Step, Wait


def build() -> Blueprint:
    """Return the restaurant blueprint."""
    bp = Blueprint(
        "Restaurant dinner",
        stages=["order", "serve", "pay"],
        description="A table of two orders, is served and pays (minutes, CNY).",
    )
    bp.add_step(
        Step(id="menu", label="Menu and table card", lane="physical-evidence", stage="order")
    )
    bp.add_step(
        Step(
            id="order",
            label="Orders dishes 点餐",
            lane="customer",
            stage="order",
            duration=8,
            evidence=("menu",),
            moment=MomentOfTruth(
                kind="first-contact",
                contact_mode="interpersonal-direct",
                behaviours=["explore", "offer", "action", "confirm"],
            ),
            rating=1,
        )
    )
    bp.add_step(
        Step(
            id="take-order",
            label="Waiter takes the order and repeats it back",
            lane="frontstage",
            stage="order",
            actor="waiter",
            duration=5,
            cost=4,
        )
    )
    bp.add_step(
        Step(
            id="cook",
            label="Kitchen cooks the dishes",
            lane="backstage",
            stage="serve",
            actor="cook",
            duration=20,
            cost=35,
            fail_point=FailPoint(what="A dish runs out", recovery="Waiter offers a swap"),
        )
    )
    bp.add_step(
        Step(
            id="eat",
            label="Is served and eats 上菜",
            lane="customer",
            stage="serve",
            duration=45,
            wait=Wait(duration=18, tolerance=15),
            moment=MomentOfTruth(kind="usage", contact_mode="interpersonal-direct"),
            rating=2,
        )
    )
    bp.add_step(
        Step(
            id="pay",
            label="Asks for the bill and pays 结账",
            lane="customer",
            stage="pay",
            duration=4,
            wait=Wait(duration=6, tolerance=5),
            moment=MomentOfTruth(
                kind="purchase",
                contact_mode="interpersonal-direct",
                behaviours=["offer", "action"],
            ),
            rating=-1,
        )
    )
    bp.add_step(
        Step(id="pos", label="Till and payment terminal", lane="support", stage="pay", cost=1)
    )
    bp.connect("order", "eat")
    bp.connect("eat", "pay")
    bp.connect("menu", "order", kind="support")
    bp.connect("order", "take-order", kind="support")
    bp.connect("take-order", "cook", kind="support")
    bp.connect("cook", "eat", kind="support")
    bp.connect("pay", "pos", kind="support")
    bp.validate()
    return bp


def main(argv: list[str]) -> int:
    """Build the blueprint, save it to argv[1] (or ./restaurant.yaml), print a summary."""
    target = Path(argv[1]) if len(argv) > 1 else Path.cwd() / "restaurant.yaml"
    bp = build()
    servicebp.save(bp, target)
    print(f"saved {bp!r} to {target}")
    spine = " → ".join(step.label.splitlines()[0] for step in bp.customer_spine())
    print(f"customer spine: {spine}")
    print(f"moments of truth: {[step.id for step in bp.moments()]}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
