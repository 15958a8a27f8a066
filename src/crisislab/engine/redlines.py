"""Red-line predicates evaluated on an observer's perceived event slots."""

from __future__ import annotations

import operator

import numpy as np

from crisislab.engine.state import SlotRows

OPS = {
    ">=": operator.ge,
    ">": operator.gt,
    "<=": operator.le,
    "<": operator.lt,
    "==": operator.eq,
    "!=": operator.ne,
}


def condition_holds(
    condition: tuple[str, int, str, float], slots: SlotRows, p_ordered: np.ndarray
) -> np.ndarray:
    """[rows, slots] mask of where one compiled condition holds, on perceived fields only."""
    field, nationality, op, value = condition
    if field == "reported_deaths":
        left = np.where(slots.victim == nationality, slots.reported_deaths, 0)
    elif field == "reported_injuries":
        left = np.where(slots.victim == nationality, slots.reported_injuries, 0)
    elif field == "p_ordered":
        left = p_ordered
    elif field == "perceived_rung":
        left = slots.perceived_rung
    elif field == "target":
        left = slots.target
    elif field == "perceived_actor_role":
        left = slots.role
    else:
        raise ValueError(f"unknown red-line field {field!r}")
    return OPS[op](left, value)
