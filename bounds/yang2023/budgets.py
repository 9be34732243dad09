"""Sweep sizes of the ``yang2023`` claims per budget (trials per point, grid densities).

``smoke`` runs in seconds (tests), ``quick`` in minutes on two CPU cores (the committed
report), ``full`` uses more seeds and denser grids (meant for a GPU).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Budget:
    """Trials per point for each group of claims, and the grid sizes."""

    regime_trials: int
    trend_trials: int
    order_trials: int
    order_points: int
    count_trials: int
    boundary_trials: int
    boundary_mu_points: int


BUDGETS = {
    "smoke": Budget(regime_trials=2, trend_trials=2, order_trials=2, order_points=3,
                    count_trials=2, boundary_trials=2, boundary_mu_points=4),
    "quick": Budget(regime_trials=8, trend_trials=8, order_trials=3, order_points=4,
                    count_trials=16, boundary_trials=8, boundary_mu_points=10),
    "full": Budget(regime_trials=16, trend_trials=24, order_trials=12, order_points=6,
                   count_trials=32, boundary_trials=8, boundary_mu_points=12),
}
