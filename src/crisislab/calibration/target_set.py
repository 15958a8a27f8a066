"""Target sets: the statistics of simulated runs a calibration must match, with observed values.

A target set is a small YAML file (docs/calibration.md, "Target sets"):

.. code-block:: yaml

    name: icb-generic
    description: ICB v15 base rates for crises that began short of war
    targets:
      - name: war
        statistic: war_share          # a name in crisislab.calibration.STATISTICS
        icb: war                      # value and sd from the packaged ICB table
      - name: serious_clashes
        statistic: violence_share
        params: {level: 3}
        observed: {value: 0.3, sd: 0.03}
        source: "where the figure comes from"

A target takes its observed value and its uncertainty (a standard deviation) either from the
packaged ICB targets (``icb: <name>``, or a list of share targets over the same crises, whose
successes are added) or as ``observed: {value, sd}`` with a ``source``. For ``icb``, the sd is the
half-width of the figure's 95% interval divided by 1.96 (the interval shipped with the figure; for
a sum of shares, the Jeffreys interval of the summed successes, computed as the shipped ones are).
For a share this is within a few per cent of the binomial sd √(p(1 − p)/n), and it also serves a
median, whose interval is an order-statistic one.

Built-in sets ship as package data in ``crisislab/calibration/data/target_sets``. Every problem of
a file (an unknown statistic, parameter or ICB name, an sd ≤ 0, a missing field ...) is reported
at its file, line and column, all of them at once, as a `TargetSetError`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from crisislab.calibration.statistics import STATISTICS, Columns, Statistic, columns_of
from crisislab.calibration.targets import Target, load_targets
from crisislab.errors import BadInput, Problem
from crisislab.scenario.loader import decode_source, parse_yaml

if TYPE_CHECKING:
    from crisislab.results import SimulationResult

__all__ = [
    "ObservedTarget",
    "TargetSet",
    "TargetSetError",
    "load_target_set",
    "target_set_names",
]

FOLDER = "target_sets"
SET_FIELDS = ("name", "description", "targets")
TARGET_FIELDS = ("name", "statistic", "params", "description", "icb", "observed", "source")
OBSERVED_FIELDS = ("value", "sd")
Path_ = tuple[str | int, ...]


class TargetSetError(BadInput):
    """A target set file is invalid."""


@dataclass(frozen=True)
class ObservedTarget:
    """One target of a set: a statistic (with all its parameters) and its observed value.

    ``sd`` is the observed value's standard deviation, the scale a calibration's distance divides
    by; ``icb`` names the ICB targets the value comes from (empty for an ``observed`` value).
    """

    name: str
    statistic: str
    params: Mapping[str, Any]
    value: float
    sd: float
    source: str
    description: str
    icb: tuple[str, ...] = ()

    @property
    def measure(self) -> Statistic:
        """The statistic this target matches."""
        return STATISTICS[self.statistic]

    def simulated(self, columns: Columns | SimulationResult) -> float:
        """The statistic of simulated runs (their per-run summary columns)."""
        return self.measure.compute(columns_of(columns), **self.params)

    def as_dict(self) -> dict[str, Any]:
        """Plain data for JSON output."""
        return {
            "name": self.name,
            "statistic": self.statistic,
            "params": dict(self.params),
            "value": self.value,
            "sd": self.sd,
            "source": self.source,
            "description": self.description,
            "icb": list(self.icb),
        }


@dataclass(frozen=True)
class TargetSet:
    """Targets by name, in file order; iterating gives the targets."""

    name: str
    description: str
    source: str  # the file it was read from (a built-in's name.yaml)
    targets: tuple[ObservedTarget, ...] = field(default=())

    def __iter__(self) -> Iterator[ObservedTarget]:
        return iter(self.targets)

    def __len__(self) -> int:
        return len(self.targets)

    def __getitem__(self, name: str) -> ObservedTarget:
        for target in self.targets:
            if target.name == name:
                return target
        raise KeyError(f"target set {self.name!r} has no target {name!r}")

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(t.name for t in self.targets)

    def observed(self) -> dict[str, float]:
        """Each target's observed value, by name."""
        return {t.name: t.value for t in self.targets}

    def scales(self) -> dict[str, float]:
        """Each target's standard deviation, by name."""
        return {t.name: t.sd for t in self.targets}

    def simulated(self, columns: Columns | SimulationResult) -> dict[str, float]:
        """Each target's statistic of simulated runs (a `SimulationResult` or its columns)."""
        columns = columns_of(columns)
        return {t.name: t.simulated(columns) for t in self.targets}

    def as_dict(self) -> dict[str, Any]:
        """Plain data for JSON output."""
        return {
            "name": self.name,
            "description": self.description,
            "source": self.source,
            "targets": [t.as_dict() for t in self.targets],
        }


# --- reading ----------------------------------------------------------------------------------


def _folder() -> Traversable:
    return files("crisislab.calibration") / "data" / FOLDER


def target_set_names() -> list[str]:
    """Names of the target sets shipped with crisislab."""
    return sorted(
        p.name.removesuffix(".yaml")
        for p in _folder().iterdir()
        if p.name.endswith(".yaml") and not p.name.startswith(".")
    )


def load_target_set(name_or_path: str | Path) -> TargetSet:
    """Load a built-in target set by name, or a target set YAML file by path; raise
    TargetSetError listing every problem, each at its file, line and column."""
    ref = str(name_or_path)
    if ref in target_set_names():
        label = f"{ref}.yaml"
        text = (_folder() / label).read_text(encoding="utf-8")
        return parse_target_set(label, text, builtin=ref)
    path = Path(ref)
    if path.is_dir():
        raise TargetSetError([Problem(ref, "", "is a folder; give a target set's YAML file")])
    if not path.is_file():
        hint = f" (built-in target sets: {', '.join(target_set_names())})"
        raise TargetSetError([Problem(ref, "", f"no such built-in target set or file{hint}")])
    return parse_target_set(ref, decode_source(ref, path.read_bytes(), TargetSetError))


def parse_target_set(label: str, text: str, builtin: str | None = None) -> TargetSet:
    """A target set from YAML text; `label` names it in problems. A built-in set's name must be
    its file's."""
    data, positions = parse_yaml(label, text, TargetSetError)
    return _Reader(label, positions).read(data, builtin)


class _Reader:
    """Validates plain data as a target set, collecting every problem with its position."""

    def __init__(self, label: str, positions: Mapping[Path_, tuple[int, int]]):
        self.label, self.positions = label, positions
        self.problems: list[Problem] = []

    def problem(self, path: Path_, message: str) -> None:
        where = None
        for n in range(len(path), -1, -1):
            where = self.positions.get(path[:n])
            if where:
                break
        dotted = ".".join(str(p) for p in path)
        self.problems.append(Problem(self.label, dotted, message, *(where or (None, None))))

    def text(self, raw: Mapping[str, Any], path: Path_, key: str, required: bool) -> str:
        if key not in raw:
            if required:
                self.problem(path, f"required field {key!r} is missing")
            return ""
        value = raw[key]
        if not isinstance(value, str) or not value.strip():
            self.problem((*path, key), f"must be a non-empty text, got {value!r}")
            return ""
        return value.strip()

    def unknown(self, raw: Mapping[str, Any], path: Path_, known: tuple[str, ...]) -> None:
        for key in raw:
            if key not in known:
                self.problem(
                    (*path, key), f"unknown field (check the spelling; fields: {', '.join(known)})"
                )

    def read(self, data: Any, builtin: str | None) -> TargetSet:
        if not isinstance(data, dict):
            kind = "empty" if data is None else f"a {type(data).__name__}"
            raise TargetSetError(
                [Problem(self.label, "", f"a target set must be a YAML mapping, got {kind}")]
            )
        self.unknown(data, (), SET_FIELDS)
        name = self.text(data, (), "name", True)
        if builtin is not None and name and name != builtin:
            self.problem(("name",), f"must be {builtin!r}, the file's name")
        description = self.text(data, (), "description", False)
        raw_targets = data.get("targets")
        targets: list[ObservedTarget] = []
        if "targets" not in data:
            self.problem((), "required field 'targets' is missing")
        elif not isinstance(raw_targets, list) or not raw_targets:
            self.problem(("targets",), "must be a list of one or more targets")
        else:
            seen: set[str] = set()
            for i, raw in enumerate(raw_targets):
                target = self.target(raw, ("targets", i))
                if target is None:
                    continue
                if target.name in seen:
                    self.problem(("targets", i, "name"), f"a second target named {target.name!r}")
                seen.add(target.name)
                targets.append(target)
        if self.problems:
            raise TargetSetError(self.problems)
        return TargetSet(name, description, self.label, tuple(targets))

    def target(self, raw: Any, at: Path_) -> ObservedTarget | None:
        if not isinstance(raw, dict):
            self.problem(at, "a target must be a mapping: name, statistic, then icb or observed")
            return None
        before = len(self.problems)
        self.unknown(raw, at, TARGET_FIELDS)
        name = self.text(raw, at, "name", True)
        description = self.text(raw, at, "description", False)
        statistic, params = self.statistic(raw, at)
        has_icb, has_observed = "icb" in raw, "observed" in raw
        value = sd = math.nan
        source = ""
        icb: tuple[str, ...] = ()
        if has_icb and has_observed:
            self.problem((*at, "observed"), "give either icb or observed, not both")
        elif has_icb:
            if "source" in raw:
                self.problem(
                    (*at, "source"),
                    "an icb target takes its source from the ICB table: leave source out",
                )
            found = self.icb(raw["icb"], (*at, "icb"), statistic, params)
            if found is not None:
                icb, value, sd, source = found
        elif has_observed:
            value, sd = self.observed(raw["observed"], (*at, "observed"), statistic)
            source = self.text(raw, at, "source", True)
        else:
            self.problem(
                at, "give icb: <an ICB target's name>, or observed: {value, sd} with a source"
            )
        if len(self.problems) > before or statistic is None:
            return None
        return ObservedTarget(
            name=name,
            statistic=statistic.name,
            params=params,
            value=value,
            sd=sd,
            source=source,
            description=description or statistic.description,
            icb=icb,
        )

    def statistic(self, raw: Mapping[str, Any], at: Path_) -> tuple[Statistic | None, dict]:
        """The statistic and its complete parameters (None if either is wrong)."""
        if "statistic" not in raw:
            self.problem(at, "required field 'statistic' is missing")
            return None, {}
        name = raw["statistic"]
        statistic = STATISTICS.get(name) if isinstance(name, str) else None
        if statistic is None:
            self.problem(
                (*at, "statistic"),
                f"unknown statistic {name!r}; use one of {', '.join(STATISTICS)}",
            )
            return None, {}
        params = raw.get("params", {})
        if params is None:
            params = {}
        if not isinstance(params, dict):
            self.problem((*at, "params"), f"must be a mapping of parameters, got {params!r}")
            return None, {}
        found = statistic.problems(params)
        for param, message in found:
            if param:
                self.problem((*at, "params", param), message)
            else:
                self.problem((*at, "params") if "params" in raw else (*at, "statistic"), message)
        if found:
            return None, {}
        return statistic, statistic.bind(params)

    def observed(self, raw: Any, at: Path_, statistic: Statistic | None) -> tuple[float, float]:
        if not isinstance(raw, dict):
            self.problem(at, f"must be a mapping {{value: ..., sd: ...}}, got {raw!r}")
            return math.nan, math.nan
        self.unknown(raw, at, OBSERVED_FIELDS)
        value, sd = (self.number(raw, at, key) for key in OBSERVED_FIELDS)
        if not math.isnan(sd) and sd <= 0:
            self.problem((*at, "sd"), f"must be greater than 0, got {sd:g}")
        share = statistic is not None and statistic.kind == "share"
        if share and not math.isnan(value) and not 0 <= value <= 1:
            assert statistic is not None
            self.problem((*at, "value"), f"{statistic.name} is a share: 0 to 1, got {value:g}")
        return value, sd

    def number(self, raw: Mapping[str, Any], at: Path_, key: str) -> float:
        if key not in raw:
            self.problem(at, f"required field {key!r} is missing")
            return math.nan
        value = raw[key]
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        if not ok or not math.isfinite(value):
            self.problem((*at, key), f"must be a finite number, got {value!r}")
            return math.nan
        return float(value)

    def icb(
        self, raw: Any, at: Path_, statistic: Statistic | None, params: Mapping[str, Any]
    ) -> tuple[tuple[str, ...], float, float, str] | None:
        """The ICB names, value, sd and source (None after a problem)."""
        table = load_targets()
        names = [raw] if isinstance(raw, str) else raw
        if not isinstance(names, list) or not names or not all(isinstance(n, str) for n in names):
            self.problem(at, f"give an ICB target's name, or a list of names; got {raw!r}")
            return None
        unknown = [n for n in names if n not in table]
        for n in unknown:
            self.problem(at, f"unknown ICB target {n!r}; use one of {', '.join(table)}")
        if len(set(names)) < len(names):
            self.problem(at, "an ICB target is named twice")
        if unknown or len(set(names)) < len(names):
            return None
        found = [table[n] for n in names]
        if len(found) > 1:
            if any(t.kind != "share" or t.successes is None for t in found):
                self.problem(at, "only shares can be added: list ICB share targets")
                return None
            if not _exclusive(found):
                self.problem(
                    at,
                    "only shares of distinct codes of one ICB variable over the same crises can "
                    "be added (such as forout == 1 and forout == 2)",
                )
                return None
        if statistic is not None:
            kind = found[0].kind
            q = params.get("q", 0.5)
            if kind == "share" and statistic.kind != "share":
                self.problem(
                    at, f"the ICB target is a share; {statistic.name} is a {statistic.kind}"
                )
                return None
            if kind == "median" and (statistic.kind != "quantile" or q != 0.5):
                self.problem(
                    at, f"the ICB target is a median; {statistic.name} is not a median (q = 0.5)"
                )
                return None
        return (tuple(names), *_icb_figure(found, table.confidence))


def _exclusive(found: list[Target]) -> bool:
    """Whether ICB share targets count exclusive categories of the same crises: the same n,
    filter and level, and measures `variable == code` of one variable with distinct codes."""
    first = found[0]
    if any((t.n, t.filter, t.level) != (first.n, first.filter, first.level) for t in found):
        return False
    measures = [re.fullmatch(r"(\w+) == (-?\d+)", t.measure.strip()) for t in found]
    if any(m is None for m in measures):
        return False
    variables = {m.group(1) for m in measures if m is not None}
    codes = [m.group(2) for m in measures if m is not None]
    return len(variables) == 1 and len(set(codes)) == len(codes)


def _icb_figure(found: list[Target], confidence: float) -> tuple[float, float, str]:
    """Value, sd (half the 95% interval / 1.96) and source of one ICB target or a sum of shares
    over the same crises."""
    from scipy import special

    z = float(special.ndtri(0.5 + confidence / 2))
    first = found[0]
    if len(found) == 1:
        value, (lo, hi), method = first.value, first.interval, first.interval_method
        counted = f"{first.successes} of {first.n}" if first.successes is not None else ""
        measure = first.measure
    else:
        from scipy import stats  # only here: scipy.stats is slow to import

        k, n = sum(t.successes or 0 for t in found), first.n
        value = k / n
        tail = (1 - confidence) / 2
        lo = float(stats.beta.ppf(tail, k + 0.5, n - k + 0.5)) if k > 0 else 0.0
        hi = float(stats.beta.ppf(1 - tail, k + 0.5, n - k + 0.5)) if k < n else 1.0
        method = "Jeffreys (Beta(k + 1/2, n - k + 1/2) quantiles) of the summed successes"
        counted = f"{k} of {n}"
        measure = " or ".join(t.measure for t in found)
    sd = (hi - lo) / (2 * z)
    names = " + ".join(t.name for t in found)
    source = (
        f"ICB v15 ({names}, crisislab.calibration.load_targets()): {first.level} level, "
        f"{first.filter} -> {measure}"
        + (f", {counted}" if counted else f", n = {first.n}")
        + f"; {confidence:.0%} interval {lo:.6g}-{hi:.6g} ({method}); sd = half-width / {z:.2f}"
    )
    return round(float(value), 6), round(float(sd), 6), source
