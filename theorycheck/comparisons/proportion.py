"""Proportion comparison: a pooled binomial frequency against a predicted probability."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from theorycheck.claims import PointResult
from theorycheck.comparisons.bands import decide, per_point_level
from theorycheck.stats import proportion_interval
from theorycheck.verdicts import Outcome, combine


@dataclass
class ProportionComparison:
    """P(event) = ``predict(point)`` within ``atol``, from counts pooled over trials.

    Each trial contributes ``quantity`` events out of ``per_trial`` chances (e.g. dead
    classes out of K); the interval is Clopper-Pearson at a Bonferroni-corrected level,
    which stays honest for small, discrete counts where a t-interval degenerates.
    """

    quantity: str
    per_trial: int
    predict: Callable[[PointResult], float]
    atol: float = 0.05
    level: float = 0.95
    x: str | None = None
    kind: str = "proportion"

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
            rows.append({"x": pr.label(self.x) if self.x else None,
                         "labels": dict(pr.point.labels), "trials": len(pr.results),
                         "measured": ci.estimate, "ci": ci.to_list(), "predicted": pred,
                         "tolerance": self.atol, "status": status.value,
                         "note": f"{events} of {total}"})
        reason = (f"frequency of {self.quantity} (per {self.per_trial} chances) vs predicted "
                  f"probability (atol {self.atol}, Clopper-Pearson) at {len(rows)} points")
        return Outcome(combine(statuses), reason,
                       {"kind": self.kind, "quantity": self.quantity, "rows": rows})
