"""The one decision rule shared by interval-based comparisons."""

from __future__ import annotations

from theorycheck.stats import Interval
from theorycheck.verdicts import Status


def decide(ci: Interval, low: float, high: float) -> Status:
    """Compare a confidence interval with the tolerance band [low, high].

    consistent: the interval lies inside the band (so it was narrow enough to detect a
    disagreement); inconsistent: it lies entirely outside; inconclusive: it straddles an edge.
    """
    if ci.low >= low and ci.high <= high:
        return Status.CONSISTENT
    if ci.high < low or ci.low > high:
        return Status.INCONSISTENT
    return Status.INCONCLUSIVE


def per_point_level(level: float, n_points: int) -> float:
    """Bonferroni: each of ``n_points`` intervals at this level keeps the family at ``level``."""
    return 1.0 - (1.0 - level) / max(n_points, 1)
