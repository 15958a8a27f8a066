"""The dashboard's figures: titled, with labelled axes and units, legends, and the Okabe–Ito
colour-blind-safe palette of `crisislab.report.plots`."""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from crisislab.dashboard.state import (
    OUTCOME_LABELS,
    VIOLENCE_LABELS,
    Endings,
    Trajectories,
    outcome_frame,
)
from crisislab.report.plots import OKABE_ITO, VIOLENCE_COLOURS
from crisislab.results.result import VIOLENCE_LEVELS

OUTCOME_COLOURS = {
    "stable de-escalation": OKABE_ITO["green"],
    "frozen conflict": OKABE_ITO["orange"],
    "war": OKABE_ITO["vermillion"],
}
POLICY_COLOURS = (OKABE_ITO["blue"], OKABE_ITO["orange"])
TYPE_COLOURS = {"limited": OKABE_ITO["green"], "aggressive": OKABE_ITO["vermillion"]}
SERIES_COLOURS = (OKABE_ITO["grey"], OKABE_ITO["blue"], OKABE_ITO["vermillion"])

# Type sized for a figure shown at about 90 pixels per inch in the page; set per figure, so the
# static figures of `crisislab.report` drawn in the same process keep their own style.
STYLE: dict[Any, Any] = {
    "font.size": 12,
    "axes.titlesize": 12.5,
    "axes.labelsize": 11.5,
    "xtick.labelsize": 11,
    "ytick.labelsize": 11,
    "legend.fontsize": 10.5,
    "figure.titlesize": 13,
}

F = TypeVar("F", bound=Callable[..., Figure])


def styled(draw: F) -> F:
    """Draw the figure under the dashboard's type sizes."""

    @functools.wraps(draw)
    def wrapper(*args: Any, **kwargs: Any) -> Figure:
        with plt.rc_context(STYLE):
            return draw(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def _dates_axis(ax: Any) -> None:
    locator = mdates.AutoDateLocator(minticks=4, maxticks=9)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    ax.grid(axis="y", color="#dddddd", linewidth=0.6)
    ax.set_axisbelow(True)


@styled
def outcome_figure(summary: Mapping[str, Any], title: str | None = None) -> Figure:
    """Horizontal bars of the outcome probabilities with their 95% intervals."""
    frame = outcome_frame(summary)
    fig, ax = plt.subplots(figsize=(6, 2.6), layout="constrained")
    y = np.arange(len(frame))[::-1]
    p = frame["p"].to_numpy()
    err = np.vstack([p - frame["ci_low"].to_numpy(), frame["ci_high"].to_numpy() - p])
    colours = [OUTCOME_COLOURS.get(name, OKABE_ITO["grey"]) for name in frame["outcome"]]
    ax.barh(y, p, color=colours, xerr=err, capsize=4, error_kw={"elinewidth": 1.2})
    for yi, pi, hi in zip(y, p, frame["ci_high"], strict=True):
        ax.text(min(hi + 0.01, 0.93), yi, f"{pi:.1%}", va="center")
    ax.set_yticks(y, frame["outcome"])
    ax.set_xlim(0, 1)
    ax.xaxis.set_major_formatter(lambda v, _: f"{v:.0%}")
    ax.set_xlabel("probability (share of runs); whiskers: 95% Wilson interval")
    ax.set_title(
        title or f"Outcome probabilities ({summary['runs']:,} runs, {summary['days']} days)"
    )
    ax.grid(axis="x", color="#dddddd", linewidth=0.6)
    ax.set_axisbelow(True)
    return fig


@styled
def war_kinds_figure(summary: Mapping[str, Any]) -> Figure:
    """Shares of runs ending in each kind of war (inadvertent overlaps the other two)."""
    kinds = summary["war_kinds"]
    labels = [
        "spiral\n(challenger's resolve < ½)",
        "deterrence failure\n(challenger's resolve > ½)",
        "inadvertent\n(began with an unordered act)",
    ]
    values = [kinds["spiral"], kinds["deterrence_failure"], kinds["inadvertent"]]
    colours = [OKABE_ITO["sky"], OKABE_ITO["vermillion"], OKABE_ITO["purple"]]
    fig, ax = plt.subplots(figsize=(6, 2.8), layout="constrained")
    bars = ax.bar(labels, values, color=colours)
    top = max([*values, 0.01])
    for bar, v in zip(bars, values, strict=True):
        ax.text(bar.get_x() + bar.get_width() / 2, v + top * 0.02, f"{v:.1%}", ha="center")
    ax.set_ylim(0, top * 1.25)
    ax.yaxis.set_major_formatter(lambda v, _: f"{v:.0%}")
    ax.set_ylabel("share of all runs")
    ax.set_title(
        f"Kinds of war (P(war) = {summary['outcomes']['war']['p']:.1%}; "
        "spiral + deterrence failure = all wars)"
    )
    ax.grid(axis="y", color="#dddddd", linewidth=0.6)
    ax.set_axisbelow(True)
    return fig


@styled
def escalation_figure(traj: Trajectories) -> Figure:
    """Fan charts of true and perceived escalation, with the share of runs at war."""
    dates = np.asarray(traj.dates(), dtype="datetime64[D]")
    fig, axes = plt.subplots(
        1, 3, figsize=(10.5, 3.6), sharey=True, layout="constrained", squeeze=True
    )
    panels = [
        ("true", "True escalation\n(highest rung executed by anyone)", SERIES_COLOURS[0]),
        (
            f"perceived_{traj.defender}",
            f"Perceived by {traj.defender}\n(highest rung it saw)",
            SERIES_COLOURS[1],
        ),
        (
            f"perceived_{traj.challenger}",
            f"Perceived by {traj.challenger}\n(highest rung it saw)",
            SERIES_COLOURS[2],
        ),
    ]
    for i, (ax, (name, title, colour)) in enumerate(zip(axes, panels, strict=True)):
        q = traj.escalation[name]
        ax.fill_between(dates, q[0.05], q[0.95], color=colour, alpha=0.18, linewidth=0)
        ax.fill_between(dates, q[0.25], q[0.75], color=colour, alpha=0.4, linewidth=0)
        ax.plot(dates, q[0.5], color=colour, linewidth=1.8)
        ax.set_title(title)
        ax.set_ylim(0, 14.5)
        ax.set_yticks(range(0, 15, 2))
        _dates_axis(ax)
        war = ax.twinx()
        war.plot(dates, traj.at_war, color="black", linestyle=":", linewidth=1.4)
        war.set_ylim(0, 1)
        war.yaxis.set_major_formatter(lambda v, _: f"{v:.0%}")
        if i == 2:
            war.set_ylabel("share of runs that reached war (dotted)")
        else:
            war.set_yticklabels([])
        if i == 0:
            ax.set_ylabel(f"rung (0–14), highest in {traj.window} days")
        ax.set_xlabel("date")
    handles = [
        Patch(color=OKABE_ITO["grey"], alpha=0.25, label="5–95% of runs"),
        Patch(color=OKABE_ITO["grey"], alpha=0.55, label="25–75% of runs"),
        Line2D([], [], color=OKABE_ITO["grey"], linewidth=1.8, label="median"),
        Line2D([], [], color="black", linestyle=":", label="reached war (right axis)"),
    ]
    fig.legend(handles=handles, loc="outside lower center", ncol=4)
    fig.suptitle(
        f"Escalation, true and perceived: {traj.runs:,} runs; bands among runs that have not "
        "reached war",
    )
    return fig


@styled
def beliefs_figure(traj: Trajectories) -> Figure:
    """Each leadership's belief that the other is limited (resolve below ½), split by the other's
    true resolve on the first day."""
    dates = np.asarray(traj.dates(), dtype="datetime64[D]")
    fig, axes = plt.subplots(1, 2, figsize=(10.5, 4), sharey=True, layout="constrained")
    pairs = ((traj.defender, traj.challenger), (traj.challenger, traj.defender))
    for ax, (side, other) in zip(axes, pairs, strict=True):
        for kind in ("limited", "aggressive"):
            n = traj.belief_counts[side][kind]
            if n == 0:
                continue
            q = traj.beliefs[side][kind]
            colour = TYPE_COLOURS[kind]
            ax.fill_between(dates, q[0.25], q[0.75], color=colour, alpha=0.25)
            ax.plot(
                dates,
                q[0.5],
                color=colour,
                linewidth=1.8,
                linestyle="-" if kind == "limited" else "--",
                label=f"{other} truly {kind} (resolve {'<' if kind == 'limited' else '>'} ½; "
                f"{n:,} runs): median, 25–75%",
            )
        ax.set_ylim(0, 1)
        ax.set_title(f"{side}'s belief that {other}'s leadership is limited")
        ax.set_ylabel(f"P({other} limited) as {side} believes it")
        ax.set_xlabel("date")
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=1, frameon=False)
        _dates_axis(ax)
    fig.suptitle("Beliefs: does each side learn the other's true resolve?")
    return fig


@styled
def red_lines_figure(traj: Trajectories) -> Figure:
    """Mean cumulative red-line firings and misperceptions per run."""
    dates = np.asarray(traj.dates(), dtype="datetime64[D]")
    fig, ax = plt.subplots(figsize=(6.5, 3), layout="constrained")
    ax.plot(
        dates,
        traj.red_lines,
        color=OKABE_ITO["vermillion"],
        linewidth=1.8,
        label=f"{traj.defender}'s red-line firings",
    )
    ax.plot(
        dates,
        traj.misperceptions,
        color=OKABE_ITO["blue"],
        linewidth=1.8,
        linestyle="--",
        label="misperceptions (perceived rung off by 2 or more)",
    )
    ax.set_ylim(bottom=0)
    ax.set_ylabel("cumulative count per run (mean)")
    ax.set_xlabel("date")
    ax.set_title(f"Red lines fired and misperceptions, day by day ({traj.runs:,} runs)")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=1, frameon=False)
    _dates_axis(ax)
    return fig


@styled
def compare_figure(summaries: Sequence[Mapping[str, Any]], names: Sequence[str]) -> Figure:
    """Outcome probabilities of two (or more) policies side by side, with 95% intervals."""
    fig, ax = plt.subplots(figsize=(8, 3.2), layout="constrained")
    outcomes = list(OUTCOME_LABELS.values())
    x = np.arange(len(outcomes))
    width = 0.8 / max(1, len(summaries))
    for i, (summary, name) in enumerate(zip(summaries, names, strict=True)):
        frame = outcome_frame(summary)
        p = frame["p"].to_numpy()
        err = np.vstack([p - frame["ci_low"].to_numpy(), frame["ci_high"].to_numpy() - p])
        offset = (i - (len(summaries) - 1) / 2) * width
        bars = ax.bar(
            x + offset,
            p,
            width,
            yerr=err,
            capsize=3,
            color=POLICY_COLOURS[i % len(POLICY_COLOURS)],
            hatch="" if i % 2 == 0 else "//",
            edgecolor="white",
            label=name,
        )
        for bar, hi, pi in zip(bars, frame["ci_high"], p, strict=True):
            ax.text(bar.get_x() + bar.get_width() / 2, hi + 0.02, f"{pi:.1%}", ha="center")
    ax.set_xticks(x, outcomes)
    ax.set_ylim(0, 1.1)
    ax.set_yticks(np.linspace(0, 1, 6))
    ax.yaxis.set_major_formatter(lambda v, _: f"{v:.0%}")
    ax.set_ylabel("probability (share of runs)")
    ax.set_title(
        f"Two policies compared ({summaries[0]['runs']:,} runs each, seed {summaries[0]['seed']}); "
        "whiskers: 95% intervals"
    )
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=2, frameon=False)
    ax.grid(axis="y", color="#dddddd", linewidth=0.6)
    ax.set_axisbelow(True)
    return fig


@styled
def violence_figure(summaries: Sequence[Mapping[str, Any]], names: Sequence[str]) -> Figure:
    """One stacked bar per policy: the shares of runs by the highest ICB violence level reached."""
    fig, ax = plt.subplots(figsize=(8, 1.5 + 0.6 * len(names)), layout="constrained")
    y = np.arange(len(names))[::-1]
    left = np.zeros(len(names))
    for level, colour in zip(VIOLENCE_LEVELS, VIOLENCE_COLOURS, strict=True):
        share = np.array([s["violence"][level] for s in summaries])
        ax.barh(
            y, share, 0.6, left=left, color=colour, edgecolor="white", label=VIOLENCE_LABELS[level]
        )
        for yi, xi, v in zip(y, left, share, strict=True):
            if v >= 0.05:
                ax.text(xi + v / 2, yi, f"{v:.0%}", ha="center", va="center")
        left += share
    ax.set_yticks(y, list(names))
    ax.set_xlim(0, 1)
    ax.xaxis.set_major_formatter(lambda v, _: f"{v:.0%}")
    ax.set_xlabel("share of runs, by the highest level reached")
    runs = summaries[0]["runs"]
    ax.set_title(f"How violent it got: highest ICB violence level ({runs:,} runs)")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.3), ncol=4, frameon=False)
    ax.grid(axis="x", color="#dddddd", linewidth=0.6)
    ax.set_axisbelow(True)
    return fig


@styled
def endings_figure(ends: Endings, median: float | None = None) -> Figure:
    """How the first crisis ends, day by day: stacked shares of runs whose first crisis ended
    short of war and of runs that reached war while it was on (competing risks)."""
    dates = np.asarray(ends.dates(), dtype="datetime64[D]")
    fig, ax = plt.subplots(figsize=(8, 3.4), layout="constrained")
    ax.fill_between(
        dates,
        0,
        ends.ended,
        color=OKABE_ITO["green"],
        alpha=0.75,
        linewidth=0,
        label="first crisis ended short of war",
    )
    ax.fill_between(
        dates,
        ends.ended,
        ends.ended + ends.war,
        color=OKABE_ITO["vermillion"],
        alpha=0.85,
        linewidth=0,
        label="full-scale war while it was on",
    )
    if median is not None and ends.days:
        ax.axvline(
            dates[0] + np.timedelta64(round(median), "D"),
            color="black",
            linestyle=":",
            label=f"median length of ended first crises ({median:.0f} days)",
        )
    ax.set_ylim(0, 1)
    if ends.days > 1:
        ax.set_xlim(dates[0], dates[-1])
    ax.yaxis.set_major_formatter(lambda v, _: f"{v:.0%}")
    ax.set_ylabel("share of runs (cumulative)")
    ax.set_xlabel("date")
    ended, war = (ends.ended[-1], ends.war[-1]) if ends.days else (0.0, 0.0)
    ax.set_title(
        f"How the first crisis ends ({ends.runs:,} runs): by the last day {ended:.0%} ended, "
        f"{war:.0%} war; the rest still in crisis"
    )
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.22), ncol=2, frameon=False)
    _dates_axis(ax)
    return fig
