"""Shared helpers: outcome columns, per-future tables, JSON-safe rounding.

Private to the analysis package; other packages use what `crisislab.analysis` exports.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from crisislab.analysis.design import DesignInfo


def outcome_column(points: pd.DataFrame, outcome: str) -> str:
    """The ``p_*`` column for an outcome name ("war" or "p_war"); a clear error if absent."""
    column = outcome if outcome.startswith("p_") else f"p_{outcome}"
    if column not in points.columns:
        available = sorted(c[2:] for c in points.columns if c.startswith("p_"))
        raise ValueError(f"no column {column!r} in points; outcomes available: {available}")
    return column


def outcome_name(outcome: str) -> str:
    """The bare outcome name: "p_war" -> "war"."""
    return outcome[2:] if outcome.startswith("p_") else outcome


def outcome_words(outcome: str) -> str:
    """The outcome as words for sentences: "frozen_conflict" -> "frozen conflict"."""
    return outcome_name(outcome).replace("_", " ")


def policies_of(points: pd.DataFrame) -> list[str]:
    """Policy labels in the order they first appear."""
    if points.empty:
        return []
    return [str(p) for p in pd.unique(points["policy"])]


def completed(points: pd.DataFrame, column: str) -> pd.DataFrame:
    """Points that actually ran (runs > 0) and have a value for ``column``."""
    runs = pd.to_numeric(points["runs"], errors="coerce").fillna(0)
    return points[(runs > 0) & points[column].notna()]


def per_future(points: pd.DataFrame, column: str) -> pd.DataFrame:
    """P(outcome) per policy (rows) and uncertainty sample (columns), NaN where missing.

    Several points for one (policy, sample) are pooled: from the ``n_*`` counts when the table
    has them (exact: 5 of 100 is exactly 0.05), else as the runs-weighted mean of ``p_*``.
    """
    done = completed(points, column)
    if done.empty:
        return pd.DataFrame(dtype=float)
    counts = f"n_{column[2:]}"
    runs = done["runs"].astype(float)
    k = done[counts].astype(float) if counts in done.columns else done[column].astype(float) * runs
    grouped = done.assign(_k=k, _n=runs).groupby(["policy", "sample"], sort=False)
    sums = grouped[["_k", "_n"]].sum()
    table = (sums["_k"] / sums["_n"]).unstack("sample")
    order = [p for p in policies_of(points) if p in table.index]
    return table.loc[order].sort_index(axis=1)


def future_values(points: pd.DataFrame, design: DesignInfo, sample: int) -> dict[str, Any]:
    """The uncertainty values (real units) of one future, keyed by path."""
    rows = points[points["sample"] == sample]
    if rows.empty:
        return {}
    row = rows.iloc[0]
    return {u: to_json(row[u]) for u in design.uncertainties if u in rows.columns}


def describe_future(values: dict[str, Any], design: DesignInfo) -> str:
    """A future in words: "KH control = 0.31, US-assumed control of KH = 0.82"."""
    return ", ".join(f"{design.label(k)} = {fmt_number(v)}" for k, v in values.items())


def rnd(x: Any, digits: int = 4) -> float | None:
    """Round a number for JSON; NaN and infinities become None."""
    if x is None:
        return None
    value = float(x)
    if not math.isfinite(value):
        return None
    return round(value, digits)


def to_json(x: Any, digits: int = 4) -> Any:
    """A JSON-safe version of a scalar (numpy types unwrapped, floats rounded, NaN -> None)."""
    if x is None:
        return None
    if isinstance(x, bool | np.bool_):
        return bool(x)
    if isinstance(x, int | np.integer):
        return int(x)
    if isinstance(x, float | np.floating):
        return rnd(x, digits)
    if isinstance(x, str):
        return x
    missing = pd.api.types.is_scalar(x) and bool(pd.isna(x))  # NaT, pd.NA; containers are not
    return None if missing else str(x)


def fmt_number(x: Any) -> str:
    """A short human rendering of a bound or value: 0.45, 0.7, 120, 0.0035."""
    if not isinstance(x, int | float | np.integer | np.floating) or isinstance(x, bool):
        return str(x)
    value = float(x)
    if value == 0:
        return "0"
    if abs(value) >= 1000:
        return f"{value:.0f}"
    if abs(value) < 0.1:
        return f"{value:.2g}"
    return f"{value:.2f}".rstrip("0").rstrip(".")


def percent(x: float) -> str:
    """A proportion as a percentage for sentences: 0.2 -> "20%", 0.025 -> "2.5%"."""
    return f"{round(100 * x, 1):g}%"
