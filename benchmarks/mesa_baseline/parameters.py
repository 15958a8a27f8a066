"""The baseline's parameters, taken from the compiled crisislab scenario.

Both implementations must run on the same numbers, so nothing is typed in here: every value comes
from `crisislab.load_scenario` and `crisislab.engine.compiled.compile_scenario`. Figures that stay
fixed during a run (decay factors, the observer's likelihood ratios, report-lag constants, the
level a crisis must calm down to) are worked out once per process, as a careful Mesa user would,
and shared by every model built in it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from crisislab import load_scenario
from crisislab.engine.compiled import (
    Action,
    Compiled,
    Group,
    RedLineSpec,
    Side,
    compile_action,
    compile_scenario,
    decay_factor,
)
from crisislab.engine.constants import CHALLENGER, CRISIS_THREAT, EPS, TARGETS
from crisislab.scenario.schema import Scenario

SCENARIO = "us-iran-2020"
# The crisislab overrides that switch the three strategic fronts off (as in engine_speed.py).
NO_FRONTS: dict[str, Any] = {
    "fronts.host.actor": None,
    "fronts.maritime.actor": None,
    "fronts.nuclear.enabled": False,
}
FORCES = TARGETS.index("forces")
SHIPPING = TARGETS.index("shipping")
# what a state act hits: forces, territory, a senior commander (battle deaths, direct exchanges)
STATE_TARGETS = frozenset(TARGETS.index(t) for t in ("forces", "territory", "senior_commander"))


@dataclass(frozen=True)
class GroupParameters:
    """One armed group, with the observer's fixed likelihood ratios for seeing it act or not."""

    index: int
    spec: Group
    lr_seen: float
    lr_unseen: float
    presence: bool  # it attacks the defender's forces stationed in the host nation


@dataclass(frozen=True)
class Parameters:
    """Everything one run needs, read-only and shared by all models of a process."""

    scenario: Scenario
    compiled: Compiled
    days: int
    sides: tuple[Side, Side]
    initial_alert: tuple[float, float]
    groups: tuple[GroupParameters, ...]
    red_lines: tuple[RedLineSpec, ...]
    opening_action: Action | None
    maritime_action: Action | None
    maritime_group: int | None
    maritime_victim: int | None
    host_nationality: int | None
    soil_targets: frozenset[int]
    decay_grievance: float
    decay_commitment: float
    decay_alert: float
    decay_hostility: float
    decay_pressure: float
    decay_suppression: float
    decay_resolve: float
    decay_credibility: float
    decay_threat: float
    decay_belief: float  # a belief's drift back toward the prior trust
    log_report_lag: float | None  # ln(1 - p) of the geometric report lag; None: no lag
    thresholds: tuple[int, ...]  # per target: the perceived rung from which an act is an attack
    cross_chance: tuple[float, float]  # per side: P(one of its groups' attacks crosses a line)
    credibility_prior: tuple[float, float]  # per side: κ of the other side's red lines at first
    calm_level: float  # threat (hostile acts a day) at or below which a side counts a calm day
    recurrence_level: float  # threat above which an ended crisis recurs
    war_end_hazard: float  # daily chance that a war ends in a ceasefire
    host_vote: float  # daily chance of the binding expulsion vote while pressure is high
    host_leave: float  # daily chance that the expelled forces complete their withdrawal
    deterrence_after: float  # log of how much more an order is worth once the defender has left
    sea_posture: float  # the partners' posture's factor on the maritime hazard


def _observation_ratios(g: Group, order_share: float, multiplier: float) -> tuple[float, float]:
    """L(seen | limited) / L(seen | aggressive), and the same for a quiet day (model.md §5.9)."""
    slack = 1.0 - g.assumed_control
    h_lim = min(1.0, g.base_hazard * slack) * g.action.p_detect
    h_agg = (
        min(1.0, g.base_hazard * (order_share * multiplier + (1.0 - order_share) * slack))
        * g.action.p_detect
    )
    return max(h_lim, EPS) / max(h_agg, EPS), (1.0 - h_lim) / max(1.0 - h_agg, EPS)


def effective_accuracy(accuracy: float, ambiguity: float) -> float:
    """Findings on an ambiguous act say less: q' = 1/2 + (q - 1/2)(1 - ambiguity)."""
    return 0.5 + (accuracy - 0.5) * (1.0 - ambiguity)


def _cross_chance(s: Scenario, groups: tuple[Group, ...], side: int) -> float:
    """The chance that one of the side's groups' attacks is perceived as crossing the other's
    red line: that it kills and is then attributed to orders, averaged over its groups."""
    chances = [
        g.action.plain.p_kill * effective_accuracy(s.attribution.accuracy, g.action.ambiguity)
        for g in groups
        if g.side == side
    ]
    return sum(chances) / len(chances) if chances else 0.0


@lru_cache(maxsize=8)
def load_parameters(scenario: str = SCENARIO, fronts: bool = True) -> Parameters:
    """Load and compile a scenario once per process (optionally with the fronts switched off)."""
    s = load_scenario(scenario, None if fronts else NO_FRONTS)
    c = compile_scenario(s)
    a = s.attribution
    f = s.fronts
    host_on = f.host.actor is not None
    groups = tuple(
        GroupParameters(
            i,
            g,
            *_observation_ratios(g, a.assumed_order_share, s.hazards.ordered_multiplier),
            presence=host_on and g.side == CHALLENGER and g.action.hits == FORCES,
        )
        for i, g in enumerate(c.groups)
    )
    group_ids = [g.id for g in c.groups]
    maritime_group = group_ids.index(f.maritime.actor) if f.maritime.actor in group_ids else None
    partners = [x.nationality for x in s.actors.values() if x.role == "coalition"]
    host_nat = c.nationalities.index(s.actors[f.host.actor].nationality) if host_on else None
    lag_p = 1.0 / (1.0 + s.perception.report_lag_mean_days)
    o = s.outcomes
    base_rate = o.base_attack_rate_per_day
    if base_rate is None:
        base_rate = sum(g.base_hazard for g in c.groups)
    calm = o.end_margin * base_rate
    ev = s.initial_event
    return Parameters(
        scenario=s,
        compiled=c,
        days=s.days,
        sides=c.sides,
        initial_alert=tuple(s.actors[side.id].initial_alert for side in c.sides),  # type: ignore[arg-type]
        groups=groups,
        red_lines=c.red_lines,
        opening_action=compile_action(ev.action, s.actions[ev.action]) if ev else None,
        maritime_action=(
            compile_action(f.maritime.action, s.actions[f.maritime.action])
            if maritime_group is not None
            else None
        ),
        maritime_group=maritime_group,
        maritime_victim=c.nationalities.index(partners[0]) if partners else None,
        host_nationality=host_nat,
        soil_targets=frozenset(TARGETS.index(t) for t in f.host.soil_targets),
        decay_grievance=decay_factor(s.stocks.grievance_half_life_days),
        decay_commitment=decay_factor(s.stocks.commitment_half_life_days),
        decay_alert=decay_factor(s.stocks.alert_half_life_days),
        decay_hostility=decay_factor(s.stocks.hostility_half_life_days),
        decay_pressure=decay_factor(f.host.half_life_days),
        decay_suppression=decay_factor(s.stocks.suppression_half_life_days),
        decay_resolve=decay_factor(s.resolve.half_life_days),
        decay_credibility=decay_factor(s.logit.credibility_half_life_days),
        decay_threat=decay_factor(o.threat_half_life_days),
        decay_belief=decay_factor(s.resolve.belief_half_life_days),
        log_report_lag=math.log1p(-lag_p) if lag_p < 1.0 else None,
        thresholds=tuple(
            s.doctrines.shipping_attack_threshold if t == SHIPPING else s.doctrines.attack_threshold
            for t in range(len(TARGETS))
        ),
        cross_chance=(_cross_chance(s, c.groups, 0), _cross_chance(s, c.groups, 1)),
        credibility_prior=tuple(  # type: ignore[arg-type]
            max((line.enforcement for line in c.red_lines if line.owner != side), default=0.0)
            for side in range(2)
        ),
        calm_level=calm,
        recurrence_level=max(0.5 * CRISIS_THREAT, 2.0 * calm),
        war_end_hazard=1.0 - 0.5 ** (1.0 / o.war_end_median_days),
        host_vote=1.0 / f.host.days_above,
        host_leave=1.0 / max(1.0, f.host.withdrawal_lag_days * (1.0 + f.host.diplomacy)),
        deterrence_after=math.log(1.0 + f.host.deterrence_loss) if host_on else 0.0,
        sea_posture=1.0 - f.maritime.deterrence_effect * f.maritime.posture,
    )
