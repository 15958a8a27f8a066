"""How leaderships decide (MODEL.md §5), how red lines fire and bind (§8), and that no decision
reads the truth (§3), in model version 2.

Decisions are logit quantal responses. The compiled pieces are tested on their own, through tiny
compiled wrappers (the kernel's functions have no Python entry point): `quantal_choice` (the
softmax over four options), `answer_utilities` (ΔEU of the three violent answers against a
non-violent one, with the doctrine's forbidden options, rung cap and obligation weight) and
`order_utility` (ordering one's armed groups to attack, deterred by the credibility κ of the
other's red lines and by the answer rate it has perceived). Whole runs of the day loop then
check what the pieces add up to: when a leadership answers, what binds it, what an audience
cost does, and that the truth it cannot see changes nothing it decides with.

Two scenarios: the Camp Taji fixture (every attack is a lethal proxy attack attributed below tau,
so no red line fires and every answer of the defender is its own choice) and us-iran-2020, made
quiet where a test needs one event alone (no group attacks, accidents or incidents).
"""

from __future__ import annotations

import math
from functools import cache
from pathlib import Path

import numpy as np
import pytest
from numba import njit
from scipy import stats

from crisislab.engine import kernel, state
from crisislab.engine import layout as col
from crisislab.engine.compiled import DEFENDER, compile_scenario
from crisislab.engine.constants import DOCTRINES, RESPONSES
from crisislab.engine.params import parameters
from crisislab.engine.script import Script, ScriptedEvent
from crisislab.scenario.loader import ScenarioError, load_scenario
from crisislab.scenario.schema import Logit
from crisislab.simulate import setup_of, simulate, simulate_runs

SCENARIO = "us-iran-2020"
CAMP_TAJI = str(Path(__file__).parent / "fixtures" / "camp-taji.yaml")
NONE, STRIKE_PROXY, STRIKE_STATE, RETALIATE = (
    RESPONSES.index(r) for r in ("none", "strike_proxy", "strike_state", "retaliate")
)
CHALLENGER = 1 - DEFENDER
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
INF = math.inf


# --- the compiled decision functions, through compiled wrappers --------------------------------


@njit
def quantal_choices(eu, precision, u):
    """kernel.quantal_choice for each uniform of `u`."""
    out = np.empty(u.size, np.int64)
    for i in range(u.size):
        out[i] = kernel.quantal_choice(eu[0], eu[1], eu[2], eu[3], precision, u[i])
    return out


@njit
def answer_utilities(
    P, side, resolve, rage, belief, kappa, answered, unanswered, p_ordered, backing_down, fired,
    proxy_possible, perceived,
):  # fmt: skip
    return kernel.answer_utilities(
        P, side, resolve, rage, belief, kappa, answered, unanswered, p_ordered, backing_down,
        fired, proxy_possible, perceived,
    )  # fmt: skip


@njit
def order_utility(resolve, rage, belief, kappa, answered, unanswered, cross, value, cost, loss, w):
    return kernel.order_utility(
        resolve, rage, belief, kappa, answered, unanswered, cross, value, cost, loss, w
    )


@njit
def logistic(precision, eu):
    return kernel.logistic(precision, eu)


@cache
def params(doctrine: str = "strategic", side: int = DEFENDER):
    """The day loop's parameter tables of us-iran-2020 with the side's doctrine."""
    actor = ("USA", "IRN")[side]
    return parameters(setup_of(load_scenario(SCENARIO, {f"actors.{actor}.doctrine": doctrine})))


FIGURES = dict(  # answer_utilities' arguments after the side, unless a test says otherwise
    resolve=0.6,
    rage=0.0,
    belief=0.5,
    kappa=0.5,
    answered=1.0,
    unanswered=2.0,
    p_ordered=0.4,
    backing_down=0.0,
    fired=False,
    proxy_possible=True,
    perceived=12,
)


def utilities(doctrine: str = "strategic", side: int = DEFENDER, **given) -> np.ndarray:
    """ΔEU of (none, strike the proxy, strike the state, a campaign), by the compiled function."""
    figures = {**FIGURES, **given}
    return np.array(answer_utilities(params(doctrine, side), side, *figures.values()))


def softmax(eu, precision):
    eu = np.asarray(eu, np.float64)
    w = np.exp(precision * (eu - eu.max()))
    return w / w.sum()


# --- quantal_choice: the logit quantal response -------------------------------------------------

UNIFORMS = np.random.default_rng(20200108).random(200_000)


@pytest.mark.parametrize(
    ("eu", "precision"),
    [
        ((0.0, 0.5, -1.0, 0.2), 2.0),
        ((0.0, 0.5, -1.0, 0.2), 0.5),
        ((0.0, -0.3, 0.4, -2.0), 5.0),
        ((1.0, 1.0, 1.0, 1.0), 2.0),
    ],
)
def test_quantal_choice_frequencies_follow_the_softmax(eu, precision):
    """200,000 uniforms: the counts pass a chi-square test against the softmax (a p-value far
    above 1e-6), and each choice is the softmax's inverse CDF at its uniform."""
    p = softmax(eu, precision)
    chosen = quantal_choices(np.array(eu), precision, UNIFORMS)
    counts = np.bincount(chosen, minlength=4)
    assert stats.chisquare(counts, p * UNIFORMS.size).pvalue > 1e-6
    cdf = np.cumsum(p)
    clear = np.abs(UNIFORMS[:, None] - cdf[None, :3]).min(axis=1) > 1e-9
    expected = np.searchsorted(cdf[:3], UNIFORMS, side="right")
    assert np.array_equal(chosen[clear], expected[clear])


def test_quantal_choice_concentrates_on_the_best_option_as_precision_grows():
    eu = np.array([0.0, 0.5, -1.0, 0.2])
    share_best = [np.mean(quantal_choices(eu, lam, UNIFORMS) == 1) for lam in (0.5, 2, 8, 50)]
    assert np.all(np.diff(share_best) > 0) and share_best[-1] > 0.99


def test_zero_precision_is_uniform_over_four_allowed_options():
    chosen = quantal_choices(np.array([0.0, 3.0, -5.0, 1.0]), 0.0, UNIFORMS)
    counts = np.bincount(chosen, minlength=4)
    assert stats.chisquare(counts).pvalue > 1e-6


@pytest.mark.parametrize("precision", [0.1, 2.0, 50.0])
@pytest.mark.parametrize(
    "eu", [(0.0, -INF, 0.5, -INF), (0.0, 1.0, -INF, -INF), (0.0, -INF, -INF, -INF)]
)
def test_a_forbidden_option_is_never_chosen(eu, precision):
    chosen = quantal_choices(np.array(eu), precision, UNIFORMS)
    allowed = np.isfinite(eu)
    assert allowed[chosen].all()
    p = softmax(eu, precision)
    counts = np.bincount(chosen, minlength=4)[allowed]
    if allowed.sum() > 1:
        assert stats.chisquare(counts, p[allowed] * UNIFORMS.size).pvalue > 1e-6


def test_zero_precision_is_uniform_over_the_allowed_options_only():
    eu = np.array([0.0, 1.0, -INF, -INF])  # `targeted`: no strike on the state
    chosen = quantal_choices(eu, 0.0, UNIFORMS)
    assert set(np.unique(chosen)) == {0, 1}
    assert np.mean(chosen == 1) == pytest.approx(0.5, abs=0.01)


# --- answer_utilities: worked numbers -----------------------------------------------------------


def test_the_scenario_uses_the_default_weights_of_the_worked_examples():
    """The worked examples below are computed by hand from the default weights (schema.Logit):
    values of a strike on the proxy, on the state and of a campaign 1, 2 and 1; costs 0.3, 1.5
    and 6; answer loss 3; the proxy's share of it 0.25; grievance weight 0.5."""
    assert load_scenario(SCENARIO).logit == Logit()
    lg = Logit()
    assert (lg.deterrence_value["strike_proxy"], lg.deterrence_value["strike_state"]) == (1, 2)
    assert (lg.action_cost["strike_proxy"], lg.action_cost["strike_state"]) == (0.3, 1.5)
    assert (lg.campaign_value, lg.campaign_cost, lg.answer_loss) == (1.0, 6.0, 3.0)
    assert (lg.proxy_risk_share, lg.grievance_weight) == (0.25, 0.5)
    assert lg.obligation["strategic"] == 0.0 and lg.obligation["retaliatory"] == 2.5


def test_answer_utilities_worked_example_a_proxy_attack():
    """A strategic defender (obligation 0) with resolve r = 0.6, grievance 0.4, belief 0.25 that
    the challenger is limited, κ = 0.5, answer rate 1/(1+3) = 0.25, P(ordered) = 0.4 and an
    audience cost of backing down of 0.2; the attack was a proxy's, perceived at rung 12:
      loss     = 3 (1 - r)(2 - belief)                  = 3 x 0.4 x 1.75   = 2.1
      revenge  = 0.5 x grievance + obligation + backing = 0.2 + 0 + 0.2     = 0.4
      proxy    = r (1)(1 - P) - (1 - r) 0.3 - rate 0.25 loss + revenge
               = 0.36 - 0.12 - 0.13125 + 0.4                              = 0.50875
      state    = r (2) P - (1 - r) 1.5 - κ loss + revenge
               = 0.48 - 0.6 - 1.05 + 0.4                                  = -0.77
      campaign = r (2 P + 1) - (1 - r) 6 - 2 κ loss + revenge
               = 1.08 - 2.4 - 2.1 + 0.4                                   = -3.02"""
    example = dict(rage=0.4, belief=0.25, unanswered=3.0, backing_down=0.2)
    assert utilities(**example) == pytest.approx([0.0, 0.50875, -0.77, -3.02], abs=1e-12)
    # a retaliatory defender owes 2.5 more on every violent answer
    eu = utilities("retaliatory", **example)
    assert eu == pytest.approx([0.0, 3.00875, 1.73, -0.52], abs=1e-12)


def test_answer_utilities_worked_example_an_overt_strike():
    """Iran's own strike (P(ordered) = 1, no proxy to strike) on a strategic defender with
    r = 0.7, no grievance, belief 0.3, κ = 1 (Iran enforces its red lines), answer rate 1/3:
      loss     = 3 x 0.3 x 1.7                      = 1.53
      state    = 0.7 x 2 - 0.3 x 1.5 - 1.53         = -0.58
      campaign = 0.7 x 3 - 0.3 x 6 - 2 x 1.53       = -2.76"""
    eu = utilities(resolve=0.7, belief=0.3, kappa=1.0, p_ordered=1.0, proxy_possible=False)
    assert eu == pytest.approx([0.0, -INF, -0.58, -2.76], abs=1e-12)
    p = softmax(eu, Logit().precision)
    assert p == pytest.approx(
        np.exp([0.0, -INF, -1.16, -5.52]) / np.exp([0, -INF, -1.16, -5.52]).sum()
    )


def test_answer_utilities_weigh_attribution_credibility_and_distrust():
    """Striking the state is worth more the likelier it ordered the act, and the proxy less;
    the other side's credibility κ and a distrustful belief (more loss from its answer) make
    striking the state worth less; the audience cost of backing down adds to every answer."""
    grid = np.linspace(0.0, 1.0, 11)
    by_p = np.array([utilities(p_ordered=x) for x in grid])
    assert np.all(np.diff(by_p[:, 2]) > 0) and np.all(np.diff(by_p[:, 3]) > 0)
    assert np.all(np.diff(by_p[:, 1]) < 0)
    by_kappa = np.array([utilities(kappa=x) for x in grid])
    assert np.all(np.diff(by_kappa[:, 2]) < 0) and np.all(np.diff(by_kappa[:, 3]) < 0)
    assert np.all(by_kappa[:, 1] == by_kappa[0, 1])  # κ is the state's answer, not the proxy's
    by_trust = np.array([utilities(belief=x) for x in grid])
    assert np.all(np.diff(by_trust[:, 1:], axis=0) > 0)
    shift = utilities(backing_down=0.7) - utilities()
    assert shift == pytest.approx([0.0, 0.7, 0.7, 0.7])


# --- doctrines: forbidden options, a rung cap, an obligation -----------------------------------

ALLOWED = {  # (proxy, state, campaign) allowed for a proxy attack perceived at rung 8
    "restraint": (False, False, False),
    "targeted": (True, False, False),
    "proportional": (True, False, False),  # a strike on the state (rung 12) > 8 + 1
    "gtft": (True, False, False),
    "retaliatory": (True, True, True),
    "strategic": (True, True, True),
}


@pytest.mark.parametrize("doctrine", DOCTRINES)
def test_doctrines_forbid_options_unless_their_red_line_fired(doctrine):
    """restraint forbids force unless its line fired; targeted forbids striking the state unless
    its line fired; proportional and gtft cap an answer at the perceived rung + 1 (the strike on
    the state is rung 12: allowed from a perceived 11 up); a fired line lifts every ban."""

    def allowed(perceived, fired=False, proxy_possible=True):
        eu = utilities(doctrine, perceived=perceived, fired=fired, proxy_possible=proxy_possible)
        assert eu[0] == 0.0
        return tuple(bool(np.isfinite(x)) for x in eu[1:])

    assert allowed(8) == ALLOWED[doctrine]
    capped = doctrine in ("proportional", "gtft")
    assert allowed(10) == ALLOWED[doctrine]
    assert allowed(11)[1:] == (
        (False, False) if doctrine in ("restraint", "targeted") else (True, True)
    )
    assert allowed(8, fired=True) == (True, True, True)
    assert allowed(8, fired=True, proxy_possible=False) == (False, True, True)
    assert not allowed(14, proxy_possible=False)[0]
    assert capped == (allowed(8)[1] != allowed(11)[1])


def test_a_side_without_a_strike_on_the_state_answers_with_its_retaliation_or_not_at_all():
    """Iran (no strike on the state, a retaliation of rung 12, no proxy strike): its state
    options are those of its retaliation, capped like a strike of that rung."""
    P = params("strategic", CHALLENGER)
    assert P.side_i[CHALLENGER, col.SDI_STRIKE_STATE] < 0
    assert P.side_i[CHALLENGER, col.SDI_RETALIATE] >= 0
    for perceived in (8, 12):
        eu = utilities("strategic", CHALLENGER, perceived=perceived, proxy_possible=False)
        assert np.isfinite(eu).tolist() == [True, False, True, True]
    capped = utilities("proportional", CHALLENGER, perceived=8, proxy_possible=False)
    assert np.isfinite(capped).tolist() == [True, False, False, False]
    assert np.isfinite(utilities("proportional", CHALLENGER, perceived=11)[2])


@pytest.mark.parametrize("doctrine", DOCTRINES)
def test_a_doctrine_s_obligation_weight_adds_to_every_violent_answer(doctrine):
    base = utilities("strategic", fired=True, perceived=8)
    eu = utilities(doctrine, fired=True, perceived=8)
    assert eu - base == pytest.approx([0.0, *[Logit().obligation[doctrine]] * 3])


# --- order_utility: deterrence -------------------------------------------------------------------


def order_args(**given):
    """order_utility's arguments at us-iran-2020's weights and the challenger's chance that an
    attack of its groups is perceived as crossing the defender's red line."""
    P = params()
    figures = dict(
        resolve=0.6,
        rage=0.5,
        belief=0.4,
        kappa=0.5,
        answered=1.0,
        unanswered=2.0,
        cross=P.side_f[CHALLENGER, col.SDF_CROSS_CHANCE],
        value=P.pf[col.PF_ORDER_VALUE],
        cost=P.pf[col.PF_ORDER_COST],
        loss=P.pf[col.PF_ANSWER_LOSS],
        w=P.pf[col.PF_GRIEVANCE_WEIGHT],
    )
    return {**figures, **given}


def test_the_challenger_s_attacks_may_be_perceived_as_crossing_the_red_line():
    """The chance is each group's lethality times the attribution accuracy: small but positive,
    so κ deters the challenger's orders only a little (deniable proxy acts are deterred less)."""
    cross = params().side_f[CHALLENGER, col.SDF_CROSS_CHANCE]
    assert 0.0 < cross < 0.2


@pytest.mark.parametrize(
    ("figure", "direction"),
    [("kappa", -1), ("resolve", +1), ("rage", +1)],
)
def test_order_utility_is_monotone(figure, direction):
    """Deterrence: the more credible the other's red lines, the less ordering attacks is worth;
    resolve and grievance make it worth more."""
    grid = np.linspace(0.0, 0.99 if figure == "resolve" else 1.0, 12)
    if figure == "rage":
        grid = grid * 4
    eu = np.array([order_utility(**order_args(**{figure: x})) for x in grid])
    assert np.all(direction * np.diff(eu) > 0)


def test_order_utility_falls_with_the_answer_rate_it_has_perceived():
    """Answered attacks deter: with 9 attacks seen, the more were answered the less ordering
    more is worth; unanswered ones invite more."""
    eu = np.array(
        [order_utility(**order_args(answered=a, unanswered=9.0 - a)) for a in range(1, 9)]
    )
    assert np.all(np.diff(eu) < 0)


def test_kappa_deters_only_attacks_perceived_as_crossing_the_line():
    """With no chance of being perceived as crossing (cross = 0), κ changes nothing; with
    certainty (cross = 1) the answer rate changes nothing."""
    deniable = [order_utility(**order_args(cross=0.0, kappa=k)) for k in (0.0, 0.5, 1.0)]
    assert deniable[0] == deniable[1] == deniable[2]
    overt = [order_utility(**order_args(cross=1.0, answered=a)) for a in (1.0, 5.0)]
    assert overt[0] == overt[1]


def test_order_utility_worked_example():
    """r = 0.6, grievance 0.5, belief 0.4, κ = 0.5, cross 0.5, answer rate 1/3, value 0.5,
    cost 1, loss 3, weight 0.5: P(answer) = 0.5 x 0.5 + 0.5 / 3 = 5/12; expected loss
    5/12 x 3 x 0.4 x 1.6 = 0.8; ΔEU = 0.3 + 0.25 - 0.4 - 0.8 = -0.65; P(order) = logistic."""
    eu = order_utility(**order_args(cross=0.5, value=0.5, cost=1.0, loss=3.0, w=0.5))
    assert eu == pytest.approx(-0.65, abs=1e-12)
    assert logistic(2.0, eu) == pytest.approx(1 / (1 + math.exp(1.3)))
    assert logistic(0.0, eu) == 0.5 and logistic(2.0, 0.0) == 0.5


# --- whole runs: when a leadership answers ---------------------------------------------


def levers(*given: dict, **named) -> tuple:
    """Overrides as a hashable key: dictionaries of dotted paths, and keywords with `__` for the
    dots."""
    merged = {k: v for d in given for k, v in d.items()}
    merged.update({k.replace("__", "."): v for k, v in named.items()})
    return tuple(sorted(merged.items()))


@cache
def traced(scenario: str, overrides: tuple, runs: int = 1024, seed: int = SEED):
    resolved = load_scenario(scenario, dict(overrides))
    return simulate_runs(resolved, seed, 0, runs, tracing=True)


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


def keys(rows: np.ndarray) -> list[tuple[int, int, int]]:
    return list(zip(*run_day(rows), rows[:, col.LOG_SIDE].astype(int), strict=True))


def bound(batch, rows: np.ndarray) -> np.ndarray:
    """Whether each decision was bound by a red line of its side that fired that day with a
    committed owner (the line's response carried out)."""
    responses = np.array([line.response for line in batch.setup.c.red_lines])
    lines = records(batch, col.WHAT_RED_LINE)
    lines = lines[
        (lines[:, col.LOG_ENFORCED] == 1) & (responses[lines[:, col.LOG_LINE].astype(int)] > 0)
    ]
    committed = set(keys(lines))
    return np.array([k in committed for k in keys(rows)], bool)


def own_choices(batch, side: int = DEFENDER) -> np.ndarray:
    """The side's decisions that no committed red line bound: its quantal response."""
    rows = records(batch, col.WHAT_DECISION, side)
    return rows[~bound(batch, rows)]


def response(rows: np.ndarray) -> np.ndarray:
    return rows[:, col.LOG_RESPONSE].astype(int)


def answered_share(doctrine: str, **extra) -> tuple[float, int]:
    rows = own_choices(traced(CAMP_TAJI, levers(actors__USA__doctrine=doctrine, **extra)))
    rows = rows[rows[:, col.LOG_TRIGGER] == 1]
    return float(np.mean(response(rows) != NONE)), len(rows)


@pytest.mark.parametrize("doctrine", DOCTRINES)
def test_every_doctrine_but_restraint_sometimes_answers_a_violent_trigger_and_sometimes_not(
    doctrine,
):
    """Camp Taji's lethal proxy attacks (no red line fires): every doctrine answers with a
    probability strictly between 0 and 1, except restraint, which answers only when its red line
    fires. Measured at seed 3: targeted 0.88, strategic 0.59, proportional 0.95, gtft 0.74,
    retaliatory 0.994 (21 of 3460 left unanswered)."""
    share, n = answered_share(doctrine)
    assert n > 2500
    if doctrine == "restraint":
        assert share == 0.0
    else:
        assert share > 0.3 and share * n <= n - 5


def test_obligation_ranks_how_often_doctrines_answer():
    """With the same draws, a higher obligation answers more: gtft (0.5) below targeted (1) below
    proportional (1.5) below retaliatory (2.5)."""
    shares = [answered_share(d)[0] for d in ("gtft", "targeted", "proportional", "retaliatory")]
    assert np.all(np.diff(shares) > 0.02)


@pytest.mark.parametrize(
    ("doctrine", "obligation", "same_as"),
    [("gtft", 1.5, "proportional"), ("retaliatory", 0.0, "strategic")],
)
def test_a_doctrine_is_another_with_a_different_obligation(doctrine, obligation, same_as):
    """gtft is proportional with a lower obligation weight, retaliatory is strategic with a
    higher one: given the other's weight, the runs are identical, column by column (same seed,
    same draws); at their defaults they differ."""

    def columns(overrides):
        return simulate(CAMP_TAJI, runs=2048, seed=9, overrides=overrides).columns

    reference = columns({"actors.USA.doctrine": same_as})
    at_weight = columns(
        {"actors.USA.doctrine": doctrine, f"logit.obligation.{doctrine}": obligation}
    )
    for name, values in reference.items():
        assert np.array_equal(at_weight[name], values), name
    default = columns({"actors.USA.doctrine": doctrine})
    assert not np.array_equal(default["proxy_strikes"], reference["proxy_strikes"])


def test_targeted_and_proportional_never_strike_the_state_for_a_proxy_attack():
    """Camp Taji: the strike on the state is forbidden to targeted (no red line fired) and
    above proportional's cap (rung 12 > 8 + 1): every answer strikes the proxy that attacked."""
    for doctrine in ("targeted", "proportional", "gtft"):
        batch = traced(CAMP_TAJI, levers(actors__USA__doctrine=doctrine))
        rows = own_choices(batch)
        kh = [g.id for g in batch.setup.c.groups].index("KH")
        answers = rows[response(rows) != NONE]
        assert len(answers) > 1500
        assert (response(answers) == STRIKE_PROXY).all() and (answers[:, col.LOG_GROUP] == kh).all()
        assert not batch.field("direct_exchanges").any()


def test_an_overt_act_is_never_answered_by_striking_a_proxy():
    """The opening event alone (Iran's own missile strike, no proxy involved), a strategic
    defender: on day 0 it strikes the state or does not answer, never a proxy."""
    batch = traced(SCENARIO, levers(QUIET, actors__USA__doctrine="strategic", days=1))
    rows = own_choices(batch)
    rows = rows[rows[:, col.LOG_DAY] == 0]
    kind = response(rows)
    assert len(rows) > 900
    assert not (kind == STRIKE_PROXY).any()
    assert 0.02 < np.mean(kind == STRIKE_STATE) < 0.98


@pytest.mark.parametrize("doctrine", DOCTRINES)
def test_a_leadership_answers_only_a_new_attack_or_its_own_red_line_and_orders_count_its_acts(
    doctrine,
):
    """Every answer a leadership chooses itself answers a new perceived attack or a red line of
    its own that fired that day (a report that arrives later); its orders are its campaigns
    begun plus its own answers after day 0 (not those a committed red line bound, nor the days
    of a campaign of direct strikes)."""
    batch = traced(SCENARIO, levers(actors__USA__doctrine=doctrine))
    fired = set(keys(records(batch, col.WHAT_RED_LINE)))
    orders = np.zeros((batch.runs, 2), np.int64)
    begun = records(batch, col.WHAT_ORDERS)
    begun = begun[begun[:, col.LOG_VALUE] == 1]
    np.add.at(orders, (begun[:, col.LOG_RUN].astype(int), begun[:, col.LOG_SIDE].astype(int)), 1)
    for side in (DEFENDER, CHALLENGER):
        rows = own_choices(batch, side)
        acts = rows[response(rows) > NONE]
        untriggered = acts[acts[:, col.LOG_TRIGGER] == 0]
        assert all(k in fired for k in keys(untriggered))
        acts = acts[acts[:, col.LOG_DAY] > 0]
        np.add.at(orders[:, side], acts[:, col.LOG_RUN].astype(int), 1)
    assert np.array_equal(orders, batch.field("orders"))
    assert orders[:, CHALLENGER].sum() > 1000  # the challenger orders its groups
    if doctrine != "restraint":
        assert (response(own_choices(batch)) > NONE).sum() > 100


def test_an_unknown_doctrine_is_an_error():
    with pytest.raises(ScenarioError, match="appeasement"):
        load_scenario(SCENARIO, {"actors.USA.doctrine": "appeasement"})


# --- red lines: a committed owner carries out the response, an uncommitted one chooses ----------


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


@cache
def struck(enforcement: float, audience_cost: float = 1.0, doctrine: str = "restraint"):
    """Iran's overt strike kills two Americans on day 0, reported at once: the US red line
    fires on day 0 in every run."""
    return scripted(
        {
            f"{US_LINE}.enforcement": enforcement,
            "actors.USA.audience_cost": audience_cost,
            "actors.USA.doctrine": doctrine,
            "perception.report_lag_mean_days": 0.0,
            "days": 2,
        },
        overt_strike(2),
        runs=2048,
    )


def day0_answers(batch) -> np.ndarray:
    """Each run's answer of the defender on day 0."""
    rows = records(batch, col.WHAT_DECISION, DEFENDER)
    rows = rows[rows[:, col.LOG_DAY] == 0]
    assert np.array_equal(np.sort(rows[:, col.LOG_RUN].astype(int)), np.arange(batch.runs))
    out = np.empty(batch.runs, np.int64)
    out[rows[:, col.LOG_RUN].astype(int)] = response(rows)
    return out


def test_a_committed_owner_carries_out_its_red_line_s_response():
    batch = struck(1.0)
    fired = records(batch, col.WHAT_RED_LINE, DEFENDER)
    assert len(fired) == batch.runs and (fired[:, col.LOG_ENFORCED] == 1).all()
    assert (day0_answers(batch) == STRIKE_STATE).all()
    assert not batch.field("red_line_unenforced")[:, DEFENDER].any()
    assert not batch.field("audience_cost")[:, DEFENDER].any()


def test_a_committed_owner_s_strike_is_not_dropped_for_a_later_lesser_attack():
    """Day 0: Iran's overt strike kills two Americans, the line fires and binds a strike on the
    state (enforcement 1). Day 1: a non-lethal KH rocket attack, which restraint does not answer.
    The committed strike is still carried out within the 40 days (unless its planning delay
    runs past them: about 8% of runs)."""
    scenario = load_scenario(
        SCENARIO,
        {
            **QUIET,
            f"{US_LINE}.enforcement": 1.0,
            "actors.USA.doctrine": "restraint",
            "perception.report_lag_mean_days": 0.0,
            "days": 40,
        },
    )
    c = setup_of(scenario).c
    kh = [g.id for g in c.groups].index("KH")
    strike = ScriptedEvent(side=1, group=-1, action=c.sides[1].retaliate, label="missile strike",
                           ordered=True, deaths=2)  # fmt: skip
    rockets = ScriptedEvent(side=1, group=kh, action=c.groups[kh].action, label="rocket attack",
                            ordered=False, deaths=0)  # fmt: skip
    script = Script(fork_day=0, events={0: [strike], 1: [rockets]})
    batch = simulate_runs(scenario, SEED, 0, 2048, tracing=True, script=script)
    events = records(batch, col.WHAT_EVENT, DEFENDER)
    carried_out = np.zeros(batch.runs, bool)
    carried_out[events[events[:, col.LOG_GROUP] < 0][:, col.LOG_RUN].astype(int)] = True
    assert (day0_answers(batch) == STRIKE_STATE).all()
    assert carried_out.mean() > 0.85


def test_committed_in_a_share_rho_of_runs():
    """ρ = enforcement with no public commitment (measured rhetoric): 0.6 of the runs are
    committed and strike the state; the others choose."""
    batch = struck(0.6)
    fired = records(batch, col.WHAT_RED_LINE, DEFENDER)
    committed = np.zeros(batch.runs, bool)
    committed[fired[:, col.LOG_RUN].astype(int)] = fired[:, col.LOG_ENFORCED] == 1
    assert committed.mean() == pytest.approx(0.6, abs=0.04)
    assert (day0_answers(batch)[committed] == STRIKE_STATE).all()


def test_an_uncommitted_owner_chooses_and_pays_an_audience_cost_for_backing_down():
    """Enforcement 0: no owner is committed, and the choice is its own, with every option open
    even to restraint (its line fired): some strike the state, some back down; those that back
    down count an unenforced red line and pay the audience cost (1 x (1 + commitment 0))."""
    batch = struck(0.0)
    assert not (records(batch, col.WHAT_RED_LINE, DEFENDER)[:, col.LOG_ENFORCED] == 1).any()
    answer = day0_answers(batch)
    backed_down = answer == NONE
    assert 0.05 < backed_down.mean() < 0.95
    assert set(np.unique(answer)) <= {NONE, STRIKE_STATE}
    unenforced = batch.field("red_line_unenforced")[:, DEFENDER]
    cost = batch.field("audience_cost")[:, DEFENDER]
    assert np.array_equal(unenforced >= 1, backed_down)
    assert np.all(cost[backed_down] >= 1.0) and np.all(cost[~backed_down] == 0.0)


def test_an_audience_cost_for_backing_down_makes_the_owner_answer_in_every_run_it_did_before():
    """Same draws, audience cost 0 against 3: backing down costs more, so every run that
    answered still answers (the cost adds to each violent option: the softmax's share of
    holding falls), and more runs answer."""
    free, costly = day0_answers(struck(0.0, 0.0)), day0_answers(struck(0.0, 3.0))
    assert np.all(costly[free != NONE] != NONE)
    assert np.mean(costly != NONE) > np.mean(free != NONE) + 0.05


def test_public_commitment_makes_a_committed_owner_likelier():
    """ρ = 1 - (1 - 0.5) exp(-audience x commitment): inflammatory rhetoric builds a public
    commitment, so more of the US red line's firings over a year are committed; with no
    audience weight the share stays at the line's enforcement."""

    def committed_share(rhetoric, audience_cost):
        batch = traced(
            SCENARIO,
            levers(
                {f"{US_LINE}.enforcement": 0.5},
                actors__USA__doctrine="targeted",
                actors__USA__rhetoric=rhetoric,
                actors__USA__audience_cost=audience_cost,
            ),
            runs=2048,
            seed=5,
        )
        fired = records(batch, col.WHAT_RED_LINE, DEFENDER)
        assert len(fired) > 300
        return float(np.mean(fired[:, col.LOG_ENFORCED] == 1))

    measured = committed_share("measured", 1.0)
    assert measured == pytest.approx(0.5, abs=0.07)
    assert committed_share("inflammatory", 1.0) > measured + 0.06
    assert committed_share("inflammatory", 0.0) == pytest.approx(0.5, abs=0.07)


# --- red lines read perceived slots -----------------------------------------------------------


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
    """Two worlds the US cannot tell apart: KH's true control and Iran's resolve (drawn from its
    type prior) differ, the US model of them (assumed control, its own prior) does not."""
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


@pytest.mark.parametrize("doctrine", DOCTRINES)
def test_the_defender_decides_the_same_whatever_the_truth_it_cannot_see(doctrine):
    """A KH rocket attack on Iran's orders kills two Americans on day 0, in two worlds with
    different true control of KH and a different Iranian resolve (below 1/2 in every run of one,
    above in every run of the other). Over days 0 and 1 (before any act whose form depends on
    Iran's resolve can reach the US), the defender's view and own state, its decisions and its
    red-line firings are the same run by run."""

    def world(truth):
        kh_attack = proxy_attack(2)

        def ordered_attack(c):
            return [{**e, "ordered": True} for e in kh_attack(c)]

        overrides = {**truth, "actors.USA.doctrine": doctrine, "days": 2}
        return scripted(overrides, ordered_attack, runs=1024, seed=8)

    a, b = (world(truth) for truth in HIDDEN_TRUTHS)
    assert (a.field("resolve_drawn")[:, CHALLENGER] > 0.5).all()
    assert (b.field("resolve_drawn")[:, CHALLENGER] < 0.5).all()
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
