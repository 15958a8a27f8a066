"""Pure functions behind the dashboard page: no Streamlit here, so all of it is unit-tested.

- `levers(scenario)`: the widgets a scenario offers, derived from its dyad, actors and fronts;
- `overrides_from(...)`: widget values turned into the dotted-path overrides of `simulate`;
- caps on what one request may ask for (`max_runs`, `trajectory_runs`);
- `scenario_from_upload(...)`: an uploaded file validated with the CLI's messages;
- tables of a summary (outcomes, mechanisms, violence levels, how crises end), the paired
  differences of two policies, and the daily trajectories reduced to quantile bands;
- the per-run table as CSV or Parquet bytes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import math
import re
import string
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, get_args

import numpy as np
import pandas as pd

from crisislab.engine.constants import END_MODES
from crisislab.report.trajectories import first_crisis_curves
from crisislab.results.result import VIOLENCE_LEVELS
from crisislab.scenario.loader import (
    MAX_FILE_BYTES,
    ScenarioError,
    decode_source,
    parse_yaml,
    validate,
)
from crisislab.scenario.outcomes import OUTCOMES
from crisislab.scenario.schema import (
    ChannelKind,
    Doctrine,
    Faction,
    Leadership,
    Proxy,
    Rhetoric,
    Scenario,
)

# --- what one request may ask for -------------------------------------------------------------

MAX_RUNS_PER_REQUEST = 50_000
RUN_DAY_BUDGET = MAX_RUNS_PER_REQUEST * 365  # runs x days of one request (about 20 s of work)
MAX_TRAJECTORY_RUNS = 2048
TRAJECTORY_CELL_BUDGET = MAX_TRAJECTORY_RUNS * 365  # runs x days kept day by day
MAX_UPLOAD_BYTES = MAX_FILE_BYTES
MAX_UPLOAD_MB = math.ceil(MAX_UPLOAD_BYTES / 2**20)  # Streamlit counts in MiB
DEFAULT_RUNS = 5000
FAN_WINDOW_DAYS = 30

DOCTRINES: tuple[str, ...] = get_args(Doctrine)
RHETORIC: tuple[str, ...] = get_args(Rhetoric)
CHANNEL_KINDS: tuple[str, ...] = get_args(ChannelKind)

OUTCOME_LABELS = {
    "stable_deescalation": "stable de-escalation",
    "frozen_conflict": "frozen conflict",
    "war": "war",
}
VIOLENCE_LABELS = {
    "no_violence": "no violence",
    "minor_clashes": "minor clashes",
    "serious_clashes": "serious clashes",
    "full_scale_war": "full-scale war",
}
END_MODE_LABELS = {
    "tacit": "ended tacitly",
    "agreement": "ended by agreement (both sides used the channel)",
    "imposed": "ended imposed (a war's ceasefire)",
}
DOCTRINE_HELP = {
    "restraint": "never initiates a strike; answers with force only when its red line fires",
    "targeted": "answers proxy attacks on the proxy; strikes the state only for its red line",
    "gtft": "answers up to one rung above the perceived attack, with a low obligation to answer",
    "proportional": "answers up to one rung above the perceived attack",
    "retaliatory": "a strong obligation to answer, on whichever target pays most",
    "strategic": "no move forbidden and no target preferred: expected utility alone",
}


def max_runs(days: int) -> int:
    """The most runs one request may simulate over `days` days."""
    return max(1, min(MAX_RUNS_PER_REQUEST, RUN_DAY_BUDGET // max(1, int(days))))


def clamp_runs(runs: int, days: int) -> int:
    return max(1, min(int(runs), max_runs(days)))


def trajectory_runs(runs: int, days: int) -> int:
    """How many of the runs are kept day by day for the trajectory charts."""
    return max(1, min(int(runs), MAX_TRAJECTORY_RUNS, TRAJECTORY_CELL_BUDGET // max(1, int(days))))


# --- levers -----------------------------------------------------------------------------------

LeverKind = Literal["choice", "fraction", "switch"]


@dataclass(frozen=True)
class Lever:
    """One widget: a scenario value the user may change, addressed by its override path."""

    path: str
    label: str
    kind: LeverKind
    default: Any
    group: str
    options: tuple[str, ...] = ()
    help: str = ""


def _actor_title(aid: str, actor: Any) -> str:
    return f"{actor.name} ({aid})" if actor.name and actor.name != aid else aid


def levers(scenario: Scenario) -> list[Lever]:
    """The levers and uncertain parameters of a scenario, grouped, defender first.

    Derived from the scenario's roles, never from particular actor ids: both leaderships of the
    dyad (doctrine, rhetoric; the challenger's share of limited resolve and enforcement), the
    channel, the control of every proxy and faction, and the fronts the scenario switches on.
    """
    s = scenario
    out: list[Lever] = []
    for side in ("defender", "challenger"):
        aid = getattr(s.dyad, side)
        actor = s.actors[aid]
        assert isinstance(actor, Leadership)
        group = f"{side.capitalize()}: {_actor_title(aid, actor)}"
        out.append(
            Lever(
                f"actors.{aid}.doctrine",
                f"{aid} doctrine",
                "choice",
                actor.doctrine,
                group,
                DOCTRINES,
                "How it answers a perceived attack: "
                + "; ".join(f"{k}: {v}" for k, v in DOCTRINE_HELP.items()),
            )
        )
        out.append(
            Lever(
                f"actors.{aid}.rhetoric",
                f"{aid} rhetoric",
                "choice",
                actor.rhetoric,
                group,
                RHETORIC,
                "Inflammatory statements raise commitment and the other side's grievance.",
            )
        )
        if side == "challenger":
            out.append(
                Lever(
                    f"actors.{aid}.type_prior",
                    f"P({aid} leadership is limited)",
                    "fraction",
                    actor.type_prior,
                    group,
                    help="The chance that its hidden resolve is drawn below ½ (limited: it would "
                    "rather concede than fight a full-scale war) rather than above (aggressive). "
                    "Resolve then moves during the run. Deeply uncertain.",
                )
            )
            out.append(
                Lever(
                    f"actors.{aid}.enforcement",
                    f"{aid} enforcement over its groups",
                    "fraction",
                    actor.enforcement,
                    group,
                    help="Effort the leadership spends restraining its proxies and factions.",
                )
            )
    channel = "Channel between the leaderships"
    out.append(
        Lever(
            "channel.kind",
            "channel kind",
            "choice",
            s.channel.kind,
            channel,
            CHANNEL_KINDS,
            "none, an indirect intermediary, or a direct hotline (less noise, faster messages).",
        )
    )
    out.append(
        Lever(
            "channel.carries_c2",
            "channel carries command-and-control information",
            "switch",
            s.channel.carries_c2,
            channel,
            help="Whether the channel can show verifiably who ordered an attack.",
        )
    )
    for aid, actor in s.actors.items():
        if isinstance(actor, Proxy | Faction):
            out.append(
                Lever(
                    f"actors.{aid}.control",
                    f"control of {_actor_title(aid, actor)} by {actor.principal}",
                    "fraction",
                    actor.control,
                    "Armed groups: their principal's control",
                    help=f"A {actor.role} of {actor.principal}: the share of its would-be attacks "
                    "its principal can stop.",
                )
            )
    fronts = "Strategic fronts"
    if s.fronts.host.actor is not None:
        host = s.fronts.host.actor
        out.append(
            Lever(
                "fronts.host.diplomacy",
                f"{s.dyad.defender} diplomacy with {host}",
                "fraction",
                s.fronts.host.diplomacy,
                fronts,
                help=f"Lowers the pressure in {host} to expel the defender's forces.",
            )
        )
        out.append(
            Lever(
                "fronts.host.sanctions_threat",
                f"{s.dyad.defender} threatens {host} with sanctions",
                "switch",
                s.fronts.host.sanctions_threat,
                fronts,
                help=f"Raises the pressure in {host} to expel the defender's forces.",
            )
        )
    if s.fronts.maritime.actor is not None:
        out.append(
            Lever(
                "fronts.maritime.posture",
                "partners' maritime deterrence posture",
                "fraction",
                s.fronts.maritime.posture,
                fronts,
                help=f"Deters attacks on shipping by {s.fronts.maritime.actor}.",
            )
        )
    if s.fronts.nuclear.enabled:
        out.append(
            Lever(
                "fronts.nuclear.dialogue",
                "nuclear dialogue under way",
                "switch",
                s.fronts.nuclear.dialogue,
                fronts,
                help="A dialogue restores breakout time; without it breakout time erodes.",
            )
        )
        out.append(
            Lever(
                "fronts.nuclear.preventive_strike",
                "preventive strike in a breakout crisis",
                "switch",
                s.fronts.nuclear.preventive_strike,
                fronts,
                help="Whether a breakout crisis may be answered with a preventive strike.",
            )
        )
    return out


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) or isinstance(b, float):
        return math.isclose(float(a), float(b), abs_tol=1e-9)
    return bool(a == b)


def overrides_from(specs: list[Lever], values: Mapping[str, Any]) -> dict[str, Any]:
    """The overrides for the values that differ from the scenario's own (in lever order)."""
    out: dict[str, Any] = {}
    for lever in specs:
        if lever.path not in values:
            continue
        value = values[lever.path]
        if lever.kind == "fraction":
            value = round(float(value), 6)
        elif lever.kind == "switch":
            value = bool(value)
        if not _same(value, lever.default):
            out[lever.path] = value
    return out


def describe_overrides(overrides: Mapping[str, Any]) -> str:
    if not overrides:
        return "the scenario as written"
    return ", ".join(f"{path}={value}" for path, value in overrides.items())


# --- sources ----------------------------------------------------------------------------------


def upload_key(name: str, raw: bytes) -> str:
    """A stable identity for an uploaded file (its name and content)."""
    return f"upload:{name}:{hashlib.sha256(raw).hexdigest()[:16]}"


def scenario_from_upload(name: str, raw: bytes) -> Scenario:
    """Validate an uploaded scenario file exactly as `crisislab validate` does a path.

    Raises ScenarioError whose problems read `file:line:column: path: message`.
    """
    label = name or "uploaded.yaml"
    text = decode_source(label, raw)
    data, positions = parse_yaml(label, text)
    return validate(label, data, positions)


def problem_lines(exc: ScenarioError) -> list[str]:
    return [str(p) for p in exc.problems]


_MARKDOWN_SPECIAL = frozenset(string.punctuation)  # CommonMark escapes any ASCII punctuation
WORD_JOINER = "\u2060"  # invisible: it splits a pattern the page would otherwise transform
# Streamlit's Markdown turns bare addresses ("www.x.org", "https://x.org", "a@x.org") into links
# and ":shortcodes:" into emoji in the text that remains once escapes are resolved: an escape
# cannot stop that, an invisible joiner inside the pattern can.
_TEXT_PATTERNS = re.compile(r"(?i)(?<=:)(?=//|[a-z_+-][\w+-]*:)|(?<=www)(?=\.)|(?<=@)")


def md_escape(text: str) -> str:
    """Text shown literally inside Streamlit Markdown: no emphasis, links, images, HTML, colours,
    emoji or maths, and no bare address made a link. Use it for every piece of text a user
    supplied (a scenario's title, actor names, action labels, file names) that goes into
    Markdown, a heading or a widget's label."""
    text = _TEXT_PATTERNS.sub(WORD_JOINER, text)
    return "".join(f"\\{ch}" if ch in _MARKDOWN_SPECIAL else ch for ch in text)


def one_line(text: str) -> str:
    """Text for a heading or a label: its whitespace (line breaks too) collapsed to spaces."""
    return " ".join(text.split())


# --- tables -----------------------------------------------------------------------------------


def outcome_frame(summary: Mapping[str, Any]) -> pd.DataFrame:
    """One row per outcome class: probability and its 95% Wilson interval (numbers)."""
    rows = []
    for name in OUTCOMES:
        entry = summary["outcomes"][name]
        lo, hi = entry["ci"]
        rows.append(
            {
                "outcome": OUTCOME_LABELS.get(name, name),
                "p": entry["p"],
                "ci_low": lo,
                "ci_high": hi,
            }
        )
    return pd.DataFrame(rows)


def outcome_display(summary: Mapping[str, Any]) -> pd.DataFrame:
    """The outcome table as a person reads it: percentages with their intervals."""
    frame = outcome_frame(summary)
    return pd.DataFrame(
        {
            "outcome": frame["outcome"],
            "probability": [f"{p:.1%}" for p in frame["p"]],
            "95% interval": [
                f"{lo:.1%} – {hi:.1%}"
                for lo, hi in zip(frame["ci_low"], frame["ci_high"], strict=True)
            ],
        }
    )


def mechanisms_display(summary: Mapping[str, Any]) -> pd.DataFrame:
    """Why: kinds of war, the test of intent and perception, red lines, flags (shares of runs)."""
    s = summary
    rows = [
        ("war: spiral (the challenger's resolve was below ½)", s["war_kinds"]["spiral"]),
        (
            "war: deterrence failure (the challenger's resolve was above ½)",
            s["war_kinds"]["deterrence_failure"],
        ),
        ("war: inadvertent (began with an unordered act)", s["war_kinds"]["inadvertent"]),
        ("war by day 30", s["checkpoints"]["war_by_day_30"]),
        ("war by day 90", s["checkpoints"]["war_by_day_90"]),
        ("challenger limited and ordered no escalation", s["test"]["intended"]),
        ("defender perceives no escalation intended", s["test"]["perceived"]),
        ("both", s["test"]["both"]),
        ("defender's red line fired", s["flags"]["red_line_fired"]),
        ("limited reprisal cycle", s["flags"]["limited_reprisal_cycle"]),
    ]
    for key, label in (
        ("host_expulsion", "host expels the defender's forces"),
        ("follow_on_withdrawal", "follow-on withdrawal"),
        ("breakout_crisis", "nuclear breakout crisis"),
    ):
        if key in s["flags"]:
            rows.append((label, s["flags"][key]))
    return pd.DataFrame(
        {"measure": [r[0] for r in rows], "share of runs": [f"{r[1]:.1%}" for r in rows]}
    )


def violence_display(summary: Mapping[str, Any]) -> pd.DataFrame:
    """The highest ICB violence level the runs reached: one row per level, shares adding to 1."""
    shares = summary["violence"]
    return pd.DataFrame(
        {
            "highest violence level": [VIOLENCE_LABELS[k] for k in VIOLENCE_LEVELS],
            "share of runs": [f"{shares[k]:.1%}" for k in VIOLENCE_LEVELS],
        }
    )


def _days(value: float | None) -> str:
    return "—" if value is None else f"{value:.0f} days"


def termination_display(summary: Mapping[str, Any]) -> pd.DataFrame:
    """How the crises ended: whether, how soon, how, and whether they came back."""
    t = summary["termination"]
    rows = [
        ("crisis ended by the horizon", f"{t['ended']:.1%}"),
        ("median length of the first crisis (ended ones)", _days(t["end_day_median"])),
        ("first crisis ended within 90 days", f"{t['ended_within_90_days']:.1%}"),
        *((label, f"{t[mode]:.1%}") for mode, label in END_MODE_LABELS.items()),
        ("a new crisis began after an end (recurred)", f"{t['recurred']:.1%}"),
        ("recurrences (mean per run)", f"{t['recurrences_mean']:.2f}"),
    ]
    return pd.DataFrame({"measure": [r[0] for r in rows], "value": [r[1] for r in rows]})


@dataclass(frozen=True)
class Endings:
    """How the first crisis of each run ends, day by day (competing risks, shares of all runs)."""

    start: dt.date
    runs: int
    ended: np.ndarray  # first crisis ended short of war, by the end of each day
    war: np.ndarray  # full-scale war reached while the first crisis was on

    @property
    def days(self) -> int:
        return int(self.ended.size)

    def dates(self) -> list[dt.date]:
        return [self.start + dt.timedelta(days=d) for d in range(self.days)]


def endings(columns: Mapping[str, np.ndarray], start: dt.date, days: int) -> Endings:
    """The first crisis's two competing ends, from a result's per-run columns."""
    war_day = np.asarray(columns["war_day"])
    first_end = np.asarray(columns.get("first_end_day", np.full(war_day.size, -1)))
    ended, war = first_crisis_curves(first_end, war_day, days)
    return Endings(start, int(war_day.size), ended, war)


# --- paired differences of two policies ------------------------------------------------------

# (summary section or None, key, label, kind): a share shown in %, a mean shown as a number
PAIRED_ROWS: tuple[tuple[str | None, str, str, str], ...] = (
    *(("outcomes", o, f"P({OUTCOME_LABELS[o]})", "share") for o in OUTCOMES),
    *(("violence", k, f"highest level: {VIOLENCE_LABELS[k]}", "share") for k in VIOLENCE_LEVELS),
    ("termination", "ended", "crisis ended by the horizon", "share"),
    ("termination", "ended_within_90_days", "first crisis ended within 90 days", "share"),
    *(("termination", m, END_MODE_LABELS[m], "share") for m in END_MODES if m != "none"),
    ("termination", "recurred", "recurred", "share"),
    ("termination", "recurrences_mean", "recurrences (mean per run)", "mean"),
    ("flags", "red_line_fired", "defender's red line fired", "share"),
    ("metrics", "misperceptions_mean", "misperceptions (mean per run)", "mean"),
)


def _value(summary: Mapping[str, Any], section: str | None, key: str) -> float | None:
    entry = summary.get(section, {}).get(key) if section else None
    if isinstance(entry, Mapping):
        return float(entry["p"])
    return None if entry is None else float(entry)


def _difference(effect: Mapping[str, Any] | None, kind: str) -> str:
    """A paired difference with its 95% interval: percentage points for a share."""
    if effect is None:
        return "—"
    diff = effect["diff"]
    lo, hi = effect["ci"] or (diff, diff)
    if kind == "share":
        return f"{100 * diff:+.1f} pp [{100 * lo:+.1f}, {100 * hi:+.1f}]"
    return f"{diff:+.2f} [{lo:+.2f}, {hi:+.2f}]"


def paired_display(
    summaries: list[Mapping[str, Any]], names: list[str], paired: Mapping[str, Any]
) -> pd.DataFrame:
    """Two policies side by side and B − A run by run: `paired` holds B's paired differences
    against A over the same runs (`crisislab.report.paired`)."""
    a, b = summaries
    rows = []
    for section, key, label, kind in PAIRED_ROWS:
        va, vb = _value(a, section, key), _value(b, section, key)
        if va is None or vb is None:
            continue
        shown = (lambda v: f"{v:.1%}") if kind == "share" else (lambda v: f"{v:.2f}")
        rows.append((label, shown(va), shown(vb), _difference(paired.get(key), kind)))
    return pd.DataFrame(
        rows,
        columns=[
            "measure",
            f"A: {names[0]}",
            f"B: {names[1]}",
            "B − A, same runs [95% CI]",
        ],
    )


def metrics_display(summary: Mapping[str, Any]) -> pd.DataFrame:
    labels = {
        "defender_deaths_mean": "defender's nationals killed (mean per run)",
        "max_rung_mean": "highest rung reached (mean, 0–14)",
        "misperceptions_mean": "misperceptions (mean per run)",
        "goldstein_mean": "Goldstein score (mean sum per run)",
        "proxy_attacks_mean": "proxy or faction attacks (mean per run)",
        "proxy_strikes_mean": "strikes on proxies (mean per run)",
        "accidents_mean": "accidents (mean per run)",
        "maritime_incidents_mean": "maritime incidents (mean per run)",
    }
    metrics = summary["metrics"]
    rows = [(label, metrics[k]) for k, label in labels.items() if metrics.get(k) is not None]
    return pd.DataFrame({"measure": [r[0] for r in rows], "value": [f"{r[1]:.2f}" for r in rows]})


# --- trajectories -----------------------------------------------------------------------------

BANDS = (0.05, 0.25, 0.5, 0.75, 0.95)


@dataclass
class Trajectories:
    """Daily trajectories of the first `runs` runs, reduced to what the charts draw."""

    start: dt.date
    runs: int
    window: int
    defender: str
    challenger: str
    at_war: np.ndarray  # share of runs that have reached full-scale war by each day
    # series name -> {quantile: array over days}, among runs not yet at war
    escalation: dict[str, dict[float, np.ndarray]] = field(default_factory=dict)
    # side id -> {"limited"/"aggressive" (the other side's resolve on the first day, below or
    # above ½) -> {quantile: array}}
    beliefs: dict[str, dict[str, dict[float, np.ndarray]]] = field(default_factory=dict)
    # side id -> {"limited"/"aggressive" -> number of runs}
    belief_counts: dict[str, dict[str, int]] = field(default_factory=dict)
    red_lines: np.ndarray = field(default_factory=lambda: np.zeros(0))  # mean cumulative per run
    misperceptions: np.ndarray = field(default_factory=lambda: np.zeros(0))

    @property
    def days(self) -> int:
        return int(self.at_war.size)

    def dates(self) -> list[dt.date]:
        return [self.start + dt.timedelta(days=d) for d in range(self.days)]


def rolling_max(values: np.ndarray, window: int) -> np.ndarray:
    """Per run, the highest value over the last `window` days (inclusive of today)."""
    values = np.asarray(values, dtype=np.float32)
    out = values.copy()
    for lag in range(1, max(1, window)):
        if lag >= values.shape[1]:
            break
        np.maximum(out[:, lag:], values[:, :-lag], out=out[:, lag:])
    return out


def quantile_bands(values: np.ndarray, mask: np.ndarray | None = None) -> dict[float, np.ndarray]:
    """Per-day quantiles over runs; days where `mask` keeps no run are NaN."""
    data = np.asarray(values, dtype=np.float64)
    if mask is not None:
        data = np.where(mask, data, np.nan)
    if data.shape[0] == 0:
        return {q: np.full(data.shape[1], np.nan) for q in BANDS}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN days
        qs = np.nanquantile(data, BANDS, axis=0)
    return {q: qs[i] for i, q in enumerate(BANDS)}


def summarise_trajectories(
    columns: Mapping[str, np.ndarray],
    scenario: Scenario,
    window: int = FAN_WINDOW_DAYS,
) -> Trajectories:
    """Reduce the `daily_*` columns of `simulate(..., daily=True)` to quantile bands.

    Escalation bands are taken among runs that have not reached war by each day (war is a run's
    outcome, and a run at war takes no act until a ceasefire); beliefs are split by the other
    side's true resolve on the first day (limited: below ½), so the chart shows whether each side
    learns.
    """
    defender, challenger = scenario.dyad.defender, scenario.dyad.challenger
    rung = columns["daily_rung"]
    runs, days = rung.shape
    war_day = np.asarray(columns["war_day"])[:runs]
    day = np.arange(days)
    at_war_matrix = (war_day[:, None] >= 0) & (war_day[:, None] < day[None, :])
    peaceful = ~at_war_matrix
    escalation = {"true": quantile_bands(rolling_max(rung, window), peaceful)}
    for side in (defender, challenger):
        escalation[f"perceived_{side}"] = quantile_bands(
            rolling_max(columns[f"daily_perceived_rung_{side}"], window), peaceful
        )
    truth = {
        defender: np.asarray(columns["challenger_limited"], dtype=bool)[:runs],
        challenger: np.asarray(columns["defender_limited"], dtype=bool)[:runs],
    }
    beliefs: dict[str, dict[str, dict[float, np.ndarray]]] = {}
    counts: dict[str, dict[str, int]] = {}
    for side in (defender, challenger):
        belief = columns[f"daily_belief_{side}"]
        limited = truth[side]
        beliefs[side] = {
            "limited": quantile_bands(belief[limited]),
            "aggressive": quantile_bands(belief[~limited]),
        }
        counts[side] = {"limited": int(limited.sum()), "aggressive": int((~limited).sum())}
    return Trajectories(
        start=scenario.start_date,
        runs=runs,
        window=window,
        defender=defender,
        challenger=challenger,
        at_war=at_war_matrix.mean(axis=0) if runs else np.zeros(days),
        escalation=escalation,
        beliefs=beliefs,
        belief_counts=counts,
        red_lines=np.cumsum(columns["daily_red_lines"], axis=1, dtype=np.float64).mean(axis=0),
        misperceptions=np.cumsum(columns["daily_misperceptions"], axis=1, dtype=np.float64).mean(
            axis=0
        ),
    )


# --- downloads --------------------------------------------------------------------------------


def runs_csv(runs: pd.DataFrame) -> bytes:
    return runs.to_csv(index=True).encode("utf-8")


def runs_parquet(runs: pd.DataFrame) -> bytes:
    buffer = io.BytesIO()
    runs.to_parquet(buffer, engine="pyarrow", index=True)
    return buffer.getvalue()


def download_stem(scenario_name: str, runs: int, seed: int) -> str:
    return f"{scenario_name}-{runs}runs-seed{seed}"
