"""The `crisislab` command: a thin layer over the Python API.

Exit codes: 0 success; 2 bad input (usage, unreadable or invalid scenario, bad override) with one
clear message on stderr; 1 an internal error.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
import os
import signal
import sys
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.status import Status
from rich.table import Table

from crisislab import output as outputs
from crisislab.cli_study import study_app
from crisislab.console import err, out, print_json
from crisislab.engine.batch import BLOCK_RUNS
from crisislab.errors import BadInput, CrisislabError, ResourceLimit
from crisislab.experiments import compare as compare_policies
from crisislab.history import load_timeline, timeline_names
from crisislab.scenario.loader import (
    Problem,
    ScenarioError,
    builtin_names,
    load_scenario,
    parse_override,
)
from crisislab.scenario.outcomes import OUTCOMES
from crisislab.scenario.schema import Faction, Leadership, Proxy
from crisislab.simulate import MAX_RUNS, drawing, local_executor, reporting, resolve, simulate
from crisislab.simulate import story as make_story
from crisislab.stats import wilson_interval

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    help="Simulate interstate crises in which intent and perception diverge.",
)
app.add_typer(study_app, name="study")

DOCTRINES = ("restraint", "targeted", "gtft", "proportional", "retaliatory", "strategic")
RECOMMENDED = "restraint"
REPORT_RUNS = 4096  # runs per doctrine of `crisislab report` on a scenario
DEMO_REPORT_RUNS = 2048  # runs per doctrine of the demo report's daily charts (keeps it quick)
DEMO_CLAIMS_RUNS = 2048  # runs per setting of the demo's claims table (keeps it quick)

# Caps on the work of one command, checked before it starts (`--max-run-days` lifts them):
# the documented largest run (10,000,000 runs over a year) fits; ten times that does not
MAX_RUN_DAYS = 4_000_000_000
EXPORT_MAX_RUN_DAYS = 1000 * 3650  # traced runs: a thousand runs of ten years
# work that keeps daily series of every run in memory (`fork`, `report`): about 32 bytes a
# run-day, so the cap keeps them near 1.5 GB
DAILY_MAX_RUN_DAYS = 50_000_000
MAX_POLICIES = 10_000  # `compare`; larger designs belong in a study (`crisislab study run`)

# Progress on stderr: a bar on a terminal for work that may take a second or more; elsewhere
# (a log file) a line every PROGRESS_EVERY seconds for work that may take ten seconds or more
RUN_DAY_SECONDS = 30e-9  # one core's time for a run-day, roughly
TRACED_RUN_DAY_SECONDS = 3e-6  # the same for a traced run (`export`)
PROGRESS_EVERY = 10.0
EXIT_INTERRUPTED = 130

ScenarioArg = Annotated[str, typer.Argument(help="A built-in scenario name or a YAML file path.")]
MaxRunDaysOpt = Annotated[
    int | None,
    typer.Option(
        "--max-run-days",
        min=1,
        help=f"Refuse more work than this many run-days (runs × days × policies) "
        f"[{MAX_RUN_DAYS:,}].",
        show_default=False,
    ),
]
DailyMaxRunDaysOpt = Annotated[
    int | None,
    typer.Option(
        "--max-run-days",
        min=1,
        help=f"Refuse more work than this many run-days (runs × days), whose daily series are "
        f"kept in memory [{DAILY_MAX_RUN_DAYS:,}].",
        show_default=False,
    ),
]
RunsOpt = Annotated[int, typer.Option("--runs", "-n", min=1, max=MAX_RUNS, help="Number of runs.")]
SkipBadRowsOpt = Annotated[
    bool,
    typer.Option(
        "--skip-bad-rows",
        help="Leave out the timeline's bad rows (reported on stderr) instead of refusing it.",
    ),
]
SeedOpt = Annotated[int, typer.Option("--seed", "-s", min=0, help="Random seed.")]
DaysOpt = Annotated[
    int | None, typer.Option("--days", "-d", min=1, max=3650, help="Horizon in days.")
]
SetOpt = Annotated[
    list[str] | None,
    typer.Option("--set", help="Override a scenario value: PATH=VALUE (repeatable)."),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON object on stdout.")]
WorkersOpt = Annotated[
    int, typer.Option("--workers", "-w", min=0, max=64, help="Parallel workers (0 = automatic).")
]
PosteriorOpt = Annotated[
    Path | None,
    typer.Option(
        "--posterior",
        help="A calibration's posterior (`crisislab calibrate`): each group of runs draws its "
        "parameters from it, so intervals carry parameter uncertainty.",
    ),
]


# --- helpers ----------------------------------------------------------------------------------


def _overrides(pairs: Sequence[str] | None) -> dict[str, Any]:
    return dict(parse_override(p) for p in pairs or [])


@contextmanager
def _executor(workers: int, runs: int) -> Iterator[Executor | None]:
    """A pool of threads for the compiled day loop when it pays, from two blocks of runs
    (results are identical either way). On an exception (Ctrl-C) the chunks not started are
    cancelled and only those running are waited for."""
    if workers == 0:
        chunks = math.ceil(runs / BLOCK_RUNS)
        workers = min(os.cpu_count() or 1, chunks) if chunks >= 2 else 1
    if workers <= 1:
        yield None
        return
    pool = local_executor(workers)
    try:
        yield pool
    except BaseException:
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    pool.shutdown(wait=True)


@contextmanager
def _drawing(posterior: Path | None) -> Iterator[dict[str, Any] | None]:
    """Every simulation inside the block draws its runs' parameters from the posterior file;
    yields what to say about it in JSON output (None without one)."""
    if posterior is None:
        yield None
        return
    from crisislab.scenario.parameters import read_posterior

    draws = read_posterior(posterior)
    with drawing(draws):
        yield draws.describe()


def _stamped(data: dict[str, Any], posterior: dict[str, Any] | None) -> dict[str, Any]:
    """JSON output that says which posterior its runs drew their parameters from."""
    return data if posterior is None else {**data, "posterior": posterior}


@contextmanager
def _interruptible(kept: str | Callable[[], str]) -> Iterator[None]:
    """Ctrl-C inside the block: one line on stderr saying what was kept, exit code 130, no
    traceback."""
    try:
        yield
    except KeyboardInterrupt:
        err.print(f"interrupted: {kept() if callable(kept) else kept}", markup=False)
        raise typer.Exit(EXIT_INTERRUPTED) from None


class _Meter:
    """Counts the runs done and shows them on stderr: a bar on a terminal (from the first runs
    done, so a command that simulates nothing shows none), a line every PROGRESS_EVERY seconds
    elsewhere, or nothing for short work. Stdout is never touched."""

    def __init__(self, label: str, total: int, seconds: float) -> None:
        self.label, self.total, self.done = label, total, 0
        if err.is_terminal:
            self.mode = "bar" if seconds >= 1 else None
        else:
            self.mode = "lines" if seconds >= 10 else None
        self.bar: Progress | None = None
        self.started = time.monotonic()
        self.last: float | None = None  # when a line was last printed

    def __call__(self, runs: int) -> None:
        self.done += runs
        if self.mode == "bar":
            if self.bar is None:
                self.bar = _progress_bar(self.label)
                self.task = self.bar.add_task(self.label, total=self.total)
                self.bar.start()
            self.bar.update(self.task, completed=self.done)
        elif self.mode == "lines":
            now = time.monotonic()
            if self.last is None or now - self.last >= PROGRESS_EVERY or self.done >= self.total:
                self.last = now
                err.print(
                    f"{self.label}: {self.done:,} of {self.total:,} runs "
                    f"({self.done / max(1, self.total):.0%}), {now - self.started:.0f} s",
                    markup=False,
                )

    def close(self) -> None:
        if self.bar is not None:
            self.bar.stop()
            self.bar = None


def _progress_bar(label: str) -> Progress:
    """A bar that fits 80 columns: label, bar, runs done of all, time spent, time left."""
    return Progress(
        TextColumn(f"{label[:10]:<10}", markup=False),
        BarColumn(bar_width=20),
        TextColumn("{task.completed:,.0f}/{task.total:,.0f} runs", markup=False),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=err,
        transient=True,
    )


@contextmanager
def _progress(label: str, runs: int, run_days: int, traced: bool = False) -> Iterator[_Meter]:
    """Progress of the `runs` runs (`run_days` of work) simulated inside the block, by any
    `simulate` call there; the meter can also be called directly."""
    seconds = run_days * (TRACED_RUN_DAY_SECONDS if traced else RUN_DAY_SECONDS)
    meter = _Meter(label, runs, seconds)
    try:
        with reporting(meter):
            yield meter
    finally:
        meter.close()


def _scenario_days(scenario: str, overrides: Mapping[str, Any], days: int | None) -> int:
    """The horizon a command will simulate: `--days`, else the scenario's own (with overrides)."""
    if days is not None:
        return days
    return resolve(scenario, overrides).days


def _check_levers(
    scenario: str, base: Mapping[str, Any], levers: Mapping[str, Sequence[Any]]
) -> None:
    """Refuse, before any work, a lever path or value the scenario does not take: each value is
    tried alone on the scenario, and a problem is reported as the lever's."""
    problems = []
    for path, values in levers.items():
        for value in values:
            try:
                resolve(scenario, {**base, path: value})
            except ScenarioError as exc:
                problems += [
                    Problem("--lever", p.path, p.message) if p.source == "--set" else p
                    for p in exc.problems
                ]
                break
    if problems:
        raise BadInput(problems)


def _check_work(
    command: str, parts: Sequence[tuple[int, str]], limit: int | None, default: int
) -> int:
    """Refuse, before any work, more run-days than the cap; return the run-days asked for.
    `parts` are the factors with their names, e.g. ((10_000, "runs"), (365, "days"))."""
    total = math.prod(n for n, _ in parts)
    cap = default if limit is None else limit
    if total > cap:
        product = " × ".join(f"{n:,} {name}" for n, name in parts)
        raise ResourceLimit(
            [
                Problem(
                    f"crisislab {command}",
                    "",
                    f"{product} = {total:,} run-days, more than the cap of {cap:,}; "
                    f"give --max-run-days {total} to run it anyway",
                )
            ]
        )
    return total


def _fmt_p(entry: dict[str, Any]) -> str:
    lo, hi = entry["ci"]
    return f"{entry['p']:.3f} [{lo:.3f}, {hi:.3f}]"


def _summary_table(summary: dict[str, Any], title: str) -> Table:
    table = Table(title=title, show_header=True, header_style="bold")
    table.add_column("measure")
    table.add_column("value", justify="right")
    for name in OUTCOMES:
        table.add_row(f"P({name})  [95% CI]", _fmt_p(summary["outcomes"][name]))
    for name, value in summary["war_kinds"].items():
        table.add_row(f"war kind: {name}", f"{value:.3f}")
    for name, value in summary["test"].items():
        table.add_row(f"test: {name}", f"{value:.3f}")
    for name, value in summary["flags"].items():
        table.add_row(f"flag: {name}", f"{value:.3f}")
    for name, value in summary["metrics"].items():
        if value is not None:
            table.add_row(name, f"{value:.3f}")
    return table


def _fmt_diff(entry: dict[str, Any]) -> str:
    if entry["ci"] is None:
        return f"Δ {entry['diff']:+.3f}"
    lo, hi = entry["ci"]
    return f"Δ {entry['diff']:+.3f} [{lo:+.3f}, {hi:+.3f}]"


def _comparison_tables(
    rows: list[tuple[str, dict[str, Any]]], title: str, mark: str | None = None
) -> list[Table]:
    """Two tables: outcome probabilities with intervals, each later policy's paired difference
    against the first under them, then the mechanisms behind them."""
    label = lambda name: f"{name} ★" if mark and name == mark else name  # noqa: E731
    notes = []
    if len(rows) > 1 and "paired" in rows[1][1]:
        notes.append(f"Δ: difference from {rows[0][0]} over the same runs, with its paired 95% CI")
    if mark:
        notes.append("★ the analysis's recommended policy")
    outcomes = Table(title=title, header_style="bold", caption="; ".join(notes) or None)
    outcomes.add_column("policy")
    for name in OUTCOMES:
        outcomes.add_column(f"P({name.replace('_', ' ')}) [95% CI]", justify="right")
    why = Table(
        title="Why: the test of intent and perception, red lines, kinds of war (shares of runs)",
        header_style="bold",
    )
    why.add_column("policy")
    for col in (
        "intended",
        "perceived",
        "both",
        "red line fired",
        "spiral war",
        "deterrence failure",
        "inadvertent",
    ):
        why.add_column(col, justify="right")
    for name, s in rows:
        paired = s.get("paired")
        outcomes.add_row(
            label(name),
            *(
                _fmt_p(s["outcomes"][o]) + (f"\n{_fmt_diff(paired[o])}" if paired else "")
                for o in OUTCOMES
            ),
        )
        why.add_row(
            label(name),
            *(f"{s['test'][k]:.3f}" for k in ("intended", "perceived", "both")),
            f"{s['flags']['red_line_fired']:.3f}",
            *(f"{s['war_kinds'][k]:.3f}" for k in ("spiral", "deterrence_failure", "inadvertent")),
        )
    return [outcomes, why, _ending_table(rows, label)]


def _ending_table(rows: list[tuple[str, dict[str, Any]]], label: Callable[[str], str]) -> Table:
    """How violent crises got (the highest ICB level) and how they ended (shares of runs)."""
    table = Table(
        title="How violent, how they end: highest ICB violence level, termination (shares of runs)",
        header_style="bold",
        caption="days: median crisis length among runs whose crisis ended; tacit, agreement, "
        "imposed: how it ended; recurred: a new crisis after an end",
    )
    table.add_column("policy")
    columns = ("minor clashes", "serious clashes", "war", "ended", "days", "tacit", "agreement",
               "imposed", "recurred")  # fmt: skip
    for name in columns:
        table.add_column(name, justify="right")
    for name, s in rows:
        v, t = s["violence"], s["termination"]
        days = t["end_day_median"]
        table.add_row(
            label(name),
            *(f"{v[k]:.3f}" for k in ("minor_clashes", "serious_clashes", "full_scale_war")),
            f"{t['ended']:.3f}",
            "–" if days is None else f"{days:.0f}",
            *(f"{t[k]:.3f}" for k in ("tacit", "agreement", "imposed", "recurred")),
        )
    return table


# --- commands ---------------------------------------------------------------------------------


@app.command()
def scenarios() -> None:
    """List the built-in scenarios."""
    for name in builtin_names():
        s = load_scenario(name)
        out.print(f"{name:<24} {s.start_date}  {s.days:>4} days  {s.title}", markup=False)


@app.command()
def timelines() -> None:
    """List the built-in event timelines: period, number of events, the scenario each pairs with."""
    for name in timeline_names():
        t = load_timeline(name)
        out.print(
            f"{name:<24} {t.start} … {t.end}  {len(t.events):>4} events  "
            f"scenario {t.scenario or '—'}  {t.title}",
            markup=False,
        )


@app.command()
def targets(json_: JsonOpt = False) -> None:
    """The calibration targets from ICB v15 (crises that began short of war): each figure with
    its n, 95% interval and the ICB variables and filter it was computed from."""
    from crisislab.calibration import load_targets

    found = load_targets()
    if json_:
        print_json(found.as_dict())
        return
    table = Table(title=f"Calibration targets: {found.reference_class}", header_style="bold")
    for column in ("target", "value", "n", "95% interval", "ICB filter → measure"):
        table.add_column(column, justify="right" if column in ("value", "n") else "left")

    def shown(x: float, unit: str) -> str:
        return f"{x:.0f} d" if unit == "days" else f"{100 * x:.1f}%"

    for t in found.values():
        name = t.name if t.reference_class else f"{t.name} (comparison)"
        table.add_row(
            escape(name),
            shown(t.value, t.unit),
            f"{t.n:,}",
            f"{shown(t.interval[0], t.unit)} – {shown(t.interval[1], t.unit)}",
            escape(f"{t.level}: {t.filter} → {t.measure}"),
        )
    table.caption = escape(f"Source: {found.source}")
    out.print(table)


@app.command()
def calibrate(
    scenario: ScenarioArg,
    targets_: Annotated[
        str, typer.Option("--targets", "-t", help="A target set: a built-in name or a YAML file.")
    ],
    output: Annotated[Path, typer.Option("--output", "-o", help="Posterior file (.parquet).")],
    population: Annotated[int, typer.Option(min=10, help="Particles per generation.")] = 200,
    generations: Annotated[int, typer.Option(min=1, max=100, help="Generations at most.")] = 8,
    runs: Annotated[
        int, typer.Option("--runs", "-n", min=100, max=1_000_000, help="Runs per evaluation.")
    ] = 2048,
    seed: SeedOpt = 0,
    min_epsilon: Annotated[
        float, typer.Option(min=0.0, help="Stop once the tolerance (in target sds) is this low.")
    ] = 0.0,
    days: DaysOpt = None,
    set_: SetOpt = None,
    executor: Annotated[
        str, typer.Option(help="Where evaluations run: sequential, process or dask.")
    ] = "process",
    workers: Annotated[int | None, typer.Option("--workers", "-w", min=1, max=64)] = None,
    restart: Annotated[
        bool, typer.Option(help="Discard a stored calibration with other settings.")
    ] = False,
    max_minutes: Annotated[
        float | None,
        typer.Option(min=0.0, help="Start no generation after this long (run again to continue)."),
    ] = None,
    min_acceptance: Annotated[
        float,
        typer.Option(min=0.0, max=1.0, help="Stop once a generation accepts less than this share."),
    ] = 0.02,
    plot: PlotOpt = None,
    check_draws: Annotated[
        int, typer.Option(min=0, max=1000, help="Parameter draws in the predictive check.")
    ] = 40,
    json_: JsonOpt = False,
) -> None:
    """Fit a scenario's uncertain parameters to a target set (ABC-SMC); write the posterior.

    A killed calibration continues from its last complete generation when run again with the
    same arguments. Then the diagnostics: parameters before and after, and every target
    simulated under the prior and the posterior against its observed value."""
    from crisislab.calibration import abc, diagnostics, load_target_set
    from crisislab.experiments.executors import open_executor

    _check_plot(plot)
    outputs.check(output)
    resolved = resolve(scenario, _overrides(set_))
    target_set = load_target_set(targets_)
    settings = abc.Settings(population, generations, runs, seed, min_epsilon, days)
    abc.parameter_names(resolved)
    live = err.status("calibrating: generation 1") if err.is_terminal else nullcontext()
    counted = {"generation": 1}

    def on_generation(g: Any) -> None:
        counted["generation"] = g.t + 2
        err.print(
            f"generation {g.t + 1} of {generations}: tolerance {g.epsilon:.3g} target sds, "
            f"acceptance {g.acceptance:.0%}, {g.evaluations:,} evaluations, "
            f"effective sample {g.effective_size:.0f}",
            markup=False,
        )

    def on_evaluation(n: int) -> None:
        if isinstance(live, Status):
            live.update(f"calibrating: generation {counted['generation']}, {n:,} evaluations")

    kind: Any = executor
    with (
        _interruptible(
            "the generations completed are kept; run the same command again to continue"
        ),
        open_executor(kind, workers) as (pool, _),
        live,
    ):
        fitted = abc.calibrate(
            resolved,
            target_set,
            output,
            settings,
            executor=pool,
            on_generation=on_generation,
            on_evaluation=on_evaluation,
            restart=restart,
            max_seconds=None if max_minutes is None else 60 * max_minutes,
            min_acceptance=min_acceptance,
        )
        checks = (
            diagnostics.predictive_check(
                resolved,
                target_set,
                fitted.posterior,
                draws=check_draws,
                runs=min(runs, 2048),
                seed=seed,
                executor=pool,
            )
            if check_draws
            else []
        )
    rows = diagnostics.parameter_rows(resolved, fitted.posterior)
    ess = fitted.posterior.effective_size()
    degenerate = ess < max(20.0, 0.1 * population)
    if degenerate:
        err.print(
            f"warning: the posterior rests on {ess:.1f} effective particles of {population}: "
            "its intervals and the narrowing of each parameter are not to be trusted (the "
            "targets may not inform the parameters; more particles or runs may help)",
            markup=False,
        )
    if plot is not None:
        diagnostics.plot_posterior(resolved, fitted.posterior, plot)
        err.print(f"figure written to {plot}", markup=False)
    err.print(f"posterior written to {output}", markup=False)
    if json_:
        print_json(
            {
                "scenario": resolved.name,
                "targets": target_set.name,
                "posterior": fitted.posterior.describe(),
                "resumed_from_generation": fitted.resumed_from,
                "degenerate": degenerate,
                "parameters": [r.as_dict() for r in rows],
                "predictive_check": [c.as_dict() for c in checks],
            }
        )
        return
    out.print(_parameter_table(rows, resolved.name))
    if checks:
        out.print(_check_table(checks))


def _parameter_table(rows: list[Any], name: str) -> Table:
    table = Table(title=f"{name}: what the targets moved", header_style="bold")
    for column in ("parameter", "prior", "prior 5–95%", "posterior median [5–95%]", "sd ratio"):
        table.add_column(column, justify="left" if column in ("parameter", "prior") else "right")
    for r in rows:
        lo, _, hi = r.prior_quantiles
        plo, pmid, phi = r.posterior_quantiles
        table.add_row(
            escape(r.name),
            escape(r.prior),
            f"{lo:.3g} – {hi:.3g}",
            f"{pmid:.3g} [{plo:.3g} – {phi:.3g}]",
            f"{r.narrowing:.2f}",
        )
    table.caption = "sd ratio: posterior sd over prior sd (1: the targets said nothing)"
    return table


def _check_table(checks: list[Any]) -> Table:
    table = Table(title="Predictive check: each target simulated", header_style="bold")
    for column in ("target", "observed ± sd", "prior: median [5–95%]", "posterior", "fits"):
        table.add_column(column, justify="left" if column == "target" else "right")

    def band(q: tuple[float, float, float]) -> str:
        return f"{q[1]:.3g} [{q[0]:.3g} – {q[2]:.3g}]"

    for c in checks:
        table.add_row(
            escape(c.name),
            f"{c.observed:.3g} ± {c.sd:.2g}",
            band(c.prior),
            band(c.posterior),
            "yes" if c.covered else "no",
        )
    table.caption = (
        "5–95%: over parameter draws, each with its own runs; fits: the observed value lies "
        "within the posterior's band widened by 2 sd"
    )
    return table


@app.command()
def validate(path: ScenarioArg) -> None:
    """Check a scenario file and summarise it; problems are listed with file:line:column."""
    s = load_scenario(path)
    # the scenario's own text is printed as plain text: no Rich markup in a title or a name
    out.print(f"[green]✓[/green] {escape(str(path))}: valid scenario ", end="", markup=True)
    out.print(f"'{s.name}' ({s.title or 'untitled'})", markup=False)
    out.print(
        f"  starts {s.start_date}, {s.days} days; defender {s.dyad.defender}, "
        f"challenger {s.dyad.challenger}",
        markup=False,
    )
    for aid, actor in s.actors.items():
        extra = ""
        if isinstance(actor, Proxy | Faction):
            extra = f" of {actor.principal}, control {actor.control}"
        elif isinstance(actor, Leadership):
            extra = f", doctrine {actor.doctrine}, P(limited) {actor.type_prior}"
        out.print(f"  actor {aid:<6} {actor.role:<10} {actor.name}{extra}", markup=False)
    for rid, line in s.red_lines.items():
        conds = " and ".join(f"{c.field} {c.op} {c.value}" for c in line.when)
        out.print(
            f"  red line {rid} ({line.owner}): if {conds} then {line.response} "
            f"(enforced with p={line.enforcement})",
            markup=False,
        )
    out.print(f"  channel: {s.channel.kind}, carries C2: {s.channel.carries_c2}")


@app.command()
def run(
    scenario: ScenarioArg,
    runs: RunsOpt = 10_000,
    seed: SeedOpt = 0,
    days: DaysOpt = None,
    set_: SetOpt = None,
    json_: JsonOpt = False,
    workers: WorkersOpt = 0,
    max_run_days: MaxRunDaysOpt = None,
    posterior: PosteriorOpt = None,
) -> None:
    """Simulate a scenario and report outcome probabilities with 95% intervals."""
    overrides = _overrides(set_)
    horizon = _scenario_days(scenario, overrides, days)
    work = _check_work("run", ((runs, "runs"), (horizon, "days")), max_run_days, MAX_RUN_DAYS)
    with (
        _interruptible("nothing was kept; a run's results are printed only when it ends"),
        _drawing(posterior),
        _progress("run", runs, work),
        _executor(workers, runs) as pool,
    ):
        result = simulate(scenario, runs, seed, overrides, days=days, executor=pool)
    summary = result.summary()
    if json_:
        print_json(summary)
        return
    out.print(
        _summary_table(
            summary, f"{summary['scenario']}: {runs} runs, {summary['days']} days, seed {seed}"
        )
    )


def _parse_lever(text: str) -> tuple[str, list[Any]]:
    path, sep, values = text.partition("=")
    if not sep or not values:
        raise ScenarioError([Problem("--lever", "", f"expected PATH=V1,V2,…, got {text!r}")])
    path = path.strip()
    if any(not v.strip() for v in values.split(",")):
        raise BadInput([Problem("--lever", path, f"an empty value in {values!r}")])
    try:
        parsed = [parse_override(f"{path}={v}")[1] for v in values.split(",")]
    except ScenarioError as exc:  # a value that is no single value: the lever's, not --set's
        raise ScenarioError(
            Problem("--lever", p.path, p.message) if p.source == "--set" else p
            for p in exc.problems
        ) from None
    twice = sorted({str(v) for v in parsed if parsed.count(v) > 1})
    if twice:
        raise BadInput([Problem("--lever", path, f"value given twice: {', '.join(twice)}")])
    return path, parsed


def _levers(texts: Sequence[str]) -> dict[str, list[Any]]:
    levers: dict[str, list[Any]] = {}
    for text in texts:
        path, values = _parse_lever(text)
        if path in levers:
            raise BadInput([Problem("--lever", path, "given twice; list its values once")])
        levers[path] = values
    return levers


def lever_names(paths: Sequence[str]) -> dict[str, str]:
    """A short name for each lever path that still says whose value it is: the last two
    segments (``actors.KH.control`` → ``KH.control``), more where two levers would share it."""
    split = {p: p.split(".") for p in paths}
    names = {}
    for path, parts in split.items():
        k = min(2, len(parts))
        while k < len(parts) and any(
            other != path and q[-k:] == parts[-k:] for other, q in split.items()
        ):
            k += 1
        names[path] = ".".join(parts[-k:])
    return names


def _value_text(value: Any) -> str:
    """A lever value as it is written after `--set PATH=` (true, not True)."""
    return str(value).lower() if isinstance(value, bool) else str(value)


def policy_labels(levers: Mapping[str, Sequence[Any]]) -> dict[str, dict[str, Any]]:
    """The full factorial of the levers, each combination labelled ``USA.doctrine=gtft,
    KH.control=0.4``, in the order of `itertools.product`."""
    names = lever_names(list(levers))
    policies = {}
    for combo in itertools.product(*levers.values()):
        setting = dict(zip(levers, combo, strict=True))
        label = ", ".join(f"{names[p]}={_value_text(v)}" for p, v in setting.items())
        policies[label] = setting
    return policies


@app.command()
def compare(
    scenario: ScenarioArg,
    lever: Annotated[list[str], typer.Option("--lever", help="PATH=V1,V2,… (repeatable).")],
    runs: RunsOpt = 10_000,
    seed: SeedOpt = 0,
    days: DaysOpt = None,
    set_: SetOpt = None,
    json_: JsonOpt = False,
    workers: WorkersOpt = 0,
    max_run_days: MaxRunDaysOpt = None,
    posterior: PosteriorOpt = None,
) -> None:
    """Compare the full factorial of one or more levers, with the statistics of `run` and each
    policy's paired differences against the first over the same runs."""
    base = _overrides(set_)
    levers = _levers(lever)
    n_policies = math.prod(len(values) for values in levers.values())
    if n_policies > MAX_POLICIES:
        raise ResourceLimit(
            [
                Problem(
                    "--lever",
                    "",
                    f"{n_policies:,} combinations, more than the {MAX_POLICIES:,} `compare` "
                    "runs; run a study for larger designs (`crisislab study run`, see "
                    "docs/studies.md)",
                )
            ]
        )
    _check_levers(scenario, base, levers)
    horizon = _scenario_days(scenario, base, days)
    given = [v for v in levers.get("days", []) if type(v) is int]
    if days is None and given:  # a lever on the horizon itself: its longest
        horizon = max(given)
    work = _check_work(
        "compare",
        ((n_policies, "policies"), (runs, "runs"), (horizon, "days")),
        max_run_days,
        MAX_RUN_DAYS,
    )
    policies = policy_labels(levers)
    with (
        _interruptible("nothing was kept; the comparison is printed when every policy has run"),
        _drawing(posterior) as drawn,
        _progress("compare", n_policies * runs, work),
        _executor(workers, runs * 2) as pool,
    ):
        compared = compare_policies(scenario, policies, runs, seed, base, days=days, executor=pool)
    if json_:
        print_json(
            _stamped(
                {
                    "scenario": compared["scenario"],
                    "runs": runs,
                    "seed": seed,
                    "days": compared["days"],
                    "levers": levers,
                    "overrides": base,
                    "results": compared["results"],
                },
                drawn,
            )
        )
        return
    rows = [(entry["policy"], entry) for entry in compared["results"]]
    for table in _comparison_tables(rows, f"{compared['scenario']}: {runs} runs per policy"):
        out.print(table)


@app.command()
def claims(
    scenario: ScenarioArg,
    runs: RunsOpt = 4000,
    seed: SeedOpt = 0,
    days: DaysOpt = None,
    set_: SetOpt = None,
    json_: JsonOpt = False,
    workers: WorkersOpt = 0,
    max_run_days: MaxRunDaysOpt = None,
    posterior: PosteriorOpt = None,
) -> None:
    """The analysis's claims as paired contrasts on a scenario: each claim's effect on war,
    stable de-escalation and its own measure, with paired 95% intervals, whichever way it falls."""
    from crisislab.experiments.claims import claims as measure_claims
    from crisislab.experiments.claims import settings as claim_settings

    base = _overrides(set_)
    horizon = _scenario_days(scenario, base, days)
    n = claim_settings(scenario, base, days=days)
    work = _check_work(
        "claims", ((n, "settings"), (runs, "runs"), (horizon, "days")), max_run_days, MAX_RUN_DAYS
    )
    with (
        _interruptible("nothing was kept"),
        _drawing(posterior) as drawn,
        _progress("claims", n * runs, work),
        _executor(workers, runs * 2) as pool,
    ):
        found = measure_claims(scenario, runs, seed, base, days=days, executor=pool)
    if json_:
        print_json(_stamped(found, drawn))
        return
    out.print(_claims_table(found))


def _claims_table(found: dict[str, Any]) -> Table:
    table = Table(
        title=f"The analysis's claims on {found['scenario']}: {found['runs']:,} runs per setting, "
        f"{found['days']} days, seed {found['seed']}",
        caption="Δ: alternative minus base over the same runs, with its paired 95% CI",
        header_style="bold",
    )
    for column in ("claim", "Δ P(war)", "Δ P(stable)", "own measure Δ", "verdict"):
        table.add_column(column, justify="left" if column in ("claim", "verdict") else "right")

    def delta(effect: dict[str, Any]) -> str:
        ci = effect["ci"] or [effect["diff"], effect["diff"]]
        return f"{effect['diff']:+.3f} [{ci[0]:+.3f}, {ci[1]:+.3f}]"

    for c in found["claims"]:
        if not c["measured"]:
            table.add_row(escape(c["id"]), "", "", "", escape(f"not measured: {c['reason']}"))
            continue
        e = c["effects"]
        table.add_row(
            escape(c["id"]),
            delta(e["war"]),
            delta(e["stable_deescalation"]),
            escape(f"{c['measure']} {delta(e[c['measure']])}"),
            escape(c["verdict"]),
        )
    return table


@app.command()
def story(
    scenario: ScenarioArg,
    seed: SeedOpt = 0,
    run_index: Annotated[
        int, typer.Option("--run", "-k", min=0, max=MAX_RUNS - 1, help="Which run to narrate.")
    ] = 0,
    days: DaysOpt = None,
    set_: SetOpt = None,
    json_: JsonOpt = False,
) -> None:
    """Narrate one run day by day: truth, each side's perception, beliefs, red lines, outcome."""
    overrides = _overrides(set_)
    if days is not None:
        overrides["days"] = days
    told = make_story(scenario, run_index, seed, overrides)
    if json_:
        print_json(
            {
                "scenario": told.scenario.name,
                "run": run_index,
                "seed": seed,
                "outcome": told.outcome,
                "why": told.why(),
                "records": told.records,
            }
        )
        return
    for line in told.lines():
        out.print(line, markup=False)


@app.command()
def demo(
    runs: RunsOpt = 10_000,
    seed: SeedOpt = 1,
    days: DaysOpt = 365,
    fronts_runs: Annotated[
        int, typer.Option(min=1, max=MAX_RUNS, help="Runs per doctrine for the fronts table.")
    ] = 4096,
    fronts_days: Annotated[
        int, typer.Option(min=1, max=3650, help="Horizon of the fronts table.")
    ] = 730,
    claims_runs: Annotated[
        int, typer.Option(min=1, max=MAX_RUNS, help="Runs per setting for the claims table.")
    ] = DEMO_CLAIMS_RUNS,
    workers: WorkersOpt = 0,
    report: Annotated[
        Path, typer.Option("--report", help="Where to write the HTML report.")
    ] = Path("crisislab-report.html"),
    no_report: Annotated[bool, typer.Option("--no-report", help="Write no HTML report.")] = False,
) -> None:
    """Compare the six US doctrines on us-iran-2020, explain the table, then the long term and
    the analysis's claims."""
    from crisislab.experiments.claims import claims as measure_claims
    from crisislab.experiments.claims import settings as claim_settings

    name = "us-iran-2020"
    if not no_report:  # say so before simulating
        outputs.check(report)
    horizon = _scenario_days(name, {}, days)
    out.print(
        f"[bold]crisislab demo[/bold]: {name}, {runs} runs per doctrine, {days} days, seed {seed}",
        markup=True,
    )
    policies = {doctrine: {"actors.USA.doctrine": doctrine} for doctrine in DOCTRINES}
    kept = "nothing was kept beyond the tables printed; no report was written"
    background: ProcessPoolExecutor | None = None
    try:
        with _interruptible(kept):
            n = len(DOCTRINES)
            with (
                _progress("doctrines", n * runs, n * runs * horizon),
                _executor(workers, runs * n) as pool,
            ):
                compared = compare_policies(name, policies, runs, seed, days=days, executor=pool)
            summaries = {entry["policy"]: entry for entry in compared["results"]}
            rows = [(d, summaries[d]) for d in DOCTRINES]
            for table in _comparison_tables(
                rows, "US doctrine after the Al Asad strike (8 January 2020)", mark=RECOMMENDED
            ):
                out.print(table)
            for sentence in interpret(summaries):
                out.print(sentence)
            pending = None
            if not no_report:
                pending, background = _start_report(
                    name, min(runs, DEMO_REPORT_RUNS), seed, days, workers
                )
            long_term: dict[str, dict[str, Any]] = {}
            with (
                _progress("long term", n * fronts_runs, n * fronts_runs * fronts_days),
                _executor(workers, fronts_runs * n) as pool,
            ):
                for doctrine in DOCTRINES:
                    result = simulate(
                        name,
                        fronts_runs,
                        seed,
                        {"actors.USA.doctrine": doctrine},
                        days=fronts_days,
                        executor=pool,
                    )
                    long_term[doctrine] = result.summary()
            out.print(
                _fronts_table(
                    long_term,
                    f"The long term: strategic fronts over {fronts_days} days "
                    f"({fronts_runs} runs per doctrine)",
                    RECOMMENDED,
                )
            )
            settings = claim_settings(name, days=days)
            with (
                _progress("claims", settings * claims_runs, settings * claims_runs * horizon),
                _executor(workers, claims_runs * 2) as pool,
            ):
                found = measure_claims(name, claims_runs, seed, days=days, executor=pool)
            out.print(_claims_table(found))
            if pending is not None:
                with err.status("writing the report…"):
                    comparison = pending.result()
                _write_demo_report(comparison, summaries, long_term, found, report)
    except BaseException:
        if background is not None:
            _stop(background)  # ends the worker at once: its report will not be written
        raise
    if background is not None:
        background.shutdown(wait=True)


def _ignore_interrupts() -> None:
    """In a worker process: leave Ctrl-C to the parent, which stops the worker itself."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _stop(pool: ProcessPoolExecutor) -> None:
    """Shut a process pool down without waiting for its work: its workers are ended."""
    workers = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for process in workers:
        if process.is_alive():
            process.terminate()
    for process in workers:
        process.join(timeout=5)


def _start_report(
    name: str, runs: int, seed: int, days: int | None, workers: int
) -> tuple[Future, ProcessPoolExecutor | None]:
    """Simulate the report's daily trajectories and stories in a background process while the
    fronts table is computed (results do not depend on where they are computed); the pool, if
    one was started, is the caller's to stop. The claims are left out: the demo measures them in
    the foreground and the report shows its table's numbers."""
    from crisislab.report.comparison import compare_doctrines

    if workers == 1:  # one process was asked for
        future: Future = Future()
        future.set_result(compare_doctrines(name, DOCTRINES, runs=runs, seed=seed, days=days))
        return future, None
    background = ProcessPoolExecutor(max_workers=1, initializer=_ignore_interrupts)
    future = background.submit(compare_doctrines, name, DOCTRINES, runs=runs, seed=seed, days=days)
    return future, background


def _write_demo_report(
    comparison: Any, summaries: dict, fronts: dict, claims: dict, path: Path
) -> None:
    """The demo's report: its own tables' numbers, the daily charts of its smaller ensemble."""
    from crisislab.report import write_html
    from crisislab.report.pages import comparison_page

    comparison.summaries, comparison.fronts, comparison.mark = summaries, fronts, RECOMMENDED
    comparison.claims = claims
    comparison.notes.append(
        "Written by `crisislab demo`: the outcome, front and claim numbers are those of the "
        "tables it printed; the daily charts use a smaller ensemble to keep the demo quick."
    )
    written = write_html(comparison_page(comparison), path)
    out.print(f"report written to {_shown(written)}", markup=False)


def _shown(path: Path) -> str:
    """A written file as the user will look for it: absolute, unless it is a pipe or device."""
    return str(path) if outputs.writes_through(path) else str(path.resolve())


def _fronts_table(summaries: dict[str, dict[str, Any]], title: str, mark: str) -> Table:
    table = Table(title=title, header_style="bold")
    for col in (
        "policy",
        "P(expulsion) [95% CI]",
        "P(follow-on)",
        "P(breakout) [95% CI]",
        "ship incidents",
        "day: expulsion",
        "day: breakout",
        "P(war)",
    ):
        table.add_column(col, justify="left" if col == "policy" else "right", no_wrap=True)
    table.caption = (
        "follow-on: withdrawal from the neighbouring theatre; ship incidents: mean "
        "per run; day: median day among runs where the event happens"
    )
    day = lambda v: "—" if v is None else f"{v:.0f}"  # noqa: E731
    for name, s in summaries.items():
        n = s["runs"]
        flags, tte = s["flags"], s["time_to_event"]
        table.add_row(
            f"{name} ★" if name == mark else name,
            _fmt_p(_with_ci(flags["host_expulsion"], n)),
            f"{flags['follow_on_withdrawal']:.3f}",
            _fmt_p(_with_ci(flags["breakout_crisis"], n)),
            f"{s['metrics']['maritime_incidents_mean']:.2f}",
            day(tte["host_expulsion_day_median"]),
            day(tte["breakout_crisis_day_median"]),
            f"{s['outcomes']['war']['p']:.3f}",
        )
    return table


def _with_ci(p: float, n: int) -> dict[str, Any]:
    lo, hi = wilson_interval(round(p * n), n)
    return {"p": p, "ci": [lo, hi]}


def interpret(summaries: dict[str, dict[str, Any]]) -> list[str]:
    """Plain sentences read off the comparison table (never written in advance)."""
    war = {d: s["outcomes"]["war"] for d, s in summaries.items()}
    stable = {d: s["outcomes"]["stable_deescalation"]["p"] for d, s in summaries.items()}
    safest = min(war, key=lambda d: war[d]["p"])
    riskiest = max(war, key=lambda d: war[d]["p"])
    rec = summaries[RECOMMENDED]
    lines = [
        f"- War is least likely under {safest} (P={war[safest]['p']:.1%}, 95% CI "
        f"{war[safest]['ci'][0]:.1%}–{war[safest]['ci'][1]:.1%}) and most likely under "
        f"{riskiest} (P={war[riskiest]['p']:.1%}).",
        f"- Stable de-escalation ranges from {min(stable.values()):.1%} to "
        f"{max(stable.values()):.1%} across doctrines; under {RECOMMENDED} it is "
        f"{stable[RECOMMENDED]:.1%}.",
        f"- Under {RECOMMENDED}, Iran intends no escalation in {rec['test']['intended']:.1%} of "
        f"runs and the US perceives that in {rec['test']['perceived']:.1%}; both hold in "
        f"{rec['test']['both']:.1%}, the share in which the claim's test is passed.",
    ]
    first = next(iter(summaries))
    paired = summaries[riskiest].get("paired")
    if riskiest != first and paired and paired["war"]["ci"] is not None:
        d = paired["war"]
        (lo, hi), (ulo, uhi) = d["ci"], d["unpaired_ci"]
        gain = 1 - (hi - lo) / (uhi - ulo) if uhi > ulo else 0.0
        width = (
            f"{gain:.0%} narrower than the interval that ignores the pairing"
            if gain > 0
            else "no narrower than the interval that ignores the pairing"
        )
        lines.append(
            f"- Over the same {summaries[riskiest]['runs']:,} runs, {riskiest} changes P(war) by "
            f"{100 * d['diff']:+.1f} percentage points against {first} (paired 95% CI "
            f"{100 * lo:+.1f} to {100 * hi:+.1f}, {width})."
        )
    kinds = rec["war_kinds"]
    if rec["outcomes"]["war"]["p"] > 0:
        main = max(("spiral", "deterrence_failure"), key=lambda k: kinds[k])
        lines.append(
            f"- Wars under {RECOMMENDED} are mostly {main.replace('_', ' ')}s "
            f"({kinds[main]:.1%} of runs); {kinds['inadvertent']:.1%} of runs reach war through an "
            f"unordered first lethal event. The US red line fires in "
            f"{rec['flags']['red_line_fired']:.1%} of runs."
        )
    return lines


@app.command()
def report(
    source: Annotated[
        str,
        typer.Argument(
            help="A scenario (built-in name or YAML file), a JSON file written by "
            "`crisislab replay --json` or `crisislab fork --json`, or a study directory."
        ),
    ],
    output: Annotated[Path, typer.Option("--output", "-o", help="HTML file to write.")],
    runs: Annotated[
        int | None,
        typer.Option(
            "--runs", "-n", min=1, max=MAX_RUNS, help=f"Runs per doctrine [{REPORT_RUNS}]."
        ),
    ] = None,
    seed: Annotated[
        int | None, typer.Option("--seed", "-s", min=0, help="Random seed [0].")
    ] = None,
    days: DaysOpt = None,
    set_: SetOpt = None,
    workers: WorkersOpt = 0,
    max_run_days: DailyMaxRunDaysOpt = None,
    posterior: PosteriorOpt = None,
) -> None:
    """Write a self-contained HTML report: the six doctrines compared on a scenario, a saved
    replay or fork, or a study's policies across its futures."""
    from crisislab.experiments.claims import settings as claim_settings
    from crisislab.report import build_report, write_html
    from crisislab.report.sources import is_scenario, source_files

    outputs.check(output, inputs=source_files(source))
    if posterior is not None and not is_scenario(source):
        raise BadInput(
            [
                Problem(
                    "--posterior",
                    "",
                    "applies to a scenario; a saved fork or study names "
                    "the posterior its runs drew from",
                )
            ]
        )
    per_doctrine = runs or REPORT_RUNS
    n = len(DOCTRINES)
    _check_work(
        "report",
        ((n, "doctrines"), (per_doctrine, "runs"), (days or 365, "days")),
        max_run_days,
        DAILY_MAX_RUN_DAYS,
    )
    # a scenario's report also measures the analysis's claims: two settings per claim, each of
    # as many runs as a doctrine, none of them keeping daily series
    overrides = _overrides(set_)
    n += claim_settings(source, overrides, days=days) if is_scenario(source) else 0
    with (
        _interruptible(f"nothing was written to {output}"),
        _drawing(posterior),
        _progress("report", n * per_doctrine, n * per_doctrine * (days or 365)) as meter,
        _executor(workers, per_doctrine * n) as pool,
    ):
        page = build_report(
            source,
            DOCTRINES,
            runs=runs,
            seed=seed,
            days=days,
            overrides=overrides,
            default_runs=REPORT_RUNS,
            executor=pool,
        )
        meter.close()
        written = write_html(page, output)
    err.print(f"report written to {written}", markup=False)


# --- history: replay, fork, export -----------------------------------------------------------

TimelineArg = Annotated[str, typer.Argument(help="A built-in timeline name or a timeline file.")]
ScenarioOpt = Annotated[
    str | None, typer.Option("--scenario", help="Scenario (default: the timeline's own).")
]
PlotOpt = Annotated[
    Path | None, typer.Option("--plot", help="Write a figure (.png, .svg or .pdf).")
]


def _check_plot(plot: Path | None) -> None:
    """Refuse a figure path before the work: no extension, an unknown one, no such folder."""
    if plot is None:
        return
    from crisislab.report.plots import figure_format

    figure_format(plot)
    outputs.check(plot)


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ScenarioError(
            [Problem("--at", "at", f"expected a date YYYY-MM-DD, got {text!r}")]
        ) from None


def _timeline(name_or_path: str, skip_bad_rows: bool) -> Any:
    """The timeline a command reads: any problem of its rows is an error (exit 2, with lines)
    unless `--skip-bad-rows` is given; then the rows left out are counted on stderr, with the
    first few."""
    record = load_timeline(name_or_path, strict=not skip_bad_rows)
    if record.problems:
        shown = "; ".join(str(p) for p in record.problems[:3])
        more = f" (and {len(record.problems) - 3} more)" if len(record.problems) > 3 else ""
        err.print(
            f"skipped: {len(record.problems)} problems in the timeline's rows: {shown}{more}",
            markup=False,
        )
    return record


@app.command()
def replay(
    timeline: TimelineArg,
    scenario: ScenarioOpt = None,
    runs: Annotated[int, typer.Option("--runs", "-n", min=1, max=100_000)] = 1024,
    seed: SeedOpt = 0,
    set_: SetOpt = None,
    json_: JsonOpt = False,
    plot: PlotOpt = None,
    skip_bad_rows: SkipBadRowsOpt = False,
) -> None:
    """Replay observed events: what each side perceived, believed and attributed, day by day."""
    from crisislab.history.replay import replay as run_replay
    from crisislab.report import replay_figure, save_figure

    _check_plot(plot)
    record = _timeline(timeline, skip_bad_rows)
    with _interruptible("nothing was kept"):
        result = run_replay(record, scenario, runs=runs, seed=seed, overrides=_overrides(set_))
        if plot is not None:
            save_figure(replay_figure(result), plot)
            err.print(f"figure written to {plot}", markup=False)
    if json_:
        print_json(result.to_json())
        return
    sides = list(result.days[0]["sides"]) if result.days else []
    table = Table(
        title=f"Replay of {result.timeline.name} on {result.scenario.name} ({runs} runs)",
        header_style="bold",
    )
    for col in ("date", "events", "Goldstein", "Rivera"):
        table.add_column(col, justify="right")
    for side in sides:
        table.add_column(f"{side} perceived rung", justify="right")
        table.add_column(f"{side} belief", justify="right")
        table.add_column(f"{side} red line", justify="right")
    for day in result.days:
        if not day["events"]:
            continue
        cells = [day["date"], str(day["events"]), f"{day['goldstein']:.1f}", f"{day['rivera']:.0f}"]
        for side in sides:
            s = day["sides"][side]
            cells += [
                f"{s['perceived_rung']:.1f}",
                f"{s['belief']:.2f}",
                f"{s['red_line_fired']:.2f}",
            ]
        table.add_row(*cells)
    out.print(table)
    out.print(result.mapped.summary(), markup=False)
    for problem in result.mapped.problems:
        out.print(f"not replayed: {problem}", markup=False)
    for note in result.mapped.notes:
        out.print(f"read in part: {note}", markup=False)


@app.command()
def fork(
    timeline: TimelineArg,
    at: Annotated[str, typer.Option("--at", help="The fork date, YYYY-MM-DD.")],
    scenario: ScenarioOpt = None,
    runs: RunsOpt = 10_000,
    seed: SeedOpt = 0,
    days: DaysOpt = None,
    set_: SetOpt = None,
    json_: JsonOpt = False,
    plot: PlotOpt = None,
    workers: WorkersOpt = 0,
    max_run_days: DailyMaxRunDaysOpt = None,
    skip_bad_rows: SkipBadRowsOpt = False,
    posterior: PosteriorOpt = None,
) -> None:
    """Simulate forward from a real day of a timeline, scored against what happened next."""
    from crisislab.history.fork import fork as run_fork
    from crisislab.report import fork_figure, save_figure

    _check_plot(plot)
    fork_date = _date(at)
    _check_work("fork", ((runs, "runs"), (days or 365, "days")), max_run_days, DAILY_MAX_RUN_DAYS)
    record = _timeline(timeline, skip_bad_rows)
    with _interruptible("nothing was kept"), _drawing(posterior) as drawn:
        with (
            _progress("fork", runs, runs * (days or 365)),
            _executor(workers, runs) as pool,
        ):
            result = run_fork(
                record,
                fork_date,
                scenario,
                runs=runs,
                seed=seed,
                overrides=_overrides(set_),
                days=days,
                executor=pool,
            )
        if plot is not None:
            save_figure(fork_figure(result), plot)
            err.print(f"figure written to {plot}", markup=False)
    summary = result.summary()
    if json_:
        print_json(_stamped(summary, drawn))
        return
    out.print(
        _summary_table(summary, f"Fork of {result.timeline.name} on {fork_date}: {runs} runs")
    )
    cal = summary["calibration"]
    table = Table(
        title=f"Calibration: the {cal['window_days']} days after {fork_date} that the timeline "
        "covers",
        header_style="bold",
    )
    for col in ("event", "forecast [95% CI]", "happened", "Brier", "log score"):
        table.add_column(col, justify="left" if col == "event" else "right")

    def score(value: float | None) -> str:
        return "—" if value is None else f"{value:.3f}"

    for e in cal["events"].values():
        happened = "—" if e["observed"] is None else ("yes" if e["observed"] else "no")
        table.add_row(
            e["description"],
            _fmt_p({"p": e["forecast"], "ci": e["ci"]}),
            happened,
            score(e["brier"]),
            score(e["log_score"]),
        )
    table.caption = (
        f"mean Brier {score(cal['mean_brier'])}, mean log score "
        f"{score(cal['mean_log_score'])} (lower is better)"
    )
    out.print(table)


@app.command()
def backtest(
    timelines: Annotated[
        list[str],
        typer.Argument(metavar="TIMELINE", help="Built-in timeline names or timeline files."),
    ],
    every: Annotated[int, typer.Option("--every", help="Days between fork days.")] = 7,
    runs: RunsOpt = 2000,
    seed: SeedOpt = 0,
    scenario: ScenarioOpt = None,
    set_: SetOpt = None,
    json_: JsonOpt = False,
    html: Annotated[Path | None, typer.Option("--html", help="Write an HTML page.")] = None,
    workers: WorkersOpt = 0,
    max_run_days: DailyMaxRunDaysOpt = None,
    skip_bad_rows: SkipBadRowsOpt = False,
    posterior: PosteriorOpt = None,
) -> None:
    """Fork timelines every few days; score the forecasts against what followed and baselines."""
    from crisislab.history import backtest as bt

    bt.check_every(every)
    if html is not None:
        outputs.check(html)
    records = [_timeline(name, skip_bad_rows) for name in timelines]
    forks = sum(len(bt.fork_dates(record, every)) for record in records)
    days = bt.HORIZON_DAYS
    _check_work("backtest", ((runs, "runs"), (days, "days")), max_run_days, DAILY_MAX_RUN_DAYS)
    with _interruptible("nothing was kept"), _drawing(posterior) as drawn:
        with (
            _progress("backtest", runs * forks, runs * forks * days),
            _executor(workers, runs) as pool,
        ):
            data = bt.backtest(
                records,
                every=every,
                runs=runs,
                seed=seed,
                scenario=scenario,
                overrides=_overrides(set_),
                executor=pool,
            )
        data = _stamped(data, drawn)
        if html is not None:
            bt.write_html(data, html)
            err.print(f"page written to {html}", markup=False)
    if json_:
        print_json(data)
        return
    for table in bt.console_tables(data):
        out.print(table)


@app.command()
def export(
    scenario: ScenarioArg,
    output: Annotated[Path, typer.Option("--output", "-o", help="CSV file to write.")],
    runs: Annotated[int, typer.Option("--runs", "-n", min=1, max=MAX_RUNS)] = 10,
    seed: SeedOpt = 0,
    days: DaysOpt = None,
    set_: SetOpt = None,
    max_run_days: Annotated[
        int | None,
        typer.Option(
            "--max-run-days",
            min=1,
            help=f"Refuse more work than this many run-days (runs × days) "
            f"[{EXPORT_MAX_RUN_DAYS:,}].",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Write simulated runs as event data (the timeline CSV format, with CAMEO, PLOVER and
    Goldstein codes), so simulated and real events can be analysed with the same tools."""
    from crisislab.history.export import write_events

    overrides = _overrides(set_)
    if days is not None:
        overrides["days"] = days
    horizon = _scenario_days(scenario, overrides, None)
    work = _check_work(
        "export", ((runs, "runs"), (horizon, "days")), max_run_days, EXPORT_MAX_RUN_DAYS
    )
    # also refuses an output that cannot be written, or that is the scenario file read
    through = outputs.writes_through(output, inputs=[scenario])

    def kept() -> str:
        if not through:
            return f"nothing was written to {output}"
        return f"{output} got the events of the first {meter.done:,} runs only"

    with _interruptible(kept), _progress("export", runs, work, traced=True) as meter:
        n = write_events(
            scenario, output, runs=runs, seed=seed, overrides=overrides, progress=meter
        )
    err.print(f"{n} events of {runs} runs written to {output}", markup=False)


# --- dashboard --------------------------------------------------------------------------------


@app.command()
def dashboard(
    host: Annotated[
        str, typer.Option("--host", help="Address to listen on (default: this machine only).")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", "-p", min=1, max=65535, help="Port.")] = 8501,
) -> None:
    """Start the interactive dashboard (a local web app) and print its address; Ctrl+C stops it."""
    from crisislab.dashboard.launch import serve

    code = serve(host, port)
    if code:
        raise typer.Exit(code)


# --- entry point ------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> None:
    """Run the CLI, turning bad input into exit code 2 and one clear message."""
    try:
        # outside standalone mode, click returns the code of a `typer.Exit` instead of raising
        code = app(args=list(argv) if argv is not None else None, standalone_mode=False)
    except CrisislabError as exc:
        for problem in exc.problems:
            err.print(f"error: {problem}", markup=False)
        sys.exit(2)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except typer.Abort:
        err.print("aborted")
        sys.exit(130)
    except Exception as exc:  # usage errors (click's, as vendored by Typer) and internal errors
        exit_code = getattr(exc, "exit_code", None)
        if hasattr(exc, "show") and isinstance(exit_code, int):
            exc.show()
            sys.exit(exit_code)
        if os.environ.get("CRISISLAB_DEBUG"):
            raise
        err.print(
            f"internal error: {type(exc).__name__}: {exc} (set CRISISLAB_DEBUG=1 for a traceback)",
            markup=False,
        )
        sys.exit(1)
    sys.exit(code if isinstance(code, int) else 0)
