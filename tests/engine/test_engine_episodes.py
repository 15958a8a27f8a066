"""Wars in model version 2 (MODEL.md §9): a war is ICB's violence level 4 (1,000 battle deaths, a
declared war, or a campaign of direct strikes of 14 days), its kind is read from the challenger's
resolve, and it counts as inadvertent when its episode began with an unordered act. A lethal
event opens a new episode when the last one is older than the exchange window.

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


# Many wars to read: a retaliatory defender, and air defences six times as accident-prone as the
# scenario's central value (within its range), so that some wars begin with an unordered act.
WARLIKE = {"actors.USA.doctrine": "retaliatory", "hazards.accident_per_max_alert_day": 0.03}


@cache
def traced(**overrides):
    """A traced year of 2048 runs, or 4096 of the warlike setting (enough inadvertent wars)."""
    scenario = load_scenario(SCENARIO, {"days": 365, **overrides})
    runs = 4096 if overrides == WARLIKE else 2048
    return simulate_runs(scenario, 7, 0, runs, tracing=True)


def rows_of(batch, what: int) -> np.ndarray:
    log = batch.log()
    return log[log[:, col.LOG_WHAT] == what]


def direct_strike_days(batch) -> list[list[np.ndarray]]:
    """Each run's days of direct strikes (a leadership's act at the war rung or above), per
    side: [run][side] -> days."""
    war_rung = batch.setup.c.scenario.outcomes.war_rung
    events = rows_of(batch, col.WHAT_EVENT)
    direct = events[(events[:, col.LOG_GROUP] < 0) & (events[:, col.LOG_RUNG] >= war_rung)]
    out = [[np.empty(0, np.int64), np.empty(0, np.int64)] for _ in range(batch.runs)]
    for side in (0, 1):
        rows = direct[direct[:, col.LOG_SIDE] == side]
        runs = rows[:, col.LOG_RUN].astype(int)
        order = np.lexsort((rows[:, col.LOG_DAY], runs))
        days = rows[order, col.LOG_DAY].astype(np.int64)
        bounds = np.searchsorted(runs[order], np.arange(batch.runs + 1))
        for j in range(batch.runs):
            out[j][side] = days[bounds[j] : bounds[j + 1]]
    return out


def first_wars(batch) -> dict[int, np.ndarray]:
    """Each run's first war record (the day its war began, its battle deaths then)."""
    first: dict[int, np.ndarray] = {}
    for row in rows_of(batch, col.WHAT_WAR):
        first.setdefault(int(row[col.LOG_RUN]), row)
    return first


def episodes_from_the_log(batch):
    """Each run's last lethal day and whether its episode began unordered, from the traced
    events, at the end of the run and at the end of the day its war began (if any)."""
    log = batch.log()
    window = batch.setup.c.scenario.outcomes.war_exchange_window_days
    wars = rows_of(batch, col.WHAT_WAR)
    runs, days = wars[:, col.LOG_RUN].astype(int), wars[:, col.LOG_DAY].astype(int)
    war_day = dict(zip(runs, days, strict=True))  # the latest start (the kernel keeps that)
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


@pytest.mark.parametrize(
    "overrides",
    [{"actors.USA.doctrine": "restraint"}, {"actors.USA.doctrine": "proportional"}, WARLIKE],
    ids=["restraint", "proportional", "warlike"],
)
def test_episode_and_inadvertent_war_flags_agree_with_the_traced_lethal_events(overrides):
    batch = traced(**overrides)
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
    """Measured at seed 7: 15 inadvertent wars in 4096 runs, 13 of them in runs whose first
    lethal event came after day 0 (the opening strike kills no one; an accident may on day 0),
    which the overflow once made impossible."""
    batch = traced(**WARLIKE)
    inadvertent = summarise(batch)["war_inadvertent"]
    assert inadvertent.sum() >= 5
    lethal = rows_of(batch, col.WHAT_EVENT)
    lethal = lethal[lethal[:, col.LOG_DEATHS] > 0]
    first_lethal = {}
    for row in lethal:
        first_lethal.setdefault(int(row[col.LOG_RUN]), int(row[col.LOG_DAY]))
    assert sum(first_lethal[j] > 0 for j in np.flatnonzero(inadvertent)) >= 3


# --- a war is ICB's violence level 4 -------------------------------------------------------------


def test_war_is_violence_level_4_and_level_4_is_war():
    """The outcome `war` is the highest violence level reaching 4, no other: a run's war_day
    is set exactly then, and every run saw violence (the opening strike)."""
    columns = summarise(traced(**WARLIKE))
    war = columns["outcome"] == WAR
    assert 40 < war.sum() < 4096 - 40
    assert np.array_equal(war, columns["violence"] == 4)
    assert np.array_equal(war, columns["war_day"] >= 0)
    assert (columns["violence"] >= 2).all()


def test_every_war_begins_with_1000_battle_deaths_or_a_campaign_of_direct_strikes():
    """Read from the log at each war's first day: its battle deaths reached 1,000 (the war
    record carries them), or one side struck the other directly on most of the last 14 days
    (a campaign of 14 days: its strikes fall due the day after each day of it). Measured at
    seed 7: 16 of 286 wars by battle deaths, 270 by a campaign. Three direct strikes in a month,
    the war of version 1, are not a war: hundreds of runs have them and no war."""
    batch = traced(**WARLIKE)
    strikes = direct_strike_days(batch)
    by_deaths = by_campaign = 0
    for j, row in first_wars(batch).items():
        if row[col.LOG_DEATHS] >= 1000:
            by_deaths += 1
            continue
        day = row[col.LOG_DAY]
        recent = [np.unique(d[(d > day - 14) & (d <= day)]).size for d in strikes[j]]
        assert max(recent) >= 10, (j, day)
        by_campaign += 1
    assert by_deaths + by_campaign > 40
    war = summarise(batch)["outcome"] == WAR
    three_in_a_month = 0
    for j in np.flatnonzero(~war):
        days = np.sort(np.concatenate(strikes[j]))
        three_in_a_month += bool(len(days) >= 3 and np.any(days[2:] - days[:-2] <= 30))
    assert three_in_a_month > 200


def test_war_kinds_split_wars_by_the_challenger_s_resolve():
    """A spiral when the challenger's resolve was below 1/2 (drawn on the first day), a
    deterrence failure otherwise: the two kinds add up to all wars, and both occur."""
    columns = summarise(traced(**WARLIKE))
    war = columns["outcome"] == WAR
    spiral, failure = columns["war_spiral"], columns["war_deterrence_failure"]
    assert not (spiral & failure).any()
    assert np.array_equal(spiral | failure, war)
    assert np.array_equal(spiral, war & (columns["resolve_drawn_challenger"] < 0.5))
    assert spiral.sum() > 10 and failure.sum() > 10


def test_a_ceasefire_ends_the_war_it_is_not_restarted_by_the_old_war_s_count():
    """A war that ends in a ceasefire (crisis_course) is over: no war begins the day after a
    ceasefire on the deaths of the war that ended."""
    batch = traced(**WARLIKE)
    ceasefires = rows_of(batch, col.WHAT_CEASEFIRE)
    assert len(ceasefires) > 100

    def run_days(rows):
        return zip(*(rows[:, c].astype(int) for c in (col.LOG_RUN, col.LOG_DAY)), strict=True)

    starts = set(run_days(rows_of(batch, col.WHAT_WAR)))
    restarted = [(j, d) for j, d in run_days(ceasefires) if (j, d + 1) in starts]
    assert restarted == []
