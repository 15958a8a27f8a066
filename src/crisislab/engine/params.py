"""The scenario as the day loop reads it: flat tables of parameters (kernel.Params).

`parameters` turns a compiled scenario, the days to run and what to record into the named
parameter tables; their columns are named in layout.py. The day's dense uniforms are laid out
here too: which keyed draw (purpose, slot) fills which row (draws.py).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from crisislab.engine import beliefs
from crisislab.engine import draws as purpose
from crisislab.engine import layout as col
from crisislab.engine.compiled import Action, Compiled, compile_action, decay_factor
from crisislab.engine.constants import (
    CHALLENGER,
    CONDITION_FIELDS,
    CONDITION_OPS,
    DEFENDER,
    DOCTRINES,
    ROLES,
    TARGETS,
)
from crisislab.engine.kernel import Params
from crisislab.engine.script import Script

FORCES = TARGETS.index("forces")

# Rows of the day's dense uniforms u[row, run]: the hazards', each side's pair (campaign,
# rhetoric), the nuclear programme's pair (dialogue, collapse), the maritime hazard's, then one
# per group.
ROW_ACCIDENT, ROW_LOSS, ROW_SIDES, ROW_DIALOGUE, ROW_COLLAPSE, ROW_MARITIME = 0, 1, 2, 6, 7, 8
ROW_DECIDE = 9  # + side: the choice on a decision occasion
ROW_HOST = 11  # the host's binding vote, then the withdrawal's progress
ROW_GROUPS = 13


@dataclass(frozen=True)
class Setup:
    """A compiled scenario with what one batch adds: the days, the script, what to record.
    Figures derived from the scenario are computed once (cached properties)."""

    c: Compiled
    t0: int  # the first simulated day; days before it are replayed from the script
    days: int  # simulated days
    script: Script | None = None
    tracing: bool = False
    daily: bool = False
    external: frozenset[int] = frozenset()  # sides whose choices an external policy makes

    @property
    def conditioned(self) -> bool:
        """Whether the replay weighs its particles by the record (MODEL.md §14): when there are
        replayed days and armed groups whose acts the record shows or omits."""
        return self.t0 > 0 and len(self.c.groups) > 0

    @property
    def window_start(self) -> int:
        return self.t0 + self.days - min(self.c.scenario.outcomes.stable_window_days, self.days)

    def side_of(self, actor: str) -> int:
        for i, side in enumerate(self.c.sides):
            if side.id == actor:
                return i
        return self.c.groups[self.group_index(actor)].side

    def group_index(self, actor: str) -> int:
        return next((i for i, g in enumerate(self.c.groups) if g.id == actor), -1)

    def action(self, action_id: str) -> Action:
        return compile_action(action_id, self.c.scenario.actions[action_id])

    @cached_property
    def initial_action(self) -> Action | None:
        ev = self.c.scenario.initial_event
        return self.action(ev.action) if ev is not None else None

    @cached_property
    def can_execute(self) -> tuple[list[bool], list[bool]]:
        """Per side, whether it has an action for each response (none first): a response a side
        has no action for is not taken, and is no order."""
        moves = ("strike_proxy", "strike_state", "retaliate")
        return tuple(  # type: ignore[return-value]
            [True, *(getattr(self.c.sides[s], m) is not None for m in moves)]
            for s in (DEFENDER, CHALLENGER)
        )

    # the strategic fronts
    @property
    def host_on(self) -> bool:
        return self.c.scenario.fronts.host.actor is not None

    @cached_property
    def host_nat(self) -> int:
        f, c = self.c.scenario.fronts, self.c
        if f.host.actor is None:
            return -1
        return c.nationalities.index(c.scenario.actors[f.host.actor].nationality)

    @cached_property
    def soil(self) -> tuple[int, ...]:
        return tuple(TARGETS.index(t) for t in self.c.scenario.fronts.host.soil_targets)

    @cached_property
    def sea_group(self) -> int | None:
        groups = [g.id for g in self.c.groups]
        actor = self.c.scenario.fronts.maritime.actor
        return groups.index(actor) if actor in groups else None

    @cached_property
    def sea_action(self) -> Action | None:
        if self.sea_group is None:
            return None
        return self.action(self.c.scenario.fronts.maritime.action)

    @cached_property
    def sea_victim(self) -> int | None:
        c = self.c
        partners = [a.nationality for a in c.scenario.actors.values() if a.role == "coalition"]
        return c.nationalities.index(partners[0]) if partners else None

    @property
    def host(self):
        return self.c.scenario.fronts.host

    @property
    def maritime(self):
        return self.c.scenario.fronts.maritime

    @property
    def nuclear(self):
        return self.c.scenario.fronts.nuclear


def parameters(setup: Setup) -> Params:
    """The kernel's parameter tables."""
    act_f, act_i, index = actions(setup)

    def act(action: Action | None) -> int:
        return index[action.id] if action is not None else -1

    pf = np.zeros(col.PF_COLUMNS)
    pi = np.zeros(col.PI_COLUMNS, np.int64)
    for key, value in _scalars(setup, act).items():
        (pf if key.startswith("PF_") else pi)[getattr(col, key)] = value
    for target in setup.soil:
        pi[col.PI_SOIL + target] = 1
    side_f, side_i = _sides(setup, act)
    group_f, group_i = _groups(setup, act)
    line_f, line_i, cond_i, cond_v = _red_lines(setup)
    return Params(
        pf,
        pi,
        side_f,
        side_i,
        group_f,
        group_i,
        act_f,
        act_i,
        line_f,
        line_i,
        cond_i,
        cond_v,
        _script(setup, act),
        _draws(setup, side_i),
    )


def _table(rows: int, width: int, dtype) -> np.ndarray:
    return np.zeros((max(rows, 1), width), dtype)


def _draws(setup: Setup, side_i: np.ndarray) -> np.ndarray:
    """The keyed draws that fill the day's uniforms: (purpose, slot, first row, second row or
    -1, whether a pass reads them). A hazard that is off, a side's rhetoric when it is not
    inflammatory: rows no pass reads are not drawn."""
    c = setup.c
    accident = c.accident_group is not None and c.accident_action is not None
    loss = c.loc_group is not None and c.loc_action is not None
    rows = [
        (purpose.HAZARDS, 0, ROW_ACCIDENT, ROW_LOSS, accident or loss),
        *(
            (purpose.SIDE, side, ROW_SIDES + 2 * side, ROW_SIDES + 2 * side + 1, True)
            for side in (DEFENDER, CHALLENGER)
        ),
        (purpose.NUCLEAR, 0, ROW_DIALOGUE, ROW_COLLAPSE, setup.nuclear.enabled),
        (purpose.MARITIME, 0, ROW_MARITIME, -1, setup.sea_group is not None),
        *((purpose.DECIDE, side, ROW_DECIDE + side, -1, True) for side in (DEFENDER, CHALLENGER)),
        (purpose.HOST, 0, ROW_HOST, ROW_HOST + 1, setup.host_on),
        *((purpose.GROUP, i, ROW_GROUPS + i, -1, True) for i in range(len(c.groups))),
    ]
    return np.array(rows, np.int64).reshape(-1, col.DRI_COLUMNS)


def _script(setup: Setup, act: Callable[[Action | None], int]) -> np.ndarray:
    """The scripted events, one row each, in the order of their days (layout.SCI)."""
    kinds = {"act": 0, "rhetoric": 1, "message": 2}
    rows = []
    events = setup.script.events if setup.script is not None else {}
    for day in sorted(events):
        for ev in events[day]:
            rows.append(
                (
                    day,
                    kinds[ev.kind],
                    ev.side,
                    ev.group,
                    act(ev.action) if ev.kind == "act" else -1,
                    -1 if ev.ordered is None else int(ev.ordered),
                    int(ev.warned),
                    ev.deaths,
                    -1 if ev.victim is None else ev.victim,
                    -1 if ev.struck_group is None else ev.struck_group,
                )
            )
    if len(rows) > purpose.MAX_SCRIPTED:
        raise ValueError(f"a script holds at most {purpose.MAX_SCRIPTED} events")
    return np.array(rows, np.int64).reshape(-1, col.SCI_COLUMNS)


def executable(setup: Setup) -> dict[str, Action]:
    """Every action the day loop can execute, by id, in the order of their rows: the sides'
    moves, the groups', the hazards' and fronts', the opening event's and the script's."""
    c = setup.c
    script = setup.script.events.values() if setup.script is not None else ()
    found: dict[str, Action] = {}
    for action in (
        *(
            getattr(side, move)
            for side in c.sides
            for move in ("strike_proxy", "strike_state", "retaliate", "rhetoric", "message")
        ),
        *(g.action for g in c.groups),
        c.accident_action,
        c.loc_action,
        setup.sea_action,
        setup.initial_action,
        *(event.action for events in script for event in events if event.kind == "act"),
    ):
        if action is not None:
            found.setdefault(action.id, action)
    return found


def actions(setup: Setup) -> tuple[np.ndarray, np.ndarray, dict[str, int]]:
    """Every action the day loop can execute, as rows of two tables, and their row numbers."""
    found = executable(setup)
    c = setup.c
    accuracy = c.scenario.attribution.accuracy
    act_f = _table(len(found), col.AF_COLUMNS, np.float64)
    act_i = _table(len(found), col.AI_COLUMNS, np.int64)
    for row, a in enumerate(found.values()):
        for v, variant in enumerate((a.plain, a.warned or a.plain)):
            act_f[row, col.AF_P_KILL + v] = variant.p_kill
            act_f[row, col.AF_DEATHS_MEAN + v] = variant.deaths_mean
            act_f[row, col.AF_INJURIES_MEAN + v] = variant.injuries_mean
            act_i[row, col.AI_RUNG + v] = variant.rung
            act_i[row, col.AI_LETHAL_RUNG + v] = variant.lethal_rung
        acc = beliefs.effective_accuracy(accuracy, a.ambiguity)
        act_f[row, col.AF_GOLDSTEIN] = a.goldstein
        act_f[row, col.AF_RIVERA] = a.rivera
        act_f[row, col.AF_P_DETECT] = a.p_detect
        act_f[row, col.AF_ACCURACY] = acc
        act_f[row, col.AF_EVIDENCE_YES] = float(beliefs.evidence_ratio(acc, True))
        act_f[row, col.AF_EVIDENCE_NO] = float(beliefs.evidence_ratio(acc, False))
        act_f[row, col.AF_RATIO_PLAIN] = a.plain.signal_ratio or 1.0
        act_f[row, col.AF_RATIO_WARNED] = (a.warned.signal_ratio if a.warned else None) or 1.0
        act_i[row, col.AI_HAS_WARNED] = a.warned is not None
        act_i[row, col.AI_HITS] = a.hits
        act_i[row, col.AI_HAS_RATIO] = a.warned is not None or a.plain.signal_ratio is not None
    return act_f, act_i, {name: row for row, name in enumerate(found)}


def _scalars(setup: Setup, act: Callable[[Action | None], int]) -> dict[str, float]:
    c = setup.c
    s = c.scenario
    o, h, st, d, lg = s.outcomes, s.hazards, s.stocks, s.doctrines, s.logit
    f = setup
    host, sea, nuc = f.host, f.maritime, f.nuclear
    ev = s.initial_event
    lag_p = 1.0 / (1.0 + s.perception.report_lag_mean_days)
    whole = math.floor(c.latency_days)
    dv, cost = lg.deterrence_value, lg.action_cost
    values: dict[str, float] = {
        "PI_DAYS": setup.days,
        "PI_T0": setup.t0,
        "PI_WINDOW_START": setup.window_start,
        "PI_UNIFORM_ROWS": ROW_GROUPS + len(c.groups),
        "PI_ROW_ACCIDENT": ROW_ACCIDENT,
        "PI_ROW_LOC": ROW_LOSS,
        "PI_ROW_GROUP": ROW_GROUPS,
        "PI_ROW_MARITIME": ROW_MARITIME,
        "PI_ROW_DIALOGUE": ROW_DIALOGUE,
        "PI_ROW_COLLAPSE": ROW_COLLAPSE,
        "PI_WAR_EXCHANGE_WINDOW": o.war_exchange_window_days,
        "PI_WAR_RUNG": o.war_rung,
        "PI_DECLARED_WAR_DAYS": o.declared_war_days,
        "PI_STABLE_RUNG": o.stable_rung,
        "PI_ACCIDENT_GROUP": -1 if c.accident_group is None else c.accident_group,
        "PI_ACCIDENT_ACTION": act(c.accident_action),
        "PI_LOC_GROUP": -1 if c.loc_group is None else c.loc_group,
        "PI_LOC_ACTION": act(c.loc_action),
        "PF_ACCIDENT_RATE": h.accident_per_max_alert_day,
        "PF_LOC_RATE": h.loss_of_control_per_day,
        "PF_ORDERED_MULTIPLIER": h.ordered_multiplier,
        "PF_ENFORCEMENT_EFFECT": h.enforcement_effect,
        "PF_GRIEVANCE_SENSITIVITY": st.grievance_sensitivity,
        "PF_GRIEVANCE_PER_STRIKE": st.grievance_per_strike,
        "PF_GRIEVANCE_PER_SPEECH": st.grievance_per_inflammatory_day,
        "PF_COMMITMENT_PER_SPEECH": st.commitment_per_inflammatory_day,
        "PF_ALERT_PER_EVENT": st.alert_per_hostile_event,
        "PF_DECAY_GRIEVANCE": decay_factor(st.grievance_half_life_days),
        "PF_DECAY_ALERT": decay_factor(st.alert_half_life_days),
        "PF_DECAY_COMMITMENT": decay_factor(st.commitment_half_life_days),
        "PF_DECAY_HOSTILITY": decay_factor(st.hostility_half_life_days),
        "PF_RHETORIC_RATE": s.rhetoric.daily_probability,
        "PF_SPEECH_RATIO": s.rhetoric.inflammatory_likelihood_ratio,
        "PI_INITIAL_SIDE": setup.side_of(ev.actor) if ev else 0,
        "PI_INITIAL_GROUP": setup.group_index(ev.actor) if ev else -1,
        "PI_INITIAL_WARNED": bool(ev and ev.warned),
        "PI_INITIAL_DEATHS": ev.deaths if ev else 0,
        "PI_INITIAL_ACTION": act(setup.initial_action) if ev else -1,
        "PI_N_GROUPS": len(c.groups),
        "PI_N_LINES": len(c.red_lines),
        "PF_EXPECTATION_BIAS": s.perception.expectation_bias,
        "PF_SIGMA": c.sigma,
        "PI_MISPERCEPTION_GAP": s.perception.misperception_gap,
        "PF_INITIAL_INJURY_SHARE": s.perception.initial_injury_share,
        "PI_LAG_ON": lag_p < 1.0,
        "PF_LAG_LOG": math.log1p(-lag_p) if lag_p < 1.0 else 0.0,
        "PF_GAMMA": s.attribution.confirmation_bias,
        "PF_ORDER_SHARE": s.attribution.assumed_order_share,
        "PI_ATTRIBUTION_DELAY": s.attribution.delay_days,
        "PF_LR_C2": c.lr_c2,
        "PF_C2_LIE": 1.0 / c.lr_c2,
        "PF_LR_MSG": c.lr_msg,
        "PF_MSG_LIE": 1.0 / max(c.lr_msg, 1.0),
        "PI_CHANNEL_OPEN": c.channel_open,
        "PI_CARRIES_C2": c.carries_c2,
        "PI_LATENCY_WHOLE": whole,
        "PF_LATENCY_FRAC": c.latency_days - whole,
        "PI_ATTACK_THRESHOLD": d.attack_threshold,
        "PI_SHIPPING_THRESHOLD": d.shipping_attack_threshold,
        "PF_LOGIT_PRECISION": lg.precision,
        "PF_LOGIT_PROXY_VALUE": dv["strike_proxy"],
        "PF_LOGIT_STATE_VALUE": dv["strike_state"],
        "PF_LOGIT_PROXY_COST": cost["strike_proxy"],
        "PF_LOGIT_STATE_COST": cost["strike_state"],
        "PF_PROXY_RISK_SHARE": lg.proxy_risk_share,
        "PF_DECAY_SUPPRESSION": decay_factor(st.suppression_half_life_days),
        "PF_SUPPRESSION_EFFECT": st.suppression_effect,
        "PI_HOST_ON": f.host_on,
        "PI_HOST_NAT": f.host_nat,
        "PF_HOST_DECAY": decay_factor(host.half_life_days),
        "PF_HOST_PER_STRIKE": host.per_strike,
        "PF_HOST_PER_DEATH": host.per_host_death,
        "PF_HOST_SANCTIONS": host.sanctions_effect * host.sanctions_threat,
        "PF_HOST_DIPLOMACY": host.diplomacy_effect * host.diplomacy,
        "PF_HOST_THRESHOLD": host.threshold,
        "PI_HOST_FOLLOW_ON_LAG": host.follow_on_lag_days,
        "PF_PRESENCE_AFTER": host.presence_after_withdrawal,
        "PF_DETERRENCE_AFTER": 1.0 + host.deterrence_loss,
        "PI_SEA_GROUP": -1 if f.sea_group is None else f.sea_group,
        "PI_SEA_ACTION": act(f.sea_action),
        "PI_SEA_VICTIM": -1 if f.sea_victim is None else f.sea_victim,
        "PF_SEA_BASE_HAZARD": sea.base_hazard,
        "PF_SEA_HOSTILITY_SENSITIVITY": sea.hostility_sensitivity,
        "PF_SEA_POSTURE_FACTOR": 1.0 - sea.deterrence_effect * sea.posture,
        "PI_NUCLEAR_ON": nuc.enabled,
        "PI_QUIET_DAYS": nuc.quiet_days_for_opportunity,
        "PF_DIALOGUE_START": nuc.dialogue_start_daily,
        "PF_DIALOGUE_AFTER_QUIET": nuc.dialogue_start_after_quiet,
        "PF_DIALOGUE_COLLAPSE": nuc.dialogue_collapse_daily,
        "PI_STEP_DAYS": nuc.step_days,
        "PF_STEP_MONTHS": nuc.step_months,
        "PF_MAX_MONTHS": nuc.max_months,
        "PF_CRISIS_THRESHOLD": nuc.crisis_threshold_months,
        "PI_PREVENTIVE_STRIKE": nuc.preventive_strike,
        "PF_PREVENTIVE_PROBABILITY": nuc.preventive_strike_probability,
        "PF_DECAY_RESOLVE": decay_factor(s.resolve.half_life_days),
        "PF_RALLY": s.resolve.rally,
        "PF_DEATH_SLOPE": s.resolve.death_slope,
        "PF_ORDER_VALUE": lg.order_value,
        "PF_ORDER_COST": lg.order_cost,
        "PF_ANSWER_LOSS": lg.answer_loss,
        "PF_GRIEVANCE_WEIGHT": lg.grievance_weight,
        "PF_OCCASION_RATE": 1.0 / lg.occasion_days,
        "PF_DECAY_CREDIBILITY": decay_factor(lg.credibility_half_life_days),
        "PF_CAMPAIGN_VALUE": lg.campaign_value,
        "PF_CAMPAIGN_COST": lg.campaign_cost,
        "PF_DECAY_THREAT": decay_factor(o.threat_half_life_days),
        "PF_CALM_LEVEL": o.end_margin * _base_rate(setup),
        "PF_WAR_END_HAZARD": 1.0 - 0.5 ** (1.0 / o.war_end_median_days),
        "PI_END_QUIET_DAYS": o.end_quiet_days,
        "PF_CASUALTY_SIGMA": o.casualty_sigma,
        "PI_ROW_DECIDE": ROW_DECIDE,
        "PI_ROW_HOST": ROW_HOST,
        "PI_EXTERNAL": sum(1 << side for side in setup.external),
        "PI_CONDITION": setup.conditioned,
        "PF_DECAY_BELIEF": decay_factor(s.resolve.belief_half_life_days),
        "PF_PLANNING_MEDIAN": lg.planning_median_days,
        "PF_PLANNING_SIGMA": lg.planning_sigma,
        "PF_HOST_VOTE": 1.0 / host.days_above,
        "PF_HOST_LEAVE": 1.0 / max(1.0, host.withdrawal_lag_days * (1.0 + host.diplomacy)),
        "PF_HOST_DEPENDENCE": host.dependence,
        "PF_THEATRE_VALUE": host.theatre_value,
        "PF_STEP_VALUE": nuc.step_value,
        "PF_STEP_COST": nuc.step_cost,
        "PF_STEP_FEAR": nuc.preventive_strike_probability if nuc.preventive_strike else 0.0,
    }
    values.update(
        PI_N_SCRIPT=sum(map(len, setup.script.events.values())) if setup.script else 0,
        PI_TRACING=setup.tracing,
        PI_DAILY=setup.daily or setup.tracing,  # a story tells how beliefs moved
    )
    named = (k for k in col.COLUMNS if k.startswith(("PF_", "PI_")))
    missing = {k for k in named if not k.endswith("_COLUMNS")}
    missing -= {*values, "PI_SOIL"}
    assert not missing, f"parameters not set: {sorted(missing)}"
    return values


def _base_rate(setup: Setup) -> float:
    """Hostile acts per day before the crisis (outcomes.base_attack_rate_per_day, else the
    armed groups' base hazards): the level a side's threat must return to for its crisis to end."""
    rate = setup.c.scenario.outcomes.base_attack_rate_per_day
    return sum(g.base_hazard for g in setup.c.groups) if rate is None else rate


def _cross_chance(setup: Setup, side: int) -> float:
    """The chance that one of the side's groups' attacks is perceived as crossing the other
    side's red line: that it kills and is then attributed to orders (its action's lethality
    times the attribution accuracy), averaged over the side's groups (MODEL.md §8)."""
    groups = [g for g in setup.c.groups if g.side == side]
    if not groups:
        return 0.0
    accuracy = setup.c.scenario.attribution.accuracy
    chances = [
        g.action.plain.p_kill * beliefs.effective_accuracy(accuracy, g.action.ambiguity)
        for g in groups
    ]
    return float(np.mean(chances))


def _sides(setup: Setup, act) -> tuple[np.ndarray, np.ndarray]:
    side_f = np.zeros((2, col.SDF_COLUMNS))
    side_i = np.zeros((2, col.SDI_COLUMNS), np.int64)
    can_execute = setup.can_execute
    for i, x in enumerate(setup.c.sides):
        leads_groups = any(g.side == i for g in setup.c.groups)  # no groups: nobody to order
        side_f[i, col.SDF_CAMPAIGN_STOP] = 1.0 / x.campaign_mean_days
        side_f[i, col.SDF_ENFORCEMENT] = x.enforcement
        side_f[i, col.SDF_P_WARNING] = x.p_warning_delivered
        side_f[i, col.SDF_AUDIENCE_COST] = x.audience_cost
        obligation = {str(k): v for k, v in setup.c.scenario.logit.obligation.items()}
        side_f[i, col.SDF_OBLIGATION] = obligation[x.doctrine]
        side_f[i, col.SDF_CROSS_CHANCE] = _cross_chance(setup, i)
        side_f[i, col.SDF_PRIOR_TRUST] = x.prior_trust
        side_i[i, col.SDI_NATIONALITY] = x.nationality
        side_i[i, col.SDI_INFLAMMATORY] = x.inflammatory
        side_i[i, col.SDI_RHETORIC] = act(x.rhetoric)
        side_i[i, col.SDI_MESSAGE] = act(x.message)
        side_i[i, col.SDI_STRIKE_PROXY] = act(x.strike_proxy)
        side_i[i, col.SDI_STRIKE_STATE] = act(x.strike_state)
        side_i[i, col.SDI_RETALIATE] = act(x.retaliate)
        side_i[i, col.SDI_DOCTRINE] = DOCTRINES.index(x.doctrine)
        side_i[i, col.SDI_ROW] = ROW_SIDES + 2 * i
        side_i[i, col.SDI_CAN_EXECUTE : col.SDI_CAN_EXECUTE + 4] = can_execute[i]
        side_i[i, col.SDI_LEADS_GROUPS] = leads_groups
    return side_f, side_i


def _groups(setup: Setup, act) -> tuple[np.ndarray, np.ndarray]:
    s = setup.c.scenario
    groups = setup.c.groups
    group_f = _table(len(groups), col.GF_COLUMNS, np.float64)
    group_i = _table(len(groups), col.GI_COLUMNS, np.int64)
    for i, g in enumerate(groups):
        ratio = [
            float(
                beliefs.group_observation_ratio(
                    observed,
                    g.base_hazard,
                    g.assumed_control,
                    s.attribution.assumed_order_share,
                    s.hazards.ordered_multiplier,
                    g.action.p_detect,
                )
            )
            for observed in (True, False)
        ]
        group_f[i] = (g.control, g.base_hazard, g.assumed_control, *ratio)
        group_i[i, col.GI_SIDE] = g.side
        group_i[i, col.GI_ACTION] = act(g.action)
        group_i[i, col.GI_NATIONALITY] = g.nationality
        group_i[i, col.GI_ROLE] = ROLES.index(g.role)
        group_i[i, col.GI_PRESENCE] = g.side == CHALLENGER and g.action.hits == FORCES
    return group_f, group_i


def _red_lines(setup: Setup) -> tuple[np.ndarray, ...]:
    lines = setup.c.red_lines
    width = max([len(line.conditions) for line in lines] + [1])
    line_f = _table(len(lines), col.LF_COLUMNS, np.float64)
    line_i = _table(len(lines), col.LI_COLUMNS, np.int64)
    cond_i = np.zeros((max(len(lines), 1), width, col.CI_COLUMNS), np.int64)
    cond_v = np.zeros((max(len(lines), 1), width))
    for i, line in enumerate(lines):
        line_f[i, col.LF_ENFORCEMENT] = line.enforcement
        line_f[i, col.LF_AUDIENCE_COST] = line.audience_cost
        line_i[i] = (line.owner, len(line.conditions), line.response, line.public)
        for k, (name, nationality, comparison, threshold) in enumerate(line.conditions):
            field, op = CONDITION_FIELDS.index(name), CONDITION_OPS.index(comparison)
            cond_i[i, k] = (field, nationality, op)
            cond_v[i, k] = threshold
    return line_f, line_i, cond_i, cond_v
