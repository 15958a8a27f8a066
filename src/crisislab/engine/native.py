"""Runs an `Engine` through the compiled day loop (kernel.py) instead of the numpy one.

The numpy code stays the reference and serves what the kernel leaves out (a script, a traced run,
daily series); both paths draw the same random numbers and give the same columns. This module
packs the engine's state into the few arrays the kernel reads (layout.py), the compiled scenario
into flat tables, runs each block, and unpacks the state into the engine's own arrays, so the
engine's summary code reads the result as usual.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

from crisislab.engine import beliefs
from crisislab.engine import layout as col
from crisislab.engine.compiled import CHALLENGER, DEFENDER, ROLES, TARGETS, Action
from crisislab.engine.random import BLOCK_RUNS, pcg64_words
from crisislab.engine.state import FIRST_EVENTS

if TYPE_CHECKING:
    from crisislab.engine.step import Engine

DOCTRINES = ("restraint", "proportional", "gtft", "retaliatory")
FIELDS = (
    "reported_deaths",
    "reported_injuries",
    "p_ordered",
    "perceived_rung",
    "target",
    "perceived_actor_role",
)
OPS = (">=", ">", "<=", "<", "==", "!=")
FORCES = TARGETS.index("forces")

# where each packed column lives in the engine: (column, owner, attribute); an owner of
# "view" or "transit" has one array per observer, stored in column + observer
FLOATS = (
    (col.F_COMMITMENT, "world", "commitment"),
    (col.F_HOSTILITY, "world", "hostility"),
    (col.F_RUNG_LEVEL, "world", "rung_level"),
    (col.F_BATTLE_DEATHS, "ledger", "battle_deaths"),
    (col.F_GOLDSTEIN, "ledger", "goldstein"),
    (col.F_RIVERA, "ledger", "rivera"),
    (col.F_AUDIENCE_COST, "ledger", "audience_cost"),
    (col.F_PRESSURE, "fronts", "pressure"),
    (col.F_SOIL_TODAY, "fronts", "soil_today"),
    (col.F_HOST_DEATHS_TODAY, "fronts", "host_deaths_today"),
    (col.F_BREAKOUT, "fronts", "breakout"),
    (col.F_BELIEF, "view", "belief"),
    (col.F_ALERT, "view", "alert"),
)
INTEGERS = (
    (col.I_LIMITED, "world", "limited"),
    (col.I_CAMPAIGN, "world", "campaign"),
    (col.I_PENDING, "world", "pending"),
    (col.I_PENDING_GROUP, "world", "pending_group"),
    *(
        (getattr(col, f"I_{name.upper()}"), "ledger", name)
        for name in (
            "war",
            "war_day",
            "war_inadvertent",
            "chain_len",
            "chain_side",
            "chain_start",
            "top_rung_days",
            "last_lethal_day",
            "episode_unordered",
            "day_rung",
            "max_rung",
            "misperceptions",
            "accidents",
            "group_attacks",
            "red_line_fired",
            "red_line_unenforced",
            "orders",
            "proxy_strikes",
            "direct_exchanges",
            "window_direct",
            "window_attacks",
            "window_quiet_days",
        )
    ),
    (col.I_WINDOW_ATTRIBUTED, "ledger", "window_attributed_deaths"),
    *(
        (getattr(col, f"I_{name.upper()}"), "fronts", name)
        for name in (
            "days_above",
            "expulsion_day",
            "withdrawal_day",
            "follow_on_due",
            "follow_on_day",
            "lethal_today",
            "incidents",
            "dialogue",
            "crisis_day",
            "quiet_streak",
        )
    ),
    (col.I_VIEW_DAY_RUNG, "view", "day_rung"),
    (col.I_SLOT_NEXT, "slots", "next"),
    (col.I_MESSAGE_DAY, "transit", "message_day"),
)
SLOT_FLOATS = (
    (col.SLF_PRIOR_ODDS, "slots", "prior_odds"),
    (col.SLF_EVIDENCE, "slots", "evidence"),
    (col.SLF_FINDING, "transit", "finding"),
)
SLOT_INTEGERS = (
    *(
        (getattr(col, f"SLI_{key}"), "slots", name)
        for key, name in (
            ("ACTIVE", "active"),
            ("DAY", "day"),
            ("GROUP", "group"),
            ("ROLE", "role"),
            ("TARGET", "target"),
            ("PERCEIVED", "perceived_rung"),
            ("VICTIM", "victim"),
            ("DISAVOWED", "disavowed"),
            ("REPORTED_DEATHS", "reported_deaths"),
            ("REPORTED_INJURIES", "reported_injuries"),
        )
    ),
    *(
        (getattr(col, f"SLI_{key}"), "transit", name)
        for key, name in (
            ("DEATHS", "deaths"),
            ("INJURIES", "injuries"),
            ("REPORT_DAY", "report_day"),
            ("FINDING_DAY", "finding_day"),
            ("C2_DAY", "c2_day"),
            ("ORDERED", "ordered"),
        )
    ),
)


def supported(engine: Engine) -> bool:
    """The kernel covers plain ensemble runs: no script, no traced run, no daily series; and it
    needs to reach the PCG64 state of numpy's generators (random.pcg64_words)."""
    return (
        engine.script is None
        and engine.trace is None
        and not engine.daily
        and engine.plan.normal_rows == 0
        and pcg64_words(engine.streams.generators[0]) is not None
    )


WARM_UP_SCENARIO = "us-iran-2020"


def warm_up() -> float:
    """Compile the day loop, or load it from numba's cache, by running one block for one day,
    unless a run has already loaded it; the seconds it took. `make setup` runs it (`python -m
    crisislab.engine.warmup`) so that the first compilation happens once, before any parallel
    work, and a fork-based process pool started afterwards inherits the loaded kernel."""
    from crisislab.engine.kernel import run_block

    start = time.perf_counter()
    if not run_block.signatures:  # numba lists what it has compiled or loaded
        from crisislab.engine.compiled import compile_scenario
        from crisislab.engine.step import Engine
        from crisislab.scenario.loader import load_scenario

        compiled = compile_scenario(load_scenario(WARM_UP_SCENARIO, {"days": 1}))
        engine = Engine(compiled, 0, 0, 1)
        if supported(engine):  # else every run takes the numpy loop: nothing to compile
            engine.run()
    return time.perf_counter() - start


def run(engine: Engine) -> None:
    """Simulate every day of the engine's chunk with the kernel (after `initialise`)."""
    from crisislab.engine.kernel import run_block

    state = pack(engine)
    params = parameters(engine)
    for b, gen in enumerate(engine.streams.generators):
        rng = (gen, pcg64_words(gen))
        run_block(state, params, rng, b * BLOCK_RUNS, (b + 1) * BLOCK_RUNS)
    unpack(engine, state)


# --- state --------------------------------------------------------------------------------------


def _owners(engine: Engine, owner: str) -> list:
    """The objects holding a field: one, or one per observer."""
    return {
        "world": [engine.world],
        "ledger": [engine.ledger],
        "fronts": [engine.fronts],
        "view": list(engine.views),
        "slots": [v.slots for v in engine.views],
        "transit": list(engine.world.transit),
    }[owner]


def _padded(shape: tuple[int, ...], dtype) -> np.ndarray:
    """Zeros of `shape` with layout.PAD more runs on the last axis (the kernel never reads them)."""
    return np.zeros((*shape[:-1], shape[-1] + col.PAD), dtype)


def _per_run(engine: Engine, spec, width: int, dtype) -> np.ndarray:
    """[width, runs]: written straight into the kernel's layout (runs last), with no
    transposed copy of the whole table."""
    out = _padded((width, engine.runs), dtype)
    for column, owner, name in spec:
        for i, obj in enumerate(_owners(engine, owner)):
            values = getattr(obj, name).reshape(engine.runs, -1)
            out[column + i : column + i + values.shape[1], : engine.runs] = values.T
    return out


# Runs per step when slot fields are moved between the engine's arrays ([runs, slot], one per
# field) and the kernel's ([observer, slot, runs, field]): a step's share of the kernel's array
# stays in the processor's cache while each field is written or read in turn, instead of every
# field sweeping the whole array (several times faster for a chunk of 32 blocks).
SLOT_STEP_RUNS = 256


def _per_slot(engine: Engine, spec, width: int, dtype) -> np.ndarray:
    """[observer, slot, runs, width]: a slot's fields side by side. Few runs have an open slot,
    and the kernel reads or writes a slot's fields together (an event writes them all)."""
    out = np.zeros((2, 8, engine.runs, width), dtype)
    fields = [
        (column, i, getattr(obj, name))
        for column, owner, name in spec
        for i, obj in enumerate(_owners(engine, owner))
    ]
    for start in range(0, engine.runs, SLOT_STEP_RUNS):
        stop = start + SLOT_STEP_RUNS
        for column, i, values in fields:
            out[i, :, start:stop, column] = values[start:stop].T
    return out


def _runs_last(a: np.ndarray) -> np.ndarray:
    out = _padded(np.swapaxes(a, 0, -1).shape, a.dtype)
    out[..., : a.shape[0]] = np.swapaxes(a, 0, -1)
    return out


def pack(engine: Engine) -> tuple:
    """The kernel's state tuple (F, I, SLF, SLI, fired, grievance, deaths, injuries, seen),
    each array with runs on its last axis but the slots' (SLF, SLI, fired), which are
    [observer, slot, run, field]."""
    integers = _per_run(engine, INTEGERS, col.I_COLUMNS, np.dtype(col.INTEGER_DTYPE))
    for k, name in enumerate(FIRST_EVENTS):
        integers[col.I_FIRST_DAY + k, : engine.runs] = engine.ledger.first_day[name]
    for i, view in enumerate(engine.views):
        integers[col.I_SLOT_MASK + i, : engine.runs] = view.slots.active.astype(np.int64) @ (
            1 << np.arange(view.slots.active.shape[1])
        )
    fired = np.zeros((2, 8, engine.runs, engine.views[0].slots.fired.shape[2]), np.bool_)
    for i, view in enumerate(engine.views):
        fired[i] = view.slots.fired.transpose(1, 0, 2)
    return (
        _per_run(engine, FLOATS, col.F_COLUMNS, np.float64),
        integers,
        _per_slot(engine, SLOT_FLOATS, col.SLF_COLUMNS, np.float64),
        _per_slot(engine, SLOT_INTEGERS, col.SLI_COLUMNS, np.int32),
        fired,
        _runs_last(engine.world.grievance),
        _runs_last(engine.ledger.deaths),
        _runs_last(engine.ledger.injuries),
        _runs_last(engine.seen),
    )


def _unpack_runs(engine: Engine, spec, packed: np.ndarray) -> None:
    for column, owner, name in spec:
        for i, obj in enumerate(_owners(engine, owner)):
            old = getattr(obj, name)
            width = 1 if old.ndim == 1 else old.shape[1]
            values = packed[:, column + i : column + i + width].reshape(old.shape)
            setattr(obj, name, values.astype(old.dtype))


def _unpack_slots(engine: Engine, spec, packed: np.ndarray) -> None:
    fields = []
    for column, owner, name in spec:
        for i, obj in enumerate(_owners(engine, owner)):
            values = np.empty_like(getattr(obj, name))
            setattr(obj, name, values)
            fields.append((column, i, values))
    for start in range(0, engine.runs, SLOT_STEP_RUNS):  # see SLOT_STEP_RUNS
        stop = start + SLOT_STEP_RUNS
        for column, i, values in fields:
            values[start:stop] = packed[i, :, start:stop, column].T


def unpack(engine: Engine, state: tuple) -> None:
    """Put the kernel's results back into the engine's own arrays (and dtypes)."""
    floats, integers, slot_floats, slot_integers, fired, *per_run = state
    # runs back on the first axis, without the padding
    floats, integers, *per_run = (
        np.swapaxes(a[..., : engine.runs], 0, -1) for a in (floats, integers, *per_run)
    )
    _unpack_runs(engine, FLOATS, floats)
    _unpack_runs(engine, INTEGERS, integers)
    _unpack_slots(engine, SLOT_FLOATS, slot_floats)
    _unpack_slots(engine, SLOT_INTEGERS, slot_integers)
    for k, name in enumerate(FIRST_EVENTS):
        engine.ledger.first_day[name] = integers[:, col.I_FIRST_DAY + k].astype(np.int32)
    for i, view in enumerate(engine.views):
        view.slots.fired = fired[i].transpose(1, 0, 2)
    engine.world.grievance, engine.ledger.deaths, engine.ledger.injuries, engine.seen = per_run


# --- parameters ---------------------------------------------------------------------------------


def _table(rows: int, width: int, dtype) -> np.ndarray:
    return np.zeros((max(rows, 1), width), dtype)


def parameters(engine: Engine) -> tuple:
    """The kernel's parameter tuple (pf, pi, side_f, side_i, group_f, group_i, act_f, act_i,
    line_f, line_i, cond_i, cond_v)."""
    act_f, act_i, index = actions(engine)

    def act(action: Action | None) -> int:
        return index[action.id] if action is not None else -1

    pf = np.zeros(col.PF_COLUMNS)
    pi = np.zeros(col.PI_COLUMNS, np.int64)
    for key, value in _scalars(engine, act).items():
        (pf if key.startswith("PF_") else pi)[getattr(col, key)] = value
    for target in engine.fronts.soil:
        pi[col.PI_SOIL + target] = 1
    return (
        pf,
        pi,
        *_sides(engine, act),
        *_groups(engine, act),
        act_f,
        act_i,
        *_red_lines(engine),
    )


def actions(engine: Engine) -> tuple[np.ndarray, np.ndarray, dict[str, int]]:
    """Every action the day loop can execute, as rows of two tables, and their row numbers."""
    c = engine.c
    found: dict[str, Action] = {}
    for action in (
        *(
            getattr(side, move)
            for side in c.sides
            for move in ("strike_proxy", "strike_state", "retaliate", "rhetoric", "message")
        ),
        *(g.action for g in c.groups),
        c.accident_action,
        c.loc_action,
        engine.fronts.sea_action,
        engine.action(c.scenario.initial_event.action) if c.scenario.initial_event else None,
    ):
        if action is not None:
            found.setdefault(action.id, action)
    accuracy = c.scenario.attribution.accuracy
    act_f = _table(len(found), col.AF_COLUMNS, np.float64)
    act_i = _table(len(found), col.AI_COLUMNS, np.int64)
    for row, a in enumerate(found.values()):
        for v, variant in enumerate((a.plain, a.warned or a.plain)):
            act_f[row, col.AF_P_KILL + v] = variant.p_kill
            act_f[row, col.AF_DEATHS_MEAN + v] = variant.deaths_mean
            act_f[row, col.AF_INJURIES_MEAN + v] = variant.injuries_mean
            act_i[row, col.AI_RUNG + v] = variant.rung
            act_i[row, col.AI_LETHAL_RUNG + v] = variant.lethal_rung
        acc = beliefs.effective_accuracy(accuracy, a.ambiguity)
        act_f[row, col.AF_GOLDSTEIN] = a.goldstein
        act_f[row, col.AF_RIVERA] = a.rivera
        act_f[row, col.AF_P_DETECT] = a.p_detect
        act_f[row, col.AF_ACCURACY] = acc
        act_f[row, col.AF_EVIDENCE_YES] = float(beliefs.evidence_ratio(acc, True))
        act_f[row, col.AF_EVIDENCE_NO] = float(beliefs.evidence_ratio(acc, False))
        act_f[row, col.AF_RATIO_PLAIN] = a.plain.signal_ratio or 1.0
        act_f[row, col.AF_RATIO_WARNED] = (a.warned.signal_ratio if a.warned else None) or 1.0
        act_i[row, col.AI_HAS_WARNED] = a.warned is not None
        act_i[row, col.AI_HITS] = a.hits
        act_i[row, col.AI_HAS_RATIO] = a.warned is not None or a.plain.signal_ratio is not None
    return act_f, act_i, {name: row for row, name in enumerate(found)}


def _scalars(engine: Engine, act: Callable[[Action | None], int]) -> dict[str, float]:
    c = engine.c
    s = c.scenario
    o, h, st, d, lg = s.outcomes, s.hazards, s.stocks, s.doctrines, s.logit
    f = engine.fronts
    host, sea, nuc = f.host, f.maritime, f.nuclear
    ev = s.initial_event
    lag_p = 1.0 / (1.0 + s.perception.report_lag_mean_days)
    whole = math.floor(c.latency_days)
    dv, cost = lg.deterrence_value, lg.action_cost
    values: dict[str, float] = {
        "PI_DAYS": engine.days,
        "PI_T0": engine.t0,
        "PI_WINDOW_START": engine.window_start,
        "PI_UNIFORM_ROWS": engine.plan.uniform_rows,
        "PI_ROW_ACCIDENT": engine.rows_hazard["accident"].start,
        "PI_ROW_LOC": engine.rows_hazard["loss_of_control"].start,
        "PI_ROW_GROUP": engine.rows_group.start,
        "PI_ROW_MARITIME": f.rows["maritime"].start,
        "PI_ROW_DIALOGUE": f.rows["dialogue"].start,
        "PI_ROW_COLLAPSE": f.rows["collapse"].start,
        "PI_WAR_EXCHANGES": o.war_exchanges,
        "PI_WAR_EXCHANGE_WINDOW": o.war_exchange_window_days,
        "PI_WAR_RUNG": o.war_rung,
        "PI_DECLARED_WAR_DAYS": o.declared_war_days,
        "PI_STABLE_RUNG": o.stable_rung,
        "PF_WAR_BATTLE_DEATHS": o.war_battle_deaths,
        "PI_ACCIDENT_GROUP": -1 if c.accident_group is None else c.accident_group,
        "PI_ACCIDENT_ACTION": act(c.accident_action),
        "PI_LOC_GROUP": -1 if c.loc_group is None else c.loc_group,
        "PI_LOC_ACTION": act(c.loc_action),
        "PF_ACCIDENT_RATE": h.accident_per_max_alert_day,
        "PF_LOC_RATE": h.loss_of_control_per_day,
        "PF_ORDERED_MULTIPLIER": h.ordered_multiplier,
        "PF_ENFORCEMENT_EFFECT": h.enforcement_effect,
        "PF_GRIEVANCE_SENSITIVITY": st.grievance_sensitivity,
        "PF_GRIEVANCE_PER_STRIKE": st.grievance_per_strike,
        "PF_GRIEVANCE_PER_SPEECH": st.grievance_per_inflammatory_day,
        "PF_COMMITMENT_PER_SPEECH": st.commitment_per_inflammatory_day,
        "PF_ALERT_PER_EVENT": st.alert_per_hostile_event,
        "PF_DECAY_GRIEVANCE": engine.decay["grievance"],
        "PF_DECAY_ALERT": engine.decay["alert"],
        "PF_DECAY_COMMITMENT": engine.decay["commitment"],
        "PF_DECAY_HOSTILITY": engine.decay["hostility"],
        "PF_RHETORIC_RATE": s.rhetoric.daily_probability,
        "PF_SPEECH_RATIO": s.rhetoric.inflammatory_likelihood_ratio,
        "PI_INITIAL_SIDE": engine._side_of(ev.actor) if ev else 0,
        "PI_INITIAL_GROUP": engine._group_index(ev.actor) if ev else -1,
        "PI_INITIAL_WARNED": bool(ev and ev.warned),
        "PI_INITIAL_DEATHS": ev.deaths if ev else 0,
        "PI_INITIAL_ACTION": act(engine.action(ev.action)) if ev else -1,
        "PI_N_GROUPS": len(c.groups),
        "PI_N_LINES": len(c.red_lines),
        "PF_EXPECTATION_BIAS": s.perception.expectation_bias,
        "PF_SIGMA": c.sigma,
        "PI_MISPERCEPTION_GAP": s.perception.misperception_gap,
        "PF_INITIAL_INJURY_SHARE": s.perception.initial_injury_share,
        "PI_LAG_ON": lag_p < 1.0,
        "PF_LAG_LOG": math.log1p(-lag_p) if lag_p < 1.0 else 0.0,
        "PF_GAMMA": s.attribution.confirmation_bias,
        "PF_ORDER_SHARE": s.attribution.assumed_order_share,
        "PI_ATTRIBUTION_DELAY": s.attribution.delay_days,
        "PF_LR_C2": c.lr_c2,
        "PF_C2_LIE": 1.0 / c.lr_c2,
        "PF_LR_MSG": c.lr_msg,
        "PF_MSG_LIE": 1.0 / max(c.lr_msg, 1.0),
        "PI_CHANNEL_OPEN": c.channel_open,
        "PI_CARRIES_C2": c.carries_c2,
        "PI_LATENCY_WHOLE": whole,
        "PF_LATENCY_FRAC": c.latency_days - whole,
        "PI_ATTACK_THRESHOLD": d.attack_threshold,
        "PI_SHIPPING_THRESHOLD": d.shipping_attack_threshold,
        "PF_GTFT_FORGIVENESS": d.gtft_forgiveness,
        "PF_RETALIATORY_TRUST": d.retaliatory_trust_threshold,
        "PF_LOGIT_NONE": dv["none"] - cost["none"],
        "PF_LOGIT_PROXY": dv["strike_proxy"] - cost["strike_proxy"],
        "PF_LOGIT_STATE": dv["strike_state"] - cost["strike_state"],
        "PF_LOGIT_PROXY_WAR": lg.war_cost * lg.proxy_risk_share,
        "PF_LOGIT_WAR_COST": lg.war_cost,
        "PF_LOGIT_PRECISION": lg.precision,
        "PI_HOST_ON": f.host_on,
        "PI_HOST_NAT": f.host_nat,
        "PF_HOST_DECAY": f.decay,
        "PF_HOST_PER_STRIKE": host.per_strike,
        "PF_HOST_PER_DEATH": host.per_host_death,
        "PF_HOST_SANCTIONS": host.sanctions_effect * host.sanctions_threat,
        "PF_HOST_DIPLOMACY": host.diplomacy_effect * host.diplomacy,
        "PF_HOST_THRESHOLD": host.threshold,
        "PI_HOST_DAYS_ABOVE": host.days_above,
        "PI_HOST_WITHDRAWAL_LAG": host.withdrawal_lag_days,
        "PF_HOST_FOLLOW_ON_PROBABILITY": host.follow_on_probability,
        "PI_HOST_FOLLOW_ON_LAG": host.follow_on_lag_days,
        "PF_PRESENCE_AFTER": host.presence_after_withdrawal,
        "PF_DETERRENCE_AFTER": 1.0 + host.deterrence_loss,
        "PI_SEA_GROUP": -1 if f.sea_group is None else f.sea_group,
        "PI_SEA_ACTION": act(f.sea_action),
        "PI_SEA_VICTIM": -1 if f.sea_victim is None else f.sea_victim,
        "PF_SEA_BASE_HAZARD": sea.base_hazard,
        "PF_SEA_HOSTILITY_SENSITIVITY": sea.hostility_sensitivity,
        "PF_SEA_POSTURE_FACTOR": 1.0 - sea.deterrence_effect * sea.posture,
        "PI_NUCLEAR_ON": nuc.enabled,
        "PI_QUIET_DAYS": nuc.quiet_days_for_opportunity,
        "PF_DIALOGUE_START": nuc.dialogue_start_daily,
        "PF_DIALOGUE_AFTER_QUIET": nuc.dialogue_start_after_quiet,
        "PF_DIALOGUE_COLLAPSE": nuc.dialogue_collapse_daily,
        "PI_STEP_DAYS": nuc.step_days,
        "PF_STEP_MONTHS": nuc.step_months,
        "PF_MAX_MONTHS": nuc.max_months,
        "PF_CRISIS_THRESHOLD": nuc.crisis_threshold_months,
        "PI_PREVENTIVE_STRIKE": nuc.preventive_strike,
        "PF_PREVENTIVE_PROBABILITY": nuc.preventive_strike_probability,
    }
    missing = {k for k in dir(col) if k.startswith(("PF_", "PI_")) and not k.endswith("_COLUMNS")}
    missing -= {*values, "PI_SOIL"}
    assert not missing, f"parameters not set: {sorted(missing)}"
    return values


def _sides(engine: Engine, act) -> tuple[np.ndarray, np.ndarray]:
    side_f = np.zeros((2, col.SDF_COLUMNS))
    side_i = np.zeros((2, col.SDI_COLUMNS), np.int64)
    can_execute = (engine._can_execute[DEFENDER], engine._can_execute[CHALLENGER])
    for i, x in enumerate(engine.c.sides):
        side_f[i, col.SDF_CAMPAIGN_DAILY_LIMITED] = x.campaign_daily[0]
        side_f[i, col.SDF_CAMPAIGN_DAILY_AGGRESSIVE] = x.campaign_daily[1]
        side_f[i, col.SDF_CAMPAIGN_STOP] = 1.0 / x.campaign_mean_days
        side_f[i, col.SDF_ENFORCEMENT] = x.enforcement
        side_f[i, col.SDF_RETALIATION_LIMITED] = x.retaliation[0]
        side_f[i, col.SDF_RETALIATION_AGGRESSIVE] = x.retaliation[1]
        side_f[i, col.SDF_P_WARNING] = x.p_warning_delivered
        side_f[i, col.SDF_AUDIENCE_COST] = x.audience_cost
        side_i[i, col.SDI_NATIONALITY] = x.nationality
        side_i[i, col.SDI_INFLAMMATORY] = x.inflammatory
        side_i[i, col.SDI_RHETORIC] = act(x.rhetoric)
        side_i[i, col.SDI_MESSAGE] = act(x.message)
        side_i[i, col.SDI_STRIKE_PROXY] = act(x.strike_proxy)
        side_i[i, col.SDI_STRIKE_STATE] = act(x.strike_state)
        side_i[i, col.SDI_RETALIATE] = act(x.retaliate)
        side_i[i, col.SDI_DOCTRINE] = DOCTRINES.index(x.doctrine)
        side_i[i, col.SDI_LOGIT] = x.logit
        side_i[i, col.SDI_ROW] = engine.rows_side[i].start
        side_i[i, col.SDI_CAN_EXECUTE : col.SDI_CAN_EXECUTE + 4] = can_execute[i]
    return side_f, side_i


def _groups(engine: Engine, act) -> tuple[np.ndarray, np.ndarray]:
    s = engine.c.scenario
    groups = engine.c.groups
    group_f = _table(len(groups), col.GF_COLUMNS, np.float64)
    group_i = _table(len(groups), col.GI_COLUMNS, np.int64)
    for i, g in enumerate(groups):
        ratio = [
            float(
                beliefs.group_observation_ratio(
                    observed,
                    g.base_hazard,
                    g.assumed_control,
                    s.attribution.assumed_order_share,
                    s.hazards.ordered_multiplier,
                    g.action.p_detect,
                )
            )
            for observed in (True, False)
        ]
        group_f[i] = (g.control, g.base_hazard, g.assumed_control, *ratio)
        group_i[i, col.GI_SIDE] = g.side
        group_i[i, col.GI_ACTION] = act(g.action)
        group_i[i, col.GI_NATIONALITY] = g.nationality
        group_i[i, col.GI_ROLE] = ROLES.index(g.role)
        group_i[i, col.GI_PRESENCE] = g.side == CHALLENGER and g.action.hits == FORCES
    return group_f, group_i


def _red_lines(engine: Engine) -> tuple[np.ndarray, ...]:
    lines = engine.c.red_lines
    width = max([len(line.conditions) for line in lines] + [1])
    line_f = _table(len(lines), col.LF_COLUMNS, np.float64)
    line_i = _table(len(lines), col.LI_COLUMNS, np.int64)
    cond_i = np.zeros((max(len(lines), 1), width, col.CI_COLUMNS), np.int64)
    cond_v = np.zeros((max(len(lines), 1), width))
    for i, line in enumerate(lines):
        line_f[i, col.LF_ENFORCEMENT] = line.enforcement
        line_f[i, col.LF_AUDIENCE_COST] = line.audience_cost
        line_i[i] = (line.owner, len(line.conditions), line.response, line.public)
        for k, (name, nationality, comparison, threshold) in enumerate(line.conditions):
            cond_i[i, k] = (FIELDS.index(name), nationality, OPS.index(comparison))
            cond_v[i, k] = threshold
    return line_f, line_i, cond_i, cond_v
