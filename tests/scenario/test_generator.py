"""The crisis generator and the generic-crisis built-in (MODEL.md §15, the generic ensemble).

Draws are keyed by (seed, group), their features follow the packaged ICB shares, every draw is a
valid set of overrides of generic-crisis, and `simulate` runs the ensemble. The package data is
what benchmarks/icb_features.py computes from the ICB v15 files when they are at hand. No base
rate is asserted: the model is held against ICB's, not fitted to it."""

from __future__ import annotations

import importlib
import json
import math
import os
import sys
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest

from crisislab.calibration import load_targets
from crisislab.scenario.generator import (
    CATEGORIES,
    GENERATOR,
    CrisisGenerator,
    load_features,
)
from crisislab.scenario.loader import builtin_names, load_scenario, resolve_path, with_overrides
from crisislab.scenario.parameters import GROUP_RUNS
from crisislab.scenario.schema import Faction, Leadership, Proxy
from crisislab.simulate import local_executor, simulate

NAME = "generic-crisis"
ROOT = Path(__file__).resolve().parents[2]
BENCHMARKS = ROOT / "benchmarks"
REFERENCE = Path(os.environ.get("CRISISLAB_ICB_DIR", ROOT.parent / "shared/data/reference"))
GROUPS = 4000


@pytest.fixture(scope="module")
def generator() -> CrisisGenerator:
    return CrisisGenerator.icb()


@pytest.fixture(scope="module")
def scenario():
    return load_scenario(NAME)


@pytest.fixture(scope="module")
def crises(generator):
    return [generator.crisis(1, g) for g in range(GROUPS)]


# --- the scenario -------------------------------------------------------------------------------


def test_generic_crisis_is_a_builtin_with_two_leaderships_and_a_proxy(scenario):
    assert NAME in builtin_names() and scenario.name == NAME
    assert scenario.days == 365
    assert (scenario.dyad.challenger, scenario.dyad.defender) == ("CHAL", "DEF")
    roles = {aid: type(a) for aid, a in scenario.actors.items()}
    assert roles == {"DEF": Leadership, "CHAL": Leadership, "PRX": Proxy, "CHAL_UNITS": Faction}
    assert scenario.actors["PRX"].principal == "CHAL"  # type: ignore[union-attr]
    assert scenario.initial_event is not None and scenario.initial_event.actor == "CHAL"
    assert {line.owner for line in scenario.red_lines.values()} == {"DEF", "CHAL"}
    assert scenario.channel.kind == "hotline"


def test_the_file_defaults_are_the_modal_icb_categories(scenario):
    """Without the generator, generic-crisis is the modal crisis: each feature's most frequent
    category (the trigger's most frequent code, triggr 9)."""
    data = load_features()["features"]
    modal = {
        name: max(entry["categories"], key=lambda c: entry["categories"][c]["value"])
        for name, entry in data.items()
    }
    assert modal == {
        "trigger": "non_violent",  # the category; its single most frequent code is triggr 9
        "proxy": "absent",
        "power": "defender_stronger",
        "channel": "hotline",
        "alliance": "great_power",
        "stakes": "medium",
    }
    assert scenario.initial_event.action == "border_clash"
    assert scenario.actors["PRX"].base_hazard == 0.0  # type: ignore[union-attr]
    chal = scenario.actions["chal_strike"].lethality.deaths_mean
    assert scenario.actions["def_strike"].lethality.deaths_mean == 4 * chal


def test_generic_crisis_declares_behavioural_priors_apart_from_the_generators_paths(
    scenario, generator
):
    assert 6 <= len(scenario.uncertain) <= 8
    assert "logit.precision" in scenario.uncertain
    assert not set(scenario.uncertain) & set(generator.names)


# --- draws --------------------------------------------------------------------------------------


def test_draws_are_reproducible_and_keyed_by_seed_and_group(generator):
    first = [generator.draw(1, g) for g in range(20)]
    again = CrisisGenerator.icb()
    assert [again.draw(1, g) for g in reversed(range(20))] == list(reversed(first))
    assert [index for index, _ in first] == list(range(20))  # each group its own crisis
    overrides = [values for _, values in first]
    assert all(a != b for i, a in enumerate(overrides) for b in overrides[i + 1 :])
    assert [generator.draw(2, g)[1] for g in range(20)] != overrides
    u = generator.uniforms(1, 3)
    assert u == generator.uniforms(1, 3) and all(0.0 <= x < 1.0 for x in u.values())


def test_every_draw_sets_the_same_paths(generator, crises):
    names = generator.names
    assert len(names) == len(set(names)) >= 10
    assert all(tuple(c.overrides) == names for c in crises[:200])


@pytest.mark.parametrize("feature", sorted(CATEGORIES))
def test_feature_frequencies_follow_the_configured_shares(generator, crises, feature):
    counts = {c: 0 for c in CATEGORIES[feature]}
    for crisis in crises:
        counts[crisis.features[feature]] += 1
    shares = generator.features[feature].shares
    if feature == "proxy":  # an indirect trigger always brings the proxy
        indirect = generator.features["trigger"].shares["indirect"]
        expected = {
            "present": indirect + (1 - indirect) * shares["present"],
            "absent": (1 - indirect) * shares["absent"],
        }
    else:
        expected = dict(shares)
    for category, n in counts.items():
        p = expected[category]
        margin = 4 * math.sqrt(p * (1 - p) / GROUPS) + 0.005
        assert abs(n / GROUPS - p) < margin, (feature, category, n / GROUPS, p)


def test_the_trigger_sets_the_opening_event(crises):
    for crisis in crises[:400]:
        o, trigger = crisis.overrides, crisis.features["trigger"]
        expected = {
            "violent": ("CHAL", "border_clash"),
            "indirect": ("PRX", "proxy_attack"),
            "non_violent": ("CHAL", "show_of_force"),
        }[trigger]
        assert (o["initial_event.actor"], o["initial_event.action"]) == expected
        if trigger == "non_violent":
            assert o["initial_event.deaths"] == 0
        if trigger == "indirect":
            assert crisis.features["proxy"] == "present"
        assert (o["actors.PRX.base_hazard"] > 0) == (crisis.features["proxy"] == "present")
        assert o["outcomes.base_attack_rate_per_day"] == pytest.approx(
            0.01 + o["actors.PRX.base_hazard"]
        )


def test_power_and_stakes_map_to_tolls_and_type_priors(crises):
    for crisis in crises[:400]:
        o, power = crisis.overrides, crisis.features["power"]
        chal = o["actions.chal_strike.lethality.deaths_mean"]
        defender = o["actions.def_strike.lethality.deaths_mean"]
        assert {"challenger_stronger": chal > defender, "parity": chal == defender}.get(
            power, chal < defender
        )
        assert 0.05 <= o["actors.CHAL.type_prior"] <= 0.95
        assert 0.05 <= o["actors.DEF.type_prior"] <= 0.95
    high = [c.overrides["actors.DEF.type_prior"] for c in crises if c.features["stakes"] == "high"]
    low = [c.overrides["actors.DEF.type_prior"] for c in crises if c.features["stakes"] == "low"]
    assert max(high) < min(low)  # higher stakes: less likely limited


def test_a_violent_triggers_toll_follows_the_mid_hurdle(crises):
    tolls = np.array(
        [
            c.overrides["initial_event.deaths"]
            for c in crises
            if c.features["trigger"] != "non_violent"
        ]
    )
    assert (tolls > 0).mean() == pytest.approx(0.13, abs=0.03)
    assert np.median(tolls[tolls > 0]) == pytest.approx(2, abs=1)


def test_every_drawn_override_set_validates_against_generic_crisis(scenario, crises):
    for crisis in crises[:300]:
        drawn = with_overrides(scenario, crisis.overrides)
        dump = drawn.model_dump(mode="python")
        for path, value in crisis.overrides.items():
            assert resolve_path(dump, path) == (value, ""), path


def test_describe_is_plain_data_naming_the_icb_variables(generator):
    described = generator.describe()
    assert json.loads(json.dumps(described)) == described
    assert described["generator"] == GENERATOR == "icb-crisis-features"
    assert described["runs_per_draw"] == GROUP_RUNS
    assert set(described["features"]) == set(CATEGORIES)
    assert described["features"]["trigger"]["variables"] == ["iwc", "triggr"]
    assert described["features"]["trigger"]["shares"]["violent"] == pytest.approx(315 / 970)
    for entry in described["features"].values():
        assert sum(entry["shares"].values()) == pytest.approx(1.0)
    assert "ICB" in described["source"]


def test_shares_can_be_restricted_and_bad_shares_are_refused(generator):
    violent = generator.with_shares(trigger={"violent": 1, "indirect": 0, "non_violent": 0})
    assert {violent.crisis(5, g).features["trigger"] for g in range(200)} == {"violent"}
    with pytest.raises(ValueError, match="needs a share for each"):
        generator.with_shares(channel={"hotline": 1.0})
    with pytest.raises(ValueError, match="unknown feature"):
        generator.with_shares(weather={"rain": 1.0})
    shares = {name: dict(f.shares) for name, f in generator.features.items()}
    shares["alliance"] = {"great_power": -0.1, "none": 1.1}
    with pytest.raises(ValueError, match="finite"):
        CrisisGenerator(shares)


# --- the package data ---------------------------------------------------------------------------


def test_the_package_data_names_variables_filter_and_counts():
    data = load_features()
    assert "iwc = 1" in data["reference_class"] and data["script"] == "benchmarks/icb_features.py"
    for name, entry in data["features"].items():
        assert set(entry["categories"]) == set(CATEGORIES[name])
        assert entry["variables"] and entry["filter"].startswith("iwc == 1")
        assert sum(c["successes"] for c in entry["categories"].values()) == entry["n"]
        for c in entry["categories"].values():
            assert c["value"] == pytest.approx(c["successes"] / entry["n"], abs=1e-6)


def test_the_trigger_counts_are_those_of_the_calibration_targets():
    """The violent-answer targets are conditional on the same trigger codes and reference class."""
    trigger = load_features()["features"]["trigger"]["categories"]
    targets = load_targets()
    assert trigger["violent"]["successes"] == targets["violent_answer_after_violent_trigger"].n
    assert trigger["indirect"]["successes"] == targets["violent_answer_after_indirect_trigger"].n


@pytest.fixture(scope="module")
def script() -> ModuleType:
    sys.path.insert(0, str(BENCHMARKS))
    try:
        return importlib.import_module("icb_features")
    finally:
        sys.path.remove(str(BENCHMARKS))


@pytest.mark.skipif(
    not (REFERENCE / "icb2v15.csv").is_file(), reason="the ICB v15 files are not at hand"
)
def test_the_script_reproduces_the_package_data(script: ModuleType):
    written = (ROOT / "src/crisislab/scenario/data/icb_features.yaml").read_text("utf-8")
    assert script.as_yaml(script.features(REFERENCE)) == written


# --- the ensemble -------------------------------------------------------------------------------


def test_simulate_runs_the_generic_ensemble_one_crisis_per_group(generator):
    result = simulate(NAME, 2048, 1, draws=generator)
    draw = result.columns["parameter_draw"]
    assert np.array_equal(draw, np.arange(2048) // GROUP_RUNS)
    assert result.summary()["parameters"]["generator"] == GENERATOR
    ended = result.columns["first_end_day"] >= 0
    assert 0 < ended.mean() <= 1  # crises end; how often is held against ICB, not asserted
    with local_executor(2) as pool:
        pooled = simulate(NAME, 2048, 1, draws=generator, executor=pool, chunk_blocks=1)
    for key, column in result.columns.items():
        assert np.array_equal(column, pooled.columns[key]), key


def test_a_run_is_the_run_of_its_groups_crisis(generator):
    drawn = simulate(NAME, 256, 3, draws=generator, days=120)
    for k in (0, 100, 255):
        _, overrides = generator.draw(3, k // GROUP_RUNS)
        plain = simulate(NAME, 256, 3, overrides, days=120)
        assert drawn.columns["violence"][k] == plain.columns["violence"][k]
        assert drawn.columns["first_end_day"][k] == plain.columns["first_end_day"][k]
