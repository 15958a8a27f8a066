"""The crisis generator: a generic crisis per group of runs, drawn from ICB's crisis features.

MODEL.md §15: "The generic ensemble comes from a crisis generator: two leaderships with random
relative capability, stakes, resolve, proxies, channel and trigger type". `CrisisGenerator`
implements `ParameterDraws` (scenario/parameters.py), so that

    simulate("generic-crisis", 8192, 1, draws=CrisisGenerator.icb())

gives each group of `GROUP_RUNS` (64) runs of the built-in scenario `generic-crisis` its own
crisis. A group's features are drawn from `numpy.random.SeedSequence([seed, TAG, group])`, one
uniform per slot in a fixed order, so a run's crisis does not depend on the chunk, the executor
or the number of workers; the index of a group's draw (the column `parameter_draw`) is the group
itself, and `crisis(seed, group)` says which crisis it was.

The shares come from the ICB v15 actor-level data (crisis actors of crises that began short of
war, `iwc` = 1), computed by benchmarks/icb_features.py into the package data
`scenario/data/icb_features.yaml`, which names each feature's variables, filter and n. The ICB
crisis actor is the defender (DEF); the triggering entity, or the state it perceived as the source
of threat, the challenger (CHAL). Features and what each sets in `generic-crisis`:

- **trigger** (ICB `triggr`: 9 violent act 32%, 8 indirect violent act 10%, 1-7 non-violent 58%):
  the opening event, `initial_event.actor` and `.action` — a violent act by the challenger's
  forces (CHAL, `border_clash`), an indirect one by the group it backs (PRX, `proxy_attack`) or a
  non-violent military act (CHAL, `show_of_force`, rung 5, which stands for every non-violent
  trigger: verbal, political, economic …; ASSUMPTION). The toll of a violent trigger
  (`initial_event.deaths`) follows the COW MID hurdle of MODEL.md §9: lethal with probability
  0.13, then lognormal with median 2 and σ 1.57.
- **proxy** (ICB `trigent` 995 internal or 996 non-state triggering entity, among actors not
  triggered indirectly: 17%; always after an indirect trigger): whether PRX takes part — its
  `base_hazard`, log-uniform 0.005-0.05 a day when present and 0 when absent — and its `control`
  (uniform 0.3-0.9). ICB has no proxy variable: a non-state triggering entity stands for one
  (ASSUMPTION). The pre-crisis rate of hostile acts (`outcomes.base_attack_rate_per_day`) is
  0.01 a day plus PRX's base hazard (ASSUMPTION).
- **power** (ICB `powdis`, the crisis actor's power minus its adversary's: the challenger
  stronger, powdis < -2, 32%; parity 29%; the defender stronger, powdis > 2, 39%): the toll of
  each side's direct strike (`actions.chal_strike` / `def_strike.lethality.deaths_mean`, 10 at
  parity, doubled for the stronger side and halved for the weaker) and each side's type prior
  (P(limited) 0.1 lower for the stronger side, higher for the weaker: in units of its own cost
  of war, the weaker side's stake is smaller). The parity band and both mappings are ASSUMPTION.
- **channel** (ICB `comlev`, the level of the crisis actor's communications: heads of state or
  government 79%, ministers to officials 19%, none 1.5%): `channel.kind` hotline, indirect or
  none (ASSUMPTION: comlev includes communications with allies and third parties).
- **alliance** (ICB `allycap` 2-4, a great-power ally behind the defender or itself leading an
  alliance: 65%): the enforcement of the defender's red lines against the challenger's killings,
  0.85 with such an ally and 0.6 without (extended deterrence; ASSUMPTION for the values).
- **stakes** (ICB `gravty`, the gravity of the value threatened: low 0-1 16%, medium 2-4 66%,
  high 5-6 19%): the defender's type prior, P(limited) uniform in 0.6-0.9, 0.35-0.65 or
  0.1-0.4 (ASSUMPTION for the ranges). ICB codes no challenger stakes: its type prior is uniform
  in 0.3-0.8 (ASSUMPTION, the span of the built-ins' challengers). Both are then shifted by
  power and kept within 0.05-0.95.

The features are drawn independently of one another (ICB's joint distribution is not kept),
except that an indirect trigger always brings the proxy.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from functools import cache
from importlib.resources import files
from statistics import NormalDist
from typing import Any

import numpy as np

from crisislab.scenario.parameters import GROUP_RUNS

__all__ = [
    "CATEGORIES",
    "GENERATOR",
    "SCENARIO",
    "Crisis",
    "CrisisGenerator",
    "FeatureData",
    "Ranges",
    "load_features",
]

GENERATOR = "icb-crisis-features"
SCENARIO = "generic-crisis"
DATA_FILE = "icb_features.yaml"
TAG = 0x47454E43  # "GENC": keeps these keys apart from a posterior's ("DRAW") and the engine's

#: Each feature's categories, in the order their shares are cumulated.
CATEGORIES: dict[str, tuple[str, ...]] = {
    "trigger": ("violent", "indirect", "non_violent"),
    "proxy": ("present", "absent"),
    "power": ("challenger_stronger", "parity", "defender_stronger"),
    "channel": ("hotline", "indirect", "none"),
    "alliance": ("great_power", "none"),
    "stakes": ("low", "medium", "high"),
}
# One uniform per slot, drawn in this order whatever the branch taken, so that adding a slot at
# the end never moves the others.
_SLOTS = (
    *CATEGORIES,
    "challenger_type",
    "defender_type",
    "proxy_hazard",
    "proxy_control",
    "trigger_lethal",
    "trigger_toll",
)

# the ids of generic-crisis
CHALLENGER, DEFENDER, PROXY = "CHAL", "DEF", "PRX"
TRIGGER_ACTIONS = {
    "violent": (CHALLENGER, "border_clash"),
    "indirect": (PROXY, "proxy_attack"),
    "non_violent": (CHALLENGER, "show_of_force"),
}
ALLIED_RED_LINES = (
    "nationals_killed_by_the_challenger",
    "nationals_killed_on_the_challengers_orders",
)


@dataclass(frozen=True)
class Ranges:
    """What the ICB shares do not give: the ranges and values each feature maps to (ASSUMPTION
    unless said otherwise; see the module docstring)."""

    challenger_type_prior: tuple[float, float] = (0.3, 0.8)
    defender_type_prior: Mapping[str, tuple[float, float]] = field(
        default_factory=lambda: {"low": (0.6, 0.9), "medium": (0.35, 0.65), "high": (0.1, 0.4)}
    )
    power_type_shift: float = 0.1  # P(limited) lower for the stronger side, higher for the weaker
    type_prior_bounds: tuple[float, float] = (0.05, 0.95)
    strike_deaths_mean: float = 10.0  # a direct strike's mean toll at parity
    power_factor: float = 2.0  # the stronger side's toll times this, the weaker's divided by it
    proxy_base_hazard: tuple[float, float] = (0.005, 0.05)  # log-uniform, per day
    proxy_control: tuple[float, float] = (0.3, 0.9)
    pre_crisis_rate: float = 0.01  # hostile acts per day before the crisis, besides the proxy's
    enforcement: Mapping[str, float] = field(
        default_factory=lambda: {"great_power": 0.85, "none": 0.6}
    )
    # the toll of a violent trigger: COW MID incidents (MODEL.md §9)
    trigger_p_lethal: float = 0.13
    trigger_deaths_median: float = 2.0
    casualty_sigma: float = 1.57

    def as_dict(self) -> dict[str, Any]:
        """Plain data (lists for pairs), for JSON output."""
        return _plain(asdict(self))


@dataclass(frozen=True)
class Crisis:
    """One drawn crisis: its features and the scenario overrides they make."""

    group: int
    features: Mapping[str, str]  # feature -> category
    values: Mapping[str, float]  # the continuous draws
    overrides: Mapping[str, Any]


@dataclass(frozen=True)
class FeatureData:
    """One feature of the package data: its categories' shares and where they come from."""

    shares: Mapping[str, float]
    variables: tuple[str, ...] = ()
    filter: str = ""
    n: int = 0
    codes: Mapping[str, str] = field(default_factory=dict)


@cache
def load_features() -> dict[str, Any]:
    """The package data written by benchmarks/icb_features.py, as plain data."""
    from crisislab.scenario.loader import load_bounded

    text = (files("crisislab.scenario") / "data" / DATA_FILE).read_text(encoding="utf-8")
    data = load_bounded(text)
    if not isinstance(data, dict) or not isinstance(data.get("features"), dict):
        raise ValueError(f"{DATA_FILE}: no features")
    return data


class CrisisGenerator:
    """Draws a generic crisis per group of runs (a `ParameterDraws` for `simulate`)."""

    def __init__(
        self,
        features: Mapping[str, FeatureData | Mapping[str, float]],
        ranges: Ranges | None = None,
        source: Mapping[str, Any] | None = None,
    ) -> None:
        self.ranges = ranges or Ranges()
        self.source = dict(source or {})
        self.features: dict[str, FeatureData] = {}
        for name, categories in CATEGORIES.items():
            if name not in features:
                raise ValueError(f"feature {name!r} is missing (features: {', '.join(CATEGORIES)})")
            given = features[name]
            data = given if isinstance(given, FeatureData) else FeatureData(dict(given))
            self.features[name] = _checked(name, categories, data)
        unknown = set(features) - set(CATEGORIES)
        if unknown:
            raise ValueError(f"unknown features {sorted(unknown)} (features: {list(CATEGORIES)})")
        self._cumulative = {
            name: np.cumsum([data.shares[c] for c in CATEGORIES[name]])
            for name, data in self.features.items()
        }

    @classmethod
    def icb(cls, ranges: Ranges | None = None) -> CrisisGenerator:
        """The generator with the packaged ICB shares (scenario/data/icb_features.yaml)."""
        data = load_features()
        features = {}
        for name, entry in data["features"].items():
            cats = entry["categories"]
            features[name] = FeatureData(
                shares={c: float(v["value"]) for c, v in cats.items()},
                variables=tuple(entry.get("variables", ())),
                filter=str(entry.get("filter", "")),
                n=int(entry.get("n", 0)),
                codes={c: str(v.get("codes", "")) for c, v in cats.items()},
            )
        keys = ("source", "citation", "reference_class", "script")
        source: dict[str, Any] = {k: data[k] for k in keys if k in data}
        return cls(features, ranges, source)

    def with_shares(self, **shares: Mapping[str, float]) -> CrisisGenerator:
        """A copy with some features' shares replaced, e.g. `trigger={"violent": 1.0,
        "indirect": 0.0, "non_violent": 0.0}` for an ensemble of violent triggers."""
        features: dict[str, FeatureData | Mapping[str, float]] = dict(self.features)
        for name, given in shares.items():
            if name not in CATEGORIES:
                raise ValueError(f"unknown feature {name!r} (features: {list(CATEGORIES)})")
            features[name] = FeatureData(dict(given))
        return CrisisGenerator(features, self.ranges, {**self.source, "modified": sorted(shares)})

    # --- ParameterDraws ---------------------------------------------------------------------

    @property
    def names(self) -> tuple[str, ...]:
        """The override paths every draw sets, in order."""
        return tuple(self.crisis(0, 0).overrides)

    def draw(self, seed: int, group: int) -> tuple[int, dict[str, Any]]:
        """The group itself (every group has its own crisis) and the crisis's overrides."""
        return group, dict(self.crisis(seed, group).overrides)

    def describe(self) -> dict[str, Any]:
        """Plain data: the generator, its features' shares and sources, its ASSUMPTION ranges."""
        return {
            "generator": GENERATOR,
            "scenario": SCENARIO,
            "runs_per_draw": GROUP_RUNS,
            "features": {
                name: {
                    "shares": {c: data.shares[c] for c in CATEGORIES[name]},
                    "variables": list(data.variables),
                    "filter": data.filter,
                    "n": data.n,
                    **({"codes": dict(data.codes)} if data.codes else {}),
                }
                for name, data in self.features.items()
            },
            "ranges": self.ranges.as_dict(),
            "parameters": list(self.names),
            **self.source,
        }

    # --- the draw -----------------------------------------------------------------------------

    def uniforms(self, seed: int, group: int) -> dict[str, float]:
        """The group's uniforms in [0, 1), one per slot, keyed by (seed, group)."""
        state = np.random.SeedSequence([seed, TAG, group])
        u = np.random.default_rng(state).random(len(_SLOTS))
        return dict(zip(_SLOTS, u.tolist(), strict=True))

    def crisis(self, seed: int, group: int) -> Crisis:
        """The crisis of group `group` of a simulation with seed `seed`."""
        u = self.uniforms(seed, group)
        r = self.ranges
        pick = {name: self._category(name, u[name]) for name in CATEGORIES}
        if pick["trigger"] == "indirect":
            pick["proxy"] = "present"  # the group's act is the trigger

        def uniform(slot: str, span: tuple[float, float]) -> float:
            return span[0] + (span[1] - span[0]) * u[slot]

        lo, hi = r.proxy_base_hazard
        hazard = math.exp(math.log(lo) + (math.log(hi) - math.log(lo)) * u["proxy_hazard"])
        hazard = hazard if pick["proxy"] == "present" else 0.0
        shift = {"challenger_stronger": 1, "parity": 0, "defender_stronger": -1}[pick["power"]]
        low, high = r.type_prior_bounds
        challenger_type = uniform("challenger_type", r.challenger_type_prior)
        defender_type = uniform("defender_type", r.defender_type_prior[pick["stakes"]])
        challenger_type = min(high, max(low, challenger_type - shift * r.power_type_shift))
        defender_type = min(high, max(low, defender_type + shift * r.power_type_shift))
        deaths = 0
        if pick["trigger"] != "non_violent" and u["trigger_lethal"] < r.trigger_p_lethal:
            z = NormalDist().inv_cdf(min(max(u["trigger_toll"], 1e-12), 1 - 1e-12))
            deaths = max(1, round(r.trigger_deaths_median * math.exp(r.casualty_sigma * z)))
        actor, action = TRIGGER_ACTIONS[pick["trigger"]]
        factor = r.power_factor**shift
        values = {
            "challenger_type_prior": challenger_type,
            "defender_type_prior": defender_type,
            "proxy_base_hazard": hazard,
            "proxy_control": uniform("proxy_control", r.proxy_control),
            "trigger_deaths": float(deaths),
        }
        enforcement = r.enforcement[pick["alliance"]]
        overrides: dict[str, Any] = {
            "initial_event.actor": actor,
            "initial_event.action": action,
            "initial_event.deaths": deaths,
            f"actors.{PROXY}.base_hazard": hazard,
            f"actors.{PROXY}.control": values["proxy_control"],
            "outcomes.base_attack_rate_per_day": r.pre_crisis_rate + hazard,
            "actions.chal_strike.lethality.deaths_mean": r.strike_deaths_mean * factor,
            "actions.def_strike.lethality.deaths_mean": r.strike_deaths_mean / factor,
            f"actors.{CHALLENGER}.type_prior": challenger_type,
            f"actors.{DEFENDER}.type_prior": defender_type,
            "channel.kind": pick["channel"],
            **{f"red_lines.{line}.enforcement": enforcement for line in ALLIED_RED_LINES},
        }
        return Crisis(group, pick, values, overrides)

    def _category(self, name: str, u: float) -> str:
        cumulative = self._cumulative[name]
        index = int(np.searchsorted(cumulative, u * cumulative[-1], side="right"))
        return CATEGORIES[name][min(index, len(cumulative) - 1)]


def _plain(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    return value


def _checked(name: str, categories: tuple[str, ...], data: FeatureData) -> FeatureData:
    """The feature with its shares checked (every category, none negative) and normalised."""
    shares = dict(data.shares)
    if set(shares) != set(categories):
        raise ValueError(
            f"feature {name!r} needs a share for each of {', '.join(categories)} "
            f"(got {', '.join(map(str, shares)) or 'none'})"
        )
    values = [float(shares[c]) for c in categories]
    if not all(math.isfinite(v) and v >= 0.0 for v in values) or sum(values) <= 0.0:
        raise ValueError(f"feature {name!r}: shares must be finite, >= 0 and not all 0")
    total = sum(values)
    return FeatureData(
        {c: v / total for c, v in zip(categories, values, strict=True)},
        data.variables,
        data.filter,
        data.n,
        data.codes,
    )
