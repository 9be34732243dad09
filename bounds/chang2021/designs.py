"""Regimes of ``chang2021`` as arrays, one definition each.

A :class:`Design` holds all D features of the data model (x ~ N(0, diag(lam)), target
y = x^T beta + sigma z), the sample size n, the model size p <= D and the target sparsity s.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from scipy.special import ndtri

from .fixed_point import _check_int, _check_lam, _check_sigma

__all__ = ["Design", "isotropic", "two_level", "L1", "random_features", "make_design", "DESIGNS"]


@dataclass(frozen=True, eq=False)
class Design:
    """A regime: ``lam``, ``beta`` over all D features (read-only copies), noise sd ``sigma``,
    sample size ``n``, model size ``p`` (the first p features), sparsity ``s`` (1 <= s <= p)."""

    name: str
    lam: np.ndarray = field(repr=False)
    beta: np.ndarray = field(repr=False)
    sigma: float
    n: int
    p: int
    s: int

    def __post_init__(self) -> None:
        lam = _check_lam(self.lam).copy()
        beta = np.array(self.beta, dtype=np.float64)
        if beta.shape != lam.shape or not np.all(np.isfinite(beta)):
            raise ValueError(f"beta must be a finite array of length D = {lam.size}")
        lam.setflags(write=False)
        beta.setflags(write=False)
        object.__setattr__(self, "lam", lam)
        object.__setattr__(self, "beta", beta)
        object.__setattr__(self, "sigma", _check_sigma(self.sigma))
        object.__setattr__(self, "n", _check_int("n", self.n, 1))
        object.__setattr__(self, "p", _check_int("p", self.p, 1, lam.size))
        object.__setattr__(self, "s", _check_int("s", self.s, 1, self.p))

    @property
    def kappa(self) -> float:
        """kappa = p / n."""
        return self.p / self.n

    def model(self) -> tuple[np.ndarray, np.ndarray, float]:
        """(lam[:p], beta[:p], sigma_p), sigma_p^2 = sigma^2 + sum_{i >= p} lam_i beta_i^2."""
        tail = float(np.sum(self.lam[self.p :] * self.beta[self.p :] ** 2))
        return self.lam[: self.p], self.beta[: self.p], math.sqrt(self.sigma**2 + tail)

    def oracle_support(self) -> np.ndarray:
        """Sorted indices of the top-s of lam_i beta_i^2 among the p model features
        (ties to the lower index)."""
        lam, beta, _ = self.model()
        return np.sort(np.argsort(-(lam * beta * beta), kind="stable")[: self.s])


def _quantile_profile(k: int) -> np.ndarray:
    """Phi^{-1}((i - 0.5)/k), i = 1..k: a deterministic spread of k signal coefficients."""
    return ndtri((np.arange(1, k + 1) - 0.5) / k)


def _unit_profile(k: int, norm: float) -> np.ndarray:
    """The quantile profile scaled to Euclidean norm ``norm`` (k = 1: a single spike)."""
    q = _quantile_profile(k) if k > 1 else np.ones(1)
    return norm * q / np.linalg.norm(q)


def isotropic(
    n: int, p: int, s: int, sigma: float, beta_norm: float = 1.0, D: int | None = None
) -> Design:
    """Sigma = I_D (D = p unless given, D >= p). beta: beta_norm * Phi^{-1}((i - 0.5)/s) /
    normalization on the first s features (Euclidean norm exactly beta_norm; s = 1: a spike),
    zero elsewhere, so the oracle support is the first s features up to zero-valued ties."""
    p_ = _check_int("p", p, 1)
    s_ = _check_int("s", s, 1, p_)
    D_ = p_ if D is None else _check_int("D", D, p_)
    beta = np.zeros(D_)
    beta[:s_] = _unit_profile(s_, float(beta_norm))
    return Design("isotropic", np.ones(D_), beta, sigma, n, p_, s_)


def two_level(
    n: int, p: int, s: int, sigma: float, k: int, lam1: float, lam2: float, beta_norm: float = 1.0
) -> Design:
    """Two-level spectrum on D = p features: the first k have eigenvalue lam1, the other
    p - k have lam2. beta: the quantile profile of length k with Euclidean norm beta_norm on the
    first k features, zero on the rest."""
    p_ = _check_int("p", p, 1)
    k_ = _check_int("k", k, 1, p_)
    lam = np.full(p_, float(lam2))
    lam[:k_] = float(lam1)
    beta = np.zeros(p_)
    beta[:k_] = _unit_profile(k_, float(beta_norm))
    return Design("two_level", lam, beta, sigma, n, p_, s)


def L1(*, n: int = 200, p: int, s: int = 150, sigma: float = 0.5) -> Design:
    """Regime L1 (claims C5-C7): 150 strong features (lambda = 1,
    beta_i = Phi^{-1}((i - 0.5)/150)/sqrt(150)) then weak ones (lambda = 0.1, beta = 0);
    D = max(p, 150), so for p < 150 the omitted strong features fold into sigma_p."""
    p_ = _check_int("p", p, 1)
    strong = 150
    D = max(p_, strong)
    lam = np.full(D, 0.1)
    lam[:strong] = 1.0
    beta = np.zeros(D)
    beta[:strong] = _quantile_profile(strong) / math.sqrt(strong)
    return Design("L1", lam, beta, sigma, n, p_, s)


def random_features(
    d: int, p: int, theta_norm: float, feature_seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """The random-features regime's fixed first layer and target: (R (p x d) with rows
    uniform on the unit sphere, theta (d,) of norm ``theta_norm``), drawn from
    ``numpy.random.default_rng(feature_seed)``: theta first, then R row by row, so theta
    does not depend on p and the first s rows of R are the design with p = s (nested
    models share neurons). Theory and simulator both read R and theta from here."""
    d_ = _check_int("d", d, 1)
    p_ = _check_int("p", p, 1)
    if not math.isfinite(theta_norm) or theta_norm < 0:
        raise ValueError(f"theta_norm must be a finite number >= 0, got {theta_norm!r}")
    rng = np.random.default_rng(_check_int("feature_seed", feature_seed, 0))
    theta = rng.standard_normal(d_)
    theta *= theta_norm / np.linalg.norm(theta)
    R = rng.standard_normal((p_, d_))
    R /= np.linalg.norm(R, axis=1, keepdims=True)
    return R, theta


DESIGNS = {"isotropic": isotropic, "two_level": two_level, "L1": L1}


def make_design(name: str, **params: float) -> Design:
    """Build a design by name ("isotropic", "two_level", "L1") from keyword parameters."""
    if name not in DESIGNS:
        raise ValueError(f"unknown design name {name!r}; allowed: {sorted(DESIGNS)}")
    try:
        return DESIGNS[name](**params)
    except TypeError as exc:  # unknown or missing keyword
        raise ValueError(f"bad parameters for design {name!r}: {exc}") from exc
