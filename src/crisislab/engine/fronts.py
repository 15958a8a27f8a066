"""Strategic fronts (MODEL.md §10): host-nation expulsion, maritime attacks, nuclear breakout.

Each front is a stock per run, coupled to the crisis both ways: strikes and deaths on the host's
soil raise expulsion pressure and a withdrawal removes targets and deterrence; maritime incidents
are crisis events the defender perceives and answers; a quiet dyad opens a dialogue that restores
breakout time, and a breakout crisis can open a preventive strike.
"""

from __future__ import annotations

import weakref
from typing import TYPE_CHECKING

import numpy as np

from crisislab.engine import decisions
from crisislab.engine.compiled import DEFENDER, TARGETS, decay_factor

if TYPE_CHECKING:
    from crisislab.engine.compiled import Action
    from crisislab.engine.step import Engine

NOT_YET = -1
KINETIC_RUNG = 7
DIRECT_RUNG = 9


class FrontState:
    """Per-run stocks and event days of the three fronts."""

    def __init__(self, engine: Engine) -> None:
        c, runs = engine.c, engine.runs
        f = c.scenario.fronts
        # a weak reference: a strong one would make a cycle that keeps a finished chunk's
        # arrays alive until the next cyclic garbage collection (workers grew chunk by chunk)
        self.engine = weakref.proxy(engine)
        self.host = f.host
        self.maritime = f.maritime
        self.nuclear = f.nuclear
        self.host_on = f.host.actor is not None
        self.host_nat = (
            c.nationalities.index(c.scenario.actors[f.host.actor].nationality)
            if f.host.actor is not None
            else -1
        )
        self.soil = tuple(TARGETS.index(t) for t in f.host.soil_targets)
        groups = [g.id for g in c.groups]
        self.sea_group = groups.index(f.maritime.actor) if f.maritime.actor in groups else None
        self.sea_action: Action | None = (
            engine.action(f.maritime.action) if self.sea_group is not None else None
        )
        partners = [a.nationality for a in c.scenario.actors.values() if a.role == "coalition"]
        self.sea_victim = c.nationalities.index(partners[0]) if partners else None
        plan = engine.plan
        self.rows = {name: plan.uniforms(1) for name in ("maritime", "dialogue", "collapse")}
        self.decay = decay_factor(f.host.half_life_days)
        self.pressure = np.full(runs, f.host.initial_pressure if self.host_on else 0.0)
        self.days_above = np.zeros(runs, np.int32)
        self.expulsion_day = np.full(runs, NOT_YET, np.int32)
        self.withdrawal_day = np.full(runs, NOT_YET, np.int32)
        self.follow_on_due = np.full(runs, np.iinfo(np.int32).max, np.int32)
        self.follow_on_day = np.full(runs, NOT_YET, np.int32)
        self.soil_today = np.zeros(runs)
        self.host_deaths_today = np.zeros(runs)
        self.lethal_today = np.zeros(runs, bool)
        self.incidents = np.zeros(runs, np.int32)
        self.breakout = np.full(runs, f.nuclear.breakout_months)
        self.dialogue = np.full(runs, f.nuclear.dialogue and f.nuclear.enabled)
        self.crisis_day = np.full(runs, NOT_YET, np.int32)
        self.quiet_streak = np.zeros(runs, np.int32)

    # --- couplings into the crisis ------------------------------------------------------------

    def target_presence(self) -> np.ndarray | float:
        """Share of the defender's targets left in theatre (scales group attack hazards)."""
        if not self.host_on:
            return 1.0
        return np.where(self.withdrawal_day >= 0, self.host.presence_after_withdrawal, 1.0)

    def deterrence_factor(self) -> np.ndarray | float:
        """Campaigns start more often once the defender has withdrawn."""
        if not self.host_on:
            return 1.0
        return np.where(self.withdrawal_day >= 0, 1.0 + self.host.deterrence_loss, 1.0)

    def on_event(
        self, idx: np.ndarray, action: Action, rung: np.ndarray, deaths: np.ndarray, victim: int
    ) -> None:
        """Every executed event: count strikes on the host's soil and its citizens' deaths."""
        self.lethal_today[idx[deaths > 0]] = True
        if not self.host_on:
            return
        if action.hits in self.soil:
            self.soil_today[idx] += rung >= KINETIC_RUNG
        if victim == self.host_nat:
            self.host_deaths_today[idx] += deaths

    # --- daily dynamics -----------------------------------------------------------------------

    def maritime_incidents(self, t: int, u: np.ndarray, alive: np.ndarray) -> None:
        """h = h0 (1 + beta hostility) (1 - d posture), times the order multiplier in a campaign."""
        if self.sea_group is None or self.sea_action is None:
            return
        e, m = self.engine, self.maritime
        g = e.c.groups[self.sea_group]
        ordered = e.world.campaign[:, g.side]
        rate = (
            m.base_hazard
            * (1.0 + m.hostility_sensitivity * e.world.hostility)
            * (1.0 - m.deterrence_effect * m.posture)
            * np.where(ordered, e.c.scenario.hazards.ordered_multiplier, 1.0)
        )
        hit = alive & (u[self.rows["maritime"].start] < rate)
        self.incidents += hit
        e.emit(
            t,
            hit,
            g.side,
            self.sea_group,
            self.sea_action,
            ordered=ordered,
            victim=self.sea_victim,
            kind="maritime incident",
            front_event=True,
        )

    def step(self, t: int, u: np.ndarray, alive: np.ndarray) -> None:
        if self.host_on:
            self._host(t, u, alive)
        if self.nuclear.enabled:
            self._nuclear(t, u, alive)
        self.soil_today[:] = 0.0
        self.host_deaths_today[:] = 0.0
        self.lethal_today[:] = False

    def _host(self, t: int, u: np.ndarray, alive: np.ndarray) -> None:
        """E' = E decay + a strikes + b deaths + s sanctions - d diplomacy; order after D days."""
        h, trace = self.host, self.engine.trace
        self.pressure = np.maximum(
            0.0,
            self.pressure * self.decay
            + h.per_strike * self.soil_today
            + h.per_host_death * self.host_deaths_today
            + h.sanctions_effect * h.sanctions_threat
            - h.diplomacy_effect * h.diplomacy,
        )
        above = alive & (self.pressure >= h.threshold)
        self.days_above = np.where(above, self.days_above + 1, 0).astype(np.int32)
        order = (self.expulsion_day < 0) & (self.days_above >= h.days_above)
        self.expulsion_day[order] = t
        leave = (
            (self.expulsion_day >= 0)
            & (self.withdrawal_day < 0)
            & (t - self.expulsion_day >= h.withdrawal_lag_days)
        )
        self.withdrawal_day[leave] = t
        follows = np.zeros_like(leave)
        left = np.flatnonzero(leave)
        follows[left] = self.engine.draw(left, 1)[0] < h.follow_on_probability
        self.follow_on_due[follows] = t + h.follow_on_lag_days
        onward = (self.follow_on_day < 0) & (self.follow_on_due <= t)
        self.follow_on_day[onward] = t
        if trace:
            trace.front(
                t,
                order,
                f"the host orders the defender's forces out (pressure "
                f"{self.pressure[trace.k]:.2f} above {h.threshold})",
            )
            trace.front(t, leave, "the defender's forces withdraw from the host nation")
            trace.front(t, onward, "follow-on withdrawal from the neighbouring theatre")

    def _nuclear(self, t: int, u: np.ndarray, alive: np.ndarray) -> None:
        """Breakout time falls a step per period without dialogue, recovers with one."""
        n, e = self.nuclear, self.engine
        trace = e.trace
        quiet = ~self.lethal_today & (e.ledger.day_rung <= e.c.scenario.outcomes.stable_rung)
        self.quiet_streak = np.where(quiet, self.quiet_streak + 1, 0).astype(np.int32)
        opportunity = self.quiet_streak >= n.quiet_days_for_opportunity
        p_start = n.dialogue_start_daily + opportunity * n.dialogue_start_after_quiet
        start = alive & ~self.dialogue & (u[self.rows["dialogue"].start] < p_start)
        # a direct exchange ends a dialogue; the opening event (day 0) is the scenario's premise,
        # not an exchange (as in Engine._direct_exchange), so it leaves a day-0 dialogue standing
        collapse = self.dialogue & (
            (u[self.rows["collapse"].start] < n.dialogue_collapse_daily)
            | ((e.ledger.day_rung >= DIRECT_RUNG) & (t > e.t0))
        )
        self.dialogue = (self.dialogue | start) & ~collapse
        if t > 0 and t % n.step_days == 0:
            self.breakout = np.where(
                self.dialogue,
                np.minimum(n.max_months, self.breakout + n.step_months),
                np.maximum(0.0, self.breakout - n.step_months),
            )
        crisis = (
            alive
            & (self.crisis_day < 0)
            & ~self.dialogue
            & (self.breakout < n.crisis_threshold_months)
        )
        self.crisis_day[crisis] = t
        if n.preventive_strike and crisis.any():
            strike = np.zeros_like(crisis)
            rows = np.flatnonzero(crisis)
            strike[rows] = e.draw(rows, 1)[0] < n.preventive_strike_probability
            e.world.pending[strike, DEFENDER] = decisions.STRIKE_STATE  # executed tomorrow
            if trace:
                trace.front(t, strike, "the defender decides on a preventive strike")
        if trace:
            trace.front(t, start, "a dialogue between the two leaderships begins")
            trace.front(t, collapse, "the dialogue collapses")
            trace.front(
                t,
                crisis,
                f"breakout crisis: breakout time {self.breakout[trace.k]:.1f} months, no dialogue",
            )

    # --- results ------------------------------------------------------------------------------

    def columns(self) -> dict[str, np.ndarray]:
        """Per-run results; event days count from the first simulated day (-1: never)."""
        t0 = self.engine.t0

        def relative(day: np.ndarray) -> np.ndarray:
            return np.where(day >= 0, np.maximum(day - t0, 0), NOT_YET).astype(np.int32)

        return {
            "host_expulsion": self.expulsion_day >= 0,
            "host_expulsion_day": relative(self.expulsion_day),
            "withdrawal_day": relative(self.withdrawal_day),
            "follow_on_withdrawal": self.follow_on_day >= 0,
            "follow_on_day": relative(self.follow_on_day),
            "expulsion_pressure": self.pressure,
            "maritime_incidents": self.incidents,
            "breakout_crisis": self.crisis_day >= 0,
            "breakout_crisis_day": relative(self.crisis_day),
            "breakout_months": self.breakout,
            "dialogue": self.dialogue,
        }
