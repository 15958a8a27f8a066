"""Observed events injected into the engine: the replay of a real timeline and the fork from it.

A `Script` says what happened on each day before the fork (replayed: perceived, attributed and
believed, with no act simulated; the runs are weighed by the record and resampled, MODEL.md §14)
and on the fork day itself (injected, then the simulation decides). The engine knows nothing of
files or importers: the history package turns records into scripted events.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from crisislab.engine.compiled import Action


@dataclass(frozen=True)
class ScriptedEvent:
    """One observed act, already mapped onto the scenario's sides, groups and catalogue."""

    side: int
    group: int
    action: Action
    label: str
    ordered: bool | None = None
    warned: bool = False
    deaths: int = 0
    victim: int | None = None
    struck_group: int | None = None
    kind: str = "act"  # "act", "rhetoric" or "message"


@dataclass(frozen=True)
class Script:
    """Events by day index (0 = the timeline's first day); `fork_day` days are replayed first."""

    fork_day: int
    events: dict[int, list[ScriptedEvent]] = field(default_factory=dict)
    start: dt.date | None = None  # the calendar date of day 0

    def on(self, day: int) -> list[ScriptedEvent]:
        return self.events.get(day, [])
