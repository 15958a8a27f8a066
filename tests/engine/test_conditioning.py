"""Forks conditioned on the record (MODEL.md §14): the replay is sequential importance
resampling over the runs' hidden state, checked against a posterior computed by enumeration."""

from __future__ import annotations

import math

import numpy as np
import pytest
from ruamel.yaml import YAML

from crisislab.engine.compiled import compile_action
from crisislab.engine.script import Script, ScriptedEvent
from crisislab.scenario.loader import load_scenario
from crisislab.simulate import simulate, simulate_runs, story

# One challenger with one proxy: a limited challenger (resolve below 1/2) enforces control over
# it, an aggressive one does not; nothing else moves the proxy's hazard (orders cost too much to
# be given, grievance has no weight), so each type has a constant daily hazard.
BASE, CONTROL, EFFECT, ENFORCEMENT, PRIOR = 0.2, 0.5, 0.35, 1.0, 0.5
RATE = {"limited": BASE * (1 - CONTROL - EFFECT * ENFORCEMENT), "aggressive": BASE * (1 - CONTROL)}
SCENARIO = f"""\
name: one-proxy
start_date: 2020-01-01
days: 20
dyad: {{defender: DEF, challenger: CHA}}
actors:
  DEF: {{role: leadership, name: Defender, nationality: DEF, doctrine: restraint}}
  CHA:
    role: leadership
    name: Challenger
    nationality: CHA
    type_prior: {PRIOR}
    enforcement: {ENFORCEMENT}
  G:
    role: proxy
    name: Group
    nationality: CHA
    principal: CHA
    control: {CONTROL}
    base_hazard: {BASE}
    action: proxy_rocket_attack
hazards: {{ordered_multiplier: 1.0, enforcement_effect: {EFFECT}}}
stocks: {{grievance_sensitivity: 0.0}}
logit: {{order_cost: 100.0}}
"""
DAYS, ATTACK_DAYS = 40, (5, 17, 30)


@pytest.fixture(scope="module")
def scenario(tmp_path_factory):
    path = tmp_path_factory.mktemp("conditioning") / "one-proxy.yaml"
    path.write_text(SCENARIO, encoding="utf-8")
    return load_scenario(path)


def record(scenario) -> Script:
    action = compile_action("proxy_rocket_attack", scenario.actions["proxy_rocket_attack"])
    attack = ScriptedEvent(side=1, group=0, action=action, label="rockets", deaths=0)
    return Script(fork_day=DAYS, events={day: [attack] for day in ATTACK_DAYS})


def exact_posterior_limited() -> float:
    """P(limited | the record) by enumeration of the two types."""
    k, quiet = len(ATTACK_DAYS), DAYS - len(ATTACK_DAYS)
    likelihood = {t: r**k * (1 - r) ** quiet for t, r in RATE.items()}
    return (
        PRIOR
        * likelihood["limited"]
        / (PRIOR * likelihood["limited"] + (1 - PRIOR) * likelihood["aggressive"])
    )


def test_the_conditioned_share_of_limited_challengers_matches_the_exact_posterior(scenario):
    runs = 8192
    table = simulate(scenario, runs, 3, script=record(scenario)).runs
    exact = exact_posterior_limited()
    assert math.isclose(exact, 0.301, abs_tol=0.002)  # far from the prior of 0.5
    estimate = float(np.mean(table["resolve_drawn_challenger"] < 0.5))
    assert abs(estimate - exact) < 0.03, (estimate, exact)
    assert (table["replay_resamplings"] >= 1).all()
    assert ((table["replay_ess_min"] > 0) & (table["replay_ess_min"] <= 1)).all()


def test_a_quiet_record_raises_the_share_of_limited_challengers(scenario):
    quiet = Script(fork_day=DAYS, events={})
    table = simulate(scenario, 4096, 3, script=quiet).runs
    ratio = ((1 - RATE["limited"]) / (1 - RATE["aggressive"])) ** DAYS
    exact = PRIOR * ratio / (PRIOR * ratio + 1 - PRIOR)
    assert abs(float(np.mean(table["resolve_drawn_challenger"] < 0.5)) - exact) < 0.03


def test_conditioning_does_not_depend_on_the_chunks(scenario):
    script = record(scenario)
    one = simulate(scenario, 3000, 5, script=script, chunk_blocks=1).runs
    all_ = simulate(scenario, 3000, 5, script=script, chunk_blocks=4).runs
    assert one.equals(all_)


def test_a_forked_run_s_story_is_its_row_of_the_conditioned_batch(scenario):
    script = record(scenario)
    batch = simulate_runs(scenario, 7, 0, 2048, script=script)
    row = 1500
    told = story(scenario, row, 7, script=script)
    assert told.row["resolve_drawn_challenger"] == pytest.approx(
        batch.field("resolve_drawn")[row, 1]
    )
    assert told.row["outcome"] == simulate(scenario, 2048, 7, script=script).columns["outcome"][row]
    assert all(r["day"] >= DAYS for r in told.records if "day" in r and r["kind"] != "types")


def test_the_fork_day_state_is_the_conditioned_replay_s(scenario):
    """The runs that go on from the fork are the resampled particles: equally weighted, and
    the fork's hidden state is the replay's posterior, not the prior."""
    script = record(scenario)
    batch = simulate_runs(scenario, 11, 0, 4096, script=script)
    assert np.allclose(batch.field("log_weight"), 0.0)  # the ledger restarts at the fork
    limited = float(np.mean(batch.field("resolve_drawn")[:, 1] < 0.5))
    assert abs(limited - exact_posterior_limited()) < 0.04


def test_yaml_of_the_test_scenario_parses():
    assert YAML(typ="safe").load(SCENARIO)["actors"]["G"]["base_hazard"] == BASE
