"""A leadership orders attacks only through armed groups it has (MODEL.md §5): one that is the
principal of no proxy or faction takes no order decision, and its stories never say it ordered
its proxies."""

from __future__ import annotations

from crisislab.engine.trace import records
from crisislab.scenario.loader import load_scenario
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
