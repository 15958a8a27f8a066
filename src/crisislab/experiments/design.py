"""The design of a study: policies × futures, each design point's overrides and seed, and chunks.

Design points are numbered policy-major: point = policy × S + sample, for S futures. Every policy
meets the same futures with the same random seed (common random numbers), so the difference
between two policies in one future is not blurred by independent noise.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np

from crisislab.engine.batch import BLOCK_RUNS
from crisislab.experiments.spec import Scalar, StudySpec, as_parameter, base_overrides
from crisislab.scenario.schema import Scenario

MAX_CHUNK_BLOCKS = 32


@dataclass(frozen=True)
class Chunk:
    """One unit of work: blocks [first_block, first_block + n_blocks) of one design point."""

    index: int
    point: int
    first_block: int
    n_blocks: int
    first_run: int  # index within the point of the chunk's first run
    runs: int  # runs kept (the last block of a point may be cut short)


def sample_seed(seed: int, sample: int) -> int:
    """The engine seed of every design point in future `sample` (independent of the policy)."""
    state = np.random.SeedSequence(seed, spawn_key=(sample,)).generate_state(2, np.uint32)
    return int(state[0]) << 32 | int(state[1])


def unit_sample(spec: StudySpec) -> np.ndarray:
    """The futures in the unit cube, shape (S, D), in the sampler's own order (Saltelli's kept)."""
    d = len(spec.uncertainties)
    n = spec.base_samples
    if d == 0:
        return np.zeros((1, 0))
    from scipy.stats import qmc  # imported when sampling, not with the command line

    if spec.sampler == "lhs":
        return qmc.LatinHypercube(d=d, rng=np.random.default_rng(spec.seed)).random(n)
    if spec.sampler == "sobol":
        return qmc.Sobol(d=d, scramble=True, rng=np.random.default_rng(spec.seed)).random(n)
    problem = unit_problem(spec)
    if spec.sampler == "saltelli":
        from SALib.sample import sobol

        return sobol.sample(problem, n, calc_second_order=spec.second_order, seed=spec.seed)
    from SALib.sample import morris

    return morris.sample(problem, n, num_levels=spec.morris_levels, seed=spec.seed)


def unit_problem(spec: StudySpec) -> dict[str, Any]:
    """SALib's problem over the unit cube; a unit coordinate maps to a value by its inverse CDF."""
    names = list(spec.uncertainties)
    return {"num_vars": len(names), "names": names, "bounds": [[0.0, 1.0]] * len(names)}


def salib_problem(spec: StudySpec) -> dict[str, Any]:
    """SALib's problem on the parameters' own scales, for users who analyse with SALib directly."""
    names, bounds, dists = [], [], []
    for path, u in spec.uncertainties.items():
        names.append(path)
        if u.distribution == "normal" and (u.low is None or u.high is None):
            bounds.append([u.mean, u.sd])
            dists.append("norm")
        elif u.distribution == "normal":
            bounds.append([u.low, u.high, u.mean, u.sd])
            dists.append("truncnorm")
        elif u.distribution == "triangular":
            assert u.low is not None and u.high is not None and u.mode is not None
            bounds.append([u.low, u.high, (u.mode - u.low) / (u.high - u.low)])
            dists.append("triang")
        elif u.distribution == "loguniform":
            bounds.append([u.low, u.high])
            dists.append("logunif")
        elif u.distribution == "categorical":
            assert u.values is not None
            bounds.append([0.0, 1.0])
            dists.append("unif")
        else:
            bounds.append([u.low, u.high])
            dists.append("unif")
    return {"num_vars": len(names), "names": names, "bounds": bounds, "dists": dists}


def policy_label(setting: dict[str, Scalar]) -> str:
    """A short, readable name for a lever setting: 'doctrine=restraint, rhetoric=measured'."""
    if not setting:
        return "default"
    return ", ".join(f"{path.rsplit('.', 1)[-1]}={value}" for path, value in setting.items())


@dataclass
class Design:
    """Every design point of a study, its overrides and its seed; computed, never stored state."""

    spec: StudySpec
    scenario: Scenario

    @cached_property
    def policies(self) -> list[dict[str, Scalar]]:
        """The full factorial of the levers, in the order the file lists them."""
        paths = list(self.spec.levers)
        combos = itertools.product(*self.spec.levers.values())
        return [dict(zip(paths, combo, strict=True)) for combo in combos]

    @cached_property
    def unit(self) -> np.ndarray:
        return unit_sample(self.spec)

    @cached_property
    def futures(self) -> list[dict[str, Scalar]]:
        """The uncertainty values of each sample, on the parameters' own scales."""
        columns = {
            path: as_parameter(u.ppf(self.unit[:, j]), self.scenario, path)
            for j, (path, u) in enumerate(self.spec.uncertainties.items())
        }
        return [{p: columns[p][s] for p in columns} for s in range(len(self.unit))]

    @property
    def n_samples(self) -> int:
        return len(self.unit)

    @property
    def n_points(self) -> int:
        return len(self.policies) * self.n_samples

    def locate(self, point: int) -> tuple[int, int]:
        """(policy index, sample index) of a design point."""
        return divmod(point, self.n_samples)

    def overrides(self, point: int) -> dict[str, Any]:
        """Everything a design point sets: days and constants, its policy and its future."""
        policy, sample = self.locate(point)
        return {**base_overrides(self.spec), **self.policies[policy], **self.futures[sample]}

    def seed(self, point: int) -> int:
        return sample_seed(self.spec.seed, self.locate(point)[1])

    @cached_property
    def chunks(self) -> list[Chunk]:
        """Each point cut into chunks of at most MAX_CHUNK_BLOCKS blocks of 1,024 runs."""
        runs = self.spec.runs_per_point
        blocks = math.ceil(runs / BLOCK_RUNS)
        out: list[Chunk] = []
        for point in range(self.n_points):
            for first in range(0, blocks, MAX_CHUNK_BLOCKS):
                n = min(MAX_CHUNK_BLOCKS, blocks - first)
                first_run = first * BLOCK_RUNS
                kept = min(runs, (first + n) * BLOCK_RUNS) - first_run
                out.append(Chunk(len(out), point, first, n, first_run, kept))
        return out

    def rows(self) -> dict[str, list[Any]]:
        """The design as columns: point, policy, sample, each lever and each uncertainty."""
        table: dict[str, list[Any]] = {"point": [], "policy": [], "sample": []}
        table |= {path: [] for path in [*self.spec.levers, *self.spec.uncertainties]}
        for point in range(self.n_points):
            policy, sample = self.locate(point)
            table["point"].append(point)
            table["policy"].append(policy_label(self.policies[policy]))
            table["sample"].append(sample)
            for path, value in {**self.policies[policy], **self.futures[sample]}.items():
                table[path].append(value)
        return table
