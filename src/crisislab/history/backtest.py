"""Backtests: rolling forks over real timelines, scored against what followed and against baselines.

A backtest forks each timeline every `every` days (`crisislab.history.fork`: the same replay and
simulation as `crisislab fork`) and forecasts a standard set of outcomes over windows of 30 and 90
days after each fork day. A window is cut to the days the timeline covers, by the fork's own rule
(`fork.calibrate`): a day the timeline does not cover is not a day on which nothing happened.

The scores are proper and come from a well-kept library (scoringrules): the Brier and logarithmic
scores for events, the CRPS for counts. Three baselines are scored the same way — the ICB
climatology (package data, computed once by `benchmarks/icb_climatology.py`), persistence (what
the window of the same length up to the fork day showed) and a Poisson of the rate over the 30
days up to the fork day — with skill scores against each, a reliability table, scores by window
and by fork day, and the versions of crisislab and scoringrules that made them.
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import io
import math
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from typing import Any

import numpy as np
import scoringrules as sr
from matplotlib.figure import Figure
from rich.table import Table
from ruamel.yaml import YAML

from crisislab._version import __version__
from crisislab.engine.constants import KINETIC_RUNG
from crisislab.engine.script import ScriptedEvent
from crisislab.errors import BadInput, Problem
from crisislab.history.fork import (
    DESCRIPTIONS,
    P_FLOOR,
    calibrate,
    fork,
    observed_events,
    proxy_groups,
)
from crisislab.history.mapping import MappedTimeline
from crisislab.history.replay import prepare
from crisislab.history.timeline import Timeline, load_timeline
from crisislab.output import write_text
from crisislab.results import SimulationResult
from crisislab.simulate import MAX_RUNS

__all__ = [
    "BASELINES",
    "COUNT",
    "EVENTS",
    "FORECASTERS",
    "WINDOWS",
    "backtest",
    "console_tables",
    "fork_dates",
    "html_page",
    "write_html",
]

WINDOWS = (30, 90)
HORIZON_DAYS = max(WINDOWS) + 1  # day 0 is the fork day: a 90-day window ends on day 90
EVERY_DAYS = 7
RECENT_DAYS = 30  # the Poisson baseline's rate: over the 30 days up to the fork day
RELIABILITY_BINS = 10
ATTACK_RUNG = KINETIC_RUNG  # an act at or above it is an attack: a strike or a kinetic attack
EVENTS = ("state_strike", "lethal_proxy_attack", "war")  # fork.OBSERVABLES' names
COUNT = "attack_days"
OUTCOMES = (*EVENTS, COUNT)
BASELINES = ("climatology", "persistence", "poisson")
FORECASTERS = ("model", *BASELINES)
EVENT_METRICS = ("brier", "log_score")
COUNT_METRICS = ("crps",)
METRICS = (*EVENT_METRICS, *COUNT_METRICS)
DESCRIPTION = {
    **{name: DESCRIPTIONS[name] for name in EVENTS},
    COUNT: f"days with an attack: an act at rung {ATTACK_RUNG} or higher, by any actor",
}
BASELINE_RULES = {
    "climatology": "the share of ICB crises begun short of war that reached the outcome (no "
    "count: ICB has no daily attack counts)",
    "persistence": "what the timeline showed in the window of the same length up to the fork "
    "day (cut at its first day): 1 or 0 for an event, the count for a count",
    "poisson": f"the rate of days with the outcome over the {RECENT_DAYS} days up to the fork day "
    "(fewer at the timeline's start): P(at least one) = 1 - exp(-rate x window days); for a "
    "count, a Poisson of mean rate x window days",
}


# --- the plan ---------------------------------------------------------------------------------


def check_every(every: int) -> None:
    """Refuse a step that would fork on no day, or on the same day forever."""
    if every < 1:
        raise BadInput([Problem("--every", "", f"must be 1 or more days, got {every}")])


def fork_dates(timeline: Timeline, every: int) -> list[dt.date]:
    """The fork days: every `every` days from the timeline's first event, each leaving at least
    one day of the timeline after it to score."""
    check_every(every)
    first, last = timeline.events[0].date, timeline.events[-1].date
    dates = [first + dt.timedelta(days=d) for d in range(0, (last - first).days, every)]
    if not dates:
        raise BadInput(
            [
                Problem(
                    timeline.name, "", "covers a single day: there is no day after a fork to score"
                )
            ]
        )
    return dates


def _check(runs: int, windows: Sequence[int], timelines: Sequence[object]) -> None:
    problems = []
    if not 1 <= runs <= MAX_RUNS:
        problems.append(Problem("--runs", "runs", f"must lie in 1..{MAX_RUNS:,}, got {runs}"))
    if not windows or min(windows) < 1:
        problems.append(Problem("windows", "", "give one or more windows of 1 day or more"))
    if not timelines:
        problems.append(Problem("timelines", "", "give one or more timelines"))
    if problems:
        raise BadInput(problems)


# --- what the timeline shows ------------------------------------------------------------------


def _is_attack(event: ScriptedEvent) -> bool:
    """An observed act at the attack rung or above, read as the engine reads it: the warned
    variant if warned, the lethal rung if it killed."""
    if event.kind != "act":
        return False
    action = event.action
    variant = action.warned if event.warned and action.warned is not None else action.plain
    return (variant.lethal_rung if event.deaths > 0 else variant.rung) >= ATTACK_RUNG


def daily_observations(
    mapped: MappedTimeline, tl: Timeline, proxies: frozenset[int]
) -> dict[str, np.ndarray]:
    """Per outcome, whether the timeline shows it on each of its days (0 = the first): the events
    by the fork's own rule (`observed_events` of a one-day window), and days with an attack."""
    days = mapped.day_of(mapped.end) + 1
    flags = {name: np.zeros(days, dtype=bool) for name in OUTCOMES}
    for day in range(days):
        seen = observed_events(mapped, tl, mapped.start + dt.timedelta(days=day - 1), 1, proxies)
        for name in EVENTS:
            flags[name][day] = seen[name]
        flags[COUNT][day] = any(_is_attack(e) for e in mapped.script_events.get(day, []))
    return flags


def _after(flags: np.ndarray, day: int, length: int) -> np.ndarray:
    """The days (day, day + length]."""
    return flags[day + 1 : day + length + 1]


def _up_to(flags: np.ndarray, day: int, length: int) -> np.ndarray:
    """The days (day - length, day], cut at the timeline's first day."""
    return flags[max(0, day - length + 1) : day + 1]


# --- baselines --------------------------------------------------------------------------------


def persistence(flags: np.ndarray, day: int, length: int, count: bool) -> float:
    """What the window of the same length up to the fork day showed: 1/0, or the count."""
    before = _up_to(flags, day, length)
    return float(np.count_nonzero(before)) if count else float(before.any())


def recent_rate(flags: np.ndarray, day: int, recent: int = RECENT_DAYS) -> float:
    """Days with the outcome per day, over the `recent` days up to the fork day."""
    before = _up_to(flags, day, recent)
    return float(np.count_nonzero(before)) / len(before)


def poisson_probability(rate: float, days: int) -> float:
    """P(at least one) in `days` days at a constant rate."""
    return 1.0 - math.exp(-rate * days)


# --- scores -----------------------------------------------------------------------------------


def brier(p: float, happened: bool) -> float:
    """(p - o)², by scoringrules."""
    return float(sr.brier_score(float(happened), p, backend="numpy"))


def log_score(p: float, happened: bool) -> float:
    """-ln P(what happened), by scoringrules, with p kept inside [0.001, 0.999] as the fork's
    calibration does (an ensemble cannot tell 0 from 1/N)."""
    p = min(max(p, P_FLOOR), 1.0 - P_FLOOR)
    return float(sr.log_score(float(happened), p, backend="numpy"))


def crps_ensemble(observed: float, members: np.ndarray) -> float:
    """The CRPS of an ensemble (a point forecast is an ensemble of one), by scoringrules."""
    return float(sr.crps_ensemble(float(observed), np.asarray(members, float), backend="numpy"))


def crps_poisson(observed: float, mean: float) -> float:
    """The CRPS of a Poisson predictive, by scoringrules."""
    return float(sr.crps_poisson(float(observed), float(mean), backend="numpy"))


def skill(score: float | None, reference: float | None) -> float | None:
    """1 - score / reference: 1 is perfect, 0 no better than the reference, below 0 worse."""
    if score is None or reference is None or reference == 0:
        return None
    return 1.0 - score / reference


# --- forecasts of one fork day ----------------------------------------------------------------


def attack_day_counts(columns: Mapping[str, np.ndarray], days: int) -> np.ndarray:
    """Per run, the days 1..`days` after the fork day with an attack (the highest rung executed
    that day at the attack rung or above). A run at war is frozen and records no acts, so it
    counts every day from its war day."""
    rung = columns["daily_rung"][:, 1 : days + 1]
    day = np.arange(1, rung.shape[1] + 1)[None, :]
    war = columns["war_day"][:, None]
    return np.count_nonzero((rung >= ATTACK_RUNG) | ((war >= 0) & (day >= war)), axis=1)


@dataclass(frozen=True)
class Fork:
    """What a backtest needs of one fork: its day and the simulated runs."""

    timeline: Timeline
    mapped: MappedTimeline
    flags: Mapping[str, np.ndarray]
    day: int
    result: SimulationResult

    @property
    def date(self) -> dt.date:
        return self.mapped.start + dt.timedelta(days=self.day)


def _event_entry(happened: bool, forecasts: dict[str, float | None]) -> dict[str, Any]:
    entry: dict[str, Any] = {"observed": happened, "forecast": _rounded(forecasts)}
    for metric, rule in (("brier", brier), ("log_score", log_score)):
        entry[metric] = _rounded(
            {k: None if p is None else rule(p, happened) for k, p in forecasts.items()}
        )
    return entry


def _count_entry(observed: int, members: np.ndarray, last: float, mean: float) -> dict[str, Any]:
    q05, q50, q95 = np.quantile(members, [0.05, 0.5, 0.95])
    model = {"mean": float(members.mean()), "q05": q05, "q50": q50, "q95": q95}
    return {
        "observed": observed,
        "forecast": {
            "model": _rounded(model),
            "climatology": None,
            "persistence": last,
            "poisson": round(mean, 6),
        },
        "crps": _rounded(
            {
                "model": crps_ensemble(observed, members),
                "climatology": None,
                "persistence": crps_ensemble(observed, np.array([last])),
                "poisson": crps_poisson(observed, mean),
            }
        ),
    }


def score_window(f: Fork, window: int, climatology: Mapping[str, float]) -> dict[str, Any]:
    """Forecasts and scores of every outcome over one window after the fork day, cut to the
    days the timeline covers (fork.calibrate's rule), and the three baselines' alike."""
    cal = calibrate(f.result, f.mapped, f.timeline, f.date, window)
    days = cal["window_days"]
    outcomes: dict[str, Any] = {}
    for name in EVENTS:
        flags = f.flags[name]
        forecasts = {
            "model": cal["events"][name]["forecast"],
            "climatology": climatology.get(name),
            "persistence": persistence(flags, f.day, days, count=False),
            "poisson": poisson_probability(recent_rate(flags, f.day), days),
        }
        outcomes[name] = _event_entry(bool(_after(flags, f.day, days).any()), forecasts)
    flags = f.flags[COUNT]
    outcomes[COUNT] = _count_entry(
        int(np.count_nonzero(_after(flags, f.day, days))),
        attack_day_counts(f.result.columns, days),
        persistence(flags, f.day, days, count=True),
        recent_rate(flags, f.day) * days,
    )
    return {
        "timeline": f.timeline.name,
        "fork_date": f.date.isoformat(),
        "fork_day": f.day,
        "window": window,
        "window_days": days,
        "outcomes": outcomes,
    }


# --- summaries --------------------------------------------------------------------------------


def _rounded(values: Mapping[str, Any]) -> dict[str, Any]:
    return {k: None if v is None else round(float(v), 6) for k, v in values.items()}


def _mean(values: Iterable[float | None]) -> float | None:
    kept = [v for v in values if v is not None]
    return round(float(np.mean(kept)), 6) if kept else None


def _metrics(outcome: str) -> tuple[str, ...]:
    return COUNT_METRICS if outcome == COUNT else EVENT_METRICS


def mean_scores(
    cases: Sequence[Mapping[str, Any]], outcomes: Sequence[str] = OUTCOMES
) -> dict[str, Any]:
    """Mean score per metric and forecaster over the cases' outcomes (each metric over the
    outcomes it applies to), and each baseline's skill score."""
    means: dict[str, dict[str, float | None]] = {}
    for metric in METRICS:
        named = [o for o in outcomes if metric in _metrics(o)]
        if not named:
            continue
        means[metric] = {
            who: _mean(case["outcomes"][o][metric][who] for case in cases for o in named)
            for who in FORECASTERS
        }
    skills = {
        metric: _rounded({b: skill(m["model"], m[b]) for b in BASELINES})
        for metric, m in means.items()
    }
    return {"mean": means, "skill": skills}


def scores_by_outcome(cases: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Per window and outcome: how many cases, mean scores and skill scores."""
    out: dict[str, Any] = {}
    for window in sorted({c["window"] for c in cases}):
        these = [c for c in cases if c["window"] == window]
        out[str(window)] = {
            name: {"n": len(these), **mean_scores(these, (name,))} for name in OUTCOMES
        }
    return out


def scores_by_lead_time(cases: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Scores over all outcomes, per window (30 against 90 days) and per fork day."""
    windows = {}
    for window in sorted({c["window"] for c in cases}):
        these = [c for c in cases if c["window"] == window]
        windows[str(window)] = {"n": len(these), **mean_scores(these)}
    fork_days = [
        {k: c[k] for k in ("timeline", "fork_date", "fork_day", "window", "window_days")}
        | mean_scores([c])
        for c in cases
    ]
    return {"windows": windows, "fork_days": fork_days}


def reliability(pairs: Iterable[tuple[float, bool]], bins: int = RELIABILITY_BINS) -> list[dict]:
    """Binned forecast probabilities against the observed frequency in each bin."""
    pairs = list(pairs)
    p = np.array([x for x, _ in pairs], dtype=float)
    o = np.array([y for _, y in pairs], dtype=float)
    which = np.clip(np.floor(p * bins), 0, bins - 1).astype(int)
    out = []
    for b in range(bins):
        inside = which == b
        n = int(inside.sum())
        out.append(
            {
                "lower": round(b / bins, 6),
                "upper": round((b + 1) / bins, 6),
                "n": n,
                "mean_forecast": round(float(p[inside].mean()), 6) if n else None,
                "observed_frequency": round(float(o[inside].mean()), 6) if n else None,
            }
        )
    return out


def _model_pairs(cases: Iterable[Mapping[str, Any]]) -> Iterable[tuple[float, bool]]:
    for case in cases:
        for name in EVENTS:
            entry = case["outcomes"][name]
            yield entry["forecast"]["model"], entry["observed"]


def reliability_table(cases: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """The model's event forecasts, binned: over all windows and per window."""
    windows = sorted({c["window"] for c in cases})
    return {
        "bins": RELIABILITY_BINS,
        "events": list(EVENTS),
        "all": reliability(_model_pairs(cases)),
        "windows": {
            str(w): reliability(_model_pairs(c for c in cases if c["window"] == w)) for w in windows
        },
    }


# --- the backtest -----------------------------------------------------------------------------


def versions() -> dict[str, str]:
    """The versions of the forecasting and of the scoring code."""
    return {"crisislab": __version__, "scoringrules": str(sr.__version__)}


def climatology() -> dict[str, Any]:
    """The ICB climatology shipped as package data, with its source and rules."""
    text = (files("crisislab.history") / "data" / "climatology.yaml").read_text("utf-8")
    data: dict[str, Any] = YAML(typ="safe").load(text)
    return data


def backtest(
    timelines: Sequence[str | Path | Timeline],
    *,
    every: int = EVERY_DAYS,
    runs: int = 2000,
    seed: int = 0,
    scenario: str | Path | None = None,
    overrides: Mapping[str, Any] | None = None,
    executor: Executor | None = None,
    windows: Sequence[int] = WINDOWS,
) -> dict[str, Any]:
    """Fork each timeline every `every` days, score the forecasts and the baselines; see the
    module docstring. Returns one JSON-ready object."""
    check_every(every)
    _check(runs, windows, timelines)
    loaded = [t if isinstance(t, Timeline) else load_timeline(t) for t in timelines]
    plans = [(tl, fork_dates(tl, every)) for tl in loaded]
    clim = climatology()
    shares = {name: entry["p"] for name, entry in clim["outcomes"].items()}
    horizon = max(windows) + 1
    cases, covered = [], []
    for tl, dates in plans:
        _, resolved, mapped = prepare(tl, scenario, overrides)
        flags = daily_observations(mapped, tl, proxy_groups(resolved))
        for at in dates:
            result = fork(
                tl,
                at,
                scenario,
                runs=runs,
                seed=seed,
                overrides=overrides,
                days=horizon,
                executor=executor,
                window=min(windows),
            ).result
            f = Fork(tl, mapped, flags, mapped.day_of(at), result)
            cases += [score_window(f, w, shares) for w in sorted(windows)]
        covered.append(_timeline_entry(tl, resolved.name, mapped, dates))
    return {
        "versions": versions(),
        "settings": {
            "every": every,
            "runs": runs,
            "seed": seed,
            "windows": sorted(windows),
            "horizon_days": horizon,
            "recent_days": RECENT_DAYS,
            "scenario": None if scenario is None else str(scenario),
            "overrides": dict(overrides or {}),
        },
        "outcomes": {
            name: {"kind": "count" if name == COUNT else "event", "description": DESCRIPTION[name]}
            for name in OUTCOMES
        },
        "baselines": {
            name: {"rule": BASELINE_RULES[name], **(clim if name == "climatology" else {})}
            for name in BASELINES
        },
        "timelines": covered,
        "scores": scores_by_outcome(cases),
        "lead_time": scores_by_lead_time(cases),
        "reliability": reliability_table(cases),
        "cases": cases,
    }


def _timeline_entry(
    tl: Timeline, scenario: str, mapped: MappedTimeline, dates: Sequence[dt.date]
) -> dict[str, Any]:
    return {
        "name": tl.name,
        "scenario": scenario,
        "first_day": mapped.start.isoformat(),
        "last_day": mapped.end.isoformat(),
        "fork_dates": [d.isoformat() for d in dates],
    }


# --- the console ------------------------------------------------------------------------------


def _num(value: float | None) -> str:
    return "—" if value is None else f"{value:.3f}"


def _stamp(data: Mapping[str, Any]) -> str:
    v = data["versions"]
    return f"crisislab {v['crisislab']}, scoringrules {v['scoringrules']}"


def console_tables(data: Mapping[str, Any]) -> list[Table]:
    """The scores per window and outcome with skill, the scores by window, and the
    reliability table."""
    s = data["settings"]
    scores = Table(
        title=f"Backtest of {', '.join(t['name'] for t in data['timelines'])}: forks every "
        f"{s['every']} days, {s['runs']:,} runs each, seed {s['seed']}",
        header_style="bold",
        caption="Mean scores (lower is better); skill = 1 - model / baseline (above 0: the "
        f"model is better). {_stamp(data)}",
    )
    for col in ("window", "outcome", "n", "score", *FORECASTERS):
        scores.add_column(col, justify="left" if col in ("outcome", "score") else "right")
    for b in BASELINES:
        scores.add_column(f"skill vs {b}", justify="right")
    for window, by_outcome in data["scores"].items():
        for name, entry in by_outcome.items():
            for metric, means in entry["mean"].items():
                scores.add_row(
                    window,
                    name,
                    str(entry["n"]),
                    metric,
                    *(_num(means[w]) for w in FORECASTERS),
                    *(_num(entry["skill"][metric][b]) for b in BASELINES),
                )
    return [scores, _lead_table(data), _reliability_console(data)]


def _lead_table(data: Mapping[str, Any]) -> Table:
    table = Table(title="Scores by lead time (all outcomes)", header_style="bold")
    for col in ("window", "n", "score", *FORECASTERS):
        table.add_column(col, justify="left" if col == "score" else "right")
    for window, entry in data["lead_time"]["windows"].items():
        for metric, means in entry["mean"].items():
            table.add_row(window, str(entry["n"]), metric, *(_num(means[w]) for w in FORECASTERS))
    return table


def _reliability_console(data: Mapping[str, Any]) -> Table:
    rel = data["reliability"]
    table = Table(
        title="Reliability of the model's event forecasts (all windows)",
        header_style="bold",
        caption="A reliable forecast's observed frequency matches its mean forecast in each bin.",
    )
    for col in ("forecast bin", "n", "mean forecast", "observed frequency"):
        table.add_column(col, justify="right")
    for b in rel["all"]:
        if b["n"]:
            table.add_row(
                f"{b['lower']:.1f}–{b['upper']:.1f}",
                str(b["n"]),
                _num(b["mean_forecast"]),
                _num(b["observed_frequency"]),
            )
    return table


# --- the HTML page ----------------------------------------------------------------------------

CSS = """
body { font-family: system-ui, sans-serif; max-width: 1080px; margin: 2rem auto; padding: 0 1rem;
       color: #222; line-height: 1.45; }
h2 { border-bottom: 1px solid #ccc; margin-top: 2.2rem; }
table { border-collapse: collapse; margin: 1rem 0; font-size: .9rem; }
th, td { border: 1px solid #ccc; padding: .2rem .5rem; }
th { background: #f2f2f2; text-align: left; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
figure img { width: 100%; height: auto; }
figcaption, footer { font-size: .85rem; color: #555; }
"""


def _esc(text: object) -> str:
    return html.escape(str(text), quote=True)


def _html_table(headers: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    head = "".join(f"<th>{_esc(h)}</th>" for h in headers)
    body = "".join(
        "<tr>" + "".join(_cell(i, v) for i, v in enumerate(row)) + "</tr>\n" for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>\n{body}</tbody></table>"


def _cell(i: int, value: object) -> str:
    if isinstance(value, float) or value is None:
        return f'<td class="num">{_esc(_num(value))}</td>'
    return (
        f'<td class="num">{_esc(value)}</td>'
        if isinstance(value, int)
        else f"<td>{_esc(value)}</td>"
    )


def _svg(fig: Figure, caption: str) -> str:
    """A figure embedded as an SVG data URI: the page loads nothing."""
    buf = io.BytesIO()
    fig.savefig(buf, format="svg", metadata={"Date": None})
    data = base64.b64encode(buf.getvalue()).decode("ascii")
    return (
        f'<figure><img src="data:image/svg+xml;base64,{data}" alt="{_esc(caption)}">'
        f"<figcaption>{_esc(caption)}</figcaption></figure>"
    )


def reliability_figure(data: Mapping[str, Any]) -> Figure:
    """The reliability diagram: the observed frequency against the mean forecast of each bin,
    one line per window, the point's size growing with the bin's forecasts."""
    fig = Figure(figsize=(5.5, 5.0), layout="constrained")
    ax = fig.add_subplot()
    ax.plot([0, 1], [0, 1], color="#888", linestyle="--", linewidth=1, label="perfectly reliable")
    for window, bins in data["reliability"]["windows"].items():
        kept = [b for b in bins if b["n"]]
        sizes = [20 + 8 * math.sqrt(b["n"]) for b in kept]
        xs = [b["mean_forecast"] for b in kept]
        ys = [b["observed_frequency"] for b in kept]
        ax.plot(xs, ys, linewidth=1)
        ax.scatter(xs, ys, s=sizes, label=f"{window}-day window")
    ax.set(xlim=(0, 1), ylim=(-0.02, 1.02), xlabel="forecast probability (bin mean)")
    ax.set_ylabel("observed frequency")
    ax.legend(loc="upper left", frameon=False)
    return fig


def lead_time_figure(data: Mapping[str, Any]) -> Figure:
    """Mean Brier score over the events per fork day, model and baselines, one panel per window."""
    windows = list(data["lead_time"]["windows"])
    fig = Figure(figsize=(9.0, 3.2 * len(windows)), layout="constrained")
    for i, window in enumerate(windows):
        ax = fig.add_subplot(len(windows), 1, i + 1)
        rows = [r for r in data["lead_time"]["fork_days"] if str(r["window"]) == window]
        for who in FORECASTERS:
            ys = [r["mean"]["brier"][who] for r in rows]
            ax.plot(
                range(len(rows)), [np.nan if y is None else y for y in ys], marker="o", label=who
            )
        ax.set_xticks(
            range(len(rows)), [f"{r['fork_date']}" for r in rows], rotation=45, ha="right"
        )
        ax.set_ylabel("mean Brier")
        ax.set_title(f"{window}-day window", loc="left", fontsize=10)
        if i == 0:
            ax.legend(ncols=4, frameon=False, fontsize=8, loc="lower left", bbox_to_anchor=(0, 1.1))
    return fig


def _score_rows(data: Mapping[str, Any]) -> list[list[object]]:
    rows: list[list[object]] = []
    for window, by_outcome in data["scores"].items():
        for name, entry in by_outcome.items():
            for metric, means in entry["mean"].items():
                rows.append(
                    [int(window), name, entry["n"], metric]
                    + [means[w] for w in FORECASTERS]
                    + [entry["skill"][metric][b] for b in BASELINES]
                )
    return rows


def _fork_day_rows(data: Mapping[str, Any]) -> list[list[object]]:
    return [
        [r["timeline"], r["fork_date"], r["window"], r["window_days"]]
        + [r["mean"]["brier"][w] for w in FORECASTERS]
        + [r["mean"]["crps"]["model"], r["mean"]["crps"]["poisson"]]
        for r in data["lead_time"]["fork_days"]
    ]


def _climatology_rows(data: Mapping[str, Any]) -> list[list[object]]:
    clim = data["baselines"]["climatology"]
    return [[k, v["p"], v["n"], v["computed"]] for k, v in clim["outcomes"].items()]


def html_page(data: Mapping[str, Any]) -> str:
    """A self-contained page: settings, scores with skill, reliability, lead time, baselines."""
    s, clim = data["settings"], data["baselines"]["climatology"]
    names = ", ".join(t["name"] for t in data["timelines"])
    parts = [
        f"<h1>Backtest of {_esc(names)}</h1>",
        f"<p>Forks every {s['every']} days, {s['runs']:,} runs each, seed {s['seed']}, windows "
        f"{', '.join(map(str, s['windows']))} days (cut to the days each timeline covers). "
        f"{_esc(_stamp(data))}.</p>",
        *(
            [
                f"<p>Parameters drawn from the posterior {_esc(p['posterior'])} "
                f"({p['particles']:,} particles, sha256 {_esc(p['sha256'][:12])}…): "
                f"{_esc(', '.join(p['parameters']))}.</p>"
            ]
            if (p := data.get("posterior"))
            else []
        ),
        "<h2>Outcomes</h2><ul>"
        + "".join(
            f"<li>{_esc(k)}: {_esc(v['description'])}</li>" for k, v in data["outcomes"].items()
        )
        + "</ul>",
        "<h2>Scores and skill</h2><p>Mean scores, lower is better; skill = 1 − model / baseline, "
        "above 0 where the model does better.</p>",
        _html_table(
            [
                "window",
                "outcome",
                "n",
                "score",
                *FORECASTERS,
                *(f"skill vs {b}" for b in BASELINES),
            ],
            _score_rows(data),
        ),
        "<h2>Reliability</h2>",
        _svg(reliability_figure(data), "Reliability of the model's event forecasts"),
        "<h2>Scores by lead time</h2>",
        _svg(lead_time_figure(data), "Mean Brier score over the events, per fork day"),
        _html_table(
            ["timeline", "fork day", "window", "days scored"]
            + [f"Brier: {w}" for w in FORECASTERS]
            + ["CRPS: model", "CRPS: poisson"],
            _fork_day_rows(data),
        ),
        "<h2>Baselines</h2><ul>"
        + "".join(f"<li>{_esc(k)}: {_esc(v['rule'])}</li>" for k, v in data["baselines"].items())
        + "</ul>",
        f"<p>ICB climatology: {_esc(clim['source'])}; reference class: "
        f"{_esc(clim['reference_class'])}; {_esc(clim['scope'])}.</p>",
        _html_table(["outcome", "p", "n", "computed"], _climatology_rows(data)),
        f"<footer>Written by {_esc(_stamp(data))}. This file is self-contained.</footer>",
    ]
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>Backtest of {_esc(names)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n"
        + "\n".join(parts)
        + "\n</body>\n</html>\n"
    )


def write_html(data: Mapping[str, Any], path: str | Path) -> Path:
    """Write the page atomically (see crisislab.output)."""
    return write_text(path, html_page(data))
