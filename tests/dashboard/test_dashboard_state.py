"""The dashboard's pure helpers, runner, figures and launcher, without a browser."""

from __future__ import annotations

import io
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

import crisislab
from crisislab.dashboard import charts, launch, runner, state
from crisislab.scenario.loader import MAX_FILE_BYTES, ScenarioError, with_overrides

FIXTURES = Path(__file__).parent / "fixtures"
GENERIC = FIXTURES / "north-south.yaml"
BAD = FIXTURES / "bad-scenario.yaml"


@pytest.fixture(scope="module")
def us_iran():
    return crisislab.load_scenario("us-iran-2020")


@pytest.fixture(scope="module")
def generic():
    return crisislab.load_scenario(str(GENERIC))


@pytest.fixture(scope="module")
def record(generic):
    """One small run request on the generic scenario (every run kept day by day)."""
    return runner.run_request(
        "key", "label", generic, 600, 3, {"actors.NORTH.doctrine": "proportional"}, 90
    )


# --- levers -----------------------------------------------------------------------------------


def test_levers_of_the_flagship_scenario(us_iran):
    specs = {lever.path: lever for lever in state.levers(us_iran)}
    for path in (
        "actors.USA.doctrine",
        "actors.USA.rhetoric",
        "actors.IRN.type_prior",
        "actors.IRN.enforcement",
        "channel.kind",
        "channel.carries_c2",
        "actors.KH.control",
        "actors.PMF.control",
        "actors.IRGC.control",
        "fronts.host.diplomacy",
        "fronts.host.sanctions_threat",
        "fronts.maritime.posture",
        "fronts.nuclear.dialogue",
        "fronts.nuclear.preventive_strike",
    ):
        assert path in specs, path
    assert specs["actors.USA.doctrine"].default == "restraint"
    assert specs["actors.USA.doctrine"].options == state.DOCTRINES
    assert specs["actors.IRN.type_prior"].default == pytest.approx(0.6)
    assert specs["actors.KH.control"].default == pytest.approx(0.6)
    assert specs["channel.kind"].default == "indirect"
    assert next(iter(specs)) == "actors.USA.doctrine"  # the defender comes first


def test_levers_follow_roles_not_ids(generic):
    specs = state.levers(generic)
    paths = [lever.path for lever in specs]
    assert paths[:2] == ["actors.NORTH.doctrine", "actors.NORTH.rhetoric"]
    assert "actors.SOUTH.type_prior" in paths and "actors.SOUTH.enforcement" in paths
    assert "actors.BAND.control" in paths and "actors.GUARD.control" in paths
    assert "actors.NORTH.type_prior" not in paths  # only the challenger's type is a lever
    assert not [p for p in paths if p.startswith("fronts.")]  # no front is switched on
    assert not [lever for lever in specs if "USA" in lever.label or "IRN" in lever.label]
    by_path = {lever.path: lever for lever in specs}
    assert by_path["actors.NORTH.doctrine"].default == "gtft"
    assert by_path["actors.BAND.control"].default == pytest.approx(0.55)


@pytest.mark.parametrize("name", [*crisislab.builtin_names(), str(GENERIC)])
def test_every_lever_is_a_valid_override(name):
    scenario = crisislab.load_scenario(name)
    for lever in state.levers(scenario):
        if lever.kind == "choice":
            value = next(o for o in lever.options if o != lever.default)
        elif lever.kind == "switch":
            value = not lever.default
        else:
            value = 0.25 if lever.default != 0.25 else 0.75
        changed = with_overrides(scenario, {lever.path: value})
        assert changed != scenario, lever.path


def test_overrides_keep_only_changed_values(us_iran):
    specs = state.levers(us_iran)
    defaults = {lever.path: lever.default for lever in specs}
    assert state.overrides_from(specs, defaults) == {}
    values = {
        **defaults,
        "actors.USA.doctrine": "gtft",
        "actors.KH.control": 0.6000000001,
        "actors.IRN.type_prior": 0.35,
        "channel.carries_c2": True,
    }
    assert state.overrides_from(specs, values) == {
        "actors.USA.doctrine": "gtft",
        "actors.IRN.type_prior": 0.35,
        "channel.carries_c2": True,
    }
    assert state.describe_overrides({}) == "the scenario as written"
    assert state.describe_overrides({"channel.kind": "hotline"}) == "channel.kind=hotline"


# --- caps -------------------------------------------------------------------------------------


def test_request_caps():
    assert state.max_runs(365) == state.MAX_RUNS_PER_REQUEST == 50_000
    assert state.max_runs(3650) == 5000
    assert state.max_runs(30) == 50_000
    assert state.clamp_runs(10**9, 365) == 50_000
    assert state.clamp_runs(0, 365) == 1
    assert state.trajectory_runs(5000, 365) == state.MAX_TRAJECTORY_RUNS
    assert state.trajectory_runs(100, 365) == 100
    assert state.trajectory_runs(50_000, 3650) == 204
    assert state.MAX_UPLOAD_MB * 2**20 >= state.MAX_UPLOAD_BYTES


# --- uploads ----------------------------------------------------------------------------------


def test_upload_is_validated_with_the_cli_messages():
    raw = BAD.read_bytes()
    with pytest.raises(ScenarioError) as uploaded:
        state.scenario_from_upload("bad-scenario.yaml", raw)
    with pytest.raises(ScenarioError) as from_path:
        crisislab.load_scenario(str(BAD))
    lines = state.problem_lines(uploaded.value)
    assert lines == [
        str(p).replace(str(BAD), "bad-scenario.yaml") for p in from_path.value.problems
    ]
    assert lines[0].startswith("bad-scenario.yaml:10:5: actors.NORTH.doctrine: ")
    assert lines[1].startswith("bad-scenario.yaml:20:5: actors.BAND.control: ")
    assert lines[2].startswith("bad-scenario.yaml:23:11: channel.kind: ")


def test_upload_of_a_valid_file(generic):
    scenario = state.scenario_from_upload("north-south.yaml", GENERIC.read_bytes())
    assert scenario == generic
    key = state.upload_key("north-south.yaml", GENERIC.read_bytes())
    assert key.startswith("upload:north-south.yaml:")
    assert key != state.upload_key("north-south.yaml", GENERIC.read_bytes() + b"\n# changed\n")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (b"x" * (MAX_FILE_BYTES + 1), "up.yaml: file is 2.0 MB; scenario files are limited to"),
        (b"name: a\x00b\n", "up.yaml: this is a binary file, not a YAML scenario"),
        (b"name: caf\xe9\n", "up.yaml: not UTF-8 text (undecodable byte at offset 9)"),
        (b"", "up.yaml: a scenario must be a YAML mapping, got empty"),
        (b"name: [unclosed\n", "up.yaml:2:1: malformed YAML"),
    ],
)
def test_upload_refusals(raw, expected):
    with pytest.raises(ScenarioError) as caught:
        state.scenario_from_upload("up.yaml", raw)
    assert state.problem_lines(caught.value)[0].startswith(expected)


def test_markdown_escape_keeps_text_literal():
    text = "a.yaml:3:5: red_lines.x_y: *got* [1] <NAT> :red[no] `code` #"
    escaped = state.md_escape(text)
    assert escaped.replace("\\", "").replace(state.WORD_JOINER, "") == text.replace("\\", "")
    for ch in "_*[]<>:`#.!()&$":
        assert ch not in escaped.replace(f"\\{ch}", "")


@pytest.mark.parametrize(
    ("text", "split"),
    [
        ("see https://tracker.example/x.png", "https:^//"),
        ("see www.tracker.example", "www^."),
        ("write to spy@tracker.example", "spy@^tracker"),
        ("an emoji :smile: or :+1:", ":^smile: or :^+1:"),
    ],
)
def test_markdown_escape_breaks_what_streamlit_would_make_a_link_or_an_emoji(text, split):
    """Streamlit links bare addresses (and makes emoji) in the text left after escapes are
    resolved: an invisible word joiner inside the pattern stops it."""
    escaped = state.md_escape(text)
    assert split.replace("^", state.WORD_JOINER) in escaped.replace("\\", "")  # ^: the joiner
    assert escaped.replace("\\", "").replace(state.WORD_JOINER, "") == text


def test_markdown_escape_leaves_located_messages_readable():
    text = "up.yaml:10:5: actors.NORTH.doctrine: Input should be 'restraint'"
    assert state.WORD_JOINER not in state.md_escape(text)


# --- tables and trajectories ------------------------------------------------------------------


def test_outcome_tables(record):
    summary = record.result.summary()
    frame = state.outcome_frame(summary)
    assert list(frame["outcome"]) == ["stable de-escalation", "frozen conflict", "war"]
    assert frame["p"].sum() == pytest.approx(1.0, abs=1e-5)
    assert (frame["ci_low"] <= frame["p"]).all() and (frame["p"] <= frame["ci_high"]).all()
    shown = state.outcome_display(summary)
    assert list(shown.columns) == ["outcome", "probability", "95% interval"]
    assert shown["probability"].str.endswith("%").all()
    assert len(state.mechanisms_display(summary)) >= 10
    assert "measure" in state.metrics_display(summary)


def test_doctrines_are_the_six_of_version_2():
    from crisislab.cli import DOCTRINES

    assert state.DOCTRINES == DOCTRINES
    assert set(state.DOCTRINE_HELP) == set(DOCTRINES)


def test_violence_and_termination_tables(record):
    summary = record.result.summary()
    violence = state.violence_display(summary)
    assert list(violence["highest violence level"]) == [
        "no violence",
        "minor clashes",
        "serious clashes",
        "full-scale war",
    ]
    shares = [float(v.rstrip("%")) for v in violence["share of runs"]]
    assert sum(shares) == pytest.approx(100, abs=0.3)
    ending = state.termination_display(summary)
    measures = list(ending["measure"])
    for measure in (
        "crisis ended by the horizon",
        "median length of the first crisis (ended ones)",
        "first crisis ended within 90 days",
        "ended tacitly",
        "ended by agreement (both sides used the channel)",
        "ended imposed (a war's ceasefire)",
        "a new crisis began after an end (recurred)",
        "recurrences (mean per run)",
    ):
        assert measure in measures
    median = summary["termination"]["end_day_median"]
    shown = ending["value"][measures.index("median length of the first crisis (ended ones)")]
    assert shown == ("—" if median is None else f"{median:.0f} days")


def test_endings_are_competing_risks_of_the_first_crisis(record, generic):
    columns = record.result.columns
    ends = state.endings(columns, generic.start_date, record.days)
    assert ends.runs == 600 and ends.days == 90 and ends.dates()[0] == generic.start_date
    assert np.all(np.diff(ends.ended) >= 0) and np.all(np.diff(ends.war) >= 0)
    assert np.all(ends.ended + ends.war <= 1)
    first, war = columns["first_end_day"], columns["war_day"]
    short_of_war = (first >= 0) & ((war < 0) | (first < war))
    assert ends.ended[-1] == pytest.approx(short_of_war.mean())
    assert ends.war[-1] == pytest.approx(((war >= 0) & ~short_of_war).mean())


def test_paired_display_reads_two_policies_run_by_run(generic):
    from crisislab.report.paired import against_first, indicators

    results = [
        crisislab.simulate(generic, 400, 5, {"actors.NORTH.doctrine": d}, days=90)
        for d in ("restraint", "retaliatory")
    ]
    summaries = [r.summary() for r in results]
    paired = against_first(("A", indicators(results[0])), "B", indicators(results[1]))
    frame = state.paired_display(summaries, ["restraint", "retaliatory"], paired)
    assert list(frame.columns) == [
        "measure",
        "A: restraint",
        "B: retaliatory",
        "B − A, same runs [95% CI]",
    ]
    rows = dict(zip(frame["measure"], frame["B − A, same runs [95% CI]"], strict=True))
    for measure in ("P(war)", "highest level: full-scale war", "crisis ended by the horizon",
                    "ended imposed (a war's ceasefire)", "recurred"):  # fmt: skip
        assert measure in rows
    diff = summaries[1]["outcomes"]["war"]["p"] - summaries[0]["outcomes"]["war"]["p"]
    assert rows["P(war)"].startswith(f"{100 * diff:+.1f} pp [")
    assert rows["recurrences (mean per run)"].count("[") == 1  # a mean, not in points
    # a measure whose paired difference was not computed is shown as a dash
    frame = state.paired_display(summaries, ["restraint", "retaliatory"], {})
    assert set(frame["B − A, same runs [95% CI]"]) == {"—"}


def test_rolling_max():
    values = np.array([[0, 9, 0, 0, 0, 3]], dtype=np.float32)
    assert state.rolling_max(values, 3).tolist() == [[0, 9, 9, 9, 0, 3]]
    assert state.rolling_max(values, 1).tolist() == values.tolist()


def test_trajectories(record, generic):
    traj = record.trajectories
    assert traj.runs == 600 and traj.days == 90
    assert traj.defender == "NORTH" and traj.challenger == "SOUTH"
    assert traj.dates()[0] == generic.start_date
    assert np.all(np.diff(traj.at_war) >= 0) and 0 <= traj.at_war[-1] <= 1
    for bands in traj.escalation.values():
        assert set(bands) == set(state.BANDS)
        ok = ~np.isnan(bands[0.5])
        assert np.all(bands[0.05][ok] <= bands[0.5][ok]) and np.all(
            bands[0.5][ok] <= bands[0.95][ok]
        )
        assert np.nanmax(bands[0.95]) <= 14
    for side in ("NORTH", "SOUTH"):
        assert sum(traj.belief_counts[side].values()) == 600
    assert np.all(np.diff(traj.red_lines) >= 0) and np.all(np.diff(traj.misperceptions) >= 0)


def test_downloads_round_trip(record):
    runs = record.result.runs
    back = pd.read_csv(io.BytesIO(state.runs_csv(runs)), index_col="run")
    assert len(back) == len(runs) and list(back["outcome"]) == list(runs["outcome"].astype(str))
    table = pd.read_parquet(io.BytesIO(state.runs_parquet(runs)))
    assert table.shape == runs.shape and table.index.name == "run"
    assert state.download_stem("us-iran-2020", 100, 2) == "us-iran-2020-100runs-seed2"


# --- runner -----------------------------------------------------------------------------------


def test_run_request_matches_simulate(generic):
    seen: list[float] = []
    rec = runner.run_request(
        "k", "l", generic, 5000, 7, {"actors.BAND.control": 0.3}, 60, lambda f, _: seen.append(f)
    )
    direct = crisislab.simulate(generic, 5000, 7, {"actors.BAND.control": 0.3}, days=60)
    assert rec.result.summary() == direct.summary()
    assert rec.trajectories.runs == 2048  # the first runs, day by day
    assert seen == sorted(seen) and seen[-1] == pytest.approx(1.0)
    assert not [k for k in rec.result.columns if k.startswith("daily_")]


def test_small_request_needs_one_simulation(record):
    assert record.trajectories.runs == record.result.n_runs == 600
    assert not [k for k in record.result.columns if k.startswith("daily_")]
    assert record.result.story(5).text().startswith("Run 5 of north-south (seed 3).")


def test_progress_executor_hands_back_errors():
    calls: list[tuple[int, int]] = []
    pool = runner.ProgressExecutor(2, lambda done, total: calls.append((done, total)))
    assert pool.submit(lambda x: x + 1, 1).result() == 2
    failed = pool.submit(lambda: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        failed.result()
    assert calls == [(1, 2), (2, 2)]


def test_html_report(generic):
    if not runner.report_available():
        pytest.skip("the HTML report module is not in this installation")
    fractions: list[float] = []
    page = runner.html_report(
        generic, {"actors.NORTH.doctrine": "proportional"}, 64, 1, 10, fractions.append
    )
    assert page.lstrip().lower().startswith("<!doctype html>")
    assert "north-south" in page or "North and South" in page
    assert fractions and fractions[-1] <= 1.0


# --- figures ----------------------------------------------------------------------------------


def _texts(fig) -> list[str]:
    out = [fig.get_suptitle()] if fig.get_suptitle() else []
    for ax in fig.axes:
        out += [ax.get_title(), ax.get_xlabel(), ax.get_ylabel()]
    return [t for t in out if t]


def test_figures_are_labelled(record):
    summary = record.result.summary()
    traj = record.trajectories
    other = crisislab.simulate(record.scenario, 600, 3, {"actors.NORTH.doctrine": "restraint"})
    figures = {
        "outcomes": charts.outcome_figure(summary),
        "war kinds": charts.war_kinds_figure(summary),
        "escalation": charts.escalation_figure(traj),
        "beliefs": charts.beliefs_figure(traj),
        "red lines": charts.red_lines_figure(traj),
        "compare": charts.compare_figure([summary, other.summary()], ["A", "B"]),
        "violence": charts.violence_figure([summary, other.summary()], ["A", "B"]),
        "endings": charts.endings_figure(
            state.endings(record.result.columns, record.scenario.start_date, record.days),
            summary["termination"]["end_day_median"],
        ),
    }
    try:
        for name, fig in figures.items():
            texts = " ".join(_texts(fig))
            assert fig.axes[0].get_title() or fig.get_suptitle(), name
            assert fig.axes[0].get_xlabel() or fig.axes[0].get_ylabel(), name
            assert "%" in texts or "(" in texts, name  # units or what is counted
        assert figures["compare"].axes[0].get_legend() is not None
        for name in ("violence", "endings"):
            labels = [t.get_text() for t in figures[name].axes[0].get_legend().get_texts()]
            assert labels, name
        assert "full-scale war" in [
            t.get_text() for t in figures["violence"].axes[0].get_legend().get_texts()
        ]
        assert figures["escalation"].legends  # the figure-level legend below the panels
        assert "NORTH" in " ".join(_texts(figures["beliefs"]))
        assert plt.rcParams["font.size"] == plt.rcParamsDefault["font.size"]  # style is local
    finally:
        for fig in figures.values():
            plt.close(fig)


# --- launcher and command ---------------------------------------------------------------------


def test_streamlit_command():
    cmd = launch.streamlit_command("127.0.0.1", 8600)
    assert cmd[1:4] == ["-m", "streamlit", "run"] and Path(cmd[4]) == launch.APP
    assert launch.APP.is_file()
    flags = dict(zip(cmd[5::2], cmd[6::2], strict=True))
    assert flags["--server.address"] == "127.0.0.1"
    assert flags["--server.port"] == "8600"
    assert flags["--server.headless"] == "true"
    assert flags["--browser.gatherUsageStats"] == "false"
    assert flags["--server.maxUploadSize"] == str(state.MAX_UPLOAD_MB)
    assert launch.url("::1", 80) == "http://[::1]:80"


def test_dashboard_command(monkeypatch):
    from crisislab import cli

    calls = []
    monkeypatch.setattr(launch, "serve", lambda host, port: calls.append((host, port)) or 0)
    with pytest.raises(SystemExit) as done:
        cli.main(["dashboard", "--port", "8602"])
    assert done.value.code == 0 and calls == [("127.0.0.1", 8602)]
    with pytest.raises(SystemExit) as bad:
        cli.main(["dashboard", "--port", "70000"])
    assert bad.value.code == 2 and len(calls) == 1
