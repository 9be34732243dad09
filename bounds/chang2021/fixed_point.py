"""Fixed-point theory of min-norm least squares (paper ``chang2021``, notation of its paper file).

Setting: x ~ N(0, diag(lambda_1..lambda_p)) on the model's p features, y = x^T beta + sigma_p z,
n samples, kappa = p / n. ``sigma`` below is always sigma_p: the noise level with the omitted
features already folded in, sigma_p^2 = sigma^2 + sum_{i>p} lambda_i beta_i^2.

Every formula here is derived (our derivation, docs/derivations/chang2021.md), not the paper's
theorem; the isotropic special case is Hastie, Montanari, Rosset, Tibshirani (2019), Theorem 1.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.optimize import brentq

from .model import LinearConfig, check_spectrum

__all__ = [
    "solve_xi",
    "df2",
    "effective_noise",
    "dense_risk",
    "bias_variance",
    "surrogate",
]


def check_sigma(sigma: object) -> float:
    """The noise level, validated like the configs' ``sigma``."""
    return LinearConfig.parameter("sigma").check(sigma)


def check_n(n: object) -> int:
    return LinearConfig.parameter("n").check(n)


def _check_model(
    lam: object, beta: object, sigma: object, n: object
) -> tuple[np.ndarray, np.ndarray, float, int]:
    """Validate (lam, beta, sigma, n); return float64 arrays, float sigma and int n."""
    lam_a = check_spectrum(lam)
    beta_a = np.asarray(beta, dtype=np.float64)
    if beta_a.shape != lam_a.shape:
        raise ValueError(
            f"beta must have the same length as lam ({lam_a.size}), got shape {beta_a.shape}"
        )
    if not np.all(np.isfinite(beta_a)):
        raise ValueError("beta must be finite")
    return lam_a, beta_a, check_sigma(sigma), check_n(n)


def _xi(lam: np.ndarray, n: int) -> float:
    """Root xi > 0 of sum_i lam_i / (lam_i + xi) = n for p > n (inputs already validated).

    Bracket: lam_min (p - n) / n <= xi <= sum(lam) / n, because every term is at least
    lam_min / (lam_min + xi) and below lam_i / xi. Brent's method on u = log xi, then one
    Newton step in xi to polish to the last few ulps.
    """
    p = lam.size
    if p <= n:
        return 0.0

    def f(u: float) -> float:
        return float(np.sum(lam / (lam + math.exp(u)))) - n

    # widened by 1% so that rounding cannot put the root outside (constant spectra sit on lo)
    lo = math.log(float(lam.min()) * (p - n) / n) - 0.01
    hi = math.log(float(lam.sum()) / n) + 0.01
    u = brentq(f, lo, hi, xtol=1e-300, rtol=1e-15, maxiter=500)
    xi = math.exp(u)
    w = lam / (lam + xi)
    deriv = float(np.sum(w * w / lam))  # -d/dxi sum lam/(lam+xi)
    step = (float(np.sum(w)) - n) / deriv
    return xi + step if xi + step > 0 else xi


def solve_xi(lam: np.ndarray, n: int) -> float:
    """Fixed point xi of min-norm least squares: derived (our derivation,
    docs/derivations/chang2021.md), not the paper's theorem.

    For p > n, xi > 0 is the unique root of sum_{i<=p} lambda_i / (lambda_i + xi) = n (the left
    side decreases from p to 0); for p <= n, xi = 0.
    """
    return _xi(check_spectrum(lam), check_n(n))


def df2(lam: np.ndarray, xi: float) -> float:
    """Second degrees of freedom df2 = sum_i lambda_i^2 / (lambda_i + xi)^2 (= p when xi = 0).

    Derived (our derivation, docs/derivations/chang2021.md), not the paper's theorem.
    """
    lam_a = check_spectrum(lam)
    xv = float(xi)
    if not math.isfinite(xv) or xv < 0:
        raise ValueError(f"xi must be finite and >= 0, got {xi!r}")
    r = lam_a / (lam_a + xv)
    return float(np.sum(r * r))


def _underparam_risk(sigma2: float, k: int, n: int, finite_n: bool) -> float:
    """E[risk] of least squares on k <= n features with independent noise variance sigma2.

    finite_n: sigma2 (n - 1) / (n - k - 1) (exact Gaussian expectation, infinite for
    k in {n - 1, n}); else the asymptotic sigma2 / (1 - k / n) (infinite at k = n).
    Zero noise gives exact recovery (risk 0) whenever k <= n.
    """
    if sigma2 == 0.0:
        return 0.0
    if finite_n:
        return sigma2 * (n - 1) / (n - k - 1) if k < n - 1 else math.inf
    return sigma2 / (1.0 - k / n) if k < n else math.inf


def _tau2(lam: np.ndarray, beta: np.ndarray, sigma: float, n: int, finite_n: bool) -> float:
    p = lam.size
    if p <= n:
        return _underparam_risk(sigma * sigma, p, n, finite_n)
    xi = _xi(lam, n)
    r = lam / (lam + xi)
    d2 = float(np.sum(r * r))
    bias_num = xi * xi * float(np.sum(lam * beta * beta / (lam + xi) ** 2))
    return (sigma * sigma + bias_num) / (1.0 - d2 / n)


def effective_noise(
    lam: np.ndarray, beta: np.ndarray, sigma: float, n: int, finite_n: bool = True
) -> float:
    """Effective noise tau^2 of the min-norm least-squares estimator.

    Derived (our derivation, docs/derivations/chang2021.md), not the paper's theorem.

    p > n:  tau^2 = (sigma_p^2 + xi^2 sum_i lambda_i beta_i^2 / (lambda_i + xi)^2) / (1 - df2/n)
            (asymptotic; no finite-n correction is known, ``finite_n`` is ignored).
    p < n:  finite_n: sigma_p^2 (n - 1) / (n - p - 1) (exact expectation; inf for p = n - 1),
            else sigma_p^2 / (1 - kappa).
    p = n:  inf. With sigma_p = 0 and p <= n, least squares recovers beta exactly: 0.
    """
    lam_a, beta_a, sv, nv = _check_model(lam, beta, sigma, n)
    return _tau2(lam_a, beta_a, sv, nv, bool(finite_n))


def dense_risk(
    lam: np.ndarray, beta: np.ndarray, sigma: float, n: int, finite_n: bool = True
) -> float:
    """Dense test risk E[R(beta_hat)] = tau^2 (see :func:`effective_noise`).

    Derived (our derivation, docs/derivations/chang2021.md), not the paper's theorem.
    """
    return effective_noise(lam, beta, sigma, n, finite_n=finite_n)


def bias_variance(
    lam: np.ndarray, beta: np.ndarray, sigma: float, n: int, finite_n: bool = True
) -> dict[str, float]:
    """Split tau^2 = sigma_p^2 + B + V.

    Derived (our derivation, docs/derivations/chang2021.md), not the paper's theorem.
    p > n: V = sigma_p^2 (df2/n) / (1 - df2/n), B = xi^2 sum lambda_i beta_i^2/(lambda_i+xi)^2
    / (1 - df2/n). p <= n: B = 0 (least squares is unbiased), V = tau^2 - sigma_p^2.
    Returns dict(bias=B, variance=V, tau2=tau^2, noise=sigma_p^2).
    """
    lam_a, beta_a, sv, nv = _check_model(lam, beta, sigma, n)
    s2 = sv * sv
    tau2 = _tau2(lam_a, beta_a, sv, nv, bool(finite_n))
    if lam_a.size <= nv:
        return {"bias": 0.0, "variance": tau2 - s2, "tau2": tau2, "noise": s2}
    xi = _xi(lam_a, nv)
    r = lam_a / (lam_a + xi)
    q = float(np.sum(r * r)) / nv
    bias = xi * xi * float(np.sum(lam_a * beta_a * beta_a / (lam_a + xi) ** 2)) / (1.0 - q)
    return {"bias": bias, "variance": s2 * q / (1.0 - q), "tau2": tau2, "noise": s2}


def _surrogate_law(
    lam: np.ndarray, beta: np.ndarray, sigma: float, n: int, finite_n: bool
) -> tuple[np.ndarray, np.ndarray, float]:
    """(shrink, v, tau^2) for validated inputs: beta_hat_i ~ N(shrink_i beta_i, v_i^2), where
    shrink_i and v_i depend on lambda_i alone (and on xi, tau), so that in a non-diagonal
    basis the surrogate is the matrix function shrink(Sigma) beta + v(Sigma) g."""
    p = lam.size
    tau2 = _tau2(lam, beta, sigma, n, finite_n)
    if p <= n:
        ones = np.ones_like(lam)
        if sigma == 0.0:
            return ones, np.zeros_like(lam), tau2
        dof = (n - p - 1) if finite_n else (n - p)
        if dof <= 0:
            return ones, np.full_like(lam, math.inf), tau2
        return ones, sigma / np.sqrt(lam * dof), tau2
    xi = _xi(lam, n)
    return lam / (lam + xi), math.sqrt(tau2) * np.sqrt(lam / n) / (lam + xi), tau2


def _surrogate(
    lam: np.ndarray, beta: np.ndarray, sigma: float, n: int, finite_n: bool
) -> tuple[np.ndarray, np.ndarray, float]:
    """(m, v, tau^2) for validated inputs (m = shrink * beta, see :func:`_surrogate_law`)."""
    shrink, v, tau2 = _surrogate_law(lam, beta, sigma, n, finite_n)
    return shrink * beta, v, tau2


def surrogate(
    lam: np.ndarray, beta: np.ndarray, sigma: float, n: int, finite_n: bool = True
) -> tuple[np.ndarray, np.ndarray]:
    """Entrywise Gaussian surrogate beta_hat_i ~ N(m_i, v_i^2) of min-norm least squares.

    Derived (our derivation, docs/derivations/chang2021.md), not the paper's theorem.
    p > n: m_i = lambda_i beta_i / (lambda_i + xi), v_i = tau sqrt(lambda_i / n) / (lambda_i + xi)
    (ridge with penalty xi in the sequence model Sigma^{1/2} beta + tau g / sqrt(n)).
    p < n: m_i = beta_i, v_i^2 = sigma_p^2 / (lambda_i (n - p - 1)) (exact finite-n variance of
    least squares; with finite_n=False, sigma_p^2 / (lambda_i (n - p))); inf where that
    diverges, 0 when sigma_p = 0. Returns (m, v) with v the standard deviations.
    """
    lam_a, beta_a, sv, nv = _check_model(lam, beta, sigma, n)
    m, v, _ = _surrogate(lam_a, beta_a, sv, nv, bool(finite_n))
    return m, v
