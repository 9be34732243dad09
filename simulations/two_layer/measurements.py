"""Measurements of a trained batch: Gram matrices, the coefficient projection, the gamma /
zeta / omega statistics, N_j counts and train / test errors, as plain Python values.

Decomposition (exact while training stays in the span, which GD does):
w^{(t)}_{j,r} * M = w^{(0)}_{j,r} * M + sum_k gamma_{j,r,k} (mu_k * M) / ||mu_k * M||^2
                  + sum_i rho_{j,r,i} (xi_i * M) / ||xi_i * M||^2,
with zeta_{j,r,i} = rho_{j,r,i} for j = y_i and omega_{j,r,i} = rho_{j,r,i} for j != y_i.
A term whose masked vector is zero is absent (its coefficient is 0).
"""

from __future__ import annotations

from typing import Any, Protocol

import torch

from .batch import NetworkBatch
from .network import outputs

DEFAULT_MAX_ELEMENTS = 2**24


class Trainer(Protocol):
    """What measurements need from a trainer (both trainers implement it)."""

    def train_logits(self) -> torch.Tensor: ...  # F_j(x_i), (B, K, n)

    def coefficients(self) -> tuple[torch.Tensor, torch.Tensor]: ...  # gamma, rho

    def masked_weights(self) -> torch.Tensor: ...  # w_{j,r} * M_{j,r}, (B, K, m, d)


def gram_matrices(vectors: torch.Tensor, masks: torch.Tensor,
                  max_elements: int = DEFAULT_MAX_ELEMENTS) -> torch.Tensor:
    """Per-filter Gram matrices G[b, f, a, e] = <v_a * M_f, v_e * M_f> = sum_c v_a[c] M_f[c] v_e[c].

    ``vectors`` (B, A, d), e.g. the A = K + n vectors (mu_1..mu_K, xi_1..xi_n); ``masks``
    (B, F, d) 0/1. Accumulated over chunks of coordinates so that no intermediate exceeds
    about ``max_elements`` entries (never B x F x A x d at once). Returns (B, F, A, A).
    """
    B, A, d = vectors.shape
    F = masks.shape[1]
    chunk = max(1, max_elements // (B * F * A))
    gram = torch.zeros(B, F, A, A, dtype=vectors.dtype, device=vectors.device)
    for start in range(0, d, chunk):
        v = vectors[..., start:start + chunk]
        masked = v[:, None] * masks[:, :, None, start:start + chunk]
        gram += masked @ v[:, None].transpose(-1, -2)
    return gram


def train_vectors(batch: NetworkBatch) -> torch.Tensor:
    """The K + n vectors (mu_1..mu_K, xi_1..xi_n) of each network, (B, K + n, d)."""
    return torch.cat((batch.signals, batch.train.noise), dim=1)


def project_coefficients(masked_weights: torch.Tensor, masked_init: torch.Tensor,
                         masks: torch.Tensor, signals: torch.Tensor, noise: torch.Tensor,
                         gram: torch.Tensor | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """Least-squares (gamma, rho) of w^{(t)} * M - w^{(0)} * M on the masked signals and noises.

    Shapes: weights, init, masks (B, K, m, d); signals (B, K, d); noise (B, n, d); optional
    precomputed ``gram`` (B, K * m, K + n, K + n) from :func:`gram_matrices`. Solves the
    normal equations G alpha = <delta, v> per filter (minimum-norm solution, through the
    pseudo-inverse) and returns gamma = alpha_k ||mu_k * M||^2 (B, K, m, K) and
    rho = alpha_i ||xi_i * M||^2 (B, K, m, n). Vectors that the mask deletes entirely get
    coefficient 0. The coefficients are unique only while the masked vectors are linearly
    independent (p d well above K + n); below that, gamma and rho are not identifiable and
    this minimum-norm answer differs from the GD recursion's (the weights still agree).
    """
    B, K, m, d = masked_weights.shape
    vectors = torch.cat((signals, noise), dim=1)
    masks_flat = masks.reshape(B, K * m, d)
    if gram is None:
        gram = gram_matrices(vectors, masks_flat)
    delta = (masked_weights - masked_init).reshape(B, K * m, d)
    rhs = delta @ vectors.transpose(1, 2)
    alpha = (torch.linalg.pinv(gram, hermitian=True) @ rhs.unsqueeze(-1)).squeeze(-1)
    coefficients = (alpha * gram.diagonal(dim1=-2, dim2=-1)).reshape(B, K, m, -1)
    return coefficients[..., :K], coefficients[..., K:]


def coefficient_statistics(gamma: torch.Tensor, rho: torch.Tensor,
                           labels: torch.Tensor) -> dict[str, torch.Tensor]:
    """Per-network statistics of gamma (B, K, m, K) and rho (B, K, m, n).

    signal_per_class (B, K): max_r gamma_{j,r,j}; signal_learning: its min over j;
    gamma_off_max: max_{j != k, r} |gamma_{j,r,k}|; zeta_max: max rho_{j,r,i} over j = y_i;
    omega_max: max |rho_{j,r,i}| over j != y_i; noise_memorization_min / _median: min and
    median over training samples i of max_r zeta_{y_i,r,i}.
    """
    B, K, m, n = rho.shape
    signal_per_class = torch.diagonal(gamma, dim1=1, dim2=3).amax(dim=1)
    off = ~torch.eye(K, dtype=torch.bool, device=gamma.device)[None, :, None, :]
    gamma_off = gamma.abs().masked_fill(~off, 0.0).amax(dim=(1, 2, 3))
    own = torch.nn.functional.one_hot(labels, K).transpose(1, 2).bool()[:, :, None, :]
    own = own.expand(B, K, m, n)
    zeta_max = rho.masked_fill(~own, -torch.inf).amax(dim=(1, 2, 3))
    omega_max = rho.abs().masked_fill(own, 0.0).amax(dim=(1, 2, 3))
    index = labels[:, None, None, :].expand(B, 1, m, n)
    memorization = torch.gather(rho, 1, index).squeeze(1).amax(dim=1)
    return {
        "signal_per_class": signal_per_class,
        "signal_learning": signal_per_class.amin(dim=1),
        "gamma_off_max": gamma_off,
        "zeta_max": zeta_max,
        "omega_max": omega_max,
        "noise_memorization_min": memorization.amin(dim=1),
        "noise_memorization_median": memorization.median(dim=1).values,
    }


def signal_filter_counts(batch: NetworkBatch) -> dict[str, torch.Tensor]:
    """N_j and N_j_plus per class, (B, K) each.

    Sparse signals: N_j = #{r : M_{j,r}[j] = 1} (the mask kept the signal coordinate).
    Dense signals: a random mask cannot delete a dense direction, so N_j = m.
    N_j_plus = #{r : <w^{(0)}_{j,r} * M_{j,r}, mu_j> > 0}; with sparse signals this implies
    the coordinate was kept (a pruned coordinate gives exactly 0). Only these filters can
    learn mu_j, since act' = 0 on negative inputs.
    """
    B, K, m, _ = batch.masks.shape
    if batch.configs[0].signal == "sparse":
        kept = torch.diagonal(batch.masks[..., :K], dim1=1, dim2=3).sum(dim=1)
    else:
        kept = torch.full((B, K), m, device=batch.masks.device)
    init_inner = (batch.init * batch.masks) @ batch.signals[:, None].transpose(-1, -2)
    positive = (torch.diagonal(init_inner, dim1=1, dim2=3) > 0).sum(dim=1)
    return {"N_j": kept.round().long(), "N_j_plus": positive}


def errors(logits: torch.Tensor, labels: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Overall error (B,) and per-class error (B, K) of argmax_j F_j; NaN for an absent class."""
    K = logits.shape[1]
    wrong = (logits.argmax(dim=1) != labels).to(logits.dtype)
    members = torch.nn.functional.one_hot(labels, K).to(logits.dtype)
    per_class = (wrong[..., None] * members).sum(dim=1) / members.sum(dim=1)
    return wrong.mean(dim=1), per_class


def logits_on_test_set(batch: NetworkBatch, masked_weights: torch.Tensor) -> torch.Tensor:
    """F_j on the test set, (B, K, n_test), from <w * M, mu_k> and <w * M, xi_test>."""
    B, K, m, d = masked_weights.shape
    flat = masked_weights.reshape(B, K * m, d)
    signal_inner = (flat @ batch.signals.transpose(1, 2)).reshape(B, K, m, K)
    noise_inner = (flat @ batch.test.noise.transpose(1, 2)).reshape(B, K, m, -1)
    return outputs(signal_inner, noise_inner, batch.test.labels, batch.q)


def _to_python(stats: dict[str, torch.Tensor]) -> list[dict[str, Any]]:
    lists = {key: value.detach().cpu().double().tolist() if value.is_floating_point()
             else value.cpu().tolist() for key, value in stats.items()}
    B = len(next(iter(lists.values())))
    return [{key: value[b] for key, value in lists.items()} for b in range(B)]


def trajectory_point(batch: NetworkBatch, trainer: Trainer,
                     train_loss: torch.Tensor) -> list[dict[str, Any]]:
    """Light measurements per network: train_loss, signal_per_class, zeta_max, omega_max."""
    stats = coefficient_statistics(*trainer.coefficients(), batch.train.labels)
    keep = ("signal_per_class", "zeta_max", "omega_max")
    return _to_python({"train_loss": train_loss, **{k: stats[k] for k in keep}})


def measure(batch: NetworkBatch, trainer: Trainer,
            train_loss: torch.Tensor) -> list[dict[str, Any]]:
    """All measurements per network (JSON-ready): losses, train / test errors, per-class
    test errors, coefficient statistics and N_j, N_j_plus."""
    train_error, _ = errors(trainer.train_logits(), batch.train.labels)
    test_error, test_per_class = errors(logits_on_test_set(batch, trainer.masked_weights()),
                                        batch.test.labels)
    stats = {
        "train_loss": train_loss,
        "train_error": train_error,
        "test_error": test_error,
        "test_error_per_class": test_per_class,
        **coefficient_statistics(*trainer.coefficients(), batch.train.labels),
        **signal_filter_counts(batch),
    }
    return _to_python(stats)
