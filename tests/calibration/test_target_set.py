"""Target sets: the shipped sets load with values taken from their sources (the ICB table, the
timeline through benchmarks/timeline_targets.py), bad files fail with every problem located, and
a set's statistics of a small real simulation are finite numbers in range."""

from __future__ import annotations

import importlib.util
import json
import math
import sys
from pathlib import Path
from types import ModuleType

import pytest

from crisislab import simulate
from crisislab.calibration import (
    STATISTICS,
    TargetSetError,
    load_target_set,
    load_targets,
    target_set_names,
)
from crisislab.calibration.target_set import parse_target_set
from crisislab.errors import BadInput

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "src/crisislab/calibration/data/target_sets"


def benchmark(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, ROOT / "benchmarks" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up while the module runs
    try:
        spec.loader.exec_module(module)
    finally:
        del sys.modules[name]
    return module


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "set.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def problems_of(tmp_path: Path, text: str) -> list[tuple[str, str, int | None]]:
    with pytest.raises(TargetSetError) as caught:
        load_target_set(write(tmp_path, text))
    return [(p.path, p.message, p.line) for p in caught.value.problems]


# --- the shipped sets -------------------------------------------------------------------------


def test_the_shipped_sets_are_listed_and_load():
    assert target_set_names() == ["icb-endings", "icb-generic", "us-iran-2020-timeline"]
    for name in target_set_names():
        found = load_target_set(name)
        assert found.name == name and found.source == f"{name}.yaml"
        assert len(found) == len(found.names) == len(set(found.names)) > 0
        assert list(found.observed()) == list(found.scales()) == list(found.names)
        assert all(sd > 0 for sd in found.scales().values())
        assert all(t.statistic in STATISTICS and t.description and t.source for t in found)
        json.dumps(found.as_dict(), allow_nan=False)


def test_a_set_loads_by_path_as_by_name():
    by_path = load_target_set(DATA / "icb-generic.yaml")
    assert by_path.targets == load_target_set("icb-generic").targets


def test_icb_generic_takes_values_and_sds_from_the_icb_table():
    icb, generic = load_targets(), load_target_set("icb-generic")
    endings = load_target_set("icb-endings")
    for found, name, icb_name in [
        (generic, "war", "war"),
        (generic, "serious_clashes_or_war", "serious_clashes_or_war"),
        (generic, "violent_answer", "violent_answer_after_violent_trigger"),
        (generic, "duration_median", "actor_duration_median"),
        (generic, "within_year", "actor_within_year"),
        (endings, "recurrence", "recurrence_5y"),
    ]:
        target, source = found[name], icb[icb_name]
        lo, hi = source.interval
        assert target.icb == (icb_name,)
        assert target.value == source.value
        assert target.sd == pytest.approx((hi - lo) / (2 * 1.959964), abs=1e-6)
    assert generic["duration_median"].sd == pytest.approx(4.59, abs=0.01)  # (78 - 60) / 3.92
    war = icb["war"]
    binomial = math.sqrt(war.value * (1 - war.value) / war.n)
    assert generic["war"].sd == pytest.approx(binomial, rel=0.05)


def test_an_agreement_target_adds_the_formal_and_semi_formal_shares():
    icb, agreement = load_targets(), load_target_set("icb-endings")["agreement"]
    formal, semi = icb["termination_formal_agreement"], icb["termination_semi_formal_agreement"]
    assert agreement.statistic == "end_mode_share" and agreement.params == {"mode": "agreement"}
    assert agreement.value == pytest.approx((86 + 55) / 410, abs=1e-6)
    assert agreement.value == pytest.approx(formal.value + semi.value, abs=1e-5)
    binomial = math.sqrt(agreement.value * (1 - agreement.value) / 410)
    assert agreement.sd == pytest.approx(binomial, rel=0.05)


def test_the_timeline_set_is_what_the_script_derives_from_the_timeline():
    script = benchmark("timeline_targets")
    assert (DATA / "us-iran-2020-timeline.yaml").read_text(encoding="utf-8") == script.as_yaml(
        *script.observations()
    )
    timeline = load_target_set("us-iran-2020-timeline")
    observed = timeline.observed()
    # Camp Taji (11 March 2020, day 63 after 8 January) and the US strikes on KH (12 March)
    assert observed["lethal_proxy_attack_69d"] == observed["proxy_strike_69d"] == 1
    assert observed["lethal_proxy_attack_30d"] == observed["proxy_strike_30d"] == 0
    assert observed["state_strike_69d"] == observed["war_69d"] == 0
    assert set(timeline.scales().values()) == {1.0}  # sqrt(max(count, 1))
    assert all(t.statistic == "event_within" for t in timeline)


def test_simulated_statistics_of_a_real_simulation_are_finite_and_in_range():
    # each set on the ensemble it is for: the ICB set on generated crises of every trigger kind
    generic = simulate("generic-crisis", runs=2048, seed=2)  # crises of all trigger kinds
    results = {
        "icb-generic": generic,
        "icb-endings": generic,
        "us-iran-2020-timeline": simulate("us-iran-2020", runs=300, seed=1),
    }
    assert set(results) == set(target_set_names())
    for name, result in results.items():
        found = load_target_set(name)
        simulated = found.simulated(result)
        assert list(simulated) == list(found.names)
        assert simulated == found.simulated(result.columns)
        for target in found:
            value = simulated[target.name]
            assert math.isfinite(value), target.name
            if target.measure.kind == "share":
                assert 0.0 <= value <= 1.0, target.name
            else:
                assert value > 0.0, target.name
    fitted = load_target_set("icb-generic").simulated(generic)
    assert 1 <= fitted["duration_median"] <= 366


# --- located problems -------------------------------------------------------------------------


def test_every_problem_of_a_file_is_reported_at_its_line(tmp_path):
    found = problems_of(
        tmp_path,
        """\
name: bad
colour: red
targets:
  - name: war
    statistic: war_shares
    icb: war
  - name: serious
    statistic: violence_share
    params: {lvl: 3}
    observed: {value: 0.3, sd: 0}
    source: somewhere
  - name: duration
    statistic: crisis_duration_median
    icb: actor_duration_mediam
  - name: year
    statistic: ended_within
    observed: {value: 0.9}
  - statistic: war_share
    observed: {value: 1.5, sd: 0.1}
    source: x
""",
    )
    assert [(path, line) for path, _, line in found] == [
        ("colour", 2),
        ("targets.0.statistic", 5),
        ("targets.1.params.lvl", 9),
        ("targets.1.params", 9),
        ("targets.1.observed.sd", 10),
        ("targets.2.icb", 14),
        ("targets.3.statistic", 16),
        ("targets.3.observed", 17),
        ("targets.3", 15),
        ("targets.4", 18),
        ("targets.4.observed.value", 19),
    ]
    messages = [message for _, message, _ in found]
    for message, expected in zip(
        messages,
        [
            "unknown field (check the spelling; fields: name, description, targets)",
            "unknown statistic 'war_shares'; use one of war_share, violence_share,",
            "violence_share has no parameter 'lvl' (its parameters: level, exact)",
            "violence_share needs the parameter 'level'",
            "must be greater than 0, got 0",
            "unknown ICB target 'actor_duration_mediam'; use one of war, serious_clashes_or_war,",
            "ended_within needs the parameter 'days'",
            "required field 'sd' is missing",
            "required field 'source' is missing",
            "required field 'name' is missing",
            "war_share is a share: 0 to 1, got 1.5",
        ],
        strict=True,
    ):
        assert message.startswith(expected), message


def test_a_problem_prints_as_file_line_column_path_message(tmp_path):
    path = write(tmp_path, "name: x\ntargets:\n  - name: a\n    statistic: nope\n    icb: war\n")
    with pytest.raises(TargetSetError) as caught:
        load_target_set(path)
    assert isinstance(caught.value, BadInput)  # the CLI prints it and exits 2
    assert str(caught.value).startswith(f"{path}:4:5: targets.0.statistic: unknown statistic")


@pytest.mark.parametrize(
    ("target", "path", "message"),
    [
        (
            "{name: a, statistic: war_share, icb: war, observed: {value: 0.1, sd: 0.1}}",
            "targets.0.observed",
            "give either icb or observed, not both",
        ),
        ("{name: a, statistic: war_share}", "targets.0", "give icb: <an ICB target's name>"),
        (
            "{name: a, statistic: war_share, icb: war, source: me}",
            "targets.0.source",
            "an icb target takes its source from the ICB table",
        ),
        (
            "{name: a, statistic: war_share, icb: actor_duration_median}",
            "targets.0.icb",
            "the ICB target is a median; war_share is not a median",
        ),
        (
            "{name: a, statistic: crisis_duration_quantile, params: {q: 0.9}, "
            "icb: actor_duration_median}",
            "targets.0.icb",
            "the ICB target is a median; crisis_duration_quantile is not a median",
        ),
        (
            "{name: a, statistic: crisis_duration_median, icb: war}",
            "targets.0.icb",
            "the ICB target is a share; crisis_duration_median is a quantile",
        ),
        (
            "{name: a, statistic: war_share, icb: [war, termination_tacit]}",
            "targets.0.icb",
            "only shares of distinct codes of one ICB variable over the same crises",
        ),
        (
            "{name: a, statistic: war_share, icb: [war_since_1945, war_since_1990]}",
            "targets.0.icb",
            "only shares of distinct codes of one ICB variable over the same crises",
        ),
        (
            "{name: a, statistic: war_share, icb: [war, war]}",
            "targets.0.icb",
            "an ICB target is named twice",
        ),
        (
            "{name: a, statistic: war_share, icb: [war, actor_duration_median]}",
            "targets.0.icb",
            "only shares can be added",
        ),
        ("{name: a, statistic: war_share, icb: 3}", "targets.0.icb", "give an ICB target's name"),
        (
            "{name: a, statistic: war_share, observed: {value: 0.1, sd: -1}, source: s}",
            "targets.0.observed.sd",
            "must be greater than 0, got -1",
        ),
        (
            "{name: a, statistic: war_share, observed: {value: .nan, sd: 1}, source: s}",
            "targets.0.observed.value",
            "must be a finite number",
        ),
        (
            "{name: a, statistic: war_share, observed: {value: 0.1, sd: true}, source: s}",
            "targets.0.observed.sd",
            "must be a finite number, got True",
        ),
        (
            "{name: a, statistic: war_share, observed: {value: 0.1, sd: 1, n: 3}, source: s}",
            "targets.0.observed.n",
            "unknown field",
        ),
        (
            "{name: a, statistic: war_share, observed: 0.1, source: s}",
            "targets.0.observed",
            "must be a mapping {value: ..., sd: ...}",
        ),
        (
            "{name: a, statistic: war_share, observed: {value: 0.1, sd: 1}, source: ''}",
            "targets.0.source",
            "must be a non-empty text",
        ),
        (
            "{name: a, statistic: violence_share, params: [3], icb: war}",
            "targets.0.params",
            "must be a mapping of parameters",
        ),
        (
            "{name: a, statistic: event_within, params: {event: war, days: 0.5}, icb: war}",
            "targets.0.params.days",
            "must be a whole number, got 0.5",
        ),
        ("{name: a, statistic: war_share, icb: war, weight: 2}", "targets.0.weight", "unknown"),
        ("just text", "targets.0", "a target must be a mapping"),
    ],
)
def test_each_bad_target_is_located(tmp_path, target, path, message):
    found = problems_of(tmp_path, f"name: x\ntargets:\n  - {target}\n")
    assert [p for p, _, _ in found] == [path]
    assert found[0][1].startswith(message), found[0][1]
    assert found[0][2] == 3


def test_target_names_are_unique(tmp_path):
    found = problems_of(
        tmp_path,
        "name: x\ntargets:\n  - {name: a, statistic: war_share, icb: war}\n"
        "  - {name: a, statistic: recurrence_share, icb: recurrence_5y}\n",
    )
    assert found == [("targets.1.name", "a second target named 'a'", 4)]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "a target set must be a YAML mapping, got empty"),
        ("- a\n", "a target set must be a YAML mapping, got a list"),
        ("name: x\n", "required field 'targets' is missing"),
        ("name: x\ntargets: []\n", "must be a list of one or more targets"),
        ("targets: [{name: a, statistic: war_share, icb: war}]\n", "required field 'name'"),
        ("name: x\ntargets: [\n", "malformed YAML"),
    ],
)
def test_a_bad_file_is_refused_with_a_reason(tmp_path, text, message):
    with pytest.raises(TargetSetError) as caught:
        load_target_set(write(tmp_path, text))
    assert caught.value.problems[0].message.startswith(message)


def test_missing_files_folders_and_binary_files_are_refused(tmp_path):
    with pytest.raises(TargetSetError, match=r"no such built-in target set or file .*icb-generic"):
        load_target_set(tmp_path / "nowhere.yaml")
    with pytest.raises(TargetSetError, match="is a folder"):
        load_target_set(tmp_path)
    binary = tmp_path / "b.yaml"
    binary.write_bytes(b"name: \x00")
    with pytest.raises(TargetSetError, match="binary file"):
        load_target_set(binary)


def test_a_built_in_set_must_carry_its_file_name():
    text = (DATA / "icb-generic.yaml").read_text(encoding="utf-8")
    with pytest.raises(TargetSetError, match="must be 'renamed', the file's name"):
        parse_target_set("renamed.yaml", text, builtin="renamed")


def test_defaults_are_filled_in_and_descriptions_default_to_the_statistic(tmp_path):
    found = load_target_set(
        write(
            tmp_path,
            "name: x\ndescription: a set\ntargets:\n"
            "  - {name: a, statistic: violent_answer_share, observed: {value: 0.5, sd: 0.1}, "
            "source: a count}\n",
        )
    )
    target = found["a"]
    assert target.params == {"trigger": "violent_opening", "days": 30}
    assert target.description == STATISTICS["violent_answer_share"].description
    assert (found.description, target.source, target.icb) == ("a set", "a count", ())
    assert found.observed() == {"a": 0.5} and found.scales() == {"a": 0.1}
    with pytest.raises(KeyError):
        found["b"]
