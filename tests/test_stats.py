"""Wilson score intervals and paired differences (crisislab.stats): hand computation and a
published table."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crisislab.stats import paired_difference, paired_differences, wilson_interval


def hand_wilson(k: int, n: int, z: float = 1.959963984540054) -> tuple[float, float]:
    """(p + z²/2n ± z sqrt(p(1-p)/n + z²/4n²)) / (1 + z²/n), written out once more by hand."""
    p = k / n
    centre = p + z * z / (2 * n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    denom = 1 + z * z / n
    return (centre - half) / denom, (centre + half) / denom


@pytest.mark.parametrize(
    ("k", "n", "lo", "hi"),
    [
        (0, 10, 0.0, 0.2775),  # the docstring's example: never the degenerate (0, 0)
        (5, 10, 0.2366, 0.7634),  # symmetric about 1/2
        (60, 100, 0.5020, 0.6906),
        (10, 10, 0.7225, 1.0),  # mirror image of 0 of 10
    ],
)
def test_wilson_interval_matches_hand_computed_values(k, n, lo, hi):
    got = wilson_interval(k, n)
    assert got == pytest.approx((lo, hi), abs=5e-5)
    assert got == pytest.approx(hand_wilson(k, n), abs=1e-9)


@pytest.mark.parametrize(
    ("k", "n", "lo", "hi"),
    [
        (81, 263, 0.2553, 0.3662),
        (15, 148, 0.0624, 0.1605),
        (0, 20, 0.0, 0.1611),
        (1, 29, 0.0061, 0.1718),
    ],
)
def test_wilson_interval_reproduces_newcombe_1998_table(k, n, lo, hi):
    """Newcombe (1998), Statistics in Medicine 17:857-872, method 3 (score, no continuity corr.)."""
    assert wilson_interval(k, n) == pytest.approx((lo, hi), abs=5e-5)


@pytest.mark.parametrize("n", [1, 5, 10, 1000])
def test_wilson_interval_at_zero_and_all_successes_ends_exactly_at_the_bound(n):
    """0 of n starts at exactly 0, n of n ends at exactly 1 (not a rounding error beyond p)."""
    assert wilson_interval(0, n)[0] == 0.0
    assert wilson_interval(n, n)[1] == 1.0


def test_wilson_interval_width_shrinks_like_one_over_root_n():
    lo1, hi1 = wilson_interval(300, 1000)
    lo2, hi2 = wilson_interval(1200, 4000)
    assert (hi1 - lo1) / (hi2 - lo2) == pytest.approx(2.0, rel=0.01)


def test_wilson_interval_other_confidence_levels():
    # z for 90% is 1.6449; for 99% 2.5758
    assert wilson_interval(5, 10, 0.90) == pytest.approx(
        hand_wilson(5, 10, 1.6448536269514722), abs=1e-9
    )
    assert wilson_interval(5, 10, 0.99) == pytest.approx(
        hand_wilson(5, 10, 2.5758293035489004), abs=1e-9
    )
    lo90, hi90 = wilson_interval(5, 10, 0.90)
    lo99, hi99 = wilson_interval(5, 10, 0.99)
    assert lo99 < lo90 and hi90 < hi99


@pytest.mark.parametrize(
    ("k", "n", "confidence"), [(-1, 10, 0.95), (11, 10, 0.95), (0, 0, 0.95), (1, 2, 1.0)]
)
def test_wilson_interval_rejects_impossible_inputs(k, n, confidence):
    with pytest.raises(ValueError):
        wilson_interval(k, n, confidence)


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 10**6).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))))
def test_wilson_interval_lies_in_unit_interval_and_contains_the_estimate(kn):
    k, n = kn
    lo, hi = wilson_interval(k, n)
    assert 0.0 <= lo <= k / n <= hi <= 1.0
    # symmetric under swapping successes and failures
    lo2, hi2 = wilson_interval(n - k, n)
    assert lo == pytest.approx(1 - hi2, abs=1e-12)
    assert hi == pytest.approx(1 - lo2, abs=1e-12)


# --- paired differences ------------------------------------------------------------------------

# Ten runs of two policies over the same worlds (1 = the run ended in war). The baseline's wars
# (runs 0, 3, 5, 8) are wars under the policy too, which adds three (runs 1, 6, 9).
POLICY = [1, 1, 0, 1, 0, 1, 1, 0, 1, 1]
BASELINE = [1, 0, 0, 1, 0, 1, 0, 0, 1, 0]


def test_paired_difference_matches_hand_computed_numbers():
    """d = policy - baseline = three 1s and seven 0s: mean 0.3, sd(d) = sqrt(2.1 / 9) = 0.483046,
    se = sd / sqrt(10) = 0.152753, t(0.975, 9) = 2.262157, half-width 0.345548.
    Unpaired (Welch): variances 0.7 * 0.3 * 10/9 = 0.233333 and 0.4 * 0.6 * 10/9 = 0.266667,
    se = sqrt((0.233333 + 0.266667) / 10) = 0.223607, Welch's df = 0.05² / ((0.0233333² +
    0.0266667²) / 9) = 17.9204, t(0.975, 17.92) = 2.101592, half-width 0.469930."""
    got = paired_difference(POLICY, BASELINE)
    assert got["diff"] == pytest.approx(0.3, abs=1e-12)
    assert got["ci"] == pytest.approx([0.3 - 0.345548, 0.3 + 0.345548], abs=2e-6)
    assert got["unpaired_ci"] == pytest.approx([0.3 - 0.469930, 0.3 + 0.469930], abs=2e-6)


def test_paired_difference_of_positively_correlated_runs_is_narrower_than_unpaired():
    got = paired_difference(POLICY, BASELINE)
    (lo, hi), (ulo, uhi) = got["ci"], got["unpaired_ci"]
    assert ulo < lo < got["diff"] < hi < uhi


def test_paired_difference_of_identical_runs_is_exactly_zero():
    got = paired_difference(BASELINE, BASELINE)
    assert got["diff"] == 0.0 and got["ci"] == [0.0, 0.0]
    assert got["unpaired_ci"][0] < 0.0 < got["unpaired_ci"][1]


def test_paired_difference_with_no_spread_has_a_point_interval():
    got = paired_difference([1] * 5, [0] * 5)
    assert got == {"diff": 1.0, "ci": [1.0, 1.0], "unpaired_ci": [1.0, 1.0]}
    assert paired_difference([0] * 5, [0] * 5)["ci"] == [0.0, 0.0]


def test_paired_difference_of_one_run_has_no_interval():
    assert paired_difference([1], [0]) == {"diff": 1.0, "ci": None, "unpaired_ci": None}


@pytest.mark.parametrize(("values", "baseline"), [([1, 0], [1, 0, 1]), ([], []), ([[1]], [[1]])])
def test_paired_difference_rejects_unpaired_inputs(values, baseline):
    with pytest.raises(ValueError):
        paired_difference(values, baseline)


def test_paired_differences_compare_each_later_policy_with_the_first():
    got = paired_differences(
        {
            "restraint": {"war": BASELINE, "red_line_fired": [0] * 10},
            "retaliatory": {"war": POLICY, "red_line_fired": [1] * 10},
            "gtft": {"war": BASELINE},
        }
    )
    assert list(got) == ["retaliatory", "gtft"]
    assert got["retaliatory"]["against"] == "restraint"
    assert got["retaliatory"]["war"] == paired_difference(POLICY, BASELINE)
    assert got["retaliatory"]["red_line_fired"]["diff"] == 1.0
    assert set(got["gtft"]) == {"against", "war"}
    assert paired_differences({}) == {}
