"""Symbols, named constants and parameter validation for paper ``yang2023``.

Yang, Liang, Guo, Wu, Wang (arXiv 2301.00335, 2023), random pruning at initialization of a
two-layer CNN in the multi-class "signal patch + noise patch" model of Cao, Chen, Belkin, Gu
(NeurIPS 2022). See ``docs/derivations/yang2023.md``.

Regime parameters (all positive sympy symbols):

- ``K``: number of classes; ``m``: filters per class; ``n``: training samples;
  ``d``: patch dimension; ``p``: probability that a weight is KEPT (pruning fraction ``1 - p``);
- ``sigma_0``: initialization scale; ``sigma_n``: noise scale; ``mu``: signal norm ``||mu||``;
- ``eta``: gradient-descent step; ``q``: activation power in ``max(0, z)^q``;
  ``epsilon``: target training loss.

Named constants (``C_1``, ``C_2``, ...), exponents and polylog powers of the ``derived``
conditions are sympy symbols too, so that a formula keeps them symbolically and a user with the
paper's full text can change a default in one place (``CONSTANT_DEFAULTS``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from numbers import Real

import sympy as sp

from theorycheck.params import shown

from .model import NetworkConfig

__all__ = [
    "CONSTANTS",
    "CONSTANT_DEFAULTS",
    "CONSTANT_DOCS",
    "PATH_T",
    "SYMBOLS",
    "C_1",
    "C_2",
    "C_3",
    "C_4",
    "C_5",
    "C_6",
    "C_over",
    "K",
    "alpha_dm",
    "alpha_dn",
    "d",
    "epsilon",
    "eta",
    "kappa_d",
    "kappa_nm",
    "m",
    "mu",
    "n",
    "p",
    "q",
    "sigma_0",
    "sigma_n",
    "resolve_constants",
    "validate_params",
]

K, m, n, d, p = sp.symbols("K m n d p", positive=True)
sigma_0, sigma_n, mu, eta, q, epsilon = sp.symbols(
    "sigma_0 sigma_n mu eta q epsilon", positive=True
)

#: Regime parameters by name.
SYMBOLS: dict[str, sp.Symbol] = {
    s.name: s for s in (K, m, n, d, p, sigma_0, sigma_n, mu, eta, q, epsilon)
}

#: The parameter of one-parameter paths (see ``orders.path_exponent``).
PATH_T = sp.Symbol("t", positive=True)

# Named constants (D4, D5, D6 are ``derived``: our reconstructions, not the paper's theorems).
C_1 = sp.Symbol("C_1", positive=True)  # D4 mild pruning: m p >= C_1 log(K d)
C_2 = sp.Symbol("C_2", positive=True)  # D5 benign: n mu^q >= C_2 (sigma_n sqrt(p d))^q
C_3 = sp.Symbol("C_3", positive=True)  # D6 dimension condition
C_4 = sp.Symbol("C_4", positive=True)  # D6 sizes: n, m >= C_4 log(d)^kappa_nm
C_5 = sp.Symbol("C_5", positive=True)  # D6 step: eta <= min(mu^-2, (sigma_n^2 p d)^-1) / C_5
C_6 = sp.Symbol("C_6", positive=True)  # D6 init: sigma_0 small
C_over = sp.Symbol("C_over", positive=True)  # D4 over-pruning: K m p <= C_over
alpha_dn = sp.Symbol("alpha_dn", positive=True)  # D6 dimension: power of n
alpha_dm = sp.Symbol("alpha_dm", nonnegative=True)  # D6 dimension: power of m
kappa_d = sp.Symbol("kappa_d", nonnegative=True)  # D6 dimension: polylog power
kappa_nm = sp.Symbol("kappa_nm", nonnegative=True)  # D6 sizes: polylog power

#: Named constants by name.
CONSTANTS: dict[str, sp.Symbol] = {
    s.name: s for s in (C_1, C_2, C_3, C_4, C_5, C_6, C_over, alpha_dn, alpha_dm, kappa_d, kappa_nm)
}

#: Default values of the named constants (see ``CONSTANT_DOCS`` for the reasons).
CONSTANT_DEFAULTS: dict[str, float] = {
    "C_1": 1.0,
    "C_2": 1.0,
    "C_3": 1.0,
    "C_4": 1.0,
    "C_5": 1.0,
    "C_6": 1.0,
    "C_over": 0.5,
    "alpha_dn": 4.0,
    "alpha_dm": 0.0,
    "kappa_d": 1.0,
    "kappa_nm": 1.0,
}

#: Why each default was chosen (printed by reports next to the value).
CONSTANT_DOCS: dict[str, str] = {
    "C_1": "D4 mild pruning m p >= C_1 log(K d); 1: the union-bound scale of 'every class "
    "keeps a filter' (P(N_j = 0) = (1 - p)^m <= exp(-m p)).",
    "C_2": "D5 benign condition n mu^q >= C_2 (sigma_n sqrt(p d))^q; 1 (unknown; simulations "
    "suggest a larger effective constant, which is why D5 is checked through slopes).",
    "C_3": "D6 dimension condition p d >= C_3 m^alpha_dm n^alpha_dn log(d)^kappa_d; 1.",
    "C_4": "D6 n, m >= C_4 log(d)^kappa_nm; 1.",
    "C_5": "D6 step eta <= min(mu^-2, (sigma_n^2 p d)^-1) / C_5; 1.",
    "C_6": "D6 init sigma_0 <= min((sigma_n sqrt(p d))^-1, mu^-1) / C_6; 1.",
    "C_over": "D4 over-pruning K m p <= C_over; 0.5: then P(no filter of any class kept its "
    "signal coordinate) = (1 - p)^(K m) >= exp(-0.5) ~ 0.61, i.e. typically every class dead.",
    "alpha_dn": "D6 power of n in the dimension condition; 4 ('d >> n^4 for q = 3').",
    "alpha_dm": "D6 power of m in the dimension condition; 0 (Cao et al. also have a power of m "
    "that depends on q; not available to us, set it here).",
    "kappa_d": "D6 polylog power in the dimension condition; 1.",
    "kappa_nm": "D6 polylog power in n, m >= polylog(d); 1.",
}

def _as_float(name: str, value: object) -> float:
    """A named constant's value: a finite real number (never a string: no sympify of user
    input)."""
    x = math.nan
    if not isinstance(value, bool) and isinstance(value, Real):
        try:
            x = float(value)
        except OverflowError:  # an int beyond the float range
            x = math.inf
    if not math.isfinite(x):
        raise ValueError(f"constant {name} must be a finite real number, got {shown(value)}")
    return x


def validate_params(params: Mapping[str, object]) -> dict[str, float]:
    """Check regime parameters by name and range with the model's own specs
    (``model.NetworkConfig``); return them as floats.

    Raises ``ValueError`` naming the parameter and its allowed range for an unknown name, a
    non-number, NaN/inf, or a value outside its range.
    """
    return {name: float(NetworkConfig.parameter(name).check(value))
            for name, value in params.items()}


def resolve_constants(constants: Mapping[str, object] | None = None) -> dict[str, float]:
    """``CONSTANT_DEFAULTS`` updated with ``constants`` (checked: known name, finite, >= 0)."""
    out = dict(CONSTANT_DEFAULTS)
    for name, value in (constants or {}).items():
        if name not in CONSTANT_DEFAULTS:
            raise ValueError(f"unknown constant {name!r}; allowed: {sorted(CONSTANT_DEFAULTS)}")
        x = _as_float(name, value)
        if x < 0 or (x == 0 and CONSTANTS[name].is_positive):
            kind = "> 0" if CONSTANTS[name].is_positive else ">= 0"
            raise ValueError(f"constant {name} = {x} must be {kind}")
        out[name] = x
    return out
