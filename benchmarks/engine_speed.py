"""Engine speed and memory: N runs of us-iran-2020 over 365 days, on a pool of workers.

    python benchmarks/engine_speed.py                # N = 10,000, 100,000, 1,000,000; 2 workers
    python benchmarks/engine_speed.py --executor process   # a process pool instead of threads
    python benchmarks/engine_speed.py --runs 10000   # one size
    python benchmarks/engine_speed.py --runs 10000 --runs 50000 --workers 1
    python benchmarks/engine_speed.py --small-chunks --wait-quiet 300

Each size is measured in a fresh Python process, so the peak-memory figures of one size are not
inflated by an earlier, larger one (a process's peak resident set never goes down). That process
loads the compiled day loop (timed apart, as `kernel_load_seconds`), creates the pool of
`--workers` workers that `crisislab run` uses (`crisislab.simulate.local_executor`: threads, as
the compiled day loop releases the GIL; `--executor process` for a `ProcessPoolExecutor`), times
one call of `crisislab.simulate.simulate("us-iran-2020", runs=N, seed=1, days=365,
executor=pool)` (the pool's start-up included), shuts the pool down (so any worker processes are
reaped), then reads `resource.getrusage`. Each size is measured `--repeat` times (default 3), each
time in a fresh process, and the fastest is reported, as `timeit` does: on a shared machine other
work can only slow a measurement down. Every wall time is kept in the JSON.

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
from pathlib import Path
from typing import Any

from repeats import fastest

SCENARIO = "us-iran-2020"
SEED = 1
DAYS = 365
DEFAULT_RUNS = (10_000, 100_000, 1_000_000)
DEFAULT_WORKERS = 2
SMALL_CHUNK_RUNS = 100_000  # --small-chunks: one worker, one block (1,024 runs) per chunk
RESULTS = Path(__file__).resolve().parent / "results" / "engine_speed.json"
TARGET = {
    "days": 365,
    "workers": 2,
    "run_days_per_second_min": 10_000_000,
    "memory_runs": 1_000_000,
    "peak_memory_bytes_max": int(1.5 * 1024**3),
}
QUIET_LOAD = 0.5  # 1-minute load average (per CPU) under which the machine counts as quiet


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
    runs: int,
    workers: int,
    chunk_blocks: int | None,
    fronts: bool = True,
    executor: str = "thread",
) -> dict[str, Any]:
    """One timed simulate() call; meant to run in a fresh interpreter (see `--child`)."""
    import numpy as np

    from crisislab.engine.batch import BLOCK_RUNS
    from crisislab.simulate import balanced_chunk_blocks, chunk_plan, local_executor, simulate

    loading = time.perf_counter()
    simulate(SCENARIO, runs=1, seed=SEED, days=2)  # load numba and the cached day loop
    kernel_load = time.perf_counter() - loading
    chunk_blocks = chunk_blocks or balanced_chunk_blocks(runs, max(1, workers))
    blocks = chunk_plan(runs, chunk_blocks)
    kwargs: dict[str, Any] = {"days": DAYS, "overrides": None if fronts else NO_FRONTS}
    if chunk_blocks is not None:
        kwargs["chunk_blocks"] = chunk_blocks
    load_before = os.getloadavg() if hasattr(os, "getloadavg") else None
    start = time.perf_counter()
    pool = None
    if workers > 0:
        pool = local_executor(workers, threads=executor == "thread")
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
        "executor": executor if workers > 0 else "none",
        "chunks": len(blocks),
        "chunk_runs": chunk_blocks * BLOCK_RUNS,
        "kernel_load_seconds": round(kernel_load, 3),
        "wall_seconds": round(wall, 3),
        "run_days_per_second": round(runs * DAYS / wall),
        "run_days_per_second_per_worker": round(runs * DAYS / wall / max(1, workers)),
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
        "numba": _dist_version("numba"),
        "openblas_coretype": os.environ.get("OPENBLAS_CORETYPE"),
        "openblas_l2_size": os.environ.get("OPENBLAS_L2_SIZE"),
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

        pools = [_without_paths(pool) for pool in threadpool_info()]
        env["kernels"] = {"source": "threadpoolctl", "threadpools": pools}
    except ImportError:
        env["kernels"] = {"source": "numpy.show_config", "config": _numpy_config()}
    return env


def _without_paths(pool: dict[str, Any]) -> dict[str, Any]:
    """A threadpoolctl record with its library's file name only (no machine-specific path)."""
    out = dict(pool)
    if out.get("filepath"):
        out["filepath"] = Path(out["filepath"]).name
    return out


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


def warm_up() -> float:
    """Compile (or load from numba's cache) the engine's day loop before anything is timed.

    Returns the seconds the first simulate() call took: the compile time when the cache was
    empty, otherwise the time to import numba and load the cached kernel (which each measuring
    process also pays once, inside the timed figures; its pool's workers inherit the kernel)."""
    from crisislab.simulate import simulate

    start = time.perf_counter()
    simulate(SCENARIO, runs=1, seed=SEED, days=2)
    return round(time.perf_counter() - start, 2)


def wait_for_quiet(max_seconds: float) -> None:
    """Wait (up to max_seconds) until the 1-minute load average per CPU falls below QUIET_LOAD."""
    if max_seconds <= 0 or not hasattr(os, "getloadavg"):
        return
    cpus = os.cpu_count() or 1
    deadline = time.monotonic() + max_seconds
    while os.getloadavg()[0] / cpus >= QUIET_LOAD and time.monotonic() < deadline:
        time.sleep(5)


def best_of(repeat: int, *args: Any) -> dict[str, Any]:
    """The fastest of `repeat` measurements (each in a fresh interpreter), with every wall time
    and the largest peaks of memory seen in any of them."""
    records = [_child(*args) for _ in range(repeat)]
    best = fastest(records)
    for key in ("peak_rss_self_bytes", "peak_rss_largest_child_bytes", "peak_memory_bound_bytes"):
        best[key] = max(r[key] for r in records)
    return best


def _child(
    runs: int, workers: int, chunk_blocks: int | None, fronts: bool, executor: str
) -> dict[str, Any]:
    """Measure one size in a fresh interpreter and return its JSON record."""
    cmd = [sys.executable, __file__, "--child", str(runs), "--workers", str(workers)]
    cmd += ["--executor", executor]
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
        f"{'per worker':>11} {'parent peak':>11} {'child peak':>10} {'bound':>9} {'load':>5}"
    )
    lines = [head, "-" * len(head)]
    for r in records:
        lines.append(
            f"{r['runs']:>9,} {'on' if r.get('fronts', True) else 'off':>6} "
            f"{r['workers']:>7} {r['chunks']:>6} {r['wall_seconds']:>8.1f} "
            f"{r['run_days_per_second']:>12,} {r['run_days_per_second_per_worker']:>11,} "
            f"{_mb(r['peak_rss_self_bytes']):>11} "
            f"{_mb(r['peak_rss_largest_child_bytes']):>10} "
            f"{_mb(r['peak_memory_bound_bytes']):>9} "
            f"{(r['load_average_before'] or [0.0])[0]:>5.1f}"
        )
    loads = [r["load_average_before"] for r in records if r.get("load_average_before")]
    if loads and max(x[0] for x in loads) > 0.5:
        lines.append(
            "note: the machine was already busy (1-min load average before a measurement up to "
            f"{max(x[0] for x in loads):.1f}); wall times are then pessimistic"
        )
    return "\n".join(lines)


def verdicts(records: list[dict[str, Any]]) -> list[str]:
    """Whether the 2-worker measurements met the goals (speed at every size, memory at 1M)."""
    lines = []
    for r in records:
        if r["workers"] != TARGET["workers"] or not r.get("fronts", True):
            continue
        fast = r["run_days_per_second"] >= TARGET["run_days_per_second_min"]
        line = f"{r['runs']:,} runs: >= 10M run-days/s {'met' if fast else 'NOT met'}"
        if r["runs"] >= TARGET["memory_runs"]:
            small = r["peak_memory_bound_bytes"] <= TARGET["peak_memory_bytes_max"]
            line += f"; peak memory < 1.5 GB {'met' if small else 'NOT met'}"
        lines.append(line)
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--runs",
        type=int,
        action="append",
        help="runs per measurement; repeat for several sizes (default: 10000, 100000, 1000000)",
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=DEFAULT_WORKERS,
        help="workers of the pool; 0 runs in-process with no executor (default 2)",
    )
    parser.add_argument(
        "--executor",
        choices=("thread", "process"),
        default="thread",
        help="threads (what `crisislab run` uses) or a process pool (default thread)",
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
    parser.add_argument(
        "--small-chunks",
        action="store_true",
        help=f"also measure {SMALL_CHUNK_RUNS:,} runs on 1 worker in chunks of 1,024 runs",
    )
    parser.add_argument(
        "--wait-quiet",
        type=float,
        default=0.0,
        metavar="SECONDS",
        help="before each measurement wait up to SECONDS for the machine to be quiet",
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=3,
        help="measurements of each size; the fastest is reported (default 3)",
    )
    parser.add_argument("--without-fronts", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--output", type=Path, default=RESULTS, help="where to write the JSON")
    parser.add_argument("--child", type=int, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.child is not None:
        print(
            json.dumps(
                measure(
                    args.child,
                    args.workers,
                    args.chunk_blocks,
                    fronts=not args.without_fronts,
                    executor=args.executor,
                )
            )
        )
        return 0

    sizes = args.runs or list(DEFAULT_RUNS)
    if any(n < 1 for n in sizes) or args.workers < 0 or args.repeat < 1:
        parser.error("--runs and --repeat must be positive and --workers non-negative")
    print("compiling or loading the engine's day loop ...", flush=True)
    first_call = warm_up()
    plan = [(n, args.workers, args.chunk_blocks, True) for n in sizes]
    if args.compare_fronts:
        plan += [(n, args.workers, args.chunk_blocks, False) for n in sizes]
    if args.small_chunks:
        plan.append((SMALL_CHUNK_RUNS, 1, 1, True))
    records = []
    for n, workers, chunk_blocks, fronts in plan:
        wait_for_quiet(args.wait_quiet)
        print(
            f"simulating {n:,} runs x {DAYS} days on {workers} {args.executor} worker(s)"
            f"{'' if fronts else ', fronts off'}"
            f"{f', {chunk_blocks} block(s) per chunk' if chunk_blocks else ''} ...",
            flush=True,
        )
        records.append(best_of(args.repeat, n, workers, chunk_blocks, fronts, args.executor))
    report = {
        "benchmark": "engine_speed",
        "scenario": SCENARIO,
        "seed": SEED,
        "measured_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "target": TARGET,
        "first_call_seconds": first_call,
        "first_call_note": (
            "seconds of a first simulate() call in the parent before measuring: numba's compile "
            "time when its cache was empty, else the time to import numba and load the cached "
            "kernel. Each measuring process loads the kernel before its timed call "
            "(kernel_load_seconds in each record); its threads, or its fork-based pool's "
            "workers, share or inherit it"
        ),
        "repeat_note": (
            "each size was measured `repeats` times, each in a fresh process; the record is the "
            "fastest (wall_seconds_all lists all of them), its memory figures the largest seen"
        ),
        "memory_note": (
            "peak_rss_self_bytes is ru_maxrss of RUSAGE_SELF: the peak resident set of the "
            "process that called simulate(). peak_rss_largest_child_bytes is ru_maxrss of "
            "RUSAGE_CHILDREN: the peak of the single largest reaped worker, not a sum over "
            "workers. peak_memory_bound_bytes = self + workers x largest child, an upper bound "
            "on memory in use at one time (pages shared after fork are counted in each). With "
            "threads there is no worker process, and the bound is the process's own peak."
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
    for line in verdicts(records):
        print(line)
    print(f"written to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
