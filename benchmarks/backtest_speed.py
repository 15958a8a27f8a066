"""Backtest speed: every built-in timeline, a fork every 7 days, 10,000 runs per fork day.

    python benchmarks/backtest_speed.py                   # 10,000 runs, 2 workers, fastest of 3
    python benchmarks/backtest_speed.py --runs 2000 --workers 1 --repeat 1

Times one call of `crisislab.history.backtest.backtest(timeline_names(), every=7, runs=N,
seed=1, executor=pool)`: the forks (replay, simulation of 91 days, the fork's calibration), the
baselines and every score, as `crisislab backtest` does them. The compiled day loop is loaded and
scoringrules' first call made before the clock starts (a tiny backtest), so the figure is the
backtest's own. Each measurement is repeated `--repeat` times and the fastest reported (other
work on a shared machine only slows one down); every try is kept in the JSON.

Results go to benchmarks/results/backtest_speed.json (or --output).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import time
from pathlib import Path
from typing import Any

from repeats import fastest

from crisislab.history import timeline_names
from crisislab.history.backtest import backtest, fork_dates, versions
from crisislab.history.timeline import load_timeline
from crisislab.simulate import local_executor

EVERY = 7
SEED = 1
OUTPUT = Path(__file__).parent / "results" / "backtest_speed.json"


def one_try(runs: int, workers: int) -> dict[str, Any]:
    """Time one backtest over every built-in timeline."""
    pool = local_executor(workers) if workers > 1 else None
    try:
        start = time.perf_counter()
        data = backtest(timeline_names(), every=EVERY, runs=runs, seed=SEED, executor=pool)
        seconds = time.perf_counter() - start
    finally:
        if pool is not None:
            pool.shutdown(wait=True)
    return {"wall_seconds": round(seconds, 3), "cases": len(data["cases"])}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10_000, help="runs per fork day")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args()
    names = timeline_names()
    forks = sum(len(fork_dates(load_timeline(n), EVERY)) for n in names)
    backtest(names[:1], every=10_000, runs=16, seed=SEED)  # load the day loop, warm scoringrules
    tries = [one_try(args.runs, args.workers) for _ in range(args.repeat)]
    best = fastest(tries)
    result = {
        "date": dt.date.today().isoformat(),
        "timelines": names,
        "every": EVERY,
        "fork_days": forks,
        "runs_per_fork_day": args.runs,
        "workers": args.workers,
        "seconds_per_fork_day": round(best["wall_seconds"] / forks, 3),
        **best,
        "versions": versions(),
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(
        f"{len(names)} timeline(s), {forks} fork days x {args.runs:,} runs: "
        f"{best['wall_seconds']:.2f} s (fastest of {best['repeats']}; "
        f"{result['seconds_per_fork_day']:.3f} s a fork day)"
    )


if __name__ == "__main__":
    main()
