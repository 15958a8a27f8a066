"""Observed event records mapped onto a scenario: sides, groups, catalogue actions and days.

A record names its actor and target in the source's own codes (`USAMIL`, `IRQ_KH`); a timeline's
`actor_aliases` map them to the scenario's actor ids. The action is the catalogue entry with the
record's CAMEO code that the actor would use against that target; where the catalogue has none,
an action is made from the record itself, its rung read off the CAMEO code (table below).
Records that cannot take part in the dyad (a host's vote, a third party's act) are kept for the
daily Goldstein and Rivera series but reported as not replayed, never silently dropped.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from crisislab.engine.compiled import DEFENDER, Action, Compiled, compile_action
from crisislab.engine.script import Script, ScriptedEvent
from crisislab.errors import Problem, TimelineError
from crisislab.scenario import codebooks
from crisislab.scenario.schema import ActionType, Proxy

# Rung of an act on the 0-14 ladder, read off its CAMEO code: exact codes first, then the root.
RUNG_BY_CODE = {"145": 6, "154": 5, "166": 10, "1663": 10, "186": 9, "195": 12, "1951": 12}
RUNG_BY_ROOT = {
    "01": 1,
    "02": 1,
    "03": 1,
    "04": 1,
    "05": 1,
    "06": 1,
    "07": 1,
    "08": 1,
    "09": 1,
    "10": 2,
    "11": 2,
    "12": 2,
    "13": 2,
    "14": 3,
    "15": 4,
    "16": 3,
    "17": 6,
    "18": 8,
    "19": 8,
    "20": 13,
}
VERBAL_ROOTS = {"10", "11", "12", "13"}
COOPERATIVE_ROOTS = {"01", "02", "03", "04", "05", "06", "07", "08"}
KINETIC_ROOTS = {"17", "18", "19", "20"}


def rung_of(code: str, *, against_group: bool = False) -> int:
    """The ladder rung of a CAMEO code; aerial strikes on a group are rung 8, not 12."""
    if against_group and code.startswith("19"):
        return 8
    for n in range(len(code), 2, -1):  # the most specific code listed: 1452 falls under 145
        if code[:n] in RUNG_BY_CODE:
            return RUNG_BY_CODE[code[:n]]
    return RUNG_BY_ROOT.get(code[:2], 1)


def rivera_category(rung: int) -> str:
    if rung <= 1:
        return "deescalation" if rung == 1 else "status_quo"
    if rung <= 5:
        return "posturing"
    return "nonviolent_escalation" if rung == 6 else "violent_escalation"


@dataclass
class MappedTimeline:
    """A timeline on a scenario's terms."""

    start: dt.date
    end: dt.date
    defender_nationality: int
    hosts: frozenset[str]
    script_events: dict[int, list[ScriptedEvent]] = field(default_factory=dict)
    records_by_day: dict[int, list[Any]] = field(default_factory=dict)
    rivera_by_day: dict[int, float] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    def day_of(self, date: dt.date) -> int:
        return (date - self.start).days

    def script(self, fork_date: dt.date | None = None) -> Script:
        """The replay of every day before `fork_date` plus the observed events of that day."""
        if fork_date is None:
            last = self.day_of(self.end)
            return Script(fork_day=last + 1, events=self.script_events, start=self.start)
        fork = self.day_of(fork_date)
        events = {d: evs for d, evs in self.script_events.items() if d <= fork}
        return Script(fork_day=fork, events=events, start=self.start)


def map_timeline(
    records: Iterable[Any],
    compiled: Compiled,
    aliases: Mapping[str, str | None],
    label: str = "timeline",
) -> MappedTimeline:
    """Map records (sorted or not) onto the scenario; report what cannot be replayed."""
    rows = sorted(records, key=lambda r: (r.date, r.line))
    if not rows:
        raise TimelineError([Problem(label, "", "the timeline has no events")])
    _check_actors(rows, compiled, aliases, label)
    hosts = frozenset(k for k, a in compiled.scenario.actors.items() if a.role == "host")
    out = MappedTimeline(rows[0].date, rows[-1].date, compiled.sides[DEFENDER].nationality, hosts)
    for rec in rows:
        day = out.day_of(rec.date)
        out.records_by_day.setdefault(day, []).append(rec)
        event, problem = _map(rec, compiled, aliases, label)
        rung = event.action.plain.rung if event is not None else rung_of(rec.cameo)
        out.rivera_by_day[day] = out.rivera_by_day.get(day, 0.0) + codebooks.rivera_score(
            rivera_category(rung)
        )
        if problem is not None:
            out.problems.append(problem)
        if event is not None:
            out.script_events.setdefault(day, []).append(event)
    return out


def _check_actors(
    rows: list[Any], compiled: Compiled, aliases: Mapping[str, str | None], label: str
) -> None:
    """Refuse a scenario that lacks actors the timeline's aliases name (a timeline paired with the
    wrong scenario): one problem, at the first event that needs one of them."""
    actors = compiled.scenario.actors
    missing: dict[str, str] = {}  # actor id -> the first code mapped to it
    first = None
    for rec in rows:
        for code in (rec.actor, rec.target):
            actor = aliases.get(code) if code else None
            if actor and actor not in actors and actor not in missing:
                missing[actor] = code
                first = first or (rec, "actor" if code == rec.actor else "target")
    if first is None:
        return
    rec, field_ = first
    named = ", ".join(f"{c} -> {a}" for a, c in missing.items())
    raise TimelineError(
        [
            Problem(
                getattr(rec, "file", "") or label,
                field_,
                f"the actor_aliases of timeline {label!r} ({named}) name actors that scenario "
                f"{compiled.scenario.name!r} does not have (it has {', '.join(actors)}); "
                "use a scenario that has them, or map those codes to null",
                rec.line or None,
            )
        ]
    )


def _resolve(code: str, compiled: Compiled, aliases: Mapping[str, str | None]) -> str | None:
    if code in aliases:
        return aliases[code]
    return code if code in compiled.scenario.actors else None


def _map(
    rec: Any, compiled: Compiled, aliases: Mapping[str, str | None], label: str
) -> tuple[ScriptedEvent | None, Problem | None]:
    def skip(why: str) -> tuple[None, Problem]:
        return None, Problem(
            label,
            "",
            f"{rec.date} {rec.actor}->{rec.target} CAMEO {rec.cameo}: not replayed: {why}",
            rec.line or None,
        )

    actor = _resolve(rec.actor, compiled, aliases)
    if actor is None:
        return skip(f"actor {rec.actor!r} has no actor in the scenario")
    target = _resolve(rec.target, compiled, aliases)
    sides = [s.id for s in compiled.sides]
    groups = [g.id for g in compiled.groups]
    if actor in sides:
        side, group = sides.index(actor), -1
    elif actor in groups:
        group = groups.index(actor)
        side = compiled.groups[group].side
    else:
        return skip(f"{actor} is not in the dyad (a {compiled.scenario.actors[actor].role})")
    root = rec.cameo[:2]
    if group >= 0 and root not in KINETIC_ROOTS and not rec.cameo.startswith("145"):
        return skip(f"{actor} is an armed group: only its violent acts are modelled")
    spec = compiled.sides[side]
    other = {sides[1 - side]} | {g.id for g in compiled.groups if g.side != side}
    if root in KINETIC_ROOTS and target not in other:
        return skip(f"target {rec.target!r} is not on the other side of the dyad")
    hosts = {k for k, a in compiled.scenario.actors.items() if a.role == "host"}
    if target not in other | hosts:
        return skip(f"target {rec.target!r} is neither the other side nor the host")
    if group < 0 and root in VERBAL_ROOTS and spec.rhetoric is not None:
        return ScriptedEvent(side, -1, spec.rhetoric, _text(rec), kind="rhetoric"), None
    if group < 0 and root in COOPERATIVE_ROOTS:
        if spec.message is None:
            return skip(f"{actor} has no message action for a conciliatory statement")
        return ScriptedEvent(side, -1, spec.message, _text(rec), kind="message"), None
    proxy_target = isinstance(compiled.scenario.actors.get(target or ""), Proxy)
    struck = groups.index(target) if proxy_target and target in groups else None
    victim = _victim(rec, compiled, target, side)
    action = _action(rec, compiled, side, group, struck)
    return ScriptedEvent(
        side=side,
        group=group,
        action=action,
        label=_text(rec),
        ordered=True if group < 0 else None,
        warned=bool(getattr(rec, "warned", False)) and action.warned is not None,
        deaths=int(getattr(rec, "deaths", 0) or 0),
        victim=victim,
        struck_group=struck if group < 0 else None,
    ), None


def _victim(rec: Any, compiled: Compiled, target: str | None, side: int) -> int:
    nat = rec.victims
    if nat and nat in compiled.nationalities:
        return compiled.nationalities.index(nat)
    if target is not None:
        nat = compiled.scenario.actors[target].nationality
        return compiled.nationalities.index(nat)
    return compiled.sides[1 - side].nationality


def _action(rec: Any, compiled: Compiled, side: int, group: int, struck: int | None) -> Action:
    """The catalogue action the actor uses for this code against this target, else one made
    from the record."""
    spec = compiled.sides[side]
    candidates: list[Action | None]
    if group >= 0:
        candidates = [compiled.groups[group].action]
    elif struck is not None:
        candidates = [spec.strike_proxy]
    else:
        candidates = (
            [spec.retaliate, spec.strike_state]
            if side != DEFENDER
            else [spec.strike_state, spec.retaliate]
        )
    for action in candidates:
        if action is not None and action.cameo[:2] == rec.cameo[:2]:
            return action
    rung = rung_of(rec.cameo, against_group=struck is not None)
    if struck is not None:
        hits = "proxy"
    elif rung < 7:
        hits = "civilians"
    elif rec.cameo.startswith(("186", "1823")):
        hits = "senior_commander"
    else:
        hits = "territory" if side == DEFENDER else "forces"
    made = ActionType(
        label=_text(rec)[:80] or f"CAMEO {rec.cameo}",
        rung=rung,
        cameo=rec.cameo,
        rivera=rivera_category(rung),  # type: ignore[arg-type]
        hits=hits,  # type: ignore[arg-type]
    )
    return compile_action(f"observed_{rec.cameo}", made)


def _text(rec: Any) -> str:
    return (rec.description or codebooks.cameo_label(rec.cameo)).strip()
