"""Calibration by approximate Bayesian computation with sequential Monte Carlo (pyabc).

A scenario's uncertain parameters (its `uncertain:` section) are fitted to a target set
(MODEL.md §15). Each particle is a parameter vector; its model evaluation simulates `runs` runs
of the scenario with those parameters and computes the targets' statistics; the distance to the
observed values is the Euclidean norm of the differences in units of each target's standard
deviation. pyabc proposes, weighs and shrinks the tolerance generation by generation.

Choices, and why:
- The parameters are searched on the unit cube: particle coordinate uᵢ ∈ (0, 1) is mapped through
  the inverse CDF of parameter i's prior. A uniform prior on the cube is then exactly the
  scenario's prior, whatever its kinds, and pyabc's perturbation kernels need no bounds.
- Particles are evaluated one after another in this process (pyabc's single-core sampler, its
  random state reseeded from (seed, generation) before each generation) and each evaluation's
  runs are spread over crisislab's executor. The proposals therefore do not depend on which
  worker finishes first, and the same seed gives the same posterior on any executor.
- Each generation is a fresh pyabc run continued from the database (SQLite, beside the
  output). A calibration that is killed resumes from its last complete generation, and takes the
  same path as one that was never interrupted.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import time
from collections.abc import Callable, Mapping
from concurrent.futures import Executor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from crisislab._version import __version__
from crisislab.calibration.diagnostics import simulated_at
from crisislab.calibration.target_set import TargetSet
from crisislab.errors import BadInput, Problem
from crisislab.scenario.parameters import Posterior, Reseeded, write_posterior
from crisislab.scenario.schema import Scenario
from crisislab.scenario.uncertain import draw_overrides
from crisislab.simulate import with_ensemble

__all__ = ["CalibrationError", "Settings", "calibrate", "evaluate", "parameter_names"]

_LOGGERS = ("ABC", "pyabc", "Sampler", "Epsilon", "Distance", "Acceptor", "Population")
_SEED_TAG = 0x43414C49  # "CALI"


class CalibrationError(BadInput):
    """A calibration that cannot start or continue: the message says why and what to do."""

    def __init__(self, message: str, source: str = "calibrate", path: str = "") -> None:
        super().__init__([Problem(source, path, message)])


@dataclass(frozen=True)
class Settings:
    """What a calibration is: any change starts a new one rather than continuing the old."""

    population: int = 200
    generations: int = 8
    runs: int = 2048
    seed: int = 0
    min_epsilon: float = 0.0
    days: int | None = None

    def check(self) -> None:
        for name, value, low in (
            ("population", self.population, 10),
            ("generations", self.generations, 1),
            ("runs", self.runs, 100),
        ):
            if not isinstance(value, int) or value < low:
                raise CalibrationError(f"--{name}: must be an integer ≥ {low}, got {value!r}")
        if self.seed < 0:
            raise CalibrationError(f"--seed: must be ≥ 0, got {self.seed}")


@dataclass
class Generation:
    """One finished generation, as the progress display and the diagnostics show it."""

    t: int
    epsilon: float
    acceptance: float
    evaluations: int
    effective_size: float


@dataclass
class Outcome:
    """What `calibrate` returns: the posterior and the path it took."""

    posterior: Posterior
    generations: list[Generation] = field(default_factory=list)
    resumed_from: int = 0


def parameter_names(scenario: Scenario) -> tuple[str, ...]:
    names = tuple(scenario.uncertain)
    if not names:
        raise CalibrationError(
            f"{scenario.name}: declares no uncertain parameters; add an `uncertain:` section "
            "(docs/scenario-format.md, 'Uncertain parameters')"
        )
    return names


def _u_names(n: int) -> list[str]:
    return [f"u{i}" for i in range(n)]


def evaluation_seed(seed: int, u: np.ndarray) -> int:
    """The seed of one model evaluation: keyed by the calibration's seed and the particle, so
    that an evaluation is the same whenever and wherever it is made."""
    digest = hashlib.sha256(np.asarray(u, np.float64).tobytes() + seed.to_bytes(8, "little"))
    return int.from_bytes(digest.digest()[:4], "little")


def evaluate(
    scenario: Scenario,
    targets: TargetSet,
    u: np.ndarray,
    runs: int,
    seed: int,
    executor: Executor | None = None,
    days: int | None = None,
) -> dict[str, float]:
    """The targets' statistics simulated at one point of the unit cube.

    The runs' random numbers are keyed by the particle; a scenario's generated crises (its
    `ensemble`) are keyed by the calibration's seed alone, so every particle is held against the
    same crises (common random numbers): the crisis mix of `runs` // 64 crises would otherwise
    vary from particle to particle and blur their differences."""
    overrides: dict[str, Any] = dict(draw_overrides(scenario, np.asarray(u, float)[None, :])[0])
    if days is not None:
        overrides["days"] = days
    draws = None
    ensemble = with_ensemble(scenario, None)
    if ensemble is not None:
        draws = Reseeded(ensemble, seed)
        overrides["ensemble"] = None
    return simulated_at(
        scenario, targets, overrides, runs, evaluation_seed(seed, u), executor, draws
    )


def fingerprint(scenario: Scenario, targets: TargetSet, settings: Settings) -> str:
    """A digest of everything a calibration depends on, kept beside its database."""
    text = json.dumps(
        {
            "scenario": scenario.model_dump(mode="json"),
            "targets": targets.as_dict(),
            "settings": settings.__dict__,
        },
        sort_keys=True,
        default=str,
    )
    return hashlib.sha256(text.encode()).hexdigest()


def paths(output: Path) -> tuple[Path, Path]:
    """The database and the fingerprint of the calibration that writes `output`."""
    return output.with_name(output.name + ".abc.db"), output.with_name(output.name + ".abc.json")


def calibrate(
    scenario: Scenario,
    targets: TargetSet,
    output: Path,
    settings: Settings,
    *,
    executor: Executor | None = None,
    on_generation: Callable[[Generation], None] | None = None,
    on_evaluation: Callable[[int], None] | None = None,
    restart: bool = False,
    max_seconds: float | None = None,
    min_acceptance: float = 0.0,
) -> Outcome:
    """Fit the scenario's uncertain parameters to the targets; write the posterior to `output`.

    Continues the calibration found beside `output` if it was made with the same scenario,
    targets and settings; refuses one made otherwise unless `restart`. Stops before the last
    generation when a generation's acceptance rate falls below `min_acceptance` (the tolerance
    has reached what the model can fit), or when `max_seconds` have passed (a later call
    continues); the posterior is then the last complete generation's.
    """
    started = time.monotonic()
    import pyabc

    settings.check()
    names = parameter_names(scenario)
    for name in _LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
    database, stamp = paths(Path(output))
    digest = fingerprint(scenario, targets, settings)
    resumed_from = _prepare(database, stamp, digest, restart)

    k = len(names)
    _check_horizon(targets, settings.days or scenario.days)
    _check_measurable(scenario, targets, settings, executor)
    prior = pyabc.Distribution(**{n: pyabc.RV("uniform", 0.0, 1.0) for n in _u_names(k)})
    observed = targets.observed()
    scales = targets.scales()
    distance = pyabc.PNormDistance(p=2, fixed_weights={key: 1.0 / scales[key] for key in observed})
    evaluations = 0

    def model(particle: Mapping[str, float]) -> dict[str, float]:
        nonlocal evaluations
        u = np.array([particle[n] for n in _u_names(k)])
        stats = evaluate(
            scenario, targets, u, settings.runs, settings.seed, executor, settings.days
        )
        evaluations += 1
        if on_evaluation is not None:
            on_evaluation(evaluations)
        return stats

    db_url = f"sqlite:///{database}"
    fresh = resumed_from == 0
    started_at: int | None = None
    done: list[Generation] = []
    while True:
        abc = pyabc.ABCSMC(
            model,
            prior,
            distance,
            population_size=settings.population,
            sampler=pyabc.SingleCoreSampler(check_max_eval=False),
        )
        history = abc.new(db_url, observed) if fresh else abc.load(db_url, 1)
        fresh = False
        t = int(history.max_t) + 1
        started_at = t if started_at is None else started_at
        if t >= settings.generations or (t > 0 and _last_epsilon(history) <= settings.min_epsilon):
            break
        if done and (
            done[-1].acceptance < min_acceptance
            or (max_seconds is not None and time.monotonic() - started > max_seconds)
        ):
            break
        np.random.seed(np.random.SeedSequence([settings.seed, _SEED_TAG, t]).generate_state(1))
        before = evaluations
        history = abc.run(max_nr_populations=1, minimum_epsilon=settings.min_epsilon)
        generation = _generation(history, t, evaluations - before)
        done.append(generation)
        if on_generation is not None:
            on_generation(generation)
    posterior = _posterior(scenario, names, history, targets, settings, digest, output)
    return Outcome(posterior, done, started_at or 0)


def _check_horizon(targets: TargetSet, horizon: int) -> None:
    """Refuse targets that look past the simulated days, or that divide by another horizon:
    their simulated values would be wrong at every particle, not merely noisy."""
    problems = []
    for target in targets:
        params = target.params
        if target.statistic in ("ended_within", "event_within") and params["days"] > horizon:
            problems.append(
                f"{target.name} counts {params['days']} days, more than the {horizon} simulated"
            )
        if target.statistic == "attacks_per_month" and params["horizon"] != horizon:
            problems.append(
                f"{target.name} divides by a horizon of {params['horizon']} days, "
                f"the runs simulate {horizon}"
            )
    if problems:
        raise CalibrationError(
            "; ".join(problems) + "; change --days or the target set", path="--days"
        )


def _check_measurable(
    scenario: Scenario, targets: TargetSet, settings: Settings, executor: Executor | None
) -> None:
    """Refuse a calibration whose evaluations cannot measure a target: a share among runs of a
    kind that none of the evaluation's runs are (no crisis opened by a proxy among those an
    ensemble drew, say) is nan at every particle. Checked at the prior's median."""
    centre = np.full(len(scenario.uncertain), 0.5)
    found = evaluate(
        scenario, targets, centre, settings.runs, settings.seed, executor, settings.days
    )
    missing = [name for name, value in found.items() if math.isnan(value)]
    if missing:
        raise CalibrationError(
            f"{settings.runs:,} runs (seed {settings.seed}) cannot measure {', '.join(missing)}: "
            "no run is of the kind the statistic counts among; raise --runs or change --seed",
            path="--runs",
        )


def _prepare(database: Path, stamp: Path, digest: str, restart: bool) -> int:
    """Start afresh or continue; returns 1 when there is a calibration to continue."""
    if restart:
        database.unlink(missing_ok=True)
        stamp.unlink(missing_ok=True)
    if database.exists():
        found = json.loads(stamp.read_text()).get("fingerprint") if stamp.exists() else None
        if found != digest:
            raise CalibrationError(
                f"{database.name}: a calibration with other settings, scenario or targets is "
                "stored here; pass --restart to discard it, or choose another output"
            )
        if _stored_generations(database) > 0:
            return 1
        database.unlink()
    stamp.write_text(json.dumps({"fingerprint": digest, "crisislab": __version__}))
    return 0


def _stored_generations(database: Path) -> int:
    import pyabc

    try:
        history = pyabc.History(f"sqlite:///{database}", _id=1)
        return int(history.max_t) + 1
    except Exception:  # an empty or broken database: nothing to continue from
        return 0


def _last_epsilon(history: Any) -> float:
    pops = history.get_all_populations()
    return float(pops["epsilon"].iloc[-1])


def _generation(history: Any, t: int, evaluations: int) -> Generation:
    pops = history.get_all_populations().set_index("t")
    _, weights = history.get_distribution(m=0, t=t)
    ess = float(1.0 / np.sum(np.asarray(weights) ** 2))
    samples = int(pops.loc[t, "samples"])
    particles = int(pops.loc[t, "particles"])
    return Generation(
        t, float(pops.loc[t, "epsilon"]), particles / max(samples, 1), evaluations, ess
    )


def _posterior(
    scenario: Scenario,
    names: tuple[str, ...],
    history: Any,
    targets: TargetSet,
    settings: Settings,
    digest: str,
    output: Path,
) -> Posterior:
    from crisislab.scenario.parameters import read_posterior

    frame, weights = history.get_distribution(m=0, t=history.max_t)
    u = frame[_u_names(len(names))].to_numpy()
    drawn = draw_overrides(scenario, u)
    values = np.array([[row[n] for n in names] for row in drawn], float)
    pops = history.get_all_populations()
    import pyabc

    metadata = {
        "scenario": scenario.name,
        "targets": targets.name,
        "method": "ABC-SMC (pyabc), distance: Euclidean in units of each target's sd",
        "generations": int(history.max_t) + 1,
        "epsilon": [round(float(e), 6) for e in pops["epsilon"].tolist() if math.isfinite(e)],
        "evaluations": int(pops["samples"].sum()),
        "settings": settings.__dict__,
        "fingerprint": digest,
        "priors": {n: scenario.uncertain[n].describe() for n in names},
        "crisislab": __version__,
        "pyabc": pyabc.__version__,
    }
    write_posterior(Path(output), names, values, np.asarray(weights, float), metadata)
    return read_posterior(output)
