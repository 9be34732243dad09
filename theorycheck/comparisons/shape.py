"""Shape comparisons: where a curve peaks, and whether it is monotone."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar, Literal

import numpy as np

from theorycheck.claims import PointResult
from theorycheck.comparisons.bands import decide, per_point_level
from theorycheck.evidence import Evidence, Table, rows_table
from theorycheck.stats import (
    MIN_BOOTSTRAP_TRIALS,
    Interval,
    Support,
    bootstrap_trials,
    difference_interval,
    fewest_trials,
    shares_seeds,
    support_interval,
)
from theorycheck.verdicts import Outcome, Status, combine


@dataclass
class CurveRow:
    x: float
    measured: float
    trials: int


@dataclass
class PeakEvidence(Evidence):
    kind: ClassVar[str] = "peak"
    quantity: str = ""
    parameter: str = ""
    predicted_peak: float = float("nan")
    window: tuple[float, float] = (float("nan"), float("nan"))
    measured_peak: float = float("nan")
    bootstrap_fraction_in_window: float | None = None
    rows: list[CurveRow] = field(default_factory=list)

    def tables(self) -> list[Table]:
        return [rows_table(f"peak of {self.quantity} in {self.parameter}: measured "
                           f"{self.measured_peak:.3g}, predicted {self.predicted_peak:.3g}",
                           self.rows, (("x", self.parameter), ("trials", "trials"),
                                       ("measured", "mean")))]


@dataclass
class PeakComparison:
    """argmax_x E[quantity](x) lies within a factor ``factor`` of ``predicted`` (log scale).

    The measured peak location is bootstrapped over seeds; consistent when at least
    ``level`` of the bootstrap peaks fall in [predicted / factor, predicted * factor],
    inconsistent when at most 1 - level do. A grid with no point in that window cannot
    decide and is inconclusive.
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
        lo, hi = self.predicted / self.factor, self.predicted * self.factor
        ev = PeakEvidence(self.quantity, self.parameter, self.predicted, (lo, hi),
                          rows=[CurveRow(float(x), float(np.mean(g)), len(g))
                                for x, g in zip(xs, groups)])
        if not results:
            return Outcome(Status.INCONCLUSIVE, "no points", ev)
        if not all(np.all(np.isfinite(g)) for g in groups):
            return Outcome(Status.INCONCLUSIVE, f"{self.quantity} is not finite in every "
                           "trial: no peak location", ev)
        ev.measured_peak = float(xs[int(np.argmax([g.mean() for g in groups]))])
        if fewest_trials(groups) < MIN_BOOTSTRAP_TRIALS:
            return Outcome(Status.INCONCLUSIVE, f"fewer than {MIN_BOOTSTRAP_TRIALS} trials at "
                           "some point: no bootstrap of the peak location", ev)
        inside = (xs >= lo) & (xs <= hi)
        if not inside.any():
            return Outcome(Status.INCONCLUSIVE,
                           f"no sweep point within [{lo:.3g}, {hi:.3g}]: the grid cannot "
                           "locate the predicted peak", ev)

        def in_window(idx: list[np.ndarray]) -> float:
            peak = xs[int(np.argmax([g[i].mean() for g, i in zip(groups, idx)]))]
            return float(lo <= peak <= hi)

        _, reps = bootstrap_trials(in_window, [g.size for g in groups], rng,
                                   paired=shares_seeds([pr.seeds for pr in results]),
                                   n_boot=self.n_boot)
        frac = float(np.mean(reps))
        ev.bootstrap_fraction_in_window = frac
        if frac >= self.level:
            status = Status.CONSISTENT
        elif frac <= 1 - self.level:
            status = Status.INCONSISTENT
        else:
            status = Status.INCONCLUSIVE
        reason = (f"peak of {self.quantity} at {self.parameter} = {ev.measured_peak:.3g}; "
                  f"predicted {self.predicted:.3g} (window x/{self.factor}..x*{self.factor}); "
                  f"{frac:.0%} of bootstrap peaks in the window")
        return Outcome(status, reason, ev)


@dataclass
class PairRow:
    start: float
    end: float
    change: float
    rise_ci: tuple[float, float]
    status: str


@dataclass
class MonotoneEvidence(Evidence):
    kind: ClassVar[str] = "monotone"
    quantity: str = ""
    parameter: str = ""
    direction: str = "non-increasing"
    pairs: list[PairRow] = field(default_factory=list)
    rows: list[CurveRow] = field(default_factory=list)

    def tables(self) -> list[Table]:
        return [rows_table(f"monotone: {self.quantity} {self.direction} in {self.parameter}",
                           self.pairs, (("start", "from"), ("end", "to"), ("change", "change"),
                                        ("rise_ci", "rise CI"), ("status", "status")))]


@dataclass
class MonotoneComparison:
    """E[quantity] is non-increasing (or non-decreasing) in ``parameter``, up to ``tolerance``.

    ``parameter`` is a point label. For each pair of neighbouring points an interval of the
    change of the mean (Bonferroni over the pairs) is compared with the allowed change:

    - consistent when every pair's rise (in the forbidden direction) is shown to be at most
      ``tolerance`` (the interval's upper end is <= tolerance);
    - inconsistent when some pair's rise is shown to exceed it (the lower end > tolerance);
    - inconclusive otherwise.

    Points that ran the same seeds (common random numbers) are compared paired: the interval
    is that of the per-seed differences, chosen by the quantity's ``support``
    (``theorycheck.stats.support_interval``; a bounded quantity's differences lie in
    [low - high, high - low]). Otherwise it is the Welch interval of the difference of means.
    """

    quantity: str
    parameter: str
    direction: Literal["non-increasing", "non-decreasing"] = "non-increasing"
    tolerance: float = 0.0
    level: float = 0.95
    support: Support = field(default_factory=Support)
    kind: str = "monotone"

    def change(self, a: PointResult, b: PointResult, va: np.ndarray, vb: np.ndarray,
               level: float) -> tuple[Interval, bool]:
        """The interval of E[b] - E[a], paired by seed where the two points share seeds."""
        if shares_seeds([a.seeds, b.seeds]):
            span = self.support.high - self.support.low
            diff_support = Support(-span, span)
            return support_interval(vb - va, diff_support, level), True
        return difference_interval(va, vb, level), False

    def evaluate(self, results: list[PointResult], rng: np.random.Generator) -> Outcome:
        ordered = sorted(results, key=lambda pr: float(pr.label(self.parameter)))
        level = per_point_level(self.level, max(len(ordered) - 1, 1))
        ev = MonotoneEvidence(self.quantity, self.parameter, self.direction, rows=[
            CurveRow(float(pr.label(self.parameter)), float(pr.values(self.quantity).mean()),
                     len(pr.results)) for pr in ordered])
        statuses, paired = [], []
        for a, b in zip(ordered, ordered[1:]):
            va, vb = a.values(self.quantity), b.values(self.quantity)
            if not (np.all(np.isfinite(va)) and np.all(np.isfinite(vb))):
                status, d = Status.INCONCLUSIVE, None
            else:
                d, was_paired = self.change(a, b, va, vb, level)
                paired.append(was_paired)
                rise = d if self.direction == "non-increasing" else d.negated()
                status = decide(rise, -np.inf, self.tolerance)
            statuses.append(status)
            ev.pairs.append(PairRow(
                float(a.label(self.parameter)), float(b.label(self.parameter)),
                float("nan") if d is None else d.estimate,
                (float("nan"), float("nan")) if d is None else (rise.low, rise.high),
                status.value))
        how = ("paired: per-seed differences, seeds shared" if paired and all(paired) else
               "Welch intervals" if not any(paired) else "paired where seeds are shared")
        reason = (f"{self.quantity} {self.direction} in {self.parameter} (allowed change "
                  f"{self.tolerance}) over {len(ev.pairs)} neighbouring pairs ({how}; "
                  f"{level:.4f} each, Bonferroni over the pairs)")
        return Outcome(combine(statuses), reason, ev)
