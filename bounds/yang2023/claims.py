"""Claims of ``yang2023`` (paper file: shared/papers/yang2023.md), one per row of its table.

S1-S5 are the paper's statements (tag ``paper``); they are asserted under the theorem's
conditions (D6), so each S-verdict judges only its regimes inside D6 and shows the others
apart. D1, D2, D4, D5 are our reconstructions (tag ``derived``); their conditions are the
regimes of ``conditions.classify`` with the named constants, so a planted wrong regime or
exponent is caught as inconsistent.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import sympy as sp

from theorycheck.claims import Claim, Plot, Point, PointResult, budget_of
from theorycheck.comparisons import (
    AllOf,
    MonotoneComparison,
    OrderComparison,
    ProportionComparison,
    Subset,
    TransitionComparison,
    ValueComparison,
)
from theorycheck.figures import Region, TrajectoryPanel

from .budgets import BUDGETS, Budget
from .conditions import (
    BENIGN,
    classify,
    expected_dead_classes,
    predicted_test_error,
)
from .measurements import NETWORK
from .model import NetworkConfig
from .orders import ORDERS, exponent, path_exponent, predicted
from .symbols import PATH_T
from .symbols import q as q_symbol

PAPER = "yang2023"
DERIVATIONS = "docs/derivations/yang2023.md"
BASE = NetworkConfig()  # the model's defaults: K = 3, m = 20, n = 60, d = 1000, p = 0.5, ...
MILD_P = (0.7, 0.5)  # mild by classify() with the default constants (m p >= log(K d))
OVER_P = 0.008  # K m p = 0.48 <= C_over: over-pruned
OVER_STEPS = 30000  # memorizing noise through 8 kept coordinates per filter is slow
LOSS_RTOL = 0.5  # GD stops as soon as loss <= epsilon, so final losses sit just below it:
# "loss <= epsilon" is judged as loss <= 1.5 epsilon, which a network that did not converge fails
SMALL_ERROR = 0.1  # "generalizes well": test error at most this (a stated threshold)
OMEGA_ONE = 0.5  # an Omega~(1) coefficient: at least this (init scale is sigma_0 mu = 0.1)
ORDER_SLACK = 0.25  # allowance for polylog factors in an O~ slope
BOUNDARY_LEVEL = 0.3  # the benign/harmful transition: error of learnable classes crosses it


TRAJECTORY = (TrajectoryPanel("signal_per_class", "max_r gamma_{j,r,j} (weakest class)",
                              "symlog", "min"),
              TrajectoryPanel("zeta_max", "max zeta", "symlog"),
              TrajectoryPanel("omega_max", "max |omega|", "symlog"),
              TrajectoryPanel("train_loss", "training loss", "log"))


def net(trials: int, labels: Mapping[str, Any] | None = None, **overrides: Any) -> Point:
    """A network point: the model's defaults with ``overrides`` (eta: the model's default
    step), labelled with p, the pruning fraction and the signal kind."""
    if overrides.get("p", BASE.p) <= 0.02 and "steps" not in overrides:
        overrides["steps"] = OVER_STEPS
    cfg = NetworkConfig(**overrides)
    base_labels = {"p": cfg.p, "fraction": round(cfg.pruning_fraction, 6),
                   "signal": cfg.signal}
    return Point(cfg, trials, {**base_labels, **(labels or {})})


def budget(name: str) -> Budget:
    return budget_of(BUDGETS, name)


def theorem_conditions(pt: Point) -> tuple[bool, str]:
    """The D6 conditions (Cao et al. form with d -> p d), as ``classify`` evaluates them."""
    c = classify(pt.config.theory_params())
    return c["theorem_conditions_hold"] is True, (
        f"p={pt.config.p:g}, d={pt.config.d}: D6 conditions "
        f"{c['failed_theorem_conditions'] or c['unevaluated']} fail")


def in_regime(expected: str, constants: Mapping[str, float] | None = None
              ) -> Callable[[Point], tuple[bool, str]]:
    """Condition: ``classify`` (with ``constants``) puts the point in the ``expected`` regime."""

    def check(pt: Point) -> tuple[bool, str]:
        got = classify(pt.config.theory_params(), constants)["regime"]
        return got == expected, f"p={pt.config.p:g}: regime {got}, claim needs {expected}"

    return check


def sparse_mild(pr: PointResult) -> bool:
    return pr.label("signal") == "sparse" and \
        classify(pr.config.theory_params())["regime"] == "mild"


def regime_regions() -> list[Region]:
    """Predicted regimes (``classify``, default constants) as ranges of the pruning fraction."""
    ps = np.geomspace(0.002, 1.0, 400)
    names = [classify(BASE.replace(p=float(p)).theory_params())["regime"] for p in ps]
    regions, start = [], 0
    for i in range(1, len(ps) + 1):
        if i == len(ps) or names[i] != names[start]:
            regions.append(Region(names[start], 1 - float(ps[i - 1]), 1 - float(ps[start])))
            start = i
    return regions


def loss_and_error(error: float, relation: str, atol: float = 0.0) -> AllOf:
    """Training loss <= epsilon (up to LOSS_RTOL), and test error ``relation`` ``error``
    (within ``atol``)."""
    return AllOf([
        ValueComparison("train_loss", lambda pr: pr.config.epsilon, rtol=LOSS_RTOL,
                        relation="<=", x="p"),
        ValueComparison("test_error", lambda pr: error, atol=atol, rtol=0, relation=relation,
                        x="p")])


def regime_sweep(ps: tuple[float, ...]) -> Callable[[str], list[Point]]:
    """The sweep of a regime claim: BASE at each kept fraction p, regime_trials seeds."""
    return lambda b: [net(budget(b).regime_trials, p=p) for p in ps]


# ---- S1, D1: mild pruning ----------------------------------------------------------------

mild_points = regime_sweep(MILD_P)


def s1() -> Claim:
    eps = BASE.epsilon
    return Claim(
        PAPER, "S1", "Mild pruning: training converges and the network generalizes",
        f"Below a threshold on the pruning fraction, gradient descent drives the training loss "
        f"below epsilon = {eps:g} (judged: final loss <= {1 + LOSS_RTOL:g} epsilon) and the test "
        f"error is small (here: at most {SMALL_ERROR}).",
        "paper", "S1 (abstract and main theorem); mild points by D4 with default constants",
        NETWORK, mild_points, loss_and_error(SMALL_ERROR, "<="),
        conditions=theorem_conditions,
        plot=Plot("p", "value", ("test_error", "train_loss"), trajectories=TRAJECTORY))


def d1(ps: tuple[float, ...] = MILD_P, constants: Mapping[str, float] | None = None) -> Claim:
    """``ps`` and ``constants`` let a test plant a wrong regime (e.g. call p = 0.008 mild)."""
    return Claim(
        PAPER, "D1", "Signal learning under mild pruning",
        f"Under mild pruning every class learns its signal: min_j max_r gamma_(j,r,j) = "
        f"Omega~(1) (here: at least {OMEGA_ONE}, against an initialization scale "
        f"sigma_0 ||mu|| = {BASE.sigma_0 * BASE.mu:g}).",
        "derived", f"{DERIVATIONS} (D1)", NETWORK, regime_sweep(ps),
        ValueComparison("signal_learning", lambda pr: OMEGA_ONE, rtol=0, relation=">=", x="p"),
        conditions=in_regime("mild", constants), plot=Plot("p", "coefficient",
                                                           ("signal_learning",)))


# ---- S5, D2: over-pruning ----------------------------------------------------------------

def s5() -> Claim:
    eps, chance = BASE.epsilon, BASE.chance_level
    return Claim(
        PAPER, "S5", "Over-pruning: training still converges, test error at chance",
        f"At a large pruning fraction gradient descent still drives the training loss below "
        f"epsilon = {eps:g} (judged: final loss <= {1 + LOSS_RTOL:g} epsilon) by memorizing "
        f"noise, yet the test error is no better than random "
        f"guessing, 1 - 1/K = {chance:.3f} (tolerance 0.05).",
        "paper", f"S5; chance level 1 - 1/K from {DERIVATIONS} (D3)", NETWORK,
        regime_sweep((OVER_P,)),
        loss_and_error(chance, ">=", atol=0.05),
        conditions=theorem_conditions,
        plot=Plot("p", "value", ("test_error", "train_loss"), trajectories=TRAJECTORY))


def d2(p: float = OVER_P, constants: Mapping[str, float] | None = None) -> Claim:
    """``p`` and ``constants`` let a test plant a wrong regime."""
    ceiling = 3 * BASE.sigma_0 * BASE.mu
    return Claim(
        PAPER, "D2", "Noise memorization under over-pruning",
        f"Over-pruned, a network in which no class kept a learnable filter (all N_j+ = 0, the "
        f"mechanism of D2/D4) memorizes every training sample, min_i max_r zeta_(y_i,r,i) = "
        f"Omega~(1) (here: at least {OMEGA_ONE}; networks where some class kept a learnable "
        f"filter are D4's case and are left out), while signal learning stays at the "
        f"initialization scale (min_j max_r gamma_(j,r,j) <= 3 sigma_0 ||mu|| = {ceiling:g}).",
        "derived", f"{DERIVATIONS} (D2)", NETWORK, regime_sweep((p,)),
        AllOf([ValueComparison("memorization_all_dead", lambda pr: OMEGA_ONE, rtol=0,
                               relation=">=", x="p"),
               ValueComparison("signal_learning", lambda pr: ceiling, rtol=0, relation="<=",
                               x="p")]),
        conditions=in_regime("over-pruned", constants))


# ---- S4: the trend in the pruning fraction -------------------------------------------------

def s4() -> Claim:
    sparse_ps = (1.0, 0.85, 0.7, 0.5, 0.3, 0.2, 0.1, 0.05, 0.02, OVER_P)
    dense_ps = (1.0, 0.85, 0.7, 0.5)

    def sweep(b: str) -> list[Point]:
        t = budget(b).trend_trials
        return ([net(t, p=p) for p in sparse_ps]
                + [net(t, p=p, signal="dense") for p in dense_ps])

    return Claim(
        PAPER, "S4", "Test error falls as the pruning fraction grows (mild range)",
        "Inside the mild range, the test error is non-increasing in the pruning fraction "
        "1 - p (allowed rise 0.02 between neighbours). Judged on sparse signals (the paper's "
        "model); dense signals, where random pruning scales signal and noise alike, are "
        "drawn as the control, and points beyond the mild range show over-pruning.",
        "paper", "S4 (abstract)", NETWORK, sweep,
        Subset(MonotoneComparison("test_error", "fraction", "non-increasing", 0.02),
               sparse_mild, "sparse signals, mild range"),
        conditions=theorem_conditions,
        plot=Plot("fraction", "value", ("test_error", "train_loss"), panel="signal",
                  regions=regime_regions))


# ---- S2, S3: orders of the coefficient maxima ----------------------------------------------

def order_paths(b: str) -> list[Point]:
    """One-parameter paths (label ``path``); mu moves with sqrt(p d) sigma_n where needed so
    that the benign ratio n mu^q / (sigma_n sqrt(p d))^q stays fixed along the path."""
    bud = budget(b)
    k, t = bud.order_points, bud.order_trials
    c = BASE.mu / math.sqrt(BASE.p * BASE.d)
    pts = []
    for s0 in np.geomspace(0.003, 0.03, k):
        pts.append(net(t, {"path": "sigma_0", "sigma_0": float(s0)}, sigma_0=float(s0)))
    for mu in np.geomspace(10, 100, k):
        pts.append(net(t, {"path": "mu", "mu": float(mu)}, mu=float(mu)))
    for p in np.geomspace(0.1, 1.0, k):
        mu = c * math.sqrt(p * BASE.d)
        pts.append(net(t, {"path": "p"}, p=float(p), m=40, mu=float(mu)))
    for d in np.geomspace(300, 3000, k):
        mu = c * math.sqrt(BASE.p * d)
        pts.append(net(t, {"path": "d", "d": int(d)}, d=int(d), mu=float(mu)))
    for sn in np.geomspace(0.3, 3.0, k):
        pts.append(net(t, {"path": "sigma_n", "sigma_n": float(sn)}, sigma_n=float(sn),
                       mu=float(BASE.mu * sn)))
    return pts


PATHS = {  # parameter -> how the other parameters move with it (t is the swept value)
    "sigma_0": {"sigma_0": PATH_T},
    "mu": {"mu": PATH_T},
    "p": {"p": PATH_T, "mu": sp.sqrt(PATH_T)},
    "d": {"d": PATH_T, "mu": sp.sqrt(PATH_T)},
    "sigma_n": {"sigma_n": PATH_T, "mu": PATH_T},
}


def order_part(quantity: str, order: str, path: str, planted: float | None = None) -> Subset:
    expr = ORDERS[order].expr
    slope = float(path_exponent(expr, PATHS[path])) if planted is None else planted
    benign = path_exponent(BENIGN.lhs / BENIGN.rhs, PATHS[path])
    note = (f"d log({expr}) / d log {path} along {PATHS[path]} = {slope:g} (sympy); benign "
            f"ratio exponent along the path = {benign} (0: the path stays on one side)")
    return Subset(OrderComparison(quantity, path, slope, ORDER_SLACK, exponent_expr=note),
                  lambda pr, path=path: pr.label("path") == path, f"path in {path}")


def s2(planted: float | None = None) -> Claim:
    return Claim(
        PAPER, "S2", "Off-class signal correlations stay at sigma_0 ||mu||",
        "Under mild pruning, max_{j != k, r} |gamma_(j,r,k)| = O~(sigma_0 ||mu||): slope 1 in "
        "sigma_0 and in ||mu|| along one-parameter paths.",
        "paper", "S2 (main theorem); exponents derived by sympy from the order expression",
        NETWORK, lambda b: [pt for pt in order_paths(b) if pt.labels["path"] in ("sigma_0", "mu")],
        AllOf([order_part("gamma_off_max", "gamma_off_max", path, planted)
               for path in ("sigma_0", "mu")]),
        conditions=theorem_conditions)


def s3(planted: float | None = None) -> Claim:
    paths = ("p", "d", "sigma_0", "sigma_n")
    return Claim(
        PAPER, "S3", "Noise correlations stay at sigma_0 sigma_n sqrt(p d)",
        "Under mild pruning, max zeta and max |omega| = O~(sigma_0 sigma_n sqrt(p d)): slope "
        "1/2 in p and d, 1 in sigma_0 and sigma_n (p path with m = 40 so that classes keep "
        "their signal filters).",
        "paper", "S3 (main theorem); exponents derived by sympy from the order expression",
        NETWORK, lambda b: [pt for pt in order_paths(b) if pt.labels["path"] in paths],
        AllOf([order_part(quantity, quantity, path, planted)
               for quantity in ("zeta_max", "omega_max") for path in paths]),
        conditions=theorem_conditions)


# ---- D4: dead classes ----------------------------------------------------------------------

def d4() -> Claim:
    K, m = BASE.K, BASE.m

    def sweep(b: str) -> list[Point]:
        return [net(budget(b).count_trials, p=p) for p in (0.1, 0.05)]

    def per_trial_error(pr: PointResult) -> np.ndarray:
        return np.array([predicted_test_error(r["N_j_plus"], K) for r in pr.results])

    return Claim(
        PAPER, "D4", "Classes without a learnable filter are at chance",
        "With sparse signals, filter r of class j can learn mu_j only if it kept coordinate j "
        "and starts positive: N_j+ ~ Binomial(m, p/2), so a class is dead (N_j+ = 0) with "
        "probability (1 - p/2)^m (tolerance 0.15, Clopper-Pearson); the "
        "test error equals the mean over classes of 1 - 1/K for dead classes (N_j+ = 0) and "
        "0 for the others (tolerance 0.1), and dead classes are at chance (tolerance 0.15).",
        "derived", f"{DERIVATIONS} (D4)", NETWORK, sweep,
        AllOf([
            ProportionComparison("n_dead", K,
                                 lambda pr: expected_dead_classes(K, m, pr.label("p")) / K,
                                 atol=0.15, x="p"),
            ValueComparison("test_error", per_trial_error, atol=0.1, rtol=0, x="p"),
            ValueComparison("dead_class_error", lambda pr: pr.config.chance_level, atol=0.15,
                            rtol=0,
                            x="p"),
        ]),
        conditions=in_regime("in-between"),
        plot=Plot("p", "value", ("test_error", "dead_class_error", "n_dead")))


# ---- D5: the benign/harmful boundary -------------------------------------------------------

def boundary_points(b: str) -> list[Point]:
    bud = budget(b)
    mus = np.geomspace(1.0, 40.0, bud.boundary_mu_points)
    t = bud.boundary_trials
    pts = [net(t, {"curve": "p", "mu": float(mu)}, p=p, mu=float(mu))
           for p in (0.1, 0.2, 0.4, 1.0) for mu in mus]
    pts += [net(t, {"curve": "n", "n": n, "mu": float(mu)}, n=n, mu=float(mu))
            for n in (10, 20, 40, 100) for mu in mus]
    return pts


def d5(p_exponent: float | None = None, n_exponent: float | None = None) -> Claim:
    """The exponents default to sympy's; a test may plant wrong ones."""
    crit = ORDERS["mu_crit"].expr
    q = BASE.q
    e_p = float(exponent(crit, "p")) if p_exponent is None else p_exponent
    e_n = float(exponent(crit, "n").subs(q_symbol, q)) if n_exponent is None else n_exponent

    def location(param: str) -> Callable[[float], float]:
        def at(value: float) -> float:
            params = BASE.replace(**{param: value}).theory_params()
            return predicted("mu_crit", **{k: params[k] for k in ("d", "p", "n", "q",
                                                                   "sigma_n")})
        return at

    def part(curve: str, by: str, e: float) -> Subset:
        return Subset(TransitionComparison(
            "alive_error", "mu", by, BOUNDARY_LEVEL, e, slack=0.2,
            exponent_expr=f"d log mu_crit / d log {by} of {crit} (sympy, q = {q})",
            predicted_location=location(by)),
            lambda pr, curve=curve: pr.label("curve") == curve, f"curves in {by}")

    return Claim(
        PAPER, "D5", "The benign/harmful boundary moves as sqrt(p) and n^(-1/q)",
        "With sparse signals the critical signal strength is mu_crit ~ sigma_n sqrt(p d) "
        "n^(-1/q): the mu at which the test error of classes that kept a learnable filter "
        f"falls through {BOUNDARY_LEVEL} scales with slope 1/2 in p and -1/q in n (the "
        "constant C_2 cancels in the slopes).",
        "derived", f"{DERIVATIONS} (D5)", NETWORK, boundary_points,
        AllOf([part("p", "p", e_p), part("n", "n", e_n)]))


def claims() -> list[Claim]:
    """All claims of the paper, in order."""
    return [s1(), s2(), s3(), s4(), s5(), d1(), d2(), d4(), d5()]
