"""Monte Carlo of "train large, then prune" for a random-features model (project key chang2021).

Setting (``papers/chang2021.md``, "Random-features model"): x ~ N(0, I_d), y = x^T theta + sigma z.
Features f = phi(R x) with R (p x d) having rows uniform on the unit sphere and
phi(t) = ReLU(t) - 1/sqrt(2 pi) (centered ReLU). R and theta (a fixed direction of norm
||theta||) are given by the caller (the regime's one definition lives in
``bounds.chang2021.designs.random_features``) and shared by all trials; trials differ in the
data. Pruning removes hidden neurons, i.e. entries of the second-layer vector a_hat.

Exact population risk of a second-layer vector b:
R(b) = sigma^2 + ||theta||^2 - 2 mu1 b^T R theta + b^T K b, mu1 = E[u phi(u)] = 1/2,
K_ij = E[phi(r_i^T x) phi(r_j^T x)] = [sqrt(1 - rho^2) + (pi - arccos rho) rho] / (2 pi) - 1/(2 pi),
rho = r_i^T r_j.

Seeds, chunking and devices follow ``simulations.least_squares``: each trial draws (X, then z,
then the fresh set if asked for) from its own CPU generator. This module measures only.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import torch

from simulations.devices import resolve_device
from simulations.least_squares import (
    DTYPE,
    MAX_BYTES,
    RETRAIN_MODES,
    check_choices,
    check_int,
    check_seeds,
    check_sigma,
    chunks,
    min_norm_least_squares,
    pruned_estimates,
    sample_batch,
    to_records,
    top_s_indices,
)

MU1 = 0.5
"""First Hermite coefficient of the centered ReLU, E[u phi(u)] for u ~ N(0, 1)."""
RF_RULES = ("magnitude", "hessian")
_TWO_PI = 2 * math.pi


def _relu_kernel_rows(R: torch.Tensor, start: int, stop: int) -> torch.Tensor:
    """Rows start:stop of K (unit rows of R assumed); rho_ii is set to exactly 1."""
    rho = (R[start:stop] @ R.T).clamp(-1.0, 1.0)
    rows = torch.arange(stop - start, device=R.device)
    rho[rows, rows + start] = 1.0
    cross = torch.sqrt(1.0 - rho**2) + (math.pi - torch.arccos(rho)) * rho
    return cross / _TWO_PI - 1.0 / _TWO_PI


def relu_kernel_torch(R: torch.Tensor | np.ndarray) -> torch.Tensor:
    """K_ij = E[phi(r_i^T x) phi(r_j^T x)], x ~ N(0, I_d), for unit rows r_i of R (p x d):
    K_ij = [sqrt(1 - rho^2) + (pi - arccos rho) rho] / (2 pi) - 1/(2 pi), rho = r_i^T r_j clipped
    to [-1, 1]; K_ii = 1/2 - 1/(2 pi). Returns a float64 (p x p) tensor on R's device."""
    R = torch.as_tensor(R, dtype=DTYPE)
    norms = torch.linalg.vector_norm(R, dim=1)
    if not bool(torch.all((norms - 1.0).abs() < 1e-10)):
        raise ValueError("R must have unit-norm rows")
    return _relu_kernel_rows(R, 0, R.shape[0])


def relu_features(X: torch.Tensor, R: torch.Tensor) -> torch.Tensor:
    """f = phi(R x) for each row x of X (..., n, d) -> (..., n, p), phi = ReLU - 1/sqrt(2 pi)."""
    return torch.relu(X @ R.T) - 1.0 / math.sqrt(_TWO_PI)


def random_features_risk(
    b: torch.Tensor,
    R: torch.Tensor,
    theta: torch.Tensor,
    sigma: float,
    max_bytes: int = MAX_BYTES,
) -> torch.Tensor:
    """Exact risk R(b) = sigma^2 + ||theta||^2 - 2 mu1 b^T R theta + b^T K b of each row of
    b (m, p); K is built in row blocks of at most ``max_bytes`` bytes (never whole)."""
    p = R.shape[0]
    quad = torch.zeros(b.shape[0], dtype=b.dtype, device=b.device)
    step = max(1, int(max_bytes) // (8 * p))
    for start in range(0, p, step):
        stop = min(p, start + step)
        quad += ((b @ _relu_kernel_rows(R, start, stop).T) * b[:, start:stop]).sum(-1)
    return sigma**2 + theta.dot(theta) - 2 * MU1 * (b @ (R @ theta)) + quad


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
    R: np.ndarray,
    theta: np.ndarray,
    n: int,
    s: int,
    sigma: float,
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

    ``R`` (p x d, unit rows) and ``theta`` (d,) are the fixed first layer and target of the
    regime (the caller builds them; every trial shares them and differs in the data).

    a_hat = F^T (F F^T)^{-1} y if p > n, OLS if p < n, F^{-1} y if p = n, F = phi(X R^T).
    Rules: ``magnitude`` keeps the s largest |a_hat_i|; ``hessian`` the s largest
    sqrt(K_ii)|a_hat_i|, identical here since K_ii = 1/2 - 1/(2 pi) for all i. ``oracle`` has
    no meaning for random features and is rejected. Retraining as in ``simulate_linear``
    (``none``, ``same``, ``fresh``). The small model is a random-features model with the first
    s neurons (the first s rows of R) fitted on the same data.

    Returns one dict per seed with floats ``dense``, ``prune_<rule>``, ``retrain_same_<rule>``,
    ``retrain_fresh_<rule>``, ``small`` and ``train_residual`` = max_j |f_j^T a_hat - y_j|.
    """
    R_np, theta_np = np.asarray(R, dtype=np.float64), np.asarray(theta, dtype=np.float64)
    if R_np.ndim != 2 or theta_np.shape != (R_np.shape[1],):
        raise ValueError(f"R must be (p x d) and theta (d,), got {R_np.shape} and {theta_np.shape}")
    p, d = R_np.shape
    n = check_int("n", n, 1)
    s = check_int("s", s, 1, p)
    sigma = check_sigma(sigma)
    rules = check_choices("rules", rules, (*RF_RULES, "oracle"))
    if "oracle" in rules:
        raise ValueError("rules: 'oracle' is not defined for random features; use 'magnitude'")
    retrain = check_choices("retrain", retrain, RETRAIN_MODES)
    seeds = check_seeds(seeds)
    dev = resolve_device(device)
    R = torch.as_tensor(R_np, dtype=DTYPE, device=dev)
    if not bool(torch.all((torch.linalg.vector_norm(R, dim=1) - 1.0).abs() < 1e-10)):
        raise ValueError("R must have unit-norm rows")
    theta_cpu = torch.as_tensor(theta_np, dtype=DTYPE)
    theta = theta_cpu.to(dev)
    sqrt_k_diag = math.sqrt(0.5 - 1.0 / _TWO_PI)
    first_s = torch.arange(s, device=dev)
    draw_fresh = "fresh" in retrain and bool(rules)

    def draw(gen: torch.Generator, out: tuple[torch.Tensor, torch.Tensor]) -> None:
        sample_random_features(theta_cpu, sigma, n, gen, out)

    def features(gens: list[torch.Generator]) -> tuple[torch.Tensor, torch.Tensor]:
        X, y = sample_batch(draw, gens, n, d, dev)
        return relu_features(X, R), y

    records: list[dict] = []
    for chunk in chunks(seeds, n * max(n, p, d), max_bytes):
        gens = [torch.Generator().manual_seed(seed) for seed in chunk]
        F, y = features(gens)
        fresh = features(gens) if draw_fresh else None
        a_hat = min_norm_least_squares(F, y)
        scores = {"magnitude": a_hat.abs(), "hessian": sqrt_k_diag * a_hat.abs()}
        supports = {rule: top_s_indices(scores[rule], s) for rule in rules}
        small = first_s.expand(len(chunk), s) if small_model else None
        vectors = {"dense": a_hat}
        vectors.update(pruned_estimates(F, y, a_hat, supports, retrain, fresh, small))
        stacked = torch.stack(list(vectors.values()), dim=1)  # (B, keys, p)
        risks = random_features_risk(stacked.reshape(-1, p), R, theta, sigma, max_bytes)
        columns = dict(zip(vectors, risks.reshape(len(chunk), -1).unbind(-1), strict=True))
        residual = (F * a_hat.unsqueeze(-2)).sum(-1) - y
        columns["train_residual"] = residual.abs().amax(-1)
        records.extend(to_records(columns))
    return records
