"""Monte Carlo of "train large, then prune" for a random-features model (project key chang2021).

Setting: x ~ N(0, I_d), y = x^T theta + sigma z. Features f = phi(R x) with R (p x d) having
unit rows and phi the problem's activation (the centered ReLU). R and theta are the
problem's (a ``RandomFeaturesProblem``: the paper's config, which holds the one definition of
the activation, its kernel K(rho) = E[phi(u) phi(v)] for unit directions with correlation
rho, the constant mu1 = E[u phi(u)], the rules and their scores) and are shared by all
trials; trials differ in the data. Pruning removes hidden neurons, i.e. entries of the
second-layer vector a_hat.

Exact population risk of a second-layer vector b:
R(b) = sigma^2 + ||theta||^2 - 2 mu1 b^T R theta + b^T K b, K_ij = K(r_i^T r_j).

Seeds, chunking and devices follow ``least_squares``: each trial draws (X, then z, then the
fresh set if asked for) from its own CPU generator. This module measures only.
"""

from __future__ import annotations

from collections.abc import Sequence
from types import ModuleType
from typing import Protocol

import numpy as np
import torch

from .devices import resolve_device
from .least_squares import (
    DTYPE,
    MAX_BYTES,
    RETRAIN_MODES,
    check_retrain,
    check_rules,
    check_seeds,
    chunks,
    min_norm_least_squares,
    pruned_estimates,
    sample_batch,
    supports,
    to_records,
)


class RandomFeaturesProblem(Protocol):
    """What the simulator reads of a random-features regime (the paper's config)."""

    n: int
    s: int
    sigma: float
    mu1: float
    rules: tuple[str, ...]

    @property
    def layers(self) -> tuple[np.ndarray, np.ndarray]:
        """(R (p x d) with unit rows, theta (d,))."""

    def kernel(self, rho: torch.Tensor, xp: ModuleType) -> torch.Tensor:
        """K(rho), evaluated with the array namespace ``xp`` (torch here)."""

    def activation(self, t: torch.Tensor) -> torch.Tensor:
        """phi(t)."""

    def score_weights(self, rule: str) -> np.ndarray:
        """Pruning score = weights * |a_i|."""


def random_features_risk(problem: RandomFeaturesProblem, b: torch.Tensor, R: torch.Tensor,
                         theta: torch.Tensor, max_bytes: int = MAX_BYTES) -> torch.Tensor:
    """Exact risk R(b) = sigma^2 + ||theta||^2 - 2 mu1 b^T R theta + b^T K b of each row of
    b (m, p); K is built in row blocks of at most ``max_bytes`` bytes (never whole)."""
    p = R.shape[0]
    quad = torch.zeros(b.shape[0], dtype=b.dtype, device=b.device)
    step = max(1, int(max_bytes) // (8 * p))
    for start in range(0, p, step):
        stop = min(p, start + step)
        rho = R[start:stop] @ R.T
        rows = torch.arange(stop - start, device=R.device)
        rho[rows, rows + start] = 1.0  # exactly 1 on the diagonal (unit rows)
        quad += ((b @ problem.kernel(rho, torch).T) * b[:, start:stop]).sum(-1)
    return (problem.sigma**2 + theta.dot(theta) - 2 * problem.mu1 * (b @ (R @ theta))
            + quad)


def sample_random_features(
    theta: torch.Tensor,
    sigma: float,
    n: int,
    generator: torch.Generator,
    out: tuple[torch.Tensor, torch.Tensor] | None = None,
) -> tuple[torch.Tensor, torch.Tensor]:
    """One training set on the CPU: X (n, d) standard normal, y = X theta + sigma z (X drawn
    first, then z); ``out`` = (X, y) buffers to fill in place."""
    X, y = out if out is not None else (torch.empty(n, theta.numel(), dtype=DTYPE), None)
    torch.randn(n, theta.numel(), generator=generator, dtype=DTYPE, out=X)
    z = torch.randn(n, generator=generator, dtype=DTYPE)
    y = torch.add(X @ theta, z, alpha=sigma, out=y)
    return X, y


def simulate_random_features(
    problem: RandomFeaturesProblem,
    seeds: Sequence[int],
    *,
    device: str | torch.device = "cpu",
    rules: Sequence[str] = ("magnitude",),
    retrain: Sequence[str] = RETRAIN_MODES,
    small_model: bool = True,
    max_bytes: int = MAX_BYTES,
) -> list[dict]:
    """Train a wide random-features model (min-norm fit of y on the p features), prune to s
    neurons, measure the exact risk of every second-layer vector.

    a_hat = F^T (F F^T)^{-1} y if p > n, OLS if p < n, F^{-1} y if p = n, F = phi(X R^T).
    Rules and their scores are the problem's. Retraining as in ``simulate_linear``
    (``none``, ``same``, ``fresh``). The small model is a random-features model with the first
    s neurons (the first s rows of R) fitted on the same data.

    Returns one dict per seed with floats ``dense``, ``prune_<rule>``, ``retrain_same_<rule>``,
    ``retrain_fresh_<rule>``, ``small`` and ``train_residual`` = max_j |f_j^T a_hat - y_j|.
    """
    R_np, theta_np = problem.layers
    p, d = R_np.shape
    n, s, sigma = problem.n, problem.s, problem.sigma
    rules = check_rules(rules, problem.rules)
    retrain = check_retrain(retrain)
    seeds = check_seeds(seeds)
    dev = resolve_device(device)
    R = torch.as_tensor(np.array(R_np), dtype=DTYPE, device=dev)
    theta_cpu = torch.as_tensor(np.array(theta_np), dtype=DTYPE)
    theta = theta_cpu.to(dev)
    first_s = torch.arange(s, device=dev)
    draw_fresh = "fresh" in retrain and bool(rules)

    def draw(gen: torch.Generator, out: tuple[torch.Tensor, torch.Tensor]) -> None:
        sample_random_features(theta_cpu, sigma, n, gen, out)

    def features(gens: list[torch.Generator]) -> tuple[torch.Tensor, torch.Tensor]:
        X, y = sample_batch(draw, gens, n, d, dev)
        return problem.activation(X @ R.T), y

    records: list[dict] = []
    for chunk in chunks(seeds, n * max(n, p, d), max_bytes):
        gens = [torch.Generator().manual_seed(seed) for seed in chunk]
        F, y = features(gens)
        fresh = features(gens) if draw_fresh else None
        a_hat = min_norm_least_squares(F, y)
        small = first_s.expand(len(chunk), s) if small_model else None
        vectors = {"dense": a_hat}
        vectors.update(pruned_estimates(F, y, a_hat, supports(problem, a_hat, rules), retrain,
                                        fresh, small))
        stacked = torch.stack(list(vectors.values()), dim=1)  # (B, keys, p)
        risks = random_features_risk(problem, stacked.reshape(-1, p), R, theta, max_bytes)
        columns = dict(zip(vectors, risks.reshape(len(chunk), -1).unbind(-1), strict=True))
        residual = (F * a_hat.unsqueeze(-2)).sum(-1) - y
        columns["train_residual"] = residual.abs().amax(-1)
        records.extend(to_records(columns))
    return records
