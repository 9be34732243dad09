"""``theorycheck.query("chang2021", ...)``: the derived theory evaluated at one regime."""

from __future__ import annotations

import dataclasses
import math
from typing import Any

from theorycheck.params import Param
from theorycheck.regime import ConditionReport, RegimeReport

from .fixed_point import bias_variance, solve_xi
from .model import DESIGNS, RULES, LinearConfig, RandomFeaturesConfig
from .predictions import linear_risk, rf_risk

DESIGN = Param("design", "choice", "regime design (rf: random features)", default="L1",
               choices=(*DESIGNS, "rf"))
PARAMETERS: tuple[tuple[Param, ...], ...] = (
    tuple(s for s in LinearConfig.parameters() if s.name != "estimates"),
    (dataclasses.replace(DESIGN, choices=("rf",), default="rf"),
     *RandomFeaturesConfig.parameters()),
)
"""What ``query`` accepts: a linear design's parameters, or ``design="rf"`` and those of
random features."""
NEAR_ONE = 0.2  # |kappa - 1| below this: the asymptotic formulas are not trustworthy
SMALL_N = 100


def config_of(params: dict[str, Any]) -> LinearConfig | RandomFeaturesConfig:
    """The typed config a query names: ``design`` picks the model, the other parameters are
    that model's (a parameter of another design is refused by name)."""
    design = DESIGN.check(params.get("design", DESIGN.default))
    rest = {k: v for k, v in params.items() if k != "design"}
    if "estimates" in rest:
        raise ValueError("estimates is a simulation option, not a regime parameter; allowed: "
                         f"{sorted({s.name for sig in PARAMETERS for s in sig} - {'estimates'})}")
    if design == "rf":
        return RandomFeaturesConfig.from_mapping(rest)
    return LinearConfig.from_mapping({"design": design, **rest})


def query(**params: Any) -> RegimeReport:
    """Conditions, regime, and predicted risks (all ``derived``) at one regime.

    Parameters: design in {"isotropic", "two_level", "L1", "rf"}, n, p, s (default
    min(150, p) for the linear designs), sigma, and the design's own (beta_norm; k, lam1,
    lam2; d, theta_norm, feature_seed). Bad input raises ValueError naming the parameter and
    its range.
    """
    cfg = config_of(params)
    n, p, s = cfg.n, cfg.p, cfg.s
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
    if isinstance(cfg, RandomFeaturesConfig):
        predictions = {"kappa": kappa, **{f"{w}_risk": rf_risk(cfg, w) for w in
                                          ("dense", "prune", "retrain_fresh", "small")}}
        notes = ["random features: Gaussian-equivalent linear model, pruning by magnitude "
                 "(= Hessian: constant feature variances); pruned risks are Monte Carlo over "
                 "the surrogate (200 draws)"]
        shown: dict[str, Any] = {"design": "rf", **cfg.to_dict()}
    else:
        lam, beta, sig = cfg.design_arrays().model()
        bv = bias_variance(lam, beta, sig, n)
        predictions = {"kappa": kappa, "xi": solve_xi(lam, n), "tau2": bv["tau2"],
                       "bias": bv["bias"], "variance": bv["variance"], "sigma_p": sig}
        for rule in RULES:
            predictions[f"pruned_risk_{rule}"] = linear_risk(cfg, "prune", rule)
            predictions[f"retrained_fresh_risk_{rule}"] = _fresh(cfg, rule, warnings)
        predictions["small_model_risk"] = linear_risk(cfg, "small")
        notes = ["every prediction is derived (docs/derivations/chang2021.md), not the paper's "
                 "theorem; same-data retraining has no formula (simulate it)"]
        shown = cfg.regime()
    if s >= n - 1:
        warnings.append("s >= n - 1: retraining on s features is at or past its own "
                        "interpolation threshold")
    return RegimeReport("chang2021", shown, regime, conditions, predictions, warnings, notes)


def _fresh(cfg: LinearConfig, rule: str, warnings: list[str]) -> float | None:
    try:
        return linear_risk(cfg, "retrain_fresh", rule)
    except ValueError as err:  # s > n with a data-selected support: no formula
        warnings.append(f"retrained_fresh_risk_{rule}: {err}")
        return None


def _log_margin(value: float, bound: float) -> float:
    return math.log(value / bound) if value > 0 else -math.inf
