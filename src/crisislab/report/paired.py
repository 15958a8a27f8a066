"""Paired differences between policies over the same runs, for the report and the dashboard.

Every policy of a comparison runs with the same seed and runs, so run k is the same world under
each policy (common random numbers, MODEL.md §13): the difference between two policies is read
run by run, and its interval is the paired t interval (`crisislab.stats.paired_difference`).

`indicators(result)` gives the per-run values whose differences are shown: the outcome classes
and key flags (`crisislab.experiments.comparison.run_indicators`, what `crisislab compare`
pairs), then the highest ICB violence level, the crisis's end, end mode and recurrence, the test
of claim 1, the kinds of war and misperceptions. Their names are the keys of the summary
(`SimulationResult.summary()`), so a table can look a measure up in a summary and in its
``paired`` entry alike.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from crisislab.engine.constants import END_MODES
from crisislab.experiments.comparison import run_indicators
from crisislab.results import SimulationResult
from crisislab.stats import paired_differences

ENDED_WITHIN_DAYS = 90  # as the summary's `ended_within_90_days`
END_MODE_NAMES = tuple(mode for mode in END_MODES if mode != "none")

# measure -> how a table heads it (the outcome classes keep the outcome table's own headers)
LABELS = {
    "stable_deescalation": "stable de-escalation",
    "frozen_conflict": "frozen conflict",
    "war": "war",
    "no_violence": "no violence",
    "minor_clashes": "minor clashes",
    "serious_clashes": "serious clashes",
    "full_scale_war": "full-scale war",
    "ended": "crisis ended",
    "ended_within_90_days": f"first crisis ended within {ENDED_WITHIN_DAYS} days",
    "tacit": "ended tacitly",
    "agreement": "ended by agreement",
    "imposed": "ended imposed (ceasefire)",
    "recurred": "recurred",
    "recurrences_mean": "recurrences per run",
    "intended": "intended",
    "perceived": "perceived",
    "both": "both",
    "red_line_fired": "red line fired",
    "limited_reprisal_cycle": "limited reprisal cycle",
    "misperceptions_mean": "misperceptions per run",
    "spiral": "spiral war",
    "deterrence_failure": "deterrence-failure war",
    "inadvertent": "inadvertent war",
    "host_expulsion": "host expulsion",
    "follow_on_withdrawal": "follow-on withdrawal",
    "breakout_crisis": "breakout crisis",
}


def indicators(result: SimulationResult) -> dict[str, np.ndarray]:
    """Per-run values of a result (0/1 for a share, a count for a `_mean`), by measure name:
    those `crisislab compare` pairs (experiments.comparison.run_indicators)."""
    return run_indicators(result)


def against_first(
    first: tuple[str, Mapping[str, np.ndarray]], label: str, marks: Mapping[str, np.ndarray]
) -> dict[str, Any]:
    """`label`'s paired differences against the first policy: ``{"against": <first label>,
    <measure>: {"diff", "ci", "unpaired_ci"}, …}``, as `crisislab compare` gives them."""
    return paired_differences({first[0]: first[1], label: marks})[label]
