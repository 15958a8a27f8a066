"""The story's closing sentence: what the final stability window held, counted from the story's
own records over the last `outcomes.stable_window_days` days, never over the whole run."""

from __future__ import annotations

from typing import Any

import pytest

from crisislab.engine.outcomes import OUTCOMES, summarise
from crisislab.engine.trace import records
from crisislab.results import Story
from crisislab.simulate import resolve, simulate_runs


def _event(day: int, actor: str, action: str, rung: int, **extra: Any) -> dict[str, Any]:
    return {
        "day": day,
        "kind": "event",
        "source": "group act",
        "actor": actor,
        "ordered_by": None,
        "action": action,
        "label": action,
        "target": None,
        "cameo": "190",
        "goldstein": -10.0,
        "intended_rung": rung,
        "executed_rung": rung,
        "warned": False,
        "deaths": 0,
        "injuries": 0,
        "victims": "USA",
        "observer": "USA",
        "detected": False,
        "perceived_rung": None,
        "perceived_actor": None,
        "p_ordered": None,
        **extra,
    }


# A 120-day run of us-iran-2020: its final window is days 30 … 119 (the last 90).
RECORDS = [
    {"day": 0, "kind": "types", "types": {"USA": "limited", "IRN": "limited"}, "beliefs": {}},
    _event(0, "IRN", "missile_strike", 9, source="opening event"),  # before the window
    _event(10, "KH", "proxy_rocket_attack", 7),  # before the window
    _event(29, "USA", "strike_on_proxy", 8, source="response", target="KH"),  # before the window
    _event(40, "KH", "proxy_rocket_attack", 7),  # a group attack in the window
    _event(41, "USA", "strike_on_proxy", 8, source="response", target="KH"),  # a proxy strike
    _event(41, "PMF", "proxy_rocket_attack", 3),  # a second group attack, same hot day
    _event(50, "IRGC", "ship_seizure", 6, source="maritime incident"),  # not a group attack
    {"day": 60, "kind": "rhetoric", "actor": "USA"},  # rung 2: a quiet day
    _event(100, "IRN", "missile_strike", 9, source="retaliation"),  # a direct exchange
    {
        "day": 100,
        "kind": "red_line",
        "red_line": "american_killed_on_iranian_orders",
        "owner": "USA",
        "enforced": True,
        "p_ordered": 0.9,
        "reported_deaths": 1,
    },
    {
        "day": 101,
        "kind": "red_line",
        "red_line": "strike_on_iranian_soil",
        "owner": "IRN",  # the challenger's red line: not the defender's
        "enforced": True,
        "p_ordered": 1.0,
        "reported_deaths": 0,
    },
]


def _row(outcome: str, **whole_run: Any) -> dict[str, Any]:
    # whole-run figures far from the window's, so a sentence that used them would show it
    return {
        "outcome": OUTCOMES.index(outcome),
        "group_attacks": 40,
        "proxy_strikes": 20,
        "direct_exchanges": 10,
        "red_line_firings": 5,
        "belief_defender": 0.42,
        **whole_run,
    }


def _story(outcome: str, records=RECORDS, fork_day: int = 0, **overrides: Any) -> Story:
    scenario = resolve("us-iran-2020", {"days": 120, **overrides})
    return Story(scenario, 7, 1, list(records), _row(outcome), fork_day=fork_day)


def test_window_counts_only_the_last_stable_window_days_of_the_run():
    story = _story("frozen_conflict")
    assert story.window() == (30, 120)
    assert story.window_counts() == {
        "group_attacks": 2,
        "proxy_strikes": 1,
        "direct_exchanges": 1,
        "red_line_firings": 1,
        # days 40, 41, 50 (an incident at sea counts here) and 100; day 60's rhetoric is rung 2
        "days_above_stable_rung": 4,
    }
    assert story.why() == (
        "The last 90 days were not quiet enough to end the crisis: 2 proxy or faction attacks, "
        "1 strike on proxies, 1 direct exchange, red line fired 1 time, 4 days above rung 4; "
        "final defender belief that the challenger is limited 0.42."
    )


def test_a_quiet_window_after_a_violent_start_is_told_as_quiet():
    quiet_end = [r for r in RECORDS if r["day"] < 30]  # everything happened before the window
    story = _story("stable_deescalation", quiet_end)
    assert story.why() == (
        "The last 90 days were quiet: 0 proxy or faction attacks, 0 strikes on proxies, "
        "0 direct exchanges, red line fired 0 times, 0 days above rung 4; "
        "final defender belief that the challenger is limited 0.42."
    )
    assert story.text().splitlines()[-1].startswith("Outcome: stable deescalation. The last 90")


def test_the_window_is_the_scenarios_stable_window_days():
    story = _story("frozen_conflict", **{"outcomes.stable_window_days": 30})
    assert story.window() == (90, 120)
    assert story.why().startswith(
        "The last 30 days were not quiet enough to end the crisis: 0 proxy or faction attacks, "
        "0 strikes on proxies, 1 direct exchange, red line fired 1 time, 1 day above rung 4;"
    )


def test_a_run_shorter_than_the_window_is_counted_whole():
    story = _story("frozen_conflict", days=45)
    assert story.window() == (0, 45)
    counts = story.window_counts()
    assert counts["group_attacks"] == 3 and counts["proxy_strikes"] == 2
    assert counts["direct_exchanges"] == 1  # the opening strike of day 0
    assert story.why().startswith("The last 45 days were not quiet enough")


def test_a_forks_window_is_counted_from_its_first_simulated_day():
    # a fork simulating 120 days from day 200 of its timeline: the window is days 230 … 319
    shifted = [{**r, "day": r["day"] + 200} for r in RECORDS]
    story = _story("frozen_conflict", shifted, fork_day=200)
    assert story.window() == (230, 320)
    assert story.window_counts() == _story("frozen_conflict").window_counts()


def test_war_is_told_by_its_day_and_kind():
    row = _row("war", war_day=12, war_spiral=True, war_inadvertent=False)
    story = Story(resolve("us-iran-2020", {"days": 120}), 7, 1, RECORDS, row)
    assert story.why() == "War on day 12: a spiral (the challenger was limited)."


@pytest.mark.parametrize(
    ("scenario", "overrides"),
    [
        ("us-iran-2020", {"days": 200, "actors.USA.doctrine": "proportional"}),
        ("us-iran-2020", {"days": 60}),
        ("india-pakistan-2019", {}),
    ],
)
def test_window_counts_agree_with_the_engines_stability_ledger(scenario, overrides):
    """What the story counts from its records is what the outcome class was judged on."""
    resolved = resolve(scenario, overrides)
    runs = 128
    batch = simulate_runs(resolved, 5, 0, runs, tracing=True)
    columns = summarise(batch)
    window = min(resolved.outcomes.stable_window_days, resolved.days)
    compared = 0
    for k in range(runs):
        if batch.field("war")[k]:
            continue  # a war run is not judged on its window
        row = {name: column[k] for name, column in columns.items()}
        counts = Story(resolved, k, 5, records(batch, k), row).window_counts()
        assert counts["group_attacks"] == batch.field("window_attacks")[k], k
        assert counts["direct_exchanges"] == batch.field("window_direct")[k], k
        quiet = window - counts["days_above_stable_rung"]
        assert quiet == batch.field("window_quiet_days")[k], k
        compared += 1
    assert compared >= runs // 4
