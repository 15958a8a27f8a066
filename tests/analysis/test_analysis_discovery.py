"""Scenario discovery with PRIM: find the box of futures where an outcome is likely."""

from __future__ import annotations

import json
import logging
import re
import warnings

import numpy as np
import pytest

from crisislab.analysis import DesignInfo, discover

KH = "actors.KH.control"
US_KH = "actors.USA.assumed_control.KH"
NOISE = "perception.noise"


def test_finds_the_kh_control_step(make_points, lhs_design) -> None:
    # P(war) jumps from 2% to 40% when KH control falls below 0.45; nothing else matters
    war = np.where(lhs_design.unit[:, 0] < 0.45, 0.4, 0.02)
    result = discover(make_points(lhs_design, {"default": war}), lhs_design, threshold=0.2)

    (box,) = result["policies"]
    assert box["status"] == "box" and box["chosen_by"] == "coverage_at_min_density"
    assert box["of_interest"] == int((lhs_design.unit[:, 0] < 0.45).sum())
    assert box["coverage"] >= 0.9 and box["density"] >= 0.9
    (only,) = box["restrictions"]  # the irrelevant uncertainties are not mentioned
    assert only["name"] == KH and only["restricts"] == "upper"
    assert only["upper"] == pytest.approx(0.45, abs=0.05)
    assert box["sentence"].startswith("war above 20% when KH control < 0.4")
    assert "(coverage" in box["sentence"] and "density" in box["sentence"]


def test_finds_a_two_condition_box_and_says_it_in_words(make_points, lhs_design) -> None:
    unit = lhs_design.unit
    war = np.where((unit[:, 0] < 0.45) & (unit[:, 1] > 0.7), 0.5, 0.05)
    (box,) = discover(make_points(lhs_design, {"default": war}), lhs_design)["policies"]

    assert {r["name"] for r in box["restrictions"]} == {KH, US_KH}
    bounds = {r["name"]: r for r in box["restrictions"]}
    assert bounds[KH]["upper"] == pytest.approx(0.45, abs=0.05)
    assert bounds[US_KH]["lower"] == pytest.approx(0.7, abs=0.05)
    assert "KH control < 0.4" in box["sentence"]
    said = re.search(
        r"when KH control < ([\d.]+) and US-assumed control of KH > ([\d.]+)", box["sentence"]
    )
    assert said is not None
    assert [float(v) for v in said.groups()] == pytest.approx([0.45, 0.7], abs=0.05)
    assert box["coverage"] >= 0.8 and box["density"] >= 0.8


def test_a_logistic_rise_is_found_too(make_points, lhs_design) -> None:
    war = 0.5 / (1 + np.exp((lhs_design.unit[:, 0] - 0.45) / 0.03))
    (box,) = discover(make_points(lhs_design, {"default": war}), lhs_design)["policies"]
    assert [r["name"] for r in box["restrictions"]] == [KH]
    assert box["restrictions"][0]["upper"] == pytest.approx(0.45, abs=0.05)


def test_real_values_are_reported_in_real_units(make_points, lhs_design) -> None:
    real = lhs_design.unit * np.array([100.0, 1.0, 1.0])  # e.g. a control score out of 100
    war = np.where(lhs_design.unit[:, 0] < 0.45, 0.4, 0.02)
    (box,) = discover(make_points(lhs_design, {"default": war}, real=real), lhs_design)["policies"]
    assert box["restrictions"][0]["upper"] == pytest.approx(45, abs=5)


def test_one_result_per_policy_or_just_the_one_asked_for(make_points, lhs_design) -> None:
    unit = lhs_design.unit
    war = {
        "hawk": np.where(unit[:, 0] < 0.45, 0.4, 0.0),
        "dove": np.where(unit[:, 2] > 0.6, 0.3, 0),
    }
    points = make_points(lhs_design, war)
    both = discover(points, lhs_design)
    assert [p["policy"] for p in both["policies"]] == ["hawk", "dove"]
    (dove,) = discover(points, lhs_design, policy="dove")["policies"]
    assert [r["name"] for r in dove["restrictions"]] == [NOISE]
    assert "perception noise > 0.6" in dove["sentence"]


def test_no_point_of_interest_is_a_message_not_an_error(make_points, lhs_design) -> None:
    points = make_points(lhs_design, {"default": np.full(300, 0.05)})
    (box,) = discover(points, lhs_design, threshold=0.2)["policies"]
    assert box["status"] == "none" and box["of_interest"] == 0
    assert box["message"] == "war is never above 20% in these futures: nothing to explain"


def test_every_point_of_interest_needs_no_condition(make_points, lhs_design) -> None:
    points = make_points(lhs_design, {"default": np.full(300, 0.5)})
    (box,) = discover(points, lhs_design, threshold=0.2)["policies"]
    assert box["status"] == "everywhere"
    assert box["coverage"] == box["density"] == box["mass"] == 1.0
    assert box["restrictions"] == []


def test_constant_columns_are_left_out_with_a_note(make_points, lhs_design) -> None:
    real = lhs_design.unit.copy()
    real[:, 2] = 0.3  # perception noise was fixed in this study
    war = np.where(lhs_design.unit[:, 0] < 0.45, 0.4, 0.02)
    (box,) = discover(make_points(lhs_design, {"default": war}, real=real), lhs_design)["policies"]
    assert box["status"] == "box"
    assert box["notes"] == ["perception noise does not vary here and was left out"]


def test_nothing_varies(make_points) -> None:
    design = DesignInfo(levers=[], uncertainties=[KH], unit=np.full((10, 1), 0.5))
    points = make_points(design, {"default": [0.5] * 5 + [0.0] * 5})
    (box,) = discover(points, design)["policies"]
    assert box["status"] == "no_variation" and "nothing to restrict" in box["message"]


def test_uses_what_exists_and_reports_missing_policy(make_points, lhs_design) -> None:
    war = np.where(lhs_design.unit[:, 0] < 0.45, 0.4, 0.02)
    lost = {("default", s) for s in range(0, 300, 3)}
    (box,) = discover(make_points(lhs_design, {"default": war}, missing=lost), lhs_design)[
        "policies"
    ]
    assert box["points"] == 200 and box["status"] == "box"
    (ghost,) = discover(make_points(lhs_design, {"default": war}), lhs_design, policy="x")[
        "policies"
    ]
    assert ghost["status"] == "no_data"


def test_frozen_conflict_and_other_outcomes(make_points, lhs_design) -> None:
    points = make_points(lhs_design, {"default": np.zeros(300)}, p_frozen=0.4)
    (box,) = discover(points, lhs_design, outcome="frozen_conflict", threshold=0.3)["policies"]
    assert box["sentence"] == "frozen conflict above 30% in every sampled future"


def test_quiet_and_json_ready(make_points, lhs_design, caplog) -> None:
    war = np.where(lhs_design.unit[:, 0] < 0.45, 0.4, 0.02)
    points = make_points(lhs_design, {"default": war})
    caplog.set_level(logging.DEBUG)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = discover(points, lhs_design)
    assert not [r for r in caplog.records if r.name.startswith("EMA")]
    json.dumps(result, allow_nan=False)
