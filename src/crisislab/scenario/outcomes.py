"""The outcome classes of a run (MODEL.md §9), named once for every package.

The scenario's `outcomes` section sets the thresholds that decide them; the engine codes each
run's class as its index in `OUTCOMES`. This module sits in the lowest layer so that the engine,
results, analysis and presentation all read the names from here.
"""

from __future__ import annotations

from typing import Final

OUTCOMES: Final = ("stable_deescalation", "frozen_conflict", "war")
"""The outcome classes in code order: a run's `outcome` column holds the index into this tuple."""

STABLE: Final = OUTCOMES.index("stable_deescalation")
FROZEN: Final = OUTCOMES.index("frozen_conflict")
WAR: Final = OUTCOMES.index("war")
