"""The scenario-format reference is tested like code.

- Every ```yaml block is a complete scenario: it validates and simulates 256 runs for 60 days.
- Every ```yaml invalid block fails validation with ScenarioError; when a ```text block of
  `error: ...` lines follows it, those are exactly the messages the loader gives.
- Every ```yaml fragment block parses as a YAML mapping.
- The page names every field of the schema and every entry of the default catalogue, so the
  reference cannot silently fall behind the schema.
"""

from __future__ import annotations

import re
import types
import typing
from pathlib import Path

import pytest
from pydantic import BaseModel
from ruamel.yaml import YAML

from crisislab.scenario.loader import ScenarioError, parse_yaml, validate
from crisislab.scenario.schema import Scenario, default_catalogue
from crisislab.simulate import simulate

DOC = Path(__file__).resolve().parents[2] / "docs" / "scenario-format.md"
FENCE = re.compile(r"^```([^\n`]*)\n(.*?)^```[ \t]*$", re.S | re.M)
YAML_KINDS = {"yaml", "yaml invalid", "yaml fragment"}


def _blocks() -> list[tuple[str, str, int]]:
    """(info string, body, line number of the opening fence) of every fenced block, in order."""
    text = DOC.read_text(encoding="utf-8")
    return [
        (m.group(1).strip(), m.group(2), text.count("\n", 0, m.start()) + 1)
        for m in FENCE.finditer(text)
    ]


def _of_kind(kind: str) -> list[pytest.param]:
    return [pytest.param(body, id=f"line{line}") for info, body, line in _blocks() if info == kind]


def _expected_errors(line: int) -> list[str] | None:
    """The `error:` lines of the ```text block right after the block at `line`, if any."""
    blocks = _blocks()
    for i, (_, _, at) in enumerate(blocks):
        if at == line and i + 1 < len(blocks) and blocks[i + 1][0] == "text":
            lines = blocks[i + 1][1].splitlines()
            if lines and all(x.startswith("error: ") for x in lines):
                return [x.removeprefix("error: ") for x in lines]
    return None


def test_reference_page_exists_and_has_examples_of_every_kind():
    kinds = [info for info, _, _ in _blocks()]
    assert kinds.count("yaml") >= 2
    assert kinds.count("yaml invalid") >= 1


def test_every_yaml_like_block_declares_a_known_kind():
    odd = [
        (line, info)
        for info, _, line in _blocks()
        if info.split(" ")[0] in ("yaml", "yml") and info not in YAML_KINDS
    ]
    assert not odd, f"unknown yaml block kinds (use one of {sorted(YAML_KINDS)}): {odd}"


@pytest.mark.parametrize("body", _of_kind("yaml"))
def test_yaml_example_validates_and_simulates(body):
    data, positions = parse_yaml("example.yaml", body)
    scenario = validate("example.yaml", data, positions)
    result = simulate(scenario, runs=256, seed=3, days=60)
    summary = result.summary()
    assert summary["runs"] == 256
    assert summary["days"] == 60
    assert sum(v["p"] for v in summary["outcomes"].values()) == pytest.approx(1.0)


def test_an_example_adds_a_custom_action_and_red_lines():
    catalogue = set(default_catalogue())
    found = False
    for info, body, _ in _blocks():
        if info != "yaml":
            continue
        data, positions = parse_yaml("example.yaml", body)
        scenario = validate("example.yaml", data, positions)
        custom = set(data.get("actions", {})) - catalogue
        if custom and scenario.red_lines:
            found = True
    assert found


@pytest.mark.parametrize("body", _of_kind("yaml invalid"))
def test_yaml_invalid_example_is_refused_with_the_documented_messages(body):
    line = next(at for info, b, at in _blocks() if info == "yaml invalid" and b == body)
    expected = _expected_errors(line)
    label = expected[0].split(":", 1)[0] if expected else "invalid.yaml"
    with pytest.raises(ScenarioError) as caught:
        data, positions = parse_yaml(label, body)
        validate(label, data, positions)
    if expected is not None:
        assert [str(p) for p in caught.value.problems] == expected


@pytest.mark.parametrize("body", _of_kind("yaml fragment"))
def test_yaml_fragment_parses_as_a_mapping(body):
    assert isinstance(YAML(typ="safe", pure=True).load(body), dict)


# --- the page covers the schema ---------------------------------------------------------------


def _models(annotation: object) -> list[type[BaseModel]]:
    """Pydantic models reachable from a type annotation (through unions, lists, dicts)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    found: list[type[BaseModel]] = []
    if typing.get_origin(annotation) is not None or isinstance(annotation, types.UnionType):
        for arg in typing.get_args(annotation):
            found.extend(_models(arg))
    return found


def _schema_field_names() -> dict[str, str]:
    """Every field name of every model reachable from Scenario -> the model that has it."""
    names: dict[str, str] = {}
    todo: list[type[BaseModel]] = [Scenario]
    seen: set[type[BaseModel]] = set()
    while todo:
        model = todo.pop()
        if model in seen:
            continue
        seen.add(model)
        for name, info in model.model_fields.items():
            names.setdefault(name, model.__name__)
            todo.extend(_models(info.annotation))
            for meta in info.metadata:
                todo.extend(_models(meta))
    return names


def test_schema_walk_reaches_nested_models():
    names = _schema_field_names()
    for nested in (
        "p_kill",
        "campaign_mean_days",
        "strike_proxy",
        "posture",
        "breakout_months",
        "op",
    ):
        assert nested in names


def test_reference_names_every_schema_field():
    text = DOC.read_text(encoding="utf-8")
    missing = {
        name: model
        for name, model in _schema_field_names().items()
        if f"`{name}`" not in text and f"`{name}:" not in text
    }
    assert not missing, f"fields missing from {DOC.name}: {missing}"


def test_reference_lists_every_default_catalogue_action():
    text = DOC.read_text(encoding="utf-8")
    missing = [aid for aid in default_catalogue() if f"`{aid}`" not in text]
    assert not missing
