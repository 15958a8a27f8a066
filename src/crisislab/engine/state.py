"""The per-run state of the day loop, declared once.

Every field the compiled day loop keeps for a run is listed here with its type, its shape and a
one-line meaning. Everything else is derived from this list: the column numbers the kernel uses
(layout.py), the packed arrays and their initial values (batch.py), the names of the fields a
traced run records, the ledger that a fork resets after its replay, and the state table of
docs/model.md (`state_table`).

`part` says who may read a field. Decisions read `view` fields and their own side's private
facts (`own` fields: a leadership's type, its campaign orders); `world` and `transit` are the
truth and what is on its way to an observer; `ledger` and `fronts` are bookkeeping for the
outcomes. tests/engine/test_engine_perception.py keeps the decision code to that rule.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

NEVER = int(np.iinfo(np.int32).max)
SLOTS = 8  # perceived hostile events an observer tracks at once (a ring buffer per run)
# observable in event data; a violent answer is any strike of the defender's on the other side
FIRST_EVENTS = ("lethal_proxy_attack", "proxy_strike", "state_strike", "violent_answer")

Kind = Literal["float", "int"]
Shape = Literal["run", "side", "first_event", "slot"]
Part = Literal["own", "view", "world", "transit", "ledger", "fronts"]
WIDTH = {"run": 1, "side": 2, "first_event": len(FIRST_EVENTS), "slot": 1}


@dataclass(frozen=True)
class Field:
    """One named piece of per-run state. A `side` field has one column per side (or observer);
    a `slot` field one value per observer, slot and run."""

    name: str
    kind: Kind
    shape: Shape
    part: Part
    initial: float
    meaning: str

    @property
    def width(self) -> int:
        return WIDTH[self.shape]


def _f(name: str, shape: Shape, part: Part, initial: float, meaning: str) -> Field:
    return Field(name, "float", shape, part, initial, meaning)


def _i(name: str, shape: Shape, part: Part, initial: float, meaning: str) -> Field:
    return Field(name, "int", shape, part, initial, meaning)


# Initial values that depend on the scenario (types, beliefs, alert, pressure, breakout, dialogue,
# grievance) are set at start-up (batch.Batch._scenario_values).
FIELDS: tuple[Field, ...] = (
    # --- floats per run ---------------------------------------------------------------------
    _f("commitment", "side", "own", 0.0, "public commitment from its own inflammatory words"),
    _f("hostility", "run", "world", 0.0, "decaying sum of perceived hostile rungs"),
    _f("rung_level", "run", "world", 0.0, "today's top rung, or yesterday's level - 1"),
    _f("battle_deaths", "run", "ledger", 0.0, "deaths in state-on-state acts (war criterion)"),
    _f("war_deaths_before", "run", "ledger", 0.0, "battle deaths at the last ceasefire"),
    _f("goldstein", "run", "ledger", 0.0, "sum of Goldstein scores of every executed act"),
    _f("log_weight", "run", "ledger", 0.0, "a replay particle's log-likelihood of the record"),
    _f("rivera", "run", "ledger", 0.0, "sum of Rivera scores of every executed act"),
    _f("audience_cost", "side", "ledger", 0.0, "audience cost of unenforced public red lines"),
    _f("pressure", "run", "fronts", 0.0, "host nation's pressure to expel the defender's forces"),
    _f("soil_today", "run", "fronts", 0.0, "kinetic strikes on the host's soil today"),
    _f("host_deaths_today", "run", "fronts", 0.0, "host nationals killed today"),
    _f("breakout", "run", "fronts", 0.0, "the challenger's nuclear breakout time, months"),
    _f("belief", "side", "view", 0.0, "each leadership's P(the adversary is limited)"),
    _f("resolve", "side", "own", 0.5, "each leadership's resolve r = stake / (stake + 1)"),
    _f("resolve_drawn", "side", "own", 0.5, "the resolve drawn for the run"),
    _f("resolve_target", "side", "own", 0.5, "what r reverts to: drawn, less for own deaths"),
    _f("rage", "side", "own", 0.0, "each leadership's grievance: revenge owed, stake units"),
    _f("credibility", "side", "view", 0.0, "each leadership's belief the other enforces its lines"),
    _f("credibility_prior", "side", "view", 0.0, "the credibility it reverts to"),
    _f("heard_commitment", "side", "view", 0.0, "the other's public commitment, from statements"),
    _f("answered", "side", "view", 1.0, "the other side's answers to its attacks, as perceived"),
    _f("unanswered", "side", "view", 2.0, "its attacks the other side left unanswered"),
    _f("threat", "side", "view", 0.0, "each side's forecast of hostile acts against it per day"),
    _f("alert", "side", "view", 0.0, "each side's alert level in [0, 1] (accident hazard)"),
    # --- integers and flags per run -----------------------------------------------------------
    _i("limited", "side", "own", 0, "1 if the side's leadership is of the limited type"),
    _i("campaign", "side", "own", 0, "1 while the side has ordered its groups to attack"),
    _i("pending", "side", "own", 0, "answer chosen, carried out on pending_due (0 none)"),
    _i("pending_group", "side", "own", -1, "the group a pending proxy strike targets"),
    _i("pending_due", "side", "own", NEVER, "day the pending answer is carried out"),
    _i("occasion", "side", "own", 0, "1 if the side reviews its orders tomorrow"),
    _i("direct_campaign", "side", "own", 0, "days of the side's campaign of direct strikes"),
    _i("war", "run", "ledger", 0, "1 while the run is at war"),
    _i("wars", "run", "ledger", 0, "wars begun (a new one after a ceasefire counts again)"),
    _i("war_day", "run", "ledger", -1, "day the war began, from the first simulated day"),
    _i("war_inadvertent", "run", "ledger", 0, "1 if the war's episode began with an unordered act"),
    _i("war_end_day", "run", "ledger", -1, "day a war ended in a ceasefire"),
    _i("violence", "run", "ledger", 1, "highest ICB violence level reached (1-4)"),
    _i("calm_days", "side", "ledger", 0, "days each side's threat has stayed near its old level"),
    _i("crisis_end_day", "run", "ledger", -1, "day the crisis ended (both sides' ended), or -1"),
    _i("first_end_day", "run", "ledger", -1, "day the first crisis ended: its duration"),
    _i("end_mode", "run", "ledger", 0, "how it ended (constants.END_MODES)"),
    _i("recurrences", "run", "ledger", 0, "new crises after an end"),
    _i("messages_sent", "side", "ledger", 0, "messages each side sent over the channel"),
    _i("chain_lethal", "run", "ledger", 0, "bit side set: its direct strike killed in the chain"),
    _i("chain_len", "run", "ledger", 0, "direct state strikes in the current chain"),
    _i("chain_side", "run", "ledger", -1, "side of the chain's latest exchange"),
    _i("chain_start", "run", "ledger", -NEVER, "day of the chain's latest exchange"),
    _i("top_rung_days", "run", "ledger", 0, "consecutive days at the top rung"),
    _i("last_lethal_day", "run", "ledger", -NEVER, "day of the latest lethal act"),
    _i("episode_unordered", "run", "ledger", 0, "1 if the current lethal episode began unordered"),
    _i("day_rung", "run", "ledger", 0, "highest rung executed today (truth)"),
    _i("max_rung", "run", "ledger", 0, "highest rung executed so far"),
    _i("misperceptions", "run", "ledger", 0, "acts perceived a gap or more from their rung"),
    _i("accidents", "run", "ledger", 0, "accidental acts"),
    _i("group_attacks", "run", "ledger", 0, "acts by armed groups"),
    _i("ordered_attacks", "run", "ledger", 0, "armed groups' acts on their leadership's orders"),
    _i("ordered_attacks_mid", "run", "ledger", 0, "ordered acts in days 30-180 (limits)"),
    _i("red_line_fired", "side", "ledger", 0, "times each side's red lines fired"),
    _i("red_line_unenforced", "side", "ledger", 0, "firings each side did not enforce"),
    _i("orders", "side", "ledger", 0, "escalation orders each leadership gave"),
    _i("proxy_strikes", "run", "ledger", 0, "the defender's strikes on proxies"),
    _i("direct_exchanges", "run", "ledger", 0, "acts at or above the direct rung"),
    _i("window_direct", "run", "ledger", 0, "direct acts within the stability window"),
    _i("window_attacks", "run", "ledger", 0, "group attacks within the stability window"),
    _i("window_quiet_days", "run", "ledger", 0, "quiet days within the stability window"),
    _i("window_attributed", "run", "ledger", 0, "1 if a lethal attack in the window is attributed"),
    _i("first_day", "first_event", "ledger", -1, "first day of each observable event kind"),
    _i("days_above", "run", "fronts", 0, "consecutive days of pressure above the threshold"),
    _i("expulsion_day", "run", "fronts", -1, "day the host ordered the defender out"),
    _i("withdrawal_day", "run", "view", -1, "day the defender's forces left the host (public)"),
    _i("follow_on_due", "run", "fronts", NEVER, "day a follow-on withdrawal is due"),
    _i("follow_on_day", "run", "fronts", -1, "day of the follow-on withdrawal"),
    _i("lethal_today", "run", "fronts", 0, "1 if any act killed today"),
    _i("incidents", "run", "fronts", 0, "maritime incidents"),
    _i("dialogue", "run", "fronts", 0, "1 while a nuclear dialogue is open"),
    _i("crisis_day", "run", "fronts", -1, "day a breakout crisis began"),
    _i("quiet_streak", "run", "fronts", 0, "consecutive quiet days"),
    _i("view_day_rung", "side", "view", 0, "highest rung each observer perceived today"),
    _i("slot_next", "side", "view", 0, "each observer's next slot to fill (ring buffer)"),
    _i("slot_mask", "side", "view", 0, "bit k set while the observer's slot k is open"),
    _i("message_day", "side", "transit", NEVER, "day a message reaches each observer"),
    # --- per observer, slot and run: one perceived hostile act -------------------------------
    _f("prior_odds", "slot", "view", 0.0, "odds the act was ordered, before evidence"),
    _f("evidence", "slot", "view", 1.0, "likelihood ratio of the attribution finding received"),
    _f("finding", "slot", "transit", 1.0, "likelihood ratio of the finding in transit"),
    _i("active", "slot", "view", 0, "1 while the slot is open"),
    _i("day", "slot", "view", -NEVER, "day the act was perceived"),
    _i("group", "slot", "view", -1, "the group perceived to have acted (-1: a leadership)"),
    _i("role", "slot", "view", 0, "the perceived actor's role"),
    _i("target", "slot", "view", 0, "what the act hit"),
    _i("perceived", "slot", "view", 0, "the perceived rung"),
    _i("victim", "slot", "view", -1, "nationality of the victims"),
    _i("disavowed", "slot", "view", 0, "1 once a disavowal arrived over the channel"),
    _i("reported_deaths", "slot", "view", 0, "deaths reported so far"),
    _i("reported_injuries", "slot", "view", 0, "injuries reported so far"),
    _i("deaths", "slot", "transit", 0, "true deaths, reported on report_day"),
    _i("injuries", "slot", "transit", 0, "true injuries, reported on report_day"),
    _i("report_day", "slot", "transit", NEVER, "day the casualty report arrives"),
    _i("finding_day", "slot", "transit", NEVER, "day the attribution finding arrives"),
    _i("c2_day", "slot", "transit", NEVER, "day a disavowal arrives"),
    _i("ordered", "slot", "transit", 0, "1 if the act was in truth ordered"),
)

# Per-run tables whose width comes from the scenario: (name, rows, part, meaning)
TABLES: tuple[tuple[str, str, Part, str], ...] = (
    ("grievance", "group", "world", "each armed group's grievance"),
    ("suppression", "group", "world", "each armed group's capability lost to strikes"),
    ("seen", "group", "world", "1 if the group was seen acting today"),
    ("deaths", "nationality", "ledger", "deaths by nationality"),
    ("injuries", "nationality", "ledger", "injuries by nationality"),
    ("fired", "observer × slot × red line", "view", "1 once a red line fired on the slot"),
)

BY_NAME = {f.name: f for f in FIELDS}
RUN_FIELDS = tuple(f for f in FIELDS if f.shape != "slot")
SLOT_FIELDS = tuple(f for f in FIELDS if f.shape == "slot")


def columns(kind: Kind, slot: bool) -> dict[str, tuple[int, int]]:
    """(first column, width) of each field of one packed array, in declaration order."""
    out, at = {}, 0
    for f in FIELDS:
        if f.kind == kind and (f.shape == "slot") == slot:
            out[f.name] = (at, f.width)
            at += f.width
    return out


def state_table() -> str:
    """The state table of docs/model.md (a Markdown table)."""
    lines = ["| field | type | shape | part | meaning |", "|---|---|---|---|---|"]
    for f in FIELDS:
        lines.append(f"| `{f.name}` | {f.kind} | {f.shape} | {f.part} | {f.meaning} |")
    for name, rows, part, meaning in TABLES:
        lines.append(f"| `{name}` | table | {rows} | {part} | {meaning} |")
    return "\n".join(lines)
