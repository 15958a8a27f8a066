"""Outcome probabilities per policy: pooled p, Wilson interval, spread across futures."""

from __future__ import annotations

import json

import numpy as np
import pytest

from crisislab.analysis import DesignInfo, outcome_probabilities
from crisislab.stats import wilson_interval

DESIGN = DesignInfo(
    levers=["actors.USA.doctrine"],
    uncertainties=["actors.KH.control"],
    unit=np.array([[0.1], [0.4], [0.6], [0.9]]),
)
LEVERS = {
    "doctrine=restraint": {"actors.USA.doctrine": "restraint"},
    "doctrine=gtft": {"actors.USA.doctrine": "gtft"},
}
WAR = {"doctrine=restraint": [0.10, 0.02, 0.30, 0.05], "doctrine=gtft": [0.0, 0.0, 0.0, 0.0]}


def test_pooled_probability_and_wilson_interval(make_points) -> None:
    points = make_points(DESIGN, WAR, levers=LEVERS, runs=100, p_frozen=0.1)
    restraint, gtft = outcome_probabilities(points, DESIGN)

    assert restraint["policy"] == "doctrine=restraint"
    assert restraint["levers"] == {"actors.USA.doctrine": "restraint"}
    assert restraint["runs"] == 400 and restraint["futures"] == 4
    war = restraint["outcomes"]["war"]
    assert war["n"] == 47
    assert war["p"] == pytest.approx(47 / 400)
    assert war["ci"] == pytest.approx(list(wilson_interval(47, 400)), abs=1e-4)
    assert war["across_futures"] == {"min": 0.02, "median": 0.075, "max": 0.3}
    frozen = restraint["outcomes"]["frozen_conflict"]
    assert frozen["p"] == pytest.approx(0.1)

    # no war at all still gets an honest interval: 0 of 400 is not "certainly never"
    never = gtft["outcomes"]["war"]
    assert never["p"] == 0.0 and never["ci"][0] == 0.0 and 0.0 < never["ci"][1] < 0.01


def test_probabilities_over_classes_sum_to_one(make_points) -> None:
    points = make_points(DESIGN, WAR, levers=LEVERS, p_frozen=0.25)
    for policy in outcome_probabilities(points, DESIGN):
        assert sum(o["p"] for o in policy["outcomes"].values()) == pytest.approx(1.0, abs=1e-3)


def test_missing_points_shrink_the_pool(make_points) -> None:
    points = make_points(DESIGN, WAR, levers=LEVERS, missing={("doctrine=restraint", 2)})
    restraint = outcome_probabilities(points, DESIGN)[0]
    assert restraint["futures"] == 3 and restraint["runs"] == 300
    assert restraint["outcomes"]["war"]["n"] == 17


def test_a_design_without_levers_has_one_default_policy(make_points) -> None:
    design = DesignInfo(levers=[], uncertainties=DESIGN.uncertainties, unit=DESIGN.unit)
    points = make_points(design, {"default": WAR["doctrine=restraint"]})
    (only,) = outcome_probabilities(points, design)
    assert only["policy"] == "default" and only["levers"] == {}
    json.dumps(only, allow_nan=False)
