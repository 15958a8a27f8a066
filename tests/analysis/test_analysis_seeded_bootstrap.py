"""Confidence intervals from a bootstrap are the same on every call with the same seed: SALib's
Sobol analysis draws unseeded when handed the seed 0 (a study's default seed)."""

from __future__ import annotations

from test_analysis_sensitivity import ishigami_probability, saltelli_design

from crisislab.analysis import sensitivity


def intervals(result: dict) -> list[tuple[float, float]]:
    return [(i["S1_conf"], i["ST_conf"]) for p in result["policies"] for i in p["indices"]]


def test_sobol_intervals_are_the_same_on_every_call_even_with_seed_0(make_points) -> None:
    design = saltelli_design(64, second_order=False)
    points = make_points(design, {"default": ishigami_probability(design.unit)}, runs=10**4)
    first = sensitivity(points, design, outcome="war", seed=0)
    assert intervals(first) and all(a > 0 and b > 0 for a, b in intervals(first))
    for _ in range(3):
        assert sensitivity(points, design, outcome="war", seed=0) == first


def test_another_seed_draws_another_bootstrap(make_points) -> None:
    design = saltelli_design(64, second_order=False)
    points = make_points(design, {"default": ishigami_probability(design.unit)}, runs=10**4)
    a = sensitivity(points, design, outcome="war", seed=0)
    b = sensitivity(points, design, outcome="war", seed=2020)
    assert intervals(a) != intervals(b)
    assert sensitivity(points, design, outcome="war", seed=2020) == b
