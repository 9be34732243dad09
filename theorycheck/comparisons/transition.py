"""Transition comparison: where a curve crosses a level, and how that place scales."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import ClassVar

import numpy as np

from theorycheck.claims import PointResult
from theorycheck.comparisons.bands import decide
from theorycheck.evidence import Evidence, Table, rows_table
from theorycheck.figures import Figure, PhaseFigure
from theorycheck.stats import (
    MIN_BOOTSTRAP_TRIALS,
    bootstrap_trials,
    fewest_trials,
    loglog_slope,
    shares_seeds,
)
from theorycheck.verdicts import Outcome, Status


def crossing(x: np.ndarray, y: np.ndarray, level: float) -> float:
    """The first x (ascending) where y falls below ``level``, interpolated linearly in log x;
    NaN when the curve starts below the level, never reaches it, or is undefined (censored)."""
    if not np.all(np.isfinite(y)) or y[0] < level or np.all(y >= level):
        return float("nan")
    k = int(np.argmax(y < level))
    lx0, lx1 = np.log(x[k - 1]), np.log(x[k])
    frac = (y[k - 1] - level) / (y[k - 1] - y[k])
    return float(np.exp(lx0 + frac * (lx1 - lx0)))


def defined_mean(values: np.ndarray) -> float:
    """The mean over the trials that define the quantity (e.g. a network with no live class
    has no live-class error); NaN when none does, which censors the curve."""
    kept = values[np.isfinite(values)]
    return float(kept.mean()) if kept.size else float("nan")


@dataclass
class TransitionRow:
    by: float
    crossing: float
    predicted: float | None
    trials: int


@dataclass
class TransitionEvidence(Evidence):
    kind: ClassVar[str] = "transition"
    quantity: str = ""
    parameter: str = ""
    swept: str = ""
    level: float = float("nan")
    predicted_exponent: float = float("nan")
    exponent_expr: str = ""
    slack: float = float("nan")
    rows: list[TransitionRow] = field(default_factory=list)
    curves: list[tuple[float, float, float]] = field(default_factory=list)
    measured_slope: float | None = None
    ci: tuple[float, float] | None = None

    def tables(self) -> list[Table]:
        return [rows_table(f"transition: where E[{self.quantity}] crosses {self.level:g} in "
                           f"{self.swept}, by {self.parameter}", self.rows, (
                               ("by", self.parameter), ("crossing", f"measured {self.swept}"),
                               ("predicted", f"predicted {self.swept}"),
                               ("trials", "trials")))]

    def figures(self, title: str) -> list[Figure]:
        return [PhaseFigure(
            title, self.parameter, self.swept, f"mean {self.quantity}", self.curves,
            [(r.by, r.crossing) for r in self.rows if np.isfinite(r.crossing)],
            [(r.by, r.predicted) for r in self.rows if r.predicted is not None])]


@dataclass
class TransitionComparison:
    """The location x_c(by) where E[quantity] falls below ``level`` as x grows, fitted as
    x_c ~ by^exponent.

    Points carry labels ``x`` (swept within a curve, e.g. the signal norm mu) and ``by``
    (one curve per value, e.g. p or n). Each curve's crossing is interpolated in log x; the
    slope of log x_c against log by is bootstrapped over seeds and compared with the
    predicted ``exponent`` within ``slack``. A curve that never crosses inside its grid is
    censored and makes the check inconclusive, as does a ``by`` range under
    ``min_decades`` decades. ``predicted_location(by)``, when given, is the predicted
    boundary itself (with its named constants); it is reported and drawn, not judged: the
    slope is what the check compares, since the constants cancel in it.
    """

    quantity: str
    x: str
    by: str
    level: float
    exponent: float
    slack: float = 0.15
    min_decades: float = 1.0
    exponent_expr: str = ""
    n_boot: int = 500
    ci_level: float = 0.95
    predicted_location: Callable[[float], float] | None = None
    kind: str = "transition"
    confidence_field: ClassVar[str] = "ci_level"  # ``level`` is the crossing level

    def evaluate(self, results: list[PointResult], rng: np.random.Generator) -> Outcome:
        bys = np.array(sorted({float(pr.label(self.by)) for pr in results}))
        curves = [sorted((pr for pr in results if float(pr.label(self.by)) == k),
                         key=lambda pr: float(pr.label(self.x))) for k in bys]
        flat = [pr for c in curves for pr in c]
        values = [pr.values(self.quantity) for pr in flat]
        spans, start = [], 0
        for c in curves:
            spans.append((start, start + len(c)))
            start += len(c)
        xs = [np.array([float(pr.label(self.x)) for pr in c]) for c in curves]

        def locations(idx: list[np.ndarray]) -> np.ndarray:
            return np.array([crossing(x, np.array([defined_mean(values[k][idx[k]])
                                                   for k in range(a, b)]), self.level)
                             for x, (a, b) in zip(xs, spans)])

        full = [np.arange(v.size) for v in values]
        found = locations(full)
        ev = TransitionEvidence(
            self.quantity, self.by, self.x, self.level, self.exponent, self.exponent_expr,
            self.slack,
            rows=[TransitionRow(float(k), float(c),
                                float(self.predicted_location(float(k)))
                                if self.predicted_location else None,
                                min(len(pr.results) for pr in curve))
                  for k, c, curve in zip(bys, found, curves)],
            curves=[(float(pr.label(self.by)), float(pr.label(self.x)), defined_mean(v))
                    for pr, v in zip(flat, values)])
        decades = float(np.log10(bys.max() / bys.min())) if bys.size else 0.0
        if bys.size < 3 or decades < self.min_decades:
            return Outcome(Status.INCONCLUSIVE, f"{bys.size} curves spanning {decades:.2f} "
                           f"decades of {self.by}; need 3 and {self.min_decades}", ev)
        if not np.all(np.isfinite(found)):
            missing = [float(k) for k, c in zip(bys, found) if not np.isfinite(c)]
            return Outcome(Status.INCONCLUSIVE, f"{self.quantity} does not cross {self.level} "
                           f"inside the {self.x} grid for {self.by} in {missing} (censored)", ev)
        if fewest_trials(values) < MIN_BOOTSTRAP_TRIALS:
            return Outcome(Status.INCONCLUSIVE, f"fewer than {MIN_BOOTSTRAP_TRIALS} trials at "
                           "some point: no bootstrap interval that covers its level", ev)
        ci, _ = bootstrap_trials(lambda idx: loglog_slope(bys, locations(idx)),
                                 [v.size for v in values], rng,
                                 paired=shares_seeds([pr.seeds for pr in flat]),
                                 n_boot=self.n_boot, level=self.ci_level)
        status = decide(ci, self.exponent - self.slack, self.exponent + self.slack)
        ev.measured_slope, ev.ci = ci.estimate, (ci.low, ci.high)
        return Outcome(status, (
            f"transition of {self.quantity} through {self.level:.3g} in {self.x}: slope in "
            f"{self.by} {ci.estimate:.3f} [{ci.low:.3f}, {ci.high:.3f}] vs predicted "
            f"{self.exponent:.3f} +/- {self.slack} over {decades:.2f} decades"), ev)
