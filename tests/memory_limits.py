"""A bound on a test process's memory, so input that expands without limit fails the test
instead of exhausting the machine."""

from __future__ import annotations

import contextlib
import resource
from collections.abc import Iterator
from pathlib import Path


def _vm_size() -> int | None:
    try:
        status = Path("/proc/self/status").read_text()
    except OSError:
        return None
    for line in status.splitlines():
        if line.startswith("VmSize:"):
            return int(line.split()[1]) * 1024
    return None


@contextlib.contextmanager
def memory_headroom(extra: int = 2 * 2**30) -> Iterator[None]:
    """Limit this process's address space to what it uses now plus `extra` bytes while inside,
    so input that expands without bound fails (a MemoryError, exit 1) instead of exhausting the
    machine."""
    used = _vm_size()
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if used is None:
        yield
        return
    limit = used + extra if hard == resource.RLIM_INFINITY else min(used + extra, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))
