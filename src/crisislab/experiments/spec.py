"""Study files: what to vary (levers, uncertainties), how to sample it, and what to record.

A study is a scenario × the full factorial of its levers × a sample of its uncertainties × a number
of runs per design point. Study files are YAML, validated like scenarios: every problem is reported
with the file, line, column and dotted field path.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

import numpy as np
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from crisislab.errors import BadInput, StudyError
from crisislab.scenario.loader import (
    Path_,
    Problem,
    ScenarioError,
    decode_source,
    load_scenario,
    parse_yaml,
    validation_problems,
    with_overrides,
)
from crisislab.scenario.outcomes import OUTCOMES
from crisislab.scenario.schema import Scenario

if TYPE_CHECKING:
    from crisislab.scenario.parameters import Posterior

MAX_POINTS = 100_000
MAX_RUNS_PER_POINT = 1_000_000
MAX_TOTAL_RUNS = 100_000_000


def _one_value(value: Any) -> Any:
    """A lever, constant or categorical value is one finite number, text, true/false or null: one
    message where pydantic would list a failure per member of the union."""
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError("must be a finite number")
    if not isinstance(value, str | int | float | bool | None):
        kind = {"list": "a list", "dict": "a mapping"}.get(type(value).__name__, "")
        shown = kind or f"{type(value).__name__} {value!r}"
        raise ValueError(f"must be a number, text, true/false or null, not {shown}")
    return value


Scalar = Annotated[str | int | float | bool | None, BeforeValidator(_one_value)]
NORMAL_TAIL = 0.00135  # an untruncated normal is sampled within 3 standard deviations

# Per-run columns a study can name as outcomes of interest: the outcome classes, then the flags
# (shares of runs) and metrics (means) of the engine's per-run table.
FLAG_OUTCOMES = (
    "war_spiral",
    "war_deterrence_failure",
    "war_inadvertent",
    "intended",
    "perceived",
    "both",
    "red_line_fired",
    "limited_reprisal_cycle",
    "host_expulsion",
    "follow_on_withdrawal",
    "breakout_crisis",
    "dialogue",
)
METRIC_OUTCOMES = (
    "defender_deaths",
    "max_rung",
    "misperceptions",
    "goldstein",
    "rivera",
    "accidents",
    "group_attacks",
    "proxy_strikes",
    "direct_exchanges",
    "red_line_firings",
    "maritime_incidents",
    "expulsion_pressure",
    "breakout_months",
    "audience_cost",
)
KNOWN_OUTCOMES = (*OUTCOMES, *FLAG_OUTCOMES, *METRIC_OUTCOMES)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class Uncertainty(_Strict):
    """A parameter whose value is not known: a range or a distribution over one override path.

    uniform and loguniform need `low` and `high`; triangular also `mode`; normal needs `mean` and
    `sd` and is truncated to [`low`, `high`] when they are given; `values` makes it categorical
    (equally likely values).
    """

    distribution: Literal["uniform", "loguniform", "triangular", "normal", "categorical"] = (
        "uniform"
    )
    low: float | None = None
    high: float | None = None
    mode: float | None = None
    mean: float | None = None
    sd: float | None = Field(default=None, gt=0)
    values: list[Scalar] | None = Field(default=None, min_length=2)
    label: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _categorical_from_values(cls, data: Any) -> Any:
        if isinstance(data, dict) and "values" in data and "distribution" not in data:
            return {**data, "distribution": "categorical"}
        return data

    @model_validator(mode="after")
    def _parameters_fit_distribution(self) -> Uncertainty:
        kind = self.distribution
        if kind == "categorical":
            if self.values is None:
                raise ValueError("a categorical uncertainty needs `values` (two or more)")
            return self
        if self.values is not None:
            raise ValueError(f"`values` belongs to categorical uncertainties, not {kind}")
        if kind == "normal":
            if self.mean is None or self.sd is None:
                raise ValueError("a normal uncertainty needs `mean` and `sd`")
        elif self.low is None or self.high is None:
            raise ValueError(f"a {kind} uncertainty needs `low` and `high`")
        if self.low is not None and self.high is not None and not self.low < self.high:
            raise ValueError(f"`low` ({self.low}) must be below `high` ({self.high})")
        if kind == "loguniform" and self.low is not None and self.low <= 0:
            raise ValueError("a loguniform uncertainty needs `low` > 0")
        if kind == "triangular":
            if self.mode is None:
                raise ValueError("a triangular uncertainty needs `mode`")
            assert self.low is not None and self.high is not None
            if not self.low <= self.mode <= self.high:
                raise ValueError("`mode` must lie between `low` and `high`")
        return self

    def ppf(self, u: np.ndarray) -> np.ndarray:
        """Values at unit-cube coordinates `u` (inverse CDF): how every sampler reaches the
        parameter's own scale."""
        u = np.asarray(u, dtype=float)
        if self.values is not None:
            picks = np.minimum((u * len(self.values)).astype(int), len(self.values) - 1)
            return np.array(self.values, dtype=object)[picks]
        if self.distribution == "uniform":
            assert self.low is not None and self.high is not None
            return self.low + u * (self.high - self.low)
        if self.distribution == "loguniform":
            assert self.low is not None and self.high is not None
            return np.exp(np.log(self.low) + u * (np.log(self.high) - np.log(self.low)))
        from scipy import stats  # here: scipy.stats is slow to import, and needed only here

        if self.distribution == "triangular":
            assert self.low is not None and self.high is not None and self.mode is not None
            width = self.high - self.low
            return stats.triang(c=(self.mode - self.low) / width, loc=self.low, scale=width).ppf(u)
        assert self.mean is not None and self.sd is not None
        lo = -np.inf if self.low is None else (self.low - self.mean) / self.sd
        hi = np.inf if self.high is None else (self.high - self.mean) / self.sd
        u = np.clip(u, NORMAL_TAIL, 1 - NORMAL_TAIL)  # Morris grids reach 0 and 1
        return stats.truncnorm(lo, hi, loc=self.mean, scale=self.sd).ppf(u)


class Analysis(_Strict):
    """Defaults for `study analyze`: the outcome judged, its threshold and discovery thresholds."""

    outcome: str = "war"
    threshold: float = Field(default=0.05, ge=0, le=1)
    above: bool = False
    discovery: dict[str, float] = Field(
        default_factory=lambda: {"war": 0.2, "frozen_conflict": 0.3}
    )

    @field_validator("discovery")
    @classmethod
    def _thresholds_are_probabilities(cls, value: dict[str, float]) -> dict[str, float]:
        for name, threshold in value.items():
            if not 0 <= threshold <= 1:
                raise ValueError(f"threshold for {name!r} must be in [0, 1], got {threshold}")
        return value


class StudySpec(_Strict):
    """A validated study file."""

    name: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,79}$")
    description: str = ""
    scenario: str
    days: int | None = Field(default=None, ge=1, le=3650)
    levers: dict[str, list[Scalar]] = Field(default_factory=dict)
    uncertainties: dict[str, Uncertainty] = Field(default_factory=dict)
    constants: dict[str, Scalar] = Field(default_factory=dict)
    outcomes: list[str] = Field(default_factory=lambda: list(OUTCOMES), min_length=1)
    runs_per_point: int = Field(default=1024, ge=1, le=MAX_RUNS_PER_POINT)
    samples: int | None = Field(default=None, ge=1, le=MAX_POINTS)
    sampler: Literal["lhs", "sobol", "saltelli", "morris"] = "lhs"
    second_order: bool = False
    morris_levels: int = Field(default=4, ge=2, le=20)
    seed: int = Field(default=0, ge=0, lt=2**63)
    analysis: Analysis = Field(default_factory=Analysis)
    posterior: str | None = Field(default=None, min_length=1)

    @field_validator("levers")
    @classmethod
    def _levers_have_values(cls, value: dict[str, list[Scalar]]) -> dict[str, list[Scalar]]:
        for path, options in value.items():
            if not options:
                raise ValueError(f"lever {path!r} needs at least one value")
            if len(set(map(repr, options))) != len(options):
                raise ValueError(f"lever {path!r} repeats a value")
        return value

    @field_validator("outcomes")
    @classmethod
    def _outcomes_are_known(cls, value: list[str]) -> list[str]:
        unknown = [name for name in value if name not in KNOWN_OUTCOMES]
        if unknown:
            raise ValueError(f"unknown outcome {unknown[0]!r} (known: {', '.join(KNOWN_OUTCOMES)})")
        return value

    @model_validator(mode="after")
    def _design_is_sound(self) -> StudySpec:
        shared = set(self.levers) & set(self.uncertainties) | (
            set(self.constants) & (set(self.levers) | set(self.uncertainties))
        )
        if shared:
            raise ValueError(f"{sorted(shared)[0]!r} is named twice (lever, uncertainty, constant)")
        if self.sampler in ("saltelli", "morris") and not self.uncertainties:
            raise ValueError(f"the {self.sampler} sampler needs at least one uncertainty")
        if self.sampler in ("sobol", "saltelli") and self.uncertainties:
            n = self.base_samples
            if n & (n - 1):
                raise ValueError(
                    f"the {self.sampler} sampler needs `samples` to be a power of 2, got {n}"
                )
        if self.analysis.outcome not in KNOWN_OUTCOMES:
            raise ValueError(f"analysis.outcome {self.analysis.outcome!r} is not a known outcome")
        if self.n_points > MAX_POINTS:
            raise ValueError(
                f"the design has {self.n_points:,} points; the limit is {MAX_POINTS:,}"
            )
        if self.n_points * self.runs_per_point > MAX_TOTAL_RUNS:
            raise ValueError(
                f"the study asks for {self.n_points * self.runs_per_point:,} runs; "
                f"the limit is {MAX_TOTAL_RUNS:,}"
            )
        return self

    @property
    def base_samples(self) -> int:
        """`samples` as written, or its default: 64 futures, or 1 when nothing is uncertain."""
        if self.samples is not None:
            return self.samples
        return 64 if self.uncertainties else 1

    @property
    def n_samples(self) -> int:
        """Futures in the design: SALib's samplers make several rows per base sample."""
        n, d = self.base_samples, len(self.uncertainties)
        if not d:
            return 1
        if self.sampler == "saltelli":
            return n * (2 * d + 2 if self.second_order else d + 2)
        if self.sampler == "morris":
            return n * (d + 1)
        return n

    @property
    def n_policies(self) -> int:
        return math.prod(len(v) for v in self.levers.values())

    @property
    def n_points(self) -> int:
        return self.n_policies * self.n_samples


def example_names() -> list[str]:
    """Names of the example studies shipped with crisislab."""
    folder = files("crisislab.experiments") / "examples"
    return sorted(
        p.name.removesuffix(".yaml") for p in folder.iterdir() if p.name.endswith(".yaml")
    )


def _read_study(ref: str) -> tuple[str, str, Path | None]:
    """(label, text, folder for relative scenario paths) of an example name or a file."""
    if ref in example_names():
        text = (files("crisislab.experiments") / "examples" / f"{ref}.yaml").read_text("utf-8")
        return ref, text, None
    path = Path(ref)
    if not path.is_file():
        hint = "" if path.suffix else f" (example studies: {', '.join(example_names())})"
        raise StudyError([Problem(ref, "", f"no such example study or file{hint}")])
    return ref, decode_source(ref, path.read_bytes(), StudyError), path.parent


def load_study(ref: str | Path) -> tuple[StudySpec, Scenario, str]:
    """Read and validate a study file (or an example by name), the scenario it names, and the
    file's text.

    Every lever value and both ends of every uncertainty are applied to the scenario here, so a
    value the scenario refuses is reported at its line in the study file, before anything runs.
    A posterior the file names is read and checked too (`load_study_drawing` returns it).
    """
    spec, scenario, text, _ = load_study_drawing(ref)
    return spec, scenario, text


def load_study_drawing(
    ref: str | Path, posterior: str | Path | None = None
) -> tuple[StudySpec, Scenario, str, Posterior | None]:
    """`load_study`, and the posterior the study draws its parameters from: `posterior` (a path
    as given, e.g. on the command line) if given, else the file's `posterior:` (relative to the
    study file), else None. The spec returned names the file actually read."""
    label, text, folder = _read_study(str(ref))
    data, positions = parse_yaml(label, text, StudyError)
    if not isinstance(data, dict):
        kind = "empty" if data is None else f"a {type(data).__name__}"
        raise StudyError([Problem(label, "", f"a study must be a YAML mapping, got {kind}")])
    try:
        spec = StudySpec.model_validate(data)
    except ValidationError as exc:
        raise StudyError(validation_problems(label, exc, positions)) from None
    scenario = _load_named_scenario(spec, label, folder, positions)
    draws = None
    if posterior is not None:
        draws = read_checked_posterior(spec, scenario, Path(posterior))
    elif spec.posterior is not None:
        path = Path(spec.posterior)
        if folder is not None and not path.is_absolute():
            path = folder / path
        where = positions.get(("posterior",), (None, None))
        try:
            draws = read_checked_posterior(spec, scenario, path)
        except BadInput as exc:
            raise StudyError(
                [
                    Problem(label, "posterior", f"cannot use {spec.posterior!r}", *where),
                    *exc.problems,
                ]
            ) from None
    if draws is not None:
        spec = spec.model_copy(update={"posterior": draws.source})
    return spec, scenario, text, draws


def read_checked_posterior(spec: StudySpec, scenario: Scenario, path: Path) -> Posterior:
    """Read a posterior file and refuse it, before any chunk runs, if it names a parameter the
    scenario lacks or one the study sets itself (a lever, uncertainty or constant, whose values
    the draws would silently replace)."""
    from crisislab.scenario.parameters import read_posterior
    from crisislab.simulate import check_draws

    draws = read_posterior(path)
    check_draws(scenario, draws)
    own = {p: "a lever" for p in spec.levers}
    own.update({p: "an uncertainty" for p in spec.uncertainties})
    own.update({p: "a constant" for p in spec.constants})
    if spec.days is not None:
        own["days"] = "its `days`"
    clashes = [name for name in draws.names if name in own]
    if clashes:
        raise StudyError(
            [
                Problem(
                    draws.source,
                    name,
                    f"is also set by the study {spec.name!r} ({own[name]}): the posterior's "
                    "draws would replace its values; remove it from the study or the posterior",
                )
                for name in clashes
            ]
        )
    return draws


def _load_named_scenario(
    spec: StudySpec, label: str, folder: Path | None, positions: Mapping[Path_, tuple[int, int]]
) -> Scenario:
    ref = spec.scenario
    if folder is not None and not Path(ref).is_absolute() and (folder / ref).is_file():
        ref = str(folder / ref)
    try:
        scenario = load_scenario(ref)
    except ScenarioError as exc:
        where = positions.get(("scenario",), (None, None))
        raise StudyError(
            [Problem(label, "scenario", f"cannot load {spec.scenario!r}", *where), *exc.problems]
        ) from None
    base = base_overrides(spec)
    problems, refused = [], set()
    for section, path, value in _values_to_check(spec, scenario):
        if path in refused:
            continue  # one message per field
        try:
            # a refused constant is blamed once, on itself, not again on every lever after it
            shared = {k: v for k, v in base.items() if k not in refused}
            with_overrides(scenario, {**shared, path: value})
        except ScenarioError as exc:
            where = positions.get((section, path), (None, None))
            reasons = "; ".join(p.message for p in exc.problems)
            problems.append(Problem(label, f"{section}.{path}", f"{value!r}: {reasons}", *where))
            refused.add(path)
    if problems:
        raise StudyError(problems)
    return scenario


def base_overrides(spec: StudySpec) -> dict[str, Any]:
    """What every design point shares: the study's days and constants."""
    days = {} if spec.days is None else {"days": spec.days}
    return {**days, **spec.constants}


def _values_to_check(spec: StudySpec, scenario: Scenario) -> list[tuple[str, str, Scalar]]:
    """Constants, every lever value and the extremes of every uncertainty, as they will be set."""
    checks: list[tuple[str, str, Scalar]] = [("constants", p, v) for p, v in spec.constants.items()]
    for path, options in spec.levers.items():
        checks += [("levers", path, v) for v in options]
    for path, u in spec.uncertainties.items():
        ends = u.values if u.values is not None else list(u.ppf(np.array([0.0, 1.0])))
        checks += [("uncertainties", path, v) for v in as_parameter(ends, scenario, path)]
    return checks


def as_parameter(values: Any, scenario: Scenario, path: str) -> list[Scalar]:
    """Sampled values as the scenario takes them: rounded where the parameter is an integer."""
    current = current_value(scenario, path)
    integer = isinstance(current, int) and not isinstance(current, bool)
    out: list[Scalar] = []
    for v in values:
        if isinstance(v, np.generic):
            v = v.item()
        out.append(round(v) if integer and isinstance(v, float) else v)
    return out


def current_value(scenario: Scenario, path: str) -> Any:
    """The scenario's value at a dotted path (None where the path is not set)."""
    node: Any = scenario.model_dump(mode="python")
    for part in path.split("."):
        if isinstance(node, dict):
            node = node.get(part)
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return None
    return node
