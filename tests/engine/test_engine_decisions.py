"""How leaderships respond (MODEL.md §5), how red lines fire and bind (§8), and that neither reads
the truth (§3), tested on whole runs of the day loop.

A traced batch logs every decision (the response, whether a new perceived attack triggered it) and
every red-line firing (whether it was enforced); with daily series it also keeps each leadership's
belief at the end of each day, which is the belief its decision that day read. The doctrines'
and the logit's own draw is the keyed uniform (RESPONSE, side) of the run and day, so some
properties are checked decision by decision, others as frequencies over many runs.

Two scenarios: the Camp Taji fixture (every attack is a lethal proxy attack attributed below tau,
so no red line fires and every decision of the defender is its doctrine's) and us-iran-2020, made
quiet where a test needs one event alone (no group attacks, accidents or incidents).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import numpy as np
import pytest

from crisislab.engine import draws, philox, state
from crisislab.engine import layout as col
from crisislab.engine.compiled import DEFENDER, compile_scenario
from crisislab.engine.constants import RESPONSES
from crisislab.engine.script import Script, ScriptedEvent
from crisislab.scenario.loader import ScenarioError, load_scenario
from crisislab.scenario.schema import Doctrines, Logit
from crisislab.simulate import setup_of, simulate, simulate_runs

SCENARIO = "us-iran-2020"
CAMP_TAJI = str(Path(__file__).parent / "fixtures" / "camp-taji.yaml")
DOCTRINES = ("restraint", "gtft", "proportional", "retaliatory")
NONE, STRIKE_PROXY, STRIKE_STATE, RETALIATE = (
    RESPONSES.index(r) for r in ("none", "strike_proxy", "strike_state", "retaliate")
)
SEED = 3
US_LINE = "red_lines.american_killed_on_iranian_orders"
# one event alone: no group attacks, accidents, losses of control or maritime incidents
QUIET = {
    "hazards.accident_per_max_alert_day": 0.0,
    "hazards.loss_of_control_per_day": 0.0,
    "actors.KH.base_hazard": 0.0,
    "actors.PMF.base_hazard": 0.0,
    "actors.IRGC.base_hazard": 0.0,
    "fronts.maritime.base_hazard": 0.0,
}


# --- helpers ----------------------------------------------------------------------------------


def levers(*given: dict, **named) -> tuple:
    """Overrides as a hashable key: dictionaries of dotted paths, and keywords with `__` for the
    dots."""
    merged = {k: v for d in given for k, v in d.items()}
    merged.update({k.replace("__", "."): v for k, v in named.items()})
    return tuple(sorted(merged.items()))


@cache
def traced(scenario: str, overrides: tuple, runs: int = 1024, seed: int = SEED):
    """A traced batch with daily series."""
    resolved = load_scenario(scenario, dict(overrides))
    return simulate_runs(resolved, seed, 0, runs, tracing=True, daily=True)


def scripted(overrides: dict, events, runs: int = 512, seed: int = SEED):
    """A traced batch of quiet us-iran-2020 in which `events(compiled)` happen on day 0 (and
    the opening event does not)."""
    scenario = load_scenario(SCENARIO, {**QUIET, **overrides})
    c = setup_of(scenario).c
    script = Script(fork_day=0, events={0: [ScriptedEvent(**e) for e in events(c)]})
    return simulate_runs(scenario, seed, 0, runs, tracing=True, script=script)


def records(batch, what: int, side: int | None = None) -> np.ndarray:
    log = batch.log()
    keep = log[:, col.LOG_WHAT] == what
    if side is not None:
        keep &= log[:, col.LOG_SIDE] == side
    return log[keep]


def run_day(rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return rows[:, col.LOG_RUN].astype(int), rows[:, col.LOG_DAY].astype(int)


def bound(batch, rows: np.ndarray) -> np.ndarray:
    """Whether each decision was bound by a red line of its side enforced that day."""
    responses = np.array([line.response for line in batch.setup.c.red_lines])
    lines = records(batch, col.WHAT_RED_LINE)
    lines = lines[
        (lines[:, col.LOG_ENFORCED] == 1) & (responses[lines[:, col.LOG_LINE].astype(int)] > 0)
    ]
    enforced = set(zip(*run_day(lines), lines[:, col.LOG_SIDE].astype(int), strict=True))
    return np.array(
        [
            (r, d, s) in enforced
            for r, d, s in zip(*run_day(rows), rows[:, col.LOG_SIDE].astype(int), strict=True)
        ],
        bool,
    )


def doctrine_decisions(batch, side: int = DEFENDER) -> np.ndarray:
    """The side's decisions that no red line bound: its doctrine's or its logit's."""
    rows = records(batch, col.WHAT_DECISION, side)
    return rows[~bound(batch, rows)]


def response(rows: np.ndarray) -> np.ndarray:
    return rows[:, col.LOG_RESPONSE].astype(int)


def belief_at(batch, rows: np.ndarray, side: int = DEFENDER) -> np.ndarray:
    runs, days = run_day(rows)
    return batch.daily("belief")[runs, side, days].astype(np.float64)


def response_draws(rows: np.ndarray, side: int = DEFENDER, seed: int = SEED) -> np.ndarray:
    """The keyed uniform a doctrine or the logit compares with, for each decision."""
    runs, days = run_day(rows)
    u = np.empty(len(rows))
    for day in np.unique(days):
        at = days == day
        u[at] = philox.uniforms(seed, runs[at], int(day), draws.RESPONSE, side, 1)[0]
    return u


# --- generous tit-for-tat ---------------------------------------------------------------------


def generous_tft_forgiveness(t: float, r: float, p: float, s: float) -> float:
    """Largest forgiveness that still deters exploitation (Nowak & Sigmund 1992)."""
    return min(1 - (t - r) / (r - s), (r - p) / (t - p))


def test_gtft_forgiveness_is_one_third_for_payoffs_5_3_1_0_and_is_the_schema_default():
    q = generous_tft_forgiveness(5, 3, 1, 0)  # min(1 - 2/3, 2/4)
    assert q == pytest.approx(1 / 3)
    assert Doctrines().gtft_forgiveness == pytest.approx(q)
    builtin = load_scenario(SCENARIO).doctrines.gtft_forgiveness
    assert builtin == pytest.approx(q, abs=1e-6)


def test_gtft_forgives_about_one_third_of_attacks_and_answers_the_rest_in_kind():
    """Camp Taji: 4411 lethal proxy attacks perceived; measured share forgiven 0.341."""
    rows = doctrine_decisions(traced(CAMP_TAJI, levers(actors__USA__doctrine="gtft")))
    assert len(rows) > 3000 and (rows[:, col.LOG_TRIGGER] == 1).all()
    kind = response(rows)
    assert set(np.unique(kind)) == {NONE, STRIKE_PROXY}
    assert np.mean(kind == NONE) == pytest.approx(1 / 3, abs=0.03)


def test_gtft_forgives_exactly_when_its_draw_is_below_the_forgiveness():
    """No rhetoric in Camp Taji, so no commitment: the forgiveness is q = 1/3 itself."""
    rows = doctrine_decisions(traced(CAMP_TAJI, levers(actors__USA__doctrine="gtft")))
    u = response_draws(rows)
    q = Doctrines().gtft_forgiveness
    assert np.array_equal(response(rows) == NONE, u < q)


@pytest.mark.parametrize(
    "same_as_proportional",
    [
        {"actors.USA.doctrine": "gtft", "doctrines.gtft_forgiveness": 0.0},
        {"actors.USA.doctrine": "retaliatory", "doctrines.retaliatory_trust_threshold": 0.0},
    ],
    ids=["gtft-never-forgiving", "retaliatory-never-distrustful"],
)
def test_a_doctrine_at_its_limit_gives_the_proportional_runs(same_as_proportional):
    """Same seed, same draws: the runs are identical, column by column; at their defaults the
    two doctrines give different runs."""

    def columns(overrides):
        return simulate(SCENARIO, runs=2048, seed=9, overrides=overrides, days=200).columns

    proportional = columns({"actors.USA.doctrine": "proportional"})
    at_limit = columns(same_as_proportional)
    for name, values in proportional.items():
        assert np.array_equal(at_limit[name], values), name
    default = columns({"actors.USA.doctrine": same_as_proportional["actors.USA.doctrine"]})
    assert not np.array_equal(default["outcome"], proportional["outcome"])


# --- the four doctrines -----------------------------------------------------------------------


def test_restraint_never_answers_an_attack_by_doctrine():
    """Red lines are handled before doctrines: under restraint every strike the defender orders
    is a red line's, and none is counted as an order of its own."""
    batch = traced(SCENARIO, levers(actors__USA__rules__campaign_order_daily__aggressive=0.0))
    assert batch.setup.c.sides[DEFENDER].doctrine == "restraint"
    rows = records(batch, col.WHAT_DECISION, DEFENDER)
    assert (response(rows[~bound(batch, rows)]) == NONE).all()
    assert bound(batch, rows).sum() > 100  # red lines fire and bind strikes on the state
    assert (response(rows[bound(batch, rows)]) == STRIKE_STATE).all()
    assert not batch.field("orders")[:, DEFENDER].any()
    assert not batch.field("proxy_strikes").any()
    taji = traced(CAMP_TAJI, levers(actors__USA__doctrine="restraint")).field
    assert not taji("proxy_strikes").any() and not taji("direct_exchanges").any()


def test_proportional_strikes_the_proxy_for_a_proxy_attack_and_the_state_for_a_state_act():
    taji = traced(CAMP_TAJI, levers(actors__USA__doctrine="proportional"))
    rows = doctrine_decisions(taji)
    kh = [g.id for g in taji.setup.c.groups].index("KH")
    assert len(rows) > 3000
    assert (response(rows) == STRIKE_PROXY).all() and (rows[:, col.LOG_GROUP] == kh).all()
    # the opening event of us-iran-2020 alone: Iran's overt missile strike
    opening = traced(SCENARIO, levers(QUIET, actors__USA__doctrine="proportional", days=1))
    rows = doctrine_decisions(opening)
    assert len(rows) > 1000
    assert (response(rows) == STRIKE_STATE).all()


@pytest.mark.parametrize("prior_trust", [0.5, 0.65])
def test_retaliatory_strikes_the_state_exactly_when_trust_is_below_its_threshold(prior_trust):
    """Camp Taji's proxy attacks: the state is struck when the defender's belief that day is below
    the threshold (0.6), the proxy otherwise; measured: 97% of 4411 decisions below it at prior
    0.5, 40% at prior 0.65."""
    batch = traced(
        CAMP_TAJI, levers(actors__USA__doctrine="retaliatory", actors__USA__prior_trust=prior_trust)
    )
    rows = doctrine_decisions(batch)
    threshold = Doctrines().retaliatory_trust_threshold
    belief = belief_at(batch, rows)
    clear = np.abs(belief - threshold) > 1e-6  # the series is kept in float32
    expected = np.where(belief < threshold, STRIKE_STATE, STRIKE_PROXY)
    assert np.array_equal(response(rows)[clear], expected[clear])
    assert (expected == STRIKE_STATE).any() and (expected == STRIKE_PROXY).any()


@pytest.mark.parametrize("decision", [*DOCTRINES, "logit"])
def test_no_doctrine_acts_without_a_perceived_attack_and_orders_count_its_acts(decision):
    """Every response a leadership chooses itself answers a new perceived attack; a leadership's
    orders are its campaigns begun plus its own responses after day 0 (not those a red line
    bound)."""
    choice = (
        {"actors.USA.decision": "logit"}
        if decision == "logit"
        else {"actors.USA.doctrine": decision}
    )
    batch = traced(SCENARIO, levers(choice))
    orders = np.zeros((batch.runs, 2), np.int64)
    begun = records(batch, col.WHAT_ORDERS)
    begun = begun[begun[:, col.LOG_VALUE] == 1]
    np.add.at(orders, (begun[:, col.LOG_RUN].astype(int), begun[:, col.LOG_SIDE].astype(int)), 1)
    for side in (0, 1):
        rows = doctrine_decisions(batch, side)
        acts = rows[response(rows) > NONE]
        assert (acts[:, col.LOG_TRIGGER] == 1).all()
        acts = acts[acts[:, col.LOG_DAY] > 0]
        np.add.at(orders[:, side], acts[:, col.LOG_RUN].astype(int), 1)
    assert np.array_equal(orders, batch.field("orders"))
    if decision != "restraint":
        assert (response(doctrine_decisions(batch)) > NONE).sum() > 500


@pytest.mark.parametrize("decision", [*DOCTRINES, "logit"])
def test_doctrines_never_retaliate_that_is_the_challenger_red_line_rule(decision):
    """Iran can execute only a retaliation: whatever its doctrine, it retaliates only when its
    red lines bind it (the defender's proportional strikes give it attacks to answer)."""
    choice = (
        {"actors.IRN.decision": "logit"}
        if decision == "logit"
        else {"actors.IRN.doctrine": decision}
    )
    batch = traced(
        SCENARIO,
        levers(choice, actors__USA__doctrine="proportional"),
    )
    challenger = 1
    rows = records(batch, col.WHAT_DECISION, challenger)
    assert (rows[:, col.LOG_TRIGGER] == 1).sum() > 500
    assert (response(rows[~bound(batch, rows)]) == NONE).all()
    assert (response(rows[bound(batch, rows)]) == RETALIATE).sum() > 100


def test_an_unknown_doctrine_is_an_error():
    with pytest.raises(ScenarioError, match="appeasement"):
        load_scenario(SCENARIO, {"actors.USA.doctrine": "appeasement"})


# --- audience costs: commitment makes forgiving costlier and enforcing likelier -----------------


@cache
def committed(rhetoric: str, audience_cost: float):
    """us-iran-2020, gtft, one year, 4096 runs; the US red line enforced at 0.5 so that
    commitment has room to raise it. Inflammatory rhetoric builds a commitment of about 0.7."""
    return traced(
        SCENARIO,
        levers(
            {f"{US_LINE}.enforcement": 0.5},
            actors__USA__doctrine="gtft",
            actors__USA__rhetoric=rhetoric,
            actors__USA__audience_cost=audience_cost,
        ),
        runs=4096,
        seed=5,
    )


def forgiven_share(batch) -> float:
    rows = doctrine_decisions(batch)
    rows = rows[rows[:, col.LOG_TRIGGER] == 1]
    return float(np.mean(response(rows) == NONE))


def unenforced_share(batch) -> float:
    fired = batch.field("red_line_fired")[:, DEFENDER].sum()
    assert fired > 800
    return batch.field("red_line_unenforced")[:, DEFENDER].sum() / fired


def test_a_committed_gtft_leader_forgives_less():
    """q_eff = q e^(-audience x commitment): measured 0.336 free, 0.224 committed, 0.336 with
    no audience weight."""
    free = forgiven_share(committed("measured", 1.0))
    assert free == pytest.approx(1 / 3, abs=0.03)
    assert forgiven_share(committed("inflammatory", 1.0)) < free - 0.06
    assert forgiven_share(committed("inflammatory", 0.0)) == pytest.approx(1 / 3, abs=0.03)


def test_public_commitment_makes_a_red_line_enforced_more_often():
    """rho = 1 - (1 - 0.5) e^(-audience x commitment): measured unenforced 0.50 free, 0.38
    committed, 0.49 with no audience weight."""
    assert not committed("measured", 1.0).field("commitment")[:, DEFENDER].any()
    free = unenforced_share(committed("measured", 1.0))
    assert free == pytest.approx(0.5, abs=0.07)
    assert unenforced_share(committed("inflammatory", 1.0)) < free - 0.06
    assert unenforced_share(committed("inflammatory", 0.0)) == pytest.approx(0.5, abs=0.07)


# --- logit (quantal response) -----------------------------------------------------------------


def logit_probabilities(belief, compiled, state_perpetrator=False, commitment=0.0):
    """P(none, strike the proxy, strike the state) by hand: EU = deterrence value - cost - war
    cost x risk (x share for a proxy) - audience x commitment for none; softmax with lambda.
    The risk of war is the adversary's retaliation by type, a limited one's warned (0.9)."""
    p = compiled.scenario.logit
    adversary = compiled.sides[1 - DEFENDER]
    belief = np.asarray(belief, np.float64)
    risk = (
        belief * adversary.retaliation[0] * (1 - adversary.p_warning_delivered)
        + (1 - belief) * adversary.retaliation[1]
    )
    eu = np.stack(
        [
            np.full_like(belief, p.deterrence_value["none"] - p.action_cost["none"])
            - compiled.sides[DEFENDER].audience_cost * commitment,
            p.deterrence_value["strike_proxy"]
            - p.action_cost["strike_proxy"]
            - p.war_cost * p.proxy_risk_share * risk,
            p.deterrence_value["strike_state"] - p.action_cost["strike_state"] - p.war_cost * risk,
        ]
    )
    if state_perpetrator:
        eu[1] = -np.inf
    w = np.exp(p.precision * (eu - eu.max(axis=0)))
    return w / w.sum(axis=0)


def test_logit_worked_example_trusting_defender():
    """belief 1: war risk 0.7 x 0.1 = 0.07; EU = (0, 0.525, -0.2); softmax with lambda 2."""
    compiled = compile_scenario(load_scenario(SCENARIO))
    assert compiled.scenario.logit == Logit()
    p = logit_probabilities([1.0, 0.0], compiled)
    expected = np.exp([0.0, 1.05, -0.4]) / np.exp([0.0, 1.05, -0.4]).sum()
    assert p[:, 0] == pytest.approx(expected)
    assert p[:, 0] == pytest.approx([0.2209, 0.6311, 0.1480], abs=1e-4)
    # belief 0: risk 0.95, EU = (0, 1 - 0.3 - 2.375, 2 - 1.5 - 9.5)
    assert p[:, 1] == pytest.approx(np.exp([0.0, -3.35, -18.0]) / np.exp([0.0, -3.35, -18.0]).sum())


@pytest.mark.parametrize(
    "extra",
    [{}, {"actors.USA.prior_trust": 0.95}, {"logit.precision": 0.0}],
    ids=["default", "trusting", "precision-0"],
)
def test_logit_choices_follow_the_softmax_at_the_day_s_belief(extra):
    """Camp Taji (every attack a proxy's, P(ordered) < 0.5): each choice is the inverse CDF of
    the softmax at its draw, and the counts are within 5 standard errors of the sum of the
    probabilities (measured within 1.6)."""
    batch = traced(CAMP_TAJI, levers(extra, actors__USA__decision="logit"))
    rows = doctrine_decisions(batch)
    assert len(rows) > 3000 and (rows[:, col.LOG_TRIGGER] == 1).all()
    p = logit_probabilities(belief_at(batch, rows), batch.setup.c)
    kind = response(rows)
    counts = np.bincount(kind, minlength=3)[:3]
    expected, spread = p.sum(axis=1), np.sqrt((p * (1 - p)).sum(axis=1))
    assert np.all(np.abs(counts - expected) <= 5 * spread + 1)
    cdf = np.cumsum(p, axis=0)
    u = response_draws(rows)
    clear = (np.abs(u - cdf[0]) > 1e-6) & (np.abs(u - cdf[1]) > 1e-6)
    assert np.array_equal(kind[clear], ((u > cdf[0]).astype(int) + (u > cdf[1]))[clear])


def test_logit_with_zero_precision_is_uniform_over_the_three_actions():
    rows = doctrine_decisions(
        traced(CAMP_TAJI, levers(actors__USA__decision="logit", logit__precision=0.0))
    )
    shares = np.bincount(response(rows), minlength=3)[:3] / len(rows)
    assert shares == pytest.approx([1 / 3] * 3, abs=0.04)


def test_logit_never_strikes_a_proxy_when_the_state_is_the_perpetrator():
    """The opening event alone (Iran's overt strike), a trusting defender: measured 362 strikes
    on the state in 1000 decisions, none on a proxy."""
    batch = traced(
        SCENARIO,
        levers(QUIET, actors__USA__decision="logit", actors__USA__prior_trust=0.95, days=1),
    )
    rows = doctrine_decisions(batch)
    kind = response(rows)
    assert len(rows) > 900 and not (kind == STRIKE_PROXY).any()
    p = logit_probabilities(belief_at(batch, rows), batch.setup.c, state_perpetrator=True)
    assert p[1].max() == 0.0
    assert np.mean(kind == STRIKE_STATE) == pytest.approx(p[2].mean(), abs=0.05)


def test_logit_distrust_makes_striking_the_state_rarer_through_war_risk():
    """Camp Taji: measured 285 of 4411 choices strike the state at prior trust 0.95, none at
    0.05, where 96% of attacks go unanswered."""

    def choices(trust):
        batch = traced(
            CAMP_TAJI, levers(actors__USA__decision="logit", actors__USA__prior_trust=trust)
        )
        return response(doctrine_decisions(batch))

    trusting, distrustful = choices(0.95), choices(0.05)
    assert np.mean(distrustful == STRIKE_STATE) < np.mean(trusting == STRIKE_STATE) - 0.03
    assert np.mean(distrustful == NONE) > 0.9


# --- red lines read perceived slots -----------------------------------------------------------


def overt_strike(deaths: int, victim: str | None = None):
    """Iran's unwarned missile strike on day 0 (overt: P(ordered) = 1)."""

    def events(c):
        nationality = None if victim is None else c.nationalities.index(victim)
        action = c.sides[1].retaliate
        return [
            dict(
                side=1,
                group=-1,
                action=action,
                label="missile strike",
                ordered=True,
                deaths=deaths,
                victim=nationality,
            )
        ]

    return events


def proxy_attack(deaths: int):
    """Kata'ib Hezbollah's rocket attack on day 0, in truth unordered; the defender's prior
    P(ordered) is 0.727 (belief 0.3, assumed control 0.6, order share 0.3, multiplier 4)."""

    def events(c):
        kh = [g.id for g in c.groups].index("KH")
        return [
            dict(
                side=1,
                group=kh,
                action=c.groups[kh].action,
                label="rocket attack",
                ordered=False,
                deaths=deaths,
            )
        ]

    return events


def first_firing_day(batch, line: str) -> np.ndarray:
    """Each run's first day its red line `line` fired, or -1."""
    index = [x.id for x in batch.setup.c.red_lines].index(line)
    rows = records(batch, col.WHAT_RED_LINE)
    rows = rows[rows[:, col.LOG_LINE] == index]
    first = np.full(batch.runs, -1)
    for run, day in zip(*run_day(rows), strict=True):
        if first[run] < 0:
            first[run] = day
    return first


US = "american_killed_on_iranian_orders"


@pytest.mark.parametrize(
    ("events", "tau", "fires"),
    [
        (overt_strike(2), 0.9, "all"),
        (overt_strike(0), 0.5, "none"),  # injuries only (TBI) do not fire it
        (overt_strike(2, victim="GCC"), 0.5, "none"),  # another nationality killed
        (proxy_attack(2), 0.7, "most"),  # P(ordered) 0.727 until a finding says otherwise
        (proxy_attack(2), 0.9, "none"),  # below 0.9 even after a finding "ordered"
    ],
    ids=[
        "american-deaths-overt",
        "injuries-only",
        "other-nationality",
        "proxy-above-tau",
        "proxy-below-tau",
    ],
)
def test_us_red_line_needs_reported_american_deaths_and_attribution_above_tau(events, tau, fires):
    """Ten quiet days after one event, a restrained defender (only the red line can strike)."""
    batch = scripted(
        {"actors.USA.doctrine": "restraint", f"{US_LINE}.when.1.value": tau, "days": 10}, events
    )
    fired = first_firing_day(batch, US) >= 0
    assert {"all": fired.all(), "none": not fired.any(), "most": 0.6 < fired.mean() < 1}[fires]
    rows = records(batch, col.WHAT_RED_LINE, DEFENDER)
    assert (rows[:, col.LOG_DEATHS] >= 1).all() and (rows[:, col.LOG_P_ORDERED] >= tau).all()


@pytest.mark.parametrize(("lag", "share_on_day_0"), [(1.0, 0.5), (0.0, 1.0)])
def test_a_red_line_reads_reported_deaths_not_true_deaths(lag, share_on_day_0):
    """The deaths are known to the truth on day 0; the line fires when their report arrives, on
    day 0 with probability 1 / (1 + mean lag)."""
    batch = scripted({"perception.report_lag_mean_days": lag, "days": 10}, overt_strike(2))
    first = first_firing_day(batch, US)
    assert (first >= 0).all()
    assert np.mean(first == 0) == pytest.approx(share_on_day_0, abs=0.08)


IRAN_SOIL = "red_lines.strike_on_iranian_soil"


@pytest.mark.parametrize("threshold", [9, 12])
def test_iran_red_line_reads_the_target_and_the_perceived_rung(threshold):
    """A US strike on Iranian territory (rung 12) fires Iran's line on day 0 exactly in the runs
    where Iran perceived it at the threshold or above; a strike on a proxy (rung 8 but not on
    Iranian soil) never does, even with the threshold at 0."""

    def us_strike(target):
        def events(c):
            if target == "territory":
                return [
                    dict(
                        side=0,
                        group=-1,
                        action=c.sides[0].strike_state,
                        label="strike",
                        ordered=True,
                    )
                ]
            kh = [g.id for g in c.groups].index("KH")
            action = c.sides[0].strike_proxy
            return [
                dict(side=0, group=-1, action=action, label="strike", ordered=True, struck_group=kh)
            ]

        return events

    batch = scripted({f"{IRAN_SOIL}.when.1.value": threshold, "days": 1}, us_strike("territory"))
    seen = records(batch, col.WHAT_EVENT, 0)
    assert len(seen) == batch.runs and (seen[:, col.LOG_DETECTED] == 1).all()
    expected = seen[:, col.LOG_PERCEIVED] >= threshold
    assert expected.sum() > 0
    fired = first_firing_day(batch, "strike_on_iranian_soil") == 0
    assert np.array_equal(fired[seen[:, col.LOG_RUN].astype(int)], expected)
    on_proxy = scripted({f"{IRAN_SOIL}.when.1.value": 0, "days": 1}, us_strike("proxy"))
    assert not (first_firing_day(on_proxy, "strike_on_iranian_soil") >= 0).any()


def test_a_red_line_on_the_perceived_actor_role_fires_for_a_proxy_and_not_for_the_state():
    """The US line with `perceived_actor_role == proxy` in place of tau: KH's lethal attack fires
    it in every run where the US perceived it as an attack (rung 7 or more: a slot opened),
    Iran's overt lethal strike in none."""
    role = {
        f"{US_LINE}.when.1.field": "perceived_actor_role",
        f"{US_LINE}.when.1.op": "==",
        f"{US_LINE}.when.1.value": "proxy",
        "actors.USA.doctrine": "restraint",
        "days": 10,
    }
    by_proxy = scripted(role, proxy_attack(2))
    attack = records(by_proxy, col.WHAT_EVENT, 1)
    attack = attack[attack[:, col.LOG_DAY] == 0]
    assert len(attack) == by_proxy.runs
    threshold = by_proxy.setup.c.scenario.doctrines.attack_threshold
    seen_as_attack = attack[:, col.LOG_PERCEIVED] >= threshold
    assert 0.5 < seen_as_attack.mean() < 1
    fired = first_firing_day(by_proxy, US) >= 0
    assert np.array_equal(fired[attack[:, col.LOG_RUN].astype(int)], seen_as_attack)
    by_state = scripted(role, overt_strike(2))
    assert not (first_firing_day(by_state, US) >= 0).any()


def test_a_red_line_on_an_unknown_or_true_field_is_an_error():
    with pytest.raises(ScenarioError, match="unknown perceived field"):
        load_scenario(SCENARIO, {f"{US_LINE}.when.0.field": "true_deaths.USA"})


# --- decisions read perceived fields only -----------------------------------------------------

# two worlds the defender cannot tell apart
HIDDEN_TRUTHS = (
    {"actors.KH.control": 0.3, "actors.IRN.type_prior": 0.0},
    {"actors.KH.control": 0.95, "actors.IRN.type_prior": 1.0},
)


def test_hidden_truth_does_not_reach_what_the_defender_decides_with():
    """Two worlds the US cannot tell apart: KH's true control and Iran's type prior differ, the
    US model of them (assumed control, its own prior) does not."""
    loose, tight = (compile_scenario(load_scenario(SCENARIO, truth)) for truth in HIDDEN_TRUTHS)
    kh_a = next(g for g in loose.groups if g.id == "KH")
    kh_b = next(g for g in tight.groups if g.id == "KH")
    assert kh_a.control != kh_b.control
    assert kh_a.assumed_control == kh_b.assumed_control == 0.6
    assert loose.sides[DEFENDER] == tight.sides[DEFENDER]
    assert loose.scenario.doctrines == tight.scenario.doctrines
    assert loose.scenario.logit == tight.scenario.logit
    assert [x for x in loose.red_lines if x.owner == DEFENDER] == [
        x for x in tight.red_lines if x.owner == DEFENDER
    ]


def defender_state(batch) -> dict[str, np.ndarray]:
    """Every field the defender decides with: its view and its own facts."""
    out = {}
    for f in state.FIELDS:
        if f.part in ("view", "own"):
            values = batch.field(f.name)
            out[f.name] = (
                values[DEFENDER]
                if f.shape == "slot"
                else (values[:, DEFENDER] if f.shape == "side" else values)
            )
    return out


@pytest.mark.parametrize("decision", [*DOCTRINES, "logit"])
def test_the_defender_decides_the_same_whatever_the_truth_it_cannot_see(decision):
    """A KH rocket attack on Iran's orders kills two Americans on day 0, in two worlds with
    different true control of KH and a different Iranian type. Over days 0 and 1 (before any act
    whose form depends on Iran's type can reach the US), the defender's view and own state, its
    decisions and its red-line firings are the same run by run."""
    choice = (
        {"actors.USA.decision": "logit"}
        if decision == "logit"
        else {"actors.USA.doctrine": decision}
    )

    def world(truth):
        kh_attack = proxy_attack(2)

        def ordered_attack(c):
            return [{**e, "ordered": True} for e in kh_attack(c)]

        return scripted({**truth, **choice, "days": 2}, ordered_attack, runs=1024, seed=8)

    a, b = (world(truth) for truth in HIDDEN_TRUTHS)
    assert not a.field("limited")[:, 1].any() and b.field("limited")[:, 1].all()
    for name, values in defender_state(a).items():
        assert np.array_equal(values, defender_state(b)[name]), name

    def defender_log(batch):
        log = batch.log()
        keep = (log[:, col.LOG_SIDE] == DEFENDER) & np.isin(
            log[:, col.LOG_WHAT], [col.WHAT_DECISION, col.WHAT_RED_LINE]
        )
        return log[keep]

    assert np.array_equal(defender_log(a), defender_log(b))
    assert len(records(a, col.WHAT_DECISION, DEFENDER)) > 900
