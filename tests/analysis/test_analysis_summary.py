"""analyze(): one JSON-ready dict with every part of the analysis."""

from __future__ import annotations

import json

import numpy as np

from crisislab.analysis import analyze


def test_analyze_combines_the_parts(make_points, lhs_design) -> None:
    unit = lhs_design.unit
    war = {
        "doctrine=restraint": np.where(unit[:, 0] < 0.45, 0.4, 0.02),
        "doctrine=gtft": np.where(unit[:, 0] < 0.3, 0.3, 0.01),
    }
    levers = {p: {"actors.USA.doctrine": p.split("=")[1]} for p in war}
    points = make_points(lhs_design, war, levers=levers, missing={("doctrine=gtft", 0)})

    result = analyze(points, lhs_design, outcome="war", threshold=0.05, seed=0)

    assert set(result) == {"policies", "robustness", "sensitivity", "discovery", "warnings"}
    assert [p["policy"] for p in result["policies"]] == list(war)
    assert result["robustness"]["minimax_regret"] == "doctrine=gtft"
    assert result["sensitivity"]["method"] == "rbd_fast"
    assert set(result["discovery"]) == {"war", "frozen_conflict"}
    (restraint, gtft) = result["discovery"]["war"]["policies"]
    assert restraint["restrictions"][0]["label"] == "KH control"
    assert gtft["points"] == 299
    assert result["discovery"]["frozen_conflict"]["policies"][0]["status"] == "none"
    assert result["warnings"] == [
        "robustness: regret uses the 299 of 300 futures that every policy completed",
        "sensitivity: doctrine=gtft: 1 of 300 samples left out because points are missing",
    ]
    json.dumps(result, allow_nan=False)


def test_discovery_of_an_unrecorded_outcome_is_a_warning(make_points, lhs_design) -> None:
    points = make_points(lhs_design, {"default": np.zeros(300)})
    result = analyze(points, lhs_design, discovery={"p_escalation_flag": 0.1})
    assert result["discovery"] == {}
    assert "p_escalation_flag" in result["warnings"][0]
