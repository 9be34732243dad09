"""Closed forms of the ``chang2021`` fixed-point theory in sympy, one definition each.

Float evaluation goes through :func:`numeric` (lambdify of the same expression), never a hand
copy. The expression builders are cached (sympy expressions are immutable). Symbols (all
positive): kappa = p/n, sigma (noise sd), b2 = ||beta||^2, n, p, k, lambda_1, lambda_2.

The isotropic excess risk is a published result: Hastie, Montanari, Rosset, Tibshirani,
"Surprises in high-dimensional ridgeless least squares interpolation" (2019; Ann. Statist.
2022), Theorem 1. The two-level fixed point and the general tau^2 are derived (our derivation,
docs/derivations/chang2021.md), not the paper's theorems.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

import numpy as np
import sympy as sp

__all__ = [
    "kappa",
    "sigma",
    "b2",
    "n",
    "p",
    "k",
    "lambda_1",
    "lambda_2",
    "isotropic_xi",
    "isotropic_tau2",
    "isotropic_excess_risk",
    "underparameterized_tau2",
    "two_level_xi",
    "limits",
    "numeric",
]

kappa, sigma, b2, n, p, k, lambda_1, lambda_2 = sp.symbols(
    "kappa sigma b2 n p k lambda_1 lambda_2", positive=True
)
_xi = sp.Symbol("xi", positive=True)


@cache
def isotropic_xi() -> sp.Expr:
    """xi for Sigma = I, kappa > 1: the root of p / (1 + xi) = n, i.e. xi = kappa - 1.

    Derived (our derivation, docs/derivations/chang2021.md) from the fixed-point equation.
    """
    (root,) = sp.solve(sp.Eq(p / (1 + _xi), n), _xi)
    return sp.simplify(root.subs(p, kappa * n))


@cache
def isotropic_tau2() -> sp.Expr:
    """tau^2 = sigma^2 kappa/(kappa - 1) + ||beta||^2 (kappa - 1)/kappa for Sigma = I, kappa > 1.

    Obtained by substituting xi = kappa - 1, df2 = p/(1 + xi)^2 and
    sum beta_i^2/(1 + xi)^2 = b2/(1 + xi)^2 into the fixed-point tau^2; equals sigma^2 plus the
    excess risk of HMRT (2019), Theorem 1.
    """
    xi = isotropic_xi()
    df2_over_n = kappa / (1 + xi) ** 2
    return sp.simplify((sigma**2 + xi**2 * b2 / (1 + xi) ** 2) / (1 - df2_over_n))


@cache
def isotropic_excess_risk() -> sp.Expr:
    """Excess risk tau^2 - sigma^2 = ||beta||^2 (1 - 1/kappa) + sigma^2/(kappa - 1), kappa > 1.

    Published: Hastie, Montanari, Rosset, Tibshirani (2019), Theorem 1 (min-norm least squares,
    isotropic features).
    """
    return sp.simplify(isotropic_tau2() - sigma**2)


@cache
def underparameterized_tau2() -> sp.Expr:
    """Asymptotic risk of least squares for kappa < 1: sigma^2 / (1 - kappa).

    Derived (our derivation, docs/derivations/chang2021.md); the finite-n exact expectation
    sigma^2 (n - 1)/(n - p - 1) is what the numeric code uses by default.
    """
    return sigma**2 / (1 - kappa)


@cache
def two_level_xi() -> sp.Expr:
    """xi for k features with eigenvalue lambda_1 and p - k with lambda_2 (p > n).

    Derived (our derivation, docs/derivations/chang2021.md), not the paper's theorem. Clearing
    denominators in k l1/(l1 + xi) + (p - k) l2/(l2 + xi) = n gives
    n xi^2 + [n (l1 + l2) - k l1 - (p - k) l2] xi - (p - n) l1 l2 = 0. For p > n the product of
    the roots is negative, so exactly one root is positive throughout the region and neither
    crosses 0; the positive branch is identified at one reference point and returned.
    """
    eq = sp.together(k * lambda_1 / (lambda_1 + _xi) + (p - k) * lambda_2 / (lambda_2 + _xi) - n)
    quadratic = sp.expand(-sp.numer(eq))
    roots = sp.solve(quadratic, _xi)
    ref = {n: 3, p: 7, k: 2, lambda_1: 5, lambda_2: sp.Rational(1, 2)}
    (positive,) = [r for r in roots if r.subs(ref).evalf() > 0]
    return positive


def limits() -> dict[str, sp.Expr]:
    """Limits of the isotropic closed forms (sympy values).

    tau2_kappa_to_1_plus / tau2_kappa_to_1_minus: oo (the interpolation peak, both sides);
    tau2_kappa_to_oo: sigma^2 + ||beta||^2 (the null risk); excess_kappa_to_oo: ||beta||^2;
    xi_kappa_to_1_plus: 0.
    """
    tau2 = isotropic_tau2()
    return {
        "tau2_kappa_to_1_plus": sp.limit(tau2, kappa, 1, "+"),
        "tau2_kappa_to_1_minus": sp.limit(underparameterized_tau2(), kappa, 1, "-"),
        "tau2_kappa_to_oo": sp.limit(tau2, kappa, sp.oo),
        "excess_kappa_to_oo": sp.limit(isotropic_excess_risk(), kappa, sp.oo),
        "xi_kappa_to_1_plus": sp.limit(isotropic_xi(), kappa, 1, "+"),
    }


def numeric(expr: sp.Expr) -> Callable[..., np.ndarray | float]:
    """Lambdify ``expr`` to numpy; call the result with its free symbols as keyword arguments
    (e.g. ``numeric(isotropic_tau2())(kappa=2.0, sigma=0.5, b2=1.0)``); arrays broadcast."""
    syms = sorted(expr.free_symbols, key=str)
    names = [str(s) for s in syms]
    fn = sp.lambdify(syms, expr, "numpy")

    def evaluate(**values: float | np.ndarray) -> np.ndarray | float:
        if set(values) != set(names):
            raise ValueError(f"expected keyword arguments {names}, got {sorted(values)}")
        return fn(*(values[name] for name in names))

    evaluate.__doc__ = f"Numeric form of {expr} (arguments: {', '.join(names)})."
    return evaluate
