"""Keyed random streams (MODEL.md §13): every number is a pure function of (seed, run, purpose,
day, slot), so a run is the same world whatever else is simulated with it or changed around it."""

from __future__ import annotations

import numpy as np
import pytest

import crisislab
from crisislab.engine.outcomes import summarise
from crisislab.scenario.outcomes import OUTCOMES
from crisislab.simulate import simulate_runs

RED_LINE = "red_lines.american_killed_on_iranian_orders.enforcement"
CASES = [
    ("us-iran-2020", {"actors.USA.doctrine": "proportional"}),
    (
        "us-iran-2020",
        {
            "actors.USA.doctrine": "gtft",
            "attribution.confirmation_bias": 0.6,
            "channel.kind": "hotline",
            "channel.carries_c2": True,
        },
    ),
    ("us-iran-2020", {"actors.USA.rhetoric": "inflammatory", "actors.KH.control": 0.3}),
    ("india-pakistan-2019", {"attribution.confirmation_bias": 0.7}),
]


def _rows_equal(columns: dict, row: dict, k: int) -> list[str]:
    return [name for name in columns if not np.array_equal(columns[name][k], row[name])]


@pytest.mark.parametrize(("scenario", "overrides"), CASES)
def test_a_story_is_bit_for_bit_its_row_of_the_batch(scenario, overrides):
    result = crisislab.simulate(scenario, runs=1500, seed=5, overrides=overrides, days=120)
    for k in (0, 777, 1499):
        story = crisislab.story(scenario, k, 5, {**overrides, "days": 120})
        assert _rows_equal(result.columns, story.row, k) == []
        assert story.outcome == OUTCOMES[int(result.columns["outcome"][k])]


def test_any_run_can_be_recomputed_alone():
    scenario = crisislab.load_scenario("us-iran-2020", {"days": 90})
    whole = summarise(simulate_runs(scenario, 9, 0, 3000))
    for k in (1, 1024, 2999):
        alone = summarise(simulate_runs(scenario, 9, k, 1))
        assert _rows_equal(whole, {name: v[0] for name, v in alone.items()}, k) == []


def test_runs_in_which_a_red_line_never_fires_are_identical_whatever_its_enforcement():
    """The red line's enforcement acts only once it fires: every run in which it never fires is
    the same world under both settings (MODEL.md §13), not merely the same distribution."""
    base = {"actors.USA.doctrine": "restraint"}
    strict = crisislab.simulate(
        "us-iran-2020", runs=6000, seed=3, overrides={**base, RED_LINE: 0.95}
    )
    lax = crisislab.simulate("us-iran-2020", runs=6000, seed=3, overrides={**base, RED_LINE: 0.0})
    never = np.flatnonzero(strict.columns["red_line_firings"] == 0)
    assert 0.5 * 6000 < never.size < 6000  # it fires in some runs and not in most
    for name, values in strict.columns.items():
        assert np.array_equal(values[never], lax.columns[name][never]), name
    fired = np.flatnonzero(strict.columns["red_line_firings"] > 0)
    assert (strict.columns["outcome"][fired] != lax.columns["outcome"][fired]).any()


def test_a_different_seed_gives_different_worlds():
    a = crisislab.simulate("us-iran-2020", runs=2000, seed=1, days=60)
    b = crisislab.simulate("us-iran-2020", runs=2000, seed=2, days=60)
    assert not np.array_equal(a.columns["goldstein"], b.columns["goldstein"])
