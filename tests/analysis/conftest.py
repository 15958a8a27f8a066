"""Builders for synthetic study results with known answers."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import numpy as np
import pandas as pd
import pytest

from crisislab.analysis import DesignInfo

KH = "actors.KH.control"
US_KH = "actors.USA.assumed_control.KH"
NOISE = "perception.noise"
UNCERTAINTIES = [KH, US_KH, NOISE]

Builder = Callable[..., pd.DataFrame]


def build_points(
    design: DesignInfo,
    p_war: Mapping[str, Sequence[float]],
    *,
    levers: Mapping[str, Mapping[str, object]] | None = None,
    runs: int = 100,
    p_frozen: float = 0.0,
    real: np.ndarray | None = None,
    missing: set[tuple[str, int]] = frozenset(),
) -> pd.DataFrame:
    """One row per (policy, sample) in the study's points layout.

    ``p_war[policy][s]`` is P(war) in future s (rounded to whole runs); frozen conflict takes
    ``p_frozen`` of the runs when war leaves room, the rest de-escalate. ``real`` holds the
    real uncertainty values (default: the unit matrix itself). ``missing`` points are left out
    as if their chunk had failed.
    """
    values = design.unit if real is None else real
    rows = []
    for policy, series in p_war.items():
        for s, p in enumerate(series):
            if (policy, s) in missing:
                continue
            n_war = round(float(p) * runs)
            n_frozen = min(round(p_frozen * runs), runs - n_war)
            n_stable = runs - n_war - n_frozen
            rows.append(
                {
                    "point": len(rows),
                    "policy": policy,
                    "sample": s,
                    **dict((levers or {}).get(policy, {})),
                    **dict(zip(design.uncertainties, values[s], strict=True)),
                    "runs": runs,
                    "n_stable_deescalation": n_stable,
                    "n_frozen_conflict": n_frozen,
                    "n_war": n_war,
                    "p_stable_deescalation": n_stable / runs,
                    "p_frozen_conflict": n_frozen / runs,
                    "p_war": n_war / runs,
                }
            )
    return pd.DataFrame(rows)


@pytest.fixture
def make_points() -> Builder:
    return build_points


@pytest.fixture
def lhs_design() -> DesignInfo:
    """300 LHS futures over three uncertainties (fixed seed)."""
    from scipy.stats import qmc

    unit = qmc.LatinHypercube(d=3, seed=7).random(300)
    return DesignInfo(levers=["actors.USA.doctrine"], uncertainties=UNCERTAINTIES, unit=unit)
