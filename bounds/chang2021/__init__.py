"""Theory of paper ``chang2021`` (Chang, Li, Oymak, Thrampoulidis, AAAI 2021): train large,
then prune. Min-norm least squares and random features, numeric and sympy.

All formulas are derived (our derivation, docs/derivations/chang2021.md), not the paper's
theorems, except the isotropic excess risk (Hastie, Montanari, Rosset, Tibshirani 2019, Thm 1).
"""

from .closed_forms import (
    isotropic_excess_risk,
    isotropic_tau2,
    isotropic_xi,
    limits,
    numeric,
    two_level_xi,
    underparameterized_tau2,
)
from .designs import DESIGNS, L1, Design, isotropic, make_design, two_level
from .fixed_point import bias_variance, dense_risk, df2, effective_noise, solve_xi, surrogate
from .general import dense_risk_general, pruned_risk_general, solve_xi_general
from .pruning import RULES, keep_probabilities, pruned_risk, retrained_risk, small_model_risk
from .random_features import MU1, MU_STAR2, relu_kernel, rf_equivalent

__all__ = [
    "DESIGNS",
    "L1",
    "MU1",
    "MU_STAR2",
    "RULES",
    "Design",
    "bias_variance",
    "dense_risk",
    "dense_risk_general",
    "df2",
    "effective_noise",
    "isotropic",
    "isotropic_excess_risk",
    "isotropic_tau2",
    "isotropic_xi",
    "keep_probabilities",
    "limits",
    "make_design",
    "numeric",
    "pruned_risk",
    "pruned_risk_general",
    "relu_kernel",
    "retrained_risk",
    "rf_equivalent",
    "small_model_risk",
    "solve_xi",
    "solve_xi_general",
    "surrogate",
    "two_level",
    "two_level_xi",
    "underparameterized_tau2",
]
