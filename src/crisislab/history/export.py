"""Simulated runs written as event data, in the timeline CSV format.

Each executed act of a run becomes one row with its CAMEO code, label and Goldstein weight, its
PLOVER category and the truth behind it (who ordered it, deaths, warned), so simulated and real
events can be read by the same importers and analysed with the same tools.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from crisislab.history.importers import CRISISLAB_COLUMNS
from crisislab.scenario import codebooks
from crisislab.simulate import resolve, story

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


def simulated_events(
    scenario: Any, *, runs: int = 10, seed: int = 0, overrides: Mapping[str, Any] | None = None
) -> Iterator[dict[str, Any]]:
    """One row per executed act of runs 0 … runs-1 (each run narrated from its own block)."""
    resolved = resolve(scenario, overrides)
    for run in range(runs):
        told = story(resolved, run, seed)
        for rec in told.records:
            if rec["kind"] != "event":
                continue
            category, mode = _plover(rec["cameo"])
            yield {
                "date": told.date(rec["day"]),
                "actor": rec["actor"],
                "target": rec["target"] or rec["observer"],
                "action": rec["action"],
                "description": rec["label"],
                "source_url": f"simulated:{resolved.name}:seed={seed}:run={run}",
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
) -> int:
    """Write the events of `runs` runs to a CSV file atomically; return the number of rows."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    n = 0
    try:
        with tmp.open("w", newline="", encoding="utf-8") as fh:
            writer = csv.DictWriter(fh, fieldnames=COLUMNS)
            writer.writeheader()
            for row in simulated_events(scenario, runs=runs, seed=seed, overrides=overrides):
                writer.writerow(row)
                n += 1
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)
    return n


def _plover(code: str) -> tuple[str, str]:
    try:
        return codebooks.plover_category(code)
    except KeyError:
        return "", ""
