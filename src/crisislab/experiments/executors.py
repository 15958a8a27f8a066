"""Executors for studies, all behind `concurrent.futures.Executor`: the caller owns them.

`sequential` runs each chunk in the calling process, `process` on a local process pool, and `dask`
on a Dask cluster: a `LocalCluster` of N single-threaded worker processes, or the scheduler at an
address. Every worker gets the compiled day loop while the executor starts, not in its first chunk.
Results never depend on which one is used: each chunk is a pure function of its inputs.

The worker processes crisislab starts (the pool's, the local cluster's) leave Ctrl-C to the
calling process, which stops the study once and says so, and exit when the calling process dies
however it dies (SIGKILL included): see `die_with_parent`. A cluster named by its scheduler address
keeps its own workers' lifecycle.
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from typing import Any, Literal

from crisislab.errors import Problem, StudyError
from crisislab.experiments.runner import warm_worker

ExecutorKind = Literal["sequential", "process", "dask"]
EXECUTORS: tuple[ExecutorKind, ...] = ("sequential", "process", "dask")


class SequentialExecutor(Executor):
    """Runs each task at once, in the calling process: no pickling, easy to debug and profile."""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future:
        future: Future = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except KeyboardInterrupt:  # Ctrl-C stops the caller now, not after the next task
            raise
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


PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>
PARENT_CHECK_SECONDS = 1.0


def die_with_parent(parent: int | None = None) -> None:
    """Make this (worker) process exit when its parent process dies, even by SIGKILL.

    On Linux the kernel itself kills the worker the moment its parent dies
    (``prctl(PR_SET_PDEATHSIG, SIGKILL)``), even in the middle of a chunk in compiled code.
    Everywhere, and as a backstop, a daemon thread checks once a second whether the process has
    been handed to another parent (POSIX re-parents orphans), which takes effect between two
    blocks of a chunk. `parent` is the pid of the process that created the executor: if it is
    already gone when the worker starts, the worker exits at once. (Linux counts the death of
    the *thread* that started the worker as the parent's: a pool is to be used by the thread
    that first submits to it, as `open_executor` and `Study.run` do.)
    """
    watched = os.getppid()
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != watched or (parent is not None and not _alive(parent)):
        os._exit(1)  # the parent died before the watch was set up

    def watch() -> None:
        while True:
            time.sleep(PARENT_CHECK_SECONDS)
            if os.getppid() != watched:
                os._exit(1)

    threading.Thread(target=watch, name="crisislab-parent-watch", daemon=True).start()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # exists, owned by someone else
        return True
    return True


def local_worker_started(parent: int | None = None) -> None:
    """The start of every worker process crisislab owns: Ctrl-C is the calling process's to
    handle (one message there instead of a traceback per worker), and the worker dies with it."""
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    die_with_parent(parent)


@contextlib.contextmanager
def _process_pool(n: int) -> Iterator[tuple[Executor, int]]:
    """A process pool whose workers die with this process; on an interruption (Ctrl-C, an error)
    the chunks not started are cancelled and the running ones stopped at once, not awaited."""
    warm_worker()  # fork-started workers inherit the loaded day loop and part encoding
    pool = ProcessPoolExecutor(
        max_workers=n, initializer=local_worker_started, initargs=(os.getpid(),)
    )
    try:
        yield pool, n
    except BaseException:
        _stop_pool(pool)
        raise
    pool.shutdown(wait=True)


def _stop_pool(pool: ProcessPoolExecutor) -> None:
    """Cancel what waits and end the workers now: a running chunk's result would be thrown away."""
    processes = list((getattr(pool, "_processes", None) or {}).values())  # no public list < 3.14
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        with contextlib.suppress(Exception):
            process.terminate()
    for process in processes:
        with contextlib.suppress(Exception):
            process.join(timeout=5)
    # and wait for the pool's manager thread to see it: left running, it can close its wakeup
    # pipe while the interpreter's exit handler writes to it ("Bad file descriptor")
    manager = getattr(pool, "_executor_manager_thread", None)  # no public handle
    if manager is not None:
        manager.join(timeout=5)


def _quiet_worker() -> None:
    """Silence a stopping cluster's worker: cancelled chunks are expected, not news."""
    logging.getLogger("distributed").setLevel(logging.CRITICAL)


def default_workers() -> int:
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1)


@contextlib.contextmanager
def open_executor(
    kind: ExecutorKind, workers: int | None = None, scheduler: str | None = None
) -> Iterator[tuple[Executor, int]]:
    """An executor of the given kind and the number of workers it offers; closed on exit."""
    if kind not in EXECUTORS:
        raise StudyError(
            [Problem("--executor", "", f"must be one of {', '.join(EXECUTORS)}, got {kind!r}")]
        )
    if workers is not None and workers < 1:
        raise StudyError([Problem("--workers", "", f"must be at least 1, got {workers}")])
    if scheduler is not None and kind != "dask":
        raise StudyError([Problem("--scheduler", "", "only the dask executor takes a scheduler")])
    if kind == "sequential":
        yield SequentialExecutor(), 1
    elif kind == "process":
        with _process_pool(workers or default_workers()) as pair:
            yield pair
    else:
        with _dask_executor(workers, scheduler) as pair:
            yield pair


def _check_scheduler_address(address: str) -> None:
    """Refuse an address that cannot name a Dask scheduler (`tcp://host:port` and the like)
    before connecting to it."""
    from distributed.comm import parse_address

    problem = None
    try:
        scheme, location = parse_address(address, strict=True)
    except (ValueError, TypeError) as exc:
        problem = str(exc)
    else:
        host, _, port = location.rpartition(":")
        if scheme in ("tcp", "tls") and not (host and port.isdigit() and 0 < int(port) < 65536):
            problem = "expected scheme://host:port with a port in 1..65535"
    if problem is not None:
        raise StudyError(
            [Problem("--scheduler", "", f"not a scheduler address: {address!r} ({problem})")]
        )


SCHEDULER_TIMEOUT_SECONDS = 15.0


def _connect(client_class: Any, address: str) -> Any:
    """A Dask client of the scheduler at `address`, or TimeoutError when nothing that speaks
    Dask's protocol answers within SCHEDULER_TIMEOUT_SECONDS: a server of another kind can
    accept the connection and then say nothing, and Dask's own timeout covers only the connect.
    The attempt runs in a daemon thread, so a hung one does not keep the process alive."""
    outcome: dict[str, Any] = {}

    def attempt() -> None:
        try:
            outcome["client"] = client_class(address, timeout=f"{SCHEDULER_TIMEOUT_SECONDS}s")
        except BaseException as exc:  # handed to the caller's thread below
            outcome["error"] = exc

    thread = threading.Thread(target=attempt, name="crisislab-dask-connect", daemon=True)
    thread.start()
    thread.join(SCHEDULER_TIMEOUT_SECONDS + 5.0)
    if "client" in outcome:
        return outcome["client"]
    if "error" in outcome:
        raise outcome["error"]
    raise TimeoutError(f"no answer in the Dask protocol within {SCHEDULER_TIMEOUT_SECONDS:.0f} s")


@contextlib.contextmanager
def _dask_executor(workers: int | None, scheduler: str | None) -> Iterator[tuple[Executor, int]]:
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise StudyError(
            [
                Problem(
                    "--executor", "", "dask needs the 'dask' extra: pip install 'crisislab[dask]'"
                )
            ]
        ) from None
    if scheduler is not None:
        _check_scheduler_address(scheduler)
        try:
            client = _connect(Client, scheduler)
        except (OSError, ValueError, TypeError, MemoryError) as exc:
            # a server that is not a Dask scheduler can answer with bytes that Dask reads as a
            # message length of exabytes (MemoryError): any failure here is the address's
            reason = f"{type(exc).__name__}: {str(exc)[:200]}"
            raise StudyError(
                [Problem("--scheduler", "", f"cannot reach a scheduler at {scheduler}: {reason}")]
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
        client.run(local_worker_started, os.getpid())  # on the worker's main thread
        try:
            yield client.get_executor(pure=False), n
        except BaseException:
            _quiet_cluster(client)
            raise


def _quiet_cluster(client: Any) -> None:
    """Before an interrupted local cluster closes: its logs of cancelled chunks say nothing the
    one message of the interruption does not."""
    _quiet_worker()
    with contextlib.suppress(Exception):
        client.run(_quiet_worker, wait=True)
