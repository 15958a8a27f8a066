"""The russia-turkey-2015 built-in: a crisis of a different shape (two states, a Turkey-backed
group that Turkey does not command, NATO in the background, no host, maritime or nuclear front).

It loads, names its actors as documented, runs, and gives every default a basis in its comment:
a source (a dated event, a publication, the model reference) or the word ASSUMPTION. No exact
outcome is asserted: the engine's decisions are still being calibrated."""

from __future__ import annotations

import re
from importlib.resources import files

import pytest

from crisislab.scenario.loader import builtin_names, load_scenario
from crisislab.scenario.schema import Coalition, Faction, Leadership, Proxy
from crisislab.simulate import simulate

NAME = "russia-turkey-2015"
TEXT = (files("crisislab.scenario") / "builtin" / f"{NAME}.yaml").read_text(encoding="utf-8")

# The parameter sections and the keys that name or point rather than quantify, as in the rule
# of test_builtin_scenarios.py.
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
    "resolve",
    "logit",
    "outcomes",
    "fronts",
}
NAMING = {
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
# A basis: the word ASSUMPTION, a lever, a dated source, a named work, or the model reference.
BASIS = re.compile(
    r"ASSUMPTION|lever|\b(19|20)\d\d\b|MODEL\.md|docs/model\.md"
    r"|model reference|model default|Fearon"
)
KEY = re.compile(r"^(?P<dash>-\s+)?(?P<key>[A-Za-z_][\w.-]*)\s*:(?:\s+(?P<value>.*))?$")


def _split(line: str) -> tuple[str, str]:
    """(content, comment) of a YAML line; '#' inside quotes is not a comment."""
    quote = None
    for i, ch in enumerate(line):
        if quote:
            quote = None if ch == quote else quote
        elif ch in "\"'":
            quote = ch
        elif ch == "#" and (i == 0 or line[i - 1] in " \t"):
            return line[:i].rstrip(), line[i + 1 :].strip()
    return line.rstrip(), ""


def value_lines(text: str) -> list[tuple[int, str, str]]:
    """(line number, dotted path, the comment that covers it) for every line of a parameter
    section that sets a value: its own comment, or else its immediate parent's."""
    found: list[tuple[int, str, str]] = []
    stack: list[tuple[int, str, str]] = []  # (indent, key, comment) of enclosing lines
    for number, raw in enumerate(text.splitlines(), start=1):
        content, comment = _split(raw)
        if not content.strip():
            continue
        indent = len(content) - len(content.lstrip(" "))
        body = content.strip()
        while (
            stack
            and stack[-1][0] >= indent
            and not (body.startswith("- ") and stack[-1][0] == indent and stack[-1][1] != "-")
        ):
            stack.pop()
        path = [key for _, key, _ in stack]
        parent_comment = stack[-1][2] if stack else ""
        match = KEY.match(body)
        if match is None:
            if body.startswith("- "):  # a list item such as a red-line condition
                if path and path[0] in SECTIONS:
                    found.append((number, ".".join([*path, "-"]), comment or parent_comment))
                stack.append((indent, "-", comment))
            continue
        key, value = match["key"], (match["value"] or "").strip()
        stack.append((indent, key, comment))
        full = [*path, key]
        if not value or full[0] not in SECTIONS or key in NAMING:
            continue
        if len(full) == 4 and full[0] == "actors" and full[2] == "actions":
            continue  # a leadership's move names a catalogue entry
        found.append((number, ".".join(full), comment or parent_comment))
    return found


@pytest.fixture(scope="module")
def scenario():
    return load_scenario(NAME)


def test_it_is_a_builtin_named_after_its_file(scenario):
    assert NAME in builtin_names()
    assert scenario.name == NAME


def test_russia_defends_and_turkey_challenges_after_its_warned_shoot_down(scenario):
    assert (scenario.dyad.defender, scenario.dyad.challenger) == ("RUS", "TUR")
    event = scenario.initial_event
    assert (event.actor, event.action, event.warned, event.deaths) == (
        "TUR",
        "border_air_engagement",
        True,
        0,
    )
    assert scenario.start_date.isoformat() == "2015-11-24"


def test_actors_have_the_documented_roles(scenario):
    actors = scenario.actors
    assert isinstance(actors["RUS"], Leadership) and isinstance(actors["TUR"], Leadership)
    assert isinstance(actors["TKM"], Proxy) and actors["TKM"].principal == "TUR"
    assert actors["TKM"].control < 0.5  # backed by Turkey, not commanded by it
    assert isinstance(actors["TUR_AF"], Faction) and isinstance(actors["RUS_AD"], Faction)
    assert isinstance(actors["NATO"], Coalition)
    assert not any(a.role == "host" for a in actors.values())


def test_no_host_maritime_or_nuclear_front(scenario):
    fronts = scenario.fronts
    assert fronts.host.actor is None
    assert fronts.maritime.actor is None
    assert fronts.nuclear.enabled is False


def test_every_red_line_response_has_an_action(scenario):
    for line in scenario.red_lines.values():
        owner = scenario.actors[line.owner]
        assert getattr(owner.actions, line.response) is not None, line


def test_the_parser_finds_the_value_lines_and_their_comments():
    text = (
        "actors:\n"
        "  A:\n"
        "    role: leadership\n"
        "    prior_trust: 0.3   # ASSUMPTION\n"
        "    assumed_control:   # Putin, 24 Nov 2015\n"
        "      B: 0.6\n"
        "    actions:\n"
        "      retaliate: x\n"
        "red_lines:\n"
        "  r:\n"
        "    when:\n"
        "      - {field: p_ordered, op: '>=', value: 0.7}   # tau: lever\n"
        "      - {field: perceived_rung, op: '>=', value: 9}\n"
    )
    assert value_lines(text) == [
        (4, "actors.A.prior_trust", "ASSUMPTION"),
        (6, "actors.A.assumed_control.B", "Putin, 24 Nov 2015"),
        (12, "red_lines.r.when.-", "tau: lever"),
        (13, "red_lines.r.when.-", ""),
    ]


def test_every_default_carries_a_basis_in_its_comment():
    lines = value_lines(TEXT)
    assert len(lines) > 100  # the parser saw the file
    missing = [(n, path, c) for n, path, c in lines if not BASIS.search(c)]
    listing = "\n".join(f"  line {n}: {path}  # {c}" for n, path, c in missing)
    assert not missing, f"values without a source or ASSUMPTION:\n{listing}"


def test_the_choice_of_defender_and_the_shoot_down_are_documented_in_the_file():
    assert "Why Russia is the defender and Turkey the challenger" in TEXT
    assert "24 Nov 2015" in TEXT and "timeline russia-turkey-2015-2016" in TEXT


def test_it_runs_a_few_hundred_runs():
    result = simulate(NAME, runs=300, seed=11, days=180)
    summary = result.summary()
    assert summary["runs"] == 300 and summary["days"] == 180
    shares = [v["p"] for v in summary["outcomes"].values()]
    assert sum(shares) == pytest.approx(1.0)
    assert all(0.0 <= p <= 1.0 for p in shares)
