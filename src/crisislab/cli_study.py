"""`crisislab study …`: validate, run (resumably, on any executor), query and analyse studies.

Exit codes as for every command (0 success, 2 bad input, 1 internal error), plus 3 when a study
finished but some chunks failed: their errors are in the study directory and running again
retries them.
"""

from __future__ import annotations

import csv
import sys
import time
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from crisislab.console import err, out, print_json, writing_stdout
from crisislab.errors import BadInput, Problem, StudyError
from crisislab.experiments import Study, StudyResults, example_names, open_executor
from crisislab.experiments.design import Chunk
from crisislab.experiments.executors import EXECUTORS
from crisislab.experiments.store import StudyStore
from crisislab.scenario.outcomes import OUTCOMES

EXIT_CHUNKS_FAILED = 3
EXIT_INTERRUPTED = 130
MAX_TABLE_ROWS = 1000

study_app = typer.Typer(
    no_args_is_help=True,
    help="Studies: levers × uncertainties × runs, stored as Parquet, queried with SQL, analysed.",
)

StudyArg = Annotated[str, typer.Argument(help="An example study name or a study YAML file.")]
DirArg = Annotated[Path, typer.Argument(help="A study directory (made by `study run`).")]
PosteriorOpt = Annotated[
    Path | None,
    typer.Option(
        "--posterior",
        help="A calibration's posterior (`crisislab calibrate`): each group of runs draws its "
        "parameters from it. Gives or replaces the study file's `posterior:`; a study resumes "
        "only with the posterior it started with.",
    ),
]


def _default_dir(study: Study) -> Path:
    return Path("studies") / study.spec.name


@study_app.command("examples")
def examples() -> None:
    """List the example studies shipped with crisislab."""
    for name in example_names():
        study = Study.load(name)
        out.print(f"{name}: {study.spec.description.strip()}", markup=False)


@study_app.command("validate")
def validate_study(study: StudyArg, posterior: PosteriorOpt = None) -> None:
    """Check a study file (and the posterior it draws from) and print the size of its design."""
    loaded = Study.load(study, posterior)
    spec = loaded.spec
    out.print(
        f"{study}: valid — {spec.n_policies} policies × {spec.n_samples} futures = "
        f"{spec.n_points:,} points × {spec.runs_per_point:,} runs = "
        f"{spec.n_points * spec.runs_per_point:,} runs ({spec.sampler} sampler)"
        + _drawn_from(loaded),
        markup=False,
    )


def _drawn_from(study: Study) -> str:
    """What a line about the study adds when it draws from a posterior (else nothing)."""
    if study.posterior is None:
        return ""
    about = study.posterior.describe()
    return (
        f"; parameters drawn from the posterior {about['posterior']} ({about['particles']:,} "
        f"particles, effective size {about['effective_size']:,}: "
        f"{', '.join(about['parameters'])})"
    )


@study_app.command("run")
def run(
    study: StudyArg,
    directory: Annotated[
        Path | None,
        typer.Option("--dir", help="Study directory (default: studies/NAME). Re-run to resume."),
    ] = None,
    executor: Annotated[
        str, typer.Option("--executor", "-e", help=f"One of: {', '.join(EXECUTORS)}.")
    ] = "sequential",
    workers: Annotated[
        int | None, typer.Option("--workers", "-w", min=1, max=256, help="Worker processes.")
    ] = None,
    scheduler: Annotated[
        str | None, typer.Option("--scheduler", help="Dask scheduler address (dask only).")
    ] = None,
    json_output: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
    posterior: PosteriorOpt = None,
) -> None:
    """Run a study, or resume it: chunks already stored are skipped, failed ones retried, and
    damaged parts computed again. Ctrl-C stops it at once, keeping every chunk stored."""
    loaded = Study.load(study, posterior)
    target = directory or _default_dir(loaded)
    chunks = loaded.design.chunks
    # every refusal (another study's directory, someone else's files, bad executor options)
    # comes before anything is written or shown
    store = loaded.check_directory(target)
    try:
        with open_executor(executor, workers, scheduler) as (pool, n_workers):  # type: ignore[arg-type]
            loaded.prepare(store)
            check = store.check_parts(chunks)
            if check.damaged:
                err.print(
                    f"warning: {len(check.damaged)} damaged part(s) in {target} will be computed "
                    f"again: {check.describe()}",
                    markup=False,
                )
            if not json_output:
                done = f"; {len(check.good):,} chunks already done" if check.good else ""
                err.print(
                    f"{loaded.spec.name}: {len(chunks):,} chunks, "
                    f"{sum(c.runs for c in chunks):,} runs in {target}{done}" + _drawn_from(loaded),
                    markup=False,
                )
            with _progress(quiet=json_output) as bar:
                task = bar.add_task(loaded.spec.name, total=len(chunks), rate="")
                bar.update(task, completed=len(check.good))
                started, runs_done = time.perf_counter(), [0]

                def advance(chunk: Chunk, ok: bool) -> None:
                    runs_done[0] += chunk.runs if ok else 0
                    rate = runs_done[0] / max(time.perf_counter() - started, 1e-9)
                    bar.update(task, advance=1, rate=f"{rate:,.0f} runs/s")

                results = loaded.run(store, pool, n_workers, progress=advance)
    except KeyboardInterrupt:
        _say_interrupted(store, target)
        raise typer.Exit(EXIT_INTERRUPTED) from None
    status = results.status()
    report = results.report
    assert report is not None
    summary = {
        "study": loaded.spec.name,
        **({} if loaded.posterior is None else {"posterior": loaded.posterior.describe()}),
        "directory": str(target),
        "executor": executor,
        "workers": n_workers,
        "chunks": status["chunks"],
        "skipped": report.skipped,
        "completed_now": report.completed,
        "completed": status["completed"],
        "failed": status["failed"],
        "repaired": sorted(report.repaired),
        "runs": status["runs"],
        "total_runs": status["total_runs"],
        "seconds": round(report.seconds, 3),
        "runs_per_second": round(report.runs_per_second, 1),
        "failures": status["failures"],
    }
    if json_output:
        print_json(summary)
    else:
        _print_run_summary(summary)
    if status["failed"]:
        raise typer.Exit(EXIT_CHUNKS_FAILED)


def _say_interrupted(store: StudyStore, target: Path) -> None:
    """One line on Ctrl-C: what is kept, and how to go on."""
    if not store.exists():
        err.print(
            f"interrupted before the study started: nothing is kept in {target}", markup=False
        )
        return
    try:
        status = StudyResults(store).status()
        kept = (
            f"{status['completed']:,} of {status['chunks']:,} chunks "
            f"({status['runs']:,} of {status['total_runs']:,} runs) are kept"
        )
    except (KeyboardInterrupt, Exception):  # a second Ctrl-C, or a directory gone meanwhile
        kept = "the chunks finished are kept"
    err.print(
        f"interrupted: {kept} in {target}; run the same command again to resume",
        markup=False,
    )


def _progress(quiet: bool) -> Progress:
    """The study's progress on stderr, one line that stays readable at 80 columns: the bar takes
    the room the numbers leave (the study's name is on the line before)."""
    return Progress(
        BarColumn(bar_width=None),
        MofNCompleteColumn(),
        TextColumn("chunks"),
        TextColumn("{task.fields[rate]}"),
        TimeElapsedColumn(),
        TextColumn("elapsed,"),
        TimeRemainingColumn(compact=True),
        TextColumn("left"),
        console=err,
        disable=quiet,
        expand=True,
    )


def _print_run_summary(summary: dict[str, Any]) -> None:
    out.print(
        f"{summary['study']}: {summary['completed']}/{summary['chunks']} chunks, "
        f"{summary['runs']:,}/{summary['total_runs']:,} runs in {summary['directory']} "
        f"({summary['completed_now']} computed now in {summary['seconds']:.1f} s, "
        f"{summary['runs_per_second']:,.0f} runs/s; {summary['skipped']} already done"
        + (f"; {len(summary['repaired'])} damaged computed again" if summary["repaired"] else "")
        + ")",
        markup=False,
    )
    failures = summary["failures"]
    if failures:
        err.print(
            f"warning: {len(failures)} chunk(s) failed; the study went on without them. "
            "Run the same command again to retry them. First failure:",
            markup=False,
        )
        first = failures[0]
        err.print(
            f"  chunk {first['chunk']} (point {first['point']}): {first['error']}: "
            f"{first['message'].strip().splitlines()[-1]}",
            markup=False,
        )
        err.print(
            f'  all of them: crisislab study query {summary["directory"]} "SELECT * FROM failures"',
            markup=False,
        )


@study_app.command("status")
def status(directory: DirArg, json_output: Annotated[bool, typer.Option("--json")] = False) -> None:
    """How far a study has got: chunks and runs done, and failures."""
    info = StudyResults(directory).status()
    if json_output:
        print_json(info)
        return
    out.print(
        f"{info['study']}: {info['completed']}/{info['chunks']} chunks, "
        f"{info['runs']:,}/{info['total_runs']:,} runs, {info['failed']} failed"
        + (f", {info['damaged']} damaged" if info["damaged"] else "")
        + (
            f"; parameters drawn from the posterior {info['posterior'].get('posterior')}"
            if info.get("posterior")
            else ""
        ),
        markup=False,
    )
    if info["damaged"]:
        shown = "; ".join(f"{d['part']} ({d['problem']})" for d in info["damaged_parts"][:3])
        more = f"; and {info['damaged'] - 3} more" if info["damaged"] > 3 else ""
        err.print(
            f"warning: {info['damaged']} damaged part(s), left out of every query and analysis "
            f"and computed again by the next `crisislab study run`: {shown}{more}",
            markup=False,
        )


@study_app.command("query")
def query(
    directory: DirArg,
    sql: Annotated[str, typer.Argument(help="SQL over the views design, runs, points, failures.")],
    output: Annotated[str, typer.Option("--format", "-f", help="table, csv or json.")] = "table",
) -> None:
    """Query a study's results with DuckDB SQL (column names with dots need double quotes)."""
    if output not in ("table", "csv", "json"):
        raise BadInput([Problem("--format", "", f"must be table, csv or json, got {output!r}")])
    import duckdb

    results = StudyResults(directory)
    try:
        relation = results.sql(sql)  # one query, on a connection that reads only the study
        if relation is None:
            raise StudyError([Problem("SQL", "", "the statement returned no rows to show")])
        columns = list(relation.columns)
        rows = relation.fetchall()
    except duckdb.PermissionException as exc:
        reason = str(exc).strip().splitlines()[0].removeprefix("Permission Error: ")
        raise StudyError(
            [
                Problem(
                    "SQL",
                    "",
                    "a study query reads only the study's views (design, runs, points, "
                    f"failures): {reason}",
                )
            ]
        ) from None
    except duckdb.Error as exc:
        message = str(exc).strip().splitlines()[0]
        raise StudyError([Problem("SQL", "", message)]) from None
    if output == "json":
        print_json([dict(zip(columns, row, strict=True)) for row in rows])
    elif output == "csv":
        with writing_stdout():
            writer = csv.writer(sys.stdout, lineterminator="\n")
            writer.writerow(columns)
            writer.writerows(rows)
    else:
        _print_rows(columns, rows)


def _print_rows(columns: list[str], rows: list[tuple]) -> None:
    table = Table(header_style="bold")
    for name in columns:
        table.add_column(name, overflow="fold")
    for row in rows[:MAX_TABLE_ROWS]:
        table.add_row(*(_cell(v) for v in row))
    out.print(table)
    if len(rows) > MAX_TABLE_ROWS:
        err.print(
            f"showing {MAX_TABLE_ROWS} of {len(rows):,} rows; use --format csv for all",
            markup=False,
        )


def _cell(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    return "" if value is None else str(value)


@study_app.command("analyze")
def analyze(
    directory: DirArg,
    outcome: Annotated[
        str | None, typer.Option("--outcome", help="Outcome judged [the study's analysis.outcome].")
    ] = None,
    threshold: Annotated[
        float | None,
        typer.Option("--threshold", min=0, max=1, help="Robust when P(outcome) <= this."),
    ] = None,
    above: Annotated[
        bool | None,
        typer.Option("--above/--below", help="Robust when P(outcome) >= threshold instead."),
    ] = None,
    json_output: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Per policy: outcome probabilities, robustness and regret, sensitivity, scenario discovery."""
    from crisislab.experiments.spec import KNOWN_OUTCOMES

    if outcome is not None and outcome not in KNOWN_OUTCOMES:
        raise BadInput([Problem("--outcome", "", f"unknown outcome {outcome!r}")])
    result = StudyResults(directory).analyze(outcome, threshold, above)
    if json_output:
        print_json(result)
        return
    for table in _analysis_tables(result):
        out.print(table)
    for line in _discovery_lines(result["discovery"]):
        out.print(line, markup=False)
    for warning in result["warnings"]:
        err.print(f"warning: {warning}", markup=False)


def _p_ci(entry: dict[str, Any]) -> str:
    if entry.get("p") is None or not entry.get("ci"):
        return "no runs yet"
    lo, hi = entry["ci"]
    return f"{entry['p']:.3f} [{lo:.3f}, {hi:.3f}]"


def _spread(spread: dict[str, Any]) -> str:
    if spread.get("min") is None:
        return "–"
    return f"{spread['min']:.3f} – {spread['max']:.3f}"


def _analysis_tables(result: dict[str, Any]) -> list[Table]:
    done = f"{result['runs']:,} of {result['total_runs']:,} runs"
    outcomes = Table(title=f"{result['study']}: outcomes per policy ({done})", header_style="bold")
    outcomes.add_column("policy")
    for name in OUTCOMES:
        outcomes.add_column(f"P({name.replace('_', ' ')}) [95% CI]", justify="right")
    outcomes.add_column("P(war) across futures", justify="right")
    for row in result["policies"]:
        outcomes.add_row(
            row["policy"],
            *(_p_ci(row["outcomes"][name]) for name in OUTCOMES),
            _spread(row["outcomes"]["war"]["across_futures"]),
        )
    robust = result["robustness"]
    robustness = Table(
        title=f"Robustness: share of futures with {robust['criterion']}",
        caption=f"minimax regret: {robust['minimax_regret']}",
        header_style="bold",
    )
    for name in ("policy", "share of futures [95% CI]", "max regret", "mean regret", "worst"):
        robustness.add_column(name, justify="left" if name in ("policy", "worst") else "right")
    for row in robust["policies"]:
        worst = row["worst_future"]
        robustness.add_row(
            row["policy"],
            f"{row['share']:.2f} [{row['ci'][0]:.2f}, {row['ci'][1]:.2f}] ({row['meeting']}"
            f"/{row['futures']})",
            f"{row['max_regret']:.3f}",
            f"{row['mean_regret']:.3f}",
            worst["described"] if worst else "",
        )
    return [
        outcomes,
        *_interest_table(result.get("outcomes_of_interest", [])),
        robustness,
        *_sensitivity_tables(result["sensitivity"]),
    ]


def _interest_table(rows: list[dict[str, Any]]) -> list[Table]:
    """The study file's outcomes of interest per policy: shares or means, with 95% intervals."""
    if not rows:
        return []
    table = Table(title="Outcomes of interest (pooled over all runs)", header_style="bold")
    table.add_column("policy")
    names = list(rows[0]["outcomes"])
    for name in names:
        table.add_column(name.replace("_", " "), justify="right")
    for row in rows:
        cells = []
        for name in names:
            entry = row["outcomes"][name]
            value = entry["p"] if "p" in entry else entry["mean"]
            cells.append(f"{value:.3f} [{entry['ci'][0]:.3f}, {entry['ci'][1]:.3f}]")
        table.add_row(row["policy"], *cells)
    return [table]


def _sensitivity_tables(sens: dict[str, Any]) -> list[Table]:
    tables = []
    for row in sens["policies"]:
        title = f"Sensitivity of P({sens['outcome']}), {sens['method']}: {row['policy']}"
        if not row.get("indices"):
            table = Table(title=title, header_style="bold")
            table.add_column("note")
            table.add_row(row.get("message", "no indices"))
            tables.append(table)
            continue
        keys = [k for k in row["indices"][0] if k not in ("name", "label") and "_conf" not in k]
        table = Table(title=title, caption=sens.get("about"), header_style="bold")
        table.add_column("uncertainty")
        for key in keys:
            table.add_column(key, justify="right")
        for entry in sorted(row["indices"], key=lambda e: row["ranking"].index(e["name"])):
            table.add_row(entry["label"], *(_with_conf(entry, key) for key in keys))
        tables.append(table)
    return tables


def _with_conf(entry: dict[str, Any], key: str) -> str:
    value, conf = entry.get(key), entry.get(f"{key}_conf")
    if value is None:
        return "–"
    return f"{value:.3f}" + (f" ± {conf:.3f}" if conf is not None else "")


def _discovery_lines(discovery: dict[str, Any]) -> list[str]:
    lines = ["", "Scenario discovery (PRIM): where each outcome is likely"]
    for found in discovery.values():
        for row in found["policies"]:
            lines.append(f"  {row['policy']}: {row.get('sentence') or row['message']}")
    return lines
