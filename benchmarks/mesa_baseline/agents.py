"""The agents of one crisis: two leaderships, their armed groups, the host nation, Iran's programme.

Each agent keeps its own state as plain Python attributes and changes it in its own methods; the
model (model.py) calls those methods phase by phase in the order of one crisislab day, and keeps
the truth that no agent may read (the ledger). A leadership's decisions read only what it
perceives (its belief, its alert level, its perceived events) and its own private type.
"""

from __future__ import annotations

import math
import operator
from collections import deque
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import mesa

from crisislab.engine.compiled import Action, RedLineSpec
from crisislab.engine.constants import (
    CHALLENGER,
    DEFENDER,
    DIRECT_RUNG,
    KINETIC_RUNG,
    NEVER,
    OVERT_ODDS,
    ROLES,
    SLOT_MEMORY_DAYS,
    SLOTS,
)

from .parameters import EPS, FORCES, GroupParameters

if TYPE_CHECKING:
    from .model import CrisisModel

NONE, STRIKE_PROXY, STRIKE_STATE, RETALIATE = 0, 1, 2, 3
LEADERSHIP, PROXY = ROLES.index("leadership"), ROLES.index("proxy")
OPS = {
    ">=": operator.ge,
    ">": operator.gt,
    "<=": operator.le,
    "<": operator.lt,
    "==": operator.eq,
    "!=": operator.ne,
}


def update_belief(mu: float, ratio: float, gamma: float) -> float:
    """Bayes on the odds that the adversary is limited, with optional confirmation bias."""
    if gamma < 1.0 and (ratio < 1.0) == (mu > 0.5):
        ratio = ratio**gamma
    mu = min(max(mu, EPS), 1.0 - EPS)
    o = mu / (1.0 - mu) * ratio
    return o / (1.0 + o)


def latency(latency_days: float, u: float) -> int:
    """Channel delay in whole days: the integer part, plus one more day with the fraction's odds."""
    whole = math.floor(latency_days)
    return whole + (u < latency_days - whole)


@dataclass(slots=True)
class PerceivedEvent:
    """A hostile act as one leadership perceives it, plus the facts still on their way to it.

    The `true_*`, `ordered`, `*_day` and `finding` fields are in transit (truth): the leadership
    reads them only once their day has come, in `Leadership.receive`.
    """

    day: int
    group: int  # acting group index, -1 for the other leadership
    role: int
    target: int
    perceived_rung: int
    victim: int
    prior_odds: float
    reported_injuries: int
    true_deaths: int
    true_injuries: int
    ordered: bool
    report_day: int
    finding: float = 1.0
    finding_day: int = NEVER
    c2_day: int = NEVER
    reported_deaths: int = 0
    evidence: float = 1.0
    disavowed: bool = False
    p_ordered: float = 0.0
    active: bool = True
    fired: set[int] = field(default_factory=set)

    def value(self, name: str, nationality: int) -> float:
        """A perceived field, as a red-line condition names it."""
        if name == "reported_deaths":
            return self.reported_deaths if self.victim == nationality else 0
        if name == "reported_injuries":
            return self.reported_injuries if self.victim == nationality else 0
        if name == "p_ordered":
            return self.p_ordered
        if name == "perceived_rung":
            return self.perceived_rung
        if name == "target":
            return self.target
        if name == "perceived_actor_role":
            return self.role
        raise ValueError(f"unknown red-line field {name!r}")


class Leadership(mesa.Agent):
    """A state's decision centre: orders campaigns, perceives, believes, answers attacks."""

    model: CrisisModel

    def __init__(self, model: CrisisModel, side: int) -> None:
        super().__init__(model)
        p = model.p
        self.side = side
        self.spec = p.sides[side]
        self.limited = self.random.random() < self.spec.type_prior  # private type
        self.belief = self.spec.prior_trust  # P(the other leadership is limited)
        self.alert = p.initial_alert[side]
        self.day_rung = 0  # highest rung perceived today
        self.events: deque[PerceivedEvent] = deque(maxlen=SLOTS)
        self.message_due = NEVER
        self.campaign = False  # own groups under campaign orders
        self.effort = 0.0  # enforcement effort over own groups
        self.commitment = 0.0  # public commitment from inflammatory statements
        self.pending = NONE  # response chosen today, executed tomorrow
        self.pending_group = -1
        self.bound: tuple[int, int] | None = None  # (response, group) of an enforced red line
        self.red_lines: list[tuple[int, RedLineSpec]] = [
            (i, line) for i, line in enumerate(p.red_lines) if line.owner == side
        ]
        self.can_execute = (
            True,
            self.spec.strike_proxy is not None,
            self.spec.strike_state is not None,
            self.spec.retaliate is not None,
        )
        self.adversary: Leadership  # set by the model once both exist
        self.adversary_groups: list[ArmedGroup] = []

    # --- orders and execution ---------------------------------------------------------------

    def issue_orders(self, t: int, alive: bool) -> None:
        """Start or end a campaign of the own groups by type; set the enforcement effort."""
        spec = self.spec
        u = self.random.random()
        if self.campaign:
            if u < 1.0 / spec.campaign_mean_days:
                self.campaign = False
        else:
            p_start = spec.campaign_daily[0 if self.limited else 1]
            if self.side == CHALLENGER:
                p_start *= self.model.deterrence_factor()
            if alive and t > 0 and u < p_start:
                self.campaign = True
                self.model.ledger.orders[self.side] += 1
        self.effort = spec.enforcement if self.limited else 0.0

    def execute_response(self, t: int) -> None:
        """Carry out the response chosen yesterday."""
        kind, spec, m = self.pending, self.spec, self.model
        if kind == STRIKE_PROXY and spec.strike_proxy is not None:
            target = m.armed_groups[self.pending_group]
            if target.spec.side == self.side:
                return
            target.grievance += m.p.scenario.stocks.grievance_per_strike
            if self.side == DEFENDER:
                m.ledger.proxy_strikes += 1
            m.execute(
                t, self.side, -1, spec.strike_proxy, ordered=True, victim=target.spec.nationality
            )
        elif kind == STRIKE_STATE and spec.strike_state is not None:
            m.execute(t, self.side, -1, spec.strike_state, ordered=True)
        elif kind == RETALIATE and spec.retaliate is not None:
            delivered = self.random.random() < spec.p_warning_delivered
            m.execute(
                t, self.side, -1, spec.retaliate, ordered=True, warned=self.limited and delivered
            )
            self.send_message(t)

    def send_message(self, t: int) -> None:
        """'The matter is concluded': always sent if limited, mimicked with odds 1/LR otherwise."""
        c, message = self.model.p.compiled, self.spec.message
        if not c.channel_open or message is None:
            return
        rnd = self.random.random
        if not (self.limited or rnd() < 1.0 / max(c.lr_msg, 1.0)):
            return
        arrival = t + latency(c.latency_days, rnd())
        self.adversary.message_due = min(self.adversary.message_due, arrival)
        self.model.ledger.goldstein += message.goldstein
        self.model.ledger.rivera += message.rivera

    def speak(self, t: int) -> None:
        """An inflammatory statement, if this leadership makes them and chooses to today."""
        spec, m = self.spec, self.model
        action = spec.rhetoric
        s = m.p.scenario
        if not spec.inflammatory or action is None:
            return
        if self.random.random() >= s.rhetoric.daily_probability:
            return
        self.commitment += s.stocks.commitment_per_inflammatory_day
        for g in self.adversary_groups:
            g.grievance += s.stocks.grievance_per_inflammatory_day
        listener = self.adversary
        listener.belief = update_belief(
            listener.belief, s.rhetoric.inflammatory_likelihood_ratio, m.gamma
        )
        rung = action.plain.rung
        listener.alert = min(1.0, listener.alert + s.stocks.alert_per_hostile_event * rung / 7)
        listener.day_rung = max(listener.day_rung, rung)
        m.ledger.goldstein += action.goldstein
        m.ledger.rivera += action.rivera
        m.ledger.day_rung = max(m.ledger.day_rung, rung)

    # --- perception ---------------------------------------------------------------------------

    def perceive(
        self,
        t: int,
        actor_side: int,
        group: int,
        role: int,
        action: Action,
        rung: int,
        deaths: int,
        injuries: int,
        victim: int,
        ordered: bool,
        front_event: bool,
    ) -> None:
        """Detect the other side's act, read its rung through noise and bias, and react."""
        m, s = self.model, self.model.p.scenario
        rnd = self.random.random
        if rnd() >= action.p_detect:
            return
        bias = s.perception.expectation_bias * (1.0 - 2.0 * self.belief)
        noisy = rung + bias + m.p.compiled.sigma * self.random.gauss(0.0, 1.0)
        perceived = min(14, max(0, round(noisy)))  # round() rounds halves to even, like rint
        if abs(perceived - rung) >= s.perception.misperception_gap:
            m.ledger.misperceptions += 1
        if group >= 0 and not front_event:
            m.armed_groups[group].seen_today = True
        self.day_rung = max(self.day_rung, perceived)
        if role == LEADERSHIP:
            ratio = signal_ratio(action, perceived)
            if ratio is not None:
                self.belief = update_belief(self.belief, ratio, m.gamma)
        self.alert = min(
            1.0, self.alert + s.stocks.alert_per_hostile_event * min(1.0, perceived / 7.0)
        )
        if perceived < m.p.thresholds[action.hits]:
            return
        m.hostility += perceived / 14.0
        self._note_event(
            t, actor_side, group, role, action, perceived, deaths, injuries, victim, ordered
        )

    def _note_event(
        self,
        t: int,
        actor_side: int,
        group: int,
        role: int,
        action: Action,
        perceived: int,
        deaths: int,
        injuries: int,
        victim: int,
        ordered: bool,
    ) -> None:
        """Keep a hostile act in mind until its report, finding and disavowal have arrived."""
        m = self.model
        s, c = m.p.scenario, m.p.compiled
        rnd = self.random.random
        lag = 0
        if m.p.log_report_lag is not None:
            lag = math.floor(math.log(1.0 - rnd()) / m.p.log_report_lag)
        if role == LEADERSHIP:
            prior_odds = OVERT_ODDS
        else:
            g = m.armed_groups[group].spec
            share, mult = s.attribution.assumed_order_share, s.hazards.ordered_multiplier
            mu, slack = self.belief, 1.0 - g.assumed_control
            on_orders = (1.0 - mu) * share * mult
            off_orders = mu * slack + (1.0 - mu) * (1.0 - share) * slack
            p0 = min(max(on_orders / max(on_orders + off_orders, EPS), EPS), 1.0 - EPS)
            prior_odds = p0 / (1.0 - p0)
        event = PerceivedEvent(
            day=t,
            group=group,
            role=role,
            target=action.hits,
            perceived_rung=perceived,
            victim=victim,
            prior_odds=prior_odds,
            reported_injuries=math.floor(injuries * s.perception.initial_injury_share),
            true_deaths=deaths,
            true_injuries=injuries,
            ordered=ordered,
            report_day=t + lag,
            fired=set(),
        )
        if role != LEADERSHIP:
            a = s.attribution
            accuracy = 0.5 + (a.accuracy - 0.5) * (1.0 - action.ambiguity)
            u = rnd()
            says_ordered = u < accuracy if ordered else u >= accuracy
            capped = min(accuracy, 1.0 - EPS)
            ratio = capped / (1.0 - capped)
            event.finding = ratio if says_ordered else 1.0 / ratio
            event.finding_day = t + a.delay_days
            if c.carries_c2 and deaths > 0:
                principal = m.leaderships[actor_side]
                sends = not ordered if principal.limited else rnd() < 1.0 / c.lr_c2
                if sends:
                    event.c2_day = t + latency(c.latency_days, rnd())
        self.events.append(event)  # a full memory forgets its oldest event

    def receive(self, t: int) -> None:
        """Reports, findings and disavowals that are due arrive; P(ordered) is reassessed."""
        c = self.model.p.compiled
        for ev in self.events:
            if not ev.active:
                continue
            if ev.report_day <= t:
                ev.reported_deaths, ev.reported_injuries = ev.true_deaths, ev.true_injuries
            if ev.finding_day <= t:
                ev.evidence = ev.finding
            if ev.c2_day <= t:
                ev.disavowed = True
            o = ev.prior_odds * ev.evidence
            if ev.disavowed and c.lr_c2 != 1.0:
                o /= c.lr_c2
            ev.p_ordered = o / (1.0 + o)
        if self.message_due <= t:
            self.belief = update_belief(self.belief, c.lr_msg, self.model.gamma)
            self.message_due = NEVER

    def observe_groups(self) -> None:
        """Each adversary group seen acting today, or not, is evidence about its principal."""
        for g in self.adversary_groups:
            ratio = g.params.lr_seen if g.seen_today else g.params.lr_unseen
            self.belief = update_belief(self.belief, ratio, self.model.gamma)

    # --- red lines and responses --------------------------------------------------------------

    def check_red_lines(self, t: int, alive: bool) -> None:
        """Fire each red line at most once per perceived event; an enforced one binds the answer."""
        self.bound = None
        if not alive:
            return
        led = self.model.ledger
        for i, line in self.red_lines:
            first: PerceivedEvent | None = None
            for ev in self.events:
                if not ev.active or i in ev.fired:
                    continue
                if all(
                    OPS[op](ev.value(name, nat), value) for name, nat, op, value in line.conditions
                ):
                    ev.fired.add(i)
                    first = first or ev
            if first is None:
                continue
            commitment = self.commitment * line.public
            rho = 1.0 - (1.0 - line.enforcement) * math.exp(-self.spec.audience_cost * commitment)
            enforced = self.random.random() < rho
            led.red_line_fired[self.side] += 1
            if not enforced:
                led.red_line_unenforced[self.side] += 1
                led.audience_cost[self.side] += (
                    line.public * line.audience_cost * (1.0 + commitment)
                )
            if self.bound is None or self.bound[0] == NONE:
                self.bound = (line.response if enforced else NONE, first.group)

    def choose_response(self, t: int, alive: bool) -> None:
        """Answer today's worst perceived attack under the doctrine, unless a red line binds."""
        self.pending, self.pending_group = NONE, -1
        thresholds = self.model.p.thresholds
        new = [
            ev
            for ev in self.events
            if ev.active and ev.day == t and ev.perceived_rung >= thresholds[ev.target]
        ]
        trigger = alive and bool(new)
        enforced = self.bound is not None and self.bound[0] != NONE
        if not (trigger or enforced):
            return
        rnd = self.random.random
        u_doctrine, u_retaliation = rnd(), rnd()
        kind, group = NONE, -1
        if trigger:
            worst = max(new, key=lambda ev: ev.perceived_rung)
            state_perpetrator = worst.role == LEADERSHIP or worst.p_ordered >= 0.5
            group = worst.group
            kind = self._decide(state_perpetrator, u_doctrine)
        if enforced:
            assert self.bound is not None
            kind, group = self.bound
        retaliation = self.spec.retaliation[0 if self.limited else 1]
        if kind == RETALIATE and u_retaliation >= retaliation:
            kind = NONE
        if kind == STRIKE_PROXY and group < 0:
            kind = STRIKE_STATE
        if not self.can_execute[kind]:
            kind = NONE
        self.pending = kind
        self.pending_group = group if kind == STRIKE_PROXY else -1
        if t > 0 and kind != NONE and not enforced:
            self.model.ledger.orders[self.side] += 1

    def _decide(self, state_perpetrator: bool, u: float) -> int:
        """The doctrine's (or the quantal response's) answer to a perceived attack."""
        s = self.model.p.scenario
        if self.spec.logit:
            return self._logit(state_perpetrator, u)
        in_kind = STRIKE_STATE if state_perpetrator else STRIKE_PROXY
        doctrine, d = self.spec.doctrine, s.doctrines
        if doctrine == "restraint":
            return NONE
        if doctrine == "proportional":
            return in_kind
        if doctrine == "gtft":
            q = d.gtft_forgiveness * math.exp(-self.spec.audience_cost * self.commitment)
            return NONE if u < q else in_kind
        if doctrine == "retaliatory":
            return STRIKE_STATE if self.belief < d.retaliatory_trust_threshold else in_kind
        raise ValueError(f"unknown doctrine {doctrine!r}")

    def _logit(self, state_perpetrator: bool, u: float) -> int:
        """P(a) ~ exp(lambda EU(a)) over none, strike proxy, strike state (model.md §5.13)."""
        lg = self.model.p.scenario.logit
        adv = self.adversary.spec
        mu = self.belief
        r_lim, r_agg = adv.retaliation
        risk = mu * r_lim * (1.0 - adv.p_warning_delivered) + (1.0 - mu) * r_agg
        dv, cost = lg.deterrence_value, lg.action_cost
        eu = [
            dv["none"] - cost["none"] - self.spec.audience_cost * self.commitment,
            dv["strike_proxy"] - cost["strike_proxy"] - lg.war_cost * lg.proxy_risk_share * risk,
            dv["strike_state"] - cost["strike_state"] - lg.war_cost * risk,
        ]
        if state_perpetrator:
            eu[1] = -math.inf
        top = max(eu)
        weights = [math.exp(lg.precision * (x - top)) for x in eu]
        total = sum(weights)
        cumulative = 0.0
        for choice, w in enumerate(weights[:-1]):
            cumulative += w / total
            if u <= cumulative:
                return choice
        return STRIKE_STATE

    # --- end of day ---------------------------------------------------------------------------

    def end_of_day(self, t: int) -> None:
        """Alert and commitment decay; settled or old events are put out of mind."""
        p = self.model.p
        self.alert *= p.decay_alert
        self.commitment *= p.decay_commitment
        for ev in self.events:
            if not ev.active:
                continue
            settled = (
                ev.report_day <= t
                and (ev.finding_day == NEVER or ev.finding_day <= t)
                and (ev.c2_day == NEVER or ev.c2_day <= t)
            )
            if settled or t - ev.day >= SLOT_MEMORY_DAYS - 1:
                ev.active = False


def signal_ratio(action: Action, perceived: int) -> float | None:
    """A leadership's act is read as the variant whose rung is nearest the perceived one."""
    plain, warned = action.plain, action.warned
    if warned is None:
        return plain.signal_ratio
    if abs(perceived - warned.rung) < abs(perceived - plain.rung):
        return warned.signal_ratio or 1.0
    return plain.signal_ratio or 1.0


class ArmedGroup(mesa.Agent):
    """A proxy or faction: attacks on its own hazard, more often under its principal's orders."""

    model: CrisisModel

    def __init__(self, model: CrisisModel, params: GroupParameters, principal: Leadership) -> None:
        super().__init__(model)
        self.params = params
        self.spec = params.spec
        self.index = params.index
        self.principal = principal
        self.grievance = self.spec.grievance0
        self.seen_today = False
        self.hits_defender_forces = self.spec.side == CHALLENGER and self.spec.action.hits == FORCES

    def step(self) -> None:
        """Attack today with probability lambda0 exp(beta G) (m under orders, else 1 - c_eff)."""
        m, g = self.model, self.spec
        s = m.p.scenario
        if self.principal.campaign:
            factor = s.hazards.ordered_multiplier
        else:
            control = min(1.0, g.control + s.hazards.enforcement_effect * self.principal.effort)
            factor = 1.0 - control
        rate = g.base_hazard * math.exp(s.stocks.grievance_sensitivity * self.grievance) * factor
        if self.hits_defender_forces:
            rate *= m.target_presence()
        if self.random.random() < rate:
            m.execute(m.day, g.side, self.index, g.action, ordered=self.principal.campaign)

    def accident(self, t: int) -> None:
        """An unordered act of this group whose odds scale with its side's alert (PS752)."""
        m = self.model
        c = m.p.compiled
        hazard = m.p.scenario.hazards.accident_per_max_alert_day * self.principal.alert
        if c.accident_action is not None and self.random.random() < hazard:
            m.ledger.accidents += 1
            m.execute(t, self.spec.side, self.index, c.accident_action, ordered=False)

    def lose_control(self, t: int) -> None:
        """An unordered strike whose odds scale with the dyad's running rung level."""
        m = self.model
        c = m.p.compiled
        hazard = m.p.scenario.hazards.loss_of_control_per_day * m.rung_level
        if c.loc_action is not None and self.random.random() < hazard:
            m.execute(t, self.spec.side, self.index, c.loc_action, ordered=False)

    def harass_shipping(self, t: int) -> None:
        """Maritime front: attack shipping, more with hostility, less under partner deterrence."""
        m = self.model
        f = m.p.scenario.fronts.maritime
        ordered = self.principal.campaign
        rate = (
            f.base_hazard
            * (1.0 + f.hostility_sensitivity * m.hostility)
            * (1.0 - f.deterrence_effect * f.posture)
            * (m.p.scenario.hazards.ordered_multiplier if ordered else 1.0)
        )
        if m.p.maritime_action is not None and self.random.random() < rate:
            m.ledger.maritime_incidents += 1
            m.execute(
                t,
                self.spec.side,
                self.index,
                m.p.maritime_action,
                ordered=ordered,
                victim=m.p.maritime_victim,
                front_event=True,
            )

    def decay(self) -> None:
        self.grievance *= self.model.p.decay_grievance


class HostNation(mesa.Agent):
    """The state whose soil the crisis is fought on: expulsion pressure, then withdrawal."""

    model: CrisisModel

    def __init__(self, model: CrisisModel) -> None:
        super().__init__(model)
        self.front = model.p.scenario.fronts.host
        self.pressure = self.front.initial_pressure
        self.days_above = 0
        self.expulsion_day = -1
        self.withdrawal_day = -1
        self.follow_on_due = NEVER
        self.follow_on_day = -1
        self.soil_strikes_today = 0
        self.deaths_today = 0

    def witness(self, target: int, rung: int, deaths: int, victim: int) -> None:
        """Count today's strikes on the host's soil and its citizens killed."""
        if target in self.model.p.soil_targets and rung >= KINETIC_RUNG:
            self.soil_strikes_today += 1
        if victim == self.model.p.host_nationality:
            self.deaths_today += deaths

    def end_of_day(self, t: int, alive: bool) -> None:
        """E' = E decay + a strikes + b deaths + s sanctions - d diplomacy; order after D days."""
        h = self.front
        self.pressure = max(
            0.0,
            self.pressure * self.model.p.decay_pressure
            + h.per_strike * self.soil_strikes_today
            + h.per_host_death * self.deaths_today
            + h.sanctions_effect * h.sanctions_threat
            - h.diplomacy_effect * h.diplomacy,
        )
        self.soil_strikes_today = self.deaths_today = 0
        self.days_above = self.days_above + 1 if alive and self.pressure >= h.threshold else 0
        if self.expulsion_day < 0 and self.days_above >= h.days_above:
            self.expulsion_day = t
        if (
            self.expulsion_day >= 0
            and self.withdrawal_day < 0
            and t - self.expulsion_day >= h.withdrawal_lag_days
        ):
            self.withdrawal_day = t
            if self.random.random() < h.follow_on_probability:
                self.follow_on_due = t + h.follow_on_lag_days
        if self.follow_on_day < 0 and self.follow_on_due <= t:
            self.follow_on_day = t

    @property
    def withdrawn(self) -> bool:
        return self.withdrawal_day >= 0


class NuclearProgramme(mesa.Agent):
    """The challenger's breakout time: eroded step by step without a dialogue, restored with one."""

    model: CrisisModel

    def __init__(self, model: CrisisModel) -> None:
        super().__init__(model)
        self.front = model.p.scenario.fronts.nuclear
        self.breakout = self.front.breakout_months
        self.dialogue = self.front.dialogue and self.front.enabled
        self.crisis_day = -1
        self.quiet_streak = 0

    def end_of_day(self, t: int, alive: bool) -> None:
        """A quiet dyad may open a dialogue; every step_days the breakout time moves one step."""
        n, m = self.front, self.model
        quiet = not m.lethal_today and m.ledger.day_rung <= m.p.scenario.outcomes.stable_rung
        self.quiet_streak = self.quiet_streak + 1 if quiet else 0
        p_start = n.dialogue_start_daily + (
            n.dialogue_start_after_quiet if self.quiet_streak >= n.quiet_days_for_opportunity else 0
        )
        rnd = self.random.random
        u_start, u_collapse = rnd(), rnd()
        if self.dialogue:
            # a direct exchange ends a dialogue (the opening event is the premise, not an exchange)
            if u_collapse < n.dialogue_collapse_daily or (
                m.ledger.day_rung >= DIRECT_RUNG and t > 0
            ):
                self.dialogue = False
        elif alive and u_start < p_start:
            self.dialogue = True
        if t > 0 and t % n.step_days == 0:
            if self.dialogue:
                self.breakout = min(n.max_months, self.breakout + n.step_months)
            else:
                self.breakout = max(0.0, self.breakout - n.step_months)
        if (
            alive
            and self.crisis_day < 0
            and not self.dialogue
            and self.breakout < n.crisis_threshold_months
        ):
            self.crisis_day = t
            if n.preventive_strike and rnd() < n.preventive_strike_probability:
                m.leaderships[DEFENDER].pending = STRIKE_STATE  # executed tomorrow
