"""Loading scenarios from YAML with errors that point at the file, line, column and field.

The loader reads with a safe round-trip parser that remembers where every key and item sits, so a
validation error on `actors.KH.control` is reported at the line where `control:` is written.
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Iterable, Mapping
from importlib.resources import files
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from crisislab.errors import Problem, ScenarioError
from crisislab.scenario.schema import Scenario, cross_reference_errors

__all__ = ["Problem", "ScenarioError", "load_scenario", "with_overrides"]

MAX_FILE_BYTES = 2_000_000
ROLES = {"leadership", "faction", "proxy", "host", "coalition"}
Path_ = tuple[str | int, ...]


# --- built-ins --------------------------------------------------------------------------------


def builtin_names() -> list[str]:
    """Names of the scenarios shipped with crisislab."""
    folder = files("crisislab.scenario") / "builtin"
    return sorted(
        p.name.removesuffix(".yaml") for p in folder.iterdir() if p.name.endswith(".yaml")
    )


def _builtin_text(name: str) -> str:
    return (files("crisislab.scenario") / "builtin" / f"{name}.yaml").read_text(encoding="utf-8")


# --- reading ----------------------------------------------------------------------------------


def read_source(name_or_path: str | Path) -> tuple[str, str]:
    """Return (label, text) for a built-in name or a file path, refusing what is not a scenario."""
    ref = str(name_or_path)
    if ref in builtin_names():
        return ref, _builtin_text(ref)
    path = Path(ref)
    if not path.is_file():
        hint = "" if path.suffix else f" (built-in scenarios: {', '.join(builtin_names())})"
        raise ScenarioError([Problem(ref, "", f"no such built-in scenario or file{hint}")])
    _check_size(ref, path.stat().st_size)  # before reading: a huge file is never loaded
    return ref, decode_source(ref, path.read_bytes())


def _check_size(label: str, size: int) -> None:
    if size > MAX_FILE_BYTES:
        raise ScenarioError(
            [
                Problem(
                    label,
                    "",
                    f"file is {size / 1e6:.1f} MB; scenario files are limited to "
                    f"{MAX_FILE_BYTES / 1e6:.0f} MB",
                )
            ]
        )


def decode_source(label: str, raw: bytes) -> str:
    """The text of a scenario file's bytes (a path or an upload), refusing what is too large,
    binary or not UTF-8, with the same messages for both."""
    _check_size(label, len(raw))
    if b"\x00" in raw:
        raise ScenarioError([Problem(label, "", "this is a binary file, not a YAML scenario")])
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ScenarioError(
            [Problem(label, "", f"not UTF-8 text (undecodable byte at offset {exc.start})")]
        ) from None


def parse_yaml(label: str, text: str) -> tuple[Any, dict[Path_, tuple[int, int]]]:
    """Parse YAML safely; return plain data and a map from each path to its (line, column)."""
    yaml = YAML(typ="rt", pure=True)
    try:
        node = yaml.load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        message = " ".join(filter(None, [exc.context, exc.problem])) or "malformed YAML"
        line, col = (mark.line + 1, mark.column + 1) if mark else (None, None)
        raise ScenarioError([Problem(label, "", f"malformed YAML: {message}", line, col)]) from None
    except (YAMLError, ValueError, RecursionError) as exc:
        raise ScenarioError([Problem(label, "", f"malformed YAML: {exc}")]) from None
    positions: dict[Path_, tuple[int, int]] = {}
    return _to_plain(node, (), positions), positions


def _remember(positions: dict[Path_, tuple[int, int]], path: Path_, where: Any) -> None:
    if isinstance(where, tuple | list) and len(where) >= 2:
        positions[path] = (int(where[0]) + 1, int(where[1]) + 1)


def _to_plain(node: Any, path: Path_, positions: dict[Path_, tuple[int, int]]) -> Any:
    if isinstance(node, CommentedMap):
        out = {}
        for key, value in node.items():
            _remember(positions, (*path, str(key)), node.lc.key(key))
            out[str(key)] = _to_plain(value, (*path, str(key)), positions)
        return out
    if isinstance(node, CommentedSeq):
        items = []
        for i, value in enumerate(node):
            _remember(positions, (*path, i), node.lc.item(i))
            items.append(_to_plain(value, (*path, i), positions))
        return items
    if isinstance(node, str):
        return str(node)
    if isinstance(node, bool):
        return bool(node)
    if isinstance(node, int):
        return int(node)
    if isinstance(node, float):
        return float(node)
    return node


# --- validation -------------------------------------------------------------------------------


def _dotted(loc: Iterable[str | int]) -> Path_:
    """Turn a pydantic error location into a scenario path (dropping union tags such as 'proxy')."""
    parts: list[str | int] = []
    for i, item in enumerate(loc):
        if i == 2 and parts[:1] == ["actors"] and item in ROLES:
            continue
        if isinstance(item, str) and ("[" in item or item.startswith("function-")):
            continue
        parts.append(item)
    return tuple(parts)


def _locate(path: Path_, positions: Mapping[Path_, tuple[int, int]]) -> tuple[int, int] | None:
    for n in range(len(path), -1, -1):
        key = tuple(str(p) if not isinstance(p, int) else p for p in path[:n])
        if key in positions:
            return positions[key]
    return None


def _problem(label: str, path: Path_, message: str, positions: Mapping) -> Problem:
    where = _locate(path, positions)
    dotted = ".".join(str(p) for p in path)
    return Problem(label, dotted, message, *(where or (None, None)))


def validate(label: str, data: Any, positions: Mapping[Path_, tuple[int, int]]) -> Scenario:
    """Validate plain data as a scenario; raise ScenarioError listing every problem."""
    if not isinstance(data, dict):
        kind = "empty" if data is None else f"a {type(data).__name__}"
        raise ScenarioError([Problem(label, "", f"a scenario must be a YAML mapping, got {kind}")])
    try:
        scenario = Scenario.model_validate(data, context={"defer_references": True})
    except ValidationError as exc:
        raise ScenarioError(validation_problems(label, exc, positions)) from None
    problems = [
        _problem(label, tuple(_split(path)), msg, positions)
        for path, msg in cross_reference_errors(scenario)
    ]
    if problems:
        raise ScenarioError(problems)
    return scenario


def validation_problems(
    label: str, exc: ValidationError, positions: Mapping[Path_, tuple[int, int]]
) -> list[Problem]:
    """Each pydantic error as a Problem at the line and column of the field it names."""
    return [
        _problem(label, _dotted(err["loc"]), _message(err), positions)
        for err in exc.errors(include_url=False)
    ]


def _split(path: str) -> list[str | int]:
    return [int(p) if p.isdigit() else p for p in path.split(".")]


def _message(err: Mapping[str, Any]) -> str:
    msg = str(err["msg"]).removeprefix("Value error, ")
    if err["type"] == "extra_forbidden":
        return "unknown field (check the spelling; see the scenario format reference)"
    if err["type"] == "missing":
        return "required field is missing"
    if "input" in err and err["type"] not in ("model_type", "dict_type"):
        shown = repr(err["input"])
        if len(shown) <= 60:
            msg += f" (got {shown})"
    return msg


# --- overrides --------------------------------------------------------------------------------


def parse_override(text: str) -> tuple[str, Any]:
    """Split 'PATH=VALUE'; the value is read as a YAML scalar (0.5, true, restraint)."""
    if "=" not in text:
        raise ScenarioError([Problem("--set", "", f"expected PATH=VALUE, got {text!r}")])
    path, raw = text.split("=", 1)
    path = path.strip()
    try:
        value = YAML(typ="safe", pure=True).load(raw) if raw.strip() else ""
    except YAMLError:
        value = raw
    if isinstance(value, dict | list):
        raise ScenarioError([Problem("--set", path, f"value must be a single value, got {raw!r}")])
    return path, value


def apply_overrides(label: str, data: dict, overrides: Mapping[str, Any]) -> dict:
    """Return a copy of raw scenario data with each dotted path set; unknown paths are errors."""
    if not overrides:
        return data
    reference = Scenario.model_validate(data, context={"defer_references": True}).model_dump(
        mode="python"
    )
    return _set_paths(label, copy.deepcopy(data), reference, overrides)


def _set_paths(label: str, out: dict, reference: dict, overrides: Mapping[str, Any]) -> dict:
    """Set each dotted path in `out`; `reference` is the complete scenario, every default filled
    in, that says which paths exist (`out` may leave sections to defaults)."""
    problems = []
    for dotted, value in overrides.items():
        parts = _split(dotted)
        known, reason = _path_exists(reference, parts)
        if not known:
            problems.append(Problem("--set", dotted, f"unknown override path: {reason}"))
            continue
        node, known_node = out, reference
        for part in parts[:-1]:
            key: str | int = int(part) if isinstance(node, list) else str(part)
            known_node = known_node[key]
            if isinstance(node, dict) and key not in node:
                # a section the file leaves to defaults: start from the full default entry
                node[key] = copy.deepcopy(known_node)
            node = node[key]
        if isinstance(node, list):
            node[int(parts[-1])] = value
        else:
            node[str(parts[-1])] = value
    if problems:
        raise ScenarioError(problems)
    return out


def _path_exists(tree: Any, parts: list[str | int]) -> tuple[bool, str]:
    node = tree
    for depth, part in enumerate(parts):
        here = ".".join(str(p) for p in parts[:depth]) or "the scenario"
        if isinstance(node, dict) and str(part) in node:
            node = node[str(part)]
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            node = node[part]
        else:
            options = ", ".join(map(str, node)) if isinstance(node, dict) else ""
            hint = f" (has: {options})" if options and len(options) < 300 else ""
            return False, f"{here} has no field {part!r}{hint}"
    if isinstance(node, dict | list):
        return False, "this path names a section, not a single value"
    return True, ""


def with_overrides(scenario: Scenario, overrides: Mapping[str, Any]) -> Scenario:
    """A copy of a validated scenario with dotted-path overrides applied and re-validated."""
    if not overrides:
        return scenario
    # A validated scenario's dump is already complete: it serves as the reference of known paths
    # as it is, and a second dump is the copy to change (a study pays this once per chunk).
    reference, data = scenario.model_dump(mode="python"), scenario.model_dump(mode="python")
    return _validated_or_blamed(
        scenario.name, _set_paths(scenario.name, data, reference, overrides), overrides
    )


def _validate_overridden(label: str, data: dict, overrides: Mapping[str, Any]) -> Scenario:
    return _validated_or_blamed(label, apply_overrides(label, data, overrides), overrides)


def _validated_or_blamed(label: str, data: dict, overrides: Mapping[str, Any]) -> Scenario:
    """Validate overridden data; a problem at an overridden path is blamed on the override."""
    try:
        return validate(label, data, {})
    except ScenarioError as exc:
        raise ScenarioError(
            Problem("--set", p.path, p.message) if p.path in overrides else p for p in exc.problems
        ) from None


@functools.lru_cache(maxsize=16)
def _parsed(label: str, text: str) -> tuple[Any, dict[Path_, tuple[int, int]]]:
    """parse_yaml, remembered by text: parsing is most of the cost of loading, and a process
    often loads the same scenario again (each simulate() call). Callers copy the data before
    changing it; the positions are only read."""
    return parse_yaml(label, text)


def load_scenario(name_or_path: str | Path, overrides: Mapping[str, Any] | None = None) -> Scenario:
    """Load a built-in scenario by name or a scenario file by path, with optional overrides."""
    label, text = read_source(name_or_path)
    data, positions = _parsed(label, text)
    data = copy.deepcopy(data)
    scenario = validate(label, data, positions)
    if overrides:
        scenario = _validate_overridden(label, data, overrides)
    return scenario
