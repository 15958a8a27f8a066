"""The agents of one crisis: two leaderships, their armed groups, the host nation, Iran's programme.

Each agent keeps its own state as plain Python attributes and changes it in its own methods; the
model (model.py) calls those methods phase by phase in the order of one crisislab day, and keeps
the truth that no agent may read (the ledger). A leadership's decisions read only what it
perceives (its belief, its alert, its perceived events, the answers and red lines it has seen
enforced) and its own hidden state (its resolve and grievance).
"""

from __future__ import annotations

import math
import operator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import mesa

from crisislab.engine.compiled import Action, RedLineSpec
from crisislab.engine.constants import (
    CHALLENGER,
    CRISIS_THREAT,
    DEFENDER,
    DIRECT_RUNG,
    DOCTRINES,
    KINETIC_RUNG,
    NEVER,
    OVERT_ODDS,
    ROLES,
    SLOT_MEMORY_DAYS,
    SLOTS,
    TOP_RUNG,
)

from .parameters import EPS, GroupParameters

if TYPE_CHECKING:
    from .model import CrisisModel

NONE, STRIKE_PROXY, STRIKE_STATE, RETALIATE = 0, 1, 2, 3
# the answers a leadership chooses among: none, a proxy strike, a state strike, a campaign
OPTION_KIND = (NONE, STRIKE_PROXY, STRIKE_STATE, STRIKE_STATE)
CAMPAIGN_OPTION = 3
LEADERSHIP, PROXY = ROLES.index("leadership"), ROLES.index("proxy")
RESTRAINT, TARGETED, PROPORTIONAL, GTFT = (
    DOCTRINES.index(d) for d in ("restraint", "targeted", "proportional", "gtft")
)
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


def logistic(precision: float, eu: float) -> float:
    """The logit choice probability of an option against holding (McKelvey & Palfrey 1995)."""
    z = precision * eu
    if z >= 0.0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


def quantal_choice(eu: tuple[float, ...], precision: float, u: float) -> int:
    """Option k with probability exp(λ EU_k) / Σ exp(λ EU); a forbidden option has EU = -inf."""
    top = max(eu)
    weights = [math.exp(precision * (x - top)) if x > -math.inf else 0.0 for x in eu]
    x = u * sum(weights)
    cumulative = 0.0
    for option, w in enumerate(weights[:-1]):
        cumulative += w
        if x < cumulative:
            return option
    return len(weights) - 1


def answer_rate(answered: float, unanswered: float) -> float:
    """The share of its attacks a leadership has seen the other side answer (Beta-binomial)."""
    return answered / (answered + unanswered)


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
    """A state's decision centre: hidden resolve and grievance; it perceives, believes, orders its
    groups to attack or hold, answers attacks and keeps (or not) its red lines."""

    model: CrisisModel

    def __init__(self, model: CrisisModel, side: int) -> None:
        super().__init__(model)
        p = model.p
        r = p.scenario.resolve
        self.side = side
        self.spec = p.sides[side]
        # hidden resolve: a two-point mixture by type_prior, a Beta around each type's mean kept
        # on its side of 1/2; "limited" is the label resolve < 1/2 (drawn, then daily)
        limited = self.random.random() < self.spec.type_prior
        mean = r.limited_mean if limited else r.aggressive_mean
        drawn = self.random.betavariate(mean * r.concentration, (1.0 - mean) * r.concentration)
        self.resolve_drawn = min(drawn, 0.499) if limited else max(drawn, 0.501)
        self.resolve = self.resolve_drawn
        self.limited = limited
        self.rage = 0.0  # grievance: revenge owed to the other side
        self.belief = self.spec.prior_trust  # P(the other leadership is limited)
        self.alert = p.initial_alert[side]
        self.credibility = self.credibility_prior = p.credibility_prior[side]
        self.answered, self.unanswered = 1.0, 2.0  # the other side's answers to its attacks
        self.threat = CRISIS_THREAT  # forecast of hostile acts against it per day
        self.calm_days = 0
        self.day_rung = 0  # highest rung perceived today
        self.slots: list[PerceivedEvent | None] = [None] * SLOTS  # a ring of perceived attacks
        self.slot_next = 0
        self.message_due = NEVER
        self.campaign = False  # own groups under orders to attack
        self.occasion = False  # reviews its orders tomorrow (it perceived an attack today)
        self.direct_campaign = 0  # days of its campaign of direct strikes (0: none)
        self.effort = 0.0  # enforcement effort over own groups
        self.commitment = 0.0  # public commitment from inflammatory statements
        self.heard_commitment = 0.0  # the other's, from the statements it heard
        self.pending = NONE  # the answer chosen, carried out once its planning is done
        self.pending_group = -1
        self.pending_due = NEVER  # the day it is carried out
        self.bound_kind = NONE  # a fired red line's response (> 0 committed, < 0 its choice)
        self.bound_group = -1
        self.bound_event: PerceivedEvent | None = None
        self.red_lines: list[tuple[int, RedLineSpec]] = [
            (i, line) for i, line in enumerate(p.red_lines) if line.owner == side
        ]
        self.can_execute = (
            True,
            self.spec.strike_proxy is not None,
            self.spec.strike_state is not None,
            self.spec.retaliate is not None,
        )
        self.doctrine = DOCTRINES.index(self.spec.doctrine)
        self.obligation = {str(k): v for k, v in p.scenario.logit.obligation.items()}[
            self.spec.doctrine
        ]
        self.leads_groups = any(g.spec.side == side for g in p.groups)
        self.adversary: Leadership  # set by the model once both exist
        self.adversary_groups: list[ArmedGroup] = []

    def active_events(self) -> list[PerceivedEvent]:
        """The open slots, in slot order."""
        return [ev for ev in self.slots if ev is not None and ev.active]

    # --- orders and execution ---------------------------------------------------------------

    def credible(self) -> float:
        """The credibility of the other's red lines once its public commitment is heard."""
        audience = self.adversary.spec.audience_cost
        return 1.0 - (1.0 - self.credibility) * math.exp(-audience * self.heard_commitment)

    def order_utility(self) -> float:
        """ΔEU of ordering its groups to attack, against holding: the stake and the revenge, less
        the cost and the expected loss of an answer (the other's red lines, with their
        credibility, or its perceived answer rate): deterrence is this last term."""
        lg = self.model.p.scenario.logit
        r = self.resolve
        cross = self.model.p.cross_chance[self.side]
        p_answer = cross * self.credible() + (1.0 - cross) * answer_rate(
            self.answered, self.unanswered
        )
        expected_loss = p_answer * lg.answer_loss * (1.0 - r) * (2.0 - self.belief)
        return (
            r * lg.order_value
            + lg.grievance_weight * self.rage
            - (1.0 - r) * lg.order_cost
            - expected_loss
        )

    def issue_orders(self, t: int, alive: bool) -> None:
        """On a decision occasion (a background rate, higher on alert, or the day after an attack
        it perceived) order its groups to attack or hold, by the logit of the order's utility;
        then its posture: a leadership below resolve 1/2 restrains its groups."""
        m = self.model
        if self.leads_groups:
            rate = 1.0 / m.p.scenario.logit.occasion_days
            u = self.random.random()
            if alive and t > 0 and (u < rate * (1.0 + self.alert) or self.occasion):
                precision = m.p.scenario.logit.precision
                eu = self.order_utility()
                if self.side == CHALLENGER and m.host is not None and m.host.withdrawn:
                    eu += m.p.deterrence_after / max(precision, 1e-9)  # less to fear
                chooses = self.random.random() < logistic(precision, eu)
                if chooses and not self.campaign:
                    m.ledger.orders[self.side] += 1
                self.campaign = chooses
            self.occasion = False
        self.effort = self.spec.enforcement if self.resolve < 0.5 else 0.0

    def plan(self, kind: int, group: int, due: int) -> None:
        """An answer to carry out on day `due` (it replaces one still in planning)."""
        self.pending, self.pending_group, self.pending_due = kind, group, due

    def execute_response(self, t: int, alive: bool) -> None:
        """Carry out the answer that falls due today (a run at war carries out none: its answers
        wait, and a ceasefire cancels them)."""
        kind, group, spec, m = self.pending, self.pending_group, self.spec, self.model
        if not alive or kind == NONE or self.pending_due > t:
            return
        self.plan(NONE, -1, NEVER)
        if kind == STRIKE_PROXY and spec.strike_proxy is not None:
            if group < 0 or m.armed_groups[group].spec.side == self.side:
                return
            target = m.armed_groups[group]
            target.struck()
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

    def send_message(self, t: int, mimic: bool = True) -> None:
        """'The matter is concluded': always sent if limited, mimicked with odds 1/LR otherwise."""
        c, message = self.model.p.compiled, self.spec.message
        if not c.channel_open or message is None:
            return
        rnd = self.random.random
        if not (self.limited or rnd() < 1.0 / max(c.lr_msg, 1.0) or not mimic):
            return
        arrival = t + latency(c.latency_days, rnd())
        led = self.model.ledger
        led.messages_sent[self.side] += 1
        self.adversary.message_due = min(self.adversary.message_due, arrival)
        led.goldstein += message.goldstein
        led.rivera += message.rivera

    def speak(self, t: int, alive: bool) -> None:
        """An inflammatory statement, if this leadership makes them and chooses to today."""
        spec, m = self.spec, self.model
        action = spec.rhetoric
        s = m.p.scenario
        if not spec.inflammatory or action is None:
            return
        if not (alive and self.random.random() < s.rhetoric.daily_probability):
            return
        self.commitment += s.stocks.commitment_per_inflammatory_day
        self.adversary.heard_commitment += s.stocks.commitment_per_inflammatory_day
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

    # --- what befalls it --------------------------------------------------------------------

    def suffer(self, weight: float, commander_killed: bool) -> None:
        """A hostile act on its people: its grievance grows; a senior commander killed rallies
        it round the flag."""
        self.rage += weight
        if commander_killed:
            self.resolve = min(0.99, self.resolve + self.model.p.scenario.resolve.rally)

    def avenged(self, weight: float) -> None:
        """Its own strike pays down its grievance."""
        self.rage = max(0.0, self.rage - weight)

    def learn_answer(self, answered: bool) -> None:
        """The other side answered one of its attacks, or left it unanswered."""
        if answered:
            self.answered += 1.0
        else:
            self.unanswered += 1.0

    def learn_enforcement(self, enforced: bool) -> None:
        """A red line of the other side fired: enforced, its credibility rises by half the gap."""
        k = self.credibility
        self.credibility = k + (1.0 - k) * 0.5 if enforced else k * 0.3

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
        perceived = min(TOP_RUNG, max(0, round(noisy)))  # round() rounds halves to even, as rint
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
        m.hostility += perceived / TOP_RUNG
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
        self.slots[self.slot_next] = event  # a full ring forgets its oldest event
        self.slot_next = (self.slot_next + 1) % SLOTS

    def receive(self, t: int) -> None:
        """Messages, reports, findings and disavowals that are due arrive; P(ordered) is
        reassessed."""
        c = self.model.p.compiled
        if self.message_due <= t:
            self.belief = update_belief(self.belief, c.lr_msg, self.model.gamma)
            self.message_due = NEVER
        for ev in self.active_events():
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

    def observe_groups(self, alive: bool) -> None:
        """Each adversary group seen acting today, or not, is evidence about its principal."""
        if not alive:
            return
        for g in self.adversary_groups:
            ratio = g.params.lr_seen if g.seen_today else g.params.lr_unseen
            self.belief = update_belief(self.belief, ratio, self.model.gamma)

    # --- red lines and answers ----------------------------------------------------------------

    def check_red_lines(self, t: int, alive: bool) -> None:
        """Fire each red line at most once per perceived event; the line's draw says whether the
        owner is committed to its response (bound_kind > 0) or left to choose (< 0)."""
        self.bound_kind, self.bound_group, self.bound_event = NONE, -1, None
        if not alive:
            return
        led = self.model.ledger
        for i, line in self.red_lines:
            first: PerceivedEvent | None = None
            for ev in self.active_events():
                if i in ev.fired:
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
            if line.response > 0 and self.bound_kind <= 0:
                self.bound_kind = line.response if enforced else -line.response
                self.bound_group = first.group
                self.bound_event = first
            elif not enforced and line.response == 0:
                led.red_line_unenforced[self.side] += 1

    def answer_utilities(
        self,
        p_ordered: float,
        backing_down: float,
        line_fired: bool,
        proxy_possible: bool,
        perceived: int,
    ) -> tuple[float, float, float, float]:
        """ΔEU against no violent answer of a proxy strike, a state strike and a campaign of
        direct strikes (model.md §5.13): its resolve, grievance and beliefs, the posterior that
        the state ordered the act; the other's answer weighs its perceived answer rate (a proxy
        strike) or its red lines' credibility (a state strike). The doctrine forbids options;
        leaving its own fired line unanswered costs `backing_down`."""
        s = self.model.p.scenario
        lg, spec = s.logit, self.spec
        dv, cost = lg.deterrence_value, lg.action_cost
        r, kappa = self.resolve, self.credible()
        loss = lg.answer_loss * (1.0 - r) * (2.0 - self.belief)
        revenge = lg.grievance_weight * self.rage + self.obligation + backing_down
        rate = answer_rate(self.answered, self.unanswered)
        eu_proxy = (
            r * dv["strike_proxy"] * (1.0 - p_ordered)
            - (1.0 - r) * cost["strike_proxy"]
            - rate * lg.proxy_risk_share * loss
            + revenge
        )
        eu_state = (
            r * dv["strike_state"] * p_ordered
            - (1.0 - r) * cost["strike_state"]
            - kappa * loss
            + revenge
        )
        eu_campaign = (
            r * (dv["strike_state"] * p_ordered + lg.campaign_value)
            - (1.0 - r) * lg.campaign_cost
            - 2.0 * kappa * loss
            + revenge
        )
        state_act = spec.strike_state if spec.strike_state is not None else spec.retaliate
        capped = state_act is not None and state_act.plain.rung > perceived + 1
        forbidden = -math.inf
        if self.doctrine == RESTRAINT and not line_fired:
            eu_proxy = eu_state = eu_campaign = forbidden
        if self.doctrine == TARGETED and not line_fired:
            eu_state = eu_campaign = forbidden
        if self.doctrine in (PROPORTIONAL, GTFT) and capped and not line_fired:
            eu_state = eu_campaign = forbidden
        if not proxy_possible:
            eu_proxy = forbidden
        if state_act is None:
            eu_state = eu_campaign = forbidden
        return 0.0, eu_proxy, eu_state, eu_campaign

    def _worst_new_event(self, t: int) -> PerceivedEvent | None:
        """The first of today's new perceived attacks with the highest perceived rung."""
        thresholds = self.model.p.thresholds
        worst, best = None, -1
        for ev in self.active_events():
            if ev.day != t:
                continue
            if ev.perceived_rung >= thresholds[ev.target] and ev.perceived_rung > best:
                worst, best = ev, ev.perceived_rung
        return worst

    def choose_response(self, t: int, alive: bool) -> None:
        """Answer today's worst perceived attack, or a red line of its own that fired: a committed
        owner carries out the line's response; otherwise the logit quantal response over the
        answers' utilities decides. The attacker learns from the answer (its answer rate) and
        from whether a fired red line was enforced (its credibility)."""
        worst = self._worst_new_event(t) if alive else None
        fired = self.bound_kind != NONE
        if worst is None and not fired:
            return
        m, spec = self.model, self.spec
        u = self.random.random()
        trigger = worst is not None
        # what the answer is about: today's worst attack, else the event that fired the line
        about = worst if trigger else self.bound_event
        overt = about is None or about.role == LEADERSHIP
        group = -1 if about is None else about.group
        p_ordered = 1.0 if overt or about is None else about.p_ordered
        committed = self.bound_kind > 0
        backing_down = spec.audience_cost * self.commitment
        if fired and not committed:
            backing_down += spec.audience_cost * (1.0 + self.commitment)
        if fired:
            group = self.bound_group
        perceived = worst.perceived_rung if worst is not None else TOP_RUNG
        eu = self.answer_utilities(
            p_ordered, backing_down, fired, group >= 0 and spec.strike_proxy is not None, perceived
        )
        option = quantal_choice(eu, m.p.scenario.logit.precision, u)
        kind = self.bound_kind if committed else OPTION_KIND[option]
        if kind == STRIKE_STATE and spec.strike_state is None:
            kind = RETALIATE
        if not self.can_execute[kind]:
            kind = NONE
        if option == CAMPAIGN_OPTION and kind != NONE and not committed:
            self.direct_campaign = 1
        if fired and not committed and kind == NONE:  # backed down from its own line
            m.ledger.red_line_unenforced[self.side] += 1
            m.ledger.audience_cost[self.side] += backing_down
        if trigger:
            self.adversary.learn_answer(kind != NONE)
        if fired:
            self.adversary.learn_enforcement(kind != NONE)
        self.occasion = True
        # a planning delay: lognormal days (ICB timing), at least the next day
        lg = m.p.scenario.logit
        days = lg.planning_median_days * math.exp(lg.planning_sigma * self.random.gauss())
        due = t + max(1, math.floor(days + 0.5))
        if kind != NONE or self.pending == NONE:  # a strike in planning stands
            if self.pending != NONE:
                due = min(due, self.pending_due)
            self.plan(kind, group if kind == STRIKE_PROXY else -1, due)
        if t > 0 and kind != NONE and not committed:
            m.ledger.orders[self.side] += 1

    # --- end of day ---------------------------------------------------------------------------

    def end_of_day(self, t: int) -> None:
        """Alert and commitment decay; settled or old events are put out of mind."""
        p = self.model.p
        self.alert *= p.decay_alert
        self.commitment *= p.decay_commitment
        self.heard_commitment *= p.decay_commitment
        for ev in self.active_events():
            settled = (
                ev.report_day <= t
                and (ev.finding_day == NEVER or ev.finding_day <= t)
                and (ev.c2_day == NEVER or ev.c2_day <= t)
            )
            if settled or t - ev.day >= SLOT_MEMORY_DAYS - 1:
                ev.active = False

    def hidden_stocks(self) -> None:
        """Its belief about the other drifts toward its prior (it expects the other's resolve to
        move); resolve reverts toward its drawn value, lowered for good by the log of its own
        deaths; grievance decays; the credibility of the other's red lines drifts back to its
        prior; the forecast of hostile acts moves, and its days near the pre-crisis level are
        counted."""
        m = self.model
        p = m.p
        s = p.scenario
        trust = self.spec.prior_trust
        self.belief = trust + (self.belief - trust) * p.decay_belief
        own_deaths = m.ledger.deaths[self.spec.nationality]
        target = self.resolve_drawn - s.resolve.death_slope * math.log1p(own_deaths)
        r = target + (self.resolve - target) * p.decay_resolve
        self.resolve = min(0.99, max(0.01, r))
        self.limited = self.resolve < 0.5
        self.rage *= p.decay_grievance
        prior = self.credibility_prior
        self.credibility = prior + (self.credibility - prior) * p.decay_credibility
        hostile = self.day_rung >= s.doctrines.attack_threshold
        self.threat = self.threat * p.decay_threat + (1.0 - p.decay_threat) * hostile
        self.calm_days = self.calm_days + 1 if self.threat <= p.calm_level else 0

    def continue_campaign(self, t: int) -> None:
        """A campaign of direct strikes goes on (a strike tomorrow) until it stops."""
        if self.direct_campaign == 0:
            return
        if self.random.random() < 1.0 / self.spec.campaign_mean_days:
            self.direct_campaign = 0
            return
        self.direct_campaign += 1
        strike = STRIKE_STATE if self.spec.strike_state is not None else RETALIATE
        self.plan(strike, -1, t + 1)  # a campaign strikes every day


def signal_ratio(action: Action, perceived: int) -> float | None:
    """A leadership's act is read as the variant whose rung is nearest the perceived one."""
    plain, warned = action.plain, action.warned
    if warned is None:
        return plain.signal_ratio
    if abs(perceived - warned.rung) < abs(perceived - plain.rung):
        return warned.signal_ratio or 1.0
    return plain.signal_ratio or 1.0


class ArmedGroup(mesa.Agent):
    """A proxy or faction: attacks on its own hazard, more often under its principal's orders,
    more with grievance, less once strikes have suppressed it."""

    model: CrisisModel

    def __init__(self, model: CrisisModel, params: GroupParameters, principal: Leadership) -> None:
        super().__init__(model)
        self.params = params
        self.spec = params.spec
        self.index = params.index
        self.principal = principal
        self.grievance = self.spec.grievance0
        self.suppression = 0.0  # capability lost to strikes
        self.seen_today = False

    def step(self) -> None:
        """Attack today with probability λ0 exp(β G - e S) (m under orders, else 1 - c_eff)."""
        m, g = self.model, self.spec
        s = m.p.scenario
        if self.principal.campaign:
            factor = s.hazards.ordered_multiplier
        else:
            control = min(1.0, g.control + s.hazards.enforcement_effect * self.principal.effort)
            factor = 1.0 - control
        y = (
            s.stocks.grievance_sensitivity * self.grievance
            - s.stocks.suppression_effect * self.suppression
        )
        rate = g.base_hazard * math.exp(y) * factor
        if self.params.presence:
            rate *= m.target_presence()
        if self.random.random() < min(rate, 1.0):
            m.execute(m.day, g.side, self.index, g.action, ordered=self.principal.campaign)

    def struck(self) -> None:
        """A strike on its sites: more grievance, less capability."""
        self.grievance += self.model.p.scenario.stocks.grievance_per_strike
        self.suppression += 1.0

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
        """Maritime front: attack shipping, more with hostility, less under partner deterrence,
        more the less its side's attacks have been answered."""
        m = self.model
        f = m.p.scenario.fronts.maritime
        principal = self.principal
        ordered = principal.campaign
        invited = 2.0 * (1.0 - answer_rate(principal.answered, principal.unanswered))
        rate = (
            f.base_hazard
            * (1.0 + f.hostility_sensitivity * m.hostility)
            * m.p.sea_posture
            * invited
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
        p = self.model.p
        self.grievance *= p.decay_grievance
        self.suppression *= p.decay_suppression


class HostNation(mesa.Agent):
    """The state whose soil the crisis is fought on: expulsion pressure, a binding vote, the
    defender's withdrawal, and the defender's choice of a follow-on withdrawal."""

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

    def witness(self, target: int, group: int, rung: int, deaths: int, victim: int) -> None:
        """A violation of its sovereignty by any side (a strike on a target kind on its soil, or
        an armed group's attack on the defender's forces stationed there), its citizens killed."""
        p = self.model.p
        on_soil = target in p.soil_targets or (group >= 0 and p.groups[group].presence)
        if on_soil and rung >= KINETIC_RUNG:
            self.soil_strikes_today += 1
        if victim == p.host_nationality:
            self.deaths_today += deaths

    def end_of_day(self, t: int) -> bool:
        """E' = E decay + a strikes + b deaths + s sanctions - d diplomacy; while above the
        threshold a binding vote may expel the defender, whose withdrawal then takes its time.
        True if the forces left today."""
        h, p = self.front, self.model.p
        self.pressure = max(
            0.0,
            self.pressure * p.decay_pressure
            + h.per_strike * self.soil_strikes_today
            + h.per_host_death * self.deaths_today
            + h.sanctions_effect * h.sanctions_threat
            - h.diplomacy_effect * h.diplomacy,
        )
        self.soil_strikes_today = self.deaths_today = 0
        above = self.pressure >= h.threshold
        self.days_above = self.days_above + 1 if above else 0
        rnd = self.random.random
        if self.expulsion_day < 0 and above and rnd() < p.host_vote:
            self.expulsion_day = t
        # withdrawal is a process the defender slows with diplomacy (host_leave)
        expelled = self.expulsion_day >= 0 and t > self.expulsion_day
        leaves = expelled and self.withdrawal_day < 0 and rnd() < p.host_leave
        if leaves:
            self.withdrawal_day = t
        if self.follow_on_day < 0 and self.follow_on_due <= t:
            self.follow_on_day = t
        return leaves

    def follow_on(self, t: int) -> None:
        """The follow-on withdrawal is the defender's choice: its dependence on the host against
        the theatre's value, weighed by its resolve."""
        h, m = self.front, self.model
        eu = h.dependence - 2.0 * m.leaderships[DEFENDER].resolve * h.theatre_value
        if self.random.random() < logistic(m.p.scenario.logit.precision, eu):
            self.follow_on_due = t + h.follow_on_lag_days
            if self.follow_on_day < 0 and self.follow_on_due <= t:
                self.follow_on_day = t

    @property
    def withdrawn(self) -> bool:
        return self.withdrawal_day >= 0


class NuclearProgramme(mesa.Agent):
    """The challenger's breakout time: cut by the steps it chooses to take, restored in a
    dialogue."""

    model: CrisisModel

    def __init__(self, model: CrisisModel) -> None:
        super().__init__(model)
        self.front = model.p.scenario.fronts.nuclear
        self.breakout = self.front.breakout_months
        self.dialogue = self.front.dialogue and self.front.enabled
        self.crisis_day = -1
        self.quiet_streak = 0

    def end_of_day(self, t: int, alive: bool) -> bool:
        """A quiet dyad may open a dialogue; every step_days the breakout time moves: up in a
        dialogue, otherwise down by a step of noisy size if the challenger chooses to take it
        (its resolve, its belief about the defender, the preventive strike it fears). True if a
        breakout crisis began today."""
        n, m = self.front, self.model
        led = m.ledger
        quiet = not m.lethal_today and led.day_rung <= m.p.scenario.outcomes.stable_rung
        self.quiet_streak = self.quiet_streak + 1 if quiet else 0
        p_start = n.dialogue_start_daily + (
            n.dialogue_start_after_quiet if self.quiet_streak >= n.quiet_days_for_opportunity else 0
        )
        rnd = self.random.random
        u_start, u_collapse = rnd(), rnd()
        if self.dialogue:
            # a direct exchange ends a dialogue (the opening event is the premise, not an exchange)
            if u_collapse < n.dialogue_collapse_daily or (led.day_rung >= DIRECT_RUNG and t > 0):
                self.dialogue = False
        elif alive and u_start < p_start:
            self.dialogue = True
        if t > 0 and t % n.step_days == 0:
            if self.dialogue:
                self.breakout = min(n.max_months, self.breakout + n.step_months)
            else:
                challenger = m.leaderships[CHALLENGER]
                lg = m.p.scenario.logit
                r, belief = challenger.resolve, challenger.belief
                strike = n.preventive_strike_probability if n.preventive_strike else 0.0
                feared = strike * lg.answer_loss * (1.0 - r) * (2.0 - belief)
                eu = r * n.step_value - (1.0 - r) * n.step_cost - feared
                u_step, u_size = rnd(), rnd()
                if u_step < logistic(lg.precision, eu):
                    self.breakout = max(0.0, self.breakout - n.step_months * (0.5 + u_size))
        if self.crisis_day < 0 and not self.dialogue and self.breakout < n.crisis_threshold_months:
            self.crisis_day = t
            return True
        return False

    def preventive_strike(self, t: int) -> None:
        """A breakout crisis began: the defender may strike the state (tomorrow)."""
        n, m = self.front, self.model
        if n.preventive_strike and self.random.random() < n.preventive_strike_probability:
            m.leaderships[DEFENDER].plan(STRIKE_STATE, -1, t + 1)
