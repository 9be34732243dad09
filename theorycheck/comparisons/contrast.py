"""Contrast comparison: which of two strategies is better, group by group."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import ClassVar, Literal

import numpy as np

from theorycheck.claims import PointResult
from theorycheck.comparisons.bands import per_point_level
from theorycheck.evidence import Evidence, Table, rows_table
from theorycheck.stats import bootstrap_trials, shares_seeds
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

    def chosen(self, members: list[PointResult]) -> list[int]:
        return [k for k, pr in enumerate(members) if self.select is None or self.select(pr)]

    def of(self, values: list[np.ndarray], chosen: list[int], idx: list[np.ndarray]) -> float:
        """The statistic from the trials ``idx[k]`` of each chosen point ``k``."""
        if not chosen:
            return float("nan")
        means = [float(values[k][idx[k]].mean()) for k in chosen]
        return float(min(means)) if self.reduce == "min" else float(np.mean(means))

    def describe(self) -> str:
        return self.name or f"{self.reduce} of E[{self.quantity}]"


@dataclass
class ContrastRow:
    group: str
    A: float
    B: float
    difference: float
    ci: tuple[float, float]
    measured_sign: str
    predicted_sign: str
    prediction_source: str
    status: str


@dataclass
class ContrastEvidence(Evidence):
    kind: ClassVar[str] = "contrast"
    A: str = ""
    B: str = ""
    groups: list[ContrastRow] = field(default_factory=list)

    def tables(self) -> list[Table]:
        return [rows_table(f"contrast: A = {self.A}, B = {self.B}", self.groups, (
            ("group", "group"), ("A", "A"), ("B", "B"), ("difference", "A - B"),
            ("ci", "95% CI"), ("measured_sign", "measured"), ("predicted_sign", "predicted"),
            ("prediction_source", "prediction from"), ("status", "status")))]


@dataclass
class ContrastComparison:
    """Sign of A - B in each group, against the sign predicted for that group.

    For each group (the point label ``group``), A and B are statistics of the group's
    points (see ``Reducer``); the CI on A - B is a bootstrap over seeds in which A and B of
    one run are resampled together (whole seeds across points that share them).
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
        ev = ContrastEvidence(self.a.describe(), self.b.describe())
        statuses = []
        for name in names:
            members = [pr for pr in results if str(pr.label(self.group)) == name]
            qa = [pr.values(self.a.quantity) for pr in members]
            qb = [pr.values(self.b.quantity) for pr in members]
            ca, cb = self.a.chosen(members), self.b.chosen(members)
            ci, _ = bootstrap_trials(
                lambda idx, qa=qa, qb=qb, ca=ca, cb=cb: self.a.of(qa, ca, idx) - self.b.of(
                    qb, cb, idx),
                [len(pr.results) for pr in members], rng,
                paired=shares_seeds([pr.seeds for pr in members]), n_boot=self.n_boot,
                level=level)
            finite = all(np.all(np.isfinite(v)) for v in qa + qb)
            measured = 0 if not finite else -1 if ci.high < 0 else (1 if ci.low > 0 else 0)
            want = self.expected(name)
            status = None
            if want is not None:
                status = (Status.INCONCLUSIVE if measured == 0 else
                          Status.CONSISTENT if measured == want else Status.INCONSISTENT)
                statuses.append(status)
            full = [np.arange(len(pr.results)) for pr in members]
            ev.groups.append(ContrastRow(
                name, self.a.of(qa, ca, full), self.b.of(qb, cb, full), ci.estimate,
                (ci.low, ci.high),
                {-1: "A < B", 0: "undetermined", 1: "A > B"}[measured],
                {None: "no prediction", -1: "A < B", 1: "A > B"}[want],
                self.expected_source(name), status.value if status else "measured only"))
        reason = (f"A = {self.a.describe()}, B = {self.b.describe()}; sign of A - B in "
                  f"{len(ev.groups)} groups, {len(statuses)} with a prediction")
        return Outcome(combine(statuses), reason, ev)
