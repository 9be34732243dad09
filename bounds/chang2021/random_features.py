"""The Gaussian-equivalent linear model of the random-features regime of ``chang2021``.

x ~ N(0, I_d), y = x^T theta + sigma z, features f = phi(R x) with R (p x d, unit rows) and
phi the centered ReLU (``model.RandomFeaturesConfig``). Gaussian equivalence:
f ~ mu1 R x + mu_* h, h ~ N(0, I_p), mu1 = 1/2, mu_*^2 = 1/4 - 1/(2 pi).

The equivalent linear model is derived (our derivation, docs/derivations/chang2021.md), not
the paper's theorem. ``feature_covariance`` is the exact covariance (arc-cosine kernel).
"""

from __future__ import annotations

import math

import numpy as np

from .fixed_point import check_sigma
from .general import Spectrum
from .model import MU1, MU_STAR2, relu_kernel

__all__ = ["feature_covariance", "rf_equivalent", "rf_model"]


def _check_R(R: object) -> np.ndarray:
    A = np.asarray(R, dtype=np.float64)
    if A.ndim != 2 or A.size == 0:
        raise ValueError(f"R must be a non-empty 2-D array (p x d), got shape {A.shape}")
    if not np.all(np.isfinite(A)):
        raise ValueError("R must be finite")
    if not np.allclose(np.linalg.norm(A, axis=1), 1.0, rtol=0, atol=1e-8):
        raise ValueError("R must have unit-norm rows (rows uniform on the unit sphere)")
    return A


def feature_covariance(R: np.ndarray) -> np.ndarray:
    """Exact covariance K of the centered-ReLU features f = phi(R x), x ~ N(0, I_d):
    K_ij = K(r_i^T r_j) with the arc-cosine kernel of ``model.relu_kernel``. The exact risk
    of a second layer b is sigma^2 + ||theta||^2 - 2 mu1 b^T R theta + b^T K b.
    """
    A = _check_R(R)
    return relu_kernel(A @ A.T)


def rf_model(
    R: np.ndarray, theta: np.ndarray, sigma: float
) -> tuple[Spectrum, np.ndarray, float]:
    """Gaussian-equivalent linear model (Sigma_F, beta_F, sigma_e) of the random-features fit,
    with Sigma_F as a :class:`~.general.Spectrum`.

    Derived (our derivation, docs/derivations/chang2021.md), not the paper's theorem.
    Sigma_F = mu1^2 R R^T + mu_*^2 I, beta_F = Sigma_F^{-1} mu1 R theta,
    sigma_e^2 = sigma^2 + ||theta||^2 - mu1^2 theta^T R^T Sigma_F^{-1} R theta
    (the part of the target no linear function of f can reach acts as noise). Sigma_F has a
    constant diagonal, so Hessian pruning equals magnitude pruning here. Its eigenvalues,
    from the thin SVD R = V diag(s) W^T, are mu1^2 s_j^2 + mu_*^2 and, for p > d, mu_*^2
    with multiplicity p - d: O(p d min(p, d)) work, no p x p eigendecomposition.
    """
    A = _check_R(R)
    th = np.asarray(theta, dtype=np.float64)
    if th.shape != (A.shape[1],) or not np.all(np.isfinite(th)):
        raise ValueError(f"theta must be a finite array of length d = {A.shape[1]}")
    sv = check_sigma(sigma)
    spec = Spectrum.of_factor(A, MU1 * MU1, MU_STAR2)
    r_theta = A @ th
    beta_f = spec.apply(1.0 / spec.lam, 1.0 / spec.floor, MU1 * r_theta)
    sigma_e2 = sv * sv + float(th @ th) - MU1 * float(r_theta @ beta_f)
    return spec, beta_f, math.sqrt(max(sigma_e2, sv * sv))


def rf_equivalent(
    R: np.ndarray, theta: np.ndarray, sigma: float
) -> tuple[np.ndarray, np.ndarray, float]:
    """:func:`rf_model` with Sigma_F as a dense p x p matrix."""
    spec, beta_f, sigma_e = rf_model(R, theta, sigma)
    return spec.matrix, beta_f, sigma_e
