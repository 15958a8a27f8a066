"""Global sensitivity of an outcome probability to the uncertainties, per policy (SALib).

Which estimator is valid depends on how the futures were sampled:

* ``saltelli``: variance-based Sobol' indices (``SALib.analyze.sobol``): first-order S1,
  total-order ST and, with a second-order design, pairwise S2, all with bootstrap confidence
  intervals. Y is taken in sample order, which is SALib's Saltelli block order.
* ``morris``: elementary effects (``SALib.analyze.morris``) on the trajectories in
  ``design.unit``: mu_star (mean absolute effect, a ranking measure), its confidence interval,
  and sigma (spread, a sign of interactions or non-linearity). Effects are changes of
  P(outcome) per full range of the uncertainty (the problem is posed on the unit cube).
* ``lhs`` / ``sobol``: a space-filling sample has no Saltelli structure, so ST and S2 cannot be
  estimated from it. We report RBD-FAST first-order indices (``SALib.analyze.rbd_fast``, valid
  for any sample, rank-based so the unit-cube or real values give the same answer) with
  bootstrap confidence intervals; the share of variance they leave unexplained
  (1 - sum S1) is a lower bound on the interaction effects. Re-run the study with the
  ``saltelli`` sampler for total-order indices.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd

from crisislab.analysis._common import (
    outcome_column,
    outcome_words,
    per_future,
    rnd,
)
from crisislab.analysis.design import DesignInfo

METHODS = {"saltelli": "sobol", "morris": "morris", "lhs": "rbd_fast", "sobol": "rbd_fast"}

ABOUT = {
    "sobol": (
        "Variance-based Sobol' indices from the Saltelli design: S1 is the share of the "
        "variance of P(outcome) across futures due to one uncertainty alone, ST adds all its "
        "interactions."
    ),
    "morris": (
        "Morris elementary effects: mu_star ranks the uncertainties by mean absolute effect on "
        "P(outcome) over their full range; a large sigma signals interactions or non-linearity."
    ),
    "rbd_fast": (
        "Variance-based total-order indices need the saltelli sampler. Shown instead: RBD-FAST "
        "first-order indices S1 (share of variance due to each uncertainty alone) with "
        "bootstrap confidence intervals; 1 - sum(S1) bounds the interactions from below."
    ),
}

MIN_RBD_FUTURES = 20


def salib_problem(design: DesignInfo) -> dict[str, Any]:
    """The SALib problem over the unit cube, one variable per uncertainty path.

    Analyses run on the unit cube because that is where the sampler built its design; indices
    do not depend on the real ranges.
    """
    d = len(design.uncertainties)
    return {"num_vars": d, "names": list(design.uncertainties), "bounds": [[0.0, 1.0]] * d}


def sensitivity(
    points: pd.DataFrame,
    design: DesignInfo,
    outcome: str = "war",
    seed: int = 0,
    num_resamples: int = 100,
    conf_level: float = 0.95,
) -> dict[str, Any]:
    """Which uncertainties drive P(outcome), per policy, with the estimator the sampler allows.

    See the module docstring for the method used per sampler. Futures with missing points are
    dropped together with the Saltelli block or Morris trajectory they belong to (a warning
    says how many); the seed fixes the bootstrap so results are reproducible.
    """
    column = outcome_column(points, outcome)
    method = METHODS[design.sampler]
    warn: list[str] = []
    result: dict[str, Any] = {
        "outcome": column[2:],
        "sampler": design.sampler,
        "method": method,
        "about": ABOUT[method],
        "policies": [],
        "warnings": warn,
    }
    if not design.uncertainties:
        warn.append("the design has no uncertainties, so there is nothing to attribute")
        return result
    if design.unit is None and method != "rbd_fast":
        warn.append(f"the {design.sampler} analysis needs design.unit (the sample matrix)")
        return result

    table = per_future(points, column)
    x = _unit_matrix(points, design)
    n_samples = x.shape[0]
    block = _block_size(design)
    if block and n_samples % block:
        warn.append(
            f"{n_samples} samples is not a whole number of {design.sampler} blocks of {block}"
            + (" (is second_order set right?)" if design.sampler == "saltelli" else "")
        )
        return result

    problem = salib_problem(design)
    name = outcome_words(outcome)
    for policy in table.index:
        y = table.loc[policy].reindex(range(n_samples)).to_numpy(dtype=float)
        entry: dict[str, Any] = {"policy": str(policy)}
        keep = _complete_rows(y, block)
        dropped = int((~keep).sum())
        if dropped:
            whole = f" ({dropped // block} whole blocks)" if block else ""
            warn.append(
                f"{policy}: {dropped} of {n_samples} samples left out{whole} "
                "because points are missing"
            )
        ys, xs = y[keep], x[keep]
        entry["futures_used"] = len(ys)
        minimum = MIN_RBD_FUTURES if method == "rbd_fast" else 2 * (block or 1)
        if len(ys) < minimum:
            entry["message"] = f"too few complete futures ({len(ys)}) for {method}"
            entry["indices"] = None
        elif np.ptp(ys) == 0:
            entry["message"] = (
                f"P({name}) is {rnd(ys[0])} in every future, so no uncertainty moves it"
            )
            entry["indices"] = None
        else:
            entry.update(_analyse(method, problem, design, xs, ys, seed, num_resamples, conf_level))
        result["policies"].append(entry)
    return result


def _analyse(
    method: str,
    problem: dict[str, Any],
    design: DesignInfo,
    x: np.ndarray,
    y: np.ndarray,
    seed: int,
    num_resamples: int,
    conf_level: float,
) -> dict[str, Any]:
    names = problem["names"]
    # Sobol gets a Generator, not the int: SALib's Sobol analysis ignores a seed of 0
    # (`if seed:`) and draws its bootstrap unseeded, so its intervals changed on every call
    rng = np.random.default_rng(seed)
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        if method == "sobol":
            from SALib.analyze import sobol

            si = sobol.analyze(
                problem,
                y,
                calc_second_order=design.second_order,
                num_resamples=num_resamples,
                conf_level=conf_level,
                seed=rng,
            )
            keys, rank_by = ["S1", "S1_conf", "ST", "ST_conf"], "ST"
        elif method == "morris":
            from SALib.analyze import morris

            si = morris.analyze(
                problem,
                x,
                y,
                num_resamples=num_resamples,
                conf_level=conf_level,
                num_levels=design.morris_levels,
                seed=seed,
            )
            keys, rank_by = ["mu_star", "mu_star_conf", "mu", "sigma"], "mu_star"
        else:
            from SALib.analyze import rbd_fast

            harmonics = max(1, min(10, len(y) // 8))
            si = rbd_fast.analyze(
                problem,
                x,
                y,
                M=harmonics,
                num_resamples=num_resamples,
                conf_level=conf_level,
                seed=seed,
            )
            keys, rank_by = ["S1", "S1_conf"], "S1"

    indices = [
        {"name": n, "label": design.label(n), **{k: rnd(si[k][i]) for k in keys}}
        for i, n in enumerate(names)
    ]
    out: dict[str, Any] = {
        "indices": indices,
        "ranking": [
            e["name"]
            for e in sorted(
                indices,
                key=lambda e: e[rank_by] if e[rank_by] is not None else -np.inf,
                reverse=True,
            )
        ],
    }
    if method == "sobol" and design.second_order:
        out["S2"] = [
            {
                "a": names[i],
                "b": names[j],
                "S2": rnd(si["S2"][i][j]),
                "S2_conf": rnd(si["S2_conf"][i][j]),
            }
            for i in range(len(names))
            for j in range(i + 1, len(names))
        ]
    if method == "rbd_fast":
        out["unexplained"] = rnd(1.0 - float(np.nansum(np.clip(si["S1"], 0.0, None))))
    return out


def _block_size(design: DesignInfo) -> int:
    """Rows that only make sense together: a Saltelli block or a Morris trajectory (0: none)."""
    d = len(design.uncertainties)
    if design.sampler == "saltelli":
        return 2 * d + 2 if design.second_order else d + 2
    if design.sampler == "morris":
        return d + 1
    return 0


def _complete_rows(y: np.ndarray, block: int) -> np.ndarray:
    """Rows to keep: observed futures, and for blocked designs only whole blocks."""
    present = ~np.isnan(y)
    if not block:
        return present
    whole = present.reshape(-1, block).all(axis=1)
    return np.repeat(whole, block)


def _unit_matrix(points: pd.DataFrame, design: DesignInfo) -> np.ndarray:
    """design.unit, or (lhs/sobol only) the real values per sample, which rank-based RBD-FAST
    treats the same way."""
    if design.unit is not None:
        return design.unit
    by_sample = points.groupby("sample", sort=True)[design.uncertainties].first()
    n = int(by_sample.index.max()) + 1 if len(by_sample) else 0
    return by_sample.reindex(range(n)).to_numpy(dtype=float)
