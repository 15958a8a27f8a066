"""The built-in scenarios india-china-2020 and korea-2010: each loads, runs, documents every default
with its basis and a range, and states the model's version-2 parameters explicitly.

No outcome share is asserted: the engine is still being tuned, so these tests check shape and
documentation, not numbers."""

from __future__ import annotations

import re
from importlib.resources import files

import pytest
import test_builtin_scenarios as rules
from ruamel.yaml import YAML

from crisislab.scenario.loader import builtin_names, load_scenario
from crisislab.scenario.schema import Faction, Leadership, Proxy
from crisislab.simulate import simulate

NAMES = ["india-china-2020", "korea-2010"]

# Actor codes and names of the two scenarios, which the engine must not mention.
SCENARIO_WORDS = [
    *("CHN", "PLA_LAC", "IA_LAC", "China", "Galwan"),
    *("ROK", "PRK", "KPA_COVERT", "Korea"),
]

# Version-2 fields each file must write out, not leave to the schema's defaults.
VERSION_2 = {
    "resolve": {
        "limited_mean",
        "aggressive_mean",
        "concentration",
        "half_life_days",
        "rally",
        "death_slope",
        "belief_half_life_days",
    },
    "logit": {
        "precision",
        "deterrence_value",
        "action_cost",
        "proxy_risk_share",
        "order_value",
        "order_cost",
        "answer_loss",
        "grievance_weight",
        "occasion_days",
        "obligation",
        "credibility_half_life_days",
        "campaign_value",
        "campaign_cost",
        "planning_median_days",
        "planning_sigma",
    },
    "outcomes": {
        "base_attack_rate_per_day",
        "casualty_sigma",
        "threat_half_life_days",
        "end_margin",
        "end_quiet_days",
        "war_end_median_days",
    },
}

# Values fixed by definition (a rung on the ladder) or by the record (the opening event's toll):
# they carry a basis but no range.
NO_RANGE_KEYS = {"rung", "lethal_rung"}
NO_RANGE_PATHS = {"initial_event.deaths"}
NUMBER = re.compile(r"^-?[0-9][0-9.]*(e-?[0-9]+)?$")


def _text(name: str) -> str:
    return (files("crisislab.scenario") / "builtin" / f"{name}.yaml").read_text(encoding="utf-8")


def _data(name: str) -> dict:
    return YAML(typ="safe", pure=True).load(_text(name))


def values_without_range(text: str) -> list[tuple[int, str]]:
    """(line, dotted path) of numeric value lines, in the parameter sections, resolve and the
    actions, whose comment (or whose parent's) gives no range."""
    sections = rules.SECTIONS | {"resolve", "actions"}
    found: list[tuple[int, str]] = []
    stack: list[tuple[int, str, str]] = []  # indentation, key, comment
    for number, raw in enumerate(text.splitlines(), start=1):
        content, comment = rules._split_comment(raw)
        if not content.strip():
            continue
        indent = len(content) - len(content.lstrip(" "))
        while stack and stack[-1][0] >= indent:
            stack.pop()
        body = content.strip()
        match = re.match(r"^(?:-\s+)?([A-Za-z_][\w.-]*)\s*:\s*(.*)$", body)
        key, value = (match[1], match[2].strip()) if match else ("-", body[1:].strip())
        path = ".".join([*(s[1] for s in stack), key])
        parent = stack[-1][2] if stack else ""
        stack.append((indent, key, comment))
        numeric = bool(NUMBER.match(value)) or (
            value.startswith("{") and re.search(r":\s*-?[0-9]", value) is not None
        )
        if (
            path.split(".")[0] in sections
            and numeric
            and key not in NO_RANGE_KEYS
            and path not in NO_RANGE_PATHS
            and "range" not in comment
            and "range" not in parent
        ):
            found.append((number, path))
    return found


def test_both_are_built_in():
    assert set(NAMES) <= set(builtin_names())


@pytest.mark.parametrize("name", NAMES)
def test_loads_with_two_leaderships_and_their_frontline_factions(name):
    scenario = load_scenario(name)
    assert scenario.name == name
    leaders = {k for k, a in scenario.actors.items() if isinstance(a, Leadership)}
    assert {scenario.dyad.defender, scenario.dyad.challenger} == leaders
    assert not any(isinstance(a, Proxy) for a in scenario.actors.values()), "no proxies"
    factions = [a for a in scenario.actors.values() if isinstance(a, Faction)]
    assert {f.principal for f in factions} == leaders, "each state has its own armed units"
    assert scenario.initial_event is not None and scenario.initial_event.deaths > 0
    assert scenario.red_lines and {r.owner for r in scenario.red_lines.values()} == leaders


@pytest.mark.parametrize("name", NAMES)
def test_every_default_has_a_basis_comment(name):
    assert rules.undocumented_values(_text(name)) == []


@pytest.mark.parametrize("name", NAMES)
def test_resolve_section_is_documented_too(name, monkeypatch):
    monkeypatch.setattr(rules, "SECTIONS", rules.SECTIONS | {"resolve"})
    assert rules.undocumented_values(_text(name)) == []


@pytest.mark.parametrize("name", NAMES)
def test_every_numeric_default_gives_a_range(name):
    assert values_without_range(_text(name)) == []


def test_range_check_flags_a_number_without_range():
    text = "stocks:\n  a: 0.5   # ASSUMPTION\n  b: 0.5   # ASSUMPTION, range 0-1\n"
    assert values_without_range(text) == [(2, "stocks.a")]


@pytest.mark.parametrize("name", NAMES)
def test_version_2_parameters_are_stated_explicitly(name):
    data = _data(name)
    for section, keys in VERSION_2.items():
        missing = keys - set(data.get(section) or {})
        assert not missing, f"{name}: {section} leaves {sorted(missing)} to the schema defaults"
    for line_id, line in data["red_lines"].items():
        assert {"enforcement", "audience_cost"} <= set(line), line_id


@pytest.mark.parametrize("name", NAMES)
def test_custom_actions_use_cameo_codes_of_the_codebook(name):
    from crisislab.scenario.codebooks import is_cameo_code

    scenario = load_scenario(name)
    assert all(is_cameo_code(a.cameo) for a in scenario.actions.values())


@pytest.mark.parametrize("name", NAMES)
def test_runs_and_every_run_has_one_outcome(name):
    result = simulate(name, runs=512, seed=3, days=120)
    summary = result.summary()
    assert summary["runs"] == 512 and summary["days"] == 120
    shares = [summary["outcomes"][k]["p"] for k in summary["outcomes"]]
    assert sum(shares) == pytest.approx(1.0)
    assert set(result.runs["outcome"].unique()) <= {"war", "stable_deescalation", "frozen_conflict"}


def test_the_engine_names_nothing_of_these_scenarios():
    pattern = re.compile(r"\b(" + "|".join(map(re.escape, SCENARIO_WORDS)) + r")\b")
    found = [
        f"{path.name}:{number}: {m.group(0)}"
        for path in rules._engine_sources()
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        for m in pattern.finditer(line)
    ]
    assert not found, "scenario specifics in the engine:\n" + "\n".join(found)
