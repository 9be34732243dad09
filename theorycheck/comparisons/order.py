"""Order comparison: the log-log slope along a one-parameter path against a derived exponent.

Three readings of "quantity = order(parameter^exponent)":

- ``Theta``: two-sided, the slope must lie within ``exponent +/- allowance``;
- ``O~`` (an upper bound ``f <= C polylog t^e``), judged where it can fail, at the path's
  open ends (:class:`theorycheck.paths.PathEnds`, found from the claim's conditions): an
  open upper end needs slope <= exponent + allowance (towards infinity the bound fails when
  f grows faster), an open lower end needs slope >= exponent - allowance (towards 0 it fails
  when f falls more slowly); both ends open, both; neither open, or ends not known: the
  slope cannot test the bound and the part is inconclusive, saying so;
- ``Omega~`` (a lower bound ``f >= c t^e / polylog``), mirrored: an open upper end needs
  slope >= exponent - allowance, an open lower end slope <= exponent + allowance.

A bound consistent on a path where the slope's interval excludes the exponent is reported
as "not tight"; the evidence always says whether the interval holds the exponent itself.
With ``predict`` (the order expression's value at a point, constants left out), every
network's ratio measured / predicted along the path is shown: its maximum and its trend (a
ratio that saturates while the bound falls is visible in the table, whatever the slope).

The allowance is ``slack`` (finite-size drift, a slope) plus, with ``polylog = (k, label)``,
the average log-log slope that a factor log(v)^k adds along the path, where v is the point
label ``label`` (e.g. d): k (log log v_1 - log log v_0) / (log t_1 - log t_0) between the
path's ends. A path in a parameter that leaves v fixed gets no polylog allowance.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal

import numpy as np

from theorycheck.claims import PointResult
from theorycheck.comparisons.bands import decide
from theorycheck.evidence import Evidence, Table, rows_table
from theorycheck.figures import Figure, LogLogFigure
from theorycheck.paths import PathEnds
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
    predicted: float | None = None
    ratio_mean: float | None = None
    ratio_max: float | None = None


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
    contains_exponent: bool | None = None
    ends: dict[str, Any] | None = None
    ratio_trend: tuple[float, float] | None = None

    def tables(self) -> list[Table]:
        columns = [("x", self.parameter), ("regime", "regime"), ("trials", "trials"),
                   ("measured", "mean")]
        if any(r.predicted is not None for r in self.rows):
            columns += [("predicted", "order expr."), ("ratio_mean", "measured / predicted"),
                        ("ratio_max", "max over networks")]
        return [rows_table(f"order ({self.bound}): {self.quantity} along {self.parameter}",
                           self.rows, tuple(columns))]

    def figures(self, title: str) -> list[Figure]:
        if not self.rows:
            return []
        slopes = [(f"predicted ({self.bound}) slope", self.predicted_exponent)]
        if self.measured_slope is not None:
            slopes.insert(0, ("fitted slope", self.measured_slope))
        shown: list[Figure] = [LogLogFigure(title, self.parameter, self.quantity,
                                            [r.x for r in self.rows],
                                            [r.measured for r in self.rows], slopes)]
        if all(r.ratio_max is not None and r.ratio_max > 0 for r in self.rows):
            shown.append(LogLogFigure(
                f"{title}: measured / predicted, the largest over networks", self.parameter,
                f"max {self.quantity} / order expr.", [r.x for r in self.rows],
                [float(r.ratio_max) for r in self.rows], [("constant ratio, slope", 0.0)],
                name="ratio", points_label="measured / predicted, the largest network"))
        return shown


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
    ends: PathEnds | Callable[[list[PointResult]], PathEnds] | None = None
    predict: Callable[[PointResult], float] | None = None
    kind: str = "order"

    def path_ends(self, results: list[PointResult]) -> PathEnds | None:
        """The path's ends: given, or found from the measured points (e.g. by rebuilding
        the path through them, ``theorycheck.paths.Path.ends``)."""
        return self.ends(results) if callable(self.ends) else self.ends

    def band(self, allowance: float, ends: PathEnds | None) -> tuple[float, float] | str:
        """The slopes the bound allows on this path, or why the slope cannot test it."""
        e, a = self.exponent, allowance
        if self.bound == "Theta":
            return e - a, e + a
        if ends is None:
            return ("the path's open ends are not known (give the comparison the path's "
                    "ends, theorycheck.paths.Path.ends): an O~ / Omega~ bound is tested only "
                    "where the path can move")
        if not (ends.lower or ends.upper):
            return (f"neither end of the path is open ({ends.describe()}): the slope cannot "
                    f"test an {self.bound} bound")
        if self.bound == "O~":
            return (e - a if ends.lower else -np.inf), (e + a if ends.upper else np.inf)
        return (e - a if ends.upper else -np.inf), (e + a if ends.lower else np.inf)

    def ratios(self, results: list[PointResult], samples: list[np.ndarray],
               ev: OrderEvidence) -> str:
        """Fill each row's measured / predicted (mean, max over networks); the trend of the
        ratio along the path per network (seeds shared) or of its mean. Returns a note."""
        if self.predict is None:
            return ""
        preds = np.array([float(self.predict(pr)) for pr in results])
        ratios = [s / p for s, p in zip(samples, preds)]
        for row, p, r in zip(ev.rows, preds, ratios):
            row.predicted, row.ratio_mean, row.ratio_max = float(p), float(r.mean()), float(
                r.max())
        xs = np.log([r.x for r in ev.rows])
        if ev.paired:
            per_net = np.array(ratios).T  # (networks, points)
            trends = [float(np.polyfit(xs, np.log(r), 1)[0]) for r in per_net]
        else:
            trends = [float(np.polyfit(xs, np.log([r.mean() for r in ratios]), 1)[0])]
        ev.ratio_trend = (min(trends), max(trends))
        first, last = ev.rows[int(np.argmin(xs))], ev.rows[int(np.argmax(xs))]
        return (f"; measured / predicted {first.ratio_mean:.3g} -> {last.ratio_mean:.3g} "
                f"along the path (max over networks {max(r.ratio_max for r in ev.rows):.3g}; "
                f"log-log trend per {'network' if ev.paired else 'mean'} "
                f"{ev.ratio_trend[0]:.2f}..{ev.ratio_trend[1]:.2f})")

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
        ev.contains_exponent = bool(ci.low <= e <= ci.high)
        ends = self.path_ends(results) if self.bound != "Theta" else None
        ev.ends = ends.to_dict() if ends is not None else None
        ratio_note = self.ratios(results, samples, ev)
        band = self.band(allowance, ends)
        paired = (", the mean of each seed's own slope (seeds shared along the path; "
                  "t-interval)" if ev.paired else "")
        measured = (f"log-log slope of {self.quantity} in {self.parameter}: {ci.estimate:.3f} "
                    f"[{ci.low:.3f}, {ci.high:.3f}]{paired} vs {self.bound} exponent {e:.3f} "
                    f"(the interval {'holds' if ev.contains_exponent else 'excludes'} it)")
        if isinstance(band, str):
            return Outcome(Status.INCONCLUSIVE, f"{measured}; {band}{ratio_note}", ev)
        status = decide(ci, *band)
        note = ""
        if status is Status.CONSISTENT and self.bound != "Theta" and not ev.contains_exponent:
            ev.tight = False
            note = "; bound not tight on this path"
        elif self.bound != "Theta":
            ev.tight = ev.contains_exponent
        allowed = f"[{band[0]:.3f}, {band[1]:.3f}]"
        where = f"; {ends.describe()}" if ends is not None else ""
        reason = (
            f"{measured}; allowed slopes {allowed} (allowance {allowance:.3f}: slack "
            f"{self.slack}{'; ' + polylog_note if polylog_note else ''}) over {decades:.2f} "
            f"decades{where}{note}{ratio_note}")
        return Outcome(status, reason, ev)
