"""The command line: every command, the JSON contract, exit codes, and bad input of many kinds."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from crisislab.cli import main

BUILTIN = Path(__file__).parents[2] / "src/crisislab/scenario/builtin/us-iran-2020.yaml"


def cli(capsys, *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_:
        main(list(args))
    captured = capsys.readouterr()
    return int(exit_.value.code or 0), captured.out, captured.err


def test_scenarios_lists_each_builtin_on_one_line(capsys):
    code, out, _ = cli(capsys, "scenarios")
    assert code == 0
    assert any(line.startswith("us-iran-2020 ") for line in out.splitlines())


def test_validate_summarises_a_valid_scenario(capsys):
    code, out, _ = cli(capsys, "validate", str(BUILTIN))
    assert code == 0
    assert "KH" in out and "proxy" in out and "red line" in out and "channel: indirect" in out


def test_run_json_has_the_documented_keys_and_nothing_else_on_stdout(capsys):
    code, out, err = cli(
        capsys,
        "run",
        "us-iran-2020",
        "--runs",
        "1024",
        "--seed",
        "3",
        "--days",
        "60",
        "--set",
        "actors.USA.doctrine=gtft",
        "--json",
    )
    assert code == 0, err
    data = json.loads(out)
    assert data["scenario"] == "us-iran-2020"
    assert (data["runs"], data["seed"], data["days"]) == (1024, 3, 60)
    assert data["overrides"]["actors.USA.doctrine"] == "gtft"
    assert set(data["outcomes"]) == {"war", "stable_deescalation", "frozen_conflict"}
    for entry in data["outcomes"].values():
        assert entry["ci"][0] <= entry["p"] <= entry["ci"][1]
    assert set(data["war_kinds"]) == {"spiral", "deterrence_failure", "inadvertent"}
    assert set(data["test"]) == {"intended", "perceived", "both"}
    assert {"red_line_fired", "limited_reprisal_cycle"} <= set(data["flags"])
    assert {"us_deaths_mean", "max_rung_mean", "misperceptions_mean"} <= set(data["metrics"])
    war = data["outcomes"]["war"]["p"]
    kinds = data["war_kinds"]
    assert kinds["spiral"] + kinds["deterrence_failure"] == pytest.approx(war, abs=1e-5)


@pytest.mark.parametrize(
    "path, value",
    [
        ("days", "30"),
        ("actors.USA.doctrine", "retaliatory"),
        ("actors.USA.rhetoric", "inflammatory"),
        ("actors.IRN.type_prior", "0.4"),
        ("actors.IRN.enforcement", "0.9"),
        ("actors.KH.control", "0.3"),
        ("channel.kind", "hotline"),
        ("channel.carries_c2", "true"),
        ("fronts.host.diplomacy", "0.5"),
        ("fronts.maritime.posture", "0.8"),
        ("fronts.nuclear.dialogue", "true"),
    ],
)
def test_every_documented_override_path_works(capsys, path, value):
    code, out, err = cli(
        capsys,
        "run",
        "us-iran-2020",
        "--runs",
        "1024",
        "--days",
        "30",
        "--set",
        f"{path}={value}",
        "--json",
    )
    assert code == 0, err
    assert path in json.loads(out)["overrides"]


def test_same_seed_same_json(capsys):
    args = ("run", "us-iran-2020", "--runs", "1024", "--days", "60", "--seed", "9", "--json")
    assert cli(capsys, *args)[1] == cli(capsys, *args)[1]


def test_parallel_workers_give_the_same_json(capsys):
    args = ("run", "us-iran-2020", "--runs", "3000", "--days", "60", "--seed", "9", "--json")
    alone = cli(capsys, *args, "--workers", "1")[1]
    assert cli(capsys, *args, "--workers", "2")[1] == alone
    assert cli(capsys, *args)[1] == alone  # automatic: one thread per CPU for three blocks


def test_compare_runs_the_full_factorial(capsys):
    code, out, err = cli(
        capsys,
        "compare",
        "us-iran-2020",
        "--lever",
        "actors.USA.doctrine=restraint,proportional",
        "--lever",
        "channel.kind=none,hotline",
        "--runs",
        "1024",
        "--days",
        "30",
        "--json",
    )
    assert code == 0, err
    data = json.loads(out)
    settings = [r["levers"] for r in data["results"]]
    assert len(settings) == 4
    assert {(s["actors.USA.doctrine"], s["channel.kind"]) for s in settings} == {
        ("restraint", "none"),
        ("restraint", "hotline"),
        ("proportional", "none"),
        ("proportional", "hotline"),
    }


def test_compare_json_pairs_each_policy_with_the_first(capsys):
    code, out, err = cli(
        capsys,
        "compare",
        "us-iran-2020",
        "--lever",
        "actors.USA.doctrine=restraint,gtft,retaliatory",
        "--runs",
        "1024",
        "--days",
        "60",
        "--seed",
        "5",
        "--json",
    )
    assert code == 0, err
    first, *later = json.loads(out)["results"]
    assert first["policy"] == "USA.doctrine=restraint" and "paired" not in first
    assert "outcomes" in first and "flags" in first  # every field of `run` is still there
    for entry in later:
        paired = entry["paired"]
        assert paired["against"] == "USA.doctrine=restraint"
        for name in ("war", "stable_deescalation", "frozen_conflict", "red_line_fired"):
            d = paired[name]
            assert set(d) == {"diff", "ci", "unpaired_ci"}
            assert d["ci"][0] <= d["diff"] <= d["ci"][1]
            assert d["unpaired_ci"][0] <= d["diff"] <= d["unpaired_ci"][1]


def test_compare_prints_tables(capsys):
    code, out, _ = cli(
        capsys,
        "compare",
        "us-iran-2020",
        "--lever",
        "actors.USA.doctrine=restraint,gtft",
        "--runs",
        "1024",
        "--days",
        "30",
    )
    assert code == 0
    assert "USA.doctrine=restraint" in out and "P(war)" in out
    assert "Δ" in out and "paired 95% CI" in out  # gtft's paired difference from restraint


def test_story_narrates_one_run_with_truth_and_perception(capsys):
    code, out, _ = cli(capsys, "story", "us-iran-2020", "--seed", "1", "--run", "3", "--days", "90")
    assert code == 0
    assert "hidden resolve" in out
    assert "perceives rung" in out
    assert out.strip().splitlines()[-1].startswith("Outcome:")


def test_story_json_matches_the_batch_run(capsys):
    code, out, _ = cli(
        capsys, "story", "us-iran-2020", "--seed", "2", "--run", "1500", "--days", "60", "--json"
    )
    assert code == 0
    told = json.loads(out)
    import crisislab

    batch = crisislab.simulate("us-iran-2020", runs=2048, seed=2, days=60)
    assert told["outcome"] == str(batch.runs["outcome"].iloc[1500])


# --- bad input: exit 2, one clear message, never a traceback ---------------------------------


def _bad(capsys, *args: str) -> str:
    code, out, err = cli(capsys, *args)
    assert code == 2, (out, err)
    assert "Traceback" not in err and "Traceback" not in out
    assert out == ""
    return err


def write(tmp_path: Path, text: str | bytes, name: str = "s.yaml") -> str:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text)
    return str(path)


def test_malformed_yaml_names_line_and_column(capsys, tmp_path):
    err = _bad(capsys, "validate", write(tmp_path, "name: x\nactors: [1,\n"))
    assert "s.yaml:3:1" in err and "malformed YAML" in err


def test_wrong_type_names_field_path_and_line(capsys, tmp_path):
    text = BUILTIN.read_text().replace("control: 0.6  ", "control: high  ", 1)
    err = _bad(capsys, "validate", write(tmp_path, text))
    line = next(i for i, t in enumerate(text.splitlines(), 1) if "control: high" in t)
    assert f"s.yaml:{line}:" in err and "actors.KH.control" in err


def test_unknown_key_is_reported(capsys, tmp_path):
    text = BUILTIN.read_text().replace("    base_hazard: 0.02", "    base_hazrd: 0.02", 1)
    err = _bad(capsys, "validate", write(tmp_path, text))
    assert "actors.KH.base_hazrd" in err and "unknown field" in err


def test_unknown_action_type_and_principal_are_reported(capsys, tmp_path):
    text = BUILTIN.read_text().replace("action: proxy_rocket_attack", "action: rocket_rain", 1)
    text = text.replace("principal: IRN\n    control: 0.7", "principal: HEZ\n    control: 0.7")
    err = _bad(capsys, "validate", write(tmp_path, text))
    assert "unknown action type 'rocket_rain'" in err
    assert "actors.PMF.principal" in err


def test_probability_out_of_range(capsys, tmp_path):
    text = BUILTIN.read_text().replace("type_prior: 0.6 ", "type_prior: 1.6 ", 1)
    err = _bad(capsys, "validate", write(tmp_path, text))
    assert "actors.IRN.type_prior" in err and "less than or equal to 1" in err


def test_red_line_with_unknown_field(capsys, tmp_path):
    text = BUILTIN.read_text().replace("field: reported_deaths.USA", "field: body_count", 1)
    err = _bad(capsys, "validate", write(tmp_path, text))
    assert "red_lines.american_killed_on_iranian_orders.when.0" in err
    assert "unknown perceived field 'body_count'" in err


def test_unknown_override_path(capsys):
    err = _bad(capsys, "run", "us-iran-2020", "--set", "actors.KH.contrl=0.4")
    assert "unknown override path" in err and "actors.KH.contrl" in err


def test_override_value_out_of_range(capsys):
    err = _bad(capsys, "run", "us-iran-2020", "--set", "actors.KH.control=1.5")
    assert "actors.KH.control" in err


def test_override_without_equals(capsys):
    assert "PATH=VALUE" in _bad(capsys, "run", "us-iran-2020", "--set", "actors.KH.control")


def test_negative_runs(capsys):
    assert "--runs" in _bad(capsys, "run", "us-iran-2020", "--runs", "-5")


def test_unknown_scenario_name(capsys):
    err = _bad(capsys, "run", "us-iran-2021")
    assert "no such built-in scenario or file" in err and "us-iran-2020" in err


def test_huge_file_is_refused_before_parsing(capsys, tmp_path):
    path = tmp_path / "big.yaml"
    with path.open("wb") as fh:
        fh.truncate(50 * 1024 * 1024)
    err = _bad(capsys, "validate", str(path))
    assert "MB" in err and "limited" in err


def test_binary_garbage(capsys, tmp_path):
    err = _bad(capsys, "validate", write(tmp_path, bytes(range(256)) * 8, "g.yaml"))
    assert "binary" in err


def test_non_utf8_text(capsys, tmp_path):
    err = _bad(capsys, "validate", write(tmp_path, "name: caf\xe9\n".encode("latin-1")))
    assert "UTF-8" in err


def test_yaml_that_is_not_a_mapping(capsys, tmp_path):
    assert "mapping" in _bad(capsys, "validate", write(tmp_path, "- 1\n- 2\n"))


def test_empty_file(capsys, tmp_path):
    assert "mapping" in _bad(capsys, "validate", write(tmp_path, ""))


def test_duplicate_keys(capsys, tmp_path):
    err = _bad(capsys, "validate", write(tmp_path, "name: a\nname: b\n"))
    assert "s.yaml:" in err


def test_yaml_python_tags_are_not_executed(capsys, tmp_path):
    target = tmp_path / "made-by-yaml"
    _bad(
        capsys, "validate", write(tmp_path, f"name: !!python/object/apply:os.mkdir ['{target}']\n")
    )
    assert not target.exists()


def test_installed_entry_point_exits_2_on_bad_input(tmp_path):
    """The console script, run as a user would, prints one line and no traceback."""
    proc = subprocess.run(
        [sys.executable, "-m", "crisislab", "run", "us-iran-2020", "--set", "nope=1"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert "Traceback" not in proc.stderr and "unknown override path" in proc.stderr


def test_a_single_field_of_a_default_catalogue_entry_can_be_overridden(capsys):
    code, out, err = cli(
        capsys,
        "run",
        "us-iran-2020",
        "--runs",
        "1024",
        "--days",
        "30",
        "--set",
        "actions.proxy_rocket_attack.lethality.p_kill=0.5",
        "--json",
    )
    assert code == 0, err
    assert json.loads(out)["overrides"] == {
        "actions.proxy_rocket_attack.lethality.p_kill": 0.5,
        "days": 30,
    }


def test_unknown_cameo_code_is_a_validation_error(capsys, tmp_path):
    text = BUILTIN.read_text() + (
        "actions:\n  odd_act:\n    label: odd\n    rung: 3\n    cameo: '999'\n"
        "    rivera: posturing\n"
    )
    err = _bad(capsys, "validate", write(tmp_path, text))
    assert "actions.odd_act.cameo" in err and "not a CAMEO event code" in err
