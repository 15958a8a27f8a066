"""The result of `simulate`: a per-run table and the summary the CLI prints as JSON."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

import numpy as np

from crisislab.engine.constants import END_MODES
from crisislab.engine.script import Script
from crisislab.results.story import Story
from crisislab.scenario.outcomes import OUTCOMES
from crisislab.scenario.schema import Scenario
from crisislab.stats import effective_runs, wilson_interval

if TYPE_CHECKING:
    import pandas as pd


def _round(x: float) -> float:
    return round(float(x), 6)


VIOLENCE_LEVELS = ("no_violence", "minor_clashes", "serious_clashes", "full_scale_war")


def _median_day(days: np.ndarray) -> float | None:
    """Median day of an event among the runs where it happened (None if it never did)."""
    happened = days[days >= 0]
    return _round(np.median(happened)) if happened.size else None


@dataclass
class SimulationResult:
    scenario: Scenario
    n_runs: int
    seed: int
    overrides: dict[str, Any]
    columns: dict[str, np.ndarray] = field(repr=False)
    script: Script | None = field(default=None, repr=False)
    # Tells run k again with tracing: given by the simulator that made this result (results do
    # not call back into the simulator themselves).
    narrator: Callable[[int], Story] | None = field(default=None, repr=False, compare=False)
    # Where the runs' parameters were drawn from (a calibration's posterior), if anywhere
    parameters: dict[str, Any] | None = field(default=None, repr=False)

    @cached_property
    def runs(self) -> pd.DataFrame:
        """One row per run: outcome class, war kind, the test of claim 1, flags and metrics."""
        import pandas as pd  # only when the table is asked for: pandas is slow to import

        table = pd.DataFrame({k: v for k, v in self.columns.items() if v.ndim == 1})
        table["outcome"] = pd.Categorical.from_codes(table["outcome"], categories=list(OUTCOMES))
        table.index.name = "run"
        return table

    def proportion(self, mask: np.ndarray) -> dict[str, Any]:
        """A share of runs with its 95% interval. Runs that share a parameter draw are not
        independent: the interval then uses the effective number of runs (`effective_runs`)."""
        k = int(np.count_nonzero(mask))
        n = self.n_runs
        if "parameter_draw" in self.columns:
            n_eff = effective_runs(np.asarray(mask, bool), self.columns["parameter_draw"])
            lo, hi = wilson_interval(k / n * n_eff, n_eff)
        else:
            lo, hi = wilson_interval(k, n)
        return {"p": _round(k / n), "ci": [_round(lo), _round(hi)]}

    def summary(self) -> dict[str, Any]:
        """The JSON object of `crisislab run --json` (keys may be added, never renamed)."""
        c, n = self.columns, self.n_runs
        outcome = c["outcome"]
        share = lambda mask: _round(np.count_nonzero(mask) / n)  # noqa: E731
        mean = lambda col: _round(np.mean(c[col]))  # noqa: E731
        return {
            "scenario": self.scenario.name,
            "runs": n,
            "seed": self.seed,
            "days": self.scenario.days,
            "overrides": self.overrides,
            **({"parameters": self.parameters} if self.parameters is not None else {}),
            "outcomes": {name: self.proportion(outcome == i) for i, name in enumerate(OUTCOMES)},
            "war_kinds": {
                "spiral": share(c["war_spiral"]),
                "deterrence_failure": share(c["war_deterrence_failure"]),
                "inadvertent": share(c["war_inadvertent"]),
            },
            "checkpoints": {
                f"war_by_day_{d}": share((c["war_day"] >= 0) & (c["war_day"] < d)) for d in (30, 90)
            },
            "test": {k: share(c[k]) for k in ("intended", "perceived", "both")},
            "violence": {  # the highest ICB level each run reached (docs/model.md §6.1)
                name: share(c["violence"] == level)
                for level, name in enumerate(VIOLENCE_LEVELS, start=1)
            },
            "termination": {  # docs/model.md §6.2
                "ended": share(c["crisis_end_day"] >= 0),
                "end_day_median": _median_day(c["first_end_day"]),  # the first crisis's length
                "ended_within_90_days": share(
                    (c["first_end_day"] >= 0) & (c["first_end_day"] < 90)
                ),
                **{mode: share(c["end_mode"] == k) for k, mode in enumerate(END_MODES) if k},
                "recurred": share(c["recurrences"] > 0),
                "recurrences_mean": mean("recurrences"),
            },
            "time_to_event": {
                f"{name}_day_median": _median_day(c[col])
                for name, col in (
                    ("host_expulsion", "host_expulsion_day"),
                    ("withdrawal", "withdrawal_day"),
                    ("follow_on_withdrawal", "follow_on_day"),
                    ("breakout_crisis", "breakout_crisis_day"),
                    ("war", "war_day"),
                )
            },
            "flags": {
                "red_line_fired": share(c["red_line_fired"]),
                "limited_reprisal_cycle": share(c["limited_reprisal_cycle"]),
                **{
                    k: share(c[k])
                    for k in ("host_expulsion", "follow_on_withdrawal", "breakout_crisis")
                    if k in c
                },
            },
            "metrics": {
                "us_deaths_mean": mean("defender_deaths"),
                "defender_deaths_mean": mean("defender_deaths"),
                "max_rung_mean": mean("max_rung"),
                "misperceptions_mean": mean("misperceptions"),
                "goldstein_mean": mean("goldstein"),
                "rivera_mean": mean("rivera"),
                "accidents_mean": mean("accidents"),
                "proxy_attacks_mean": mean("group_attacks"),
                "proxy_strikes_mean": mean("proxy_strikes"),
                "belief_defender_mean": mean("belief_defender"),
                **{f"{k}_mean": mean(k) for k in ("maritime_incidents",) if k in c},
            },
        }

    def story(self, run: int) -> Story:
        """Narrate run `run` of this result, through the narrator the simulator gave it."""
        if not 0 <= run < self.n_runs:
            raise IndexError(f"run {run} is outside 0..{self.n_runs - 1}")
        if self.narrator is None:
            raise ValueError(
                "this result has no narrator: only results made by crisislab.simulate can tell "
                "a run; call crisislab.story(scenario, run, seed, overrides) instead"
            )
        return self.narrator(run)
