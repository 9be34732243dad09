"""Conjunction of comparisons, and a comparison restricted to some points of a sweep.

A claim of several parts is one family: :class:`AllOf` gives each of its ``n`` leaf parts
(nested conjunctions and subsets flattened) the Bonferroni level ``1 - (1 - level) / n``,
and each part divides its share again over its points, so that a true claim comes out
inconsistent with probability at most ``1 - level`` in all (not up to ~20% for S3's eight
parts at 95% each). The reason states the family.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from theorycheck.claims import Comparison, PointResult
from theorycheck.evidence import NoEvidence, Part, PartsEvidence, SubsetEvidence
from theorycheck.verdicts import Outcome, Status, combine


def leaves(comparison: Comparison) -> int:
    """How many parts a comparison judges (conjunctions and subsets flattened)."""
    if isinstance(comparison, AllOf):
        return sum(leaves(p) for p in comparison.parts)
    if isinstance(comparison, Subset):
        return leaves(comparison.part)
    return 1


def at_level(comparison: Comparison, level: float) -> Comparison:
    """``comparison`` with every leaf's confidence level set to ``level`` (a leaf names its
    level field ``confidence_field``, default ``"level"``; one without, e.g. a symbolic
    identity, has no error rate and is left as it is)."""
    if isinstance(comparison, AllOf):
        return dataclasses.replace(comparison, parts=[at_level(p, level)
                                                      for p in comparison.parts],
                                   level=level, corrected=True)
    if isinstance(comparison, Subset):
        return dataclasses.replace(comparison, part=at_level(comparison.part, level))
    name = getattr(comparison, "confidence_field", "level")
    if dataclasses.is_dataclass(comparison) and name in {
            f.name for f in dataclasses.fields(comparison)}:
        return dataclasses.replace(comparison, **{name: level})
    return comparison


@dataclass
class AllOf:
    """Every part evaluated on the same measurements; statuses folded by ``combine``.

    The parts form one family at ``level`` (Bonferroni over the leaf parts; see the module
    docstring). ``corrected``: the parts' levels are already set (a nested conjunction)."""

    parts: list[Comparison]
    level: float = 0.95
    corrected: bool = False
    kind: str = "all-of"

    def share(self) -> float:
        """The Bonferroni level of each leaf part."""
        return 1.0 - (1.0 - self.level) / leaves(self)

    def family_parts(self) -> list[Comparison]:
        """The parts, each at its level in the family."""
        return self.parts if self.corrected else [at_level(p, self.share())
                                                  for p in self.parts]

    def evaluate(self, results: list[PointResult], rng: np.random.Generator) -> Outcome:
        n, share = leaves(self), self.share()
        outcomes = [part.evaluate(results, rng) for part in self.family_parts()]
        family = ("" if self.corrected else
                  f"one family of {n} parts at {self.level:g} (Bonferroni: {share:.4f} "
                  "each, divided again over each part's points): ")
        reason = family + "; ".join(f"[{o.status.value}] {o.reason}" if o.judged else
                                    f"[not judged] {o.reason}" for o in outcomes)
        judged = [o for o in outcomes if o.judged]
        return Outcome(combine([o.status for o in judged]), reason,
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
        chosen = [pr for pr in results if self.select(pr)]
        if not chosen:  # none of its kind here: nothing to judge, left out of a conjunction
            return Outcome(Status.INCONCLUSIVE, f"{self.description or 'subset'}: no points "
                           "at this budget", SubsetEvidence(self.description, NoEvidence()),
                           judged=False)
        if all(pr.repeat_of is not None for pr in chosen):  # the same experiments again
            first = chosen[0].repeat_of
            return Outcome(Status.INCONCLUSIVE, f"{self.description or 'subset'}: every point "
                           f"repeats another part's experiment (e.g. {dict(first or {})}): "
                           "shown once, counted once",
                           SubsetEvidence(self.description, NoEvidence()), judged=False)
        out = self.part.evaluate(chosen, rng)
        reason = f"{self.description}: {out.reason}" if self.description else out.reason
        return Outcome(out.status, reason, SubsetEvidence(self.description, out.evidence),
                       out.judged)
