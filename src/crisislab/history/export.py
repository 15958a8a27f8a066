"""Simulated runs written as event data, in the timeline CSV format.

Each executed act of a run becomes one row with its CAMEO code, label and Goldstein weight, its
PLOVER category and the truth behind it (who ordered it, deaths, warned), so simulated and real
events can be read by the same importers and analysed with the same tools.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

from crisislab.engine.trace import records
from crisislab.history.importers import CRISISLAB_COLUMNS
from crisislab.output import open_output
from crisislab.scenario import codebooks
from crisislab.simulate import resolve, simulate_runs

EXTRA_COLUMNS = (
    "run",
    "plover_category",
    "plover_mode",
    "ordered_by",
    "deaths",
    "victims",
    "warned",
    "executed_rung",
)
COLUMNS = CRISISLAB_COLUMNS + EXTRA_COLUMNS
# Runs traced together, as runs × days: a batch's log stays a few megabytes, and progress moves
BATCH_RUN_DAYS = 50_000


def batches(runs: int, days: int) -> list[tuple[int, int]]:
    """(first run, number of runs) of the traced batches covering runs 0 … runs-1."""
    size = max(1, BATCH_RUN_DAYS // max(1, days))
    return [(first, min(size, runs - first)) for first in range(0, runs, size)]


def simulated_events(
    scenario: Any,
    *,
    runs: int = 10,
    seed: int = 0,
    overrides: Mapping[str, Any] | None = None,
    progress: Callable[[int], None] | None = None,
) -> Iterator[dict[str, Any]]:
    """One row per executed act of runs 0 … runs-1, in run order.

    The runs are traced a batch at a time; each run's records are those of `story(scenario,
    run, seed)` (keyed random streams make a run the same in any batch). `progress`, if given, is
    called with the number of runs of each batch once its rows are out."""
    resolved = resolve(scenario, overrides)
    source = f"simulated:{resolved.name}:seed={seed}:run="
    for first, n in batches(runs, resolved.days):
        batch = simulate_runs(resolved, seed, first, n, tracing=True)
        for k in range(n):
            run = first + k
            for rec in records(batch, k):
                if rec["kind"] == "event":
                    yield _row(rec, resolved.start_date, source, run)
        del batch
        if progress is not None:
            progress(n)


def _row(rec: dict[str, Any], start: dt.date, source: str, run: int) -> dict[str, Any]:
    category, mode = _plover(rec["cameo"])
    return {
        "date": (start + dt.timedelta(days=rec["day"])).isoformat(),
        "actor": rec["actor"],
        "target": rec["target"] or rec["observer"],
        "action": rec["action"],
        "description": rec["label"],
        "source_url": f"{source}{run}",
        "cameo_code": rec["cameo"],
        "cameo_label": codebooks.cameo_label(rec["cameo"]),
        "goldstein": rec["goldstein"],
        "run": run,
        "plover_category": category,
        "plover_mode": mode,
        "ordered_by": rec["ordered_by"] or "",
        "deaths": rec["deaths"],
        "victims": rec["victims"],
        "warned": str(rec["warned"]).lower(),
        "executed_rung": rec["executed_rung"],
    }


def write_events(
    scenario: Any,
    path: str | Path,
    *,
    runs: int = 10,
    seed: int = 0,
    overrides: Mapping[str, Any] | None = None,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Write the events of `runs` runs to a CSV file and return the number of rows: a regular
    file atomically (a failure or Ctrl-C leaves the old file, or none), a pipe or device
    through (see `crisislab.output`)."""
    n = 0
    with open_output(path, "w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=COLUMNS)
        writer.writeheader()
        for row in simulated_events(
            scenario, runs=runs, seed=seed, overrides=overrides, progress=progress
        ):
            writer.writerow(row)
            n += 1
    return n


def _plover(code: str) -> tuple[str, str]:
    try:
        return codebooks.plover_category(code)
    except KeyError:
        return "", ""
