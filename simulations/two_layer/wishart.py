"""A network's training and test statistics drawn from their exact joint law, without
drawing its coordinates (``draws="wishart"``): time and memory do not grow with d.

Sparse signals, Bernoulli masks (the model of ``streams``; the config refuses the other
kinds, and a streamed test set, with these draws). The K signal coordinates (u_k = e_k, no
noise there) are drawn one by one. Each of the other d - K coordinates c carries unit noise
g_c ~ N(0, I_n), a mask pattern S(c) = {f : M_f[c] = 1} (each of the F = K m filters
independently with probability p) and initialization normals Z_{f,c}, all independent
across coordinates. Every statistic the coefficient trainer and the Gaussian test error read
is a sum over coordinates restricted to the filters of S(c), so grouping the coordinates by
their pattern P (N_P of them) leaves, for each pattern, one Wishart matrix

    H_P = sum_{c : S(c) = P} z_c z_c^T ~ W_{n+|P|}(N_P, I),   z_c = (g_c, Z_{P,c}),

and, with f at position j of P:
- the masked noise Gram G_f[xi_i, xi_i'] = sum_{P ∋ f} H_P[i, i'];
- the initial inner products <Z_f * M_f, g_i> = sum_{P ∋ f} H_P[n + j, i];
- the trained weights' Gram (test pass) <W_f, W_f'> = sum_{P ∋ f, f'} v_f^T H_P v_f', with
  v_f = (weights of f on the noise vectors, sigma_0 at row n + j).

The counts are drawn hierarchically: N_k = #{c : |S(c)| = k} ~ Multinomial(d - K,
Binomial(F, p)), then the C(F, k) patterns of size k share N_k uniformly (a multinomial).
A pattern with N_P >= n + |P| is drawn by the Bartlett decomposition (H = A A^T, A lower
triangular, A_ii^2 ~ chi^2(N_P - i), normals below), a smaller one as Z^T Z of N_P explicit
rows. Sizes whose patterns are many and each rare (expected count below n + k, or more than
``MAX_PATTERNS`` patterns) are drawn coordinate by coordinate instead: N_k patterns of count
one, each a uniform k-subset of the filters. All draws are numpy's (the same on every
device), seeded by (network seed, size k, chunk), so the test pass regenerates the training
pass's matrices chunk by chunk.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import combinations

import numpy as np
import torch
from scipy import stats

from .spec import NetworkSpec
from .streams import STREAMS

MAX_PATTERNS = 2**18
"""Sizes k with more patterns than this (C(F, k)) are drawn coordinate by coordinate."""
CHUNK_ENTRIES = 2**20
"""Matrix entries per chunk of patterns (fixed: a network's draws depend on it)."""
LAYOUT = 0
"""The size index of the counts' and the signal coordinates' generator (sizes k are >= 1)."""


def _rng(seed: int, k: int, chunk: int) -> np.random.Generator:
    return np.random.default_rng([int(seed), STREAMS["wishart"], k, chunk])


def per_chunk(dim: int, rows: int) -> int:
    """Patterns (rows = dim: matrices) or coordinates (rows = 1: vectors) per chunk."""
    return max(1, CHUNK_ENTRIES // (dim * rows))


@dataclass(frozen=True)
class Size:
    """The coordinates whose pattern has k filters: ``count`` of them, drawn as ``patterns``
    (every k-subset, with multinomial ``counts``) or coordinate by coordinate (both None)."""

    k: int
    count: int
    patterns: np.ndarray | None  # (C(F, k), k) filter indices
    counts: np.ndarray | None  # (C(F, k),) coordinates per pattern

    def step(self, n: int) -> int:
        """Patterns or coordinates per chunk."""
        return per_chunk(n + self.k, 1 if self.patterns is None else n + self.k)

    def chunks(self, n: int) -> int:
        rows = self.count if self.patterns is None else len(self.patterns)
        return math.ceil(rows / self.step(n))


def pattern_sizes(spec: NetworkSpec, seed: int) -> list[Size]:
    """The sizes k >= 1 with at least one coordinate, and how each is drawn."""
    F, n = spec.K * spec.m, spec.n
    rng = _rng(seed, LAYOUT, 0)
    pmf = stats.binom.pmf(np.arange(F + 1), F, spec.p)
    totals = rng.multinomial(spec.d - spec.K, pmf / pmf.sum())
    sizes = []
    for k in range(1, F + 1):
        if totals[k] == 0:
            continue
        many = math.comb(F, k)
        if many <= MAX_PATTERNS and (spec.d - spec.K) * pmf[k] / many >= n + k:
            patterns = np.array(list(combinations(range(F), k)), dtype=np.int64)
            counts = rng.multinomial(totals[k], np.full(many, 1.0 / many))
            sizes.append(Size(k, int(totals[k]), patterns, counts))
        else:
            sizes.append(Size(k, int(totals[k]), None, None))
    return sizes


def wishart(counts: np.ndarray, dim: int, rng: np.random.Generator) -> np.ndarray:
    """One W_dim(N, I) matrix per count N (a (P, dim, dim) array): Bartlett where
    N >= dim, else Z^T Z of N standard normal rows (0 for N = 0)."""
    out = np.zeros((len(counts), dim, dim))
    full = counts >= dim
    if full.any():
        a = np.tril(rng.standard_normal((int(full.sum()), dim, dim)), -1)
        diagonal = np.arange(dim)
        a[:, diagonal, diagonal] = np.sqrt(rng.chisquare(counts[full, None] - diagonal))
        out[full] = a @ a.transpose(0, 2, 1)
    few = ~full & (counts > 0)
    if few.any():
        rows = int(counts[few].max())
        z = rng.standard_normal((int(few.sum()), rows, dim))
        z *= np.arange(rows)[None, :, None] < counts[few, None, None]
        out[few] = z.transpose(0, 2, 1) @ z
    return out


@dataclass(frozen=True)
class Chunk:
    """Patterns ``filters`` (P, k) int64 with their Wishart matrices ``h`` (P, n + k, n + k),
    or single coordinates ``filters`` with their vectors ``z`` (P, n + k) = (g_c, Z_{P,c})."""

    filters: torch.Tensor
    h: torch.Tensor | None = None
    z: torch.Tensor | None = None

    def by_filter(self, F: int) -> Iterator[tuple[int, torch.Tensor, torch.Tensor]]:
        """Single coordinates: (f, the rows of the coordinates f keeps, f's position there)."""
        for f in range(F):
            rows, position = torch.nonzero(self.filters == f, as_tuple=True)
            if len(rows):
                yield f, rows, position


def chunks(spec: NetworkSpec, seed: int) -> Iterator[Chunk]:
    """Every chunk of a network's noise coordinates, in a fixed order."""
    F, n = spec.K * spec.m, spec.n
    for size in pattern_sizes(spec, seed):
        step, dim = size.step(n), n + size.k
        for c in range(size.chunks(n)):
            rng = _rng(seed, size.k, c)
            if size.patterns is None:
                rows = min(step, size.count - c * step)
                filters = np.argpartition(rng.random((rows, F)), size.k - 1, axis=1)[:, :size.k]
                yield Chunk(torch.from_numpy(np.ascontiguousarray(filters)),
                            z=torch.from_numpy(rng.standard_normal((rows, dim))))
            else:
                yield Chunk(torch.from_numpy(size.patterns[c * step:(c + 1) * step]),
                            h=torch.from_numpy(wishart(size.counts[c * step:(c + 1) * step],
                                                       dim, rng)))


@dataclass(frozen=True)
class SignalCoordinates:
    """The K signal coordinates: masks (F, K) 0/1 and initialization normals Z (F, K)."""

    mask: torch.Tensor
    normal: torch.Tensor


def signal_coordinates(spec: NetworkSpec, seed: int) -> SignalCoordinates:
    F = spec.K * spec.m
    rng = _rng(seed, LAYOUT, 1)
    mask = torch.from_numpy((rng.random((F, spec.K)) < spec.p).astype(np.float64))
    return SignalCoordinates(mask, torch.from_numpy(rng.standard_normal((F, spec.K))))


def unit_training_statistics(spec: NetworkSpec, seed: int
                             ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """(unit Gram (F, A, A), unit init inner (F, A), kept (F,)) on the CPU, float64, in the
    units of ``accumulate`` (signals e_k, noise g_i, init Z)."""
    K, m, n = spec.K, spec.m, spec.n
    F, A = K * m, K + n
    gram = torch.zeros(F, A, A, dtype=torch.float64)
    init = torch.zeros(F, A, dtype=torch.float64)
    sig = signal_coordinates(spec, seed)
    idx = torch.arange(K)
    gram[:, idx, idx] = sig.mask
    init[:, :K] = sig.normal * sig.mask
    kept = sig.mask[torch.arange(F), torch.arange(F) // m] > 0
    noise = torch.zeros(F, n * n, dtype=torch.float64)
    noise_init = torch.zeros(F, n, dtype=torch.float64)
    for chunk in chunks(spec, seed):
        if chunk.h is None:
            for f, rows, position in chunk.by_filter(F):
                g = chunk.z[rows, :n]
                noise[f] += (g.T @ g).reshape(-1)
                noise_init[f] += chunk.z[rows, n + position] @ g
            continue
        P, k = chunk.filters.shape
        flat = chunk.filters.reshape(-1)
        h = chunk.h
        noise.index_add_(0, flat, h[:, None, :n, :n].expand(P, k, n, n).reshape(P * k, n * n))
        noise_init.index_add_(0, flat, h[:, n:, :n].reshape(P * k, n))
    gram[:, K:, K:] = noise.reshape(F, n, n)
    init[:, K:] = noise_init
    return gram, init, kept


def weight_gram(spec: NetworkSpec, seed: int, weights: torch.Tensor) -> torch.Tensor:
    """<W_f, W_f'> (F, F) float64 on the CPU for trained weights W_f = M_f * (sigma_0 Z_f +
    sum_a weights[f, a] u_a), ``weights`` (F, A) the coefficients times the scales."""
    K, n = spec.K, spec.n
    F = K * spec.m
    weights = weights.double().cpu()
    sigma_0 = spec.init_scale
    sig = signal_coordinates(spec, seed)
    w_signal = sig.mask * (sigma_0 * sig.normal + weights[:, :K])
    out = (w_signal @ w_signal.T).reshape(-1)
    noise_weights = weights[:, K:]
    for chunk in chunks(spec, seed):
        filters = chunk.filters
        P, k = filters.shape
        if chunk.h is None:  # W_f[c] = <weights of f, g_c> + sigma_0 Z_{f,c}, for f in S(c)
            w = (noise_weights[filters] @ chunk.z[:, :n, None])[..., 0] + sigma_0 * chunk.z[:, n:]
            q = w[:, :, None] * w[:, None, :]
        else:
            v = torch.zeros(P, k, n + k, dtype=torch.float64)
            v[:, :, :n] = noise_weights[filters]
            j = torch.arange(k)
            v[:, j, n + j] = sigma_0
            q = v @ chunk.h @ v.transpose(1, 2)
        index = (filters[:, :, None] * F + filters[:, None, :]).reshape(-1)
        out.index_add_(0, index, q.reshape(-1))
    return out.reshape(F, F)
