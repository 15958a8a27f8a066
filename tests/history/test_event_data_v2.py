"""Event data version 2: the new optional columns, several targets, third parties, the severity
table by code and target kind, and version-1 timelines read as before."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pytest

from crisislab.cli import main
from crisislab.engine.compiled import compile_scenario
from crisislab.errors import TimelineError
from crisislab.history import load_timeline, read_events
from crisislab.history.mapping import map_timeline, rung_of
from crisislab.history.records import TARGET_KINDS, default_severity, parse_severity
from crisislab.history.replay import prepare, replay
from crisislab.simulate import resolve

FIXTURES = Path(__file__).parent / "fixtures"

HEADER = (
    "date,actor,target,action,description,source_url,cameo_code,cameo_label,goldstein,"
    "deaths,victims,warned,ordered_by,claimed,attribution_ambiguity,channel,target_kind\n"
)
# Rows after the Gulf of 2019, made up for the tests (descriptions echo the events); the line
# of each row in the file is in the comment.
ROWS = [
    "2019-05-12,IRQ_KH,USAMIL,rockets,rockets on a base,t,194,,,1,USA,,IRN,denied,0.6,,",  # 2
    "2019-06-13,IRGCN,NOR;JPN,mines,two tankers mined,t,190,,,0,,,IRN,denied,0.5,,",  # 3
    "2019-06-20,IRNMIL,USAMIL,shootdown,RQ-4A shot down,t,194,,,0,,,IRN,claimed,,,materiel",  # 4
    "2019-06-21,IRN,USA,threaten,a warning passed via the Swiss,t,138,,,,,,,,,indirect,",  # 5
    "2019-06-22,IRN,USA,message,the matter is concluded,t,036,,,,,,,,,indirect,",  # 6
    "2019-06-23,IRN,USA,statement,a conciliatory tweet,t,036,,,,,,,,,none,",  # 7
    "2019-07-18,USAMIL,IRNMIL,jam,USS Boxer jams a drone,t,195,,,0,,,USA,claimed,,,materiel",  # 8
    "2019-07-19,IRGCN,GBR,seize,Stena Impero seized,t,171,,,0,,,,claimed,,,shipping",  # 9
    "2019-08-01,IRQ_KH,USAMIL,attack,an attack without orders,t,190,,,0,,,none,none,0.2,,",  # 10
    "2019-09-14,IRN,SAU;USAMIL,drones,Abqaiq and a base,t,195,,,0,,,,denied,0.7,,",  # 11
    "2019-09-15,IRN,SAU,drones,Abqaiq,t,195,,,0,,,,denied,0.7,,",  # 12
    "2019-09-16,IRNMIL,USAMIL,missiles,a lethal missile strike,t,195,,,3,USA,,,,,,",  # 13
    "2019-09-17,CHN,USA,statement,a third party's statement,t,036,,,,,,,,,,",  # 14
]
META = """\
name: gulf-2019-test
period: {start: 2019-05-12, end: 2019-09-20}
scenario: us-iran-2020
events: events.csv
format: crisislab
actor_aliases:
  USA: USA
  USAMIL: USA
  IRN: IRN
  IRNMIL: IRN
  IRGCN: IRGC
  IRQ_KH: KH
  SAU: GCC        # a third party the scenario has
  NOR: null       # third parties it does not have
  JPN: null
  GBR: null
  CHN: null
target_kinds:
  NOR: shipping
  JPN: shipping
  SAU: energy
"""


def write(tmp_path: Path, rows: list[str] | None = None, meta: str = META, **files: str) -> Path:
    (tmp_path / "events.csv").write_text(HEADER + "\n".join(ROWS if rows is None else rows) + "\n")
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    path = tmp_path / "timeline.yaml"
    path.write_text(meta)
    return path


@pytest.fixture
def gulf(tmp_path):
    return load_timeline(write(tmp_path), strict=True)


@pytest.fixture
def mapped(gulf):
    return prepare(gulf, None, None)[2]


def nationality(code: str) -> int:
    """The engine's index of a nationality of us-iran-2020."""
    return compile_scenario(resolve("us-iran-2020", None)).nationalities.index(code)


def event_at(mapped, date: str):
    """The one event replayed on `date`."""
    (event,) = mapped.script_events.get(mapped.day_of(dt.date.fromisoformat(date)), [])
    return event


# --- each new column is read --------------------------------------------------------------------


def test_each_new_column_is_parsed(tmp_path):
    write(tmp_path)
    records = list(read_events(tmp_path / "events.csv", strict=True))
    assert len(records) == len(ROWS)
    kh, mines, drone = records[0], records[1], records[2]
    assert (kh.ordered_by, kh.claimed, kh.attribution_ambiguity) == ("IRN", "denied", 0.6)
    assert kh.channel == "" and kh.target_kinds == ()
    assert (mines.target, mines.extra_targets, mines.targets) == ("NOR", ("JPN",), ("NOR", "JPN"))
    assert drone.target_kinds == ("materiel",) and drone.kind_of(0) == "materiel"
    assert records[3].channel == "indirect" and records[5].channel == "none"
    assert records[8].ordered_by == "none" and records[8].claimed == "none"
    assert records[11].attribution_ambiguity is None and records[11].deaths == 3


def test_target_kinds_may_be_given_one_per_target(tmp_path):
    row = "2019-09-14,IRN,SAU;USAMIL,drones,Abqaiq,t,195,,,0,,,,,,,energy;forces"
    write(tmp_path, [row])
    (record,) = read_events(tmp_path / "events.csv", strict=True)
    assert record.targets == ("SAU", "USAMIL")
    assert (record.kind_of(0), record.kind_of(1)) == ("energy", "forces")


@pytest.mark.parametrize(
    ("cells", "column", "message"),
    [
        ({12: "IRN;USA"}, "ordered_by", "expected one actor code"),
        ({13: "maybe"}, "claimed", "expected claimed, denied, none or nothing, got 'maybe'"),
        ({14: "1.5"}, "attribution_ambiguity", "expected a number from 0 to 1, got '1.5'"),
        ({14: "nan"}, "attribution_ambiguity", "expected a number from 0 to 1"),
        ({14: "high"}, "attribution_ambiguity", "expected a number from 0 to 1"),
        ({15: "email"}, "channel", "expected none, indirect, hotline or nothing"),
        ({16: "tanker"}, "target_kind", "unknown target kind 'tanker'"),
        ({2: "USAMIL;;IRQ"}, "target", "an empty code"),
        ({2: "USAMIL;USAMIL"}, "target", "USAMIL named twice"),
        ({2: "USAMIL;IRQ", 16: "forces;civilians;shipping"}, "target_kind", "3 kinds for 2"),
    ],
)
def test_a_bad_value_is_an_error_with_file_and_line(tmp_path, cells, column, message):
    row = ROWS[0].split(",")
    for index, value in cells.items():
        row[index] = value
    write(tmp_path, [ROWS[2], ",".join(row)])
    stream = read_events(tmp_path / "events.csv")
    assert len(list(stream)) == 1
    (problem,) = stream.report.problems
    assert (problem.line, problem.path) == (3, column)
    assert message in problem.message
    assert str(problem).startswith(f"{tmp_path / 'events.csv'}:3:1: {column}:")


def test_a_bad_value_exits_2_through_the_cli_unless_rows_are_skipped(tmp_path, capsys):
    rows = list(ROWS)
    rows[3] = rows[3].replace(",indirect,", ",pigeon,")  # line 5
    path = write(tmp_path, rows)
    with pytest.raises(SystemExit) as exit_:
        main(["replay", str(path), "--runs", "1"])
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert f"{tmp_path / 'events.csv'}:5:1: channel: expected none, indirect, hotline" in err
    with pytest.raises(SystemExit) as exit_:
        main(["replay", str(path), "--runs", "1", "--skip-bad-rows"])
    assert exit_.value.code == 0
    assert "skipped: 1 problems in the timeline's rows" in capsys.readouterr().err


# --- the severity table -------------------------------------------------------------------------


def test_the_package_severity_table_reads_and_covers_every_root():
    table = default_severity()
    for root in range(1, 21):
        assert 0 <= table.lookup(f"{root:02d}").rung <= 14
    for kind in TARGET_KINDS:
        assert table.lookup("195", kind).rung <= table.lookup("195", kind).lethal_rung


def test_severity_comes_from_code_and_target_kind_not_the_code_alone():
    assert rung_of("195", kind="materiel") == 7  # a drone jammed or shot down
    assert rung_of("195", kind="territory") == 12  # an air strike on the other state's soil
    assert rung_of("195", against_group=True) == 8  # a strike on a proxy
    forces = default_severity().lookup("194", "forces")
    assert (forces.rung, forces.lethal_rung, forces.warned_rung) == (10, 12, 9)
    assert rung_of("186", kind="senior_commander") == 9
    assert rung_of("145") == 6 and rung_of("154") == 5 and rung_of("036") == 1


def test_a_jammed_drone_is_not_a_rung_12_strike_on_territory(mapped):
    event = event_at(mapped, "2019-07-18")  # USS Boxer, 195 on materiel
    assert (event.side, event.group, event.kind) == (0, -1, "act")
    assert event.action.plain.rung == 7 and event.action.plain.lethal_rung == 7
    assert event.action.hits == 0  # forces, not territory
    shootdown = event_at(mapped, "2019-06-20")  # Iran's SAM on the RQ-4A: not missile_strike
    assert shootdown.action.id != "missile_strike" and shootdown.action.plain.rung == 7


def test_a_jammed_drone_without_a_target_kind_reads_as_the_scenarios_strike(tmp_path):
    """The row must say what was hit: without a kind, a 195 on Iran is the US strike on Iran."""
    rows = [ROWS[6].removesuffix("materiel")]
    mapped = prepare(load_timeline(write(tmp_path, rows), strict=True), None, None)[2]
    event = event_at(mapped, "2019-07-18")
    assert event.action.id == "strike_on_state" and event.action.plain.rung == 12


def test_a_lethal_missile_strike_on_forces_is_high(mapped):
    event = event_at(mapped, "2019-09-16")  # 195 on USAMIL, 3 killed: no catalogue match
    assert event.deaths == 3
    assert event.action.plain.rung == 10 and event.action.plain.lethal_rung == 12
    assert event.action.warned is not None and event.action.warned.rung == 9


def test_a_timeline_overrides_the_severity_table(tmp_path):
    meta = META + (
        "severity:\n"
        "  - {code: '19', target: materiel, rung: 5, basis: jamming is not violence}\n"
        "severity_file: severity.csv\n"
    )
    table = "code,target,rung,lethal_rung,warned_rung,basis\n194,materiel,6,6,,a SAM on a drone\n"
    tl = load_timeline(write(tmp_path, meta=meta, **{"severity.csv": table}), strict=True)
    assert tl.severity_table.lookup("195", "materiel").rung == 5
    assert tl.severity_table.lookup("194", "materiel").rung == 6  # the file's row
    assert tl.severity_table.lookup("195", "forces").rung == 10  # the package's, below them
    mapped = prepare(tl, None, None)[2]
    assert event_at(mapped, "2019-07-18").action.plain.rung == 5
    assert event_at(mapped, "2019-06-20").action.plain.rung == 6


@pytest.mark.parametrize(
    ("extra", "files", "expected"),
    [
        (
            "severity_file: severity.csv\n",
            {"severity.csv": "code,target,rung\n195,drone,7\n"},
            "severity.csv:2:1: target: unknown target kind 'drone'",
        ),
        (
            "severity_file: severity.csv\n",
            {"severity.csv": "code,target,rung\n1951,*,7\n"},
            "severity.csv:2:1: code: unknown CAMEO code '1951'",
        ),
        (
            "severity_file: severity.csv\n",
            {"severity.csv": "code,target,rung,lethal_rung\n19,*,9,8\n"},
            "severity.csv:2:1: lethal_rung: 8 is below the rung 9",
        ),
        ("severity_file: missing.csv\n", {}, "severity_file: 'missing.csv' not found"),
        ("severity_file: ../severity.csv\n", {}, "give a file name next to the metadata file"),
        ("severity:\n  - {code: 195, rung: 7}\n", {}, "quote the CAMEO code"),
        ("severity:\n  - {code: '195', rung: 15}\n", {}, "less than or equal to 14"),
        ("target_kinds: {NOR: tanker}\n", {}, "unknown target kind 'tanker'"),
    ],
)
def test_bad_severity_or_target_kinds_are_errors_with_their_place(tmp_path, extra, files, expected):
    meta = META.split("target_kinds:")[0] if extra.startswith("target_kinds") else META
    path = write(tmp_path, meta=meta + extra, **files)
    with pytest.raises(TimelineError) as error:
        load_timeline(path)
    assert expected in str(error.value)


def test_a_severity_table_with_a_duplicate_row_is_refused():
    rows, problems = parse_severity("code,target,rung\n19,forces,7\n19,forces,8\n", "s.csv")
    assert list(rows) == [("19", "forces")]
    assert [str(p) for p in problems] == ["s.csv:3:1: code: a second row for 19 on forces"]


# --- the fields the engine reads ----------------------------------------------------------------


def test_ordered_by_sets_whether_a_group_acted_on_orders(mapped):
    assert event_at(mapped, "2019-05-12").ordered is True  # ordered_by IRN, KH's principal
    assert event_at(mapped, "2019-08-01").ordered is False  # ordered_by none
    assert event_at(mapped, "2019-07-19").ordered is None  # not said: drawn per run
    assert event_at(mapped, "2019-06-20").ordered is True  # a leadership's own act


def test_an_ordered_by_that_is_not_the_principal_is_noted_and_drawn(tmp_path):
    meta = META.replace("  CHN: null\n", "  CHN: null\n  USAGOV: USA\n")
    rows = [ROWS[0].replace(",IRN,denied,", ",USAGOV,denied,")]
    mapped = prepare(load_timeline(write(tmp_path, rows, meta), strict=True), None, None)[2]
    assert event_at(mapped, "2019-05-12").ordered is None
    assert any(
        "ordered_by 'USAGOV' is not the leadership of KH's side" in p.message for p in mapped.notes
    )


def test_an_ordered_by_code_must_be_in_actor_aliases(tmp_path):
    rows = [ROWS[0].replace(",IRN,denied,", ",QODS,denied,")]
    tl = load_timeline(write(tmp_path, rows))
    assert "QODS" in tl.unaliased_actors
    assert any("actor code 'QODS'" in p.message for p in tl.problems)


def test_attribution_ambiguity_becomes_the_acts_ambiguity(mapped):
    unordered = event_at(mapped, "2019-08-01")  # KH, 190 on forces, ambiguity 0.2
    assert unordered.action.ambiguity == 0.2
    assert unordered.action.plain.rung == 7 and unordered.action.plain.lethal_rung == 8
    assert event_at(mapped, "2019-05-12").action.id == "proxy_rocket_attack"  # 0.6 as listed


def test_channel_makes_messages_and_keeps_private_threats_out(mapped):
    assert event_at(mapped, "2019-06-22").kind == "message"  # indirect, as the scenario's
    by_line = {p.line: p.message for p in mapped.problems}
    assert "passed over the indirect channel" in by_line[5]
    assert "a public conciliatory statement (channel none)" in by_line[7]
    assert mapped.not_replayed["private statement"] == 1


# --- several targets and third parties ------------------------------------------------------------


def test_several_targets_replay_one_act_on_the_other_side(mapped):
    event = event_at(mapped, "2019-09-14")  # SAU;USAMIL: the act on US forces
    assert event.action.hits == 0 and event.victim == nationality("USA")
    assert any(p.line == 11 and "also named SAU" in p.message for p in mapped.notes)


def test_third_party_rows_load_are_kept_and_replayed_where_the_scenario_can(gulf, mapped):
    assert len(gulf.events) == len(ROWS) and gulf.problems == ()
    assert {e.line for e in gulf.unmapped_events} == {3, 9, 14}  # NOR;JPN, GBR, CHN
    abqaiq = event_at(mapped, "2019-09-15")  # SAU -> GCC, the scenario's coalition
    assert abqaiq.victim == nationality("GCC")
    assert abqaiq.action.hits == 4 and abqaiq.action.plain.rung == 7  # energy: as shipping
    tankers = event_at(mapped, "2019-06-13")  # NOR has no actor: the maritime front's shipping
    assert tankers.group == 0 and tankers.victim == nationality("GCC")
    assert tankers.action.hits == 4 and tankers.ordered is True
    seizure = event_at(mapped, "2019-07-19")  # the maritime front's own ship_seizure
    assert seizure.action.id == "ship_seizure"
    assert mapped.rows == len(ROWS)
    assert mapped.outside_dyad == 5 and mapped.outside_dyad_replayed == 4
    assert mapped.not_replayed == {
        "private statement": 1,
        "public conciliatory statement": 1,
        "actor not mapped": 1,
    }
    assert mapped.replayed == len(ROWS) - 3
    assert "13 rows: 10 replayed, 3 kept but not replayed" in mapped.summary()
    assert sum(len(v) for v in mapped.records_by_day.values()) == len(ROWS)  # series keep all


def test_a_third_party_with_no_actor_and_no_sea_kind_is_kept_and_counted(tmp_path):
    rows = [
        "2019-06-13,IRGCN,NOR,attack,an attack on a third state's forces,t,190,,,0,,,,,,,forces",
        ROWS[11],
    ]
    mapped = prepare(load_timeline(write(tmp_path, rows), strict=True), None, None)[2]
    assert mapped.not_replayed == {"target outside the dyad": 1}
    (problem,) = mapped.problems
    assert problem.line == 2 and "target 'NOR' is not on the other side" in problem.message
    assert mapped.rivera_by_day[0] == 28  # still in the daily series


def test_a_replay_of_a_version_2_timeline_runs(gulf):
    result = replay(gulf, runs=32, seed=1)
    assert len(result.days) == (gulf.events[-1].date - gulf.events[0].date).days + 1
    assert len(result.to_json()["not_replayed"]) == 3


# --- version 1 ---------------------------------------------------------------------------------

# The built-in timeline's mapped script before version 2: (day, side, group, kind, rung,
# lethal rung, hits, ordered, warned, deaths, victim, struck group) per event.
BUILTIN_SCRIPT = [
    (0, 1, 1, "act", 7, 8, 0, None, False, 1, 3, None),
    (2, 0, -1, "act", 8, 8, 3, True, False, 25, 2, 1),
    (2, 0, -1, "rhetoric", 2, 2, 5, None, False, 0, None, None),
    (4, 1, 2, "act", 6, 6, 5, None, False, 0, 3, None),
    (4, 0, -1, "rhetoric", 2, 2, 5, None, False, 0, None, None),
    (4, 0, -1, "act", 5, 5, 5, True, False, 0, 2, None),
    (6, 0, -1, "rhetoric", 2, 2, 5, None, False, 0, None, None),
    (7, 0, -1, "act", 9, 9, 2, True, False, 10, 1, None),
    (7, 1, -1, "rhetoric", 2, 2, 5, None, False, 0, None, None),
    (7, 0, -1, "act", 5, 5, 5, True, False, 0, 2, None),
    (8, 0, -1, "rhetoric", 2, 2, 5, None, False, 0, None, None),
    (9, 1, -1, "rhetoric", 2, 2, 5, None, False, 0, None, None),
    (9, 0, -1, "rhetoric", 2, 2, 5, None, False, 0, None, None),
    (11, 1, -1, "rhetoric", 2, 2, 5, None, False, 0, None, None),
    (12, 1, -1, "act", 12, 12, 0, True, True, 0, 3, None),
    (12, 1, -1, "message", 1, 1, 5, None, False, 0, None, None),
    (12, 1, -1, "rhetoric", 2, 2, 5, None, False, 0, None, None),
    (12, 0, -1, "rhetoric", 2, 2, 5, None, False, 0, None, None),
    (13, 1, -1, "rhetoric", 2, 2, 5, None, False, 0, None, None),
    (14, 0, -1, "act", 3, 3, 5, True, False, 0, 1, None),
    (21, 1, -1, "rhetoric", 2, 2, 5, None, False, 0, None, None),
    (75, 1, 1, "act", 7, 8, 0, None, False, 2, 3, None),
    (76, 0, -1, "act", 8, 8, 3, True, False, 6, 2, 1),
    (77, 0, -1, "act", 5, 5, 5, True, False, 0, 1, None),
]


BUILTIN_RIVERA = {0: 28.0, 2: 32.0, 4: 20.0, 5: -2.0, 6: 4.0, 7: 34.0, 8: 4.0, 9: 12.0, 11: 4.0,
                  12: 60.0, 13: 8.0, 14: 4.0, 15: -2.0, 18: 4.0, 20: -2.0, 21: 4.0, 24: 28.0,
                  28: -2.0, 30: 28.0, 32: -2.0, 34: -2.0, 45: -2.0, 75: 32.0, 76: 28.0, 77: 4.0,
                  78: 28.0, 81: 28.0}  # fmt: skip


def test_the_builtin_version_1_timeline_loads_and_maps_as_before():
    tl = load_timeline("us-iran-2019-2020", strict=True)
    assert len(tl.events) == 42 and tl.report.ok and tl.severity is None
    assert all(
        (e.extra_targets, e.target_kinds, e.ordered_by, e.claimed, e.channel)
        == ((), (), "", "", "")
        and e.attribution_ambiguity is None
        for e in tl.events
    )
    _, _, mapped = prepare(tl, None, None)
    script = [
        (
            day,
            e.side,
            e.group,
            e.kind,
            e.action.plain.rung,
            e.action.plain.lethal_rung,
            e.action.hits,
            e.ordered,
            e.warned,
            e.deaths,
            e.victim,
            e.struck_group,
        )
        for day in sorted(mapped.script_events)
        for e in mapped.script_events[day]
    ]
    assert script == BUILTIN_SCRIPT
    assert len(mapped.problems) == 18 and mapped.rows == 42
    assert mapped.rivera_by_day == BUILTIN_RIVERA
    acts = [e for e in mapped.script_events[12] if e.kind == "act"]  # 8 January
    assert [e.action.id for e in acts] == ["missile_strike"]  # the catalogue's


def test_a_version_1_csv_reads_as_before():
    records = list(read_events(FIXTURES / "crisislab_events.csv"))
    assert records and all(r.targets == ((r.target,) if r.target else ()) for r in records)
    assert all(r.severity is None and r.target_kinds == () for r in records)


def test_map_timeline_takes_a_severity_table_of_its_own(gulf):
    compiled = compile_scenario(resolve("us-iran-2020", None))
    table = default_severity().over(
        {
            ("19", "materiel"): dataclasses.replace(
                default_severity().lookup("19", "materiel"), rung=4, lethal_rung=4
            )
        },
        "test",
    )
    mapped = map_timeline(gulf.events, compiled, gulf.actor_aliases, gulf.name, severity=table)
    assert event_at(mapped, "2019-07-18").action.plain.rung == 4
