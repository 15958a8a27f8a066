"""Figures of a doctrine comparison: outcomes, violence levels, how first crises end, escalation
fans, beliefs, events, war kinds, fronts. Each policy keeps one colour and line style in every
figure, so a reader learns it once.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from crisislab.report.plots import OKABE_ITO, VIOLENCE_COLOURS, plt
from crisislab.report.trajectories import WINDOW_DAYS, Fan, Trajectories
from crisislab.results.result import VIOLENCE_LEVELS
from crisislab.scenario.outcomes import OUTCOMES
from crisislab.stats import wilson_interval

POLICY_COLOURS = (
    OKABE_ITO["blue"],
    OKABE_ITO["sky"],
    OKABE_ITO["orange"],
    OKABE_ITO["vermillion"],
    OKABE_ITO["purple"],
    OKABE_ITO["green"],
    "#000000",
)
LINESTYLES = ("-", "--", "-.", ":")
RUNG_TICKS = {
    0: "0 quiet",
    2: "2 threats",
    4: "4 show of force",
    6: "6 ship seizure",
    8: "8 lethal harassment",
    10: "10 rupture",
    12: "12 direct strike",
    14: "14 declared war",
}
Summaries = Mapping[str, Mapping[str, Any]]
LEVELS = {
    "no_violence": "no violence",
    "minor_clashes": "minor clashes",
    "serious_clashes": "serious clashes",
    "full_scale_war": "full-scale war",
}


def policy_style(i: int) -> dict[str, Any]:
    return {"color": POLICY_COLOURS[i % len(POLICY_COLOURS)], "linestyle": LINESTYLES[i % 4]}


def _label(name: str, mark: str | None) -> str:
    return f"{name} ★" if mark and name == mark else name


def _pretty(name: str) -> str:
    return name.replace("_", " ")


def _grid(n: int) -> tuple[int, int]:
    cols = 2 if n in (2, 4) else min(n, 3)
    return -(-n // cols), cols


def outcomes_figure(summaries: Summaries, mark: str | None = None) -> Figure:
    """Grouped bars: each outcome class, one bar per policy, with 95% Wilson intervals."""
    names = list(summaries)
    runs = {s["runs"] for s in summaries.values()}
    width = 0.8 / len(names)
    fig, ax = plt.subplots(figsize=(10, 4.8), layout="constrained")
    x = np.arange(len(OUTCOMES))
    for i, name in enumerate(names):
        entries = [summaries[name]["outcomes"][o] for o in OUTCOMES]
        p = np.array([e["p"] for e in entries])
        lo = np.array([e["ci"][0] for e in entries])
        hi = np.array([e["ci"][1] for e in entries])
        pos = x - 0.4 + width * (i + 0.5)
        ax.bar(
            pos,
            p,
            width,
            yerr=[p - lo, hi - p],
            capsize=3,
            color=policy_style(i)["color"],
            edgecolor="black",
            linewidth=0.5,
            label=_label(name, mark),
        )
        for xi, pi, hii in zip(pos, p, hi, strict=True):
            ax.text(xi, hii + 0.015, f"{pi:.2f}", ha="center", va="bottom", fontsize=7.5)
    ax.set_xticks(x, [_pretty(o) for o in OUTCOMES])
    ax.set_ylim(0, 1.05)
    ax.set_ylabel("probability (share of runs)")
    ax.set_title(
        f"Outcome at the horizon by policy ({_runs_text(runs)} runs per policy; "
        "bars: 95% Wilson intervals)"
    )
    ax.legend(title="policy", loc="upper right", fontsize=9)
    ax.grid(axis="y", alpha=0.3)
    return fig


def _runs_text(runs: set[int]) -> str:
    return " / ".join(f"{r:,}" for r in sorted(runs))


def violence_figure(summaries: Summaries, mark: str | None = None) -> Figure:
    """One stacked horizontal bar per policy: the shares of runs whose highest ICB violence level
    was each of the four levels (they add up to 1)."""
    names = list(summaries)
    runs = {s["runs"] for s in summaries.values()}
    fig, ax = plt.subplots(figsize=(10, 1.2 + 0.55 * len(names)), layout="constrained")
    y = np.arange(len(names))[::-1]
    left = np.zeros(len(names))
    for level, colour in zip(VIOLENCE_LEVELS, VIOLENCE_COLOURS, strict=True):
        share = np.array([summaries[n]["violence"][level] for n in names])
        ax.barh(
            y, share, 0.65, left=left, color=colour, edgecolor="black", lw=0.5, label=LEVELS[level]
        )
        for yi, xi, v in zip(y, left, share, strict=True):
            if v >= 0.04:
                ax.text(xi + v / 2, yi, f"{v:.0%}", ha="center", va="center", fontsize=8)
        left += share
    ax.set_yticks(y, [_label(n, mark) for n in names])
    ax.set_xlim(0, 1)
    ax.xaxis.set_major_formatter(lambda v, _: f"{v:.0%}")
    ax.set_xlabel("share of runs, by the highest level reached")
    ax.set_title(
        f"How violent crises got: highest ICB violence level per policy ({_runs_text(runs)} runs "
        "per policy)"
    )
    fig.legend(title="highest level", loc="outside lower center", ncol=4, fontsize=9)
    ax.grid(axis="x", alpha=0.3)
    return fig


def _small_multiples(
    n: int, row_height: float, extra: float
) -> tuple[Figure, np.ndarray, int, int]:
    """A grid of n panels sharing their axes (one per policy): the figure, the panels in order,
    and the grid's rows and columns."""
    rows, cols = _grid(n)
    fig, axes = plt.subplots(
        rows,
        cols,
        figsize=(10, row_height * rows + extra),
        sharex=True,
        sharey=True,
        layout="constrained",
    )
    return fig, np.atleast_1d(axes).ravel(), rows, cols


def first_crisis_figure(trajs: Mapping[str, Trajectories], start: str) -> Figure:
    """Small multiples, one per policy: how the first crisis ends, day by day, as competing risks
    (stacked shares of runs: ended short of war, war while it was on, still in crisis)."""
    names = list(trajs)
    fig, flat, rows, cols = _small_multiples(len(names), 2.6, 1.0)
    for i, name in enumerate(names):
        ax, t = flat[i], trajs[name]
        days = np.arange(t.days)
        ended, war = t.ended_first, t.war_first
        ax.fill_between(
            days, 0, ended, color=OKABE_ITO["green"], alpha=0.75, lw=0, label="ended short of war"
        )
        ax.fill_between(
            days,
            ended,
            ended + war,
            color=OKABE_ITO["vermillion"],
            alpha=0.85,
            lw=0,
            label="full-scale war while it was on",
        )
        median = t.first_end_median
        if median is not None:
            ax.axvline(
                median,
                color="black",
                linestyle=":",
                linewidth=1.2,
                label="median length of ended first crises",
            )
        last = f"\nby the last day: {ended[-1]:.0%} ended, {war[-1]:.0%} war" if t.days else ""
        ax.set_title(f"{name}{last}", fontsize=10)
        ax.set_ylim(0, 1)
        ax.set_xlim(0, max(1, t.days - 1))
        ax.yaxis.set_major_formatter(lambda v, _: f"{v:.0%}")
        ax.grid(alpha=0.3)
        if i // cols == rows - 1 or i + cols >= len(names):
            ax.set_xlabel(f"days after {start}")
            ax.xaxis.set_tick_params(labelbottom=True)
    for ax in flat[len(names) :]:
        ax.set_visible(False)
    for r in range(rows):
        flat[r * cols].set_ylabel("share of runs")
    handles, labels = flat[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncol=3, fontsize=9)
    fig.suptitle(
        "How the first crisis ends: cumulative shares of runs (competing risks; the white rest "
        "is still in crisis)"
    )
    return fig


def at_war_figure(trajs: Mapping[str, Trajectories], start: str) -> Figure:
    """Share of runs that have reached full-scale war by each day, one line per policy."""
    fig, ax = plt.subplots(figsize=(10, 4), layout="constrained")
    for i, (name, t) in enumerate(trajs.items()):
        ax.plot(np.arange(t.days), t.at_war, label=name, linewidth=2, **policy_style(i))
    ax.set_ylim(0, 1)
    ax.set_xlim(0, max(t.days for t in trajs.values()) - 1)
    ax.set_xlabel(f"days after {start}")
    ax.set_ylabel("share of runs that reached war")
    ax.set_title("How soon wars start: share of runs that have reached full-scale war by each day")
    ax.legend(title="policy", loc="upper left", fontsize=9)
    ax.grid(alpha=0.3)
    return fig


def _fan_panel(ax: Axes, fan: Fan, colour: str) -> None:
    days = np.arange(fan.quantiles.shape[1])
    ax.fill_between(days, fan.band(0.05), fan.band(0.95), color=colour, alpha=0.2, lw=0)
    ax.fill_between(days, fan.band(0.25), fan.band(0.75), color=colour, alpha=0.45, lw=0)
    ax.plot(days, fan.band(0.5), color="black", linewidth=1.3)
    ax.plot(days, fan.mean, color="black", linewidth=1.1, linestyle=":")


def fan_figure(trajs: Mapping[str, Trajectories], measure: str, what: str, start: str) -> Figure:
    """Small multiples, one per policy: median and 25–75% / 5–95% bands of a rung measure
    (`true_rung` or `perceived_rung`) among runs not yet at war."""
    names = list(trajs)
    fig, flat, rows, cols = _small_multiples(len(names), 2.9, 0.9)
    for i, name in enumerate(names):
        ax, t = flat[i], trajs[name]
        _fan_panel(ax, getattr(t, measure), policy_style(i)["color"])
        war = t.at_war[-1]
        ax.set_title(f"{name}\nreached war by the last day: {war:.0%} of runs", fontsize=9.5)
        ax.set_yticks(list(RUNG_TICKS), list(RUNG_TICKS.values()), fontsize=8)
        ax.set_ylim(-0.3, 14.3)
        ax.grid(alpha=0.3)
        if i // cols == rows - 1 or i + cols >= len(names):
            ax.set_xlabel(f"days after {start}")
            ax.xaxis.set_tick_params(labelbottom=True)
    for ax in flat[len(names) :]:
        ax.set_visible(False)
    flat[0].set_ylabel(f"highest rung, past {WINDOW_DAYS} days")
    if rows > 1:
        flat[cols].set_ylabel(f"highest rung, past {WINDOW_DAYS} days")
    fig.suptitle(
        f"{what}: highest rung in the past {WINDOW_DAYS} days, runs that have not reached war\n"
        "solid line: median; dotted line: mean; dark band: 25–75% of runs; light band: 5–95%"
    )
    return fig


def beliefs_figure(trajs: Mapping[str, Trajectories], sides: Sequence[str], start: str) -> Figure:
    """One panel per side: its mean belief that the other leadership is limited (resolve below ½),
    per policy."""
    fig, axes = plt.subplots(1, len(sides), figsize=(10, 4), sharey=True, layout="constrained")
    for ax, side in zip(np.atleast_1d(axes), sides, strict=True):
        other = next(s for s in sides if s != side)
        for i, (name, t) in enumerate(trajs.items()):
            ax.plot(np.arange(t.days), t.belief[side], label=name, linewidth=2, **policy_style(i))
        ax.set_title(f"{side}'s belief that {other}'s leadership is limited", fontsize=10)
        ax.set_xlabel(f"days after {start}")
        ax.set_ylim(0, 1)
        ax.grid(alpha=0.3)
    np.atleast_1d(axes)[0].set_ylabel("P(limited), mean over runs that have not reached war")
    np.atleast_1d(axes)[0].legend(title="policy", fontsize=9, loc="lower right")
    fig.suptitle("Beliefs about the adversary's hidden resolve: P(resolve below ½)")
    return fig


def events_figure(trajs: Mapping[str, Trajectories], defender: str, start: str) -> Figure:
    """Cumulative red-line firings and misperceptions per run, one line per policy."""
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4), layout="constrained")
    for i, (name, t) in enumerate(trajs.items()):
        days = np.arange(t.days)
        left.plot(days, t.red_lines, label=name, linewidth=2, **policy_style(i))
        right.plot(days, t.misperceptions, label=name, linewidth=2, **policy_style(i))
    left.set_title(f"{defender} red-line firings", fontsize=10)
    right.set_title("Misperceptions (act seen ≥ 2 rungs off), either side", fontsize=10)
    for ax in (left, right):
        ax.set_xlabel(f"days after {start}")
        ax.set_ylabel("cumulative count per run (mean over all runs)")
        ax.set_ylim(bottom=0)
        ax.grid(alpha=0.3)
    left.legend(title="policy", fontsize=9, loc="lower right")
    fig.suptitle(
        "Red lines and misperceptions over time (a run at war adds nothing until a ceasefire)"
    )
    return fig


def war_kinds_figure(summaries: Summaries, mark: str | None = None) -> Figure:
    """Stacked bars of P(war) split into spiral and deterrence failure; the inadvertent share,
    which overlaps both, is drawn as a hatched bar inside."""
    names = list(summaries)
    spiral = np.array([summaries[n]["war_kinds"]["spiral"] for n in names])
    failure = np.array([summaries[n]["war_kinds"]["deterrence_failure"] for n in names])
    inadvertent = np.array([summaries[n]["war_kinds"]["inadvertent"] for n in names])
    x = np.arange(len(names))
    fig, ax = plt.subplots(figsize=(10, 4.5), layout="constrained")
    ax.bar(
        x,
        spiral,
        0.6,
        color=OKABE_ITO["green"],
        edgecolor="black",
        lw=0.5,
        label="spiral (the challenger's resolve was below ½)",
    )
    ax.bar(
        x,
        failure,
        0.6,
        bottom=spiral,
        color=OKABE_ITO["purple"],
        edgecolor="black",
        lw=0.5,
        label="deterrence failure (its resolve was above ½)",
    )
    ax.bar(
        x,
        inadvertent,
        0.25,
        fill=False,
        hatch="////",
        edgecolor="black",
        lw=0.8,
        label="inadvertent: the episode began with an unordered act (overlaps both)",
    )
    for xi, s, f, a in zip(x, spiral, failure, inadvertent, strict=True):
        ax.text(
            float(xi),
            s + f + 0.01,
            f"war {s + f:.3f}\nspiral {s:.3f}\ninadvertent {a:.3f}",
            ha="center",
            va="bottom",
            fontsize=7.5,
        )
    top = float((spiral + failure).max()) if names else 0.0
    ax.set_ylim(0, max(0.1, top * 1.45))
    ax.set_xticks(x, [_label(n, mark) for n in names])
    ax.set_xlabel("policy")
    ax.set_ylabel("share of all runs")
    ax.set_title("Kinds of war: spiral + deterrence failure = P(war)")
    ax.legend(loc="upper left", fontsize=8.5)
    ax.grid(axis="y", alpha=0.3)
    return fig


FRONTS = (
    ("host_expulsion", "host expels\nthe defender"),
    ("follow_on_withdrawal", "follow-on withdrawal\n(neighbouring theatre)"),
    ("breakout_crisis", "breakout crisis"),
)


def fronts_figure(summaries: Summaries, mark: str | None = None) -> Figure:
    """Left: P(each strategic front event) per policy with 95% intervals; right: maritime
    incidents per run."""
    names = list(summaries)
    runs = {s["runs"] for s in summaries.values()}
    days = {s["days"] for s in summaries.values()}
    fig, (left, right) = plt.subplots(
        1, 2, figsize=(10, 4.5), width_ratios=(2.2, 1), layout="constrained"
    )
    width = 0.8 / len(names)
    x = np.arange(len(FRONTS))
    top = 0.0
    for i, name in enumerate(names):
        s = summaries[name]
        p = np.array([s["flags"].get(key, 0.0) for key, _ in FRONTS])
        ci = np.array([wilson_interval(round(pi * s["runs"]), s["runs"]) for pi in p])
        left.bar(
            x - 0.4 + width * (i + 0.5),
            p,
            width,
            yerr=[p - ci[:, 0], ci[:, 1] - p],
            capsize=3,
            color=policy_style(i)["color"],
            edgecolor="black",
            linewidth=0.5,
            label=_label(name, mark),
        )
        for xi, pi, hi in zip(x - 0.4 + width * (i + 0.5), p, ci[:, 1], strict=True):
            left.text(xi, hi, f"{pi:.2f}", ha="center", va="bottom", fontsize=7)
        top = max(top, float(ci[:, 1].max()))
        incidents = s["metrics"].get("maritime_incidents_mean", 0.0)
        right.bar(i, incidents, 0.6, color=policy_style(i)["color"], edgecolor="black", lw=0.5)
        right.text(i, incidents, f"{incidents:.2f}", ha="center", va="bottom", fontsize=8)
    left.set_xticks(x, [label for _, label in FRONTS], fontsize=9)
    left.set_ylim(0, min(1.0, max(0.05, top * 1.25)))  # small probabilities stay visible
    left.set_ylabel("probability (share of runs)")
    left.set_title("Strategic front events (bars: 95% intervals)", fontsize=10)
    handles, labels = left.get_legend_handles_labels()
    fig.legend(
        handles,
        labels,
        title="policy",
        fontsize=9,
        loc="outside lower center",
        ncol=min(len(names), 7),
    )
    left.grid(axis="y", alpha=0.3)
    right.set_xticks(range(len(names)), [_label(n, mark) for n in names], rotation=30, ha="right")
    right.set_ylim(bottom=0)
    right.set_ylabel("incidents per run (mean)")
    right.set_title("Maritime incidents", fontsize=10)
    right.grid(axis="y", alpha=0.3)
    fig.suptitle(
        f"The strategic fronts over {_runs_text(days)} days ({_runs_text(runs)} runs per policy)"
    )
    return fig
