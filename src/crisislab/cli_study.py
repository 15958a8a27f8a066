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

from crisislab.console import err, out, print_json
from crisislab.experiments import Study, StudyResults, example_names, open_executor
from crisislab.experiments.design import Chunk
from crisislab.experiments.executors import EXECUTORS
from crisislab.experiments.store import StudyStore
from crisislab.scenario.loader import Problem, ScenarioError

EXIT_CHUNKS_FAILED = 3
MAX_TABLE_ROWS = 1000

study_app = typer.Typer(
    no_args_is_help=True,
    help="Studies: levers × uncertainties × runs, stored as Parquet, queried with SQL, analysed.",
)

StudyArg = Annotated[str, typer.Argument(help="An example study name or a study YAML file.")]
DirArg = Annotated[Path, typer.Argument(help="A study directory (made by `study run`).")]


def _default_dir(study: Study) -> Path:
    return Path("studies") / study.spec.name


@study_app.command("examples")
def examples() -> None:
    """List the example studies shipped with crisislab."""
    for name in example_names():
        study = Study.load(name)
        out.print(f"{name}: {study.spec.description.strip()}", markup=False)


@study_app.command("validate")
def validate_study(study: StudyArg) -> None:
    """Check a study file and print the size of its design."""
    loaded = Study.load(study)
    spec = loaded.spec
    out.print(
        f"{study}: valid — {spec.n_policies} policies × {spec.n_samples} futures = "
        f"{spec.n_points:,} points × {spec.runs_per_point:,} runs = "
        f"{spec.n_points * spec.runs_per_point:,} runs ({spec.sampler} sampler)",
        markup=False,
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
) -> None:
    """Run a study, or resume it: chunks already stored are skipped, failed ones retried."""
    loaded = Study.load(study)
    target = directory or _default_dir(loaded)
    already = len(StudyStore(target).completed())
    with (
        open_executor(executor, workers, scheduler) as (pool, n_workers),  # type: ignore[arg-type]
        _progress(quiet=json_output) as bar,
    ):
        task = bar.add_task(loaded.spec.name, total=len(loaded.design.chunks), rate="")
        bar.update(task, completed=already)
        started, runs_done = time.perf_counter(), [0]

        def advance(chunk: Chunk, ok: bool) -> None:
            runs_done[0] += chunk.runs if ok else 0
            rate = runs_done[0] / max(time.perf_counter() - started, 1e-9)
            bar.update(task, advance=1, rate=f"{rate:,.0f} runs/s")

        results = loaded.run(target, pool, n_workers, progress=advance)
    status = results.status()
    report = results.report
    assert report is not None
    summary = {
        "study": loaded.spec.name,
        "directory": str(target),
        "executor": executor,
        "workers": n_workers,
        "chunks": status["chunks"],
        "skipped": report.skipped,
        "completed_now": report.completed,
        "completed": status["completed"],
        "failed": status["failed"],
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


def _progress(quiet: bool) -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("chunks"),
        TextColumn("{task.fields[rate]}"),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
        console=err,
        disable=quiet,
    )


def _print_run_summary(summary: dict[str, Any]) -> None:
    out.print(
        f"{summary['study']}: {summary['completed']}/{summary['chunks']} chunks, "
        f"{summary['runs']:,}/{summary['total_runs']:,} runs in {summary['directory']} "
        f"({summary['completed_now']} computed now in {summary['seconds']:.1f} s, "
        f"{summary['runs_per_second']:,.0f} runs/s; {summary['skipped']} already done)",
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
        f"{info['runs']:,}/{info['total_runs']:,} runs, {info['failed']} failed",
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
        raise ScenarioError(
            [Problem("--format", "", f"must be table, csv or json, got {output!r}")]
        )
    import duckdb

    results = StudyResults(directory)
    try:
        relation = results.sql(sql)
        if relation is None:
            raise ScenarioError([Problem("SQL", "", "the statement returned no rows to show")])
        columns = list(relation.columns)
        rows = relation.fetchall()
    except duckdb.Error as exc:
        message = str(exc).strip().splitlines()[0]
        raise ScenarioError([Problem("SQL", "", message)]) from None
    if output == "json":
        print_json([dict(zip(columns, row, strict=True)) for row in rows])
    elif output == "csv":
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
