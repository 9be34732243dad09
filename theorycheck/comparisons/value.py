"""Value comparison: a predicted value against the Monte Carlo mean with a confidence interval."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import numpy as np

from theorycheck.claims import PointResult
from theorycheck.comparisons.bands import decide, per_point_level
from theorycheck.stats import Interval, mean_interval
from theorycheck.verdicts import Outcome, Status, combine


@dataclass
class ValueComparison:
    """E[quantity] against ``predict(point)`` at every point of the sweep.

    The prediction may be one number per point or one per trial (e.g. a test error predicted
    from each network's realized mask). The interval is the t-interval of the per-trial
    differences ``measured - predicted`` at a Bonferroni-corrected level, and the band is

    - ``"=="``: |difference| <= atol + rtol |predicted|;
    - ``"<="``: difference <= atol + rtol |predicted| (an upper bound);
    - ``">="``: difference >= -(atol + rtol |predicted|) (a lower bound).

    Trials where the quantity is not finite (undefined for that trial) are left out; points
    with no usable trial or no finite prediction are reported and count as inconclusive.
    """

    quantity: str
    predict: Callable[[PointResult], float | np.ndarray]
    rtol: float = 0.05
    atol: float = 0.0
    relation: Literal["==", "<=", ">="] = "=="
    level: float = 0.95
    x: str | None = None
    kind: str = "value"

    def evaluate(self, results: list[PointResult], rng: np.random.Generator) -> Outcome:
        level = per_point_level(self.level, len(results))
        rows, statuses = [], []
        for pr in results:
            measured = pr.values(self.quantity)
            predicted = np.broadcast_to(np.asarray(self.predict(pr), dtype=float), measured.shape)
            usable = np.isfinite(measured)  # a trial may lack the quantity (e.g. no dead class)
            measured, predicted = measured[usable], predicted[usable]
            pred_mean = float(np.mean(predicted)) if predicted.size else float("nan")
            row = {
                "x": pr.label(self.x) if self.x else None,
                "labels": dict(pr.point.labels),
                "trials": int(measured.size),
                "measured": float(np.mean(measured)) if measured.size else float("nan"),
                "predicted": pred_mean,
            }
            if measured.size == 0 or not np.all(np.isfinite(predicted)):
                row.update(status=Status.INCONCLUSIVE.value,
                           note="no finite prediction here" if measured.size
                           else "no trial has this quantity")
                statuses.append(Status.INCONCLUSIVE)
                rows.append(row)
                continue
            diff = mean_interval(measured - predicted, level=level)
            tol = self.atol + self.rtol * abs(pred_mean)
            low, high = {"==": (-tol, tol), "<=": (-np.inf, tol), ">=": (-tol, np.inf)}[
                self.relation
            ]
            status = decide(diff, low, high)
            ci = Interval(row["measured"], diff.low + pred_mean, diff.high + pred_mean, level)
            row.update(
                ci=ci.to_list(),
                tolerance=tol,
                rel_error=(row["measured"] - pred_mean) / pred_mean if pred_mean else None,
                status=status.value,
            )
            statuses.append(status)
            rows.append(row)
        status = combine(statuses)
        counts = {s.value: statuses.count(s) for s in Status}
        reason = (
            f"{self.quantity} {self.relation} prediction (rtol={self.rtol}, atol={self.atol}) "
            f"at {len(rows)} points: {counts['consistent']} consistent, "
            f"{counts['inconsistent']} inconsistent, {counts['inconclusive']} inconclusive "
            f"({level:.4f} per-point intervals, Bonferroni over the sweep)"
        )
        return Outcome(status, reason, {"kind": self.kind, "quantity": self.quantity,
                                        "relation": self.relation, "rows": rows})
