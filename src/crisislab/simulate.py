"""The entry point of the engine: simulate N runs of a scenario, chunk by chunk."""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable, Generator, Iterable, Iterator, Mapping
from concurrent.futures import Executor, Future, ProcessPoolExecutor, ThreadPoolExecutor
from contextlib import contextmanager
from contextvars import ContextVar
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np

from crisislab.engine.batch import BLOCK_RUNS, Batch
from crisislab.engine.compiled import compile_scenario
from crisislab.engine.external import Policy
from crisislab.engine.outcomes import summarise
from crisislab.engine.params import Setup
from crisislab.engine.script import Script
from crisislab.engine.trace import records
from crisislab.results import SimulationResult, Story
from crisislab.scenario.loader import Problem, ScenarioError, load_scenario, with_overrides
from crisislab.scenario.parameters import GROUP_RUNS, Combined, ParameterDraws
from crisislab.scenario.schema import Scenario

MAX_RUNS = 10_000_000
MAX_CHUNK_BLOCKS = 32  # 32,768 runs: large enough to amortise the day loop, small in memory
# A chunk's work at most (runs × days): 16 blocks over a year, about 0.2 s of one core, so that
# progress moves and Ctrl-C acts within about a second whatever the horizon and the load
MAX_CHUNK_RUN_DAYS = 16 * BLOCK_RUNS * 365

Progress = Callable[[int], None]  # called with the number of runs a chunk has just completed
_PROGRESS: ContextVar[Progress | None] = ContextVar("crisislab_progress", default=None)
_DRAWS: ContextVar[ParameterDraws | None] = ContextVar("crisislab_draws", default=None)


@contextmanager
def reporting(progress: Progress | None) -> Iterator[None]:
    """Within the block, every `simulate` call given no `progress` of its own reports to this
    one: for callers that simulate through other functions (a comparison, a fork, a report)."""
    token = _PROGRESS.set(progress)
    try:
        yield
    finally:
        _PROGRESS.reset(token)


@contextmanager
def drawing(draws: ParameterDraws | None) -> Iterator[None]:
    """Within the block, every `simulate` call given no `draws` of its own draws its runs'
    parameters from these: for callers that simulate through other functions (a comparison,
    claims, a fork, a backtest, a report)."""
    token = _DRAWS.set(draws)
    try:
        yield
    finally:
        _DRAWS.reset(token)


def resolve(
    scenario: Scenario | str | Path, overrides: Mapping[str, Any] | None = None
) -> Scenario:
    """A Scenario from an object, a built-in name or a path, with overrides applied."""
    if isinstance(scenario, Scenario):
        return with_overrides(scenario, overrides or {})
    return load_scenario(scenario, overrides or {})


def setup_of(
    scenario: Scenario,
    script: Script | None = None,
    tracing: bool = False,
    daily: bool = False,
    external: frozenset[int] = frozenset(),
) -> Setup:
    """What a batch of the scenario simulates: with a script, its days before the fork are
    replayed and the scenario's days follow; `external` sides are decided by policies."""
    t0 = script.fork_day if script is not None else 0
    return Setup(compile_scenario(scenario), t0, scenario.days, script, tracing, daily, external)


def policy_sides(scenario: Scenario, policies: Mapping[str, Policy] | None) -> dict[int, Policy]:
    """External policies by side, from policies by leadership id (the dyad's two sides)."""
    sides = [scenario.dyad.defender, scenario.dyad.challenger]
    out = {}
    for actor, policy in (policies or {}).items():
        if actor not in sides:
            raise ScenarioError(
                [Problem("policies", actor, f"an external policy takes one of the sides {sides}")]
            )
        if not callable(policy):
            raise ScenarioError([Problem("policies", actor, "must be a callable")])
        out[sides.index(actor)] = policy
    return out


def simulate_runs(
    scenario: Scenario,
    seed: int,
    first_run: int,
    runs: int,
    *,
    tracing: bool = False,
    script: Script | None = None,
    daily: bool = False,
    policies: Mapping[str, Policy] | None = None,
) -> Batch:
    """Simulate the runs [first_run, first_run + runs): a pure function of its inputs, and each
    run the same whichever other runs are simulated with it (keyed random streams)."""
    sides = policy_sides(scenario, policies)
    setup = setup_of(scenario, script, tracing, daily, frozenset(sides))
    return Batch(setup, seed, first_run, runs, sides).run()


def simulate_chunk(
    scenario: Scenario,
    seed: int,
    first_block: int,
    n_blocks: int,
    script: Script | None = None,
    daily: bool = False,
    policies: Mapping[str, Policy] | None = None,
    draws: ParameterDraws | None = None,
) -> dict[str, np.ndarray]:
    """The summary columns (and daily series if asked) of the blocks [first_block, first_block
    + n_blocks) of BLOCK_RUNS runs each. With `draws`, each group of runs is simulated with its
    own parameter draw (`draw_groups`)."""
    first, n = first_block * BLOCK_RUNS, n_blocks * BLOCK_RUNS
    if draws is not None:
        return _drawn_chunk(scenario, seed, first, n, script, daily, policies, draws)
    batch = simulate_runs(scenario, seed, first, n, script=script, daily=daily, policies=policies)
    columns = summarise(batch)
    if daily:
        columns.update(daily_columns(batch))
    return columns


def group_runs(scenario: Scenario, script: Script | None) -> int:
    """Runs per parameter draw: GROUP_RUNS, or a whole block where a conditioned replay
    resamples its particles block by block (a draw is then one block's hypothesis)."""
    return BLOCK_RUNS if setup_of(scenario, script).conditioned else GROUP_RUNS


def drawn_scenario(
    scenario: Scenario, seed: int, group: int, draws: ParameterDraws
) -> tuple[int, Scenario]:
    """The draw a group of runs gets and the scenario with it applied."""
    index, values = draws.draw(seed, group)
    return index, with_overrides(scenario, values)


def _drawn_chunk(
    scenario: Scenario,
    seed: int,
    first: int,
    n: int,
    script: Script | None,
    daily: bool,
    policies: Mapping[str, Policy] | None,
    draws: ParameterDraws,
) -> dict[str, np.ndarray]:
    size = group_runs(scenario, script)
    parts = []
    for start in range(first, first + n, size):
        index, drawn = drawn_scenario(scenario, seed, start // size, draws)
        batch = simulate_runs(
            drawn, seed, start, size, script=script, daily=daily, policies=policies
        )
        columns = summarise(batch)
        if daily:
            columns.update(daily_columns(batch))
        columns["parameter_draw"] = np.full(size, index, np.int32)
        parts.append(columns)
    return {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}


def with_ensemble(scenario: Scenario, draws: ParameterDraws | None) -> ParameterDraws | None:
    """The draws a scenario's runs take: a scenario that declares an `ensemble` (a family of
    generated crises, such as `generic-crisis`) draws a crisis per group of runs, with any
    parameter draws applied on top."""
    if scenario.ensemble is None:
        return draws
    from crisislab.scenario.generator import CrisisGenerator

    generator = CrisisGenerator.icb()
    return generator if draws is None else Combined(generator, draws)


def check_draws(scenario: Scenario, draws: ParameterDraws) -> None:
    """Refuse draws that name a parameter the scenario does not have, before any run."""
    try:
        with_overrides(scenario, draws.draw(0, 0)[1])
    except ScenarioError as exc:
        source = draws.describe().get("posterior") or "parameter draws"
        raise ScenarioError(
            [Problem(str(source), p.path, p.message) for p in exc.problems]
        ) from None


def daily_columns(batch: Batch) -> dict[str, np.ndarray]:
    """Per-run daily series of the simulated days (float32 [runs, days]): the day's Goldstein
    sum, the highest rung executed (truth), the defender's red-line firings and the
    misperceptions that day, and what each leadership perceived (its highest perceived rung)
    and believed."""
    t0, c = batch.setup.t0, batch.setup.c

    def per_day(cumulative: np.ndarray) -> np.ndarray:
        values = cumulative[:, t0:]
        return np.diff(values, axis=1, prepend=0.0).astype(np.float32)

    columns = {
        "daily_goldstein": per_day(batch.daily("goldstein")),
        "daily_rung": batch.daily("rung")[:, t0:],
        "daily_red_lines": per_day(batch.daily("red_lines")[:, 0]),
        "daily_misperceptions": per_day(batch.daily("misperceptions")),
    }
    for i, side in enumerate(c.sides):
        columns[f"daily_perceived_rung_{side.id}"] = batch.daily("perceived_rung")[:, i, t0:]
        columns[f"daily_belief_{side.id}"] = batch.daily("belief")[:, i, t0:]
    return columns


def chunk_plan(runs: int, chunk_blocks: int) -> list[tuple[int, int]]:
    """(first block, number of blocks) for each chunk covering `runs` runs."""
    blocks = math.ceil(runs / BLOCK_RUNS)
    return [(b, min(chunk_blocks, blocks - b)) for b in range(0, blocks, chunk_blocks)]


def balanced_chunk_blocks(runs: int, workers: int, days: int | None = None) -> int:
    """Blocks per chunk: at most MAX_CHUNK_BLOCKS (fewer for a horizon of more than a year, so
    that a chunk stays short: see MAX_CHUNK_RUN_DAYS), in a number of chunks that fills the
    workers."""
    blocks = math.ceil(runs / BLOCK_RUNS)
    workers = max(1, int(workers))
    most = MAX_CHUNK_BLOCKS
    if days:
        most = max(1, min(most, MAX_CHUNK_RUN_DAYS // (BLOCK_RUNS * days)))
    chunks = math.ceil(blocks / most)
    chunks = math.ceil(chunks / workers) * workers
    return max(1, math.ceil(blocks / chunks))


def gather(parts: Iterable[dict[str, np.ndarray]], runs: int) -> dict[str, np.ndarray]:
    """The chunks' columns end to end, cut to `runs`. Each chunk is copied into place and
    dropped as it arrives, so the parent never holds every chunk and the whole table at once."""
    columns: dict[str, np.ndarray] = {}
    at = 0
    for part in parts:
        if not columns:
            columns = {k: np.empty((runs, *v.shape[1:]), v.dtype) for k, v in part.items()}
        n = min(len(next(iter(part.values()))), runs - at)
        for k, v in part.items():
            columns[k][at : at + n] = v[:n]
        at += n
        del part
    return columns


def preload_for_fork(executor: Executor) -> None:
    """Load the compiled day loop here if `executor` is a process pool that will fork its
    workers and has not started them yet: the workers then inherit it instead of each importing
    numba and loading the kernel."""
    context = getattr(executor, "_mp_context", None)
    if not isinstance(executor, ProcessPoolExecutor) or context is None:
        return
    if context.get_start_method() == "fork" and not getattr(executor, "_processes", None):
        from crisislab.engine.warmup import warm_up

        warm_up()


def local_executor(workers: int, *, threads: bool = True) -> Executor:
    """A pool of `workers` for `simulate` on this machine (the caller shuts it down).

    Every run goes through the compiled day loop, which releases the GIL: threads then run the
    chunks in parallel with no fork and no pickling of the columns they return, which is what a
    process pool spends on small batches. `threads=False` gives a process pool instead (results
    are identical).
    """
    if threads:
        from crisislab.engine.warmup import warm_up

        warm_up()  # once, here, not in each thread's first chunk
        return ThreadPoolExecutor(max_workers=workers, thread_name_prefix="crisislab-chunk")
    return ProcessPoolExecutor(max_workers=workers)


def simulate(
    scenario: Scenario | str | Path,
    runs: int = 10_000,
    seed: int = 0,
    overrides: Mapping[str, Any] | None = None,
    *,
    days: int | None = None,
    chunk_blocks: int | None = None,
    executor: Executor | None = None,
    script: Script | None = None,
    daily: bool = False,
    progress: Progress | None = None,
    policies: Mapping[str, Policy] | None = None,
    draws: ParameterDraws | None = None,
) -> SimulationResult:
    """Run `runs` independent runs of a scenario and return their per-run table and summary.

    Results depend only on (scenario, overrides, runs, seed): not on chunk size, executor or
    progress reporting.
    A `script` replays observed events before simulating (a fork); `daily` keeps each run's
    daily Goldstein sums.
    `chunk_blocks` (blocks of 1024 runs per chunk) is chosen to balance the executor's workers
    when not given.
    `policies` maps a side's leadership id to an external policy (engine/external.py) that
    makes that side's choices in its place; a policy travels to the executor's workers (threads,
    or a process pool if it can be pickled).
    `draws` (or set around the call with `drawing`), a calibration's posterior, gives each group
    of runs its own parameter vector, so that the results carry parameter uncertainty; the
    column `parameter_draw` says which particle each run drew.
    `progress`, if given (or set around the call with `reporting`), is called after each chunk
    with the number of runs it completed; an exception it raises stops the simulation there.
    An exception (KeyboardInterrupt included) stops it at chunk granularity: no further chunk is
    submitted, chunks not started are cancelled, and only those already running finish.
    """
    if not isinstance(runs, int) or not 1 <= runs <= MAX_RUNS:
        raise ScenarioError(
            [Problem("--runs", "runs", f"must be an integer in 1..{MAX_RUNS}, got {runs!r}")]
        )
    if not isinstance(seed, int) or seed < 0:
        raise ScenarioError(
            [Problem("--seed", "seed", f"must be a non-negative integer, got {seed!r}")]
        )
    merged = dict(overrides or {})
    if days is not None:
        merged["days"] = days
    resolved = resolve(scenario, merged)
    if chunk_blocks is None:
        total_days = resolved.days + (script.fork_day if script is not None else 0)
        workers = getattr(executor, "_max_workers", 1)
        chunk_blocks = balanced_chunk_blocks(runs, workers, total_days)
    plan = chunk_plan(runs, max(1, chunk_blocks))
    report = progress if progress is not None else _PROGRESS.get()
    policy_sides(resolved, policies)  # a bad policy is refused before any run
    given = draws if draws is not None else _DRAWS.get()
    draws = with_ensemble(resolved, given)
    if draws is not None:
        check_draws(resolved, draws)
    parts = _chunks(resolved, seed, plan, runs, executor, script, daily, report, policies, draws)
    try:
        columns = gather(parts, runs)
    finally:
        parts.close()  # on an exception: cancel the chunks not started
    narrator = partial(story, resolved, seed=seed, script=script, draws=given)
    parameters = draws.describe() if draws is not None else None
    return SimulationResult(
        resolved,
        runs,
        seed,
        merged,
        columns,
        script=script,
        narrator=narrator,
        parameters=parameters,
    )


def _chunks(
    scenario: Scenario,
    seed: int,
    plan: list[tuple[int, int]],
    runs: int,
    executor: Executor | None,
    script: Script | None,
    daily: bool,
    report: Progress | None,
    policies: Mapping[str, Policy] | None = None,
    draws: ParameterDraws | None = None,
) -> Generator[dict[str, np.ndarray], None, None]:
    """The chunks' columns in order, each reported done as it arrives. On an executor, a few
    chunks per worker are in flight at a time (all of them if the executor does not say how
    many workers it has), and closing the generator cancels those not started."""

    def done(first_block: int, n_blocks: int) -> None:
        if report is not None:
            report(min(n_blocks * BLOCK_RUNS, runs - first_block * BLOCK_RUNS))

    if executor is None:
        for b, n in plan:
            part = simulate_chunk(scenario, seed, b, n, script, daily, policies, draws)
            done(b, n)
            yield part
        return
    pool: Executor = executor
    preload_for_fork(pool)
    workers = getattr(pool, "_max_workers", None)
    window = 2 * int(workers) if workers else len(plan)
    todo = iter(plan)
    pending: deque[tuple[tuple[int, int], Future]] = deque()

    def submit() -> None:
        for b, n in todo:
            future = pool.submit(
                simulate_chunk, scenario, seed, b, n, script, daily, policies, draws
            )
            pending.append(((b, n), future))
            return

    try:
        for _ in range(max(1, window)):
            submit()
        while pending:
            (b, n), future = pending.popleft()
            part = future.result()
            done(b, n)
            submit()
            yield part
    finally:
        for _, future in pending:
            future.cancel()


def story(
    scenario: Scenario | str | Path,
    run: int = 0,
    seed: int = 0,
    overrides: Mapping[str, Any] | None = None,
    script: Script | None = None,
    draws: ParameterDraws | None = None,
) -> Story:
    """Simulate run `run` alone, traced, and return its narration.

    It is bit for bit row `run` of `simulate(scenario, runs, seed, overrides)` for any
    `runs > run`: every random number is keyed by its run (MODEL.md §13). A fork's conditioned
    replay resamples blocks of BLOCK_RUNS particles: the run's block is simulated with it.
    """
    resolved = resolve(scenario, overrides)
    first, runs = run, 1
    if setup_of(resolved, script).conditioned:  # run's particles: the block it was resampled in
        first, runs = run - run % BLOCK_RUNS, BLOCK_RUNS
    draws = with_ensemble(resolved, draws)
    if draws is not None:  # the run's parameters: its group's draw
        resolved = drawn_scenario(resolved, seed, run // group_runs(resolved, script), draws)[1]
    batch = simulate_runs(resolved, seed, first, runs, tracing=True, script=script)
    row = {k: v[run - first] for k, v in summarise(batch).items()}
    start = script.start if script is not None and script.start is not None else None
    fork_day = script.fork_day if script is not None else 0
    return Story(resolved, run, seed, records(batch, run - first), row, start, fork_day=fork_day)
