"""Conditions, thresholds and regimes of paper ``yang2023`` (all ``derived``).

Every relation here is our reconstruction (see ``docs/derivations/yang2023.md``), in the
framework of Cao, Chen, Belkin, Gu (2022) with ``d -> p d``, with named constants from
``symbols.CONSTANT_DEFAULTS``:

- D6 (theorem conditions): ``p d >= C_3 m^alpha_dm n^alpha_dn log(d)^kappa_d`` (dimension),
  ``n, m >= C_4 log(d)^kappa_nm``, ``eta <= min(mu^-2, (sigma_n^2 p d)^-1) / C_5``,
  ``sigma_0 <= min((sigma_n sqrt(p d))^-1, mu^-1) / C_6``;
- D4 (pruning thresholds, sparse signals): mild ``m p >= C_1 log(K d)``, over ``K m p <= C_over``;
- D5 (benign overfitting): ``n mu^q >= C_2 (sigma_n sqrt(p d))^q`` (sparse signals) and
  ``n (sqrt(p) mu)^q >= C_2 (sigma_n sqrt(p d))^q`` (dense signals, the control case).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from numbers import Real
from typing import Any

import sympy as sp

from .model import NetworkConfig
from .symbols import (
    C_1,
    C_2,
    C_3,
    C_4,
    C_5,
    C_6,
    SYMBOLS,
    C_over,
    K,
    alpha_dm,
    alpha_dn,
    d,
    eta,
    kappa_d,
    kappa_nm,
    m,
    mu,
    n,
    p,
    q,
    resolve_constants,
    sigma_0,
    sigma_n,
    validate_params,
)

__all__ = [
    "BENIGN",
    "BENIGN_DENSE",
    "CONDITIONS",
    "Condition",
    "D_LARGE",
    "ETA_SMALL",
    "MILD_PRUNING",
    "M_POLYLOG",
    "N_POLYLOG",
    "OVER_PRUNING",
    "SIGMA0_SMALL",
    "THEOREM_CONDITIONS",
    "classify",
    "evaluate_numeric",
    "expected_dead_classes",
    "predicted_test_error",
]


NETWORK_PARAMS = frozenset(s.name for s in NetworkConfig.parameters())


@functools.lru_cache(maxsize=256)
def _compiled(expr: sp.Expr) -> tuple[Callable[..., Any], tuple[str, ...]]:
    """Lambdify ``expr`` once over its free symbols (sorted by name)."""
    args = tuple(sorted(expr.free_symbols, key=lambda s: s.name))
    return sp.lambdify(args, expr, modules="math"), tuple(s.name for s in args)


def evaluate_numeric(
    expr: sp.Expr, params: Mapping[str, float], constants: Mapping[str, float] | None = None
) -> float:
    """Evaluate a sympy expression at numbers through ``lambdify`` (validated inputs).

    Regime parameters come from ``params`` (validated by ``symbols.validate_params``), named
    constants from ``constants`` over ``CONSTANT_DEFAULTS``. A parameter the expression needs
    but ``params`` lacks raises ``ValueError`` naming it.
    """
    values = {**resolve_constants(constants), **validate_params(params)}
    fn, names = _compiled(expr)
    missing = [name for name in names if name not in values]
    if missing:
        raise ValueError(f"missing parameter(s) {missing} for {expr}")
    return float(fn(*(values[name] for name in names)))


@functools.lru_cache(maxsize=256)
def log_form(expr: sp.Expr) -> sp.Expr:
    """log(expr) written as a sum of logs of the symbols, for a positive ``expr`` built from
    products, powers, Min / Max and logs (every side of every condition here):
    log(a b) = log a + log b, log(a^k) = k log a, log(min(a, b)) = min(log a, log b).
    Evaluated at numbers it cannot overflow, underflow or divide by zero inside the
    parameters' ranges, where the sides themselves can (mu^-2 at mu = 1e-200,
    (sigma_n sqrt(p d))^q at q = 10)."""
    if isinstance(expr, sp.Mul):
        return sp.Add(*(log_form(a) for a in expr.args))
    if isinstance(expr, sp.Pow):
        return expr.exp * log_form(expr.base)
    if isinstance(expr, sp.Min | sp.Max):
        return type(expr)(*(log_form(a) for a in expr.args))
    return sp.log(expr)


def _exp(x: float) -> float:
    """exp(x), inf beyond the float64 range (0.0 below it)."""
    return math.exp(x) if x < 709.0 else math.inf


@dataclass(frozen=True)
class Condition:
    """A relation ``lhs >= rhs`` or ``lhs <= rhs`` in the paper's symbols.

    ``provenance`` is ``"derived"`` for all of them (our reconstructions); ``source`` names the
    derived item (``"D4"``, ``"D5"``, ``"D6"``).
    """

    name: str
    lhs: sp.Expr
    rhs: sp.Expr
    relation: str
    description: str
    provenance: str = "derived"
    source: str = "D6"

    def __post_init__(self) -> None:
        if self.relation not in (">=", "<="):
            raise ValueError(f"relation must be '>=' or '<=', got {self.relation!r}")

    @property
    def relational(self) -> sp.Rel:
        """The sympy relation ``Ge(lhs, rhs)`` or ``Le(lhs, rhs)``."""
        return sp.Ge(self.lhs, self.rhs) if self.relation == ">=" else sp.Le(self.lhs, self.rhs)

    @property
    def parameters(self) -> frozenset[str]:
        """Names of the regime parameters the condition depends on."""
        free = (self.lhs - self.rhs).free_symbols
        return frozenset(s.name for s in free if s.name in SYMBOLS)

    def evaluate(
        self, params: Mapping[str, float], constants: Mapping[str, float] | None = None
    ) -> dict[str, float | bool]:
        """Evaluate at numbers, in log space (:func:`log_form`).

        Returns ``value_lhs``, ``value_rhs`` (inf, or 0.0, where a side lies beyond the
        float64 range), ``margin`` (the log ratio oriented so that positive means the
        condition holds: ``log(lhs/rhs)`` for ``>=``, ``log(rhs/lhs)`` for ``<=``; finite
        for every regime the parameters' ranges allow) and ``holds`` (``margin >= 0``).
        """
        log_lhs = evaluate_numeric(log_form(self.lhs), params, constants)
        log_rhs = evaluate_numeric(log_form(self.rhs), params, constants)
        log_ratio = log_lhs - log_rhs
        if not math.isfinite(log_ratio):  # cannot happen for validated parameters
            names = sorted(self.parameters)
            raise ValueError(f"condition {self.name}: no finite log-margin at "
                             + ", ".join(f"{k} = {params.get(k)}" for k in names)
                             + "; allowed: " + "; ".join(
                                 f"{k} {NetworkConfig.parameter(k).allowed()}" for k in names
                                 if k in NETWORK_PARAMS))
        margin = log_ratio if self.relation == ">=" else -log_ratio
        return {"value_lhs": _exp(log_lhs), "value_rhs": _exp(log_rhs), "margin": margin,
                "holds": margin >= 0}


_log_d = sp.log(d)

D_LARGE = Condition(
    "d_large",
    p * d,
    C_3 * m**alpha_dm * n**alpha_dn * _log_d**kappa_d,
    ">=",
    "dimension large: p d >= C_3 m^alpha_dm n^alpha_dn log(d)^kappa_d (Cao et al. form with "
    "d -> p d; reconstruction of 'd >> n^4 for q = 3')",
)
N_POLYLOG = Condition(
    "n_polylog", n, C_4 * _log_d**kappa_nm, ">=", "n >= polylog(d): n >= C_4 log(d)^kappa_nm"
)
M_POLYLOG = Condition(
    "m_polylog", m, C_4 * _log_d**kappa_nm, ">=", "m >= polylog(d): m >= C_4 log(d)^kappa_nm"
)
ETA_SMALL = Condition(
    "eta_small",
    eta,
    sp.Min(mu**-2, 1 / (sigma_n**2 * p * d)) / C_5,
    "<=",
    "step small: eta <= min(mu^-2, (sigma_n^2 p d)^-1) / C_5",
)
SIGMA0_SMALL = Condition(
    "sigma0_small",
    sigma_0,
    sp.Min(1 / (sigma_n * sp.sqrt(p * d)), 1 / mu) / C_6,
    "<=",
    "initialization small: sigma_0 <= min((sigma_n sqrt(p d))^-1, mu^-1) / C_6",
)
MILD_PRUNING = Condition(
    "mild_pruning",
    m * p,
    C_1 * sp.log(K * d),
    ">=",
    "mild pruning: every class keeps a filter on its signal coordinate, m p >= C_1 log(K d)",
    source="D4",
)
OVER_PRUNING = Condition(
    "over_pruning",
    K * m * p,
    C_over,
    "<=",
    "over-pruning: typically no filter of any class keeps its signal coordinate, K m p <= C_over",
    source="D4",
)
BENIGN = Condition(
    "benign",
    n * mu**q,
    C_2 * (sigma_n * sp.sqrt(p * d)) ** q,
    ">=",
    "benign overfitting (sparse signals): n mu^q >= C_2 (sigma_n sqrt(p d))^q",
    source="D5",
)
BENIGN_DENSE = Condition(
    "benign_dense",
    n * (sp.sqrt(p) * mu) ** q,
    C_2 * (sigma_n * sp.sqrt(p * d)) ** q,
    ">=",
    "benign overfitting (dense signals: a mask keeps a fraction p of the signal energy too): "
    "n (sqrt(p) mu)^q >= C_2 (sigma_n sqrt(p d))^q",
    source="D5",
)

#: D6: the theorem's own conditions (reconstructed).
THEOREM_CONDITIONS: tuple[Condition, ...] = (
    D_LARGE,
    N_POLYLOG,
    M_POLYLOG,
    ETA_SMALL,
    SIGMA0_SMALL,
)

#: Every condition by name.
CONDITIONS: dict[str, Condition] = {
    c.name: c for c in (*THEOREM_CONDITIONS, MILD_PRUNING, OVER_PRUNING, BENIGN, BENIGN_DENSE)
}


def classify(
    params: Mapping[str, float], constants: Mapping[str, float] | None = None
) -> dict[str, Any]:
    """Classify a regime of the sparse-signal model (D4 + D5), and report D6 separately.

    ``params`` needs ``K, m, n, d, p, mu, sigma_n, q``; ``sigma_0`` and ``eta`` are optional
    (the D6 conditions that need a missing parameter are listed in ``unevaluated``).

    Returns a dict with

    - ``regime``: ``"over-pruned"`` if ``K m p <= C_over`` (no class learns its signal) or the
      benign condition fails (noise memorization, harmful overfitting, pruned or not);
      otherwise ``"mild"`` if ``m p >= C_1 log(K d)``; otherwise ``"in-between"`` (some classes
      may be dead: predict from the realized counts with ``predicted_test_error``);
    - ``theorem_regime``: ``regime`` if every D6 condition holds, else ``"outside-conditions"``;
    - ``theorem_conditions_hold``: ``True``/``False``, or ``None`` when none failed but some
      could not be evaluated;
    - ``failed_theorem_conditions``, ``unevaluated``, ``reasons`` (human-readable) and
      ``conditions`` (name -> ``Condition.evaluate`` result).
    """
    required = ("K", "m", "n", "d", "p", "mu", "sigma_n", "q")
    missing = [name for name in required if name not in params]
    if missing:
        raise ValueError(f"classify needs parameter(s) {missing}")
    validate_params(params)
    results: dict[str, dict[str, float | bool]] = {}
    unevaluated: list[str] = []
    for cond in CONDITIONS.values():
        if cond.parameters <= set(params):
            results[cond.name] = cond.evaluate(params, constants)
        else:
            unevaluated.append(cond.name)

    reasons: list[str] = []
    over = results["over_pruning"]["holds"]
    benign = results["benign"]["holds"]
    mild = results["mild_pruning"]["holds"]
    if over:
        reasons.append("K m p <= C_over: over-pruned, typically every class lost its signal")
    if not benign:
        reasons.append("n mu^q < C_2 (sigma_n sqrt(p d))^q: noise memorization (harmful)")
    if over or not benign:
        regime = "over-pruned"
    elif mild:
        regime = "mild"
        reasons.append("m p >= C_1 log(K d) and benign condition holds")
    else:
        regime = "in-between"
        reasons.append("C_over < K m p and m p < C_1 log(K d): some classes may be dead")

    failed = [
        c.name for c in THEOREM_CONDITIONS if c.name in results and not results[c.name]["holds"]
    ]
    theorem_unevaluated = [c.name for c in THEOREM_CONDITIONS if c.name in unevaluated]
    if failed:
        theorem_ok: bool | None = False
        reasons.append(f"D6 theorem conditions fail: {failed}")
    elif theorem_unevaluated:
        theorem_ok = None
        reasons.append(f"D6 theorem conditions not evaluated: {theorem_unevaluated}")
    else:
        theorem_ok = True
    return {
        "regime": regime,
        "theorem_regime": regime if theorem_ok else "outside-conditions",
        "theorem_conditions_hold": theorem_ok,
        "failed_theorem_conditions": failed,
        "unevaluated": unevaluated,
        "reasons": reasons,
        "conditions": results,
    }


def expected_dead_classes(K: Any, m: Any, p: Any, positive_init: bool = True) -> Any:
    """Expected number of classes with no filter able to learn their signal (D4, sparse).

    Filter ``r`` of class ``j`` can learn ``mu_j = ||mu|| e_j`` only if its mask kept
    coordinate ``j`` (probability ``p``) and, with ``positive_init``, its initial weight there
    is positive (probability 1/2; ``max(0, z)^q`` has zero gradient at negative ``z``). So
    ``N_j+ ~ Binomial(m, p/2)`` and the expectation is ``K (1 - p/2)^m``; without
    ``positive_init``, ``N_j ~ Binomial(m, p)`` and it is ``K (1 - p)^m``.

    One definition for numbers (returns a float) and sympy symbols (returns an expression).
    """
    keep = p / 2 if positive_init else p
    if all(isinstance(v, Real) for v in (K, m, p)):
        validate_params({"K": K, "m": m, "p": p})
        return float(K * (1 - keep) ** m)
    return K * (1 - keep) ** m


def predicted_test_error(N_plus: Sequence[int], K: int) -> float:
    """D4's test error predicted from the realized counts ``N_j+`` (one per class).

    Classes are equally likely, so the error is the mean over classes of: ``1 - 1/K`` for a
    dead class (``N_j+ = 0``: "classes with N_j = 0 are at chance", our derived
    approximation: no filter responds to ``mu_j``, so every output stays at initialization /
    noise scale and the argmax is close to uniform over the K classes) and 0 for a class that
    kept a learnable filter. With ``K = 2`` a single learned class can separate both classes,
    so the prediction overstates the error there (use ``K >= 3``).
    """
    validate_params({"K": K})
    if len(N_plus) != K:
        raise ValueError(f"N_plus must have K = {K} entries, got {len(N_plus)}")
    if any(isinstance(v, bool) or not isinstance(v, Real) or v < 0 for v in N_plus):
        raise ValueError(f"N_plus must be non-negative counts, got {list(N_plus)}")
    dead = sum(1 for v in N_plus if v == 0)
    return dead * (1 - 1 / K) / K
