"""Bayesian updates: beliefs about the adversary's type (Kydd) and attribution of orders.

The day loop (kernel.py) calls the compiled functions here for one run at a time; Python calls
the same functions for worked examples and tests. The set-up's figures (group_observation_ratio,
effective_accuracy, evidence_ratio) work on numbers or arrays.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from crisislab.engine.constants import EPS


@njit(cache=True, inline="always")
def odds(p: float) -> float:
    """The odds of a probability kept in [EPS, 1 - EPS]."""
    p = min(max(p, EPS), 1.0 - EPS)
    return p / (1.0 - p)


@njit(cache=True, inline="always")
def posterior(mu: float, ratio: float) -> float:
    """P(limited) after evidence of likelihood ratio L(o|limited)/L(o|aggressive), untempered:
    numbers only, no branch, so a loop over runs that calls it still runs several at once."""
    o = odds(mu) * ratio
    return o / (1.0 + o)


@njit(cache=True)
def update_with_ratio(mu: float, ratio: float, gamma: float = 1.0) -> float:
    """Bayes on the odds with confirmation bias: evidence against the current leaning (a ratio
    below 1 while mu > 1/2, or above 1 while mu < 1/2) counts only as ratio ** gamma."""
    if gamma < 1.0 and (ratio < 1.0) == (mu > 0.5):
        ratio = ratio**gamma
    return posterior(mu, ratio)


def kydd_update(mu, like_limited, like_aggressive):
    """Posterior P(limited) after an observation with likelihoods under each type (Kydd's rule,
    the textbook form of update_with_ratio): mu' = mu L_l / [mu L_l + (1 - mu) L_a]
    (prior 0.30 with likelihoods 0.6 and 0.1 gives 0.72)."""
    num = mu * like_limited
    return num / (num + (1.0 - mu) * like_aggressive)


def group_observation_ratio(
    observed,
    base_hazard: float,
    assumed_control: float,
    order_share: float,
    ordered_multiplier: float,
    p_detect: float,
):
    """Likelihood ratio limited:aggressive of seeing (or not seeing) a group act today.

    The observer's model: under a limited principal the group acts at rate
    lambda0 (1 - c_hat); under an aggressive one it is under orders on a share s of days
    (rate lambda0 m) and otherwise acts as an uncontrolled group would (lambda0 (1 - c_hat)).
    If c_hat exceeds the true control, unordered attacks read as evidence of aggression.
    """
    h_lim = min(1.0, base_hazard * (1.0 - assumed_control)) * p_detect
    h_agg = (
        min(
            1.0,
            base_hazard
            * (order_share * ordered_multiplier + (1.0 - order_share) * (1.0 - assumed_control)),
        )
        * p_detect
    )
    seen = max(h_lim, EPS) / max(h_agg, EPS)
    unseen = (1.0 - h_lim) / max(1.0 - h_agg, EPS)
    return np.where(observed, seen, unseen)


@njit(cache=True)
def prior_ordered(
    mu: float, assumed_control: float, order_share: float, ordered_multiplier: float
) -> float:
    """The observer's prior that a group's attack was ordered, before any evidence.

    P(ordered | attack) = (1-mu) s m / [mu (1-c_hat) + (1-mu) (s m + (1-s)(1-c_hat))].
    """
    ordered = (1.0 - mu) * order_share * ordered_multiplier
    unordered = mu * (1.0 - assumed_control) + (1.0 - mu) * (1.0 - order_share) * (
        1.0 - assumed_control
    )
    return ordered / max(ordered + unordered, EPS)


def effective_accuracy(accuracy: float, ambiguity: float) -> float:
    """An ambiguous act makes findings about it less informative: q' = 1/2 + (q - 1/2)(1 - a)."""
    return 0.5 + (accuracy - 0.5) * (1.0 - ambiguity)


def evidence_ratio(accuracy: float, says_ordered):
    """Likelihood ratio ordered:unordered of an attribution finding with the given accuracy.

    A perfectly accurate finding (accuracy 1, allowed by the schema) is capped at odds 1/EPS so
    that the update stays finite.
    """
    accuracy = min(accuracy, 1.0 - EPS)
    r = accuracy / (1.0 - accuracy)
    return np.where(says_ordered, r, 1.0 / r)


@njit(cache=True, inline="always")
def attribution_posterior(
    prior_odds: float, evidence: float, disavowed: bool, lr_c2: float
) -> float:
    """P(ordered) from the prior odds, the evidence received (a likelihood ratio, 1 if none yet)
    and a C2 disavowal, which divides the odds of 'ordered' by LR_c2."""
    o = prior_odds * evidence
    if lr_c2 != 1.0 and disavowed:
        o = o / lr_c2
    return o / (1.0 + o)
