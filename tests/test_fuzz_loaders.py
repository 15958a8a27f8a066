"""Fuzzing the loaders through the CLI: scenario, timeline and study files, mutated or generated,
end in exit 0 (valid) or 2 (bad input, with a message), never 1 (a bug), and never exhaust memory.

The in-process runs are bounded by an address-space limit of the current use plus 2 GB; the
hostile files (alias bombs, deep nesting) also run in a subprocess under a hard 2 GB limit, so a
blow-up fails the test instead of the machine.
"""

from __future__ import annotations

import contextlib
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crisislab.cli import main
from memory_limits import memory_headroom

HISTORY = Path(__file__).parent / "history" / "fixtures"
STUDIES = Path(__file__).parent / "experiments" / "fixtures"
SCENARIO = (HISTORY / "two-leaders.yaml").read_text()
TIMELINE = """\
name: two-2020
title: One warned strike
period: {start: 2020-01-01, end: 2020-01-31}
scenario: two.yaml
events: EVENTS
format: auto
actor_aliases: {AAA: AAA, BBB: BBB, USAMIL: AAA, IRNMIL: BBB, USA: AAA, IRN: BBB}
"""
EVENT_FILES = {
    "events.csv": (HISTORY / "two-leaders-timeline.csv").read_text(),
    "events.tsv": "\n".join((HISTORY / "gdelt_20200108.export.CSV").read_text().splitlines()[:3]),
    "events.jsonl": "\n".join((HISTORY / "plover_events.jsonl").read_text().splitlines()[:3]),
}
STUDY = """\
name: fuzz
scenario: two.yaml
days: 20
levers:
  actors.AAA.doctrine: [restraint, gtft]
uncertainties:
  actors.AAA.prior_trust: {low: 0.1, high: 0.5}
  channel.kind: {values: [none, indirect, hotline]}
constants:
  actors.BBB.prior_trust: 0.4
runs_per_point: 4
samples: 2
"""

# Pieces that matter to YAML, CSV and JSON parsers, inserted or substituted at random places.
TOKENS = (
    "&a ",
    "*a",
    "<<: *a",
    "&b [*a, *a, *a]",
    "[",
    "]",
    "{",
    "}",
    ": ",
    "- ",
    "? ",
    "\n",
    "  ",
    "\t",
    ",",
    "'",
    '"',
    "#",
    "|",
    ">",
    "!!binary ",
    "!!python/object/apply:os.system ",
    "!!set ",
    "!!timestamp ",
    "%YAML 1.1\n",
    "---\n",
    "...\n",
    ".inf",
    "-.inf",
    ".nan",
    "1e999",
    "-0",
    "0x1F",
    "9" * 40,
    "2030-02-30",
    "2020-13-01",
    "~",
    "null",
    "true",
    "\x00",
    "\ufeff",
    "\r",
    "\u2028",
    "é",
)
EDIT = st.tuples(
    st.sampled_from(("insert", "delete", "replace", "repeat")),
    st.integers(0, 2**16),
    st.integers(1, 40),
    st.one_of(st.sampled_from(TOKENS), st.text(max_size=4)),
)


def mutate(text: str, edits: list[tuple[str, int, int, str]]) -> str:
    for kind, at, span, token in edits:
        i = at % (len(text) + 1)
        if kind == "insert":
            text = text[:i] + token + text[i:]
        elif kind == "delete":
            text = text[:i] + text[i + span :]
        elif kind == "replace":
            text = text[:i] + token + text[i + span :]
        else:
            text = text[:i] + text[i : i + span] * 3 + text[i + span :]
    return text


def mutated(seed: str) -> st.SearchStrategy[str]:
    return st.lists(EDIT, min_size=1, max_size=6).map(lambda edits: mutate(seed, edits))


# Flow YAML with anchors and aliases in random places (some undefined, some recursive).
_LEAF = st.sampled_from(["1", "x", ".inf", "~", "2030-02-30", "'q'", "true", "*a", "*b"])
FLOW = st.recursive(
    _LEAF,
    lambda kids: st.one_of(
        st.lists(kids, max_size=4).map(lambda xs: "[" + ", ".join(xs) + "]"),
        st.lists(st.tuples(st.sampled_from("kmn"), kids), max_size=3).map(
            lambda kv: "{" + ", ".join(f"{k}: {v}" for k, v in kv) + "}"
        ),
        st.tuples(st.sampled_from("ab"), kids).map(lambda t: f"&{t[0]} {t[1]}"),
    ),
    max_leaves=25,
)
# Nested aliases of random fan-out and depth: small ones load, large ones must be refused.
LAUGHS = st.tuples(st.integers(1, 12), st.integers(1, 12)).map(
    lambda fd: (
        "l0: &l0 x\n"
        + "".join(
            f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * fd[0])}]\n" for i in range(1, fd[1] + 1)
        )
    )
)


def exit_code(argv: list[str], files: dict[str, str], capsys: pytest.CaptureFixture[str]) -> int:
    """Write the files to a fresh folder, run the CLI there and return its exit code; an exit
    other than 0 or 2 fails with the message."""
    with tempfile.TemporaryDirectory() as folder, contextlib.chdir(folder):
        for name, text in files.items():
            Path(name).write_bytes(text.encode("utf-8", "surrogatepass"))
        with memory_headroom(), pytest.raises(SystemExit) as exit_:
            main(argv)
    code = int(exit_.value.code or 0)
    err = capsys.readouterr().err
    assert code in (0, 2), f"exit {code} for {argv} with {files!r}:\n{err}"
    if code == 2:
        assert err.startswith("error: ") and "Traceback" not in err, err
    return code


FUZZ = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@FUZZ
@given(
    st.one_of(
        mutated(SCENARIO),
        FLOW.map(lambda node: SCENARIO.replace("days: 30", f"days: {node}")),
        FLOW,
        LAUGHS,
    )
)
def test_scenario_files_exit_0_or_2(capsys, text):
    exit_code(["validate", "two.yaml"], {"two.yaml": text}, capsys)


@FUZZ
@given(
    st.sampled_from(sorted(EVENT_FILES)).flatmap(
        lambda name: st.tuples(
            st.just(name),
            st.one_of(
                st.tuples(mutated(TIMELINE.replace("EVENTS", name)), st.just(EVENT_FILES[name])),
                st.tuples(st.just(TIMELINE.replace("EVENTS", name)), mutated(EVENT_FILES[name])),
            ),
        )
    )
)
def test_timelines_exit_0_or_2(capsys, case):
    name, (meta, events) = case
    files = {"two.yaml": SCENARIO, "timeline.yaml": meta, name: events}
    exit_code(["replay", "timeline.yaml", "--runs", "1", "--json"], files, capsys)


@FUZZ
@given(st.one_of(mutated(STUDY), LAUGHS))
def test_study_files_exit_0_or_2(capsys, text):
    exit_code(
        ["study", "validate", "study.yaml"], {"two.yaml": SCENARIO, "study.yaml": text}, capsys
    )


@FUZZ
@given(st.one_of(st.sampled_from(TOKENS), st.text(max_size=20), FLOW))
def test_set_values_exit_0_or_2(capsys, value):
    exit_code(
        ["run", "two.yaml", "-n", "1", "--days", "2", "--set", f"actors.AAA.prior_trust={value}"],
        {"two.yaml": SCENARIO},
        capsys,
    )


# --- hostile files, in a subprocess with a hard memory limit ----------------------------------

BOMB = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' + "".join(
    f"{b}: &{b} [{','.join([f'*{a}'] * 9)}]\n" for a, b in zip("abcdefgh", "bcdefghi", strict=True)
)
MERGE_BOMB = "a: &a {x: 1, y: 2, z: 3}\n" + "".join(
    f"{b}: &{b} {{{', '.join(f'k{i}: *{a}' for i in range(9))}}}\n"
    for a, b in zip("abcdefgh", "bcdefghi", strict=True)
)
HOSTILE: dict[str, tuple[list[str], dict[str, str]]] = {
    "scenario alias bomb": (["validate", "bomb.yaml"], {"bomb.yaml": BOMB}),
    "scenario mapping bomb": (["validate", "bomb.yaml"], {"bomb.yaml": MERGE_BOMB}),
    "scenario 100,000 deep": (
        ["validate", "deep.yaml"],
        {"deep.yaml": "a: " + "[" * 100_000 + "]" * 100_000},
    ),
    "scenario 1,000 deep, block style": (
        ["validate", "deep.yaml"],
        {"deep.yaml": "".join(" " * i + "-\n" for i in range(0, 1000))},
    ),
    "timeline metadata alias bomb": (
        ["replay", "timeline.yaml", "--runs", "1"],
        {"timeline.yaml": BOMB},
    ),
    "study alias bomb": (["study", "validate", "study.yaml"], {"study.yaml": BOMB}),
    "--set value 100,000 deep": (
        ["run", "us-iran-2020", "-n", "1", "--set", "days=" + "[" * 100_000],
        {},
    ),
    "plover line 100,000 deep": (
        ["replay", "timeline.yaml", "--runs", "1"],
        {
            "timeline.yaml": TIMELINE.replace("EVENTS", "events.jsonl").replace(
                "two.yaml", "us-iran-2020"
            ),
            "events.jsonl": '{"a": ' + "[" * 100_000 + "]" * 100_000 + "}\n",
        },
    ),
}
_RUNNER = """
import contextlib, io, json, os, resource, sys
resource.setrlimit(resource.RLIMIT_AS, (2 * 2**30, 2 * 2**30))
from crisislab.cli import main
codes = {}
for name, (argv, files) in json.loads(sys.stdin.read()).items():
    os.makedirs(name, exist_ok=True)
    os.chdir(name)
    for file, text in files.items():
        with open(file, "w", encoding="utf-8") as fh:
            fh.write(text)
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        try:
            main(argv)
        except SystemExit as exc:
            codes[name] = [exc.code, err.getvalue()]
    os.chdir("..")
print(json.dumps(codes))
"""


def test_hostile_files_are_refused_within_2_gb(tmp_path):
    done = subprocess.run(
        [sys.executable, "-c", _RUNNER],
        input=json.dumps(HOSTILE),
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    codes = json.loads(done.stdout.splitlines()[-1])
    for name, (code, err) in codes.items():
        assert code == 2, f"{name}: exit {code}\n{err}"
        assert err.startswith("error: ") and len(err.splitlines()) == 1, f"{name}: {err}"
    assert set(codes) == set(HOSTILE)
