"""Tests of the randomly pruned two-layer CNN simulator (paper key yang2023).

The streaming simulator (coefficient-space GD on Grams accumulated block by block) is
checked against the reference full-weight trainer on identical realized draws, against the
data model's own facts (orthogonality, mask fractions, scales) and for independence of how
the work is split (memory cap, batch). The networks are the paper's typed configs
(``yang2023.model.NetworkConfig``). Statistical checks use fixed seeds; a "within 5 sd"
check fails with probability about 6e-7 under a correct simulator.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
import torch
from theorycheck.bounds.yang2023.model import NetworkConfig
from theorycheck.simulations.two_layer import (
    BLOCK,
    build_batch,
    coefficient_statistics,
    gram_matvec,
    realize,
    realize_test_noise,
    simulate,
    training_statistics,
)
from theorycheck.simulations.two_layer.streams import mask_counts

SMALL = {"K": 3, "m": 4, "n": 8, "d": 300, "sigma_0": 0.1, "steps": 50, "epsilon": 0.0,
         "n_test": 400, "dtype": "float64"}
FLOAT_KEYS = ("train_loss", "train_error", "test_error", "signal_learning", "gamma_off_max",
              "zeta_max", "omega_max", "noise_memorization_min", "noise_memorization_median")
CPU = torch.device("cpu")


def config(**changes) -> NetworkConfig:
    return NetworkConfig(**{**SMALL, **changes})


def assert_results_close(a: dict, b: dict, rtol: float, atol: float) -> None:
    assert (a["steps_run"], a["converged"], a["fault"]) == (b["steps_run"], b["converged"],
                                                            b["fault"])
    assert a["N_j"] == b["N_j"] and a["N_j_plus"] == b["N_j_plus"]
    for key in FLOAT_KEYS:
        assert math.isclose(a[key], b[key], rel_tol=rtol, abs_tol=atol), key
    for key in ("signal_per_class", "test_error_per_class"):
        assert a[key] == pytest.approx(b[key], rel=rtol, abs=atol), key


# ---------------------------------------------------------------- the streamed draws


@pytest.mark.parametrize("signal", ["sparse", "dense"])
def test_signals_orthonormal_and_noise_orthogonal_to_them(signal):
    """Across several blocks (d = 2.5 blocks): <mu_k, mu_l> = mu^2 [k = l],
    <xi_i, mu_k> = 0, and E||xi||^2 = sigma_n^2 (d - K)."""
    spec = config(K=4, n=200, d=BLOCK * 5 // 2, mu=7.0, sigma_n=2.0, signal=signal)
    drawn = realize(spec, 3, CPU)
    signals, noise = drawn["signals"], drawn["noise"]
    torch.testing.assert_close(signals @ signals.T, 49.0 * torch.eye(4, dtype=torch.float64),
                               rtol=0, atol=1e-9)
    assert (noise @ signals.T).abs().max() < 1e-8
    per_sample = noise.pow(2).sum(dim=1) / (spec.d - spec.K)
    # each is sigma_n^2 chi2_{d-K}/(d-K): sd sigma_n^2 sqrt(2/(d-K)); mean of 200 within 5 sd
    assert abs(per_sample.mean().item() - 4.0) < 5 * 4.0 * math.sqrt(2 / (spec.d - 4) / 200)


def test_bernoulli_masks_and_init_scale():
    spec = config(m=20, d=BLOCK + 1000, p=0.3, sigma_0=0.5)
    drawn = realize(spec, 1, CPU)
    masks, init = drawn["masks"], drawn["masked_init"]
    total = masks.numel()
    assert abs(masks.sum().item() - 0.3 * total) < 5 * math.sqrt(total * 0.21)
    assert (init[masks == 0] == 0).all()
    kept = init[masks == 1]
    assert abs(kept.std().item() - 0.5) < 5 * 0.5 / math.sqrt(2 * kept.numel())


@pytest.mark.parametrize(("p", "d"), [(0.5, 1000), (0.3333, 100), (0.02, 3 * BLOCK + 7)])
def test_exact_masks_keep_round_pd(p, d):
    spec = config(p=p, d=d, mask="exact")
    assert (mask_counts(spec, 0).sum(axis=1) == round(p * d)).all()
    masks = realize(spec, 0, CPU)["masks"]
    assert (masks.sum(dim=1) == round(p * d)).all()


def test_a_network_is_a_prefix_of_a_larger_one_and_masks_nest_in_p():
    """Coordinate c gets the same draws whatever d is (blocks are drawn whole, then cut),
    and Bernoulli masks 1[U < p] grow with p: the basis of the passes shared along d and p
    paths."""
    small = realize(config(p=0.4, d=BLOCK + 300), 11, CPU)
    large = realize(config(p=0.4, d=2 * BLOCK + 5), 11, CPU)
    for name in ("noise", "masks", "masked_init"):
        torch.testing.assert_close(small[name], large[name][:, :BLOCK + 300], rtol=0, atol=0)
    wider = realize(config(p=0.7, d=BLOCK + 300), 11, CPU)["masks"]
    assert (small["masks"] <= wider).all() and (wider > small["masks"]).any()


# ---------------------------------------------------------------- the streamed Gram


def test_streamed_gram_equals_the_realized_one():
    """G_f[a, e] = <v_a * M_f, v_e * M_f> and <w0_f * M_f, v_a>, accumulated block by block
    (d = 2.3 blocks; p = 0.5 from the pair products, split to a few columns at a time; p =
    0.2 from the kept columns, a few filters at a time), against the products of the
    realized d-dimensional tensors."""
    for signal, p in (("dense", 0.5), ("sparse", 0.5), ("dense", 0.2), ("sparse", 0.2)):
        spec = config(d=int(BLOCK * 2.3), signal=signal, p=p)
        (stats,) = training_statistics([spec], [7], CPU, max_bytes=8 * 3 * BLOCK)
        drawn = realize(spec, 7, CPU)
        V = torch.cat((drawn["signals"], drawn["noise"]))
        gram = (V[None] * drawn["masks"][:, None]) @ V[None].transpose(1, 2)
        torch.testing.assert_close(stats.gram, gram, rtol=1e-12, atol=1e-9)
        torch.testing.assert_close(stats.init_inner, drawn["masked_init"] @ V.T,
                                   rtol=1e-12, atol=1e-12)


def test_networks_sharing_a_stream_get_their_own_statistics():
    """Several p, d, mu, sigma_n, sigma_0 on one seed share one pass; each gets exactly the
    statistics it gets alone."""
    specs = [config(p=0.4, d=BLOCK + 300, mu=3.0), config(p=0.7, d=2 * BLOCK + 5),
             config(p=0.4, d=2 * BLOCK + 5, sigma_n=2.0, sigma_0=0.3)]
    together = training_statistics(specs, [9, 9, 9], CPU)
    for spec, stats in zip(specs, together, strict=True):
        (alone,) = training_statistics([spec], [9], CPU)
        torch.testing.assert_close(stats.gram, alone.gram, rtol=1e-12, atol=1e-9)
        torch.testing.assert_close(stats.init_inner, alone.init_inner, rtol=1e-12, atol=1e-12)
        assert torch.equal(stats.signal_kept, alone.signal_kept)


def test_gram_matvec_matches_the_definition():
    rng = torch.Generator().manual_seed(0)
    gram = torch.randn(5, 7, 7, generator=rng, dtype=torch.float64)
    alpha = torch.randn(5, 7, generator=rng, dtype=torch.float64)
    expected = torch.einsum("fae,fe->fa", gram, alpha)
    out = gram_matvec(gram.permute(2, 1, 0).contiguous(), alpha.T.contiguous())
    torch.testing.assert_close(out.T, expected, rtol=1e-12, atol=1e-12)


# ---------------------------------------------------------------- trainers agree


@pytest.mark.parametrize(("signal", "mask", "q"), [
    ("sparse", "bernoulli", 3), ("sparse", "exact", 1), ("dense", "bernoulli", 3)])
def test_streaming_and_full_trainers_agree_on_identical_draws(signal, mask, q):
    """Exact GD in coefficient space (streamed Grams) and autograd GD on the realized weights:
    the same losses, coefficients (the full trainer's by least-squares projection, unique
    here since p d >> K + n), errors and test errors, both Gaussian and on a streamed test
    set (float64)."""
    configs = [config(p=p, signal=signal, mask=mask, q=q, steps=60, test=test)
               for p in (1.0, 0.5, 0.2) for test in ("gaussian", "sampled")]
    seeds = [10, 10, 11, 11, 12, 12]
    streamed = simulate(configs, seeds)
    full = simulate(configs, seeds, trainer="full")
    assert max(max(r["signal_per_class"]) for r in streamed) > 0.3  # non-trivial dynamics
    for a, b in zip(streamed, full, strict=True):
        assert_results_close(a, b, rtol=1e-8, atol=1e-10)


def test_gaussian_and_sampled_test_errors_agree():
    """The exact Gaussian law of a fresh sample's noise parts against 20000 streamed test
    inputs, per class: the two Monte Carlo estimates (20000 draws each) differ by less than
    5 standard errors of their difference."""
    base = config(p=0.5, steps=40, n_test=20000)
    gauss, sampled = simulate([base, base.replace(test="sampled")], [3, 3])
    for a, b in zip(gauss["test_error_per_class"], sampled["test_error_per_class"],
                    strict=True):
        se = math.sqrt(max(a * (1 - a), 1e-4) / 20000 + max(b * (1 - b), 1e-4) / (20000 / 3))
        assert abs(a - b) < 5 * se, (a, b)
    assert 0.0 < gauss["test_error"] < 0.6


def test_pruned_weights_never_move_and_zero_masked_signal_has_zero_gamma():
    spec = config(p=0.3, mask="exact", steps=30)
    batch = build_batch([spec], [30], spec.n_test)
    result = simulate([spec], [30])[0]
    kept = torch.diagonal(batch.masks[0, :, :, :spec.K], dim1=0, dim2=2)  # (m, K)
    assert (kept == 0).any()
    full = simulate([spec], [30], trainer="full")[0]
    assert_results_close(result, full, rtol=1e-8, atol=1e-10)


# ---------------------------------------------------------------- splitting the work


def test_result_does_not_depend_on_batch_or_memory_cap():
    base = {"steps": 120, "epsilon": 0.02, "d": BLOCK + 500, "sigma_0": 0.01}
    target = config(p=0.5, **base)
    others = [config(p=0.1, mu=5.0, **base), config(p=1.0, sigma_n=2.0, **{**base,
                                                                            "epsilon": 0.0}),
              config(p=0.3, **{**base, "steps": 40, "epsilon": 0.0})]
    alone = simulate([target], [42])[0]
    together = simulate([others[0], target, others[1], others[2]], [1, 42, 2, 3])
    split = simulate([others[0], target, others[1], others[2]], [1, 42, 2, 3], max_batch=3,
                     max_bytes=2**16)
    assert_results_close(alone, together[1], rtol=1e-9, atol=1e-12)
    assert_results_close(alone, split[1], rtol=1e-9, atol=1e-12)
    assert together[3]["steps_run"] == 40


def test_simulate_groups_by_shape_and_keeps_input_order():
    configs = [config(K=2), config(), config(K=2, p=0.4), config(signal="dense")]
    results = simulate(configs, [0, 1, 2, 3])
    assert [len(r["N_j"]) for r in results] == [2, 3, 2, 3]
    assert [r["seed"] for r in results] == [0, 1, 2, 3]
    assert results[3]["N_j"] == [SMALL["m"]] * 3  # dense signals: N_j = m


def test_simulate_argument_errors():
    with pytest.raises(ValueError, match="seeds"):
        simulate([config()], [1, 2])
    with pytest.raises(ValueError, match="trainer"):
        simulate([config()], [1], trainer="sgd")


# ---------------------------------------------------------------- faults are data


def test_a_diverged_network_is_a_fault_not_a_number():
    """eta = 1e200 makes the loss non-finite after one step (float64; at eta = 1e30 some
    draws saturate the softmax to a loss of exactly 0 instead): the network stops there, its
    fault names the step, and every measured quantity is NaN (not a finite test error
    computed from NaN weights); its batch mate is unaffected."""
    good = config(p=0.5)
    for trainer in ("coefficient", "full"):
        results = simulate([config(p=0.5, eta=1e200), good], [1, 2], trainer=trainer)
        bad = results[0]
        assert bad["fault"].startswith("diverged: non-finite training loss at step"), trainer
        assert not bad["converged"]
        for key in FLOAT_KEYS:
            assert math.isnan(bad[key]), key
        assert all(math.isnan(v) for v in bad["test_error_per_class"])
        assert_results_close(results[1], simulate([good], [2], trainer=trainer)[0], rtol=1e-9,
                             atol=1e-12)


def test_an_input_that_rounds_to_zero_is_a_fault():
    bad = simulate([config(eta=1e-50, dtype="float32")], [1])[0]
    assert bad["fault"] == "input: step_size = 1e-50 rounds to 0 in float32"
    assert math.isnan(bad["test_error"]) and bad["steps_run"] == 0


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


def test_filter_counts_from_the_realized_masks_and_init():
    spec = config(m=30, p=0.4)
    result = simulate([spec], [8])[0]
    drawn = realize(spec, 8, CPU)
    masks = drawn["masks"].reshape(spec.K, spec.m, spec.d)
    init = drawn["masked_init"].reshape(spec.K, spec.m, spec.d)
    assert result["N_j"] == [int(masks[j, :, j].sum()) for j in range(spec.K)]
    assert result["N_j_plus"] == [int((init[j, :, j] > 0).sum()) for j in range(spec.K)]


def test_trajectory_is_json_ready():
    result = simulate([config(steps=30)], [5], track=True)[0]
    json.dumps(result)
    trajectory = result["trajectory"]
    assert trajectory["step"][0] == 0 and trajectory["step"][-1] == 30
    assert trajectory["zeta_max"][0] == 0.0
    assert trajectory["train_loss"][-1] == pytest.approx(result["train_loss"], rel=1e-12)
    assert set(trajectory) == {"step", "train_loss", "signal_per_class", "zeta_max",
                               "omega_max"}


def test_realized_test_set_matches_the_streamed_one():
    spec = config(d=BLOCK + 100)
    noise = realize_test_noise(spec, 4, 50, CPU)
    signals = realize(spec, 4, CPU)["signals"]
    assert noise.shape == (50, spec.d) and (noise @ signals.T).abs().max() < 1e-8


# ---------------------------------------------------------------- qualitative


def test_moderate_pruning_learns_signal():
    """A benign small regime (mu = 20 against sigma_n sqrt(p d) = 14; at mu = 10 some draws
    memorize noise instead, e.g. seeds 0 and 4): every network converges and learns its
    signal where two filters can."""
    configs = [NetworkConfig(K=3, m=10, n=30, d=400, mu=20.0, p=0.5, steps=500, eta=0.05,
                             sigma_0=0.01) for _ in range(4)]
    results = simulate(configs, [0, 1, 2, 3], track=True)
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
def test_cuda_streaming_matches_the_full_trainer_on_its_own_draws():
    """On a GPU the draws come from the GPU's generators (a network's realization is
    per device); the streaming and reference trainers agree there, and reruns repeat."""
    configs = [config(p=p, steps=60, test=test) for p in (1.0, 0.5, 0.2)
               for test in ("gaussian", "sampled")]
    seeds = [0, 0, 1, 1, 2, 2]
    on_gpu = simulate(configs, seeds, device="cuda")
    for a, b in zip(on_gpu, simulate(configs, seeds, device="cuda", trainer="full"),
                    strict=True):
        assert_results_close(a, b, rtol=1e-8, atol=1e-10)
    for a, b in zip(on_gpu, simulate(configs, seeds, device="cuda"), strict=True):
        assert_results_close(a, b, rtol=0, atol=0)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
def test_cuda_draws_follow_the_data_model():
    spec = config(K=4, n=200, d=BLOCK * 2, mu=7.0, sigma_n=2.0, p=0.3)
    drawn = realize(spec, 3, torch.device("cuda"))
    signals, noise, masks = drawn["signals"], drawn["noise"], drawn["masks"]
    assert (noise @ signals.T).abs().max().item() < 1e-8
    total = masks.numel()
    assert abs(masks.sum().item() - 0.3 * total) < 5 * math.sqrt(total * 0.21)
    assert np.isfinite(noise.pow(2).mean().item())
