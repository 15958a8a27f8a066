"""Figures a person can read: titles, labelled axes with units, legends, a colour-blind-safe
palette (Okabe and Ito, 2008)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import matplotlib
import numpy as np

matplotlib.use("Agg")  # files only: no display needed

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
from matplotlib.backend_bases import FigureCanvasBase
from matplotlib.figure import Figure

from crisislab.errors import BadInput, Problem
from crisislab.output import open_output

if TYPE_CHECKING:
    from crisislab.history.fork import ForkResult
    from crisislab.history.replay import Replay

OKABE_ITO = {
    "blue": "#0072B2",
    "orange": "#E69F00",
    "green": "#009E73",
    "vermillion": "#D55E00",
    "sky": "#56B4E9",
    "purple": "#CC79A7",
    "grey": "#999999",
    "yellow": "#F0E442",
}
# ICB's violence levels, from none to full-scale war: light to dark, war in vermillion
VIOLENCE_COLOURS = ("#DDDDDD", OKABE_ITO["yellow"], OKABE_ITO["orange"], OKABE_ITO["vermillion"])
SIDE_COLOURS = (OKABE_ITO["blue"], OKABE_ITO["vermillion"])


def _dates(values: list[str]) -> np.ndarray:
    """ISO dates as numpy days, which matplotlib plots as dates."""
    return np.array([dt.date.fromisoformat(v) for v in values], dtype="datetime64[D]")


def _format_dates(ax: Any) -> None:
    ax.xaxis.set_major_locator(mdates.AutoDateLocator())
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(ax.xaxis.get_major_locator()))


def replay_figure(replay: Replay | Mapping[str, Any]) -> Figure:
    """Three panels over the timeline: event scores, perceived escalation, beliefs.

    Takes a Replay or its JSON (`crisislab replay --json`), so a saved replay can be drawn again.
    """
    data = replay if isinstance(replay, Mapping) else replay.to_json()
    days = data["days"]
    dates = _dates([d["date"] for d in days])
    fig, (top, mid, low) = plt.subplots(3, 1, figsize=(10, 9), sharex=True, layout="constrained")
    fig.suptitle(
        f"Replay of {data['timeline']} on {data['scenario']} "
        f"({data['runs']} runs, seed {data['seed']})"
    )
    top.bar(
        dates,
        [d["goldstein"] for d in days],
        color=OKABE_ITO["grey"],
        label="Goldstein sum (−10 conflict … +10 cooperation per event)",
    )
    top.set_ylabel("Goldstein score per day")
    twin = top.twinx()
    twin.plot(
        dates,
        [d["rivera"] for d in days],
        color=OKABE_ITO["orange"],
        marker=".",
        label="Rivera escalation score",
    )
    twin.set_ylabel("Rivera score per day")
    lines = top.get_legend_handles_labels()
    more = twin.get_legend_handles_labels()
    top.legend(lines[0] + more[0], lines[1] + more[1], loc="upper right", fontsize=8)
    top.set_title("Observed events")
    for i, side in enumerate(days[0]["sides"]):
        colour = SIDE_COLOURS[i % 2]
        mid.plot(
            dates,
            [d["sides"][side]["perceived_rung"] for d in days],
            color=colour,
            marker=".",
            label=f"{side}: highest rung it perceived (mean over runs)",
        )
        low.plot(
            dates,
            [d["sides"][side]["belief"] for d in days],
            color=colour,
            label=f"{side}: belief that the other is limited (resolve below ½)",
        )
    mid.set_ylabel("perceived rung (0–14)")
    mid.set_ylim(0, 14)
    mid.set_title("Perceived escalation")
    mid.legend(loc="upper right", fontsize=8)
    low.set_ylabel("P(limited)")
    low.set_ylim(0, 1)
    low.set_xlabel("date")
    low.set_title("Beliefs about the adversary's resolve")
    low.legend(loc="upper right", fontsize=8)
    _format_dates(low)
    return fig


def fork_figure(result: ForkResult | Mapping[str, Any]) -> Figure:
    """Fan chart of the simulated daily Goldstein sum with the observed line.

    Takes a ForkResult or its JSON (`crisislab fork --json`), so a saved fork can be drawn again.
    """
    data = result if isinstance(result, Mapping) else result.summary()
    series = data["goldstein_series"]
    dates = _dates(series["dates"])
    fig, ax = plt.subplots(figsize=(10, 5), layout="constrained")
    ax.fill_between(
        dates,
        series["q05"],
        series["q95"],
        color=OKABE_ITO["sky"],
        alpha=0.35,
        label="simulated, 5–95%",
    )
    ax.fill_between(
        dates,
        series["q25"],
        series["q75"],
        color=OKABE_ITO["blue"],
        alpha=0.35,
        label="simulated, 25–75%",
    )
    ax.plot(dates, series["q50"], color=OKABE_ITO["blue"], label="simulated median")
    ax.plot(
        dates,
        series["observed"],
        color=OKABE_ITO["vermillion"],
        marker="o",
        markersize=3,
        label="observed",
    )
    overrides = ", ".join(f"{k}={v}" for k, v in data["overrides"].items() if k != "days")
    ax.set_title(
        f"Fork of {data['fork']['timeline']} on {data['fork']['at']}: daily Goldstein sum"
        + (f"\n({overrides})" if overrides else "")
    )
    ax.set_ylabel("Goldstein score per day (sum over events)")
    war = ax.twinx()
    war.plot(
        dates,
        series["at_war"],
        color=OKABE_ITO["grey"],
        linestyle="--",
        label="share of runs at war (right axis)",
    )
    war.set_ylim(0, 1)
    war.set_ylabel("share of runs at war")
    handles = [h for a in (ax, war) for h in a.get_legend_handles_labels()[0]]
    labels = [lab for a in (ax, war) for lab in a.get_legend_handles_labels()[1]]
    ax.set_xlabel("date")
    ax.axhline(0, color=OKABE_ITO["grey"], linewidth=0.8)
    fig.legend(handles, labels, loc="outside lower center", ncol=3, fontsize=8)  # off the data
    ax.text(
        0.01,
        0.02,
        "bands: runs not yet at war",
        transform=ax.transAxes,
        fontsize=8,
        color=OKABE_ITO["grey"],
    )
    _format_dates(ax)
    return fig


def figure_format(path: str | Path) -> str:
    """The file format a figure path asks for, from its extension; a `BadInput` naming the
    extensions that work when it has none or one matplotlib cannot write."""
    suffix = Path(path).suffix.lower().lstrip(".")
    known = FigureCanvasBase.get_supported_filetypes()  # format -> description
    if suffix in known:
        return suffix
    what = f"has the extension .{suffix}, not a figure format" if suffix else "has no extension"
    advice = "use .png, .svg or .pdf (or another format matplotlib writes, such as .eps or .jpg)"
    raise BadInput([Problem(str(path), "", f"{what}; {advice}")])


def save_figure(fig: Figure, path: str | Path) -> Path:
    """Write the figure (format from the suffix: .png, .svg, .pdf) as `crisislab.output` writes
    files: a regular file atomically, a pipe or device through."""
    try:
        fmt = figure_format(path)
        with open_output(path, "wb") as handle:
            fig.savefig(handle, format=fmt, dpi=150)
    finally:
        plt.close(fig)
    return Path(path)
