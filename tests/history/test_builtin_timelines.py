"""The sourced timelines of the Russia–Turkey (2015-2016) and India–Pakistan (2019) crises: each
loads with no bad row and no warning, cites a public URL on every row, is coded by the codebook,
maps its actor codes onto its scenario, documents its casualty and warning columns, and replays
and forks from the library and the command line. No exact forecast is asserted: the engine is
still being calibrated."""

from __future__ import annotations

import csv
import datetime as dt
from importlib.resources import files

import pytest

import crisislab
from crisislab.cli import main
from crisislab.history import load_timeline, timeline_names
from crisislab.history.replay import replay
from crisislab.scenario.codebooks import cameo_label, goldstein, is_cameo_code
from crisislab.scenario.loader import builtin_names, load_scenario

FOLDER = files("crisislab.history") / "timelines"
# name -> (scenario, first day, last day, a fork date inside, codes mapped to no scenario actor)
TIMELINES = {
    "russia-turkey-2015-2016": (
        "russia-turkey-2015",
        dt.date(2015, 11, 24),
        dt.date(2016, 7, 1),
        dt.date(2015, 11, 28),
        {"SYR_YPG"},
    ),
    "india-pakistan-2019": (
        "india-pakistan-2019",
        dt.date(2019, 2, 14),
        dt.date(2019, 3, 14),
        dt.date(2019, 2, 27),
        {"INDMIL_LOC"},
    ),
}
NAMES = sorted(TIMELINES)


def rows(name: str) -> list[dict[str, str]]:
    text = (FOLDER / f"{name}.csv").read_text(encoding="utf-8")
    return list(csv.DictReader(text.splitlines()))


def cli(capsys, *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_:
        main(list(args))
    out = capsys.readouterr()
    return int(exit_.value.code or 0), out.out, out.err


@pytest.mark.parametrize("name", NAMES)
def test_timeline_files_are_package_resources(name):
    assert name in timeline_names()
    for suffix in (".csv", ".yaml", ".notes.md"):
        assert (FOLDER / f"{name}{suffix}").is_file()


@pytest.mark.parametrize("name", NAMES)
def test_timeline_loads_with_zero_bad_rows_and_no_warning(name):
    timeline = load_timeline(name, strict=True)  # strict: any bad row would raise
    report = timeline.report
    assert report.ok and report.rejected == 0 and report.warning_count == 0
    assert timeline.problems == ()
    assert report.read == report.kept == len(rows(name)) == len(timeline.events)


@pytest.mark.parametrize("name", NAMES)
def test_timeline_covers_its_period_and_pairs_with_a_builtin_scenario(name):
    scenario, first, last, _, _ = TIMELINES[name]
    timeline = load_timeline(name)
    assert (timeline.start, timeline.end) == (first, last)
    dates = [e.date for e in timeline.events]
    assert (min(dates), max(dates)) == (first, last)
    assert timeline.scenario == scenario and scenario in builtin_names()


@pytest.mark.parametrize("name", NAMES)
def test_every_row_cites_a_public_url(name):
    for line, row in enumerate(rows(name), start=2):
        url = row["source_url"]
        assert url.startswith(("https://", "http://")) and " " not in url, (name, line)
        assert row["description"].strip(), (name, line)
    assert all(e.source.startswith(("https://", "http://")) for e in load_timeline(name).events)


@pytest.mark.parametrize("name", NAMES)
def test_every_row_is_coded_by_the_codebook(name):
    for line, row in enumerate(rows(name), start=2):
        code = row["cameo_code"]
        assert is_cameo_code(code), (name, line)
        assert row["cameo_label"].lower() == cameo_label(code).lower(), (name, line)
        assert float(row["goldstein"]) == goldstein(code), (name, line)


@pytest.mark.parametrize("name", NAMES)
def test_every_actor_code_maps_to_a_scenario_actor_or_to_null(name):
    scenario, *_, unmapped = TIMELINES[name]
    timeline = load_timeline(name)
    actors = set(load_scenario(scenario).actors)
    assert timeline.unaliased_actors == ()
    for code in timeline.actor_codes:
        actor = timeline.actor_id(code)
        assert actor is None or actor in actors, (code, actor)
    assert set(timeline.unmapped_actors) == unmapped


def test_actor_aliases_put_each_side_and_group_where_the_scenarios_have_them():
    rt = load_timeline("russia-turkey-2015-2016")
    assert {c: rt.actor_id(c) for c in ("RUSMIL", "TURMIL", "SYR_TKM", "SYR_REB")} == {
        "RUSMIL": "RUS",
        "TURMIL": "TUR",
        "SYR_TKM": "TKM",
        "SYR_REB": "TKM",
    }
    ip = load_timeline("india-pakistan-2019")
    assert {c: ip.actor_id(c) for c in ("INDMIL", "PAKMIL", "PAK_JEM", "PAKMIL_LOC")} == {
        "INDMIL": "IND",
        "PAKMIL": "PAK",
        "PAK_JEM": "JEM",
        "PAKMIL_LOC": "HARDLINERS",
    }


@pytest.mark.parametrize("name", NAMES)
def test_casualty_and_warning_columns_are_explained_in_the_notes(name):
    notes = (FOLDER / f"{name}.notes.md").read_text(encoding="utf-8")
    assert "## Sources" in notes and "`source_url`" in notes
    for row in rows(name):
        if row["deaths"] or row["warned"]:
            assert f"| {row['date']} | {row['actor']} → {row['target']} |" in notes, row


@pytest.mark.parametrize("name", NAMES)
def test_replay_runs_and_reports_what_it_could_not_replay(name):
    result = replay(name, runs=64, seed=1)
    assert result.scenario.name == TIMELINES[name][0]
    assert result.days and {d["date"] for d in result.days} >= {TIMELINES[name][1].isoformat()}
    replayed = sum(d["events"] for d in result.days)
    assert replayed == len(rows(name))  # every record counts in the daily series
    assert len(result.mapped.problems) < len(rows(name)) // 2  # most rows take part


@pytest.mark.parametrize("name", NAMES)
def test_fork_runs_from_a_day_inside_the_timeline(name):
    *_, at, _ = TIMELINES[name]
    summary = crisislab.fork(name, at, runs=256, seed=1, days=120).summary()
    assert summary["fork"] == {"timeline": name, "at": at.isoformat()}
    assert sum(v["p"] for v in summary["outcomes"].values()) == pytest.approx(1.0)
    cal = summary["calibration"]
    assert cal["window_days"] > 0 and cal["mean_brier"] is not None


@pytest.mark.parametrize("name", NAMES)
def test_cli_replay_and_fork_accept_every_row(capsys, name):
    *_, at, _ = TIMELINES[name]
    code, out, err = cli(capsys, "replay", name, "--runs", "64")
    assert code == 0, err
    assert "skipped" not in err
    code, out, err = cli(
        capsys, "fork", name, "--at", at.isoformat(), "--runs", "500", "--days", "120"
    )
    assert code == 0, err
    assert "P(war)" in out
