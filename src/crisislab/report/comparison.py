"""The data of a doctrine comparison: summaries, daily trajectories and narrated runs per policy,
and the analysis's claims measured on the same scenario.

Gathered once, then drawn and written by `crisislab.report.pages`; kept apart from both so the
demo can fill it with numbers it has already computed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from crisislab.experiments.claims import claims as measure_claims
from crisislab.report.paired import against_first, indicators
from crisislab.report.trajectories import Trajectories, trajectories
from crisislab.results import SimulationResult
from crisislab.scenario.outcomes import OUTCOMES
from crisislab.scenario.schema import Scenario
from crisislab.simulate import resolve, simulate, story


@dataclass(frozen=True)
class NarratedRun:
    """One run told day by day: the first run of its outcome class under one policy."""

    outcome: str
    run: int
    lines: list[str]


@dataclass
class Comparison:
    """Everything a comparison report shows; `summaries` and `fronts` may come from larger
    ensembles than `trajectories` (each section says how many runs it rests on). `claims` is what
    `crisislab.experiments.claims.claims` returns on the scenario, or None when not measured."""

    scenario: Scenario  # resolved with the base overrides (not the lever)
    lever: str  # the dotted path that differs between policies, e.g. actors.USA.doctrine
    seed: int
    overrides: dict[str, Any]
    # policy -> `run --json` summary; every policy after the first may carry `paired`, its paired
    # differences against the first over the same runs (`crisislab.report.paired`)
    summaries: dict[str, dict[str, Any]]
    trajectories: dict[str, Trajectories]
    story_policy: str
    stories: list[NarratedRun]
    fronts: dict[str, dict[str, Any]] = field(default_factory=dict)  # default: summaries
    mark: str | None = None  # a policy to mark as recommended
    claims: dict[str, Any] | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def policies(self) -> list[str]:
        return list(self.summaries)

    @property
    def front_summaries(self) -> dict[str, dict[str, Any]]:
        return self.fronts or self.summaries


def doctrine_lever(scenario: Scenario) -> str:
    """The override path of the defender's doctrine, the lever a doctrine comparison moves."""
    return f"actors.{scenario.dyad.defender}.doctrine"


def _story_lines(scenario: Scenario, run: int, seed: int) -> list[str]:
    return story(scenario, run, seed).lines()


def narrate_first_runs(result: SimulationResult, executor: Executor | None) -> list[NarratedRun]:
    """The first run of each outcome class that occurs, narrated (in parallel when possible)."""
    outcome = result.runs["outcome"]
    firsts = [
        (name, int(outcome.index[outcome == name][0])) for name in OUTCOMES if name in set(outcome)
    ]
    if executor is None:
        texts = [_story_lines(result.scenario, k, result.seed) for _, k in firsts]
    else:
        futures = [
            executor.submit(_story_lines, result.scenario, k, result.seed) for _, k in firsts
        ]
        texts = [f.result() for f in futures]
    return [NarratedRun(name, k, lines) for (name, k), lines in zip(firsts, texts, strict=True)]


def compare_doctrines(
    scenario: Scenario | str | Path,
    doctrines: Sequence[str],
    *,
    runs: int,
    seed: int,
    overrides: Mapping[str, Any] | None = None,
    days: int | None = None,
    executor: Executor | None = None,
    claims_runs: int | None = None,
) -> Comparison:
    """Simulate each doctrine of the scenario's defender with daily trajectories, and narrate
    the first run of each outcome class under the first doctrine; every doctrine after the first
    gets its paired differences against the first over the same runs (``paired`` in its summary).
    With `claims_runs`, also measure the analysis's claims on the scenario, that many runs per
    setting with the same seed, overrides and horizon (without, `claims` is left None for the
    caller to fill)."""
    base = dict(overrides or {})
    if days is not None:
        base["days"] = days
    resolved = resolve(scenario, base)
    lever = doctrine_lever(resolved)
    summaries: dict[str, dict[str, Any]] = {}
    trajs: dict[str, Trajectories] = {}
    stories: list[NarratedRun] = []
    first: tuple[str, dict[str, np.ndarray]] | None = None
    for doctrine in doctrines:
        result = simulate(resolved, runs, seed, {lever: doctrine}, executor=executor, daily=True)
        summaries[doctrine] = result.summary()
        trajs[doctrine] = trajectories(result)
        marks = indicators(result)
        if first is None:
            first = (doctrine, marks)  # the baseline's per-run values are kept, no others
            stories = narrate_first_runs(result, executor)
        else:
            summaries[doctrine]["paired"] = against_first(first, doctrine, marks)
        del result  # the daily arrays are large; keep only what the report draws
    found = None
    if claims_runs is not None:
        found = measure_claims(scenario, claims_runs, seed, overrides, days=days, executor=executor)
    return Comparison(
        scenario=resolved,
        lever=lever,
        seed=seed,
        overrides=base,
        summaries=summaries,
        trajectories=trajs,
        story_policy=doctrines[0],
        stories=stories,
        claims=found,
    )
