"""Claims of ``yang2023`` (paper file: shared/papers/yang2023.md), one per row of its table.

S1-S5 are the paper's statements (tag ``paper``), asserted under the theorem's conditions
(D6). At the quick and full budgets their regimes are planned inside D6 with the default
constants (``plan``): the cheapest mild network from which d can grow a decade with every
condition holding, and paths from it; each verdict judges its regimes inside D6 and shows the
others apart. The over-pruned regime of S5 and D2 (d of about 4e8 inside D6) is drawn by the
statistics' exact law (``draws="wishart"``), whose cost does not grow with d. At the smoke
budget the regimes are at simulation scale (d = 1000), outside D6, shown but not judged.
D1, D2, D4, D5 are our reconstructions (tag ``derived``); D1 and D2 hold under D6 and their
``classify`` regime, D4 under its regime, D5 at simulation scale.

S2 and S3 are upper bounds (O~) and judged where they can fail: each path produces its
network at any value of its parameter, D6 says which ends stay open, and an open lower end
needs a slope of at least the exponent minus the allowance (a finite-size slack plus the
slope of a polylog factor log(d)^POLYLOG_POWER), an open upper end at most the exponent plus
it; a path closed at both ends cannot test the bound. S1, S5, D1 and D2 hold "with high
probability" and are judged per network (at least 1 - WHP_DELTA of them). The S-claims'
networks share their seeds (``seed_group``): networks that differ only in mu, sigma_n,
sigma_0, eta, p or d reuse one pass over the coordinates, and the order parts take each
seed's own slope.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from functools import cache
from typing import Any, Literal

import numpy as np
import sympy as sp

from theorycheck.claims import Claim, Plot, Point, PointResult, budget_of
from theorycheck.comparisons import (
    AllOf,
    MonotoneComparison,
    OrderComparison,
    PerNetworkComparison,
    ProportionComparison,
    Subset,
    TransitionComparison,
    ValueComparison,
)
from theorycheck.figures import Curve, Figure, RegimeFigure, RegimePoint, Region, TrajectoryPanel
from theorycheck.paths import Path, PathEnds

from .budgets import BUDGETS, Budget
from .conditions import BENIGN, D_LARGE, classify, expected_dead_classes, predicted_test_error
from .measurements import NETWORK
from .model import NetworkConfig
from .orders import ORDERS, exponent, path_exponent, predicted
from .plan import plan, plan_path
from .symbols import CONSTANT_DEFAULTS, PATH_T
from .symbols import q as q_symbol

PAPER = "yang2023"
DERIVATIONS = "docs/derivations/yang2023.md"
SIM = NetworkConfig(K=3, m=20, n=60, d=1000, p=0.5, mu=10.0, sigma_0=0.01)
"""Simulation scale (outside D6): the regime of the paper file's simulation notes."""
SIM_STEP = {"C_5": 0.1}
"""At simulation scale the step is 10 times the D6 bound (C_5 = 0.1; outside D6 anyway), the
notes' eta = 0.5 m / max(mu^2, sigma_n^2 p d) for m = 20, so that training ends in time."""
P_MILD = 0.7  # the S-claims' pruning: 30% of the weights pruned
S_GROUP = "yang2023-S"  # the S-claims' networks share their seeds
STEP_LIMIT = 20000  # T for planned networks (GD stops at epsilon long before)
OVER_P = 0.008  # simulation scale: K m p = 0.48 <= C_over, over-pruned
OVER_STEPS = 30000  # memorizing noise through 8 kept coordinates per filter is slow
LOSS_RTOL = 0.5  # GD stops as soon as loss <= epsilon, so final losses sit just below it:
# "loss <= epsilon" is judged as loss <= 1.5 epsilon, which a network that did not converge fails
SMALL_ERROR = 0.1  # "generalizes well": test error at most this (a stated threshold)
CHANCE_TOLERANCE = 0.05  # S5: "at chance" is test error >= 1 - 1/K - this
WHP_DELTA = 0.2  # "with high probability": the statement holds for at least 1 - WHP_DELTA of
# the networks (Clopper-Pearson; a stated choice: the abstracts give no delta)
OMEGA_ONE = 1.0  # an Omega~(1) coefficient: at least this and 3 sigma_0 ||mu|| (init scale)
INIT_MULTIPLE = 3.0
ORDER_SLACK = 0.1  # finite-size allowance on an O~ slope
POLYLOG_POWER = 1.0  # O~ hides log(d)^1 (its slope is added along paths that move d)
BOUNDARY_LEVEL = 0.3  # the benign/harmful transition: error of learnable classes crosses it
TRAJECTORY = (TrajectoryPanel("signal_per_class", "max_r gamma_{j,r,j} (weakest class)",
                              "symlog", "min"),
              TrajectoryPanel("zeta_max", "max zeta", "symlog"),
              TrajectoryPanel("omega_max", "max |omega|", "symlog"),
              TrajectoryPanel("train_loss", "training loss", "log"))


def budget(name: str) -> Budget:
    return budget_of(BUDGETS, name)


def at_scale(config: NetworkConfig, **changes: Any) -> NetworkConfig:
    """``config`` with ``changes``; at simulation scale (d = SIM.d) with the SIM_STEP step."""
    cfg = config.replace(**changes)
    if cfg.d <= SIM.d and "eta" not in changes:
        cfg = cfg.replace(eta=cfg.d6_bounds(SIM_STEP)[0])
    return cfg


def point(config: NetworkConfig, trials: int, seed_group: str | None = None,
          **labels: Any) -> Point:
    """A network point labelled with p, the pruning fraction and the signal kind."""
    base = {"p": config.p, "fraction": round(config.pruning_fraction, 6),
            "signal": config.signal}
    return Point(config, trials, {**base, **labels}, seed_group=seed_group)


@cache
def base(b: str) -> NetworkConfig:
    """The S-claims' regime at budget ``b``: the cheapest mild network (p = P_MILD) from which
    d can grow a decade inside D6 (``plan.plan_path``); simulation scale for smoke."""
    if not budget(b).in_d6:
        return at_scale(SIM, p=P_MILD)
    planned = plan_path(1.0, p=P_MILD).params
    keep = ("K", "m", "n", "d", "p", "mu", "sigma_n", "q")
    return NetworkConfig(**{k: planned[k] for k in keep}, steps=STEP_LIMIT)


def over(b: str) -> NetworkConfig:
    """The over-pruned regime: planned inside D6 (d is about 4e8; the planner draws its
    statistics by their law, ``draws="wishart"``), or at simulation scale (smoke)."""
    if not budget(b).over_in_d6:
        return at_scale(SIM, p=OVER_P, steps=OVER_STEPS)
    planned = plan("over-pruned").params
    keep = ("K", "m", "n", "d", "p", "mu", "sigma_n", "q", "draws")
    return NetworkConfig(**{k: planned[k] for k in keep}, steps=5 * STEP_LIMIT)


def fixed_init(config: NetworkConfig) -> NetworkConfig:
    """The config with sigma_0 fixed at the D6 bound of ``config`` (a path's most restrictive
    end): sigma_0 then stays put along the path while every point keeps D6."""
    return config.replace(sigma_0=config.init_scale)


# ---- conditions ----------------------------------------------------------------------------

def theorem_conditions(constants: Mapping[str, float] | None = None
                       ) -> Callable[[Point], tuple[bool, str]]:
    """The D6 conditions (Cao et al. form with d -> p d), as ``classify`` evaluates them."""

    def check(pt: Point) -> tuple[bool, str]:
        c = classify(pt.config.theory_params(), constants)
        return c["theorem_conditions_hold"] is True, (
            f"p={pt.config.p:g}, d={pt.config.d}: D6 conditions "
            f"{c['failed_theorem_conditions'] or c['unevaluated']} fail")

    return check


def in_regime(expected: str, constants: Mapping[str, float] | None = None,
              with_d6: bool = True) -> Callable[[Point], tuple[bool, str]]:
    """Condition: ``classify`` (with ``constants``) puts the point in the ``expected`` regime,
    and (``with_d6``) inside the D6 conditions."""
    d6 = theorem_conditions(constants)

    def check(pt: Point) -> tuple[bool, str]:
        got = classify(pt.config.theory_params(), constants)["regime"]
        ok, note = d6(pt) if with_d6 else (True, "")
        inside = got == expected and ok
        return inside, "; ".join(filter(None, [
            f"p={pt.config.p:g}: regime {got}, claim needs {expected}" if got != expected
            else "", "" if ok else note])) or f"inside: regime {got}"

    return check


def d6_plane(points: list[Point]) -> list[Figure]:
    """The simulated regimes against D6's dimension condition: p d against its right side
    C_3 m^alpha_dm n^alpha_dn log(d)^kappa_d (the condition holds above the diagonal)."""
    c = CONSTANT_DEFAULTS
    shown, seen = [], set()
    for pt in points:
        cfg = pt.config
        key = (cfg.d, cfg.p, cfg.n, cfg.m)
        if key in seen:
            continue
        seen.add(key)
        rhs = c["C_3"] * cfg.m ** c["alpha_dm"] * cfg.n ** c["alpha_dn"] * math.log(
            cfg.d) ** c["kappa_d"]
        holds = classify(cfg.theory_params())["theorem_conditions_hold"] is True
        shown.append(RegimePoint(rhs, cfg.p * cfg.d, f"n={cfg.n} d={cfg.d:.3g} p={cfg.p:g}",
                                 holds))
    if not shown:
        return []
    lo = min(min(s.x, s.y) for s in shown) / 3
    hi = max(max(s.x, s.y) for s in shown) * 3
    return [RegimeFigure(f"simulated regimes against D6's condition {D_LARGE.name}",
                         "C_3 m^a n^b log(d)^k (right side)", "p d (left side)", shown,
                         [Curve("boundary p d = right side", [lo, hi], [lo, hi])],
                         name="d6-plane")]


# ---- S1, D1: mild pruning ----------------------------------------------------------------

def mild_points(b: str) -> list[Point]:
    """The mild regime, regime_trials seeds of the S group (trajectories recorded)."""
    return [point(base(b), budget(b).regime_trials, S_GROUP)]


def loss_and_error(error: Callable[[PointResult], float], relation: Literal["<=", ">="],
                   atol: float = 0.0) -> AllOf:
    """Per network (the theorem holds with high probability, not on average): training
    loss <= (1 + LOSS_RTOL) epsilon, and test error ``relation`` ``error`` (within
    ``atol``), each for at least 1 - WHP_DELTA of the networks."""
    sign = 1.0 if relation == "<=" else -1.0
    return AllOf([
        PerNetworkComparison("train_loss", "<=",
                             lambda pr: (1 + LOSS_RTOL) * pr.config.epsilon, WHP_DELTA, x="p"),
        PerNetworkComparison("test_error", relation, lambda pr: error(pr) + sign * atol,
                             WHP_DELTA, x="p")])


def s1() -> Claim:
    eps = SIM.epsilon
    return Claim(
        PAPER, "S1", "Mild pruning: training converges and the network generalizes",
        f"Below a threshold on the pruning fraction, gradient descent drives the training loss "
        f"below epsilon = {eps:g} (judged: final loss <= {1 + LOSS_RTOL:g} epsilon) and the test "
        f"error is small (here: at most {SMALL_ERROR}), with high probability (judged per "
        f"network: each holds for at least {1 - WHP_DELTA:g} of the networks).",
        "paper", "S1 (abstract and main theorem); the mild regime planned inside D6",
        NETWORK, mild_points, loss_and_error(lambda pr: SMALL_ERROR, "<="),
        conditions=theorem_conditions(),
        plot=Plot("p", "value", ("test_error", "train_loss"), trajectories=TRAJECTORY),
        figures=d6_plane)


def learned(pr: PointResult) -> float:
    """D1's threshold for Omega~(1): OMEGA_ONE and INIT_MULTIPLE sigma_0 ||mu||."""
    return max(OMEGA_ONE, INIT_MULTIPLE * pr.config.init_scale * pr.config.mu)


def d1(points: Callable[[str], list[Point]] = mild_points,
       constants: Mapping[str, float] | None = None) -> Claim:
    """``points`` and ``constants`` let a test plant a wrong regime."""
    return Claim(
        PAPER, "D1", "Signal learning under mild pruning",
        f"Under mild pruning (inside D6) every class learns its signal: min_j max_r "
        f"gamma_(j,r,j) = Omega~(1) (here: at least {OMEGA_ONE} and {INIT_MULTIPLE:g} times the "
        "initialization scale sigma_0 ||mu||), in at least "
        f"{1 - WHP_DELTA:g} of the networks.",
        "derived", f"{DERIVATIONS} (D1)", NETWORK, points,
        PerNetworkComparison("signal_learning", ">=", learned, WHP_DELTA, x="p"),
        conditions=in_regime("mild", constants),
        plot=Plot("p", "coefficient", ("signal_learning",)), figures=d6_plane)


# ---- S5, D2: over-pruning ----------------------------------------------------------------

def over_points(b: str) -> list[Point]:
    return [point(over(b), budget(b).over_trials)]


def s5() -> Claim:
    eps, chance = SIM.epsilon, SIM.chance_level
    return Claim(
        PAPER, "S5", "Over-pruning: training still converges, test error at chance",
        f"At a large pruning fraction gradient descent still drives the training loss below "
        f"epsilon = {eps:g} (judged: final loss <= {1 + LOSS_RTOL:g} epsilon) by memorizing "
        f"noise, yet the test error is no better than random guessing, 1 - 1/K = "
        f"{chance:.3f} (tolerance {CHANCE_TOLERANCE:g}), each for at least "
        f"{1 - WHP_DELTA:g} of the networks.",
        "paper", f"S5; chance level 1 - 1/K from {DERIVATIONS} (D3)", NETWORK, over_points,
        loss_and_error(lambda pr: pr.config.chance_level, ">=", atol=CHANCE_TOLERANCE),
        conditions=theorem_conditions(),
        plot=Plot("p", "value", ("test_error", "train_loss"), trajectories=TRAJECTORY),
        figures=d6_plane)


def d2(points: Callable[[str], list[Point]] = over_points,
       constants: Mapping[str, float] | None = None) -> Claim:
    """``points`` and ``constants`` let a test plant a wrong regime."""
    return Claim(
        PAPER, "D2", "Noise memorization under over-pruning",
        f"Over-pruned (inside D6), a network in which no class kept a learnable filter (all "
        f"N_j+ = 0, the mechanism of D2/D4) memorizes every training sample, min_i max_r "
        f"zeta_(y_i,r,i) = Omega~(1) (here: at least {OMEGA_ONE}; networks where some class "
        f"kept a learnable filter are D4's case and are left out), while signal learning stays "
        f"at the initialization scale (min_j max_r gamma_(j,r,j) <= {INIT_MULTIPLE:g} sigma_0 "
        f"||mu||), each in at least {1 - WHP_DELTA:g} of the networks.",
        "derived", f"{DERIVATIONS} (D2)", NETWORK, points,
        AllOf([PerNetworkComparison("memorization_all_dead", ">=", OMEGA_ONE, WHP_DELTA,
                                    x="p"),
               PerNetworkComparison(
                   "signal_learning", "<=",
                   lambda pr: INIT_MULTIPLE * pr.config.init_scale * pr.config.mu, WHP_DELTA,
                   x="p")]),
        conditions=in_regime("over-pruned", constants), figures=d6_plane)


# ---- S4: the trend in the pruning fraction -------------------------------------------------

TREND_P = (1.0, 0.85, P_MILD)


def trend_points(b: str) -> list[Point]:
    """Sparse signals at the S regime for p in TREND_P (sigma_0 fixed at its bound at p = 1),
    and dense signals at simulation scale, the control (outside D6: shown apart)."""
    t = budget(b).trend_trials
    start = fixed_init(base(b).replace(p=1.0))
    sparse = [point(start.replace(p=p), t, S_GROUP) for p in TREND_P]
    dense = [point(at_scale(SIM, p=p, signal="dense"), t) for p in TREND_P]
    return sparse + dense


def sparse_mild(pr: PointResult) -> bool:
    return pr.label("signal") == "sparse" and \
        classify(pr.config.theory_params())["regime"] == "mild"


def regime_regions(points: list[Point]) -> list[Region]:
    """Predicted regimes (``classify``, default constants) as ranges of the pruning fraction,
    at the sparse points' regime."""
    config = next(pt.config for pt in points if pt.config.signal == "sparse")
    ps = np.geomspace(0.002, 1.0, 400)
    names = [classify(config.replace(p=float(p)).theory_params())["regime"] for p in ps]
    out, start = [], 0
    for i in range(1, len(ps) + 1):
        if i == len(ps) or names[i] != names[start]:
            out.append(Region(names[start], 1 - float(ps[i - 1]), 1 - float(ps[start])))
            start = i
    return out


def s4() -> Claim:
    return Claim(
        PAPER, "S4", "Test error falls as the pruning fraction grows (mild range)",
        "Inside the mild range, the test error is non-increasing in the pruning fraction "
        "1 - p (allowed rise 0.02 between neighbours). Judged on sparse signals (the paper's "
        "model) inside D6; dense signals, where random pruning scales signal and noise alike, "
        "are drawn as the control.",
        "paper", "S4 (abstract)", NETWORK, trend_points,
        Subset(MonotoneComparison("test_error", "fraction", "non-increasing", 0.02),
               sparse_mild, "sparse signals, mild range"),
        conditions=theorem_conditions(),
        plot=Plot("fraction", "value", ("test_error", "train_loss"), panel="signal",
                  regions=regime_regions),
        figures=d6_plane)


# ---- S2, S3: orders of the coefficient maxima ----------------------------------------------

PATHS = {  # parameter -> how the other parameters move with it (t is the swept value)
    "sigma_0": {"sigma_0": PATH_T},
    "mu": {"mu": PATH_T},
    "p": {"p": PATH_T, "mu": sp.sqrt(PATH_T)},
    "d": {"d": PATH_T, "mu": sp.sqrt(PATH_T)},
}


@cache
def _movers(name: str) -> dict[str, Callable[[float], float]]:
    """How the other parameters of the path ``name`` scale with its factor t (``PATHS``)."""
    return {param: sp.lambdify(PATH_T, expr, "math") for param, expr in PATHS[name].items()
            if param != name}


def moved(start: NetworkConfig, name: str, value: float) -> NetworkConfig:
    """The path ``name`` from ``start`` at ``value`` of its parameter: the parameter set to
    ``value`` (rounded for an integer one), every other moving parameter scaled by its
    ``PATHS`` expression at t = value / start's value (the one definition of the path, that
    sympy's exponents along it read too)."""
    x0 = getattr(start, name)
    v: float = int(round(value)) if isinstance(x0, int) else float(value)
    t = v / x0
    return start.replace(**{name: v}, **{param: getattr(start, param) * float(f(t))
                                         for param, f in _movers(name).items()})


def _path(name: str, start: NetworkConfig, values: Sequence[float], trials: int) -> Path:
    """The path ``name`` through ``start`` (its network at the first value), swept over
    ``values``; it produces its network at any value. No test error (no second pass)."""
    def at(v: float) -> Point:
        return point(moved(start, name, v).replace(test="none"), trials, S_GROUP, path=name,
                     **{name: float(v)})

    return Path(name, name, [float(v) for v in values], at)


@cache
def order_paths(b: str) -> dict[str, Path]:
    """One-parameter paths from the S regime, each a decade long, with every D6 condition
    holding along the whole grid (``plan_path`` sized n and m for the d path's end): mu moves
    with sqrt(p d) sigma_n where needed to keep the benign ratio; sigma_0 is fixed at the
    path's most restrictive D6 bound (so that only the swept parameter moves the bound);
    eta is each point's own D6 bound. Each path produces its network at any value of its
    parameter, so that its open ends can be read off the D6 conditions (:func:`path_ends`).

    The sigma_n path of earlier versions is gone: by the model's scale invariance
    (``invariances.canonical``) it ran the sigma_0 path's networks again."""
    bud = budget(b)
    k, t, cfg = bud.order_points, bud.order_trials, base(b)
    grid = np.geomspace(1.0, 10.0, k)
    ds = np.round(cfg.d * grid).astype(int)
    end = moved(cfg, "d", int(ds[-1]))
    paths = {"d": _path("d", cfg.replace(sigma_0=end.init_scale), ds, t)}
    bound = cfg.init_scale
    paths["sigma_0"] = _path("sigma_0", cfg.replace(sigma_0=bound / 10), bound * grid / 10, t)
    mus = cfg.mu * grid
    top = cfg.replace(mu=float(mus[-1])).init_scale
    paths["mu"] = _path("mu", cfg.replace(sigma_0=top), mus, t)
    if bud.p_path:
        low = plan("mild", p=P_MILD / 10, K=cfg.K, n=cfg.n).params
        start = cfg.replace(p=P_MILD / 10, m=low["m"], d=low["d"], mu=low["mu"])
        ps = start.p * grid
        top_p = moved(start, "p", float(ps[-1])).init_scale
        paths["p"] = _path("p", start.replace(sigma_0=top_p), ps, t)
    return paths


def path_points(b: str, names: tuple[str, ...]) -> list[Point]:
    """The swept points of the named paths (those the budget has)."""
    paths = order_paths(b)
    return [pt for name in names if name in paths for pt in paths[name].points()]


def path_ends(name: str) -> Callable[[list[PointResult]], PathEnds]:
    """The ends of the path ``name`` through measured points: the path rebuilt from its
    first point, with D6 evaluated out to six decades beyond each end of the grid."""
    def ends(results: list[PointResult]) -> PathEnds:
        first = min(results, key=lambda pr: float(pr.label(name)))
        values = sorted(float(pr.label(name)) for pr in results)
        return _path(name, first.config, values, 1).ends(theorem_conditions())

    return ends


def order_part(quantity: str, order: str, path: str, planted: float | None = None) -> Subset:
    expr = ORDERS[order].expr
    slope = float(path_exponent(expr, PATHS[path])) if planted is None else planted
    benign = path_exponent(BENIGN.lhs / BENIGN.rhs, PATHS[path])
    note = (f"d log({expr}) / d log {path} along {PATHS[path]} = {slope:g} (sympy); benign "
            f"ratio exponent along the path = {benign} (0: the path stays on one side)")
    polylog = (POLYLOG_POWER, "d") if path == "d" else None

    def predict(pr: PointResult) -> float:
        return predicted(order, **pr.config.theory_params())

    return Subset(OrderComparison(quantity, path, slope, ORDER_SLACK, bound="O~",
                                  polylog=polylog, exponent_expr=note, ends=path_ends(path),
                                  predict=predict),
                  lambda pr, path=path: pr.label("path") == path, f"path in {path}")


def s2(planted: float | None = None) -> Claim:
    return Claim(
        PAPER, "S2", "Off-class signal correlations stay at sigma_0 ||mu||",
        f"Under mild pruning, max_(j != k, r) |gamma_(j,r,k)| = O~(sigma_0 ||mu||): along "
        f"decade-long paths in sigma_0 and in ||mu|| inside D6, judged at the paths' open "
        f"ends (D6 bounds both from above only: towards 0 the slope must be at least "
        f"1 - {ORDER_SLACK}, or the bound fails there).",
        "paper", "S2 (main theorem); exponents derived by sympy from the order expression",
        NETWORK, lambda b: path_points(b, ("sigma_0", "mu")),
        AllOf([order_part("gamma_off_max", "gamma_off_max", path, planted)
               for path in ("sigma_0", "mu")]),
        conditions=theorem_conditions(), figures=d6_plane)


def s3(planted: float | None = None) -> Claim:
    paths = ("p", "d", "sigma_0")
    return Claim(
        PAPER, "S3", "Noise correlations stay at sigma_0 sigma_n sqrt(p d)",
        f"Under mild pruning, max zeta and max |omega| = O~(sigma_0 sigma_n sqrt(p d)): along "
        f"decade-long paths inside D6 (exponents 1/2 in d, plus the slope of "
        f"log(d)^{POLYLOG_POWER:g}, and in p; 1 in sigma_0; slack {ORDER_SLACK}), judged at "
        "each path's open ends (an open lower end needs the slope at least the exponent minus "
        "the allowance, an open upper end at most it plus the allowance; closed at both: "
        "not testable). The path in p needs m of about 10 log(K d) and runs in the full "
        "budget.",
        "paper", "S3 (main theorem); exponents derived by sympy from the order expression",
        NETWORK, lambda b: path_points(b, paths),
        AllOf([order_part(quantity, quantity, path, planted)
               for quantity in ("zeta_max", "omega_max") for path in paths]),
        conditions=theorem_conditions(), figures=d6_plane)


# ---- D4: dead classes ----------------------------------------------------------------------

def d4() -> Claim:
    K, m = SIM.K, SIM.m

    def sweep(b: str) -> list[Point]:
        return [point(at_scale(SIM, p=p), budget(b).count_trials) for p in (0.1, 0.05)]

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
                            rtol=0, x="p"),
        ]),
        conditions=in_regime("in-between", with_d6=False),
        plot=Plot("p", "value", ("test_error", "dead_class_error", "n_dead")))


# ---- D5: the benign/harmful boundary -------------------------------------------------------

def boundary_points(b: str) -> list[Point]:
    bud = budget(b)
    mus = np.geomspace(1.0, 40.0, bud.boundary_mu_points)
    t = bud.boundary_trials
    pts = [point(at_scale(SIM, p=p, mu=float(mu)), t, curve="p", mu=float(mu))
           for p in (0.1, 0.2, 0.4, 1.0) for mu in mus]
    pts += [point(at_scale(SIM, n=n, mu=float(mu)), t, curve="n", n=n, mu=float(mu))
            for n in (10, 20, 40, 100) for mu in mus]
    return pts


def d5(p_exponent: float | None = None, n_exponent: float | None = None) -> Claim:
    """The exponents default to sympy's; a test may plant wrong ones."""
    crit = ORDERS["mu_crit"].expr
    q = SIM.q
    e_p = float(exponent(crit, "p")) if p_exponent is None else p_exponent
    e_n = float(exponent(crit, "n").subs(q_symbol, q)) if n_exponent is None else n_exponent

    def location(param: str) -> Callable[[float], float]:
        def at(value: float) -> float:
            params = SIM.replace(**{param: value}).theory_params()
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
        "constant C_2 cancels in the slopes). At simulation scale (d = 1000).",
        "derived", f"{DERIVATIONS} (D5)", NETWORK, boundary_points,
        AllOf([part("p", "p", e_p), part("n", "n", e_n)]))


def claims() -> list[Claim]:
    """All claims of the paper, in order."""
    return [s1(), s2(), s3(), s4(), s5(), d1(), d2(), d4(), d5()]
