"""Sweep sizes of the ``yang2023`` claims per budget.

``smoke`` runs in seconds (tests): every regime at simulation scale (d = 1000), outside the
theorem's D6 conditions, so the S-claims are shown but not judged. ``quick`` (minutes on
two CPU cores, the committed report) and ``full`` (more seeds and points and the pruning
path, meant for a GPU) plan the S-claims', D1's and D2's regimes inside D6 with the default
constants (``plan``). The cheapest over-pruned network inside D6 (S5, D2) has d of about
4e8: its statistics are drawn from their exact law (``draws="wishart"``), which costs
seconds whatever d, where streaming its coordinates would take a CPU about 15 minutes.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Budget:
    """Trials per point for each group of claims, and the grids."""

    in_d6: bool  # plan the S / D1 regimes inside D6 (else: simulation scale, d = 1000)
    over_in_d6: bool  # plan S5 / D2 inside D6 (d ~ 4e8, drawn by the statistics' law)
    regime_trials: int  # S1 / D1 per network: 20 let a two-part family decide at delta 0.2
    over_trials: int  # S5 / D2: the over-pruned networks (seconds each, drawn by their law)
    trend_trials: int
    order_trials: int
    order_points: int
    p_path: bool  # S3's path in p (a decade of p needs m ~ 10 log(K d): a GPU's work)
    count_trials: int
    boundary_trials: int
    boundary_mu_points: int


BUDGETS = {
    "smoke": Budget(in_d6=False, over_in_d6=False, regime_trials=2, over_trials=2,
                    trend_trials=2, order_trials=2, order_points=3, p_path=False,
                    count_trials=2, boundary_trials=2, boundary_mu_points=4),
    "quick": Budget(in_d6=True, over_in_d6=True, regime_trials=20, over_trials=20,
                    trend_trials=6, order_trials=3, order_points=4, p_path=False,
                    count_trials=28, boundary_trials=8, boundary_mu_points=10),
    "full": Budget(in_d6=True, over_in_d6=True, regime_trials=32, over_trials=32,
                   trend_trials=16, order_trials=8, order_points=5, p_path=True,
                   count_trials=32, boundary_trials=8, boundary_mu_points=12),
}
