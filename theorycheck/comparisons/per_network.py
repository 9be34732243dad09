"""Per-network comparison: a statement that holds "with high probability", judged network by
network.

A theorem that says "with probability at least 1 - delta, the trained network has test
error <= 0.1" is a statement about each network, not about the mean over a few of them: a
mean of 0.06 over six networks can hide one at 0.165. Here every trial (network) is judged
on its own, ``quantity relation threshold``, and the number that satisfy it is compared with
``1 - delta`` through the exact (Clopper-Pearson) interval of the proportion:

- consistent: the interval's lower end is >= 1 - delta (the networks' success rate is
  shown to reach the theorem's probability);
- inconsistent: its upper end is < 1 - delta (the rate is shown to fall short);
- inconclusive otherwise, and at any point with no network that defines the quantity.

The points of a sweep form one family: each interval is at the Bonferroni level
``1 - (1 - level) / points``. :meth:`PerNetworkComparison.trials_needed` says how many
networks a point needs before it *can* come out consistent (all of them satisfying the
statement): fewer, and the comparison cannot decide for the theorem whatever happens.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal

import numpy as np

from theorycheck.claims import Point, PointResult
from theorycheck.comparisons.bands import decide, per_point_level
from theorycheck.evidence import Evidence, Table, rows_table
from theorycheck.stats import proportion_interval
from theorycheck.verdicts import Outcome, Status, combine

_HOLDS = {"<=": np.less_equal, ">=": np.greater_equal, "<": np.less, ">": np.greater}


@dataclass
class PerNetworkRow:
    x: Any
    regime: dict[str, Any]
    networks: int
    holding: int
    fraction: float
    ci: tuple[float, float]
    required: float
    worst: float
    status: str
    note: str = ""


@dataclass
class PerNetworkEvidence(Evidence):
    kind: ClassVar[str] = "per-network"
    statement: str = ""
    rows: list[PerNetworkRow] = field(default_factory=list)

    def tables(self) -> list[Table]:
        return [rows_table(f"per network: fraction of networks with {self.statement}",
                           self.rows, (
            ("x", "x"), ("regime", "regime"), ("networks", "networks"),
            ("holding", "holding"), ("fraction", "fraction"), ("ci", "exact CI"),
            ("required", "needed (1 - delta)"), ("worst", "worst network"),
            ("status", "status"), ("note", "note")))]


@dataclass
class PerNetworkComparison:
    """The fraction of networks for which ``quantity relation threshold`` holds, against
    ``1 - delta`` (Clopper-Pearson, Bonferroni over the points; see the module docstring).

    ``threshold`` is a number or ``threshold(point)`` (e.g. ``1 - 1/K - tolerance`` at each
    point). A network whose quantity is NaN (undefined there) is left out and counted in
    the row's note; a non-finite value other than NaN never reaches a comparison (the
    checker's fault rule removes it first).
    """

    quantity: str
    relation: Literal["<=", ">=", "<", ">"]
    threshold: float | Callable[[PointResult], float]
    delta: float
    level: float = 0.95
    x: str | None = None
    kind: str = "per-network"

    def __post_init__(self) -> None:
        if self.relation not in _HOLDS:
            raise ValueError(f"relation must be one of {list(_HOLDS)}, got {self.relation!r}")
        if not 0.0 < self.delta < 1.0:
            raise ValueError(f"delta must be in (0, 1), got {self.delta!r}")
        if not 0.0 < self.level < 1.0:
            raise ValueError(f"level must be in (0, 1), got {self.level!r}")

    def _threshold(self, pr: PointResult) -> float:
        t = self.threshold
        return float(t(pr)) if callable(t) else float(t)

    def trials_needed(self, points: int = 1, point: Point | None = None) -> int:
        """The fewest networks per point at which all of them holding gives an exact lower
        end >= 1 - delta at the family's per-point level (with fewer, a point can never be
        consistent). The exact lower end of n successes in n is ``(alpha / 2)^(1 / n)``."""
        alpha = 1.0 - per_point_level(self.level, points)
        return math.ceil(math.log(alpha / 2.0) / math.log(1.0 - self.delta))

    def statement(self) -> str:
        t = self.threshold
        shown = "the point's threshold" if callable(t) else f"{t:g}"
        return f"{self.quantity} {self.relation} {shown}"

    def evaluate(self, results: list[PointResult], rng: np.random.Generator) -> Outcome:
        level = per_point_level(self.level, len(results))
        required = 1.0 - self.delta
        rows, statuses = [], []
        for pr in results:
            values = pr.values(self.quantity)
            defined = values[~np.isnan(values)]
            threshold = self._threshold(pr)
            holds = _HOLDS[self.relation](defined, threshold)
            undefined = values.size - defined.size
            note = f"{undefined} of {values.size} networks do not define it" if undefined else ""
            if defined.size == 0:
                statuses.append(Status.INCONCLUSIVE)
                rows.append(PerNetworkRow(pr.label(self.x) if self.x else None,
                                          dict(pr.point.labels), 0, 0, float("nan"),
                                          (0.0, 1.0), required, float("nan"),
                                          Status.INCONCLUSIVE.value,
                                          note or "no network defines the quantity"))
                continue
            ci = proportion_interval(int(holds.sum()), int(defined.size), level)
            status = decide(ci, required, 1.0)
            statuses.append(status)
            worst = float(defined.max() if self.relation in ("<=", "<") else defined.min())
            rows.append(PerNetworkRow(pr.label(self.x) if self.x else None,
                                      dict(pr.point.labels), int(defined.size),
                                      int(holds.sum()), ci.estimate, (ci.low, ci.high),
                                      required, worst, status.value,
                                      f"{note}; threshold {threshold:g}" if note else
                                      f"threshold {threshold:g}"))
        short = [r for r in rows if r.networks and r.networks < self.trials_needed(len(rows))]
        reason = (f"per network: {self.statement()} for a fraction >= {required:g} "
                  f"(delta {self.delta:g}) of the networks, Clopper-Pearson at "
                  f"{level:.4f} per point (Bonferroni over {len(rows)} points): "
                  f"{sum(r.holding for r in rows)} of {sum(r.networks for r in rows)} "
                  "networks hold")
        if short:
            reason += (f"; {len(short)} points have fewer than the "
                       f"{self.trials_needed(len(rows))} networks needed to be able to "
                       "decide for the statement")
        return Outcome(combine(statuses), reason, PerNetworkEvidence(self.statement(), rows))
