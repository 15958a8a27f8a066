"""Running a request's simulations chunk by chunk, reporting progress, within the request caps."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from concurrent.futures import Executor, Future
from dataclasses import dataclass
from typing import Any

from crisislab.dashboard.state import (
    DOCTRINES,
    Trajectories,
    clamp_runs,
    summarise_trajectories,
    trajectory_runs,
)
from crisislab.results import SimulationResult
from crisislab.scenario.schema import Scenario
from crisislab.simulate import simulate

CHUNK_BLOCKS = 4  # 4,096 runs per chunk: fine-grained progress, results do not depend on it
Progress = Callable[[int, int], None]  # (chunks done, chunks in all)


class ProgressExecutor(Executor):
    """Runs each submitted chunk at once in this process and reports it done."""

    _max_workers = 1

    def __init__(self, total: int, report: Progress | None = None) -> None:
        self.total = total
        self.done = 0
        self.report = report

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future:
        future: Future = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except Exception as exc:  # handed back through the future, as a pool would
            future.set_exception(exc)
        self.done += 1
        if self.report is not None:  # outside the try: a page stopping the run stops it here
            self.report(self.done, self.total)
        return future


def chunks_for(runs: int, chunk_blocks: int = CHUNK_BLOCKS) -> int:
    from crisislab.simulate import chunk_plan

    return len(chunk_plan(runs, chunk_blocks))


def simulate_with_progress(
    scenario: Scenario,
    runs: int,
    seed: int,
    overrides: Mapping[str, Any],
    days: int,
    report: Progress | None = None,
    daily: bool = False,
) -> SimulationResult:
    """`simulate` in chunks of 4,096 runs, calling `report(done, total)` after each chunk."""
    pool = ProgressExecutor(chunks_for(runs), report)
    return simulate(
        scenario,
        runs,
        seed,
        dict(overrides),
        days=days,
        chunk_blocks=CHUNK_BLOCKS,
        executor=pool,
        daily=daily,
    )


@dataclass
class RunRecord:
    """What the page keeps of one run request: its settings, the result (per-run table) and
    the trajectories."""

    key: str
    label: str
    scenario: Scenario  # as loaded, before the overrides
    overrides: dict[str, Any]
    days: int
    result: SimulationResult
    trajectories: Trajectories


def _drop_daily(result: SimulationResult) -> SimulationResult:
    """Forget the day-by-day arrays once summarised (they are large; the table never uses them)."""
    for name in [k for k in result.columns if k.startswith("daily_")]:
        del result.columns[name]
    return result


def run_request(
    key: str,
    label: str,
    scenario: Scenario,
    runs: int,
    seed: int,
    overrides: Mapping[str, Any],
    days: int,
    report: Callable[[float, str], None] | None = None,
) -> RunRecord:
    """The simulations of one click of Run: all runs, plus the first few day by day.

    `report(fraction, text)` is called as chunks finish. When every run fits in the trajectory
    cap, one daily simulation serves both purposes.
    """
    runs = clamp_runs(runs, days)
    kept = trajectory_runs(runs, days)
    daily_chunks = chunks_for(kept)
    main_chunks = 0 if kept == runs else chunks_for(runs)
    total = daily_chunks + main_chunks

    def step(offset: int, what: str) -> Progress:
        def tick(done: int, _: int) -> None:
            if report is not None:
                report((offset + done) / total, what)

        return tick

    daily = simulate_with_progress(
        scenario,
        kept,
        seed,
        overrides,
        days,
        step(0, f"day-by-day trajectories of {kept:,} runs"),
        daily=True,
    )
    trajectories = summarise_trajectories(daily.columns, daily.scenario)
    if kept == runs:
        result = _drop_daily(daily)
    else:
        result = simulate_with_progress(
            scenario, runs, seed, overrides, days, step(daily_chunks, f"{runs:,} runs")
        )
    return RunRecord(key, label, scenario, dict(overrides), days, result, trajectories)


# --- the HTML report --------------------------------------------------------------------------


def report_available() -> bool:
    """Whether this installation can write the HTML doctrine-comparison report."""
    try:
        from crisislab.report.comparison import compare_doctrines  # noqa: F401
        from crisislab.report.pages import comparison_page  # noqa: F401
    except ImportError:
        return False
    return True


def report_runs(runs: int, days: int) -> int:
    """Runs per doctrine of a report: each is kept day by day, so the trajectory cap applies."""
    return trajectory_runs(runs, days)


def html_report(
    scenario: Scenario,
    overrides: Mapping[str, Any],
    runs: int,
    seed: int,
    days: int,
    report: Callable[[float], None] | None = None,
) -> str:
    """The self-contained HTML page of `crisislab report`: the defender's doctrines (every one of
    `DOCTRINES`) compared under these levers (the doctrine lever itself is what varies)."""
    from crisislab.report.comparison import compare_doctrines, doctrine_lever
    from crisislab.report.pages import comparison_page

    lever = doctrine_lever(scenario)
    base = {k: v for k, v in overrides.items() if k != lever}
    steps = len(DOCTRINES) + 3  # one chunk per doctrine, then up to three narrated runs

    def tick(done: int, _: int) -> None:
        if report is not None:
            report(min(1.0, done / steps))

    comparison = compare_doctrines(
        scenario,
        DOCTRINES,
        runs=report_runs(runs, days),
        seed=seed,
        overrides=base,
        days=days,
        executor=ProgressExecutor(steps, tick),
    )
    return comparison_page(comparison)
