"""Tests of the randomly pruned two-layer CNN simulator (paper key yang2023); the networks
are the paper's typed configs (``yang2023.model.NetworkConfig``)."""

from __future__ import annotations

import json
import math

import pytest
import torch
from theorycheck.bounds.yang2023.model import NetworkConfig
from theorycheck.simulations.two_layer import (
    CoefficientTrainer,
    FullTrainer,
    build_batch,
    coefficient_statistics,
    kept_count,
    logits_on_test_set,
    make_signals,
    patches,
    project_coefficients,
    sample_examples,
    sample_masks,
    signal_filter_counts,
    simulate,
)

SMALL = {"K": 3, "m": 4, "n": 8, "d": 300, "sigma_0": 0.1, "steps": 50, "epsilon": 0.0,
         "n_test": 200, "dtype": "float64"}
FLOAT_KEYS = ("train_loss", "train_error", "test_error", "signal_learning", "gamma_off_max",
              "zeta_max", "omega_max", "noise_memorization_min", "noise_memorization_median")


def _generator(seed: int) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


def _run_both(batch, steps: int) -> tuple[CoefficientTrainer, FullTrainer, list, list]:
    coefficient, full = CoefficientTrainer(batch), FullTrainer(batch)
    active = torch.ones(len(batch.configs), dtype=torch.bool)
    losses_c, losses_f = [], []
    with torch.no_grad():
        for _ in range(steps):
            for model, losses in ((coefficient, losses_c), (full, losses_f)):
                loss, context = model.forward()
                losses.append(loss)
                model.update(context, active)
    return coefficient, full, losses_c, losses_f


def _assert_results_close(a: dict, b: dict, rtol: float, atol: float) -> None:
    assert a["steps_run"] == b["steps_run"]
    assert a["converged"] == b["converged"]
    assert a["N_j"] == b["N_j"] and a["N_j_plus"] == b["N_j_plus"]
    for key in FLOAT_KEYS:
        assert math.isclose(a[key], b[key], rel_tol=rtol, abs_tol=atol), key
    for key in ("signal_per_class", "test_error_per_class"):
        assert a[key] == pytest.approx(b[key], rel=rtol, abs=atol), key


# ---------------------------------------------------------------- masks


@pytest.mark.parametrize(("p", "d"), [(0.5, 1000), (0.3333, 100), (0.02, 1000), (1.0, 50)])
def test_exact_masks_keep_round_pd(p, d):
    masks = sample_masks(3, 7, d, p, "exact", _generator(0))
    assert masks.shape == (3, 7, d)
    assert (masks.sum(dim=-1) == kept_count(p, d)).all()
    assert kept_count(p, d) == round(p * d)


def test_bernoulli_mask_fraction_within_binomial_tolerance():
    K, m, d, p = 3, 20, 1000, 0.3
    masks = sample_masks(K, m, d, p, "bernoulli", _generator(1))
    total = K * m * d
    sd = math.sqrt(total * p * (1 - p))
    assert abs(int(masks.sum()) - total * p) < 5 * sd
    per_filter_sd = math.sqrt(d * p * (1 - p))
    assert (masks.sum(dim=-1).double() - d * p).abs().max() < 5 * per_filter_sd


def test_masks_are_nested_across_p_for_one_seed():
    for kind in ("bernoulli", "exact"):
        small = sample_masks(2, 5, 200, 0.2, kind, _generator(2))
        large = sample_masks(2, 5, 200, 0.6, kind, _generator(2))
        assert (small <= large).all()


def test_pruned_weights_never_move():
    batch = build_batch([NetworkConfig(**{**SMALL, "p": 0.3})], [3])
    coefficient, full, _, _ = _run_both(batch, 20)
    pruned = batch.masks == 0
    assert (full.weights.detach()[pruned] == 0).all()
    assert (coefficient.masked_weights()[pruned] == 0).all()
    moved = (full.weights.detach() - full.masked_init)[~pruned].abs().max()
    assert moved > 1e-3


# ---------------------------------------------------------------- data


@pytest.mark.parametrize("kind", ["sparse", "dense"])
def test_signals_orthogonal_and_noise_orthogonal_to_signals(kind):
    K, d, mu, sigma_n, n = 4, 500, 7.0, 2.0, 3000
    signals = make_signals(K, d, mu, kind, _generator(4))
    gram = signals @ signals.T
    assert torch.allclose(gram, mu**2 * torch.eye(K, dtype=torch.float64), atol=1e-10)
    examples = sample_examples(signals, n, sigma_n, _generator(5))
    assert (examples.noise @ signals.T).abs().max() < 1e-9
    variance = examples.noise.pow(2).sum(dim=1).mean() / (d - K)
    assert variance == pytest.approx(sigma_n**2, rel=0.02)
    counts = torch.bincount(examples.labels, minlength=K).double()
    assert (counts - n / K).abs().max() < 5 * math.sqrt(n / K)
    assert abs(examples.signal_first.double().mean() - 0.5) < 5 * math.sqrt(0.25 / n)


def test_patches_hold_signal_and_noise():
    signals = make_signals(3, 50, 2.0, "sparse", _generator(6))
    examples = sample_examples(signals, 40, 1.0, _generator(7))
    x = patches(signals, examples)
    assert x.shape == (40, 2, 50)
    for i in range(40):
        noise_index = int(examples.signal_first[i])
        assert torch.equal(x[i, 1 - noise_index], signals[examples.labels[i]])
        assert torch.equal(x[i, noise_index], examples.noise[i])


# ---------------------------------------------------------------- trainers agree


@pytest.mark.parametrize(("signal", "mask", "q"), [
    ("sparse", "bernoulli", 3), ("sparse", "exact", 1), ("dense", "bernoulli", 3)])
def test_coefficient_and_full_trainers_agree(signal, mask, q):
    configs = [NetworkConfig(**{**SMALL, "p": p, "signal": signal, "mask": mask, "q": q})
               for p in (1.0, 0.5, 0.3)]
    batch = build_batch(configs, [10, 11, 12])
    coefficient, full, losses_c, losses_f = _run_both(batch, 50)
    torch.testing.assert_close(torch.stack(losses_c), torch.stack(losses_f),
                               rtol=1e-10, atol=1e-12)
    gamma_c, rho_c = coefficient.coefficients()
    gamma_f, rho_f = full.coefficients()
    assert gamma_c.abs().max() > 0.5  # the dynamics are not trivial
    torch.testing.assert_close(gamma_c, gamma_f, rtol=0, atol=1e-8)
    torch.testing.assert_close(rho_c, rho_f, rtol=0, atol=1e-8)
    torch.testing.assert_close(coefficient.masked_weights(), full.masked_weights(),
                               rtol=0, atol=1e-10)
    # recursion-tracked coefficients equal the least-squares projection of the weights
    gamma_p, rho_p = project_coefficients(coefficient.masked_weights(),
                                          batch.init * batch.masks, batch.masks,
                                          batch.signals, batch.train.noise)
    torch.testing.assert_close(gamma_c, gamma_p, rtol=0, atol=1e-8)
    torch.testing.assert_close(rho_c, rho_p, rtol=0, atol=1e-8)
    logits_c = logits_on_test_set(batch, coefficient.masked_weights())
    logits_f = logits_on_test_set(batch, full.masked_weights())
    torch.testing.assert_close(logits_c, logits_f, rtol=1e-10, atol=1e-12)
    assert torch.equal(logits_c.argmax(dim=1), logits_f.argmax(dim=1))


def test_simulate_results_agree_across_trainers_with_early_stopping():
    configs = [NetworkConfig(**{**SMALL, "p": p, "epsilon": 0.05, "steps": 200})
               for p in (1.0, 0.4)]
    by_coefficient = simulate(configs, [20, 21], trainer="coefficient")
    by_full = simulate(configs, [20, 21], trainer="full")
    assert any(r["converged"] and r["steps_run"] < 200 for r in by_coefficient)
    for a, b in zip(by_coefficient, by_full, strict=True):
        _assert_results_close(a, b, rtol=1e-7, atol=1e-9)


def test_zero_masked_signal_has_zero_gamma():
    config = NetworkConfig(**{**SMALL, "p": 0.3, "mask": "exact"})
    batch = build_batch([config], [30])
    coefficient, _, _, _ = _run_both(batch, 30)
    gamma, _ = coefficient.coefficients()
    K = config.K
    pruned_signal = batch.masks[..., :K] == 0  # (B, K, m, K): M_{j,r}[k] = 0
    assert pruned_signal.any()
    assert (gamma[pruned_signal] == 0).all()


# ---------------------------------------------------------------- batching


def test_result_does_not_depend_on_batch():
    base = {**SMALL, "steps": 120, "epsilon": 0.02}
    target = NetworkConfig(**{**base, "p": 0.5})
    others = [NetworkConfig(**{**base, "p": 0.1, "mu": 5.0}),
              NetworkConfig(**{**base, "p": 1.0, "sigma_n": 2.0, "epsilon": 0.0}),
              NetworkConfig(**{**base, "p": 0.3, "steps": 40})]
    alone = simulate([target], [42])[0]
    together = simulate([others[0], target, others[1], others[2]], [1, 42, 2, 3])
    split = simulate([others[0], target, others[1], others[2]], [1, 42, 2, 3], max_batch=3)
    _assert_results_close(alone, together[1], rtol=1e-9, atol=1e-12)
    _assert_results_close(alone, split[1], rtol=1e-9, atol=1e-12)
    assert together[3]["steps_run"] == 40


def test_simulate_groups_by_shape_and_keeps_input_order():
    configs = [NetworkConfig(**{**SMALL, "K": 2}), NetworkConfig(**SMALL),
               NetworkConfig(**{**SMALL, "K": 2, "p": 0.4}),
               NetworkConfig(**{**SMALL, "signal": "dense"})]
    results = simulate(configs, [0, 1, 2, 3])
    assert [len(r["N_j"]) for r in results] == [2, 3, 2, 3]
    assert [r["seed"] for r in results] == [0, 1, 2, 3]
    assert results[3]["N_j"] == [SMALL["m"]] * 3  # dense signals: N_j = m


def test_simulate_argument_errors():
    config = NetworkConfig(**SMALL)
    with pytest.raises(ValueError, match="seeds"):
        simulate([config], [1, 2])
    with pytest.raises(ValueError, match="trainer"):
        simulate([config], [1], trainer="sgd")
    with pytest.raises(ValueError, match="checkpoints"):
        simulate([config], [1], checkpoints=[SMALL["steps"] + 1])


# ---------------------------------------------------------------- measurements


def test_coefficient_statistics_on_known_values():
    gamma = torch.zeros(1, 2, 2, 2)
    gamma[0, 0, 1, 0] = 3.0   # class 0 learns mu_0
    gamma[0, 1, 0, 1] = 2.0   # class 1 learns mu_1
    gamma[0, 1, 1, 0] = -0.5  # off-diagonal
    rho = torch.zeros(1, 2, 2, 3)
    labels = torch.tensor([[0, 1, 1]])
    rho[0, 0, 0, 0] = 4.0     # zeta for sample 0
    rho[0, 1, 1, 1] = 1.0     # zeta for sample 1
    rho[0, 1, 0, 2] = 0.5     # zeta for sample 2
    rho[0, 0, 1, 2] = -0.7    # omega
    stats = coefficient_statistics(gamma, rho, labels)
    assert stats["signal_per_class"].tolist() == [[3.0, 2.0]]
    assert stats["signal_learning"].item() == 2.0
    assert stats["gamma_off_max"].item() == 0.5
    assert stats["zeta_max"].item() == 4.0
    assert stats["omega_max"].item() == pytest.approx(0.7)
    assert stats["noise_memorization_min"].item() == 0.5
    assert stats["noise_memorization_median"].item() == 1.0


def test_signal_filter_counts_sparse():
    config = NetworkConfig(**{**SMALL, "m": 30, "p": 0.4})
    batch = build_batch([config], [8])
    counts = signal_filter_counts(batch)
    K = config.K
    kept = [int(batch.masks[0, j, :, j].sum()) for j in range(K)]
    positive = [int(((batch.init[0, j, :, j] > 0) & (batch.masks[0, j, :, j] > 0)).sum())
                for j in range(K)]
    assert counts["N_j"][0].tolist() == kept
    assert counts["N_j_plus"][0].tolist() == positive


def test_checkpoints_and_trajectory_are_json_ready():
    config = NetworkConfig(**{**SMALL, "steps": 30})
    result = simulate([config], [5], checkpoints=[0, 15, 30], track=True)[0]
    json.dumps(result)
    first, _, last = result["checkpoints"]
    assert first["step"] == 0 and first["signal_learning"] == 0.0 and first["zeta_max"] == 0.0
    for key in FLOAT_KEYS:
        assert last[key] == pytest.approx(result[key], rel=1e-12), key
    trajectory = result["trajectory"]
    assert trajectory["step"] == [0, 15, 30]
    assert trajectory["train_loss"][-1] == pytest.approx(result["train_loss"], rel=1e-12)
    assert set(trajectory) == {"step", "train_loss", "signal_per_class", "zeta_max",
                               "omega_max"}


# ---------------------------------------------------------------- qualitative


def test_moderate_pruning_learns_signal():
    configs = [NetworkConfig(K=3, m=10, n=30, d=400, mu=10.0, p=0.5, steps=500, n_test=500)
               for _ in range(2)]
    results = simulate(configs, [0, 1], track=True)
    for result in results:
        losses = result["trajectory"]["train_loss"]
        assert result["converged"] and result["train_loss"] <= 1e-3
        assert losses[-1] < 0.01 * losses[0]
        assert all(b <= a * (1 + 1e-4) for a, b in zip(losses, losses[1:], strict=False))
        assert result["test_error"] < 0.15
        # classes with at least two filters able to learn their signal (N_j+ >= 2) learn it
        learned = [g > 1.0 for g in result["signal_per_class"]]
        assert all(ok for ok, count in zip(learned, result["N_j_plus"], strict=True)
                   if count >= 2)


# ---------------------------------------------------------------- devices


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
def test_cuda_matches_cpu():
    configs = [NetworkConfig(**{**SMALL, "p": p}) for p in (1.0, 0.5)]
    on_cpu = simulate(configs, [0, 1], device="cpu")
    on_gpu = simulate(configs, [0, 1], device="cuda")
    for a, b in zip(on_cpu, on_gpu, strict=True):
        _assert_results_close(a, b, rtol=1e-7, atol=1e-9)
