"""Calibration: the targets a generic crisis ensemble is fitted to (MODEL.md §15).

The targets are ICB base rates for crises that began short of war, computed once from the ICB v15
files by benchmarks/icb_targets.py and shipped as package data, so nothing here reads the source
data at run time.

>>> from crisislab.calibration import load_targets
>>> targets = load_targets()
>>> targets["war"].n
410

A target set names the statistics of simulated runs a calibration must match (`STATISTICS`,
computed from a result's per-run summary columns), each with its observed value and sd:

>>> from crisislab.calibration import load_target_set
>>> generic = load_target_set("icb-generic")
>>> generic["war"].statistic, generic.observed()["war"]
('war_share', 0.082927)
"""

from crisislab.calibration.statistics import STATISTICS, Param, Statistic, columns_of
from crisislab.calibration.target_set import (
    ObservedTarget,
    TargetSet,
    TargetSetError,
    load_target_set,
    target_set_names,
)
from crisislab.calibration.targets import Target, Targets, load_targets

__all__ = [
    "STATISTICS",
    "ObservedTarget",
    "Param",
    "Statistic",
    "Target",
    "TargetSet",
    "TargetSetError",
    "Targets",
    "columns_of",
    "load_target_set",
    "load_targets",
    "target_set_names",
]
