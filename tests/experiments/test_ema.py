"""The EMA Workbench adapter: experiments are crisislab ensembles, checked against simulate."""

from __future__ import annotations

import pickle
import warnings

import numpy as np
import pytest

import crisislab
from crisislab.experiments.ema import ema_model, overrides_from

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message="ipyparallel not installed")
    from ema_workbench import (
        MultiprocessingEvaluator,
        Policy,
        RealParameter,
        ScalarOutcome,
        Scenario,
        SequentialEvaluator,
        perform_experiments,
    )

SCENARIO = "us-iran-2020"
RUNS, SEED, DAYS = 256, 3, 60
UNCERTAINTIES = {"actors.KH.control": (0.2, 0.9), "doctrines.attack_threshold": (5, 9)}
LEVERS = {"actors.USA.doctrine": ["restraint", "retaliatory"]}
CLASSES = ("war", "frozen_conflict", "stable_deescalation")
OUTCOMES = (*CLASSES, "red_line_fired", "us_deaths_mean")
POLICIES = [Policy(d, actors__USA__doctrine=d) for d in LEVERS["actors.USA.doctrine"]]


def make_model(**kwargs):
    options = dict(
        uncertainties=UNCERTAINTIES,
        levers=LEVERS,
        outcomes=OUTCOMES,
        runs=RUNS,
        seed=SEED,
        days=DAYS,
    )
    return ema_model(SCENARIO, **{**options, **kwargs})


@pytest.fixture(scope="module")
def model():
    return make_model()


@pytest.fixture(scope="module")
def results(model):
    with SequentialEvaluator(model) as evaluator:
        return perform_experiments(model, scenarios=4, policies=POLICIES, evaluator=evaluator)


def test_model_declares_readable_identifier_names(model):
    assert [p.name for p in model.uncertainties] == [
        "actors__KH__control",
        "doctrines__attack_threshold",
    ]
    assert [p.name for p in model.levers] == ["actors__USA__doctrine"]
    assert [o.name for o in model.outcomes] == list(OUTCOMES)
    assert model.name == "usiran2020"
    assert all(p.name.isidentifier() for p in [*model.uncertainties, *model.levers])


def test_outcomes_are_probabilities_one_per_experiment(results):
    experiments, outcomes = results
    assert len(experiments) == 8
    assert set(outcomes) == set(OUTCOMES)
    for name in OUTCOMES:
        assert outcomes[name].shape == (8,)
    for name in (*CLASSES, "red_line_fired"):
        assert np.all((outcomes[name] >= 0) & (outcomes[name] <= 1)), name
    total = sum(outcomes[name] for name in CLASSES)
    np.testing.assert_allclose(total, 1.0, atol=1e-5)
    assert np.all(outcomes["us_deaths_mean"] >= 0)


def test_each_experiment_is_exactly_crisislab_simulate(results):
    experiments, outcomes = results
    scenario = crisislab.load_scenario(SCENARIO)
    two_futures = experiments["scenario"].isin(experiments["scenario"].unique()[:2])
    for i, row in experiments[two_futures].iterrows():  # both policies in each
        overrides = {
            "actors.KH.control": float(row["actors__KH__control"]),
            "doctrines.attack_threshold": int(row["doctrines__attack_threshold"]),
            "actors.USA.doctrine": str(row["actors__USA__doctrine"]),
        }
        summary = crisislab.simulate(scenario, RUNS, SEED, overrides, days=DAYS).summary()
        assert outcomes["war"][i] == summary["outcomes"]["war"]["p"]
        assert outcomes["red_line_fired"][i] == summary["flags"]["red_line_fired"]
        assert outcomes["us_deaths_mean"][i] == summary["metrics"]["us_deaths_mean"]


def test_lever_moves_war_the_way_crisislab_does(results):
    experiments, outcomes = results
    war = {
        (row["scenario"], row["policy"]): outcomes["war"][i] for i, row in experiments.iterrows()
    }
    futures = experiments["scenario"].unique()
    # retaliatory defenders fight more often than restrained ones, across the futures
    gaps = [war[f, "retaliatory"] - war[f, "restraint"] for f in futures]
    assert np.mean(gaps) > 0.02 and min(gaps) >= 0.0
    base = {
        d: crisislab.simulate(
            SCENARIO, RUNS, SEED, {"actors.USA.doctrine": d}, days=DAYS
        ).summary()["outcomes"]["war"]["p"]
        for d in ("restraint", "retaliatory")
    }
    assert base["retaliatory"] > base["restraint"] + 0.02


def test_integer_parameters_stay_integers(model, results):
    experiments, _ = results
    (threshold,) = [p for p in model.uncertainties if p.name == "doctrines__attack_threshold"]
    assert type(threshold).__name__ == "IntegerParameter"
    values = experiments["doctrines__attack_threshold"]
    assert values.between(5, 9).all()
    assert all(float(v).is_integer() for v in values)
    overrides = overrides_from(model, experiments.iloc[0])
    assert type(overrides["doctrines.attack_threshold"]) is int
    assert type(overrides["actors.KH.control"]) is float
    # integer-valued float bounds are accepted; fractional ones are not
    assert type(make_model(uncertainties={"days": (30.0, 60.0)}, days=None).uncertainties[0]) is (
        type(threshold)
    )
    with pytest.raises(crisislab.ScenarioError, match="is an integer; bounds"):
        make_model(uncertainties={"doctrines.attack_threshold": (5, 8.5)})
    with pytest.raises(crisislab.ScenarioError, match="IntegerParameter"):
        make_model(uncertainties={"doctrines.attack_threshold": RealParameter("t", 5, 9)})


def test_unknown_paths_and_values_fail_when_the_model_is_made():
    with pytest.raises(crisislab.ScenarioError, match=r"actors\.KH\.contrl.*unknown override"):
        make_model(uncertainties={"actors.KH.contrl": (0.2, 0.9)})
    with pytest.raises(crisislab.ScenarioError, match=r"actors\.KH\.control"):
        make_model(uncertainties={"actors.KH.control": (0.2, 1.5)})
    with pytest.raises(crisislab.ScenarioError, match="bellicose"):
        make_model(levers={"actors.USA.doctrine": ["restraint", "bellicose"]})
    with pytest.raises(crisislab.ScenarioError, match="not numeric"):
        make_model(uncertainties={"actors.USA.doctrine": (0, 1)}, levers=None)
    with pytest.raises(ValueError, match="both fixed by days"):
        make_model(uncertainties={"days": (30, 60)})


def test_unknown_outcome_names_fail_with_the_available_names():
    with pytest.raises(ValueError, match=r"unknown outcome 'wars'.*red_line_fired"):
        make_model(outcomes=("wars",))
    with pytest.raises(ValueError, match="alphanumeric"):
        make_model(name="us-iran")


def test_ready_made_parameter_keeps_its_name():
    model = ema_model(
        SCENARIO,
        uncertainties={"actors.KH.control": RealParameter("kh_control", 0.3, 0.6)},
        outcomes=[ScalarOutcome("war", kind=ScalarOutcome.MINIMIZE)],
        runs=RUNS,
        seed=SEED,
        days=DAYS,
    )
    assert overrides_from(model, {"kh_control": 0.4, "policy": 0}) == {"actors.KH.control": 0.4}
    war = model.function(kh_control=0.4)["war"]
    expected = crisislab.simulate(SCENARIO, RUNS, SEED, {"actors.KH.control": 0.4}, days=DAYS)
    assert war == expected.summary()["outcomes"]["war"]["p"]


def test_multiprocessing_evaluator_gives_the_sequential_results(model, results):
    experiments, outcomes = results
    assert pickle.loads(pickle.dumps(model.function)) == model.function
    futures = experiments[experiments["policy"] == "restraint"].head(2)
    scenarios = [
        Scenario(
            f"future{i}",
            actors__KH__control=row["actors__KH__control"],
            doctrines__attack_threshold=row["doctrines__attack_threshold"],
        )
        for i, row in futures.iterrows()
    ]
    with MultiprocessingEvaluator(model, n_processes=2) as evaluator:
        _, parallel_outcomes = perform_experiments(
            model, scenarios=scenarios, policies=POLICIES[:1], evaluator=evaluator
        )
    np.testing.assert_array_equal(parallel_outcomes["war"], outcomes["war"][futures.index])
