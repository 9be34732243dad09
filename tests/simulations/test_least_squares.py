"""Tests of the train-large-then-prune simulators (linear and random-features models).

The regimes come from the paper's model definitions (``chang2021.model``: the ``Design``
arrays and the random-features config, which carry the rules, scores, kernel and
activation); no theory module is imported: Monte Carlo checks compare with textbook finite-n
facts and use fixed seeds. A "within k SE" check fails with probability about 6e-5 (k = 4)
under a correct simulator, so with fixed seeds these are deterministic regression tests
that can fail.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from theorycheck.bounds.chang2021.model import Design, RandomFeaturesConfig, oracle_support
from theorycheck.simulations import least_squares
from theorycheck.simulations.least_squares import (
    DTYPE,
    keep_on_support,
    min_norm_least_squares,
    sample_batch,
    sample_linear,
    top_s_indices,
)
from theorycheck.simulations.random_features import (
    random_features_risk,
    sample_random_features,
    simulate_random_features,
)

TWO_PI = 2 * math.pi


def simulate_linear(lam, beta, sigma, n, p, s, seeds, **kwargs):
    """The linear simulator on the design (lam, beta over D features, sigma, n, p, s)."""
    return least_squares.simulate_linear(Design("test", lam, beta, sigma, n, p, s), seeds,
                                         **kwargs)


def rf_config(d, p, n, s, sigma, theta_norm, feature_seed=0):
    return RandomFeaturesConfig(d=d, p=p, n=n, s=s, sigma=sigma, theta_norm=theta_norm,
                                feature_seed=feature_seed)


def rf_sim(d, p, n, s, sigma, theta_norm, seeds, feature_seed=0, **kwargs):
    """The random-features simulator on the regime's config (R, theta drawn from it)."""
    return simulate_random_features(rf_config(d, p, n, s, sigma, theta_norm, feature_seed),
                                    seeds, **kwargs)


def random_features_design(d, p, theta_norm, feature_seed):
    return rf_config(d, p, 1, 1, 0.0, theta_norm, feature_seed).layers


ACTIVATION = rf_config(3, 6, 1, 1, 0.0, 1.0)


def features(X, R, config=ACTIVATION):
    """phi(X R^T) with the model's activation (the centered ReLU)."""
    return config.activation(X @ R.T)


def _linear_problem(D: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return rng.uniform(0.2, 2.0, D), rng.standard_normal(D) / math.sqrt(D)


def _training_set(lam, beta, sigma, n, p, seed):
    """The (X, y) that simulate_linear draws for ``seed`` (first draw of the trial generator)."""
    sigma_p = math.sqrt(sigma**2 + float(np.sum(lam[p:] * beta[p:] ** 2)))
    X, y = sample_linear(
        torch.as_tensor(lam[:p], dtype=DTYPE),
        torch.as_tensor(beta[:p], dtype=DTYPE),
        sigma_p,
        n,
        torch.Generator().manual_seed(seed),
    )
    return X.numpy(), y.numpy(), sigma_p


def _mean_se(values: list[float]) -> tuple[float, float]:
    arr = np.asarray(values)
    return float(arr.mean()), float(arr.std(ddof=1) / math.sqrt(arr.size))


# ----------------------------------------------------------------------------- pruning


def test_top_s_indices_ties_go_to_lower_index() -> None:
    scores = torch.tensor(
        [[0.0, 0.0, 0.0, 0.0, 0.0], [1.0, 2.0, 2.0, 1.0, 2.0], [3.0, 3.0, 1.0, 3.0, 3.0]],
        dtype=DTYPE,
    )
    assert top_s_indices(scores, 3).tolist() == [[0, 1, 2], [1, 2, 4], [0, 1, 3]]


@pytest.mark.parametrize("s", [1, 7, 19, 20])
def test_top_s_indices_exact_count_with_many_ties(s: int) -> None:
    scores = torch.randint(0, 3, (50, 20), generator=torch.Generator().manual_seed(s)).to(DTYPE)
    idx = top_s_indices(scores, s)
    for row, kept in zip(scores, idx, strict=True):
        kept_set = set(kept.tolist())
        assert len(kept_set) == s  # exactly s distinct entries
        dropped = [j for j in range(20) if j not in kept_set]
        if dropped:
            low = min(row[j].item() for j in kept_set)
            assert all(row[j].item() <= low for j in dropped)
            # at the boundary score the lowest indices are kept
            assert all(
                j > max(k for k in kept_set if row[k] == low) for j in dropped if row[j] == low
            )


def test_keep_on_support_keeps_values_and_count() -> None:
    coef = torch.randn(4, 30, generator=torch.Generator().manual_seed(1), dtype=DTYPE)
    idx = top_s_indices(coef.abs(), 9)
    pruned = keep_on_support(coef, idx)
    assert (pruned != 0).sum(-1).tolist() == [9] * 4
    assert torch.equal(pruned.gather(-1, idx), coef.gather(-1, idx))


@pytest.mark.parametrize(("n", "p"), [(20, 60), (60, 20)])
def test_pruned_risks_match_manual_pruning(n: int, p: int) -> None:
    """Rebuild the pruned vectors from beta_hat in numpy (exactly s kept, values unchanged)."""
    lam, beta = _linear_problem(80, seed=2)
    sigma, s, seeds = 0.4, 12, [3, 4]
    out = simulate_linear(lam, beta, sigma, n, p, s, seeds, return_estimates=True)
    sigma_p2 = sigma**2 + float(np.sum(lam[p:] * beta[p:] ** 2))
    for rec in out:
        b_hat = np.asarray(rec["beta_hat"])
        assert b_hat.shape == (p,)
        scores = {
            "magnitude": np.abs(b_hat),
            "hessian": np.sqrt(lam[:p]) * np.abs(b_hat),
            "oracle": lam[:p] * beta[:p] ** 2,
        }
        for rule, score in scores.items():
            keep = np.argsort(-score, kind="stable")[:s]
            b = np.zeros(p)
            b[keep] = b_hat[keep]
            expected = sigma_p2 + np.sum(lam[:p] * (b - beta[:p]) ** 2)
            assert rec[f"prune_{rule}"] == pytest.approx(expected, rel=1e-12)
        dense = sigma_p2 + np.sum(lam[:p] * (b_hat - beta[:p]) ** 2)
        assert rec["dense"] == pytest.approx(dense, rel=1e-12)


# ------------------------------------------------------------------------------ training


@pytest.mark.parametrize(("n", "p"), [(30, 90), (30, 31), (30, 30), (90, 30)])
def test_estimate_is_min_norm_least_squares(n: int, p: int) -> None:
    """Interpolates when p >= n; equals numpy's min-norm lstsq (OLS when p < n)."""
    lam, beta = _linear_problem(100, seed=5)
    sigma, seed = 0.5, 17
    (rec,) = simulate_linear(lam, beta, sigma, n, p, 5, [seed], return_estimates=True)
    X, y, _ = _training_set(lam, beta, sigma, n, p, seed)
    reference = np.linalg.lstsq(X, y, rcond=None)[0]
    np.testing.assert_allclose(rec["beta_hat"], reference, rtol=1e-7, atol=1e-9)
    if p >= n:
        assert rec["train_residual"] < 1e-8
    else:
        assert rec["train_residual"] == pytest.approx(np.max(np.abs(X @ reference - y)), rel=1e-8)


@pytest.mark.parametrize(("n", "p"), [(25, 40), (40, 25)])
def test_no_pruning_when_s_equals_p(n: int, p: int) -> None:
    lam, beta = _linear_problem(50, seed=6)
    out = simulate_linear(lam, beta, 0.3, n, p, p, [1, 2], retrain=("none", "same"), device="auto")
    for rec in out:
        for rule in ("magnitude", "hessian", "oracle"):
            assert rec[f"prune_{rule}"] == rec["dense"]
            assert rec[f"retrain_same_{rule}"] == pytest.approx(rec["dense"], rel=1e-10)


def _assert_records_close(got: list[dict], expected: list[dict], rel: float) -> None:
    assert len(got) == len(expected)
    for a, b in zip(got, expected, strict=True):
        assert a.keys() == b.keys()
        for key in a:
            if key == "train_residual":  # rounding-level quantity when p >= n
                continue
            if isinstance(b[key], float):
                assert a[key] == pytest.approx(b[key], rel=rel, abs=1e-14), key
            else:  # text or None (``fault``), or a count: equal exactly
                assert a[key] == b[key], key


def test_same_seed_same_data_whatever_the_batch() -> None:
    """Each trial's data come from its own generator: bitwise identical in any batch."""
    lam_p, beta_p = (torch.as_tensor(v[:30]) for v in _linear_problem(40, seed=7))

    def draw(gen: torch.Generator, out: tuple[torch.Tensor, torch.Tensor]) -> None:
        sample_linear(lam_p, beta_p, 0.5, 20, gen, out)

    gens = [torch.Generator().manual_seed(seed) for seed in (11, 12, 13)]
    X, y = sample_batch(draw, gens, 20, 30, torch.device("cpu"))
    X_alone, y_alone = sample_linear(lam_p, beta_p, 0.5, 20, torch.Generator().manual_seed(13))
    assert torch.equal(X[2], X_alone) and torch.equal(y[2], y_alone)


def test_same_seed_same_result_whatever_the_batch() -> None:
    """Same seed -> same results in any batch / chunking, up to the rounding of batched
    linear algebra (well-conditioned designs here, so rel 1e-10 is ample)."""
    lam, beta = _linear_problem(70, seed=7)
    args = (lam, beta, 0.5, 20, 60, 10)
    full = simulate_linear(*args, [11, 12, 13], return_estimates=True)
    alone = simulate_linear(*args, [13], return_estimates=True)
    shuffled = simulate_linear(*args, [13, 11, 12], max_bytes=1, return_estimates=True)
    _assert_records_close(alone, [full[2]], rel=1e-10)
    _assert_records_close(shuffled, [full[2], full[0], full[1]], rel=1e-10)
    np.testing.assert_allclose(alone[0]["beta_hat"], full[2]["beta_hat"], rtol=1e-10, atol=1e-13)
    rf = dict(d=5, p=30, n=20, s=8, sigma=0.2, theta_norm=1.0)
    rf_full = rf_sim(**rf, seeds=[4, 5, 6])
    rf_chunked = rf_sim(**rf, seeds=[6, 4], max_bytes=1)
    _assert_records_close(rf_chunked, [rf_full[2], rf_full[0]], rel=1e-10)


def test_retrain_same_on_oracle_support_is_the_small_model() -> None:
    lam, beta = _linear_problem(60, seed=8)
    for rec in simulate_linear(lam, beta, 0.3, 30, 50, 10, [1, 2, 3], rules=("oracle",)):
        assert rec["retrain_same_oracle"] == rec["small"]


def test_oracle_support_ties_and_order() -> None:
    lam = np.ones(6)
    beta = np.array([0.0, 1.0, -1.0, 0.5, 1.0, 2.0])
    # top-3 of lam beta^2 = (0, 1, 1, .25, 1, 4): index 5, then the tie among 1, 2, 4 goes to
    # the lower indices; S* is returned sorted
    assert oracle_support(lam, beta, 3).tolist() == [1, 2, 5]
    assert oracle_support(lam[:4], beta[:4], 2).tolist() == [1, 2]


# --------------------------------------------------------------------- Monte Carlo facts


def test_ols_risk_matches_exact_finite_n_expectation() -> None:
    """Isotropic, p < n: E R(beta_hat) = sigma_p^2 (n - 1)/(n - p - 1) (omitted features are
    noise); the oracle retrained on fresh data and the small model obey the same formula with
    sigma_S^2 and s."""
    D, p, n, s, sigma = 30, 20, 50, 8, 0.5
    lam = np.ones(D)
    beta = np.random.default_rng(9).standard_normal(D) / math.sqrt(D)
    out = simulate_linear(
        lam, beta, sigma, n, p, s, range(800), rules=("oracle",), retrain=("fresh",)
    )
    sigma_p2 = sigma**2 + float(np.sum(beta[p:] ** 2))
    mean, se = _mean_se([r["dense"] for r in out])
    assert abs(mean - sigma_p2 * (n - 1) / (n - p - 1)) < 4 * se
    support = oracle_support(lam[:p], beta[:p], s)
    sigma_s2 = sigma**2 + float(np.sum(beta**2) - np.sum(beta[support] ** 2))
    for key in ("retrain_fresh_oracle", "small"):
        mean, se = _mean_se([r[key] for r in out])
        assert abs(mean - sigma_s2 * (n - 1) / (n - s - 1)) < 4 * se, key


def test_oracle_fresh_retraining_anisotropic_overparameterized() -> None:
    """Fresh data on a fixed support S: E R = sigma_S^2 (n - 1)/(n - s - 1) for any diag Sigma."""
    lam, beta = _linear_problem(120, seed=10)
    n, p, s, sigma = 40, 100, 10, 0.3
    out = simulate_linear(
        lam,
        beta,
        sigma,
        n,
        p,
        s,
        range(1000, 1800),
        rules=("oracle",),
        retrain=("fresh",),
        small_model=False,
    )
    support = oracle_support(lam[:p], beta[:p], s)
    sigma_s2 = sigma**2 + float(np.sum(lam * beta**2) - np.sum(lam[support] * beta[support] ** 2))
    mean, se = _mean_se([r["retrain_fresh_oracle"] for r in out])
    assert abs(mean - sigma_s2 * (n - 1) / (n - s - 1)) < 4 * se


def test_min_norm_pure_noise_risk() -> None:
    """Isotropic, beta = 0, p > n: R = sigma^2 + ||beta_hat||^2 with exact mean
    sigma^2 (p - 1)/(p - n - 1); the asymptotic value sigma^2 kappa/(kappa - 1) within 5%."""
    n, p, sigma = 50, 150, 0.7
    out = simulate_linear(np.ones(p), np.zeros(p), sigma, n, p, 10, range(1000), rules=())
    mean, se = _mean_se([r["dense"] for r in out])
    assert abs(mean - sigma**2 * (p - 1) / (p - n - 1)) < 4 * se
    kappa = p / n
    assert mean == pytest.approx(sigma**2 * kappa / (kappa - 1), rel=0.05)


# ------------------------------------------------------------------------- random features


def test_kernel_and_mu1_match_monte_carlo_in_torch() -> None:
    """The model's kernel K(rho), evaluated in torch as the simulator does, against the
    Monte Carlo covariance of its activation; and mu1 = E[u phi(u)] (standard errors < 1e-3
    with 400k samples; tolerance 4e-3)."""
    config = rf_config(3, 6, 1, 1, 0.0, 1.0)
    angles = [0.0, 0.3, 1.0, math.pi / 2, 2.5, math.pi]
    R = torch.tensor([[math.cos(t), math.sin(t), 0.0] for t in angles], dtype=DTYPE)
    K = config.kernel((R @ R.T).clamp(-1, 1), torch)
    assert torch.allclose(K, K.T)
    assert torch.allclose(K.diagonal(), torch.full((6,), 0.5 - 1 / TWO_PI, dtype=DTYPE))
    assert K[0, 5].item() == pytest.approx(-1 / TWO_PI)  # rho = -1: E[phi(u) phi(-u)]
    x = torch.randn(400_000, 3, generator=torch.Generator().manual_seed(0), dtype=DTYPE)
    F = features(x, R, config)
    assert torch.allclose(F.T @ F / x.shape[0], K, atol=4e-3)
    assert (x[:, 0] * F[:, 0]).mean().item() == pytest.approx(config.mu1, abs=4e-3)


def test_random_features_risk_matches_test_set() -> None:
    """Exact R(b) vs the mean squared error on 200k fresh test points, within 1%."""
    d, p, n, sigma = 10, 40, 25, 0.3
    config = rf_config(d, p, n, 1, sigma, 1.0, feature_seed=3)
    R, theta = (torch.as_tensor(np.array(a)) for a in config.layers)
    X, y = sample_random_features(theta, sigma, n, torch.Generator().manual_seed(1))
    b = min_norm_least_squares(features(X, R)[None], y[None])
    exact = random_features_risk(config, b, R, theta, max_bytes=8 * p * 7).item()
    assert exact == pytest.approx(random_features_risk(config, b, R, theta).item(), rel=1e-12)
    gen = torch.Generator().manual_seed(2)
    errors = []
    for _ in range(4):
        x_test, y_test = sample_random_features(theta, sigma, 50_000, gen)
        errors.append((y_test - features(x_test, R) @ b[0]) ** 2)
    err = torch.cat(errors)
    mean, se = err.mean().item(), err.std().item() / math.sqrt(err.numel())
    assert mean == pytest.approx(exact, rel=0.01)
    assert abs(mean - exact) < 4 * se
    # the zero vector: the null risk sigma^2 + ||theta||^2
    zero = random_features_risk(config, torch.zeros(1, p, dtype=DTYPE), R, theta).item()
    assert zero == pytest.approx(sigma**2 + 1.0)


def test_random_features_simulation_wiring() -> None:
    d, p, n, s, sigma = 8, 50, 30, 10, 0.2
    out = rf_sim(d, p, n, s, sigma, 1.0, [5, 6], feature_seed=4, rules=("magnitude", "hessian"))
    config = rf_config(d, p, n, s, sigma, 1.0, feature_seed=4)
    R, theta = (torch.as_tensor(np.array(a)) for a in config.layers)

    def risk(b):
        return random_features_risk(config, b, R, theta).item()

    for seed, rec in zip([5, 6], out, strict=True):
        X, y = sample_random_features(theta, sigma, n, torch.Generator().manual_seed(seed))
        F = features(X, R)
        a_hat = min_norm_least_squares(F[None], y[None])
        assert rec["dense"] == pytest.approx(risk(a_hat), rel=1e-10)
        assert rec["train_residual"] < 1e-8
        kept = np.argsort(-np.abs(a_hat[0].numpy()), kind="stable")[:s]
        pruned = torch.zeros_like(a_hat)
        pruned[0, kept] = a_hat[0, kept]
        assert rec["prune_magnitude"] == pytest.approx(risk(pruned), rel=1e-10)
        small = torch.zeros_like(a_hat)
        small[0, :s] = min_norm_least_squares(F[None, :, :s], y[None])[0]
        assert rec["small"] == pytest.approx(risk(small), rel=1e-10)
        for mode in ("prune", "retrain_same", "retrain_fresh"):
            assert rec[f"{mode}_hessian"] == rec[f"{mode}_magnitude"]


def test_random_features_design_nested_and_normalized() -> None:
    R, theta = random_features_design(6, 40, 2.5, feature_seed=7)
    R_small, theta_small = random_features_design(6, 10, 2.5, feature_seed=7)
    np.testing.assert_allclose(np.linalg.norm(R, axis=1), 1.0, rtol=1e-14)
    assert np.linalg.norm(theta) == pytest.approx(2.5)
    np.testing.assert_array_equal(R[:10], R_small)
    np.testing.assert_array_equal(theta, theta_small)


def test_random_features_s_equals_p() -> None:
    for rec in rf_sim(5, 20, 15, 20, 0.1, 1.0, [0], retrain=("none", "same")):
        assert rec["prune_magnitude"] == rec["dense"]
        assert rec["retrain_same_magnitude"] == pytest.approx(rec["dense"], rel=1e-10)


# ------------------------------------------------------------------------------ validation


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"n": 0}, "n"),
        ({"s": 0}, "s"),
        ({"s": 11}, "s"),
        ({"p": 13}, "p"),
        ({"sigma": -1.0}, "sigma"),
        ({"sigma": float("nan")}, "sigma"),
        ({"lam": np.r_[np.ones(11), 0.0]}, "lam"),
        ({"beta": np.ones(5)}, "beta"),
        ({"rules": ("magnitude", "random")}, "rules"),
        ({"retrain": ("sometimes",)}, "retrain"),
        ({"seeds": [1.5]}, "seeds"),
        ({"seeds": [-1]}, "seeds"),
        ({"device": "tpu"}, "device"),
    ],
)
def test_linear_validation(kwargs: dict, name: str) -> None:
    """Bad regimes are refused when the design is built (the model's one validation layer);
    bad simulation options by the simulator."""
    args = {
        "lam": np.ones(12),
        "beta": np.ones(12),
        "sigma": 0.1,
        "n": 5,
        "p": 10,
        "s": 3,
        "seeds": [0],
    }
    args.update(kwargs)
    with pytest.raises(ValueError, match=name):
        simulate_linear(**args)


def test_solves_are_right_with_two_threads_at_sizes_where_batched_lu_is_not() -> None:
    """Batched min-norm least squares at n = 200 (the quick C1 size) with 2 intra-op threads:
    every solution satisfies its equations (torch's multi-threaded batched LU returns wrong
    solutions or fails there, pytorch/pytorch#142815); the square case too."""
    gen = torch.Generator().manual_seed(0)
    before = torch.get_num_threads()
    torch.set_num_threads(2)
    try:
        for n, k in ((200, 400), (200, 200), (400, 200)):
            A = torch.randn(20, n, k, dtype=torch.float64, generator=gen)
            y = torch.randn(20, n, dtype=torch.float64, generator=gen)
            b = min_norm_least_squares(A, y)
            normal = A.mT @ ((A @ b.unsqueeze(-1)).squeeze(-1) - y).unsqueeze(-1)
            assert normal.abs().max() < 1e-8, (n, k)  # A^T (A b - y) = 0
            if k >= n:
                assert ((A @ b.unsqueeze(-1)).squeeze(-1) - y).abs().max() < 1e-8, (n, k)
    finally:
        torch.set_num_threads(before)


def test_a_gram_that_is_not_positive_definite_is_a_fault() -> None:
    """Two identical rows with p > n: A A^T is singular; the trial reports a fault instead
    of a number (or an exception)."""
    A = torch.ones(1, 2, 3, dtype=torch.float64)
    assert torch.isnan(min_norm_least_squares(A, torch.ones(1, 2, dtype=torch.float64))).all()


def test_a_non_finite_trial_is_a_fault_not_a_number() -> None:
    """beta of size 1e200 overflows the risk (lam (b - beta)^2): every quantity of the trial
    is NaN and ``fault`` names the non-finite ones; a sane design reports no fault."""
    lam = np.ones(12)
    with np.errstate(over="ignore"):  # the design's own sums overflow too, on purpose
        bad = simulate_linear(lam, np.full(12, 1e200), 0.1, 5, 10, 3, [0, 1])
    assert all(r["fault"].startswith("non-finite: dense") for r in bad)
    assert all(math.isnan(r["dense"]) and math.isnan(r["small"]) for r in bad)
    good = simulate_linear(lam, np.ones(12), 0.1, 5, 10, 3, [0, 1])
    assert all(r["fault"] is None and math.isfinite(r["dense"]) for r in good)


def test_random_features_validation() -> None:
    with pytest.raises(ValueError, match="oracle"):
        rf_sim(5, 20, 10, 5, 0.1, 1.0, [0], rules=("oracle",))
    with pytest.raises(ValueError, match="s must be"):
        rf_sim(5, 20, 10, 21, 0.1, 1.0, [0])
    with pytest.raises(ValueError, match="theta_norm"):
        rf_sim(5, 20, 10, 5, 0.1, -1.0, [0])


# ---------------------------------------------------------------------------------- device


@pytest.mark.skipif(not torch.cuda.is_available(), reason="CUDA not available")
def test_cpu_and_cuda_agree() -> None:
    lam, beta = _linear_problem(120, seed=11)
    for n, p in ((30, 100), (60, 40)):
        cpu = simulate_linear(lam, beta, 0.3, n, p, 12, [1, 2], device="cpu")
        gpu = simulate_linear(lam, beta, 0.3, n, p, 12, [1, 2], device="cuda")
        _assert_records_close(gpu, cpu, rel=1e-8)
    rf_cpu = rf_sim(10, 80, 40, 15, 0.3, 1.0, [3, 4], device="cpu")
    rf_gpu = rf_sim(10, 80, 40, 15, 0.3, 1.0, [3, 4], device="cuda")
    _assert_records_close(rf_gpu, rf_cpu, rel=1e-8)
