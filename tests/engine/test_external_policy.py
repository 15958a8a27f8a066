"""An external policy takes one side (MODEL.md §5, "External policies"): a callable over a batch
of perceived states returns that side's moves, and the engine plays the other side."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

import crisislab
from crisislab.engine.external import Perceived
from crisislab.errors import ScenarioError

RUNS, SEED, DAYS = 2048, 5, 90
NAME = "us-iran-2020"


def run(policies=None, **overrides):
    return crisislab.simulate(NAME, RUNS, SEED, {"days": DAYS, **overrides}, policies=policies).runs


def never(seen: Perceived) -> dict[str, np.ndarray]:
    return {"answer": np.zeros(len(seen.belief), np.int64)}


def strike_the_proxy(seen: Perceived) -> dict[str, np.ndarray]:
    """Answer every perceived attack by a group with a strike on that group."""
    return {"answer": np.where(seen.new_attack_group >= 0, 1, 0)}


def test_a_policy_that_never_answers_never_strikes() -> None:
    # under restraint the engine still carries out committed red lines; the policy does not
    engine = run(**{"actors.USA.doctrine": "restraint"})
    held = run({"USA": never})
    assert (engine["first_state_strike_day"] >= 0).sum() > 0
    assert (held["first_state_strike_day"] >= 0).sum() == 0
    assert held["proxy_strikes"].sum() == 0


def test_a_policy_that_strikes_every_attacking_group_answers_each_perceived_attack() -> None:
    calls: list[int] = []

    def policy(seen: Perceived) -> dict[str, np.ndarray]:
        calls.append(seen.day)
        return strike_the_proxy(seen)

    table = run({"USA": policy})
    assert calls == sorted(calls) and calls[0] == 0 and calls[-1] == DAYS - 1
    struck = table["proxy_strikes"]
    assert struck.sum() > 0.5 * RUNS
    # every run whose groups attacked at all (and were seen) was answered on a proxy at least once
    attacked = table["group_attacks"] > 2
    assert (struck[attacked] > 0).mean() > 0.9
    # the challenger perceives the answers: its record of answers deters its orders
    engine = run(**{"actors.USA.doctrine": "restraint"})
    assert table["ordered_attacks"].mean() < engine["ordered_attacks"].mean()


def test_the_challenger_can_be_played_too() -> None:
    def always_order(seen: Perceived) -> dict[str, np.ndarray]:
        return {"orders": np.ones(len(seen.belief), bool)}

    ordered = run({"IRN": always_order})
    engine = run()
    assert ordered["ordered_attacks"].mean() > 3 * engine["ordered_attacks"].mean()


def test_a_policy_sees_only_what_its_side_perceives_and_its_own_hidden_state() -> None:
    names = {f.name for f in dataclasses.fields(Perceived)}
    assert names == {
        "day", "new_attack_rung", "new_attack_group", "p_ordered", "belief", "credibility",
        "answer_rate", "alert", "threat", "resolve", "grievance", "ordering", "at_war",
    }  # fmt: skip
    seen: list[Perceived] = []

    def keep(view: Perceived) -> dict[str, np.ndarray]:
        seen.append(view)
        return never(view)

    crisislab.simulate(NAME, 1024, 1, {"days": 5}, policies={"USA": keep})
    assert len(seen) == 5 and all(len(v.belief) == 1024 for v in seen)
    assert all(((v.p_ordered >= 0) & (v.p_ordered <= 1)).all() for v in seen)


def test_a_policy_run_is_reproducible() -> None:
    first, again = run({"USA": strike_the_proxy}), run({"USA": strike_the_proxy})
    assert first.equals(again)


def test_a_policy_for_an_actor_that_is_no_side_is_refused() -> None:
    with pytest.raises(ScenarioError, match="external policy"):
        crisislab.simulate(NAME, 16, 0, policies={"KH": never})
    with pytest.raises(ValueError, match="answer must be"):
        crisislab.simulate(NAME, 16, 0, {"days": 2}, policies={"USA": lambda seen: {"answer": 7}})
