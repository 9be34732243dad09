"""Predictions at a sweep point: the derived theory evaluated at a typed model config.

The simulators receive the same config objects (``model.LinearConfig``,
``model.RandomFeaturesConfig``), so theory and simulation read one definition of each regime.
Every prediction here is derived (docs/derivations/chang2021.md), not the paper's theorem.
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np

from .fixed_point import dense_risk, surrogate
from .general import Spectrum, dense_risk_general, pruned_risk_general
from .model import LinearConfig, RandomFeaturesConfig, _design, check_rule
from .pruning import pruned_risk, retrained_risk, small_model_risk
from .random_features import rf_model

LINEAR_WHATS = ("dense", "prune", "retrain_fresh", "small")


@lru_cache(maxsize=4096)
def linear_risk(config: LinearConfig, what: str, rule: str | None = None) -> float:
    """Predicted risk of ``what`` in {"dense", "prune", "retrain_fresh", "small"} at a
    linear config; ``rule`` in {"magnitude", "hessian", "oracle"} for prune / retrain."""
    d = config.design_arrays()
    lam, beta, sig = d.model()
    if what == "dense":
        return dense_risk(lam, beta, sig, d.n)
    if what == "small":
        return small_model_risk(lam, beta, sig, d.n, d.oracle_support())
    rule = check_rule(rule)
    if what == "prune":
        return pruned_risk(lam, beta, sig, d.n, d.s, rule)
    if what == "retrain_fresh":
        return retrained_risk(lam, beta, sig, d.n, d.s, rule, protocol="fresh")
    raise ValueError(f"what must be one of {LINEAR_WHATS}, got {what!r}")


def standardized_entries(config: LinearConfig, index: list[int],
                         values: list[float]) -> np.ndarray:
    """(beta_hat_i - m_i) / v_i with the surrogate mean m_i and sd v_i (derived)."""
    lam, beta, sig = config.design_arrays().model()
    m, v = surrogate(lam, beta, sig, config.n)
    idx = np.asarray(index, dtype=int)
    return (np.asarray(values, float) - m[idx]) / v[idx]


@lru_cache(maxsize=64)  # a random-features config holds its p x d first layer
def rf_risk(config: RandomFeaturesConfig, what: str, n_mc: int = 200) -> float:
    """Predicted risk of the random-features model through its Gaussian-equivalent linear
    model (derived): ``what`` in {"dense", "prune", "retrain_fresh", "small"}; pruning is by
    magnitude (= Hessian here); "small" is the s-neuron model trained directly. The
    pruned risks are Monte Carlo over the surrogate draw (``n_mc`` draws, seed 0)."""
    sigma_f, beta_f, sigma_e = _rf_model(config, what == "small")
    if what in ("dense", "small"):
        return dense_risk_general(sigma_f, beta_f, sigma_e, config.n)
    if what not in ("prune", "retrain_fresh"):
        raise ValueError(f"what must be one of {LINEAR_WHATS}, got {what!r}")
    retrain = {"prune": "none", "retrain_fresh": "fresh"}[what]
    mean, _ = pruned_risk_general(sigma_f, beta_f, sigma_e, config.n, config.s, "magnitude",
                                  retrain=retrain, n_mc=n_mc, seed=0)
    return mean


@lru_cache(maxsize=8)
def _rf_model(config: RandomFeaturesConfig, small: bool) -> tuple[Spectrum, np.ndarray, float]:
    """The Gaussian-equivalent model of ``config`` (its first s neurons when ``small``)."""
    R, theta = config.layers
    return rf_model(R[: config.s] if small else R, theta, config.sigma)


def finite(value: float) -> float:
    """``value`` where finite, else NaN (a diverging formula is no prediction to compare)."""
    return value if math.isfinite(value) else float("nan")


def clear_caches() -> None:
    """Forget every memoized design and risk (a cold query, as a fresh process answers it)."""
    for f in (linear_risk, rf_risk, _rf_model, _design):
        f.cache_clear()
