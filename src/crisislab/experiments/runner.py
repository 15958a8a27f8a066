"""Running a study: chunks not yet in the store go to the executor; parts come back as Parquet.

Workers compute and encode; only the calling process writes, each part atomically. A chunk that
raises is recorded as a failure (its error as data) and the study goes on. Damaged parts found
when the run starts are removed and computed again; an interruption (Ctrl-C, a full disk)
cancels the chunks not yet started and leaves the manifest's checksums up to date.
"""

from __future__ import annotations

import contextlib
import time
import traceback
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Executor, Future, wait
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from crisislab.engine.warmup import warm_up
from crisislab.experiments.design import Chunk, Design
from crisislab.experiments.store import Failure, StudyStore, parquet_bytes, runs_table
from crisislab.scenario.loader import ScenarioError, with_overrides
from crisislab.scenario.parameters import ParameterDraws
from crisislab.scenario.schema import Scenario
from crisislab.simulate import simulate_chunk, with_ensemble


@dataclass(frozen=True)
class ChunkTask:
    """Everything a worker needs for one chunk, and nothing else (it is pickled)."""

    chunk: Chunk
    scenario: Scenario
    overrides: dict[str, Any]
    seed: int
    draws: ParameterDraws | None = None  # a posterior: each group of runs draws its parameters


@dataclass(frozen=True)
class ChunkOutcome:
    chunk: Chunk
    part: bytes | None = None
    failure: Failure | None = None


def run_chunk(task: ChunkTask) -> ChunkOutcome:
    """Simulate one chunk and encode its runs as Parquet; errors come back as data."""
    chunk = task.chunk
    try:
        scenario = with_overrides(task.scenario, task.overrides)
        blocks = (chunk.first_block, chunk.n_blocks)
        draws = with_ensemble(scenario, task.draws)  # a generated crisis per group, if declared
        if draws is None:
            columns = simulate_chunk(scenario, task.seed, *blocks)
        else:  # each group of runs with its own draw, and a column saying which
            columns = simulate_chunk(scenario, task.seed, *blocks, draws=draws)
        kept = {name: values[: chunk.runs] for name, values in columns.items()}
        part = parquet_bytes(runs_table(chunk.point, chunk.first_run, kept))
        return ChunkOutcome(chunk, part=part)
    except ScenarioError as exc:
        return ChunkOutcome(chunk, failure=_failure(chunk, exc, "; ".join(map(str, exc.problems))))
    except Exception as exc:
        return ChunkOutcome(chunk, failure=_failure(chunk, exc, traceback.format_exc(limit=8)))


def warm_worker() -> None:
    """Ready a worker process for chunks: load the day loop and encode a tiny part, so that the
    imports the encoding pulls in (pyarrow loads pandas on first use) are not paid by a chunk."""
    warm_up()
    parquet_bytes(runs_table(0, 0, {"outcome": np.zeros(1, dtype=np.int8)}))


def _failure(chunk: Chunk, exc: BaseException, message: str) -> Failure:
    return Failure(chunk.index, chunk.point, type(exc).__name__, message)


@dataclass
class RunReport:
    """What one call of `run_design` did."""

    chunks: int
    skipped: int
    completed: int
    failed: int
    runs: int
    seconds: float
    repaired: dict[str, str] = field(default_factory=dict)  # damaged part -> what was wrong

    @property
    def runs_per_second(self) -> float:
        return self.runs / self.seconds if self.seconds > 0 else 0.0


Progress = Callable[[Chunk, bool], None]


def run_design(
    design: Design,
    store: StudyStore,
    executor: Executor,
    workers: int = 1,
    progress: Progress | None = None,
    draws: ParameterDraws | None = None,
) -> RunReport:
    """Compute every chunk missing from the store; at most 2 × workers chunks are in flight, so
    memory stays bounded however large the study. With `draws` (a calibration's posterior),
    each group of runs draws its parameters, keyed by the point's seed and the group, so the
    runs are the same on any executor and the policies of one future share their draws."""
    started = time.perf_counter()
    check = store.check_parts(design.chunks)
    store.discard(check.damaged)
    store.checkpoint()  # records the parts found whole but not yet recorded; starts the clock
    done_before = check.good
    todo = iter([c for c in design.chunks if c.index not in done_before])
    pending: dict[Future, Chunk] = {}
    report = RunReport(len(design.chunks), len(done_before), 0, 0, 0, 0.0, dict(check.damaged))

    def submit_next() -> None:
        chunk = next(todo, None)
        if chunk is not None:
            task = ChunkTask(
                chunk,
                design.scenario,
                design.overrides(chunk.point),
                design.seed(chunk.point),
                draws,
            )
            pending[executor.submit(run_chunk, task)] = chunk

    try:
        for _ in range(max(2, 2 * workers)):
            submit_next()
        while pending:
            finished, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in finished:
                chunk = pending.pop(future)
                ok = _record(store, chunk, future)
                report.completed += ok
                report.failed += not ok
                report.runs += chunk.runs if ok else 0
                if progress is not None:
                    progress(chunk, ok)
                submit_next()
    except BaseException:
        for future in pending:
            future.cancel()  # chunks not started yet; the executor's owner stops the others
        with contextlib.suppress(Exception):  # the first error is the one to report
            store.checkpoint()
        raise
    store.checkpoint()
    report.seconds = time.perf_counter() - started
    return report


def _record(store: StudyStore, chunk: Chunk, future: Future) -> bool:
    """Store a finished chunk's part or its failure; True when it succeeded."""
    try:
        outcome: ChunkOutcome = future.result()
    except Exception as exc:  # the worker itself died, or the task could not be sent
        store.write_failure(_failure(chunk, exc, f"{type(exc).__name__}: {exc}"))
        return False
    if outcome.part is None:
        assert outcome.failure is not None
        store.write_failure(outcome.failure)
        return False
    store.write_part(chunk.index, outcome.part)
    return True
