"""Proportion comparison: a pooled binomial frequency against a predicted probability."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np

from theorycheck.claims import Point, PointResult
from theorycheck.comparisons.bands import decide, per_point_level
from theorycheck.evidence import Evidence, Table, rows_table
from theorycheck.stats import proportion_interval
from theorycheck.verdicts import Outcome, combine


@dataclass
class ProportionRow:
    x: Any
    regime: dict[str, Any]
    trials: int
    measured: float
    ci: tuple[float, float]
    predicted: float
    tolerance: float
    status: str
    note: str


@dataclass
class ProportionEvidence(Evidence):
    kind: ClassVar[str] = "proportion"
    quantity: str = ""
    rows: list[ProportionRow] = field(default_factory=list)

    def tables(self) -> list[Table]:
        return [rows_table(f"proportion: frequency of {self.quantity}", self.rows, (
            ("x", "x"), ("regime", "regime"), ("trials", "trials"), ("measured", "measured"),
            ("ci", "95% CI"), ("predicted", "predicted"), ("tolerance", "tolerance"),
            ("status", "status"), ("note", "events")))]


@dataclass
class ProportionComparison:
    """P(event) = ``predict(point)`` within ``atol``, from counts pooled over trials.

    Each trial contributes ``quantity`` events out of ``per_trial`` chances (e.g. dead
    classes out of K); the interval is exact binomial (Clopper-Pearson, scipy's
    ``binomtest``) at a Bonferroni-corrected level, which stays honest for small, discrete
    counts where a t-interval degenerates.
    """

    quantity: str
    per_trial: int
    predict: Callable[[PointResult], float]
    atol: float = 0.05
    level: float = 0.95
    x: str | None = None
    kind: str = "proportion"

    def trials_needed(self, points: int, point: Point) -> int | None:
        """The fewest trials at which the exact interval around the predicted probability
        (the count an exact prediction gives) fits inside +/- ``atol`` at the per-point
        level; None where the prediction needs measured results."""
        try:
            pred = float(self.predict(PointResult(point, [], [])))
        except Exception:  # noqa: BLE001 - a prediction that reads the results: unknown
            return None
        level = per_point_level(self.level, points)
        for trials in range(1, 4097):
            n = trials * self.per_trial
            ci = proportion_interval(int(round(n * pred)), n, level)
            if ci.low >= pred - self.atol and ci.high <= pred + self.atol:
                return trials
        return None

    def evaluate(self, results: list[PointResult], rng: np.random.Generator) -> Outcome:
        level = per_point_level(self.level, len(results))
        rows, statuses = [], []
        for pr in results:
            events = int(round(float(np.sum(pr.values(self.quantity)))))
            total = self.per_trial * len(pr.results)
            ci = proportion_interval(events, total, level)
            pred = float(self.predict(pr))
            status = decide(ci, pred - self.atol, pred + self.atol)
            statuses.append(status)
            rows.append(ProportionRow(pr.label(self.x) if self.x else None,
                                      dict(pr.point.labels), len(pr.results), ci.estimate,
                                      (ci.low, ci.high), pred, self.atol, status.value,
                                      f"{events} of {total}"))
        reason = (f"frequency of {self.quantity} (per {self.per_trial} chances) vs predicted "
                  f"probability (atol {self.atol}, Clopper-Pearson) at {len(rows)} points")
        return Outcome(combine(statuses), reason, ProportionEvidence(self.quantity, rows))
