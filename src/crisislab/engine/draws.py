"""What each keyed random number is for: the `purpose` and `slot` words of its Philox counter.

Every draw of the day loop is `philox.uniform_pair(key, run, day, purpose, slot, pair)`: a pure
function of the seed, the run, the day and these codes (MODEL.md §13). A code names one use, so a
lever that changes whether a draw is made changes no other draw: a run in which a red line never
fires makes the same draws whatever that red line's enforcement.
"""

from __future__ import annotations

# purposes
TYPES = 1  # slot: side; before day 0: the leadership's hidden type
HAZARDS = 2  # the accident and loss-of-control hazards (one pair)
SIDE = 3  # slot: side; the decision occasion and the rhetoric draws (one pair)
GROUP = 4  # slot: group; its attack hazard
MARITIME = 5  # the maritime incident hazard
NUCLEAR = 6  # dialogue start and collapse (one pair)
EVENT = 7  # slot: event source (below); casualties, detection, noise, attribution, C2
MESSAGE = 8  # slot: side * 8 + reason; whether an aggressive sender mimics, latency
WARNING = 9  # slot: side; whether a retaliation's warning was delivered
ENFORCE = 10  # slot: red line; whether it is enforced
RESPONSE = 11  # slot: side; the doctrine's or logit's draw, and the retaliation draw
FOLLOW_ON = 12  # the host's follow-on withdrawal
PREVENTIVE = 13  # a preventive strike in a breakout crisis
SCRIPT = 14  # slot: scripted event; whether an observed group act was ordered
DECIDE = 15  # slot: side; the choice on a decision occasion (orders)
CAMPAIGN = 16  # slot: side; whether a campaign of direct strikes goes on today
CEASEFIRE = 17  # whether a war ends in a ceasefire today
NUCLEAR_STEP = 19  # on step days: whether the challenger steps, and the step's size
HOST = 20  # the host's binding vote and the withdrawal's progress (one pair)
RESAMPLE = 21  # slot 0; day: the systematic resampling of a block of replay particles
RESOLVE = 18  # slot: side; before day 0: the leadership's drawn resolve (Beta, with TYPES)

# event sources: the slot of an EVENT draw, unique per run and day
SOURCE_INITIAL = 0
SOURCE_ACCIDENT = 1
SOURCE_LOSS = 2
SOURCE_MARITIME = 3
SOURCE_STATE_STRIKE = 4  # + side
SOURCE_RETALIATION = 6  # + side
SOURCE_PROXY_STRIKE = 1024  # + side * 1024 + struck group
SOURCE_GROUP = 4096  # + group
SOURCE_SCRIPT = 8192  # + scripted event
MAX_GROUPS = 1024
MAX_SCRIPTED = 65536 - SOURCE_SCRIPT

# message reasons
MESSAGE_OPENING, MESSAGE_RETALIATION, MESSAGE_OBSERVED = 0, 1, 2


def source_kind(source: int) -> str:
    """The narration's name for an event source."""
    if source >= SOURCE_SCRIPT:
        return "observed"
    if source >= SOURCE_GROUP:
        return "group act"
    if source >= SOURCE_PROXY_STRIKE:
        return "response"
    return {
        SOURCE_INITIAL: "opening event",
        SOURCE_ACCIDENT: "accident",
        SOURCE_LOSS: "loss of control",
        SOURCE_MARITIME: "maritime incident",
        SOURCE_STATE_STRIKE: "response",
        SOURCE_STATE_STRIKE + 1: "response",
        SOURCE_RETALIATION: "retaliation",
        SOURCE_RETALIATION + 1: "retaliation",
    }[source]
