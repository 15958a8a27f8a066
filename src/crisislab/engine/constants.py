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
DOCTRINES = ("restraint", "proportional", "gtft", "retaliatory", "targeted", "strategic")
# how a crisis ended (MODEL.md §9): not yet, faded or tacit, agreement, imposed (a war's ceasefire)
END_MODES = ("none", "tacit", "agreement", "imposed")
CONDITION_FIELDS = (
    "reported_deaths",
    "reported_injuries",
    "p_ordered",
    "perceived_rung",
    "target",
    "perceived_actor_role",
)
CONDITION_OPS = (">=", ">", "<=", "<", "==", "!=")

# ICB's violence scale (MODEL.md §9): 1 no violence, 2 minor clashes, 3 serious clashes, 4 war
NO_VIOLENCE, MINOR_CLASHES, SERIOUS_CLASHES, FULL_SCALE_WAR = 1, 2, 3, 4
SERIOUS_STRIKES = 3  # direct strikes within SERIOUS_WINDOW_DAYS, with deaths on both sides ...
SERIOUS_WINDOW_DAYS = 30
SERIOUS_BATTLE_DEATHS = 100  # ... or this many battle deaths: serious clashes (ICB)
WAR_BATTLE_DEATHS = 1000  # battle deaths within WAR_WINDOW_DAYS: full-scale war (COW)
WAR_WINDOW_DAYS = 365
CRISIS_THREAT = 1.0 / 7.0  # a side's forecast of hostile acts per day as a crisis opens: one a
# week (ASSUMPTION); it decays toward the pre-crisis level as quiet days pass (termination, §9)
# the opening event as ICB codes a trigger (triggr): none, non-violent (1-7), an indirect violent
# act (8: by a group a side backs) or a violent act (9: by a state's own forces)
OPENINGS = ("none", "non_violent", "indirect_violent", "violent")
WAR_CAMPAIGN_DAYS = 14  # a campaign of direct strikes this long is full-scale war (MODEL.md §9)

__all__ = [
    "CHALLENGER",
    "CONDITION_FIELDS",
    "CONDITION_OPS",
    "CRISIS_THREAT",
    "DEFENDER",
    "DIRECT_RUNG",
    "DOCTRINES",
    "END_MODES",
    "EPS",
    "FIRST_EVENTS",
    "FULL_SCALE_WAR",
    "KINETIC_RUNG",
    "MINOR_CLASHES",
    "NEVER",
    "NO_VIOLENCE",
    "OPENINGS",
    "OVERT_ODDS",
    "RESPONSES",
    "ROLES",
    "SERIOUS_BATTLE_DEATHS",
    "SERIOUS_CLASHES",
    "SERIOUS_STRIKES",
    "SERIOUS_WINDOW_DAYS",
    "SLOTS",
    "SLOT_MEMORY_DAYS",
    "TARGETS",
    "TOP_RUNG",
    "WAR_BATTLE_DEATHS",
    "WAR_CAMPAIGN_DAYS",
    "WAR_WINDOW_DAYS",
]
