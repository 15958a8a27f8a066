"""Engine speed and memory: N runs of us-iran-2020 over 365 days, on a process pool.

    python benchmarks/engine_speed.py                      # N = 10,000 and 100,000, 2 workers
    python benchmarks/engine_speed.py --runs 10000         # one size
    python benchmarks/engine_speed.py --runs 10000 --runs 50000 --workers 1

Each size is measured in a fresh Python process, so the peak-memory figures of one size are not
inflated by an earlier, larger one (a process's peak resident set never goes down). That process
creates a `ProcessPoolExecutor` with `--workers` workers, times one call of
`crisislab.simulate.simulate("us-iran-2020", runs=N, seed=1, days=365, executor=pool)`, shuts
the pool down (so the workers are reaped), then reads `resource.getrusage`.

Results go to benchmarks/results/engine_speed.json (or --output) and a short table is printed.
See benchmarks/README.md for what each figure means and the targets.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import resource
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

SCENARIO = "us-iran-2020"
SEED = 1
DAYS = 365
DEFAULT_RUNS = (10_000, 100_000)
DEFAULT_WORKERS = 2
RESULTS = Path(__file__).resolve().parent / "results" / "engine_speed.json"
TARGET = {
    "runs": 100_000,
    "days": 365,
    "workers": 2,
    "wall_seconds_max": 30.0,
    "peak_memory_bytes_max": 2 * 1024**3,
}


def _maxrss_bytes(who: int) -> int:
    """Peak resident set size from getrusage, in bytes (Linux reports KiB, macOS bytes)."""
    rss = resource.getrusage(who).ru_maxrss
    return int(rss if sys.platform == "darwin" else rss * 1024)


NO_FRONTS = {
    "fronts.host.actor": None,
    "fronts.maritime.actor": None,
    "fronts.nuclear.enabled": False,
}


def measure(
    runs: int, workers: int, chunk_blocks: int | None, fronts: bool = True
) -> dict[str, Any]:
    """One timed simulate() call; meant to run in a fresh interpreter (see `--child`)."""
    import numpy as np

    from crisislab.engine.random import BLOCK_RUNS
    from crisislab.simulate import balanced_chunk_blocks, chunk_plan, simulate

    chunk_blocks = chunk_blocks or balanced_chunk_blocks(runs, max(1, workers))
    blocks = chunk_plan(runs, chunk_blocks)
    kwargs: dict[str, Any] = {"days": DAYS, "overrides": None if fronts else NO_FRONTS}
    if chunk_blocks is not None:
        kwargs["chunk_blocks"] = chunk_blocks
    load_before = os.getloadavg() if hasattr(os, "getloadavg") else None
    pool = ProcessPoolExecutor(max_workers=workers) if workers > 0 else None
    start = time.perf_counter()
    try:
        result = simulate(SCENARIO, runs=runs, seed=SEED, executor=pool, **kwargs)
        wall = time.perf_counter() - start
    finally:
        if pool is not None:
            pool.shutdown(wait=True)
    self_peak = _maxrss_bytes(resource.RUSAGE_SELF)
    child_peak = _maxrss_bytes(resource.RUSAGE_CHILDREN)
    simulated_runs = sum(n for _, n in blocks) * BLOCK_RUNS
    outcome = result.columns["outcome"]
    return {
        "runs": runs,
        "fronts": fronts,
        "simulated_runs": simulated_runs,
        "days": DAYS,
        "workers": workers,
        "chunks": len(blocks),
        "chunk_runs": chunk_blocks * BLOCK_RUNS,
        "wall_seconds": round(wall, 3),
        "run_days_per_second": round(runs * DAYS / wall),
        "peak_rss_self_bytes": self_peak,
        "peak_rss_largest_child_bytes": child_peak,
        "peak_memory_bound_bytes": self_peak + workers * child_peak,
        "load_average_before": [round(x, 2) for x in load_before] if load_before else None,
        "outcome_shares": {
            name: round(float(np.mean(outcome == i)), 6)
            for i, name in enumerate(("stable_deescalation", "frozen_conflict", "war"))
        },
    }


def environment() -> dict[str, Any]:
    """Versions and the numerical-kernel configuration the figures were measured with."""
    import numpy as np

    env: dict[str, Any] = {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "machine": platform.machine(),
        "processor": platform.processor() or None,
        "cpu_count": os.cpu_count(),
        "cpus_available": (
            len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
        ),
        "numpy": np.__version__,
        "openblas_coretype": os.environ.get("OPENBLAS_CORETYPE"),
        "thread_env": {
            k: os.environ[k]
            for k in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
            if k in os.environ
        },
    }
    try:
        import crisislab

        env["crisislab"] = getattr(crisislab, "__version__", None) or _dist_version("crisislab")
    except ImportError:
        env["crisislab"] = None
    try:
        from threadpoolctl import threadpool_info

        env["kernels"] = {"source": "threadpoolctl", "threadpools": threadpool_info()}
    except ImportError:
        env["kernels"] = {"source": "numpy.show_config", "config": _numpy_config()}
    return env


def _dist_version(name: str) -> str | None:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(name)
    except PackageNotFoundError:
        return None


def _numpy_config() -> dict[str, Any]:
    """BLAS/LAPACK and SIMD sections of numpy.show_config (numpy >= 1.25 returns a dict)."""
    import warnings

    import numpy as np

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            config = np.show_config(mode="dicts")
    except TypeError:  # older numpy prints only
        return {}
    if not isinstance(config, dict):
        return {}
    deps = config.get("Build Dependencies", {})
    return {
        "blas": deps.get("blas"),
        "lapack": deps.get("lapack"),
        "simd": config.get("SIMD Extensions"),
    }


def _child(runs: int, workers: int, chunk_blocks: int | None, fronts: bool) -> dict[str, Any]:
    """Measure one size in a fresh interpreter and return its JSON record."""
    cmd = [sys.executable, __file__, "--child", str(runs), "--workers", str(workers)]
    if not fronts:
        cmd.append("--without-fronts")
    if chunk_blocks is not None:
        cmd += ["--chunk-blocks", str(chunk_blocks)]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def _mb(n: int) -> str:
    return f"{n / 1024**2:,.0f} MB"


def table(records: list[dict[str, Any]]) -> str:
    head = (
        f"{'runs':>9} {'fronts':>6} {'workers':>7} {'chunks':>6} {'wall s':>8} {'run-days/s':>12} "
        f"{'parent peak':>11} {'child peak':>10} {'bound':>9}"
    )
    lines = [head, "-" * len(head)]
    for r in records:
        lines.append(
            f"{r['runs']:>9,} {'on' if r.get('fronts', True) else 'off':>6} "
            f"{r['workers']:>7} {r['chunks']:>6} {r['wall_seconds']:>8.1f} "
            f"{r['run_days_per_second']:>12,} {_mb(r['peak_rss_self_bytes']):>11} "
            f"{_mb(r['peak_rss_largest_child_bytes']):>10} "
            f"{_mb(r['peak_memory_bound_bytes']):>9}"
        )
    loads = [r["load_average_before"] for r in records if r.get("load_average_before")]
    if loads and max(x[0] for x in loads) > 0.5:
        lines.append(
            "note: the machine was already busy (1-min load average before a measurement up to "
            f"{max(x[0] for x in loads):.1f}); wall times are then pessimistic"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--runs",
        type=int,
        action="append",
        help="runs per measurement; repeat for several sizes (default: 10000 and 100000)",
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=DEFAULT_WORKERS,
        help="ProcessPoolExecutor workers; 0 runs in-process with no executor (default 2)",
    )
    parser.add_argument(
        "--chunk-blocks",
        type=int,
        default=None,
        help="blocks of 1024 runs per chunk (default: simulate's own default)",
    )
    parser.add_argument(
        "--compare-fronts",
        action="store_true",
        help="also measure each size with the strategic fronts switched off",
    )
    parser.add_argument("--without-fronts", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--output", type=Path, default=RESULTS, help="where to write the JSON")
    parser.add_argument("--child", type=int, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.child is not None:
        print(
            json.dumps(
                measure(args.child, args.workers, args.chunk_blocks, fronts=not args.without_fronts)
            )
        )
        return 0

    sizes = args.runs or list(DEFAULT_RUNS)
    if any(n < 1 for n in sizes) or args.workers < 0:
        parser.error("--runs must be positive and --workers non-negative")
    records = []
    for n in sizes:
        print(f"simulating {n:,} runs x {DAYS} days on {args.workers} worker(s) ...", flush=True)
        records.append(_child(n, args.workers, args.chunk_blocks, True))
        if args.compare_fronts:
            print("  ... and again without the strategic fronts", flush=True)
            records.append(_child(n, args.workers, args.chunk_blocks, False))
    report = {
        "benchmark": "engine_speed",
        "scenario": SCENARIO,
        "seed": SEED,
        "measured_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "target": TARGET,
        "memory_note": (
            "peak_rss_self_bytes is ru_maxrss of RUSAGE_SELF: the peak resident set of the "
            "process that called simulate(). peak_rss_largest_child_bytes is ru_maxrss of "
            "RUSAGE_CHILDREN: the peak of the single largest reaped worker, not a sum over "
            "workers. peak_memory_bound_bytes = self + workers x largest child, an upper bound "
            "on memory in use at one time (pages shared after fork are counted in each)."
        ),
        "environment": environment(),
        "results": records,
    }
    out: Path = args.output
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp")
    tmp.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    tmp.replace(out)
    print(table(records))
    for r in records:
        if r["runs"] == TARGET["runs"] and r["workers"] == TARGET["workers"]:
            ok_time = r["wall_seconds"] <= TARGET["wall_seconds_max"]
            ok_mem = r["peak_memory_bound_bytes"] <= TARGET["peak_memory_bytes_max"]
            print(
                f"target (100,000 runs x 365 days, 2 workers): wall <= 30 s "
                f"{'met' if ok_time else 'NOT met'}; peak memory <= 2 GB "
                f"{'met' if ok_mem else 'NOT met'}"
            )
    print(f"written to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
