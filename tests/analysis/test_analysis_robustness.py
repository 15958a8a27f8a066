"""Robustness: share of futures meeting a threshold, and minimax regret, worked by hand."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from crisislab.analysis import DesignInfo, robustness
from crisislab.stats import wilson_interval

DESIGN = DesignInfo(
    levers=["actors.USA.doctrine"],
    uncertainties=["actors.KH.control", "actors.USA.assumed_control.KH"],
    unit=np.array([[0.1, 0.9], [0.4, 0.2], [0.6, 0.5], [0.9, 0.7]]),
)
# P(war) of three policies in four futures
WAR = {
    "A": [0.10, 0.02, 0.30, 0.05],
    "B": [0.04, 0.06, 0.20, 0.03],
    "C": [0.08, 0.01, 0.25, 0.20],
}
# best (lowest) per future: 0.04, 0.01, 0.20, 0.03
# regret A: 0.06 0.01 0.10 0.02 -> max 0.10 (future 2), mean 0.0475
# regret B: 0.00 0.05 0.00 0.00 -> max 0.05 (future 1), mean 0.0125
# regret C: 0.04 0.00 0.05 0.17 -> max 0.17 (future 3), mean 0.065


def test_worked_regret_example(make_points) -> None:
    result = robustness(make_points(DESIGN, WAR), DESIGN, outcome="war", threshold=0.05)
    by = {p["policy"]: p for p in result["policies"]}

    assert by["A"]["max_regret"] == pytest.approx(0.10)
    assert by["A"]["mean_regret"] == pytest.approx(0.0475)
    assert by["B"]["max_regret"] == pytest.approx(0.05)
    assert by["B"]["mean_regret"] == pytest.approx(0.0125)
    assert by["C"]["max_regret"] == pytest.approx(0.17)
    assert by["C"]["mean_regret"] == pytest.approx(0.065)
    assert result["minimax_regret"] == "B"

    worst = by["C"]["worst_future"]
    assert worst["sample"] == 3
    assert worst["p"] == pytest.approx(0.20) and worst["best_p"] == pytest.approx(0.03)
    assert worst["values"] == {"actors.KH.control": 0.9, "actors.USA.assumed_control.KH": 0.7}
    assert worst["described"] == "KH control = 0.9, US-assumed control of KH = 0.7"


def test_worked_satisficing_shares(make_points) -> None:
    result = robustness(make_points(DESIGN, WAR), DESIGN, threshold=0.05)
    by = {p["policy"]: p for p in result["policies"]}
    # P(war) <= 5%: A in futures 1 and 3 (0.05 counts), B in 0 and 3, C only in 1
    assert [by[p]["meeting"] for p in "ABC"] == [2, 2, 1]
    assert by["A"]["share"] == 0.5 and by["C"]["share"] == 0.25
    assert by["C"]["ci"] == pytest.approx(list(wilson_interval(1, 4)), abs=1e-4)
    assert result["criterion"] == "P(war) ≤ 5%"


def test_good_outcomes_count_from_above(make_points) -> None:
    points = make_points(DESIGN, WAR)  # no frozen conflict, so P(stable) = 1 - P(war)
    result = robustness(points, DESIGN, outcome="stable_deescalation", threshold=0.95, above=True)
    by = {p["policy"]: p for p in result["policies"]}
    assert [by[p]["meeting"] for p in "ABC"] == [2, 2, 1]
    # regret from above is the same as the regret in P(war) here
    assert by["C"]["max_regret"] == pytest.approx(0.17)
    assert result["minimax_regret"] == "B"


def test_a_single_policy_has_no_regret(make_points) -> None:
    result = robustness(make_points(DESIGN, {"default": WAR["A"]}), DESIGN)
    (only,) = result["policies"]
    assert only["max_regret"] == 0.0 and only["worst_future"] is None
    assert result["minimax_regret"] == "default"


def test_missing_points_use_what_exists_and_warn(make_points) -> None:
    points = make_points(DESIGN, WAR, missing={("C", 3)})
    result = robustness(points, DESIGN)
    by = {p["policy"]: p for p in result["policies"]}
    assert by["C"]["futures"] == 3 and by["A"]["futures"] == 4
    assert result["regret_futures"] == 3
    assert any("3 of 4 futures" in w for w in result["warnings"])
    # without future 3, C's worst regret is 0.05 (future 2) and B's is still 0.05
    assert by["C"]["max_regret"] == pytest.approx(0.05)
    json.dumps(result, allow_nan=False)


def test_unknown_outcome_is_a_clear_error(make_points) -> None:
    with pytest.raises(ValueError, match="p_peace"):
        robustness(make_points(DESIGN, WAR), DESIGN, outcome="peace")


# make_points is a pure function, so sharing it across examples is safe
@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    war=arrays(float, (3, 4), elements=st.integers(0, 100).map(lambda k: k / 100)),
    threshold=st.sampled_from([0.0, 0.05, 0.5, 1.0]),
    above=st.booleans(),
)
def test_invariants(make_points, war: np.ndarray, threshold: float, above: bool) -> None:
    points = make_points(DESIGN, {name: row for name, row in zip("ABC", war, strict=True)})
    result = robustness(points, DESIGN, threshold=threshold, above=above)
    worst = [p["max_regret"] for p in result["policies"]]
    for p in result["policies"]:
        assert 0.0 <= p["share"] <= 1.0
        assert p["ci"][0] <= p["share"] <= p["ci"][1]
        assert 0.0 <= p["mean_regret"] <= p["max_regret"] <= 1.0
    by = {p["policy"]: p for p in result["policies"]}
    assert by[result["minimax_regret"]]["max_regret"] == min(worst)


def test_any_p_column_can_be_the_outcome(make_points) -> None:
    points = make_points(DESIGN, WAR)
    points["p_embassy_hit"] = points["p_war"] / 2  # a flag with no count column
    result = robustness(points, DESIGN, outcome="p_embassy_hit", threshold=0.025)
    by = {p["policy"]: p for p in result["policies"]}
    assert result["outcome"] == "embassy_hit"
    assert [by[p]["meeting"] for p in "ABC"] == [2, 2, 1]
    assert by["C"]["max_regret"] == pytest.approx(0.085)
