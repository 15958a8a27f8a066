"""A scenario turned into the plain numbers and indices the batched engine needs.

The engine knows two *sides* (0 = defender, 1 = challenger), each led by a leadership, and a list of
armed *groups* (proxies and factions) each serving one side. Everything else is looked up here once,
so the day loop touches only arrays and floats.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from crisislab.engine.constants import CHALLENGER, DEFENDER, RESPONSES, ROLES, TARGETS
from crisislab.scenario import codebooks
from crisislab.scenario.schema import (
    ActionType,
    Condition,
    Faction,
    Leadership,
    Proxy,
    Scenario,
)

__all__ = ["CHALLENGER", "DEFENDER", "RESPONSES", "ROLES", "TARGETS", "Action", "Compiled"]


@dataclass(frozen=True)
class Variant:
    """One way of executing an action: plain or warned."""

    rung: int
    lethal_rung: int
    p_kill: float
    deaths_mean: float
    injuries_mean: float
    signal_ratio: float | None


@dataclass(frozen=True)
class Action:
    id: str
    label: str
    plain: Variant
    warned: Variant | None
    cameo: str
    goldstein: float
    plover: str
    rivera: float
    hits: int
    p_detect: float
    ambiguity: float


@dataclass(frozen=True)
class Group:
    """A proxy or faction: an armed element that may act with or without its principal's orders."""

    id: str
    name: str
    role: str
    side: int
    control: float
    base_hazard: float
    grievance0: float
    action: Action
    nationality: int
    assumed_control: float


@dataclass(frozen=True)
class Side:
    id: str
    name: str
    nationality: int
    type_prior: float
    prior_trust: float
    doctrine: str
    inflammatory: bool
    audience_cost: float
    enforcement: float
    campaign_mean_days: float
    p_warning_delivered: float
    strike_proxy: Action | None
    strike_state: Action | None
    retaliate: Action | None
    rhetoric: Action | None
    message: Action | None


@dataclass(frozen=True)
class RedLineSpec:
    id: str
    owner: int
    conditions: tuple[tuple[str, int, str, float], ...]
    response: int
    enforcement: float
    audience_cost: float
    public: bool


@dataclass(frozen=True)
class Compiled:
    scenario: Scenario
    sides: tuple[Side, Side]
    groups: tuple[Group, ...]
    nationalities: tuple[str, ...]
    red_lines: tuple[RedLineSpec, ...]
    sigma: float
    latency_days: float
    lr_msg: float
    lr_c2: float
    channel_open: bool
    carries_c2: bool
    accident_group: int | None
    accident_action: Action | None
    loc_group: int | None
    loc_action: Action | None

    @property
    def days(self) -> int:
        return self.scenario.days


def _signal_ratio(signal: Mapping[Literal["limited", "aggressive"], float] | None) -> float | None:
    if not signal:
        return None
    return max(signal["limited"], 1e-9) / max(signal["aggressive"], 1e-9)


def compile_action(action_id: str, a: ActionType) -> Action:
    """Resolve codes and variants of a catalogue entry."""
    plain = Variant(
        a.rung,
        a.lethal_rung if a.lethal_rung is not None else a.rung,
        a.lethality.p_kill,
        a.lethality.deaths_mean,
        a.lethality.injuries_mean,
        _signal_ratio(a.signal),
    )
    warned = None
    if a.warned is not None:
        w = a.warned
        warned = Variant(
            w.rung,
            max(w.rung, plain.lethal_rung if a.lethal_rung is not None else w.rung),
            w.lethality.p_kill,
            w.lethality.deaths_mean,
            w.lethality.injuries_mean,
            _signal_ratio(w.signal),
        )
    plover = a.plover
    if plover is None:
        try:
            plover = codebooks.plover_category(a.cameo)[0]
        except KeyError:
            plover = ""
    return Action(
        id=action_id,
        label=a.label,
        plain=plain,
        warned=warned,
        cameo=a.cameo,
        goldstein=codebooks.goldstein(a.cameo),
        plover=plover,
        rivera=float(codebooks.rivera_score(a.rivera)),
        hits=TARGETS.index(a.hits),
        p_detect=a.p_detect,
        ambiguity=a.attribution_ambiguity,
    )


def _condition(c: Condition, nationalities: list[str]) -> tuple[str, int, str, float]:
    field = c.field
    if field.startswith(("reported_deaths.", "reported_injuries.")):
        kind, nat = field.split(".", 1)
        index = nationalities.index(nat) if nat in nationalities else -1
        return kind, index, c.op, float(c.value)
    if field == "target":
        return field, 0, c.op, float(TARGETS.index(str(c.value)))
    if field == "perceived_actor_role":
        return field, 0, c.op, float(ROLES.index(str(c.value)))
    return field, 0, c.op, float(c.value)


def compile_scenario(s: Scenario) -> Compiled:
    """Turn a validated scenario into engine parameters."""
    actions = {k: compile_action(k, v) for k, v in s.actions.items()}
    nationalities = sorted({a.nationality for a in s.actors.values()})
    side_ids = (s.dyad.defender, s.dyad.challenger)

    def side(i: int) -> Side:
        a = s.actors[side_ids[i]]
        assert isinstance(a, Leadership)
        moves = a.actions

        def pick(ref):
            return actions[ref] if ref else None

        return Side(
            id=side_ids[i],
            name=a.name,
            nationality=nationalities.index(a.nationality),
            type_prior=a.type_prior,
            prior_trust=a.prior_trust,
            doctrine=a.doctrine,
            inflammatory=a.rhetoric == "inflammatory",
            audience_cost=a.audience_cost,
            enforcement=a.enforcement,
            campaign_mean_days=a.rules.campaign_mean_days,
            p_warning_delivered=a.rules.p_warning_delivered,
            strike_proxy=pick(moves.strike_proxy),
            strike_state=pick(moves.strike_state),
            retaliate=pick(moves.retaliate),
            rhetoric=pick(moves.rhetoric),
            message=pick(moves.message),
        )

    sides = (side(0), side(1))
    groups = []
    for gid, a in s.actors.items():
        if isinstance(a, Proxy | Faction) and a.principal in side_ids:
            g_side = side_ids.index(a.principal)
            observer = s.actors[side_ids[1 - g_side]]
            assert isinstance(observer, Leadership)
            groups.append(
                Group(
                    id=gid,
                    name=a.name,
                    role=a.role,
                    side=g_side,
                    control=a.control,
                    base_hazard=a.base_hazard,
                    grievance0=a.grievance if isinstance(a, Proxy) else 0.0,
                    action=actions[a.action],
                    nationality=nationalities.index(a.nationality),
                    assumed_control=observer.assumed_control.get(gid, a.control),
                )
            )
    group_ids = [g.id for g in groups]
    red_lines = tuple(
        RedLineSpec(
            id=rid,
            owner=side_ids.index(r.owner) if r.owner in side_ids else -1,
            conditions=tuple(_condition(c, nationalities) for c in r.when),
            response=RESPONSES.index(r.response),
            enforcement=r.enforcement,
            audience_cost=r.audience_cost,
            public=r.public,
        )
        for rid, r in s.red_lines.items()
        if r.owner in side_ids
    )
    h = s.hazards
    kind = s.channel.kind
    return Compiled(
        scenario=s,
        sides=sides,
        groups=tuple(groups),
        nationalities=tuple(nationalities),
        red_lines=red_lines,
        sigma=getattr(s.channel.noise, kind),
        latency_days=getattr(s.channel.latency_hours, kind) / 24.0,
        lr_msg=getattr(s.channel.lr_msg, kind) if kind != "none" else 1.0,
        lr_c2=s.channel.lr_c2,
        channel_open=kind != "none",
        carries_c2=s.channel.carries_c2 and kind != "none",
        accident_group=group_ids.index(h.accident_actor) if h.accident_actor in group_ids else None,
        accident_action=actions[h.accident_action] if h.accident_action else None,
        loc_group=(
            group_ids.index(h.loss_of_control_actor)
            if h.loss_of_control_actor in group_ids
            else None
        ),
        loc_action=actions[h.loss_of_control_action] if h.loss_of_control_action else None,
    )


def decay_factor(half_life_days: float) -> float:
    """Daily multiplier of a stock with the given half-life."""
    return math.exp(-math.log(2.0) / half_life_days)
