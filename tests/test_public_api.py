"""The public API is what `crisislab.__all__` lists, and its docstring example runs."""

from __future__ import annotations

import doctest

import numpy as np
import pytest

import crisislab


def test_all_lists_exactly_the_public_names():
    public = {name for name in vars(crisislab) if not name.startswith("_")}
    modules = {name for name in public if type(getattr(crisislab, name)).__name__ == "module"}
    assert set(crisislab.__all__) - {"__version__"} == public - modules


def test_every_public_name_resolves():
    for name in crisislab.__all__:
        assert getattr(crisislab, name) is not None


def test_package_docstring_example_runs():
    failures, tried = doctest.testmod(crisislab, verbose=False)
    assert tried > 0 and failures == 0


def test_simulate_story_and_runs_table_from_python():
    scenario = crisislab.load_scenario("us-iran-2020")
    result = crisislab.simulate(
        scenario, runs=1024, seed=4, days=45, overrides={"actors.USA.doctrine": "gtft"}
    )
    assert len(result.runs) == 1024
    assert set(result.runs["outcome"].cat.categories) == {
        "stable_deescalation",
        "frozen_conflict",
        "war",
    }
    told = result.story(7)
    assert told.outcome == str(result.runs["outcome"].iloc[7])
    assert told.text().splitlines()[-1].startswith("Outcome:")


def test_a_story_is_asked_of_the_simulator_and_agrees_with_the_result():
    result = crisislab.simulate("us-iran-2020", runs=64, seed=2, days=30)
    told = crisislab.story("us-iran-2020", 5, 2, {"days": 30})
    assert told.row == result.story(5).row
    assert told.outcome == str(result.runs["outcome"].iloc[5])


def test_a_result_made_without_the_simulator_cannot_tell_a_run():
    scenario = crisislab.load_scenario("us-iran-2020")
    result = crisislab.SimulationResult(scenario, 1, 0, {}, {"outcome": np.zeros(1, np.int8)})
    with pytest.raises(ValueError, match=r"crisislab\.story"):
        result.story(0)
