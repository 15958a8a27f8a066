"""`simulate` reports progress chunk by chunk and stops at chunk granularity, with results bit
for bit those of a call without either."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from crisislab.simulate import balanced_chunk_blocks, local_executor, reporting, simulate

RUNS, SEED, DAYS = 5000, 3, 40


@pytest.fixture(scope="module")
def plain():
    return simulate("us-iran-2020", RUNS, SEED, days=DAYS)


def same_columns(a, b) -> None:
    assert a.columns.keys() == b.columns.keys()
    for name in a.columns:
        assert np.array_equal(a.columns[name], b.columns[name]), name


def test_progress_is_called_per_chunk_with_the_runs_done_and_changes_nothing(plain):
    calls: list[int] = []
    reported = simulate(
        "us-iran-2020", RUNS, SEED, days=DAYS, chunk_blocks=2, progress=calls.append
    )
    assert calls == [2048, 2048, 904]
    same_columns(plain, reported)
    assert reported.summary() == plain.summary()


def test_progress_on_a_thread_pool_comes_in_run_order_and_changes_nothing(plain):
    calls: list[int] = []
    with local_executor(2) as pool:
        reported = simulate(
            "us-iran-2020", RUNS, SEED, days=DAYS, chunk_blocks=1, executor=pool,
            progress=calls.append,
        )  # fmt: skip
    assert calls == [1024] * 4 + [904]
    same_columns(plain, reported)


def test_reporting_reaches_simulate_calls_made_by_other_functions(plain):
    calls: list[int] = []
    with reporting(calls.append):
        simulate("us-iran-2020", RUNS, SEED, days=DAYS)
    simulate("us-iran-2020", RUNS, SEED, days=DAYS)  # outside the block: not reported
    assert sum(calls) == RUNS


def test_an_interrupt_from_progress_stops_and_cancels_the_chunks_not_started():
    submitted: list[object] = []

    class Counting(ThreadPoolExecutor):
        def submit(self, fn, /, *args, **kwargs):
            future = super().submit(fn, *args, **kwargs)
            submitted.append(future)
            return future

    def interrupt(runs: int) -> None:
        raise KeyboardInterrupt

    with Counting(max_workers=2) as pool, pytest.raises(KeyboardInterrupt):
        simulate("us-iran-2020", 64 * 1024, SEED, days=DAYS, chunk_blocks=1, executor=pool,
                 progress=interrupt)  # fmt: skip
    assert len(submitted) <= 5  # a window of two chunks per worker, not all 64
    assert all(f.done() for f in submitted)  # cancelled or finished: nothing left running


def test_chunks_stay_short_whatever_the_horizon():
    assert balanced_chunk_blocks(1_000_000, 1) == balanced_chunk_blocks(1_000_000, 1, 30) == 32
    assert balanced_chunk_blocks(1_000_000, 1, 365) == 16
    assert balanced_chunk_blocks(1_000_000, 1, 3650) == 1
