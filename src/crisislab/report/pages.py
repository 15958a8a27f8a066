"""The three report pages: a doctrine comparison, a replay, a fork.

Each turns its data into HTML with the primitives of `crisislab.report.html`, saying on the page
what every number rests on (runs, seed, horizon), since a report travels without its command.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from crisislab.engine.constants import (
    SERIOUS_BATTLE_DEATHS,
    SERIOUS_STRIKES,
    WAR_BATTLE_DEATHS,
    WAR_CAMPAIGN_DAYS,
)
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
    posterior_meta,
    section,
    table,
)
from crisislab.report.plots import fork_figure, replay_figure
from crisislab.report.trajectories import WINDOW_DAYS
from crisislab.results.result import VIOLENCE_LEVELS
from crisislab.scenario.outcomes import OUTCOMES
from crisislab.scenario.schema import Scenario
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


def _paired_table(
    c: Comparison, summaries: Mapping[str, Mapping[str, Any]], measures: list[tuple[str, str]]
) -> str:
    """Each policy after the first against the first, over the same runs: the paired difference
    of each measure with its paired 95% interval (empty when no policy carries one)."""
    names = list(summaries)
    if len(names) < 2:
        return ""
    rows, found, missing = [], False, False
    for name in names[1:]:
        paired = summaries[name].get("paired") or {}
        cells = []
        for key, _ in measures:
            if key in paired:
                cells.append(_paired_cell(paired[key]))
                found = True
            else:
                cells.append("—")
                missing = True
        rows.append([_label(c, name), *cells])
    if not found:
        return ""
    first = names[0]
    return table(
        ["policy", *(f"Δ {header} [95% CI]" for _, header in measures)],
        rows,
        f"Paired differences against {first}: each policy minus {first} over the same "
        f"{_runs_of(summaries)} runs and seed — run k is the same world under every policy "
        "(common random numbers), so the difference is read run by run — with its paired 95% t "
        "interval." + (" —: not computed for this ensemble." if missing else ""),
        cls="paired",
    )


def _paired_cell(effect: Mapping[str, Any]) -> str:
    """A paired difference and its interval, which may go to a second line but not be split."""
    lo, hi = effect["ci"] or (effect["diff"], effect["diff"])
    return f"{effect['diff']:+.3f} [{lo:+.3f},\u00a0{hi:+.3f}]"


OUTCOME_DELTAS = [(o, f"P({_pretty(o)})") for o in OUTCOMES]
TEST_DELTAS = [
    ("intended", "intended"),
    ("perceived", "perceived"),
    ("both", "both"),
    ("red_line_fired", "red line fired"),
    ("misperceptions_mean", "misperceptions per run"),
]
VIOLENCE_DELTAS = [(level, figures.LEVELS[level]) for level in VIOLENCE_LEVELS]
ENDING_DELTAS = [
    ("ended", "ended"),
    ("ended_within_90_days", "first ended within 90 days"),
    ("tacit", "tacit"),
    ("agreement", "agreement"),
    ("imposed", "imposed"),
    ("recurred", "recurred"),
    ("recurrences_mean", "recurrences per run"),
]
WAR_KIND_DELTAS = [
    ("war", "P(war)"),
    ("spiral", "spiral"),
    ("deterrence_failure", "deterrence failure"),
    ("inadvertent", "inadvertent"),
]
FRONT_DELTAS = [
    ("host_expulsion", "P(host expulsion)"),
    ("follow_on_withdrawal", "P(follow-on withdrawal)"),
    ("breakout_crisis", "P(breakout crisis)"),
]


def _violence_rows(c: Comparison) -> list[list[str]]:
    return [
        [_label(c, n), *(f"{s['violence'][level]:.3f}" for level in VIOLENCE_LEVELS)]
        for n, s in c.summaries.items()
    ]


def _ending_rows(c: Comparison) -> list[list[str]]:
    rows = []
    for n, s in c.summaries.items():
        t = s["termination"]
        rows.append(
            [
                _label(c, n),
                f"{t['ended']:.3f}",
                _day(t["end_day_median"]),
                f"{t['ended_within_90_days']:.3f}",
                *(f"{t[k]:.3f}" for k in ("tacit", "agreement", "imposed", "recurred")),
                f"{t['recurrences_mean']:.2f}",
            ]
        )
    return rows


def _violence_note(s: Scenario) -> str:
    o = s.outcomes
    return (
        "Each run is read as the International Crisis Behavior (ICB) project codes a crisis, and "
        "keeps the highest violence level it reached: minor clashes — any act of violence "
        "(rung 7 or above, proxies' attacks included); serious clashes — at least "
        f"{SERIOUS_STRIKES} direct strikes between the states (rung {o.war_rung} or above), "
        f"each within {o.war_exchange_window_days} days of the last, with deaths on both sides, "
        f"or at least {SERIOUS_BATTLE_DEATHS} battle deaths; full-scale war — "
        f"{WAR_BATTLE_DEATHS:,} battle deaths (the Correlates of War threshold), a declared "
        f"war held {o.declared_war_days} days, or a campaign of direct strikes lasting "
        f"{WAR_CAMPAIGN_DAYS} days. Deaths among proxies do not make a war between states."
    )


def _ending_note(s: Scenario) -> str:
    return (
        "A crisis ends, as ICB codes it, when each side's forecast of the hostile acts it will "
        "face has stayed near its pre-crisis level for "
        f"{s.outcomes.end_quiet_days} days in a row; it ends by agreement when both sides used "
        "the channel, imposed when a war ended in a ceasefire, and tacitly otherwise. An ended "
        "crisis recurs when a forecast climbs back over the crisis threshold. Stable "
        "de-escalation is a crisis that ended without war and never recurred. A war ends in a "
        "ceasefire, with the same chance every day (a median of "
        f"{s.outcomes.war_end_median_days:.0f} days)."
    )


def _ending_section(c: Comparison, start: str, traj_runs: str) -> str:
    s = c.scenario
    trajs = c.trajectories
    return section(
        "ending",
        ENDING_TITLE,
        para(_violence_note(s), "note"),
        table(
            ["policy", *(h for _, h in VIOLENCE_DELTAS)],
            _violence_rows(c),
            f"Shares of runs by the highest ICB violence level reached by the horizon (day "
            f"{s.days}); each row adds up to 1. {_runs_of(c.summaries)} runs per policy.",
        ),
        _paired_table(c, c.summaries, VIOLENCE_DELTAS),
        figure(
            figures.violence_figure(c.summaries, c.mark),
            "Highest violence level per policy: shares of runs, from no violence to full-scale "
            "war.",
            "Stacked bar chart of the highest ICB violence level reached, one bar per policy",
        ),
        para(_ending_note(s), "note"),
        table(
            [
                "policy",
                "crisis ended by the horizon",
                "median days of the first crisis",
                "first crisis ended within 90 days",
                "ended tacitly",
                "ended by agreement",
                "ended imposed (ceasefire)",
                "recurred",
                "recurrences per run",
            ],
            _ending_rows(c),
            "Shares of runs, except the median (days from the start to the end of the first "
            "crisis, among runs whose first crisis ended) and recurrences (mean per run). "
            "Tacit, agreement and imposed split 'crisis ended' by how the last crisis of the run "
            "ended; recurred: a new crisis began after an end.",
        ),
        _paired_table(c, c.summaries, ENDING_DELTAS),
        figure(
            figures.first_crisis_figure(trajs, start),
            f"How the first crisis ends, day by day ({traj_runs} runs per policy): the share of "
            "runs whose first crisis had ended short of war (green) and of runs that reached "
            "full-scale war while it was still on (vermillion), two competing risks; the rest "
            "were still in crisis. A run still in crisis at the horizon is counted in neither. "
            "Dotted: the median length of the first crises that ended.",
            "Stacked area charts of the cumulative shares of runs whose first crisis ended or "
            "went to war, by day, one panel per policy",
        ),
    )


ENDING_TITLE = "How violent, how they end"


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
    """The doctrine comparison: outcomes, violence and termination, escalation, beliefs,
    events, wars, fronts, claims, stories; each policy after the first also against the first."""
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
        ("ending", ENDING_TITLE),
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
                *posterior_meta(next(iter(c.summaries.values()), {}).get("parameters")),
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
                f"Wilson intervals; {_runs_of(c.summaries)} runs per policy. War: full-scale war "
                "(ICB's highest violence level) was reached; stable de-escalation: no war, and the "
                "crisis ended by the horizon and never recurred; frozen conflict: everything else."
                f"{star}",
            ),
            _paired_table(c, c.summaries, OUTCOME_DELTAS),
            figure(
                figures.outcomes_figure(c.summaries, c.mark),
                "Outcome probabilities: one bar per policy, error bars are 95% intervals.",
                "Bar chart of outcome probabilities per policy with 95% intervals",
            ),
            figure(
                figures.at_war_figure(trajs, start),
                f"Cumulative share of runs that have reached full-scale war, by day ({traj_runs} "
                "runs per policy).",
                "Line chart of the share of runs that reached war by day, one line per policy",
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
                "is limited (its resolve was below ½ on the first day) and ordered no "
                f"escalation; perceived — {defender} ends believing it (belief ≥ 0.5) and its "
                "red line never fired; both — the two hold together.",
            ),
            _paired_table(c, c.summaries, TEST_DELTAS),
        ),
        _ending_section(c, start, traj_runs),
        section(
            "escalation",
            "Escalation over time",
            para(
                "A run that reaches full-scale war has war as its outcome, whatever follows, and "
                "takes no act until a ceasefire: from the day after it reaches war it leaves the "
                "bands, which describe the runs that have not reached war (see the share that "
                "reached war above). The highest rung of a single day is 0 on most days, so the "
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
                "Each leadership's belief that the other is limited — that its resolve is below "
                "½, so that it would rather concede than fight a full-scale war — mean over the "
                "runs that have not reached war.",
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
                "Shares of all runs. Spiral (the challenger's resolve was below ½ on the first "
                "day: it was drawn in) and deterrence failure (its resolve was above ½) add up to "
                "P(war); inadvertent (the lethal episode under way when war began started with an "
                "act no leadership ordered) overlaps both.",
            ),
            _paired_table(c, c.summaries, WAR_KIND_DELTAS),
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
        _paired_table(c, fronts, FRONT_DELTAS),
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
            f"Outcome probabilities, the test of intent and perception, violence levels, "
            f"termination and the kinds of war rest on {_runs_of(c.summaries)} runs per policy; "
            f"the daily charts (with how the first crisis ends, day by day) and the narrated runs "
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
        "Intervals are 95% Wilson intervals for a proportion"
        + (
            f"; the paired differences against {c.policies[0]} carry paired 95% t intervals on "
            "the per-run differences, narrower than intervals that ignore the pairing when the "
            "policies' runs move together."
            if len(c.policies) > 1
            else "."
        ),
        "The model is crisislab's version 2 (docs/model.md): leaderships choose by a quantal "
        "response from what they perceive, crises end and recur, and war is ICB's full-scale "
        "war.",
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


def _conditioning_section(cal: Mapping[str, Any]) -> list[str]:
    """How the replay conditioned the hidden state on the record (docs/model.md §6.7)."""
    c = cal.get("conditioning")
    if not c:
        return []
    rows = [
        [
            actor,
            f"{h['prior_limited']:.3f}",
            f"{h['posterior_limited']:.3f}",
            f"{h['posterior_resolve_mean']:.3f}",
        ]
        for actor, h in c["hidden"].items()
    ]
    caption = (
        f"{c['particles']:,} particles weighed by the record's armed-group acts and quiet days; "
        f"the smallest effective sample size a block met was {c['ess_min_share']:.0%} of it "
        f"(mean over blocks), with {c['resamplings_mean']:.1f} resamplings a block."
    )
    return [
        section(
            "conditioning",
            "Hidden state conditioned on the record",
            table(
                ["leadership", "P(limited): prior", "posterior", "mean drawn resolve"],
                rows,
                caption,
            ),
        )
    ]


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
                *posterior_meta(data.get("posterior") or data.get("parameters")),
                ("date", dt.date.today().isoformat()),
            ]
        ),
        para(
            "The timeline is replayed up to the fork date, each run weighed by the record and "
            "resampled; from then on the scenario's decisions take over. The calibration "
            "compares the forecast with what the timeline shows.",
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
                "lower is better for both."
                + (
                    f" The whole history that followed (each event as it went) had probability "
                    f"{_p({'p': cal['joint']['forecast'], 'ci': cal['joint']['ci']})}."
                    if cal.get("joint")
                    else ""
                ),
            ),
        ),
        *_conditioning_section(cal),
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
