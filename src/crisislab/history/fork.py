"""Fork a simulation from a real day, and score its forecast against what happened next.

The fork replays the timeline up to the fork date (the state on that day is exactly the replay's),
injects that day's observed events, and from then on lets the scenario's doctrines decide. The
calibration section compares the forecast probability of observable events within a window after
the fork with the timeline, by the Brier and logarithmic scores.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from concurrent.futures import Executor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from crisislab.engine.compiled import DEFENDER, TARGETS, compile_scenario
from crisislab.errors import BadInput, Problem
from crisislab.history.mapping import MappedTimeline
from crisislab.history.replay import prepare
from crisislab.history.timeline import Timeline
from crisislab.results import SimulationResult
from crisislab.scenario.schema import Scenario
from crisislab.simulate import simulate
from crisislab.stats import wilson_interval

WINDOW_DAYS = 90
P_FLOOR = 1e-3  # an ensemble cannot tell 0 from 1/N: log scores use p in [0.001, 0.999]
OBSERVABLES = {
    "lethal_proxy_attack": "first_lethal_proxy_attack_day",
    "proxy_strike": "first_proxy_strike_day",
    "state_strike": "first_state_strike_day",
    "host_expulsion_vote": "host_expulsion_day",
    "war": "war_day",
}
DESCRIPTIONS = {
    "lethal_proxy_attack": "a lethal proxy attack on the defender's forces",
    "proxy_strike": "the defender strikes proxies",
    "state_strike": "the defender strikes the challenger's territory or commanders",
    "host_expulsion_vote": "the host nation moves to expel the defender's forces",
    "war": "war",
}


def brier(p: float, happened: bool) -> float:
    """(p - o)^2: 0 is a perfect forecast, 1 the worst."""
    return (p - float(happened)) ** 2


def log_score(p: float, happened: bool) -> float:
    """-ln P(what happened), with p kept inside [0.001, 0.999]; lower is better."""
    p = min(max(p, P_FLOOR), 1.0 - P_FLOOR)
    return -math.log(p if happened else 1.0 - p)


@dataclass
class ForkResult:
    result: SimulationResult
    timeline: Timeline
    at: dt.date
    calibration: dict[str, Any]
    goldstein: dict[str, Any]

    def summary(self) -> dict[str, Any]:
        """The `run` JSON plus the fork and its calibration against the timeline."""
        return self.result.summary() | {
            "fork": {"timeline": self.timeline.name, "at": self.at.isoformat()},
            "calibration": self.calibration,
            "goldstein_series": self.goldstein,
        }


def fork(
    timeline: str | Path | Timeline,
    at: dt.date,
    scenario: Scenario | str | Path | None = None,
    *,
    runs: int = 10_000,
    seed: int = 0,
    overrides: Mapping[str, Any] | None = None,
    days: int | None = None,
    executor: Executor | None = None,
    window: int = WINDOW_DAYS,
) -> ForkResult:
    """Simulate forward from `at`, after replaying the timeline up to that day."""
    tl, resolved, mapped = prepare(timeline, scenario, overrides)
    if not mapped.start <= at <= mapped.end:
        raise BadInput(
            [
                Problem(
                    "--at", "at", f"{at} lies outside the timeline ({mapped.start} to {mapped.end})"
                )
            ]
        )
    result = simulate(
        resolved,
        runs,
        seed,
        {"days": days} if days else None,
        executor=executor,
        script=mapped.script(at),
        daily=True,
    )
    result.overrides = {**dict(overrides or {}), **result.overrides}
    calibration = calibrate(result, mapped, tl, at, window)
    return ForkResult(result, tl, at, calibration, goldstein_series(result, tl, at))


def observed_events(
    mapped: MappedTimeline, tl: Timeline, at: dt.date, window: int, proxies: frozenset[int]
) -> dict[str, bool]:
    """Which observable events the timeline shows in (at, at + window]; `proxies` are the
    scenario's groups of the proxy role (a faction's lethal act is not a proxy attack, as in the
    simulation's count)."""
    first, last = mapped.day_of(at) + 1, mapped.day_of(at) + window
    seen = dict.fromkeys(OBSERVABLES, False)
    for day in range(first, last + 1):
        for ev in mapped.script_events.get(day, []):
            lethal = ev.deaths > 0 and ev.victim == mapped.defender_nationality
            if ev.group in proxies and lethal:
                seen["lethal_proxy_attack"] = True
            if ev.side == DEFENDER and ev.group < 0 and ev.kind == "act":
                if ev.struck_group is not None:
                    seen["proxy_strike"] = True
                elif ev.action.hits in (
                    TARGETS.index("territory"),
                    TARGETS.index("senior_commander"),
                ):
                    seen["state_strike"] = True
        for rec in mapped.records_by_day.get(day, []):
            if tl.actor_aliases.get(rec.actor) in mapped.hosts and rec.cameo[:2] in ("10", "16"):
                seen["host_expulsion_vote"] = True
    return seen


def proxy_groups(scenario: Scenario) -> frozenset[int]:
    """The indices of the scenario's armed groups of the proxy role."""
    groups = compile_scenario(scenario).groups
    return frozenset(i for i, g in enumerate(groups) if g.role == "proxy")


def calibrate(
    result: SimulationResult, mapped: MappedTimeline, tl: Timeline, at: dt.date, window: int
) -> dict[str, Any]:
    """Forecast probability within the window, what happened, and the two scores. The window
    is cut to the days the timeline covers after the fork day: a day it does not cover is not
    a day on which nothing happened, so forecasts and outcomes are both counted only up to it."""
    covered = max(0, mapped.day_of(mapped.end) - mapped.day_of(at))
    scored = min(window, covered)
    happened = observed_events(mapped, tl, at, scored, proxy_groups(result.scenario))
    events = {}
    agrees = np.ones(result.n_runs, bool)  # runs whose events all went as the record's did
    for name, column in OBSERVABLES.items():
        day = result.columns[column]
        occurs = (day >= 1) & (day <= scored)
        agrees &= occurs == happened[name]
        k = int(np.count_nonzero(occurs))
        p = round(k / result.n_runs, 6)
        lo, hi = wilson_interval(k, result.n_runs)
        events[name] = {
            "description": DESCRIPTIONS[name],
            "forecast": round(p, 6),
            "ci": [round(lo, 6), round(hi, 6)],
            "observed": happened[name] if scored else None,
            "brier": round(brier(p, happened[name]), 6) if scored else None,
            "log_score": round(log_score(p, happened[name]), 6) if scored else None,
        }
    scores = [e for e in events.values() if e["brier"] is not None]
    k = int(np.count_nonzero(agrees))
    lo, hi = wilson_interval(k, result.n_runs)
    joint = {
        "description": "every scored event as it went: those that happened, and no other",
        "forecast": round(k / result.n_runs, 6),
        "ci": [round(lo, 6), round(hi, 6)],
    }
    return {
        "conditioning": conditioning(result),
        "joint": joint if scored else None,
        "window_days": scored,
        "requested_window_days": window,
        "timeline_covers_days": covered,
        "events": events,
        "mean_brier": round(float(np.mean([e["brier"] for e in scores])), 6) if scores else None,
        "mean_log_score": (
            round(float(np.mean([e["log_score"] for e in scores])), 6) if scores else None
        ),
    }


def conditioning(result: SimulationResult) -> dict[str, Any] | None:
    """How the replay conditioned the hidden state on the record (MODEL.md §14): the smallest
    effective sample size a block of particles met (mean over blocks, as a share), how often
    blocks were resampled, and each side's hidden resolve before (the prior) and after."""
    c = result.columns
    if "replay_ess_min" not in c:
        return None
    scenario = result.scenario
    posterior = {}
    for role, actor in (
        ("defender", scenario.dyad.defender),
        ("challenger", scenario.dyad.challenger),
    ):
        drawn = c[f"resolve_drawn_{role}"]
        posterior[actor] = {
            "prior_limited": scenario.actors[actor].type_prior,  # type: ignore[union-attr]
            "posterior_limited": round(float(np.mean(drawn < 0.5)), 6),
            "posterior_resolve_mean": round(float(np.mean(drawn)), 6),
        }
    return {
        "particles": result.n_runs,
        "ess_min_share": round(float(np.mean(c["replay_ess_min"])), 6),
        "resamplings_mean": round(float(np.mean(c["replay_resamplings"])), 3),
        "hidden": posterior,
    }


def goldstein_series(result: SimulationResult, tl: Timeline, at: dt.date) -> dict[str, Any]:
    """Daily Goldstein sums: simulated quantiles per day and the observed line, from the fork
    date to the end of the timeline (or of the simulation, if sooner).

    A run at war is frozen (war is its outcome), so from the day after it went to war it leaves
    the quantiles, which describe the runs still short of war; `at_war` gives their share.
    """
    n_days = min(result.columns["daily_goldstein"].shape[1], (tl.end - at).days + 1)
    daily = result.columns["daily_goldstein"][:, :n_days].astype(float)
    war_day = result.columns["war_day"]
    after_war = (war_day[:, None] >= 0) & (np.arange(n_days)[None, :] > war_day[:, None])
    daily[after_war] = np.nan
    observed = np.zeros(n_days)
    for rec in tl.events:
        d = (rec.date - at).days
        if 0 <= d < n_days:
            observed[d] += rec.goldstein
    with np.errstate(all="ignore"):
        quantiles = np.nanquantile(daily, [0.05, 0.25, 0.5, 0.75, 0.95], axis=0)
    quantiles = np.nan_to_num(quantiles, nan=0.0)
    return {
        "dates": [(at + dt.timedelta(days=d)).isoformat() for d in range(n_days)],
        "observed": [round(float(x), 3) for x in observed],
        "at_war": [round(float(x), 4) for x in after_war.mean(axis=0)],
        **{
            f"q{int(q * 100):02d}": [round(float(x), 3) for x in row]
            for q, row in zip((0.05, 0.25, 0.5, 0.75, 0.95), quantiles, strict=True)
        },
    }
