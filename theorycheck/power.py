"""Whether a claim's budget can reach a decision at all, said before anything runs.

A comparison that, with its tolerance, its level and the sweep's trial counts, could not
return ``consistent`` even if the prediction were exact is no test: D4's dead-class
proportion at 16 networks had a Clopper-Pearson half-width above its tolerance. Each leaf
comparison that can say so implements ``trials_needed(points, point) -> int | None``: the
fewest trials at a point of a sweep of ``points`` points (at its level inside the claim's
family, see ``comparisons.combine``) at which an exact prediction can come out consistent;
None when that depends on data not yet measured (a variance, say). :func:`shortfalls` walks
a claim's comparison and lists every part whose points have fewer trials than that.
"""

from __future__ import annotations

import dataclasses
import warnings

from theorycheck.claims import Claim, Point, PointResult
from theorycheck.comparisons.combine import AllOf, Subset


class BudgetWarning(UserWarning):
    """A claim whose budget cannot decide for its prediction (shown before the check runs)."""


@dataclasses.dataclass(frozen=True)
class Shortfall:
    """A part of a claim that its budget cannot decide for the prediction."""

    part: str
    needed: int
    have: int

    def describe(self) -> str:
        return (f"{self.part} needs {self.needed} trials per point to be able to come out "
                f"consistent, the budget gives {self.have}")


def _leaves(comparison: object) -> list[tuple[object, object]]:
    """(leaf, selector or None) pairs, each leaf at its level in the family."""
    if isinstance(comparison, AllOf):
        return [pair for p in comparison.family_parts() for pair in _leaves(p)]
    if isinstance(comparison, Subset):
        return [(leaf, comparison.select) for leaf, _ in _leaves(comparison.part)]
    return [(comparison, None)]


def shortfalls(claim: Claim, points: list[Point]) -> list[Shortfall]:
    """Every part of ``claim`` whose points (those its subset selects, judged by their
    labels) have fewer trials than the part needs. A part that cannot say is left out."""
    found = []
    for leaf, select in _leaves(claim.comparison):
        needed_at = getattr(leaf, "trials_needed", None)
        if needed_at is None:
            continue
        mine = [pt for pt in points
                if select is None or select(PointResult(pt, [], []))]
        if not mine:
            continue
        needs = [needed_at(len(mine), pt) for pt in mine]
        short = [(n, pt.trials) for n, pt in zip(needs, mine) if n is not None and pt.trials < n]
        if short:
            need, have = max(short)
            label = f"{getattr(leaf, 'kind', 'part')} of {getattr(leaf, 'quantity', '?')}"
            found.append(Shortfall(label, need, min(h for _, h in short)))
    return found


def announce(paper: str, claim: Claim, budget: str) -> None:
    """Warn, before anything runs, of every part of ``claim`` that ``budget`` cannot decide
    (on the points inside the claim's conditions). Plugin code that raises is left for the
    check to report, naming the claim."""
    try:
        points = claim.sweep(budget)
        inside = [pt for pt in points if claim.conditions is None or claim.conditions(pt)[0]]
        found = shortfalls(claim, inside)
    except Exception:  # noqa: BLE001 - check_claim reports it, naming the claim
        return
    for s in found:
        warnings.warn(f"{paper} {claim.key} at budget {budget!r}: {s.describe()}",
                      BudgetWarning, stacklevel=3)
