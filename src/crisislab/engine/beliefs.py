"""Bayesian updates: beliefs about the adversary's type (Kydd) and attribution of orders.

All functions work elementwise on arrays of runs, and on plain floats for the worked examples.
"""

from __future__ import annotations

import numpy as np

EPS = 1e-9


def odds(p: np.ndarray | float) -> np.ndarray:
    p = np.clip(p, EPS, 1.0 - EPS)
    return p / (1.0 - p)


def prob(o: np.ndarray | float) -> np.ndarray:
    return o / (1.0 + o)


def kydd_update(mu, like_limited, like_aggressive):
    """Posterior P(limited) after an observation with likelihoods under each type.

    mu' = mu L(o|limited) / [mu L(o|limited) + (1 - mu) L(o|aggressive)]
    (prior 0.30 with likelihoods 0.6 and 0.1 gives 0.72).
    """
    num = mu * like_limited
    return num / (num + (1.0 - mu) * like_aggressive)


def biased_ratio(ratio, mu, gamma: float):
    """Confirmation bias: evidence against the current belief counts only to the power gamma."""
    if gamma >= 1.0:
        return ratio
    against = (ratio < 1.0) == (mu > 0.5)
    return np.where(against, np.power(ratio, gamma), ratio)


def update_with_ratio(mu, ratio, gamma: float = 1.0):
    """Apply a likelihood ratio L(o|limited)/L(o|aggressive) to P(limited)."""
    return prob(odds(mu) * biased_ratio(ratio, mu, gamma))


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


def prior_ordered(mu, assumed_control: float, order_share: float, ordered_multiplier: float):
    """The observer's prior that a group's attack was ordered, before any evidence.

    P(ordered | attack) = (1-mu) s m / [mu (1-c_hat) + (1-mu) (s m + (1-s)(1-c_hat))].
    """
    ordered = (1.0 - mu) * order_share * ordered_multiplier
    unordered = mu * (1.0 - assumed_control) + (1.0 - mu) * (1.0 - order_share) * (
        1.0 - assumed_control
    )
    return ordered / np.maximum(ordered + unordered, EPS)


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


def attribution_posterior(prior_odds, evidence, c2_disavowal, lr_c2: float):
    """P(ordered) from the prior odds, evidence (a ratio, 1 if none yet) and a C2 disavowal.

    The disavowal divides the odds of 'ordered' by LR_c2.
    """
    o = prior_odds * evidence
    if lr_c2 != 1.0:
        o = np.where(c2_disavowal, o / lr_c2, o)
    return o / (1.0 + o)
