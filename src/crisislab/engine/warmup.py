"""`crisislab.engine.warmup.main()`: compile the engine's day loop, or load it from numba's
cache, before anything runs in parallel (the Makefile's set-up runs it once per environment)."""

from __future__ import annotations

import time


def warm_up() -> float:
    """Compile the day loop for its one signature, or load it from numba's cache, without
    running it; the seconds it took. A fork-based process pool started afterwards inherits the
    loaded kernel."""
    start = time.perf_counter()
    from crisislab.engine.kernel import RUN_BLOCK, run_block

    if not run_block.signatures:  # numba lists what it has compiled or loaded
        run_block.compile(RUN_BLOCK.args)
    return time.perf_counter() - start


def main() -> None:
    print(f"crisislab: the day loop is compiled and cached ({warm_up():.1f} s)")


if __name__ == "__main__":
    main()
