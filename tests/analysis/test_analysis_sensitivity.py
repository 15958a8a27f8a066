"""Sensitivity: the estimator the sampler allows, checked on functions with known answers."""

from __future__ import annotations

import json

import numpy as np
import pytest
from SALib.sample import morris as morris_sample
from SALib.sample import sobol as saltelli_sample

from crisislab.analysis import DesignInfo, salib_problem, sensitivity

NAMES = ["actors.KH.control", "actors.USA.assumed_control.KH", "perception.noise"]
# Ishigami (a=7, b=0.1) on [-pi, pi]^3: analytic first- and total-order indices
ISHIGAMI_S1 = [0.3139, 0.4424, 0.0]
ISHIGAMI_ST = [0.5576, 0.4424, 0.2437]
ISHIGAMI_S13 = 0.2437


def ishigami_probability(unit: np.ndarray) -> np.ndarray:
    """Ishigami mapped affinely into [0, 1]: an affine map leaves Sobol' indices unchanged."""
    x = -np.pi + 2 * np.pi * unit
    f = np.sin(x[:, 0]) + 7 * np.sin(x[:, 1]) ** 2 + 0.1 * x[:, 2] ** 4 * np.sin(x[:, 0])
    return (f + 11) / 30


def saltelli_design(n: int, second_order: bool) -> DesignInfo:
    problem = salib_problem(DesignInfo(levers=[], uncertainties=NAMES))
    unit = saltelli_sample.sample(problem, n, calc_second_order=second_order, seed=1)
    return DesignInfo(
        levers=[], uncertainties=NAMES, sampler="saltelli", unit=unit, second_order=second_order
    )


def test_salib_problem_is_the_unit_cube() -> None:
    problem = salib_problem(DesignInfo(levers=[], uncertainties=NAMES))
    assert problem == {"num_vars": 3, "names": NAMES, "bounds": [[0.0, 1.0]] * 3}


@pytest.mark.parametrize("second_order", [False, True])
def test_saltelli_recovers_ishigami_indices(make_points, second_order: bool) -> None:
    design = saltelli_design(1024, second_order)
    # a million runs per point: the count rounding is far below the estimator's error
    points = make_points(design, {"default": ishigami_probability(design.unit)}, runs=10**6)
    result = sensitivity(points, design, outcome="war", seed=0)

    assert result["method"] == "sobol" and result["warnings"] == []
    (policy,) = result["policies"]
    s1 = [i["S1"] for i in policy["indices"]]
    st = [i["ST"] for i in policy["indices"]]
    assert s1 == pytest.approx(ISHIGAMI_S1, abs=0.04)
    assert st == pytest.approx(ISHIGAMI_ST, abs=0.04)
    assert all(i["S1_conf"] > 0 and i["ST_conf"] > 0 for i in policy["indices"])
    assert policy["indices"][0]["label"] == "KH control"
    assert policy["ranking"][0] == "actors.KH.control"
    if second_order:
        pairs = {(p["a"], p["b"]): p["S2"] for p in policy["S2"]}
        assert pairs[(NAMES[0], NAMES[2])] == pytest.approx(ISHIGAMI_S13, abs=0.05)
        assert abs(pairs[(NAMES[0], NAMES[1])]) < 0.05
    else:
        assert "S2" not in policy


def test_saltelli_drops_whole_blocks_with_missing_points(make_points) -> None:
    design = saltelli_design(512, second_order=False)
    block = len(NAMES) + 2
    lost = {("default", 3), ("default", 7 * block + 1)}  # two different blocks
    points = make_points(
        design, {"default": ishigami_probability(design.unit)}, runs=10**6, missing=lost
    )
    result = sensitivity(points, design)
    (policy,) = result["policies"]
    assert policy["futures_used"] == (512 - 2) * block
    assert any("2 whole blocks" in w for w in result["warnings"])
    assert [i["ST"] for i in policy["indices"]] == pytest.approx(ISHIGAMI_ST, abs=0.08)


def test_saltelli_with_wrong_block_structure_says_so(make_points) -> None:
    design = saltelli_design(64, second_order=True)  # 64 blocks of 8 rows
    lying = DesignInfo(
        levers=[], uncertainties=NAMES, sampler="saltelli", unit=design.unit, second_order=False
    )
    points = make_points(lying, {"default": ishigami_probability(design.unit)})
    result = sensitivity(points, lying)
    assert result["policies"] == []
    assert "second_order" in result["warnings"][0]


def test_morris_ranks_the_dominant_uncertainty_first(make_points) -> None:
    problem = salib_problem(DesignInfo(levers=[], uncertainties=NAMES))
    unit = morris_sample.sample(problem, 40, num_levels=4, seed=3)
    design = DesignInfo(levers=[], uncertainties=NAMES, sampler="morris", unit=unit)
    # linear in the first two, plus a small interaction of the last two
    y = 0.8 * unit[:, 0] + 0.1 * unit[:, 1] + 0.05 * unit[:, 1] * unit[:, 2]
    result = sensitivity(make_points(design, {"default": y}, runs=10**6), design)

    assert result["method"] == "morris"
    (policy,) = result["policies"]
    assert policy["ranking"] == NAMES
    first, second, third = policy["indices"]
    # for a linear term, every elementary effect is the coefficient (per full range)
    assert first["mu_star"] == pytest.approx(0.8, abs=1e-3)
    assert first["sigma"] == pytest.approx(0.0, abs=1e-3)
    assert 0.1 < second["mu_star"] < 0.15 and third["mu_star"] < 0.05
    assert third["sigma"] > 0  # the interaction shows up as spread


def test_lhs_gives_first_order_indices_and_says_why(make_points, lhs_design) -> None:
    unit = lhs_design.unit
    y = 0.6 * unit[:, 0] + 0.2 * unit[:, 1] ** 2
    points = make_points(lhs_design, {"default": y}, runs=10**6)
    result = sensitivity(points, lhs_design, seed=0)

    assert result["method"] == "rbd_fast"
    assert "saltelli" in result["about"]
    (policy,) = result["policies"]
    s1 = {i["name"]: i["S1"] for i in policy["indices"]}
    # variance shares: 0.36/12 for u0 against 0.04*4/45 for u1**2, i.e. about 0.89 / 0.11 / 0
    assert s1[NAMES[0]] == pytest.approx(0.89, abs=0.06)
    assert s1[NAMES[1]] == pytest.approx(0.11, abs=0.06)
    assert abs(s1[NAMES[2]]) < 0.06
    assert all(i["S1_conf"] is not None for i in policy["indices"])
    assert policy["ranking"][0] == NAMES[0]


def test_lhs_without_unit_matrix_uses_real_values(make_points, lhs_design) -> None:
    real = 10 + 5 * lhs_design.unit  # rank-based RBD-FAST does not care about the scale
    y = 0.6 * lhs_design.unit[:, 0] + 0.2 * lhs_design.unit[:, 1] ** 2
    with_unit = sensitivity(make_points(lhs_design, {"default": y}, real=real), lhs_design)
    bare = DesignInfo(levers=[], uncertainties=NAMES, sampler="lhs")
    without = sensitivity(make_points(lhs_design, {"default": y}, real=real), bare)
    assert without["policies"] == with_unit["policies"]


def test_same_seed_same_answer(make_points, lhs_design) -> None:
    points = make_points(lhs_design, {"default": lhs_design.unit[:, 0] / 2})
    assert sensitivity(points, lhs_design, seed=5) == sensitivity(points, lhs_design, seed=5)


def test_a_constant_outcome_has_no_indices(make_points, lhs_design) -> None:
    points = make_points(lhs_design, {"default": np.zeros(300)})
    (policy,) = sensitivity(points, lhs_design)["policies"]
    assert policy["indices"] is None
    assert "every future" in policy["message"]


def test_morris_needs_the_sample_matrix(make_points, lhs_design) -> None:
    bare = DesignInfo(levers=[], uncertainties=NAMES, sampler="morris")
    result = sensitivity(make_points(lhs_design, {"default": lhs_design.unit[:, 0]}), bare)
    assert result["policies"] == [] and "design.unit" in result["warnings"][0]


def test_one_result_per_policy_and_json_ready(make_points) -> None:
    design = saltelli_design(64, second_order=True)
    y = ishigami_probability(design.unit)
    points = make_points(design, {"A": y, "B": 1 - y}, runs=1000)
    result = sensitivity(points, design)
    assert [p["policy"] for p in result["policies"]] == ["A", "B"]
    json.dumps(result, allow_nan=False)
