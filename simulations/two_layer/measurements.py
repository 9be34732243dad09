"""Measurements of trained networks, the same for both trainers: the gamma / zeta / omega
statistics, N_j counts, train and test errors, as plain Python values.

Decomposition (exact while training stays in the span, which GD does):
w^{(t)}_{j,r} * M = w^{(0)}_{j,r} * M + sum_k gamma_{j,r,k} (mu_k * M) / ||mu_k * M||^2
                  + sum_i rho_{j,r,i} (xi_i * M) / ||xi_i * M||^2,
with zeta_{j,r,i} = rho_{j,r,i} for j = y_i and omega_{j,r,i} = rho_{j,r,i} for j != y_i.
A term whose masked vector is zero is absent (its coefficient is 0).

Test error without a test set: for a fresh sample with label y, the signal parts
<W_{j,r}, mu_y> are known exactly and the noise parts z_{j,r} = <W_{j,r}, xi> are jointly
Gaussian, mean 0, covariance sigma_n^2 <P W_f, P W_f'> with P the projection off the signal
directions: sigma_n^2 (<W_f, W_f'> - sum_k <W_f, mu_k> <W_f', mu_k> / mu^2). The per-class
error P(argmax_j F_j != y) is then averaged over ``draws`` Gaussian samples (the same draws
for every class), and the test error is its mean over the K equally likely classes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import torch

from .network import activation, outputs

GAUSSIAN_CHUNK_BYTES = 2**26


@dataclass(frozen=True)
class Trained:
    """What the measurements need of a trained batch (B networks, F = K m filters):
    inner (B, K, m, K + n) = <W_{j,r}, v_a> for the training vectors; gamma (B, K, m, K),
    rho (B, K, m, n); per network weight_gram (F, F) = <W_f, W_f'> (None without a test) and
    test_inner (F, n_test) = <W_f, xi_t> for a streamed test set (else None); kept (B, F):
    filter (j, r) kept its class's signal coordinate; init_signal (B, F, K) =
    <w^{(0)}_f * M_f, mu_k>."""

    inner: torch.Tensor
    gamma: torch.Tensor
    rho: torch.Tensor
    weight_gram: list[torch.Tensor | None]
    test_inner: list[torch.Tensor | None]
    kept: torch.Tensor
    init_signal: torch.Tensor


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


def errors(logits: torch.Tensor, labels: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Overall error (B,) and per-class error (B, K) of argmax_j F_j; NaN for an absent class."""
    K = logits.shape[1]
    wrong = (logits.argmax(dim=1) != labels).to(logits.dtype)
    members = torch.nn.functional.one_hot(labels, K).to(logits.dtype)
    per_class = (wrong[..., None] * members).sum(dim=1) / members.sum(dim=1)
    return wrong.mean(dim=1), per_class


def gaussian_test_errors(signal_inner: torch.Tensor, weight_gram: torch.Tensor,
                         mu: torch.Tensor, sigma_n: torch.Tensor, q: int,
                         standard_normals: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Test error (B,) and per-class error (B, K) from the exact Gaussian law of a fresh
    sample's noise parts (module doc). ``signal_inner`` (B, K, m, K) = <W_{j,r}, mu_k>,
    ``weight_gram`` (B, F, F), ``mu`` and ``sigma_n`` (B,), ``standard_normals`` (B, N, F)."""
    B, K, m, _ = signal_inner.shape
    step = max(1, GAUSSIAN_CHUNK_BYTES // (8 * standard_normals[0].numel()))
    if B > step:  # bound the memory of the draws' noise parts: a few networks at a time
        parts = [gaussian_test_errors(signal_inner[i:i + step], weight_gram[i:i + step],
                                      mu[i:i + step], sigma_n[i:i + step], q,
                                      standard_normals[i:i + step]) for i in range(0, B, step)]
        return torch.cat([a for a, _ in parts]), torch.cat([b for _, b in parts])
    s = signal_inner.reshape(B, K * m, K).double()
    cov = weight_gram.double() - s @ s.transpose(1, 2) / (mu.double() ** 2)[:, None, None]
    cov = sigma_n.double()[:, None, None] ** 2 * 0.5 * (cov + cov.transpose(1, 2))
    values, vectors = torch.linalg.eigh(cov)
    root = vectors * values.clamp(min=0).sqrt()[:, None, :]
    z = standard_normals.double() @ root.transpose(1, 2)  # (B, N, F)
    noise_out = activation(z, q).reshape(B, -1, K, m).mean(dim=-1)  # (B, N, K)
    signal_out = activation(s, q).reshape(B, K, m, K).mean(dim=2)  # (B, K_j, K_y)
    logits = signal_out.transpose(1, 2)[:, :, None, :] + noise_out[:, None, :, :]
    wrong = (logits.argmax(dim=-1) != torch.arange(K, device=z.device)[None, :, None])
    per_class = wrong.double().mean(dim=-1)
    return per_class.mean(dim=-1), per_class


def sampled_test_errors(signal_inner: torch.Tensor, test_inner: torch.Tensor,
                        labels: torch.Tensor, q: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Test error on a streamed test set: signal parts exact, noise parts <W_f, xi_t>."""
    B, K, m, _ = signal_inner.shape
    logits = outputs(signal_inner, test_inner.reshape(B, K, m, -1), labels, q)
    return errors(logits, labels)


def filter_counts(kept: torch.Tensor, init_signal: torch.Tensor, K: int
                  ) -> dict[str, torch.Tensor]:
    """N_j = #{r : M_{j,r} kept coordinate j} (m for dense signals) and
    N_j_plus = #{r : <w^{(0)}_{j,r} * M_{j,r}, mu_j> > 0}, (B, K) each: only those filters
    can learn mu_j, since act' = 0 on negative inputs."""
    B, F = kept.shape
    own = torch.diagonal(init_signal.reshape(B, K, F // K, K), dim1=1, dim2=3)  # (B, m, K)
    return {"N_j": kept.reshape(B, K, -1).sum(dim=-1), "N_j_plus": (own > 0).sum(dim=1)}


def to_python(stats: dict[str, torch.Tensor]) -> list[dict[str, Any]]:
    """{key: (B, ...) tensor} -> B dicts of Python numbers and lists."""
    lists = {key: value.detach().cpu().double().tolist() if value.is_floating_point()
             else value.cpu().tolist() for key, value in stats.items()}
    B = len(next(iter(lists.values())))
    return [{key: value[b] for key, value in lists.items()} for b in range(B)]
