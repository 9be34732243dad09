"""The theory in sympy: one expression, evaluated symbolically and numerically.

E[excess risk] = E||beta_hat - beta||^2 = sigma^2 p / (n - p - 1)   (n > p + 1).

Along the path "n grows, p and sigma fixed", the excess risk is Theta(n^-1): sympy derives
the exponent as the limit of d log(risk) / d log n.
"""

from __future__ import annotations

import sympy as sp

n, p, sigma = sp.symbols("n p sigma", positive=True)
EXCESS_RISK = sigma**2 * p / (n - p - 1)
_numeric = sp.lambdify((n, p, sigma), EXCESS_RISK, "math")


def excess_risk(n_: int, p_: int, sigma_: float) -> float:
    """sigma^2 p / (n - p - 1), from the sympy expression (lambdify); inf for n <= p + 1."""
    return float(_numeric(n_, p_, sigma_)) if n_ > p_ + 1 else float("inf")


def exponent_in_n() -> sp.Expr:
    """lim_{n -> oo} d log(excess risk) / d log n (= -1)."""
    return sp.limit(n * sp.diff(sp.log(EXCESS_RISK), n), n, sp.oo)
