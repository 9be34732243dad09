"""General (non-diagonal) covariance version of the ``chang2021`` fixed-point theory.

x ~ N(0, Sigma) on the model's p features, y = x^T beta + sigma z. Rotating to the eigenbasis
Sigma = U diag(e) U^T turns the problem into the diagonal one with beta' = U^T beta, so
xi solves tr[Sigma (Sigma + xi I)^{-1}] = n and tau^2 =
(sigma^2 + xi^2 beta^T Sigma (Sigma + xi I)^{-2} beta) / (1 - tr[Sigma^2 (Sigma + xi I)^{-2}] / n).
The surrogate is beta_hat ~ (Sigma + xi I)^{-1} Sigma (beta + Sigma^{-1/2} tau g / sqrt(n)),
i.e. U (m' + v' * g) with (m', v') the diagonal surrogate in the eigenbasis.

Everything here is derived (our derivation, docs/derivations/chang2021.md), not the paper's
theorem.
"""

from __future__ import annotations

import hashlib
import math

import numpy as np

from .fixed_point import _surrogate, _tau2, _underparam_risk, _xi, check_n, check_sigma
from .model import check_rule, count, oracle_support, score_weights

__all__ = ["solve_xi_general", "dense_risk_general", "pruned_risk_general"]

_CHUNK_ELEMS = 2**24  # max entries of the batched (draws, s, s) support Gram blocks


def _check_sigma_matrix(Sigma: object) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Validate Sigma (symmetric positive definite); return (Sigma, eigenvalues, eigenvectors).

    The eigendecomposition is memoized by content (the same Sigma_F serves the dense, pruned
    and retrained risks of one random-features regime)."""
    S = np.ascontiguousarray(Sigma, dtype=np.float64)
    key = hashlib.sha1(S.tobytes() + str(S.shape).encode()).hexdigest()
    if key not in _EIGEN:
        if len(_EIGEN) >= 8:
            _EIGEN.pop(next(iter(_EIGEN)))
        _EIGEN[key] = _eigen(S)
    return _EIGEN[key]


_EIGEN: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}


def _eigen(S: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    if S.ndim != 2 or S.shape[0] != S.shape[1] or S.shape[0] == 0:
        raise ValueError(f"Sigma must be a non-empty square matrix, got shape {S.shape}")
    if not np.all(np.isfinite(S)):
        raise ValueError("Sigma must be finite")
    if not np.allclose(S, S.T, rtol=1e-10, atol=1e-12 * float(np.max(np.abs(S)))):
        raise ValueError("Sigma must be symmetric")
    e, U = np.linalg.eigh(0.5 * (S + S.T))
    if e[0] <= 0:
        raise ValueError(f"Sigma must be positive definite (smallest eigenvalue {e[0]:.3g})")
    return S, e, U


def _check_beta(beta: object, p: int) -> np.ndarray:
    b = np.asarray(beta, dtype=np.float64)
    if b.shape != (p,) or not np.all(np.isfinite(b)):
        raise ValueError(f"beta must be a finite array of length {p} (the size of Sigma)")
    return b


def solve_xi_general(Sigma: np.ndarray, n: int) -> float:
    """xi with tr[Sigma (Sigma + xi I)^{-1}] = n (p > n), 0 for p <= n; via the eigenvalues.

    Derived (our derivation, docs/derivations/chang2021.md), not the paper's theorem.
    """
    _, e, _ = _check_sigma_matrix(Sigma)
    return _xi(e, check_n(n))


def dense_risk_general(Sigma: np.ndarray, beta: np.ndarray, sigma: float, n: int) -> float:
    """Dense risk tau^2 for a general covariance (finite-n exact form for p < n - 1).

    Derived (our derivation, docs/derivations/chang2021.md), not the paper's theorem.
    """
    _, e, U = _check_sigma_matrix(Sigma)
    b = _check_beta(beta, e.size)
    return _tau2(e, U.T @ b, check_sigma(sigma), check_n(n), True)


def _support_noise(Sigma: np.ndarray, beta: np.ndarray, idx: np.ndarray) -> np.ndarray:
    """sigma_S^2 - sigma^2 = min over b supported on S of (b - beta)^T Sigma (b - beta)
    = beta^T Sigma beta - c_S^T Sigma_SS^{-1} c_S with c = Sigma beta, per row of ``idx``."""
    c = Sigma @ beta
    total = float(beta @ c)
    draws, s = idx.shape
    out = np.empty(draws)
    step = max(1, _CHUNK_ELEMS // (s * s))
    for lo in range(0, draws, step):
        blk = idx[lo : lo + step]
        gram = Sigma[blk[:, :, None], blk[:, None, :]]
        cs = c[blk]
        coef = np.linalg.solve(gram, cs[:, :, None])[:, :, 0]
        out[lo : lo + step] = total - np.einsum("ij,ij->i", cs, coef)
    return np.maximum(out, 0.0)


def pruned_risk_general(
    Sigma: np.ndarray,
    beta: np.ndarray,
    sigma: float,
    n: int,
    s: int,
    rule: str = "magnitude",
    retrain: str = "none",
    n_mc: int = 200,
    seed: int = 0,
) -> tuple[float, float]:
    """Monte Carlo (over the surrogate draw g) of the pruned risk for a general Sigma.

    Derived (our derivation, docs/derivations/chang2021.md), not the paper's theorem.
    Each draw b = (Sigma + xi I)^{-1} Sigma (beta + Sigma^{-1/2} tau g / sqrt(n)) is pruned to
    s entries (magnitude: |b_i|; hessian: sqrt(Sigma_ii) |b_i|; oracle: top-s of
    Sigma_ii beta_i^2, all ties to the lower index).
    retrain="none": risk sigma^2 + (b_S - beta)^T Sigma (b_S - beta) (exact for the draw).
    retrain="fresh": least squares on S with fresh data, where the omitted (possibly
    correlated) features act as noise: sigma_S^2 = sigma^2 + min_{supp b in S}
    (b - beta)^T Sigma (b - beta); risk sigma_S^2 (n - 1)/(n - s - 1) for s < n - 1, inf for
    s in {n - 1, n}, and the fixed-point tau^2 of (Sigma_SS, Sigma_SS^{-1} c_S, sigma_S) for
    s > n. Returns (mean, standard error) over ``n_mc`` draws (seeded by ``seed``).
    """
    S, e, U = _check_sigma_matrix(Sigma)
    p = e.size
    b = _check_beta(beta, p)
    sv = check_sigma(sigma)
    nv = check_n(n)
    s_ = count("s", s, 1, p)
    rule_ = check_rule(rule)
    if retrain not in ("none", "fresh"):
        raise ValueError(f"retrain must be 'none' or 'fresh', got {retrain!r}")
    n_mc_ = count("n_mc", n_mc, 2, 10**6)
    m, v, tau2 = _surrogate(e, U.T @ b, sv, nv, True)
    if not math.isfinite(tau2):
        return math.inf, 0.0
    g = np.random.default_rng(seed).standard_normal((n_mc_, p))
    draws = (m + v * g) @ U.T  # rows: surrogate draws of beta_hat in the original basis
    weights = score_weights(rule_, np.diag(S))
    if weights is None:  # the oracle: a fixed support
        idx = np.broadcast_to(oracle_support(np.diag(S), b, s_), (n_mc_, s_))
    else:
        idx = np.argsort(-(weights * np.abs(draws)), axis=1, kind="stable")[:, :s_]
    if retrain == "none":
        mask = np.zeros(draws.shape, dtype=bool)
        np.put_along_axis(mask, idx, True, axis=1)
        dev = np.where(mask, draws, 0.0) - b
        risks = sv * sv + np.einsum("ij,ij->i", dev @ S, dev)
    else:
        sigma_s2 = sv * sv + _support_noise(S, b, idx)
        if s_ <= nv:
            risks = np.array([_underparam_risk(float(x), s_, nv, True) for x in sigma_s2])
        else:
            c = S @ b
            risks = np.empty(n_mc_)
            for j in range(n_mc_):
                sub = S[np.ix_(idx[j], idx[j])]
                coef = np.linalg.solve(sub, c[idx[j]])
                risks[j] = dense_risk_general(sub, coef, math.sqrt(sigma_s2[j]), nv)
    if not np.all(np.isfinite(risks)):
        return math.inf, 0.0
    return float(np.mean(risks)), float(np.std(risks, ddof=1) / math.sqrt(n_mc_))
