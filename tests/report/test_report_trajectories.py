"""The per-day statistics the report draws: the trailing window, runs at war left out."""

from __future__ import annotations

import numpy as np
import pytest

from crisislab.report.sources import json_kind
from crisislab.report.trajectories import first_crisis_curves, trailing_max, trajectories
from crisislab.results import SimulationResult
from crisislab.scenario.loader import load_scenario


def test_trailing_max_is_the_highest_value_of_the_past_window():
    values = np.array([[0, 9, 0, 0, 0, 3, 0]], dtype=np.float32)
    assert trailing_max(values, 3).tolist() == [[0, 9, 9, 9, 0, 3, 3]]
    assert trailing_max(values, 1).tolist() == values.tolist()


def _result(daily: dict[str, list[list[float]]], war_day: list[int]) -> SimulationResult:
    scenario = load_scenario("us-iran-2020")
    runs, days = len(war_day), len(next(iter(daily.values()))[0])
    sides = [f"{k}_{s}" for k in ("perceived_rung", "belief") for s in ("USA", "IRN")]
    names = ["goldstein", "rung", "red_lines", "misperceptions", *sides]
    columns = {f"daily_{name}": np.zeros((runs, days), np.float32) for name in names}
    columns |= {f"daily_{k}": np.array(v, np.float32) for k, v in daily.items()}
    columns["war_day"] = np.array(war_day, np.int32)
    return SimulationResult(scenario, runs, 0, {}, columns)


def test_runs_at_war_leave_the_bands_and_the_beliefs_from_the_day_after():
    result = _result(
        {
            "rung": [[0, 12, 0, 0], [0, 0, 0, 0]],
            "belief_USA": [[0.5, 0.1, 0.1, 0.1], [0.5, 0.7, 0.9, 0.9]],
            "red_lines": [[0, 1, 0, 0], [0, 0, 1, 0]],
        },
        war_day=[1, -1],
    )
    t = trajectories(result, window=2)
    assert t.at_war.tolist() == [0, 0.5, 0.5, 0.5]
    assert t.true_rung.band(0.5).tolist() == [0, 6, 0, 0]  # day 1: both runs; then run 1 only
    assert t.true_rung.mean.tolist() == [0, 6, 0, 0]
    assert np.allclose(t.belief["USA"], [0.5, 0.4, 0.9, 0.9])
    assert t.red_lines.tolist() == [0, 0.5, 1.0, 1.0]  # cumulative mean per run over all runs


def test_trajectories_need_daily_columns():
    result = _result({"rung": [[0, 1]]}, war_day=[-1])
    del result.columns["daily_rung"]
    with pytest.raises(ValueError, match="daily=True"):
        trajectories(result)


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        ({"timeline": "t", "days": []}, "replay"),
        ({"fork": {}, "calibration": {}, "days": 365}, "fork"),
        ({"days": 365, "outcomes": {}}, None),
        ([1, 2], None),
    ],
)
def test_json_kind_is_read_off_the_keys(data, kind):
    assert json_kind(data) == kind


def test_how_the_first_crisis_ends_is_read_as_competing_risks():
    # run 0 ends on day 1; run 1 goes to war on day 2 before its crisis ends (day 3); run 2
    # ends on day 2 and goes to war later (a recurrence: its first crisis ended short of war);
    # run 3 ends the day war begins (war); run 4 is still in crisis at the horizon
    ended, war = first_crisis_curves(
        np.array([1, 3, 2, 2, -1]), np.array([-1, 2, 3, 2, -1]), days=4
    )
    assert ended.tolist() == pytest.approx([0, 0.2, 0.4, 0.4])
    assert war.tolist() == pytest.approx([0, 0, 0.4, 0.4])
    assert np.all(ended + war <= 1)


def test_trajectories_carry_the_first_crisis_curves_and_its_median():
    result = _result({"rung": [[0, 0, 0], [0, 0, 0], [0, 0, 0]]}, war_day=[-1, 1, -1])
    result.columns["first_end_day"] = np.array([2, 2, 0], np.int32)
    t = trajectories(result)
    assert t.ended_first.tolist() == pytest.approx([1 / 3, 1 / 3, 2 / 3])
    assert t.war_first.tolist() == pytest.approx([0, 1 / 3, 1 / 3])
    assert t.first_end_median == 2.0
    del result.columns["first_end_day"]  # a result without termination: nothing ended
    t = trajectories(result)
    assert t.ended_first.tolist() == [0, 0, 0] and t.first_end_median is None
