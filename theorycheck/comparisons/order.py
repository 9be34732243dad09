"""Order comparison: the log-log slope along a one-parameter path against a derived exponent.

Three readings of "quantity = order(parameter^exponent)":

- ``Theta``: two-sided, the slope must lie within ``exponent +/- allowance``;
- ``O~`` (an upper bound): log(measured / predicted) may not grow faster than the allowance,
  i.e. slope <= exponent + allowance. A slope clearly below the exponent is consistent with
  the bound, and reported as "bound not tight on this path";
- ``Omega~`` (a lower bound), mirrored: slope >= exponent - allowance.

The allowance is ``slack`` (finite-size drift, a slope) plus, with ``polylog = (k, label)``,
the average log-log slope that a factor log(v)^k adds along the path, where v is the point
label ``label`` (e.g. d): k (log log v_1 - log log v_0) / (log t_1 - log t_0) between the
path's ends. A path in a parameter that leaves v fixed gets no polylog allowance.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal

import numpy as np

from theorycheck.claims import PointResult
from theorycheck.comparisons.bands import decide
from theorycheck.evidence import Evidence, Table, rows_table
from theorycheck.figures import Figure, LogLogFigure
from theorycheck.stats import (
    MIN_BOOTSTRAP_TRIALS,
    fewest_trials,
    paired_slope_interval,
    shares_seeds,
    slope_interval,
)
from theorycheck.verdicts import Outcome, Status

Bound = Literal["Theta", "O~", "Omega~"]


@dataclass
class OrderRow:
    x: float
    regime: dict[str, Any]
    trials: int
    measured: float


@dataclass
class OrderEvidence(Evidence):
    kind: ClassVar[str] = "order"
    quantity: str = ""
    parameter: str = ""
    bound: str = "Theta"
    predicted_exponent: float = float("nan")
    exponent_expr: str = ""
    allowance: float = float("nan")
    polylog: str = ""
    decades: float = 0.0
    rows: list[OrderRow] = field(default_factory=list)
    measured_slope: float | None = None
    ci: tuple[float, float] | None = None
    paired: bool = False
    tight: bool | None = None

    def tables(self) -> list[Table]:
        return [rows_table(f"order ({self.bound}): {self.quantity} along {self.parameter}",
                           self.rows, (("x", self.parameter), ("regime", "regime"),
                                       ("trials", "trials"), ("measured", "mean")))]

    def figures(self, title: str) -> list[Figure]:
        if not self.rows:
            return []
        slopes = [(f"predicted ({self.bound}) slope", self.predicted_exponent)]
        if self.measured_slope is not None:
            slopes.insert(0, ("fitted slope", self.measured_slope))
        return [LogLogFigure(title, self.parameter, self.quantity, [r.x for r in self.rows],
                             [r.measured for r in self.rows], slopes)]


@dataclass
class OrderComparison:
    """quantity = ``bound``(parameter^exponent) along the sweep's path (see module doc).

    Fits the log-log slope of the quantity against the parameter (the point label
    ``parameter``) and compares it with ``exponent`` (derived by sympy from the predicted
    expression) as ``bound`` says. When the path's points share their seeds, each seed has
    its own slope and the interval is the t-interval of their mean; otherwise the slope of
    log E[quantity] with a bootstrap interval over seeds at each point. A path shorter than
    ``min_decades`` decades, or of fewer than three points, is inconclusive, never
    consistent: a short sweep cannot tell exponents apart.
    """

    quantity: str
    parameter: str
    exponent: float
    slack: float = 0.15
    bound: Bound = "Theta"
    polylog: tuple[float, str] | None = None
    min_decades: float = 1.0
    exponent_expr: str = ""
    n_boot: int = 1000
    level: float = 0.95
    kind: str = "order"

    def allowance(self, results: list[PointResult], xs: np.ndarray) -> tuple[float, str]:
        """The slope allowance on this path: ``slack`` plus the polylog factor's slope."""
        if self.polylog is None:
            return self.slack, ""
        power, label = self.polylog
        order = np.argsort(xs)
        v0 = float(results[order[0]].label(label))
        v1 = float(results[order[-1]].label(label))
        span = math.log(xs[order[-1]] / xs[order[0]])
        extra = power * (math.log(math.log(v1)) - math.log(math.log(v0))) / span
        return self.slack + extra, (f"log({label})^{power:g} adds {extra:.3f} to the slope "
                                    f"between {label} = {v0:g} and {v1:g}")

    def evaluate(self, results: list[PointResult], rng: np.random.Generator) -> Outcome:
        xs = np.array([float(pr.label(self.parameter)) for pr in results])
        samples = [pr.values(self.quantity) for pr in results]
        decades = float(np.log10(xs.max() / xs.min())) if xs.size else 0.0
        ev = OrderEvidence(
            self.quantity, self.parameter, self.bound, self.exponent, self.exponent_expr,
            decades=decades,
            rows=[OrderRow(float(x), dict(pr.point.labels), len(s), float(np.mean(s)))
                  for x, s, pr in zip(xs, samples, results)])
        if xs.size < 3 or decades < self.min_decades * (1 - 1e-9):  # a decade up to rounding
            return Outcome(Status.INCONCLUSIVE,
                           f"path spans {decades:.2f} decades over {xs.size} points; at least "
                           f"{self.min_decades} decades and 3 points are needed", ev)
        if not all(np.all(np.isfinite(s)) for s in samples):
            return Outcome(Status.INCONCLUSIVE, f"{self.quantity} is not defined in every "
                           "trial along the path: no slope", ev)
        if min(float(np.min(s)) for s in samples) <= 0:
            return Outcome(Status.INCONCLUSIVE,
                           f"{self.quantity} is not positive in every trial along the path: "
                           "no log-log fit", ev)
        ev.paired = shares_seeds([pr.seeds for pr in results])
        if ev.paired and len(results[0].seeds) >= 2:
            ci, _ = paired_slope_interval(xs, samples, self.level)
        elif fewest_trials(samples) < MIN_BOOTSTRAP_TRIALS:
            return Outcome(Status.INCONCLUSIVE, f"fewer than {MIN_BOOTSTRAP_TRIALS} trials at "
                           "some point (and no seeds shared along the path): no interval "
                           "that covers its level", ev)
        else:
            ci, _ = slope_interval(xs, samples, rng, n_boot=self.n_boot, level=self.level)
        allowance, polylog_note = self.allowance(results, xs)
        ev.allowance, ev.polylog = allowance, polylog_note
        ev.measured_slope, ev.ci = ci.estimate, (ci.low, ci.high)
        e = self.exponent
        band = {"Theta": (e - allowance, e + allowance), "O~": (-np.inf, e + allowance),
                "Omega~": (e - allowance, np.inf)}[self.bound]
        status = decide(ci, *band)
        note = ""
        if status is Status.CONSISTENT and self.bound != "Theta":
            ev.tight = bool(ci.low <= e + allowance and ci.high >= e - allowance)
            if not ev.tight:
                note = "; bound not tight on this path (the quantity grows " + (
                    "more slowly" if self.bound == "O~" else "faster") + " than the bound)"
        paired = (", the mean of each seed's own slope (seeds shared along the path; "
                  "t-interval)" if ev.paired else "")
        reason = (
            f"log-log slope of {self.quantity} in {self.parameter}: {ci.estimate:.3f} "
            f"[{ci.low:.3f}, {ci.high:.3f}]{paired} vs {self.bound} exponent {e:.3f}, allowed "
            f"{'+/-' if self.bound == 'Theta' else '+' if self.bound == 'O~' else '-'}"
            f"{allowance:.3f} (slack {self.slack}{'; ' + polylog_note if polylog_note else ''}) "
            f"over {decades:.2f} decades{note}")
        return Outcome(status, reason, ev)
