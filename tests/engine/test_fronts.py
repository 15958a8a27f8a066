"""Strategic fronts (MODEL.md §10, version 2: fronts as decisions, coupled both ways):
host-nation expulsion, maritime incidents, nuclear breakout.

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
from crisislab.engine import layout as col
from crisislab.engine.batch import Batch
from crisislab.engine.compiled import CHALLENGER, DEFENDER
from crisislab.engine.kernel import run_block
from crisislab.engine.script import Script, ScriptedEvent
from crisislab.scenario.loader import load_scenario
from crisislab.simulate import setup_of, simulate
from crisislab.stats import paired_difference

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
# every front's events well inside a year: shorter host lags, breakout crises from day 120, and
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
def test_host_pressure_counts_violations_of_host_soil_by_either_side_and_host_deaths_only(
    strike_rung,
):
    """Day 0: a US strike on KH's sites (Iraqi soil) kills 4 Iraqis, a KH rocket attack on the US
    forces stationed in Iraq kills 5 Americans. Both are violations of the host's sovereignty
    (MODEL.md §10: by *any* side), each counted at the kinetic rung (7) or above: the strike at
    its rung, the lethal rocket attack at rung 8. American deaths never count."""
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
    violations = (1.0 if strike_rung >= 7 else 0.0) + 1.0  # the strike; the rocket attack
    expected = before * decay + 0.08 * violations + 0.02 * 4 - 0.001
    assert b.field("pressure") == pytest.approx(expected, abs=1e-12)
    assert b.table("deaths")[:, c.nationalities.index("USA")].tolist() == [5.0] * b.runs
    # the day's counts are cleared once the stocks are updated
    assert not b.field("soil_today").any() and not b.field("host_deaths_today").any()
    assert not b.field("lethal_today").any()


def test_a_binding_vote_passes_with_daily_probability_one_over_days_above_while_above():
    """While pressure is at or above the threshold, the host's binding vote passes on a day
    with probability 1/days_above (1/7), the day's keyed HOST draw below it (MODEL.md §10: a
    stochastic event when pressure is high); a run at war votes too."""
    b = quiet_batch(
        runs=1024,
        fronts__host__days_above=7,
        fronts__host__threshold=1.0,
        fronts__host__half_life_days=1e6,
    )
    high = np.arange(b.runs) % 2 == 0
    b.field("pressure")[:] = np.where(high, 2.0, 0.5)
    b.field("war")[2] = 1  # a run at war: the fronts go on
    expected = np.full(b.runs, NOT_YET)
    for t in range(20):
        advance(b, t)
        votes = high & (expected == NOT_YET) & (keyed(b, t, draws.HOST) < 1 / 7)
        expected[votes] = t
    assert np.array_equal(b.field("expulsion_day"), expected)
    assert (expected[~high] == NOT_YET).all()
    assert 0.8 < (expected[high] >= 0).mean() < 0.99  # 1 - (6/7)^20 = 0.95
    assert (b.field("days_above")[high] == 20).all() and not b.field("days_above")[~high].any()


@pytest.mark.parametrize("diplomacy", [0.0, 1.0])
def test_withdrawal_is_a_process_the_defender_slows_with_diplomacy(diplomacy):
    """After the order, the forces leave on a day with probability 1/(withdrawal_lag_days (1 +
    diplomacy)), the second number of the day's HOST pair below it: a mean of 20 days here
    without diplomacy, 40 with it."""
    b = quiet_batch(
        runs=1024, fronts__host__withdrawal_lag_days=20, fronts__host__diplomacy=diplomacy
    )
    b.field("pressure")[:] = 0.0
    b.field("expulsion_day")[:] = 5
    b.field("expulsion_day")[3] = NOT_YET  # never ordered out
    p_leave = 1 / (20 * (1 + diplomacy))
    expected = np.full(b.runs, NOT_YET)
    for t in range(5, 120):
        advance(b, t)
        leaves = (expected == NOT_YET) & (t > 5) & (keyed(b, t, draws.HOST, index=1) < p_leave)
        leaves[3] = False
        expected[leaves] = t
    assert np.array_equal(b.field("withdrawal_day"), expected)
    lag = expected[expected >= 0] - 5
    assert abs(lag.mean() - 1 / p_leave) < 0.25 / p_leave  # truncated at 115 days


def test_the_follow_on_withdrawal_is_the_defenders_choice_on_its_withdrawal_day():
    """On the day its forces leave the host, the defender follows on with probability
    1 / (1 + exp(-λ (dependence - 2 r theatre_value))), r its resolve (MODEL.md §10: the
    theatre's value against a cost of staying that rises with the dependence on the host), its
    keyed FOLLOW_ON draw below it; the follow-on comes follow_on_lag_days later."""
    b = quiet_batch(
        runs=1024,
        fronts__host__withdrawal_lag_days=0,  # the forces leave the day after the order
        fronts__host__follow_on_lag_days=30,
        fronts__host__dependence=0.6,
        fronts__host__theatre_value=0.5,
    )
    resolve = np.linspace(0.05, 0.95, b.runs)
    set_resolve(b, DEFENDER, resolve)  # it reverts to where it is: it stays there
    b.field("pressure")[:] = 0.0
    b.field("expulsion_day")[:] = 0
    b.field("expulsion_day")[4] = NOT_YET  # run 4: never ordered out
    advance(b, 0, 32)  # days 0-31
    precision = b.setup.c.scenario.logit.precision
    p_follow = 1 / (1 + np.exp(-precision * (0.6 - 2 * resolve * 0.5)))
    expected = keyed(b, 1, draws.FOLLOW_ON) < p_follow
    expected[4] = False
    assert (b.field("withdrawal_day")[np.arange(b.runs) != 4] == 1).all()
    assert np.array_equal(b.field("follow_on_day") >= 0, expected)
    assert (b.field("follow_on_day")[expected] == 31).all()
    low, high = resolve < 0.3, resolve > 0.7  # a resolved defender stays more often
    assert expected[low].mean() > expected[high].mean() + 0.2


def test_withdrawal_scales_proxy_attacks_by_the_presence_left_and_emboldens_orders():
    """Day 1, the challenger reviews its orders (an occasion in every run) from a state set by
    hand, and KH alone attacks (control 0, no grievance: hazard = base, x4 under orders), in
    runs with and without a withdrawal (every other run). The order is the logit of order_utility
    (MODEL.md §5); after a withdrawal its odds are x(1 + deterrence_loss) = x1.5, and KH finds a
    fifth of its targets (presence 0.2)."""
    b = quiet_batch(
        runs=1024,
        fronts__host__presence_after_withdrawal=0.2,
        fronts__host__deterrence_loss=0.5,
        actors__KH__base_hazard=0.2,
        actors__KH__control=0.0,
        actors__KH__grievance=0.0,
        actors__IRN__enforcement=0.0,
    )
    withdrawn = np.arange(b.runs) % 2 == 0
    b.field("withdrawal_day")[withdrawn] = 0
    b.field("pressure")[:] = 0.0
    state = {"resolve": 0.6, "rage": 0.0, "belief": 0.5, "credibility": 0.5}
    for name, value in state.items():
        b.field(name)[:, CHALLENGER] = value
    b.field("answered")[:, CHALLENGER] = 1.0
    b.field("unanswered")[:, CHALLENGER] = 2.0
    b.field("occasion")[:, CHALLENGER] = 1
    advance(b, 1)
    lg = b.setup.c.scenario.logit
    cross = b.params.side_f[CHALLENGER, col.SDF_CROSS_CHANCE]
    p_answer = cross * 0.5 + (1 - cross) * (1 / 3)
    eu = 0.6 * lg.order_value - 0.4 * lg.order_cost - p_answer * lg.answer_loss * 0.4 * 1.5
    odds = np.exp(lg.precision * eu) * np.where(withdrawn, 1.5, 1.0)
    ordered = keyed(b, 1, draws.DECIDE, CHALLENGER) < odds / (1 + odds)
    assert np.array_equal(b.field("campaign")[:, CHALLENGER] == 1, ordered)
    hazard = 0.2 * np.where(ordered, 4.0, 1.0) * np.where(withdrawn, 0.2, 1.0)
    attacked = keyed(b, 1, draws.GROUP, group_index_of(b.setup.c, "KH")) < hazard
    assert np.array_equal(b.field("group_attacks") == 1, attacked)
    assert ordered[withdrawn].mean() > ordered[~withdrawn].mean()
    assert attacked[withdrawn].mean() < 0.5 * attacked[~withdrawn].mean()


# --- 1. worked numbers: maritime incidents ------------------------------------------------------


def test_maritime_hazard_is_h0_times_hostility_posture_invitation_and_order_terms():
    """h = h0 (1 + β hostility) (1 - d posture) 2 (1 - a) (m if ordered), with a the answer rate
    the attacker has perceived for its attacks (answered / (answered + unanswered)): unanswered
    attacks invite more, answered ones fewer (MODEL.md §10)."""
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
    unanswered = np.resize([2.0, 0.0, 8.0], b.runs)  # answer rates 1/3, 1 and 1/9
    b.field("answered")[:, side] = 1.0
    b.field("unanswered")[:, side] = unanswered
    b.field("war")[0] = 1  # a run at war has no incidents
    advance(b, 1)
    ordered = b.field("campaign")[:, side] == 1  # as the day's orders left them
    invited = 2 * (1 - 1 / (1 + unanswered))
    h = 0.1 * (1 + 0.5 * hostility) * (1 - 0.5 * 0.8) * invited * np.where(ordered, 4.0, 1.0)
    assert h.min() == 0.0 and h.max() == pytest.approx(0.48 * 16 / 9, rel=1e-3)
    expected = keyed(b, 1, draws.MARITIME) < h
    expected[0] = False
    assert expected.sum() > 50
    assert np.array_equal(b.field("incidents") == 1, expected)
    # an incident is a crisis event (it sets the day's rung) but not a proxy attack
    rung = b.field("day_rung")
    assert (rung[expected] >= 6).all() and not rung[~expected].any()
    assert not b.field("group_attacks").any()
    # all answered: no incident; none answered: the most
    assert not expected[unanswered == 0.0].any()
    assert expected[unanswered == 8.0].mean() > expected[unanswered == 2.0].mean()


# --- 1. worked numbers: nuclear breakout --------------------------------------------------------


NUCLEAR_STEPS = {
    "fronts__nuclear__step_months": 0.5,
    "fronts__nuclear__step_days": 60,
    "fronts__nuclear__max_months": 12,
    "fronts__nuclear__step_value": 1.0,
    "fronts__nuclear__step_cost": 0.6,
}


def step_probability(batch: Batch, resolve: np.ndarray, feared: float = 0.0) -> np.ndarray:
    """The challenger's logit probability of an enrichment step (MODEL.md §10): ΔEU = r value -
    (1 - r) cost - feared (1 - r) (2 - μ), μ its belief; `feared` is 0 without the preventive
    strike lever."""
    belief = batch.field("belief")[:, CHALLENGER]
    eu = resolve * 1.0 - (1 - resolve) * 0.6 - feared * (1 - resolve) * (2 - belief)
    return 1 / (1 + np.exp(-batch.setup.c.scenario.logit.precision * eu))


def set_resolve(batch: Batch, side: int, resolve) -> None:
    """A side's resolve, and the value it reverts to: it stays there."""
    batch.field("resolve")[:, side] = resolve
    batch.field("resolve_drawn")[:, side] = resolve
    batch.field("resolve_target")[:, side] = resolve


def test_breakout_moves_only_on_step_days_by_the_challengers_choice_or_up_with_a_dialogue():
    """On a step day (every 60), without a dialogue, the challenger steps with the logit
    probability of its ΔEU (its resolve r: value 1, cost 0.6), the first number of the day's
    NUCLEAR_STEP pair below it, by 0.5 x (0.5 + the pair's second number) months: breakout days
    vary between runs. With a dialogue breakout rises by 0.5, capped at 12."""
    b = quiet_batch(runs=1024, **NUCLEAR_STEPS)
    resolve = np.linspace(0.02, 0.98, b.runs)
    set_resolve(b, CHALLENGER, resolve)
    talks = np.arange(b.runs) % 4 == 0
    b.field("breakout")[:] = 6.0
    b.field("breakout")[4] = 11.8
    b.field("dialogue")[:] = talks
    advance(b, 0, 60)
    assert (b.field("breakout")[5:] == 6.0).all() and b.field("breakout")[4] == 11.8
    p_step = step_probability(b, resolve)
    advance(b, 60)
    steps = keyed(b, 60, draws.NUCLEAR_STEP) < p_step
    size = 0.5 * (0.5 + keyed(b, 60, draws.NUCLEAR_STEP, index=1))
    expected = np.where(talks, 6.5, np.where(steps, 6.0 - size, 6.0))
    expected[4] = 12.0
    assert b.field("breakout") == pytest.approx(expected, abs=1e-12)
    stepped = ~talks & steps
    assert np.unique(b.field("breakout")[stepped]).size > 100  # steps of random size
    low, high = ~talks & (resolve < 0.3), ~talks & (resolve > 0.7)
    assert steps[high].mean() > steps[low].mean() + 0.3  # a resolved challenger steps more


def test_the_preventive_strike_lever_makes_a_step_costlier_through_the_strike_feared():
    """With the lever on, ΔEU of a step loses p_prev x answer_loss x (1 - r) (2 - μ) (0.5 x 3
    here): fewer steps."""
    b = quiet_batch(
        runs=1024,
        fronts__nuclear__preventive_strike=True,
        fronts__nuclear__preventive_strike_probability=0.5,
        **NUCLEAR_STEPS,
    )
    resolve = np.linspace(0.02, 0.98, b.runs)
    set_resolve(b, CHALLENGER, resolve)
    b.field("breakout")[:] = 6.0
    advance(b, 0, 60)
    p_step = step_probability(b, resolve, feared=0.5 * b.setup.c.scenario.logit.answer_loss)
    advance(b, 60)
    steps = keyed(b, 60, draws.NUCLEAR_STEP) < p_step
    assert np.array_equal(b.field("breakout") < 6.0, steps)
    assert steps.mean() < (keyed(b, 60, draws.NUCLEAR_STEP) < step_probability(b, resolve)).mean()


def test_breakout_crisis_is_recorded_on_the_first_day_below_threshold_without_dialogue():
    """Days 0-59 have no step: run 0 (3.2) and run 2 (exactly 3.0, not below) have no crisis,
    run 3 (2.0) has one on day 0, run 1 none under its dialogue, run 4 once its dialogue ends
    (day 10), run 5 on day 0 although at war (counted during a war, so breakout shares are not
    censored by it). On day 60, the runs at 3.2 that step (any step is at least 0.25) have
    theirs."""
    b = quiet_batch(runs=64, fronts__nuclear__crisis_threshold_months=3, **NUCLEAR_STEPS)
    set_resolve(b, CHALLENGER, 0.9)
    b.field("breakout")[:6] = [3.2, 3.2, 3.0, 2.0, 2.0, 2.0]
    b.field("breakout")[6:] = 3.2
    b.field("dialogue")[:6] = [0, 1, 0, 0, 1, 0]
    b.field("war")[5] = 1
    for t in range(60):
        if t == 10:
            b.field("dialogue")[4] = 0  # run 4's dialogue has ended by day 10
        advance(b, t)
    assert b.field("crisis_day")[:6].tolist() == [NOT_YET, NOT_YET, NOT_YET, 0, 10, 0]
    assert (b.field("crisis_day")[6:] == NOT_YET).all()
    p_step = step_probability(b, np.full(b.runs, 0.9))
    advance(b, 60)
    steps = keyed(b, 60, draws.NUCLEAR_STEP) < p_step
    assert 0 < steps[6:].sum() < 58
    assert np.array_equal(b.field("crisis_day")[6:] == 60, steps[6:])
    assert b.field("dialogue")[:6].tolist() == [0, 1, 0, 0, 0, 0]


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


def assert_paired(values, baseline, sign: int) -> None:
    """The paired 95% interval of values - baseline (same runs, same seed) lies on `sign`'s side
    of 0."""
    d = paired_difference(np.asarray(values, float), np.asarray(baseline, float))
    lo, hi = d["ci"]
    assert (lo > 0.0) if sign > 0 else (hi < 0.0), d


def test_expulsion_is_possible_under_restraint_and_rises_with_strikes_on_the_host_soil():
    """Version 1 made expulsion impossible under restraint by construction; here the challenger's
    groups violate Iraqi soil too. Restraint strikes almost no proxy (0.02 a run) and the host
    expels in 0.164 of runs; proportional answers strike proxies in Iraq (4.8 a run) and raise
    it to 0.403 (paired +0.239 [+0.224, +0.253])."""
    restraint = ensemble(runs=4096)
    proportional = host_ensemble()
    assert rate(restraint, "proxy_strikes") < 0.1
    assert rate(proportional, "proxy_strikes") > 1.0
    assert rate(restraint, "host_expulsion") > 0.01
    assert_paired(proportional.columns["host_expulsion"], restraint.columns["host_expulsion"], +1)


def test_a_higher_per_strike_pressure_raises_expulsions():
    """Proportional answers: 0.403 of runs expelled; with the pressure per violation of the
    host's soil doubled, 0.609 (+0.207 [+0.194, +0.219])."""
    base = host_ensemble().columns["host_expulsion"]
    doubled = host_ensemble({"fronts.host.per_strike": 0.16}).columns["host_expulsion"]
    assert_paired(doubled, base, +1)


def test_a_sanctions_threat_raises_expulsions():
    """Proportional answers: 0.403 of runs expelled; with the threat, 0.541 (+0.138 [+0.128,
    +0.149])."""
    base = host_ensemble().columns["host_expulsion"]
    threat = host_ensemble({"fronts.host.sanctions_threat": True}).columns["host_expulsion"]
    assert_paired(threat, base, +1)


def test_diplomacy_with_the_host_lowers_expulsions():
    """Proportional answers: 0.403 of runs expelled; with full diplomacy, 0.291 (-0.112
    [-0.121, -0.102])."""
    base = host_ensemble().columns["host_expulsion"]
    diplomacy = host_ensemble({"fronts.host.diplomacy": 1.0}).columns["host_expulsion"]
    assert_paired(diplomacy, base, -1)


def test_a_higher_maritime_posture_means_fewer_maritime_incidents():
    low = ensemble((("fronts.maritime.posture", 0.1),), runs=1024)
    high = ensemble((("fronts.maritime.posture", 0.9),), runs=1024)
    low_mean, high_mean = rate(low, "maritime_incidents"), rate(high, "maritime_incidents")
    assert high_mean < 0.75 * low_mean  # hazard ratio 0.55/0.95 = 0.58; measured 5.18 vs 9.88
    assert low.summary()["metrics"]["maritime_incidents_mean"] == pytest.approx(low_mean, abs=1e-6)


def test_a_dialogue_from_day0_means_fewer_breakout_crises():
    without = nuclear_ensemble().columns["breakout_crisis"]
    with_dialogue = nuclear_ensemble({"fronts.nuclear.dialogue": True}).columns["breakout_crisis"]
    assert without.mean() > 0.05  # measured 0.170
    assert_paired(with_dialogue, without, -1)
    assert with_dialogue.mean() < 0.5 * without.mean()  # measured 0.040


def test_the_preventive_strike_lever_deters_steps_and_brings_strikes_on_the_state():
    """Breakout 4 months (a crisis possible within the year), 4096 runs. With the lever on, the
    challenger fears the strike: breakout crises 0.636 -> 0.182 of runs; in runs with a crisis,
    the defender's first strike on the state comes on or after the crisis day in 0.144 without
    the lever and 0.408 with it."""
    levers = (("fronts.nuclear.breakout_months", 4.0),)
    off = ensemble(levers, seed=5).columns
    on = ensemble((*levers, ("fronts.nuclear.preventive_strike", True)), seed=5).columns
    assert_paired(on["breakout_crisis"], off["breakout_crisis"], -1)

    def struck_after(c) -> np.ndarray:
        crisis = c["breakout_crisis"]
        return (c["first_state_strike_day"] >= c["breakout_crisis_day"])[crisis]

    after_off, after_on = struck_after(off), struck_after(on)
    assert after_off.size > 300 and after_on.size > 300
    se = math.sqrt(after_off.var() / after_off.size + after_on.var() / after_on.size)
    assert after_on.mean() - after_off.mean() > 2.0 * se


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
    assert (leaves.columns["withdrawal_day"] == 1).all()  # ordered out on day 0, gone on day 1
    assert (stays.columns["withdrawal_day"] == NOT_YET).all()
    # presence 0.2 outweighs orders 1.5x as likely on the odds; measured 3.04 versus 13.71
    assert rate(leaves, "group_attacks") < 0.5 * rate(stays, "group_attacks")


# --- 3. invariants ------------------------------------------------------------------------------


def test_host_event_days_follow_the_chain_order_then_withdrawal_then_follow_on():
    result = short_fronts_ensemble()
    s, c = result.scenario.fronts.host, result.columns
    expelled, order = c["host_expulsion"], c["host_expulsion_day"]
    withdrawn, follow = c["withdrawal_day"] >= 0, c["follow_on_withdrawal"]
    assert expelled.sum() > 200 and withdrawn.sum() > 100 and follow.sum() > 50
    assert (expelled == (order >= 0)).all()
    assert not (withdrawn & ~expelled).any() and not (follow & ~withdrawn).any()
    # withdrawal is a process: some days after the order, never on it
    assert (c["withdrawal_day"][withdrawn] > order[withdrawn]).all()
    lags = c["withdrawal_day"][withdrawn] - order[withdrawn]
    assert np.unique(lags).size > 20
    assert (c["follow_on_day"][follow] == c["withdrawal_day"][follow] + s.follow_on_lag_days).all()
    assert (c["follow_on_day"][~follow] == NOT_YET).all()
    # among withdrawals with time for the follow-on, its share lies within the defender's
    # choice at the extremes of its resolve (0.01 and 0.99)
    eligible = withdrawn & (c["withdrawal_day"] + s.follow_on_lag_days < result.scenario.days)
    share = follow[eligible].mean()
    precision = result.scenario.logit.precision

    def p_follow(r: float) -> float:
        return 1 / (1 + math.exp(-precision * (s.dependence - 2 * r * s.theatre_value)))

    assert p_follow(0.99) < share < p_follow(0.01)
    assert (c["expulsion_pressure"] >= 0).all()


def test_breakout_stays_within_bounds_and_crises_fall_on_step_days_after_the_first_possible():
    for extra in ({}, {"fronts.nuclear.dialogue": True}):
        result = nuclear_ensemble(extra)
        n, c = result.scenario.fronts.nuclear, result.columns
        months = c["breakout_months"]
        assert (months >= 0).all() and (months <= n.max_months).all()
        crisis, day = c["breakout_crisis"], c["breakout_crisis_day"]
        assert (crisis == (day >= 0)).all()
        # a step is at most 1.5 step_months (0.75): from 6 months, four steps leave more than 3,
        # so the first crisis (first day below 3, no dialogue) can come on the fifth step day,
        # day 300; breakout only moves on step days, so a crisis falls on one
        largest = 1.5 * n.step_months
        steps = math.floor((n.breakout_months - n.crisis_threshold_months) / largest) + 1
        first = steps * n.step_days
        assert first == 300
        assert (day[crisis] >= first).all() and (day[crisis] % n.step_days == 0).all()
    # the days vary between runs (steps are choices of random size)
    days = nuclear_ensemble().columns["breakout_crisis_day"]
    assert np.unique(days[days >= 0]).size > 1


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
