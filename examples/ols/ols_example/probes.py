"""The probe: claim E1's value at every regime of (n, p) with a finite-variance estimate.

E1 says E||beta_hat - beta||^2 = sigma^2 p / (n - p - 1). A Monte Carlo mean with a
t-interval needs a finite variance of ||beta_hat - beta||^2, i.e. n > p + 3; the probe's
precondition is n >= p + 5 and its draws seek that boundary. ``scale`` and ``below`` let a
test plant a wrong prediction (scaled by ``scale`` only for n < ``below``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from theorycheck.claims import Point
from theorycheck.comparisons import ValueComparison
from theorycheck.probes import Axis, Boundary, Probe

from .claims import SOURCE, predicted
from .model import OLSConfig
from .simulator import MEASUREMENT

TRIALS = {"smoke": 200, "quick": 1000, "full": 10000}


def variance_margin(regime: Mapping[str, Any]) -> float:
    """log(n / (p + 5)): zero on the precondition's boundary n = p + 5."""
    return math.log(regime["n"] / (regime["p"] + 5))


def e1_everywhere(scale: float = 1.0, below: float = math.inf) -> Probe:
    def point(regime: Mapping[str, Any], budget: str) -> Point:
        return Point(OLSConfig(n=regime["n"], p=regime["p"]), TRIALS[budget], dict(regime))

    def prediction(pr: Any) -> float:
        return predicted(pr.config) * (scale if pr.config.n < below else 1.0)

    return Probe(
        "ols", "E1-everywhere", "E1 at every (n, p) with n >= p + 5",
        "E||beta_hat - beta||^2 = sigma^2 p / (n - p - 1) within 10% at every regime "
        "10 <= n <= 400, 1 <= p <= 100 with n >= p + 5 (sigma = 1).",
        "paper", SOURCE,
        (Axis.of(OLSConfig.parameter("n"), 10, 400, log=True),
         Axis.of(OLSConfig.parameter("p"), 1, 100, log=True)),
        point, ValueComparison("excess_risk", prediction, rtol=0.1, level=0.99),
        MEASUREMENT, (Boundary("n >= p + 5", variance_margin),),
        where=lambda r: variance_margin(r) >= 0, where_text="n >= p + 5", claim="E1")


def probes() -> list[Probe]:
    return [e1_everywhere()]
