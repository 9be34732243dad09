"""Shape comparisons: where a curve peaks, and whether it is monotone."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from theorycheck.claims import PointResult
from theorycheck.comparisons.bands import decide, per_point_level
from theorycheck.stats import Interval, difference_interval, fewest_trials, resample
from theorycheck.verdicts import Outcome, Status, combine


@dataclass
class PeakComparison:
    """argmax_x E[quantity](x) lies within a factor ``factor`` of ``predicted`` (log scale).

    The measured peak location is bootstrapped over seeds (each point resampled on its
    own); consistent when at least ``level`` of the bootstrap peaks fall in
    [predicted / factor, predicted * factor], inconsistent when at most 1 - level do.
    A grid with no point in that window cannot decide and is inconclusive.
    """

    quantity: str
    parameter: str
    predicted: float
    factor: float = 1.25
    n_boot: int = 1000
    level: float = 0.95
    kind: str = "peak"

    def evaluate(self, results: list[PointResult], rng: np.random.Generator) -> Outcome:
        xs = np.array([float(pr.label(self.parameter)) for pr in results])
        groups = [pr.values(self.quantity) for pr in results]
        means = np.array([g.mean() for g in groups])
        lo, hi = self.predicted / self.factor, self.predicted * self.factor
        inside = (xs >= lo) & (xs <= hi)
        peak = float(xs[int(np.nanargmax(means))])
        boot = np.array([xs[int(np.nanargmax([g.mean() for g in resample(groups, rng)]))]
                         for _ in range(self.n_boot)])
        frac = float(np.mean((boot >= lo) & (boot <= hi)))
        evidence = {
            "kind": self.kind, "quantity": self.quantity, "parameter": self.parameter,
            "predicted_peak": self.predicted, "window": [lo, hi], "measured_peak": peak,
            "bootstrap_fraction_in_window": frac,
            "rows": [{"x": float(x), "measured": float(m)} for x, m in zip(xs, means)],
        }
        if fewest_trials(groups) < 2:
            return Outcome(Status.INCONCLUSIVE, "fewer than 2 trials at some point: no "
                           "bootstrap of the peak location", evidence)
        if not inside.any():
            return Outcome(Status.INCONCLUSIVE,
                           f"no sweep point within [{lo:.3g}, {hi:.3g}]: the grid cannot "
                           "locate the predicted peak", evidence)
        if frac >= self.level:
            status = Status.CONSISTENT
        elif frac <= 1 - self.level:
            status = Status.INCONSISTENT
        else:
            status = Status.INCONCLUSIVE
        reason = (f"peak of {self.quantity} at {self.parameter} = {peak:.3g}; predicted "
                  f"{self.predicted:.3g} (window x/{self.factor}..x*{self.factor}); "
                  f"{frac:.0%} of bootstrap peaks in the window")
        return Outcome(status, reason, evidence)


@dataclass
class MonotoneComparison:
    """E[quantity] is non-increasing (or non-decreasing) in ``parameter``, up to ``tolerance``.

    For each pair of neighbouring points the interval of the difference of means (Welch,
    Bonferroni over pairs) is compared with the allowed change: a rise above
    ``tolerance`` with confidence is inconsistent with "non-increasing".
    """

    quantity: str
    parameter: str
    direction: Literal["non-increasing", "non-decreasing"] = "non-increasing"
    tolerance: float = 0.0
    level: float = 0.95
    kind: str = "monotone"

    def evaluate(self, results: list[PointResult], rng: np.random.Generator) -> Outcome:
        ordered = sorted(results, key=lambda pr: float(pr.label(self.parameter)))
        sign = 1.0 if self.direction == "non-increasing" else -1.0
        level = per_point_level(self.level, max(len(ordered) - 1, 1))
        rows, statuses = [], []
        for a, b in zip(ordered, ordered[1:]):
            d = difference_interval(a.values(self.quantity), b.values(self.quantity), level)
            ci = d if sign > 0 else Interval(-d.estimate, -d.high, -d.low, level)
            status = decide(ci, -np.inf, self.tolerance)
            statuses.append(status)
            rows.append({"from": float(a.label(self.parameter)),
                         "to": float(b.label(self.parameter)),
                         "change": d.estimate, "rise_ci": ci.to_list(),
                         "status": status.value})
        means = [{"x": float(pr.label(self.parameter)),
                  "measured": float(pr.values(self.quantity).mean())} for pr in ordered]
        reason = (f"{self.quantity} {self.direction} in {self.parameter} (allowed change "
                  f"{self.tolerance}) over {len(rows)} neighbouring pairs")
        return Outcome(combine(statuses), reason,
                       {"kind": self.kind, "quantity": self.quantity, "pairs": rows,
                        "rows": means, "direction": self.direction})
