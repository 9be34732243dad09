"""Reference trainer: full-batch GD on the weights W (B, K, m, d) with autograd.

The forward pass uses the explicit two-patch inputs x = (x1, x2), so it does not rely on the
signal/noise decomposition. Weights are stored masked (w^{(0)} * M); the gradient of
F(W * M) vanishes exactly on pruned coordinates, so pruned weights stay exactly zero.
gamma / rho are recovered by :func:`project_coefficients`.
"""

from __future__ import annotations

import torch

from .batch import NetworkBatch
from .data import patches
from .measurements import gram_matrices, project_coefficients, train_vectors
from .network import activation, cross_entropy, log_probabilities, one_hot


class FullTrainer:
    """d numbers per filter; cost per step O(B K m n d)."""

    def __init__(self, batch: NetworkBatch) -> None:
        B, K, m, n, d = batch.shape
        self.batch = batch
        self.masked_init = batch.init * batch.masks
        self.weights = self.masked_init.clone().requires_grad_(True)
        self.inputs = patches(batch.signals, batch.train).reshape(B, 2 * n, d)
        self.one_hot = one_hot(batch.train.labels, K, batch.init.dtype)
        self._gram: torch.Tensor | None = None

    def _logits(self) -> torch.Tensor:
        B, K, m, n, d = self.batch.shape
        flat = (self.weights * self.batch.masks).reshape(B, K * m, d)
        inner = (flat @ self.inputs.transpose(1, 2)).reshape(B, K, m, n, 2)
        return activation(inner, self.batch.q).sum(dim=-1).mean(dim=2)

    def forward(self) -> tuple[torch.Tensor, torch.Tensor]:
        """Training loss per network (B,), detached, and the graph-carrying loss for update."""
        with torch.enable_grad():
            loss = cross_entropy(log_probabilities(self._logits()), self.one_hot)
        return loss.detach(), loss

    def update(self, context: torch.Tensor, active: torch.Tensor) -> None:
        """W -= eta * grad for the networks with ``active`` True (networks are independent,
        so the gradient of the summed loss is each network's own gradient)."""
        with torch.enable_grad():
            (grad,) = torch.autograd.grad(context.sum(), self.weights)
        scale = self.batch.eta * active.to(grad.dtype)
        with torch.no_grad():
            self.weights -= scale.view(-1, 1, 1, 1) * grad

    def train_logits(self) -> torch.Tensor:
        with torch.no_grad():
            return self._logits()

    def coefficients(self) -> tuple[torch.Tensor, torch.Tensor]:
        """gamma, rho by least-squares projection of w^{(t)} * M - w^{(0)} * M."""
        B, K, m, _, d = self.batch.shape
        if self._gram is None:
            masks = self.batch.masks.reshape(B, K * m, d)
            self._gram = gram_matrices(train_vectors(self.batch), masks)
        return project_coefficients(self.masked_weights(), self.masked_init, self.batch.masks,
                                    self.batch.signals, self.batch.train.noise, self._gram)

    def masked_weights(self) -> torch.Tensor:
        return (self.weights * self.batch.masks).detach()
