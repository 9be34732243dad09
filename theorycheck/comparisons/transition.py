"""Transition comparison: where a curve crosses a level, and how that place scales."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from theorycheck.claims import PointResult
from theorycheck.comparisons.bands import decide
from theorycheck.stats import bootstrap_interval, fewest_trials, loglog_slope, resample
from theorycheck.verdicts import Outcome, Status


def finite(values: np.ndarray) -> np.ndarray:
    """The trials where the quantity is defined (e.g. a network with no live class has no
    live-class error); a point with none is NaN and censors its curve."""
    kept = values[np.isfinite(values)]
    return kept if kept.size else np.array([np.nan])


def crossing(x: np.ndarray, y: np.ndarray, level: float) -> float:
    """The first x (ascending) where y falls below ``level``, interpolated linearly in log x;
    NaN when the curve starts below the level or never reaches it (censored)."""
    if y[0] < level or np.all(y >= level):
        return float("nan")
    k = int(np.argmax(y < level))
    lx0, lx1 = np.log(x[k - 1]), np.log(x[k])
    frac = (y[k - 1] - level) / (y[k - 1] - y[k])
    return float(np.exp(lx0 + frac * (lx1 - lx0)))


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

    def _curves(self, results: list[PointResult]) -> list[tuple[float, list[PointResult]]]:
        keys = sorted({float(pr.label(self.by)) for pr in results})
        return [(k, sorted((pr for pr in results if float(pr.label(self.by)) == k),
                           key=lambda pr: float(pr.label(self.x)))) for k in keys]

    def evaluate(self, results: list[PointResult], rng: np.random.Generator) -> Outcome:
        curves = self._curves(results)
        bys = np.array([k for k, _ in curves])
        xs = [np.array([float(pr.label(self.x)) for pr in c]) for _, c in curves]
        groups = [[finite(pr.values(self.quantity)) for pr in c] for _, c in curves]

        def locations(gs: list[list[np.ndarray]]) -> np.ndarray:
            return np.array([crossing(x, np.array([g.mean() for g in grp]), self.level)
                             for x, grp in zip(xs, gs)])

        found = locations(groups)
        rows = [{"x": float(k), "measured": float(c), "labels": {self.by: float(k)},
                 "trials": int(min(len(g) for g in grp)),
                 "predicted": (float(self.predicted_location(float(k)))
                               if self.predicted_location else None)}
                for k, c, grp in zip(bys, found, groups)]
        curve_rows = [{"by": float(k), "x": float(x), "measured": float(g.mean())}
                      for k, x_, grp in zip(bys, xs, groups) for x, g in zip(x_, grp)]
        evidence = {"kind": self.kind, "quantity": self.quantity, "parameter": self.by,
                    "swept": self.x, "level": self.level, "predicted_exponent": self.exponent,
                    "exponent_expr": self.exponent_expr, "slack": self.slack, "rows": rows,
                    "curves": curve_rows}
        decades = float(np.log10(bys.max() / bys.min())) if bys.size else 0.0
        if bys.size < 3 or decades < self.min_decades:
            return Outcome(Status.INCONCLUSIVE, f"{bys.size} curves spanning {decades:.2f} "
                           f"decades of {self.by}; need 3 and {self.min_decades}", evidence)
        if not np.all(np.isfinite(found)):
            missing = [float(k) for k, c in zip(bys, found) if not np.isfinite(c)]
            return Outcome(Status.INCONCLUSIVE, f"{self.quantity} does not cross {self.level} "
                           f"inside the {self.x} grid for {self.by} in {missing} (censored)",
                           evidence)
        if fewest_trials([g for grp in groups for g in grp]) < 2:
            return Outcome(Status.INCONCLUSIVE, "fewer than 2 trials at some point: no "
                           "interval can be formed", evidence)
        est = loglog_slope(bys, found)

        def one(r: np.random.Generator) -> float:
            loc = locations([resample(g, r) for g in groups])
            return loglog_slope(bys, loc) if np.all(np.isfinite(loc)) else float("nan")

        ci, _ = bootstrap_interval(one, est, rng, n_boot=self.n_boot, level=self.ci_level)
        status = decide(ci, self.exponent - self.slack, self.exponent + self.slack)
        evidence.update(measured_slope=est, ci=ci.to_list())
        return Outcome(status, (
            f"transition of {self.quantity} through {self.level:.3g} in {self.x}: slope in "
            f"{self.by} {est:.3f} [{ci.low:.3f}, {ci.high:.3f}] vs predicted {self.exponent:.3f}"
            f" +/- {self.slack} over {decades:.2f} decades"), evidence)
