"""Paired differences between doctrines: the per-run values behind them agree with the summary,
and a comparison pairs every doctrine after the first against the first over the same runs."""

from __future__ import annotations

import numpy as np
import pytest

from crisislab.cli import DOCTRINES
from crisislab.report.comparison import compare_doctrines
from crisislab.report.paired import LABELS, against_first, indicators
from crisislab.results.result import VIOLENCE_LEVELS
from crisislab.scenario.outcomes import OUTCOMES
from crisislab.simulate import simulate

RUNS, SEED, DAYS = 512, 2, 120


@pytest.fixture(scope="module")
def results():
    return {
        d: simulate("us-iran-2020", RUNS, SEED, {"actors.USA.doctrine": d}, days=DAYS)
        for d in ("restraint", "retaliatory")
    }


def test_indicators_agree_with_the_summary(results):
    result = results["retaliatory"]
    marks, summary = indicators(result), result.summary()
    assert set(marks) <= set(LABELS)  # every measure has a heading
    for name in OUTCOMES:
        assert marks[name].mean() == pytest.approx(summary["outcomes"][name]["p"], abs=1e-6)
    for level in VIOLENCE_LEVELS:
        assert marks[level].mean() == pytest.approx(summary["violence"][level], abs=1e-6)
    for name in ("ended", "ended_within_90_days", "tacit", "agreement", "imposed", "recurred",
                 "recurrences_mean"):  # fmt: skip
        assert marks[name].mean() == pytest.approx(summary["termination"][name], abs=1e-6)
    for name in ("spiral", "deterrence_failure", "inadvertent"):
        assert marks[name].mean() == pytest.approx(summary["war_kinds"][name], abs=1e-6)
    for name in ("intended", "perceived", "both"):
        assert marks[name].mean() == pytest.approx(summary["test"][name], abs=1e-6)
    assert marks["misperceptions_mean"].mean() == pytest.approx(
        summary["metrics"]["misperceptions_mean"], abs=1e-6
    )
    assert sum(marks[level] for level in VIOLENCE_LEVELS).tolist() == [1] * RUNS


def test_paired_differences_are_differences_of_the_shares(results):
    base, other = (indicators(results[d]) for d in ("restraint", "retaliatory"))
    paired = against_first(("restraint", base), "retaliatory", other)
    assert paired["against"] == "restraint"
    for name in ("war", "full_scale_war", "ended", "recurrences_mean"):
        diff = float(np.mean(other[name]) - np.mean(base[name]))
        assert paired[name]["diff"] == pytest.approx(diff, abs=1e-6)
        lo, hi = paired[name]["ci"]
        assert lo <= paired[name]["diff"] <= hi


def test_a_comparison_pairs_each_doctrine_with_the_first():
    c = compare_doctrines("us-iran-2020", DOCTRINES, runs=128, seed=1, days=60)
    assert list(c.summaries) == list(DOCTRINES)
    assert "paired" not in c.summaries[DOCTRINES[0]]
    for doctrine in DOCTRINES[1:]:
        paired = c.summaries[doctrine]["paired"]
        assert paired["against"] == DOCTRINES[0]
        for name in (*OUTCOMES, *VIOLENCE_LEVELS, "ended", "imposed", "recurred"):
            assert set(paired[name]) == {"diff", "ci", "unpaired_ci"}
    for t in c.trajectories.values():  # how the first crisis ends, day by day
        assert t.ended_first.size == t.war_first.size == 60
        assert np.all(np.diff(t.ended_first) >= 0) and np.all(t.ended_first + t.war_first <= 1)
