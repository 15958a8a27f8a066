"""One run of the crisis as a Mesa model: `step()` advances one day.

The day follows crisislab's fixed order (docs/model.md §4) as a sequence of agent phases:
hazards, orders and posture, execution (opening event, the answers that fall due, group attacks in
random order, maritime incidents, rhetoric), delivery of messages and reports, red lines, group
observations, answers, stocks, fronts, the violence level and war, hidden stocks (resolve,
grievance, credibility, the threat forecast), then the crisis's course (ceasefire, end,
recurrence, campaigns of direct strikes). The truth of the run (casualties, exchanges, the
violence level, the crisis's end) lives in the model's ledger, which agents write to but never
decide from.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import mesa

from crisislab.engine.compiled import Action
from crisislab.engine.constants import (
    CHALLENGER,
    DEFENDER,
    END_MODES,
    FULL_SCALE_WAR,
    KINETIC_RUNG,
    ROLES,
    TARGETS,
    TOP_RUNG,
)
from crisislab.engine.violence import violence_level

from .agents import (
    DIRECT_RUNG,
    LEADERSHIP,
    NONE,
    PROXY,
    ArmedGroup,
    HostNation,
    Leadership,
    NuclearProgramme,
)
from .parameters import SCENARIO, STATE_TARGETS, Parameters, load_parameters

LONG_AGO = -(10**9)
SENIOR_COMMANDER = TARGETS.index("senior_commander")
TACIT, AGREEMENT, IMPOSED = (END_MODES.index(m) for m in ("tacit", "agreement", "imposed"))


@dataclass(slots=True)
class Ledger:
    """The truth of one run, kept for the outcome classes and metrics."""

    nationalities: int
    deaths: list[int] = field(init=False)
    injuries: list[int] = field(init=False)
    war: bool = False
    war_day: int = -1
    war_end_day: int = -1
    war_inadvertent: bool = False
    violence: int = 1
    crisis_end_day: int = -1
    first_end_day: int = -1  # the first crisis's length
    end_mode: int = 0
    recurrences: int = 0
    chain_len: int = 0
    chain_side: int = -1
    chain_start: int = LONG_AGO
    chain_lethal: int = 0  # bit `side` set: its direct strike in the chain killed
    top_rung_days: int = 0
    battle_deaths: int = 0
    war_deaths_before: int = 0  # battle deaths at the last ceasefire
    last_lethal_day: int = LONG_AGO
    episode_unordered: bool = False
    day_rung: int = 0
    max_rung: int = 0
    goldstein: float = 0.0
    rivera: float = 0.0
    misperceptions: int = 0
    accidents: int = 0
    group_attacks: int = 0
    ordered_attacks: int = 0
    maritime_incidents: int = 0
    proxy_strikes: int = 0
    direct_exchanges: int = 0
    red_line_fired: list[int] = field(default_factory=lambda: [0, 0])
    red_line_unenforced: list[int] = field(default_factory=lambda: [0, 0])
    audience_cost: list[float] = field(default_factory=lambda: [0.0, 0.0])
    orders: list[int] = field(default_factory=lambda: [0, 0])
    messages_sent: list[int] = field(default_factory=lambda: [0, 0])

    def __post_init__(self) -> None:
        self.deaths = [0] * self.nationalities
        self.injuries = [0] * self.nationalities


class CrisisModel(mesa.Model):
    """One simulated history of a crisislab scenario (by default us-iran-2020, 365 days).

    `daily_data=True` collects the DataCollector's reporters every day, which `mesa.batch_run`
    needs (it reads the row of the last step by index); with False they are collected once, when
    the run ends, which is all a summary of the run needs.
    """

    def __init__(
        self,
        scenario: str = SCENARIO,
        fronts: bool = True,
        seed: int | None = None,
        daily_data: bool = True,
    ) -> None:
        super().__init__(seed=seed)
        self.p: Parameters = load_parameters(scenario, fronts)
        p = self.p
        self.days = p.days
        self.daily_data = daily_data
        self.day = 0
        self.gamma = p.scenario.attribution.confirmation_bias
        self.ledger = Ledger(len(p.compiled.nationalities))
        self.hostility = 0.0
        self.rung_level = 0.0
        self.lethal_today = False
        self.leaderships = (Leadership(self, DEFENDER), Leadership(self, CHALLENGER))
        for side, leader in enumerate(self.leaderships):
            leader.adversary = self.leaderships[1 - side]
        self.armed_groups = [ArmedGroup(self, g, self.leaderships[g.spec.side]) for g in p.groups]
        for g in self.armed_groups:
            self.leaderships[1 - g.spec.side].adversary_groups.append(g)
        f = p.scenario.fronts
        self.host = HostNation(self) if f.host.actor is not None else None
        self.nuclear = NuclearProgramme(self) if f.nuclear.enabled else None
        c = p.compiled
        self.accident_group = (
            self.armed_groups[c.accident_group] if c.accident_group is not None else None
        )
        self.loc_group = self.armed_groups[c.loc_group] if c.loc_group is not None else None
        self.maritime_group = (
            self.armed_groups[p.maritime_group] if p.maritime_group is not None else None
        )
        self.datacollector = mesa.DataCollector(
            model_reporters={
                "outcome": "outcome",
                "violence": "violence",
                "war_day": "war_day",
                "crisis_end_day": "crisis_end_day",
                "recurrences": "recurrences",
                "red_line_fired": "red_line_fired",
                "challenger_limited": "challenger_limited",
                "intended": "intended",
                "perceived": "perceived",
                "group_attacks": "group_attacks",
                "ordered_attacks": "ordered_attacks",
                "proxy_strikes": "proxy_strikes",
                "maritime_incidents": "maritime_incidents",
                "direct_exchanges": "direct_exchanges",
                "host_expulsion": "host_expulsion",
            }
        )

    # --- one day ------------------------------------------------------------------------------

    def step(self) -> None:
        t, led = self.day, self.ledger
        alive = not led.war  # a run at war is frozen: only bookkeeping goes on
        leaders = self.agents_by_type[Leadership]
        led.day_rung = 0
        self.lethal_today = False
        for leader in self.leaderships:
            leader.day_rung = 0
        for g in self.armed_groups:
            g.seen_today = False

        if alive:
            if self.accident_group is not None:
                self.accident_group.accident(t)
            if self.loc_group is not None:
                self.loc_group.lose_control(t)
        leaders.do("issue_orders", t, alive)
        if t == 0:
            self._opening_event(t)
        leaders.do("execute_response", t, alive)
        if alive:
            self.agents_by_type[ArmedGroup].shuffle_do("step")
            if self.maritime_group is not None:
                self.maritime_group.harass_shipping(t)
        leaders.do("speak", t, alive)
        leaders.do("receive", t)
        leaders.do("check_red_lines", t, alive)
        leaders.do("observe_groups", alive)
        leaders.do("choose_response", t, alive)

        self.agents_by_type[ArmedGroup].do("decay")
        leaders.do("end_of_day", t)
        self.hostility *= self.p.decay_hostility
        self.rung_level = max(self.rung_level - 1.0, led.day_rung)
        left = self.host.end_of_day(t) if self.host is not None else False
        crisis = self.nuclear.end_of_day(t, alive) if self.nuclear is not None else False
        self._outcomes(t, alive)
        if left:
            self.host.follow_on(t)  # type: ignore[union-attr]
        if crisis:
            self.nuclear.preventive_strike(t)  # type: ignore[union-attr]
        leaders.do("hidden_stocks")
        self._crisis_course(t)

        self.day += 1
        if self.day >= self.days:
            self.running = False
        if self.daily_data or not self.running:
            self.datacollector.collect(self)

    def _opening_event(self, t: int) -> None:
        """Day 0: the scenario's premise (the warned strike on Al Asad), then its message."""
        ev, action = self.p.scenario.initial_event, self.p.opening_action
        if ev is None or action is None:
            return
        ids = [s.id for s in self.p.sides]
        group = next((g.index for g in self.armed_groups if g.spec.id == ev.actor), -1)
        side = ids.index(ev.actor) if ev.actor in ids else self.armed_groups[group].spec.side
        self.execute(
            t, side, group, action, ordered=True, warned=ev.warned, forced_deaths=ev.deaths
        )
        if ev.warned:
            self.leaderships[side].send_message(t)

    # --- an act: truth, then perception by the other side -------------------------------------

    def execute(
        self,
        t: int,
        side: int,
        group: int,
        action: Action,
        *,
        ordered: bool,
        warned: bool = False,
        victim: int | None = None,
        forced_deaths: int | None = None,
        front_event: bool = False,
    ) -> None:
        """Draw an act's casualties, record them, and let the other leadership perceive it."""
        led, p = self.ledger, self.p
        rnd = self.random.random
        variant = action.warned if warned and action.warned is not None else action.plain
        if forced_deaths is not None:
            deaths = forced_deaths
        elif rnd() < variant.p_kill:  # a hurdle, then a lognormal toll with the variant's mean
            sigma = p.scenario.outcomes.casualty_sigma
            median = variant.deaths_mean * math.exp(-0.5 * sigma * sigma)
            deaths = max(1, math.floor(median * math.exp(sigma * self.random.gauss()) + 0.5))
        else:
            deaths = 0
        injuries = math.floor(-variant.injuries_mean * math.log(1.0 - rnd()))
        rung = variant.lethal_rung if deaths > 0 else variant.rung
        role = LEADERSHIP if group < 0 else ROLES.index(self.armed_groups[group].spec.role)
        observer = self.leaderships[1 - side]
        if victim is None:
            victim = observer.spec.nationality

        led.deaths[victim] += deaths
        led.injuries[victim] += injuries
        led.goldstein += action.goldstein
        led.rivera += action.rivera
        led.day_rung = max(led.day_rung, rung)
        if deaths > 0:
            if t - led.last_lethal_day > p.scenario.outcomes.war_exchange_window_days:
                led.episode_unordered = not ordered  # a new lethal episode begins
            led.last_lethal_day = t
            self.lethal_today = True
        if self.host is not None:
            own_attack = group >= 0 and action.id == self.armed_groups[group].spec.action.id
            self.host.witness(action.hits, group if own_attack else -1, rung, deaths, victim)
        if group >= 0 and not front_event:
            led.group_attacks += 1
            if ordered and t > 0:
                led.ordered_attacks += 1
        if role != PROXY and action.hits in STATE_TARGETS:
            led.battle_deaths += deaths
            self._direct_exchange(t, side, rung, deaths)
        if rung >= KINETIC_RUNG:  # grievance: the victim side's grows, the author's is paid down
            commander = action.hits == SENIOR_COMMANDER and deaths > 0
            weight = p.scenario.stocks.grievance_per_strike * (1.0 + math.log1p(deaths)) + (
                1.0 if commander else 0.0
            )
            for s, leader in enumerate(self.leaderships):
                if victim == leader.spec.nationality and s != side:
                    leader.suffer(weight, commander)
            if role == LEADERSHIP:
                self.leaderships[side].avenged(weight)
        observer.perceive(
            t, side, group, role, action, rung, deaths, injuries, victim, ordered, front_event
        )

    def _direct_exchange(self, t: int, side: int, rung: int, deaths: int) -> None:
        """Count direct state-on-state acts, and extend the chain of direct strikes (war rung or
        above, each within the window of the last), noting each side whose strikes killed."""
        led, o = self.ledger, self.p.scenario.outcomes
        if rung >= DIRECT_RUNG and t > 0:
            led.direct_exchanges += 1
        if rung < o.war_rung:
            return
        within = led.chain_len > 0 and t - led.chain_start <= o.war_exchange_window_days
        if not within:
            led.chain_len, led.chain_lethal = 0, 0
        led.chain_len += 1
        led.chain_start, led.chain_side = t, side
        if deaths > 0:
            led.chain_lethal |= 1 << side

    # --- bookkeeping --------------------------------------------------------------------------

    def _outcomes(self, t: int, alive: bool) -> None:
        """The day's ICB violence level (crisislab.engine.violence); a run reaching full-scale
        war is at war from tomorrow."""
        led, o = self.ledger, self.p.scenario.outcomes
        led.max_rung = max(led.max_rung, led.day_rung)
        led.top_rung_days = led.top_rung_days + 1 if led.day_rung >= TOP_RUNG else 0
        level = violence_level(
            led.max_rung >= KINETIC_RUNG,
            led.chain_len,
            led.chain_lethal == 3,
            float(led.battle_deaths - led.war_deaths_before),
            led.top_rung_days >= o.declared_war_days,
            max(leader.direct_campaign for leader in self.leaderships),
        )
        led.violence = max(led.violence, level)
        if alive and level >= FULL_SCALE_WAR:
            if led.war_day < 0:  # the first war's day and kind
                led.war_day, led.war_inadvertent = t, led.episode_unordered
            led.war = True

    def _crisis_course(self, t: int) -> None:
        """A war ends in a ceasefire with a daily hazard (the crisis ends, imposed). A crisis
        ends when both sides' forecasts have stayed near the pre-crisis level for end_quiet_days:
        by agreement if both sent messages over an open channel, tacitly otherwise; an ended
        crisis recurs when a side's forecast climbs back. Campaigns of direct strikes go on."""
        led, p = self.ledger, self.p
        quiet = p.scenario.outcomes.end_quiet_days
        if led.war:
            if self.random.random() < p.war_end_hazard:
                led.war = False
                led.war_end_day = led.crisis_end_day = t
                if led.first_end_day < 0:
                    led.first_end_day = t
                led.end_mode = IMPOSED
                # the next war is counted afresh: battle deaths since this ceasefire, a new chain
                led.war_deaths_before = led.battle_deaths
                led.chain_len, led.chain_lethal = 0, 0
                for leader in self.leaderships:
                    leader.direct_campaign = 0
                    leader.plan(NONE, leader.pending_group, leader.pending_due)  # cancelled
                    leader.threat, leader.calm_days = p.calm_level, quiet
            return
        ended = led.crisis_end_day >= 0
        if not ended and min(leader.calm_days for leader in self.leaderships) >= quiet:
            led.crisis_end_day = t
            if led.first_end_day < 0:
                led.first_end_day = t
            talked = min(led.messages_sent) > 0
            led.end_mode = AGREEMENT if p.compiled.channel_open and talked else TACIT
        elif ended and max(leader.threat for leader in self.leaderships) > p.recurrence_level:
            led.recurrences += 1
            led.crisis_end_day, led.end_mode = -1, 0
        self.agents_by_type[Leadership].do("continue_campaign", t)

    # --- what the DataCollector reports -------------------------------------------------------

    def target_presence(self) -> float:
        """Share of the defender's targets still in theatre."""
        if self.host is None or not self.host.withdrawn:
            return 1.0
        return self.host.front.presence_after_withdrawal

    @property
    def outcome(self) -> str:
        """war: full-scale war was reached; stable: no war, the crisis ended by the horizon and
        never recurred; frozen otherwise."""
        led = self.ledger
        if led.violence >= FULL_SCALE_WAR:
            return "war"
        if led.crisis_end_day >= 0 and led.recurrences == 0:
            return "stable_deescalation"
        return "frozen_conflict"

    @property
    def violence(self) -> int:
        return self.ledger.violence

    @property
    def war_day(self) -> int:
        return self.ledger.war_day

    @property
    def crisis_end_day(self) -> int:
        return self.ledger.crisis_end_day

    @property
    def recurrences(self) -> int:
        return self.ledger.recurrences

    @property
    def red_line_fired(self) -> bool:
        return self.ledger.red_line_fired[DEFENDER] > 0

    @property
    def challenger_limited(self) -> bool:
        """The label: the challenger's resolve drawn below 1/2."""
        return self.leaderships[CHALLENGER].resolve_drawn < 0.5

    @property
    def intended(self) -> bool:
        """The challenger is limited and ordered no escalation after day 0."""
        return self.challenger_limited and self.ledger.orders[CHALLENGER] == 0

    @property
    def perceived(self) -> bool:
        """The defender ends believing the challenger limited, and never fired a red line."""
        return self.leaderships[DEFENDER].belief >= 0.5 and not self.red_line_fired

    @property
    def group_attacks(self) -> int:
        return self.ledger.group_attacks

    @property
    def ordered_attacks(self) -> int:
        return self.ledger.ordered_attacks

    @property
    def proxy_strikes(self) -> int:
        return self.ledger.proxy_strikes

    @property
    def maritime_incidents(self) -> int:
        return self.ledger.maritime_incidents

    @property
    def direct_exchanges(self) -> int:
        return self.ledger.direct_exchanges

    @property
    def host_expulsion(self) -> bool:
        return self.host is not None and self.host.expulsion_day >= 0

    def summary(self) -> dict[str, Any]:
        """The last row the DataCollector collected: the run's result columns once it is over."""
        return {name: values[-1] for name, values in self.datacollector.model_vars.items()}


def run_one(seed: int, scenario: str = SCENARIO, fronts: bool = True) -> dict[str, Any]:
    """Simulate one run to its horizon and return its summary (a picklable pool task)."""
    model = CrisisModel(scenario, fronts, seed=seed, daily_data=False)
    model.run_model()
    return {"seed": seed, **model.summary()}
