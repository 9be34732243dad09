"""Identity comparison: a closed form (sympy) equals a numeric solver, case by case."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import ClassVar

import numpy as np

from theorycheck.claims import PointResult
from theorycheck.evidence import Evidence, Table, rows_table
from theorycheck.verdicts import Outcome, Status


@dataclass
class IdentityRow:
    case: str
    closed_form: float
    solver: float
    rel_error: float
    status: str


@dataclass
class IdentityEvidence(Evidence):
    kind: ClassVar[str] = "identity"
    tolerance: float = 0.0
    rows: list[IdentityRow] = field(default_factory=list)

    def tables(self) -> list[Table]:
        return [rows_table(f"identity: closed form vs solver (rtol {self.tolerance:.0e})",
                           self.rows, (("case", "case"), ("closed_form", "closed form"),
                                       ("solver", "solver"), ("rel_error", "rel. error"),
                                       ("status", "status")))]


@dataclass
class IdentityComparison:
    """|closed - solver| <= rtol * max(1, |solver|) in every case ``cases()`` returns.

    ``cases`` computes, in this run, tuples (label, closed-form value, solver value).
    Deterministic: there is no Monte Carlo, so no inconclusive outcome.
    """

    cases: Callable[[], list[tuple[str, float, float]]]
    rtol: float = 1e-8
    kind: str = "identity"

    def evaluate(self, results: list[PointResult], rng: np.random.Generator) -> Outcome:
        rows = []
        for label, closed, solver in self.cases():
            err = abs(closed - solver) / max(1.0, abs(solver))
            ok = bool(np.isfinite(err)) and err <= self.rtol
            rows.append(IdentityRow(label, closed, solver, err,
                                    "consistent" if ok else "inconsistent"))
        worst = max((r.rel_error for r in rows), default=float("nan"))
        ok = bool(rows) and all(r.status == "consistent" for r in rows)
        return Outcome(Status.CONSISTENT if ok else Status.INCONSISTENT,
                       f"{len(rows)} cases, worst relative error {worst:.2e} "
                       f"(tolerance {self.rtol:.0e})", IdentityEvidence(self.rtol, rows))
