"""A batch of B networks that share shapes (K, m, n, d, q, signal kind, mask kind, dtype).

Each network draws its data, test set, masks and initialization from its own seed, through
four child seeds of ``numpy.random.SeedSequence(seed)`` feeding CPU ``torch.Generator``s in
float64; the tensors are then cast and moved. A network's draws therefore do not depend on
the other members of its batch, nor on the device. Parameters that do not change shapes
(p, mu, sigma_0, sigma_n, eta, epsilon, steps) may differ across the batch.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch

from .data import Examples, make_signals, sample_examples
from .masks import sample_masks
from .spec import NetworkSpec, shape_key


@dataclass(frozen=True)
class NetworkBatch:
    """Everything B networks need to train; tensors carry a leading batch dimension B.

    signals (B, K, d) rows mu_k; train / test Examples; masks M_{j,r} (B, K, m, d) as 0/1 in
    the working dtype; init w^{(0)} (B, K, m, d) (unmasked, N(0, sigma_0^2)); eta, epsilon
    (B,) and max_steps (B,) per network.
    """

    configs: tuple[NetworkSpec, ...]
    seeds: tuple[int, ...]
    signals: torch.Tensor
    train: Examples
    test: Examples
    masks: torch.Tensor
    init: torch.Tensor
    eta: torch.Tensor
    epsilon: torch.Tensor
    max_steps: torch.Tensor

    @property
    def shape(self) -> tuple[int, int, int, int, int]:
        """(B, K, m, n, d)."""
        B, K, m, d = self.masks.shape
        return B, K, m, self.train.labels.shape[-1], d

    @property
    def q(self) -> int:
        return self.configs[0].q


def _generators(seed: int) -> list[torch.Generator]:
    children = np.random.SeedSequence(seed).spawn(4)
    return [torch.Generator().manual_seed(int(c.generate_state(1, dtype=np.uint64)[0]))
            for c in children]


def _draw_network(config: NetworkSpec, seed: int) -> dict[str, object]:
    data_gen, test_gen, mask_gen, init_gen = _generators(seed)
    c = config
    signals = make_signals(c.K, c.d, c.mu, c.signal, data_gen)
    init = torch.randn(c.K, c.m, c.d, generator=init_gen, dtype=torch.float64) * c.sigma_0
    return {
        "signals": signals,
        "train": sample_examples(signals, c.n, c.sigma_n, data_gen),
        "test": sample_examples(signals, c.n_test, c.sigma_n, test_gen),
        "masks": sample_masks(c.K, c.m, c.d, c.p, c.mask, mask_gen),
        "init": init,
    }


def _stack_examples(items: list[Examples], device: torch.device,
                    dtype: torch.dtype) -> Examples:
    stacked = Examples(torch.stack([e.labels for e in items]),
                       torch.stack([e.noise for e in items]),
                       torch.stack([e.signal_first for e in items]))
    return stacked.to(device, dtype)


def build_batch(configs: Sequence[NetworkSpec], seeds: Sequence[int],
                device: torch.device | str = "cpu") -> NetworkBatch:
    """Draw the B networks of ``configs`` (which must share ``shape_key``) with ``seeds``."""
    if len(configs) != len(seeds) or not configs:
        raise ValueError("configs and seeds must be non-empty and of equal length")
    if len({shape_key(c) for c in configs}) != 1:
        raise ValueError("configs in one batch must share K, m, n, d, q, signal, mask, "
                         "n_test and dtype")
    dtype = getattr(torch, configs[0].dtype)
    device = torch.device(device)
    draws = [_draw_network(c, s) for c, s in zip(configs, seeds, strict=True)]

    def stack(key: str) -> torch.Tensor:
        return torch.stack([dr[key] for dr in draws]).to(device=device, dtype=dtype)

    def per_network(values: list[float], kind: torch.dtype) -> torch.Tensor:
        return torch.tensor(values, dtype=kind, device=device)

    return NetworkBatch(
        configs=tuple(configs),
        seeds=tuple(int(s) for s in seeds),
        signals=stack("signals"),
        train=_stack_examples([dr["train"] for dr in draws], device, dtype),
        test=_stack_examples([dr["test"] for dr in draws], device, dtype),
        masks=stack("masks"),
        init=stack("init"),
        eta=per_network([c.step_size for c in configs], dtype),
        epsilon=per_network([c.epsilon for c in configs], dtype),
        max_steps=per_network([c.steps for c in configs], torch.long),
    )
