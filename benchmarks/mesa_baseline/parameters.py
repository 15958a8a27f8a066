"""The baseline's parameters, taken from the compiled crisislab scenario.

Both implementations must run on the same numbers, so nothing is typed in here: every value comes
from `crisislab.load_scenario` and `crisislab.engine.compiled.compile_scenario`. Figures that stay
fixed during a run (decay factors, the observer's likelihood ratios, report-lag constants) are
worked out once per process, as a careful Mesa user would, and shared by every model built in it.
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
from crisislab.engine.constants import EPS, TARGETS
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
STATE_TARGETS = frozenset(TARGETS.index(t) for t in ("forces", "territory", "senior_commander"))


@dataclass(frozen=True)
class GroupParameters:
    """One armed group, with the observer's fixed likelihood ratios for seeing it act or not."""

    index: int
    spec: Group
    lr_seen: float
    lr_unseen: float


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
    log_report_lag: float | None  # ln(1 - p) of the geometric report lag; None: no lag
    thresholds: tuple[int, ...]  # per target: the perceived rung from which an act is an attack
    window: int
    window_start: int
    base_attack_limit: float


def _observation_ratios(g: Group, order_share: float, multiplier: float) -> tuple[float, float]:
    """L(seen | limited) / L(seen | aggressive), and the same for a quiet day (model.md §5.9)."""
    slack = 1.0 - g.assumed_control
    h_lim = min(1.0, g.base_hazard * slack) * g.action.p_detect
    h_agg = (
        min(1.0, g.base_hazard * (order_share * multiplier + (1.0 - order_share) * slack))
        * g.action.p_detect
    )
    return max(h_lim, EPS) / max(h_agg, EPS), (1.0 - h_lim) / max(1.0 - h_agg, EPS)


@lru_cache(maxsize=8)
def load_parameters(scenario: str = SCENARIO, fronts: bool = True) -> Parameters:
    """Load and compile a scenario once per process (optionally with the fronts switched off)."""
    s = load_scenario(scenario, None if fronts else NO_FRONTS)
    c = compile_scenario(s)
    a = s.attribution
    groups = tuple(
        GroupParameters(
            i, g, *_observation_ratios(g, a.assumed_order_share, s.hazards.ordered_multiplier)
        )
        for i, g in enumerate(c.groups)
    )
    f = s.fronts
    group_ids = [g.id for g in c.groups]
    maritime_group = group_ids.index(f.maritime.actor) if f.maritime.actor in group_ids else None
    partners = [x.nationality for x in s.actors.values() if x.role == "coalition"]
    host_nat = (
        c.nationalities.index(s.actors[f.host.actor].nationality)
        if f.host.actor is not None
        else None
    )
    lag_p = 1.0 / (1.0 + s.perception.report_lag_mean_days)
    window = min(s.outcomes.stable_window_days, s.days)
    base_rate = s.outcomes.base_attack_rate_per_day
    if base_rate is None:
        base_rate = sum(g.base_hazard for g in c.groups)
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
        log_report_lag=math.log1p(-lag_p) if lag_p < 1.0 else None,
        thresholds=tuple(
            s.doctrines.shipping_attack_threshold if t == SHIPPING else s.doctrines.attack_threshold
            for t in range(len(TARGETS))
        ),
        window=window,
        window_start=s.days - window,
        base_attack_limit=base_rate * window,
    )
