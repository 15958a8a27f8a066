"""Every class of bad input the CLI must handle: exit 2, one located message, nothing written.

Each row of CASES is (name, argv, files to create, expected substring of the message). The files
(text or bytes, by relative path) are written to an empty folder that is the working directory of
the run, so paths in argv and in the messages are short and relative. The expected substring
names the file and line (and the field where there is one). Add a row for each new class of bad
input.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from crisislab.cli import main
from memory_limits import memory_headroom

FIXTURES = Path(__file__).parent / "history" / "fixtures"

# A small valid scenario, timeline and study: the cases below change one thing each.
SCENARIO = """\
name: two
start_date: 2020-01-01
days: 30
dyad: {defender: AAA, challenger: BBB}
actors:
  AAA:
    role: leadership
    name: Defender
    nationality: AAA
    audience_cost: 1.0
    actions: {strike_state: strike_on_state}
  BBB:
    role: leadership
    name: Challenger
    nationality: BBB
    actions: {retaliate: missile_strike, message: conciliatory_message}
channel: {kind: hotline, noise: {none: 0.0, indirect: 0.0, hotline: 0.0}}
"""
TIMELINE = """\
name: two-2020
period: {start: 2020-01-01, end: 2020-01-31}
scenario: two.yaml
events: events.csv
format: auto
actor_aliases: {AAA: AAA, BBB: BBB}
"""
HEADER = (
    "date,actor,target,action,description,source_url,cameo_code,cameo_label,goldstein,"
    "deaths,victims,warned\n"
)
EVENTS = HEADER + (
    "2020-01-01,BBB,AAA,missile_strike,test strike,test,194,Fight with artillery and tanks,"
    "-10.0,0,AAA,true\n"
    "2020-01-03,AAA,BBB,threaten,test threat,test,138,Threaten with military force,-7.0,,,\n"
)
STUDY = """\
name: two-study
scenario: two.yaml
days: 20
levers:
  actors.AAA.doctrine: [restraint, gtft]
constants:
  actors.AAA.prior_trust: 0.4
runs_per_point: 4
"""

# "Billion laughs": nine levels of nine aliases each, 351 bytes that expand to 9**9 strings.
ALIAS_BOMB = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' + "".join(
    f"{b}: &{b} [{','.join([f'*{a}'] * 9)}]\n" for a, b in zip("abcdefgh", "bcdefghi", strict=True)
)
DEEP = "a: " + "[" * 100_000 + "]" * 100_000 + "\n"
GDELT_60 = "\t".join(
    (FIXTURES / "gdelt_20200108.export.CSV").read_text().splitlines()[0].split("\t")[:60]
)

Case = tuple[str, list[str], dict[str, str | bytes], str]
CASES: list[Case] = [
    (
        "YAML alias bomb",
        ["validate", "bomb.yaml"],
        {"bomb.yaml": ALIAS_BOMB},
        "bomb.yaml:5:23: alias *d expands to",
    ),
    (
        "100,000-deep nesting",
        ["validate", "deep.yaml"],
        {"deep.yaml": DEEP},
        "deep.yaml:1:53: nested more than 50 levels deep",
    ),
    (
        "recursive alias",
        ["validate", "loop.yaml"],
        {"loop.yaml": SCENARIO + "perception: &p {x: *p}\n"},
        "loop.yaml:18:20: alias *p refers to a collection that contains it",
    ),
    (
        "impossible date",
        ["validate", "two.yaml"],
        {"two.yaml": SCENARIO.replace("2020-01-01", "2030-02-30")},
        "two.yaml:2:1: start_date: Input should be a valid date",
    ),
    (
        "infinite number",
        ["validate", "two.yaml"],
        {"two.yaml": SCENARIO.replace("audience_cost: 1.0", "audience_cost: .inf")},
        "two.yaml:10:5: actors.AAA.audience_cost: Input should be a finite number",
    ),
    (
        "not a number",
        ["validate", "two.yaml"],
        {"two.yaml": SCENARIO.replace("audience_cost: 1.0", "audience_cost: .nan")},
        "two.yaml:10:5: actors.AAA.audience_cost: Input should be a finite number",
    ),
    (
        "timeline with a header only",
        ["replay", "timeline.yaml", "--runs", "1"],
        {"two.yaml": SCENARIO, "timeline.yaml": TIMELINE, "events.csv": HEADER},
        "timeline.yaml:4:1: events: 'events.csv' holds no events",
    ),
    (
        "GDELT file with 60 columns",
        ["replay", "timeline.yaml", "--runs", "1"],
        {
            "two.yaml": SCENARIO,
            "timeline.yaml": TIMELINE.replace("events.csv", "events.tsv"),
            "events.tsv": GDELT_60 + "\n",
        },
        "events.tsv:1:1: no events: the only row was rejected: expected 61 tab-separated fields, "
        "found 60",
    ),
    (
        "scenario whose actors do not fit the timeline",
        ["replay", "timeline.yaml", "--scenario", "us-iran-2020", "--runs", "1"],
        {"two.yaml": SCENARIO, "timeline.yaml": TIMELINE, "events.csv": EVENTS},
        "events.csv:2:1: actor: the actor_aliases of timeline 'two-2020' (BBB -> BBB, AAA -> AAA)"
        " name actors that scenario 'us-iran-2020' does not have",
    ),
    (
        "fork: scenario whose actors do not fit the timeline",
        ["fork", "timeline.yaml", "--at", "2020-01-02", "--scenario", "us-iran-2020", "-n", "1"],
        {"two.yaml": SCENARIO, "timeline.yaml": TIMELINE, "events.csv": EVENTS},
        "events.csv:2:1: actor: the actor_aliases",
    ),
    (
        "study constant the scenario refuses",
        ["study", "validate", "study.yaml"],
        {"two.yaml": SCENARIO, "study.yaml": STUDY.replace("prior_trust: 0.4", "prior_trust: 1.5")},
        "study.yaml:7:3: constants.actors.AAA.prior_trust: 1.5: Input should be less than or equal",
    ),
    (
        "study constant that is not finite",
        ["study", "validate", "study.yaml"],
        {
            "two.yaml": SCENARIO,
            "study.yaml": STUDY.replace("prior_trust: 0.4", "prior_trust: .inf"),
        },
        "study.yaml:7:3: constants.actors.AAA.prior_trust: must be a finite number",
    ),
    (
        "study alias bomb",
        ["study", "validate", "study.yaml"],
        {"study.yaml": ALIAS_BOMB},
        "study.yaml:5:23: alias *d expands to",
    ),
    (
        "timeline metadata nested too deeply",
        ["replay", "timeline.yaml", "--runs", "1"],
        {"timeline.yaml": "a: " + "[" * 10_000 + "\n"},
        "timeline.yaml:1:53: nested more than 50 levels deep",
    ),
    # classes handled before the hardening, kept here so that they stay handled
    ("missing scenario file", ["validate", "nope.yaml"], {}, "nope.yaml: no such built-in"),
    (
        "unknown built-in scenario",
        ["run", "no-such-scenario", "-n", "1"],
        {},
        "no-such-scenario: no such built-in scenario or file (built-in scenarios:",
    ),
    (
        "unknown override path",
        ["run", "two.yaml", "--set", "actors.AAA.nonsense=1", "-n", "1"],
        {"two.yaml": SCENARIO},
        "--set: actors.AAA.nonsense: unknown override path",
    ),
    (
        "override value out of range",
        ["run", "two.yaml", "--set", "days=-5", "-n", "1"],
        {"two.yaml": SCENARIO},
        "--set: days: Input should be greater than or equal to 1",
    ),
    (
        "override without a value",
        ["run", "two.yaml", "--set", "days", "-n", "1"],
        {"two.yaml": SCENARIO},
        "--set: expected PATH=VALUE, got 'days'",
    ),
    (
        "binary file",
        ["validate", "bin.yaml"],
        {"bin.yaml": b"\x00\x01\x02name: x\n"},
        "bin.yaml: this is a binary file",
    ),
    (
        "not UTF-8",
        ["validate", "latin.yaml"],
        {"latin.yaml": "name: caf\xe9\n".encode("latin-1")},
        "latin.yaml: not UTF-8 text",
    ),
    ("empty file", ["validate", "e.yaml"], {"e.yaml": ""}, "e.yaml: a scenario must be a YAML"),
    (
        "a list at the top",
        ["validate", "l.yaml"],
        {"l.yaml": "- a\n- b\n"},
        "l.yaml: a scenario must be a YAML mapping, got a list",
    ),
    (
        "unknown field",
        ["validate", "two.yaml"],
        {"two.yaml": SCENARIO + "colour: red\n"},
        "two.yaml:18:1: colour: unknown field",
    ),
    (
        "fork day outside the timeline",
        ["fork", "timeline.yaml", "--at", "2021-01-01", "-n", "1"],
        {"two.yaml": SCENARIO, "timeline.yaml": TIMELINE, "events.csv": EVENTS},
        "--at: at: 2021-01-01 lies outside the timeline",
    ),
    (
        "fork day that is no date",
        ["fork", "timeline.yaml", "--at", "2020-13-01", "-n", "1"],
        {"two.yaml": SCENARIO, "timeline.yaml": TIMELINE, "events.csv": EVENTS},
        "--at: at: expected a date YYYY-MM-DD",
    ),
    (
        "backtest: a step of no days",
        ["backtest", "timeline.yaml", "--every", "0", "-n", "1"],
        {"two.yaml": SCENARIO, "timeline.yaml": TIMELINE, "events.csv": EVENTS},
        "--every: must be 1 or more days, got 0",
    ),
    (
        "backtest: a missing timeline",
        ["backtest", "nope-timeline.yaml", "-n", "1"],
        {},
        "nope-timeline.yaml: no such built-in timeline or file",
    ),
    (
        "missing timeline",
        ["replay", "nope-timeline.yaml"],
        {},
        "nope-timeline.yaml: no such built-in timeline or file",
    ),
    # classes the hardening added
    (
        "compare lever the scenario does not take",
        ["compare", "two.yaml", "--lever", "actors.AAA.prior_trust=0.5,7", "-n", "1"],
        {"two.yaml": SCENARIO},
        "--lever: actors.AAA.prior_trust: Input should be less than or equal to 1",
    ),
    (
        "output in a missing folder",
        ["export", "two.yaml", "-o", "missing/x.csv", "-n", "1"],
        {"two.yaml": SCENARIO},
        "missing/x.csv: the folder missing does not exist",
    ),
    (
        "a plot without an extension",
        ["replay", "timeline.yaml", "--runs", "1", "--plot", "fig"],
        {"two.yaml": SCENARIO, "timeline.yaml": TIMELINE, "events.csv": EVENTS},
        "fig: has no extension",
    ),
    (
        "a scheduler address that is none",
        ["study", "run", "study.yaml", "-e", "dask", "--scheduler", "garbage", "--dir", "s"],
        {"two.yaml": SCENARIO, "study.yaml": STUDY},
        "--scheduler: not a scheduler address: 'garbage'",
    ),
    (
        "work beyond the cap",
        ["run", "two.yaml", "-n", "10000000", "-d", "3650"],
        {"two.yaml": SCENARIO},
        "36,500,000,000 run-days, more than the cap of 4,000,000,000; give --max-run-days",
    ),
    (
        "a bad row in a timeline",
        ["replay", "timeline.yaml", "--runs", "1"],
        {
            "two.yaml": SCENARIO,
            "timeline.yaml": TIMELINE,
            "events.csv": EVENTS
            + "2020-01-02,BBB,AAA,missile_strike,x,test,999x,Bad,-10.0,0,AAA,\n",
        },
        "events.csv:4:1: cameo_code: unknown CAMEO code '999x'",
    ),
    (
        "days that run past the calendar's last date",
        ["story", "two.yaml"],
        {"two.yaml": SCENARIO.replace("2020-01-01", "9999-12-31")},
        "two.yaml:2:1: start_date: 30 days from 9999-12-31 run past 9999-12-31",
    ),
    (
        "an output that is the scenario read",
        ["export", "two.yaml", "-o", "two.yaml", "-n", "1"],
        {"two.yaml": SCENARIO},
        "two.yaml: is the input two.yaml itself; writing it would replace what is read",
    ),
    (
        "a report over a study directory's own file",
        ["report", "study", "-o", "study/manifest.json"],
        {"study/manifest.json": "{}"},
        "study/manifest.json: is the input study/manifest.json itself",
    ),
    (
        "a lever with an empty value",
        ["compare", "two.yaml", "--lever", "actors.AAA.prior_trust=0.5,,0.7", "-n", "1"],
        {"two.yaml": SCENARIO},
        "--lever: actors.AAA.prior_trust: an empty value in '0.5,,0.7'",
    ),
    (
        "a bare carriage return in the events' header",
        ["replay", "timeline.yaml", "--runs", "1"],
        {
            "two.yaml": SCENARIO,
            "timeline.yaml": TIMELINE,
            "events.csv": EVENTS.replace("actor,target", "actor,tar\rget", 1),
        },
        "events.csv:1:1: unreadable header row: new-line character seen in unquoted field",
    ),
    ("a folder as a scenario", ["validate", "adir"], {"adir/x.txt": "x"}, "adir: is a folder"),
    ("a folder as a timeline", ["replay", "adir"], {"adir/x.txt": "x"}, "adir: is a folder"),
    (
        "--set value nested too deeply",
        ["run", "two.yaml", "--set", "days=" + "[" * 10_000, "-n", "1"],
        {"two.yaml": SCENARIO},
        "--set: days: nested more than 50 levels deep",
    ),
]


def _snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    return {
        str(p.relative_to(folder)): (p.stat().st_size, p.stat().st_mtime_ns)
        for p in folder.rglob("*")
    }


def run_cli(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    with memory_headroom(), pytest.raises(SystemExit) as exit_:
        main(argv)
    return int(exit_.value.code or 0), capsys.readouterr().err


@pytest.mark.parametrize(("name", "argv", "files", "expected"), CASES, ids=[c[0] for c in CASES])
def test_bad_input_exits_2_with_one_located_message_and_writes_nothing(
    name, argv, files, expected, tmp_path, monkeypatch, capsys
):
    for file, content in files.items():
        target = tmp_path / file
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(content, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    before = _snapshot(tmp_path)
    code, err = run_cli(argv, capsys)
    assert code == 2, err
    messages = [line for line in err.splitlines() if line.startswith("error: ")]
    assert len(messages) == 1, err
    assert expected in messages[0], err
    assert "Traceback" not in err and "internal error" not in err
    assert _snapshot(tmp_path) == before


def test_skip_bad_rows_leaves_them_out_and_says_how_many(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    bad = "2020-01-02,BBB,AAA,missile_strike,x,test,999x,Bad,-10.0,0,AAA,\n"
    files = {"two.yaml": SCENARIO, "timeline.yaml": TIMELINE, "events.csv": EVENTS + bad}
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    with pytest.raises(SystemExit) as exit_:
        main(["replay", "timeline.yaml", "--runs", "1", "--skip-bad-rows", "--json"])
    assert exit_.value.code == 0
    err = capsys.readouterr().err
    assert "skipped: 1 problems in the timeline's rows: events.csv:4:1:" in err
