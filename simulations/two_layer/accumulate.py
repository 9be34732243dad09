"""Streaming passes over coordinates: everything the coefficient-space simulator needs,
accumulated block by block, so that memory does not grow with d.

Training pass (:func:`training_statistics`), per filter f = (j, r) and vectors
v = (mu_1..mu_K, xi_1..xi_n):
- the masked Gram G_f[a, e] = <v_a * M_f, v_e * M_f> = sum_c M_f[c] v_a[c] v_e[c]; for all
  filters at once one matrix product per block: masks (filters x coords) times the
  coordinate-wise products v_a v_e (coords x A(A+1)/2 pairs); for sparse masks (p <
  ``GATHER_BELOW``) instead one batched product of each filter's kept columns (work in
  proportion to p);
- the initial inner products <w^{(0)}_f * M_f, v_a>;
- whether filter (j, r) kept its class's signal coordinate (sparse signals: M_{j,r}[j]).

Test pass (:func:`test_statistics`), given trained coefficients alpha (w_f * M_f =
w^{(0)}_f * M_f + sum_a alpha_{f,a} v_a * M_f): the Gram of the trained masked weights
<W_f, W_f'> (for the exact Gaussian law of a fresh sample's noise parts) and, for a streamed
test set, <W_f, xi_t>.

Shared draws. Both passes work on unit draws (``streams``): v_a = s_a u_a with s = (mu,
sigma_n) scales and w^{(0)} = sigma_0 Z, so G = S G_unit S and <w^{(0)} M, v> = sigma_0
s * <Z M, u>. Networks drawn from the same stream (same seed, shape and data model) share
one pass whatever their mu, sigma_n, sigma_0, eta or step limit; with sparse signals and
Bernoulli masks also whatever their p (masks 1[U < p] are nested) and d (a network is a
prefix of a larger one: statistics are snapshot where each d ends). A block is computed in
the working dtype and the blocks' sums are added in float64, in a fixed order.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import torch

from .spec import NetworkSpec
from .streams import (
    BLOCK,
    RawBlock,
    blocks,
    dense_prep,
    dense_test_prep,
    mask_counts,
    masks,
    raw_block,
    scales,
    unit_test_noise,
)
from .wishart import unit_training_statistics, weight_gram

MAX_BYTES = 2**27
"""Default cap on the coordinate-pair products held at once (bytes)."""


def stream_key(spec: NetworkSpec, seed: int) -> tuple:
    """Networks with the same key share every draw of a pass. Sparse signals with
    Bernoulli masks share across p and d too; dense signal directions depend on d, and
    exact masks on p and d."""
    common = (int(seed), spec.K, spec.m, spec.n, spec.signal, spec.mask, spec.dtype)
    if spec.signal == "sparse" and spec.mask == "bernoulli":
        return common
    if spec.mask == "bernoulli":
        return (*common, spec.d)
    return (*common, spec.d, spec.p)


@dataclass(frozen=True)
class TrainingStatistics:
    """One network's statistics (float64): gram (F, A, A), init_inner (F, A), signal_kept
    (F,) (bool), with F = K m filters in class-major order and A = K + n vectors."""

    gram: torch.Tensor
    init_inner: torch.Tensor
    signal_kept: torch.Tensor


class _Stream:
    """The draws of one stream key: its networks' (p, d) cuts, the dense preparation and
    the exact masks' counts."""

    def __init__(self, spec: NetworkSpec, seed: int, members: list[NetworkSpec],
                 device: torch.device) -> None:
        self.spec, self.seed, self.device = spec, int(seed), device
        self.dtype = getattr(torch, spec.dtype)
        self.ps = sorted({s.p for s in members})
        self.ds = sorted({s.d for s in members})
        self.d = self.ds[-1]
        self.reach = {p: max(s.d for s in members if s.p == p) for p in self.ps}
        self.prep = dense_prep(spec, seed, device) if spec.signal == "dense" else None
        self.counts = mask_counts(spec, seed) if spec.mask == "exact" else None

    def blocks(self):
        for b, start, width in blocks(self.d):
            yield b, start, width, raw_block(self.spec, self.seed, b, start, width, self.prep,
                                             self.device, self.dtype)

    def masks(self, raw: RawBlock, p: float, block: int) -> torch.Tensor:
        counts = None if self.counts is None else self.counts[:, block]
        return masks(raw, p, self.spec.mask, counts, self.dtype)


def _segments(start: int, width: int, cuts: Sequence[int]) -> list[tuple[int, int, int | None]]:
    """The block [start, start + width) split at the ``cuts`` inside it: (from, to, the cut
    reached at ``to`` or None), offsets relative to the block."""
    inside = [c for c in cuts if start < c <= start + width]
    bounds = [start, *inside]
    if bounds[-1] < start + width:
        bounds.append(start + width)
    return [(a - start, b - start, b if b in inside else None) for a, b in zip(bounds, bounds[1:])]


class _PairProducts:
    """The coordinate-wise products v_a v_e of every pair a <= e of a contiguous range of
    rows, in the order of the packed upper triangle, written into one buffer that every
    block reuses (no allocation per block; each product is written once, from slices of
    the block's vectors). Split into chunks of at most ``max_bytes``."""

    def __init__(self, first: int, A: int, width: int, max_bytes: int, dtype: torch.dtype,
                 device: torch.device) -> None:
        self.first, self.rows = first, A - first
        iu = torch.triu_indices(self.rows, self.rows, device=device) + first
        a, e = iu[0], iu[1]
        positions = a * A - a * (a - 1) // 2 + (e - a)  # row-major packed upper triangle
        self.step = max(1, min(positions.numel(),
                               max_bytes // (torch.finfo(dtype).bits // 8 * max(width, 1))))
        self.chunks = [(k, min(k + self.step, positions.numel()),
                        positions[k:k + self.step]) for k in range(0, positions.numel(),
                                                                   self.step)]
        self.buffer = torch.empty(self.step, width, dtype=dtype, device=device)

    def fill(self, vectors: torch.Tensor, k0: int, k1: int) -> torch.Tensor:
        """The products of pairs k0..k1 (packed order) of ``vectors`` (A, w): (k1 - k0, w)."""
        width = vectors.shape[1]
        out = self.buffer[:k1 - k0, :width]
        k = 0
        for i in range(self.rows):
            count = self.rows - i
            lo, hi = max(k, k0), min(k + count, k1)
            if lo < hi:
                a = self.first + i
                e = a + (lo - k)
                torch.mul(vectors[e:e + hi - lo], vectors[a], out=out[lo - k0:hi - k0])
            k += count
            if k >= k1:
                break
        return out


GATHER_BELOW = 0.5
"""Masks keeping a fraction p below this accumulate their Grams from the kept coordinates
only (a padded gather and one batched product per filter group: work in proportion to p);
denser ones from the pair products shared by every p (symmetric, half a full product's
work whatever p)."""


def _kept_columns(mask: torch.Tensor) -> torch.Tensor:
    """(F, c_max) the columns each row of a 0/1 ``mask`` (F, w) keeps, in order, padded
    with w (the index of an appended zero column)."""
    F, w = mask.shape
    rows, cols = torch.nonzero(mask, as_tuple=True)
    counts = torch.bincount(rows, minlength=F)
    width = int(counts.max()) if len(rows) else 0
    index = torch.full((F, width), w, dtype=torch.long, device=mask.device)
    starts = torch.cumsum(counts, 0) - counts
    index[rows, torch.arange(len(rows), device=mask.device) - starts[rows]] = cols
    return index


def _gathered_grams(vectors: torch.Tensor, mask: torch.Tensor, max_bytes: int
                    ) -> torch.Tensor:
    """G_f = sum_c M_f[c] v_c v_c^T (F, R, R) for ``vectors`` (R, w), from the columns each
    filter keeps, at most ``max_bytes`` of gathered columns at once."""
    index = _kept_columns(mask)
    padded = torch.cat((vectors, vectors.new_zeros(vectors.shape[0], 1)), dim=1)
    per = vectors.shape[0] * max(index.shape[1], 1) * vectors.element_size()
    group = max(1, max_bytes // per)
    parts = []
    for f0 in range(0, index.shape[0], group):
        x = padded[:, index[f0:f0 + group]].transpose(0, 1)  # (filters, R, c_max)
        parts.append(x @ x.transpose(1, 2))
    return torch.cat(parts)


def _unpacked(packed: torch.Tensor, iu: torch.Tensor, A: int) -> torch.Tensor:
    """(F, A, A) symmetric matrices from their packed upper triangles (F, A(A+1)/2)."""
    full = torch.zeros(packed.shape[0], A, A, dtype=packed.dtype, device=packed.device)
    full[:, iu[0], iu[1]] = packed
    full[:, iu[1], iu[0]] = packed
    return full


def _unit_statistics(stream: _Stream, max_bytes: int) -> dict[tuple[float, int], tuple]:
    """One pass over a stream: (p, d) -> (unit Gram (F, A, A), unit init inner (F, A), kept
    (F,)), snapshot where each d ends."""
    spec, dev = stream.spec, stream.device
    K, m, n = spec.K, spec.m, spec.n
    F, A = K * m, K + n
    own = torch.arange(F, device=dev) // m
    iu = torch.triu_indices(A, A, device=dev)
    gathered = {p: p < GATHER_BELOW for p in stream.ps}
    acc = {p: [torch.zeros((F, A, A) if gathered[p] else (F, A * (A + 1) // 2),
                           dtype=torch.float64, device=dev),
               torch.zeros(F, A, dtype=torch.float64, device=dev),
               torch.ones(F, dtype=torch.bool, device=dev)] for p in stream.ps}
    out: dict[tuple[float, int], tuple] = {}
    width = min(BLOCK, stream.d)
    pairs = {first: _PairProducts(first, A, width, max_bytes, stream.dtype, dev)
             for first in ((0,) if spec.signal == "dense" else (0, K))}
    for b, start, width, raw in stream.blocks():
        first = 0 if spec.signal == "dense" or start < K else K
        products = pairs[first]
        once = (products.fill(raw.vectors, *products.chunks[0][:2])  # shared by every p
                if len(products.chunks) == 1 and not all(gathered.values()) else None)
        for p in stream.ps:
            if start >= stream.reach[p]:
                continue  # no network with this p is that long
            mask = stream.masks(raw, p, b)
            init = raw.normal * mask
            gram, init_inner, kept = acc[p]
            if spec.signal == "sparse" and start < K:
                cols = own - start
                f = torch.nonzero((cols >= 0) & (cols < width)).flatten()
                kept[f] = mask[f, cols[f]] > 0
            for lo, hi, cut in _segments(start, min(width, stream.reach[p] - start), stream.ds):
                seg = slice(lo, hi)
                init_inner += (init[:, seg] @ raw.vectors[:, seg].T).double()
                if gathered[p]:
                    gram[:, first:, first:] += _gathered_grams(
                        raw.vectors[first:, seg], mask[:, seg], max_bytes).double()
                else:
                    for k0, k1, position in products.chunks:
                        prod = (once[:, seg] if once is not None
                                else products.fill(raw.vectors[:, seg], k0, k1))
                        gram.index_add_(1, position, (mask[:, seg] @ prod.T).double())
                if cut is not None:
                    out[(p, cut)] = (gram.clone() if gathered[p] else _unpacked(gram, iu, A),
                                     init_inner.clone(), kept.clone())
    return out


def _scaled(spec: NetworkSpec, gram: torch.Tensor, init_inner: torch.Tensor,
            kept: torch.Tensor) -> TrainingStatistics:
    """Unit statistics (v_a = s_a u_a, w^{(0)} = sigma_0 Z) in the network's scales."""
    s = scales(spec, gram.device, torch.float64)
    return TrainingStatistics(gram * s[:, None] * s[None, :], spec.init_scale * init_inner * s,
                              kept)


def training_statistics(specs: Sequence[NetworkSpec], seeds: Sequence[int],
                        device: torch.device, max_bytes: int = MAX_BYTES
                        ) -> list[TrainingStatistics]:
    """The training statistics of every (spec, seed): one pass per stream (module doc), or
    drawn by their law for ``draws="wishart"`` (``wishart``)."""
    out: list[TrainingStatistics | None] = [None] * len(specs)
    members: dict[tuple, list[int]] = defaultdict(list)
    for i, (spec, seed) in enumerate(zip(specs, seeds)):
        if spec.draws == "wishart":
            out[i] = _scaled(spec, *(t.to(device) for t in unit_training_statistics(spec, seed)))
        else:
            members[stream_key(spec, seed)].append(i)
    for idx in members.values():
        first = specs[idx[0]]
        stream = _Stream(first, seeds[idx[0]], [specs[i] for i in idx], device)
        unit = _unit_statistics(stream, max_bytes)
        for i in idx:
            out[i] = _scaled(specs[i], *unit[(specs[i].p, specs[i].d)])
    return out


@dataclass(frozen=True)
class TestStatistics:
    """One network's weight_gram (F, F) = <W_f, W_f'> and, for a streamed test set,
    test_inner (F, n_test) = <W_f, xi_t> (None otherwise)."""

    weight_gram: torch.Tensor
    test_inner: torch.Tensor | None


def test_statistics(specs: Sequence[NetworkSpec], seeds: Sequence[int],
                    alphas: Sequence[torch.Tensor], device: torch.device
                    ) -> list[TestStatistics]:
    """The second pass: W_f = sigma_0 Z_f M_f + M_f * (sum_a alpha_{f,a} s_a u_a), block by
    block, one pass per stream (``draws="wishart"``: from the regenerated Wishart matrices);
    with ``spec.test == "sampled"`` also the inner products with a streamed test set's noise
    (n_test samples). Networks with ``test == "none"`` get None (no pass)."""
    members: dict[tuple, list[int]] = defaultdict(list)
    out: list[TestStatistics | None] = [None] * len(specs)
    for i, (spec, seed) in enumerate(zip(specs, seeds)):
        if spec.test != "none" and spec.draws == "wishart":
            weights = alphas[i].reshape(spec.K * spec.m, -1) * scales(spec, device,
                                                                      torch.float64)
            out[i] = TestStatistics(weight_gram(spec, seed, weights).to(device), None)
        elif spec.test != "none":
            members[stream_key(spec, seed)].append(i)
    for idx in members.values():
        first = specs[idx[0]]
        stream = _Stream(first, seeds[idx[0]], [specs[i] for i in idx], device)
        dtype = stream.dtype
        F = first.K * first.m
        grams = {i: torch.zeros(F, F, dtype=torch.float64, device=device) for i in idx}
        sampled = [i for i in idx if specs[i].test == "sampled"]
        n_test = {i: specs[i].n_test for i in sampled}
        inner = {i: torch.zeros(F, n_test[i], dtype=torch.float64, device=device)
                 for i in sampled}
        test_qt = {i: dense_test_prep(specs[i], seeds[i], n_test[i], stream.prep, device)
                   for i in sampled if stream.prep is not None}
        weights = {i: (alphas[i].reshape(F, -1).to(dtype)
                       * scales(specs[i], device, dtype)) for i in idx}
        for b, start, width, raw in stream.blocks():
            mask_of = {}
            for i in idx:
                spec = specs[i]
                w = min(width, spec.d - start)
                if w <= 0:
                    continue
                if spec.p not in mask_of:
                    mask_of[spec.p] = stream.masks(raw, spec.p, b)
                mask = mask_of[spec.p][:, :w]
                W = mask * (spec.init_scale * raw.normal[:, :w] + weights[i] @ raw.vectors[:, :w])
                grams[i] += (W @ W.T).double()
                if i in inner:
                    xi = unit_test_noise(spec, seeds[i], b, start, w, n_test[i],
                                         raw.vectors[:spec.K, :w], test_qt.get(i), device,
                                         dtype)
                    inner[i] += (W @ xi.T).double() * spec.sigma_n
        for i in idx:
            out[i] = TestStatistics(grams[i], inner.get(i))
    return out


def realize(spec: NetworkSpec, seed: int, device: torch.device) -> dict[str, torch.Tensor]:
    """A network's draws as whole d-dimensional float64 tensors (small d only: for the
    reference trainer and for tests on identical realized inputs): signals (K, d), noise
    (n, d), masks (K m, d), masked init w^{(0)} * M (K m, d)."""
    stream = _Stream(spec, seed, [spec], device)
    s = scales(spec, device, torch.float64)
    parts = []
    for b, _, _, raw in stream.blocks():
        mask = stream.masks(raw, spec.p, b).double()
        parts.append((raw.vectors.double() * s[:, None], mask,
                      spec.init_scale * raw.normal.double() * mask))
    vectors = torch.cat([p[0] for p in parts], dim=1)
    return {"signals": vectors[:spec.K], "noise": vectors[spec.K:],
            "masks": torch.cat([p[1] for p in parts], dim=1),
            "masked_init": torch.cat([p[2] for p in parts], dim=1)}


def realize_test_noise(spec: NetworkSpec, seed: int, n_test: int,
                       device: torch.device) -> torch.Tensor:
    """A streamed test set's noise as one (n_test, d) float64 tensor (small d only)."""
    stream = _Stream(spec, seed, [spec], device)
    tq = (dense_test_prep(spec, seed, n_test, stream.prep, device)
          if stream.prep is not None else None)
    parts = [spec.sigma_n * unit_test_noise(spec, seed, b, start, width, n_test,
                                            raw.vectors[:spec.K].double(), tq, device,
                                            torch.float64)
             for b, start, width, raw in stream.blocks()]
    return torch.cat(parts, dim=1)
