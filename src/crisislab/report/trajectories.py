"""Per-day statistics of an ensemble's daily trajectories, small enough to draw and embed.

A simulation with `daily=True` keeps one value per run and day (float32 [runs, days]); a report
needs a few numbers per day, so the arrays are reduced as soon as a simulation returns and the
large arrays can be dropped.

Three choices matter for reading the charts:

- A run that reaches full-scale war (ICB level 4) has war as its outcome class, whatever follows;
  while at war it takes no act until a ceasefire (docs/model.md §6.1). Quantiles and means of
  rungs and beliefs are therefore taken over the runs that have not reached war, from the day
  after war began, and `at_war` gives the share of runs that left them.
- The highest rung of a single day is 0 on almost every day of almost every run, so its daily
  quantiles would be flat at 0. The fan charts use the highest rung of the trailing
  `WINDOW_DAYS` days instead: how far up the ladder a run has been in the past month.
- How the first crisis ends is read as competing risks: by each day, the share of runs whose
  first crisis had ended short of war (`ended_first`), and the share that reached war while it
  was still on (`war_first`); the rest were still in crisis. A run that is censored by the
  horizon stays in the rest, so no share is biased by runs that had no time to end.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np

from crisislab.results import SimulationResult

WINDOW_DAYS = 30
QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)


@dataclass(frozen=True)
class Fan:
    """Quantiles per day (rows in the order of QUANTILES) among the runs not yet at war."""

    quantiles: np.ndarray  # [5, days]; NaN on days when every run is at war
    mean: np.ndarray  # [days]: shows the trend that the quantiles of a discrete ladder hide

    def band(self, q: float) -> np.ndarray:
        return self.quantiles[QUANTILES.index(q)]


@dataclass(frozen=True)
class Trajectories:
    """What a report draws of one policy's ensemble, day by day (day 0 = the start date)."""

    runs: int
    at_war: np.ndarray  # share of all runs at war by the end of each day
    true_rung: Fan  # highest rung executed in the trailing window (the truth)
    perceived_rung: Fan  # highest rung the defender perceived in the trailing window
    belief: dict[str, np.ndarray]  # side id -> mean belief that the other leadership is limited
    red_lines: np.ndarray  # cumulative defender red-line firings, mean per run
    misperceptions: np.ndarray  # cumulative misperceptions, mean per run
    # competing risks of the first crisis, shares of all runs by the end of each day: its end
    # short of war, and war before it ended (zeros when the result has no such columns)
    ended_first: np.ndarray = field(default_factory=lambda: np.zeros(0))
    war_first: np.ndarray = field(default_factory=lambda: np.zeros(0))
    first_end_median: float | None = None  # median length of the first crises that ended

    @property
    def days(self) -> int:
        return int(self.at_war.size)


def trailing_max(values: np.ndarray, window: int) -> np.ndarray:
    """max(values[:, t - window + 1 .. t]) for each day t: the highest rung of the past window."""
    out = values.astype(np.float64, copy=True)
    for lag in range(1, min(window, values.shape[1])):
        np.maximum(out[:, lag:], values[:, :-lag], out=out[:, lag:])
    return out


def _fan(values: np.ndarray, frozen: np.ndarray) -> Fan:
    values = np.where(frozen, np.nan, values)
    with warnings.catch_warnings():  # a day on which every run is at war has no quantile: NaN
        warnings.simplefilter("ignore", RuntimeWarning)
        quantiles = np.nanquantile(values, QUANTILES, axis=0)
        mean = np.nanmean(values, axis=0)
    return Fan(quantiles, mean)


def _mean_alive(values: np.ndarray, frozen: np.ndarray) -> np.ndarray:
    alive = ~frozen
    count = alive.sum(axis=0)
    total = np.where(alive, values, 0.0).sum(axis=0, dtype=np.float64)
    with np.errstate(all="ignore"):
        return np.where(count > 0, total / np.maximum(count, 1), np.nan)


def first_crisis_curves(
    first_end_day: np.ndarray, war_day: np.ndarray, days: int
) -> tuple[np.ndarray, np.ndarray]:
    """Cumulative incidence of the first crisis's two ends, shares of all runs by the end of each
    day 0 … days − 1: (ended short of war, reached war while it was on). A run whose first
    crisis ended on the day war began counts as war. Days are -1 where the event never came."""
    end = np.asarray(first_end_day, dtype=np.int64)
    war = np.asarray(war_day, dtype=np.int64)
    n = max(1, end.size)
    ended = (end >= 0) & ((war < 0) | (end < war))
    warred = (war >= 0) & ~ended
    by_end = np.bincount(np.clip(end[ended], 0, None), minlength=days)[:days]
    by_war = np.bincount(np.clip(war[warred], 0, None), minlength=days)[:days]
    return np.cumsum(by_end) / n, np.cumsum(by_war) / n


def trajectories(result: SimulationResult, window: int = WINDOW_DAYS) -> Trajectories:
    """Reduce a result simulated with `daily=True` to the per-day statistics a report draws."""
    c = result.columns
    if "daily_rung" not in c:
        raise ValueError("trajectories need a result simulated with daily=True")
    defender, challenger = result.scenario.dyad.defender, result.scenario.dyad.challenger
    n_days = c["daily_rung"].shape[1]
    day = np.arange(n_days)[None, :]
    war_day = c["war_day"][:, None]
    went_to_war = war_day >= 0
    frozen = went_to_war & (day > war_day)
    first_end = c.get("first_end_day", np.full(result.n_runs, -1, dtype=np.int32))
    ended_first, war_first = first_crisis_curves(first_end, c["war_day"], n_days)
    ended = first_end[first_end >= 0]
    return Trajectories(
        runs=result.n_runs,
        at_war=(went_to_war & (day >= war_day)).mean(axis=0),
        true_rung=_fan(trailing_max(c["daily_rung"], window), frozen),
        perceived_rung=_fan(trailing_max(c[f"daily_perceived_rung_{defender}"], window), frozen),
        belief={
            side: _mean_alive(c[f"daily_belief_{side}"], frozen) for side in (defender, challenger)
        },
        red_lines=np.cumsum(c["daily_red_lines"].mean(axis=0, dtype=np.float64)),
        misperceptions=np.cumsum(c["daily_misperceptions"].mean(axis=0, dtype=np.float64)),
        ended_first=ended_first,
        war_first=war_first,
        first_end_median=float(np.median(ended)) if ended.size else None,
    )
