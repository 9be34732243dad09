"""``theorycheck.query("yang2023", ...)``: conditions, regime and predicted orders."""

from __future__ import annotations

from typing import Any

from theorycheck.params import Param
from theorycheck.regime import ConditionReport, RegimeReport

from .conditions import CONDITIONS, THEOREM_CONDITIONS, classify, expected_dead_classes
from .model import THEORY_KEYS, NetworkConfig
from .orders import ORDERS, exponent, predicted
from .symbols import q as q_symbol

PARAMETERS: tuple[tuple[Param, ...], ...] = (
    tuple(NetworkConfig.parameter(k) for k in THEORY_KEYS),)
"""What ``query`` accepts: the regime parameters of the network config."""
ORDER_PARAMS = {"gamma_off_max": ("sigma_0", "mu"), "zeta_max": ("p", "d", "sigma_0", "sigma_n"),
                "omega_max": ("p", "d", "sigma_0", "sigma_n"), "mu_crit": ("p", "d", "n")}


def query(**params: Any) -> RegimeReport:
    """Each condition (value, log-margin, holds up to the named constants), the regime
    (mild / in-between / over-pruned, and whether the theorem's D6 conditions hold), the
    predicted orders with their exponents (sympy), the expected number of classes with no
    learnable filter, and the pruning fraction 1 - p. Bad input raises ValueError naming
    the parameter and its range (p must lie in (0, 1])."""
    unknown = sorted(set(params) - set(THEORY_KEYS))
    if unknown:
        raise ValueError(f"unknown parameter(s) {unknown}; allowed: {sorted(THEORY_KEYS)}")
    config = NetworkConfig.from_mapping(params)
    if config.eta is None:  # the default step must lie in eta's own range too
        step = NetworkConfig.parameter("eta")
        try:
            step.check(config.step_size)
        except ValueError:
            raise ValueError(
                f"eta must be {step.allowed()}; its default (NetworkConfig.default_step) is "
                f"{config.step_size:.3g} at mu = {config.mu:g}, sigma_n = {config.sigma_n:g}, "
                f"p = {config.p:g}, d = {config.d}: pass eta, or a larger mu") from None
    v = {k: getattr(config, k) for k in THEORY_KEYS} | {"eta": config.step_size}
    theory = config.theory_params()
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
