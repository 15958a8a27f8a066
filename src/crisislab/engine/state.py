"""Batched state, split by who may read it.

`World` is the truth: types, orders, true deaths, what is in transit through reporting and
channels, and the outcome bookkeeping. `View` is what one leadership perceives: its belief about
the adversary, and its table of perceived events (slots). Decision code receives a `View` and
the leadership's own private facts (its type and its orders), never the `World`.
Every array has the runs of the batch on its first axis.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

FIRST_EVENTS = ("lethal_proxy_attack", "proxy_strike", "state_strike")  # observable in event data
SLOTS = 8  # perceived hostile events an observer tracks at once (a ring buffer per run)
NEVER = np.iinfo(np.int32).max


def _zeros(runs: int, *shape: int, dtype=np.float64) -> np.ndarray:
    return np.zeros((runs, *shape), dtype=dtype)


@dataclass
class Slots:
    """Perceived events one observer is still assessing: attribution, reports, red lines."""

    runs: int
    red_lines: int
    active: np.ndarray = field(init=False)
    day: np.ndarray = field(init=False)
    group: np.ndarray = field(init=False)
    role: np.ndarray = field(init=False)
    target: np.ndarray = field(init=False)
    perceived_rung: np.ndarray = field(init=False)
    victim: np.ndarray = field(init=False)
    prior_odds: np.ndarray = field(init=False)
    evidence: np.ndarray = field(init=False)
    disavowed: np.ndarray = field(init=False)
    reported_deaths: np.ndarray = field(init=False)
    reported_injuries: np.ndarray = field(init=False)
    fired: np.ndarray = field(init=False)
    next: np.ndarray = field(init=False)

    def __post_init__(self) -> None:
        r = self.runs
        self.active = _zeros(r, SLOTS, dtype=bool)
        self.day = np.full((r, SLOTS), -NEVER, dtype=np.int32)
        self.group = np.full((r, SLOTS), -1, dtype=np.int16)
        self.role = _zeros(r, SLOTS, dtype=np.int8)
        self.target = _zeros(r, SLOTS, dtype=np.int8)
        self.perceived_rung = _zeros(r, SLOTS, dtype=np.int8)
        self.victim = np.full((r, SLOTS), -1, dtype=np.int16)
        self.prior_odds = _zeros(r, SLOTS)
        self.evidence = np.ones((r, SLOTS))
        self.disavowed = _zeros(r, SLOTS, dtype=bool)
        self.reported_deaths = _zeros(r, SLOTS, dtype=np.int32)
        self.reported_injuries = _zeros(r, SLOTS, dtype=np.int32)
        self.fired = _zeros(r, SLOTS, max(self.red_lines, 1), dtype=bool)
        self.next = _zeros(r, dtype=np.int16)

    def take(self, rows: np.ndarray) -> SlotRows:
        """Copies of the perceived fields of the listed runs (for work on open slots only)."""
        return SlotRows(
            rows=rows,
            active=self.active[rows],
            day=self.day[rows],
            group=self.group[rows],
            role=self.role[rows],
            target=self.target[rows],
            perceived_rung=self.perceived_rung[rows],
            victim=self.victim[rows],
            reported_deaths=self.reported_deaths[rows],
            reported_injuries=self.reported_injuries[rows],
        )

    def claim(self, rows: np.ndarray) -> np.ndarray:
        """Take the next slot of each listed run (overwriting the oldest), reset it, return it."""
        k = self.next[rows].astype(np.intp)
        self.next[rows] = (k + 1) % SLOTS
        self.active[rows, k] = True
        self.evidence[rows, k] = 1.0
        self.disavowed[rows, k] = False
        self.reported_deaths[rows, k] = 0
        self.reported_injuries[rows, k] = 0
        self.fired[rows, k] = False
        return k


@dataclass
class SlotRows:
    """The perceived fields of some runs' slots: what red lines and responses read."""

    rows: np.ndarray
    active: np.ndarray
    day: np.ndarray
    group: np.ndarray
    role: np.ndarray
    target: np.ndarray
    perceived_rung: np.ndarray
    victim: np.ndarray
    reported_deaths: np.ndarray
    reported_injuries: np.ndarray


@dataclass
class View:
    """What one leadership perceives. Decisions read only this and their own private facts."""

    runs: int
    red_lines: int
    belief: np.ndarray = field(init=False)
    slots: Slots = field(init=False)
    alert: np.ndarray = field(init=False)
    day_rung: np.ndarray = field(init=False)  # highest rung perceived today

    def __post_init__(self) -> None:
        self.belief = _zeros(self.runs)
        self.slots = Slots(self.runs, self.red_lines)
        self.alert = _zeros(self.runs)
        self.day_rung = _zeros(self.runs, dtype=np.int8)


@dataclass
class InTransit:
    """Facts on their way to an observer: casualty reports, attribution findings, C2 messages."""

    runs: int
    deaths: np.ndarray = field(init=False)
    injuries: np.ndarray = field(init=False)
    report_day: np.ndarray = field(init=False)
    finding: np.ndarray = field(init=False)
    finding_day: np.ndarray = field(init=False)
    c2_day: np.ndarray = field(init=False)
    ordered: np.ndarray = field(init=False)
    message_day: np.ndarray = field(init=False)

    def __post_init__(self) -> None:
        r = self.runs
        self.deaths = _zeros(r, SLOTS, dtype=np.int32)
        self.injuries = _zeros(r, SLOTS, dtype=np.int32)
        self.report_day = np.full((r, SLOTS), NEVER, dtype=np.int32)
        self.finding = np.ones((r, SLOTS))
        self.finding_day = np.full((r, SLOTS), NEVER, dtype=np.int32)
        self.c2_day = np.full((r, SLOTS), NEVER, dtype=np.int32)
        self.ordered = _zeros(r, SLOTS, dtype=bool)
        self.message_day = np.full(r, NEVER, dtype=np.int32)


@dataclass
class World:
    """The truth of every run, and the bookkeeping the outcome classes need."""

    runs: int
    sides: int
    groups: int
    nationalities: int
    limited: np.ndarray = field(init=False)
    campaign: np.ndarray = field(init=False)
    grievance: np.ndarray = field(init=False)
    commitment: np.ndarray = field(init=False)
    hostility: np.ndarray = field(init=False)
    rung_level: np.ndarray = field(init=False)
    pending: np.ndarray = field(init=False)
    pending_group: np.ndarray = field(init=False)
    transit: tuple[InTransit, InTransit] = field(init=False)

    def __post_init__(self) -> None:
        r = self.runs
        self.limited = _zeros(r, self.sides, dtype=bool)
        self.campaign = _zeros(r, self.sides, dtype=bool)
        self.grievance = _zeros(r, self.groups)
        self.commitment = _zeros(r, self.sides)
        self.hostility = _zeros(r)
        self.rung_level = _zeros(r)
        self.pending = _zeros(r, self.sides, dtype=np.int8)
        self.pending_group = np.full((r, self.sides), -1, dtype=np.int16)
        self.transit = (InTransit(r), InTransit(r))


@dataclass
class Ledger:
    """Per-run counters for outcomes and metrics (truth, kept apart from decisions)."""

    runs: int
    nationalities: int
    war: np.ndarray = field(init=False)
    war_day: np.ndarray = field(init=False)
    war_inadvertent: np.ndarray = field(init=False)
    chain_len: np.ndarray = field(init=False)
    chain_side: np.ndarray = field(init=False)
    chain_start: np.ndarray = field(init=False)
    top_rung_days: np.ndarray = field(init=False)
    battle_deaths: np.ndarray = field(init=False)
    last_lethal_day: np.ndarray = field(init=False)
    episode_unordered: np.ndarray = field(init=False)
    deaths: np.ndarray = field(init=False)
    injuries: np.ndarray = field(init=False)
    day_rung: np.ndarray = field(init=False)
    max_rung: np.ndarray = field(init=False)
    goldstein: np.ndarray = field(init=False)
    rivera: np.ndarray = field(init=False)
    misperceptions: np.ndarray = field(init=False)
    accidents: np.ndarray = field(init=False)
    group_attacks: np.ndarray = field(init=False)
    red_line_fired: np.ndarray = field(init=False)
    red_line_unenforced: np.ndarray = field(init=False)
    audience_cost: np.ndarray = field(init=False)
    orders: np.ndarray = field(init=False)
    proxy_strikes: np.ndarray = field(init=False)
    direct_exchanges: np.ndarray = field(init=False)
    window_direct: np.ndarray = field(init=False)
    window_attacks: np.ndarray = field(init=False)
    window_quiet_days: np.ndarray = field(init=False)
    window_attributed_deaths: np.ndarray = field(init=False)
    first_day: dict[str, np.ndarray] = field(init=False)

    def __post_init__(self) -> None:
        r = self.runs
        self.war = _zeros(r, dtype=bool)
        self.war_day = np.full(r, -1, dtype=np.int32)
        self.war_inadvertent = _zeros(r, dtype=bool)
        self.chain_len = _zeros(r, dtype=np.int16)
        self.chain_side = np.full(r, -1, dtype=np.int8)
        self.chain_start = np.full(r, -NEVER, dtype=np.int32)
        self.top_rung_days = _zeros(r, dtype=np.int16)
        self.battle_deaths = _zeros(r)
        self.last_lethal_day = np.full(r, -NEVER, dtype=np.int32)
        self.episode_unordered = _zeros(r, dtype=bool)
        self.deaths = _zeros(r, self.nationalities)
        self.injuries = _zeros(r, self.nationalities)
        self.day_rung = _zeros(r, dtype=np.int8)
        self.max_rung = _zeros(r, dtype=np.int8)
        self.goldstein = _zeros(r)
        self.rivera = _zeros(r)
        self.misperceptions = _zeros(r, dtype=np.int32)
        self.accidents = _zeros(r, dtype=np.int32)
        self.group_attacks = _zeros(r, dtype=np.int32)
        self.red_line_fired = _zeros(r, 2, dtype=np.int32)
        self.red_line_unenforced = _zeros(r, 2, dtype=np.int32)
        self.audience_cost = _zeros(r, 2)
        self.orders = _zeros(r, 2, dtype=np.int32)
        self.proxy_strikes = _zeros(r, dtype=np.int32)
        self.direct_exchanges = _zeros(r, dtype=np.int32)
        self.window_direct = _zeros(r, dtype=np.int32)
        self.window_attacks = _zeros(r, dtype=np.int32)
        self.window_quiet_days = _zeros(r, dtype=np.int32)
        self.window_attributed_deaths = _zeros(r, dtype=bool)
        self.first_day = {name: np.full(r, -1, dtype=np.int32) for name in FIRST_EVENTS}
