"""Every built-in scenario loads, documents its defaults, uses real CAMEO codes, and runs.

The engine must stay generic: a crisis is a scenario file, never code. The last test checks that
no actor code or country name of a built-in scenario appears in the engine's source.

The comment rule (what "every default carries its basis" means for a test):

- It applies to the parameter sections: actors, initial_event, channel, perception, attribution,
  red_lines, doctrines, hazards, stocks, rhetoric, logit, outcomes and fronts.
- A *value line* is a line that sets a value: ``key: value`` with a scalar or a one-line flow
  collection (``{limited: 0.7, aggressive: 0.95}``), or a list item such as a red-line condition
  ``- {field: p_ordered, op: ">=", value: 0.7}``.
- Every value line must carry a ``#`` comment on the same line (its source, or ASSUMPTION), or
  inherit one from its *immediate* parent line, as in ``assumed_control:  # ...`` above
  ``KH: 0.6``. Inheritance stops there, so a comment on ``actors:`` excuses nothing below an
  actor.
- Exempt are keys that name or point rather than quantify: role, name, nationality, principal,
  owner, description, label, action, actor, the moves under a leadership's ``actions:`` (they name
  catalogue entries) and the hazards' ``*_actor`` / ``*_action`` references.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

import pytest

import crisislab
from crisislab.scenario.loader import builtin_names, load_scenario
from crisislab.simulate import simulate

SECTIONS = {
    "actors",
    "initial_event",
    "channel",
    "perception",
    "attribution",
    "red_lines",
    "doctrines",
    "hazards",
    "stocks",
    "rhetoric",
    "logit",
    "outcomes",
    "fronts",
}
EXEMPT_KEYS = {
    "role",
    "name",
    "nationality",
    "principal",
    "owner",
    "description",
    "label",
    "action",
    "actor",
    "accident_actor",
    "accident_action",
    "loss_of_control_actor",
    "loss_of_control_action",
}
KEY_LINE = re.compile(r"^(?P<dash>-\s+)?(?P<key>[A-Za-z_][\w.-]*|\"[^\"]*\"|'[^']*')\s*:(?:\s+|$)")
BLOCK_SCALAR = re.compile(r"^[>|][-+0-9]*$")

BUILTINS = builtin_names()


def _builtin_text(name: str) -> str:
    return (files("crisislab.scenario") / "builtin" / f"{name}.yaml").read_text(encoding="utf-8")


# --- the comment rule -------------------------------------------------------------------------


def _split_comment(line: str) -> tuple[str, str]:
    """Split a YAML line into (content, comment), ignoring '#' inside quotes."""
    quote = None
    for i, ch in enumerate(line):
        if quote:
            if ch == quote:
                quote = None
        elif ch in "\"'":
            quote = ch
        elif ch == "#" and (i == 0 or line[i - 1] in " \t"):
            return line[:i].rstrip(), line[i + 1 :].strip()
    return line.rstrip(), ""


@dataclass
class _Open:
    """An enclosing line: its indentation, its key path and whether it carries a comment."""

    indent: int
    path: tuple[str, ...]
    commented: bool


def undocumented_values(text: str) -> list[tuple[int, str]]:
    """(line number, dotted path) of every value line that breaks the comment rule."""
    problems: list[tuple[int, str]] = []
    stack: list[_Open] = []
    block_indent: int | None = None
    for number, raw in enumerate(text.splitlines(), start=1):
        content, comment = _split_comment(raw)
        if not content.strip():
            continue
        indent = len(content) - len(content.lstrip(" "))
        if block_indent is not None:
            if indent > block_indent:
                continue  # inside a folded or literal block scalar
            block_indent = None
        body = content.strip()
        if body.startswith("---"):
            continue
        is_item = body == "-" or body.startswith(("- ", "-\t"))
        while stack and (
            stack[-1].indent > indent
            # at equal indentation a list item stays under its key ("when:" then "- {...}")
            or (stack[-1].indent == indent and not (is_item and stack[-1].path[-1] != "-"))
        ):
            stack.pop()
        parent = stack[-1] if stack else None
        parent_path = parent.path if parent else ()
        match = KEY_LINE.match(body)
        if match is None:
            if is_item:  # a list item without a key, such as '- {field: ...}'
                item = body[1:].strip()
                path = (*parent_path, "-")
                if item:
                    _check(problems, number, path, comment, parent)
                stack.append(_Open(indent, path, bool(comment)))
            continue
        key = match["key"].strip("\"'")
        value = body[match.end() :].strip()
        if match["dash"]:  # '- key: value' opens a list item whose first key is on this line
            stack.append(_Open(indent, (*parent_path, "-"), bool(comment)))
            parent = stack[-1]
            parent_path = parent.path
            indent += len(match["dash"])
        path = (*parent_path, key)
        if BLOCK_SCALAR.match(value):
            block_indent = indent
            value = "(block)"
        if value:
            _check(problems, number, path, comment, parent)
        stack.append(_Open(indent, path, bool(comment)))
    return problems


def _check(
    problems: list[tuple[int, str]],
    number: int,
    path: tuple[str, ...],
    comment: str,
    parent: _Open | None,
) -> None:
    if not path or path[0] not in SECTIONS:
        return
    key = path[-1]
    if key in EXEMPT_KEYS:
        return
    if len(path) == 4 and path[0] == "actors" and path[2] == "actions":
        return  # a leadership's move -> catalogue entry reference
    if comment or (parent is not None and parent.commented):
        return
    problems.append((number, ".".join(path)))


def test_comment_rule_accepts_own_and_parent_comments_and_flags_the_rest():
    text = (
        "name: x  \n"
        "actors:\n"
        "  A:\n"
        "    role: leadership\n"
        "    control: 0.5          # ASSUMPTION\n"
        "    prior_trust: 0.3\n"
        "    assumed_control:      # ASSUMPTION, range 0.3-0.9\n"
        "      B: 0.6\n"
        "    actions:\n"
        "      strike_state: strike_on_state\n"
        "red_lines:\n"
        "  r:\n"
        "    description: >\n"
        "      folded text: with a colon\n"
        "    when:\n"
        "      - {field: p_ordered, op: '>=', value: 0.7}   # tau\n"
        "      - {field: perceived_rung, op: '>=', value: 9}\n"
        "stocks:   # ASSUMPTION\n"
        "  grievance_sensitivity: 0.5\n"
        "  nested:\n"
        "    deeper: 1\n"
    )
    assert undocumented_values(text) == [
        (6, "actors.A.prior_trust"),
        (17, "red_lines.r.when.-"),
        (21, "stocks.nested.deeper"),
    ]


def test_comment_rule_ignores_hash_inside_quotes():
    text = 'channel:\n  kind: "a # b"\n'
    assert undocumented_values(text) == [(2, "channel.kind")]


# --- the built-ins ----------------------------------------------------------------------------


def test_there_are_at_least_two_builtin_scenarios():
    assert {"us-iran-2020", "india-pakistan-2019"} <= set(BUILTINS)


@pytest.mark.parametrize("name", BUILTINS)
def test_builtin_scenario_loads_and_is_named_after_its_file(name):
    scenario = load_scenario(name)
    assert scenario.name == name


@pytest.mark.parametrize("name", BUILTINS)
def test_builtin_scenario_documents_every_default_with_a_comment(name):
    problems = undocumented_values(_builtin_text(name))
    listing = "\n".join(f"  line {line}: {path}" for line, path in problems)
    assert not problems, f"{name}.yaml: values without a basis comment:\n{listing}"


@pytest.mark.parametrize("name", BUILTINS)
def test_builtin_scenario_actions_use_cameo_codes_of_the_icews_codebook(name):
    text = (
        (files("crisislab.scenario") / "data" / "icews_pkg_cameo-codes.csv")
        .read_bytes()
        .decode("latin-1")
    )
    codes = {row["code"] for row in csv.DictReader(io.StringIO(text))}
    scenario = load_scenario(name)
    unknown = {aid: a.cameo for aid, a in scenario.actions.items() if a.cameo not in codes}
    assert not unknown


@pytest.mark.parametrize("name", BUILTINS)
def test_builtin_scenario_simulates_1024_runs_for_60_days(name):
    result = simulate(name, runs=1024, seed=7, days=60)
    summary = result.summary()
    assert summary["runs"] == 1024
    assert summary["days"] == 60
    shares = [summary["outcomes"][k]["p"] for k in summary["outcomes"]]
    assert sum(shares) == pytest.approx(1.0)


# --- the engine holds no scenario ---------------------------------------------------------------

SCENARIO_WORDS = [
    # us-iran-2020: actor codes and names
    "USA",
    "IRN",
    "KH",
    "IRGC",
    "PMF",
    "IRQ",
    "GCC",
    "Iran",
    "Iraq",
    "Soleimani",
    # india-pakistan-2019
    "IND",
    "PAK",
    "JEM",
    "LET",
    "India",
    "Pakistan",
    "Kashmir",
    # russia-turkey-2015
    "RUS",
    "TUR",
    "TKM",
    "Russia",
    "Turkey",
    "Turkmen",
]


def _engine_sources() -> list[Path]:
    package = Path(crisislab.__file__).parent
    return [*sorted((package / "engine").rglob("*.py")), package / "simulate.py"]


def test_engine_sources_exist():
    names = {p.name for p in _engine_sources()}
    assert {"simulate.py", "kernel.py", "batch.py", "params.py", "state.py"} <= names


def test_engine_source_names_no_actor_or_country_of_any_scenario():
    pattern = re.compile(r"\b(" + "|".join(map(re.escape, SCENARIO_WORDS)) + r")\b")
    found = []
    for path in _engine_sources():
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            for match in pattern.finditer(line):
                found.append(f"{path.name}:{number}: {match.group(0)}")
    assert not found, "scenario specifics in the engine:\n" + "\n".join(found)
