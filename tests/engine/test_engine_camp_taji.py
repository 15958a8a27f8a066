"""The Camp Taji path (MODEL.md §8, §12 item 8): under `strategic` and `targeted`, a lethal proxy
attack whose attribution to the principal's orders stays low leads mostly to strikes on the
proxy, not on the state; `restraint` does not answer. The same attacks attributed above tau fire
the red line, and a committed owner strikes the state.

The fixture (fixtures/camp-taji.yaml) explains why P(ordered) stays below 0.47 there. Its header
also says the challenger never orders an attack: in model version 2 orders are the challenger's
quantal response (order_utility), which the fixture's `rules.campaign_order_daily` no longer
sets, so the tests that need every attack unordered make ordering prohibitively costly
(NO_ORDERS)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import numpy as np
import pytest

from crisislab.engine import beliefs
from crisislab.engine import layout as col
from crisislab.engine.constants import RESPONSES
from crisislab.scenario.loader import load_scenario
from crisislab.simulate import simulate, simulate_runs

FIXTURE = str(Path(__file__).parent / "fixtures" / "camp-taji.yaml")
RUNS, SEED = 1024, 3
RED_LINE = "red_lines.killed_on_orders.when.1.value"  # tau
NONE, STRIKE_PROXY, STRIKE_STATE = (
    RESPONSES.index(r) for r in ("none", "strike_proxy", "strike_state")
)
DEFENDER = 0
# ordering its groups costs the challenger so much that it never does: every attack is unordered
NO_ORDERS = {"logit.order_cost": 1e4}

# answers carried out the next day (a planning delay of one day, always): each can be read off
# its decision (by default a lognormal delay, and a new decision before it falls due replaces it)
NEXT_DAY = {"logit.planning_median_days": 1.0, "logit.planning_sigma": 0.0}

# The same attacks, now read as ordered: an aggressive challenger that orders its proxy on every
# occasion (a daily review, an order worth far more than it costs), a defender that assumes tight
# control and an order share of 0.9, findings 95% accurate, tau 0.5; answers the next day.
ABOVE_TAU = {
    **NEXT_DAY,
    "actors.IRN.type_prior": 0.0,
    "logit.order_value": 20.0,
    "logit.occasion_days": 1.0,
    "actors.USA.assumed_control.KH": 0.95,
    "attribution.accuracy": 0.95,
    "attribution.assumed_order_share": 0.9,
    RED_LINE: 0.5,
    "actors.USA.doctrine": "restraint",  # so that only the red line can strike the state
}


@cache
def run(**overrides):
    return simulate(FIXTURE, runs=RUNS, seed=SEED, overrides=overrides)


@cache
def traced(**overrides):
    return simulate_runs(load_scenario(FIXTURE, overrides), SEED, 0, RUNS, tracing=True)


def below(doctrine="strategic", **extra):
    return run(**{"actors.USA.doctrine": doctrine, **extra})


def defender_decisions(batch) -> np.ndarray:
    log = batch.log()
    return log[(log[:, col.LOG_WHAT] == col.WHAT_DECISION) & (log[:, col.LOG_SIDE] == DEFENDER)]


def answers(doctrine: str) -> np.ndarray:
    """The defender's answer to each attack it perceived (its decisions on a new attack)."""
    rows = defender_decisions(traced(**{"actors.USA.doctrine": doctrine}))
    return rows[rows[:, col.LOG_TRIGGER] == 1][:, col.LOG_RESPONSE].astype(int)


def story_of_a_run_with_attacks(result, at_least=2):
    c = result.columns
    k = int(np.flatnonzero(c["group_attacks"] >= at_least)[0])
    return result.story(k)


# --- below tau: the proxy is struck, not the state ----------------------------------------------


def test_below_tau_every_attack_kills_and_is_unordered():
    c = below(**NO_ORDERS).columns
    assert c["group_attacks"].sum() > 1000
    assert np.all(c["defender_deaths"] >= c["group_attacks"])  # p_kill 1: every attack kills
    assert np.all(c["challenger_limited"])
    assert np.all(c["intended"])  # a limited challenger that ordered nothing


@pytest.mark.parametrize("doctrine", ["strategic", "targeted", "restraint"])
def test_below_tau_no_red_line_fires(doctrine):
    c = below(doctrine).columns
    assert c["group_attacks"].sum() > 1000
    assert np.all(c["red_line_firings"] == 0)


@pytest.mark.parametrize(("doctrine", "state_at_most"), [("strategic", 0.35), ("targeted", 0.0)])
def test_a_low_attribution_attack_is_answered_mostly_by_striking_the_proxy(doctrine, state_at_most):
    """MODEL.md §12 item 8. Of the defender's answers to the attacks it perceived, strikes on
    the proxy are most; strikes on the state are few under strategic (nothing forbids them, but
    P(ordered) < 0.47 makes them worth little) and none under targeted (kept for its red line,
    which does not fire). Measured at seed 3: strategic 1784 strikes on the proxy and 446 on
    the state in 3783 answers (the rest non-violent); targeted 3008 and none in 3412."""
    kind = answers(doctrine)
    assert len(kind) > 2500
    violent = kind[kind != NONE]
    assert np.mean(violent == STRIKE_PROXY) > 0.6
    assert np.mean(violent == STRIKE_STATE) <= state_at_most
    assert np.mean(kind == STRIKE_PROXY) > 0.3


@pytest.mark.parametrize(("doctrine", "share"), [("strategic", 0.5), ("targeted", 0.9)])
def test_the_first_answer_to_the_first_lethal_proxy_attack_is_a_strike_on_the_proxy(
    doctrine, share
):
    """Run by run: after the first lethal proxy attack, the defender's first strike is on the
    proxy, with no strike on the state before it, in most runs (measured: strategic 0.69, the
    state first in 0.17; targeted 0.97, the state never)."""
    c = below(doctrine).columns
    lethal = c["first_lethal_proxy_attack_day"]
    proxy, state = c["first_proxy_strike_day"], c["first_state_strike_day"]
    attacked = lethal >= 0
    assert attacked.mean() > 0.9
    proxy_first = (proxy >= lethal) & ((state < 0) | (state > proxy))
    state_first = (state >= lethal) & ((proxy < 0) | (proxy > state))
    assert proxy_first[attacked].mean() > share
    assert state_first[attacked].mean() < proxy_first[attacked].mean() / 2


def test_below_tau_restraint_does_not_answer_at_all():
    c = below("restraint").columns
    assert c["group_attacks"].sum() > 1000
    assert np.all(c["proxy_strikes"] == 0) and np.all(c["direct_exchanges"] == 0)
    assert (answers("restraint") == NONE).all()


def test_below_tau_targeted_story_shows_strikes_on_the_proxy_and_no_red_line():
    story = story_of_a_run_with_attacks(below("targeted", **NO_ORDERS, **NEXT_DAY))
    kinds = [r["kind"] for r in story.records]
    assert "red_line" not in kinds
    attacks = [r for r in story.records if r["kind"] == "event" and r["source"] == "group act"]
    assert len(attacks) >= 2
    for a in attacks:
        assert a["actor"] == "KH" and a["ordered_by"] is None and a["deaths"] >= 1
        assert a["victims"] == "USA" and a["perceived_actor"] == "KH"
    decisions = [r for r in story.records if r["kind"] == "decision" and r["actor"] == "USA"]
    assert decisions
    assert all(d["response"] in ("strike_proxy", "none") for d in decisions)
    struck = [d for d in decisions if d["response"] == "strike_proxy"]
    assert struck and all(d["target"] == "KH" for d in struck)
    responses = [r for r in story.records if r["kind"] == "event" and r["source"] == "response"]
    assert responses
    assert all(r["action"] == "strike_on_proxy" and r["target"] == "KH" for r in responses)
    assert all(r["day"] == d["day"] + 1 for r, d in zip(responses, struck, strict=False))


# --- above tau: the red line fires, and a committed owner strikes the state ---------------------


def test_above_tau_red_line_fires_in_every_run_with_american_deaths():
    c = run(**ABOVE_TAU).columns
    lethal = c["defender_deaths"] > 0
    assert lethal.mean() > 0.99
    assert np.all(c["red_line_firings"][lethal] >= 1)
    assert c["direct_exchanges"].sum() > 0.9 * c["red_line_firings"].sum()


def test_above_tau_a_committed_owner_strikes_the_state_and_only_an_uncommitted_one_the_proxy():
    """Committed in a share ρ = 0.95 of the firings (no public commitment: measured rhetoric),
    and then the line's response, a strike on the state. Restraint answers with force only when
    its red line fires, so every strike on the proxy is the choice of an owner whose line fired
    uncommitted that day."""
    batch = traced(**ABOVE_TAU)
    log = batch.log()
    fired = log[log[:, col.LOG_WHAT] == col.WHAT_RED_LINE]
    assert len(fired) > 5000
    assert np.mean(fired[:, col.LOG_ENFORCED] == 1) == pytest.approx(0.95, abs=0.01)

    def days(rows) -> list[tuple[int, int]]:
        return list(zip(*(rows[:, c].astype(int) for c in (col.LOG_RUN, col.LOG_DAY)), strict=True))

    committed = set(days(fired[fired[:, col.LOG_ENFORCED] == 1]))
    uncommitted = set(days(fired[fired[:, col.LOG_ENFORCED] == 0])) - committed
    fired_days = committed | uncommitted
    decisions = defender_decisions(batch)
    kind = decisions[:, col.LOG_RESPONSE].astype(int)
    keyed = days(decisions)
    on_committed = np.array([d in committed for d in keyed], bool)
    assert on_committed.sum() > 5000 and (kind[on_committed] == STRIKE_STATE).all()
    on_proxy = [d for d, k in zip(keyed, kind, strict=True) if k == STRIKE_PROXY]
    assert on_proxy and all(d in uncommitted for d in on_proxy)
    violent_unfired = [
        d for d, k in zip(keyed, kind, strict=True) if k != NONE and d not in fired_days
    ]
    assert violent_unfired == []


def test_above_tau_unenforced_red_lines_cost_the_audience_cost():
    """A firing goes unenforced only when the owner is uncommitted (5%) and then backs down;
    backing down costs its audience cost."""
    c = run(**ABOVE_TAU).columns
    unenforced = c["red_lines_unenforced"].sum() / c["red_line_firings"].sum()
    assert 0.0 < unenforced < 0.05
    assert np.all(c["audience_cost"][c["red_lines_unenforced"] == 0] == 0)
    assert np.all(c["audience_cost"][c["red_lines_unenforced"] > 0] > 0)


def test_above_tau_story_shows_the_red_line_then_a_strike_on_the_state():
    story = story_of_a_run_with_attacks(run(**ABOVE_TAU))
    records = story.records
    fired = [r for r in records if r["kind"] == "red_line"]
    assert fired
    assert all(r["p_ordered"] >= 0.5 and r["owner"] == "USA" for r in fired)
    assert all(r["reported_deaths"] >= 1 for r in fired)
    first = next(r for r in fired if r["enforced"])
    decision = next(
        r
        for r in records
        if r["kind"] == "decision" and r["actor"] == "USA" and r["day"] == first["day"]
    )
    assert decision["response"] == "strike_state" and decision["target"] == "IRN"
    strike = next(
        r
        for r in records
        if r["kind"] == "event" and r["source"] == "response" and r["day"] == first["day"] + 1
    )
    assert strike["action"] == "strike_on_state" and strike["actor"] == "USA"


def test_red_line_reads_the_perceived_attribution_not_the_truth():
    """Almost every attack is truly ordered and lethal, but with tau = 1 the perceived
    P(ordered) never reaches it: the red line never fires, and restraint never answers."""
    batch = traced(**{**ABOVE_TAU, RED_LINE: 1.0})
    log = batch.log()
    attacks = log[(log[:, col.LOG_WHAT] == col.WHAT_EVENT) & (log[:, col.LOG_GROUP] >= 0)]
    assert len(attacks) > 10_000 and attacks[:, col.LOG_ORDERED].mean() > 0.99
    assert (attacks[:, col.LOG_DEATHS] > 0).all()
    assert not (log[:, col.LOG_WHAT] == col.WHAT_RED_LINE).any()
    assert not batch.field("direct_exchanges").any()


# --- what a channel carries: a credible C2 disavowal ------------------------------------------

# The challenger orders nothing, so its proxy attacks are all unordered, but the defender's model
# (assumed control 0.6, order share 0.3) puts P0(ordered) up to 0.81 once it distrusts the
# challenger: misattribution fires the red line. Over a hotline (no latency) that carries C2
# information, the limited challenger disavows each lethal unordered attack the same day,
# dividing the odds by LR_c2.
MISATTRIBUTED = {
    **NO_ORDERS,
    "actors.USA.assumed_control.KH": 0.6,
    "attribution.assumed_order_share": 0.3,
    "actors.USA.doctrine": "restraint",
    "channel.kind": "hotline",
}


def test_without_c2_unordered_attacks_are_misattributed_and_fire_the_red_line():
    c = run(**MISATTRIBUTED, **{"channel.carries_c2": False}).columns
    assert np.all(c["challenger_limited"]) and np.all(c["intended"])
    assert c["red_line_fired"].mean() > 0.3
    assert c["direct_exchanges"].sum() > 0  # the state is struck for what it did not order


@pytest.mark.parametrize(("lr_c2", "at_most"), [(2.0, 0.5), (20.0, 0.0)])
def test_a_credible_c2_disavowal_keeps_unordered_attacks_below_tau(lr_c2, at_most):
    """LR_c2 = 2 halves the odds: fewer firings. LR_c2 = 20 brings even the largest posterior odds
    (0.81 prior x 3 for a wrong finding = 12.9) below tau's 2.33: no firing at all."""
    without = run(**MISATTRIBUTED, **{"channel.carries_c2": False}).columns
    with_c2 = run(**MISATTRIBUTED, **{"channel.carries_c2": True, "channel.lr_c2": lr_c2}).columns
    assert with_c2["red_line_firings"].sum() <= at_most * without["red_line_firings"].sum()
    assert with_c2["red_line_fired"].mean() < without["red_line_fired"].mean()


def test_perfect_attribution_accuracy_is_allowed_and_decisive():
    """accuracy 1 is a valid setting (it once divided by zero): a finding settles attribution."""
    c = run(**{**ABOVE_TAU, "attribution.accuracy": 1.0}).columns
    assert np.all(c["red_line_firings"][c["defender_deaths"] > 0] >= 1)
    misread = run(**MISATTRIBUTED, **{"attribution.accuracy": 1.0}).columns
    assert np.all(np.isfinite(misread["belief_defender"]))


# --- decisions read perceptions, never the truth ----------------------------------------------

TYPE_DERIVED = {  # the challenger's hidden resolve and the labels read from it
    "challenger_limited",
    "resolve_challenger",
    "resolve_drawn_challenger",
    "intended",
    "both",
    "war_spiral",
    "war_deterrence_failure",
}


@pytest.mark.parametrize("doctrine", ["strategic", "targeted", "proportional", "restraint"])
def test_a_hidden_resolve_that_changes_no_behaviour_changes_no_decision(doctrine):
    """With ordering made prohibitive, the challenger's resolve changes nothing it does (no
    orders, no enforcement, nothing to answer with, no C2 channel): its resolve is a truth the
    defender cannot observe, and every column that is not the resolve or a label read from it
    is identical whether the challenger is limited (resolve below 1/2) or aggressive."""
    limited = below(doctrine, **NO_ORDERS, **{"actors.IRN.type_prior": 1.0}).columns
    aggressive = below(doctrine, **NO_ORDERS, **{"actors.IRN.type_prior": 0.0}).columns
    assert limited["challenger_limited"].all() and not aggressive["challenger_limited"].any()
    assert limited["group_attacks"].sum() > 1000
    for name in limited.keys() - TYPE_DERIVED:
        assert np.array_equal(limited[name], aggressive[name]), name


def test_the_fixture_keeps_p_ordered_below_one_half_for_any_belief():
    """The arithmetic in the fixture's header, with the day loop's own functions."""
    finding = float(beliefs.evidence_ratio(0.75, True))
    p0 = [beliefs.prior_ordered(mu, 0.3, 0.05, 4.0) for mu in np.linspace(0.0, 1.0, 101)]
    assert max(p0) == pytest.approx(0.2 / 0.865)
    worst = max(beliefs.attribution_posterior(beliefs.odds(p), finding, False, 2.0) for p in p0)
    assert worst == pytest.approx(0.474, abs=1e-3)
    assert worst < 0.5 < 0.7
