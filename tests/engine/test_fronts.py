"""Strategic fronts (MODEL.md §10): host-nation expulsion, maritime incidents, nuclear breakout.

Three layers: worked numbers for each stock's daily update, on a batch of us-iran-2020 made quiet
(no group attacks, accidents, campaigns or random front events unless a test turns one on), its
state set by hand and the day loop advanced a day at a time; where a front draws, the draw is the
run's keyed uniform for that day and purpose (engine/draws.py), computed here alongside.
Then couplings to the crisis as statistical properties of us-iran-2020 ensembles (fixed seeds,
generous margins); invariants, determinism and narration.
"""

from __future__ import annotations

import math
from functools import cache

import numpy as np
import pytest

from crisislab.engine import draws, philox
from crisislab.engine.batch import Batch
from crisislab.engine.compiled import CHALLENGER, DEFENDER
from crisislab.engine.kernel import run_block
from crisislab.engine.script import Script, ScriptedEvent
from crisislab.scenario.loader import load_scenario
from crisislab.simulate import setup_of, simulate

SCENARIO = "us-iran-2020"
SEED = 0
NOT_YET = -1
STRIKE_STATE = 2  # a pending response (constants.RESPONSES)
FRONT_COLUMNS = (
    "host_expulsion",
    "host_expulsion_day",
    "withdrawal_day",
    "follow_on_withdrawal",
    "follow_on_day",
    "expulsion_pressure",
    "maritime_incidents",
    "breakout_crisis",
    "breakout_crisis_day",
    "breakout_months",
    "dialogue",
)
PROPORTIONAL = {"actors.USA.doctrine": "proportional"}
SANCTIONS = {**PROPORTIONAL, "fronts.host.sanctions_threat": True}
# every front's events well inside a year: shorter host lags, breakout crises from day 180, and
# the preventive strike lever on
SHORT_FRONTS = {
    **SANCTIONS,
    "fronts.host.withdrawal_lag_days": 60,
    "fronts.host.follow_on_lag_days": 30,
    "fronts.nuclear.breakout_months": 4,
    "fronts.nuclear.preventive_strike": True,
}
# nothing happens unless a test says so (the opening event of day 0 still does)
QUIET = {
    "hazards.accident_per_max_alert_day": 0.0,
    "hazards.loss_of_control_per_day": 0.0,
    "actors.KH.base_hazard": 0.0,
    "actors.PMF.base_hazard": 0.0,
    "actors.IRGC.base_hazard": 0.0,
    "actors.USA.rules.campaign_order_daily.aggressive": 0.0,
    "actors.IRN.rules.campaign_order_daily.aggressive": 0.0,
    "fronts.maritime.base_hazard": 0.0,
    "fronts.nuclear.dialogue_start_daily": 0.0,
    "fronts.nuclear.dialogue_start_after_quiet": 0.0,
    "fronts.nuclear.dialogue_collapse_daily": 0.0,
}


# --- helpers ----------------------------------------------------------------------------------


def quiet_batch(runs: int = 8, script: Script | None = None, **overrides) -> Batch:
    """A batch of quiet us-iran-2020 before day 0; overrides as keywords, `__` for the dots."""
    levers = {k.replace("__", "."): v for k, v in overrides.items()}
    scenario = load_scenario(SCENARIO, {**QUIET, "days": 400, **levers})
    return Batch(setup_of(scenario, script), SEED, 0, runs)


def advance(batch: Batch, first: int, last: int | None = None) -> None:
    """Days [first, last) of the day loop (one day by default), from the batch's state as it is."""
    run_block(batch.state, batch.params, batch.key, 0, batch.runs, first, last or first + 1)


def keyed(batch: Batch, day: int, purpose: int, slot: int = 0, index: int = 0) -> np.ndarray:
    """Each run's uniform `index` of the (day, purpose, slot) stream."""
    runs = np.arange(batch.runs)
    return philox.uniforms(SEED, runs, day, purpose, slot, index + 1)[index]


def group_index_of(compiled, group: str) -> int:
    return [g.id for g in compiled.groups].index(group)


@cache
def ensemble(
    overrides: tuple = (), runs: int = 4096, days: int = 365, seed: int = 11, chunk_blocks: int = 4
):
    return simulate(
        SCENARIO,
        runs=runs,
        seed=seed,
        overrides=dict(overrides),
        days=days,
        chunk_blocks=chunk_blocks,
    )


def host_ensemble(extra: dict | None = None):
    """Proportional US doctrine (strikes on proxies in Iraq happen), one year, 4096 runs."""
    return ensemble(tuple(sorted({**PROPORTIONAL, **(extra or {})}.items())))


def nuclear_ensemble(extra: dict | None = None):
    """Default levers, 540 days (the first breakout crisis is possible on day 420), 2048 runs."""
    return ensemble(tuple(sorted((extra or {}).items())), runs=2048, days=540, seed=5)


def short_fronts_ensemble(chunk_blocks: int = 4):
    """Sanctions threat, proportional doctrine, SHORT_FRONTS; one year, 4096 runs."""
    return ensemble(tuple(sorted(SHORT_FRONTS.items())), chunk_blocks=chunk_blocks)


def rate(result, column: str) -> float:
    return float(np.mean(result.columns[column]))


# --- 1. worked numbers: host-nation expulsion ---------------------------------------------------

HOST_LEVERS = {
    "fronts__host__per_strike": 0.08,
    "fronts__host__per_host_death": 0.02,
    "fronts__host__half_life_days": 90,
    "fronts__host__sanctions_threat": True,
    "fronts__host__sanctions_effect": 0.003,
    "fronts__host__diplomacy": 1.0,
    "fronts__host__diplomacy_effect": 0.004,
}


def test_host_pressure_update_matches_hand_computed_values_and_is_floored_at_zero():
    b = quiet_batch(**HOST_LEVERS)
    b.field("pressure")[:4] = [0.8, 0.5, 0.0005, 0.0]
    b.field("soil_today")[:4] = [2, 0, 0, 1]
    b.field("host_deaths_today")[:4] = [3, 0, 0, 0]
    advance(b, 0)
    decay = 2 ** (-1 / 90)
    net_levers = 0.003 * 1 - 0.004 * 1.0  # sanctions threat on, full diplomacy
    expected = [
        0.8 * decay + 0.08 * 2 + 0.02 * 3 + net_levers,  # 1.01286...
        0.5 * decay + net_levers,  # 0.49516...
        0.0,  # 0.0005 * decay - 0.001 < 0: floored
        0.08 + net_levers,  # 0.079
    ]
    assert b.field("pressure")[:4] == pytest.approx(expected, abs=1e-12)
    assert b.field("pressure")[0] == pytest.approx(1.012863, abs=1e-6)


@pytest.mark.parametrize("strike_rung", [8, 6])
def test_host_pressure_counts_kinetic_strikes_on_host_soil_and_host_citizens_deaths_only(
    strike_rung,
):
    """Day 0: a US strike on KH's sites (Iraqi soil) kills 4 Iraqis, a KH rocket attack (on US
    forces, not Iraqi soil) kills 5 Americans. The strike counts as a strike on the host's soil
    only at the kinetic rung (7) or above; American deaths never count."""
    c = setup_of(load_scenario(SCENARIO, {**QUIET, "days": 1})).c
    kh, irq = group_index_of(c, "KH"), c.nationalities.index("IRQ")
    action = c.sides[DEFENDER].strike_proxy
    strike = ScriptedEvent(
        DEFENDER, -1, action, "strike", True, deaths=4, victim=irq, struck_group=kh
    )
    rockets = ScriptedEvent(CHALLENGER, kh, c.groups[kh].action, "rockets", False, deaths=5)
    b = quiet_batch(
        script=Script(fork_day=0, events={0: [strike, rockets]}),
        actions__strike_on_proxy__rung=strike_rung,
        actions__strike_on_proxy__lethal_rung=strike_rung,
        **HOST_LEVERS,
    )
    before = b.field("pressure").copy()
    advance(b, 0)
    decay = 2 ** (-1 / 90)
    soil = 1.0 if strike_rung >= 7 else 0.0
    expected = before * decay + 0.08 * soil + 0.02 * 4 - 0.001
    assert b.field("pressure") == pytest.approx(expected, abs=1e-12)
    assert b.table("deaths")[:, c.nationalities.index("USA")].tolist() == [5.0] * b.runs
    # the day's counts are cleared once the stocks are updated
    assert not b.field("soil_today").any() and not b.field("host_deaths_today").any()
    assert not b.field("lethal_today").any()


def test_expulsion_order_comes_on_the_days_above_th_consecutive_day_above_threshold():
    b = quiet_batch(fronts__host__days_above=7, fronts__host__threshold=1.0)
    b.field("war")[3] = 1  # a run at war: no longer alive to the fronts
    for t in range(12):
        # 2.0 decays to 1.98 (above 1.0); 0.0 stays below. Run 1 dips below on day 3.
        b.field("pressure")[:4] = [2.0, 0.0 if t == 3 else 2.0, 0.0, 2.0]
        advance(b, t)
        if t == 5:
            assert b.field("expulsion_day")[0] == NOT_YET  # six days above: not yet
    assert b.field("expulsion_day")[:4].tolist() == [6, 10, NOT_YET, NOT_YET]  # days 0-6, 4-10
    assert b.field("days_above")[:4].tolist() == [12, 8, 0, 0]


def test_withdrawal_comes_exactly_withdrawal_lag_days_after_the_order():
    b = quiet_batch(fronts__host__withdrawal_lag_days=180)
    b.field("pressure")[:] = 0.0
    b.field("expulsion_day")[:3] = [10, 100, NOT_YET]
    advance(b, 10, 190)
    assert b.field("withdrawal_day")[0] == NOT_YET
    advance(b, 190, 281)
    assert b.field("withdrawal_day")[:3].tolist() == [190, 280, NOT_YET]


def test_follow_on_needs_a_withdrawal_and_its_draw_below_its_probability_then_waits_its_lag():
    b = quiet_batch(
        runs=64,
        fronts__host__withdrawal_lag_days=180,
        fronts__host__follow_on_probability=0.7,
        fronts__host__follow_on_lag_days=90,
    )
    b.field("pressure")[:] = 0.0
    b.field("expulsion_day")[:] = 0
    b.field("expulsion_day")[4] = NOT_YET  # run 4: never ordered out
    b.field("expulsion_day")[5] = 100  # run 5: ordered out later, withdraws on day 280
    advance(b, 180, 270)
    assert not (b.field("follow_on_day") >= 0).any()
    advance(b, 270)
    # one draw per run, on its withdrawal day
    expected = keyed(b, 180, draws.FOLLOW_ON) < 0.7
    expected[[4, 5]] = False
    assert 0 < expected.sum() < 62
    assert np.array_equal(b.field("follow_on_day") >= 0, expected)
    assert (b.field("follow_on_day")[expected] == 270).all()
    assert (b.field("withdrawal_day")[expected] == 180).all()
    assert b.field("withdrawal_day")[[4, 5]].tolist() == [NOT_YET, NOT_YET]


def test_withdrawal_scales_proxy_attacks_by_the_presence_left_and_campaign_starts_up():
    """Day 1, KH alone attacks (control 0, no grievance: hazard = base, x4 under orders) and
    Iran orders campaigns with probability 0.2 a day, in runs with and without a withdrawal
    (every other run): after it, campaigns start 1.5 times as often (deterrence loss 0.5) and
    KH finds a fifth of its targets (presence 0.2)."""
    b = quiet_batch(
        runs=1024,
        fronts__host__presence_after_withdrawal=0.2,
        fronts__host__deterrence_loss=0.5,
        actors__KH__base_hazard=0.2,
        actors__KH__control=0.0,
        actors__KH__grievance=0.0,
        actors__IRN__enforcement=0.0,
        actors__IRN__rules__campaign_order_daily__limited=0.2,
        actors__IRN__rules__campaign_order_daily__aggressive=0.2,
    )
    withdrawn = np.arange(b.runs) % 2 == 0
    b.field("withdrawal_day")[withdrawn] = 0
    b.field("pressure")[:] = 0.0
    advance(b, 1)
    side = keyed(b, 1, draws.SIDE, CHALLENGER)
    ordered = side < np.where(withdrawn, 0.3, 0.2)
    assert np.array_equal(b.field("campaign")[:, CHALLENGER] == 1, ordered)
    hazard = 0.2 * np.where(ordered, 4.0, 1.0) * np.where(withdrawn, 0.2, 1.0)
    attacked = keyed(b, 1, draws.GROUP, group_index_of(b.setup.c, "KH")) < hazard
    assert np.array_equal(b.field("group_attacks") == 1, attacked)
    assert ordered[withdrawn].mean() > ordered[~withdrawn].mean()
    assert attacked[withdrawn].mean() < 0.5 * attacked[~withdrawn].mean()


# --- 1. worked numbers: maritime incidents ------------------------------------------------------


def test_maritime_hazard_is_h0_times_hostility_and_posture_terms_times_the_order_multiplier():
    b = quiet_batch(
        runs=1024,
        fronts__maritime__base_hazard=0.1,
        fronts__maritime__hostility_sensitivity=0.5,
        fronts__maritime__deterrence_effect=0.5,
        fronts__maritime__posture=0.8,
        hazards__ordered_multiplier=4.0,
    )
    side = b.setup.c.groups[b.setup.sea_group].side
    assert side == CHALLENGER
    hostility = np.linspace(0.0, 2.0, b.runs)
    b.field("hostility")[:] = hostility
    b.field("campaign")[:, side] = np.arange(b.runs) % 4 >= 2
    b.field("war")[0] = 1  # a run at war has no incidents
    advance(b, 1)
    ordered = b.field("campaign")[:, side] == 1  # as the day's orders left them
    h = 0.1 * (1 + 0.5 * hostility) * (1 - 0.5 * 0.8) * np.where(ordered, 4.0, 1.0)
    assert h.min() == pytest.approx(0.06) and h.max() == pytest.approx(0.48)
    expected = keyed(b, 1, draws.MARITIME) < h
    expected[0] = False
    assert expected.sum() > 50
    assert np.array_equal(b.field("incidents") == 1, expected)
    # an incident is a crisis event (it sets the day's rung) but not a proxy attack
    rung = b.field("day_rung")
    assert (rung[expected] >= 6).all() and not rung[~expected].any()
    assert not b.field("group_attacks").any()


# --- 1. worked numbers: nuclear breakout --------------------------------------------------------


def test_breakout_falls_a_step_per_period_without_dialogue_and_rises_capped_with_one():
    b = quiet_batch(
        fronts__nuclear__step_months=0.5,
        fronts__nuclear__step_days=60,
        fronts__nuclear__max_months=12,
    )
    b.field("breakout")[:4] = [6.0, 6.0, 11.8, 0.3]
    b.field("dialogue")[:4] = [0, 1, 1, 0]
    seen = {}
    for t in range(121):
        advance(b, t)
        if t in (59, 60, 119, 120):
            seen[t] = b.field("breakout")[:4].tolist()
    assert seen[59] == [6.0, 6.0, 11.8, 0.3]
    assert seen[60] == pytest.approx([5.5, 6.5, 12.0, 0.0])
    assert seen[119] == seen[60]
    assert seen[120] == pytest.approx([5.0, 7.0, 12.0, 0.0])


def test_breakout_crisis_is_recorded_on_the_first_day_below_threshold_without_dialogue():
    b = quiet_batch(fronts__nuclear__crisis_threshold_months=3, fronts__nuclear__step_days=60)
    b.field("breakout")[:5] = [3.2, 3.2, 3.0, 2.0, 2.0]
    b.field("dialogue")[:5] = [0, 1, 0, 0, 1]
    for t in range(130):
        if t == 10:
            b.field("dialogue")[4] = 0  # run 4's dialogue has ended by day 10
        advance(b, t)
    # run 0: 3.2 -> 2.7 on day 60; run 1 rises under its dialogue; run 2: exactly 3.0 is not
    # below, 2.5 on day 60 is; run 3 is below from day 0; run 4 once its dialogue ends
    assert b.field("crisis_day")[:5].tolist() == [60, NOT_YET, 60, 0, 10]
    assert b.field("dialogue")[:5].tolist() == [0, 1, 0, 0, 0]


def test_a_dialogue_collapses_when_its_draw_is_below_the_daily_collapse_probability():
    b = quiet_batch(runs=1024, fronts__nuclear__dialogue=True)
    collapse = quiet_batch(
        runs=1024, fronts__nuclear__dialogue=True, fronts__nuclear__dialogue_collapse_daily=0.05
    )
    for batch in (b, collapse):
        advance(batch, 1)
    assert b.field("dialogue").all()
    expected = keyed(collapse, 1, draws.NUCLEAR, index=1) < 0.05
    assert expected.sum() > 20
    assert np.array_equal(collapse.field("dialogue") == 0, expected)


def test_dialogue_starts_more_often_after_a_quiet_spell():
    """p = start + after_quiet once the quiet streak reaches 90 days (today included), start
    otherwise; a lethal day ends a quiet spell."""
    b = quiet_batch(
        runs=1024,
        fronts__nuclear__dialogue_start_daily=0.02,
        fronts__nuclear__dialogue_start_after_quiet=0.3,
        fronts__nuclear__quiet_days_for_opportunity=90,
    )
    streak = np.resize([89, 88, 0, 200], b.runs)
    b.field("quiet_streak")[:] = streak
    lethal = streak == 200
    b.field("lethal_today")[lethal] = 1  # a lethal day ends the quiet spell of those runs
    advance(b, 1)
    assert b.field("quiet_streak")[:4].tolist() == [90, 89, 1, 0]
    boosted = streak == 89
    p = np.where(boosted, 0.32, 0.02)
    expected = keyed(b, 1, draws.NUCLEAR) < p
    assert np.array_equal(b.field("dialogue") == 1, expected)
    assert expected[boosted].mean() > expected[~boosted].mean() + 0.15


def test_the_day0_opening_event_does_not_end_a_dialogue():
    b = quiet_batch(runs=64, fronts__nuclear__dialogue=True)
    assert b.field("dialogue").all()
    advance(b, 0)  # Iran's warned missile strike, rung 9, on the first day
    assert (b.field("day_rung") >= 9).all()
    assert b.field("dialogue").all()


@pytest.mark.parametrize(("act", "ends"), [("missile_strike", True), ("strike_on_proxy", False)])
def test_a_direct_exchange_ends_a_dialogue_a_lesser_act_does_not(act, ends):
    """Day 5: Iran's warned missile strike (rung 9, a direct exchange) or a US strike on KH's
    sites (rung 8)."""
    c = setup_of(load_scenario(SCENARIO, {**QUIET, "days": 1})).c
    kh = group_index_of(c, "KH")
    if act == "missile_strike":
        event = ScriptedEvent(CHALLENGER, -1, c.sides[CHALLENGER].retaliate, act, True, warned=True)
    else:
        event = ScriptedEvent(
            DEFENDER, -1, c.sides[DEFENDER].strike_proxy, act, True, struck_group=kh
        )
    script = Script(fork_day=0, events={5: [event]})
    b = quiet_batch(runs=64, script=script, fronts__nuclear__dialogue=True)
    advance(b, 0, 5)
    assert b.field("dialogue").all()
    advance(b, 5)
    assert (b.field("day_rung") == (9 if ends else 8)).all()
    assert (b.field("dialogue") == (0 if ends else 1)).all()


@pytest.mark.parametrize("lever", [True, False])
def test_preventive_strike_is_decided_on_the_crisis_day_with_its_probability_only_when_on(lever):
    b = quiet_batch(
        runs=64,
        fronts__nuclear__preventive_strike=lever,
        fronts__nuclear__preventive_strike_probability=0.5,
    )
    breakout = b.field("breakout")
    breakout[:] = 6.0
    breakout[:40] = 2.0
    b.field("crisis_day")[:4] = 0  # runs 0-3: their crisis is already past
    advance(b, 7)
    crisis_today = np.arange(b.runs) < 40
    crisis_today[:4] = False
    assert np.array_equal(b.field("crisis_day") == 7, crisis_today)
    assert (b.field("crisis_day")[40:] == NOT_YET).all()
    strikes = crisis_today & (keyed(b, 7, draws.PREVENTIVE) < 0.5) & lever
    assert np.array_equal(b.field("pending")[:, DEFENDER] == STRIKE_STATE, strikes)
    assert strikes.any() == lever and (crisis_today & ~strikes).any()


# --- 2. couplings on us-iran-2020 ensembles ------------------------------------------------------


def test_strikes_on_host_soil_drive_expulsion_proportional_doctrine_versus_restraint():
    restraint = ensemble(runs=4096)  # the default doctrine never strikes proxies in Iraq
    proportional = host_ensemble()
    assert rate(restraint, "proxy_strikes") == 0.0
    assert rate(restraint, "host_expulsion") == 0.0
    assert rate(proportional, "host_expulsion") > 0.01  # measured 0.020


def test_a_higher_per_strike_pressure_raises_expulsions():
    base = rate(host_ensemble(), "host_expulsion")
    doubled = rate(host_ensemble({"fronts.host.per_strike": 0.16}), "host_expulsion")
    assert doubled > base * 1.3  # measured 0.039 versus 0.020 (1.6x-2.1x over seeds 1-8)


def test_a_sanctions_threat_raises_expulsions():
    base = rate(host_ensemble(), "host_expulsion")
    threat = rate(host_ensemble({"fronts.host.sanctions_threat": True}), "host_expulsion")
    assert threat > base * 1.6  # measured 0.057 versus 0.020 (2.4x-3.2x over seeds 1-8)


def test_diplomacy_with_the_host_lowers_expulsions():
    base = rate(host_ensemble(), "host_expulsion")
    diplomacy = rate(host_ensemble({"fronts.host.diplomacy": 1.0}), "host_expulsion")
    assert diplomacy < base * 0.75  # measured 0.008 versus 0.020 (0.33x-0.51x, seeds 1-8)


def test_a_higher_maritime_posture_means_fewer_maritime_incidents():
    low = ensemble((("fronts.maritime.posture", 0.1),), runs=1024)
    high = ensemble((("fronts.maritime.posture", 0.9),), runs=1024)
    low_mean, high_mean = rate(low, "maritime_incidents"), rate(high, "maritime_incidents")
    assert high_mean < 0.75 * low_mean  # hazard ratio 0.55/0.95 = 0.58; measured 1.58 vs 2.93
    assert low.summary()["metrics"]["maritime_incidents_mean"] == pytest.approx(low_mean, abs=1e-6)


def test_a_dialogue_from_day0_means_fewer_breakout_crises():
    without = rate(nuclear_ensemble(), "breakout_crisis")
    with_dialogue = rate(nuclear_ensemble({"fronts.nuclear.dialogue": True}), "breakout_crisis")
    assert without > 0.2  # measured 0.351
    assert with_dialogue < 0.5 * without  # measured 0.044


def test_the_preventive_strike_lever_raises_direct_exchanges_and_war_after_a_breakout_crisis():
    off = nuclear_ensemble().columns
    on = nuclear_ensemble({"fronts.nuclear.preventive_strike": True}).columns
    crisis_off, crisis_on = off["breakout_crisis"], on["breakout_crisis"]
    assert crisis_off.sum() > 300 and crisis_on.sum() > 300

    def after_crisis(c, mask):
        exchanged = (c["direct_exchanges"][mask] > 0).mean()
        war = (c["war_day"][mask] >= c["breakout_crisis_day"][mask]).mean()
        return exchanged, war

    exchanged_off, war_off = after_crisis(off, crisis_off)
    exchanged_on, war_on = after_crisis(on, crisis_on)
    assert exchanged_on > exchanged_off + 0.15  # measured 0.651 versus 0.227 (719 crises)
    assert war_on > war_off + 0.05  # measured 0.199 versus 0.067


def test_a_withdrawal_lowers_proxy_attacks_on_the_defender():
    stays = ensemble((("fronts.host.threshold", 100.0),), runs=1024)
    leaves = ensemble(
        (
            ("fronts.host.days_above", 1),
            ("fronts.host.threshold", 0.01),
            ("fronts.host.withdrawal_lag_days", 0),
        ),
        runs=1024,
    )
    assert (leaves.columns["withdrawal_day"] == 0).all()
    assert (stays.columns["withdrawal_day"] == NOT_YET).all()
    # presence 0.2 outweighs campaigns starting 1.5x as often; measured 1.97 versus 7.03
    assert rate(leaves, "group_attacks") < 0.5 * rate(stays, "group_attacks")


# --- 3. invariants ------------------------------------------------------------------------------


def test_host_event_days_follow_the_chain_order_then_withdrawal_then_follow_on():
    result = short_fronts_ensemble()
    s, c = result.scenario.fronts.host, result.columns
    expelled, order = c["host_expulsion"], c["host_expulsion_day"]
    withdrawn, follow = c["withdrawal_day"] >= 0, c["follow_on_withdrawal"]
    assert expelled.sum() > 200 and withdrawn.sum() > 100 and follow.sum() > 50
    assert (expelled == (order >= 0)).all()
    assert (order[expelled] >= s.days_above - 1).all()
    assert not (withdrawn & ~expelled).any() and not (follow & ~withdrawn).any()
    assert (c["withdrawal_day"][withdrawn] == order[withdrawn] + s.withdrawal_lag_days).all()
    # a withdrawal is missing only when its lag runs past the horizon
    late = expelled & ~withdrawn
    assert (order[late] + s.withdrawal_lag_days >= result.scenario.days).all()
    assert (c["follow_on_day"][follow] == c["withdrawal_day"][follow] + s.follow_on_lag_days).all()
    assert (c["follow_on_day"][~follow] == NOT_YET).all()
    # among withdrawals with time for the follow-on, its share is follow_on_probability
    eligible = withdrawn & (c["withdrawal_day"] + s.follow_on_lag_days < result.scenario.days)
    share, n = follow[eligible].mean(), eligible.sum()
    p = s.follow_on_probability
    assert abs(share - p) < 5 * math.sqrt(p * (1 - p) / n) + 0.02
    assert (c["expulsion_pressure"] >= 0).all()


def test_breakout_stays_within_bounds_and_crises_fall_on_step_days_after_the_first_possible():
    for extra in ({}, {"fronts.nuclear.dialogue": True}):
        result = nuclear_ensemble(extra)
        n, c = result.scenario.fronts.nuclear, result.columns
        months = c["breakout_months"]
        assert (months >= 0).all() and (months <= n.max_months).all()
        crisis, day = c["breakout_crisis"], c["breakout_crisis_day"]
        assert (crisis == (day >= 0)).all()
        # 6 months less 0.5 per 60 days is first below 3 (at 2.5) on day 7 * 60 = 420; breakout
        # only moves on step days, so a crisis (first day below, no dialogue) falls on one
        steps = math.floor((n.breakout_months - n.crisis_threshold_months) / n.step_months) + 1
        first = steps * n.step_days
        assert first == 420
        assert (day[crisis] >= first).all() and (day[crisis] % n.step_days == 0).all()


def test_summary_front_flags_and_medians_equal_the_columns():
    for result in (short_fronts_ensemble(), nuclear_ensemble()):
        s, c = result.summary(), result.columns
        for flag in ("host_expulsion", "follow_on_withdrawal", "breakout_crisis"):
            assert s["flags"][flag] == pytest.approx(np.mean(c[flag]), abs=1e-6)
        assert s["metrics"]["maritime_incidents_mean"] == pytest.approx(
            np.mean(c["maritime_incidents"]), abs=1e-6
        )
        tte = s["time_to_event"]
        for name, column in (
            ("host_expulsion", "host_expulsion_day"),
            ("withdrawal", "withdrawal_day"),
            ("follow_on_withdrawal", "follow_on_day"),
            ("breakout_crisis", "breakout_crisis_day"),
        ):
            days = c[column][c[column] >= 0]
            expected = float(np.median(days)) if days.size else None
            assert tte[f"{name}_day_median"] == (
                pytest.approx(expected, abs=1e-6) if expected is not None else None
            )


def test_without_a_host_actor_there_is_no_pressure_expulsion_or_withdrawal():
    result = simulate(
        SCENARIO, runs=1024, seed=11, overrides={**SANCTIONS, "fronts.host.actor": None}, days=365
    )
    assert result.scenario.fronts.host.actor is None
    c, s = result.columns, result.summary()
    assert rate(result, "proxy_strikes") > 0.5  # strikes on Iraqi soil still happen
    assert not c["host_expulsion"].any() and not c["follow_on_withdrawal"].any()
    assert (c["host_expulsion_day"] == NOT_YET).all() and (c["withdrawal_day"] == NOT_YET).all()
    assert (c["follow_on_day"] == NOT_YET).all() and not c["expulsion_pressure"].any()
    assert s["flags"]["host_expulsion"] == 0.0 and s["flags"]["follow_on_withdrawal"] == 0.0
    assert s["time_to_event"]["host_expulsion_day_median"] is None


# --- 4. determinism -----------------------------------------------------------------------------


def test_front_columns_do_not_depend_on_the_chunk_size():
    one, four = short_fronts_ensemble(chunk_blocks=1), short_fronts_ensemble(chunk_blocks=4)
    c = one.columns
    assert c["follow_on_withdrawal"].any() and c["maritime_incidents"].any()
    assert c["breakout_crisis"].any()
    for name in FRONT_COLUMNS:
        assert np.array_equal(c[name], four.columns[name]), name


# --- 5. story -----------------------------------------------------------------------------------


def test_story_of_an_expelled_run_narrates_the_order_and_the_withdrawal():
    result = short_fronts_ensemble()
    c = result.columns
    k = int(np.flatnonzero(c["host_expulsion"] & (c["withdrawal_day"] >= 0))[0])
    story = result.story(k)
    assert story.row["host_expulsion_day"] == c["host_expulsion_day"][k]
    fronts = [r for r in story.records if r["kind"] == "front"]
    orders = [r for r in fronts if "orders the defender's forces out" in r["text"]]
    assert [r["day"] for r in orders] == [int(c["host_expulsion_day"][k])]
    withdrawals = [r for r in fronts if "withdraw from the host nation" in r["text"]]
    assert [r["day"] for r in withdrawals] == [int(c["withdrawal_day"][k])]
    assert "[front] the host orders the defender's forces out" in story.text()


def test_story_of_a_run_with_a_breakout_crisis_narrates_it_on_its_day():
    result = short_fronts_ensemble()
    c = result.columns
    k = int(np.flatnonzero(c["breakout_crisis"])[0])
    fronts = [r for r in result.story(k).records if r["kind"] == "front"]
    crises = [r for r in fronts if "breakout crisis" in r["text"]]
    assert [r["day"] for r in crises] == [int(c["breakout_crisis_day"][k])]
