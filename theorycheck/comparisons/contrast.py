"""Contrast comparison: which of two strategies is better, group by group."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import numpy as np

from theorycheck.claims import PointResult
from theorycheck.comparisons.bands import per_point_level
from theorycheck.stats import Interval, bootstrap_interval, fewest_trials, resample
from theorycheck.verdicts import Outcome, Status, combine


@dataclass(frozen=True)
class Reducer:
    """A statistic of one group of points: ``reduce`` over the selected points of E[quantity].

    ``select`` picks the group's points that enter (``None``: all of them); ``reduce`` is
    ``"min"`` (the best over a sweep, e.g. the best pruned risk over kappa) or ``"mean"``
    (a pooled mean, e.g. a small-model risk that does not depend on the swept parameter).
    """

    quantity: str
    reduce: Literal["min", "mean"] = "min"
    select: Callable[[PointResult], bool] | None = None
    name: str = ""

    def __call__(self, results: list[PointResult], groups: list[np.ndarray] | None = None) -> float:
        chosen = [(pr, g) for pr, g in zip(results, groups or [None] * len(results))
                  if self.select is None or self.select(pr)]
        if not chosen:
            return float("nan")
        means = [float(np.mean(g if g is not None else pr.values(self.quantity)))
                 for pr, g in chosen]
        return float(min(means)) if self.reduce == "min" else float(np.mean(means))

    def describe(self) -> str:
        return self.name or f"{self.reduce} of E[{self.quantity}]"


@dataclass
class ContrastComparison:
    """Sign of A - B in each group, against the sign predicted for that group.

    For each group (the point label ``group``), A and B are statistics of the group's
    points (see ``Reducer``); the CI on A - B is a stratified bootstrap over seeds.
    ``expected(group)`` returns -1 (A < B predicted), +1, or None (no prediction: the
    group is reported as measured only and does not affect the verdict). Groups whose CI
    excludes 0 on the predicted side are consistent, on the other side inconsistent,
    otherwise inconclusive. Reporting every group is what shows where a claim holds
    and where it does not.
    """

    a: Reducer
    b: Reducer
    expected: Callable[[str], int | None]
    expected_source: Callable[[str], str] = lambda group: ""
    group: str = "group"
    n_boot: int = 1000
    level: float = 0.95
    kind: str = "contrast"

    def evaluate(self, results: list[PointResult], rng: np.random.Generator) -> Outcome:
        names = list(dict.fromkeys(str(pr.label(self.group)) for pr in results))
        level = per_point_level(self.level, len(names))
        rows, statuses = [], []
        for name in names:
            members = [pr for pr in results if str(pr.label(self.group)) == name]
            qa = [pr.values(self.a.quantity) for pr in members]
            qb = [pr.values(self.b.quantity) for pr in members]
            est = self.a(members, qa) - self.b(members, qb)
            both = qa + qb

            def one(r: np.random.Generator, members=members, both=both) -> float:
                res = resample(both, r)
                return self.a(members, res[: len(members)]) - self.b(members, res[len(members):])

            if fewest_trials(both) < 2:
                ci = Interval(est, -np.inf, np.inf, level)
            else:
                ci, _ = bootstrap_interval(one, est, rng, n_boot=self.n_boot, level=level)
            measured = -1 if ci.high < 0 else (1 if ci.low > 0 else 0)
            want = self.expected(name)
            if want is None:
                status = None
            elif measured == 0:
                status = Status.INCONCLUSIVE
            else:
                status = Status.CONSISTENT if measured == want else Status.INCONSISTENT
            if status is not None:
                statuses.append(status)
            rows.append({
                "group": name, "A": self.a(members, qa), "B": self.b(members, qb),
                "difference": est, "ci": ci.to_list(),
                "measured_sign": {-1: "A < B", 0: "undetermined", 1: "A > B"}[measured],
                "predicted_sign": {None: "no prediction", -1: "A < B", 1: "A > B"}[want],
                "prediction_source": self.expected_source(name),
                "status": status.value if status else "measured only",
            })
        reason = (f"A = {self.a.describe()}, B = {self.b.describe()}; sign of A - B in "
                  f"{len(rows)} groups, {len(statuses)} with a prediction")
        return Outcome(combine(statuses), reason, {"kind": self.kind, "A": self.a.describe(),
                                                   "B": self.b.describe(), "groups": rows})
