"""Labelled examples as whole tensors, for the reference trainer (small d): two patches per
input, one holds the class signal mu_y, the other the noise xi (drawn by ``streams``)."""

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


def patches(signals: torch.Tensor, examples: Examples) -> torch.Tensor:
    """The inputs x = (x1, x2) as a (..., n, 2, d) tensor; ``signals`` is (..., K, d)."""
    index = examples.labels.unsqueeze(-1).expand(*examples.labels.shape, signals.shape[-1])
    signal_patch = torch.gather(signals, -2, index)
    first = examples.signal_first.unsqueeze(-1)
    x1 = torch.where(first, signal_patch, examples.noise)
    x2 = torch.where(first, examples.noise, signal_patch)
    return torch.stack((x1, x2), dim=-2)
