"""Exact gradient descent in coefficient space (K + n numbers per filter instead of d).

Write w_{j,r} * M = w^{(0)}_{j,r} * M + sum_a alpha_{j,r,a} (v_a * M) over the K + n vectors
v = (mu_1..mu_K, xi_1..xi_n). The full gradient
    grad_{w_{j,r}} L = (1/(n m)) sum_i l'_{j,i} [act'(<w*M, mu_{y_i}>) mu_{y_i}
                                               + act'(<w*M, xi_i>) xi_i] * M,
with l'_{j,i} = softmax_j(F(x_i)) - 1[j = y_i], lies in that span, so GD on w is exactly
    alpha_{j,r,k} -= (eta/(n m)) sum_{i: y_i = k} l'_{j,i} act'(<w*M, mu_k>)
    alpha_{j,r,i} -= (eta/(n m)) l'_{j,i} act'(<w*M, xi_i>),
and the paper's coefficients are gamma_{j,r,k} = alpha_{j,r,k} ||mu_k * M||^2,
rho_{j,r,i} = alpha_{j,r,i} ||xi_i * M||^2 (the paper's recursion). Inner products are
linear in alpha: <w*M, v_a> = <w^{(0)}*M, v_a> + sum_e G_{a,e} alpha_e with the per-filter
Gram G (``accumulate.training_statistics``). Per step the cost is O(B K m (K + n)^2),
independent of d: one matrix-vector product per filter.
"""

from __future__ import annotations

import torch

from .network import activation_derivative, cross_entropy, log_probabilities, one_hot, outputs


def gram_matvec(gram_t: torch.Tensor, alpha: torch.Tensor) -> torch.Tensor:
    """sum_e G_{f,a,e} alpha_{f,e} for every filter f.

    ``gram_t`` holds the Grams as (A_e, A_a, filters) (filters last, contiguous) and
    ``alpha`` as (A_e, filters); the result is (A_a, filters). On the CPU, one pass over the
    Gram bytes: e runs in Python, each step a fused multiply-add of one (A_a, filters) slab;
    no (filters, A, A) temporary is formed (a broadcast-and-sum would write and read one) and
    no per-filter small matrix-vector call is made (a batched ``bmm`` pays a call per
    filter). On a GPU, where each Python step is a kernel launch, one einsum.
    """
    if gram_t.is_cuda:
        return torch.einsum("eaf,ef->af", gram_t, alpha)
    out = gram_t[0] * alpha[0]
    for e in range(1, gram_t.shape[0]):
        out.addcmul_(gram_t[e], alpha[e])
    return out


class CoefficientTrainer:
    """Full-batch GD for a batch of B networks in coefficient space.

    Inputs (float64 accumulations, cast to ``dtype``): ``gram`` (B, F, A, A), ``init_inner``
    (B, F, A), ``labels`` (B, n), ``eta`` (B,); F = K m filters (class-major), A = K + n.
    Internally filters of all networks are flattened, filters last: the working state is
    alpha (A, B F). ``restrict`` drops finished networks from the working tensors, so a
    batch whose fast networks are done costs only what its slow ones need.
    """

    def __init__(self, gram: torch.Tensor, init_inner: torch.Tensor, labels: torch.Tensor,
                 eta: torch.Tensor, q: int, m: int, dtype: torch.dtype) -> None:
        B, F, A = init_inner.shape
        self.B, self.K, self.m, self.n, self.q = B, F // m, m, A - F // m, q
        self.gram_t = gram.to(dtype).permute(3, 2, 0, 1).reshape(A, A, B * F).contiguous()
        self.init_t = init_inner.to(dtype).permute(2, 0, 1).reshape(A, B * F).contiguous()
        self.alpha_t = torch.zeros_like(self.init_t)
        self.labels = labels
        self.one_hot = one_hot(labels, self.K, dtype)
        self.eta = eta.to(dtype)
        self.rows = torch.arange(B, device=labels.device)
        self._work: dict[str, torch.Tensor] = {}
        self.restrict(self.rows)

    def _columns(self, rows: torch.Tensor) -> torch.Tensor:
        F = self.K * self.m
        return (rows[:, None] * F + torch.arange(F, device=rows.device)).flatten()

    def restrict(self, rows: torch.Tensor) -> None:
        """Step only the networks ``rows`` from now on; the others keep their state."""
        self._sync()
        self.rows = rows
        cols = self._columns(rows)
        self._work = {"gram_t": self.gram_t[:, :, cols].contiguous(),
                      "init_t": self.init_t[:, cols], "alpha_t": self.alpha_t[:, cols].clone(),
                      "cols": cols}

    def _sync(self) -> None:
        if self._work:
            self.alpha_t[:, self._work["cols"]] = self._work["alpha_t"]

    def _split(self, inner_t: torch.Tensor, networks: int) -> tuple[torch.Tensor, torch.Tensor]:
        """(A, networks F) -> signal (b, K, m, K) and noise (b, K, m, n) inner products."""
        inner = inner_t.T.reshape(networks, self.K, self.m, self.K + self.n)
        return inner[..., :self.K], inner[..., self.K:]

    def forward(self) -> tuple[torch.Tensor, tuple[torch.Tensor, ...]]:
        """Training loss of each working network at the current iterate, and the context
        for ``update``."""
        w = self._work
        inner_t = w["init_t"] + gram_matvec(w["gram_t"], w["alpha_t"])
        signal, noise = self._split(inner_t, len(self.rows))
        log_p = log_probabilities(outputs(signal, noise, self.labels[self.rows], self.q))
        return cross_entropy(log_p, self.one_hot[self.rows]), (signal, noise, log_p)

    def update(self, context: tuple[torch.Tensor, ...], active: torch.Tensor) -> None:
        """One GD step for the working networks with ``active`` True; the others stay."""
        signal, noise, log_p = context
        w = self._work
        hot = self.one_hot[self.rows]
        loss_derivative = log_p.exp() - hot
        per_class = (loss_derivative[:, :, None, :] * hot[:, None, :, :]).sum(dim=-1)
        grad_signal = activation_derivative(signal, self.q) * per_class[:, :, None, :]
        grad_noise = activation_derivative(noise, self.q) * loss_derivative[:, :, None, :]
        scale = -(self.eta[self.rows] * active.to(w["alpha_t"].dtype)) / (self.n * self.m)
        step = scale.view(-1, 1, 1, 1) * torch.cat((grad_signal, grad_noise), dim=-1)
        w["alpha_t"] += step.reshape(-1, self.K + self.n).T

    def discard(self, networks: torch.Tensor) -> None:
        """Zero the coefficients of ``networks`` (faulted ones: their values are no result,
        and zeros keep the later passes finite)."""
        self._sync()
        self.alpha_t[:, self._columns(networks)] = 0.0
        self._work = {}
        self.restrict(self.rows)

    def alpha(self) -> torch.Tensor:
        """The coefficients alpha (B, K, m, K + n)."""
        self._sync()
        return self.alpha_t.T.reshape(self.B, self.K, self.m, self.K + self.n)

    def inner(self) -> torch.Tensor:
        """<w_{j,r} * M, v_a> for every network (B, K, m, K + n)."""
        self._sync()
        inner_t = self.init_t + gram_matvec(self.gram_t, self.alpha_t)
        return inner_t.T.reshape(self.B, self.K, self.m, self.K + self.n)
