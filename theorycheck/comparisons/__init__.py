"""Kinds of comparison between a measurement and a prediction (docs/architecture.md).

Each comparison is a small dataclass holding the prediction and the tolerance, with an
``evaluate(results, rng) -> Outcome`` method whose evidence is a typed ``Evidence`` that
renders its own tables and figures. They are paper-agnostic: any claim of any paper can use
them.
"""

from theorycheck.comparisons.combine import AllOf, Subset
from theorycheck.comparisons.contrast import ContrastComparison, Reducer
from theorycheck.comparisons.distribution import NormalityComparison
from theorycheck.comparisons.identity import IdentityComparison
from theorycheck.comparisons.order import OrderComparison
from theorycheck.comparisons.per_network import PerNetworkComparison
from theorycheck.comparisons.proportion import ProportionComparison
from theorycheck.comparisons.shape import MonotoneComparison, PeakComparison
from theorycheck.comparisons.transition import TransitionComparison
from theorycheck.comparisons.value import ValueComparison

__all__ = [
    "AllOf",
    "ContrastComparison",
    "IdentityComparison",
    "MonotoneComparison",
    "NormalityComparison",
    "OrderComparison",
    "PeakComparison",
    "PerNetworkComparison",
    "ProportionComparison",
    "Reducer",
    "Subset",
    "TransitionComparison",
    "ValueComparison",
]
