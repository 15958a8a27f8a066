"""Day-by-day record of one run, for narration. Costs nothing unless a run is traced."""

from __future__ import annotations

from typing import Any

import numpy as np

from crisislab.engine.beliefs import prior_ordered
from crisislab.engine.compiled import RESPONSES, Action, Compiled


class Trace:
    """Collects the truth and each observer's perception of one run's events."""

    def __init__(self, run: int, compiled: Compiled) -> None:
        self.k = run
        self.c = compiled
        self.records: list[dict[str, Any]] = []

    def _name(self, side: int, group: int) -> str:
        return self.c.groups[group].id if group >= 0 else self.c.sides[side].id

    def _add(self, day: int, kind: str, **fields: Any) -> None:
        self.records.append({"day": day, "kind": kind, **fields})

    def start(self, world, views) -> None:
        c, k = self.c, self.k
        self._add(
            0,
            "types",
            types={
                c.sides[i].id: ("limited" if world.limited[k, i] else "aggressive") for i in (0, 1)
            },
            beliefs={c.sides[i].id: float(views[i].belief[k]) for i in (0, 1)},
        )

    def orders(self, day: int, side: int, start: np.ndarray, stop: np.ndarray) -> None:
        if start[self.k]:
            self._add(day, "orders", actor=self.c.sides[side].id, order="go")
        elif stop[self.k]:
            self._add(day, "orders", actor=self.c.sides[side].id, order="restrain")

    def event(
        self,
        day,
        kind,
        idx,
        side,
        group,
        action: Action,
        ordered,
        rung,
        warned,
        intended_warned,
        deaths,
        injuries,
        victim,
        detected,
        perceived,
        view,
        struck_group,
    ) -> None:
        where = np.flatnonzero(idx == self.k)
        if where.size == 0:
            return
        i = int(where[0])
        intended = action.plain.rung
        if (
            intended_warned is not None and action.warned is not None and intended_warned[self.k]
        ) or (intended_warned is None and warned[i] and action.warned is not None):
            intended = action.warned.rung
        observer = self.c.sides[1 - side].id
        self._add(
            day,
            "event",
            source=kind,
            actor=self._name(side, group),
            ordered_by=self.c.sides[side].id if ordered[i] else None,
            action=action.id,
            label=action.label,
            target=self.c.groups[struck_group].id if struck_group is not None else None,
            cameo=action.cameo,
            goldstein=action.goldstein,
            intended_rung=int(intended),
            executed_rung=int(rung[i]),
            warned=bool(warned[i]),
            deaths=int(deaths[i]),
            injuries=int(injuries[i]),
            victims=self.c.nationalities[victim],
            observer=observer,
            detected=bool(detected[i]),
            perceived_rung=int(perceived[i]) if detected[i] else None,
            perceived_actor=self._name(side, group) if detected[i] else None,
            p_ordered=self._prior_ordered(group, view) if detected[i] else None,
        )

    def _prior_ordered(self, group: int, view) -> float:
        """The observer's P(ordered by the actor's principal) when it perceives the act."""
        if group < 0:
            return 1.0
        s, g = self.c.scenario, self.c.groups[group]
        return float(
            prior_ordered(
                view.belief[self.k],
                g.assumed_control,
                s.attribution.assumed_order_share,
                s.hazards.ordered_multiplier,
            )
        )

    def rhetoric(self, day: int, side: int, speak: np.ndarray) -> None:
        if speak[self.k]:
            self._add(day, "rhetoric", actor=self.c.sides[side].id)

    def message(self, day: int, side: int, sends: np.ndarray, arrival: np.ndarray) -> None:
        if sends[self.k]:
            message = self.c.sides[side].message
            self._add(
                day,
                "message",
                actor=self.c.sides[side].id,
                arrives=int(arrival[self.k]),
                label=message.label if message else "message",
            )

    def red_line(self, day, line, fire, enforced, slots, slot, p_ordered) -> None:
        k = self.k
        if not fire[k]:
            return
        s = int(slot[k])
        self._add(
            day,
            "red_line",
            red_line=line.id,
            owner=self.c.sides[line.owner].id,
            enforced=bool(enforced[k]),
            p_ordered=float(p_ordered[k, s]),
            reported_deaths=int(slots.reported_deaths[k, s]),
        )

    def response(
        self,
        day: int,
        side: int,
        idx: np.ndarray,
        kind_: np.ndarray,
        group_: np.ndarray,
        trigger_: np.ndarray,
    ) -> None:
        where = np.flatnonzero(idx == self.k)
        if where.size == 0:
            return
        k = int(where[0])
        kind, group, trigger = kind_, group_, trigger_
        if kind[k] > 0:
            target = (
                self.c.groups[int(group[k])].id
                if group[k] >= 0 and kind[k] == 1
                else self.c.sides[1 - side].id
            )
            self._add(
                day,
                "decision",
                actor=self.c.sides[side].id,
                response=RESPONSES[int(kind[k])],
                target=target,
            )
        elif trigger[k]:
            self._add(day, "decision", actor=self.c.sides[side].id, response="none", target=None)

    def beliefs(self, day: int, before, views) -> None:
        k = self.k
        for i in (0, 1):
            old, new = float(before[i][k]), float(views[i].belief[k])
            if abs(new - old) >= 0.02:
                self._add(day, "belief", observer=self.c.sides[i].id, before=old, after=new)

    def front(self, day: int, mask: np.ndarray, text: str) -> None:
        if mask[self.k]:
            self._add(day, "front", text=text)

    def war(self, day: int, war_now: np.ndarray, ledger) -> None:
        if war_now[self.k]:
            self._add(
                day,
                "war",
                exchanges=int(ledger.chain_len[self.k]),
                battle_deaths=float(ledger.battle_deaths[self.k]),
            )
