"""Exact gradient descent in coefficient space (K + n numbers per filter instead of d).

Write w_{j,r} * M = w^{(0)}_{j,r} * M + sum_a alpha_{j,r,a} (v_a * M) over the K + n vectors
v = (mu_1..mu_K, xi_1..xi_n). The full gradient
    grad_{w_{j,r}} L = (1/(n m)) sum_i l'_{j,i} [act'(<w*M, mu_{y_i}>) mu_{y_i}
                                               + act'(<w*M, xi_i>) xi_i] * M,
with l'_{j,i} = softmax_j(F(x_i)) - 1[j = y_i], lies in that span, so GD on w is exactly
    alpha_{j,r,k} -= (eta/(n m)) sum_{i: y_i = k} l'_{j,i} act'(<w*M, mu_k>)
    alpha_{j,r,i} -= (eta/(n m)) l'_{j,i} act'(<w*M, xi_i>),
and the paper's coefficients are gamma_{j,r,k} = alpha_{j,r,k} ||mu_k * M||^2,
rho_{j,r,i} = alpha_{j,r,i} ||xi_i * M||^2 (this is the paper's recursion). Inner products
are linear in alpha: <w*M, v_a> = <w^{(0)}*M, v_a> + sum_e G_{a,e} alpha_e with the per-filter
Gram G_{a,e} = <v_a * M, v_e * M>, accumulated once over chunks of coordinates. Per step the
cost is O(B K m (K + n)^2), independent of d.
"""

from __future__ import annotations

import torch

from .batch import NetworkBatch
from .measurements import DEFAULT_MAX_ELEMENTS, gram_matrices, train_vectors
from .network import (
    activation_derivative,
    cross_entropy,
    log_probabilities,
    one_hot,
    outputs,
)


class CoefficientTrainer:
    """Full-batch GD for a batch of B networks, state alpha of shape (B, K, m, K + n)."""

    def __init__(self, batch: NetworkBatch, max_elements: int = DEFAULT_MAX_ELEMENTS) -> None:
        B, K, m, n, d = batch.shape
        self.batch = batch
        self.vectors = train_vectors(batch)
        A = K + n
        masks = batch.masks.reshape(B, K * m, d)
        self.gram = gram_matrices(self.vectors, masks, max_elements).reshape(B, K, m, A, A)
        masked_init = (batch.init * batch.masks).reshape(B, K * m, d)
        self.init_inner = (masked_init @ self.vectors.transpose(1, 2)).reshape(B, K, m, A)
        self.alpha = torch.zeros_like(self.init_inner)
        self.one_hot = one_hot(batch.train.labels, K, self.alpha.dtype)
        self.rows = torch.arange(B, device=self.alpha.device)
        self._work: dict[str, torch.Tensor] = {}
        self.restrict(self.rows)

    def restrict(self, rows: torch.Tensor) -> None:
        """Step only the networks ``rows`` (indices into the batch) from now on; the others
        keep their coefficients. Finished networks leave the working tensors, so a batch
        whose fast networks are done costs only what its slow ones need."""
        self._sync()
        self.rows = rows
        self._work = {"gram": self.gram[rows], "init": self.init_inner[rows],
                      "alpha": self.alpha[rows].clone(), "one_hot": self.one_hot[rows],
                      "labels": self.batch.train.labels[rows], "eta": self.batch.eta[rows]}

    def _sync(self) -> None:
        """Write the working coefficients back into the full state."""
        if self._work:
            self.alpha[self.rows] = self._work["alpha"]

    def _split(self, inner: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        K = self.one_hot.shape[1]
        return inner[..., :K], inner[..., K:]

    def _full_inner(self) -> torch.Tensor:
        """<w_{j,r} * M, v_a> for all filters and vectors of the batch, (B, K, m, K + n)."""
        self._sync()
        return self.init_inner + (self.gram * self.alpha.unsqueeze(-2)).sum(dim=-1)

    def forward(self) -> tuple[torch.Tensor, tuple[torch.Tensor, ...]]:
        """Training loss of each working network at the current iterate, and the context
        for ``update``."""
        w = self._work
        inner = w["init"] + (w["gram"] * w["alpha"].unsqueeze(-2)).sum(dim=-1)
        signal, noise = self._split(inner)
        log_p = log_probabilities(outputs(signal, noise, w["labels"], self.batch.q))
        return cross_entropy(log_p, w["one_hot"]), (signal, noise, log_p)

    def update(self, context: tuple[torch.Tensor, ...], active: torch.Tensor) -> None:
        """One GD step for the working networks with ``active`` True; the others stay
        frozen."""
        signal, noise, log_p = context
        w = self._work
        q = self.batch.q
        _, _, m, n, _ = self.batch.shape
        loss_derivative = log_p.exp() - w["one_hot"]
        per_class = (loss_derivative[:, :, None, :] * w["one_hot"][:, None, :, :]).sum(dim=-1)
        grad_signal = activation_derivative(signal, q) * per_class[:, :, None, :]
        grad_noise = activation_derivative(noise, q) * loss_derivative[:, :, None, :]
        scale = -(w["eta"] * active.to(self.alpha.dtype)) / (n * m)
        w["alpha"] += scale.view(-1, 1, 1, 1) * torch.cat((grad_signal, grad_noise), dim=-1)

    def train_logits(self) -> torch.Tensor:
        signal, noise = self._split(self._full_inner())
        return outputs(signal, noise, self.batch.train.labels, self.batch.q)

    def coefficients(self) -> tuple[torch.Tensor, torch.Tensor]:
        """gamma (B, K, m, K) and rho (B, K, m, n); zero for vectors the mask deletes."""
        self._sync()
        K = self.one_hot.shape[1]
        coefficients = self.alpha * self.gram.diagonal(dim1=-2, dim2=-1)
        return coefficients[..., :K], coefficients[..., K:]

    def masked_weights(self) -> torch.Tensor:
        """w * M = M * (w^{(0)} + sum_a alpha_a v_a), (B, K, m, d).

        Used only for evaluation (test inputs): rebuilding w * M costs O(B K m (K + n) d) and
        memory the size of w^{(0)}, less than the per-mask cross-Gram between test and train
        noise (O(B K m (K + n) n_test d)), and gives the same <w * M, xi_test>.
        """
        B, K, m, n, d = self.batch.shape
        self._sync()
        spanned = self.alpha.reshape(B, K * m, K + n) @ self.vectors
        return self.batch.masks * (self.batch.init + spanned.reshape(B, K, m, d))
