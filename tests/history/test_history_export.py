"""`export` traces runs a batch at a time: the rows are those of each run's own story."""

from __future__ import annotations

import csv
import itertools

from crisislab.history import export as export_module
from crisislab.history.export import COLUMNS, simulated_events, write_events
from crisislab.simulate import resolve, story


def rows_from_stories(scenario: str, runs: int, seed: int, overrides: dict) -> list[dict]:
    """The export made one story at a time: each run simulated alone, traced, its events turned
    into rows by the exporter's own row format."""
    resolved = resolve(scenario, overrides)
    source = f"simulated:{resolved.name}:seed={seed}:run="
    return [
        export_module._row(rec, resolved.start_date, source, run)
        for run in range(runs)
        for rec in story(resolved, run, seed).records
        if rec["kind"] == "event"
    ]


def test_batched_export_has_the_rows_of_each_runs_story(monkeypatch):
    monkeypatch.setattr(export_module, "BATCH_RUN_DAYS", 7 * 90)  # batches of 7 runs: 3 of them
    overrides = {"days": 90}
    batched = list(simulated_events("us-iran-2020", runs=20, seed=4, overrides=overrides))
    assert batched == rows_from_stories("us-iran-2020", 20, 4, overrides)
    assert {row["run"] for row in batched} > {0, 19}


def test_written_csv_matches_the_story_rows_and_reports_progress(tmp_path):
    path = tmp_path / "events.csv"
    done: list[int] = []
    n = write_events("us-iran-2020", path, runs=12, seed=2, overrides={"days": 60},
                     progress=done.append)  # fmt: skip
    with path.open(newline="", encoding="utf-8") as fh:
        written = list(csv.DictReader(fh))
    expected = rows_from_stories("us-iran-2020", 12, 2, {"days": 60})
    assert n == len(written) == len(expected)
    assert written == [{k: str(row[k]) for k in COLUMNS} for row in expected]
    assert sum(done) == 12


def test_batches_cover_every_run_once():
    plan = export_module.batches(1000, 365)
    assert plan[0][0] == 0 and sum(n for _, n in plan) == 1000
    assert all(a + n == b for (a, n), (b, _) in itertools.pairwise(plan))
    assert export_module.batches(3, 10_000_000) == [(0, 1), (1, 1), (2, 1)]
