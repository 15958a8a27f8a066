"""Executors for studies, all behind `concurrent.futures.Executor`: the caller owns them.

`sequential` runs each chunk in the calling process, `process` on a local process pool, and `dask`
on a Dask cluster: a `LocalCluster` of N single-threaded worker processes, or the scheduler at an
address. Every worker gets the compiled day loop while the executor starts, not in its first chunk.
Results never depend on which one is used: each chunk is a pure function of its inputs.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from typing import Any, Literal

from crisislab.experiments.runner import warm_worker
from crisislab.scenario.loader import Problem, ScenarioError

ExecutorKind = Literal["sequential", "process", "dask"]
EXECUTORS: tuple[ExecutorKind, ...] = ("sequential", "process", "dask")


class SequentialExecutor(Executor):
    """Runs each task at once, in the calling process: no pickling, easy to debug and profile."""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future:
        future: Future = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as exc:  # handed to the caller through the future, as pools do
            future.set_exception(exc)
        return future


# The local cluster runs a few long, CPU-bound chunks on as many processes as there are cores, so
# Dask's fine-grained housekeeping only takes time from the simulation:
LOCAL_CLUSTER_CONFIG = {
    # the workers' statistical profiler samples every thread each 10 ms for a dashboard that this
    # cluster does not serve;
    "distributed.worker.profile.enabled": False,
    # glibc's dynamic mmap threshold stays on (Dask fixes a low trim threshold, which turns it off):
    # otherwise every chunk maps its arrays afresh and faults in each page, tripling page faults;
    "distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None,
    # the event loops wake less often: on two cores these wake-ups preempt a chunk ~150 times a
    # second; chunks are uniform, so there is nothing for work stealing to balance.
    "distributed.admin.tick.interval": "1s",
    "distributed.admin.system-monitor.interval": "5s",
    "distributed.worker.memory.monitor-interval": "1s",
    "distributed.scheduler.work-stealing": False,
}


def default_workers() -> int:
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1)


@contextlib.contextmanager
def open_executor(
    kind: ExecutorKind, workers: int | None = None, scheduler: str | None = None
) -> Iterator[tuple[Executor, int]]:
    """An executor of the given kind and the number of workers it offers; closed on exit."""
    if kind not in EXECUTORS:
        raise ScenarioError(
            [Problem("--executor", "", f"must be one of {', '.join(EXECUTORS)}, got {kind!r}")]
        )
    if workers is not None and workers < 1:
        raise ScenarioError([Problem("--workers", "", f"must be at least 1, got {workers}")])
    if scheduler is not None and kind != "dask":
        raise ScenarioError(
            [Problem("--scheduler", "", "only the dask executor takes a scheduler")]
        )
    if kind == "sequential":
        yield SequentialExecutor(), 1
    elif kind == "process":
        n = workers or default_workers()
        warm_worker()  # fork-started workers inherit the loaded day loop and part encoding
        with ProcessPoolExecutor(max_workers=n) as pool:
            yield pool, n
    else:
        with _dask_executor(workers, scheduler) as pair:
            yield pair


@contextlib.contextmanager
def _dask_executor(workers: int | None, scheduler: str | None) -> Iterator[tuple[Executor, int]]:
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise ScenarioError(
            [
                Problem(
                    "--executor", "", "dask needs the 'dask' extra: pip install 'crisislab[dask]'"
                )
            ]
        ) from None
    if scheduler is not None:
        try:
            client = Client(scheduler, timeout="10s")
        except OSError as exc:
            raise ScenarioError(
                [Problem("--scheduler", "", f"cannot reach the scheduler at {scheduler}: {exc}")]
            ) from None
        with client:
            n = workers or max(1, sum(client.nthreads().values()))
            client.run(warm_worker)
            yield client.get_executor(pure=False), n
        return
    import dask

    n = workers or default_workers()
    with (
        dask.config.set(LOCAL_CLUSTER_CONFIG),
        LocalCluster(
            n_workers=n, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        Client(cluster) as client,
    ):
        client.run(warm_worker)  # each worker loads the day loop once, while the cluster starts
        yield client.get_executor(pure=False), n
