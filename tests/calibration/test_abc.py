"""Calibration by ABC-SMC: it recovers known parameters, resumes after a kill, and its posterior
drives a simulation deterministically."""

from __future__ import annotations

import numpy as np
import pytest

from crisislab.calibration import abc
from crisislab.calibration.diagnostics import parameter_rows, predictive_check
from crisislab.calibration.target_set import load_target_set
from crisislab.scenario.loader import load_scenario
from crisislab.scenario.parameters import read_posterior
from crisislab.simulate import simulate

TRUTH = {"actors.IRN.type_prior": 0.6, "outcomes.end_quiet_days": 20.0}
DAYS = 90


def _scenario():
    """us-iran-2020 with two of its uncertain parameters left uncertain."""
    scenario = load_scenario("us-iran-2020", {"days": DAYS})
    kept = {name: scenario.uncertain[name] for name in TRUTH}
    return scenario.model_copy(update={"uncertain": kept})


def _targets(tmp_path, runs=4096):
    """Targets observed on runs simulated at TRUTH: the problem's known answer."""
    from crisislab.calibration.statistics import STATISTICS

    columns = simulate("us-iran-2020", runs, 99, {**TRUTH, "days": DAYS}).columns
    attacks = STATISTICS["attacks_per_month"].compute(columns, kind="group_attacks", horizon=DAYS)
    within_30 = STATISTICS["ended_within"].compute(columns, days=30)
    within_60 = STATISTICS["ended_within"].compute(columns, days=60)
    path = tmp_path / "truth.yaml"
    path.write_text(
        f"""name: known-truth
description: simulated at known parameters
targets:
  - name: attacks
    statistic: attacks_per_month
    params: {{kind: group_attacks, horizon: {DAYS}}}
    observed: {{value: {attacks}, sd: 0.08}}
    source: simulated
  - name: within_30
    statistic: ended_within
    params: {{days: 30}}
    observed: {{value: {within_30}, sd: 0.04}}
    source: simulated
  - name: within_60
    statistic: ended_within
    params: {{days: 60}}
    observed: {{value: {within_60}, sd: 0.04}}
    source: simulated
"""
    )
    return load_target_set(path)


@pytest.mark.slow
def test_the_calibration_recovers_known_parameters(tmp_path):
    scenario, targets = _scenario(), _targets(tmp_path)
    settings = abc.Settings(population=40, generations=4, runs=512, seed=3)
    fitted = abc.calibrate(scenario, targets, tmp_path / "post.parquet", settings)
    post = fitted.posterior
    assert [g.t for g in fitted.generations] == [0, 1, 2, 3]
    assert fitted.generations[-1].epsilon < fitted.generations[0].epsilon
    bands = post.quantiles((0.02, 0.5, 0.98))
    for name, truth in TRUTH.items():
        low, _, high = bands[name]
        assert low <= truth <= high, (name, bands[name])
    rows = {r.name: r for r in parameter_rows(scenario, post)}
    assert all(r.narrowing < 0.7 for r in rows.values()), rows  # the targets taught something
    checks = predictive_check(scenario, targets, post, draws=10, runs=512, seed=1)
    assert all(c.covered for c in checks), checks


def test_a_killed_calibration_resumes_and_ends_where_an_unbroken_one_does(tmp_path):
    scenario, targets = _scenario(), _targets(tmp_path, runs=1024)
    settings = abc.Settings(population=12, generations=3, runs=128, seed=5)

    whole = abc.calibrate(scenario, targets, tmp_path / "whole.parquet", settings)

    killed = tmp_path / "killed.parquet"

    def kill_in_generation_two(n: int) -> None:
        if n > whole.generations[0].evaluations + 5:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        abc.calibrate(scenario, targets, killed, settings, on_evaluation=kill_in_generation_two)
    assert not killed.exists()  # no posterior until the calibration ends
    resumed = abc.calibrate(scenario, targets, killed, settings)
    assert resumed.resumed_from == 1  # generation 0 was kept; generation 1 is made again
    assert [g.t for g in resumed.generations] == [1, 2]
    again = read_posterior(killed)
    assert np.array_equal(again.values, whole.posterior.values)
    assert np.allclose(again.weights, whole.posterior.weights)


def test_a_calibration_with_other_settings_is_not_continued(tmp_path):
    scenario, targets = _scenario(), _targets(tmp_path, runs=512)
    out = tmp_path / "p.parquet"
    abc.calibrate(scenario, targets, out, abc.Settings(population=10, generations=1, runs=128))
    with pytest.raises(abc.CalibrationError, match="--restart"):
        abc.calibrate(scenario, targets, out, abc.Settings(population=10, generations=1, runs=256))
    redone = abc.calibrate(
        scenario, targets, out, abc.Settings(population=10, generations=1, runs=256), restart=True
    )
    assert redone.posterior.metadata["settings"]["runs"] == 256


def test_the_posterior_drives_a_run_deterministically(tmp_path):
    scenario, targets = _scenario(), _targets(tmp_path, runs=512)
    out = tmp_path / "p.parquet"
    abc.calibrate(scenario, targets, out, abc.Settings(population=10, generations=1, runs=128))
    post = read_posterior(out)
    assert post.names == tuple(TRUTH)
    assert post.metadata["scenario"] == "us-iran-2020"
    assert post.metadata["targets"] == "known-truth"
    low, high = scenario.uncertain["outcomes.end_quiet_days"].support()
    assert np.all((post.values[:, 1] >= low) & (post.values[:, 1] <= high))
    first = simulate("us-iran-2020", 700, 4, draws=post, days=DAYS)
    second = simulate("us-iran-2020", 700, 4, draws=read_posterior(out), days=DAYS)
    for key, column in first.columns.items():
        assert np.array_equal(column, second.columns[key]), key


def test_a_scenario_without_uncertain_parameters_is_refused(tmp_path):
    scenario = load_scenario("us-iran-2020").model_copy(update={"uncertain": {}})
    with pytest.raises(abc.CalibrationError, match="no uncertain parameters"):
        abc.calibrate(scenario, _targets(tmp_path, 256), tmp_path / "p.parquet", abc.Settings())


def test_a_calibration_stops_when_acceptance_falls_below_the_floor(tmp_path):
    scenario, targets = _scenario(), _targets(tmp_path, runs=512)
    settings = abc.Settings(population=10, generations=5, runs=128, seed=2)
    fitted = abc.calibrate(
        scenario, targets, tmp_path / "p.parquet", settings, min_acceptance=1.0
    )  # no generation accepts every proposal: the calibration stops after the first
    assert [g.t for g in fitted.generations] == [0]
    assert fitted.posterior.metadata["generations"] == 1


def test_every_particle_meets_the_same_generated_crises():
    from crisislab.scenario.parameters import Reseeded
    from crisislab.simulate import with_ensemble

    generic = load_scenario("generic-crisis")
    crises = Reseeded(with_ensemble(generic, None), seed=4)
    assert [crises.draw(1, g) for g in range(6)] == [crises.draw(2, g) for g in range(6)]
    targets = load_target_set("icb-generic")
    u = np.full(len(generic.uncertain), 0.5)
    first = abc.evaluate(generic, targets, u, 256, seed=4)
    assert first == abc.evaluate(generic, targets, u, 256, seed=4)


def test_targets_the_runs_cannot_measure_are_refused_before_any_generation(tmp_path):
    generic = load_scenario("generic-crisis")
    # seed 1's first 32 generated crises include none opened by a proxy
    settings = abc.Settings(population=10, generations=1, runs=2048, seed=1)
    with pytest.raises(abc.CalibrationError, match="cannot measure violent_answer_indirect"):
        abc.calibrate(generic, load_target_set("icb-generic"), tmp_path / "p.parquet", settings)
    assert not (tmp_path / "p.parquet").exists()


def test_the_command_fits_writes_and_reports(tmp_path, capsys):
    import json

    from crisislab.cli import main

    _targets(tmp_path, runs=512)  # writes truth.yaml
    out = tmp_path / "cli.parquet"
    args = [
        "calibrate",
        "us-iran-2020",
        "--targets",
        str(tmp_path / "truth.yaml"),
        "-o",
        str(out),
        "--population",
        "10",
        "--generations",
        "1",
        "--runs",
        "128",
        "--days",
        str(DAYS),
        "--check-draws",
        "3",
        "--plot",
        str(tmp_path / "post.png"),
        "--json",
    ]
    with pytest.raises(SystemExit) as code:
        main(args)
    assert code.value.code == 0
    found = json.loads(capsys.readouterr().out)
    assert found["targets"] == "known-truth" and found["posterior"]["particles"] == 10
    assert len(found["parameters"]) == len(load_scenario("us-iran-2020").uncertain)
    assert {c["name"] for c in found["predictive_check"]} == {"attacks", "within_30", "within_60"}
    assert out.exists() and (tmp_path / "post.png").stat().st_size > 10_000
    with pytest.raises(SystemExit) as code:
        main([*args[:3], str(tmp_path / "missing.yaml"), *args[4:]])
    assert code.value.code == 2
    assert "missing.yaml" in capsys.readouterr().err


def test_targets_that_look_past_the_horizon_are_refused(tmp_path):
    scenario, targets = _scenario(), _targets(tmp_path, runs=256)
    short = abc.Settings(population=10, generations=1, runs=128, days=45)
    with pytest.raises(abc.CalibrationError) as caught:
        abc.calibrate(scenario, targets, tmp_path / "p.parquet", short)
    text = str(caught.value)
    assert "within_60 counts 60 days, more than the 45 simulated" in text
    assert "attacks divides by a horizon of 90 days, the runs simulate 45" in text
