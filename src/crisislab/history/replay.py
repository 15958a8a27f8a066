"""Replay a real timeline through the perception, attribution, belief and red-line machinery.

No decision is simulated: each observed act is injected on its day, the same in every run of an
ensemble, and each side perceives it through the scenario's channel noise, attributes it, updates
its belief and checks its red lines. What nobody observed (the hidden resolve, whether a proxy acted
on orders, the perception noise) is drawn per run, so the replay reports ensemble means.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from crisislab.engine.batch import Batch
from crisislab.engine.compiled import compile_scenario
from crisislab.engine.params import Setup
from crisislab.errors import BadInput, Problem, TimelineError
from crisislab.history.mapping import MappedTimeline, map_timeline
from crisislab.history.timeline import Timeline, load_timeline
from crisislab.scenario.schema import Scenario
from crisislab.simulate import resolve

MAX_REPLAY_RUNS = 100_000


@dataclass
class Replay:
    """Per-day replay of a timeline on a scenario."""

    timeline: Timeline
    scenario: Scenario
    runs: int
    seed: int
    mapped: MappedTimeline
    days: list[dict[str, Any]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "timeline": self.timeline.name,
            "scenario": self.scenario.name,
            "runs": self.runs,
            "seed": self.seed,
            "start": self.mapped.start.isoformat(),
            "end": self.mapped.end.isoformat(),
            "not_replayed": [str(p) for p in self.mapped.problems],
            "mapping": {
                "rows": self.mapped.rows,
                "replayed": self.mapped.replayed,
                "not_replayed_by_reason": dict(self.mapped.not_replayed),
                "outside_dyad": self.mapped.outside_dyad,
                "outside_dyad_replayed": self.mapped.outside_dyad_replayed,
                "notes": [str(p) for p in self.mapped.notes],
            },
            "days": self.days,
        }


def prepare(
    timeline: str | Path | Timeline,
    scenario: Scenario | str | Path | None,
    overrides: Mapping[str, Any] | None,
) -> tuple[Timeline, Scenario, MappedTimeline]:
    """Load a timeline and its scenario (the timeline's own by default) and map one onto the
    other."""
    tl = timeline if isinstance(timeline, Timeline) else load_timeline(timeline)
    if scenario is None:
        if tl.scenario is None:
            raise TimelineError(
                [
                    Problem(
                        tl.name,
                        "scenario",
                        "the timeline names no scenario; give one with --scenario",
                    )
                ]
            )
        scenario = tl.scenario
    resolved = resolve(scenario, overrides)
    aliases = dict(tl.actor_aliases)
    mapped = map_timeline(tl.events, compile_scenario(resolved), aliases, tl.name)
    return tl, resolved, mapped


def replay(
    timeline: str | Path | Timeline,
    scenario: Scenario | str | Path | None = None,
    *,
    runs: int = 1024,
    seed: int = 0,
    overrides: Mapping[str, Any] | None = None,
) -> Replay:
    """Replay every day of the timeline; see the module docstring."""
    if not 1 <= runs <= MAX_REPLAY_RUNS:
        raise BadInput([Problem("--runs", "runs", f"must lie in 1..{MAX_REPLAY_RUNS}")])
    tl, resolved, mapped = prepare(timeline, scenario, overrides)
    script = mapped.script(None)
    setup = Setup(compile_scenario(resolved), script.fork_day, 0, script, daily=True)
    batch = Batch(setup, seed, 0, runs).run()
    out = Replay(tl, resolved, runs, seed, mapped)
    out.days = [day_record(batch, mapped, t) for t in range(script.fork_day)]
    return out


def day_record(batch: Batch, mapped: MappedTimeline, t: int) -> dict[str, Any]:
    """What each side perceived and believed at the end of day t (means over the runs)."""
    records = mapped.records_by_day.get(t, [])
    sides = {}
    perceived, belief = batch.daily("perceived_rung"), batch.daily("belief")
    awaiting, fired = batch.daily("pending_attributions"), batch.daily("red_lines")
    for i, side in enumerate(batch.setup.c.sides):
        sides[side.id] = {
            "perceived_rung": round(float(np.mean(perceived[:, i, t])), 4),
            "belief": round(float(np.mean(belief[:, i, t], dtype=np.float64)), 4),
            "pending_attributions": round(float(np.mean(awaiting[:, i, t])), 4),
            "red_line_fired": round(float(np.mean(fired[:, i, t] > 0)), 4),
        }
    return {
        "date": (mapped.start + dt.timedelta(days=t)).isoformat(),
        "events": len(records),
        "goldstein": round(sum(r.goldstein for r in records), 3),
        "rivera": mapped.rivera_by_day.get(t, 0.0),
        "sides": sides,
    }
