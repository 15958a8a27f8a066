"""Scenario discovery: which futures make an outcome likely, found with PRIM (ema_workbench).

Box selection rule: PRIM peels the uncertainty space into a trajectory of ever smaller, ever
denser boxes. Of the boxes on that trajectory whose density (share of points inside that are
of interest) is at least ``min_density`` (0.8 by default), we take the one with the highest
coverage (share of all points of interest it captures), breaking ties by fewer restricted
dimensions and then by higher density. If no box reaches ``min_density`` we report the
densest box (ties: higher coverage) and say so. This is the usual scenario-discovery
trade-off (Bryant & Lempert 2010): a box should be mostly right (density) and explain most
cases (coverage), with as few conditions as possible (interpretability). A restriction of the
chosen box whose quasi-p value (ibid.) exceeds QP_ALPHA is then dropped, so that the plain-words
answer names only conditions that chance alone does not explain.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np
import pandas as pd

from crisislab.analysis._common import (
    completed,
    fmt_number,
    outcome_column,
    outcome_words,
    percent,
    policies_of,
    rnd,
    to_json,
)
from crisislab.analysis.design import DesignInfo

MIN_DENSITY = 0.8
QP_ALPHA = 0.05  # restrictions less significant than this are dropped from a box


def discover(
    points: pd.DataFrame,
    design: DesignInfo,
    outcome: str = "war",
    threshold: float = 0.2,
    policy: str | None = None,
    *,
    min_density: float = MIN_DENSITY,
    peel_alpha: float = 0.05,
    mass_min: float = 0.05,
) -> dict[str, Any]:
    """Describe, per policy, the region of futures where P(outcome) > threshold, as a box.

    A point is "of interest" when its P(outcome) exceeds ``threshold``; PRIM then searches the
    uncertainty values (real units) for a box of conditions that captures those points. The
    result names only the restricted dimensions, with their bounds, and says it in words,
    e.g. "war above 20% when KH control < 0.45 (coverage 81%, density 88%)". Degenerate
    cases (no point of interest, all points of interest, nothing varies) return a status and
    a message instead of raising. ``policy`` limits the search to one policy.
    """
    column = outcome_column(points, outcome)
    result: dict[str, Any] = {
        "outcome": column[2:],
        "threshold": threshold,
        "min_density": min_density,
        "policies": [],
    }
    known = policies_of(points)
    for name in known if policy is None else [policy]:
        rows = points[points["policy"] == name]
        entry = _discover_one(rows, design, column, threshold, min_density, peel_alpha, mass_min)
        result["policies"].append({"policy": str(name), **entry})
    return result


def _discover_one(
    rows: pd.DataFrame,
    design: DesignInfo,
    column: str,
    threshold: float,
    min_density: float,
    peel_alpha: float,
    mass_min: float,
) -> dict[str, Any]:
    name = outcome_words(column)
    rows = completed(rows, column).reset_index(drop=True)
    if rows.empty:
        return {"status": "no_data", "message": "no completed points for this policy"}
    y = (rows[column].to_numpy(dtype=float) > threshold).astype(int)
    n, k = len(y), int(y.sum())
    head: dict[str, Any] = {"points": n, "of_interest": k, "base_rate": rnd(k / n)}
    pct = percent(threshold)
    if k == 0:
        return {
            **head,
            "status": "none",
            "message": f"{name} is never above {pct} in these futures: nothing to explain",
        }
    if k == n:
        return {
            **head,
            "status": "everywhere",
            "message": f"{name} is above {pct} in every future: no condition is needed",
            **_box_stats(1.0, 1.0, 1.0, n, k),
            "restrictions": [],
            "sentence": f"{name} above {pct} in every sampled future",
        }

    x, dropped = _prim_inputs(rows, design)
    notes = [f"{design.label(c)} does not vary here and was left out" for c in dropped]
    if x.shape[1] == 0:
        return {
            **head,
            "status": "no_variation",
            "message": "no uncertainty varies across these points, so there is nothing to restrict",
            "notes": notes,
        }

    try:
        with _quiet():
            from ema_workbench.analysis import prim

            # the box is kept whenever its mean reaches the base rate, which peeling and
            # pasting guarantee, so we always get the whole trajectory to choose from
            search = prim.Prim(x, y, threshold=k / n, peel_alpha=peel_alpha, mass_min=mass_min)
            box = search.find_box()
            trajectory = box.peeling_trajectory.reset_index(drop=True)
            index, chosen_by = _select(trajectory, min_density)
            index, dropped_dims = _drop_insignificant(box, index)
            trajectory = box.peeling_trajectory.reset_index(drop=True)
            lims = box.box_lims[index]
            init = search.box_init
    except Exception as exc:  # a failing search must not sink a whole report
        return {**head, "status": "error", "message": f"PRIM failed: {exc!r}", "notes": notes}

    row = trajectory.loc[index]
    restrictions = _restrictions(lims, init, design)
    stats = _box_stats(row["coverage"], row["density"], row["mass"], row["n"], row["k"])
    conditions = " and ".join(r["words"] for r in restrictions)
    tail = f"(coverage {percent_int(row['coverage'])}, density {percent_int(row['density'])})"
    if conditions:
        sentence = f"{name} above {pct} when {conditions} {tail}"
    else:
        sentence = (
            f"{name} above {pct} in {k} of {n} futures, and no significant condition on the "
            "uncertainties singles them out"
        )
    if dropped_dims:
        names = ", ".join(design.label(d) for d in dropped_dims)
        notes.append(
            f"restrictions on {names} were dropped: not significant (quasi-p > {QP_ALPHA})"
        )
    if chosen_by == "densest":
        notes.append(
            f"no box on the peeling trajectory reaches density {percent(min_density)}; "
            "showing the densest"
        )
    return {
        **head,
        "status": "box",
        "chosen_by": chosen_by,
        **stats,
        "restrictions": restrictions,
        "sentence": sentence,
        "trajectory_length": len(trajectory),
        "notes": notes,
    }


def _drop_insignificant(box: Any, index: int) -> tuple[int, list[str]]:
    """Drop the restrictions whose quasi-p value (Bryant and Lempert 2010) exceeds QP_ALPHA: a cut
    that chance alone explains must not appear in the plain-words answer. Returns the index of the
    resulting box on the trajectory and the dimensions dropped."""
    weak = [
        dim
        for dim, sides in box.qp[index].items()
        if any(p >= 0 for p in sides) and all(p < 0 or p > QP_ALPHA for p in sides)
    ]
    for dim in weak:
        box.drop_restriction(dim, i=index)
        index = len(box.peeling_trajectory) - 1
    return index, weak


def _select(trajectory: pd.DataFrame, min_density: float) -> tuple[int, str]:
    """The box rule of the module docstring: most coverage among dense-enough boxes."""
    t = trajectory.assign(_i=np.arange(len(trajectory)))
    dense = t[t["density"] >= min_density]
    if len(dense):
        best = dense.sort_values(
            ["coverage", "res_dim", "density", "_i"], ascending=[False, True, False, True]
        )
        return int(best.index[0]), "coverage_at_min_density"
    best = t.sort_values(["density", "coverage", "_i"], ascending=[False, False, True])
    return int(best.index[0]), "densest"


def _prim_inputs(rows: pd.DataFrame, design: DesignInfo) -> tuple[pd.DataFrame, list[str]]:
    """X for PRIM: uncertainty columns, numbers as float64, constant columns dropped."""
    present = [u for u in design.uncertainties if u in rows.columns]
    x = rows[present].copy()
    dropped: list[str] = []
    for c in present:
        if pd.api.types.is_numeric_dtype(x[c]):
            x[c] = x[c].astype("float64")
        else:
            x[c] = x[c].astype(object)
        if x[c].nunique(dropna=False) <= 1:
            dropped.append(c)
    return x.drop(columns=dropped), dropped


def _restrictions(lims: pd.DataFrame, init: pd.DataFrame, design: DesignInfo) -> list[dict]:
    """Only the dimensions the box actually restricts, with their bounds and in words."""
    out: list[dict[str, Any]] = []
    for c in lims.columns:
        lo, hi = lims.loc[0, c], lims.loc[1, c]
        lo0, hi0 = init.loc[0, c], init.loc[1, c]
        label = design.label(c)
        if isinstance(lo, set):
            if lo == lo0:
                continue
            values = sorted(lo, key=str)
            out.append(
                {
                    "name": c,
                    "label": label,
                    "values": [to_json(v) for v in values],
                    "words": f"{label} is " + " or ".join(str(v) for v in values),
                }
            )
            continue
        low_cut, high_cut = bool(lo > lo0), bool(hi < hi0)
        if not (low_cut or high_cut):
            continue
        if low_cut and high_cut:
            words = f"{label} between {fmt_number(lo)} and {fmt_number(hi)}"
        elif high_cut:
            words = f"{label} < {fmt_number(hi)}"
        else:
            words = f"{label} > {fmt_number(lo)}"
        out.append(
            {
                "name": c,
                "label": label,
                "lower": rnd(lo),
                "upper": rnd(hi),
                "restricts": "both" if low_cut and high_cut else "upper" if high_cut else "lower",
                "words": words,
            }
        )
    return out


def _box_stats(
    coverage: float, density: float, mass: float, n_in_box: float, k_in_box: float
) -> dict[str, Any]:
    return {
        "coverage": rnd(coverage),
        "density": rnd(density),
        "mass": rnd(mass),
        "points_in_box": int(n_in_box),
        "of_interest_in_box": int(k_in_box),
    }


def percent_int(x: float) -> str:
    """A share as a whole percentage for sentences: 0.8125 -> "81%"."""
    return f"{round(100 * float(x))}%"


@contextmanager
def _quiet() -> Iterator[None]:
    """Silence ema_workbench's import warnings (ipyparallel, altair) and info logging."""
    logger = logging.getLogger("EMA")
    level = logger.level
    logger.setLevel(logging.WARNING)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        logger.setLevel(level)
