"""Sweep sizes of the ``chang2021`` claims per budget: grids of kappa = p / n and trials.

``smoke`` runs in seconds (tests), ``quick`` in minutes on two CPU cores (the committed
report), ``full`` uses denser grids, larger n for C1/C2 and more trials. Points where the
risk is heavy-tailed (kappa = 0.75 for C1, fresh retraining with s/n = 0.75 for C4) need many
trials before an interval is narrower than the 5% tolerance: ``quick`` leaves kappa = 0.75
to ``full`` and checks C4 at two kappas with 500 trials.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Budget:
    """Grid and trial counts of one budget."""

    trials: int
    retrain_trials: int
    rf_trials: int
    n_dense: int
    dense_kappas: tuple[float, ...]
    prune_kappas: tuple[float, ...]
    retrain_kappas: tuple[float, ...]
    descent_kappas: tuple[float, ...]
    rf_kappas: tuple[float, ...]
    normal_kappas: tuple[float, ...]
    estimates: int
    n_mc: int


BUDGETS = {
    "smoke": Budget(
        trials=6, retrain_trials=6, rf_trials=5, n_dense=100, dense_kappas=(0.5, 2.0, 5.0),
        prune_kappas=(2.0, 5.0), retrain_kappas=(2.0,), descent_kappas=(0.75, 0.95, 1.05, 2.0, 5.0),
        rf_kappas=(1 / 3, 0.9, 1.1, 2.0, 3.0), normal_kappas=(2.0,), estimates=50, n_mc=50),
    "quick": Budget(
        trials=120, retrain_trials=500, rf_trials=40, n_dense=200,
        dense_kappas=(0.5, 0.6, 1.5, 2.0, 3.0, 5.0, 10.0, 20.0),
        prune_kappas=(1.5, 2.0, 3.0, 5.0, 10.0, 20.0), retrain_kappas=(2.0, 5.0),
        descent_kappas=(0.75, 0.85, 0.95, 1.05, 1.15, 1.3, 1.5, 2.0, 3.0, 5.0, 10.0, 20.0,
                        50.0),
        rf_kappas=(1 / 3, 0.5, 0.8, 0.9, 1.1, 1.25, 1.5, 2.0, 3.0, 5.0),
        normal_kappas=(2.0, 5.0), estimates=200, n_mc=200),
    "full": Budget(
        trials=400, retrain_trials=800, rf_trials=100, n_dense=400,
        dense_kappas=(0.5, 0.75, 1.5, 2.0, 3.0, 5.0, 10.0, 20.0),
        prune_kappas=(1.5, 2.0, 3.0, 5.0, 10.0, 20.0),
        retrain_kappas=(1.5, 2.0, 3.0, 5.0, 10.0, 20.0),
        descent_kappas=(0.75, 0.8, 0.85, 0.9, 0.95, 1.05, 1.1, 1.15, 1.3, 1.5, 2.0, 3.0, 5.0,
                        7.5, 10.0, 20.0, 35.0, 50.0),
        rf_kappas=(1 / 3, 0.5, 0.7, 0.8, 0.9, 1.1, 1.25, 1.5, 2.0, 3.0, 5.0, 8.0),
        normal_kappas=(1.5, 2.0, 5.0, 10.0), estimates=400, n_mc=1000),
}
