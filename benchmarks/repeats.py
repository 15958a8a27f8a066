"""The fastest of repeated timings, as every benchmark here reports them.

Other work on a shared machine can only slow a measurement down, so the fastest of a few tries is
the steadiest figure (as `timeit` reports); every try's time is kept beside it.
"""

from __future__ import annotations

from typing import Any


def fastest(tries: list[dict[str, Any]], key: str = "wall_seconds") -> dict[str, Any]:
    """The try with the smallest `key`, with `repeats` and every try's `key` as `<key>_all`."""
    best = dict(min(tries, key=lambda row: row[key]))
    best["repeats"] = len(tries)
    best[f"{key}_all"] = [row[key] for row in tries]
    return best
