"""Narration of one run: what happened (truth), what each side saw, and why it ended as it did.

A `Story` only tells a traced run; the simulator makes one (`crisislab.simulate.story`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from crisislab.scenario.outcomes import OUTCOMES
from crisislab.scenario.schema import Scenario


@dataclass
class Story:
    scenario: Scenario
    run: int
    seed: int
    records: list[dict[str, Any]]
    row: dict[str, Any]
    start: dt.date | None = None  # day 0 of a fork's replay; the scenario's start otherwise

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
        parts = [
            f"{int(r['group_attacks'])} proxy or faction attacks",
            f"{int(r['proxy_strikes'])} strikes on proxies",
            f"{int(r['direct_exchanges'])} direct exchanges",
            f"red line fired {int(r['red_line_firings'])} times",
            f"final defender belief that the challenger is limited {r['belief_defender']:.2f}",
        ]
        if self.outcome == "stable_deescalation":
            return "The last 90 days were quiet: " + ", ".join(parts) + "."
        return "Violence persisted or beliefs stayed unresolved: " + ", ".join(parts) + "."

    def text(self) -> str:
        return "\n".join(self.lines())


def _describe(rec: dict[str, Any]) -> str:
    kind = rec["kind"]
    if kind == "types":
        types = ", ".join(f"{k} is {v}" for k, v in rec["types"].items())
        beliefs = ", ".join(
            f"{k} believes the other limited with p={v:.2f}" for k, v in rec["beliefs"].items()
        )
        return f"hidden types: {types}; {beliefs}."
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
