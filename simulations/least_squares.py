"""Monte Carlo of "train large, then prune" for min-norm least squares (project key chang2021).

Setting (notation of ``papers/chang2021.md``): features x in R^D, x ~ N(0, diag(lambda)),
target y = x^T beta + sigma z with z ~ N(0, 1), n i.i.d. training samples. The large model
uses the first p features; the omitted ones act as noise of variance
sigma_p^2 = sigma^2 + sum_{i >= p} lambda_i beta_i^2.

Each trial draws its data from its own ``torch.Generator`` (seeded with the trial's seed, always
on the CPU, so a seed gives bitwise the same data whatever the batch, the chunking or the
device), then all trials of a chunk are stacked and solved together in float64 on the chosen
device. The results of a seed therefore agree across batch compositions and devices up to the
rounding of batched BLAS/LAPACK kernels (about 1e-15 relative for well-conditioned designs,
more near p = n where the Gram matrix is ill-conditioned), not bit for bit.
Draw order within a trial: the training set (X, then z), then, only when fresh-data retraining
is asked for, a second independent training set (X', then z'). Since y given the first p
features is x_p^T beta_p + sigma_p z in law, X holds the p modelled features only and the
omitted features enter through sigma_p.

The regime arrives as a ``LinearProblem`` (duck-typed: the paper's design object), which
carries its one definition of sigma_p, the oracle support, the pruning rules and their
scores; this module validates nothing of the model and defines none of it. It measures; it
knows nothing about any theorem and predicts nothing.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Sequence
from typing import Any, Protocol

import numpy as np
import torch

from .devices import resolve_device, threads

DTYPE = torch.float64
MAX_BYTES = 2**28
"""Default cap on the size of one tensor (bytes); trials are chunked to respect it."""
RETRAIN_MODES = ("none", "same", "fresh")


class LinearProblem(Protocol):
    """What the simulator reads of a linear regime (the paper's ``Design``)."""

    n: int
    p: int
    s: int
    rules: tuple[str, ...]

    def model(self) -> tuple[np.ndarray, np.ndarray, float]:
        """(lambda_i, beta_i over the p model features, sigma_p)."""

    def oracle_support(self) -> np.ndarray:
        """S*, the fixed support of the small model (indices into the p features)."""

    def score_weights(self, rule: str) -> np.ndarray | None:
        """Pruning score = weights * |b_i|; None: the rule keeps the fixed support S*."""


def check_seeds(seeds: Sequence[int]) -> list[int]:
    """The per-trial seeds: integers in [0, 2**64)."""
    out = []
    for seed in seeds:
        if isinstance(seed, bool) or not isinstance(seed, int | np.integer) \
                or not 0 <= int(seed) < 2**64:
            raise ValueError(f"seeds must be integers in [0, 2**64), got {seed!r}")
        out.append(int(seed))
    return out


def check_rules(rules: Sequence[str], allowed: Sequence[str]) -> tuple[str, ...]:
    """The pruning rules asked for, among the problem's own."""
    for rule in rules:
        if rule not in allowed:
            raise ValueError(f"rules entries must be among {tuple(allowed)}, got {rule!r}")
    return tuple(rules)


def check_retrain(retrain: Sequence[str]) -> tuple[str, ...]:
    """The retraining protocols asked for, among ``RETRAIN_MODES``."""
    modes = (retrain,) if isinstance(retrain, str) else tuple(retrain)
    for mode in modes:
        if mode not in RETRAIN_MODES:
            raise ValueError(f"retrain entries must be among {RETRAIN_MODES}, got {mode!r}")
    return tuple(dict.fromkeys(modes))


def chunks(seeds: list[int], elements_per_trial: int, max_bytes: int) -> Iterator[list[int]]:
    """Split the trials so that a float64 tensor of ``elements_per_trial`` per trial stays
    under ``max_bytes`` (at least one trial per chunk)."""
    size = max(1, int(max_bytes) // (8 * elements_per_trial))
    for start in range(0, len(seeds), size):
        yield seeds[start : start + size]


def min_norm_least_squares(A: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Batched minimum-norm least squares, A: (B, n, k), y: (B, n) -> (B, k).

    k > n: b = A^T (A A^T)^{-1} y (the interpolator gradient descent from zero converges to);
    k < n: ordinary least squares b = (A^T A)^{-1} A^T y; k = n: b = A^{-1} y.
    The Gram systems (symmetric positive definite at full rank) are solved by Cholesky; a
    Gram that is not numerically positive definite gives NaN, which the trial reports as a
    fault. The square case uses LU with one intra-op thread: on the CPU, torch's batched LU
    with several threads returns wrong solutions or fails for matrices of size >= ~150
    (concurrent MKL ``getrf``/``laswp`` calls, pytorch/pytorch#142815; measured here on torch
    2.13 with 2 threads; ``tests/simulations/test_least_squares.py`` checks it).
    """
    n, k = A.shape[-2:]
    if k == n:
        with threads(1 if A.device.type == "cpu" else None):
            return torch.linalg.solve(A, y)
    if k > n:
        w = solve_gram(A @ A.mT, y)
        return (A.mT @ w.unsqueeze(-1)).squeeze(-1)
    return solve_gram(A.mT @ A, (A.mT @ y.unsqueeze(-1)).squeeze(-1))


def solve_gram(G: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """x with G x = b for a batch of symmetric positive definite G (B, k, k), b (B, k), by
    Cholesky; NaN for a G whose factorization fails (not numerically positive definite)."""
    L, info = torch.linalg.cholesky_ex(G)
    x = torch.cholesky_solve(b.unsqueeze(-1), L).squeeze(-1)
    return torch.where((info == 0).unsqueeze(-1), x, torch.nan)


def top_s_indices(scores: torch.Tensor, s: int) -> torch.Tensor:
    """Indices of the s largest scores of each row of ``scores`` (B, p) -> (B, s).

    Exactly s per row; ties are broken by the lower index (stable descending sort).
    """
    return torch.argsort(scores, dim=-1, descending=True, stable=True)[..., :s]


def keep_on_support(coef: torch.Tensor, idx: torch.Tensor) -> torch.Tensor:
    """Prune without retraining: keep coef (B, p) on the support idx (B, s), zero elsewhere."""
    return torch.zeros_like(coef).scatter(-1, idx, coef.gather(-1, idx))


def refit_on_support(X: torch.Tensor, y: torch.Tensor, idx: torch.Tensor) -> torch.Tensor:
    """Retrain min-norm least squares of y on the columns idx (B, s) of X (B, n, p); the
    result is embedded in R^p (zero off the support)."""
    cols = X.gather(-1, idx.unsqueeze(-2).expand(-1, X.shape[-2], -1))
    coef = min_norm_least_squares(cols, y)
    return torch.zeros(X.shape[0], X.shape[-1], dtype=X.dtype, device=X.device).scatter(
        -1, idx, coef
    )


def pruned_estimates(
    X: torch.Tensor,
    y: torch.Tensor,
    coef: torch.Tensor,
    supports: dict[str, torch.Tensor],
    retrain: Sequence[str],
    fresh: tuple[torch.Tensor, torch.Tensor] | None,
    small_support: torch.Tensor | None,
) -> dict[str, torch.Tensor]:
    """The pruned/retrained vectors (B, p) of every measured quantity, keyed as in the results.

    For each rule with support S (B, s): ``prune_<rule>`` keeps coef on S, ``retrain_same_<rule>``
    refits on the columns S of the same (X, y), ``retrain_fresh_<rule>`` refits on the columns S
    of the fresh set; ``small`` fits the same (X, y) on ``small_support`` only.
    """
    out: dict[str, torch.Tensor] = {}
    for rule, idx in supports.items():
        if "none" in retrain:
            out[f"prune_{rule}"] = keep_on_support(coef, idx)
        if "same" in retrain:
            out[f"retrain_same_{rule}"] = refit_on_support(X, y, idx)
        if "fresh" in retrain and fresh is not None:
            out[f"retrain_fresh_{rule}"] = refit_on_support(fresh[0], fresh[1], idx)
    if small_support is not None:
        out["small"] = refit_on_support(X, y, small_support)
    return out


def to_records(columns: dict[str, torch.Tensor]) -> list[dict]:
    """Turn {key: (B,) or (B, p) tensor} into B dicts of Python floats / lists of floats,
    each with ``fault``: None, or for a trial with a non-finite quantity (e.g. a solve that
    overflowed) ``"non-finite: <quantities>"``, its values then all NaN (faults are data,
    see ``theorycheck.paper.Measurement``)."""
    bad = {key: ~torch.isfinite(value.reshape(value.shape[0], -1)).all(-1)
           for key, value in columns.items()}
    lists = {key: value.detach().cpu().tolist() for key, value in columns.items()}
    size = len(next(iter(lists.values()))) if lists else 0
    records = []
    for i in range(size):
        broken = [key for key in columns if bool(bad[key][i])]
        record = {key: values[i] for key, values in lists.items()}
        if broken:
            record = {key: ([math.nan] * len(v) if isinstance(v, list) else math.nan)
                      for key, v in record.items()}
        named = ", ".join(broken[:3]) + (f" and {len(broken) - 3} more" if len(broken) > 3
                                         else "")
        records.append(record | {"fault": f"non-finite: {named}" if broken else None})
    return records


def sample_linear(
    lam_p: torch.Tensor,
    beta_p: torch.Tensor,
    sigma_p: float,
    n: int,
    generator: torch.Generator,
    out: tuple[torch.Tensor, torch.Tensor] | None = None,
) -> tuple[torch.Tensor, torch.Tensor]:
    """One training set of the linear model on the CPU: X (n, p) with rows ~ N(0, diag(lam_p)),
    y = X beta_p + sigma_p z. Draws the standard normals of X first, then z, from
    ``generator``; ``out`` = (X, y) buffers to fill in place (e.g. slices of a batch)."""
    X, y = out if out is not None else (torch.empty(n, lam_p.numel(), dtype=DTYPE), None)
    torch.randn(n, lam_p.numel(), generator=generator, dtype=DTYPE, out=X)
    X.mul_(lam_p.sqrt())
    z = torch.randn(n, generator=generator, dtype=DTYPE)
    y = torch.add(X @ beta_p, z, alpha=sigma_p, out=y)
    return X, y


def sample_batch(
    sampler: Callable[[torch.Generator, tuple[torch.Tensor, torch.Tensor]], object],
    generators: list[torch.Generator],
    n: int,
    k: int,
    device: torch.device,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Stack one training set per generator, drawn by ``sampler(generator, (X_i, y_i))`` into
    CPU buffers X (B, n, k), y (B, n), and move them to ``device``."""
    X = torch.empty(len(generators), n, k, dtype=DTYPE)
    y = torch.empty(len(generators), n, dtype=DTYPE)
    for i, gen in enumerate(generators):
        sampler(gen, (X[i], y[i]))
    return X.to(device), y.to(device)


def supports(problem: Any, coef: torch.Tensor, rules: Sequence[str]) -> dict[str, torch.Tensor]:
    """The kept indices (B, s) of each rule: the top-s of ``problem.score_weights(rule)`` *
    |coef| (ties to the lower index), or the fixed S* where the rule has no score."""
    out = {}
    for rule in rules:
        weights = problem.score_weights(rule)
        if weights is None:
            fixed = torch.as_tensor(problem.oracle_support(), device=coef.device)
            out[rule] = fixed.expand(coef.shape[0], problem.s)
        else:
            w = torch.as_tensor(weights, dtype=coef.dtype, device=coef.device)
            out[rule] = top_s_indices(w * coef.abs(), problem.s)
    return out


def simulate_linear(
    problem: LinearProblem,
    seeds: Sequence[int],
    *,
    device: str | torch.device = "cpu",
    rules: Sequence[str] | None = None,
    retrain: Sequence[str] = RETRAIN_MODES,
    small_model: bool = True,
    return_estimates: bool = False,
    max_bytes: int = MAX_BYTES,
) -> list[dict]:
    """Train large (min-norm least squares on the first p features), prune to s, measure risk.

    Per trial (one per seed): beta_hat = X^T (X X^T)^{-1} y if p > n, OLS if p < n, X^{-1} y
    if p = n. Pruning keeps exactly s entries by each of ``rules`` (default: all the
    problem's rules), scored as the problem defines them. After pruning: ``none`` keeps the
    values, ``same`` refits least squares (min-norm if s > n) on the kept columns of (X, y),
    ``fresh`` refits on the kept columns of an independent training set of n samples. The
    small model is least squares on S* with the same (X, y).

    Every vector b (zero beyond p) is scored by its exact population risk
    R(b) = sigma_p^2 + sum_{i<p} lambda_i (b_i - beta_i)^2.

    Returns one dict per seed, in seed order, with floats: ``dense``, ``prune_<rule>``,
    ``retrain_same_<rule>``, ``retrain_fresh_<rule>`` (for the asked rules and retrain modes),
    ``small`` (if small_model) and ``train_residual`` = max_j |x_j^T beta_hat - y_j| (zero up
    to rounding when p >= n); with return_estimates also ``beta_hat`` (list of p floats).
    Trials are batched in chunks so that no tensor exceeds about ``max_bytes`` bytes.
    """
    lam, beta, sigma_p = problem.model()
    n, p, s = problem.n, problem.p, problem.s
    rules = problem.rules if rules is None else check_rules(rules, problem.rules)
    retrain = check_retrain(retrain)
    seeds = check_seeds(seeds)
    dev = resolve_device(device)
    lam_p = torch.tensor(lam, dtype=DTYPE)
    beta_p = torch.tensor(beta, dtype=DTYPE)
    lam_d, beta_d = lam_p.to(dev), beta_p.to(dev)
    draw_fresh = "fresh" in retrain and bool(rules)

    def draw(gen: torch.Generator, out: tuple[torch.Tensor, torch.Tensor]) -> None:
        sample_linear(lam_p, beta_p, sigma_p, n, gen, out)

    def risk(b: torch.Tensor) -> torch.Tensor:
        return sigma_p**2 + (lam_d * (b - beta_d) ** 2).sum(-1)

    records: list[dict] = []
    for chunk in chunks(seeds, n * max(n, p), max_bytes):
        gens = [torch.Generator().manual_seed(seed) for seed in chunk]
        X, y = sample_batch(draw, gens, n, p, dev)
        fresh = sample_batch(draw, gens, n, p, dev) if draw_fresh else None
        beta_hat = min_norm_least_squares(X, y)
        small = (torch.as_tensor(problem.oracle_support(), device=dev).expand(len(chunk), s)
                 if small_model else None)
        vectors = pruned_estimates(X, y, beta_hat, supports(problem, beta_hat, rules), retrain,
                                   fresh, small)
        columns = {"dense": risk(beta_hat)}
        columns.update({key: risk(b) for key, b in vectors.items()})
        residual = (X * beta_hat.unsqueeze(-2)).sum(-1) - y
        columns["train_residual"] = residual.abs().amax(-1)
        if return_estimates:
            columns["beta_hat"] = beta_hat
        records.extend(to_records(columns))
    return records
