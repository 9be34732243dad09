"""The random draws of a network, block by block of coordinates, regenerable at will.

Nothing d-dimensional is ever stored. The coordinates are cut into blocks of ``BLOCK``
(a network's last block is cut short at d). Every draw of a block (noise, mask uniforms,
initialization normals, dense signal directions, test noise) comes from its own generator,
seeded by ``SeedSequence([network seed, stream, block])`` on the simulation's device, and is
always drawn for the whole block then cut (block 0 by tiles of ``TILE``, so that small
networks do not draw a whole block), so coordinate c gets the same numbers whatever d is: a
network is a prefix of the same network with a larger d. Any block can be
regenerated in any pass, and a network's draws do not depend on the other networks it is
simulated with. The few per-sample draws (labels, patch order) come from the stream
``labels`` (``test`` for a streamed test set).

Draws are in units: the simulated network scales them (``scales``). The data model (paper
file of yang2023): signals mu_1..mu_K orthogonal, ||mu_k|| = mu; ``sparse``: mu_k = mu e_k;
``dense``: mu times orthonormal directions Q = A R^{-1}, A a d x K standard Gaussian and
A^T A = R^T R (Cholesky; needs a pass first, :func:`dense_prep`). Noise xi_i = sigma_n P g_i,
g_i ~ N(0, I_d), P the projection off the signals: sparse signals zero the coordinates
0..K-1, dense ones give P g = g - Q (Q^T g). Masks: ``bernoulli``, M[c] = 1[U_c < p] with
U_c uniform (nested in p); ``exact``, exactly round(p d) kept per filter, spread over the
blocks by a multivariate hypergeometric draw and uniformly within each block.
Initialization w^{(0)} = sigma_0 Z with Z standard normal.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import torch

from .spec import NetworkSpec

BLOCK = 2**14
"""Coordinates per block (fixed: the draws of a network depend on it)."""
TILE = 2**10
"""Coordinates per draw in block 0 (fixed, like BLOCK)."""
FIRST_TILES = 2**30
"""The generator index of block 0's first tile (above every block index)."""
STREAMS = {"labels": 1, "noise": 2, "mask": 3, "init": 4, "signal": 5, "test": 6,
           "mask_counts": 7, "gaussian_test": 8, "wishart": 9}
SAMPLES_BLOCK = 2**31
"""The block index of a stream's per-sample draws."""
DRAW_DTYPE = torch.float32
"""The dtype of the raw draws; a block is computed in the network's working dtype (a
float32 draw is exact in float64)."""


def block_seed(seed: int, stream: str, block: int) -> int:
    """The seed of one stream of one block of a network."""
    state = np.random.SeedSequence([int(seed), STREAMS[stream], int(block)])
    return int(state.generate_state(1, dtype=np.uint64)[0] >> 1)


def generator(seed: int, stream: str, block: int, device: torch.device) -> torch.Generator:
    return torch.Generator(device=device).manual_seed(block_seed(seed, stream, block))


def draw(seed: int, stream: str, block: int, rows: int, width: int, device: torch.device,
         dtype: torch.dtype, uniform: bool = False) -> torch.Tensor:
    """``rows`` x ``width`` standard normals (or uniforms) of one block: drawn for the whole
    block, then cut to ``width``; block 0 is drawn in tiles of ``TILE`` coordinates (tile j
    from generator index ``FIRST_TILES + j``), so a small network draws about d numbers per
    row, not ``BLOCK``."""
    fn = torch.rand if uniform else torch.randn
    if block > 0:
        full = fn(rows, BLOCK, generator=generator(seed, stream, block, device), device=device,
                  dtype=DRAW_DTYPE)
        return full[:, :width].to(dtype)
    tiles = [fn(rows, TILE, generator=generator(seed, stream, FIRST_TILES + j, device),
                device=device, dtype=DRAW_DTYPE)[:, :min(TILE, width - start)]
             for j, start in enumerate(range(0, width, TILE))]
    return torch.cat(tiles, dim=1).to(dtype)


def blocks(d: int) -> Iterator[tuple[int, int, int]]:
    """(block index, first coordinate, width) of every block of d coordinates."""
    for b, start in enumerate(range(0, d, BLOCK)):
        yield b, start, min(BLOCK, d - start)


@dataclass(frozen=True)
class Samples:
    """Per-sample draws: labels (n,) in 0..K-1 and patch order (n,) (True when x1 is the
    signal patch; the network output does not depend on it)."""

    labels: torch.Tensor
    signal_first: torch.Tensor


def samples(spec: NetworkSpec, seed: int, n: int, stream: str,
            device: torch.device) -> Samples:
    """n labelled samples' discrete draws from ``stream`` ("labels" for training, "test")."""
    gen = generator(seed, stream, SAMPLES_BLOCK, device)
    labels = torch.randint(0, spec.K, (n,), generator=gen, device=device)
    first = torch.randint(0, 2, (n,), generator=gen, device=device).bool()
    return Samples(labels, first)


def mask_counts(spec: NetworkSpec, seed: int) -> np.ndarray:
    """``exact`` masks: kept coordinates per (filter, block), (K m, blocks), each row summing
    to round(p d) (a multivariate hypergeometric draw over the blocks' widths)."""
    widths = np.array([w for _, _, w in blocks(spec.d)], dtype=np.int64)
    rng = np.random.default_rng(block_seed(seed, "mask_counts", 0))
    kept = int(round(spec.p * spec.d))
    return np.stack([rng.multivariate_hypergeometric(widths, kept)
                     for _ in range(spec.K * spec.m)])


@dataclass(frozen=True)
class DensePrep:
    """What dense signals need before any block: R^{-1} (K, K) with A^T A = R^T R, and
    Q^T g_i = R^{-T} A^T g_i for the training noise (K, n)."""

    r_inv: torch.Tensor
    qt_g: torch.Tensor


def dense_prep(spec: NetworkSpec, seed: int, device: torch.device) -> DensePrep:
    """One pass over the blocks: A^T A and A^T g (float64)."""
    ata = torch.zeros(spec.K, spec.K, dtype=torch.float64, device=device)
    atg = torch.zeros(spec.K, spec.n, dtype=torch.float64, device=device)
    for b, _, w in blocks(spec.d):
        a = draw(seed, "signal", b, spec.K, w, device, torch.float64)
        ata += a @ a.T
        atg += a @ draw(seed, "noise", b, spec.n, w, device, torch.float64).T
    r_inv = torch.linalg.inv(torch.linalg.cholesky(ata).T)  # R upper: A^T A = R^T R
    return DensePrep(r_inv, r_inv.T @ atg)


def dense_test_prep(spec: NetworkSpec, seed: int, n_test: int, prep: DensePrep,
                    device: torch.device) -> torch.Tensor:
    """Q^T g for a streamed test set's raw noise (K, n_test): one more pass."""
    atg = torch.zeros(spec.K, n_test, dtype=torch.float64, device=device)
    for b, _, w in blocks(spec.d):
        atg += draw(seed, "signal", b, spec.K, w, device, torch.float64) @ draw(
            seed, "test", b, n_test, w, device, torch.float64).T
    return prep.r_inv.T @ atg


@dataclass(frozen=True)
class RawBlock:
    """One block of a network's draws in units, working dtype: ``vectors`` (K + n, w) =
    (unit signals, unit projected noise P g), mask ``uniform`` (K m, w), initialization
    ``normal`` Z (K m, w)."""

    vectors: torch.Tensor
    uniform: torch.Tensor
    normal: torch.Tensor


def unit_signals(spec: NetworkSpec, seed: int, block: int, start: int, width: int,
                 prep: DensePrep | None, device: torch.device, dtype: torch.dtype
                 ) -> torch.Tensor:
    """The block of the unit signal directions (K, w): e_k (sparse) or Q^T (dense)."""
    if spec.signal == "sparse":
        unit = torch.zeros(spec.K, width, dtype=dtype, device=device)
        cols = torch.arange(start, max(start, min(start + width, spec.K)), device=device)
        unit[cols, cols - start] = 1.0
        return unit
    return (prep.r_inv.T @ draw(seed, "signal", block, spec.K, width, device,
                                torch.float64)).to(dtype)


def project(spec: NetworkSpec, start: int, g: torch.Tensor, unit: torch.Tensor,
            qt_g: torch.Tensor | None) -> torch.Tensor:
    """P g restricted to the block: sparse signals zero the coordinates < K; dense ones
    subtract (Q^T g)^T Q^T (``qt_g`` (K, rows), ``unit`` = Q^T of the block)."""
    if spec.signal == "sparse":
        g[:, : max(0, min(spec.K - start, g.shape[1]))] = 0.0
        return g
    return g - qt_g.T.to(g.dtype) @ unit


def raw_block(spec: NetworkSpec, seed: int, block: int, start: int, width: int,
              prep: DensePrep | None, device: torch.device, dtype: torch.dtype) -> RawBlock:
    """Regenerate one block of a network's unit draws."""
    F = spec.K * spec.m
    unit = unit_signals(spec, seed, block, start, width, prep, device, dtype)
    noise = project(spec, start, draw(seed, "noise", block, spec.n, width, device, dtype), unit,
                    None if prep is None else prep.qt_g)
    return RawBlock(torch.cat((unit, noise)),
                    draw(seed, "mask", block, F, width, device, DRAW_DTYPE, uniform=True),
                    draw(seed, "init", block, F, width, device, dtype))


def masks(raw: RawBlock, p: float, kind: str, counts: np.ndarray | None,
          dtype: torch.dtype) -> torch.Tensor:
    """The block's masks (K m, w) as 0/1: 1[U < p] (``bernoulli``) or, for ``exact``, the
    ``counts`` (K m,) smallest uniforms of each filter."""
    if kind == "bernoulli":
        return (raw.uniform < p).to(dtype)
    rank = raw.uniform.argsort(dim=1).argsort(dim=1)
    return (rank < torch.as_tensor(counts, device=rank.device)[:, None]).to(dtype)


def unit_test_noise(spec: NetworkSpec, seed: int, block: int, start: int, width: int,
                    n_test: int, unit: torch.Tensor, test_qt_g: torch.Tensor | None,
                    device: torch.device, dtype: torch.dtype) -> torch.Tensor:
    """One block of a streamed test set's unit noise P g (n_test, w)."""
    return project(spec, start, draw(seed, "test", block, n_test, width, device, dtype), unit,
                   test_qt_g)


def scales(spec: NetworkSpec, device: torch.device, dtype: torch.dtype) -> torch.Tensor:
    """The scale of each unit vector: mu for the K signals, sigma_n for the n noises."""
    return torch.tensor([spec.mu] * spec.K + [spec.sigma_n] * spec.n, dtype=dtype,
                        device=device)
