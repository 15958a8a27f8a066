"""Replay and fork: worked examples, the fork's exactness, scoring rules, calibration, export."""

from __future__ import annotations

import datetime as dt
import json
import math
from pathlib import Path

import numpy as np
import pytest

import crisislab
from crisislab.cli import main
from crisislab.engine import state
from crisislab.engine.batch import Batch
from crisislab.engine.beliefs import kydd_update
from crisislab.engine.compiled import compile_scenario
from crisislab.engine.params import Setup
from crisislab.history import load_timeline, read_events
from crisislab.history.export import write_events
from crisislab.history.fork import brier, fork, log_score
from crisislab.history.replay import prepare, replay

FIXTURES = Path(__file__).parent / "fixtures"
TWO = FIXTURES / "two-leaders.yaml"
TWO_TIMELINE = FIXTURES / "two-leaders-timeline.yaml"


def test_replay_of_a_warned_strike_gives_the_kydd_worked_number():
    """Noise-free perception of a warned strike (likelihoods 0.6 / 0.1) moves 0.30 to 0.72."""
    first = replay(TWO_TIMELINE, TWO, runs=1024, seed=3).days[0]
    assert first["date"] == "2020-01-01"
    assert first["sides"]["AAA"]["perceived_rung"] == 9  # the warned variant's rung
    assert first["sides"]["AAA"]["belief"] == pytest.approx(0.72, abs=1e-4)
    assert kydd_update(0.3, 0.6, 0.1) == pytest.approx(0.72)


def test_replay_of_an_unwarned_strike_moves_belief_the_other_way(tmp_path):
    csv_text = (FIXTURES / "two-leaders-timeline.csv").read_text().replace(",true\n", ",\n")
    (tmp_path / "two-leaders-timeline.csv").write_text(csv_text)
    meta = tmp_path / "t.yaml"
    meta.write_text(TWO_TIMELINE.read_text())
    first = replay(meta, TWO, runs=1024, seed=3).days[0]
    assert first["sides"]["AAA"]["perceived_rung"] == 12
    assert first["sides"]["AAA"]["belief"] == pytest.approx(kydd_update(0.3, 0.1, 0.6), abs=1e-4)


def test_replay_reports_goldstein_rivera_and_rhetoric_per_day():
    result = replay(TWO_TIMELINE, TWO, runs=1024, seed=3)
    by_date = {d["date"]: d for d in result.days}
    assert [d["date"] for d in result.days] == ["2020-01-01", "2020-01-02", "2020-01-03"]
    assert by_date["2020-01-01"]["goldstein"] == -10.0
    assert by_date["2020-01-01"]["rivera"] == 28
    assert by_date["2020-01-02"]["events"] == 0 and by_date["2020-01-02"]["goldstein"] == 0
    assert by_date["2020-01-03"]["rivera"] == 4  # a threat is posturing
    assert by_date["2020-01-03"]["sides"]["BBB"]["perceived_rung"] == 2


def test_builtin_replay_shows_the_peaks_of_3_and_8_january_and_the_decline_after():
    days = {d["date"]: d for d in replay("us-iran-2019-2020", runs=1024, seed=1).days}
    iran, us = "IRN", "USA"
    assert days["2020-01-03"]["sides"][iran]["perceived_rung"] >= 9  # Soleimani killed
    assert days["2020-01-03"]["sides"][iran]["red_line_fired"] > 0.5
    assert days["2020-01-08"]["sides"][us]["perceived_rung"] >= 8  # Al Asad and Erbil
    assert days["2020-01-08"]["rivera"] == max(d["rivera"] for d in days.values())
    february = [d for date, d in days.items() if date.startswith("2020-02")]
    assert max(max(d["sides"][s]["perceived_rung"] for s in (us, iran)) for d in february) <= 2


def replayed(compiled, script, t0, days=0):
    """Two runs (seed 5) with the script's days before t0 replayed, then `days` simulated days."""
    return Batch(Setup(compiled, t0, days, script, daily=True), 5, 0, 2).run()


def test_a_fork_reproduces_the_replays_state_on_its_day_exactly():
    """The conditioned replay of the record up to the fork day and the fork's own replay end in
    the same state, resampling included (MODEL.md §14)."""
    _, scenario, mapped = prepare("us-iran-2019-2020", None, None)
    at = dt.date(2020, 1, 8)
    t0 = mapped.day_of(at)
    compiled = compile_scenario(scenario)
    full = replayed(compiled, mapped.script(None), t0)
    forked = replayed(compiled, mapped.script(at), t0)
    for f in state.FIELDS:
        assert np.array_equal(full.field(f.name), forked.field(f.name)), f.name
    for name, *_ in state.TABLES:
        assert np.array_equal(full.table(name), forked.table(name)), name
    # the replay did move the state: the killing of Soleimani lowered Iran's trust
    iran = [s.id for s in compiled.sides].index("IRN")
    assert np.all(full.field("belief")[:, iran] < compiled.sides[iran].prior_trust)


def test_scoring_rules_match_hand_computed_values():
    assert brier(0.3, True) == pytest.approx(0.49)
    assert brier(0.3, False) == pytest.approx(0.09)
    assert log_score(0.3, True) == pytest.approx(-math.log(0.3))
    assert log_score(0.3, False) == pytest.approx(-math.log(0.7))
    assert log_score(0.0, True) == pytest.approx(-math.log(0.001))  # an ensemble's floor
    assert log_score(1.0, True) == pytest.approx(-math.log(0.999))


@pytest.fixture(scope="module")
def forked():
    return fork(
        "us-iran-2019-2020",
        dt.date(2020, 1, 8),
        runs=2048,
        seed=2,
        overrides={"actors.USA.doctrine": "proportional"},
    )


def test_fork_json_has_the_run_fields_and_a_calibration_section(forked):
    s = forked.summary()
    assert {"outcomes", "war_kinds", "test", "flags", "metrics"} <= set(s)
    assert s["fork"] == {"timeline": "us-iran-2019-2020", "at": "2020-01-08"}
    events = s["calibration"]["events"]
    assert set(events) == {
        "lethal_proxy_attack",
        "proxy_strike",
        "state_strike",
        "host_expulsion_vote",
        "war",
    }
    for e in events.values():
        assert 0.0 <= e["forecast"] <= 1.0
        assert e["brier"] == pytest.approx(brier(e["forecast"], e["observed"]), abs=1e-6)
        assert e["log_score"] == pytest.approx(log_score(e["forecast"], e["observed"]), abs=1e-6)


def test_fork_knows_what_happened_after_8_january(forked):
    events = forked.summary()["calibration"]["events"]
    assert events["proxy_strike"]["observed"]  # 12 March: US strikes on Kata'ib Hezbollah
    assert events["lethal_proxy_attack"]["observed"]  # 11 March: Camp Taji
    assert not events["state_strike"]["observed"]
    assert not events["war"]["observed"]


def test_fork_goldstein_series_has_the_observed_line_and_quantiles(forked):
    g = forked.goldstein
    assert g["dates"][0] == "2020-01-08"
    assert len(g["observed"]) == len(g["q50"]) == len(g["dates"])
    assert g["observed"][0] == pytest.approx(
        sum(
            r.goldstein
            for r in load_timeline("us-iran-2019-2020").events
            if r.date == dt.date(2020, 1, 8)
        )
    )
    assert all(lo <= hi for lo, hi in zip(g["q05"], g["q95"], strict=True))


def test_exported_simulated_events_read_back_with_the_same_importer(tmp_path):
    path = tmp_path / "simulated.csv"
    n = write_events("us-iran-2020", path, runs=3, seed=4, overrides={"days": 60})
    stream = read_events(path)
    records = list(stream)
    assert len(records) == n > 0
    assert stream.report.ok
    assert all(r.cameo and r.source.startswith("simulated:us-iran-2020") for r in records)


def cli(capsys, *args):
    with pytest.raises(SystemExit) as exit_:
        main(list(args))
    out = capsys.readouterr()
    return int(exit_.value.code or 0), out.out, out.err


def test_cli_replay_json_and_plot(capsys, tmp_path):
    png = tmp_path / "replay.png"
    code, out, err = cli(
        capsys, "replay", "us-iran-2019-2020", "--runs", "1024", "--json", "--plot", str(png)
    )
    assert code == 0, err
    data = json.loads(out)
    day = data["days"][0]
    assert {"date", "goldstein", "rivera"} <= set(day)
    assert {"perceived_rung", "belief"} <= set(day["sides"]["USA"])
    assert png.stat().st_size > 10_000 and png.read_bytes()[:4] == b"\x89PNG"


def test_cli_fork_json(capsys):
    code, out, err = cli(
        capsys,
        "fork",
        "us-iran-2019-2020",
        "--at",
        "2020-01-08",
        "--runs",
        "1024",
        "--days",
        "120",
        "--json",
    )
    assert code == 0, err
    data = json.loads(out)
    assert data["days"] == 120 and "calibration" in data


@pytest.mark.parametrize("at", ["2020-13-01", "2021-01-01"])
def test_cli_fork_bad_date_is_exit_2(capsys, at):
    code, out, err = cli(capsys, "fork", "us-iran-2019-2020", "--at", at, "--runs", "1024")
    assert code == 2 and out == "" and "Traceback" not in err and "--at" in err


def test_an_event_kind_observed_on_the_fork_day_is_still_forecast_after_it():
    """The record's own strike on the fork day is the record, not a forecast: the forecast of a
    US strike on a proxy after 2019-12-29 (the day of the strikes on Kataib Hezbollah) is the
    share of runs that strike again, not 0 because the fork day already had one."""
    result = crisislab.fork(
        "us-iran-2019-2020",
        dt.date(2019, 12, 29),
        runs=2048,
        seed=3,
        overrides={"actors.USA.doctrine": "proportional"},
    )
    forecast = result.summary()["calibration"]["events"]["proxy_strike"]["forecast"]
    assert forecast > 0.02
    assert (result.result.columns["first_proxy_strike_day"] != 0).all()


def test_forecasts_are_scored_only_over_the_days_the_timeline_covers():
    """The timeline ends on 17 March: a fork on 8 January is scored on 69 days, not 90, and a
    fork on its last day has nothing to score."""
    result = crisislab.fork("us-iran-2019-2020", dt.date(2020, 1, 8), runs=512, seed=2)
    cal = result.summary()["calibration"]
    assert (cal["window_days"], cal["requested_window_days"]) == (69, 90)
    first = result.result.columns["first_state_strike_day"]
    forecast = cal["events"]["state_strike"]["forecast"]
    assert forecast == pytest.approx(float(np.mean((first >= 1) & (first <= 69))), abs=1e-6)
    last = crisislab.fork("us-iran-2019-2020", dt.date(2020, 3, 17), runs=64, seed=2)
    cal = last.summary()["calibration"]
    assert cal["window_days"] == 0 and cal["mean_brier"] is None
    assert all(e["observed"] is None for e in cal["events"].values())


def test_a_replay_counts_every_row_it_did_not_replay_by_reason():
    """No row is dropped silently: the rows kept but not replayed are counted by reason, and
    with those replayed they add up to the timeline's rows."""
    mapping = replay("korea-2010", runs=64, seed=1).to_json()["mapping"]
    assert mapping["rows"] == 23
    assert mapping["replayed"] + sum(mapping["not_replayed_by_reason"].values()) == 23
    assert mapping["not_replayed_by_reason"]  # the UN Security Council and US exercise rows
