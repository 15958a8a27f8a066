"""One JSON-ready analysis of a study: probabilities, robustness, sensitivity, discovery."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

import pandas as pd

from crisislab.analysis.design import DesignInfo
from crisislab.analysis.discovery import discover
from crisislab.analysis.outcomes import outcome_probabilities
from crisislab.analysis.robustness import robustness
from crisislab.analysis.sensitivity import sensitivity

DEFAULT_DISCOVERY: Mapping[str, float] = MappingProxyType({"war": 0.2, "frozen_conflict": 0.3})


def analyze(
    points: pd.DataFrame,
    design: DesignInfo,
    *,
    outcome: str = "war",
    threshold: float = 0.05,
    above: bool = False,
    discovery: Mapping[str, float] = DEFAULT_DISCOVERY,
    seed: int = 0,
) -> dict[str, Any]:
    """Everything a study report needs, in one dict that ``json.dumps`` accepts.

    ``outcome`` and ``threshold`` drive robustness (P(outcome) <= threshold, or >= with
    ``above``) and sensitivity;
    ``discovery`` maps each outcome to search to its threshold for PRIM. Warnings from the
    parts (missing points, unusable designs) are collected under ``warnings`` so a report can
    show them next to the numbers they qualify.
    """
    warnings: list[str] = []
    robust = robustness(points, design, outcome=outcome, threshold=threshold, above=above)
    warnings += [f"robustness: {w}" for w in robust["warnings"]]
    sens = sensitivity(points, design, outcome=outcome, seed=seed)
    warnings += [f"sensitivity: {w}" for w in sens["warnings"]]
    found: dict[str, Any] = {}
    for name, cut in discovery.items():
        try:
            found[name] = discover(points, design, outcome=name, threshold=cut)
        except ValueError as exc:  # an outcome column the study did not record
            warnings.append(f"discovery: {exc}")
    return {
        "policies": outcome_probabilities(points, design),
        "robustness": robust,
        "sensitivity": sens,
        "discovery": found,
        "warnings": warnings,
    }
