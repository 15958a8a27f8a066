"""Loading scenarios from YAML with errors that point at the file, line, column and field.

The loader reads with a safe round-trip parser that remembers where every key and item sits, so a
validation error on `actors.KH.control` is reported at the line where `control:` is written.
Every YAML file crisislab reads (scenarios, timelines' metadata, studies, `--set` values) goes
through `parse_yaml` or `load_bounded`, which bound the nesting depth and the number of nodes, with
aliases counted as they will be expanded, while the file is parsed and before anything is built
from it: a small hostile file ("billion laughs") is refused at the line of the offending alias.
"""

from __future__ import annotations

import copy
import functools
import math
import re
import sys
import threading
from collections.abc import Iterable, Iterator, Mapping
from importlib.resources import files
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.composer import Composer
from ruamel.yaml.constructor import RoundTripConstructor
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.events import (
    AliasEvent,
    CollectionEndEvent,
    CollectionStartEvent,
    Event,
    ScalarEvent,
)
from ruamel.yaml.parser import Parser, RoundTripParser

from crisislab.errors import BadInput, Problem, ScenarioError, StudyError, TimelineError
from crisislab.scenario.schema import VERSION_1_FIELDS, Scenario, cross_reference_errors
from crisislab.scenario.uncertain import PRIOR_KINDS

__all__ = [
    "MAX_YAML_DEPTH",
    "MAX_YAML_NODES",
    "Problem",
    "ScenarioError",
    "load_scenario",
    "parse_yaml",
    "resolve_path",
    "uncertain_errors",
    "with_overrides",
]

MAX_FILE_BYTES = 2_000_000
#: Nodes (mappings, sequences, scalars) of one YAML file, counting each alias as the nodes it
#: expands to. The built-in scenarios have about 600; parsing 50,000 takes a few seconds.
MAX_YAML_NODES = 50_000
#: Levels of nesting of one YAML file, also through aliases. Scenarios, timelines and studies
#: need fewer than ten; 50 keeps the parser's and the converters' recursion far from Python's
#: limit.
MAX_YAML_DEPTH = 50
_KIND = {ScenarioError: "scenario", TimelineError: "timeline", StudyError: "study"}
# Explicit tags a file may use: those that only say what a plain value already is (`!!str 10`).
_PLAIN_TAGS = {"!"} | {
    f"tag:yaml.org,2002:{name}" for name in ("str", "int", "float", "bool", "null", "map", "seq")
}
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
    if path.is_dir():
        raise ScenarioError([Problem(ref, "", "is a folder; give a scenario's YAML file")])
    if not path.is_file():
        hint = "" if path.suffix else f" (built-in scenarios: {', '.join(builtin_names())})"
        raise ScenarioError([Problem(ref, "", f"no such built-in scenario or file{hint}")])
    _check_size(ref, path.stat().st_size)  # before reading: a huge file is never loaded
    return ref, decode_source(ref, path.read_bytes())


def _check_size(label: str, size: int, error: type[BadInput] = ScenarioError) -> None:
    if size > MAX_FILE_BYTES:
        raise error(
            [
                Problem(
                    label,
                    "",
                    f"file is {size / 1e6:.1f} MB; {_KIND.get(error, 'YAML')} files are limited "
                    f"to {MAX_FILE_BYTES / 1e6:.0f} MB",
                )
            ]
        )


def decode_source(label: str, raw: bytes, error: type[BadInput] = ScenarioError) -> str:
    """The text of a YAML file's bytes (a path or an upload), refusing what is too large, binary
    or not UTF-8, with the same messages for both; `error` is the class raised (the kind of
    file: a scenario by default)."""
    _check_size(label, len(raw), error)
    if b"\x00" in raw:
        kind = _KIND.get(error, "file")
        raise error([Problem(label, "", f"this is a binary file, not a YAML {kind}")])
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise error(
            [Problem(label, "", f"not UTF-8 text (undecodable byte at offset {exc.start})")]
        ) from None


# --- bounded YAML -----------------------------------------------------------------------------


class YAMLRefused(YAMLError):
    """A YAML document refused while it is parsed: beyond MAX_YAML_NODES or MAX_YAML_DEPTH, an
    alias inside what it names, or an explicit tag other than the plain ones; `mark` is where."""

    def __init__(self, message: str, mark: Any):
        super().__init__(message)
        self.message = message
        self.mark = mark


class _Budget:
    """Checks a document event by event: its nodes and depth as they will be once aliases are
    expanded (each anchor remembers the size and height of what it names), and its tags."""

    def __init__(self) -> None:
        self.total = 0
        self.open: list[list[Any]] = []  # per open collection: [nodes, height, anchor]
        self.anchors: dict[str, tuple[int, int]] = {}  # anchor -> (nodes, height)

    def account(self, event: Event) -> None:
        tag = getattr(event, "tag", None)
        if tag is not None and tag not in _PLAIN_TAGS:
            shown = tag.replace("tag:yaml.org,2002:", "!!")
            raise YAMLRefused(
                f"the tag {shown} is not accepted: write a plain value", event.start_mark
            )
        if isinstance(event, CollectionStartEvent):
            self._add(1, event)
            if len(self.open) + 1 > MAX_YAML_DEPTH:
                raise YAMLRefused(
                    f"nested more than {MAX_YAML_DEPTH} levels deep (the limit)", event.start_mark
                )
            self.open.append([1, 1, event.anchor])
        elif isinstance(event, CollectionEndEvent):
            nodes, height, anchor = self.open.pop()
            if anchor is not None:
                self.anchors[anchor] = (nodes, height)
            self._nest(nodes, height)
        elif isinstance(event, ScalarEvent):
            self._add(1, event)
            if event.anchor is not None:
                self.anchors[event.anchor] = (1, 0)
            self._nest(1, 0)
        elif isinstance(event, AliasEvent):
            name = event.anchor
            if any(entry[2] == name for entry in self.open):
                raise YAMLRefused(
                    f"alias *{name} refers to a collection that contains it", event.start_mark
                )
            nodes, height = self.anchors.get(name, (1, 0))  # undefined: the composer says so
            if len(self.open) + height > MAX_YAML_DEPTH:
                raise YAMLRefused(
                    f"alias *{name} nests the document more than {MAX_YAML_DEPTH} levels deep "
                    "(the limit)",
                    event.start_mark,
                )
            self._add(nodes, event, alias=name)
            self._nest(nodes, height)

    def _nest(self, nodes: int, height: int) -> None:
        if self.open:
            parent = self.open[-1]
            parent[0] += nodes
            parent[1] = max(parent[1], height + 1)

    def _add(self, nodes: int, event: Event, alias: str | None = None) -> None:
        self.total += nodes
        if self.total <= MAX_YAML_NODES:
            return
        if alias is not None:
            message = (
                f"alias *{alias} expands to {nodes:,} nodes, taking the document beyond "
                f"{MAX_YAML_NODES:,} nodes (the limit, which counts aliases as expanded)"
            )
        else:
            message = f"the document has more than {MAX_YAML_NODES:,} nodes (the limit)"
        raise YAMLRefused(message, event.start_mark)


class _BoundedParser(Parser):
    """ruamel.yaml's parser, accounting every event in a `_Budget` as it is produced, so the
    composer never builds (nor recurses into) more than the limits allow."""

    budget: _Budget

    def reset_parser(self) -> None:
        super().reset_parser()
        self.budget = _Budget()

    def _fill(self) -> None:
        if self.current_event is None and self.state:
            self.current_event = self.state()
            if self.current_event is not None:
                self.budget.account(self.current_event)

    def check_event(self, *choices: Any) -> bool:
        self._fill()
        return super().check_event(*choices)

    def peek_event(self) -> Any:
        self._fill()
        return super().peek_event()

    def get_event(self) -> Any:
        self._fill()
        return super().get_event()


class _BoundedRoundTripParser(_BoundedParser, RoundTripParser):
    """ruamel's round-trip parser (it keeps positions) with the bounds of _BoundedParser."""


class _RoundTripConstructor(RoundTripConstructor):
    """Round-trip construction, leaving an impossible date (2030-02-30) as its text so the
    schema refuses it at its field and line, rather than the parse failing without either."""

    def construct_yaml_timestamp(self, node: Any, values: Any = None) -> Any:
        try:
            return super().construct_yaml_timestamp(node, values)
        except ValueError:
            return str(node.value)


_RoundTripConstructor.add_constructor(
    "tag:yaml.org,2002:timestamp", _RoundTripConstructor.construct_yaml_timestamp
)


class _Composer(Composer):
    """ruamel.yaml's composer, quiet about an anchor defined again (valid YAML: the later one
    counts), which it would otherwise print as a multi-line warning."""

    def __init__(self, loader: Any = None):
        super().__init__(loader)
        self.warn_double_anchors = False


def _bounded_yaml(typ: str) -> YAML:
    yaml = YAML(typ=typ, pure=True)
    yaml.Composer = _Composer
    if typ == "rt":
        yaml.Parser = _BoundedRoundTripParser
        yaml.Constructor = _RoundTripConstructor
    else:
        yaml.Parser = _BoundedParser
    return yaml


def load_bounded(text: str) -> Any:
    """Load YAML text with the safe loader and the limits of `parse_yaml` (for short texts such as
    `--set` values); raises YAMLRefused beyond them, or what ruamel.yaml raises for bad text."""
    return _bounded_yaml("safe").load(text)


def parse_yaml(
    label: str, text: str, error: type[BadInput] = ScenarioError
) -> tuple[Any, dict[Path_, tuple[int, int]]]:
    """Parse YAML safely within MAX_YAML_NODES and MAX_YAML_DEPTH; return plain data and a map
    from each path to its (line, column). Problems raise `error` (the kind of file)."""
    try:
        node = _bounded_yaml("rt").load(text)
    except YAMLRefused as exc:
        mark = exc.mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (None, None)
        raise error([Problem(label, "", exc.message, line, col)]) from None
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        message = " ".join(filter(None, [exc.context, exc.problem])) or "malformed YAML"
        line, col = (mark.line + 1, mark.column + 1) if mark else (None, None)
        raise error([Problem(label, "", f"malformed YAML: {message}", line, col)]) from None
    except MemoryError:
        raise
    except Exception as exc:  # ruamel.yaml fails in many ways on odd input; all are the file's
        raise error([Problem(label, "", f"malformed YAML: {exc}")]) from None
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
        if i == 2 and parts[:1] == ["uncertain"] and item in PRIOR_KINDS:
            continue  # the tag of a prior, as the role of an actor
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


def validate(
    label: str,
    data: Any,
    positions: Mapping[Path_, tuple[int, int]],
    *,
    check_uncertain: bool = True,
) -> Scenario:
    """Validate plain data as a scenario; raise ScenarioError listing every problem.

    The second pass checks references and, unless `check_uncertain` is false, the `uncertain:`
    section against the scenario (see `uncertain_errors`)."""
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
    if check_uncertain:
        problems += [
            _problem(label, ("uncertain", path), msg, positions)
            for path, msg in uncertain_errors(scenario)
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
    return [int(p) if p.isascii() and p.isdigit() else p for p in path.split(".")]


def _message(err: Mapping[str, Any]) -> str:
    msg = str(err["msg"]).removeprefix("Value error, ")
    if err["type"] == "extra_forbidden":
        leaf = str(err["loc"][-1]) if err["loc"] else ""
        if leaf in VERSION_1_FIELDS:
            return VERSION_1_FIELDS[leaf]
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
        value = load_bounded(raw) if raw.strip() else ""
    except YAMLRefused as exc:
        raise ScenarioError([Problem("--set", path, exc.message)]) from None
    except MemoryError:
        raise
    except Exception:  # not YAML (or an impossible date): the text as it is
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
    _, reason = _resolve(tree, parts)
    return not reason, reason


def resolve_path(tree: Any, path: str) -> tuple[Any, str]:
    """The single value at a dotted path of a complete scenario dump (`model_dump()`), as `--set`
    resolves it: (value, "") where it exists, else (None, why not)."""
    return _resolve(tree, _split(path))


def _resolve(tree: Any, parts: list[str | int]) -> tuple[Any, str]:
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
            return None, f"{here} has no field {part!r}{hint}"
    if isinstance(node, dict | list):
        return None, "this path names a section, not a single value"
    return node, ""


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
        # the `uncertain:` section was checked with the scenario it came with: an override may
        # set a value outside a prior (a sensitivity study), and a draw is within it anyway
        return validate(label, data, {}, check_uncertain=False)
    except ScenarioError as exc:
        raise ScenarioError(
            Problem("--set", p.path, p.message) if p.path in overrides else p for p in exc.problems
        ) from None


# --- uncertain parameters ---------------------------------------------------------------------


#: Findings of `uncertain_errors` by the scenario's JSON: each end of each prior costs a
#: validation, and a process loads the same scenario many times (each simulate() call).
_UNCERTAIN_CHECKED: dict[str, tuple[tuple[str, str], ...]] = {}
_UNCERTAIN_LOCK = threading.Lock()


def uncertain_errors(scenario: Scenario) -> list[tuple[str, str]]:
    """(parameter path, message) for each entry of `scenario.uncertain` that does not name a
    numeric parameter, whose prior does not contain the scenario's value of that parameter, or
    whose support reaches a value the parameter refuses. Each end of the support is tried as an
    override, with every other parameter at its value; an integer parameter gets the end rounded,
    as a draw is, and an unbounded normal's ends are the largest finite numbers."""
    if not scenario.uncertain:
        return []
    key = scenario.model_dump_json()
    with _UNCERTAIN_LOCK:
        found = _UNCERTAIN_CHECKED.get(key)
    if found is None:
        found = tuple(_uncertain_errors(scenario))
        with _UNCERTAIN_LOCK:
            if len(_UNCERTAIN_CHECKED) >= 32:
                _UNCERTAIN_CHECKED.pop(next(iter(_UNCERTAIN_CHECKED)))
            _UNCERTAIN_CHECKED[key] = found
    return list(found)


def _uncertain_errors(scenario: Scenario) -> Iterator[tuple[str, str]]:
    reference = scenario.model_dump(mode="python")
    known = set(cross_reference_errors(scenario))  # not blamed on a prior
    seen: dict[tuple[str | int, ...], str] = {}
    for path, prior in scenario.uncertain.items():
        parts = _split(path)
        value, reason = _resolve(reference, parts)
        if reason:
            yield path, f"not a parameter: {reason}"
            continue
        if isinstance(value, bool) or not isinstance(value, int | float):
            yield path, f"not a numeric parameter: its value is {value!r}"
            continue
        if tuple(parts) in seen:
            yield path, f"the same parameter as uncertain.{seen[tuple(parts)]}"
            continue
        seen[tuple(parts)] = path
        low, high = prior.support()
        if not low <= value <= high:
            yield (
                path,
                f"the scenario's value {value!r} lies outside {prior.describe()}: "
                "the prior must include it",
            )
        integer = isinstance(value, int)
        for end in (low, high):
            refused = _refusal(scenario, reference, known, path, end, integer)
            if refused:
                yield path, _beyond(path, prior.describe(), end, integer, refused)


def _refusal(
    scenario: Scenario,
    reference: dict,
    known: set[tuple[str, str]],
    path: str,
    end: float,
    integer: bool,
) -> list[tuple[str, str]]:
    """(path, message) of each problem of the scenario with `path` set to `end` (rounded for an
    integer parameter, the largest finite number for an infinite end)."""
    if math.isinf(end):
        end = math.copysign(sys.float_info.max, end)
    value: float = round(end) if integer else end
    data = scenario.model_dump(mode="python", exclude={"uncertain"})  # checked already
    data = _set_paths(scenario.name, data, reference, {path: value})
    try:
        trial = Scenario.model_validate(data, context={"defer_references": True})
    except ValidationError as exc:
        return [(p.path, p.message) for p in validation_problems(scenario.name, exc, {})]
    return [problem for problem in cross_reference_errors(trial) if problem not in known]


def _beyond(
    path: str, described: str, end: float, integer: bool, refused: list[tuple[str, str]]
) -> str:
    """The message for a support that reaches a value the parameter at `path` refuses."""
    reasons = "; ".join(
        message if where == path else f"{where}: {message}" for where, message in refused
    )
    if math.isinf(end):
        reasons = re.sub(r" \(got [^)]*\)", "", reasons)  # the stand-in for infinity
        side = "below" if end < 0 else "above"
        return (
            f"{described} is unbounded {side}, which the parameter refuses ({reasons}): give bounds"
        )
    shown = f"{end:g}" + (f" ({round(end)} as an integer)" if integer and end != round(end) else "")
    return f"{described} reaches {shown}, which the parameter refuses: {reasons}"


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
