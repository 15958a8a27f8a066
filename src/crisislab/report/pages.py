"""The three report pages: a doctrine comparison, a replay, a fork.

Each turns its data into HTML with the primitives of `crisislab.report.html`, saying on the page
what every number rests on (runs, seed, horizon), since a report travels without its command.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from crisislab.report import figures
from crisislab.report.comparison import Comparison
from crisislab.report.html import (
    bullets,
    contents,
    document,
    esc,
    figure,
    meta,
    para,
    section,
    table,
)
from crisislab.report.plots import fork_figure, replay_figure
from crisislab.report.trajectories import WINDOW_DAYS
from crisislab.scenario.outcomes import OUTCOMES
from crisislab.stats import wilson_interval


def _version() -> str:
    try:
        return version("crisislab")
    except PackageNotFoundError:
        return "unknown"


def _footer() -> str:
    return (
        f"<footer>Written by crisislab {esc(_version())} on {dt.date.today().isoformat()}. "
        "This file is self-contained: it works offline and loads nothing.</footer>"
    )


def _p(entry: Mapping[str, Any]) -> str:
    lo, hi = entry["ci"]
    return f"{entry['p']:.3f} [{lo:.3f}, {hi:.3f}]"


def _overrides(overrides: Mapping[str, Any]) -> str:
    shown = {k: v for k, v in overrides.items() if k != "days"}
    return ", ".join(f"{k}={v}" for k, v in shown.items()) or "none"


def _pretty(name: str) -> str:
    return name.replace("_", " ")


# --- comparison ------------------------------------------------------------------------------


def _label(c: Comparison, name: str) -> str:
    return f"{name} ★" if c.mark == name else name


def _outcome_rows(c: Comparison) -> list[list[str]]:
    return [
        [_label(c, n), *(_p(s["outcomes"][o]) for o in OUTCOMES)] for n, s in c.summaries.items()
    ]


def _test_rows(c: Comparison) -> list[list[str]]:
    return [
        [
            _label(c, n),
            *(f"{s['test'][k]:.3f}" for k in ("intended", "perceived", "both")),
            f"{s['flags']['red_line_fired']:.3f}",
            f"{s['metrics']['misperceptions_mean']:.2f}",
        ]
        for n, s in c.summaries.items()
    ]


def _war_kind_rows(c: Comparison) -> list[list[str]]:
    return [
        [
            _label(c, n),
            _p(s["outcomes"]["war"]),
            *(f"{s['war_kinds'][k]:.3f}" for k in ("spiral", "deterrence_failure", "inadvertent")),
            _day(s["time_to_event"]["war_day_median"]),
        ]
        for n, s in c.summaries.items()
    ]


def _day(value: float | None) -> str:
    return "—" if value is None else f"{value:.0f}"


def _with_ci(p: float, n: int) -> str:
    lo, hi = wilson_interval(round(p * n), n)
    return _p({"p": p, "ci": [lo, hi]})


def _front_rows(c: Comparison) -> list[list[str]]:
    rows = []
    for n, s in c.front_summaries.items():
        flags, tte = s["flags"], s["time_to_event"]
        rows.append(
            [
                _label(c, n),
                _with_ci(flags["host_expulsion"], s["runs"]),
                _with_ci(flags["follow_on_withdrawal"], s["runs"]),
                _with_ci(flags["breakout_crisis"], s["runs"]),
                f"{s['metrics'].get('maritime_incidents_mean', 0.0):.2f}",
                _day(tte["host_expulsion_day_median"]),
                _day(tte["breakout_crisis_day_median"]),
                f"{s['outcomes']['war']['p']:.3f}",
            ]
        )
    return rows


def _has_fronts(c: Comparison) -> bool:
    return all(
        k in s["flags"]
        for s in c.front_summaries.values()
        for k in ("host_expulsion", "follow_on_withdrawal", "breakout_crisis")
    )


def _stories(c: Comparison) -> str:
    if not c.stories:
        return para("No run to narrate.")
    parts = []
    for told in c.stories:
        items = "".join(f"<li>{esc(line)}</li>" for line in told.lines)
        parts.append(
            f"<details open><summary>{esc(_pretty(told.outcome).capitalize())}: run {told.run} "
            f'under {esc(c.story_policy)}</summary>\n<ol class="story">{items}</ol></details>'
        )
    missing = [o for o in OUTCOMES if o not in {t.outcome for t in c.stories}]
    if missing:
        parts.append(para(f"No run ended in {', '.join(_pretty(o) for o in missing)}."))
    return "\n".join(parts)


def _runs_of(summaries: Mapping[str, Mapping[str, Any]]) -> str:
    return " / ".join(f"{r:,}" for r in sorted({s["runs"] for s in summaries.values()}))


def comparison_page(c: Comparison) -> str:
    """The doctrine comparison: outcomes, escalation, beliefs, events, wars, fronts, stories."""
    s = c.scenario
    defender, challenger = s.dyad.defender, s.dyad.challenger
    start = s.start_date.isoformat()
    trajs = c.trajectories
    traj_runs = _runs_of({n: {"runs": t.runs} for n, t in trajs.items()})
    fronts = c.front_summaries
    front_days = {f["days"] for f in fronts.values()}
    title = f"{s.title or s.name}: {defender} doctrines compared"
    star = f" ★ marks {c.mark}, the analysis's recommended policy." if c.mark else ""
    sections = [
        ("outcomes", "Outcomes by policy"),
        ("escalation", "Escalation over time"),
        ("beliefs", "Beliefs"),
        ("events", "Red lines and misperceptions"),
        ("wars", "Kinds of war"),
        ("fronts", "Strategic fronts"),
        *([("claims", CLAIMS_TITLE)] if c.claims is not None else []),
        ("stories", "One run of each outcome, narrated"),
        ("about", "What the numbers rest on"),
    ]
    body = [
        f"<h1>{esc(title)}</h1>",
        meta(
            [
                ("scenario", f"{s.name} — starts {start}, {s.days} days"),
                ("policies", f"{c.lever} = {', '.join(c.policies)}"),
                (
                    "runs per policy",
                    traj_runs
                    if _one_ensemble(c)
                    else f"{_runs_of(c.summaries)} (outcomes), {traj_runs} (daily charts), "
                    f"{_runs_of(fronts)} (fronts)",
                ),
                *(
                    [("runs per claim setting", f"{c.claims['runs']:,}")]
                    if c.claims is not None
                    else []
                ),
                ("seed", c.seed),
                ("other overrides", _overrides(c.overrides)),
                ("date", dt.date.today().isoformat()),
            ]
        ),
        contents(sections),
        section(
            "outcomes",
            "Outcomes by policy",
            table(
                ["policy", *(f"P({_pretty(o)}) [95% CI]" for o in OUTCOMES)],
                _outcome_rows(c),
                f"Share of runs in each outcome class at the horizon (day {s.days}), with 95% "
                f"Wilson intervals; {_runs_of(c.summaries)} runs per policy.{star}",
            ),
            figure(
                figures.outcomes_figure(c.summaries, c.mark),
                "Outcome probabilities: one bar per policy, error bars are 95% intervals.",
                "Bar chart of outcome probabilities per policy with 95% intervals",
            ),
            figure(
                figures.at_war_figure(trajs, start),
                f"Cumulative share of runs at war, by day ({traj_runs} runs per policy).",
                "Line chart of the share of runs at war by day, one line per policy",
            ),
            table(
                [
                    "policy",
                    "intended",
                    "perceived",
                    "both",
                    "red line fired",
                    "misperceptions per run",
                ],
                _test_rows(c),
                f"The test of intent and perception (shares of runs): intended — {challenger} "
                f"is limited and ordered no escalation; perceived — {defender} ends believing "
                f"it (belief ≥ 0.5) and its red line never fired; both — the two hold together.",
            ),
        ),
        section(
            "escalation",
            "Escalation over time",
            para(
                "Runs at war are frozen: war is their outcome, so from the day after a run goes to "
                "war it leaves the bands, which describe the runs not yet at war (see the share "
                f"at war above). The highest rung of a single day is 0 on most days, so the "
                f"charts show the highest rung of the past {WINDOW_DAYS} days.",
                "note",
            ),
            figure(
                figures.fan_figure(trajs, "true_rung", "True escalation", start),
                f"What was done (the truth): highest rung executed by anyone in the past "
                f"{WINDOW_DAYS} days, {traj_runs} runs per policy.",
                "Fan charts of the true highest rung over time, one panel per policy",
            ),
            figure(
                figures.fan_figure(
                    trajs, "perceived_rung", f"Escalation as {defender} perceived it", start
                ),
                f"What {defender} saw: highest rung it perceived in the past {WINDOW_DAYS} days. "
                "Where it differs from the truth above, perception and intent diverged.",
                f"Fan charts of the rung perceived by {defender} over time, one panel per policy",
            ),
        ),
        section(
            "beliefs",
            "Beliefs",
            figure(
                figures.beliefs_figure(trajs, (defender, challenger), start),
                "Each leadership's belief that the other is limited (wants no war), mean over "
                "the runs not yet at war.",
                "Line charts of both sides' beliefs over time, one line per policy",
            ),
        ),
        section(
            "events",
            "Red lines and misperceptions",
            figure(
                figures.events_figure(trajs, defender, start),
                f"Cumulative {defender} red-line firings and misperceptions per run, "
                f"{traj_runs} runs per policy.",
                "Line charts of cumulative red-line firings and misperceptions per run",
            ),
        ),
        section(
            "wars",
            "Kinds of war",
            table(
                [
                    "policy",
                    "P(war) [95% CI]",
                    "spiral",
                    "deterrence failure",
                    "inadvertent",
                    "median day of war",
                ],
                _war_kind_rows(c),
                "Shares of all runs. Spiral (the challenger was limited) and deterrence failure "
                "(it was aggressive) add up to P(war); inadvertent (the first lethal event was "
                "ordered by no one) overlaps both.",
            ),
            figure(
                figures.war_kinds_figure(c.summaries, c.mark),
                "War split by kind; the hatched bar is the inadvertent share, which overlaps both.",
                "Stacked bar chart of war kinds per policy",
            ),
        ),
        _fronts_section(c, fronts, front_days),
        *([_claims_section(c.claims)] if c.claims is not None else []),
        section("stories", "One run of each outcome, narrated", _stories(c)),
        section("about", "What the numbers rest on", bullets(_notes(c, traj_runs))),
        _footer(),
    ]
    return document(title, "\n".join(body))


def _fronts_section(c: Comparison, fronts: Mapping[str, Mapping[str, Any]], days: set[int]) -> str:
    if not _has_fronts(c):
        return section("fronts", "Strategic fronts", para("This scenario has no strategic fronts."))
    horizon = " / ".join(str(d) for d in sorted(days))
    nothing = all(
        s["flags"][k] == 0 and s["metrics"].get("maritime_incidents_mean", 0.0) == 0
        for s in fronts.values()
        for k in ("host_expulsion", "follow_on_withdrawal", "breakout_crisis")
    )
    chart = (
        para(f"No front event and no maritime incident happened in any run over {horizon} days.")
        if nothing
        else figure(
            figures.fronts_figure(fronts, c.mark),
            "Probabilities of the front events with 95% intervals, and maritime incidents.",
            "Bar charts of strategic front events and maritime incidents per policy",
        )
    )
    return section(
        "fronts",
        "Strategic fronts",
        table(
            [
                "policy",
                "P(host expulsion) [95% CI]",
                "P(follow-on withdrawal) [95% CI]",
                "P(breakout crisis) [95% CI]",
                "maritime incidents per run",
                "median day: expulsion",
                "median day: breakout",
                "P(war)",
            ],
            _front_rows(c),
            f"Over {horizon} days, {_runs_of(fronts)} runs per policy. Follow-on withdrawal: from "
            "the neighbouring theatre; median days among the runs where the event happens.",
        ),
        chart,
    )


CLAIMS_TITLE = "The analysis's claims"


def _delta(effect: Mapping[str, Any]) -> str:
    """A paired difference with its 95% interval (the difference itself when every pair
    differed alike and the interval is undefined)."""
    lo, hi = effect["ci"] or (effect["diff"], effect["diff"])
    return f"{effect['diff']:+.3f} [{lo:+.3f}, {hi:+.3f}]"


def _setting(overrides: Mapping[str, Any]) -> str:
    if not overrides:
        return "the scenario as it is"
    value = lambda v: str(v).lower() if isinstance(v, bool) else str(v)  # noqa: E731
    return ", ".join(f"{k}={value(v)}" for k, v in overrides.items())


def _claim_rows(found: Mapping[str, Any]) -> list[list[str]]:
    rows = []
    for claim in found["claims"]:
        says = f"{claim['claim']} ({claim['source']})"
        if not claim["measured"]:
            rows.append([claim["id"], says, "—", "—", "—", "—", f"not measured: {claim['reason']}"])
            continue
        e = claim["effects"]
        rows.append(
            [
                claim["id"],
                says,
                _delta(e["war"]),
                _delta(e["stable_deescalation"]),
                _pretty(claim["measure"]),
                _delta(e[claim["measure"]]),
                claim["verdict"],
            ]
        )
    return rows


def _claims_section(found: Mapping[str, Any]) -> str:
    """Each claim of the analysis as a paired contrast on the scenario, whichever way it falls."""
    contrasts = [
        f"{c['id']}: {_setting(c['base'])} → {_setting(c['alternative'])}"
        for c in found["claims"]
        if c["measured"]
    ]
    return section(
        "claims",
        CLAIMS_TITLE,
        para(
            "Each claim of the analysis (MODEL.md §0 and §12) held against this scenario as a "
            "paired contrast: the scenario under a base setting and under an alternative that "
            "changes only what the claim is about, over the same runs and seed (common random "
            "numbers). The verdict reads the paired intervals against the signs the claim "
            "expects, and is reported whichever way it falls.",
            "note",
        ),
        table(
            [
                "claim",
                "what it says",
                "Δ P(war) [95% CI]",
                "Δ P(stable deescalation) [95% CI]",
                "own measure",
                "Δ own measure [95% CI]",
                "verdict",
            ],
            _claim_rows(found),
            f"{found['runs']:,} runs per setting, {found['days']} days, seed {found['seed']}. "
            "Δ: alternative minus base over the same runs, with its paired 95% interval; the own "
            "measure is the mean of a per-run column (a share for a yes-or-no column). As "
            "claimed: every expected sign is met by an interval that excludes 0; against the "
            "claim: an interval excludes 0 on the other side; otherwise no clear effect.",
            text=(1, 4, 6),
        ),
        para("The contrasts, base → alternative:"),
        bullets(contrasts),
    )


def _one_ensemble(c: Comparison) -> bool:
    """Whether every section rests on the same simulated runs."""
    return not c.fronts and all(
        c.summaries[n]["runs"] == c.trajectories[n].runs for n in c.summaries
    )


def _notes(c: Comparison, traj_runs: str) -> list[str]:
    if _one_ensemble(c):
        but = " but the analysis's claims" if c.claims is not None else ""
        runs = f"Every section{but} rests on the same {traj_runs} runs per policy."
    else:
        runs = (
            f"Outcome probabilities, the test of intent and perception and the kinds of war rest "
            f"on {_runs_of(c.summaries)} runs per policy; the daily charts and the narrated runs "
            f"on a separate ensemble of {traj_runs} runs per policy with the same seed (run k is "
            "the same run in both when the horizons agree); the strategic fronts on "
            f"{_runs_of(c.front_summaries)} runs per policy."
        )
    if c.claims is not None:
        runs += (
            f" The analysis's claims rest on simulations of their own: {c.claims['runs']:,} runs "
            f"per setting over {c.claims['days']} days, two settings per claim measured, with "
            f"seed {c.claims['seed']}; their intervals are paired t intervals on the per-run "
            "differences."
        )
    notes = [
        f"Seed {c.seed}: the same scenario, overrides, runs and seed give the same numbers on "
        "any machine.",
        runs,
        f"The narrated runs are the first run of each outcome class under {c.story_policy}.",
        "Intervals are 95% Wilson intervals for a proportion.",
    ]
    return notes + c.notes


# --- replay ----------------------------------------------------------------------------------


def replay_page(data: Mapping[str, Any]) -> str:
    """A replay JSON: the figure, the days with events, and what could not be replayed."""
    title = f"Replay of {data['timeline']} on {data['scenario']}"
    days = data["days"]
    sides = list(days[0]["sides"]) if days else []
    headers = ["date", "events", "Goldstein", "Rivera"]
    for side in sides:
        headers += [f"{side} perceived rung", f"{side} belief", f"{side} red line fired"]
    rows = []
    for day in days:
        if not day["events"]:
            continue
        row = [day["date"], day["events"], f"{day['goldstein']:.1f}", f"{day['rivera']:.0f}"]
        for side in sides:
            v = day["sides"][side]
            row += [
                f"{v['perceived_rung']:.1f}",
                f"{v['belief']:.2f}",
                f"{v['red_line_fired']:.2f}",
            ]
        rows.append(row)
    missing = data["not_replayed"]
    body = [
        f"<h1>{esc(title)}</h1>",
        meta(
            [
                ("timeline", f"{data['timeline']} — {data['start']} to {data['end']}"),
                ("scenario", data["scenario"]),
                ("runs", data["runs"]),
                ("seed", data["seed"]),
                ("date", dt.date.today().isoformat()),
            ]
        ),
        para(
            "Each observed act is injected on its day, the same in every run; each side perceives "
            "it, attributes it, updates its belief and checks its red lines. No decision is "
            "simulated. Values are means over the runs.",
            "note",
        ),
        section(
            "figure",
            "Day by day",
            figure(
                replay_figure(data),
                "Observed Goldstein and Rivera scores per day; the highest rung each side "
                "perceived; each side's belief that the other leadership is limited.",
                "Replay figure: event scores, perceived rungs and beliefs by date",
            ),
        ),
        section(
            "days",
            "Days with events",
            table(
                headers,
                rows,
                "Perceived rung and belief: means over runs; red line fired: share of runs in "
                "which that side's red line has fired by that day.",
            ),
        ),
        section(
            "not-replayed",
            f"Not replayed ({len(missing)})",
            bullets(missing) if missing else para("Every record took part."),
        ),
        _footer(),
    ]
    return document(title, "\n".join(body))


# --- fork ------------------------------------------------------------------------------------


def _flat_bands_note(series: Mapping[str, Any]) -> str:
    """Say why the bands cannot be seen when most simulated days have no event at all."""
    flat = [a == b == 0 for a, b in zip(series["q05"], series["q95"], strict=True)]
    if not flat or sum(flat) < len(flat) / 2:
        return ""
    return (
        f" On {sum(flat)} of {len(flat)} days even the 5–95% band is 0: in more than 90% of "
        "runs nothing happens on any one day, so the bands lie on the zero line."
    )


def fork_page(data: Mapping[str, Any]) -> str:
    """A fork JSON: outcomes, calibration against the timeline, and the fan chart."""
    f, cal = data["fork"], data["calibration"]
    title = f"Fork of {f['timeline']} on {f['at']}"
    n = data["runs"]
    kinds = data["war_kinds"]
    outcome_rows = [[_pretty(o), _p(data["outcomes"][o])] for o in OUTCOMES]
    outcome_rows += [[f"war kind: {_pretty(k)}", f"{v:.3f}"] for k, v in kinds.items()]
    cal_rows = [
        [
            e["description"],
            _p({"p": e["forecast"], "ci": e["ci"]}),
            _yes_no(e["observed"]),
            _score(e["brier"]),
            _score(e["log_score"]),
        ]
        for e in cal["events"].values()
    ]
    body = [
        f"<h1>{esc(title)}</h1>",
        meta(
            [
                ("timeline", f["timeline"]),
                ("fork date", f["at"]),
                ("scenario", f"{data['scenario']}, {data['days']} days after the fork"),
                ("overrides", _overrides(data["overrides"])),
                ("runs", f"{n:,}"),
                ("seed", data["seed"]),
                ("date", dt.date.today().isoformat()),
            ]
        ),
        para(
            "The timeline is replayed up to the fork date; from then on the scenario's doctrines "
            "decide. The calibration compares the forecast with what the timeline shows.",
            "note",
        ),
        section(
            "outcomes",
            "Outcomes",
            table(
                ["outcome", "P [95% CI]"],
                outcome_rows,
                f"{n:,} runs. War kinds are shares of all runs: spiral and deterrence failure "
                "add up to P(war); inadvertent overlaps them.",
            ),
        ),
        section(
            "calibration",
            "Calibration",
            table(
                ["event", "forecast [95% CI]", "observed", "Brier", "log score"],
                cal_rows,
                f"Events within {cal['window_days']} days after {f['at']}: the days the timeline "
                f"covers ({cal['timeline_covers_days']}), at most "
                f"{cal.get('requested_window_days') or cal['window_days']}. Mean Brier "
                f"{_score(cal['mean_brier'])}, mean log score {_score(cal['mean_log_score'])}; "
                "lower is better for both.",
            ),
        ),
        section(
            "fan",
            "Simulated and observed Goldstein scores",
            figure(
                fork_figure(data),
                "Daily Goldstein sum: simulated median with 25–75% and 5–95% bands (runs not yet "
                "at war), the observed line, and the share of runs at war (dashed, right axis)."
                + _flat_bands_note(data["goldstein_series"]),
                "Fan chart of the simulated daily Goldstein sum with the observed line",
            ),
        ),
        _footer(),
    ]
    return document(title, "\n".join(body))


def _score(value: float | None) -> str:
    """A score, or a dash where the timeline covers nothing to score."""
    return "—" if value is None else f"{value:.3f}"


def _yes_no(value: bool | None) -> str:
    return "—" if value is None else ("yes" if value else "no")
