"""Reference trainer: full-batch GD on the weights W (B, K, m, d) with autograd (small d).

The forward pass uses the explicit two-patch inputs x = (x1, x2), so it does not rely on the
signal/noise decomposition. Weights are stored masked (w^{(0)} * M); the gradient of
F(W * M) vanishes exactly on pruned coordinates, so pruned weights stay exactly zero.
gamma / rho are recovered by least-squares projection (:func:`project_coefficients`).
"""

from __future__ import annotations

import torch

from .batch import NetworkBatch
from .data import patches
from .network import activation, cross_entropy, log_probabilities, one_hot


class FullTrainer:
    """d numbers per filter; cost per step O(B K m n d); float64."""

    def __init__(self, batch: NetworkBatch) -> None:
        B, K, m, n, d = batch.shape
        self.batch = batch
        self.weights = batch.masked_init.clone().requires_grad_(True)
        self.inputs = patches(batch.signals, batch.train).reshape(B, 2 * n, d)
        self.one_hot = one_hot(batch.train.labels, K, torch.float64)

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

    def masked_weights(self) -> torch.Tensor:
        return (self.weights * self.batch.masks).detach()


def project_coefficients(batch: NetworkBatch, masked_weights: torch.Tensor
                         ) -> tuple[torch.Tensor, torch.Tensor]:
    """Least-squares (gamma, rho) of w^{(t)} * M - w^{(0)} * M on the masked signals and
    noises: the normal equations G alpha = <delta, v> per filter (minimum-norm solution,
    through the pseudo-inverse), gamma = alpha_k ||mu_k * M||^2 (B, K, m, K) and
    rho = alpha_i ||xi_i * M||^2 (B, K, m, n). Unique only while the masked vectors are
    linearly independent (p d well above K + n); below that this minimum-norm answer differs
    from the GD recursion's (the weights still agree)."""
    B, K, m, n, d = batch.shape
    vectors = torch.cat((batch.signals, batch.train.noise), dim=1)  # (B, A, d)
    masks = batch.masks.reshape(B, K * m, d)
    gram = torch.stack([(vectors * masks[:, f, None]) @ vectors.transpose(1, 2)
                        for f in range(K * m)], dim=1)  # one filter at a time: O(B A d) memory
    delta = (masked_weights - batch.masked_init).reshape(B, K * m, d)
    rhs = delta @ vectors.transpose(1, 2)
    alpha = (torch.linalg.pinv(gram, hermitian=True) @ rhs.unsqueeze(-1)).squeeze(-1)
    coefficients = (alpha * gram.diagonal(dim1=-2, dim2=-1)).reshape(B, K, m, -1)
    return coefficients[..., :K], coefficients[..., K:]
