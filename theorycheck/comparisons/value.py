"""Value comparison: a predicted value against the Monte Carlo mean with a confidence interval."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal

import numpy as np

from theorycheck.claims import Point, PointResult
from theorycheck.comparisons.bands import decide, per_point_level
from theorycheck.evidence import Evidence, Table, rows_table
from theorycheck.stats import Support, support_interval
from theorycheck.verdicts import Outcome, Status, combine


@dataclass
class ValueRow:
    """One point: the measured mean and its interval against the prediction."""

    x: Any
    regime: dict[str, Any]
    trials: int
    measured: float
    predicted: float
    status: str
    ci: tuple[float, float] | None = None
    tolerance: float | None = None
    rel_error: float | None = None
    note: str = ""


@dataclass
class ValueEvidence(Evidence):
    """Measured means, intervals and predictions, point by point."""

    kind: ClassVar[str] = "value"
    quantity: str = ""
    relation: str = "=="
    rows: list[ValueRow] = field(default_factory=list)

    def tables(self) -> list[Table]:
        return [rows_table(f"value: E[{self.quantity}] {self.relation} predicted", self.rows, (
            ("x", "x"), ("regime", "regime"), ("trials", "trials"), ("measured", "measured"),
            ("ci", "95% CI"), ("predicted", "predicted"), ("tolerance", "tolerance"),
            ("rel_error", "rel. error"), ("status", "status"), ("note", "note")))]


@dataclass
class ValueComparison:
    """E[quantity] against ``predict(point)`` at every point of the sweep.

    The prediction may be one number per point or one per trial (e.g. a test error predicted
    from each network's realized mask). The interval is that of the per-trial differences
    ``measured - predicted`` at a Bonferroni-corrected level, chosen by the quantity's
    ``support`` (``theorycheck.stats.support_interval``): for a bounded quantity (a test
    error in [0, 1]) an interval valid at every number of trials, otherwise the t-interval,
    never of zero width (trials that all agree say nothing of the spread: inconclusive).
    The band is

    - ``"=="``: |difference| <= atol + rtol |predicted|;
    - ``"<="``: difference <= atol + rtol |predicted| (an upper bound);
    - ``">="``: difference >= -(atol + rtol |predicted|) (a lower bound).

    A trial where the quantity is undefined (NaN: e.g. the error of dead classes in a
    network that has none) does not enter the mean, and the row says how many there were;
    a point with no usable trial or no finite prediction is inconclusive.
    """

    quantity: str
    predict: Callable[[PointResult], float | np.ndarray]
    rtol: float = 0.05
    atol: float = 0.0
    relation: Literal["==", "<=", ">="] = "=="
    level: float = 0.95
    x: str | None = None
    support: Support = field(default_factory=Support)
    kind: str = "value"

    def trials_needed(self, points: int, point: Point) -> int | None:
        """For a bounded quantity: the fewest trials at which Hoeffding's half-width (the
        bounded interval's widest) fits inside the tolerance at the per-point level; None
        for an unbounded one (that needs the measured spread) or a per-trial prediction."""
        if not self.support.is_bounded:
            return None
        try:
            pred = float(np.mean(self.predict(PointResult(point, [], []))))
        except Exception:  # noqa: BLE001 - a prediction that reads the results: unknown
            return None
        tol = self.atol + self.rtol * abs(pred)
        if tol <= 0:
            return None
        alpha = 1.0 - per_point_level(self.level, points)
        span = self.support.high - self.support.low
        return math.ceil(span ** 2 * math.log(4.0 / alpha) / (2.0 * tol ** 2))

    def evaluate(self, results: list[PointResult], rng: np.random.Generator) -> Outcome:
        level = per_point_level(self.level, len(results))
        rows, statuses = [], []
        for pr in results:
            measured = pr.values(self.quantity)
            predicted = np.broadcast_to(np.asarray(self.predict(pr), dtype=float), measured.shape)
            usable = np.isfinite(measured)
            undefined = int((~usable).sum())
            measured, predicted = measured[usable], predicted[usable]
            pred_mean = float(np.mean(predicted)) if predicted.size else float("nan")
            row = ValueRow(
                x=pr.label(self.x) if self.x else None, regime=dict(pr.point.labels),
                trials=int(measured.size),
                measured=float(np.mean(measured)) if measured.size else float("nan"),
                predicted=pred_mean, status=Status.INCONCLUSIVE.value,
                note=(f"{undefined} of {len(usable)} trials do not define {self.quantity}"
                      if undefined else ""))
            rows.append(row)
            if measured.size == 0 or not np.all(np.isfinite(predicted)):
                row.note = "; ".join(filter(None, [row.note, "no finite prediction here"
                                                   if measured.size else
                                                   "no trial defines this quantity"]))
                statuses.append(Status.INCONCLUSIVE)
                continue
            diff_support = Support(self.support.low - float(predicted.max()),
                                   self.support.high - float(predicted.min()))
            diff = support_interval(measured - predicted, diff_support, level=level)
            tol = self.atol + self.rtol * abs(pred_mean)
            low, high = {"==": (-tol, tol), "<=": (-np.inf, tol), ">=": (-tol, np.inf)}[
                self.relation]
            status = decide(diff, low, high)
            row.ci = (diff.low + pred_mean, diff.high + pred_mean)
            row.tolerance = tol
            row.rel_error = (row.measured - pred_mean) / pred_mean if pred_mean else None
            row.status = status.value
            statuses.append(status)
        counts = {s: statuses.count(s) for s in Status}
        reason = (
            f"{self.quantity} {self.relation} prediction (rtol={self.rtol}, atol={self.atol}) "
            f"at {len(rows)} points: {counts[Status.CONSISTENT]} consistent, "
            f"{counts[Status.INCONSISTENT]} inconsistent, {counts[Status.INCONCLUSIVE]} "
            f"inconclusive ({level:.4f} per-point intervals, Bonferroni over the sweep; "
            f"support {self.support})")
        return Outcome(combine(statuses), reason,
                       ValueEvidence(self.quantity, self.relation, rows))
