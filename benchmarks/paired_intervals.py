"""How much narrower paired intervals are than unpaired ones on the demo's comparison.

`crisislab demo` compares the four US doctrines on us-iran-2020 (10,000 runs each, seed 1, 365
days). Every doctrine runs over the same worlds, so each later doctrine's difference from the
first has a paired 95% interval (from the per-run differences) and an unpaired one (Welch's, as
if the runs were independent samples); `crisislab.compare` returns both. For each doctrine after
the first and each outcome class this script takes the ratio of the paired half-width to the
unpaired one, and reports the median of these ratios and `narrower_percent` = 100 × (1 − median),
the figure docs/cli.md quotes. The flags' ratios are listed too, apart from the headline.

    uv run --frozen python benchmarks/paired_intervals.py
    uv run --frozen python benchmarks/paired_intervals.py --runs 2000 --output paired.json

Prints one JSON object on stdout.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from pathlib import Path
from typing import Any

import crisislab
from crisislab.cli import DOCTRINES
from crisislab.scenario.outcomes import OUTCOMES

SCENARIO = "us-iran-2020"
LEVER = "actors.USA.doctrine"


def half_width(ci: list[float] | None) -> float | None:
    return None if ci is None else round((ci[1] - ci[0]) / 2, 6)


def ratios(compared: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per later policy and measure: both half-widths and their ratio."""
    rows = []
    for entry in compared["results"][1:]:
        for measure, d in entry["paired"].items():
            if measure == "against":
                continue
            paired, unpaired = half_width(d["ci"]), half_width(d["unpaired_ci"])
            rows.append(
                {
                    "policy": entry["policy"],
                    "against": entry["paired"]["against"],
                    "measure": measure,
                    "outcome_class": measure in OUTCOMES,
                    "diff": d["diff"],
                    "paired_half_width": paired,
                    "unpaired_half_width": unpaired,
                    "ratio": round(paired / unpaired, 4)
                    if paired is not None and unpaired
                    else None,
                }
            )
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=10_000, help="runs per doctrine [10000]")
    parser.add_argument("--seed", type=int, default=1, help="random seed [1, the demo's]")
    parser.add_argument("--days", type=int, default=365, help="horizon in days [365]")
    parser.add_argument("--workers", type=int, default=2, help="threads [2]; 1: none")
    parser.add_argument("--output", type=Path, default=None, help="also write the JSON here")
    args = parser.parse_args(argv)

    policies = {doctrine: {LEVER: doctrine} for doctrine in DOCTRINES}
    if args.workers > 1:
        with crisislab.local_executor(args.workers) as pool:
            compared = crisislab.compare(
                SCENARIO, policies, args.runs, args.seed, days=args.days, executor=pool
            )
    else:
        compared = crisislab.compare(SCENARIO, policies, args.runs, args.seed, days=args.days)
    rows = ratios(compared)
    classes = [r["ratio"] for r in rows if r["outcome_class"] and r["ratio"] is not None]
    median = statistics.median(classes)
    report = {
        "benchmark": "paired_intervals",
        "crisislab_version": crisislab.__version__,
        "scenario": SCENARIO,
        "lever": LEVER,
        "policies": list(DOCTRINES),
        "runs": args.runs,
        "seed": args.seed,
        "days": args.days,
        "median_ratio": round(median, 4),
        "narrower_percent": round(100 * (1 - median), 1),
        "median_ratio_by_outcome": {
            name: round(statistics.median(of), 4)
            for name in OUTCOMES
            if (of := [r["ratio"] for r in rows if r["measure"] == name and r["ratio"] is not None])
        },
        "ratios": rows,
    }
    text = json.dumps(report, indent=2)
    if args.output is not None:
        args.output.write_text(text + "\n", encoding="utf-8")
    sys.stdout.write(text + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
