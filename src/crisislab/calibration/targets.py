"""The ICB calibration targets, loaded from package data into typed records.

The YAML is written by benchmarks/icb_targets.py from the ICB v15 files; this module only reads
it, so a run never needs the source data and every figure keeps its n, interval, variables and
filter next to it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass
from functools import cache
from importlib.resources import files
from typing import Any, Literal

from ruamel.yaml import YAML

__all__ = ["Target", "Targets", "load_targets"]

DATA_FILE = "icb_targets.yaml"


@dataclass(frozen=True)
class Target:
    """One calibration target: a share (``successes`` of ``n``) or a median, with its interval.

    ``level`` says whether ``n`` counts crises (icb1) or crisis actors (icb2); ``filter`` and
    ``measure`` are the ICB codes the figure was computed from; ``reference_class`` is False for
    a figure kept only for comparison (it is over all crises).
    """

    name: str
    description: str
    kind: Literal["share", "median"]
    unit: str
    value: float
    n: int
    interval: tuple[float, float]
    interval_method: str
    level: Literal["crisis", "actor"]
    variables: tuple[str, ...]
    filter: str
    measure: str
    reference_class: bool
    successes: int | None = None

    def as_dict(self) -> dict[str, Any]:
        """Plain data for JSON output."""
        return asdict(self)


@dataclass(frozen=True)
class Targets(Mapping[str, Target]):
    """The targets by name, in file order, with the source they come from."""

    source: str
    citation: str
    reference_class: str
    confidence: float
    targets: Mapping[str, Target]

    def __getitem__(self, name: str) -> Target:
        return self.targets[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self.targets)

    def __len__(self) -> int:
        return len(self.targets)

    def as_dict(self) -> dict[str, Any]:
        """Plain data for JSON output."""
        return {
            "source": self.source,
            "citation": self.citation,
            "reference_class": self.reference_class,
            "confidence": self.confidence,
            "targets": {name: t.as_dict() for name, t in self.targets.items()},
        }


def _target(name: str, raw: Mapping[str, Any]) -> Target:
    lo, hi = (float(x) for x in raw["interval"])
    successes = raw.get("successes")
    return Target(
        name=name,
        description=str(raw["description"]),
        kind=raw["kind"],
        unit=str(raw["unit"]),
        value=float(raw["value"]),
        n=int(raw["n"]),
        interval=(lo, hi),
        interval_method=str(raw["interval_method"]),
        level=raw["level"],
        variables=tuple(str(v) for v in raw["variables"]),
        filter=str(raw["filter"]),
        measure=str(raw["measure"]),
        reference_class=bool(raw["reference_class"]),
        successes=None if successes is None else int(successes),
    )


@cache
def load_targets() -> Targets:
    """The ICB v15 targets shipped with crisislab (read once, then cached)."""
    text = (files("crisislab.calibration") / "data" / DATA_FILE).read_text(encoding="utf-8")
    raw = YAML(typ="safe", pure=True).load(text)
    return Targets(
        source=str(raw["source"]),
        citation=str(raw["citation"]),
        reference_class=str(raw["reference_class"]),
        confidence=float(raw["confidence"]),
        targets={name: _target(name, entry) for name, entry in raw["targets"].items()},
    )
