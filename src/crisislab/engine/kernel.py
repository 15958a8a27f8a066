"""The day loop, compiled with numba: the one implementation of the model (MODEL.md §4).

One call of `run_block` simulates a range of days for a block of runs. The same code serves plain
ensembles, scripted replays and forks (observed events injected on their days: `P.script_i`;
days before the first simulated day are replayed, with no decision taken), traced runs (a log of
every event, decision and red line: `S.log`, for stories) and daily series (`S.daily`), through
flags in the parameters, never through a second copy of the model.

Every random number is keyed (draws.py, philox.py): a pure function of the seed, the run, the day
and what it is for, so a run's numbers do not depend on the block, the chunk, the executor or on
what other runs or other mechanisms drew. A run's own updates touch no other run, so a run
computed alone (a story) is bit for bit the same run as in any batch.

Phases are grouped into passes over the block (start_day, assess, end_day, ...) wherever that
changes no run's order of work; each pass says which phases it holds. Loops over every run of a
block have no branch on a run's figures, so that LLVM runs them on several runs at once (vector
instructions): such a loop marks the runs a later step acts on, and `marked_runs` lists them.
Their conditions combine with `&` and `|`, not `and` and `or`, and read every figure first:
Python's short-circuit operators make LLVM read and write under masks, which is slow.

State `S` (State) holds a whole chunk, runs on the last axis (a phase reads one field of many
runs: contiguous memory), except the perceived attacks' slots (SLF, SLI, fired: [observer, slot,
run, field]), whose fields are read and written together. Fields are read by name: the column
constants of layout.py (`col.F_BELIEF + side`), derived from the declaration in state.py.
"""

# ruff: noqa: E741  (F and I name the float and integer state arrays)

from __future__ import annotations

import math
from collections import namedtuple

import numpy as np
from llvmlite import ir
from numba import njit, types
from numba.core.typing import Signature
from numba.extending import intrinsic

from crisislab.engine import draws as purpose
from crisislab.engine import layout as col
from crisislab.engine.beliefs import (
    attribution_posterior,
    odds,
    posterior,
    prior_ordered,
    update_with_ratio,
)
from crisislab.engine.constants import (
    CONDITION_FIELDS,
    CONDITION_OPS,
    CRISIS_THREAT,
    DIRECT_RUNG,
    DOCTRINES,
    END_MODES,
    FIRST_EVENTS,
    FULL_SCALE_WAR,
    KINETIC_RUNG,
    NEVER,
    OVERT_ODDS,
    RESPONSES,
    ROLES,
    SLOT_MEMORY_DAYS,
    SLOTS,
    TARGETS,
    TOP_RUNG,
)
from crisislab.engine.philox import uniform_pair
from crisislab.engine.violence import violence_level

LIMITS_FROM, LIMITS_TO = 30, 180  # the window of MODEL.md §12 item 7 ("limits"), in days
TACIT, AGREEMENT, IMPOSED = (END_MODES.index(m) for m in ("tacit", "agreement", "imposed"))
# codes of the compiled scenario's tables, named from their one definition (constants.py)
LEADERSHIP, PROXY = ROLES.index("leadership"), ROLES.index("proxy")
TERRITORY, SENIOR_COMMANDER = TARGETS.index("territory"), TARGETS.index("senior_commander")
PROXY_TARGET, SHIPPING = TARGETS.index("proxy"), TARGETS.index("shipping")
NONE, STRIKE_PROXY, STRIKE_STATE, RETALIATE = (RESPONSES.index(r) for r in RESPONSES)
RESTRAINT, GTFT = DOCTRINES.index("restraint"), DOCTRINES.index("gtft")
PROPORTIONAL, TARGETED = DOCTRINES.index("proportional"), DOCTRINES.index("targeted")
FIRST_LETHAL_PROXY = FIRST_EVENTS.index("lethal_proxy_attack")
FIRST_PROXY_STRIKE = FIRST_EVENTS.index("proxy_strike")
FIRST_STATE_STRIKE = FIRST_EVENTS.index("state_strike")
FIRST_VIOLENT_ANSWER = FIRST_EVENTS.index("violent_answer")
REPORTED_DEATHS, REPORTED_INJURIES, P_ORDERED, PERCEIVED_RUNG, TARGET = (
    CONDITION_FIELDS.index(f)
    for f in ("reported_deaths", "reported_injuries", "p_ordered", "perceived_rung", "target")
)
GE, GT, LE, LT, EQ = (CONDITION_OPS.index(op) for op in (">=", ">", "<=", "<", "=="))

# The chunk's state and the scenario's parameters, as the kernel receives them (batch.py builds
# them): named tuples of arrays, read by name (S.F, P.pi)
State = namedtuple(
    "State",
    ("F", "I", "SLF", "SLI", "fired", "grievance", "suppression", "deaths", "injuries", "seen",
     "log", "n_log",
     "daily"),
)  # fmt: skip
Params = namedtuple(
    "Params",
    ("pf", "pi", "side_f", "side_i", "group_f", "group_i", "act_f", "act_i", "line_f", "line_i",
     "cond_i", "cond_v", "script_i", "draw_i"),
)  # fmt: skip

# --- types: each function is compiled once, for the one signature given ------------------------
# Left to infer signatures, numba compiles a function again for each constant a caller passes
# (emit five times, the whole day loop in about a minute). The signature is applied when a caller
# is first compiled, not at import: when run_block comes from numba's cache, nothing else loads.

f8, i8, u8, b1, void = types.float64, types.int64, types.uint64, types.boolean, types.void
# The passes that loop over every run of the block take its bounds `lo, hi` unsigned (u8), so
# their run index is unsigned: numba then leaves out the check for a negative index (Python's
# wrap-around) that it adds to every access with a signed index.


def _array(dtype, ndim: int, layout: str = "C") -> types.Array:
    return types.Array(dtype, ndim, layout)


VEC, IVEC, MASK, ANY_VEC = _array(f8, 1), _array(i8, 1), _array(b1, 1), _array(f8, 1, "A")
ROWS, TABLE, CUBE, SLOT_TABLE = _array(f8, 2), _array(i8, 2), _array(f8, 3), _array(types.int32, 4)
IROWS = _array(getattr(types, col.INTEGER_DTYPE), 2)  # the per-run integers, I
STATE = types.NamedTuple(
    (ROWS, IROWS, _array(f8, 4), SLOT_TABLE, _array(b1, 4), ROWS, ROWS, ROWS, ROWS, _array(b1, 2),
     ROWS, IVEC, _array(types.float32, 3)),
    State,
)  # fmt: skip
PARAMS = types.NamedTuple(
    (VEC, IVEC, *(ROWS, TABLE) * 4, _array(i8, 3), ROWS, TABLE, TABLE), Params
)
FIVE = types.UniTuple(f8, 5)
FOUR = types.UniTuple(f8, 4)
# runs listed per row (a red line, a side), how many in each row, and a figure per run of the block
LISTED = types.Tuple((TABLE, IVEC, TABLE))
# the key of the random streams and the chunk's first run: [k0, k1, first run] (philox.key_of)
KEY = IVEC


# error_model="numpy": a float division by zero gives inf rather than raising, so numba adds no
# test and branch before each division, and loops that divide can work on several runs at once
# (observe_groups). No division of the kernel has a zero divisor: the results are the same.
OPTIONS = {"cache": True, "error_model": "numpy"}


def jit(signature: Signature, inline: bool = False):
    """A phase, called only from compiled code (so without a Python wrapper), compiled for
    `signature` alone the first time a caller is typed; callers' constants are converted.
    `inline` functions are copied into their callers (numba's inline="always")."""

    def decorate(func):
        dispatcher = njit(
            **OPTIONS,
            inline="always" if inline else "never",
            no_cpython_wrapper=True,
            no_cfunc_wrapper=True,
        )(func)
        call_template = dispatcher.get_call_template

        def one_signature(args, kws):
            if dispatcher._can_compile:
                dispatcher.compile(signature.args)
                dispatcher.disable_compile()
            return call_template(args, kws)

        dispatcher.get_call_template = one_signature
        return dispatcher

    return decorate


# --- small pieces shared by the phases --------------------------------------------------------


@jit(f8(f8), inline=True)
def exp_ceiling(y):
    """A bound above exp(y), cheap to compute: 1 + y + y² exceeds exp(y) for y <= 1, and the
    margin of 1e-9 is far wider than rounding. A draw at or above rate-with-the-bound is above
    the rate itself, so group_acts skips the exponential there and decides exactly as before."""
    if y > 1.0:
        return math.inf
    return (1.0 + y + y * y) * (1.0 + 1e-9)


@jit(i8(VEC, IVEC, f8))
def latency(pf, pi, u):
    return pi[col.PI_LATENCY_WHOLE] + (1 if u < pf[col.PF_LATENCY_FRAC] else 0)


# --- keyed random numbers -------------------------------------------------------------------


@jit(types.UniTuple(f8, 2)(KEY, i8, i8, i8, i8, i8), inline=True)
def pair(key, j, t, what, slot, index):
    """Uniforms 2 index and 2 index + 1 of run j's stream for (day t, purpose `what`, slot)."""
    return uniform_pair(key[0], key[1], key[2] + j, t, what, slot, index)


@jit(f8(KEY, i8, i8, i8, i8, i8), inline=True)
def gaussian(key, j, t, what, slot, index):
    """A standard normal of run j's stream (Box-Muller, cos branch: philox.normal)."""
    u0, u1 = uniform_pair(key[0], key[1], key[2] + j, t, what, slot, index)
    return math.sqrt(-2.0 * math.log(1.0 - u0)) * math.cos(2.0 * math.pi * u1)


@jit(void(KEY, ROWS, i8, u8, u8, TABLE))
def fill_uniforms(key, u, t, lo, hi, draw_i):
    """The day's dense uniforms u[row, run]: one keyed pair per draw of `draw_i` (two rows, or one
    and the pair's second number unused); draws no pass reads are skipped."""
    for d in range(draw_i.shape[0]):
        if not draw_i[d, col.DRI_READ]:
            continue
        what, slot = draw_i[d, col.DRI_PURPOSE], draw_i[d, col.DRI_SLOT]
        r0, r1 = draw_i[d, col.DRI_ROW0], draw_i[d, col.DRI_ROW1]
        if r1 < 0:
            for j in range(lo, hi):
                u[r0, j - lo] = pair(key, j, t, what, slot, 0)[0]
        else:
            for j in range(lo, hi):
                a, b = pair(key, j, t, what, slot, 0)
                u[r0, j - lo] = a
                u[r1, j - lo] = b


# --- traced runs ----------------------------------------------------------------------------


@jit(i8(STATE, i8, i8, i8))
def record(S, t, what, j):
    """A new record of the log for run j (its row), or -1 once the log is full (the caller then
    runs again with room for S.n_log[0] records: nothing is dropped)."""
    n = S.n_log[0]
    S.n_log[0] = n + 1
    if n >= S.log.shape[0]:
        return -1
    S.log[n, col.LOG_DAY] = t
    S.log[n, col.LOG_WHAT] = what
    S.log[n, col.LOG_RUN] = j
    return n


@jit(void(STATE, i8, i8, i8, f8))
def record_front(S, t, j, news, value):
    r = record(S, t, col.WHAT_FRONT, j)
    if r >= 0:
        S.log[r, col.LOG_NEWS] = news
        S.log[r, col.LOG_VALUE] = value


@intrinsic
def _trailing_zeros(typingctx, x):
    """LLVM's count of trailing zeros of a nonzero int64: the index of its lowest set bit."""

    def codegen(context, builder, sig, args):
        return builder.cttz(args[0], ir.Constant(ir.IntType(1), 1))

    return i8(i8), codegen


@jit(types.UniTuple(i8, 2)(i8), inline=True)
def next_slot(active):
    """The lowest active slot of a mask of active slots (layout.I_SLOT_MASK, not zero), and the
    mask without it: `while active: k, active = next_slot(active)` visits the active slots in
    order, and only those (most runs have one or two)."""
    return _trailing_zeros(active), active & (active - 1)


@jit(LISTED(i8, i8))
def listed_runs(rows, n):
    """Room to list up to n runs in each of `rows` rows, with a figure for each run (LISTED)."""
    return np.empty((rows, n), np.int64), np.zeros(rows, np.int64), np.empty((rows, n), np.int64)


@jit(i8(MASK, i8, i8, IVEC))
def marked_runs(marks, lo, n, out):
    """The runs lo + k with marks[k] set (k < n) written to `out` in order; how many. The marks
    are read eight at a time, as most are clear: the loops that set them have no list to keep
    and so can mark several runs at once."""
    c, whole = 0, n - n % 8
    words = marks[:whole].view(np.uint64)
    for w in range(whole // 8):
        if words[w] == 0:
            continue
        for k in range(8 * w, 8 * w + 8):
            if marks[k]:
                out[c] = lo + k
                c += 1
    for k in range(whole, n):
        if marks[k]:
            out[c] = lo + k
            c += 1
    return c


@jit(void(IROWS, IVEC, i8, i8, i8), inline=True)
def mark_first(I, pi, t, j, which):
    if t >= pi[col.PI_T0] and I[col.I_FIRST_DAY + which, j] < 0:
        I[col.I_FIRST_DAY + which, j] = t - pi[col.PI_T0]


# --- events: truth, then perception by the other side ------------------------------------------
# (each function comes after those it calls: it is compiled where it is defined)


@jit(void(IROWS, IVEC, i8, i8, i8, i8, i8), inline=True)
def direct_exchange(I, pi, t, j, side, rung, deaths):
    """A state's act on the other state: direct exchanges, and the chain of direct strikes
    (rung >= war_rung, each within the window of the last) that ICB's serious clashes count,
    with a bit per side whose strikes in the chain killed."""
    if rung >= DIRECT_RUNG:
        if t > pi[col.PI_T0]:
            I[col.I_DIRECT_EXCHANGES, j] += 1
        if t >= pi[col.PI_WINDOW_START]:
            I[col.I_WINDOW_DIRECT, j] += 1
    if rung < pi[col.PI_WAR_RUNG]:
        return
    within = (
        t - I[col.I_CHAIN_START, j] <= pi[col.PI_WAR_EXCHANGE_WINDOW] and I[col.I_CHAIN_LEN, j] > 0
    )
    if not within:
        I[col.I_CHAIN_LEN, j] = 0
        I[col.I_CHAIN_LETHAL, j] = 0
    I[col.I_CHAIN_LEN, j] += 1
    I[col.I_CHAIN_START, j] = t
    I[col.I_CHAIN_SIDE, j] = side
    if deaths > 0:
        I[col.I_CHAIN_LETHAL, j] |= 1 << side


@jit(f8(f8, i8, b1), inline=True)
def damage(per_strike, deaths, leader):
    """A hostile act's weight on its victim's grievance, and what it pays down of its author's
    (MODEL.md §1): a strike's weight, more with the log of its deaths and for a leader killed."""
    return per_strike * (1.0 + math.log1p(deaths)) + (1.0 if leader else 0.0)


@jit(void(STATE, PARAMS, i8, i8, i8, i8, i8, i8, i8, i8, i8, i8, b1, b1, b1), inline=True)
def truth(
    S, P, t, j, side, group, role, act, rung, deaths, injuries, victim, is_ordered, front, observed
):
    """The act's true consequences in run j: casualties, scores, rungs, the fronts' tallies,
    exchanges; first days of observable kinds for simulated acts only (an `observed` act is the
    record, and a forecast is of what follows it)."""
    F, I = S.F, S.I
    pi, side_i, act_f, act_i = P.pi, P.side_i, P.act_f, P.act_i
    S.deaths[victim, j] += deaths
    S.injuries[victim, j] += injuries
    F[col.F_GOLDSTEIN, j] += act_f[act, col.AF_GOLDSTEIN]
    F[col.F_RIVERA, j] += act_f[act, col.AF_RIVERA]
    I[col.I_DAY_RUNG, j] = max(I[col.I_DAY_RUNG, j], rung)
    if deaths > 0:
        if t - I[col.I_LAST_LETHAL_DAY, j] > pi[col.PI_WAR_EXCHANGE_WINDOW]:
            I[col.I_EPISODE_UNORDERED, j] = 0 if is_ordered else 1
        I[col.I_LAST_LETHAL_DAY, j] = t
        I[col.I_LETHAL_TODAY, j] = 1
    hits = act_i[act, col.AI_HITS]
    if pi[col.PI_HOST_ON]:
        # a violation of the host's sovereignty by any side: a strike on a target kind on its
        # soil, or an armed group's own attack on the defender's forces stationed there (not its
        # accidents or losses of control, which are other acts)
        presence = group >= 0 and P.group_i[group, col.GI_PRESENCE] != 0
        own_attack = presence and act == P.group_i[group, col.GI_ACTION]
        on_soil = pi[col.PI_SOIL + hits] != 0 or own_attack
        if on_soil:
            F[col.F_SOIL_TODAY, j] += 1.0 if rung >= KINETIC_RUNG else 0.0
        if victim == pi[col.PI_HOST_NAT]:
            F[col.F_HOST_DEATHS_TODAY, j] += deaths
    lethal_on_defender = deaths > 0 and victim == side_i[0, col.SDI_NATIONALITY]
    if group >= 0 and role == PROXY and not front and lethal_on_defender and not observed:
        mark_first(I, pi, t, j, FIRST_LETHAL_PROXY)
    if side == 0 and role == LEADERSHIP and not observed:
        if rung >= KINETIC_RUNG:
            mark_first(I, pi, t, j, FIRST_VIOLENT_ANSWER)
        if hits == PROXY_TARGET:
            mark_first(I, pi, t, j, FIRST_PROXY_STRIKE)
        elif hits == TERRITORY:
            mark_first(I, pi, t, j, FIRST_STATE_STRIKE)
    if group >= 0 and not front:
        I[col.I_GROUP_ATTACKS, j] += 1
        day = t - pi[col.PI_T0]
        if is_ordered and day > 0:
            I[col.I_ORDERED_ATTACKS, j] += 1
            I[col.I_ORDERED_ATTACKS_MID, j] += 1 if LIMITS_FROM <= day <= LIMITS_TO else 0
        if t >= pi[col.PI_WINDOW_START]:
            I[col.I_WINDOW_ATTACKS, j] += 1
    if role != PROXY and hits <= SENIOR_COMMANDER:  # a state act: battle deaths, exchanges
        F[col.F_BATTLE_DEATHS, j] += deaths
        direct_exchange(I, pi, t, j, side, rung, deaths)
    if rung >= KINETIC_RUNG:  # grievance: the victim side's grows, the author's is paid down
        leader = hits == SENIOR_COMMANDER and deaths > 0
        weight = damage(P.pf[col.PF_GRIEVANCE_PER_STRIKE], deaths, leader)
        for s in range(2):
            if victim == side_i[s, col.SDI_NATIONALITY] and s != side:
                F[col.F_RAGE + s, j] += weight
                if deaths > 0:  # resolve falls for good with the log of its own deaths
                    F[col.F_RESOLVE_TARGET + s, j] = F[col.F_RESOLVE_DRAWN + s, j] - P.pf[
                        col.PF_DEATH_SLOPE
                    ] * math.log1p(S.deaths[victim, j])
                if leader:  # a rally round the flag (MODEL.md §1)
                    F[col.F_RESOLVE + s, j] = min(
                        0.99, F[col.F_RESOLVE + s, j] + P.pf[col.PF_RALLY]
                    )
        if role == LEADERSHIP:
            F[col.F_RAGE + side, j] = max(0.0, F[col.F_RAGE + side, j] - weight)


@jit(void(STATE, PARAMS, i8, i8, ANY_VEC, i8, i8, i8, i8, i8, i8, i8, i8, i8, b1), inline=True)
def open_slot(
    S, P, t, j, ur, obs, side, group, role, act, perceived, victim, deaths, injuries, is_ordered
):
    F, I, SLF, SLI, fired = S.F, S.I, S.SLF, S.SLI, S.fired
    pf, pi, group_f, act_f = P.pf, P.pi, P.group_f, P.act_f
    k = I[col.I_SLOT_NEXT + obs, j]
    I[col.I_SLOT_NEXT + obs, j] = (k + 1) % SLOTS
    s, f = SLI[obs, k, j], SLF[obs, k, j]
    I[col.I_SLOT_MASK + obs, j] |= 1 << k
    s[col.SLI_ACTIVE] = 1
    f[col.SLF_EVIDENCE] = 1.0
    s[col.SLI_DISAVOWED] = 0
    fired[obs, k, j, :] = False
    s[col.SLI_DAY] = t
    s[col.SLI_GROUP] = group
    s[col.SLI_ROLE] = role
    s[col.SLI_TARGET] = P.act_i[act, col.AI_HITS]
    s[col.SLI_PERCEIVED] = perceived
    s[col.SLI_VICTIM] = victim
    s[col.SLI_REPORTED_DEATHS] = 0
    s[col.SLI_REPORTED_INJURIES] = math.floor(injuries * pf[col.PF_INITIAL_INJURY_SHARE])
    if role == LEADERSHIP:
        f[col.SLF_PRIOR_ODDS] = OVERT_ODDS
    else:
        f[col.SLF_PRIOR_ODDS] = odds(
            prior_ordered(
                F[col.F_BELIEF + obs, j],
                group_f[group, col.GF_ASSUMED_CONTROL],
                pf[col.PF_ORDER_SHARE],
                pf[col.PF_ORDERED_MULTIPLIER],
            )
        )
    lag = math.floor(math.log(ur[4]) / pf[col.PF_LAG_LOG]) if pi[col.PI_LAG_ON] else 0.0
    s[col.SLI_DEATHS] = deaths
    s[col.SLI_INJURIES] = injuries
    s[col.SLI_REPORT_DAY] = int(t + lag)
    s[col.SLI_ORDERED] = 1 if is_ordered else 0
    s[col.SLI_C2_DAY] = NEVER
    if role == LEADERSHIP:
        s[col.SLI_FINDING_DAY] = NEVER
        return
    acc = act_f[act, col.AF_ACCURACY]
    says = (ur[5] < acc) if is_ordered else (ur[5] >= acc)
    f[col.SLF_FINDING] = act_f[act, col.AF_EVIDENCE_YES if says else col.AF_EVIDENCE_NO]
    s[col.SLI_FINDING_DAY] = t + pi[col.PI_ATTRIBUTION_DELAY]
    if pi[col.PI_CARRIES_C2] and deaths > 0:
        limited = I[col.I_LIMITED + side, j] != 0
        sends = (not is_ordered) if limited else (ur[6] < pf[col.PF_C2_LIE])
        if sends:
            s[col.SLI_C2_DAY] = t + latency(pf, pi, ur[7])


@jit(i8(STATE, PARAMS, i8, i8, ANY_VEC, f8, i8, i8, i8, i8, i8, i8, i8, i8, b1, b1), inline=True)
def perceive(
    S, P, t, j, ur, noise, side, group, role, act, rung, deaths, injuries, victim, is_ordered, front
):
    """The other side perceives the act (MODEL.md §6): detection, the perceived rung (noise and
    expectation bias), alert, hostility, belief from a leadership's signal, and a slot for a
    hostile act. Returns the perceived rung, or -1 if the act went unseen."""
    F, I = S.F, S.I
    pf, pi, act_f, act_i = P.pf, P.pi, P.act_f, P.act_i
    obs = 1 - side
    detected = ur[3] < act_f[act, col.AF_P_DETECT]
    bias = pf[col.PF_EXPECTATION_BIAS] * (1.0 - 2.0 * F[col.F_BELIEF + obs, j])
    x = np.rint(rung + bias + pf[col.PF_SIGMA] * noise)
    perceived = int(min(max(x, 0.0), float(TOP_RUNG)))
    if not detected:
        return -1
    if abs(perceived - rung) >= pi[col.PI_MISPERCEPTION_GAP]:
        I[col.I_MISPERCEPTIONS, j] += 1
    if group >= 0 and not front:
        S.seen[group, j] = True
    I[col.I_VIEW_DAY_RUNG + obs, j] = max(I[col.I_VIEW_DAY_RUNG + obs, j], perceived)
    if role == LEADERSHIP and act_i[act, col.AI_HAS_RATIO]:
        ratio = act_f[act, col.AF_RATIO_PLAIN]
        if act_i[act, col.AI_HAS_WARNED] and abs(perceived - act_i[act, col.AI_RUNG + 1]) < abs(
            perceived - act_i[act, col.AI_RUNG]
        ):
            ratio = act_f[act, col.AF_RATIO_WARNED]
        F[col.F_BELIEF + obs, j] = update_with_ratio(
            F[col.F_BELIEF + obs, j], ratio, pf[col.PF_GAMMA]
        )
    hits = act_i[act, col.AI_HITS]
    threshold = pi[col.PI_SHIPPING_THRESHOLD] if hits == SHIPPING else pi[col.PI_ATTACK_THRESHOLD]
    F[col.F_ALERT + obs, j] = min(
        1.0, F[col.F_ALERT + obs, j] + pf[col.PF_ALERT_PER_EVENT] * min(1.0, perceived / 7.0)
    )
    if perceived >= threshold:
        F[col.F_HOSTILITY, j] += perceived / TOP_RUNG
        open_slot(
            S,
            P,
            t,
            j,
            ur,
            obs,
            side,
            group,
            role,
            act,
            perceived,
            victim,
            deaths,
            injuries,
            is_ordered,
        )
    return perceived


@jit(void(STATE, PARAMS, KEY, i8, i8, IVEC, i8, i8, i8, MASK, MASK, i8, i8, b1, i8, i8))
def emit(
    S, P, key, t, lo, idx, side, group, act, ordered, warned, victim, forced, front, source, struck
):
    """One kind of act in the runs `idx`: its casualties (truth), then the other side's
    perception. `ordered` and `warned` are block-local masks; `forced` deaths (>= 0) come from
    the record or the scenario; `source` keys the act's draws (draws.py); `struck` is the group a
    proxy strike hit (for the log)."""
    m = idx.size
    if m == 0:
        return
    side_i, group_i, act_f, act_i = P.side_i, P.group_i, P.act_f, P.act_i
    tracing = P.pi[col.PI_TRACING] != 0
    ur = np.empty((8, m))
    noise = np.empty(m)
    for k in range(m):
        j = idx[k]
        for q in range(4):
            ur[2 * q, k], ur[2 * q + 1, k] = pair(key, j, t, purpose.EVENT, source, q)
        noise[k] = gaussian(key, j, t, purpose.EVENT, source, 4)
    if victim < 0:
        victim = side_i[1 - side, col.SDI_NATIONALITY]
    role = LEADERSHIP if group < 0 else group_i[group, col.GI_ROLE]
    retaliation = source == purpose.SOURCE_RETALIATION + side
    sigma = P.pf[col.PF_CASUALTY_SIGMA]
    for k in range(m):
        j = idx[k]
        v = 1 if (act_i[act, col.AI_HAS_WARNED] and warned[j - lo]) else 0
        d_mean = act_f[act, col.AF_DEATHS_MEAN + v]
        deaths = forced
        if forced < 0:
            deaths = 0
            if ur[0, k] < act_f[act, col.AF_P_KILL + v]:  # a hurdle, then a lognormal (§9)
                z = gaussian(key, j, t, purpose.EVENT, source, 5)
                median = d_mean * math.exp(-0.5 * sigma * sigma)  # d_mean: the mean if it kills
                deaths = max(1, math.floor(median * math.exp(sigma * z) + 0.5))
        injuries = math.floor(-act_f[act, col.AF_INJURIES_MEAN + v] * math.log(ur[2, k]))
        rung = act_i[act, (col.AI_LETHAL_RUNG if deaths > 0 else col.AI_RUNG) + v]
        is_ordered = ordered[j - lo]
        belief_before = S.F[col.F_BELIEF + 1 - side, j]
        truth(
            S, P, t, j, side, group, role, act, rung, deaths, injuries, victim, is_ordered, front,
            source >= purpose.SOURCE_SCRIPT,
        )  # fmt: skip
        perceived = perceive(
            S,
            P,
            t,
            j,
            ur[:, k],
            noise[k],
            side,
            group,
            role,
            act,
            rung,
            deaths,
            injuries,
            victim,
            is_ordered,
            front,
        )
        if tracing:
            r = record(S, t, col.WHAT_EVENT, j)
            if r >= 0:
                row = S.log[r]
                row[col.LOG_SIDE], row[col.LOG_GROUP], row[col.LOG_ACTION] = side, group, act
                row[col.LOG_SOURCE], row[col.LOG_ORDERED] = source, is_ordered
                row[col.LOG_RUNG] = rung
                row[col.LOG_WARNED] = v
                intends = S.I[col.I_LIMITED + side, j] != 0 if retaliation else v == 1
                row[col.LOG_INTENDED_WARNED] = intends
                row[col.LOG_DEATHS], row[col.LOG_INJURIES] = deaths, injuries
                row[col.LOG_VICTIM], row[col.LOG_DETECTED] = victim, perceived >= 0
                row[col.LOG_PERCEIVED], row[col.LOG_STRUCK_GROUP] = perceived, struck
                row[col.LOG_P_ORDERED] = 1.0
                if group >= 0:
                    row[col.LOG_P_ORDERED] = prior_ordered(
                        belief_before,
                        P.group_f[group, col.GF_ASSUMED_CONTROL],
                        P.pf[col.PF_ORDER_SHARE],
                        P.pf[col.PF_ORDERED_MULTIPLIER],
                    )


@jit(void(STATE, PARAMS, KEY, i8, i8, IVEC, b1, i8))
def send_message(S, P, key, t, side, idx, mimic, reason):
    """A 'matter concluded' message from `side` in the runs `idx`; an aggressive sender mimics
    it with probability 1/LR (with `mimic` false, an observed message: every run sends it)."""
    F, I = S.F, S.I
    pf, pi, side_i, act_f = P.pf, P.pi, P.side_i, P.act_f
    act = side_i[side, col.SDI_MESSAGE]
    if not pi[col.PI_CHANNEL_OPEN] or act < 0:
        return
    obs = 1 - side
    for k in range(idx.size):
        j = idx[k]
        lie, delay = pair(key, j, t, purpose.MESSAGE, side * 8 + reason, 0)
        if I[col.I_LIMITED + side, j] or lie < pf[col.PF_MSG_LIE] or not mimic:
            arrival = t + latency(pf, pi, delay)
            I[col.I_MESSAGES_SENT + side, j] += 1
            I[col.I_MESSAGE_DAY + obs, j] = min(I[col.I_MESSAGE_DAY + obs, j], arrival)
            F[col.F_GOLDSTEIN, j] += act_f[act, col.AF_GOLDSTEIN]
            F[col.F_RIVERA, j] += act_f[act, col.AF_RIVERA]
            if pi[col.PI_TRACING]:
                r = record(S, t, col.WHAT_MESSAGE, j)
                if r >= 0:
                    S.log[r, col.LOG_SIDE], S.log[r, col.LOG_VALUE] = side, arrival


@jit(void(STATE, PARAMS, i8, i8, i8), inline=True)
def speak(S, P, t, j, side):
    """An inflammatory statement by `side` in run j: commitment for the speaker (which the
    listener hears: heard_commitment), grievance for the other side's groups, a little less
    trust and more alert in the listener."""
    F, I, pf, act_i = S.F, S.I, P.pf, P.act_i
    act = P.side_i[side, col.SDI_RHETORIC]
    listener, rung = 1 - side, act_i[act, col.AI_RUNG]
    F[col.F_COMMITMENT + side, j] += pf[col.PF_COMMITMENT_PER_SPEECH]
    F[col.F_HEARD_COMMITMENT + listener, j] += pf[col.PF_COMMITMENT_PER_SPEECH]  # public words
    for i in range(P.pi[col.PI_N_GROUPS]):
        if P.group_i[i, col.GI_SIDE] != side:
            S.grievance[i, j] += pf[col.PF_GRIEVANCE_PER_SPEECH]
    F[col.F_BELIEF + listener, j] = update_with_ratio(
        F[col.F_BELIEF + listener, j], pf[col.PF_SPEECH_RATIO], pf[col.PF_GAMMA]
    )
    F[col.F_ALERT + listener, j] = min(
        1.0, F[col.F_ALERT + listener, j] + pf[col.PF_ALERT_PER_EVENT] * rung / 7
    )
    I[col.I_VIEW_DAY_RUNG + listener, j] = max(I[col.I_VIEW_DAY_RUNG + listener, j], rung)
    F[col.F_GOLDSTEIN, j] += P.act_f[act, col.AF_GOLDSTEIN]
    F[col.F_RIVERA, j] += P.act_f[act, col.AF_RIVERA]
    I[col.I_DAY_RUNG, j] = max(I[col.I_DAY_RUNG, j], rung)
    if P.pi[col.PI_TRACING]:
        r = record(S, t, col.WHAT_RHETORIC, j)
        if r >= 0:
            S.log[r, col.LOG_SIDE] = side


# --- decisions: logit quantal response over expected utilities (MODEL.md §5) ---------------
# Every function here reads only the decider's perceived state (`view` fields) and its own
# hidden state (`own` fields): tests/engine/test_engine_perception.py keeps it so.


@jit(f8(f8, f8), inline=True)
def answer_rate(answered, unanswered):
    """The share of its attacks the decider has seen the other side answer (a Beta-binomial
    mean: the counts start from the prior's)."""
    return answered / (answered + unanswered)


@jit(f8(f8, f8, f8, f8, f8, f8, f8, f8, f8, f8, f8), inline=True)
def order_utility(
    resolve, rage, belief, kappa, answered, unanswered, cross, value, cost, loss, weight
):
    """ΔEU of ordering one's armed groups to attack, against holding: the stake it is worth
    (r·value) and the revenge it pays, less its own cost ((1 - r)·cost) and the expected loss
    of an answer. The answer comes with the chance that an attack is perceived as crossing the
    other's red line (`cross`) times the line's credibility κ, and otherwise with the answer
    rate the decider has perceived; its loss is larger the more resolved the other seems
    (1 - belief). Deterrence is this last term."""
    p_answer = cross * kappa + (1.0 - cross) * answer_rate(answered, unanswered)
    expected_loss = p_answer * loss * (1.0 - resolve) * (2.0 - belief)
    return resolve * value + weight * rage - (1.0 - resolve) * cost - expected_loss


@jit(f8(f8, f8, f8), inline=True)
def credible(kappa, audience, heard):
    """The credibility of the other's red lines once its public commitment is heard: the chance
    it is committed grows as 1 - (1 - κ) exp(-w · commitment), w its audience cost, as the
    owner's own commitment does (MODEL.md §5: statements of resolve deter)."""
    return 1.0 - (1.0 - kappa) * math.exp(-audience * heard)


@jit(f8(f8, f8), inline=True)
def logistic(precision, eu):
    """The logit choice probability of an option against holding (McKelvey & Palfrey 1995)."""
    return 1.0 / (1.0 + math.exp(-precision * eu))


@jit(void(STATE, PARAMS, i8, u8, u8, ROWS, MASK, i8))
def decide_orders(S, P, t, lo, hi, u, alive, side):
    """A leadership's posture toward its armed groups: on a decision occasion (a background
    rate, higher on alert, or the day after it perceived a new hostile act) it orders attacks
    or holds, by the logit of order_utility; between occasions its orders stand. A loop with no
    branch on a run's figures marks the occasions (several runs at once); only those runs
    compute their utility."""
    F, I = S.F, S.I
    pf, pi, side_f, side_i = P.pf, P.pi, P.side_f, P.side_i
    row, choice_row = side_i[side, col.SDI_ROW], pi[col.PI_ROW_DECIDE] + side
    rate, precision = pf[col.PF_OCCASION_RATE], pf[col.PF_LOGIT_PRECISION]
    value, cost, loss = pf[col.PF_ORDER_VALUE], pf[col.PF_ORDER_COST], pf[col.PF_ANSWER_LOSS]
    weight, cross = pf[col.PF_GRIEVANCE_WEIGHT], side_f[side, col.SDF_CROSS_CHANCE]
    audience = side_f[1 - side, col.SDF_AUDIENCE_COST]  # the other's, a public figure
    emboldened = math.log(pf[col.PF_DETERRENCE_AFTER]) if side == 1 and pi[col.PI_HOST_ON] else 0.0
    # no occasion on the first simulated day (its act is the opening event); replayed days
    # have occasions: a particle's orders are hidden state the record speaks to (MODEL.md §14)
    begun, tracing = t != pi[col.PI_T0], pi[col.PI_TRACING] != 0
    before = np.empty(np.int64(hi - lo) if tracing else 0, np.int64)
    for j in range(lo, hi if tracing else lo):  # the orders before, to log what changed
        before[j - lo] = I[col.I_CAMPAIGN + side, j]
    n, first = hi - lo, np.int64(lo)
    marks = np.empty(n, np.bool_)
    for j in range(lo, hi):  # which runs have an occasion: several runs at once
        jl = j - lo
        alert = F[col.F_ALERT + side, j]
        marks[jl] = (
            alive[jl]
            & begun
            & ((u[row, jl] < rate * (1.0 + alert)) | (I[col.I_OCCASION + side, j] != 0))
        )
        I[col.I_OCCASION + side, j] = 0
    deciding = np.empty(n, np.int64)
    for q in range(marked_runs(marks, first, n, deciding)):  # the few that decide
        j = deciding[q]
        eu = order_utility(
            F[col.F_RESOLVE + side, j], F[col.F_RAGE + side, j], F[col.F_BELIEF + side, j],
            credible(F[col.F_CREDIBILITY + side, j], audience, F[col.F_HEARD_COMMITMENT + side, j]),
            F[col.F_ANSWERED + side, j], F[col.F_UNANSWERED + side, j], cross, value, cost, loss,
            weight,
        )  # fmt: skip
        if I[col.I_WITHDRAWAL_DAY, j] >= 0:  # the defender's forces gone: less to fear
            eu += emboldened / max(precision, 1e-9)
        now = u[choice_row, j - first] < logistic(precision, eu)
        campaign = I[col.I_CAMPAIGN + side, j] != 0
        I[col.I_CAMPAIGN + side, j] = 1 if now else 0
        I[col.I_ORDERS + side, j] += 1 if now and not campaign else 0
    for j in range(lo, hi if tracing else lo):
        now = I[col.I_CAMPAIGN + side, j]
        if now != before[j - lo]:
            r = record(S, t, col.WHAT_ORDERS, j)
            if r >= 0:
                S.log[r, col.LOG_SIDE], S.log[r, col.LOG_VALUE] = side, now


# --- the passes of one day --------------------------------------------------------------------
# The day's phases come in the order of docs/model.md §4. A phase's work on one run touches that
# run alone, so phases can share one loop over the runs, provided each run sees the phases in
# that order and no phase in the loop reads what a later one in it writes for another purpose.
# Fewer passes over a block is most of the kernel's speed; each pass's docstring names the
# phases it holds and why they may share it.


@jit(types.UniTuple(i8, 2)(STATE, PARAMS, i8, u8, u8, ROWS, MASK, ROWS, MASK, IVEC, IVEC, b1))
def start_day(S, P, t, lo, hi, u, alive, effort, marks, accidents, losses, replay):
    """A new day (today's rungs and sightings cleared), then, unless the day is `replay`ed,
    the hazards' draws; the orders (decide_orders) and the enforcement posture; the numbers of
    runs listed in `accidents` and `losses` (of control), whose events are emitted after this
    pass: those events write nothing the orders read, and the orders nothing an event reads.
    Each phase is a loop of its own with no branch on a run's figures, so that the processor does
    several runs at once."""
    F, I, seen = S.F, S.I, S.seen
    pf, pi, side_f, side_i, group_i = P.pf, P.pi, P.side_f, P.side_i, P.group_i
    n = hi - lo
    accident_on = pi[col.PI_ACCIDENT_GROUP] >= 0 and pi[col.PI_ACCIDENT_ACTION] >= 0
    loss_on = pi[col.PI_LOC_GROUP] >= 0 and pi[col.PI_LOC_ACTION] >= 0
    alert_row = col.F_ALERT + (
        group_i[pi[col.PI_ACCIDENT_GROUP], col.GI_SIDE] if accident_on else 0
    )
    accident_rate, accident_row = pf[col.PF_ACCIDENT_RATE], pi[col.PI_ROW_ACCIDENT]
    loss_rate, loss_row = pf[col.PF_LOC_RATE], pi[col.PI_ROW_LOC]
    # today's rungs and sightings start from nothing
    I[col.I_DAY_RUNG, lo:hi] = 0
    I[col.I_VIEW_DAY_RUNG, lo:hi] = 0
    I[col.I_VIEW_DAY_RUNG + 1, lo:hi] = 0
    seen[:, lo:hi] = False
    for j in range(lo, hi):
        alive[j - lo] = I[col.I_WAR, j] == 0
    decay_b = pf[col.PF_DECAY_BELIEF]
    for side in range(2):
        # each observer first lets its belief drift as it expects the other's resolve to move
        # (toward its prior), then weighs the day's evidence: quiet days do not drive it to
        # certainty (MODEL.md §7)
        trust = side_f[side, col.SDF_PRIOR_TRUST]
        for j in range(lo, hi):
            F[col.F_BELIEF + side, j] = trust + (F[col.F_BELIEF + side, j] - trust) * decay_b
    n_accidents = n_losses = 0
    if replay:  # no hazard on a replayed day (the record has the acts), but orders stand
        accident_on = loss_on = False
    if accident_on:
        for j in range(lo, hi):
            x, alert = u[accident_row, j - lo], F[alert_row, j]
            hit = alive[j - lo] & (x < accident_rate * alert)
            I[col.I_ACCIDENTS, j] += 1 if hit else 0
            marks[j - lo] = hit
        n_accidents = marked_runs(marks, lo, n, accidents)
    if loss_on:
        for j in range(lo, hi):
            x, rate = u[loss_row, j - lo], loss_rate * F[col.F_RUNG_LEVEL, j]
            marks[j - lo] = alive[j - lo] & (x < rate)
        n_losses = marked_runs(marks, lo, n, losses)
    for side in range(2):
        external = (pi[col.PI_EXTERNAL] >> side) & 1  # its policy decides (external.py)
        if side_i[side, col.SDI_LEADS_GROUPS] and not external:
            decide_orders(S, P, t, lo, hi, u, alive, side)
        enforcement = side_f[side, col.SDF_ENFORCEMENT]
        for j in range(lo, hi):  # posture: a leadership below resolve 1/2 restrains its groups
            effort[side, j - lo] = enforcement if F[col.F_RESOLVE + side, j] < 0.5 else 0.0
    return n_accidents, n_losses


@jit(void(STATE, PARAMS, KEY, i8, i8, IVEC, IVEC, MASK))
def hazard_events(S, P, key, t, lo, accidents, losses, nobody):
    """The accidents' events, then the losses of control's (the rest of the day's hazards)."""
    pi, group_i = P.pi, P.group_i
    g, act = pi[col.PI_ACCIDENT_GROUP], pi[col.PI_ACCIDENT_ACTION]
    if g >= 0 and act >= 0 and accidents.size:
        side = group_i[g, col.GI_SIDE]
        emit(S, P, key, t, lo, accidents, side, g, act, nobody, nobody, -1, -1, False,
             purpose.SOURCE_ACCIDENT, -1)  # fmt: skip
    g, act = pi[col.PI_LOC_GROUP], pi[col.PI_LOC_ACTION]
    if g >= 0 and act >= 0 and losses.size:
        side = group_i[g, col.GI_SIDE]
        emit(S, P, key, t, lo, losses, side, g, act, nobody, nobody, -1, -1, False,
             purpose.SOURCE_LOSS, -1)  # fmt: skip


@jit(void(STATE, PARAMS, KEY, i8, i8, i8))
def initial_event(S, P, key, t, lo, hi):
    pi = P.pi
    n = hi - lo
    everyone = np.arange(lo, hi)
    warned = np.full(n, pi[col.PI_INITIAL_WARNED] != 0)
    side = pi[col.PI_INITIAL_SIDE]
    emit(
        S,
        P,
        key,
        t,
        lo,
        everyone,
        side,
        pi[col.PI_INITIAL_GROUP],
        pi[col.PI_INITIAL_ACTION],
        np.ones(n, np.bool_),
        warned,
        -1,
        pi[col.PI_INITIAL_DEATHS],
        False,
        purpose.SOURCE_INITIAL,
        -1,
    )
    if pi[col.PI_INITIAL_WARNED]:
        send_message(S, P, key, t, side, everyone, True, purpose.MESSAGE_OPENING)


@jit(i8(IROWS, i8, IVEC, i8, i8, i8, IVEC))
def choosing(I, side, todo, m, kind, group, out):
    """Of the m runs `todo`, those whose pending response is `kind` (against `group`, when it is
    not negative), written to `out` in run order; how many."""
    c = 0
    for q in range(m):
        j = todo[q]
        if I[col.I_PENDING + side, j] == kind and (
            group < 0 or I[col.I_PENDING_GROUP + side, j] == group
        ):
            out[c] = j
            c += 1
    return c


@jit(void(STATE, PARAMS, KEY, i8, i8, i8, MASK, MASK, MASK, MASK, MASK))
def execute_responses(S, P, key, t, lo, hi, alive, pending, marks, everyone, nobody):
    """The chosen answers that fall due today, side after side (`pending[side]`: any pending),
    each kind in the runs that chose it: one pass lists the runs with an answer due, the rest
    reads the list; `pending[side]` then says whether answers not yet due remain."""
    I, grievance = S.I, S.grievance
    pf, pi, side_f, side_i, group_i = P.pf, P.pi, P.side_f, P.side_i, P.group_i
    n = hi - lo
    todo, runs = np.empty(n, np.int64), np.empty(n, np.int64)
    for side in range(2):
        if not pending[side]:
            continue  # most days: nothing to execute, and no runs means no draws
        for j in range(lo, hi):
            due = (I[col.I_PENDING + side, j] != 0) & (I[col.I_PENDING_DUE + side, j] <= t)
            marks[j - lo] = alive[j - lo] & due
        m = marked_runs(marks, lo, n, todo)
        act = side_i[side, col.SDI_STRIKE_PROXY]
        if act >= 0:
            for gi in range(pi[col.PI_N_GROUPS]):
                if group_i[gi, col.GI_SIDE] == side:
                    continue
                c = choosing(I, side, todo, m, STRIKE_PROXY, gi, runs)
                for q in range(c):
                    grievance[gi, runs[q]] += pf[col.PF_GRIEVANCE_PER_STRIKE]
                    S.suppression[gi, runs[q]] += 1.0
                    if side == 0:
                        I[col.I_PROXY_STRIKES, runs[q]] += 1
                if c == 0:
                    continue
                nationality = group_i[gi, col.GI_NATIONALITY]
                emit(
                    S,
                    P,
                    key,
                    t,
                    lo,
                    runs[:c],
                    side,
                    -1,
                    act,
                    everyone,
                    nobody,
                    nationality,
                    -1,
                    False,
                    purpose.SOURCE_PROXY_STRIKE + side * purpose.MAX_GROUPS + gi,
                    gi,
                )
        act = side_i[side, col.SDI_STRIKE_STATE]
        if act >= 0:
            c = choosing(I, side, todo, m, STRIKE_STATE, -1, runs)
            if c:
                emit(S, P, key, t, lo, runs[:c], side, -1, act, everyone, nobody, -1, -1, False,
                     purpose.SOURCE_STATE_STRIKE + side, -1)  # fmt: skip
        act = side_i[side, col.SDI_RETALIATE]
        c = choosing(I, side, todo, m, RETALIATE, -1, runs) if act >= 0 else 0
        if c:
            idx = runs[:c]
            warned = np.zeros(n, np.bool_)
            for k in range(idx.size):
                j = idx[k]
                delivered = pair(key, j, t, purpose.WARNING, side, 0)[0]
                warned[j - lo] = (
                    I[col.I_LIMITED + side, j] != 0 and delivered < side_f[side, col.SDF_P_WARNING]
                )
            emit(S, P, key, t, lo, idx, side, -1, act, everyone, warned, -1, -1, False,
                 purpose.SOURCE_RETALIATION + side, -1)  # fmt: skip
            send_message(S, P, key, t, side, idx, True, purpose.MESSAGE_RETALIATION)
        for q in range(m):  # executed: nothing pending; answers not yet due stay pending
            j = todo[q]
            I[col.I_PENDING + side, j] = 0
            I[col.I_PENDING_GROUP + side, j] = -1
            I[col.I_PENDING_DUE + side, j] = NEVER
        waiting = False
        for j in range(lo, hi):
            waiting = waiting | (I[col.I_PENDING + side, j] != 0)
        pending[side] = waiting


@jit(types.UniTuple(f8, 3)(f8, b1, b1, f8, FIVE), inline=True)
def hazard_terms(effort, ordered, withdrawn, grievance, figures):
    """A group's hazard in a run is base * exp(y) * factor, times `after` (the group phase):
    (y, factor, after), from the run's figures; `figures` holds the group's control, the
    enforcement effect, the ordered multiplier, the presence after a withdrawal (1 for a group
    without a presence in the host country) and the grievance sensitivity. (Scalars only: an
    array passed to an inlined function keeps a loop from working on several runs at once.)"""
    control = min(1.0, figures[0] + figures[1] * effort)
    factor = figures[2] if ordered else 1.0 - control
    after = figures[3] if withdrawn else 1.0
    return figures[4] * grievance, factor, after


@jit(FIVE(PARAMS, i8, b1), inline=True)
def group_figures(P, i, presence):
    """The figures of group i that hazard_terms reads (its `figures`)."""
    pf = P.pf
    return (
        P.group_f[i, col.GF_CONTROL],
        pf[col.PF_ENFORCEMENT_EFFECT],
        pf[col.PF_ORDERED_MULTIPLIER],
        pf[col.PF_PRESENCE_AFTER] if presence else 1.0,
        pf[col.PF_GRIEVANCE_SENSITIVITY],
    )


@jit(void(STATE, PARAMS, u8, u8, ROWS, MASK, ROWS, _array(b1, 2), MASK, TABLE, IVEC))
def group_lists(S, P, lo, hi, u, alive, effort, ordered, marks, acts, counts):
    """Which runs each armed group attacks in today: the listing half of the group phase,
    for every group before any attacks (no group's events write what another group's hazard
    reads), group by group (a short loop over the runs keeps each group's figures at hand).
    `ordered[side]` says which runs are under their side's orders. A first loop marks the runs
    whose draw is below a cheap bound above the hazard (exp_ceiling), several runs at once; the
    exact hazard is computed for those few."""
    I, grievance, suppression = S.I, S.grievance, S.suppression
    pf, pi, group_f, group_i = P.pf, P.pi, P.group_f, P.group_i
    host_on, first_row = pi[col.PI_HOST_ON] != 0, pi[col.PI_ROW_GROUP]
    # a strike's suppression, in units of grievance (hazard_terms' y = sensitivity * grievance)
    damped = pf[col.PF_SUPPRESSION_EFFECT] / max(pf[col.PF_GRIEVANCE_SENSITIVITY], 1e-9)
    n = hi - lo
    counts[:] = 0
    for j in range(lo, hi):
        ordered[0, j - lo] = I[col.I_CAMPAIGN, j] != 0
        ordered[1, j - lo] = I[col.I_CAMPAIGN + 1, j] != 0
    for i in range(pi[col.PI_N_GROUPS]):
        side = group_i[i, col.GI_SIDE]
        presence = group_i[i, col.GI_PRESENCE] and host_on
        base, figures = group_f[i, col.GF_BASE_HAZARD], group_figures(P, i, presence)
        row = first_row + i
        for j in range(lo, hi):
            jl = j - lo
            withdrawn = I[col.I_WITHDRAWAL_DAY, j] >= 0  # read in every run: no branch
            y, factor, after = hazard_terms(
                effort[side, jl],
                ordered[side, jl],
                withdrawn,
                grievance[i, j] - damped * suppression[i, j],
                figures,
            )
            above = u[row, jl] >= base * exp_ceiling(y) * factor * after  # no attack
            marks[jl] = alive[jl] & (not above)
        candidates = acts[i]
        m = 0
        for q in range(marked_runs(marks, lo, n, candidates)):
            j = candidates[q]
            jl = j - lo
            withdrawn = I[col.I_WITHDRAWAL_DAY, j] >= 0
            y, factor, after = hazard_terms(
                effort[side, jl],
                ordered[side, jl],
                withdrawn,
                grievance[i, j] - damped * suppression[i, j],
                figures,
            )
            rate = base * math.exp(y) * factor
            if presence:
                rate = rate * after
            if u[row, jl] < min(rate, 1.0):
                acts[i, m] = j  # m <= q: the list is compacted in place
                m += 1
        counts[i] = m


@jit(void(STATE, PARAMS, i8, u8, u8, MASK, ROWS, _array(b1, 2)))
def weigh_record(S, P, t, lo, hi, alive, effort, ordered):
    """A replayed day's likelihood, added to each particle's log-weight (MODEL.md §14): for
    every armed group, the probability of what the record shows that day — an act of the group
    (its hazard λ) or none (1 − λ) — from the particle's own orders, enforcement and the group's
    grievance and suppression. Kinetic acts of armed groups are the class the record covers
    completely; other acts are not weighed."""
    F, I, grievance, suppression = S.F, S.I, S.grievance, S.suppression
    pf, pi, group_f, group_i, script = P.pf, P.pi, P.group_f, P.group_i, P.script_i
    damped = pf[col.PF_SUPPRESSION_EFFECT] / max(pf[col.PF_GRIEVANCE_SENSITIVITY], 1e-9)
    host_on = pi[col.PI_HOST_ON] != 0
    for j in range(lo, hi):
        ordered[0, j - lo] = I[col.I_CAMPAIGN, j] != 0
        ordered[1, j - lo] = I[col.I_CAMPAIGN + 1, j] != 0
    for i in range(pi[col.PI_N_GROUPS]):
        acted = False
        for e in range(script.shape[0]):
            if script[e, col.SCI_DAY] == t and script[e, col.SCI_KIND] == 0:
                acted = acted or script[e, col.SCI_GROUP] == i
        side = group_i[i, col.GI_SIDE]
        presence = group_i[i, col.GI_PRESENCE] and host_on
        base, figures = group_f[i, col.GF_BASE_HAZARD], group_figures(P, i, presence)
        for j in range(lo, hi):
            jl = j - lo
            withdrawn = I[col.I_WITHDRAWAL_DAY, j] >= 0
            y, factor, after = hazard_terms(
                effort[side, jl], ordered[side, jl], withdrawn,
                grievance[i, j] - damped * suppression[i, j], figures,
            )  # fmt: skip
            rate = min(max(base * math.exp(y) * factor * after, 1e-12), 1.0 - 1e-12)
            weight = math.log(rate) if acted else math.log1p(-rate)
            F[col.F_LOG_WEIGHT, j] += weight if alive[jl] else 0.0


@jit(void(STATE, PARAMS, KEY, i8, i8, _array(b1, 2), TABLE, IVEC, MASK))
def group_events(S, P, key, t, lo, ordered, acts, counts, nobody):
    """Each group's attacks, group after group."""
    group_i = P.group_i
    for i in range(P.pi[col.PI_N_GROUPS]):
        if counts[i] == 0:
            continue
        side = group_i[i, col.GI_SIDE]
        attacks = acts[i, : counts[i]]
        emit(
            S,
            P,
            key,
            t,
            lo,
            attacks,
            side,
            i,
            group_i[i, col.GI_ACTION],
            ordered[side],
            nobody,
            -1,
            -1,
            False,
            purpose.SOURCE_GROUP + i,
            -1,
        )


@jit(void(STATE, PARAMS, KEY, i8, u8, u8, ROWS, MASK, MASK, MASK))
def maritime_incidents(S, P, key, t, lo, hi, u, alive, marks, nobody):
    F, I = S.F, S.I
    pf, pi, group_i = P.pf, P.pi, P.group_i
    g, act = pi[col.PI_SEA_GROUP], pi[col.PI_SEA_ACTION]
    if g < 0 or act < 0:
        return
    n = hi - lo
    side = group_i[g, col.GI_SIDE]
    hit = np.empty(n, np.int64)
    ordered = np.empty(n, np.bool_)
    base, sensitivity = pf[col.PF_SEA_BASE_HAZARD], pf[col.PF_SEA_HOSTILITY_SENSITIVITY]
    answered, unanswered = F[col.F_ANSWERED + side], F[col.F_UNANSWERED + side]
    posture, multiplier = pf[col.PF_SEA_POSTURE_FACTOR], pf[col.PF_ORDERED_MULTIPLIER]
    row = pi[col.PI_ROW_MARITIME]
    for j in range(lo, hi):  # no branch on a run's figures: several runs at once
        jl = j - lo
        is_ordered = I[col.I_CAMPAIGN + side, j] != 0
        ordered[jl] = is_ordered
        # unanswered attacks invite more: the rate scales with 2 (1 - a), a the answer rate the
        # attacker has perceived (1/3 before any record: a factor of 4/3)
        invited = 2.0 * (1.0 - answer_rate(answered[j], unanswered[j]))
        rate = (
            base
            * (1.0 + sensitivity * F[col.F_HOSTILITY, j])
            * posture
            * invited
            * (multiplier if is_ordered else 1.0)
        )
        x = u[row, jl]
        struck = alive[jl] & (x < rate)
        I[col.I_INCIDENTS, j] += 1 if struck else 0
        marks[jl] = struck
    m = marked_runs(marks, lo, n, hit)
    if m == 0:
        return  # (a call passes, and counts references to, every array of the state)
    emit(
        S,
        P,
        key,
        t,
        lo,
        hit[:m],
        side,
        g,
        act,
        ordered,
        nobody,
        pi[col.PI_SEA_VICTIM],
        -1,
        True,
        purpose.SOURCE_MARITIME,
        -1,
    )


@jit(b1(f8, i8, f8))
def condition_holds(left, op, value):
    """One red-line condition (compiled.RedLineSpec) on a slot's field `left` (assess)."""
    if op == GE:
        return left >= value
    if op == GT:
        return left > value
    if op == LE:
        return left <= value
    if op == LT:
        return left < value
    if op == EQ:
        return left == value
    return left != value


@jit(i8(STATE, PARAMS, i8, u8, u8, ROWS, MASK, CUBE, LISTED, LISTED, MASK, MASK, IVEC, b1))
def assess(S, P, t, lo, hi, u, alive, p_ord, firings, triggers, pending, marks, slotted, replay):
    """Rhetoric, deliveries and the listing half of the red lines (none draws: rhetoric reads
    the day's uniforms); observe_groups follows, as neither the red lines nor the observed
    groups read what the other writes. A pass over every run lists in `slotted` those with an
    open slot (few) and returns how many; a second pass does their slots' work. `firings` lists,
    for every red line, the runs where it fires and the slot that fired first in each;
    `triggers` lists, for each side, the runs with a new perceived attack today and the slot of
    the worst, or -1 (choose_responses' trigger: enforcing a red line changes no slot)."""
    F, I, SLF, SLI, fired = S.F, S.I, S.SLF, S.SLI, S.fired
    pf, pi, side_i = P.pf, P.pi, P.side_i
    firing, n_firing, first_slot = firings
    triggered, n_triggered, worst = triggers
    line_i, cond_i, cond_v = P.line_i, P.cond_i, P.cond_v
    lines = pi[col.PI_N_LINES]
    gamma, lr_c2, lr_msg = pf[col.PF_GAMMA], pf[col.PF_LR_C2], pf[col.PF_LR_MSG]
    speech_rate = pf[col.PF_RHETORIC_RATE]
    window_start, defender = pi[col.PI_WINDOW_START], side_i[0, col.SDI_NATIONALITY]
    speeches = False  # (a replayed day's statements come from the record)
    for side in range(2 if not replay else 0):
        speeches = speeches or (
            side_i[side, col.SDI_INFLAMMATORY] and side_i[side, col.SDI_RHETORIC] >= 0
        )
    n, n_firing[:], n_triggered[:] = hi - lo, 0, 0
    worst[:] = -1  # choose_responses' triggers, set below where there is one
    # Rhetoric: inflammatory speeches, side after side (a loop of its own, as each phase below:
    # a run sees them in the day's order, and the plain loops run several runs at once)
    if speeches:
        for j in range(lo, hi):
            jl = j - lo
            live = alive[jl]
            for side in range(2):
                act = side_i[side, col.SDI_RHETORIC]
                if not side_i[side, col.SDI_INFLAMMATORY] or act < 0:
                    continue
                if not (live and u[side_i[side, col.SDI_ROW] + 1, jl] < speech_rate):
                    continue
                speak(S, P, t, j, side)
    # Deliveries: messages due today (few; the slots' deliveries follow, below)
    for obs in range(2):
        for j in range(lo, hi):
            marks[j - lo] = I[col.I_MESSAGE_DAY + obs, j] <= t
        for q in range(marked_runs(marks, lo, n, slotted)):  # `slotted` as room for a list
            j = slotted[q]
            F[col.F_BELIEF + obs, j] = update_with_ratio(F[col.F_BELIEF + obs, j], lr_msg, gamma)
            I[col.I_MESSAGE_DAY + obs, j] = NEVER
    for j in range(lo, hi):
        marks[j - lo] = (I[col.I_SLOT_MASK, j] | I[col.I_SLOT_MASK + 1, j]) != 0
    n_slotted = marked_runs(marks, lo, n, slotted)
    # the runs with an open slot (few): deliveries, red lines, new perceived attacks
    for q in range(n_slotted):
        j = np.uint64(slotted[q])
        jl = j - lo
        live = alive[jl]
        # Deliveries: due reports, findings and disavowals; P(ordered) of every open slot
        for obs in range(2):
            active = np.int64(I[col.I_SLOT_MASK + obs, j])
            while active:
                k, active = next_slot(active)
                if SLI[obs, k, j, col.SLI_REPORT_DAY] <= t:
                    SLI[obs, k, j, col.SLI_REPORTED_DEATHS] = SLI[obs, k, j, col.SLI_DEATHS]
                    SLI[obs, k, j, col.SLI_REPORTED_INJURIES] = SLI[obs, k, j, col.SLI_INJURIES]
                if SLI[obs, k, j, col.SLI_FINDING_DAY] <= t:
                    SLF[obs, k, j, col.SLF_EVIDENCE] = SLF[obs, k, j, col.SLF_FINDING]
                if SLI[obs, k, j, col.SLI_C2_DAY] <= t:
                    SLI[obs, k, j, col.SLI_DISAVOWED] = 1
                p_ord[jl, obs, k] = attribution_posterior(
                    SLF[obs, k, j, col.SLF_PRIOR_ODDS],
                    SLF[obs, k, j, col.SLF_EVIDENCE],
                    SLI[obs, k, j, col.SLI_DISAVOWED] != 0,
                    lr_c2,
                )
        # Red lines, up to their draws
        if t >= window_start:
            active = np.int64(I[col.I_SLOT_MASK, j])
            while active:
                k, active = next_slot(active)
                if (
                    SLI[0, k, j, col.SLI_DAY] >= window_start
                    and SLI[0, k, j, col.SLI_VICTIM] == defender
                    and SLI[0, k, j, col.SLI_REPORTED_DEATHS] > 0
                    and p_ord[jl, 0, k] >= 0.5
                ):
                    I[col.I_WINDOW_ATTRIBUTED, j] = 1
        for line in range(lines):
            owner, conditions = line_i[line, col.LI_OWNER], line_i[line, col.LI_CONDITIONS]
            active = np.int64(I[col.I_SLOT_MASK + owner, j])
            if not live:
                continue
            listed_here = False
            while active:
                k, active = next_slot(active)
                if fired[owner, k, j, line]:
                    continue
                holds = True
                for c in range(conditions):  # all must hold: stops at the first that fails
                    field = cond_i[line, c, col.CI_FIELD]
                    left = 0.0
                    if field == REPORTED_DEATHS:
                        if SLI[owner, k, j, col.SLI_VICTIM] == cond_i[line, c, col.CI_NATIONALITY]:
                            left = float(SLI[owner, k, j, col.SLI_REPORTED_DEATHS])
                    elif field == REPORTED_INJURIES:
                        if SLI[owner, k, j, col.SLI_VICTIM] == cond_i[line, c, col.CI_NATIONALITY]:
                            left = float(SLI[owner, k, j, col.SLI_REPORTED_INJURIES])
                    elif field == P_ORDERED:
                        left = p_ord[jl, owner, k]
                    elif field == PERCEIVED_RUNG:
                        left = float(SLI[owner, k, j, col.SLI_PERCEIVED])
                    elif field == TARGET:
                        left = float(SLI[owner, k, j, col.SLI_TARGET])
                    else:
                        left = float(SLI[owner, k, j, col.SLI_ROLE])
                    if not condition_holds(left, cond_i[line, c, col.CI_OP], cond_v[line, c]):
                        holds = False
                        break
                if holds:
                    fired[owner, k, j, line] = True
                    if not listed_here:
                        listed_here = True
                        first_slot[line, jl] = k
                        firing[line, n_firing[line]] = j
                        n_firing[line] += 1
        for side in range(2):
            active = np.int64(I[col.I_SLOT_MASK + side, j])
            if live and active:
                worst[side, jl] = worst_new_slot(SLI, pi, j, side, t, active)
                if worst[side, jl] >= 0:
                    triggered[side, n_triggered[side]] = j
                    n_triggered[side] += 1
    return n_slotted


@jit(void(STATE, PARAMS, u8, u8, MASK))
def observe_groups(S, P, lo, hi, alive):
    """Observed groups: a day with or without a seen attack moves each belief. A pass
    of its own, group after group: a run's updates form one chain of divisions, which a pass
    over many runs overlaps."""
    F, seen = S.F, S.seen
    pf, pi, group_f, group_i = P.pf, P.pi, P.group_f, P.group_i
    gamma = pf[col.PF_GAMMA]
    for i in range(pi[col.PI_N_GROUPS]):
        belief = F[col.F_BELIEF + 1 - group_i[i, col.GI_SIDE]]
        seen_ratio, unseen_ratio = group_f[i, col.GF_SEEN_RATIO], group_f[i, col.GF_UNSEEN_RATIO]
        if gamma < 1.0:
            for j in range(lo, hi):
                ratio = 1.0
                if alive[j - lo]:
                    ratio = seen_ratio if seen[i, j] else unseen_ratio
                belief[j] = update_with_ratio(belief[j], ratio, gamma)
            continue
        # untempered: update_with_ratio without its branch, which the processor then does for
        # several runs at once (its divisions are most of this pass)
        for j in range(lo, hi):
            ratio = seen_ratio if seen[i, j] else unseen_ratio
            belief[j] = posterior(belief[j], ratio if alive[j - lo] else 1.0)


@jit(i8(STATE, PARAMS, KEY, i8, i8, LISTED, TABLE, TABLE, TABLE, CUBE))
def enforce_red_lines(S, P, key, t, lo, firings, bound_kind, bound_group, bound_slot, p_ord):
    """The red lines' draws, line after line: counts firings, adds the audience cost of a public
    line left unenforced, binds a side to the response of the first line it enforces; the number
    of runs and sides bound."""
    F, I, SLI = S.F, S.I, S.SLI
    side_f, line_f, line_i = P.side_f, P.line_f, P.line_i
    firing, n_firing, first_slot = firings
    bound_kind[:] = 0
    bound_group[:] = -1
    bound_slot[:] = -1
    bound = 0
    for line in range(P.pi[col.PI_N_LINES]):
        owner, response = line_i[line, col.LI_OWNER], line_i[line, col.LI_RESPONSE]
        public = line_i[line, col.LI_PUBLIC] != 0
        idx = firing[line, : n_firing[line]]
        if idx.size == 0:
            continue
        for q in range(idx.size):
            j = idx[q]
            draw = pair(key, j, t, purpose.ENFORCE, line, 0)[0]
            commitment = F[col.F_COMMITMENT + owner, j] * public
            rho = 1.0 - (1.0 - line_f[line, col.LF_ENFORCEMENT]) * math.exp(
                -side_f[owner, col.SDF_AUDIENCE_COST] * commitment
            )
            enforced = draw < rho
            I[col.I_RED_LINE_FIRED + owner, j] += 1
            if P.pi[col.PI_TRACING]:
                r, k = record(S, t, col.WHAT_RED_LINE, j), first_slot[line, j - lo]
                if r >= 0:
                    S.log[r, col.LOG_LINE], S.log[r, col.LOG_SIDE] = line, owner
                    S.log[r, col.LOG_ENFORCED] = enforced
                    S.log[r, col.LOG_P_ORDERED] = p_ord[j - lo, owner, k]
                    S.log[r, col.LOG_DEATHS] = S.SLI[owner, k, j, col.SLI_REPORTED_DEATHS]
            if response > 0 and bound_kind[j - lo, owner] <= 0:
                # committed: the line's response; otherwise the owner's choice (negative)
                bound_kind[j - lo, owner] = response if enforced else -response
                bound_group[j - lo, owner] = SLI[owner, first_slot[line, j - lo], j, col.SLI_GROUP]
                bound_slot[j - lo, owner] = first_slot[line, j - lo]
                bound += 1
            elif not enforced and response == 0:
                I[col.I_RED_LINE_UNENFORCED + owner, j] += 1
    return bound


@jit(i8(f8, f8, f8, f8, f8, f8), inline=True)
def quantal_choice(eu0, eu1, eu2, eu3, precision, u):
    """Option k with probability exp(λ·EU_k) / Σ exp(λ·EU): the logit quantal response
    (McKelvey & Palfrey 1995); a forbidden option has EU = -inf."""
    top = max(max(eu0, eu1), max(eu2, eu3))
    # a forbidden option weighs 0 (at precision 0, exp(0 * -inf) would be exp(nan))
    w0 = math.exp(precision * (eu0 - top)) if eu0 > -math.inf else 0.0
    w1 = math.exp(precision * (eu1 - top)) if eu1 > -math.inf else 0.0
    w2 = math.exp(precision * (eu2 - top)) if eu2 > -math.inf else 0.0
    w3 = math.exp(precision * (eu3 - top)) if eu3 > -math.inf else 0.0
    x = u * (w0 + w1 + w2 + w3)
    if x < w0:
        return 0
    if x < w0 + w1:
        return 1
    return 2 if x < w0 + w1 + w2 else 3


@jit(FOUR(PARAMS, i8, f8, f8, f8, f8, f8, f8, f8, f8, b1, b1, i8))
def answer_utilities(
    P,
    side,
    resolve,
    rage,
    belief,
    kappa,
    answered,
    unanswered,
    p_ordered,
    backing_down,
    line_fired,
    proxy_possible,
    perceived,
):
    """ΔEU against a non-violent answer of a strike on the proxy, a strike on the state and a
    campaign of direct strikes (MODEL.md §5), from the decider's own resolve and grievance,
    its beliefs and the posterior that the state ordered the act: a strike on the state is
    worth what that posterior warrants, one on the proxy the rest. The loss of the other side's
    answer weighs its perceived answer rate (a proxy strike) or the credibility κ of its red
    lines (a strike on the state). The doctrine forbids options, caps an answer's rung and adds
    an obligation to answer; not answering a fired red line of one's own costs
    `backing_down` (audience cost)."""
    pf, side_f, side_i, act_i = P.pf, P.side_f, P.side_i, P.act_i
    doctrine = side_i[side, col.SDI_DOCTRINE]
    obligation, weight = side_f[side, col.SDF_OBLIGATION], pf[col.PF_GRIEVANCE_WEIGHT]
    loss = pf[col.PF_ANSWER_LOSS] * (1.0 - resolve) * (2.0 - belief)
    revenge = weight * rage + obligation + backing_down
    rate = answer_rate(answered, unanswered)
    eu_proxy = (
        resolve * pf[col.PF_LOGIT_PROXY_VALUE] * (1.0 - p_ordered)
        - (1.0 - resolve) * pf[col.PF_LOGIT_PROXY_COST]
        - rate * pf[col.PF_PROXY_RISK_SHARE] * loss
        + revenge
    )
    eu_state = (
        resolve * pf[col.PF_LOGIT_STATE_VALUE] * p_ordered
        - (1.0 - resolve) * pf[col.PF_LOGIT_STATE_COST]
        - kappa * loss
        + revenge
    )
    eu_campaign = (
        resolve * (pf[col.PF_LOGIT_STATE_VALUE] * p_ordered + pf[col.PF_CAMPAIGN_VALUE])
        - (1.0 - resolve) * pf[col.PF_CAMPAIGN_COST]
        - 2.0 * kappa * loss
        + revenge
    )
    state_act = side_i[side, col.SDI_STRIKE_STATE]
    if state_act < 0:
        state_act = side_i[side, col.SDI_RETALIATE]
    capped = state_act >= 0 and act_i[state_act, col.AI_RUNG] > perceived + 1
    if doctrine == RESTRAINT and not line_fired:
        eu_proxy = eu_state = eu_campaign = -math.inf
    if doctrine == TARGETED and not line_fired:
        eu_state = eu_campaign = -math.inf
    if doctrine in (PROPORTIONAL, GTFT) and capped and not line_fired:
        eu_state = eu_campaign = -math.inf
    if not proxy_possible:
        eu_proxy = -math.inf
    if state_act < 0:
        eu_state = eu_campaign = -math.inf
    return 0.0, eu_proxy, eu_state, eu_campaign


@jit(i8(SLOT_TABLE, IVEC, i8, i8, i8, i8))
def worst_new_slot(SLI, pi, j, side, t, active):
    """The first of today's new perceived attacks with the highest perceived rung, or -1."""
    worst, best = -1, -1
    while active:
        k, active = next_slot(active)
        if SLI[side, k, j, col.SLI_DAY] != t:
            continue
        if SLI[side, k, j, col.SLI_TARGET] == SHIPPING:
            threshold = pi[col.PI_SHIPPING_THRESHOLD]
        else:
            threshold = pi[col.PI_ATTACK_THRESHOLD]
        rung = SLI[side, k, j, col.SLI_PERCEIVED]
        if rung >= threshold and rung > best:
            worst, best = k, rung
    return worst


@jit(void(STATE, PARAMS, KEY, i8, i8, i8, CUBE, LISTED, TABLE, TABLE, TABLE, i8, MASK))
def choose_responses(
    S, P, key, t, lo, hi, p_ord, triggers, bound_kind, bound_group, bound_slot, bound, pending
):
    """Each side's answer, side after side, in the runs `triggered` by a new perceived attack
    (listed by assess) and those where a red line of its own fired today (`bound`): a committed
    owner carries out the line's response (bound_kind > 0); otherwise the logit quantal
    response over answer_utilities decides (bound_kind < 0: a fired line not answered costs
    the audience cost). The attacker learns from the answer: its perceived answer rate, and
    the credibility of a red line that fired. `pending[side]` says whether any run of the side
    will act tomorrow."""
    F, I, SLI = S.F, S.I, S.SLI
    pf, pi, side_f, side_i = P.pf, P.pi, P.side_f, P.side_i
    triggered, n_triggered, worst = triggers
    listing = np.empty(hi - lo, np.int64)
    precision = pf[col.PF_LOGIT_PRECISION]
    planning, spread = pf[col.PF_PLANNING_MEDIAN], pf[col.PF_PLANNING_SIGMA]
    for side in range(2):
        other = 1 - side
        if (pi[col.PI_EXTERNAL] >> side) & 1:
            continue  # an external policy answers for this side (external.py)
        if bound == 0:
            idx = triggered[side, : n_triggered[side]]
        else:
            m = 0
            for j in range(lo, hi):
                if worst[side, j - lo] >= 0 or bound_kind[j - lo, side] != 0:
                    listing[m] = j
                    m += 1
            idx = listing[:m]
        for q in range(idx.size):
            j = idx[q]
            jl = j - lo
            u_choice = pair(key, j, t, purpose.RESPONSE, side, 0)[0]
            trigger = worst[side, jl] >= 0
            # what the answer is about: today's worst new attack, else the slot that fired a line
            k = worst[side, jl] if trigger else max(bound_slot[jl, side], 0)
            overt = SLI[side, k, j, col.SLI_ROLE] == LEADERSHIP
            group = SLI[side, k, j, col.SLI_GROUP]
            p_ordered = 1.0 if overt else p_ord[jl, side, k]
            commitment = F[col.F_COMMITMENT + side, j]
            committed, fired = bound_kind[jl, side] > 0, bound_kind[jl, side] != 0
            backing_down = side_f[side, col.SDF_AUDIENCE_COST] * commitment
            if fired and not committed:
                backing_down += side_f[side, col.SDF_AUDIENCE_COST] * (1.0 + commitment)
            if fired:
                group = bound_group[jl, side]
            perceived = SLI[side, k, j, col.SLI_PERCEIVED] if trigger else TOP_RUNG
            eu = answer_utilities(
                P, side, F[col.F_RESOLVE + side, j], F[col.F_RAGE + side, j],
                F[col.F_BELIEF + side, j],
                credible(
                    F[col.F_CREDIBILITY + side, j], side_f[other, col.SDF_AUDIENCE_COST],
                    F[col.F_HEARD_COMMITMENT + side, j],
                ),
                F[col.F_ANSWERED + side, j], F[col.F_UNANSWERED + side, j], p_ordered,
                backing_down, fired, group >= 0 and side_i[side, col.SDI_STRIKE_PROXY] >= 0,
                perceived,
            )  # fmt: skip
            option = quantal_choice(eu[0], eu[1], eu[2], eu[3], precision, u_choice)
            kind = (NONE, STRIKE_PROXY, STRIKE_STATE, STRIKE_STATE)[option]
            if committed:
                kind = bound_kind[jl, side]
            if kind == STRIKE_STATE and side_i[side, col.SDI_STRIKE_STATE] < 0:
                kind = RETALIATE
            if not side_i[side, col.SDI_CAN_EXECUTE + kind]:
                kind = NONE
            if option == 3 and kind != NONE and not committed:
                I[col.I_DIRECT_CAMPAIGN + side, j] = 1
            if fired and not committed and kind == NONE:  # backed down from its own line
                I[col.I_RED_LINE_UNENFORCED + side, j] += 1
                F[col.F_AUDIENCE_COST + side, j] += backing_down
            # what the attacker perceives: an answer or none (its answer rate), and whether a
            # red line that fired was enforced (its credibility, MODEL.md §8)
            if trigger:
                if kind != NONE:
                    F[col.F_ANSWERED + other, j] += 1.0
                else:
                    F[col.F_UNANSWERED + other, j] += 1.0
            if fired:
                kappa = F[col.F_CREDIBILITY + other, j]
                if kind != NONE:
                    F[col.F_CREDIBILITY + other, j] = kappa + (1.0 - kappa) * 0.5
                else:
                    F[col.F_CREDIBILITY + other, j] = kappa * 0.3
            I[col.I_OCCASION + side, j] = 1
            # a planning delay: lognormal days (ICB timing, MODEL.md §5), at least the next day;
            # a strike already in planning stands (a non-violent answer to a later act does not
            # call it off, a new strike replaces it on the earlier of the two days)
            z = gaussian(key, j, t, purpose.RESPONSE, side, 1)
            delay = max(1, math.floor(planning * math.exp(spread * z) + 0.5))
            planned = I[col.I_PENDING + side, j] != 0
            if planned and kind == NONE:
                kind, group = I[col.I_PENDING + side, j], I[col.I_PENDING_GROUP + side, j]
            else:
                due = I[col.I_PENDING_DUE + side, j] if planned else NEVER
                I[col.I_PENDING_DUE + side, j] = min(t + delay, due)
            I[col.I_PENDING + side, j] = kind
            pending[side] = pending[side] or kind > 0
            I[col.I_PENDING_GROUP + side, j] = group if kind == STRIKE_PROXY else -1
            if t > pi[col.PI_T0] and kind > 0 and not committed:
                I[col.I_ORDERS + side, j] += 1
            if pi[col.PI_TRACING] and (kind > 0 or trigger):
                r = record(S, t, col.WHAT_DECISION, j)
                if r >= 0:
                    S.log[r, col.LOG_SIDE], S.log[r, col.LOG_RESPONSE] = side, kind
                    S.log[r, col.LOG_GROUP], S.log[r, col.LOG_TRIGGER] = group, trigger


@jit(void(STATE, PARAMS, KEY, i8, u8, u8, ROWS, MASK, MASK, IVEC, IVEC, MASK, b1))
def end_day(S, P, key, t, lo, hi, u, alive, marks, slotted, listing, pending, replay):
    """Stocks (slots only in the runs `slotted` by assess: no slot opens in between), then the
    strategic fronts and the day's outcomes in one pass; then the fronts' draws:
    the follow-on withdrawals of the runs whose host forced a withdrawal today, and preventive
    strikes where a breakout crisis began (`pending[0]` set when one is ordered). A follow-on
    due today is the only thing those draws change that the pass reads, so it is settled after
    them for the runs that drew. A `replay`ed day has no outcomes."""
    F, I, SLI, grievance = S.F, S.I, S.SLI, S.grievance
    tracing = P.pi[col.PI_TRACING] != 0
    dialogue_before = np.empty(np.int64(hi - lo) if tracing else 0, np.bool_)
    for j in range(lo, hi if tracing else lo):
        dialogue_before[j - lo] = I[col.I_DIALOGUE, j] != 0
    pf, pi = P.pf, P.pi
    groups = pi[col.PI_N_GROUPS]
    decay_grievance, decay_commitment = pf[col.PF_DECAY_GRIEVANCE], pf[col.PF_DECAY_COMMITMENT]
    decay_hostility, decay_alert = pf[col.PF_DECAY_HOSTILITY], pf[col.PF_DECAY_ALERT]
    host_on, nuclear_on = pi[col.PI_HOST_ON] != 0, pi[col.PI_NUCLEAR_ON] != 0
    step_day = nuclear_on and t > 0 and t % pi[col.PI_STEP_DAYS] == 0
    begun, window = t > pi[col.PI_T0], t >= pi[col.PI_WINDOW_START]
    n_leaving = n_crisis = 0
    leaving, crisis = listing[: hi - lo], np.empty(hi - lo, np.int64)
    # the fronts' figures, read once (a read in the loop is repeated for every run)
    host_decay, host_threshold = pf[col.PF_HOST_DECAY], pf[col.PF_HOST_THRESHOLD]
    per_strike, per_death = pf[col.PF_HOST_PER_STRIKE], pf[col.PF_HOST_PER_DEATH]
    sanctions, diplomacy = pf[col.PF_HOST_SANCTIONS], pf[col.PF_HOST_DIPLOMACY]
    stable, quiet_days = pi[col.PI_STABLE_RUNG], pi[col.PI_QUIET_DAYS]
    dialogue_start, after_quiet = pf[col.PF_DIALOGUE_START], pf[col.PF_DIALOGUE_AFTER_QUIET]
    p_collapse, crisis_threshold = pf[col.PF_DIALOGUE_COLLAPSE], pf[col.PF_CRISIS_THRESHOLD]
    max_months, step_months = pf[col.PF_MAX_MONTHS], pf[col.PF_STEP_MONTHS]
    u_dialogue, u_collapse = u[pi[col.PI_ROW_DIALOGUE]], u[pi[col.PI_ROW_COLLAPSE]]
    # Stocks: decays and the rung level (plain loops, several runs at once: numba's
    # `row[lo:hi] *= x` costs several times as much), settled or stale slots closed
    decay_suppression = pf[col.PF_DECAY_SUPPRESSION]
    for i in range(groups):
        for j in range(lo, hi):
            grievance[i, j] *= decay_grievance
            S.suppression[i, j] *= decay_suppression
    for j in range(lo, hi):
        F[col.F_COMMITMENT, j] *= decay_commitment
        F[col.F_COMMITMENT + 1, j] *= decay_commitment
        F[col.F_HEARD_COMMITMENT, j] *= decay_commitment
        F[col.F_HEARD_COMMITMENT + 1, j] *= decay_commitment
        F[col.F_HOSTILITY, j] *= decay_hostility
        F[col.F_ALERT, j] *= decay_alert
        F[col.F_ALERT + 1, j] *= decay_alert
        F[col.F_RUNG_LEVEL, j] = max(F[col.F_RUNG_LEVEL, j] - 1.0, float(I[col.I_DAY_RUNG, j]))
    for j in slotted:  # the runs with an open slot: settled or stale slots close
        for obs in range(2):
            active = np.int64(I[col.I_SLOT_MASK + obs, j])
            while active:
                k, active = next_slot(active)
                finding, c2 = SLI[obs, k, j, col.SLI_FINDING_DAY], SLI[obs, k, j, col.SLI_C2_DAY]
                settled = (
                    SLI[obs, k, j, col.SLI_REPORT_DAY] <= t
                    and (finding <= t or finding == NEVER)
                    and (c2 <= t or c2 == NEVER)
                )
                too_old = (t - SLI[obs, k, j, col.SLI_DAY]) >= SLOT_MEMORY_DAYS - 1
                if settled or too_old:
                    SLI[obs, k, j, col.SLI_ACTIVE] = 0
                    I[col.I_SLOT_MASK + obs, j] &= ~(1 << k)
    # the host's pressure to expel the coalition, then the nuclear programme: loops without a
    # branch on a run's figures (the processor does several runs at once) that mark the runs
    # drawing afterwards, listed after each loop
    if host_on:
        u_vote, u_leave = u[pi[col.PI_ROW_HOST]], u[pi[col.PI_ROW_HOST] + 1]
        p_vote, p_leave = pf[col.PF_HOST_VOTE], pf[col.PF_HOST_LEAVE]
        for j in range(lo, hi):
            jl = j - lo
            pressure = max(
                0.0,
                F[col.F_PRESSURE, j] * host_decay
                + per_strike * F[col.F_SOIL_TODAY, j]
                + per_death * F[col.F_HOST_DEATHS_TODAY, j]
                + sanctions
                - diplomacy,
            )
            F[col.F_PRESSURE, j] = pressure
            above = pressure >= host_threshold
            days = I[col.I_DAYS_ABOVE, j]
            I[col.I_DAYS_ABOVE, j] = days + 1 if above else 0
            expelled = I[col.I_EXPULSION_DAY, j]
            vote = (expelled < 0) & above & (u_vote[jl] < p_vote)  # a binding vote: stochastic
            expelled = t if vote else expelled
            I[col.I_EXPULSION_DAY, j] = expelled
            withdrawal = I[col.I_WITHDRAWAL_DAY, j]
            # withdrawal is a process the defender slows with diplomacy (p_leave)
            leaves = (expelled >= 0) & (withdrawal < 0) & (t > expelled) & (u_leave[jl] < p_leave)
            I[col.I_WITHDRAWAL_DAY, j] = t if leaves else withdrawal
            marks[jl] = leaves
            follow_on, due_day = I[col.I_FOLLOW_ON_DAY, j], I[col.I_FOLLOW_ON_DUE, j]
            due = (follow_on < 0) & (due_day <= t)
            I[col.I_FOLLOW_ON_DAY, j] = t if due else follow_on
        n_leaving = marked_runs(marks, lo, hi - lo, leaving)
    if nuclear_on:
        step_value, step_cost = pf[col.PF_STEP_VALUE], pf[col.PF_STEP_COST]
        feared = pf[col.PF_STEP_FEAR] * pf[col.PF_ANSWER_LOSS]
        precision = pf[col.PF_LOGIT_PRECISION]
        for j in range(lo, hi):
            jl = j - lo
            rung = I[col.I_DAY_RUNG, j]
            quiet = (I[col.I_LETHAL_TODAY, j] == 0) & (rung <= stable)
            streak = I[col.I_QUIET_STREAK, j]
            streak = streak + 1 if quiet else 0
            I[col.I_QUIET_STREAK, j] = streak
            p_start = dialogue_start + (after_quiet if streak >= quiet_days else 0.0)
            dialogue = I[col.I_DIALOGUE, j] != 0
            x_start, x_collapse = u_dialogue[jl], u_collapse[jl]  # both read: no branch
            start = alive[jl] & (not dialogue) & (x_start < p_start)
            collapse = dialogue & ((x_collapse < p_collapse) | ((rung >= DIRECT_RUNG) & begun))
            dialogue = (dialogue | start) & (not collapse)
            I[col.I_DIALOGUE, j] = 1 if dialogue else 0
            breakout = F[col.F_BREAKOUT, j]
            if step_day:
                # an enrichment step is the challenger's choice (its own resolve, its belief
                # about the defender, the preventive strike it fears), of a size with noise; a
                # dialogue reverses steps instead (the draws only on step days: they are costly)
                u_step, u_size = pair(key, j, t, purpose.NUCLEAR_STEP, 0, 0)
                r, belief = F[col.F_RESOLVE + 1, j], F[col.F_BELIEF + 1, j]
                eu = r * step_value - (1.0 - r) * step_cost - feared * (1.0 - r) * (2.0 - belief)
                chosen = u_step < logistic(precision, eu)
                if dialogue:
                    breakout = min(max_months, breakout + step_months)
                elif chosen:
                    breakout = max(0.0, breakout - step_months * (0.5 + u_size))
                F[col.F_BREAKOUT, j] = breakout
            crisis_day = I[col.I_CRISIS_DAY, j]
            begins = (crisis_day < 0) & (not dialogue) & (breakout < crisis_threshold)
            I[col.I_CRISIS_DAY, j] = t if begins else crisis_day
            marks[jl] = begins
        n_crisis = marked_runs(marks, lo, hi - lo, crisis)
    F[col.F_SOIL_TODAY, lo:hi] = 0.0
    F[col.F_HOST_DEATHS_TODAY, lo:hi] = 0.0
    I[col.I_LETHAL_TODAY, lo:hi] = 0
    declared, war_day = pi[col.PI_DECLARED_WAR_DAYS], t - pi[col.PI_T0]
    wars = 0
    for j in range(lo, lo if replay else hi):  # outcomes (a war's start marked, settled below)
        rung, top_days = I[col.I_DAY_RUNG, j], I[col.I_TOP_RUNG_DAYS, j]
        top_rung = max(I[col.I_MAX_RUNG, j], rung)
        I[col.I_MAX_RUNG, j] = top_rung
        top_days = top_days + 1 if rung >= TOP_RUNG else 0
        I[col.I_TOP_RUNG_DAYS, j] = top_days
        I[col.I_WINDOW_QUIET_DAYS, j] += 1 if window & (rung <= stable) else 0
        campaign_days = max(I[col.I_DIRECT_CAMPAIGN, j], I[col.I_DIRECT_CAMPAIGN + 1, j])
        level = violence_level(
            top_rung >= KINETIC_RUNG,
            I[col.I_CHAIN_LEN, j],
            I[col.I_CHAIN_LETHAL, j] == 3,
            F[col.F_BATTLE_DEATHS, j] - F[col.F_WAR_DEATHS_BEFORE, j],
            top_days >= declared,
            campaign_days,
        )
        I[col.I_VIOLENCE, j] = max(I[col.I_VIOLENCE, j], level)
        war_now = alive[j - lo] & (level >= FULL_SCALE_WAR)
        marks[j - lo] = war_now
        wars += 1 if war_now else 0
    for k in range(hi - lo if wars else 0):  # the runs whose war began today: few days have any
        if marks[k]:
            first_war = I[col.I_WAR_DAY, lo + k] < 0  # war_day and its kind: the first war's
            I[col.I_WAR, lo + k] = 1
            if first_war:
                I[col.I_WAR_DAY, lo + k] = war_day
                I[col.I_WAR_INADVERTENT, lo + k] = I[col.I_EPISODE_UNORDERED, lo + k]
            I[col.I_WARS, lo + k] += 1
            if tracing:
                r = record(S, t, col.WHAT_WAR, lo + k)
                if r >= 0:
                    S.log[r, col.LOG_VALUE] = I[col.I_CHAIN_LEN, lo + k]
                    S.log[r, col.LOG_DEATHS] = F[col.F_BATTLE_DEATHS, lo + k]
    if host_on and n_leaving:
        for q in range(n_leaving):
            j = leaving[q]
            # the follow-on withdrawal is the defender's choice: its dependence on the host
            # against the theatre's value, weighed by its resolve (MODEL.md §10)
            eu = pf[col.PF_HOST_DEPENDENCE] - 2.0 * F[col.F_RESOLVE, j] * pf[col.PF_THEATRE_VALUE]
            p_follow = logistic(pf[col.PF_LOGIT_PRECISION], eu)
            if pair(key, j, t, purpose.FOLLOW_ON, 0, 0)[0] < p_follow:
                I[col.I_FOLLOW_ON_DUE, j] = t + pi[col.PI_HOST_FOLLOW_ON_LAG]
                if I[col.I_FOLLOW_ON_DAY, j] < 0 and I[col.I_FOLLOW_ON_DUE, j] <= t:
                    I[col.I_FOLLOW_ON_DAY, j] = t
    if nuclear_on and pi[col.PI_PREVENTIVE_STRIKE] and n_crisis:
        for q in range(n_crisis):
            j = crisis[q]
            if pair(key, j, t, purpose.PREVENTIVE, 0, 0)[0] < pf[col.PF_PREVENTIVE_PROBABILITY]:
                I[col.I_PENDING, j] = STRIKE_STATE
                I[col.I_PENDING_DUE, j] = t + 1
                pending[0] = True
                if tracing:
                    record_front(S, t, j, col.FRONT_PREVENTIVE_STRIKE, 0.0)
    for j in range(lo, hi if tracing else lo):  # the fronts' news of the day, for the log
        if host_on and I[col.I_EXPULSION_DAY, j] == t:
            record_front(S, t, j, col.FRONT_EXPULSION, F[col.F_PRESSURE, j])
        if host_on and I[col.I_WITHDRAWAL_DAY, j] == t:
            record_front(S, t, j, col.FRONT_WITHDRAWAL, 0.0)
        if host_on and I[col.I_FOLLOW_ON_DAY, j] == t:
            record_front(S, t, j, col.FRONT_FOLLOW_ON, 0.0)
        if nuclear_on:
            dialogue = I[col.I_DIALOGUE, j] != 0
            if dialogue and not dialogue_before[j - lo]:
                record_front(S, t, j, col.FRONT_DIALOGUE_BEGINS, 0.0)
            if dialogue_before[j - lo] and not dialogue:
                record_front(S, t, j, col.FRONT_DIALOGUE_COLLAPSES, 0.0)
            if I[col.I_CRISIS_DAY, j] == t:
                record_front(S, t, j, col.FRONT_BREAKOUT_CRISIS, F[col.F_BREAKOUT, j])


@jit(void(STATE, PARAMS, u8, u8))
def hidden_stocks(S, P, lo, hi):
    """Each leadership's moving hidden state and beliefs of the day (MODEL.md §1, §8, §9):
    resolve reverts toward its drawn value,
    lowered for good by the log of its own deaths; grievance decays; the credibility of the
    other's red lines drifts back to its prior; the forecast of hostile acts against it (an
    exponentially weighted share of days with a perceived attack) moves, and its days near the
    pre-crisis level are counted. Plain loops, several runs at once."""
    F, I = S.F, S.I
    pf, pi = P.pf, P.pi
    decay_r = pf[col.PF_DECAY_RESOLVE]
    decay_g, decay_k = pf[col.PF_DECAY_GRIEVANCE], pf[col.PF_DECAY_CREDIBILITY]
    decay_x, calm = pf[col.PF_DECAY_THREAT], pf[col.PF_CALM_LEVEL]
    threshold = pi[col.PI_ATTACK_THRESHOLD]
    for side in range(2):
        for j in range(lo, hi):
            target = F[col.F_RESOLVE_TARGET + side, j]  # lowered by truth() as deaths come
            r = target + (F[col.F_RESOLVE + side, j] - target) * decay_r
            r = min(0.99, max(0.01, r))
            F[col.F_RESOLVE + side, j] = r
            I[col.I_LIMITED + side, j] = 1 if r < 0.5 else 0
            F[col.F_RAGE + side, j] *= decay_g
            prior = F[col.F_CREDIBILITY_PRIOR + side, j]
            F[col.F_CREDIBILITY + side, j] = (
                prior + (F[col.F_CREDIBILITY + side, j] - prior) * decay_k
            )
            hostile = I[col.I_VIEW_DAY_RUNG + side, j] >= threshold
            x = F[col.F_THREAT + side, j] * decay_x + (1.0 - decay_x) * (1.0 if hostile else 0.0)
            F[col.F_THREAT + side, j] = x
            calm_days = I[col.I_CALM_DAYS + side, j]
            I[col.I_CALM_DAYS + side, j] = calm_days + 1 if x <= calm else 0


@jit(void(STATE, PARAMS, KEY, i8, i8, i8, MASK))
def crisis_course(S, P, key, t, lo, hi, pending):
    """Wars, crises and campaigns (MODEL.md §9). A war ends in a ceasefire with a daily hazard
    (the fallback of §9: a median of war_end_median_days): the crisis ends, imposed. A crisis
    ends when both sides' forecasts have stayed near the pre-crisis level for end_quiet_days:
    by agreement if both sent messages over an open channel, tacitly otherwise; an ended crisis
    recurs when a side's forecast climbs back over the crisis level. A campaign of direct
    strikes goes on day after day (a strike tomorrow) until it stops (campaign_stop)."""
    F, I = S.F, S.I
    pf, pi, side_f, side_i = P.pf, P.pi, P.side_f, P.side_i
    day, quiet = t - pi[col.PI_T0], pi[col.PI_END_QUIET_DAYS]
    hazard, calm = pf[col.PF_WAR_END_HAZARD], pf[col.PF_CALM_LEVEL]
    recur = max(0.5 * CRISIS_THREAT, 2.0 * calm)
    channel, tracing = pi[col.PI_CHANNEL_OPEN] != 0, pi[col.PI_TRACING] != 0
    n = hi - lo
    marks = np.empty(n, np.bool_)
    for j in range(lo, hi):  # the few runs with something to do today: several runs at once
        ended = I[col.I_CRISIS_END_DAY, j] >= 0
        both_calm = min(I[col.I_CALM_DAYS, j], I[col.I_CALM_DAYS + 1, j]) >= quiet
        threat = max(F[col.F_THREAT, j], F[col.F_THREAT + 1, j])
        campaign = (I[col.I_DIRECT_CAMPAIGN, j] | I[col.I_DIRECT_CAMPAIGN + 1, j]) != 0
        marks[j - lo] = (
            (I[col.I_WAR, j] != 0)
            | (ended != both_calm)  # an end, or a recurrence to look at
            | (ended & (threat > recur))
            | campaign
        )
    busy = np.empty(n, np.int64)
    for q in range(marked_runs(marks, lo, n, busy)):
        j = busy[q]
        what = col.WHAT_NONE
        if I[col.I_WAR, j]:
            if pair(key, j, t, purpose.CEASEFIRE, 0, 0)[0] < hazard:
                I[col.I_WAR, j] = 0
                I[col.I_WAR_END_DAY, j] = day
                I[col.I_CRISIS_END_DAY, j] = day
                if I[col.I_FIRST_END_DAY, j] < 0:
                    I[col.I_FIRST_END_DAY, j] = day
                I[col.I_END_MODE, j] = IMPOSED
                # the next war is counted afresh: battle deaths since this ceasefire, a new
                # chain of direct strikes
                F[col.F_WAR_DEATHS_BEFORE, j] = F[col.F_BATTLE_DEATHS, j]
                I[col.I_CHAIN_LEN, j] = 0
                I[col.I_CHAIN_LETHAL, j] = 0
                for side in range(2):
                    I[col.I_DIRECT_CAMPAIGN + side, j] = 0
                    I[col.I_PENDING + side, j] = 0  # a ceasefire cancels answers in planning
                    F[col.F_THREAT + side, j] = calm
                    I[col.I_CALM_DAYS + side, j] = quiet
                what = col.WHAT_CEASEFIRE
        else:
            ended = I[col.I_CRISIS_END_DAY, j] >= 0
            both_calm = min(I[col.I_CALM_DAYS, j], I[col.I_CALM_DAYS + 1, j]) >= quiet
            if not ended and both_calm:
                talked = min(I[col.I_MESSAGES_SENT, j], I[col.I_MESSAGES_SENT + 1, j]) > 0
                I[col.I_CRISIS_END_DAY, j] = day
                if I[col.I_FIRST_END_DAY, j] < 0:
                    I[col.I_FIRST_END_DAY, j] = day
                I[col.I_END_MODE, j] = AGREEMENT if channel and talked else TACIT
                what = col.WHAT_CRISIS_END
            elif ended and max(F[col.F_THREAT, j], F[col.F_THREAT + 1, j]) > recur:
                I[col.I_RECURRENCES, j] += 1
                I[col.I_CRISIS_END_DAY, j] = -1
                I[col.I_END_MODE, j] = 0
                what = col.WHAT_RECURRENCE
            for side in range(2):
                days = I[col.I_DIRECT_CAMPAIGN + side, j]
                if days == 0:
                    continue
                if (
                    pair(key, j, t, purpose.CAMPAIGN, side, 0)[0]
                    < side_f[side, col.SDF_CAMPAIGN_STOP]
                ):
                    I[col.I_DIRECT_CAMPAIGN + side, j] = 0
                    continue
                I[col.I_DIRECT_CAMPAIGN + side, j] = days + 1
                has_strike = side_i[side, col.SDI_STRIKE_STATE] >= 0
                I[col.I_PENDING + side, j] = STRIKE_STATE if has_strike else RETALIATE
                I[col.I_PENDING_GROUP + side, j] = -1
                I[col.I_PENDING_DUE + side, j] = t + 1  # a campaign strikes every day
                pending[side] = True
        if tracing and what != col.WHAT_NONE:
            r = record(S, t, what, j)
            if r >= 0:
                S.log[r, col.LOG_VALUE] = I[col.I_END_MODE, j]


# --- one block, every day ---------------------------------------------------------------------


@jit(void(STATE, PARAMS, KEY, i8, i8, i8, MASK))
def inject_scripted(S, P, key, t, lo, hi, alive):
    """The record's events of day t (P.script_i), the same act in every run still at peace: an
    observed act is executed with its recorded deaths and perceived as any act; a statement or
    a message is made. Whether a group acted on orders is not in the record unless it says so:
    each run draws it from the observer's own prior, so a replay carries that uncertainty rather
    than inventing a fact."""
    script, pf = P.script_i, P.pf
    n = hi - lo
    for e in range(script.shape[0]):
        if script[e, col.SCI_DAY] != t:
            continue
        side, group = script[e, col.SCI_SIDE], script[e, col.SCI_GROUP]
        kind = script[e, col.SCI_KIND]
        live = np.empty(n, np.int64)
        m = marked_runs(alive, lo, n, live)
        idx = live[:m]
        if kind == 1:  # a statement
            if P.side_i[side, col.SDI_RHETORIC] >= 0:
                for j in idx:
                    speak(S, P, t, j, side)
            continue
        if kind == 2:  # a message
            send_message(S, P, key, t, side, idx, False, purpose.MESSAGE_OBSERVED)
            continue
        given = script[e, col.SCI_ORDERED]
        ordered = np.zeros(n, np.bool_)
        for j in idx:
            if given >= 0 or group < 0:
                ordered[j - lo] = given != 0
            else:
                prior = prior_ordered(
                    S.F[col.F_BELIEF + 1 - side, j],
                    P.group_f[group, col.GF_ASSUMED_CONTROL],
                    pf[col.PF_ORDER_SHARE],
                    pf[col.PF_ORDERED_MULTIPLIER],
                )
                ordered[j - lo] = pair(key, j, t, purpose.SCRIPT, e, 0)[0] < prior
        struck = script[e, col.SCI_STRUCK_GROUP]
        if struck >= 0:
            for j in idx:
                S.grievance[struck, j] += pf[col.PF_GRIEVANCE_PER_STRIKE]
                S.suppression[struck, j] += 1.0
        warned = np.full(n, script[e, col.SCI_WARNED] != 0)
        emit(
            S,
            P,
            key,
            t,
            lo,
            idx,
            side,
            group,
            script[e, col.SCI_ACTION],
            ordered,
            warned,
            script[e, col.SCI_VICTIM],
            script[e, col.SCI_DEATHS],
            False,
            purpose.SOURCE_SCRIPT + e,
            struck,
        )


@jit(void(STATE, i8, i8, i8))
def record_day(S, t, lo, hi):
    """The day's figures of every run, for daily series (layout.DAILY)."""
    F, I, SLI, daily = S.F, S.I, S.SLI, S.daily
    for j in range(lo, hi):
        daily[col.DAILY_GOLDSTEIN, t, j] = F[col.F_GOLDSTEIN, j]
        daily[col.DAILY_RUNG, t, j] = I[col.I_DAY_RUNG, j]
        daily[col.DAILY_MISPERCEPTIONS, t, j] = I[col.I_MISPERCEPTIONS, j]
        for side in range(2):
            daily[col.DAILY_RED_LINES + side, t, j] = I[col.I_RED_LINE_FIRED + side, j]
            daily[col.DAILY_PERCEIVED_RUNG + side, t, j] = I[col.I_VIEW_DAY_RUNG + side, j]
            daily[col.DAILY_BELIEF + side, t, j] = F[col.F_BELIEF + side, j]
            awaiting, active = 0, np.int64(I[col.I_SLOT_MASK + side, j])
            while active:
                k, active = next_slot(active)
                finding = SLI[side, k, j, col.SLI_FINDING_DAY]
                awaiting += 1 if (finding > t) & (finding < NEVER) else 0
            daily[col.DAILY_PENDING_ATTRIBUTIONS + side, t, j] = awaiting


RUN_BLOCK = void(STATE, PARAMS, KEY, i8, i8, i8, i8)  # the one signature, compiled on first use


@njit(**OPTIONS, nogil=True)
def run_block(S, P, key, lo, hi, first_day, last_day):
    """Days [first_day, last_day) of the runs [lo, hi) of the chunk, pass by pass, once the
    day's dense uniforms `u` are drawn; days before the first simulated day (P.pi[PI_T0]) are
    replayed from the record, with no hazard, order or response. Releases the GIL: threads run
    blocks in parallel. (The day is not a function of its own: each level of calls costs numba
    another optimisation of all below.)"""
    I, pi = S.I, P.pi
    n, groups, lines = hi - lo, max(pi[col.PI_N_GROUPS], 1), max(pi[col.PI_N_LINES], 1)
    u = np.empty((pi[col.PI_UNIFORM_ROWS], n + col.PAD))  # padded as the state is
    alive, everyone, nobody = np.empty(n, np.bool_), np.ones(n, np.bool_), np.zeros(n, np.bool_)
    effort, ordered = np.zeros((2, n)), np.zeros((2, n), np.bool_)
    marks = np.zeros(n, np.bool_)
    accidents, losses, listing = np.empty(n, np.int64), np.empty(n, np.int64), np.empty(n, np.int64)
    slotted = np.empty(n, np.int64)
    acts, n_acts = np.empty((groups, n), np.int64), np.zeros(groups, np.int64)
    p_ord = np.zeros((n, 2, SLOTS))
    firings, triggers = listed_runs(lines, n), listed_runs(2, n)
    bound_kind, bound_group = np.zeros((n, 2), np.int64), np.full((n, 2), -1, np.int64)
    bound_slot = np.full((n, 2), -1, np.int64)
    pending = np.zeros(2, np.bool_)
    ulo, uhi = np.uint64(lo), np.uint64(hi)
    t0, scripted = pi[col.PI_T0], pi[col.PI_N_SCRIPT] > 0
    opening = pi[col.PI_INITIAL_ACTION] >= 0 and not scripted
    for side in range(2):
        for j in range(lo, hi):
            pending[side] = pending[side] or I[col.I_PENDING + side, j] != 0
    for t in range(first_day, last_day):
        replay = t < t0
        fill_uniforms(key, u, t, ulo, uhi, P.draw_i)
        n_accidents, n_losses = start_day(
            S, P, t, ulo, uhi, u, alive, effort, marks, accidents, losses, replay
        )
        if n_accidents or n_losses:  # a call passes every array of the state: only if needed
            hazard_events(S, P, key, t, lo, accidents[:n_accidents], losses[:n_losses], nobody)
        if t == t0 and opening:
            initial_event(S, P, key, t, lo, hi)
        if scripted:
            inject_scripted(S, P, key, t, lo, hi, alive)
        if replay and pi[col.PI_CONDITION]:
            weigh_record(S, P, t, ulo, uhi, alive, effort, ordered)
        if not replay:
            execute_responses(S, P, key, t, lo, hi, alive, pending, marks, everyone, nobody)
            group_lists(S, P, ulo, uhi, u, alive, effort, ordered, marks, acts, n_acts)
            group_events(S, P, key, t, lo, ordered, acts, n_acts, nobody)
            maritime_incidents(S, P, key, t, ulo, uhi, u, alive, marks, nobody)
        n_slotted = assess(
            S, P, t, ulo, uhi, u, alive, p_ord, firings, triggers, pending, marks, slotted, replay
        )
        observe_groups(S, P, ulo, uhi, alive)
        bound = enforce_red_lines(
            S, P, key, t, lo, firings, bound_kind, bound_group, bound_slot, p_ord
        )
        if not replay:
            choose_responses(
                S, P, key, t, lo, hi, p_ord, triggers, bound_kind, bound_group, bound_slot, bound,
                pending,
            )  # fmt: skip
        end_day(
            S, P, key, t, ulo, uhi, u, alive, marks, slotted[:n_slotted], listing, pending, replay
        )
        hidden_stocks(S, P, ulo, uhi)
        if not replay:
            crisis_course(S, P, key, t, lo, hi, pending)
        if pi[col.PI_DAILY]:
            record_day(S, t, lo, hi)
