"""Conjunction of comparisons: a claim with several parts holds when every part holds."""

from __future__ import annotations

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
