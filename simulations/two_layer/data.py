"""Data model: two patches per input, one holds the class signal mu_y, the other noise xi.

Signals mu_1..mu_K are orthogonal with norm ||mu||: ``sparse`` mu_k = ||mu|| e_k, ``dense``
||mu|| times random orthonormal directions. Noise xi ~ N(0, sigma_n^2 (I - sum_k
mu_k mu_k^T / ||mu||^2)), i.e. exactly orthogonal to every signal. Which patch holds the
signal is drawn per sample; the network output is symmetric in the two patches.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch


@dataclass(frozen=True)
class Examples:
    """A labelled sample: ``labels`` (..., n) in {0..K-1}, noise patches xi ``noise``
    (..., n, d), and ``signal_first`` (..., n), True when x1 is the signal patch."""

    labels: torch.Tensor
    noise: torch.Tensor
    signal_first: torch.Tensor

    def to(self, device: torch.device | str, dtype: torch.dtype) -> Examples:
        """The same examples on ``device`` with noise in ``dtype``."""
        return Examples(self.labels.to(device), self.noise.to(device=device, dtype=dtype),
                        self.signal_first.to(device))


def make_signals(K: int, d: int, mu: float, kind: str,
                 generator: torch.Generator) -> torch.Tensor:
    """The K orthogonal signals mu_k of norm ``mu`` as rows of a (K, d) float64 tensor."""
    if kind == "sparse":
        signals = torch.zeros(K, d, dtype=torch.float64)
        signals[torch.arange(K), torch.arange(K)] = mu
        return signals
    gaussian = torch.randn(d, K, generator=generator, dtype=torch.float64)
    q, _ = torch.linalg.qr(gaussian)
    return mu * q.T.contiguous()


def sample_examples(signals: torch.Tensor, n: int, sigma_n: float,
                    generator: torch.Generator) -> Examples:
    """Draw n i.i.d. examples (uniform labels, random signal patch, projected Gaussian noise).

    ``signals`` is (K, d) float64 on the CPU (the generator's device). Any n may be drawn, so
    fresh test sets of any size come from the same family.
    """
    K, d = signals.shape
    labels = torch.randint(0, K, (n,), generator=generator)
    signal_first = torch.randint(0, 2, (n,), generator=generator).bool()
    gaussian = torch.randn(n, d, generator=generator, dtype=torch.float64)
    directions = signals / signals.norm(dim=1, keepdim=True)
    noise = sigma_n * (gaussian - (gaussian @ directions.T) @ directions)
    return Examples(labels, noise, signal_first)


def patches(signals: torch.Tensor, examples: Examples) -> torch.Tensor:
    """The inputs x = (x1, x2) as a (..., n, 2, d) tensor; ``signals`` is (..., K, d)."""
    index = examples.labels.unsqueeze(-1).expand(*examples.labels.shape, signals.shape[-1])
    signal_patch = torch.gather(signals, -2, index)
    first = examples.signal_first.unsqueeze(-1)
    x1 = torch.where(first, signal_patch, examples.noise)
    x2 = torch.where(first, examples.noise, signal_patch)
    return torch.stack((x1, x2), dim=-2)
