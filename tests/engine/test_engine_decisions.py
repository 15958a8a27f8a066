"""How leaderships respond (MODEL.md §5) and what they may read (§3: never the truth)."""

from __future__ import annotations

import dataclasses
import inspect
import typing
from functools import cache

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crisislab.engine import beliefs, decisions, redlines, state
from crisislab.engine.compiled import DEFENDER, ROLES, TARGETS, compile_scenario
from crisislab.engine.decisions import NONE, RETALIATE, STRIKE_PROXY, STRIKE_STATE
from crisislab.scenario.loader import load_scenario
from crisislab.scenario.schema import Doctrines, Logit

DOCTRINES = ("restraint", "gtft", "proportional", "retaliatory")

# four runs: attack by a proxy, attack by the state, nothing today (x2)
TRIGGER = np.array([True, True, False, False])
STATE = np.array([False, True, False, True])
ZERO = np.zeros(4)


def respond(doctrine, belief=0.9, commitment=ZERO, u=0.99, params=None, weight=1.0):
    return decisions.doctrine_response(
        doctrine,
        TRIGGER,
        STATE,
        np.full(4, belief),
        commitment,
        weight,
        np.full(4, u),
        params or Doctrines(),
    )


# --- generous tit-for-tat ---------------------------------------------------------------------


def generous_tft_forgiveness(t: float, r: float, p: float, s: float) -> float:
    """Largest forgiveness that still deters exploitation (Nowak & Sigmund 1992)."""
    return min(1 - (t - r) / (r - s), (r - p) / (t - p))


def test_gtft_forgiveness_is_one_third_for_payoffs_5_3_1_0_and_is_the_schema_default():
    q = generous_tft_forgiveness(5, 3, 1, 0)  # min(1 - 2/3, 2/4)
    assert q == pytest.approx(1 / 3)
    assert Doctrines().gtft_forgiveness == pytest.approx(q)
    builtin = load_scenario("us-iran-2020").doctrines.gtft_forgiveness
    assert builtin == pytest.approx(q, abs=1e-6)


def test_gtft_forgives_about_one_third_of_attacks():
    n = 200_000
    u = np.random.default_rng(20200108).random(n)
    kind = decisions.doctrine_response(
        "gtft",
        np.ones(n, bool),
        np.zeros(n, bool),
        np.full(n, 0.5),
        np.zeros(n),
        1.0,
        u,
        Doctrines(),
    )
    forgiven = np.mean(kind == NONE)
    assert forgiven == pytest.approx(1 / 3, abs=0.005)
    assert set(np.unique(kind)) == {NONE, STRIKE_PROXY}


def test_gtft_forgives_exactly_when_the_uniform_is_below_q():
    q = 1 / 3
    kind = respond("gtft", u=q - 1e-9)
    assert kind.tolist() == [NONE, NONE, NONE, NONE]
    kind = respond("gtft", u=q + 1e-9)
    assert kind.tolist() == [STRIKE_PROXY, STRIKE_STATE, NONE, NONE]


def test_gtft_with_zero_forgiveness_is_proportional():
    zero = Doctrines(gtft_forgiveness=0.0)
    for u in (0.0, 0.2, 0.7):
        assert respond("gtft", u=u, params=zero).tolist() == respond("proportional").tolist()


# --- the four doctrines on small arrays -------------------------------------------------------


def test_restraint_never_answers_an_attack_by_doctrine():
    """Red lines are handled before doctrines; restraint adds nothing of its own."""
    for belief in (0.0, 0.5, 1.0):
        assert respond("restraint", belief=belief).tolist() == [NONE] * 4


def test_proportional_answers_in_kind_against_the_perceived_perpetrator():
    assert respond("proportional").tolist() == [STRIKE_PROXY, STRIKE_STATE, NONE, NONE]
    # trust does not matter to proportional
    assert respond("proportional", belief=0.0).tolist() == [STRIKE_PROXY, STRIKE_STATE, NONE, NONE]


def test_retaliatory_strikes_the_state_when_trust_is_below_its_threshold():
    threshold = Doctrines().retaliatory_trust_threshold
    low = respond("retaliatory", belief=threshold - 0.01)
    high = respond("retaliatory", belief=threshold + 0.01)
    assert low.tolist() == [STRIKE_STATE, STRIKE_STATE, NONE, NONE]
    assert high.tolist() == [STRIKE_PROXY, STRIKE_STATE, NONE, NONE]


def test_retaliatory_with_zero_trust_threshold_is_proportional():
    params = Doctrines(retaliatory_trust_threshold=0.0)
    assert respond("retaliatory", belief=0.0, params=params).tolist() == (
        respond("proportional").tolist()
    )


@pytest.mark.parametrize("doctrine", DOCTRINES)
def test_no_doctrine_acts_without_a_perceived_attack(doctrine):
    kind = decisions.doctrine_response(
        doctrine,
        np.zeros(50, bool),
        np.arange(50) % 2 == 0,
        np.linspace(0, 1, 50),
        np.zeros(50),
        1.0,
        np.linspace(0, 1, 50),
        Doctrines(),
    )
    assert np.all(kind == NONE)
    assert kind.dtype == np.int8


@pytest.mark.parametrize("doctrine", DOCTRINES)
def test_doctrines_never_retaliate_that_is_the_challenger_rule(doctrine):
    kind = respond(doctrine, u=0.0, belief=0.0)
    assert not np.any(kind == RETALIATE)


def test_unknown_doctrine_is_an_error():
    with pytest.raises(ValueError, match="unknown doctrine"):
        respond("appeasement")


# --- audience costs: commitment makes forgiving costlier and enforcing likelier -----------------


def test_forgiveness_falls_with_public_commitment():
    commitment = np.array([0.0, 0.5, 1.0, 2.0])
    q = decisions.forgiveness(1 / 3, commitment, 1.0)
    assert q == pytest.approx(1 / 3 * np.exp(-commitment))
    assert np.all(np.diff(q) < 0)
    # no audience weight: commitment is irrelevant
    assert decisions.forgiveness(1 / 3, commitment, 0.0) == pytest.approx(np.full(4, 1 / 3))


def test_enforcement_rises_with_public_commitment_towards_one():
    commitment = np.array([0.0, 0.5, 1.0, 10.0])
    rho = decisions.enforcement(0.95, commitment, 1.0)
    assert rho[0] == pytest.approx(0.95)
    assert rho == pytest.approx(1 - 0.05 * np.exp(-commitment))
    assert np.all(np.diff(rho) > 0)
    assert rho[-1] == pytest.approx(1.0, abs=1e-5)
    assert decisions.enforcement(0.7, commitment, 0.0) == pytest.approx(np.full(4, 0.7))


def test_a_committed_gtft_leader_forgives_less():
    """Commitment 1 with audience weight 1: q_eff = e^-1 / 3 = 0.1226; u = 0.2 is not forgiven."""
    committed = respond("gtft", u=0.2, commitment=np.ones(4))
    free = respond("gtft", u=0.2, commitment=ZERO)
    assert free.tolist() == [NONE] * 4
    assert committed.tolist() == [STRIKE_PROXY, STRIKE_STATE, NONE, NONE]


# --- logit (quantal response) -----------------------------------------------------------------


LOGIT = Logit()


def logit_probabilities(belief, commitment=0.0, weight=1.0, state_perpetrator=False, p=LOGIT):
    """EU by hand: deterrence value - cost - war cost x risk (x share for a proxy) - audience."""
    risk = belief * 0.7 * (1 - 0.9) + (1 - belief) * 0.95
    eu = np.array(
        [
            p.deterrence_value["none"] - p.action_cost["none"] - weight * commitment,
            p.deterrence_value["strike_proxy"]
            - p.action_cost["strike_proxy"]
            - p.war_cost * p.proxy_risk_share * risk,
            p.deterrence_value["strike_state"] - p.action_cost["strike_state"] - p.war_cost * risk,
        ]
    )
    if state_perpetrator:
        eu[1] = -np.inf
    w = np.exp(p.precision * (eu - eu.max()))
    return w / w.sum()


def logit_choices(n, belief, commitment=0.0, state_perpetrator=False, params=LOGIT, seed=8):
    u = np.random.default_rng(seed).random(n)
    kind = decisions.logit_response(
        np.ones(n, bool),
        np.full(n, state_perpetrator),
        np.full(n, belief),
        np.full(n, commitment),
        1.0,
        (0.7, 0.95),
        0.9,
        params,
        u,
    )
    return kind, u


def test_logit_worked_example_trusting_defender():
    """belief 1: war risk 0.07; EU = (0, 0.525, -0.2); softmax with lambda 2."""
    p = logit_probabilities(1.0)
    expected = np.exp([0.0, 1.05, -0.4]) / np.exp([0.0, 1.05, -0.4]).sum()
    assert p == pytest.approx(expected)
    assert p == pytest.approx([0.2209, 0.6311, 0.1480], abs=1e-4)


@pytest.mark.parametrize("belief", [0.0, 0.3, 0.7, 1.0])
@pytest.mark.parametrize("commitment", [0.0, 1.0])
def test_logit_choice_frequencies_follow_the_softmax(belief, commitment):
    n = 100_000
    kind, u = logit_choices(n, belief, commitment)
    p = logit_probabilities(belief, commitment)
    freq = np.bincount(kind, minlength=3)[:3] / n
    assert freq == pytest.approx(p, abs=0.006)  # about 4 standard errors
    # and run by run: the choice is the inverse CDF of the softmax at u
    assert np.array_equal(kind, np.searchsorted(np.cumsum(p)[:-1], u, side="left"))


def test_logit_never_strikes_a_proxy_when_the_state_is_the_perpetrator():
    kind, _ = logit_choices(50_000, 0.8, state_perpetrator=True)
    assert not np.any(kind == STRIKE_PROXY)
    p = logit_probabilities(0.8, state_perpetrator=True)
    assert np.mean(kind == STRIKE_STATE) == pytest.approx(p[2], abs=0.01)


def test_logit_with_zero_precision_is_uniform_over_feasible_actions():
    kind, _ = logit_choices(90_000, 0.5, params=Logit(precision=0.0))
    assert np.bincount(kind, minlength=3)[:3] / 90_000 == pytest.approx([1 / 3] * 3, abs=0.01)


def test_logit_distrust_makes_striking_the_state_rarer_through_war_risk():
    trusting, _ = logit_choices(50_000, 1.0)
    distrustful, _ = logit_choices(50_000, 0.0)
    assert np.mean(distrustful == STRIKE_STATE) < np.mean(trusting == STRIKE_STATE)
    assert np.mean(distrustful == NONE) > 0.9


def test_logit_without_a_trigger_does_nothing():
    kind = decisions.logit_response(
        np.zeros(3, bool),
        np.zeros(3, bool),
        np.full(3, 0.5),
        np.zeros(3),
        1.0,
        (0.7, 0.95),
        0.9,
        Logit(),
        np.array([0.0, 0.5, 0.99]),
    )
    assert kind.tolist() == [NONE] * 3


def test_war_risk_of_a_state_strike_by_hand():
    risk = decisions.war_risk_of_state_strike(np.array([0.0, 0.5, 1.0]), (0.7, 0.95), 0.9)
    assert risk == pytest.approx([0.95, 0.5 * 0.07 + 0.5 * 0.95, 0.07])


# --- red-line predicates on perceived slots ---------------------------------------------------


def slots_with(**fields) -> state.Slots:
    sl = state.Slots(runs=len(next(iter(fields.values()))), red_lines=1)
    for name, values in fields.items():
        getattr(sl, name)[:, 0] = values
    sl.active[:, 0] = True
    return sl


def test_us_red_line_needs_reported_american_deaths_and_attribution_above_tau():
    """Injuries (TBI) and unattributed deaths do not fire it (MODEL.md §8)."""
    usa = 2  # an index into the scenario's nationalities
    sl = slots_with(
        victim=np.array([usa, usa, usa, usa, 0]),
        reported_deaths=np.array([2, 2, 0, 1, 3]),
        reported_injuries=np.array([0, 0, 109, 0, 0]),
    )
    p_ordered = np.zeros((5, state.SLOTS))
    p_ordered[:, 0] = [0.8, 0.5, 0.99, 0.7, 0.99]
    deaths = redlines.condition_holds(("reported_deaths", usa, ">=", 1.0), sl, p_ordered)[:, 0]
    attributed = redlines.condition_holds(("p_ordered", 0, ">=", 0.7), sl, p_ordered)[:, 0]
    fires = deaths & attributed
    # killed and attributed; killed, not attributed (Camp Taji); TBI only; at tau exactly; other
    # nationality killed
    assert fires.tolist() == [True, False, False, True, False]


def test_iran_red_line_reads_target_and_perceived_rung():
    sl = slots_with(
        target=np.array([TARGETS.index("territory"), TARGETS.index("territory"), 3]),
        perceived_rung=np.array([12, 8, 12]),
    )
    p = np.zeros((3, state.SLOTS))
    on_soil = redlines.condition_holds(("target", 0, "==", TARGETS.index("territory")), sl, p)
    high = redlines.condition_holds(("perceived_rung", 0, ">=", 9.0), sl, p)
    assert (on_soil & high)[:, 0].tolist() == [True, False, False]


def test_red_line_role_condition_and_unknown_field():
    sl = slots_with(role=np.array([ROLES.index("proxy"), ROLES.index("leadership")]))
    p = np.zeros((2, state.SLOTS))
    is_proxy = redlines.condition_holds(
        ("perceived_actor_role", 0, "==", ROLES.index("proxy")), sl, p
    )
    assert is_proxy[:, 0].tolist() == [True, False]
    with pytest.raises(ValueError, match="unknown red-line field"):
        redlines.condition_holds(("true_deaths", 0, ">=", 1.0), sl, p)


# --- decisions read perceived fields only -----------------------------------------------------

TRUTH_TYPES = ("World", "Ledger", "InTransit", "Engine")


def module_functions(module):
    return [
        f
        for _, f in inspect.getmembers(module, inspect.isfunction)
        if f.__module__ == module.__name__
    ]


@pytest.mark.parametrize("module", [decisions, redlines], ids=lambda m: m.__name__)
def test_decision_and_red_line_functions_take_no_truth_argument(module):
    functions = module_functions(module)
    assert functions
    for f in functions:
        hints = typing.get_type_hints(f)
        for name, annotation in hints.items():
            text = repr(annotation)
            assert not any(t in text for t in TRUTH_TYPES), (f.__name__, name, text)
        for name in inspect.signature(f).parameters:
            assert name not in {"world", "ledger", "transit", "engine", "truth", "limited"}, (
                f.__name__,
                name,
            )
    for t in TRUTH_TYPES:
        assert not hasattr(module, t), f"{module.__name__} imports {t}"


def test_the_perceived_slot_table_holds_no_true_fields():
    """True deaths and who ordered an event live in World.transit until they are reported."""
    slot_fields = {f.name for f in dataclasses.fields(state.Slots)}
    view_fields = {f.name for f in dataclasses.fields(state.View)}
    transit_fields = {f.name for f in dataclasses.fields(state.InTransit)}
    truth = {"deaths", "injuries", "ordered", "limited", "campaign", "control"}
    assert not (slot_fields | view_fields) & truth
    assert {"deaths", "ordered"} <= transit_fields


@cache
def scenario_pair():
    """Two worlds the US cannot tell apart: KH's true control and Iran's type prior differ, the
    US model of them (assumed control, its own prior) does not."""
    loose = load_scenario("us-iran-2020", {"actors.KH.control": 0.3, "actors.IRN.type_prior": 0.0})
    tight = load_scenario("us-iran-2020", {"actors.KH.control": 0.95, "actors.IRN.type_prior": 1.0})
    return compile_scenario(loose), compile_scenario(tight)


def test_hidden_truth_does_not_reach_what_the_defender_decides_with():
    a, b = scenario_pair()
    kh_a = next(g for g in a.groups if g.id == "KH")
    kh_b = next(g for g in b.groups if g.id == "KH")
    assert kh_a.control != kh_b.control
    assert kh_a.assumed_control == kh_b.assumed_control == 0.6
    assert a.sides[DEFENDER] == b.sides[DEFENDER]
    assert a.scenario.doctrines == b.scenario.doctrines
    assert a.scenario.logit == b.scenario.logit
    assert a.red_lines == b.red_lines


@settings(max_examples=25, deadline=None)
@given(
    st.integers(0, 2**32 - 1),
    st.sampled_from(DOCTRINES),
    st.booleans(),
)
def test_decisions_are_identical_for_identical_perceptions_whatever_the_truth(
    seed, doctrine, logit
):
    """Same perceived inputs (belief, attack seen, perceived perpetrator, P(ordered)) in two worlds
    with different true control and challenger type: the same responses and red-line verdicts."""
    rng = np.random.default_rng(seed)
    n = 64
    perceived_belief = rng.random(n)
    trigger = rng.random(n) < 0.7
    commitment = rng.random(n)
    u = rng.random(n)
    reported = rng.integers(0, 3, n)
    outputs = []
    for compiled in scenario_pair():
        s, us = compiled.scenario, compiled.sides[DEFENDER]
        kh = next(g for g in compiled.groups if g.id == "KH")
        # the prior reads the US model of KH (assumed control), never KH's true control
        p0 = beliefs.prior_ordered(
            perceived_belief,
            kh.assumed_control,
            s.attribution.assumed_order_share,
            s.hazards.ordered_multiplier,
        )
        p_ord = beliefs.attribution_posterior(
            beliefs.odds(p0), 1.0, np.zeros(n, bool), compiled.lr_c2
        )
        state_perpetrator = p_ord >= 0.5
        if logit:
            kind = decisions.logit_response(
                trigger,
                state_perpetrator,
                perceived_belief,
                commitment,
                us.audience_cost,
                compiled.sides[1 - DEFENDER].retaliation,
                compiled.sides[1 - DEFENDER].p_warning_delivered,
                s.logit,
                u,
            )
        else:
            kind = decisions.doctrine_response(
                doctrine,
                trigger,
                state_perpetrator,
                perceived_belief,
                commitment,
                us.audience_cost,
                u,
                s.doctrines,
            )
        sl = slots_with(
            victim=np.full(n, compiled.sides[DEFENDER].nationality), reported_deaths=reported
        )
        p_slots = np.zeros((n, state.SLOTS))
        p_slots[:, 0] = p_ord
        verdict = np.ones((n, state.SLOTS), bool)
        for line in compiled.red_lines:
            if line.owner == DEFENDER:
                for cond in line.conditions:
                    verdict &= redlines.condition_holds(cond, sl, p_slots)
        rho = decisions.enforcement(compiled.red_lines[0].enforcement, commitment, us.audience_cost)
        outputs.append((kind, verdict[:, 0], rho, p_ord))
    for x, y in zip(*outputs, strict=True):
        assert np.array_equal(x, y)
