"""Built-in timelines: the US–Iran timeline loads cleanly, is coded by the codebook, maps its
actors onto the paired scenario, and its notes mention every correction."""

from __future__ import annotations

import csv
import datetime as dt
from importlib.resources import files
from pathlib import Path

import pytest

from crisislab.errors import TimelineError
from crisislab.history import load_timeline, timeline_names
from crisislab.scenario.codebooks import cameo_label, goldstein, is_cameo_code
from crisislab.scenario.loader import load_scenario

NAME = "us-iran-2019-2020"
FOLDER = files("crisislab.history") / "timelines"
AS_COMPILED = Path(__file__).parent / "fixtures" / "us_iran_timeline_as_compiled.csv"
UNMAPPED = {"COALITION", "E3", "UKR", "UNK_IRQ_MILITIA", "USALEG"}


@pytest.fixture(scope="module")
def timeline():
    return load_timeline(NAME)


def csv_rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(text.splitlines()))


def packaged_rows() -> list[dict[str, str]]:
    return csv_rows((FOLDER / f"{NAME}.csv").read_text(encoding="utf-8"))


def test_builtin_timeline_files_are_package_resources():
    assert NAME in timeline_names()
    for suffix in (".csv", ".yaml", ".notes.md"):
        assert (FOLDER / f"{NAME}{suffix}").is_file()


def test_builtin_timeline_loads_with_zero_problems_and_warnings(timeline):
    assert timeline.report.ok and timeline.report.warning_count == 0
    assert timeline.problems == ()
    assert (timeline.report.read, timeline.report.kept) == (42, 42)


def test_builtin_timeline_has_42_events_from_27_december_to_17_march(timeline):
    assert len(timeline.events) == 42
    assert (timeline.start, timeline.end) == (dt.date(2019, 12, 27), dt.date(2020, 3, 17))
    dates = [e.date for e in timeline.events]
    assert dates == sorted(dates)
    assert (dates[0], dates[-1]) == (timeline.start, timeline.end)
    assert timeline.scenario == "us-iran-2020"


def test_every_event_cites_a_source_url(timeline):
    assert all(e.source.startswith(("https://", "http://")) for e in timeline.events)


def test_every_row_is_coded_by_the_codebook():
    for line, row in enumerate(packaged_rows(), start=2):
        code = row["cameo_code"]
        assert is_cameo_code(code), line
        assert row["cameo_label"].lower() == cameo_label(code).lower(), line
        assert float(row["goldstein"]) == goldstein(code), line


def test_every_actor_code_resolves_to_a_scenario_actor_or_is_listed_unmapped(timeline):
    scenario_actors = set(load_scenario(timeline.scenario).actors)
    assert timeline.unaliased_actors == ()
    for code in timeline.actor_codes:
        actor = timeline.actor_id(code)
        if actor is None:
            assert code in timeline.unmapped_actors
        else:
            assert actor in scenario_actors, (code, actor)
    assert set(timeline.unmapped_actors) == UNMAPPED


def test_actor_aliases_map_the_timeline_codes_to_the_scenario_ids(timeline):
    expected = {
        "USA": "USA",
        "USAGOV": "USA",
        "USAMIL": "USA",
        "IRN": "IRN",
        "IRNGOV": "IRN",
        "IRNMIL": "IRN",  # the IRGC acted on the leadership's orders in January 2020
        "IRQ_KH": "KH",
        "IRQ_PMF": "PMF",
        "IRQGOV": "IRQ",
        "IRQ": "IRQ",
    }
    assert {code: timeline.actor_id(code) for code in expected} == expected
    assert all(timeline.actor_id(code) is None for code in UNMAPPED)
    with pytest.raises(KeyError, match="not in the actor_aliases"):
        timeline.actor_id("NOPE")


def test_corrections_notes_mention_every_changed_row():
    notes = (FOLDER / f"{NAME}.notes.md").read_text(encoding="utf-8")
    table = [line for line in notes.splitlines() if line.startswith("| ")]
    before = csv_rows(AS_COMPILED.read_text(encoding="utf-8"))
    after = packaged_rows()
    assert len(before) == len(after) == 42
    changed = 0
    for line, (old, new) in enumerate(zip(before, after, strict=True), start=2):
        coding = ("cameo_code", "cameo_label", "goldstein", "deaths", "victims", "warned")
        assert {k: v for k, v in old.items() if k not in coding} == {
            k: v for k, v in new.items() if k not in coding
        }, f"line {line}: only the coding (and the casualty columns) may change"
        casualty = ("deaths", "victims", "warned")
        if {k: v for k, v in old.items() if k not in casualty} == {
            k: v for k, v in new.items() if k not in casualty
        }:
            continue  # unchanged coding; casualty columns are listed in their own table
        changed += 1
        start = f"| {line} | {old['date']} | {old['actor']} |"
        rows = [row for row in table if row.startswith(start)]
        assert rows, f"the notes do not mention line {line} ({old['date']}, {old['actor']})"
        if old["cameo_code"] != new["cameo_code"]:
            assert any(f"{old['cameo_code']} → {new['cameo_code']}" in row for row in rows), line
        else:
            assert any(new["cameo_label"] in row for row in rows), line
    assert changed == 22


def test_casualty_columns_are_explained_in_the_notes():
    notes = (FOLDER / f"{NAME}.notes.md").read_text(encoding="utf-8")
    for row in packaged_rows():
        if row["deaths"] or row["warned"]:
            assert f"| {row['date']} | {row['actor']} → {row['target']} |" in notes, row


def test_corrections_cite_the_source_of_every_row_in_the_sources_note():
    notes = (FOLDER / f"{NAME}.notes.md").read_text(encoding="utf-8")
    assert "## Sources" in notes and "`source_url`" in notes
    assert all(row["source_url"].startswith("http") for row in packaged_rows())


# --- loading from files and bad metadata ------------------------------------------------------


def copy_builtin(tmp_path: Path) -> Path:
    for suffix in (".csv", ".yaml", ".notes.md"):
        target = tmp_path / f"{NAME}{suffix}"
        target.write_bytes((FOLDER / f"{NAME}{suffix}").read_bytes())
    return tmp_path / f"{NAME}.yaml"


def test_timeline_loads_from_a_metadata_file_path(tmp_path):
    timeline = load_timeline(copy_builtin(tmp_path))
    assert len(timeline.events) == 42 and timeline.problems == ()
    assert timeline.events[0].file.endswith(f"{NAME}.csv")


def test_metadata_errors_name_the_file_line_and_field(tmp_path):
    meta = copy_builtin(tmp_path)
    text = meta.read_text(encoding="utf-8")
    text = text.replace("scenario: us-iran-2020", "scenario: us-iran-2020\nscenaro: typo")
    text = text.replace("end: 2020-03-17", "end: soon")
    meta.write_text(text, encoding="utf-8")
    with pytest.raises(TimelineError) as exc:
        load_timeline(meta)
    found = {(p.path, p.line) for p in exc.value.problems}
    lines = text.splitlines()
    assert ("scenaro", lines.index("scenaro: typo") + 1) in found
    assert any(path == "period.end" for path, _ in found)


def test_actor_code_missing_from_the_aliases_is_a_problem(tmp_path):
    meta = copy_builtin(tmp_path)
    text = meta.read_text(encoding="utf-8").replace("  E3: null", "")
    meta.write_text(text, encoding="utf-8")
    timeline = load_timeline(meta)
    assert timeline.unaliased_actors == ("E3",)
    assert any("'E3'" in p.message and p.path == "actor_aliases" for p in timeline.problems)
    with pytest.raises(TimelineError, match="'E3'"):
        load_timeline(meta, strict=True)


def test_event_outside_the_period_is_a_problem(tmp_path):
    meta = copy_builtin(tmp_path)
    meta.write_text(
        meta.read_text(encoding="utf-8").replace("start: 2019-12-27", "start: 2019-12-28"),
        encoding="utf-8",
    )
    timeline = load_timeline(meta)
    assert [(p.path, p.line) for p in timeline.problems] == [("date", 2)]


def test_bad_rows_of_a_timeline_are_its_problems(tmp_path):
    meta = copy_builtin(tmp_path)
    events = tmp_path / f"{NAME}.csv"
    events.write_text(
        events.read_text(encoding="utf-8").replace(",186,Assassinate,", ",1866,Assassinate,"),
        encoding="utf-8",
    )
    timeline = load_timeline(meta)
    assert len(timeline.events) == 41
    assert [(p.path, p.line) for p in timeline.problems] == [("cameo_code", 10)]


def test_unknown_timeline_name_lists_the_builtins():
    with pytest.raises(TimelineError, match=NAME):
        load_timeline("us-iran-1979")


def test_events_file_must_exist(tmp_path):
    meta = copy_builtin(tmp_path)
    (tmp_path / f"{NAME}.csv").unlink()
    with pytest.raises(TimelineError, match="not found"):
        load_timeline(meta)
