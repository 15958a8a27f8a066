"""crisislab's batched engine side by side with the same model written in Mesa 3.

    python benchmarks/mesa_compare.py              # 2,000 Mesa runs; engine speed on 100,000 runs
    python benchmarks/mesa_compare.py --quick      # smoke run: 200 Mesa runs, 10,000 engine runs
    python benchmarks/mesa_compare.py --without-fronts

One invocation (1) simulates 365-day runs of us-iran-2020 with both implementations (by default
2,000 Mesa runs against a 20,000-run crisislab reference, which costs the engine seconds and nearly
halves the variance of the comparison) and tests that their outcome distributions agree within
sampling error (a chi-square test of homogeneity on the three outcome classes, and two-sample
differences with 95% intervals for the classes and a few flags and metrics); (2) measures both on
the same number of workers W: the Mesa baseline on a process pool (that timing is the
agreement sample itself) and through `mesa.batch_run`, crisislab with
`simulate(..., executor=local_executor(W))` (W threads running the compiled day loop, as
`crisislab run` does) in a fresh interpreter that has not imported Mesa;
(3) writes benchmarks/results/mesa_compare.json and prints a short table. See
benchmarks/README.md ("mesa_compare.py").
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import multiprocessing
import os
import platform
import subprocess
import sys
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from repeats import fastest

SCENARIO = "us-iran-2020"
DAYS = 365
SEED = 1
OUTCOMES = ("stable_deescalation", "frozen_conflict", "war")
FLAGS = ("red_line_fired", "challenger_limited", "intended", "perceived", "host_expulsion")
METRICS = ("group_attacks", "maritime_incidents", "direct_exchanges")
NO_FRONTS = {
    "fronts.host.actor": None,
    "fronts.maritime.actor": None,
    "fronts.nuclear.enabled": False,
}
ALPHA = 0.01  # significance level of the agreement check (Bonferroni-split over flags and metrics)
TARGET_RATIO = 300.0
RESULTS = Path(__file__).resolve().parent / "results" / "mesa_compare.json"
Z95 = 1.959963984540054


def load_average() -> list[float] | None:
    return [round(x, 2) for x in os.getloadavg()] if hasattr(os, "getloadavg") else None


# --- crisislab --------------------------------------------------------------------------------


def engine_speed(runs: int, workers: int, seed: int, fronts: bool) -> dict[str, Any]:
    """One timed simulate() call on W threads (run in a fresh interpreter, see --engine).

    An untimed call of one run over a few days comes first, so that a just-in-time compilation
    of the engine's kernel is not counted; the pool's start-up is.
    """
    import numpy as np

    from crisislab.simulate import local_executor, simulate

    overrides = None if fronts else NO_FRONTS
    simulate(SCENARIO, runs=1, seed=seed, days=5, overrides=overrides)
    load = load_average()
    start = time.perf_counter()
    pool = local_executor(workers)
    try:
        result = simulate(
            SCENARIO,
            runs=runs,
            seed=seed,
            days=DAYS,
            overrides=overrides,
            executor=pool,
        )
        wall = time.perf_counter() - start
    finally:
        pool.shutdown(wait=True)
    outcome = result.columns["outcome"]
    return {
        "implementation": "crisislab",
        "runs": runs,
        "workers": workers,
        "executor": "thread",
        "wall_seconds": round(wall, 3),
        "run_days_per_second": round(runs * DAYS / wall),
        "load_average_before": load,
        "outcome_shares": {
            name: round(float(np.mean(outcome == i)), 6) for i, name in enumerate(OUTCOMES)
        },
    }


def engine_sample(runs: int, seed: int, fronts: bool) -> list[dict[str, Any]]:
    """The crisislab side of the agreement check, as one dict per run."""
    from crisislab.simulate import simulate

    cols = simulate(
        SCENARIO, runs=runs, seed=seed, days=DAYS, overrides=None if fronts else NO_FRONTS
    ).columns
    names = ("outcome", *FLAGS, *METRICS)
    rows = []
    for i in range(runs):
        row = {n: cols[n][i].item() for n in names}
        row["outcome"] = OUTCOMES[row["outcome"]]
        rows.append(row)
    return rows


# --- Mesa -------------------------------------------------------------------------------------


def mesa_pool(seeds: list[int], workers: int, fronts: bool) -> tuple[list[dict], dict[str, Any]]:
    """Runs of the Mesa baseline on a process pool, each collecting its summary at the end."""
    from functools import partial

    from mesa_baseline import SCENARIO as MESA_SCENARIO
    from mesa_baseline import run_one

    # importing mesa makes "spawn" the default start method; use the platform's usual one
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    load = load_average()
    start = time.perf_counter()
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context(method)) as pool:
        task = partial(run_one, scenario=MESA_SCENARIO, fronts=fronts)
        rows = list(pool.map(task, seeds, chunksize=max(1, len(seeds) // (workers * 16))))
    wall = time.perf_counter() - start
    return rows, {
        "implementation": "mesa (process pool, data collected at the end of each run)",
        "runs": len(seeds),
        "workers": workers,
        "start_method": method,
        "wall_seconds": round(wall, 3),
        "run_days_per_second": round(len(seeds) * DAYS / wall),
        "load_average_before": load,
    }


def mesa_batch_run(
    seeds: list[int], workers: int, fronts: bool
) -> tuple[list[dict], dict[str, Any]]:
    """The textbook route: mesa.batch_run, with the DataCollector collecting every day."""
    import mesa
    from mesa_baseline import CrisisModel

    load = load_average()
    start = time.perf_counter()
    rows = mesa.batch_run(
        CrisisModel,
        parameters={"seed": seeds, "fronts": fronts},
        number_processes=workers,
        iterations=1,
        max_steps=DAYS,
        data_collection_period=-1,
        display_progress=False,
    )
    wall = time.perf_counter() - start
    return rows, {
        "implementation": "mesa.batch_run (DataCollector every day)",
        "runs": len(seeds),
        "workers": workers,
        "start_method": "spawn (set by mesa.batchrunner)",
        "wall_seconds": round(wall, 3),
        "run_days_per_second": round(len(seeds) * DAYS / wall),
        "load_average_before": load,
    }


def timed(repeat: int, measure: Callable[[], tuple[Any, dict[str, Any]]]) -> tuple[Any, dict]:
    """`measure()` (rows, timing) `repeat` times: the first rows and the fastest timing (both
    sides are timed the same way)."""
    outcomes = [measure() for _ in range(repeat)]
    return outcomes[0][0], fastest([timing for _, timing in outcomes])


# --- agreement --------------------------------------------------------------------------------


def _share_difference(k1: int, n1: int, k2: int, n2: int) -> dict[str, Any]:
    """p1 - p2 with a 95% Wald interval, and the pooled two-proportion z-test's p-value."""
    from scipy.stats import norm

    p1, p2 = k1 / n1, k2 / n2
    se = math.sqrt(p1 * (1 - p1) / n1 + p2 * (1 - p2) / n2)
    pooled = (k1 + k2) / (n1 + n2)
    se0 = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    p_value = 1.0 if se0 == 0 else float(2 * norm.sf(abs(p1 - p2) / se0))
    return _difference(p1, p2, se, p_value)


def _mean_difference(a: list[float], b: list[float]) -> dict[str, Any]:
    """Difference of means with a 95% interval and Welch's t-test p-value."""
    from scipy.stats import ttest_ind

    n1, n2 = len(a), len(b)
    m1, m2 = sum(a) / n1, sum(b) / n2
    v1 = sum((x - m1) ** 2 for x in a) / (n1 - 1)
    v2 = sum((x - m2) ** 2 for x in b) / (n2 - 1)
    se = math.sqrt(v1 / n1 + v2 / n2)
    p_value = 1.0 if se == 0 else float(ttest_ind(a, b, equal_var=False).pvalue)
    return _difference(m1, m2, se, p_value)


def _difference(mesa: float, crisislab: float, se: float, p_value: float) -> dict[str, Any]:
    """Mesa's figure, crisislab's, their difference with a 95% interval, and a test's p-value."""
    d = mesa - crisislab
    return {
        "mesa": round(mesa, 5),
        "crisislab": round(crisislab, 5),
        "difference": round(d, 5),
        "ci95": [round(d - Z95 * se, 5), round(d + Z95 * se, 5)],
        "p_value": round(p_value, 5),
    }


def agreement(mesa_rows: list[dict], engine_rows: list[dict], alpha: float = ALPHA) -> dict:
    """Do two samples of runs come from the same outcome distribution?

    Passes when the chi-square test of homogeneity on the outcome classes has p >= alpha and every
    flag and metric difference has p >= alpha / (number of flags and metrics).
    """
    from scipy.stats import chi2_contingency

    n1, n2 = len(mesa_rows), len(engine_rows)
    counts = [
        [sum(r["outcome"] == o for r in rows) for o in OUTCOMES]
        for rows in (mesa_rows, engine_rows)
    ]
    used = [j for j in range(len(OUTCOMES)) if counts[0][j] + counts[1][j] > 0]
    table = [[row[j] for j in used] for row in counts]
    chi2 = chi2_contingency(table, correction=False) if len(used) > 1 else None
    classes = {
        o: _share_difference(counts[0][j], n1, counts[1][j], n2) for j, o in enumerate(OUTCOMES)
    }
    flags = {
        f: _share_difference(
            sum(bool(r[f]) for r in mesa_rows), n1, sum(bool(r[f]) for r in engine_rows), n2
        )
        for f in FLAGS
    }
    metrics = {
        m: _mean_difference([float(r[m]) for r in mesa_rows], [float(r[m]) for r in engine_rows])
        for m in METRICS
    }
    chi2_p = 1.0 if chi2 is None else float(chi2.pvalue)
    per_test = alpha / (len(flags) + len(metrics))
    passed = chi2_p >= alpha and all(
        x["p_value"] >= per_test for x in (*flags.values(), *metrics.values())
    )
    return {
        "runs": {"mesa": n1, "crisislab": n2},
        "counts": {"mesa": counts[0], "crisislab": counts[1]},
        "chi_square": {
            "statistic": None if chi2 is None else round(float(chi2.statistic), 4),
            "dof": None if chi2 is None else int(chi2.dof),
            "p_value": round(chi2_p, 5),
        },
        "classes": classes,
        "flags": flags,
        "metrics": metrics,
        "criterion": (
            f"chi-square p >= {alpha} and each flag/metric p >= {alpha}/{len(flags) + len(metrics)}"
        ),
        "passed": passed,
    }


# --- report -----------------------------------------------------------------------------------


def environment() -> dict[str, Any]:
    from importlib.metadata import version

    import numpy as np

    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpu_count": os.cpu_count(),
        "numpy": np.__version__,
        "mesa": version("mesa"),
        "crisislab": version("crisislab"),
    }


def table(report: dict[str, Any]) -> str:
    a = report["agreement"]
    lines = [
        f"agreement: {a['runs']['mesa']:,} Mesa runs vs {a['runs']['crisislab']:,} crisislab runs"
        f" (chi-square p = {a['chi_square']['p_value']:.3f}) -> "
        f"{'PASS' if a['passed'] else 'FAIL'}",
        f"{'':>22} {'Mesa':>8} {'crisislab':>9} {'difference [95% CI]':>28}",
    ]
    for group in ("classes", "flags", "metrics"):
        for name, x in a[group].items():
            lo, hi = x["ci95"]
            lines.append(
                f"{name:>22} {x['mesa']:>8.3f} {x['crisislab']:>9.3f} "
                f"{x['difference']:>+9.3f} [{lo:+.3f}, {hi:+.3f}]"
            )
    lines += [
        "",
        f"{'implementation':<58} {'runs':>8} {'wall s':>8} {'run-days/s':>12} {'load':>5}",
    ]
    for m in report["speed"]:
        load = m["load_average_before"][0] if m["load_average_before"] else float("nan")
        lines.append(
            f"{m['implementation']:<58} {m['runs']:>8,} {m['wall_seconds']:>8.1f} "
            f"{m['run_days_per_second']:>12,} {load:>5.2f}"
        )
    r = report["ratio"]
    lines.append(
        f"crisislab / Mesa: {r['vs_mesa_pool']:,.0f}x (process pool)"
        + (f", {r['vs_mesa_batch_run']:,.0f}x (batch_run)" if r.get("vs_mesa_batch_run") else "")
        + f"; goal >= {TARGET_RATIO:.0f}x: {'met' if r['goal_met'] else 'not met'}"
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=2000, help="Mesa runs for the agreement")
    parser.add_argument(
        "--reference-runs", type=int, default=20_000, help="crisislab runs for the agreement"
    )
    parser.add_argument(
        "--engine-runs", type=int, default=100_000, help="crisislab runs for the speed measurement"
    )
    parser.add_argument(
        "--batch-run-runs",
        type=int,
        default=500,
        help="Mesa runs timed through mesa.batch_run (0: skip); the first of the agreement seeds",
    )
    parser.add_argument(
        "--workers", type=int, default=2, help="workers (threads for crisislab, processes for Mesa)"
    )
    parser.add_argument(
        "--repeat", type=int, default=3, help="timings of each side; the fastest counts (default 3)"
    )
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--without-fronts", action="store_true", help="switch the fronts off")
    parser.add_argument("--quick", action="store_true", help="smoke run: small sizes, no file")
    parser.add_argument("--output", type=Path, default=None, help=f"JSON path (default {RESULTS})")
    parser.add_argument("--engine", type=int, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    fronts = not args.without_fronts

    if args.engine is not None:  # child mode: a fresh interpreter that never imports mesa
        print(json.dumps(engine_speed(args.engine, args.workers, args.seed, fronts)))
        return 0
    if args.quick:
        args.runs, args.reference_runs, args.engine_runs, args.batch_run_runs = (
            200,
            2000,
            10_000,
            50,
        )
        args.repeat = 1
    if min(args.runs, args.reference_runs, args.engine_runs, args.workers, args.repeat) < 1:
        parser.error("sizes and --workers must be positive")
    if args.batch_run_runs < 0:
        parser.error("--batch-run-runs must not be negative")

    print(f"crisislab: {args.engine_runs:,} runs x {DAYS} days on {args.workers} workers ...")
    cmd = [sys.executable, __file__, "--engine", str(args.engine_runs)]
    cmd += ["--workers", str(args.workers), "--seed", str(args.seed)]
    cmd += [] if fronts else ["--without-fronts"]

    def engine_child() -> tuple[None, dict[str, Any]]:
        child = subprocess.run(cmd, check=True, capture_output=True, text=True)
        return None, json.loads(child.stdout.strip().splitlines()[-1])

    speed = [timed(args.repeat, engine_child)[1]]

    print(f"crisislab: {args.reference_runs:,} runs for the agreement ...")
    engine_rows = engine_sample(args.reference_runs, args.seed, fronts)

    seeds = [args.seed * 1_000_000 + i for i in range(args.runs)]
    print(f"Mesa: {args.runs:,} runs on a {args.workers}-process pool ...")
    mesa_rows, measured = timed(args.repeat, lambda: mesa_pool(seeds, args.workers, fronts))
    speed.append(measured)
    consistent = None
    if args.batch_run_runs:
        n = min(args.batch_run_runs, args.runs)
        print(f"Mesa: {n:,} runs through mesa.batch_run ...")
        batch_rows, measured = timed(
            args.repeat, lambda: mesa_batch_run(seeds[:n], args.workers, fronts)
        )
        speed.append(measured)
        by_seed = {r["seed"]: r["outcome"] for r in batch_rows}
        consistent = all(by_seed[r["seed"]] == r["outcome"] for r in mesa_rows[:n])

    engine_rd = speed[0]["run_days_per_second"]
    ratio: dict[str, Any] = {"vs_mesa_pool": round(engine_rd / speed[1]["run_days_per_second"], 1)}
    if len(speed) > 2:
        ratio["vs_mesa_batch_run"] = round(engine_rd / speed[2]["run_days_per_second"], 1)
    ratio["goal"] = TARGET_RATIO
    ratio["goal_met"] = ratio["vs_mesa_pool"] >= TARGET_RATIO
    report = {
        "benchmark": "mesa_compare",
        "scenario": SCENARIO,
        "days": DAYS,
        "seed": args.seed,
        "fronts": fronts,
        "measured_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "environment": environment(),
        "agreement": agreement(mesa_rows, engine_rows),
        "batch_run_matches_pool": consistent,
        "speed": speed,
        "ratio": ratio,
    }
    output = args.output or (None if args.quick else RESULTS)
    if output is not None:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(table(report))
    return 0 if report["agreement"]["passed"] else 1


if __name__ == "__main__":
    sys.exit(main())
