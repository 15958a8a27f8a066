"""The crisislab dashboard page (Streamlit). Start it with `crisislab dashboard`.

Everything that is not layout lives in `state.py` (pure functions), `runner.py` (simulation with
progress) and `charts.py` (figures).
"""

from __future__ import annotations

import io
import json
import threading
from collections.abc import Callable
from typing import Any

import matplotlib.pyplot as plt
import streamlit as st
from matplotlib.figure import Figure

from crisislab.dashboard import charts
from crisislab.dashboard.runner import (
    RunRecord,
    html_report,
    report_available,
    report_runs,
    run_request,
    simulate_with_progress,
)
from crisislab.dashboard.state import (
    DEFAULT_RUNS,
    DOCTRINE_HELP,
    DOCTRINES,
    MAX_RUNS_PER_REQUEST,
    MAX_UPLOAD_MB,
    OUTCOME_LABELS,
    Lever,
    clamp_runs,
    describe_overrides,
    download_stem,
    endings,
    levers,
    max_runs,
    md_escape,
    mechanisms_display,
    metrics_display,
    one_line,
    outcome_display,
    overrides_from,
    paired_display,
    problem_lines,
    runs_csv,
    runs_parquet,
    scenario_from_upload,
    termination_display,
    trajectory_runs,
    upload_key,
    violence_display,
)
from crisislab.report.paired import against_first, indicators
from crisislab.results.story import Story
from crisislab.scenario.loader import ScenarioError, builtin_names, load_scenario
from crisislab.scenario.schema import MAX_DAYS, Scenario

BUILTIN = "built-in scenario"
UPLOAD = "upload a YAML file"
SIMULATION_SLOTS = 2  # simulations running at once on this server, across all sessions
BUSY = "The server is busy with other simulations; try again in a minute."

st.set_page_config(page_title="crisislab dashboard", layout="wide")


# --- cached resources -------------------------------------------------------------------------


@st.cache_resource
def _slots() -> threading.BoundedSemaphore:
    return threading.BoundedSemaphore(SIMULATION_SLOTS)


@st.cache_resource(max_entries=16)
def _builtin(name: str) -> Scenario:
    return load_scenario(name)


@st.cache_resource(max_entries=8)
def _uploaded(name: str, raw: bytes) -> tuple[Scenario | None, list[str]]:
    try:
        return scenario_from_upload(name, raw), []
    except ScenarioError as exc:
        return None, problem_lines(exc)


FIGURE_DPI = 160


def _show(key: str, draw: Callable[[], Figure], alt: str) -> None:
    """Show a figure, drawn once per result: later reruns of the page reuse its PNG."""
    cache: dict[str, bytes] = st.session_state.setdefault("figures", {})
    if key not in cache:
        if len(cache) >= 48:
            cache.clear()
        fig = draw()
        try:
            buffer = io.BytesIO()
            fig.savefig(buffer, format="png", dpi=FIGURE_DPI, bbox_inches="tight")
        finally:
            plt.close(fig)
        cache[key] = buffer.getvalue()
    st.image(cache[key], width="stretch", alt=alt)


# --- sidebar: scenario, simulation settings, levers --------------------------------------------


def choose_scenario() -> tuple[str, Scenario | None, list[str]]:
    """(source key, scenario or None, problems) from the sidebar's scenario section."""
    st.sidebar.header("Scenario")
    source = st.sidebar.radio("Source", [BUILTIN, UPLOAD], horizontal=True, key="source")
    if source == BUILTIN:
        name = st.sidebar.selectbox("Built-in scenario", builtin_names(), key="builtin")
        return f"builtin:{name}", _builtin(name), []
    upload = st.sidebar.file_uploader(
        f"Scenario file (.yaml, at most {MAX_UPLOAD_MB} MB)",
        type=["yaml", "yml"],
        max_upload_size=MAX_UPLOAD_MB,
        key="upload",
        help="Checked like `crisislab validate`: every problem is listed with its line and column.",
    )
    if upload is None:
        return "upload:", None, []
    raw = upload.getvalue()
    scenario, problems = _uploaded(upload.name, raw)
    return upload_key(upload.name, raw), scenario, problems


def lever_widget(lever: Lever, key: str) -> Any:
    # a label or help may hold a name from the scenario file: Markdown there is shown literally
    label, tip = md_escape(one_line(lever.label)), md_escape(lever.help)
    if lever.kind == "choice":
        return st.radio(
            label,
            lever.options,
            index=lever.options.index(lever.default),
            horizontal=True,
            key=key,
            help=tip,
        )
    if lever.kind == "switch":
        return st.toggle(label, value=bool(lever.default), key=key, help=tip)
    return st.slider(label, 0.0, 1.0, float(lever.default), 0.01, key=key, help=tip)


def settings(source_key: str, scenario: Scenario) -> tuple[int, int, int, dict[str, Any]]:
    """(runs, seed, days, overrides) from the sidebar's simulation and lever sections."""
    sb = st.sidebar
    sb.header("Simulation")
    days = int(
        sb.number_input("Horizon (days)", 1, MAX_DAYS, scenario.days, 1, key=f"{source_key}|days")
    )
    asked = int(
        sb.number_input(
            "Runs",
            1,
            MAX_RUNS_PER_REQUEST,
            DEFAULT_RUNS,
            1000,
            key="runs",
            help=f"At most {MAX_RUNS_PER_REQUEST:,} runs per request (fewer for long horizons).",
        )
    )
    runs = clamp_runs(asked, days)
    if runs < asked:
        sb.caption(f"Capped at {max_runs(days):,} runs for a {days}-day horizon.")
    seed = int(sb.number_input("Seed", 0, 2**31 - 1, 1, 1, key="seed"))
    sb.header("Levers and uncertain parameters")
    specs = levers(scenario)
    values: dict[str, Any] = {}
    groups = list(dict.fromkeys(lever.group for lever in specs))
    for i, group in enumerate(groups):
        with sb.expander(md_escape(one_line(group)), expanded=i < 2):
            for lever in (lv for lv in specs if lv.group == group):
                values[lever.path] = lever_widget(lever, f"{source_key}|{lever.path}")
    return runs, seed, days, overrides_from(specs, values)


# --- main area --------------------------------------------------------------------------------


def header(scenario: Scenario | None) -> None:
    st.title("crisislab dashboard")
    if scenario is None:
        st.caption("Simulate interstate crises in which intent and perception diverge.")
        return
    s = scenario
    # the title and description come from the scenario file, perhaps an uploaded one: shown as
    # plain text, so that no Markdown in them (an image that every viewer's browser would fetch,
    # a link) is rendered
    st.subheader(md_escape(one_line(s.title or s.name)), anchor=False)
    st.caption(
        f"`{s.name}` · starts {s.start_date} · defender {s.dyad.defender}, challenger "
        f"{s.dyad.challenger} · {len(s.actors)} actors, {len(s.red_lines)} red lines · "
        f"channel {s.channel.kind}"
    )
    if s.description:
        with st.expander("About this scenario"):
            st.text(s.description.strip())


def run_button(
    key: str,
    label: str,
    scenario: Scenario,
    runs: int,
    seed: int,
    days: int,
    overrides: dict[str, Any],
) -> None:
    kept = trajectory_runs(runs, days)
    st.markdown(
        f"**{runs:,} runs**, seed {seed}, {days} days; levers: "
        f"{md_escape(describe_overrides(overrides))}. Trajectories use the first {kept:,} runs."
    )
    clicked = st.button("Run simulation", type="primary", key="run")
    # progress, then any error, always in this one place: the elements below keep their
    # positions from one rerun to the next (so the selected tab stays selected)
    status = st.empty()
    if not clicked:
        return
    bar = status.progress(0.0, text="Starting…")

    def report(fraction: float, what: str) -> None:
        bar.progress(min(1.0, fraction), text=f"Simulating {what}… {fraction:.0%}")

    if not _slots().acquire(timeout=120):
        status.error(BUSY)
        return
    try:
        record = run_request(key, label, scenario, runs, seed, overrides, days, report)
    except ScenarioError as exc:
        status.error(problems_markdown("These settings are not valid", problem_lines(exc)))
        return
    finally:
        _slots().release()
    status.empty()
    st.session_state["record"] = record
    st.session_state["stories"] = {}


def problems_markdown(title: str, problems: list[str]) -> str:
    count = f"{len(problems)} problem{'s' if len(problems) != 1 else ''}"
    return f"**{title}** ({count}):\n\n" + "\n".join(f"- {md_escape(p)}" for p in problems)


def outcomes_tab(record: RunRecord) -> None:
    summary = record.result.summary()
    left, right = st.columns([2, 3])
    with left:
        st.markdown("**Outcome probabilities** with 95% Wilson intervals")
        st.table(outcome_display(summary), hide_index=True)
        st.markdown("**Why**: mechanisms behind the outcomes (shares of runs)")
        st.table(mechanisms_display(summary), hide_index=True)
    with right:
        _show(
            f"{record.key}|outcomes",
            lambda: charts.outcome_figure(summary),
            "Outcome probabilities with 95% intervals",
        )
        _show(
            f"{record.key}|war_kinds",
            lambda: charts.war_kinds_figure(summary),
            "Kinds of war as shares of all runs",
        )
        st.markdown("**Metrics**")
        st.table(metrics_display(summary), hide_index=True)


def endings_tab(record: RunRecord) -> None:
    summary = record.result.summary()
    ends = endings(record.result.columns, record.scenario.start_date, record.days)
    st.caption(
        "Each run is read as the International Crisis Behavior project codes a crisis: its "
        "highest violence level (minor clashes: any act of violence; serious clashes: sustained "
        "direct strikes between the states with deaths on both sides, or 100 battle deaths; "
        "full-scale war: 1,000 battle deaths, a declared war or a two-week campaign), and whether "
        "and how its crisis ended — when both sides' forecasts of hostile acts have stayed near "
        "their pre-crisis level for weeks; tacitly, by agreement, or imposed by a war's ceasefire "
        "— and whether a new crisis began after."
    )
    left, right = st.columns([2, 3])
    with left:
        st.markdown("**Highest violence level** (shares of runs)")
        st.table(violence_display(summary), hide_index=True)
        st.markdown("**How the crises ended**")
        st.table(termination_display(summary), hide_index=True)
    with right:
        _show(
            f"{record.key}|violence",
            lambda: charts.violence_figure([summary], [record.scenario.name]),
            "Shares of runs by the highest violence level reached",
        )
        _show(
            f"{record.key}|endings",
            lambda: charts.endings_figure(ends, summary["termination"]["end_day_median"]),
            "How the first crisis ends, day by day",
        )


def trajectories_tab(record: RunRecord) -> None:
    traj = record.trajectories
    st.caption(
        f"Day by day over the first {traj.runs:,} runs (the same runs as in the table). "
        f"Escalation is the highest rung of the last {traj.window} days; its bands are taken "
        "among runs that have not reached war: war is a run's outcome, and a run at war takes "
        "no act until a ceasefire."
    )
    _show(
        f"{record.key}|escalation",
        lambda: charts.escalation_figure(traj),
        "Fan charts of true and perceived escalation",
    )
    _show(
        f"{record.key}|beliefs",
        lambda: charts.beliefs_figure(traj),
        "Belief trajectories split by the other side's true resolve",
    )
    left, _ = st.columns([3, 2])
    with left:
        _show(
            f"{record.key}|red_lines",
            lambda: charts.red_lines_figure(traj),
            "Cumulative red-line firings and misperceptions",
        )


def _story(record: RunRecord, k: int) -> Story:
    stories: dict[tuple[str, int], Story] = st.session_state.setdefault("stories", {})
    if (record.key, k) not in stories:
        if len(stories) >= 32:
            stories.clear()
        with st.spinner(f"Narrating run {k} (re-simulating its block of runs)…"):
            stories[(record.key, k)] = record.result.story(k)
    return stories[(record.key, k)]


def story_tab(record: RunRecord) -> None:
    n = record.result.n_runs
    narrow, _ = st.columns([1, 2])
    k = int(
        narrow.number_input(
            f"Run number (0 … {n - 1:,})",
            0,
            n - 1,
            0,
            1,
            key="story_run",
            help="The same run as row k of the results table and of `crisislab story --run k`.",
        )
    )
    told = _story(record, k)
    outcome = OUTCOME_LABELS.get(told.outcome, told.outcome)
    box = {"war": st.error, "frozen_conflict": st.warning}.get(told.outcome, st.success)
    box(md_escape(f"Run {k}: {outcome}. {told.why()}"))
    lines = told.lines()
    with st.container(height=520, border=True, key="story"):
        items = []
        for line in lines[1:-1]:
            when, sep, text = line.partition(": ")
            items.append(
                f"- **{md_escape(when)}**: {md_escape(text)}" if sep else f"- {md_escape(line)}"
            )
        st.markdown(
            md_escape(lines[0]) + "\n\n" + "\n".join(items) + f"\n\n**{md_escape(lines[-1])}**"
        )
    st.download_button(
        "Download this story (.txt)",
        told.text(),
        file_name=f"{told.scenario.name}-seed{told.seed}-run{k}.txt",
        mime="text/plain",
        key="story_download",
        on_click="ignore",
    )


def compare_tab(
    key: str, scenario: Scenario, runs: int, seed: int, days: int, overrides: dict[str, Any]
) -> None:
    defender = scenario.dyad.defender
    path = f"actors.{defender}.doctrine"
    runs_each = min(runs, MAX_RUNS_PER_REQUEST // 2)
    st.markdown(
        f"Two policies for **{defender}**: the same scenario, levers, seed ({seed}) and runs "
        f"({runs_each:,} each); only the doctrine differs."
    )
    current = overrides.get(path, scenario.actors[defender].doctrine)  # type: ignore[union-attr]
    other = next(d for d in DOCTRINES if d != current)
    columns = st.columns(2)
    choices = []
    for i, (col, default) in enumerate(zip(columns, (current, other), strict=True)):
        with col:
            choices.append(
                st.radio(
                    f"Policy {'AB'[i]}: {defender} doctrine",
                    DOCTRINES,
                    index=DOCTRINES.index(default),
                    horizontal=True,
                    key=f"{key}|compare{i}",
                    help="; ".join(f"{k}: {v}" for k, v in DOCTRINE_HELP.items()),
                )
            )
    compare_key = json.dumps([key, runs_each, seed, days, overrides, choices], default=str)
    clicked = st.button("Compare policies", type="primary", key="compare")
    status = st.empty()
    if clicked:
        bar = status.progress(0.0, text="Starting…")
        if not _slots().acquire(timeout=120):
            status.error(BUSY)
            return
        try:
            summaries = []
            marks = []
            for i, doctrine in enumerate(choices):

                def report(done: int, total: int, i: int = i) -> None:
                    bar.progress((i + done / total) / 2, text=f"Simulating policy {'AB'[i]}…")

                result = simulate_with_progress(
                    scenario, runs_each, seed, {**overrides, path: doctrine}, days, report
                )
                summaries.append(result.summary())
                marks.append(indicators(result))
                del result
        finally:
            _slots().release()
        # B against A run by run: the same seed and runs make run k the same world under both
        paired = against_first(("A", marks[0]), "B", marks[1])
        del marks
        status.empty()
        st.session_state["comparison"] = (compare_key, choices, summaries, paired)
    stored = st.session_state.get("comparison")
    if stored is None or stored[0] != compare_key:
        st.info("Choose two doctrines and press **Compare policies**.")
        return
    _, names, summaries, paired = stored
    for i, (col, name, summary) in enumerate(zip(st.columns(2), names, summaries, strict=True)):
        with col:
            war = summary["outcomes"]["war"]
            st.metric(
                f"Policy {'AB'[i]} ({name}): P(war)",
                f"{war['p']:.1%}",
                help=f"95% interval {war['ci'][0]:.1%} – {war['ci'][1]:.1%}",
            )
            st.table(outcome_display(summary), hide_index=True)
    labels = [f"{'AB'[i]}: {defender} {name}" for i, name in enumerate(names)]
    _show(
        f"{stored[0]}|compare",
        lambda: charts.compare_figure(summaries, labels),
        "Outcome probabilities of the two policies",
    )
    st.markdown(
        "**Paired differences**: B − A over the same runs. Run k is the same world under both "
        "policies (common random numbers), so each difference is read run by run, with its "
        "paired 95% interval; pp: percentage points."
    )
    st.table(paired_display(summaries, list(names), paired), hide_index=True)
    left, _ = st.columns([3, 1])
    with left:
        _show(
            f"{stored[0]}|compare_violence",
            lambda: charts.violence_figure(summaries, labels),
            "Highest violence level under the two policies",
        )


def downloads_tab(record: RunRecord) -> None:
    result = record.result
    stem = download_stem(result.scenario.name, result.n_runs, result.seed)
    st.markdown(
        f"The per-run table of the last run request ({result.n_runs:,} rows, "
        f"{len(result.runs.columns)} columns: outcome, war kind, flags and metrics of each run)."
    )
    left, right, _ = st.columns([1, 1, 2])
    with left:
        st.download_button(
            "Download runs (CSV)",
            lambda: runs_csv(result.runs),
            file_name=f"{stem}.csv",
            mime="text/csv",
            key="download_csv",
            on_click="ignore",
        )
    with right:
        st.download_button(
            "Download runs (Parquet)",
            lambda: runs_parquet(result.runs),
            file_name=f"{stem}.parquet",
            mime="application/vnd.apache.parquet",
            key="download_parquet",
            on_click="ignore",
        )
    st.dataframe(result.runs.head(200), width="stretch", height=300)
    st.markdown("**HTML report**")
    if not report_available():
        st.caption("The HTML report is not available in this installation.")
        return
    per = report_runs(result.n_runs, record.days)
    st.caption(
        f"A self-contained page, as written by `crisislab report`: the {len(DOCTRINES)} "
        f"{defender_of(record)} doctrines ({', '.join(DOCTRINES)}) compared under these levers "
        f"({per:,} runs each, seed {result.seed}), with violence levels, how crises end, paired "
        "differences against the first doctrine, charts and narrated runs. Takes a little while."
    )
    clicked = st.button("Build HTML report", key="build_report")
    status = st.empty()
    if clicked:
        bar = status.progress(0.0, text=f"Simulating the {len(DOCTRINES)} doctrines…")
        if not _slots().acquire(timeout=120):
            status.error(BUSY)
            return
        try:
            page = html_report(
                record.scenario,
                record.overrides,
                result.n_runs,
                result.seed,
                record.days,
                lambda f: _tick(bar, f, f"Building the report… {f:.0%}"),
            )
        finally:
            _slots().release()
        status.empty()
        st.session_state["report"] = (record.key, page)
    built = st.session_state.get("report")
    if built is not None and built[0] == record.key:
        st.download_button(
            "Download HTML report",
            built[1],
            file_name=f"{stem}-report.html",
            mime="text/html",
            key="download_report",
            on_click="ignore",
        )


def _tick(bar: Any, fraction: float, text: str) -> None:
    bar.progress(min(1.0, fraction), text=text)


def defender_of(record: RunRecord) -> str:
    return record.scenario.dyad.defender


def main() -> None:
    source_key, scenario, problems = choose_scenario()
    header(scenario)
    if problems:
        st.error(problems_markdown("This scenario file is not valid", problems))
        return
    if scenario is None:
        st.info(
            f"Upload a scenario file (YAML, at most {MAX_UPLOAD_MB} MB) in the sidebar; "
            "`docs/scenario-format.md` describes the format."
        )
        return
    runs, seed, days, overrides = settings(source_key, scenario)
    key = json.dumps([source_key, runs, seed, days, overrides], sort_keys=True, default=str)
    label = f"{scenario.name}, {runs:,} runs, seed {seed}, {describe_overrides(overrides)}"
    run_button(key, label, scenario, runs, seed, days, overrides)
    record: RunRecord | None = st.session_state.get("record")
    notice = st.empty()  # always present, so the tabs below keep their place
    if record is not None and record.key != key:
        notice.warning(
            "The settings have changed since these results were computed; press **Run "
            f"simulation** to update them. Shown: {md_escape(record.label)}."
        )
    tabs = st.tabs(
        [
            "Outcomes",
            "Violence and endings",
            "Escalation and beliefs",
            "Story of a run",
            "Compare two policies",
            "Downloads",
        ],
        key="tabs",
    )
    for tab, show in zip(
        (tabs[0], tabs[1], tabs[2], tabs[3], tabs[5]),
        (outcomes_tab, endings_tab, trajectories_tab, story_tab, downloads_tab),
        strict=True,
    ):
        with tab:
            if record is None:
                st.info("Set the levers in the sidebar, then press **Run simulation**.")
            else:
                show(record)
    with tabs[4]:
        compare_tab(source_key, scenario, runs, seed, days, overrides)


main()
