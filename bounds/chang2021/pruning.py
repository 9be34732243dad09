"""Pruned and retrained risks of min-norm least squares (paper ``chang2021``).

Conventions: ``lam``, ``beta`` are the model's p features; ``sigma`` is sigma_p (omitted
features already folded in). Pruning keeps s of the p entries:
``magnitude`` (MP, the s largest |beta_hat_i|), ``hessian`` (HP, the s largest
sqrt(lambda_i) |beta_hat_i|, Optimal Brain Damage saliency), ``oracle`` (the top-s set S* of
lambda_i beta_i^2, ties broken by the lower index).

Every formula here is derived (our derivation, docs/derivations/chang2021.md), not the paper's
theorem.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.optimize import brentq
from scipy.special import ndtr

from .fixed_point import _check_model, _surrogate, _tau2, _underparam_risk
from .model import check_rule, count, oracle_support, score_weights, top_s

__all__ = ["keep_probabilities", "pruned_risk", "retrained_risk", "small_model_risk"]

_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)


def _indicator(indices: np.ndarray, size: int) -> np.ndarray:
    keep = np.zeros(size)
    keep[indices] = 1.0
    return keep


def _npdf(x: np.ndarray) -> np.ndarray:
    z = np.clip(x, -50.0, 50.0)  # phi(50) underflows to 0 anyway; avoids overflow in x * x
    return _INV_SQRT_2PI * np.exp(-0.5 * z * z)


def _tail_moments(
    m: np.ndarray, v: np.ndarray, T: np.ndarray, beta: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """For X ~ N(m, v^2) and the event K = {|X| > T}: P(K) and E[(X - beta)^2 1_K].

    With a = (T - m)/v, c = (-T - m)/v, Q = 1 - Phi (paper file): P = Q(a) + Phi(c),
    E1 = m P + v (phi(a) - phi(c)), E2 = (m^2 + v^2) P + v (m + T) phi(a) - v (m - T) phi(c),
    and E[(X - beta)^2 1_K] = E2 - 2 beta E1 + beta^2 P, evaluated in the equivalent centred
    form (d^2 + v^2) P + v phi(a) (2d + T - m) - v phi(c) (2d - T - m), d = m - beta, which
    avoids cancellation when v << |m|; clipped at 0 against rounding (it is an expectation of
    a non-negative quantity).
    """
    with np.errstate(over="ignore", divide="ignore"):
        a = (T - m) / v
        c = (-T - m) / v
    prob = ndtr(-a) + ndtr(c)
    d = m - beta
    sq = (d * d + v * v) * prob + v * _npdf(a) * (2 * d + T - m) - v * _npdf(c) * (2 * d - T - m)
    return prob, np.maximum(sq, 0.0)


def _selection(
    lam: np.ndarray, beta: np.ndarray, m: np.ndarray, v: np.ndarray, s: int, rule: str
) -> tuple[np.ndarray, np.ndarray]:
    """(P(keep_i), E[(beta_hat_i - beta_i)^2 1{keep_i}]) under the surrogate N(m_i, v_i^2)."""
    p = lam.size
    if rule == "oracle" or s == p or not np.any(v > 0):
        # deterministic support: the oracle set, everything, or the top-s of the exact
        # (noise-free) estimate when the surrogate has zero variance
        if rule == "oracle":
            keep = _indicator(oracle_support(lam, beta, s), p)
        elif s == p:
            keep = np.ones(p)
        else:
            keep = _indicator(top_s(np.abs(m) * score_weights(rule, lam), s), p)
        return keep, keep * ((m - beta) ** 2 + v * v)
    if not np.all(np.isfinite(v)):
        # tau = inf (p = n): the noise dominates; use the limiting law m = 0, v_i^2 ~ 1/lambda_i
        m, v = np.zeros(p), 1.0 / np.sqrt(lam)
    scale = score_weights(rule, lam)  # keep |X_i| > T_i = t / weight_i (HP: sqrt(lambda_i))
    groups, inverse, counts = _groups(m, v, beta, scale)
    prob, sq = _threshold(*groups, counts, s)
    return prob[inverse], sq[inverse]


def _groups(
    m: np.ndarray, v: np.ndarray, beta: np.ndarray, scale: np.ndarray
) -> tuple[tuple[np.ndarray, ...], np.ndarray, np.ndarray]:
    """The distinct coordinates (m, v, beta, scale), with sign folded, their counts and the
    map back: ``groups[k][inverse]`` is the coordinate-wise array.

    The tail moments are even in (m, beta) jointly (X -> -X swaps the two tails), so
    (m, beta) and (-m, -beta) are one group. The designs here have few distinct groups
    (L1: 75 strong magnitudes and one weak group, two-level: k/2 + 1), so the threshold
    search costs O(groups), not O(p)."""
    flip = np.where(beta != 0, beta < 0, m < 0)
    cols = (np.where(flip, -m, m), v, np.abs(beta), scale)
    order = np.lexsort(cols[::-1])  # equal rows become neighbours
    rows = np.stack(cols, axis=1)[order]
    first = np.ones(rows.shape[0], dtype=bool)
    first[1:] = np.any(rows[1:] != rows[:-1], axis=1)
    group = np.cumsum(first) - 1
    inverse = np.empty_like(group)
    inverse[order] = group
    return tuple(rows[first].T), inverse, np.bincount(group).astype(np.float64)


def _threshold(
    m: np.ndarray, v: np.ndarray, beta: np.ndarray, scale: np.ndarray, counts: np.ndarray,
    s: int,
) -> tuple[np.ndarray, np.ndarray]:
    """(P(keep), E[(X - beta)^2 1{keep}]) per group, with the threshold t solving
    sum_groups counts P(|X| > t / scale) = s."""

    def excess(u: float) -> float:  # u = log t; exp(u) underflows to t = 0 (keep all) at u_lo
        return float(counts @ _tail_moments(m, v, math.exp(u) / scale, beta)[0]) - s

    # all P(keep_i) < 1e-300 at t_hi
    u_hi = math.log(1.01 * float(np.max(scale * (np.abs(m) + 40.0 * v))))
    u = brentq(excess, u_hi - 1500.0, u_hi, xtol=1e-15, rtol=1e-15, maxiter=500)
    # Brent leaves the sign change inside u +- (1e-15 + 1e-15 |u|). Mix the two ends so that
    # sum P = s holds to rounding, also where the count jumps inside that window (near-ties
    # among coordinates with v << |m|): a randomized threshold, exchangeable among ties.
    du = 2e-15 * (1.0 + abs(u))
    prob_lo, sq_lo = _tail_moments(m, v, math.exp(u - du) / scale, beta)
    prob_hi, sq_hi = _tail_moments(m, v, math.exp(u + du) / scale, beta)
    gap = float(counts @ (prob_lo - prob_hi))
    w = min(max((float(counts @ prob_lo) - s) / gap, 0.0), 1.0) if gap > 0 else 0.0
    return prob_lo + w * (prob_hi - prob_lo), sq_lo + w * (sq_hi - sq_lo)


def keep_probabilities(
    lam: np.ndarray, beta: np.ndarray, sigma: float, n: int, s: int, rule: str
) -> np.ndarray:
    """P(keep_i) under the entrywise Gaussian surrogate, with the threshold t solving
    sum_i P(keep_i) = s.

    Derived (our derivation, docs/derivations/chang2021.md), not the paper's theorem.
    MP keeps i when |beta_hat_i| > t, HP when sqrt(lambda_i)|beta_hat_i| > t, i.e.
    P(keep_i) = Q(a_i) + Phi(c_i), a_i = (T_i - m_i)/v_i, c_i = (-T_i - m_i)/v_i, T_i = t (MP)
    or t / sqrt(lambda_i) (HP). The oracle rule returns the 0/1 indicator of S*.
    """
    lam_a, beta_a, sv, nv = _check_model(lam, beta, sigma, n)
    sv_ = count("s", s, 1, lam_a.size)
    rule_ = check_rule(rule)
    m, v, _ = _surrogate(lam_a, beta_a, sv, nv, True)
    return _selection(lam_a, beta_a, m, v, sv_, rule_)[0]


def pruned_risk(
    lam: np.ndarray, beta: np.ndarray, sigma: float, n: int, s: int, rule: str
) -> float:
    """Test risk after pruning to s entries WITHOUT retraining (kept values unchanged).

    Derived (our derivation, docs/derivations/chang2021.md), not the paper's theorem.
    R_prune = sigma_p^2 + sum_i lambda_i (E2_i - 2 beta_i E1_i + beta_i^2) with the surrogate
    tail moments of :func:`keep_probabilities`; for the oracle support
    R = sigma_p^2 + sum_{i in S*} lambda_i ((m_i - beta_i)^2 + v_i^2) + sum_{i not in S*}
    lambda_i beta_i^2. At s = p this is the dense risk tau^2. inf where tau^2 is (p = n).
    """
    lam_a, beta_a, sv, nv = _check_model(lam, beta, sigma, n)
    s_ = count("s", s, 1, lam_a.size)
    rule_ = check_rule(rule)
    m, v, tau2 = _surrogate(lam_a, beta_a, sv, nv, True)
    if not math.isfinite(tau2):
        return math.inf
    prob, sq = _selection(lam_a, beta_a, m, v, s_, rule_)
    return sv * sv + float(np.sum(lam_a * (sq + beta_a * beta_a * (1.0 - prob))))


def small_model_risk(
    lam: np.ndarray, beta: np.ndarray, sigma: float, n: int, support: np.ndarray
) -> float:
    """Expected risk of least squares (min-norm if |S| > n) fitted on the features in
    ``support`` only (a fixed index set S, chosen without looking at the training data).

    Derived (our derivation, docs/derivations/chang2021.md), not the paper's theorem.
    The dropped features become independent noise, sigma_S^2 = sigma_p^2 +
    sum_{i not in S} lambda_i beta_i^2; then R = sigma_S^2 (n - 1)/(n - s - 1) for s < n - 1
    (exact), inf for s in {n - 1, n}, and the fixed-point tau^2 of (lambda_S, beta_S, sigma_S)
    for s > n.
    """
    lam_a, beta_a, sv, nv = _check_model(lam, beta, sigma, n)
    sup = np.asarray(support)
    if sup.ndim != 1 or sup.size == 0 or not np.issubdtype(sup.dtype, np.integer):
        raise ValueError("support must be a non-empty 1-D integer array of feature indices")
    if np.any(sup < 0) or np.any(sup >= lam_a.size) or np.unique(sup).size != sup.size:
        raise ValueError(f"support must hold distinct indices in [0, {lam_a.size - 1}]")
    inside = np.zeros(lam_a.size, dtype=bool)
    inside[sup] = True
    sigma_s2 = sv * sv + float(np.sum((lam_a * beta_a * beta_a)[~inside]))
    return _tau2(lam_a[inside], beta_a[inside], math.sqrt(sigma_s2), nv, True)


def retrained_risk(
    lam: np.ndarray,
    beta: np.ndarray,
    sigma: float,
    n: int,
    s: int,
    rule: str,
    protocol: str = "fresh",
) -> float:
    """Risk after pruning to s entries and retraining least squares on the kept columns.

    Derived (our derivation, docs/derivations/chang2021.md), not the paper's theorem.
    Only ``protocol="fresh"`` (retraining on fresh data, so the support is independent of the
    retraining data) has a formula. Oracle: :func:`small_model_risk` on S*. Magnitude/Hessian:
    E[sigma_S^2] = sigma_p^2 + sum_i lambda_i beta_i^2 (1 - P(keep_i)) and
    R = E[sigma_S^2] (n - 1)/(n - s - 1) for s < n - 1 (inf for s in {n - 1, n}); for s > n a
    data-selected support has no formula here (ValueError).
    """
    if protocol == "same":
        raise ValueError(
            "same-data retraining has no formula here: it is a simulation-only quantity"
        )
    if protocol != "fresh":
        raise ValueError(f"protocol must be 'fresh' or 'same', got {protocol!r}")
    lam_a, beta_a, sv, nv = _check_model(lam, beta, sigma, n)
    s_ = count("s", s, 1, lam_a.size)
    rule_ = check_rule(rule)
    if rule_ == "oracle":
        support = oracle_support(lam_a, beta_a, s_)
        return small_model_risk(lam_a, beta_a, sv, nv, support)
    if s_ > nv:
        raise ValueError(
            f"s = {s_} > n = {nv}: fresh-data retraining on a data-selected ({rule_}) support "
            "has no formula here (the fixed-point risk is not linear in sigma_S^2); "
            "use s < n - 1, the oracle rule, or pruned_risk_general"
        )
    m, v, _ = _surrogate(lam_a, beta_a, sv, nv, True)
    prob, _ = _selection(lam_a, beta_a, m, v, s_, rule_)
    sigma_s2 = sv * sv + float(np.sum(lam_a * beta_a * beta_a * (1.0 - prob)))
    return _underparam_risk(sigma_s2, s_, nv, True)
