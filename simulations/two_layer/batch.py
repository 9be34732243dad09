"""A batch of networks realized as whole d-dimensional tensors (small d only): the reference
trainer's input, and the way tests compare both trainers on identical realized draws.

The tensors are exactly the blocks ``streams`` generates for the coefficient-space
simulator, concatenated (``accumulate.realize``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import torch

from .accumulate import realize, realize_test_noise
from .data import Examples
from .spec import NetworkSpec, realized_key
from .streams import samples


@dataclass(frozen=True)
class NetworkBatch:
    """B networks of one shape; float64 tensors with a leading batch dimension B: signals
    (B, K, d), train / test Examples, masks M_{j,r} (B, K, m, d) as 0/1, masked
    initialization w^{(0)} * M (B, K, m, d); eta (B,)."""

    specs: tuple[NetworkSpec, ...]
    seeds: tuple[int, ...]
    signals: torch.Tensor
    train: Examples
    test: Examples
    masks: torch.Tensor
    masked_init: torch.Tensor
    eta: torch.Tensor

    @property
    def shape(self) -> tuple[int, int, int, int, int]:
        """(B, K, m, n, d)."""
        B, K, m, d = self.masks.shape
        return B, K, m, self.train.labels.shape[-1], d

    @property
    def q(self) -> int:
        return self.specs[0].q


def build_batch(specs: Sequence[NetworkSpec], seeds: Sequence[int], n_test: int,
                device: torch.device | str = "cpu") -> NetworkBatch:
    """Realize the networks of ``specs`` (one shape) with ``seeds`` and a streamed test set of
    ``n_test`` samples each."""
    if len(specs) != len(seeds) or not specs:
        raise ValueError("specs and seeds must be non-empty and of equal length")
    if len({realized_key(s) for s in specs}) != 1:
        raise ValueError("realized networks in one batch must share K, m, n, q, dtype, d, "
                         "signal and mask")
    device = torch.device(device)
    K, m, n, d = specs[0].K, specs[0].m, specs[0].n, specs[0].d
    drawn = [realize(s, seed, device) for s, seed in zip(specs, seeds)]

    def stack(name: str, shape: tuple[int, ...]) -> torch.Tensor:
        return torch.stack([dr[name] for dr in drawn]).reshape(len(specs), *shape)

    def examples(stream: str, count: int, noise: torch.Tensor) -> Examples:
        drawn_samples = [samples(s, seed, count, stream, device) for s, seed in zip(specs, seeds)]
        return Examples(torch.stack([x.labels for x in drawn_samples]), noise,
                        torch.stack([x.signal_first for x in drawn_samples]))

    test_noise = torch.stack([realize_test_noise(s, seed, n_test, device)
                              for s, seed in zip(specs, seeds)])
    return NetworkBatch(
        specs=tuple(specs), seeds=tuple(int(s) for s in seeds),
        signals=stack("signals", (K, d)),
        train=examples("labels", n, stack("noise", (n, d))),
        test=examples("test", n_test, test_noise),
        masks=stack("masks", (K, m, d)), masked_init=stack("masked_init", (K, m, d)),
        eta=torch.tensor([s.step_size for s in specs], dtype=torch.float64, device=device))
