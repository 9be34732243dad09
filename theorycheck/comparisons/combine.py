"""Conjunction of comparisons: a claim with several parts holds when every part holds."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from theorycheck.claims import Comparison, PointResult
from theorycheck.verdicts import Outcome, combine


@dataclass
class AllOf:
    """Every part evaluated on the same measurements; statuses folded by ``combine``."""

    parts: list[Comparison]
    kind: str = "all-of"

    def evaluate(self, results: list[PointResult], rng: np.random.Generator) -> Outcome:
        outcomes = [part.evaluate(results, rng) for part in self.parts]
        reason = "; ".join(f"[{o.status.value}] {o.reason}" for o in outcomes)
        return Outcome(combine([o.status for o in outcomes]), reason,
                       {"kind": self.kind, "parts": [dict(o.evidence, status=o.status.value,
                                                          reason=o.reason) for o in outcomes]})


@dataclass
class Subset:
    """A comparison applied to the points ``select`` picks (e.g. one data model of a sweep
    that also holds a control group, shown in the plots but not judged)."""

    part: Comparison
    select: Callable[[PointResult], bool]
    description: str = ""
    kind: str = "subset"

    def evaluate(self, results: list[PointResult], rng: np.random.Generator) -> Outcome:
        chosen = [pr for pr in results if self.select(pr)]
        out = self.part.evaluate(chosen, rng)
        reason = f"{self.description}: {out.reason}" if self.description else out.reason
        return Outcome(out.status, reason, dict(out.evidence, subset=self.description))
