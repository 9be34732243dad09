"""Predicted orders and thresholds of paper ``yang2023``, with exponents derived by sympy.

``ORDERS`` maps a name to an ``Order`` (a sympy expression in the paper's symbols, with its
provenance):

- ``gamma_off_max`` (``paper``, S2): ``max_{j != k, r} |gamma_{j,r,k}| = O~(sigma_0 mu)``;
- ``zeta_max``, ``omega_max`` (``paper``, S3):
  ``max zeta, max |omega| = O~(sigma_0 sigma_n sqrt(p d))``;
- ``gamma_signal_max`` (``derived``, D1): ``max_r gamma_{j,r,j} = Omega~(1)`` (mild pruning);
- ``zeta_memorized_max`` (``derived``, D2): ``max_r zeta_{y_i,r,i} = Omega~(1)`` (over-pruned);
- ``mu_crit`` / ``mu_crit_dense`` (``derived``, D5): the critical signal strength, solved by
  sympy from the benign conditions ``conditions.BENIGN`` / ``conditions.BENIGN_DENSE``:
  ``C_2^(1/q) sigma_n sqrt(p d) n^(-1/q)`` (sparse) and ``C_2^(1/q) sigma_n sqrt(d) n^(-1/q)``
  (dense: the p-dependence cancels, the control case).

O~ / Omega~ hide polylog factors: an order check fits a log-log slope along a one-parameter
path and compares it with ``exponent`` / ``path_exponent`` with a stated polylog slack.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import sympy as sp

from .conditions import BENIGN, BENIGN_DENSE, Condition, evaluate_numeric
from .symbols import PATH_T, SYMBOLS, d, mu, p, sigma_0, sigma_n

__all__ = [
    "ORDERS",
    "Order",
    "critical_signal",
    "exponent",
    "path_exponent",
    "predicted",
]


@dataclass(frozen=True)
class Order:
    """A predicted quantity: ``kind`` is ``"O~"`` (upper order), ``"Omega~"`` (lower order) or
    ``"threshold"``; ``provenance`` is ``"paper"`` or ``"derived"``; ``source`` the item
    (``"S2"``, ``"D5"``, ...)."""

    name: str
    expr: sp.Expr
    kind: str
    provenance: str
    source: str
    description: str


def critical_signal(condition: Condition) -> sp.Expr:
    """Solve ``condition.lhs = condition.rhs`` for the signal norm ``mu`` with sympy.

    Raises ``ValueError`` unless there is exactly one positive solution.
    """
    solutions = [s for s in sp.solve(sp.Eq(condition.lhs, condition.rhs), mu) if s.is_positive]
    if len(solutions) != 1:
        raise ValueError(f"{condition.name}: expected one positive mu, got {solutions}")
    return sp.expand_power_base(sp.powdenest(solutions[0], force=True), force=True)


_noise_scale = sigma_0 * sigma_n * sp.sqrt(p * d)

#: The predicted expressions by name.
ORDERS: dict[str, Order] = {
    o.name: o
    for o in (
        Order(
            "gamma_off_max",
            sigma_0 * mu,
            "O~",
            "paper",
            "S2",
            "mild pruning, at T: max_{j != k, r} |gamma_{j,r,k}| = O~(sigma_0 ||mu||)",
        ),
        Order(
            "zeta_max",
            _noise_scale,
            "O~",
            "paper",
            "S3",
            "mild pruning, at T: max_{j,r,i} zeta_{j,r,i} = O~(sigma_0 sigma_n sqrt(p d))",
        ),
        Order(
            "omega_max",
            _noise_scale,
            "O~",
            "paper",
            "S3",
            "mild pruning, at T: max_{j,r,i} |omega_{j,r,i}| = O~(sigma_0 sigma_n sqrt(p d))",
        ),
        Order(
            "gamma_signal_max",
            sp.Integer(1),
            "Omega~",
            "derived",
            "D1",
            "mild pruning, at T: for every class j, max_r gamma_{j,r,j} = Omega~(1)",
        ),
        Order(
            "zeta_memorized_max",
            sp.Integer(1),
            "Omega~",
            "derived",
            "D2",
            "over-pruned, at T: for every sample i, max_r zeta_{y_i,r,i} = Omega~(1)",
        ),
        Order(
            "mu_crit",
            critical_signal(BENIGN),
            "threshold",
            "derived",
            "D5",
            "critical ||mu|| (sparse signals), from n mu^q = C_2 (sigma_n sqrt(p d))^q",
        ),
        Order(
            "mu_crit_dense",
            critical_signal(BENIGN_DENSE),
            "threshold",
            "derived",
            "D5",
            "critical ||mu|| (dense signals, control), from n (sqrt(p) mu)^q = "
            "C_2 (sigma_n sqrt(p d))^q",
        ),
    )
}


def _symbol(param: sp.Symbol | str) -> sp.Symbol:
    if isinstance(param, sp.Symbol):
        return param
    if param not in SYMBOLS:
        raise ValueError(f"unknown parameter {param!r}; allowed: {sorted(SYMBOLS)}")
    return SYMBOLS[param]


def exponent(expr: sp.Expr, param: sp.Symbol | str) -> sp.Expr:
    """The log-log slope ``d log(expr) / d log(param)``, derived by sympy.

    Computed as ``simplify(param * diff(log(expr), param))``. It is a ``sympy.Rational`` when
    the exponent is numeric (e.g. ``1/2`` for ``sqrt(p d)`` in ``p``), and may involve other
    symbols (``-1/q`` for ``mu_crit`` in ``n``; substitute ``q`` first for a number).
    Raises ``ValueError`` when the slope depends on ``param`` itself: then ``expr`` is not a
    power law in ``param`` (e.g. ``d log(d)``).
    """
    x = _symbol(param)
    slope = sp.simplify(x * sp.diff(sp.log(expr), x))
    if slope.has(x) or slope.has(sp.nan, sp.zoo):
        raise ValueError(f"{expr} is not a power law in {x}: d log/d log {x} = {slope}")
    return slope


def path_exponent(
    expr: sp.Expr, path: Mapping[str | sp.Symbol, sp.Expr], t: sp.Symbol = PATH_T
) -> sp.Expr:
    """The log-log slope of ``expr`` in ``t`` along a one-parameter path.

    ``path`` maps each moving parameter to an expression in ``t`` and the fixed parameters,
    e.g. ``{"p": t, "mu": c * sqrt(t * d)}`` (``||mu||`` scaled with ``sqrt(p d)``, which keeps
    the benign margin constant). A path expression may not contain a moving parameter, and at
    least one must contain ``t``; otherwise ``ValueError``. Raises ``ValueError`` like
    ``exponent`` when ``expr`` is not a power law in ``t`` along the path.
    """
    moving: dict[sp.Symbol, sp.Expr] = {}
    for key, value in path.items():
        try:  # strict: numbers and sympy objects only, never strings
            moving[_symbol(key)] = sp.sympify(value, strict=True)
        except sp.SympifyError as err:
            raise ValueError(f"path value of {key} must be a sympy expression: {err}") from err
    for sym, value in moving.items():
        clash = value.free_symbols & set(moving)
        if clash:
            raise ValueError(f"path value of {sym} contains moving parameter(s) {clash}")
    if not any(value.has(t) for value in moving.values()):
        raise ValueError(f"no path expression contains {t}")
    return exponent(expr.subs(moving, simultaneous=True), t)


def predicted(
    expr_name: str, constants: Mapping[str, float] | None = None, **params: float
) -> float:
    """Evaluate ``ORDERS[expr_name].expr`` at numbers (lambdify; validated parameters).

    Named constants (``C_2`` for ``mu_crit``) default to ``symbols.CONSTANT_DEFAULTS``.
    """
    if expr_name not in ORDERS:
        raise ValueError(f"unknown expression {expr_name!r}; allowed: {sorted(ORDERS)}")
    return evaluate_numeric(ORDERS[expr_name].expr, params, constants)
