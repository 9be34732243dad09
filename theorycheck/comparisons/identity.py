"""Identity comparison: a closed form (sympy) equals a numeric solver, case by case."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from theorycheck.claims import PointResult
from theorycheck.verdicts import Outcome, Status


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
            rows.append({"case": label, "closed_form": closed, "solver": solver,
                         "rel_error": err, "status": ("consistent" if err <= self.rtol
                                                      else "inconsistent")})
        worst = max((r["rel_error"] for r in rows), default=float("nan"))
        ok = bool(rows) and worst <= self.rtol
        status = Status.CONSISTENT if ok else Status.INCONSISTENT
        return Outcome(status, f"{len(rows)} cases, worst relative error {worst:.2e} "
                       f"(tolerance {self.rtol:.0e})",
                       {"kind": self.kind, "rows": rows, "tolerance": self.rtol})
