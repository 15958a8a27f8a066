"""Backtests: the scores on worked examples, the baselines on a small synthetic timeline, the
coverage rule, and the command end to end (its structure only: the simulator's numbers move as
the engine changes)."""

from __future__ import annotations

import json
import math
import shutil
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
from scipy import stats

from crisislab._version import __version__
from crisislab.cli import main
from crisislab.errors import BadInput
from crisislab.history import load_timeline
from crisislab.history.backtest import (
    BASELINES,
    COUNT,
    EVENTS,
    FORECASTERS,
    Fork,
    attack_day_counts,
    backtest,
    brier,
    climatology,
    crps_ensemble,
    crps_poisson,
    daily_observations,
    fork_dates,
    log_score,
    mean_scores,
    persistence,
    poisson_probability,
    recent_rate,
    reliability,
    score_window,
    skill,
)
from crisislab.history.fork import proxy_groups
from crisislab.history.replay import prepare

FIXTURES = Path(__file__).parent / "fixtures"
ROOT = Path(__file__).parents[2]

# Day 0: the challenger strikes (lethal); day 4: the defender strikes the challenger's territory;
# day 11: a threat (no attack); day 19, the last: the challenger strikes again.
EVENTS_CSV = """\
date,actor,target,action,description,source_url,cameo_code,cameo_label,goldstein,deaths,victims,warned
2020-01-01,BBB,AAA,missile_strike,strike,test,195,Employ aerial weapons,-10.0,2,AAA,
2020-01-05,AAA,BBB,strike_on_state,strike,test,195,Employ aerial weapons,-10.0,3,BBB,
2020-01-12,AAA,BBB,threaten,threat,test,138,Threaten with military force,-7.0,,,
2020-01-20,BBB,AAA,missile_strike,strike,test,195,Employ aerial weapons,-10.0,0,AAA,
"""
META = """\
name: synthetic
period: {start: 2020-01-01, end: 2020-01-20}
scenario: two-leaders.yaml
events: events.csv
format: crisislab
actor_aliases: {AAA: AAA, BBB: BBB}
"""


@pytest.fixture
def synthetic(tmp_path: Path) -> Path:
    shutil.copy(FIXTURES / "two-leaders.yaml", tmp_path / "two-leaders.yaml")
    (tmp_path / "events.csv").write_text(EVENTS_CSV)
    (tmp_path / "synthetic.yaml").write_text(META)
    return tmp_path / "synthetic.yaml"


# --- scores on worked examples -----------------------------------------------------------------


def test_brier_and_log_scores_match_the_hand_computed_values():
    assert brier(0.2, True) == pytest.approx(0.64)
    assert brier(0.2, False) == pytest.approx(0.04)
    assert log_score(0.2, True) == pytest.approx(-math.log(0.2))
    assert log_score(0.2, False) == pytest.approx(-math.log(0.8))
    # a forecast of 0 or 1 is kept inside [0.001, 0.999], as the fork's calibration does
    assert log_score(0.0, True) == pytest.approx(-math.log(0.001))
    assert log_score(1.0, True) == pytest.approx(-math.log(0.999))


def test_crps_of_a_known_ensemble_and_of_a_point():
    # E|X - 1| = (1 + 0 + 1 + 2) / 4 = 1; E|X - X'| = 20 / 16; CRPS = 1 - 0.625
    assert crps_ensemble(1, np.array([0, 1, 2, 3])) == pytest.approx(0.375)
    assert crps_ensemble(3, np.array([1])) == pytest.approx(2.0)  # a point: its absolute error
    assert crps_ensemble(2, np.array([2, 2, 2])) == pytest.approx(0.0)


def test_crps_of_a_poisson_is_the_sum_over_its_cdf():
    k = np.arange(200)
    by_hand = float(np.sum((stats.poisson.cdf(k, 2.5) - (k >= 3)) ** 2))
    assert crps_poisson(3, 2.5) == pytest.approx(by_hand, rel=1e-9)
    assert crps_poisson(0, 0.0) == pytest.approx(0.0)
    assert crps_poisson(2, 0.0) == pytest.approx(2.0)


def test_skill_score():
    assert skill(0.1, 0.2) == pytest.approx(0.5)
    assert skill(0.3, 0.2) == pytest.approx(-0.5)
    assert skill(0.0, 0.0) is None and skill(None, 0.2) is None and skill(0.1, None) is None


def test_mean_scores_and_skill_over_cases():
    def case(p_model: float, p_clim: float, happened: bool) -> dict:
        entry = {
            "brier": {"model": brier(p_model, happened), "climatology": brier(p_clim, happened)},
            "log_score": {"model": 0.0, "climatology": 1.0},
        }
        for metric in entry:
            entry[metric] |= {"persistence": None, "poisson": None}
        return {"outcomes": {"war": entry}}

    cases = [case(0.1, 0.5, False), case(0.7, 0.5, True)]  # Brier: model 0.01, 0.09; clim 0.25
    found = mean_scores(cases, ("war",))
    assert found["mean"]["brier"]["model"] == pytest.approx(0.05)
    assert found["mean"]["brier"]["climatology"] == pytest.approx(0.25)
    assert found["skill"]["brier"]["climatology"] == pytest.approx(0.8)
    assert found["skill"]["brier"]["persistence"] is None
    assert set(found["mean"]) == {"brier", "log_score"}


def test_reliability_bins_forecasts_against_observed_frequencies():
    pairs = [(0.05, False), (0.08, True), (0.95, True), (1.0, True), (0.55, False)]
    bins = reliability(pairs, bins=10)
    assert len(bins) == 10
    assert bins[0] == {
        "lower": 0.0,
        "upper": 0.1,
        "n": 2,
        "mean_forecast": pytest.approx(0.065),
        "observed_frequency": 0.5,
    }
    assert bins[9]["n"] == 2 and bins[9]["observed_frequency"] == 1.0  # 1.0 falls in the last
    assert bins[5]["n"] == 1 and bins[5]["observed_frequency"] == 0.0
    assert bins[3] == {
        "lower": 0.3,
        "upper": 0.4,
        "n": 0,
        "mean_forecast": None,
        "observed_frequency": None,
    }


# --- baselines on synthetic data ----------------------------------------------------------------


def test_persistence_and_recent_rates_on_a_short_series():
    flags = np.array([1, 0, 0, 1, 0, 0, 0, 0, 0, 0], dtype=bool)
    assert persistence(flags, 3, 2, count=False) == 1.0  # days 2-3
    assert persistence(flags, 2, 2, count=False) == 0.0  # days 1-2
    assert persistence(flags, 3, 10, count=True) == 2.0  # cut at the first day: days 0-3
    assert recent_rate(flags, 3) == pytest.approx(2 / 4)
    assert recent_rate(flags, 9, recent=5) == 0.0
    assert poisson_probability(0.5, 10) == pytest.approx(1 - math.exp(-5))
    assert poisson_probability(0.0, 30) == 0.0


def test_attack_day_counts_read_the_daily_rungs_and_count_war_days():
    rung = np.array(
        [
            [9, 7, 0, 12, 0, 0],  # the fork day (column 0) is not counted: days 1 and 3
            [0, 0, 6, 0, 0, 0],  # rung 6 is no attack
            [0, 0, 12, 0, 0, 0],  # war on day 2: frozen after, every day from it counts
        ],
        dtype=np.float32,
    )
    columns = {"daily_rung": rung, "war_day": np.array([-1, -1, 2])}
    assert attack_day_counts(columns, 5).tolist() == [2, 0, 4]
    assert attack_day_counts(columns, 2).tolist() == [1, 0, 1]


def test_the_timeline_is_read_day_by_day(synthetic):
    tl, resolved, mapped = prepare(synthetic, None, None)
    flags = daily_observations(mapped, tl, proxy_groups(resolved))
    assert len(flags[COUNT]) == 20
    assert flags["state_strike"].nonzero()[0].tolist() == [4]
    assert flags[COUNT].nonzero()[0].tolist() == [0, 4, 19]  # the threat is no attack
    assert not flags["war"].any() and not flags["lethal_proxy_attack"].any()


def _fake_result(scenario: object, runs: int = 4) -> SimpleNamespace:
    """Per-run columns as the simulator gives them, with known values."""
    never = np.full(runs, -1)
    rung = np.zeros((runs, 92), dtype=np.float32)
    rung[0, [1, 2, 3]] = 8
    rung[1, 5] = 12
    return SimpleNamespace(
        scenario=scenario,
        n_runs=runs,
        columns={
            "first_state_strike_day": np.array([-1, 1, 5, 15]),
            "first_lethal_proxy_attack_day": never,
            "first_proxy_strike_day": never,
            "host_expulsion_day": never,
            "war_day": np.array([-1, -1, -1, 3]),
            "daily_rung": rung,
        },
    )


def test_baselines_and_outcomes_of_each_fork_day_by_hand(synthetic):
    """Fork days 0, 7 and 14 of a 20-day timeline (last day 19), 30-day window: scored on 19,
    12 and 5 days, with the baselines read off the days up to each fork day."""
    tl, resolved, mapped = prepare(synthetic, None, None)
    flags = daily_observations(mapped, tl, proxy_groups(resolved))
    shares = {"state_strike": 0.4, "lethal_proxy_attack": 0.6, "war": 0.1}

    def window(day: int) -> dict:
        return score_window(Fork(tl, mapped, flags, day, _fake_result(resolved)), 30, shares)

    first, second, third = window(0), window(7), window(14)
    assert [c["window_days"] for c in (first, second, third)] == [19, 12, 5]

    strike = second["outcomes"]["state_strike"]
    assert strike["observed"] is False  # days 8-19 hold no defender strike on the state
    assert strike["forecast"] == {
        "model": 0.5,  # first strike on days 1 and 5 of four runs' 1, 5, 15 and never
        "climatology": 0.4,
        "persistence": 1.0,  # day 4 lies in the 12 days up to day 7
        "poisson": pytest.approx(1 - math.exp(-12 / 8), abs=1e-6),  # one day in 8
    }
    assert strike["brier"]["model"] == pytest.approx(0.25)
    assert strike["log_score"]["persistence"] == pytest.approx(-math.log(0.001))
    attacks = second["outcomes"][COUNT]
    assert attacks["observed"] == 1  # day 19
    assert attacks["forecast"]["persistence"] == 2.0  # days 0 and 4
    assert attacks["forecast"]["poisson"] == pytest.approx(2 / 8 * 12)
    assert attacks["forecast"]["model"]["mean"] == pytest.approx((3 + 1 + 0 + 10) / 4)
    assert attacks["crps"]["climatology"] is None
    assert attacks["crps"]["persistence"] == pytest.approx(1.0)
    assert attacks["crps"]["poisson"] == pytest.approx(crps_poisson(1, 3.0), abs=1e-6)

    assert first["outcomes"]["state_strike"]["observed"] is True  # day 4
    assert first["outcomes"]["state_strike"]["forecast"]["persistence"] == 0.0
    assert first["outcomes"][COUNT]["forecast"]["poisson"] == pytest.approx(19.0)  # 1 a day
    assert third["outcomes"][COUNT]["forecast"]["persistence"] == 0.0  # days 10-14
    assert third["outcomes"][COUNT]["observed"] == 1


# --- the coverage rule and the whole backtest ---------------------------------------------------


def test_fork_days_each_leave_a_day_of_the_timeline_to_score(synthetic):
    tl = load_timeline(synthetic)
    assert [d.isoformat() for d in fork_dates(tl, 7)] == ["2020-01-01", "2020-01-08", "2020-01-15"]
    assert fork_dates(tl, 19)[-1].isoformat() == "2020-01-01"
    assert len(fork_dates(tl, 1)) == 19  # never on the last day, which leaves nothing to score
    with pytest.raises(BadInput, match="--every"):
        fork_dates(tl, 0)


def test_no_window_is_scored_past_the_timelines_end(synthetic):
    data = backtest([synthetic], every=6, runs=200, seed=1)
    last = 19
    assert len(data["cases"]) == 4 * 2  # fork days 0, 6, 12, 18; windows 30 and 90
    for case in data["cases"]:
        assert case["window_days"] == min(case["window"], last - case["fork_day"]) >= 1
        counts = case["outcomes"][COUNT]["forecast"]["model"]
        assert counts["q95"] <= case["window_days"]
        for name in EVENTS:
            assert set(case["outcomes"][name]["forecast"]) == set(FORECASTERS)
    assert data["timelines"][0]["fork_dates"][-1] == "2020-01-19"
    assert data["scores"]["30"]["war"]["n"] == 4


def test_a_timeline_of_one_day_has_nothing_to_score(tmp_path):
    shutil.copy(FIXTURES / "two-leaders.yaml", tmp_path / "two-leaders.yaml")
    (tmp_path / "events.csv").write_text("".join(EVENTS_CSV.splitlines(keepends=True)[:2]))
    (tmp_path / "one.yaml").write_text(META.replace("2020-01-20", "2020-01-01"))
    with pytest.raises(BadInput, match="single day"):
        backtest([tmp_path / "one.yaml"], runs=10)


def test_the_climatology_ships_with_its_source_and_rules():
    clim = climatology()
    assert "ICB" in clim["source"] and "iwcmb = 1" in clim["reference_class"]
    assert (ROOT / clim["script"]).is_file()
    assert set(clim["outcomes"]) == set(EVENTS)
    for entry in clim["outcomes"].values():
        assert 0 < entry["p"] < 1 and entry["n"] > 100 and entry["computed"]
    assert clim["outcomes"]["war"]["p"] == pytest.approx(0.083, abs=0.001)  # 34 of 410


# --- the command --------------------------------------------------------------------------------


def run(capsys, *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_:
        main(list(args))
    captured = capsys.readouterr()
    return int(exit_.value.code or 0), captured.out, captured.err


def test_cli_json_is_stamped_with_the_versions(capsys, synthetic):
    import scoringrules

    code, out, err = run(
        capsys, "backtest", str(synthetic), "--every", "7", "--runs", "200", "--json"
    )
    assert code == 0, err
    data = json.loads(out)
    assert data["versions"] == {"crisislab": __version__, "scoringrules": scoringrules.__version__}
    assert data["settings"]["every"] == 7 and data["settings"]["windows"] == [30, 90]
    assert {"scores", "lead_time", "reliability", "cases", "baselines", "outcomes"} <= set(data)
    assert set(data["baselines"]) == set(BASELINES)
    assert set(data["lead_time"]["windows"]) == {"30", "90"}
    assert len(data["lead_time"]["fork_days"]) == 3 * 2
    assert len(data["reliability"]["windows"]["30"]) == 10


def test_cli_table_and_html_page(capsys, synthetic, tmp_path):
    page = tmp_path / "backtest.html"
    code, out, err = run(capsys, "backtest", str(synthetic), "--runs", "200", "--html", str(page))
    assert code == 0, err
    assert "skill vs climatology" in out and f"crisislab {__version__}" in out
    text = page.read_text()
    assert text.startswith("<!DOCTYPE html>") and "data:image/svg+xml;base64," in text
    assert "<script" not in text and 'src="http' not in text
    assert f"crisislab {__version__}" in text and "scoringrules" in text


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["us-iran-2019-2020", "--every", "0"], "--every"),
        (["us-iran-2019-2020", "--every", "-2"], "--every"),
        (["no-such-timeline"], "no-such-timeline"),
        (["us-iran-2019-2020", "--html", "no-such-folder/page.html"], "no-such-folder"),
    ],
)
def test_cli_bad_input_is_exit_2_with_one_line(capsys, args, said):
    code, out, err = run(capsys, "backtest", *args, "--runs", "10")
    assert code == 2 and out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:") and said in lines[0]
