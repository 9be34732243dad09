"""``theorycheck.query("chang2021", ...)``: the derived theory evaluated at one regime."""

from __future__ import annotations

import math
from typing import Any

from theorycheck.regime import ConditionReport, Param, RegimeReport, validate

from .designs import DESIGNS
from .fixed_point import bias_variance, solve_xi
from .predictions import design_of, linear_risk, rf_risk
from .pruning import RULES

PARAMS = [
    Param("design", "choice", "regime design", default="L1",
          choices=(*sorted(DESIGNS), "rf")),
    Param("n", "int", "training samples", default=200, low=1),
    Param("p", "int", "features of the large model (neurons for rf)", low=1),
    Param("s", "int", "entries kept by pruning (default min(150, p))", low=1, optional=True),
    Param("sigma", "float", "noise standard deviation", default=0.5, low=0),
    Param("beta_norm", "float", "||beta|| (isotropic, two_level)", default=1.0, low=0),
    Param("k", "int", "number of strong features (two_level)", default=10, low=1),
    Param("lam1", "float", "strong eigenvalue (two_level)", default=1.0, low=0, low_open=True),
    Param("lam2", "float", "weak eigenvalue (two_level)", default=0.1, low=0, low_open=True),
    Param("d", "int", "input dimension (rf)", default=100, low=1),
    Param("theta_norm", "float", "||theta|| (rf)", default=1.0, low=0),
    Param("feature_seed", "int", "seed of R and theta (rf)", default=0, low=0),
]
NEAR_ONE = 0.2  # |kappa - 1| below this: the asymptotic formulas are not trustworthy
SMALL_N = 100


def config_of(v: dict[str, Any]) -> dict[str, Any]:
    """The sweep-style configuration of validated query parameters."""
    if v["design"] == "rf":
        keys = ("d", "n", "p", "s", "sigma", "theta_norm", "feature_seed")
    else:
        keys = {"isotropic": ("n", "p", "s", "sigma", "beta_norm"),
                "two_level": ("n", "p", "s", "sigma", "k", "lam1", "lam2", "beta_norm"),
                "L1": ("n", "p", "s", "sigma")}[v["design"]]
    cfg = {k: v[k] for k in keys}
    return cfg if v["design"] == "rf" else {"design": v["design"], **cfg}


def query(**params: Any) -> RegimeReport:
    """Conditions, regime, and predicted risks (all ``derived``) at one regime.

    Parameters: design in {"isotropic", "two_level", "L1", "rf"}, n, p, s (default
    min(150, p)), sigma, and the design's own (beta_norm; k, lam1, lam2; d, theta_norm,
    feature_seed). Bad input raises ValueError naming the parameter and its range.
    """
    v = validate(PARAMS, params)
    if v["s"] is None:
        v["s"] = min(150, v["p"])
    if v["s"] > v["p"]:
        raise ValueError(f"s must be an integer in [1, p] = [1, {v['p']}], got {v['s']}")
    if v["design"] == "two_level" and v["k"] > v["p"]:
        raise ValueError(f"k must be an integer in [1, p] = [1, {v['p']}], got {v['k']}")
    cfg = config_of(v)
    n, p, s = v["n"], v["p"], v["s"]
    kappa = p / n
    regime = ("interpolation threshold (p = n)" if p == n else
              "overparameterized (p > n)" if p > n else "underparameterized (p < n)")
    conditions = [
        ConditionReport("kappa away from 1", ">=", abs(kappa - 1), NEAR_ONE,
                        _log_margin(abs(kappa - 1), NEAR_ONE), abs(kappa - 1) >= NEAR_ONE,
                        "asymptotic formulas are off by several percent near kappa = 1"),
        ConditionReport("n large", ">=", n, SMALL_N, _log_margin(n, SMALL_N), n >= SMALL_N,
                        "the fixed-point theory is asymptotic in n"),
    ]
    warnings = [f"{c.name} fails ({c.note})" for c in conditions if not c.holds]
    if v["design"] == "rf":
        predictions = {"kappa": kappa, **{f"{w}_risk": rf_risk(cfg, w) for w in
                                          ("dense", "prune", "retrain_fresh", "small")}}
        notes = ["random features: Gaussian-equivalent linear model, pruning by magnitude "
                 "(= Hessian: constant feature variances); pruned risks are Monte Carlo over "
                 "the surrogate (200 draws)"]
    else:
        lam, beta, sig = design_of(cfg).model()
        bv = bias_variance(lam, beta, sig, n)
        predictions = {"kappa": kappa, "xi": solve_xi(lam, n), "tau2": bv["tau2"],
                       "bias": bv["bias"], "variance": bv["variance"],
                       "sigma_p": sig}
        for rule in RULES:
            predictions[f"pruned_risk_{rule}"] = linear_risk(cfg, "prune", rule)
            predictions[f"retrained_fresh_risk_{rule}"] = _fresh(cfg, rule)
        predictions["small_model_risk"] = linear_risk(cfg, "small")
        notes = ["every prediction is derived (docs/derivations/chang2021.md), not the paper's "
                 "theorem; same-data retraining has no formula (simulate it)"]
    if s >= n - 1:
        warnings.append("s >= n - 1: retraining on s features is at or past its own "
                        "interpolation threshold")
    shown = cfg if v["design"] == "rf" else cfg | {"design": v["design"]}
    return RegimeReport("chang2021", shown, regime, conditions, predictions, warnings, notes)


def _fresh(cfg: dict[str, Any], rule: str) -> float:
    try:
        return linear_risk(cfg, "retrain_fresh", rule)
    except ValueError:
        return float("nan")  # s > n with a data-selected support: no formula


def _log_margin(value: float, bound: float) -> float:
    return math.log(value / bound) if value > 0 else -math.inf
