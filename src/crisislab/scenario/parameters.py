"""Parameter vectors that a simulation draws per group of runs: a calibration's posterior.

The day loop reads one parameter table per batch, so runs that carry parameter uncertainty are
simulated in groups of `GROUP_RUNS` consecutive runs, each group with its own draw (MODEL.md
§15). Which draw a group gets is keyed by (seed, group), so a run's parameters, like its random
numbers, do not depend on the chunk, the executor or the number of workers.

A posterior file is Parquet: one float column per parameter (the dotted paths of `--set`), a
column `weight` (normalised importance weights of the particles) and, in the schema's metadata
under `crisislab`, what produced it (scenario, targets, method, settings, versions).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from importlib.resources import files
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from crisislab.errors import BadInput, Problem

__all__ = [
    "GROUP_RUNS",
    "METADATA_KEY",
    "Combined",
    "ParameterDraws",
    "Posterior",
    "PosteriorError",
    "Reseeded",
    "group_of",
    "posterior_names",
    "read_posterior",
    "write_posterior",
]

GROUP_RUNS = 64  # runs per parameter draw: small enough for many draws, large enough to be fast
METADATA_KEY = b"crisislab"
_DRAW_TAG = 0x44524157  # "DRAW": keeps these keys apart from any other stream of the seed


class PosteriorError(BadInput):
    """A posterior file that cannot be read: names the file and the column."""

    def __init__(self, source: str, column: str, message: str) -> None:
        super().__init__([Problem(source, column, message)])


class ParameterDraws(Protocol):
    """What `simulate` needs of a source of parameter vectors."""

    @property
    def names(self) -> tuple[str, ...]: ...

    def draw(self, seed: int, group: int) -> tuple[int, dict[str, Any]]:
        """The index of the draw for this group of runs, and its overrides."""
        ...

    def describe(self) -> dict[str, Any]:
        """Plain data saying where the draws come from, for JSON output and reports."""
        ...


@dataclass(frozen=True)
class Combined:
    """A generated crisis per group (an ensemble) with parameters drawn on top of it: the
    parameters' draw index says which runs share them."""

    ensemble: ParameterDraws
    parameters: ParameterDraws

    @property
    def names(self) -> tuple[str, ...]:
        return (*self.ensemble.names, *self.parameters.names)

    def draw(self, seed: int, group: int) -> tuple[int, dict[str, Any]]:
        _, crisis = self.ensemble.draw(seed, group)
        index, values = self.parameters.draw(seed, group)
        return index, {**crisis, **values}

    def describe(self) -> dict[str, Any]:
        return {**self.parameters.describe(), "ensemble": self.ensemble.describe()}


@dataclass(frozen=True)
class Reseeded:
    """Draws keyed by a seed of their own, whatever the simulation's seed: the same crises (or
    parameters) for every simulation that uses them, as common random numbers."""

    inner: ParameterDraws
    seed: int

    @property
    def names(self) -> tuple[str, ...]:
        return self.inner.names

    def draw(self, seed: int, group: int) -> tuple[int, dict[str, Any]]:
        return self.inner.draw(self.seed, group)

    def describe(self) -> dict[str, Any]:
        return {**self.inner.describe(), "seed": self.seed}


def group_of(run: int, group_runs: int = GROUP_RUNS) -> int:
    return run // group_runs


def _keyed_uniform(seed: int, group: int) -> float:
    state = np.random.SeedSequence([seed, _DRAW_TAG, group]).generate_state(2, np.uint32)
    return float((int(state[0]) * 2**32 + int(state[1])) / 2**64)


@dataclass(frozen=True)
class Posterior:
    """A weighted sample of parameter vectors (the particles of a calibration)."""

    values: np.ndarray  # [particles, parameters]
    weights: np.ndarray  # [particles], sum 1
    names: tuple[str, ...]
    metadata: Mapping[str, Any] = field(default_factory=dict)
    source: str = ""
    digest: str = ""

    def __post_init__(self) -> None:
        if self.values.ndim != 2 or self.values.shape != (len(self.weights), len(self.names)):
            raise PosteriorError(self.source, "weight", "particles and weights do not match")

    @cached_property
    def cumulative(self) -> np.ndarray:
        return np.cumsum(self.weights)

    def draw(self, seed: int, group: int) -> tuple[int, dict[str, float]]:
        u = _keyed_uniform(seed, group)
        index = min(int(np.searchsorted(self.cumulative, u, side="right")), len(self.weights) - 1)
        row = self.values[index]
        return index, {name: float(v) for name, v in zip(self.names, row, strict=True)}

    def mean(self) -> dict[str, float]:
        return dict(zip(self.names, (self.weights @ self.values).tolist(), strict=True))

    def quantiles(self, qs: tuple[float, ...] = (0.05, 0.5, 0.95)) -> dict[str, list[float]]:
        """Weighted quantiles of each parameter."""
        out = {}
        for j, name in enumerate(self.names):
            order = np.argsort(self.values[:, j])
            cdf = np.cumsum(self.weights[order])
            picks = np.searchsorted(cdf, np.asarray(qs) * cdf[-1])
            out[name] = [float(self.values[order[min(i, len(order) - 1)], j]) for i in picks]
        return out

    def effective_size(self) -> float:
        return float(1.0 / np.sum(self.weights**2))

    def describe(self) -> dict[str, Any]:
        return {
            "posterior": Path(self.source).name if self.source else "",
            "sha256": self.digest,
            "particles": len(self.weights),
            "effective_size": round(self.effective_size(), 1),
            "parameters": list(self.names),
            "runs_per_draw": GROUP_RUNS,
            "calibration": dict(self.metadata),
        }


def write_posterior(
    path: Path,
    names: tuple[str, ...],
    values: np.ndarray,
    weights: np.ndarray,
    metadata: Mapping[str, Any],
) -> None:
    """Write a posterior file whole or not at all (a temporary file renamed into place)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    weights = np.asarray(weights, float)
    weights = weights / weights.sum()
    table = pa.table(
        {
            **{n: np.asarray(values)[:, j].astype(float) for j, n in enumerate(names)},
            "weight": weights,
        }
    )
    table = table.replace_schema_metadata({METADATA_KEY: json.dumps(dict(metadata)).encode()})
    path = Path(path)
    partial = path.with_name(path.name + ".partial")
    pq.write_table(table, partial)
    partial.replace(path)


def posterior_names() -> list[str]:
    """The posteriors shipped with crisislab (package data), by name."""
    folder = files("crisislab.scenario") / "data" / "posteriors"
    return sorted(
        p.name.removesuffix(".parquet") for p in folder.iterdir() if p.name.endswith(".parquet")
    )


def read_posterior(path: str | Path) -> Posterior:
    """Read and check a posterior file, or a shipped posterior by name (`posterior_names`);
    every problem names the file and the column."""
    import pyarrow.parquet as pq

    if not Path(path).exists() and str(path) in posterior_names():
        path = Path(str(files("crisislab.scenario") / "data" / "posteriors" / f"{path}.parquet"))
    path = Path(path)
    label = str(path)
    try:
        raw = path.read_bytes()
        table = pq.read_table(path)
    except FileNotFoundError:
        raise PosteriorError(label, "", "no such file") from None
    except (OSError, ValueError) as exc:
        raise PosteriorError(label, "", f"not a Parquet posterior file ({exc})") from None
    meta = table.schema.metadata or {}
    if METADATA_KEY not in meta:
        raise PosteriorError(
            label,
            "",
            "not a crisislab posterior (no metadata 'crisislab'; `crisislab calibrate` writes one)",
        )
    columns = table.column_names
    if "weight" not in columns:
        raise PosteriorError(label, "weight", "missing column")
    names = tuple(c for c in columns if c != "weight")
    if not names:
        raise PosteriorError(label, "", "no parameter columns")
    if table.num_rows == 0:
        raise PosteriorError(label, "", "no particles")
    values = np.empty((table.num_rows, len(names)))
    for j, name in enumerate(names):
        column = table.column(name)
        if column.null_count:
            raise PosteriorError(label, name, f"{column.null_count} missing values")
        try:
            values[:, j] = column.to_numpy().astype(float)
        except (TypeError, ValueError):
            raise PosteriorError(label, name, "not numeric") from None
        if not np.all(np.isfinite(values[:, j])):
            raise PosteriorError(label, name, "values that are not finite")
    weights = table.column("weight").to_numpy(zero_copy_only=False).astype(float)
    if not np.all(np.isfinite(weights)) or np.any(weights < 0) or weights.sum() <= 0:
        raise PosteriorError(label, "weight", "must be finite, ≥ 0 and not all 0")
    try:
        metadata = json.loads(meta[METADATA_KEY])
    except ValueError:
        raise PosteriorError(label, "", "its metadata 'crisislab' is not JSON") from None
    return Posterior(
        values,
        weights / weights.sum(),
        names,
        metadata,
        label,
        hashlib.sha256(raw).hexdigest(),
    )
