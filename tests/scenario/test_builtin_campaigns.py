"""A leadership of a built-in scenario orders campaigns only through armed groups it has: one that
is the principal of no proxy or faction never starts a campaign, and its stories never say it
ordered its proxies."""

from __future__ import annotations

import pytest

from crisislab.engine.trace import records
from crisislab.scenario.loader import builtin_names, load_scenario
from crisislab.scenario.schema import Faction, Leadership, Proxy
from crisislab.simulate import simulate_runs


def _leaderships_without_groups(name: str) -> list[str]:
    scenario = load_scenario(name)
    principals = {a.principal for a in scenario.actors.values() if isinstance(a, Proxy | Faction)}
    return [
        aid
        for aid, actor in scenario.actors.items()
        if isinstance(actor, Leadership) and aid not in principals
    ]


@pytest.mark.parametrize("name", builtin_names())
def test_a_leadership_without_groups_never_starts_a_campaign(name):
    scenario = load_scenario(name)
    for aid in _leaderships_without_groups(name):
        rules = scenario.actors[aid].rules  # type: ignore[union-attr]
        assert rules.campaign_order_daily == {"limited": 0.0, "aggressive": 0.0}, aid


def test_the_us_orders_no_proxies_in_us_iran_2020():
    assert _leaderships_without_groups("us-iran-2020") == ["USA"]
    scenario = load_scenario("us-iran-2020")
    runs = 200  # the US is aggressive in about half of them: before, half its stories ordered
    batch = simulate_runs(scenario, 1, 0, runs, tracing=True)
    orders = [
        (k, r["actor"]) for k in range(runs) for r in records(batch, k) if r["kind"] == "orders"
    ]
    assert orders, "Iran orders campaigns in some runs"
    assert {actor for _, actor in orders} == {"IRN"}
