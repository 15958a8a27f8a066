"""The crisislab model written the way a Mesa 3 user would write it: one `mesa.Model` per run.

It exists to be compared with the batched engine (benchmarks/mesa_compare.py): same scenario, same
parameters, same mechanisms and outcome classes, so the two outcome distributions must agree while
their speeds are measured side by side.
"""

from crisislab.scenario.outcomes import OUTCOMES

from .model import CrisisModel, run_one
from .parameters import NO_FRONTS, SCENARIO, load_parameters

__all__ = ["NO_FRONTS", "OUTCOMES", "SCENARIO", "CrisisModel", "load_parameters", "run_one"]
