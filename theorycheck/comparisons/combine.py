"""Conjunction of comparisons, and a comparison restricted to some points of a sweep."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from theorycheck.claims import Comparison, PointResult
from theorycheck.evidence import Part, PartsEvidence, SubsetEvidence
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
                       PartsEvidence([Part(o.status.value, o.reason, o.evidence)
                                      for o in outcomes]))


@dataclass
class Subset:
    """A comparison applied to the points ``select`` picks (e.g. one data model of a sweep
    that also holds a control group, shown in the plots but not judged)."""

    part: Comparison
    select: Callable[[PointResult], bool]
    description: str = ""
    kind: str = "subset"

    def evaluate(self, results: list[PointResult], rng: np.random.Generator) -> Outcome:
        out = self.part.evaluate([pr for pr in results if self.select(pr)], rng)
        reason = f"{self.description}: {out.reason}" if self.description else out.reason
        return Outcome(out.status, reason, SubsetEvidence(self.description, out.evidence))
