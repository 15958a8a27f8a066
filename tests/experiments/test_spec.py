"""Study files: validated like scenarios, with the file, line and field of every problem."""

from pathlib import Path

import numpy as np
import pytest

from crisislab.errors import StudyError
from crisislab.experiments import Study, example_names, load_study
from crisislab.experiments.spec import KNOWN_OUTCOMES, Uncertainty

FIXTURES = Path(__file__).parent / "fixtures"


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "study.yaml"
    path.write_text(text, encoding="utf-8")
    return path


BASE = """name: t
scenario: us-iran-2020
days: 30
levers:
  actors.USA.doctrine: [restraint, gtft]
uncertainties:
  actors.KH.control: {low: 0.3, high: 0.9}
runs_per_point: 1024
samples: 4
"""


def problems(path: Path) -> list[str]:
    with pytest.raises(StudyError) as info:
        load_study(path)
    return [str(p) for p in info.value.problems]


def test_examples_ship_as_package_data_and_are_valid():
    assert {"restraint-under-weak-control", "sensitivity-restraint"} <= set(example_names())
    for name in example_names():
        spec, scenario, text = load_study(name)
        assert spec.name == name and scenario.name and text.startswith("#")


def test_a_valid_file_gives_the_design_size(tmp_path):
    spec, _, _ = load_study(write(tmp_path, BASE))
    assert (spec.n_policies, spec.n_samples, spec.n_points) == (2, 4, 8)


def test_unknown_field_is_reported_at_its_line(tmp_path):
    found = problems(write(tmp_path, BASE + "sampels: 3\n"))
    assert found == [
        f"{tmp_path / 'study.yaml'}:10:1: sampels: unknown field "
        "(check the spelling; see the scenario format reference)"
    ]


def test_a_lever_value_the_scenario_refuses_is_reported_at_the_lever(tmp_path):
    text = BASE.replace("[restraint, gtft]", "[restraint, pacifist]")
    [found] = problems(write(tmp_path, text))
    assert ":5:3: levers.actors.USA.doctrine: 'pacifist'" in found


def test_an_uncertainty_range_beyond_the_parameter_is_refused_before_running(tmp_path):
    [found] = problems(write(tmp_path, BASE.replace("high: 0.9", "high: 1.5")))
    assert ":7:3: uncertainties.actors.KH.control: 1.5" in found


def test_an_unknown_override_path_is_named(tmp_path):
    [found] = problems(write(tmp_path, BASE.replace("actors.KH.control", "actors.KH.controll")))
    assert "uncertainties.actors.KH.controll" in found and "unknown override path" in found


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ("sampler: sobol\nsamples: 6\n", "power of 2"),
        ("sampler: saltelli\nsamples: 6\n", "power of 2"),
        ("outcomes: [war, peace]\n", "unknown outcome 'peace'"),
        ("runs_per_point: 0\n", "greater than or equal to 1"),
        ("sampler: latin\n", "'lhs', 'sobol', 'saltelli' or 'morris'"),
    ],
)
def test_bad_settings_are_explained(tmp_path, change, message):
    text = BASE.replace("samples: 4\n", "").replace("runs_per_point: 1024\n", "") + change
    found = " ".join(problems(write(tmp_path, text)))
    assert message in found


def test_a_too_large_design_is_refused(tmp_path):
    found = " ".join(problems(write(tmp_path, BASE.replace("samples: 4", "samples: 90000"))))
    assert "the limit is 100,000" in found


def test_empty_and_non_mapping_files_are_refused(tmp_path):
    assert "got empty" in problems(write(tmp_path, ""))[0]
    assert "got a list" in problems(write(tmp_path, "- 1\n"))[0]


def test_a_relative_scenario_path_is_read_next_to_the_study(tmp_path):
    scenario = Path(__file__).parents[2] / "src/crisislab/scenario/builtin/us-iran-2020.yaml"
    (tmp_path / "mine.yaml").write_text(scenario.read_text("utf-8"), encoding="utf-8")
    _, loaded, _ = load_study(write(tmp_path, BASE.replace("us-iran-2020", "mine.yaml")))
    assert loaded.name == "us-iran-2020"


def test_a_missing_scenario_is_reported_at_the_scenario_line(tmp_path):
    found = problems(write(tmp_path, BASE.replace("us-iran-2020", "nowhere.yaml")))
    assert ":2:1: scenario: cannot load 'nowhere.yaml'" in found[0]


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"low": 0.5, "high": 0.2}, "must be below"),
        ({"distribution": "loguniform", "low": 0, "high": 1}, "low` > 0"),
        ({"distribution": "triangular", "low": 0, "high": 1}, "needs `mode`"),
        ({"distribution": "normal", "mean": 1}, "needs `mean` and `sd`"),
        ({"distribution": "categorical"}, "needs `values`"),
    ],
)
def test_uncertainties_need_the_parameters_of_their_distribution(fields, message):
    with pytest.raises(ValueError, match=message):
        Uncertainty(**fields)


def test_inverse_cdfs_reach_the_ends_and_the_median():
    u = np.array([0.0, 0.5, 1.0])
    assert Uncertainty(low=2, high=4).ppf(u).tolist() == [2, 3, 4]
    log = Uncertainty(distribution="loguniform", low=0.001, high=0.1).ppf(u)
    assert log == pytest.approx([0.001, 0.01, 0.1])
    tri = Uncertainty(distribution="triangular", low=0, mode=0, high=1).ppf(u)
    assert tri == pytest.approx([0, 1 - np.sqrt(0.5), 1])
    normal = Uncertainty(distribution="normal", mean=1, sd=0.5).ppf(u)
    assert normal[1] == pytest.approx(1) and normal[0] == pytest.approx(1 - 1.5, abs=0.01)
    picks = Uncertainty(values=["a", "b", "c"]).ppf(np.array([0.0, 0.34, 0.99, 1.0]))
    assert picks.tolist() == ["a", "b", "c", "c"]


def test_the_outcome_names_a_study_accepts_are_columns_of_the_engine():
    from crisislab import simulate

    columns = set(simulate("us-iran-2020", runs=16, seed=0, days=5).columns)
    assert set(KNOWN_OUTCOMES) - {"stable_deescalation", "frozen_conflict", "war"} <= columns


def test_study_object_keeps_the_text_it_was_read_from():
    study = Study.load(FIXTURES / "small.yaml")
    assert study.text.startswith("# A small study")
    assert study.problem["names"] == ["actors.KH.control", "attribution.delay_days", "channel.kind"]
