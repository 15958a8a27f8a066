"""A timeline's observed frequencies as a calibration target set (MODEL.md §15).

    python benchmarks/timeline_targets.py            # prints the YAML
    python benchmarks/timeline_targets.py --write    # writes the package data

The built-in timeline us-iran-2019-2020 is read from the fork day of its scenario, us-iran-2020
(the scenario's start_date, 2020-01-08: day 0 of a simulation), over windows of days after it cut
to the days the timeline covers (to 2020-03-17, 69 days), as a fork's calibration cuts them: a day
the timeline does not cover is not a day on which nothing happened. For each dated event the
simulation records per run (its first day: `first_<kind>_day`, `war_day`, `host_expulsion_day`),
the count is 1 if the event happened in the window and 0 if not, read by the fork's own rule
(`crisislab.history.fork.observed_events`, which pairs the record's events with the simulation's);
war by the ICB coder (`crisislab.history.icb_coder`: violence level 4 in the acts from the fork
day on). The statistic matched is `event_within` over the same window (the share of runs in which
it happened, the expected count). The sd of a count is Poisson: sqrt(max(count, 1)).

The calibration package may not import the history package (the import contract keeps them
beside each other), so the set is computed here and shipped as package data; a test checks that
the shipped file is what this script writes.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import textwrap
from dataclasses import dataclass
from pathlib import Path

from crisislab.history.fork import observed_events, proxy_groups
from crisislab.history.icb_coder import code_acts, timeline_acts
from crisislab.history.replay import prepare

TIMELINE = "us-iran-2019-2020"
NAME = "us-iran-2020-timeline"
OUTPUT = (
    Path(__file__).resolve().parents[1] / f"src/crisislab/calibration/data/target_sets/{NAME}.yaml"
)
WINDOWS = (30, None)  # days after the fork day; None: every day the timeline covers
# the statistic's event -> the fork's observable of the same name (war: the ICB coder)
EVENTS = {
    "lethal_proxy_attack": "lethal_proxy_attack",
    "proxy_strike": "proxy_strike",
    "state_strike": "state_strike",
    "host_expulsion": "host_expulsion_vote",
    "war": None,
}
WHAT = {
    "lethal_proxy_attack": "a proxy's lethal attack on the defender's nationals",
    "proxy_strike": "a defender strike on a proxy",
    "state_strike": "a defender strike on the challenger's territory or senior commanders (the "
    "simulation dates strikes on territory only)",
    "host_expulsion": "the host nation moves to expel the defender (a host's demand or "
    "sanction, CAMEO 10 or 16)",
    "war": "full-scale war (ICB violence level 4)",
}


@dataclass(frozen=True)
class Observed:
    event: str
    days: int
    count: int
    first: dt.date | None  # the first day it happened in the window

    @property
    def sd(self) -> float:
        return math.sqrt(max(self.count, 1))


def observations(timeline: str = TIMELINE) -> tuple[dict[str, object], list[Observed]]:
    """The fork day, the covered days and, per event and window, whether it happened."""
    tl, scenario, mapped = prepare(timeline, None, None)
    at = scenario.start_date
    if at is None or not mapped.start <= at <= mapped.end:
        raise SystemExit(f"{scenario.name}'s start_date {at} lies outside the timeline")
    covered = mapped.day_of(mapped.end) - mapped.day_of(at)
    proxies = proxy_groups(scenario)
    acts, sides = timeline_acts(tl, scenario)
    fork_day = (at - tl.start).days

    def first_day(event: str) -> int | None:
        """The first day after the fork day (1 …) on which the timeline shows the event."""
        for day in range(1, covered + 1):
            if EVENTS[event] is None:
                upto = [a for a in acts if fork_day <= a.day <= fork_day + day]
                if code_acts(upto, sides).level >= 4:
                    return day
            elif observed_events(mapped, tl, at + dt.timedelta(days=day - 1), 1, proxies)[
                str(EVENTS[event])
            ]:
                return day
        return None

    firsts = {event: first_day(event) for event in EVENTS}
    found = []
    for window in WINDOWS:
        days = covered if window is None else min(window, covered)
        for event, day in firsts.items():
            happened = day is not None and day <= days
            if EVENTS[event] is not None:  # the fork's rule over the whole window agrees
                seen = observed_events(mapped, tl, at, days, proxies)[str(EVENTS[event])]
                assert seen == happened, (event, days)
            when = at + dt.timedelta(days=day) if happened and day is not None else None
            found.append(Observed(event, days, int(happened), when))
    info = {
        "timeline": tl.name,
        "title": tl.title,
        "scenario": scenario.name,
        "at": at,
        "end": mapped.end,
        "covered": covered,
    }
    return info, found


def as_yaml(info: dict[str, object], found: list[Observed]) -> str:

    def q(text: str) -> str:
        return json.dumps(text, ensure_ascii=False)  # a YAML double-quoted scalar

    at, end, covered = info["at"], info["end"], info["covered"]
    lines = [
        f"# Observed frequencies of the built-in timeline {info['timeline']} after the fork day of",
        f"# the scenario {info['scenario']} (its start_date, {at}), as a calibration target set.",
        "# Written by benchmarks/timeline_targets.py from the timeline: do not edit by hand, run",
        "# the script again (it says how each count is read). sd = sqrt(max(count, 1)), Poisson.",
        f"name: {NAME}",
        "description: >",
        *textwrap.wrap(
            f"What the timeline {info['timeline']} ({info['title']}) shows in the days after "
            f"{at}, the fork day and day 0 of the scenario {info['scenario']}: whether each "
            f"event the simulation dates happened within 30 days and within the {covered} days "
            f'the timeline covers (to {end}). Match with simulate("{info["scenario"]}", ...).',
            width=96,
            break_on_hyphens=False,
            initial_indent="  ",
            subsequent_indent="  ",
        ),
        "targets:",
    ]
    for o in found:
        when = f"first on {o.first}" if o.first else "not seen"
        lines += [
            f"  - name: {o.event}_{o.days}d",
            "    statistic: event_within",
            f"    params: {{event: {o.event}, days: {o.days}}}",
            f"    observed: {{value: {o.count}, sd: {o.sd:g}}}",
            "    source: "
            + q(
                f"timeline {info['timeline']} (crisislab.history), days 1-{o.days} after {at}: "
                f"{when}; read by "
                + (
                    "the ICB coder (crisislab.history.icb_coder)"
                    if EVENTS[o.event] is None
                    else "a fork's rule (crisislab.history.fork.observed_events)"
                )
            ),
            "    description: "
            + q(
                f"Whether {WHAT[o.event]} happened in the {o.days} days after {at} "
                f"(observed {o.count}), matched with the share of runs in which it did."
            ),
        ]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--write", action="store_true", help=f"write {OUTPUT.name}")
    args = parser.parse_args()
    text = as_yaml(*observations())
    if args.write:
        OUTPUT.write_text(text, encoding="utf-8")
        print(f"wrote {OUTPUT}")
    else:
        print(text, end="")


if __name__ == "__main__":
    main()
