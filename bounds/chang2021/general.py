"""General (non-diagonal) covariance version of the ``chang2021`` fixed-point theory.

x ~ N(0, Sigma) on the model's p features, y = x^T beta + sigma z. Rotating to the eigenbasis
Sigma = U diag(e) U^T turns the problem into the diagonal one with beta' = U^T beta, so
xi solves tr[Sigma (Sigma + xi I)^{-1}] = n and tau^2 =
(sigma^2 + xi^2 beta^T Sigma (Sigma + xi I)^{-2} beta) / (1 - tr[Sigma^2 (Sigma + xi I)^{-2}] / n).
The surrogate is beta_hat ~ (Sigma + xi I)^{-1} Sigma (beta + Sigma^{-1/2} tau g / sqrt(n)),
i.e. shrink(Sigma) beta + v(Sigma) g with shrink, v the diagonal surrogate's functions of an
eigenvalue, applied as matrix functions through :class:`Spectrum`.

Everything here is derived (our derivation, docs/derivations/chang2021.md), not the paper's
theorem.
"""

from __future__ import annotations

import hashlib
import math

import numpy as np

from .fixed_point import _surrogate_law, _tau2, _underparam_risk, _xi, check_n, check_sigma
from .model import check_rule, count, oracle_support, score_weights

__all__ = ["Spectrum", "solve_xi_general", "dense_risk_general", "pruned_risk_general"]

_CHUNK_ELEMS = 2**24  # max entries of the batched (draws, s, s) support Gram blocks


class Spectrum:
    """A covariance by its eigenstructure: Sigma = floor I + U diag(lam - floor) U^T, with
    ``lam`` (r,) the eigenvalues on the orthonormal columns of ``U`` (p x r) and ``floor``
    the eigenvalue of multiplicity p - r on their orthogonal complement (none when r = p).

    Every function of Sigma used here goes through this form, f(Sigma) x = f(floor) x +
    U diag(f(lam) - f(floor)) U^T x. It depends on Sigma alone: not on which basis of a
    repeated eigenvalue an eigensolver returns (LAPACK's choice there changes with the BLAS
    thread count), and the complement is never formed, so a low-rank-plus-identity Sigma
    (random features with p > d: p - d eigenvalues equal mu_*^2) costs O(p r), not O(p^2).
    Build one with :meth:`of_matrix` or :meth:`of_factor`.
    """

    def __init__(self, lam: np.ndarray, U: np.ndarray, floor: float, diagonal: np.ndarray,
                 matrix: np.ndarray | None = None,
                 factor: tuple[np.ndarray, float] | None = None) -> None:
        self.lam, self.U, self.floor, self.diagonal = lam, U, float(floor), diagonal
        self._matrix, self._factor = matrix, factor

    @classmethod
    def of_matrix(cls, Sigma: object) -> Spectrum:
        """A symmetric positive definite matrix (validated; eigendecomposition memoized by
        content: one Sigma serves the dense, pruned and retrained risks)."""
        S, e, U = _check_sigma_matrix(Sigma)
        return cls(e, U, 0.0, np.diag(S).copy(), matrix=S)

    @classmethod
    def of_factor(cls, F: np.ndarray, scale: float, floor: float) -> Spectrum:
        """Sigma = scale F F^T + floor I for F (p x d), floor > 0. For p <= d: the
        eigendecomposition of that p x p matrix. For p > d: F = Q T (thin QR), Sigma =
        Q (scale T T^T + floor I) Q^T + floor (I - Q Q^T), so the eigenvalues are those of
        the d x d matrix on the columns Q Z, and floor on their complement: O(p d^2)."""
        if not floor > 0:
            raise ValueError(f"floor must be > 0, got {floor}")
        p, d = F.shape
        diagonal = floor + scale * np.sum(F * F, axis=1)
        if p <= d:
            e, U = np.linalg.eigh(scale * (F @ F.T) + floor * np.eye(p))
        else:
            Q, T = np.linalg.qr(F)
            e, Z = np.linalg.eigh(scale * (T @ T.T) + floor * np.eye(d))
            U = Q @ Z
        return cls(e, U, floor, diagonal, factor=(F, scale))

    @property
    def size(self) -> int:
        """p."""
        return self.U.shape[0]

    @property
    def rank(self) -> int:
        """r: the number of eigenvalues stored with their eigenvectors."""
        return self.lam.size

    def eigenvalues(self) -> np.ndarray:
        """All p eigenvalues: ``lam``, then ``floor`` p - r times."""
        return np.concatenate([self.lam, np.full(self.size - self.rank, self.floor)])

    def coordinates(self, b: np.ndarray) -> np.ndarray:
        """Coordinates of b in an eigenbasis, in the order of :meth:`eigenvalues`: U^T b,
        then the norm of b's component in the complement, then zeros. (Every formula here
        depends on that component through its norm only: the complement is one
        eigenspace.)"""
        c = self.U.T @ b
        out = np.zeros(self.size)
        out[: self.rank] = c
        if self.size > self.rank:
            out[self.rank] = float(np.linalg.norm(b - self.U @ c))
        return out

    def apply(self, f_lam: np.ndarray, f_floor: float, X: np.ndarray) -> np.ndarray:
        """X f(Sigma) for a vector or the rows of X, given f on ``lam`` and on ``floor``."""
        if self.size == self.rank:
            return ((X @ self.U) * f_lam) @ self.U.T
        return f_floor * X + ((X @ self.U) * (f_lam - f_floor)) @ self.U.T

    def quadratic(self, X: np.ndarray) -> np.ndarray:
        """x^T Sigma x for each row x of X."""
        proj = X @ self.U
        if self.size == self.rank:
            return (proj * proj) @ self.lam
        return (proj * proj) @ (self.lam - self.floor) + self.floor * np.einsum("ij,ij->i", X, X)

    def block(self, idx: np.ndarray) -> np.ndarray:
        """The sub-matrices Sigma_SS (k, s, s) for the index sets S = rows of ``idx`` (k, s),
        without forming Sigma when it is given by a factor."""
        if self._matrix is not None:
            return self._matrix[idx[:, :, None], idx[:, None, :]]
        eye = np.eye(idx.shape[1])
        if self._factor is not None:
            F, scale = self._factor
            Fs = F[idx]
            return scale * (Fs @ Fs.transpose(0, 2, 1)) + self.floor * eye
        Us = self.U[idx]
        return (Us * (self.lam - self.floor)) @ Us.transpose(0, 2, 1) + self.floor * eye

    @property
    def matrix(self) -> np.ndarray:
        """Sigma as a dense p x p matrix."""
        return self.block(np.arange(self.size)[None, :])[0]


def _spectrum(Sigma: np.ndarray | Spectrum) -> Spectrum:
    return Sigma if isinstance(Sigma, Spectrum) else Spectrum.of_matrix(Sigma)


def _check_sigma_matrix(Sigma: object) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Validate Sigma (symmetric positive definite); return (Sigma, eigenvalues, eigenvectors),
    memoized by content."""
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


def solve_xi_general(Sigma: np.ndarray | Spectrum, n: int) -> float:
    """xi with tr[Sigma (Sigma + xi I)^{-1}] = n (p > n), 0 for p <= n; via the eigenvalues.

    Derived (our derivation, docs/derivations/chang2021.md), not the paper's theorem.
    """
    return _xi(_spectrum(Sigma).eigenvalues(), check_n(n))


def dense_risk_general(
    Sigma: np.ndarray | Spectrum, beta: np.ndarray, sigma: float, n: int
) -> float:
    """Dense risk tau^2 for a general covariance (finite-n exact form for p < n - 1).

    Derived (our derivation, docs/derivations/chang2021.md), not the paper's theorem.
    """
    spec = _spectrum(Sigma)
    b = _check_beta(beta, spec.size)
    return _tau2(spec.eigenvalues(), spec.coordinates(b), check_sigma(sigma), check_n(n), True)


def _retrained_risks(
    spec: Spectrum, beta: np.ndarray, idx: np.ndarray, sigma: float, n: int
) -> np.ndarray:
    """Risk of least squares retrained on fresh data on each support S (row of ``idx``).

    The omitted features act as noise: sigma_S^2 = sigma^2 + min over b supported on S of
    (b - beta)^T Sigma (b - beta) = sigma^2 + beta^T Sigma beta - c_S^T Sigma_SS^{-1} c_S with
    c = Sigma beta. Then s < n - 1: sigma_S^2 (n - 1)/(n - s - 1); s in {n - 1, n}: inf;
    s > n: the fixed-point tau^2 of (Sigma_SS, Sigma_SS^{-1} c_S, sigma_S).
    """
    c = spec.apply(spec.lam, spec.floor, beta)
    total = float(beta @ c)
    draws, s = idx.shape
    step = max(1, _CHUNK_ELEMS // (s * s))
    out = np.empty(draws)
    for lo in range(0, draws, step):
        blk = idx[lo : lo + step]
        subs = spec.block(blk)
        cs = c[blk]
        coef = np.linalg.solve(subs, cs[:, :, None])[:, :, 0]
        sigma_s2 = sigma * sigma + np.maximum(total - np.einsum("ij,ij->i", cs, coef), 0.0)
        if s <= n:
            out[lo : lo + len(blk)] = [_underparam_risk(float(x), s, n, True) for x in sigma_s2]
            continue
        e, U = np.linalg.eigh(subs)
        coords = np.einsum("kji,kj->ki", U, coef)  # coef in each block's eigenbasis
        for j in range(len(blk)):
            out[lo + j] = _tau2(e[j], coords[j], math.sqrt(sigma_s2[j]), n, True)
    return out


def pruned_risk_general(
    Sigma: np.ndarray | Spectrum,
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

    The draws are b = shrink(Sigma) beta + v(Sigma) g with g ~ N(0, I_p) in the features'
    own basis and shrink, v the surrogate's functions of an eigenvalue (:class:`Spectrum`),
    so a draw depends on (Sigma, beta, seed) only. (Drawing g in the eigenbasis instead,
    b = U (m + v g), made the draws depend on the basis LAPACK picks inside a repeated
    eigenvalue, which changes with the BLAS thread count: the random-features curve of
    claim C8 moved by up to 1.3% between 1 and 2 threads.)
    """
    spec = _spectrum(Sigma)
    p = spec.size
    b = _check_beta(beta, p)
    sv = check_sigma(sigma)
    nv = check_n(n)
    s_ = count("s", s, 1, p)
    rule_ = check_rule(rule)
    if retrain not in ("none", "fresh"):
        raise ValueError(f"retrain must be 'none' or 'fresh', got {retrain!r}")
    n_mc_ = count("n_mc", n_mc, 2, 10**6)
    shrink, v, tau2 = _surrogate_law(spec.eigenvalues(), spec.coordinates(b), sv, nv, True)
    if not math.isfinite(tau2):
        return math.inf, 0.0
    r = spec.rank
    g = np.random.default_rng(seed).standard_normal((n_mc_, p))
    # rows: surrogate draws of beta_hat (the complement's entries of shrink, v are equal)
    draws = (spec.apply(shrink[:r], float(shrink[-1]), b)
             + spec.apply(v[:r], float(v[-1]), g))
    weights = score_weights(rule_, spec.diagonal)
    if weights is None:  # the oracle: a fixed support
        idx = np.broadcast_to(oracle_support(spec.diagonal, b, s_), (n_mc_, s_))
    else:
        idx = np.argsort(-(weights * np.abs(draws)), axis=1, kind="stable")[:, :s_]
    if retrain == "none":
        mask = np.zeros(draws.shape, dtype=bool)
        np.put_along_axis(mask, idx, True, axis=1)
        risks = sv * sv + spec.quadratic(np.where(mask, draws, 0.0) - b)
    else:
        risks = _retrained_risks(spec, b, idx, sv, nv)
    if not np.all(np.isfinite(risks)):
        return math.inf, 0.0
    return float(np.mean(risks)), float(np.std(risks, ddof=1) / math.sqrt(n_mc_))
