"""How leaderships choose responses. Every function here reads perceived quantities (a `View`'s
beliefs and slots) and the decider's own private facts (its commitment), never the truth.
"""

from __future__ import annotations

import numpy as np

from crisislab.scenario.schema import Doctrines, Logit

NONE, STRIKE_PROXY, STRIKE_STATE, RETALIATE = 0, 1, 2, 3


def forgiveness(q: float, commitment: np.ndarray, audience_weight: float) -> np.ndarray:
    """Public commitment makes forgiving costlier: q_eff = q exp(-w commitment)."""
    return q * np.exp(-audience_weight * commitment)


def enforcement(rho: float, commitment: np.ndarray, audience_weight: float) -> np.ndarray:
    """Commitment raises the chance a red line is enforced: 1 - (1 - rho) exp(-w commitment)."""
    return 1.0 - (1.0 - rho) * np.exp(-audience_weight * commitment)


def doctrine_response(
    doctrine: str,
    trigger: np.ndarray,
    state_perpetrator: np.ndarray,
    belief: np.ndarray,
    commitment: np.ndarray,
    audience_weight: float,
    u: np.ndarray,
    params: Doctrines,
) -> np.ndarray:
    """Response kind per run under a rule doctrine, given a perceived attack today (`trigger`).

    restraint answers nothing (red lines are handled before doctrines); proportional answers every
    attack against the perceived perpetrator; gtft does too but forgives with probability q;
    retaliatory answers every attack and strikes the state when trust is below its threshold.
    """
    in_kind = np.where(state_perpetrator, STRIKE_STATE, STRIKE_PROXY).astype(np.int8)
    if doctrine == "restraint":
        return np.zeros_like(in_kind)
    if doctrine == "proportional":
        chosen = in_kind
    elif doctrine == "gtft":
        forgive = u < forgiveness(params.gtft_forgiveness, commitment, audience_weight)
        chosen = np.where(forgive, NONE, in_kind).astype(np.int8)
    elif doctrine == "retaliatory":
        distrust = belief < params.retaliatory_trust_threshold
        chosen = np.where(distrust, STRIKE_STATE, in_kind).astype(np.int8)
    else:
        raise ValueError(f"unknown doctrine {doctrine!r}")
    return np.where(trigger, chosen, NONE).astype(np.int8)


def war_risk_of_state_strike(
    belief: np.ndarray, retaliation: tuple[float, float], p_warning_delivered: float
) -> np.ndarray:
    """One-step look-ahead: the chance a state strike is answered by a direct strike at war rung.

    A limited adversary answers warned (reaching war rung only when the warning fails);
    an aggressive one answers unwarned.
    """
    limited, aggressive = retaliation
    return belief * limited * (1.0 - p_warning_delivered) + (1.0 - belief) * aggressive


def logit_response(
    trigger: np.ndarray,
    state_perpetrator: np.ndarray,
    belief: np.ndarray,
    commitment: np.ndarray,
    audience_weight: float,
    adversary_retaliation: tuple[float, float],
    adversary_warning: float,
    params: Logit,
    u: np.ndarray,
) -> np.ndarray:
    """Quantal response: P(a) ~ exp(lambda EU(a)) over none, strike proxy, strike state.

    EU(a) = deterrence value - action cost - war cost x war risk(a) - audience cost(a).
    Not responding costs the decider's public commitment; striking a proxy carries a share of
    the war risk of striking the state (`proxy_risk_share`).
    """
    risk = war_risk_of_state_strike(belief, adversary_retaliation, adversary_warning)
    dv, cost = params.deterrence_value, params.action_cost
    eu_none = dv["none"] - cost["none"] - audience_weight * commitment
    eu_proxy = (
        dv["strike_proxy"] - cost["strike_proxy"] - params.war_cost * params.proxy_risk_share * risk
    )
    eu_state = dv["strike_state"] - cost["strike_state"] - params.war_cost * risk
    eu_proxy = np.where(state_perpetrator, -np.inf, eu_proxy)
    eu = np.stack([eu_none, eu_proxy, eu_state])
    weights = np.exp(params.precision * (eu - eu.max(axis=0)))
    cumulative = np.cumsum(weights / weights.sum(axis=0), axis=0)
    choice = (u[None, :] > cumulative[:-1]).sum(axis=0).astype(np.int8)
    return np.where(trigger, choice, NONE).astype(np.int8)
