"""Compare policies on one scenario: each policy's summary, and its paired differences against
the first policy over the same worlds (the same seed and runs).

A comparison is the smallest experiment: levers only, one future, every policy on the same runs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from concurrent.futures import Executor
from pathlib import Path
from typing import Any

import numpy as np

from crisislab.engine.constants import END_MODES
from crisislab.results import SimulationResult
from crisislab.results.result import VIOLENCE_LEVELS
from crisislab.scenario.outcomes import OUTCOMES
from crisislab.scenario.schema import Scenario
from crisislab.simulate import simulate
from crisislab.stats import CLUSTERS, paired_differences

# The flags of the summary whose paired differences `compare` reports, where the scenario has them
PAIRED_FLAGS = (
    "red_line_fired",
    "limited_reprisal_cycle",
    "host_expulsion",
    "follow_on_withdrawal",
    "breakout_crisis",
)


def run_indicators(result: SimulationResult) -> dict[str, np.ndarray]:
    """Per-run values of a result, by the names of its summary's keys: 0/1 for each outcome
    class, the key flags, the highest ICB violence level, the crisis's end, end mode and
    recurrence, the test of claim 1 and the kinds of war; a count for a `_mean`."""
    c = result.columns
    marks: dict[str, np.ndarray] = {name: c["outcome"] == i for i, name in enumerate(OUTCOMES)}
    marks.update({name: c[name] != 0 for name in PAIRED_FLAGS if name in c})
    for level, name in enumerate(VIOLENCE_LEVELS, start=1):
        marks[name] = c["violence"] == level
    marks["ended"] = c["crisis_end_day"] >= 0
    first = c["first_end_day"]
    marks["ended_within_90_days"] = (first >= 0) & (first < 90)
    for code, name in enumerate(END_MODES):
        if code:
            marks[name] = c["end_mode"] == code
    marks["recurred"] = c["recurrences"] > 0
    marks["recurrences_mean"] = c["recurrences"].astype(np.float64)
    for name in ("intended", "perceived", "both"):
        marks[name] = c[name] != 0
    for name in ("spiral", "deterrence_failure", "inadvertent"):
        marks[name] = c[f"war_{name}"] != 0
    marks["misperceptions_mean"] = c["misperceptions"].astype(np.float64)
    if CLUSTERS in c:  # runs that shared a posterior draw: intervals become cluster-robust
        marks[CLUSTERS] = c[CLUSTERS]
    return marks


def policy_label(setting: Mapping[str, Any]) -> str:
    """A short label for a policy's overrides: ``doctrine=restraint, kind=hotline``."""
    return ", ".join(f"{path.rsplit('.', 1)[-1]}={value}" for path, value in setting.items())


def compare(
    scenario: Scenario | str | Path,
    policies: Mapping[str, Mapping[str, Any]] | Sequence[Mapping[str, Any]],
    runs: int = 10_000,
    seed: int = 0,
    overrides: Mapping[str, Any] | None = None,
    *,
    days: int | None = None,
    executor: Executor | None = None,
) -> dict[str, Any]:
    """Simulate each policy over the same worlds and compare them with the first.

    `policies` maps a label to the overrides that make the policy (``{"restraint":
    {"actors.USA.doctrine": "restraint"}, …}``), or is a sequence of such overrides, labelled by
    `policy_label`. Every policy runs with the same `seed` and `runs` on the scenario with the
    base `overrides`, so run k is the same world under each policy and the policies' outcomes are
    paired by run.

    Returns a plain dict: ``scenario``, ``runs``, ``seed``, ``days``, ``overrides`` and
    ``results``, one entry per policy in order with its ``policy`` label, its ``levers`` (the
    policy's overrides) and the fields of ``simulate(...).summary()``; every entry after the first
    also has ``paired``: ``{"against": <first label>, <measure>: {"diff", "ci", "unpaired_ci"}}``
    for the outcome classes and key flags (see `crisislab.stats.paired_difference`).
    """
    if isinstance(policies, Mapping):
        settings = {str(label): dict(setting) for label, setting in policies.items()}
    else:
        settings = {policy_label(setting): dict(setting) for setting in policies}
        if len(settings) < len(policies):
            raise ValueError("two policies have the same overrides")
    if not settings:
        raise ValueError("no policies to compare")
    base = dict(overrides or {})
    results: list[dict[str, Any]] = []
    first: tuple[str, dict[str, np.ndarray]] | None = None
    for label, setting in settings.items():
        result = simulate(scenario, runs, seed, {**base, **setting}, days=days, executor=executor)
        entry: dict[str, Any] = {"policy": label, "levers": setting, **result.summary()}
        marks = run_indicators(result)
        del result  # only the indicators are needed from here on
        if first is None:
            first = (label, marks)  # the baseline's indicators are kept; the others' are not
        else:
            entry["paired"] = paired_differences({first[0]: first[1], label: marks})[label]
        results.append(entry)
    return {
        "scenario": results[0]["scenario"],
        "runs": runs,
        "seed": seed,
        "days": results[0]["days"],
        "overrides": base,
        "results": results,
    }
