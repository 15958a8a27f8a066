"""Calibration targets from the International Crisis Behavior data (MODEL.md §15).

    python benchmarks/icb_targets.py REFERENCE_DIR            # prints the YAML
    python benchmarks/icb_targets.py REFERENCE_DIR --write    # writes the package data

REFERENCE_DIR holds the ICB v15 files `icb1v15.csv` (crisis level) and `icb2v15.csv` (actor
level). The package never reads them at run time: the targets go to
src/crisislab/calibration/data/icb_targets.yaml, each with its value, n, a 95% interval, the ICB
variables and filter it was computed from, so that every figure can be checked against the data.

Reference class: crises that began short of war, neither intra-war nor begun by the outbreak of
war (crisis level `iwcmb` = 1, actor level `iwc` = 1). Codes, from the ICB v15 codebooks:
`viol` 4 full-scale war; `break` and `triggr` 8 indirect violent act, 9 violent act; `majres`
8 violent military act, 9 multiple including a violent military act; `usactor` 2 the US was a
crisis actor; `trgterra` days from trigger to termination (the trigger is day 1); `forout`
1 formal agreement, 2 semi-formal, 3 tacit, 4 unilateral act, 5 imposed, 6 other, 7 faded;
`outesr` 1 a crisis recurred among the principal adversaries within five years, 2 it did not,
3 too recent to code.

Shares carry a Jeffreys interval (the Beta(k + 1/2, n - k + 1/2) quantiles); the median an
order-statistic interval (distribution-free, from the Binomial(n, 1/2)).
"""

from __future__ import annotations

import argparse
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

OUTPUT = Path(__file__).resolve().parents[1] / "src/crisislab/calibration/data/icb_targets.yaml"
SOURCE = (
    "International Crisis Behavior (ICB) Project, v15: icb1v15.csv (crisis level, 496 crises "
    "1918-2019) and icb2v15.csv (actor level, 1,100 crisis actors), with the ICB1 and ICB2 "
    "codebooks v15"
)
CITATION = (
    "Brecher, Michael and Jonathan Wilkenfeld (2000), A Study of Crisis, Ann Arbor: University "
    "of Michigan Press; Brecher, Wilkenfeld, Beardsley, James and Quinn (20 March 2023), "
    "International Crisis Behavior Data Codebook, Version 15"
)
REFERENCE_CLASS = (
    "crises that began short of war: neither intra-war nor begun by the outbreak of war "
    "(crisis level iwcmb = 1; actor level iwc = 1)"
)
CONFIDENCE = 0.95


@dataclass(frozen=True)
class Found:
    """One target as computed, before it is written."""

    description: str
    kind: str  # "share" or "median"
    value: float
    n: int
    interval: tuple[float, float]
    level: str  # "crisis" or "actor"
    variables: tuple[str, ...]
    filter: str
    measure: str
    successes: int | None = None
    unit: str = "share"
    reference_class: bool = True


def read(folder: Path, name: str) -> pd.DataFrame:
    """An ICB table (its header starts with a byte-order mark)."""
    return pd.read_csv(folder / name, encoding="utf-8-sig", low_memory=False)


def jeffreys(successes: int, n: int) -> tuple[float, float]:
    """Jeffreys interval for a binomial share; the bound at 0 or n is the share itself."""
    alpha = 1.0 - CONFIDENCE
    a, b = successes + 0.5, n - successes + 0.5
    lo = 0.0 if successes == 0 else float(stats.beta.ppf(alpha / 2, a, b))
    hi = 1.0 if successes == n else float(stats.beta.ppf(1 - alpha / 2, a, b))
    return lo, hi


def median_interval(values: np.ndarray) -> tuple[float, float]:
    """Order-statistic interval for a median: x_(j) … x_(n-j+1) with j the Binomial(n, 1/2)
    2.5% quantile, which covers the median with probability at least 95%."""
    x = np.sort(values)
    n = len(x)
    j = int(stats.binom.ppf((1.0 - CONFIDENCE) / 2, n, 0.5))
    j = max(j, 1)
    return float(x[j - 1]), float(x[n - j])


def share(
    hit: pd.Series,
    description: str,
    level: str,
    variables: tuple[str, ...],
    filter_: str,
    measure: str,
    reference_class: bool = True,
) -> Found:
    k, n = int(hit.sum()), len(hit)
    return Found(
        description=description,
        kind="share",
        value=k / n,
        n=n,
        interval=jeffreys(k, n),
        level=level,
        variables=variables,
        filter=filter_,
        measure=measure,
        successes=k,
        reference_class=reference_class,
    )


def crisis_targets(crises: pd.DataFrame) -> dict[str, Found]:
    """Targets over whole crises (icb1): war shares, termination forms, recurrence."""
    ref = crises[crises["iwcmb"] == 1]
    war = ref["viol"] == 4
    base = "iwcmb == 1"
    found = {
        "war": share(
            war,
            "crises that reached full-scale war",
            "crisis",
            ("iwcmb", "viol"),
            base,
            "viol == 4",
        ),
        "serious_clashes_or_war": share(
            ref["viol"] >= 3,
            "crises whose highest violence was serious clashes or full-scale war",
            "crisis",
            ("iwcmb", "viol"),
            base,
            "viol >= 3",
        ),
        "any_violence": share(
            ref["viol"] >= 2,
            "crises with any violence (minor clashes or more)",
            "crisis",
            ("iwcmb", "viol"),
            base,
            "viol >= 2",
        ),
        "war_since_1945": share(
            war[ref["yrtrig"] >= 1945],
            "crises triggered in 1945 or later that reached full-scale war",
            "crisis",
            ("iwcmb", "yrtrig", "viol"),
            f"{base} and yrtrig >= 1945",
            "viol == 4",
        ),
        "war_since_1990": share(
            war[ref["yrtrig"] >= 1990],
            "crises triggered in 1990 or later that reached full-scale war",
            "crisis",
            ("iwcmb", "yrtrig", "viol"),
            f"{base} and yrtrig >= 1990",
            "viol == 4",
        ),
        "war_after_violent_trigger": share(
            war[ref["break"] == 9],
            "crises triggered by a violent act that reached full-scale war",
            "crisis",
            ("iwcmb", "break", "viol"),
            f"{base} and break == 9",
            "viol == 4",
        ),
        "war_us_actor": share(
            war[ref["usactor"] == 2],
            "crises with the US as a crisis actor that reached full-scale war",
            "crisis",
            ("iwcmb", "usactor", "viol"),
            f"{base} and usactor == 2",
            "viol == 4",
        ),
    }
    forms = {
        "unilateral": (4, "a unilateral act"),
        "formal_agreement": (1, "a formal agreement (treaty, armistice, ceasefire)"),
        "semi_formal_agreement": (2, "a semi-formal agreement (letter, oral declaration)"),
        "faded": (7, "fading"),
        "imposed": (5, "an imposed agreement"),
        "tacit": (3, "a tacit understanding"),
        "other": (6, "another form"),
    }
    for name, (code, words) in forms.items():
        found[f"termination_{name}"] = share(
            ref["forout"] == code,
            f"crises that ended in {words}",
            "crisis",
            ("iwcmb", "forout"),
            base,
            f"forout == {code}",
        )
    coded = ref[ref["outesr"] != 3]
    found["recurrence_5y"] = share(
        coded["outesr"] == 1,
        "crises that recurred among the principal adversaries within five "
        "years (recent cases, outesr = 3, left out)",
        "crisis",
        ("iwcmb", "outesr"),
        f"{base} and outesr != 3",
        "outesr == 1",
    )
    everything = crises[crises["outesr"] != 3]
    found["recurrence_5y_all_crises"] = share(
        everything["outesr"] == 1,
        "all crises, for comparison (not the reference class): "
        "recurrence among the principal adversaries within five years",
        "crisis",
        ("outesr",),
        "outesr != 3",
        "outesr == 1",
        reference_class=False,
    )
    return found


def actor_targets(actors: pd.DataFrame) -> dict[str, Found]:
    """Targets over crisis actors (icb2): answers to violent triggers and durations."""
    ref = actors[actors["iwc"] == 1]
    violent = ref["majres"].isin([8, 9])
    base = "iwc == 1"
    found = {
        "violent_answer_after_violent_trigger": share(
            violent[ref["triggr"] == 9],
            "crisis actors triggered by a violent act whose major response was violent",
            "actor",
            ("iwc", "triggr", "majres"),
            f"{base} and triggr == 9",
            "majres in (8, 9)",
        ),
        "violent_answer_after_indirect_trigger": share(
            violent[ref["triggr"] == 8],
            "crisis actors triggered by an indirect violent act "
            "(against an ally or client) whose major response was violent",
            "actor",
            ("iwc", "triggr", "majres"),
            f"{base} and triggr == 8",
            "majres in (8, 9)",
        ),
    }
    days = ref["trgterra"].dropna().to_numpy(dtype=float)
    found["actor_duration_median"] = Found(
        description="median days from an actor's trigger to the end of its crisis (the "
        "trigger is day 1)",
        kind="median",
        value=float(np.median(days)),
        n=len(days),
        interval=median_interval(days),
        level="actor",
        variables=("iwc", "trgterra"),
        filter=f"{base} and trgterra known",
        measure="median(trgterra)",
        unit="days",
    )
    found["actor_within_year"] = share(
        pd.Series(days <= 365),
        "actor crises that ended within a year of their trigger",
        "actor",
        ("iwc", "trgterra"),
        f"{base} and trgterra known",
        "trgterra <= 365",
    )
    return found


def targets(folder: Path) -> dict[str, Found]:
    """Every target, in the order they are written."""
    return {
        **crisis_targets(read(folder, "icb1v15.csv")),
        **actor_targets(read(folder, "icb2v15.csv")),
    }


def number(x: float) -> str:
    return str(int(x)) if float(x).is_integer() and abs(x) >= 1 else f"{round(x, 6)}"


def as_yaml(found: dict[str, Found]) -> str:
    """The package data; strings are JSON-quoted (valid YAML double-quoted scalars)."""
    q = json.dumps
    lines = [
        "# Calibration targets from ICB v15 (MODEL.md §15): written by benchmarks/icb_targets.py",
        "# from the ICB v15 files; do not edit by hand, run the script again.",
        f"source: {q(SOURCE)}",
        f"citation: {q(CITATION)}",
        f"reference_class: {q(REFERENCE_CLASS)}",
        "script: benchmarks/icb_targets.py",
        f"confidence: {CONFIDENCE}",
        "targets:",
    ]
    for name, t in found.items():
        method = (
            "Jeffreys (Beta(k + 1/2, n - k + 1/2) quantiles)"
            if t.kind == "share"
            else "order statistics (Binomial(n, 1/2))"
        )
        lines += [
            f"  {name}:",
            f"    description: {q(t.description)}",
            f"    kind: {t.kind}",
            f"    unit: {t.unit}",
            f"    value: {number(t.value)}",
            f"    n: {t.n}",
        ]
        if t.successes is not None:
            lines.append(f"    successes: {t.successes}")
        lines += [
            f"    interval: [{number(t.interval[0])}, {number(t.interval[1])}]",
            f"    interval_method: {q(method)}",
            f"    level: {t.level}",
            f"    variables: [{', '.join(t.variables)}]",
            f"    filter: {q(t.filter)}",
            f"    measure: {q(t.measure)}",
            f"    reference_class: {'true' if t.reference_class else 'false'}",
        ]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("reference", type=Path, help="folder of icb1v15.csv and icb2v15.csv")
    parser.add_argument("--write", action="store_true", help=f"write {OUTPUT.name}")
    args = parser.parse_args()
    text = as_yaml(targets(args.reference))
    if args.write:
        OUTPUT.parent.mkdir(parents=True, exist_ok=True)
        OUTPUT.write_text(text, encoding="utf-8")
        print(f"written {OUTPUT.name}")
    else:
        print(text, end="")


if __name__ == "__main__":
    main()
