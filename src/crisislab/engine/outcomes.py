"""Outcome classes and per-run metrics at the horizon (MODEL.md §9), read from a batch."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from crisislab.engine.constants import (
    CHALLENGER,
    DEFENDER,
    FIRST_EVENTS,
    FULL_SCALE_WAR,
    KINETIC_RUNG,
    OPENINGS,
)
from crisislab.scenario.outcomes import FROZEN, OUTCOMES, STABLE, WAR

if TYPE_CHECKING:
    from crisislab.engine.batch import Batch

__all__ = ["FROZEN", "OUTCOMES", "STABLE", "WAR", "summarise"]
NOT_YET = -1


def summarise(batch: Batch) -> dict[str, np.ndarray]:
    """Per-run columns: the outcome class, war kind, the test of claim 1, flags and metrics."""
    setup, f = batch.setup, batch.field
    c = setup.c
    o = c.scenario.outcomes
    violence = f("violence").astype(np.int8)
    war = violence >= FULL_SCALE_WAR
    crisis_end = f("crisis_end_day").astype(np.int32)
    recurrences = f("recurrences")
    stable = ~war & (crisis_end >= 0) & (recurrences == 0)
    outcome = np.where(war, WAR, np.where(stable, STABLE, FROZEN)).astype(np.int8)
    limited = f("resolve_drawn") < 0.5  # the label: resolve below 1/2 on the first day
    red_line_fired, orders = f("red_line_fired"), f("orders")
    belief = f("belief")
    intended = limited[:, CHALLENGER] & (orders[:, CHALLENGER] == 0)
    perceived = (belief[:, DEFENDER] >= 0.5) & (red_line_fired[:, DEFENDER] == 0)
    deaths = batch.table("deaths")
    first = f("first_day")
    columns: dict[str, np.ndarray] = {
        "outcome": outcome,
        "violence": violence,
        "crisis_end_day": crisis_end,
        "first_end_day": f("first_end_day").astype(np.int32),
        "end_mode": f("end_mode").astype(np.int8),
        "recurrences": recurrences,
        "war_day": f("war_day").astype(np.int32),
        "war_end_day": f("war_end_day").astype(np.int32),
        "war_spiral": war & limited[:, CHALLENGER],
        "war_deterrence_failure": war & ~limited[:, CHALLENGER],
        "war_inadvertent": war & (f("war_inadvertent") != 0),
        "challenger_limited": limited[:, CHALLENGER],
        "defender_limited": limited[:, DEFENDER],
        "intended": intended,
        "perceived": perceived,
        "both": intended & perceived,
        "red_line_fired": red_line_fired[:, DEFENDER] > 0,
        "red_line_firings": red_line_fired[:, DEFENDER],
        "red_line_firings_challenger": red_line_fired[:, CHALLENGER],
        "red_lines_unenforced": f("red_line_unenforced").sum(axis=1),
        "audience_cost": f("audience_cost").sum(axis=1),
        "limited_reprisal_cycle": (f("proxy_strikes") >= o.reprisal_cycle_exchanges)
        & (f("direct_exchanges") == 0),
        "defender_deaths": deaths[:, c.sides[DEFENDER].nationality].copy(),
        "max_rung": f("max_rung").astype(np.int8),
        "misperceptions": f("misperceptions"),
        "goldstein": f("goldstein").copy(),
        "rivera": f("rivera").copy(),
        "accidents": f("accidents"),
        "group_attacks": f("group_attacks"),
        "ordered_attacks": f("ordered_attacks"),
        "unordered_attacks": f("group_attacks") - f("ordered_attacks"),
        "ordered_attacks_mid": f("ordered_attacks_mid"),
        "proxy_answer": _proxy_answer(first),
        "proxy_strikes": f("proxy_strikes"),
        "direct_exchanges": f("direct_exchanges"),
        "belief_defender": belief[:, DEFENDER].copy(),
        "belief_challenger": belief[:, CHALLENGER].copy(),
        "resolve_defender": f("resolve")[:, DEFENDER].copy(),
        "resolve_challenger": f("resolve")[:, CHALLENGER].copy(),
        "resolve_drawn_challenger": f("resolve_drawn")[:, CHALLENGER].copy(),
        "resolve_drawn_defender": f("resolve_drawn")[:, DEFENDER].copy(),
        "credibility_challenger": f("credibility")[:, CHALLENGER].copy(),
    }
    columns["opening"] = np.full(batch.runs, _opening(batch), np.int8)
    columns.update(_fronts(batch))
    columns.update(_conditioning(batch))
    columns.update({f"first_{name}_day": first[:, k].copy() for k, name in enumerate(FIRST_EVENTS)})
    for i, nat in enumerate(c.nationalities):
        columns[f"deaths_{nat}"] = deaths[:, i].copy()
    return columns


def _opening(batch: Batch) -> int:
    """The kind of the scenario's opening event (OPENINGS), as ICB codes a trigger: violent if
    its rung is a strike's, indirect if a proxy acts rather than a state or its own forces."""
    setup = batch.setup
    event, action = setup.c.scenario.initial_event, setup.initial_action
    if event is None or action is None:
        return OPENINGS.index("none")
    if action.plain.rung < KINETIC_RUNG:
        return OPENINGS.index("non_violent")
    group = setup.group_index(event.actor)
    by_proxy = group >= 0 and setup.c.groups[group].role == "proxy"
    return OPENINGS.index("indirect_violent" if by_proxy else "violent")


def _conditioning(batch: Batch) -> dict[str, np.ndarray]:
    """A conditioned replay's record per run (its block's): the smallest effective sample size
    met, as a share of the block, and how often the block was resampled (MODEL.md §14)."""
    if not batch.conditioning:
        return {}
    ess, resampled = np.ones(batch.runs), np.zeros(batch.runs, np.int16)
    starts = sorted(batch.conditioning["ess_min"])
    for lo, hi in zip(starts, [*starts[1:], batch.runs], strict=True):
        ess[lo:hi] = batch.conditioning["ess_min"][lo]
        resampled[lo:hi] = batch.conditioning["resamplings"][lo]
    return {"replay_ess_min": ess, "replay_resamplings": resampled}


def _proxy_answer(first: np.ndarray) -> np.ndarray:
    """1 if the defender's first answer to the first lethal proxy attack was a strike on the
    proxy: a proxy strike within a week of it, and no strike on the state before that (the
    Camp Taji path, MODEL.md §12 item 8)."""
    lethal, proxy, state = (
        first[:, FIRST_EVENTS.index(k)]
        for k in ("lethal_proxy_attack", "proxy_strike", "state_strike")
    )
    answered = (lethal >= 0) & (proxy >= lethal) & (proxy <= lethal + 7)
    return (answered & ((state < 0) | (state > proxy))).astype(np.int8)


def _fronts(batch: Batch) -> dict[str, np.ndarray]:
    """The fronts' results; event days count from the first simulated day (-1: never)."""
    f, t0 = batch.field, batch.setup.t0

    def relative(day: np.ndarray) -> np.ndarray:
        return np.where(day >= 0, np.maximum(day - t0, 0), NOT_YET).astype(np.int32)

    return {
        "host_expulsion": f("expulsion_day") >= 0,
        "host_expulsion_day": relative(f("expulsion_day")),
        "withdrawal_day": relative(f("withdrawal_day")),
        "follow_on_withdrawal": f("follow_on_day") >= 0,
        "follow_on_day": relative(f("follow_on_day")),
        "expulsion_pressure": f("pressure").copy(),
        "maritime_incidents": f("incidents"),
        "breakout_crisis": f("crisis_day") >= 0,
        "breakout_crisis_day": relative(f("crisis_day")),
        "breakout_months": f("breakout").copy(),
        "dialogue": f("dialogue") != 0,
    }
