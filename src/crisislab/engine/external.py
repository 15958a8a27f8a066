"""Decisions supplied from outside the engine (MODEL.md §5, "External policies").

A leadership's choices can come from a Python callable instead of the quantal response: a
human player, a scripted strategy or another decision model takes one side. Once a simulated
day is over, the callable receives what that leadership perceives in every run of a chunk
(`Perceived`: arrays over runs, never the truth of the other side) and returns its moves for
the next day: its answer to today's new perceived attack and its orders to its armed groups. The
engine then runs the next day. Committed red lines of an external side are not carried out for
it: answering is the policy's to do.
"""

from __future__ import annotations

# ruff: noqa: E741  (F and I name the float and integer state arrays, as in kernel.py)
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from crisislab.engine import layout as col
from crisislab.engine.constants import RESPONSES, TARGETS

if TYPE_CHECKING:
    from crisislab.engine.batch import Batch

NONE, STRIKE_PROXY, STRIKE_STATE, RETALIATE = range(len(RESPONSES))
SHIPPING = TARGETS.index("shipping")
ANSWERS = ("none", "strike_proxy", "strike_state", "campaign")  # what `answer` codes mean


@dataclass(frozen=True)
class Perceived:
    """What one leadership perceives, and its own hidden state, in each run of a chunk."""

    day: int  # days since the first simulated day
    new_attack_rung: np.ndarray  # perceived rung of today's worst new attack, -1 if none
    new_attack_group: np.ndarray  # the group it was perceived to come from, -1 a leadership
    p_ordered: np.ndarray  # its posterior that the other leadership ordered that attack
    belief: np.ndarray  # P(the other leadership is limited)
    credibility: np.ndarray  # belief that the other side's red lines will be enforced
    answer_rate: np.ndarray  # the share of its own attacks it has seen answered
    alert: np.ndarray
    threat: np.ndarray  # forecast of hostile acts against it per day
    resolve: np.ndarray  # its own resolve (hidden from the other side)
    grievance: np.ndarray  # its own grievance
    ordering: np.ndarray  # whether its orders to its armed groups stand
    at_war: np.ndarray


Moves = Mapping[str, np.ndarray]  # "answer": codes of ANSWERS; "orders": bool
Policy = Callable[[Perceived], Moves]


def perceived(batch: Batch, side: int, t: int) -> Perceived:
    """The side's view at the end of day t, from its own perceived slots and beliefs."""
    S, P, n = batch.state, batch.params, batch.runs
    pi, pf = P.pi, P.pf
    slots_i, slots_f = S.SLI[side, :, :n], S.SLF[side, :, :n]  # [slot, run, field]
    shipping = slots_i[..., col.SLI_TARGET] == SHIPPING
    threshold = np.where(shipping, pi[col.PI_SHIPPING_THRESHOLD], pi[col.PI_ATTACK_THRESHOLD])
    rung = slots_i[..., col.SLI_PERCEIVED]
    new = (
        (slots_i[..., col.SLI_ACTIVE] != 0) & (slots_i[..., col.SLI_DAY] == t) & (rung >= threshold)
    )
    ranked = np.where(new, rung, -1)
    worst = ranked.argmax(axis=0)
    runs = np.arange(n)
    found = ranked[worst, runs] >= 0
    odds = slots_f[worst, runs, col.SLF_PRIOR_ODDS] * slots_f[worst, runs, col.SLF_EVIDENCE]
    disavowed = slots_i[worst, runs, col.SLI_DISAVOWED] != 0
    odds = np.where(disavowed, odds / pf[col.PF_LR_C2], odds)
    F, I = S.F[:, :n], S.I[:, :n]
    answered, unanswered = F[col.F_ANSWERED + side], F[col.F_UNANSWERED + side]
    return Perceived(
        day=t - int(pi[col.PI_T0]),
        new_attack_rung=np.where(found, ranked[worst, runs], -1),
        new_attack_group=np.where(found, slots_i[worst, runs, col.SLI_GROUP], -1),
        p_ordered=np.where(found, odds / (1.0 + odds), 0.0),
        belief=F[col.F_BELIEF + side].copy(),
        credibility=F[col.F_CREDIBILITY + side].copy(),
        answer_rate=answered / (answered + unanswered),
        alert=F[col.F_ALERT + side].copy(),
        threat=F[col.F_THREAT + side].copy(),
        resolve=F[col.F_RESOLVE + side].copy(),
        grievance=F[col.F_RAGE + side].copy(),
        ordering=I[col.I_CAMPAIGN + side] != 0,
        at_war=I[col.I_WAR] != 0,
    )


def apply(batch: Batch, side: int, seen: Perceived, moves: Moves) -> None:
    """The policy's moves, for tomorrow: answers become the side's pending response (a campaign
    starts a run of direct strikes), orders stand until changed; the other side perceives
    whether its attack was answered (its answer rate, as when the engine decides)."""
    S, P, n = batch.state, batch.params, batch.runs
    F, I = S.F[:, :n], S.I[:, :n]
    live = ~seen.at_war
    answer = np.asarray(moves.get("answer", np.zeros(n, np.int64)), np.int64)
    if answer.shape != (n,) or answer.min(initial=0) < 0 or answer.max(initial=0) >= len(ANSWERS):
        raise ValueError(f"answer must be {n} codes in 0..{len(ANSWERS) - 1} ({ANSWERS})")
    side_i = P.side_i
    proxy = (answer == 1) & (seen.new_attack_group >= 0) & (side_i[side, col.SDI_STRIKE_PROXY] >= 0)
    state_kind = STRIKE_STATE if side_i[side, col.SDI_STRIKE_STATE] >= 0 else RETALIATE
    can_strike_state = (
        side_i[side, col.SDI_STRIKE_STATE] >= 0 or side_i[side, col.SDI_RETALIATE] >= 0
    )
    state = ((answer >= 2) | ((answer == 1) & ~proxy)) & can_strike_state
    kind = np.where(proxy, STRIKE_PROXY, np.where(state, state_kind, NONE))
    kind = np.where(live, kind, NONE)
    I[col.I_PENDING + side] = kind
    I[col.I_PENDING_DUE + side] = 0  # due at once: carried out on the next day
    I[col.I_PENDING_GROUP + side] = np.where(kind == STRIKE_PROXY, seen.new_attack_group, -1)
    I[col.I_DIRECT_CAMPAIGN + side] = np.where(live & (answer == 3) & state, 1, 0) | np.where(
        I[col.I_DIRECT_CAMPAIGN + side] > 0, I[col.I_DIRECT_CAMPAIGN + side], 0
    )
    I[col.I_ORDERS + side] += (kind > 0).astype(I.dtype)
    attacked = live & (seen.new_attack_rung >= 0)
    F[col.F_ANSWERED + 1 - side] += attacked & (kind > 0)
    F[col.F_UNANSWERED + 1 - side] += attacked & (kind == 0)
    if "orders" in moves and side_i[side, col.SDI_LEADS_GROUPS]:
        orders = np.asarray(moves["orders"], bool)
        if orders.shape != (n,):
            raise ValueError(f"orders must be {n} booleans")
        before = I[col.I_CAMPAIGN + side] != 0
        now = np.where(live, orders, before)
        I[col.I_ORDERS + side] += (now & ~before).astype(I.dtype)
        I[col.I_CAMPAIGN + side] = now
