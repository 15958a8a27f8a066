"""Robustness of policies across futures: satisficing share and minimax regret."""

from __future__ import annotations

from typing import Any

import pandas as pd

from crisislab.analysis._common import (
    describe_future,
    future_values,
    outcome_column,
    outcome_words,
    per_future,
    percent,
    policies_of,
    rnd,
)
from crisislab.analysis.design import DesignInfo
from crisislab.stats import wilson_interval


def robustness(
    points: pd.DataFrame,
    design: DesignInfo,
    outcome: str = "war",
    threshold: float = 0.05,
    above: bool = False,
) -> dict[str, Any]:
    """How each policy fares across the sampled futures, not just on average.

    Two complementary views under deep uncertainty:

    * satisficing: the share of futures in which P(outcome) <= threshold (>= with
      ``above=True``, for good outcomes such as de-escalation), with a Wilson interval that
      treats the futures as a sample;
    * regret: in each future, a policy's regret is how much worse its P(outcome) is than the
      best policy's in that same future (always >= 0). The minimax-regret policy is the one
      whose worst-case regret is smallest (ties broken by mean regret, then by order).

    Each policy's share uses all futures it has; regret compares policies within a future, so
    it uses only the futures every policy completed (a warning says when some were left out).
    ``worst_future`` is the future of a policy's largest regret, with its uncertainty values;
    it is None when the policy is never beaten (regret 0 everywhere).
    """
    column = outcome_column(points, outcome)
    table = per_future(points, column)
    name = outcome_words(outcome)
    sign = "≥" if above else "≤"
    warnings: list[str] = []
    result: dict[str, Any] = {
        "outcome": column[2:],
        "threshold": threshold,
        "above": above,
        "criterion": f"P({name}) {sign} {percent(threshold)}",
        "policies": [],
        "minimax_regret": None,
        "regret_futures": 0,
        "warnings": warnings,
    }
    if table.empty:
        warnings.append(f"no completed points with a value for {column}")
        return result

    absent = [p for p in policies_of(points) if p not in table.index]
    if absent:
        warnings.append(
            f"no runs yet for {', '.join(absent)}: left out of the shares and of the regret "
            "comparison (the study is not finished)"
        )
    common = table.dropna(axis=1, how="any")
    n_all = table.shape[1]
    if common.shape[1] < n_all:
        warnings.append(
            f"regret uses the {common.shape[1]} of {n_all} futures that every policy completed"
        )
    if common.shape[1]:
        best = common.max(axis=0) if above else common.min(axis=0)
        regret = (best - common) if above else (common - best)
        regret = regret.clip(lower=0.0)
    else:
        regret = common
    result["regret_futures"] = int(common.shape[1])

    raw: dict[str, tuple[float, float]] = {}
    for policy in table.index:
        values = table.loc[policy].dropna()
        met = values >= threshold if above else values <= threshold
        n, k = len(values), int(met.sum())
        entry: dict[str, Any] = {
            "policy": str(policy),
            "futures": n,
            "meeting": k,
            "share": rnd(k / n) if n else None,
            "ci": [rnd(b) for b in wilson_interval(k, n)] if n else None,
            "max_regret": None,
            "mean_regret": None,
            "worst_future": None,
        }
        if common.shape[1]:
            row = regret.loc[policy]
            worst = int(row.idxmax())
            raw[str(policy)] = (float(row.max()), float(row.mean()))
            entry.update(max_regret=rnd(row.max()), mean_regret=rnd(row.mean()))
            if row.max() > 0:
                values_at = future_values(points, design, worst)
                entry["worst_future"] = {
                    "sample": worst,
                    "p": rnd(common.loc[policy, worst]),
                    "best_p": rnd(best[worst]),
                    "values": values_at,
                    "described": describe_future(values_at, design),
                }
        result["policies"].append(entry)

    if common.shape[1]:
        order = list(raw)
        result["minimax_regret"] = min(order, key=lambda p: (*raw[p], order.index(p)))
    else:
        warnings.append("no future was completed by every policy, so regret is undefined")
    return result
