"""The Camp Taji path (MODEL.md §8, §12): a lethal proxy attack whose attribution to the
challenger's orders stays below tau is answered by strikes on the proxy, not on the state; the same
attack attributed above tau fires the red line, and the bound response is a strike on the state.

The fixture (fixtures/camp-taji.yaml) explains why P(ordered) stays below 0.47 there."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import numpy as np
import pytest

from crisislab.engine import beliefs
from crisislab.simulate import simulate

FIXTURE = str(Path(__file__).parent / "fixtures" / "camp-taji.yaml")
RUNS, SEED = 1024, 3
RED_LINE = "red_lines.killed_on_orders.when.1.value"  # tau

# The same attacks, now read as ordered: an aggressive challenger keeps its proxy under orders,
# the defender assumes tight control and an order share of 0.9, findings are 95% accurate, tau 0.5.
ABOVE_TAU = {
    "actors.IRN.type_prior": 0.0,
    "actors.IRN.rules.campaign_order_daily.aggressive": 1.0,
    "actors.USA.assumed_control.KH": 0.95,
    "attribution.accuracy": 0.95,
    "attribution.assumed_order_share": 0.9,
    RED_LINE: 0.5,
    "actors.USA.doctrine": "restraint",  # so that only the red line can strike the state
}


@cache
def run(**overrides):
    return simulate(FIXTURE, runs=RUNS, seed=SEED, overrides=overrides)


def below(doctrine="proportional", **extra):
    return run(**{"actors.USA.doctrine": doctrine, **extra})


def story_of_a_run_with_attacks(result, at_least=2):
    c = result.columns
    k = int(np.flatnonzero(c["group_attacks"] >= at_least)[0])
    return result.story(k)


# --- below tau: strike the proxy --------------------------------------------------------------


def test_below_tau_every_attack_kills_and_is_unordered():
    c = below().columns
    assert c["group_attacks"].sum() > 1000
    assert np.all(c["defender_deaths"] >= c["group_attacks"])  # p_kill 1: every attack kills
    assert np.all(c["challenger_limited"])


def test_below_tau_proportional_strikes_the_proxy_never_the_state():
    c = below().columns
    assert np.all(c["red_line_firings"] == 0)
    assert np.all(c["direct_exchanges"] == 0)
    # each attack is answered the next day, except an attack on the last day
    assert np.all(c["proxy_strikes"] <= c["group_attacks"])
    assert np.all(c["proxy_strikes"] >= c["group_attacks"] - 1)
    assert c["proxy_strikes"].sum() / c["group_attacks"].sum() > 0.98
    assert np.all(c["limited_reprisal_cycle"] == (c["proxy_strikes"] >= 2))


def test_below_tau_story_shows_strikes_on_the_proxy_and_no_red_line():
    story = story_of_a_run_with_attacks(below())
    kinds = [r["kind"] for r in story.records]
    assert "red_line" not in kinds
    attacks = [r for r in story.records if r["kind"] == "event" and r["source"] == "group act"]
    assert len(attacks) >= 2
    for a in attacks:
        assert a["actor"] == "KH" and a["ordered_by"] is None and a["deaths"] >= 1
        assert a["victims"] == "USA" and a["perceived_actor"] == "KH"
    decisions = [r for r in story.records if r["kind"] == "decision" and r["actor"] == "USA"]
    assert decisions
    assert all(d["response"] == "strike_proxy" and d["target"] == "KH" for d in decisions)
    responses = [r for r in story.records if r["kind"] == "event" and r["source"] == "response"]
    assert responses
    assert all(r["action"] == "strike_on_proxy" and r["target"] == "KH" for r in responses)
    assert all(r["day"] == d["day"] + 1 for r, d in zip(responses, decisions, strict=False))


def test_below_tau_gtft_without_forgiveness_is_proportional():
    gtft = below("gtft", **{"doctrines.gtft_forgiveness": 0.0}).columns
    proportional = below().columns
    for name in proportional:
        assert np.array_equal(gtft[name], proportional[name]), name


def test_below_tau_gtft_forgives_about_a_third_of_the_attacks():
    c = below("gtft").columns
    answered = c["proxy_strikes"].sum() / c["group_attacks"].sum()
    assert answered == pytest.approx(2 / 3, abs=0.03)
    assert np.all(c["red_line_firings"] == 0) and np.all(c["direct_exchanges"] == 0)


def test_below_tau_restraint_does_not_answer_at_all():
    c = below("restraint").columns
    assert c["group_attacks"].sum() > 1000
    assert np.all(c["proxy_strikes"] == 0) and np.all(c["direct_exchanges"] == 0)
    assert np.all(c["red_line_firings"] == 0)


# --- above tau: the red line fires and binds a strike on the state ----------------------------


def test_above_tau_red_line_fires_and_the_state_is_struck_never_the_proxy():
    c = run(**ABOVE_TAU).columns
    lethal = c["defender_deaths"] > 0
    assert lethal.mean() > 0.99
    assert np.all(c["red_line_firings"][lethal] >= 1)
    assert np.all(c["proxy_strikes"] == 0)
    assert np.all(c["direct_exchanges"][c["red_line_firings"] >= 2] >= 1)
    assert c["direct_exchanges"].sum() > 0.9 * (
        c["red_line_firings"].sum() - c["red_lines_unenforced"].sum()
    )


def test_above_tau_red_line_is_enforced_with_probability_rho():
    """rho = 0.95 with no public commitment (measured rhetoric)."""
    c = run(**ABOVE_TAU).columns
    unenforced = c["red_lines_unenforced"].sum() / c["red_line_firings"].sum()
    assert unenforced == pytest.approx(0.05, abs=0.01)
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
    assert not any(
        r["kind"] == "decision" and r["response"] == "strike_proxy" for r in story.records
    )


def test_red_line_reads_the_perceived_attribution_not_the_truth():
    """Every attack is truly ordered and lethal, but with tau = 1 the perceived P(ordered) never
    reaches it: the red line never fires."""
    c = run(**{**ABOVE_TAU, RED_LINE: 1.0}).columns
    assert c["defender_deaths"].sum() > 0
    assert np.all(c["red_line_firings"] == 0)
    assert np.all(c["direct_exchanges"] == 0)


# --- what a channel carries: a credible C2 disavowal ------------------------------------------

# The limited challenger's proxy attacks are all unordered, but the defender's model (assumed
# control 0.6, order share 0.3) puts P0(ordered) up to 0.81 once it distrusts the challenger:
# misattribution fires the red line. Over a hotline (no latency) that carries C2 information, the
# challenger disavows each lethal unordered attack the same day, dividing the odds by LR_c2.
MISATTRIBUTED = {
    "actors.USA.assumed_control.KH": 0.6,
    "attribution.assumed_order_share": 0.3,
    "actors.USA.doctrine": "restraint",
    "channel.kind": "hotline",
}


def test_without_c2_unordered_attacks_are_misattributed_and_fire_the_red_line():
    c = run(**MISATTRIBUTED, **{"channel.carries_c2": False}).columns
    assert np.all(c["challenger_limited"])
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

TYPE_DERIVED = {
    "challenger_limited",
    "intended",
    "both",
    "war_spiral",
    "war_deterrence_failure",
}


@pytest.mark.parametrize("doctrine", ["proportional", "gtft", "retaliatory", "restraint"])
def test_a_hidden_type_that_changes_no_behaviour_changes_no_decision(doctrine):
    """In the fixture both challenger types behave alike (no campaign orders, no enforcement, no
    retaliation, no C2 channel): whether it is limited is a truth the defender cannot observe,
    and every column that is not the type itself is identical."""
    limited = below(doctrine, **{"actors.IRN.type_prior": 1.0}).columns
    aggressive = below(doctrine, **{"actors.IRN.type_prior": 0.0}).columns
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
