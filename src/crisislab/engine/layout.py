"""Column numbers of the packed arrays the compiled day loop works on, derived, never typed.

The kernel receives a few arrays rather than one per field (numba compiles functions of many
arguments, or of large tuples, very slowly) and reads a field by its name here: `F_BELIEF + side`
is the belief column of a side. The state columns come from the declaration in state.py; the
parameter columns from the name lists below, in order (a name with a width takes that many
columns). Nothing is numbered by hand: adding a field or a parameter is adding a name.
"""

from __future__ import annotations

from crisislab.engine import state

# Rows of the runs-last arrays are padded by one cache line (8 values). Unpadded, a row of a chunk
# of 2^k runs starts 2^(k+3) bytes after the previous one, so the same run's fields in all rows
# fall in one set of the processor's caches, and a pass reading a few dozen of them evicts its own
# data.
PAD = 8

# The per-run integers are int32: every field is a day, a count, a small code or a bit mask, and
# at half the width a block's rows of integers fit in the processor's second-level cache with the
# floats.
INTEGER_DTYPE = "int32"

# Scenario floats, pf[column] and integers, pi[column]
PF = (
    "accident_rate", "loc_rate", "ordered_multiplier", "enforcement_effect",
    "grievance_sensitivity", "grievance_per_strike", "grievance_per_speech",
    "commitment_per_speech", "alert_per_event", "decay_grievance", "decay_alert",
    "decay_commitment", "decay_hostility", "rhetoric_rate", "speech_ratio",
    "expectation_bias", "sigma", "initial_injury_share", "lag_log", "gamma", "order_share",
    "lr_c2", "c2_lie", "lr_msg", "msg_lie", "latency_frac",
    "logit_precision", "host_decay", "host_per_strike", "host_per_death",
    "host_sanctions", "host_diplomacy", "host_threshold",
    "presence_after", "deterrence_after", "sea_base_hazard", "sea_hostility_sensitivity",
    "sea_posture_factor", "dialogue_start", "dialogue_after_quiet", "dialogue_collapse",
    "step_months", "max_months", "crisis_threshold", "preventive_probability",
    "decay_resolve", "rally", "death_slope", "order_value", "order_cost", "answer_loss",
    "grievance_weight", "occasion_rate", "decay_credibility", "campaign_value", "campaign_cost",
    "decay_threat", "calm_level", "war_end_hazard", "casualty_sigma", "logit_proxy_value",
    "logit_state_value", "logit_proxy_cost", "logit_state_cost", "proxy_risk_share",
    "decay_suppression", "suppression_effect", "host_vote", "host_leave", "host_dependence",
    "theatre_value", "step_value", "step_cost", "step_fear", "decay_belief", "planning_median",
    "planning_sigma",
)  # fmt: skip
PI = (
    "days", "t0", "window_start", "uniform_rows", "row_accident", "row_loc", "row_group",
    "row_maritime", "row_dialogue", "row_collapse", "war_exchange_window",
    "war_rung", "declared_war_days", "stable_rung", "accident_group", "accident_action",
    "loc_group", "loc_action", "initial_side", "initial_group", "initial_warned",
    "initial_deaths", "initial_action", "n_groups", "n_lines", "misperception_gap", "lag_on",
    "attribution_delay", "channel_open", "carries_c2", "latency_whole", "attack_threshold",
    "shipping_threshold", "host_on", "host_nat",
    "host_follow_on_lag", "sea_group", "sea_action", "sea_victim", "nuclear_on", "quiet_days",
    "step_days", "preventive_strike", "n_script", "tracing", "daily", "end_quiet_days",
    "row_decide", "row_host", "external", "condition", ("soil", 6),
)  # fmt: skip
# Per-side floats side_f[side, column] and integers side_i[side, column]
SDF = (
    "campaign_stop", "enforcement", "p_warning", "audience_cost",
    "obligation", "cross_chance", "prior_trust",
)  # fmt: skip
SDI = (
    "nationality", "inflammatory", "rhetoric", "message", "strike_proxy", "strike_state",
    "retaliate", "doctrine", "row", ("can_execute", 4), "leads_groups",
)  # fmt: skip
# Per-group floats group_f[group, column] and integers group_i[group, column]
GF = ("control", "base_hazard", "assumed_control", "seen_ratio", "unseen_ratio")
GI = ("side", "action", "nationality", "role", "presence")
# Per-action floats act_f[action, column] and integers act_i[action, column]; a width of two:
# plain, warned
AF = (
    ("p_kill", 2), ("deaths_mean", 2), ("injuries_mean", 2), "goldstein", "rivera", "p_detect",
    "accuracy", "evidence_yes", "evidence_no", "ratio_plain", "ratio_warned",
)  # fmt: skip
AI = (("rung", 2), ("lethal_rung", 2), "has_warned", "hits", "has_ratio")
# Per-red-line floats line_f[line, column] and integers line_i[line, column]
LF = ("enforcement", "audience_cost")
LI = ("owner", "conditions", "response", "public")
# Per-condition integers cond_i[line, condition, column]
CI = ("field", "nationality", "op")
# Scripted events script_i[event, column] (history/mapping.py writes them, the kernel injects)
SCI = (
    "day", "kind", "side", "group", "action", "ordered", "warned", "deaths", "victim",
    "struck_group",
)  # fmt: skip
# Draws of the day's uniforms, draw_i[draw, column]: one keyed call fills one or two rows
DRI = ("purpose", "slot", "row0", "row1", "read")
# A traced run's records, log[record, column] (trace.py names what each kind uses)
LOG = (
    "day", "what", "run", "side", "group", "action", "source", "ordered", "rung", "warned",
    "intended_warned", "deaths", "injuries", "victim", "detected", "perceived", "p_ordered",
    "struck_group", "line", "enforced", "response", "trigger", "value", "news",
)  # fmt: skip
# What a record is, log[record, LOG_WHAT]
WHAT = (
    "none", "event", "orders", "rhetoric", "message", "red_line", "decision", "front", "war",
    "crisis_end", "ceasefire", "recurrence",
)  # fmt: skip
# A front record's news, log[record, LOG_NEWS]
FRONT = (
    "none", "expulsion", "withdrawal", "follow_on", "preventive_strike", "dialogue_begins",
    "dialogue_collapses", "breakout_crisis",
)  # fmt: skip
# Daily series, daily[series, day, run], kept when asked for (goldstein, red lines and
# misperceptions cumulative; the rest as they stand at the end of the day)
DAILY = (
    "goldstein", "rung", "misperceptions", ("red_lines", 2), ("perceived_rung", 2),
    ("belief", 2), ("pending_attributions", 2),
)  # fmt: skip


def _number(prefix: str, names) -> dict[str, int]:
    out, at = {}, 0
    for spec in names:
        name, width = (spec, 1) if isinstance(spec, str) else spec
        out[f"{prefix}_{name.upper()}"] = at
        at += width
    out[f"{prefix}_COLUMNS"] = at
    return out


def _state(prefix: str, kind: state.Kind, slot: bool) -> dict[str, int]:
    cols = state.columns(kind, slot)
    out = {f"{prefix}_{name.upper()}": first for name, (first, _) in cols.items()}
    out[f"{prefix}_COLUMNS"] = sum(width for _, width in cols.values())
    return out


COLUMNS: dict[str, int] = {
    **_state("F", "float", False),
    **_state("I", "int", False),
    **_state("SLF", "float", True),
    **_state("SLI", "int", True),
    **{
        name: value
        for prefix, names in (
            ("PF", PF),
            ("PI", PI),
            ("SDF", SDF),
            ("SDI", SDI),
            ("GF", GF),
            ("GI", GI),
            ("AF", AF),
            ("AI", AI),
            ("LF", LF),
            ("LI", LI),
            ("CI", CI),
            ("SCI", SCI),
            ("DRI", DRI),
            ("LOG", LOG),
            ("DAILY", DAILY),
        )
        for name, value in _number(prefix, names).items()
    },
}
COLUMNS.update({f"WHAT_{name.upper()}": code for code, name in enumerate(WHAT)})
COLUMNS.update({f"FRONT_{name.upper()}": code for code, name in enumerate(FRONT)})
globals().update(COLUMNS)  # the kernel reads them as constants: col.F_BELIEF


def __getattr__(name: str) -> int:  # for type checkers; every name is set above
    raise AttributeError(name)
