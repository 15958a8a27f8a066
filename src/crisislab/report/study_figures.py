"""Figures of a study: outcomes per policy, the spread over futures, robustness, sensitivity and
the boxes of scenario discovery. Policies are rows (horizontal bars), so long policy labels stay
readable however many levers a study has.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle

from crisislab.report.plots import OKABE_ITO, plt

OUTCOME_COLOURS = {
    "stable_deescalation": OKABE_ITO["green"],
    "frozen_conflict": OKABE_ITO["orange"],
    "war": OKABE_ITO["vermillion"],
}
INDEX_COLOURS = (OKABE_ITO["blue"], OKABE_ITO["orange"])
INTEREST = {"color": OKABE_ITO["vermillion"], "marker": "^"}
OTHER = {"color": OKABE_ITO["blue"], "marker": "o"}
Entry = Mapping[str, Any]


def _pretty(name: str) -> str:
    return name.replace("_", " ")


def _star(name: str, mark: str | None) -> str:
    return f"{name} ★" if mark and name == mark else name


def _rows_height(rows: int, per_row: float = 0.55, base: float = 1.9) -> float:
    return base + per_row * max(rows, 1)


def _horizontal() -> dict[str, Any]:
    """Horizontal boxes: the keyword changed in matplotlib 3.10."""
    major, minor = (int(part) for part in matplotlib.__version__.split(".")[:2])
    return {"orientation": "horizontal"} if (major, minor) >= (3, 10) else {"vert": False}


def _percent_axis(ax: Axes, axis: str = "x") -> None:
    fmt = plt.FuncFormatter(lambda v, _: f"{v:.0%}")
    (ax.xaxis if axis == "x" else ax.yaxis).set_major_formatter(fmt)


# --- outcomes --------------------------------------------------------------------------------


def outcomes_figure(policies: Sequence[Entry]) -> Figure:
    """Horizontal grouped bars: per policy, P(each outcome class) pooled over the futures."""
    classes = [o for o in OUTCOME_COLOURS if policies and o in policies[0]["outcomes"]]
    names = [p["policy"] for p in policies]
    fig, ax = plt.subplots(
        figsize=(10, _rows_height(len(names), 0.25 * len(classes) + 0.3)), layout="constrained"
    )
    height = 0.8 / max(len(classes), 1)
    y = np.arange(len(names))
    for j, outcome in enumerate(classes):
        entries = [p["outcomes"][outcome] for p in policies]
        p = np.array([e["p"] or 0.0 for e in entries])
        lo = np.array([e["ci"][0] if e["ci"] else 0.0 for e in entries])
        hi = np.array([e["ci"][1] if e["ci"] else 0.0 for e in entries])
        pos = y - 0.4 + height * (j + 0.5)
        ax.barh(
            pos,
            p,
            height,
            xerr=[p - lo, hi - p],
            capsize=2.5,
            color=OUTCOME_COLOURS[outcome],
            edgecolor="black",
            linewidth=0.5,
            label=_pretty(outcome),
        )
        for yi, pi, hii in zip(pos, p, hi, strict=True):
            ax.text(hii + 0.01, yi, f"{pi:.3f}", va="center", fontsize=7.5)
    ax.set_yticks(y, names)
    ax.invert_yaxis()  # first policy on top, as in the table
    ax.set_xlim(0, 1.1)
    ax.set_xticks(np.linspace(0, 1, 6))
    ax.set_xlabel("probability (share of all runs of the policy, pooled over its futures)")
    ax.set_title("Outcome at the horizon by policy (error bars: 95% Wilson intervals)")
    fig.legend(title="outcome", loc="outside right upper", fontsize=9)
    ax.grid(axis="x", alpha=0.3)
    return fig


# --- spread over futures ---------------------------------------------------------------------


def spread_figure(
    values: Mapping[str, np.ndarray],
    outcome: str,
    pooled: Mapping[str, float],
    threshold: float | None,
    seed: int = 0,
) -> Figure:
    """A box and the jittered points per policy: P(outcome) in each future.

    The pooled number hides how much the outcome depends on which future comes true; the
    points show it. ``threshold`` draws the robustness criterion when it is about this outcome.
    """
    names = list(values)
    fig, ax = plt.subplots(figsize=(10, _rows_height(len(names), 0.7)), layout="constrained")
    rng = np.random.default_rng(seed)  # fixed jitter: the same page for the same study
    data = [np.asarray(values[n], dtype=float) for n in names]
    ax.boxplot(
        data,
        positions=np.arange(len(names)),
        **_horizontal(),
        widths=0.55,
        whis=(0, 100),
        showfliers=False,
        medianprops={"color": "black", "linewidth": 1.5},
        boxprops={"color": OKABE_ITO["grey"]},
        whiskerprops={"color": OKABE_ITO["grey"]},
        capprops={"color": OKABE_ITO["grey"]},
    )
    for i, v in enumerate(data):
        jitter = rng.uniform(-0.18, 0.18, len(v))
        ax.scatter(v, i + jitter, s=16, alpha=0.75, color=OKABE_ITO["blue"], lw=0, zorder=3)
        ax.scatter(
            pooled[names[i]],
            i,
            marker="D",
            s=46,
            color=OKABE_ITO["orange"],
            edgecolor="black",
            lw=0.7,
            zorder=4,
        )
    handles = [
        Line2D([], [], ls="", marker="o", color=OKABE_ITO["blue"], label="one future"),
        Line2D(
            [],
            [],
            ls="",
            marker="D",
            color=OKABE_ITO["orange"],
            mec="black",
            label="pooled over all futures",
        ),
        Patch(
            facecolor="white",
            edgecolor=OKABE_ITO["grey"],
            label="box: middle half of futures; line: median; whiskers: min–max",
        ),
    ]
    if threshold is not None:
        ax.axvline(threshold, color=OKABE_ITO["vermillion"], ls="--", lw=1.2)
        handles.append(
            Line2D(
                [],
                [],
                color=OKABE_ITO["vermillion"],
                ls="--",
                label=f"robustness threshold ({threshold:.0%})",
            )
        )
    ax.set_yticks(np.arange(len(names)), names)
    ax.set_ylim(len(names) - 0.5, -0.5)
    top = max((float(v.max()) for v in data if len(v)), default=0.0)
    top = max(top, threshold or 0.0)
    ax.set_xlim(-0.01 * max(top, 0.05), min(1.0, max(0.05, top * 1.12)))
    _percent_axis(ax)
    ax.set_xlabel(f"P({_pretty(outcome)}) in one future (share of its runs)")
    counts = {len(v) for v in data}
    futures = " / ".join(str(c) for c in sorted(counts))
    ax.set_title(f"P({_pretty(outcome)}) across the {futures} sampled futures, per policy")
    fig.legend(handles=handles, loc="outside lower center", ncol=2, fontsize=8.5)
    ax.grid(axis="x", alpha=0.3)
    return fig


# --- robustness ------------------------------------------------------------------------------


def robustness_figure(robust: Entry) -> Figure:
    """Left: share of futures meeting the criterion with its interval; right: regret."""
    entries = list(robust["policies"])
    names = [e["policy"] for e in entries]
    mark = robust.get("minimax_regret")
    fig, (left, right) = plt.subplots(
        1, 2, figsize=(10, _rows_height(len(names), 0.5)), sharey=True, layout="constrained"
    )
    y = np.arange(len(names))
    share = np.array([e["share"] or 0.0 for e in entries])
    lo = np.array([e["ci"][0] if e["ci"] else 0.0 for e in entries])
    hi = np.array([e["ci"][1] if e["ci"] else 0.0 for e in entries])
    left.barh(
        y,
        share,
        0.6,
        xerr=[share - lo, hi - share],
        capsize=3,
        color=OKABE_ITO["green"],
        edgecolor="black",
        lw=0.5,
    )
    for yi, top, e in zip(y, hi, entries, strict=True):
        inside = top > 0.8  # no room right of the interval: write inside the bar
        left.text(
            0.02 if inside else top + 0.02,
            yi,
            f"{e['meeting']} of {e['futures']} futures",
            va="center",
            fontsize=8.5,
            color="white" if inside else "black",
        )
    left.set_xlim(0, 1)
    _percent_axis(left)
    left.set_xlabel("share of futures meeting the criterion")
    left.set_title(f"Futures where {robust['criterion']} (95% interval)", fontsize=10)
    left.set_yticks(y, [_star(n, mark) for n in names])
    left.invert_yaxis()
    left.grid(axis="x", alpha=0.3)
    worst = np.array([e["max_regret"] or 0.0 for e in entries])
    mean = np.array([e["mean_regret"] or 0.0 for e in entries])
    right.barh(
        y - 0.17,
        worst,
        0.34,
        color=OKABE_ITO["vermillion"],
        edgecolor="black",
        lw=0.5,
        label="maximum over futures",
    )
    right.barh(
        y + 0.17,
        mean,
        0.34,
        color=OKABE_ITO["sky"],
        edgecolor="black",
        lw=0.5,
        label="mean over futures",
    )
    top = float(max(worst.max(initial=0.0), 0.01))
    for offset, values in ((-0.17, worst), (0.17, mean)):
        for yi, v in zip(y + offset, values, strict=True):
            right.text(v + top * 0.01, yi, f"{v:.3f}", va="center", fontsize=8)
    right.set_xlim(0, top * 1.25)
    right.set_xlabel(f"regret: P({_pretty(robust['outcome'])}) above the best policy's")
    right.set_title("Regret (★: minimax-regret policy)", fontsize=10)
    fig.legend(loc="outside lower right", ncol=2, fontsize=8.5, title="regret")
    right.grid(axis="x", alpha=0.3)
    fig.suptitle("Robustness across the sampled futures")
    return fig


# --- sensitivity -----------------------------------------------------------------------------

INDEX_KEYS = {
    "sobol": (("S1", "S1_conf", "S1: first order"), ("ST", "ST_conf", "ST: total order")),
    "morris": (("mu_star", "mu_star_conf", "μ*: mean absolute effect"),),
    "rbd_fast": (("S1", "S1_conf", "S1: first order (RBD-FAST)"),),
}


def sensitivity_order(sens: Entry) -> list[str]:
    """The uncertainties by their mean main index over the policies, largest first, so every
    panel lists them in the same order."""
    key = INDEX_KEYS[sens["method"]][-1][0]
    totals: dict[str, list[float]] = {}
    for entry in sens["policies"]:
        for index in entry.get("indices") or []:
            totals.setdefault(index["name"], []).append(index[key] or 0.0)
    return sorted(totals, key=lambda n: -float(np.mean(totals[n])))


def sensitivity_figure(sens: Entry, labels: Mapping[str, str]) -> Figure | None:
    """One panel per policy: the indices with their confidence intervals, as horizontal bars."""
    shown = [e for e in sens["policies"] if e.get("indices")]
    if not shown:
        return None
    keys = INDEX_KEYS[sens["method"]]
    order = sensitivity_order(sens)
    cols = 1 if len(shown) == 1 else 2
    rows = -(-len(shown) // cols)
    fig, axes = plt.subplots(
        rows,
        cols,
        figsize=(10, rows * _rows_height(len(order), 0.25 * len(keys) + 0.3, 1.2)),
        sharex=True,
        sharey=True,
        squeeze=False,
        layout="constrained",
    )
    height = 0.8 / len(keys)
    y = np.arange(len(order))
    for ax, entry in zip(axes.ravel(), shown, strict=False):
        by_name = {i["name"]: i for i in entry["indices"]}
        for j, (key, conf, label) in enumerate(keys):
            v = np.array([by_name[n][key] or 0.0 for n in order])
            err = np.array([by_name[n][conf] or 0.0 for n in order])
            ax.barh(
                y - 0.4 + height * (j + 0.5),
                v,
                height,
                xerr=err,
                capsize=2.5,
                color=INDEX_COLOURS[j],
                edgecolor="black",
                lw=0.5,
                label=label,
            )
        ax.axvline(0, color="black", lw=0.8)
        ax.set_yticks(y, [labels.get(n, n) for n in order])
        ax.set_ylim(len(order) - 0.5, -0.5)
        ax.set_title(entry["policy"], fontsize=10)
        ax.grid(axis="x", alpha=0.3)
    unit = "change of P per full range" if sens["method"] == "morris" else "share of variance"
    for i, ax in enumerate(axes.ravel()):
        if i >= len(shown):
            ax.set_visible(False)
        elif i + cols >= len(shown):  # nothing drawn below this panel
            ax.set_xlabel(f"{unit} (bars: 95% CI)")
            ax.xaxis.set_tick_params(labelbottom=True)
    handles, names = axes[0, 0].get_legend_handles_labels()
    fig.legend(handles, names, loc="outside lower center", ncol=len(keys), fontsize=9)
    fig.suptitle(
        f"What drives P({_pretty(sens['outcome'])}): sensitivity indices by policy "
        f"({sens['method']})"
    )
    return fig


# --- scenario discovery ----------------------------------------------------------------------


def _narrowing(restriction: Entry, span: Any, log: bool) -> float:
    """How much of its range a restriction cuts away (0: nothing, 1: all), on the scale it was
    sampled on: the more, the more the dimension matters to the box."""
    if "values" in restriction:
        total = len(span) if isinstance(span, list) else len(restriction["values"]) + 1
        return 1.0 - len(restriction["values"]) / max(total, 1)
    if not isinstance(span, tuple) or span[1] == span[0]:
        return 0.0
    scale = np.log if log and min(*span, restriction["lower"]) > 0 else np.asarray
    low, high = scale(span[0]), scale(span[1])
    kept = (scale(restriction["upper"]) - scale(restriction["lower"])) / (high - low)
    return float(1.0 - min(max(kept, 0.0), 1.0))


def box_axes(
    entry: Entry, spans: Mapping[str, Any], logs: set[str], fallback: Sequence[str]
) -> tuple[str, str] | None:
    """The two dimensions to draw a box in: its two most narrowed restrictions, else its one
    restriction and the first other uncertainty of ``fallback`` (the most influential)."""
    ranked = sorted(
        entry.get("restrictions") or [],
        key=lambda r: -_narrowing(r, spans.get(r["name"]), r["name"] in logs),
    )
    names = [r["name"] for r in ranked[:2]]
    for other in fallback:
        if len(names) >= 2:
            break
        if other not in names:
            names.append(other)
    return (names[0], names[1]) if len(names) == 2 else None


def _axis_values(
    ax: Axes, which: str, column: pd.Series, span: Any, log: bool, rng: np.random.Generator
) -> tuple[np.ndarray, list[Any] | None]:
    """Positions on one axis; categorical values become jittered integer slots."""
    if isinstance(span, list):
        slots = {str(v): i for i, v in enumerate(span)}
        pos = column.astype(str).map(slots).to_numpy(dtype=float)
        pos = pos + rng.uniform(-0.2, 0.2, len(pos))
        ticks = ax.set_xticks if which == "x" else ax.set_yticks
        ticks(range(len(span)), [str(v) for v in span])
        (ax.set_xlim if which == "x" else ax.set_ylim)(-0.5, len(span) - 0.5)
        return pos, span
    if log:
        (ax.set_xscale if which == "x" else ax.set_yscale)("log")
    return column.to_numpy(dtype=float), None


def _intervals(restriction: Entry | None, span: Any, categories: list[Any] | None) -> list:
    """The box's extent on one axis, as intervals (several for non-adjacent categories)."""
    if categories is not None:
        keep = [str(v) for v in (restriction or {}).get("values", categories)]
        return [(i - 0.4, i + 0.4) for i, v in enumerate(categories) if str(v) in keep]
    if restriction is None:
        return [span]
    side = restriction.get("restricts")  # an open side runs to the end of the sampled range
    low = span[0] if side == "upper" else restriction["lower"]
    high = span[1] if side == "lower" else restriction["upper"]
    return [(min(low, restriction["lower"]), max(high, restriction["upper"]))]


def discovery_figure(
    rows: pd.DataFrame,
    entry: Entry,
    outcome: str,
    threshold: float,
    dims: tuple[str, str],
    spans: Mapping[str, Any],
    logs: set[str],
    labels: Mapping[str, str],
) -> Figure:
    """The futures of one policy in two dimensions, marked by whether the outcome is likely
    there, with the PRIM box drawn over them."""
    fig, ax = plt.subplots(figsize=(10, 5.2), layout="constrained")
    rng = np.random.default_rng(0)
    xname, yname = dims
    x, xcats = _axis_values(ax, "x", rows[xname], spans[xname], xname in logs, rng)
    y, ycats = _axis_values(ax, "y", rows[yname], spans[yname], yname in logs, rng)
    hit = rows[f"p_{outcome}"].to_numpy(dtype=float) > threshold
    restricted = {r["name"]: r for r in entry.get("restrictions") or []}
    inside = _inside(rows, [r for n, r in restricted.items() if n not in dims])
    words = f"P({_pretty(outcome)}) > {threshold:.0%}"
    for mask, style, answer in ((~hit, OTHER, "no"), (hit, INTEREST, "yes")):
        for near, alpha in ((inside, 0.9), (~inside, 0.3)):
            chosen = mask & near
            ax.scatter(
                x[chosen],
                y[chosen],
                s=40,
                alpha=alpha,
                marker=style["marker"],
                lw=1.2,
                facecolor="none" if answer == "no" else style["color"],
                edgecolor=style["color"],
                label=f"{words}: {answer} ({int(mask.sum())})" if alpha > 0.5 else None,
            )
    hidden = [r["label"] for n, r in restricted.items() if n not in dims]
    if hidden and not inside.all():
        ax.scatter(
            [],
            [],
            s=40,
            color=OKABE_ITO["grey"],
            alpha=0.3,
            label=f"faded: outside the box in {', '.join(hidden)}",
        )
    first = True
    for x0, x1 in _intervals(restricted.get(xname), spans[xname], xcats):
        for y0, y1 in _intervals(restricted.get(yname), spans[yname], ycats):
            ax.add_patch(
                Rectangle(
                    (x0, y0),
                    x1 - x0,
                    y1 - y0,
                    fill=False,
                    edgecolor="black",
                    lw=1.6,
                    ls="--",
                    label=(
                        f"PRIM box (coverage {entry['coverage']:.0%}, "
                        f"density {entry['density']:.0%})"
                    )
                    if first
                    else None,
                )
            )
            first = False
    ax.set_xlabel(_axis_label(xname, spans[xname], xname in logs, labels))
    ax.set_ylabel(_axis_label(yname, spans[yname], yname in logs, labels))
    ax.set_title(f"{entry['policy']}: where {words}\n(each point is one future)", fontsize=11)
    fig.legend(loc="outside lower center", ncol=2, fontsize=8.5)
    ax.grid(alpha=0.3)
    return fig


def _inside(rows: pd.DataFrame, restrictions: Sequence[Entry]) -> np.ndarray:
    """Which points meet the box's restrictions on the dimensions not drawn."""
    keep = np.ones(len(rows), dtype=bool)
    for r in restrictions:
        column = rows[r["name"]]
        if "values" in r:
            keep &= column.astype(str).isin([str(v) for v in r["values"]]).to_numpy()
        else:
            values = column.to_numpy(dtype=float)
            keep &= (values >= r["lower"]) & (values <= r["upper"])
    return keep


def _axis_label(name: str, span: Any, log: bool, labels: Mapping[str, str]) -> str:
    label = labels.get(name, name)
    if isinstance(span, list):
        return f"{label} (category)"
    low, high = span
    scale = ", log scale" if log else ""
    return f"{label} (sampled {_num(low)} to {_num(high)}{scale})"


def _num(x: float) -> str:
    return f"{x:.3g}"
