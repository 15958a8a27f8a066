"""Per-day statistics of an ensemble's daily trajectories, small enough to draw and embed.

A simulation with `daily=True` keeps one value per run and day (float32 [runs, days]); a report
needs a few numbers per day, so the arrays are reduced as soon as a simulation returns and the
large arrays can be dropped.

Two choices matter for reading the charts:

- A run at war is frozen (war is its outcome): from the day after it goes to war its daily
  values stop changing. Quantiles and means of rungs and beliefs are therefore taken over the
  runs not yet at war, and `at_war` gives the share of runs that left them.
- The highest rung of a single day is 0 on almost every day of almost every run, so its daily
  quantiles would be flat at 0. The fan charts use the highest rung of the trailing
  `WINDOW_DAYS` days instead: how far up the ladder a run has been in the past month.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

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
    )
