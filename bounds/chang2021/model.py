"""The models of ``chang2021``, one typed config each: every default, derived quantity, rule
name, score and kernel is defined here once and read by the theory, the claims and the
simulators alike.

- :class:`LinearConfig`: x ~ N(0, diag(lam)) over D features, y = x^T beta + sigma z, n
  samples, the large model on the first p features (kappa = p / n), pruned to s entries.
  ``design()`` gives the arrays (:class:`Design`): lam, beta, sigma_p^2 = sigma^2 +
  sum_{i>p} lam_i beta_i^2, the oracle support S* (top-s of lam_i beta_i^2) and the pruning
  scores.
- :class:`RandomFeaturesConfig`: x ~ N(0, I_d), y = x^T theta + sigma z, features
  f = phi(R x) with phi the centered ReLU and unit rows of R; its exact feature covariance is
  the arc-cosine kernel K(rho) and the Gaussian-equivalent constants mu1, mu_*^2.

Pruning rules: ``magnitude`` (MP) keeps the s largest |b_i|, ``hessian`` (HP, Optimal Brain
Damage saliency) the s largest sqrt(Var(x_i)) |b_i|, ``oracle`` the fixed top-s set S*;
ties always go to the lower index.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from types import ModuleType
from typing import ClassVar

import numpy as np
from scipy.special import ndtri

from theorycheck.params import ModelConfig, Param, param

RULES = ("magnitude", "hessian", "oracle")
RF_RULES = ("magnitude", "hessian")
DESIGNS = ("isotropic", "two_level", "L1")
L1_STRONG = 150  # regime L1: 150 strong features (lambda = 1) then weak ones (lambda = 0.1)
L1_WEAK_LAMBDA = 0.1
MAX_FEATURES = 100_000  # p of a linear design: larger sizes are refused by name
MAX_SAMPLES = 10**7  # n: the formulas' cost does not grow with n
# Random features: the theory is a Monte Carlo over 200 surrogate draws. A draw costs
# O(p d) (Sigma_F kept as its d-dimensional spectrum, general.Spectrum), and fresh-data
# retraining on its s neurons O(s^2 d + s^3): these limits keep a query under 1 s.
MAX_NEURONS = 2_500  # p and n (the full budget's C7/C8 sweep reaches p = 2400)
MAX_INPUT_DIM = 300  # d
MAX_KEPT_NEURONS = 100  # s (the claims keep s = 100)
LARGEST_REGIMES = (
    {"design": "L1", "n": 200, "p": MAX_FEATURES},
    {"design": "L1", "n": MAX_SAMPLES, "p": MAX_FEATURES},
    {"design": "isotropic", "n": 50_000, "p": MAX_FEATURES, "s": 49_999},
    {"design": "two_level", "n": 1, "p": MAX_FEATURES, "s": 1, "k": 1},
    {"design": "two_level", "n": 300, "p": MAX_FEATURES, "s": 30_000, "k": 60_000},
    {"design": "rf", "p": MAX_NEURONS, "d": MAX_INPUT_DIM, "n": 1, "s": MAX_KEPT_NEURONS},
    {"design": "rf", "p": MAX_NEURONS, "d": MAX_INPUT_DIM, "n": MAX_KEPT_NEURONS - 1,
     "s": MAX_KEPT_NEURONS},
    {"design": "rf", "p": MAX_NEURONS, "d": MAX_INPUT_DIM, "n": MAX_NEURONS,
     "s": MAX_KEPT_NEURONS},
    {"design": "rf", "p": MAX_INPUT_DIM, "d": MAX_INPUT_DIM, "n": 1, "s": MAX_KEPT_NEURONS},
)
"""The costliest regimes the limits above accept (each design at its largest sizes), which
the limits promise to answer within 1 s on 2 cores: answered in the tests, timed in
``benchmarks/bench_queries.py``."""

MU1 = 0.5
"""First Hermite coefficient of the centered ReLU, E[u phi(u)] for u ~ N(0, 1)."""
MU_STAR2 = 0.25 - 1.0 / (2.0 * math.pi)
"""Variance of the centered ReLU not explained linearly: E[phi(u)^2] - mu1^2."""


def count(name: str, value: object, low: int, high: int) -> int:
    """An integer argument in [low, high], validated by the one parameter layer."""
    return Param(name, "int", low=low, high=high).check(value)


def check_rule(rule: object, allowed: tuple[str, ...] = RULES) -> str:
    return Param("rule", "choice", choices=allowed).check(rule)


def check_spectrum(lam: object, name: str = "lam") -> np.ndarray:
    """A non-empty 1-D array of finite, positive eigenvalues (float64 copy)."""
    arr = np.array(lam, dtype=np.float64)
    if arr.ndim != 1 or arr.size == 0:
        raise ValueError(f"{name} must be a non-empty 1-D array, got shape {arr.shape}")
    if not np.all(np.isfinite(arr)) or np.any(arr <= 0):
        raise ValueError(f"{name} must be finite and > 0 (allowed range (0, inf))")
    return arr


def top_s(score: np.ndarray, s: int) -> np.ndarray:
    """Sorted indices of the s largest scores; ties go to the lower index."""
    return np.sort(np.argsort(-np.asarray(score), kind="stable")[:s])


def oracle_support(lam: np.ndarray, beta: np.ndarray, s: int) -> np.ndarray:
    """S*: sorted indices of the s largest lam_i beta_i^2 (ties to the lower index)."""
    return top_s(lam * beta * beta, s)


def score_weights(rule: str, variances: np.ndarray) -> np.ndarray | None:
    """Pruning score = weights * |b_i|: ones for ``magnitude``, sqrt(Var(x_i)) for
    ``hessian``; None for ``oracle``, whose support S* does not depend on the estimate."""
    rule = check_rule(rule)
    if rule == "oracle":
        return None
    return np.sqrt(variances) if rule == "hessian" else np.ones_like(variances)


def quantile_profile(k: int) -> np.ndarray:
    """Phi^{-1}((i - 0.5)/k), i = 1..k: a deterministic spread of k signal coefficients."""
    return ndtri((np.arange(1, k + 1) - 0.5) / k)


def unit_profile(k: int, norm: float) -> np.ndarray:
    """The quantile profile scaled to Euclidean norm ``norm`` (k = 1: a single spike)."""
    q = quantile_profile(k) if k > 1 else np.ones(1)
    return norm * q / np.linalg.norm(q)


@dataclass(frozen=True, eq=False)
class Design:
    """A linear regime as arrays: ``lam``, ``beta`` over all D features (read-only), noise sd
    ``sigma``, sample size ``n``, model size ``p`` (the first p features), sparsity ``s``."""

    name: str
    lam: np.ndarray = field(repr=False)
    beta: np.ndarray = field(repr=False)
    sigma: float
    n: int
    p: int
    s: int
    rules: tuple[str, ...] = RULES

    def __post_init__(self) -> None:
        lam = check_spectrum(self.lam)
        beta = np.array(self.beta, dtype=np.float64)
        if beta.shape != lam.shape or not np.all(np.isfinite(beta)):
            raise ValueError(f"beta must be a finite array of length D = {lam.size}")
        lam.setflags(write=False)
        beta.setflags(write=False)
        object.__setattr__(self, "lam", lam)
        object.__setattr__(self, "beta", beta)
        object.__setattr__(self, "n", LinearConfig.parameter("n").check(self.n))
        object.__setattr__(self, "sigma", LinearConfig.parameter("sigma").check(self.sigma))
        count("p", self.p, 1, lam.size)
        count("s", self.s, 1, self.p)

    @property
    def kappa(self) -> float:
        """kappa = p / n."""
        return self.p / self.n

    @property
    def sigma_p(self) -> float:
        """sigma_p = sqrt(sigma^2 + sum_{i > p} lam_i beta_i^2): omitted features as noise."""
        tail = float(np.sum(self.lam[self.p:] * self.beta[self.p:] ** 2))
        return math.sqrt(self.sigma**2 + tail)

    def model(self) -> tuple[np.ndarray, np.ndarray, float]:
        """(lam[:p], beta[:p], sigma_p): what the large model sees."""
        return self.lam[: self.p], self.beta[: self.p], self.sigma_p

    def oracle_support(self) -> np.ndarray:
        """S*: the top-s of lam_i beta_i^2 among the p model features."""
        lam, beta, _ = self.model()
        return oracle_support(lam, beta, self.s)

    def score_weights(self, rule: str) -> np.ndarray | None:
        """Pruning score weights of ``rule`` over the p model features."""
        return score_weights(rule, self.lam[: self.p])


@dataclass(frozen=True, kw_only=True)
class LinearConfig(ModelConfig):
    """A linear regime of ``chang2021`` (see the module doc). ``s`` defaults to
    min(150, p). ``estimates`` is not part of the regime: it asks the simulator to also
    return that many entries of beta_hat (evenly spaced), for the distributional check."""

    design: str = param("L1", kind="choice", choices=DESIGNS, description="regime design")
    n: int = param(200, kind="int", low=1, high=MAX_SAMPLES, description="training samples")
    p: int = param(kind="int", low=1, high=MAX_FEATURES,
                   description="features of the large model")
    s: int | None = param(None, kind="int", low=1, high=MAX_FEATURES, optional=True,
                          description="entries kept by pruning (default min(150, p))")
    sigma: float = param(0.5, kind="float", low=0, high=1e6,
                         description="noise standard deviation")
    beta_norm: float = param(1.0, kind="float", low=0, high=1e6,
                             description="||beta|| (isotropic, two_level)")
    k: int = param(10, kind="int", low=1, high=MAX_FEATURES,
                   description="number of strong features (two_level)")
    lam1: float = param(1.0, kind="float", low=1e-6, high=1e6,
                        description="strong eigenvalue (two_level)")
    lam2: float = param(0.1, kind="float", low=1e-6, high=1e6,
                        description="weak eigenvalue (two_level)")
    estimates: int = param(0, kind="int", low=0, high=MAX_FEATURES,
                           description="entries of beta_hat to return (simulation only)")

    def relations(self) -> None:
        if self.s is None:
            object.__setattr__(self, "s", min(L1_STRONG, self.p))
        if self.s > self.p:
            raise ValueError(f"s must be an integer in [1, p] = [1, {self.p}], got {self.s}")
        if self.design == "two_level" and self.k > self.p:
            raise ValueError(f"k must be an integer in [1, p] = [1, {self.p}], got {self.k}")

    @property
    def kappa(self) -> float:
        return self.p / self.n

    def regime(self) -> dict[str, object]:
        """The parameters that define this design's regime (no simulation-only fields)."""
        keys = {"isotropic": ("n", "p", "s", "sigma", "beta_norm"),
                "two_level": ("n", "p", "s", "sigma", "k", "lam1", "lam2", "beta_norm"),
                "L1": ("n", "p", "s", "sigma")}[self.design]
        return {"design": self.design, **{k: getattr(self, k) for k in keys}}

    def to_dict(self) -> dict[str, object]:
        """The regime (plus ``estimates`` when asked for): the content of a run's hash."""
        out = self.regime()
        return out | {"estimates": self.estimates} if self.estimates else out

    def design_arrays(self) -> Design:
        """The regime's arrays (:class:`Design`), built once per config."""
        return _design(self)


@lru_cache(maxsize=64)
def _design(c: LinearConfig) -> Design:
    lam = np.ones(c.p)
    beta = np.zeros(c.p)
    if c.design == "isotropic":  # beta on the first s features with norm beta_norm
        beta[: c.s] = unit_profile(c.s, c.beta_norm)
    elif c.design == "two_level":  # k features with lam1, p - k with lam2; beta on the k
        lam[:] = c.lam2
        lam[: c.k] = c.lam1
        beta[: c.k] = unit_profile(c.k, c.beta_norm)
    else:  # L1: D = max(p, 150), so for p < 150 the omitted strong features fold into sigma_p
        D = max(c.p, L1_STRONG)
        lam = np.full(D, L1_WEAK_LAMBDA)
        lam[:L1_STRONG] = 1.0
        beta = np.zeros(D)
        beta[:L1_STRONG] = quantile_profile(L1_STRONG) / math.sqrt(L1_STRONG)
    return Design(c.design, lam, beta, c.sigma, c.n, c.p, c.s)


def relu_kernel(rho: np.ndarray, xp: ModuleType = np) -> np.ndarray:
    """Exact covariance of centered-ReLU features of unit directions with correlation rho:
    K(rho) = [sqrt(1 - rho^2) + (pi - arccos rho) rho] / (2 pi) - 1/(2 pi), rho clipped to
    [-1, 1]. ``xp`` is the array namespace (numpy, or torch in the simulator)."""
    rho = xp.clip(rho, -1.0, 1.0)
    return ((xp.sqrt(1.0 - rho * rho) + (math.pi - xp.arccos(rho)) * rho) / (2.0 * math.pi)
            - 1.0 / (2.0 * math.pi))


def centered_relu(t: np.ndarray) -> np.ndarray:
    """phi(t) = ReLU(t) - 1/sqrt(2 pi) (numpy arrays and torch tensors alike)."""
    return (t + abs(t)) / 2 - 1.0 / math.sqrt(2.0 * math.pi)


@dataclass(frozen=True, kw_only=True)
class RandomFeaturesConfig(ModelConfig):
    """The random-features regime of ``chang2021`` (see the module doc): the first layer R
    (p x d, rows uniform on the unit sphere) and the target theta (norm ``theta_norm``) are
    drawn from ``feature_seed``: theta first, then R row by row, so theta does not depend on
    p and the first s rows of R are the design with p = s (nested models share neurons)."""

    d: int = param(100, kind="int", low=1, high=MAX_INPUT_DIM, description="input dimension")
    n: int = param(300, kind="int", low=1, high=MAX_NEURONS, description="training samples")
    p: int = param(kind="int", low=1, high=MAX_NEURONS, description="neurons")
    s: int = param(100, kind="int", low=1, high=MAX_KEPT_NEURONS,
                   description="neurons kept by pruning")
    sigma: float = param(0.3, kind="float", low=0, high=1e6,
                         description="noise standard deviation")
    theta_norm: float = param(1.0, kind="float", low=0, high=1e6, description="||theta||")
    feature_seed: int = param(0, kind="int", low=0, high=2**32 - 1,
                              description="seed of R and theta")

    rules: ClassVar[tuple[str, ...]] = RF_RULES
    mu1: ClassVar[float] = MU1
    mu_star2: ClassVar[float] = MU_STAR2

    def relations(self) -> None:
        if self.s > self.p:
            raise ValueError(f"s must be an integer in [1, p] = [1, {self.p}], got {self.s}")

    @property
    def kappa(self) -> float:
        return self.p / self.n

    @cached_property
    def layers(self) -> tuple[np.ndarray, np.ndarray]:
        """(R, theta), drawn from ``feature_seed`` (read-only arrays)."""
        rng = np.random.default_rng(self.feature_seed)
        theta = rng.standard_normal(self.d)
        theta *= self.theta_norm / np.linalg.norm(theta)
        R = rng.standard_normal((self.p, self.d))
        R /= np.linalg.norm(R, axis=1, keepdims=True)
        R.setflags(write=False)
        theta.setflags(write=False)
        return R, theta

    def kernel(self, rho: np.ndarray, xp: ModuleType = np) -> np.ndarray:
        """The feature covariance K_ij = K(r_i^T r_j) (see :func:`relu_kernel`)."""
        return relu_kernel(rho, xp)

    def activation(self, t: np.ndarray) -> np.ndarray:
        return centered_relu(t)

    def score_weights(self, rule: str) -> np.ndarray:
        """Every feature has variance K(1) = 1/2 - 1/(2 pi): HP equals MP here."""
        check_rule(rule, RF_RULES)
        return score_weights(rule, np.full(self.p, float(relu_kernel(np.array(1.0)))))
