"""A lethal event opens a new episode when the last one is older than the exchange window, and a
war counts as inadvertent when its episode began with an unordered act (MODEL.md §9).

Worked case: a run has had no lethal event when, on day 40, an accident (an unordered act) kills
one person. 40 days after "never" is more than the 30-day window, so a new episode opens and it is
unordered: a war it leads to counts as inadvertent. (In int32, 40 minus the initial -(2**31 - 1)
once overflowed to a negative number, so only day 0 could open a first episode.)
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pytest

from crisislab.engine import layout as col
from crisislab.engine.outcomes import WAR, summarise
from crisislab.engine.script import Script, ScriptedEvent
from crisislab.scenario.loader import load_scenario
from crisislab.simulate import setup_of, simulate_runs

SCENARIO = "us-iran-2020"
DAY = 40
NO_HAZARDS = {"hazards.accident_per_max_alert_day": 0.0, "hazards.loss_of_control_per_day": 0.0}


def lethal_act_on_day(ordered: bool):
    """Days 0-39 replayed with nothing in them (the ledger starts afresh on day 40), then one
    simulated day on which the accident-prone group's act kills one person."""
    scenario = load_scenario(SCENARIO, {**NO_HAZARDS, "days": 1})
    c = setup_of(scenario).c
    g = c.accident_group
    event = ScriptedEvent(
        side=c.groups[g].side,
        group=g,
        action=c.accident_action,
        label="air-defence engagement",
        ordered=ordered,
        deaths=1,
    )
    return simulate_runs(scenario, 3, 0, 64, script=Script(fork_day=DAY, events={DAY: [event]}))


@pytest.mark.parametrize("ordered", [False, True])
def test_first_lethal_event_after_day_0_opens_an_episode_that_remembers_if_it_was_ordered(ordered):
    batch = lethal_act_on_day(ordered)
    assert batch.setup.t0 == DAY
    assert (batch.field("last_lethal_day") == DAY).all()
    assert (batch.field("episode_unordered") == (0 if ordered else 1)).all()


@cache
def traced(doctrine: str):
    scenario = load_scenario(SCENARIO, {"actors.USA.doctrine": doctrine, "days": 365})
    return simulate_runs(scenario, 7, 0, 2048, tracing=True)


def episodes_from_the_log(batch):
    """Each run's last lethal day and whether its episode began unordered, from the traced
    events, at the end of the run and at the end of the day its war began (if any)."""
    log = batch.log()
    window = batch.setup.c.scenario.outcomes.war_exchange_window_days
    wars = log[log[:, col.LOG_WHAT] == col.WHAT_WAR]
    runs, days = wars[:, col.LOG_RUN].astype(int), wars[:, col.LOG_DAY].astype(int)
    war_day = dict(zip(runs, days, strict=True))
    lethal = log[(log[:, col.LOG_WHAT] == col.WHAT_EVENT) & (log[:, col.LOG_DEATHS] > 0)]
    last = np.full(batch.runs, -(10**9))
    unordered = np.zeros(batch.runs, np.int64)
    at_war = np.zeros(batch.runs, np.int64)
    for row in lethal:
        j, day = int(row[col.LOG_RUN]), int(row[col.LOG_DAY])
        if day - last[j] > window:
            unordered[j] = 0 if row[col.LOG_ORDERED] else 1
        last[j] = day
        if day <= war_day.get(j, -1):
            at_war[j] = unordered[j]
    return last, unordered, at_war, war_day


@pytest.mark.parametrize("doctrine", ["restraint", "proportional"])
def test_episode_and_inadvertent_war_flags_agree_with_the_traced_lethal_events(doctrine):
    batch = traced(doctrine)
    last, unordered, at_war, war_day = episodes_from_the_log(batch)
    recorded_last = batch.field("last_lethal_day")
    never = recorded_last < -(2**30)
    assert np.array_equal(never, last < -(10**8))
    assert np.array_equal(recorded_last[~never], last[~never])
    assert np.array_equal(batch.field("episode_unordered"), unordered)
    columns = summarise(batch)
    war = columns["outcome"] == WAR
    assert sorted(war_day) == np.flatnonzero(war).tolist()
    assert np.array_equal(columns["war_inadvertent"], war & (at_war == 1))


def test_inadvertent_wars_happen_after_first_lethal_events_past_day_0():
    """Restraint: 44 of 2048 wars inadvertent at seed 7; every one began with a lethal event
    after day 0, which the overflow made impossible."""
    batch = traced("restraint")
    columns = summarise(batch)
    inadvertent = columns["war_inadvertent"]
    assert inadvertent.sum() >= 10
    log = batch.log()
    lethal = log[(log[:, col.LOG_WHAT] == col.WHAT_EVENT) & (log[:, col.LOG_DEATHS] > 0)]
    first_lethal = {}
    for row in lethal:
        first_lethal.setdefault(int(row[col.LOG_RUN]), int(row[col.LOG_DAY]))
    assert all(first_lethal[j] > 0 for j in np.flatnonzero(inadvertent))
