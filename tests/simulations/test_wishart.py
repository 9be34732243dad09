"""Tests of the statistics drawn by their law (``draws="wishart"``) against the streamed
coordinates they stand for.

The two draw different realizations of the same network, so they are compared in law:
two-sample Kolmogorov-Smirnov tests (scipy) on the statistics the trainer reads and on
trained networks' measurements, each at a fixed seed. A correct sampler passes a test with
probability 1 - ALPHA; the planted wrong law (a mask probability 30% too large) must be
rejected at REJECT.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from scipy import stats
from theorycheck.bounds.yang2023.model import NetworkConfig
from theorycheck.simulations import two_layer
from theorycheck.simulations.two_layer import simulate, training_statistics
from theorycheck.simulations.two_layer.wishart import (
    pattern_sizes,
    unit_training_statistics,
    wishart,
)

CPU = torch.device("cpu")
ALPHA = 1e-3  # a KS test of two equal laws fails with this probability
REJECT = 1e-4  # a planted wrong law must give a p-value below this
NETWORKS = 300
# F = 6 filters, n = 4: sizes 1 and 2 are drawn as patterns (Bartlett), 3 and 4 coordinate
# by coordinate
MIXED = NetworkConfig(K=2, m=3, n=4, d=2000, p=0.1, mu=5.0, sigma_0=0.05)


def functionals(config: NetworkConfig, seeds: range) -> dict[str, np.ndarray]:
    """Scalar statistics of each network: masked noise Gram entries, an initial inner
    product, a signal-coordinate Gram entry, and trained-weight Gram entries (one filter,
    two filters, two classes) for fixed coefficients."""
    specs = [config] * len(seeds)
    train = training_statistics(specs, list(seeds), CPU)
    F, A = config.K * config.m, config.K + config.n
    alpha = torch.linspace(-0.05, 0.05, F * A, dtype=torch.float64).reshape(F, A)
    test = two_layer.test_statistics(specs, list(seeds), [alpha] * len(seeds), CPU)
    K = config.K
    return {
        "gram_noise_diag": np.array([s.gram[0, K, K].item() for s in train]),
        "gram_noise_off": np.array([s.gram[1, K, K + 1].item() for s in train]),
        "init_inner": np.array([s.init_inner[2, K + 1].item() for s in train]),
        "gram_signal": np.array([s.gram[0, 0, 0].item() for s in train]),
        "weight_norm": np.array([t.weight_gram[0, 0].item() for t in test]),
        "weight_pair": np.array([t.weight_gram[0, 1].item() for t in test]),
        "weight_classes": np.array([t.weight_gram[1, F - 1].item() for t in test]),
    }


def ks_pvalues(a: dict[str, np.ndarray], b: dict[str, np.ndarray]) -> dict[str, float]:
    return {key: float(stats.ks_2samp(a[key], b[key], method="asymp").pvalue) for key in a}


@pytest.fixture(scope="module")
def streamed() -> dict[str, np.ndarray]:
    return functionals(MIXED, range(NETWORKS))


def test_the_mixed_config_draws_both_ways():
    sizes = pattern_sizes(MIXED.replace(draws="wishart"), 0)
    assert {s.k for s in sizes if s.patterns is not None} == {1, 2}
    assert {s.k for s in sizes if s.patterns is None} >= {3}


def test_statistics_follow_the_law_of_the_streamed_coordinates(streamed):
    drawn = functionals(MIXED.replace(draws="wishart"), range(10_000, 10_000 + NETWORKS))
    pvalues = ks_pvalues(streamed, drawn)
    assert min(pvalues.values()) > ALPHA, pvalues


def test_a_wrong_mask_probability_is_rejected(streamed):
    """The power of the comparison above: p 30% too large is told apart."""
    wrong = functionals(MIXED.replace(draws="wishart", p=0.13),
                        range(10_000, 10_000 + NETWORKS))
    assert min(ks_pvalues(streamed, wrong).values()) < REJECT


def test_trained_networks_follow_the_same_law():
    """Over-pruned networks (K m p = 0.6) trained from either draw (at most 5000 steps; about
    a third do not reach epsilon by then): the laws of their final loss, noise memorization,
    steps and test error agree (KS, 120 networks each)."""
    base = NetworkConfig(K=3, m=4, n=8, d=20_000, p=0.05, mu=20.0, steps=5000)
    a = simulate([base] * 120, list(range(120)))
    b = simulate([base.replace(draws="wishart")] * 120, list(range(120)))
    assert all(r["fault"] is None for r in a + b)
    for key in ("train_loss", "noise_memorization_min", "noise_memorization_median", "steps_run",
                "test_error"):
        p = stats.ks_2samp([r[key] for r in a], [r[key] for r in b]).pvalue
        assert p > ALPHA, (key, p)


@pytest.mark.parametrize("draws", ["coordinates", "wishart"])
def test_the_test_pass_redraws_the_training_pass(draws):
    """The test pass and the training pass see the same realization: with every filter's
    trained weights +-xi_i (alpha = +-e_i, sigma_n = 1), ||W_f||^2 = sigma_0^2 ||Z_f M_f||^2
    +- 2 <w0_f M_f, xi_i> + ||xi_i M_f||^2, so half the difference of the two is twice the
    training pass's initial inner product and the mean, less the alpha = 0 norm, its masked
    Gram entry (exact identities; float32 blocks for the coordinates)."""
    config = MIXED.replace(draws=draws, sigma_n=1.0, d=30_000)
    F, A, K, i = config.K * config.m, config.K + config.n, config.K, 1
    train = training_statistics([config], [4], CPU)[0]
    unit = torch.zeros(F, A, dtype=torch.float64)
    unit[:, K + i] = 1.0
    plus, minus, zero = (two_layer.test_statistics([config], [4], [a], CPU)[0].weight_gram.diag()
                         for a in (unit, -unit, 0 * unit))
    rel = 1e-9 if draws == "wishart" else 1e-4
    assert ((plus - minus) / 2).tolist() == pytest.approx(
        (2 * train.init_inner[:, K + i]).tolist(), rel=rel, abs=rel)
    assert ((plus + minus) / 2 - zero).tolist() == pytest.approx(
        train.gram[:, K + i, K + i].tolist(), rel=rel)


@pytest.mark.parametrize("count", [1, 3, 9, 40])
def test_each_matrix_is_wishart(count):
    """dim = 9: counts below it are Z^T Z of explicit rows, the others Bartlett. Diagonal
    entries are chi^2(count) (KS against scipy's law); an off-diagonal entry against
    scipy's Wishart samples (count >= dim) or its mean 0 and variance count."""
    dim, draws = 9, 3000
    h = wishart(np.full(draws, count), dim, np.random.default_rng(count))
    assert np.allclose(h, h.transpose(0, 2, 1))
    for i in (0, dim - 1):
        assert stats.kstest(h[:, i, i], stats.chi2(count).cdf).pvalue > ALPHA
    off = h[:, 0, dim - 1]
    if count >= dim:
        ref = stats.wishart(df=count, scale=np.eye(dim)).rvs(draws, random_state=1)
        assert stats.ks_2samp(off, ref[:, 0, dim - 1]).pvalue > ALPHA
    assert abs(off.mean()) < 5 * math.sqrt(count / draws)
    assert off.var() == pytest.approx(count, rel=5 * math.sqrt(2 / draws) * 2)


def test_counts_cover_every_noise_coordinate():
    for p in (0.02, 0.1, 0.5, 1.0):
        config = MIXED.replace(p=p, d=50_000, draws="wishart")
        sizes = pattern_sizes(config, 3)
        covered = sum(s.count for s in sizes)
        nobody = stats.binom.pmf(0, config.K * config.m, p) * (config.d - config.K)
        assert abs(config.d - config.K - covered - nobody) < 6 * math.sqrt(nobody + 1)
        for s in sizes:
            if s.patterns is not None:
                assert s.counts.sum() == s.count and len(s.patterns) == math.comb(6, s.k)


def test_unpruned_filters_share_one_noise_gram():
    """p = 1: every filter keeps every coordinate (one pattern), so every filter's noise
    Gram is the same matrix while their initial inner products differ."""
    gram, init, kept = unit_training_statistics(MIXED.replace(p=1.0, draws="wishart"), 5)
    K = MIXED.K
    assert torch.equal(gram[0, K:, K:], gram[-1, K:, K:])
    assert not torch.equal(init[0], init[1]) and bool(kept.all())
    assert gram[0, K, K].item() == pytest.approx(MIXED.d - K, rel=0.2)


def test_draws_are_reproducible_whatever_the_batch():
    target = MIXED.replace(draws="wishart", steps=200)
    alone = simulate([target], [7])[0]
    together = simulate([MIXED.replace(p=0.3, draws="wishart"), target, MIXED], [1, 7, 7])
    assert alone == together[1]


def test_configs_and_trainers_that_need_coordinates_are_refused():
    for changes, name in (({"signal": "dense"}, "signal"), ({"mask": "exact"}, "mask"),
                          ({"test": "sampled"}, "test")):
        with pytest.raises(ValueError, match=f"^{name} must be"):
            MIXED.replace(draws="wishart", **changes)
    with pytest.raises(ValueError, match="trainer='full'"):
        simulate([MIXED.replace(draws="wishart")], [0], trainer="full")


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
def test_wishart_draws_are_the_same_network_on_a_gpu():
    """The law's draws are numpy's, whatever the device: on a GPU the same statistics, and
    training there (its Gaussian test draws are the GPU's) reaches the same training loss."""
    config = MIXED.replace(draws="wishart", steps=200, dtype="float64")
    cpu = training_statistics([config], [3], CPU)[0]
    gpu = training_statistics([config], [3], torch.device("cuda"))[0]
    torch.testing.assert_close(gpu.gram.cpu(), cpu.gram, rtol=1e-12, atol=1e-12)
    a, b = simulate([config], [3])[0], simulate([config], [3], device="cuda")[0]
    assert a["train_loss"] == pytest.approx(b["train_loss"], rel=1e-8)
