"""An ICB coder: the violence level (1-4) a crisis reached, read from its acts as ICB would.

MODEL.md §9: a run, or a recorded timeline, is coded on ICB's scale by the one rule the day loop
uses, `crisislab.engine.violence.violence_level`; this module only computes that rule's inputs
from a list of acts, so that a test can check the rule against ICB's codes for recorded crises.

What counts (MODEL.md §9):

- a *direct strike* is a violent act of a state's own forces on the other state's forces or
  territory; serious clashes need SERIOUS_STRIKES of them within SERIOUS_WINDOW_DAYS
  consecutive days with deaths on both sides (nationals of each side killed in direct strikes);
- *battle deaths* are the deaths of the crisis states' nationals, combatants and civilians,
  killed in violent acts of a state's own forces (leadership or faction); deaths among proxies,
  deaths caused by proxies and third states' dead are reported apart (``other_deaths``) and do
  not make a war between states. They are summed over WAR_WINDOW_DAYS consecutive days;
- a *campaign* is a run of consecutive days on which one side made direct strikes.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import accumulate

from crisislab.engine.constants import KINETIC_RUNG, SERIOUS_WINDOW_DAYS, WAR_WINDOW_DAYS
from crisislab.engine.violence import violence_level
from crisislab.history.mapping import rung_of
from crisislab.history.timeline import Timeline
from crisislab.scenario.loader import load_scenario
from crisislab.scenario.schema import Faction, Leadership, Proxy, Scenario

__all__ = ["Act", "Coding", "code_acts", "code_timeline", "timeline_acts"]

OWN_FORCES = ("leadership", "faction")
DECLARE_WAR = "declare_war"  # the action id of a declaration of war in an event file


@dataclass(frozen=True)
class Act:
    """One act of the crisis, as the coder needs it.

    ``actor`` is the acting state's code when ``own_forces`` (its leadership's forces or a
    faction of them), else the proxy group's name. ``direct``: own forces acting on the other
    state's forces or territory. ``deaths`` by nationality; ``proxy_deaths`` are the proxies'
    own dead, whatever their nationality.
    """

    day: int
    actor: str
    own_forces: bool = True
    direct: bool = False
    violent: bool = False
    deaths: Mapping[str, int] = field(default_factory=dict)
    proxy_deaths: int = 0
    declared_war: bool = False


@dataclass(frozen=True)
class Coding:
    """The level and the inputs of `violence_level` it was computed from (for explanations)."""

    level: int
    violent: bool
    direct_strikes_in_window: int
    lethal_both_sides: bool
    battle_deaths_in_year: int
    declared_war: bool
    campaign_days: int
    other_deaths: int


def code_acts(acts: Iterable[Act], sides: Sequence[Collection[str]]) -> Coding:
    """ICB's violence level of a crisis from its acts; ``sides`` are the two sets of state codes
    (the crisis actors on each side), which say whose nationals died on which side."""
    if len(sides) != 2:
        raise ValueError("give the crisis states of exactly two sides")
    states = set(sides[0]) | set(sides[1])
    if set(sides[0]) & set(sides[1]):
        raise ValueError("a state cannot be on both sides")
    ordered = sorted(acts, key=lambda a: a.day)
    direct = [a for a in ordered if a.direct and a.violent]
    for a in direct:
        if not a.own_forces or a.actor not in states:
            raise ValueError(f"a direct strike by {a.actor!r}: not a crisis state's own forces")
    strikes, both = _serious_window(direct, sides)
    counted = [(a.day, _counted(a, states)) for a in ordered]
    battle = _most_in_window(counted, WAR_WINDOW_DAYS)
    every = sum(a.proxy_deaths + sum(a.deaths.values()) for a in ordered)
    violent = any(a.violent for a in ordered)
    declared = any(a.declared_war for a in ordered)
    campaign = max(_longest_run({a.day for a in direct if a.actor in side}) for side in sides)
    level = violence_level(violent, strikes, both, float(battle), declared, campaign)
    return Coding(
        level=int(level),
        violent=violent,
        direct_strikes_in_window=strikes,
        lethal_both_sides=both,
        battle_deaths_in_year=battle,
        declared_war=declared,
        campaign_days=campaign,
        other_deaths=every - sum(n for _, n in counted),
    )


def _counted(act: Act, states: Collection[str]) -> int:
    """Battle deaths of one act: the crisis states' nationals killed by a state's own forces."""
    if not (act.own_forces and act.violent):
        return 0
    return sum(n for nat, n in act.deaths.items() if nat in states)


def _serious_window(direct: list[Act], sides: Sequence[Collection[str]]) -> tuple[int, bool]:
    """The window of SERIOUS_WINDOW_DAYS consecutive days that comes nearest serious clashes:
    one with deaths on both sides if any has them, and within those the most direct strikes."""
    days = [a.day for a in direct]
    dead = [
        list(accumulate((sum(a.deaths.get(nat, 0) for nat in side) for a in direct), initial=0))
        for side in sides
    ]
    best = (False, 0)
    for i, first in enumerate(days):
        j = bisect_left(days, first + SERIOUS_WINDOW_DAYS)
        both = all(d[j] - d[i] > 0 for d in dead)
        best = max(best, (both, j - i))
    return best[1], best[0]


def _most_in_window(daily: list[tuple[int, int]], window: int) -> int:
    """The largest total of (day, count) pairs within `window` consecutive days."""
    days = [d for d, _ in daily]
    totals = list(accumulate((n for _, n in daily), initial=0))
    return max(
        (totals[bisect_left(days, d + window)] - totals[i] for i, d in enumerate(days)), default=0
    )


def _longest_run(days: set[int]) -> int:
    """The longest run of consecutive days in a set of days."""
    return max((_run_from(d, days) for d in days if d - 1 not in days), default=0)


def _run_from(day: int, days: set[int]) -> int:
    n = 0
    while day + n in days:
        n += 1
    return n


# --- recorded timelines -----------------------------------------------------------------------


def timeline_acts(
    timeline: Timeline, scenario: Scenario | None = None
) -> tuple[list[Act], tuple[frozenset[str], frozenset[str]]]:
    """A timeline's events as acts, with the two sides' states, read through the scenario's
    actor roles: a leadership or faction acts with its state's own forces, a proxy for its
    principal. Events by actors outside the two sides (a host, a third state, an unattributed
    militia) or on targets the scenario does not have (a third state's airliner) are left out;
    a strike on a proxy kills proxies (reported apart). An event is
    violent when its CAMEO code is on a kinetic rung; a declaration of war is the action
    ``declare_war``."""
    if scenario is None:
        if timeline.scenario is None:
            raise ValueError(f"timeline {timeline.name!r} names no scenario; pass one")
        scenario = load_scenario(timeline.scenario)
    actors = scenario.actors
    leaders = (scenario.dyad.defender, scenario.dyad.challenger)

    def resolve(code: str) -> str | None:
        actor = timeline.actor_aliases.get(code, code)
        return actor if actor in actors else None

    def side_of(actor: str) -> int | None:
        spec = actors[actor]
        if isinstance(spec, Leadership):
            return leaders.index(actor) if actor in leaders else None
        if isinstance(spec, Faction | Proxy):
            return leaders.index(spec.principal) if spec.principal in leaders else None
        return None

    nationality = [actors[leader].nationality for leader in leaders]
    acts: list[Act] = []
    for rec in timeline.events:
        actor = resolve(rec.actor)
        target = resolve(rec.target) if rec.target else None
        side = side_of(actor) if actor else None
        if actor is None or side is None or target is None:
            continue
        own = actors[actor].role in OWN_FORCES
        target_role = actors[target].role
        on_state = target_role in OWN_FORCES and side_of(target) == 1 - side
        violent = rung_of(rec.cameo) >= KINETIC_RUNG
        victims = rec.victims or actors[target].nationality
        on_proxy = target_role == "proxy"
        acts.append(
            Act(
                day=(rec.date - timeline.start).days,
                actor=nationality[side] if own else actor,
                own_forces=own,
                direct=own and on_state and violent,
                violent=violent,
                deaths={} if on_proxy or not rec.deaths else {victims: rec.deaths},
                proxy_deaths=rec.deaths if on_proxy else 0,
                declared_war=rec.action == DECLARE_WAR,
            )
        )
    return acts, (frozenset({nationality[0]}), frozenset({nationality[1]}))


def code_timeline(timeline: Timeline, scenario: Scenario | None = None) -> Coding:
    """ICB's violence level of a recorded timeline, read through its scenario's actor roles."""
    acts, sides = timeline_acts(timeline, scenario)
    return code_acts(acts, sides)
