"""How long a calibration takes, and how well it fits: the generic ensemble against ICB.

    python benchmarks/calibration_speed.py                       # the defaults below
    python benchmarks/calibration_speed.py --population 100 --generations 6 --workers 2

Calibrates the built-in `generic-crisis` (its 8 uncertain parameters) to the target set
`icb-generic` (7 ICB base rates) with `crisislab.calibration.abc.calibrate` on a process pool,
timing the whole calibration (pool start-up included), then simulates `--check-runs` runs of the
ensemble with the posterior and with the scenario's defaults and reports every target with its
interval against ICB's value. The issue's goal: a calibration of at least 6 parameters to at least
6 targets in under 15 minutes on two cores.

Results go to benchmarks/results/calibration_speed.json (or --output); the posterior is written
beside it.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import time
from pathlib import Path

import numpy as np

from crisislab._version import __version__
from crisislab.calibration import abc, load_target_set
from crisislab.calibration.statistics import columns_of
from crisislab.experiments.executors import open_executor
from crisislab.scenario.loader import load_scenario
from crisislab.scenario.parameters import GROUP_RUNS, read_posterior
from crisislab.simulate import simulate

HERE = Path(__file__).parent


def bootstrap_band(columns, targets, clusters, seed=0, draws=200):
    """Each target's 95% band over a bootstrap of whole groups of runs (runs that share a crisis
    and a parameter draw are resampled together)."""
    rng = np.random.default_rng(seed)
    ids = np.unique(clusters)
    rows = {c: np.flatnonzero(clusters == c) for c in ids}
    values = []
    for _ in range(draws):
        pick = np.concatenate([rows[c] for c in rng.choice(ids, len(ids))])
        values.append(targets.simulated({k: v[pick] for k, v in columns.items()}))
    return {
        k: [float(np.nanquantile([v[k] for v in values], q)) for q in (0.025, 0.975)]
        for k in values[0]
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--population", type=int, default=100)
    parser.add_argument("--generations", type=int, default=8)
    parser.add_argument("--max-minutes", type=float, default=14.0)
    parser.add_argument("--min-acceptance", type=float, default=0.02)
    parser.add_argument("--runs", type=int, default=4096)
    parser.add_argument("--seed", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--check-runs", type=int, default=16384)
    parser.add_argument("--output", type=Path, default=HERE / "results" / "calibration_speed.json")
    args = parser.parse_args()

    scenario = load_scenario("generic-crisis")
    targets = load_target_set("icb-generic")
    posterior_path = args.output.with_suffix(".parquet")
    settings = abc.Settings(args.population, args.generations, args.runs, args.seed)
    started = time.perf_counter()
    with open_executor("process", args.workers) as (pool, _):
        fitted = abc.calibrate(
            scenario,
            targets,
            posterior_path,
            settings,
            executor=pool,
            restart=True,
            max_seconds=60 * args.max_minutes,
            min_acceptance=args.min_acceptance,
        )
    seconds = time.perf_counter() - started
    post = read_posterior(posterior_path)

    check = {}
    for label, draws in (("defaults", None), ("posterior", post)):
        result = simulate("generic-crisis", args.check_runs, args.seed + 1, draws=draws)
        columns = dict(columns_of(result))
        simulated = targets.simulated(columns)
        groups = np.arange(args.check_runs) // GROUP_RUNS  # a crisis (and a draw) per group
        band = bootstrap_band(columns, targets, groups)
        check[label] = {k: {"simulated": simulated[k], "band": band[k]} for k in simulated}
    observed, scales = targets.observed(), targets.scales()
    record = {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "crisislab": __version__,
        "machine": {
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "openblas_coretype": os.environ.get("OPENBLAS_CORETYPE"),
        },
        "settings": {
            **settings.__dict__,
            "max_minutes": args.max_minutes,
            "min_acceptance": args.min_acceptance,
            "workers": args.workers,
        },
        "parameters": len(post.names),
        "targets": len(observed),
        "seconds": round(seconds, 1),
        "evaluations": int(sum(g.evaluations for g in fitted.generations)),
        "generations": [g.__dict__ for g in fitted.generations],
        "observed": {k: {"value": observed[k], "sd": scales[k]} for k in observed},
        "check": check,
        "posterior": post.describe(),
        "posterior_quantiles": post.quantiles((0.05, 0.5, 0.95)),
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(record, indent=2, default=float) + "\n")
    print(
        f"calibration: {len(post.names)} parameters, {len(observed)} targets, "
        f"{record['evaluations']:,} evaluations, {seconds / 60:.1f} min"
    )
    print(f"{'target':<26}{'ICB':>14}{'defaults [95%]':>28}{'posterior [95%]':>28}")
    for k in observed:
        d, p = check["defaults"][k], check["posterior"][k]
        print(
            f"{k:<26}{observed[k]:>8.3f} ±{scales[k]:<5.3f}"
            f"{d['simulated']:>10.3f} [{d['band'][0]:.3f}, {d['band'][1]:.3f}]"
            f"{p['simulated']:>10.3f} [{p['band'][0]:.3f}, {p['band'][1]:.3f}]"
        )


if __name__ == "__main__":
    main()
