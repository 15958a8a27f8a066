"""What a calibration learned: parameters before and after, and the predictive check.

- `parameter_rows`: each parameter's prior and posterior (median and 90% interval) and how much
  the data narrowed it (posterior sd over prior sd).
- `predictive_check`: every target simulated at parameter vectors drawn from the prior and from
  the posterior (each with its own runs), against the observed value and its uncertainty.
- `plot_posterior`: the marginals and pairs of the posterior, for a person to look at.
"""

from __future__ import annotations

from concurrent.futures import Executor
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from crisislab.calibration.target_set import TargetSet
from crisislab.scenario.parameters import ParameterDraws, Posterior
from crisislab.scenario.schema import Scenario
from crisislab.scenario.uncertain import draw_overrides
from crisislab.simulate import simulate

__all__ = ["ParameterRow", "TargetCheck", "parameter_rows", "plot_posterior", "predictive_check"]

QUANTILES = (0.05, 0.5, 0.95)
_PRIOR_TAG = 0x50524952  # "PRIR": keys the prior's draws apart from the posterior's


@dataclass(frozen=True)
class ParameterRow:
    name: str
    prior: str
    prior_quantiles: tuple[float, float, float]
    posterior_quantiles: tuple[float, float, float]
    narrowing: float  # posterior sd / prior sd: 1 means the targets said nothing about it

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class TargetCheck:
    name: str
    observed: float
    sd: float
    prior: tuple[float, float, float]  # simulated: 5%, 50%, 95% over parameter draws
    posterior: tuple[float, float, float]

    @property
    def covered(self) -> bool:
        """Whether the observed value lies within the posterior's 90% predictive interval
        widened by the observation's own 2 sd."""
        low, _, high = self.posterior
        return low - 2 * self.sd <= self.observed <= high + 2 * self.sd

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "covered": self.covered}


def parameter_rows(scenario: Scenario, posterior: Posterior) -> list[ParameterRow]:
    quantiles = posterior.quantiles(QUANTILES)
    w = posterior.weights
    rows = []
    for j, name in enumerate(posterior.names):
        prior = scenario.uncertain[name]
        dist = prior.scipy()
        values = posterior.values[:, j]
        mean = float(w @ values)
        sd_post = float(np.sqrt(w @ (values - mean) ** 2))
        sd_prior = float(dist.std())
        q = quantiles[name]
        rows.append(
            ParameterRow(
                name,
                prior.describe(),
                (float(dist.ppf(0.05)), float(dist.ppf(0.5)), float(dist.ppf(0.95))),
                (q[0], q[1], q[2]),
                sd_post / sd_prior if sd_prior > 0 else float("nan"),
            )
        )
    return rows


def simulated_at(
    scenario: Scenario,
    targets: TargetSet,
    overrides: dict[str, Any],
    runs: int,
    seed: int,
    executor: Executor | None = None,
    draws: ParameterDraws | None = None,
) -> dict[str, float]:
    """The targets' statistics of `runs` runs with these parameter values (and `draws`, if
    given, for each group of runs)."""
    result = simulate(scenario, runs, seed, overrides, executor=executor, draws=draws)
    return targets.simulated(result.columns)


def predictive_check(
    scenario: Scenario,
    targets: TargetSet,
    posterior: Posterior,
    *,
    draws: int = 40,
    runs: int = 1024,
    seed: int = 0,
    executor: Executor | None = None,
) -> list[TargetCheck]:
    """Each target simulated at `draws` parameter vectors from the prior and from the
    posterior (keyed by seed and draw), `runs` runs each."""
    names = posterior.names
    rng = np.random.default_rng([seed, _PRIOR_TAG])
    prior_points = draw_overrides(scenario, rng.random((draws, len(names))))
    posterior_points = [posterior.draw(seed, g)[1] for g in range(draws)]
    by_prior = [
        simulated_at(scenario, targets, p, runs, seed + i, executor)
        for i, p in enumerate(prior_points)
    ]
    by_posterior = [
        simulated_at(scenario, targets, p, runs, seed + i, executor)
        for i, p in enumerate(posterior_points)
    ]
    observed, scales = targets.observed(), targets.scales()

    def spread(rows: list[dict[str, float]], key: str) -> tuple[float, float, float]:
        values = np.array([r[key] for r in rows], float)
        lo, mid, hi = np.nanquantile(values, QUANTILES)
        return float(lo), float(mid), float(hi)

    return [
        TargetCheck(
            key, observed[key], scales[key], spread(by_prior, key), spread(by_posterior, key)
        )
        for key in observed
    ]


def plot_posterior(scenario: Scenario, posterior: Posterior, path: Path) -> Path:
    """Marginals (posterior histogram over the prior density) on the diagonal, pairs below."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    k = len(posterior.names)
    short = [n.split(".")[-1] for n in posterior.names]
    labels = [
        ".".join(n.split(".")[-2:]) if short.count(s) > 1 else s
        for n, s in zip(posterior.names, short, strict=True)
    ]
    size = min(2.2 * k, 16)
    fig, axes = plt.subplots(k, k, figsize=(size, size), squeeze=False)
    for i, name in enumerate(posterior.names):
        prior = scenario.uncertain[name].scipy()
        low, high = scenario.uncertain[name].support()
        if not np.isfinite(low):
            low = float(prior.ppf(0.001))
        if not np.isfinite(high):
            high = float(prior.ppf(0.999))
        for j in range(k):
            ax = axes[i][j]
            if j > i:
                ax.set_axis_off()
                continue
            if i == j:
                ax.hist(
                    posterior.values[:, i],
                    bins=20,
                    range=(low, high),
                    weights=posterior.weights,
                    density=True,
                    color="#4c72b0",
                    alpha=0.7,
                )
                grid = np.linspace(low, high, 200)
                ax.plot(grid, prior.pdf(grid), color="#555555", lw=1)
            else:
                ax.scatter(
                    posterior.values[:, j], posterior.values[:, i], s=4, alpha=0.5, color="#4c72b0"
                )
            if i == k - 1:
                ax.set_xlabel(labels[j], fontsize=7)
            if j == 0 and i > 0:
                ax.set_ylabel(labels[i], fontsize=7)
            ax.tick_params(labelsize=6)
    fig.suptitle(f"Posterior of {scenario.name}: marginals (prior as a line) and pairs", fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
