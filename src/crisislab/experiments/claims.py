"""The analysis's claims as paired contrasts on a scenario (MODEL.md §0 and §12).

Each claim of the analysis becomes a contrast: the scenario under a base setting and under an
alternative that differs in the one thing the claim is about, simulated over the same worlds (the
same seed and runs: common random numbers), and the paired differences in war, stable
de-escalation and the mechanism's own measure, with 95% intervals. A verdict reads the intervals
against the sign the claim expects: the result is reported whichever way it falls. The contrasts
are written in terms of the scenario's roles (its defender, its challenger and the challenger's
groups, its fronts), so any scenario can be asked; a claim the scenario or this version of the
model cannot express is listed with the reason.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from concurrent.futures import Executor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from crisislab.results import SimulationResult
from crisislab.scenario.outcomes import OUTCOMES
from crisislab.scenario.schema import Faction, Proxy, Scenario
from crisislab.simulate import resolve, simulate
from crisislab.stats import CLUSTERS, paired_difference

Overrides = dict[str, Any]
Contrast = tuple[Overrides, Overrides]  # (base, alternative)


@dataclass(frozen=True)
class Claim:
    """One claim: what it says, where the analysis says it, how to contrast it on a scenario
    (None with a reason when the scenario cannot), the measure of its own mechanism and the sign
    each measure should take (alternative minus base) if the claim holds."""

    id: str
    says: str
    source: str
    contrast: Callable[[Scenario], Contrast | str]
    measure: str  # a per-run column; its mean is compared
    expect: Mapping[str, int]  # measure or outcome class -> +1 or -1


def _defender(s: Scenario) -> str:
    return s.dyad.defender


def _challenger_groups(s: Scenario) -> list[str]:
    return [
        gid
        for gid, a in s.actors.items()
        if isinstance(a, Proxy | Faction) and a.principal == s.dyad.challenger
    ]


def _channel(s: Scenario) -> Contrast:
    return {"channel.kind": "none"}, {"channel.kind": "hotline", "channel.carries_c2": False}


def _c2(s: Scenario) -> Contrast:
    hotline = {"channel.kind": "hotline"}
    return {**hotline, "channel.carries_c2": False}, {**hotline, "channel.carries_c2": True}


def _trust(s: Scenario) -> Contrast:
    d = _defender(s)
    trust = s.actors[d].prior_trust  # type: ignore[union-attr]
    return {}, {f"actors.{d}.prior_trust": round(min(0.95, trust + 0.3), 6)}


def _red_lines(s: Scenario) -> Contrast | str:
    lines = [rid for rid, line in s.red_lines.items() if line.owner == s.dyad.defender]
    if not lines:
        return "the defender has no red line"
    return {}, {f"red_lines.{rid}.enforcement": 0.0 for rid in lines}


def _enforcement(s: Scenario) -> Contrast | str:
    if not _challenger_groups(s):
        return "the challenger leads no proxy or faction"
    c = s.dyad.challenger
    return {f"actors.{c}.enforcement": 0.0}, {f"actors.{c}.enforcement": 1.0}


def _restraint(s: Scenario) -> Contrast:
    d = _defender(s)
    return {f"actors.{d}.doctrine": "proportional"}, {f"actors.{d}.doctrine": "restraint"}


def _rhetoric(s: Scenario) -> Contrast:
    d = _defender(s)
    return {f"actors.{d}.rhetoric": "measured"}, {f"actors.{d}.rhetoric": "inflammatory"}


def _rhetoric_commitment(s: Scenario) -> Contrast:
    """Inflammatory rhetoric's commitment alone: the grievance it stirs switched off."""
    base, alternative = _rhetoric(s)
    return base, {**alternative, "stocks.grievance_per_inflammatory_day": 0.0}


def _rhetoric_grievance(s: Scenario) -> Contrast:
    """Inflammatory rhetoric's grievance alone: the commitment it builds switched off."""
    base, alternative = _rhetoric(s)
    return base, {**alternative, "stocks.commitment_per_inflammatory_day": 0.0}


def _diplomacy(s: Scenario) -> Contrast | str:
    if s.fronts.host.actor is None:
        return "the scenario has no host nation"
    return {"fronts.host.diplomacy": 0.0}, {"fronts.host.diplomacy": 1.0}


def _sanctions(s: Scenario) -> Contrast | str:
    if s.fronts.host.actor is None:
        return "the scenario has no host nation"
    return {"fronts.host.sanctions_threat": False}, {"fronts.host.sanctions_threat": True}


def _posture(s: Scenario) -> Contrast | str:
    if s.fronts.maritime.actor is None:
        return "the scenario has no maritime front"
    return {"fronts.maritime.posture": 0.0}, {"fronts.maritime.posture": 1.0}


def _dialogue(s: Scenario) -> Contrast | str:
    if not s.fronts.nuclear.enabled:
        return "the scenario has no nuclear front"
    return {"fronts.nuclear.dialogue": False}, {"fronts.nuclear.dialogue": True}


def _limits(s: Scenario) -> Contrast | str:
    lines = [rid for rid, line in s.red_lines.items() if line.owner == s.dyad.defender]
    if not lines:
        return "the defender has no red line"
    if not _challenger_groups(s):
        return "the challenger leads no proxy or faction"
    return {f"red_lines.{rid}.enforcement": 0.0 for rid in lines}, {}


def _targeted(s: Scenario) -> Contrast | str:
    if not _challenger_groups(s):
        return "the challenger leads no proxy or faction"
    d = _defender(s)
    return {f"actors.{d}.doctrine": "restraint"}, {f"actors.{d}.doctrine": "targeted"}


WAR, STABLE, FROZEN = "war", "stable_deescalation", "frozen_conflict"
CLAIMS: tuple[Claim, ...] = (
    Claim(
        "perception",
        "de-escalation needs the defender to perceive the challenger's limited intent: more prior "
        "trust (+0.3) raises stable de-escalation",
        "§0 claim 1; §12 item 1",
        _trust,
        "both",
        {STABLE: +1, "both": +1},
    ),
    Claim(
        "channel",
        "a channel that lowers misperception lowers war risk (a hotline against none)",
        "§0 claim 1; §12 item 2",
        _channel,
        "misperceptions",
        {WAR: -1, "misperceptions": -1},
    ),
    Claim(
        "channel_c2",
        "a channel that also carries command-and-control information lowers war risk further",
        "§12 item 2",
        _c2,
        "red_line_fired",
        {WAR: -1},
    ),
    Claim(
        "red_line",
        "a credible red line deters: never enforcing the defender's red lines raises the "
        "challenger's ordered attacks, and war",
        "§0 claim 2; §12 item 3",
        _red_lines,
        "ordered_attacks",
        {WAR: +1, "ordered_attacks": +1},  # alternative = never enforced: deterrence lost
    ),
    Claim(
        "control",
        "the challenger's enforced control over its proxies and hardliners (effort 1 against 0) "
        "lowers war and frozen conflict",
        "§0 claim 3; §12 item 4",
        _enforcement,
        "group_attacks",
        {WAR: -1, FROZEN: -1, "group_attacks": -1},
    ),
    Claim(
        "restraint",
        "the defender's restraint (against proportional answers) lowers war risk",
        "§0 claim 4; §12 item 5",
        _restraint,
        "direct_exchanges",
        {WAR: -1, "direct_exchanges": -1},
    ),
    Claim(
        "rhetoric",
        "the defender's inflammatory rhetoric (against measured) raises escalation",
        "§0 claim 4; §12 item 6",
        _rhetoric,
        "max_rung",
        {WAR: +1, "max_rung": +1},
    ),
    Claim(
        "rhetoric_commitment",
        "the part of inflammatory rhetoric that commits the speaker deters: fewer ordered attacks",
        "§12 item 6",
        _rhetoric_commitment,
        "ordered_attacks",
        {"ordered_attacks": -1},
    ),
    Claim(
        "rhetoric_grievance",
        "the part of inflammatory rhetoric that stirs grievance provokes: more attacks",
        "§12 item 6",
        _rhetoric_grievance,
        "group_attacks",
        {"group_attacks": +1},
    ),
    Claim(
        "limits",
        "getting through without escalation establishes limits on the challenger's behaviour: "
        "with the defender's red lines enforced (against never), fewer ordered attacks in days "
        "30-180",
        "§0 claim 5; §12 item 7",
        _limits,
        "ordered_attacks_mid",
        {"ordered_attacks_mid": -1},
    ),
    Claim(
        "camp_taji",
        "an unattributed lethal proxy attack leads mostly to strikes on the proxy under "
        "`targeted` (against `restraint`, which does not answer)",
        "§12 item 8",
        _targeted,
        "proxy_answer",
        {"proxy_answer": +1},
    ),
    Claim(
        "host_diplomacy",
        "diplomacy with the host nation (1 against 0), not sanctions, prevents expulsion",
        "§0 claim 6; §12 item 9",
        _diplomacy,
        "host_expulsion",
        {"host_expulsion": -1},
    ),
    Claim(
        "host_sanctions",
        "threatening the host nation with sanctions raises expulsion",
        "§0 claim 6; §12 item 9",
        _sanctions,
        "host_expulsion",
        {"host_expulsion": +1},
    ),
    Claim(
        "maritime_posture",
        "a deterrence posture with Gulf partners (1 against 0) lowers attacks on shipping",
        "§0 claim 6; §12 item 9",
        _posture,
        "maritime_incidents",
        {"maritime_incidents": -1},
    ),
    Claim(
        "dialogue",
        "a dialogue from day 0 delays a nuclear breakout crisis",
        "§0 claim 6; §12 item 9",
        _dialogue,
        "breakout_crisis",
        {"breakout_crisis": -1},
    ),
)


def verdict(effects: Mapping[str, Mapping[str, Any]], expect: Mapping[str, int]) -> str:
    """'as claimed' when every expected sign is met with a paired interval that excludes 0,
    'against the claim' when one interval excludes 0 on the other side, else 'no clear effect'
    (an interval that includes 0, or signs that disagree)."""
    signs = []
    for name, sign in expect.items():
        lo, hi = effects[name]["ci"] or (0.0, 0.0)
        signs.append(0 if lo <= 0.0 <= hi else (1 if lo > 0 else -1) * sign)
    if signs and all(s == 1 for s in signs):
        return "as claimed"
    if any(s == -1 for s in signs):
        return "against the claim"
    return "no clear effect"


def _values(result: SimulationResult, name: str) -> np.ndarray:
    c = result.columns
    if name in OUTCOMES:
        return (c["outcome"] == OUTCOMES.index(name)).astype(float)
    return np.asarray(c[name], dtype=float)


def settings(
    scenario: Scenario | str | Path,
    overrides: Mapping[str, Any] | None = None,
    *,
    days: int | None = None,
) -> int:
    """How many settings `claims` simulates on the scenario (two per claim it can measure),
    each of `runs` runs: what a progress bar counts."""
    base_overrides = dict(overrides or {})
    if days is not None:
        base_overrides["days"] = days
    resolved = resolve(scenario, base_overrides)
    return 2 * sum(not isinstance(claim.contrast(resolved), str) for claim in CLAIMS)


def claims(
    scenario: Scenario | str | Path,
    runs: int = 4000,
    seed: int = 0,
    overrides: Mapping[str, Any] | None = None,
    *,
    days: int | None = None,
    executor: Executor | None = None,
) -> dict[str, Any]:
    """Every claim of the analysis as a paired contrast on the scenario: a plain dict with the
    scenario, runs, seed and days and, per claim, its contrast, the paired differences in war,
    stable de-escalation, frozen conflict and its own measure (alternative minus base, with
    paired 95% intervals) and the verdict; claims the scenario cannot express carry a reason."""
    base_overrides = dict(overrides or {})
    if days is not None:
        base_overrides["days"] = days
    resolved = resolve(scenario, base_overrides)
    out: list[dict[str, Any]] = []
    for claim in CLAIMS:
        entry: dict[str, Any] = {"id": claim.id, "claim": claim.says, "source": claim.source}
        contrast = claim.contrast(resolved)
        if isinstance(contrast, str):
            out.append({**entry, "measured": False, "reason": contrast})
            continue
        base, alternative = contrast
        results = [
            simulate(resolved, runs, seed, setting, executor=executor)
            for setting in (base, alternative)
        ]
        names = [*OUTCOMES, claim.measure]
        effects = {
            name: paired_difference(
                _values(results[1], name),
                _values(results[0], name),
                clusters=results[0].columns.get(CLUSTERS),
            )
            for name in dict.fromkeys(names)
        }
        out.append(
            {
                **entry,
                "measured": True,
                "base": base,
                "alternative": alternative,
                "measure": claim.measure,
                "effects": effects,
                "expected": dict(claim.expect),
                "verdict": verdict(effects, claim.expect),
            }
        )
    return {
        "scenario": resolved.name,
        "runs": runs,
        "seed": seed,
        "days": resolved.days,
        "overrides": dict(overrides or {}),
        "claims": out,
    }
