"""Named statistics of a simulated ensemble, computed from its per-run summary columns.

A calibration compares statistics of simulated runs with observed values (docs/calibration.md,
"Target sets"). Each statistic here reads only the columns `crisislab.engine.outcomes.summarise`
writes (one entry per run, `SimulationResult.columns`), and says in its description exactly what
it measures, including where that differs from the observed figure it is usually matched with.

Day conventions: the engine counts days from the first simulated day, day 0 (the day of the
scenario's opening event, or a fork's day). Crisis durations follow ICB's count instead, in which
the trigger is day 1: a crisis whose `first_end_day` is d lasted d + 1 days. Windows of events
("within N days") count the days after day 0, as a fork's calibration does: days 1 … N.

>>> import numpy as np
>>> columns = {"violence": np.array([1, 2, 4, 4])}
>>> STATISTICS["war_share"].compute(columns)
0.5
>>> STATISTICS["violence_share"].compute(columns, level=2)
0.75
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from crisislab.engine.constants import (
    END_MODES,
    FIRST_EVENTS,
    FULL_SCALE_WAR,
    NO_VIOLENCE,
    OPENINGS,
)
from crisislab.scenario.outcomes import OUTCOMES

if TYPE_CHECKING:
    from crisislab.results import SimulationResult

__all__ = [
    "ATTACK_KINDS",
    "DAYS_PER_MONTH",
    "EVENTS",
    "STATISTICS",
    "Param",
    "Statistic",
    "columns_of",
]

Columns = Mapping[str, np.ndarray]
Kind = Literal["share", "mean", "quantile"]
DAYS_PER_MONTH = 365.25 / 12
_REQUIRED: Any = object()  # a parameter with no default

#: Per-run counts over the whole horizon that `attacks_per_month` can turn into a rate.
ATTACK_KINDS: dict[str, str] = {
    "group_attacks": "acts by armed groups (proxies and factions, lethal or not; the fronts' "
    "acts left out)",
    "ordered_attacks": "armed groups' acts on their leadership's orders, after day 0",
    "unordered_attacks": "armed groups' acts not on their leadership's orders "
    "(group_attacks - ordered_attacks)",
    "proxy_strikes": "the defender's strikes on proxies",
    "direct_exchanges": "acts of either state on the other at or above the direct rung (9), "
    "after day 0",
    "accidents": "accidental acts",
    "maritime_incidents": "maritime incidents (the maritime front)",
}
#: Dated first events `event_within` can look for: event -> (column, what it is).
EVENTS: dict[str, tuple[str, str]] = {
    "lethal_proxy_attack": (
        "first_lethal_proxy_attack_day",
        "a proxy's lethal attack on the defender's nationals",
    ),
    "proxy_strike": ("first_proxy_strike_day", "a defender strike on a proxy"),
    "state_strike": ("first_state_strike_day", "a defender strike on the challenger's territory"),
    "violent_answer": (
        "first_violent_answer_day",
        "a defender strike of any kind (rung 7 or more) on the other side: its groups, forces, "
        "commanders or territory",
    ),
    "war": ("war_day", "full-scale war (violence level 4)"),
    "host_expulsion": ("host_expulsion_day", "the host nation moves to expel the defender"),
}
assert all(f"first_{e}_day" == EVENTS[e][0] for e in FIRST_EVENTS)  # the engine's names


def columns_of(result: SimulationResult | Columns) -> Columns:
    """The per-run summary columns of a `SimulationResult` (its `columns`, one entry per run),
    or the mapping itself if it already is one."""
    columns = getattr(result, "columns", result)
    if not isinstance(columns, Mapping):
        raise TypeError(f"expected a SimulationResult or a mapping of columns, got {result!r}")
    return columns


# --- parameters -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Param:
    """One parameter of a statistic: its type, default (none: required), allowed values."""

    name: str
    type: type
    description: str
    default: Any = _REQUIRED
    choices: tuple[Any, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    exclusive: bool = False  # the bounds are excluded (0 < q < 1)

    @property
    def required(self) -> bool:
        return self.default is _REQUIRED

    def check(self, value: Any) -> tuple[Any, str | None]:
        """The value as this parameter's type, or a message saying why it is not one."""
        if self.type is bool:
            if not isinstance(value, bool):
                return value, f"must be true or false, got {value!r}"
        elif self.type is int:
            if isinstance(value, bool) or not isinstance(value, int):
                return value, f"must be a whole number, got {value!r}"
        elif self.type is float:
            if isinstance(value, bool) or not isinstance(value, int | float):
                return value, f"must be a number, got {value!r}"
            value = float(value)
            if not math.isfinite(value):
                return value, f"must be a finite number, got {value!r}"
        elif not isinstance(value, self.type):
            return value, f"must be a {self.type.__name__}, got {value!r}"
        if self.choices and value not in self.choices:
            return value, f"must be one of {', '.join(map(str, self.choices))}; got {value!r}"
        lo, hi = self.minimum, self.maximum
        if self.exclusive:
            if (lo is not None and value <= lo) or (hi is not None and value >= hi):
                return value, f"must lie strictly between {lo} and {hi}, got {value!r}"
        elif (lo is not None and value < lo) or (hi is not None and value > hi):
            bounds = f"{lo} or more" if hi is None else f"in {lo}..{hi}"
            return value, f"must be {bounds}, got {value!r}"
        return value, None

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"type": self.type.__name__, "description": self.description}
        if not self.required:
            out["default"] = self.default
        if self.choices:
            out["choices"] = list(self.choices)
        if self.minimum is not None:
            out["minimum"] = self.minimum
        if self.maximum is not None:
            out["maximum"] = self.maximum
        return out


@dataclass(frozen=True)
class Statistic:
    """A named statistic of an ensemble: `compute(columns, **params)` gives one number.

    `kind` says what sort of number it is: a share of runs in [0, 1] (``nan`` when it is a share
    of no run), a mean per run, or a quantile of days (``inf`` when it lies beyond the horizon).
    """

    name: str
    description: str
    kind: Kind
    function: Callable[..., float] = field(repr=False)
    params: tuple[Param, ...] = ()

    def problems(self, params: Mapping[str, Any]) -> list[tuple[str, str]]:
        """What is wrong with `params`, as (parameter, message) pairs (the parameter is "" for
        a problem of the whole): unknown names, missing required ones, bad values."""
        known = {p.name: p for p in self.params}
        found = []
        for name, value in params.items():
            if name not in known:
                options = ", ".join(known) if known else "none"
                found.append(
                    (name, f"{self.name} has no parameter {name!r} (its parameters: {options})")
                )
                continue
            _, message = known[name].check(value)
            if message:
                found.append((name, message))
        for p in self.params:
            if p.required and p.name not in params:
                found.append(("", f"{self.name} needs the parameter {p.name!r} ({p.description})"))
        return found

    def bind(self, params: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """Every parameter's value: those given (checked) and the defaults; raises ValueError
        listing every problem."""
        params = dict(params or {})
        found = self.problems(params)
        if found:
            raise ValueError("; ".join(f"{n}: {m}" if n else m for n, m in found))
        return {
            p.name: p.check(params[p.name])[0] if p.name in params else p.default
            for p in self.params
        }

    def compute(self, columns: Columns | SimulationResult, **params: Any) -> float:
        """The statistic of the runs whose summary columns are `columns`."""
        return float(self.function(columns_of(columns), **self.bind(params)))

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "description": self.description,
            "kind": self.kind,
            "params": {p.name: p.as_dict() for p in self.params},
        }


# --- helpers ----------------------------------------------------------------------------------


def _column(columns: Columns, name: str) -> np.ndarray:
    try:
        return np.asarray(columns[name])
    except KeyError:
        raise ValueError(
            f"the columns have no {name!r}: statistics read the per-run summary columns of "
            "crisislab.simulate (SimulationResult.columns)"
        ) from None


def _share(mask: np.ndarray, among: np.ndarray | None = None) -> float:
    """The share of runs where `mask` holds, among all runs or those where `among` holds (nan
    when there are none)."""
    if among is not None:
        mask = mask[among]
    return float(np.count_nonzero(mask) / mask.size) if mask.size else math.nan


def durations(columns: Columns) -> np.ndarray:
    """Each run's first crisis duration in days, ICB's way (the opening day is day 1): a run
    whose `first_end_day` is d lasted d + 1 days; a crisis not ended by the horizon is inf."""
    first = _column(columns, "first_end_day")
    return np.where(first >= 0, first + 1.0, math.inf)


def censored_quantile(values: np.ndarray, q: float) -> float:
    """The q quantile (linear interpolation between order statistics, numpy's default) of values
    of which some are inf (censored: beyond the horizon). It is finite only when both order
    statistics it interpolates are: the median needs more than half the runs to have ended."""
    if values.size == 0:
        return math.nan
    ordered = np.sort(values)
    h = (values.size - 1) * q
    lo, hi = math.floor(h), math.ceil(h)
    if not math.isfinite(ordered[hi]):
        return math.inf
    return float(ordered[lo] + (ordered[hi] - ordered[lo]) * (h - lo))


# --- the statistics ---------------------------------------------------------------------------


def _war_share(c: Columns) -> float:
    return _share(_column(c, "violence") >= FULL_SCALE_WAR)


def _violence_share(c: Columns, level: int, exact: bool) -> float:
    violence = _column(c, "violence")
    return _share(violence == level if exact else violence >= level)


def _outcome_share(c: Columns, outcome: str) -> float:
    return _share(_column(c, "outcome") == OUTCOMES.index(outcome))


def _violent_answer_share(c: Columns, trigger: str, days: int) -> float:
    never = np.iinfo(np.int64).max
    answer = _column(c, "first_violent_answer_day").astype(np.int64)
    strike = np.where(answer >= 0, answer, never)  # the defender's first strike of any kind
    if trigger in ("violent_opening", "indirect_opening"):
        kind = OPENINGS.index(
            trigger.replace("_opening", "").replace("indirect", "indirect_violent")
        )
        return _share(strike <= days, among=_column(c, "opening") == kind)
    lethal = _column(c, "first_lethal_proxy_attack_day").astype(np.int64)
    # the runs where the answer can be dated: a lethal attack, and no defender strike before it
    datable = (lethal >= 0) & (strike >= lethal)
    return _share(strike <= lethal + days, among=datable)


def _duration_quantile(c: Columns, q: float) -> float:
    return censored_quantile(durations(c), q)


def _duration_median(c: Columns) -> float:
    return censored_quantile(durations(c), 0.5)


def _ended_within(c: Columns, days: int) -> float:
    first = _column(c, "first_end_day")
    return _share((first >= 0) & (first < days))


def _end_mode_share(c: Columns, mode: str) -> float:
    ended = _column(c, "crisis_end_day") >= 0
    return _share(_column(c, "end_mode") == END_MODES.index(mode), among=ended)


def _recurrence_share(c: Columns) -> float:
    ended = _column(c, "first_end_day") >= 0
    return _share(_column(c, "recurrences") > 0, among=ended)


def _attacks_per_month(c: Columns, kind: str, horizon: int) -> float:
    return float(np.mean(_column(c, kind))) / (horizon / DAYS_PER_MONTH)


def _event_within(c: Columns, event: str, days: int) -> float:
    day = _column(c, EVENTS[event][0])
    return _share((day >= 1) & (day <= days))


_DAYS_AFTER = "days after the trigger (the trigger's day is day 0)"
_STATISTICS = (
    Statistic(
        "war_share",
        "share of runs whose highest ICB violence level is full-scale war (level 4: 1,000 "
        "battle deaths, a declared war held a week, or a 14-day campaign of direct strikes; "
        "docs/model.md §6.1)",
        "share",
        _war_share,
    ),
    Statistic(
        "violence_share",
        "share of runs whose highest ICB violence level (1 no violence, 2 minor clashes, "
        "3 serious clashes, 4 full-scale war) is at least `level`, or exactly `level` with "
        "`exact: true`",
        "share",
        _violence_share,
        (
            Param(
                "level",
                int,
                "the ICB violence level, 1-4",
                minimum=NO_VIOLENCE,
                maximum=FULL_SCALE_WAR,
            ),
            Param("exact", bool, "count runs at exactly `level` rather than at least", False),
        ),
    ),
    Statistic(
        "outcome_share",
        "share of runs in an outcome class at the horizon (docs/model.md §6.2)",
        "share",
        _outcome_share,
        (Param("outcome", str, "the outcome class", choices=OUTCOMES),),
    ),
    Statistic(
        "violent_answer_share",
        "share of violent triggers the defender answered with a strike (a violent act of rung 7 "
        "or more on the other side: its groups, forces, commanders or territory) within `days` "
        f"{_DAYS_AFTER}. trigger: violent_opening — among runs whose opening event (day 0) was a "
        "violent act by a state or its forces (ICB triggr 9), it is the trigger; "
        "indirect_opening — the same among runs opened by a proxy's violent act (triggr 8); "
        "lethal_proxy_attack — among the "
        "runs with a simulated lethal proxy attack on the defender and no defender strike "
        "before it (otherwise the answer cannot be dated from first-event days), the first such "
        "attack is the trigger",
        "share",
        _violent_answer_share,
        (
            Param(
                "trigger",
                str,
                "what the defender answers",
                "violent_opening",
                choices=("violent_opening", "indirect_opening", "lethal_proxy_attack"),
            ),
            Param("days", int, "the answer's window in days after the trigger", 30, minimum=0),
        ),
    ),
    Statistic(
        "crisis_duration_quantile",
        "the q quantile of the first crisis's duration in days, counted ICB's way (the opening "
        "day is day 1; the crisis ends when both sides' threat forecasts have stayed calm for "
        "outcomes.end_quiet_days, docs/model.md §6.2). A run whose crisis had not ended by the "
        "horizon counts as longer than it; the quantile is inf when it falls among those runs",
        "quantile",
        _duration_quantile,
        (
            Param(
                "q",
                float,
                "the quantile, strictly between 0 and 1",
                minimum=0.0,
                maximum=1.0,
                exclusive=True,
            ),
        ),
    ),
    Statistic(
        "crisis_duration_median",
        "the median of the first crisis's duration in days (crisis_duration_quantile with "
        "q = 0.5): finite when more than half the runs ended their first crisis by the horizon, "
        "inf otherwise",
        "quantile",
        _duration_median,
    ),
    Statistic(
        "ended_within",
        "share of runs whose first crisis ended within `days` days, the opening day being day 1 "
        "(first_end_day < days); for days beyond the horizon this is censored at the horizon",
        "share",
        _ended_within,
        (Param("days", int, "the number of days", minimum=1),),
    ),
    Statistic(
        "end_mode_share",
        "among runs whose crisis stands ended at the horizon, the share whose last ending had "
        "the given mode: agreement (both sides sent messages over an open channel), tacit (it "
        "ended without), imposed (a war's ceasefire); nan if no run ended",
        "share",
        _end_mode_share,
        (Param("mode", str, "the end mode", choices=END_MODES[1:]),),
    ),
    Statistic(
        "recurrence_share",
        "among runs whose first crisis ended, the share in which it recurred (a side's threat "
        "forecast climbed back above the crisis level) before the horizon; nan if no run ended",
        "share",
        _recurrence_share,
    ),
    Statistic(
        "attacks_per_month",
        "mean count per run of acts of a kind over the horizon, per month of 30.44 days: the "
        "count divided by horizon / 30.44. Kinds: "
        + "; ".join(f"{k}: {v}" for k, v in ATTACK_KINDS.items()),
        "mean",
        _attacks_per_month,
        (
            Param("kind", str, "the per-run count", choices=tuple(ATTACK_KINDS)),
            Param("horizon", int, "the days the runs simulated (the scenario's `days`)", minimum=1),
        ),
    ),
    Statistic(
        "event_within",
        "share of runs in which the first event of a kind happened on days 1..`days` after "
        "day 0 (the window of a fork's calibration); an observed count of 0 or 1 in the same "
        "window is its counterpart. Events: "
        + "; ".join(f"{k}: {v}" for k, (_, v) in EVENTS.items()),
        "share",
        _event_within,
        (
            Param("event", str, "the kind of event", choices=tuple(EVENTS)),
            Param("days", int, "the window, in days after day 0", minimum=1),
        ),
    ),
)

#: The statistics by name.
STATISTICS: dict[str, Statistic] = {s.name: s for s in _STATISTICS}
