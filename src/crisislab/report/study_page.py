"""The report page of a study directory: outcomes, spread over futures, robustness, sensitivity
and scenario discovery, from `StudyResults.analyze()` and the points table.

A study report travels without its directory, so the page says what the numbers rest on (design
size, sampler, seed, runs done) and how to ask the stored runs anything else.
"""

from __future__ import annotations

import datetime as dt
import shlex
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from crisislab.analysis import completed, per_future
from crisislab.report import study_figures as sf
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
)
from crisislab.report.html import table as html_table
from crisislab.report.pages import _footer
from crisislab.scenario.outcomes import OUTCOMES

if TYPE_CHECKING:
    from crisislab.experiments import StudyResults
    from crisislab.experiments.spec import StudySpec

Entry = Mapping[str, Any]
MAX_BOX_FIGURES = 3  # per outcome: more boxes than this and only the best-covering one is drawn
SAMPLERS = {
    "lhs": "Latin hypercube",
    "sobol": "scrambled Sobol' sequence",
    "saltelli": "Saltelli (for Sobol' indices)",
    "morris": "Morris trajectories",
}
SECTIONS = (
    ("design", "The study"),
    ("outcomes", "Outcomes by policy"),
    ("spread", "Across the futures"),
    ("robustness", "Robustness"),
    ("sensitivity", "Sensitivity"),
    ("discovery", "Scenario discovery"),
    ("notes", "Warnings and further questions"),
)


def _pretty(name: str) -> str:
    return name.replace("_", " ")


def _p(entry: Entry | None) -> str:
    if not entry or entry.get("p") is None:
        return "—"
    lo, hi = entry["ci"]
    return f"{entry['p']:.3f} [{lo:.3f}, {hi:.3f}]"


def _num(value: float | None, digits: int = 3) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


def _star(name: str, mark: str | None) -> str:
    return f"{name} ★" if mark and name == mark else name


def text_table(
    headers: Sequence[str], rows: Iterable[Sequence[object]], caption: str, text: Sequence[int]
) -> str:
    """Like `html.table`, but the columns ``text`` hold words: left-aligned and wrapping, where
    number cells would run off the page."""
    head = "".join(f'<th scope="col">{esc(h)}</th>' for h in headers)

    def cell(i: int, value: object) -> str:
        if i == 0:
            return f'<th scope="row">{esc(value)}</th>'
        return f"<td>{esc(value)}</td>" if i in text else f'<td class="num">{esc(value)}</td>'

    body = "".join(
        "<tr>" + "".join(cell(i, c) for i, c in enumerate(row)) + "</tr>\n" for row in rows
    )
    return (
        f"<table><caption>{esc(caption)}</caption><thead><tr>{head}</tr></thead><tbody>\n"
        f"{body}</tbody></table>"
    )


# --- what the study is -----------------------------------------------------------------------


def spans(spec: StudySpec) -> dict[str, Any]:
    """Each uncertainty's sampled range in its own units, or its list of categories."""
    out: dict[str, Any] = {}
    for path, u in spec.uncertainties.items():
        if u.distribution == "categorical":
            out[path] = list(u.values or [])
        elif u.low is not None and u.high is not None:
            out[path] = (float(u.low), float(u.high))
        else:  # a normal without bounds is truncated to ±3 sd (the spec requires mean and sd)
            mean, sd = float(u.mean or 0.0), float(u.sd or 0.0)
            out[path] = (mean - 3 * sd, mean + 3 * sd)
    return out


def _distribution(u: Any) -> str:
    if u.distribution == "categorical":
        return "one of " + ", ".join(str(v) for v in u.values)
    if u.distribution == "normal":
        bounds = f", within [{u.low}, {u.high}]" if u.low is not None else ""
        return f"normal, mean {u.mean}, sd {u.sd}{bounds}"
    if u.distribution == "triangular":
        return f"triangular from {u.low} to {u.high}, most likely {u.mode}"
    return f"{u.distribution} from {u.low} to {u.high}"


def _header(results: StudyResults, analysis: Entry, directory: str) -> list[str]:
    spec, m = results.spec, results.manifest
    size = (
        f"{m['policies']:,} policies × {m['samples']:,} futures × {m['runs_per_point']:,} runs "
        f"per point = {m['total_runs']:,} runs"
    )
    failed = analysis["failed_chunks"]
    parts = [
        f"<h1>{esc(f'Study {spec.name}')}</h1>",
        para(spec.description.strip()) if spec.description.strip() else "",
        meta(
            [
                ("scenario", f"{spec.scenario}, {_days(results)} days"),
                ("design", size),
                ("sampler", f"{spec.sampler} ({SAMPLERS.get(spec.sampler, spec.sampler)})"),
                ("seed", spec.seed),
                *posterior_meta(results.posterior),
                ("runs done", f"{analysis['runs']:,} of {analysis['total_runs']:,}"),
                ("failed chunks", failed),
                ("directory", directory),
                ("date", dt.date.today().isoformat()),
            ]
        ),
    ]
    if failed:
        parts.append(
            para(
                f"Warning: {failed} chunk(s) failed, so some design points have fewer runs or "
                "none; the numbers below use the runs that finished. Run the study again to "
                "retry them (`crisislab study run`).",
                "note",
            )
        )
    elif analysis["runs"] < analysis["total_runs"]:
        parts.append(
            para(
                "Warning: the study is not finished; the numbers below use the runs done so far.",
                "note",
            )
        )
    return parts


def _days(results: StudyResults) -> int:
    return results.spec.days or int(results.scenario.days)


def design_section(results: StudyResults) -> str:
    spec = results.spec
    levers = [[path, ", ".join(str(v) for v in values)] for path, values in spec.levers.items()]
    info = results.design_info()
    unc = [[info.label(path), path, _distribution(u)] for path, u in spec.uncertainties.items()]
    consts = [[path, str(v)] for path, v in spec.constants.items()]
    return section(
        "design",
        "The study",
        text_table(
            ["lever", "values"], levers, "Every combination of lever values is a policy.", [1]
        )
        if levers
        else para("The study has no levers: one policy."),
        text_table(
            ["uncertainty", "path", "distribution"],
            unc,
            "Each future sets every uncertainty; the sampler spreads the futures over them.",
            [1, 2],
        )
        if unc
        else para("The study has no uncertainties: one future."),
        text_table(["constant", "value"], consts, "Set in every design point.", [1])
        if consts
        else "",
    )


# --- outcomes --------------------------------------------------------------------------------


def outcomes_section(analysis: Entry) -> str:
    policies = analysis["policies"]
    classes = [o for o in OUTCOMES if policies and o in policies[0]["outcomes"]]
    rows = []
    for p in policies:
        war = p["outcomes"].get("war", {}).get("across_futures") or {}
        rows.append(
            [
                p["policy"],
                p["futures"],
                f"{p['runs']:,}",
                *(_p(p["outcomes"][o]) for o in classes),
                f"{_num(war.get('min'))} / {_num(war.get('median'))} / {_num(war.get('max'))}",
            ]
        )
    return section(
        "outcomes",
        "Outcomes by policy",
        html_table(
            [
                "policy",
                "futures",
                "runs",
                *(f"P({_pretty(o)}) [95% CI]" for o in classes),
                "P(war) over futures: min / median / max",
            ],
            rows,
            "Share of all runs of each policy in each outcome class at the horizon, pooled over "
            "its futures, with 95% Wilson intervals. The last column shows how much P(war) "
            "depends on the future.",
        ),
        figure(
            sf.outcomes_figure(policies),
            "Outcome probabilities per policy, pooled over the futures; error bars are 95% "
            "Wilson intervals.",
            "Horizontal bar chart of the probability of each outcome class per policy with 95% "
            "intervals",
        )
        if policies
        else para("No policy has finished runs yet."),
    )


# --- spread over futures ---------------------------------------------------------------------


def spread_section(points: pd.DataFrame, analysis: Entry) -> str:
    if "p_war" not in points.columns:
        return section("spread", "Across the futures", para("The study records no P(war)."))
    table = per_future(points, "p_war")
    values = {str(p): table.loc[p].dropna().to_numpy() for p in table.index}
    values = {p: v for p, v in values.items() if len(v)}
    if not values:
        return section("spread", "Across the futures", para("No future has finished runs yet."))
    pooled = {
        p["policy"]: p["outcomes"]["war"]["p"] or 0.0
        for p in analysis["policies"]
        if "war" in p["outcomes"]
    }
    robust = analysis["robustness"]
    threshold = robust["threshold"] if robust["outcome"] == "war" else None
    return section(
        "spread",
        "Across the futures",
        para(
            "The pooled probability hides how much the outcome depends on which future comes "
            "true. Each point below is one future (a design point): the share of its runs that "
            "ended in war."
        ),
        figure(
            sf.spread_figure(values, "war", pooled, threshold),
            "P(war) in each sampled future, per policy: points are futures, the box spans the "
            "middle half of them, the diamond is the pooled probability"
            + (", the dashed line the robustness threshold." if threshold is not None else "."),
            "Strip and box plot of P(war) across the sampled futures, one row per policy",
        ),
    )


# --- robustness ------------------------------------------------------------------------------


def robustness_section(robust: Entry) -> str:
    mark = robust.get("minimax_regret")
    rows = [
        [
            _star(e["policy"], mark),
            f"{e['meeting']} of {e['futures']}",
            _p({"p": e["share"], "ci": e["ci"]}),
            _num(e["max_regret"]),
            _num(e["mean_regret"]),
            e["worst_future"]["described"] if e.get("worst_future") else "never beaten",
        ]
        for e in robust["policies"]
    ]
    name = _pretty(robust["outcome"])
    verdict = (
        f"Minimax regret: {mark} — its worst shortfall against the best policy of any future is "
        "the smallest."
        if mark
        else "No minimax-regret policy: no future was completed by every policy."
    )
    parts = [
        para(
            f"Criterion: {robust['criterion']} in a future. Regret is, in each future, how much "
            f"higher a policy's P({name}) is than the best policy's there (computed over "
            f"{robust['regret_futures']} futures every policy completed)."
        ),
        text_table(
            [
                "policy",
                "futures meeting the criterion",
                "share [95% CI]",
                "max regret",
                "mean regret",
                "future of the largest regret",
            ],
            rows,
            "Share of futures with a 95% Wilson interval (the futures treated as a sample); "
            "regret in probability points (0.10 = 10 points). ★ minimax-regret policy.",
            [5],
        ),
        para(verdict, "note"),
    ]
    if robust["policies"]:
        parts.append(
            figure(
                sf.robustness_figure(robust),
                f"Left: share of futures where {robust['criterion']}, with 95% intervals. "
                "Right: worst and mean regret over the futures.",
                "Bar charts of the share of futures meeting the criterion and of the regret, "
                "per policy",
            )
        )
    return section("robustness", "Robustness", *parts)


# --- sensitivity -----------------------------------------------------------------------------


def _index_cell(index: Entry, method: str) -> str:
    def pm(key: str) -> str:
        return f"{_num(index.get(key))} ± {_num(index.get(key + '_conf'))}"

    if method == "sobol":
        return f"S1 {pm('S1')}; ST {pm('ST')}"
    if method == "morris":
        return f"μ* {pm('mu_star')}; σ {_num(index.get('sigma'))}"
    return pm("S1")


def sensitivity_section(sens: Entry, labels: Mapping[str, str]) -> str:
    method = sens["method"]
    with_indices = [e for e in sens["policies"] if e.get("indices")]
    parts = [para(sens["about"], "note")]
    if with_indices:
        order = sf.sensitivity_order(sens)
        by_policy = {e["policy"]: {i["name"]: i for i in e["indices"]} for e in with_indices}
        rows = [
            [labels.get(n, n), *(_index_cell(by_policy[p][n], method) for p in by_policy)]
            for n in order
        ]
        if method == "rbd_fast":
            rows.append(
                ["unexplained (1 − ΣS1)", *(_num(e.get("unexplained")) for e in with_indices)]
            )
        parts.append(
            html_table(
                ["uncertainty", *by_policy],
                rows,
                f"Sensitivity of P({_pretty(sens['outcome'])}) across futures, per policy "
                "(value ± half-width of the 95% confidence interval), largest first.",
            )
        )
        fig = sf.sensitivity_figure(sens, labels)
        if fig is not None:
            parts.append(
                figure(
                    fig,
                    "Sensitivity indices per policy with 95% confidence intervals; an interval "
                    "that crosses zero means the sample cannot tell the effect from none.",
                    "Horizontal bar charts of sensitivity indices per uncertainty, one panel per "
                    "policy",
                )
            )
        parts += _second_order(sens, labels)
    skipped = [f"{e['policy']}: {e['message']}" for e in sens["policies"] if e.get("message")]
    if skipped:
        parts.append(bullets(skipped))
    if not sens["policies"]:
        parts.append(para("No sensitivity indices: see the warnings below."))
    return section("sensitivity", "Sensitivity", *parts)


def _second_order(sens: Entry, labels: Mapping[str, str]) -> list[str]:
    rows = [
        [
            e["policy"],
            f"{labels.get(s['a'], s['a'])} × {labels.get(s['b'], s['b'])}",
            f"{_num(s['S2'])} ± {_num(s['S2_conf'])}",
        ]
        for e in sens["policies"]
        for s in e.get("S2") or []
    ]
    if not rows:
        return []
    return [
        text_table(
            ["policy", "pair of uncertainties", "S2 ± 95% CI"],
            rows,
            "Second-order Sobol' indices: the variance due to the interaction of two "
            "uncertainties beyond their separate effects.",
            [1],
        )
    ]


# --- scenario discovery ----------------------------------------------------------------------


def _discovery_row(entry: Entry) -> list[str]:
    status = entry.get("status")
    k, n = entry.get("of_interest"), entry.get("points")
    counted = f"{k} of {n}" if n is not None else "—"
    if status in ("box", "everywhere"):
        text = entry["sentence"]
        return [
            entry["policy"],
            counted,
            text,
            f"{entry['coverage']:.0%}",
            f"{entry['density']:.0%}",
        ]
    return [entry["policy"], counted, entry.get("message", status or ""), "—", "—"]


def _drawn(found: Entry) -> list[Entry]:
    """The boxes worth a scatter: each one when there are few, else the best-covering one."""
    boxes = [e for e in found["policies"] if e.get("status") == "box" and e.get("restrictions")]
    if len(boxes) <= MAX_BOX_FIGURES:
        return boxes
    return [max(boxes, key=lambda e: (e["coverage"], e["density"]))]


def discovery_section(
    points: pd.DataFrame,
    analysis: Entry,
    spec: StudySpec,
    labels: Mapping[str, str],
) -> str:
    parts = [
        para(
            "PRIM searches the uncertainties for a box of futures in which the outcome is likely "
            "(above the threshold). Coverage: the share of all such futures that fall in the box; "
            "density: the share of futures in the box that are such futures."
        )
    ]
    ranges, logs = (
        spans(spec),
        {p for p, u in spec.uncertainties.items() if u.distribution == "loguniform"},
    )
    for outcome, found in analysis["discovery"].items():
        threshold = found["threshold"]
        title = f"P({_pretty(outcome)}) above {threshold:.0%}"
        parts.append(f"<h3>{esc(title)}</h3>")
        parts.append(
            text_table(
                ["policy", "futures above", "in plain words", "coverage", "density"],
                [_discovery_row(e) for e in found["policies"]],
                f"Futures of each policy where P({_pretty(outcome)}) > {threshold:.0%}, and the "
                "box that describes them.",
                [2],
            )
        )
        notes = [f"{e['policy']}: {n}" for e in found["policies"] for n in e.get("notes", [])]
        if notes:
            parts.append(bullets(notes))
        for entry in _drawn(found):
            parts.append(
                _box_figure(points, entry, outcome, threshold, analysis, ranges, logs, labels)
            )
    if not analysis["discovery"]:
        parts.append(para("No outcome was searched: see the warnings below."))
    return section("discovery", "Scenario discovery", *parts)


def _box_figure(
    points: pd.DataFrame,
    entry: Entry,
    outcome: str,
    threshold: float,
    analysis: Entry,
    ranges: Mapping[str, Any],
    logs: set[str],
    labels: Mapping[str, str],
) -> str:
    fallback = _ranking(analysis["sensitivity"], entry["policy"]) + list(ranges)
    dims = sf.box_axes(entry, ranges, logs, fallback)
    column = f"p_{outcome}"
    rows = completed(points[points["policy"] == entry["policy"]], column)
    if dims is None or rows.empty:
        return ""
    fig = sf.discovery_figure(rows, entry, outcome, threshold, dims, ranges, logs, labels)
    names = " and ".join(labels.get(d, d) for d in dims)
    hidden = [r["label"] for r in entry["restrictions"] if r["name"] not in dims]
    also = (
        f" The box also restricts {', '.join(hidden)}, which is not drawn: faded points lie "
        "outside the box in that dimension."
        if hidden
        else ""
    )
    return figure(
        fig,
        f"{entry['policy']}: each point is a future, in {names}; triangles are futures where "
        f"P({_pretty(outcome)}) > {threshold:.0%}. The dashed rectangle is the PRIM box: "
        f"{entry['sentence']}.{also}",
        f"Scatter plot of the futures of {entry['policy']} in {names}, with the PRIM box for "
        f"{_pretty(outcome)} drawn as a rectangle",
    )


def _ranking(sens: Entry, policy: str) -> list[str]:
    for entry in sens["policies"]:
        if entry["policy"] == policy:
            return list(entry.get("ranking") or [])
    return []


# --- notes -----------------------------------------------------------------------------------


def notes_section(analysis: Entry, directory: str, example: Sequence[str]) -> str:
    warnings = list(analysis["warnings"])
    if analysis["failed_chunks"]:
        warnings.insert(0, f"{analysis['failed_chunks']} chunk(s) failed; see the failures view")
    where = shlex.quote(directory)
    commands = [f"crisislab study query {where} {shlex.quote(q)}" for q in example]
    commands.append(f"crisislab study analyze {where} --json")
    return section(
        "notes",
        "Warnings and further questions",
        bullets(warnings) if warnings else para("The analysis raised no warning."),
        para(
            "Every run is kept in the study directory. Ask it anything with DuckDB SQL over the "
            "views design, runs, points and failures (column names with dots need double "
            "quotes), for example:"
        ),
        '<pre style="white-space: pre-wrap">' + esc("\n".join(commands)) + "</pre>",
    )


def _examples(spec: StudySpec) -> list[str]:
    queries = [
        "SELECT policy, avg(p_war) AS mean_p_war, min(p_war), max(p_war) FROM points "
        "GROUP BY policy",
    ]
    numeric = [p for p, u in spec.uncertainties.items() if u.distribution != "categorical"]
    if numeric:
        path = numeric[0]
        middle = np.mean(spans(spec)[path])
        queries.append(
            f'SELECT policy, avg(p_war) FROM points WHERE "{path}" < {middle:.3g} GROUP BY policy'
        )
    return queries


# --- the page --------------------------------------------------------------------------------


def study_page(results: StudyResults, directory: str) -> str:
    """The whole page for a study directory (the analysis uses the study's own defaults)."""
    analysis = results.analyze()
    points = results.points()
    spec = results.spec
    info = results.design_info()
    labels = {p: info.label(p) for p in [*spec.uncertainties, *spec.levers]}
    body = [
        *_header(results, analysis, directory),
        contents(SECTIONS),
        design_section(results),
        outcomes_section(analysis),
        spread_section(points, analysis),
        robustness_section(analysis["robustness"]),
        sensitivity_section(analysis["sensitivity"], labels),
        discovery_section(points, analysis, spec, labels),
        notes_section(analysis, directory, _examples(spec)),
        _footer(),
    ]
    return document(f"Study {spec.name}", "\n".join(part for part in body if part))
