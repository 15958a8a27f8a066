"""The built-in timelines india-china-2020 and korea-2010: each loads with no bad row, every row
cites a public source, is coded by the codebook and maps onto its scenario; replay and fork run.

No forecast is asserted: the engine is still being tuned."""

from __future__ import annotations

import csv
import datetime as dt
from importlib.resources import files

import pytest

from crisislab.history import load_timeline, timeline_names
from crisislab.history.fork import fork
from crisislab.history.replay import replay
from crisislab.scenario.codebooks import cameo_label, goldstein, is_cameo_code
from crisislab.scenario.loader import load_scenario

FOLDER = files("crisislab.history") / "timelines"
# name: (rows, first day, last day, a fork day inside the period, the codes mapped to nothing)
TIMELINES = {
    "india-china-2020": (
        31,
        dt.date(2020, 5, 5),
        dt.date(2020, 9, 10),
        dt.date(2020, 6, 16),
        {"UNK_LAC"},
    ),
    "korea-2010": (23, dt.date(2010, 3, 26), dt.date(2010, 12, 20), dt.date(2010, 5, 24), {"UNSC"}),
}
NAMES = list(TIMELINES)


def _rows(name: str) -> list[dict[str, str]]:
    text = (FOLDER / f"{name}.csv").read_text(encoding="utf-8")
    return list(csv.DictReader(text.splitlines()))


@pytest.fixture(scope="module", params=NAMES)
def timeline(request):
    return load_timeline(request.param)


def test_both_are_built_in_with_their_three_files():
    assert set(NAMES) <= set(timeline_names())
    for name in NAMES:
        for suffix in (".csv", ".yaml", ".notes.md"):
            assert (FOLDER / f"{name}{suffix}").is_file(), name + suffix


def test_loads_with_zero_bad_rows_and_no_warnings(timeline):
    rows, start, end, _, _ = TIMELINES[timeline.name]
    assert timeline.report.ok and timeline.report.warning_count == 0
    assert timeline.problems == ()
    assert (timeline.report.read, timeline.report.kept) == (rows, rows)
    assert (timeline.start, timeline.end) == (start, end)
    dates = [e.date for e in timeline.events]
    assert (min(dates), max(dates)) == (start, end)
    assert timeline.scenario == timeline.name


def test_strict_loading_accepts_it(timeline):
    assert load_timeline(timeline.name, strict=True).report.ok


def test_every_row_cites_a_public_source_url(timeline):
    for event in timeline.events:
        assert event.source.startswith(("https://", "http://")), event.line
        assert " " not in event.source, event.line
    for line, row in enumerate(_rows(timeline.name), start=2):
        assert row["source_url"].startswith(("https://", "http://")), line
        assert row["description"].strip(), line


def test_every_row_is_coded_by_the_codebook(timeline):
    for line, row in enumerate(_rows(timeline.name), start=2):
        code = row["cameo_code"]
        assert is_cameo_code(code), line
        assert row["cameo_label"].lower() == cameo_label(code).lower(), line
        assert float(row["goldstein"]) == goldstein(code), line


def test_every_actor_code_maps_to_a_scenario_actor_or_to_nothing_on_purpose(timeline):
    *_, unmapped = TIMELINES[timeline.name]
    actors = set(load_scenario(timeline.scenario).actors)
    assert timeline.unaliased_actors == ()
    assert set(timeline.unmapped_actors) == unmapped
    for code in timeline.actor_codes:
        actor = timeline.actor_id(code)
        assert actor is None or actor in actors, (code, actor)


def test_casualty_columns_name_a_nationality_of_the_scenario(timeline):
    scenario = load_scenario(timeline.scenario)
    nationalities = {a.nationality for a in scenario.actors.values()}
    lethal = [r for r in _rows(timeline.name) if r["deaths"] and int(r["deaths"]) > 0]
    assert lethal, "each crisis has lethal events"
    assert all(r["victims"] in nationalities for r in lethal)


def test_replay_runs_over_the_whole_period(timeline):
    result = replay(timeline.name, runs=64, seed=1)
    days = result.to_json()["days"]
    assert days and days[0]["date"] == timeline.start.isoformat()
    assert days[-1]["date"] == timeline.end.isoformat()
    # what the scenario cannot take part in is reported, never dropped in silence
    *_, unmapped = TIMELINES[timeline.name]
    reported = result.to_json()["not_replayed"]
    others = [p for p in reported if "is not in the dyad" not in p]  # a coalition's exercises
    assert all(any(code in p for code in unmapped) for p in others)


def test_fork_runs_from_a_day_inside_the_period(timeline):
    *_, at, _ = TIMELINES[timeline.name]
    summary = fork(timeline.name, at, runs=64, seed=1, days=60).summary()
    shares = [summary["outcomes"][k]["p"] for k in summary["outcomes"]]
    assert sum(shares) == pytest.approx(1.0)
    assert summary["fork"] == {"timeline": timeline.name, "at": at.isoformat()}
    assert summary["calibration"]
