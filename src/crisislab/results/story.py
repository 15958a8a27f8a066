"""Narration of one run: what happened (truth), what each side saw, and why it ended as it did.

A `Story` only tells a traced run; the simulator makes one (`crisislab.simulate.story`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from crisislab.engine.constants import DIRECT_RUNG
from crisislab.scenario.outcomes import OUTCOMES
from crisislab.scenario.schema import Faction, Leadership, Proxy, Scenario

STATE_TARGETS = ("forces", "territory", "senior_commander")  # what a direct exchange hits


@dataclass
class Story:
    scenario: Scenario
    run: int
    seed: int
    records: list[dict[str, Any]]
    row: dict[str, Any]
    start: dt.date | None = None  # day 0 of a fork's replay; the scenario's start otherwise
    fork_day: int = 0  # the first simulated day (a fork's replayed days come before it)

    @property
    def outcome(self) -> str:
        return OUTCOMES[int(self.row["outcome"])]

    def date(self, day: int) -> str:
        return ((self.start or self.scenario.start_date) + dt.timedelta(days=day)).isoformat()

    def lines(self) -> list[str]:
        """One plain sentence per record, dated, then the outcome and why."""
        out = [f"Run {self.run} of {self.scenario.name} (seed {self.seed})."]
        for rec in self.records:
            text = _describe(rec)
            if text:
                out.append(f"{self.date(rec['day'])} (day {rec['day']}): {text}")
        out.append(f"Outcome: {self.outcome.replace('_', ' ')}. {self.why()}")
        return out

    def window(self) -> tuple[int, int]:
        """The days [first, end) of the final window judged for stability: the last
        `outcomes.stable_window_days` simulated days (all of them in a shorter run)."""
        days = self.scenario.days
        end = self.fork_day + days
        return end - min(self.scenario.outcomes.stable_window_days, days), end

    def window_counts(self) -> dict[str, int]:
        """What the records show of the final window, counted as the outcome class counts it
        (MODEL.md §6.2): group attacks (maritime incidents excluded), the defender's strikes on
        proxies, direct exchanges (a state act at rung 9 or more on forces, territory or a senior
        commander), the defender's red-line firings, and the days above the stable rung."""
        s = self.scenario
        first, end = self.window()
        defender = s.dyad.defender
        groups = {aid for aid, a in s.actors.items() if isinstance(a, Proxy | Faction)}
        proxies = {aid for aid, a in s.actors.items() if isinstance(a, Proxy)}
        rhetoric_rung = {}
        for aid, actor in s.actors.items():
            if isinstance(actor, Leadership) and actor.actions.rhetoric in s.actions:
                rhetoric_rung[aid] = s.actions[actor.actions.rhetoric].rung
        counts = dict.fromkeys(
            ("group_attacks", "proxy_strikes", "direct_exchanges", "red_line_firings"), 0
        )
        day_rung: dict[int, int] = {}
        for rec in self.records:
            day = rec["day"]
            if not first <= day < end:
                continue
            if rec["kind"] == "event":
                rung = int(rec["executed_rung"])
                day_rung[day] = max(day_rung.get(day, 0), rung)
                actor = rec["actor"]
                if actor in groups and rec["source"] != "maritime incident":
                    counts["group_attacks"] += 1
                if actor == defender and rec["target"] in groups:
                    counts["proxy_strikes"] += 1
                action = s.actions.get(rec["action"])
                if (
                    rung >= DIRECT_RUNG
                    and actor not in proxies
                    and action is not None
                    and action.hits in STATE_TARGETS
                ):
                    counts["direct_exchanges"] += 1
            elif rec["kind"] == "rhetoric":
                rung = rhetoric_rung.get(rec["actor"], 0)
                day_rung[day] = max(day_rung.get(day, 0), rung)
            elif rec["kind"] == "red_line" and rec["owner"] == defender:
                counts["red_line_firings"] += 1
        stable_rung = s.outcomes.stable_rung
        counts["days_above_stable_rung"] = sum(r > stable_rung for r in day_rung.values())
        return counts

    def why(self) -> str:
        r = self.row
        if self.outcome == "war":
            kind = (
                "a spiral (the challenger was limited)"
                if r["war_spiral"]
                else ("a deterrence failure (the challenger was aggressive)")
            )
            origin = (
                " It began with an unordered lethal event (inadvertent)."
                if r["war_inadvertent"]
                else ""
            )
            return f"War on day {int(r['war_day'])}: {kind}.{origin}"
        first, end = self.window()
        n = self.window_counts()
        parts = [
            _count(n["group_attacks"], "proxy or faction attack"),
            _count(n["proxy_strikes"], "strike on proxies", "strikes on proxies"),
            _count(n["direct_exchanges"], "direct exchange"),
            f"red line fired {_count(n['red_line_firings'], 'time')}",
            f"{_count(n['days_above_stable_rung'], 'day')} above rung "
            f"{self.scenario.outcomes.stable_rung}",
        ]
        belief = (
            f"; final defender belief that the challenger is limited {r['belief_defender']:.2f}."
        )
        last = "The last day was" if end - first == 1 else f"The last {end - first} days were"
        if self.outcome == "stable_deescalation":
            return f"{last} quiet: " + ", ".join(parts) + belief
        return f"{last} not quiet enough to end the crisis: " + ", ".join(parts) + belief

    def text(self) -> str:
        return "\n".join(self.lines())


def _count(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else many or one + 's'}"


def _describe(rec: dict[str, Any]) -> str:
    kind = rec["kind"]
    if kind == "types":
        resolve = rec.get("resolve", {})
        types = ", ".join(
            f"{k} {resolve[k]:.2f} ({v})" if k in resolve else f"{k} {v}"
            for k, v in rec["types"].items()
        )
        beliefs = ", ".join(
            f"{k} believes the other limited with p={v:.2f}" for k, v in rec["beliefs"].items()
        )
        return f"hidden resolve: {types}; {beliefs}."
    if kind == "event":
        who = rec["actor"] + (
            f" on orders of {rec['ordered_by']}"
            if rec["ordered_by"] and rec["ordered_by"] != rec["actor"]
            else ""
            if rec["ordered_by"]
            else " without orders"
        )
        target = f" against {rec['target']}" if rec["target"] else ""
        truth = (
            f"{who}: {rec['label']}{target} (CAMEO {rec['cameo']}); intended rung "
            f"{rec['intended_rung']}, executed rung {rec['executed_rung']}"
            f"{', warned' if rec['warned'] else ''}; {rec['deaths']} {rec['victims']} dead, "
            f"{rec['injuries']} injured."
        )
        if not rec["detected"]:
            return f"[{rec['source']}] {truth} {rec['observer']} did not detect it."
        return (
            f"[{rec['source']}] {truth} {rec['observer']} perceives rung "
            f"{rec['perceived_rung']} by {rec['perceived_actor']}, P(ordered) "
            f"{rec.get('p_ordered', 1.0):.2f}."
        )
    if kind == "orders":
        verb = "orders its proxies to attack" if rec["order"] == "go" else "restrains its proxies"
        return f"{rec['actor']} {verb}."
    if kind == "rhetoric":
        return f"{rec['actor']} makes an inflammatory statement."
    if kind == "message":
        return f"{rec['actor']} sends a {rec['label']} (arrives day {rec['arrives']})."
    if kind == "red_line":
        enforced = "enforced" if rec["enforced"] else "NOT enforced (audience cost paid)"
        return (
            f"{rec['owner']}'s red line '{rec['red_line']}' fires: P(ordered)="
            f"{rec['p_ordered']:.2f}, reported deaths {rec['reported_deaths']}; {enforced}."
        )
    if kind == "decision":
        if rec["response"] == "none":
            return f"{rec['actor']} perceives an attack and chooses not to respond."
        response = rec["response"].replace("_", " ")
        return f"{rec['actor']} decides: {response} against {rec['target']} (tomorrow)."
    if kind == "belief":
        return (
            f"{rec['observer']}'s belief that the other side is limited moves "
            f"{rec['before']:.2f} -> {rec['after']:.2f}."
        )
    if kind == "front":
        return f"[front] {rec['text']}."
    if kind == "war":
        return (
            f"WAR: {rec['exchanges']} alternating direct exchanges, "
            f"{rec['battle_deaths']:.0f} battle deaths."
        )
    return ""
