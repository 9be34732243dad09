"""The claims: the value of the excess risk, its order along n, and a per-fit bound.

Each claim is data: a sweep per budget, a prediction evaluated from ``theory``, and a
comparison with its tolerance. The arguments let a test plant a wrong prediction.
"""

from __future__ import annotations

import numpy as np

from theorycheck.claims import Claim, Plot, Point
from theorycheck.comparisons import OrderComparison, PerNetworkComparison, ValueComparison
from theorycheck.figures import Curve
from theorycheck.stats import Support

from .model import OLSConfig
from .simulator import MEASUREMENT
from .theory import excess_risk, exponent_in_n

TRIALS = {"smoke": 200, "quick": 2000, "full": 20000}
NS = (40, 80, 160, 400)
PATH_NS = (50, 150, 500, 1500, 5000)
SOURCE = "textbook (inverse Wishart mean)"
EXCESS_RISK = Support.nonnegative()  # a squared norm: its intervals never reach below 0


def predicted(config: OLSConfig) -> float:
    return excess_risk(config.n, config.p, config.sigma)


def e1(scale: float = 1.0) -> Claim:
    """``scale`` != 1 plants a wrong prediction."""

    def sweep(budget: str) -> list[Point]:
        return [Point(OLSConfig(n=n, p=5), TRIALS[budget], {"n": n}) for n in NS]

    def theory() -> list[Curve]:
        ns = np.geomspace(NS[0], NS[-1], 60).round().astype(int)
        return [Curve("sigma^2 p / (n - p - 1)", [float(n) for n in ns],
                      [excess_risk(int(n), 5, 1.0) for n in ns])]

    return Claim(
        "ols", "E1", "Excess risk of OLS",
        "E||beta_hat - beta||^2 = sigma^2 p / (n - p - 1) (p = 5, sigma = 1), within 5%.",
        "paper", SOURCE, MEASUREMENT, sweep,
        ValueComparison("excess_risk", lambda pr: scale * predicted(pr.config), rtol=0.05,
                        x="n", support=EXCESS_RISK),
        plot=Plot("n", "excess risk", ("excess_risk",), logx=True, logy=True, theory=theory))


def e2(exponent: float | None = None) -> Claim:
    """``exponent`` replaces the sympy-derived one (a test plants a wrong one)."""
    e = float(exponent_in_n()) if exponent is None else exponent

    def sweep(budget: str) -> list[Point]:
        return [Point(OLSConfig(n=n, p=5), TRIALS[budget] // 4, {"n": n}, seed_group="path")
                for n in PATH_NS]

    return Claim(
        "ols", "E2", "The excess risk falls as 1/n",
        "Along n (p = 5, sigma = 1 fixed), E||beta_hat - beta||^2 = Theta(n^-1): the log-log "
        "slope lies within 0.15 of the exponent sympy derives.",
        "paper", SOURCE, MEASUREMENT, sweep,
        OrderComparison("excess_risk", "n", e, slack=0.15, bound="Theta",
                        exponent_expr="lim n d log(sigma^2 p/(n - p - 1))/dn (sympy)"))


def e3(factor: float = 3.0) -> Claim:
    """``factor`` below 3 plants a wrong (too tight) bound."""

    def sweep(budget: str) -> list[Point]:
        return [Point(OLSConfig(n=n, p=5), TRIALS[budget], {"n": n}) for n in NS]

    return Claim(
        "ols", "E3", "Each fit's excess risk is rarely far above its mean",
        f"For at least 95% of the fits (delta = 0.05), ||beta_hat - beta||^2 <= {factor:g} "
        "sigma^2 p / (n - p - 1) (p = 5, sigma = 1): a statement about each fit, judged per "
        "fit (exact interval of the fraction that holds), not about the mean of a few.",
        "derived", "simulation: P(excess risk > 3 x its mean) is about 1.2-1.7% at p = 5",
        MEASUREMENT, sweep,
        PerNetworkComparison("excess_risk", "<=", lambda pr: factor * predicted(pr.config),
                             delta=0.05, x="n"))


def claims() -> list[Claim]:
    return [e1(), e2(), e3()]
