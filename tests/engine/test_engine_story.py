"""The story of one run: the run simulated alone with tracing, which must agree with its row of
the batch and narrate truth and perception in order."""

from __future__ import annotations

import datetime as dt
from functools import cache

import numpy as np
import pytest

from crisislab.engine.batch import BLOCK_RUNS
from crisislab.engine.outcomes import OUTCOMES
from crisislab.history.replay import prepare
from crisislab.simulate import simulate

SCENARIO = "us-iran-2020"
WARLIKE = {"actors.USA.doctrine": "proportional"}  # about half the runs end in war


@cache
def ensemble():
    return simulate(SCENARIO, runs=2 * BLOCK_RUNS, seed=4, overrides=WARLIKE, days=120)


def runs_with(outcome: str) -> np.ndarray:
    return np.flatnonzero(ensemble().columns["outcome"] == OUTCOMES.index(outcome))


def test_story_of_a_war_run_contains_the_war_and_ends_with_the_outcome():
    k = int(runs_with("war")[-1])  # in the second block: the run is simulated alone
    assert k >= BLOCK_RUNS
    story = ensemble().story(k)
    wars = [r for r in story.records if r["kind"] == "war"]
    assert len(wars) == 1
    assert wars[0]["day"] == ensemble().columns["war_day"][k]
    lines = story.text().splitlines()
    assert lines[-1].startswith("Outcome: war. War on day ")
    assert story.outcome == "war"
    assert "WAR:" in story.text()


@pytest.mark.parametrize("outcome", OUTCOMES)
def test_story_resimulation_matches_the_batch_row(outcome):
    c = ensemble().columns
    k = int(runs_with(outcome)[-1])
    story = ensemble().story(k)
    assert OUTCOMES[int(story.row["outcome"])] == outcome
    for name, column in c.items():
        assert np.array_equal(story.row[name], column[k]), (k, name)
    assert story.text().splitlines()[-1].startswith(f"Outcome: {outcome.replace('_', ' ')}.")


def test_story_records_are_in_day_order_and_start_with_the_hidden_types():
    k = int(runs_with("war")[0])
    records = ensemble().story(k).records
    assert records[0]["kind"] == "types" and records[0]["day"] == 0
    assert set(records[0]["types"]) == {"USA", "IRN"}
    days = [r["day"] for r in records]
    assert days == sorted(days)
    # the opening event: Iran's warned missile strike of 8 January 2020, no deaths
    opening = next(r for r in records if r["kind"] == "event")
    assert opening["source"] == "opening event" and opening["actor"] == "IRN"
    assert opening["warned"] and opening["deaths"] == 0 and opening["day"] == 0


def test_story_keeps_truth_and_perception_apart():
    """An event record carries both the executed and the perceived rung, which may differ."""
    c = ensemble().columns
    k = int(np.flatnonzero(c["misperceptions"] > 0)[0])
    events = [r for r in ensemble().story(k).records if r["kind"] == "event"]
    gap = [abs(r["perceived_rung"] - r["executed_rung"]) for r in events if r["detected"]]
    assert max(gap) >= 2
    assert sum(g >= 2 for g in gap) == c["misperceptions"][k]


def test_story_war_kind_matches_the_hidden_type():
    c = ensemble().columns
    k = int(runs_with("war")[0])
    story = ensemble().story(k)
    limited = story.records[0]["types"]["IRN"] == "limited"
    assert bool(c["challenger_limited"][k]) == limited
    assert ("a spiral" in story.text()) == limited
    assert ("a deterrence failure" in story.text()) == (not limited)


def test_story_of_a_forked_run_matches_its_row_and_skips_the_replayed_days():
    """A fork's story replays the timeline too: its row is the batch's, and its records start
    on the fork day, dated from the timeline's first day."""
    _, _, mapped = prepare("us-iran-2019-2020", None, None)
    at = dt.date(2020, 1, 8)
    fork_day = mapped.day_of(at)
    result = simulate(
        SCENARIO, runs=BLOCK_RUNS + 10, seed=4, overrides=WARLIKE, days=60, script=mapped.script(at)
    )
    c = result.columns
    k = int(np.flatnonzero(c["outcome"] == OUTCOMES.index("war"))[-1])
    story = result.story(k)
    for name, column in c.items():
        assert np.array_equal(story.row[name], column[k]), (k, name)
    days = [r["day"] for r in story.records[1:]]
    assert days == sorted(days) and min(days) >= fork_day
    wars = [r for r in story.records if r["kind"] == "war"]
    assert len(wars) == 1 and wars[0]["day"] == fork_day + c["war_day"][k]


def test_story_of_a_run_outside_the_ensemble_is_an_error():
    with pytest.raises(IndexError):
        ensemble().story(2 * BLOCK_RUNS)
    with pytest.raises(IndexError):
        ensemble().story(-1)
