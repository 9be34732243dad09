"""Predictions at a sweep point: the theory of this package evaluated at a configuration.

A configuration is the JSON-able dict a sweep point carries (``{"design": "L1", "n": 200,
"p": 400, "s": 150, "sigma": 0.5}``, or a random-features one with ``d`` and
``feature_seed``); the simulators receive the same dict, so theory and simulation read one
definition of each regime (``designs.py``).
"""

from __future__ import annotations

import json
import math
from functools import lru_cache
from typing import Any

import numpy as np

from .designs import Design, make_design, random_features
from .fixed_point import dense_risk, surrogate
from .general import dense_risk_general, pruned_risk_general
from .pruning import pruned_risk, retrained_risk, small_model_risk
from .random_features import rf_equivalent

RUN_ONLY_KEYS = ("estimates",)


def design_of(config: dict[str, Any]) -> Design:
    """The linear design a configuration names (run-only keys such as ``estimates`` dropped)."""
    params = {k: v for k, v in config.items() if k not in ("design", *RUN_ONLY_KEYS)}
    return make_design(config["design"], **params)


def _key(config: dict[str, Any]) -> str:
    return json.dumps(config, sort_keys=True)


@lru_cache(maxsize=4096)
def _linear(key: str, what: str, rule: str | None) -> float:
    d = design_of(json.loads(key))
    lam, beta, sig = d.model()
    if what == "dense":
        return dense_risk(lam, beta, sig, d.n)
    if what == "prune":
        return pruned_risk(lam, beta, sig, d.n, d.s, rule)
    if what == "retrain_fresh":
        return retrained_risk(lam, beta, sig, d.n, d.s, rule, protocol="fresh")
    if what == "small":
        return small_model_risk(lam, beta, sig, d.n, d.oracle_support())
    raise ValueError(f"what must be dense, prune, retrain_fresh or small, got {what!r}")


def linear_risk(config: dict[str, Any], what: str, rule: str | None = None) -> float:
    """Predicted risk (derived formulas) of ``what`` in {"dense", "prune", "retrain_fresh",
    "small"} at a linear configuration; ``rule`` in {"magnitude", "hessian", "oracle"}."""
    return _linear(_key(config), what, rule)


def standardized_entries(config: dict[str, Any], index: list[int],
                         values: list[float]) -> np.ndarray:
    """(beta_hat_i - m_i) / v_i with the surrogate mean m_i and sd v_i (derived)."""
    d = design_of(config)
    lam, beta, sig = d.model()
    m, v = surrogate(lam, beta, sig, d.n)
    idx = np.asarray(index, dtype=int)
    return (np.asarray(values, float) - m[idx]) / v[idx]


@lru_cache(maxsize=256)
def _rf(key: str, what: str, n_mc: int) -> float:
    cfg = json.loads(key)
    R, theta = random_features(cfg["d"], cfg["p"], cfg["theta_norm"], cfg["feature_seed"])
    if what == "small":
        R = R[: cfg["s"]]
    sigma_f, beta_f, sigma_e = rf_equivalent(R, theta, cfg["sigma"])
    if what in ("dense", "small"):
        return dense_risk_general(sigma_f, beta_f, sigma_e, cfg["n"])
    retrain = {"prune": "none", "retrain_fresh": "fresh"}[what]
    mean, _ = pruned_risk_general(sigma_f, beta_f, sigma_e, cfg["n"], cfg["s"], "magnitude",
                                  retrain=retrain, n_mc=n_mc, seed=0)
    return mean


def rf_risk(config: dict[str, Any], what: str, n_mc: int = 200) -> float:
    """Predicted risk of the random-features model through its Gaussian-equivalent linear
    model (derived): ``what`` in {"dense", "prune", "retrain_fresh", "small"}; pruning is by
    magnitude (= Hessian here); "small" is the s-neuron model trained directly. The
    pruned risks are Monte Carlo over the surrogate draw (``n_mc`` draws, seed 0)."""
    return _rf(_key(config), what, n_mc)


def finite(value: float) -> float:
    """``value`` where finite, else NaN (a diverging formula is no prediction to compare)."""
    return value if math.isfinite(value) else float("nan")
