"""Beliefs and attribution (MODEL.md §7) on worked numbers computed by hand."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crisislab.engine import beliefs

probability = st.floats(0.001, 0.999)
ratio = st.floats(0.01, 100.0)


# --- type belief (Kydd) -----------------------------------------------------------------------


def test_kydd_worked_example_prior_030_with_likelihoods_06_01_gives_072():
    """MODEL.md §7: a warned, casualty-free strike, 0.6 under limited and 0.1 under aggressive."""
    # 0.3 * 0.6 / (0.3 * 0.6 + 0.7 * 0.1) = 0.18 / 0.25
    assert beliefs.kydd_update(0.30, 0.6, 0.1) == pytest.approx(0.72)


def test_update_with_ratio_gives_the_same_072_from_the_likelihood_ratio_6():
    assert beliefs.update_with_ratio(0.30, 0.6 / 0.1) == pytest.approx(0.72)


def test_kydd_update_works_elementwise_on_runs():
    mu = np.array([0.3, 0.5, 0.9])
    got = beliefs.kydd_update(mu, 0.6, 0.1)
    assert got == pytest.approx([0.72, 6 / 7, 0.9 * 0.6 / (0.9 * 0.6 + 0.1 * 0.1)])


@settings(max_examples=100, deadline=None)
@given(probability, st.floats(0.01, 1.0), st.floats(0.01, 1.0))
def test_kydd_update_equals_odds_form(mu, like_limited, like_aggressive):
    direct = beliefs.kydd_update(mu, like_limited, like_aggressive)
    via_odds = beliefs.update_with_ratio(mu, like_limited / like_aggressive)
    assert direct == pytest.approx(float(via_odds), abs=1e-9)
    assert 0.0 <= direct <= 1.0


@settings(max_examples=100, deadline=None)
@given(probability, ratio)
def test_evidence_moves_belief_in_its_direction(mu, r):
    after = float(beliefs.update_with_ratio(mu, r))
    if r > 1.0:
        assert after >= mu - 1e-12
    elif r < 1.0:
        assert after <= mu + 1e-12


def test_update_with_ratio_one_leaves_belief_unchanged():
    for mu in (0.1, 0.5, 0.8):
        assert beliefs.update_with_ratio(mu, 1.0) == pytest.approx(mu)


def test_confirmation_bias_downweights_only_evidence_against_the_current_belief():
    """gamma = 0.5: disconfirming odds count as their square root; confirming ones in full."""
    # believes limited (0.8), sees evidence of aggression (ratio 1/4): counts as 1/2
    assert beliefs.update_with_ratio(0.8, 0.25, gamma=0.5) == pytest.approx(4 * 0.5 / (1 + 4 * 0.5))
    # believes limited, sees evidence of restraint (ratio 4): counts in full
    assert beliefs.update_with_ratio(0.8, 4.0, gamma=0.5) == pytest.approx(16 / 17)
    # believes aggressive (0.2), sees evidence of restraint (ratio 4): counts as 2
    assert beliefs.update_with_ratio(0.2, 4.0, gamma=0.5) == pytest.approx(0.5 / 1.5)
    # without bias, gamma = 1
    assert beliefs.update_with_ratio(0.8, 0.25, gamma=1.0) == pytest.approx(0.5)


# --- group behaviour as evidence about the principal's type ------------------------------------


def test_group_observation_ratio_by_hand():
    """KH defaults: lambda0 0.02, c_hat 0.6, order share 0.3, multiplier 4, always detected.

    limited: 0.02 x 0.4 = 0.008 per day; aggressive: 0.02 x (0.3 x 4 + 0.7 x 0.4) = 0.0296.
    Seen: 0.008 / 0.0296 = 0.27027; not seen: 0.992 / 0.9704 = 1.022259.
    """
    got = beliefs.group_observation_ratio(np.array([True, False]), 0.02, 0.6, 0.3, 4.0, 1.0)
    assert got == pytest.approx([0.008 / 0.0296, 0.992 / 0.9704])
    assert got[0] == pytest.approx(0.270270, abs=1e-6)
    assert got[1] == pytest.approx(1.022259, abs=1e-6)


def test_group_observation_ratio_scales_with_detection():
    got = beliefs.group_observation_ratio(np.array([True, False]), 0.02, 0.6, 0.3, 4.0, 0.5)
    assert got == pytest.approx([0.004 / 0.0148, 0.996 / 0.9852])


def test_assumed_control_above_truth_makes_unordered_attacks_read_as_aggression():
    """Agency-slack misattribution: the more control the observer assumes, the more an attack
    (which under a limited principal can only be unordered) counts against the principal."""
    seen = np.array([True])
    low = beliefs.group_observation_ratio(seen, 0.02, 0.3, 0.3, 4.0, 1.0)[0]
    high = beliefs.group_observation_ratio(seen, 0.02, 0.9, 0.3, 4.0, 1.0)[0]
    assert high < low < 1.0


# --- attribution of a lethal group act --------------------------------------------------------


def test_prior_ordered_by_hand():
    """mu 0.5, c_hat 0.6, s 0.3, m 4: ordered 0.5x0.3x4 = 0.6; unordered 0.5x0.4 + 0.5x0.7x0.4
    = 0.34; P0(ordered) = 0.6 / 0.94."""
    assert beliefs.prior_ordered(0.5, 0.6, 0.3, 4.0) == pytest.approx(0.6 / 0.94)


def test_prior_ordered_at_the_us_prior_trust_is_already_above_tau():
    """us-iran-2020 at the US prior mu0 = 0.3: 0.84 / (0.84 + 0.12 + 0.196) = 0.7266 >= 0.7."""
    p0 = beliefs.prior_ordered(0.3, 0.6, 0.3, 4.0)
    assert p0 == pytest.approx(0.84 / 1.156)
    assert p0 > 0.7


def test_prior_ordered_extremes():
    assert beliefs.prior_ordered(1.0, 0.6, 0.3, 4.0) == 0.0  # a limited principal orders nothing
    assert beliefs.prior_ordered(0.5, 0.6, 0.0, 4.0) == 0.0  # nobody ever orders
    # full assumed control: every attack by the group must have been ordered
    assert beliefs.prior_ordered(0.5, 1.0, 0.3, 4.0) == pytest.approx(1.0)


def test_evidence_ratio_by_hand():
    assert beliefs.evidence_ratio(0.75, np.array([True, False])) == pytest.approx([3.0, 1 / 3])
    assert beliefs.evidence_ratio(0.5, np.array([True, False])) == pytest.approx([1.0, 1.0])


def test_evidence_ratio_with_perfect_accuracy_stays_finite():
    """accuracy 1 is allowed by the schema; the finding is decisive but the odds stay finite."""
    r = beliefs.evidence_ratio(1.0, np.array([True, False]))
    assert np.all(np.isfinite(r))
    assert r[0] > 1e6 and r[1] < 1e-6


def test_attribution_posterior_by_hand_with_and_without_c2_disavowal():
    """Prior 0.6/0.94 (odds 0.6/0.34 = 1.7647), a finding 'ordered' at accuracy 0.75 (x3):
    odds 5.294, P = 0.8411 -- above tau = 0.7. A credible C2 disavowal with LR_c2 = 4 divides the
    odds by 4: 1.3235, P = 0.5696 -- below tau. With LR_c2 = 2: 2.647, P = 0.7258."""
    prior_odds = beliefs.odds(beliefs.prior_ordered(0.5, 0.6, 0.3, 4.0))
    assert prior_odds == pytest.approx(0.6 / 0.34)
    finding = beliefs.evidence_ratio(0.75, True)
    no, yes = False, True
    assert beliefs.attribution_posterior(prior_odds, finding, no, 4.0) == pytest.approx(
        (0.6 / 0.34 * 3) / (1 + 0.6 / 0.34 * 3)
    )
    assert beliefs.attribution_posterior(prior_odds, finding, no, 4.0) == pytest.approx(
        0.8411, abs=1e-4
    )
    assert beliefs.attribution_posterior(prior_odds, finding, yes, 4.0) == pytest.approx(
        0.5696, abs=1e-4
    )
    assert beliefs.attribution_posterior(prior_odds, finding, yes, 2.0) == pytest.approx(
        0.7258, abs=1e-4
    )
    # no evidence yet (ratio 1): the posterior is the prior
    assert beliefs.attribution_posterior(prior_odds, 1.0, no, 2.0) == pytest.approx(0.6 / 0.94)
    # a finding 'not ordered': odds / 3
    assert beliefs.attribution_posterior(
        prior_odds, beliefs.evidence_ratio(0.75, False), no, 2.0
    ) == pytest.approx((0.6 / 1.02) / (1 + 0.6 / 1.02))


def test_c2_disavowal_is_ignored_when_lr_c2_is_one():
    got = beliefs.attribution_posterior(np.array([2.0, 2.0]), 1.0, np.array([True, False]), 1.0)
    assert got == pytest.approx([2 / 3, 2 / 3])


@settings(max_examples=100, deadline=None)
@given(probability, st.floats(0.5, 0.99), st.booleans(), st.floats(1.0, 20.0))
def test_attribution_posterior_is_a_probability_and_a_disavowal_never_raises_it(
    p0, accuracy, says, lr_c2
):
    prior_odds = beliefs.odds(p0)
    finding = beliefs.evidence_ratio(accuracy, says)
    plain = float(beliefs.attribution_posterior(prior_odds, finding, np.array(False), lr_c2))
    disavowed = float(beliefs.attribution_posterior(prior_odds, finding, np.array(True), lr_c2))
    # o / (1 + o) is rounded twice, so an LR_c2 a few ulps above 1 can leave the posterior a
    # few ulps higher (e.g. lr_c2 = 1.0000000000000002): not a rise the model could act on
    rounding = 4 * np.spacing(plain)
    assert 0.0 <= disavowed <= plain + rounding and plain <= 1.0
