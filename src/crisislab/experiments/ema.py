"""Use a crisislab scenario as an EMA Workbench model.

EMA Workbench samples uncertainties and levers, runs a model for every experiment and analyses
the results (PRIM, feature scoring, optimisation). `ema_model` wraps `crisislab.simulate` so that
each EMA experiment is one crisislab ensemble and its outcomes are that ensemble's probabilities
and means. Parameters are scenario fields named by dotted override paths (`actors.KH.control`).
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from crisislab.scenario.loader import Problem, ScenarioError, with_overrides
from crisislab.scenario.outcomes import OUTCOMES
from crisislab.scenario.schema import Scenario
from crisislab.simulate import MAX_RUNS, resolve, simulate

with warnings.catch_warnings():
    # ema_workbench warns on import that its optional ipyparallel evaluator is unavailable
    warnings.filterwarnings("ignore", message="ipyparallel not installed")
    from ema_workbench import (
        CategoricalParameter,
        IntegerParameter,
        Model,
        RealParameter,
        ScalarOutcome,
    )
    from ema_workbench.em_framework.parameters import Parameter

__all__ = ["DEFAULT_OUTCOMES", "ScenarioFunction", "ema_model", "ema_name", "overrides_from"]

DEFAULT_OUTCOMES = tuple(reversed(OUTCOMES))  # the outcome classes, worst first: war first
SECTIONS = ("outcomes", "flags", "metrics")  # summary sections whose entries can be outcomes
SEPARATOR = "__"  # stands for "." in EMA names: EMA names must be Python identifiers


def ema_name(path: str) -> str:
    """The EMA name of a dotted override path: `actors.KH.control` -> `actors__KH__control`.

    EMA Workbench passes parameter values to the model as keyword arguments and announces that
    names must be valid Python identifiers, so dots cannot be kept.
    """
    return path.replace(".", SEPARATOR)


@dataclass(frozen=True)
class ScenarioFunction:
    """The function EMA calls for each experiment: one `simulate` with the experiment's values.

    A module-level class rather than a closure so that it pickles, which EMA's
    MultiprocessingEvaluator needs to send the model to its worker processes.
    """

    scenario: Scenario
    paths: Mapping[str, str]  # EMA variable name -> dotted override path
    outcomes: Mapping[str, tuple[str, str]]  # EMA variable name -> (summary section, key)
    runs: int
    seed: int
    days: int | None = None

    def overrides(self, values: Mapping[str, Any]) -> dict[str, Any]:
        """crisislab overrides for EMA keyword arguments (names not declared map `__` to `.`)."""
        return {
            self.paths.get(name, name.replace(SEPARATOR, ".")): _plain(value)
            for name, value in values.items()
        }

    def __call__(self, **values: Any) -> dict[str, float]:
        result = simulate(
            self.scenario, self.runs, self.seed, self.overrides(values), days=self.days
        )
        summary = result.summary()
        return {
            variable: _value(summary[section][key])
            for variable, (section, key) in self.outcomes.items()
        }


def ema_model(
    scenario: Scenario | str | Path,
    *,
    uncertainties: Mapping[str, tuple[float, float] | Parameter] | None = None,
    levers: Mapping[str, Sequence[Any] | Parameter] | None = None,
    outcomes: Sequence[str | ScalarOutcome] = DEFAULT_OUTCOMES,
    runs: int = 1024,
    seed: int = 0,
    days: int | None = None,
    name: str | None = None,
) -> Model:
    """An EMA Workbench `Model` whose experiments are crisislab ensembles of `scenario`.

    `uncertainties` and `levers` map dotted override paths to what EMA should vary:
    an uncertainty's `(low, high)` becomes a `RealParameter`, or an `IntegerParameter` where the
    scenario's value is an integer; a lever's list of values becomes a `CategoricalParameter`.
    A ready-made EMA `Parameter` is used as it is, under its own name. Derived EMA names replace
    the dots of the path with `__` (see `ema_name`); `overrides_from` maps an experiment back.

    `outcomes` are names from the `simulate` summary: the outcome classes (their probability),
    flags (`red_line_fired`) and metrics (`us_deaths_mean`); a `ScalarOutcome` with such a name
    may be given to set its kind for optimisation.

    Seeding: EMA does not tell the model which experiment it is running, so every experiment is
    simulated with the same `seed` (common random numbers). Two experiments then differ only
    through their parameters, not through sampling noise, which makes comparisons between
    policies and PRIM boxes sharper; each experiment is `crisislab.simulate(scenario, runs, seed,
    overrides, days=days)` exactly.

    Paths, values and outcome names are checked here, not during the experiments: an unknown or
    invalid override raises `ScenarioError`, an unknown outcome name `ValueError`.
    """
    base = resolve(scenario)
    if not isinstance(runs, int) or isinstance(runs, bool) or not 1 <= runs <= MAX_RUNS:
        raise ValueError(f"runs must be an integer in 1..{MAX_RUNS}, got {runs!r}")
    if days is not None:
        _check_values(base, "days", "days", [days])
    model_name = name if name is not None else _model_name(base.name)
    if not model_name.isalnum():
        raise ValueError(f"EMA model names must be alphanumeric (letters and digits), got {name!r}")

    paths: dict[str, str] = {}
    uncertainty_params = [
        _uncertainty(base, path, given, paths) for path, given in (uncertainties or {}).items()
    ]
    lever_params = [_lever(base, path, given, paths) for path, given in (levers or {}).items()]
    if days is not None and "days" in paths.values():
        raise ValueError("days is both fixed by days= and varied as a parameter; pick one")
    outcome_map, ema_outcomes = _outcomes(base, outcomes, seed)

    function = ScenarioFunction(base, paths, outcome_map, runs, seed, days)
    model = Model(model_name, function=function)
    for param in (*uncertainty_params, *lever_params):
        # EMA sets policy entries named like a model attribute on the model itself
        if hasattr(model, param.name):
            raise ValueError(f"parameter name {param.name!r} clashes with an EMA Model attribute")
    model.uncertainties = uncertainty_params
    model.levers = lever_params
    model.outcomes = ema_outcomes
    return model


def overrides_from(model: Model, experiment: Mapping[str, Any]) -> dict[str, Any]:
    """The crisislab overrides of one experiment of `model` (e.g. a row of EMA's experiments
    table), to rerun, narrate or report that experiment with crisislab itself."""
    function = model.function
    if not isinstance(function, ScenarioFunction):
        raise TypeError("model was not made by crisislab.experiments.ema.ema_model")
    return function.overrides({k: v for k, v in experiment.items() if k in function.paths})


# --- parameters -------------------------------------------------------------------------------


def _uncertainty(
    base: Scenario, path: str, given: tuple[float, float] | Parameter, paths: dict[str, str]
) -> Parameter:
    if isinstance(given, Parameter):
        return _ready_made(base, path, given, paths)
    bounds = tuple(given) if isinstance(given, Sequence) and not isinstance(given, str) else ()
    numeric = all(isinstance(b, int | float) and not isinstance(b, bool) for b in bounds)
    if len(bounds) != 2 or not numeric:
        raise _error("uncertainties", path, f"expected (low, high) numbers, got {given!r}")
    low, high = bounds
    if not low < high:
        raise _error("uncertainties", path, f"low must be below high, got ({low}, {high})")
    current = _current(base, "uncertainties", path)
    if isinstance(current, bool | str):
        raise _error(
            "uncertainties",
            path,
            f"is not numeric (currently {current!r}); vary it as a lever or with an EMA "
            "CategoricalParameter",
        )
    integer = isinstance(current, int) or (
        current is None and all(isinstance(b, int) for b in bounds)
    )
    if integer and not (float(low).is_integer() and float(high).is_integer()):
        raise _error("uncertainties", path, f"is an integer; bounds ({low}, {high}) are not")
    _check_values(base, "uncertainties", path, [low, high])
    name = _register(path, ema_name(path), paths)
    if integer:
        return IntegerParameter(name, int(low), int(high))
    return RealParameter(name, float(low), float(high))


def _lever(
    base: Scenario, path: str, given: Sequence[Any] | Parameter, paths: dict[str, str]
) -> Parameter:
    if isinstance(given, Parameter):
        return _ready_made(base, path, given, paths)
    if isinstance(given, str | bytes) or not isinstance(given, Sequence):
        raise _error("levers", path, f"expected a list of values, got {given!r}")
    values = list(given)
    if len(values) < 2 or len({str(v) for v in values}) != len(values):
        raise _error("levers", path, f"expected two or more distinct values, got {values!r}")
    _check_values(base, "levers", path, values)
    return CategoricalParameter(_register(path, ema_name(path), paths), values)


def _ready_made(base: Scenario, path: str, param: Parameter, paths: dict[str, str]) -> Parameter:
    if len(param.variable_name) != 1:
        raise ValueError(f"parameter {param.name!r} for {path} must have one variable name")
    if isinstance(param, CategoricalParameter):
        values = [category.value for category in param.categories]
    else:
        values = [param.lower_bound, param.upper_bound]
        current = _current(base, param.name, path)
        integer = isinstance(current, int) and not isinstance(current, bool)
        if integer and not isinstance(param, IntegerParameter):
            raise _error(param.name, path, "is an integer; use an EMA IntegerParameter")
    _check_values(base, param.name, path, [_plain(v) for v in values])
    _register(path, param.variable_name[0], paths)
    return param


def _register(path: str, variable: str, paths: dict[str, str]) -> str:
    if path in paths.values():
        raise ValueError(f"{path} is given more than once (as an uncertainty and a lever?)")
    if not variable.isidentifier():
        raise ValueError(
            f"EMA name {variable!r} for {path} is not a Python identifier; pass an EMA "
            "Parameter with a name of your choosing"
        )
    if variable in paths:
        raise ValueError(f"EMA name {variable!r} is used for both {paths[variable]} and {path}")
    paths[variable] = path
    return variable


def _check_values(base: Scenario, label: str, path: str, values: Sequence[Any]) -> None:
    """Raise ScenarioError unless `path` exists and takes each value (validated as by --set)."""
    for value in values:
        try:
            with_overrides(base, {path: value})
        except ScenarioError as exc:
            raise ScenarioError(
                Problem(label, p.path, _with_value(p.message, value)) for p in exc.problems
            ) from None


def _with_value(message: str, value: Any) -> str:
    if "unknown override path" in message or "(got " in message:
        return message
    return f"{message} (value {value!r})"


def _current(base: Scenario, label: str, path: str) -> Any:
    """The scenario's value at `path`; an unknown path raises ScenarioError as --set does."""
    node: Any = base.model_dump(mode="python")
    try:
        for part in path.split("."):
            node = node[int(part)] if isinstance(node, list) else node[part]
    except (KeyError, IndexError, ValueError, TypeError):
        _check_values(base, label, path, [None])
        raise _error(label, path, "unknown override path") from None
    return node


# --- outcomes ---------------------------------------------------------------------------------


def _outcomes(
    base: Scenario, outcomes: Sequence[str | ScalarOutcome], seed: int
) -> tuple[dict[str, tuple[str, str]], list[ScalarOutcome]]:
    if isinstance(outcomes, str):
        outcomes = [outcomes]
    if not outcomes:
        raise ValueError("give at least one outcome")
    # which names exist depends on the scenario (fronts add flags): ask a one-day, one-run probe
    summary = simulate(base, runs=1, seed=seed, days=1).summary()
    available = {key: section for section in SECTIONS for key in summary[section]}
    mapping: dict[str, tuple[str, str]] = {}
    made = []
    for given in outcomes:
        outcome = given if isinstance(given, ScalarOutcome) else ScalarOutcome(str(given))
        if len(outcome.variable_name) != 1:
            raise ValueError(f"outcome {outcome.name!r} must have one variable name")
        variable = outcome.variable_name[0]
        if variable not in available:
            listing = "; ".join(f"{s}: {', '.join(summary[s])}" for s in SECTIONS)
            raise ValueError(f"unknown outcome {variable!r} (available {listing})")
        if variable in mapping:
            raise ValueError(f"outcome {variable!r} is given more than once")
        mapping[variable] = (available[variable], variable)
        made.append(outcome)
    return mapping, made


# --- values -----------------------------------------------------------------------------------


def _plain(value: Any) -> Any:
    """A Python scalar for a NumPy one (EMA samples as NumPy; scenarios validate Python types)."""
    return value.item() if isinstance(value, np.generic) else value


def _value(entry: Any) -> float:
    """An outcome class's probability or a flag's share / metric's mean, as a float."""
    return float(entry["p"] if isinstance(entry, dict) else entry)


def _model_name(scenario_name: str) -> str:
    return re.sub(r"[^A-Za-z0-9]", "", scenario_name) or "crisislab"


def _error(label: str, path: str, message: str) -> ScenarioError:
    return ScenarioError([Problem(label, path, message)])
