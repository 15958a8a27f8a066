"""Constants of the model shared by the day loop, its set-up and the Mesa baseline (one place)."""

from __future__ import annotations

from crisislab.engine.state import FIRST_EVENTS, NEVER, SLOTS

EPS = 1e-9  # probabilities are kept in [EPS, 1 - EPS] before taking odds
SLOT_MEMORY_DAYS = 30  # a perceived act is forgotten this many days after it was seen
OVERT_ODDS = 1e12  # an overt act by a leadership is known to be ordered by it
DIRECT_RUNG = 9  # acts at or above it are direct exchanges between the states
KINETIC_RUNG = 7  # acts at or above it count as strikes on the host's soil
TOP_RUNG = 14  # the ladder's top (declared war when held)

DEFENDER, CHALLENGER = 0, 1
TARGETS = ("forces", "territory", "senior_commander", "proxy", "shipping", "civilians")
ROLES = ("leadership", "faction", "proxy")
RESPONSES = ("none", "strike_proxy", "strike_state", "retaliate")
DOCTRINES = ("restraint", "proportional", "gtft", "retaliatory")
CONDITION_FIELDS = (
    "reported_deaths",
    "reported_injuries",
    "p_ordered",
    "perceived_rung",
    "target",
    "perceived_actor_role",
)
CONDITION_OPS = (">=", ">", "<=", "<", "==", "!=")

__all__ = [
    "CHALLENGER",
    "CONDITION_FIELDS",
    "CONDITION_OPS",
    "DEFENDER",
    "DIRECT_RUNG",
    "DOCTRINES",
    "EPS",
    "FIRST_EVENTS",
    "KINETIC_RUNG",
    "NEVER",
    "OVERT_ODDS",
    "RESPONSES",
    "ROLES",
    "SLOTS",
    "SLOT_MEMORY_DAYS",
    "TARGETS",
    "TOP_RUNG",
]
