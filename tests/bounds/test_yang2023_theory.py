"""Tests of the ``yang2023`` theory: sympy exponents, conditions, regimes, D4 predictions."""

from __future__ import annotations

import math

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from theorycheck.bounds.yang2023 import conditions as cond
from theorycheck.bounds.yang2023.orders import ORDERS, exponent, path_exponent, predicted
from theorycheck.bounds.yang2023.symbols import (
    C_1,
    C_2,
    CONSTANT_DEFAULTS,
    PATH_T,
    SYMBOLS,
    K,
    d,
    m,
    mu,
    n,
    p,
    q,
    sigma_0,
    sigma_n,
)

# The simulation-notes regime of the paper file (K = 3, m = 20, n = 60, d = 1000, ...).
EXAMPLE = {
    "K": 3,
    "m": 20,
    "n": 60,
    "d": 1000,
    "p": 0.5,
    "mu": 10.0,
    "sigma_0": 0.01,
    "sigma_n": 1.0,
    "q": 3,
}
# A regime inside every D6 condition with the default constants (checked by hand below).
INSIDE = {
    "K": 3,
    "m": 20,
    "n": 20,
    "d": 1e7,
    "p": 1.0,
    "mu": 2000.0,
    "sigma_0": 1e-4,
    "sigma_n": 1.0,
    "q": 3,
    "eta": 1e-8,
}

t = PATH_T
c = sp.Symbol("c", positive=True)
half = sp.Rational(1, 2)


# ---------------------------------------------------------------- exponents (sympy)


@pytest.mark.parametrize("name", ["zeta_max", "omega_max"])
def test_s3_exponents(name: str) -> None:
    expr = ORDERS[name].expr
    assert ORDERS[name].provenance == "paper" and ORDERS[name].source == "S3"
    assert exponent(expr, p) == half
    assert exponent(expr, "d") == half
    assert exponent(expr, sigma_0) == 1
    assert exponent(expr, sigma_n) == 1
    assert exponent(expr, mu) == 0
    assert isinstance(exponent(expr, p), sp.Rational)


def test_s2_exponents() -> None:
    expr = ORDERS["gamma_off_max"].expr
    assert (ORDERS["gamma_off_max"].provenance, ORDERS["gamma_off_max"].source) == ("paper", "S2")
    assert exponent(expr, sigma_0) == 1
    assert exponent(expr, mu) == 1
    assert exponent(expr, p) == 0


def test_d1_d2_are_order_one() -> None:
    for name, source in (("gamma_signal_max", "D1"), ("zeta_memorized_max", "D2")):
        order = ORDERS[name]
        assert (order.kind, order.provenance, order.source) == ("Omega~", "derived", source)
        assert all(exponent(order.expr, s) == 0 for s in (p, d, n, mu))


def test_d5_exponents_sparse() -> None:
    expr = ORDERS["mu_crit"].expr
    assert exponent(expr, p) == half
    assert exponent(expr, d) == half
    assert exponent(expr, sigma_n) == 1
    assert exponent(expr, n) == -1 / q
    assert exponent(expr.subs(q, 3), n) == sp.Rational(-1, 3)
    assert exponent(expr.subs(q, 1), n) == -1


def test_d5_exponents_dense_control() -> None:
    expr = ORDERS["mu_crit_dense"].expr
    assert exponent(expr, p) == 0
    assert exponent(expr, d) == half
    assert exponent(expr.subs(q, 3), n) == sp.Rational(-1, 3)


def test_d5_is_solved_from_the_benign_relation() -> None:
    # mu_crit puts the benign condition at equality, and matches the paper file's closed form.
    for name, relation in (("mu_crit", cond.BENIGN), ("mu_crit_dense", cond.BENIGN_DENSE)):
        at_boundary = relation.lhs.subs(mu, ORDERS[name].expr) - relation.rhs
        assert sp.simplify(at_boundary) == 0
    by_hand = C_2 ** (1 / q) * sigma_n * sp.sqrt(p * d) * n ** (-1 / q)
    assert sp.simplify(ORDERS["mu_crit"].expr / by_hand) == 1
    by_hand_dense = C_2 ** (1 / q) * sigma_n * sp.sqrt(d) * n ** (-1 / q)
    assert sp.simplify(ORDERS["mu_crit_dense"].expr / by_hand_dense) == 1


def test_exponent_detects_a_wrong_prediction() -> None:
    # A planted wrong S3 (p instead of sqrt(p)) gives slope 1, which a check must reject.
    wrong = sigma_0 * sigma_n * sp.sqrt(d) * p
    assert exponent(wrong, p) == 1 != exponent(ORDERS["zeta_max"].expr, p)


@pytest.mark.parametrize("expr", [sp.log(d) * d, d + d**2, sp.exp(d)])
def test_exponent_rejects_non_power_laws(expr: sp.Expr) -> None:
    with pytest.raises(ValueError, match="not a power law"):
        exponent(expr, d)


def test_exponent_rejects_unknown_name() -> None:
    with pytest.raises(ValueError, match="unknown parameter"):
        exponent(ORDERS["zeta_max"].expr, "dim")


# ---------------------------------------------------------------- paths


def test_path_mu_scaled_with_sqrt_pd() -> None:
    path = {"p": t, "mu": c * sp.sqrt(t * d)}  # p = t, ||mu|| = c sqrt(p d)
    assert path_exponent(ORDERS["zeta_max"].expr, path) == half
    assert path_exponent(ORDERS["gamma_off_max"].expr, path) == half
    # the benign margin and mu / mu_crit stay constant along the path: one side of D5
    assert path_exponent(cond.BENIGN.lhs / cond.BENIGN.rhs, path) == 0
    assert path_exponent(ORDERS["mu_crit"].expr / mu, path) == 0
    # the same path in d
    path_d = {"d": t, "mu": c * sp.sqrt(p * t)}
    assert path_exponent(ORDERS["zeta_max"].expr, path_d) == half
    assert path_exponent(cond.BENIGN.lhs / cond.BENIGN.rhs, path_d) == 0
    # without scaling mu, the benign margin falls with slope -q/2 in p
    assert path_exponent(cond.BENIGN.lhs / cond.BENIGN.rhs, {p: t}) == -q / 2


def test_path_rejects_bad_paths() -> None:
    with pytest.raises(ValueError, match="moving parameter"):
        path_exponent(ORDERS["zeta_max"].expr, {"p": t, "mu": c * sp.sqrt(p * d)})
    with pytest.raises(ValueError, match="no path expression"):
        path_exponent(ORDERS["zeta_max"].expr, {"p": c})
    with pytest.raises(ValueError, match="sympy expression"):
        path_exponent(ORDERS["zeta_max"].expr, {"p": "t**2"})
    with pytest.raises(ValueError, match="not a power law"):
        path_exponent(ORDERS["zeta_max"].expr, {"p": t, "d": t + 1})


# ---------------------------------------------------------------- numeric evaluation


def test_predicted_hand_values() -> None:
    assert predicted("mu_crit", n=60, sigma_n=1, p=0.5, d=1000, q=3) == pytest.approx(
        math.sqrt(500) / 60 ** (1 / 3), rel=1e-12
    )
    assert predicted("mu_crit", constants={"C_2": 8.0}, n=60, sigma_n=1, p=0.5, d=1000, q=3) == (
        pytest.approx(2 * math.sqrt(500) / 60 ** (1 / 3), rel=1e-12)
    )
    assert predicted("zeta_max", sigma_0=0.01, sigma_n=1, p=0.5, d=1000) == pytest.approx(
        0.01 * math.sqrt(500), rel=1e-12
    )
    assert predicted("gamma_signal_max") == 1.0
    with pytest.raises(ValueError, match="unknown expression"):
        predicted("zeta")
    with pytest.raises(ValueError, match="missing"):
        predicted("zeta_max", sigma_0=0.01, p=0.5, d=1000)
    with pytest.raises(ValueError, match=r"p must be a finite number in \(0, 1\]"):
        predicted("zeta_max", sigma_0=0.01, sigma_n=1, p=1.5, d=1000)


@pytest.mark.parametrize(
    "bad",
    [{"p": 0.0}, {"p": 1.01}, {"d": -5}, {"n": float("nan")}, {"m": "20"}, {"dim": 3}],
)
def test_bad_parameters_raise(bad: dict) -> None:
    with pytest.raises(ValueError):
        cond.classify({**EXAMPLE, **bad})


def test_bad_constants_raise() -> None:
    with pytest.raises(ValueError, match="unknown constant"):
        cond.MILD_PRUNING.evaluate(EXAMPLE, {"C_9": 1.0})
    with pytest.raises(ValueError, match="must be > 0"):
        cond.MILD_PRUNING.evaluate(EXAMPLE, {"C_1": 0.0})


# ---------------------------------------------------------------- conditions


def test_condition_margins_hand_checked() -> None:
    params = {**EXAMPLE, "eta": 0.02}  # the paper file's eta = 0.5 m / max(mu^2, p d)
    mild = cond.MILD_PRUNING.evaluate(params)
    assert mild["value_lhs"] == pytest.approx(10.0)
    assert mild["value_rhs"] == pytest.approx(math.log(3000))
    assert mild["margin"] == pytest.approx(math.log(10 / math.log(3000)))
    assert mild["holds"] is True

    benign = cond.BENIGN.evaluate(params)
    assert benign["value_rhs"] == pytest.approx(500**1.5)
    assert benign["margin"] == pytest.approx(math.log(60_000 / 500**1.5))
    assert benign["holds"] is True

    over = cond.OVER_PRUNING.evaluate(params)  # "<=": margin = log(rhs / lhs)
    assert over["margin"] == pytest.approx(math.log(0.5 / 30))
    assert over["holds"] is False

    dim = cond.D_LARGE.evaluate(params)
    assert dim["value_rhs"] == pytest.approx(60**4 * math.log(1000))
    assert dim["margin"] == pytest.approx(math.log(500 / (60**4 * math.log(1000))))

    eta = cond.ETA_SMALL.evaluate(params)
    assert eta["value_rhs"] == pytest.approx(1 / 500)
    assert eta["margin"] == pytest.approx(-math.log(10))

    sig = cond.SIGMA0_SMALL.evaluate(params)
    assert sig["value_rhs"] == pytest.approx(1 / math.sqrt(500))
    assert sig["holds"] is True

    # a named constant moves the margin by exactly log(C)
    mild_c = cond.MILD_PRUNING.evaluate(params, {"C_1": 2.0})
    assert mild_c["margin"] == pytest.approx(mild["margin"] - math.log(2))
    assert mild_c["holds"] is False


def test_condition_relational_and_parameters() -> None:
    assert cond.MILD_PRUNING.relational == sp.Ge(m * p, C_1 * sp.log(K * d))
    assert isinstance(cond.ETA_SMALL.relational, sp.LessThan)
    assert cond.BENIGN.parameters == {"n", "mu", "q", "sigma_n", "p", "d"}
    assert all(c.provenance == "derived" for c in cond.CONDITIONS.values())
    with pytest.raises(ValueError, match="relation"):
        cond.Condition("x", m, n, "==", "bad")


def test_classify_example_is_mild_but_outside_theorem_conditions() -> None:
    # C_1 = 1: m p = 10 >= log(3000) = 8.0; C_2 = 1: benign ratio 60000 / 500^1.5 = 5.4;
    # D6 fails on the dimension: p d = 500 << n^4 log d = 9e7 (and would on eta).
    out = cond.classify(EXAMPLE)
    assert out["regime"] == "mild"
    assert out["theorem_conditions_hold"] is False
    assert out["theorem_regime"] == "outside-conditions"
    assert "d_large" in out["failed_theorem_conditions"]
    assert out["unevaluated"] == ["eta_small"]


@pytest.mark.parametrize(
    ("changes", "regime"),
    [
        ({"p": 0.005}, "over-pruned"),  # K m p = 0.3 <= C_over = 0.5
        ({"p": 0.02}, "in-between"),  # K m p = 1.2, m p = 0.4 < log(3000)
        ({"p": 0.1}, "in-between"),  # m p = 2 < log(3000)
        ({"p": 1.0}, "mild"),  # benign ratio 60000 / 1000^1.5 = 1.9 >= C_2 = 1
        ({"mu": 2.0}, "over-pruned"),  # benign fails: noise memorization
    ],
)
def test_classify_regimes(changes: dict, regime: str) -> None:
    assert cond.classify({**EXAMPLE, **changes})["regime"] == regime


def test_classify_benign_constant_moves_the_boundary() -> None:
    # With C_2 = 2 the unpruned network memorizes noise, as the prototype's p = 1 runs did.
    out = cond.classify({**EXAMPLE, "p": 1.0}, {"C_2": 2.0})
    assert out["regime"] == "over-pruned"
    assert any("noise memorization" in r for r in out["reasons"])


def test_classify_inside_theorem_conditions() -> None:
    out = cond.classify(INSIDE)
    assert out["theorem_conditions_hold"] is True
    assert out["regime"] == out["theorem_regime"] == "mild"
    without_eta = {k: v for k, v in INSIDE.items() if k != "eta"}
    assert cond.classify(without_eta)["theorem_conditions_hold"] is None
    with pytest.raises(ValueError, match="classify needs"):
        cond.classify({k: v for k, v in INSIDE.items() if k != "mu"})


# ---------------------------------------------------------------- D4 predictions


@pytest.mark.parametrize("positive_init", [True, False])
@pytest.mark.parametrize(("K_", "m_", "p_"), [(3, 20, 0.1), (5, 10, 0.3), (4, 40, 0.02)])
def test_expected_dead_classes_monte_carlo(K_: int, m_: int, p_: float, positive_init: bool):
    # Masks Bernoulli(p) and Gaussian initial weights, drawn directly; tolerance 4 standard
    # errors of the Monte Carlo mean (R = 20000 draws).
    rng = np.random.default_rng(20230101)
    reps = 20_000
    learnable = rng.random((reps, K_, m_)) < p_
    if positive_init:
        learnable &= rng.standard_normal((reps, K_, m_)) > 0
    dead = (learnable.sum(axis=2) == 0).sum(axis=1)
    se = dead.std(ddof=1) / math.sqrt(reps)
    predicted_dead = cond.expected_dead_classes(K_, m_, p_, positive_init=positive_init)
    assert abs(dead.mean() - predicted_dead) <= 4 * se
    # the other formula is rejected: the test can fail
    other = cond.expected_dead_classes(K_, m_, p_, positive_init=not positive_init)
    assert abs(dead.mean() - other) > 4 * se


def test_expected_dead_classes_symbolic() -> None:
    assert sp.simplify(cond.expected_dead_classes(K, m, p) - K * (1 - p / 2) ** m) == 0
    assert cond.expected_dead_classes(3, 20, 1.0, positive_init=False) == 0.0
    with pytest.raises(ValueError):
        cond.expected_dead_classes(3, 20, 0.0)


def test_predicted_test_error() -> None:
    assert cond.predicted_test_error([0, 3, 5], 3) == pytest.approx(2 / 9)
    assert cond.predicted_test_error([0, 0, 0], 3) == pytest.approx(2 / 3)
    assert cond.predicted_test_error([1, 1, 1, 1], 4) == 0.0
    with pytest.raises(ValueError, match="K = 3"):
        cond.predicted_test_error([0, 1], 3)
    with pytest.raises(ValueError, match="non-negative"):
        cond.predicted_test_error([0, -1, 2], 3)


# ---------------------------------------------------------------- properties

pos = st.floats(min_value=1e-3, max_value=1e3)
factor = st.floats(min_value=1.01, max_value=100.0)
keep = st.floats(min_value=1e-4, max_value=1.0)
count = st.integers(min_value=1, max_value=500)


def _regime(draw_p: float, n_: int, m_: int, d_: float, mu_: float, sig0: float) -> dict:
    return {
        "K": 3,
        "m": m_,
        "n": n_,
        "d": d_,
        "p": draw_p,
        "mu": mu_,
        "sigma_0": sig0,
        "sigma_n": 1.0,
        "q": 3,
        "eta": 1e-3,
    }


@pytest.mark.property
@settings(deadline=None)
@given(p_=keep, n_=count, m_=count, d_=st.integers(3, 10**7), mu_=pos, sig0=pos, f=factor)
def test_margins_monotone(p_, n_, m_, d_, mu_, sig0, f) -> None:
    """Integer parameters grow to ceil(value * f) > value (they stay integers: the theory
    validates them with the model's own specs)."""
    base = _regime(p_, n_, m_, d_, mu_, sig0)

    def margin(c: cond.Condition, **changes: float) -> float:
        grown = {k: math.ceil(v) if k in ("n", "m", "d", "K") else v for k, v in changes.items()}
        return c.evaluate({**base, **grown})["margin"]

    # d-condition: p d / log(d)^kappa_d grows in d once log d > kappa_d = 1 (d >= 3 here)
    assert margin(cond.D_LARGE, d=d_ * f) > margin(cond.D_LARGE)
    assert margin(cond.D_LARGE, n=n_ * f) < margin(cond.D_LARGE)
    # mild pruning: m p - C_1 log(K d) grows in p and m, falls in K and d
    assert margin(cond.MILD_PRUNING, m=m_ * f) > margin(cond.MILD_PRUNING)
    assert margin(cond.MILD_PRUNING, K=3 * f) < margin(cond.MILD_PRUNING)
    assert margin(cond.MILD_PRUNING, d=d_ * f) < margin(cond.MILD_PRUNING)
    assert margin(cond.OVER_PRUNING, m=m_ * f) < margin(cond.OVER_PRUNING)
    if p_ * f <= 1:
        assert margin(cond.MILD_PRUNING, p=p_ * f) > margin(cond.MILD_PRUNING)
        assert margin(cond.OVER_PRUNING, p=p_ * f) < margin(cond.OVER_PRUNING)
        assert margin(cond.BENIGN, p=p_ * f) < margin(cond.BENIGN)
        assert margin(cond.BENIGN_DENSE, p=p_ * f) == pytest.approx(margin(cond.BENIGN_DENSE))
        assert margin(cond.SIGMA0_SMALL, p=p_ * f) <= margin(cond.SIGMA0_SMALL)
    # benign: grows in mu and n, falls in d
    assert margin(cond.BENIGN, mu=mu_ * f) > margin(cond.BENIGN)
    assert margin(cond.BENIGN, n=n_ * f) > margin(cond.BENIGN)
    assert margin(cond.BENIGN, d=d_ * f) < margin(cond.BENIGN)
    # small-init and small-step conditions fall in sigma_0, eta
    assert margin(cond.SIGMA0_SMALL, sigma_0=sig0 * f) < margin(cond.SIGMA0_SMALL)
    assert margin(cond.ETA_SMALL, eta=1e-3 * f) < margin(cond.ETA_SMALL)
    assert margin(cond.ETA_SMALL, mu=mu_ * f) <= margin(cond.ETA_SMALL)


@pytest.mark.property
@settings(deadline=None)
@given(K_=st.integers(2, 50), m_=count, p_=keep, f=factor, positive_init=st.booleans())
def test_expected_dead_classes_range_and_monotone(K_, m_, p_, f, positive_init) -> None:
    dead = cond.expected_dead_classes(K_, m_, p_, positive_init=positive_init)
    assert 0.0 <= dead <= K_
    assert cond.expected_dead_classes(K_, m_ + 1, p_, positive_init=positive_init) <= dead
    if p_ * f <= 1:
        assert cond.expected_dead_classes(K_, m_, p_ * f, positive_init=positive_init) <= dead
    # keeping coordinate j is necessary for being learnable: fewer dead without positive_init
    assert cond.expected_dead_classes(K_, m_, p_, positive_init=False) <= dead + 1e-12


HAND = {  # the orders written out by hand, independently of their sympy expressions
    "gamma_off_max": lambda v, c2: v["sigma_0"] * v["mu"],
    "zeta_max": lambda v, c2: v["sigma_0"] * v["sigma_n"] * math.sqrt(v["p"] * v["d"]),
    "omega_max": lambda v, c2: v["sigma_0"] * v["sigma_n"] * math.sqrt(v["p"] * v["d"]),
    "gamma_signal_max": lambda v, c2: 1.0,
    "zeta_memorized_max": lambda v, c2: 1.0,
    "mu_crit": lambda v, c2: (c2 ** (1 / v["q"]) * v["sigma_n"] * math.sqrt(v["p"] * v["d"])
                              * v["n"] ** (-1 / v["q"])),
    "mu_crit_dense": lambda v, c2: (c2 ** (1 / v["q"]) * v["sigma_n"] * math.sqrt(v["d"])
                                    * v["n"] ** (-1 / v["q"])),
}


def test_every_order_has_a_hand_formula() -> None:
    assert set(HAND) == set(ORDERS)


@pytest.mark.property
@settings(deadline=None)
@given(
    name=st.sampled_from(sorted(ORDERS)),
    p_=keep,
    n_=count,
    d_=st.integers(2, 10**9),
    mu_=pos,
    sig0=pos,
    sign=pos,
    q_=st.sampled_from([1, 2, 3, 4]),
    c2=pos,
)
def test_predicted_matches_the_hand_formula(name, p_, n_, d_, mu_, sig0, sign, q_, c2) -> None:
    """``predicted`` (lambdify of the sympy order) against the order written by hand."""
    values = {"p": p_, "n": n_, "d": d_, "mu": mu_, "sigma_0": sig0, "sigma_n": sign, "q": q_}
    value = predicted(name, constants={"C_2": c2}, **values)
    assert value > 0
    assert value == pytest.approx(HAND[name](values, c2), rel=1e-12)


@pytest.mark.property
@settings(deadline=None)
@given(
    a=st.fractions(min_value=-5, max_value=5, max_denominator=12),
    b=st.fractions(min_value=-5, max_value=5, max_denominator=12),
)
def test_exponent_recovers_planted_powers(a, b) -> None:
    expr = sigma_n ** sp.Rational(b) * d ** sp.Rational(a) * p ** sp.Rational(b)
    assert exponent(expr, d) == sp.Rational(a)
    assert path_exponent(expr, {"d": t, "p": t**2}) == sp.Rational(a) + 2 * sp.Rational(b)


def test_constant_defaults_cover_every_constant_symbol() -> None:
    used = set().union(*((c.lhs - c.rhs).free_symbols for c in cond.CONDITIONS.values()))
    named = {s.name for s in used} - set(SYMBOLS)
    assert named == set(CONSTANT_DEFAULTS)
