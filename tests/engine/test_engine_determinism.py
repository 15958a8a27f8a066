"""Reproducibility (ARCHITECTURE.md, "Performance by design"): results depend only on the scenario,
the overrides, the number of runs and the seed -- never on chunking or the executor."""

from __future__ import annotations

import datetime as dt
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from functools import cache

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crisislab.engine.batch import BLOCK_RUNS
from crisislab.history.replay import prepare
from crisislab.scenario.loader import ScenarioError
from crisislab.simulate import chunk_plan, local_executor, simulate

SCENARIO = "us-iran-2020"
TIMELINE = "us-iran-2019-2020"
# proportional makes every mechanism busy (strikes, retaliations, red lines, wars) in 40 days
BUSY = {"actors.USA.doctrine": "proportional", "channel.carries_c2": True}
DAYS = 40
RUNS = 3 * BLOCK_RUNS + 500  # four blocks, the last one partial


@cache
def reference():
    return simulate(SCENARIO, runs=RUNS, seed=11, overrides=BUSY, days=DAYS)


def assert_same_columns(a, b, rows=None):
    assert a.keys() == b.keys()
    for name in a:
        x, y = (a[name], b[name]) if rows is None else (a[name][:rows], b[name][:rows])
        assert x.dtype == y.dtype, name
        assert np.array_equal(x, y), name


def test_the_reference_ensemble_exercises_the_mechanisms():
    c = reference().columns
    assert np.any(c["outcome"] == 2) and np.any(c["outcome"] != 2)
    assert c["red_line_firings"].sum() > 0 and c["proxy_strikes"].sum() > 0
    assert c["group_attacks"].sum() > 0 and c["misperceptions"].sum() > 0


def test_same_seed_gives_identical_columns():
    again = simulate(SCENARIO, runs=RUNS, seed=11, overrides=BUSY, days=DAYS)
    assert_same_columns(reference().columns, again.columns)
    assert reference().summary() == again.summary()


@pytest.mark.parametrize("chunk_blocks", [1, 3, 16])
def test_chunk_size_does_not_change_any_run(chunk_blocks):
    chunked = simulate(
        SCENARIO, runs=RUNS, seed=11, overrides=BUSY, days=DAYS, chunk_blocks=chunk_blocks
    )
    assert_same_columns(reference().columns, chunked.columns)


def test_chunk_plan_covers_every_block_once():
    assert chunk_plan(RUNS, 3) == [(0, 3), (3, 1)]
    assert chunk_plan(RUNS, 1) == [(0, 1), (1, 1), (2, 1), (3, 1)]
    assert chunk_plan(RUNS, 16) == [(0, 4)]
    assert chunk_plan(1, 16) == [(0, 1)]


def test_process_pool_gives_identical_columns():
    with ProcessPoolExecutor(2) as pool:
        parallel = simulate(
            SCENARIO, runs=RUNS, seed=11, overrides=BUSY, days=DAYS, chunk_blocks=1, executor=pool
        )
    assert_same_columns(reference().columns, parallel.columns)


def test_thread_pool_of_the_compiled_loop_gives_identical_columns():
    with local_executor(2) as pool:
        assert isinstance(pool, ThreadPoolExecutor)
        parallel = simulate(
            SCENARIO, runs=RUNS, seed=11, overrides=BUSY, days=DAYS, chunk_blocks=1, executor=pool
        )
    assert_same_columns(reference().columns, parallel.columns)


def test_a_local_executor_of_processes_when_asked():
    with local_executor(2, threads=False) as pool:
        assert isinstance(pool, ProcessPoolExecutor)


@pytest.mark.parametrize("workers", [1, 3, 4])
def test_the_number_of_workers_does_not_change_any_run(workers):
    """The default chunk size follows the workers; the runs do not."""
    with local_executor(workers) as pool:
        parallel = simulate(SCENARIO, runs=RUNS, seed=11, overrides=BUSY, days=DAYS, executor=pool)
    assert_same_columns(reference().columns, parallel.columns)


@cache
def fork_script():
    _, _, mapped = prepare(TIMELINE, None, None)
    return mapped.script(dt.date(2020, 1, 8))


def forked(**kwargs):
    """A fork's runs: the timeline replayed up to 8 January 2020, then simulated, with daily
    series."""
    script = fork_script()
    return simulate(
        SCENARIO, runs=RUNS, seed=11, overrides=BUSY, days=DAYS, script=script, daily=True, **kwargs
    )


@cache
def fork_reference():
    return forked()


def test_a_fork_is_reproducible_whatever_the_chunks_and_the_executor():
    """Replayed days, scripted events and daily series go through the same day loop: chunks,
    threads and processes leave every run and every day as it was."""
    reference_columns = fork_reference().columns
    assert reference_columns["daily_goldstein"].shape == (RUNS, DAYS)
    assert_same_columns(reference_columns, forked().columns)
    assert_same_columns(reference_columns, forked(chunk_blocks=1).columns)
    with local_executor(3) as threads:
        assert_same_columns(reference_columns, forked(executor=threads).columns)
    with ProcessPoolExecutor(2) as processes:
        assert_same_columns(reference_columns, forked(chunk_blocks=1, executor=processes).columns)


def test_a_forks_runs_differ_from_run_to_run():
    c = fork_reference().columns
    assert len(np.unique(c["goldstein"])) > 10
    assert not np.array_equal(
        c["daily_belief_USA"][:BLOCK_RUNS], c["daily_belief_USA"][BLOCK_RUNS : 2 * BLOCK_RUNS]
    )


def test_fewer_runs_are_a_prefix_of_more_runs():
    small = simulate(SCENARIO, runs=1500, seed=11, overrides=BUSY, days=DAYS)
    assert len(small.runs) == 1500
    assert_same_columns(small.columns, reference().columns, rows=1500)


def test_a_different_seed_gives_different_runs():
    other = simulate(SCENARIO, runs=RUNS, seed=12, overrides=BUSY, days=DAYS)
    a, b = reference().columns, other.columns
    assert not np.array_equal(a["outcome"], b["outcome"])
    assert not np.array_equal(a["goldstein"], b["goldstein"])
    # ... but the same model: the war share agrees within sampling error
    assert np.mean(a["outcome"] == 2) == pytest.approx(np.mean(b["outcome"] == 2), abs=0.05)


def test_blocks_are_independent_streams():
    """Two blocks of the same seed are not copies of each other."""
    c = reference().columns
    first, second = c["goldstein"][:BLOCK_RUNS], c["goldstein"][BLOCK_RUNS : 2 * BLOCK_RUNS]
    assert not np.array_equal(first, second)


def test_days_argument_is_the_days_override():
    a = simulate(SCENARIO, runs=10, seed=5, days=30)
    b = simulate(SCENARIO, runs=10, seed=5, overrides={"days": 30})
    assert_same_columns(a.columns, b.columns)
    assert a.summary()["days"] == 30


@pytest.mark.parametrize(
    ("runs", "seed"), [(0, 1), (-5, 1), (1.5, 1), (10, -1), (10, 2.0), (10_000_001, 1)]
)
def test_impossible_runs_or_seed_are_rejected_with_a_scenario_error(runs, seed):
    with pytest.raises(ScenarioError):
        simulate(SCENARIO, runs=runs, seed=seed, days=5)


LEVERS = st.fixed_dictionaries(
    {
        "actors.USA.doctrine": st.sampled_from(
            ["restraint", "targeted", "gtft", "proportional", "retaliatory", "strategic"]
        ),
        "actors.USA.rhetoric": st.sampled_from(["measured", "inflammatory"]),
        "logit.precision": st.sampled_from([0.0, 2.0, 8.0]),
        "channel.kind": st.sampled_from(["none", "indirect", "hotline"]),
        "channel.carries_c2": st.booleans(),
        "attribution.confirmation_bias": st.sampled_from([1.0, 0.5]),
    }
)


@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(LEVERS, st.integers(0, 2**31 - 1))
def test_chunking_never_changes_a_run_whatever_the_levers(levers, seed):
    """Every mechanism touches a run only through that run's own history and random stream."""
    whole = simulate(SCENARIO, runs=2 * BLOCK_RUNS, seed=seed, overrides=levers, days=30)
    split = simulate(
        SCENARIO, runs=2 * BLOCK_RUNS, seed=seed, overrides=levers, days=30, chunk_blocks=1
    )
    assert_same_columns(whole.columns, split.columns)
