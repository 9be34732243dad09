"""``theorycheck.query("yang2023", ...)``: conditions, regime and predicted orders."""

from __future__ import annotations

from typing import Any

from theorycheck.regime import ConditionReport, Param, RegimeReport, validate

from .conditions import CONDITIONS, THEOREM_CONDITIONS, classify, expected_dead_classes
from .orders import ORDERS, exponent, predicted
from .symbols import q as q_symbol

PARAMS = [
    Param("K", "int", "classes", default=3, low=2),
    Param("m", "int", "filters per class", default=20, low=1),
    Param("n", "int", "training samples", default=60, low=1),
    Param("d", "int", "patch dimension", default=1000, low=2),
    Param("p", "float", "probability a weight is KEPT (pruning fraction 1 - p)",
          default=0.5, low=0, high=1, low_open=True),
    Param("sigma_0", "float", "initialization scale", default=0.01, low=0, low_open=True),
    Param("sigma_n", "float", "noise level", default=1.0, low=0, low_open=True),
    Param("mu", "float", "signal norm ||mu||", default=10.0, low=0, low_open=True),
    Param("eta", "float", "step size (default 0.5 m / max(mu^2, sigma_n^2 p d))",
          default=0.0, low=0),
    Param("q", "int", "activation power, act(z) = max(0, z)^q", default=3, low=1),
]
ORDER_PARAMS = {"gamma_off_max": ("sigma_0", "mu"), "zeta_max": ("p", "d", "sigma_0", "sigma_n"),
                "omega_max": ("p", "d", "sigma_0", "sigma_n"), "mu_crit": ("p", "d", "n")}


def query(**params: Any) -> RegimeReport:
    """Each condition (value, log-margin, holds up to the named constants), the regime
    (mild / in-between / over-pruned, and whether the theorem's D6 conditions hold), the
    predicted orders with their exponents (sympy), the expected number of classes with no
    learnable filter, and the pruning fraction 1 - p. Bad input raises ValueError naming
    the parameter and its range (p must lie in (0, 1])."""
    v = validate(PARAMS, params)
    if v["eta"] == 0.0:
        v["eta"] = 0.5 * v["m"] / max(v["mu"] ** 2, v["sigma_n"] ** 2 * v["p"] * v["d"])
    theory = {k: float(x) for k, x in v.items()}
    c = classify(theory)
    reports = []
    for name, res in c["conditions"].items():
        cond = CONDITIONS[name]
        reports.append(ConditionReport(
            name, cond.relation, float(res["value_lhs"]), float(res["value_rhs"]),
            float(res["margin"]), bool(res["holds"]), cond.description, cond.provenance))
    predictions: dict[str, Any] = {"pruning_fraction": 1 - v["p"],
                                   "expected_dead_classes": expected_dead_classes(
                                       v["K"], v["m"], v["p"]),
                                   "theorem_regime": c["theorem_regime"]}
    for name, movers in ORDER_PARAMS.items():
        order = ORDERS[name]
        args = {str(s): theory[str(s)] for s in order.expr.free_symbols if str(s) in theory}
        predictions[f"{name} ({order.provenance} {order.source}, {order.kind})"] = \
            predicted(name, **args)
        for param in movers:
            slope = exponent(order.expr, param).subs(q_symbol, v["q"])
            predictions[f"d log {name} / d log {param}"] = str(slope)
    warnings = [] if c["theorem_conditions_hold"] else [
        f"the theorem's conditions (D6, reconstructed) fail: {c['failed_theorem_conditions']}; "
        "simulation at this point tests the claims outside their conditions"]
    notes = list(c["reasons"]) + [
        f"D6 conditions checked: {[cond.name for cond in THEOREM_CONDITIONS]}; constants at "
        "their defaults (bounds/yang2023/symbols.py CONSTANT_DEFAULTS)"]
    return RegimeReport("yang2023", v, c["regime"], reports, predictions, warnings, notes)
