"""Order comparison: the log-log slope along a one-parameter path against a derived exponent."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from theorycheck.claims import PointResult
from theorycheck.comparisons.bands import decide
from theorycheck.stats import fewest_trials, slope_interval
from theorycheck.verdicts import Outcome, Status


@dataclass
class OrderComparison:
    """quantity = Theta~(parameter^exponent) along the sweep's path.

    Fits log E[quantity] against log(parameter) (the parameter's value is the point label
    ``parameter``), with a bootstrap CI over seeds, and compares the slope with
    ``exponent`` (derived by sympy from the predicted expression) within ``slack``: the
    allowance for polylog factors and finite-size drift, stated in every verdict.

    A path shorter than ``min_decades`` decades, or fewer than three points, is
    inconclusive, never consistent: a short sweep cannot tell exponents apart.
    """

    quantity: str
    parameter: str
    exponent: float
    slack: float = 0.15
    min_decades: float = 1.0
    exponent_expr: str = ""
    n_boot: int = 1000
    level: float = 0.95
    kind: str = "order"

    def evaluate(self, results: list[PointResult], rng: np.random.Generator) -> Outcome:
        xs = np.array([float(pr.label(self.parameter)) for pr in results])
        samples = [pr.values(self.quantity) for pr in results]
        means = [float(np.mean(s)) for s in samples]
        evidence = {
            "kind": self.kind, "quantity": self.quantity, "parameter": self.parameter,
            "predicted_exponent": self.exponent, "exponent_expr": self.exponent_expr,
            "slack": self.slack,
            "rows": [{"x": float(x), "measured": m, "labels": dict(pr.point.labels),
                      "trials": len(s)} for x, m, s, pr in zip(xs, means, samples, results)],
        }
        decades = float(np.log10(xs.max() / xs.min())) if xs.size else 0.0
        evidence["decades"] = decades
        if xs.size < 3 or decades < self.min_decades:
            return Outcome(Status.INCONCLUSIVE,
                           f"path spans {decades:.2f} decades over {xs.size} points; "
                           f"at least {self.min_decades} decades and 3 points are needed",
                           evidence)
        if min(means) <= 0:
            return Outcome(Status.INCONCLUSIVE,
                           f"{self.quantity} is not positive along the path: no log-log fit",
                           evidence)
        if fewest_trials(samples) < 2:
            return Outcome(Status.INCONCLUSIVE, "fewer than 2 trials at some point: no "
                           "interval can be formed", evidence)
        ci, _ = slope_interval(xs, samples, rng, n_boot=self.n_boot, level=self.level)
        status = decide(ci, self.exponent - self.slack, self.exponent + self.slack)
        evidence.update(measured_slope=ci.estimate, ci=ci.to_list())
        reason = (
            f"log-log slope of {self.quantity} in {self.parameter}: {ci.estimate:.3f} "
            f"[{ci.low:.3f}, {ci.high:.3f}] vs predicted {self.exponent:.3f} "
            f"+/- {self.slack} (polylog slack) over {decades:.2f} decades"
        )
        return Outcome(status, reason, evidence)
