"""Calibration: the targets a generic crisis ensemble is fitted to (MODEL.md §15).

The targets are ICB base rates for crises that began short of war, computed once from the ICB v15
files by benchmarks/icb_targets.py and shipped as package data, so nothing here reads the source
data at run time.

>>> from crisislab.calibration import load_targets
>>> targets = load_targets()
>>> targets["war"].n
410
"""

from crisislab.calibration.targets import Target, Targets, load_targets

__all__ = ["Target", "Targets", "load_targets"]
