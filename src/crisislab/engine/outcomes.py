"""Outcome classes and per-run metrics at the horizon (MODEL.md §9)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from crisislab.engine.compiled import CHALLENGER, DEFENDER

if TYPE_CHECKING:
    from crisislab.engine.step import Engine

OUTCOMES = ("stable_deescalation", "frozen_conflict", "war")
STABLE, FROZEN, WAR = 0, 1, 2


def summarise(engine: Engine) -> dict[str, np.ndarray]:
    """Per-run columns: the outcome class, war kind, the test of claim 1, flags and metrics."""
    c, led, w = engine.c, engine.ledger, engine.world
    o = c.scenario.outcomes
    window = engine.window
    base_rate = o.base_attack_rate_per_day
    if base_rate is None:
        base_rate = sum(g.base_hazard for g in c.groups)
    stable = (
        ~led.war
        & (led.window_direct == 0)
        & (led.window_attacks <= base_rate * window)
        & ~led.window_attributed_deaths
        & (led.window_quiet_days >= o.stable_quiet_share * window)
    )
    outcome = np.where(led.war, WAR, np.where(stable, STABLE, FROZEN)).astype(np.int8)
    limited = w.limited[:, CHALLENGER]
    belief_def = engine.views[DEFENDER].belief
    intended = limited & (led.orders[:, CHALLENGER] == 0)
    perceived = (belief_def >= 0.5) & (led.red_line_fired[:, DEFENDER] == 0)
    defender_nat = c.sides[DEFENDER].nationality
    columns: dict[str, np.ndarray] = {
        "outcome": outcome,
        "war_day": led.war_day,
        "war_spiral": led.war & limited,
        "war_deterrence_failure": led.war & ~limited,
        "war_inadvertent": led.war & led.war_inadvertent,
        "challenger_limited": limited,
        "defender_limited": w.limited[:, DEFENDER],
        "intended": intended,
        "perceived": perceived,
        "both": intended & perceived,
        "red_line_fired": led.red_line_fired[:, DEFENDER] > 0,
        "red_line_firings": led.red_line_fired[:, DEFENDER],
        "red_line_firings_challenger": led.red_line_fired[:, CHALLENGER],
        "red_lines_unenforced": led.red_line_unenforced.sum(axis=1),
        "audience_cost": led.audience_cost.sum(axis=1),
        "limited_reprisal_cycle": (led.proxy_strikes >= o.reprisal_cycle_exchanges)
        & (led.direct_exchanges == 0),
        "defender_deaths": led.deaths[:, defender_nat],
        "max_rung": led.max_rung,
        "misperceptions": led.misperceptions,
        "goldstein": led.goldstein,
        "rivera": led.rivera,
        "accidents": led.accidents,
        "group_attacks": led.group_attacks,
        "proxy_strikes": led.proxy_strikes,
        "direct_exchanges": led.direct_exchanges,
        "belief_defender": belief_def,
        "belief_challenger": engine.views[CHALLENGER].belief,
    }
    columns.update(engine.fronts.columns())
    columns.update({f"first_{name}_day": day for name, day in led.first_day.items()})
    for i, nat in enumerate(c.nationalities):
        columns[f"deaths_{nat}"] = led.deaths[:, i]
    return columns
