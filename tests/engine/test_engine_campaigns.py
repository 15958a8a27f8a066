"""A side that leads no armed group gives no orders, however cheap ordering is made."""

from __future__ import annotations

import crisislab

EAGER = {"logit.order_value": 5.0, "logit.order_cost": 0.0, "logit.answer_loss": 0.0}


def _orders(side: str, overrides: dict) -> int:
    """Orders to attack ('go') given by `side` in the stories of ten runs."""
    count = 0
    for run in range(10):
        story = crisislab.story("us-iran-2020", run, 4, {**overrides, "days": 60})
        count += sum(
            r["kind"] == "orders" and r["actor"] == side and r["order"] == "go"
            for r in story.records
        )
    return count


def test_a_side_without_groups_never_orders_attacks():
    assert _orders("USA", EAGER) == 0


def test_a_side_with_groups_orders_when_ordering_pays():
    assert _orders("IRN", EAGER) > 5
    assert _orders("IRN", EAGER) > _orders("IRN", {})
