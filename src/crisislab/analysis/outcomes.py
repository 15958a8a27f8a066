"""Outcome probabilities per policy, pooled over its futures, with Wilson intervals."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from crisislab.analysis._common import completed, per_future, policies_of, rnd, to_json
from crisislab.analysis.design import DesignInfo
from crisislab.scenario.outcomes import OUTCOMES
from crisislab.stats import wilson_interval


def outcome_probabilities(points: pd.DataFrame, design: DesignInfo) -> list[dict[str, Any]]:
    """Per policy: P(outcome) pooled over all its runs, a 95% Wilson interval, and the spread.

    Pooling answers "how often does this policy end in war over the futures we sampled"; the
    min/median/max across futures shows how much that depends on which future comes true,
    which the pooled number hides. Outcome classes are the three crisislab classes whose
    ``n_*`` count columns are present.
    """
    classes = [o for o in OUTCOMES if f"n_{o}" in points.columns and f"p_{o}" in points.columns]
    done = completed(points, "runs")
    spreads = {o: per_future(points, f"p_{o}") for o in classes}
    result: list[dict[str, Any]] = []
    for policy in policies_of(points):
        rows = done[done["policy"] == policy]
        runs = int(rows["runs"].sum())
        entry: dict[str, Any] = {
            "policy": policy,
            "levers": _lever_values(rows, design),
            "points": len(rows),
            "futures": int(rows["sample"].nunique()),
            "runs": runs,
            "outcomes": {},
        }
        for outcome in classes:
            k = int(rows[f"n_{outcome}"].sum())
            table = spreads[outcome]
            across = table.loc[policy].dropna() if policy in table.index else pd.Series(dtype=float)
            entry["outcomes"][outcome] = {
                "n": k,
                "p": rnd(k / runs) if runs else None,
                "ci": [rnd(b) for b in wilson_interval(k, runs)] if runs else None,
                "across_futures": {
                    "min": rnd(across.min()) if len(across) else None,
                    "median": rnd(float(np.median(across))) if len(across) else None,
                    "max": rnd(across.max()) if len(across) else None,
                },
            }
        result.append(entry)
    return result


def _lever_values(rows: pd.DataFrame, design: DesignInfo) -> dict[str, Any]:
    if rows.empty:
        return {}
    first = rows.iloc[0]
    return {lever: to_json(first[lever]) for lever in design.levers if lever in rows.columns}
