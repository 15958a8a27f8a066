"""The engine agrees with crisislab 0.1's in distribution: for the four doctrines on us-iran-2020
and for india-pakistan-2019 under its defaults, the outcome-class counts of 20,000 runs stay within
sampling error of the reference counts in fixtures/v01_reference_shares.json (0.1's engine, another
seed). Only the random streams may differ, so the two ensembles are independent samples of the
same distribution: a chi-square test of homogeneity on the 2 x 3 table (p > 0.001) and, for each
class, a two-proportion z of at most 4."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
from scipy.stats import chi2_contingency

import crisislab
from crisislab.engine.outcomes import OUTCOMES

REFERENCE = json.loads(
    (Path(__file__).parent / "fixtures" / "v01_reference_shares.json").read_text()
)
CONFIGURATIONS = REFERENCE["configurations"]
SEED = 7  # not the reference's seed: the samples must be independent
MIN_P = 0.001
MAX_Z = 4.0


@pytest.mark.slow
@pytest.mark.parametrize("config", CONFIGURATIONS, ids=[c["id"] for c in CONFIGURATIONS])
def test_outcome_shares_agree_with_v01(config: dict) -> None:
    assert config["seed"] != SEED
    runs = config["runs"]
    result = crisislab.simulate(
        config["scenario"], runs=runs, seed=SEED, overrides=config["overrides"]
    )
    assert result.scenario.days == config["days"]
    new = np.bincount(result.columns["outcome"], minlength=len(OUTCOMES))
    old = np.array([config["outcome_counts"][name] for name in OUTCOMES])
    assert old.sum() == runs and new.sum() == runs

    present = (old + new) > 0
    table = np.vstack([old[present], new[present]])
    if table.shape[1] > 1:
        p_value = chi2_contingency(table, correction=False).pvalue
        assert p_value > MIN_P, f"v0.1 {old.tolist()} vs now {new.tolist()}: p = {p_value:.2g}"

    for name, a, b in zip(OUTCOMES, old, new, strict=True):
        pooled = (a + b) / (2 * runs)
        se = math.sqrt(pooled * (1 - pooled) * 2 / runs)
        if se == 0:
            continue
        z = (b - a) / runs / se
        assert abs(z) <= MAX_Z, f"{name}: v0.1 {a / runs:.4f} vs now {b / runs:.4f} (z = {z:.2f})"
