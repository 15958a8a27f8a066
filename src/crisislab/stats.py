"""Interval estimates for the proportions crisislab reports, and for paired differences."""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping
from typing import Any

import numpy as np
from numpy.typing import ArrayLike


def wilson_interval(
    successes: float, trials: float, confidence: float = 0.95
) -> tuple[float, float]:
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


def _rounded(x: float) -> float:
    return round(float(x), 6)


def _t_interval(test: Any, mean: float, constant: bool, confidence: float) -> list[float]:
    if constant:  # no spread at all: the difference is known exactly
        return [_rounded(mean), _rounded(mean)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        ci = test.confidence_interval(confidence_level=confidence)
    return [_rounded(ci.low), _rounded(ci.high)]


CLUSTERS = "parameter_draw"  # per-run indicators may carry which parameter draw each run had


def cluster_variance(values: ArrayLike, clusters: ArrayLike) -> tuple[float, int]:
    """The cluster-robust variance of mean(values), runs of one cluster summed together (with
    the small-sample factor m / (m − 1)), and the number of clusters m. Runs that drew the same
    parameters (a posterior's particle) share them and are not independent."""
    x = np.asarray(values, float)
    _, which = np.unique(np.asarray(clusters), return_inverse=True)
    sums = np.bincount(which, weights=x - x.mean())
    m = len(sums)
    return float(np.sum(sums**2)) / x.size**2 * (m / (m - 1) if m > 1 else 1.0), m


def effective_runs(outcome: ArrayLike, clusters: ArrayLike) -> float:
    """Runs as independent as the clustered sample: n / design effect (Kish), the design effect
    being the cluster-robust variance of the mean over the binomial one (at least 1)."""
    x = np.asarray(outcome, float)
    p = float(x.mean())
    if p in (0.0, 1.0):
        return float(x.size)
    robust, _ = cluster_variance(x, clusters)
    return x.size / max(1.0, robust / (p * (1 - p) / x.size))


def _cluster_interval(d: np.ndarray, clusters: ArrayLike, confidence: float) -> list[float] | None:
    """The t interval of mean(d) with the cluster-robust standard error."""
    from scipy import stats

    variance, m = cluster_variance(d, clusters)
    if m < 2:
        return None
    mean = float(d.mean())
    half = float(stats.t.ppf(0.5 + confidence / 2, m - 1)) * math.sqrt(variance)
    return [_rounded(mean - half), _rounded(mean + half)]


def paired_difference(
    values: ArrayLike,
    baseline: ArrayLike,
    confidence: float = 0.95,
    clusters: ArrayLike | None = None,
) -> dict[str, Any]:
    """The mean per-run difference `values - baseline`, with its paired and unpaired intervals.

    `values` and `baseline` are per-run values (0/1 indicators of an outcome or a flag, or any
    number) of two policies over the same runs, paired by run index: with the same seed and
    runs, run k under either policy shares every random number the policy does not touch. With
    d_k = values_k - baseline_k, returns a plain dict ``{"diff": mean(d), "ci": [lo, hi],
    "unpaired_ci": [lo, hi]}``: ``ci`` is the paired t interval (from sd(d) / sqrt(n),
    `scipy.stats.ttest_rel`), ``unpaired_ci`` Welch's interval for two independent samples
    (`scipy.stats.ttest_ind`), which ignores the pairing. Both are t intervals, so their ratio
    measures what pairing gains. With one run both intervals are None. Given `clusters` (which
    parameter draw each run had), ``ci`` uses the cluster-robust standard error instead.

    >>> paired_difference([1, 1, 0, 1], [1, 0, 0, 1])["diff"]
    0.25
    """
    from scipy import stats  # only here: scipy.stats is slow to import

    x = np.asarray(values, dtype=float)
    y = np.asarray(baseline, dtype=float)
    if x.ndim != 1 or x.shape != y.shape:
        raise ValueError(
            f"paired values need one value per run on both sides, got shapes {x.shape} and "
            f"{y.shape} (simulate both policies with the same runs and seed)"
        )
    if x.size == 0:
        raise ValueError("no runs to compare")
    d = x - y
    diff = float(d.mean())
    if x.size < 2:
        return {"diff": _rounded(diff), "ci": None, "unpaired_ci": None}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # constant samples: handled below
        paired = stats.ttest_rel(x, y)
        unpaired = stats.ttest_ind(x, y, equal_var=False)
    constant = bool(np.all(x == x[0]) and np.all(y == y[0]))
    ci: list[float] | None = _t_interval(paired, diff, bool(np.all(d == d[0])), confidence)
    if clusters is not None and not np.all(d == d[0]):
        ci = _cluster_interval(d, clusters, confidence)
    return {
        "diff": _rounded(diff),
        "ci": ci,
        "unpaired_ci": _t_interval(unpaired, diff, constant, confidence),
    }


def paired_differences(
    indicators: Mapping[str, Mapping[str, ArrayLike]], confidence: float = 0.95
) -> dict[str, dict[str, Any]]:
    """Each policy after the first against the first, measure by measure.

    `indicators` maps a policy label to its per-run values by measure name (for instance
    ``{"war": war_mask, "red_line_fired": fired_mask}``), all over the same runs; the first
    policy is the baseline. Returns, for each later policy, ``{"against": <first label>,
    <measure>: paired_difference(...), …}`` over the measures the baseline has. A measure named
    `CLUSTERS` is no measure: it says which parameter draw each run had (the same under every
    policy), and the intervals are then cluster-robust.
    """
    labels = list(indicators)
    if not labels:
        return {}
    first, baseline = labels[0], indicators[labels[0]]
    out: dict[str, dict[str, Any]] = {}
    for label in labels[1:]:
        values = indicators[label]
        entry: dict[str, Any] = {"against": first}
        clusters = baseline.get(CLUSTERS)
        for name, base in baseline.items():
            if name in values and name != CLUSTERS:
                entry[name] = paired_difference(values[name], base, confidence, clusters)
        out[label] = entry
    return out
