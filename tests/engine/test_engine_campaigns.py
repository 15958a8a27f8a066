"""A side that leads no armed group gives no campaign orders, whatever its rules say."""

from __future__ import annotations

import crisislab

EAGER = {"limited": 0.5, "aggressive": 0.5}


def _orders(side: str, overrides: dict) -> int:
    """Campaign orders ('go') given by `side` in the stories of ten runs."""
    count = 0
    for run in range(10):
        story = crisislab.story("us-iran-2020", run, 4, {**overrides, "days": 60})
        count += sum(
            r["kind"] == "orders" and r["actor"] == side and r["order"] == "go"
            for r in story.records
        )
    return count


def test_a_side_without_groups_never_orders_a_campaign():
    assert (
        _orders("USA", {f"actors.USA.rules.campaign_order_daily.{k}": v for k, v in EAGER.items()})
        == 0
    )


def test_a_side_with_groups_does_when_its_rules_say_so():
    assert (
        _orders("IRN", {f"actors.IRN.rules.campaign_order_daily.{k}": v for k, v in EAGER.items()})
        > 5
    )
