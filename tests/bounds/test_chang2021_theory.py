"""Tests of the chang2021 theory code: closed forms vs solver, internal identities, limits,
small Monte Carlo checks, validation, and Hypothesis properties (marked ``property``)."""

from __future__ import annotations

import math
from types import SimpleNamespace

import numpy as np
import pytest
import sympy as sp
from hypothesis import assume, given
from hypothesis import strategies as st
from theorycheck.bounds.chang2021 import closed_forms as cf
from theorycheck.bounds.chang2021 import fixed_point, general, model, pruning, random_features
from theorycheck.bounds.chang2021.model import LinearConfig


def design(name: str, **params):
    """The arrays of a linear design (through its typed config)."""
    return LinearConfig(design=name, **params).design_arrays()


c = SimpleNamespace(  # the theory under test, by the names the tests below use
    RULES=model.RULES, MU1=model.MU1, MU_STAR2=model.MU_STAR2,
    L1=lambda **kw: design("L1", **kw),
    isotropic=lambda n, p, s, sigma, beta_norm=1.0: design(
        "isotropic", n=n, p=p, s=s, sigma=sigma, beta_norm=beta_norm),
    two_level=lambda n, p, s, sigma, k, lam1, lam2: design(
        "two_level", n=n, p=p, s=s, sigma=sigma, k=k, lam1=lam1, lam2=lam2),
    relu_kernel=random_features.feature_covariance,
    rf_equivalent=random_features.rf_equivalent,
    bias_variance=fixed_point.bias_variance, dense_risk=fixed_point.dense_risk,
    solve_xi=fixed_point.solve_xi, surrogate=fixed_point.surrogate,
    dense_risk_general=general.dense_risk_general,
    pruned_risk_general=general.pruned_risk_general,
    solve_xi_general=general.solve_xi_general,
    keep_probabilities=pruning.keep_probabilities, pruned_risk=pruning.pruned_risk,
    retrained_risk=pruning.retrained_risk, small_model_risk=pruning.small_model_risk,
)

# ---------------------------------------------------------------- closed forms vs the solver


@pytest.mark.parametrize("kappa", [1.25, 1.5, 2.0, 5.0, 20.0])
def test_isotropic_solver_matches_sympy(kappa: float) -> None:
    n, sigma, bnorm = 200, 0.7, 1.3
    d = c.isotropic(n, int(kappa * n), 10, sigma, beta_norm=bnorm)
    lam, beta, sp_ = d.model()
    xi_sym = cf.numeric(cf.isotropic_xi())(kappa=kappa)
    tau2_sym = cf.numeric(cf.isotropic_tau2())(kappa=kappa, sigma=sigma, b2=bnorm**2)
    assert c.solve_xi(lam, n) == pytest.approx(xi_sym, rel=1e-12)
    assert c.dense_risk(lam, beta, sp_, n) == pytest.approx(tau2_sym, rel=1e-12)


def test_isotropic_excess_is_hmrt_theorem_1() -> None:
    k, s, b2 = cf.kappa, cf.sigma, cf.b2
    hmrt = b2 * (1 - 1 / k) + s**2 / (k - 1)
    assert sp.simplify(cf.isotropic_excess_risk() - hmrt) == 0
    assert sp.simplify(cf.isotropic_xi() - (k - 1)) == 0


@pytest.mark.parametrize(
    ("n", "p", "k", "l1", "l2"),
    [(100, 150, 30, 4.0, 0.5), (50, 400, 10, 100.0, 0.01), (200, 201, 200, 1.0, 3.0)],
)
def test_two_level_closed_form_matches_solver(n: int, p: int, k: int, l1: float, l2: float) -> None:
    d = c.two_level(n, p, 5, 0.5, k, l1, l2)
    xi_sym = cf.numeric(cf.two_level_xi())(n=n, p=p, k=k, lambda_1=l1, lambda_2=l2)
    assert c.solve_xi(d.model()[0], n) == pytest.approx(xi_sym, rel=1e-10)


def test_sympy_limits() -> None:
    lim = cf.limits()
    assert lim["tau2_kappa_to_1_plus"] == sp.oo
    assert lim["tau2_kappa_to_1_minus"] == sp.oo
    assert sp.simplify(lim["tau2_kappa_to_oo"] - (cf.sigma**2 + cf.b2)) == 0
    assert sp.simplify(lim["excess_kappa_to_oo"] - cf.b2) == 0
    assert lim["xi_kappa_to_1_plus"] == 0


def test_numeric_rejects_wrong_arguments() -> None:
    with pytest.raises(ValueError, match="kappa"):
        cf.numeric(cf.isotropic_tau2())(kappa=2.0, sigma=1.0)


def test_solver_is_robust_for_wide_spectra_and_large_p() -> None:
    lam = 10.0 ** np.random.default_rng(9).uniform(-3, 3, 100_000)
    for n in (1, 30_000, 99_999):
        xi = c.solve_xi(lam, n)
        assert abs(np.sum(lam / (lam + xi)) - n) / n < 1e-12


def test_interpolation_threshold_keep_probabilities_use_limit_law() -> None:
    lam = np.linspace(0.5, 2.0, 50)
    prob = c.keep_probabilities(lam, np.ones(50), 0.5, 50, 10, "hessian")
    np.testing.assert_allclose(prob, 0.2)  # sqrt(lambda_i) beta_hat_i all have one scale
    assert c.pruned_risk(lam, np.ones(50), 0.5, 50, 10, "magnitude") == math.inf


# ---------------------------------------------------------------- limits, numerically


def test_dense_risk_blows_up_near_interpolation_threshold() -> None:
    n, sigma = 200, 0.5
    risks = []
    for p in (260, 220, 205, 201):
        lam, beta, sp_ = c.isotropic(n, p, 10, sigma).model()
        risks.append(c.dense_risk(lam, beta, sp_, n))
    assert all(a < b for a, b in zip(risks, risks[1:], strict=False))
    assert risks[-1] > 30 * risks[0]
    lam, beta, sp_ = c.isotropic(n, n, 10, sigma).model()
    assert c.dense_risk(lam, beta, sp_, n) == math.inf
    lam, beta, sp_ = c.isotropic(n, n - 1, 10, sigma).model()
    assert c.dense_risk(lam, beta, sp_, n) == math.inf  # finite-n expectation diverges
    assert c.dense_risk(lam, beta, sp_, n, finite_n=False) == pytest.approx(sigma**2 * n)


def test_dense_risk_tends_to_null_risk_as_kappa_grows() -> None:
    n, sigma = 10, 0.5
    lam, beta, sp_ = c.isotropic(n, 20_000, 10, sigma).model()
    null = sigma**2 + float(beta @ beta)
    assert c.dense_risk(lam, beta, sp_, n) == pytest.approx(null, rel=2e-3)


def test_underparameterized_finite_n_forms() -> None:
    n, p, sigma = 100, 30, 0.8
    lam = np.linspace(0.5, 3.0, p)
    beta = np.ones(p)
    assert c.dense_risk(lam, beta, sigma, n) == pytest.approx(sigma**2 * (n - 1) / (n - p - 1))
    assert c.dense_risk(lam, beta, sigma, n, finite_n=False) == pytest.approx(
        sigma**2 / (1 - p / n)
    )
    assert c.dense_risk(lam, beta, 0.0, n) == 0.0
    _, v = c.surrogate(lam, beta, sigma, n)
    np.testing.assert_allclose(v**2, sigma**2 / (lam * (n - p - 1)))


def test_underparameterized_matches_monte_carlo() -> None:
    rng = np.random.default_rng(1)
    n, p, sigma, reps = 30, 10, 0.7, 3000
    lam = np.linspace(0.5, 2.0, p)
    beta = rng.standard_normal(p)
    X = rng.standard_normal((reps, n, p)) * np.sqrt(lam)
    y = X @ beta + sigma * rng.standard_normal((reps, n))
    gram, xty = np.einsum("rni,rnj->rij", X, X), np.einsum("rni,rn->ri", X, y)
    bhat = np.linalg.solve(gram, xty[:, :, None])[:, :, 0]
    risk = sigma**2 + np.sum(lam * (bhat - beta) ** 2, axis=1)
    se = risk.std(ddof=1) / math.sqrt(reps)
    assert abs(risk.mean() - c.dense_risk(lam, beta, sigma, n)) < 4 * se


def test_overparameterized_matches_monte_carlo() -> None:
    rng = np.random.default_rng(2)
    n, p, sigma, reps = 100, 200, 0.5, 40
    lam, beta, sp_ = c.two_level(n, p, 10, sigma, 40, 2.0, 0.5).model()
    X = rng.standard_normal((reps, n, p)) * np.sqrt(lam)
    y = X @ beta + sp_ * rng.standard_normal((reps, n))
    alpha = np.linalg.solve(X @ X.transpose(0, 2, 1), y[:, :, None])
    bhat = (X.transpose(0, 2, 1) @ alpha)[:, :, 0]  # min-norm interpolator X^T (X X^T)^{-1} y
    risks = sp_**2 + np.sum(lam * (bhat - beta) ** 2, axis=1)
    # asymptotic formula: about 1-2% at this size, plus Monte Carlo error (about 2%)
    assert risks.mean() == pytest.approx(c.dense_risk(lam, beta, sp_, n), rel=0.06)


# ---------------------------------------------------------------- internal identities


@pytest.fixture(scope="module")
def l1_model() -> tuple[np.ndarray, np.ndarray, float]:
    return c.L1(p=400).model()


@pytest.mark.parametrize("rule", c.RULES)
def test_pruning_everything_is_dense(l1_model, rule: str) -> None:
    lam, beta, sp_ = l1_model
    assert c.pruned_risk(lam, beta, sp_, 200, lam.size, rule) == pytest.approx(
        c.dense_risk(lam, beta, sp_, 200), rel=1e-12
    )


@pytest.mark.parametrize("rule", c.RULES)
@pytest.mark.parametrize("s", [1, 50, 150, 399])
def test_keep_probabilities_sum_to_s(l1_model, rule: str, s: int) -> None:
    lam, beta, sp_ = l1_model
    prob = c.keep_probabilities(lam, beta, sp_, 200, s, rule)
    assert prob.sum() == pytest.approx(s, rel=1e-9)
    assert np.all((prob >= 0) & (prob <= 1))


def test_oracle_keeps_the_strong_features(l1_model) -> None:
    lam, beta, sp_ = l1_model
    d = c.L1(p=400)
    np.testing.assert_array_equal(d.oracle_support(), np.arange(150))
    prob = c.keep_probabilities(lam, beta, sp_, 200, 150, "oracle")
    np.testing.assert_array_equal(np.flatnonzero(prob), np.arange(150))


def test_fresh_oracle_retraining_is_small_model(l1_model) -> None:
    lam, beta, sp_ = l1_model
    support = c.L1(p=400).oracle_support()
    small = c.small_model_risk(lam, beta, sp_, 200, support)
    assert c.retrained_risk(lam, beta, sp_, 200, 150, "oracle") == small
    assert small == pytest.approx(sp_**2 * 199 / 49)  # all signal kept: sigma_S = sigma


def test_small_model_above_n_uses_fixed_point() -> None:
    lam, beta, sp_ = c.isotropic(100, 400, 300, 0.5).model()
    support = np.arange(300)
    expected = c.dense_risk(lam[:300], beta[:300], sp_, 100)
    assert c.small_model_risk(lam, beta, sp_, 100, support) == pytest.approx(expected)


def test_magnitude_equals_hessian_for_constant_spectrum() -> None:
    rng = np.random.default_rng(3)
    lam, beta = np.full(300, 2.5), rng.standard_normal(300) / 10
    for s in (20, 150):
        assert c.pruned_risk(lam, beta, 0.4, 120, s, "magnitude") == pytest.approx(
            c.pruned_risk(lam, beta, 0.4, 120, s, "hessian"), rel=1e-12
        )


@pytest.mark.parametrize("p", [40, 400])
def test_bias_variance_and_surrogate_add_up(p: int) -> None:
    lam, beta, sp_ = c.two_level(100, p, 5, 0.6, 20, 3.0, 0.3).model()
    bv = c.bias_variance(lam, beta, sp_, 100)
    assert bv["noise"] + bv["bias"] + bv["variance"] == pytest.approx(bv["tau2"], rel=1e-12)
    m, v = c.surrogate(lam, beta, sp_, 100)
    surrogate_risk = sp_**2 + np.sum(lam * ((m - beta) ** 2 + v**2))
    assert surrogate_risk == pytest.approx(bv["tau2"], rel=1e-12)


def test_pruning_to_oracle_beats_magnitude_without_noise_in_selection() -> None:
    lam, beta, sp_ = c.L1(p=400).model()
    risks = {r: c.pruned_risk(lam, beta, sp_, 200, 150, r) for r in c.RULES}
    assert risks["oracle"] < risks["hessian"] < risks["magnitude"]


# ---------------------------------------------------------------- general Sigma


def test_general_sigma_diagonal_agrees_with_diagonal_code(l1_model) -> None:
    lam, beta, sp_ = l1_model
    Sigma = np.diag(lam)
    assert c.solve_xi_general(Sigma, 200) == pytest.approx(c.solve_xi(lam, 200), rel=1e-14)
    assert c.dense_risk_general(Sigma, beta, sp_, 200) == pytest.approx(
        c.dense_risk(lam, beta, sp_, 200), rel=1e-12
    )
    for rule in ("magnitude", "hessian"):
        mean, se = c.pruned_risk_general(Sigma, beta, sp_, 200, 150, rule, n_mc=200, seed=4)
        assert abs(mean - c.pruned_risk(lam, beta, sp_, 200, 150, rule)) < 3 * se


def test_general_sigma_fresh_retraining_agrees_with_diagonal_code() -> None:
    lam, beta, sp_ = c.L1(p=300, s=100).model()
    mean, se = c.pruned_risk_general(
        np.diag(lam), beta, sp_, 200, 100, "magnitude", retrain="fresh", n_mc=100, seed=5
    )
    assert abs(mean - c.retrained_risk(lam, beta, sp_, 200, 100, "magnitude")) < 3 * se


def test_general_sigma_is_rotation_invariant() -> None:
    rng = np.random.default_rng(6)
    p, n = 120, 60
    lam = rng.uniform(0.2, 4.0, p)
    beta = rng.standard_normal(p) / math.sqrt(p)
    Q, _ = np.linalg.qr(rng.standard_normal((p, p)))
    Sigma = Q @ np.diag(lam) @ Q.T
    assert c.solve_xi_general(Sigma, n) == pytest.approx(c.solve_xi(lam, n), rel=1e-10)
    assert c.dense_risk_general(Sigma, Q @ beta, 0.3, n) == pytest.approx(
        c.dense_risk(lam, beta, 0.3, n), rel=1e-10
    )
    mean, se = c.pruned_risk_general(Sigma, Q @ beta, 0.3, n, p, n_mc=50)
    assert mean == pytest.approx(c.dense_risk(lam, beta, 0.3, n), abs=4 * se)


def test_general_sigma_fresh_oracle_has_correlated_omitted_noise() -> None:
    Sigma = np.array([[1.0, 0.5], [0.5, 1.0]])
    beta = np.array([1.0, 1.0])
    mean, se = c.pruned_risk_general(Sigma, beta, 0.0, 50, 1, "oracle", retrain="fresh")
    # best predictor on feature 0: coefficient 1.5, residual variance 3 - 1.5^2 = 0.75
    assert se == 0.0
    assert mean == pytest.approx(0.75 * 49 / 48)


# ---------------------------------------------------------------- random features


def test_rf_equivalent_model() -> None:
    rng = np.random.default_rng(7)
    d, p, sigma = 20, 60, 0.3
    R = rng.standard_normal((p, d))
    R /= np.linalg.norm(R, axis=1, keepdims=True)
    theta = rng.standard_normal(d)
    Sigma_f, beta_f, sigma_e = c.rf_equivalent(R, theta, sigma)
    np.testing.assert_allclose(Sigma_f, Sigma_f.T)
    assert np.linalg.eigvalsh(Sigma_f)[0] > 0
    assert sigma_e >= sigma
    np.testing.assert_allclose(np.diag(Sigma_f), c.MU1**2 + c.MU_STAR2)
    K = c.relu_kernel(R)
    np.testing.assert_allclose(np.diag(K), np.diag(Sigma_f))
    off = ~np.eye(p, dtype=bool)
    np.testing.assert_allclose(K[off], Sigma_f[off], atol=0.05)  # linearization, O(rho^2)


def test_relu_kernel_matches_monte_carlo() -> None:
    rng = np.random.default_rng(8)
    R = rng.standard_normal((4, 3))
    R /= np.linalg.norm(R, axis=1, keepdims=True)
    f = np.maximum(rng.standard_normal((400_000, 3)) @ R.T, 0.0) - 1 / math.sqrt(2 * math.pi)
    np.testing.assert_allclose(f.T @ f / f.shape[0], c.relu_kernel(R), atol=5e-3)


# ---------------------------------------------------------------- designs


def test_designs() -> None:
    d = c.L1(p=120, s=100)
    lam, beta, sp_ = d.model()
    assert lam.size == 120
    assert sp_**2 == pytest.approx(0.25 + float(np.sum(d.beta[120:] ** 2)))
    assert c.L1(p=400).model()[2] == 0.5
    iso = design("isotropic", n=100, p=200, s=20, sigma=0.5, beta_norm=2.0)
    assert np.linalg.norm(iso.beta) == pytest.approx(2.0)
    assert design("two_level", n=50, p=80, s=5, sigma=0.1, k=10, lam1=2, lam2=1).kappa == 1.6
    assert LinearConfig(p=400).s == 150 and LinearConfig(p=40).s == 40  # s = min(150, p)
    with pytest.raises(ValueError):
        iso.lam[0] = 3.0


# ---------------------------------------------------------------- validation


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"n": 0}, r"\bn\b"),
        ({"n": 2.5}, r"\bn\b"),
        ({"s": 0}, r"\bs\b"),
        ({"s": 41}, r"\bs\b.*\[1, 40\]"),
        ({"lam": -np.ones(40)}, "lam"),
        ({"lam": np.full(40, np.nan)}, "lam"),
        ({"beta": np.ones(39)}, "beta"),
        ({"sigma": -1.0}, "sigma"),
        ({"sigma": math.inf}, "sigma"),
        ({"rule": "random"}, "rule"),
    ],
)
def test_validation_names_the_parameter(kwargs: dict, match: str) -> None:
    args = {
        "lam": np.ones(40),
        "beta": np.ones(40),
        "sigma": 0.5,
        "n": 20,
        "s": 10,
        "rule": "magnitude",
    }
    args.update(kwargs)
    with pytest.raises(ValueError, match=match):
        c.pruned_risk(**args)


def test_retraining_without_formula_is_refused() -> None:
    lam, beta = np.ones(40), np.ones(40)
    with pytest.raises(ValueError, match="simulation-only"):
        c.retrained_risk(lam, beta, 0.5, 20, 10, "magnitude", protocol="same")
    with pytest.raises(ValueError, match="no formula"):
        c.retrained_risk(lam, beta, 0.5, 20, 30, "magnitude")
    with pytest.raises(ValueError, match="protocol"):
        c.retrained_risk(lam, beta, 0.5, 20, 10, "magnitude", protocol="other")
    with pytest.raises(ValueError, match="design must be one of"):
        design("L2", p=10)
    with pytest.raises(ValueError, match="support"):
        c.small_model_risk(lam, beta, 0.5, 20, np.array([0, 0]))
    with pytest.raises(ValueError, match="Sigma"):
        c.dense_risk_general(np.array([[1.0, 2.0], [2.0, 1.0]]), np.ones(2), 0.1, 5)


# ---------------------------------------------------------------- properties


@st.composite
def models(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray, float, int, int]:
    p = draw(st.integers(2, 60))
    n = draw(st.integers(1, 90).filter(lambda m: m not in (p, p + 1)))
    floats = st.floats(0.05, 20.0, allow_subnormal=False)
    lam = np.array(draw(st.lists(floats, min_size=p, max_size=p)))
    beta = np.array(
        draw(st.lists(st.floats(-2.0, 2.0, allow_subnormal=False), min_size=p, max_size=p))
    )
    sigma = draw(st.floats(0.0, 2.0, allow_subnormal=False))
    s = draw(st.integers(1, p))
    return lam, beta, sigma, n, s


@pytest.mark.property
@given(models())
def test_property_xi_solves_fixed_point(model) -> None:
    lam, _, _, n, _ = model
    xi = c.solve_xi(lam, n)
    if lam.size > n:
        assert abs(np.sum(lam / (lam + xi)) - n) / n < 1e-9
    else:
        assert xi == 0.0


@pytest.mark.property
@given(models())
def test_property_risks_at_least_noise(model) -> None:
    lam, beta, sigma, n, s = model
    tau2 = c.dense_risk(lam, beta, sigma, n)
    assert tau2 >= sigma**2 * (1 - 1e-12)
    for rule in c.RULES:
        assert c.pruned_risk(lam, beta, sigma, n, s, rule) >= sigma**2 * (1 - 1e-12) - 1e-300


@pytest.mark.property
@given(models(), st.sampled_from(c.RULES))
def test_property_full_pruning_is_dense(model, rule: str) -> None:
    lam, beta, sigma, n, _ = model
    dense = c.dense_risk(lam, beta, sigma, n)
    assert c.pruned_risk(lam, beta, sigma, n, lam.size, rule) == pytest.approx(
        dense, rel=1e-9, abs=1e-300
    )


@pytest.mark.property
@given(models(), st.sampled_from(c.RULES))
def test_property_keep_probabilities_sum_to_s(model, rule: str) -> None:
    lam, beta, sigma, n, s = model
    prob = c.keep_probabilities(lam, beta, sigma, n, s, rule)
    assert prob.sum() == pytest.approx(s, rel=1e-8)
    assert np.all((prob >= 0) & (prob <= 1))


@pytest.mark.property
@given(
    n=st.integers(1, 400),
    extra=st.integers(1, 2000),
    k_frac=st.floats(0.0, 1.0),
    l1=st.floats(0.05, 20.0),
    l2=st.floats(0.05, 20.0),
    sigma=st.floats(0.0, 2.0),
    b2=st.floats(0.0, 4.0),
)
def test_property_closed_forms_equal_solver(
    n: int, extra: int, k_frac: float, l1: float, l2: float, sigma: float, b2: float
) -> None:
    p = n + extra
    kappa = p / n
    iso = np.ones(p)
    beta = np.zeros(p)
    beta[0] = math.sqrt(b2)
    assert c.solve_xi(iso, n) == pytest.approx(cf.numeric(cf.isotropic_xi())(kappa=kappa))
    assert c.dense_risk(iso, beta, sigma, n) == pytest.approx(
        cf.numeric(cf.isotropic_tau2())(kappa=kappa, sigma=sigma, b2=b2), rel=1e-9
    )
    k = round(k_frac * p)
    assume(0 < k < p)
    lam = np.where(np.arange(p) < k, l1, l2)
    xi_sym = cf.numeric(cf.two_level_xi())(n=n, p=p, k=k, lambda_1=l1, lambda_2=l2)
    assert c.solve_xi(lam, n) == pytest.approx(xi_sym, rel=1e-9)
