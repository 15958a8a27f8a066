"""`crisislab.compare`: each policy's summary, and paired differences against the first policy
over the same runs."""

from __future__ import annotations

import pytest

import crisislab
from crisislab.experiments import policy_label, run_indicators
from crisislab.scenario.outcomes import OUTCOMES

DOCTRINE = "actors.USA.doctrine"


@pytest.fixture(scope="module")
def compared():
    policies = {d: {DOCTRINE: d} for d in ("restraint", "proportional", "retaliatory")}
    return crisislab.compare("us-iran-2020", policies, runs=2000, seed=11)


def test_compare_gives_each_policy_the_summary_of_simulate(compared):
    assert [e["policy"] for e in compared["results"]] == [
        "restraint",
        "proportional",
        "retaliatory",
    ]
    assert (compared["scenario"], compared["runs"], compared["seed"]) == ("us-iran-2020", 2000, 11)
    alone = crisislab.simulate("us-iran-2020", 2000, 11, {DOCTRINE: "proportional"}).summary()
    entry = compared["results"][1]
    assert entry["levers"] == {DOCTRINE: "proportional"}
    assert {k: v for k, v in entry.items() if k not in ("policy", "levers", "paired")} == alone


def test_compare_pairs_every_later_policy_with_the_first(compared):
    first, *later = compared["results"]
    assert "paired" not in first
    for entry in later:
        paired = entry["paired"]
        assert paired["against"] == "restraint"
        assert set(OUTCOMES) | {"red_line_fired"} <= set(paired)
        for name in OUTCOMES:
            d = paired[name]
            expected = entry["outcomes"][name]["p"] - first["outcomes"][name]["p"]
            assert d["diff"] == pytest.approx(expected, abs=1e-5)
            assert d["ci"][0] <= d["diff"] <= d["ci"][1]
            assert d["unpaired_ci"][0] <= d["diff"] <= d["unpaired_ci"][1]
        # the outcome classes are exhaustive, so their differences sum to zero
        assert sum(paired[name]["diff"] for name in OUTCOMES) == pytest.approx(0.0, abs=1e-5)


def test_paired_interval_for_war_is_not_wider_than_the_unpaired_one(compared):
    """The same worlds under two doctrines tend to end alike, so the paired interval of the
    difference in P(war) is no wider than the interval that treats the runs as independent."""
    for entry in compared["results"][1:]:
        war = entry["paired"]["war"]
        paired = war["ci"][1] - war["ci"][0]
        unpaired = war["unpaired_ci"][1] - war["unpaired_ci"][0]
        assert paired <= unpaired, (entry["policy"], war)


def test_compare_labels_a_sequence_of_policies_by_their_levers():
    settings = [{DOCTRINE: "restraint", "channel.kind": "none"}, {DOCTRINE: "gtft"}]
    got = crisislab.compare("us-iran-2020", settings, runs=64, seed=1, days=20)
    assert [e["policy"] for e in got["results"]] == [
        "doctrine=restraint, kind=none",
        "doctrine=gtft",
    ]
    assert policy_label(settings[0]) == "doctrine=restraint, kind=none"
    assert got["results"][1]["paired"]["against"] == "doctrine=restraint, kind=none"


@pytest.mark.parametrize("policies", [[], {}, [{DOCTRINE: "gtft"}, {DOCTRINE: "gtft"}]])
def test_compare_refuses_no_policies_or_the_same_policy_twice(policies):
    with pytest.raises(ValueError):
        crisislab.compare("us-iran-2020", policies, runs=64, seed=1, days=20)


def test_run_indicators_are_the_outcome_classes_and_flags_of_each_run():
    result = crisislab.simulate("us-iran-2020", runs=128, seed=3, days=60)
    marks = run_indicators(result)
    assert list(marks)[:3] == list(OUTCOMES)
    assert sum(marks[name].astype(int) for name in OUTCOMES).tolist() == [1] * 128
    summary = result.summary()
    for name in OUTCOMES:
        assert marks[name].mean() == pytest.approx(summary["outcomes"][name]["p"], abs=1e-6)
    for name, share in summary["flags"].items():
        assert marks[name].mean() == pytest.approx(share, abs=1e-6)
