"""Interval estimates for the proportions crisislab reports."""

from __future__ import annotations

import math


def wilson_interval(successes: int, trials: int, confidence: float = 0.95) -> tuple[float, float]:
    """Wilson score interval for a binomial proportion (Wilson 1927).

    Well-behaved near 0 and 1, where the normal approximation fails: with 0 of 10 it gives
    (0, 0.278) rather than (0, 0).
    """
    if trials <= 0:
        raise ValueError("trials must be positive")
    if not 0 <= successes <= trials:
        raise ValueError("successes must lie between 0 and trials")
    z = _z(confidence)
    p = successes / trials
    denom = 1.0 + z * z / trials
    centre = (p + z * z / (2 * trials)) / denom
    half = z * math.sqrt(p * (1 - p) / trials + z * z / (4 * trials * trials)) / denom
    # the interval always contains p; clamping also absorbs rounding (0 of 5 gave 2.8e-17 > 0)
    return max(0.0, min(p, centre - half)), min(1.0, max(p, centre + half))


def _z(confidence: float) -> float:
    """Two-sided normal quantile, by bisection on erf (no scipy needed for one number)."""
    if not 0.0 < confidence < 1.0:
        raise ValueError("confidence must lie in (0, 1)")
    target = confidence
    lo, hi = 0.0, 10.0
    for _ in range(100):
        mid = (lo + hi) / 2
        if math.erf(mid / math.sqrt(2)) < target:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2
