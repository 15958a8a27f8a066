"""Executor overhead on a study: a process pool against a Dask LocalCluster, same workers.

    python benchmarks/study_executors.py                 # 1,048,576 runs, 2 workers
    python benchmarks/study_executors.py --quick         # 65,536 runs, a smoke test

The study is us-iran-2020 over 365 days: 4 doctrines × 8 Latin-hypercube futures (KH control and
the US estimate of it) = 32 design points × 32,768 runs each (`--runs-per-point`), one chunk of
32 blocks per point. Each executor runs it `--repeat` times (default 3), the two taking turns,
each into a fresh directory; the wall time of `Study.run` is measured with the executor already
started (start-up is reported separately), the fastest run of each executor counts, and every
run's part files are compared byte for byte with the first's.

Results go to benchmarks/results/study_executors.json.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
from repeats import fastest

from crisislab.experiments import Study, open_executor
from crisislab.experiments.spec import StudySpec
from crisislab.scenario.loader import load_scenario

RESULTS = Path(__file__).resolve().parent / "results" / "study_executors.json"
GOAL_OVERHEAD = 0.20


def make_study(runs_per_point: int) -> Study:
    spec = StudySpec.model_validate(
        {
            "name": "executor-benchmark",
            "scenario": "us-iran-2020",
            "days": 365,
            "levers": {"actors.USA.doctrine": ["restraint", "gtft", "proportional", "retaliatory"]},
            "uncertainties": {
                "actors.KH.control": {"low": 0.3, "high": 0.95},
                "actors.USA.assumed_control.KH": {"low": 0.3, "high": 0.95},
            },
            "runs_per_point": runs_per_point,
            "samples": 8,
            "seed": 1,
        }
    )
    return Study(spec, load_scenario("us-iran-2020"))


def measure(study: Study, kind: str, workers: int, root: Path) -> dict[str, Any]:
    directory = root / kind
    load = os.getloadavg()[0]
    started = time.perf_counter()
    with open_executor(kind, workers) as (executor, n):  # type: ignore[arg-type]
        ready = time.perf_counter()
        results = study.run(directory, executor, n)
        ran = time.perf_counter()
    report = results.report
    assert report is not None and report.failed == 0
    runs = report.runs
    days = study.spec.days or 365
    return {
        "executor": kind,
        "workers": workers,
        "runs": runs,
        "startup_seconds": round(ready - started, 2),
        "run_seconds": round(ran - ready, 2),
        "total_seconds": round(time.perf_counter() - started, 2),
        "run_days_per_second": round(runs * days / (ran - ready)),
        "load_average_1min_before": round(load, 2),
    }


def parts(directory: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((directory / "runs").glob("part-*.parquet"))}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs-per-point", type=int, default=32_768)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--quick", action="store_true", help="2,048 runs per point")
    parser.add_argument(
        "--repeat", type=int, default=3, help="runs of each executor; the fastest counts"
    )
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args()
    study = make_study(2048 if args.quick else args.runs_per_point)
    tries: dict[str, list[dict[str, Any]]] = {"process": [], "dask": []}
    reference: dict[str, bytes] | None = None
    identical = True
    # Tries alternate between the executors, so that a change in the machine's background load
    # during the benchmark falls on both alike.
    for _ in range(max(1, args.repeat)):
        for kind, kept in tries.items():
            with tempfile.TemporaryDirectory() as tmp:
                kept.append(measure(study, kind, args.workers, Path(tmp)))
                written = parts(Path(tmp) / kind)
                reference = reference if reference is not None else written
                identical = identical and written == reference
    rows = [fastest(kept, "run_seconds") for kept in tries.values()]
    process, dask = rows
    overhead = dask["run_seconds"] / process["run_seconds"] - 1
    result = {
        "benchmark": "study_executors",
        "date": dt.date.today().isoformat(),
        "machine": {
            "python": platform.python_version(),
            "numpy": np.__version__,
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
        },
        "study": {
            "points": study.design.n_points,
            "runs_per_point": study.spec.runs_per_point,
            "total_runs": study.design.n_points * study.spec.runs_per_point,
            "days": study.spec.days,
            "chunks": len(study.design.chunks),
        },
        "results": rows,
        "dask_overhead": round(overhead, 3),
        "goal_overhead_max": GOAL_OVERHEAD,
        "meets_goal": overhead <= GOAL_OVERHEAD,
        "parts_byte_identical": identical,
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    for row in rows:
        name, seconds = f"{row['executor']:8s} {row['workers']} workers", row["run_seconds"]
        speed = row["run_days_per_second"] / 1e6
        print(
            f"{name}: start-up {row['startup_seconds']:5.1f} s, run {seconds:7.1f} s, {speed:.2f} M"
        )
    print(
        f"Dask overhead {overhead:+.1%} (goal ≤ {GOAL_OVERHEAD:.0%}); parts identical: {identical}"
    )
    print(f"written to {args.output}")


if __name__ == "__main__":
    main()
