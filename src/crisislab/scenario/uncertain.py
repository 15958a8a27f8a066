"""Priors over a scenario's uncertain parameters: the `uncertain:` section of a scenario file.

Each entry maps a dotted parameter path (the paths `--set` accepts) to exactly one prior:

    uncertain:
      actors.IRN.type_prior: {uniform: [0.3, 0.9]}
      logit.precision: {loguniform: [0.5, 8.0]}
      actors.USA.audience_cost: {normal: [1.0, 0.3], bounds: [0.0, 3.0]}
      actors.IRGC.control: {beta: [6, 3]}

The models here check that each prior is well formed (low < high, sd > 0, ...). That a path
names a numeric parameter, that the scenario's value is a possible draw and that the support lies
within what the parameter accepts is checked by the loader (`loader.uncertain_errors`), which
knows the paths and reports each problem at its line. `draw_overrides` turns points of the unit
cube into override dictionaries, through each prior's inverse CDF.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from collections.abc import Mapping
from typing import TYPE_CHECKING, Annotated, Any, ClassVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, Discriminator, Tag, model_validator

if TYPE_CHECKING:
    import numpy as np
    from scipy.stats._distn_infrastructure import rv_continuous_frozen

    from crisislab.scenario.schema import Scenario

__all__ = [
    "PRIOR_KINDS",
    "BasePrior",
    "Beta",
    "LogUniform",
    "Normal",
    "Prior",
    "Uniform",
    "draw_overrides",
]

PRIOR_KINDS = ("uniform", "loguniform", "normal", "beta")
#: How far into its tails an unbounded normal is drawn: u is clipped to [_TAIL, 1 - _TAIL].
_TAIL = 1e-9
_SYNTAX = (
    "a prior is one of {uniform: [low, high]}, {loguniform: [low, high]}, "
    "{normal: [mean, sd]} (optionally with bounds: [low, high]) or {beta: [a, b]}"
)


def _g(x: float) -> str:
    return f"{x:g}"


class BasePrior(BaseModel, ABC):
    """What every prior offers: its support, its scipy distribution and a short description;
    each kind of prior defines the three."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)
    kind: ClassVar[str]

    @abstractmethod
    def support(self) -> tuple[float, float]:
        """The closed interval every draw lies in (infinite ends for an unbounded normal)."""

    @abstractmethod
    def scipy(self) -> rv_continuous_frozen:
        """The prior as a frozen scipy.stats distribution."""

    @abstractmethod
    def describe(self) -> str:
        """A short human description, such as 'uniform 0.3 – 0.9'."""

    def ppf(self, u: Any) -> np.ndarray:
        """Values at probabilities `u` (the inverse CDF), as float64."""
        import numpy as np

        return np.asarray(self.scipy().ppf(u), dtype=float)


class Uniform(BasePrior):
    """Every value in [low, high] equally likely."""

    kind: ClassVar[str] = "uniform"
    uniform: tuple[float, float]

    @model_validator(mode="after")
    def _ordered(self) -> Uniform:
        _check_ordered("uniform", *self.uniform)
        return self

    def support(self) -> tuple[float, float]:
        return self.uniform

    def scipy(self) -> rv_continuous_frozen:
        from scipy import stats  # here: scipy.stats is slow to import, and needed only here

        low, high = self.uniform
        return stats.uniform(loc=low, scale=high - low)

    def describe(self) -> str:
        return f"uniform {_g(self.uniform[0])} – {_g(self.uniform[1])}"


class LogUniform(BasePrior):
    """Uniform on the log scale over [low, high], 0 < low: for rates and scales."""

    kind: ClassVar[str] = "loguniform"
    loguniform: tuple[float, float]

    @model_validator(mode="after")
    def _positive_and_ordered(self) -> LogUniform:
        low, high = self.loguniform
        if not low > 0:
            raise ValueError("loguniform needs 0 < low < high")
        _check_ordered("loguniform", low, high)
        return self

    def support(self) -> tuple[float, float]:
        return self.loguniform

    def scipy(self) -> rv_continuous_frozen:
        from scipy import stats

        return stats.loguniform(*self.loguniform)

    def describe(self) -> str:
        return f"loguniform {_g(self.loguniform[0])} – {_g(self.loguniform[1])}"


class Normal(BasePrior):
    """Normal with `normal: [mean, sd]`, truncated to `bounds: [low, high]` when they are given."""

    kind: ClassVar[str] = "normal"
    normal: tuple[float, float]
    bounds: tuple[float, float] | None = None

    @model_validator(mode="after")
    def _well_formed(self) -> Normal:
        sd = self.normal[1]
        if not sd > 0:
            raise ValueError("normal needs sd > 0")
        if self.bounds is not None:
            _check_ordered("bounds", *self.bounds)
        return self

    def support(self) -> tuple[float, float]:
        return self.bounds if self.bounds is not None else (-math.inf, math.inf)

    def scipy(self) -> rv_continuous_frozen:
        from scipy import stats

        mean, sd = self.normal
        if self.bounds is None:
            return stats.norm(loc=mean, scale=sd)
        low, high = self.bounds
        return stats.truncnorm((low - mean) / sd, (high - mean) / sd, loc=mean, scale=sd)

    def describe(self) -> str:
        text = f"normal {_g(self.normal[0])} ± {_g(self.normal[1])}"
        if self.bounds is not None:
            text += f" within {_g(self.bounds[0])} – {_g(self.bounds[1])}"
        return text


class Beta(BasePrior):
    """Beta(a, b) on [0, 1]: for probabilities and shares."""

    kind: ClassVar[str] = "beta"
    beta: tuple[float, float]

    @model_validator(mode="after")
    def _positive(self) -> Beta:
        a, b = self.beta
        if not (a > 0 and b > 0):
            raise ValueError("beta needs a > 0 and b > 0")
        return self

    def support(self) -> tuple[float, float]:
        return (0.0, 1.0)

    def scipy(self) -> rv_continuous_frozen:
        from scipy import stats

        return stats.beta(*self.beta)

    def describe(self) -> str:
        return f"beta({_g(self.beta[0])}, {_g(self.beta[1])})"


def _check_ordered(name: str, low: float, high: float) -> None:
    if not low < high:
        raise ValueError(f"{name} needs low < high")


def _kind(value: Any) -> str | None:
    """The tag of the prior a value describes (which of PRIOR_KINDS it has)."""
    if isinstance(value, BasePrior):
        return value.kind
    if isinstance(value, Mapping):
        found = [k for k in PRIOR_KINDS if k in value]
        return found[0] if len(found) == 1 else None
    return None


def _one_prior(value: Any) -> Any:
    """Refuse, with a message that says what is expected, anything but one prior's mapping."""
    if isinstance(value, BasePrior):
        return value
    if not isinstance(value, Mapping):
        raise ValueError(_SYNTAX)
    found = [k for k in PRIOR_KINDS if k in value]
    if len(found) > 1:
        raise ValueError(f"give one prior, not {len(found)} ({', '.join(found)})")
    if not found:
        others = [str(k) for k in value if k != "bounds"]
        if others:
            raise ValueError(f"unknown prior {others[0]!r}: {_SYNTAX}")
        raise ValueError(f"bounds need a normal prior: {_SYNTAX}")
    kind = found[0]
    if "bounds" in value and kind != "normal":
        raise ValueError(f"bounds go with a normal prior only, not with {kind}")
    for key in (kind, "bounds"):
        pair = value.get(key)
        if (key == kind or pair is not None) and not (
            isinstance(pair, list | tuple) and len(pair) == 2
        ):
            what = {"normal": "[mean, sd]", "beta": "[a, b]"}.get(key, "[low, high]")
            raise ValueError(f"{key} takes two numbers {what}")
    return value


Prior = Annotated[
    Annotated[Uniform, Tag("uniform")]
    | Annotated[LogUniform, Tag("loguniform")]
    | Annotated[Normal, Tag("normal")]
    | Annotated[Beta, Tag("beta")],
    Discriminator(_kind),
    BeforeValidator(_one_prior),
]
"""One prior of the `uncertain:` section: a Uniform, LogUniform, Normal or Beta."""


def draw_overrides(scenario: Scenario, u: np.ndarray) -> list[dict[str, float]]:
    """Overrides for `k` draws from the scenario's priors.

    `u` has shape (k, n), n = len(scenario.uncertain), with values in [0, 1] (uniforms in (0, 1),
    from any sampler); column j goes through the inverse CDF of the j-th prior in file order.
    Integer parameters get the nearest integer. Each dictionary can be given to `with_overrides`
    or as `overrides=` to `simulate`.
    """
    import numpy as np

    from crisislab.scenario.loader import resolve_path

    u = np.asarray(u, dtype=float)
    priors = list(scenario.uncertain.items())
    if u.ndim != 2 or u.shape[1] != len(priors):
        raise ValueError(
            f"u must have shape (k, {len(priors)}): one column per uncertain parameter, "
            f"got shape {u.shape}"
        )
    if not np.all((u >= 0.0) & (u <= 1.0)):
        raise ValueError("u must lie in [0, 1] (uniform draws)")
    reference = scenario.model_dump(mode="python")
    columns: list[list[float]] = []
    for j, (path, prior) in enumerate(priors):
        current, reason = resolve_path(reference, path)
        if reason:
            raise ValueError(f"uncertain.{path}: {reason}")
        col = u[:, j]
        low, high = prior.support()
        if math.isinf(low) or math.isinf(high):
            col = np.clip(col, _TAIL, 1.0 - _TAIL)  # an unbounded normal: no infinite draws
        values = np.clip(prior.ppf(col), low, high)  # 0.3 + 1.0 * 0.6 is 0.9000000000000001
        if isinstance(current, int) and not isinstance(current, bool):
            columns.append([round(float(v)) for v in values])
        else:
            columns.append([float(v) for v in values])
    names = [path for path, _ in priors]
    return [
        {name: column[i] for name, column in zip(names, columns, strict=True)}
        for i in range(u.shape[0])
    ]
