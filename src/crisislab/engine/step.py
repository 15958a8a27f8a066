"""The day loop: all runs of a chunk advance together, one day at a time, as arrays.

Order of one day (MODEL.md §4, as implemented):
 1. hazards: accidents (scaled by alert) and loss of control (scaled by the rung level);
 2. decisions: campaign orders by type, enforcement effort;
 3. execution: day 0's opening event, yesterday's chosen responses, group acts, rhetoric;
    each executed event is drawn for casualties (4) and perceived by the other side (5);
 6. delivery: casualty reports, attribution findings, C2 disavowals and messages that are due;
 7. belief updates from group acts seen or not seen today;
 8. red-line checks on perceived slots;
 9. responses chosen under red lines and doctrines, executed tomorrow;
10. stocks decay; 11. outcome bookkeeping.
"""

from __future__ import annotations

import math

import numpy as np

from crisislab.engine import beliefs, decisions, native
from crisislab.engine.compiled import (
    CHALLENGER,
    DEFENDER,
    ROLES,
    TARGETS,
    Action,
    Compiled,
    decay_factor,
)
from crisislab.engine.fronts import FrontState
from crisislab.engine.random import BLOCK_RUNS, BlockStreams, DrawPlan
from crisislab.engine.redlines import condition_holds
from crisislab.engine.script import Script, ScriptedEvent
from crisislab.engine.state import NEVER, SLOTS, Ledger, View, World
from crisislab.engine.trace import Trace

EVENT_UNIFORMS = 8
STATE_TARGETS = (
    TARGETS.index("forces"),
    TARGETS.index("territory"),
    TARGETS.index("senior_commander"),
)
DIRECT_RUNG = 9
FORCES, SHIPPING = TARGETS.index("forces"), TARGETS.index("shipping")
SLOT_MEMORY_DAYS = 30
OVERT_ODDS = 1e12  # an overt act by a leadership is known to be ordered by it


class DailySeries:
    """Per-run daily trajectories (float32 [runs, days]), kept only when asked for.

    goldstein: the day's Goldstein sum; rung: the highest rung executed (truth);
    perceived_rung_<side> and belief_<side>: what each leadership perceived and believed;
    red_lines: the defender's red-line firings that day; misperceptions: that day's count.
    """

    def __init__(self, engine: Engine) -> None:
        self.e = engine
        names = ["goldstein", "rung", "red_lines", "misperceptions"]
        for side in engine.c.sides:
            names += [f"perceived_rung_{side.id}", f"belief_{side.id}"]
        self.data = {n: np.zeros((engine.runs, engine.days), np.float32) for n in names}

    def before_day(self) -> None:
        led = self.e.ledger
        self._before = (
            led.goldstein.copy(),
            led.red_line_fired[:, DEFENDER].copy(),
            led.misperceptions.copy(),
        )

    def after_day(self, d: int) -> None:
        e, led = self.e, self.e.ledger
        gold, fired, mis = self._before
        self.data["goldstein"][:, d] = led.goldstein - gold
        self.data["red_lines"][:, d] = led.red_line_fired[:, DEFENDER] - fired
        self.data["misperceptions"][:, d] = led.misperceptions - mis
        self.data["rung"][:, d] = led.day_rung
        for i, side in enumerate(e.c.sides):
            self.data[f"perceived_rung_{side.id}"][:, d] = e.views[i].day_rung
            self.data[f"belief_{side.id}"][:, d] = e.views[i].belief

    def columns(self) -> dict[str, np.ndarray]:
        return {f"daily_{name}": values for name, values in self.data.items()}


class Engine:
    """Simulates one chunk (a whole number of blocks of runs) of a compiled scenario."""

    def __init__(
        self,
        compiled: Compiled,
        seed: int,
        first_block: int,
        n_blocks: int,
        trace_run: int | None = None,
        script: Script | None = None,
        daily: bool = False,
        native: bool = True,
    ) -> None:
        self.c = compiled
        self.native = native  # run the compiled day loop when it covers the case (native.py)
        s = compiled.scenario
        self.days = s.days
        self.script = script
        self.daily = daily  # keep each run's daily Goldstein sum (for fan charts)
        self.t0 = script.fork_day if script is not None else 0  # first simulated day
        self.runs = n_blocks * BLOCK_RUNS
        groups = compiled.groups
        self.plan = DrawPlan()
        p = self.plan
        self.rows_hazard = {"accident": p.uniforms(1), "loss_of_control": p.uniforms(1)}
        self.rows_group = p.uniforms(max(len(groups), 1))
        self.rows_side = {side: p.uniforms(2) for side in (0, 1)}  # campaign, rhetoric
        self._can_execute = {
            side: np.array(
                [
                    True,
                    *(
                        getattr(compiled.sides[side], move) is not None
                        for move in ("strike_proxy", "strike_state", "retaliate")
                    ),
                ]
            )
            for side in (DEFENDER, CHALLENGER)
        }  # a response a side has no action for is not taken (and is no order)
        self.fronts = FrontState(self)
        self.streams = BlockStreams(seed, first_block, n_blocks, self.plan)
        n_lines = len(compiled.red_lines)
        self.world = World(self.runs, 2, len(groups), len(compiled.nationalities))
        self.views = (View(self.runs, n_lines), View(self.runs, n_lines))
        self.ledger = Ledger(self.runs, len(compiled.nationalities))
        self.seen = np.zeros((self.runs, max(len(groups), 1)), dtype=bool)
        self.trace = Trace(trace_run, compiled) if trace_run is not None else None
        o = s.outcomes
        self.window = min(o.stable_window_days, self.days)
        self.window_start = self.t0 + self.days - self.window
        st = s.stocks
        self.decay = {
            "grievance": decay_factor(st.grievance_half_life_days),
            "alert": decay_factor(st.alert_half_life_days),
            "commitment": decay_factor(st.commitment_half_life_days),
            "hostility": decay_factor(st.hostility_half_life_days),
        }

    # --- set-up -------------------------------------------------------------------------------

    def initialise(self) -> None:
        u = self.streams.initial(2)
        w = self.world
        for side in (DEFENDER, CHALLENGER):
            spec = self.c.sides[side]
            w.limited[:, side] = u[side] < spec.type_prior
            self.views[side].belief[:] = spec.prior_trust
            self.views[side].alert[:] = self.c.scenario.actors[spec.id].initial_alert
        for i, g in enumerate(self.c.groups):
            w.grievance[:, i] = g.grievance0
        if self.trace:
            self.trace.start(w, self.views)

    def run(self) -> dict[str, np.ndarray]:
        self.initialise()
        if self.native and native.supported(self):
            native.run(self)
            return self.ledger_summary()
        self.replay_until(self.t0)
        daily = DailySeries(self) if self.daily else None
        for t in range(self.t0, self.t0 + self.days):
            u, z = self.streams.day()
            if daily is not None:
                daily.before_day()
            self.step(t, u, z)
            if daily is not None:
                daily.after_day(t - self.t0)
        columns = self.ledger_summary()
        if daily is not None:
            columns.update(daily.columns())
        return columns

    def replay_until(self, end: int, observe=None) -> None:
        """Replay the script's days [0, end): observed events are perceived, attributed and
        believed, red lines are checked, but no decision is simulated. `observe(t)` is called
        after each day. The ledger starts afresh after the replay."""
        for t in range(end):
            u, z = self.streams.day()
            self.replay_step(t, u, z)
            if observe is not None:
                observe(t)
        if end > 0:
            self.ledger = Ledger(self.runs, len(self.c.nationalities))

    def replay_step(self, t: int, u: np.ndarray, z: np.ndarray) -> None:
        alive = ~self.ledger.war
        self._new_day()
        assert self.script is not None
        for event in self.script.on(t):
            self._inject(t, event, alive)
        self._deliver(t)
        self._observe_groups(alive)
        self._red_lines(t, u, alive)
        self._stocks(t, u)
        self.fronts.step(t, u, alive)

    def _new_day(self) -> None:
        self.ledger.day_rung[:] = 0
        self.seen[:] = False
        for view in self.views:
            view.day_rung[:] = 0

    # --- one day ------------------------------------------------------------------------------

    def step(self, t: int, u: np.ndarray, z: np.ndarray) -> None:
        c, led = self.c, self.ledger
        alive = ~led.war
        self._new_day()
        beliefs_before = [v.belief.copy() for v in self.views] if self.trace else None

        self._hazards(t, u, z, alive)
        enforcement = self._orders(t, u, alive)
        if t == self.t0 and self.script is None and c.scenario.initial_event is not None:
            self._initial_event(t, u, z)
        if self.script is not None:
            for event in self.script.on(t):
                self._inject(t, event, alive)
        self._execute_responses(t, u, z, alive)
        self._group_acts(t, u, z, alive, enforcement)
        self.fronts.maritime_incidents(t, u, alive)
        self._rhetoric(t, u, alive)
        self._deliver(t)
        self._observe_groups(alive)
        fired = self._red_lines(t, u, alive)
        self._choose_responses(t, u, alive, fired)
        self._stocks(t, u)
        self.fronts.step(t, u, alive)
        self._outcomes(t, alive)
        if self.trace and beliefs_before is not None:
            self.trace.beliefs(t, beliefs_before, self.views)

    # --- 1. hazards ---------------------------------------------------------------------------

    def _hazards(self, t: int, u: np.ndarray, z: np.ndarray, alive: np.ndarray) -> None:
        c, h = self.c, self.c.scenario.hazards
        if c.accident_group is not None and c.accident_action is not None:
            g = c.groups[c.accident_group]
            rows = self.rows_hazard["accident"]
            hazard = h.accident_per_max_alert_day * self.views[g.side].alert
            hit = alive & (u[rows.start] < hazard)
            self.ledger.accidents += hit
            self.emit(
                t,
                hit,
                g.side,
                c.accident_group,
                c.accident_action,
                ordered=np.zeros(self.runs, bool),
                kind="accident",
            )
        if c.loc_group is not None and c.loc_action is not None:
            g = c.groups[c.loc_group]
            rows = self.rows_hazard["loss_of_control"]
            hazard = h.loss_of_control_per_day * self.world.rung_level
            hit = alive & (u[rows.start] < hazard)
            self.emit(
                t,
                hit,
                g.side,
                c.loc_group,
                c.loc_action,
                ordered=np.zeros(self.runs, bool),
                kind="loss of control",
            )

    # --- 2. orders ----------------------------------------------------------------------------

    def _orders(self, t: int, u: np.ndarray, alive: np.ndarray) -> np.ndarray:
        """Campaign orders by type; returns each side's enforcement effort over its groups."""
        w = self.world
        effort = np.zeros((self.runs, 2))
        for side in (DEFENDER, CHALLENGER):
            spec = self.c.sides[side]
            r = self.rows_side[side].start
            limited = w.limited[:, side]
            p_start = np.where(limited, spec.campaign_daily[0], spec.campaign_daily[1])
            if side == CHALLENGER:
                p_start = p_start * self.fronts.deterrence_factor()
            start = alive & ~w.campaign[:, side] & (u[r] < p_start) & (t > self.t0)
            stop = w.campaign[:, side] & (u[r] < 1.0 / spec.campaign_mean_days)
            w.campaign[:, side] = (w.campaign[:, side] | start) & ~stop
            self.ledger.orders[:, side] += start
            effort[:, side] = np.where(limited, spec.enforcement, 0.0)
            if self.trace:
                self.trace.orders(t, side, start, stop)
        return effort

    # --- 3. execution -------------------------------------------------------------------------

    def _initial_event(self, t: int, u: np.ndarray, z: np.ndarray) -> None:
        ev = self.c.scenario.initial_event
        assert ev is not None
        side = self._side_of(ev.actor)
        action = self.action(ev.action)
        group = self._group_index(ev.actor)
        everyone = np.ones(self.runs, bool)
        warned = np.full(self.runs, ev.warned)
        self.emit(
            t,
            everyone,
            side,
            group,
            action,
            ordered=everyone,
            warned=warned,
            forced_deaths=ev.deaths,
            kind="opening event",
        )
        if ev.warned:
            self._send_message(t, side, everyone)

    def _inject(self, t: int, event: ScriptedEvent, alive: np.ndarray) -> None:
        """An observed act, the same in every run; only what nobody observed is drawn per run.

        Whether a group acted on orders is not in the record: each run draws it from the
        observer's own prior, so the replay carries that uncertainty rather than inventing a fact.
        """
        side = event.side
        if event.kind == "rhetoric":
            self._speak(t, side, alive)
            return
        if event.kind == "message":
            self._send_message(t, side, alive, mimic=False)
            return
        if event.ordered is not None or event.group < 0:
            ordered = alive & (True if event.ordered is None else event.ordered)
        else:
            g = self.c.groups[event.group]
            prior = beliefs.prior_ordered(
                self.views[1 - side].belief,
                g.assumed_control,
                self.c.scenario.attribution.assumed_order_share,
                self.c.scenario.hazards.ordered_multiplier,
            )
            rows = np.flatnonzero(alive)
            ordered = np.zeros(self.runs, bool)
            ordered[rows] = self.draw(rows, 1)[0] < prior[rows]
        if event.struck_group is not None:
            self.world.grievance[:, event.struck_group] += (
                alive * self.c.scenario.stocks.grievance_per_strike
            )
        self.emit(
            t,
            alive,
            side,
            event.group,
            event.action,
            ordered=ordered,
            warned=np.full(self.runs, event.warned),
            forced_deaths=event.deaths,
            victim=event.victim,
            kind="observed",
            struck_group=event.struck_group,
        )

    def _execute_responses(self, t: int, u: np.ndarray, z: np.ndarray, alive: np.ndarray) -> None:
        w = self.world
        for side in (DEFENDER, CHALLENGER):
            spec = self.c.sides[side]
            kind = np.where(alive, w.pending[:, side], 0)
            if spec.strike_proxy is not None:
                for gi, g in enumerate(self.c.groups):
                    if g.side == side:
                        continue
                    hit = (kind == decisions.STRIKE_PROXY) & (w.pending_group[:, side] == gi)
                    if hit.any():
                        w.grievance[:, gi] += hit * self.c.scenario.stocks.grievance_per_strike
                        if side == DEFENDER:
                            self.ledger.proxy_strikes += hit
                        self.emit(
                            t,
                            hit,
                            side,
                            -1,
                            spec.strike_proxy,
                            ordered=hit,
                            victim=g.nationality,
                            kind="response",
                            struck_group=gi,
                        )
            if spec.strike_state is not None:
                hit = kind == decisions.STRIKE_STATE
                self.emit(t, hit, side, -1, spec.strike_state, ordered=hit, kind="response")
            if spec.retaliate is not None:
                hit = kind == decisions.RETALIATE
                intends_warning = w.limited[:, side]
                delivered = np.zeros(self.runs, bool)
                rows = np.flatnonzero(hit)
                delivered[rows] = self.draw(rows, 1)[0] < spec.p_warning_delivered
                self.emit(
                    t,
                    hit,
                    side,
                    -1,
                    spec.retaliate,
                    ordered=hit,
                    warned=intends_warning & delivered,
                    intended_warned=intends_warning,
                    kind="retaliation",
                )
                self._send_message(t, side, hit)

    def _group_acts(
        self, t: int, u: np.ndarray, z: np.ndarray, alive: np.ndarray, effort: np.ndarray
    ) -> None:
        c, w = self.c, self.world
        h, st = c.scenario.hazards, c.scenario.stocks
        for i, g in enumerate(c.groups):
            under_orders = w.campaign[:, g.side]
            control = np.minimum(1.0, g.control + h.enforcement_effect * effort[:, g.side])
            rate = (
                g.base_hazard
                * np.exp(st.grievance_sensitivity * w.grievance[:, i])
                * np.where(under_orders, h.ordered_multiplier, 1.0 - control)
            )
            if g.side == CHALLENGER and g.action.hits == FORCES:
                rate = rate * self.fronts.target_presence()
            acts = alive & (u[self.rows_group.start + i] < np.minimum(rate, 1.0))
            self.emit(t, acts, g.side, i, g.action, ordered=under_orders, kind="group act")

    def _rhetoric(self, t: int, u: np.ndarray, alive: np.ndarray) -> None:
        rate = self.c.scenario.rhetoric.daily_probability
        for side in (DEFENDER, CHALLENGER):
            spec = self.c.sides[side]
            if spec.inflammatory and spec.rhetoric is not None:
                self._speak(t, side, alive & (u[self.rows_side[side].start + 1] < rate))

    def _speak(self, t: int, side: int, speak: np.ndarray) -> None:
        """An inflammatory statement: commitment for the speaker, grievance for the other side's
        groups, a little less trust and more alert in the listener."""
        c, w, led = self.c, self.world, self.ledger
        st, rh = c.scenario.stocks, c.scenario.rhetoric
        action = c.sides[side].rhetoric
        if action is None:
            return
        w.commitment[:, side] += speak * st.commitment_per_inflammatory_day
        for i, g in enumerate(c.groups):
            if g.side != side:
                w.grievance[:, i] += speak * st.grievance_per_inflammatory_day
        listener = self.views[1 - side]
        rows = np.flatnonzero(speak)
        listener.belief[rows] = beliefs.update_with_ratio(
            listener.belief[rows], rh.inflammatory_likelihood_ratio, self._gamma()
        )
        listener.alert[rows] = np.minimum(
            1.0, listener.alert[rows] + st.alert_per_hostile_event * action.plain.rung / 7
        )
        listener.day_rung[rows] = np.maximum(listener.day_rung[rows], action.plain.rung)
        led.goldstein[rows] += action.goldstein
        led.rivera[rows] += action.rivera
        led.day_rung[rows] = np.maximum(led.day_rung[rows], action.plain.rung)
        if self.trace:
            self.trace.rhetoric(t, side, speak)

    # --- events: truth, then perception by the other side -------------------------------------

    def emit(
        self,
        t: int,
        mask: np.ndarray,
        side: int,
        group: int,
        action: Action,
        *,
        ordered: np.ndarray,
        warned: np.ndarray | None = None,
        intended_warned: np.ndarray | None = None,
        victim: int | None = None,
        forced_deaths: int | None = None,
        kind: str,
        struck_group: int | None = None,
        front_event: bool = False,
    ) -> None:
        """Execute one kind of event in the runs of `mask`: draw its casualties (truth), then
        let the other side perceive it. `front_event` marks acts outside the core dyad's
        attack count (maritime incidents)."""
        idx = np.flatnonzero(mask)
        if idx.size == 0:
            return
        c, w, led = self.c, self.world, self.ledger
        s = c.scenario
        ur, zr = self.streams.sparse(idx, EVENT_UNIFORMS, 1)
        noise = zr[0]
        plain, alt = action.plain, action.warned
        warned_now = (warned[idx] if warned is not None else np.zeros(idx.size, bool)) & (
            alt is not None
        )

        def pick(attr: str) -> np.ndarray:
            base = getattr(plain, attr)
            return (
                np.where(warned_now, getattr(alt, attr), base)
                if alt is not None
                else np.full(idx.size, base)
            )

        p_kill, d_mean, i_mean = pick("p_kill"), pick("deaths_mean"), pick("injuries_mean")
        if forced_deaths is not None:
            deaths = np.full(idx.size, forced_deaths)
        else:
            killed = ur[0] < p_kill
            extra = np.floor(np.log(ur[1]) / np.log1p(-1.0 / np.maximum(d_mean, 1.0 + 1e-9)))
            deaths = np.where(killed, 1 + np.where(d_mean > 1.0, extra, 0.0), 0).astype(np.int64)
        injuries = np.floor(-i_mean * np.log(ur[2])).astype(np.int64)
        rung = np.where(deaths > 0, pick("lethal_rung"), pick("rung")).astype(np.int64)
        role = ROLES.index("leadership") if group < 0 else ROLES.index(c.groups[group].role)
        observer = 1 - side
        if victim is None:
            victim = c.sides[observer].nationality

        # truth
        np.add.at(led.deaths, (idx, victim), deaths)
        np.add.at(led.injuries, (idx, victim), injuries)
        led.goldstein[idx] += action.goldstein
        led.rivera[idx] += action.rivera
        led.day_rung[idx] = np.maximum(led.day_rung[idx], rung)
        is_ordered = ordered[idx]
        lethal = deaths > 0
        # days since the last lethal event, in int64: in int32, t minus the initial -NEVER
        # overflowed, so a first lethal event after day 0 never opened an episode
        since = t - led.last_lethal_day[idx].astype(np.int64)
        new_episode = lethal & (since > s.outcomes.war_exchange_window_days)
        led.episode_unordered[idx[new_episode]] = ~is_ordered[new_episode]
        led.last_lethal_day[idx[lethal]] = t
        self.fronts.on_event(idx, action, rung, deaths, victim)
        if group >= 0 and role == ROLES.index("proxy") and not front_event:
            self._first(
                t,
                "lethal_proxy_attack",
                idx[(deaths > 0) & (victim == c.sides[DEFENDER].nationality)],
            )
        if side == DEFENDER and role == ROLES.index("leadership"):
            if action.hits == TARGETS.index("proxy"):
                self._first(t, "proxy_strike", idx)
            elif action.hits == TARGETS.index("territory"):
                self._first(t, "state_strike", idx)
        if group >= 0 and not front_event:
            led.group_attacks[idx] += 1
            if t >= self.window_start:
                led.window_attacks[idx] += 1
        state_act = role != ROLES.index("proxy") and action.hits in STATE_TARGETS
        if state_act:  # battle deaths of the war criterion: state-on-state acts only
            led.battle_deaths[idx] += deaths
        if state_act:
            self._direct_exchange(t, idx, side, rung, kind)

        # perception by the other side
        view = self.views[observer]
        det = ur[3] < action.p_detect
        bias = s.perception.expectation_bias * (1.0 - 2.0 * view.belief[idx])
        perceived = np.clip(np.rint(rung + bias + c.sigma * noise), 0, 14).astype(np.int64)
        mis = det & (np.abs(perceived - rung) >= s.perception.misperception_gap)
        led.misperceptions[idx] += mis
        if group >= 0 and not front_event:
            self.seen[idx[det], group] = True
        seen_now = idx[det]
        view.day_rung[seen_now] = np.maximum(view.day_rung[seen_now], perceived[det])
        if role == ROLES.index("leadership"):
            ratio = self._signal_ratio(action, perceived)
            if ratio is not None:
                d = idx[det]
                view.belief[d] = beliefs.update_with_ratio(
                    view.belief[d], ratio[det], self._gamma()
                )
        hostile = det & (perceived >= self._threshold(action.hits))
        view.alert[idx[det]] = np.minimum(
            1.0,
            view.alert[idx[det]]
            + s.stocks.alert_per_hostile_event * np.minimum(1.0, perceived[det] / 7.0),
        )
        w.hostility[idx[hostile]] += perceived[hostile] / 14.0
        if hostile.any():
            self._open_slot(
                t,
                ur,
                idx,
                hostile,
                observer,
                side,
                group,
                role,
                action,
                perceived,
                victim,
                deaths,
                injuries,
                is_ordered,
            )
        if self.trace:
            self.trace.event(
                t,
                kind,
                idx,
                side,
                group,
                action,
                is_ordered,
                rung,
                warned_now,
                intended_warned,
                deaths,
                injuries,
                victim,
                det,
                perceived,
                view,
                struck_group,
            )

    def _direct_exchange(
        self, t: int, idx: np.ndarray, side: int, rung: np.ndarray, kind: str
    ) -> None:
        led, o = self.ledger, self.c.scenario.outcomes
        direct = rung >= DIRECT_RUNG
        if t > self.t0:
            led.direct_exchanges[idx[direct]] += 1
        if t >= self.window_start:
            led.window_direct[idx[direct]] += 1
        high = idx[rung >= o.war_rung]
        if high.size == 0:
            return
        within = (t - led.chain_start[high] <= o.war_exchange_window_days) & (
            led.chain_len[high] > 0
        )
        same = within & (led.chain_side[high] == side)
        alternate = within & (led.chain_side[high] != side)
        led.chain_len[high] = np.where(
            alternate, led.chain_len[high] + 1, np.where(same, led.chain_len[high], 1)
        )
        led.chain_start[high] = np.where(within, led.chain_start[high], t)
        led.chain_side[high] = side

    def _open_slot(
        self,
        t,
        ur,
        idx,
        hostile,
        observer,
        side,
        group,
        role,
        action,
        perceived,
        victim,
        deaths,
        injuries,
        is_ordered,
    ) -> None:
        c, s = self.c, self.c.scenario
        view, transit = self.views[observer], self.world.transit[observer]
        rows = idx[hostile]
        k = view.slots.claim(rows)
        sl = view.slots
        sl.day[rows, k] = t
        sl.group[rows, k] = group
        sl.role[rows, k] = role
        sl.target[rows, k] = action.hits
        sl.perceived_rung[rows, k] = perceived[hostile]
        sl.victim[rows, k] = victim
        injured = injuries[hostile]
        sl.reported_injuries[rows, k] = np.floor(injured * s.perception.initial_injury_share)
        if role == ROLES.index("leadership"):
            sl.prior_odds[rows, k] = OVERT_ODDS
        else:
            g = c.groups[group]
            sl.prior_odds[rows, k] = beliefs.odds(
                beliefs.prior_ordered(
                    view.belief[rows],
                    g.assumed_control,
                    s.attribution.assumed_order_share,
                    s.hazards.ordered_multiplier,
                )
            )
        lag_p = 1.0 / (1.0 + s.perception.report_lag_mean_days)
        lag = np.floor(np.log(ur[4][hostile]) / math.log1p(-lag_p)) if lag_p < 1.0 else 0.0
        transit.deaths[rows, k] = deaths[hostile]
        transit.injuries[rows, k] = injured
        transit.report_day[rows, k] = t + lag
        transit.ordered[rows, k] = is_ordered[hostile]
        if role == ROLES.index("leadership"):
            transit.finding_day[rows, k] = NEVER
        else:
            acc = beliefs.effective_accuracy(s.attribution.accuracy, action.ambiguity)
            truth = is_ordered[hostile]
            says = np.where(truth, ur[5][hostile] < acc, ur[5][hostile] >= acc)
            transit.finding[rows, k] = beliefs.evidence_ratio(acc, says)
            transit.finding_day[rows, k] = t + s.attribution.delay_days
        transit.c2_day[rows, k] = NEVER
        if c.carries_c2 and role != ROLES.index("leadership"):
            limited = self.world.limited[rows, side]
            lethal = deaths[hostile] > 0
            sends = lethal & np.where(limited, ~truth, ur[6][hostile] < 1.0 / c.lr_c2)
            delay = self._latency(ur[7][hostile])
            transit.c2_day[rows[sends], k[sends]] = t + delay[sends]

    # --- 6. delivery --------------------------------------------------------------------------

    def _deliver(self, t: int) -> None:
        """Move due reports, findings, disavowals and messages from transit into the views.

        Only runs with an open slot are touched; afterwards `_open` holds, per observer, those
        runs, their perceived slot fields and P(ordered) for each slot.
        """
        self._open = {}
        for observer in (DEFENDER, CHALLENGER):
            view, transit = self.views[observer], self.world.transit[observer]
            sl = view.slots
            rows = np.flatnonzero(sl.active.any(axis=1))
            active = sl.active[rows]
            due = active & (transit.report_day[rows] <= t)
            sl.reported_deaths[rows] = np.where(due, transit.deaths[rows], sl.reported_deaths[rows])
            sl.reported_injuries[rows] = np.where(
                due, transit.injuries[rows], sl.reported_injuries[rows]
            )
            found = active & (transit.finding_day[rows] <= t)
            sl.evidence[rows] = np.where(found, transit.finding[rows], sl.evidence[rows])
            sl.disavowed[rows] |= active & (transit.c2_day[rows] <= t)
            p_ord = beliefs.attribution_posterior(
                sl.prior_odds[rows], sl.evidence[rows], sl.disavowed[rows], self.c.lr_c2
            )
            self._open[observer] = (sl.take(rows), p_ord)
            # update only the runs whose message arrived: a ratio of 1 still moves a belief by
            # rounding, which would make a run depend on the other runs of its chunk
            arrived = np.flatnonzero(transit.message_day <= t)
            if arrived.size:
                view.belief[arrived] = beliefs.update_with_ratio(
                    view.belief[arrived], self.c.lr_msg, self._gamma()
                )
                transit.message_day[arrived] = NEVER

    def _send_message(self, t: int, side: int, mask: np.ndarray, mimic: bool = True) -> None:
        """A 'matter concluded' message; an aggressive sender mimics it with probability 1/LR.

        With `mimic=False` (an observed message) every listed run sends it."""
        c = self.c
        if not c.channel_open or c.sides[side].message is None:
            return
        rows = np.flatnonzero(mask)
        lie, delay = self.draw(rows, 2)
        sent = self.world.limited[rows, side] | (lie < 1.0 / max(c.lr_msg, 1.0)) | (not mimic)
        sends = np.zeros(self.runs, bool)
        sends[rows] = sent
        arrival = np.full(self.runs, NEVER, np.int64)
        arrival[rows] = t + self._latency(delay)
        transit = self.world.transit[1 - side]
        transit.message_day[:] = np.where(
            sends, np.minimum(transit.message_day, arrival), transit.message_day
        )
        self.ledger.goldstein += sends * c.sides[side].message.goldstein
        self.ledger.rivera += sends * c.sides[side].message.rivera
        if self.trace:
            self.trace.message(t, side, sends, arrival)

    def _latency(self, u: np.ndarray) -> np.ndarray:
        whole = math.floor(self.c.latency_days)
        return whole + (u < self.c.latency_days - whole).astype(np.int64)

    # --- 7. beliefs from group behaviour ------------------------------------------------------

    def _observe_groups(self, alive: np.ndarray) -> None:
        """Kydd update from each group seen acting (or not) today, in runs still in play."""
        s = self.c.scenario
        for i, g in enumerate(self.c.groups):
            view = self.views[1 - g.side]
            ratio = beliefs.group_observation_ratio(
                self.seen[:, i],
                g.base_hazard,
                g.assumed_control,
                s.attribution.assumed_order_share,
                s.hazards.ordered_multiplier,
                g.action.p_detect,
            )
            ratio = np.where(alive, ratio, 1.0)
            view.belief = beliefs.update_with_ratio(view.belief, ratio, self._gamma())

    # --- 8. red lines -------------------------------------------------------------------------

    def _red_lines(self, t: int, u: np.ndarray, alive: np.ndarray) -> dict[int, tuple]:
        """Evaluate every red line on open slots.

        Returns per owner the full-length (enforced mask, response kind, slot group).
        """
        led, w = self.ledger, self.world
        out: dict[int, tuple] = {}
        if t >= self.window_start:
            slots, p_ord = self._open[DEFENDER]
            attributed = (
                slots.active
                & (slots.day >= self.window_start)
                & (slots.victim == self.c.sides[DEFENDER].nationality)
                & (slots.reported_deaths > 0)
                & (p_ord >= 0.5)
            )
            led.window_attributed_deaths[slots.rows] |= attributed.any(axis=1)
        for i, line in enumerate(self.c.red_lines):
            owner = line.owner
            slots, p_ord = self._open[owner]
            rows = slots.rows
            fired_before = self.views[owner].slots.fired[rows, :, i]
            holds = slots.active & ~fired_before & alive[rows, None]
            for cond in line.conditions:
                holds &= condition_holds(cond, slots, p_ord)
            self.views[owner].slots.fired[rows, :, i] = fired_before | holds
            fire_rows = holds.any(axis=1)
            if not fire_rows.any():
                continue
            fire = np.zeros(self.runs, bool)
            fire[rows[fire_rows]] = True
            slot = np.zeros(self.runs, np.intp)
            slot[rows] = holds.argmax(axis=1)
            group = np.full(self.runs, -1, np.int64)
            group[rows] = slots.group[np.arange(rows.size), slot[rows]]
            commitment = w.commitment[:, owner] * line.public
            rho = decisions.enforcement(
                line.enforcement, commitment, self.c.sides[owner].audience_cost
            )
            enforced = np.zeros(self.runs, bool)
            fired_rows = np.flatnonzero(fire)
            enforced[fired_rows] = self.draw(fired_rows, 1)[0] < rho[fired_rows]
            led.red_line_fired[:, owner] += fire
            led.red_line_unenforced[:, owner] += fire & ~enforced
            led.audience_cost[:, owner] += (
                (fire & ~enforced) * line.public * line.audience_cost * (1.0 + commitment)
            )
            previous = out.get(owner)
            kind = np.where(enforced, line.response, 0)
            if previous is not None:
                kind = np.where(previous[1] > 0, previous[1], kind)
                group = np.where(previous[1] > 0, previous[2], group)
            out[owner] = (kind > 0, kind, group)
            if self.trace:
                self.trace.red_line(
                    t,
                    line,
                    fire,
                    enforced,
                    self.views[owner].slots,
                    slot,
                    self._p_ordered_full(owner),
                )
        return out

    def _p_ordered_full(self, observer: int) -> np.ndarray:
        """[runs, slots] P(ordered), for narration only."""
        slots, p_ord = self._open[observer]
        full = np.zeros((self.runs, SLOTS))
        full[slots.rows] = p_ord
        return full

    # --- 9. responses -------------------------------------------------------------------------

    def _choose_responses(
        self, t: int, u: np.ndarray, alive: np.ndarray, fired: dict[int, tuple]
    ) -> None:
        """Each side answers today's perceived attacks (doctrine) or fired red lines (bound).

        Only runs with something to answer are touched; the rest keep no pending response.
        """
        c, w, s = self.c, self.world, self.c.scenario
        for side in (DEFENDER, CHALLENGER):
            spec = c.sides[side]
            view = self.views[side]
            w.pending[:, side] = 0
            w.pending_group[:, side] = -1
            threshold = np.where(
                self._open[side][0].target == SHIPPING,
                s.doctrines.shipping_attack_threshold,
                s.doctrines.attack_threshold,
            )
            open_slots, p_open = self._open[side]
            rows = open_slots.rows
            new = (
                open_slots.active & (open_slots.day == t) & (open_slots.perceived_rung >= threshold)
            )
            trigger_all = np.zeros(self.runs, bool)
            trigger_all[rows] = new.any(axis=1)
            trigger_all &= alive
            enforced_all = fired[side][0] if side in fired else np.zeros(self.runs, bool)
            idx = np.flatnonzero(trigger_all | enforced_all)
            if idx.size == 0:
                continue
            draws = self.draw(idx, 2)  # doctrine (forgiveness or logit), retaliation
            at = np.searchsorted(rows, idx)  # every such run has an open slot
            trigger = trigger_all[idx]
            new_i = new[at]
            worst = np.where(new_i, open_slots.perceived_rung[at], -1).argmax(axis=1)
            p_ord = p_open[at, worst]
            leadership_act = open_slots.role[at, worst] == ROLES.index("leadership")
            state_perpetrator = leadership_act | (p_ord >= 0.5)
            group = open_slots.group[at, worst].astype(np.int64)
            commitment = w.commitment[idx, side]
            belief = view.belief[idx]
            if spec.logit:
                adversary = c.sides[1 - side]
                kind = decisions.logit_response(
                    trigger,
                    state_perpetrator,
                    belief,
                    commitment,
                    spec.audience_cost,
                    adversary.retaliation,
                    adversary.p_warning_delivered,
                    s.logit,
                    draws[0],
                )
            else:
                kind = decisions.doctrine_response(
                    spec.doctrine,
                    trigger,
                    state_perpetrator,
                    belief,
                    commitment,
                    spec.audience_cost,
                    draws[0],
                    s.doctrines,
                )
            enforced = np.zeros(idx.size, bool)
            if side in fired:
                enforced, bound, bound_group = (a[idx] for a in fired[side])
                kind = np.where(enforced, bound, kind)
                group = np.where(enforced, bound_group, group)
            # a retaliation happens with the type's probability; a proxy strike needs a proxy
            limited = w.limited[idx, side]
            p_ret = np.where(limited, spec.retaliation[0], spec.retaliation[1])
            kind = np.where((kind == decisions.RETALIATE) & (draws[1] >= p_ret), 0, kind)
            kind = np.where(
                (kind == decisions.STRIKE_PROXY) & (group < 0), decisions.STRIKE_STATE, kind
            )
            kind = np.where(self._can_execute[side][kind], kind, decisions.NONE)
            w.pending[idx, side] = kind
            w.pending_group[idx, side] = np.where(kind == decisions.STRIKE_PROXY, group, -1)
            if t > self.t0:  # answers bound by a red line are not counted as escalation orders
                self.ledger.orders[idx, side] += (kind > 0) & ~enforced
            if self.trace:
                self.trace.response(t, side, idx, kind, group, trigger)

    # --- 10. stocks ---------------------------------------------------------------------------

    def _stocks(self, t: int, u: np.ndarray) -> None:
        w, d = self.world, self.decay
        w.grievance *= d["grievance"]
        w.commitment *= d["commitment"]
        w.hostility *= d["hostility"]
        for side, (view, transit) in enumerate(zip(self.views, w.transit, strict=True)):
            view.alert *= d["alert"]
            self._close_settled_slots(t, view, transit, self._open[side][0].rows)
        w.rung_level = np.maximum(w.rung_level - 1.0, self.ledger.day_rung)

    def _close_settled_slots(self, t: int, view: View, transit, rows: np.ndarray) -> None:
        """Close slots whose perceived fields can no longer change, or that are too old.

        Once its casualty report, attribution finding and any disavowal have arrived, a slot's
        red-line predicates are fixed: it has fired or it never will.
        """
        sl = view.slots  # `rows`: the runs with open slots today (none open after delivery)
        if rows.size == 0:
            return
        settled = (
            (transit.report_day[rows] <= t)
            & ((transit.finding_day[rows] <= t) | (transit.finding_day[rows] == NEVER))
            & ((transit.c2_day[rows] <= t) | (transit.c2_day[rows] == NEVER))
        )
        too_old = (t - sl.day[rows]) >= SLOT_MEMORY_DAYS - 1
        sl.active[rows] &= ~(settled | too_old)

    # --- 11. outcomes -------------------------------------------------------------------------

    def _outcomes(self, t: int, alive: np.ndarray) -> None:
        led, o = self.ledger, self.c.scenario.outcomes
        np.maximum(led.max_rung, led.day_rung, out=led.max_rung)
        led.top_rung_days = np.where(led.day_rung >= 14, led.top_rung_days + 1, 0).astype(np.int16)
        if t >= self.window_start:
            led.window_quiet_days += led.day_rung <= o.stable_rung
        war_now = alive & (
            (led.chain_len >= o.war_exchanges)
            | (led.top_rung_days >= o.declared_war_days)
            | (led.battle_deaths >= o.war_battle_deaths)
        )
        if war_now.any():
            led.war |= war_now
            led.war_day[war_now] = t - self.t0
            led.war_inadvertent[war_now] = led.episode_unordered[war_now]
            if self.trace:
                self.trace.war(t, war_now, led)

    # --- helpers ------------------------------------------------------------------------------

    def _first(self, t: int, name: str, rows: np.ndarray) -> None:
        """Record the first day (from the first simulated day) an observable event happens."""
        if t < self.t0 or rows.size == 0:
            return
        first = self.ledger.first_day[name]
        new = rows[first[rows] < 0]
        first[new] = t - self.t0

    def draw(self, rows: np.ndarray, n: int) -> np.ndarray:
        """n fresh uniforms for each listed run (sorted), from each run's own block stream."""
        return self.streams.sparse(rows, n, 0)[0]

    def _threshold(self, hits: int) -> int:
        d = self.c.scenario.doctrines
        return d.shipping_attack_threshold if hits == SHIPPING else d.attack_threshold

    def _gamma(self) -> float:
        return self.c.scenario.attribution.confirmation_bias

    def _signal_ratio(self, action: Action, perceived: np.ndarray) -> np.ndarray | None:
        """The observer reads a leadership's act as the variant nearest the perceived rung."""
        plain, alt = action.plain, action.warned
        if alt is None:
            return (
                None if plain.signal_ratio is None else np.full(perceived.shape, plain.signal_ratio)
            )
        reads_warned = np.abs(perceived - alt.rung) < np.abs(perceived - plain.rung)
        return np.where(reads_warned, alt.signal_ratio or 1.0, plain.signal_ratio or 1.0)

    def _side_of(self, actor: str) -> int:
        for i, side in enumerate(self.c.sides):
            if side.id == actor:
                return i
        return self.c.groups[self._group_index(actor)].side

    def _group_index(self, actor: str) -> int:
        return next((i for i, g in enumerate(self.c.groups) if g.id == actor), -1)

    def action(self, action_id: str) -> Action:
        from crisislab.engine.compiled import compile_action

        return compile_action(action_id, self.c.scenario.actions[action_id])

    def ledger_summary(self) -> dict[str, np.ndarray]:
        from crisislab.engine.outcomes import summarise

        return summarise(self)
