"""Invariants of every result (MODEL.md §9), as hypothesis properties over small ensembles:
probabilities are probabilities, outcome classes are exhaustive and exclusive, war kinds add up."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crisislab.engine.outcomes import OUTCOMES, WAR
from crisislab.simulate import simulate

ROUNDING = 2e-6  # the summary rounds to 6 decimals

ensembles = st.fixed_dictionaries(
    {
        "runs": st.integers(1, 1500),
        "seed": st.integers(0, 2**31 - 1),
        "days": st.integers(20, 100),
        "overrides": st.fixed_dictionaries(
            {
                "actors.USA.doctrine": st.sampled_from(
                    ["restraint", "gtft", "proportional", "retaliatory"]
                ),
                "actors.IRN.type_prior": st.sampled_from([0.0, 0.3, 0.6, 1.0]),
                "actors.KH.control": st.floats(0.0, 1.0),
                "channel.kind": st.sampled_from(["none", "indirect", "hotline"]),
            }
        ),
    }
)

SETTINGS = settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def run(spec):
    return simulate("us-iran-2020", **spec)


@SETTINGS
@given(ensembles)
def test_summary_probabilities_lie_in_unit_interval_and_cis_contain_p(spec):
    s = run(spec).summary()
    total = 0.0
    for name in OUTCOMES:
        entry = s["outcomes"][name]
        lo, hi = entry["ci"]
        assert 0.0 <= lo <= entry["p"] <= hi <= 1.0, (name, entry)
        total += entry["p"]
    assert total == pytest.approx(1.0, abs=3 * ROUNDING)
    shares = [*s["war_kinds"].values(), *s["test"].values(), *s["checkpoints"].values()]
    shares += [v for v in s["flags"].values()]
    assert all(0.0 <= v <= 1.0 for v in shares)


@SETTINGS
@given(ensembles)
def test_outcome_classes_are_exhaustive_and_exclusive(spec):
    result = run(spec)
    outcome = result.columns["outcome"]
    assert outcome.shape == (spec["runs"],)
    assert set(np.unique(outcome)) <= {0, 1, 2}
    counts = np.bincount(outcome, minlength=3)
    assert counts.sum() == spec["runs"]
    table = result.runs
    assert len(table) == spec["runs"]
    assert list(table["outcome"].cat.categories) == list(OUTCOMES)
    assert table["outcome"].value_counts().sum() == spec["runs"]
    s = result.summary()
    for i, name in enumerate(OUTCOMES):
        assert s["outcomes"][name]["p"] == pytest.approx(counts[i] / spec["runs"], abs=ROUNDING)


@SETTINGS
@given(ensembles)
def test_war_kinds_are_consistent(spec):
    result = run(spec)
    c = result.columns
    war = c["outcome"] == WAR
    # spiral and deterrence failure split the wars by the challenger's hidden type
    assert np.array_equal(c["war_spiral"] | c["war_deterrence_failure"], war)
    assert not np.any(c["war_spiral"] & c["war_deterrence_failure"])
    assert np.array_equal(c["war_spiral"], war & c["challenger_limited"])
    # inadvertent is a subset of war
    assert not np.any(c["war_inadvertent"] & ~war)
    # war_day is -1 exactly for runs without war, else a day of the horizon
    assert np.all(c["war_day"][~war] == -1)
    assert np.all((c["war_day"][war] >= 0) & (c["war_day"][war] < spec["days"]))
    s = result.summary()
    kinds, p_war = s["war_kinds"], s["outcomes"]["war"]["p"]
    assert kinds["spiral"] + kinds["deterrence_failure"] == pytest.approx(p_war, abs=ROUNDING)
    assert kinds["inadvertent"] <= p_war + ROUNDING
    cp = s["checkpoints"]
    assert cp["war_by_day_30"] <= cp["war_by_day_90"] <= p_war + ROUNDING


@SETTINGS
@given(ensembles)
def test_the_test_of_claim_one_and_flags_are_consistent(spec):
    c = run(spec).columns
    assert np.array_equal(c["both"], c["intended"] & c["perceived"])
    assert not np.any(c["intended"] & ~c["challenger_limited"])
    # perceived: the defender ended believing the challenger limited and no red line fired
    assert not np.any(c["perceived"] & (c["belief_defender"] < 0.5))
    assert not np.any(c["perceived"] & c["red_line_fired"])
    assert np.array_equal(c["red_line_fired"], c["red_line_firings"] > 0)
    assert np.all(
        c["red_lines_unenforced"] <= c["red_line_firings"] + c["red_line_firings_challenger"]
    )
    cycle = c["limited_reprisal_cycle"]
    assert np.all(c["proxy_strikes"][cycle] >= 2) and np.all(c["direct_exchanges"][cycle] == 0)
    assert np.all((c["max_rung"] >= 0) & (c["max_rung"] <= 14))
    for name in ("belief_defender", "belief_challenger"):
        assert np.all((c[name] >= 0.0) & (c[name] <= 1.0))
    assert np.array_equal(c["defender_deaths"], c["deaths_USA"])
    for name in ("defender_deaths", "group_attacks", "proxy_strikes", "misperceptions"):
        assert np.all(c[name] >= 0)
