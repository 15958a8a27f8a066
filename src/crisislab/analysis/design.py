"""What the analysis needs to know about a study design, independent of the study store."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

SAMPLERS = ("lhs", "sobol", "saltelli", "morris")

# actor ids whose adjective differs from the id ("US-assumed", not "USA-assumed")
_ACTOR_ADJECTIVES: Mapping[str, str] = {"USA": "US"}
# attribute prefixes that describe one actor's view of something: actors.USA.assumed_control.KH
_VIEW_PREFIXES = ("assumed", "perceived", "believed", "expected", "estimated")


@dataclass(frozen=True, eq=False)
class DesignInfo:
    """The parts of a study design the analysis reads.

    ``unit`` is the unit-cube sample matrix in sampler order (row ``s`` is uncertainty sample
    ``s``); Saltelli and Morris analyses need it because their estimators depend on the exact
    row structure the sampler produced. It may be omitted for ``lhs``/``sobol`` designs.
    """

    levers: list[str]
    uncertainties: list[str]
    labels: dict[str, str] = field(default_factory=dict)
    sampler: str = "lhs"
    unit: np.ndarray | None = None
    second_order: bool = True
    morris_levels: int = 4

    def __post_init__(self) -> None:
        if self.sampler not in SAMPLERS:
            raise ValueError(f"sampler must be one of {SAMPLERS}, not {self.sampler!r}")
        if self.unit is not None:
            unit = np.asarray(self.unit, dtype=float)
            if unit.ndim == 1 and len(self.uncertainties) == 1:
                unit = unit.reshape(-1, 1)
            if unit.ndim != 2 or unit.shape[1] != len(self.uncertainties):
                raise ValueError(
                    f"unit must have shape (samples, {len(self.uncertainties)}), not {unit.shape}"
                )
            object.__setattr__(self, "unit", unit)

    @property
    def n_samples(self) -> int | None:
        """Number of uncertainty samples S, when the unit matrix is known."""
        return None if self.unit is None else int(self.unit.shape[0])

    def label(self, path: str) -> str:
        """The human label of a lever or uncertainty path (given, else derived from the path)."""
        return self.labels.get(path) or default_label(path)


def default_label(path: str) -> str:
    """A readable label made from a dotted override path.

    Reports and plain-words box descriptions must name things the way a reader would, so
    ``actors.KH.control`` becomes "KH control" and ``actors.USA.assumed_control.KH`` becomes
    "US-assumed control of KH".

    >>> default_label("actors.USA.assumed_control.KH")
    'US-assumed control of KH'
    >>> default_label("perception.noise_sd")
    'perception noise sd'
    """
    parts = [p for p in path.split(".") if p]
    if not parts:
        return path
    if parts[0] == "actors" and len(parts) >= 3:
        actor = _ACTOR_ADJECTIVES.get(parts[1], parts[1])
        attr, rest = parts[2], parts[3:]
        verb, _, noun = attr.partition("_")
        if verb in _VIEW_PREFIXES and noun:
            label = f"{actor}-{verb} {_words(noun)}"
        else:
            label = f"{actor} {_words(attr)}"
        for part in rest:
            label += f" of {part}" if _is_actor_id(part) else f" {_words(part)}"
        return label
    return " ".join(_words(p) for p in parts)


def _words(part: str) -> str:
    return part.replace("_", " ").strip()


def _is_actor_id(part: str) -> bool:
    return part.isupper() and part.isalnum()
