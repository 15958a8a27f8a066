"""Replay against the data: the replay's perceived rungs and beliefs next to the timeline's own
Goldstein series and a naive decayed count of violent days.

    python benchmarks/replay_vs_data.py                     # us-iran-2019-2020, 1,024 runs, seed 1
    python benchmarks/replay_vs_data.py --runs 4096 --seed 2 --json out.json

For every day of the timeline it takes, from `crisislab.replay(timeline, runs=N, seed=S)`:

- each side's perceived rung and its belief that the other leadership is limited (means over the
  runs);

and, from the timeline alone:

- the highest rung of the day's records, from the severity table (by CAMEO code and, where the
  row gives it, the target kind);
- the daily Goldstein sum of its records, read as conflict (-Goldstein, so that up is worse) and
  as a decayed sum with the half-life below;
- violent days: days with a record coded CAMEO 18-20 (assault, fight, mass violence), whoever
  the actor, replayed or not; their decayed count (half-life 7 days) is the naive baseline a
  model of memory and perception has to beat;
- the violent days of the next 14 days (t+1 ... t+14, cut at the timeline's end), as something
  to forecast.

It prints the Pearson correlations over the days between each series, the partial correlation of
each model series with the next 14 days' violence given the decayed count (what the model adds to
the naive count), and a table of the main days. No significance is claimed: 82 autocorrelated days
hold far fewer than 82 independent observations.
"""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path
from typing import Any

import numpy as np

import crisislab
from crisislab.history import load_timeline

TIMELINE = "us-iran-2019-2020"
HALF_LIFE_DAYS = 7.0
AHEAD_DAYS = 14
VIOLENT_ROOTS = ("18", "19", "20")
KEY_DATES = (
    "2019-12-27",
    "2019-12-29",
    "2019-12-31",
    "2020-01-03",
    "2020-01-08",
    "2020-01-09",
    "2020-01-20",
    "2020-02-10",
    "2020-03-11",
    "2020-03-12",
    "2020-03-14",
    "2020-03-17",
)


def decayed(values: np.ndarray, half_life: float) -> np.ndarray:
    """x_t = values_t + 2^(-1/half_life) x_(t-1): a sum in which a day counts half after
    `half_life` days."""
    keep = 0.5 ** (1.0 / half_life)
    out = np.zeros(len(values))
    level = 0.0
    for t, value in enumerate(values):
        level = level * keep + value
        out[t] = level
    return out


def ahead(values: np.ndarray, days: int) -> np.ndarray:
    """Sum of values over t+1 ... t+days (cut at the end)."""
    return np.array([values[t + 1 : t + 1 + days].sum() for t in range(len(values))])


def pearson(a: np.ndarray, b: np.ndarray) -> float | None:
    if a.std() == 0 or b.std() == 0:
        return None
    return float(np.corrcoef(a, b)[0, 1])


def partial(a: np.ndarray, b: np.ndarray, given: np.ndarray) -> float | None:
    """Correlation of a and b once the linear part of `given` is taken out of both."""
    design = np.column_stack([np.ones(len(given)), given])

    def residual(y: np.ndarray) -> np.ndarray:
        coef, *_ = np.linalg.lstsq(design, y, rcond=None)
        return y - design @ coef

    return pearson(residual(a), residual(b))


def series(timeline: str, runs: int, seed: int) -> dict[str, Any]:
    """Every daily series of the comparison, keyed by name, and the days' dates."""
    tl = load_timeline(timeline)
    result = crisislab.replay(tl, runs=runs, seed=seed)
    days = result.days
    dates = [d["date"] for d in days]
    start = result.mapped.start
    violent = np.zeros(len(days))
    top = np.zeros(len(days))
    for rec in tl.events:
        t = (rec.date - start).days
        top[t] = max(top[t], tl.severity_table.lookup(rec.cameo, rec.kind_of(0)).rung)
        if rec.root in VIOLENT_ROOTS:
            violent[t] = 1.0
    conflict = np.array([-d["goldstein"] for d in days])
    sides = list(days[0]["sides"])
    out: dict[str, np.ndarray] = {}
    for side in sides:
        out[f"{side} perceived rung"] = np.array([d["sides"][side]["perceived_rung"] for d in days])
    out["highest perceived rung (either side)"] = np.maximum(
        out[f"{sides[0]} perceived rung"], out[f"{sides[1]} perceived rung"]
    )
    for side in sides:
        other = next(s for s in sides if s != side)
        out[f"{side} belief {other} limited"] = np.array([d["sides"][side]["belief"] for d in days])
    data = {
        "record's highest rung, same day": top,
        "conflict (-Goldstein), same day": conflict,
        f"conflict, decayed ({HALF_LIFE_DAYS:g}-day half-life)": decayed(conflict, HALF_LIFE_DAYS),
        f"violent days, decayed ({HALF_LIFE_DAYS:g}-day half-life)": decayed(
            violent, HALF_LIFE_DAYS
        ),
        f"violent days in the next {AHEAD_DAYS}": ahead(violent, AHEAD_DAYS),
    }
    return {
        "timeline": tl.name,
        "scenario": result.scenario.name,
        "runs": runs,
        "seed": seed,
        "dates": dates,
        "events": [d["events"] for d in days],
        "violent": violent,
        "model": out,
        "data": data,
        "replayed": result.mapped.summary(),
    }


def compare(s: dict[str, Any]) -> dict[str, Any]:
    """Correlations of every model series (and the naive baseline) with every data series."""
    data = s["data"]
    naive_name = next(k for k in data if k.startswith("violent days, decayed"))
    target_name = next(k for k in data if k.startswith("violent days in the next"))
    naive, target = data[naive_name], data[target_name]
    rows = []
    candidates = {**s["model"], f"naive: {naive_name}": naive}
    for name, values in candidates.items():
        row: dict[str, Any] = {"series": name, "range": f"{values.min():.2f}–{values.max():.2f}"}
        for column, other in data.items():
            row[column] = pearson(values, other)
        row[f"partial r with the next {AHEAD_DAYS} days' violence, given the naive count"] = (
            None if values is naive else partial(values, target, naive)
        )
        rows.append(row)
    key = []
    for date in KEY_DATES:
        if date not in s["dates"]:
            continue
        t = s["dates"].index(date)
        key.append(
            {
                "date": date,
                "events": s["events"][t],
                "conflict": round(float(data["conflict (-Goldstein), same day"][t]), 1) + 0.0,
                "violent": int(s["violent"][t]),
                "naive count": round(float(naive[t]), 2),
                **{name: round(float(v[t]), 2) for name, v in s["model"].items()},
            }
        )
    return {
        "timeline": s["timeline"],
        "scenario": s["scenario"],
        "runs": s["runs"],
        "seed": s["seed"],
        "days": len(s["dates"]),
        "violent_days": int(s["violent"].sum()),
        "replayed": s["replayed"],
        "correlations": rows,
        "key_days": key,
    }


def markdown(table: list[dict[str, Any]]) -> str:
    def cell(value: Any) -> str:
        if value is None:
            return "—"
        if isinstance(value, float):
            return "—" if math.isnan(value) else f"{value:+.2f}"
        return str(value)

    head = list(table[0])
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(cell(row[k]) for k in head) + " |" for row in table]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--timeline", default=TIMELINE)
    parser.add_argument("--runs", type=int, default=1024)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here")
    args = parser.parse_args()
    figures = compare(series(args.timeline, args.runs, args.seed))
    print(
        f"{figures['timeline']} on {figures['scenario']}, {figures['runs']} runs, seed "
        f"{figures['seed']}: {figures['days']} days, {figures['violent_days']} violent days"
    )
    print(f"records: {figures['replayed']}\n")
    print("Pearson r over the days\n")
    print(markdown(figures["correlations"]))
    print("\nMain days\n")
    key = [
        {k: (f"{v:.2f}" if isinstance(v, float) else v) for k, v in row.items()}
        for row in figures["key_days"]
    ]
    print(markdown(key))
    if args.json is not None:
        args.json.write_text(json.dumps(figures, indent=2) + "\n")


if __name__ == "__main__":
    main()
