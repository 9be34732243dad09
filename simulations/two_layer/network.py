"""The two-layer CNN F_j(W, x) = (1/m) sum_r sum_patch act(<w_{j,r} * M_{j,r}, x_patch>).

Tensor layout (batch of B networks): inner products with the signals
``signal_inner[b, j, r, k] = <w_{j,r} * M_{j,r}, mu_k>`` (B, K, m, K) and with noise patches
``noise_inner[b, j, r, i] = <w_{j,r} * M_{j,r}, xi_i>`` (B, K, m, n). Since every input is
(mu_{y_i}, xi_i) in some order, these determine the output exactly.
"""

from __future__ import annotations

import torch


def activation(z: torch.Tensor, q: int) -> torch.Tensor:
    """act(z) = max(0, z)^q."""
    return torch.relu(z) if q == 1 else torch.relu(z) ** q


def activation_derivative(z: torch.Tensor, q: int) -> torch.Tensor:
    """act'(z) = q max(0, z)^(q-1), with act'(z) = 1[z > 0] for q = 1."""
    if q == 1:
        return (z > 0).to(z.dtype)
    return q * torch.relu(z) ** (q - 1)


def signal_inner_per_sample(signal_inner: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    """<w_{j,r} * M, mu_{y_i}> as (B, K, m, n) from (B, K, m, K) and labels (B, n)."""
    B, K, m, _ = signal_inner.shape
    index = labels[:, None, None, :].expand(B, K, m, labels.shape[-1])
    return torch.gather(signal_inner, -1, index)


def outputs(signal_inner: torch.Tensor, noise_inner: torch.Tensor, labels: torch.Tensor,
            q: int) -> torch.Tensor:
    """Network outputs F_j(x_i) as (B, K, n), x_i = (mu_{y_i}, xi_i) in either order."""
    signal = signal_inner_per_sample(signal_inner, labels)
    return (activation(signal, q) + activation(noise_inner, q)).mean(dim=2)


def log_probabilities(logits: torch.Tensor) -> torch.Tensor:
    """log softmax_j F_j(x_i), classes on dim 1 of (B, K, n)."""
    return torch.log_softmax(logits, dim=1)


def cross_entropy(log_p: torch.Tensor, one_hot_labels: torch.Tensor) -> torch.Tensor:
    """Mean multi-class cross-entropy per network, (B,), from log-probabilities and
    1[j = y_i], both (B, K, n)."""
    return -(log_p * one_hot_labels).sum(dim=1).mean(dim=-1)


def one_hot(labels: torch.Tensor, K: int, dtype: torch.dtype) -> torch.Tensor:
    """1[j = y_i] as (B, K, n)."""
    return torch.nn.functional.one_hot(labels, K).transpose(1, 2).to(dtype)
