"""Distribution comparison: pooled samples against N(0, 1) in Kolmogorov-Smirnov distance."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np

from theorycheck.claims import PointResult
from theorycheck.comparisons.bands import decide, per_point_level
from theorycheck.evidence import Evidence, Table, rows_table
from theorycheck.figures import Figure, HistogramFigure
from theorycheck.stats import Interval, dkw_epsilon, ks_distance_normal, mean_interval
from theorycheck.verdicts import Outcome, combine


@dataclass
class NormalityRow:
    x: Any
    regime: dict[str, Any]
    samples: int
    ks_distance: float
    ci: tuple[float, float]
    tolerance: float
    mean: float
    variance: float
    status: str
    mean_ci: tuple[float, float] | None = None
    variance_ci: tuple[float, float] | None = None


@dataclass
class NormalityEvidence(Evidence):
    kind: ClassVar[str] = "distribution"
    quantity: str = ""
    rows: list[NormalityRow] = field(default_factory=list)
    histogram_samples: list[float] = field(default_factory=list)

    def tables(self) -> list[Table]:
        return [rows_table(f"distribution: {self.quantity} against N(0, 1)", self.rows, (
            ("x", "x"), ("regime", "regime"), ("samples", "samples"),
            ("ks_distance", "KS distance"), ("ci", "DKW band"), ("tolerance", "tolerance"),
            ("mean", "mean"), ("mean_ci", "mean CI"), ("variance", "variance"),
            ("variance_ci", "variance CI"), ("status", "status")))]

    def figures(self, title: str) -> list[Figure]:
        return [HistogramFigure(title, self.histogram_samples)] if self.histogram_samples \
            else []


@dataclass
class NormalityComparison:
    """sup_t |F_n(t) - Phi(t)| <= ``tolerance`` for the pooled list-valued ``quantity``.

    The interval on the KS distance is the DKW band at a Bonferroni-corrected level. The
    samples pooled within a trial may be weakly dependent; the DKW band then understates
    the uncertainty a little, which is why the tolerance is a distance, not a p-value.
    A histogram of the pooled samples (at most ``keep`` values) goes into the evidence.

    With ``mean_tolerance`` / ``variance_tolerance`` the per-trial sample mean and variance
    of the standardized values are also checked (t-intervals over trials): |mean| <= the
    first, |variance - 1| <= the second. A wrong scale that the KS distance tolerates (a 10%
    error in a standard deviation moves the variance by about 20%) is caught there.

    ``standardize(point)``, when given, maps a point's raw per-trial samples to the
    standardized values to test (e.g. (beta_hat_i - m_i) / v_i with the predicted m_i, v_i):
    the prediction under test lives there.
    """

    quantity: str
    standardize: Callable[[PointResult], list[np.ndarray]] | None = None
    tolerance: float = 0.05
    mean_tolerance: float | None = None
    variance_tolerance: float | None = None
    level: float = 0.95
    keep: int = 4000
    x: str | None = None
    kind: str = "distribution"

    def evaluate(self, results: list[PointResult], rng: np.random.Generator) -> Outcome:
        checks = 1 + (self.mean_tolerance is not None) + (self.variance_tolerance is not None)
        level = per_point_level(self.level, len(results) * checks)
        rows, statuses, pooled_all = [], [], []
        for pr in results:
            per_trial = (self.standardize(pr) if self.standardize is not None
                         else [np.asarray(r[self.quantity], float) for r in pr.results])
            pooled = np.concatenate(per_trial)
            dist = ks_distance_normal(pooled)
            eps = dkw_epsilon(pooled.size, level)
            status = decide(Interval(dist, dist - eps, dist + eps, level), -np.inf, self.tolerance)
            row = NormalityRow(pr.label(self.x) if self.x else None, dict(pr.point.labels),
                               int(pooled.size), dist, (dist - eps, dist + eps),
                               self.tolerance, float(pooled.mean()), float(pooled.var()),
                               status.value)
            for name, tol, center, fn in (("mean", self.mean_tolerance, 0.0, np.mean),
                                          ("variance", self.variance_tolerance, 1.0, np.var)):
                if tol is not None:
                    ci = mean_interval([fn(z) for z in per_trial], level)
                    status = combine([status, decide(ci, center - tol, center + tol)])
                    setattr(row, f"{name}_ci", (ci.low, ci.high))
            row.status = status.value
            statuses.append(status)
            pooled_all.append(pooled)
            rows.append(row)
        allz = np.concatenate(pooled_all) if pooled_all else np.array([])
        shown = rng.choice(allz, size=min(self.keep, allz.size), replace=False)
        reason = (
            f"KS distance of pooled {self.quantity} to N(0,1) <= {self.tolerance} "
            f"(DKW band), |mean| <= {self.mean_tolerance}, |variance - 1| <= "
            f"{self.variance_tolerance} at {len(rows)} points")
        return Outcome(combine(statuses), reason,
                       NormalityEvidence(self.quantity, rows, [float(v) for v in shown]))
