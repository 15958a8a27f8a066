"""Observed event records mapped onto a scenario: sides, groups, catalogue actions and days.

A record names its actor and targets in the source's own codes (`USAMIL`, `IRQ_KH`); a timeline's
`actor_aliases` map them to the scenario's actor ids. The act's **severity** (its rungs on the
0-14 ladder) comes from the severity table (`crisislab/history/data/severity.csv`, overridable per
timeline) by CAMEO code *and* target kind, never from the code's first two digits alone: a drone
jammed (195 on `materiel`) is rung 7, a lethal strike on forces (19x on `forces`) rung 12. The
scenario's own catalogue action is used instead when it is the same act: the actor's move whose
CAMEO code the record's code falls under and which hits the same kind of target.

Records that cannot take part in the dyad (a host's vote, a third party's act, a threat passed
in private) are kept for the daily Goldstein and Rivera series but reported as not replayed, with
their line and a count by reason, never silently dropped. Acts by a side on a third party the
scenario has (a host or coalition actor) are replayed as acts on shipping or civilians, so they
never count as an exchange between the two sides.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from crisislab.engine.compiled import DEFENDER, TARGETS, Action, Compiled, compile_action
from crisislab.engine.script import Script, ScriptedEvent
from crisislab.errors import Problem, TimelineError
from crisislab.history.records import HITS_OF_KIND, Severity, SeverityTable, default_severity
from crisislab.scenario import codebooks
from crisislab.scenario.schema import ActionType, Faction, Lethality, Proxy, WarnedVariant

VERBAL_ROOTS = {"10", "11", "12", "13"}
COOPERATIVE_ROOTS = {"01", "02", "03", "04", "05", "06", "07", "08"}
KINETIC_ROOTS = {"17", "18", "19", "20"}
#: An armed group's acts stay below the direct rungs (9 and up are exchanges between states):
#: violence without deaths (7) at most, lethal harassment (8) when it kills.
GROUP_MAX_RUNG, GROUP_MAX_LETHAL_RUNG = 7, 8
#: Scenario roles that are neither side of the dyad nor one of its armed groups.
THIRD_PARTY_ROLES = ("host", "coalition")


def rung_of(
    code: str, *, against_group: bool = False, kind: str = "", table: SeverityTable | None = None
) -> int:
    """The ladder rung of a CAMEO code on a target of `kind` (unknown by default), from the
    severity table; `against_group` reads the target as an armed group (`proxy`)."""
    table = table or default_severity()
    return table.lookup(code, "proxy" if against_group else kind).rung


def rivera_category(rung: int) -> str:
    if rung <= 1:
        return "deescalation" if rung == 1 else "status_quo"
    if rung <= 5:
        return "posturing"
    return "nonviolent_escalation" if rung == 6 else "violent_escalation"


@dataclass
class MappedTimeline:
    """A timeline on a scenario's terms.

    `problems` lists the records not replayed (one each, with its line); `not_replayed` counts
    them by reason; `notes` lists what was read only in part (a second target, an `ordered_by`
    that is not the actor's leadership, a message over another channel than the scenario's).
    `outside_dyad` counts the records whose actor or a target is not one of the two sides or
    their armed groups (a third state, the host, an unmapped code), `outside_dyad_replayed` those
    of them that were replayed all the same.
    """

    start: dt.date
    end: dt.date
    defender_nationality: int
    hosts: frozenset[str]
    script_events: dict[int, list[ScriptedEvent]] = field(default_factory=dict)
    records_by_day: dict[int, list[Any]] = field(default_factory=dict)
    rivera_by_day: dict[int, float] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    notes: list[Problem] = field(default_factory=list)
    rows: int = 0
    not_replayed: Counter[str] = field(default_factory=Counter)
    outside_dyad: int = 0
    outside_dyad_replayed: int = 0

    @property
    def replayed(self) -> int:
        """Records replayed (as an act, a statement or a message)."""
        return self.rows - sum(self.not_replayed.values())

    def summary(self) -> str:
        """One line: rows, replayed, not replayed by reason, rows outside the dyad."""
        missing = sum(self.not_replayed.values())
        why = ", ".join(f"{n} {reason}" for reason, n in self.not_replayed.most_common())
        text = f"{self.rows} rows: {self.replayed} replayed, {missing} kept but not replayed"
        text += f" ({why})" if why else ""
        if self.outside_dyad:
            text += (
                f"; {self.outside_dyad} rows involve actors outside the dyad, "
                f"{self.outside_dyad_replayed} of them replayed"
            )
        return text

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
    *,
    severity: SeverityTable | None = None,
) -> MappedTimeline:
    """Map records (sorted or not) onto the scenario; report what cannot be replayed.

    `severity` replaces the table each record was loaded with (its timeline's, else the
    package's)."""
    rows = sorted(records, key=lambda r: (r.date, r.line))
    if not rows:
        raise TimelineError([Problem(label, "", "the timeline has no events")])
    _check_actors(rows, compiled, aliases, label)
    hosts = frozenset(k for k, a in compiled.scenario.actors.items() if a.role == "host")
    out = MappedTimeline(rows[0].date, rows[-1].date, compiled.sides[DEFENDER].nationality, hosts)
    mapper = _Mapper(compiled, aliases, label)
    for rec in rows:
        day = out.day_of(rec.date)
        out.rows += 1
        out.records_by_day.setdefault(day, []).append(rec)
        table = severity or getattr(rec, "severity", None) or default_severity()
        event, problem, reason, notes = mapper.map(rec, table)
        if event is not None:
            rung = event.action.plain.rung
        else:
            rung = table.lookup(rec.cameo, _kind_given(rec, 0)).rung
        out.rivera_by_day[day] = out.rivera_by_day.get(day, 0.0) + codebooks.rivera_score(
            rivera_category(rung)
        )
        outside = mapper.outside_dyad(rec)
        out.outside_dyad += outside
        out.notes += notes
        if problem is not None:
            out.problems.append(problem)
            out.not_replayed[reason] += 1
        if event is not None:
            out.outside_dyad_replayed += outside
            out.script_events.setdefault(day, []).append(event)
    return out


def _targets(rec: Any) -> tuple[str, ...]:
    targets = getattr(rec, "targets", None)
    if targets is not None:
        return tuple(targets)
    return (rec.target,) if rec.target else ()


def _kind_given(rec: Any, index: int) -> str:
    kind_of = getattr(rec, "kind_of", None)
    return kind_of(index) if kind_of is not None else ""


def _check_actors(
    rows: list[Any], compiled: Compiled, aliases: Mapping[str, str | None], label: str
) -> None:
    """Refuse a scenario that lacks actors the timeline's aliases name (a timeline paired with the
    wrong scenario): one problem, at the first event that needs one of them."""
    actors = compiled.scenario.actors
    missing: dict[str, str] = {}  # actor id -> the first code mapped to it
    first = None
    for rec in rows:
        ordered_by = getattr(rec, "ordered_by", "")
        for code, field_ in (
            (rec.actor, "actor"),
            *((t, "target") for t in _targets(rec)),
            (ordered_by if ordered_by != "none" else "", "ordered_by"),
        ):
            actor = aliases.get(code) if code else None
            if actor and actor not in actors and actor not in missing:
                missing[actor] = code
                first = first or (rec, field_)
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


_Mapped = tuple[ScriptedEvent | None, Problem | None, str, list[Problem]]


class _Mapper:
    """Maps one record at a time onto a compiled scenario."""

    def __init__(self, compiled: Compiled, aliases: Mapping[str, str | None], label: str):
        self.c, self.aliases, self.label = compiled, aliases, label
        actors = compiled.scenario.actors
        self.sides = [s.id for s in compiled.sides]
        self.groups = [g.id for g in compiled.groups]
        self.hosts = {k for k, a in actors.items() if a.role == "host"}
        self.thirds = {k for k, a in actors.items() if a.role in THIRD_PARTY_ROLES}
        self.dyad = set(self.sides) | set(self.groups)
        self.made: dict[str, Action] = {}
        # the maritime front's victims: the first coalition, as in the engine (Setup.sea_victim)
        self.partners = next((k for k, a in actors.items() if a.role == "coalition"), None)
        sea = compiled.scenario.fronts.maritime
        self.sea_group = self.groups.index(sea.actor) if sea.actor in self.groups else None
        self.sea_action = (
            compile_action(sea.action, compiled.scenario.actions[sea.action])
            if self.sea_group is not None and sea.action in compiled.scenario.actions
            else None
        )

    def resolve(self, code: str) -> str | None:
        if code in self.aliases:
            return self.aliases[code]
        return code if code in self.c.scenario.actors else None

    def outside_dyad(self, rec: Any) -> bool:
        return any(self.resolve(code) not in self.dyad for code in (rec.actor, *_targets(rec)))

    def _problem(self, rec: Any, message: str) -> Problem:
        where = "->".join(filter(None, [rec.actor, ";".join(_targets(rec))]))
        return Problem(
            self.label, "", f"{rec.date} {where} CAMEO {rec.cameo}: {message}", rec.line or None
        )

    def map(self, rec: Any, table: SeverityTable) -> _Mapped:
        notes: list[Problem] = []

        def skip(why: str, reason: str) -> _Mapped:
            return None, self._problem(rec, f"not replayed: {why}"), reason, notes

        def note(what: str) -> None:
            notes.append(self._problem(rec, what))

        c = self.c
        actor = self.resolve(rec.actor)
        if actor is None:
            return skip(f"actor {rec.actor!r} has no actor in the scenario", "actor not mapped")
        if actor in self.sides:
            side, group = self.sides.index(actor), -1
        elif actor in self.groups:
            group = self.groups.index(actor)
            side = c.groups[group].side
        else:
            role = c.scenario.actors[actor].role
            return skip(f"{actor} is not in the dyad (a {role})", "actor outside the dyad")
        root = rec.cameo[:2]
        kinetic = root in KINETIC_ROOTS
        if group >= 0 and not kinetic and not rec.cameo.startswith("145"):
            return skip(
                f"{actor} is an armed group: only its violent acts are modelled",
                "armed group's non-violent act",
            )
        spec = c.sides[side]
        other = {self.sides[1 - side]} | {g.id for g in c.groups if g.side != side}
        targets = [(i, code, self.resolve(code)) for i, code in enumerate(_targets(rec))]
        on_other = [t for t in targets if t[2] in other]
        if kinetic:
            on_third = [t for t in targets if t[2] in self.thirds]
            at_sea = [
                (i, code, self.partners)
                for i, code, actor in targets
                if actor is None
                and self.partners is not None
                and _kind_given(rec, i) in ("shipping", "energy")
            ]
            chosen = next(iter(on_other or on_third or at_sea), None)
            if chosen is not None and chosen in at_sea:
                note(
                    f"{chosen[1]} has no actor in the scenario: its {_kind_given(rec, chosen[0])} "
                    f"is replayed as the maritime front's, whose victims are {self.partners}"
                )
            if chosen is None:
                named = ", ".join(repr(code) for _, code, _ in targets) or "no target"
                return skip(
                    f"target {named} is not on the other side of the dyad nor a third party "
                    "the scenario has",
                    "target outside the dyad",
                )
        else:
            chosen = next(iter(on_other or [t for t in targets if t[2] in self.hosts]), None)
            if chosen is None:
                named = ", ".join(repr(code) for _, code, _ in targets) or "no target"
                return skip(
                    f"target {named} is neither the other side nor the host",
                    "target outside the dyad",
                )
        index, code, target = chosen
        assert target is not None
        if len(targets) > 1:
            rest = ", ".join(t for _, t, _ in targets if t != code)
            note(f"one act replayed, on {code}; also named {rest} (kept, not replayed apart)")
        ordered = self._ordered(rec, side, group, note)
        channel = getattr(rec, "channel", "")
        if group < 0 and root in VERBAL_ROOTS and spec.rhetoric is not None:
            if channel in ("indirect", "hotline"):
                return skip(
                    f"a statement passed over the {channel} channel: the model's statements "
                    "are public",
                    "private statement",
                )
            return (
                ScriptedEvent(side, -1, spec.rhetoric, _text(rec), kind="rhetoric"),
                None,
                "",
                notes,
            )
        if group < 0 and root in COOPERATIVE_ROOTS:
            if channel == "none":
                return skip(
                    "a public conciliatory statement (channel none): the model's messages go "
                    "over the channel",
                    "public conciliatory statement",
                )
            if spec.message is None:
                return skip(
                    f"{actor} has no message action for a conciliatory statement",
                    "no message action",
                )
            line = c.scenario.channel.kind
            if line == "none":
                note("a message, but the scenario's channel is none: it is not delivered")
            elif channel and channel != line:
                note(
                    f"sent over the {channel} channel; the scenario's channel is {line}, whose "
                    "latency and likelihood ratio are used"
                )
            event = ScriptedEvent(side, -1, spec.message, _text(rec), kind="message")
            return event, None, "", notes
        third = target in self.thirds
        struck = (
            self.groups.index(target)
            if isinstance(c.scenario.actors.get(target), Proxy) and target in self.groups
            else None
        )
        given = _kind_given(rec, index)
        kind = given or self._infer_kind(rec, side, target, struck)
        if struck is not None:
            hits = "proxy"
            kind = "proxy" if kind in ("forces", "territory") else kind  # a group's forces
        elif third:  # never an exchange between the sides: the engine's non-state targets
            hits = "shipping" if kind in ("shipping", "energy") else "civilians"
        else:
            hits = HITS_OF_KIND[kind]
        # The actor's own move, if it is this act: on a proxy, the move for striking proxies
        # (unless the row names another kind); where the row names the kind, or on a third
        # party, a move that hits that kind; else the move whatever it hits.
        if struck is not None:
            usable, wanted = kind == "proxy", None
        elif given or third:
            usable, wanted = kind == hits, hits
        else:
            usable, wanted = True, None
        action = self._catalogue(rec, side, group, struck is not None, wanted) if usable else None
        if action is None:
            severity = table.lookup(rec.cameo, kind)
            action = self._made(rec, severity, group, hits, explicit=bool(given) or third)
        ambiguity = getattr(rec, "attribution_ambiguity", None)
        if ambiguity is not None and ambiguity != action.ambiguity:
            action = replace(action, id=f"{action.id}~{ambiguity:g}", ambiguity=ambiguity)
        return (
            ScriptedEvent(
                side=side,
                group=group,
                action=action,
                label=_text(rec),
                ordered=ordered,
                warned=bool(getattr(rec, "warned", False)) and action.warned is not None,
                deaths=int(getattr(rec, "deaths", 0) or 0),
                victim=self._victim(rec, target, side),
                struck_group=struck if group < 0 else None,
            ),
            None,
            "",
            notes,
        )

    def _ordered(self, rec: Any, side: int, group: int, note: Any) -> bool | None:
        """Whether the act was on its side's orders: a leadership's own act is; a group's is
        what `ordered_by` says (its leadership: yes; `none`: no), else unknown (drawn)."""
        by = getattr(rec, "ordered_by", "")
        leader = self.sides[side]
        if group < 0:
            if by == "none" or (by and self.resolve(by) != leader):
                note(f"ordered_by {by!r}: a leadership's own act is its order; kept, not read")
            return True
        if not by:
            return None
        if by == "none":
            return False
        if self.resolve(by) == leader:
            return True
        note(
            f"ordered_by {by!r} is not the leadership of {self.groups[group]}'s side ({leader}); "
            "whether it acted on orders is drawn, as when the record does not say"
        )
        return None

    def _infer_kind(self, rec: Any, side: int, target: str, struck: int | None) -> str:
        """The target kind when neither the row nor the timeline gives one."""
        if rec.cameo.startswith(("186", "1823")):
            return "senior_commander"
        if struck is not None:
            return "proxy"
        if target in self.thirds:
            return "civilians"
        if isinstance(self.c.scenario.actors.get(target), Faction):
            return "forces"
        return "territory" if side == DEFENDER else "forces"

    def _catalogue(
        self, rec: Any, side: int, group: int, on_proxy: bool, hits: str | None
    ) -> Action | None:
        """The actor's own move for this act: the record's CAMEO code falls under the move's
        (``195`` under ``195``, not ``190`` under ``195``: never the first two digits alone) and,
        when `hits` is given, the move hits that kind of target."""
        spec = self.c.sides[side]
        candidates: list[Action | None]
        if group >= 0:
            candidates = [self.c.groups[group].action]
            if group == self.sea_group:
                candidates.append(self.sea_action)
        elif on_proxy:
            candidates = [spec.strike_proxy]
        else:
            candidates = (
                [spec.retaliate, spec.strike_state]
                if side != DEFENDER
                else [spec.strike_state, spec.retaliate]
            )
        for action in candidates:
            if (
                action is not None
                and rec.cameo.startswith(action.cameo)
                and (hits is None or action.hits == TARGETS.index(hits))
            ):
                return action
        return None

    def _made(self, rec: Any, severity: Severity, group: int, hits: str, explicit: bool) -> Action:
        """An action made from the record and its severity (an armed group's kept below the
        direct rungs); a non-violent act on a target the row does not name hits civilians."""
        rung, lethal, warned = severity.rung, severity.lethal_rung, severity.warned_rung
        if group >= 0:  # no warned form: groups do not telegraph their attacks in the model
            rung, lethal, warned = (
                min(rung, GROUP_MAX_RUNG),
                min(lethal, GROUP_MAX_LETHAL_RUNG),
                None,
            )
        lethal = max(lethal, rung)
        if not explicit and rung < 7 and hits != "proxy":
            hits = "civilians"
        key = f"observed_{rec.cameo}:{hits}:{rung}/{lethal}" + (f"/w{warned}" if warned else "")
        if key not in self.made:
            made = ActionType(
                label=_text(rec)[:80] or f"CAMEO {rec.cameo}",
                rung=rung,
                lethal_rung=lethal if lethal != rung else None,
                cameo=rec.cameo,
                rivera=rivera_category(rung),  # type: ignore[arg-type]
                hits=hits,  # type: ignore[arg-type]
                warned=None
                if warned is None
                else WarnedVariant(rung=warned, lethality=Lethality()),
            )
            self.made[key] = compile_action(key, made)
        return self.made[key]

    def _victim(self, rec: Any, target: str, side: int) -> int:
        nat = getattr(rec, "victims", "")
        if nat and nat in self.c.nationalities:
            return self.c.nationalities.index(nat)
        nat = self.c.scenario.actors[target].nationality
        return self.c.nationalities.index(nat)


def _text(rec: Any) -> str:
    return (rec.description or codebooks.cameo_label(rec.cameo)).strip()
